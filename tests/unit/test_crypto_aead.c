/*
 * test_crypto_aead.c — ref/crypto AEAD and encrypt-then-MAC transforms:
 * published known answers, tamper detection, argument checks, and that the
 * AEAD per-packet path makes no OpenSSL allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ref/crypto/crypto.h"
#include "tests/lib/testutil.h"

/* bytes decodes |spec|: hex, or literal text after an "ascii:" prefix; NULL is empty. */
static size_t bytes(const char *spec, uint8_t *out, size_t cap)
{
	long n;

	if (spec == NULL)
		return 0;
	if (strncmp(spec, "ascii:", 6) == 0) {
		n = (long)strlen(spec + 6);
		assert_true((size_t)n <= cap);
		memcpy(out, spec + 6, (size_t)n);
		return (size_t)n;
	}
	n = hex_decode(spec, out, cap);
	assert_true(n >= 0);
	return (size_t)n;
}

/* ref_hmac is the test's own HMAC (one-shot EVP_Q_mac), independent of crypto_aead's EVP_MAC_CTX reuse. */
static void ref_hmac(const char *digest, const uint8_t *key, size_t key_len,
		     const uint8_t *data, size_t len, uint8_t *out)
{
	size_t out_len = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key, key_len, data, len,
				  out, 64, &out_len));
}

struct aead_kat {
	const char *source;
	enum crypto_aead_alg alg;
	const char *enc_key; /* includes the 4-octet salt for AEAD modes */
	const char *integ_key;
	const char *iv;
	const char *aad;
	const char *pt;
	const char *ct;
	const char *icv;     /* NULL: expected ICV = ref_hmac(aad || iv || ct || trailer) */
	const char *trailer;
};

#define GCM_SPEC_PT \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define NIST_38A_PT \
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" \
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
#define SP800_67_KEY "0123456789abcdef23456789abcdef01456789abcdef0123"
#define INTEG32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define INTEG20 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"

/*
 * aead_kats: AES-GCM from McGrew & Viega, "The Galois/Counter Mode of
 * Operation", Appendix B test cases 3, 4, 15, 16 (their 96-bit IV
 * cafebabe||facedbaddecaf888 splits into our salt || iv). ChaCha20-Poly1305
 * from RFC 8439 §2.8.2 (nonce 07000000||4041424344454647). AES-CBC-128 from
 * RFC 3602 §4 cases 1-4, AES-CBC-256 from NIST SP 800-38A F.2.5, 3DES from
 * the NIST SP 800-67 Rev.1 example (one block each with IV 0, so CBC equals
 * the published ECB answer). The ICV of the separate modes is checked
 * against the test's own one-shot HMAC; the published HMAC answers are in
 * test_integ_kats.
 */
