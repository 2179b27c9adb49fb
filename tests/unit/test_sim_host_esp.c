/*
 * test_sim_host_esp.c — the host adapter's ESP datapath (sim/host_esp.c)
 * with manually keyed CHILD SAs (the same entry point the engine's
 * child_up uses), no IKE:
 *
 *   C 192.0.2.2 ──(MTU m)── 192.0.2.1 G 10.1.0.1 ── 10.1.0.2 S
 *   tun 10.9.0.1 (VIP)            tun 10.9.0.254, route 10.9.0.0/24
 *
 *   C: SA out 0x2000 / in 0x1000, TS 10.9.0.1 <-> 10.1.0.0/24, routes 10.1.0.0/24
 *   G: SA out 0x1000 / in 0x2000, TS 10.1.0.0/24 <-> 10.9.0.1
 *
 * Ping, UDP CBR and a TCP transfer from C to S through the tunnel, plain ESP
 * (protocol 50) and UDP-encapsulated (4500), GCM and CBC+HMAC; tunnel MTU =
 * path MTU - ESP overhead, so no outer packet is ever fragmented; drops by
 * reason (no-sa, ts-mismatch, unknown-spi); the MTU arithmetic against a
 * brute-force search; errors of host_child_up/down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ref/esp/esp.h"
#include "sim/host.h"
#include "sim/ns3apps.h"
#include "sim/ns3shim.h"
#include "tests/lib/testutil.h"
#include "tests/unit/test_sim_fork.h"

#define MS 1000000ull
#define SEC 1000000000ull

#define IP_C NS3SHIM_IP(192, 0, 2, 2)
#define IP_GO NS3SHIM_IP(192, 0, 2, 1)
#define IP_GI NS3SHIM_IP(10, 1, 0, 1)
#define IP_S NS3SHIM_IP(10, 1, 0, 2)
#define IP_VIP NS3SHIM_IP(10, 9, 0, 1)
#define IP_GTUN NS3SHIM_IP(10, 9, 0, 254)

static const uint8_t key_cg[36] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
				   19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36};
static const uint8_t key_gc[36] = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112,
				   113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
				   125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136};
static const uint8_t ikey_cg[32] = {201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211,
				    212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222,
				    223, 224, 225, 226, 227, 228, 229, 230, 231, 232};
static const uint8_t ikey_gc[32] = {31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
				    47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62};

struct net {
	int c, g, s, c_dev, go_dev, gi_dev, s_dev;
	struct host *hc, *hg;
	struct ev_lines ev;
	struct ev_sink sink;
};

/* opts: one run's variant. */
struct opts {
	int encap;
	int cbc;
	uint32_t link_mtu;   /* C-G link */
	const char *dir;     /* pcaps */
};

static int net_build(struct net *n, const struct opts *o)
{
	struct ns3shim_link_cfg cg = {.rate_bps = 100000000, .delay_ns = 2 * MS,
				      .mtu_a = o->link_mtu, .mtu_b = o->link_mtu};
	struct ns3shim_link_cfg gs = {.rate_bps = 100000000, .delay_ns = MS};
	n->c = ns3shim_node_add("C", NS3SHIM_HOST);
	n->g = ns3shim_node_add("G", NS3SHIM_HOST);
	n->s = ns3shim_node_add("S", NS3SHIM_HOST);
	if (n->c < 0 || n->g < 0 || n->s < 0 ||
	    ns3shim_link_add(n->c, n->g, &cg, &n->c_dev, &n->go_dev) < 0 ||
	    ns3shim_link_add(n->g, n->s, &gs, &n->gi_dev, &n->s_dev) < 0 ||
	    ns3shim_addr_add(n->c, n->c_dev, IP_C, 24) < 0 ||
	    ns3shim_addr_add(n->g, n->go_dev, IP_GO, 24) < 0 ||
	    ns3shim_addr_add(n->g, n->gi_dev, IP_GI, 24) < 0 ||
	    ns3shim_addr_add(n->s, n->s_dev, IP_S, 24) < 0 ||
	    ns3shim_route_add(n->c, 0, 0, IP_GO, n->c_dev) < 0 ||
	    ns3shim_route_add(n->s, 0, 0, IP_GI, n->s_dev) < 0)
		return -1;
	n->sink = (struct ev_sink){ev_collect, &n->ev};
	n->hc = host_new(n->c, &(struct host_cfg){.name = "client", .seed = 7, .events = &n->sink});
	n->hg = host_new(n->g, &(struct host_cfg){.name = "gw", .seed = 7, .events = &n->sink});
	if (!n->hc || !n->hg)
		return -1;
	if (host_tun_add(n->hc, 0, 0) < 0 || host_tun_add(n->hg, IP_GTUN, 32) < 0 ||
	    host_tun_route(n->hg, NS3SHIM_IP(10, 9, 0, 0), 24) < 0)
		return -1;
	if (o->dir) {
		char p[300];
		snprintf(p, sizeof p, "%s/outer.pcap", o->dir);
		if (ns3shim_pcap_open(n->c, n->c_dev, p) < 0)
			return -1;
		snprintf(p, sizeof p, "%s/inner.pcap", o->dir);
		if (ns3shim_pcap_open(n->s, n->s_dev, p) < 0)
			return -1;
		snprintf(p, sizeof p, "%s/tun.pcap", o->dir);
		if (ns3shim_pcap_open(n->c, host_tun_dev(n->hc), p) < 0)
			return -1;
	}
	return 0;
}

