/*
 * test_sim_host_ike.c — the engine binding of the host adapter
 * (sim/host_ike.c): real IKEv2 engines (PSK) on ns-3 hosts through a
 * hide-NAT, checking what the adapter does with them:
 *
 *   C 10.0.0.2 ── NAT (198.51.100.1) ── 198.51.100.2 G 10.1.0.1 ── 10.1.0.2 S
 *   tun: VIP                              tun 10.9.255.254, route 10.9.0.0/16
 *
 *   reboot     the NAT forgets its mappings mid-stream: the gateway's ESP
 *              dies at the NAT ("no-mapping") until the client's next IKE
 *              message (liveness check) comes from a new port; the engine's
 *              path_changed re-targets the gateway's SA and the stream resumes
 *   keepalive  NAT keepalives (every 20 s) hold the 30 s UDP mapping over
 *              two idle minutes; without them it expires and the gateway's
 *              packets die at the NAT
 *   counters   per-engine datagram classes (IKE, ESP, keepalive) on 500/4500
 *   errors     bad configurations and busy ports
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/esp/esp_udpencap.h"
#include "sim/host.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/node_mbox.h"
#include "sim/ns3apps.h"
#include "sim/ns3shim.h"
#include "tests/lib/testutil.h"
#include "tests/unit/test_sim_fork.h"

#define MS 1000000ull
#define SEC 1000000000ull

#define IP_C NS3SHIM_IP(10, 0, 0, 2)
#define IP_PUB NS3SHIM_IP(198, 51, 100, 1)
#define IP_G NS3SHIM_IP(198, 51, 100, 2)
#define IP_GI NS3SHIM_IP(10, 1, 0, 1)
#define IP_S NS3SHIM_IP(10, 1, 0, 2)

static const char psk[] = "binding test psk";

struct net {
	int c, nat, g, s, c_dev, g_out, g_in, s_dev;
	struct node_mbox *nm;
	struct mbox *box;
	struct host *hc, *hg;
	struct host_ike *ec, *eg;
	struct ev_lines ev;
	struct ev_sink sink;
};

static void id(struct ike_id_cfg *i, uint8_t type, const char *s)
{
	i->type = type;
	i->len = strlen(s);
	memcpy(i->data, s, i->len);
}

static void configs(struct ike_config *cc, struct ike_config *gc)
{
	ike_config_init(cc, IKE_ROLE_CLIENT);
	ike_config_init(gc, IKE_ROLE_GATEWAY);
	cc->local_addr = IP_C;
	cc->remote_addr = IP_G;
	gc->local_addr = IP_G;
	id(&cc->local_id, IKE_ID_RFC822_ADDR, "bob@example.org");
	id(&gc->local_id, IKE_ID_FQDN, "gw.example.org");
	memcpy(cc->psk, psk, sizeof psk - 1);
	memcpy(gc->psk, psk, sizeof psk - 1);
	cc->psk_len = gc->psk_len = sizeof psk - 1;
	cc->request_vip = 1;
	cc->n_remote_ts = 1;
	cc->remote_ts[0] = (struct ike_ts_cfg){NS3SHIM_IP(10, 1, 0, 0), NS3SHIM_IP(10, 1, 0, 255), 0, 0, 65535};
	gc->n_local_ts = 1;
	gc->local_ts[0] = cc->remote_ts[0];
	gc->pool_lo = NS3SHIM_IP(10, 9, 0, 1);
	gc->pool_hi = NS3SHIM_IP(10, 9, 0, 50);
}

/* net_build: topology, NAT (UDP timeout |udp_timeout|), hosts; engines from |cc|/|gc|. */
static int net_build(struct net *n, const struct ike_config *cc, const struct ike_config *gc,
		     uint64_t udp_timeout)
{
	struct ns3shim_link_cfg l = {.rate_bps = 10000000, .delay_ns = 5 * MS};
	int nat_in, nat_out;
	n->c = ns3shim_node_add("C", NS3SHIM_HOST);
	n->nat = ns3shim_node_add("nat", NS3SHIM_RAW);
	n->g = ns3shim_node_add("G", NS3SHIM_HOST);
	n->s = ns3shim_node_add("S", NS3SHIM_HOST);
	if (n->c < 0 || n->nat < 0 || n->g < 0 || n->s < 0 ||
	    ns3shim_link_add(n->c, n->nat, &l, &n->c_dev, &nat_in) < 0 ||
	    ns3shim_link_add(n->nat, n->g, &l, &nat_out, &n->g_out) < 0 ||
	    ns3shim_link_add(n->g, n->s, &l, &n->g_in, &n->s_dev) < 0 ||
	    ns3shim_addr_add(n->c, n->c_dev, IP_C, 24) < 0 ||
	    ns3shim_route_add(n->c, 0, 0, NS3SHIM_IP(10, 0, 0, 1), n->c_dev) < 0 ||
	    ns3shim_addr_add(n->g, n->g_out, IP_G, 24) < 0 ||
	    ns3shim_addr_add(n->g, n->g_in, IP_GI, 24) < 0 ||
	    ns3shim_addr_add(n->s, n->s_dev, IP_S, 24) < 0 ||
	    ns3shim_route_add(n->s, 0, 0, IP_GI, n->s_dev) < 0)
		return -1;
	n->sink = (struct ev_sink){ev_collect, &n->ev};
	n->nm = node_mbox_new(n->nat, &n->sink, NULL);
	if (!n->nm)
		return -1;
	struct mbox_nat_cfg nc;
	mbox_nat_cfg_default(&nc);
	nc.name = "nat";
	nc.public_addr = IP_PUB;
	nc.udp_timeout_ns = udp_timeout;
	char err[200];
	n->box = mbox_nat_new(&nc, node_mbox_io(n->nm), err, sizeof err);
	if (!n->box || node_mbox_attach(n->nm, n->box, (const int[]){nat_in, nat_out}, 2) < 0)
		return -1;
	n->hc = host_new(n->c, &(struct host_cfg){.name = "client", .seed = 9, .events = &n->sink});
	n->hg = host_new(n->g, &(struct host_cfg){.name = "gw", .seed = 9, .events = &n->sink});
	if (!n->hc || !n->hg || host_tun_add(n->hc, 0, 0) < 0 ||
	    host_tun_add(n->hg, NS3SHIM_IP(10, 9, 255, 254), 32) < 0 ||
	    host_tun_route(n->hg, NS3SHIM_IP(10, 9, 0, 0), 16) < 0)
		return -1;
	n->ec = host_ike_add(n->hc, cc, err, sizeof err);
	n->eg = host_ike_add(n->hg, gc, err, sizeof err);
	if (!n->ec || !n->eg)
		return -1;
	return host_ike_connect(n->ec, 0);
}

