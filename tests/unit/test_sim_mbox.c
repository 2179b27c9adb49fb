/*
 * test_sim_mbox.c — each middlebox (sim/mbox) hosted on a raw ns-3 node
 * through sim/node_mbox, with real ns-3 hosts on both sides:
 *
 *   hide-NAT  C 10.0.0.2 ── [NAT 198.51.100.1] ── S 198.51.100.2
 *             UDP echo through the mapping; a 3000-octet datagram loses its
 *             non-first fragments; S's reassembly timeout ICMP 11/1 comes
 *             back translated to C's UDP socket.
 *   MTU       C 10.0.0.2 ── [router 10.0.0.254, egress MTU 1000] ── S 10.0.0.3
 *             DF too big: ICMP 3/4 to C's UDP socket (and to a DF ping);
 *             without DF: fragmented; MTU changed at run time.
 *   filter    C 10.0.0.2 ── [filter: out TCP 80/443] ── S 10.0.0.3
 *             UDP 500 blocked, TCP 443 bulk transfer passes.
 *   cluster   C 10.0.0.2 ── [front end] ─┬─ G1 192.0.2.1
 *                                        └─ G2 192.0.2.1
 *             a UDP flow moves to the other member when its member fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim/mbox/mbox.h"
#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_filter.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/node_mbox.h"
#include "sim/ns3apps.h"
#include "sim/ns3shim.h"
#include "tests/lib/testutil.h"
#include "tests/unit/test_sim_fork.h"
#include "tests/unit/test_sim_topo.h"

#define MS 1000000ull
#define SEC 1000000000ull

#define IP_C NS3SHIM_IP(10, 0, 0, 2)
#define IP_S NS3SHIM_IP(10, 0, 0, 3)
#define IP_GW NS3SHIM_IP(10, 0, 0, 1)

/* boxnet: C ── box ── S (box interface 0 faces C); hosts on /24s given by the caller. */
struct boxnet {
	int c, box, s, c_dev, s_dev;
	struct node_mbox *nm;
};

static int boxnet_build(struct boxnet *n, const char *boxname)
{
	struct ns3shim_link_cfg cfg = {.rate_bps = 10000000, .delay_ns = MS};
	int b0, b1;
	n->c = ns3shim_node_add("C", NS3SHIM_HOST);
	n->box = ns3shim_node_add(boxname, NS3SHIM_RAW);
	n->s = ns3shim_node_add("S", NS3SHIM_HOST);
	if (n->c < 0 || n->box < 0 || n->s < 0)
		return -1;
	if (ns3shim_link_add(n->c, n->box, &cfg, &n->c_dev, &b0) < 0 ||
	    ns3shim_link_add(n->box, n->s, &cfg, &b1, &n->s_dev) < 0)
		return -1;
	return b0 == 0 && b1 == 1 ? 0 : -1;
}

struct icmp_log {
	int n;
	struct ns3shim_icmp e;
};

static void icmp_rx(void *ctx, int sock, const struct ns3shim_icmp *e)
{
	struct icmp_log *l = ctx;
	(void)sock;
	l->n++;
	l->e = *e;
}

struct echo_log {
	int n;
	struct ns3shim_pktinfo pi;
	size_t len;
	struct icmp_log icmp;
	int echo;
};

static void echo_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
		    size_t len)
{
	struct echo_log *l = ctx;
	l->n++;
	l->pi = *pi;
	l->len = len;
	if (l->echo)
		ns3shim_udp_sendto(sock, pi->src, pi->sport, d, len);
}

static void echo_icmp(void *ctx, int sock, const struct ns3shim_icmp *e)
{
	struct echo_log *l = ctx;
	icmp_rx(&l->icmp, sock, e);
}

/* ------------------------------------------------------------ hide-NAT */

#define IP_PUB NS3SHIM_IP(198, 51, 100, 1)
#define IP_SRV NS3SHIM_IP(198, 51, 100, 2)

