/*
 * mbox_fragtrack.c — a small direct-mapped cache of first-fragment
 * decisions keyed by (src, dst, protocol, id); see mbox_impl.h.
 */
#include "sim/mbox/mbox_impl.h"

#include <string.h>

void mbox_fragtrack_init(struct mbox_fragtrack *t, uint64_t lifetime_ns)
{
	memset(t, 0, sizeof *t);
	t->lifetime_ns = lifetime_ns;
}

static size_t ft_slot(const struct ip4_hdr *h)
{
	uint64_t k = (uint64_t)h->src << 32 | h->dst;

	k = mbox_mix64(k ^ ((uint64_t)h->id << 8 | h->proto));
	return (size_t)(k % MBOX_FRAGTRACK_SLOTS);
}

void mbox_fragtrack_put(struct mbox_fragtrack *t, uint64_t now, const struct ip4_hdr *h,
			uint32_t val)
{
	size_t i = ft_slot(h);

	t->e[i].src = h->src;
	t->e[i].dst = h->dst;
	t->e[i].id = h->id;
	t->e[i].proto = h->proto;
	t->e[i].val = val;
	t->e[i].used = 1;
	t->e[i].expires = now + t->lifetime_ns;
}

int mbox_fragtrack_get(const struct mbox_fragtrack *t, uint64_t now, const struct ip4_hdr *h,
		       uint32_t *val)
{
	size_t i = ft_slot(h);

	if (!t->e[i].used || t->e[i].expires <= now || t->e[i].src != h->src ||
	    t->e[i].dst != h->dst || t->e[i].id != h->id || t->e[i].proto != h->proto)
		return 0;
	*val = t->e[i].val;
	return 1;
}

void mbox_fragtrack_clear(struct mbox_fragtrack *t)
{
	uint64_t lifetime = t->lifetime_ns;

	mbox_fragtrack_init(t, lifetime);
}
