/*
 * test_mbox_filter.c — port filter ("hotel"): verdict tables (stateful and
 * symmetric), ICMP policy, fragment policies, flow expiry, inbound rules.
 *
 *   client 10.0.0.2 ──[0] filter [1]── gateway 192.0.2.1, other 198.51.100.7
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_filter.h"
#include "tests/unit/test_mbox_util.h"

#define CLI IP(10, 0, 0, 2)
#define GW IP(192, 0, 2, 1)
#define OTHER IP(198, 51, 100, 7)
#define PASS MBOX_DROP__COUNT

static struct mbox *filter_new(struct harness *h, const struct mbox_filter_cfg *cfg)
{
	char err[200];
	struct mbox *mb = mbox_filter_new(cfg, &h->io, err, sizeof err);

	if (!mb)
		fail_msg("mbox_filter_new: %s", err);
	return mb;
}

struct row {
	int in_if;
	uint8_t proto;
	uint32_t src;
	uint16_t sport;
	uint32_t dst;
	uint16_t dport;
	enum mbox_drop want;
};

static size_t build(uint8_t *p, const struct row *r)
{
	size_t n;

	switch (r->proto) {
	case IP4_PROTO_TCP:
		return mk_tcp(p, r->src, r->sport, r->dst, r->dport, TCP4_ACK);
	case IP4_PROTO_ICMP:
		return mk_echo(p, r->src, r->dst, (uint8_t)r->sport, r->dport);
	case IP4_PROTO_UDP:
		return mk_udp(p, r->src, r->sport, r->dst, r->dport, 40);
	}
	n = mk_udp(p, r->src, 0x1234, r->dst, 0x5678, 40); /* ESP-looking: SPI 0x12345678 */
	p[9] = r->proto;
	ip4_hdr_set_csum(p);
	return n;
}

/* run_rows feeds |rows| in order and checks each verdict (pass = forwarded out the other side). */
static void run_rows(struct mbox *f, struct harness *h, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t p[200];
		size_t len = build(p, &rows[i]), sent = h->cap.n;
		uint64_t drops = rows[i].want == PASS ? 0 : mbox_drop_count(f, rows[i].want);

		mbox_input(f, i * MS, rows[i].in_if, p, len);
		if (rows[i].want == PASS) {
			if (h->cap.n != sent + 1 || h->cap.p[sent].ifx != 1 - rows[i].in_if ||
			    memcmp(h->cap.p[sent].data, p, len))
				fail_msg("row %zu: not passed unchanged", i + 1);
		} else if (h->cap.n != sent || mbox_drop_count(f, rows[i].want) != drops + 1) {
			fail_msg("row %zu: expected drop %s", i + 1, mbox_drop_name(rows[i].want));
		}
	}
}

/* Numbered table, one stateful filter with the default rules (out TCP 80, 443). */
static void test_stateful_table(void **state)
{
	static const struct row rows[] = {
		/* 1 */ {0, IP4_PROTO_TCP, CLI, 40000, GW, 443, PASS},
		/* 2 */ {1, IP4_PROTO_TCP, GW, 443, CLI, 40000, PASS},
		/* 3 */ {1, IP4_PROTO_TCP, GW, 443, CLI, 40001, MBOX_DROP_FILTER_NO_STATE},
		/* 4 */ {0, IP4_PROTO_TCP, CLI, 40000, GW, 22, MBOX_DROP_FILTER_DENIED},
		/* 5 */ {0, IP4_PROTO_TCP, CLI, 40002, GW, 80, PASS},
		/* 6 */ {0, IP4_PROTO_UDP, CLI, 500, GW, 500, MBOX_DROP_FILTER_DENIED},
		/* 7 */ {0, IP4_PROTO_UDP, CLI, 4500, GW, 4500, MBOX_DROP_FILTER_DENIED},
		/* 8 */ {1, IP4_PROTO_UDP, GW, 500, CLI, 500, MBOX_DROP_FILTER_NO_STATE},
		/* 9 */ {0, IP4_PROTO_ESP, CLI, 0, GW, 0, MBOX_DROP_FILTER_DENIED},
		/* 10 */ {1, IP4_PROTO_TCP, OTHER, 443, CLI, 40000, MBOX_DROP_FILTER_NO_STATE},
		/* 11 */ {0, IP4_PROTO_TCP, CLI, 40000, GW, 8443, MBOX_DROP_FILTER_DENIED},
		/* 12 */ {0, IP4_PROTO_ICMP, CLI, ICMP4_ECHO, GW, 1, MBOX_DROP_FILTER_ICMP},
		/* 13 */ {1, IP4_PROTO_TCP, GW, 80, CLI, 40002, PASS},
		/* 14 */ {1, IP4_PROTO_TCP, GW, 40000, CLI, 443, MBOX_DROP_FILTER_NO_STATE},
		/* 15 */ {0, IP4_PROTO_TCP, CLI, 40000, GW, 443, PASS},
	};
	struct harness h;
	struct mbox_filter_cfg c;
	struct mbox *f;

	harness_init(&h, 1);
	mbox_filter_cfg_default(&c);
	f = filter_new(&h, &c);
	run_rows(f, &h, rows, sizeof rows / sizeof rows[0]);
	assert_int_equal(mbox_filter_flows(f), 2);
	assert_int_equal(ev_lines_count(&h.ev, "\"src\":\"filter\",\"ev\":\"drop\",\"reason\":\"filter-denied\""), 5);
	mbox_free(f);
	harness_fini(&h);
}

