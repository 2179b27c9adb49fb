/*
 * test_sim_shim.c — ns-3 shim integration tests, part 1: lifecycle, timers,
 * errors, UDP through a router, fragmentation, pcaps (libpcap + tshark),
 * DF via header-included send, the IP protocol 50 handler, and a C raw
 * node (a wire that also answers big packets with ICMP 3/4), route and
 * address removal, ICMP errors for TCP connections.
 * Each test forks one simulation (tests/unit/test_sim_fork.h says why).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "sim/ns3shim.h"
#include "tests/unit/test_sim_fork.h"
#include "tests/unit/test_sim_topo.h"

#define MS 1000000ull
#define SEC 1000000000ull

/* ------------------------------------------------------------ timers */

struct tlog {
	int order[16];
	uint64_t at[16];
	int n;
	int64_t cancel_me;
};

struct tctx {
	struct tlog *log;
	int tag;
};

static void t_fire(void *ctx)
{
	struct tctx *c = ctx;
	struct tlog *l = c->log;
	if (l->n < 16) {
		l->order[l->n] = c->tag;
		l->at[l->n] = ns3shim_now();
		l->n++;
	}
	if (c->tag == 1) /* timer 1 cancels timer 4 and schedules tag 5 from inside a callback */
		ns3shim_timer_cancel(l->cancel_me);
	if (c->tag == 1) {
		static struct tctx five;
		five.log = l;
		five.tag = 5;
		ns3shim_timer_in(0, t_fire, &five);
	}
}

static void sc_timers(struct simres *res, void *arg)
{
	(void)arg;
	struct tlog l = {0};
	struct tctx c[5];
	for (int i = 0; i < 5; i++)
		c[i] = (struct tctx){&l, i};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK_EQ(res, ns3shim_now(), 0);
	SIM_CHECK(res, ns3shim_timer_in(3 * MS, t_fire, &c[3]) > 0);
	SIM_CHECK(res, ns3shim_timer_at(1 * MS, t_fire, &c[1]) > 0);
	SIM_CHECK(res, ns3shim_timer_in(2 * MS, t_fire, &c[2]) > 0);
	l.cancel_me = ns3shim_timer_in(4 * MS, t_fire, &c[4]);
	SIM_CHECK(res, l.cancel_me > 0);
	SIM_CHECK(res, ns3shim_timer_in(1 * MS, t_fire, &c[0]) > 0); /* same time as tag 1, later */
	int64_t n = ns3shim_run_until(10 * MS);
	SIM_CHECK(res, n >= 5);
	SIM_CHECK_EQ(res, ns3shim_now(), 10 * MS);
	SIM_CHECK_EQ(res, l.n, 5);
	int want[] = {1, 0, 5, 2, 3};
	uint64_t want_at[] = {1 * MS, 1 * MS, 1 * MS, 2 * MS, 3 * MS};
	for (int i = 0; i < 5; i++) {
		SIM_CHECK_EQ(res, l.order[i], want[i]);
		SIM_CHECK_EQ(res, l.at[i], want_at[i]);
	}
	SIM_CHECK_EQ(res, ns3shim_timer_cancel(l.cancel_me), 1); /* already cancelled */
	SIM_CHECK(res, ns3shim_timer_at(5 * MS, t_fire, &c[0]) == NS3SHIM_EARG); /* past */
	SIM_CHECK(res, strstr(ns3shim_last_error(), "before now") != NULL);
	/* run_until the present is a no-op; a past time is an error */
	SIM_CHECK_EQ(res, ns3shim_run_until(10 * MS), 0);
	SIM_CHECK(res, ns3shim_run_until(9 * MS) == NS3SHIM_EARG);
	SIM_CHECK(res, ns3shim_event_count() >= 5);
}

static void test_timers(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_timers, NULL, &r);
}

static void stopper(void *ctx)
{
	(void)ctx;
	ns3shim_stop();
}

struct udp_log {
	int n;
	struct ns3shim_pktinfo pi[4];
	size_t len[4];
	uint64_t at[4];
	int echo; /* echo back what arrives */
};

static void udp_log_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
		       size_t len)
{
	struct udp_log *l = ctx;
	if (l->n < 4) {
		l->pi[l->n] = *pi;
		l->len[l->n] = len;
		l->at[l->n] = ns3shim_now();
	}
	l->n++;
	if (l->echo)
		ns3shim_udp_sendto(sock, pi->src, pi->sport, d, len);
}

/* reenter tries what callbacks must not do; it records the results in |ctx|. */
static void reenter(void *ctx)
{
	long *out = ctx;
	out[0] = ns3shim_run_until(ns3shim_now() + MS);
	out[1] = ns3shim_run();
	ns3shim_destroy(); /* ignored */
	out[2] = ns3shim_node_count();
}

static void sc_stop(struct simres *res, void *arg)
{
	(void)arg;
	SIM_CHECK(res, ns3shim_init(7, 1) == 0);
	SIM_CHECK(res, ns3shim_timer_in(2 * MS, stopper, NULL) > 0);
	ns3shim_run_until(5 * MS);
	SIM_CHECK_EQ(res, ns3shim_now(), 2 * MS); /* stopped early */
	ns3shim_run_until(5 * MS);
	SIM_CHECK_EQ(res, ns3shim_now(), 5 * MS); /* the first call left no stale stop behind */
	SIM_CHECK(res, ns3shim_timer_in(1 * MS, stopper, NULL) > 0);
	SIM_CHECK(res, ns3shim_run() >= 1);
	SIM_CHECK_EQ(res, ns3shim_now(), 6 * MS);
	/* running or destroying from inside a callback is refused */
	long out[3] = {0, 0, -1};
	SIM_CHECK(res, ns3shim_node_add("n", NS3SHIM_HOST) == 0);
	SIM_CHECK(res, ns3shim_timer_in(1 * MS, reenter, out) > 0);
	SIM_CHECK(res, ns3shim_run_until(10 * MS) >= 1);
	SIM_CHECK_EQ(res, out[0], NS3SHIM_ESTATE);
	SIM_CHECK_EQ(res, out[1], NS3SHIM_ESTATE);
	SIM_CHECK_EQ(res, out[2], 1);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "ns3shim_destroy: called from a callback"));
	/* a second simulation in the same process works (it is only not
	 * reproducible: ns-3's random-stream counters carry over) */
	ns3shim_destroy();
	SIM_CHECK_EQ(res, ns3shim_node_count(), 0);
	SIM_CHECK(res, ns3shim_init(7, 1) == 0);
	SIM_CHECK_EQ(res, ns3shim_now(), 0);
	struct topo3 t;
	struct udp_log lb = {0};
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	SIM_CHECK_EQ(res, t.a, 0);
	int sb = ns3shim_udp_open(t.b, 0, 9, udp_log_rx, NULL, &lb);
	int sa = ns3shim_udp_open(t.a, 0, 0, NULL, NULL, NULL);
	SIM_CHECK(res, sb >= 0 && sa >= 0);
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sa, IP_B, 9, (const uint8_t *)"x", 1), 1);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1);
}

