/*
 * mbox_hmap.c — uint64 -> uint32 hash map for the boxes' tables: open
 * addressing, linear probing, backward-shift deletion (no tombstones, so
 * lookups stay short under churn). Power-of-two capacity, grows at 1/2.
 */
#include "sim/mbox/mbox_impl.h"

#include <stdlib.h>
#include <string.h>

static int hmap_alloc(struct mbox_hmap *m, size_t cap)
{
	m->keys = calloc(cap, sizeof *m->keys);
	m->vals = calloc(cap, sizeof *m->vals);
	m->used = calloc(cap, 1);
	m->cap = cap;
	m->n = 0;
	if (m->keys && m->vals && m->used)
		return 0;
	mbox_hmap_fini(m);
	return -1;
}

int mbox_hmap_init(struct mbox_hmap *m)
{
	return hmap_alloc(m, 64);
}

void mbox_hmap_fini(struct mbox_hmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof *m);
}

static size_t home(const struct mbox_hmap *m, uint64_t key)
{
	return (size_t)mbox_mix64(key) & (m->cap - 1);
}

static int grow(struct mbox_hmap *m)
{
	struct mbox_hmap old = *m;

	if (hmap_alloc(m, old.cap * 2)) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			mbox_hmap_put(m, old.keys[i], old.vals[i]);
	mbox_hmap_fini(&old);
	return 0;
}

int mbox_hmap_put(struct mbox_hmap *m, uint64_t key, uint32_t val)
{
	size_t i;

	if (!m->cap)
		return -1;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -1;
	for (i = home(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

int mbox_hmap_get(const struct mbox_hmap *m, uint64_t key, uint32_t *val)
{
	if (!m->cap)
		return 0;
	for (size_t i = home(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
	return 0;
}

void mbox_hmap_del(struct mbox_hmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j;

	if (!m->cap)
		return;
	for (i = home(m, key); m->used[i]; i = (i + 1) & mask)
		if (m->keys[i] == key)
			break;
	if (!m->used[i])
		return;
	m->used[i] = 0;
	m->n--;
	/* Backward shift: pull later entries of the run into the hole when
	 * their home position does not lie cyclically in (i, j]. */
	for (j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
		size_t k = home(m, m->keys[j]);

		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->used[i] = 1;
			m->used[j] = 0;
			i = j;
		}
	}
}

void mbox_hmap_clear(struct mbox_hmap *m)
{
	if (!m->cap)
		return;
	memset(m->used, 0, m->cap);
	m->n = 0;
}

