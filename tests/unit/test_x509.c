/*
 * test_x509.c — certificates, identity matching, chain verification at a
 * caller-given time, and the test-PKI generator (sizes, determinism).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"

/* 2030-01-01 00:00:00 UTC and a year later: fixed, never the clock. */
#define T0 1893456000LL
#define T1 (T0 + 365LL * 86400)
#define NOW (T0 + 86400)

static int make_pki(struct crypto_testpki *pki, enum crypto_sig_key_type type, unsigned depth,
		    uint64_t seed, const char *root_cn)
{
	struct crypto_drbg *drbg = crypto_drbg_new(seed, "test_x509");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params p = {
		.key_type = type,
		.depth = depth,
		.root_cn = root_cn,
		.ee = {.cn = "gw.vpnlab.test",
		       .san = {{CRYPTO_X509_ID_FQDN, "gw.vpnlab.test"},
			       {CRYPTO_X509_ID_RFC822_ADDR, "ops@vpnlab.test"},
			       {CRYPTO_X509_ID_IPV4_ADDR, "192.0.2.1"},
			       {CRYPTO_X509_ID_IPV6_ADDR, "2001:db8::1"}},
		       .n_san = 4},
		.not_before = T0,
		.not_after = T1,
	};
	struct crypto_diag d = {{0}};
	int rc = crypto_testpki_make(&p, &rng, pki, &d);

	if (rc != CRYPTO_OK)
		print_error("testpki: %s\n", d.msg);
	crypto_drbg_free(drbg);
	return rc;
}

