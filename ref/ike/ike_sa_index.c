/*
 * ike_sa_index.c — finding IKE SAs without walking all of them, so a
 * gateway with thousands of clients does O(log n) work per datagram and
 * per timer instead of O(n):
 *
 *   all[]        every SA in creation order (ike_sa_status, newest-first walks)
 *   by_spi       our SPI -> SA               (ike_sa_find, ike_sa_find_ours, SPI allocation)
 *   by_peer_spi  initiator's SPI -> responder SA  (IKE_SA_INIT retransmissions)
 *   by_id        peer identity -> SAs        (unique-IDs policy)
 *   heap         min-heap of SA deadlines    (ike_deadline, ike_on_deadline)
 *   esp          our inbound ESP SPIs -> SA  (ESP SPI allocation, ike_note_esp_*)
 *
 * The chained maps are intrusive (next pointers in struct ike_sa) with one
 * bucket array sized for all three, doubled when the SAs outnumber twice
 * the buckets; the bucket of a peer-chosen key is salted, so crafted SPIs or
 * identities cannot pile into one chain. The heap and the ESP set are kept
 * right lazily: code that may change an SA's timers, children or pending
 * offer marks it (ike_sa_touch — lookups, creation, state changes and
 * sends do it), and every public entry point ends with ike_index_flush,
 * which re-keys and re-registers the marked SAs. ike_index_check compares
 * all of it with a scan of every SA: the differential model the tests and
 * the fuzzer run after each step.
 */
#include "ref/ike/ike_engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IX_MIN_BUCKETS = 64, IX_ESP_MIN = 64 };

/* ---------------------------------------------------------------------- */
/* Hashing                                                                 */

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit moves every output bit */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static size_t bucket(const struct ike_engine *e, uint64_t key)
{
	return (size_t)(mix64(key ^ e->ix.salt) & (e->ix.n_buckets - 1));
}

