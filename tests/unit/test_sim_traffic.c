/*
 * test_sim_traffic.c — ns-3 shim integration tests, part 2: TCP bulk
 * transfer with an explicit segment size, the tunnel device (tx callback and
 * nested inject), link cut and restore, ping (RTT, DF), and determinism:
 * the same seed gives byte-identical pcaps, another seed changes the loss
 * pattern. One forked simulation per scenario (test_sim_fork.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "sim/ns3apps.h"
#include "sim/ns3shim.h"
#include "tests/unit/test_sim_fork.h"
#include "tests/unit/test_sim_topo.h"

#define MS 1000000ull
#define SEC 1000000000ull

/* read_file slurps |path| (free() it); NULL if unreadable. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* files_equal is 1 if both files exist and have the same bytes. */
static int files_equal(const char *a, const char *b)
{
	size_t na, nb;
	uint8_t *pa = read_file(a, &na), *pb = read_file(b, &nb);
	int eq = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return eq;
}


/* ------------------------------------------------------------ TCP bulk */

#define BULK_BYTES 1000000
#define BULK_MSS 500

static void sc_tcp_bulk(struct simres *res, void *arg)
{
	const char *dir = arg;
	struct topo3 t;
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, 5 * MS, 1500) == 0);
	snprintf(res->path[0], sizeof res->path[0], "%s/B-1.pcap", dir);
	SIM_CHECK(res, ns3shim_pcap_open(t.b, t.b_dev, res->path[0]) == 0);
	int sink = ns3apps_tcp_sink(t.b, 5555, BULK_MSS);
	int bulk = ns3apps_tcp_bulk(t.a, IP_B, 5555, BULK_BYTES, BULK_MSS);
	SIM_CHECK(res, sink >= 0 && bulk >= 0);
	SIM_CHECK(res, ns3shim_run_until(20 * SEC) > 0);
	struct ns3apps_stats ss, bs;
	SIM_CHECK(res, ns3apps_stats(sink, &ss) == 0);
	SIM_CHECK(res, ns3apps_stats(bulk, &bs) == 0);
	SIM_CHECK_EQ(res, bs.tx_bytes, BULK_BYTES);
	SIM_CHECK_EQ(res, bs.errors, 0);
	SIM_CHECK_EQ(res, bs.done, 1);
	SIM_CHECK_EQ(res, ss.rx_bytes, BULK_BYTES);
	SIM_CHECK_EQ(res, ss.errors, 0); /* every octet matched the pattern */
	/* 1 MB at 10 Mb/s is at least 0.8 s of wire time */
	SIM_CHECK(res, ss.last_rx_ns - ss.first_rx_ns > 800 * MS);
	res->v[0] = (long)(ss.last_rx_ns / MS);
}

static void test_tcp_bulk(void **state)
{
	(void)state;
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	struct simres r;
	SIM_RUN(sc_tcp_bulk, dir, &r);
	/* segments carry BULK_MSS payload octets: IP length 20 + 20 + options + 500 */
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(r.path[0], err);
	assert_non_null(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned max_ip = 0, full = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		const u_char *ip = d + 2;
		if (ip[9] != 6)
			continue;
		unsigned tot = (unsigned)(ip[2] << 8 | ip[3]);
		unsigned thl = (unsigned)(ip[20 + 12] >> 4) * 4;
		if (tot > max_ip)
			max_ip = tot;
		if (tot - 20 - thl == BULK_MSS)
			full++;
	}
	pcap_close(p);
	assert_true(max_ip <= 20 + 60 + BULK_MSS);
	assert_true(full >= BULK_BYTES / BULK_MSS - 1);
	assert_int_equal(sim_tshark_problems(r.path[0]), 0);
	sim_rmdir(dir);
}

/* ------------------------------------------------------------ tunnel device */

/*
 *   node A: UDP socket ──► stack ──route 10.99.1.0/24──► tun (10.99.0.1)
 *   tun tx callback (C): checks the inner packet, builds the answer and
 *   injects it at once: the socket's receive callback runs inside tx.
 */
#define IP_TUN NS3SHIM_IP(10, 99, 0, 1)
#define IP_FAR NS3SHIM_IP(10, 99, 1, 5)

struct tun_state {
	int node, dev, in_tx, tx_n, rx_n, rx_nested;
	size_t tx_len;
	uint32_t tx_src, tx_dst;
	uint8_t tx_proto;
	uint16_t sport;
	struct ns3shim_pktinfo rx_pi;
};

