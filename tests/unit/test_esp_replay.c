/*
 * test_esp_replay.c — the ESP anti-replay window (RFC 4303 §3.4.3) and ESN
 * high-bits inference (RFC 4303 Appendix A2): a numbered table of edge
 * cases, then a differential run against a deliberately naive model (a set
 * of every number seen + the highest) over long seeded random sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/esp/esp.h"
#include "ref/esp/esp_replay.h"

#define NONE 0
#define OK ESP_OK
#define ZERO ESP_ESEQ_ZERO
#define REPLAY ESP_EREPLAY
#define OLD ESP_EOLD
#define HI(h, l) ((uint64_t)(h) << 32 | (uint32_t)(l))

/*
 * One case: a window, numbers already authenticated (esp_replay_update in
 * order; 0 ends the list), optionally a failover sync first, then the
 * 32-bit number on the wire, the verdict and the inferred 64-bit number.
 */
struct replay_case {
	int n;
	uint32_t window;
	int esn;
	uint64_t sync;
	uint64_t seen[4];
	uint32_t wire;
	int want;
	uint64_t want_seq;
	const char *what;
};

static const struct replay_case cases[] = {
	/* --- 32-bit sequence numbers, W = 64 --- */
	{1, 64, 0, 0, {NONE}, 1, OK, 1, "first packet"},
	{2, 64, 0, 0, {NONE}, 0, ZERO, 0, "seq 0 is never sent (3.3.3)"},
	{3, 64, 0, 0, {1}, 2, OK, 2, "in order"},
	{4, 64, 0, 0, {1}, 1, REPLAY, 1, "duplicate of the only packet"},
	{5, 64, 0, 0, {1, 2, 3}, 2, REPLAY, 2, "duplicate inside the window"},
	{6, 64, 0, 0, {100}, 37, OK, 37, "exactly the left edge T-W+1"},
	{7, 64, 0, 0, {100}, 36, OLD, 36, "one left of the left edge (T-W)"},
	{8, 64, 0, 0, {100, 37}, 37, REPLAY, 37, "left edge, already seen"},
	{9, 64, 0, 0, {100}, 100, REPLAY, 100, "exactly the right edge T"},
	{10, 64, 0, 0, {100}, 101, OK, 101, "one right of the right edge"},
	{11, 64, 0, 0, {100}, 100 + (1u << 20), OK, 100 + (1u << 20), "far ahead"},
	{12, 64, 0, 0, {100}, 1, OLD, 1, "far behind"},
	{13, 64, 0, 0, {10}, 5, OK, 5, "T < W: everything from 1 is in the window"},
	{14, 64, 0, 0, {10, 5}, 5, REPLAY, 5, "T < W, duplicate"},
	{15, 64, 0, 0, {10, 200}, 10, OLD, 10, "jump ahead forgets the old window"},
	{16, 64, 0, 0, {10, 70}, 10, REPLAY, 10, "jump ahead by W-4 keeps seen bits"},
	{17, 64, 0, 0, {63, 64}, 63, REPLAY, 63, "seen bit across a 64-bit word boundary"},
	{18, 64, 0, 0, {0xffffffffu}, 0xffffffffu, REPLAY, 0xffffffffu, "last number, duplicate"},
	{19, 64, 0, 0, {0xffffffffu}, 0, ZERO, 0, "no wrap without ESN: 0 after 2^32-1"},
	{20, 64, 0, 0, {0xffffffffu}, 0xffffffc0u, OK, 0xffffffc0u, "left edge at the top of the space"},
	{21, 64, 0, 0, {0xffffffffu}, 0xffffffbfu, OLD, 0xffffffbfu, "left of it"},
	/* --- W = 128 and W = 4096 --- */
	{22, 128, 0, 0, {1000}, 873, OK, 873, "W=128 left edge"},
	{23, 128, 0, 0, {1000}, 872, OLD, 872, "W=128 one left of the edge"},
	{24, 128, 0, 0, {1000, 900}, 900, REPLAY, 900, "W=128 duplicate deep in the window"},
	{25, 4096, 0, 0, {5000}, 905, OK, 905, "W=4096 left edge"},
	{26, 4096, 0, 0, {5000}, 904, OLD, 904, "W=4096 one left of the edge"},
	{27, 4096, 0, 0, {5000, 1000}, 1000, REPLAY, 1000, "W=4096 duplicate 4000 behind"},
	{28, 4096, 0, 0, {5000, 10000}, 5905, OK, 5905, "W=4096 bits cleared by a 5000 jump"},
	{29, 4096, 0, 0, {5000, 10000}, 5000, OLD, 5000, "W=4096 old edge now outside"},
	{30, 4096, 0, 0, {5000, 9000}, 5000, REPLAY, 5000, "W=4096 jump of 4000 keeps 5000"},
	{31, 1, 0, 0, {5}, 4, OLD, 4, "W=1: only the edge itself"},
	{32, 1, 0, 0, {5}, 5, REPLAY, 5, "W=1: the edge is a duplicate"},
	/* --- failover sync (RFC 6311): everything <= T counts as seen --- */
	{33, 64, 0, 50, {NONE}, 50, REPLAY, 50, "after sync(50), 50 is seen"},
	{34, 64, 0, 50, {NONE}, 20, REPLAY, 20, "after sync(50), the whole window is seen"},
	{35, 64, 0, 50, {NONE}, 51, OK, 51, "after sync(50), 51 is new"},
	{36, 64, 0, 60, {62}, 61, OK, 61, "after sync(60) + 62, 61 (same word) is new"},
	/* --- extended sequence numbers, W = 64 (Appendix A2.2) --- */
	{37, 64, 1, 0, {NONE}, 0, ZERO, 0, "ESN: 64-bit 0 is never sent"},
	{38, 64, 1, 0, {0xffffffffu}, 0, OK, HI(1, 0), "ESN: low 32 bits wrap, Seq_hi + 1"},
	{39, 64, 1, 0, {HI(1, 5)}, 0xfffffff0u, OK, HI(0, 0xfffffff0u), "ESN case B: Seq_hi - 1"},
	{40, 64, 1, 0, {HI(1, 5), HI(0, 0xfffffff0u)}, 0xfffffff0u, REPLAY, HI(0, 0xfffffff0u),
	 "ESN case B: duplicate in the lower subspace"},
	{41, 64, 1, 0, {HI(1, 5)}, 0xffffffc6u, OK, HI(0, 0xffffffc6u), "ESN case B: left edge"},
	{42, 64, 1, 0, {HI(1, 5)}, 0xffffffc5u, OK, HI(1, 0xffffffc5u),
	 "ESN case B: left of the edge is inferred ahead (ICV decides)"},
	{43, 64, 1, 0, {HI(1, 5)}, 5, REPLAY, HI(1, 5), "ESN: duplicate of T"},
	{44, 64, 1, 0, {HI(2, 0x40)}, 1, OK, HI(2, 1), "ESN case A: left edge"},
	{45, 64, 1, 0, {HI(2, 0x40)}, 0, OK, HI(3, 0), "ESN case A: below the edge is the next subspace"},
	{46, 64, 1, 0, {NONE}, 0xffffffffu, OK, HI(0, 0xffffffffu), "ESN: subspace 0 has no lower one"},
	{47, 64, 1, 0, {UINT64_MAX - 1}, 0xffffffffu, OK, UINT64_MAX, "ESN: the last number"},
	{48, 64, 1, 0, {HI(0xffffffffu, 0x100)}, 0, OLD, HI(0xffffffffu, 0),
	 "ESN: Seq_hi + 1 would pass 2^64"},
	{49, 4096, 1, 0, {HI(1, 0x10)}, 0xfffff100u, OK, HI(0, 0xfffff100u),
	 "ESN W=4096 case B, 3856 behind"},
	{50, 4096, 1, 0, {HI(1, 0x10), HI(0, 0xfffff100u)}, 0xfffff100u, REPLAY, HI(0, 0xfffff100u),
	 "ESN W=4096 duplicate across the wrap"},
	{51, 128, 1, 0, {HI(7, 0x7f)}, 0, OK, HI(7, 0), "ESN W=128 case A (Tl = W-1) left edge"},
};

