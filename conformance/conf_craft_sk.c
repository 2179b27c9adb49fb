/* conf_craft_sk.c — encrypted IKEv2 messages and ESP packets for test captures (conf_craft_sk.h). */
#include "conformance/conf_craft_sk.h"

#include <string.h>

#include "ref/crypto/crypto_diag.h"
#include "ref/ike/ike_msg.h"
#include "ref/ike/ike_sk.h"

void conf_craft_sk_chain_init(struct conf_craft_sk_chain *ch)
{
	ch->len = 0;
	ch->first = 0;
	ch->np_at = SIZE_MAX;
	ch->err = 0;
}

void conf_craft_sk_chain_add(struct conf_craft_sk_chain *ch, uint8_t type, const uint8_t *body, size_t len)
{
	if (ch->err || len + 4 > 0xffff || ch->len + 4 + len > sizeof ch->buf) {
		ch->err = 1;
		return;
	}
	if (ch->np_at == SIZE_MAX)
		ch->first = type;
	else
		ch->buf[ch->np_at] = type;
	uint8_t *h = ch->buf + ch->len;
	h[0] = 0;
	h[1] = 0;
	ike_put16(h + 2, (uint16_t)(len + 4));
	if (len)
		memcpy(h + 4, body, len);
	ch->np_at = ch->len;
	ch->len += 4 + len;
}

void conf_craft_sk_chain_raw(struct conf_craft_sk_chain *ch, const uint8_t *p, size_t len)
{
	if (ch->err || ch->len + len > sizeof ch->buf) {
		ch->err = 1;
		return;
	}
	memcpy(ch->buf + ch->len, p, len);
	ch->len += len;
}

static void craft_hdr(struct ike_hdr *h, const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch, uint8_t flags,
		      uint32_t msgid)
{
	memset(h, 0, sizeof *h);
	for (int i = 0; i < 8; i++) {
		h->spi_i = h->spi_i << 8 | spi_i[i];
		h->spi_r = h->spi_r << 8 | spi_r[i];
	}
	h->major = IKE_MAJOR_VERSION;
	h->minor = IKE_MINOR_VERSION;
	h->exchange = exch;
	h->flags = flags;
	h->msg_id = msgid;
}

/* seal ends the open SK/SKF payload of |mb| and encrypts it as the sender the I flag names. */
static size_t seal(struct ike_msg_builder *mb, struct ike_keys *k, uint8_t flags, const struct crypto_rng *rng,
		   int sk_np, unsigned opts)
{
	struct ike_sk_seal s;
	size_t sk_off = mb->sk_off;
	if (ike_msg_build_sk_end(mb, &s) < 0)
		return 0;
	if (sk_np >= 0)
		mb->b.p[sk_off] = (uint8_t)sk_np; /* the first inner type (raw content has no header to link) */
	if (opts & CONF_CRAFT_SK_BAD_PAD)
		s.plain[s.plain_len - 1] = 255;
	if (ike_sk_encrypt(k, (flags & IKE_FLAG_I) != 0, &s, rng, NULL) != IKE_SK_OK)
		return 0;
	return s.msg_len;
}

size_t conf_craft_sk_msg(uint8_t *out, size_t cap, struct ike_keys *k, const uint8_t spi_i[8],
			 const uint8_t spi_r[8], uint8_t exch, uint8_t flags, uint32_t msgid,
			 const struct conf_craft_sk_chain *ch, const struct crypto_rng *rng, unsigned opts)
{
	struct ike_msg_builder mb;
	struct ike_hdr h;
	size_t iv, icv, blk;
	if (ch->err)
		return 0;
	craft_hdr(&h, spi_i, spi_r, exch, flags, msgid);
	ike_sk_layout(k, &iv, &icv, &blk);
	ike_msg_build_init(&mb, out, cap, &h);
	if (ike_msg_build_sk_begin(&mb, iv, icv, blk) < 0 || ike_msg_build_sk_raw(&mb, ch->buf, ch->len) < 0)
		return 0;
	return seal(&mb, k, flags, rng, ch->first, opts);
}

