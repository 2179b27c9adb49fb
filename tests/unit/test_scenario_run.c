/*
 * test_scenario_run.c — whole runs of small scenarios (sim/scenario/scn_run.h),
 * one child process each (one ns-3 simulation per process):
 *
 *   clear      client ── access ── [nat] ── wan ── gateway, no profiles:
 *              UDP in the clear through the NAT, a NAT reboot event, drops
 *   ike        the same path with PSK profiles: tunnel up, pings inside,
 *              one expectation that must fail (and says what it measured)
 *   determinism  same seed twice -> identical events.jsonl and pcaps;
 *              another seed -> different SPIs
 *   refused    a pending scenario without force; a profile the engine refuses
 *   restart    client restart and gateway kill events: new engines, metrics
 *              summed over both lives, refused actions reported
 *   no-abort   a CHILD SA refused while the VIP was assigned: flows do not
 *              start (ns-3 used to abort the process on the route into the
 *              address-less tunnel), the run completes
 *   drops      a saturated access link and a lossy wan: traffic-control and
 *              link drops as {"src":"link","ev":"drop"} events
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/conf_capture.h"
#include "sim/scenario/scn.h"
#include "sim/scenario/scn_run.h"
#include "sim/scenario/scn_summary.h"
#include "sim/scenario/scn_verdict.h"

#define HEAD(name, extra)                                                              \
	"[scenario]\nname = " name "\nseed = 5\nduration = 40s\n" extra              \
	"[description]\nA test.\n[topology]\nclient -- nat -- gw\n"
#define NET                                                                            \
	"[network]\nclient addr=10.0.0.2/24\nlink access delay=2ms\n"                  \
	"nat home public=198.51.100.1 udp_timeout=10s\nlink wan delay=10ms\n"
#define PROF                                                                           \
	"[client]\nlocal_id = alice@example.org\npsk = \"k\"\nrequest_vip = yes\n"     \
	"remote_ts = 10.1.0.0/24\n[gateway]\nlocal_id = vpn.example.org\npsk = \"k\"\n" \
	"pool = 10.9.0.0/24\nlocal_ts = 10.1.0.0/24\n"

static const char CLEAR[] = HEAD("clear", "") NET
	"[traffic]\nudp u from=client start=1s interval=100ms count=20 size=300\n"
	"udp back from=gateway start=30s count=5\n"
	"[events]\n20s home reboot\n"
	"[expect]\n"
	"traffic.u.rx_packets == 20\n"
	"traffic.back.rx_packets == 0\n"        /* a private address is not reachable from outside */
	"drops.home.wrong-dst == 5\n"
	"count(nat reboot box=home) == 1\n"
	"link.access.packets == 20\n"
	"link.wan.packets == 25\n";

static const char IKE[] = HEAD("ike", "") NET PROF
	"[traffic]\nping p from=client start=1s interval=1s count=5\n"
	"[expect]\n"
	"tunnel.up_at <= 1s\n"
	"traffic.p.rx_packets == 5\n"
	"client.exchanges == \"IKE_SA_INIT IKE_AUTH\"\n"
	"client.retransmits == 5\n"             /* wrong on purpose */
	"link.wan.esp_udp >= 10\n";

struct shared {
	int rc, pass;
	size_t n_pass, n_fail, n_pcaps;
	char err[SCN_ERR_MAX];
	char got[8][96];
	int item_pass[8];
	double v[4];
};

/* meter: the link.*.packets metric from the capture (conformance decoder) */
static int meter(void *ctx, const char *const *paths, size_t n, const char *link, struct scn_meas *m,
		 char *err, size_t cap)
{
	(void)ctx;
	double pk = 0, esp_udp = 0;
	for (size_t i = 0; i < n; i++) {
		struct conf_capture *c = conf_capture_load(paths[i], NULL, err, cap);
		if (!c)
			return -1;
		pk += c->n_pkt;
		for (uint32_t k = 0; k < c->n_pkt; k++)
			esp_udp += c->pkt[k].kind == CONF_K_ESP_UDP;
		conf_capture_free(c);
	}
	char k[96];
	snprintf(k, sizeof k, "link.%s.packets", link);
	scn_meas_set_num(m, k, SCN_U_COUNT, pk);
	snprintf(k, sizeof k, "link.%s.esp_udp", link);
	scn_meas_set_num(m, k, SCN_U_COUNT, esp_udp);
	return 0;
}

