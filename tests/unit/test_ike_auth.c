/*
 * test_ike_auth.c — AUTH payload data (RFC 7296 §2.15, §3.8; RFC 4754;
 * RFC 7427): shared-key MICs both ways (recomputed independently with
 * OpenSSL HMAC), signatures for methods 1, 9 and 14, RFC 7427
 * AlgorithmIdentifiers cross-checked against OpenSSL's ASN.1 encoder, and
 * the whole certificate-based peer authentication as an engine runs it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike_auth.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_keys.h"

#define T0 1893456000LL /* 2030-01-01 */
#define T1 (T0 + 30LL * 86400)
#define NOW (T0 + 3600)

/* One IKE SA seen from both ends, and the messages of its IKE_SA_INIT. */
struct fx {
	struct ike_keys *ki, *kr; /* initiator's and responder's copies, derived separately */
	uint8_t msg1[300], msg2[280], ni[32], nr[32];
	uint8_t idi[4 + 14], idr[4 + 14];
	struct ike_auth_input in_i, in_r; /* what the initiator / responder sign */
	struct crypto_testpki rsa, ec, other;
};

static const struct ike_suite suite = {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, 19};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct crypto_drbg *drbg = crypto_drbg_new(5, "test_ike_auth");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	uint8_t spi_i[8], spi_r[8], gir[32];
	struct crypto_testpki_params p = {
		.key_type = CRYPTO_SIG_KEY_RSA,
		.depth = 3,
		.ee = {.cn = "gw", .san = {{CRYPTO_X509_ID_FQDN, "gw.vpnlab.test"}}, .n_san = 1},
		.not_before = T0,
		.not_after = T1,
	};

	crypto_rng_fill(&rng, f->msg1, sizeof f->msg1);
	crypto_rng_fill(&rng, f->msg2, sizeof f->msg2);
	crypto_rng_fill(&rng, f->ni, sizeof f->ni);
	crypto_rng_fill(&rng, f->nr, sizeof f->nr);
	crypto_rng_fill(&rng, spi_i, 8);
	crypto_rng_fill(&rng, spi_r, 8);
	crypto_rng_fill(&rng, gir, 32);
	f->ki = ike_keys_new_sa_init(&suite, f->ni, 32, f->nr, 32, spi_i, spi_r, gir, 32, NULL);
	f->kr = ike_keys_new_sa_init(&suite, f->ni, 32, f->nr, 32, spi_i, spi_r, gir, 32, NULL);
	/* ID payload bodies: ID Type, RESERVED(3), data */
	memcpy(f->idi, "\x02\0\0\0client.vpnlab", 18);
	memcpy(f->idr, "\x02\0\0\0gw.vpnlab.test", 18);
	f->in_i = (struct ike_auth_input){f->msg1, sizeof f->msg1, f->nr, 32, f->idi, sizeof f->idi};
	f->in_r = (struct ike_auth_input){f->msg2, sizeof f->msg2, f->ni, 32, f->idr, sizeof f->idr};
	if (f->ki == NULL || f->kr == NULL || crypto_testpki_make(&p, &rng, &f->rsa, NULL) != 0)
		return -1;
	p.key_type = CRYPTO_SIG_KEY_EC_P256;
	p.depth = 1;
	if (crypto_testpki_make(&p, &rng, &f->ec, NULL) != 0)
		return -1;
	/* a look-alike PKI: same names, other keys */
	p.key_type = CRYPTO_SIG_KEY_RSA;
	p.depth = 3;
	if (crypto_testpki_make(&p, &rng, &f->other, NULL) != 0)
		return -1;
	crypto_drbg_free(drbg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ike_keys_free(f->ki);
	ike_keys_free(f->kr);
	crypto_testpki_free(&f->rsa);
	crypto_testpki_free(&f->ec);
	crypto_testpki_free(&f->other);
	free(f);
	return 0;
}

static const uint8_t psk[] = "correct horse battery staple";