static void test_stop(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_stop, NULL, &r);
}

/* ------------------------------------------------------------ errors (numbered table) */

static void noop_l3(void *ctx, int node, int dev, const uint8_t *p, size_t n)
{
	(void)ctx, (void)node, (void)dev, (void)p, (void)n;
}
static void noop_tx(void *ctx, int node, int dev, const uint8_t *p, size_t n)
{
	(void)ctx, (void)node, (void)dev, (void)p, (void)n;
}

/*
 * ERR_CASE runs one numbered case of the error table: |call| must return
 * |want| and, when |msg| is not empty, leave a last_error containing |msg|.
 */
#define ERR_CASE(no, call, want, msg)                                                          \
	do {                                                                                   \
		int got_ = (int)(call);                                                        \
		if (got_ != (want) || ((msg)[0] && !strstr(ns3shim_last_error(), (msg)))) {    \
			snprintf(res->fail, sizeof res->fail,                                  \
				 "case %d: %s returned %d (want %d), error \"%s\" (want \"%s\")", \
				 no, #call, got_, want, ns3shim_last_error(), msg);            \
			return;                                                                \
		}                                                                              \
	} while (0)

static void sc_errors(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	uint8_t buf[2000] = {0};
	struct ns3shim_link_cfg cfg = {.rate_bps = 1000000};
	struct ns3shim_link_cfg bad_mtu = {.rate_bps = 1000000, .mtu_a = 40};
	struct ns3shim_dev_counters ctr;
	struct ns3shim_route_info ri;
	struct ns3shim_tcp_cbs cbs = {0};

	ERR_CASE(1, ns3shim_node_add("x", NS3SHIM_HOST), NS3SHIM_ESTATE,
		 "ns3shim_node_add: ns3shim_init has not been called");
	ERR_CASE(2, ns3shim_init(0, 1), NS3SHIM_EARG, "seed 0 is not allowed");
	ERR_CASE(3, ns3shim_init(3, 1), 0, "");
	ERR_CASE(4, ns3shim_init(3, 1), NS3SHIM_ESTATE, "already running");
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	int raw = ns3shim_node_add("nat", NS3SHIM_RAW);
	SIM_CHECK_EQ(res, raw, 3);
	int usock = ns3shim_udp_open(t.b, 0, 9, NULL, NULL, NULL);
	int rsock = ns3shim_udp_open(t.r, 0, 9, NULL, NULL, NULL);
	SIM_CHECK(res, usock >= 0 && rsock >= 0);

	ERR_CASE(5, ns3shim_node_add("x", 9), NS3SHIM_EARG, "kind 9 is neither");
	ERR_CASE(6, ns3shim_dev_count(7), NS3SHIM_EARG,
		 "ns3shim_dev_count: node 7 does not exist (4 nodes)");
	ERR_CASE(7, ns3shim_addr_add(t.a, 9, IP_A, 24), NS3SHIM_EARG,
		 "device 9 does not exist on node 0 (A) (2 devices)");
	ERR_CASE(8, ns3shim_addr_add(raw, 0, IP_A, 24), NS3SHIM_EARG,
		 "node 3 (nat) is a raw node without an IP stack");
	ERR_CASE(9, ns3shim_addr_add(t.a, t.a_dev, IP_A, 24), NS3SHIM_EARG,
		 "node 0 (A) already has address 10.0.1.1");
	ERR_CASE(10, ns3shim_addr_add(t.a, t.a_dev, IP_B + 50, 33), NS3SHIM_EARG,
		 "prefix 33 out of range");
	ERR_CASE(11, ns3shim_addr_add(t.a, 0, IP_B + 50, 24), NS3SHIM_EARG, "is the loopback");
	ERR_CASE(12, ns3shim_link_add(t.a, t.a, &cfg, NULL, NULL), NS3SHIM_EARG,
		 "cannot link node 0 (A) to itself");
	ERR_CASE(13, ns3shim_link_add(t.a, t.b, NULL, NULL, NULL), NS3SHIM_EARG, "cfg is NULL");
	ERR_CASE(14, ns3shim_link_add(t.a, t.b, &bad_mtu, NULL, NULL), NS3SHIM_EARG,
		 "mtu 40/1500 out of range");
	ERR_CASE(15, ns3shim_route_add(t.a, 0, 0, NS3SHIM_IP(1, 2, 3, 4), -1), NS3SHIM_ENOROUTE,
		 "gateway 1.2.3.4 is on no subnet of node 0 (A)");
	ERR_CASE(16, ns3shim_route_lookup(t.r, NS3SHIM_IP(8, 8, 8, 8), &ri), NS3SHIM_ENOROUTE,
		 "node 1 (R) has no route to 8.8.8.8");
	ERR_CASE(17, ns3shim_dev_set_mtu(t.a, t.a_dev, 67), NS3SHIM_EARG, "mtu 67 out of range");
	ERR_CASE(18, ns3shim_dev_set_loss(t.a, t.a_dev, 1.5), NS3SHIM_EARG, "rate 1.5");
	ERR_CASE(19, ns3shim_link_set_up(5, 0), NS3SHIM_EARG, "link 5 does not exist (2 links)");
	ERR_CASE(20, ns3shim_dev_counters(t.a, t.a_dev, NULL), NS3SHIM_EARG, "out is NULL");
	ERR_CASE(21, ns3shim_dev_counters(t.a, -1, &ctr), NS3SHIM_EARG,
		 "device -1 does not exist");
	ERR_CASE(22, ns3shim_pcap_open(t.a, t.a_dev, "/nonexistent/dir/x.pcap"), NS3SHIM_EARG,
		 "cannot create /nonexistent/dir/x.pcap");
	ERR_CASE(23, ns3shim_udp_open(t.b, 0, 9, NULL, NULL, NULL), NS3SHIM_EFULL,
		 "bind 0.0.0.0:9: address in use");
	ERR_CASE(24, ns3shim_udp_open(t.b, IP_A, 10, NULL, NULL, NULL), NS3SHIM_EARG,
		 "10.0.1.1 is not an address of node 2 (B)");
	ERR_CASE(25, ns3shim_udp_sendto(rsock, NS3SHIM_IP(8, 8, 8, 8), 9, buf, 10),
		 NS3SHIM_ENOROUTE, "to 8.8.8.8:9: no route to host");
	ERR_CASE(26, ns3shim_udp_sendto(99, IP_A, 9, buf, 10), NS3SHIM_EARG,
		 "socket 99 does not exist");
	ERR_CASE(27, ns3shim_udp_sendto(usock, IP_A, 9, buf, 70000), NS3SHIM_EMSGSIZE,
		 "70000 octets exceed the UDP maximum 65507");
	ERR_CASE(28, ns3shim_ip_send_hdr(t.a, buf, 10), NS3SHIM_EARG, "length 10 out of range");
	ERR_CASE(29, ns3shim_ip_send_hdr(t.a, buf, 40), NS3SHIM_EARG,
		 "version/IHL octet 0x00 (expected 0x45");
	ERR_CASE(30, ns3shim_ip_send(t.r, 50, IP_A, IP_B, buf, 10), NS3SHIM_EARG,
		 "source 10.0.1.1 is not an address of node 1 (R)");
	ERR_CASE(31, ns3shim_proto_open(t.a, 17, NULL, NULL, NULL), NS3SHIM_EFULL,
		 "protocol 17 already has a handler on node 0 (A)");
	ERR_CASE(32, ns3shim_l3_hook(t.a, noop_l3, NULL), NS3SHIM_EARG,
		 "node 0 (A) has an IP stack");
	ERR_CASE(33, ns3shim_l3_hook(raw, NULL, NULL), NS3SHIM_EARG, "fn is NULL");
	ERR_CASE(34, ns3shim_dev_send(t.a, 0, buf, 100), NS3SHIM_EARG,
		 "device 0 of node 0 is not a point-to-point link");
	ERR_CASE(35, ns3shim_dev_send(t.a, t.a_dev, buf, 1501), NS3SHIM_EMSGSIZE,
		 "packet of 1501 octets does not fit MTU 1500 of node 0 device 1");
	ERR_CASE(36, ns3shim_tcp_connect(t.a, IP_B, 80, 0, &cbs, NULL), NS3SHIM_EARG,
		 "mss 0 out of range");
	ERR_CASE(37, ns3shim_tcp_connect(t.a, IP_B, 80, 536, NULL, NULL), NS3SHIM_EARG,
		 "cbs is NULL");
	ERR_CASE(38, ns3shim_tcp_connect(t.r, NS3SHIM_IP(8, 8, 8, 8), 80, 536, &cbs, NULL),
		 NS3SHIM_ENOROUTE, "no route to 8.8.8.8");
	ERR_CASE(39, ns3shim_tcp_send(usock, buf, 1), NS3SHIM_EARG,
		 "socket 0 is not a TCP connection");
	ERR_CASE(40, ns3shim_tun_add(t.a, 1400, NULL, NULL), NS3SHIM_EARG, "tx is NULL");
	ERR_CASE(41, ns3shim_tun_add(raw, 1400, noop_tx, NULL), NS3SHIM_EARG,
		 "node 3 (nat) is a raw node");
	ERR_CASE(42, ns3shim_tun_inject(t.a, t.a_dev, buf, 40), NS3SHIM_EARG,
		 "device 1 of node 0 is not a tunnel");
	ERR_CASE(43, ns3shim_timer_cancel(12345), NS3SHIM_EARG, "timer 12345 was never created");
	ERR_CASE(44, ns3shim_timer_in(1, NULL, NULL), NS3SHIM_EARG, "fn is NULL");
	ERR_CASE(45, ns3shim_sock_close(usock), 0, "");
	ERR_CASE(46, ns3shim_sock_close(usock), NS3SHIM_ESTATE, "socket 0 is closed");
	ERR_CASE(47, ns3shim_link_add(raw, t.a, &cfg, NULL, NULL), 2, "");
	ERR_CASE(48, ns3shim_dev_count(raw), 1, ""); /* raw nodes: no loopback, devices from 0 */
	ERR_CASE(49, ns3shim_dev_count(t.a), 3, "");
	ERR_CASE(50, ns3shim_l3_hook(raw, noop_l3, NULL), 0, "");
	ERR_CASE(51, ns3shim_l3_hook(raw, noop_l3, NULL), NS3SHIM_EFULL, "already has a hook");
	ERR_CASE(52, ns3shim_dev_set_loss(t.a, 0, 0.5), NS3SHIM_EARG,
		 "not a point-to-point link");
	ERR_CASE(53, ns3shim_run_until((uint64_t)1 << 63), NS3SHIM_EARG, "too large");
	ERR_CASE(54, ns3shim_route_del(raw, 0, 0, 0, -1), NS3SHIM_EARG,
		 "ns3shim_route_del: node 3 (nat) is a raw node");
	ERR_CASE(55, ns3shim_route_del(t.a, 0, 33, 0, -1), NS3SHIM_EARG,
		 "prefix 33 out of range (expected 0..32)");
	ERR_CASE(56, ns3shim_route_del(t.a, NS3SHIM_IP(10, 7, 1, 1), 16, 0, -1), NS3SHIM_ENOROUTE,
		 "node 0 (A) has no route to 10.7.0.0/16 via 0.0.0.0 on any device");
	ERR_CASE(57, ns3shim_route_del(t.a, 0, 0, IP_RA + 1, t.a_dev), NS3SHIM_ENOROUTE,
		 "has no route to 0.0.0.0/0 via 10.0.1.3 on device 1");
	ERR_CASE(58, ns3shim_route_del(t.a, 0, 0, IP_RA, 9), NS3SHIM_EARG,
		 "device 9 does not exist on node 0 (A)");
	ERR_CASE(59, ns3shim_addr_del(t.a, 0, IP_A), NS3SHIM_EARG,
		 "ns3shim_addr_del: device 0 of node 0 is the loopback");
	ERR_CASE(60, ns3shim_addr_del(t.a, t.a_dev, IP_B), NS3SHIM_EARG,
		 "10.0.2.1 is not an address of device 1 of node 0 (A)");
	ERR_CASE(61, ns3shim_addr_del(t.r, t.ra_dev, IP_RB), NS3SHIM_EARG,
		 "10.0.2.2 is not an address of device 1 of node 1 (R): it is on device 2");
	ERR_CASE(62, ns3shim_addr_del(raw, 0, IP_A), NS3SHIM_EARG, "is a raw node");
	ERR_CASE(63, ns3shim_tcp_icmp(rsock, NULL), NS3SHIM_EARG, "socket 1 is not a TCP socket");
	ERR_CASE(64, ns3shim_tcp_icmp(77, NULL), NS3SHIM_EARG, "socket 77 does not exist");
	ERR_CASE(65, ns3shim_udp_sendto(rsock, IP_A, 9, NULL, 3), NS3SHIM_EARG, "data is NULL");
	ERR_CASE(66, ns3shim_ip_send(t.a, 50, 0, IP_B, buf, 65516), NS3SHIM_EMSGSIZE,
		 "65516 octets exceed the IPv4 maximum 65515");
	ERR_CASE(67, ns3shim_pcap_open(t.a, t.a_dev, NULL), NS3SHIM_EARG, "path is NULL");
	ERR_CASE(68, ns3shim_icmp_open(t.a, NULL, NULL), NS3SHIM_EARG, "recv is NULL");
	/* the default route A got from topo3 is removed exactly once */
	ERR_CASE(69, ns3shim_route_del(t.a, 0, 0, IP_RA, -1), 1, "");
	ERR_CASE(70, ns3shim_route_lookup(t.a, IP_B, &ri), NS3SHIM_ENOROUTE, "no route to 10.0.2.1");
	ERR_CASE(71, ns3shim_route_del(t.a, 0, 0, IP_RA, -1), NS3SHIM_ENOROUTE, "via 10.0.1.2");
	/* case 35's refused packet is counted as a transmit drop */
	SIM_CHECK(res, ns3shim_dev_counters(t.a, t.a_dev, &ctr) == 0);
	SIM_CHECK_EQ(res, ctr.tx_drops, 1);
	SIM_CHECK_EQ(res, ctr.tx_packets, 0);
}

static void test_errors(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_errors, NULL, &r);
}

