/*
 * test_sim_demo.c — the issue #4 demo (sim/demo.c) end to end: real IKEv2
 * engines on ns-3 hosts through the host adapter, a hide-NAT that drops
 * non-first fragments and a 1280-octet MTU router:
 *
 *   client ── NAT (drop-non-first) ── MTU 1280 (icmp) ── gw ══ server
 *
 *   psk          PSK, no fragmentation: NAT-T, ESP-in-UDP, ping + TCP
 *   no-nat       PSK without the NAT: plain ESP (protocol 50)
 *   cert-nofrag  ~4 KB certificate chain, no RFC 7383: IKE_AUTH never
 *                arrives (its IP fragments die at the NAT): retransmissions
 *                until the client gives up, "frag-non-first" drops
 *   cert-frag    the same with RFC 7383: SKF fragments of <= 1280 octets,
 *                the tunnel comes up and carries ping + TCP
 *   determinism  same seed -> byte-identical captures; another seed ->
 *                other SPIs and nonces
 *   many         1,000 PSK clients behind the NAT (62 engines per client
 *                node), all establish; the server pings a sample of VIPs
 *
 * Every capture is checked by tshark: no malformed packet, IP/UDP/TCP
 * checksums good, IKE decoded. Environment (the "tiny runner"):
 *   VPNLAB_SIM_KEEP=1        keep the captures (paths printed)
 *   VPNLAB_DEMO_EVENTS=FILE  append every event (JSON lines) to FILE
 *   VPNLAB_DEMO_CLIENTS=N    clients of the "many" test (default 1000)
 *   VPNLAB_DEMO_VERBOSE=1    print the measurements
 *   VPNLAB_TEST_FILTER=GLOB  run only the matching tests ("test_cert*")
 * e.g. VPNLAB_SIM_KEEP=1 VPNLAB_DEMO_VERBOSE=1 VPNLAB_TEST_FILTER=test_cert_frag_works \
 *      build/rel/tests/test_sim_demo
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/demo.h"
#include "sim/ns3shim.h"
#include "tests/lib/testutil.h"
#include "tests/unit/test_sim_fork.h"

#define SEC 1000000000ull

/* Result slots in simres.v */
enum {
	V_UP, V_T_UP_MS, V_RETX, V_NAT_FRAG, V_FRAGS_SENT_C, V_FRAGS_SENT_G, V_PING_TX, V_PING_RX,
	V_TCP_RX, V_TCP_ERR, V_TUN_MTU, V_MSS, V_ENCAP, V_SEALED, V_OPENED_GW, V_REJECTED,
	V_EV_RETX, V_EV_FRAGDROP, V_EVENTS, V_RUN_WALL_US, V_STATE, V_SPI_HI, V_SPI_LO,
	V_CHILD_SPI, V_MSGS_SENT_C, V_EV_ENCAP, V_PLAIN_TX, V_SETUP_WALL_US,
};

struct run {
	struct demo_cfg cfg;
	char dir[64];
};

/* ev_tee: collect events and, with VPNLAB_DEMO_EVENTS, append them to a file. */
struct ev_tee {
	struct ev_lines lines;
	FILE *f;
};

static void ev_tee_emit(void *ctx, const char *line, size_t len)
{
	struct ev_tee *t = ctx;
	ev_collect(&t->lines, line, len);
	if (t->f)
		fprintf(t->f, "%.*s\n", (int)len, line);
}

