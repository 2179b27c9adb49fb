/*
 * test_crypto_x509_pubkey.c — crypto_x509_public_key: a certificate parsed
 * from octets hands out the key OpenSSL decoded while parsing (shared, one
 * reference more); one built in this process is re-decoded so a private
 * half given to X509_set_pubkey never leaks; both verify exactly what the
 * signer's key verifies, and unsupported key types are refused either way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"

#define T0 1893456000LL /* 2030-01-01: fixed, never the clock */

struct fx {
	struct crypto_testpki rsa, ec;
};

static int make_pki(struct crypto_testpki *pki, enum crypto_sig_key_type type, uint64_t seed)
{
	struct crypto_drbg *drbg = crypto_drbg_new(seed, "test_crypto_x509_pubkey");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params p = {
		.key_type = type,
		.depth = 2,
		.ee = {.cn = "gw.vpnlab.test", .san = {{CRYPTO_X509_ID_FQDN, "gw.vpnlab.test"}}, .n_san = 1},
		.not_before = T0,
		.not_after = T0 + 86400 * 365,
	};
	struct crypto_diag d = {{0}};
	int rc = crypto_testpki_make(&p, &rng, pki, &d);

	if (rc != CRYPTO_OK)
		print_error("testpki: %s\n", d.msg);
	crypto_drbg_free(drbg);
	return rc;
}

static int setup(void **state)
{
	static struct fx f;

	if (make_pki(&f.rsa, CRYPTO_SIG_KEY_RSA, 11) != CRYPTO_OK ||
	    make_pki(&f.ec, CRYPTO_SIG_KEY_EC_P256, 12) != CRYPTO_OK)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	crypto_testpki_free(&f->rsa);
	crypto_testpki_free(&f->ec);
	return 0;
}

/* schemes_of: the schemes a key of |type| signs with. */
static size_t schemes_of(enum crypto_sig_key_type type, enum crypto_sig_scheme out[3])
{
	if (type == CRYPTO_SIG_KEY_RSA) {
		out[0] = CRYPTO_SIG_RSA_PKCS1_SHA1;
		out[1] = CRYPTO_SIG_RSA_PKCS1_SHA256;
		out[2] = CRYPTO_SIG_RSA_PSS_SHA256;
		return 3;
	}
	out[0] = CRYPTO_SIG_ECDSA_P256_SHA256_RAW;
	out[1] = CRYPTO_SIG_ECDSA_P256_SHA256_DER;
	return 2;
}

/*
 * expect_verifies: |pub| and the reference public key |ref| give the same
 * verdicts on good signatures by |priv|, on a flipped signature octet and
 * on another message.
 */
static void expect_verifies(const struct crypto_sig_key *pub, const struct crypto_sig_key *ref,
			    const struct crypto_sig_key *priv)
{
	enum crypto_sig_scheme sch[3];
	size_t n = schemes_of(crypto_sig_key_type(priv), sch);
	uint8_t msg[512], sig[512];

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 13);
	for (size_t s = 0; s < n; s++) {
		size_t sig_len = sizeof sig;

		assert_int_equal(crypto_sig_sign(priv, sch[s], msg, sizeof msg, sig, &sig_len, NULL), CRYPTO_OK);
		assert_int_equal(crypto_sig_verify(pub, sch[s], msg, sizeof msg, sig, sig_len, NULL), CRYPTO_OK);
		assert_int_equal(crypto_sig_verify(ref, sch[s], msg, sizeof msg, sig, sig_len, NULL), CRYPTO_OK);
		assert_int_equal(crypto_sig_verify(pub, sch[s], msg, sizeof msg - 1, sig, sig_len, NULL),
				 CRYPTO_EAUTH);
		sig[sig_len / 2] ^= 0x10;
		assert_int_equal(crypto_sig_verify(pub, sch[s], msg, sizeof msg, sig, sig_len, NULL), CRYPTO_EAUTH);
		assert_int_equal(crypto_sig_verify(ref, sch[s], msg, sizeof msg, sig, sig_len, NULL), CRYPTO_EAUTH);
	}
}

/*
 * test_parsed_shares_decoded_key: for the RSA and the P-256 EE and CA
 * certificates (all parsed from DER by crypto_testpki, and again from DER
 * and from PEM here), the public key is OpenSSL's decoded one, has no
 * private half, equals the signer's, and verifies what the re-decoded SPKI
 * verifies.
 */