/* ------------------------------------------------------------ UDP through a router */

struct send_ctx {
	int sock;
	uint32_t dst;
	uint16_t port;
	size_t len;
};

static void send_udp(void *ctx)
{
	struct send_ctx *s = ctx;
	uint8_t buf[4000];
	for (size_t i = 0; i < s->len && i < sizeof buf; i++)
		buf[i] = (uint8_t)i;
	ns3shim_udp_sendto(s->sock, s->dst, s->port, buf, s->len);
}

static void sc_udp_router(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct udp_log la = {0}, lb = {.echo = 1};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	SIM_CHECK_EQ(res, t.a_dev, 1); /* loopback is device 0 on hosts */
	int sb = ns3shim_udp_open(t.b, 0, 7, udp_log_rx, NULL, &lb);
	int sa = ns3shim_udp_open(t.a, 0, 0, udp_log_rx, NULL, &la);
	SIM_CHECK(res, sb >= 0 && sa >= 0);
	int aport = ns3shim_udp_port(sa);
	SIM_CHECK(res, aport >= 49152);
	struct ns3shim_route_info ri;
	SIM_CHECK(res, ns3shim_route_lookup(t.a, IP_B, &ri) == 0);
	SIM_CHECK_EQ(res, ri.src, IP_A);
	SIM_CHECK_EQ(res, ri.gw, IP_RA);
	SIM_CHECK_EQ(res, ri.dev, t.a_dev);
	SIM_CHECK_EQ(res, ri.mtu, 1500);
	struct send_ctx s = {sa, IP_B, 7, 100};
	SIM_CHECK(res, ns3shim_timer_at(1 * MS, send_udp, &s) > 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1);
	SIM_CHECK_EQ(res, lb.len[0], 100);
	SIM_CHECK_EQ(res, lb.pi[0].src, IP_A);
	SIM_CHECK_EQ(res, lb.pi[0].sport, aport);
	SIM_CHECK_EQ(res, lb.pi[0].dst, IP_B);
	SIM_CHECK_EQ(res, lb.pi[0].dport, 7);
	SIM_CHECK_EQ(res, lb.pi[0].proto, 17);
	SIM_CHECK_EQ(res, lb.pi[0].ttl, 63);
	SIM_CHECK_EQ(res, lb.pi[0].dev, t.b_dev);
	SIM_CHECK_EQ(res, la.n, 1);
	SIM_CHECK_EQ(res, la.pi[0].src, IP_B);
	SIM_CHECK_EQ(res, la.pi[0].sport, 7);
	SIM_CHECK_EQ(res, la.pi[0].dport, aport);
	/* 4 hops of 1 ms + 130 octets (128 IP + 2 PPP) at 10 Mb/s = 104 us each */
	SIM_CHECK_EQ(res, lb.at[0], 1 * MS + 2 * (MS + 104000));
	SIM_CHECK_EQ(res, la.at[0], 1 * MS + 4 * (MS + 104000));
	struct ns3shim_dev_counters c;
	SIM_CHECK(res, ns3shim_dev_counters(t.r, t.ra_dev, &c) == 0);
	SIM_CHECK_EQ(res, c.rx_packets, 1);
	SIM_CHECK_EQ(res, c.rx_bytes, 128);
	SIM_CHECK_EQ(res, c.tx_packets, 1);
	SIM_CHECK_EQ(res, c.tx_bytes, 128);
	SIM_CHECK_EQ(res, c.rx_drops + c.tx_drops, 0);
}

