/*
 * test_ike_flow_util.h — two IKE engines (client, gateway) exchanging bytes
 * in memory, for the RFC-flow tests (test_ike_flow_*.c). Nothing is
 * delivered on its own: a test moves each datagram with flow_deliver (or
 * loses it with flow_drop), so it reads like the RFC flow it checks:
 *
 *   // IKE_SA_INIT { SA, KE, Ni, N(NAT_D*), N(FRAG_SUP) } -->
 *   assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
 *
 * Between the two sits an optional hide-NAT (flow.nat): client packets get
 * the public address and a mapped port, answers are mapped back. Time only
 * moves with flow_advance, which runs both engines' timers. After every
 * engine call the harness compares the engine's indexes with a scan of its
 * SAs (ike_engine_check) and aborts on a difference.
 *
 *      client 10.0.0.2 ──[ NAT 203.0.113.7 ]── gateway 198.51.100.1
 *      (192.0.2.10 without the NAT)
 */
#ifndef VPNLAB_TEST_IKE_FLOW_UTIL_H
#define VPNLAB_TEST_IKE_FLOW_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_const.h"
#include "tests/lib/testutil.h"

#define FLOW_FN static __attribute__((unused))
#define S_NS (UINT64_C(1000000000))

enum { TO_GW = 0, TO_CL = 1, FLOW_QMAX = 512, FLOW_CHILD_MAX = 16, FLOW_NAT_MAX = 16 };

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

struct flow_dgram {
	struct ike_path path; /* as the sender gave it */
	uint8_t *buf;
	size_t len;
};

struct flow_queue {
	struct flow_dgram d[FLOW_QMAX];
	size_t head, tail;
};

struct flow_child {
	int up;
	struct ike_child_info ci;
	uint8_t enc_in[64], enc_out[64], integ_in[64], integ_out[64];
};

struct flow_peer {
	const char *name;
	struct ike_config cfg;
	struct ike_engine *e;
	struct crypto_drbg *drbg;
	struct flow_queue out;
	struct flow_child child[FLOW_CHILD_MAX];
	size_t n_child, n_down;
	uint32_t down_spi_in[FLOW_CHILD_MAX];
	size_t path_changes;
	struct ike_path last_path;
	size_t keepalives;
	struct ev_lines ev;
	uint8_t *log;   /* every datagram sent, concatenated (determinism test) */
	size_t log_len;
};

struct flow_nat_map {
	uint32_t priv_addr, pub_addr;
	uint16_t priv_port, pub_port;
};

struct flow {
	struct flow_peer cl, gw;
	uint64_t now;
	int nat;
	uint32_t nat_public;
	uint16_t nat_next_port;
	struct flow_nat_map map[FLOW_NAT_MAX];
	size_t n_map;
	int gw_nat;          /* the gateway sits behind a port-preserving forward */
	uint32_t gw_public;  /* what the client talks to */
	uint32_t gw_private; /* what the gateway is */
	int verbose;
};

/* ---------------------------------------------------------------------- */

static void flow_emit(void *ctx, const char *line, size_t len)
{
	struct flow_peer *p = ctx;

	ev_collect(&p->ev, line, len);
	if (getenv("IKE_FLOW_VERBOSE"))
		fprintf(stderr, "%-6s %.*s\n", p->name, (int)len, line);
}

static void flow_send(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len)
{
	struct flow_peer *p = ctx;
	struct flow_dgram *d;
	uint8_t *grown = realloc(p->log, p->log_len + len);

	if (grown == NULL)
		abort();
	memcpy(grown + p->log_len, buf, len);
	p->log = grown;
	p->log_len += len;
	if (len == 1 && buf[0] == 0xFF) {
		p->keepalives++;
		return;
	}
	if (p->out.tail - p->out.head >= FLOW_QMAX)
		abort();
	d = &p->out.d[p->out.tail++ % FLOW_QMAX];
	d->path = *path;
	d->buf = malloc(len);
	if (d->buf == NULL)
		abort();
	memcpy(d->buf, buf, len);
	d->len = len;
}

