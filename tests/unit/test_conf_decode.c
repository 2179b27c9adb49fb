/*
 * test_conf_decode.c — the conformance decoder below the rules: link
 * types, nanosecond timestamps, IPv4 and fragment reassembly (limits,
 * overlaps), IPv6 "not checked", TCP stream reassembly (order, retransmits,
 * gaps) with RFC 9329 framing, port-4500 demultiplexing (RFC 3948 §2),
 * ICMP errors, and the IKEv1/IKEv2 summaries. Edge cases are numbered
 * tables; captures are crafted with conf_craft.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "conformance/conf_craft.h"
#include "conformance/conf_encap.h"
#include "conformance/conf_ipfrag.h"
#include "conformance/conf_keyset.h"
#include "conformance/conf_tcp.h"
#include "conformance/ikev1_const.h"
#include "ref/ike/ike_const.h"

#define A CONF_IP(192, 0, 2, 10)
#define B CONF_IP(198, 51, 100, 1)

static const uint8_t SPI_I[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t SPI_R[8] = {9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t ZERO8[8];

static struct conf_capture *decode(struct conf_craft *w)
{
	char err[CONF_ERR_LEN];
	struct conf_capture *c = conf_craft_decode(w, err, sizeof err);
	if (!c)
		fail_msg("decode: %s", err);
	return c;
}

/* a small IKE_SA_INIT request with a nonce and one notify */
static size_t small_ike(uint8_t *out, size_t cap)
{
	struct conf_craft_ike b;
	uint8_t nonce[32], n[16];
	memset(nonce, 0x4e, sizeof nonce);
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x20, IKE_SA_INIT, IKE_FLAG_I, 0);
	conf_craft_ike_add(&b, IKE_PL_NONCE, nonce, sizeof nonce);
	conf_craft_ike_add(&b, IKE_PL_NOTIFY, n,
			   conf_craft_notify(n, sizeof n, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0));
	size_t len = conf_craft_ike_end(&b);
	assert_true(len <= cap);
	memcpy(out, b.buf, len);
	return len;
}

/* ---- link types ---- */

static void test_link_types(void **state)
{
	(void)state;
	/* 1 EN10MB, 2 EN10MB + 802.1Q, 3 LINUX_SLL, 4 LINUX_SLL2, 5 RAW, 6 IPV4,
	 * 7 PPP (ns-3 point-to-point), 8 NULL, 9 LOOP */
	struct { int dlt; uint16_t vlan; } t[] = {
		{1, 0}, {1, 100}, {113, 0}, {276, 0}, {12, 0}, {228, 0}, {9, 0}, {0, 0}, {108, 0},
	};
	uint8_t ike[200], pkt[400];
	size_t il = small_ike(ike, sizeof ike);
	size_t pl = conf_craft_udp(pkt, sizeof pkt, A, 500, B, 500, 7, 0, ike, il);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct conf_craft *w = conf_craft_new(t[i].dlt);
		assert_non_null(w);
		conf_craft_vlan(w, t[i].vlan);
		assert_int_equal(conf_craft_add_ip(w, 1000000000ull, pkt, pl), 0);
		struct conf_capture *c = decode(w);
		if (c->n_msg != 1 || c->pkt[0].kind != CONF_K_IKE)
			fail_msg("row %zu (dlt %d): %u messages, kind %s", i + 1, t[i].dlt, c->n_msg,
				 conf_kind_name(c->pkt[0].kind));
		assert_int_equal(c->msg[0].flow.src, A);
		assert_int_equal(c->msg[0].flow.dport, 500);
		assert_int_equal(c->msg[0].version, 2);
		assert_int_equal(c->msg[0].v2.nonce_len, 32);
		if (t[i].vlan) {
			assert_int_equal(c->pkt[0].link.n_vlan, 1);
			assert_int_equal(c->pkt[0].link.vlan[0], t[i].vlan);
		}
		conf_capture_free(c);
		conf_craft_free(w);
	}
}

static void test_ppp_with_address_control(void **state)
{
	(void)state;
	uint8_t ike[200], pkt[400], f[500];
	size_t pl = conf_craft_udp(pkt, sizeof pkt, A, 500, B, 500, 7, 0, ike, small_ike(ike, sizeof ike));
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	memcpy(f + 4, pkt, pl);
	struct conf_craft *w = conf_craft_new(9);
	conf_craft_add_frame(w, 5, f, pl + 4);
	f[2] = 0xc0; /* LCP: not IP */
	f[3] = 0x21;
	conf_craft_add_frame(w, 6, f, 20);
	struct conf_capture *c = decode(w);
	assert_int_equal(c->n_msg, 1);
	assert_int_equal(c->st.other_l3, 1);
	conf_capture_free(c);
	conf_craft_free(w);
}

