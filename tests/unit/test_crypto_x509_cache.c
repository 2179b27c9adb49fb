/*
 * test_crypto_x509_cache.c — the parsed-certificate cache: hits and misses
 * on whole-DER equality, LRU eviction by entry count and by octets,
 * references that outlive eviction and the cache itself (run under ASan),
 * what is never remembered (garbage, BER, oversize), and cached
 * certificates that verify exactly like freshly parsed ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"

#define T0 1893456000LL /* 2030-01-01: fixed, never the clock */
#define NOW (T0 + 86400)
#define N_EE 6

/* fx: one P-256 PKI (root - int 1 - int 2 - EE) and five more EEs from int 2, all one DER length. */
struct fx {
	struct crypto_testpki pki;
	struct crypto_x509 *ee[N_EE]; /* [0] is the PKI's own EE (borrowed), others owned */
	struct crypto_sig_key *ee_key[N_EE];
	struct crypto_x509 *inter[2];
	struct crypto_x509_store *store;
};

static int setup(void **state)
{
	static struct fx f;
	struct crypto_drbg *drbg = crypto_drbg_new(21, "test_crypto_x509_cache");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params p = {
		.key_type = CRYPTO_SIG_KEY_EC_P256,
		.depth = 3,
		.ee = {.cn = "ee0.vpnlab.test", .san = {{CRYPTO_X509_ID_FQDN, "ee0.vpnlab.test"}}, .n_san = 1},
		.not_before = T0,
		.not_after = T0 + 86400 * 365,
	};
	struct crypto_diag d = {{0}};
	size_t want;

	/* OpenSSL's RAND seeded (ECDSA nonces): the same certificates every run */
	if (crypto_openssl_rand_deterministic(21) != CRYPTO_OK)
		return -1;
	if (crypto_testpki_make(&p, &rng, &f.pki, &d) != CRYPTO_OK) {
		print_error("testpki: %s\n", d.msg);
		return -1;
	}
	f.ee[0] = crypto_testpki_ee_cert(&f.pki);
	f.ee_key[0] = crypto_testpki_ee_key(&f.pki);
	crypto_x509_der(f.ee[0], &want);
	/* more EEs of exactly ee[0]'s DER length (DER ECDSA signatures vary by an octet or two), so
	 * only content tells them apart */
	for (int i = 1, tries = 0; i < N_EE && tries < 200; tries++) {
		static char cn[N_EE][32];
		struct crypto_testpki_ee ee = {.n_san = 1};
		size_t len;

		snprintf(cn[i], sizeof cn[i], "ee%d.vpnlab.test", i);
		ee.cn = cn[i];
		ee.san[0].type = CRYPTO_X509_ID_FQDN;
		ee.san[0].value = cn[i];
		if (crypto_testpki_issue_ee(&f.pki, &ee, &rng, &f.ee[i], &f.ee_key[i], &d) != CRYPTO_OK) {
			print_error("issue: %s\n", d.msg);
			return -1;
		}
		crypto_x509_der(f.ee[i], &len);
		if (len == want) {
			i++;
			continue;
		}
		crypto_x509_free(f.ee[i]);
		crypto_sig_key_free(f.ee_key[i]);
		f.ee[i] = NULL;
		f.ee_key[i] = NULL;
	}
	crypto_openssl_rand_system();
	if (f.ee[N_EE - 1] == NULL)
		return -1;
	crypto_drbg_free(drbg);
	if (crypto_testpki_intermediates(&f.pki, f.inter, 2) != 2)
		return -1;
	f.store = crypto_x509_store_new();
	if (f.store == NULL || crypto_x509_store_add(f.store, crypto_testpki_root(&f.pki)) != CRYPTO_OK)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 1; i < N_EE; i++) {
		crypto_x509_free(f->ee[i]);
		crypto_sig_key_free(f->ee_key[i]);
	}
	crypto_x509_store_free(f->store);
	crypto_testpki_free(&f->pki);
	return 0;
}