/* scen: a scenario body; sc_run gives it a net and frees the events however it returns. */
struct scen {
	void (*fn)(struct simres *res, struct net *n, void *arg);
	void *arg;
};

static void sc_run(struct simres *res, void *arg)
{
	struct scen *sc = arg;
	struct net n = {0};
	sc->fn(res, &n, sc->arg);
	ev_lines_free(&n.ev);
}

#define SCEN_RUN(fn_, arg_, out)                                                               \
	do {                                                                                   \
		struct scen sc_ = {(fn_), (arg_)};                                             \
		SIM_RUN(sc_run, &sc_, (out));                                                  \
	} while (0)

/* child_info fills one side's view of the manual CHILD SA. */
static void child_info(struct ike_child_info *ci, int client, const struct opts *o)
{
	memset(ci, 0, sizeof *ci);
	ci->ike_spi_i = 0x1111;
	ci->ike_spi_r = 0x2222;
	ci->initiator = client;
	ci->spi_in = client ? 0x1000 : 0x2000;
	ci->spi_out = client ? 0x2000 : 0x1000;
	ci->alg = o->cbc ? CRYPTO_AES_CBC_HMAC_SHA256_128 : CRYPTO_AES_GCM_16;
	ci->enc_key_len = o->cbc ? 16 : 20;
	ci->enc_key_out = client ? key_cg : key_gc;
	ci->enc_key_in = client ? key_gc : key_cg;
	if (o->cbc) {
		ci->integ_key_len = 32;
		ci->integ_key_out = client ? ikey_cg : ikey_gc;
		ci->integ_key_in = client ? ikey_gc : ikey_cg;
	}
	struct ike_ts_cfg vip = {IP_VIP, IP_VIP, 0, 0, 65535};
	struct ike_ts_cfg net = {NS3SHIM_IP(10, 1, 0, 0), NS3SHIM_IP(10, 1, 0, 255), 0, 0, 65535};
	ci->n_ts_local = ci->n_ts_remote = 1;
	ci->ts_local[0] = client ? vip : net;
	ci->ts_remote[0] = client ? net : vip;
	ci->encap = o->encap;
	uint16_t port = o->encap ? 4500 : 0;
	ci->path = client ? (struct ike_path){IP_C, IP_GO, port, port}
			  : (struct ike_path){IP_GO, IP_C, port, port};
	ci->vip = client ? IP_VIP : 0;
}

/* ------------------------------------------------------------ traffic through the tunnel */

