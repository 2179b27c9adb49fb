/*
 * test_ike_sk.c — SK and SKF payload protection: round trips for every
 * suite through the codec's builder and parser, results recomputed
 * independently with OpenSSL EVP (RFC 5282 §5.1 AAD, RFC 7296 §3.14 ICV
 * span), IV policy, and a numbered table of tampering with distinct errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ref/crypto/crypto.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_keys.h"
#include "ref/ike/ike_msg.h"
#include "ref/ike/ike_sk.h"

static const struct ike_suite suites[] = {
	{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 19},
	{IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_512, 0, 31},
	{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, 0, 31},
	{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA2_256_128, 14},
	{IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, 19},
	{IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 14},
};

static struct ike_keys *keys_for(const struct ike_suite *s)
{
	uint8_t ni[32], nr[32], gir[32], spi_i[8] = {0x11, 1, 2, 3, 4, 5, 6, 7},
				       spi_r[8] = {0x22, 1, 2, 3, 4, 5, 6, 7};

	memset(ni, 0xa1, sizeof ni);
	memset(nr, 0xb2, sizeof nr);
	memset(gir, 0xc3, sizeof gir);
	return ike_keys_new_sa_init(s, ni, 32, nr, 32, spi_i, spi_r, gir, 32, NULL);
}

/* counting_rng: octets 0x00, 0x01, 0x02, ... so CBC IVs are predictable in tests. */
static int counting_fill(void *ctx, uint8_t *out, size_t len)
{
	uint8_t *next = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (*next)++;
	return 0;
}

/* build_auth builds an IKE_AUTH request with IDi and AUTH payloads inside SK; returns its length. */
static size_t build_auth(struct ike_keys *k, int initiator, uint8_t *buf, size_t cap,
			 struct ike_sk_seal *seal, int skf)
{
	static const uint8_t idi[] = {IKE_ID_FQDN, 0, 0, 0, 'c', 'l', 'i', 'e', 'n', 't'};
	static const uint8_t auth[] = {IKE_AUTHM_PSK, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct ike_hdr h = {
		.spi_i = 0x1101020304050607ull,
		.spi_r = 0x2201020304050607ull,
		.major = 2,
		.exchange = IKE_AUTH,
		.flags = initiator ? IKE_FLAG_I : IKE_FLAG_R,
		.msg_id = 1,
	};
	struct ike_msg_builder mb;
	size_t iv, icv, blk;

	ike_sk_layout(k, &iv, &icv, &blk);
	ike_msg_build_init(&mb, buf, cap, &h);
	if (skf) {
		/* fragment 2 of 3 carries raw octets (part of an inner chain) */
		assert_int_equal(ike_msg_build_skf_begin(&mb, 2, 3, 0, iv, icv, blk), 0);
		assert_int_equal(ike_msg_build_sk_raw(&mb, auth, sizeof auth), 0);
	} else {
		assert_int_equal(ike_msg_build_sk_begin(&mb, iv, icv, blk), 0);
		assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_IDI, 0, idi, sizeof idi), 0);
		assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_AUTH, 0, auth, sizeof auth), 0);
	}
	assert_int_equal(ike_msg_build_sk_end(&mb, seal), 0);
	return seal->msg_len;
}

