/* esp_replay.c — anti-replay window and ESN inference (see esp_replay.h). */
#include "ref/esp/esp_replay.h"

#include <stdlib.h>
#include <string.h>

#include "ref/esp/esp.h"

/* replay_words: ring words for |window|, a power of two >= ceil(W/64) + 1. */
static uint32_t replay_words(uint32_t window)
{
	uint32_t need = (window + 63) / 64 + 1, n = 1;

	while (n < need)
		n <<= 1;
	return n;
}

size_t esp_replay_size(uint32_t window)
{
	if (window < 1 || window > ESP_REPLAY_MAX)
		return 0;
	return sizeof(struct esp_replay) + (size_t)replay_words(window) * sizeof(uint64_t);
}

int esp_replay_init(struct esp_replay *r, uint32_t window, int esn)
{
	uint32_t n;

	if (!r || window < 1 || window > ESP_REPLAY_MAX)
		return ESP_EINVAL;
	n = replay_words(window);
	r->top = 0;
	r->window = window;
	r->mask = n - 1;
	r->esn = esn ? 1 : 0;
	memset(r->bits, 0, (size_t)n * sizeof(uint64_t));
	return ESP_OK;
}

struct esp_replay *esp_replay_new(uint32_t window, int esn, int *err)
{
	size_t size = esp_replay_size(window);
	struct esp_replay *r;

	if (!size) {
		if (err)
			*err = ESP_EINVAL;
		return NULL;
	}
	r = malloc(size);
	if (!r) {
		if (err)
			*err = ESP_ENOMEM;
		return NULL;
	}
	esp_replay_init(r, window, esn);
	if (err)
		*err = ESP_OK;
	return r;
}

void esp_replay_free(struct esp_replay *r)
{
	free(r);
}

/*
 * replay_infer_hi is RFC 4303 Appendix A2.2: which 2^32 subspace |lo| falls
 * in, given the window [T-W+1, T]. Returns 0 and sets |*hi|, or -1 when the
 * only candidate is past 2^64-1 (a number from far behind).
 */
static int replay_infer_hi(const struct esp_replay *r, uint32_t lo, uint32_t *hi)
{
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	uint32_t bottom = tl - r->window + 1; /* mod 2^32 */

	if (tl >= r->window - 1) {
		/* Case A: the window lies within one subspace. */
		if (lo >= bottom) {
			*hi = th;
		} else {
			if (th == UINT32_MAX)
				return -1;
			*hi = th + 1;
		}
	} else {
		/*
		 * Case B: the window spans two subspaces; a large |lo| belongs to
		 * the lower one. In subspace 0 there is no lower one, so the only
		 * candidate is subspace 0 itself (far ahead).
		 */
		if (lo >= bottom)
			*hi = th ? th - 1 : 0;
		else
			*hi = th;
	}
	return 0;
}

static int replay_seen(const struct esp_replay *r, uint64_t s)
{
	return (int)((r->bits[(s >> 6) & r->mask] >> (s & 63)) & 1);
}

int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t s = seq_lo;

	if (r->esn) {
		uint32_t hi;

		if (replay_infer_hi(r, seq_lo, &hi) < 0) {
			*seq = (r->top & ~(uint64_t)UINT32_MAX) | seq_lo;
			return ESP_EOLD;
		}
		s = (uint64_t)hi << 32 | seq_lo;
	}
	*seq = s;
	if (s == 0)
		return ESP_ESEQ_ZERO;
	if (s > r->top)
		return ESP_OK;
	if (r->top - s >= r->window)
		return ESP_EOLD;
	if (replay_seen(r, s))
		return ESP_EREPLAY;
	return ESP_OK;
}

void esp_replay_update(struct esp_replay *r, uint64_t s)
{
	if (s > r->top) {
		/* Clear the words between the old right edge and the new one. */
		uint64_t top_w = r->top >> 6, n = (s >> 6) - top_w;

		if (n > r->mask) {
			memset(r->bits, 0, ((size_t)r->mask + 1) * sizeof(uint64_t));
		} else {
			for (uint64_t w = top_w + 1; w <= top_w + n; w++)
				r->bits[w & r->mask] = 0;
		}
		r->top = s;
	} else if (r->top - s >= r->window) {
		return; /* not from a passing check: would alias a ring word */
	}
	r->bits[(s >> 6) & r->mask] |= UINT64_C(1) << (s & 63);
}

void esp_replay_sync(struct esp_replay *r, uint64_t top)
{
	unsigned b;

	if (top > r->top)
		r->top = top;
	memset(r->bits, 0xff, ((size_t)r->mask + 1) * sizeof(uint64_t));
	/* Numbers above the edge must stay unseen (same word as the edge). */
	b = (unsigned)(r->top & 63);
	if (b != 63)
		r->bits[(r->top >> 6) & r->mask] &= (UINT64_C(1) << (b + 1)) - 1;
}

uint64_t esp_replay_top(const struct esp_replay *r)
{
	return r->top;
}

uint32_t esp_replay_window(const struct esp_replay *r)
{
	return r->window;
}
