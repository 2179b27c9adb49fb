/* ike_payload_id.c — Identification payloads IDi/IDr (RFC 7296 §3.5, RFC 7619). */
#include "ref/ike/ike_payload.h"

#include <string.h>

#define ID_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_IDI, off, __VA_ARGS__)

int ike_payload_id_parse(struct ike_id_pl *id, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 4)
		return ID_ERR(IKE_E_TRUNCATED, 0, "ID payload: %zu octets, expected >= 4 (type, reserved)", len);
	id->type = body[0];
	id->data = body + 4;
	id->len = len - 4;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		if (id->len != 4)
			return ID_ERR(IKE_E_LENGTH, 4, "ID payload: ID_IPV4_ADDR data %zu octets, expected 4", id->len);
		break;
	case IKE_ID_IPV6_ADDR:
		if (id->len != 16)
			return ID_ERR(IKE_E_LENGTH, 4, "ID payload: ID_IPV6_ADDR data %zu octets, expected 16", id->len);
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		if (id->len == 0)
			return ID_ERR(IKE_E_SYNTAX, 4, "ID payload: %s empty, expected a name", ike_id_type_name(id->type));
		/* §3.5: the string MUST NOT contain terminators */
		if (memchr(id->data, 0, id->len) != NULL)
			return ID_ERR(IKE_E_SYNTAX, 4 + (size_t)((const uint8_t *)memchr(id->data, 0, id->len) - id->data),
				      "ID payload: %s contains a NUL octet, expected no terminator",
				      ike_id_type_name(id->type));
		break;
	case IKE_ID_NULL:
		if (id->len != 0)
			return ID_ERR(IKE_E_LENGTH, 4, "ID payload: ID_NULL data %zu octets, expected 0 (RFC 7619)",
				      id->len);
		break;
	case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN:
	case IKE_ID_KEY_ID:
		if (id->len == 0)
			return ID_ERR(IKE_E_SYNTAX, 4, "ID payload: %s empty, expected >= 1 octet",
				      ike_id_type_name(id->type));
		break;
	default:
		break; /* unknown ID types: the engine's policy decides */
	}
	return 0;
}

int ike_payload_id_build(const struct ike_id_pl *id, struct ike_buf *b)
{
	size_t start = b->len;

	if (ike_buf_put8(b, id->type) || ike_buf_put(b, NULL, 3) || ike_buf_put(b, id->data, id->len)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}