/* PSK, initiator -> responder and responder -> initiator, each verified by the other side. */
static void test_psk_both_directions(void **state)
{
	struct fx *f = *state;
	uint8_t ai[64], ar[64];
	size_t ai_len = sizeof ai, ar_len = sizeof ar;
	struct crypto_diag d = {{0}};

	assert_int_equal(ike_auth_psk_compute(f->ki, 1, &f->in_i, psk, sizeof psk - 1, ai, &ai_len,
					      &d),
			 CRYPTO_OK);
	assert_int_equal(ai_len, 32);
	assert_int_equal(ike_auth_psk_verify(f->kr, 1, &f->in_i, psk, sizeof psk - 1, ai, ai_len, &d),
			 CRYPTO_OK);
	assert_int_equal(ike_auth_psk_compute(f->kr, 0, &f->in_r, psk, sizeof psk - 1, ar, &ar_len,
					      &d),
			 CRYPTO_OK);
	assert_int_equal(ike_auth_psk_verify(f->ki, 0, &f->in_r, psk, sizeof psk - 1, ar, ar_len, &d),
			 CRYPTO_OK);
	assert_memory_not_equal(ai, ar, 32);
}

/* The PSK AUTH recomputed from its definition with OpenSSL HMAC-SHA-256 directly. */
static void test_psk_independent(void **state)
{
	struct fx *f = *state;
	uint8_t got[64], macid[32], pad_key[32], want[32], octets[300 + 32 + 32];
	size_t got_len = sizeof got;
	unsigned int n = 0;

	assert_int_equal(ike_auth_psk_compute(f->ki, 1, &f->in_i, psk, sizeof psk - 1, got, &got_len,
					      NULL),
			 CRYPTO_OK);
	assert_non_null(HMAC(EVP_sha256(), f->ki->sk_pi, 32, f->idi, sizeof f->idi, macid, &n));
	memcpy(octets, f->msg1, 300);
	memcpy(octets + 300, f->nr, 32);
	memcpy(octets + 332, macid, 32);
	assert_non_null(HMAC(EVP_sha256(), psk, sizeof psk - 1,
			     (const unsigned char *)"Key Pad for IKEv2", 17, pad_key, &n));
	assert_non_null(HMAC(EVP_sha256(), pad_key, 32, octets, sizeof octets, want, &n));
	assert_memory_equal(got, want, 32);
	/* and the signed octets are exactly msg | Nr | prf(SK_pi, IDi') */
	uint8_t *so = NULL;
	size_t so_len = 0;
	assert_int_equal(ike_auth_signed_octets(f->ki, 1, &f->in_i, &so, &so_len, NULL), CRYPTO_OK);
	assert_int_equal(so_len, sizeof octets);
	assert_memory_equal(so, octets, so_len);
	free(so);
}

