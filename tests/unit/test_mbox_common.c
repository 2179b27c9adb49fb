/*
 * test_mbox_common.c — what every middlebox shares: malformed input is a
 * counted drop with an event and never a crash (table over all five
 * boxes), drop-reason names, link padding, the checksum switch, and the
 * hash map against a naive model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_filter.h"
#include "sim/mbox/mbox_impair.h"
#include "sim/mbox/mbox_impl.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "tests/unit/test_mbox_util.h"

enum { NBOX = 5 };

/* make_box builds box |k| (0..4) with a small, permissive configuration. */
static struct mbox *make_box(int k, struct harness *h)
{
	char err[200];
	struct mbox *mb = NULL;

	switch (k) {
	case 0: {
		struct mbox_nat_cfg c;

		mbox_nat_cfg_default(&c);
		c.public_addr = IP(203, 0, 113, 1);
		c.filter = MBOX_NAT_FILTER_EI;
		mb = mbox_nat_new(&c, &h->io, err, sizeof err);
		break;
	}
	case 1: {
		struct mbox_mtu_cfg c;

		mbox_mtu_cfg_default(&c);
		c.addr = IP(10, 1, 1, 1);
		mb = mbox_mtu_new(&c, &h->io, err, sizeof err);
		break;
	}
	case 2: {
		struct mbox_filter_cfg c;

		mbox_filter_cfg_default(&c);
		c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_UDP, 0, 65535};
		mb = mbox_filter_new(&c, &h->io, err, sizeof err);
		break;
	}
	case 3: {
		struct mbox_cluster_cfg c;

		mbox_cluster_cfg_default(&c);
		mb = mbox_cluster_new(&c, &h->io, err, sizeof err);
		break;
	}
	case 4: {
		struct mbox_impair_cfg c;

		mbox_impair_cfg_default(&c);
		mb = mbox_impair_new(&c, &h->io, err, sizeof err);
		break;
	}
	}
	if (!mb)
		fail_msg("box %d: %s", k, err);
	return mb;
}

/* Numbered table: malformed IPv4 on each box -> that reason, no send, one event. */
static void test_malformed_table(void **state)
{
	enum { TRUNC, VERSION, IHL_SMALL, IHL_BIG, TOTLEN_BIG, TOTLEN_SMALL, CSUM, IFINDEX,
	       EMPTY };
	static const struct {
		int mut;
		enum mbox_drop want;
	} t[] = {
		/* 1 */ {TRUNC, MBOX_DROP_TRUNCATED},
		/* 2 */ {VERSION, MBOX_DROP_BAD_VERSION},
		/* 3 */ {IHL_SMALL, MBOX_DROP_BAD_IHL},
		/* 4 */ {IHL_BIG, MBOX_DROP_BAD_IHL},
		/* 5 */ {TOTLEN_BIG, MBOX_DROP_BAD_LENGTH},
		/* 6 */ {TOTLEN_SMALL, MBOX_DROP_BAD_LENGTH},
		/* 7 */ {CSUM, MBOX_DROP_BAD_CSUM},
		/* 8 */ {IFINDEX, MBOX_DROP_BAD_IFINDEX},
		/* 9 */ {EMPTY, MBOX_DROP_TRUNCATED},
	};
	for (int k = 0; k < NBOX; k++) {
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
			struct harness h;
			struct mbox *mb;
			uint8_t p[200];
			size_t n;
			int in_if = 0;
			char want[80];

			harness_init(&h, 1);
			mb = make_box(k, &h);
			n = mk_udp(p, IP(10, 0, 0, 2), 500, IP(192, 0, 2, 1), 500, 30);
			switch (t[i].mut) {
			case TRUNC: n = 19; break;
			case VERSION: p[0] = 0x65; break;
			case IHL_SMALL: p[0] = 0x44; break;
			case IHL_BIG: p[0] = 0x4f; n = 40; ip4_put16(p + 2, 40); break;
			case TOTLEN_BIG: ip4_put16(p + 2, (uint16_t)(n + 1)); break;
			case TOTLEN_SMALL: ip4_put16(p + 2, 19); break;
			case CSUM: p[8] ^= 1; break;
			case IFINDEX: in_if = mbox_nifs(mb); break;
			case EMPTY: n = 0; break;
			}
			mbox_input(mb, 0, in_if, p, n);
			if (h.cap.n || mbox_drop_count(mb, t[i].want) != 1 || mbox_drop_total(mb) != 1)
				fail_msg("box %s case %zu: want one %s drop", mbox_kind_name(mbox_kind(mb)),
					 i + 1, mbox_drop_name(t[i].want));
			snprintf(want, sizeof want, "\"ev\":\"drop\",\"reason\":\"%s\"",
				 mbox_drop_name(t[i].want));
			assert_int_equal(ev_lines_count(&h.ev, want), 1);
			mbox_free(mb);
			harness_fini(&h);
		}
	}
}