/* scen / sc_run: a scenario body gets a net whose events are freed however it returns. */
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

static uint32_t client_vip(const struct net *n)
{
	struct ike_sa_status st;
	if (ike_sa_count(host_ike_engine(n->ec)) == 0 || ike_sa_status(host_ike_engine(n->ec), 0, &st) < 0)
		return 0;
	return st.vip;
}

/* ------------------------------------------------------------ NAT reboot, path_changed */

static void nat_reboot(void *ctx)
{
	struct net *n = ctx;
	mbox_nat_reboot(n->box, ns3shim_now());
	node_mbox_poke(n->nm);
}

static void sc_reboot(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	cc.dpd_ns = 5 * SEC; /* the client checks liveness after 5 s without a message */
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK(res, host_ike_established(n->ec) && host_ike_established(n->eg));
	uint32_t vip = client_vip(n);
	SIM_CHECK(res, vip != 0);
	uint16_t port_before = 0;
	SIM_CHECK(res, mbox_nat_lookup(n->box, ns3shim_now(), 17, IP_C, 4500, &port_before) == 1);

	/* the server streams to the client's VIP: 10 datagrams a second for 30 s */
	int sink = ns3apps_udp_sink(n->c, 7000);
	int cbr = ns3apps_udp_cbr(n->s, vip, 7000, 200, 100 * MS, 300);
	SIM_CHECK(res, sink >= 0 && cbr >= 0);
	/* liveness checks go out ~5 s after the last IKE message: at ~5.1, ~10.1, ~15.1 s */
	SIM_CHECK(res, ns3shim_timer_at(12 * SEC, nat_reboot, n) > 0);
	SIM_CHECK(res, ns3shim_run_until(12 * SEC) > 0);
	struct ns3apps_stats before;
	ns3apps_stats(sink, &before);
	SIM_CHECK(res, ns3shim_run_until(40 * SEC) > 0);

	struct ns3apps_stats after;
	ns3apps_stats(sink, &after);
	uint16_t port_after = 0;
	SIM_CHECK(res, mbox_nat_lookup(n->box, ns3shim_now(), 17, IP_C, 4500, &port_after) == 1);
	SIM_CHECK(res, port_after != port_before);
	/* the gateway's ESP died at the NAT until the liveness check re-mapped the client */
	uint64_t lost = mbox_drop_count(n->box, MBOX_DROP_NO_MAPPING);
	SIM_CHECK(res, lost >= 5);
	res->v[0] = (long)lost;
	res->v[1] = (long)before.rx_packets;
	res->v[2] = (long)after.rx_packets;
	SIM_CHECK(res, before.rx_packets >= 105);
	SIM_CHECK_EQ(res, after.rx_packets + lost, 300);
	/* the engine moved the IKE SA and the adapter re-targeted the CHILD SA */
	char want[160];
	snprintf(want, sizeof want, "\"src\":\"gw\",\"ev\":\"child-path\"");
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, want), 1);
	snprintf(want, sizeof want, "\"peer\":\"198.51.100.1\",\"peer_port\":%u", port_after);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, want), 1);
	struct host_stats sg;
	host_stats(n->hg, &sg);
	SIM_CHECK_EQ(res, host_stats_rejected(&sg), 0);
	SIM_CHECK(res, host_ike_established(n->ec));
}

