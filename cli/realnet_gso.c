/*
 * realnet_gso.c — TCP/IPv4 segmentation for TUN reads and coalescing for
 * TUN writes (realnet_gso.h). The merge rules follow what Linux's own TCP
 * GRO accepts, so a merged packet says nothing its segments did not.
 */
#include "cli/realnet_gso.h"

#include <arpa/inet.h>
#include <string.h>

uint16_t rn_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t rn_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	size_t i = 0;
	uint16_t w16;

	/* native-order words: the one's complement sum is byte-order independent
	 * (RFC 1071 §2(B)); swap once at the end */
	for (; i + 16 <= len; i += 16) {
		uint64_t a, b;

		memcpy(&a, p + i, 8);
		memcpy(&b, p + i + 8, 8);
		s += (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32);
	}
	for (; i + 2 <= len; i += 2) {
		memcpy(&w16, p + i, 2);
		s += w16;
	}
	if (i < len) {
		uint8_t t[2] = {p[i], 0};

		memcpy(&w16, t, 2);
		s += w16;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return rn_csum_fold(sum + ntohs((uint16_t)s));
}

static uint16_t g_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t g_get32(const uint8_t *p)
{
	return (uint32_t)g_get16(p) << 16 | g_get16(p + 2);
}

static void g_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void g_put32(uint8_t *p, uint32_t v)
{
	g_put16(p, (uint16_t)(v >> 16));
	g_put16(p + 2, (uint16_t)v);
}

int rn_vnet_csum_finish(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h)
{
	size_t start = h->csum_start, off = h->csum_offset;
	uint16_t c;

	if (start + off + 2 > len)
		return -1;
	/* the field already holds the pseudo-header sum: summing everything from csum_start completes it */
	c = (uint16_t)~rn_csum_fold(rn_csum_add(0, pkt + start, len - start));
	if (c == 0 && pkt[9] == 17)
		c = 0xffff; /* UDP: 0 means "no checksum" (RFC 768) */
	g_put16(pkt + start + off, c);
	return 0;
}

/* ip_csum recomputes the IPv4 header checksum. */
static void ip_csum(uint8_t *ip, size_t ihl)
{
	g_put16(ip + 10, 0);
	g_put16(ip + 10, (uint16_t)~rn_csum_fold(rn_csum_add(0, ip, ihl)));
}

/* tcp_pseudo: the pseudo-header sum (RFC 793 §3.1) for |tcp_len| octets of TCP in the IPv4 packet |ip|. */
static uint32_t tcp_pseudo(const uint8_t *ip, size_t tcp_len)
{
	return rn_csum_add(0, ip + 12, 8) + 6 + (uint32_t)tcp_len;
}

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_CWR = 0x80 };

int rn_tso_init(struct rn_tso *t, const uint8_t *pkt, size_t len, const struct virtio_net_hdr *h)
{
	size_t doff;

	if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV4 || h->gso_size == 0 || len < 40 ||
	    (pkt[0] >> 4) != 4 || pkt[9] != 6)
		return -1;
	t->ihl = (size_t)(pkt[0] & 15) * 4;
	if (t->ihl < 20 || t->ihl + 20 > len)
		return -1;
	doff = (size_t)(pkt[t->ihl + 12] >> 4) * 4;
	t->hlen = t->ihl + doff;
	if (doff < 20 || t->hlen >= len)
		return -1;
	t->pkt = pkt;
	t->len = len;
	t->mss = h->gso_size;
	t->payload = len - t->hlen;
	t->nseg = (unsigned)((t->payload + t->mss - 1) / t->mss);
	return 0;
}

