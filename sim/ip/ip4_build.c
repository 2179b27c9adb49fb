/* ip4_build.c — whole-packet builders with every checksum filled in (see ip4.h). */
#include "sim/ip/ip4.h"

#include <string.h>

static const struct ip4_build_opts defaults = {.ttl = 64};

/* hdr writes the 20-octet IP header for |l4_len| transport octets; 0 if it does not fit. */
static size_t hdr(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t proto,
		  size_t l4_len, const struct ip4_build_opts *o)
{
	struct ip4_hdr h = {0};

	if (!o)
		o = &defaults;
	if (l4_len > IP4_MAX_LEN - IP4_HDR_MIN || cap < IP4_HDR_MIN + l4_len)
		return 0;
	h.tos = o->tos;
	h.total_len = (uint16_t)(IP4_HDR_MIN + l4_len);
	h.id = o->id;
	h.df = o->df ? 1 : 0;
	h.ttl = o->ttl;
	h.proto = proto;
	h.src = src;
	h.dst = dst;
	ip4_hdr_write(out, &h);
	return IP4_HDR_MIN;
}

size_t ip4_udp_build(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, const uint8_t *data, size_t dlen, const struct ip4_build_opts *o)
{
	size_t l4_len = 8 + dlen;
	uint8_t *u = out + IP4_HDR_MIN;
	uint16_t c;

	if (!hdr(out, cap, src, dst, IP4_PROTO_UDP, l4_len, o))
		return 0;
	ip4_put16(u, sport);
	ip4_put16(u + 2, dport);
	ip4_put16(u + 4, (uint16_t)l4_len);
	ip4_put16(u + 6, 0);
	if (dlen)
		memcpy(u + 8, data, dlen);
	c = ip4_l4_csum(src, dst, IP4_PROTO_UDP, u, l4_len);
	ip4_put16(u + 6, c ? c : 0xffff);
	return IP4_HDR_MIN + l4_len;
}

size_t ip4_tcp_build(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
		     const uint8_t *data, size_t dlen, const struct ip4_build_opts *o)
{
	size_t l4_len = 20 + dlen;
	uint8_t *t = out + IP4_HDR_MIN;

	if (!hdr(out, cap, src, dst, IP4_PROTO_TCP, l4_len, o))
		return 0;
	memset(t, 0, 20);
	ip4_put16(t, sport);
	ip4_put16(t + 2, dport);
	ip4_put32(t + 4, seq);
	ip4_put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	ip4_put16(t + 14, window);
	if (dlen)
		memcpy(t + 20, data, dlen);
	ip4_put16(t + 16, ip4_l4_csum(src, dst, IP4_PROTO_TCP, t, l4_len));
	return IP4_HDR_MIN + l4_len;
}

size_t ip4_icmp_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
		      uint8_t code, uint32_t rest, const uint8_t *data, size_t dlen,
		      const struct ip4_build_opts *o)
{
	size_t l4_len = 8 + dlen;
	uint8_t *m = out + IP4_HDR_MIN;

	if (!hdr(out, cap, src, dst, IP4_PROTO_ICMP, l4_len, o))
		return 0;
	m[0] = type;
	m[1] = code;
	ip4_put16(m + 2, 0);
	ip4_put32(m + 4, rest);
	if (dlen)
		memmove(m + 8, data, dlen);
	ip4_put16(m + 2, ip4_csum(m, l4_len));
	return IP4_HDR_MIN + l4_len;
}

size_t ip4_icmp_error_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
			    uint8_t code, uint32_t rest, const uint8_t *orig, size_t orig_len,
			    size_t max_total, const struct ip4_build_opts *o)
{
	size_t ohlen = orig_len >= 1 ? (size_t)(orig[0] & 15) * 4 : 0;
	size_t min_quote = ohlen + 8;
	size_t quote = orig_len;

	/* Room after our own 20-octet header and 8-octet ICMP header. */
	if (max_total > IP4_HDR_MIN + 8 && quote > max_total - IP4_HDR_MIN - 8)
		quote = max_total - IP4_HDR_MIN - 8;
	if (quote < min_quote)
		quote = min_quote < orig_len ? min_quote : orig_len;
	return ip4_icmp_build(out, cap, src, dst, type, code, rest, orig, quote, o);
}
