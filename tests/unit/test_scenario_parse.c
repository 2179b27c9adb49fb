/*
 * test_scenario_parse.c — the scenario file format (sim/scenario/scn.h):
 * a good file read back field by field, every shipped scenario parses, and
 * a numbered table of bad files, each with the exact "file:line:col:"
 * position and a phrase of the message it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn.h"

/* GOOD: every section, comments, sections out of order, a drawing with '#' and '['. */
static const char GOOD[] =
	"# a comment before the first section\n"
	"[scenario]\n"
	"name     = good-one   # trailing comment\n"
	"seed     = 42\n"
	"duration = 90s\n"
	"show     = tunnel.up_at, count(ike retransmit who=client)\n"
	"\n"
	"[topology]\n"
	"  client --[home]--#-- gw     (kept verbatim, '#' and all)\n"
	"[not-a-section] inside a drawing\n"
	"\n"
	"[description]\n"
	"Two lines of\n"
	"description.\n"
	"\n"
	"[network]\n"
	"client  addr=10.0.0.2/24\n"
	"link    access  rate=10Mbps delay=2ms mtu=1400 loss=1%\n"
	"nat     home    public=198.51.100.7 frag=reassemble udp_timeout=30s ports=2000-2099\n"
	"link    mid     rate=1Gbps delay=1500us\n"
	"mtu     core    mtu=1280 mode=blackhole\n"
	"link    dc\n"
	"cluster cl      members=3 key=spi\n"
	"link    m\n"
	"gateway addr=192.0.2.1/24 inner=10.1.0.1\n"
	"\n"
	"[pki]\n"
	"key = ecdsa\n"
	"depth = 3\n"
	"chain_size = 4KB\n"
	"\n"
	"[client]\n"
	"local_id = alice@example.org\n"
	"auth = pubkey\n"
	"remote_auth = pubkey\n"
	"keepalive = 20s\n"
	"\n"
	"[gateway]\n"
	"local_id = vpn.example.org\n"
	"auth = pubkey\n"
	"remote_auth = pubkey\n"
	"unique = replace\n"
	"\n"
	"[expect]\n"
	"tunnel.up_at <= 5s\n"
	"link.mid.ip_fragments == 0   # a comment\n"
	"drops.home.frag-non-first >= 1\n"
	"client.exchanges starts \"IKE_SA_INIT  IKE_AUTH\"\n"
	"link.access.keepalive_gap_mean == 20s ± 500ms\n"
	"count(ike retransmit who=client) <= 3\n"
	"first(ike child_up who=client) == never\n"
	"traffic.bulk.loss < 1%\n"
	"\n"
	"[events]\n"
	"40s  cl      fail 2\n"
	"20s  access  down\n"
	"25s  access  up\n"
	"30s  home    reboot\n"
	"35s  core    mtu 1000\n"
	"50s  cl      recover 2\n"
	"60s  gateway stop 1\n"
	"\n"
	"[traffic]\n"
	"ping  p1    from=client start=2s interval=200ms count=5 size=100 df=yes\n"
	"udp   back  from=gateway start=5s port=9999 size=1KB\n"
	"tcp   bulk  bytes=2MB mss=1200\n";

