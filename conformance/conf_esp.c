/* conf_esp.c — ESP header fields. */
#include "conformance/conf_esp.h"

#include <stdio.h>

int conf_esp_parse(const uint8_t *p, uint32_t len, struct conf_esphdr *h, char *err, size_t errlen)
{
	if (len < 8) {
		snprintf(err, errlen, "ESP header truncated: %u octets, expected >= 8 (SPI, sequence)", len);
		return -1;
	}
	h->spi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	h->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	return 0;
}
