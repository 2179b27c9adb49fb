/*
 * test_scenario_expect.c — expectations and measurements
 * (sim/scenario/scn_expect.h, scn_meas.h, scn_units.h): value parsers as
 * numbered tables, the judge against hand-made measurements (including
 * "never", tolerances, word sequences and event functions), the flat
 * JSON reader and event filters, and the README listing every metric.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_expect.h"
#include "sim/scenario/scn_meas.h"
#include "sim/scenario/scn_units.h"

#define S 1000000000ull

static const struct dur_case {
	const char *in;
	int ok;
	uint64_t ns;
} durs[] = {
	/* 1 */ {"20s", 1, 20 * S},	    /* 2 */ {"1.5s", 1, 1500000000},
	/* 3 */ {"500ms", 1, 500000000},    /* 4 */ {"250us", 1, 250000},
	/* 5 */ {"10ns", 1, 10},	    /* 6 */ {"2m", 1, 120 * S},
	/* 7 */ {"1h", 1, 3600 * S},	    /* 8 */ {"0", 1, 0},
	/* 9 */ {"1.1s", 1, 1100000000},    /* 10 */ {"20", 0, 0},
	/* 11 */ {"s", 0, 0},		    /* 12 */ {"-1s", 0, 0},
	/* 13 */ {"1.5ns", 0, 0},	    /* 14 */ {"3 s", 0, 0},
	/* 15 */ {"99999999999h", 0, 0},    /* 16 */ {"1parsec", 0, 0},
	/* 17 */ {"0.000000001s", 1, 1},    /* 18 */ {"", 0, 0},
};

static void test_durations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		uint64_t ns = 12345;
		char err[256] = "";
		int r = scn_parse_duration(durs[i].in, &ns, err, sizeof err);
		if ((r == 0) != durs[i].ok)
			fail_msg("case %zu '%s': %s", i + 1, durs[i].in, r ? err : "accepted");
		if (r == 0 && ns != durs[i].ns)
			fail_msg("case %zu '%s': %llu ns", i + 1, durs[i].in, (unsigned long long)ns);
		if (r < 0 && !strstr(err, "expected"))
			fail_msg("case %zu: message without 'expected': %s", i + 1, err);
	}
}

