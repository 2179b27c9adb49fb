/*
 * test_crypto_hash.c — plain digests. Vectors: the "abc" and
 * "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" messages of
 * FIPS 180-2 Appendices A-C (SHA-1, SHA-256, SHA-384, SHA-512) and
 * RFC 1321 §A.5 (MD5 of "abc").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ref/crypto/crypto.h"
#include "tests/lib/testutil.h"

static const struct {
	int n;
	enum crypto_hash_alg alg;
	const char *msg;
	const char *digest;
} kat[] = {
	{1, CRYPTO_HASH_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
	{2, CRYPTO_HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{3, CRYPTO_HASH_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{4, CRYPTO_HASH_SHA2_256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{5, CRYPTO_HASH_SHA2_256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{6, CRYPTO_HASH_SHA2_384, "abc",
	 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	 "8086072ba1e7cc2358baeca134c825a7"},
	{7, CRYPTO_HASH_SHA2_512, "abc",
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
};

static void test_known_answers(void **state)
{
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		uint8_t want[64], got[64];
		long wl = hex_decode(kat[i].digest, want, sizeof want);
		struct crypto_iov iov = {(const uint8_t *)kat[i].msg, strlen(kat[i].msg)};

		assert_int_equal((size_t)wl, crypto_hash_len(kat[i].alg));
		assert_int_equal(crypto_hash(kat[i].alg, &iov, 1, got), CRYPTO_OK);
		if (memcmp(got, want, (size_t)wl) != 0)
			fail_msg("hash KAT row %d differs", kat[i].n);
	}
}

/* Split input (including empty pieces) gives the digest of the concatenation. */
static void test_iov_split(void **state)
{
	const uint8_t *m = (const uint8_t *)"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct crypto_iov iov[4] = {{m, 5}, {m + 5, 0}, {m + 5, 20}, {m + 25, 31}};
	uint8_t one[20], split[20];
	struct crypto_iov whole = {m, 56};

	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA1, &whole, 1, one), CRYPTO_OK);
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA1, iov, 4, split), CRYPTO_OK);
	assert_memory_equal(one, split, 20);
}

static void test_bad_arguments(void **state)
{
	uint8_t out[64];

	assert_int_equal(crypto_hash_len((enum crypto_hash_alg)99), 0);
	assert_int_equal(crypto_hash((enum crypto_hash_alg)99, NULL, 0, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA1, NULL, 1, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA1, NULL, 0, NULL), CRYPTO_EINVAL);
	/* the empty message is fine: SHA-1("") (FIPS 180 examples) */
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA1, NULL, 0, out), CRYPTO_OK);
	uint8_t want[20];
	hex_decode("da39a3ee5e6b4b0d3255bfef95601890afd80709", want, sizeof want);
	assert_memory_equal(out, want, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_iov_split),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
