/*
 * test_mbox_ip4.c — sim/ip: Internet checksum (RFC 1071) and incremental
 * update (RFC 1624) against known answers and a naive model, header
 * parsing of malformed input, builders, RFC 791 fragmentation, reassembly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/test_mbox_util.h"

static void emit_cap(void *ctx, const uint8_t *p, size_t len)
{
	cap_send(ctx, 0, p, len);
}

/* RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void test_csum_rfc1071_example(void **state)
{
	static const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	assert_int_equal(ip4_csum_add(0, d, sizeof d), 0xddf2);
	assert_int_equal(ip4_csum(d, sizeof d), 0x220d);
	/* Odd length: the last octet is padded with zero on the right. */
	assert_int_equal(ip4_csum_add(0, d, 7), (0xddf2 - 0xf7 + 0) & 0xffff);
	assert_int_equal(ip4_csum(d, 7), naive_csum(d, 7));
}

/* The IPv4 header example of Wikipedia's "Internet checksum" article: checksum b861. */
static void test_csum_ipv4_header_vector(void **state)
{
	uint8_t h[20];

	assert_int_equal(hex_decode("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7", h, 20), 20);
	ip4_hdr_set_csum(h);
	assert_int_equal(ip4_get16(h + 10), 0xb861);
	assert_true(ip4_hdr_csum_ok(h, 20));
	h[8] = 0x3f; /* TTL changed without fixing the checksum */
	assert_false(ip4_hdr_csum_ok(h, 20));
}

/*
 * RFC 1624 §4 example: m 0x5555 -> 0x3285, HC 0xdd2f. Eqn. 3 gives 0x0000,
 * as recomputation does; RFC 1141's eqn. 2 would give 0xffff.
 */
static void test_csum_rfc1624_example(void **state)
{
	assert_int_equal(ip4_csum_adjust16(0xdd2f, 0x5555, 0x3285), 0x0000);
	/* And back again. */
	assert_int_equal(ip4_csum_adjust16(0x0000, 0x3285, 0x5555), 0xdd2f);
}

/* Differential: 20000 random headers and field changes, incremental == from scratch. */
static void test_csum_incremental_random(void **state)
{
	struct test_rng r = {42};

	for (int i = 0; i < 20000; i++) {
		uint8_t h[20];
		size_t at;
		uint32_t v;

		for (int j = 0; j < 20; j++)
			h[j] = (uint8_t)test_rng_next(&r);
		if (i % 7 == 0)
			memset(h, 0xff, 20); /* sums near -0 */
		h[0] = 0x45;
		ip4_hdr_set_csum(h);
		at = 12 + 4 * (test_rng_next(&r) % 2);
		v = (uint32_t)test_rng_next(&r);
		if (i % 5 == 0) {
			struct ip4_csum_ref c = {h + 10, 0};

			ip4_rewrite16(h + 2 + 2 * (test_rng_next(&r) % 4), (uint16_t)v, &c, 1);
		} else {
			struct ip4_csum_ref c = {h + 10, 0};

			ip4_rewrite32(h + at, v, &c, 1);
		}
		assert_int_equal(ip4_get16(h + 10), naive_ip_csum(h));
	}
}

/* UDP: a zero checksum ("none", RFC 768) stays zero; a computed zero is sent as 0xffff. */
static void test_csum_udp_zero_rules(void **state)
{
	uint8_t f[4] = {1, 2, 3, 4}, c[2] = {0, 0};
	struct ip4_csum_ref u = {c, 1};

	ip4_rewrite32(f, 0x0a000001, &u, 1);
	assert_int_equal(ip4_get16(c), 0);
	/* Make the adjusted value come out as 0: HC=0xffff-m', m=0 -> new sum 0xffff. */
	ip4_put16(f, 0);
	ip4_put16(c, (uint16_t)~0x1234);
	u.at = c;
	{
		uint8_t g[2] = {0, 0};
		uint16_t want = ip4_csum_adjust16((uint16_t)~0x1234, 0, (uint16_t)(0xffff - 0x1234));

		assert_int_equal(want, 0);
		ip4_rewrite16(g, (uint16_t)(0xffff - 0x1234), &u, 1);
		assert_int_equal(ip4_get16(c), 0xffff);
	}
}

