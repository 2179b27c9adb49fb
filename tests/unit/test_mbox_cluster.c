/*
 * test_mbox_cluster.c — cluster front end: sticky hashing, spread, member
 * failure (only the failed member's flows move), recovery (stick vs
 * rehash), SPI keys, flow timeout, determinism.
 *
 *   clients ──[0] front end (VIP 192.0.2.10) [1]── member 1
 *                                           [2]── member 2
 *                                           [3]── member 3
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim/mbox/mbox_cluster.h"
#include "tests/unit/test_mbox_util.h"

#define VIP IP(192, 0, 2, 10)
#define NCLI 300

static struct mbox *cluster_new(struct harness *h, int members, enum mbox_cluster_recover rec,
				uint64_t seed)
{
	struct mbox_cluster_cfg c;
	char err[200];
	struct mbox *mb;

	mbox_cluster_cfg_default(&c);
	c.members = members;
	c.recover = rec;
	c.hash_seed = seed;
	mb = mbox_cluster_new(&c, &h->io, err, sizeof err);
	if (!mb)
		fail_msg("mbox_cluster_new: %s", err);
	return mb;
}

static uint32_t client(int i)
{
	return IP(100, 64, (uint8_t)(i >> 8), (uint8_t)i);
}

/* send_from sends one client packet and returns the member (interface) it went to, 0 if none. */
static int send_from(struct mbox *mb, struct harness *h, uint64_t t, uint32_t src)
{
	uint8_t p[200];
	size_t n = mk_udp(p, src, 4500, VIP, 4500, 20), before = h->cap.n;

	mbox_input(mb, t, 0, p, n);
	if (h->cap.n == before)
		return 0;
	assert_memory_equal(h->cap.p[before].data, p, n); /* never rewritten */
	return h->cap.p[before].ifx;
}

static void test_sticky_and_spread(void **state)
{
	struct harness h;
	struct mbox *mb;
	int per[4] = {0};

	harness_init(&h, 1);
	mb = cluster_new(&h, 3, MBOX_CLUSTER_STICK, 1);
	for (int i = 0; i < 900; i++) {
		uint8_t p[200];
		size_t n = mk_udp(p, client(i), 4500, VIP, 4500, 20);
		int predicted = mbox_cluster_member_of(mb, 0, p, n);
		int m = send_from(mb, &h, 0, client(i));

		assert_int_equal(m, predicted);
		assert_int_equal(send_from(mb, &h, 1, client(i)), m);
		per[m]++;
	}
	for (int m = 1; m <= 3; m++)
		assert_in_range(per[m], 240, 360);
	assert_int_equal(mbox_cluster_flows(mb), 900);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_member_replies_pass_unchanged(void **state)
{
	struct harness h;
	struct mbox *mb;
	uint8_t p[200];
	size_t n;

	harness_init(&h, 1);
	mb = cluster_new(&h, 3, MBOX_CLUSTER_STICK, 1);
	n = mk_udp(p, VIP, 4500, client(1), 4500, 50);
	mbox_input(mb, 0, 2, p, n);
	assert_int_equal(h.cap.n, 1);
	assert_int_equal(h.cap.p[0].ifx, 0);
	assert_memory_equal(h.cap.p[0].data, p, n);
	mbox_input(mb, 0, 4, p, n);
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_BAD_IFINDEX), 1);
	mbox_free(mb);
	harness_fini(&h);
}

/* establish sends one packet per client and records its member. */
static void establish(struct mbox *mb, struct harness *h, int *member, uint64_t t)
{
	for (int i = 0; i < NCLI; i++)
		member[i] = send_from(mb, h, t, client(i));
}

static void test_failover_moves_only_failed_flows(void **state)
{
	struct harness h;
	struct mbox *mb;
	int before[NCLI], on2 = 0;
	uint8_t p[200];
	char want[80];

	harness_init(&h, 1);
	mb = cluster_new(&h, 3, MBOX_CLUSTER_STICK, 5);
	establish(mb, &h, before, 0);
	for (int i = 0; i < NCLI; i++)
		on2 += before[i] == 2;
	assert_true(on2 > 50);
	assert_int_equal(mbox_cluster_set_member(mb, 10 * SEC, 2, 0), on2);
	snprintf(want, sizeof want, "\"ev\":\"member\",\"member\":2,\"state\":\"down\",\"moved\":%d", on2);
	assert_int_equal(ev_lines_count(&h.ev, want), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"ev\":\"flow-move\""), (size_t)on2);
	assert_int_equal(ev_lines_count(&h.ev, "\"from\":2,\"to\""), (size_t)on2);
	for (int i = 0; i < NCLI; i++) {
		int m = send_from(mb, &h, 11 * SEC, client(i));

		if (before[i] == 2)
			assert_true(m == 1 || m == 3);
		else
			assert_int_equal(m, before[i]);
	}
	/* The failed member's own packets are dropped. */
	mbox_input(mb, 12 * SEC, 2, p, mk_udp(p, VIP, 4500, client(0), 4500, 10));
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_MEMBER_DOWN), 1);
	assert_false(mbox_cluster_member_up(mb, 2));
	mbox_free(mb);
	harness_fini(&h);
}

