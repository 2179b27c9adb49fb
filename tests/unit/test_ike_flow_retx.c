/*
 * test_ike_flow_retx.c — reliability (RFC 7296 §2.1, §2.3, §2.4): lost
 * requests are retransmitted bit for bit with exponential back-off; lost
 * responses are answered from the response cache when the request comes
 * again (no second CHILD SA, no second half-open SA); the peer is declared
 * dead after the last try; the window of one drops old and future
 * Message IDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/test_ike_flow_util.h"

/* copy_next keeps a copy of the next datagram of |dir| (to compare with a retransmission). */
static uint8_t *copy_next(struct flow *f, int dir, size_t *len)
{
	const struct flow_dgram *d = flow_peek(f, dir);
	uint8_t *c;

	assert_non_null(d);
	c = malloc(d->len);
	assert_non_null(c);
	memcpy(c, d->buf, d->len);
	*len = d->len;
	return c;
}

static void assert_next_equals(struct flow *f, int dir, const uint8_t *want, size_t len)
{
	const struct flow_dgram *d = flow_peek(f, dir);

	assert_non_null(d);
	assert_int_equal(d->len, len);
	assert_memory_equal(d->buf, want, len);
}

/* IKE_SA_INIT request lost: retransmitted after retransmit_timeout, identical. */
static void test_lost_init_request(void **state)
{
	struct flow f;
	uint8_t *first;
	size_t len;

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 1);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	first = copy_next(&f, TO_GW, &len);
	/* IKE_SA_INIT --> (lost) */
	flow_drop(&f, TO_GW);
	flow_advance(&f, 4 * S_NS - 1);
	assert_int_equal(flow_pending(&f, TO_GW), 0);
	flow_advance(&f, 1);
	/* IKE_SA_INIT --> again, bit for bit (§2.1) */
	assert_int_equal(flow_pending(&f, TO_GW), 1);
	assert_next_equals(&f, TO_GW, first, len);
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"retransmit\""), 1);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 1);
	assert_true(flow_esp_check(&f));
	free(first);
	flow_free(&f);
}

/* IKE_SA_INIT response lost: the same request gets the cached response, no second SA. */
static void test_lost_init_response(void **state)
{
	struct flow f;
	uint8_t *resp;
	size_t len;

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 2);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	resp = copy_next(&f, TO_CL, &len);
	/* <-- IKE_SA_INIT (lost) */
	flow_drop(&f, TO_CL);
	flow_advance(&f, 4 * S_NS);
	/* IKE_SA_INIT --> retransmitted; the gateway resends its response */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_RESENT);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	assert_int_equal(ike_half_open_count(f.gw.e), 1);
	assert_next_equals(&f, TO_CL, resp, len);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.gw, 0).counts.resent_responses, 1);
	free(resp);
	flow_free(&f);
}

/* IKE_AUTH request lost, then its response lost: one CHILD SA per side in the end. */
static void test_lost_auth(void **state)
{
	struct flow f;
	uint8_t *req, *resp;
	size_t req_len, resp_len;

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 3);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	req = copy_next(&f, TO_GW, &req_len);
	/* IKE_AUTH --> (lost) */
	flow_drop(&f, TO_GW);
	flow_advance(&f, 4 * S_NS);
	assert_next_equals(&f, TO_GW, req, req_len);
	/* IKE_AUTH --> (retransmission arrives) */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	resp = copy_next(&f, TO_CL, &resp_len);
	/* <-- IKE_AUTH (lost) */
	flow_drop(&f, TO_CL);
	/* second retransmission after 4 * 1.8 s */
	flow_advance(&f, 7 * S_NS);
	assert_int_equal(flow_pending(&f, TO_GW), 0);
	flow_advance(&f, S_NS / 5 + 1);
	assert_next_equals(&f, TO_GW, req, req_len);
	/* the gateway answers from its cache: same octets, no second CHILD SA */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_RESENT);
	assert_next_equals(&f, TO_CL, resp, resp_len);
	assert_int_equal(f.gw.n_child, 1);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(f.cl.n_child, 1);
	assert_true(flow_esp_check(&f));
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 2);
	/* a late copy of the response is dropped: nothing outstanding */
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"retransmit\""), 2);
	free(req);
	free(resp);
	flow_free(&f);
}

/* Back-off: timeout 1 s, base 2, 3 tries: resends at 1, 3, 7 s, dead at 15 s (§2.4). */
static void test_backoff_and_dead_peer(void **state)
{
	struct flow f;
	static const uint64_t at[] = {1, 3, 7, 15};

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.retx_timeout_ns = S_NS;
	f.cl.cfg.retx_base = 2.0;
	f.cl.cfg.retx_tries = 3;
	flow_start(&f, 4);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ike_deadline(f.cl.e), at[i] * S_NS);
		flow_drop(&f, TO_GW);
		flow_advance(&f, at[i] * S_NS - f.now);
	}
	assert_int_equal(flow_pending(&f, TO_GW), 0); /* no fourth retransmission */
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	assert_int_equal(ike_deadline(f.cl.e), UINT64_MAX);
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"retransmit\""), 3);
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"peer_dead\""), 1);
	assert_int_equal(ike_engine_counts(f.cl.e)->retransmits, 3);
	flow_free(&f);

	/* retransmit_max caps an interval */
	flow_defaults(&f);
	f.cl.cfg.retx_timeout_ns = S_NS;
	f.cl.cfg.retx_base = 10.0;
	f.cl.cfg.retx_max_ns = 5 * S_NS;
	flow_start(&f, 5);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_advance(&f, S_NS);
	assert_int_equal(ike_deadline(f.cl.e), 6 * S_NS);
	flow_free(&f);
}