/* der_copy returns a malloc'd copy of |c|'s DER (a different buffer each time: matches are by content). */
static uint8_t *der_copy(const struct crypto_x509 *c, size_t *len)
{
	const uint8_t *der = crypto_x509_der(c, len);
	uint8_t *out = malloc(*len);

	assert_non_null(out);
	memcpy(out, der, *len);
	return out;
}

/* through parses |c|'s DER (from a fresh copy) through |cache|. */
static struct crypto_x509 *through(struct crypto_x509_cache *cache, const struct crypto_x509 *c)
{
	size_t len;
	uint8_t *der = der_copy(c, &len);
	struct crypto_diag d = {{0}};
	struct crypto_x509 *x = crypto_x509_cache_parse_der(cache, der, len, &d);

	free(der);
	assert_non_null(x);
	return x;
}

static void expect_stats(const struct crypto_x509_cache *cache, uint64_t hits, uint64_t misses,
			 uint64_t evictions, size_t entries)
{
	struct crypto_x509_cache_stats st;

	crypto_x509_cache_get_stats(cache, &st);
	assert_int_equal(st.hits, hits);
	assert_int_equal(st.misses, misses);
	assert_int_equal(st.evictions, evictions);
	assert_int_equal(st.entries, entries);
}

/* test_hit_miss: a second parse of the same octets is the same object; other octets are not. */
static void test_hit_miss(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(0, 0);
	struct crypto_x509 *a1, *a2, *b;
	struct crypto_x509_cache_stats st;
	size_t la, lb;

	assert_non_null(cache);
	expect_stats(cache, 0, 0, 0, 0);
	a1 = through(cache, f->ee[1]);
	expect_stats(cache, 0, 1, 0, 1);
	a2 = through(cache, f->ee[1]);
	expect_stats(cache, 1, 1, 0, 1);
	assert_ptr_equal(a1, a2);
	crypto_x509_der(f->ee[1], &la);
	crypto_x509_der(f->ee[2], &lb);
	assert_int_equal(la, lb); /* the interesting case: same length, other content */
	b = through(cache, f->ee[2]);
	assert_ptr_not_equal(b, a1);
	expect_stats(cache, 1, 2, 0, 2);
	crypto_x509_cache_get_stats(cache, &st);
	assert_int_equal(st.octets, la + lb);
	/* the cached object is the certificate those octets encode */
	assert_memory_equal(crypto_x509_der(a1, NULL), crypto_x509_der(f->ee[1], NULL), la);
	assert_memory_equal(crypto_x509_der(b, NULL), crypto_x509_der(f->ee[2], NULL), lb);
	crypto_x509_free(a1);
	crypto_x509_free(a2);
	crypto_x509_free(b);
	crypto_x509_cache_free(cache);
}

/*
 * test_lru_by_entries: a 3-entry cache; numbered steps (certificate used,
 * expected hit, certificate expected to be evicted by that step or -1).
 */
static void test_lru_by_entries(void **state)
{
	static const struct {
		int use, hit, evicted;
	} steps[] = {
		/* 0 */ {0, 0, -1},
		/* 1 */ {1, 0, -1},
		/* 2 */ {2, 0, -1},
		/* 3 */ {0, 1, -1}, /* 0 is now the most recent; 1 the least */
		/* 4 */ {3, 0, 1},
		/* 5 */ {2, 1, -1},
		/* 6 */ {4, 0, 0},
		/* 7 */ {1, 0, 3},  /* 1 was evicted at step 4: a miss again */
		/* 8 */ {2, 1, -1},
		/* 9 */ {4, 1, -1},
		/* 10 */ {5, 0, 1},
	};
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(3, 0);
	int present[N_EE] = {0};
	uint64_t hits = 0, misses = 0, evictions = 0;

	assert_non_null(cache);
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		struct crypto_x509 *x;
		size_t n = 0;

		print_message("lru step %zu: use %d\n", s, steps[s].use);
		assert_int_equal(present[steps[s].use], steps[s].hit);
		x = through(cache, f->ee[steps[s].use]);
		crypto_x509_free(x);
		hits += steps[s].hit;
		misses += !steps[s].hit;
		present[steps[s].use] = 1;
		if (steps[s].evicted >= 0) {
			present[steps[s].evicted] = 0;
			evictions++;
		}
		for (int i = 0; i < N_EE; i++)
			n += (size_t)present[i];
		expect_stats(cache, hits, misses, evictions, n);
	}
	/* what the model says is present is a hit now (hits do not change membership) */
	for (int i = 0; i < N_EE; i++) {
		if (!present[i])
			continue;
		crypto_x509_free(through(cache, f->ee[i]));
		expect_stats(cache, ++hits, misses, evictions, 3);
	}
	crypto_x509_cache_free(cache);
}