/* Numbered table: malformed headers are refused with the right error, never read past. */
static void test_parse_malformed_table(void **state)
{
	static const struct {
		const char *hex;
		size_t len; /* bytes handed to the parser (may be less than the hex) */
		int want;
	} t[] = {
		/* 1 */ {"45000014 00000000 40110000 0a000001 0a000002", 19, IP4_ETRUNC},
		/* 2 */ {"", 0, IP4_ETRUNC},
		/* 3 */ {"65000014 00000000 40110000 0a000001 0a000002", 20, IP4_EVERSION},
		/* 4 */ {"44000014 00000000 40110000 0a000001 0a000002", 20, IP4_EIHL},
		/* 5 */ {"40000014 00000000 40110000 0a000001 0a000002", 20, IP4_EIHL},
		/* 6 */ {"46000018 00000000 40110000 0a000001 0a000002", 20, IP4_EIHL},
		/* 7 */ {"45000015 00000000 40110000 0a000001 0a000002", 20, IP4_ELEN},
		/* 8 */ {"45000013 00000000 40110000 0a000001 0a000002", 20, IP4_ELEN},
		/* 9 */ {"4500ffff 00000000 40110000 0a000001 0a000002", 20, IP4_ELEN},
		/* 10 */ {"45000014 00000000 40110000 0a000001 0a000002", 20, IP4_OK},
		/* 11 */ {"45000014 00000000 40110000 0a000001 0a000002 0000", 22, IP4_OK},
		/* 12 */ {"4f00003c 00000000 40110000 0a000001 0a000002", 20, IP4_EIHL},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t buf[64];
		struct ip4_hdr h;
		long n = hex_decode(t[i].hex, buf, sizeof buf);

		assert_true(n >= (long)t[i].len);
		if (ip4_parse(buf, t[i].len, &h) != t[i].want)
			fail_msg("case %zu: got %d want %d", i + 1, ip4_parse(buf, t[i].len, &h),
				 t[i].want);
	}
}

static void test_parse_fields_and_addr(void **state)
{
	uint8_t b[64];
	struct ip4_hdr h;
	char s[16];
	uint32_t a;

	assert_int_equal(hex_decode("4500 0073 1234 6005 4011 0000 c0a8 0001 c0a8 00c7", b, 64), 20);
	b[2] = 0, b[3] = 20;
	assert_int_equal(ip4_parse(b, 20, &h), IP4_OK);
	assert_int_equal(h.id, 0x1234);
	assert_true(h.df);
	assert_true(h.mf);
	assert_int_equal(h.frag_off, 5 * 8);
	assert_int_equal(h.src, IP(192, 168, 0, 1));
	assert_string_equal(ip4_ntoa(h.dst, s), "192.168.0.199");
	assert_int_equal(ip4_aton("203.0.113.7", &a), 0);
	assert_int_equal(a, IP(203, 0, 113, 7));
	assert_int_equal(ip4_aton("1.2.3.256", &a), -1);
	assert_int_equal(ip4_aton("1.2.3", &a), -1);
	assert_int_equal(ip4_aton("1.2.3.4x", &a), -1);
	assert_int_equal(ip4_aton("1..3.4", &a), -1);
}

static void test_builders_checksums(void **state)
{
	uint8_t b[2000];
	size_t n;
	struct ip4_hdr h;
	struct ip4_l4 l4;

	n = mk_udp(b, IP(10, 0, 0, 2), 500, IP(192, 0, 2, 1), 500, 333);
	assert_int_equal(n, 20 + 8 + 333);
	assert_true(pkt_csums_ok(b, n));
	assert_int_equal(ip4_parse(b, n, &h), 0);
	assert_int_equal(ip4_l4_parse(b, &h, &l4), 0);
	assert_true(l4.has_ports);
	assert_int_equal(l4.sport, 500);
	assert_int_equal(l4.csum_off, 26);

	n = mk_tcp(b, IP(10, 0, 0, 2), 40000, IP(192, 0, 2, 1), 443, TCP4_SYN);
	assert_true(pkt_csums_ok(b, n));
	assert_int_equal(ip4_parse(b, n, &h), 0);
	assert_int_equal(ip4_l4_parse(b, &h, &l4), 0);
	assert_int_equal(l4.tcp_flags, TCP4_SYN);
	assert_int_equal(l4.dport, 443);

	n = mk_echo(b, IP(10, 0, 0, 2), IP(192, 0, 2, 1), ICMP4_ECHO, 0x4242);
	assert_true(pkt_csums_ok(b, n));
	assert_int_equal(ip4_parse(b, n, &h), 0);
	assert_int_equal(ip4_l4_parse(b, &h, &l4), 0);
	assert_int_equal(l4.icmp_id, 0x4242);

	assert_int_equal(ip4_udp_build(b, 30, 1, 2, 3, 4, NULL, 10, NULL), 0); /* cap too small */
}

