/*
 * test_mbox_mtu.c — MTU router: DF too big -> ICMP 3/4 (RFC 792/1191) with
 * the next-hop MTU and the quoted datagram (RFC 792 / RFC 1812 sizes), the
 * token-bucket rate limit, black-hole mode, RFC 791 fragmentation of
 * non-DF packets, MTU change at run time, TTL and ICMP 11/0.
 *
 *   client 10.0.0.2 ──[0] router 10.1.1.1 [1]── gateway 192.0.2.1
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_mtu.h"
#include "tests/unit/test_mbox_util.h"

#define CLI IP(10, 0, 0, 2)
#define RTR IP(10, 1, 1, 1)
#define GW IP(192, 0, 2, 1)

static struct mbox *mtu_new(struct harness *h, const struct mbox_mtu_cfg *cfg)
{
	char err[200];
	struct mbox *mb = mbox_mtu_new(cfg, &h->io, err, sizeof err);

	if (!mb)
		fail_msg("mbox_mtu_new: %s", err);
	return mb;
}

static void defcfg(struct mbox_mtu_cfg *c, size_t mtu_out)
{
	mbox_mtu_cfg_default(c);
	c->addr = RTR;
	c->mtu[1] = mtu_out;
}

/* mk_df: a UDP datagram of |total| octets from the client, DF set. */
static size_t mk_df(uint8_t *b, size_t total, int df)
{
	struct ip4_build_opts o = {.ttl = 64, .df = df, .id = 0x1111};
	static uint8_t data[65536];

	return ip4_udp_build(b, 65535, CLI, 4500, GW, 4500, data, total - 28, &o);
}

/* after_hop: what |p| looks like one hop later (TTL - 1, checksum fixed). */
static void after_hop(uint8_t *p)
{
	p[8]--;
	ip4_hdr_set_csum(p);
}

static void test_forward_both_ways(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c, 1400);
	r = mtu_new(&h, &c);
	n = mk_df(p, 1400, 1);
	mbox_input(r, 0, 0, p, n);
	after_hop(p);
	assert_int_equal(h.cap.n, 1);
	assert_int_equal(h.cap.p[0].ifx, 1);
	assert_memory_equal(h.cap.p[0].data, p, n);
	n = mk_udp(p, GW, 4500, CLI, 4500, 1472);
	mbox_input(r, 0, 1, p, n); /* interface 0 still has 1500 */
	after_hop(p);
	assert_int_equal(h.cap.p[1].ifx, 0);
	assert_memory_equal(h.cap.p[1].data, p, n);
	assert_int_equal(mbox_drop_total(r), 0);
	mbox_free(r);
	harness_fini(&h);
}

/* check_frag_needed: |icmp| is a 3/4 from the router about |orig| with |mtu|, |len| long. */
static void check_frag_needed(const struct cap_pkt *icmp, const uint8_t *orig, size_t mtu,
			      size_t len)
{
	const uint8_t *m = icmp->data + 20;

	assert_int_equal(icmp->ifx, 0);
	assert_int_equal(icmp->len, len);
	assert_int_equal(ip4_get32(icmp->data + 12), RTR);
	assert_int_equal(ip4_get32(icmp->data + 16), CLI);
	assert_int_equal(icmp->data[9], IP4_PROTO_ICMP);
	assert_int_equal(m[0], ICMP4_UNREACH);
	assert_int_equal(m[1], ICMP4_UNREACH_NEEDFRAG);
	assert_int_equal(ip4_get16(m + 4), 0);   /* unused (RFC 1191) */
	assert_int_equal(ip4_get16(m + 6), mtu); /* next-hop MTU */
	/* The datagram as received: TTL 64, not yet decremented. */
	assert_memory_equal(m + 8, orig, len - 28);
	assert_true(pkt_csums_ok(icmp->data, icmp->len));
}

static void test_df_too_big_icmp_rfc1812(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c, 1400);
	r = mtu_new(&h, &c);
	n = mk_df(p, 1500, 1);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.n, 1);
	check_frag_needed(&h.cap.p[0], p, 1400, 576);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_FRAG_NEEDED), 1);
	assert_int_equal(mbox_mtu_icmp_sent(r), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"icmp\",\"type\":3,\"code\":4,\"mtu\":1400,\"to\":\"10.0.0.2\""), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"frag-needed\""), 1);
	/* Exactly at the MTU passes. */
	n = mk_df(p, 1400, 1);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(h.cap.p[1].ifx, 1);
	mbox_free(r);
	harness_fini(&h);
}

