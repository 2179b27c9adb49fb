/*
 * test_mbox_util.h — shared by the tests/unit/test_mbox_*.c binaries: a
 * capture of what a box sends, a seeded random source, and checksums
 * computed from scratch by a deliberately naive model (byte-wise, no
 * shared code with sim/ip/ip4_csum.c) to check the incremental updates.
 */
#ifndef VPNLAB_TEST_MBOX_UTIL_H
#define VPNLAB_TEST_MBOX_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ip/ip4.h"
#include "sim/mbox/mbox.h"
#include "tests/lib/testutil.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define SEC 1000000000ull
#define MS 1000000ull

/* ---------------------------------------------------------------- capture */

struct cap_pkt {
	int ifx;
	size_t len;
	uint8_t *data;
};

struct cap {
	struct cap_pkt *p;
	size_t n;
};

static inline void cap_send(void *ctx, int ifx, const uint8_t *pkt, size_t len)
{
	struct cap *c = ctx;
	struct cap_pkt *g = realloc(c->p, (c->n + 1) * sizeof *g);

	if (!g)
		abort();
	c->p = g;
	c->p[c->n].ifx = ifx;
	c->p[c->n].len = len;
	c->p[c->n].data = malloc(len ? len : 1);
	if (!c->p[c->n].data)
		abort();
	memcpy(c->p[c->n].data, pkt, len);
	c->n++;
}

static inline void cap_clear(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i].data);
	free(c->p);
	c->p = NULL;
	c->n = 0;
}

/* ---------------------------------------------------------------- randomness */

/* test_rng: splitmix64 stream, a stand-in for the simulator's seeded DRBG. */
struct test_rng {
	uint64_t s;
};

static inline uint64_t test_rng_next(struct test_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline int test_rng_fill(void *ctx, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)test_rng_next(ctx);
	return 0;
}

/* ---------------------------------------------------------------- harness */

struct harness {
	struct cap cap;
	struct ev_lines ev;
	struct test_rng rng;
	struct mbox_io io;
};

static inline void harness_init(struct harness *h, uint64_t seed)
{
	memset(h, 0, sizeof *h);
	h->rng.s = seed;
	h->io.send = cap_send;
	h->io.ctx = &h->cap;
	h->io.events.emit = ev_collect;
	h->io.events.ctx = &h->ev;
	h->io.rng.fill = test_rng_fill;
	h->io.rng.ctx = &h->rng;
}

static inline void harness_fini(struct harness *h)
{
	cap_clear(&h->cap);
	ev_lines_free(&h->ev);
}

/* ---------------------------------------------------------------- naive checksums */

/* naive_sum: one's complement sum, byte by byte, folded at the end. */
static inline uint32_t naive_sum(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i < len; i++)
		acc += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

static inline uint16_t naive_csum(const uint8_t *p, size_t len)
{
	return (uint16_t)~naive_sum(p, len, 0);
}

/* naive_ip_csum: what the header checksum of |pkt| should be. */
static inline uint16_t naive_ip_csum(const uint8_t *pkt)
{
	uint8_t h[60];
	size_t hl = (size_t)(pkt[0] & 15) * 4;

	memcpy(h, pkt, hl);
	h[10] = h[11] = 0;
	return naive_csum(h, hl);
}

/*
 * naive_l4_csum: what the UDP/TCP checksum (at |csum_off| inside |l4|)
 * should be for |l4_len| transport octets between |src| and |dst|.
 */
static inline uint16_t naive_l4_csum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4,
				     size_t l4_len, size_t csum_off)
{
	uint8_t *copy = malloc(l4_len + 12 + 1);
	uint16_t c;

	if (!copy)
		abort();
	copy[0] = (uint8_t)(src >> 24), copy[1] = (uint8_t)(src >> 16);
	copy[2] = (uint8_t)(src >> 8), copy[3] = (uint8_t)src;
	copy[4] = (uint8_t)(dst >> 24), copy[5] = (uint8_t)(dst >> 16);
	copy[6] = (uint8_t)(dst >> 8), copy[7] = (uint8_t)dst;
	copy[8] = 0, copy[9] = proto;
	copy[10] = (uint8_t)(l4_len >> 8), copy[11] = (uint8_t)l4_len;
	memcpy(copy + 12, l4, l4_len);
	copy[12 + csum_off] = copy[12 + csum_off + 1] = 0;
	c = naive_csum(copy, l4_len + 12);
	free(copy);
	if (proto == IP4_PROTO_UDP && c == 0)
		c = 0xffff;
	return c;
}

/* naive_icmp_csum: what the ICMP checksum of |icmp| (|len| octets) should be. */
static inline uint16_t naive_icmp_csum(const uint8_t *icmp, size_t len)
{
	uint8_t *copy = malloc(len + 1);
	uint16_t c;

	if (!copy)
		abort();
	memcpy(copy, icmp, len);
	copy[2] = copy[3] = 0;
	c = naive_csum(copy, len);
	free(copy);
	return c;
}

/*
 * pkt_csums_ok checks every checksum of a whole packet against the naive
 * model: IP header, and UDP (unless 0) / TCP / ICMP over the whole payload.
 */
static inline int pkt_csums_ok(const uint8_t *p, size_t len)
{
	size_t hl = (size_t)(p[0] & 15) * 4;
	uint32_t src = ip4_get32(p + 12), dst = ip4_get32(p + 16);
	const uint8_t *l4 = p + hl;
	size_t l4len = len - hl;

	if (ip4_get16(p + 10) != naive_ip_csum(p))
		return 0;
	switch (p[9]) {
	case IP4_PROTO_UDP:
		return ip4_get16(l4 + 6) == 0 ||
		       ip4_get16(l4 + 6) == naive_l4_csum(src, dst, IP4_PROTO_UDP, l4, l4len, 6);
	case IP4_PROTO_TCP:
		return ip4_get16(l4 + 16) == naive_l4_csum(src, dst, IP4_PROTO_TCP, l4, l4len, 16);
	case IP4_PROTO_ICMP:
		return ip4_get16(l4 + 2) == naive_icmp_csum(l4, l4len);
	}
	return 1;
}

/* ---------------------------------------------------------------- packet shortcuts */

static inline size_t mk_udp(uint8_t *buf, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
			    size_t payload)
{
	static uint8_t data[65536];

	for (size_t i = 0; i < payload && i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	return ip4_udp_build(buf, 65535, src, sp, dst, dp, data, payload, NULL);
}

static inline size_t mk_tcp(uint8_t *buf, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
			    uint8_t flags)
{
	static const uint8_t data[] = "GET / HTTP/1.1\r\n";

	return ip4_tcp_build(buf, 65535, src, sp, dst, dp, 1000, 2000, flags, 65535, data,
			     sizeof data - 1, NULL);
}

static inline size_t mk_echo(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
	static const uint8_t data[] = "abcdefghijklmnop";

	return ip4_icmp_build(buf, 65535, src, dst, type, 0, (uint32_t)id << 16 | 1, data,
			      sizeof data - 1, NULL);
}

#endif
