/*
 * conf_keyset.h — a sorted set of 64-bit keys with one 32-bit value each,
 * so rules that relate two lists (ESP packets to IKE SAs, packets to
 * address pairs) stay O(n log n) on large captures instead of O(n * m).
 * Add keys, build once, then look up.
 */
#ifndef VPNLAB_CONF_KEYSET_H
#define VPNLAB_CONF_KEYSET_H

#include <stdint.h>

struct conf_keyset {
	uint64_t *key;
	uint32_t *val;
	uint32_t n, cap;
	int oom;
};

/* conf_keyset_add adds |key| -> |val|; a key added twice keeps the smaller value. */
void conf_keyset_add(struct conf_keyset *s, uint64_t key, uint32_t val);
/* conf_keyset_build sorts and merges duplicates; call before conf_keyset_find. */
void conf_keyset_build(struct conf_keyset *s);
/* conf_keyset_find returns 1 and sets |val| (if not NULL) when |key| is present. */
int conf_keyset_find(const struct conf_keyset *s, uint64_t key, uint32_t *val);
void conf_keyset_free(struct conf_keyset *s);

/* conf_pair_key: an unordered pair of IPv4 addresses. */
static inline uint64_t conf_pair_key(uint32_t a, uint32_t b)
{
	return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/*
 * conf_pair_since: the unordered address pair (|a|, |b|) is in |pairs|
 * (conf_pair_key -> a frame number) and |frame| comes after that frame,
 * which *|since| receives: "traffic between two hosts after event E".
 */
static inline int conf_pair_since(const struct conf_keyset *pairs, uint32_t a, uint32_t b, uint32_t frame,
				  uint32_t *since)
{
	return conf_keyset_find(pairs, conf_pair_key(a, b), since) && frame > *since;
}

/* conf_tuple_key: a directed (src, dst, sport, dport) tuple, hashed to 64 bits (splitmix64). */
static inline uint64_t conf_tuple_key(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint64_t z = ((uint64_t)src << 32 | dst) ^ ((uint64_t)sport << 16 | dport) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