static void test_nanosecond_timestamps(void **state)
{
	(void)state;
	uint8_t ike[200], pkt[400];
	size_t pl = conf_craft_udp(pkt, sizeof pkt, A, 500, B, 500, 7, 0, ike, small_ike(ike, sizeof ike));
	struct conf_craft *w = conf_craft_new(1);
	conf_craft_add_ip(w, 1700000000123456789ull, pkt, pl);
	conf_craft_add_ip(w, 1700000000123456790ull, pkt, pl);
	struct conf_capture *c = decode(w);
	assert_int_equal(c->n_pkt, 2);
	assert_true(c->pkt[0].t_ns == 1700000000123456789ull);
	assert_true(c->pkt[1].t_ns - c->pkt[0].t_ns == 1);
	assert_int_equal(c->pkt[1].num, 2);
	conf_capture_free(c);
	conf_craft_free(w);
}

static void test_ipv6_not_checked_and_garbage_frames(void **state)
{
	(void)state;
	uint8_t v6[60] = {0x60};
	v6[4] = 0;
	v6[5] = 20;
	v6[6] = 17;
	struct conf_craft *w = conf_craft_new(1);
	conf_craft_add_ip(w, 1, v6, sizeof v6);
	uint8_t runt[10] = {0};
	conf_craft_add_frame(w, 2, runt, sizeof runt);           /* shorter than Ethernet */
	uint8_t badip[40] = {0};
	memcpy(badip, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	badip[14] = 0x4f; /* IHL 15 = 60 octets, only 26 present */
	conf_craft_add_frame(w, 3, badip, sizeof badip);
	struct conf_capture *c = decode(w);
	assert_int_equal(c->st.ipv6, 1);
	assert_int_equal(c->pkt[0].l3, CONF_L3_IPV6);
	assert_int_equal(c->st.link_errors, 1);
	assert_int_equal(c->st.ip_errors, 1);
	assert_non_null(strstr(c->pkt[2].note, "header length"));
	conf_capture_free(c);
	conf_craft_free(w);
}

/* ---- IPv4 reassembly ---- */

static void test_fragment_reassembly_order(void **state)
{
	(void)state;
	/* numbered: order in which the 3 fragments are captured */
	static const int order[][3] = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}};
	struct conf_craft_ike b;
	uint8_t body[3000];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (uint8_t)i;
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x20, IKE_AUTH, IKE_FLAG_I, 1);
	conf_craft_ike_add(&b, IKE_PL_SK, body, 2500);
	conf_craft_ike_end(&b);
	uint8_t pkt[4000], fr[4][CONF_CRAFT_FRAG_MAX];
	size_t lens[4];
	size_t n = conf_craft_udp(pkt, sizeof pkt, A, 500, B, 500, 0x777, 1, b.buf, b.len);
	assert_int_equal(conf_craft_fragment(pkt, n, 1000, fr, lens, 4), 3);
	for (size_t r = 0; r < sizeof order / sizeof order[0]; r++) {
		struct conf_craft *w = conf_craft_new(1);
		for (int k = 0; k < 3; k++)
			conf_craft_add_ip(w, (uint64_t)k, fr[order[r][k]], lens[order[r][k]]);
		struct conf_capture *c = decode(w);
		if (c->n_msg != 1)
			fail_msg("row %zu: %u messages", r + 1, c->n_msg);
		const struct conf_pkt *last = &c->pkt[2];
		assert_true(last->frag.reassembled);
		assert_int_equal(last->frag.n_parts, 3);
		assert_int_equal(last->dgram_len, n);
		for (int k = 0; k < 3; k++)
			assert_int_equal(c->pkt[k].frag.reassembled_in, 3);
		assert_true(c->msg[0].ip_fragmented);
		assert_true(c->msg[0].df);
		assert_int_equal(c->msg[0].len, b.len);
		assert_memory_equal(c->msg[0].raw, b.buf, b.len);
		assert_int_equal(c->st.reassembled, 1);
		conf_capture_free(c);
		conf_craft_free(w);
	}
}