static void tun_tx(void *ctx, int node, int dev, const uint8_t *p, size_t n)
{
	struct tun_state *s = ctx;
	s->tx_n++;
	s->tx_len = n;
	if (n < 28)
		return;
	s->tx_src = get32be(p + 12);
	s->tx_dst = get32be(p + 16);
	s->tx_proto = p[9];
	if (n > 200 || (p[6] & 0x3f) || p[7])
		return; /* answer small unfragmented datagrams only */
	s->sport = (uint16_t)(p[20] << 8 | p[21]);
	uint8_t reply[256];
	size_t rn = udp_build(reply, IP_FAR, 7, IP_TUN, s->sport, p + 28, n - 28, 0);
	s->in_tx = 1;
	ns3shim_tun_inject(node, dev, reply, rn);
	s->in_tx = 0;
}

static void tun_sock_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
			size_t len)
{
	struct tun_state *s = ctx;
	(void)sock, (void)d, (void)len;
	s->rx_n++;
	s->rx_nested += s->in_tx;
	s->rx_pi = *pi;
}

static void sc_tunnel(struct simres *res, void *arg)
{
	const char *dir = arg;
	struct tun_state s = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	s.node = ns3shim_node_add("client", NS3SHIM_HOST);
	SIM_CHECK(res, s.node >= 0);
	s.dev = ns3shim_tun_add(s.node, 1400, tun_tx, &s);
	SIM_CHECK_EQ(res, s.dev, 1);
	SIM_CHECK_EQ(res, ns3shim_dev_mtu(s.node, s.dev), 1400);
	SIM_CHECK(res, ns3shim_addr_add(s.node, s.dev, IP_TUN, 32) == 0);
	SIM_CHECK(res, ns3shim_route_add(s.node, NS3SHIM_IP(10, 99, 1, 0), 24, 0, s.dev) == 0);
	snprintf(res->path[0], sizeof res->path[0], "%s/tun.pcap", dir);
	SIM_CHECK(res, ns3shim_pcap_open(s.node, s.dev, res->path[0]) == 0);
	int sock = ns3shim_udp_open(s.node, 0, 0, tun_sock_rx, NULL, &s);
	SIM_CHECK(res, sock >= 0);
	uint8_t data[100];
	memset(data, 0x5a, sizeof data);
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sock, IP_FAR, 7, data, sizeof data), 100);
	/* everything happened synchronously inside sendto */
	SIM_CHECK_EQ(res, s.tx_n, 1);
	SIM_CHECK_EQ(res, s.tx_len, 128);
	SIM_CHECK_EQ(res, s.tx_src, IP_TUN);
	SIM_CHECK_EQ(res, s.tx_dst, IP_FAR);
	SIM_CHECK_EQ(res, s.tx_proto, 17);
	SIM_CHECK_EQ(res, s.rx_n, 1);
	SIM_CHECK_EQ(res, s.rx_nested, 1);
	SIM_CHECK_EQ(res, s.rx_pi.src, IP_FAR);
	SIM_CHECK_EQ(res, s.rx_pi.sport, 7);
	SIM_CHECK_EQ(res, s.rx_pi.dst, IP_TUN);
	SIM_CHECK_EQ(res, s.rx_pi.dev, s.dev);
	/* a 1600-octet datagram is fragmented to the tunnel MTU before tx */
	static uint8_t big[1600];
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sock, IP_FAR, 9, big, sizeof big), 1600);
	SIM_CHECK_EQ(res, s.tx_n, 3);
	SIM_CHECK(res, s.tx_len < 1400);
	/* an injected packet with a bad checksum is dropped by the stack */
	uint8_t reply[256];
	size_t rn = udp_build(reply, IP_FAR, 7, IP_TUN, s.sport, data, 10, 0);
	reply[10] ^= 1;
	SIM_CHECK_EQ(res, ns3shim_tun_inject(s.node, s.dev, reply, rn), (int)rn);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) >= 0);
	SIM_CHECK_EQ(res, s.rx_n, 1);
	struct ns3shim_dev_counters c;
	SIM_CHECK(res, ns3shim_dev_counters(s.node, s.dev, &c) == 0);
	SIM_CHECK_EQ(res, c.tx_packets, 3);
	SIM_CHECK_EQ(res, c.rx_packets, 2);
	SIM_CHECK_EQ(res, c.rx_bytes, 128 + 38);
}

