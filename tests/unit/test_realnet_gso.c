/*
 * test_realnet_gso.c — TSO segmentation and GRO coalescing at the TUN
 * (cli/realnet_gso.c):
 *   - the fast checksum against the 2-octet naive sum (RFC 1071) over
 *     random buffers, lengths and start sums (differential)
 *   - NEEDS_CSUM completion gives the full checksum
 *   - a 64 KiB-style super-packet cut into segments: lengths, IDs,
 *     sequence numbers, FIN/PSH on the last, CWR on the first, valid IP and
 *     TCP checksums, payload intact
 *   - the segments coalesce back into one run; the merged packet with its
 *     virtio header finishes to a valid checksum and the original payload
 *   - a numbered table of what must end a run
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/realnet_gso.c"
#include "cli/realnet_pcap.c"

/* naive: RFC 1071 two octets at a time (realnet_pcap.c's version) */
static uint16_t naive(uint32_t sum, const uint8_t *p, size_t len)
{
	return rn_ip_csum_fold(rn_ip_csum_add(sum, p, len));
}

static void test_csum_differential(void **state)
{
	uint8_t buf[2048];
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t off = (size_t)(rand_r(&seed) % 8), len = (size_t)(rand_r(&seed) % 1900);
		uint32_t start = (uint32_t)rand_r(&seed) & 0xffff;

		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (round % 7 == 0)
			memset(buf, 0xff, sizeof buf); /* carries everywhere */
		if (rn_csum_fold(rn_csum_add(start, buf + off, len)) != naive(start, buf + off, len))
			fail_msg("round %d: off %zu len %zu: fast %04x naive %04x", round, off, len,
				 rn_csum_fold(rn_csum_add(start, buf + off, len)), naive(start, buf + off, len));
	}
}

enum { MSS = 1348, HLEN = 20 + 32 }; /* TCP with a 12-octet timestamp option block */

/* super builds an IPv4/TCP packet with |payload| octets: seq 1000, ID 0x100, flags |flags|. */
static size_t super(uint8_t *p, size_t payload, uint8_t flags, int partial)
{
	size_t len = HLEN + payload;

	memset(p, 0, HLEN);
	p[0] = 0x45;
	g_put16(p + 2, (uint16_t)(len > 65535 ? 0 : len));
	g_put16(p + 4, 0x100);
	p[6] = 0x40; /* DF */
	p[8] = 64;
	p[9] = 6;
	g_put32(p + 12, 0x0a000001);
	g_put32(p + 16, 0x0a010005);
	g_put16(p + 20, 40000);
	g_put16(p + 22, 5201);
	g_put32(p + 24, 1000);
	g_put32(p + 28, 777);
	p[32] = (uint8_t)((HLEN - 20) / 4) << 4;
	p[33] = flags;
	g_put16(p + 34, 501);
	/* options: NOP NOP TS(10) + 20 octets of NOP padding to make a 32-octet option block */
	memset(p + 40, 1, 32);
	p[42] = 8;
	p[43] = 10;
	g_put32(p + 44, 0x11223344);
	g_put32(p + 48, 0x55667788);
	for (size_t i = 0; i < payload; i++)
		p[HLEN + i] = (uint8_t)(i * 7 + i / 251);
	ip_csum(p, 20);
	if (partial) /* as the kernel hands it with NEEDS_CSUM: the pseudo-header sum */
		g_put16(p + 36, rn_csum_fold(tcp_pseudo(p, len - 20)));
	return len;
}

static int valid(const uint8_t *p, size_t len)
{
	return rn_csum_fold(rn_csum_add(0, p, 20)) == 0xffff &&
	       rn_csum_fold(rn_csum_add(tcp_pseudo(p, len - 20), p + 20, len - 20)) == 0xffff;
}

static void test_csum_finish(void **state)
{
	uint8_t p[HLEN + 999];
	size_t len = super(p, 999, 0x18, 1);
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 16};

	(void)state;
	assert_false(valid(p, len));
	assert_int_equal(rn_vnet_csum_finish(p, len, &h), 0);
	assert_true(valid(p, len));
	h.csum_start = (uint16_t)len;
	assert_int_equal(rn_vnet_csum_finish(p, len, &h), -1);
}