static void test_df_too_big_icmp_rfc792(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];

	harness_init(&h, 1);
	defcfg(&c, 1280);
	c.quote = MBOX_MTU_QUOTE_RFC792;
	r = mtu_new(&h, &c);
	mbox_input(r, 0, 0, p, mk_df(p, 1300, 1));
	check_frag_needed(&h.cap.p[0], p, 1280, 20 + 8 + 20 + 8);
	mbox_free(r);
	harness_fini(&h);
}

/* The error also fits the ingress link: its MTU caps the quote. */
static void test_icmp_capped_by_ingress_mtu(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];

	harness_init(&h, 1);
	defcfg(&c, 1000);
	c.mtu[0] = 300;
	r = mtu_new(&h, &c);
	mbox_input(r, 0, 0, p, mk_df(p, 1200, 1));
	check_frag_needed(&h.cap.p[0], p, 1000, 300);
	mbox_free(r);
	harness_fini(&h);
}

static size_t icmps(const struct harness *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->cap.n; i++)
		n += h->cap.p[i].ifx == 0;
	return n;
}

/* Token bucket: burst 6, one token a second (Linux icmp_ratelimit-like). */
static void test_icmp_rate_limit(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c, 1400);
	r = mtu_new(&h, &c);
	n = mk_df(p, 1500, 1);
	for (int i = 0; i < 10; i++)
		mbox_input(r, 0, 0, p, n);
	assert_int_equal(icmps(&h), 6);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_FRAG_NEEDED), 6);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_FRAG_NEEDED_RATE), 4);
	mbox_input(r, 999 * MS, 0, p, n);
	assert_int_equal(icmps(&h), 6);
	mbox_input(r, 1 * SEC, 0, p, n);
	mbox_input(r, 1 * SEC + 1, 0, p, n);
	assert_int_equal(icmps(&h), 7);
	mbox_input(r, 2 * SEC + 500 * MS, 0, p, n);
	assert_int_equal(icmps(&h), 8);
	/* Partial intervals carry over: 2.5 s + 0.5 s is the next whole token. */
	mbox_input(r, 2 * SEC + 999 * MS, 0, p, n);
	assert_int_equal(icmps(&h), 8);
	mbox_input(r, 3 * SEC, 0, p, n);
	assert_int_equal(icmps(&h), 9);
	/* A long pause refills the bucket to the burst, not beyond. */
	for (int i = 0; i < 10; i++)
		mbox_input(r, 100 * SEC, 0, p, n);
	assert_int_equal(icmps(&h), 15);
	mbox_free(r);
	harness_fini(&h);

	/* interval 0: unlimited. */
	harness_init(&h, 1);
	defcfg(&c, 1400);
	c.icmp_interval_ns = 0;
	r = mtu_new(&h, &c);
	for (int i = 0; i < 50; i++)
		mbox_input(r, 0, 0, p, n);
	assert_int_equal(icmps(&h), 50);
	mbox_free(r);
	harness_fini(&h);
}

static void test_blackhole(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];

	harness_init(&h, 1);
	defcfg(&c, 1400);
	c.mode = MBOX_MTU_BLACKHOLE;
	r = mtu_new(&h, &c);
	mbox_input(r, 0, 0, p, mk_df(p, 1500, 1));
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_PMTU_BLACKHOLE), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"src\":\"mtu\",\"ev\":\"drop\",\"reason\":\"pmtu-blackhole\""), 1);
	/* Non-DF is still fragmented. */
	mbox_input(r, 0, 0, p, mk_df(p, 1500, 0));
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(mbox_mtu_get(r, 1), 1400);
	mbox_free(r);
	harness_fini(&h);
}