static void sc_traffic(struct simres *res, struct net *n, void *arg)
{
	const struct opts *o = arg;
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, o) == 0);
	struct ike_child_info cc, cg;
	child_info(&cc, 1, o);
	child_info(&cg, 0, o);
	SIM_CHECK_EQ(res, host_child_up(n->hg, NULL, &cg), 0);
	SIM_CHECK_EQ(res, host_child_up(n->hc, NULL, &cc), 0);
	SIM_CHECK_EQ(res, host_child_count(n->hc), 1);
	/* tunnel MTU: path MTU minus this SA's overhead, largest that fits */
	uint32_t mtu = host_tun_mtu(n->hc);
	SIM_CHECK(res, mtu > 1000 && mtu < o->link_mtu);
	res->v[0] = mtu;
	SIM_CHECK_EQ(res, host_tcp_mss(n->hc), mtu - 40);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"child-up\"") == 2);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"route\",\"dst\":\"10.1.0.0\",\"prefix\":24") == 1);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"tun-addr\",\"addr\":\"10.9.0.1\"") == 1);

	int sink = ns3apps_tcp_sink(n->s, 5001, host_tcp_mss(n->hc));
	int usink = ns3apps_udp_sink(n->s, 6001);
	int ping = host_ping(n->hc, IP_S, 56, 100 * MS, 10);
	int big = host_ping(n->hc, IP_S, 3000, 100 * MS, 3); /* fragmented inside, before ESP */
	int cbr = host_udp_cbr(n->hc, IP_S, 6001, 1000, 10 * MS, 50);
	int bulk = host_tcp_bulk(n->hc, IP_S, 5001, 500000);
	SIM_CHECK(res, sink >= 0 && usink >= 0 && ping >= 0 && big >= 0 && cbr >= 0 && bulk >= 0);
	SIM_CHECK(res, ns3shim_run_until(5 * SEC) > 0);

	struct ns3apps_stats ps, bs, cs, us, ts, tb;
	ns3apps_stats(ping, &ps);
	ns3apps_stats(big, &bs);
	ns3apps_stats(cbr, &cs);
	ns3apps_stats(usink, &us);
	ns3apps_stats(sink, &ts);
	ns3apps_stats(bulk, &tb);
	SIM_CHECK_EQ(res, ps.rx_packets, 10);
	/* the first reply is stamped (ns3apps counted before stamping: first_rx stayed 0) */
	SIM_CHECK(res, ps.first_rx_ns > 0 && ps.first_rx_ns < 100 * MS);
	SIM_CHECK(res, ps.last_rx_ns >= ps.first_rx_ns + 800 * MS);
	SIM_CHECK(res, us.first_rx_ns > 0 && us.first_rx_ns < us.last_rx_ns);
	SIM_CHECK_EQ(res, bs.rx_packets, 3);
	SIM_CHECK_EQ(res, us.rx_packets, 50);
	SIM_CHECK_EQ(res, ts.rx_bytes, 500000);
	SIM_CHECK_EQ(res, ts.errors, 0);
	SIM_CHECK(res, tb.done);

	struct host_stats sc, sg;
	host_stats(n->hc, &sc);
	host_stats(n->hg, &sg);
	SIM_CHECK_EQ(res, host_stats_rejected(&sc), 0);
	SIM_CHECK_EQ(res, host_stats_rejected(&sg), 0);
	for (int i = 0; i < HOST_DROP__COUNT; i++) {
		SIM_CHECK_EQ(res, sc.drops[i], 0);
		SIM_CHECK_EQ(res, sg.drops[i], 0);
	}
	/* every ESP packet that went on the wire was opened on the other side;
	 * TCP bursts overflow the stack's queues before the wire (the traffic
	 * control layer drops those without a device counter), so sealed >= that */
	struct ns3shim_dev_counters dc, dg;
	SIM_CHECK(res, ns3shim_dev_counters(n->c, n->c_dev, &dc) == 0);
	SIM_CHECK(res, ns3shim_dev_counters(n->g, n->go_dev, &dg) == 0);
	SIM_CHECK_EQ(res, dc.tx_packets, sg.opened);
	SIM_CHECK_EQ(res, dg.tx_packets, sc.opened);
	SIM_CHECK(res, sc.sealed >= sg.opened && sg.sealed >= sc.opened);
	SIM_CHECK(res, sc.sealed > 300);
	SIM_CHECK_EQ(res, o->encap ? sc.encap_tx : sc.plain_tx, sc.sealed);
	SIM_CHECK_EQ(res, sc.esp_tx_bytes >= sg.esp_rx_bytes, 1);
	SIM_CHECK_EQ(res, o->encap ? sc.plain_tx : sc.encap_tx, 0);
	host_stats_ev(n->hc);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"stats\"") == 1);
	res->v[1] = (long)(dc.tx_packets + dg.tx_packets);
}

static int tshark_count(const char *path, const char *filter)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -Y '%s' 2>/dev/null | wc -l", path, filter);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	int n = -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

static void run_traffic(const struct opts *o0, uint32_t want_mtu)
{
	char dir[64];
	sim_tmpdir(dir, sizeof dir);
	struct opts o = *o0;
	o.dir = dir;
	struct simres r;
	SCEN_RUN(sc_traffic, &o, &r);
	assert_int_equal(r.v[0], want_mtu);
	char p[300];
	snprintf(p, sizeof p, "%s/outer.pcap", dir);
	assert_int_equal(sim_tshark_problems(p), 0);
	/* the tunnel MTU keeps every outer packet whole */
	assert_int_equal(tshark_count(p, "ip.flags.mf == 1 || ip.frag_offset > 0"), 0);
	assert_int_equal(tshark_count(p, "esp"), r.v[1]);
	assert_int_equal(tshark_count(p, o.encap ? "ip.proto == 50" : "udp"), 0);
	/* no clear inner traffic on the outer link */
	assert_int_equal(tshark_count(p, "icmp || tcp || udp.port == 6001"), 0);
	snprintf(p, sizeof p, "%s/inner.pcap", dir);
	assert_int_equal(sim_tshark_problems(p), 0);
	assert_true(tshark_count(p, "tcp.len > 0 && ip.src == 10.9.0.1") > 300);
	snprintf(p, sizeof p, "%s/tun.pcap", dir);
	assert_int_equal(sim_tshark_problems(p), 0);
	sim_rmdir(dir);
}