/* Every suite, both directions, SK and SKF: encrypt, parse, decrypt, parse inner. */
static void test_round_trips(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		struct ike_keys *k = keys_for(&suites[i]);
		uint8_t next = 0;
		struct crypto_rng rng = {counting_fill, &next};

		assert_non_null(k);
		for (int dir = 0; dir < 2; dir++) {
			for (int skf = 0; skf < 2; skf++) {
				uint8_t buf[512];
				struct ike_sk_seal seal;
				struct ike_msg m;
				struct ike_err e;
				struct crypto_diag d = {{0}};
				size_t len = build_auth(k, dir == 0, buf, sizeof buf, &seal, skf), off, plen;

				print_message("%s dir %d skf %d: %zu octets\n", k->info.aead_info.name, dir,
					      skf, len);
				assert_int_equal(ike_sk_encrypt(k, dir == 0, &seal, &rng, &d), IKE_SK_OK);
				assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
				assert_non_null(m.sk);
				assert_int_equal(m.sk_aad_len, IKE_HDR_LEN + (skf ? 8 : 4));
				/* the receiver is the other role */
				assert_int_equal(ike_sk_decrypt(k, dir != 0, buf, len, m.sk_aad_len, &off,
								&plen, &d),
						 IKE_SK_OK);
				if (skf) {
					assert_int_equal(plen, 16);
					assert_int_equal(buf[off], IKE_AUTHM_PSK);
					continue;
				}
				assert_int_equal(ike_msg_parse_inner(&m, buf + off, plen, &e), 0);
				assert_int_equal(m.inner.n, 2);
				assert_int_equal(m.inner.pl[0].type, IKE_PL_IDI);
				assert_int_equal(m.inner.pl[1].type, IKE_PL_AUTH);
			}
		}
		ike_keys_free(k);
	}
}

/*
 * Independent recomputation with EVP: AES-CBC-128 + HMAC-SHA-256-128 (ICV
 * over header .. ciphertext, §3.14) and AES-GCM-128 (AAD = header .. SK
 * header, nonce = salt | IV, RFC 5282 §5.1, §7.1).
 */
static void test_independent_cbc_hmac(void **state)
{
	struct ike_keys *k = keys_for(&suites[3]);
	uint8_t buf[512], plain[512], expect_ct[512], mac[32], next = 0x40;
	struct crypto_rng rng = {counting_fill, &next};
	struct ike_sk_seal seal;
	size_t len = build_auth(k, 1, buf, sizeof buf, &seal, 0);
	unsigned int mac_len = 0;
	int outl = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	(void)state;
	memcpy(plain, seal.plain, seal.plain_len);
	assert_int_equal(ike_sk_encrypt(k, 1, &seal, &rng, NULL), IKE_SK_OK);
	/* IV: 16 fresh rng octets */
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(seal.iv[i], 0x40 + i);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, k->sk_ei, seal.iv), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_EncryptUpdate(c, expect_ct, &outl, plain, (int)seal.plain_len), 1);
	assert_int_equal((size_t)outl, seal.plain_len);
	assert_memory_equal(seal.plain, expect_ct, seal.plain_len);
	assert_non_null(HMAC(EVP_sha256(), k->sk_ai, 32, buf, len - 16, mac, &mac_len));
	assert_memory_equal(seal.icv, mac, 16);
	assert_ptr_equal(seal.icv, buf + len - 16);
	EVP_CIPHER_CTX_free(c);
	ike_keys_free(k);
}

static void test_independent_gcm(void **state)
{
	struct ike_keys *k = keys_for(&suites[0]);
	uint8_t buf[512], plain[512], expect_ct[512], tag[16], nonce[12];
	struct ike_sk_seal seal;
	size_t len;
	int outl = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	(void)state;
	/* burn one IV: the second message of the SA carries IV 1 */
	len = build_auth(k, 0, buf, sizeof buf, &seal, 0);
	assert_int_equal(ike_sk_encrypt(k, 0, &seal, NULL, NULL), IKE_SK_OK);
	len = build_auth(k, 0, buf, sizeof buf, &seal, 0);
	memcpy(plain, seal.plain, seal.plain_len);
	assert_int_equal(ike_sk_encrypt(k, 0, &seal, NULL, NULL), IKE_SK_OK);
	static const uint8_t iv1[8] = {0, 0, 0, 0, 0, 0, 0, 1};
	assert_memory_equal(seal.iv, iv1, 8);
	/* responder direction: SK_er = key(16) | salt(4) */
	memcpy(nonce, k->sk_er + 16, 4);
	memcpy(nonce + 4, seal.iv, 8);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL), 1);
	assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, k->sk_er, nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &outl, buf, IKE_HDR_LEN + 4), 1); /* AAD */
	assert_int_equal(EVP_EncryptUpdate(c, expect_ct, &outl, plain, (int)seal.plain_len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, expect_ct + outl, &outl), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
	assert_memory_equal(seal.plain, expect_ct, seal.plain_len);
	assert_memory_equal(buf + len - 16, tag, 16);
	/* AEAD: no block padding, only the Pad Length octet */
	assert_int_equal(plain[seal.plain_len - 1], 0);
	EVP_CIPHER_CTX_free(c);
	ike_keys_free(k);
}

