/*
 * mbox_impair.c — per-direction link impairments; behaviour in mbox_impair.h.
 *
 * Timers: one per held packet, kept in a binary min-heap ordered by
 * (release time, arrival sequence) so equal times keep arrival order.
 */
#include "sim/mbox/mbox_impair.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_impl.h"

struct held {
	uint64_t release, seq;
	int out_if;
	size_t len;
	uint8_t *pkt;
};

struct impair {
	struct mbox mb;
	struct mbox_impair_cfg cfg;
	struct held *heap;
	size_t n, cap;
	uint64_t seq;
	uint64_t last_release[2]; /* FIFO floor per direction */
	struct mbox_impair_stats st[2];
};

void mbox_impair_cfg_default(struct mbox_impair_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->max_queue = 10000;
}

static int before(const struct held *a, const struct held *b)
{
	return a->release < b->release || (a->release == b->release && a->seq < b->seq);
}

static void swap(struct held *a, struct held *b)
{
	struct held t = *a;

	*a = *b;
	*b = t;
}

static int push(struct impair *im, uint64_t release, int out_if, const uint8_t *pkt, size_t len)
{
	struct held *h;
	size_t i;

	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		struct held *g = realloc(im->heap, cap * sizeof *g);

		if (!g)
			return -1;
		im->heap = g;
		im->cap = cap;
	}
	h = &im->heap[im->n];
	h->pkt = malloc(len);
	if (!h->pkt)
		return -1;
	memcpy(h->pkt, pkt, len);
	h->len = len;
	h->release = release;
	h->seq = im->seq++;
	h->out_if = out_if;
	for (i = im->n++; i > 0 && before(&im->heap[i], &im->heap[(i - 1) / 2]); i = (i - 1) / 2)
		swap(&im->heap[i], &im->heap[(i - 1) / 2]);
	return 0;
}

static struct held pop(struct impair *im)
{
	struct held top = im->heap[0];
	size_t i = 0;

	im->heap[0] = im->heap[--im->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < im->n && before(&im->heap[l], &im->heap[m]))
			m = l;
		if (r < im->n && before(&im->heap[r], &im->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&im->heap[i], &im->heap[m]);
		i = m;
	}
	return top;
}

static void release_due(struct impair *im, uint64_t now)
{
	while (im->n && im->heap[0].release <= now) {
		struct held h = pop(im);

		im->st[h.out_if == 1 ? 0 : 1].sent++;
		mbox_send(&im->mb, h.out_if, h.pkt, h.len);
		free(h.pkt);
	}
}

/* uniform draws in [0, max] from 64 random bits. */
static uint64_t uniform(struct mbox *mb, uint64_t max)
{
	uint64_t r = (uint64_t)mbox_rand32(mb) << 32 | mbox_rand32(mb);

	return max == UINT64_MAX ? r : r % (max + 1);
}

static void emit_or_hold(struct impair *im, uint64_t now, int in_if, uint64_t release,
			 const uint8_t *pkt, size_t len)
{
	int out_if = 1 - in_if;

	if (release <= now && !im->n) {
		im->st[in_if].sent++;
		mbox_send(&im->mb, out_if, pkt, len);
		return;
	}
	if (im->n >= im->cfg.max_queue) {
		mbox_drop(&im->mb, now, MBOX_DROP_QUEUE_FULL, in_if, pkt, len);
		return;
	}
	if (push(im, release, out_if, pkt, len))
		mbox_drop(&im->mb, now, MBOX_DROP_NO_MEMORY, in_if, pkt, len);
	else if (release > now)
		im->st[in_if].delayed++;
	else
		release_due(im, now);
}

static void impair_input(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
			 const struct ip4_hdr *h)
{
	struct impair *im = (struct impair *)mb;
	const struct mbox_impair_dir *d = &im->cfg.dir[in_if];
	struct mbox_impair_stats *st = &im->st[in_if];
	uint64_t release = now + d->delay_ns;
	int dup, reorder;

	release_due(im, now); /* keep order if the host runs timers late */
	st->in++;
	if (d->loss > 0 && mbox_chance(mb, d->loss)) {
		st->lost++;
		mbox_drop(mb, now, MBOX_DROP_IMPAIR_LOSS, in_if, pkt, len);
		return;
	}
	if (d->jitter_ns)
		release += uniform(mb, d->jitter_ns);
	dup = d->dup > 0 && mbox_chance(mb, d->dup);
	reorder = d->reorder > 0 && mbox_chance(mb, d->reorder);
	if (release < im->last_release[in_if])
		release = im->last_release[in_if];
	if (reorder) {
		release += d->reorder_delay_ns;
		st->reordered++;
	} else {
		im->last_release[in_if] = release;
	}
	emit_or_hold(im, now, in_if, release, pkt, len);
	if (dup) {
		st->duplicated++;
		emit_or_hold(im, now, in_if, release, pkt, len);
	}
}

