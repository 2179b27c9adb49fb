/* test_crypto_sig.c — keys, seeded key generation, sign/verify for every scheme. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "tests/lib/testutil.h"

/* fixed_rng hands out a given octet string, then fails: pins a key to a published value. */
struct fixed_rng {
	const uint8_t *p;
	size_t len;
};

static int fixed_fill(void *ctx, uint8_t *out, size_t len)
{
	struct fixed_rng *f = ctx;

	if (len > f->len)
		return CRYPTO_ERAND;
	memcpy(out, f->p, len);
	f->p += len;
	f->len -= len;
	return 0;
}

/* Keys shared by the tests (RSA generation takes ~0.1 s). */
struct keys {
	struct crypto_sig_key *rsa, *rsa2, *ec, *ec2;
};

static int setup(void **state)
{
	struct keys *k = calloc(1, sizeof *k);
	struct crypto_drbg *drbg = crypto_drbg_new(7, "test_crypto_sig");
	struct crypto_rng rng = crypto_drbg_rng(drbg);

	k->rsa = crypto_sig_key_generate(CRYPTO_SIG_KEY_RSA, &rng, NULL);
	k->rsa2 = crypto_sig_key_generate(CRYPTO_SIG_KEY_RSA, &rng, NULL);
	k->ec = crypto_sig_key_generate(CRYPTO_SIG_KEY_EC_P256, &rng, NULL);
	k->ec2 = crypto_sig_key_generate(CRYPTO_SIG_KEY_EC_P256, &rng, NULL);
	crypto_drbg_free(drbg);
	if (k->rsa == NULL || k->rsa2 == NULL || k->ec == NULL || k->ec2 == NULL)
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	struct keys *k = *state;

	crypto_sig_key_free(k->rsa);
	crypto_sig_key_free(k->rsa2);
	crypto_sig_key_free(k->ec);
	crypto_sig_key_free(k->ec2);
	free(k);
	return 0;
}

/*
 * RFC 4754 §8.1 (ECDSA-256 in IKE): private key w, public key gw, message
 * "abc", signature r || s. Generating a key from an rng that yields w must
 * give gw, and the published r || s must verify as auth method 9 data.
 */
static void test_rfc4754_vector(void **state)
{
	const char *w_hex = "DC51D386 6A15BACD E33D96F9 92FCA99D A7E6EF09 34E70975 59C27F16 14C88A7F";
	const char *gw_hex = "04"
			     "2442A5CC 0ECD015F A3CA31DC 8E2BBC70 BF42D60C BCA20085 E0822CB0 4235E970"
			     "6FC98BD7 E50211A4 A27102FA 3549DF79 EBCB4BF2 46B80945 CDDFE7D5 09BBFD7D";
	const char *rs_hex = "CB28E099 9B9C7715 FD0A80D8 E47A7707 9716CBBF 917DD72E 97566EA1 C066957C"
			     "86FA3BB4 E26CAD5B F90B7F81 899256CE 7594BB1E A0C89212 748BFF3B 3D5B0315";
	size_t w_len, gw_len, rs_len;
	uint8_t *w = hex_alloc(w_hex, &w_len), *gw = hex_alloc(gw_hex, &gw_len);
	uint8_t *rs = hex_alloc(rs_hex, &rs_len);
	struct fixed_rng f = {w, w_len};
	struct crypto_rng rng = {fixed_fill, &f};
	struct crypto_diag d;
	struct crypto_sig_key *k = crypto_sig_key_generate(CRYPTO_SIG_KEY_EC_P256, &rng, &d);
	uint8_t *spki = NULL;
	size_t spki_len = 0;

	(void)state;
	assert_non_null(k);
	assert_int_equal(crypto_sig_key_type(k), CRYPTO_SIG_KEY_EC_P256);
	assert_int_equal(crypto_sig_key_spki_der(k, &spki, &spki_len), CRYPTO_OK);
	/* The SPKI of a P-256 key ends with the 65-octet uncompressed point. */
	assert_true(spki_len > gw_len);
	assert_memory_equal(spki + spki_len - gw_len, gw, gw_len);
	assert_int_equal(crypto_sig_verify(k, CRYPTO_SIG_ECDSA_P256_SHA256_RAW,
					   (const uint8_t *)"abc", 3, rs, rs_len, &d),
			 CRYPTO_OK);
	/* One flipped bit of s, or the message "abd", fails. */
	rs[63] ^= 1;
	assert_int_equal(crypto_sig_verify(k, CRYPTO_SIG_ECDSA_P256_SHA256_RAW,
					   (const uint8_t *)"abc", 3, rs, rs_len, &d),
			 CRYPTO_EAUTH);
	rs[63] ^= 1;
	assert_int_equal(crypto_sig_verify(k, CRYPTO_SIG_ECDSA_P256_SHA256_RAW,
					   (const uint8_t *)"abd", 3, rs, rs_len, &d),
			 CRYPTO_EAUTH);
	free(spki);
	free(w);
	free(gw);
	free(rs);
	crypto_sig_key_free(k);
}