static void test_tunnel(void **state)
{
	(void)state;
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	struct simres r;
	SIM_RUN(sc_tunnel, dir, &r);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(r.path[0], err);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_RAW);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		assert_int_equal(d[0], 0x45);
		n++;
	}
	pcap_close(p);
	assert_int_equal(n, 5); /* both directions: 3 out, 2 in */
	sim_rmdir(dir);
}

/* ------------------------------------------------------------ link cut and restore */

struct cut_ctx {
	int link, up;
};

static void set_link(void *ctx)
{
	struct cut_ctx *c = ctx;
	ns3shim_link_set_up(c->link, c->up);
}

static void sc_cut(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	int sink = ns3apps_udp_sink(t.b, 9);
	int cbr = ns3apps_udp_cbr(t.a, IP_B, 9, 100, 10 * MS, 300);
	SIM_CHECK(res, sink >= 0 && cbr >= 0);
	/* a datagram needs 2 x (1 ms + 104 us) to reach B: those sent at
	 * 1.000 .. 1.990 s arrive while link rb is down */
	struct cut_ctx down = {t.link_rb, 0}, up = {t.link_rb, 1};
	SIM_CHECK(res, ns3shim_timer_at(1 * SEC + 500000, set_link, &down) > 0);
	SIM_CHECK(res, ns3shim_timer_at(2 * SEC + 500000, set_link, &up) > 0);
	SIM_CHECK(res, ns3shim_run_until(4 * SEC) > 0);
	struct ns3apps_stats ss, cs;
	SIM_CHECK(res, ns3apps_stats(sink, &ss) == 0);
	SIM_CHECK(res, ns3apps_stats(cbr, &cs) == 0);
	SIM_CHECK_EQ(res, cs.tx_packets, 300);
	SIM_CHECK_EQ(res, cs.done, 1);
	SIM_CHECK_EQ(res, ss.rx_packets, 200);
	SIM_CHECK_EQ(res, ss.delay_min_ns, 2 * (MS + 104000));
	SIM_CHECK_EQ(res, ss.delay_max_ns, 2 * (MS + 104000));
	struct ns3shim_dev_counters c;
	SIM_CHECK(res, ns3shim_dev_counters(t.b, t.b_dev, &c) == 0);
	SIM_CHECK_EQ(res, c.rx_drops, 100);
	SIM_CHECK_EQ(res, c.rx_packets, 200);
}

static void test_link_cut_restore(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_cut, NULL, &r);
}

/* ------------------------------------------------------------ ping */

static void sc_ping(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1000) == 0);
	int p1 = ns3apps_ping(t.a, IP_B, 56, 100 * MS, 5, 0);
	int p2 = ns3apps_ping(t.a, IP_B, 1200, 100 * MS, 3, 0);  /* fragmented by R */
	int p3 = ns3apps_ping(t.a, IP_B, 1600, 100 * MS, 2, 1);  /* DF over A's MTU */
	int p4 = ns3apps_ping(t.a, NS3SHIM_IP(10, 0, 1, 9), 56, 100 * MS, 2, 0); /* nobody */
	SIM_CHECK(res, p1 >= 0 && p2 >= 0 && p3 >= 0 && p4 >= 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	struct ns3apps_stats s;
	SIM_CHECK(res, ns3apps_stats(p1, &s) == 0);
	SIM_CHECK_EQ(res, s.tx_packets, 5);
	SIM_CHECK_EQ(res, s.rx_packets, 5);
	SIM_CHECK_EQ(res, s.done, 1);
	/* 84 IP octets + 2 PPP at 10 Mb/s = 68.8 us a hop, 4 hops + 4 ms */
	SIM_CHECK_EQ(res, s.delay_min_ns, 4 * (MS + 68800));
	SIM_CHECK_EQ(res, s.delay_max_ns, s.delay_min_ns);
	SIM_CHECK(res, ns3apps_stats(p2, &s) == 0);
	SIM_CHECK_EQ(res, s.rx_packets, 3);
	SIM_CHECK(res, ns3apps_stats(p3, &s) == 0);
	SIM_CHECK_EQ(res, s.tx_packets, 0);
	SIM_CHECK_EQ(res, s.errors, 2);
	SIM_CHECK_EQ(res, s.icmp_mtu, 1500);
	SIM_CHECK(res, ns3apps_stats(p4, &s) == 0);
	SIM_CHECK_EQ(res, s.tx_packets, 2);
	SIM_CHECK_EQ(res, s.rx_packets, 0);
	/* nobody has 10.0.1.9: A and R (both forward, p2p has no ARP) bounce
	 * it between them until the TTL runs out and R sends ICMP 11/0 */
	SIM_CHECK_EQ(res, s.errors, 2);
	SIM_CHECK(res, ns3apps_stop(p1) == 0);
	SIM_CHECK(res, ns3apps_stats(99, &s) == NS3SHIM_EARG);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "app 99 does not exist (4 apps)"));
}