static void flow_child_up(void *ctx, const struct ike_child_info *ci)
{
	struct flow_peer *p = ctx;
	struct flow_child *c;

	if (p->n_child >= FLOW_CHILD_MAX)
		abort();
	c = &p->child[p->n_child++];
	c->up = 1;
	c->ci = *ci;
	memcpy(c->enc_in, ci->enc_key_in, ci->enc_key_len);
	memcpy(c->enc_out, ci->enc_key_out, ci->enc_key_len);
	if (ci->integ_key_len) {
		memcpy(c->integ_in, ci->integ_key_in, ci->integ_key_len);
		memcpy(c->integ_out, ci->integ_key_out, ci->integ_key_len);
	}
	c->ci.enc_key_in = c->enc_in;
	c->ci.enc_key_out = c->enc_out;
	c->ci.integ_key_in = ci->integ_key_len ? c->integ_in : NULL;
	c->ci.integ_key_out = ci->integ_key_len ? c->integ_out : NULL;
}

static void flow_child_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	struct flow_peer *p = ctx;

	(void)spi_out;
	(void)reason;
	for (size_t i = 0; i < p->n_child; i++)
		if (p->child[i].up && p->child[i].ci.spi_in == spi_in)
			p->child[i].up = 0;
	if (p->n_down < FLOW_CHILD_MAX)
		p->down_spi_in[p->n_down] = spi_in;
	p->n_down++;
}

static void flow_path_changed(void *ctx, uint64_t spi_i, uint64_t spi_r, const struct ike_path *path)
{
	struct flow_peer *p = ctx;

	/* like a host adapter: the CHILD SAs announced with these IKE SPIs move */
	for (size_t i = 0; i < p->n_child; i++)
		if (p->child[i].up && p->child[i].ci.ike_spi_i == spi_i && p->child[i].ci.ike_spi_r == spi_r)
			p->child[i].ci.path = *path;
	p->path_changes++;
	p->last_path = *path;
}

/* flow_check: the engine's indexes agree with a scan of its SAs (the differential model). */
static void flow_check(const struct ike_engine *e, const char *where)
{
	char msg[300];

	if (e != NULL && ike_engine_check(e, msg, sizeof msg) != 0) {
		fprintf(stderr, "flow: %s: %s\n", where, msg);
		abort();
	}
}

/* flow_defaults: a PSK client and gateway with default algorithms, no NAT. */
FLOW_FN void flow_defaults(struct flow *f)
{
	static const char psk[] = "vpnlab test psk";

	memset(f, 0, sizeof *f);
	f->cl.name = "client";
	f->gw.name = "gw";
	ike_config_init(&f->cl.cfg, IKE_ROLE_CLIENT);
	ike_config_init(&f->gw.cfg, IKE_ROLE_GATEWAY);
	f->cl.cfg.local_addr = IP(192, 0, 2, 10);
	f->cl.cfg.remote_addr = IP(198, 51, 100, 1);
	f->gw.cfg.local_addr = IP(198, 51, 100, 1);
	memcpy(f->cl.cfg.psk, psk, sizeof psk - 1);
	f->cl.cfg.psk_len = sizeof psk - 1;
	memcpy(f->gw.cfg.psk, psk, sizeof psk - 1);
	f->gw.cfg.psk_len = sizeof psk - 1;
	f->cl.cfg.local_id.type = IKE_ID_RFC822_ADDR;
	f->cl.cfg.local_id.len = strlen("alice@example.org");
	memcpy(f->cl.cfg.local_id.data, "alice@example.org", f->cl.cfg.local_id.len);
	f->gw.cfg.local_id.type = IKE_ID_FQDN;
	f->gw.cfg.local_id.len = strlen("vpn.example.org");
	memcpy(f->gw.cfg.local_id.data, "vpn.example.org", f->gw.cfg.local_id.len);
	f->nat_public = IP(203, 0, 113, 7);
	f->nat_next_port = 40000;
}

