/*
 * ike_payload_ts.c — Traffic Selector payloads TSi/TSr (RFC 7296 §3.13).
 * Number of TSs must match the selectors present; IPv4 ranges are 16
 * octets, IPv6 40. Port and address order are not checked here: 65535..0
 * is how §3.13.1 spells OPAQUE ports, and narrowing is the engine's job.
 */
#include "ref/ike/ike_payload.h"

#include <string.h>

#define TS_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_TSI, off, __VA_ARGS__)

size_t ike_ts_addr_len(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? 4 : type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
}

int ike_payload_ts_parse(struct ike_ts_pl *ts, const uint8_t *body, size_t len, struct ike_err *err)
{
	size_t off = 4, count;

	ts->n = 0;
	if (len < 4)
		return TS_ERR(IKE_E_TRUNCATED, 0, "TS payload: %zu octets, expected >= 4 (count, reserved)", len);
	count = body[0];
	while (off < len) {
		struct ike_ts *t;
		size_t i = ts->n + 1, alen;
		uint16_t slen;

		if (len - off < 4)
			return TS_ERR(IKE_E_TRUNCATED, off, "TS selector %zu: header needs 4 octets, %zu left", i,
				      len - off);
		slen = ike_get16(body + off + 2);
		alen = ike_ts_addr_len(body[off]);
		if (alen != 0 && slen != 8 + 2 * alen)
			return TS_ERR(IKE_E_LENGTH, off + 2, "TS selector %zu: %s Selector Length %u, expected %zu", i,
				      ike_ts_type_name(body[off]), slen, 8 + 2 * alen);
		if (slen < 4)
			return TS_ERR(IKE_E_LENGTH, off + 2, "TS selector %zu: Selector Length %u, expected >= 4", i,
				      slen);
		if (slen > len - off)
			return TS_ERR(IKE_E_LENGTH, off + 2,
				      "TS selector %zu: Selector Length %u runs past the payload (%zu octets left)", i,
				      slen, len - off);
		if (ts->n >= IKE_TS_MAX)
			return TS_ERR(IKE_E_LIMIT, off, "TS payload: more than %d selectors", IKE_TS_MAX);
		t = &ts->ts[ts->n];
		memset(t, 0, sizeof *t);
		t->type = body[off];
		t->ip_proto = body[off + 1];
		if (alen != 0) {
			t->start_port = ike_get16(body + off + 4);
			t->end_port = ike_get16(body + off + 6);
			memcpy(t->start, body + off + 8, alen);
			memcpy(t->end, body + off + 8 + alen, alen);
		} else {
			t->raw = body + off + 4;
			t->raw_len = slen - 4u;
		}
		ts->n++;
		off += slen;
	}
	if (ts->n != count)
		return TS_ERR(IKE_E_SYNTAX, 0, "TS payload: Number of TSs %zu but %zu selectors present", count, ts->n);
	return 0;
}

int ike_payload_ts_build(const struct ike_ts_pl *ts, struct ike_buf *b)
{
	size_t start = b->len;
	int rc = 0;

	if (ts->n > IKE_TS_MAX)
		return IKE_E_ARG;
	rc |= ike_buf_put8(b, (uint8_t)ts->n);
	rc |= ike_buf_put(b, NULL, 3);
	for (size_t i = 0; rc == 0 && i < ts->n; i++) {
		const struct ike_ts *t = &ts->ts[i];
		size_t alen = ike_ts_addr_len(t->type);

		if (alen == 0 && t->raw_len > 0xffff - 4u) {
			b->len = start;
			return IKE_E_ARG;
		}
		rc |= ike_buf_put8(b, t->type);
		rc |= ike_buf_put8(b, t->ip_proto);
		if (alen != 0) {
			rc |= ike_buf_put16(b, (uint16_t)(8 + 2 * alen));
			rc |= ike_buf_put16(b, t->start_port);
			rc |= ike_buf_put16(b, t->end_port);
			rc |= ike_buf_put(b, t->start, alen);
			rc |= ike_buf_put(b, t->end, alen);
		} else {
			rc |= ike_buf_put16(b, (uint16_t)(4 + t->raw_len));
			rc |= ike_buf_put(b, t->raw, t->raw_len);
		}
	}
	if (rc) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}
