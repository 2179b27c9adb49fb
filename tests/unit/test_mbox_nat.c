/*
 * test_mbox_nat.c — hide-NAT: mappings (creation, reuse, filtering, expiry,
 * refresh, TCP states), port allocation and exhaustion, reboot, ICMP echo
 * and ICMP error translation including the quoted packet, fragment
 * policies, and every checksum against a from-scratch computation.
 *
 *   inside 10.0.0.0/24 ──[0] NAT 203.0.113.1 [1]── 192.0.2.1 (gateway)
 *                                               └─ 198.51.100.9 (router)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_nat.h"
#include "tests/unit/test_mbox_util.h"

#define PUB IP(203, 0, 113, 1)
#define CLI1 IP(10, 0, 0, 2)
#define CLI2 IP(10, 0, 0, 3)
#define GW IP(192, 0, 2, 1)
#define RTR IP(198, 51, 100, 9)

static struct mbox *nat_new(struct harness *h, const struct mbox_nat_cfg *cfg)
{
	char err[200];
	struct mbox *mb = mbox_nat_new(cfg, &h->io, err, sizeof err);

	if (!mb)
		fail_msg("mbox_nat_new: %s", err);
	return mb;
}

static void defcfg(struct mbox_nat_cfg *c)
{
	mbox_nat_cfg_default(c);
	c->public_addr = PUB;
}

/* last_out returns the last packet sent (asserting its interface). */
static const struct cap_pkt *last_out(const struct harness *h, int ifx)
{
	assert_true(h->cap.n > 0);
	assert_int_equal(h->cap.p[h->cap.n - 1].ifx, ifx);
	return &h->cap.p[h->cap.n - 1];
}

static void test_udp_out_and_back(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[1600], want[1600];
	size_t n, wn;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	n = mk_udp(p, CLI1, 500, GW, 500, 300);
	mbox_input(nat, 1 * SEC, 0, p, n);
	/* Translated == built from scratch with the public address and port. */
	wn = mk_udp(want, PUB, 1024, GW, 500, 300);
	assert_int_equal(last_out(&h, 1)->len, wn);
	assert_memory_equal(last_out(&h, 1)->data, want, wn);
	assert_true(pkt_csums_ok(last_out(&h, 1)->data, wn));
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"map\""), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"in\":\"10.0.0.2\",\"in_port\":500"), 1);

	n = mk_udp(p, GW, 500, PUB, 1024, 77);
	mbox_input(nat, 2 * SEC, 1, p, n);
	wn = mk_udp(want, GW, 500, CLI1, 500, 77);
	assert_memory_equal(last_out(&h, 0)->data, want, wn);
	assert_int_equal(mbox_drop_total(nat), 0);
	assert_int_equal(mbox_tx_count(nat, 0), 1);
	assert_int_equal(mbox_tx_count(nat, 1), 1);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_mapping_reuse_and_sequential(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];
	uint16_t port;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	mbox_input(nat, 1, 0, p, mk_udp(p, CLI1, 500, GW, 4500, 10)); /* same mapping (EIM) */
	mbox_input(nat, 2, 0, p, mk_udp(p, CLI2, 500, GW, 500, 10));
	mbox_input(nat, 3, 0, p, mk_udp(p, CLI1, 4500, GW, 4500, 10));
	assert_int_equal(h.cap.n, 4);
	assert_int_equal(ip4_get16(h.cap.p[0].data + 20), 1024);
	assert_int_equal(ip4_get16(h.cap.p[1].data + 20), 1024);
	assert_int_equal(ip4_get16(h.cap.p[2].data + 20), 1025);
	assert_int_equal(ip4_get16(h.cap.p[3].data + 20), 1026);
	assert_int_equal(mbox_nat_mappings(nat), 3);
	assert_true(mbox_nat_lookup(nat, 4, IP4_PROTO_UDP, CLI2, 500, &port));
	assert_int_equal(port, 1025);
	assert_false(mbox_nat_lookup(nat, 4, IP4_PROTO_TCP, CLI2, 500, &port));
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"map\""), 3);
	mbox_free(nat);
	harness_fini(&h);
}

/* Numbered table: inbound verdicts per filtering behaviour (RFC 4787 §5). */
static void test_filtering_table(void **state)
{
	static const struct {
		enum mbox_nat_filter f;
		uint32_t from;
		uint16_t sport;
		int pass;
	} t[] = {
		/* 1 */ {MBOX_NAT_FILTER_EI, GW, 500, 1},
		/* 2 */ {MBOX_NAT_FILTER_EI, GW, 501, 1},
		/* 3 */ {MBOX_NAT_FILTER_EI, RTR, 500, 1},
		/* 4 */ {MBOX_NAT_FILTER_AD, GW, 500, 1},
		/* 5 */ {MBOX_NAT_FILTER_AD, GW, 501, 1},
		/* 6 */ {MBOX_NAT_FILTER_AD, RTR, 500, 0},
		/* 7 */ {MBOX_NAT_FILTER_APD, GW, 500, 1},
		/* 8 */ {MBOX_NAT_FILTER_APD, GW, 501, 0},
		/* 9 */ {MBOX_NAT_FILTER_APD, RTR, 500, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;
		struct mbox_nat_cfg c;
		struct mbox *nat;
		uint8_t p[200];

		harness_init(&h, 1);
		defcfg(&c);
		c.filter = t[i].f;
		nat = nat_new(&h, &c);
		mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
		mbox_input(nat, 1, 1, p, mk_udp(p, t[i].from, t[i].sport, PUB, 1024, 10));
		if ((h.cap.n == 2) != t[i].pass)
			fail_msg("case %zu: pass=%d want %d", i + 1, h.cap.n == 2, t[i].pass);
		if (!t[i].pass)
			assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NAT_FILTERED), 1);
		mbox_free(nat);
		harness_fini(&h);
	}
}