static void test_tso_segments(void **state)
{
	enum { PAY = 40 * MSS + 100 };
	uint8_t *p = malloc(HLEN + PAY), seg[HLEN + MSS], *back = malloc(PAY);
	size_t len = super(p, PAY, 0x80 | 0x10 | 0x08 | 0x01, 1); /* CWR ACK PSH FIN */
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
				   .hdr_len = HLEN, .gso_size = MSS, .csum_start = 20, .csum_offset = 16};
	struct rn_tso t;

	(void)state;
	assert_int_equal(rn_tso_init(&t, p, len, &h), 0);
	assert_int_equal(t.nseg, 41);
	assert_int_equal(t.hlen, HLEN);
	for (unsigned k = 0; k < t.nseg; k++) {
		size_t sl = rn_tso_segment(&t, k, seg), chunk = k + 1 < t.nseg ? MSS : 100;

		assert_int_equal(sl, HLEN + chunk);
		assert_int_equal(g_get16(seg + 2), sl);
		assert_int_equal(g_get16(seg + 4), 0x100 + k);
		assert_int_equal(g_get32(seg + 24), 1000 + k * MSS);
		assert_int_equal(g_get32(seg + 28), 777);
		assert_int_equal(seg[33] & 0x01, k + 1 == t.nseg ? 0x01 : 0);
		assert_int_equal(seg[33] & 0x08, k + 1 == t.nseg ? 0x08 : 0);
		assert_int_equal(seg[33] & 0x80, k == 0 ? 0x80 : 0);
		assert_int_equal(seg[33] & 0x10, 0x10);
		assert_memory_equal(seg + 40, p + 40, HLEN - 40);
		assert_true(valid(seg, sl));
		memcpy(back + (size_t)k * MSS, seg + HLEN, chunk);
	}
	assert_memory_equal(back, p + HLEN, PAY);
	/* not TCP/IPv4 GSO: refused */
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(rn_tso_init(&t, p, len, &h), -1);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 0;
	assert_int_equal(rn_tso_init(&t, p, len, &h), -1);
	free(p);
	free(back);
}

/* segs cuts a super-packet (ACK, PSH on the last) into |n| segments in |buf|, filling |q|. */
static unsigned segs(uint8_t (*buf)[HLEN + MSS], struct rn_gro_pkt *q, unsigned n, size_t last)
{
	size_t pay = (size_t)(n - 1) * MSS + last;
	uint8_t *p = malloc(HLEN + pay);
	size_t len = super(p, pay, 0x10 | 0x08, 1);
	struct virtio_net_hdr h = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = MSS};
	struct rn_tso t;

	assert_int_equal(rn_tso_init(&t, p, len, &h), 0);
	assert_int_equal(t.nseg, n);
	for (unsigned k = 0; k < n; k++) {
		q[k].p = buf[k];
		q[k].len = rn_tso_segment(&t, k, buf[k]);
	}
	free(p);
	return n;
}

