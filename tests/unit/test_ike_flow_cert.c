/*
 * test_ike_flow_cert.c — IKE_AUTH with certificates (RFC 7296 §2.15, §3.5-
 * §3.8; RFC 7427; RFC 4754) over a generated 3-deep chain:
 *
 *   root ── intermediate 1 ── intermediate 2 ──┬── gateway  (SAN vpn.example.org)
 *                                              └── client   (SAN alice@example.org)
 *
 * Both trust the root only and send EE + both intermediates; CERTREQ
 * carries the root's key hash. ECDSA P-256 and RSA-2048, with RFC 7427
 * digital signatures (method 14) when both announce SHA2-256, else the
 * classic methods 9 / 1. Identity checks: ID vs certificate, remote_id,
 * untrusted root, missing intermediate — all AUTHENTICATION_FAILED, no
 * CHILD SA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>

#include "ref/crypto/crypto_testpki.h"
#include "ref/ike/ike_profile.h"
#include "tests/unit/test_ike_flow_util.h"

#define T0 1700000000LL

struct pkiset {
	struct crypto_testpki pki;
	struct crypto_x509 *cl_cert;
	struct crypto_sig_key *cl_key;
	struct crypto_x509 *inter[4];
	size_t n_inter;
	struct crypto_x509_store *store;
};

struct fx {
	struct pkiset ec, rsa, other;
};

static int make_set(struct pkiset *s, enum crypto_sig_key_type type, unsigned depth, uint64_t seed, const char *root)
{
	struct crypto_drbg *drbg = crypto_drbg_new(seed, "test_ike_flow_cert");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params p = {
		.key_type = type,
		.depth = depth,
		.root_cn = root,
		.ee = {.cn = "vpn.example.org", .san = {{CRYPTO_X509_ID_FQDN, "vpn.example.org"}}, .n_san = 1},
		.not_before = T0,
		.not_after = T0 + 365LL * 86400,
	};
	struct crypto_testpki_ee cl = {.cn = "alice", .san = {{CRYPTO_X509_ID_RFC822_ADDR, "alice@example.org"}},
				       .n_san = 1};
	struct crypto_diag d;
	int rc = crypto_testpki_make(&p, &rng, &s->pki, &d);

	if (rc == 0)
		rc = crypto_testpki_issue_ee(&s->pki, &cl, &rng, &s->cl_cert, &s->cl_key, &d);
	if (rc != 0)
		fprintf(stderr, "testpki: %s\n", d.msg);
	s->n_inter = crypto_testpki_intermediates(&s->pki, s->inter, 4);
	s->store = crypto_x509_store_new();
	crypto_x509_store_add(s->store, crypto_testpki_root(&s->pki));
	crypto_drbg_free(drbg);
	return rc;
}

static void free_set(struct pkiset *s)
{
	crypto_x509_free(s->cl_cert);
	crypto_sig_key_free(s->cl_key);
	crypto_x509_store_free(s->store);
	crypto_testpki_free(&s->pki);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL || make_set(&f->ec, CRYPTO_SIG_KEY_EC_P256, 3, 1, "EC Root") ||
	    make_set(&f->rsa, CRYPTO_SIG_KEY_RSA, 3, 2, "RSA Root") ||
	    make_set(&f->other, CRYPTO_SIG_KEY_EC_P256, 1, 3, "Other Root"))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free_set(&f->ec);
	free_set(&f->rsa);
	free_set(&f->other);
	free(f);
	return 0;
}

/* use_certs: both sides authenticate with |s|'s certificates and trust its root. */
static void use_certs(struct flow *f, struct pkiset *s)
{
	struct ike_config *c = &f->cl.cfg, *g = &f->gw.cfg;

	c->auth = c->remote_auth = IKE_AUTHC_PUBKEY;
	g->auth = g->remote_auth = IKE_AUTHC_PUBKEY;
	c->key = s->cl_key;
	c->cert = s->cl_cert;
	g->key = crypto_testpki_ee_key(&s->pki);
	g->cert = crypto_testpki_ee_cert(&s->pki);
	for (size_t i = 0; i < s->n_inter; i++)
		c->chain[i] = g->chain[i] = s->inter[i];
	c->n_chain = g->n_chain = s->n_inter;
	c->trust = g->trust = s->store;
	c->cert_time = g->cert_time = T0 + 86400;
	c->remote_id.type = IKE_ID_FQDN;
	c->remote_id.len = strlen("vpn.example.org");
	memcpy(c->remote_id.data, "vpn.example.org", c->remote_id.len);
}

