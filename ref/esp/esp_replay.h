/*
 * esp_replay.h — the receiver's anti-replay window (RFC 4303 §3.4.3) and
 * the inference of the high 32 bits of extended sequence numbers
 * (RFC 4303 Appendix A2).
 *
 * The window of size W ends at T, the highest sequence number whose ICV
 * verified. A number S is new if S > T, or if T-W < S <= T and S was not
 * seen. Checking is separate from updating: check before the ICV (a cheap
 * reject), update only after the ICV verified (§3.4.3).
 *
 * The bitmap is a ring of 64-bit words, a power of two of them and at least
 * one more than W needs, so advancing the window clears whole words and
 * never touches a bit still inside the window. Sizes: W = 64 → 2 words,
 * 128 → 4, 4096 → 128 (1 KiB), 65536 → 2048 (16 KiB).
 */
#ifndef VPNLAB_REF_ESP_REPLAY_H
#define VPNLAB_REF_ESP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* esp_replay: fields are private to esp_replay.c; the struct is public for sizing. */
struct esp_replay {
	uint64_t top;      /* T: highest authenticated number; 0 = none yet */
	uint32_t window;   /* W */
	uint32_t mask;     /* ring words - 1 */
	int esn;
	uint64_t bits[];   /* bit (S mod 64) of word (S / 64) & mask: S seen */
};

/* esp_replay_size: octets esp_replay_init needs for |window|; 0 if out of range. */
size_t esp_replay_size(uint32_t window);

/*
 * esp_replay_init sets up a window of |window| (1..ESP_REPLAY_MAX) in |r|,
 * which has esp_replay_size(window) octets. ESP_EINVAL on a bad size.
 */
int esp_replay_init(struct esp_replay *r, uint32_t window, int esn);

/* esp_replay_new / _free: the same on malloc'ed memory (NULL + |*err| on failure). */
struct esp_replay *esp_replay_new(uint32_t window, int esn, int *err);
void esp_replay_free(struct esp_replay *r);

/*
 * esp_replay_check looks at the wire's 32-bit |seq_lo|, infers the full
 * number (ESN: RFC 4303 App. A2; otherwise the number itself) into |*seq|
 * and says whether it may be new: ESP_OK, ESP_ESEQ_ZERO, ESP_EREPLAY or
 * ESP_EOLD. It changes nothing. |*seq| is set even when refused.
 */
int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq);

/* esp_replay_update marks |seq| (from a check that passed, after the ICV) as received. */
void esp_replay_update(struct esp_replay *r, uint64_t seq);

/*
 * esp_replay_sync moves the right edge to |top| (if ahead) and marks every
 * number in the window as received: after a failover the new owner cannot
 * know which ones the old one saw (RFC 6311).
 */
void esp_replay_sync(struct esp_replay *r, uint64_t top);

uint64_t esp_replay_top(const struct esp_replay *r);
uint32_t esp_replay_window(const struct esp_replay *r);

#endif