static uint64_t id_key(uint8_t type, const uint8_t *data, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ type; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                  */

int ike_index_init(struct ike_engine *e)
{
	struct ike_index *ix = &e->ix;

	memset(ix, 0, sizeof *ix);
	/* the salt only has to be unknown to a peer: no rng draw (it would change every SPI and nonce) */
	ix->salt = mix64((uint64_t)(uintptr_t)e ^ (uint64_t)(uintptr_t)&ix);
	ix->n_buckets = IX_MIN_BUCKETS;
	ix->by_spi = calloc(ix->n_buckets, sizeof *ix->by_spi);
	ix->by_peer_spi = calloc(ix->n_buckets, sizeof *ix->by_peer_spi);
	ix->by_id = calloc(ix->n_buckets, sizeof *ix->by_id);
	ix->esp_cap = IX_ESP_MIN;
	ix->esp = calloc(ix->esp_cap, sizeof *ix->esp);
	if (!ix->by_spi || !ix->by_peer_spi || !ix->by_id || !ix->esp)
		return -1;
	return 0;
}

void ike_index_free(struct ike_engine *e)
{
	struct ike_index *ix = &e->ix;

	free(ix->by_spi);
	free(ix->by_peer_spi);
	free(ix->by_id);
	free(ix->heap);
	free(ix->due);
	free(ix->stack);
	free(ix->esp);
	free(e->all);
	memset(ix, 0, sizeof *ix);
	e->all = NULL;
}

/* ---------------------------------------------------------------------- */
/* Chained maps                                                            */

static void chain_unlink(struct ike_sa **head, struct ike_sa *sa, size_t next_off)
{
	for (struct ike_sa **pp = head; *pp != NULL; pp = (struct ike_sa **)((char *)*pp + next_off))
		if (*pp == sa) {
			*pp = *(struct ike_sa **)((char *)sa + next_off);
			return;
		}
}

#define NEXT_OFF(field) offsetof(struct ike_sa, field)

static void link_spi(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	size_t b = bucket(e, sa->spi_key);

	sa->spi_next = e->ix.by_spi[b];
	e->ix.by_spi[b] = sa;
	sa->spi_linked = 1;
}

static void link_peer(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	size_t b = bucket(e, sa->peer_key);

	sa->peer_next = e->ix.by_peer_spi[b];
	e->ix.by_peer_spi[b] = sa;
	sa->peer_linked = 1;
}

static void link_id(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	size_t b = bucket(e, sa->id_key);

	sa->id_next = e->ix.by_id[b];
	e->ix.by_id[b] = sa;
	sa->id_linked = 1;
}

static void unlink_all_maps(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;

	/* by the keys it was linked under: the fields may have changed since */
	if (sa->spi_linked)
		chain_unlink(&e->ix.by_spi[bucket(e, sa->spi_key)], sa, NEXT_OFF(spi_next));
	if (sa->peer_linked)
		chain_unlink(&e->ix.by_peer_spi[bucket(e, sa->peer_key)], sa, NEXT_OFF(peer_next));
	if (sa->id_linked)
		chain_unlink(&e->ix.by_id[bucket(e, sa->id_key)], sa, NEXT_OFF(id_next));
	sa->spi_linked = sa->peer_linked = sa->id_linked = 0;
	sa->spi_next = sa->peer_next = sa->id_next = NULL;
}

/* grow doubles the buckets and links every SA again (in creation order, so chains stay newest first). */
static int grow(struct ike_engine *e)
{
	struct ike_index *ix = &e->ix;
	size_t n = ix->n_buckets * 2;
	struct ike_sa **a = calloc(n, sizeof *a), **b = calloc(n, sizeof *b), **c = calloc(n, sizeof *c);

	if (a == NULL || b == NULL || c == NULL) {
		free(a);
		free(b);
		free(c);
		return -1; /* the maps still work, with longer chains */
	}
	free(ix->by_spi);
	free(ix->by_peer_spi);
	free(ix->by_id);
	ix->by_spi = a;
	ix->by_peer_spi = b;
	ix->by_id = c;
	ix->n_buckets = n;
	for (size_t i = 0; i < e->n_sas; i++) {
		struct ike_sa *sa = e->all[i];
		int s = sa->spi_linked, p = sa->peer_linked, d = sa->id_linked;

		sa->spi_linked = sa->peer_linked = sa->id_linked = 0;
		if (s)
			link_spi(sa);
		if (p)
			link_peer(sa);
		if (d)
			link_id(sa);
	}
	return 0;
}

void ike_index_spi(struct ike_sa *sa)
{
	unlink_all_maps(sa);
	sa->spi_key = ike_sa_our_spi(sa);
	sa->peer_key = sa->spi_i;
	sa->id_key = id_key(sa->peer_id.type, sa->peer_id.data, sa->peer_id.len);
	if (sa->spi_key != 0)
		link_spi(sa);
	if (!sa->initiator && sa->spi_i != 0)
		link_peer(sa);
	if (sa->peer_id.type != 0)
		link_id(sa);
}

struct ike_sa *ike_index_by_spi(const struct ike_engine *e, uint64_t spi)
{
	return e->ix.by_spi[bucket(e, spi)];
}

struct ike_sa *ike_index_by_peer_spi(const struct ike_engine *e, uint64_t spi_i)
{
	return e->ix.by_peer_spi[bucket(e, spi_i)];
}

struct ike_sa *ike_index_by_id(const struct ike_engine *e, const struct ike_id_cfg *id)
{
	return e->ix.by_id[bucket(e, id_key(id->type, id->data, id->len))];
}

/* ---------------------------------------------------------------------- */
/* Deadline heap                                                           */

static void heap_set(struct ike_index *ix, size_t i, struct ike_sa *sa)
{
	ix->heap[i] = sa;
	sa->heap_idx = i;
}

static void heap_up(struct ike_index *ix, size_t i)
{
	struct ike_sa *sa = ix->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (ix->heap[p]->heap_key <= sa->heap_key)
			break;
		heap_set(ix, i, ix->heap[p]);
		i = p;
	}
	heap_set(ix, i, sa);
}

