/* conf_udp.c — UDP header parsing. */
#include "conformance/conf_udp.h"

#include <stdio.h>

long conf_udp_parse(const uint8_t *p, uint32_t len, struct conf_udphdr *h, char *err, size_t errlen)
{
	if (len < 8) {
		snprintf(err, errlen, "UDP header truncated: %u octets, expected >= 8", len);
		return -1;
	}
	h->sport = (uint16_t)(p[0] << 8 | p[1]);
	h->dport = (uint16_t)(p[2] << 8 | p[3]);
	h->len = (uint16_t)(p[4] << 8 | p[5]);
	h->cksum = (uint16_t)(p[6] << 8 | p[7]);
	if (h->len < 8) {
		snprintf(err, errlen, "UDP length %u, expected >= 8", h->len);
		return -1;
	}
	uint32_t n = h->len < len ? h->len : len;
	return (long)(n - 8);
}
