/*
 * test_ike_flow_invalid_spi.c — messages for an IKE SA the receiver does
 * not know (RFC 7296 §2.21.4, §1.5): the gateway reboots and forgets every
 * SA, then the client's next request arrives.
 *
 *   invalid_spi_notify = no (default)   silent drop
 *   invalid_spi_notify = yes            <-- HDR(same SPIs, exchange, Message ID,
 *                                            R=1, I=0), N(INVALID_IKE_SPI)   unprotected
 *                                       at most invalid_spi_rate a second
 *   an unknown-SPI response             never answered (MUST NOT)
 *   the client receiving the answer     ignores it (unauthenticated): state
 *                                       unchanged, its liveness check decides
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_msg.h"
#include "tests/unit/test_ike_flow_util.h"

/* reboot_gw forgets every IKE SA of the gateway (a new engine, same profile). */
static void reboot_gw(struct flow *f, uint64_t seed)
{
	ike_engine_free(f->gw.e);
	crypto_drbg_free(f->gw.drbg);
	flow_peer_start(&f->gw, seed);
}

static void established_then_reboot(struct flow *f, int notify, uint64_t seed)
{
	f->gw.cfg.invalid_spi_notify = notify;
	f->cl.cfg.dpd_ns = 30 * S_NS;
	flow_start(f, seed);
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	flow_pump(f);
	assert_int_equal(flow_state(&f->cl), IKE_S_ESTABLISHED);
	reboot_gw(f, seed + 100);
	assert_int_equal(ike_sa_count(f->gw.e), 0);
}

/* default: the request for a forgotten SA is dropped without an answer */
static void test_default_silent(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	established_then_reboot(&f, 0, 1);
	/* INFORMATIONAL {} (liveness check) --> rebooted gateway */
	flow_advance(&f, 30 * S_NS);
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 []"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_DROP);
	assert_int_equal(flow_count_ev(&f.gw, "\"reason\":\"unknown-spi\""), 1);
	assert_int_equal(flow_pending(&f, TO_CL), 0);
	assert_int_equal(ike_engine_counts(f.gw.e)->msgs_sent, 0);
	flow_free(&f);
}

/* invalid_spi_notify = yes: HDR copied from the request, R set, one unprotected Notify */
static void test_answer(void **state)
{
	struct flow f;
	const struct flow_dgram *req, *ans;
	struct ike_hdr rh, ah;
	struct ike_msg m;
	struct ike_err err;
	struct ike_sa_status st;
	uint8_t *copy;
	size_t len;

	(void)state;
	flow_defaults(&f);
	established_then_reboot(&f, 1, 2);
	flow_advance(&f, 30 * S_NS);
	req = flow_peek(&f, TO_GW);
	assert_non_null(req);
	assert_int_equal(ike_hdr_parse(&rh, req->buf, req->len, &err), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_ANSWERED);
	/* <-- INFORMATIONAL { N(INVALID_IKE_SPI) } in the clear */
	assert_true(flow_sent_has(&f.gw, "INFORMATIONAL response mid 2 [N(INVALID_IKE_SPI)]"));
	ans = flow_peek(&f, TO_CL);
	assert_non_null(ans);
	assert_int_equal(ans->path.remote_addr, f.cl.cfg.local_addr);
	assert_int_equal(ans->path.remote_port, 500);
	copy = malloc(ans->len);
	memcpy(copy, ans->buf, ans->len);
	len = ans->len;
	assert_int_equal(ike_msg_parse(&m, copy, len, &err), 0);
	ah = m.hdr;
	assert_true(ah.spi_i == rh.spi_i && ah.spi_r == rh.spi_r);
	assert_int_equal(ah.exchange, IKE_INFORMATIONAL);
	assert_int_equal(ah.msg_id, rh.msg_id);
	assert_int_equal(ah.flags, IKE_FLAG_R); /* the client was the initiator: I clear in ours */
	assert_int_equal(ah.next_payload, IKE_PL_NOTIFY); /* no SK: unprotected */
	assert_non_null(ike_msg_find_notify(&m, IKE_N_INVALID_IKE_SPI));
	free(copy);
	/* the client does not trust it: dropped, the SA and its liveness check carry on */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_DROP);
	assert_int_equal(flow_count_ev(&f.cl, "\"reason\":\"invalid-ike-spi\""), 1);
	st = flow_status(&f.cl, 0);
	assert_int_equal(st.state, IKE_S_ESTABLISHED);
	assert_int_equal(st.n_children, 1);
	flow_advance(&f, 4 * S_NS);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 1);
	/* until dpd_action: the retransmissions answered the same way run out, the SA goes */
	for (int i = 0; i < 200 && ike_sa_count(f.cl.e) > 0; i++) {
		flow_pump(&f);
		flow_advance(&f, S_NS);
	}
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	assert_int_equal(flow_live_children(&f.cl), 0);
	flow_free(&f);
}