/* flow_behind_nat puts the client behind the hide-NAT (private address). */
FLOW_FN void flow_behind_nat(struct flow *f)
{
	f->nat = 1;
	f->cl.cfg.local_addr = IP(10, 0, 0, 2);
}

/*
 * flow_gw_behind_nat puts the gateway behind a port forward: the client
 * talks to 198.51.100.1, the gateway is 10.1.0.1 (ports unchanged).
 */
FLOW_FN void flow_gw_behind_nat(struct flow *f)
{
	f->gw_nat = 1;
	f->gw_public = IP(198, 51, 100, 1);
	f->gw_private = IP(10, 1, 0, 1);
	f->gw.cfg.local_addr = f->gw_private;
}

static void flow_peer_start(struct flow_peer *p, uint64_t seed)
{
	struct ike_callbacks cb;
	char msg[256] = "";

	p->drbg = crypto_drbg_new(seed, p->name);
	memset(&cb, 0, sizeof cb);
	cb.ctx = p;
	cb.send = flow_send;
	cb.child_up = flow_child_up;
	cb.child_down = flow_child_down;
	cb.path_changed = flow_path_changed;
	cb.rng = crypto_drbg_rng(p->drbg);
	cb.ev.emit = flow_emit;
	cb.ev.ctx = p;
	p->e = ike_engine_new(&p->cfg, &cb, msg, sizeof msg);
	if (p->e == NULL) {
		fprintf(stderr, "%s: ike_engine_new: %s\n", p->name, msg);
		abort();
	}
}

/* flow_start creates both engines; both DRBGs come from |seed|. */
FLOW_FN void flow_start(struct flow *f, uint64_t seed)
{
	flow_peer_start(&f->cl, seed);
	flow_peer_start(&f->gw, seed);
}

static void flow_queue_free(struct flow_queue *q)
{
	while (q->head < q->tail)
		free(q->d[q->head++ % FLOW_QMAX].buf);
}

FLOW_FN void flow_free(struct flow *f)
{
	struct flow_peer *ps[2] = {&f->cl, &f->gw};

	for (int i = 0; i < 2; i++) {
		ike_engine_free(ps[i]->e);
		crypto_drbg_free(ps[i]->drbg);
		flow_queue_free(&ps[i]->out);
		ev_lines_free(&ps[i]->ev);
		free(ps[i]->log);
	}
}

FLOW_FN size_t flow_pending(const struct flow *f, int dir)
{
	const struct flow_queue *q = dir == TO_GW ? &f->cl.out : &f->gw.out;

	return q->tail - q->head;
}

/* flow_nat_out maps the client's source; flow_nat_in maps an answer back (0 = no mapping). */
static void flow_nat_out(struct flow *f, uint32_t *addr, uint16_t *port)
{
	for (size_t i = 0; i < f->n_map; i++)
		if (f->map[i].priv_addr == *addr && f->map[i].priv_port == *port) {
			*addr = f->map[i].pub_addr;
			*port = f->map[i].pub_port;
			return;
		}
	if (f->n_map >= FLOW_NAT_MAX)
		abort();
	f->map[f->n_map] = (struct flow_nat_map){*addr, f->nat_public, *port, f->nat_next_port++};
	*addr = f->nat_public;
	*port = f->map[f->n_map++].pub_port;
}

static int flow_nat_in(struct flow *f, uint32_t *addr, uint16_t *port)
{
	for (size_t i = 0; i < f->n_map; i++)
		if (f->map[i].pub_addr == *addr && f->map[i].pub_port == *port) {
			*addr = f->map[i].priv_addr;
			*port = f->map[i].priv_port;
			return 1;
		}
	return 0;
}

/* flow_nat_reboot forgets every mapping (new ports for the next packets). */
FLOW_FN void flow_nat_reboot(struct flow *f)
{
	f->n_map = 0;
}

static struct flow_dgram flow_pop(struct flow *f, int dir)
{
	struct flow_queue *q = dir == TO_GW ? &f->cl.out : &f->gw.out;
	struct flow_dgram d = {{0, 0, 0, 0}, NULL, 0};

