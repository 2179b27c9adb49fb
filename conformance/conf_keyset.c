/* conf_keyset.c — sorted key set for linear-time rule checks. */
#include "conformance/conf_keyset.h"

#include <stdlib.h>

void conf_keyset_add(struct conf_keyset *s, uint64_t key, uint32_t val)
{
	if (s->oom)
		return;
	if (s->n == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 64;
		uint64_t *k = realloc(s->key, nc * sizeof *k);
		if (!k) {
			s->oom = 1;
			return;
		}
		s->key = k;
		uint32_t *v = realloc(s->val, nc * sizeof *v);
		if (!v) {
			s->oom = 1;
			return;
		}
		s->val = v;
		s->cap = nc;
	}
	s->key[s->n] = key;
	s->val[s->n] = val;
	s->n++;
}

struct kv {
	uint64_t k;
	uint32_t v;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

void conf_keyset_build(struct conf_keyset *s)
{
	if (s->oom || s->n < 2)
		return;
	struct kv *t = malloc(s->n * sizeof *t);
	if (!t) {
		s->oom = 1;
		return;
	}
	for (uint32_t i = 0; i < s->n; i++)
		t[i] = (struct kv){s->key[i], s->val[i]};
	qsort(t, s->n, sizeof *t, cmp_kv);
	uint32_t m = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		if (m && s->key[m - 1] == t[i].k)
			continue; /* the smallest value comes first */
		s->key[m] = t[i].k;
		s->val[m] = t[i].v;
		m++;
	}
	s->n = m;
	free(t);
}

int conf_keyset_find(const struct conf_keyset *s, uint64_t key, uint32_t *val)
{
	uint32_t lo = 0, hi = s->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->key[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->key[lo] == key) {
		if (val)
			*val = s->val[lo];
		return 1;
	}
	return 0;
}

void conf_keyset_free(struct conf_keyset *s)
{
	free(s->key);
	free(s->val);
	s->key = NULL;
	s->val = NULL;
	s->n = s->cap = 0;
}