static void test_ping(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_ping, NULL, &r);
}

/* ------------------------------------------------------------ determinism */

struct det_arg {
	const char *dir;
	uint32_t seed;
};

/*
 * sc_lossy: topo3 with 30 % loss on A->R (at R's receiver): UDP CBR A->B and
 * a TCP bulk B->A whose ACKs cross the lossy direction. Pcaps on A and B.
 */
static void sc_lossy(struct simres *res, void *arg)
{
	const struct det_arg *da = arg;
	struct topo3 t;
	SIM_CHECK(res, ns3shim_init(da->seed, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, 2 * MS, 1500) == 0);
	SIM_CHECK(res, ns3shim_dev_set_loss(t.r, t.ra_dev, 0.3) == 0);
	snprintf(res->path[0], sizeof res->path[0], "%s/A-1.pcap", da->dir);
	snprintf(res->path[1], sizeof res->path[1], "%s/B-1.pcap", da->dir);
	SIM_CHECK(res, ns3shim_pcap_open(t.a, t.a_dev, res->path[0]) == 0);
	SIM_CHECK(res, ns3shim_pcap_open(t.b, t.b_dev, res->path[1]) == 0);
	int sink = ns3apps_udp_sink(t.b, 9);
	int cbr = ns3apps_udp_cbr(t.a, IP_B, 9, 200, 5 * MS, 400);
	int tsink = ns3apps_tcp_sink(t.a, 5555, 1000);
	int bulk = ns3apps_tcp_bulk(t.b, IP_A, 5555, 200000, 1000);
	SIM_CHECK(res, sink >= 0 && cbr >= 0 && tsink >= 0 && bulk >= 0);
	SIM_CHECK(res, ns3shim_run_until(30 * SEC) > 0);
	struct ns3apps_stats s;
	SIM_CHECK(res, ns3apps_stats(sink, &s) == 0);
	res->v[0] = (long)s.rx_packets;
	SIM_CHECK(res, ns3apps_stats(tsink, &s) == 0);
	SIM_CHECK_EQ(res, s.rx_bytes, 200000);
	SIM_CHECK_EQ(res, s.errors, 0);
	res->v[1] = (long)ns3shim_event_count();
}

static void test_determinism(void **state)
{
	(void)state;
	char d1[64], d2[64], d3[64];
	sim_tmpdir(d1, sizeof d1);
	sim_tmpdir(d2, sizeof d2);
	sim_tmpdir(d3, sizeof d3);
	struct det_arg a1 = {d1, 1}, a2 = {d2, 1}, a3 = {d3, 2};
	struct simres r1, r2, r3;
	SIM_RUN(sc_lossy, &a1, &r1);
	SIM_RUN(sc_lossy, &a2, &r2);
	SIM_RUN(sc_lossy, &a3, &r3);
	/* ~30 % of 400 datagrams lost */
	assert_true(r1.v[0] > 200 && r1.v[0] < 360);
	assert_int_equal(r1.v[0], r2.v[0]);
	assert_int_equal(r1.v[1], r2.v[1]);
	assert_true(files_equal(r1.path[0], r2.path[0]));
	assert_true(files_equal(r1.path[1], r2.path[1]));
	/* another seed: another loss pattern, so different captures */
	assert_false(files_equal(r1.path[0], r3.path[0]));
	assert_false(files_equal(r1.path[1], r3.path[1]));
	assert_int_equal(sim_tshark_problems(r1.path[0]), 0);
	assert_int_equal(sim_tshark_problems(r1.path[1]), 0);
	sim_rmdir(d1);
	sim_rmdir(d2);
	sim_rmdir(d3);
}

/* ------------------------------------------------------------ traffic-control drops */

/*
 *   A ──10 Mb/s, queue 10── R ──1 Mb/s, queue 5── B
 * Bursts overflow the device queues. While the simulation runs, ns-3's
 * traffic-control layer discards what the stack sends into a full queue
 * (the send still succeeds and no device trace fires): tc_drops. Before
 * the first run that layer is not set up, so the device queue itself
 * overflows: tx_drops. Either way every datagram is accounted for.
 */
#define TC_BURST 40