	if (q->head == q->tail) {
		fprintf(stderr, "flow: nothing queued %s\n", dir == TO_GW ? "client -> gw" : "gw -> client");
		return d;
	}
	return q->d[q->head++ % FLOW_QMAX];
}

/* flow_deliver moves the oldest datagram of |dir| (through the NAT) and returns ike_input's result. */
FLOW_FN int flow_deliver(struct flow *f, int dir)
{
	struct flow_dgram d = flow_pop(f, dir);
	struct ike_path in;
	int rc;

	if (d.buf == NULL)
		return -999;
	if (dir == TO_GW) {
		uint32_t a = d.path.local_addr;
		uint16_t p = d.path.local_port;

		uint32_t to = d.path.remote_addr;

		if (f->nat)
			flow_nat_out(f, &a, &p);
		if (f->gw_nat && to == f->gw_public)
			to = f->gw_private;
		in = (struct ike_path){to, a, d.path.remote_port, p};
		rc = ike_input(f->gw.e, &in, d.buf, d.len, f->now);
		flow_check(f->gw.e, "after ike_input (gw)");
	} else {
		uint32_t a = d.path.remote_addr, from = d.path.local_addr;
		uint16_t p = d.path.remote_port;

		if (f->nat && !flow_nat_in(f, &a, &p)) {
			free(d.buf);
			return -998; /* no mapping: the NAT drops it */
		}
		if (f->gw_nat && from == f->gw_private)
			from = f->gw_public;
		in = (struct ike_path){a, from, p, d.path.local_port};
		rc = ike_input(f->cl.e, &in, d.buf, d.len, f->now);
		flow_check(f->cl.e, "after ike_input (client)");
	}
	free(d.buf);
	return rc;
}

/* flow_peek returns the oldest datagram of |dir| without moving it (NULL if none). */
FLOW_FN const struct flow_dgram *flow_peek(const struct flow *f, int dir)
{
	const struct flow_queue *q = dir == TO_GW ? &f->cl.out : &f->gw.out;

	return q->head == q->tail ? NULL : &q->d[q->head % FLOW_QMAX];
}

/* flow_drop loses the oldest datagram of |dir|; returns its length. */
FLOW_FN size_t flow_drop(struct flow *f, int dir)
{
	struct flow_dgram d = flow_pop(f, dir);

	free(d.buf);
	return d.len;
}

/* flow_pump delivers everything, in both directions, until both queues are empty. */
FLOW_FN void flow_pump(struct flow *f)
{
	for (int guard = 0; guard < 1000 && (flow_pending(f, TO_GW) || flow_pending(f, TO_CL)); guard++) {
		if (flow_pending(f, TO_GW))
			flow_deliver(f, TO_GW);
		if (flow_pending(f, TO_CL))
			flow_deliver(f, TO_CL);
	}
}

/*
 * flow_route delivers everything between the gateway and several clients
 * (f->cl and |extra|, none behind the NAT), answers going to the client
 * whose address they name. Returns how many datagrams moved.
 */
FLOW_FN size_t flow_route(struct flow *f, struct flow_peer **extra, size_t n_extra)
{
	size_t moved = 0;

	for (int guard = 0; guard < 1000; guard++) {
		int any = 0;

		for (size_t i = 0; i <= n_extra; i++) {
			struct flow_peer *c = i == 0 ? &f->cl : extra[i - 1];

			while (c->out.head < c->out.tail) {
				struct flow_dgram d = c->out.d[c->out.head++ % FLOW_QMAX];
				struct ike_path in = {d.path.remote_addr, d.path.local_addr, d.path.remote_port,
						      d.path.local_port};

				ike_input(f->gw.e, &in, d.buf, d.len, f->now);
				flow_check(f->gw.e, "after ike_input (gw)");
				free(d.buf);
				moved++;
				any = 1;
			}
		}
		while (f->gw.out.head < f->gw.out.tail) {
			struct flow_dgram d = f->gw.out.d[f->gw.out.head++ % FLOW_QMAX];
			struct ike_path in = {d.path.remote_addr, d.path.local_addr, d.path.remote_port, d.path.local_port};

			for (size_t i = 0; i <= n_extra; i++) {
				struct flow_peer *c = i == 0 ? &f->cl : extra[i - 1];

				if (c->cfg.local_addr == d.path.remote_addr) {
					ike_input(c->e, &in, d.buf, d.len, f->now);
					flow_check(c->e, "after ike_input (client)");
				}
			}
			free(d.buf);
			moved++;
			any = 1;
		}
		if (!any)
			break;
	}
	return moved;
}

