/*
 * esp_internal.h — the layout of struct esp_sa, shared by esp_sa.c,
 * esp_seal.c and esp_open.c only. Nothing outside ref/esp includes it.
 */
#ifndef VPNLAB_REF_ESP_INTERNAL_H
#define VPNLAB_REF_ESP_INTERNAL_H

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

static inline uint32_t esp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* esp_pkt_ok: the span lies inside the buffer. */
static inline int esp_pkt_ok(const struct esp_pkt *p)
{
	return p && p->base && p->off <= p->cap && p->len <= p->cap - p->off;
}

#endif