/* Non-DF: fragments <= MTU, offsets in 8-octet units, reassemble to the original (one hop on). */
static void test_fragment_non_df(void **state)
{
	static const size_t mtus[] = {68, 576, 1000, 1280, 1400, 1499};

	for (size_t k = 0; k < sizeof mtus / sizeof mtus[0]; k++) {
		struct harness h;
		struct mbox_mtu_cfg c;
		struct mbox *r;
		static uint8_t p[4000];
		uint8_t *re = NULL;
		size_t n, rn;
		struct ip4_reasm *ra = ip4_reasm_new(NULL);
		int rc = 0;

		harness_init(&h, 1);
		defcfg(&c, mtus[k]);
		r = mtu_new(&h, &c);
		n = mk_df(p, 3000, 0);
		mbox_input(r, 0, 0, p, n);
		assert_true(h.cap.n > 1);
		for (size_t i = 0; i < h.cap.n; i++) {
			struct ip4_hdr fh;

			assert_int_equal(h.cap.p[i].ifx, 1);
			assert_true(h.cap.p[i].len <= mtus[k]);
			assert_int_equal(ip4_parse(h.cap.p[i].data, h.cap.p[i].len, &fh), 0);
			assert_true(ip4_hdr_csum_ok(h.cap.p[i].data, 20));
			assert_int_equal(fh.frag_off % 8, 0);
			assert_int_equal(fh.ttl, 63);
			assert_int_equal(fh.mf, i + 1 < h.cap.n);
			rc = ip4_reasm_input(ra, 0, h.cap.p[i].data, &fh, &re, &rn);
		}
		assert_int_equal(rc, 1);
		after_hop(p);
		assert_int_equal(rn, n);
		assert_memory_equal(re, p, n);
		assert_int_equal(mbox_mtu_fragmented(r), 1);
		free(re);
		ip4_reasm_free(ra);
		mbox_free(r);
		harness_fini(&h);
	}
}

/* Options: copied ones in every fragment, the rest only in the first. */
static void test_fragment_with_options(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1700];
	size_t n;
	struct ip4_hdr fh;

	harness_init(&h, 1);
	defcfg(&c, 576);
	r = mtu_new(&h, &c);
	n = mk_df(p + 8, 1200, 0);
	memmove(p, p + 8, 20);
	memcpy(p + 20, "\x94\x04\x00\x00\x07\x03\x04\x00", 8); /* router alert (copied), RR (not) */
	p[0] = 0x47;
	ip4_put16(p + 2, (uint16_t)(n + 8));
	ip4_hdr_set_csum(p);
	mbox_input(r, 0, 0, p, n + 8);
	assert_int_equal(h.cap.n, 3);
	assert_int_equal(ip4_parse(h.cap.p[0].data, h.cap.p[0].len, &fh), 0);
	assert_int_equal(fh.hlen, 28);
	for (size_t i = 1; i < 3; i++) {
		assert_int_equal(ip4_parse(h.cap.p[i].data, h.cap.p[i].len, &fh), 0);
		assert_int_equal(fh.hlen, 24);
		assert_memory_equal(h.cap.p[i].data + 20, "\x94\x04\x00\x00", 4);
		assert_true(ip4_hdr_csum_ok(h.cap.p[i].data, 24));
	}
	/* Malformed options cannot be fragmented. */
	p[21] = 0;
	ip4_hdr_set_csum(p);
	mbox_input(r, 0, 0, p, n + 8);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_FRAG_FAILED), 1);
	mbox_free(r);
	harness_fini(&h);
}

static void test_mtu_change_at_runtime(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c, 1500);
	r = mtu_new(&h, &c);
	n = mk_df(p, 1400, 1);
	mbox_input(r, 1 * SEC, 0, p, n);
	assert_int_equal(h.cap.p[0].ifx, 1);
	assert_int_equal(mbox_mtu_set(r, 5 * SEC, 1, 1280), 0);
	assert_int_equal(ev_lines_count(&h.ev, "{\"t\":5.000000000,\"src\":\"mtu\",\"ev\":\"mtu\",\"if\":1,\"from\":1500,\"to\":1280}"), 1);
	mbox_input(r, 6 * SEC, 0, p, n);
	check_frag_needed(&h.cap.p[1], p, 1280, 576);
	assert_int_equal(mbox_mtu_set(r, 7 * SEC, 1, 67), -1);
	assert_int_equal(mbox_mtu_set(r, 7 * SEC, 2, 1000), -1);
	assert_int_equal(mbox_mtu_set(NULL, 7 * SEC, 1, 1000), -1);
	assert_int_equal(mbox_mtu_get(r, 1), 1280);
	mbox_free(r);
	harness_fini(&h);
}

