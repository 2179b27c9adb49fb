/*
 * conf_icmp.h — ICMP messages (RFC 792), with the embedded IP header and
 * first octets of error messages, and the Next-Hop MTU of "fragmentation
 * needed and DF set" (type 3 code 4, RFC 1191 §4).
 */
#ifndef VPNLAB_CONF_ICMP_H
#define VPNLAB_CONF_ICMP_H

#include <stddef.h>
#include <stdint.h>

enum {
	CONF_ICMP_ECHO_REPLY = 0, CONF_ICMP_UNREACH = 3, CONF_ICMP_ECHO = 8,
	CONF_ICMP_TIME_EXCEEDED = 11, CONF_ICMP_PARAM_PROBLEM = 12,
	CONF_ICMP_UNREACH_NEEDFRAG = 4, /* code of type 3 */
};

struct conf_icmp {
	uint8_t type, code;
	uint16_t mtu;           /* type 3 code 4: Next-Hop MTU (0 from pre-RFC 1191 routers) */
	uint8_t is_error;       /* types 3, 4, 5, 11, 12 carry the offending header */
	uint8_t has_inner;      /* the embedded IPv4 header was readable */
	uint8_t in_proto, in_df, in_mf, has_ports, has_spi;
	uint32_t in_src, in_dst;
	uint16_t in_total_len, in_id, in_frag_off;
	uint16_t in_sport, in_dport;
	uint32_t in_spi;        /* ESP SPI, or the SPI of UDP-encapsulated ESP (port 4500) */
	uint32_t in_octets;     /* octets of the original datagram present */
};

/* conf_icmp_parse reads an ICMP message; returns 0, or -1 with |err|. */
int conf_icmp_parse(const uint8_t *p, uint32_t len, struct conf_icmp *m, char *err, size_t errlen);

#endif