static void test_unknown_inbound_and_wrong_dst(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
	mbox_input(nat, 0, 1, p, mk_udp(p, GW, 500, CLI1, 500, 10));
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 1);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_WRONG_DST), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"src\":\"nat\",\"ev\":\"drop\",\"reason\":\"no-mapping\""), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"dport\":1024"), 1);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_udp_expiry_and_sweep(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	assert_int_equal(mbox_deadline(nat), MBOX_NEVER);
	mbox_input(nat, 1 * SEC + 500 * MS, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	/* Expires at 31.5 s; the sweep runs on the 1 s grid: 32 s. */
	assert_int_equal(mbox_deadline(nat), 32 * SEC);
	mbox_input(nat, 31 * SEC + 499 * MS, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
	assert_int_equal(h.cap.n, 2);
	mbox_input(nat, 31 * SEC + 500 * MS, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 1);
	/* The lookup already removed it; the sweep finds nothing more. */
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"unmap\""), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"why\":\"timeout\",\"age\":30.000000000"), 1);
	mbox_on_deadline(nat, 32 * SEC);
	assert_int_equal(mbox_nat_mappings(nat), 0);
	assert_int_equal(mbox_deadline(nat), MBOX_NEVER);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_sweep_reports_unmap(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	mbox_input(nat, 10 * SEC, 0, p, mk_udp(p, CLI2, 500, GW, 500, 10));
	assert_int_equal(mbox_deadline(nat), 30 * SEC);
	mbox_on_deadline(nat, 30 * SEC);
	assert_int_equal(mbox_nat_mappings(nat), 1);
	assert_int_equal(mbox_deadline(nat), 40 * SEC);
	mbox_on_deadline(nat, 40 * SEC);
	assert_int_equal(mbox_nat_mappings(nat), 0);
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"unmap\""), 2);
	mbox_free(nat);
	harness_fini(&h);
}

