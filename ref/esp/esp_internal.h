/*
 * esp_internal.h — the layout of struct esp_sa, shared by esp_sa.c,
 * esp_seal.c and esp_open.c only. Nothing outside ref/esp includes it.
 */
#ifndef VPNLAB_REF_ESP_INTERNAL_H
#define VPNLAB_REF_ESP_INTERNAL_H

#include <string.h>

#include "ref/esp/esp.h"
#include "ref/esp/esp_replay.h"

/*
 * ESP_IVPOOL: CBC IVs are drawn from the SA's crypto_rng this many octets
 * at a time (16 AES IVs) rather than one callback per packet.
 */
#define ESP_IVPOOL 256

struct esp_sa {
	uint32_t spi;
	enum esp_dir dir;
	int esn;
	struct crypto_aead *aead;
	struct crypto_aead_info info;   /* copy of crypto_aead_get_info() */
	size_t hdr_len;                 /* ESP_HDR_LEN + iv_len */
	uint64_t seq;                   /* outbound: last sent */
	uint64_t seq_max;               /* UINT32_MAX, or UINT64_MAX with ESN */
	struct esp_lifetime life;
	struct esp_replay *replay;      /* inbound: in the same allocation */
	struct crypto_rng rng;
	size_t ivpool_off;              /* next unused octet of ivpool */
	uint8_t ivpool[ESP_IVPOOL];
};

static inline void esp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * esp_put64 stores big-endian in ONE 8-octet store: the crypto layer then
 * loads the header/IV as 8 octets, and a load spanning two smaller stores
 * cannot be forwarded from the store buffer (a stall of ~10+ cycles).
 */
static inline void esp_put64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof v);
#else
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
#endif
}

static inline uint32_t esp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The per-packet helpers below are inline so seal/open make no call but the
 * crypto one; esp_pad.c and esp_lifetime.c are their public wrappers.
 */

/* esp_pad_len_fast: esp_pad_len for a power-of-two |align| (every ESP transform). */
static inline size_t esp_pad_len_fast(size_t payload_len, size_t align)
{
	return (align - ((payload_len + ESP_TRAILER_LEN) & (align - 1))) & (align - 1);
}

static inline void esp_pad_write_fast(uint8_t *p, size_t pad, uint8_t next_header)
{
	for (size_t i = 0; i < pad; i++)
		p[i] = (uint8_t)(i + 1);
	p[pad] = (uint8_t)pad;
	p[pad + 1] = next_header;
}

/* esp_lifetime_hard: a hard limit is reached (a limit of 0 is none). */
static inline int esp_lifetime_hard(const struct esp_lifetime *lt)
{
	return (lt->cfg.hard_packets && lt->packets >= lt->cfg.hard_packets) ||
	       (lt->cfg.hard_bytes && lt->bytes >= lt->cfg.hard_bytes);
}

static inline void esp_lifetime_add(struct esp_lifetime *lt, uint64_t bytes)
{
	lt->packets++;
	lt->bytes = bytes > UINT64_MAX - lt->bytes ? UINT64_MAX : lt->bytes + bytes;
}

/* esp_pkt_ok: the span lies inside the buffer. */
static inline int esp_pkt_ok(const struct esp_pkt *p)
{
	return p && p->base && p->off <= p->cap && p->len <= p->cap - p->off;
}

#endif