static void cert_handshake(struct flow *f)
{
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	assert_true(flow_sent_has(&f->cl, "N(SIGNATURE_HASH_ALGORITHMS)"));
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	/* <-- IKE_SA_INIT { SA, KE, Nr, CERTREQ, N(NAT_D*), N(FRAG_SUP), N(SIGNATURE_HASH_ALGORITHMS) } */
	assert_true(flow_sent_has(&f->gw, "[SA KE No CERTREQ N(NAT_DETECTION_SOURCE_IP)"));
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
	/* IKE_AUTH { IDi, CERT x3, AUTH, N(INITIAL_CONTACT), CERTREQ, IDr, SA, TSi, TSr } --> */
	assert_true(flow_sent_has(&f->cl, "[IDi CERT CERT CERT AUTH N(INITIAL_CONTACT) CERTREQ IDr SA TSi TSr]"));
	while (flow_pending(f, TO_GW) > 1)
		assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_FRAGMENT);
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	/* <-- IKE_AUTH { IDr, CERT x3, AUTH, SA, TSi, TSr } */
	assert_true(flow_sent_has(&f->gw, "[IDr CERT CERT CERT AUTH SA TSi TSr]"));
	flow_pump(f);
	assert_int_equal(flow_state(&f->cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f->gw), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(f));
}

static void test_ecdsa_chain(void **state)
{
	struct fx *x = *state;
	struct flow f;

	flow_defaults(&f);
	use_certs(&f, &x->ec);
	flow_start(&f, 1);
	cert_handshake(&f);
	assert_int_equal(flow_status(&f.cl, 0).peer_auth_method, IKE_AUTHM_DIGITAL_SIGNATURE);
	assert_int_equal(flow_status(&f.gw, 0).peer_auth_method, IKE_AUTHM_DIGITAL_SIGNATURE);
	assert_int_equal(flow_status(&f.gw, 0).peer_id.type, IKE_ID_RFC822_ADDR);
	flow_free(&f);

	/* classic ECDSA_256 (RFC 4754) when RFC 7427 is not wanted */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.sig = f.gw.cfg.sig = IKE_SIGC_CLASSIC;
	flow_start(&f, 2);
	cert_handshake(&f);
	assert_int_equal(flow_status(&f.cl, 0).peer_auth_method, IKE_AUTHM_ECDSA_256);
	assert_int_equal(flow_status(&f.gw, 0).peer_auth_method, IKE_AUTHM_ECDSA_256);
	flow_free(&f);
}

static void test_rsa_chain(void **state)
{
	struct fx *x = *state;
	struct flow f;

	flow_defaults(&f);
	use_certs(&f, &x->rsa);
	flow_start(&f, 3);
	cert_handshake(&f);
	assert_int_equal(flow_status(&f.gw, 0).peer_auth_method, IKE_AUTHM_DIGITAL_SIGNATURE);
	flow_free(&f);

	/* one side classic: that side signs with RSA_SIG, the other still with method 14 */
	flow_defaults(&f);
	use_certs(&f, &x->rsa);
	f.cl.cfg.sig = IKE_SIGC_CLASSIC;
	flow_start(&f, 4);
	cert_handshake(&f);
	assert_int_equal(flow_status(&f.gw, 0).peer_auth_method, IKE_AUTHM_RSA_SIG);
	assert_int_equal(flow_status(&f.cl, 0).peer_auth_method, IKE_AUTHM_DIGITAL_SIGNATURE);
	flow_free(&f);
}

/* cert_failure runs until the gateway answers IKE_AUTH and checks nobody installed anything */
static void gw_refuses(struct flow *f, const char *why)
{
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
	while (flow_pending(f, TO_GW))
		flow_deliver(f, TO_GW);
	assert_true(flow_sent_has(&f->gw, "IKE_AUTH response mid 1 [N(AUTHENTICATION_FAILED)]"));
	assert_int_equal(flow_count_ev(&f->gw, why), 1);
	flow_pump(f);
	assert_int_equal(ike_sa_count(f->cl.e) + ike_sa_count(f->gw.e), 0);
	assert_int_equal(f->cl.n_child + f->gw.n_child, 0);
	assert_int_equal(flow_count_ev(&f->cl, "\"ev\":\"auth_failed\""), 1);
}

static void test_identity_not_in_cert(void **state)
{
	struct fx *x = *state;
	struct flow f;

	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.local_id.len = strlen("bob@example.org");
	memcpy(f.cl.cfg.local_id.data, "bob@example.org", f.cl.cfg.local_id.len);
	flow_start(&f, 5);
	gw_refuses(&f, "not in its certificate");
	flow_free(&f);
}