/* Outbound refreshes; inbound only with refresh_inbound. */
static void test_refresh_directions(void **state)
{
	for (int inbound = 0; inbound < 2; inbound++) {
		struct harness h;
		struct mbox_nat_cfg c;
		struct mbox *nat;
		uint8_t p[200];

		harness_init(&h, 1);
		defcfg(&c);
		c.refresh_inbound = inbound;
		nat = nat_new(&h, &c);
		mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
		mbox_input(nat, 20 * SEC, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10)); /* -> 50 s */
		mbox_input(nat, 45 * SEC, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
		assert_int_equal(h.cap.n, 3);
		mbox_input(nat, 60 * SEC, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
		assert_int_equal(h.cap.n, inbound ? 4 : 3); /* 45 + 30 = 75 > 60 only if refreshed */
		mbox_free(nat);
		harness_fini(&h);
	}
}

/* tcp_in sends a segment from the gateway to the (preserved) port 40000. */
static int tcp_in(struct mbox *nat, struct harness *h, uint64_t t, uint8_t flags)
{
	uint8_t p[200];
	size_t before = h->cap.n;

	mbox_input(nat, t, 1, p, mk_tcp(p, GW, 443, PUB, 40000, flags));
	return h->cap.n > before;
}

static void tcp_out(struct mbox *nat, uint64_t t, uint8_t flags)
{
	uint8_t p[200];

	mbox_input(nat, t, 0, p, mk_tcp(p, CLI1, 40000, GW, 443, flags));
}

/* TCP: 240 s transitory (SYN only, after FIN/RST), 7440 s established. */
static void test_tcp_timeouts(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;

	harness_init(&h, 1);
	defcfg(&c);
	c.port_preserve = 1;
	nat = nat_new(&h, &c);
	/* 1: SYN only: gone after 240 s. */
	tcp_out(nat, 0, TCP4_SYN);
	assert_false(tcp_in(nat, &h, 240 * SEC, TCP4_SYN | TCP4_ACK));
	/* 2: established: the SYN-ACK re-arms with 7440 s; plain inbound does not refresh. */
	tcp_out(nat, 300 * SEC, TCP4_SYN);
	assert_true(tcp_in(nat, &h, 400 * SEC, TCP4_SYN | TCP4_ACK));
	assert_true(tcp_in(nat, &h, 7839 * SEC, TCP4_ACK));
	assert_false(tcp_in(nat, &h, 7840 * SEC, TCP4_ACK));
	/* 3: FIN: back to 240 s from the FIN. */
	tcp_out(nat, 8000 * SEC, TCP4_SYN);
	assert_true(tcp_in(nat, &h, 8001 * SEC, TCP4_SYN | TCP4_ACK));
	tcp_out(nat, 8100 * SEC, TCP4_FIN | TCP4_ACK);
	assert_true(tcp_in(nat, &h, 8339 * SEC, TCP4_ACK));
	assert_false(tcp_in(nat, &h, 8340 * SEC, TCP4_ACK));
	/* 4: an inbound RST shortens an established mapping at once. */
	tcp_out(nat, 9000 * SEC, TCP4_SYN);
	assert_true(tcp_in(nat, &h, 9001 * SEC, TCP4_SYN | TCP4_ACK));
	assert_true(tcp_in(nat, &h, 9002 * SEC, TCP4_RST));
	assert_false(tcp_in(nat, &h, 9242 * SEC, TCP4_ACK));
	for (size_t i = 0; i < h.cap.n; i++)
		assert_true(pkt_csums_ok(h.cap.p[i].data, h.cap.p[i].len));
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 4);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_icmp_echo_mapping(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200], want[200];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_echo(p, CLI1, GW, ICMP4_ECHO, 0x4242));
	n = mk_echo(want, PUB, GW, ICMP4_ECHO, 1024);
	assert_memory_equal(last_out(&h, 1)->data, want, n);
	mbox_input(nat, 1, 1, p, mk_echo(p, GW, PUB, ICMP4_ECHO_REPLY, 1024));
	n = mk_echo(want, GW, CLI1, ICMP4_ECHO_REPLY, 0x4242);
	assert_memory_equal(last_out(&h, 0)->data, want, n);
	/* Pings to the NAT itself and unsolicited replies are not translated. */
	mbox_input(nat, 2, 1, p, mk_echo(p, GW, PUB, ICMP4_ECHO, 7));
	mbox_input(nat, 2, 1, p, mk_echo(p, GW, PUB, ICMP4_ECHO_REPLY, 7));
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_ICMP_UNSUPPORTED), 1);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 1);
	/* ICMP mappings live 60 s. */
	mbox_input(nat, 61 * SEC, 1, p, mk_echo(p, GW, PUB, ICMP4_ECHO_REPLY, 1024));
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 2);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_port_preserve(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	c.port_preserve = 1;
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI2, 500, GW, 500, 10));
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI2, 4500, GW, 4500, 10));
	assert_int_equal(ip4_get16(h.cap.p[0].data + 20), 500);  /* preserved, even below 1024 */
	assert_int_equal(ip4_get16(h.cap.p[1].data + 20), 1024); /* taken: fall back */
	assert_int_equal(ip4_get16(h.cap.p[2].data + 20), 4500);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_hashed_allocation(void **state)
{
	uint16_t first[2][20];

	for (int s = 0; s < 2; s++) {
		struct harness h;
		struct mbox_nat_cfg c;
		struct mbox *nat;
		uint8_t p[200];

		harness_init(&h, 1);
		defcfg(&c);
		c.alloc = MBOX_NAT_ALLOC_HASHED;
		c.port_min = 20000;
		c.port_max = 29999;
		c.hash_seed = (uint64_t)s + 7;
		nat = nat_new(&h, &c);
		for (int i = 0; i < 20; i++) {
			mbox_input(nat, 0, 0, p, mk_udp(p, CLI1 + (uint32_t)i, 500, GW, 500, 10));
			first[s][i] = ip4_get16(last_out(&h, 1)->data + 20);
			assert_in_range(first[s][i], 20000, 29999);
			for (int j = 0; j < i; j++)
				assert_int_not_equal(first[s][i], first[s][j]);
		}
		/* Same seed, same ports: build a second NAT and compare. */
		{
			struct harness h2;
			struct mbox *nat2;

			harness_init(&h2, 1);
			nat2 = nat_new(&h2, &c);
			for (int i = 0; i < 20; i++) {
				mbox_input(nat2, 0, 0, p, mk_udp(p, CLI1 + (uint32_t)i, 500, GW, 500, 10));
				assert_int_equal(ip4_get16(last_out(&h2, 1)->data + 20), first[s][i]);
			}
			mbox_free(nat2);
			harness_fini(&h2);
		}
		mbox_free(nat);
		harness_fini(&h);
	}
	assert_memory_not_equal(first[0], first[1], sizeof first[0]);
}

