/*
 * test_ike_keys.c — IKEv2 key derivation against published vectors.
 *
 * Known answers: NIST CAVP SP 800-135 KDF validation, IKEv2 section
 * ("ikev2" in the CAVS KDF135 set):
 *   - [SHA-1] COUNT 0 (Ni/Nr 64 bits, g^ir 256 bits, DKM 1056 bits), as
 *     reproduced in libreswan's testing/cavp and its crypto self-tests
 *     ("CAVP: IKEv2 key derivation with HMAC-SHA1") and in NSS's
 *     gtests ike_sha1 vectors: SKEYSEED, DKM, SKEYSEED(Rekey). The
 *     DKM(Child SA) and DKM(Child SA D-H) values of the same COUNT are the
 *     ones libreswan's CAVS driver prints for it.
 *   - [SHA-256] sample from NSS gtests ike_sha256_vectors.h ("from NIST
 *     samples"): SKEYSEED, DKM (prf+ 132 octets), SKEYSEED(Rekey).
 * The prf+ output of 132 octets is compared with the concatenated
 * SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr for several suites,
 * which checks the split order and lengths too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_keys.h"
#include "tests/lib/testutil.h"

struct cavp {
	enum crypto_prf_alg prf;
	const char *ni, *nr, *gir, *gir_new, *spii, *spir;
	const char *skeyseed, *dkm, *dkm_child, *dkm_child_dh, *skeyseed_rekey;
};

static const struct cavp cavp_sha1 = {
	CRYPTO_PRF_HMAC_SHA1,
	"32b50d5f4a3763f3",
	"9206a04b26564cb1",
	"4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
	"863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330",
	"34c9e7c188868785",
	"3ff77d760d2b2199",
	"a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
	"a7a56cc4",
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581"
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181"
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf"
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499"
	"4d234cb4",
	"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	"28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	"52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	"05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	"d56fd74c",
	"63e81194946ebd05df7df5ebf5d8750056bf1f1d",
};

static const struct cavp cavp_sha256 = {
	CRYPTO_PRF_HMAC_SHA2_256,
	"3f302be1abcb28e1",
	"8c332ee006064c9b",
	"0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
	"25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c",
	"40dac39e1e1a8640",
	"8619a1cf9a6e4c07",
	"5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
	"0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
	"e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
	"cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
	"e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
	"d12d4aad",
	NULL,
	NULL,
	"2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398",
};

/* v holds one vector decoded. */
struct v {
	uint8_t *ni, *nr, *gir, *gir_new, *spii, *spir, *skeyseed, *dkm, *rekey;
	size_t ni_len, nr_len, gir_len, gir_new_len, spii_len, spir_len, skeyseed_len, dkm_len,
		rekey_len;
};

static void v_load(struct v *v, const struct cavp *c)
{
	v->ni = hex_alloc(c->ni, &v->ni_len);
	v->nr = hex_alloc(c->nr, &v->nr_len);
	v->gir = hex_alloc(c->gir, &v->gir_len);
	v->gir_new = hex_alloc(c->gir_new, &v->gir_new_len);
	v->spii = hex_alloc(c->spii, &v->spii_len);
	v->spir = hex_alloc(c->spir, &v->spir_len);
	v->skeyseed = hex_alloc(c->skeyseed, &v->skeyseed_len);
	v->dkm = hex_alloc(c->dkm, &v->dkm_len);
	v->rekey = hex_alloc(c->skeyseed_rekey, &v->rekey_len);
	assert_int_equal(v->dkm_len, 132);
}

static void v_free(struct v *v)
{
	free(v->ni);
	free(v->nr);
	free(v->gir);
	free(v->gir_new);
	free(v->spii);
	free(v->spir);
	free(v->skeyseed);
	free(v->dkm);
	free(v->rekey);
}

/* keys_concat writes SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr; returns the length. */
static size_t keys_concat(const struct ike_keys *k, uint8_t *out)
{
	size_t p = k->info.prf_len, a = k->info.integ_key_len, e = k->info.enc_key_len, n = 0;

	memcpy(out + n, k->sk_d, p), n += p;
	memcpy(out + n, k->sk_ai, a), n += a;
	memcpy(out + n, k->sk_ar, a), n += a;
	memcpy(out + n, k->sk_ei, e), n += e;
	memcpy(out + n, k->sk_er, e), n += e;
	memcpy(out + n, k->sk_pi, p), n += p;
	memcpy(out + n, k->sk_pr, p), n += p;
	return n;
}