static const struct aead_kat aead_kats[] = {
	{"GCM spec test case 3", CRYPTO_AES_GCM_16, "feffe9928665731c6d6a8f9467308308cafebabe", NULL,
	 "facedbaddecaf888", NULL, GCM_SPEC_PT "1aafd255",
	 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	 "4d5c2af327cd64a62cf35abd2ba6fab4", NULL},
	{"GCM spec test case 4", CRYPTO_AES_GCM_16, "feffe9928665731c6d6a8f9467308308cafebabe", NULL,
	 "facedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_SPEC_PT,
	 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	 "5bc94fbc3221a5db94fae95ae7121a47", NULL},
	{"GCM spec test case 15", CRYPTO_AES_GCM_16,
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308cafebabe", NULL,
	 "facedbaddecaf888", NULL, GCM_SPEC_PT "1aafd255",
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	 "b094dac5d93471bdec1a502270e3cc6c", NULL},
	{"GCM spec test case 16", CRYPTO_AES_GCM_16,
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308cafebabe", NULL,
	 "facedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GCM_SPEC_PT,
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	 "76fc6ece0f4e1768cddf8853bb2d551b", NULL},
	{"RFC 8439 2.8.2", CRYPTO_CHACHA20_POLY1305,
	 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f07000000", NULL,
	 "4041424344454647", "50515253c0c1c2c3c4c5c6c7",
	 "ascii:Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
	 "for the future, sunscreen would be it.",
	 "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	 "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	 "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	 "3ff4def08e4b7a9de576d26586cec64b6116",
	 "1ae10b594f09e26a7e902ecbd0600691", NULL},
	{"RFC 3602 case 1", CRYPTO_AES_CBC_HMAC_SHA256_128, "06a9214036b8a15b512e03d534120006",
	 INTEG32, "3dafba429d9eb430b422da802c9fac41", "0000c0de00000001",
	 "ascii:Single block msg", "e353779c1079aeb82708942dbe77181a", NULL, NULL},
	{"RFC 3602 case 2", CRYPTO_AES_CBC_HMAC_SHA256_128, "c286696d887c9aa0611bbb3e2025a45a",
	 INTEG32, "562e17996d093d28ddb3ba695a2e6f58", "0000c0de00000002",
	 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	 "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1", NULL, "00000001"},
	{"RFC 3602 case 3", CRYPTO_AES_CBC_HMAC_SHA256_128, "6c3ea0477630ce21a2ce334aa746c2cd",
	 INTEG32, "c782dc4c098c66cbd9cd27d825682c81", NULL,
	 "ascii:This is a 48-byte message (exactly 3 AES blocks)",
	 "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	 "021c19216bad525c8579695d83ba2684", NULL, NULL},
	{"RFC 3602 case 4", CRYPTO_AES_CBC_HMAC_SHA256_128, "56e47a38c5598974bc46903dba290349",
	 INTEG32, "8ce82eefbea0da3c44699ed7db51b7d9", "0000c0de00000004",
	 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	 "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	 "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	 "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55", NULL, NULL},
	{"SP 800-38A F.2.5 CBC-AES256", CRYPTO_AES_CBC_HMAC_SHA256_128,
	 "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", INTEG32,
	 "000102030405060708090a0b0c0d0e0f", "0000c0de00000005", NIST_38A_PT,
	 "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	 "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b", NULL, "00000007"},
	{"SP 800-67 example block 1", CRYPTO_3DES_CBC_HMAC_SHA1_96, SP800_67_KEY, INTEG20,
	 "0000000000000000", "0000c0de00000006", "5468652071756663", "a826fd8ce53b855f", NULL, NULL},
	{"SP 800-67 example block 2", CRYPTO_3DES_CBC_HMAC_SHA1_96, SP800_67_KEY, INTEG20,
	 "0000000000000000", NULL, "6b2062726f776e20", "cce21c8112256fe6", NULL, "00000001"},
	{"SP 800-67 example block 3", CRYPTO_3DES_CBC_HMAC_SHA1_96, SP800_67_KEY, INTEG20,
	 "0000000000000000", "0000c0de00000008", "666f78206a756d70", "68d5c05dd9b6b900", NULL, NULL},
};

struct vec {
	uint8_t enc_key[64], integ_key[64], iv[16], aad[64], pt[256], ct[256], icv[64], tr[8];
	size_t enc_key_len, integ_key_len, iv_len, aad_len, pt_len, ct_len, icv_len, tr_len;
};

static void vec_load(const struct aead_kat *k, struct vec *v)
{
	memset(v, 0, sizeof *v);
	v->enc_key_len = bytes(k->enc_key, v->enc_key, sizeof v->enc_key);
	v->integ_key_len = bytes(k->integ_key, v->integ_key, sizeof v->integ_key);
	v->iv_len = bytes(k->iv, v->iv, sizeof v->iv);
	v->aad_len = bytes(k->aad, v->aad, sizeof v->aad);
	v->pt_len = bytes(k->pt, v->pt, sizeof v->pt);
	v->ct_len = bytes(k->ct, v->ct, sizeof v->ct);
	v->tr_len = bytes(k->trailer, v->tr, sizeof v->tr);
	assert_int_equal(v->pt_len, v->ct_len);
	if (k->icv != NULL) {
		v->icv_len = bytes(k->icv, v->icv, sizeof v->icv);
		return;
	}
	/* separate integrity: icv = HMAC(aad || iv || ct || trailer), truncated */
	uint8_t data[512], full[64];
	size_t n = 0;

	memcpy(data + n, v->aad, v->aad_len), n += v->aad_len;
	memcpy(data + n, v->iv, v->iv_len), n += v->iv_len;
	memcpy(data + n, v->ct, v->ct_len), n += v->ct_len;
	memcpy(data + n, v->tr, v->tr_len), n += v->tr_len;
	if (k->alg == CRYPTO_AES_CBC_HMAC_SHA256_128) {
		ref_hmac("SHA256", v->integ_key, v->integ_key_len, data, n, full);
		v->icv_len = 16;
	} else {
		ref_hmac("SHA1", v->integ_key, v->integ_key_len, data, n, full);
		v->icv_len = 12;
	}
	memcpy(v->icv, full, v->icv_len);
}

static struct crypto_aead *vec_aead(const struct aead_kat *k, const struct vec *v)
{
	int err = 1;
	struct crypto_aead *a = crypto_aead_new(k->alg, v->enc_key, v->enc_key_len,
						v->integ_key_len ? v->integ_key : NULL,
						v->integ_key_len, &err);

	assert_int_equal(err, CRYPTO_OK);
	assert_non_null(a);
	return a;
}

static void test_kats(void **state)
{
	for (size_t i = 0; i < sizeof aead_kats / sizeof aead_kats[0]; i++) {
		const struct aead_kat *k = &aead_kats[i];
		struct vec v;
		uint8_t buf[256], icv[16];

		vec_load(k, &v);
		struct crypto_aead *a = vec_aead(k, &v);
		const struct crypto_aead_info *info = crypto_aead_get_info(a);

		print_message("kat %zu: %s (%s)\n", i, k->source, info->name);
		assert_int_equal(info->iv_len, v.iv_len);
		assert_int_equal(info->icv_len, v.icv_len);
		/* twice on one context: the per-packet IV-only re-init must reset all state */
		for (int round = 0; round < 2; round++) {
			memcpy(buf, v.pt, v.pt_len);
			memset(icv, 0, sizeof icv);
			assert_int_equal(crypto_aead_seal(a, v.aad, v.aad_len, v.iv, buf, v.pt_len,
							  v.tr, v.tr_len, icv), CRYPTO_OK);
			assert_memory_equal(buf, v.ct, v.ct_len);
			assert_memory_equal(icv, v.icv, v.icv_len);
			assert_int_equal(crypto_aead_open(a, v.aad, v.aad_len, v.iv, buf, v.ct_len,
							  v.tr, v.tr_len, v.icv), CRYPTO_OK);
			assert_memory_equal(buf, v.pt, v.pt_len);
		}
		crypto_aead_free(a);
	}
}

/*
 * test_integ_kats checks the truncated ICVs against published HMAC answers by
 * opening a "packet" whose aad || iv || ciphertext is the published data:
 * HMAC-SHA-256-128 from RFC 4868 §2.7.2.1 AUTH256-3 and AUTH256-4 (50
 * octets = aad 2 || iv 16 || ct 32), HMAC-SHA-1-96 from RFC 2202 test case 5
 * ("Test With Truncation" = aad "Test" || iv " With Tr" || ct "uncation").
 */
static void test_integ_kats(void **state)
{
	static const struct {
		const char *source;
		enum crypto_aead_alg alg;
		const char *enc_key, *integ_key;
		uint8_t fill;
		const char *text, *icv;
	} kats[] = {
		{"RFC 4868 AUTH256-3", CRYPTO_AES_CBC_HMAC_SHA256_128, "00112233445566778899aabbccddeeff",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0xdd, NULL,
		 "cdcb1220d1ecccea91e53aba3092f962"},
		{"RFC 4868 AUTH256-4", CRYPTO_AES_CBC_HMAC_SHA256_128, "00112233445566778899aabbccddeeff",
		 "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", 0xcd, NULL,
		 "372efcf9b40b35c2115b1346903d2ef4"},
		{"RFC 2202 test case 5 (HMAC-SHA-1-96)", CRYPTO_3DES_CBC_HMAC_SHA1_96, SP800_67_KEY,
		 "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", 0, "Test With Truncation",
		 "4c1a03424b55e07fe7f27be1"},
	};

	for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
		uint8_t ek[32], ik[32], data[64], icv[16];
		size_t ekl = bytes(kats[i].enc_key, ek, sizeof ek);
		size_t ikl = bytes(kats[i].integ_key, ik, sizeof ik);
		size_t icvl = bytes(kats[i].icv, icv, sizeof icv);
		size_t aad_len, iv_len, n;
		int err;

		print_message("integ kat %zu: %s\n", i, kats[i].source);
		if (kats[i].text != NULL) {
			n = strlen(kats[i].text);
			memcpy(data, kats[i].text, n);
			aad_len = 4, iv_len = 8;
		} else {
			n = 50;
			memset(data, kats[i].fill, n);
			aad_len = 2, iv_len = 16;
		}
		struct crypto_aead *a = crypto_aead_new(kats[i].alg, ek, ekl, ik, ikl, &err);

		assert_non_null(a);
		assert_int_equal(crypto_aead_get_info(a)->icv_len, icvl);
		assert_int_equal(crypto_aead_open(a, data, aad_len, data + aad_len, data + aad_len + iv_len,
						  n - aad_len - iv_len, NULL, 0, icv), CRYPTO_OK);
		/* the same data with the last ICV octet flipped must fail */
		if (kats[i].text != NULL)
			memcpy(data, kats[i].text, n);
		else
			memset(data, kats[i].fill, n);
		icv[icvl - 1] ^= 1;
		assert_int_equal(crypto_aead_open(a, data, aad_len, data + aad_len, data + aad_len + iv_len,
						  n - aad_len - iv_len, NULL, 0, icv), CRYPTO_EAUTH);
		crypto_aead_free(a);
	}
}

/* tamper_cases: which input of a sealed packet is altered before open. */
enum tamper { T_CT_FIRST, T_CT_LAST, T_ICV_FIRST, T_ICV_LAST, T_AAD, T_IV, T_TRAILER, T_AAD_SHORT };

static void test_tamper(void **state)
{
	/* rows of aead_kats: GCM-128 and -256 with AAD, ChaCha, CBC-128 with trailer, CBC-256, 3DES */
	static const size_t rows[] = {1, 3, 4, 6, 9, 10};
	static const enum tamper tampers[] = {T_CT_FIRST, T_CT_LAST, T_ICV_FIRST, T_ICV_LAST,
					      T_AAD, T_IV, T_TRAILER, T_AAD_SHORT};

	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const struct aead_kat *k = &aead_kats[rows[r]];
		struct vec v;

		vec_load(k, &v);
		struct crypto_aead *a = vec_aead(k, &v);
		const struct crypto_aead_info *info = crypto_aead_get_info(a);

		for (size_t t = 0; t < sizeof tampers / sizeof tampers[0]; t++) {
			uint8_t buf[256], icv[16], aad[64], iv[16], tr[8];
			size_t aad_len = v.aad_len, tr_len = v.tr_len;

			if (tampers[t] == T_TRAILER && info->aead)
				continue; /* AEAD modes take no trailer */
			if ((tampers[t] == T_AAD || tampers[t] == T_AAD_SHORT) && v.aad_len == 0)
				continue;
			memcpy(buf, v.pt, v.pt_len);
			memcpy(aad, v.aad, v.aad_len);
			memcpy(iv, v.iv, v.iv_len);
			memcpy(tr, v.tr, v.tr_len);
			if (tampers[t] == T_TRAILER && tr_len == 0) {
				tr_len = 4; /* an ESN trailer the sender did not authenticate */
				memset(tr, 0, 4);
			}
			assert_int_equal(crypto_aead_seal(a, aad, aad_len, iv, buf, v.pt_len, v.tr,
							  v.tr_len, icv), CRYPTO_OK);
			switch (tampers[t]) {
			case T_CT_FIRST: buf[0] ^= 0x01; break;
			case T_CT_LAST: buf[v.pt_len - 1] ^= 0x80; break;
			case T_ICV_FIRST: icv[0] ^= 0x01; break;
			case T_ICV_LAST: icv[info->icv_len - 1] ^= 0x80; break;
			case T_AAD: aad[aad_len - 1] ^= 0x01; break;
			case T_IV: iv[0] ^= 0x01; break;
			case T_TRAILER: if (v.tr_len) tr[0] ^= 0x01; break;
			case T_AAD_SHORT: aad_len--; break;
			}
			print_message("tamper %s case %zu\n", k->source, t);
			assert_int_equal(crypto_aead_open(a, aad, aad_len, iv, buf, v.pt_len, tr, tr_len,
							  icv), CRYPTO_EAUTH);
		}
		crypto_aead_free(a);
	}
}