static void test_gro_roundtrip(void **state)
{
	enum { N = 30 };
	static uint8_t buf[N][HLEN + MSS];
	struct rn_gro_pkt q[N];
	struct virtio_net_hdr vh;
	struct iovec iov[RN_GRO_MAX_SEGS + 1];
	uint8_t *merged = malloc(HLEN + N * MSS), *orig = malloc(HLEN + N * MSS);
	size_t off = 0;
	int cnt;

	(void)state;
	segs(buf, q, N, 700);
	super(orig, (N - 1) * MSS + 700, 0x18, 1);
	assert_int_equal(rn_gro_run(q, N), N);
	cnt = rn_gro_build(q, N, &vh, iov);
	assert_int_equal(cnt, N + 1);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_size, MSS);
	assert_int_equal(vh.hdr_len, HLEN);
	assert_int_equal(vh.csum_start, 20);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(iov[0].iov_len, RN_VNET_HDR);
	for (int i = 1; i < cnt; i++) {
		memcpy(merged + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	assert_int_equal(off, HLEN + (N - 1) * MSS + 700);
	assert_int_equal(g_get16(merged + 2), off);
	assert_int_equal(rn_csum_fold(rn_csum_add(0, merged, 20)), 0xffff);
	assert_int_equal(merged[33], 0x18); /* PSH of the last segment */
	/* what the kernel would do with NEEDS_CSUM: finish it, and it is the original packet */
	assert_int_equal(rn_vnet_csum_finish(merged, off, &vh), 0);
	assert_true(valid(merged, off));
	assert_int_equal(rn_vnet_csum_finish(orig, off, &vh), 0);
	assert_memory_equal(merged + 20, orig + 20, off - 20);
	free(merged);
	free(orig);
}

/* What ends a run: each row breaks segment 3 (of 6) and expects a run of 3. */
static const struct {
	const char *what;
	size_t at;  /* octet offset in the segment */
	uint8_t xor_;
	int fix;    /* recompute checksums afterwards (else the break is the bad checksum itself) */
} breaks[] = {
	/* 1 */ {"bad TCP checksum", 36, 0x01, 0},
	/* 2 */ {"bad payload octet (checksum no longer valid)", HLEN + 5, 0x40, 0},
	/* 3 */ {"sequence gap", 27, 0x01, 1},
	/* 4 */ {"different acknowledgment", 31, 0x01, 1},
	/* 5 */ {"different window", 35, 0x01, 1},
	/* 6 */ {"different options (timestamp)", 47, 0x01, 1},
	/* 7 */ {"SYN flag", 33, 0x02, 1},
	/* 8 */ {"FIN flag", 33, 0x01, 1},
	/* 9 */ {"RST flag", 33, 0x04, 1},
	/* 10 */ {"URG flag", 33, 0x20, 1},
	/* 11 */ {"ECE flag", 33, 0x40, 1},
	/* 12 */ {"different TTL", 8, 0x01, 1},
	/* 13 */ {"different TOS", 1, 0x04, 1},
	/* 14 */ {"different source port", 21, 0x01, 1},
	/* 15 */ {"different destination address", 19, 0x01, 1},
	/* 16 */ {"DF flag differs", 6, 0x40, 1},
	/* 17 */ {"more fragments flag", 6, 0x20, 1},
};

static void test_gro_breaks(void **state)
{
	enum { N = 6 };
	static uint8_t buf[N][HLEN + MSS];
	struct rn_gro_pkt q[N];

	(void)state;
	for (size_t r = 0; r < sizeof breaks / sizeof breaks[0]; r++) {
		unsigned got;

		segs(buf, q, N, MSS);
		buf[3][breaks[r].at] ^= breaks[r].xor_;
		if (breaks[r].fix) {
			ip_csum(buf[3], 20);
			g_put16(buf[3] + 36, 0);
			g_put16(buf[3] + 36, (uint16_t)~rn_csum_fold(rn_csum_add(tcp_pseudo(buf[3], q[3].len - 20), buf[3] + 20,
										   q[3].len - 20)));
		}
		got = rn_gro_run(q, N);
		if (got != 3)
			fail_msg("row %zu (%s): run of %u, expected 3", r + 1, breaks[r].what, got);
	}
	/* PSH in the middle: it ends the run after itself */
	segs(buf, q, N, MSS);
	buf[2][33] |= 0x08;
	g_put16(buf[2] + 36, 0);
	g_put16(buf[2] + 36, (uint16_t)~rn_csum_fold(rn_csum_add(tcp_pseudo(buf[2], q[2].len - 20), buf[2] + 20, q[2].len - 20)));
	assert_int_equal(rn_gro_run(q, N), 3);
	/* a short segment can only be the last */
	segs(buf, q, N, MSS);
	q[2].len -= 100;
	g_put16(buf[2] + 2, (uint16_t)q[2].len);
	ip_csum(buf[2], 20);
	g_put16(buf[2] + 36, 0);
	g_put16(buf[2] + 36, (uint16_t)~rn_csum_fold(rn_csum_add(tcp_pseudo(buf[2], q[2].len - 20), buf[2] + 20, q[2].len - 20)));
	assert_int_equal(rn_gro_run(q, N), 3);
	/* a first packet that is not mergeable stands alone; a lone packet too */
	segs(buf, q, N, MSS);
	assert_int_equal(rn_gro_run(q, 1), 1);
	buf[0][0] = 0x46; /* IP options */
	assert_int_equal(rn_gro_run(q, N), 1);
}

static void test_gro_limits(void **state)
{
	enum { N = 70 };
	static uint8_t buf[N][HLEN + MSS];
	struct rn_gro_pkt q[N];
	struct virtio_net_hdr vh;
	struct iovec iov[RN_GRO_MAX_SEGS + 1];
	unsigned k;

	(void)state;
	segs(buf, q, 49, MSS);
	/* 49 segments of 1348 would exceed the 65535-octet Total Length: the run stops at 48 */
	k = rn_gro_run(q, 49);
	assert_int_equal(k, 48);
	assert_true(HLEN + (size_t)k * MSS <= 65535);
	assert_int_equal(rn_gro_build(q, k, &vh, iov), (int)k + 1);
	/* a single packet: an empty header and the packet as it is */
	segs(buf, q, 3, MSS);
	assert_int_equal(rn_gro_build(q, 1, &vh, iov), 2);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(vh.flags, 0);
	assert_ptr_equal(iov[1].iov_base, q[0].p);
	assert_int_equal(iov[1].iov_len, q[0].len);
	(void)N;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_differential),
		cmocka_unit_test(test_csum_finish),
		cmocka_unit_test(test_tso_segments),
		cmocka_unit_test(test_gro_roundtrip),
		cmocka_unit_test(test_gro_breaks),
		cmocka_unit_test(test_gro_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