static void test_reboot_path_changed(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_reboot, NULL, &r);
	if (getenv("VPNLAB_DEMO_VERBOSE"))
		fprintf(stderr, "reboot: %ld lost at the NAT, %ld before, %ld after\n", r.v[0], r.v[1], r.v[2]);
}

/* ------------------------------------------------------------ keepalives */

struct ka_arg {
	uint64_t keepalive_ns;
};

static void sc_keepalive(struct simres *res, struct net *n, void *arg)
{
	const struct ka_arg *a = arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	cc.keepalive_ns = a->keepalive_ns;
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	uint32_t vip = client_vip(n);
	SIM_CHECK(res, vip != 0);
	/* two idle minutes, then the server pings the client */
	SIM_CHECK(res, ns3shim_run_until(121 * SEC) > 0);
	int ping = ns3apps_ping(n->s, vip, 56, 100 * MS, 3, 0);
	SIM_CHECK(res, ping >= 0);
	SIM_CHECK(res, ns3shim_run_until(123 * SEC) > 0);
	struct ns3apps_stats ps;
	ns3apps_stats(ping, &ps);
	struct host_stats sg;
	host_stats(n->hg, &sg);
	struct host_ike_stats is;
	host_ike_stats(n->eg, &is);
	res->v[0] = (long)ps.rx_packets;
	res->v[1] = (long)ike_engine_counts(host_ike_engine(n->ec))->keepalives_sent;
	res->v[2] = (long)sg.keepalives_rx;
	res->v[3] = (long)is.rx[ESP_UDP_KEEPALIVE];
	res->v[4] = (long)mbox_drop_count(n->box, MBOX_DROP_NO_MAPPING);
	res->v[5] = (long)is.deadlines;
	host_ike_stats(n->ec, &is);
	res->v[6] = (long)is.deadlines;
}