int conf_craft_sk_frags(uint8_t (*out)[CONF_CRAFT_SK_FRAG_MAX], size_t *lens, int max, struct ike_keys *k,
			const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch, uint8_t flags, uint32_t msgid,
			const struct conf_craft_sk_chain *ch, size_t share, const struct crypto_rng *rng)
{
	if (ch->err || !share)
		return -1;
	size_t total = (ch->len + share - 1) / share;
	if (!total || total > (size_t)max || total > 0xffff)
		return -1;
	struct ike_hdr h;
	size_t iv, icv, blk;
	craft_hdr(&h, spi_i, spi_r, exch, flags, msgid);
	ike_sk_layout(k, &iv, &icv, &blk);
	for (size_t f = 0; f < total; f++) {
		struct ike_msg_builder mb;
		size_t off = f * share, n = ch->len - off < share ? ch->len - off : share;
		ike_msg_build_init(&mb, out[f], CONF_CRAFT_SK_FRAG_MAX, &h);
		if (ike_msg_build_skf_begin(&mb, (uint16_t)(f + 1), (uint16_t)total, f ? 0 : ch->first, iv, icv, blk) < 0 ||
		    ike_msg_build_sk_raw(&mb, ch->buf + off, n) < 0)
			return -1;
		lens[f] = seal(&mb, k, flags, rng, -1, 0);
		if (!lens[f])
			return -1;
	}
	return (int)total;
}

size_t conf_craft_sk_esp(uint8_t *out, size_t cap, struct esp_sa *sa, const uint8_t *inner, size_t len, uint8_t nh)
{
	size_t head = esp_sa_headroom(sa), tail = esp_sa_tailroom(sa, len);
	if (head + len + tail > cap)
		return 0;
	memcpy(out + head, inner, len);
	struct esp_pkt p = {out, cap, head, len};
	if (esp_seal(sa, &p, nh) != ESP_OK)
		return 0;
	memmove(out, out + p.off, p.len);
	return p.len;
}

size_t conf_craft_sk_esp_pad(uint8_t *out, size_t cap, const struct conf_esp_key *e, uint32_t spi, uint32_t seq,
			     const uint8_t *iv, const uint8_t *inner, size_t len, uint8_t nh, const uint8_t *pad,
			     size_t pad_len)
{
	struct crypto_aead_info info;
	if (crypto_aead_lookup(e->alg, e->cipher_key_len, &info) != CRYPTO_OK || pad_len > 255)
		return 0;
	size_t ct_len = len + pad_len + 2;
	if (ESP_HDR_LEN + info.iv_len + ct_len + info.icv_len > cap)
		return 0;
	int rc = CRYPTO_OK;
	struct crypto_aead *a = crypto_aead_new(e->alg, e->enc, e->enc_len, e->integ_len ? e->integ : NULL,
						e->integ_len, &rc);
	if (!a)
		return 0;
	ike_put32(out, spi);
	ike_put32(out + 4, seq);
	memcpy(out + ESP_HDR_LEN, iv, info.iv_len);
	uint8_t *ct = out + ESP_HDR_LEN + info.iv_len;
	memcpy(ct, inner, len);
	memcpy(ct + len, pad, pad_len);
	ct[len + pad_len] = (uint8_t)pad_len;
	ct[len + pad_len + 1] = nh;
	/* RFC 4303 §2.2.1 / RFC 4106 §5: SPI || Sequence Number are the AAD (no ESN) */
	rc = crypto_aead_seal(a, out, ESP_HDR_LEN, iv, ct, ct_len, NULL, 0, ct + ct_len);
	crypto_aead_free(a);
	return rc == CRYPTO_OK ? ESP_HDR_LEN + info.iv_len + ct_len + info.icv_len : 0;
}
