/*
 * test_mbox_impair.c — link impairments with a fixed seed: loss, delay and
 * jitter (order kept), duplication, reordering statistics; determinism;
 * queue bound; run-time changes.
 *
 *   a ──[0] impair [1]── b      (dir 0: a -> b, dir 1: b -> a)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_impair.h"
#include "tests/unit/test_mbox_util.h"

#define A IP(10, 0, 0, 1)
#define B IP(10, 0, 0, 2)

static struct mbox *impair_new(struct harness *h, const struct mbox_impair_cfg *cfg)
{
	char err[200];
	struct mbox *mb = mbox_impair_new(cfg, &h->io, err, sizeof err);

	if (!mb)
		fail_msg("mbox_impair_new: %s", err);
	return mb;
}

static size_t seq_pkt(uint8_t *p, uint32_t seq, int from_b)
{
	uint8_t d[8];

	ip4_put32(d, seq);
	ip4_put32(d + 4, ~seq);
	return ip4_udp_build(p, 100, from_b ? B : A, 9, from_b ? A : B, 9, d, sizeof d, NULL);
}

static uint32_t seq_of(const struct cap_pkt *c)
{
	return ip4_get32(c->data + 28);
}

/*
 * drive feeds |n| packets, one every |gap| ns from t = 0 on interface
 * |in_if|, running the box's timers in between and afterwards; |when|
 * (may be NULL) gets the send time of each captured packet.
 */
static void drive(struct mbox *mb, struct harness *h, int in_if, uint32_t n, uint64_t gap,
		  uint64_t *when)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i <= n; i++) {
		uint64_t next = i < n ? (uint64_t)i * gap : UINT64_MAX;

		while (mbox_deadline(mb) <= next && mbox_deadline(mb) != MBOX_NEVER) {
			size_t before = h->cap.n;

			t = mbox_deadline(mb);
			mbox_on_deadline(mb, t);
			for (size_t k = before; when && k < h->cap.n; k++)
				when[k] = t;
		}
		if (i < n) {
			uint8_t p[100];
			size_t before = h->cap.n, len = seq_pkt(p, i, in_if);

			t = next;
			mbox_input(mb, t, in_if, p, len);
			for (size_t k = before; when && k < h->cap.n; k++)
				when[k] = t;
		}
	}
}

static void test_passthrough(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	uint8_t p[100];
	size_t n;

	harness_init(&h, 1);
	h.io.rng.fill = NULL; /* no random knob: no random source needed */
	mbox_impair_cfg_default(&c);
	mb = impair_new(&h, &c);
	n = seq_pkt(p, 7, 0);
	mbox_input(mb, 5, 0, p, n);
	n = seq_pkt(p, 8, 1);
	mbox_input(mb, 6, 1, p, n);
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(h.cap.p[0].ifx, 1);
	assert_int_equal(h.cap.p[1].ifx, 0);
	assert_memory_equal(h.cap.p[1].data, p, n);
	assert_int_equal(mbox_deadline(mb), MBOX_NEVER);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_loss_ten_percent(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	struct mbox_impair_stats st;

	harness_init(&h, 2024);
	mbox_impair_cfg_default(&c);
	c.dir[0].loss = 0.10;
	mb = impair_new(&h, &c);
	drive(mb, &h, 0, 10000, 1000, NULL);
	assert_int_equal(mbox_impair_stats(mb, 0, &st), 0);
	assert_int_equal(st.in, 10000);
	assert_in_range(st.lost, 900, 1100);
	assert_int_equal(st.lost + h.cap.n, 10000);
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_IMPAIR_LOSS), st.lost);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"impair-loss\""), st.lost);
	/* The other direction is clean. */
	cap_clear(&h.cap);
	drive(mb, &h, 1, 1000, 1000, NULL);
	assert_int_equal(h.cap.n, 1000);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_fixed_delay(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	uint8_t p[100];

	harness_init(&h, 1);
	mbox_impair_cfg_default(&c);
	c.dir[0].delay_ns = 50 * MS;
	mb = impair_new(&h, &c);
	mbox_input(mb, 1 * SEC, 0, p, seq_pkt(p, 1, 0));
	mbox_input(mb, 1 * SEC + 1 * MS, 0, p, seq_pkt(p, 2, 0));
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_impair_queued(mb), 2);
	assert_int_equal(mbox_deadline(mb), 1 * SEC + 50 * MS);
	mbox_on_deadline(mb, 1 * SEC + 50 * MS - 1);
	assert_int_equal(h.cap.n, 0);
	mbox_on_deadline(mb, 1 * SEC + 50 * MS);
	assert_int_equal(h.cap.n, 1);
	assert_int_equal(seq_of(&h.cap.p[0]), 1);
	assert_int_equal(mbox_deadline(mb), 1 * SEC + 51 * MS);
	/* A late timer run still releases in order, before newer input. */
	mbox_input(mb, 2 * SEC, 1, p, seq_pkt(p, 3, 1));
	assert_int_equal(h.cap.n, 3);
	assert_int_equal(seq_of(&h.cap.p[1]), 2);
	assert_int_equal(seq_of(&h.cap.p[2]), 3);
	assert_int_equal(mbox_deadline(mb), MBOX_NEVER);
	mbox_free(mb);
	harness_fini(&h);
}