/* flow_extra_client makes another client like f->cl at |addr| (free with flow_extra_free). */
FLOW_FN struct flow_peer *flow_extra_client(struct flow *f, const char *name, uint32_t addr, uint64_t seed)
{
	struct flow_peer *p = calloc(1, sizeof *p);

	if (p == NULL)
		abort();
	p->name = name;
	p->cfg = f->cl.cfg;
	p->cfg.local_addr = addr;
	flow_peer_start(p, seed);
	return p;
}

FLOW_FN void flow_extra_free(struct flow_peer *p)
{
	ike_engine_free(p->e);
	crypto_drbg_free(p->drbg);
	flow_queue_free(&p->out);
	ev_lines_free(&p->ev);
	free(p->log);
	free(p);
}

/* flow_advance moves time by |ns|, running every timer due on the way. */
FLOW_FN void flow_advance(struct flow *f, uint64_t ns)
{
	uint64_t end = f->now + ns;

	for (;;) {
		uint64_t dc = ike_deadline(f->cl.e), dg = ike_deadline(f->gw.e), d = dc < dg ? dc : dg;

		if (d > end)
			break;
		if (d > f->now)
			f->now = d;
		if (dc <= f->now)
			ike_on_deadline(f->cl.e, f->now);
		if (dg <= f->now)
			ike_on_deadline(f->gw.e, f->now);
		flow_check(f->cl.e, "after ike_on_deadline (client)");
		flow_check(f->gw.e, "after ike_on_deadline (gw)");
		/* a served deadline must move on, or a host loop would spin */
		if (ike_deadline(f->cl.e) <= f->now || ike_deadline(f->gw.e) <= f->now) {
			fprintf(stderr, "flow: deadline stuck at %llu ns (client %llu, gw %llu)\n",
				(unsigned long long)f->now, (unsigned long long)ike_deadline(f->cl.e),
				(unsigned long long)ike_deadline(f->gw.e));
			abort();
		}
	}
	f->now = end;
}

/* flow_status returns the status of a peer's |i|-th IKE SA (aborts when absent). */
FLOW_FN struct ike_sa_status flow_status(const struct flow_peer *p, size_t i)
{
	struct ike_sa_status st;

	if (ike_sa_status(p->e, i, &st) != 0)
		memset(&st, 0, sizeof st);
	return st;
}

/* flow_state: the state of a peer's first IKE SA, IKE_S_DEAD when it has none. */
FLOW_FN enum ike_sa_state flow_state(const struct flow_peer *p)
{
	struct ike_sa_status st;

	return ike_sa_status(p->e, 0, &st) == 0 ? st.state : IKE_S_DEAD;
}

/* flow_last_sent returns the summary of the last message |p| sent (from its events). */
FLOW_FN const char *flow_last_sent(const struct flow_peer *p, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = p->ev.n; i-- > 0;) {
		const char *l = p->ev.line[i], *s;

		if (strstr(l, "\"ev\":\"msg\"") && strstr(l, "\"dir\":\"sent\"") && (s = strstr(l, "\"summary\":\""))) {
			const char *e;

			s += strlen("\"summary\":\"");
			e = strchr(s, '"');
			snprintf(buf, cap, "%.*s", (int)(e ? e - s : 0), s);
			break;
		}
	}
	return buf;
}

