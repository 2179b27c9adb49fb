/*
 * ns3apps.c — ping, UDP CBR/sink, TCP bulk/sink over the ns3shim C API.
 * Apps live in one table per simulation, freed through ns3shim_at_destroy.
 */
#include "sim/ns3apps.h"

#include <stdlib.h>
#include <string.h>

#include "sim/ns3shim.h"

enum app_kind { APP_PING, APP_CBR, APP_UDP_SINK, APP_BULK, APP_TCP_SINK };

/* conn_off tracks one accepted connection of a TCP sink: its stream offset. */
struct conn_off {
	int sock;
	uint64_t off;
};

struct app {
	int id, kind, node, sock;
	uint32_t dst;
	uint16_t port;
	uint32_t size, count, sent, mss;
	uint64_t interval_ns, total;
	int df, stopped;
	uint16_t icmp_id;
	int64_t timer;
	struct ns3apps_stats st;
	struct conn_off *conns;
	size_t nconns;
};

static struct app **apps;
static size_t napps;

static void apps_free(void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < napps; i++) {
		free(apps[i]->conns);
		free(apps[i]);
	}
	free(apps);
	apps = NULL;
	napps = 0;
}

static struct app *app_new(int kind, int node)
{
	if (napps == 0 && ns3shim_at_destroy(apps_free, NULL) < 0)
		return NULL;
	struct app **na = realloc(apps, (napps + 1) * sizeof *na);
	if (!na)
		return NULL;
	apps = na;
	struct app *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->id = (int)napps;
	a->kind = kind;
	a->node = node;
	a->sock = -1;
	apps[napps++] = a;
	return a;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint16_t inet_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void delay_sample(struct ns3apps_stats *st, uint64_t d)
{
	if (st->rx_packets == 1 || d < st->delay_min_ns)
		st->delay_min_ns = d;
	if (d > st->delay_max_ns)
		st->delay_max_ns = d;
	st->delay_sum_ns += d;
}

/* rx_time stamps a delivery; call it before counting the delivery (first_rx = no rx yet). */
static void rx_time(struct ns3apps_stats *st)
{
	uint64_t now = ns3shim_now();
	if (st->rx_packets == 0 && st->rx_bytes == 0)
		st->first_rx_ns = now;
	st->last_rx_ns = now;
}

/* ------------------------------------------------------------ ping */

static void ping_send(void *ctx)
{
	struct app *a = ctx;
	a->timer = 0;
	if (a->stopped)
		return;
	size_t icmp_len = 8 + a->size;
	uint8_t *buf = calloc(1, 20 + icmp_len);
	if (!buf) {
		a->st.errors++;
		return;
	}
	uint8_t *m = buf + 20;
	m[0] = 8; /* echo request */
	m[4] = (uint8_t)(a->icmp_id >> 8);
	m[5] = (uint8_t)a->icmp_id;
	m[6] = (uint8_t)(a->sent >> 8);
	m[7] = (uint8_t)a->sent;
	put64(m + 8, ns3shim_now());
	for (size_t i = 16; i < icmp_len; i++)
		m[i] = (uint8_t)i;
	uint16_t c = inet_csum(m, icmp_len);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	int r;
	if (a->df) {
		struct ns3shim_route_info ri;
		r = ns3shim_route_lookup(a->node, a->dst, &ri);
		if (r == 0) {
			size_t tot = 20 + icmp_len;
			buf[0] = 0x45;
			buf[2] = (uint8_t)(tot >> 8);
			buf[3] = (uint8_t)tot;
			buf[4] = (uint8_t)(a->sent >> 8);
			buf[5] = (uint8_t)a->sent;
			buf[6] = 0x40; /* DF */
			buf[8] = 64;
			buf[9] = 1;
			put64(buf + 12, (uint64_t)ri.src << 32 | a->dst);
			r = ns3shim_ip_send_hdr(a->node, buf, tot);
			if (r == NS3SHIM_EMSGSIZE)
				a->st.icmp_mtu = ri.mtu;
		}
	} else {
		r = ns3shim_ip_send(a->node, 1, 0, a->dst, m, icmp_len);
	}
	free(buf);
	a->sent++;
	if (r >= 0) {
		a->st.tx_packets++;
		a->st.tx_bytes += icmp_len;
	} else {
		a->st.errors++;
	}
	if (a->count && a->sent >= a->count) {
		a->st.done = 1;
		return;
	}
	a->timer = ns3shim_timer_in(a->interval_ns, ping_send, a);
}

static void ping_icmp(void *ctx, int h, const struct ns3shim_pktinfo *pi, const uint8_t *m,
		      size_t len)
{
	struct app *a = ctx;
	(void)h;
	if (a->stopped || len < 8)
		return;
	if (m[0] == 0) { /* echo reply */
		if (len < 16 || pi->src != a->dst || (m[4] << 8 | m[5]) != a->icmp_id)
			return;
		rx_time(&a->st); /* before the counters: it sets first_rx while they are 0 */
		a->st.rx_packets++;
		a->st.rx_bytes += len;
		delay_sample(&a->st, ns3shim_now() - get64(m + 8));
		return;
	}
	if (m[0] != 3 && m[0] != 11 && m[0] != 12)
		return;
	/* an error quoting our echo request: IP header + 8 octets of ICMP */
	const uint8_t *q = m + 8;
	size_t qn = len - 8;
	if (qn < 28 || (q[0] >> 4) != 4 || q[9] != 1)
		return;
	size_t ihl = (size_t)(q[0] & 15) * 4;
	if (ihl < 20 || qn < ihl + 8 || (q[ihl + 4] << 8 | q[ihl + 5]) != a->icmp_id)
		return;
	a->st.errors++;
	if (m[0] == 3 && m[1] == 4)
		a->st.icmp_mtu = (uint32_t)(m[6] << 8 | m[7]);
}

int ns3apps_ping(int node, uint32_t dst, uint32_t size, uint64_t interval_ns, uint32_t count,
		 int df)
{
	if (size < 8 || size > 65000 || interval_ns == 0)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "ns3apps_ping: size %u (8..65000) or interval %llu ns (> 0) out "
				      "of range",
				      size, (unsigned long long)interval_ns);
	struct ns3shim_route_info ri;
	int r = ns3shim_route_lookup(node, dst, &ri);
	if (r < 0 && r != NS3SHIM_ENOROUTE)
		return r;
	struct app *a = app_new(APP_PING, node);
	if (!a)
		return ns3shim_errorf(NS3SHIM_ESTATE, "ns3apps_ping: out of memory");
	a->dst = dst;
	a->size = size;
	a->interval_ns = interval_ns;
	a->count = count;
	a->df = df;
	a->icmp_id = (uint16_t)(0x4000 + a->id);
	a->sock = ns3shim_icmp_open(node, ping_icmp, a);
	if (a->sock < 0)
		return a->sock;
	a->timer = ns3shim_timer_in(0, ping_send, a);
	return a->id;
}

