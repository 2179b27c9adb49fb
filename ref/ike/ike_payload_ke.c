/* ike_payload_ke.c — Key Exchange payload (RFC 7296 §3.4). */
#include "ref/ike/ike_payload.h"

int ike_payload_ke_parse(struct ike_ke_pl *ke, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 4)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_KE, 0,
				   "KE payload: %zu octets, expected >= 4 (group, reserved)", len);
	ke->group = ike_get16(body);
	ke->data = body + 4;
	ke->len = len - 4;
	if (ke->len == 0)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, IKE_PL_KE, 4,
				   "KE payload: Key Exchange Data empty for group %u, expected the public value",
				   ke->group);
	return 0;
}

int ike_payload_ke_build(const struct ike_ke_pl *ke, struct ike_buf *b)
{
	size_t start = b->len;

	if (ike_buf_put16(b, ke->group) || ike_buf_put16(b, 0) || ike_buf_put(b, ke->data, ke->len)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}
