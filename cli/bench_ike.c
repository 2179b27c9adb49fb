/*
 * bench_ike.c — `vpnlab bench ike`: complete IKE_SA_INIT + IKE_AUTH
 * handshakes per second on one core, in memory, between a client and a
 * gateway reference engine (ref/ike/ike.h), beside the crypto bound: what
 * the public-key operations of one handshake cost when OpenSSL runs them
 * back to back through ref/crypto, measured in the same run.
 *
 *   client engine ──send──► queue ──ike_input──► gateway engine
 *                 ◄──ike_input── queue ◄──send──
 *
 * send() only queues (no recursion into the other engine); pump() moves
 * datagrams until both queues are empty. A handshake counts when both
 * engines have handed over the first CHILD SA (child_up).
 *
 * Suites: PSK with X25519, ECDSA P-256 certificates with X25519, RSA-2048
 * certificates with MODP-2048; IKE SA aes256gcm16-prfsha256, ESP the
 * default list, RFC 7427 signatures (the default), fragmentation on (the
 * default: certificate IKE_AUTH messages go out as RFC 7383 fragments).
 * Certificates come from crypto_testpki: root ── int 1 ── int 2 ── EE,
 * each side sends EE + both intermediates and trusts the root.
 *
 * The bound counts, per handshake (both sides together):
 *   dh-keygen     2 x crypto_dh_new + crypto_dh_public
 *   dh-shared     2 x crypto_dh_shared (peer value validated, as the engine does)
 *   sign          2 x crypto_sig_sign over 512 octets (certificate suites)
 *   verify        2 x crypto_sig_verify of such a signature with a long-lived key
 *   chain-verify  2 x crypto_x509_verify_chain of the peer's EE + 2
 *                 intermediates against the root, on certificates parsed
 *                 just before (untimed), so no OpenSSL cache is warm; each
 *                 is 3 signature checks plus path building
 * bound = 1 / (sum of those times). Not counted: PRF/prf+, SK encryption,
 * certificate parsing, nonces, building and parsing messages — the
 * engine's own work, which ours/bound shows.
 *
 * Both sides alternate in batches (ours, bound, bound, ours, ...) sized
 * to a few milliseconds so both see the same clock speed and neighbours;
 * medians over batches drop the ones hit by preemption, like bench esp.
 * Randomness: every engine and the bound's key generation draw from a
 * seeded crypto_drbg (AES-256-CTR), so runs do the same work; OpenSSL's
 * own RAND still supplies ECDSA nonces and RSA blinding.
 */
#include "cli/bench.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/verbs.h"
#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_proposal.h"

#define TARGET_RATIO 0.80
#define T0 1700000000LL /* notBefore of the test PKI; engines check chains a day later */

enum {
	QMAX = 64,           /* datagrams queued one way (RFC 7383 fragments included) */
	MAX_BATCH = 64,      /* handshakes per timed batch */
	MAX_BATCHES = 4096,  /* batches per measurement */
	MAX_ROUNDS = 1000,
	SIGN_LEN = 512,      /* ~ IKE_SA_INIT message + nonce + prf(SK_p, ID') (§2.15) */
	PKI_DEPTH = 3,       /* root + 2 intermediates above each EE */
	N_INTER = PKI_DEPTH - 1,
};

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define CL_ADDR IP4(192, 0, 2, 10)
#define GW_ADDR IP4(198, 51, 100, 1)

/* ---------------------------------------------------------------------- */
/* Suites and the operations the bound counts                              */

enum op { OP_KEYGEN, OP_SHARED, OP_SIGN, OP_VERIFY, OP_CHAIN, N_OPS };
static const char *const op_names[N_OPS] = {"dh-keygen", "dh-shared", "sign", "verify", "chain-verify"};
static const char *const op_json[N_OPS] = {"dh_keygen", "dh_shared", "sign", "verify", "chain_verify"};

struct suite {
	const char *name;
	const char *ike;                 /* the IKE SA proposal, both sides */
	enum crypto_dh_group group;
	int cert;                        /* 0: PSK */
	enum crypto_sig_key_type key_type;
	enum crypto_sig_scheme scheme;   /* what RFC 7427 auth with SHA-256 signs with */
	const char *auth_text;
};

static const struct suite suites[] = {
	{"psk-x25519", "aes256gcm16-prfsha256-curve25519", CRYPTO_DH_CURVE25519, 0, 0, 0, "psk"},
	{"ecdsa-p256-x25519", "aes256gcm16-prfsha256-curve25519", CRYPTO_DH_CURVE25519, 1, CRYPTO_SIG_KEY_EC_P256,
	 CRYPTO_SIG_ECDSA_P256_SHA256_DER, "ecdsa-p256-sha256 (RFC 7427)"},
	{"rsa2048-modp2048", "aes256gcm16-prfsha256-modp2048", CRYPTO_DH_MODP2048, 1, CRYPTO_SIG_KEY_RSA,
	 CRYPTO_SIG_RSA_PKCS1_SHA256, "rsa-pkcs1-sha256 (RFC 7427)"},
};
#define NSUITES (sizeof suites / sizeof suites[0])