/* test_lru_by_octets: the octet bound evicts as many old entries as a new one needs. */
static void test_lru_by_octets(void **state)
{
	struct fx *f = *state;
	size_t l;
	struct crypto_x509_cache *cache;
	struct crypto_x509_cache_stats st;

	crypto_x509_der(f->ee[1], &l);
	cache = crypto_x509_cache_new(100, 2 * l + l / 2); /* room for two EEs */
	assert_non_null(cache);
	crypto_x509_free(through(cache, f->ee[1]));
	crypto_x509_free(through(cache, f->ee[2]));
	expect_stats(cache, 0, 2, 0, 2);
	crypto_x509_free(through(cache, f->ee[3])); /* evicts 1 */
	expect_stats(cache, 0, 3, 1, 2);
	crypto_x509_free(through(cache, f->ee[2])); /* still there */
	expect_stats(cache, 1, 3, 1, 2);
	crypto_x509_free(through(cache, f->ee[1])); /* gone: miss, evicts 3 */
	expect_stats(cache, 1, 4, 2, 2);
	crypto_x509_cache_get_stats(cache, &st);
	assert_true(st.octets <= 2 * l + l / 2);
	crypto_x509_cache_free(cache);

	/* a certificate larger than the whole bound is parsed but never remembered */
	cache = crypto_x509_cache_new(100, l - 1);
	assert_non_null(cache);
	crypto_x509_free(through(cache, f->ee[1]));
	crypto_x509_free(through(cache, f->ee[1]));
	expect_stats(cache, 0, 2, 0, 0);
	crypto_x509_cache_free(cache);
}

/*
 * test_references_outlive: a certificate held by its user survives its
 * eviction and the cache's end, still verifies and still gives its key;
 * each reference is freed once (ASan and LeakSanitizer check the counts).
 */
static void test_references_outlive(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(1, 0);
	struct crypto_x509 *held, *held2, *other, *inter[2];
	struct crypto_sig_key *pub;
	struct crypto_diag d;

	assert_non_null(cache);
	held = through(cache, f->ee[0]);
	held2 = through(cache, f->ee[0]); /* a hit: two user references + the cache's */
	other = through(cache, f->ee[1]);  /* evicts ee[0] from the 1-entry cache */
	expect_stats(cache, 1, 2, 1, 1);
	crypto_x509_free(held2);
	for (int i = 0; i < 2; i++)
		inter[i] = through(cache, f->inter[i]); /* evicting other, then inter[0] */
	crypto_x509_cache_free(cache); /* the users' references live on */
	assert_int_equal(crypto_x509_verify_chain(f->store, held, inter, 2, NOW, NULL, &d), CRYPTO_OK);
	pub = crypto_x509_public_key(held, &d);
	assert_non_null(pub);
	assert_true(crypto_sig_key_equal(pub, f->ee_key[0]));
	crypto_x509_free(held);
	crypto_x509_free(inter[0]);
	crypto_x509_free(inter[1]);
	/* the key holds its own reference to the decoded public key */
	{
		static const uint8_t msg[8] = "outlive";
		uint8_t sig[72];
		size_t sl = sizeof sig;

		assert_int_equal(crypto_sig_sign(f->ee_key[0], CRYPTO_SIG_ECDSA_P256_SHA256_DER, msg, 8, sig, &sl,
						 NULL), CRYPTO_OK);
		assert_int_equal(crypto_sig_verify(pub, CRYPTO_SIG_ECDSA_P256_SHA256_DER, msg, 8, sig, sl, NULL),
				 CRYPTO_OK);
	}
	crypto_sig_key_free(pub);
	assert_int_equal(crypto_x509_verify_chain(f->store, other, f->inter, 2, NOW, NULL, &d), CRYPTO_OK);
	crypto_x509_free(other);
}

