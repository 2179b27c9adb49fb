/*
 * test_sim_topo.h — topologies and packet builders shared by the sim tests
 * (included by tests/unit/test_sim_*.c only).
 *
 *   topo3:   A 10.0.1.1 ──link ar── 10.0.1.2 R 10.0.2.2 ──link rb── 10.0.2.1 B
 *            (A, R, B are hosts; R forwards; A and B default-route via R)
 */
#ifndef VPNLAB_TEST_SIM_TOPO_H
#define VPNLAB_TEST_SIM_TOPO_H

#include <stdint.h>
#include <string.h>

#include "sim/ns3shim.h"

#define IP_A NS3SHIM_IP(10, 0, 1, 1)
#define IP_RA NS3SHIM_IP(10, 0, 1, 2)
#define IP_RB NS3SHIM_IP(10, 0, 2, 2)
#define IP_B NS3SHIM_IP(10, 0, 2, 1)

struct topo3 {
	int a, r, b;
	int a_dev, ra_dev, rb_dev, b_dev; /* device indices */
	int link_ar, link_rb;
};

/* topo3_build makes the drawing above; |mtu_rb| is the MTU of both ends of link rb. */
static inline int topo3_build(struct topo3 *t, uint64_t rate_bps, uint64_t delay_ns,
			      uint32_t mtu_rb)
{
	struct ns3shim_link_cfg ar = {.rate_bps = rate_bps, .delay_ns = delay_ns};
	struct ns3shim_link_cfg rb = {
		.rate_bps = rate_bps, .delay_ns = delay_ns, .mtu_a = mtu_rb, .mtu_b = mtu_rb};
	if ((t->a = ns3shim_node_add("A", NS3SHIM_HOST)) < 0 ||
	    (t->r = ns3shim_node_add("R", NS3SHIM_HOST)) < 0 ||
	    (t->b = ns3shim_node_add("B", NS3SHIM_HOST)) < 0)
		return -1;
	if ((t->link_ar = ns3shim_link_add(t->a, t->r, &ar, &t->a_dev, &t->ra_dev)) < 0 ||
	    (t->link_rb = ns3shim_link_add(t->r, t->b, &rb, &t->rb_dev, &t->b_dev)) < 0)
		return -1;
	if (ns3shim_addr_add(t->a, t->a_dev, IP_A, 24) < 0 ||
	    ns3shim_addr_add(t->r, t->ra_dev, IP_RA, 24) < 0 ||
	    ns3shim_addr_add(t->r, t->rb_dev, IP_RB, 24) < 0 ||
	    ns3shim_addr_add(t->b, t->b_dev, IP_B, 24) < 0)
		return -1;
	if (ns3shim_route_add(t->a, 0, 0, IP_RA, -1) < 0 ||
	    ns3shim_route_add(t->b, 0, 0, IP_RB, -1) < 0)
		return -1;
	return 0;
}

static inline uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * ip_build writes an IPv4 header (no options) for |payload_len| octets of
 * protocol |proto| into |p| with a valid checksum; |df| sets Don't Fragment.
 */
static inline void ip_build(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto,
			    size_t payload_len, int df, uint16_t id)
{
	size_t tot = 20 + payload_len;
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = df ? 0x40 : 0;
	p[8] = 64;
	p[9] = proto;
	put32be(p + 12, src);
	put32be(p + 16, dst);
	uint16_t c = csum_fold(csum_add(0, p, 20));
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

/* udp_build writes IPv4 + UDP (checksums filled) + |data| into |p|; returns the total length. */
static inline size_t udp_build(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst,
			       uint16_t dport, const uint8_t *data, size_t len, int df)
{
	size_t ul = 8 + len;
	ip_build(p, src, dst, 17, ul, df, 0x1234);
	uint8_t *u = p + 20;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)(ul >> 8);
	u[5] = (uint8_t)ul;
	u[6] = u[7] = 0;
	if (len)
		memcpy(u + 8, data, len);
	uint8_t ph[12];
	put32be(ph, src);
	put32be(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = (uint8_t)(ul >> 8);
	ph[11] = (uint8_t)ul;
	uint16_t c = csum_fold(csum_add(csum_add(0, ph, 12), u, ul));
	if (c == 0)
		c = 0xffff;
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	return 20 + ul;
}

#endif
