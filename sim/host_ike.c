/*
 * host_ike.c — binds one sans-IO IKE engine to a host node:
 *
 *   UDP cfg.port (500)        ──► ike_input
 *   UDP cfg.natt_port (4500)  ──► ike_udp_classify: keepalive/IKE ─► ike_input
 *                                                   ESP ─► host_esp_input
 *   ike_deadline()            ──► one ns-3 timer, re-armed after every call
 *                                 into the engine (input, deadline, start, close)
 *   cb.send                   ──► the socket of path.local_port
 *   cb.child_up / child_down  ──► host_child_up / host_child_down
 *   cb.path_changed           ──► host_esp_path_changed (NAT mapping moved)
 *   ESP sealed+sent / opened  ──► ike_note_esp_sent / ike_note_esp_received
 *   cb.rng                    ──► crypto_drbg(seed, "<host>/<engine>"), "#<life>" after a restart
 *   cb.ev                     ──► the host's ev_sink
 *
 * host_ike_kill ends an engine as a crash would (ike_engine_free: nothing
 * sent, no callbacks); the handle stays, dead, until ns3shim_destroy so
 * scenario code holding it never sees freed memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/esp/esp_udpencap.h"
#include "sim/host_internal.h"
#include "sim/ns3shim.h"

/* HOST_IKE_SPIN_MAX: deadline runs at one instant before the timer is pushed
 * 1 us on (an engine whose deadline does not move must not hang the run). */
enum { HOST_IKE_SPIN_MAX = 64 };

struct host_ike {
	struct host *h;
	struct ike_engine *e;       /* NULL once killed */
	struct crypto_drbg *drbg;
	struct ike_config cfg;      /* as given (name defaulted): a restart uses it again */
	unsigned life;              /* 1, then +1 per restart */
	int killed;
	struct ike_counts final;    /* the engine's counters when it was killed */
	enum ike_role role;
	uint32_t local_addr;
	uint16_t port, natt_port;
	int sock_ike, sock_natt;
	int64_t timer;      /* 0 = none */
	uint64_t timer_at;
	uint64_t spin_at;   /* instant of the last deadline run and how many ran then */
	unsigned spin;
	struct host_ike_stats st;
};

static void hi_free(void *ctx)
{
	struct host_ike *hi = ctx;
	ike_engine_free(hi->e);
	crypto_drbg_free(hi->drbg);
	free(hi);
}

/* ---------------------------------------------------------------- timer */

static void hi_fire(void *ctx);

/* hi_arm keeps exactly one timer, at the engine's current deadline. */
static void hi_arm(struct host_ike *hi)
{
	uint64_t d = ike_deadline(hi->e);
	uint64_t now = ns3shim_now();
	if (d != UINT64_MAX && d <= now && hi->spin >= HOST_IKE_SPIN_MAX && hi->spin_at == now)
		d = now + 1000;
	if (hi->timer && (d == UINT64_MAX || d != hi->timer_at)) {
		ns3shim_timer_cancel(hi->timer);
		hi->timer = 0;
	}
	if (d == UINT64_MAX || hi->timer)
		return;
	int64_t id = ns3shim_timer_at(d < now ? now : d, hi_fire, hi);
	hi->timer = id > 0 ? id : 0;
	hi->timer_at = d;
}

static void hi_fire(void *ctx)
{
	struct host_ike *hi = ctx;
	uint64_t now = ns3shim_now();
	hi->timer = 0;
	if (hi->spin_at != now) {
		hi->spin_at = now;
		hi->spin = 0;
	}
	if (++hi->spin == HOST_IKE_SPIN_MAX) {
		struct evbuf e;
		host_ev_begin(hi->h, &e, "deadline-stuck");
		ev_u64(&e, "runs", hi->spin);
		host_ev_emit(hi->h, &e);
	}
	hi->st.deadlines++;
	ike_on_deadline(hi->e, now);
	hi_arm(hi);
}

/* ---------------------------------------------------------------- engine callbacks */