/* Numbered table: transport views of truncated and fragmented packets. */
static void test_l4_parse_table(void **state)
{
	static const struct {
		uint8_t proto;
		size_t l4len;
		uint16_t frag; /* flags+offset field */
		int want;
	} t[] = {
		/* 1 */ {IP4_PROTO_UDP, 7, 0, IP4_EL4},
		/* 2 */ {IP4_PROTO_UDP, 8, 0, IP4_OK},
		/* 3 */ {IP4_PROTO_TCP, 19, 0, IP4_EL4},
		/* 4 */ {IP4_PROTO_TCP, 20, 0, IP4_OK},
		/* 5 */ {IP4_PROTO_ICMP, 7, 0, IP4_EL4},
		/* 6 */ {IP4_PROTO_ICMP, 8, 0, IP4_OK},
		/* 7 */ {IP4_PROTO_UDP, 16, 0x0001, IP4_EFRAG},
		/* 8 */ {IP4_PROTO_UDP, 16, IP4_FLAG_MF, IP4_OK},
		/* 9 */ {IP4_PROTO_ESP, 0, 0, IP4_OK},
		/* 10 */ {IP4_PROTO_TCP, 8, IP4_FLAG_MF, IP4_EL4}, /* RFC 1858 tiny fragment */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t b[100] = {0};
		struct ip4_hdr h = {.ttl = 64, .proto = t[i].proto, .total_len = (uint16_t)(20 + t[i].l4len)};
		struct ip4_l4 l4;

		h.mf = (t[i].frag & IP4_FLAG_MF) != 0;
		h.frag_off = (uint16_t)((t[i].frag & IP4_OFF_MASK) * 8);
		ip4_hdr_write(b, &h);
		b[20 + 12] = 0x50; /* TCP data offset 5 */
		assert_int_equal(ip4_parse(b, h.total_len, &h), 0);
		if (ip4_l4_parse(b, &h, &l4) != t[i].want)
			fail_msg("case %zu: got %d want %d", i + 1, ip4_l4_parse(b, &h, &l4), t[i].want);
	}
}

/* check_frags: every fragment <= mtu, offsets multiple of 8, MF right, data concatenates. */
static void check_frags(const struct cap *c, const uint8_t *orig, size_t olen, size_t mtu)
{
	struct ip4_hdr oh, h;
	size_t next = 0;

	assert_int_equal(ip4_parse(orig, olen, &oh), 0);
	for (size_t i = 0; i < c->n; i++) {
		const uint8_t *f = c->p[i].data;

		assert_true(c->p[i].len <= mtu);
		assert_int_equal(ip4_parse(f, c->p[i].len, &h), 0);
		assert_true(ip4_hdr_csum_ok(f, h.hlen));
		assert_int_equal(h.frag_off % 8, 0);
		assert_int_equal(h.frag_off, oh.frag_off + next);
		assert_int_equal(h.id, oh.id);
		assert_int_equal(h.mf, i + 1 < c->n ? 1 : oh.mf);
		if (i + 1 < c->n)
			assert_int_equal((h.total_len - h.hlen) % 8, 0);
		assert_memory_equal(f + h.hlen, orig + oh.hlen + next, h.total_len - h.hlen);
		next += h.total_len - h.hlen;
	}
	assert_int_equal(next, oh.total_len - oh.hlen);
}