static void test_keepalive_holds_mapping(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_keepalive, &(struct ka_arg){20 * SEC}, &r);
	assert_int_equal(r.v[0], 3);
	assert_true(r.v[1] >= 5); /* ~ every 20 s of 2 minutes */
	assert_int_equal(r.v[2], r.v[1]);
	assert_int_equal(r.v[3], r.v[1]);
	assert_int_equal(r.v[4], 0);
	assert_true(r.v[6] >= r.v[1]); /* each keepalive was sent from a deadline run */
}

static void test_no_keepalive_mapping_expires(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_keepalive, &(struct ka_arg){0}, &r);
	assert_int_equal(r.v[0], 0);
	assert_int_equal(r.v[1], 0);
	assert_int_equal(r.v[4], 3);
}

/* ------------------------------------------------------------ ESP tells the engine */

/*
 * With ESP flowing both ways every second for a minute, the client sends
 * no NAT keepalive (RFC 3948 §4: only after 20 s without sending) and the
 * gateway runs no liveness check (dpd 5 s: RFC 7296 §2.4, only without
 * anything received): the adapter reports every sealed and every opened
 * ESP packet to the engine (ike_note_esp_sent / _received). After the
 * traffic stops the liveness checks come back (test_keepalive_holds_mapping
 * shows the keepalives of an idle client).
 */
static void sc_esp_notes(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	gc.dpd_ns = 5 * SEC;
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	int ping = host_ping(n->hc, IP_S, 56, 1 * SEC, 60);
	SIM_CHECK(res, ping >= 0);
	SIM_CHECK(res, ns3shim_run_until(61 * SEC) > 0);
	struct ns3apps_stats ps;
	ns3apps_stats(ping, &ps);
	SIM_CHECK_EQ(res, ps.rx_packets, 60);
	const struct ike_counts *c = ike_engine_counts(host_ike_engine(n->ec));
	SIM_CHECK_EQ(res, c->keepalives_sent, 0);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"ev\":\"dpd\",\"who\":\"gw\""), 0);
	struct host_ike_stats ci, gi;
	host_ike_stats(n->ec, &ci);
	host_ike_stats(n->eg, &gi);
	SIM_CHECK_EQ(res, ci.esp_noted, 120); /* 60 sealed + 60 opened */
	SIM_CHECK_EQ(res, gi.esp_noted, 120);
	/* quiet again: the gateway checks liveness every 5 s; the client's answers
	 * are sent often enough that it still owes no keepalive */
	SIM_CHECK(res, ns3shim_run_until(120 * SEC) > 0);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"dpd\",\"who\":\"gw\"") >= 10);
	SIM_CHECK_EQ(res, c->keepalives_sent, 0);
	SIM_CHECK(res, host_ike_established(n->ec) && host_ike_established(n->eg));
}

static void test_esp_notes(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_esp_notes, NULL, &r);
}

/* ------------------------------------------------------------ counters */

