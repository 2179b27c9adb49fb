/*
 * ike_payload_sk.c — Encrypted payload (RFC 7296 §3.14) and Encrypted
 * Fragment payload (RFC 7383 §2.5): the fixed fields, and splitting the
 * encrypted span once the negotiated transform gives IV/ICV/block sizes.
 * Encryption itself is the engine's (crypto_aead_*); building is in
 * ike_msg_build.c because SK wraps other payloads.
 */
#include "ref/ike/ike_payload.h"

int ike_payload_sk_parse(struct ike_sk_pl *sk, const uint8_t *body, size_t len, struct ike_err *err)
{
	sk->frag_num = 0;
	sk->frag_total = 0;
	sk->data = body;
	sk->len = len;
	if (len == 0)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_SK, 0,
				   "SK payload: empty, expected IV || ciphertext || ICV");
	return 0;
}

int ike_payload_skf_parse(struct ike_sk_pl *sk, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 4)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_SKF, 0,
				   "SKF payload: %zu octets, expected >= 4 (Fragment Number, Total Fragments)", len);
	sk->frag_num = ike_get16(body);
	sk->frag_total = ike_get16(body + 2);
	sk->data = body + 4;
	sk->len = len - 4;
	if (sk->frag_total == 0)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, IKE_PL_SKF, 2,
				   "SKF payload: Total Fragments 0, expected >= 1");
	if (sk->frag_num == 0 || sk->frag_num > sk->frag_total)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, IKE_PL_SKF, 0,
				   "SKF payload: Fragment Number %u, expected 1..%u (Total Fragments)", sk->frag_num,
				   sk->frag_total);
	if (sk->len == 0)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_SKF, 4,
				   "SKF payload: no encrypted data, expected IV || ciphertext || ICV");
	return 0;
}

int ike_sk_split(const uint8_t *data, size_t len, size_t iv_len, size_t icv_len, size_t block_len,
		 struct ike_sk_parts *out, struct ike_err *err)
{
	size_t ct_len;

	if (block_len == 0)
		return ike_err_set(err, IKE_E_ARG, 0, IKE_PL_SK, 0, "ike_sk_split: block length 0, expected >= 1");
	if (iv_len > len || icv_len > len - iv_len || len - iv_len - icv_len < 1)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_SK, 0,
				   "SK payload: %zu encrypted octets, expected >= %zu (IV %zu + Pad Length 1 + ICV %zu)",
				   len, iv_len + icv_len + 1, iv_len, icv_len);
	ct_len = len - iv_len - icv_len;
	if (ct_len % block_len != 0)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, IKE_PL_SK, iv_len,
				   "SK payload: ciphertext %zu octets, expected a multiple of the block size %zu", ct_len,
				   block_len);
	out->iv = data;
	out->iv_len = iv_len;
	out->ct = data + iv_len;
	out->ct_len = ct_len;
	out->icv = data + iv_len + ct_len;
	out->icv_len = icv_len;
	return 0;
}

int ike_sk_unpad(const uint8_t *plain, size_t len, size_t *payload_len, struct ike_err *err)
{
	uint8_t pad;

	if (len < 1)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_SK, 0,
				   "SK plaintext: empty, expected at least the Pad Length octet");
	pad = plain[len - 1];
	if ((size_t)pad + 1 > len)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, IKE_PL_SK, len - 1,
				   "SK plaintext: Pad Length %u, expected <= %zu (plaintext %zu octets)", pad, len - 1,
				   len);
	*payload_len = len - 1 - pad;
	return 0;
}