static void check_skeyseed(const struct cavp *c)
{
	struct v v;
	uint8_t out[64];

	v_load(&v, c);
	assert_int_equal(ike_keys_skeyseed(c->prf, v.ni, v.ni_len, v.nr, v.nr_len, v.gir, v.gir_len,
					   out),
			 CRYPTO_OK);
	assert_memory_equal(out, v.skeyseed, v.skeyseed_len);
	/* SKEYSEED(Rekey) = prf(SK_d, g^ir (new) | Ni | Nr) with SK_d = DKM[0 .. prf_len) */
	assert_int_equal(ike_keys_rekey_skeyseed(c->prf, v.dkm, crypto_prf_len(c->prf), v.gir_new,
						 v.gir_new_len, v.ni, v.ni_len, v.nr, v.nr_len, out),
			 CRYPTO_OK);
	assert_memory_equal(out, v.rekey, v.rekey_len);
	v_free(&v);
}

static void test_cavp_skeyseed_sha1(void **state)
{
	(void)state;
	check_skeyseed(&cavp_sha1);
}

static void test_cavp_skeyseed_sha256(void **state)
{
	(void)state;
	check_skeyseed(&cavp_sha256);
}

/* Table: for each suite the seven keys, concatenated, are a prefix of / prefixed by the CAVP DKM. */
static void test_cavp_dkm_split(void **state)
{
	const struct {
		const struct cavp *c;
		struct ike_suite s;
		size_t total;
	} cases[] = {
		/* 1 */ {&cavp_sha1, {IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 14},
			 3 * 20 + 2 * 20 + 2 * 24},
		/* 2 */ {&cavp_sha1, {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA1, 0, 19},
			 3 * 20 + 2 * 20},
		/* 3 */ {&cavp_sha1,
			 {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA2_256_128, 14},
			 3 * 20 + 2 * 32 + 2 * 16},
		/* 4 */ {&cavp_sha256,
			 {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, 19},
			 3 * 32 + 2 * 32 + 2 * 32},
		/* 5 */ {&cavp_sha256, {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, 31},
			 3 * 32 + 2 * 36},
		/* 6 */ {&cavp_sha256, {IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, 0, 31},
			 3 * 32 + 2 * 36},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_diag d = {{0}};
		struct ike_keys *k;
		uint8_t cat[400];
		size_t n, cmp;
		struct v v;

		v_load(&v, cases[i].c);
		k = ike_keys_from_skeyseed(&cases[i].s, v.skeyseed, v.skeyseed_len, v.ni, v.ni_len, v.nr,
					   v.nr_len, v.spii, v.spir, &d);
		if (k == NULL)
			print_error("case %zu: %s\n", i + 1, d.msg);
		assert_non_null(k);
		n = keys_concat(k, cat);
		assert_int_equal(n, cases[i].total);
		cmp = n < v.dkm_len ? n : v.dkm_len;
		assert_memory_equal(cat, v.dkm, cmp);
		/* the full derivation from g^ir gives the same keys */
		struct ike_keys *k2 = ike_keys_new_sa_init(&cases[i].s, v.ni, v.ni_len, v.nr, v.nr_len,
							   v.spii, v.spir, v.gir, v.gir_len, &d);
		assert_non_null(k2);
		assert_memory_equal(k2->sk_pr, k->sk_pr, k->info.prf_len);
		assert_memory_equal(k2->sk_er, k->sk_er, k->info.enc_key_len);
		assert_ptr_equal(ike_keys_sk_p(k2, 1), k2->sk_pi);
		assert_ptr_equal(ike_keys_sk_p(k2, 0), k2->sk_pr);
		ike_keys_free(k2);
		ike_keys_free(k);
		v_free(&v);
	}
}