static void test_fragment_overlap_and_limits(void **state)
{
	(void)state;
	uint8_t pay[64], pkt[200], fr[4][CONF_CRAFT_FRAG_MAX];
	size_t lens[4];
	memset(pay, 0x11, sizeof pay);
	size_t n = conf_craft_udp(pkt, sizeof pkt, A, 5000, B, 5001, 0x4242, 0, pay, sizeof pay);
	assert_int_equal(conf_craft_fragment(pkt, n, 20 + 48, fr, lens, 4), 2);
	/* 1: duplicate first fragment (identical) -> overlap 1, datagram completes */
	struct conf_craft *w = conf_craft_new(1);
	conf_craft_add_ip(w, 1, fr[0], lens[0]);
	conf_craft_add_ip(w, 2, fr[0], lens[0]);
	conf_craft_add_ip(w, 3, fr[1], lens[1]);
	struct conf_capture *c = decode(w);
	assert_int_equal(c->pkt[1].frag.overlap, 1);
	assert_true(c->pkt[2].frag.reassembled);
	assert_int_equal(c->st.frag_conflicts, 0);
	conf_capture_free(c);
	conf_craft_free(w);
	/* 2: only the first fragment: never reassembled, counted incomplete, ports kept */
	w = conf_craft_new(1);
	conf_craft_add_ip(w, 1, fr[0], lens[0]);
	c = decode(w);
	assert_int_equal(c->st.frag_incomplete, 1);
	assert_int_equal(c->pkt[0].kind, CONF_K_FRAGMENT);
	assert_true(c->pkt[0].l4_partial);
	assert_int_equal(c->pkt[0].dport, 5001);
	assert_int_equal(c->pkt[0].frag.reassembled_in, 0);
	conf_capture_free(c);
	conf_craft_free(w);
}

static void test_ipfrag_unit_limits(void **state)
{
	(void)state;
	struct conf_ipfrag_limits lim = {2, 3, 1000};
	struct conf_ipfrag *t = conf_ipfrag_new(&lim);
	struct conf_ipv4 h = {.src = A, .dst = B, .proto = 17, .hlen = 20, .mf = 1, .total_len = 28};
	uint8_t hdr[20] = {0x45}, d[8] = {0};
	struct conf_ipfrag_result r;
	int ov;
	const char *why;
	/* two datagrams in progress is the limit */
	for (uint16_t id = 1; id <= 2; id++) {
		h.id = id;
		assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 8, id, 0, &r, &ov, &why), CONF_IPFRAG_HELD);
	}
	h.id = 3;
	assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 8, 3, 0, &r, &ov, &why), CONF_IPFRAG_DROPPED);
	assert_non_null(strstr(why, "max_datagrams"));
	/* three fragments per datagram */
	h.id = 1;
	for (uint16_t k = 1; k <= 2; k++) {
		h.frag_off = (uint16_t)(8 * k);
		assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 8, 10 + k, 0, &r, &ov, &why), CONF_IPFRAG_HELD);
	}
	h.frag_off = 24;
	assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 8, 13, 0, &r, &ov, &why), CONF_IPFRAG_DROPPED);
	/* a non-last fragment that is not a multiple of 8 */
	h.id = 2;
	h.frag_off = 8;
	assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 5, 14, 0, &r, &ov, &why), CONF_IPFRAG_DROPPED);
	/* offset + length beyond 65535 */
	h.frag_off = 65528;
	h.mf = 0;
	assert_int_equal(conf_ipfrag_add(t, &h, hdr, d, 8, 15, 0, &r, &ov, &why), CONF_IPFRAG_DROPPED);
	/* expiry frees the slots */
	conf_ipfrag_expire(t, 5000);
	assert_int_equal(conf_ipfrag_pending(t), 0);
	assert_int_equal(conf_ipfrag_stats(t)->expired, 2);
	conf_ipfrag_free(t);
}

/* ---- TCP ---- */

struct sink {
	uint8_t buf[256];
	uint32_t len, gaps;
	uint32_t last_frame;
};

static void sink_fn(void *ctx, const uint8_t *d, uint32_t n, uint32_t frame)
{
	struct sink *s = ctx;
	s->last_frame = frame;
	if (!d) {
		s->gaps += n;
		return;
	}
	if (s->len + n <= sizeof s->buf) {
		memcpy(s->buf + s->len, d, n);
		s->len += n;
	}
}