static void test_port_exhaustion(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	c.port_min = 2000;
	c.port_max = 2002;
	nat = nat_new(&h, &c);
	for (uint32_t i = 0; i < 4; i++)
		mbox_input(nat, i * SEC, 0, p, mk_udp(p, CLI1 + i, 500, GW, 500, 10));
	assert_int_equal(h.cap.n, 3);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_PORTS_EXHAUSTED), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"ports-exhausted\""), 1);
	/* TCP has its own port space. */
	mbox_input(nat, 4 * SEC, 0, p, mk_tcp(p, CLI1 + 3, 500, GW, 443, TCP4_SYN));
	assert_int_equal(h.cap.n, 4);
	/* The first mapping expires at 30 s; its port is reused. */
	mbox_input(nat, 30 * SEC, 0, p, mk_udp(p, CLI1 + 3, 500, GW, 500, 10));
	assert_int_equal(h.cap.n, 5);
	assert_int_equal(ip4_get16(last_out(&h, 1)->data + 20), 2000);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_reboot_flushes(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI2, 500, GW, 500, 10));
	mbox_input(nat, 0, 0, p, mk_tcp(p, CLI2, 500, GW, 443, TCP4_SYN));
	assert_int_equal(mbox_nat_reboot(nat, 5 * SEC), 3);
	assert_int_equal(ev_lines_count(&h.ev, "{\"t\":5.000000000,\"src\":\"nat\",\"ev\":\"reboot\",\"flushed\":3}"), 1);
	assert_int_equal(mbox_nat_mappings(nat), 0);
	mbox_input(nat, 6 * SEC, 1, p, mk_udp(p, GW, 500, PUB, 1024, 10));
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_NO_MAPPING), 1);
	/* After the reboot the allocator starts over: CLI2 now gets 1024. */
	mbox_input(nat, 7 * SEC, 0, p, mk_udp(p, CLI2, 500, GW, 500, 10));
	assert_int_equal(ip4_get16(last_out(&h, 1)->data + 20), 1024);
	assert_int_equal(mbox_nat_reboot(NULL, 0), -1);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_udp_zero_checksum_kept(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	n = mk_udp(p, CLI1, 500, GW, 500, 33);
	ip4_put16(p + 26, 0);
	mbox_input(nat, 0, 0, p, n);
	assert_int_equal(ip4_get16(last_out(&h, 1)->data + 26), 0);
	assert_true(pkt_csums_ok(last_out(&h, 1)->data, n));
	mbox_free(nat);
	harness_fini(&h);
}

/*
 * icmp_roundtrip: |orig| goes out through the NAT, a router answers the
 * translated packet with ICMP |type|/|code| quoting |quote_max| octets in
 * all; the error coming back in must quote |orig| exactly (every
 * rewritten field and every quoted checksum restored) with valid outer
 * checksums.
 */
static void icmp_roundtrip(const uint8_t *orig, size_t olen, uint8_t type, uint8_t code,
			   size_t quote_max)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t err[700];
	size_t en;
	const struct cap_pkt *back;
	size_t quoted;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, orig, olen);
	assert_int_equal(h.cap.n, 1);
	en = ip4_icmp_error_build(err, sizeof err, RTR, PUB, type, code, 1400, h.cap.p[0].data,
				  h.cap.p[0].len, quote_max, NULL);
	assert_true(en > 0);
	mbox_input(nat, 1, 1, err, en);
	back = last_out(&h, 0);
	assert_int_equal(back->len, en);
	quoted = en - 28;
	/* Outer: src unchanged, dst the inside host, type/code/rest unchanged. */
	assert_int_equal(ip4_get32(back->data + 12), RTR);
	assert_int_equal(ip4_get32(back->data + 16), ip4_get32(orig + 12));
	assert_int_equal(back->data[20], type);
	assert_int_equal(back->data[21], code);
	assert_int_equal(ip4_get32(back->data + 24), 1400);
	assert_int_equal(ip4_get16(back->data + 10), naive_ip_csum(back->data));
	assert_int_equal(ip4_get16(back->data + 22), naive_icmp_csum(back->data + 20, en - 20));
	/* Quote: byte-identical to what the inside host sent. */
	assert_memory_equal(back->data + 28, orig, quoted);
	assert_int_equal(ip4_get16(back->data + 28 + 10), naive_ip_csum(back->data + 28));
	assert_int_equal(mbox_drop_total(nat), 0);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_icmp_error_udp_quotes(void **state)
{
	uint8_t p[1500];
	size_t n = mk_udp(p, CLI1, 4500, GW, 4500, 1400);

	icmp_roundtrip(p, n, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG, 576);   /* RFC 1812 */
	icmp_roundtrip(p, n, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG, 56);    /* RFC 792: hdr + 8 */
	n = mk_udp(p, CLI1, 4500, GW, 4500, 100);
	icmp_roundtrip(p, n, ICMP4_TIME_EXCEEDED, ICMP4_TIMX_INTRANS, 576); /* quoted whole */
	/* Whole quote: the inner UDP checksum is verifiable from scratch too. */
	assert_true(pkt_csums_ok(p, n));
}