static void sc_nat(struct simres *res, void *arg)
{
	const char *dir = arg;
	struct boxnet n;
	struct ev_lines ev = {0};
	struct ev_sink sink = {ev_collect, &ev};
	struct echo_log lc = {0}, ls = {.echo = 1};
	char err[256];
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, boxnet_build(&n, "nat") == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.c, n.c_dev, IP_C, 24) == 0);
	SIM_CHECK(res, ns3shim_route_add(n.c, 0, 0, IP_GW, n.c_dev) == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.s, n.s_dev, IP_SRV, 24) == 0);
	n.nm = node_mbox_new(n.box, &sink, NULL);
	SIM_CHECK(res, n.nm != NULL);
	struct mbox_nat_cfg cfg;
	mbox_nat_cfg_default(&cfg);
	cfg.name = "nat";
	cfg.public_addr = IP_PUB;
	cfg.udp_timeout_ns = 120 * SEC; /* outlive S's 30 s reassembly timeout */
	struct mbox *nat = mbox_nat_new(&cfg, node_mbox_io(n.nm), err, sizeof err);
	SIM_CHECK(res, nat != NULL);
	SIM_CHECK(res, node_mbox_attach(n.nm, nat, (const int[]){0, 1}, 2) == 0);
	SIM_CHECK(res, node_mbox_attach(n.nm, nat, (const int[]){0, 1}, 2) == NS3SHIM_ESTATE);
	snprintf(res->path[0], sizeof res->path[0], "%s/nat-in.pcap", dir);
	snprintf(res->path[1], sizeof res->path[1], "%s/nat-out.pcap", dir);
	SIM_CHECK(res, ns3shim_pcap_open(n.box, 0, res->path[0]) == 0);
	SIM_CHECK(res, ns3shim_pcap_open(n.box, 1, res->path[1]) == 0);

	int ss = ns3shim_udp_open(n.s, 0, 7, echo_rx, NULL, &ls);
	int sc = ns3shim_udp_open(n.c, 0, 5000, echo_rx, echo_icmp, &lc);
	SIM_CHECK(res, ss >= 0 && sc >= 0);
	uint8_t data[3000] = {0};
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sc, IP_SRV, 7, data, 100), 100);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	/* S saw the public address and the mapped port; C got the echo */
	uint16_t ext = 0;
	SIM_CHECK(res, mbox_nat_lookup(nat, ns3shim_now(), 17, IP_C, 5000, &ext) == 1);
	SIM_CHECK_EQ(res, ls.n, 1);
	SIM_CHECK_EQ(res, ls.pi.src, IP_PUB);
	SIM_CHECK_EQ(res, ls.pi.sport, ext);
	SIM_CHECK_EQ(res, lc.n, 1);
	SIM_CHECK_EQ(res, lc.pi.src, IP_SRV);
	SIM_CHECK_EQ(res, lc.pi.sport, 7);
	SIM_CHECK_EQ(res, lc.pi.dst, IP_C);
	SIM_CHECK_EQ(res, lc.len, 100);
	SIM_CHECK_EQ(res, mbox_nat_mappings(nat), 1);
	SIM_CHECK(res, ev_lines_count(&ev, "\"ev\":\"map\"") == 1);

	/* 3000 octets: C fragments (1500/1500/68); the NAT passes only the first */
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sc, IP_SRV, 7, data, sizeof data), 3000);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, ls.n, 1);
	SIM_CHECK_EQ(res, mbox_drop_count(nat, MBOX_DROP_FRAG_NON_FIRST), 2);
	SIM_CHECK_EQ(res, ev_lines_count(&ev, "frag-non-first"), 2);
	/* S gives up reassembling after 30 s: ICMP 11/1 to the public address,
	 * translated back (quote included) to C's socket */
	SIM_CHECK(res, ns3shim_run_until(40 * SEC) > 0);
	SIM_CHECK_EQ(res, lc.icmp.n, 1);
	SIM_CHECK_EQ(res, lc.icmp.e.type, 11);
	SIM_CHECK_EQ(res, lc.icmp.e.code, 1);
	SIM_CHECK_EQ(res, lc.icmp.e.from, IP_SRV);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_src, IP_C);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_sport, 5000);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_dst, IP_SRV);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_dport, 7);
	struct node_mbox_stats st;
	node_mbox_stats(n.nm, &st);
	SIM_CHECK_EQ(res, st.in, 6);  /* echo out, echo back, 3 fragments, ICMP */
	SIM_CHECK_EQ(res, st.out, 4);
	/* the mapping idles out (120 s after the last outbound packet at 1 s)
	 * and is swept on the NAT's deadline, run by the glue's timer */
	SIM_CHECK_EQ(res, st.deadlines, 0);
	SIM_CHECK(res, ns3shim_run_until(130 * SEC) > 0);
	node_mbox_stats(n.nm, &st);
	SIM_CHECK(res, st.deadlines >= 1 && st.deadlines <= 3); /* the NAT re-arms lazily */
	SIM_CHECK_EQ(res, mbox_nat_mappings(nat), 0);
	SIM_CHECK_EQ(res, ev_lines_count(&ev, "\"ev\":\"unmap\""), 1);
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sc, IP_SRV, 7, data, 10), 10); /* a new mapping */
	SIM_CHECK(res, ns3shim_run_until(131 * SEC) > 0);
	SIM_CHECK_EQ(res, ls.n, 2);
	SIM_CHECK_EQ(res, lc.n, 2);
	ev_lines_free(&ev);
}