static void test_recovery_stick_vs_rehash(void **state)
{
	for (int rec = 0; rec < 2; rec++) {
		struct harness h;
		struct mbox *mb;
		int before[NCLI], on2 = 0, back = 0, new_on2 = 0;
		long moved;

		harness_init(&h, 1);
		mb = cluster_new(&h, 3, rec ? MBOX_CLUSTER_REHASH : MBOX_CLUSTER_STICK, 5);
		establish(mb, &h, before, 0);
		for (int i = 0; i < NCLI; i++)
			on2 += before[i] == 2;
		mbox_cluster_set_member(mb, 10 * SEC, 2, 0);
		moved = mbox_cluster_set_member(mb, 20 * SEC, 2, 1);
		/* Rehash moves back exactly the flows member 2 had (HRW); stick moves none. */
		assert_int_equal(moved, rec ? on2 : 0);
		for (int i = 0; i < NCLI; i++) {
			int m = send_from(mb, &h, 21 * SEC, client(i));

			if (before[i] != 2)
				assert_int_equal(m, before[i]);
			back += before[i] == 2 && m == 2;
		}
		assert_int_equal(back, rec ? on2 : 0);
		/* New clients can use the recovered member either way. */
		for (int i = NCLI; i < 2 * NCLI; i++)
			new_on2 += send_from(mb, &h, 22 * SEC, client(i)) == 2;
		assert_true(new_on2 > 50);
		mbox_free(mb);
		harness_fini(&h);
	}
}

static void test_all_members_down(void **state)
{
	struct harness h;
	struct mbox *mb;
	int before[NCLI];
	long on1 = 0;
	char want[80];

	harness_init(&h, 1);
	mb = cluster_new(&h, 2, MBOX_CLUSTER_STICK, 3);
	establish(mb, &h, before, 0);
	mbox_cluster_set_member(mb, 1 * SEC, 1, 0);
	mbox_cluster_set_member(mb, 1 * SEC, 2, 0);
	assert_int_equal(send_from(mb, &h, 2 * SEC, client(0)), 0);
	assert_int_equal(mbox_drop_count(mb, MBOX_DROP_NO_MEMBER), 1);
	assert_int_equal(ev_lines_count(&h.ev, "\"reason\":\"no-member-up\""), 1);
	/* Member 1's flows had moved to 2 when 1 failed; member 2 then had no
	 * one to hand its flows to. Member 1 back: all orphans move to it,
	 * even with stick. */
	for (int i = 0; i < NCLI; i++)
		on1 += before[i] == 1;
	assert_true(on1 > 0 && on1 < NCLI);
	snprintf(want, sizeof want, "\"member\":1,\"state\":\"down\",\"moved\":%ld}", on1);
	assert_int_equal(ev_lines_count(&h.ev, want), 1);
	assert_int_equal(mbox_cluster_set_member(mb, 3 * SEC, 1, 1), NCLI);
	for (int i = 0; i < NCLI; i++)
		assert_int_equal(send_from(mb, &h, 4 * SEC, client(i)), 1);
	assert_int_equal(mbox_cluster_set_member(mb, 0, 3, 1), -1);
	mbox_free(mb);
	harness_fini(&h);
}

/* esp_pkt builds a protocol-50 packet with |spi|. */
static size_t esp_pkt(uint8_t *p, uint32_t src, uint32_t spi)
{
	uint8_t body[24] = {0};
	size_t n;

	ip4_put32(body, spi);
	n = ip4_udp_build(p, 200, src, 0, VIP, 0, body, sizeof body, NULL);
	/* Replace the UDP header by the ESP payload. */
	memmove(p + 20, p + 28, sizeof body);
	n -= 8;
	ip4_put16(p + 2, (uint16_t)n);
	p[9] = IP4_PROTO_ESP;
	ip4_hdr_set_csum(p);
	return n;
}