static void test_icmp_error_tcp_quotes(void **state)
{
	uint8_t p[200];
	size_t n = mk_tcp(p, CLI1, 40000, GW, 443, TCP4_SYN);

	icmp_roundtrip(p, n, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG, 56); /* no TCP checksum quoted */
	icmp_roundtrip(p, n, ICMP4_UNREACH, ICMP4_UNREACH_NEEDFRAG, 66); /* TCP checksum quoted */
	icmp_roundtrip(p, n, ICMP4_UNREACH, 13, 576);
}

static void test_icmp_error_about_echo(void **state)
{
	uint8_t p[200];
	size_t n = mk_echo(p, CLI1, GW, ICMP4_ECHO, 0x9999);

	icmp_roundtrip(p, n, ICMP4_TIME_EXCEEDED, ICMP4_TIMX_INTRANS, 56);
	icmp_roundtrip(p, n, ICMP4_UNREACH, 1, 576);
}

/* An inside host's port-unreachable about an inbound packet goes out translated. */
static void test_icmp_error_outbound(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200], in[200], err[300];
	size_t n, en;
	const struct cap_pkt *out;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	mbox_input(nat, 0, 0, p, mk_udp(p, CLI1, 500, GW, 500, 10));
	n = mk_udp(in, GW, 500, PUB, 1024, 40);
	mbox_input(nat, 1, 1, in, n);
	en = ip4_icmp_error_build(err, sizeof err, CLI1, GW, ICMP4_UNREACH, ICMP4_UNREACH_PORT, 0,
				  last_out(&h, 0)->data, last_out(&h, 0)->len, 576, NULL);
	mbox_input(nat, 2, 0, err, en);
	out = last_out(&h, 1);
	assert_int_equal(ip4_get32(out->data + 12), PUB);
	assert_int_equal(ip4_get32(out->data + 16), GW);
	assert_memory_equal(out->data + 28, in, n); /* the gateway sees its own packet */
	assert_true(pkt_csums_ok(out->data, out->len));
	mbox_free(nat);
	harness_fini(&h);
}

/* Numbered table: unusable ICMP errors are dropped with the right reason. */
static void test_icmp_error_bad_table(void **state)
{
	enum { SHORT_QUOTE, INNER_SRC, UNMAPPED, INNER_ESP, INNER_FRAG, INNER_V6, ICMP_SHORT,
	       INNER_ERR };
	static const struct {
		int mut;
		enum mbox_drop want;
	} t[] = {
		/* 1 */ {SHORT_QUOTE, MBOX_DROP_ICMP_INNER_BAD},
		/* 2 */ {INNER_SRC, MBOX_DROP_ICMP_INNER_BAD},
		/* 3 */ {UNMAPPED, MBOX_DROP_NO_MAPPING},
		/* 4 */ {INNER_ESP, MBOX_DROP_ICMP_INNER_BAD},
		/* 5 */ {INNER_FRAG, MBOX_DROP_ICMP_INNER_BAD},
		/* 6 */ {INNER_V6, MBOX_DROP_ICMP_INNER_BAD},
		/* 7 */ {ICMP_SHORT, MBOX_DROP_L4_TRUNCATED},
		/* 8 */ {INNER_ERR, MBOX_DROP_ICMP_INNER_BAD},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct harness h;
		struct mbox_nat_cfg c;
		struct mbox *nat;
		uint8_t p[200], q[200], err[300];
		size_t n, en;

		harness_init(&h, 1);
		defcfg(&c);
		nat = nat_new(&h, &c);
		n = mk_udp(p, CLI1, 500, GW, 500, 20);
		mbox_input(nat, 0, 0, p, n);
		memcpy(q, h.cap.p[0].data, n);
		switch (t[i].mut) {
		case INNER_SRC: ip4_put32(q + 12, CLI2); break;
		case UNMAPPED: ip4_put16(q + 20, 1999); break;
		case INNER_ESP: q[9] = IP4_PROTO_ESP; break;
		case INNER_FRAG: ip4_put16(q + 6, 10); break;
		case INNER_V6: q[0] = 0x65; break;
		case INNER_ERR:
			n = mk_echo(q, PUB, GW, ICMP4_UNREACH, 1024);
			break;
		}
		en = ip4_icmp_error_build(err, sizeof err, RTR, PUB, 3, 4, 1400, q, n,
					  t[i].mut == SHORT_QUOTE ? 20 + 8 + 20 + 4 : 576, NULL);
		if (t[i].mut == SHORT_QUOTE) {
			en = 20 + 8 + 20 + 4; /* quote cut inside the UDP header */
			ip4_put16(err + 2, (uint16_t)en);
			ip4_hdr_set_csum(err);
		}
		if (t[i].mut == ICMP_SHORT) {
			en = 20 + 6;
			ip4_put16(err + 2, (uint16_t)en);
			ip4_hdr_set_csum(err);
		}
		mbox_input(nat, 1, 1, err, en);
		if (mbox_drop_count(nat, t[i].want) != 1 || h.cap.n != 1)
			fail_msg("case %zu: %s not counted (sent %zu)", i + 1, mbox_drop_name(t[i].want),
				 h.cap.n);
		mbox_free(nat);
		harness_fini(&h);
	}
}

/* ---------------------------------------------------------------- fragments */