static void sc_counters(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK_EQ(res, host_ike_count(n->hc), 1);
	SIM_CHECK(res, host_ike_get(n->hc, 0) == n->ec);
	SIM_CHECK(res, host_ike_get(n->hc, 1) == NULL);
	SIM_CHECK(res, host_ike_host(n->ec) == n->hc);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	int ping = host_ping(n->hc, IP_S, 100, 50 * MS, 10);
	SIM_CHECK(res, ping >= 0);
	SIM_CHECK(res, ns3shim_run_until(3 * SEC) > 0);
	struct ns3apps_stats ps;
	ns3apps_stats(ping, &ps);
	SIM_CHECK_EQ(res, ps.rx_packets, 10);

	struct host_ike_stats ci, gi;
	host_ike_stats(n->ec, &ci);
	host_ike_stats(n->eg, &gi);
	const struct ike_counts *cc_ = ike_engine_counts(host_ike_engine(n->ec));
	const struct ike_counts *gc_ = ike_engine_counts(host_ike_engine(n->eg));
	/* IKE_SA_INIT on 500, IKE_AUTH on 4500 (NAT detected), ESP on 4500 */
	SIM_CHECK_EQ(res, gi.rx[ESP_UDP_IKE], 2);
	SIM_CHECK_EQ(res, ci.rx[ESP_UDP_IKE], 2);
	SIM_CHECK_EQ(res, gi.rx[ESP_UDP_ESP], 10);
	SIM_CHECK_EQ(res, ci.rx[ESP_UDP_ESP], 10);
	SIM_CHECK_EQ(res, ci.rx_results[0], 2); /* IKE_RX_OK */
	SIM_CHECK_EQ(res, ci.tx, cc_->msgs_sent);
	SIM_CHECK_EQ(res, gi.tx, gc_->msgs_sent);
	SIM_CHECK_EQ(res, ci.tx_failed + gi.tx_failed, 0);
	struct host_stats sc, sg;
	host_stats(n->hc, &sc);
	host_stats(n->hg, &sg);
	SIM_CHECK_EQ(res, sc.ike_tx, ci.tx);
	SIM_CHECK_EQ(res, sg.ike_rx, gi.rx[ESP_UDP_IKE] + gi.rx[ESP_UDP_KEEPALIVE]);
	SIM_CHECK_EQ(res, sc.encap_tx, 10);
	SIM_CHECK_EQ(res, sg.opened, 10);
	SIM_CHECK_EQ(res, cc_->children_up, 1);
	SIM_CHECK_EQ(res, host_child_count(n->hc), 1);
	/* engine events come through the host's sink, named after the host */
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"src\":\"ike\",\"ev\":\"state\",\"who\":\"client\"") >= 3);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"src\":\"ike\",\"ev\":\"state\",\"who\":\"gw\"") >= 2);
}

static void test_counters(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_counters, NULL, &r);
}

/* ------------------------------------------------------------ kill and restart */

/*
 * The client crashes at 2 s (host_ike_kill): nothing more leaves it (no
 * DELETE, no keepalive), its CHILD SA, routes and VIP are gone, the
 * gateway still holds the old SAs. At 5 s a fresh engine (restart: new
 * SPIs, same identity and ports) connects; the gateway's unique-IDs "no"
 * policy replaces the old IKE SA on INITIAL_CONTACT; pings flow again.
 */