static void test_frag_basic(void **state)
{
	uint8_t b[3100];
	struct cap c = {0};
	size_t n = mk_udp(b, IP(10, 0, 0, 2), 500, IP(192, 0, 2, 1), 500, 2972);

	assert_int_equal(n, 3000);
	assert_int_equal(ip4_frag(b, n, 1500, emit_cap, &c), 3);
	assert_int_equal(c.p[0].len, 1500);
	assert_int_equal(c.p[1].len, 1500);
	assert_int_equal(c.p[2].len, 20 + 2980 - 2 * 1480);
	check_frags(&c, b, n, 1500);
	cap_clear(&c);
	/* A datagram that fits is emitted unchanged. */
	assert_int_equal(ip4_frag(b, n, 3000, emit_cap, &c), 1);
	assert_int_equal(c.p[0].len, 3000);
	assert_memory_equal(c.p[0].data, b, 3000);
	cap_clear(&c);
}

/* Numbered table of (payload, MTU): counts match ceil(data / chunk). */
static void test_frag_table(void **state)
{
	static const struct {
		size_t payload, mtu;
		int count;
	} t[] = {
		/* 1 */ {1472, 1500, 1}, /* 2 */ {1473, 1500, 2}, /* 3 */ {3000, 576, 6},
		/* 4 */ {100, 68, 3},    /* 5 */ {1400, 1280, 2}, /* 6 */ {1000, 1000, 2},
		/* 7 */ {65507, 1500, 45}, /* 8 */ {48, 68, 2},   /* 9 */ {40, 68, 1},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		static uint8_t b[65535];
		struct cap c = {0};
		size_t n = mk_udp(b, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, t[i].payload);

		assert_true(n > 0);
		if (ip4_frag(b, n, t[i].mtu, emit_cap, &c) != t[i].count)
			fail_msg("case %zu: %zu fragments, want %d", i + 1, c.n, t[i].count);
		check_frags(&c, b, n, t[i].mtu);
		cap_clear(&c);
	}
}

/* Options: the first fragment keeps all, later ones only the copy-flag options. */
static void test_frag_options(void **state)
{
	uint8_t b[1200];
	struct cap c = {0};
	struct ip4_hdr h;
	size_t n;

	/* Build a UDP packet, then insert 12 octets of options: RR (type 7, not
	 * copied, len 7) + NOP, and a copied option 0x94 (router alert, len 4). */
	n = mk_udp(b + 12, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, 1000);
	memmove(b, b + 12, 20);
	memcpy(b + 20, "\x07\x07\x04\x00\x00\x00\x00\x01\x94\x04\x00\x00", 12);
	b[0] = 0x48;
	ip4_put16(b + 2, (uint16_t)(n + 12));
	ip4_hdr_set_csum(b);
	n += 12;
	assert_int_equal(ip4_frag(b, n, 576, emit_cap, &c), 2);
	assert_int_equal(ip4_parse(c.p[0].data, c.p[0].len, &h), 0);
	assert_int_equal(h.hlen, 32);
	assert_memory_equal(c.p[0].data + 20, b + 20, 12);
	assert_int_equal(ip4_parse(c.p[1].data, c.p[1].len, &h), 0);
	assert_int_equal(h.hlen, 24);
	assert_memory_equal(c.p[1].data + 20, "\x94\x04\x00\x00", 4);
	check_frags(&c, b, n, 576);
	cap_clear(&c);
	/* Malformed options (length 1) refuse fragmentation. */
	b[21] = 1;
	assert_int_equal(ip4_frag(b, n, 576, emit_cap, &c), IP4_EOPT);
	assert_int_equal(c.n, 0);
}

/* Fragmenting a fragment: offsets add up, the last piece keeps MF=1. */
static void test_frag_of_fragment(void **state)
{
	uint8_t b[2100];
	struct cap c = {0};
	struct ip4_hdr h;
	size_t n = mk_udp(b, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, 1992);

	ip4_put16(b + 6, IP4_FLAG_MF | 100); /* offset 800, more to come */
	ip4_hdr_set_csum(b);
	assert_int_equal(ip4_frag(b, n, 1000, emit_cap, &c), 3);
	check_frags(&c, b, n, 1000);
	assert_int_equal(ip4_parse(c.p[2].data, c.p[2].len, &h), 0);
	assert_true(h.mf);
	cap_clear(&c);
	assert_int_equal(ip4_frag(b, n, 27, emit_cap, &c), IP4_EMTU);
}

