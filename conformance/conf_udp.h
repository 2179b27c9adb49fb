/* conf_udp.h — the UDP header (RFC 768). */
#ifndef VPNLAB_CONF_UDP_H
#define VPNLAB_CONF_UDP_H

#include <stddef.h>
#include <stdint.h>

struct conf_udphdr {
	uint16_t sport, dport, len, cksum;
};

/*
 * conf_udp_parse reads the header from |len| octets of IP payload and
 * returns the number of UDP payload octets (from the UDP length field, cut
 * to what was captured), or -1 with |err| naming the field.
 */
long conf_udp_parse(const uint8_t *p, uint32_t len, struct conf_udphdr *h, char *err, size_t errlen);

#endif