/* CHILD_SA KEYMAT (§2.17) without and with PFS, against the CAVP [SHA-1] DKM(Child SA ...). */
static void test_cavp_child(void **state)
{
	const struct {
		enum crypto_aead_alg alg;
		size_t key, enc_len, integ_len;
		int pfs;
	} cases[] = {
		/* 1 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 32, 32, 32, 0},
		/* 2 */ {CRYPTO_AES_CBC_HMAC_SHA256_128, 32, 32, 32, 1},
		/* 3 */ {CRYPTO_AES_GCM_16, 16, 20, 0, 0},
		/* 4 */ {CRYPTO_AES_GCM_16, 32, 36, 0, 1},
		/* 5 */ {CRYPTO_CHACHA20_POLY1305, 32, 36, 0, 0},
		/* 6 */ {CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, 24, 20, 1},
	};
	struct ike_suite s = {IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 14};
	size_t child_len, dh_len;
	uint8_t *child = hex_alloc(cavp_sha1.dkm_child, &child_len);
	uint8_t *child_dh = hex_alloc(cavp_sha1.dkm_child_dh, &dh_len);
	struct v v;
	struct ike_keys *k;

	(void)state;
	v_load(&v, &cavp_sha1);
	k = ike_keys_from_skeyseed(&s, v.skeyseed, v.skeyseed_len, v.ni, v.ni_len, v.nr, v.nr_len,
				   v.spii, v.spir, NULL);
	assert_non_null(k);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ike_child_keys ck;
		const uint8_t *want = cases[i].pfs ? child_dh : child;
		size_t e = cases[i].enc_len, a = cases[i].integ_len;

		assert_int_equal(ike_keys_child(k, cases[i].alg, cases[i].key,
						cases[i].pfs ? v.gir_new : NULL,
						cases[i].pfs ? v.gir_new_len : 0, v.ni, v.ni_len, v.nr,
						v.nr_len, &ck, NULL),
				 CRYPTO_OK);
		assert_int_equal(ck.enc_len, e);
		assert_int_equal(ck.integ_len, a);
		/* ei | ai | er | ar */
		assert_memory_equal(ck.ei, want, e);
		assert_memory_equal(ck.ai, want + e, a);
		assert_memory_equal(ck.er, want + e + a, e);
		assert_memory_equal(ck.ar, want + 2 * e + a, a);
		ike_keys_child_wipe(&ck);
		for (size_t j = 0; j < sizeof ck.ei; j++)
			assert_int_equal(ck.ei[j], 0);
	}
	ike_keys_free(k);
	free(child);
	free(child_dh);
	v_free(&v);
}

/*
 * IKE SA rekey (§2.18): the old SA's prf makes SKEYSEED, the new suite's
 * prf runs prf+. Checked with the CAVP SKEYSEED(Rekey) and, for a change of
 * PRF, step by step with crypto_prf_plus.
 */
static void test_rekey(void **state)
{
	struct ike_suite old_s = {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA1, 0, 19};
	struct ike_suite new_s = {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, 19};
	uint8_t spi_i[8] = {1, 2, 3, 4, 5, 6, 7, 8}, spi_r[8] = {9, 10, 11, 12, 13, 14, 15, 16};
	uint8_t seed[64], dkm[3 * 32 + 2 * 36];
	struct ike_keys *old, *nk;
	struct crypto_diag d;
	struct v v;

	(void)state;
	v_load(&v, &cavp_sha1);
	old = ike_keys_new_sa_init(&old_s, v.ni, v.ni_len, v.nr, v.nr_len, v.spii, v.spir, v.gir,
				   v.gir_len, &d);
	assert_non_null(old);
	assert_memory_equal(old->sk_d, v.dkm, 20); /* CAVP SK_d */
	nk = ike_keys_new_rekey(old, &new_s, v.ni, v.ni_len, v.nr, v.nr_len, spi_i, spi_r,
				v.gir_new, v.gir_new_len, &d);
	assert_non_null(nk);
	/* step by step: prf+_SHA256(SKEYSEED(Rekey) [20 octets, SHA-1], Ni | Nr | SPIi | SPIr) */
	memcpy(seed, v.ni, 8);
	memcpy(seed + 8, v.nr, 8);
	memcpy(seed + 16, spi_i, 8);
	memcpy(seed + 24, spi_r, 8);
	assert_int_equal(crypto_prf_plus(CRYPTO_PRF_HMAC_SHA2_256, v.rekey, v.rekey_len, seed, 32, dkm,
					 sizeof dkm),
			 CRYPTO_OK);
	assert_memory_equal(nk->sk_d, dkm, 32);
	assert_memory_equal(nk->sk_ei, dkm + 32, 36);
	assert_memory_equal(nk->sk_er, dkm + 68, 36);
	assert_memory_equal(nk->sk_pi, dkm + 104, 32);
	assert_memory_equal(nk->sk_pr, dkm + 136, 32);
	assert_memory_equal(nk->spi_i, spi_i, 8);
	ike_keys_free(nk);
	ike_keys_free(old);
	v_free(&v);
}