/* flow_sent_has: does the summary of |p|'s last sent message contain |needle|? */
FLOW_FN int flow_sent_has(const struct flow_peer *p, const char *needle)
{
	char buf[512];

	flow_last_sent(p, buf, sizeof buf);
	if (strstr(buf, needle) == NULL) {
		fprintf(stderr, "%s last sent: '%s', expected it to contain '%s'\n", p->name, buf, needle);
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------------- */
/* ESP proof: the CHILD SA keys agree                                      */

static void flow_inner_ipv4(uint8_t *p, size_t len, uint32_t src, uint32_t dst)
{
	uint32_t sum = 0;

	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	for (int i = 0; i < 4; i++) {
		p[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		p[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	for (size_t i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	for (size_t i = 20; i < len; i++)
		p[i] = (uint8_t)(i * 7);
}

static struct esp_sa *flow_esp_sa(const struct flow_child *c, enum esp_dir dir, struct crypto_drbg *drbg)
{
	struct esp_sa_cfg cfg;
	int err = 0;

	memset(&cfg, 0, sizeof cfg);
	cfg.spi = dir == ESP_DIR_OUT ? c->ci.spi_out : c->ci.spi_in;
	cfg.dir = dir;
	cfg.alg = c->ci.alg;
	cfg.enc_key = dir == ESP_DIR_OUT ? c->ci.enc_key_out : c->ci.enc_key_in;
	cfg.enc_key_len = c->ci.enc_key_len;
	cfg.integ_key = dir == ESP_DIR_OUT ? c->ci.integ_key_out : c->ci.integ_key_in;
	cfg.integ_key_len = c->ci.integ_key_len;
	cfg.esn = c->ci.esn;
	cfg.rng = crypto_drbg_rng(drbg);
	return esp_sa_new(&cfg, &err);
}

/* flow_esp_one seals a packet with |from|'s outbound SA and opens it with |to|'s inbound SA. */
static int flow_esp_one(const struct flow_child *from, const struct flow_child *to, struct crypto_drbg *drbg)
{
	struct esp_sa *out = flow_esp_sa(from, ESP_DIR_OUT, drbg), *in = flow_esp_sa(to, ESP_DIR_IN, drbg);
	uint8_t buf[ESP_HEADROOM + 200 + ESP_TAILROOM], ref[200];
	struct esp_pkt p = {buf, sizeof buf, ESP_HEADROOM, 200};
	int ok = 0;

	if (out != NULL && in != NULL) {
		flow_inner_ipv4(buf + ESP_HEADROOM, 200, IP(10, 10, 0, 1), IP(10, 1, 2, 3));
		memcpy(ref, buf + ESP_HEADROOM, 200);
		ok = esp_seal(out, &p, ESP_NH_IPV4) == ESP_OK && esp_open(in, &p, NULL) == ESP_OK && p.len == 200 &&
		     memcmp(p.base + p.off, ref, 200) == 0;
	}
	esp_sa_free(out);
	esp_sa_free(in);
	return ok;
}

/* flow_esp_check: the client's and the gateway's newest live CHILD SAs carry packets both ways. */
FLOW_FN int flow_esp_check(struct flow *f)
{
	const struct flow_child *c = NULL, *g = NULL;
	int ok;

	for (size_t i = 0; i < f->cl.n_child; i++)
		if (f->cl.child[i].up)
			c = &f->cl.child[i];
	for (size_t i = 0; i < f->gw.n_child; i++)
		if (f->gw.child[i].up && c != NULL && f->gw.child[i].ci.spi_in == c->ci.spi_out)
			g = &f->gw.child[i];
	if (c == NULL || g == NULL || g->ci.spi_out != c->ci.spi_in)
		return 0;
	ok = flow_esp_one(c, g, f->cl.drbg) && flow_esp_one(g, c, f->gw.drbg);
	return ok;
}

/* flow_count_ev counts a peer's events containing |needle|. */
FLOW_FN size_t flow_count_ev(const struct flow_peer *p, const char *needle)
{
	return ev_lines_count(&p->ev, needle);
}

/* flow_live_children: CHILD SAs a peer has up. */
FLOW_FN size_t flow_live_children(const struct flow_peer *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_child; i++)
		n += p->child[i].up;
	return n;
}

#endif