static void test_table(void **state)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct replay_case *c = &cases[i];
		int err = 0;
		struct esp_replay *r = esp_replay_new(c->window, c->esn, &err);
		uint64_t seq = 0, again = 0;
		int got;

		assert_non_null(r);
		assert_int_equal(c->n, (int)i + 1);
		if (c->sync)
			esp_replay_sync(r, c->sync);
		/* the window state: as if these had been authenticated, in order */
		for (size_t k = 0; k < 4 && c->seen[k]; k++)
			esp_replay_update(r, c->seen[k]);
		got = esp_replay_check(r, c->wire, &seq);
		if (got != c->want || seq != c->want_seq) {
			print_error("case %d (%s): wire %08x got %s seq %llx, want %s seq %llx\n", c->n,
				    c->what, c->wire, esp_err_name(got), (unsigned long long)seq,
				    esp_err_name(c->want), (unsigned long long)c->want_seq);
			failed++;
		}
		/* check changes nothing; a passing number is a duplicate once updated */
		if (esp_replay_check(r, c->wire, &again) != got || again != seq) {
			print_error("case %d: a second check differs\n", c->n);
			failed++;
		}
		if (got == ESP_OK) {
			esp_replay_update(r, seq);
			if (esp_replay_check(r, c->wire, &again) != ESP_EREPLAY) {
				print_error("case %d: not a duplicate after update\n", c->n);
				failed++;
			}
		}
		esp_replay_free(r);
	}
	assert_int_equal(failed, 0);
	assert_true(sizeof cases / sizeof cases[0] >= 30);
}