static void sc_kill(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK(res, host_ike_established(n->ec));
	uint32_t vip = client_vip(n);
	SIM_CHECK(res, vip != 0 && host_tun_addr(n->hc) == vip);
	struct ike_sa_status old;
	SIM_CHECK_EQ(res, ike_sa_status(host_ike_engine(n->ec), 0, &old), 0);
	int p1 = host_ping(n->hc, IP_S, 56, 100 * MS, 5);
	SIM_CHECK(res, p1 >= 0);
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) > 0);
	struct ns3apps_stats ps;
	ns3apps_stats(p1, &ps);
	SIM_CHECK_EQ(res, ps.rx_packets, 5);

	struct ike_counts before;
	host_ike_counts(n->ec, &before);
	SIM_CHECK(res, before.msgs_sent >= 2);
	struct ns3shim_dev_counters d0, d1;
	SIM_CHECK_EQ(res, ns3shim_dev_counters(n->c, n->c_dev, &d0), 0);
	SIM_CHECK_EQ(res, host_ike_kill(n->ec), 0);
	SIM_CHECK_EQ(res, host_ike_kill(n->ec), NS3SHIM_ESTATE);
	SIM_CHECK(res, strstr(ns3shim_last_error(), "killed already") != NULL);
	SIM_CHECK(res, !host_ike_alive(n->ec) && host_ike_engine(n->ec) == NULL);
	SIM_CHECK_EQ(res, host_ike_established(n->ec), 0);
	SIM_CHECK_EQ(res, host_ike_connect(n->ec, ns3shim_now()), NS3SHIM_ESTATE);
	SIM_CHECK_EQ(res, host_ike_close(n->ec, ns3shim_now()), NS3SHIM_ESTATE);
	struct ike_counts after;
	host_ike_counts(n->ec, &after);
	SIM_CHECK_EQ(res, after.msgs_sent, before.msgs_sent);
	SIM_CHECK_EQ(res, host_child_count(n->hc), 0);
	SIM_CHECK_EQ(res, host_tun_addr(n->hc), 0);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"engine-killed\",\"who\":\"client\","
					      "\"life\":1,\"ike_sas\":1,\"children\":1") == 1);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"child-down\"") == 1);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"reason\":\"killed\"") == 1);
	/* silence: 3 s with no keepalive (default 20 s is not due) and no DELETE */
	SIM_CHECK(res, ns3shim_run_until(5 * SEC) > 0);
	SIM_CHECK_EQ(res, ns3shim_dev_counters(n->c, n->c_dev, &d1), 0);
	SIM_CHECK_EQ(res, d1.tx_packets, d0.tx_packets);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"exchange\":\"INFORMATIONAL\""), 0);
	SIM_CHECK(res, host_ike_established(n->eg));
	SIM_CHECK_EQ(res, host_child_count(n->hg), 1);

	char err[256];
	struct host_ike *e2 = host_ike_restart(n->ec, err, sizeof err);
	SIM_CHECK(res, e2 != NULL);
	SIM_CHECK(res, e2 != n->ec && host_ike_alive(e2));
	SIM_CHECK_EQ(res, host_ike_life(e2), 2);
	SIM_CHECK_EQ(res, host_ike_count(n->hc), 2);
	SIM_CHECK(res, host_ike_get(n->hc, 1) == e2);
	SIM_CHECK(res, ev_lines_count(&n->ev, "\"ev\":\"engine-restarted\",\"who\":\"client\",\"life\":2") == 1);
	SIM_CHECK_EQ(res, host_ike_connect(e2, ns3shim_now()), 0);
	SIM_CHECK(res, ns3shim_run_until(6 * SEC) > 0);
	SIM_CHECK(res, host_ike_established(e2));
	struct ike_sa_status now;
	SIM_CHECK_EQ(res, ike_sa_status(host_ike_engine(e2), 0, &now), 0);
	SIM_CHECK(res, now.spi_i != old.spi_i);
	SIM_CHECK(res, now.child_spi_in != old.child_spi_in);
	/* INITIAL_CONTACT: the gateway dropped the stale SA for the new one */
	SIM_CHECK_EQ(res, ike_sa_count(host_ike_engine(n->eg)), 1);
	SIM_CHECK_EQ(res, host_child_count(n->hg), 1);
	SIM_CHECK_EQ(res, host_tun_addr(n->hc), now.vip);
	int p2 = host_ping(n->hc, IP_S, 56, 100 * MS, 5);
	SIM_CHECK(res, p2 >= 0);
	SIM_CHECK(res, ns3shim_run_until(7 * SEC) > 0);
	ns3apps_stats(p2, &ps);
	SIM_CHECK_EQ(res, ps.rx_packets, 5);
	SIM_CHECK(res, ps.first_rx_ns > 6 * SEC && ps.first_rx_ns <= ps.last_rx_ns);
	res->v[0] = (long)now.vip;
	res->v[1] = (long)vip;
}

static void test_kill_restart(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_kill, NULL, &r);
}

/*
 * A connect and a close scheduled for after a kill find a dead engine:
 * refused with an event, nothing sent. A killed gateway takes its CHILD
 * SAs with it but keeps its tunnel address and pool route.
 */
