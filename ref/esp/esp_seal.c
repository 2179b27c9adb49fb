/* esp_seal.c — outbound ESP packet processing (RFC 4303 §3.3). */
#include "ref/esp/esp_internal.h"

#include <string.h>

/* seal_cbc_iv takes |len| octets from the SA's IV pool, refilling it from the rng. */
static int seal_cbc_iv(struct esp_sa *sa, uint8_t *iv, size_t len)
{
	if (ESP_IVPOOL - sa->ivpool_off < len) {
		if (crypto_rng_fill(&sa->rng, sa->ivpool, ESP_IVPOOL))
			return ESP_ERAND;
		sa->ivpool_off = 0;
	}
	memcpy(iv, sa->ivpool + sa->ivpool_off, len);
	sa->ivpool_off += len;
	return ESP_OK;
}

/*
 * seal_counter_iv writes the 64-bit sequence number as the IV: unique under
 * the key because the counter never wraps (RFC 4106 §3.1, RFC 7634 §2).
 */
static void seal_counter_iv(uint8_t *iv, size_t len, uint64_t seq)
{
	if (len == 8) { /* every AEAD transform */
		esp_put64(iv, seq);
		return;
	}
	for (size_t i = len; i > 0; seq >>= 8)
		iv[--i] = (uint8_t)seq;
}

int esp_seal(struct esp_sa *sa, struct esp_pkt *p, uint8_t next_header)
{
	uint8_t *hdr, *iv, *ct, aad_esn[12], seq_hi[4];
	const uint8_t *aad, *trailer = NULL;
	size_t hl, icv_len, pad, ct_len, aad_len = ESP_HDR_LEN, trailer_len = 0;
	uint64_t seq;
	int rc;

	if (!sa || !esp_pkt_ok(p))
		return ESP_EINVAL;
	if (sa->dir != ESP_DIR_OUT)
		return ESP_EDIR;
	hl = sa->hdr_len;
	icv_len = sa->info.icv_len;
	if (p->off < hl)
		return ESP_ENOSPACE;
	pad = esp_pad_len_fast(p->len, sa->info.pad_align);
	ct_len = p->len + pad + ESP_TRAILER_LEN;
	if (p->cap - p->off - p->len < pad + ESP_TRAILER_LEN + icv_len)
		return ESP_ENOSPACE;
	if (esp_lifetime_hard(&sa->life))
		return ESP_EEXPIRED;
	if (sa->seq >= sa->seq_max)
		return ESP_ESEQ_OVERFLOW; /* §3.3.3: never wrap, rekey instead */

	hdr = p->base + p->off - hl;
	iv = hdr + ESP_HDR_LEN;
	ct = p->base + p->off;
	seq = sa->seq + 1;
	if (sa->info.aead) {
		seal_counter_iv(iv, sa->info.iv_len, seq);
	} else {
		rc = seal_cbc_iv(sa, iv, sa->info.iv_len);
		if (rc)
			return rc;
	}
	sa->seq = seq; /* consumed from here on, even if the cipher fails */
	esp_put64(hdr, (uint64_t)sa->spi << 32 | (uint32_t)seq); /* SPI || Seq_lo */
	esp_pad_write_fast(ct + p->len, pad, next_header);

	aad = hdr;
	if (sa->esn) {
		if (sa->info.aead) {
			/* RFC 4106 §5 / RFC 7634 §2.1: SPI || Seq_hi || Seq_lo */
			esp_put32(aad_esn, sa->spi);
			esp_put32(aad_esn + 4, (uint32_t)(seq >> 32));
			esp_put32(aad_esn + 8, (uint32_t)seq);
			aad = aad_esn;
			aad_len = sizeof aad_esn;
		} else {
			/* RFC 4303 §2.2.1: Seq_hi appended for the ICV only */
			esp_put32(seq_hi, (uint32_t)(seq >> 32));
			trailer = seq_hi;
			trailer_len = sizeof seq_hi;
		}
	}
	rc = crypto_aead_seal(sa->aead, aad, aad_len, iv, ct, ct_len, trailer, trailer_len,
			      ct + ct_len);
	if (rc)
		return ESP_ECRYPTO;
	esp_lifetime_add(&sa->life, ct_len);
	p->off -= hl;
	p->len = hl + ct_len + icv_len;
	return ESP_OK;
}