struct drop_log {
	int n[4];            /* by kind */
	int at_r_rb, first_ok;
	int r, rb;           /* R and its device towards B */
	uint8_t first[28];
	size_t first_len;
};

static void drop_rec(void *ctx, int node, int dev, int kind, const uint8_t *p, size_t len)
{
	struct drop_log *l = ctx;
	if (kind >= 1 && kind <= 3)
		l->n[kind]++;
	if (kind == NS3SHIM_DROP_TC && node == l->r && dev == l->rb && l->at_r_rb++ == 0) {
		l->first_len = len;
		memcpy(l->first, p, len < sizeof l->first ? len : sizeof l->first);
	}
}

/* bneck_build makes the drawing above (addresses and routes as in topo3). */
static int bneck_build(struct topo3 *t, uint32_t q_ar, uint32_t q_rb)
{
	struct ns3shim_link_cfg ar = {.rate_bps = 10000000, .delay_ns = MS, .queue_pkts = q_ar};
	struct ns3shim_link_cfg rb = {.rate_bps = 1000000, .delay_ns = MS, .queue_pkts = q_rb};
	if ((t->a = ns3shim_node_add("A", NS3SHIM_HOST)) < 0 ||
	    (t->r = ns3shim_node_add("R", NS3SHIM_HOST)) < 0 ||
	    (t->b = ns3shim_node_add("B", NS3SHIM_HOST)) < 0 ||
	    (t->link_ar = ns3shim_link_add(t->a, t->r, &ar, &t->a_dev, &t->ra_dev)) < 0 ||
	    (t->link_rb = ns3shim_link_add(t->r, t->b, &rb, &t->rb_dev, &t->b_dev)) < 0)
		return -1;
	if (ns3shim_addr_add(t->a, t->a_dev, IP_A, 24) < 0 ||
	    ns3shim_addr_add(t->r, t->ra_dev, IP_RA, 24) < 0 ||
	    ns3shim_addr_add(t->r, t->rb_dev, IP_RB, 24) < 0 ||
	    ns3shim_addr_add(t->b, t->b_dev, IP_B, 24) < 0 ||
	    ns3shim_route_add(t->a, 0, 0, IP_RA, -1) < 0 || ns3shim_route_add(t->b, 0, 0, IP_RB, -1) < 0)
		return -1;
	return 0;
}

struct burst {
	int sock, n;
};

static void burst_send(void *ctx)
{
	struct burst *b = ctx;
	uint8_t data[1000] = {0};
	for (int i = 0; i < b->n; i++)
		if (ns3shim_udp_sendto(b->sock, IP_B, 9, data, sizeof data) != (int)sizeof data)
			return;
}