struct frags {
	struct cap c;
};

static void emit_frag(void *ctx, const uint8_t *p, size_t len)
{
	cap_send(ctx, 0, p, len);
}

/* make_frags: a 3000-octet UDP datagram from |src| split at 1500 (3 fragments). */
static void make_frags(struct cap *c, uint8_t *whole, size_t *wlen, uint32_t src, uint16_t sp,
		       uint32_t dst, uint16_t dp)
{
	*wlen = mk_udp(whole, src, sp, dst, dp, 2972);
	ip4_put16(whole + 4, 0x5150); /* IP id */
	ip4_hdr_set_csum(whole);
	assert_int_equal(ip4_frag(whole, *wlen, 1500, emit_frag, c), 3);
}

/* reassemble_cap: reassemble what the box sent; 1 if complete. */
static int reassemble_cap(const struct harness *h, size_t from, uint8_t **out, size_t *olen)
{
	struct ip4_reasm *r = ip4_reasm_new(NULL);
	int rc = 0;

	for (size_t i = from; i < h->cap.n && rc == 0; i++) {
		struct ip4_hdr ih;

		assert_int_equal(ip4_parse(h->cap.p[i].data, h->cap.p[i].len, &ih), 0);
		rc = ip4_reasm_input(r, 0, h->cap.p[i].data, &ih, out, olen);
	}
	ip4_reasm_free(r);
	return rc;
}

static void test_frag_drop_non_first(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	struct cap f = {0};
	uint8_t whole[3100];
	size_t wn;

	assert_int_equal(mbox_nat_frag_from_name("first-only"), MBOX_NAT_FRAG_DROP_NON_FIRST);
	assert_int_equal(mbox_nat_frag_from_name("drop-non-first"), MBOX_NAT_FRAG_DROP_NON_FIRST);
	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	make_frags(&f, whole, &wn, CLI1, 500, GW, 500);
	for (size_t i = 0; i < f.n; i++)
		mbox_input(nat, i, 0, f.p[i].data, f.p[i].len);
	assert_int_equal(h.cap.n, 1);
	assert_int_equal(ip4_get32(h.cap.p[0].data + 12), PUB);
	assert_int_equal(ip4_get16(h.cap.p[0].data + 20), 1024);
	assert_int_equal(ip4_get16(h.cap.p[0].data + 10), naive_ip_csum(h.cap.p[0].data));
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_FRAG_NON_FIRST), 2);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"frag-non-first\""), 2);
	assert_int_equal(ev_lines_count(&h.ev, "\"off\":1480,\"mf\":true"), 1);
	/* Inbound non-first fragments are dropped too. */
	cap_clear(&f);
	make_frags(&f, whole, &wn, GW, 500, PUB, 1024);
	for (size_t i = 0; i < f.n; i++)
		mbox_input(nat, 10 + i, 1, f.p[i].data, f.p[i].len);
	assert_int_equal(h.cap.n, 2);
	assert_int_equal(ip4_get32(h.cap.p[1].data + 16), CLI1);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_FRAG_NON_FIRST), 4);
	cap_clear(&f);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_frag_drop_all(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	struct cap f = {0};
	uint8_t whole[3100];
	size_t wn;

	harness_init(&h, 1);
	defcfg(&c);
	c.frag = MBOX_NAT_FRAG_DROP_ALL;
	nat = nat_new(&h, &c);
	make_frags(&f, whole, &wn, CLI1, 500, GW, 500);
	for (size_t i = 0; i < f.n; i++)
		mbox_input(nat, i, 0, f.p[i].data, f.p[i].len);
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_FRAG), 3);
	assert_int_equal(mbox_nat_mappings(nat), 0);
	cap_clear(&f);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_frag_track(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	struct cap f = {0};
	uint8_t whole[3100], want[3100], *re = NULL;
	size_t wn, rn;

	harness_init(&h, 1);
	defcfg(&c);
	c.frag = MBOX_NAT_FRAG_TRACK;
	nat = nat_new(&h, &c);
	make_frags(&f, whole, &wn, CLI1, 500, GW, 500);
	for (size_t i = 0; i < f.n; i++)
		mbox_input(nat, i, 0, f.p[i].data, f.p[i].len);
	assert_int_equal(h.cap.n, 3);
	/* The fragments reassemble to the translated datagram; its UDP checksum
	 * (fixed incrementally in the first fragment only) verifies over all. */
	assert_int_equal(reassemble_cap(&h, 0, &re, &rn), 1);
	mk_udp(want, PUB, 1024, GW, 500, 2972);
	ip4_put16(want + 4, 0x5150);
	ip4_hdr_set_csum(want);
	assert_int_equal(rn, wn);
	assert_memory_equal(re, want, wn);
	assert_true(pkt_csums_ok(re, rn));
	free(re);
	/* Inbound, in order: every fragment goes to the inside host. */
	cap_clear(&f);
	make_frags(&f, whole, &wn, GW, 500, PUB, 1024);
	for (size_t i = 0; i < f.n; i++)
		mbox_input(nat, 10 + i, 1, f.p[i].data, f.p[i].len);
	assert_int_equal(h.cap.n, 6);
	for (size_t i = 3; i < 6; i++) {
		assert_int_equal(h.cap.p[i].ifx, 0);
		assert_int_equal(ip4_get32(h.cap.p[i].data + 16), CLI1);
		assert_int_equal(ip4_get16(h.cap.p[i].data + 10), naive_ip_csum(h.cap.p[i].data));
	}
	/* Out of order (a later fragment first): that one is dropped. */
	cap_clear(&f);
	make_frags(&f, whole, &wn, CLI2, 500, GW, 500);
	mbox_input(nat, 20, 0, f.p[2].data, f.p[2].len);
	mbox_input(nat, 21, 0, f.p[0].data, f.p[0].len);
	mbox_input(nat, 22, 0, f.p[1].data, f.p[1].len);
	assert_int_equal(h.cap.n, 8);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_FRAG_UNTRACKED), 1);
	cap_clear(&f);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_frag_reassemble(void **state)
{
	for (int whole_out = 0; whole_out < 2; whole_out++) {
		struct harness h;
		struct mbox_nat_cfg c;
		struct mbox *nat;
		struct cap f = {0};
		uint8_t whole[3100], want[3100], *re = NULL;
		size_t wn, rn;

		harness_init(&h, 1);
		defcfg(&c);
		c.frag = MBOX_NAT_FRAG_REASSEMBLE;
		c.mtu = whole_out ? 0 : 1500;
		nat = nat_new(&h, &c);
		make_frags(&f, whole, &wn, CLI1, 500, GW, 500);
		/* Reverse order: nothing leaves until the datagram is complete. */
		mbox_input(nat, 0, 0, f.p[2].data, f.p[2].len);
		mbox_input(nat, 1, 0, f.p[1].data, f.p[1].len);
		assert_int_equal(h.cap.n, 0);
		assert_int_equal(mbox_deadline(nat), 30 * SEC);
		mbox_input(nat, 2, 0, f.p[0].data, f.p[0].len);
		mk_udp(want, PUB, 1024, GW, 500, 2972);
		ip4_put16(want + 4, 0x5150);
		ip4_hdr_set_csum(want);
		if (whole_out) {
			assert_int_equal(h.cap.n, 1);
			assert_int_equal(h.cap.p[0].len, wn);
			assert_memory_equal(h.cap.p[0].data, want, wn);
		} else {
			assert_int_equal(h.cap.n, 3);
			for (size_t i = 0; i < 3; i++)
				assert_true(h.cap.p[i].len <= 1500);
			assert_int_equal(reassemble_cap(&h, 0, &re, &rn), 1);
			assert_memory_equal(re, want, wn);
			free(re);
		}
		assert_true(pkt_csums_ok(want, wn));
		assert_int_equal(mbox_drop_total(nat), 0);
		cap_clear(&f);
		mbox_free(nat);
		harness_fini(&h);
	}
}