/*
 * Expected tunnel MTUs (RFC 4303 §2: SPI 4 + Seq 4 + IV + payload + pad +
 * 2 + ICV; IPv4 20; RFC 3948 UDP 8):
 *   GCM-16, plain, 1500:  1500-20-8-8-16 = 1448 for payload+pad+2 (4-aligned) -> 1446
 *   GCM-16, encap, 1500:  1440 -> 1438
 *   CBC+SHA256-128, encap, 1280: 1280-20-8-8-16-16 = 1212, 16-aligned 1200 -> 1198
 */
static void test_plain_gcm(void **state)
{
	(void)state;
	run_traffic(&(struct opts){.link_mtu = 1500}, 1446);
}

static void test_encap_gcm(void **state)
{
	(void)state;
	run_traffic(&(struct opts){.encap = 1, .link_mtu = 1500}, 1438);
}

static void test_encap_cbc_1280(void **state)
{
	(void)state;
	run_traffic(&(struct opts){.encap = 1, .cbc = 1, .link_mtu = 1280}, 1198);
}

/* ------------------------------------------------------------ drops by reason */

static void sc_drops(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct opts o = {.link_mtu = 1500};
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, &o) == 0);
	struct ike_child_info cc, cg;
	child_info(&cc, 1, &o);
	child_info(&cg, 0, &o);
	/* the gateway may send from its own tunnel address, the client does not accept it */
	cg.n_ts_local = 2;
	cg.ts_local[1] = (struct ike_ts_cfg){IP_GTUN, IP_GTUN, 0, 0, 65535};
	SIM_CHECK_EQ(res, host_child_up(n->hg, NULL, &cg), 0);
	SIM_CHECK_EQ(res, host_child_up(n->hc, NULL, &cc), 0);

	/* 1. a route into the tunnel without an SA: no-sa on the client */
	SIM_CHECK_EQ(res, host_tun_route(n->hc, NS3SHIM_IP(10, 2, 0, 0), 16), 0);
	int p1 = host_ping(n->hc, NS3SHIM_IP(10, 2, 0, 1), 56, 100 * MS, 3);
	/* 2. gateway -> VIP from 10.9.0.254: sealed, opened, outside the client's selectors */
	int p2 = ns3apps_ping(n->g, IP_VIP, 56, 100 * MS, 2, 0);
	SIM_CHECK(res, p1 >= 0 && p2 >= 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	struct host_stats sc, sg;
	host_stats(n->hc, &sc);
	host_stats(n->hg, &sg);
	SIM_CHECK_EQ(res, sc.drops[HOST_DROP_NO_SA], 3);
	SIM_CHECK_EQ(res, sc.drops[HOST_DROP_TS_MISMATCH], 2);
	SIM_CHECK_EQ(res, sg.sealed, 2);
	SIM_CHECK_EQ(res, sc.opened, 0);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"reason\":\"no-sa\",\"msg\":\"outbound inner packet "
						 "matches no CHILD SA\",\"src\":\"10.9.0.1\",\"dst\":"
						 "\"10.2.0.1\",\"proto\":1") == 3);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"reason\":\"ts-mismatch\"") == 2);

	/* 3. the client drops its SA: the gateway's packets hit an unknown SPI;
	 * the SA's route and the VIP went with it, the static route into the
	 * tunnel stays and what it carries now comes from the placeholder */
	SIM_CHECK_EQ(res, host_child_down(n->hc, 0x1000, 0x2000, "test"), 0);
	SIM_CHECK_EQ(res, host_child_count(n->hc), 0);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"child-down\",\"spi_in\":\"00001000\","
						 "\"spi_out\":\"00002000\",\"reason\":\"test\"") == 1);
	SIM_CHECK_EQ(res, host_tun_addr(n->hc), 0);
	struct ns3shim_route_info ri;
	SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_S, &ri), 0);
	SIM_CHECK_EQ(res, ri.dev, n->c_dev);
	SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, NS3SHIM_IP(10, 2, 0, 1), &ri), 0);
	SIM_CHECK_EQ(res, ri.dev, host_tun_dev(n->hc));
	SIM_CHECK_EQ(res, ri.src, HOST_TUN_PLACEHOLDER);
	int p3 = ns3apps_ping(n->s, IP_VIP, 56, 100 * MS, 4, 0);
	int p4 = host_ping(n->hc, NS3SHIM_IP(10, 2, 0, 1), 56, 100 * MS, 2);
	SIM_CHECK(res, p3 >= 0 && p4 >= 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	host_stats(n->hc, &sc);
	SIM_CHECK_EQ(res, sc.rejected[-ESP_EUNKNOWN_SPI], 4);
	SIM_CHECK_EQ(res, host_stats_rejected(&sc), 4);
	SIM_CHECK_EQ(res, sc.drops[HOST_DROP_NO_SA], 3);
	SIM_CHECK_EQ(res, sc.drops[HOST_DROP_NO_ADDRESS], 2);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"reason\":\"no-address\",\"msg\":\"inner packet "
						 "from the tunnel's placeholder: no VIP yet\",\"src\":"
						 "\"169.254.0.1\",\"dst\":\"10.2.0.1\"") == 2);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"reason\":\"unknown-spi\",\"msg\":\"no SA for this "
						 "SPI\",\"dir\":\"in\",\"spi\":\"00001000\"") == 4);
	SIM_CHECK_EQ(res, strcmp(host_reject_name(-ESP_EUNKNOWN_SPI), "unknown-spi"), 0);
}