/* Numbered table, symmetric (stateless) mode: replies recognised by the server port. */
static void test_symmetric_table(void **state)
{
	static const struct row rows[] = {
		/* 1 */ {1, IP4_PROTO_TCP, GW, 443, CLI, 40000, PASS}, /* no state needed */
		/* 2 */ {1, IP4_PROTO_TCP, OTHER, 80, CLI, 1, PASS},
		/* 3 */ {1, IP4_PROTO_TCP, GW, 22, CLI, 40000, MBOX_DROP_FILTER_DENIED},
		/* 4 */ {0, IP4_PROTO_TCP, CLI, 40000, GW, 443, PASS},
		/* 5 */ {0, IP4_PROTO_TCP, CLI, 443, GW, 22, MBOX_DROP_FILTER_DENIED},
		/* 6 */ {1, IP4_PROTO_UDP, GW, 443, CLI, 40000, MBOX_DROP_FILTER_DENIED},
		/* 7 */ {0, IP4_PROTO_ICMP, CLI, ICMP4_ECHO, GW, 1, MBOX_DROP_FILTER_ICMP},
	};
	struct harness h;
	struct mbox_filter_cfg c;
	struct mbox *f;

	harness_init(&h, 1);
	mbox_filter_cfg_default(&c);
	c.mode = MBOX_FILTER_SYMMETRIC;
	f = filter_new(&h, &c);
	run_rows(f, &h, rows, sizeof rows / sizeof rows[0]);
	assert_int_equal(mbox_filter_flows(f), 0);
	mbox_free(f);
	harness_fini(&h);
}

static void test_icmp_errors_follow_flows(void **state)
{
	for (int allow = 0; allow < 2; allow++) {
		struct harness h;
		struct mbox_filter_cfg c;
		struct mbox *f;
		uint8_t p[200], q[200], e[400];
		size_t n, en;

		harness_init(&h, 1);
		mbox_filter_cfg_default(&c);
		c.icmp_errors = allow;
		f = filter_new(&h, &c);
		n = mk_tcp(q, CLI, 40000, GW, 443, TCP4_SYN);
		mbox_input(f, 0, 0, q, n);
		/* Inbound frag-needed about the allowed flow. */
		en = ip4_icmp_error_build(e, sizeof e, OTHER, CLI, 3, 4, 1400, q, n, 576, NULL);
		mbox_input(f, 1, 1, e, en);
		assert_int_equal(h.cap.n, 1 + allow);
		/* About a flow that was never allowed. */
		n = mk_tcp(p, CLI, 40000, GW, 22, TCP4_SYN);
		en = ip4_icmp_error_build(e, sizeof e, OTHER, CLI, 3, 4, 1400, p, n, 576, NULL);
		mbox_input(f, 2, 1, e, en);
		assert_int_equal(h.cap.n, 1 + allow);
		/* Outbound port-unreachable about an allowed inbound packet. */
		n = mk_tcp(p, GW, 443, CLI, 40000, TCP4_ACK);
		en = ip4_icmp_error_build(e, sizeof e, CLI, GW, 3, 3, 0, p, n, 576, NULL);
		mbox_input(f, 3, 0, e, en);
		assert_int_equal(h.cap.n, 1 + 2 * allow);
		assert_int_equal(mbox_drop_count(f, MBOX_DROP_FILTER_ICMP), allow ? 1 : 3);
		mbox_free(f);
		harness_fini(&h);
	}
}