/* jitter_run: 2000 packets |gap| apart through 10 ms + [0, 20 ms]; returns min/max delay. */
static void jitter_run(uint64_t gap, uint64_t *min, uint64_t *max)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	static uint64_t when[2000];

	harness_init(&h, 7);
	mbox_impair_cfg_default(&c);
	c.dir[0].delay_ns = 10 * MS;
	c.dir[0].jitter_ns = 20 * MS;
	mb = impair_new(&h, &c);
	drive(mb, &h, 0, 2000, gap, when);
	assert_int_equal(h.cap.n, 2000);
	*min = UINT64_MAX;
	*max = 0;
	for (size_t i = 0; i < h.cap.n; i++) {
		uint64_t d = when[i] - (uint64_t)seq_of(&h.cap.p[i]) * gap;

		assert_int_equal(seq_of(&h.cap.p[i]), i); /* order kept */
		assert_true(d >= 10 * MS && d <= 30 * MS);
		if (d < *min)
			*min = d;
		if (d > *max)
			*max = d;
	}
	mbox_free(mb);
	harness_fini(&h);
}

static void test_jitter_keeps_order(void **state)
{
	uint64_t min, max;

	/* Sparse (25 ms apart): the delay spreads over the whole range. */
	jitter_run(25 * MS, &min, &max);
	assert_true(min < 10 * MS + 100000);
	assert_true(max > 30 * MS - 100000);
	/* Dense (1 ms apart): no packet overtakes another, so delays bunch up. */
	jitter_run(1 * MS, &min, &max);
	assert_true(max > 29 * MS);
}

static void test_duplication(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	struct mbox_impair_stats st;
	size_t dups = 0;

	harness_init(&h, 11);
	mbox_impair_cfg_default(&c);
	c.dir[1].dup = 0.05;
	mb = impair_new(&h, &c);
	drive(mb, &h, 1, 10000, 1000, NULL);
	mbox_impair_stats(mb, 1, &st);
	assert_in_range(st.duplicated, 400, 600);
	assert_int_equal(h.cap.n, 10000 + st.duplicated);
	for (size_t i = 1; i < h.cap.n; i++) {
		if (seq_of(&h.cap.p[i]) == seq_of(&h.cap.p[i - 1])) {
			assert_memory_equal(h.cap.p[i].data, h.cap.p[i - 1].data, h.cap.p[i].len);
			dups++;
		} else {
			assert_int_equal(seq_of(&h.cap.p[i]), seq_of(&h.cap.p[i - 1]) + 1);
		}
	}
	assert_int_equal(dups, st.duplicated);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_reordering(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	struct mbox_impair_stats st;
	size_t late = 0;
	uint32_t high = 0;
	static uint8_t seen[10000];

	harness_init(&h, 13);
	mbox_impair_cfg_default(&c);
	c.dir[0].delay_ns = 10 * MS;
	c.dir[0].reorder = 0.10;
	c.dir[0].reorder_delay_ns = 5 * MS;
	mb = impair_new(&h, &c);
	drive(mb, &h, 0, 10000, 1 * MS, NULL);
	mbox_impair_stats(mb, 0, &st);
	assert_in_range(st.reordered, 900, 1100);
	assert_int_equal(h.cap.n, 10000);
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < h.cap.n; i++) {
		uint32_t s = seq_of(&h.cap.p[i]);

		assert_false(seen[s]);
		seen[s] = 1;
		if (i && s < high)
			late++;
		if (s > high)
			high = s;
	}
	/* Every held-back packet arrives after later ones (5 ms > 1 ms spacing),
	 * except one among the last five, which nothing follows. */
	assert_true(late <= st.reordered && late + 5 >= st.reordered);
	assert_true(late > 0);
	mbox_free(mb);
	harness_fini(&h);
}

