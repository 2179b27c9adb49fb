/* ike_payload_vendor.c — Vendor ID payload (RFC 7296 §3.12): opaque, any length. */
#include "ref/ike/ike_payload.h"

int ike_payload_vendor_parse(struct ike_vendor_pl *v, const uint8_t *body, size_t len, struct ike_err *err)
{
	v->data = body;
	v->len = len;
	return 0;
}

int ike_payload_vendor_build(const struct ike_vendor_pl *v, struct ike_buf *b)
{
	return ike_buf_put(b, v->data, v->len);
}
