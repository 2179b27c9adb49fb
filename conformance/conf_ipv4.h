/*
 * conf_ipv4.h — the IPv4 header (RFC 791 §3.1) as the decoder needs it.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 */
#ifndef VPNLAB_CONF_IPV4_H
#define VPNLAB_CONF_IPV4_H

#include <stddef.h>
#include <stdint.h>

enum { CONF_IPPROTO_ICMP = 1, CONF_IPPROTO_TCP = 6, CONF_IPPROTO_UDP = 17, CONF_IPPROTO_ESP = 50 };

struct conf_ipv4 {
	uint32_t src, dst;      /* host byte order */
	uint16_t total_len;     /* header field */
	uint16_t id;
	uint16_t frag_off;      /* fragment offset in octets */
	uint8_t hlen;           /* header length in octets (IHL * 4) */
	uint8_t tos, ttl, proto;
	uint8_t df, mf;
	uint16_t cksum;
};

/*
 * conf_ipv4_parse validates and reads the header at |p| (|len| captured
 * octets). Returns the number of payload octets present (total length minus
 * header, cut to what was captured), or -1 with a message in |err| naming
 * the field, the value and what was expected.
 */
long conf_ipv4_parse(const uint8_t *p, uint32_t len, struct conf_ipv4 *h, char *err, size_t errlen);

/* conf_ipv4_fmt writes "a.b.c.d" into |buf| (16 octets) and returns it. */
const char *conf_ipv4_fmt(uint32_t addr, char buf[16]);

/* conf_ipv4_checksum is the RFC 1071 ones'-complement sum over |len| octets. */
uint16_t conf_ipv4_checksum(const uint8_t *p, size_t len);

#endif
