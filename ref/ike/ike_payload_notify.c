/*
 * ike_payload_notify.c — Notify payload (RFC 7296 §3.10). SPI size is
 * checked against the protocol (AH/ESP 4, IKE 8; §3.10 "if the SPI field
 * is empty, [Protocol ID] MUST be sent as zero and MUST be ignored"), and
 * the data length against the few types whose RFC fixes it.
 */
#include "ref/ike/ike_payload.h"

#include <string.h>

#define N_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_NOTIFY, off, __VA_ARGS__)

/* data_len_ok: expected data length for |type|; sets |want| for the message. */
static int data_len_ok(uint16_t type, size_t len, const char **want)
{
	switch (type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: /* §3.10.1: the payload type, 1 octet */
		*want = "1";
		return len == 1;
	case IKE_N_INVALID_KE_PAYLOAD: /* §1.2: the accepted group, 2 octets */
		*want = "2";
		return len == 2;
	case IKE_N_SET_WINDOW_SIZE: /* §2.3: 4-octet window size */
		*want = "4";
		return len == 4;
	case IKE_N_NAT_DETECTION_SOURCE_IP: /* §2.23: SHA-1 */
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		*want = "20";
		return len == IKE_NAT_HASH_LEN;
	case IKE_N_COOKIE: /* §2.6: 1..64 octets */
		*want = "1..64";
		return len >= 1 && len <= 64;
	case IKE_N_SIGNATURE_HASH_ALGORITHMS: /* RFC 7427 §4: list of 2-octet IDs */
		*want = "a multiple of 2";
		return len % 2 == 0;
	case IKE_N_IKEV2_FRAGMENTATION_SUPPORTED: /* RFC 7383 §2.3: empty */
		*want = "0";
		return len == 0;
	default:
		return 1;
	}
}

int ike_payload_notify_parse(struct ike_notify_pl *n, const uint8_t *body, size_t len, struct ike_err *err)
{
	const char *want;

	if (len < 4)
		return N_ERR(IKE_E_TRUNCATED, 0, "Notify payload: %zu octets, expected >= 4 (protocol, SPI size, type)",
			     len);
	n->proto = body[0];
	n->spi_size = body[1];
	n->type = ike_get16(body + 2);
	memset(n->spi, 0, sizeof n->spi);
	if (n->spi_size > IKE_MAX_SPI_LEN)
		return N_ERR(IKE_E_SYNTAX, 1, "Notify %s: SPI size %u, expected 0, 4 or 8", ike_notify_name(n->type),
			     n->spi_size);
	if (n->spi_size > len - 4)
		return N_ERR(IKE_E_LENGTH, 1, "Notify %s: SPI size %u runs past the payload (%zu octets left)",
			     ike_notify_name(n->type), n->spi_size, len - 4);
	if (n->spi_size != 0) {
		if ((n->proto == IKE_PROTO_AH || n->proto == IKE_PROTO_ESP) && n->spi_size != 4)
			return N_ERR(IKE_E_SYNTAX, 1, "Notify %s: SPI size %u for %s, expected 4",
				     ike_notify_name(n->type), n->spi_size, ike_protocol_name(n->proto));
		if (n->proto == IKE_PROTO_IKE && n->spi_size != 8)
			return N_ERR(IKE_E_SYNTAX, 1, "Notify %s: SPI size %u for IKE, expected 8",
				     ike_notify_name(n->type), n->spi_size);
		if (n->proto == 0)
			return N_ERR(IKE_E_SYNTAX, 0, "Notify %s: Protocol ID 0 with SPI size %u, expected the SPI's protocol",
				     ike_notify_name(n->type), n->spi_size);
		memcpy(n->spi, body + 4, n->spi_size);
	}
	n->data = body + 4 + n->spi_size;
	n->len = len - 4 - n->spi_size;
	if (!data_len_ok(n->type, n->len, &want))
		return N_ERR(IKE_E_LENGTH, 4 + (size_t)n->spi_size, "Notify %s: data %zu octets, expected %s",
			     ike_notify_name(n->type), n->len, want);
	return 0;
}

int ike_payload_notify_build(const struct ike_notify_pl *n, struct ike_buf *b)
{
	size_t start = b->len;

	if (n->spi_size > IKE_MAX_SPI_LEN)
		return IKE_E_ARG;
	if (ike_buf_put8(b, n->proto) || ike_buf_put8(b, n->spi_size) || ike_buf_put16(b, n->type) ||
	    ike_buf_put(b, n->spi, n->spi_size) || ike_buf_put(b, n->data, n->len)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}

uint32_t ike_notify_spi32(const struct ike_notify_pl *n)
{
	return n->spi_size == 4 ? ike_get32(n->spi) : 0;
}