/* test_round_trip seals many packets on one context and opens them on a second. */
static void test_round_trip(void **state)
{
	static const struct {
		enum crypto_aead_alg alg;
		size_t ek, ik;
	} algs[] = {
		{CRYPTO_AES_GCM_16, 20, 0}, {CRYPTO_AES_GCM_16, 36, 0}, {CRYPTO_CHACHA20_POLY1305, 36, 0},
		{CRYPTO_AES_CBC_HMAC_SHA256_128, 16, 32}, {CRYPTO_AES_CBC_HMAC_SHA256_128, 32, 32},
		{CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, 20},
	};
	uint8_t key[64], ikey[32];

	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof ikey; i++)
		ikey[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
		int e1, e2;
		struct crypto_aead *tx = crypto_aead_new(algs[i].alg, key, algs[i].ek,
							 algs[i].ik ? ikey : NULL, algs[i].ik, &e1);
		struct crypto_aead *rx = crypto_aead_new(algs[i].alg, key, algs[i].ek,
							 algs[i].ik ? ikey : NULL, algs[i].ik, &e2);

		assert_non_null(tx);
		assert_non_null(rx);
		const struct crypto_aead_info *info = crypto_aead_get_info(tx);

		for (uint32_t seq = 1; seq <= 64; seq++) {
			uint8_t pt[1400], buf[1400], iv[16] = {0}, icv[16], aad[8] = {0, 0, 0, 1};
			size_t len = (seq * 37) % 1400;
			uint8_t esn[4] = {0, 0, 0, (uint8_t)seq};
			size_t tl = info->aead ? 0 : sizeof esn;

			len -= len % info->block_len;
			for (size_t j = 0; j < len; j++)
				pt[j] = (uint8_t)(j ^ seq);
			memcpy(buf, pt, len);
			iv[0] = (uint8_t)seq;
			aad[7] = (uint8_t)seq;
			assert_int_equal(crypto_aead_seal(tx, aad, 8, iv, buf, len, esn, tl, icv), CRYPTO_OK);
			if (len >= 16)
				assert_memory_not_equal(buf, pt, 16);
			assert_int_equal(crypto_aead_open(rx, aad, 8, iv, buf, len, esn, tl, icv), CRYPTO_OK);
			assert_memory_equal(buf, pt, len);
			/* and back the other way on the same pair of contexts */
			assert_int_equal(crypto_aead_seal(rx, aad, 8, iv, buf, len, esn, tl, icv), CRYPTO_OK);
			assert_int_equal(crypto_aead_open(tx, aad, 8, iv, buf, len, esn, tl, icv), CRYPTO_OK);
			assert_memory_equal(buf, pt, len);
		}
		crypto_aead_free(tx);
		crypto_aead_free(rx);
	}
}

