/*
 * test_ike_flow_frag.c — IKEv2 fragmentation (RFC 7383) between two
 * engines with a small fragment_size: negotiation in IKE_SA_INIT (§2.3),
 * every datagram within the limit and each fragment encrypted on its own
 * (§2.5), a lost fragment recovered by retransmitting all fragments
 * (§2.6.1), a lost response fragment answered from the response cache,
 * reassembly limits (count, size, timeout), and no fragmentation when one
 * side did not announce it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_payload.h"
#include "tests/unit/test_ike_flow_util.h"

/* skf_info reads Fragment Number / Total Fragments of an SKF datagram (0/0 for SK). */
static void skf_info(const struct flow_dgram *d, unsigned *num, unsigned *total)
{
	size_t m = d->path.local_port == 4500 ? 4 : 0;
	const uint8_t *p = d->buf + m;

	*num = *total = 0;
	if (d->len >= m + IKE_HDR_LEN + 8 && p[16] == IKE_PL_SKF) {
		*num = ike_get16(p + IKE_HDR_LEN + 4);
		*total = ike_get16(p + IKE_HDR_LEN + 6);
	}
}

static void start_small(struct flow *f, uint64_t seed, size_t limit)
{
	flow_defaults(f);
	f->cl.cfg.fragment_size = limit;
	f->gw.cfg.fragment_size = limit;
	flow_start(f, seed);
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
	assert_true(flow_status(&f->cl, 0).frag);
}

/* check_fragments: |n| datagrams queued in |dir|, SKF 1..n of n, each within |limit| */
static void check_fragments(struct flow *f, int dir, size_t n, size_t limit)
{
	const struct flow_queue *q = dir == TO_GW ? &f->cl.out : &f->gw.out;

	assert_int_equal(q->tail - q->head, n);
	for (size_t i = 0; i < n; i++) {
		const struct flow_dgram *d = &q->d[(q->head + i) % FLOW_QMAX];
		unsigned num, total;

		skf_info(d, &num, &total);
		assert_int_equal(num, i + 1);
		assert_int_equal(total, n);
		assert_true(d->len <= limit);
	}
}

static void test_fragmented_auth(void **state)
{
	struct flow f;
	size_t n;

	(void)state;
	start_small(&f, 1, 200);
	/* IKE_AUTH SKF(1/n) {IDi, AUTH, ...} SKF(2/n) {...} ... --> */
	n = flow_pending(&f, TO_GW);
	assert_true(n >= 3);
	check_fragments(&f, TO_GW, n, 200);
	assert_true(flow_count_ev(&f.cl, "\"frags\":3") + flow_count_ev(&f.cl, "\"frags\":4") >= 1);
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	/* the receive event shows the reassembled message */
	assert_true(flow_count_ev(&f.gw, "IKE_AUTH request mid 1 [IDi AUTH N(INITIAL_CONTACT) SA TSi TSr]") == 1);
	/* <-- IKE_AUTH response, fragmented too */
	n = flow_pending(&f, TO_CL);
	assert_true(n >= 2);
	check_fragments(&f, TO_CL, n, 200);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	assert_true(ike_engine_counts(f.gw.e)->frags_recv >= 3);
	assert_true(ike_engine_counts(f.cl.e)->frags_sent >= 3);
	flow_free(&f);
}