static void test_nat(void **state)
{
	(void)state;
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	struct simres r;
	SIM_RUN(sc_nat, dir, &r);
	/* the NAT's incremental checksum updates hold on the wire, both sides */
	assert_int_equal(sim_tshark_problems(r.path[0]), 0);
	assert_int_equal(sim_tshark_problems(r.path[1]), 0);
	sim_rmdir(dir);
}

/* ------------------------------------------------------------ MTU router */

#define IP_RTR NS3SHIM_IP(10, 0, 0, 254)

struct mtu_change {
	struct node_mbox *nm;
	size_t mtu;
};

static void set_mtu(void *ctx)
{
	struct mtu_change *m = ctx;
	mbox_mtu_set(node_mbox_box(m->nm), ns3shim_now(), 1, m->mtu);
	node_mbox_poke(m->nm);
}

static void sc_mtu(struct simres *res, void *arg)
{
	(void)arg;
	struct boxnet n;
	struct echo_log lc = {0}, ls = {0};
	char err[256];
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, boxnet_build(&n, "mtu") == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.c, n.c_dev, IP_C, 24) == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.s, n.s_dev, IP_S, 24) == 0);
	n.nm = node_mbox_new(n.box, NULL, NULL);
	SIM_CHECK(res, n.nm != NULL);
	struct mbox_mtu_cfg cfg;
	mbox_mtu_cfg_default(&cfg);
	cfg.name = "mtu";
	cfg.addr = IP_RTR;
	cfg.mtu[1] = 1000;
	struct mbox *rtr = mbox_mtu_new(&cfg, node_mbox_io(n.nm), err, sizeof err);
	SIM_CHECK(res, rtr != NULL);
	SIM_CHECK(res, node_mbox_attach(n.nm, rtr, (const int[]){0, 1}, 2) == 0);
	int ss = ns3shim_udp_open(n.s, 0, 9, echo_rx, NULL, &ls);
	int sc = ns3shim_udp_open(n.c, 0, 5000, echo_rx, echo_icmp, &lc);
	SIM_CHECK(res, ss >= 0 && sc >= 0);

	/* DF 1200 from the socket's port: dropped, ICMP 3/4 to the socket */
	uint8_t data[1600] = {0}, pkt[1700];
	size_t len = udp_build(pkt, IP_C, 5000, IP_S, 9, data, 1172, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(n.c, pkt, len), 1200);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, ls.n, 0);
	SIM_CHECK_EQ(res, lc.icmp.n, 1);
	SIM_CHECK_EQ(res, lc.icmp.e.type, 3);
	SIM_CHECK_EQ(res, lc.icmp.e.code, 4);
	SIM_CHECK_EQ(res, lc.icmp.e.info, 1000);
	SIM_CHECK_EQ(res, lc.icmp.e.from, IP_RTR);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_dst, IP_S);
	SIM_CHECK_EQ(res, lc.icmp.e.orig_dport, 9);
	SIM_CHECK_EQ(res, mbox_mtu_icmp_sent(rtr), 1);

	/* the same size without DF (the stack never sets DF): fragmented by the box */
	SIM_CHECK_EQ(res, ns3shim_udp_sendto(sc, IP_S, 9, data, 1172), 1172);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	SIM_CHECK_EQ(res, ls.n, 1);
	SIM_CHECK_EQ(res, ls.len, 1172);
	SIM_CHECK_EQ(res, mbox_mtu_fragmented(rtr), 1);

	/* a DF ping of 1100 data octets learns the next-hop MTU too */
	int ping = ns3apps_ping(n.c, IP_S, 1100, 100 * MS, 2, 1);
	SIM_CHECK(res, ping >= 0);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);
	struct ns3apps_stats ps;
	SIM_CHECK(res, ns3apps_stats(ping, &ps) == 0);
	SIM_CHECK_EQ(res, ps.tx_packets, 2);
	SIM_CHECK_EQ(res, ps.rx_packets, 0);
	SIM_CHECK_EQ(res, ps.errors, 2);
	SIM_CHECK_EQ(res, ps.icmp_mtu, 1000);

	/* the MTU drops to 600 at run time */
	struct mtu_change mc = {n.nm, 600};
	SIM_CHECK(res, ns3shim_timer_in(1 * MS, set_mtu, &mc) > 0);
	SIM_CHECK(res, ns3shim_run_until(4 * SEC) > 0);
	len = udp_build(pkt, IP_C, 5000, IP_S, 9, data, 772, 1);
	SIM_CHECK_EQ(res, ns3shim_ip_send_hdr(n.c, pkt, len), 800);
	SIM_CHECK(res, ns3shim_run_until(5 * SEC) > 0);
	SIM_CHECK_EQ(res, lc.icmp.n, 2);
	SIM_CHECK_EQ(res, lc.icmp.e.info, 600);
}

