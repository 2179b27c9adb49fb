/*
 * ike_sk.c — SK/SKF payload protection (ike_sk.h): IV choice, then one
 * crypto_aead_seal/open over the codec's spans.
 */
#include "ref/ike/ike_sk.h"

#include <string.h>

#include <openssl/crypto.h>

#include "ref/ike/ike_payload.h"

const char *ike_sk_strerror(int err)
{
	switch (err) {
	case IKE_SK_OK:
		return "ok";
	case IKE_SK_EINVAL:
		return "invalid argument";
	case IKE_SK_ETRUNC:
		return "encrypted payload truncated or not block-aligned";
	case IKE_SK_EICV:
		return "ICV mismatch";
	case IKE_SK_EPAD:
		return "bad padding";
	case IKE_SK_ERAND:
		return "random source failed";
	case IKE_SK_ECRYPTO:
		return "crypto failure";
	}
	return "unknown SK error";
}

void ike_sk_layout(const struct ike_keys *k, size_t *iv_len, size_t *icv_len, size_t *block_len)
{
	const struct crypto_aead_info *i = &k->info.aead_info;

	if (iv_len != NULL)
		*iv_len = i->iv_len;
	if (icv_len != NULL)
		*icv_len = i->icv_len;
	if (block_len != NULL)
		*block_len = i->block_len;
}

int ike_sk_encrypt(struct ike_keys *k, int we_are_initiator, const struct ike_sk_seal *seal,
		   const struct crypto_rng *rng, struct crypto_diag *d)
{
	const struct crypto_aead_info *i;
	struct crypto_aead *a;
	int dir = we_are_initiator ? 0 : 1, rc;

	if (k == NULL || seal == NULL || seal->msg == NULL || seal->iv == NULL ||
	    seal->plain == NULL || seal->icv == NULL) {
		crypto_diag_set(d, "SK encrypt: missing keys or layout");
		return IKE_SK_EINVAL;
	}
	i = &k->info.aead_info;
	if (seal->iv_len != i->iv_len || seal->icv_len != i->icv_len ||
	    seal->plain_len == 0 || seal->plain_len % i->block_len != 0 ||
	    seal->iv != seal->msg + seal->aad_len) {
		crypto_diag_set(d, "SK encrypt: layout IV %zu ICV %zu plaintext %zu (IV at %td), %s "
				   "needs IV %zu ICV %zu plaintext a multiple of %zu (IV at %zu)",
				seal->iv_len, seal->icv_len, seal->plain_len, seal->iv - seal->msg,
				i->name, i->iv_len, i->icv_len, i->block_len, seal->aad_len);
		return IKE_SK_EINVAL;
	}
	if (i->aead) {
		uint64_t ctr = k->iv_next[dir];

		if (ctr == UINT64_MAX) {
			crypto_diag_set(d, "SK encrypt: IV counter exhausted, the IKE SA must be rekeyed");
			return IKE_SK_ECRYPTO;
		}
		k->iv_next[dir] = ctr + 1;
		for (size_t j = 0; j < seal->iv_len; j++)
			seal->iv[j] = (uint8_t)(ctr >> (8 * (seal->iv_len - 1 - j)));
	} else if (crypto_rng_fill(rng, seal->iv, seal->iv_len) != CRYPTO_OK) {
		crypto_diag_set(d, "SK encrypt: the random source failed for a %zu-octet IV",
				seal->iv_len);
		return IKE_SK_ERAND;
	}
	a = we_are_initiator ? k->i2r : k->r2i;
	rc = crypto_aead_seal(a, seal->msg, seal->aad_len, seal->iv, seal->plain, seal->plain_len,
			      NULL, 0, seal->icv);
	if (rc != CRYPTO_OK) {
		crypto_diag_set(d, "SK encrypt: %s: %s", i->name, crypto_strerror(rc));
		return IKE_SK_ECRYPTO;
	}
	return IKE_SK_OK;
}

int ike_sk_decrypt(struct ike_keys *k, int we_are_initiator, uint8_t *msg, size_t msg_len,
		   size_t aad_len, size_t *plain_off, size_t *plain_len, struct crypto_diag *d)
{
	const struct crypto_aead_info *i;
	struct ike_sk_parts parts;
	struct ike_err e;
	size_t iv_off, payload_len;
	uint8_t *ct;
	int rc;

	if (k == NULL || msg == NULL || plain_off == NULL || plain_len == NULL || aad_len > msg_len) {
		crypto_diag_set(d, "SK decrypt: missing keys or buffers, or AAD %zu past the message %zu",
				aad_len, msg_len);
		return IKE_SK_EINVAL;
	}
	i = &k->info.aead_info;
	if (ike_sk_split(msg + aad_len, msg_len - aad_len, i->iv_len, i->icv_len, i->block_len,
			 &parts, &e) != 0) {
		crypto_diag_set(d, "SK decrypt (%s): %s", i->name, e.msg);
		return IKE_SK_ETRUNC;
	}
	iv_off = aad_len;
	ct = msg + iv_off + i->iv_len;
	/* Our peer sends with the other direction's keys. */
	rc = crypto_aead_open(we_are_initiator ? k->r2i : k->i2r, msg, aad_len, msg + iv_off, ct,
			      parts.ct_len, NULL, 0, parts.icv);
	if (rc == CRYPTO_EAUTH) {
		crypto_diag_set(d, "SK decrypt (%s): ICV mismatch over %zu octets (wrong keys, or the "
				   "message was altered)",
				i->name, msg_len - i->icv_len);
		return IKE_SK_EICV;
	}
	if (rc != CRYPTO_OK) {
		crypto_diag_set(d, "SK decrypt (%s): %s", i->name, crypto_strerror(rc));
		return IKE_SK_ECRYPTO;
	}
	if (ike_sk_unpad(ct, parts.ct_len, &payload_len, &e) != 0) {
		OPENSSL_cleanse(ct, parts.ct_len);
		crypto_diag_set(d, "SK decrypt (%s): %s", i->name, e.msg);
		return IKE_SK_EPAD;
	}
	*plain_off = (size_t)(ct - msg);
	*plain_len = payload_len;
	return IKE_SK_OK;
}