/* Both ends of a real group-19 exchange derive the same keys. */
static void test_two_sides_agree(void **state)
{
	struct crypto_drbg *drbg = crypto_drbg_new(11, "ike_keys");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_dh *a = crypto_dh_new(CRYPTO_DH_ECP256, &rng, NULL);
	struct crypto_dh *b = crypto_dh_new(CRYPTO_DH_ECP256, &rng, NULL);
	struct ike_suite s = {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256,
			      IKE_INTEG_HMAC_SHA2_256_128, IKE_KE_ECP256};
	uint8_t pa[64], pb[64], sa[32], sb[32], ni[32], nr[32], spi_i[8], spi_r[8];
	struct ike_keys *ka, *kb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(crypto_dh_public(a, pa, sizeof pa), CRYPTO_OK);
	assert_int_equal(crypto_dh_public(b, pb, sizeof pb), CRYPTO_OK);
	assert_int_equal(crypto_dh_shared(a, pb, sizeof pb, sa, sizeof sa), CRYPTO_OK);
	assert_int_equal(crypto_dh_shared(b, pa, sizeof pa, sb, sizeof sb), CRYPTO_OK);
	crypto_rng_fill(&rng, ni, sizeof ni);
	crypto_rng_fill(&rng, nr, sizeof nr);
	crypto_rng_fill(&rng, spi_i, sizeof spi_i);
	crypto_rng_fill(&rng, spi_r, sizeof spi_r);
	ka = ike_keys_new_sa_init(&s, ni, 32, nr, 32, spi_i, spi_r, sa, 32, NULL);
	kb = ike_keys_new_sa_init(&s, ni, 32, nr, 32, spi_i, spi_r, sb, 32, NULL);
	assert_non_null(ka);
	assert_non_null(kb);
	assert_int_equal(ka->info.enc_key_len, 32);
	assert_int_equal(ka->info.integ_key_len, 32);
	assert_memory_equal(ka->sk_ai, kb->sk_ai, 32);
	assert_memory_equal(ka->sk_er, kb->sk_er, 32);
	assert_memory_equal(ka->sk_pr, kb->sk_pr, 32);
	assert_memory_not_equal(ka->sk_ai, ka->sk_ar, 32);
	ike_keys_free(ka);
	ike_keys_free(kb);
	crypto_dh_free(a);
	crypto_dh_free(b);
	crypto_drbg_free(drbg);
}

