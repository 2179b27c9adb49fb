/*
 * ip4_reasm.c — IPv4 reassembly (RFC 791 §3.2, RFC 815 "holes" kept as a
 * bitmap of 8-octet blocks). A datagram is keyed by (src, dst, protocol,
 * id); its timer starts at the first fragment and is not restarted. The
 * table is bounded in datagrams and in buffered octets so hostile input
 * cannot grow it. Overlaps are accepted, the later octets win.
 */
#include "sim/ip/ip4.h"

#include <stdlib.h>
#include <string.h>

enum { BLOCKS = 8192 }; /* 65536 / 8 */

struct slot {
	int used;
	struct ip4_reasm_key key;
	uint64_t expires;
	uint8_t hdr[IP4_HDR_MAX]; /* from the offset-0 fragment */
	size_t hlen;              /* 0 until the first fragment arrived */
	size_t end;               /* data length, known once MF=0 arrived */
	int have_last;
	uint8_t *data;
	size_t cap;
	uint8_t bits[BLOCKS / 8];
};

struct ip4_reasm {
	struct ip4_reasm_cfg cfg;
	struct slot *slots;
	size_t bytes; /* sum of slot caps */
	size_t pending;
};

struct ip4_reasm *ip4_reasm_new(const struct ip4_reasm_cfg *cfg)
{
	struct ip4_reasm *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	if (cfg)
		r->cfg = *cfg;
	if (!r->cfg.timeout_ns)
		r->cfg.timeout_ns = 30000000000ull;
	if (!r->cfg.max_datagrams)
		r->cfg.max_datagrams = 64;
	if (!r->cfg.max_bytes)
		r->cfg.max_bytes = 1 << 20;
	r->slots = calloc(r->cfg.max_datagrams, sizeof *r->slots);
	if (!r->slots) {
		free(r);
		return NULL;
	}
	return r;
}

static void slot_clear(struct ip4_reasm *r, struct slot *s)
{
	r->bytes -= s->cap;
	free(s->data);
	memset(s, 0, sizeof *s);
	r->pending--;
}

void ip4_reasm_free(struct ip4_reasm *r)
{
	if (!r)
		return;
	ip4_reasm_flush(r);
	free(r->slots);
	free(r);
}

static int key_eq(const struct ip4_reasm_key *a, const struct ip4_reasm_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->id == b->id && a->proto == b->proto;
}

static struct slot *find(struct ip4_reasm *r, const struct ip4_reasm_key *k, uint64_t now,
			 int *err)
{
	struct slot *free_slot = NULL;

	for (size_t i = 0; i < r->cfg.max_datagrams; i++) {
		struct slot *s = &r->slots[i];

		if (s->used && key_eq(&s->key, k))
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
	}
	if (!free_slot) {
		*err = IP4_EREASM_FULL;
		return NULL;
	}
	free_slot->used = 1;
	free_slot->key = *k;
	free_slot->expires = now + r->cfg.timeout_ns;
	r->pending++;
	return free_slot;
}

static int grow(struct ip4_reasm *r, struct slot *s, size_t need)
{
	size_t cap = s->cap ? s->cap : 2048;
	uint8_t *d;

	if (need <= s->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > IP4_MAX_LEN)
		cap = IP4_MAX_LEN;
	if (r->bytes - s->cap + cap > r->cfg.max_bytes)
		return IP4_EREASM_FULL;
	d = realloc(s->data, cap);
	if (!d)
		return IP4_ENOMEM;
	memset(d + s->cap, 0, cap - s->cap);
	r->bytes += cap - s->cap;
	s->data = d;
	s->cap = cap;
	return 0;
}

static int complete(const struct slot *s)
{
	if (!s->hlen || !s->have_last)
		return 0;
	for (size_t b = 0; b < (s->end + 7) / 8; b++)
		if (!(s->bits[b / 8] & (1u << (b % 8))))
			return 0;
	return 1;
}

int ip4_reasm_input(struct ip4_reasm *r, uint64_t now, const uint8_t *pkt,
		    const struct ip4_hdr *h, uint8_t **out, size_t *out_len)
{
	struct ip4_reasm_key k = {h->src, h->dst, h->id, h->proto};
	size_t dlen = (size_t)h->total_len - h->hlen;
	size_t off = h->frag_off, end = off + dlen;
	struct slot *s;
	int err = 0;
	uint8_t *d;

	s = find(r, &k, now, &err);
	if (!s)
		return err;
	/* Every fragment but the last carries a non-empty multiple of 8. */
	if ((h->mf && (dlen == 0 || dlen % 8)) || end > IP4_MAX_LEN - IP4_HDR_MIN ||
	    (s->have_last && (end > s->end || (!h->mf && end != s->end))) ||
	    (!h->mf && end < s->end)) {
		slot_clear(r, s);
		return end > IP4_MAX_LEN - IP4_HDR_MIN ? IP4_EREASM_TOOBIG : IP4_EREASM_BAD;
	}
	if (!h->mf) {
		s->have_last = 1;
		s->end = end;
	} else if (end > s->end) {
		s->end = end; /* high-water mark until the last fragment says */
	}
	err = grow(r, s, end);
	if (err) {
		slot_clear(r, s);
		return err;
	}
	if (dlen)
		memcpy(s->data + off, pkt + h->hlen, dlen);
	for (size_t b = off / 8; b < (end + 7) / 8; b++)
		s->bits[b / 8] |= (uint8_t)(1u << (b % 8));
	if (off == 0) {
		memcpy(s->hdr, pkt, h->hlen);
		s->hlen = h->hlen;
	}
	if (!complete(s))
		return 0;
	if (s->hlen + s->end > IP4_MAX_LEN) {
		slot_clear(r, s);
		return IP4_EREASM_TOOBIG;
	}
	d = malloc(s->hlen + s->end);
	if (!d) {
		slot_clear(r, s);
		return IP4_ENOMEM;
	}
	memcpy(d, s->hdr, s->hlen);
	if (s->end)
		memcpy(d + s->hlen, s->data, s->end);
	ip4_put16(d + IP4_OFF_TOTLEN, (uint16_t)(s->hlen + s->end));
	ip4_put16(d + IP4_OFF_FRAG, (uint16_t)(ip4_get16(d + IP4_OFF_FRAG) & IP4_FLAG_DF));
	ip4_hdr_set_csum(d);
	*out = d;
	*out_len = s->hlen + s->end;
	slot_clear(r, s);
	return 1;
}

uint64_t ip4_reasm_deadline(const struct ip4_reasm *r)
{
	uint64_t t = UINT64_MAX;

	for (size_t i = 0; r->pending && i < r->cfg.max_datagrams; i++)
		if (r->slots[i].used && r->slots[i].expires < t)
			t = r->slots[i].expires;
	return t;
}

size_t ip4_reasm_expire(struct ip4_reasm *r, uint64_t now,
			void (*cb)(void *ctx, const struct ip4_reasm_key *k), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; r->pending && i < r->cfg.max_datagrams; i++) {
		struct slot *s = &r->slots[i];

		if (s->used && s->expires <= now) {
			struct ip4_reasm_key k = s->key;

			slot_clear(r, s);
			n++;
			if (cb)
				cb(ctx, &k);
		}
	}
	return n;
}

size_t ip4_reasm_flush(struct ip4_reasm *r)
{
	size_t n = 0;

	for (size_t i = 0; r->pending && i < r->cfg.max_datagrams; i++)
		if (r->slots[i].used) {
			slot_clear(r, &r->slots[i]);
			n++;
		}
	return n;
}

size_t ip4_reasm_pending(const struct ip4_reasm *r)
{
	return r->pending;
}