/*
 * test_never_remembered: numbered table of inputs the cache parses (or
 * refuses) without keeping: garbage, truncated DER, a BER re-encoding
 * (non-minimal outer length), NULL and empty.
 */
static void test_never_remembered(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(0, 0);
	size_t len;
	uint8_t *der = der_copy(f->ee[1], &len), *ber = malloc(len + 1), junk[64];
	struct crypto_diag d;
	struct crypto_x509 *x;

	assert_non_null(cache);
	assert_non_null(ber);
	memset(junk, 0x30, sizeof junk);
	/* 0: garbage */
	memset(&d, 0, sizeof d);
	assert_null(crypto_x509_cache_parse_der(cache, junk, sizeof junk, &d));
	assert_true(d.msg[0] != '\0');
	/* 1: truncated */
	assert_null(crypto_x509_cache_parse_der(cache, der, len - 1, &d));
	/* 2: NULL and empty */
	assert_null(crypto_x509_cache_parse_der(cache, NULL, 10, &d));
	assert_null(crypto_x509_cache_parse_der(cache, der, 0, &d));
	expect_stats(cache, 0, 2, 0, 0);
	/* 3: 30 82 LL LL re-encoded as 30 83 00 LL LL: not DER; if OpenSSL takes it, it is not kept */
	assert_int_equal(der[0], 0x30);
	assert_int_equal(der[1], 0x82);
	ber[0] = 0x30;
	ber[1] = 0x83;
	ber[2] = 0x00;
	memcpy(ber + 3, der + 2, len - 2);
	for (int round = 0; round < 2; round++) {
		x = crypto_x509_cache_parse_der(cache, ber, len + 1, &d);
		print_message("BER copy round %d: %s\n", round, x != NULL ? "parsed" : "refused");
		if (x != NULL) {
			size_t xl;

			crypto_x509_der(x, &xl);
			assert_int_equal(xl, len); /* the re-encoding is the DER */
			crypto_x509_free(x);
		}
		expect_stats(cache, 0, 3 + (uint64_t)round, 0, 0);
	}
	/* 4: the DER itself is kept, and a later BER copy does not hit it */
	crypto_x509_free(crypto_x509_cache_parse_der(cache, der, len, &d));
	expect_stats(cache, 0, 5, 0, 1);
	x = crypto_x509_cache_parse_der(cache, ber, len + 1, &d);
	crypto_x509_free(x);
	expect_stats(cache, 0, 6, 0, 1);
	free(der);
	free(ber);
	crypto_x509_cache_free(cache);
}

/*
 * test_tampered_not_served: a certificate with one signature octet changed
 * has the same length and still parses; the cache must hand out the
 * tampered object for it (which fails chain verification), never the good
 * one it holds, and the good one still verifies afterwards.
 */
static void test_tampered_not_served(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(0, 0);
	size_t len;
	uint8_t *der = der_copy(f->ee[0], &len);
	struct crypto_x509 *good, *bad, *again;
	enum crypto_x509_reason why;
	struct crypto_diag d;

	assert_non_null(cache);
	good = crypto_x509_cache_parse_der(cache, der, len, &d);
	assert_non_null(good);
	der[len - 3] ^= 0x01; /* inside the signature's last INTEGER */
	bad = crypto_x509_cache_parse_der(cache, der, len, &d);
	assert_non_null(bad);
	assert_ptr_not_equal(bad, good);
	assert_int_equal(crypto_x509_verify_chain(f->store, bad, f->inter, 2, NOW, &why, &d), CRYPTO_EAUTH);
	assert_int_equal(why, CRYPTO_X509_BAD_SIGNATURE);
	der[len - 3] ^= 0x01;
	again = crypto_x509_cache_parse_der(cache, der, len, &d);
	assert_ptr_equal(again, good);
	assert_int_equal(crypto_x509_verify_chain(f->store, again, f->inter, 2, NOW, &why, &d), CRYPTO_OK);
	expect_stats(cache, 1, 2, 0, 2);
	crypto_x509_free(good);
	crypto_x509_free(bad);
	crypto_x509_free(again);
	free(der);
	crypto_x509_cache_free(cache);
}