static void sc_kill_pending(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, host_ike_close(n->ec, 3 * SEC), 0);
	SIM_CHECK_EQ(res, host_ike_kill(n->eg), 0);
	SIM_CHECK_EQ(res, host_child_count(n->hg), 0);
	SIM_CHECK_EQ(res, host_tun_addr(n->hg), NS3SHIM_IP(10, 9, 255, 254));
	struct ns3shim_route_info ri;
	SIM_CHECK_EQ(res, ns3shim_route_lookup(n->g, client_vip(n), &ri), 0);
	SIM_CHECK_EQ(res, ri.dev, host_tun_dev(n->hg));
	SIM_CHECK_EQ(res, host_ike_kill(n->ec), 0);
	SIM_CHECK(res, ns3shim_run_until(4 * SEC) > 0);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"client\",\"ev\":\"close-failed\",\"who\":\"client\""), 1);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"ev\":\"engine-killed\""), 2);
	SIM_CHECK(res, host_ike_restart(NULL, NULL, 0) == NULL);
	SIM_CHECK_EQ(res, host_ike_kill(NULL), NS3SHIM_EARG);
	SIM_CHECK_EQ(res, host_ike_alive(NULL), 0);
}

static void test_kill_pending(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_kill_pending, NULL, &r);
}

/* ------------------------------------------------------------ errors */

static void sc_errors(struct simres *res, struct net *n, void *arg)
{
	(void)arg;
	struct ike_config cc, gc;
	configs(&cc, &gc);
	SIM_CHECK(res, ns3shim_init(4, 1) == 0);
	SIM_CHECK(res, net_build(n, &cc, &gc, 30 * SEC) == 0);
	char err[256];
	struct ike_config bad = cc;
	bad.psk_len = 0;
	SIM_CHECK(res, host_ike_add(n->hc, &bad, err, sizeof err) == NULL);
	SIM_CHECK(res, strstr(err, "engine client: psk (empty)") != NULL);
	/* a second engine on the same address and ports */
	SIM_CHECK(res, host_ike_add(n->hc, &cc, err, sizeof err) == NULL);
	SIM_CHECK(res, strstr(err, "bind 10.0.0.2:500") != NULL);
	bad = cc;
	bad.local_addr = NS3SHIM_IP(10, 0, 0, 99);
	SIM_CHECK(res, host_ike_add(n->hc, &bad, err, sizeof err) == NULL);
	SIM_CHECK(res, strstr(err, "10.0.0.99 is not an address") != NULL);
	SIM_CHECK(res, host_ike_add(NULL, &cc, err, sizeof err) == NULL);
	SIM_CHECK(res, strstr(err, "host is NULL") != NULL);
	SIM_CHECK_EQ(res, host_ike_connect(NULL, 0), NS3SHIM_EARG);
	SIM_CHECK(res, host_ike_engine(NULL) == NULL);
	SIM_CHECK_EQ(res, host_ike_established(NULL), 0);
	/* starting a gateway is refused by the engine and reported */
	SIM_CHECK_EQ(res, host_ike_connect(n->eg, 0), 0);
	SIM_CHECK(res, ns3shim_run_until(1 * SEC) > 0);
	SIM_CHECK_EQ(res, ev_lines_count(&n->ev, "\"src\":\"gw\",\"ev\":\"connect-failed\""), 1);
	SIM_CHECK(res, host_ike_established(n->ec));
	SIM_CHECK(res, ns3shim_run_until(2 * SEC) >= 0);
	SIM_CHECK_EQ(res, host_ike_connect(n->ec, 1 * SEC), NS3SHIM_EARG); /* in the past */
}

static void test_errors(void **state)
{
	(void)state;
	struct simres r;
	SCEN_RUN(sc_errors, NULL, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_reboot_path_changed),
		cmocka_unit_test(test_keepalive_holds_mapping),
		cmocka_unit_test(test_no_keepalive_mapping_expires),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kill_restart),
		cmocka_unit_test(test_esp_notes),
		cmocka_unit_test(test_kill_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