static int reasm_all(struct ip4_reasm *r, const struct cap *c, const size_t *order, uint8_t **out,
		     size_t *out_len)
{
	int rc = 0;

	for (size_t i = 0; i < c->n; i++) {
		size_t k = order ? order[i] : i;
		struct ip4_hdr h;

		assert_int_equal(ip4_parse(c->p[k].data, c->p[k].len, &h), 0);
		rc = ip4_reasm_input(r, 1000 + i, c->p[k].data, &h, out, out_len);
		if (rc)
			return rc;
	}
	return rc;
}

/* Reassembly in order, reversed and shuffled with duplicates gives the original back. */
static void test_reasm_orders(void **state)
{
	static const size_t rev[] = {2, 1, 0}, dupe[] = {1, 1, 2, 0};
	uint8_t b[3100], *out = NULL;
	size_t n = mk_udp(b, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, 2972), out_len;
	struct cap c = {0};
	struct ip4_reasm *r = ip4_reasm_new(NULL);

	assert_int_equal(ip4_frag(b, n, 1500, emit_cap, &c), 3);
	assert_int_equal(reasm_all(r, &c, NULL, &out, &out_len), 1);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, b, n);
	free(out);
	assert_int_equal(reasm_all(r, &c, rev, &out, &out_len), 1);
	assert_memory_equal(out, b, n);
	free(out);
	{
		struct cap d = c;

		d.n = 4;
		d.p = calloc(4, sizeof *d.p);
		for (int i = 0; i < 3; i++)
			d.p[i] = c.p[i];
		d.p[3] = c.p[0];
		assert_int_equal(reasm_all(r, &d, dupe, &out, &out_len), 1);
		assert_memory_equal(out, b, n);
		free(out);
		free(d.p);
	}
	assert_int_equal(ip4_reasm_pending(r), 0);
	ip4_reasm_free(r);
	cap_clear(&c);
}

/* Numbered table of bad fragment sequences; each discards the datagram. */
static void test_reasm_bad_table(void **state)
{
	static const struct {
		uint16_t off8;   /* offset in 8-octet units */
		uint16_t dlen;
		int mf;
	} seq[][3] = {
		/* 1: MF fragment with data not a multiple of 8 */
		{{0, 12, 1}, {0, 0, 0}, {0, 0, 0}},
		/* 2: two last fragments with different ends */
		{{1, 16, 0}, {1, 24, 0}, {0, 0, 0}},
		/* 3: data beyond the known end */
		{{1, 16, 0}, {3, 8, 1}, {0, 0, 0}},
		/* 4: ends past 65535 (ping of death) */
		{{8189, 64, 0}, {0, 0, 0}, {0, 0, 0}},
		/* 5: last fragment ends before data already seen */
		{{4, 16, 1}, {1, 8, 0}, {0, 0, 0}},
	};
	static const int want[] = {IP4_EREASM_BAD, IP4_EREASM_BAD, IP4_EREASM_BAD,
				   IP4_EREASM_TOOBIG, IP4_EREASM_BAD};
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		struct ip4_reasm *r = ip4_reasm_new(NULL);
		int rc = 0;

		for (int j = 0; j < 3 && (seq[i][j].dlen || j == 0); j++) {
			uint8_t f[100] = {0};
			struct ip4_hdr h = {.hlen = 20, .ttl = 9, .proto = 17, .id = 7, .src = 1, .dst = 2};
			uint8_t *out = NULL;
			size_t ol;

			h.total_len = (uint16_t)(20 + seq[i][j].dlen);
			h.frag_off = (uint16_t)(seq[i][j].off8 * 8);
			h.mf = (uint8_t)seq[i][j].mf;
			ip4_hdr_write(f, &h);
			rc = ip4_reasm_input(r, 0, f, &h, &out, &ol);
			free(out);
			if (rc < 0)
				break;
		}
		if (rc != want[i])
			fail_msg("case %zu: got %d want %d", i + 1, rc, want[i]);
		assert_int_equal(ip4_reasm_pending(r), 0);
		ip4_reasm_free(r);
	}
}