static void test_drops(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_drops, NULL, &r);
}

/* ------------------------------------------------------------ 0.0.0.0/0 through the tunnel */

/*
 * A full tunnel (remote selector 0.0.0.0/0) is routed as 0/1 + 128/1 so
 * the old default route stays for the outer packets, with the gateway
 * pinned to its current path: the ESP packets do not loop into the tunnel.
 */
static void sc_full_tunnel(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct opts o = {.link_mtu = 1500};
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, &o) == 0);
	struct ike_child_info cc, cg;
	child_info(&cc, 1, &o);
	child_info(&cg, 0, &o);
	cc.ts_remote[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
	cg.ts_local[0] = cc.ts_remote[0];
	SIM_CHECK_EQ(res, host_child_up(n->hg, NULL, &cg), 0);
	SIM_CHECK_EQ(res, host_child_up(n->hc, NULL, &cc), 0);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"route\",\"dst\":\"0.0.0.0\",\"prefix\":1"), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"route\",\"dst\":\"128.0.0.0\",\"prefix\":1"), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"route\""), 2);
	struct ns3shim_route_info ri;
	SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_S, &ri), 0);
	SIM_CHECK_EQ(res, ri.dev, host_tun_dev(n->hc));
	SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_GO, &ri), 0);
	SIM_CHECK_EQ(res, ri.dev, n->c_dev);
	int ping = host_ping(n->hc, IP_S, 56, 100 * MS, 5);
	int ping2 = host_ping(n->hc, IP_GI, 56, 100 * MS, 5); /* the gateway's inside address */
	SIM_CHECK(res, ping >= 0 && ping2 >= 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	struct ns3apps_stats ps, ps2;
	ns3apps_stats(ping, &ps);
	ns3apps_stats(ping2, &ps2);
	SIM_CHECK_EQ(res, ps.rx_packets, 5);
	SIM_CHECK_EQ(res, ps2.rx_packets, 5);
	struct host_stats sc;
	host_stats(n->hc, &sc);
	SIM_CHECK_EQ(res, sc.sealed, 10);
	SIM_CHECK_EQ(res, sc.opened, 10);
}

static void test_full_tunnel(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_full_tunnel, NULL, &r);
}

/* ------------------------------------------------------------ child_down -> child_up cycles */