/*
 * test_one_context_both_ways: GCM and ChaCha20-Poly1305 keep one cipher
 * context for sealing and opening. A refused open (bad tag, the context
 * left mid-decryption) and a good open must leave the next seal exactly the
 * published answer, and an open right after a seal must still work: every
 * KAT row, seal / bad open / seal / open / open / seal.
 */
static void test_one_context_both_ways(void **state)
{
	for (size_t i = 0; i < sizeof aead_kats / sizeof aead_kats[0]; i++) {
		const struct aead_kat *k = &aead_kats[i];
		struct vec v;
		uint8_t buf[256], icv[16], bad[16];

		vec_load(k, &v);
		struct crypto_aead *a = vec_aead(k, &v);

		print_message("both ways %zu: %s\n", i, k->source);
		for (int step = 0; step < 6; step++) {
			int seal = step == 0 || step == 2 || step == 5;

			if (seal) {
				memcpy(buf, v.pt, v.pt_len);
				memset(icv, 0, sizeof icv);
				assert_int_equal(crypto_aead_seal(a, v.aad, v.aad_len, v.iv, buf, v.pt_len, v.tr,
								  v.tr_len, icv), CRYPTO_OK);
				assert_memory_equal(buf, v.ct, v.ct_len);
				assert_memory_equal(icv, v.icv, v.icv_len);
			} else if (step == 1) {
				memcpy(buf, v.ct, v.ct_len);
				memcpy(bad, v.icv, v.icv_len);
				bad[0] ^= 0x40;
				assert_int_equal(crypto_aead_open(a, v.aad, v.aad_len, v.iv, buf, v.ct_len, v.tr,
								  v.tr_len, bad), CRYPTO_EAUTH);
			} else {
				memcpy(buf, v.ct, v.ct_len);
				assert_int_equal(crypto_aead_open(a, v.aad, v.aad_len, v.iv, buf, v.ct_len, v.tr,
								  v.tr_len, v.icv), CRYPTO_OK);
				assert_memory_equal(buf, v.pt, v.pt_len);
			}
		}
		crypto_aead_free(a);
	}
}