/* a lost request fragment: the client resends ALL fragments, bit for bit (§2.6.1) */
static void test_lost_request_fragment(void **state)
{
	struct flow f;
	size_t n;
	uint8_t *copy[16];
	size_t len[16];

	(void)state;
	start_small(&f, 2, 180);
	n = flow_pending(&f, TO_GW);
	assert_true(n >= 3 && n <= 16);
	for (size_t i = 0; i < n; i++) {
		const struct flow_dgram *d = &f.cl.out.d[(f.cl.out.head + i) % FLOW_QMAX];

		copy[i] = malloc(d->len);
		memcpy(copy[i], d->buf, d->len);
		len[i] = d->len;
	}
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	flow_drop(&f, TO_GW); /* fragment 2 lost */
	for (size_t i = 2; i < n; i++)
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	flow_advance(&f, 4 * S_NS);
	assert_int_equal(flow_pending(&f, TO_GW), n);
	for (size_t i = 0; i < n; i++) {
		const struct flow_dgram *d = &f.cl.out.d[(f.cl.out.head + i) % FLOW_QMAX];

		assert_int_equal(d->len, len[i]);
		assert_memory_equal(d->buf, copy[i], len[i]);
		free(copy[i]);
	}
	/* fragment 1 again: a duplicate; fragment 2: completes the message */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	/* the rest of the retransmission is a retransmitted request now: answered from the cache */
	while (flow_pending(&f, TO_GW))
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_RESENT);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(f.gw.n_child, 1);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* a lost response fragment: the retransmitted request's first fragment brings all of them back */
static void test_lost_response_fragment(void **state)
{
	struct flow f;
	size_t n, resp_n;

	(void)state;
	start_small(&f, 3, 160);
	n = flow_pending(&f, TO_GW);
	for (size_t i = 0; i < n; i++)
		flow_deliver(&f, TO_GW);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	resp_n = flow_pending(&f, TO_CL);
	assert_true(resp_n >= 2);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_FRAGMENT);
	flow_drop(&f, TO_CL);
	while (flow_pending(&f, TO_CL))
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_FRAGMENT);
	flow_advance(&f, 4 * S_NS);
	assert_int_equal(flow_pending(&f, TO_GW), n);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_RESENT);
	assert_int_equal(flow_pending(&f, TO_CL), resp_n);
	while (flow_pending(&f, TO_GW))
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_RESENT);
	assert_int_equal(flow_pending(&f, TO_CL), resp_n); /* once per retransmission, not per fragment */
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* limits: too many fragments, too many octets, too slow */
static void test_reassembly_limits(void **state)
{
	struct flow f;
	size_t n;

	(void)state;
	/* count: the gateway takes at most 2 */
	flow_defaults(&f);
	f.cl.cfg.fragment_size = 160;
	f.gw.cfg.reasm_max_frags = 2;
	flow_start(&f, 4);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	n = flow_pending(&f, TO_GW);
	assert_true(n > 2);
	while (flow_pending(&f, TO_GW))
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_DROP);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	assert_int_equal(flow_count_ev(&f.gw, "reassembly_max_fragments"), n);
	flow_free(&f);

	/* size: 200 octets of plaintext at most */
	flow_defaults(&f);
	f.cl.cfg.fragment_size = 160;
	f.gw.cfg.reasm_max_bytes = 200;
	flow_start(&f, 5);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	while (flow_pending(&f, TO_GW))
		flow_deliver(&f, TO_GW);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	assert_int_equal(flow_count_ev(&f.gw, "reassembly_max_bytes"), 1);
	flow_free(&f);

	/* time: fragments older than reassembly_timeout are dropped */
	flow_defaults(&f);
	f.cl.cfg.fragment_size = 160;
	f.cl.cfg.retx_timeout_ns = 20 * S_NS; /* below the 30 s half-open timeout */
	f.gw.cfg.reasm_timeout_ns = 5 * S_NS;
	flow_start(&f, 6);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	n = flow_pending(&f, TO_GW);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	flow_advance(&f, 5 * S_NS);
	assert_int_equal(flow_count_ev(&f.gw, "\"reason\":\"reassembly-timeout\""), 1);
	/* the rest alone cannot complete the message */
	for (size_t i = 1; i < n; i++)
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_FRAGMENT);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	/* the client's retransmission completes it */
	flow_advance(&f, 15 * S_NS);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	flow_free(&f);
}

/* RFC 7383 §2.3: no fragmentation unless both announced it */
static void test_not_negotiated(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.fragment_size = 160;
	f.gw.cfg.fragmentation = IKE_FRAG_NO;
	flow_start(&f, 7);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_true(flow_sent_has(&f.cl, "N(IKEV2_FRAGMENTATION_SUPPORTED)"));
	flow_deliver(&f, TO_GW);
	assert_false(strstr(flow_last_sent(&f.gw, (char[512]){0}, 512), "FRAGMENTATION") != NULL);
	flow_deliver(&f, TO_CL);
	assert_false(flow_status(&f.cl, 0).frag);
	assert_int_equal(flow_pending(&f, TO_GW), 1); /* one big datagram */
	assert_true(flow_peek(&f, TO_GW)->len > 160);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	flow_free(&f);
}

/* behind a NAT the marker counts against the limit */
static void test_fragments_on_4500(void **state)
{
	struct flow f;
	size_t n;

	(void)state;
	flow_defaults(&f);
	flow_behind_nat(&f);
	f.cl.cfg.fragment_size = 150;
	f.gw.cfg.fragment_size = 150;
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	n = flow_pending(&f, TO_GW);
	check_fragments(&f, TO_GW, n, 150);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragmented_auth),        cmocka_unit_test(test_lost_request_fragment),
		cmocka_unit_test(test_lost_response_fragment), cmocka_unit_test(test_reassembly_limits),
		cmocka_unit_test(test_not_negotiated),         cmocka_unit_test(test_fragments_on_4500),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
