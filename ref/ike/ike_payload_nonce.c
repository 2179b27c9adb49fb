/*
 * ike_payload_nonce.c — Nonce payload (RFC 7296 §3.9): 16..256 octets.
 * Out-of-range is reported as a syntax error; the engine decides whether
 * to answer (§2.10 only says the nonce MUST be at least 128 bits).
 */
#include "ref/ike/ike_payload.h"

int ike_payload_nonce_parse(struct ike_nonce_pl *n, const uint8_t *body, size_t len, struct ike_err *err)
{
	n->data = body;
	n->len = len;
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, IKE_PL_NONCE, 0,
				   "Nonce payload: %zu octets, expected %d..%d", len, IKE_NONCE_MIN, IKE_NONCE_MAX);
	return 0;
}

int ike_payload_nonce_build(const struct ike_nonce_pl *n, struct ike_buf *b)
{
	return ike_buf_put(b, n->data, n->len);
}
