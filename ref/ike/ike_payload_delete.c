/*
 * ike_payload_delete.c — Delete payload (RFC 7296 §3.11): IKE SA deletion
 * carries protocol 1, SPI size 0 and no SPIs; AH/ESP carry 4-octet SPIs,
 * and Num of SPIs * SPI Size must be exactly the rest of the payload.
 */
#include "ref/ike/ike_payload.h"

#define D_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_DELETE, off, __VA_ARGS__)

int ike_payload_delete_parse(struct ike_delete_pl *d, const uint8_t *body, size_t len, struct ike_err *err)
{
	size_t want;

	if (len < 4)
		return D_ERR(IKE_E_TRUNCATED, 0, "Delete payload: %zu octets, expected >= 4 (protocol, SPI size, count)",
			     len);
	d->proto = body[0];
	d->spi_size = body[1];
	d->n_spi = ike_get16(body + 2);
	d->spis = body + 4;
	switch (d->proto) {
	case IKE_PROTO_IKE:
		if (d->spi_size != 0 || d->n_spi != 0)
			return D_ERR(IKE_E_SYNTAX, 1, "Delete IKE: SPI size %u, %u SPIs, expected 0 and 0",
				     d->spi_size, d->n_spi);
		break;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		if (d->spi_size != 4)
			return D_ERR(IKE_E_SYNTAX, 1, "Delete %s: SPI size %u, expected 4", ike_protocol_name(d->proto),
				     d->spi_size);
		break;
	default:
		return D_ERR(IKE_E_SYNTAX, 0, "Delete payload: Protocol ID %u, expected 1 (IKE), 2 (AH) or 3 (ESP)",
			     d->proto);
	}
	want = (size_t)d->n_spi * d->spi_size;
	if (want != len - 4)
		return D_ERR(IKE_E_LENGTH, 2, "Delete %s: %u SPIs of %u octets need %zu octets, payload has %zu",
			     ike_protocol_name(d->proto), d->n_spi, d->spi_size, want, len - 4);
	return 0;
}

int ike_payload_delete_build(const struct ike_delete_pl *d, struct ike_buf *b)
{
	size_t start = b->len;

	if (ike_buf_put8(b, d->proto) || ike_buf_put8(b, d->spi_size) || ike_buf_put16(b, d->n_spi) ||
	    ike_buf_put(b, d->spis, (size_t)d->n_spi * d->spi_size)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}

uint32_t ike_delete_spi32(const struct ike_delete_pl *d, size_t i)
{
	if (d->spi_size != 4 || i >= d->n_spi)
		return 0;
	return ike_get32(d->spis + 4 * i);
}