static void test_udp_router(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_udp_router, NULL, &r);
}

/* ------------------------------------------------------------ fragmentation at the source */

static void sc_frag(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct udp_log lb = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	int sb = ns3shim_udp_open(t.b, 0, 9, udp_log_rx, NULL, &lb);
	int sa = ns3shim_udp_open(t.a, 0, 0, NULL, NULL, NULL);
	SIM_CHECK(res, sb >= 0 && sa >= 0);
	struct send_ctx s = {sa, IP_B, 9, 3000};
	SIM_CHECK(res, ns3shim_timer_at(1 * MS, send_udp, &s) > 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1);
	SIM_CHECK_EQ(res, lb.len[0], 3000);
	struct ns3shim_dev_counters c;
	SIM_CHECK(res, ns3shim_dev_counters(t.a, t.a_dev, &c) == 0);
	SIM_CHECK_EQ(res, c.tx_packets, 3);     /* 1500 + 1500 + 68 */
	SIM_CHECK_EQ(res, c.tx_bytes, 3000 + 8 + 3 * 20);
	SIM_CHECK(res, ns3shim_dev_counters(t.b, t.b_dev, &c) == 0);
	SIM_CHECK_EQ(res, c.rx_packets, 3); /* the router forwards fragments as they are */
	/* a runtime MTU change applies from the next datagram */
	SIM_CHECK(res, ns3shim_dev_set_mtu(t.a, t.a_dev, 1000) == 0);
	SIM_CHECK_EQ(res, ns3shim_dev_mtu(t.a, t.a_dev), 1000);
	s.len = 1400;
	SIM_CHECK(res, ns3shim_timer_in(1 * MS, send_udp, &s) > 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 2);
	SIM_CHECK_EQ(res, lb.len[1], 1400);
	SIM_CHECK(res, ns3shim_dev_counters(t.a, t.a_dev, &c) == 0);
	SIM_CHECK_EQ(res, c.tx_packets, 5);
}

static void test_fragmentation(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_frag, NULL, &r);
}

/* ------------------------------------------------------------ pcap */


static void sc_pcap(struct simres *res, void *arg)
{
	const char *dir = arg;
	struct topo3 t;
	struct udp_log lb = {.echo = 1};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	snprintf(res->path[0], sizeof res->path[0], "%s/A-1.pcap", dir);
	SIM_CHECK(res, ns3shim_pcap_open(t.a, t.a_dev, res->path[0]) == 0);
	int sb = ns3shim_udp_open(t.b, 0, 7, udp_log_rx, NULL, &lb);
	int sa = ns3shim_udp_open(t.a, 0, 0, NULL, NULL, NULL);
	SIM_CHECK(res, sb >= 0 && sa >= 0);
	struct send_ctx s = {sa, IP_B, 7, 3000};
	SIM_CHECK(res, ns3shim_timer_at(1 * SEC + 123, send_udp, &s) > 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1);
}