/* bad_keys: numbered table of key-length and argument errors for crypto_aead_new. */
static void test_bad_keys(void **state)
{
	static const struct {
		enum crypto_aead_alg alg;
		size_t ek, ik;
		int null_ek, null_ik;
	} bad[] = {
		/* 0 */ {CRYPTO_AES_GCM_16, 16, 0, 0, 0},        /* salt missing */
		/* 1 */ {CRYPTO_AES_GCM_16, 28, 0, 0, 0},        /* AES-192 not offered */
		/* 2 */ {CRYPTO_AES_GCM_16, 3, 0, 0, 0},
		/* 3 */ {CRYPTO_AES_GCM_16, 0, 0, 0, 0},
		/* 4 */ {CRYPTO_AES_GCM_16, 20, 32, 0, 0},       /* AEAD with integrity key */
		/* 5 */ {CRYPTO_CHACHA20_POLY1305, 32, 0, 0, 0}, /* salt missing */
		/* 6 */ {CRYPTO_CHACHA20_POLY1305, 37, 0, 0, 0},
		/* 7 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 24, 32, 0, 0},
		/* 8 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 20, 32, 0, 0}, /* a salt does not belong here */
		/* 9 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 16, 20, 0, 0},
		/* 10 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 16, 0, 0, 1},
		/* 11 */ {CRYPTO_3DES_CBC_HMAC_SHA1_96, 16, 20, 0, 0},
		/* 12 */ {CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, 32, 0, 0},
		/* 13 */ {CRYPTO_AES_GCM_16, 20, 0, 1, 0},       /* NULL key */
		/* 14 */ {(enum crypto_aead_alg)99, 20, 0, 0, 0},
	};
	uint8_t key[64] = {1}, ikey[64] = {2};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int err = 0;

		print_message("bad key case %zu\n", i);
		assert_null(crypto_aead_new(bad[i].alg, bad[i].null_ek ? NULL : key, bad[i].ek,
					    bad[i].null_ik ? NULL : (bad[i].ik ? ikey : NULL), bad[i].ik,
					    &err));
		assert_int_equal(err, CRYPTO_EINVAL);
	}
	/* err may be NULL */
	assert_null(crypto_aead_new(CRYPTO_AES_GCM_16, key, 16, NULL, 0, NULL));
}