/* cycle_up installs the pair of CHILD SAs number |k| (SPIs from it) on both hosts. */
static int cycle_up(struct net *n, const struct opts *o, uint32_t k, int full)
{
	struct ike_child_info cc, cg;
	child_info(&cc, 1, o);
	child_info(&cg, 0, o);
	cc.spi_in = cg.spi_out = 0x1000 + 16 * k;
	cc.spi_out = cg.spi_in = 0x2000 + 16 * k;
	if (full) {
		cc.ts_remote[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
		cg.ts_local[0] = cc.ts_remote[0];
	}
	if (host_child_up(n->hg, NULL, &cg) < 0)
		return -1;
	return host_child_up(n->hc, NULL, &cc);
}

static int cycle_down(struct net *n, uint32_t k)
{
	if (host_child_down(n->hc, 0x1000 + 16 * k, 0x2000 + 16 * k, "cycle") < 0)
		return -1;
	return host_child_down(n->hg, 0x2000 + 16 * k, 0x1000 + 16 * k, "cycle");
}

/* cycle_ping: |count| pings C -> S through the tunnel; how many came back. */
static long cycle_ping(uint32_t count)
{
	int ping = ns3apps_ping(0, IP_S, 56, 50 * MS, count, 0);
	if (ping < 0 || ns3shim_run_until(ns3shim_now() + 1 * SEC) < 0)
		return -1;
	struct ns3apps_stats ps;
	ns3apps_stats(ping, &ps);
	return (long)ps.rx_packets;
}

/*
 * Three child_up -> traffic -> child_down cycles on one client: a selector
 * route, a full tunnel (0/1 + 128/1, gateway pinned), and a rekey overlap
 * (the old SA goes while the new one holds the routes and the VIP). After
 * each down the node is as before the first up: no route into the tunnel,
 * no pin, no VIP (the placeholder is back), nothing left to collide with
 * the next cycle's routes and address.
 */
static void sc_cycles(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct opts o = {.link_mtu = 1500};
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, &o) == 0);
	SIM_CHECK_EQ(res, n->c, 0); /* cycle_ping pings from node 0 */
	struct ns3shim_route_info ri;
	for (uint32_t i = 0; i < 3; i++) {
		int full = i == 1;
		SIM_CHECK_EQ(res, cycle_up(n, &o, 2 * i, full), 0);
		SIM_CHECK_EQ(res, host_tun_addr(n->hc), IP_VIP);
		SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_S, &ri), 0);
		SIM_CHECK_EQ(res, ri.dev, host_tun_dev(n->hc));
		SIM_CHECK_EQ(res, ri.src, IP_VIP);
		SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_GO, &ri), 0);
		SIM_CHECK_EQ(res, ri.dev, n->c_dev);
		SIM_CHECK_EQ(res, cycle_ping(3), 3);
		uint32_t last = 2 * i;
		if (i == 2) {
			/* rekey overlap: the successor comes up, the old SA goes */
			SIM_CHECK_EQ(res, cycle_up(n, &o, 2 * i + 1, 0), 0);
			SIM_CHECK_EQ(res, cycle_down(n, 2 * i), 0);
			SIM_CHECK_EQ(res, host_tun_addr(n->hc), IP_VIP);
			SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_S, &ri), 0);
			SIM_CHECK_EQ(res, ri.dev, host_tun_dev(n->hc));
			SIM_CHECK_EQ(res, cycle_ping(3), 3);
			last = 2 * i + 1;
		}
		SIM_CHECK_EQ(res, cycle_down(n, last), 0);
		SIM_CHECK_EQ(res, host_child_count(n->hc), 0);
		SIM_CHECK_EQ(res, host_tun_addr(n->hc), 0);
		SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_S, &ri), 0);
		SIM_CHECK_EQ(res, ri.dev, n->c_dev); /* the default route again */
		SIM_CHECK_EQ(res, ns3shim_route_lookup(n->c, IP_GO, &ri), 0);
		SIM_CHECK_EQ(res, ri.dev, n->c_dev);
		/* nothing of the tunnel's routes or the pin is left to remove */
		SIM_CHECK_EQ(res, ns3shim_route_del(n->c, NS3SHIM_IP(10, 1, 0, 0), 24, 0, -1), NS3SHIM_ENOROUTE);
		SIM_CHECK_EQ(res, ns3shim_route_del(n->c, 0, 1, 0, -1), NS3SHIM_ENOROUTE);
		SIM_CHECK_EQ(res, ns3shim_route_del(n->c, IP_GO, 32, IP_GO, n->c_dev), NS3SHIM_ENOROUTE);
		SIM_CHECK_EQ(res, ns3shim_addr_del(n->c, host_tun_dev(n->hc), IP_VIP), NS3SHIM_EARG);
	}
	/* VIP on/off three times; one pin (the full tunnel) and its removal; routes in order */
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"tun-addr\",\"addr\":\"10.9.0.1\""), 3);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"tun-addr-del\",\"addr\":\"10.9.0.1\""), 3);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"pin\",\"peer\":\"192.0.2.1\""), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"unpin\",\"peer\":\"192.0.2.1\""), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"route\""), 4);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"route-del\""), 4);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"ev\":\"tun-addr\",\"addr\":\"169.254.0.1\""), 4);
	/* removal order: routes, then the VIP (the placeholder first takes over) */
	size_t rdel = SIZE_MAX, padd = SIZE_MAX, vdel = SIZE_MAX;
	for (size_t i = 0; i < n->ev.n && vdel == SIZE_MAX; i++) {
		const char *l = n->ev.line[i];
		if (rdel == SIZE_MAX && strstr(l, "\"ev\":\"route-del\""))
			rdel = i;
		if (strstr(l, "\"ev\":\"tun-addr\",\"addr\":\"169.254.0.1\""))
			padd = i;
		if (strstr(l, "\"ev\":\"tun-addr-del\",\"addr\":\"10.9.0.1\""))
			vdel = i;
	}
	SIM_CHECK(res, rdel < padd && padd < vdel && vdel != SIZE_MAX);
	struct host_stats sc;
	host_stats(n->hc, &sc);
	SIM_CHECK_EQ(res, sc.children_up, 4);
	SIM_CHECK_EQ(res, sc.children_down, 4);
	SIM_CHECK_EQ(res, host_stats_rejected(&sc), 0);
}