static void test_pcap(void **state)
{
	(void)state;
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	assert_true(dir[0]);
	struct simres r;
	SIM_RUN(sc_pcap, dir, &r);

	/* nanosecond magic in the file header */
	FILE *f = fopen(r.path[0], "rb");
	assert_non_null(f);
	uint8_t hdr[24];
	assert_int_equal(fread(hdr, 1, 24, f), 24);
	fclose(f);
	assert_int_equal(hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint32_t)hdr[3] << 24, 0xa1b23c4d);

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(r.path[0], PCAP_TSTAMP_PRECISION_NANO,
							    err);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_PPP);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		/* PPP header 0x0021 = IPv4 */
		assert_true(h->caplen >= 22);
		assert_int_equal(d[0] << 8 | d[1], 0x0021);
		assert_int_equal(d[2] >> 4, 4);
		if (n == 0) { /* first fragment leaves A at exactly 1 s + 123 ns */
			assert_int_equal(h->ts.tv_sec, 1);
			assert_int_equal(h->ts.tv_usec, 123); /* nanoseconds in NANO mode */
			assert_int_equal(h->len, 2 + 1500);
		}
		n++;
	}
	pcap_close(p);
	assert_int_equal(n, 6); /* 3 fragments out, 3 back */

	/* tshark: checksums valid, nothing malformed */
	assert_int_equal(sim_tshark_problems(r.path[0]), 0);
	sim_rmdir(dir);
}

/* ------------------------------------------------------------ DF via header-included send */

static void sc_df(struct simres *res, void *arg)
{
	const char *dir = arg;
	struct topo3 t;
	struct udp_log lb = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1000) == 0);
	snprintf(res->path[0], sizeof res->path[0], "%s/B-1.pcap", dir);
	SIM_CHECK(res, ns3shim_pcap_open(t.b, t.b_dev, res->path[0]) == 0);
	SIM_CHECK(res, ns3shim_udp_open(t.b, 0, 9, udp_log_rx, NULL, &lb) >= 0);
	uint8_t data[1600] = {0}, pkt[1700];
	/* a: DF 500 octets: arrives whole with DF set */
	size_t n = udp_build(pkt, IP_A, 4000, IP_B, 9, data, 472, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(t.a, pkt, n), 500);
	/* b: DF over A's own MTU: refused like Linux (EMSGSIZE) */
	n = udp_build(pkt, IP_A, 4000, IP_B, 9, data, 1572, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(t.a, pkt, n), NS3SHIM_EMSGSIZE);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "DF packet of 1600 octets exceeds MTU 1500"));
	/* c: the same without DF: A fragments it */
	n = udp_build(pkt, IP_A, 4000, IP_B, 9, data, 1572, 0);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(t.a, pkt, n), 1600);
	/* d: DF 1200 into R's 1000-octet link: ns-3 forwarding ignores DF and
	 * fragments, keeping DF on the fragments (shared/NS3-NOTES.md) */
	n = udp_build(pkt, IP_A, 4000, IP_B, 9, data, 1172, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(t.a, pkt, n), 1200);
	/* source 0.0.0.0 is filled from the route */
	n = udp_build(pkt, 0, 4000, IP_B, 9, data, 10, 1);
	SIM_CHECK(res, ns3shim_ip_send_hdr(t.a, pkt, n) == 38);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	/* the last one's UDP checksum covers source 0, so B drops it (checksums on) */
	SIM_CHECK_EQ(res, lb.n, 3);
	SIM_CHECK_EQ(res, lb.len[0], 472);
	SIM_CHECK_EQ(res, lb.len[1], 1572);
	SIM_CHECK_EQ(res, lb.len[2], 1172);
}

static void test_df_raw_send(void **state)
{
	(void)state;
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	struct simres r;
	SIM_RUN(sc_df, dir, &r);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(r.path[0], err);
	assert_non_null(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0, df = 0, df_frag = 0, frag = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		const u_char *ip = d + 2;
		int is_df = (ip[6] & 0x40) != 0;
		int is_frag = (ip[6] & 0x20) || ((ip[6] & 0x1f) << 8 | ip[7]);
		df += is_df;
		frag += is_frag;
		df_frag += is_df && is_frag;
		n++;
	}
	pcap_close(p);
	/* a: 1 packet; c: 3 fragments (1500/1000 MTUs: A makes 2, R splits the first);
	 * d: 2 fragments with DF; e: 1 */
	assert_int_equal(df, 1 + 2 + 1);
	assert_int_equal(df_frag, 2);
	assert_true(frag >= 4);
	assert_int_equal(n, 1 + frag + 1);
	/* the check can fail: the source-0 packet's UDP checksum is wrong on the wire */
	assert_int_equal(sim_tshark_problems(r.path[0]), 1);
	sim_rmdir(dir);
}

/* ------------------------------------------------------------ protocol 50 handler */

struct esp_log {
	int n, icmp_n;
	struct ns3shim_pktinfo pi[4];
	size_t len[4];
	int ok_pattern;
	struct ns3shim_icmp icmp;
};

static void esp_rx(void *ctx, int h, const struct ns3shim_pktinfo *pi, const uint8_t *d, size_t len)
{
	struct esp_log *l = ctx;
	(void)h;
	if (l->n < 4) {
		l->pi[l->n] = *pi;
		l->len[l->n] = len;
	}
	l->n++;
	l->ok_pattern = 1;
	for (size_t i = 0; i < len; i++)
		if (d[i] != (uint8_t)(i * 7))
			l->ok_pattern = 0;
}

static void esp_icmp(void *ctx, int h, const struct ns3shim_icmp *e)
{
	struct esp_log *l = ctx;
	(void)h;
	l->icmp_n++;
	l->icmp = *e;
}

static void sc_esp(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct esp_log lb = {0};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	int h = ns3shim_proto_open(t.b, 50, esp_rx, esp_icmp, &lb);
	SIM_CHECK(res, h >= 0);
	SIM_CHECK(res, ns3shim_proto_open(t.b, 50, esp_rx, NULL, NULL) == NS3SHIM_EFULL);
	static uint8_t esp[3000];
	for (size_t i = 0; i < sizeof esp; i++)
		esp[i] = (uint8_t)(i * 7);
	SIM_CHECK_EQ(res, ns3shim_ip_send(t.a, 50, 0, IP_B, esp, sizeof esp), 3000);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1); /* three fragments, one reassembled datagram */
	SIM_CHECK_EQ(res, lb.len[0], 3000);
	SIM_CHECK(res, lb.ok_pattern);
	SIM_CHECK_EQ(res, lb.pi[0].src, IP_A);
	SIM_CHECK_EQ(res, lb.pi[0].dst, IP_B);
	SIM_CHECK_EQ(res, lb.pi[0].proto, 50);
	SIM_CHECK_EQ(res, lb.pi[0].dev, t.b_dev);
	/* closing the handle removes it: the next datagram is dropped */
	SIM_CHECK(res, ns3shim_sock_close(h) == 0);
	SIM_CHECK_EQ(res, ns3shim_ip_send(t.a, 50, 0, IP_B, esp, 100), 100);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 1);
	/* and a new handler can be installed */
	SIM_CHECK(res, ns3shim_proto_open(t.b, 50, esp_rx, esp_icmp, &lb) >= 0);
	SIM_CHECK_EQ(res, ns3shim_ip_send(t.a, 50, 0, IP_B, esp, 100), 100);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);
	SIM_CHECK_EQ(res, lb.n, 2);
}