static void sc_demo(struct simres *res, void *arg)
{
	struct run *r = arg;
	struct ev_tee tee = {0};
	const char *evf = getenv("VPNLAB_DEMO_EVENTS");
	if (evf)
		tee.f = fopen(evf, "a");
	struct ev_sink sink = {ev_tee_emit, &tee};
	struct demo_cfg cfg = r->cfg;
	cfg.pcap_dir = r->dir;
	cfg.events = &sink;
	struct demo_result out;
	char err[300] = "";
	if (demo_run(&cfg, &out, err, sizeof err) < 0) {
		snprintf(res->fail, sizeof res->fail, "demo_run: %s", err);
	} else {
		res->v[V_UP] = out.established;
		res->v[V_T_UP_MS] = (long)(out.t_up_ns / 1000000);
		res->v[V_RETX] = (long)out.client_ike.retransmits;
		res->v[V_NAT_FRAG] = (long)out.nat_frag_drops;
		res->v[V_FRAGS_SENT_C] = (long)out.client_ike.frags_sent;
		res->v[V_FRAGS_SENT_G] = (long)out.gw_ike.frags_sent;
		res->v[V_PING_TX] = (long)out.ping.tx_packets;
		res->v[V_PING_RX] = (long)out.ping.rx_packets;
		res->v[V_TCP_RX] = (long)out.tcp_sink.rx_bytes;
		res->v[V_TCP_ERR] = (long)out.tcp_sink.errors;
		res->v[V_TUN_MTU] = out.tun_mtu;
		res->v[V_MSS] = out.tcp_mss;
		res->v[V_ENCAP] = out.client_sa.encap;
		res->v[V_SEALED] = (long)out.client.sealed;
		res->v[V_OPENED_GW] = (long)out.gw.opened;
		res->v[V_REJECTED] = (long)(host_stats_rejected(&out.client) + host_stats_rejected(&out.gw));
		res->v[V_EVENTS] = (long)out.sim_events;
		res->v[V_RUN_WALL_US] = (long)(out.run_wall_ns / 1000);
		res->v[V_SETUP_WALL_US] = (long)(out.setup_wall_ns / 1000);
		res->v[V_STATE] = out.client_sa.state;
		res->v[V_SPI_HI] = (long)(out.client_sa.spi_i >> 32);
		res->v[V_SPI_LO] = (long)(out.client_sa.spi_i & 0xffffffffu);
		res->v[V_CHILD_SPI] = out.client_sa.child_spi_in;
		res->v[V_MSGS_SENT_C] = (long)out.client_ike.msgs_sent;
		res->v[V_PLAIN_TX] = (long)out.client.plain_tx;
		res->v[V_EV_RETX] = (long)ev_lines_count(&tee.lines, "\"ev\":\"retransmit\"");
		res->v[V_EV_FRAGDROP] = (long)ev_lines_count(&tee.lines, "\"reason\":\"frag-non-first\"");
		res->v[V_EV_ENCAP] = (long)ev_lines_count(&tee.lines, "\"ev\":\"child-up\",\"spi_in\"");
	}
	if (tee.f)
		fclose(tee.f);
	ev_lines_free(&tee.lines);
}

/* ------------------------------------------------------------ tshark */

static int sh_count(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	int n = -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/* ts_count: packets of |pcap| in |dir| matching the display filter |filter|. */
static int ts_count(const char *dir, const char *pcap, const char *filter)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "tshark -n -r '%s/%s.pcap' -Y '%s' 2>/dev/null | wc -l", dir, pcap,
		 filter);
	return sh_count(cmd);
}

static const char *const outer_pcaps[] = {"client-nat", "nat-mtu", "mtu-gw"};
static const char *const all_pcaps[] = {"client-nat", "nat-mtu",    "mtu-gw",
					"gw-server",  "client-tun", "gw-tun"};

/* check_pcaps: tshark finds no malformed packet and no bad checksum in any capture. */
static void check_pcaps(const char *dir, int nat)
{
	for (size_t i = 0; i < sizeof all_pcaps / sizeof all_pcaps[0]; i++) {
		if (!nat && i < 2)
			continue;
		char p[300];
		snprintf(p, sizeof p, "%s/%s.pcap", dir, all_pcaps[i]);
		int bad = sim_tshark_problems(p);
		if (bad != 0)
			fail_msg("%s: %d tshark problems (malformed or bad checksum)", p, bad);
	}
}

static void verbose(const char *name, const struct simres *r)
{
	if (!getenv("VPNLAB_DEMO_VERBOSE"))
		return;
	double wall = r->v[V_RUN_WALL_US] / 1e6;
	fprintf(stderr,
		"%s: up %ld at %ld ms, retransmits %ld, NAT frag drops %ld, SKF sent %ld/%ld, "
		"ping %ld/%ld, TCP %ld B, tun MTU %ld, MSS %ld; %ld events in %.3f s run "
		"(%.0f events/s), set-up %.3f s\n",
		name, r->v[V_UP], r->v[V_T_UP_MS], r->v[V_RETX], r->v[V_NAT_FRAG], r->v[V_FRAGS_SENT_C],
		r->v[V_FRAGS_SENT_G], r->v[V_PING_RX], r->v[V_PING_TX], r->v[V_TCP_RX],
		r->v[V_TUN_MTU], r->v[V_MSS], r->v[V_EVENTS], wall,
		wall > 0 ? r->v[V_EVENTS] / wall : 0.0, r->v[V_SETUP_WALL_US] / 1e6);
}

