/*
 * mbox_impair.h — link impairments per direction, between interface 0 and
 * 1: loss, delay with jitter, duplication, reordering. Deterministic: every
 * random decision comes from io.rng (a seeded DRBG in the simulator), and
 * draws are made only for knobs that are non-zero, in a fixed order per
 * packet (loss, jitter, duplicate, reorder).
 *
 * Delay is modelled by holding packets and releasing them when
 * mbox_on_deadline is called at mbox_deadline(). Release time = arrival +
 * delay + uniform[0, jitter]; jitter alone never reorders (a packet is
 * never released before the one ahead of it in the same direction), so
 * reordering happens only through the reorder knob: with probability
 * |reorder| a packet is held reorder_delay_ns longer and later packets
 * overtake it. A duplicate is a second copy released right after the
 * original. Lost packets count as "impair-loss" drops (with event).
 */
#ifndef VPNLAB_SIM_MBOX_IMPAIR_H
#define VPNLAB_SIM_MBOX_IMPAIR_H

#include "sim/mbox/mbox.h"

struct mbox_impair_dir {
	double loss;               /* probability, 0..1 */
	uint64_t delay_ns;         /* fixed one-way delay */
	uint64_t jitter_ns;        /* extra, uniform in [0, jitter_ns] */
	double dup;                /* probability of one duplicate */
	double reorder;            /* probability of being held back */
	uint64_t reorder_delay_ns; /* how long it is held back */
};

struct mbox_impair_cfg {
	const char *name;
	struct mbox_impair_dir dir[2]; /* [0]: in on 0, out on 1; [1]: in on 1, out on 0 */
	size_t max_queue;              /* packets held; 10000 ("queue-full" beyond) */
};

struct mbox_impair_stats {
	uint64_t in, lost, duplicated, reordered, delayed, sent;
};

void mbox_impair_cfg_default(struct mbox_impair_cfg *c);
struct mbox *mbox_impair_new(const struct mbox_impair_cfg *cfg, const struct mbox_io *io,
			     char *err, size_t errlen);
/* mbox_impair_set replaces the impairments of direction |dir| (0 or 1) from |now| on. */
int mbox_impair_set(struct mbox *mb, uint64_t now, int dir, const struct mbox_impair_dir *d);
/* mbox_impair_stats copies the counters of direction |dir|; -1 if not an impairment box. */
int mbox_impair_stats(const struct mbox *mb, int dir, struct mbox_impair_stats *out);
size_t mbox_impair_queued(const struct mbox *mb);

#endif