static void test_ttl_expiry(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[200];
	struct ip4_build_opts o = {.ttl = 1};
	size_t n;

	harness_init(&h, 1);
	defcfg(&c, 1500);
	r = mtu_new(&h, &c);
	n = ip4_udp_build(p, sizeof p, CLI, 33434, GW, 33434, (const uint8_t *)"traceroute", 10, &o);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.n, 1);
	assert_int_equal(h.cap.p[0].ifx, 0);
	assert_int_equal(h.cap.p[0].data[20], ICMP4_TIME_EXCEEDED);
	assert_int_equal(h.cap.p[0].data[21], ICMP4_TIMX_INTRANS);
	assert_int_equal(ip4_get32(h.cap.p[0].data + 12), RTR);
	assert_memory_equal(h.cap.p[0].data + 28, p, n);
	assert_true(pkt_csums_ok(h.cap.p[0].data, h.cap.p[0].len));
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_TTL_EXCEEDED), 1);
	mbox_free(r);
	harness_fini(&h);
	/* Without TTL handling the packet passes untouched. */
	harness_init(&h, 1);
	c.decrement_ttl = 0;
	r = mtu_new(&h, &c);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.p[0].ifx, 1);
	assert_memory_equal(h.cap.p[0].data, p, n);
	mbox_free(r);
	harness_fini(&h);
}

/* RFC 1812 §4.3.2.7: no ICMP about ICMP errors or non-first fragments. */
static void test_no_icmp_about_errors_or_later_fragments(void **state)
{
	struct harness h;
	struct mbox_mtu_cfg c;
	struct mbox *r;
	uint8_t p[1600], q[1600];
	size_t n;
	struct ip4_build_opts o = {.ttl = 64, .df = 1};

	harness_init(&h, 1);
	defcfg(&c, 1000);
	r = mtu_new(&h, &c);
	n = mk_df(q, 1400, 0);
	n = ip4_icmp_build(p, sizeof p, CLI, GW, ICMP4_UNREACH, 3, 0, q, 1100, &o);
	mbox_input(r, 0, 0, p, n);
	n = mk_df(p, 1400, 1);
	ip4_put16(p + 6, IP4_FLAG_DF | 185); /* non-first fragment, DF */
	ip4_hdr_set_csum(p);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_drop_count(r, MBOX_DROP_PMTU_BLACKHOLE), 2);
	/* An echo request is no error: it gets its ICMP. */
	n = ip4_icmp_build(p, sizeof p, CLI, GW, ICMP4_ECHO, 0, 1, q, 1100, &o);
	mbox_input(r, 0, 0, p, n);
	assert_int_equal(h.cap.n, 1);
	mbox_free(r);
	harness_fini(&h);
}

static void test_config_errors(void **state)
{
	struct mbox_mtu_cfg c;
	char err[200];

	mbox_mtu_cfg_default(&c);
	assert_null(mbox_mtu_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "addr"));
	c.addr = RTR;
	c.mtu[0] = 60;
	assert_null(mbox_mtu_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "mtu[0] = 60"));
	c.mtu[0] = 1500;
	c.icmp_burst = 0;
	assert_null(mbox_mtu_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "icmp_burst"));
	assert_int_equal(mbox_mtu_mode_from_name("blackhole"), MBOX_MTU_BLACKHOLE);
	assert_string_equal(mbox_mtu_mode_name(MBOX_MTU_ICMP), "icmp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_both_ways),
		cmocka_unit_test(test_df_too_big_icmp_rfc1812),
		cmocka_unit_test(test_df_too_big_icmp_rfc792),
		cmocka_unit_test(test_icmp_capped_by_ingress_mtu),
		cmocka_unit_test(test_icmp_rate_limit),
		cmocka_unit_test(test_blackhole),
		cmocka_unit_test(test_fragment_non_df),
		cmocka_unit_test(test_fragment_with_options),
		cmocka_unit_test(test_mtu_change_at_runtime),
		cmocka_unit_test(test_ttl_expiry),
		cmocka_unit_test(test_no_icmp_about_errors_or_later_fragments),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