static void test_esp_handler(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_esp, NULL, &r);
}

/* ------------------------------------------------------------ C raw node: wire + ICMP 3/4 */

/*
 *   A 10.0.0.1 ──dev0 [W raw, C code] dev1── 10.0.0.2 B
 * W passes packets through; a DF packet over 1000 octets coming from A is
 * answered with ICMP 3/4 (next-hop MTU 1000) from 10.0.0.254 instead.
 */
#define W_MTU 1000
#define IP_W NS3SHIM_IP(10, 0, 0, 254)

struct wire {
	int fwd[2], icmp_sent;
};

static void wire_rx(void *ctx, int node, int dev, const uint8_t *p, size_t n)
{
	struct wire *w = ctx;
	if (n >= 20 && dev == 0 && (p[6] & 0x40) && n > W_MTU) {
		uint8_t out[20 + 8 + 28];
		uint8_t *m = out + 20;
		memset(m, 0, 8);
		m[0] = 3;
		m[1] = 4;
		m[6] = W_MTU >> 8;
		m[7] = W_MTU & 255;
		memcpy(m + 8, p, 28);
		uint16_t c = csum_fold(csum_add(0, m, 36));
		m[2] = (uint8_t)(c >> 8);
		m[3] = (uint8_t)c;
		ip_build(out, IP_W, get32be(p + 12), 1, 36, 0, 77);
		if (ns3shim_dev_send(node, dev, out, sizeof out) > 0)
			w->icmp_sent++;
		return;
	}
	if (ns3shim_dev_send(node, 1 - dev, p, n) > 0)
		w->fwd[dev]++;
}

struct udp_icmp_log {
	int n;
	struct ns3shim_icmp e;
};

static void udp_icmp_rx(void *ctx, int sock, const struct ns3shim_icmp *e)
{
	struct udp_icmp_log *l = ctx;
	(void)sock;
	l->n++;
	l->e = *e;
}

static void sc_wire(struct simres *res, void *arg)
{
	(void)arg;
	struct wire w = {{0, 0}, 0};
	struct udp_log lb = {.echo = 1};
	struct esp_log lesp = {0};
	struct udp_icmp_log lui = {0};
	struct ns3shim_link_cfg cfg = {.rate_bps = 100000000, .delay_ns = 500000};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	int a = ns3shim_node_add("A", NS3SHIM_HOST);
	int wn = ns3shim_node_add("W", NS3SHIM_RAW);
	int b = ns3shim_node_add("B", NS3SHIM_HOST);
	int ad, w0, w1, bd;
	SIM_CHECK(res, ns3shim_link_add(a, wn, &cfg, &ad, &w0) >= 0);
	SIM_CHECK(res, ns3shim_link_add(wn, b, &cfg, &w1, &bd) >= 0);
	SIM_CHECK_EQ(res, w0, 0);
	SIM_CHECK_EQ(res, w1, 1);
	SIM_CHECK(res, ns3shim_l3_hook(wn, wire_rx, &w) == 0);
	uint32_t ipa = NS3SHIM_IP(10, 0, 0, 1), ipb = NS3SHIM_IP(10, 0, 0, 2);
	SIM_CHECK(res, ns3shim_addr_add(a, ad, ipa, 24) == 0);
	SIM_CHECK(res, ns3shim_addr_add(b, bd, ipb, 24) == 0);
	int sb = ns3shim_udp_open(b, 0, 7, udp_log_rx, NULL, &lb);
	/* receive and ICMP callbacks share one context: this one only logs ICMP */
	int sa = ns3shim_udp_open(a, ipa, 5000, NULL, udp_icmp_rx, &lui);
	SIM_CHECK(res, sb >= 0 && sa >= 0);
	SIM_CHECK(res, ns3shim_proto_open(a, 50, esp_rx, esp_icmp, &lesp) >= 0);

	/* small UDP through the wire and back */
	uint8_t data[1200] = {0}, pkt[1300];
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sa, ipb, 7, data, 64), 64);
	/* big DF UDP from the socket's port: ICMP 3/4 reaches the UDP socket */
	size_t n = udp_build(pkt, ipa, 5000, ipb, 7, data, 1172, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(a, pkt, n), 1200);
	/* big DF ESP: ICMP 3/4 reaches the protocol-50 handler with SPI+seq */
	for (int i = 0; i < 8; i++)
		data[i] = (uint8_t)(0xa0 + i);
	ip_build(pkt, ipa, ipb, 50, 1180, 1, 9);
	memcpy(pkt + 20, data, 1180);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(a, pkt, 1200), 1200);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);

	SIM_CHECK_EQ(res, lb.n, 1);
	SIM_CHECK_EQ(res, lb.len[0], 64);
	SIM_CHECK_EQ(res, lui.n, 1);
	SIM_CHECK_EQ(res, lui.e.type, 3);
	SIM_CHECK_EQ(res, lui.e.code, 4);
	SIM_CHECK_EQ(res, lui.e.info, W_MTU);
	SIM_CHECK_EQ(res, lui.e.from, IP_W);
	SIM_CHECK_EQ(res, lui.e.orig_src, ipa);
	SIM_CHECK_EQ(res, lui.e.orig_dst, ipb);
	SIM_CHECK_EQ(res, lui.e.orig_proto, 17);
	SIM_CHECK_EQ(res, lui.e.orig_sport, 5000);
	SIM_CHECK_EQ(res, lui.e.orig_dport, 7);
	SIM_CHECK_EQ(res, lesp.icmp_n, 1);
	SIM_CHECK_EQ(res, lesp.icmp.type, 3);
	SIM_CHECK_EQ(res, lesp.icmp.code, 4);
	SIM_CHECK_EQ(res, lesp.icmp.info, W_MTU);
	SIM_CHECK_EQ(res, lesp.icmp.orig_dst, ipb);
	SIM_CHECK(res, memcmp(lesp.icmp.orig_payload, data, 8) == 0);
	SIM_CHECK_EQ(res, w.icmp_sent, 2);
	SIM_CHECK_EQ(res, w.fwd[0], 1);
	SIM_CHECK_EQ(res, w.fwd[1], 1);
	struct ns3shim_dev_counters c;
	SIM_CHECK(res, ns3shim_dev_counters(wn, 0, &c) == 0);
	SIM_CHECK_EQ(res, c.rx_packets, 3);
	SIM_CHECK_EQ(res, c.tx_packets, 3); /* the echo reply + 2 ICMP */
	SIM_CHECK_EQ(res, c.rx_bytes, 92 + 1200 + 1200);
}