/* Numbered table: everything that must make a PSK AUTH fail. */
static void test_psk_failures(void **state)
{
	struct fx *f = *state;
	enum { WRONG_PSK, MSG_BIT, NONCE_BIT, ID_BIT, WRONG_SIGNER, SHORT, OTHER_SA, EMPTY_PSK };
	static const struct {
		int what;
		int rc;
		const char *msg;
	} cases[] = {
		/* 1 */ {WRONG_PSK, CRYPTO_EAUTH, "does not match: wrong shared secret"},
		/* 2 */ {MSG_BIT, CRYPTO_EAUTH, "does not match"},
		/* 3 */ {NONCE_BIT, CRYPTO_EAUTH, "does not match"},
		/* 4 */ {ID_BIT, CRYPTO_EAUTH, "does not match"},
		/* 5 */ {WRONG_SIGNER, CRYPTO_EAUTH, "of the responder does not match"},
		/* 6 */ {SHORT, CRYPTO_EAUTH, "31 octets, expected 32 (PRF_HMAC_SHA2_256 output)"},
		/* 7 */ {OTHER_SA, CRYPTO_EAUTH, "does not match"},
		/* 8 */ {EMPTY_PSK, CRYPTO_EINVAL, "empty shared secret"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t auth[64], msg[300], nonce[32], id[18];
		size_t auth_len = sizeof auth, len;
		struct ike_auth_input in = f->in_i;
		const struct ike_keys *k = f->kr;
		const uint8_t *key = psk;
		size_t key_len = sizeof psk - 1;
		int signer = 1;
		struct ike_keys *other = NULL;
		struct crypto_diag d = {{0}};

		assert_int_equal(ike_auth_psk_compute(f->ki, 1, &f->in_i, psk, sizeof psk - 1, auth,
						      &auth_len, NULL),
				 CRYPTO_OK);
		len = auth_len;
		memcpy(msg, f->msg1, sizeof msg);
		memcpy(nonce, f->nr, sizeof nonce);
		memcpy(id, f->idi, sizeof id);
		in.init_msg = msg;
		in.peer_nonce = nonce;
		in.id = id;
		switch (cases[i].what) {
		case WRONG_PSK:
			key = (const uint8_t *)"correct horse battery stapl3";
			break;
		case MSG_BIT:
			msg[17] ^= 0x04;
			break;
		case NONCE_BIT:
			nonce[31] ^= 0x01;
			break;
		case ID_BIT:
			id[6] ^= 0x20;
			break;
		case WRONG_SIGNER:
			signer = 0;
			break;
		case SHORT:
			len = 31;
			break;
		case OTHER_SA: {
			uint8_t spi[8] = {9}, gir[32] = {9};

			other = ike_keys_new_sa_init(&suite, f->ni, 32, f->nr, 32, spi, spi, gir, 32, NULL);
			k = other;
			break;
		}
		case EMPTY_PSK:
			key_len = 0;
			break;
		}
		int rc = ike_auth_psk_verify(k, signer, &in, key, key_len, auth, len, &d);

		print_message("case %zu: %d %s\n", i + 1, rc, d.msg);
		assert_int_equal(rc, cases[i].rc);
		assert_non_null(strstr(d.msg, cases[i].msg));
		ike_keys_free(other);
	}
}

/* Table: every signature method/scheme signs and verifies; changed octets fail. */
static void test_signatures(void **state)
{
	struct fx *f = *state;
	struct crypto_sig_key *rsa = crypto_testpki_ee_key(&f->rsa), *ec = crypto_testpki_ee_key(&f->ec);
	const struct {
		struct crypto_sig_key *key;
		uint8_t method;
		enum crypto_sig_scheme scheme;
		size_t len_min, len_max;
	} cases[] = {
		/* 1 */ {rsa, IKE_AUTHM_RSA_SIG, CRYPTO_SIG_RSA_PKCS1_SHA1, 256, 256},
		/* 2 */ {ec, IKE_AUTHM_ECDSA_256, CRYPTO_SIG_ECDSA_P256_SHA256_RAW, 64, 64},
		/* 3 */ {rsa, IKE_AUTHM_DIGITAL_SIGNATURE, CRYPTO_SIG_RSA_PKCS1_SHA256, 272, 272},
		/* 4 */ {rsa, IKE_AUTHM_DIGITAL_SIGNATURE, CRYPTO_SIG_RSA_PSS_SHA256, 324, 324},
		/* 5 */ {ec, IKE_AUTHM_DIGITAL_SIGNATURE, CRYPTO_SIG_ECDSA_P256_SHA256_DER, 1 + 12 + 8, 1 + 12 + 72},
		/* 6 */ {rsa, IKE_AUTHM_DIGITAL_SIGNATURE, CRYPTO_SIG_RSA_PKCS1_SHA1, 272, 272},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct crypto_sig_key *pub = crypto_sig_key_public_copy(cases[i].key, NULL);
		uint8_t auth[IKE_AUTH_DATA_MAX], msg[280];
		size_t len = sizeof auth;
		enum crypto_sig_scheme used = (enum crypto_sig_scheme)-1;
		struct ike_auth_input in = f->in_r;
		struct crypto_diag d = {{0}};

		/* the responder signs, the initiator verifies */
		assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, cases[i].method, cases[i].scheme,
					       cases[i].key, auth, &len, &d),
				 CRYPTO_OK);
		print_message("case %zu: method %u %s: %zu octets\n", i + 1, cases[i].method,
			      crypto_sig_scheme_name(cases[i].scheme), len);
		assert_in_range(len, cases[i].len_min, cases[i].len_max);
		if (cases[i].method == IKE_AUTHM_DIGITAL_SIGNATURE) {
			size_t alen;
			const uint8_t *alg = ike_auth_algid(cases[i].scheme, &alen);

			assert_int_equal(auth[0], alen);
			assert_memory_equal(auth + 1, alg, alen);
		}
		assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, cases[i].method, pub, auth, len,
						 &used, &d),
				 CRYPTO_OK);
		assert_int_equal(used, cases[i].scheme);
		/* tampered signed octets: one bit of the responder's IKE_SA_INIT */
		memcpy(msg, f->msg2, sizeof msg);
		msg[100] ^= 0x10;
		in.init_msg = msg;
		assert_int_equal(ike_auth_verify(f->ki, 0, &in, cases[i].method, pub, auth, len, NULL,
						 &d),
				 CRYPTO_EAUTH);
		assert_non_null(strstr(d.msg, "of the responder"));
		/* as if signed by the initiator (SK_pi instead of SK_pr) */
		assert_int_equal(ike_auth_verify(f->ki, 1, &f->in_r, cases[i].method, pub, auth, len,
						 NULL, &d),
				 CRYPTO_EAUTH);
		/* one bit of the signature */
		auth[len - 1] ^= 0x01;
		assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, cases[i].method, pub, auth, len,
						 NULL, &d),
				 CRYPTO_EAUTH);
		crypto_sig_key_free(pub);
	}
}