/* Fixtures: an RSA depth-3 PKI (root -> int 1 -> int 2 -> EE) and an ECDSA depth-2 PKI. */
struct fx {
	struct crypto_testpki rsa3, ec2;
	struct crypto_x509_store *store; /* both roots */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL || make_pki(&f->rsa3, CRYPTO_SIG_KEY_RSA, 3, 1, NULL) != CRYPTO_OK ||
	    make_pki(&f->ec2, CRYPTO_SIG_KEY_EC_P256, 2, 2, NULL) != CRYPTO_OK)
		return -1;
	f->store = crypto_x509_store_new();
	if (f->store == NULL || crypto_x509_store_add(f->store, crypto_testpki_root(&f->rsa3)) ||
	    crypto_x509_store_add(f->store, crypto_testpki_root(&f->ec2)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	crypto_testpki_free(&f->rsa3);
	crypto_testpki_free(&f->ec2);
	crypto_x509_store_free(f->store);
	free(f);
	return 0;
}

static void test_chain_depth3_verifies(void **state)
{
	struct fx *f = *state;
	struct crypto_x509 *inter[4];
	size_t n = crypto_testpki_intermediates(&f->rsa3, inter, 4);
	enum crypto_x509_reason why;
	struct crypto_diag d = {{0}};
	char subj[128];

	assert_int_equal(f->rsa3.n, 4);
	assert_int_equal(n, 2);
	crypto_x509_subject_text(inter[0], subj, sizeof subj);
	assert_string_equal(subj, "CN=vpnlab Root CA Intermediate 2,O=vpnlab test PKI");
	assert_int_equal(crypto_x509_verify_chain(f->store, crypto_testpki_ee_cert(&f->rsa3), inter,
						  n, NOW, &why, &d),
			 CRYPTO_OK);
	assert_int_equal(why, CRYPTO_X509_VALID);
	/* order of the intermediates does not matter */
	struct crypto_x509 *rev[2] = {inter[1], inter[0]};

	assert_int_equal(crypto_x509_verify_chain(f->store, crypto_testpki_ee_cert(&f->rsa3), rev, 2,
						  NOW, &why, &d),
			 CRYPTO_OK);
	/* ECDSA chain too */
	n = crypto_testpki_intermediates(&f->ec2, inter, 4);
	assert_int_equal(n, 1);
	assert_int_equal(crypto_x509_verify_chain(f->store, crypto_testpki_ee_cert(&f->ec2), inter, n,
						  NOW, &why, &d),
			 CRYPTO_OK);
}

/* Table of failing chains: each with the reason and a message naming the certificate. */
static void test_chain_failures(void **state)
{
	struct fx *f = *state;
	struct crypto_x509 *inter[4];
	struct crypto_testpki other;
	struct crypto_x509_store *wrong = crypto_x509_store_new(), *empty = crypto_x509_store_new();

	crypto_testpki_intermediates(&f->rsa3, inter, 4);
	/* Same names, other keys: a look-alike root must not anchor the chain. */
	assert_int_equal(make_pki(&other, CRYPTO_SIG_KEY_RSA, 1, 99, NULL), CRYPTO_OK);
	assert_int_equal(crypto_x509_store_add(wrong, crypto_testpki_root(&other)), CRYPTO_OK);

	const struct {
		const char *what;
		struct crypto_x509_store *store;
		struct crypto_x509 *ee;
		struct crypto_x509 *chain[3];
		size_t n;
		int64_t now;
		enum crypto_x509_reason why;
		const char *msg;
	} cases[] = {
		/* 1 */ {"missing intermediate 1", f->store, crypto_testpki_ee_cert(&f->rsa3),
			 {inter[0]}, 1, NOW, CRYPTO_X509_NO_ISSUER,
			 "depth 1 (0 = end entity) 'CN=vpnlab Root CA Intermediate 2,O=vpnlab test PKI': "
			 "unable to get local issuer certificate"},
		/* 2 */ {"missing intermediate 2", f->store, crypto_testpki_ee_cert(&f->rsa3),
			 {inter[1]}, 1, NOW, CRYPTO_X509_NO_ISSUER, "depth 0"},
		/* 3 */ {"no intermediates", f->store, crypto_testpki_ee_cert(&f->rsa3), {NULL}, 0,
			 NOW, CRYPTO_X509_NO_ISSUER, "unable to get local issuer certificate"},
		/* 4 */ {"expired", f->store, crypto_testpki_ee_cert(&f->rsa3), {inter[0], inter[1]},
			 2, T1 + 1, CRYPTO_X509_EXPIRED,
			 "certificate has expired (notAfter 2031-01-01 00:00:00 UTC, now 2031-01-01 00:00:01 UTC)"},
		/* 5 */ {"not yet valid", f->store, crypto_testpki_ee_cert(&f->rsa3),
			 {inter[0], inter[1]}, 2, T0 - 1, CRYPTO_X509_NOT_YET_VALID,
			 "certificate is not yet valid (notBefore 2030-01-01 00:00:00 UTC"},
		/* 6 */ {"wrong trust anchor", wrong, crypto_testpki_ee_cert(&f->rsa3),
			 {inter[0], inter[1]}, 2, NOW, CRYPTO_X509_NO_ISSUER, "depth 2"},
		/* 7 */ {"no anchors at all", empty, crypto_testpki_ee_cert(&f->rsa3),
			 {inter[0], inter[1]}, 2, NOW, CRYPTO_X509_NO_ISSUER, "no trust anchor"},
		/* 8 */ {"self-signed EE of another PKI", f->store, crypto_testpki_root(&other),
			 {NULL}, 0, NOW, CRYPTO_X509_UNTRUSTED_ROOT, "self-signed certificate"},
		/* 9 */ {"EE of one PKI with intermediates of another", f->store,
			 crypto_testpki_ee_cert(&f->ec2), {inter[0], inter[1]}, 2, NOW,
			 CRYPTO_X509_NO_ISSUER, "depth 0"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum crypto_x509_reason why = CRYPTO_X509_VALID;
		struct crypto_diag d = {{0}};

		print_message("case %zu: %s\n", i + 1, cases[i].what);
		assert_int_equal(crypto_x509_verify_chain(cases[i].store, cases[i].ee, cases[i].chain,
							  cases[i].n, cases[i].now, &why, &d),
				 CRYPTO_EAUTH);
		print_message("  -> %s: %s\n", crypto_x509_reason_name(why), d.msg);
		assert_int_equal(why, cases[i].why);
		assert_non_null(strstr(d.msg, cases[i].msg));
	}
	crypto_testpki_free(&other);
	crypto_x509_store_free(wrong);
	crypto_x509_store_free(empty);
}

/* An intermediate configured as the anchor ends the chain (X509_V_FLAG_PARTIAL_CHAIN). */
static void test_intermediate_anchor(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_store *s = crypto_x509_store_new();
	struct crypto_x509 *inter[4];

	crypto_testpki_intermediates(&f->rsa3, inter, 4);
	assert_int_equal(crypto_x509_store_add(s, inter[1]), CRYPTO_OK); /* Intermediate 1 */
	assert_int_equal(crypto_x509_store_count(s), 1);
	assert_ptr_equal(crypto_x509_store_get(s, 0), inter[1]);
	assert_null(crypto_x509_store_get(s, 1));
	assert_int_equal(crypto_x509_verify_chain(s, crypto_testpki_ee_cert(&f->rsa3), inter, 1, NOW,
						  NULL, NULL),
			 CRYPTO_OK);
	crypto_x509_store_free(s);
}

/* Table: identities matched against the EE (SANs gw.vpnlab.test, ops@, 192.0.2.1, 2001:db8::1). */
static void test_matches_id(void **state)
{
	struct fx *f = *state;
	struct crypto_x509 *ee = crypto_testpki_ee_cert(&f->rsa3);
	const uint8_t v4[] = {192, 0, 2, 1}, v4b[] = {192, 0, 2, 2};
	const uint8_t v6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	size_t dn_len, other_dn_len;
	const uint8_t *dn = crypto_x509_subject_der(ee, &dn_len);
	const uint8_t *other_dn = crypto_x509_subject_der(crypto_testpki_root(&f->rsa3), &other_dn_len);
	const struct {
		int type;
		const void *id;
		size_t len;
		int want;
		const char *msg;
	} cases[] = {
		/* 1 */ {CRYPTO_X509_ID_FQDN, "gw.vpnlab.test", 14, 1, NULL},
		/* 2 */ {CRYPTO_X509_ID_FQDN, "GW.VPNLAB.Test", 14, 1, NULL},
		/* 3 */ {CRYPTO_X509_ID_FQDN, "vpn.vpnlab.test", 15, 0,
			 "identity ID_FQDN 'vpn.vpnlab.test' is not among the certificate's subjectAltNames "
			 "(dNSName gw.vpnlab.test, rfc822Name ops@vpnlab.test, iPAddress 192.0.2.1, "
			 "iPAddress 2001:db8::1)"},
		/* 4 */ {CRYPTO_X509_ID_FQDN, "gw.vpnlab.tes", 13, 0, "not among"},
		/* 5 */ {CRYPTO_X509_ID_FQDN, "ops@vpnlab.test", 15, 0, "not among"},
		/* 6 */ {CRYPTO_X509_ID_RFC822_ADDR, "ops@vpnlab.test", 15, 1, NULL},
		/* 7 */ {CRYPTO_X509_ID_RFC822_ADDR, "gw.vpnlab.test", 14, 0, "ID_RFC822_ADDR"},
		/* 8 */ {CRYPTO_X509_ID_IPV4_ADDR, v4, 4, 1, NULL},
		/* 9 */ {CRYPTO_X509_ID_IPV4_ADDR, v4b, 4, 0, "'192.0.2.2' is not among"},
		/* 10 */ {CRYPTO_X509_ID_IPV6_ADDR, v6, 16, 1, NULL},
		/* 11 */ {CRYPTO_X509_ID_IPV4_ADDR, v6, 16, CRYPTO_EINVAL, "16 octets, expected 4"},
		/* 12 */ {CRYPTO_X509_ID_DER_ASN1_DN, dn, dn_len, 1, NULL},
		/* 13 */ {CRYPTO_X509_ID_DER_ASN1_DN, other_dn, other_dn_len, 0,
			  "is not the certificate subject 'CN=gw.vpnlab.test,O=vpnlab test PKI'"},
		/* 14 */ {CRYPTO_X509_ID_DER_ASN1_DN, "\x30\x05\x31", 3, CRYPTO_EINVAL, "not one DER Name"},
		/* 15 */ {11 /* ID_KEY_ID */, "key", 3, CRYPTO_EINVAL, "ID type 11 cannot be matched"},
		/* 16 */ {CRYPTO_X509_ID_FQDN, "gw\0.vpnlab.test", 15, CRYPTO_EINVAL, "NUL"},
		/* 17 */ {CRYPTO_X509_ID_FQDN, "", 0, CRYPTO_EINVAL, "empty"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_diag d = {{0}};
		int got = crypto_x509_matches_id(ee, cases[i].type, cases[i].id, cases[i].len, &d);

		print_message("case %zu -> %d %s\n", i + 1, got, d.msg);
		assert_int_equal(got, cases[i].want);
		if (cases[i].msg != NULL)
			assert_non_null(strstr(d.msg, cases[i].msg));
	}
}

/* CERTREQ hash (§3.7): SHA-1 over the whole DER SubjectPublicKeyInfo, computed independently. */
static void test_spki_sha1(void **state)
{
	struct fx *f = *state;
	uint8_t got[20], want[20], *spki = NULL;
	size_t spki_len = 0;
	unsigned int md_len = 0;

	assert_int_equal(crypto_x509_spki_sha1(crypto_testpki_root(&f->rsa3), got), CRYPTO_OK);
	assert_int_equal(crypto_sig_key_spki_der(f->rsa3.key[0], &spki, &spki_len), CRYPTO_OK);
	assert_int_equal(EVP_Digest(spki, spki_len, want, &md_len, EVP_sha1(), NULL), 1);
	assert_memory_equal(got, want, 20);
	free(spki);
}

static void test_public_key_and_validity(void **state)
{
	struct fx *f = *state;
	struct crypto_diag d;
	struct crypto_sig_key *pub = crypto_x509_public_key(crypto_testpki_ee_cert(&f->ec2), &d);
	int64_t nb = 0, na = 0;
	uint8_t sig[72];
	size_t sig_len = sizeof sig;

	assert_non_null(pub);
	assert_int_equal(crypto_sig_key_type(pub), CRYPTO_SIG_KEY_EC_P256);
	assert_false(crypto_sig_key_has_private(pub));
	assert_true(crypto_sig_key_equal(pub, crypto_testpki_ee_key(&f->ec2)));
	assert_int_equal(crypto_sig_sign(crypto_testpki_ee_key(&f->ec2),
					 CRYPTO_SIG_ECDSA_P256_SHA256_DER, sig, 8, sig, &sig_len, &d),
			 CRYPTO_OK);
	crypto_sig_key_free(pub);
	assert_int_equal(crypto_x509_validity(crypto_testpki_ee_cert(&f->ec2), &nb, &na), CRYPTO_OK);
	assert_int_equal(nb, T0);
	assert_int_equal(na, T1);
}

/* Same seed, same RSA PKI byte for byte; another seed, other certificates. */
static void test_testpki_deterministic(void **state)
{
	struct fx *f = *state;
	struct crypto_testpki again, other;

	assert_int_equal(make_pki(&again, CRYPTO_SIG_KEY_RSA, 3, 1, NULL), CRYPTO_OK);
	assert_int_equal(make_pki(&other, CRYPTO_SIG_KEY_RSA, 3, 5, NULL), CRYPTO_OK);
	for (size_t i = 0; i < again.n; i++) {
		size_t a_len, b_len, c_len;
		const uint8_t *a = crypto_x509_der(f->rsa3.cert[i], &a_len);
		const uint8_t *b = crypto_x509_der(again.cert[i], &b_len);
		const uint8_t *c = crypto_x509_der(other.cert[i], &c_len);

		assert_int_equal(a_len, b_len);
		assert_memory_equal(a, b, a_len);
		assert_true(a_len != c_len || memcmp(a, c, a_len) != 0);
	}
	crypto_testpki_free(&again);
	crypto_testpki_free(&other);
}

/*
 * ECDSA certificate signatures draw their nonce inside OpenSSL: with the
 * crypto layer's deterministic OpenSSL RAND (the simulator's setting) an
 * ECDSA PKI repeats byte for byte too; without it, only keys and serials do.
 */
static void test_testpki_ecdsa_detrand(void **state)
{
	struct crypto_testpki a, b, c;
	size_t la, lb, lc;

	(void)state;
	assert_int_equal(crypto_openssl_rand_deterministic(77), 0);
	assert_int_equal(make_pki(&a, CRYPTO_SIG_KEY_EC_P256, 2, 9, NULL), CRYPTO_OK);
	assert_int_equal(crypto_openssl_rand_deterministic(77), 0);
	assert_int_equal(make_pki(&b, CRYPTO_SIG_KEY_EC_P256, 2, 9, NULL), CRYPTO_OK);
	crypto_openssl_rand_system();
	assert_int_equal(make_pki(&c, CRYPTO_SIG_KEY_EC_P256, 2, 9, NULL), CRYPTO_OK);
	for (size_t i = 0; i < a.n; i++) {
		const uint8_t *da = crypto_x509_der(a.cert[i], &la), *db = crypto_x509_der(b.cert[i], &lb);
		const uint8_t *dc = crypto_x509_der(c.cert[i], &lc);

		assert_int_equal(la, lb);
		assert_memory_equal(da, db, la);
		assert_true(la != lc || memcmp(da, dc, la) != 0); /* signature differs */
		assert_true(crypto_sig_key_equal(a.key[i], c.key[i]));
	}
	crypto_testpki_free(&a);
	crypto_testpki_free(&b);
	crypto_testpki_free(&c);
}

/*
 * Sizes: print the chain an IKE peer sends (EE + intermediates, each in a
 * CERT payload with a 5-octet header) for every depth and key type, and hit
 * a 4000-octet target (enough to fragment a 1500-MTU IKE_AUTH).
 */
static void test_testpki_sizes(void **state)
{
	(void)state;
	for (int type = CRYPTO_SIG_KEY_RSA; type <= CRYPTO_SIG_KEY_EC_P256; type++) {
		for (unsigned depth = 1; depth <= CRYPTO_TESTPKI_MAX_DEPTH; depth++) {
			struct crypto_testpki pki;
			struct crypto_x509_store *s = crypto_x509_store_new();
			struct crypto_x509 *inter[4];
			size_t n, len;

			assert_int_equal(make_pki(&pki, (enum crypto_sig_key_type)type, depth, 40 + depth,
						  NULL),
					 CRYPTO_OK);
			n = crypto_testpki_intermediates(&pki, inter, 4);
			assert_int_equal(n, depth - 1);
			len = crypto_testpki_chain_len(&pki);
			print_message("%s depth %u: %zu certs sent, %zu octets DER, %zu in CERT payloads\n",
				      type == CRYPTO_SIG_KEY_RSA ? "RSA-2048" : "ECDSA-P256", depth,
				      n + 1, len, len + 5 * (n + 1));
			assert_int_equal(crypto_x509_store_add(s, crypto_testpki_root(&pki)), CRYPTO_OK);
			assert_int_equal(crypto_x509_verify_chain(s, crypto_testpki_ee_cert(&pki), inter, n,
								  NOW, NULL, NULL),
					 CRYPTO_OK);
			crypto_x509_store_free(s);
			crypto_testpki_free(&pki);
		}
	}
}

static void test_testpki_target_size(void **state)
{
	static const struct {
		enum crypto_sig_key_type type;
		unsigned depth;
		size_t target;
		size_t slack;
	} cases[] = {
		/* 1 */ {CRYPTO_SIG_KEY_RSA, 3, 4000, 0},
		/* 2 */ {CRYPTO_SIG_KEY_RSA, 1, 1500, 0},
		/* 3 */ {CRYPTO_SIG_KEY_RSA, 2, 9000, 0},
		/* 4 */ {CRYPTO_SIG_KEY_EC_P256, 3, 4000, 4},
		/* 5 */ {CRYPTO_SIG_KEY_EC_P256, 1, 700, 4},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_drbg *drbg = crypto_drbg_new(i, "size");
		struct crypto_rng rng = crypto_drbg_rng(drbg);
		struct crypto_testpki_params p = {
			.key_type = cases[i].type,
			.depth = cases[i].depth,
			.target_chain_len = cases[i].target,
			.not_before = T0,
			.not_after = T1,
		};
		struct crypto_testpki pki;
		struct crypto_x509_store *s = crypto_x509_store_new();
		struct crypto_x509 *inter[4];
		struct crypto_diag d = {{0}};
		size_t got, n;

		assert_int_equal(crypto_testpki_make(&p, &rng, &pki, &d), CRYPTO_OK);
		got = crypto_testpki_chain_len(&pki);
		print_message("case %zu: target %zu, got %zu\n", i + 1, cases[i].target, got);
		assert_in_range(got, cases[i].target - cases[i].slack, cases[i].target + cases[i].slack);
		n = crypto_testpki_intermediates(&pki, inter, 4);
		assert_int_equal(crypto_x509_store_add(s, crypto_testpki_root(&pki)), CRYPTO_OK);
		assert_int_equal(crypto_x509_verify_chain(s, crypto_testpki_ee_cert(&pki), inter, n, NOW,
							  NULL, &d),
				 CRYPTO_OK);
		crypto_x509_store_free(s);
		crypto_testpki_free(&pki);
		crypto_drbg_free(drbg);
	}
}

/* Table: parameters the generator refuses, each with a reason. */
static void test_testpki_bad_params(void **state)
{
	const struct {
		struct crypto_testpki_params p;
		const char *msg;
	} cases[] = {
		/* 1 */ {{.key_type = CRYPTO_SIG_KEY_RSA, .depth = 0, .not_before = T0, .not_after = T1},
			 "depth 0, expected 1..4"},
		/* 2 */ {{.key_type = CRYPTO_SIG_KEY_RSA, .depth = 5, .not_before = T0, .not_after = T1},
			 "depth 5"},
		/* 3 */ {{.key_type = 7, .depth = 1, .not_before = T0, .not_after = T1}, "key type 7"},
		/* 4 */ {{.key_type = CRYPTO_SIG_KEY_EC_P256, .depth = 1, .not_before = T1, .not_after = T0},
			 "is empty"},
		/* 5 */ {{.key_type = CRYPTO_SIG_KEY_EC_P256, .depth = 1, .not_before = T0, .not_after = T1,
			  .target_chain_len = 100},
			 "below the unpadded"},
		/* 6 */ {{.key_type = CRYPTO_SIG_KEY_EC_P256, .depth = 1, .not_before = T0, .not_after = T1,
			  .ee = {.san = {{CRYPTO_X509_ID_IPV4_ADDR, "300.1.1.1"}}, .n_san = 1}},
			 "'300.1.1.1' is not an IPv4 address"},
		/* 7 */ {{.key_type = CRYPTO_SIG_KEY_EC_P256, .depth = 1, .not_before = T0, .not_after = T1,
			  .ee = {.san = {{CRYPTO_X509_ID_DER_ASN1_DN, "x"}}, .n_san = 1}},
			 "has type 9"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_drbg *drbg = crypto_drbg_new(i, "bad");
		struct crypto_rng rng = crypto_drbg_rng(drbg);
		struct crypto_testpki pki;
		struct crypto_diag d = {{0}};

		assert_true(crypto_testpki_make(&cases[i].p, &rng, &pki, &d) < 0);
		print_message("case %zu: %s\n", i + 1, d.msg);
		assert_non_null(strstr(d.msg, cases[i].msg));
		assert_int_equal(pki.n, 0);
		crypto_drbg_free(drbg);
	}
}

/* A second end entity (the client) from the same PKI verifies against the same anchor. */
static void test_issue_second_ee(void **state)
{
	struct fx *f = *state;
	struct crypto_drbg *drbg = crypto_drbg_new(3, "client");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_ee ee = {
		.cn = "client",
		.san = {{CRYPTO_X509_ID_RFC822_ADDR, "alice@vpnlab.test"}},
		.n_san = 1,
		.not_before = T0,
		.not_after = T0 + 3600,
	};
	struct crypto_x509 *cert = NULL, *inter[4];
	struct crypto_sig_key *key = NULL;
	struct crypto_diag d;
	size_t n = crypto_testpki_intermediates(&f->rsa3, inter, 4);

	assert_int_equal(crypto_testpki_issue_ee(&f->rsa3, &ee, &rng, &cert, &key, &d), CRYPTO_OK);
	assert_int_equal(crypto_x509_verify_chain(f->store, cert, inter, n, T0 + 60, NULL, &d),
			 CRYPTO_OK);
	/* its own, shorter validity applies */
	assert_int_equal(crypto_x509_verify_chain(f->store, cert, inter, n, T0 + 7200, NULL, &d),
			 CRYPTO_EAUTH);
	assert_int_equal(crypto_x509_matches_id(cert, CRYPTO_X509_ID_RFC822_ADDR,
						(const uint8_t *)"alice@vpnlab.test", 17, &d),
			 1);
	crypto_x509_free(cert);
	crypto_sig_key_free(key);
	crypto_drbg_free(drbg);
}

/* DER round trip, PEM files round trip, and malformed input. */
static void test_parse_and_files(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/vpnlab_test_x509_XXXXXX", path[256];
	struct crypto_x509 **certs = NULL, *c;
	struct crypto_sig_key *key;
	struct crypto_diag d;
	size_t len;
	const uint8_t *der = crypto_x509_der(crypto_testpki_ee_cert(&f->rsa3), &len);
	uint8_t *longer = malloc(len + 1);
	int n;

	c = crypto_x509_parse_der(der, len, &d);
	assert_non_null(c);
	assert_ptr_equal(crypto_x509_ref(c), c);
	crypto_x509_free(c); /* one reference left */
	size_t len2;
	assert_memory_equal(crypto_x509_der(c, &len2), der, len);
	crypto_x509_free(c);

	memcpy(longer, der, len);
	longer[len] = 0;
	assert_null(crypto_x509_parse_der(longer, len + 1, &d));
	assert_non_null(strstr(d.msg, "1 octets follow"));
	assert_null(crypto_x509_parse_der(der, len - 1, &d));
	assert_null(crypto_x509_parse_der(der + 1, 10, &d));
	free(longer);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(crypto_testpki_write_pem(&f->rsa3, dir, "gw", &d), CRYPTO_OK);
	snprintf(path, sizeof path, "%s/gw-chain.pem", dir);
	n = crypto_x509_load_file(path, &certs, &d);
	assert_int_equal(n, 3); /* EE, Intermediate 2, Intermediate 1 */
	assert_memory_equal(crypto_x509_der(certs[0], &len2), der, len);
	crypto_x509_free_array(certs, (size_t)n);
	snprintf(path, sizeof path, "%s/gw-ee.key", dir);
	key = crypto_sig_key_load_file(path, 1, &d);
	assert_non_null(key);
	assert_true(crypto_sig_key_equal(key, crypto_testpki_ee_key(&f->rsa3)));
	crypto_sig_key_free(key);
	assert_int_equal(crypto_x509_load_file("/nonexistent.pem", &certs, &d), CRYPTO_EINVAL);
	assert_int_equal(crypto_x509_parse_pem("hello", 5, &certs, &d), CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "no CERTIFICATE block"));
	/* remove the files written */
	static const char *names[] = {"root.pem", "int1.pem", "int2.pem", "ee.pem", "chain.pem", "ee.key"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/gw-%s", dir, names[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_depth3_verifies),
		cmocka_unit_test(test_chain_failures),
		cmocka_unit_test(test_intermediate_anchor),
		cmocka_unit_test(test_matches_id),
		cmocka_unit_test(test_spki_sha1),
		cmocka_unit_test(test_public_key_and_validity),
		cmocka_unit_test(test_testpki_deterministic),
		cmocka_unit_test(test_testpki_ecdsa_detrand),
		cmocka_unit_test(test_testpki_sizes),
		cmocka_unit_test(test_testpki_target_size),
		cmocka_unit_test(test_testpki_bad_params),
		cmocka_unit_test(test_issue_second_ee),
		cmocka_unit_test(test_parse_and_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