static void test_reassembly_timeout(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	struct cap f = {0};
	uint8_t whole[3100];
	size_t wn;

	harness_init(&h, 1);
	defcfg(&c);
	c.frag = MBOX_NAT_FRAG_REASSEMBLE;
	nat = nat_new(&h, &c);
	make_frags(&f, whole, &wn, CLI1, 500, GW, 500);
	mbox_input(nat, 1 * SEC, 0, f.p[0].data, f.p[0].len);
	mbox_input(nat, 2 * SEC, 0, f.p[1].data, f.p[1].len);
	assert_int_equal(mbox_deadline(nat), 31 * SEC);
	mbox_on_deadline(nat, 31 * SEC);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_REASM_TIMEOUT), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"reasm-timeout\",\"if\":0,\"proto\":\"udp\""), 1);
	/* The late last fragment starts a new datagram that never completes. */
	mbox_input(nat, 32 * SEC, 0, f.p[2].data, f.p[2].len);
	assert_int_equal(h.cap.n, 0);
	assert_int_equal(mbox_deadline(nat), 62 * SEC);
	cap_clear(&f);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_unsupported_and_truncated(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	uint8_t p[200];
	size_t n;

	harness_init(&h, 1);
	defcfg(&c);
	nat = nat_new(&h, &c);
	/* ESP (no ports): this NAT does no ESP passthrough. */
	n = mk_udp(p, CLI1, 1, GW, 2, 20);
	p[9] = IP4_PROTO_ESP;
	ip4_hdr_set_csum(p);
	mbox_input(nat, 0, 0, p, n);
	ip4_put32(p + 12, GW), ip4_put32(p + 16, PUB);
	ip4_hdr_set_csum(p);
	mbox_input(nat, 0, 1, p, n);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_PROTO_UNSUPPORTED), 2);
	/* ICMP timestamp request. */
	n = mk_echo(p, CLI1, GW, 13, 1);
	mbox_input(nat, 0, 0, p, n);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_ICMP_UNSUPPORTED), 1);
	/* UDP header cut short. */
	n = mk_udp(p, CLI1, 1, GW, 2, 0);
	ip4_put16(p + 2, 24);
	ip4_hdr_set_csum(p);
	mbox_input(nat, 0, 0, p, 24);
	assert_int_equal(mbox_drop_count(nat, MBOX_DROP_L4_TRUNCATED), 1);
	assert_int_equal(h.cap.n, 0);
	mbox_free(nat);
	harness_fini(&h);
}