/* Table: methods, schemes and keys that do not fit, at signing and at verification. */
static void test_method_mismatch(void **state)
{
	struct fx *f = *state;
	struct crypto_sig_key *rsa = crypto_testpki_ee_key(&f->rsa), *ec = crypto_testpki_ee_key(&f->ec);
	uint8_t auth[IKE_AUTH_DATA_MAX];
	size_t len = sizeof auth;
	struct crypto_diag d = {{0}};

	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_RSA_SIG,
				       CRYPTO_SIG_RSA_PKCS1_SHA256, rsa, auth, &len, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "RSA_SIG (1) cannot carry a rsa-pkcs1-sha256 signature"));
	len = sizeof auth;
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE,
				       CRYPTO_SIG_ECDSA_P256_SHA256_RAW, ec, auth, &len, &d),
			 CRYPTO_EINVAL);
	len = sizeof auth;
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_PSK, CRYPTO_SIG_RSA_PKCS1_SHA1,
				       rsa, auth, &len, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "PSK (2) is not a signature method"));
	len = sizeof auth;
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_ECDSA_256,
				       CRYPTO_SIG_ECDSA_P256_SHA256_RAW, rsa, auth, &len, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "needs an EC P-256 key"));
	/* an ECDSA method-9 AUTH checked against an RSA certificate key */
	len = sizeof auth;
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_ECDSA_256,
				       CRYPTO_SIG_ECDSA_P256_SHA256_RAW, ec, auth, &len, &d),
			 CRYPTO_OK);
	assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, IKE_AUTHM_ECDSA_256, rsa, auth, len, NULL,
					 &d),
			 CRYPTO_EAUTH);
	assert_non_null(strstr(d.msg, "does not fit the peer's RSA key"));
	/* the same 64 octets announced as method 14 */
	assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE, ec, auth, len,
					 NULL, &d),
			 CRYPTO_EAUTH);
	assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, IKE_AUTHM_NULL, ec, auth, len, NULL, &d),
			 CRYPTO_EINVAL);
	assert_int_equal(ike_auth_scheme_hash(CRYPTO_SIG_RSA_PKCS1_SHA1), IKE_HASH_SHA1);
	assert_int_equal(ike_auth_scheme_hash(CRYPTO_SIG_RSA_PSS_SHA256), IKE_HASH_SHA2_256);
	assert_null(ike_auth_algid(CRYPTO_SIG_ECDSA_P256_SHA256_RAW, NULL));
}

static size_t algor_der(int nid, int ptype, uint8_t *out)
{
	X509_ALGOR *a = X509_ALGOR_new();
	unsigned char *p = out;
	int n;

	assert_int_equal(X509_ALGOR_set0(a, OBJ_nid2obj(nid), ptype, NULL), 1);
	n = i2d_X509_ALGOR(a, &p);
	X509_ALGOR_free(a);
	assert_true(n > 0);
	return (size_t)n;
}

/*
 * RFC 7427 Appendix A AlgorithmIdentifiers: the table's octets equal
 * OpenSSL's own encoding (PKCS#1 with NULL parameters, ECDSA without), and
 * the PSS one decodes to SHA-256 / MGF1-SHA-256 / salt 32 (67 octets).
 */
