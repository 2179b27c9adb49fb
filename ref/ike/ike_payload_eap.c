/*
 * ike_payload_eap.c — EAP payload (RFC 7296 §3.16): the body is one EAP
 * message whose own Length (RFC 3748 §4) must equal the body length.
 */
#include "ref/ike/ike_payload.h"

#define EAP_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_EAP, off, __VA_ARGS__)

int ike_payload_eap_parse(struct ike_eap_pl *e, const uint8_t *body, size_t len, struct ike_err *err)
{
	uint16_t elen;

	if (len < 4)
		return EAP_ERR(IKE_E_TRUNCATED, 0, "EAP payload: %zu octets, expected >= 4 (code, id, length)", len);
	e->code = body[0];
	e->id = body[1];
	e->eap_type = 0;
	e->data = body;
	e->len = len;
	elen = ike_get16(body + 2);
	if (elen != len)
		return EAP_ERR(IKE_E_LENGTH, 2, "EAP payload: EAP Length %u, expected %zu (the payload body)", elen,
			       len);
	if (e->code == 1 || e->code == 2) { /* Request, Response carry a Type */
		if (len < 5)
			return EAP_ERR(IKE_E_TRUNCATED, 4, "EAP payload: %s without a Type octet",
				       e->code == 1 ? "Request" : "Response");
		e->eap_type = body[4];
	}
	return 0;
}

int ike_payload_eap_build(const struct ike_eap_pl *e, struct ike_buf *b)
{
	return ike_buf_put(b, e->data, e->len); /* the EAP message is built by its method */
}