/* Differential: random UDP/TCP flows out and back; checksums from scratch each way. */
static void test_random_roundtrips(void **state)
{
	struct harness h;
	struct mbox_nat_cfg c;
	struct mbox *nat;
	struct test_rng r = {99};

	harness_init(&h, 1);
	defcfg(&c);
	c.filter = MBOX_NAT_FILTER_EI;
	nat = nat_new(&h, &c);
	for (int i = 0; i < 400; i++) {
		static uint8_t p[1600], want[1600];
		uint32_t in = IP(10, (uint8_t)(test_rng_next(&r) % 256), 0, 1 + (uint8_t)(i % 200));
		uint32_t rem = (uint32_t)test_rng_next(&r) | 1;
		uint16_t sp = (uint16_t)test_rng_next(&r), dp = (uint16_t)test_rng_next(&r), ext;
		size_t len = test_rng_next(&r) % 1400, n, wn;
		int tcp = i % 2;

		n = tcp ? mk_tcp(p, in, sp, rem, dp, TCP4_SYN) : mk_udp(p, in, sp, rem, dp, len);
		mbox_input(nat, (uint64_t)i, 0, p, n);
		assert_true(pkt_csums_ok(last_out(&h, 1)->data, n));
		assert_true(mbox_nat_lookup(nat, (uint64_t)i, tcp ? 6 : 17, in, sp, &ext));
		n = tcp ? mk_tcp(p, rem, dp, PUB, ext, TCP4_ACK) : mk_udp(p, rem, dp, PUB, ext, len);
		mbox_input(nat, (uint64_t)i, 1, p, n);
		wn = tcp ? mk_tcp(want, rem, dp, in, sp, TCP4_ACK) : mk_udp(want, rem, dp, in, sp, len);
		assert_int_equal(last_out(&h, 0)->len, wn);
		assert_memory_equal(last_out(&h, 0)->data, want, wn);
		cap_clear(&h.cap);
	}
	assert_int_equal(mbox_drop_total(nat), 0);
	mbox_free(nat);
	harness_fini(&h);
}

static void test_config_errors(void **state)
{
	struct mbox_nat_cfg c;
	char err[200];

	mbox_nat_cfg_default(&c);
	assert_null(mbox_nat_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "public_addr"));
	c.public_addr = PUB;
	c.port_min = 3000;
	c.port_max = 2000;
	assert_null(mbox_nat_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "3000-2000"));
	mbox_nat_cfg_default(&c);
	c.public_addr = PUB;
	c.mtu = 60;
	assert_null(mbox_nat_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "mtu 60"));
	assert_int_equal(mbox_nat_filter_from_name("address-port-dependent"), MBOX_NAT_FILTER_APD);
	assert_int_equal(mbox_nat_alloc_from_name("hashed"), MBOX_NAT_ALLOC_HASHED);
	assert_int_equal(mbox_nat_frag_from_name("nope"), -1);
	assert_string_equal(mbox_nat_frag_name(MBOX_NAT_FRAG_TRACK), "track");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_out_and_back),
		cmocka_unit_test(test_mapping_reuse_and_sequential),
		cmocka_unit_test(test_filtering_table),
		cmocka_unit_test(test_unknown_inbound_and_wrong_dst),
		cmocka_unit_test(test_udp_expiry_and_sweep),
		cmocka_unit_test(test_sweep_reports_unmap),
		cmocka_unit_test(test_refresh_directions),
		cmocka_unit_test(test_tcp_timeouts),
		cmocka_unit_test(test_icmp_echo_mapping),
		cmocka_unit_test(test_port_preserve),
		cmocka_unit_test(test_hashed_allocation),
		cmocka_unit_test(test_port_exhaustion),
		cmocka_unit_test(test_reboot_flushes),
		cmocka_unit_test(test_udp_zero_checksum_kept),
		cmocka_unit_test(test_icmp_error_udp_quotes),
		cmocka_unit_test(test_icmp_error_tcp_quotes),
		cmocka_unit_test(test_icmp_error_about_echo),
		cmocka_unit_test(test_icmp_error_outbound),
		cmocka_unit_test(test_icmp_error_bad_table),
		cmocka_unit_test(test_frag_drop_non_first),
		cmocka_unit_test(test_frag_drop_all),
		cmocka_unit_test(test_frag_track),
		cmocka_unit_test(test_frag_reassemble),
		cmocka_unit_test(test_reassembly_timeout),
		cmocka_unit_test(test_unsupported_and_truncated),
		cmocka_unit_test(test_random_roundtrips),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