static void test_rfc7427_algids(void **state)
{
	uint8_t der[128];
	size_t n, len;
	const uint8_t *alg;
	const unsigned char *p;
	X509_ALGOR *a;
	RSA_PSS_PARAMS *pss;
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;

	(void)state;
	n = algor_der(NID_sha1WithRSAEncryption, V_ASN1_NULL, der);
	alg = ike_auth_algid(CRYPTO_SIG_RSA_PKCS1_SHA1, &len);
	assert_int_equal(len, n);
	assert_memory_equal(alg, der, n);
	n = algor_der(NID_sha256WithRSAEncryption, V_ASN1_NULL, der);
	alg = ike_auth_algid(CRYPTO_SIG_RSA_PKCS1_SHA256, &len);
	assert_int_equal(len, 15);
	assert_memory_equal(alg, der, n);
	n = algor_der(NID_ecdsa_with_SHA256, V_ASN1_UNDEF, der);
	alg = ike_auth_algid(CRYPTO_SIG_ECDSA_P256_SHA256_DER, &len);
	assert_int_equal(len, 12);
	assert_memory_equal(alg, der, n);

	alg = ike_auth_algid(CRYPTO_SIG_RSA_PSS_SHA256, &len);
	assert_int_equal(len, 67);
	p = alg;
	a = d2i_X509_ALGOR(NULL, &p, (long)len);
	assert_non_null(a);
	assert_ptr_equal(p, alg + len);
	X509_ALGOR_get0(&obj, &ptype, &pval, a);
	assert_int_equal(OBJ_obj2nid(obj), NID_rsassaPss);
	assert_int_equal(ptype, V_ASN1_SEQUENCE);
	p = ASN1_STRING_get0_data(pval);
	pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(pval));
	assert_non_null(pss);
	assert_int_equal(OBJ_obj2nid(pss->hashAlgorithm->algorithm), NID_sha256);
	assert_int_equal(OBJ_obj2nid(pss->maskGenAlgorithm->algorithm), NID_mgf1);
	{
		/* MGF1's parameter is the hash AlgorithmIdentifier */
		const ASN1_OBJECT *mobj;
		const void *mval;
		int mtype;
		X509_ALGOR *mh;

		X509_ALGOR_get0(&mobj, &mtype, &mval, pss->maskGenAlgorithm);
		assert_int_equal(mtype, V_ASN1_SEQUENCE);
		p = ASN1_STRING_get0_data(mval);
		mh = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(mval));
		assert_non_null(mh);
		assert_int_equal(OBJ_obj2nid(mh->algorithm), NID_sha256);
		X509_ALGOR_free(mh);
	}
	assert_int_equal(ASN1_INTEGER_get(pss->saltLength), 32);
	assert_null(pss->trailerField);
	RSA_PSS_PARAMS_free(pss);
	X509_ALGOR_free(a);
}

/* Table: method-14 AlgorithmIdentifiers a peer may send, accepted or refused by name. */
static void test_method14_peer_algids(void **state)
{
	struct fx *f = *state;
	struct crypto_sig_key *rsa = crypto_testpki_ee_key(&f->rsa);
	/* PSS SHA-256 as encoders that omit the NULL parameters write it (63 octets) */
	static const uint8_t pss_no_null[] = {
		0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x30,
		0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
		0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0xa2, 0x03, 0x02, 0x01, 0x20};
	static const uint8_t pss_salt20[] = {
		0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x30,
		0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
		0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0xa2, 0x03, 0x02, 0x01, 0x14};
	/* sha384WithRSAEncryption (1.2.840.113549.1.1.12): valid ASN.1, not implemented */
	static const uint8_t sha384_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					     0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00};
	static const uint8_t garbage[] = {0x30, 0x05, 0x06, 0x01};
	const struct {
		const uint8_t *alg;
		size_t alg_len;
		enum crypto_sig_scheme sign_as;
		int rc;
		const char *msg;
	} cases[] = {
		/* 1 */ {pss_no_null, sizeof pss_no_null, CRYPTO_SIG_RSA_PSS_SHA256, CRYPTO_OK, ""},
		/* 2 */ {pss_salt20, sizeof pss_salt20, CRYPTO_SIG_RSA_PSS_SHA256, CRYPTO_EAUTH,
			 "RSASSA-PSS parameters other than SHA-256 / MGF1-SHA-256 / salt 32"},
		/* 3 */ {sha384_rsa, sizeof sha384_rsa, CRYPTO_SIG_RSA_PKCS1_SHA256, CRYPTO_EAUTH,
			 "signature algorithm RSA-SHA384 (1.2.840.113549.1.1.12) is not supported"},
		/* 4 */ {garbage, sizeof garbage, CRYPTO_SIG_RSA_PKCS1_SHA256, CRYPTO_EAUTH,
			 "does not decode"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t auth[IKE_AUTH_DATA_MAX], sig[256], *so = NULL;
		size_t sig_len = sizeof sig, so_len = 0, n;
		struct crypto_diag d = {{0}};
		int rc;

		assert_int_equal(ike_auth_signed_octets(f->kr, 0, &f->in_r, &so, &so_len, NULL), 0);
		assert_int_equal(crypto_sig_sign(rsa, cases[i].sign_as, so, so_len, sig, &sig_len, NULL),
				 CRYPTO_OK);
		free(so);
		auth[0] = (uint8_t)cases[i].alg_len;
		memcpy(auth + 1, cases[i].alg, cases[i].alg_len);
		memcpy(auth + 1 + cases[i].alg_len, sig, sig_len);
		n = 1 + cases[i].alg_len + sig_len;
		rc = ike_auth_verify(f->ki, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE, rsa, auth, n, NULL,
				     &d);
		print_message("case %zu: %d %s\n", i + 1, rc, d.msg);
		assert_int_equal(rc, cases[i].rc);
		assert_non_null(strstr(d.msg, cases[i].msg));
	}
	/* ASN.1 Length running past the data */
	{
		uint8_t auth[4] = {200, 0x30, 0, 0};
		struct crypto_diag d = {{0}};

		assert_int_equal(ike_auth_verify(f->ki, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE, rsa,
						 auth, sizeof auth, NULL, &d),
				 CRYPTO_EAUTH);
		assert_non_null(strstr(d.msg, "ASN.1 Length 200 leaves no signature in 4 octets"));
	}
}