static void test_raw_node_wire(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_wire, NULL, &r);
}

/* ------------------------------------------------------------ route and address removal */

/*
 *   A 10.0.1.1 ── R ── 10.0.2.1 B        (topo3)
 *   A tun: VIP 10.9.0.5/32, route 10.8.0.0/16 into the tunnel
 *   R: 10.9.0.0/16 via A;  B: default via R
 * What a client's child_down must undo: the VIP and the tunnel route go,
 * traffic to the VIP is no longer delivered, and both come back on the
 * next child_up.
 */
#define IP_VIP NS3SHIM_IP(10, 9, 0, 5)
#define IP_INNER NS3SHIM_IP(10, 8, 1, 1)

struct del_ctx {
	int sock;
};

static void send_vip(void *ctx)
{
	struct del_ctx *c = ctx;
	ns3shim_udp_sendto(c->sock, IP_VIP, 9, (const uint8_t *)"vip", 3);
}

static void sc_route_addr_del(struct simres *res, void *arg)
{
	(void)arg;
	struct topo3 t;
	struct udp_log la = {0};
	struct ns3shim_route_info ri;
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, topo3_build(&t, 10000000, MS, 1500) == 0);
	int tun = ns3shim_tun_add(t.a, 1400, noop_tx, NULL);
	SIM_CHECK(res, tun == 2);
	SIM_CHECK(res, ns3shim_addr_add(t.a, tun, IP_VIP, 32) == 0);
	SIM_CHECK(res, ns3shim_route_add(t.a, IP_INNER, 16, 0, tun) == 0);
	SIM_CHECK(res, ns3shim_route_add(t.r, IP_VIP, 16, IP_A, -1) == 0);
	SIM_CHECK(res, ns3shim_udp_open(t.a, 0, 9, udp_log_rx, NULL, &la) >= 0);
	struct del_ctx c = {ns3shim_udp_open(t.b, 0, 0, NULL, NULL, NULL)};
	SIM_CHECK(res, c.sock >= 0);
	SIM_CHECK(res, ns3shim_route_lookup(t.a, IP_INNER, &ri) == 0);
	SIM_CHECK_EQ(res, ri.dev, tun);
	SIM_CHECK(res, ns3shim_timer_in(MS, send_vip, &c) > 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, la.n, 1);
	SIM_CHECK_EQ(res, la.pi[0].dst, IP_VIP);

	/* child_down: the device's last address cannot go while a route still
	 * uses the device (ns-3 aborts looking such a route up) */
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.a, tun, IP_VIP), NS3SHIM_ESTATE);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "10.9.0.5 is the last address of device 2 of "
				"node 0 (A); delete its route to 10.8.0.0/16 first"));
	/* so the route (named by any address inside it) goes first, then the VIP */
	SIM_CHECK_EQ(res, ns3shim_route_del(t.a, IP_INNER, 16, 0, tun), 1);
	SIM_CHECK(res, ns3shim_route_lookup(t.a, IP_INNER, &ri) == 0);
	SIM_CHECK_EQ(res, ri.dev, t.a_dev); /* back to the default route */
	SIM_CHECK_EQ(res, ri.gw, IP_RA);
	SIM_CHECK_EQ(res, ns3shim_route_del(t.a, IP_INNER, 16, 0, tun), NS3SHIM_ENOROUTE);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "no route to 10.8.0.0/16 via 0.0.0.0 on device 2"));
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.a, tun, IP_VIP), 0);
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.a, tun, IP_VIP), NS3SHIM_EARG);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "10.9.0.5 is not an address of device 2"));
	SIM_CHECK_EQ(res, ns3shim_udp_open(t.a, IP_VIP, 10, NULL, NULL, NULL), NS3SHIM_EARG);
	/* the datagram to the old VIP is not delivered (A forwards it back to R
	 * until its TTL runs out) */
	SIM_CHECK(res, ns3shim_timer_in(MS, send_vip, &c) > 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, la.n, 1);

	/* child_up again: the same VIP and route can be added back */
	SIM_CHECK(res, ns3shim_addr_add(t.a, tun, IP_VIP, 32) == 0);
	SIM_CHECK(res, ns3shim_route_add(t.a, IP_INNER, 16, 0, tun) == 0);
	SIM_CHECK(res, ns3shim_route_lookup(t.a, IP_INNER, &ri) == 0);
	SIM_CHECK_EQ(res, ri.dev, tun);
	SIM_CHECK(res, ns3shim_timer_in(MS, send_vip, &c) > 0);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);
	SIM_CHECK_EQ(res, la.n, 2);

	/* a second address in A's subnet: removing it keeps the subnet's
	 * connected route (ns-3 alone would drop it; then IP_RA would be
	 * reached through the default route via itself) */
	SIM_CHECK(res, ns3shim_addr_add(t.a, t.a_dev, IP_A + 49, 24) == 0);
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.a, t.a_dev, IP_A + 49), 0);
	SIM_CHECK(res, ns3shim_route_lookup(t.a, IP_RA, &ri) == 0);
	SIM_CHECK_EQ(res, ri.gw, 0);
	SIM_CHECK_EQ(res, ri.dev, t.a_dev);
	/* the last address of the subnet takes the connected route with it
	 * (gateway routes out of the device count too: delete them first) */
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.r, t.ra_dev, IP_RA), NS3SHIM_ESTATE);
	SIM_CHECK_EQ(res, ns3shim_route_del(t.r, IP_VIP, 16, IP_A, -1), 1);
	SIM_CHECK_EQ(res, ns3shim_addr_del(t.r, t.ra_dev, IP_RA), 0);
	SIM_CHECK_EQ(res, ns3shim_route_lookup(t.r, IP_A, &ri), NS3SHIM_ENOROUTE);
	/* a connected route can be removed like any other; several at once with dev -1 */
	SIM_CHECK_EQ(res, ns3shim_route_del(t.b, IP_B, 24, 0, t.b_dev), 1);
	SIM_CHECK(res, ns3shim_route_add(t.b, IP_INNER, 16, 0, t.b_dev) == 0);
	int tb = ns3shim_tun_add(t.b, 1400, noop_tx, NULL);
	SIM_CHECK(res, ns3shim_route_add(t.b, IP_INNER, 16, 0, tb) == 0);
	SIM_CHECK_EQ(res, ns3shim_route_del(t.b, IP_INNER, 16, 0, -1), 2);
	SIM_CHECK_EQ(res, ns3shim_route_del(t.b, 0, 0, IP_RB, t.b_dev), 1);
	SIM_CHECK_EQ(res, ns3shim_route_lookup(t.b, IP_INNER, &ri), NS3SHIM_ENOROUTE);
}