/* op_count: how many of |op| one handshake does (both sides). */
static unsigned op_count(const struct suite *s, enum op op)
{
	return op <= OP_SHARED || s->cert ? 2 : 0;
}

/* ---------------------------------------------------------------------- */
/* Credentials                                                             */

struct pki {
	struct crypto_testpki pki;       /* root, intermediates, gateway EE */
	struct crypto_x509 *cl_cert;
	struct crypto_sig_key *cl_key;
	struct crypto_x509 *inter[N_INTER];
	struct crypto_x509_store *trust;
	/* the bound's verify keys: public halves, made once */
	struct crypto_sig_key *gw_pub, *cl_pub;
	/* DER of what each side sends (EE, int 2, int 1): the bound parses these */
	const uint8_t *der[2][PKI_DEPTH];
	size_t der_len[2][PKI_DEPTH];
};

static void pki_free(struct pki *p)
{
	crypto_x509_free(p->cl_cert);
	crypto_sig_key_free(p->cl_key);
	crypto_sig_key_free(p->gw_pub);
	crypto_sig_key_free(p->cl_pub);
	crypto_x509_store_free(p->trust);
	crypto_testpki_free(&p->pki);
	memset(p, 0, sizeof *p);
}

static int pki_make(struct pki *p, enum crypto_sig_key_type type, uint64_t seed, char *why, size_t cap)
{
	struct crypto_drbg *drbg = crypto_drbg_new(seed, "vpnlab bench ike pki");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params par = {
		.key_type = type,
		.depth = PKI_DEPTH,
		.root_cn = type == CRYPTO_SIG_KEY_RSA ? "Bench RSA Root" : "Bench EC Root",
		.ee = {.cn = "vpn.example.org", .san = {{CRYPTO_X509_ID_FQDN, "vpn.example.org"}}, .n_san = 1},
		.not_before = T0,
		.not_after = T0 + 365LL * 86400,
	};
	struct crypto_testpki_ee cl = {.cn = "alice", .san = {{CRYPTO_X509_ID_RFC822_ADDR, "alice@example.org"}},
				       .n_san = 1};
	struct crypto_diag d = {0};
	int rc;

	memset(p, 0, sizeof *p);
	rc = drbg ? crypto_testpki_make(&par, &rng, &p->pki, &d) : CRYPTO_ENOMEM;
	if (rc == 0)
		rc = crypto_testpki_issue_ee(&p->pki, &cl, &rng, &p->cl_cert, &p->cl_key, &d);
	crypto_drbg_free(drbg);
	if (rc != 0) {
		snprintf(why, cap, "test PKI: %.200s", d.msg);
		return -1;
	}
	if (crypto_testpki_intermediates(&p->pki, p->inter, N_INTER) != N_INTER) {
		snprintf(why, cap, "test PKI: expected %d intermediates", N_INTER);
		return -1;
	}
	p->trust = crypto_x509_store_new();
	p->gw_pub = crypto_sig_key_public_copy(crypto_testpki_ee_key(&p->pki), &d);
	p->cl_pub = p->gw_pub ? crypto_sig_key_public_copy(p->cl_key, &d) : NULL;
	if (!p->trust || crypto_x509_store_add(p->trust, crypto_testpki_root(&p->pki)) != 0 || !p->cl_pub) {
		snprintf(why, cap, "test PKI: trust store or public keys: %.200s", d.msg);
		return -1;
	}
	/* side 0 is the client's chain (the gateway verifies it), side 1 the gateway's */
	p->der[0][0] = crypto_x509_der(p->cl_cert, &p->der_len[0][0]);
	p->der[1][0] = crypto_x509_der(crypto_testpki_ee_cert(&p->pki), &p->der_len[1][0]);
	for (int i = 0; i < N_INTER; i++) {
		p->der[0][1 + i] = crypto_x509_der(p->inter[i], &p->der_len[0][1 + i]);
		p->der[1][1 + i] = p->der[0][1 + i];
		p->der_len[1][1 + i] = p->der_len[0][1 + i];
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Two engines in memory                                                   */

struct dgram {
	struct ike_path path;
	uint8_t *buf;
	size_t len, cap;
};

/* side: what one role's callbacks write to — its outgoing queue and counters. */
struct side {
	struct dgram q[QMAX];
	size_t head, tail;
	int overflow;
	unsigned children;
	FILE *ev; /* events of a failed handshake's replay; NULL: none */
};

static void side_send(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len)
{
	struct side *s = ctx;
	struct dgram *d;

	/* QMAX - 1: the slot being processed by ike_input stays untouched */
	if (s->tail - s->head >= QMAX - 1) {
		s->overflow = 1;
		return;
	}
	d = &s->q[s->tail % QMAX];
	if (d->cap < len) {
		uint8_t *b = realloc(d->buf, len);

		if (!b) {
			s->overflow = 1;
			return;
		}
		d->buf = b;
		d->cap = len;
	}
	memcpy(d->buf, buf, len);
	d->len = len;
	d->path = *path;
	s->tail++;
}

static void side_child_up(void *ctx, const struct ike_child_info *ci)
{
	(void)ci;
	((struct side *)ctx)->children++;
}

static void side_child_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	(void)ctx;
	(void)spi_in;
	(void)spi_out;
	(void)reason;
}

static void side_ev(void *ctx, const char *line, size_t len)
{
	struct side *s = ctx;

	if (s->ev)
		fprintf(s->ev, "  %.*s\n", (int)len, line);
}

static void side_reset(struct side *s)
{
	s->head = s->tail = 0;
	s->overflow = 0;
	s->children = 0;
}

static void side_free(struct side *s)
{
	for (int i = 0; i < QMAX; i++)
		free(s->q[i].buf);
	memset(s, 0, sizeof *s);
}

/* pump delivers queued datagrams both ways until both queues are empty; returns how many. */
static size_t pump(struct ike_engine *cl, struct side *cs, struct ike_engine *gw, struct side *gs, uint64_t now)
{
	size_t moved = 0;

	for (;;) {
		struct side *from = cs->head < cs->tail ? cs : gs->head < gs->tail ? gs : NULL;
		struct dgram *d;
		struct ike_path in;

		if (from == NULL || moved > 4 * QMAX)
			return moved;
		d = &from->q[from->head++ % QMAX];
		in = (struct ike_path){d->path.remote_addr, d->path.local_addr, d->path.remote_port,
				       d->path.local_port};
		ike_input(from == cs ? gw : cl, &in, d->buf, d->len, now);
		moved++;
	}
}

/* hs: one suite's engines and everything a batch of handshakes needs. */
struct hs {
	const struct suite *s;
	struct pki *pki;
	struct ike_config ccfg, gcfg;
	struct side cs, gs;
	struct ike_engine *gw;
	struct crypto_drbg *gw_drbg;
	struct ike_engine *cl[MAX_BATCH];
	struct crypto_drbg *cl_drbg[MAX_BATCH];
	size_t n_cl;
	uint64_t seed, now;
	size_t dgrams;        /* datagrams moved in the last batch */
	/* cl_x509, gw_x509: peer certificates parsed once per side (all clients share one) */
	struct crypto_x509_cache *cl_x509, *gw_x509;
};

static int hs_configs(struct hs *h, char *why, size_t cap)
{
	static const char psk[] = "vpnlab bench pre-shared key";
	struct ike_config *c = &h->ccfg, *g = &h->gcfg;

	ike_config_init(c, IKE_ROLE_CLIENT);
	ike_config_init(g, IKE_ROLE_GATEWAY);
	c->local_addr = CL_ADDR;
	c->remote_addr = GW_ADDR;
	g->local_addr = GW_ADDR;
	if (ike_proposal_parse(h->s->ike, IKE_PROTO_IKE, &c->ike, why, cap) != 0 ||
	    ike_proposal_parse(h->s->ike, IKE_PROTO_IKE, &g->ike, why, cap) != 0)
		return -1;
	c->local_id.type = IKE_ID_RFC822_ADDR;
	c->local_id.len = strlen("alice@example.org");
	memcpy(c->local_id.data, "alice@example.org", c->local_id.len);
	g->local_id.type = IKE_ID_FQDN;
	g->local_id.len = strlen("vpn.example.org");
	memcpy(g->local_id.data, "vpn.example.org", g->local_id.len);
	/* every client is alice: keep all their IKE SAs (no INITIAL_CONTACT replacement, §2.4) */
	g->unique = IKE_UNIQUE_NEVER;
	g->max_sas = 4 * MAX_BATCH;
	if (!h->s->cert) {
		memcpy(c->psk, psk, sizeof psk - 1);
		memcpy(g->psk, psk, sizeof psk - 1);
		c->psk_len = g->psk_len = sizeof psk - 1;
		return 0;
	}
	c->auth = c->remote_auth = g->auth = g->remote_auth = IKE_AUTHC_PUBKEY;
	c->key = h->pki->cl_key;
	c->cert = h->pki->cl_cert;
	g->key = crypto_testpki_ee_key(&h->pki->pki);
	g->cert = crypto_testpki_ee_cert(&h->pki->pki);
	for (int i = 0; i < N_INTER; i++)
		c->chain[i] = g->chain[i] = h->pki->inter[i];
	c->n_chain = g->n_chain = N_INTER;
	c->trust = g->trust = h->pki->trust;
	h->cl_x509 = crypto_x509_cache_new(0, 0);
	h->gw_x509 = crypto_x509_cache_new(0, 0);
	if (h->cl_x509 == NULL || h->gw_x509 == NULL) {
		snprintf(why, cap, "out of memory (certificate caches)");
		return -1;
	}
	c->x509_cache = h->cl_x509;
	g->x509_cache = h->gw_x509;
	c->cert_time = g->cert_time = T0 + 86400;
	c->remote_id.type = IKE_ID_FQDN;
	c->remote_id.len = strlen("vpn.example.org");
	memcpy(c->remote_id.data, "vpn.example.org", c->remote_id.len);
	return 0;
}

static struct ike_engine *hs_engine(struct hs *h, const struct ike_config *cfg, struct side *s,
				    struct crypto_drbg **drbg, char *why, size_t cap)
{
	struct ike_callbacks cb;

	*drbg = crypto_drbg_new(h->seed++, cfg->name);
	if (*drbg == NULL) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	memset(&cb, 0, sizeof cb);
	cb.ctx = s;
	cb.send = side_send;
	cb.child_up = side_child_up;
	cb.child_down = side_child_down;
	cb.rng = crypto_drbg_rng(*drbg);
	if (s->ev) {
		cb.ev.emit = side_ev;
		cb.ev.ctx = s;
	}
	return ike_engine_new(cfg, &cb, why, cap);
}

static void hs_release(struct hs *h)
{
	for (size_t i = 0; i < h->n_cl; i++) {
		ike_engine_free(h->cl[i]);
		crypto_drbg_free(h->cl_drbg[i]);
	}
	h->n_cl = 0;
	ike_engine_free(h->gw);
	crypto_drbg_free(h->gw_drbg);
	h->gw = NULL;
	h->gw_drbg = NULL;
}

/* hs_setup makes a fresh gateway and |n| fresh clients (untimed: engines are long-lived objects). */
static int hs_setup(struct hs *h, size_t n, char *why, size_t cap)
{
	hs_release(h);
	side_reset(&h->cs);
	side_reset(&h->gs);
	h->gw = hs_engine(h, &h->gcfg, &h->gs, &h->gw_drbg, why, cap);
	if (h->gw == NULL)
		return -1;
	for (; h->n_cl < n; h->n_cl++) {
		h->cl[h->n_cl] = hs_engine(h, &h->ccfg, &h->cs, &h->cl_drbg[h->n_cl], why, cap);
		if (h->cl[h->n_cl] == NULL)
			return -1;
	}
	return 0;
}

/* hs_run does the prepared handshakes (the timed part). */
static void hs_run(struct hs *h)
{
	h->dgrams = 0;
	for (size_t i = 0; i < h->n_cl; i++) {
		h->now += 1000000; /* a millisecond of virtual time per handshake */
		ike_client_start(h->cl[i], h->now);
		h->dgrams += pump(h->cl[i], &h->cs, h->gw, &h->gs, h->now);
	}
}

/* hs_check: every client and the gateway got their CHILD SA, and every client is ESTABLISHED. */
static int hs_check(struct hs *h, char *why, size_t cap)
{
	for (size_t i = 0; i < h->n_cl; i++) {
		struct ike_sa_status st;

		if (ike_sa_status(h->cl[i], 0, &st) != 0) {
			snprintf(why, cap, "%s: handshake %zu of %zu: the client has no IKE SA left, expected one ESTABLISHED",
				 h->s->name, i + 1, h->n_cl);
			return -1;
		}
		if (st.state != IKE_S_ESTABLISHED) {
			snprintf(why, cap, "%s: handshake %zu of %zu: client in %s, expected ESTABLISHED (last error notify %u)",
				 h->s->name, i + 1, h->n_cl, ike_state_name(st.state), st.last_error);
			return -1;
		}
		if (h->s->cert && st.peer_auth_method != IKE_AUTHM_DIGITAL_SIGNATURE) {
			snprintf(why, cap, "%s: gateway authenticated with method %u, expected RFC 7427 (14)",
				 h->s->name, st.peer_auth_method);
			return -1;
		}
	}
	if (h->cs.overflow || h->gs.overflow || h->cs.children != h->n_cl || h->gs.children != h->n_cl) {
		snprintf(why, cap, "%s: %u client and %u gateway CHILD SAs for %zu handshakes%s", h->s->name,
			 h->cs.children, h->gs.children, h->n_cl, h->cs.overflow || h->gs.overflow ? " (queue overflow)" : "");
		return -1;
	}
	return 0;
}

/*
 * hs_replay_verbose prints |why| (and empties it: it has been said), then
 * runs one handshake with events on stderr to show where it failed.
 */
static void hs_replay_verbose(struct hs *h, char *why_failed)
{
	char why[256];

	fprintf(stderr, "vpnlab bench ike: %s\nvpnlab bench ike: events of one %s handshake:\n", why_failed,
		h->s->name);
	why_failed[0] = '\0';
	h->cs.ev = h->gs.ev = stderr;
	if (hs_setup(h, 1, why, sizeof why) == 0)
		hs_run(h);
	else
		fprintf(stderr, "  %s\n", why);
	h->cs.ev = h->gs.ev = NULL;
}

/* ---------------------------------------------------------------------- */
/* The bound: the counted crypto operations of |n| handshakes              */

struct bound {
	const struct suite *s;
	struct pki *pki;
	struct crypto_drbg *drbg;
	struct crypto_rng rng;
	uint8_t msg[SIGN_LEN];
	struct crypto_dh *dh[2 * MAX_BATCH];
	uint8_t pub[2 * MAX_BATCH][256];
	uint8_t sig[2 * MAX_BATCH][512];
	size_t sig_len[2 * MAX_BATCH];
	struct crypto_x509 *cert[2 * MAX_BATCH][PKI_DEPTH];
};

static void bound_free_certs(struct bound *b)
{
	for (size_t j = 0; j < 2 * MAX_BATCH; j++)
		for (int k = 0; k < PKI_DEPTH; k++) {
			crypto_x509_free(b->cert[j][k]);
			b->cert[j][k] = NULL;
		}
}

static void bound_free_dh(struct bound *b)
{
	for (size_t j = 0; j < 2 * MAX_BATCH; j++) {
		crypto_dh_free(b->dh[j]);
		b->dh[j] = NULL;
	}
}

/*
 * bound_run times the counted operations of |n| handshakes into t[op] (ns).
 * Index j: even = the client's operation, odd = the gateway's.
 */
static int bound_run(struct bound *b, size_t n, uint64_t t[N_OPS], char *why, size_t cap)
{
	const struct suite *s = b->s;
	size_t pl = crypto_dh_pub_len(s->group), sl = crypto_dh_shared_len(s->group);
	uint8_t shared[256];
	struct crypto_diag d = {0};
	uint64_t t0;
	int err = 0;

	memset(t, 0, N_OPS * sizeof t[0]);
	t0 = bench_now_ns();
	for (size_t j = 0; j < 2 * n; j++) {
		b->dh[j] = crypto_dh_new(s->group, &b->rng, &err);
		if (!b->dh[j] || crypto_dh_public(b->dh[j], b->pub[j], pl) != 0)
			goto dh_fail;
	}
	t[OP_KEYGEN] = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (size_t j = 0; j < 2 * n; j++)
		if (crypto_dh_shared(b->dh[j], b->pub[j ^ 1], pl, shared, sl) != 0)
			goto dh_fail;
	t[OP_SHARED] = bench_now_ns() - t0;
	bound_free_dh(b);
	if (!s->cert)
		return 0;

	t0 = bench_now_ns();
	for (size_t j = 0; j < 2 * n; j++) {
		const struct crypto_sig_key *k = j & 1 ? crypto_testpki_ee_key(&b->pki->pki) : b->pki->cl_key;

		b->sig_len[j] = sizeof b->sig[j];
		if (crypto_sig_sign(k, s->scheme, b->msg, sizeof b->msg, b->sig[j], &b->sig_len[j], &d) != 0)
			goto sig_fail;
	}
	t[OP_SIGN] = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (size_t j = 0; j < 2 * n; j++) {
		const struct crypto_sig_key *k = j & 1 ? b->pki->gw_pub : b->pki->cl_pub;

		if (crypto_sig_verify(k, s->scheme, b->msg, sizeof b->msg, b->sig[j], b->sig_len[j], &d) != 0)
			goto sig_fail;
	}
	t[OP_VERIFY] = bench_now_ns() - t0;

	/* the peer's chain, parsed fresh (untimed): the client checks the gateway's and vice versa */
	for (size_t j = 0; j < 2 * n; j++)
		for (int k = 0; k < PKI_DEPTH; k++) {
			size_t peer = (j & 1) ^ 1;

			b->cert[j][k] = crypto_x509_parse_der(b->pki->der[peer][k], b->pki->der_len[peer][k], &d);
			if (!b->cert[j][k]) {
				snprintf(why, cap, "%s: bound: certificate parse: %.200s", s->name, d.msg);
				bound_free_certs(b);
				return -1;
			}
		}
	t0 = bench_now_ns();
	for (size_t j = 0; j < 2 * n; j++)
		if (crypto_x509_verify_chain(b->pki->trust, b->cert[j][0], &b->cert[j][1], N_INTER, T0 + 86400, NULL,
					     &d) != 0) {
			snprintf(why, cap, "%s: bound: chain verification: %.200s", s->name, d.msg);
			bound_free_certs(b);
			return -1;
		}
	t[OP_CHAIN] = bench_now_ns() - t0;
	bound_free_certs(b);
	return 0;
dh_fail:
	snprintf(why, cap, "%s: bound: DH: %s", s->name, crypto_strerror(err ? err : CRYPTO_EINTERNAL));
	bound_free_dh(b);
	return -1;
sig_fail:
	snprintf(why, cap, "%s: bound: %s: %.200s", s->name, crypto_sig_scheme_name(s->scheme), d.msg);
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Measurement                                                             */

struct result {
	const struct suite *s;
	size_t batch, handshakes;
	double dgrams;                 /* datagrams per handshake */
	double ours_hs, bound_hs;      /* handshakes per second */
	double ratio;                  /* ours / bound */
	double op_ns[N_OPS];           /* one operation */
};

struct meas {
	double ours[MAX_BATCHES], bnd[MAX_BATCHES], ratio[MAX_BATCHES];
	double op[N_OPS][MAX_BATCHES];
	double r_ours[MAX_ROUNDS], r_bnd[MAX_ROUNDS], r_ratio[MAX_ROUNDS];
	double r_op[N_OPS][MAX_ROUNDS];
};

/*
 * measure_pair alternates batches of ours and bound (ours, bound, bound,
 * ours, ...) until each side has run about |dur_ns| (at least 3 pairs),
 * then puts the medians into round |k| of |m|: per-handshake ns of ours
 * and of the bound, their per-pair ratio, and each operation's ns.
 */
static int measure_pair(struct hs *h, struct bound *b, size_t batch, uint64_t dur_ns, struct meas *m, unsigned k,
			size_t *handshakes, char *why, size_t cap)
{
	uint64_t spent = 0;
	size_t n = 0;

	while ((spent < 2 * dur_ns || n < 3) && n < MAX_BATCHES) {
		double t_ours = 0, t_bnd = 0;

		for (int turn = 0; turn < 2; turn++) {
			if (((n + (size_t)turn) & 1) == 0) {
				uint64_t t0, dt;

				if (hs_setup(h, batch, why, cap))
					return -1;
				t0 = bench_now_ns();
				hs_run(h);
				dt = bench_now_ns() - t0;
				if (hs_check(h, why, cap)) {
					hs_replay_verbose(h, why);
					return -1;
				}
				t_ours = (double)dt;
				spent += dt;
				*handshakes += batch;
			} else {
				uint64_t t[N_OPS], sum = 0;

				if (bound_run(b, batch, t, why, cap))
					return -1;
				for (int o = 0; o < N_OPS; o++) {
					unsigned c = op_count(h->s, (enum op)o);

					sum += t[o];
					m->op[o][n] = c ? (double)t[o] / ((double)batch * c) : 0;
				}
				t_bnd = (double)sum;
				spent += sum;
			}
		}
		m->ours[n] = t_ours / (double)batch;
		m->bnd[n] = t_bnd / (double)batch;
		m->ratio[n] = t_ours > 0 ? t_bnd / t_ours : 0;
		n++;
	}
	m->r_ours[k] = bench_median(m->ours, n);
	m->r_bnd[k] = bench_median(m->bnd, n);
	m->r_ratio[k] = bench_median(m->ratio, n);
	for (int o = 0; o < N_OPS; o++)
		m->r_op[o][k] = bench_median(m->op[o], n);
	return 0;
}

static int run_suite(const struct suite *s, struct pki *pki, uint64_t dur_ns, unsigned rounds, struct result *r)
{
	static struct hs h;
	static struct bound b;
	static struct meas m;
	size_t batch, hs_total = 0, warm_hs = 0;
	uint64_t t0, one;
	char why[320] = "";
	int rc = -1;

	memset(&h, 0, sizeof h);
	memset(&b, 0, sizeof b);
	h.s = b.s = s;
	h.pki = b.pki = pki;
	h.seed = 1;
	b.drbg = crypto_drbg_new(99, "vpnlab bench ike bound");
	if (b.drbg == NULL) {
		snprintf(why, sizeof why, "out of memory");
		goto out;
	}
	b.rng = crypto_drbg_rng(b.drbg);
	for (size_t i = 0; i < sizeof b.msg; i++)
		b.msg[i] = (uint8_t)(i * 31 + 7);
	if (hs_configs(&h, why, sizeof why))
		goto out;

	/* calibrate: the second handshake (the first pays OpenSSL's lazy set-up) sizes the batches to ~5 ms */
	for (int k = 0; k < 2; k++) {
		if (hs_setup(&h, 1, why, sizeof why))
			goto out;
		t0 = bench_now_ns();
		hs_run(&h);
		one = bench_now_ns() - t0;
		if (hs_check(&h, why, sizeof why)) {
			hs_replay_verbose(&h, why);
			goto out;
		}
	}
	batch = one ? (size_t)(5000000 / one) : MAX_BATCH;
	batch = batch < 1 ? 1 : batch > MAX_BATCH ? MAX_BATCH : batch;
	r->dgrams = (double)h.dgrams;

	/* warm up both sides (caches, branch predictors, OpenSSL's lazily built tables) */
	if (measure_pair(&h, &b, batch, dur_ns / 10, &m, 0, &warm_hs, why, sizeof why))
		goto out;
	for (unsigned k = 0; k < rounds; k++)
		if (measure_pair(&h, &b, batch, dur_ns, &m, k, &hs_total, why, sizeof why))
			goto out;
	r->s = s;
	r->batch = batch;
	r->handshakes = hs_total;
	r->ours_hs = 1e9 / bench_median(m.r_ours, rounds);
	r->bound_hs = 1e9 / bench_median(m.r_bnd, rounds);
	r->ratio = bench_median(m.r_ratio, rounds);
	for (int o = 0; o < N_OPS; o++)
		r->op_ns[o] = bench_median(m.r_op[o], rounds);
	rc = 0;
out:
	if (rc && why[0])
		fprintf(stderr, "vpnlab bench ike: %s\n", why);
	hs_release(&h);
	side_free(&h.cs);
	side_free(&h.gs);
	crypto_x509_cache_free(h.cl_x509);
	crypto_x509_cache_free(h.gw_x509);
	bound_free_dh(&b);
	bound_free_certs(&b);
	crypto_drbg_free(b.drbg);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Output                                                                  */

static void ike_usage(FILE *f)
{
	fprintf(f,
		"usage: vpnlab bench ike [--quick] [--json] [--duration-ms N] [--rounds N] [--alg SUITE]\n\n"
		"Complete IKE_SA_INIT + IKE_AUTH handshakes (with the first CHILD SA) per\n"
		"second on one core, client and gateway engines exchanging datagrams in\n"
		"memory, beside the crypto bound: 1 / the time OpenSSL (through ref/crypto)\n"
		"needs for the public-key operations of one handshake, both sides:\n"
		"2 DH keygen + 2 DH shared, and with certificates 2 signatures + 2\n"
		"verifications + 2 chain verifications (EE + 2 intermediates to the root).\n"
		"Suites:");
	for (size_t i = 0; i < NSUITES; i++)
		fprintf(f, " %s", suites[i].name);
	fprintf(f, "\n\n"
		   "  --quick          100 ms x 2 rounds per side and suite\n"
		   "  --json           one JSON document on stdout instead of the table\n"
		   "  --duration-ms N  timed milliseconds per side, suite and round (default\n"
		   "                   1000, quick 100)\n"
		   "  --rounds N       rounds per suite (default 3, quick 2)\n"
		   "  --alg SUITE      only this suite\n\n"
		   "Ours and the bound run in alternating batches of about 5 ms. Reported:\n"
		   "handshakes/s from the median batch, the bound from the median batch of\n"
		   "operations, ours/bound as the median of per-pair ratios; over rounds, the\n"
		   "medians of those. Target: ours/bound >= %.2f for every suite.\n",
		TARGET_RATIO);
}

static void print_json(FILE *f, const struct bench_opts *o, unsigned dur_ms, unsigned rounds,
		       const struct result *r, size_t n)
{
	char cpu[256];
	int met = 1;

	bench_cpu_model(cpu, sizeof cpu);
	fprintf(f, "{\"bench\":\"ike\",\"openssl\":");
	bench_json_str(f, OpenSSL_version(OPENSSL_VERSION));
	fprintf(f, ",\"cpu\":");
	bench_json_str(f, cpu);
	fprintf(f, ",\"quick\":%s,\"duration_ms\":%u,\"rounds\":%u,\"rng\":\"crypto_drbg\",\"pki_depth\":%d,"
		   "\"sign_octets\":%d,\"results\":[",
		o->quick ? "true" : "false", dur_ms, rounds, PKI_DEPTH, SIGN_LEN);
	for (size_t i = 0; i < n; i++) {
		met &= r[i].ratio >= TARGET_RATIO;
		fprintf(f, "%s\n{\"suite\":\"%s\",\"ike\":\"%s\",\"auth\":", i ? "," : "", r[i].s->name, r[i].s->ike);
		bench_json_str(f, r[i].s->auth_text);
		fprintf(f, ",\"batch\":%zu,\"handshakes\":%zu,\"datagrams_per_handshake\":%.0f,"
			   "\"ours_hs_per_s\":%.1f,\"bound_hs_per_s\":%.1f,\"ratio\":%.4f,\"met\":%s,\"ops\":{",
			r[i].batch, r[i].handshakes, r[i].dgrams, r[i].ours_hs, r[i].bound_hs, r[i].ratio,
			r[i].ratio >= TARGET_RATIO ? "true" : "false");
		for (int k = 0, first = 1; k < N_OPS; k++) {
			unsigned c = op_count(r[i].s, (enum op)k);

			if (!c)
				continue;
			fprintf(f, "%s\"%s\":{\"per_handshake\":%u,\"ops_per_s\":%.1f}", first ? "" : ",", op_json[k], c,
				r[i].op_ns[k] > 0 ? 1e9 / r[i].op_ns[k] : 0);
			first = 0;
		}
		fprintf(f, "}}");
	}
	fprintf(f, "],\n\"target\":{\"min_ratio\":%.2f,\"met\":%s}}\n", TARGET_RATIO, met ? "true" : "false");
}

static void print_table(FILE *f, unsigned dur_ms, unsigned rounds, const struct result *r, size_t n)
{
	char cpu[256];
	int met = 1;

	bench_cpu_model(cpu, sizeof cpu);
	fprintf(f, "vpnlab bench ike: one core, in memory, %u round(s) x %u ms per side and suite,\n"
		   "  engines and bound alternating in batches of ~5 ms, medians\n"
		   "  bound = %s through ref/crypto; CPU: %s\n"
		   "  rng: seeded crypto_drbg; certificates: root - int 1 - int 2 - EE, RFC 7427\n\n",
		rounds, dur_ms, OpenSSL_version(OPENSSL_VERSION), cpu);
	fprintf(f, "%-19s %8s %12s %12s %10s  %s\n", "suite", "dgrams", "handshakes/s", "bound/s", "ours/bound",
		"target");
	for (size_t i = 0; i < n; i++) {
		met &= r[i].ratio >= TARGET_RATIO;
		fprintf(f, "%-19s %8.0f %12.1f %12.1f %10.3f  %s\n", r[i].s->name, r[i].dgrams, r[i].ours_hs,
			r[i].bound_hs, r[i].ratio, r[i].ratio >= TARGET_RATIO ? "met" : "NOT met");
	}
	fprintf(f, "\ncrypto operations per second (count per handshake, both sides):\n%-19s", "suite");
	for (int k = 0; k < N_OPS; k++)
		fprintf(f, " %14s", op_names[k]);
	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%-19s", r[i].s->name);
		for (int k = 0; k < N_OPS; k++) {
			unsigned c = op_count(r[i].s, (enum op)k);
			char cell[32];

			if (c)
				snprintf(cell, sizeof cell, "%.0f (x%u)", 1e9 / r[i].op_ns[k], c);
			else
				snprintf(cell, sizeof cell, "-");
			fprintf(f, " %14s", cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\ntarget: ours/bound >= %.2f for every suite: %s\n", TARGET_RATIO, met ? "met" : "NOT met");
}

int bench_ike(int argc, char **argv)
{
	struct bench_opts o;
	struct result res[NSUITES];
	struct pki ec, rsa;
	unsigned dur_ms, rounds;
	size_t n = 0;
	char why[320];
	int rc = bench_parse_opts(argc, argv, &o), found = 0, need_ec = 0, need_rsa = 0;

	if (rc > 0) {
		ike_usage(stdout);
		return EXIT_PASS;
	}
	if (rc < 0)
		return EXIT_ERROR;
	if (o.size) {
		fprintf(stderr, "vpnlab bench ike: --size %u: not an option of bench ike (it has no packet size)\n",
			o.size);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < NSUITES; i++)
		if (!o.alg || strcmp(o.alg, suites[i].name) == 0) {
			found = 1;
			need_ec |= suites[i].cert && suites[i].key_type == CRYPTO_SIG_KEY_EC_P256;
			need_rsa |= suites[i].cert && suites[i].key_type == CRYPTO_SIG_KEY_RSA;
		}
	if (!found) {
		fprintf(stderr, "vpnlab bench ike: --alg '%s': expected one of", o.alg);
		for (size_t i = 0; i < NSUITES; i++)
			fprintf(stderr, " %s", suites[i].name);
		fprintf(stderr, "\n");
		return EXIT_ERROR;
	}
	dur_ms = o.duration_ms ? o.duration_ms : o.quick ? 100 : 1000;
	rounds = o.rounds ? o.rounds : o.quick ? 2 : 3;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;

	memset(&ec, 0, sizeof ec);
	memset(&rsa, 0, sizeof rsa);
	rc = EXIT_ERROR;
	if ((need_ec && pki_make(&ec, CRYPTO_SIG_KEY_EC_P256, 1, why, sizeof why)) ||
	    (need_rsa && pki_make(&rsa, CRYPTO_SIG_KEY_RSA, 2, why, sizeof why))) {
		fprintf(stderr, "vpnlab bench ike: %s\n", why);
		goto out;
	}
	for (size_t i = 0; i < NSUITES; i++) {
		const struct suite *s = &suites[i];

		if (o.alg && strcmp(o.alg, s->name) != 0)
			continue;
		if (run_suite(s, s->key_type == CRYPTO_SIG_KEY_RSA ? &rsa : &ec, (uint64_t)dur_ms * 1000000u, rounds,
			      &res[n]))
			goto out;
		n++;
	}
	if (o.json)
		print_json(stdout, &o, dur_ms, rounds, res, n);
	else
		print_table(stdout, dur_ms, rounds, res, n);
	rc = EXIT_PASS;
out:
	pki_free(&ec);
	pki_free(&rsa);
	return rc;
}