/*
 * authenticate_peer is what the initiator's engine does with the
 * responder's IKE_AUTH: parse the CERT payloads (EE first), verify the
 * chain at |now|, check IDr against the certificate, verify AUTH with the
 * certificate's key. Returns the step that failed (0 = authenticated).
 */
static int authenticate_peer(struct crypto_x509_store *anchors, const uint8_t *const *cert_der,
			     const size_t *cert_len, size_t n_certs, int64_t now, const uint8_t *idr,
			     size_t idr_len, const struct ike_keys *k, const struct ike_auth_input *in,
			     const uint8_t *auth, size_t auth_len, struct crypto_diag *d)
{
	struct crypto_x509 *certs[5] = {0};
	struct crypto_sig_key *pub = NULL;
	int step = 0;

	for (size_t i = 0; i < n_certs; i++)
		if ((certs[i] = crypto_x509_parse_der(cert_der[i], cert_len[i], d)) == NULL) {
			step = 1;
			goto out;
		}
	if (crypto_x509_verify_chain(anchors, certs[0], certs + 1, n_certs - 1, now, NULL, d) != 0) {
		step = 2;
		goto out;
	}
	if (ike_auth_id_matches_cert(certs[0], idr, idr_len, d) != 1) {
		step = 3;
		goto out;
	}
	pub = crypto_x509_public_key(certs[0], d);
	if (pub == NULL || ike_auth_verify(k, 0, in, IKE_AUTHM_DIGITAL_SIGNATURE, pub, auth, auth_len,
					   NULL, d) != CRYPTO_OK)
		step = 4;
out:
	crypto_sig_key_free(pub);
	for (size_t i = 0; i < n_certs; i++)
		crypto_x509_free(certs[i]);
	return step;
}

