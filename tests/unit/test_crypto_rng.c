/*
 * test_crypto_rng.c — randomness sources, the deterministic DRBG, error
 * names and constant-time compare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "ref/crypto/crypto.h"

static void drbg_bytes(uint64_t seed, const char *label, uint8_t *out, size_t len)
{
	struct crypto_drbg *d = crypto_drbg_new(seed, label);
	struct crypto_rng r = crypto_drbg_rng(d);

	assert_non_null(d);
	assert_int_equal(crypto_rng_fill(&r, out, len), CRYPTO_OK);
	crypto_drbg_free(d);
}

/*
 * test_drbg_definition recomputes the DRBG from its definition with one-shot
 * calls: key = SHA-256(label || seed as 8 big-endian octets), output = the
 * AES-256-CTR encryption of zeros under IV 0.
 */
static void test_drbg_definition(void **state)
{
	static const struct {
		uint64_t seed;
		const char *label;
	} rows[] = {{0, ""}, {1, "sim"}, {0x0123456789abcdefull, "ike-initiator"}, {UINT64_MAX, "x"}};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint8_t msg[64], key[32], iv[16] = {0}, zeros[1000] = {0}, want[1000], got[1000];
		size_t ml = strlen(rows[i].label);
		unsigned int kl = 0;
		int outl = 0;

		memcpy(msg, rows[i].label, ml);
		for (int b = 0; b < 8; b++)
			msg[ml + (size_t)b] = (uint8_t)(rows[i].seed >> (56 - 8 * b));
		assert_int_equal(EVP_Digest(msg, ml + 8, key, &kl, EVP_sha256(), NULL), 1);
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

		assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv), 1);
		assert_int_equal(EVP_EncryptUpdate(c, want, &outl, zeros, sizeof zeros), 1);
		EVP_CIPHER_CTX_free(c);
		drbg_bytes(rows[i].seed, rows[i].label, got, sizeof got);
		assert_memory_equal(got, want, sizeof want);
	}
	/* a NULL label is the empty label */
	uint8_t a[32], b[32];

	drbg_bytes(7, NULL, a, sizeof a);
	drbg_bytes(7, "", b, sizeof b);
	assert_memory_equal(a, b, sizeof a);
}

static void test_drbg_determinism(void **state)
{
	uint8_t a[256], b[256];

	drbg_bytes(42, "sim", a, sizeof a);
	drbg_bytes(42, "sim", b, sizeof b);
	assert_memory_equal(a, b, sizeof a);
	drbg_bytes(43, "sim", b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
	drbg_bytes(42, "sin", b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
	drbg_bytes(0, "sim", b, sizeof b);
	assert_memory_not_equal(a, b, sizeof a);
}

/* test_drbg_stream: successive fills continue one keystream, at any split. */
static void test_drbg_stream(void **state)
{
	static const size_t splits[][5] = {
		{1, 15, 16, 17, 3000}, {7, 100, 1000, 1, 1941}, {3049, 0, 0, 0, 0}, {16, 16, 16, 16, 2985},
	};
	uint8_t whole[3049], parts[3049];

	drbg_bytes(9, "stream", whole, sizeof whole);
	for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		struct crypto_drbg *d = crypto_drbg_new(9, "stream");
		struct crypto_rng r = crypto_drbg_rng(d);
		size_t off = 0;

		for (size_t j = 0; j < 5; j++) {
			assert_int_equal(crypto_rng_fill(&r, parts + off, splits[i][j]), CRYPTO_OK);
			off += splits[i][j];
		}
		assert_int_equal(off, sizeof parts);
		assert_memory_equal(whole, parts, sizeof whole);
		crypto_drbg_free(d);
	}
}

static int failing_fill(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx, (void)out, (void)len;
	return CRYPTO_ERAND;
}

static void test_rng_fill_errors(void **state)
{
	uint8_t b[8];
	struct crypto_rng none = {NULL, NULL}, bad = {failing_fill, NULL};

	assert_int_equal(crypto_rng_fill(NULL, b, sizeof b), CRYPTO_EINVAL);
	assert_int_equal(crypto_rng_fill(&none, b, sizeof b), CRYPTO_EINVAL);
	assert_int_equal(crypto_rng_fill(&bad, b, sizeof b), CRYPTO_ERAND);
	crypto_drbg_free(NULL);
}

static void test_rng_system(void **state)
{
	struct crypto_rng r = crypto_rng_system();
	uint8_t a[32] = {0}, b[32] = {0}, z[32] = {0};

	assert_int_equal(crypto_rng_fill(&r, a, sizeof a), CRYPTO_OK);
	assert_int_equal(crypto_rng_fill(&r, b, sizeof b), CRYPTO_OK);
	assert_memory_not_equal(a, z, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(crypto_rng_fill(&r, a, 0), CRYPTO_OK);
}

static void test_strerror(void **state)
{
	static const int codes[] = {CRYPTO_OK, CRYPTO_EINVAL, CRYPTO_EAUTH, CRYPTO_EPEER,
				    CRYPTO_ERAND, CRYPTO_EINTERNAL, CRYPTO_ENOMEM};
	size_t n = sizeof codes / sizeof codes[0];

	for (size_t i = 0; i < n; i++) {
		assert_non_null(crypto_strerror(codes[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(crypto_strerror(codes[i]), crypto_strerror(codes[j]));
	}
	assert_string_equal(crypto_strerror(-99), "unknown crypto error");
	assert_non_null(strstr(crypto_strerror(CRYPTO_EAUTH), "ICV"));
}

static void test_memeq(void **state)
{
	uint8_t a[33], b[33];

	for (size_t i = 0; i < sizeof a; i++)
		a[i] = b[i] = (uint8_t)i;
	assert_int_equal(crypto_memeq(a, b, sizeof a), 1);
	assert_int_equal(crypto_memeq(a, b, 0), 1);
	for (size_t i = 0; i < sizeof a; i++) {
		b[i] ^= 0x40;
		assert_int_equal(crypto_memeq(a, b, sizeof a), 0);
		b[i] ^= 0x40;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drbg_definition),
		cmocka_unit_test(test_drbg_determinism),
		cmocka_unit_test(test_drbg_stream),
		cmocka_unit_test(test_rng_fill_errors),
		cmocka_unit_test(test_rng_system),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_memeq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