static void heap_down(struct ike_index *ix, size_t i)
{
	struct ike_sa *sa = ix->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		uint64_t k = sa->heap_key;

		if (l < ix->n_heap && ix->heap[l]->heap_key < k) {
			m = l;
			k = ix->heap[l]->heap_key;
		}
		if (r < ix->n_heap && ix->heap[r]->heap_key < k)
			m = r;
		if (m == i)
			break;
		heap_set(ix, i, ix->heap[m]);
		i = m;
	}
	heap_set(ix, i, sa);
}

static void heap_rekey(struct ike_sa *sa, uint64_t key)
{
	struct ike_index *ix = &sa->eng->ix;
	uint64_t old = sa->heap_key;

	sa->heap_key = key;
	if (key < old)
		heap_up(ix, sa->heap_idx);
	else if (key > old)
		heap_down(ix, sa->heap_idx);
}

static void heap_remove(struct ike_sa *sa)
{
	struct ike_index *ix = &sa->eng->ix;
	size_t i = sa->heap_idx;
	struct ike_sa *last = ix->heap[--ix->n_heap];

	sa->heap_idx = SIZE_MAX;
	if (last == sa)
		return;
	heap_set(ix, i, last);
	heap_down(ix, i);
	heap_up(ix, last->heap_idx);
}

uint64_t ike_index_deadline(const struct ike_engine *e)
{
	return e->ix.n_heap > 0 ? e->ix.heap[0]->heap_key : UINT64_MAX;
}

static int by_seq_desc(const void *a, const void *b)
{
	const struct ike_sa *x = *(const struct ike_sa *const *)a, *y = *(const struct ike_sa *const *)b;

	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

size_t ike_index_due(struct ike_engine *e, uint64_t now, struct ike_sa ***out)
{
	struct ike_index *ix = &e->ix;
	size_t n = 0, top = 0;

	*out = NULL;
	if (ix->n_heap == 0 || ix->heap[0]->heap_key > now)
		return 0;
	if (ix->cap_due < ix->n_heap) {
		struct ike_sa **d = realloc(ix->due, ix->n_heap * sizeof *d);
		size_t *s = realloc(ix->stack, ix->n_heap * sizeof *s);

		if (d != NULL)
			ix->due = d;
		if (s != NULL)
			ix->stack = s;
		if (d == NULL || s == NULL)
			return 0;
		ix->cap_due = ix->n_heap;
	}
	/* the subtrees under a node that is not due hold nothing due either */
	ix->stack[top++] = 0;
	while (top > 0) {
		size_t i = ix->stack[--top];

		if (ix->heap[i]->heap_key > now)
			continue;
		if (ix->heap[i]->served != ix->round)
			ix->due[n++] = ix->heap[i];
		if (2 * i + 1 < ix->n_heap)
			ix->stack[top++] = 2 * i + 1;
		if (2 * i + 2 < ix->n_heap)
			ix->stack[top++] = 2 * i + 2;
	}
	/* newest first, the order the engine always served its SAs in */
	qsort(ix->due, n, sizeof *ix->due, by_seq_desc);
	*out = ix->due;
	return n;
}

/* ---------------------------------------------------------------------- */
/* Inbound ESP SPIs: a counted set (a CHILD SA moving between IKE SAs in   */
/* one call is briefly registered by both), open addressing                */

static size_t esp_slot(const struct ike_index *ix, uint32_t spi)
{
	return (size_t)(mix64(spi) & (ix->esp_cap - 1));
}

static struct ike_esp_entry *esp_find(const struct ike_index *ix, uint32_t spi)
{
	for (size_t i = esp_slot(ix, spi);; i = (i + 1) & (ix->esp_cap - 1)) {
		if (ix->esp[i].spi == spi)
			return &ix->esp[i];
		if (ix->esp[i].spi == 0)
			return NULL;
	}
}

static int esp_grow(struct ike_index *ix)
{
	struct ike_esp_entry *old = ix->esp;
	size_t old_cap = ix->esp_cap;
	struct ike_esp_entry *n = calloc(old_cap * 2, sizeof *n);

	if (n == NULL)
		return -1;
	ix->esp = n;
	ix->esp_cap = old_cap * 2;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].spi != 0) {
			size_t k = esp_slot(ix, old[i].spi);

			while (ix->esp[k].spi != 0)
				k = (k + 1) & (ix->esp_cap - 1);
			ix->esp[k] = old[i];
		}
	free(old);
	return 0;
}