/*
 * test_cached_equals_fresh: a whole chain through the cache many times, as
 * an engine verifying the same peer repeatedly: chain verification, identity
 * match and public key agree with freshly parsed certificates every time.
 */
static void test_cached_equals_fresh(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(4, 0);
	struct crypto_diag d;

	assert_non_null(cache);
	for (int round = 0; round < 5; round++) {
		struct crypto_x509 *ee = through(cache, f->ee[0]), *inter[2];
		struct crypto_sig_key *pub;

		for (int i = 0; i < 2; i++)
			inter[i] = through(cache, f->inter[i]);
		assert_int_equal(crypto_x509_verify_chain(f->store, ee, inter, 2, NOW, NULL, &d), CRYPTO_OK);
		assert_int_equal(crypto_x509_verify_chain(f->store, ee, inter, 2, T0 + 86400 * 400, NULL, &d),
				 CRYPTO_EAUTH);
		assert_int_equal(crypto_x509_matches_id(ee, CRYPTO_X509_ID_FQDN, (const uint8_t *)"ee0.vpnlab.test",
							15, &d), 1);
		pub = crypto_x509_public_key(ee, &d);
		assert_non_null(pub);
		assert_true(crypto_sig_key_equal(pub, f->ee_key[0]));
		crypto_sig_key_free(pub);
		crypto_x509_free(ee);
		crypto_x509_free(inter[0]);
		crypto_x509_free(inter[1]);
	}
	expect_stats(cache, 12, 3, 0, 3);
	crypto_x509_cache_free(cache);
}

/* test_null_cache: no cache is plain parsing; stats of none are zero. */
static void test_null_cache(void **state)
{
	struct fx *f = *state;
	size_t len;
	const uint8_t *der = crypto_x509_der(f->ee[1], &len);
	struct crypto_x509 *a = crypto_x509_cache_parse_der(NULL, der, len, NULL);
	struct crypto_x509 *b = crypto_x509_cache_parse_der(NULL, der, len, NULL);
	struct crypto_x509_cache_stats st;

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	crypto_x509_free(a);
	crypto_x509_free(b);
	memset(&st, 0xff, sizeof st);
	crypto_x509_cache_get_stats(NULL, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.hits, 0);
	crypto_x509_cache_get_stats(NULL, NULL);
	crypto_x509_cache_free(NULL);
}

/*
 * test_churn: nine certificates through a 4-entry cache, two of them hot
 * (every other use) and the rest cycling: bounds and counts stay consistent.
 */
static void test_churn(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_cache *cache = crypto_x509_cache_new(4, 0);
	struct crypto_x509_cache_stats st;
	struct crypto_x509 *all[N_EE + 3];
	size_t n = 0;

	assert_non_null(cache);
	for (int i = 0; i < N_EE; i++)
		all[n++] = f->ee[i];
	all[n++] = f->inter[0];
	all[n++] = f->inter[1];
	all[n++] = crypto_testpki_root(&f->pki);
	for (unsigned i = 0; i < 200; i++) {
		crypto_x509_free(through(cache, all[i % 4 == 3 ? (i / 4) % n : i % 2]));
		crypto_x509_cache_get_stats(cache, &st);
		assert_true(st.entries <= 4);
		assert_int_equal(st.misses - st.evictions, st.entries);
	}
	assert_int_equal(st.hits + st.misses, 200);
	assert_true(st.hits > 0);
	assert_true(st.evictions > 0);
	crypto_x509_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_lru_by_entries),
		cmocka_unit_test(test_lru_by_octets),
		cmocka_unit_test(test_references_outlive),
		cmocka_unit_test(test_never_remembered),
		cmocka_unit_test(test_tampered_not_served),
		cmocka_unit_test(test_cached_equals_fresh),
		cmocka_unit_test(test_null_cache),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