static void run_demo(struct run *r, struct simres *res)
{
	sim_tmpdir(r->dir, sizeof r->dir);
	assert_true(r->dir[0] != 0);
	SIM_RUN(sc_demo, r, res);
}

/* ------------------------------------------------------------ tests */

static void test_psk_natt(void **state)
{
	(void)state;
	struct run r = {.cfg = {.seed = 11}};
	struct simres res;
	run_demo(&r, &res);
	verbose("psk", &res);
	assert_int_equal(res.v[V_UP], 1);
	assert_int_equal(res.v[V_STATE], IKE_S_ESTABLISHED);
	assert_int_equal(res.v[V_ENCAP], 1); /* NAT detected: ESP in UDP 4500 */
	assert_int_equal(res.v[V_RETX], 0);
	assert_int_equal(res.v[V_PING_RX], 5);
	assert_int_equal(res.v[V_TCP_RX], 1000000);
	assert_int_equal(res.v[V_TCP_ERR], 0);
	assert_int_equal(res.v[V_REJECTED], 0);
	/* tunnel MTU from the host's 1500-octet link (it does not know the 1280 router) */
	assert_int_equal(res.v[V_TUN_MTU], 1438);
	assert_int_equal(res.v[V_MSS], 1398);
	check_pcaps(r.dir, 1);
	/* IKE decoded on both sides of the NAT; NAT-T moved it to 4500 */
	assert_int_equal(ts_count(r.dir, "client-nat", "isakmp.exchangetype == 34"), 2);
	assert_int_equal(ts_count(r.dir, "client-nat", "isakmp.exchangetype == 35"), 2);
	assert_int_equal(ts_count(r.dir, "nat-mtu", "isakmp.exchangetype == 35 && udp.port == 4500"), 2);
	assert_true(ts_count(r.dir, "mtu-gw", "esp && udp.port == 4500") > 500);
	assert_int_equal(ts_count(r.dir, "mtu-gw", "ip.proto == 50"), 0);
	/* the 1280 router fragments the 1466-octet ESP packets; the gateway reassembles */
	assert_true(ts_count(r.dir, "mtu-gw", "ip.flags.mf == 1") > 100);
	assert_true(ts_count(r.dir, "gw-server", "tcp.len > 0") > 500);
	sim_rmdir(r.dir);
}

static void test_no_nat_plain_esp(void **state)
{
	(void)state;
	struct run r = {.cfg = {.seed = 12, .no_nat = 1, .tcp_bytes = 200000}};
	struct simres res;
	run_demo(&r, &res);
	verbose("no-nat", &res);
	assert_int_equal(res.v[V_UP], 1);
	assert_int_equal(res.v[V_ENCAP], 0);
	assert_int_equal(res.v[V_PING_RX], 5);
	assert_int_equal(res.v[V_TCP_RX], 200000);
	assert_int_equal(res.v[V_PLAIN_TX], res.v[V_SEALED]);
	assert_int_equal(res.v[V_TUN_MTU], 1446);
	check_pcaps(r.dir, 0);
	assert_true(ts_count(r.dir, "mtu-gw", "ip.proto == 50") > 100);
	assert_int_equal(ts_count(r.dir, "mtu-gw", "udp.port == 4500"), 0);
	sim_rmdir(r.dir);
}