static void test_keygen_deterministic(void **state)
{
	static const struct {
		enum crypto_sig_key_type type;
		int bits;
	} cases[] = {
		{CRYPTO_SIG_KEY_EC_P256, 256},
		{CRYPTO_SIG_KEY_RSA, 2048},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_sig_key *k[3];
		uint8_t *der[3];
		size_t len[3];

		for (int j = 0; j < 3; j++) {
			/* seeds 1, 1, 2: same seed same key, other seed other key */
			struct crypto_drbg *drbg = crypto_drbg_new(j == 2 ? 2 : 1, "keygen");
			struct crypto_rng rng = crypto_drbg_rng(drbg);

			k[j] = crypto_sig_key_generate(cases[i].type, &rng, NULL);
			crypto_drbg_free(drbg);
			assert_non_null(k[j]);
			assert_int_equal(crypto_sig_key_bits(k[j]), cases[i].bits);
			assert_true(crypto_sig_key_has_private(k[j]));
			assert_int_equal(crypto_sig_key_spki_der(k[j], &der[j], &len[j]), CRYPTO_OK);
		}
		assert_int_equal(len[0], len[1]);
		assert_memory_equal(der[0], der[1], len[0]);
		assert_true(len[0] != len[2] || memcmp(der[0], der[2], len[0]) != 0);
		assert_true(crypto_sig_key_equal(k[0], k[1]));
		assert_false(crypto_sig_key_equal(k[0], k[2]));
		for (int j = 0; j < 3; j++) {
			free(der[j]);
			crypto_sig_key_free(k[j]);
		}
	}
}

/* The seeded RSA key passes OpenSSL's full key check (primes, CRT values, pairwise). */
static void test_rsa_key_checks(void **state)
{
	struct keys *k = *state;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, crypto_sig_key_evp(k->rsa), NULL);

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_check(ctx), 1);
	assert_int_equal(EVP_PKEY_pairwise_check(ctx), 1);
	EVP_PKEY_CTX_free(ctx);
}

/* Table: every scheme, good signature verifies; message, signature or key changed fails. */
static void test_sign_verify_table(void **state)
{
	struct keys *k = *state;
	const struct {
		enum crypto_sig_scheme scheme;
		int rsa;
		size_t len_min, len_max;
	} cases[] = {
		/* 1 */ {CRYPTO_SIG_RSA_PKCS1_SHA1, 1, 256, 256},
		/* 2 */ {CRYPTO_SIG_RSA_PKCS1_SHA256, 1, 256, 256},
		/* 3 */ {CRYPTO_SIG_RSA_PSS_SHA256, 1, 256, 256},
		/* 4 */ {CRYPTO_SIG_ECDSA_P256_SHA256_RAW, 0, 64, 64},
		/* 5 */ {CRYPTO_SIG_ECDSA_P256_SHA256_DER, 0, 8, 72},
	};
	static const uint8_t msg[] = "IKE_SA_INIT | Nr | prf(SK_pi, IDi')";

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_sig_key *key = cases[i].rsa ? k->rsa : k->ec;
		struct crypto_sig_key *other = cases[i].rsa ? k->rsa2 : k->ec2;
		struct crypto_sig_key *pub = crypto_sig_key_public_copy(key, NULL);
		uint8_t sig[512], bad[sizeof msg];
		size_t sig_len = sizeof sig;
		struct crypto_diag d = {{0}};

		print_message("case %zu: %s\n", i + 1, crypto_sig_scheme_name(cases[i].scheme));
		assert_non_null(pub);
		assert_false(crypto_sig_key_has_private(pub));
		assert_int_equal(crypto_sig_sign(key, cases[i].scheme, msg, sizeof msg, sig, &sig_len,
						 &d),
				 CRYPTO_OK);
		assert_in_range(sig_len, cases[i].len_min, cases[i].len_max);
		assert_true(sig_len <= crypto_sig_max_len(key, cases[i].scheme));
		if (cases[i].scheme == CRYPTO_SIG_ECDSA_P256_SHA256_DER)
			assert_int_equal(sig[0], 0x30); /* SEQUENCE, not r || s */
		assert_int_equal(crypto_sig_verify(pub, cases[i].scheme, msg, sizeof msg, sig,
						   sig_len, &d),
				 CRYPTO_OK);
		memcpy(bad, msg, sizeof msg);
		bad[0] ^= 0x80;
		assert_int_equal(crypto_sig_verify(pub, cases[i].scheme, bad, sizeof bad, sig,
						   sig_len, &d),
				 CRYPTO_EAUTH);
		assert_non_null(strstr(d.msg, "does not match"));
		assert_int_equal(crypto_sig_verify(other, cases[i].scheme, msg, sizeof msg, sig,
						   sig_len, NULL),
				 CRYPTO_EAUTH);
		sig[sig_len / 2] ^= 0x01;
		assert_int_equal(crypto_sig_verify(pub, cases[i].scheme, msg, sizeof msg, sig,
						   sig_len, NULL),
				 CRYPTO_EAUTH);
		assert_int_equal(crypto_sig_verify(pub, cases[i].scheme, msg, sizeof msg, sig,
						   sig_len - 1, NULL),
				 CRYPTO_EAUTH);
		/* Signing needs the private half. */
		sig_len = sizeof sig;
		assert_int_equal(crypto_sig_sign(pub, cases[i].scheme, msg, sizeof msg, sig, &sig_len,
						 &d),
				 CRYPTO_EINVAL);
		assert_non_null(strstr(d.msg, "no private half"));
		crypto_sig_key_free(pub);
	}
}