static void test_sizes(void **state)
{
	int err = 0;

	assert_int_equal(esp_replay_size(0), 0);
	assert_int_equal(esp_replay_size(ESP_REPLAY_MAX + 1), 0);
	assert_null(esp_replay_new(0, 0, &err));
	assert_int_equal(err, ESP_EINVAL);
	/* header + ring words: 64 -> 2 words, 128 -> 4, 4096 -> 128 */
	assert_int_equal(esp_replay_size(64), sizeof(struct esp_replay) + 2 * 8);
	assert_int_equal(esp_replay_size(128), sizeof(struct esp_replay) + 4 * 8);
	assert_int_equal(esp_replay_size(4096), sizeof(struct esp_replay) + 128 * 8);
	assert_int_equal(esp_replay_size(65536), sizeof(struct esp_replay) + 2048 * 8);
}

/* ---------------------------------------------------------------------- */
/* Differential test against a naive model                                 */

/* naive: every number seen in a hash set, plus the highest. No bitmaps, no rings. */
struct naive {
	uint64_t *slot; /* 0 = empty (0 is never a valid number) */
	size_t cap;
	uint64_t top;
	uint64_t window;
};

static size_t naive_hash(uint64_t s, size_t cap)
{
	return (size_t)((s * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (cap - 1);
}

static int naive_has(const struct naive *m, uint64_t s)
{
	for (size_t i = naive_hash(s, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i] == s)
			return 1;
		if (m->slot[i] == 0)
			return 0;
	}
}

static void naive_add(struct naive *m, uint64_t s)
{
	size_t i = naive_hash(s, m->cap);

	while (m->slot[i] != 0 && m->slot[i] != s)
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = s;
	if (s > m->top)
		m->top = s;
}

static int naive_check(const struct naive *m, uint64_t s)
{
	if (s == 0)
		return ESP_ESEQ_ZERO;
	if (s > m->top)
		return ESP_OK;
	if (m->top - s >= m->window)
		return ESP_EOLD;
	return naive_has(m, s) ? ESP_EREPLAY : ESP_OK;
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, so every run tests the same sequence */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * UINT64_C(2685821657736338717);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/*
 * diff_run feeds |steps| numbers from a misbehaving sender (in order, late,
 * duplicated, far ahead, far behind, zero) to both models. With ESN the
 * wire carries the low 32 bits only; when the implementation infers a
 * different Seq_hi than the sender used, the real ICV would fail, so that
 * packet counts as dropped and the model must not have accepted it either.
 */
static void diff_run(uint32_t window, int esn, uint64_t start, uint64_t seed, int steps)
{
	struct esp_replay *r = esp_replay_new(window, esn, NULL);
	struct naive m = {calloc(1u << 20, sizeof(uint64_t)), 1u << 20, 0, window};
	uint64_t sender = start, verdicts[4] = {0}, misinferred = 0;
	const uint64_t limit = esn ? UINT64_MAX : UINT32_MAX;

	assert_non_null(r);
	assert_non_null(m.slot);
	rnd_state = seed;
	if (start) {
		/* the first packet the receiver authenticated */
		esp_replay_update(r, start);
		naive_add(&m, start);
	}
	for (int i = 0; i < steps; i++) {
		uint64_t s, inferred = 0, k = rnd_below(100);
		int want, got;

		if (k < 55) {
			sender += 1 + rnd_below(3);
			s = sender;
		} else if (k < 72) {
			s = sender - rnd_below(2 * (uint64_t)window + 2); /* late, around the edge */
		} else if (k < 82) {
			s = sender - rnd_below((uint64_t)window / 2 + 1); /* duplicate-ish */
		} else if (k < 90) {
			sender += window + rnd_below(8 * (uint64_t)window); /* burst lost */
			s = sender;
		} else if (k < 97) {
			s = sender - 2 * (uint64_t)window - rnd_below(100000); /* far behind */
		} else {
			s = 0;
		}
		if (s > sender || s > limit) /* wrapped below 0 */
			s = 0;
		want = naive_check(&m, s);
		got = esp_replay_check(r, (uint32_t)s, &inferred);
		if (inferred != s) {
			/*
			 * Wrong Seq_hi (or the sender's impossible 0): whatever the
			 * window says, the real ICV fails, so the packet is dropped and
			 * the window stays; the model must refuse it too.
			 */
			misinferred++;
			if (want == ESP_OK)
				fail_msg("step %d: %llx inferred as %llx but the model accepts it", i,
					 (unsigned long long)s, (unsigned long long)inferred);
			continue;
		}
		if (got != want)
			fail_msg("step %d W=%u esn=%d: %llx (top %llx): got %s, model says %s", i, window,
				 esn, (unsigned long long)s, (unsigned long long)m.top, esp_err_name(got),
				 esp_err_name(want));
		if (got == ESP_OK) {
			assert_true(inferred == s);
			esp_replay_update(r, s);
			naive_add(&m, s);
		}
		verdicts[got == ESP_OK ? 0 : got == ESP_EREPLAY ? 1 : got == ESP_EOLD ? 2 : 3]++;
	}
	/*
	 * The run must have exercised every verdict. With ESN a number more than
	 * W behind is (per Appendix A) inferred into the next subspace, so it
	 * shows up as a misinference rather than "too old", and 0 never exists.
	 */
	assert_true(verdicts[0] > 0 && verdicts[1] > 0);
	if (esn)
		assert_true(misinferred > 0);
	else
		assert_true(verdicts[2] > 0 && verdicts[3] > 0);
	assert_true(esp_replay_top(r) == m.top);
	if (esn && start < HI(1, 0))
		assert_true(m.top > HI(1, 0)); /* the run crossed the low-32-bit wrap */
	free(m.slot);
	esp_replay_free(r);
}

static void test_diff_64(void **state)
{
	diff_run(64, 0, 0, 1, 200000);
}

static void test_diff_128(void **state)
{
	diff_run(128, 0, 0, 2, 200000);
}

static void test_diff_4096(void **state)
{
	diff_run(4096, 0, 0, 3, 200000);
}

static void test_diff_32(void **state)
{
	diff_run(32, 0, 0, 4, 100000);
}

static void test_diff_esn_64(void **state)
{
	diff_run(64, 1, HI(0, 0xffffffffu) - 100000, 5, 200000);
}

static void test_diff_esn_4096(void **state)
{
	diff_run(4096, 1, HI(0, 0xffffffffu) - 300000, 6, 200000);
}

static void test_diff_esn_subspace_7(void **state)
{
	diff_run(1000, 1, HI(7, 0xfffff000u), 7, 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_diff_64),
		cmocka_unit_test(test_diff_128),
		cmocka_unit_test(test_diff_4096),
		cmocka_unit_test(test_diff_32),
		cmocka_unit_test(test_diff_esn_64),
		cmocka_unit_test(test_diff_esn_4096),
		cmocka_unit_test(test_diff_esn_subspace_7),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