static void esp_add(struct ike_sa *sa, uint32_t spi)
{
	struct ike_index *ix = &sa->eng->ix;
	struct ike_esp_entry *en = esp_find(ix, spi);
	size_t k;

	if (en != NULL) {
		en->count++;
		en->sa = sa;
		return;
	}
	if (2 * (ix->esp_n + 1) > ix->esp_cap && esp_grow(ix) < 0 && ix->esp_n + 1 >= ix->esp_cap)
		return; /* no room at all: the SPI is not indexed (allocation falls back to a scan) */
	for (k = esp_slot(ix, spi); ix->esp[k].spi != 0; k = (k + 1) & (ix->esp_cap - 1))
		;
	ix->esp[k].spi = spi;
	ix->esp[k].count = 1;
	ix->esp[k].sa = sa;
	ix->esp_n++;
}

static void esp_del(struct ike_sa *sa, uint32_t spi)
{
	struct ike_index *ix = &sa->eng->ix;
	struct ike_esp_entry *en = esp_find(ix, spi);
	size_t i, j;

	if (en == NULL)
		return;
	if (--en->count > 0)
		return;
	/* backward-shift deletion keeps every probe sequence unbroken */
	i = (size_t)(en - ix->esp);
	ix->esp[i].spi = 0;
	ix->esp_n--;
	for (j = (i + 1) & (ix->esp_cap - 1); ix->esp[j].spi != 0; j = (j + 1) & (ix->esp_cap - 1)) {
		size_t home = esp_slot(ix, ix->esp[j].spi);

		/* move j back into the hole at i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			ix->esp[i] = ix->esp[j];
			ix->esp[j].spi = 0;
			i = j;
		}
	}
}

static int in_list(const uint32_t *l, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == v)
			return 1;
	return 0;
}

/* esp_current: the inbound SPIs |sa| holds now (live CHILD SAs and an offer in flight). */
static size_t esp_current(const struct ike_sa *sa, uint32_t *out)
{
	size_t n = 0;

	if (sa->state == IKE_S_DEAD)
		return 0;
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].spi_in != 0)
			out[n++] = sa->child[i].spi_in;
	if (sa->pending.active && sa->pending.spi_in != 0 && !in_list(out, n, sa->pending.spi_in))
		out[n++] = sa->pending.spi_in;
	return n;
}

/* esp_drop_stale unregisters what |sa| no longer holds; esp_add_new registers what it gained. */
static void esp_drop_stale(struct ike_sa *sa)
{
	uint32_t cur[IKE_CHILD_MAX + 1];
	size_t n = esp_current(sa, cur), k = 0;

	for (size_t i = 0; i < sa->n_esp_reg; i++) {
		if (in_list(cur, n, sa->esp_reg[i]))
			sa->esp_reg[k++] = sa->esp_reg[i];
		else
			esp_del(sa, sa->esp_reg[i]);
	}
	sa->n_esp_reg = k;
}

static void esp_add_new(struct ike_sa *sa)
{
	uint32_t cur[IKE_CHILD_MAX + 1];
	size_t n = esp_current(sa, cur);

	for (size_t i = 0; i < n; i++)
		if (!in_list(sa->esp_reg, sa->n_esp_reg, cur[i]) && sa->n_esp_reg < IKE_CHILD_MAX + 1) {
			esp_add(sa, cur[i]);
			sa->esp_reg[sa->n_esp_reg++] = cur[i];
		}
}