/* ------------------------------------------------------------ UDP */

static void cbr_icmp(void *ctx, int sock, const struct ns3shim_icmp *e)
{
	struct app *a = ctx;
	(void)sock;
	a->st.errors++;
	if (e->type == 3 && e->code == 4)
		a->st.icmp_mtu = e->info;
}

static void cbr_send(void *ctx)
{
	struct app *a = ctx;
	a->timer = 0;
	if (a->stopped)
		return;
	uint8_t *buf = malloc(a->size);
	if (!buf) {
		a->st.errors++;
		return;
	}
	put64(buf, a->sent);
	put64(buf + 8, ns3shim_now());
	for (size_t i = 16; i < a->size; i++)
		buf[i] = (uint8_t)i;
	int r = ns3shim_udp_sendto(a->sock, a->dst, a->port, buf, a->size);
	free(buf);
	a->sent++;
	if (r >= 0) {
		a->st.tx_packets++;
		a->st.tx_bytes += a->size;
	} else {
		a->st.errors++;
	}
	if (a->count && a->sent >= a->count) {
		a->st.done = 1;
		return;
	}
	a->timer = ns3shim_timer_in(a->interval_ns, cbr_send, a);
}

int ns3apps_udp_cbr(int node, uint32_t dst, uint16_t port, uint32_t size, uint64_t interval_ns,
		    uint32_t count)
{
	if (size < 16 || size > 65507 || interval_ns == 0 || port == 0)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "ns3apps_udp_cbr: size %u (16..65507), interval %llu ns (> 0) "
				      "or port %u (> 0) out of range",
				      size, (unsigned long long)interval_ns, port);
	struct app *a = app_new(APP_CBR, node);
	if (!a)
		return ns3shim_errorf(NS3SHIM_ESTATE, "ns3apps_udp_cbr: out of memory");
	a->dst = dst;
	a->port = port;
	a->size = size;
	a->interval_ns = interval_ns;
	a->count = count;
	a->sock = ns3shim_udp_open(node, 0, 0, NULL, cbr_icmp, a);
	if (a->sock < 0) {
		a->stopped = 1;
		return a->sock;
	}
	a->timer = ns3shim_timer_in(0, cbr_send, a);
	return a->id;
}

