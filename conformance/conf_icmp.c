/* conf_icmp.c — ICMP parsing including the quoted datagram of errors. */
#include "conformance/conf_icmp.h"

#include <stdio.h>
#include <string.h>

#include "conformance/conf_ipv4.h"

int conf_icmp_parse(const uint8_t *p, uint32_t len, struct conf_icmp *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (len < 8) {
		snprintf(err, errlen, "ICMP header truncated: %u octets, expected >= 8", len);
		return -1;
	}
	m->type = p[0];
	m->code = p[1];
	if (m->type == CONF_ICMP_UNREACH && m->code == CONF_ICMP_UNREACH_NEEDFRAG)
		m->mtu = (uint16_t)(p[6] << 8 | p[7]);
	m->is_error = m->type == 3 || m->type == 4 || m->type == 5 || m->type == 11 || m->type == 12;
	if (!m->is_error)
		return 0;
	const uint8_t *q = p + 8;
	uint32_t n = len - 8;
	struct conf_ipv4 in;
	char e2[128];
	/* The quoted header may claim a longer datagram than is quoted: parse with
	 * only the octets present; a failure just leaves has_inner clear. */
	if (n < 20 || (q[0] >> 4) != 4)
		return 0;
	long pl = conf_ipv4_parse(q, n, &in, e2, sizeof e2);
	if (pl < 0) {
		/* total length smaller than the header etc.: keep what is certain */
		return 0;
	}
	m->has_inner = 1;
	m->in_src = in.src;
	m->in_dst = in.dst;
	m->in_proto = in.proto;
	m->in_df = in.df;
	m->in_mf = in.mf;
	m->in_total_len = in.total_len;
	m->in_id = in.id;
	m->in_frag_off = in.frag_off;
	m->in_octets = n;
	const uint8_t *l4 = q + in.hlen;
	uint32_t l4n = n - in.hlen;
	if (in.frag_off != 0)
		return 0; /* not the first fragment: no transport header quoted */
	if ((in.proto == CONF_IPPROTO_UDP || in.proto == CONF_IPPROTO_TCP) && l4n >= 4) {
		m->has_ports = 1;
		m->in_sport = (uint16_t)(l4[0] << 8 | l4[1]);
		m->in_dport = (uint16_t)(l4[2] << 8 | l4[3]);
		if (in.proto == CONF_IPPROTO_UDP && (m->in_sport == 4500 || m->in_dport == 4500) &&
		    l4n >= 12) {
			uint32_t spi = (uint32_t)l4[8] << 24 | (uint32_t)l4[9] << 16 | (uint32_t)l4[10] << 8 | l4[11];
			if (spi != 0) {
				m->has_spi = 1;
				m->in_spi = spi;
			}
		}
	} else if (in.proto == CONF_IPPROTO_ESP && l4n >= 4) {
		m->has_spi = 1;
		m->in_spi = (uint32_t)l4[0] << 24 | (uint32_t)l4[1] << 16 | (uint32_t)l4[2] << 8 | l4[3];
	}
	return 0;
}