static void test_bad_args(void **state)
{
	uint8_t key[36] = {3}, ikey[32] = {4}, buf[64] = {0}, iv[16] = {0}, icv[16] = {0}, tr[4] = {0};
	struct crypto_aead *gcm = crypto_aead_new(CRYPTO_AES_GCM_16, key, 20, NULL, 0, NULL);
	struct crypto_aead *cbc = crypto_aead_new(CRYPTO_AES_CBC_HMAC_SHA256_128, key, 16, ikey, 32, NULL);
	struct crypto_aead *des = crypto_aead_new(CRYPTO_3DES_CBC_HMAC_SHA1_96, key, 24, ikey, 20, NULL);

	assert_non_null(gcm);
	assert_non_null(cbc);
	assert_non_null(des);
	/* 0: AEAD modes take no trailer */
	assert_int_equal(crypto_aead_seal(gcm, NULL, 0, iv, buf, 16, tr, 4, icv), CRYPTO_EINVAL);
	/* 1-3: payload not a multiple of the block */
	assert_int_equal(crypto_aead_seal(cbc, NULL, 0, iv, buf, 15, NULL, 0, icv), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_open(cbc, NULL, 0, iv, buf, 24, NULL, 0, icv), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_seal(des, NULL, 0, iv, buf, 12, NULL, 0, icv), CRYPTO_EINVAL);
	/* 4-7: NULL pointers with non-zero lengths, NULL context, NULL iv/icv */
	assert_int_equal(crypto_aead_seal(gcm, NULL, 8, iv, buf, 16, NULL, 0, icv), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_seal(NULL, NULL, 0, iv, buf, 16, NULL, 0, icv), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_seal(gcm, NULL, 0, NULL, buf, 16, NULL, 0, icv), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_open(gcm, NULL, 0, iv, buf, 16, NULL, 0, NULL), CRYPTO_EINVAL);
	/* 8: an empty payload is valid (ESP dummy packets carry at least padding, IKE may not) */
	assert_int_equal(crypto_aead_seal(gcm, NULL, 0, iv, NULL, 0, NULL, 0, icv), CRYPTO_OK);
	assert_int_equal(crypto_aead_open(gcm, NULL, 0, iv, NULL, 0, NULL, 0, icv), CRYPTO_OK);
	assert_null(crypto_aead_get_info(NULL));
	crypto_aead_free(NULL);
	crypto_aead_free(gcm);
	crypto_aead_free(cbc);
	crypto_aead_free(des);
}

