/*
 * conf_ikehdr.h — the fixed 28-octet header shared by ISAKMP/IKEv1
 * (RFC 2408 §3.1) and IKEv2 (RFC 7296 §3.1):
 *
 *   |                       IKE SA Initiator's SPI                  |  8
 *   |                       IKE SA Responder's SPI                  |  8
 *   |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 *   |                          Message ID                           |
 *   |                            Length                             |
 */
#ifndef VPNLAB_CONF_IKEHDR_H
#define VPNLAB_CONF_IKEHDR_H

#include <stddef.h>
#include <stdint.h>

struct conf_ikehdr {
	uint8_t spi_i[8], spi_r[8];
	uint8_t np, version, exch, flags;
	uint32_t msgid, length;
};

/* conf_ikehdr_parse reads the header; -1 with |err| if |len| < 28. */
int conf_ikehdr_parse(const uint8_t *p, uint32_t len, struct conf_ikehdr *h, char *err, size_t errlen);

static inline int conf_ikehdr_major(const struct conf_ikehdr *h)
{
	return h->version >> 4;
}

/*
 * conf_ikehdr_plausible says whether |p| looks like a bare IKE message: at
 * least 28 octets, major version 1 or 2, an exchange type of that version,
 * and a Length field equal to |len|. Used to spot IKE sent on port 4500
 * without the non-ESP marker (it would be read as ESP).
 */
int conf_ikehdr_plausible(const uint8_t *p, uint32_t len);

/* conf_ikehdr_spi_fmt writes "SPIi/SPIr" as 33 hex characters + NUL into |buf|. */
const char *conf_ikehdr_spi_fmt(const struct conf_ikehdr *h, char buf[34]);

#endif