/* The same valid packet passes every permissive box; padding after the total length is cut. */
static void test_padding_trimmed_and_counters(void **state)
{
	for (int k = 0; k < NBOX; k++) {
		struct harness h;
		struct mbox *mb;
		uint8_t p[200];
		size_t n;

		harness_init(&h, 1);
		mb = make_box(k, &h);
		n = mk_udp(p, IP(10, 0, 0, 2), 500, IP(192, 0, 2, 1), 500, 30);
		memset(p + n, 0xee, 12); /* link padding */
		mbox_input(mb, 0, 0, p, n + 12);
		assert_int_equal(h.cap.n, 1);
		assert_int_equal(h.cap.p[0].len, n);
		assert_int_equal(mbox_rx_count(mb, 0), 1);
		assert_int_equal(mbox_tx_count(mb, h.cap.p[0].ifx), 1);
		assert_int_equal(mbox_rx_count(mb, 99), 0);
		assert_int_equal(mbox_drop_total(mb), 0);
		mbox_free(mb);
		harness_fini(&h);
	}
}

static void test_verify_csum_switch(void **state)
{
	struct harness h;
	struct mbox *mb;
	uint8_t p[200];
	size_t n;

	harness_init(&h, 1);
	mb = make_box(4, &h);
	n = mk_udp(p, IP(10, 0, 0, 2), 500, IP(192, 0, 2, 1), 500, 30);
	ip4_put16(p + 10, 0); /* ns-3 with checksums off writes 0 */
	mbox_input(mb, 0, 0, p, n);
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_BAD_CSUM), 1);
	mbox_set_verify_csum(mb, 0);
	mbox_input(mb, 0, 0, p, n);
	assert_int_equal(h.cap.n, 1);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_drop_names(void **state)
{
	for (int i = 0; i < MBOX_DROP__COUNT; i++) {
		const char *name = mbox_drop_name((enum mbox_drop)i);

		assert_int_equal(mbox_drop_from_name(name), i);
		assert_true(strlen(mbox_drop_what((enum mbox_drop)i)) > 5);
		for (const char *c = name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-');
	}
	assert_string_equal(mbox_drop_name(MBOX_DROP_FRAG_NON_FIRST), "frag-non-first");
	assert_string_equal(mbox_drop_name(MBOX_DROP__COUNT), "unknown");
	assert_int_equal(mbox_drop_from_name("nope"), -1);
	assert_string_equal(mbox_kind_name(MBOX_CLUSTER), "cluster");
}

/* Instance names appear as "box" in events. */
static void test_named_events(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *mb;
	uint8_t p[200];

	harness_init(&h, 1);
	mbox_nat_cfg_default(&c);
	c.public_addr = IP(203, 0, 113, 1);
	c.name = "hotel-nat";
	mb = mbox_nat_new(&c, &h.io, NULL, 0);
	mbox_input(mb, 0, 1, p, mk_udp(p, 1, 2, IP(203, 0, 113, 1), 4, 0));
	assert_int_equal(ev_lines_count(&h.ev, "\"src\":\"nat\",\"ev\":\"drop\",\"box\":\"hotel-nat\",\"reason\":\"no-mapping\""), 1);
	mbox_free(mb);
	harness_fini(&h);
}

/* Differential: the hash map against a plain array under random churn. */
static void test_hmap_against_naive(void **state)
{
	enum { KEYS = 300 };
	struct mbox_hmap m;
	static uint32_t naive[KEYS];
	static uint8_t present[KEYS];
	struct test_rng r = {3};

	memset(present, 0, sizeof present);
	assert_int_equal(mbox_hmap_init(&m), 0);
	for (int i = 0; i < 100000; i++) {
		uint32_t k = (uint32_t)(test_rng_next(&r) % KEYS), v;
		uint64_t key = (uint64_t)k * 0x100000001ull; /* spread keys */
		int op = (int)(test_rng_next(&r) % 3);

		if (op == 0) {
			assert_int_equal(mbox_hmap_put(&m, key, (uint32_t)i), 0);
			naive[k] = (uint32_t)i;
			present[k] = 1;
		} else if (op == 1) {
			mbox_hmap_del(&m, key);
			present[k] = 0;
		}
		assert_int_equal(mbox_hmap_get(&m, key, &v), present[k]);
		if (present[k])
			assert_int_equal(v, naive[k]);
	}
	for (uint32_t k = 0; k < KEYS; k++) {
		uint32_t v;

		assert_int_equal(mbox_hmap_get(&m, (uint64_t)k * 0x100000001ull, &v), present[k]);
	}
	mbox_hmap_clear(&m);
	assert_int_equal(m.n, 0);
	mbox_hmap_fini(&m);
}

static void test_fragtrack(void **state)
{
	struct mbox_fragtrack t;
	struct ip4_hdr h = {.src = 1, .dst = 2, .id = 3, .proto = 17}, o = h;
	uint32_t v;

	mbox_fragtrack_init(&t, 30 * SEC);
	assert_false(mbox_fragtrack_get(&t, 0, &h, &v));
	mbox_fragtrack_put(&t, 0, &h, 77);
	assert_true(mbox_fragtrack_get(&t, 30 * SEC - 1, &h, &v));
	assert_int_equal(v, 77);
	assert_false(mbox_fragtrack_get(&t, 30 * SEC, &h, &v));
	o.id = 4;
	assert_false(mbox_fragtrack_get(&t, 1, &o, &v));
	mbox_fragtrack_clear(&t);
	assert_false(mbox_fragtrack_get(&t, 1, &h, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_padding_trimmed_and_counters),
		cmocka_unit_test(test_verify_csum_switch),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_named_events),
		cmocka_unit_test(test_hmap_against_naive),
		cmocka_unit_test(test_fragtrack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