/* Numbered table of whole peer authentications with an RSA chain of depth 3. */
static void test_peer_authentication(void **state)
{
	struct fx *f = *state;
	struct crypto_x509_store *anchors = crypto_x509_store_new(), *wrong = crypto_x509_store_new();
	struct crypto_x509 *inter[3];
	const uint8_t *der[4];
	size_t len[4];
	uint8_t auth[IKE_AUTH_DATA_MAX], auth_other[IKE_AUTH_DATA_MAX];
	size_t auth_len = sizeof auth, other_len = sizeof auth_other;
	static const uint8_t idr_bad[] = "\x02\0\0\0vpn.vpnlab.test";
	enum { GOOD, NO_INT, EXPIRED, WRONG_ANCHOR, ID_MISMATCH, OTHER_KEY, ONLY_EE };
	static const struct {
		int what;
		int step;
		const char *msg;
	} cases[] = {
		/* 1 */ {GOOD, 0, ""},
		/* 2 */ {NO_INT, 2, "depth 1 (0 = end entity) 'CN=vpnlab Root CA Intermediate 2,O=vpnlab "
				    "test PKI': unable to get local issuer certificate"},
		/* 3 */ {EXPIRED, 2, "certificate has expired (notAfter 2030-01-31 00:00:00 UTC"},
		/* 4 */ {WRONG_ANCHOR, 2, "unable to get local issuer certificate"},
		/* 5 */ {ID_MISMATCH, 3, "identity ID_FQDN 'vpn.vpnlab.test' is not among the "
					  "certificate's subjectAltNames (dNSName gw.vpnlab.test)"},
		/* 6 */ {OTHER_KEY, 4, "of the responder: verify rsa-pkcs1-sha256"},
		/* 7 */ {ONLY_EE, 2, "depth 0"},
	};

	assert_int_equal(crypto_x509_store_add(anchors, crypto_testpki_root(&f->rsa)), 0);
	assert_int_equal(crypto_x509_store_add(wrong, crypto_testpki_root(&f->other)), 0);
	assert_int_equal(crypto_testpki_intermediates(&f->rsa, inter, 3), 2);
	der[0] = crypto_x509_der(crypto_testpki_ee_cert(&f->rsa), &len[0]);
	der[1] = crypto_x509_der(inter[0], &len[1]);
	der[2] = crypto_x509_der(inter[1], &len[2]);
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE,
				       CRYPTO_SIG_RSA_PKCS1_SHA256, crypto_testpki_ee_key(&f->rsa),
				       auth, &auth_len, NULL),
			 0);
	assert_int_equal(ike_auth_sign(f->kr, 0, &f->in_r, IKE_AUTHM_DIGITAL_SIGNATURE,
				       CRYPTO_SIG_RSA_PKCS1_SHA256, crypto_testpki_ee_key(&f->other),
				       auth_other, &other_len, NULL),
			 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const uint8_t *d_list[3] = {der[0], der[1], der[2]};
		size_t l_list[3] = {len[0], len[1], len[2]}, n = 3;
		struct crypto_x509_store *s = anchors;
		int64_t now = NOW;
		const uint8_t *idr = f->idr, *a = auth;
		size_t idr_len = sizeof f->idr, a_len = auth_len;
		struct crypto_diag d = {{0}};
		int step;

		switch (cases[i].what) {
		case NO_INT:
			n = 2; /* Intermediate 1 not sent */
			break;
		case EXPIRED:
			now = T1 + 1;
			break;
		case WRONG_ANCHOR:
			s = wrong;
			break;
		case ID_MISMATCH:
			idr = idr_bad;
			idr_len = sizeof idr_bad - 1;
			break;
		case OTHER_KEY:
			a = auth_other;
			a_len = other_len;
			break;
		case ONLY_EE:
			n = 1;
			break;
		}
		step = authenticate_peer(s, d_list, l_list, n, now, idr, idr_len, f->ki, &f->in_r, a, a_len,
					 &d);
		print_message("case %zu: step %d: %s\n", i + 1, step, d.msg);
		assert_int_equal(step, cases[i].step);
		assert_non_null(strstr(d.msg, cases[i].msg));
	}
	crypto_x509_store_free(anchors);
	crypto_x509_store_free(wrong);
}

static void test_id_body(void **state)
{
	struct fx *f = *state;
	struct crypto_diag d = {{0}};

	assert_int_equal(ike_auth_id_matches_cert(crypto_testpki_ee_cert(&f->rsa), f->idr,
						  sizeof f->idr, &d),
			 1);
	assert_int_equal(ike_auth_id_matches_cert(crypto_testpki_ee_cert(&f->rsa), f->idr, 4, &d),
			 CRYPTO_EINVAL);
	assert_non_null(strstr(d.msg, "4 octets, expected >= 5"));
	assert_int_equal(ike_auth_id_matches_cert(crypto_testpki_ee_cert(&f->rsa),
						  (const uint8_t *)"\x0b\0\0\0keyid", 9, &d),
			 CRYPTO_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk_both_directions),
		cmocka_unit_test(test_psk_independent),
		cmocka_unit_test(test_psk_failures),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_method_mismatch),
		cmocka_unit_test(test_rfc7427_algids),
		cmocka_unit_test(test_method14_peer_algids),
		cmocka_unit_test(test_peer_authentication),
		cmocka_unit_test(test_id_body),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