static void test_good(void **state)
{
	(void)state;
	char err[SCN_ERR_MAX] = "";
	struct scn *s = scn_parse(GOOD, sizeof GOOD - 1, "good.scn", err, sizeof err);
	if (!s)
		fail_msg("%s", err);
	assert_string_equal(s->name, "good-one");
	assert_int_equal(s->seed, 42);
	assert_int_equal(s->duration_ns, 90 * SCN_NS_PER_S);
	assert_string_equal(s->description, "Two lines of\ndescription.\n");
	assert_non_null(strstr(s->topology, "--#-- gw"));
	assert_non_null(strstr(s->topology, "[not-a-section] inside"));
	/* path */
	assert_int_equal(s->n_links, 4);
	assert_int_equal(s->n_boxes, 3);
	assert_string_equal(s->links[0].name, "access");
	assert_int_equal(s->links[0].rate_bps, 10000000);
	assert_int_equal(s->links[0].mtu, 1400);
	assert_true(s->links[0].loss > 0.0099 && s->links[0].loss < 0.0101);
	assert_int_equal(s->links[1].delay_ns, 1500000);
	assert_int_equal(s->links[2].rate_bps, 100000000); /* default */
	assert_int_equal(s->boxes[0].kind, SCN_BOX_NAT);
	assert_int_equal(s->boxes[0].u.nat.public_addr, 0xc6336407);
	assert_int_equal(s->boxes[0].u.nat.frag, MBOX_NAT_FRAG_REASSEMBLE);
	assert_int_equal(s->boxes[0].u.nat.port_min, 2000);
	assert_int_equal(s->boxes[0].u.nat.port_max, 2099);
	assert_int_equal(s->boxes[1].kind, SCN_BOX_MTU);
	assert_int_equal(s->boxes[1].u.mtu.mtu[1], 1280);
	assert_int_equal(s->boxes[1].u.mtu.mode, MBOX_MTU_BLACKHOLE);
	assert_int_equal(s->boxes[2].u.cluster.members, 3);
	assert_int_equal(s->boxes[2].u.cluster.key, MBOX_CLUSTER_KEY_SPI);
	assert_int_equal(scn_members(s), 3);
	assert_int_equal(s->client_end.addr, 0x0a000002);
	assert_int_equal(s->client_end.nexthop, 0x0a000001);
	assert_int_equal(s->gateway_end.inner, 0x0a010001);
	/* pki and profiles through ref/ike's parser */
	assert_true(s->pki.present);
	assert_int_equal(s->pki.key_type, CRYPTO_SIG_KEY_EC_P256);
	assert_int_equal(s->pki.depth, 3);
	assert_int_equal(s->pki.chain_size, 4000);
	assert_true(s->has_client && s->has_gateway);
	assert_int_equal(s->client.role, IKE_ROLE_CLIENT);
	assert_int_equal(s->client.auth, IKE_AUTHC_PUBKEY);
	assert_int_equal(s->client.keepalive_ns, 20 * SCN_NS_PER_S);
	assert_int_equal(s->gateway.role, IKE_ROLE_GATEWAY);
	assert_int_equal(s->gateway.unique, IKE_UNIQUE_REPLACE);
	/* events sorted by time, file order kept for equal times */
	assert_int_equal(s->n_events, 7);
	assert_int_equal(s->events[0].action, SCN_ACT_LINK_DOWN);
	assert_int_equal(s->events[0].at_ns, 20 * SCN_NS_PER_S);
	assert_int_equal(s->events[2].action, SCN_ACT_NAT_REBOOT);
	assert_int_equal(s->events[3].action, SCN_ACT_MTU_SET);
	assert_int_equal(s->events[3].num, 1000);
	assert_int_equal(s->events[4].action, SCN_ACT_MEMBER_DOWN);
	assert_int_equal(s->events[4].member, 2);
	assert_string_equal(s->events[4].text, "40s  cl      fail 2");
	assert_int_equal(s->events[6].action, SCN_ACT_STOP);
	assert_int_equal(s->events[6].member, 1);
	/* traffic */
	assert_int_equal(s->n_traffic, 3);
	assert_int_equal(s->traffic[0].kind, SCN_TR_PING);
	assert_int_equal(s->traffic[0].interval_ns, 200000000);
	assert_true(s->traffic[0].df);
	assert_int_equal(s->traffic[1].from, SCN_GATEWAY);
	assert_int_equal(s->traffic[1].size, 1000);
	assert_int_equal(s->traffic[2].bytes, 2000000);
	assert_int_equal(s->traffic[2].mss, 1200);
	assert_int_equal(s->traffic[2].start_ns, SCN_NS_PER_S); /* default */
	/* expectations */
	assert_int_equal(s->n_expect, 8);
	assert_int_equal(s->expect[0].unit, SCN_U_TIME);
	assert_int_equal(s->expect[0].op, SCN_OP_LE);
	assert_string_equal(s->expect[3].want.words, "IKE_SA_INIT IKE_AUTH");
	assert_int_equal(s->expect[3].op, SCN_OP_STARTS);
	assert_true(s->expect[4].tol == 500e6);
	assert_int_equal(s->expect[5].fn, SCN_FN_COUNT);
	assert_string_equal(s->expect[5].metric, "ike retransmit who=client");
	assert_true(s->expect[6].want.never);
	assert_int_equal(s->expect[7].unit, SCN_U_FRACTION);
	assert_int_equal(s->expect[1].line, 46);
	assert_int_equal(s->expect[1].value_col, 26);
	assert_int_equal(s->n_show, 2);
	assert_int_equal(s->show[1].fn, SCN_FN_COUNT);
	scn_free(s);
}