/* trace runs a mixed impairment with |seed| and returns the (seq, time) list as a hash. */
static uint64_t trace(uint64_t seed)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	static uint64_t when[3000];
	uint64_t acc = 1469598103934665603ull;

	harness_init(&h, seed);
	mbox_impair_cfg_default(&c);
	c.dir[0] = (struct mbox_impair_dir){.loss = 0.05, .delay_ns = 20 * MS, .jitter_ns = 3 * MS,
					    .dup = 0.02, .reorder = 0.03, .reorder_delay_ns = 4 * MS};
	mb = impair_new(&h, &c);
	drive(mb, &h, 0, 2000, 1 * MS, when);
	for (size_t i = 0; i < h.cap.n; i++)
		acc = (acc ^ (seq_of(&h.cap.p[i]) * 1000003ull + when[i])) * 1099511628211ull;
	mbox_free(mb);
	harness_fini(&h);
	return acc;
}

static void test_determinism(void **state)
{
	assert_int_equal(trace(5), trace(5));
	assert_int_not_equal(trace(5), trace(6));
}

static void test_queue_full(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	uint8_t p[100];

	harness_init(&h, 1);
	mbox_impair_cfg_default(&c);
	c.dir[0].delay_ns = 1 * SEC;
	c.max_queue = 5;
	mb = impair_new(&h, &c);
	for (uint32_t i = 0; i < 7; i++)
		mbox_input(mb, i, 0, p, seq_pkt(p, i, 0));
	assert_int_equal(mbox_impair_queued(mb), 5);
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_QUEUE_FULL), 2);
	mbox_free(mb); /* frees held packets */
	harness_fini(&h);
}

static void test_runtime_change(void **state)
{
	struct harness h;
	struct mbox_impair_cfg c;
	struct mbox *mb;
	struct mbox_impair_dir cut = {.loss = 1.0}, bad = {.loss = 2.0};

	harness_init(&h, 1);
	mbox_impair_cfg_default(&c);
	mb = impair_new(&h, &c);
	drive(mb, &h, 0, 10, 1000, NULL);
	assert_int_equal(h.cap.n, 10);
	assert_int_equal(mbox_impair_set(mb, 5 * SEC, 0, &cut), 0);
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"impair\",\"dir\":0,\"loss_ppm\":1000000"), 1);
	drive(mb, &h, 0, 10, 1000, NULL);
	assert_int_equal(h.cap.n, 10);
	assert_int_equal(mbox_impair_set(mb, 5 * SEC, 0, &bad), -1);
	assert_int_equal(mbox_impair_set(mb, 5 * SEC, 2, &cut), -1);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_config_errors(void **state)
{
	struct mbox_impair_cfg c;
	struct mbox_io io = {0};
	char err[200];

	mbox_impair_cfg_default(&c);
	c.dir[1].dup = 1.5;
	assert_null(mbox_impair_new(&c, &io, err, sizeof err));
	assert_non_null(strstr(err, "dir[1].dup"));
	mbox_impair_cfg_default(&c);
	c.dir[0].loss = 0.1;
	assert_null(mbox_impair_new(&c, &io, err, sizeof err));
	assert_non_null(strstr(err, "rng"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_loss_ten_percent),
		cmocka_unit_test(test_fixed_delay),
		cmocka_unit_test(test_jitter_keeps_order),
		cmocka_unit_test(test_duplication),
		cmocka_unit_test(test_reordering),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_runtime_change),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
