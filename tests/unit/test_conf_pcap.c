/*
 * test_conf_pcap.c — reading capture files: every failure names the file
 * and the problem (missing, directory, empty, garbage, truncated record,
 * unsupported link type); pcapng (tests/data/pcaps/natt-ok.pcapng, written
 * from natt-ok.pcap by `editcap -F pcapng`) decodes exactly like pcap;
 * microsecond files are scaled to nanoseconds; a file with no frames is
 * fine. With VPNLAB_WRITE_PCAPS=DIR the unsupported-link-type capture used
 * by tests/cli/check_errors.sh is written to DIR/bad-linktype.pcap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance/conf_craft.h"
#include "conformance/conf_rule.h"

#define NATT_OK "tests/data/pcaps/natt-ok.pcap"
#define NATT_OK_NG "tests/data/pcaps/natt-ok.pcapng"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_conf_pcap.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s (run from the repository root)", path);
	uint8_t *b = malloc(1 << 20);
	*n = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* expect_error loads |path| and checks the message mentions |path| and |what|. */
static void expect_error(const char *path, const char *what)
{
	char err[CONF_ERR_LEN] = "";
	struct conf_capture *c = conf_capture_load(path, NULL, err, sizeof err);
	if (c) {
		conf_capture_free(c);
		fail_msg("%s loaded, expected an error about '%s'", path, what);
	}
	if (!strstr(err, path) || !strstr(err, what))
		fail_msg("error '%s' does not name the file and '%s'", err, what);
}

static void test_errors(void **state)
{
	(void)state;
	/* 1 missing */
	expect_error(tmp_path("nope.pcap"), "cannot open");
	/* 2 directory */
	expect_error(tmpdir, "is a directory");
	/* 3 empty */
	write_file(tmp_path("empty.pcap"), "", 0);
	expect_error(tmp_path("empty.pcap"), "empty file");
	/* 4 garbage */
	static const char junk[] = "this is not a capture file, just text\n";
	write_file(tmp_path("junk.pcap"), junk, sizeof junk - 1);
	expect_error(tmp_path("junk.pcap"), "not a readable pcap/pcapng file");
	/* 5 truncated in the middle of the last record */
	size_t n;
	uint8_t *b = read_file(NATT_OK, &n);
	write_file(tmp_path("cut.pcap"), b, n - 10);
	expect_error(tmp_path("cut.pcap"), "truncated");
	/* 6 truncated inside the file header */
	write_file(tmp_path("cut-header.pcap"), b, 12);
	expect_error(tmp_path("cut-header.pcap"), "pcap");
	free(b);
	/* 7 unsupported link type (IEEE 802.11) */
	struct conf_craft *w = conf_craft_new(105);
	uint8_t frame[30] = {0x08};
	conf_craft_add_frame(w, 1, frame, sizeof frame);
	assert_int_equal(conf_craft_save(w, tmp_path("wifi.pcap")), 0);
	expect_error(tmp_path("wifi.pcap"), "unsupported link type 105");
	const char *dir = getenv("VPNLAB_WRITE_PCAPS");
	if (dir) {
		char p[512];
		snprintf(p, sizeof p, "%s/bad-linktype.pcap", dir);
		assert_int_equal(conf_craft_save(w, p), 0);
	}
	conf_craft_free(w);
}

static void test_pcapng_equals_pcap(void **state)
{
	(void)state;
	char err[CONF_ERR_LEN];
	struct conf_capture *a = conf_capture_load(NATT_OK, NULL, err, sizeof err);
	if (!a)
		fail_msg("%s", err);
	struct conf_capture *b = conf_capture_load(NATT_OK_NG, NULL, err, sizeof err);
	if (!b)
		fail_msg("%s", err);
	assert_int_equal(a->n_pkt, b->n_pkt);
	assert_int_equal(a->n_msg, b->n_msg);
	assert_int_equal(a->n_esp, b->n_esp);
	for (uint32_t i = 0; i < a->n_pkt; i++) {
		assert_true(a->pkt[i].t_ns == b->pkt[i].t_ns);
		assert_int_equal(a->pkt[i].kind, b->pkt[i].kind);
	}
	for (uint32_t i = 0; i < a->n_msg; i++) {
		assert_int_equal(a->msg[i].len, b->msg[i].len);
		assert_memory_equal(a->msg[i].raw, b->msg[i].raw, a->msg[i].len);
	}
	conf_capture_free(a);
	conf_capture_free(b);
}

static void test_microsecond_file(void **state)
{
	(void)state;
	pcap_t *pd = pcap_open_dead_with_tstamp_precision(12 /* DLT_RAW */, 65535, PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = pcap_dump_open(pd, tmp_path("us.pcap"));
	assert_non_null(d);
	uint8_t pkt[100];
	size_t n = conf_craft_udp(pkt, sizeof pkt, CONF_IP(10, 0, 0, 1), 500, CONF_IP(10, 0, 0, 2), 4500, 1, 0,
				  (const uint8_t *)"\xff", 1);
	struct pcap_pkthdr h = {.caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n};
	h.ts.tv_sec = 1234;
	h.ts.tv_usec = 567890;
	pcap_dump((u_char *)d, &h, pkt);
	pcap_dump_close(d);
	pcap_close(pd);
	char err[CONF_ERR_LEN];
	struct conf_capture *c = conf_capture_load(tmp_path("us.pcap"), NULL, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_pkt, 1);
	assert_true(c->pkt[0].t_ns == 1234567890000ull);
	assert_int_equal(c->pkt[0].kind, CONF_K_KEEPALIVE);
	conf_capture_free(c);
}

static void test_no_frames(void **state)
{
	(void)state;
	struct conf_craft *w = conf_craft_new(1);
	assert_int_equal(conf_craft_save(w, tmp_path("none.pcap")), 0);
	conf_craft_free(w);
	char err[CONF_ERR_LEN];
	struct conf_capture *c = conf_capture_load(tmp_path("none.pcap"), NULL, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_pkt, 0);
	struct conf_params p;
	conf_params_default(&p);
	struct conf_ctx x;
	assert_int_equal(conf_ctx_init(&x, c, &p), 0);
	for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
		struct conf_result res;
		conf_rule_run(*r, &x, &res);
		assert_int_equal(res.verdict, CONF_NA);
	}
	conf_ctx_free(&x);
	conf_capture_free(c);
}

static void test_frame_limit(void **state)
{
	(void)state;
	struct conf_capture_limits lim = {.max_frames = 5};
	char err[CONF_ERR_LEN];
	struct conf_capture *c = conf_capture_load(NATT_OK, &lim, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_pkt, 5);
	assert_true(c->frames_capped);
	conf_capture_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pcapng_equals_pcap),
		cmocka_unit_test(test_microsecond_file),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_frame_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