/* PKCS#1 v1.5 signatures are deterministic: the same message signs to the same octets. */
static void test_pkcs1_deterministic(void **state)
{
	struct keys *k = *state;
	uint8_t msg[10], a[256], b[256];
	size_t la = sizeof a, lb = sizeof b;

	memset(msg, 0x11, sizeof msg);
	assert_int_equal(crypto_sig_sign(k->rsa, CRYPTO_SIG_RSA_PKCS1_SHA256, msg, sizeof msg, a,
					 &la, NULL),
			 CRYPTO_OK);
	assert_int_equal(crypto_sig_sign(k->rsa, CRYPTO_SIG_RSA_PKCS1_SHA256, msg, sizeof msg, b,
					 &lb, NULL),
			 CRYPTO_OK);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
}

/* Table: scheme/key mismatches, short buffers and bad lengths are EINVAL/EAUTH with reasons. */
static void test_misuse(void **state)
{
	struct keys *k = *state;
	uint8_t sig[512] = {0};
	size_t len;
	struct crypto_diag d;

	len = sizeof sig;
	assert_int_equal(crypto_sig_sign(k->ec, CRYPTO_SIG_RSA_PKCS1_SHA256, sig, 4, sig, &len, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "needs an RSA key, got EC P-256"));
	len = sizeof sig;
	assert_int_equal(crypto_sig_sign(k->rsa, CRYPTO_SIG_ECDSA_P256_SHA256_RAW, sig, 4, sig, &len,
					 &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "needs an EC P-256 key, got RSA"));
	len = 100;
	assert_int_equal(crypto_sig_sign(k->rsa, CRYPTO_SIG_RSA_PKCS1_SHA1, sig, 4, sig, &len, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "has 100 octets, need 256"));
	assert_int_equal(crypto_sig_verify(k->ec, CRYPTO_SIG_ECDSA_P256_SHA256_RAW, sig, 4, sig, 72,
					   &d),
			 CRYPTO_EAUTH);
	assert_non_null(strstr(d.msg, "is 72 octets, expected 64"));
	assert_int_equal(crypto_sig_verify(k->ec, (enum crypto_sig_scheme)99, sig, 4, sig, 64, &d),
			 CRYPTO_EINVAL);
	assert_int_equal(crypto_sig_max_len(k->ec, CRYPTO_SIG_RSA_PSS_SHA256), 0);
	assert_int_equal(crypto_sig_max_len(k->ec, CRYPTO_SIG_ECDSA_P256_SHA256_DER), 72);
	assert_int_equal(crypto_sig_max_len(k->rsa, CRYPTO_SIG_RSA_PSS_SHA256), 256);
}