static void test_icmp_echo_policy(void **state)
{
	static const struct row rows[] = {
		/* 1 */ {0, IP4_PROTO_ICMP, CLI, ICMP4_ECHO, GW, 7, PASS},
		/* 2 */ {1, IP4_PROTO_ICMP, GW, ICMP4_ECHO_REPLY, CLI, 7, PASS},
		/* 3 */ {1, IP4_PROTO_ICMP, GW, ICMP4_ECHO_REPLY, CLI, 8, MBOX_DROP_FILTER_NO_STATE},
		/* 4 */ {1, IP4_PROTO_ICMP, GW, ICMP4_ECHO, CLI, 7, MBOX_DROP_FILTER_ICMP},
		/* 5 */ {0, IP4_PROTO_ICMP, CLI, 13, GW, 7, MBOX_DROP_FILTER_ICMP},
	};
	struct harness h;
	struct mbox_filter_cfg c;
	struct mbox *f;

	harness_init(&h, 1);
	mbox_filter_cfg_default(&c);
	c.icmp_echo_out = 1;
	f = filter_new(&h, &c);
	run_rows(f, &h, rows, sizeof rows / sizeof rows[0]);
	mbox_free(f);
	harness_fini(&h);
}

static void emit_frag(void *ctx, const uint8_t *p, size_t len)
{
	cap_send(ctx, 0, p, len);
}

/* Fragment policies on a 3-fragment UDP 4500 datagram (allowed by an extra rule). */
static void test_fragment_policies(void **state)
{
	static const struct {
		enum mbox_filter_frag frag;
		int rule;       /* UDP 4500 allowed */
		size_t order[3];
		size_t passed;
		enum mbox_drop why;
	} t[] = {
		/* 1 */ {MBOX_FILTER_FRAG_DROP, 1, {0, 1, 2}, 1, MBOX_DROP_FRAG_NON_FIRST},
		/* 2 */ {MBOX_FILTER_FRAG_TRACK, 1, {0, 1, 2}, 3, PASS},
		/* 3 */ {MBOX_FILTER_FRAG_TRACK, 1, {1, 0, 2}, 2, MBOX_DROP_FRAG_UNTRACKED},
		/* 4 */ {MBOX_FILTER_FRAG_TRACK, 0, {0, 1, 2}, 0, MBOX_DROP_FRAG_UNTRACKED},
		/* 5 */ {MBOX_FILTER_FRAG_ALLOW, 0, {0, 1, 2}, 2, MBOX_DROP_FILTER_DENIED},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;
		struct mbox_filter_cfg c;
		struct mbox *f;
		struct cap fr = {0};
		static uint8_t p[3100];
		size_t n = mk_udp(p, CLI, 4500, GW, 4500, 2972);

		harness_init(&h, 1);
		mbox_filter_cfg_default(&c);
		c.frag = t[i].frag;
		if (t[i].rule)
			c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_UDP,
									 4500, 4500};
		f = filter_new(&h, &c);
		assert_int_equal(ip4_frag(p, n, 1500, emit_frag, &fr), 3);
		for (size_t k = 0; k < 3; k++)
			mbox_input(f, k, 0, fr.p[t[i].order[k]].data, fr.p[t[i].order[k]].len);
		if (h.cap.n != t[i].passed)
			fail_msg("case %zu: %zu passed, want %zu", i + 1, h.cap.n, t[i].passed);
		if (t[i].why != PASS && !mbox_drop_count(f, t[i].why))
			fail_msg("case %zu: no %s drop", i + 1, mbox_drop_name(t[i].why));
		cap_clear(&fr);
		mbox_free(f);
		harness_fini(&h);
	}
}