/* run_forked parses |text| and runs it in a child; the outcome lands in |*sh|. */
static void run_forked(const char *text, const char *dir, uint64_t seed, int force, struct shared *sh)
{
	struct shared *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 0, sizeof *m);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[SCN_ERR_MAX];
		struct scn *s = scn_parse(text, strlen(text), "test.scn", err, sizeof err);
		if (!s) {
			m->rc = -2;
			snprintf(m->err, sizeof m->err, "%s", err);
			_exit(0);
		}
		struct scn_result *r = scn_result_new();
		struct scn_run_opts o = {.seed = seed, .out_dir = dir, .pcap_meter = meter, .force = force};
		m->rc = scn_run(s, &o, r);
		m->pass = r->pass;
		m->n_pass = r->n_pass;
		m->n_fail = r->n_fail;
		m->n_pcaps = r->n_pcaps;
		snprintf(m->err, sizeof m->err, "%s", r->err);
		for (size_t i = 0; i < s->n_expect && i < 8; i++) {
			snprintf(m->got[i], sizeof m->got[i], "%s", r->item[i].got_text);
			m->item_pass[i] = r->item[i].pass;
		}
		if (m->rc == 0 && dir) {
			char p[600];
			snprintf(p, sizeof p, "%s/verdict.txt", dir);
			scn_verdict_write(p, s, r, err, sizeof err);
			snprintf(p, sizeof p, "%s/summary.txt", dir);
			scn_summary_write(p, s, r, err, sizeof err);
		}
		scn_result_free(r);
		scn_free(s);
		fflush(NULL);
		exit(0); /* LeakSanitizer checks the child here */
	}
	int st;
	waitpid(pid, &st, 0);
	*sh = *m;
	munmap(m, sizeof *m);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child %s %d (sanitizer report above?)", WIFSIGNALED(st) ? "killed by signal" : "exited",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void tmpdir(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/vpnlab-scn-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static void rmdir_r(const char *dir)
{
	char cmd[600];
	if (getenv("VPNLAB_SIM_KEEP") || strncmp(dir, "/tmp/vpnlab-scn-", 16) != 0)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static long file_size(const char *dir, const char *name)
{
	char p[600];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

static int same_file(const char *a, const char *b)
{
	FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
	int same = x && y;
	while (same) {
		int c = fgetc(x), d = fgetc(y);
		if (c != d)
			same = 0;
		if (c == EOF || d == EOF)
			break;
	}
	if (x)
		fclose(x);
	if (y)
		fclose(y);
	return same;
}

static void test_clear(void **state)
{
	(void)state;
	char dir[64];
	struct shared sh;
	tmpdir(dir, sizeof dir);
	run_forked(CLEAR, dir, 0, 0, &sh);
	if (sh.rc != 0)
		fail_msg("run: %s", sh.err);
	for (int i = 0; i < 6; i++)
		if (!sh.item_pass[i])
			fail_msg("expectation %d failed, measured %s", i + 1, sh.got[i]);
	assert_true(sh.pass);
	assert_int_equal(sh.n_pcaps, 2);
	assert_true(file_size(dir, "access.pcap") > 0);
	assert_true(file_size(dir, "wan.pcap") > 0);
	assert_true(file_size(dir, "events.jsonl") > 0);
	assert_true(file_size(dir, "summary.txt") > 0);
	rmdir_r(dir);
}

static void test_ike(void **state)
{
	(void)state;
	char dir[64];
	struct shared sh;
	tmpdir(dir, sizeof dir);
	run_forked(IKE, dir, 0, 0, &sh);
	if (sh.rc != 0)
		fail_msg("run: %s", sh.err);
	assert_false(sh.pass);
	assert_int_equal(sh.n_fail, 1);
	assert_int_equal(sh.n_pass, 4);
	assert_false(sh.item_pass[3]);
	assert_string_equal(sh.got[3], "0"); /* the verdict says what was measured */
	assert_string_equal(sh.got[2], "\"IKE_SA_INIT IKE_AUTH\"");
	/* the verdict file says the same */
	char p[600], err[256];
	struct scn_verdict_file v;
	snprintf(p, sizeof p, "%s/verdict.txt", dir);
	assert_int_equal(scn_verdict_read(p, &v, err, sizeof err), 0);
	assert_string_equal(v.verdict, "FAIL");
	assert_int_equal(v.n_items, 5);
	assert_int_equal(v.n_failed, 1);
	assert_string_equal(v.item[3], "FAIL client.retransmits == 5 => 0");
	assert_int_equal(v.n_show, 3);
	rmdir_r(dir);
}

static void test_determinism(void **state)
{
	(void)state;
	char a[64], b[64], c[64];
	struct shared sh;
	tmpdir(a, sizeof a);
	tmpdir(b, sizeof b);
	tmpdir(c, sizeof c);
	run_forked(IKE, a, 0, 0, &sh);
	assert_int_equal(sh.rc, 0);
	run_forked(IKE, b, 0, 0, &sh);
	assert_int_equal(sh.rc, 0);
	run_forked(IKE, c, 99, 0, &sh);
	assert_int_equal(sh.rc, 0);
	static const char *const files[] = {"events.jsonl", "access.pcap", "wan.pcap"};
	for (size_t i = 0; i < 3; i++) {
		char x[600], y[600], z[600];
		snprintf(x, sizeof x, "%s/%s", a, files[i]);
		snprintf(y, sizeof y, "%s/%s", b, files[i]);
		snprintf(z, sizeof z, "%s/%s", c, files[i]);
		if (!same_file(x, y))
			fail_msg("%s differs between two runs with the same seed", files[i]);
		if (same_file(x, z))
			fail_msg("%s is the same with another seed", files[i]);
	}
	rmdir_r(a);
	rmdir_r(b);
	rmdir_r(c);
}

static void test_refused(void **state)
{
	(void)state;
	struct shared sh;
	run_forked(HEAD("p", "status = pending waiting for a feature\n") NET "[expect]\nlink.wan.packets >= 0\n",
		   NULL, 0, 0, &sh);
	assert_int_equal(sh.rc, -1);
	assert_non_null(strstr(sh.err, "pending: waiting for a feature"));
	/* the engine's own configuration check, pointed at the section */
	run_forked(HEAD("e", "") NET
		   "[client]\nlocal_id = a@b.c\npsk = \"k\"\nproposals = small\nesp_small = \"\"\n"
		   "[gateway]\npsk = \"k\"\n[expect]\ntunnel.up == yes\n",
		   NULL, 0, 0, &sh);
	if (sh.rc == -2) /* the profile parser refused it first: also fine, as long as it says where */
		assert_non_null(strstr(sh.err, "test.scn:"));
	else
		assert_int_equal(sh.rc, -1);
}

/* expect_all fails the test with the first expectation that did not hold. */
static void expect_all(const struct shared *sh, size_t n)
{
	if (sh->rc != 0)
		fail_msg("run: %s", sh->err);
	for (size_t i = 0; i < n && i < 8; i++)
		if (!sh->item_pass[i])
			fail_msg("expectation %zu failed, measured %s", i + 1, sh->got[i]);
	assert_int_equal(sh->n_fail, 0);
}

static const char RESTART[] = HEAD("r", "") NET PROF
	"[traffic]\nping p from=client start=12s interval=1s count=5\n"
	"[events]\n10s client restart\n20s gateway kill\n21s gateway stop\n"
	"[expect]\n"
	"client.restarts == 1\n"
	"count(ike child_up who=client) == 2\n"           /* a fresh engine connected at once */
	"traffic.p.rx_packets == 5\n"
	"count(gw engine-killed who=gw) == 1\n"
	"count(scenario action-failed who=gw) == 1\n"     /* stop after kill: refused, said so */
	"gateway.sas == 0\n"
	"client.msgs_sent >= 4\n"                         /* both lives: 2 + 2 requests at least */
	"tunnel.up == yes\n";                             /* the client does not know (no DPD) */

static void test_restart(void **state)
{
	(void)state;
	struct shared sh;
	run_forked(RESTART, NULL, 0, 0, &sh);
	expect_all(&sh, 8);
}

/*
 * The gateway assigns a VIP but refuses the CHILD SA (no common ESP
 * proposal): the client's tunnel never gets the VIP. Before the
 * placeholder, its route to the gateway's inner network pointed at a
 * device without an address and the ping at 1 s made ns-3 abort the
 * process ("index 0 out of bounds", signal 6).
 */
static const char NOCHILD[] = HEAD("nochild", "") NET
	"[client]\nlocal_id = alice@example.org\npsk = \"k\"\nrequest_vip = yes\n"
	"remote_ts = 10.1.0.0/24\nproposals = small\nesp_small = aes128gcm16\n"
	"[gateway]\nlocal_id = vpn.example.org\npsk = \"k\"\npool = 10.9.0.0/24\n"
	"local_ts = 10.1.0.0/24\nesp = aes256-sha256\n"
	"[traffic]\nping p from=client start=1s interval=1s count=5\n"
	"udp back from=gateway start=2s interval=100ms count=5\n"
	"[expect]\n"
	"client.established == yes\n"
	"tunnel.up == no\n"
	"traffic.p.errors == 1\n"
	"traffic.back.errors == 1\n"
	"count(scenario flow-not-started reason~CHILD) == 2\n"
	"count(ike config who=client vip=10.9.0.1) == 1\n";

static void test_no_abort(void **state)
{
	(void)state;
	struct shared sh;
	run_forked(NOCHILD, NULL, 0, 0, &sh);
	expect_all(&sh, 6);
}

/* a 1 Mbit/s access link with a 10-packet queue under 8 Mbit/s of UDP; 10 % loss on the wan */
static const char DROPS[] = HEAD("drops", "")
	"[network]\nclient addr=10.0.0.2/24\nlink access rate=1Mbps queue=10 delay=2ms\n"
	"nat home public=198.51.100.1\nlink wan delay=10ms loss=10%\n"
	"[traffic]\nudp u from=client start=1s interval=1ms count=200 size=1000\n"
	"[expect]\n"
	"traffic.u.tx_packets == 200\n"
	"count(link drop reason=tc-queue link=access node=client) >= 100\n"
	"count(link drop reason=link-loss link=wan node=gw) >= 1\n"
	"count(link drop reason=dev-queue) >= 0\n"
	"traffic.u.rx_packets >= 1\n"
	"count(link drop) >= 0\n";

static void test_drops(void **state)
{
	(void)state;
	struct shared sh;
	run_forked(DROPS, NULL, 0, 0, &sh);
	expect_all(&sh, 6);
	/* every datagram is accounted for: delivered, or one drop event */
	double tc = strtod(sh.got[1], NULL), loss = strtod(sh.got[2], NULL);
	double dev = strtod(sh.got[3], NULL), rx = strtod(sh.got[4], NULL), all = strtod(sh.got[5], NULL);
	assert_true(tc >= 100 && loss >= 1);
	if (rx + tc + loss + dev != 200 || all != tc + loss + dev)
		fail_msg("rx %.0f + tc %.0f + loss %.0f + dev %.0f != 200 (all drops %.0f)", rx, tc, loss, dev, all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_ike),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_no_abort),
		cmocka_unit_test(test_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