static void test_mtu_router(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_mtu, NULL, &r);
}

/* ------------------------------------------------------------ port filter */

static void sc_filter(struct simres *res, void *arg)
{
	(void)arg;
	struct boxnet n;
	struct ev_lines ev = {0};
	struct ev_sink sink = {ev_collect, &ev};
	char err[256];
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	SIM_CHECK(res, boxnet_build(&n, "filter") == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.c, n.c_dev, IP_C, 24) == 0);
	SIM_CHECK(res, ns3shim_addr_add(n.s, n.s_dev, IP_S, 24) == 0);
	n.nm = node_mbox_new(n.box, &sink, NULL);
	SIM_CHECK(res, n.nm != NULL);
	struct mbox_filter_cfg cfg;
	mbox_filter_cfg_default(&cfg); /* out TCP 80 and 443 only */
	cfg.name = "hotel";
	struct mbox *f = mbox_filter_new(&cfg, node_mbox_io(n.nm), err, sizeof err);
	SIM_CHECK(res, f != NULL);
	SIM_CHECK(res, node_mbox_attach(n.nm, f, (const int[]){0, 1}, 2) == 0);

	int ike = ns3apps_udp_sink(n.s, 500);
	int cbr = ns3apps_udp_cbr(n.c, IP_S, 500, 300, 100 * MS, 5);
	int web = ns3apps_tcp_sink(n.s, 443, 1000);
	int bulk = ns3apps_tcp_bulk(n.c, IP_S, 443, 50000, 1000);
	int ssh = ns3apps_tcp_sink(n.s, 22, 1000);
	int ssh_c = ns3apps_tcp_bulk(n.c, IP_S, 22, 1000, 1000);
	SIM_CHECK(res, ike >= 0 && cbr >= 0 && web >= 0 && bulk >= 0 && ssh >= 0 && ssh_c >= 0);
	SIM_CHECK(res, ns3shim_run_until(10 * SEC) > 0);
	struct ns3apps_stats s;
	SIM_CHECK(res, ns3apps_stats(cbr, &s) == 0);
	SIM_CHECK_EQ(res, s.tx_packets, 5);
	SIM_CHECK(res, ns3apps_stats(ike, &s) == 0);
	SIM_CHECK_EQ(res, s.rx_packets, 0);
	SIM_CHECK(res, ns3apps_stats(web, &s) == 0);
	SIM_CHECK_EQ(res, s.rx_bytes, 50000);
	SIM_CHECK_EQ(res, s.errors, 0);
	SIM_CHECK(res, ns3apps_stats(bulk, &s) == 0);
	SIM_CHECK_EQ(res, s.done, 1);
	SIM_CHECK_EQ(res, s.errors, 0);
	SIM_CHECK(res, ns3apps_stats(ssh, &s) == 0);
	SIM_CHECK_EQ(res, s.rx_bytes, 0);
	/* 5 UDP 500 + every SYN (re)try to port 22 */
	SIM_CHECK(res, mbox_drop_count(f, MBOX_DROP_FILTER_DENIED) >= 6);
	SIM_CHECK(res, ev_lines_count(&ev, "filter-denied") >= 6);
	ev_lines_free(&ev);
}

static void test_port_filter(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_filter, NULL, &r);
}

/* ------------------------------------------------------------ cluster front end */

#define IP_VIP NS3SHIM_IP(192, 0, 2, 1)

struct fail_ctx {
	struct node_mbox *nm;
	int sink[2];
	int failed; /* member taken down */
	long moved;
};

