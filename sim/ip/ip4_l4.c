/* ip4_l4.c — the transport view (ports, flags, checksum offset) of a packet. */
#include "sim/ip/ip4.h"

#include <string.h>

int ip4_icmp_is_error(uint8_t type)
{
	return type == ICMP4_UNREACH || type == ICMP4_SOURCE_QUENCH || type == ICMP4_REDIRECT ||
	       type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAM_PROBLEM;
}

int ip4_l4_parse(const uint8_t *p, const struct ip4_hdr *h, struct ip4_l4 *l4)
{
	const uint8_t *t = p + h->hlen;

	memset(l4, 0, sizeof *l4);
	l4->proto = h->proto;
	l4->off = h->hlen;
	l4->len = (size_t)h->total_len - h->hlen;
	if (h->frag_off)
		return IP4_EFRAG;
	switch (h->proto) {
	case IP4_PROTO_UDP:
		if (l4->len < 8)
			return IP4_EL4;
		l4->sport = ip4_get16(t);
		l4->dport = ip4_get16(t + 2);
		l4->csum_off = l4->off + 6;
		l4->has_ports = 1;
		break;
	case IP4_PROTO_TCP:
		/* The whole fixed header: a "tiny fragment" (RFC 1858) is refused. */
		if (l4->len < 20 || (size_t)(t[12] >> 4) * 4 < 20 || (size_t)(t[12] >> 4) * 4 > l4->len)
			return IP4_EL4;
		l4->sport = ip4_get16(t);
		l4->dport = ip4_get16(t + 2);
		l4->tcp_flags = t[13];
		l4->csum_off = l4->off + 16;
		l4->has_ports = 1;
		break;
	case IP4_PROTO_ICMP:
		if (l4->len < 8)
			return IP4_EL4;
		l4->icmp_type = t[0];
		l4->icmp_code = t[1];
		l4->csum_off = l4->off + 2;
		if (t[0] == ICMP4_ECHO || t[0] == ICMP4_ECHO_REPLY) {
			l4->icmp_id = ip4_get16(t + 4);
			l4->sport = l4->dport = l4->icmp_id;
			l4->has_ports = 1;
		}
		break;
	default:
		break;
	}
	return IP4_OK;
}
