/*
 * test_ike_flow_traffic.c — keepalives and liveness checks when ESP flows
 * (the caller reports it with ike_note_esp_sent / ike_note_esp_received):
 *
 *   RFC 3948 §4  a NAT keepalive is only needed when nothing else was sent
 *                for the interval: ESP going out keeps the mapping
 *   RFC 7296 §2.4 a liveness check is only needed when nothing came in:
 *                ESP received proves the peer alive, ESP sent does not
 *
 *      client 10.0.0.2 ──[ NAT 203.0.113.7 ]── gateway 198.51.100.1
 *
 * Without the notes the engine behaves as before (IKE messages only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/test_ike_flow_util.h"

static void up_behind_nat(struct flow *f, uint64_t seed)
{
	flow_defaults(f);
	flow_behind_nat(f);
	f->gw.cfg.dpd_ns = 30 * S_NS;
	flow_start(f, seed);
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	flow_pump(f);
	assert_int_equal(flow_state(&f->cl), IKE_S_ESTABLISHED);
	assert_true(flow_status(&f->cl, 0).nat_local);
}

/* every |step| until |until|, the client sends ESP (and the gateway receives it when |arrives|) */
static void traffic(struct flow *f, uint64_t until, uint64_t step, int arrives)
{
	uint32_t cl_in = f->cl.child[0].ci.spi_in, gw_in = f->gw.child[0].ci.spi_in;

	while (f->now + step <= until) {
		flow_advance(f, step);
		flow_pump(f);
		assert_int_equal(ike_note_esp_sent(f->cl.e, cl_in, f->now), 0);
		if (arrives)
			assert_int_equal(ike_note_esp_received(f->gw.e, gw_in, f->now), 0);
	}
}

/* RFC 3948 §4: ESP going out every 5 s: no keepalive; when it stops, one 20 s after the last packet */
static void test_keepalive_suppressed(void **state)
{
	struct flow f;

	(void)state;
	up_behind_nat(&f, 1);
	traffic(&f, 60 * S_NS, 5 * S_NS, 1);
	assert_int_equal(f.cl.keepalives, 0);
	/* the last ESP went out at 60 s: the keepalive follows at 80 s, then every 20 s */
	flow_advance(&f, 20 * S_NS - 1);
	assert_int_equal(f.cl.keepalives, 0);
	flow_advance(&f, 1);
	assert_int_equal(f.cl.keepalives, 1);
	flow_advance(&f, 40 * S_NS);
	assert_int_equal(f.cl.keepalives, 3);
	/* ESP received does not hold the sender's mapping: no effect on keepalives */
	assert_int_equal(ike_note_esp_received(f.cl.e, f.cl.child[0].ci.spi_in, f.now), 0);
	flow_advance(&f, 20 * S_NS);
	assert_int_equal(f.cl.keepalives, 4);
	flow_free(&f);
}

/* the same flow without the notes: a keepalive every 20 s regardless (the behaviour before) */
static void test_keepalive_without_notes(void **state)
{
	struct flow f;

	(void)state;
	up_behind_nat(&f, 2);
	flow_advance(&f, 60 * S_NS);
	assert_int_equal(f.cl.keepalives, 3);
	flow_free(&f);
}

/* §2.4: ESP from the client reaches the gateway every 10 s: no liveness check; when it stops, one 30 s later */
static void test_dpd_suppressed(void **state)
{
	struct flow f;

	(void)state;
	up_behind_nat(&f, 3);
	traffic(&f, 90 * S_NS, 10 * S_NS, 1);
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"dpd\""), 0);
	/* quiet from 90 s on: INFORMATIONAL {} at 120 s */
	flow_advance(&f, 30 * S_NS - 1);
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"dpd\""), 0);
	flow_advance(&f, 1);
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"dpd\""), 1);
	assert_true(flow_sent_has(&f.gw, "INFORMATIONAL request mid 0 []"));
	flow_free(&f);
}

/* §2.4: only outgoing ESP (the peer may be gone): the liveness check still runs every 30 s */
static void test_dpd_outgoing_only(void **state)
{
	struct flow f;
	uint32_t gw_in;

	(void)state;
	up_behind_nat(&f, 4);
	gw_in = f.gw.child[0].ci.spi_in;
	for (int i = 0; i < 6; i++) {
		flow_advance(&f, 5 * S_NS);
		assert_int_equal(ike_note_esp_sent(f.gw.e, gw_in, f.now), 0);
	}
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"dpd\""), 1);
	flow_free(&f);
}

/* the notes follow the CHILD SA to the IKE SA a rekey made; unknown SPIs are refused */
static void test_notes_after_rekey(void **state)
{
	struct flow f;
	uint32_t cl_in;

	(void)state;
	up_behind_nat(&f, 5);
	cl_in = f.cl.child[0].ci.spi_in;
	assert_int_equal(ike_rekey_ike(f.cl.e, f.now), 0);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_true(flow_status(&f.cl, 0).spi_i != f.cl.child[0].ci.ike_spi_i); /* a new IKE SA */
	traffic(&f, f.now + 60 * S_NS, 5 * S_NS, 1);
	assert_int_equal(f.cl.keepalives, 0);
	assert_int_equal(ike_note_esp_sent(f.cl.e, cl_in ^ 0x5a5a5a5a, f.now), IKE_E_ARG);
	assert_int_equal(ike_note_esp_received(f.cl.e, 0, f.now), IKE_E_ARG);
	/* after a CHILD rekey the new inbound SPI is the one to report; the old one is gone */
	assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
	flow_pump(&f);
	assert_int_equal(ike_note_esp_sent(f.cl.e, cl_in, f.now), IKE_E_ARG);
	assert_int_equal(ike_note_esp_sent(f.cl.e, f.cl.child[1].ci.spi_in, f.now), 0);
	/* once the IKE SA is closed, nothing is known */
	ike_close(f.cl.e, f.now);
	flow_pump(&f);
	assert_int_equal(ike_note_esp_sent(f.cl.e, f.cl.child[1].ci.spi_in, f.now), IKE_E_ARG);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive_suppressed), cmocka_unit_test(test_keepalive_without_notes),
		cmocka_unit_test(test_dpd_suppressed),       cmocka_unit_test(test_dpd_outgoing_only),
		cmocka_unit_test(test_notes_after_rekey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