/* §2.3: old and future Message IDs are dropped; the state survives. */
static void test_window(void **state)
{
	struct flow f;
	uint8_t *auth_req, *dpd_req;
	size_t auth_len, dpd_len;
	struct ike_path in = {IP(198, 51, 100, 1), IP(192, 0, 2, 10), 500, 500};

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.dpd_ns = 10 * S_NS;
	flow_start(&f, 6);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	auth_req = copy_next(&f, TO_GW, &auth_len);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	/* the client's liveness check: INFORMATIONAL mid 2 */
	flow_advance(&f, 10 * S_NS);
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 []"));
	dpd_req = copy_next(&f, TO_GW, &dpd_len);
	flow_pump(&f);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 0);
	/* the old IKE_AUTH request (mid 1) again: not the last one any more, dropped */
	assert_int_equal(ike_input(f.gw.e, &in, auth_req, auth_len, f.now), IKE_RX_DROP);
	assert_int_equal(flow_pending(&f, TO_CL), 0);
	/* the last request (mid 2) again: the cached response */
	assert_int_equal(ike_input(f.gw.e, &in, dpd_req, dpd_len, f.now), IKE_RX_RESENT);
	assert_int_equal(flow_pending(&f, TO_CL), 1);
	/* the client does not expect a response now: dropped */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_DROP);
	/* a future Message ID (mid 7) is dropped */
	dpd_req[23] = 7;
	assert_int_equal(ike_input(f.gw.e, &in, dpd_req, dpd_len, f.now), IKE_RX_DROP);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	/* and the SAs still talk: a close goes through */
	ike_close(f.cl.e, f.now);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	assert_int_equal(flow_live_children(&f.cl) + flow_live_children(&f.gw), 0);
	free(auth_req);
	free(dpd_req);
	flow_free(&f);
}

/* §2.4: a dead peer found by the liveness check, dpd_action = clear and restart. */
static void test_dpd_dead_peer(void **state)
{
	struct flow f;

	(void)state;
	for (int restart = 0; restart < 2; restart++) {
		flow_defaults(&f);
		f.cl.cfg.dpd_ns = 30 * S_NS;
		f.cl.cfg.dpd_action = restart ? IKE_DPD_RESTART : IKE_DPD_CLEAR;
		f.cl.cfg.retx_timeout_ns = S_NS;
		f.cl.cfg.retx_tries = 2;
		flow_start(&f, 7);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		flow_pump(&f);
		assert_int_equal(flow_live_children(&f.cl), 1);
		/* the gateway vanishes: everything the client sends is lost */
		flow_advance(&f, 30 * S_NS);
		assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 []"));
		assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"dpd\""), 1);
		for (int i = 0; i < 3; i++) {
			flow_drop(&f, TO_GW);
			flow_advance(&f, 4 * S_NS);
		}
		assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"peer_dead\""), 1);
		assert_int_equal(flow_live_children(&f.cl), 0);
		assert_int_equal(f.cl.n_down, 1);
		if (restart) {
			/* a new IKE SA is on its way */
			assert_int_equal(ike_sa_count(f.cl.e), 1);
			assert_int_equal(flow_state(&f.cl), IKE_S_INIT_SENT);
			assert_true(flow_sent_has(&f.cl, "IKE_SA_INIT request mid 0"));
		} else {
			assert_int_equal(ike_sa_count(f.cl.e), 0);
		}
		flow_free(&f);
	}
}

/* half-open SAs are forgotten after half_open_timeout */
static void test_half_open_expiry(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.half_open_timeout_ns = 10 * S_NS;
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(ike_half_open_count(f.gw.e), 1);
	flow_drop(&f, TO_CL);
	ike_engine_free(f.cl.e); /* the client is gone */
	f.cl.e = NULL;
	for (uint64_t t = 0; t < 10; t++) {
		assert_int_equal(ike_half_open_count(f.gw.e), 1);
		f.now += S_NS;
		if (ike_deadline(f.gw.e) <= f.now)
			ike_on_deadline(f.gw.e, f.now);
	}
	assert_int_equal(ike_half_open_count(f.gw.e), 0);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_init_request), cmocka_unit_test(test_lost_init_response),
		cmocka_unit_test(test_lost_auth),         cmocka_unit_test(test_backoff_and_dead_peer),
		cmocka_unit_test(test_window),            cmocka_unit_test(test_dpd_dead_peer),
		cmocka_unit_test(test_half_open_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