static void test_spi_keys(void **state)
{
	struct harness h;
	struct mbox_cluster_cfg c;
	struct mbox *mb;
	char err[200];
	uint8_t p[200], ike[28] = {0};
	int seen[4] = {0}, m1, m2;
	size_t n;

	harness_init(&h, 1);
	mbox_cluster_cfg_default(&c);
	c.members = 3;
	c.key = MBOX_CLUSTER_KEY_SPI;
	mb = mbox_cluster_new(&c, &h.io, err, sizeof err);
	assert_non_null(mb);
	/* ESP from one client: different SPIs spread over members. */
	for (uint32_t spi = 1; spi <= 60; spi++) {
		n = esp_pkt(p, client(1), 0xc0000000u + spi);
		seen[mbox_cluster_member_of(mb, 0, p, n)]++;
	}
	assert_true(seen[1] && seen[2] && seen[3]);
	/* Same ESP SPI from two addresses (NAT-T float): same member. */
	n = esp_pkt(p, client(1), 0xc0000007u);
	m1 = mbox_cluster_member_of(mb, 0, p, n);
	n = esp_pkt(p, client(2), 0xc0000007u);
	assert_int_equal(mbox_cluster_member_of(mb, 0, p, n), m1);
	/* UDP 4500 with a non-zero first word is ESP: keyed like protocol 50. */
	ip4_put32(ike, 0xc0000007u);
	n = ip4_udp_build(p, 200, client(3), 4500, VIP, 4500, ike, 16, NULL);
	assert_int_equal(mbox_cluster_member_of(mb, 0, p, n), m1);
	/* IKE: initiator SPI, on 500 and behind the non-ESP marker on 4500. */
	memset(ike, 0, sizeof ike);
	memcpy(ike, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	n = ip4_udp_build(p, 200, client(4), 500, VIP, 500, ike, 28, NULL);
	m1 = mbox_cluster_member_of(mb, 0, p, n);
	memmove(ike + 4, ike, 24);
	memset(ike, 0, 4);
	n = ip4_udp_build(p, 200, client(5), 4500, VIP, 4500, ike, 28, NULL);
	m2 = mbox_cluster_member_of(mb, 0, p, n);
	assert_int_equal(m1, m2);
	/* Forwarding with SPI keys is sticky too; the move event names the key. */
	mbox_input(mb, 0, 0, p, n);
	mbox_cluster_set_member(mb, 1, m2, 0);
	assert_int_equal(ev_lines_count(&h.ev, "\"key\":\"ike 0x1122334455667788\""), 1);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_flow_timeout(void **state)
{
	struct harness h;
	struct mbox *mb;

	harness_init(&h, 1);
	mb = cluster_new(&h, 2, MBOX_CLUSTER_STICK, 9);
	send_from(mb, &h, 0, client(1));
	send_from(mb, &h, 1000 * SEC, client(2));
	assert_int_equal(mbox_deadline(mb), 3600 * SEC);
	mbox_on_deadline(mb, 3600 * SEC);
	assert_int_equal(mbox_cluster_flows(mb), 1);
	assert_int_equal(mbox_deadline(mb), 4600 * SEC);
	mbox_on_deadline(mb, 4600 * SEC);
	assert_int_equal(mbox_cluster_flows(mb), 0);
	assert_int_equal(mbox_deadline(mb), MBOX_NEVER);
	mbox_free(mb);
	harness_fini(&h);
}

static void test_seed_determinism(void **state)
{
	int a[NCLI], b[NCLI], c[NCLI];
	struct harness h;
	struct mbox *mb;

	for (int run = 0; run < 3; run++) {
		harness_init(&h, 1);
		mb = cluster_new(&h, 4, MBOX_CLUSTER_STICK, run == 2 ? 77 : 76);
		establish(mb, &h, run == 0 ? a : run == 1 ? b : c, 0);
		mbox_free(mb);
		harness_fini(&h);
	}
	assert_memory_equal(a, b, sizeof a);
	assert_memory_not_equal(a, c, sizeof a);
}

static void test_config_errors(void **state)
{
	struct mbox_cluster_cfg c;
	char err[200];

	mbox_cluster_cfg_default(&c);
	c.members = 0;
	assert_null(mbox_cluster_new(&c, NULL, err, sizeof err));
	assert_non_null(strstr(err, "members = 0"));
	c.members = 65;
	assert_null(mbox_cluster_new(&c, NULL, err, sizeof err));
	assert_int_equal(mbox_cluster_key_from_name("spi"), MBOX_CLUSTER_KEY_SPI);
	assert_int_equal(mbox_cluster_recover_from_name("rehash"), MBOX_CLUSTER_REHASH);
	assert_string_equal(mbox_cluster_recover_name(MBOX_CLUSTER_STICK), "stick");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sticky_and_spread),
		cmocka_unit_test(test_member_replies_pass_unchanged),
		cmocka_unit_test(test_failover_moves_only_failed_flows),
		cmocka_unit_test(test_recovery_stick_vs_rehash),
		cmocka_unit_test(test_all_members_down),
		cmocka_unit_test(test_spi_keys),
		cmocka_unit_test(test_flow_timeout),
		cmocka_unit_test(test_seed_determinism),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
