/*
 * test_crypto_dh.c — key exchange groups 14, 19, 31: published known
 * answers, agreement both ways, determinism under a DRBG, private-key
 * range redraws, a numbered table of invalid peer values, and group 14's
 * own exponentiation against OpenSSL's EVP_PKEY_derive (the way it was
 * computed before) on every kind of peer value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ref/crypto/crypto.h"
#include "tests/lib/testutil.h"

/* fixed_rng replays |buf| and then fails: a private key exactly as a test wants it. */
struct fixed_rng {
	uint8_t buf[512];
	size_t len, off;
};

static int fixed_fill(void *ctx, uint8_t *out, size_t len)
{
	struct fixed_rng *f = ctx;

	if (f->len - f->off < len)
		return CRYPTO_ERAND;
	memcpy(out, f->buf + f->off, len);
	f->off += len;
	return 0;
}

static struct crypto_rng fixed(struct fixed_rng *f, const char *hex)
{
	long n = hex_decode(hex, f->buf, sizeof f->buf);
	struct crypto_rng r = {fixed_fill, f};

	assert_true(n >= 0);
	f->len = (size_t)n;
	f->off = 0;
	return r;
}

static struct crypto_dh *dh_fixed(enum crypto_dh_group g, const char *priv_hex)
{
	struct fixed_rng f;
	struct crypto_rng r = fixed(&f, priv_hex);
	int err = 1;
	struct crypto_dh *dh = crypto_dh_new(g, &r, &err);

	assert_int_equal(err, CRYPTO_OK);
	assert_non_null(dh);
	return dh;
}

static void expect_pub(const struct crypto_dh *dh, size_t len, const char *hex)
{
	uint8_t got[256], want[256];

	assert_int_equal(hex_decode(hex, want, sizeof want), (long)len);
	assert_int_equal(crypto_dh_public(dh, got, sizeof got), CRYPTO_OK);
	assert_memory_equal(got, want, len);
}

static void expect_shared(const struct crypto_dh *dh, const char *peer_hex, const char *hex)
{
	uint8_t peer[256], got[256], want[256];
	long pl = hex_decode(peer_hex, peer, sizeof peer), wl = hex_decode(hex, want, sizeof want);

	assert_true(pl > 0 && wl > 0);
	assert_int_equal(crypto_dh_shared(dh, peer, (size_t)pl, got, sizeof got), CRYPTO_OK);
	assert_memory_equal(got, want, (size_t)wl);
}

#define X_ALICE "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define X_ALICE_PUB "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define X_BOB "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define X_BOB_PUB "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define X_SHARED "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

/* test_x25519_kat: RFC 7748 §6.1 (the key octets are what the rng hands over). */
static void test_x25519_kat(void **state)
{
	struct crypto_dh *a = dh_fixed(CRYPTO_DH_CURVE25519, X_ALICE);
	struct crypto_dh *b = dh_fixed(CRYPTO_DH_CURVE25519, X_BOB);

	expect_pub(a, 32, X_ALICE_PUB);
	expect_pub(b, 32, X_BOB_PUB);
	expect_shared(a, X_BOB_PUB, X_SHARED);
	expect_shared(b, X_ALICE_PUB, X_SHARED);
	crypto_dh_free(a);
	crypto_dh_free(b);
}

#define E_I "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"
#define E_GI "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180" \
	     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3"
#define E_R "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"
#define E_GR "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63" \
	     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"
#define E_GIRX "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
#define P256_N "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"

/* test_ecp256_kat: RFC 5903 §8.1; KE data is x || y, the shared secret x only. */
static void test_ecp256_kat(void **state)
{
	struct crypto_dh *i = dh_fixed(CRYPTO_DH_ECP256, E_I);
	struct crypto_dh *r = dh_fixed(CRYPTO_DH_ECP256, E_R);

	expect_pub(i, 64, E_GI);
	expect_pub(r, 64, E_GR);
	expect_shared(i, E_GR, E_GIRX);
	expect_shared(r, E_GI, E_GIRX);
	crypto_dh_free(i);
	crypto_dh_free(r);
}