/* PEM and DER, private and public, memory and file: all load back to the same key. */
static void test_load_formats(void **state)
{
	struct keys *k = *state;
	struct crypto_sig_key *keys[] = {k->rsa, k->ec};

	for (size_t i = 0; i < 2; i++) {
		char *pem = NULL, path[] = "/tmp/vpnlab_test_sig_XXXXXX";
		size_t pem_len = 0, der_len;
		unsigned char *der = NULL;
		uint8_t *spki = NULL;
		struct crypto_sig_key *back;
		struct crypto_diag d;
		int fd, n;

		assert_int_equal(crypto_sig_key_to_pem(keys[i], 1, &pem, &pem_len), CRYPTO_OK);
		assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
		back = crypto_sig_key_parse_private((const uint8_t *)pem, pem_len, &d);
		assert_non_null(back);
		assert_true(crypto_sig_key_equal(back, keys[i]));
		assert_true(crypto_sig_key_has_private(back));
		crypto_sig_key_free(back);

		/* traditional DER ("RSA PRIVATE KEY" / "EC PRIVATE KEY" without armour) */
		n = i2d_PrivateKey(crypto_sig_key_evp(keys[i]), &der);
		assert_true(n > 0);
		back = crypto_sig_key_parse_private(der, (size_t)n, &d);
		assert_non_null(back);
		assert_true(crypto_sig_key_equal(back, keys[i]));
		crypto_sig_key_free(back);
		OPENSSL_free(der);

		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, pem, pem_len), (ssize_t)pem_len);
		close(fd);
		back = crypto_sig_key_load_file(path, 1, &d);
		assert_non_null(back);
		assert_true(crypto_sig_key_equal(back, keys[i]));
		crypto_sig_key_free(back);
		unlink(path);
		free(pem);

		assert_int_equal(crypto_sig_key_spki_der(keys[i], &spki, &der_len), CRYPTO_OK);
		back = crypto_sig_key_parse_public(spki, der_len, &d);
		assert_non_null(back);
		assert_false(crypto_sig_key_has_private(back));
		assert_true(crypto_sig_key_equal(back, keys[i]));
		crypto_sig_key_free(back);
		free(spki);
		assert_int_equal(crypto_sig_key_to_pem(keys[i], 0, &pem, NULL), CRYPTO_OK);
		back = crypto_sig_key_parse_public((const uint8_t *)pem, strlen(pem), &d);
		assert_non_null(back);
		crypto_sig_key_free(back);
		free(pem);
	}
}

/* Table: malformed and unsupported inputs fail with a reason, never crash. */
static void test_bad_inputs(void **state)
{
	static const char garbage_pem[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x02, 0x01};
	struct crypto_diag d;
	struct crypto_drbg *drbg = crypto_drbg_new(3, "p384");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	unsigned char *der = NULL;
	int n;

	(void)state;
	assert_null(crypto_sig_key_parse_private((const uint8_t *)garbage_pem, sizeof garbage_pem - 1,
						 &d));
	assert_non_null(strstr(d.msg, "private key"));
	assert_null(crypto_sig_key_parse_private(junk, sizeof junk, &d));
	assert_null(crypto_sig_key_parse_public(junk, sizeof junk, &d));
	assert_null(crypto_sig_key_parse_private(NULL, 0, &d));
	assert_null(crypto_sig_key_load_file("/nonexistent/key.pem", 1, &d));
	assert_non_null(strstr(d.msg, "cannot open"));
	/* P-384 parses in OpenSSL but is not a scheme here */
	assert_non_null(p384);
	n = i2d_PUBKEY(p384, &der);
	assert_true(n > 0);
	assert_null(crypto_sig_key_parse_public(der, (size_t)n, &d));
	assert_non_null(strstr(d.msg, "not supported"));
	OPENSSL_free(der);
	EVP_PKEY_free(p384);
	{
		struct crypto_rng rng = crypto_drbg_rng(drbg);

		assert_null(crypto_sig_key_generate((enum crypto_sig_key_type)9, &rng, &d));
		assert_non_null(strstr(d.msg, "key type 9"));
	}
	crypto_drbg_free(drbg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4754_vector),
		cmocka_unit_test(test_keygen_deterministic),
		cmocka_unit_test(test_rsa_key_checks),
		cmocka_unit_test(test_sign_verify_table),
		cmocka_unit_test(test_pkcs1_deterministic),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_load_formats),
		cmocka_unit_test(test_bad_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