static void sc_tc_drops(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct drop_log dl = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, bneck_build(&t, 10, 5) == 0);
	int a = t.a, r = t.r, b = t.b, ad = t.a_dev, rbd = t.rb_dev, bd = t.b_dev;
	dl.r = r;
	dl.rb = rbd;
	SIM_CHECK(res, ns3shim_drop_hook(drop_rec, &dl) == 0);
	int sink = ns3apps_udp_sink(b, 9);
	struct burst bu = {ns3shim_udp_open(a, 0, 0, NULL, NULL, NULL), TC_BURST};
	SIM_CHECK(res, sink >= 0 && bu.sock >= 0);

	/* before the first run: A's device queue overflows (tx_drops) */
	burst_send(&bu);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	struct ns3shim_dev_counters ca, cr;
	SIM_CHECK(res, ns3shim_dev_counters(a, ad, &ca) == 0);
	SIM_CHECK_EQ(res, ca.tc_drops, 0);
	SIM_CHECK(res, ca.tx_drops > 0);
	SIM_CHECK_EQ(res, ca.tx_packets + ca.tx_drops, TC_BURST);
	long pre_a_tx = (long)ca.tx_drops;

	/* during the run: the traffic-control layer drops, at A and at R */
	SIM_CHECK(res, ns3shim_timer_in(MS, burst_send, &bu) > 0);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);
	struct ns3apps_stats ss;
	SIM_CHECK(res, ns3apps_stats(sink, &ss) == 0);
	SIM_CHECK(res, ns3shim_dev_counters(a, ad, &ca) == 0);
	SIM_CHECK(res, ns3shim_dev_counters(r, rbd, &cr) == 0);
	SIM_CHECK_EQ(res, ca.tx_drops, pre_a_tx); /* no new device-queue drops */
	SIM_CHECK(res, ca.tc_drops > 0);
	SIM_CHECK(res, cr.tc_drops > 0);
	SIM_CHECK_EQ(res, cr.tx_drops, 0);
	/* conservation: every datagram reached B or is in a drop counter */
	SIM_CHECK_EQ(res, ss.rx_packets + ca.tx_drops + ca.tc_drops + cr.tc_drops, 2 * TC_BURST);
	SIM_CHECK_EQ(res, cr.tx_packets, ss.rx_packets);
	/* the hook saw each of them, with the IPv4 packet */
	SIM_CHECK_EQ(res, dl.n[NS3SHIM_DROP_TX], ca.tx_drops);
	SIM_CHECK_EQ(res, dl.n[NS3SHIM_DROP_TC], ca.tc_drops + cr.tc_drops);
	SIM_CHECK_EQ(res, dl.at_r_rb, cr.tc_drops);
	SIM_CHECK_EQ(res, dl.first_len, 1028);
	SIM_CHECK_EQ(res, dl.first[0], 0x45);
	SIM_CHECK_EQ(res, dl.first[9], 17);
	SIM_CHECK_EQ(res, dl.first[8], 63); /* forwarded: R already took its hop */
	SIM_CHECK_EQ(res, get32be(dl.first + 16), IP_B);

	/* receive-side losses reach the hook too */
	SIM_CHECK(res, ns3shim_dev_set_loss(b, bd, 1.0) == 0);
	bu.n = 3;
	SIM_CHECK(res, ns3shim_timer_in(MS, burst_send, &bu) > 0);
	SIM_CHECK(res, ns3shim_run_until(4 * SEC) > 0);
	SIM_CHECK_EQ(res, dl.n[NS3SHIM_DROP_RX], 3);
	SIM_CHECK(res, ns3shim_drop_hook(NULL, NULL) == 0);
	res->v[0] = (long)pre_a_tx;
	res->v[1] = (long)ca.tc_drops;
	res->v[2] = (long)cr.tc_drops;
}

static void test_tc_drops(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_tc_drops, NULL, &r);
	if (getenv("VPNLAB_SIM_VERBOSE"))
		fprintf(stderr, "tc drops: A tx %ld (before run), A tc %ld, R tc %ld\n", r.v[0],
			r.v[1], r.v[2]);
}

/*
 * TCP bulk into the same 1 Mb/s bottleneck (queues 100): R's traffic-
 * control layer drops segments (nothing else would show them), TCP
 * recovers and the sink gets every octet.
 */
static void sc_tc_tcp(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct drop_log dl = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, bneck_build(&t, 0, 0) == 0);
	dl.r = t.r;
	dl.rb = t.rb_dev;
	SIM_CHECK(res, ns3shim_drop_hook(drop_rec, &dl) == 0);
	int sink = ns3apps_tcp_sink(t.b, 5555, 1000);
	int bulk = ns3apps_tcp_bulk(t.a, IP_B, 5555, 1000000, 1000);
	SIM_CHECK(res, sink >= 0 && bulk >= 0);
	SIM_CHECK(res, ns3shim_run_until(30 * SEC) > 0);
	struct ns3apps_stats ss;
	SIM_CHECK(res, ns3apps_stats(sink, &ss) == 0);
	SIM_CHECK_EQ(res, ss.rx_bytes, 1000000);
	SIM_CHECK_EQ(res, ss.errors, 0);
	struct ns3shim_dev_counters ca, cr;
	SIM_CHECK(res, ns3shim_dev_counters(t.a, t.a_dev, &ca) == 0);
	SIM_CHECK(res, ns3shim_dev_counters(t.r, t.rb_dev, &cr) == 0);
	SIM_CHECK(res, cr.tc_drops > 0);
	SIM_CHECK_EQ(res, cr.tx_drops + ca.tx_drops, 0);
	SIM_CHECK_EQ(res, dl.n[NS3SHIM_DROP_TC], ca.tc_drops + cr.tc_drops);
	SIM_CHECK_EQ(res, dl.at_r_rb, cr.tc_drops);
	res->v[0] = (long)cr.tc_drops;
	res->v[1] = (long)ca.tc_drops;
}

static void test_tc_tcp(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_tc_tcp, NULL, &r);
	if (getenv("VPNLAB_SIM_VERBOSE"))
		fprintf(stderr, "tcp: traffic control dropped %ld segments at R, %ld at A\n", r.v[0],
			r.v[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_bulk),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_link_cut_restore),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_tc_drops),
		cmocka_unit_test(test_tc_tcp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
