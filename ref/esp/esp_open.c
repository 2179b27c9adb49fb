/* esp_open.c — inbound ESP packet processing (RFC 4303 §3.4). */
#include "ref/esp/esp_internal.h"

#include <string.h>

/*
 * open_inner checks the inner IPv4 header of a tunnel-mode payload and
 * returns its Total Length (what follows is TFC padding, §2.7), or 0.
 */
static size_t open_inner(const uint8_t *ip, size_t len)
{
	size_t ihl, tot;

	if (len < ESP_IPV4_MIN_HDR || (ip[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (ihl < ESP_IPV4_MIN_HDR || tot < ihl || tot > len)
		return 0;
	return tot;
}

int esp_open(struct esp_sa *sa, struct esp_pkt *p, struct esp_rx *rx)
{
	struct esp_rx scratch;
	uint8_t *hdr, *iv, *ct, aad_esn[12], seq_hi[4];
	const uint8_t *aad, *trailer = NULL;
	size_t hl, icv_len, ct_len, payload_len, inner_len, aad_len = ESP_HDR_LEN, trailer_len = 0;
	uint64_t seq;
	int rc;

	if (!rx)
		rx = &scratch;
	memset(rx, 0, sizeof *rx);
	if (!sa || !esp_pkt_ok(p))
		return ESP_EINVAL;
	if (sa->dir != ESP_DIR_IN)
		return ESP_EDIR;

	/* 1. Structure: header, SPI, room for IV + trailer + ICV, alignment. */
	hl = sa->hdr_len;
	icv_len = sa->info.icv_len;
	hdr = p->base + p->off;
	if (p->len < ESP_HDR_LEN)
		return ESP_ETRUNC;
	rx->spi = esp_get32(hdr);
	if (rx->spi != sa->spi)
		return ESP_ESPI;
	if (p->len < hl + ESP_TRAILER_LEN + icv_len)
		return ESP_ETRUNC;
	ct_len = p->len - hl - icv_len;
	if (ct_len & (sa->info.pad_align - 1)) /* a power of two (esp_sa_new checks) */
		return ESP_EALIGN;

	/* 2. Sequence number: the cheap replay reject, before the ICV (§3.4.3). */
	rc = esp_replay_check(sa->replay, esp_get32(hdr + 4), &seq);
	rx->seq = seq;
	if (rc)
		return rc;
	if (esp_lifetime_hard(&sa->life))
		return ESP_EEXPIRED;

	/* 3. ICV and decryption (constant-time compare in the crypto layer). */
	iv = hdr + ESP_HDR_LEN;
	ct = hdr + hl;
	aad = hdr;
	if (sa->esn) {
		if (sa->info.aead) {
			esp_put32(aad_esn, sa->spi);
			esp_put32(aad_esn + 4, (uint32_t)(seq >> 32));
			esp_put32(aad_esn + 8, (uint32_t)seq);
			aad = aad_esn;
			aad_len = sizeof aad_esn;
		} else {
			esp_put32(seq_hi, (uint32_t)(seq >> 32));
			trailer = seq_hi;
			trailer_len = sizeof seq_hi;
		}
	}
	rc = crypto_aead_open(sa->aead, aad, aad_len, iv, ct, ct_len, trailer, trailer_len,
			      ct + ct_len);
	if (rc)
		return rc == CRYPTO_EAUTH ? ESP_EICV : ESP_ECRYPTO;
	rx->authenticated = 1;

	/* 4. Only an authentic packet moves the window (§3.4.3) and counts. */
	esp_replay_update(sa->replay, seq);
	esp_lifetime_add(&sa->life, ct_len);

	/* 5. Trailer: padding 1,2,3,..., Next Header. */
	rc = esp_pad_parse(ct, ct_len, &payload_len, &rx->next_header, &rx->pad_len);
	if (rc)
		return rc;
	p->off += hl;
	p->len = payload_len;
	if (rx->next_header == ESP_NH_NONE)
		return ESP_EDUMMY;
	if (rx->next_header != ESP_NH_IPV4)
		return ESP_ENEXTHDR;
	inner_len = open_inner(ct, payload_len);
	if (!inner_len)
		return ESP_EINNER;
	p->len = inner_len;
	return ESP_OK;
}