/* every scenario shipped in scenarios/ parses */
static void test_shipped(void **state)
{
	(void)state;
	glob_t g;
	int r = glob("scenarios/*/*.scn", 0, NULL, &g);
	if (r != 0)
		skip();
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char err[SCN_ERR_MAX];
		struct scn *s = scn_load(g.gl_pathv[i], err, sizeof err);
		if (!s)
			fail_msg("%s", err);
		assert_true(s->description[0] && s->topology[0] && s->n_expect > 0);
		scn_free(s);
	}
	assert_true(g.gl_pathc >= 5);
	globfree(&g);
}

/* A minimal valid file; bad cases replace one line of it. */
#define HEAD "[scenario]\nname = t\nduration = 60s\n[description]\nd\n[topology]\nt\n"
#define NET "[network]\nlink a\nnat n\nlink b\n"
#define PROF "[client]\npsk = k\nlocal_id = a@b.c\n[gateway]\npsk = k\nlocal_id = g.b.c\n"
#define EXP "[expect]\ntunnel.up == yes\n"

static const struct bad {
	const char *text;
	const char *where; /* "bad.scn:L:C:" */
	const char *what;  /* a phrase of the message */
} bad[] = {
	/* 1 */ {"name = x\n", "bad.scn:1:1:", "text before the first section"},
	/* 2 */ {HEAD NET "[bogus]\n" EXP, "bad.scn:12:2:", "unknown section [bogus]"},
	/* 3 */ {HEAD NET EXP "[network]\n", "bad.scn:14:1:", "second [network] section (first at line 8)"},
	/* 4 */ {"[scenario]\nduration = 60s\n[description]\nd\n[topology]\nt\n" NET EXP,
		 "bad.scn:1:1:", "has no name"},
	/* 5 */ {"[scenario]\nname = t\nseed = -3\n[description]\nd\n[topology]\nt\n" NET EXP,
		 "bad.scn:3:8:", "seed: '-3' is not a number"},
	/* 6 */ {"[scenario]\nname = t\nduration = 60 parsecs\n[description]\nd\n[topology]\nt\n" NET EXP,
		 "bad.scn:3:12:", "expected a number with a unit"},
	/* 7 */ {"[scenario]\nname = t\nstatus = pending\n[description]\nd\n[topology]\nt\n" NET EXP,
		 "bad.scn:3:10:", "status: 'pending'"},
	/* 8 */ {"[scenario]\nname = t\nspeed = 3\n[description]\nd\n[topology]\nt\n" NET EXP,
		 "bad.scn:3:1:", "[scenario] key 'speed'"},
	/* 9 */ {"[scenario]\nname = t\n[topology]\nt\n" NET EXP, "bad.scn:1:1:", "no [description] section"},
	/* 10 */ {"[scenario]\nname = t\n[description]\nd\n" NET EXP, "bad.scn:1:1:", "no [topology] section"},
	/* 11 */ {"[scenario]\nname = t\n[description]\n\n  \n[topology]\nt\n" NET EXP, "bad.scn:3:1:",
		  "[description] is empty"},
	/* 12 */ {HEAD EXP, "bad.scn:1:1:", "no [network] section"},
	/* 13 */ {HEAD "[network]\nlink a rate=fast\n" EXP, "bad.scn:9:13:", "link rate: 'fast' is not a rate"},
	/* 14 */ {HEAD "[network]\nlink a speed=1\n" EXP, "bad.scn:9:8:", "unknown parameter 'speed'"},
	/* 15 */ {HEAD "[network]\nlink a mtu=100\n" EXP, "bad.scn:9:12:", "is below 576"},
	/* 16 */ {HEAD "[network]\nlink a\nlink b\n" EXP, "bad.scn:10:1:", "a link follows a link"},
	/* 17 */ {HEAD "[network]\nlink a\nnat n\n" EXP, "bad.scn:10:1:", "the path ends with a box"},
	/* 18 */ {HEAD "[network]\nlink a\nnat n frag=sometimes\nlink b\n" EXP, "bad.scn:10:12:",
		  "'sometimes' is unknown, expected drop-non-first"},
	/* 19 */ {HEAD "[network]\nlink a\nnat a\nlink b\n" EXP, "bad.scn:10:5:", "name 'a' is already used"},
	/* 20 */ {HEAD "[network]\nlink a\nswitch s\nlink b\n" EXP, "bad.scn:10:1:",
		  "'switch' is not a network element"},
	/* 21 */ {HEAD "[network]\nlink a\nnat\nlink b\n" EXP, "bad.scn:10:5:", "nat without a name"},
	/* 22 */ {HEAD "[network]\nlink a\ncluster c\nlink b\nnat n\nlink d\n" EXP, "bad.scn:10:1:",
		  "cluster 'c' is not the last box"},
	/* 23 */ {HEAD "[network]\nlink a\nfilter f allow=tcp/80,gre\nlink b\n" EXP, "bad.scn:10:23:",
		  "protocol 'gre'"},
	/* 24 */ {HEAD "[network]\nclient addr=10.0.0.0/24\nlink a\n" EXP, "bad.scn:9:1:",
		  "network or broadcast address"},
	/* 25 */ {HEAD "[network]\nlink a\nclient\n" EXP, "bad.scn:10:1:", "client in the middle of the path"},
	/* 26 */ {HEAD "[network]\nlink a\nimpair i loss=150%\nlink b\n" EXP, "bad.scn:10:15:",
		  "is not a fraction"},
	/* 27 */ {HEAD "[network]\nlink a\ncluster c members=9\nlink b\n" EXP, "bad.scn:10:19:",
		  "expected 0..8"},
	/* 28 */ {HEAD NET "[client]\npsk = k\n" EXP, "bad.scn:12:1:", "[client] without [gateway]"},
	/* 29 */ {HEAD NET "[client]\nkeepalive = 20 parsecs\n[gateway]\npsk = k\n" EXP, "bad.scn:13:13:",
		  "[client] keepalive = '20 parsecs'"},
	/* 30 */ {HEAD NET "[client]\npsk = k\nike = aes999\n[gateway]\npsk = k\n" EXP, "bad.scn:14:7:",
		  "[client] ike = 'aes999'"},
	/* 31 */ {HEAD NET "[client]\nauth = pubkey\n[gateway]\npsk = k\n" EXP, "bad.scn:12:1:",
		  "expected a [pki] section"},
	/* 32 */ {HEAD NET PROF "[pki]\nkey = dsa\n" EXP, "bad.scn:19:7:", "pki key: 'dsa'"},
	/* 33 */ {HEAD NET PROF "[pki]\ndepth = 7\n" EXP, "bad.scn:19:9:", "pki depth: '7'"},
	/* 34 */ {HEAD NET "[traffic]\nping\n" EXP, "bad.scn:13:6:", "ping without a name"},
	/* 35 */ {HEAD NET "[traffic]\nftp x\n" EXP, "bad.scn:13:1:", "'ftp' is not a kind of traffic"},
	/* 36 */ {HEAD NET "[traffic]\nping x from=server\n" EXP, "bad.scn:13:13:",
		  "'server' is not an endpoint"},
	/* 37 */ {HEAD NET "[traffic]\ntcp x count=3\n" EXP, "bad.scn:13:7:", "unknown parameter 'count'"},
	/* 38 */ {HEAD NET "[traffic]\nping x\nping x\n" EXP, "bad.scn:14:6:", "flow name 'x' is already used"},
	/* 39 */ {HEAD NET "[traffic]\nudp x start=5s stop=2s\n" EXP, "bad.scn:13:1:", "stop is not after start"},
	/* 40 */ {HEAD NET "[events]\n20s wan down\n" EXP, "bad.scn:13:5:", "'wan' is not in [network]"},
	/* 41 */ {HEAD NET "[events]\n20s a explode\n" EXP, "bad.scn:13:7:", "link action 'explode'"},
	/* 42 */ {HEAD NET "[events]\nsoon a down\n" EXP, "bad.scn:13:1:", "event time: 'soon'"},
	/* 43 */ {HEAD NET "[events]\n90s a down\n" EXP, "bad.scn:13:1:", "after the end of the run"},
	/* 44 */ {HEAD NET "[events]\n20s n mtu 1200\n" EXP, "bad.scn:13:7:", "nat action 'mtu'"},
	/* 45 */ {HEAD NET "[events]\n20s a\n" EXP, "bad.scn:13:7:", "incomplete event"},
	/* 46 */ {HEAD NET "[events]\n20s client restart\n" EXP, "bad.scn:13:1:",
		  "engine action without [client] and [gateway] profiles"},
	/* 47 */ {HEAD NET, "bad.scn:1:1:", "no [expect] section"},
	/* 48 */ {HEAD NET "[expect]\n\n", "bad.scn:12:1:", "[expect] is empty"},
	/* 49 */ {HEAD NET "[expect]\ntunnel.up_at <= 5\n", "bad.scn:13:17:", "'5' has no unit"},
	/* 50 */ {HEAD NET "[expect]\ntunnel.upp == yes\n", "bad.scn:13:1:", "unknown metric 'tunnel.upp'"},
	/* 51 */ {HEAD NET "[expect]\nlink.wan.ip_fragments == 0\n", "bad.scn:13:1:", "no link 'wan'"},
	/* 52 */ {HEAD NET "[expect]\ndrops.n.frag-dropped == 0\n", "bad.scn:13:1:",
		  "'frag-dropped' is not a drop reason"},
	/* 53 */ {HEAD NET "[expect]\ndrops.x == 0\n", "bad.scn:13:1:", "no box 'x'"},
	/* 54 */ {HEAD NET "[expect]\ntraffic.p.rx_bytes >= 1\n", "bad.scn:13:1:", "no flow 'p'"},
	/* 55 */ {HEAD NET "[expect]\nlink.a.packets ~ 3\n", "bad.scn:13:16:", "'~' is not an operator"},
	/* 56 */ {HEAD NET "[expect]\nlink.a.packets has 3\n", "bad.scn:13:16:", "operator has on a count"},
	/* 57 */ {HEAD NET "[expect]\nlink.a.packets >= 3 ± 1\n", "bad.scn:13:21:", "tolerance with >="},
	/* 58 */ {HEAD NET "[expect]\ncount(ike retransmit == 3\n", "bad.scn:13:6:", "'(' without ')'"},
	/* 59 */ {HEAD NET "[expect]\nsum(x) == 3\n", "bad.scn:13:1:", "unknown function 'sum'"},
	/* 60 */ {HEAD NET "[expect]\ncount(a b c) == 3\n", "bad.scn:13:11:", "third bare word 'c'"},
	/* 61 */ {HEAD NET "[expect]\nlink.a.packets ==\n", "bad.scn:13:18:", "no value after =="},
	/* 62 */ {HEAD NET "[expect]\ntunnel.up == yes\n", "bad.scn:13:1:", "without [client] and [gateway]"},
	/* 63 */ {HEAD NET PROF "[expect]\ntunnel.up == maybe\n", "bad.scn:19:14:", "'maybe' is not yes or no"},
	/* 64 */ {HEAD NET PROF "[expect]\ntunnel.up < yes\n", "bad.scn:19:11:", "operator < on yes/no"},
	/* 65 */ {HEAD NET PROF "[expect]\nclient.size.IKE_FOO >= 1\n", "bad.scn:19:1:",
		  "'IKE_FOO' is not an exchange"},
	/* 66 */ {HEAD NET "[expect]\nlink.a.packets == 3 4\n", "bad.scn:13:20:", "text after the value '3'"},
	/* 67 */ {"[scenario]\nname = t\nshow = tunnel.up_at; x\n[description]\nd\n[topology]\nt\n" NET EXP,
		  "bad.scn:3:8:", "show: unknown metric 'tunnel.up_at;'"},
	/* 68 */ {HEAD NET "[expect]\nlink.a.packets == 1\x00\n", "bad.scn:13:20:", "NUL character"},
	/* 69 */ {HEAD NET "[events]\n20s client restart\n" PROF EXP, NULL, NULL}, /* valid: profiles present */
	/* 70 */ {HEAD NET "[events]\n20s gateway start\n" PROF EXP, "bad.scn:13:13:", "gateway action 'start'"},
};

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[SCN_ERR_MAX] = "";
		size_t len = strlen(bad[i].text);
		if (i + 1 == 68)
			len += 2; /* past the NUL */
		struct scn *s = scn_parse(bad[i].text, len, "bad.scn", err, sizeof err);
		if (!bad[i].where) {
			if (!s)
				fail_msg("case %zu: expected to parse, got %s", i + 1, err);
			scn_free(s);
			continue;
		}
		if (s) {
			scn_free(s);
			fail_msg("case %zu: parsed, expected %s %s", i + 1, bad[i].where, bad[i].what);
		}
		if (strncmp(err, bad[i].where, strlen(bad[i].where)) != 0 || !strstr(err, bad[i].what))
			fail_msg("case %zu:\n  got      %s\n  expected %s ...%s...", i + 1, err, bad[i].where,
				 bad[i].what);
		/* every message says what was expected */
		if (!strstr(err, "expected"))
			fail_msg("case %zu: no 'expected' in: %s", i + 1, err);
	}
}

static void test_load_errors(void **state)
{
	(void)state;
	char err[SCN_ERR_MAX];
	assert_null(scn_load("/nonexistent/x.scn", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/x.scn: cannot read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
