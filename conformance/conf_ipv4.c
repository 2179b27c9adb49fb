/* conf_ipv4.c — IPv4 header parsing. */
#include "conformance/conf_ipv4.h"

#include <stdio.h>

long conf_ipv4_parse(const uint8_t *p, uint32_t len, struct conf_ipv4 *h, char *err, size_t errlen)
{
	if (len < 20) {
		snprintf(err, errlen, "IPv4 header truncated: %u octets captured, expected >= 20", len);
		return -1;
	}
	if (p[0] >> 4 != 4) {
		snprintf(err, errlen, "IPv4 version %u, expected 4", p[0] >> 4);
		return -1;
	}
	h->hlen = (uint8_t)((p[0] & 0x0f) * 4);
	if (h->hlen < 20) {
		snprintf(err, errlen, "IPv4 IHL %u, expected >= 5", h->hlen / 4);
		return -1;
	}
	if (h->hlen > len) {
		snprintf(err, errlen, "IPv4 header length %u exceeds the %u captured octets", h->hlen, len);
		return -1;
	}
	h->tos = p[1];
	h->total_len = (uint16_t)(p[2] << 8 | p[3]);
	h->id = (uint16_t)(p[4] << 8 | p[5]);
	uint16_t ff = (uint16_t)(p[6] << 8 | p[7]);
	h->df = (ff & 0x4000) != 0;
	h->mf = (ff & 0x2000) != 0;
	h->frag_off = (uint16_t)((ff & 0x1fff) * 8);
	h->ttl = p[8];
	h->proto = p[9];
	h->cksum = (uint16_t)(p[10] << 8 | p[11]);
	h->src = (uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 | (uint32_t)p[14] << 8 | p[15];
	h->dst = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
	if (h->total_len < h->hlen) {
		snprintf(err, errlen, "IPv4 total length %u is less than the header length %u",
			 h->total_len, h->hlen);
		return -1;
	}
	uint32_t avail = len < h->total_len ? len : h->total_len; /* drop link padding */
	return (long)(avail - h->hlen);
}

const char *conf_ipv4_fmt(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

uint16_t conf_ipv4_checksum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