static void cb_send(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len)
{
	struct host_ike *hi = ctx;
	int sock = path->local_port == hi->natt_port ? hi->sock_natt
		   : path->local_port == hi->port    ? hi->sock_ike
						     : -1;
	if (sock < 0) {
		char m[96];
		snprintf(m, sizeof m, "engine sent from port %u (sockets on %u and %u)",
			 path->local_port, hi->port, hi->natt_port);
		hi->st.tx_failed++;
		host_drop(hi->h, HOST_DROP_WRONG_SOCKET, m);
		return;
	}
	if (ns3shim_udp_sendto(sock, path->remote_addr, path->remote_port, buf, len) < 0) {
		hi->st.tx_failed++;
		host_drop(hi->h, HOST_DROP_SEND_FAILED, ns3shim_last_error());
		return;
	}
	hi->st.tx++;
	hi->h->st.ike_tx++;
}

static void cb_child_up(void *ctx, const struct ike_child_info *ci)
{
	struct host_ike *hi = ctx;
	if (host_child_up(hi->h, hi, ci) < 0) {
		struct evbuf e;
		host_ev_begin(hi->h, &e, "child-install-failed");
		ev_str(&e, "msg", ns3shim_last_error());
		host_ev_emit(hi->h, &e);
	}
}

static void cb_child_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	struct host_ike *hi = ctx;
	host_child_down(hi->h, spi_in, spi_out, reason);
}

static void cb_path_changed(void *ctx, uint64_t spi_i, uint64_t spi_r, const struct ike_path *path)
{
	struct host_ike *hi = ctx;
	host_esp_path_changed(hi->h, hi, spi_i, spi_r, path);
}

/* ---------------------------------------------------------------- sockets */

static void hi_input(struct host_ike *hi, const struct ns3shim_pktinfo *pi, uint16_t lport,
		     const uint8_t *d, size_t len)
{
	struct ike_path path = {
		.local_addr = pi->dst ? pi->dst : hi->local_addr,
		.remote_addr = pi->src,
		.local_port = lport,
		.remote_port = pi->sport,
	};
	hi->h->st.ike_rx++;
	int r = ike_input(hi->e, &path, d, len, ns3shim_now());
	int slot = r >= IKE_RX_OK && r <= IKE_RX_KEEPALIVE ? r
		   : r == IKE_RX_NOT_IKE		    ? 4
		   : r == IKE_RX_DROP			    ? 5
		   : r == IKE_RX_ANSWERED		    ? 6
							    : 7;
	hi->st.rx_results[slot]++;
	hi_arm(hi);
}

static void sock_ike_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
			size_t len)
{
	struct host_ike *hi = ctx;
	(void)sock;
	hi->st.rx[ESP_UDP_IKE]++;
	hi_input(hi, pi, hi->port, d, len);
}

static void sock_natt_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi,
			 const uint8_t *d, size_t len)
{
	struct host_ike *hi = ctx;
	(void)sock;
	int k = ike_udp_classify(hi->e, hi->natt_port, d, len);
	if (k < 0 || k > ESP_UDP_ESP)
		k = ESP_UDP_INVALID;
	hi->st.rx[k]++;
	switch (k) {
	case ESP_UDP_ESP:
		host_esp_input(hi->h, d, len, 1, pi->src);
		break;
	case ESP_UDP_KEEPALIVE: /* the engine counts and ignores keepalives too */
		hi->h->st.keepalives_rx++;
		hi_input(hi, pi, hi->natt_port, d, len);
		break;
	case ESP_UDP_IKE:
		hi_input(hi, pi, hi->natt_port, d, len);
		break;
	default:
		host_drop(hi->h, HOST_DROP_UDP_INVALID, NULL);
		break;
	}
}

static void sock_icmp(void *ctx, int sock, const struct ns3shim_icmp *ic)
{
	struct host_ike *hi = ctx;
	hi->st.icmp++;
	host_icmp_ev(hi->h, sock == hi->sock_natt ? "natt" : "ike", ic);
}

int host_ike_natt_sock(const struct host_ike *hi)
{
	return hi->sock_natt;
}

enum ike_role host_ike_role(const struct host_ike *hi)
{
	return hi->role;
}

void host_ike_note_esp(struct host_ike *hi, uint32_t spi_in, int sent)
{
	if (hi->killed)
		return;
	uint64_t now = ns3shim_now();
	/* IKE_E_ARG (SPI unknown to the engine, e.g. the last packets of a CHILD SA
	 * it just deleted) only means there is nothing to note */
	if (sent)
		ike_note_esp_sent(hi->e, spi_in, now);
	else
		ike_note_esp_received(hi->e, spi_in, now);
	hi->st.esp_noted++;
}

/* ---------------------------------------------------------------- public */

static struct host_ike *fail(char *err, size_t cap, const char *fmt, const char *a, const char *b)
{
	if (err && cap)
		snprintf(err, cap, fmt, a, b);
	return NULL;
}