static void count_key(void *ctx, const struct ip4_reasm_key *k)
{
	(*(int *)ctx)++;
	assert_int_equal(k->id, 0x77);
}

/* Timeout from the first fragment, table bound, flush. */
static void test_reasm_timeout_and_limits(void **state)
{
	struct ip4_reasm_cfg cfg = {.timeout_ns = 30 * SEC, .max_datagrams = 2};
	struct ip4_reasm *r = ip4_reasm_new(&cfg);
	uint8_t f[100] = {0}, *out = NULL;
	size_t ol;
	struct ip4_hdr h = {.hlen = 20, .ttl = 9, .proto = 17, .id = 0x77, .src = 1, .dst = 2, .mf = 1,
			    .total_len = 36};
	int expired = 0;

	ip4_hdr_write(f, &h);
	assert_int_equal(ip4_reasm_input(r, 5 * SEC, f, &h, &out, &ol), 0);
	assert_int_equal(ip4_reasm_deadline(r), 35 * SEC);
	h.src = 3;
	assert_int_equal(ip4_reasm_input(r, 6 * SEC, f, &h, &out, &ol), 0);
	h.src = 4;
	assert_int_equal(ip4_reasm_input(r, 7 * SEC, f, &h, &out, &ol), IP4_EREASM_FULL);
	assert_int_equal(ip4_reasm_expire(r, 35 * SEC - 1, count_key, &expired), 0);
	assert_int_equal(ip4_reasm_expire(r, 35 * SEC, count_key, &expired), 1);
	assert_int_equal(expired, 1);
	assert_int_equal(ip4_reasm_pending(r), 1);
	assert_int_equal(ip4_reasm_flush(r), 1);
	assert_int_equal(ip4_reasm_deadline(r), UINT64_MAX);
	ip4_reasm_free(r);
}

/* ICMP error quotes: RFC 1812 up to 576 in all, RFC 792 header + 8. */
static void test_icmp_error_quote(void **state)
{
	uint8_t b[1500], e[1500];
	size_t n = mk_udp(b, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, 1000), m;

	m = ip4_icmp_error_build(e, sizeof e, IP(10, 9, 9, 9), IP(10, 0, 0, 2), 3, 4, 1400, b, n,
				 576, NULL);
	assert_int_equal(m, 576);
	assert_memory_equal(e + 28, b, 576 - 28);
	assert_int_equal(ip4_get32(e + 24), 1400);
	assert_true(pkt_csums_ok(e, m));
	m = ip4_icmp_error_build(e, sizeof e, IP(10, 9, 9, 9), IP(10, 0, 0, 2), 3, 4, 1400, b, n,
				 20 + 8 + 28, NULL);
	assert_int_equal(m, 20 + 8 + 20 + 8);
	assert_true(pkt_csums_ok(e, m));
	/* A short original is quoted whole. */
	n = mk_udp(b, IP(10, 0, 0, 2), 1, IP(10, 0, 0, 3), 2, 4);
	m = ip4_icmp_error_build(e, sizeof e, 1, 2, 3, 3, 0, b, n, 576, NULL);
	assert_int_equal(m, 28 + n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071_example),
		cmocka_unit_test(test_csum_ipv4_header_vector),
		cmocka_unit_test(test_csum_rfc1624_example),
		cmocka_unit_test(test_csum_incremental_random),
		cmocka_unit_test(test_csum_udp_zero_rules),
		cmocka_unit_test(test_parse_malformed_table),
		cmocka_unit_test(test_parse_fields_and_addr),
		cmocka_unit_test(test_builders_checksums),
		cmocka_unit_test(test_l4_parse_table),
		cmocka_unit_test(test_frag_basic),
		cmocka_unit_test(test_frag_table),
		cmocka_unit_test(test_frag_options),
		cmocka_unit_test(test_frag_of_fragment),
		cmocka_unit_test(test_reasm_orders),
		cmocka_unit_test(test_reasm_bad_table),
		cmocka_unit_test(test_reasm_timeout_and_limits),
		cmocka_unit_test(test_icmp_error_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
