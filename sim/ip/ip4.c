/* ip4.c — IPv4 header parse/write, names and address formatting (see ip4.h). */
#include "sim/ip/ip4.h"

#include <stdio.h>

const char *ip4_strerror(int err)
{
	switch (err) {
	case IP4_OK: return "ok";
	case IP4_ETRUNC: return "packet shorter than the 20-octet IPv4 header";
	case IP4_EVERSION: return "IP version is not 4";
	case IP4_EIHL: return "IHL below 5 or header longer than the packet";
	case IP4_ELEN: return "total length below the header length or beyond the packet";
	case IP4_ECSUM: return "IPv4 header checksum does not verify";
	case IP4_EL4: return "transport header truncated";
	case IP4_EFRAG: return "non-first fragment carries no transport header";
	case IP4_EOPT: return "malformed IPv4 options";
	case IP4_EMTU: return "MTU too small for header plus 8 octets";
	case IP4_ENOMEM: return "out of memory";
	case IP4_EREASM_FULL: return "reassembly table full";
	case IP4_EREASM_TOOBIG: return "reassembled datagram would exceed 65535 octets";
	case IP4_EREASM_BAD: return "inconsistent fragment";
	case IP4_ECAP: return "output buffer too small";
	}
	return "unknown ip4 error";
}

const char *ip4_proto_name(uint8_t proto)
{
	switch (proto) {
	case IP4_PROTO_ICMP: return "icmp";
	case IP4_PROTO_TCP: return "tcp";
	case IP4_PROTO_UDP: return "udp";
	case IP4_PROTO_ESP: return "esp";
	}
	return "other";
}

int ip4_parse(const uint8_t *p, size_t len, struct ip4_hdr *h)
{
	size_t hlen;
	uint16_t frag;

	if (len < IP4_HDR_MIN)
		return IP4_ETRUNC;
	if (p[0] >> 4 != 4)
		return IP4_EVERSION;
	hlen = (size_t)(p[0] & 15) * 4;
	if (hlen < IP4_HDR_MIN || hlen > len)
		return IP4_EIHL;
	h->hlen = (uint8_t)hlen;
	h->tos = p[1];
	h->total_len = ip4_get16(p + IP4_OFF_TOTLEN);
	if (h->total_len < hlen || h->total_len > len)
		return IP4_ELEN;
	h->id = ip4_get16(p + IP4_OFF_ID);
	frag = ip4_get16(p + IP4_OFF_FRAG);
	h->df = (frag & IP4_FLAG_DF) != 0;
	h->mf = (frag & IP4_FLAG_MF) != 0;
	h->frag_off = (uint16_t)((frag & IP4_OFF_MASK) * 8);
	h->ttl = p[IP4_OFF_TTL];
	h->proto = p[IP4_OFF_PROTO];
	h->csum = ip4_get16(p + IP4_OFF_CSUM);
	h->src = ip4_get32(p + IP4_OFF_SRC);
	h->dst = ip4_get32(p + IP4_OFF_DST);
	return IP4_OK;
}

int ip4_hdr_csum_ok(const uint8_t *p, size_t hlen)
{
	/* A header including its checksum sums to 0xffff, i.e. folds to 0. */
	return ip4_csum(p, hlen) == 0;
}

void ip4_hdr_set_csum(uint8_t *p)
{
	size_t hlen = (size_t)(p[0] & 15) * 4;

	ip4_put16(p + IP4_OFF_CSUM, 0);
	ip4_put16(p + IP4_OFF_CSUM, ip4_csum(p, hlen));
}

void ip4_hdr_write(uint8_t *out, const struct ip4_hdr *h)
{
	uint16_t frag = (uint16_t)((h->frag_off / 8) & IP4_OFF_MASK);

	if (h->df)
		frag |= IP4_FLAG_DF;
	if (h->mf)
		frag |= IP4_FLAG_MF;
	out[0] = 0x45;
	out[1] = h->tos;
	ip4_put16(out + IP4_OFF_TOTLEN, h->total_len);
	ip4_put16(out + IP4_OFF_ID, h->id);
	ip4_put16(out + IP4_OFF_FRAG, frag);
	out[IP4_OFF_TTL] = h->ttl;
	out[IP4_OFF_PROTO] = h->proto;
	ip4_put32(out + IP4_OFF_SRC, h->src);
	ip4_put32(out + IP4_OFF_DST, h->dst);
	ip4_hdr_set_csum(out);
}

char *ip4_ntoa(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

int ip4_aton(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s)
		return -1;
	*out = a;
	return 0;
}