/* hi_add: a new engine for |cfg| on |h|, its |life|-th (the DRBG label says which). */
static struct host_ike *hi_add(struct host *h, const struct ike_config *cfg, unsigned life,
			       char *err, size_t cap)
{
	if (!h || !cfg)
		return fail(err, cap, "host_ike_add: %s%s is NULL", !h ? "host" : "cfg", "");
	struct host_ike *hi = calloc(1, sizeof *hi);
	if (!hi)
		return fail(err, cap, "host_ike_add: %s%s", "out of memory", "");
	hi->cfg = *cfg;
	struct ike_config *c = &hi->cfg;
	if (!c->name[0])
		snprintf(c->name, sizeof c->name, "%s", h->name);
	hi->h = h;
	hi->life = life;
	hi->role = c->role;
	hi->local_addr = c->local_addr;
	hi->port = c->port;
	hi->natt_port = c->natt_port;
	hi->sock_ike = hi->sock_natt = -1;
	/* the first life keeps the plain label: captures made before restarts existed stay the same */
	char label[HOST_NAME_MAX_LEN + 16 + sizeof c->name];
	if (life > 1)
		snprintf(label, sizeof label, "%s/%s#%u", h->name, c->name, life);
	else
		snprintf(label, sizeof label, "%s/%s", h->name, c->name);
	hi->drbg = crypto_drbg_new(h->seed, label);
	struct ike_callbacks cb = {
		.ctx = hi,
		.send = cb_send,
		.child_up = cb_child_up,
		.child_down = cb_child_down,
		.path_changed = cb_path_changed,
		.rng = hi->drbg ? crypto_drbg_rng(hi->drbg) : (struct crypto_rng){0},
		.ev = h->ev,
	};
	char msg[256] = "";
	if (hi->drbg)
		hi->e = ike_engine_new(c, &cb, msg, sizeof msg);
	if (!hi->e) {
		crypto_drbg_free(hi->drbg);
		free(hi);
		return fail(err, cap, "host_ike_add: engine %s: %s", cfg->name[0] ? cfg->name : h->name,
			    msg[0] ? msg : "out of memory");
	}
	if (ns3shim_at_destroy(hi_free, hi) < 0) {
		hi_free(hi);
		return fail(err, cap, "host_ike_add: %s%s", ns3shim_last_error(), "");
	}
	hi->sock_ike = ns3shim_udp_open(h->node, c->local_addr, c->port, sock_ike_rx, sock_icmp, hi);
	hi->sock_natt = hi->sock_ike < 0 ? -1
			: ns3shim_udp_open(h->node, c->local_addr, c->natt_port, sock_natt_rx,
					   sock_icmp, hi);
	if (hi->sock_ike < 0 || hi->sock_natt < 0 || host_register_ike(h, hi) < 0) {
		/* the engine is freed at destroy; close what opened so the ports stay free */
		char why[200];
		snprintf(why, sizeof why, "%s", ns3shim_last_error());
		if (hi->sock_ike >= 0)
			ns3shim_sock_close(hi->sock_ike);
		if (hi->sock_natt >= 0)
			ns3shim_sock_close(hi->sock_natt);
		hi->killed = 1;
		return fail(err, cap, "host_ike_add: %s%s", why, "");
	}
	hi_arm(hi);
	return hi;
}

struct host_ike *host_ike_add(struct host *h, const struct ike_config *cfg, char *err, size_t cap)
{
	return hi_add(h, cfg, 1, err, cap);
}

int host_ike_kill(struct host_ike *hi)
{
	if (!hi)
		return ns3shim_errorf(NS3SHIM_EARG, "host_ike_kill: engine is NULL");
	if (hi->killed)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_ike_kill: %s/%s was killed already",
				      hi->h->name, hi->cfg.name);
	hi->final = *ike_engine_counts(hi->e);
	hi->killed = 1;
	if (hi->timer)
		ns3shim_timer_cancel(hi->timer);
	hi->timer = 0;
	ns3shim_sock_close(hi->sock_ike);
	ns3shim_sock_close(hi->sock_natt);
	hi->sock_ike = hi->sock_natt = -1;
	/* its SAs die with it (a rebooted host has empty SA tables) */
	size_t n_sas = ike_sa_count(hi->e);
	size_t n_children = host_esp_drop_owner(hi->h, hi, "killed");
	ike_engine_free(hi->e);
	hi->e = NULL;
	crypto_drbg_free(hi->drbg);
	hi->drbg = NULL;
	struct evbuf e;
	host_ev_begin(hi->h, &e, "engine-killed");
	ev_str(&e, "who", hi->cfg.name);
	ev_u64(&e, "life", hi->life);
	ev_u64(&e, "ike_sas", n_sas);
	ev_u64(&e, "children", n_children);
	host_ev_emit(hi->h, &e);
	return 0;
}

