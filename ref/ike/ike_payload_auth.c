/* ike_payload_auth.c — Authentication payload (RFC 7296 §3.8). */
#include "ref/ike/ike_payload.h"

int ike_payload_auth_parse(struct ike_auth_pl *a, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 4)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_AUTH, 0,
				   "AUTH payload: %zu octets, expected >= 4 (method, reserved)", len);
	a->method = body[0];
	a->data = body + 4;
	a->len = len - 4;
	if (a->len == 0)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, IKE_PL_AUTH, 4,
				   "AUTH payload: %s Authentication Data empty, expected >= 1 octet",
				   ike_auth_method_name(a->method));
	return 0;
}

int ike_payload_auth_build(const struct ike_auth_pl *a, struct ike_buf *b)
{
	size_t start = b->len;

	if (ike_buf_put8(b, a->method) || ike_buf_put(b, NULL, 3) || ike_buf_put(b, a->data, a->len)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}