int ike_index_esp_taken(const struct ike_engine *e, uint32_t spi)
{
	const struct ike_index *ix = &e->ix;

	if (esp_find(ix, spi) != NULL)
		return 1;
	for (size_t i = 0; i < ix->n_reserved; i++)
		if (ix->reserved[i] == spi)
			return 1;
	if (ix->n_reserved >= IKE_INDEX_RESERVED) {
		/* more fresh SPIs in one call than we remember (never seen): look everywhere */
		for (size_t s = 0; s < e->n_sas; s++) {
			uint32_t cur[IKE_CHILD_MAX + 1];
			size_t n = esp_current(e->all[s], cur);

			if (in_list(cur, n, spi))
				return 1;
		}
	}
	return 0;
}

void ike_index_esp_reserve(struct ike_engine *e, uint32_t spi)
{
	if (e->ix.n_reserved < IKE_INDEX_RESERVED)
		e->ix.reserved[e->ix.n_reserved++] = spi;
}

struct ike_sa *ike_index_esp_sa(const struct ike_engine *e, uint32_t spi_in)
{
	const struct ike_esp_entry *en = esp_find(&e->ix, spi_in);

	return en != NULL ? en->sa : NULL;
}

/* ---------------------------------------------------------------------- */
/* Marks and flush                                                         */

void ike_sa_touch(struct ike_sa *sa)
{
	struct ike_engine *e;

	if (sa == NULL || sa->dirty)
		return;
	e = sa->eng;
	sa->dirty = 1;
	sa->dirty_next = e->ix.dirty;
	e->ix.dirty = sa;
}

void ike_index_flush(struct ike_engine *e)
{
	struct ike_sa *sa;

	/* removals first: a CHILD SA that moved is the new holder's afterwards */
	for (sa = e->ix.dirty; sa != NULL; sa = sa->dirty_next)
		esp_drop_stale(sa);
	for (sa = e->ix.dirty; sa != NULL; sa = sa->dirty_next) {
		esp_add_new(sa);
		heap_rekey(sa, ike_sa_deadline(sa));
	}
	while ((sa = e->ix.dirty) != NULL) {
		e->ix.dirty = sa->dirty_next;
		sa->dirty_next = NULL;
		sa->dirty = 0;
	}
	e->ix.n_reserved = 0;
}

/* ---------------------------------------------------------------------- */
/* Membership                                                              */

int ike_index_add(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ike_index *ix = &e->ix;

	if (e->n_sas == e->cap_all) {
		size_t cap = e->cap_all ? 2 * e->cap_all : 16;
		struct ike_sa **a = realloc(e->all, cap * sizeof *a), **h;

		if (a == NULL)
			return -1;
		e->all = a;
		h = realloc(ix->heap, cap * sizeof *h);
		if (h == NULL)
			return -1;
		ix->heap = h;
		e->cap_all = cap;
	}
	sa->seq = ++ix->seq;
	sa->all_idx = e->n_sas;
	e->all[e->n_sas++] = sa;
	sa->heap_key = UINT64_MAX;
	sa->heap_idx = ix->n_heap;
	ix->heap[ix->n_heap++] = sa;
	if (e->n_sas > 2 * ix->n_buckets)
		grow(e);
	ike_sa_touch(sa);
	return 0;
}

/* forget: everything but all[] */
static void forget(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;

	if (sa->state == IKE_S_DEAD)
		e->ix.n_dead--;
	else if (sa->state == IKE_S_INIT_DONE)
		e->ix.n_half_open--;
	if (sa->dirty)
		chain_unlink(&e->ix.dirty, sa, NEXT_OFF(dirty_next));
	sa->dirty = 0;
	for (size_t i = 0; i < sa->n_esp_reg; i++)
		esp_del(sa, sa->esp_reg[i]);
	sa->n_esp_reg = 0;
	unlink_all_maps(sa);
	if (sa->heap_idx != SIZE_MAX)
		heap_remove(sa);
}