static void test_cert_nofrag_fails(void **state)
{
	(void)state;
	struct run r = {.cfg = {.seed = 13, .cert = 1, .fragmentation = 0}};
	struct simres res;
	run_demo(&r, &res);
	verbose("cert-nofrag", &res);
	assert_int_equal(res.v[V_UP], 0);
	assert_true(res.v[V_STATE] != IKE_S_ESTABLISHED);
	/* RFC 7296 §2.4: 5 retransmissions of IKE_AUTH, then the client gives up */
	assert_int_equal(res.v[V_RETX], 5);
	assert_int_equal(res.v[V_EV_RETX], 5);
	assert_int_equal(res.v[V_FRAGS_SENT_C], 0);
	/* every transmission of the ~4.5 KB IKE_AUTH (3 IP fragments) loses its 2 non-first ones at the NAT */
	assert_int_equal(res.v[V_NAT_FRAG], 6 * 2);
	assert_int_equal(res.v[V_EV_FRAGDROP], res.v[V_NAT_FRAG]);
	assert_int_equal(res.v[V_PING_TX], 0);
	check_pcaps(r.dir, 1);
	/* the client's side shows the IP fragments of IKE_AUTH, the gateway's none of their tails */
	assert_true(ts_count(r.dir, "client-nat", "ip.flags.mf == 1 || ip.frag_offset > 0") >= 18);
	assert_int_equal(ts_count(r.dir, "mtu-gw", "ip.frag_offset > 1500"), 0);
	assert_int_equal(ts_count(r.dir, "mtu-gw", "isakmp.exchangetype == 35"), 0);
	sim_rmdir(r.dir);
}

static void test_cert_frag_works(void **state)
{
	(void)state;
	struct run r = {.cfg = {.seed = 13, .cert = 1, .fragmentation = 1}};
	struct simres res;
	run_demo(&r, &res);
	verbose("cert-frag", &res);
	assert_int_equal(res.v[V_UP], 1);
	assert_int_equal(res.v[V_STATE], IKE_S_ESTABLISHED);
	assert_int_equal(res.v[V_RETX], 0);
	assert_int_equal(res.v[V_NAT_FRAG], 0);
	assert_true(res.v[V_FRAGS_SENT_C] >= 3); /* ~4 KB in <= 1252-octet fragments */
	assert_true(res.v[V_FRAGS_SENT_G] >= 3);
	assert_int_equal(res.v[V_PING_RX], 5);
	assert_int_equal(res.v[V_TCP_RX], 1000000);
	assert_int_equal(res.v[V_REJECTED], 0);
	check_pcaps(r.dir, 1);
	/* RFC 7383 fragments decoded on every outer link: numbers 1..n of n, no IP fragments of IKE */
	for (size_t i = 0; i < sizeof outer_pcaps / sizeof outer_pcaps[0]; i++) {
		assert_true(ts_count(r.dir, outer_pcaps[i], "isakmp.frag.number == 1") >= 2);
		assert_true(ts_count(r.dir, outer_pcaps[i], "isakmp.frag.total >= 3 && "
							     "isakmp.frag.number == isakmp.frag.total") >= 2);
		assert_int_equal(ts_count(r.dir, outer_pcaps[i], "isakmp && ip.flags.mf == 1"), 0);
		assert_int_equal(ts_count(r.dir, outer_pcaps[i], "isakmp && frame.len > 1282"), 0);
	}
	sim_rmdir(r.dir);
}

/* ------------------------------------------------------------ determinism */

/* pcap_hash: SHA-256 of every capture of a run, as one hex line. */
static void pcap_hash(const char *dir, char *out, size_t cap)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "cd '%s' && cat *.pcap | sha256sum", dir);
	FILE *f = popen(cmd, "r");
	out[0] = 0;
	if (f) {
		if (!fgets(out, (int)cap, f))
			out[0] = 0;
		pclose(f);
	}
}

/* first_nonce: the first Ni of the run (tshark), hex. */
static void first_nonce(const char *dir, char *out, size_t cap)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r '%s/client-nat.pcap' -Y isakmp.nonce -T fields -e isakmp.nonce "
		 "2>/dev/null | head -1",
		 dir);
	FILE *f = popen(cmd, "r");
	out[0] = 0;
	if (f) {
		if (!fgets(out, (int)cap, f))
			out[0] = 0;
		pclose(f);
	}
}