static void test_tcpdir_table(void **state)
{
	(void)state;
	/* stream "abcdefghij" (ISN 100, data from 101) delivered as segments */
	static const char *data = "abcdefghij";
	struct seg { uint32_t off, len; };
	struct { struct seg s[6]; int n; const char *want; uint32_t retrans; } t[] = {
		/* 1 in order */ {{{0, 5}, {5, 5}}, 2, "abcdefghij", 0},
		/* 2 reversed */ {{{5, 5}, {0, 5}}, 2, "abcdefghij", 0},
		/* 3 duplicate */ {{{0, 5}, {0, 5}, {5, 5}}, 3, "abcdefghij", 5},
		/* 4 overlap */ {{{0, 6}, {3, 7}}, 2, "abcdefghij", 3},
		/* 5 out of order, overlapping queued */ {{{6, 4}, {4, 4}, {0, 4}}, 3, "abcdefghij", 2},
		/* 6 byte by byte, shuffled */ {{{1, 1}, {0, 1}, {3, 1}, {2, 1}, {4, 6}}, 5, "abcdefghij", 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct conf_tcpdir d;
		struct sink s;
		memset(&d, 0, sizeof d);
		memset(&s, 0, sizeof s);
		conf_tcpdir_segment(&d, NULL, 100, CONF_TCP_SYN, NULL, 0, 1, sink_fn, &s);
		for (int k = 0; k < t[i].n; k++)
			conf_tcpdir_segment(&d, NULL, 101 + t[i].s[k].off, CONF_TCP_ACK,
					    (const uint8_t *)data + t[i].s[k].off, t[i].s[k].len, (uint32_t)k + 2,
					    sink_fn, &s);
		if (s.len != 10 || memcmp(s.buf, t[i].want, 10) != 0)
			fail_msg("row %zu: delivered %u octets '%.*s'", i + 1, s.len, (int)s.len, s.buf);
		assert_int_equal(d.retrans_bytes, t[i].retrans);
		assert_int_equal(s.gaps, 0);
		conf_tcpdir_free(&d);
	}
}

static void test_tcpdir_gap_and_wrap(void **state)
{
	(void)state;
	struct conf_tcpdir d;
	struct sink s;
	/* a hole that never fills: reported at flush */
	memset(&d, 0, sizeof d);
	memset(&s, 0, sizeof s);
	conf_tcpdir_segment(&d, NULL, 1000, CONF_TCP_ACK, (const uint8_t *)"abc", 3, 1, sink_fn, &s);
	conf_tcpdir_segment(&d, NULL, 1010, CONF_TCP_ACK, (const uint8_t *)"xyz", 3, 2, sink_fn, &s);
	assert_int_equal(s.len, 3);
	conf_tcpdir_flush(&d, 3, sink_fn, &s);
	assert_int_equal(s.gaps, 7);
	assert_int_equal(s.len, 6);
	conf_tcpdir_free(&d);
	/* the out-of-order limit forces a gap */
	memset(&d, 0, sizeof d);
	memset(&s, 0, sizeof s);
	struct conf_tcp_limits lim = {4, 10};
	conf_tcpdir_segment(&d, &lim, 0, CONF_TCP_ACK, (const uint8_t *)"a", 1, 1, sink_fn, &s);
	conf_tcpdir_segment(&d, &lim, 5, CONF_TCP_ACK, (const uint8_t *)"fghij", 5, 2, sink_fn, &s);
	assert_int_equal(s.gaps, 4);
	assert_int_equal(s.len, 6);
	assert_int_equal(d.gaps, 1);
	conf_tcpdir_free(&d);
	/* sequence numbers wrap at 2^32 */
	memset(&d, 0, sizeof d);
	memset(&s, 0, sizeof s);
	conf_tcpdir_segment(&d, NULL, 0xfffffffd, CONF_TCP_ACK, (const uint8_t *)"abc", 3, 1, sink_fn, &s);
	conf_tcpdir_segment(&d, NULL, 3, CONF_TCP_ACK, (const uint8_t *)"ghi", 3, 2, sink_fn, &s);
	conf_tcpdir_segment(&d, NULL, 0, CONF_TCP_ACK, (const uint8_t *)"def", 3, 3, sink_fn, &s);
	assert_int_equal(s.len, 9);
	assert_memory_equal(s.buf, "abcdefghi", 9);
	conf_tcpdir_free(&d);
}

/* lcg: a fixed-seed generator, so the randomized tests repeat exactly. */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Differential test against the naive model "the stream is the bytes at
 * offsets 0..n-1": segments that cover the stream with random sizes,
 * random overlaps, duplicates and a random capture order must deliver
 * exactly the stream, starting at a random ISN (wraps included).
 */
static void test_tcpdir_differential(void **state)
{
	(void)state;
	uint32_t seed = 20240611;
	uint8_t stream[200];
	for (int i = 0; i < 200; i++)
		stream[i] = (uint8_t)(i * 37 + 11);
	for (int iter = 0; iter < 300; iter++) {
		struct { uint32_t off, len; } seg[64];
		int n = 0;
		uint32_t off = 0;
		while (off < sizeof stream && n < 60) {
			uint32_t len = 1 + lcg(&seed) % 40;
			if (off + len > sizeof stream)
				len = (uint32_t)sizeof stream - off;
			uint32_t back = off ? lcg(&seed) % (off < 8 ? off + 1 : 8) : 0; /* overlap the previous */
			seg[n].off = off - back;
			seg[n].len = len + back;
			n++;
			if (lcg(&seed) % 4 == 0 && n < 60) /* a duplicate */
				seg[n] = seg[n - 1], n++;
			off += len;
		}
		if (off < sizeof stream)
			continue;
		for (int i = n - 1; i > 0; i--) { /* shuffle, but keep the reordering within a window of 6 */
			int j = i - (int)(lcg(&seed) % 6);
			if (j < 0)
				j = 0;
			__typeof__(seg[0]) t = seg[i];
			seg[i] = seg[j];
			seg[j] = t;
		}
		uint32_t isn = lcg(&seed) * 4099u;
		struct conf_tcpdir d;
		struct sink sk;
		memset(&d, 0, sizeof d);
		memset(&sk, 0, sizeof sk);
		conf_tcpdir_segment(&d, NULL, isn, CONF_TCP_SYN, NULL, 0, 1, sink_fn, &sk);
		for (int i = 0; i < n; i++)
			conf_tcpdir_segment(&d, NULL, isn + 1 + seg[i].off, CONF_TCP_ACK, stream + seg[i].off, seg[i].len,
					    (uint32_t)i + 2, sink_fn, &sk);
		conf_tcpdir_flush(&d, 99, sink_fn, &sk);
		if (sk.len != sizeof stream || memcmp(sk.buf, stream, sizeof stream) != 0 || sk.gaps)
			fail_msg("iteration %d: delivered %u octets, %u gap octets", iter, sk.len, sk.gaps);
		conf_tcpdir_free(&d);
	}
}

static void test_keyset(void **state)
{
	(void)state;
	struct conf_keyset k = {0};
	for (uint32_t i = 0; i < 1000; i++)
		conf_keyset_add(&k, (uint64_t)(i % 100) * 7919, 1000 - i);
	conf_keyset_build(&k);
	assert_int_equal(k.n, 100);
	uint32_t v;
	assert_true(conf_keyset_find(&k, 99 * 7919, &v));
	assert_int_equal(v, 1000 - 999); /* duplicates keep the smallest value */
	assert_false(conf_keyset_find(&k, 5, NULL));
	assert_true(conf_pair_key(1, 2) == conf_pair_key(2, 1));
	assert_true(conf_tuple_key(1, 2, 3, 4) != conf_tuple_key(2, 1, 4, 3));
	conf_keyset_free(&k);
}

struct fsink {
	int frames, prefix_ok, prefix_bad, bad_len, tls, gap;
	uint32_t lens[8];
};

static void fsink_fn(void *ctx, enum conf_tcpframe_ev ev, const uint8_t *data, uint32_t len, uint32_t first,
		     uint32_t frame)
{
	struct fsink *s = ctx;
	(void)data;
	(void)first;
	(void)frame;
	switch (ev) {
	case CONF_TF_FRAME: if (s->frames < 8) s->lens[s->frames] = len; s->frames++; break;
	case CONF_TF_PREFIX_OK: s->prefix_ok++; break;
	case CONF_TF_PREFIX_BAD: s->prefix_bad++; break;
	case CONF_TF_BAD_LENGTH: s->bad_len++; break;
	case CONF_TF_TLS: s->tls++; break;
	case CONF_TF_GAP: s->gap++; break;
	case CONF_TF_PARTIAL: break;
	}
}

static void test_tcpframer_table(void **state)
{
	(void)state;
	/* RFC 9329 §3: Length counts its own two octets */
	struct { const char *hex; size_t n; int originator; int frames, ok, bad, badlen, tls; uint32_t len0; } t[] = {
		/* 1 prefix + one 5-octet frame (3 content) */ {"IKETCP\x00\x05xyz", 11, 1, 1, 1, 0, 0, 0, 3},
		/* 2 responder: no prefix */ {"\x00\x04zz\x00\x03q", 7, 0, 2, 0, 0, 0, 0, 2},
		/* 3 missing prefix */ {"\x00\x05xyz", 5, 1, 1, 0, 1, 0, 0, 3},
		/* 4 length 2 (empty) */ {"IKETCP\x00\x02", 8, 1, 0, 1, 0, 1, 0, 0},
		/* 5 TLS */ {"\x16\x03\x01\x00\x10", 5, 1, 0, 0, 0, 0, 1, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct conf_tcpframer f;
		struct fsink s;
		memset(&s, 0, sizeof s);
		conf_tcpframer_init(&f, t[i].originator);
		/* one octet at a time: framing must not depend on segment boundaries */
		for (size_t k = 0; k < t[i].n; k++)
			conf_tcpframer_feed(&f, (const uint8_t *)t[i].hex + k, 1, (uint32_t)k + 1, fsink_fn, &s);
		if (s.frames != t[i].frames || s.prefix_ok != t[i].ok || s.prefix_bad != t[i].bad ||
		    s.bad_len != t[i].badlen || s.tls != t[i].tls)
			fail_msg("row %zu: frames %d ok %d bad %d badlen %d tls %d", i + 1, s.frames, s.prefix_ok,
				 s.prefix_bad, s.bad_len, s.tls);
		if (t[i].frames)
			assert_int_equal(s.lens[0], t[i].len0);
		conf_tcpframer_free(&f);
	}
}

/* ---- UDP 4500 ---- */

static void test_udp4500_classification(void **state)
{
	(void)state;
	uint8_t ike[200];
	size_t il = small_ike(ike, sizeof ike);
	uint8_t marked[210] = {0};
	memcpy(marked + 4, ike, il);
	uint8_t esp[48];
	size_t el = conf_craft_esp(esp, sizeof esp, 0xdeadbeef, 7, 24);
	uint8_t zero_spi[24] = {0};
	zero_spi[8] = 1;
	struct { const uint8_t *p; size_t n; enum conf_kind kind; int bad; } t[] = {
		/* 1 */ {(const uint8_t *)"\xff", 1, CONF_K_KEEPALIVE, 0},
		/* 2 */ {(const uint8_t *)"\x00", 1, CONF_K_ENCAP_BAD, CONF_BADENC_KEEPALIVE},
		/* 3 */ {marked, il + 4, CONF_K_IKE, 0},
		/* 4 */ {esp, el, CONF_K_ESP_UDP, 0},
		/* 5 */ {zero_spi, sizeof zero_spi, CONF_K_ENCAP_BAD, CONF_BADENC_ZERO_SPI},
		/* 6 */ {(const uint8_t *)"\x01\x02\x03", 3, CONF_K_ENCAP_BAD, CONF_BADENC_SHORT},
		/* 7 bare IKE on 4500: kept as IKE without marker */ {ike, il, CONF_K_IKE, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t pkt[400];
		size_t n = conf_craft_udp(pkt, sizeof pkt, A, 4500, B, 4500, 1, 0, t[i].p, t[i].n);
		struct conf_craft *w = conf_craft_new(1);
		conf_craft_add_ip(w, 1, pkt, n);
		struct conf_capture *c = decode(w);
		if (c->pkt[0].kind != t[i].kind || c->pkt[0].bad_encap != t[i].bad)
			fail_msg("row %zu: kind %s bad %u", i + 1, conf_kind_name(c->pkt[0].kind), c->pkt[0].bad_encap);
		if (i == 2)
			assert_int_equal(c->msg[0].tr, CONF_TR_UDP_ENCAP);
		if (i == 6)
			assert_int_equal(c->msg[0].tr, CONF_TR_UDP);
		if (i == 3) {
			assert_int_equal(c->n_esp, 1);
			assert_int_equal(c->esp[0].spi, 0xdeadbeef);
			assert_int_equal(c->esp[0].seq, 7);
		}
		conf_capture_free(c);
		conf_craft_free(w);
	}
}

/* ---- ICMP ---- */

static void test_icmp_needfrag(void **state)
{
	(void)state;
	uint8_t esp[64], orig[200], icmp[300];
	size_t el = conf_craft_esp(esp, sizeof esp, 0xc0ffee01, 9, 40);
	size_t ol = conf_craft_udp(orig, sizeof orig, A, 4500, B, 4500, 0x99, 1, esp, el);
	/* quote the IP header and 16 octets: UDP header + SPI + sequence */
	size_t n = conf_craft_icmp_needfrag(icmp, sizeof icmp, CONF_IP(203, 0, 113, 1), 1280, orig, 36);
	struct conf_craft *w = conf_craft_new(1);
	conf_craft_add_ip(w, 1, icmp, n);
	struct conf_capture *c = decode(w);
	const struct conf_icmp *m = &c->pkt[0].icmp;
	assert_int_equal(c->pkt[0].kind, CONF_K_ICMP);
	assert_int_equal(m->type, 3);
	assert_int_equal(m->code, 4);
	assert_int_equal(m->mtu, 1280);
	assert_true(m->has_inner);
	assert_int_equal(m->in_src, A);
	assert_int_equal(m->in_dst, B);
	assert_int_equal(m->in_total_len, ol);
	assert_true(m->in_df);
	assert_true(m->has_ports);
	assert_int_equal(m->in_dport, 4500);
	assert_true(m->has_spi);
	assert_int_equal(m->in_spi, 0xc0ffee01);
	conf_capture_free(c);
	conf_craft_free(w);
}

/* ---- IKE summaries ---- */

static void test_ikev2_summary(void **state)
{
	(void)state;
	struct conf_craft_ike b;
	uint8_t body[1000];
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x20, IKE_SA_INIT, IKE_FLAG_I, 0);
	conf_craft_ike_add(&b, IKE_PL_SA, body, conf_craft_sa_ike(body, sizeof body, IKE_KE_CURVE25519));
	conf_craft_ike_add(&b, IKE_PL_KE, body, conf_craft_ke(body, sizeof body, IKE_KE_CURVE25519, 32));
	memset(body, 1, 40);
	conf_craft_ike_add(&b, IKE_PL_NONCE, body, 40);
	conf_craft_ike_add(&b, IKE_PL_NOTIFY, body, conf_craft_notify(body, sizeof body, IKE_N_COOKIE,
								      (const uint8_t *)"abcdefgh", 8));
	conf_craft_ike_add(&b, IKE_PL_VENDOR, (const uint8_t *)"vendor", 6);
	conf_craft_ike_end(&b);
	struct conf_ikehdr h;
	char err[100];
	assert_int_equal(conf_ikehdr_parse(b.buf, (uint32_t)b.len, &h, err, sizeof err), 0);
	struct conf_ikev2 v;
	assert_int_equal(conf_ikev2_decode(b.buf, (uint32_t)b.len, &h, &v), 0);
	assert_true(v.ok);
	assert_int_equal(v.n_pl, 5);
	assert_string_equal(v.sa_summary, "IKE ENCR_AES_GCM_16/256 PRF_HMAC_SHA2_256 CURVE_25519");
	assert_int_equal(v.n_groups, 1);
	assert_int_equal(v.groups[0], IKE_KE_CURVE25519);
	assert_int_equal(v.ke_group, IKE_KE_CURVE25519);
	assert_int_equal(v.ke_len, 32);
	assert_int_equal(v.nonce_len, 40);
	assert_int_equal(v.n_notify, 1);
	assert_int_equal(v.nt[0].type, IKE_N_COOKIE);
	assert_int_equal(v.nt[0].data_len, 8);
	assert_memory_equal(b.buf + v.nt[0].data_off, "abcdefgh", 8);
	assert_int_equal(v.n_vid, 1);
	/* a payload length running past the end: error names the payload, summary keeps the start */
	b.buf[IKE_HDR_LEN + 2] = 0x7f;
	assert_int_equal(conf_ikev2_decode(b.buf, (uint32_t)b.len, &h, &v), -1);
	assert_false(v.ok);
	assert_non_null(strstr(v.err, "SA"));
	/* SKF: fragment numbers read even when invalid */
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x20, IKE_AUTH, IKE_FLAG_I, 1);
	conf_craft_ike_add(&b, IKE_PL_SKF, body, conf_craft_skf(body, sizeof body, 0, 4, 50));
	conf_craft_ike_end(&b);
	conf_ikehdr_parse(b.buf, (uint32_t)b.len, &h, err, sizeof err);
	conf_ikev2_decode(b.buf, (uint32_t)b.len, &h, &v);
	assert_true(v.has_skf);
	assert_int_equal(v.skf_num, 0);
	assert_int_equal(v.skf_total, 4);
}

static void test_ikev1_summary(void **state)
{
	(void)state;
	struct conf_craft_ike b;
	/* SA: DOI 1, SIT 1, proposal 1 (ISAKMP, 1 transform): 3DES, SHA, PSK, group 2, life 28800 */
	static const uint8_t sa[] = {0, 0, 0, 1, 0, 0, 0, 1,
				     0, 0, 0, 38, 1, 1, 0, 1,
				     0, 0, 0, 30, 1, 1, 0, 0,
				     0x80, 0x01, 0x00, 0x05, 0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01,
				     0x80, 0x04, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x02, 0x70, 0x80};
	static const uint8_t dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
					0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
	static const uint8_t xauth[8] = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};
	uint8_t id[] = {CONF_IKEV1_ID_FQDN, 17, 1, 244, 'g', 'w', '.', 'e', 'x'};
	uint8_t ke[128] = {0}, nonce[16] = {0}, natd[20] = {0};
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x10, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	conf_craft_ike_add(&b, IKEV1_PL_SA, sa, sizeof sa);
	conf_craft_ike_add(&b, IKEV1_PL_KE, ke, sizeof ke);
	conf_craft_ike_add(&b, IKEV1_PL_NONCE, nonce, sizeof nonce);
	conf_craft_ike_add(&b, IKEV1_PL_ID, id, sizeof id);
	conf_craft_ike_add(&b, IKEV1_PL_VID, dpd, sizeof dpd);
	conf_craft_ike_add(&b, IKEV1_PL_VID, xauth, sizeof xauth);
	conf_craft_ike_add(&b, IKEV1_PL_NAT_D_DRAFT, natd, sizeof natd);
	conf_craft_ike_end(&b);
	struct conf_ikehdr h;
	char err[100];
	conf_ikehdr_parse(b.buf, (uint32_t)b.len, &h, err, sizeof err);
	struct conf_ikev1 v;
	if (conf_ikev1_decode(b.buf, (uint32_t)b.len, &h, &v) != 0)
		fail_msg("decode: %s", v.err);
	assert_true(v.ok);
	assert_false(v.encrypted);
	assert_int_equal(v.doi, 1);
	assert_int_equal(v.situation, 1);
	assert_int_equal(v.n_proposals, 1);
	assert_int_equal(v.n_transforms, 1);
	assert_int_equal(v.enc, CONF_IKEV1_ENC_3DES);
	assert_int_equal(v.hash, CONF_IKEV1_HASH_SHA1);
	assert_int_equal(v.auth, CONF_IKEV1_AUTH_PSK);
	assert_int_equal(v.group, 2);
	assert_int_equal(v.life, 28800);
	assert_true(v.any_psk);
	assert_int_equal(v.ke_len, 128);
	assert_int_equal(v.nonce_len, 16);
	assert_true(v.has_id);
	assert_int_equal(v.id_type, CONF_IKEV1_ID_FQDN);
	assert_string_equal(v.id_str, "gw.ex");
	assert_int_equal(v.n_vid, 2);
	assert_string_equal(v.vid[0].name, "Dead Peer Detection v1.0 (RFC 3706)");
	assert_string_equal(v.vid[1].name, "XAUTH");
	assert_int_equal(v.n_natd, 1);
	/* E flag: nothing after the header is read */
	b.buf[19] |= IKEV1_FLAG_E;
	conf_ikehdr_parse(b.buf, (uint32_t)b.len, &h, err, sizeof err);
	assert_int_equal(conf_ikev1_decode(b.buf, (uint32_t)b.len, &h, &v), 0);
	assert_true(v.encrypted);
	assert_int_equal(v.n_pl, 0);
	/* a transform length beyond its proposal */
	b.buf[19] &= (uint8_t)~IKEV1_FLAG_E;
	b.buf[IKE_HDR_LEN + 4 + 8 + 8 + 3] = 200;
	conf_ikehdr_parse(b.buf, (uint32_t)b.len, &h, err, sizeof err);
	assert_int_equal(conf_ikev1_decode(b.buf, (uint32_t)b.len, &h, &v), -1);
	assert_non_null(strstr(v.err, "transform length 200"));
}