/* §2.21.4: a response with an unknown SPI is never answered, even with the option on */
static void test_response_not_answered(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *buf;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.invalid_spi_notify = 1;
	f.cl.cfg.dpd_ns = 30 * S_NS;
	flow_start(&f, 3);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	flow_advance(&f, 30 * S_NS);
	/* the client's request, turned into a "response" with the R bit */
	like = *flow_peek(&f, TO_GW);
	buf = malloc(like.len);
	memcpy(buf, like.buf, like.len);
	buf[19] |= IKE_FLAG_R;
	buf[8] ^= 0x5a; /* and an SPIr the gateway never gave */
	{
		struct ike_path in = {like.path.remote_addr, like.path.local_addr, like.path.remote_port,
				      like.path.local_port};

		assert_int_equal(ike_input(f.gw.e, &in, buf, like.len, f.now), IKE_RX_DROP);
	}
	assert_int_equal(flow_pending(&f, TO_CL), 0);
	/* the same as a request is answered */
	buf[19] &= (uint8_t)~IKE_FLAG_R;
	{
		struct ike_path in = {like.path.remote_addr, like.path.local_addr, like.path.remote_port,
				      like.path.local_port};

		assert_int_equal(ike_input(f.gw.e, &in, buf, like.len, f.now), IKE_RX_ANSWERED);
	}
	assert_int_equal(flow_pending(&f, TO_CL), 1);
	free(buf);
	flow_free(&f);
}

/* at most invalid_spi_rate answers a second */
static void test_rate_limit(void **state)
{
	struct flow f;
	struct flow_dgram like;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.invalid_spi_rate = 4;
	established_then_reboot(&f, 1, 4);
	flow_advance(&f, 30 * S_NS);
	like = *flow_peek(&f, TO_GW);
	for (int second = 0; second < 3; second++) {
		size_t before = flow_pending(&f, TO_CL);
		int answered = 0;

		for (int i = 0; i < 25; i++) {
			struct ike_path in = {like.path.remote_addr, like.path.local_addr, like.path.remote_port,
					      like.path.local_port};

			answered += ike_input(f.gw.e, &in, like.buf, like.len, f.now + (uint64_t)i) == IKE_RX_ANSWERED;
		}
		assert_int_equal(answered, 4);
		assert_int_equal(flow_pending(&f, TO_CL) - before, 4);
		f.now += S_NS;
	}
	assert_int_equal(flow_count_ev(&f.gw, "\"reason\":\"rate-limited\""), 3 * 21);
	flow_free(&f);
}

/* the configuration: off by default, a zero rate refused when on */
static void test_config(void **state)
{
	struct ike_config c;
	char msg[200];

	(void)state;
	ike_config_init(&c, IKE_ROLE_GATEWAY);
	assert_int_equal(c.invalid_spi_notify, 0);
	assert_int_equal(c.invalid_spi_rate, 10);
	c.psk_len = 1;
	c.local_addr = IP(198, 51, 100, 1);
	c.invalid_spi_notify = 1;
	c.invalid_spi_rate = 0;
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), IKE_E_ARG);
	assert_non_null(strstr(msg, "invalid_spi_rate 0"));
	c.invalid_spi_rate = 1;
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_silent),        cmocka_unit_test(test_answer),
		cmocka_unit_test(test_response_not_answered), cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
