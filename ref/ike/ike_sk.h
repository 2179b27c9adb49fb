/*
 * ike_sk.h — protecting IKEv2 messages: the Encrypted payload (SK, RFC 7296
 * §3.14, RFC 5282 for AEAD) and the Encrypted Fragment payload (SKF,
 * RFC 7383 §2.5), on top of the codec's layout (ref/ike/ike_msg.h) and the
 * IKE SA keys (ref/ike/ike_keys.h).
 *
 * Send (the builder lays out header, SK header, inner payloads, padding and
 * every length; this module fills IV, ciphertext and ICV in place):
 *
 *   ike_sk_layout(keys, &iv, &icv, &blk);
 *   ike_msg_build_sk_begin(&mb, iv, icv, blk);  ... inner payloads ...
 *   ike_msg_build_sk_end(&mb, &seal);
 *   ike_sk_encrypt(keys, we_are_initiator, &seal, rng, &d);  // seal.msg is final
 *
 * Receive (in place; the plaintext replaces the ciphertext):
 *
 *   ike_msg_parse(&m, buf, len, &e);              // m.sk set, m.sk_aad_len
 *   ike_sk_decrypt(keys, we_are_initiator, buf, len, m.sk_aad_len, &off, &plen, &d);
 *   ike_msg_parse_inner(&m, buf + off, plen, &e);
 *
 * What is authenticated: everything before the IV — the IKE header, any
 * cleartext payloads, the SK generic header, or the SKF header including
 * Fragment Number and Total Fragments — is the AEAD associated data
 * (RFC 5282 §5.1, RFC 7383 §2.5); with CBC + HMAC the ICV covers the
 * message from the first octet of the IKE header to the end of the
 * ciphertext (§3.14). crypto_aead_seal/open compute exactly that when given
 * msg[0..aad_len) as AAD.
 *
 * IVs: AES-CBC and 3DES-CBC take a fresh random IV from the caller's rng
 * (§3.14: unpredictable). AES-GCM and ChaCha20-Poly1305 take an 8-octet
 * explicit IV that is a per-SA, per-direction 64-bit counter (big-endian,
 * starting at 0): RFC 5282 §3.1 and RFC 7634 §2 require it never to repeat
 * under one key, which a counter guarantees outright while random 64-bit
 * IVs would risk a birthday collision; the count it reveals is no more than
 * the Message ID already shows. A retransmission resends the same octets,
 * it is not encrypted again.
 *
 * "Initiator" is the original initiator of the IKE SA (§2.14): it sends
 * with SK_ei/SK_ai and receives with SK_er/SK_ar, whoever started the
 * exchange at hand.
 */
#ifndef VPNLAB_REF_IKE_SK_H
#define VPNLAB_REF_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/ike/ike_keys.h"
#include "ref/ike/ike_msg.h"

/* Errors: distinct so the engine can count and log them apart (drop silently in all cases, §2.21.1). */
enum ike_sk_err {
	IKE_SK_OK = 0,
	IKE_SK_EINVAL = -101, /* bad argument: layout does not match the keys, NULL */
	IKE_SK_ETRUNC = -102, /* too short for IV + Pad Length + ICV, or ciphertext not block-aligned */
	IKE_SK_EICV = -103,   /* integrity check failed: wrong key, tampered or corrupted */
	IKE_SK_EPAD = -104,   /* authentic, but Pad Length runs past the plaintext */
	IKE_SK_ERAND = -105,  /* the rng failed (CBC IV) */
	IKE_SK_ECRYPTO = -106,/* the crypto layer failed; IV counter exhausted */
};

/* ike_sk_strerror names |err| ("ICV mismatch", ...). */
const char *ike_sk_strerror(int err);

/* ike_sk_layout gives what ike_msg_build_sk_begin / _skf_begin need for the suite of |k|. */
void ike_sk_layout(const struct ike_keys *k, size_t *iv_len, size_t *icv_len, size_t *block_len);

/*
 * ike_sk_encrypt writes the IV, encrypts seal->plain in place and writes
 * the ICV, with the keys of our direction (|we_are_initiator|). |rng| is
 * used for CBC IVs only (may be NULL with AEAD suites).
 */
int ike_sk_encrypt(struct ike_keys *k, int we_are_initiator, const struct ike_sk_seal *seal,
		   const struct crypto_rng *rng, struct crypto_diag *d);

/*
 * ike_sk_decrypt checks and decrypts the SK/SKF payload that ends message
 * |msg| (|msg_len| octets; its IV starts at |aad_len|, ike_msg's
 * sk_aad_len) with the peer's keys. On success the inner payloads, padding
 * removed, are msg[*plain_off .. *plain_off + *plain_len). On failure |msg|
 * past |aad_len| is unspecified (never unauthenticated plaintext).
 */
int ike_sk_decrypt(struct ike_keys *k, int we_are_initiator, uint8_t *msg, size_t msg_len,
		   size_t aad_len, size_t *plain_off, size_t *plain_len, struct crypto_diag *d);

#endif
