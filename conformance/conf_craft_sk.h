/*
 * conf_craft_sk.h — encrypted packets with real keys, for the test captures
 * and fuzz seeds of `vpnlab check --keys`: IKEv2 messages with an SK or SKF
 * payload (ref/ike builder + ike_sk_encrypt) and ESP packets (esp_seal, or
 * crypto_aead_seal with the padding given, to make wrong padding on
 * purpose). The plaintext is a payload chain built here, so tests can put
 * anything inside, malformed chains included.
 *
 *   struct conf_craft_sk_chain ch;
 *   conf_craft_sk_chain_init(&ch);
 *   conf_craft_sk_chain_add(&ch, IKE_PL_IDI, idi, idi_len);
 *   n = conf_craft_sk_msg(out, sizeof out, keys, spi_i, spi_r, IKE_AUTH, IKE_FLAG_I, 1, &ch, rng, 0);
 */
#ifndef VPNLAB_CONF_CRAFT_SK_H
#define VPNLAB_CONF_CRAFT_SK_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/conf_keys.h"
#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "ref/ike/ike_keys.h"

/* conf_craft_sk_chain: an inner payload chain (generic headers linked by Next Payload). */
struct conf_craft_sk_chain {
	uint8_t buf[6144];
	size_t len;
	uint8_t first;         /* type of the first payload (the SK's Next Payload) */
	size_t np_at;          /* Next Payload octet of the last payload; SIZE_MAX: none yet */
	int err;
};

void conf_craft_sk_chain_init(struct conf_craft_sk_chain *ch);
/* conf_craft_sk_chain_add appends a payload of |type| with |body| (|len| octets). */
void conf_craft_sk_chain_add(struct conf_craft_sk_chain *ch, uint8_t type, const uint8_t *body, size_t len);
/* conf_craft_sk_chain_raw appends octets as they are (a malformed chain on purpose). */
void conf_craft_sk_chain_raw(struct conf_craft_sk_chain *ch, const uint8_t *p, size_t len);

enum {
	CONF_CRAFT_SK_BAD_PAD = 1, /* Pad Length octet 255: runs past the plaintext (§3.14) */
};

/*
 * conf_craft_sk_msg writes HDR, SK {chain} protected with |k|: the sender
 * is the original initiator when |flags| has IKE_FLAG_I (SK_ei/SK_ai).
 * |rng| gives CBC IVs. Returns the message length, 0 on error.
 */
size_t conf_craft_sk_msg(uint8_t *out, size_t cap, struct ike_keys *k, const uint8_t spi_i[8],
			 const uint8_t spi_r[8], uint8_t exch, uint8_t flags, uint32_t msgid,
			 const struct conf_craft_sk_chain *ch, const struct crypto_rng *rng, unsigned opts);

/*
 * conf_craft_sk_frags splits the chain into SKF fragments of at most
 * |share| plaintext octets each (RFC 7383 §2.5), one message per fragment
 * in |out| (each CONF_CRAFT_SK_FRAG_MAX octets, lengths in |lens|).
 * Returns the fragment count, -1 on error or more than |max|.
 */
#define CONF_CRAFT_SK_FRAG_MAX 2048
int conf_craft_sk_frags(uint8_t (*out)[CONF_CRAFT_SK_FRAG_MAX], size_t *lens, int max, struct ike_keys *k,
			const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch, uint8_t flags, uint32_t msgid,
			const struct conf_craft_sk_chain *ch, size_t share, const struct crypto_rng *rng);

/* conf_craft_sk_esp seals inner packet |inner| (next header |nh|) with outbound SA |sa|. 0 on error. */
size_t conf_craft_sk_esp(uint8_t *out, size_t cap, struct esp_sa *sa, const uint8_t *inner, size_t len, uint8_t nh);

/*
 * conf_craft_sk_esp_pad builds an ESP packet with the padding octets given
 * (|pad|, |pad_len|; RFC 4303 §2.4 wants 1, 2, 3, ...), sealed by
 * crypto_aead_seal with the keys of |e|: for a wrong padding on purpose.
 * |iv| has the algorithm's IV length. 0 on error (also when the padding
 * does not align the trailer, which crypto_aead_seal refuses for CBC).
 */
size_t conf_craft_sk_esp_pad(uint8_t *out, size_t cap, const struct conf_esp_key *e, uint32_t spi, uint32_t seq,
			     const uint8_t *iv, const uint8_t *inner, size_t len, uint8_t nh, const uint8_t *pad,
			     size_t pad_len);

#endif