/* Table: suites, their key lengths, and the ones refused with the transform named. */
static void test_suite_resolve(void **state)
{
	const struct {
		struct ike_suite s;
		int ok;
		size_t prf, integ, enc, iv, icv;
		const char *msg;
	} cases[] = {
		/* 1 */ {{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 19}, 1, 32, 0, 20, 8, 16, NULL},
		/* 2 */ {{IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_512, 0, 14}, 1, 64, 0, 36, 8, 16, NULL},
		/* 3 */ {{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_384, 0, 31}, 1, 48, 0, 36, 8, 16, NULL},
		/* 4 */ {{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA2_256_128, 14}, 1, 20, 32, 16, 16, 16, NULL},
		/* 5 */ {{IKE_ENCR_3DES, 0, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 14}, 1, 20, 20, 24, 8, 12, NULL},
		/* 6 */ {{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, 14}, 0, 0, 0, 0, 0, 0,
			 "ENCR_AES_CBC needs integrity AUTH_HMAC_SHA2_256_128 (12), got AUTH_HMAC_SHA1_96 (2)"},
		/* 7 */ {{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA2_256_128, 14}, 0, 0, 0, 0, 0, 0,
			 "needs integrity NONE (0)"},
		/* 8 */ {{IKE_ENCR_AES_GCM_16, 192, IKE_PRF_HMAC_SHA1, 0, 14}, 0, 0, 0, 0, 0, 0,
			 "Key Length 192 bits is not supported"},
		/* 9 */ {{IKE_ENCR_AES_CCM_16, 128, IKE_PRF_HMAC_SHA1, 0, 14}, 0, 0, 0, 0, 0, 0,
			 "encryption ENCR_AES_CCM_16 (16) is not supported"},
		/* 10 */ {{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_AES128_XCBC, 0, 14}, 0, 0, 0, 0, 0, 0,
			  "PRF PRF_AES128_XCBC (4) is not supported"},
		/* 11 */ {{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA1, 0, IKE_KE_MODP1024}, 0, 0, 0, 0, 0, 0,
			  "key exchange MODP_1024 (2) is not supported"},
		/* 12 */ {{IKE_ENCR_AES_GCM_16, 0, IKE_PRF_HMAC_SHA1, 0, 14}, 0, 0, 0, 0, 0, 0,
			  "Key Length 0 bits"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ike_suite_info info;
		struct crypto_diag d = {{0}};
		int rc = ike_keys_suite_resolve(&cases[i].s, &info, &d);

		print_message("case %zu: %s\n", i + 1, rc == 0 ? info.aead_info.name : d.msg);
		if (!cases[i].ok) {
			assert_int_equal(rc, CRYPTO_EINVAL);
			assert_non_null(strstr(d.msg, cases[i].msg));
			continue;
		}
		assert_int_equal(rc, CRYPTO_OK);
		assert_int_equal(info.prf_len, cases[i].prf);
		assert_int_equal(info.integ_key_len, cases[i].integ);
		assert_int_equal(info.enc_key_len, cases[i].enc);
		assert_int_equal(info.aead_info.iv_len, cases[i].iv);
		assert_int_equal(info.aead_info.icv_len, cases[i].icv);
	}
}

/* Table: bad inputs are refused with a reason, never crash. */
static void test_bad_inputs(void **state)
{
	struct ike_suite s = {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 19};
	uint8_t n[300] = {0}, spi[8] = {0}, gir[32] = {1}, out[64];
	struct crypto_diag d = {{0}};
	struct ike_child_keys ck;
	struct ike_keys *k;

	(void)state;
	assert_null(ike_keys_new_sa_init(&s, n, 0, n, 16, spi, spi, gir, 32, &d));
	assert_non_null(strstr(d.msg, "nonces of 0 and 16 octets, expected 1..256"));
	assert_null(ike_keys_new_sa_init(&s, n, 16, n, 257, spi, spi, gir, 32, &d));
	assert_null(ike_keys_new_sa_init(&s, n, 16, n, 16, spi, spi, gir, 0, &d));
	assert_non_null(strstr(d.msg, "g^ir 0 octets"));
	assert_int_equal(ike_keys_skeyseed(CRYPTO_PRF_HMAC_SHA2_256, NULL, 0, n, 16, gir, 32, out),
			 CRYPTO_EINVAL);
	assert_int_equal(ike_keys_skeyseed((enum crypto_prf_alg)4, n, 16, n, 16, gir, 32, out),
			 CRYPTO_EINVAL);
	k = ike_keys_new_sa_init(&s, n, 16, n, 16, spi, spi, gir, 32, &d);
	assert_non_null(k);
	assert_int_equal(ike_keys_child(k, CRYPTO_AES_GCM_16, 24, NULL, 0, n, 16, n, 16, &ck, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "24-octet key is not supported"));
	assert_int_equal(ike_keys_child(k, CRYPTO_AES_GCM_16, 16, NULL, 0, n, 16, n, 0, &ck, &d),
			 CRYPTO_EINVAL);
	ike_keys_free(k);
	ike_keys_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cavp_skeyseed_sha1),
		cmocka_unit_test(test_cavp_skeyseed_sha256),
		cmocka_unit_test(test_cavp_dkm_split),
		cmocka_unit_test(test_cavp_child),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_two_sides_agree),
		cmocka_unit_test(test_suite_resolve),
		cmocka_unit_test(test_bad_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