static void test_determinism(void **state)
{
	(void)state;
	struct run a = {.cfg = {.seed = 21, .cert = 1, .fragmentation = 1, .tcp_bytes = 100000}};
	struct run b = a, c = a;
	c.cfg.seed = 22;
	struct simres ra, rb, rc;
	run_demo(&a, &ra);
	run_demo(&b, &rb);
	run_demo(&c, &rc);
	assert_int_equal(ra.v[V_UP], 1);
	assert_int_equal(rc.v[V_UP], 1);
	char ha[128], hb[128], hc[128], na[200], nb[200], nc[200];
	pcap_hash(a.dir, ha, sizeof ha);
	pcap_hash(b.dir, hb, sizeof hb);
	pcap_hash(c.dir, hc, sizeof hc);
	assert_true(strlen(ha) >= 64);
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	/* same seed: same SPIs; another seed: other IKE SPI, CHILD SPI and nonce */
	assert_int_equal(ra.v[V_SPI_HI], rb.v[V_SPI_HI]);
	assert_int_equal(ra.v[V_SPI_LO], rb.v[V_SPI_LO]);
	assert_true(ra.v[V_SPI_HI] != rc.v[V_SPI_HI] || ra.v[V_SPI_LO] != rc.v[V_SPI_LO]);
	assert_true(ra.v[V_CHILD_SPI] != rc.v[V_CHILD_SPI]);
	first_nonce(a.dir, na, sizeof na);
	first_nonce(b.dir, nb, sizeof nb);
	first_nonce(c.dir, nc, sizeof nc);
	assert_true(strlen(na) >= 32);
	assert_string_equal(na, nb);
	assert_string_not_equal(na, nc);
	sim_rmdir(a.dir);
	sim_rmdir(b.dir);
	sim_rmdir(c.dir);
}

/* ------------------------------------------------------------ many clients */

static void sc_many(struct simres *res, void *arg)
{
	unsigned n = *(unsigned *)arg;
	struct demo_many_result out;
	char err[300] = "";
	if (demo_many(&(struct demo_many_cfg){.seed = 5, .clients = n}, &out, err, sizeof err) < 0) {
		snprintf(res->fail, sizeof res->fail, "demo_many: %s", err);
		return;
	}
	res->v[0] = out.established;
	res->v[1] = out.children;
	res->v[2] = (long)(out.t_all_up_ns / 1000000);
	res->v[3] = out.pings_ok;
	res->v[4] = out.pings_sent;
	res->v[5] = (long)(out.setup_wall_ns / 1000);
	res->v[6] = (long)(out.run_wall_ns / 1000);
	res->v[7] = out.max_rss_kb;
	res->v[8] = (long)out.sim_events;
	res->v[9] = (long)out.nat_mappings;
	res->v[10] = (long)out.gw_ike.retransmits;
	res->v[11] = out.nodes;
}

static void test_many(void **state)
{
	(void)state;
	const char *e = getenv("VPNLAB_DEMO_CLIENTS");
	unsigned n = e ? (unsigned)strtoul(e, NULL, 10) : 1000;
	struct simres r;
	SIM_RUN(sc_many, &n, &r);
	if (getenv("VPNLAB_DEMO_VERBOSE"))
		fprintf(stderr,
			"many: %u clients on %ld nodes: %ld established (%ld CHILD SAs) by %ld ms "
			"simulated; set-up %.3f s, run %.3f s wall, %ld events, max RSS %ld MB, %ld "
			"NAT mappings, pings %ld/%ld\n",
			n, r.v[11], r.v[0], r.v[1], r.v[2], r.v[5] / 1e6, r.v[6] / 1e6, r.v[8],
			r.v[7] / 1024, r.v[9], r.v[3], r.v[4]);
	assert_int_equal(r.v[0], n);
	assert_int_equal(r.v[1], n);
	assert_true(r.v[4] > 0);
	assert_int_equal(r.v[3], r.v[4]);
	assert_int_equal(r.v[9], 2 * n); /* 500 and 4500 of every client */
	assert_int_equal(r.v[11], (n + DEMO_MANY_PER_NODE - 1) / DEMO_MANY_PER_NODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk_natt),
		cmocka_unit_test(test_no_nat_plain_esp),
		cmocka_unit_test(test_cert_nofrag_fails),
		cmocka_unit_test(test_cert_frag_works),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_many),
	};
	if (getenv("VPNLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("VPNLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
