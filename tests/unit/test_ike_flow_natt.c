/*
 * test_ike_flow_natt.c — NAT traversal (RFC 7296 §2.23, RFC 3948) with an
 * address/port-rewriting NAT between the engines:
 *
 *   client 10.0.0.2 ──[ hide-NAT 203.0.113.7 ]── gateway 198.51.100.1
 *   client 192.0.2.10 ────── [ port forward 198.51.100.1 ] gateway 10.1.0.1
 *
 * NAT_DETECTION_* tell each side where the NAT is; the client floats to
 * 4500 with the non-ESP marker for IKE_AUTH; child_up says "UDP-
 * encapsulated"; the NATed side sends 0xFF keepalives; the gateway follows
 * a NAT mapping change only on messages that decrypt; encap = yes forces
 * it all without a NAT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/test_ike_flow_util.h"

static void test_client_behind_nat(void **state)
{
	struct flow f;
	const struct flow_dgram *d;
	struct ike_sa_status cs, gs;

	(void)state;
	flow_defaults(&f);
	flow_behind_nat(&f);
	flow_start(&f, 1);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	/* IKE_SA_INIT { ..., N(NAT_D_SRC = hash(10.0.0.2:500)), N(NAT_D_DST) } --> via the NAT */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	gs = flow_status(&f.gw, 0);
	assert_true(gs.nat_remote);
	assert_false(gs.nat_local);
	assert_int_equal(gs.path.remote_addr, IP(203, 0, 113, 7));
	assert_int_equal(gs.path.remote_port, 40000);
	/* <-- IKE_SA_INIT { ..., N(NAT_D_DST = hash(203.0.113.7:40000)) } */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	cs = flow_status(&f.cl, 0);
	assert_true(cs.nat_local);
	assert_false(cs.nat_remote);
	/* IKE_AUTH floats: 10.0.0.2:4500 -> 198.51.100.1:4500, non-ESP marker first */
	d = flow_peek(&f, TO_GW);
	assert_non_null(d);
	assert_int_equal(d->path.local_port, 4500);
	assert_int_equal(d->path.remote_port, 4500);
	assert_int_equal(d->buf[0] | d->buf[1] | d->buf[2] | d->buf[3], 0);
	assert_int_equal(d->buf[4 + 18], IKE_AUTH); /* the exchange type after the marker */
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"float\""), 1);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* the gateway follows the float: the NAT gave 4500 its own mapping */
	gs = flow_status(&f.gw, 0);
	assert_int_equal(gs.path.local_port, 4500);
	assert_int_equal(gs.path.remote_port, 40001);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	/* both install UDP-encapsulated CHILD SAs with the ports to use */
	assert_true(f.cl.child[0].ci.encap);
	assert_true(f.gw.child[0].ci.encap);
	assert_int_equal(f.cl.child[0].ci.path.local_port, 4500);
	assert_int_equal(f.cl.child[0].ci.path.remote_port, 4500);
	assert_int_equal(f.gw.child[0].ci.path.remote_addr, IP(203, 0, 113, 7));
	assert_int_equal(f.gw.child[0].ci.path.remote_port, 40001);
	assert_true(flow_esp_check(&f));
	/* keepalives from the NATed side only, every 20 s (RFC 3948 §4) */
	flow_advance(&f, 20 * S_NS - 1);
	assert_int_equal(f.cl.keepalives, 0);
	flow_advance(&f, 1);
	assert_int_equal(f.cl.keepalives, 1);
	flow_advance(&f, 40 * S_NS);
	assert_int_equal(f.cl.keepalives, 3);
	assert_int_equal(f.gw.keepalives, 0);
	assert_int_equal(ike_engine_counts(f.cl.e)->keepalives_sent, 3);
	flow_free(&f);
}

/* keepalive = 0 turns them off; a configured interval is used */
static void test_keepalive_config(void **state)
{
	struct flow f;

	(void)state;
	for (int off = 0; off < 2; off++) {
		flow_defaults(&f);
		flow_behind_nat(&f);
		f.cl.cfg.keepalive_ns = off ? 0 : 5 * S_NS;
		flow_start(&f, 2);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		flow_pump(&f);
		flow_advance(&f, 60 * S_NS);
		assert_int_equal(f.cl.keepalives, off ? 0 : 12);
		flow_free(&f);
	}
}

/* the gateway behind a port forward: it is the NATed side */
static void test_gateway_behind_nat(void **state)
{
	struct flow f;
	struct ike_sa_status cs, gs;

	(void)state;
	flow_defaults(&f);
	flow_gw_behind_nat(&f);
	flow_start(&f, 3);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	cs = flow_status(&f.cl, 0);
	assert_true(cs.nat_remote);
	assert_false(cs.nat_local);
	assert_int_equal(cs.path.local_port, 4500); /* floated */
	flow_pump(&f);
	gs = flow_status(&f.gw, 0);
	assert_true(gs.nat_local);
	assert_false(gs.nat_remote);
	assert_int_equal(gs.path.local_port, 4500);
	assert_true(f.cl.child[0].ci.encap && f.gw.child[0].ci.encap);
	assert_true(flow_esp_check(&f));
	flow_advance(&f, 21 * S_NS);
	assert_int_equal(f.gw.keepalives, 1);
	assert_int_equal(f.cl.keepalives, 0);
	flow_free(&f);
}