/* fail_active takes down whichever member has been receiving the flow. */
static void fail_active(void *ctx)
{
	struct fail_ctx *f = ctx;
	struct ns3apps_stats s;
	ns3apps_stats(f->sink[0], &s);
	f->failed = s.rx_packets > 0 ? 1 : 2;
	f->moved = mbox_cluster_set_member(node_mbox_box(f->nm), ns3shim_now(), f->failed, 0);
	node_mbox_poke(f->nm);
}

static void sc_cluster(struct simres *res, void *arg)
{
	(void)arg;
	struct ns3shim_link_cfg cfg = {.rate_bps = 10000000, .delay_ns = MS};
	struct ev_lines ev = {0};
	struct ev_sink sink = {ev_collect, &ev};
	char err[256];
	SIM_CHECK(res, ns3shim_init(1, 1) == 0);
	int c = ns3shim_node_add("C", NS3SHIM_HOST);
	int fe = ns3shim_node_add("fe", NS3SHIM_RAW);
	int g[2] = {ns3shim_node_add("G1", NS3SHIM_HOST), ns3shim_node_add("G2", NS3SHIM_HOST)};
	int cd, gd[2], fd[3];
	SIM_CHECK(res, ns3shim_link_add(c, fe, &cfg, &cd, &fd[0]) >= 0);
	for (int i = 0; i < 2; i++) {
		SIM_CHECK(res, ns3shim_link_add(fe, g[i], &cfg, &fd[i + 1], &gd[i]) >= 0);
		SIM_CHECK(res, ns3shim_addr_add(g[i], gd[i], IP_VIP, 24) == 0);
		SIM_CHECK(res, ns3shim_route_add(g[i], NS3SHIM_IP(10, 0, 0, 0), 24, 0, gd[i]) == 0);
	}
	SIM_CHECK(res, ns3shim_addr_add(c, cd, IP_C, 24) == 0);
	SIM_CHECK(res, ns3shim_route_add(c, 0, 0, IP_GW, cd) == 0);
	struct node_mbox *nm = node_mbox_new(fe, &sink, NULL);
	SIM_CHECK(res, nm != NULL);
	struct mbox_cluster_cfg cc;
	mbox_cluster_cfg_default(&cc);
	cc.name = "fe";
	cc.members = 2;
	cc.hash_seed = 42;
	struct mbox *box = mbox_cluster_new(&cc, node_mbox_io(nm), err, sizeof err);
	SIM_CHECK(res, box != NULL);
	SIM_CHECK(res, node_mbox_attach(nm, box, (const int[]){0, 1}, 2) == NS3SHIM_EARG);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "the cluster box has 3 interfaces"));
	SIM_CHECK(res, node_mbox_attach(nm, box, fd, 3) == 0);

	struct fail_ctx f = {nm, {ns3apps_udp_sink(g[0], 500), ns3apps_udp_sink(g[1], 500)}, 0, 0};
	int cbr = ns3apps_udp_cbr(c, IP_VIP, 500, 200, 10 * MS, 300);
	SIM_CHECK(res, f.sink[0] >= 0 && f.sink[1] >= 0 && cbr >= 0);
	SIM_CHECK(res, ns3shim_timer_at(1 * SEC + 500000, fail_active, &f) > 0);
	SIM_CHECK(res, ns3shim_run_until(5 * SEC) > 0);
	SIM_CHECK_EQ(res, f.moved, 1);
	struct ns3apps_stats s[2];
	SIM_CHECK(res, ns3apps_stats(f.sink[0], &s[0]) == 0);
	SIM_CHECK(res, ns3apps_stats(f.sink[1], &s[1]) == 0);
	int before = f.failed - 1, after = 2 - f.failed;
	/* a datagram reaches the front end 1.184 ms after it is sent: those
	 * sent at 0 .. 0.99 s went to the first member, the rest (from 1.00 s,
	 * past the failure at 1.0005 s) to the second; none lost */
	SIM_CHECK_EQ(res, s[before].rx_packets, 100);
	SIM_CHECK_EQ(res, s[after].rx_packets, 200);
	SIM_CHECK_EQ(res, ev_lines_count(&ev, "\"ev\":\"flow-move\""), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&ev, "\"ev\":\"member\""), 1);
	ev_lines_free(&ev);
}

static void test_cluster_failover(void **state)
{
	(void)state;
	struct simres r;
	SIM_RUN(sc_cluster, NULL, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_mtu_router),
		cmocka_unit_test(test_port_filter),
		cmocka_unit_test(test_cluster_failover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
