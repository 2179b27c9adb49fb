/*
 * test_crypto_detrand.c — OpenSSL's internal RAND made deterministic for the
 * simulator: keys generated and signatures made inside OpenSSL (ECDSA
 * nonces, RSA-PSS salts) repeat byte for byte after the same seed, differ
 * after another seed, and are random again after crypto_openssl_rand_system.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ref/crypto/crypto.h"

struct sig {
	uint8_t pub[600];
	size_t pub_len;
	uint8_t sig[300];
	size_t sig_len;
};

/* keygen_and_sign makes a key with EVP_PKEY_keygen (OpenSSL's RAND) and signs one message. */
static void keygen_and_sign(int rsa_pss, struct sig *out)
{
	static const uint8_t msg[] = "IKE_AUTH signed octets";
	EVP_PKEY *key = rsa_pss ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024)
				: EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	assert_non_null(key);
	assert_non_null(md);
	uint8_t *p = out->pub;
	int n = i2d_PUBKEY(key, NULL);

	assert_true(n > 0 && (size_t)n <= sizeof out->pub);
	assert_int_equal(i2d_PUBKEY(key, &p), n);
	out->pub_len = (size_t)n;
	assert_int_equal(EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL), 1);
	if (rsa_pss) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1);
	}
	out->sig_len = sizeof out->sig;
	assert_int_equal(EVP_DigestSign(md, out->sig, &out->sig_len, msg, sizeof msg), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
}

static int same(const struct sig *a, const struct sig *b)
{
	return a->pub_len == b->pub_len && a->sig_len == b->sig_len &&
	       memcmp(a->pub, b->pub, a->pub_len) == 0 && memcmp(a->sig, b->sig, a->sig_len) == 0;
}

static void check_scheme(int rsa_pss)
{
	struct sig s1, s2, s3, s4, s5;

	assert_int_equal(crypto_openssl_rand_deterministic(1), CRYPTO_OK);
	keygen_and_sign(rsa_pss, &s1);
	assert_int_equal(crypto_openssl_rand_deterministic(1), CRYPTO_OK);
	keygen_and_sign(rsa_pss, &s2);
	assert_true(same(&s1, &s2));
	assert_int_equal(crypto_openssl_rand_deterministic(2), CRYPTO_OK);
	keygen_and_sign(rsa_pss, &s3);
	assert_false(same(&s1, &s3));
	assert_memory_not_equal(s1.pub + s1.pub_len - 16, s3.pub + s3.pub_len - 16, 16);
	/* the stream continues: a second key after the same seed is a different key */
	assert_int_equal(crypto_openssl_rand_deterministic(1), CRYPTO_OK);
	keygen_and_sign(rsa_pss, &s4);
	keygen_and_sign(rsa_pss, &s5);
	assert_true(same(&s1, &s4));
	assert_false(same(&s4, &s5));
	crypto_openssl_rand_system();
	keygen_and_sign(rsa_pss, &s4);
	assert_false(same(&s1, &s4));
}

static void test_ecdsa_repeats(void **state)
{
	check_scheme(0);
}

static void test_rsa_pss_repeats(void **state)
{
	check_scheme(1);
}

/*
 * test_ecdsa_nonce_only: with a fixed key, only OpenSSL's RAND decides the
 * ECDSA nonce; same seed, same signature; OpenSSL's own RAND, a fresh one.
 */
static void test_ecdsa_nonce_only(void **state)
{
	static const uint8_t msg[] = "m";
	uint8_t s[3][80];
	size_t l[3];
	EVP_PKEY *key;

	assert_int_equal(crypto_openssl_rand_deterministic(99), CRYPTO_OK);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(key);
	for (int i = 0; i < 3; i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (i < 2)
			assert_int_equal(crypto_openssl_rand_deterministic(5), CRYPTO_OK);
		else
			crypto_openssl_rand_system();
		l[i] = sizeof s[i];
		assert_int_equal(EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL), 1);
		assert_int_equal(EVP_DigestSign(md, s[i], &l[i], msg, sizeof msg), 1);
		EVP_MD_CTX_free(md);
	}
	assert_int_equal(l[0], l[1]);
	assert_memory_equal(s[0], s[1], l[0]);
	assert_false(l[0] == l[2] && memcmp(s[0], s[2], l[0]) == 0);
	EVP_PKEY_free(key);
}

/* test_rand_is_the_drbg: RAND_bytes and RAND_priv_bytes read the documented keystream. */
static void test_rand_is_the_drbg(void **state)
{
	uint8_t want[96], got[96];
	struct crypto_drbg *d = crypto_drbg_new(7, CRYPTO_DETRAND_LABEL);
	struct crypto_rng r = crypto_drbg_rng(d);
	struct crypto_rng sys = crypto_rng_system();

	assert_int_equal(crypto_rng_fill(&r, want, sizeof want), CRYPTO_OK);
	crypto_drbg_free(d);
	assert_int_equal(crypto_openssl_rand_deterministic(7), CRYPTO_OK);
	assert_int_equal(RAND_bytes(got, 32), 1);
	assert_int_equal(RAND_priv_bytes(got + 32, 32), 1);
	assert_int_equal(crypto_rng_fill(&sys, got + 64, 32), CRYPTO_OK); /* system source too */
	assert_memory_equal(got, want, sizeof want);
	crypto_openssl_rand_system();
	assert_int_equal(RAND_bytes(got, 32), 1);
	assert_memory_not_equal(got, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecdsa_repeats),
		cmocka_unit_test(test_rsa_pss_repeats),
		cmocka_unit_test(test_ecdsa_nonce_only),
		cmocka_unit_test(test_rand_is_the_drbg),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	crypto_openssl_rand_system();
	return rc;
}
