/* conf_ikehdr.c — the ISAKMP/IKEv2 fixed header. */
#include "conformance/conf_ikehdr.h"

#include <stdio.h>
#include <string.h>

#include "ref/ike/ike_const.h"

int conf_ikehdr_parse(const uint8_t *p, uint32_t len, struct conf_ikehdr *h, char *err, size_t errlen)
{
	if (len < IKE_HDR_LEN) {
		snprintf(err, errlen, "IKE header truncated: %u octets, expected >= %d", len, IKE_HDR_LEN);
		return -1;
	}
	memcpy(h->spi_i, p, 8);
	memcpy(h->spi_r, p + 8, 8);
	h->np = p[16];
	h->version = p[17];
	h->exch = p[18];
	h->flags = p[19];
	h->msgid = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	h->length = (uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 | (uint32_t)p[26] << 8 | p[27];
	return 0;
}

int conf_ikehdr_plausible(const uint8_t *p, uint32_t len)
{
	struct conf_ikehdr h;
	char e[64];
	if (conf_ikehdr_parse(p, len, &h, e, sizeof e) < 0 || h.length != len)
		return 0;
	int major = conf_ikehdr_major(&h);
	if (major == IKE_MAJOR_VERSION)
		return ike_name_lookup(&ike_exchange_names, h.exch) != NULL;
	if (major == IKEV1_MAJOR_VERSION)
		return ike_name_lookup(&ikev1_exchange_names, h.exch) != NULL;
	return 0;
}

const char *conf_ikehdr_spi_fmt(const struct conf_ikehdr *h, char buf[34])
{
	for (int i = 0; i < 8; i++)
		snprintf(buf + 2 * i, 3, "%02x", h->spi_i[i]);
	buf[16] = '/';
	for (int i = 0; i < 8; i++)
		snprintf(buf + 17 + 2 * i, 3, "%02x", h->spi_r[i]);
	return buf;
}