static void test_vid_names(void **state)
{
	(void)state;
	static const uint8_t natt[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
	assert_string_equal(conf_ikev1_vid_lookup(natt, 16), "RFC 3947 NAT-T");
	assert_null(conf_ikev1_vid_lookup(natt, 8));
	uint8_t other[16] = {0};
	assert_null(conf_ikev1_vid_lookup(other, 16));
}

/* ---- truncation ---- */

static void test_snaplen_truncation(void **state)
{
	(void)state;
	uint8_t ike[200], pkt[400];
	size_t pl = conf_craft_udp(pkt, sizeof pkt, A, 500, B, 500, 7, 0, ike, small_ike(ike, sizeof ike));
	struct conf_craft *w = conf_craft_new(1);
	conf_craft_snaplen(w, 14 + 28 + 40); /* the IKE header and a bit */
	conf_craft_add_ip(w, 1, pkt, pl);
	struct conf_capture *c = decode(w);
	assert_int_equal(c->n_msg, 1);
	assert_true(c->msg[0].truncated);
	assert_true(c->pkt[0].caplen < c->pkt[0].wirelen);
	assert_int_equal(c->st.truncated, 1);
	conf_capture_free(c);
	conf_craft_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_ppp_with_address_control),
		cmocka_unit_test(test_nanosecond_timestamps),
		cmocka_unit_test(test_ipv6_not_checked_and_garbage_frames),
		cmocka_unit_test(test_fragment_reassembly_order),
		cmocka_unit_test(test_fragment_overlap_and_limits),
		cmocka_unit_test(test_ipfrag_unit_limits),
		cmocka_unit_test(test_tcpdir_table),
		cmocka_unit_test(test_tcpdir_gap_and_wrap),
		cmocka_unit_test(test_tcpdir_differential),
		cmocka_unit_test(test_keyset),
		cmocka_unit_test(test_tcpframer_table),
		cmocka_unit_test(test_udp4500_classification),
		cmocka_unit_test(test_icmp_needfrag),
		cmocka_unit_test(test_ikev2_summary),
		cmocka_unit_test(test_ikev1_summary),
		cmocka_unit_test(test_vid_names),
		cmocka_unit_test(test_snaplen_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