static void test_lookup(void **state)
{
	static const struct {
		enum crypto_aead_alg alg;
		size_t key_len;
		struct crypto_aead_info want;
	} rows[] = {
		{CRYPTO_AES_GCM_16, 16, {"aes128gcm16", 8, 16, 1, 4, 4, 1}},
		{CRYPTO_AES_GCM_16, 32, {"aes256gcm16", 8, 16, 1, 4, 4, 1}},
		{CRYPTO_CHACHA20_POLY1305, 32, {"chacha20poly1305", 8, 16, 1, 4, 4, 1}},
		{CRYPTO_AES_CBC_HMAC_SHA256_128, 16, {"aes128-sha256", 16, 16, 16, 16, 0, 0}},
		{CRYPTO_AES_CBC_HMAC_SHA256_128, 32, {"aes256-sha256", 16, 16, 16, 16, 0, 0}},
		{CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, {"3des-sha1", 8, 12, 8, 8, 0, 0}},
	};
	struct crypto_aead_info got;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(crypto_aead_lookup(rows[i].alg, rows[i].key_len, &got), CRYPTO_OK);
		assert_string_equal(got.name, rows[i].want.name);
		assert_int_equal(got.iv_len, rows[i].want.iv_len);
		assert_int_equal(got.icv_len, rows[i].want.icv_len);
		assert_int_equal(got.block_len, rows[i].want.block_len);
		assert_int_equal(got.pad_align, rows[i].want.pad_align);
		assert_int_equal(got.salt_len, rows[i].want.salt_len);
		assert_int_equal(got.aead, rows[i].want.aead);
	}
	assert_int_equal(crypto_aead_lookup(CRYPTO_AES_GCM_16, 20, &got), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_lookup(CRYPTO_CHACHA20_POLY1305, 16, &got), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_lookup(CRYPTO_3DES_CBC_HMAC_SHA1_96, 16, &got), CRYPTO_EINVAL);
	assert_int_equal(crypto_aead_lookup(CRYPTO_AES_GCM_16, 16, NULL), CRYPTO_EINVAL);
}

/* OpenSSL allocation counter, installed in main() before OpenSSL allocates anything. */
static unsigned long ossl_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	ossl_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	ossl_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	free(p);
}

static int counting;

/* test_no_alloc: the AEAD seal and open paths allocate nothing per packet. */
static void test_no_alloc(void **state)
{
	static const struct {
		enum crypto_aead_alg alg;
		size_t ek;
	} algs[] = {{CRYPTO_AES_GCM_16, 20}, {CRYPTO_AES_GCM_16, 36}, {CRYPTO_CHACHA20_POLY1305, 36}};
	uint8_t key[36] = {5}, buf[1400] = {0}, iv[8] = {0}, icv[16], aad[8] = {0};

	if (!counting)
		skip();
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
		struct crypto_aead *a = crypto_aead_new(algs[i].alg, key, algs[i].ek, NULL, 0, NULL);
		unsigned long before;

		assert_non_null(a);
		/* warm-up: first use may fill lazily-built OpenSSL tables */
		assert_int_equal(crypto_aead_seal(a, aad, 8, iv, buf, sizeof buf, NULL, 0, icv), CRYPTO_OK);
		assert_int_equal(crypto_aead_open(a, aad, 8, iv, buf, sizeof buf, NULL, 0, icv), CRYPTO_OK);
		before = ossl_allocs;
		for (int p = 0; p < 100; p++) {
			iv[7] = (uint8_t)p;
			assert_int_equal(crypto_aead_seal(a, aad, 8, iv, buf, sizeof buf, NULL, 0, icv),
					 CRYPTO_OK);
			assert_int_equal(crypto_aead_open(a, aad, 8, iv, buf, sizeof buf, NULL, 0, icv),
					 CRYPTO_OK);
		}
		assert_int_equal(ossl_allocs - before, 0);
		crypto_aead_free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kats),
		cmocka_unit_test(test_integ_kats),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_one_context_both_ways),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_no_alloc),
	};

	counting = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