void ike_index_remove(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;

	forget(sa);
	/* all[] stays in creation order: close the gap */
	memmove(&e->all[sa->all_idx], &e->all[sa->all_idx + 1], (e->n_sas - sa->all_idx - 1) * sizeof *e->all);
	e->n_sas--;
	for (size_t i = sa->all_idx; i < e->n_sas; i++)
		e->all[i]->all_idx = i;
}

void ike_index_compact(struct ike_engine *e)
{
	size_t k = 0;

	if (e->ix.n_dead == 0)
		return;
	for (size_t i = 0; i < e->n_sas; i++) {
		struct ike_sa *sa = e->all[i];

		if (sa->state == IKE_S_DEAD) {
			/* ike_index_remove without its memmove: the loop closes the gaps once */
			forget(sa);
			ike_sa_free_unindexed(sa);
			continue;
		}
		sa->all_idx = k;
		e->all[k++] = sa;
	}
	e->n_sas = k;
}

/* ---------------------------------------------------------------------- */
/* The differential model                                                  */

static int fail(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int chain_has(const struct ike_sa *head, const struct ike_sa *sa, size_t next_off)
{
	for (const struct ike_sa *s = head; s != NULL; s = *(struct ike_sa *const *)((const char *)s + next_off))
		if (s == sa)
			return 1;
	return 0;
}

static size_t chain_len(const struct ike_sa *head, size_t next_off)
{
	size_t n = 0;

	for (const struct ike_sa *s = head; s != NULL; s = *(struct ike_sa *const *)((const char *)s + next_off))
		n++;
	return n;
}

int ike_engine_check(const struct ike_engine *e, char *msg, size_t cap)
{
	const struct ike_index *ix = &e->ix;
	uint64_t naive = UINT64_MAX;
	size_t half_open = 0, dead = 0, spi_n = 0, peer_n = 0, id_n = 0, esp_regs = 0;

	if (ix->dirty != NULL)
		return fail(msg, cap, "index: SAs still marked after an entry point, expected a flush");
	if (ix->n_heap != e->n_sas)
		return fail(msg, cap, "index: %zu SAs in the heap, expected all %zu", ix->n_heap, e->n_sas);
	for (size_t i = 0; i < e->n_sas; i++) {
		const struct ike_sa *sa = e->all[i];
		uint64_t d = ike_sa_deadline(sa);
		uint32_t cur[IKE_CHILD_MAX + 1];
		size_t n;

		if (sa->all_idx != i || (i > 0 && e->all[i - 1]->seq >= sa->seq))
			return fail(msg, cap, "index: SA %zu out of creation order", i);
		if (sa->heap_idx >= ix->n_heap || ix->heap[sa->heap_idx] != sa)
			return fail(msg, cap, "index: SA %zu not where the heap says", i);
		if (sa->heap_key != d)
			return fail(msg, cap, "index: SA %016llx deadline %llu in the heap, %llu by its timers (a change "
					      "without ike_sa_touch)",
				    (unsigned long long)ike_sa_our_spi(sa), (unsigned long long)sa->heap_key,
				    (unsigned long long)d);
		if (d < naive)
			naive = d;
		half_open += sa->state == IKE_S_INIT_DONE;
		dead += sa->state == IKE_S_DEAD;
		if ((ike_sa_our_spi(sa) != 0) != sa->spi_linked ||
		    (sa->spi_linked && !chain_has(ix->by_spi[bucket(e, sa->spi_key)], sa, NEXT_OFF(spi_next))))
			return fail(msg, cap, "index: SA %016llx not in the SPI map", (unsigned long long)ike_sa_our_spi(sa));
		if ((!sa->initiator && sa->spi_i != 0) != sa->peer_linked ||
		    (sa->peer_linked && !chain_has(ix->by_peer_spi[bucket(e, sa->peer_key)], sa, NEXT_OFF(peer_next))))
			return fail(msg, cap, "index: SA %016llx not in the peer SPI map", (unsigned long long)sa->spi_i);
		if ((sa->peer_id.type != 0) != sa->id_linked ||
		    (sa->id_linked && !chain_has(ix->by_id[bucket(e, sa->id_key)], sa, NEXT_OFF(id_next))))
			return fail(msg, cap, "index: SA %016llx not in the identity map", (unsigned long long)sa->spi_i);
		spi_n += sa->spi_linked;
		peer_n += sa->peer_linked;
		id_n += sa->id_linked;
		/* our SPI names one SA only (§2.6 uniqueness, as ike_sa_new_spi draws) */
		if (sa->state != IKE_S_DEAD && ike_sa_our_spi(sa) != 0) {
			for (const struct ike_sa *o = ix->by_spi[bucket(e, ike_sa_our_spi(sa))]; o != NULL; o = o->spi_next)
				if (o != sa && o->state != IKE_S_DEAD && ike_sa_our_spi(o) == ike_sa_our_spi(sa))
					return fail(msg, cap, "index: our SPI %016llx names two SAs",
						    (unsigned long long)ike_sa_our_spi(sa));
		}
		if (sa->spi_linked && sa->spi_key != ike_sa_our_spi(sa))
			return fail(msg, cap, "index: SA linked under SPI %016llx, its SPI is %016llx",
				    (unsigned long long)sa->spi_key, (unsigned long long)ike_sa_our_spi(sa));
		if (sa->peer_linked && sa->peer_key != sa->spi_i)
			return fail(msg, cap, "index: SA linked under peer SPI %016llx, SPIi is %016llx",
				    (unsigned long long)sa->peer_key, (unsigned long long)sa->spi_i);
		if (sa->id_linked && sa->id_key != id_key(sa->peer_id.type, sa->peer_id.data, sa->peer_id.len))
			return fail(msg, cap, "index: SA linked under a stale identity");
		n = esp_current(sa, cur);
		if (n != sa->n_esp_reg)
			return fail(msg, cap, "index: SA %016llx holds %zu inbound ESP SPIs, %zu registered",
				    (unsigned long long)ike_sa_our_spi(sa), n, sa->n_esp_reg);
		for (size_t k = 0; k < n; k++) {
			const struct ike_esp_entry *en = esp_find(ix, cur[k]);

			if (!in_list(sa->esp_reg, sa->n_esp_reg, cur[k]) || en == NULL || en->sa != sa || en->count != 1)
				return fail(msg, cap, "index: ESP SPI %08x of SA %016llx: %s", cur[k],
					    (unsigned long long)ike_sa_our_spi(sa),
					    en == NULL ? "not in the set" : en->sa != sa ? "another SA's" : "held twice");
		}
		esp_regs += n;
	}
	if (ike_index_deadline(e) != naive)
		return fail(msg, cap, "index: heap minimum %llu, scan minimum %llu",
			    (unsigned long long)ike_index_deadline(e), (unsigned long long)naive);
	for (size_t i = 1; i < ix->n_heap; i++)
		if (ix->heap[(i - 1) / 2]->heap_key > ix->heap[i]->heap_key)
			return fail(msg, cap, "index: heap order broken at %zu", i);
	if (half_open != ix->n_half_open || dead != ix->n_dead)
		return fail(msg, cap, "index: %zu half-open / %zu dead counted, %zu / %zu by scan", ix->n_half_open,
			    ix->n_dead, half_open, dead);
	{
		size_t a = 0, b = 0, c = 0;

		for (size_t i = 0; i < ix->n_buckets; i++) {
			a += chain_len(ix->by_spi[i], NEXT_OFF(spi_next));
			b += chain_len(ix->by_peer_spi[i], NEXT_OFF(peer_next));
			c += chain_len(ix->by_id[i], NEXT_OFF(id_next));
		}
		if (a != spi_n || b != peer_n || c != id_n)
			return fail(msg, cap, "index: maps hold %zu/%zu/%zu SAs, expected %zu/%zu/%zu", a, b, c, spi_n,
				    peer_n, id_n);
	}
	if (ix->esp_n != esp_regs)
		return fail(msg, cap, "index: %zu ESP SPIs in the set, %zu held by SAs", ix->esp_n, esp_regs);
	return 0;
}
