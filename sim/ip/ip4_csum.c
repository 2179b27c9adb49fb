/*
 * ip4_csum.c — the Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624). Sums are kept in a 64-bit accumulator and folded with
 * end-around carry, so a non-zero input never folds to +0 (0x0000): from-
 * scratch and incremental results agree bit for bit.
 */
#include "sim/ip/ip4.h"

static uint32_t fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint32_t ip4_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	return fold16(s);
}

uint16_t ip4_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold16(sum);
}

uint16_t ip4_csum(const uint8_t *p, size_t len)
{
	return ip4_csum_fold(ip4_csum_add(0, p, len));
}

uint32_t ip4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);

	s += proto;
	s += l4_len;
	return fold16(s);
}

uint16_t ip4_l4_csum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len)
{
	return ip4_csum_fold(ip4_csum_add(ip4_pseudo_sum(src, dst, proto, (uint16_t)len), l4, len));
}

uint16_t ip4_csum_adjust16(uint16_t csum, uint16_t old, uint16_t new_)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
	uint64_t s = (uint16_t)~csum;

	s += (uint16_t)~old;
	s += new_;
	return (uint16_t)~fold16(s);
}

uint16_t ip4_csum_adjust32(uint16_t csum, uint32_t old, uint32_t new_)
{
	csum = ip4_csum_adjust16(csum, (uint16_t)(old >> 16), (uint16_t)(new_ >> 16));
	return ip4_csum_adjust16(csum, (uint16_t)old, (uint16_t)new_);
}

static void adjust_all(uint16_t old_hi, uint16_t new_hi, uint16_t old_lo, uint16_t new_lo,
		       int two, const struct ip4_csum_ref *csums, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *at = csums[i].at;
		uint16_t c;

		if (!at)
			continue;
		c = ip4_get16(at);
		if (csums[i].udp && c == 0)
			continue; /* RFC 768: zero means "no checksum"; leave it */
		c = ip4_csum_adjust16(c, old_hi, new_hi);
		if (two)
			c = ip4_csum_adjust16(c, old_lo, new_lo);
		if (csums[i].udp && c == 0)
			c = 0xffff;
		ip4_put16(at, c);
	}
}

void ip4_rewrite16(uint8_t *field, uint16_t v, const struct ip4_csum_ref *csums, size_t n)
{
	uint16_t old = ip4_get16(field);

	ip4_put16(field, v);
	adjust_all(old, v, 0, 0, 0, csums, n);
}

void ip4_rewrite32(uint8_t *field, uint32_t v, const struct ip4_csum_ref *csums, size_t n)
{
	uint32_t old = ip4_get32(field);

	ip4_put32(field, v);
	adjust_all((uint16_t)(old >> 16), (uint16_t)(v >> 16), (uint16_t)old, (uint16_t)v, 1,
		   csums, n);
}