static void test_cycles(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_cycles, NULL, &r);
}

/* ------------------------------------------------------------ API errors */

/* numbered error cases: the return code and a piece of ns3shim_last_error() */
#define ERR_CASE(no, call, code, text)                                                         \
	do {                                                                                   \
		int r_ = (call);                                                               \
		if (r_ != (code) || !strstr(ns3shim_last_error(), (text))) {                   \
			snprintf(res->fail, sizeof res->fail,                                  \
				 "case %d: %s = %d (want %d), error '%s' (want '%s')", no,     \
				 #call, r_, code, ns3shim_last_error(), text);                 \
			return;                                                                \
		}                                                                              \
	} while (0)

static void sc_errors(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct opts o = {.link_mtu = 1500};
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, &o) == 0);
	int raw = ns3shim_node_add("raw", NS3SHIM_RAW);
	SIM_CHECK(res, raw >= 0);
	SIM_CHECK(res, host_new(raw, &(struct host_cfg){.name = "x"}) == NULL);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "raw node") != NULL);
	SIM_CHECK(res, host_new(n->s, &(struct host_cfg){.name = ""}) == NULL);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "expected 1..31 characters") != NULL);
	SIM_CHECK(res, host_new(n->s, &(struct host_cfg){.name = "a-name-that-is-far-too-long-for-events"}) == NULL);
	struct host *hs = host_new(n->s, &(struct host_cfg){.name = "srv"});
	SIM_CHECK(res, hs != NULL);
	struct ike_child_info ci;
	child_info(&ci, 1, &o);

	ERR_CASE(1, host_tun_add(n->hc, 0, 0), NS3SHIM_ESTATE, "already has tunnel device");
	ERR_CASE(2, host_tun_route(hs, 0, 0), NS3SHIM_ESTATE, "srv has no tunnel device");
	ERR_CASE(3, host_tun_route(n->hc, 0, 33), NS3SHIM_EARG, "prefix 33");
	ERR_CASE(4, host_child_up(n->hc, NULL, NULL), NS3SHIM_EARG, "ci is NULL");
	ci.n_ts_local = 0;
	ERR_CASE(5, host_child_up(n->hc, NULL, &ci), NS3SHIM_EARG, "0 local / 1 remote selectors");
	child_info(&ci, 1, &o);
	ci.enc_key_len = 19;
	ERR_CASE(6, host_child_up(n->hc, NULL, &ci), NS3SHIM_EARG, "SA 0x00002000");
	child_info(&ci, 1, &o);
	ci.spi_in = 5; /* reserved SPI (RFC 4303 §2.1) */
	ERR_CASE(7, host_child_up(n->hc, NULL, &ci), NS3SHIM_EARG, "SA 0x00000005");
	child_info(&ci, 1, &o);
	ERR_CASE(8, host_child_up(n->hc, NULL, &ci), 0, "");
	ERR_CASE(9, host_child_up(n->hc, NULL, &ci), NS3SHIM_EARG, "SPI 0x00001000 is already in use");
	ERR_CASE(10, host_child_down(n->hc, 0x1000, 0x3000, "x"), NS3SHIM_EARG,
		 "pairs with 0x00002000, not 0x00003000");
	ERR_CASE(11, host_child_down(n->hc, 0x1000, 0, "x"), 0, "");
	ERR_CASE(12, host_child_down(n->hc, 0x1000, 0, "x"), NS3SHIM_EARG, "client has no SA with SPI 0x00001000");
	ERR_CASE(13, host_child_count(n->hc), 0, "");
	/* a failed install leaves nothing behind: the SPI is free again */
	ERR_CASE(14, host_child_up(n->hc, NULL, &ci), 0, "");
	ERR_CASE(15, host_child_count(n->hc), 1, "");
	ERR_CASE(16, host_tun_dev(hs), -1, "");
	SIM_CHECK_EQ(res, host_tun_mtu(hs), 0);
	SIM_CHECK_EQ(res, strcmp(host_drop_name(HOST_DROP_TS_MISMATCH), "ts-mismatch"), 0);
	SIM_CHECK_EQ(res, strcmp(host_drop_name((enum host_drop)99), "unknown"), 0);
}