/* AEAD IVs never repeat within a direction; the two directions count separately. */
static void test_aead_iv_counter(void **state)
{
	struct ike_keys *k = keys_for(&suites[2]);
	uint8_t buf[512], seen[4][8];
	struct ike_sk_seal seal;

	(void)state;
	for (int i = 0; i < 4; i++) {
		build_auth(k, 1, buf, sizeof buf, &seal, 0);
		assert_int_equal(ike_sk_encrypt(k, 1, &seal, NULL, NULL), IKE_SK_OK);
		memcpy(seen[i], seal.iv, 8);
		for (int j = 0; j < i; j++)
			assert_memory_not_equal(seen[i], seen[j], 8);
	}
	assert_int_equal(k->iv_next[0], 4);
	assert_int_equal(k->iv_next[1], 0);
	k->iv_next[0] = UINT64_MAX;
	build_auth(k, 1, buf, sizeof buf, &seal, 0);
	assert_int_equal(ike_sk_encrypt(k, 1, &seal, NULL, NULL), IKE_SK_ECRYPTO);
	ike_keys_free(k);
}

/* Numbered table: each kind of damage gives its own error, for a CBC and an AEAD suite. */
static void test_tamper_table(void **state)
{
	enum { HDR_BIT, SKHDR_BIT, IV_BIT, CT_BIT, ICV_BIT, TRUNC_ICV, TRUNC_ALL, MISALIGN, WRONG_DIR,
	       BAD_PAD, SKF_NUM, AAD_PAST_END };
	static const struct {
		int what;
		int skf;
		int want_cbc, want_aead;
		const char *name;
	} cases[] = {
		/* 1 */ {HDR_BIT, 0, IKE_SK_EICV, IKE_SK_EICV, "IKE header bit (Message ID)"},
		/* 2 */ {SKHDR_BIT, 0, IKE_SK_EICV, IKE_SK_EICV, "SK generic header bit"},
		/* 3 */ {IV_BIT, 0, IKE_SK_EICV, IKE_SK_EICV, "IV bit"},
		/* 4 */ {CT_BIT, 0, IKE_SK_EICV, IKE_SK_EICV, "ciphertext bit"},
		/* 5 */ {ICV_BIT, 0, IKE_SK_EICV, IKE_SK_EICV, "ICV bit"},
		/* 6 */ {TRUNC_ICV, 0, IKE_SK_EICV, IKE_SK_EICV, "last ICV octet cut (shifts the ICV)"},
		/* 7 */ {TRUNC_ALL, 0, IKE_SK_ETRUNC, IKE_SK_ETRUNC, "only IV + ICV - 1 octets left"},
		/* 8 */ {MISALIGN, 0, IKE_SK_ETRUNC, IKE_SK_EICV, "one octet added to the ciphertext"},
		/* 9 */ {WRONG_DIR, 0, IKE_SK_EICV, IKE_SK_EICV, "opened with our own sending keys"},
		/* 10 */ {BAD_PAD, 0, IKE_SK_EPAD, IKE_SK_EPAD, "authentic, Pad Length 200"},
		/* 11 */ {SKF_NUM, 1, IKE_SK_EICV, IKE_SK_EICV, "SKF Fragment Number changed"},
		/* 12 */ {AAD_PAST_END, 0, IKE_SK_EINVAL, IKE_SK_EINVAL, "AAD longer than the message"},
	};
	const struct ike_suite *which[2] = {&suites[4], &suites[0]}; /* aes256-sha256, aes128gcm16 */

	(void)state;
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct ike_keys *k = keys_for(which[s]);
			uint8_t buf[512], next = 0;
			struct crypto_rng rng = {counting_fill, &next};
			struct ike_sk_seal seal;
			struct crypto_diag d = {{0}};
			size_t len = build_auth(k, 1, buf, sizeof buf, &seal, cases[i].skf), off = 0,
			       plen = 0, aad = IKE_HDR_LEN + (cases[i].skf ? 8 : 4);
			size_t iv = k->info.aead_info.iv_len, icv = k->info.aead_info.icv_len;
			int recv_init = 0, want = s == 0 ? cases[i].want_cbc : cases[i].want_aead, got;

			if (cases[i].what == BAD_PAD)
				seal.plain[seal.plain_len - 1] = 200;
			assert_int_equal(ike_sk_encrypt(k, 1, &seal, &rng, &d), IKE_SK_OK);
			switch (cases[i].what) {
			case HDR_BIT:
				buf[23] ^= 0x01;
				break;
			case SKHDR_BIT:
				buf[IKE_HDR_LEN + 1] ^= 0x01; /* reserved/critical octet of SK */
				break;
			case IV_BIT:
				buf[aad] ^= 0x80;
				break;
			case CT_BIT:
				buf[aad + iv] ^= 0x01;
				break;
			case ICV_BIT:
				buf[len - 1] ^= 0x01;
				break;
			case TRUNC_ICV:
				len -= s == 0 ? 16 : 1; /* CBC: a whole block off keeps alignment */
				break;
			case TRUNC_ALL:
				len = aad + iv + icv - 1;
				break;
			case MISALIGN:
				buf[len] = 0;
				len += 1;
				break;
			case WRONG_DIR:
				recv_init = 1;
				break;
			case SKF_NUM:
				buf[IKE_HDR_LEN + 5] ^= 0x01; /* fragment 2 -> 3 */
				break;
			case AAD_PAST_END:
				aad = len + 1;
				break;
			}
			got = ike_sk_decrypt(k, recv_init, buf, len, aad, &off, &plen, &d);
			print_message("%s case %zu (%s): %s — %s\n", k->info.aead_info.name, i + 1,
				      cases[i].name, ike_sk_strerror(got), d.msg);
			assert_int_equal(got, want);
			assert_true(d.msg[0] != '\0');
			ike_keys_free(k);
		}
	}
}

