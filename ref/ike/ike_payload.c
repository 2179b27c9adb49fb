/*
 * ike_payload.c — the payload codec's common parts: error reporting, the
 * output buffer, and dispatch from a payload type to its typed parser and
 * builder (one file per payload concept: ike_payload_sa.c, ..._ts.c, ...).
 */
#include "ref/ike/ike_payload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ike_status_name(int status)
{
	switch (status) {
	case IKE_OK:
		return "IKE_OK";
	case IKE_E_TRUNCATED:
		return "IKE_E_TRUNCATED";
	case IKE_E_LENGTH:
		return "IKE_E_LENGTH";
	case IKE_E_VERSION:
		return "IKE_E_VERSION";
	case IKE_E_SYNTAX:
		return "IKE_E_SYNTAX";
	case IKE_E_CRITICAL:
		return "IKE_E_CRITICAL";
	case IKE_E_LIMIT:
		return "IKE_E_LIMIT";
	case IKE_E_BUFFER:
		return "IKE_E_BUFFER";
	case IKE_E_ARG:
		return "IKE_E_ARG";
	default:
		return "?";
	}
}

int ike_err_set(struct ike_err *e, int code, uint16_t notify, uint8_t payload, size_t offset,
		const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	e->notify = notify;
	e->payload = payload;
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

int ike_buf_put(struct ike_buf *b, const void *src, size_t n)
{
	if (b->len > b->cap || n > b->cap - b->len)
		return IKE_E_BUFFER;
	if (n == 0)
		return 0;
	if (src != NULL)
		memcpy(b->p + b->len, src, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return 0;
}

int ike_buf_put8(struct ike_buf *b, uint8_t v)
{
	return ike_buf_put(b, &v, 1);
}

int ike_buf_put16(struct ike_buf *b, uint16_t v)
{
	uint8_t o[2];

	ike_put16(o, v);
	return ike_buf_put(b, o, 2);
}

int ike_buf_put32(struct ike_buf *b, uint32_t v)
{
	uint8_t o[4];

	ike_put32(o, v);
	return ike_buf_put(b, o, 4);
}

int ike_payload_known(int type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

static int parse_typed(struct ike_payload *p, uint8_t type, const uint8_t *body, size_t len,
		       struct ike_err *err)
{
	switch (type) {
	case IKE_PL_SA:
		return ike_payload_sa_parse(&p->u.sa, body, len, err);
	case IKE_PL_KE:
		return ike_payload_ke_parse(&p->u.ke, body, len, err);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return ike_payload_id_parse(&p->u.id, body, len, err);
	case IKE_PL_CERT:
		return ike_payload_cert_parse(&p->u.cert, body, len, err);
	case IKE_PL_CERTREQ:
		return ike_payload_certreq_parse(&p->u.cert, body, len, err);
	case IKE_PL_AUTH:
		return ike_payload_auth_parse(&p->u.auth, body, len, err);
	case IKE_PL_NONCE:
		return ike_payload_nonce_parse(&p->u.nonce, body, len, err);
	case IKE_PL_NOTIFY:
		return ike_payload_notify_parse(&p->u.notify, body, len, err);
	case IKE_PL_DELETE:
		return ike_payload_delete_parse(&p->u.del, body, len, err);
	case IKE_PL_VENDOR:
		return ike_payload_vendor_parse(&p->u.vendor, body, len, err);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return ike_payload_ts_parse(&p->u.ts, body, len, err);
	case IKE_PL_SK:
		return ike_payload_sk_parse(&p->u.sk, body, len, err);
	case IKE_PL_SKF:
		return ike_payload_skf_parse(&p->u.sk, body, len, err);
	case IKE_PL_CP:
		return ike_payload_cp_parse(&p->u.cp, body, len, err);
	case IKE_PL_EAP:
		return ike_payload_eap_parse(&p->u.eap, body, len, err);
	default:
		p->u.raw.data = body;
		p->u.raw.len = len;
		return 0;
	}
}

int ike_payload_parse(struct ike_payload *p, uint8_t type, const uint8_t *body, size_t len,
		      struct ike_err *err)
{
	int rc;

	p->type = type;
	p->critical = 0;
	rc = parse_typed(p, type, body, len, err);
	if (rc < 0 && err != NULL)
		err->payload = type; /* IDr/TSr/CERTREQ share a parser with IDi/TSi/CERT */
	return rc;
}

int ike_payload_build(const struct ike_payload *p, struct ike_buf *b)
{
	switch (p->type) {
	case IKE_PL_SA:
		return ike_payload_sa_build(&p->u.sa, b);
	case IKE_PL_KE:
		return ike_payload_ke_build(&p->u.ke, b);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return ike_payload_id_build(&p->u.id, b);
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return ike_payload_cert_build(&p->u.cert, b);
	case IKE_PL_AUTH:
		return ike_payload_auth_build(&p->u.auth, b);
	case IKE_PL_NONCE:
		return ike_payload_nonce_build(&p->u.nonce, b);
	case IKE_PL_NOTIFY:
		return ike_payload_notify_build(&p->u.notify, b);
	case IKE_PL_DELETE:
		return ike_payload_delete_build(&p->u.del, b);
	case IKE_PL_VENDOR:
		return ike_payload_vendor_build(&p->u.vendor, b);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return ike_payload_ts_build(&p->u.ts, b);
	case IKE_PL_CP:
		return ike_payload_cp_build(&p->u.cp, b);
	case IKE_PL_EAP:
		return ike_payload_eap_build(&p->u.eap, b);
	case IKE_PL_SK:
	case IKE_PL_SKF:
		return IKE_E_ARG; /* ike_msg_build_sk_begin/_end own the layout */
	default:
		return ike_buf_put(b, p->u.raw.data, p->u.raw.len);
	}
}