size_t rn_tso_segment(const struct rn_tso *t, unsigned k, uint8_t *out)
{
	size_t off = (size_t)k * t->mss, chunk = t->payload - off < t->mss ? t->payload - off : t->mss;
	size_t len = t->hlen + chunk, tcp_len = len - t->ihl;
	uint8_t *tcp = out + t->ihl;

	memcpy(out, t->pkt, t->hlen);
	memcpy(out + t->hlen, t->pkt + t->hlen + off, chunk);
	g_put16(out + 2, (uint16_t)len);
	g_put16(out + 4, (uint16_t)(g_get16(t->pkt + 4) + k));
	ip_csum(out, t->ihl);
	g_put32(tcp + 4, g_get32(t->pkt + t->ihl + 4) + (uint32_t)off);
	/* FIN and PSH belong to the last segment, CWR to the first (as the kernel's TSO does) */
	if (k + 1 < t->nseg)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (k > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	g_put16(tcp + 16, 0);
	g_put16(tcp + 16, (uint16_t)~rn_csum_fold(rn_csum_add(tcp_pseudo(out, tcp_len), tcp, tcp_len)));
	return len;
}

/* ---------------------------------------------------------------------- */
/* Coalescing                                                              */

struct tcp4 {
	size_t hlen, paylen;
	uint32_t seq;
	uint8_t flags;
};

/* tcp4_parse accepts only what can be merged: IPv4 without options, unfragmented, TCP with payload. */
static int tcp4_parse(const uint8_t *p, size_t len, struct tcp4 *t)
{
	size_t doff;

	if (len < 40 || p[0] != 0x45 || p[9] != 6 || g_get16(p + 2) != len || (g_get16(p + 6) & 0x3fff) != 0)
		return -1;
	doff = (size_t)(p[32] >> 4) * 4;
	if (doff < 20 || 20 + doff >= len)
		return -1;
	t->hlen = 20 + doff;
	t->paylen = len - t->hlen;
	t->seq = g_get32(p + 24);
	t->flags = p[33];
	return 0;
}

/* csum_ok: IPv4 header and TCP checksums of |p| are right. */
static int csum_ok(const uint8_t *p, size_t len)
{
	return rn_csum_fold(rn_csum_add(0, p, 20)) == 0xffff &&
	       rn_csum_fold(rn_csum_add(tcp_pseudo(p, len - 20), p + 20, len - 20)) == 0xffff;
}

/* same_flow: addresses, TOS, DF, TTL, ports, ack, window and options are equal (Linux TCP GRO's rule, plus window). */
static int same_flow(const uint8_t *a, const struct tcp4 *ta, const uint8_t *b, const struct tcp4 *tb)
{
	return ta->hlen == tb->hlen && a[1] == b[1] && (a[6] & 0x40) == (b[6] & 0x40) && a[8] == b[8] &&
	       memcmp(a + 12, b + 12, 8) == 0 &&         /* addresses */
	       memcmp(a + 20, b + 20, 4) == 0 &&         /* ports */
	       memcmp(a + 28, b + 28, 4) == 0 &&         /* acknowledgment number */
	       memcmp(a + 34, b + 34, 2) == 0 &&         /* window */
	       memcmp(a + 40, b + 40, ta->hlen - 40) == 0; /* options */
}

unsigned rn_gro_run(const struct rn_gro_pkt *q, unsigned n)
{
	struct tcp4 first, prev, cur;
	size_t total;
	unsigned k;

	if (n < 2 || tcp4_parse(q[0].p, q[0].len, &first) < 0 || first.flags != TCP_ACK ||
	    !csum_ok(q[0].p, q[0].len))
		return 1;
	prev = first;
	total = q[0].len;
	for (k = 1; k < n && k < RN_GRO_MAX_SEGS; k++) {
		if (tcp4_parse(q[k].p, q[k].len, &cur) < 0 || (cur.flags & ~TCP_PSH) != TCP_ACK ||
		    !same_flow(q[0].p, &first, q[k].p, &cur) || cur.seq != prev.seq + (uint32_t)prev.paylen ||
		    cur.paylen > first.paylen || prev.paylen < first.paylen || total + cur.paylen > RN_GRO_MAX_LEN ||
		    !csum_ok(q[k].p, q[k].len))
			break;
		total += cur.paylen;
		prev = cur;
		if (cur.flags & TCP_PSH) {
			k++;
			break; /* PSH ends a run */
		}
	}
	return k;
}

int rn_gro_build(struct rn_gro_pkt *q, unsigned k, struct virtio_net_hdr *vh, struct iovec *iov)
{
	struct tcp4 first, t;
	size_t total;
	uint8_t last_flags;

	memset(vh, 0, sizeof *vh);
	iov[0].iov_base = vh;
	iov[0].iov_len = RN_VNET_HDR;
	iov[1].iov_base = q[0].p;
	iov[1].iov_len = q[0].len;
	if (k < 2 || tcp4_parse(q[0].p, q[0].len, &first) < 0)
		return 2;
	total = q[0].len;
	last_flags = first.flags;
	for (unsigned i = 1; i < k; i++) {
		tcp4_parse(q[i].p, q[i].len, &t);
		iov[1 + i].iov_base = q[i].p + t.hlen;
		iov[1 + i].iov_len = t.paylen;
		total += t.paylen;
		last_flags = t.flags;
	}
	g_put16(q[0].p + 2, (uint16_t)total);
	ip_csum(q[0].p, 20);
	q[0].p[33] |= last_flags & TCP_PSH;
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, the kernel (or nobody, for local delivery) finishes it */
	g_put16(q[0].p + 36, rn_csum_fold(tcp_pseudo(q[0].p, total - 20)));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = (uint16_t)first.hlen;
	vh->gso_size = (uint16_t)first.paylen;
	vh->csum_start = 20;
	vh->csum_offset = 16;
	return (int)k + 1;
}