static void sink_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
		    size_t len)
{
	struct app *a = ctx;
	(void)sock;
	(void)pi;
	rx_time(&a->st);
	a->st.rx_packets++;
	a->st.rx_bytes += len;
	if (len >= 16)
		delay_sample(&a->st, ns3shim_now() - get64(d + 8));
}

int ns3apps_udp_sink(int node, uint16_t port)
{
	if (port == 0)
		return ns3shim_errorf(NS3SHIM_EARG, "ns3apps_udp_sink: port 0 (expected 1..65535)");
	struct app *a = app_new(APP_UDP_SINK, node);
	if (!a)
		return ns3shim_errorf(NS3SHIM_ESTATE, "ns3apps_udp_sink: out of memory");
	a->port = port;
	a->sock = ns3shim_udp_open(node, 0, port, sink_rx, NULL, a);
	if (a->sock < 0) {
		a->stopped = 1;
		return a->sock;
	}
	return a->id;
}

/* ------------------------------------------------------------ TCP */

#define PATTERN_MOD 251

static void bulk_fill(struct app *a)
{
	uint8_t chunk[4096];
	while (!a->stopped && a->st.tx_bytes < a->total) {
		uint64_t left = a->total - a->st.tx_bytes;
		size_t n = left < sizeof chunk ? (size_t)left : sizeof chunk;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (uint8_t)((a->st.tx_bytes + i) % PATTERN_MOD);
		int r = ns3shim_tcp_send(a->sock, chunk, n);
		if (r <= 0)
			return;
		a->st.tx_bytes += (uint64_t)r;
		a->st.tx_packets++;
	}
	if (!a->stopped && a->st.tx_bytes == a->total && !a->sent) {
		a->sent = 1; /* FIN queued */
		ns3shim_tcp_shutdown(a->sock);
	}
}

static void bulk_connected(void *ctx, int sock, int ok)
{
	struct app *a = ctx;
	(void)sock;
	if (!ok) {
		a->st.errors++;
		a->st.done = 1;
		return;
	}
	bulk_fill(a);
}

static void bulk_space(void *ctx, int sock, size_t avail)
{
	(void)sock;
	(void)avail;
	bulk_fill(ctx);
}

static void bulk_closed(void *ctx, int sock, int error)
{
	struct app *a = ctx;
	if (error || a->st.tx_bytes < a->total)
		a->st.errors++;
	a->st.done = 1;
	a->stopped = 1;
	ns3shim_sock_close(sock);
}