static void test_untrusted_and_incomplete_chain(void **state)
{
	struct fx *x = *state;
	struct flow f;

	/* the gateway trusts another root */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.gw.cfg.trust = x->other.store;
	flow_start(&f, 6);
	gw_refuses(&f, "certificate chain");
	flow_free(&f);

	/* the client leaves out intermediate 1 */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.n_chain = 1;
	flow_start(&f, 7);
	gw_refuses(&f, "certificate chain no-issuer");
	flow_free(&f);

	/* the gateway's certificate has expired at the client's time */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.cert_time = T0 + 400LL * 86400;
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_count_ev(&f.cl, "certificate chain expired"), 1);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	flow_free(&f);
}

/* remote_id names someone else: the client refuses the gateway and tells it (§2.21.2) */
static void test_remote_id_mismatch(void **state)
{
	struct fx *x = *state;
	struct flow f;

	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.remote_id.len = strlen("other.example.org");
	memcpy(f.cl.cfg.remote_id.data, "other.example.org", f.cl.cfg.remote_id.len);
	flow_start(&f, 9);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	while (flow_pending(&f, TO_GW))
		flow_deliver(&f, TO_GW);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	while (flow_pending(&f, TO_CL))
		flow_deliver(&f, TO_CL);
	assert_int_equal(flow_count_ev(&f.cl, "expected ID_FQDN:other.example.org"), 1);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	assert_int_equal(f.cl.n_child, 0);
	/* INFORMATIONAL { N(AUTHENTICATION_FAILED) } --> ends the gateway's SA and its CHILD SA */
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 [N(AUTHENTICATION_FAILED)]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	assert_int_equal(flow_live_children(&f.gw), 0);
	flow_free(&f);
}

/* mixed: the client uses a PSK, the gateway a certificate; identity from the DN by default */
static void test_mixed_and_dn(void **state)
{
	struct fx *x = *state;
	struct flow f;

	flow_defaults(&f);
	f.cl.cfg.auth = IKE_AUTHC_PSK;
	f.cl.cfg.remote_auth = IKE_AUTHC_PUBKEY;
	f.cl.cfg.trust = x->rsa.store;
	f.cl.cfg.cert_time = T0 + 10;
	f.gw.cfg.auth = IKE_AUTHC_PUBKEY;
	f.gw.cfg.remote_auth = IKE_AUTHC_PSK;
	f.gw.cfg.key = crypto_testpki_ee_key(&x->rsa.pki);
	f.gw.cfg.cert = crypto_testpki_ee_cert(&x->rsa.pki);
	f.gw.cfg.chain[0] = x->rsa.inter[0];
	f.gw.cfg.chain[1] = x->rsa.inter[1];
	f.gw.cfg.n_chain = 2;
	f.gw.cfg.local_id.type = 0; /* the certificate's subject DN */
	flow_start(&f, 10);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.cl, 0).peer_id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(flow_status(&f.cl, 0).peer_auth_method, IKE_AUTHM_DIGITAL_SIGNATURE);
	assert_int_equal(flow_status(&f.gw, 0).peer_auth_method, IKE_AUTHM_PSK);
	assert_true(flow_esp_check(&f));
	flow_free(&f);

	/* a gateway expecting certificates refuses a PSK client */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.cl.cfg.auth = IKE_AUTHC_PSK;
	flow_start(&f, 11);
	gw_refuses(&f, "used PSK, expected a certificate");
	flow_free(&f);
}

/*
 * dn: identities from a profile and cert_time = now. The client names the
 * gateway by its subject DN typed by hand (other case, blanks after the
 * commas): a Name compares canonically (§3.5), not octet by octet. The
 * wall clock comes from the caller (ike_config_cert_clock), as realnet does.
 */