/* test_ecp256_redraw: scalars 0, n, n+1 and 2^256-1 are out of [1, n-1] and are redrawn. */
static void test_ecp256_redraw(void **state)
{
	struct crypto_dh *dh = dh_fixed(CRYPTO_DH_ECP256,
					"0000000000000000000000000000000000000000000000000000000000000000"
					P256_N
					"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552"
					"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
					E_I);

	expect_pub(dh, 64, E_GI);
	crypto_dh_free(dh);
	/* n-1 is in range and used as is */
	dh = dh_fixed(CRYPTO_DH_ECP256,
		      "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
	crypto_dh_free(dh);
}

#define MODP_P \
	"FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74" \
	"020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437" \
	"4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED" \
	"EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D C2007CB8 A163BF05" \
	"98DA4836 1C55D39A 69163FA8 FD24CF5F 83655D23 DCA3AD96 1C62F356 208552BB" \
	"9ED52907 7096966D 670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B" \
	"E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9 DE2BCBF6 95581718" \
	"3995497C EA956AE5 15D22618 98FA0510 15728E5A 8AACAA68 FFFFFFFF FFFFFFFF"
#define MODP_XA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MODP_XB "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static BIGNUM *bn_hex(const char *hex)
{
	uint8_t b[256];
	long n = hex_decode(hex, b, sizeof b);

	assert_true(n > 0);
	return BN_bin2bn(b, (int)n, NULL);
}

/*
 * test_modp_agreement: no published known answer with a known private
 * exponent exists for group 14 (RFC 3526 gives only the prime), so: the
 * prime as printed in RFC 3526 §3, g^x computed here with plain BN calls
 * for both parties, and the shared secret (g^b)^a = (g^a)^b checked both
 * ways against the same independent computation, padded to 256 octets.
 */
static void test_modp_agreement(void **state)
{
	BIGNUM *p = bn_hex(MODP_P), *g = BN_new(), *xa = bn_hex(MODP_XA), *xb = bn_hex(MODP_XB);
	BIGNUM *ya = BN_new(), *yb = BN_new(), *z = BN_new();
	BN_CTX *bn = BN_CTX_new();
	uint8_t pa[256], pb[256], za[256], zb[256], want[256];

	assert_int_equal(BN_num_bits(p), 2048);
	assert_int_equal(BN_set_word(g, 2), 1);
	assert_int_equal(BN_mod_exp(ya, g, xa, p, bn), 1);
	assert_int_equal(BN_mod_exp(yb, g, xb, p, bn), 1);
	assert_int_equal(BN_mod_exp(z, yb, xa, p, bn), 1);

	struct crypto_dh *a = dh_fixed(CRYPTO_DH_MODP2048, MODP_XA);
	struct crypto_dh *b = dh_fixed(CRYPTO_DH_MODP2048, MODP_XB);

	assert_int_equal(crypto_dh_public(a, pa, sizeof pa), CRYPTO_OK);
	assert_int_equal(crypto_dh_public(b, pb, sizeof pb), CRYPTO_OK);
	assert_int_equal(BN_bn2binpad(ya, want, 256), 256);
	assert_memory_equal(pa, want, 256);
	assert_int_equal(BN_bn2binpad(yb, want, 256), 256);
	assert_memory_equal(pb, want, 256);
	assert_int_equal(crypto_dh_shared(a, pb, 256, za, sizeof za), CRYPTO_OK);
	assert_int_equal(crypto_dh_shared(b, pa, 256, zb, sizeof zb), CRYPTO_OK);
	assert_int_equal(BN_bn2binpad(z, want, 256), 256);
	assert_memory_equal(za, want, 256);
	assert_memory_equal(zb, want, 256);
	crypto_dh_free(a);
	crypto_dh_free(b);

	/* exponents 0 and 1 are redrawn: the third draw is MODP_XA */
	a = dh_fixed(CRYPTO_DH_MODP2048,
		     "0000000000000000000000000000000000000000000000000000000000000000"
		     "0000000000000000000000000000000000000000000000000000000000000001" MODP_XA);
	assert_int_equal(crypto_dh_public(a, za, sizeof za), CRYPTO_OK);
	assert_memory_equal(za, pa, 256);
	crypto_dh_free(a);

	/* a small exponent gives a short g^x: the KE data is still 256 octets, left-padded */
	a = dh_fixed(CRYPTO_DH_MODP2048,
		     "0000000000000000000000000000000000000000000000000000000000000002");
	assert_int_equal(crypto_dh_public(a, za, sizeof za), CRYPTO_OK);
	memset(want, 0, sizeof want);
	want[255] = 4;
	assert_memory_equal(za, want, 256);
	crypto_dh_free(a);

	BN_free(p), BN_free(g), BN_free(xa), BN_free(xb), BN_free(ya), BN_free(yb), BN_free(z);
	BN_CTX_free(bn);
}

/* test_agreement_drbg: both sides agree, and the same seed gives the same KE data. */
static void test_agreement_drbg(void **state)
{
	static const enum crypto_dh_group groups[] = {CRYPTO_DH_MODP2048, CRYPTO_DH_ECP256,
						      CRYPTO_DH_CURVE25519};

	for (size_t i = 0; i < 3; i++) {
		struct crypto_drbg *d1 = crypto_drbg_new(1, "dh"), *d2 = crypto_drbg_new(2, "dh");
		struct crypto_drbg *d1b = crypto_drbg_new(1, "dh");
		struct crypto_rng r1 = crypto_drbg_rng(d1), r2 = crypto_drbg_rng(d2), r1b = crypto_drbg_rng(d1b);
		struct crypto_dh *a = crypto_dh_new(groups[i], &r1, NULL);
		struct crypto_dh *b = crypto_dh_new(groups[i], &r2, NULL);
		struct crypto_dh *a2 = crypto_dh_new(groups[i], &r1b, NULL);
		size_t pl = crypto_dh_pub_len(groups[i]), sl = crypto_dh_shared_len(groups[i]);
		uint8_t pa[256], pb[256], pa2[256], za[256], zb[256];

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(a2);
		assert_int_equal(crypto_dh_public(a, pa, pl), CRYPTO_OK);
		assert_int_equal(crypto_dh_public(b, pb, pl), CRYPTO_OK);
		assert_int_equal(crypto_dh_public(a2, pa2, pl), CRYPTO_OK);
		assert_memory_equal(pa, pa2, pl);
		assert_memory_not_equal(pa, pb, pl);
		assert_int_equal(crypto_dh_shared(a, pb, pl, za, sl), CRYPTO_OK);
		assert_int_equal(crypto_dh_shared(b, pa, pl, zb, sl), CRYPTO_OK);
		assert_memory_equal(za, zb, sl);
		crypto_dh_free(a), crypto_dh_free(b), crypto_dh_free(a2);
		crypto_drbg_free(d1), crypto_drbg_free(d2), crypto_drbg_free(d1b);
	}
}

/* bad_peer: numbered table of peer values that must give CRYPTO_EPEER and nothing worse. */
struct bad_peer {
	enum crypto_dh_group group;
	const char *what;
	const char *hex; /* "" = |len| zero octets; NULL = computed from the RFC 3526 prime */
	size_t len;
	int near_p;      /* with hex NULL: p + near_p; 2 = 2^2048 - 1; 3 = the value 1 */
};

#define HEX0_32 "0000000000000000000000000000000000000000000000000000000000000000"

static const struct bad_peer bad_peers[] = {
	/* 0 */ {CRYPTO_DH_MODP2048, "y = 0", "", 256, 0},
	/* 1 */ {CRYPTO_DH_MODP2048, "y = 1", NULL, 256, 3},
	/* 2 */ {CRYPTO_DH_MODP2048, "y = p", MODP_P, 256, 0},
	/* 3 */ {CRYPTO_DH_MODP2048, "y = 2^2048 - 1", NULL, 256, 2},
	/* 4 */ {CRYPTO_DH_MODP2048, "y = p - 1", NULL, 256, -1},
	/* 5 */ {CRYPTO_DH_MODP2048, "y = p + 1", NULL, 256, 1},
	/* 6 */ {CRYPTO_DH_MODP2048, "255 octets", "", 255, 0},
	/* 7 */ {CRYPTO_DH_MODP2048, "257 octets", "", 257, 0},
	/* 8 */ {CRYPTO_DH_MODP2048, "empty", "", 0, 0},
	/* 9 */ {CRYPTO_DH_MODP2048, "y = p - 2: in range but a quadratic non-residue, refused as "
		 "OpenSSL's y^q = 1 check did (stricter than RFC 6989 §2.1; honest peers pass)", NULL, 256, -2},
	/* 10 */ {CRYPTO_DH_ECP256, "(0, 0)", "", 64, 0},
	/* 11 */ {CRYPTO_DH_ECP256, "RFC 5903 gr with y + 1 (off curve)",
		  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
		  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ac", 64, 0},
	/* 12 */ {CRYPTO_DH_ECP256, "x = y = 2^256 - 1 (coordinates >= p)",
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 64, 0},
	/* 13 */ {CRYPTO_DH_ECP256, "65 octets with 04 prefix", "04" E_GR, 65, 0},
	/* 14 */ {CRYPTO_DH_ECP256, "compressed form, 33 octets",
		  "03d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63", 33, 0},
	/* 15 */ {CRYPTO_DH_ECP256, "x only", "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63", 32, 0},
	/* 16 */ {CRYPTO_DH_ECP256, "63 octets", "", 63, 0},
	/* 17 */ {CRYPTO_DH_CURVE25519, "u = 0 (zero secret)", HEX0_32, 32, 0},
	/* 18 */ {CRYPTO_DH_CURVE25519, "u = 1 (order 4)",
		  "0100000000000000000000000000000000000000000000000000000000000000", 32, 0},
	/* 19 */ {CRYPTO_DH_CURVE25519, "order-8 point",
		  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", 32, 0},
	/* 20 */ {CRYPTO_DH_CURVE25519, "order-8 point",
		  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", 32, 0},
	/* 21 */ {CRYPTO_DH_CURVE25519, "u = p - 1",
		  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 32, 0},
	/* 22 */ {CRYPTO_DH_CURVE25519, "u = p",
		  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 32, 0},
	/* 23 */ {CRYPTO_DH_CURVE25519, "u = p + 1",
		  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 32, 0},
	/* 24 */ {CRYPTO_DH_CURVE25519, "u = 0 with the ignored top bit set",
		  "0000000000000000000000000000000000000000000000000000000000000080", 32, 0},
	/* 25 */ {CRYPTO_DH_CURVE25519, "31 octets", "", 31, 0},
	/* 26 */ {CRYPTO_DH_CURVE25519, "33 octets", "", 33, 0},
};

/* modp_near_p writes p + |delta| (-2..1) as 256 octets; 2 gives 2^2048 - 1, 3 gives 1. */
static void modp_near_p(int delta, uint8_t *out)
{
	BIGNUM *v = bn_hex(MODP_P);

	if (delta == 2) {
		memset(out, 0xff, 256);
	} else if (delta == 3) {
		memset(out, 0, 256);
		out[255] = 1;
	} else {
		if (delta < 0)
			assert_int_equal(BN_sub_word(v, (BN_ULONG)-delta), 1);
		else if (delta > 0)
			assert_int_equal(BN_add_word(v, 1), 1);
		assert_int_equal(BN_bn2binpad(v, out, 256), 256);
	}
	BN_free(v);
}

static void test_bad_peers(void **state)
{
	struct crypto_drbg *d = crypto_drbg_new(3, "bad-peer");
	struct crypto_rng r = crypto_drbg_rng(d);
	struct crypto_dh *dh[32] = {0};

	dh[CRYPTO_DH_MODP2048] = crypto_dh_new(CRYPTO_DH_MODP2048, &r, NULL);
	dh[CRYPTO_DH_ECP256] = crypto_dh_new(CRYPTO_DH_ECP256, &r, NULL);
	dh[CRYPTO_DH_CURVE25519] = crypto_dh_new(CRYPTO_DH_CURVE25519, &r, NULL);
	for (size_t i = 0; i < sizeof bad_peers / sizeof bad_peers[0]; i++) {
		const struct bad_peer *b = &bad_peers[i];
		uint8_t peer[300] = {0}, out[256];
		size_t len = b->len;

		print_message("bad peer %zu: group %d, %s\n", i, (int)b->group, b->what);
		if (b->hex == NULL)
			modp_near_p(b->near_p, peer);
		else if (b->hex[0] != '\0')
			assert_int_equal(hex_decode(b->hex, peer, sizeof peer), (long)len);
		memset(out, 0xa5, sizeof out);
		assert_int_equal(crypto_dh_shared(dh[b->group], peer, len, out, sizeof out), CRYPTO_EPEER);
	}
	/* NULL peer */
	uint8_t out[256];

	assert_int_equal(crypto_dh_shared(dh[CRYPTO_DH_ECP256], NULL, 64, out, sizeof out), CRYPTO_EPEER);
	crypto_dh_free(dh[CRYPTO_DH_MODP2048]);
	crypto_dh_free(dh[CRYPTO_DH_ECP256]);
	crypto_dh_free(dh[CRYPTO_DH_CURVE25519]);
	crypto_drbg_free(d);
}

/* test_peer_garbage: pseudo-random peer values of the right length never crash. */
static void test_peer_garbage(void **state)
{
	static const enum crypto_dh_group groups[] = {CRYPTO_DH_MODP2048, CRYPTO_DH_ECP256,
						      CRYPTO_DH_CURVE25519};
	struct crypto_drbg *d = crypto_drbg_new(4, "garbage");
	struct crypto_rng r = crypto_drbg_rng(d);

	for (size_t g = 0; g < 3; g++) {
		struct crypto_dh *dh = crypto_dh_new(groups[g], &r, NULL);
		size_t pl = crypto_dh_pub_len(groups[g]);
		int ok = 0, peer = 0;

		for (int i = 0; i < 20; i++) {
			uint8_t v[256], out[256];
			int rc;

			assert_int_equal(crypto_rng_fill(&r, v, pl), CRYPTO_OK);
			rc = crypto_dh_shared(dh, v, pl, out, sizeof out);
			assert_true(rc == CRYPTO_OK || rc == CRYPTO_EPEER);
			ok += rc == CRYPTO_OK;
			peer += rc == CRYPTO_EPEER;
		}
		/* random x || y is essentially never on P-256; random u is always a valid X25519 input */
		if (groups[g] == CRYPTO_DH_ECP256)
			assert_int_equal(peer, 20);
		if (groups[g] == CRYPTO_DH_CURVE25519)
			assert_int_equal(ok, 20);
		crypto_dh_free(dh);
	}
	crypto_drbg_free(d);
}

/* openssl_modp_derive: the shared secret as OpenSSL's DH derive computes it (y^q check included). */
static int openssl_modp_derive(const BIGNUM *x, const BIGNUM *y, const uint8_t *peer, uint8_t out[256])
{
	OSSL_PARAM_BLD *b1 = OSSL_PARAM_BLD_new(), *b2 = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p1, *p2;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL), *dc = NULL;
	EVP_PKEY *self = NULL, *other = NULL;
	BIGNUM *py = BN_bin2bn(peer, 256, NULL);
	unsigned int pad = 1;
	OSSL_PARAM pp[2] = {OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad), OSSL_PARAM_construct_end()};
	size_t len = 256;
	int ok;

	assert_non_null(b1);
	assert_non_null(b2);
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(b1, OSSL_PKEY_PARAM_GROUP_NAME, "modp_2048", 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(b1, OSSL_PKEY_PARAM_PRIV_KEY, x), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(b1, OSSL_PKEY_PARAM_PUB_KEY, y), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(b2, OSSL_PKEY_PARAM_GROUP_NAME, "modp_2048", 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(b2, OSSL_PKEY_PARAM_PUB_KEY, py), 1);
	p1 = OSSL_PARAM_BLD_to_param(b1);
	p2 = OSSL_PARAM_BLD_to_param(b2);
	assert_int_equal(EVP_PKEY_fromdata_init(kc), 1);
	assert_int_equal(EVP_PKEY_fromdata(kc, &self, EVP_PKEY_KEYPAIR, p1), 1);
	ok = EVP_PKEY_fromdata(kc, &other, EVP_PKEY_PUBLIC_KEY, p2) == 1;
	if (ok) {
		dc = EVP_PKEY_CTX_new_from_pkey(NULL, self, NULL);
		ok = dc != NULL && EVP_PKEY_derive_init(dc) == 1 && EVP_PKEY_CTX_set_params(dc, pp) == 1 &&
		     EVP_PKEY_derive_set_peer(dc, other) == 1 && EVP_PKEY_derive(dc, out, &len) == 1 &&
		     len == 256;
	}
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_free(self);
	EVP_PKEY_free(other);
	OSSL_PARAM_free(p1);
	OSSL_PARAM_free(p2);
	OSSL_PARAM_BLD_free(b1);
	OSSL_PARAM_BLD_free(b2);
	BN_free(py);
	ERR_clear_error();
	return ok;
}

/*
 * test_modp_vs_openssl_derive: crypto_dh_shared (our range + Legendre check
 * and BN_mod_exp) against OpenSSL's DH derive with the same exponent, on
 * the bad-peer MODP rows, small and large residues and non-residues, honest
 * KE data and pseudo-random 256-octet values (half of them non-residues):
 * the same verdict for every value, and the same secret when accepted.
 */
static void test_modp_vs_openssl_derive(void **state)
{
	struct crypto_drbg *d = crypto_drbg_new(6, "modp-vs-openssl");
	struct crypto_rng r = crypto_drbg_rng(d);
	struct crypto_dh *a = dh_fixed(CRYPTO_DH_MODP2048, MODP_XA), *other;
	BIGNUM *x = bn_hex(MODP_XA);
	BIGNUM *y = NULL;
	uint8_t pub[256], v[256], ours[256], theirs[256];
	int accepted = 0, refused = 0;

	assert_int_equal(crypto_dh_public(a, pub, sizeof pub), CRYPTO_OK);
	y = BN_bin2bn(pub, 256, NULL);
	for (int i = 0; i < 48; i++) {
		memset(v, 0, sizeof v);
		if (i < 6) {
			static const int near[] = {3, -1, 1, 2, -2, -3};

			modp_near_p(near[i] == -3 ? -2 : near[i], v); /* 1, p-1, p+1, 2^2048-1, p-2, p-2 */
		} else if (i < 14) {
			/* small values: 2, 3, 5 are residues mod the group 14 prime; 11, 13, 17, 22, 23 are not */
			static const uint8_t small[] = {2, 3, 5, 11, 13, 17, 22, 23};

			v[255] = small[i - 6];
		} else if (i < 20) {
			other = crypto_dh_new(CRYPTO_DH_MODP2048, &r, NULL);
			assert_non_null(other);
			assert_int_equal(crypto_dh_public(other, v, sizeof v), CRYPTO_OK);
			crypto_dh_free(other);
		} else {
			assert_int_equal(crypto_rng_fill(&r, v, sizeof v), CRYPTO_OK);
			v[0] &= 0x7f; /* below p mostly, so the residue test decides */
		}
		int want_ok = openssl_modp_derive(x, y, v, theirs);
		int rc = crypto_dh_shared(a, v, sizeof v, ours, sizeof ours);

		print_message("modp value %d: openssl %s, ours %d\n", i, want_ok ? "ok" : "refused", rc);
		assert_int_equal(rc, want_ok ? CRYPTO_OK : CRYPTO_EPEER);
		if (want_ok)
			assert_memory_equal(ours, theirs, 256);
		accepted += want_ok;
		refused += !want_ok;
	}
	/* the table must exercise both verdicts well */
	assert_true(accepted >= 15);
	assert_true(refused >= 15);
	BN_free(x);
	BN_free(y);
	crypto_dh_free(a);
	crypto_drbg_free(d);
}

static int zero_fill(void *ctx, uint8_t *out, size_t len)
{
	memset(out, 0, len);
	return 0;
}

static void test_dh_args(void **state)
{
	struct crypto_rng zeros = {zero_fill, NULL}, none = {NULL, NULL};
	struct fixed_rng f;
	struct crypto_rng short_rng = fixed(&f, "0102");
	uint8_t buf[256];
	int err = 0;

	assert_int_equal(crypto_dh_pub_len(CRYPTO_DH_MODP2048), 256);
	assert_int_equal(crypto_dh_pub_len(CRYPTO_DH_ECP256), 64);
	assert_int_equal(crypto_dh_pub_len(CRYPTO_DH_CURVE25519), 32);
	assert_int_equal(crypto_dh_shared_len(CRYPTO_DH_MODP2048), 256);
	assert_int_equal(crypto_dh_shared_len(CRYPTO_DH_ECP256), 32);
	assert_int_equal(crypto_dh_shared_len(CRYPTO_DH_CURVE25519), 32);
	assert_int_equal(crypto_dh_pub_len((enum crypto_dh_group)2), 0);
	/* 0: unknown group (2 = MODP-1024: not offered) */
	assert_null(crypto_dh_new((enum crypto_dh_group)2, &zeros, &err));
	assert_int_equal(err, CRYPTO_EINVAL);
	/* 1: no rng */
	assert_null(crypto_dh_new(CRYPTO_DH_CURVE25519, NULL, &err));
	assert_int_equal(err, CRYPTO_EINVAL);
	assert_null(crypto_dh_new(CRYPTO_DH_CURVE25519, &none, &err));
	assert_int_equal(err, CRYPTO_EINVAL);
	/* 2: a source that only ever gives 0 cannot make a P-256 or MODP key */
	assert_null(crypto_dh_new(CRYPTO_DH_ECP256, &zeros, &err));
	assert_int_equal(err, CRYPTO_ERAND);
	assert_null(crypto_dh_new(CRYPTO_DH_MODP2048, &zeros, &err));
	assert_int_equal(err, CRYPTO_ERAND);
	/* 3: a failing source */
	assert_null(crypto_dh_new(CRYPTO_DH_CURVE25519, &short_rng, &err));
	assert_int_equal(err, CRYPTO_ERAND);
	/* 4: output buffers too small */
	struct crypto_dh *dh = dh_fixed(CRYPTO_DH_CURVE25519, X_ALICE);

	assert_int_equal(crypto_dh_public(dh, buf, 31), CRYPTO_EINVAL);
	assert_int_equal(crypto_dh_public(dh, NULL, 32), CRYPTO_EINVAL);
	assert_int_equal(hex_decode(X_BOB_PUB, buf, sizeof buf), 32);
	assert_int_equal(crypto_dh_shared(dh, buf, 32, buf + 32, 31), CRYPTO_EINVAL);
	assert_int_equal(crypto_dh_shared(NULL, buf, 32, buf + 32, 32), CRYPTO_EINVAL);
	assert_int_equal(crypto_dh_public(NULL, buf, 32), CRYPTO_EINVAL);
	crypto_dh_free(dh);
	crypto_dh_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x25519_kat),
		cmocka_unit_test(test_ecp256_kat),
		cmocka_unit_test(test_ecp256_redraw),
		cmocka_unit_test(test_modp_agreement),
		cmocka_unit_test(test_agreement_drbg),
		cmocka_unit_test(test_bad_peers),
		cmocka_unit_test(test_peer_garbage),
		cmocka_unit_test(test_modp_vs_openssl_derive),
		cmocka_unit_test(test_dh_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