static void test_parsed_shares_decoded_key(void **state)
{
	struct fx *f = *state;
	const struct crypto_testpki *pkis[2] = {&f->rsa, &f->ec};

	for (size_t p = 0; p < 2; p++) {
		for (size_t i = 0; i < pkis[p]->n; i++) {
			struct crypto_x509 *c = pkis[p]->cert[i], *again, **pem = NULL;
			struct crypto_sig_key *pub, *ref;
			uint8_t *spki = NULL;
			size_t spki_len = 0, der_len;
			const uint8_t *der = crypto_x509_der(c, &der_len);
			struct crypto_diag d;
			char *pem_text = NULL;
			long pem_len;
			BIO *bio = BIO_new(BIO_s_mem());

			print_message("pki %zu certificate %zu\n", p, i);
			pub = crypto_x509_public_key(c, &d);
			assert_non_null(pub);
			assert_ptr_equal(crypto_sig_key_evp(pub), X509_get0_pubkey(crypto_x509_get0(c)));
			assert_false(crypto_sig_key_has_private(pub));
			assert_true(crypto_sig_key_equal(pub, pkis[p]->key[i]));
			assert_int_equal(crypto_sig_key_type(pub), pkis[p]->key_type);
			assert_int_equal(crypto_sig_key_spki_der(pub, &spki, &spki_len), CRYPTO_OK);
			ref = crypto_sig_key_parse_public(spki, spki_len, &d);
			assert_non_null(ref);
			expect_verifies(pub, ref, pkis[p]->key[i]);
			crypto_sig_key_free(pub);
			crypto_sig_key_free(ref);
			free(spki);

			/* from DER again and from PEM: the same shortcut */
			again = crypto_x509_parse_der(der, der_len, &d);
			assert_non_null(again);
			pub = crypto_x509_public_key(again, &d);
			assert_non_null(pub);
			assert_ptr_equal(crypto_sig_key_evp(pub), X509_get0_pubkey(crypto_x509_get0(again)));
			crypto_sig_key_free(pub);
			crypto_x509_free(again);
			assert_non_null(bio);
			assert_int_equal(PEM_write_bio_X509(bio, crypto_x509_get0(c)), 1);
			pem_len = BIO_get_mem_data(bio, &pem_text);
			assert_int_equal(crypto_x509_parse_pem(pem_text, (size_t)pem_len, &pem, &d), 1);
			pub = crypto_x509_public_key(pem[0], &d);
			assert_non_null(pub);
			assert_ptr_equal(crypto_sig_key_evp(pub), X509_get0_pubkey(crypto_x509_get0(pem[0])));
			assert_true(crypto_sig_key_equal(pub, pkis[p]->key[i]));
			crypto_sig_key_free(pub);
			crypto_x509_free_array(pem, 1);
			BIO_free(bio);
		}
	}
}

/* test_key_outlives_certificate: the shared key keeps its own reference (ASan watches). */
static void test_key_outlives_certificate(void **state)
{
	struct fx *f = *state;
	size_t len;
	const uint8_t *der = crypto_x509_der(crypto_testpki_ee_cert(&f->ec), &len);
	struct crypto_x509 *c = crypto_x509_parse_der(der, len, NULL);
	struct crypto_sig_key *k1, *k2;

	assert_non_null(c);
	k1 = crypto_x509_public_key(c, NULL);
	k2 = crypto_x509_public_key(c, NULL);
	assert_non_null(k1);
	assert_non_null(k2);
	crypto_x509_free(c);
	expect_verifies(k1, k2, crypto_testpki_ee_key(&f->ec));
	crypto_sig_key_free(k1);
	expect_verifies(k2, k2, crypto_testpki_ee_key(&f->ec));
	crypto_sig_key_free(k2);
}

/* make_cert builds a self-signed certificate for |key| in this process (X509_set_pubkey keeps |key|). */
static X509 *make_cert(EVP_PKEY *key, const char *md)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_non_null(name);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"built",
						    -1, -1, 0), 1);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)T0));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T0 + 86400)));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_get_digestbyname(md)) > 0);
	X509_NAME_free(name);
	return x;
}

/*
 * test_built_certificate_never_leaks_private: a certificate made in this
 * process holds the key pair it was given (X509_get0_pubkey would return
 * it); crypto_x509_public_key re-decodes the SPKI instead.
 */
static void test_built_certificate_never_leaks_private(void **state)
{
	struct fx *f = *state;
	const struct crypto_sig_key *keys[2] = {crypto_testpki_ee_key(&f->rsa), crypto_testpki_ee_key(&f->ec)};

	for (size_t i = 0; i < 2; i++) {
		EVP_PKEY *pair = crypto_sig_key_evp(keys[i]);
		X509 *x = make_cert(pair, "SHA256");
		struct crypto_x509 *c;
		struct crypto_sig_key *pub;
		EVP_PKEY *inside = X509_get0_pubkey(x);

		/* the trap the slow path avoids: OpenSSL hands back the key pair */
		assert_ptr_equal(inside, pair);
		c = crypto_x509_wrap(x, NULL);
		assert_non_null(c);
		pub = crypto_x509_public_key(c, NULL);
		assert_non_null(pub);
		assert_false(crypto_sig_key_has_private(pub));
		assert_ptr_not_equal(crypto_sig_key_evp(pub), pair);
		assert_true(crypto_sig_key_equal(pub, keys[i]));
		expect_verifies(pub, pub, keys[i]);
		crypto_sig_key_free(pub);
		crypto_x509_free(c);
	}
}

/* test_unsupported_key_refused: a P-384 certificate, parsed or built, gives no key and says why. */
static void test_unsupported_key_refused(void **state)
{
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	X509 *x;
	unsigned char *der = NULL;
	int n;
	struct crypto_x509 *parsed, *built;
	struct crypto_diag d;

	assert_non_null(p384);
	x = make_cert(p384, "SHA384");
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	parsed = crypto_x509_parse_der(der, (size_t)n, &d);
	assert_non_null(parsed);
	memset(&d, 0, sizeof d);
	assert_null(crypto_x509_public_key(parsed, &d));
	assert_non_null(strstr(d.msg, "not supported"));
	assert_non_null(strstr(d.msg, "P-256"));
	built = crypto_x509_wrap(x, NULL);
	assert_non_null(built);
	memset(&d, 0, sizeof d);
	assert_null(crypto_x509_public_key(built, &d));
	assert_non_null(strstr(d.msg, "not supported"));
	assert_null(crypto_x509_public_key(NULL, &d));
	crypto_x509_free(parsed);
	crypto_x509_free(built);
	OPENSSL_free(der);
	EVP_PKEY_free(p384);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed_shares_decoded_key),
		cmocka_unit_test(test_key_outlives_certificate),
		cmocka_unit_test(test_built_certificate_never_leaks_private),
		cmocka_unit_test(test_unsupported_key_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
