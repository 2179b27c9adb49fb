/*
 * test_crypto_prf.c — IKEv2 PRFs and prf+: published HMAC answers, the
 * NIST CAVP SP 800-135 IKEv2 KDF vector, prf+ against its definition, and
 * the 255-block limit; the same answers through a reused crypto_prf_ctx.
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
#include "tests/lib/testutil.h"

/* bytes decodes |spec|: hex, "ascii:TEXT", or "rep:XX:N" (octet XX repeated N times). */
/* NIST CAVP SP 800-135 IKEv2 KDF, SHA-1, COUNT 0: expected values shared by
 * the one-shot and the reusable-context tests. */
#define CAVP_IKEV2_SKEYSEED "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7"
#define CAVP_IKEV2_DKM                                                     \
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002" \
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a" \
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119" \
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435" \
	"a7a56cc4"
#define CAVP_IKEV2_DKM_CHILD                                               \
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581" \
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181" \
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf" \
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499" \
	"4d234cb4"

static size_t bytes(const char *spec, uint8_t *out, size_t cap)
{
	long n;

	if (strncmp(spec, "ascii:", 6) == 0) {
		n = (long)strlen(spec + 6);
		assert_true((size_t)n <= cap);
		memcpy(out, spec + 6, (size_t)n);
		return (size_t)n;
	}
	if (strncmp(spec, "rep:", 4) == 0) {
		unsigned long v = strtoul(spec + 4, NULL, 16), cnt = strtoul(spec + 7, NULL, 10);

		assert_true(cnt <= cap);
		memset(out, (int)v, cnt);
		return cnt;
	}
	n = hex_decode(spec, out, cap);
	assert_true(n >= 0);
	return (size_t)n;
}

struct hmac_kat {
	const char *source;
	enum crypto_prf_alg alg;
	const char *key, *data, *mac; /* |mac| may be a truncated prefix (RFC 4231 case 5) */
};

#define T6_DATA "ascii:Test Using Larger Than Block-Size Key - Hash Key First"
#define T7_DATA \
	"ascii:This is a test using a larger than block-size key and a larger than block-size " \
	"data. The key needs to be hashed before being used by the HMAC algorithm."

