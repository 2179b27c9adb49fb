/*
 * crypto_x509_cache.c — a bounded, caller-owned DER -> parsed certificate
 * cache (crypto_x509.h).
 *
 * A flat array scanned linearly: caches are small (tens to a few hundred
 * certificates: a gateway's peers share their intermediates), a scan
 * compares one 64-bit hash per entry, and a flat array keeps eviction and
 * its tests obvious. Recency is a counter bumped on every use (no clock:
 * ref/ is sans-IO); eviction takes the smallest.
 */
#include "ref/crypto/crypto_x509.h"

#include <stdlib.h>
#include <string.h>

struct crypto_x509_cache_entry {
	struct crypto_x509 *cert; /* the cache's reference */
	uint64_t hash;            /* FNV-1a of the DER */
	uint64_t used;            /* value of |tick| at the last hit or insert */
};

struct crypto_x509_cache {
	struct crypto_x509_cache_entry *e;
	size_t n, max_entries, max_octets;
	uint64_t tick;
	struct crypto_x509_cache_stats st;
};

/* crypto_x509_cache_hash is 64-bit FNV-1a: a quick filter before memcmp, not a security boundary. */
static uint64_t crypto_x509_cache_hash(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct crypto_x509_cache *crypto_x509_cache_new(size_t max_entries, size_t max_octets)
{
	struct crypto_x509_cache *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->max_entries = max_entries ? max_entries : CRYPTO_X509_CACHE_DEFAULT_ENTRIES;
	c->max_octets = max_octets ? max_octets : CRYPTO_X509_CACHE_DEFAULT_OCTETS;
	c->e = calloc(c->max_entries, sizeof *c->e);
	if (c->e == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void crypto_x509_cache_free(struct crypto_x509_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		crypto_x509_free(c->e[i].cert);
	free(c->e);
	free(c);
}

/* crypto_x509_cache_evict drops the least recently used entry (the holders' references live on). */
static void crypto_x509_cache_evict(struct crypto_x509_cache *c)
{
	size_t lru = 0, len = 0;

	for (size_t i = 1; i < c->n; i++)
		if (c->e[i].used < c->e[lru].used)
			lru = i;
	crypto_x509_der(c->e[lru].cert, &len);
	crypto_x509_free(c->e[lru].cert);
	c->st.octets -= len;
	c->e[lru] = c->e[--c->n];
	c->st.evictions++;
}

/*
 * crypto_x509_cache_same_der: lookups compare against crypto_x509_der, the
 * re-encoding; a BER input OpenSSL accepted re-encodes differently and is
 * not remembered (it would never be found again).
 */
static int crypto_x509_cache_same_der(const struct crypto_x509 *x, const uint8_t *der, size_t len)
{
	size_t have = 0;
	const uint8_t *p = crypto_x509_der(x, &have);

	return have == len && memcmp(p, der, len) == 0;
}

struct crypto_x509 *crypto_x509_cache_parse_der(struct crypto_x509_cache *c, const uint8_t *der,
						size_t len, struct crypto_diag *d)
{
	struct crypto_x509 *x;
	uint64_t h;

	if (c == NULL || der == NULL || len == 0)
		return crypto_x509_parse_der(der, len, d);
	h = crypto_x509_cache_hash(der, len);
	for (size_t i = 0; i < c->n; i++) {
		size_t have;
		const uint8_t *p;

		if (c->e[i].hash != h)
			continue;
		p = crypto_x509_der(c->e[i].cert, &have);
		if (have == len && memcmp(p, der, len) == 0) {
			c->e[i].used = ++c->tick;
			c->st.hits++;
			return crypto_x509_ref(c->e[i].cert);
		}
	}
	c->st.misses++;
	x = crypto_x509_parse_der(der, len, d);
	if (x == NULL || len > c->max_octets || !crypto_x509_cache_same_der(x, der, len))
		return x;
	while (c->n > 0 && (c->n == c->max_entries || c->st.octets + len > c->max_octets))
		crypto_x509_cache_evict(c);
	c->e[c->n++] = (struct crypto_x509_cache_entry){crypto_x509_ref(x), h, ++c->tick};
	c->st.octets += len;
	return x;
}

void crypto_x509_cache_get_stats(const struct crypto_x509_cache *c, struct crypto_x509_cache_stats *st)
{
	if (st == NULL)
		return;
	memset(st, 0, sizeof *st);
	if (c == NULL)
		return;
	*st = c->st;
	st->entries = c->n;
}