/* encap = yes without a NAT: a fake NAT_DETECTION_SOURCE_IP makes both sides encapsulate */
static void test_forced_encap(void **state)
{
	struct flow f;
	struct ike_sa_status cs, gs;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.force_encap = 1;
	flow_start(&f, 4);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	cs = flow_status(&f.cl, 0);
	gs = flow_status(&f.gw, 0);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(gs.nat_remote); /* the gateway believes the client is NATed */
	assert_false(cs.nat_local || cs.nat_remote);
	assert_true(cs.encap && gs.encap);
	assert_int_equal(cs.path.local_port, 4500);
	assert_int_equal(gs.path.local_port, 4500);
	assert_true(f.cl.child[0].ci.encap && f.gw.child[0].ci.encap);
	assert_true(flow_esp_check(&f));
	flow_free(&f);

	/* and without NAT nor encap: plain ESP on 500 */
	flow_defaults(&f);
	flow_start(&f, 5);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_false(f.cl.child[0].ci.encap || f.gw.child[0].ci.encap);
	assert_int_equal(flow_status(&f.cl, 0).path.local_port, 500);
	flow_free(&f);
}

/* the NAT reboots: the gateway moves to the new mapping only for a message that decrypts */
static void test_mapping_change(void **state)
{
	struct flow f;
	struct ike_sa_status gs;
	const struct flow_dgram *d;
	uint8_t *forged;
	size_t len;
	struct ike_path from_attacker = {IP(198, 51, 100, 1), IP(203, 0, 113, 7), 4500, 41234};

	(void)state;
	flow_defaults(&f);
	flow_behind_nat(&f);
	f.cl.cfg.dpd_ns = 30 * S_NS;
	f.cl.cfg.keepalive_ns = 0;
	flow_start(&f, 6);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	gs = flow_status(&f.gw, 0);
	assert_int_equal(gs.path.remote_port, 40001);
	flow_nat_reboot(&f);
	flow_advance(&f, 30 * S_NS);
	/* INFORMATIONAL {} --> from a new public port */
	d = flow_peek(&f, TO_GW);
	assert_non_null(d);
	/* first a forged copy from another port (one octet changed): no decryption, no move */
	len = d->len;
	forged = malloc(len);
	memcpy(forged, d->buf, len);
	forged[len - 1] ^= 1;
	assert_int_equal(ike_input(f.gw.e, &from_attacker, forged, len, f.now), IKE_RX_DROP);
	assert_int_equal(flow_status(&f.gw, 0).path.remote_port, 40001);
	assert_int_equal(f.gw.path_changes, 0);
	free(forged);
	/* the genuine message moves the gateway (and its CHILD SAs: path_changed) */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	gs = flow_status(&f.gw, 0);
	assert_int_equal(gs.path.remote_port, 40002);
	assert_int_equal(f.gw.path_changes, 1);
	assert_int_equal(f.gw.last_path.remote_port, 40002);
	assert_int_equal(f.gw.child[0].ci.path.remote_port, 40002);
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"path\""), 2); /* the float, then this */
	/* <-- the answer reaches the client through the new mapping */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 0);
	flow_free(&f);
}

/* after an IKE rekey the CHILD SAs keep the IKE SPIs they were announced with */
static void test_mapping_change_after_ike_rekey(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	flow_behind_nat(&f);
	f.cl.cfg.dpd_ns = 30 * S_NS;
	f.cl.cfg.keepalive_ns = 0;
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(ike_rekey_ike(f.cl.e, f.now), 0);
	flow_pump(&f);
	assert_true(flow_status(&f.gw, 0).spi_i != f.gw.child[0].ci.ike_spi_i);
	flow_nat_reboot(&f);
	flow_advance(&f, 30 * S_NS);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(f.gw.path_changes, 1);
	assert_int_equal(f.gw.child[0].ci.path.remote_port, f.gw.last_path.remote_port);
	assert_int_equal(flow_status(&f.gw, 0).path.remote_port, f.gw.last_path.remote_port);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	flow_free(&f);
}

/* without a NAT nothing follows an address change (§2.23: only for a NATed peer) */
static void test_no_follow_without_nat(void **state)
{
	struct flow f;
	const struct flow_dgram *d;
	struct ike_path moved;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.dpd_ns = 30 * S_NS;
	flow_start(&f, 7);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	flow_advance(&f, 30 * S_NS);
	d = flow_peek(&f, TO_GW);
	assert_non_null(d);
	moved = (struct ike_path){d->path.remote_addr, IP(192, 0, 2, 99), d->path.remote_port, 777};
	assert_int_equal(ike_input(f.gw.e, &moved, d->buf, d->len, f.now), IKE_RX_OK);
	assert_int_equal(flow_status(&f.gw, 0).path.remote_addr, IP(192, 0, 2, 10));
	assert_int_equal(f.gw.path_changes, 0);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_behind_nat), cmocka_unit_test(test_keepalive_config),
		cmocka_unit_test(test_gateway_behind_nat), cmocka_unit_test(test_forced_encap),
		cmocka_unit_test(test_mapping_change),    cmocka_unit_test(test_no_follow_without_nat),
		cmocka_unit_test(test_mapping_change_after_ike_rekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