/* hmac_kats: HMAC-SHA-1 from RFC 2202 §3, HMAC-SHA-256/384/512 from RFC 4231 §4.2-4.8. */
static const struct hmac_kat hmac_kats[] = {
	{"RFC 2202 case 1", CRYPTO_PRF_HMAC_SHA1, "rep:0b:20", "ascii:Hi There",
	 "b617318655057264e28bc0b6fb378c8ef146be00"},
	{"RFC 2202 case 2", CRYPTO_PRF_HMAC_SHA1, "ascii:Jefe", "ascii:what do ya want for nothing?",
	 "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	{"RFC 2202 case 3", CRYPTO_PRF_HMAC_SHA1, "rep:aa:20", "rep:dd:50",
	 "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
	{"RFC 2202 case 4", CRYPTO_PRF_HMAC_SHA1, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	 "rep:cd:50", "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
	{"RFC 2202 case 5", CRYPTO_PRF_HMAC_SHA1, "rep:0c:20", "ascii:Test With Truncation",
	 "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
	{"RFC 2202 case 6", CRYPTO_PRF_HMAC_SHA1, "rep:aa:80", T6_DATA,
	 "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
	{"RFC 2202 case 7", CRYPTO_PRF_HMAC_SHA1, "rep:aa:80",
	 "ascii:Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
	 "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},

	{"RFC 4231 case 1", CRYPTO_PRF_HMAC_SHA2_256, "rep:0b:20", "ascii:Hi There",
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	{"RFC 4231 case 1", CRYPTO_PRF_HMAC_SHA2_384, "rep:0b:20", "ascii:Hi There",
	 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	 "faea9ea9076ede7f4af152e8b2fa9cb6"},
	{"RFC 4231 case 1", CRYPTO_PRF_HMAC_SHA2_512, "rep:0b:20", "ascii:Hi There",
	 "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
	{"RFC 4231 case 2", CRYPTO_PRF_HMAC_SHA2_256, "ascii:Jefe", "ascii:what do ya want for nothing?",
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{"RFC 4231 case 2", CRYPTO_PRF_HMAC_SHA2_384, "ascii:Jefe", "ascii:what do ya want for nothing?",
	 "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	 "8e2240ca5e69e2c78b3239ecfab21649"},
	{"RFC 4231 case 2", CRYPTO_PRF_HMAC_SHA2_512, "ascii:Jefe", "ascii:what do ya want for nothing?",
	 "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	 "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	{"RFC 4231 case 3", CRYPTO_PRF_HMAC_SHA2_256, "rep:aa:20", "rep:dd:50",
	 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
	{"RFC 4231 case 3", CRYPTO_PRF_HMAC_SHA2_384, "rep:aa:20", "rep:dd:50",
	 "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	 "2a5ab39dc13814b94e3ab6e101a34f27"},
	{"RFC 4231 case 3", CRYPTO_PRF_HMAC_SHA2_512, "rep:aa:20", "rep:dd:50",
	 "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	 "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
	{"RFC 4231 case 4", CRYPTO_PRF_HMAC_SHA2_256, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	 "rep:cd:50", "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
	{"RFC 4231 case 4", CRYPTO_PRF_HMAC_SHA2_384, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	 "rep:cd:50",
	 "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	 "6801dd23c4a7d679ccf8a386c674cffb"},
	{"RFC 4231 case 4", CRYPTO_PRF_HMAC_SHA2_512, "0102030405060708090a0b0c0d0e0f10111213141516171819",
	 "rep:cd:50",
	 "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	 "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
	{"RFC 4231 case 5 (first 128 bits)", CRYPTO_PRF_HMAC_SHA2_256, "rep:0c:20",
	 "ascii:Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
	{"RFC 4231 case 5 (first 128 bits)", CRYPTO_PRF_HMAC_SHA2_384, "rep:0c:20",
	 "ascii:Test With Truncation", "3abf34c3503b2a23a46efc619baef897"},
	{"RFC 4231 case 5 (first 128 bits)", CRYPTO_PRF_HMAC_SHA2_512, "rep:0c:20",
	 "ascii:Test With Truncation", "415fad6271580a531d4179bc891d87a6"},
	{"RFC 4231 case 6", CRYPTO_PRF_HMAC_SHA2_256, "rep:aa:131", T6_DATA,
	 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	{"RFC 4231 case 6", CRYPTO_PRF_HMAC_SHA2_384, "rep:aa:131", T6_DATA,
	 "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	 "0c2ef6ab4030fe8296248df163f44952"},
	{"RFC 4231 case 6", CRYPTO_PRF_HMAC_SHA2_512, "rep:aa:131", T6_DATA,
	 "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	 "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
	{"RFC 4231 case 7", CRYPTO_PRF_HMAC_SHA2_256, "rep:aa:131", T7_DATA,
	 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	{"RFC 4231 case 7", CRYPTO_PRF_HMAC_SHA2_384, "rep:aa:131", T7_DATA,
	 "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	 "a678cc31e799176d3860e6110c46523e"},
	{"RFC 4231 case 7", CRYPTO_PRF_HMAC_SHA2_512, "rep:aa:131", T7_DATA,
	 "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	 "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

static void test_hmac_kats(void **state)
{
	for (size_t i = 0; i < sizeof hmac_kats / sizeof hmac_kats[0]; i++) {
		const struct hmac_kat *k = &hmac_kats[i];
		uint8_t key[200], data[200], want[64], got[64];
		size_t kl = bytes(k->key, key, sizeof key), dl = bytes(k->data, data, sizeof data);
		size_t wl = bytes(k->mac, want, sizeof want);

		print_message("hmac kat %zu: %s, prf %d\n", i, k->source, (int)k->alg);
		memset(got, 0, sizeof got);
		assert_int_equal(crypto_prf(k->alg, key, kl, data, dl, got), CRYPTO_OK);
		assert_memory_equal(got, want, wl);
		/* the same through crypto_prf_iov, split at every third octet */
		struct crypto_iov iov[80];
		size_t n = 0;

		for (size_t off = 0; off < dl; off += 3)
			iov[n++] = (struct crypto_iov){data + off, dl - off < 3 ? dl - off : 3};
		memset(got, 0, sizeof got);
		assert_int_equal(crypto_prf_iov(k->alg, key, kl, iov, n, got), CRYPTO_OK);
		assert_memory_equal(got, want, wl);
	}
}

/*
 * test_cavp_ikev2: NIST CAVP SP 800-135 IKEv2 KDF test vector (HMAC-SHA-1,
 * Ni/Nr 64 bits, g^ir 256 bits, DKM 1056 bits), the same vector libreswan
 * and NSS carry as "CAVP: IKEv2 key derivation with HMAC-SHA1":
 *   SKEYSEED        = prf(Ni | Nr, g^ir)
 *   DKM             = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *   DKM(Child SA)   = prf+(SK_d, Ni | Nr), SK_d = first 20 octets of DKM
 *   DKM(Child D-H)  = prf+(SK_d, g^ir(new) | Ni | Nr)
 *   SKEYSEED(Rekey) = prf(SK_d, g^ir(new) | Ni | Nr)
 */
static void test_cavp_ikev2(void **state)
{
	uint8_t ni[8], nr[8], spii[8], spir[8], gir[32], girnew[32], want[132], got[132];
	uint8_t skeyseed[20], seed[32 + 16 + 16], sk_d[20];
	const enum crypto_prf_alg sha1 = CRYPTO_PRF_HMAC_SHA1;

	bytes("32b50d5f4a3763f3", ni, sizeof ni);
	bytes("9206a04b26564cb1", nr, sizeof nr);
	bytes("34c9e7c188868785", spii, sizeof spii);
	bytes("3ff77d760d2b2199", spir, sizeof spir);
	bytes("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52", gir, sizeof gir);
	bytes("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330", girnew, sizeof girnew);

	/* SKEYSEED: the key is Ni | Nr */
	memcpy(seed, ni, 8);
	memcpy(seed + 8, nr, 8);
	assert_int_equal(crypto_prf(sha1, seed, 16, gir, sizeof gir, skeyseed), CRYPTO_OK);
	bytes(CAVP_IKEV2_SKEYSEED, want, sizeof want);
	assert_memory_equal(skeyseed, want, 20);

	/* DKM */
	memcpy(seed + 16, spii, 8);
	memcpy(seed + 24, spir, 8);
	assert_int_equal(crypto_prf_plus(sha1, skeyseed, 20, seed, 32, got, 132), CRYPTO_OK);
	bytes(CAVP_IKEV2_DKM, want, sizeof want);
	assert_memory_equal(got, want, 132);
	memcpy(sk_d, got, 20);

	/* DKM(Child SA) */
	assert_int_equal(crypto_prf_plus(sha1, sk_d, 20, seed, 16, got, 132), CRYPTO_OK);
	bytes(CAVP_IKEV2_DKM_CHILD, want, sizeof want);
	assert_memory_equal(got, want, 132);

	/* DKM(Child SA D-H): seed = g^ir(new) | Ni | Nr */
	memcpy(seed, girnew, 32);
	memcpy(seed + 32, ni, 8);
	memcpy(seed + 40, nr, 8);
	assert_int_equal(crypto_prf_plus(sha1, sk_d, 20, seed, 48, got, 132), CRYPTO_OK);
	bytes("bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	      "28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	      "52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	      "05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	      "d56fd74c", want, sizeof want);
	assert_memory_equal(got, want, 132);

	/* SKEYSEED(Rekey) */
	assert_int_equal(crypto_prf(sha1, sk_d, 20, seed, 48, got), CRYPTO_OK);
	bytes("63e81194946ebd05df7df5ebf5d8750056bf1f1d", want, sizeof want);
	assert_memory_equal(got, want, 20);
}

/* ref_prf is the test's own one-shot HMAC (EVP_Q_mac). */
static void ref_prf(enum crypto_prf_alg alg, const uint8_t *key, size_t kl, const uint8_t *d,
		    size_t dl, uint8_t *out)
{
	const char *md = alg == CRYPTO_PRF_HMAC_SHA1 ? "SHA1" :
			 alg == CRYPTO_PRF_HMAC_SHA2_256 ? "SHA256" :
			 alg == CRYPTO_PRF_HMAC_SHA2_384 ? "SHA384" : "SHA512";
	size_t ol = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, kl, d, dl, out, 64, &ol));
}

/* test_prf_plus_definition builds prf+ block by block with one-shot HMACs and compares. */
static void test_prf_plus_definition(void **state)
{
	static const enum crypto_prf_alg algs[] = {CRYPTO_PRF_HMAC_SHA1, CRYPTO_PRF_HMAC_SHA2_256,
						   CRYPTO_PRF_HMAC_SHA2_384, CRYPTO_PRF_HMAC_SHA2_512};
	uint8_t key[48], seed[40];

	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(0x30 + i);
	for (size_t i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(0x90 ^ i);
	for (size_t a = 0; a < 4; a++) {
		size_t h = crypto_prf_len(algs[a]), max = 255 * h;
		uint8_t *want = malloc(max), *got = malloc(max), t[64], in[64 + 40 + 1];
		const size_t lens[] = {1, h - 1, h, h + 1, 2 * h + 7, 100, max - 1, max};

		assert_non_null(want);
		assert_non_null(got);
		/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
		for (size_t n = 1, off = 0; n <= 255; n++, off += h) {
			size_t il = 0;

			if (n > 1)
				memcpy(in, t, h), il = h;
			memcpy(in + il, seed, sizeof seed), il += sizeof seed;
			in[il++] = (uint8_t)n;
			ref_prf(algs[a], key, sizeof key, in, il, t);
			memcpy(want + off, t, h);
		}
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
			memset(got, 0, max);
			assert_int_equal(crypto_prf_plus(algs[a], key, sizeof key, seed, sizeof seed,
							 got, lens[l]), CRYPTO_OK);
			assert_memory_equal(got, want, lens[l]);
		}
		/* the limit: one octet more than 255 blocks is refused (RFC 7296 §2.13) */
		uint8_t *big = malloc(max + 1);

		assert_int_equal(crypto_prf_plus(algs[a], key, sizeof key, seed, sizeof seed, big,
						 max + 1), CRYPTO_EINVAL);
		assert_int_equal(crypto_prf_plus(algs[a], key, sizeof key, seed, sizeof seed, big,
						 SIZE_MAX), CRYPTO_EINVAL);
		free(big);
		free(want);
		free(got);
	}
}

static void test_prf_args(void **state)
{
	uint8_t key[4] = {1, 2, 3, 4}, out[64];

	assert_int_equal(crypto_prf_len(CRYPTO_PRF_HMAC_SHA1), 20);
	assert_int_equal(crypto_prf_len(CRYPTO_PRF_HMAC_SHA2_256), 32);
	assert_int_equal(crypto_prf_len(CRYPTO_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(crypto_prf_len(CRYPTO_PRF_HMAC_SHA2_512), 64);
	/* 0: unknown algorithms (1 = HMAC_MD5, 4 = AES128_XCBC: not offered) */
	assert_int_equal(crypto_prf_len((enum crypto_prf_alg)1), 0);
	assert_int_equal(crypto_prf((enum crypto_prf_alg)4, key, 4, key, 4, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_plus((enum crypto_prf_alg)4, key, 4, key, 4, out, 8),
			 CRYPTO_EINVAL);
	/* 1: NULL with non-zero lengths */
	assert_int_equal(crypto_prf(CRYPTO_PRF_HMAC_SHA1, NULL, 4, key, 4, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf(CRYPTO_PRF_HMAC_SHA1, key, 4, NULL, 4, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf(CRYPTO_PRF_HMAC_SHA1, key, 4, key, 4, NULL), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_plus(CRYPTO_PRF_HMAC_SHA1, key, 4, NULL, 4, out, 8),
			 CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_plus(CRYPTO_PRF_HMAC_SHA1, key, 4, key, 4, NULL, 8),
			 CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_iov(CRYPTO_PRF_HMAC_SHA1, key, 4, NULL, 2, out), CRYPTO_EINVAL);
	/* 2: zero-length output and empty key/data are fine */
	assert_int_equal(crypto_prf_plus(CRYPTO_PRF_HMAC_SHA1, key, 4, key, 4, NULL, 0), CRYPTO_OK);
	assert_int_equal(crypto_prf(CRYPTO_PRF_HMAC_SHA2_256, NULL, 0, NULL, 0, out), CRYPTO_OK);
	uint8_t want[64];

	ref_prf(CRYPTO_PRF_HMAC_SHA2_256, (const uint8_t *)"", 0, (const uint8_t *)"", 0, want);
	assert_memory_equal(out, want, 32);
}

/*
 * test_ctx_kats: the RFC 2202 / RFC 4231 answers again through one
 * crypto_prf_ctx per algorithm, reused across every vector (so each call
 * re-keys a context that held another key) and alternating whole and split
 * inputs.
 */
static void test_ctx_kats(void **state)
{
	struct crypto_prf_ctx *ctx[8] = {0};
	int err = 1;

	for (int a = CRYPTO_PRF_HMAC_SHA1; a <= CRYPTO_PRF_HMAC_SHA2_512; a++) {
		if (crypto_prf_len((enum crypto_prf_alg)a) == 0)
			continue;
		ctx[a] = crypto_prf_ctx_new((enum crypto_prf_alg)a, &err);
		assert_non_null(ctx[a]);
		assert_int_equal(err, CRYPTO_OK);
		assert_int_equal(crypto_prf_ctx_alg(ctx[a]), a);
	}
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof hmac_kats / sizeof hmac_kats[0]; i++) {
			const struct hmac_kat *k = &hmac_kats[i];
			uint8_t key[200], data[200], want[64], got[64];
			size_t kl = bytes(k->key, key, sizeof key), dl = bytes(k->data, data, sizeof data);
			size_t wl = bytes(k->mac, want, sizeof want);
			struct crypto_iov iov[80];
			size_t n = 0;

			print_message("ctx kat %zu round %d: %s, prf %d\n", i, round, k->source, (int)k->alg);
			if (round == 0) {
				iov[n++] = (struct crypto_iov){data, dl};
			} else {
				for (size_t off = 0; off < dl; off += 5)
					iov[n++] = (struct crypto_iov){data + off, dl - off < 5 ? dl - off : 5};
			}
			memset(got, 0, sizeof got);
			assert_int_equal(crypto_prf_ctx_compute(ctx[k->alg], key, kl, iov, n, got), CRYPTO_OK);
			assert_memory_equal(got, want, wl);
		}
	}
	for (size_t a = 0; a < 8; a++)
		crypto_prf_ctx_free(ctx[a]);
}

/*
 * test_ctx_cavp_ikev2: the NIST CAVP SP 800-135 IKEv2 vector of
 * test_cavp_ikev2 (SKEYSEED, DKM, DKM(Child SA), SKEYSEED(Rekey)) on one
 * HMAC-SHA-1 context, prf and prf+ interleaved as an IKE SA would.
 */
static void test_ctx_cavp_ikev2(void **state)
{
	uint8_t ni[8], nr[8], spii[8], spir[8], gir[32], girnew[32], want[132], got[132];
	uint8_t skeyseed[20], seed[32 + 16 + 16], sk_d[20];
	struct crypto_prf_ctx *p = crypto_prf_ctx_new(CRYPTO_PRF_HMAC_SHA1, NULL);
	struct crypto_iov iov[2];

	assert_non_null(p);
	bytes("32b50d5f4a3763f3", ni, sizeof ni);
	bytes("9206a04b26564cb1", nr, sizeof nr);
	bytes("34c9e7c188868785", spii, sizeof spii);
	bytes("3ff77d760d2b2199", spir, sizeof spir);
	bytes("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52", gir, sizeof gir);
	bytes("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330", girnew, sizeof girnew);
	memcpy(seed, ni, 8);
	memcpy(seed + 8, nr, 8);
	iov[0] = (struct crypto_iov){gir, 16};
	iov[1] = (struct crypto_iov){gir + 16, 16};
	assert_int_equal(crypto_prf_ctx_compute(p, seed, 16, iov, 2, skeyseed), CRYPTO_OK);
	bytes(CAVP_IKEV2_SKEYSEED, want, sizeof want);
	assert_memory_equal(skeyseed, want, 20);
	memcpy(seed + 16, spii, 8);
	memcpy(seed + 24, spir, 8);
	assert_int_equal(crypto_prf_ctx_plus(p, skeyseed, 20, seed, 32, got, 132), CRYPTO_OK);
	bytes(CAVP_IKEV2_DKM, want, sizeof want);
	assert_memory_equal(got, want, 132);
	memcpy(sk_d, got, 20);
	assert_int_equal(crypto_prf_ctx_plus(p, sk_d, 20, seed, 16, got, 132), CRYPTO_OK);
	bytes(CAVP_IKEV2_DKM_CHILD, want, sizeof want);
	assert_memory_equal(got, want, 132);
	memcpy(seed, girnew, 32);
	memcpy(seed + 32, ni, 8);
	memcpy(seed + 40, nr, 8);
	iov[0] = (struct crypto_iov){seed, 48};
	assert_int_equal(crypto_prf_ctx_compute(p, sk_d, 20, iov, 1, got), CRYPTO_OK);
	bytes("63e81194946ebd05df7df5ebf5d8750056bf1f1d", want, sizeof want);
	assert_memory_equal(got, want, 20);
	crypto_prf_ctx_free(p);
}

/* test_ctx_plus_definition: crypto_prf_ctx_plus = crypto_prf_plus for every algorithm and length class. */
static void test_ctx_plus_definition(void **state)
{
	static const enum crypto_prf_alg algs[] = {CRYPTO_PRF_HMAC_SHA1, CRYPTO_PRF_HMAC_SHA2_256,
						   CRYPTO_PRF_HMAC_SHA2_384, CRYPTO_PRF_HMAC_SHA2_512};
	uint8_t key[80], seed[40], want[255 * 64 + 1], got[255 * 64 + 1];

	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(7 * i + 1);
	for (size_t i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(0x5a ^ i);
	for (size_t a = 0; a < 4; a++) {
		struct crypto_prf_ctx *p = crypto_prf_ctx_new(algs[a], NULL);
		size_t h = crypto_prf_len(algs[a]);
		const size_t lens[] = {0, 1, h, h + 1, 7 * h, 255 * h};
		const size_t klens[] = {0, 1, 20, 80}; /* empty, short, and longer than SHA-1/256's block */

		assert_non_null(p);
		for (size_t kl = 0; kl < 4; kl++) {
			for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
				memset(want, 0, lens[l] + 1);
				memset(got, 0, lens[l] + 1);
				assert_int_equal(crypto_prf_plus(algs[a], key, klens[kl], seed, sizeof seed,
								 want, lens[l]), CRYPTO_OK);
				assert_int_equal(crypto_prf_ctx_plus(p, key, klens[kl], seed, sizeof seed, got,
								     lens[l]), CRYPTO_OK);
				assert_memory_equal(got, want, lens[l] + 1);
			}
			/* and one prf between them, with the empty key passed as NULL */
			struct crypto_iov iov = {seed, sizeof seed};

			assert_int_equal(crypto_prf_iov(algs[a], klens[kl] ? key : NULL, klens[kl], &iov, 1,
							want), CRYPTO_OK);
			assert_int_equal(crypto_prf_ctx_compute(p, klens[kl] ? key : NULL, klens[kl], &iov, 1,
								got), CRYPTO_OK);
			assert_memory_equal(got, want, h);
		}
		assert_int_equal(crypto_prf_ctx_plus(p, key, 20, seed, sizeof seed, got, 255 * h + 1),
				 CRYPTO_EINVAL);
		crypto_prf_ctx_free(p);
	}
}

static void test_ctx_args(void **state)
{
	uint8_t key[4] = {1, 2, 3, 4}, out[64];
	struct crypto_iov iov = {key, 4};
	struct crypto_prf_ctx *p;
	int err = 0;

	/* 0: unknown algorithms */
	assert_null(crypto_prf_ctx_new((enum crypto_prf_alg)4, &err));
	assert_int_equal(err, CRYPTO_EINVAL);
	assert_null(crypto_prf_ctx_new((enum crypto_prf_alg)0, NULL));
	p = crypto_prf_ctx_new(CRYPTO_PRF_HMAC_SHA2_256, NULL);
	assert_non_null(p);
	/* 1: NULL context, key, pieces, output */
	assert_int_equal(crypto_prf_ctx_compute(NULL, key, 4, &iov, 1, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_compute(p, NULL, 4, &iov, 1, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_compute(p, key, 4, NULL, 1, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_compute(p, key, 4, &iov, 1, NULL), CRYPTO_EINVAL);
	iov.p = NULL;
	assert_int_equal(crypto_prf_ctx_compute(p, key, 4, &iov, 1, out), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_plus(NULL, key, 4, key, 4, out, 8), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_plus(p, key, 4, NULL, 4, out, 8), CRYPTO_EINVAL);
	assert_int_equal(crypto_prf_ctx_plus(p, key, 4, key, 4, NULL, 8), CRYPTO_EINVAL);
	/* 2: zero pieces, zero-length output */
	uint8_t want[64];

	assert_int_equal(crypto_prf_ctx_compute(p, key, 4, NULL, 0, out), CRYPTO_OK);
	ref_prf(CRYPTO_PRF_HMAC_SHA2_256, key, 4, (const uint8_t *)"", 0, want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(crypto_prf_ctx_plus(p, key, 4, key, 4, NULL, 0), CRYPTO_OK);
	/* 3: the context still works after the refusals */
	iov.p = key;
	assert_int_equal(crypto_prf_ctx_compute(p, key, 4, &iov, 1, out), CRYPTO_OK);
	ref_prf(CRYPTO_PRF_HMAC_SHA2_256, key, 4, key, 4, want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(crypto_prf_ctx_alg(NULL), 0);
	crypto_prf_ctx_free(p);
	crypto_prf_ctx_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_kats),
		cmocka_unit_test(test_cavp_ikev2),
		cmocka_unit_test(test_prf_plus_definition),
		cmocka_unit_test(test_prf_args),
		cmocka_unit_test(test_ctx_kats),
		cmocka_unit_test(test_ctx_cavp_ikev2),
		cmocka_unit_test(test_ctx_plus_definition),
		cmocka_unit_test(test_ctx_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