struct host_ike *host_ike_restart(struct host_ike *hi, char *err, size_t cap)
{
	if (!hi)
		return fail(err, cap, "host_ike_restart: %s%s", "engine is NULL", "");
	if (!hi->killed && host_ike_kill(hi) < 0)
		return fail(err, cap, "host_ike_restart: %s%s", ns3shim_last_error(), "");
	struct host_ike *n = hi_add(hi->h, &hi->cfg, hi->life + 1, err, cap);
	if (n) {
		struct evbuf e;
		host_ev_begin(hi->h, &e, "engine-restarted");
		ev_str(&e, "who", n->cfg.name);
		ev_u64(&e, "life", n->life);
		host_ev_emit(hi->h, &e);
	}
	return n;
}

int host_ike_alive(const struct host_ike *hi)
{
	return hi && !hi->killed;
}

unsigned host_ike_life(const struct host_ike *hi)
{
	return hi ? hi->life : 0;
}

void host_ike_counts(const struct host_ike *hi, struct ike_counts *out)
{
	if (!hi || !out)
		return;
	*out = hi->killed ? hi->final : *ike_engine_counts(hi->e);
}

static void hi_ev_refused(struct host_ike *hi, const char *type)
{
	struct evbuf e;
	host_ev_begin(hi->h, &e, type);
	ev_str(&e, "who", hi->cfg.name);
	ev_str(&e, "msg", "the engine was killed before this time");
	host_ev_emit(hi->h, &e);
}

static void hi_connect_now(void *ctx)
{
	struct host_ike *hi = ctx;
	if (hi->killed) {
		hi_ev_refused(hi, "connect-failed");
		return;
	}
	int r = ike_client_start(hi->e, ns3shim_now());
	if (r < 0) {
		struct evbuf e;
		host_ev_begin(hi->h, &e, "connect-failed");
		ev_i64(&e, "status", r);
		host_ev_emit(hi->h, &e);
	}
	hi_arm(hi);
}

static void hi_close_now(void *ctx)
{
	struct host_ike *hi = ctx;
	if (hi->killed) {
		hi_ev_refused(hi, "close-failed");
		return;
	}
	ike_close(hi->e, ns3shim_now());
	hi_arm(hi);
}

int host_ike_connect(struct host_ike *hi, uint64_t at_ns)
{
	if (!hi)
		return ns3shim_errorf(NS3SHIM_EARG, "host_ike_connect: engine is NULL");
	if (hi->killed)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_ike_connect: %s/%s was killed", hi->h->name,
				      hi->cfg.name);
	int64_t id = ns3shim_timer_at(at_ns, hi_connect_now, hi);
	return id > 0 ? 0 : (int)id;
}

int host_ike_close(struct host_ike *hi, uint64_t at_ns)
{
	if (!hi)
		return ns3shim_errorf(NS3SHIM_EARG, "host_ike_close: engine is NULL");
	if (hi->killed)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_ike_close: %s/%s was killed", hi->h->name,
				      hi->cfg.name);
	int64_t id = ns3shim_timer_at(at_ns, hi_close_now, hi);
	return id > 0 ? 0 : (int)id;
}

struct ike_engine *host_ike_engine(const struct host_ike *hi)
{
	return hi ? hi->e : NULL;
}

struct host *host_ike_host(const struct host_ike *hi)
{
	return hi ? hi->h : NULL;
}

int host_ike_established(const struct host_ike *hi)
{
	if (!hi || hi->killed)
		return 0;
	size_t n = ike_sa_count(hi->e);
	for (size_t i = 0; i < n; i++) {
		struct ike_sa_status st;
		if (ike_sa_status(hi->e, i, &st) == 0 && st.state == IKE_S_ESTABLISHED)
			return 1;
	}
	return 0;
}

void host_ike_stats(const struct host_ike *hi, struct host_ike_stats *out)
{
	if (hi && out)
		*out = hi->st;
}