int ns3apps_tcp_bulk(int node, uint32_t dst, uint16_t port, uint64_t bytes, uint32_t mss)
{
	if (port == 0)
		return ns3shim_errorf(NS3SHIM_EARG, "ns3apps_tcp_bulk: port 0 (expected 1..65535)");
	struct app *a = app_new(APP_BULK, node);
	if (!a)
		return ns3shim_errorf(NS3SHIM_ESTATE, "ns3apps_tcp_bulk: out of memory");
	a->dst = dst;
	a->port = port;
	a->total = bytes;
	a->mss = mss;
	struct ns3shim_tcp_cbs cbs = {
		.connected = bulk_connected,
		.send_space = bulk_space,
		.closed = bulk_closed,
	};
	a->sock = ns3shim_tcp_connect(node, dst, port, mss, &cbs, a);
	if (a->sock < 0) {
		a->stopped = 1;
		return a->sock;
	}
	return a->id;
}

static struct conn_off *sink_conn(struct app *a, int sock)
{
	for (size_t i = 0; i < a->nconns; i++)
		if (a->conns[i].sock == sock)
			return &a->conns[i];
	return NULL;
}

static void tsink_accepted(void *ctx, int lsock, int sock, uint32_t peer, uint16_t pport)
{
	struct app *a = ctx;
	(void)lsock;
	(void)peer;
	(void)pport;
	struct conn_off *nc = realloc(a->conns, (a->nconns + 1) * sizeof *nc);
	if (!nc) {
		a->st.errors++;
		return;
	}
	a->conns = nc;
	a->conns[a->nconns].sock = sock;
	a->conns[a->nconns].off = 0;
	a->nconns++;
}

static void tsink_recv(void *ctx, int sock, const uint8_t *d, size_t len)
{
	struct app *a = ctx;
	struct conn_off *c = sink_conn(a, sock);
	rx_time(&a->st);
	a->st.rx_packets++;
	a->st.rx_bytes += len;
	if (!c) {
		a->st.errors++;
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (d[i] != (uint8_t)((c->off + i) % PATTERN_MOD))
			a->st.errors++;
	c->off += len;
}

static void tsink_closed(void *ctx, int sock, int error)
{
	struct app *a = ctx;
	if (error)
		a->st.errors++;
	ns3shim_sock_close(sock);
}

int ns3apps_tcp_sink(int node, uint16_t port, uint32_t mss)
{
	if (port == 0)
		return ns3shim_errorf(NS3SHIM_EARG, "ns3apps_tcp_sink: port 0 (expected 1..65535)");
	struct app *a = app_new(APP_TCP_SINK, node);
	if (!a)
		return ns3shim_errorf(NS3SHIM_ESTATE, "ns3apps_tcp_sink: out of memory");
	a->port = port;
	struct ns3shim_tcp_cbs cbs = {
		.accepted = tsink_accepted,
		.recv = tsink_recv,
		.closed = tsink_closed,
	};
	a->sock = ns3shim_tcp_listen(node, 0, port, mss, &cbs, a);
	if (a->sock < 0) {
		a->stopped = 1;
		return a->sock;
	}
	return a->id;
}

/* ------------------------------------------------------------ common */

static struct app *app_get(int id)
{
	if (id < 0 || (size_t)id >= napps)
		return NULL;
	return apps[id];
}

int ns3apps_stats(int app, struct ns3apps_stats *out)
{
	struct app *a = app_get(app);
	if (!a || !out)
		return ns3shim_errorf(NS3SHIM_EARG, "ns3apps_stats: app %d does not exist (%zu apps) "
				      "or out is NULL", app, napps);
	*out = a->st;
	return 0;
}

int ns3apps_stop(int app)
{
	struct app *a = app_get(app);
	if (!a)
		return ns3shim_errorf(NS3SHIM_EARG, "ns3apps_stop: app %d does not exist (%zu apps)",
				      app, napps);
	if (a->stopped)
		return 0;
	a->stopped = 1;
	if (a->timer > 0)
		ns3shim_timer_cancel(a->timer);
	a->timer = 0;
	if (a->sock >= 0)
		ns3shim_sock_close(a->sock);
	return 0;
}