static void test_other_units(void **state)
{
	(void)state;
	uint64_t v;
	double f;
	char err[256];
	uint32_t a;
	int p;
	assert_int_equal(scn_parse_size("4KB", &v, err, sizeof err), 0);
	assert_int_equal(v, 4000);
	assert_int_equal(scn_parse_size("4KiB", &v, err, sizeof err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(scn_parse_size("2MB", &v, err, sizeof err), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(scn_parse_size("1.5KB", &v, err, sizeof err), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(scn_parse_size("1.5B", &v, err, sizeof err), -1);
	assert_int_equal(scn_parse_size("4 KB", &v, err, sizeof err), -1);
	assert_int_equal(scn_parse_rate("100Mbps", &v, err, sizeof err), 0);
	assert_int_equal(v, 100000000);
	assert_int_equal(scn_parse_rate("1.5Gbps", &v, err, sizeof err), 0);
	assert_int_equal(v, 1500000000);
	assert_int_equal(scn_parse_rate("100", &v, err, sizeof err), -1);
	assert_int_equal(scn_parse_rate("0Mbps", &v, err, sizeof err), -1);
	assert_int_equal(scn_parse_fraction("10%", &f, err, sizeof err), 0);
	assert_true(f > 0.0999 && f < 0.1001);
	assert_int_equal(scn_parse_fraction("0.25", &f, err, sizeof err), 0);
	assert_true(f == 0.25);
	assert_int_equal(scn_parse_fraction("1.5", &f, err, sizeof err), -1);
	assert_int_equal(scn_parse_fraction("101%", &f, err, sizeof err), -1);
	assert_int_equal(scn_parse_ip4("192.0.2.1/24", &a, &p, err, sizeof err), 0);
	assert_int_equal(a, 0xc0000201);
	assert_int_equal(p, 24);
	assert_int_equal(scn_parse_ip4("192.0.2.1", &a, &p, err, sizeof err), 0);
	assert_int_equal(p, -1);
	assert_int_equal(scn_parse_ip4("192.0.2.256", &a, NULL, err, sizeof err), -1);
	assert_int_equal(scn_parse_ip4("192.0.2.1/24", &a, NULL, err, sizeof err), -1);
	assert_int_equal(scn_parse_ip4("192.0.2.1/33", &a, &p, err, sizeof err), -1);
	assert_int_equal(scn_parse_name("nat-1_a", err, sizeof err), 0);
	assert_int_equal(scn_parse_name("1nat", err, sizeof err), -1);
	assert_int_equal(scn_parse_name("n.a", err, sizeof err), -1);
	assert_int_equal(scn_parse_uint("18446744073709551616", UINT64_MAX, &v, err, sizeof err), -1);
	char buf[32];
	assert_string_equal(scn_fmt_duration(1500000000, buf, sizeof buf), "1500ms");
	assert_string_equal(scn_fmt_duration(120 * S, buf, sizeof buf), "2m");
}

/* m: a run's measurements for the judge table */
static struct scn_meas *meas(void)
{
	struct scn_meas *m = scn_meas_new();
	assert_non_null(m);
	scn_meas_set_time(m, "tunnel.up_at", 52000000, 0);
	scn_meas_set_time(m, "link.a.keepalive_gap_mean", 20400000000ull, 0);
	scn_meas_set_num(m, "client.retransmits", SCN_U_COUNT, 2);
	scn_meas_set_num(m, "tunnel.up", SCN_U_BOOL, 0);
	scn_meas_set_num(m, "traffic.p.loss", SCN_U_FRACTION, 0.19);
	scn_meas_set_num(m, "traffic.p.rx_bytes", SCN_U_BYTES, 4096);
	scn_meas_set_words(m, "client.exchanges", "IKE_SA_INIT IKE_AUTH INFORMATIONAL");
	scn_meas_set_time(m, "traffic.p.first_rx", 0, 1);
	static const char *const ev[] = {
		"{\"t\":1.000000000,\"src\":\"ike\",\"ev\":\"retransmit\",\"who\":\"client\",\"try\":1}",
		"{\"t\":2.800000000,\"src\":\"ike\",\"ev\":\"retransmit\",\"who\":\"client\",\"try\":2}",
		"{\"t\":3.000000000,\"src\":\"ike\",\"ev\":\"retransmit\",\"who\":\"gw\",\"try\":1}",
		"{\"t\":6.040000000,\"src\":\"ike\",\"ev\":\"retransmit\",\"who\":\"client\",\"try\":3}",
		"{\"t\":7.000000000,\"src\":\"nat\",\"ev\":\"drop\",\"box\":\"home\",\"reason\":\"frag-non-first\",\"msg\":\"a \\\"quoted\\\" one\"}",
	};
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
		assert_int_equal(scn_meas_event(m, ev[i], strlen(ev[i])), 0);
	return m;
}

static const struct judge_case {
	const char *text;
	int pass;
	const char *got; /* measured value as printed */
} judge[] = {
	/* 1 */ {"tunnel.up_at <= 1s", 1, "0.052 s"},
	/* 2 */ {"tunnel.up_at > 52ms", 0, "0.052 s"},
	/* 3 */ {"tunnel.up_at == 52ms", 1, "0.052 s"},
	/* 4 */ {"tunnel.up_at != never", 1, "0.052 s"},
	/* 5 */ {"tunnel.up_at == never", 0, "0.052 s"},
	/* 6 */ {"traffic.p.first_rx == never", 1, "never"},
	/* 7 */ {"traffic.p.first_rx > 1h", 1, "never"},	 /* never is later than any time */
	/* 8 */ {"traffic.p.first_rx <= 1h", 0, "never"},
	/* 9 */ {"link.a.keepalive_gap_mean == 20s ± 500ms", 1, "20.400 s"},
	/* 10 */ {"link.a.keepalive_gap_mean == 20s +- 300ms", 0, "20.400 s"},
	/* 11 */ {"link.a.keepalive_gap_mean != 20s ± 300ms", 1, "20.400 s"},
	/* 12 */ {"client.retransmits == 2", 1, "2"},
	/* 13 */ {"client.retransmits >= 3", 0, "2"},
	/* 14 */ {"client.retransmits < 3", 1, "2"},
	/* 15 */ {"client.retransmits == 1 ± 1", 1, "2"},
	/* 16 */ {"tunnel.up == no", 1, "no"},
	/* 17 */ {"tunnel.up != no", 0, "no"},
	/* 18 */ {"traffic.p.loss <= 20%", 1, "19.0 %"},
	/* 19 */ {"traffic.p.loss < 0.1", 0, "19.0 %"},
	/* 20 */ {"traffic.p.rx_bytes >= 4KiB", 1, "4096 B"},
	/* 21 */ {"traffic.p.rx_bytes > 4KiB", 0, "4096 B"},
	/* 22 */ {"client.exchanges starts \"IKE_SA_INIT IKE_AUTH\"", 1, "\"IKE_SA_INIT IKE_AUTH INFORMATIONAL\""},
	/* 23 */ {"client.exchanges starts \"IKE_AUTH\"", 0, NULL},
	/* 24 */ {"client.exchanges has \"IKE_AUTH INFORMATIONAL\"", 1, NULL},
	/* 25 */ {"client.exchanges has \"IKE_SA_INIT INFORMATIONAL\"", 0, NULL},
	/* 26 */ {"client.exchanges has \"IKE_AUT\"", 0, NULL}, /* whole words only */
	/* 27 */ {"client.exchanges == \"IKE_SA_INIT  IKE_AUTH INFORMATIONAL\"", 1, NULL},
	/* 28 */ {"client.exchanges != \"IKE_SA_INIT\"", 1, NULL},
	/* 29 */ {"count(ike retransmit who=client) == 3", 1, "3"},
	/* 30 */ {"count(retransmit) == 4", 1, "4"},
	/* 31 */ {"count(ike retransmit who~cli try=2) == 1", 1, "1"},
	/* 32 */ {"first(ike retransmit who=client) == 1s", 1, "1.000 s"},
	/* 33 */ {"last(ike retransmit who=client) == 6.04s", 1, "6.040 s"},
	/* 34 */ {"gap_max(ike retransmit who=client) == 3.24s", 1, "3.240 s"},
	/* 35 */ {"gap_min(ike retransmit who=client) == 1.8s", 1, "1.800 s"},
	/* 36 */ {"gap_mean(ike retransmit who=client) == 2.52s", 1, "2.520 s"},
	/* 37 */ {"first(ike child_up) == never", 1, "never"},
	/* 38 */ {"gap_max(ike retransmit who=gw) == never", 1, "never"}, /* one match: no gap */
	/* 39 */ {"count(nat drop reason=frag-non-first msg~quoted) == 1", 1, "1"},
	/* 40 */ {"client.sas == 1", 0, "not measured"},
};

static void test_judge(void **state)
{
	(void)state;
	struct scn_meas *m = meas();
	for (size_t i = 0; i < sizeof judge / sizeof judge[0]; i++) {
		struct scn_expect e;
		char err[512];
		unsigned col = 0;
		if (scn_expect_parse(judge[i].text, 1, 1, &e, err, sizeof err, &col) < 0)
			fail_msg("case %zu '%s': %u: %s", i + 1, judge[i].text, col, err);
		struct scn_verdict_item it;
		scn_expect_eval(&e, m, &it);
		if (it.pass != judge[i].pass)
			fail_msg("case %zu '%s': %s, measured %s", i + 1, judge[i].text,
				 it.pass ? "passed" : "failed", it.got_text);
		if (judge[i].got && strcmp(it.got_text, judge[i].got) != 0)
			fail_msg("case %zu '%s': measured '%s', expected '%s'", i + 1, judge[i].text, it.got_text,
				 judge[i].got);
	}
	scn_meas_free(m);
}

static void test_json_fields(void **state)
{
	(void)state;
	const char *l = "{\"t\":12.000250000,\"src\":\"ike\",\"n\":-3,\"b\":true,\"s\":\"a\\\"b\\\\c\\n\",\"x\":1}";
	char v[64];
	assert_int_equal(scn_ev_field(l, "src", v, sizeof v), 1);
	assert_string_equal(v, "ike");
	assert_int_equal(scn_ev_field(l, "n", v, sizeof v), 1);
	assert_string_equal(v, "-3");
	assert_int_equal(scn_ev_field(l, "b", v, sizeof v), 1);
	assert_string_equal(v, "true");
	assert_int_equal(scn_ev_field(l, "s", v, sizeof v), 1);
	assert_string_equal(v, "a\"b\\c\n");
	assert_int_equal(scn_ev_field(l, "x", v, sizeof v), 1);
	assert_string_equal(v, "1");
	assert_int_equal(scn_ev_field(l, "nope", v, sizeof v), 0);
	assert_int_equal(scn_ev_time(l), 12000250000ull);
	/* malformed lines never crash and say so */
	static const char *const bad[] = {"", "[1]", "{\"a\"}", "{\"a\":}", "{\"a\":\"x", "{\"a\":1 \"b\":2}",
					  "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(scn_ev_field(bad[i], "b", v, sizeof v), -1);
	/* a value longer than the buffer is cut, not overflowed */
	char small[4];
	assert_int_equal(scn_ev_field(l, "src", small, sizeof small), 1);
	assert_string_equal(small, "ike");
	assert_int_equal(scn_ev_field("{\"k\":\"abcdefgh\"}", "k", small, sizeof small), 1);
	assert_string_equal(small, "abc");
}

static void test_filters(void **state)
{
	(void)state;
	char err[256];
	size_t off;
	assert_int_equal(scn_meas_filter_check("ike retransmit who=client", err, sizeof err, &off), 0);
	assert_int_equal(scn_meas_filter_check("", err, sizeof err, &off), -1);
	assert_non_null(strstr(err, "empty event filter"));
	assert_int_equal(scn_meas_filter_check("a b c", err, sizeof err, &off), -1);
	assert_int_equal(off, 4);
	assert_int_equal(scn_meas_filter_check("a =x", err, sizeof err, &off), -1);
	assert_int_equal(off, 2);
	assert_int_equal(scn_meas_filter_check("a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", err, sizeof err, &off), -1);
	assert_non_null(strstr(err, "more than 8 terms"));
}

static void test_metric_names(void **state)
{
	(void)state;
	char parts[2][64], err[512];
	assert_int_equal(scn_metric_unit("drops.home.frag-non-first", parts, err, sizeof err), SCN_U_COUNT);
	assert_string_equal(parts[0], "home");
	assert_string_equal(parts[1], "frag-non-first");
	assert_int_equal(scn_metric_unit("gateway.size.IKE_AUTH", parts, err, sizeof err), SCN_U_BYTES);
	assert_string_equal(parts[0], "IKE_AUTH");
	assert_int_equal(scn_metric_unit("server.retransmits", parts, err, sizeof err), -1);
	assert_int_equal(scn_metric_unit("link..packets", parts, err, sizeof err), -1);
	assert_int_equal(scn_metric_unit("client.retransmits.x", parts, err, sizeof err), -1);
	assert_int_equal(scn_metric_unit("client.retransmitz", parts, err, sizeof err), -1);
	assert_non_null(strstr(err, "<side>.retransmits")); /* suggests the side's metrics */
}

/* the README documents every metric of the catalogue */
static void test_readme_lists_metrics(void **state)
{
	(void)state;
	FILE *f = fopen("scenarios/README.md", "r");
	if (!f)
		skip();
	static char text[200000];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	enum scn_unit u;
	size_t count = 0;
	for (size_t i = 0; scn_metric_pattern(i, &u); i++, count++) {
		/* the README writes <x> as &lt;x&gt; inside tables */
		char want[128], *o = want;
		for (const char *p = scn_metric_pattern(i, NULL); *p && o < want + sizeof want - 5; p++) {
			if (*p == '<') {
				memcpy(o, "&lt;", 4);
				o += 4;
			} else if (*p == '>') {
				memcpy(o, "&gt;", 4);
				o += 4;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		if (!strstr(text, want))
			fail_msg("scenarios/README.md does not mention %s", want);
	}
	assert_true(count > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),   cmocka_unit_test(test_other_units),
		cmocka_unit_test(test_judge),	    cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_filters),	    cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_readme_lists_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