static void test_errors(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_errors, NULL, &r);
}

/* ------------------------------------------------------------ many SAs on one host */

/*
 * 300 clients' SAs on the gateway (the SPI table grows from 16), one /32
 * remote selector each: the selector index finds each; after removing
 * every other one, the rest still work.
 */
static void sc_many(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct opts o = {.link_mtu = 1500};
	SIM_CHECK(res, ns3shim_init(3, 1) == 0);
	SIM_CHECK(res, net_build(n, &o) == 0);
	enum { N = 300 };
	struct ike_child_info cg;
	for (uint32_t i = 0; i < N; i++) {
		child_info(&cg, 0, &o);
		cg.spi_in = 0x10000 + i;
		cg.spi_out = 0x20000 + i;
		uint32_t vip = NS3SHIM_IP(10, 9, 1, 0) + i;
		cg.ts_remote[0] = (struct ike_ts_cfg){vip, vip, 0, 0, 65535};
		SIM_CHECK_EQ(res, host_child_up(n->hg, NULL, &cg), 0);
	}
	SIM_CHECK_EQ(res, host_child_count(n->hg), N);
	SIM_CHECK_EQ(res, host_tun_route(n->hg, NS3SHIM_IP(10, 9, 0, 0), 16), 0);
	for (uint32_t i = 0; i < N; i += 2)
		SIM_CHECK_EQ(res, host_child_down(n->hg, 0x10000 + i, 0x20000 + i, "gone"), 0);
	/* the server pings 6 VIPs: the 3 odd ones are sealed, the even ones have no SA */
	for (uint32_t i = 100; i < 106; i++)
		SIM_CHECK(res, ns3apps_ping(n->s, NS3SHIM_IP(10, 9, 1, 0) + i, 56, 100 * MS, 1, 0) >= 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	struct host_stats sg;
	host_stats(n->hg, &sg);
	SIM_CHECK_EQ(res, sg.sealed, 3);
	SIM_CHECK_EQ(res, sg.drops[HOST_DROP_NO_SA], 3);
	SIM_CHECK_EQ(res, host_child_count(n->hg), N / 2);
}

static void test_many(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_many, NULL, &r);
}

/* ------------------------------------------------------------ MTU arithmetic */

/*
 * host_esp_inner_max against a brute-force search over inner lengths with
 * host_esp_overhead, for every transform, both encapsulations and path MTUs
 * 100..1600.
 */
static void test_inner_max(void **state)
{
	(void)state;
	static const struct {
		enum crypto_aead_alg alg;
		size_t ek, ik;
	} t[] = {
		{CRYPTO_AES_GCM_16, 20, 0},
		{CRYPTO_AES_GCM_16, 36, 0},
		{CRYPTO_CHACHA20_POLY1305, 36, 0},
		{CRYPTO_AES_CBC_HMAC_SHA256_128, 16, 32},
		{CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, 20},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct esp_sa_cfg c = {.spi = 0x1234, .dir = ESP_DIR_IN, .alg = t[i].alg,
				       .enc_key = key_cg, .enc_key_len = t[i].ek,
				       .integ_key = t[i].ik ? ikey_cg : NULL, .integ_key_len = t[i].ik};
		int err = 0;
		struct esp_sa *sa = esp_sa_new(&c, &err);
		assert_non_null(sa);
		for (int encap = 0; encap < 2; encap++)
			for (size_t mtu = 100; mtu <= 1600; mtu++) {
				size_t best = 0;
				for (size_t l = 1; l <= mtu; l++)
					if (l + host_esp_overhead(sa, encap, l) <= mtu)
						best = l;
				if (host_esp_inner_max(sa, encap, mtu) != best)
					fail_msg("transform %zu encap %d mtu %zu: %zu, brute force %zu",
						 i, encap, mtu, host_esp_inner_max(sa, encap, mtu), best);
			}
		esp_sa_free(sa);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inner_max),
		cmocka_unit_test(test_plain_gcm),
		cmocka_unit_test(test_encap_gcm),
		cmocka_unit_test(test_encap_cbc_1280),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_full_tunnel),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