static void dn_profile(struct ike_config *out, const char *key, const char *dn, int64_t wall_s, uint64_t now_ns)
{
	char text[400], msg[400] = "";
	struct ike_config c;

	snprintf(text, sizeof text,
		 "role = client\nremote_addr = 198.51.100.1\npsk = x\nlocal_id = alice@example.org\n"
		 "%s = dn:\"%s\"\ncert_time = now\n",
		 key, dn);
	if (ike_profile_parse(text, strlen(text), "dn.conf", NULL, &c, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	assert_int_equal(c.remote_id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(c.cert_time, IKE_CERT_TIME_NOW);
	/* unmapped, the engine refuses it */
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), IKE_E_ARG);
	assert_non_null(strstr(msg, "cert_time now: expected the caller to set the wall clock"));
	assert_int_equal(ike_config_cert_clock(&c, wall_s, now_ns), 0);
	out->remote_id = c.remote_id;
	out->cert_time = c.cert_time;
}

static void test_dn_id_and_cert_time(void **state)
{
	struct fx *x = *state;
	struct flow f;
	char subject[200], typed[220];
	size_t n = 0;

	crypto_x509_subject_text(crypto_testpki_ee_cert(&x->ec.pki), subject, sizeof subject);
	for (const char *s = subject; *s && n < sizeof typed - 2; s++) {
		typed[n++] = (char)tolower((unsigned char)*s);
		if (*s == ',')
			typed[n++] = ' ';
	}
	typed[n] = '\0';

	/* wall clock T0 + 1 day when the engine's clock reads 5 s */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.gw.cfg.local_id.type = 0; /* IDr = the certificate's subject */
	dn_profile(&f.cl.cfg, "remote_id", typed, T0 + 86400 + 5, 5 * S_NS);
	assert_int_equal(f.cl.cfg.cert_time, T0 + 86400);
	flow_start(&f, 12);
	cert_handshake(&f);
	assert_int_equal(flow_status(&f.cl, 0).peer_id.type, IKE_ID_DER_ASN1_DN);
	{
		char want[240];

		snprintf(want, sizeof want, "\"peer\":\"ID_DER_ASN1_DN:%s\"", subject);
		assert_int_equal(flow_count_ev(&f.cl, want), 1);
	}
	flow_free(&f);

	/* another DN: refused, and the event names both in text */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.gw.cfg.local_id.type = 0;
	dn_profile(&f.cl.cfg, "remote_id", "CN=vpn.example.org,O=Someone Else", T0 + 86400, 0);
	flow_start(&f, 13);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_count_ev(&f.cl, "expected ID_DER_ASN1_DN:CN=vpn.example.org,O=Someone Else"), 1);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	flow_free(&f);

	/* the wall clock says the gateway's certificate expired */
	flow_defaults(&f);
	use_certs(&f, &x->ec);
	f.gw.cfg.local_id.type = 0;
	dn_profile(&f.cl.cfg, "remote_id", subject, T0 + 400LL * 86400, 0);
	flow_start(&f, 14);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_count_ev(&f.cl, "certificate chain expired"), 1);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	flow_free(&f);
}

/* sizes for the report, and fragmentation of a certificate IKE_AUTH at the default 1252 */
static void test_sizes_cert(void **state)
{
	struct fx *x = *state;
	struct pkiset *sets[2] = {&x->ec, &x->rsa};

	for (int k = 0; k < 2; k++) {
		struct flow f;
		size_t init_req, init_resp, auth_req = 0, auth_resp = 0, nreq, nresp;

		flow_defaults(&f);
		use_certs(&f, sets[k]);
		f.cl.cfg.fragmentation = f.gw.cfg.fragmentation = IKE_FRAG_NO;
		flow_start(&f, 12);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		init_req = flow_peek(&f, TO_GW)->len;
		flow_deliver(&f, TO_GW);
		init_resp = flow_peek(&f, TO_CL)->len;
		flow_deliver(&f, TO_CL);
		auth_req = flow_peek(&f, TO_GW)->len;
		flow_deliver(&f, TO_GW);
		auth_resp = flow_peek(&f, TO_CL)->len;
		flow_deliver(&f, TO_CL);
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		flow_free(&f);
		/* with fragmentation at the default size */
		flow_defaults(&f);
		use_certs(&f, sets[k]);
		flow_start(&f, 12);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		flow_deliver(&f, TO_GW);
		flow_deliver(&f, TO_CL);
		nreq = flow_pending(&f, TO_GW);
		while (flow_pending(&f, TO_GW))
			flow_deliver(&f, TO_GW);
		nresp = flow_pending(&f, TO_CL);
		flow_pump(&f);
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		printf("# sizes %s 3-deep chain: IKE_SA_INIT %zu / %zu, IKE_AUTH %zu / %zu octets "
		       "(%zu / %zu fragments at fragment_size 1252)\n",
		       k == 0 ? "ECDSA P-256" : "RSA-2048", init_req, init_resp, auth_req, auth_resp, nreq, nresp);
		assert_true(auth_req > 1252 ? nreq > 1 : nreq == 1);
		flow_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecdsa_chain),          cmocka_unit_test(test_rsa_chain),
		cmocka_unit_test(test_identity_not_in_cert), cmocka_unit_test(test_untrusted_and_incomplete_chain),
		cmocka_unit_test(test_remote_id_mismatch),   cmocka_unit_test(test_mixed_and_dn),
		cmocka_unit_test(test_dn_id_and_cert_time), cmocka_unit_test(test_sizes_cert),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