/* Layouts that do not match the keys are refused before anything is written. */
static void test_layout_mismatch(void **state)
{
	struct ike_keys *gcm = keys_for(&suites[0]), *cbc = keys_for(&suites[4]);
	uint8_t buf[512];
	struct ike_sk_seal seal;
	struct crypto_diag d = {{0}};

	(void)state;
	build_auth(gcm, 1, buf, sizeof buf, &seal, 0);
	assert_int_equal(ike_sk_encrypt(cbc, 1, &seal, NULL, &d), IKE_SK_EINVAL);
	assert_non_null(strstr(d.msg, "needs IV 16 ICV 16"));
	build_auth(cbc, 1, buf, sizeof buf, &seal, 0);
	assert_int_equal(ike_sk_encrypt(cbc, 1, &seal, NULL, &d), IKE_SK_ERAND); /* CBC needs the rng */
	assert_int_equal(ike_sk_encrypt(NULL, 1, &seal, NULL, &d), IKE_SK_EINVAL);
	assert_string_equal(ike_sk_strerror(IKE_SK_EICV), "ICV mismatch");
	ike_keys_free(gcm);
	ike_keys_free(cbc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_independent_cbc_hmac),
		cmocka_unit_test(test_independent_gcm),
		cmocka_unit_test(test_aead_iv_counter),
		cmocka_unit_test(test_tamper_table),
		cmocka_unit_test(test_layout_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