static void test_flow_expiry(void **state)
{
	struct harness h;
	struct mbox_filter_cfg c;
	struct mbox *f;
	uint8_t p[200];

	harness_init(&h, 1);
	mbox_filter_cfg_default(&c);
	c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_UDP, 53, 53};
	f = filter_new(&h, &c);
	mbox_input(f, 0, 0, p, mk_udp(p, CLI, 5353, GW, 53, 30));
	mbox_input(f, 10 * SEC, 1, p, mk_udp(p, GW, 53, CLI, 5353, 30)); /* refreshes: 40 s */
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(mbox_deadline(f), 30 * SEC); /* a lower bound, then exact */
	mbox_on_deadline(f, 30 * SEC);
	assert_int_equal(mbox_filter_flows(f), 1);
	assert_int_equal(mbox_deadline(f), 40 * SEC);
	mbox_input(f, 39 * SEC, 1, p, mk_udp(p, GW, 53, CLI, 5353, 30));
	mbox_input(f, 70 * SEC, 1, p, mk_udp(p, GW, 53, CLI, 5353, 30));
	assert_int_equal(h.cap.n, 3);
	assert_int_equal(mbox_drop_count(f, MBOX_DROP_FILTER_NO_STATE), 1);
	mbox_on_deadline(f, 71 * SEC);
	assert_int_equal(mbox_filter_flows(f), 0);
	assert_int_equal(mbox_deadline(f), MBOX_NEVER);
	mbox_free(f);
	harness_fini(&h);
}

static void test_inbound_rule_and_esp(void **state)
{
	static const struct row rows[] = {
		/* 1 */ {1, IP4_PROTO_TCP, GW, 50000, CLI, 22, PASS},
		/* 2 */ {0, IP4_PROTO_TCP, CLI, 22, GW, 50000, PASS}, /* reply to allowed inbound */
		/* 3 */ {1, IP4_PROTO_TCP, GW, 50000, CLI, 23, MBOX_DROP_FILTER_NO_STATE},
		/* 4 */ {1, IP4_PROTO_ESP, GW, 0, CLI, 0, MBOX_DROP_FILTER_NO_STATE},
		/* 5 */ {0, IP4_PROTO_ESP, CLI, 0, GW, 0, PASS},
		/* 6 */ {1, IP4_PROTO_ESP, GW, 0, CLI, 0, PASS},
		/* 7 */ {1, IP4_PROTO_ESP, OTHER, 0, CLI, 0, MBOX_DROP_FILTER_NO_STATE},
	};
	struct harness h;
	struct mbox_filter_cfg c;
	struct mbox *f;

	harness_init(&h, 1);
	mbox_filter_cfg_default(&c);
	c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_IN, IP4_PROTO_TCP, 22, 22};
	c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_ESP, 0, 0};
	f = filter_new(&h, &c);
	run_rows(f, &h, rows, sizeof rows / sizeof rows[0]);
	mbox_free(f);
	harness_fini(&h);
}

static void test_config_errors(void **state)
{
	struct mbox_filter_cfg c;
	char err[200];

	mbox_filter_cfg_default(&c);
	c.rules[0].port_lo = 500;
	c.rules[0].port_hi = 400;
	assert_null(mbox_filter_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "rule 0"));
	mbox_filter_cfg_default(&c);
	c.nrules = 99;
	assert_null(mbox_filter_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "nrules 99"));
	assert_int_equal(mbox_filter_frag_from_name("track"), MBOX_FILTER_FRAG_TRACK);
	assert_int_equal(mbox_filter_mode_from_name("symmetric"), MBOX_FILTER_SYMMETRIC);
	assert_int_equal(mbox_filter_mode_from_name("open"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stateful_table),
		cmocka_unit_test(test_symmetric_table),
		cmocka_unit_test(test_icmp_errors_follow_flows),
		cmocka_unit_test(test_icmp_echo_policy),
		cmocka_unit_test(test_fragment_policies),
		cmocka_unit_test(test_flow_expiry),
		cmocka_unit_test(test_inbound_rule_and_esp),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