static void test_route_addr_del(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_route_addr_del, NULL, &r);
}

/* ------------------------------------------------------------ ICMP errors for TCP */

/*
 *   A 10.0.0.1 ──dev0 [W raw] dev1── 10.0.0.2 B
 * W answers every TCP segment over W_MTU octets, in either direction, with
 * ICMP 3/4 (next-hop MTU W_MTU) and drops it: both ends use MSS 1400, so
 * data never passes, but each side's ICMP callback must name its socket.
 */
struct tcp_icmp_log {
	int n, sock, peer_port, lsock, accepted;
	struct ns3shim_icmp e;
	void *ctx_seen;
};

static uint8_t tcp_icmp_data[3000];

static void ti_wire(void *ctx, int node, int dev, const uint8_t *p, size_t n)
{
	int *icmp_sent = ctx;
	if (n > W_MTU && p[9] == 6) {
		uint8_t out[20 + 8 + 28];
		uint8_t *m = out + 20;
		memset(m, 0, 8);
		m[0] = 3;
		m[1] = 4;
		m[6] = W_MTU >> 8;
		m[7] = W_MTU & 255;
		memcpy(m + 8, p, 28);
		uint16_t c = csum_fold(csum_add(0, m, 36));
		m[2] = (uint8_t)(c >> 8);
		m[3] = (uint8_t)c;
		ip_build(out, IP_W, get32be(p + 12), 1, 36, 0, 77);
		if (ns3shim_dev_send(node, dev, out, sizeof out) > 0)
			(*icmp_sent)++;
		return;
	}
	ns3shim_dev_send(node, 1 - dev, p, n);
}

static void ti_icmp(void *ctx, int sock, const struct ns3shim_icmp *e)
{
	struct tcp_icmp_log *l = ctx;
	if (l->n++ == 0) {
		l->e = *e;
		l->sock = sock;
		l->ctx_seen = ctx;
	}
}

static void ti_connected(void *ctx, int sock, int ok)
{
	(void)ctx;
	if (ok)
		ns3shim_tcp_send(sock, tcp_icmp_data, sizeof tcp_icmp_data);
}

static void ti_accepted(void *ctx, int lsock, int sock, uint32_t peer, uint16_t peer_port)
{
	struct tcp_icmp_log *l = ctx;
	(void)peer;
	l->lsock = lsock;
	l->accepted = sock;
	l->peer_port = peer_port;
	ns3shim_tcp_send(sock, tcp_icmp_data, sizeof tcp_icmp_data);
}

static void sc_tcp_icmp(struct simres *res, void *arg)
{
	(void)arg;
	int icmp_sent = 0;
	struct tcp_icmp_log la = {0}, lb = {0};
	struct ns3shim_link_cfg cfg = {.rate_bps = 100000000, .delay_ns = 500000};
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	int a = ns3shim_node_add("A", NS3SHIM_HOST);
	int wn = ns3shim_node_add("W", NS3SHIM_RAW);
	int b = ns3shim_node_add("B", NS3SHIM_HOST);
	int ad, bd;
	SIM_CHECK(res, ns3shim_link_add(a, wn, &cfg, &ad, NULL) >= 0);
	SIM_CHECK(res, ns3shim_link_add(wn, b, &cfg, NULL, &bd) >= 0);
	SIM_CHECK(res, ns3shim_l3_hook(wn, ti_wire, &icmp_sent) == 0);
	uint32_t ipa = NS3SHIM_IP(10, 0, 0, 1), ipb = NS3SHIM_IP(10, 0, 0, 2);
	SIM_CHECK(res, ns3shim_addr_add(a, ad, ipa, 24) == 0);
	SIM_CHECK(res, ns3shim_addr_add(b, bd, ipb, 24) == 0);
	struct ns3shim_tcp_cbs ca = {.connected = ti_connected};
	struct ns3shim_tcp_cbs cb = {.accepted = ti_accepted};
	int ls = ns3shim_tcp_listen(b, 0, 80, 1400, &cb, &lb);
	SIM_CHECK(res, ls >= 0);
	SIM_CHECK(res, ns3shim_tcp_icmp(ls, ti_icmp) == 0); /* inherited by accepted sockets */
	int sa = ns3shim_tcp_connect(a, ipb, 80, 1400, &ca, &la);
	SIM_CHECK(res, sa >= 0);
	SIM_CHECK(res, ns3shim_tcp_icmp(sa, ti_icmp) == 0);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);

	SIM_CHECK(res, icmp_sent >= 2);
	SIM_CHECK(res, lb.accepted > 0);
	SIM_CHECK_EQ(res, lb.lsock, ls);
	SIM_CHECK(res, la.n >= 1);
	SIM_CHECK_EQ(res, la.sock, sa);
	SIM_CHECK(res, la.ctx_seen == &la);
	SIM_CHECK_EQ(res, la.e.type, 3);
	SIM_CHECK_EQ(res, la.e.code, 4);
	SIM_CHECK_EQ(res, la.e.info, W_MTU);
	SIM_CHECK_EQ(res, la.e.from, IP_W);
	SIM_CHECK_EQ(res, la.e.orig_proto, 6);
	SIM_CHECK_EQ(res, la.e.orig_src, ipa);
	SIM_CHECK_EQ(res, la.e.orig_dst, ipb);
	SIM_CHECK_EQ(res, la.e.orig_sport, lb.peer_port);
	SIM_CHECK_EQ(res, la.e.orig_dport, 80);
	/* B's error is reported on the accepted socket, not the listener */
	SIM_CHECK(res, lb.n >= 1);
	SIM_CHECK_EQ(res, lb.sock, lb.accepted);
	SIM_CHECK_EQ(res, lb.e.orig_src, ipb);
	SIM_CHECK_EQ(res, lb.e.orig_sport, 80);
	SIM_CHECK_EQ(res, lb.e.orig_dport, lb.peer_port);
	/* NULL stops the callback */
	int before = la.n;
	SIM_CHECK(res, ns3shim_tcp_icmp(sa, NULL) == 0);
	SIM_CHECK(res, ns3shim_run_until(60 * SEC) > 0);
	SIM_CHECK_EQ(res, la.n, before);
	SIM_CHECK(res, lb.n > 1); /* B's retransmissions still draw errors */
	res->v[0] = icmp_sent;
}

static void test_tcp_icmp(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_tcp_icmp, NULL, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_udp_router),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_pcap),
		cmocka_unit_test(test_df_raw_send),
		cmocka_unit_test(test_esp_handler),
		cmocka_unit_test(test_raw_node_wire),
		cmocka_unit_test(test_route_addr_del),
		cmocka_unit_test(test_tcp_icmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