static uint64_t impair_deadline(const struct mbox *mb)
{
	const struct impair *im = (const struct impair *)mb;

	return im->n ? im->heap[0].release : MBOX_NEVER;
}

static void impair_on_deadline(struct mbox *mb, uint64_t now)
{
	release_due((struct impair *)mb, now);
}

static void impair_destroy(struct mbox *mb)
{
	struct impair *im = (struct impair *)mb;

	for (size_t i = 0; i < im->n; i++)
		free(im->heap[i].pkt);
	free(im->heap);
	mbox_fini(mb);
	free(im);
}

static const struct mbox_ops impair_ops = {
	.kind = MBOX_IMPAIR,
	.input = impair_input,
	.deadline = impair_deadline,
	.on_deadline = impair_on_deadline,
	.destroy = impair_destroy,
};

static const char *check_dir(const struct mbox_impair_dir *d)
{
	if (!(d->loss >= 0 && d->loss <= 1))
		return "loss";
	if (!(d->dup >= 0 && d->dup <= 1))
		return "dup";
	if (!(d->reorder >= 0 && d->reorder <= 1))
		return "reorder";
	return NULL;
}

struct mbox *mbox_impair_new(const struct mbox_impair_cfg *cfg, const struct mbox_io *io,
			     char *err, size_t errlen)
{
	struct impair *im;
	int random = 0;

	for (int i = 0; i < 2; i++) {
		const char *bad = check_dir(&cfg->dir[i]);

		if (bad)
			return mbox_errf(err, errlen, "impair: dir[%d].%s is not a probability, "
					 "expected 0..1", i, bad);
		random |= cfg->dir[i].loss > 0 || cfg->dir[i].dup > 0 || cfg->dir[i].reorder > 0 ||
			  cfg->dir[i].jitter_ns;
	}
	if (random && (!io || !io->rng.fill))
		return mbox_errf(err, errlen, "impair: random impairments configured but io.rng.fill "
				 "is NULL, expected a (seeded) random source");
	if (!cfg->max_queue)
		return mbox_errf(err, errlen, "impair: max_queue is 0, expected >= 1");
	im = calloc(1, sizeof *im);
	if (!im)
		return mbox_errf(err, errlen, "impair: out of memory");
	im->cfg = *cfg;
	im->cfg.name = NULL;
	if (mbox_init(&im->mb, &impair_ops, io, cfg->name, 2)) {
		impair_destroy(&im->mb);
		return mbox_errf(err, errlen, "impair: out of memory");
	}
	return &im->mb;
}

static struct impair *as_impair(const struct mbox *mb)
{
	return mb && mb->ops == &impair_ops ? (struct impair *)mb : NULL;
}

int mbox_impair_set(struct mbox *mb, uint64_t now, int dir, const struct mbox_impair_dir *d)
{
	struct impair *im = as_impair(mb);
	struct evbuf e;

	if (!im || dir < 0 || dir > 1 || check_dir(d))
		return -1;
	if ((d->loss > 0 || d->dup > 0 || d->reorder > 0 || d->jitter_ns) && !mb->io.rng.fill)
		return -1;
	im->cfg.dir[dir] = *d;
	mbox_ev_begin(mb, &e, now, "impair");
	ev_i64(&e, "dir", dir);
	ev_u64(&e, "loss_ppm", (uint64_t)(d->loss * 1e6));
	ev_time(&e, "delay", d->delay_ns);
	ev_time(&e, "jitter", d->jitter_ns);
	mbox_ev_emit(mb, &e);
	return 0;
}

int mbox_impair_stats(const struct mbox *mb, int dir, struct mbox_impair_stats *out)
{
	const struct impair *im = as_impair(mb);

	if (!im || dir < 0 || dir > 1)
		return -1;
	*out = im->st[dir];
	return 0;
}

size_t mbox_impair_queued(const struct mbox *mb)
{
	const struct impair *im = as_impair(mb);

	return im ? im->n : 0;
}
