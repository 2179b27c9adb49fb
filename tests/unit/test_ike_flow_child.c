/*
 * test_ike_flow_child.c — CREATE_CHILD_SA beyond the happy path (RFC 7296
 * §1.3.1, §2.9, §2.25) between two engines:
 *
 *   a new CHILD SA from either side (ike_create_child)
 *   PFS: INVALID_KE_PAYLOAD for a new CHILD SA, retried with the group named
 *   TEMPORARY_FAILURE for a CHILD SA / CHILD rekey request that meets an IKE
 *     SA rekey (§2.25.2), or an IKE SA being deleted (§2.25.1); the
 *     initiator waits and asks again on the IKE SA that replaced the old one,
 *     and closes the IKE SA after several minutes of refusals (§2.25)
 *   an answer whose selectors are not inside the proposal (§2.9): the
 *     initiator deletes the CHILD SA the responder installed (§1.4.1), and a
 *     refused rekey leaves the old CHILD SA rekeyable
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_engine.h"
#include "ref/ike/ike_proposal.h"
#include "tests/unit/test_ike_flow_util.h"

static void set_props(struct ike_props *p, uint8_t proto, const char *text)
{
	char msg[256];

	assert_int_equal(ike_proposal_parse(text, proto, p, msg, sizeof msg), 0);
}

static void established(struct flow *f, uint64_t seed)
{
	flow_start(f, seed);
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	flow_pump(f);
	assert_int_equal(flow_state(&f->cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_live_children(&f->cl), 1);
}

/* is_response: the IKE header's R flag of a queued datagram (no NAT: no marker) */
static int is_response(const struct flow_dgram *d)
{
	return (d->buf[19] & IKE_FLAG_R) != 0;
}

/* hold takes the next datagram of |dir| out of the queue; release delivers it later */
struct held {
	struct flow_dgram d;
	int dir;
};

static struct held hold(struct flow *f, int dir)
{
	struct flow_queue *q = dir == TO_GW ? &f->cl.out : &f->gw.out;
	struct held h;

	assert_true(q->head < q->tail);
	h.d = q->d[q->head++ % FLOW_QMAX];
	h.dir = dir;
	return h;
}

static int release(struct flow *f, struct held *h)
{
	struct ike_path in = {h->d.path.remote_addr, h->d.path.local_addr, h->d.path.remote_port,
			      h->d.path.local_port};
	int rc = ike_input(h->dir == TO_GW ? f->gw.e : f->cl.e, &in, h->d.buf, h->d.len, f->now);

	free(h->d.buf);
	return rc;
}

/* CREATE_CHILD_SA { SA, Ni, TSi, TSr } --> <-- { SA, Nr, TSi, TSr }, from either side */
static void test_create_child(void **state)
{
	(void)state;
	for (int by_gw = 0; by_gw < 2; by_gw++) {
		struct flow f;
		struct flow_peer *ini;

		flow_defaults(&f);
		established(&f, 1 + (uint64_t)by_gw);
		ini = by_gw ? &f.gw : &f.cl;
		assert_int_equal(ike_create_child(ini->e, 0, f.now), 0);
		assert_true(flow_sent_has(ini, by_gw ? "CREATE_CHILD_SA request mid 0 [SA No TSi TSr]"
						     : "CREATE_CHILD_SA request mid 2 [SA No TSi TSr]"));
		/* window of one: a second one waits */
		assert_int_equal(ike_create_child(ini->e, 0, f.now), IKE_E_ARG);
		assert_int_equal(flow_deliver(&f, by_gw ? TO_CL : TO_GW), IKE_RX_OK);
		assert_true(flow_sent_has(by_gw ? &f.cl : &f.gw, "CREATE_CHILD_SA response"));
		assert_true(flow_sent_has(by_gw ? &f.cl : &f.gw, "[SA No TSi TSr]"));
		assert_int_equal(flow_deliver(&f, by_gw ? TO_GW : TO_CL), IKE_RX_OK);
		assert_int_equal(flow_live_children(&f.cl), 2);
		assert_int_equal(flow_live_children(&f.gw), 2);
		assert_int_equal(flow_status(&f.cl, 0).n_children, 2);
		assert_true(flow_esp_check(&f));
		/* no such IKE SA */
		assert_int_equal(ike_create_child(ini->e, 0x1234, f.now), IKE_E_ARG);
		flow_free(&f);
	}
}

/* §1.3: PFS group refused for a NEW CHILD SA: the request again with the group asked for */
static void test_create_child_invalid_ke(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	set_props(&f.cl.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-curve25519-ecp256");
	set_props(&f.gw.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-ecp256");
	established(&f, 3);
	assert_int_equal(ike_create_child(f.cl.e, 0, f.now), 0);
	/* CREATE_CHILD_SA { SA, Ni, KEi(CURVE_25519), TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 2 [SA No KE TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- CREATE_CHILD_SA { N(INVALID_KE_PAYLOAD(ECP_256)) } */
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [N(INVALID_KE_PAYLOAD)]"));
	assert_int_equal(flow_live_children(&f.gw), 1);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* CREATE_CHILD_SA { SA, Ni', KEi(ECP_256), TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 3 [SA No KE TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- CREATE_CHILD_SA { SA, Nr, KEr(ECP_256), TSi, TSr } */
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 3 [SA No KE TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_live_children(&f.cl), 2);
	assert_int_equal(flow_live_children(&f.gw), 2);
	assert_true(flow_esp_check(&f));
	flow_free(&f);

	/* no group in common: NO_PROPOSAL_CHOSEN, no retry, the IKE SA stays */
	flow_defaults(&f);
	set_props(&f.cl.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-curve25519");
	set_props(&f.gw.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-ecp256");
	established(&f, 4);
	assert_int_equal(ike_create_child(f.cl.e, 0, f.now), 0);
	flow_pump(&f);
	assert_int_equal(flow_count_ev(&f.cl, "CREATE_CHILD_SA request"), 1);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(flow_status(&f.cl, 0).last_error, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	flow_free(&f);
}

/*
 * §2.25.2: the client asks for a CHILD SA while the gateway rekeys the IKE SA.
 *
 *   gw:     CREATE_CHILD_SA { SA(IKE), Ni, KEi } -->          (crossing)
 *   client: CREATE_CHILD_SA { SA, Ni, TSi, TSr } -->
 *   gw:     <-- { N(TEMPORARY_FAILURE) }     client: <-- { SA(IKE), Nr, KEr }
 *   ... the IKE rekey completes, the old IKE SA is deleted ...
 *   10 s later, on the NEW IKE SA: CREATE_CHILD_SA { SA, Ni, TSi, TSr } -->
 */
static void test_tempfail_new_child(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	established(&f, 5);
	assert_int_equal(ike_rekey_ike(f.gw.e, f.now), 0);
	assert_int_equal(ike_create_child(f.cl.e, 0, f.now), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [N(TEMPORARY_FAILURE)]"));
	assert_int_equal(flow_live_children(&f.gw), 1);
	/* the gateway's IKE rekey reaches the client, which answers it */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA response mid 0 [SA No KE]"));
	assert_int_equal(ike_sa_count(f.cl.e), 2);
	/* TEMPORARY_FAILURE: no retry now (§2.25 MUST NOT immediately retry) */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_pending(&f, TO_GW), 1);
	assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"tempfail\""), 1);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	assert_int_equal(flow_live_children(&f.cl), 1);
	flow_advance(&f, IKE_TEMPFAIL_RETRY_NS - 1);
	assert_int_equal(flow_pending(&f, TO_GW), 0);
	flow_advance(&f, 1);
	/* the client is the new IKE SA's responder: its own requests count from 0 */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 0 [SA No TSi TSr]"));
	flow_pump(&f);
	assert_int_equal(flow_live_children(&f.cl), 2);
	assert_int_equal(flow_live_children(&f.gw), 2);
	assert_int_equal(flow_status(&f.cl, 0).n_children, 2);
	assert_int_equal(flow_status(&f.gw, 0).n_children, 2);
	assert_true(flow_esp_check(&f));
	assert_int_equal(ike_deadline(f.cl.e), UINT64_MAX);
	flow_free(&f);
}

/* §2.25.2: a CHILD SA rekey that meets the IKE SA rekey is deferred, then done on the new IKE SA */
static void test_tempfail_child_rekey(void **state)
{
	struct flow f;
	uint32_t old_in;

	(void)state;
	flow_defaults(&f);
	established(&f, 6);
	old_in = f.cl.child[0].ci.spi_in;
	assert_int_equal(ike_rekey_ike(f.gw.e, f.now), 0);
	assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [N(TEMPORARY_FAILURE)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_count_ev(&f.cl, "\"phase\":\"deferred\""), 1);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_int_equal(f.cl.n_child, 1);
	flow_advance(&f, IKE_TEMPFAIL_RETRY_NS);
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 0 [N(REKEY_SA) SA No TSi TSr]"));
	flow_pump(&f);
	assert_int_equal(f.cl.n_child, 2);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(flow_live_children(&f.gw), 1);
	assert_true(f.cl.child[1].ci.rekeyed_spi_in == old_in);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* §2.25.1: a rekey request reaching an IKE SA that is being deleted; the deferred rekey dies with it */
static void test_tempfail_while_deleting(void **state)
{
	struct flow f;
	struct held del;

	(void)state;
	flow_defaults(&f);
	established(&f, 7);
	assert_int_equal(ike_close(f.cl.e, f.now), 0);
	assert_int_equal(ike_rekey_child(f.gw.e, 0, f.now), 0);
	del = hold(&f, TO_GW); /* the client's D(IKE) is late */
	/* CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, TSi, TSr } --> DELETING client */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA response mid 0 [N(TEMPORARY_FAILURE)]"));
	assert_int_equal(flow_state(&f.cl), IKE_S_DELETING);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_count_ev(&f.gw, "\"phase\":\"deferred\""), 1);
	assert_int_equal(ike_deadline(f.gw.e), IKE_TEMPFAIL_RETRY_NS);
	/* INFORMATIONAL { D(IKE) } --> */
	assert_int_equal(release(&f, &del), IKE_RX_OK);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	assert_int_equal(ike_deadline(f.gw.e), UINT64_MAX);
	flow_free(&f);
}

/*
 * §2.25: refusals for several minutes mean the sides are out of sync: the
 * client closes the IKE SA. The gateway's IKE rekey never reaches it (lost),
 * so the gateway stays "rekeying" and answers TEMPORARY_FAILURE every time.
 */
static void test_tempfail_gives_up(void **state)
{
	struct flow f;
	size_t asked;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.retx_tries = 30;
	f.gw.cfg.retx_max_ns = 10 * S_NS;
	established(&f, 8);
	assert_int_equal(ike_rekey_ike(f.gw.e, f.now), 0);
	assert_int_equal(ike_create_child(f.cl.e, 0, f.now), 0);
	for (int s = 0; s < 320 && flow_state(&f.cl) == IKE_S_ESTABLISHED; s++) {
		while (flow_pending(&f, TO_GW))
			flow_deliver(&f, TO_GW);
		while (flow_pending(&f, TO_CL)) {
			if (is_response(flow_peek(&f, TO_CL)))
				flow_deliver(&f, TO_CL);
			else
				flow_drop(&f, TO_CL); /* the IKE rekey request and its retransmissions */
		}
		flow_advance(&f, S_NS);
	}
	asked = flow_count_ev(&f.cl, "CREATE_CHILD_SA request");
	/* one at 0 s, then every 10 s until 300 s */
	assert_int_equal(asked, 31);
	assert_int_equal(flow_count_ev(&f.cl, "refused for too long"), 1);
	assert_int_equal(flow_state(&f.cl), IKE_S_DELETING);
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 33 [D]"));
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	flow_free(&f);
}

/*
 * §2.9: the responder's selectors must be inside the proposal. A responder
 * that answers wider ones (forged here with the gateway's own message
 * builder) has installed a CHILD SA the initiator refuses, so the
 * initiator deletes it (§1.4.1):
 *                  <-- HDR, SK {SA, Nr, TSi(wider), TSr}
 *   HDR, SK {D(ESP, SPIi)} -->
 *                  <-- HDR, SK {D(ESP, SPIr)}
 * For a rekey the old CHILD SA stays and can be rekeyed again.
 */
static void forge_wide_answer(struct flow *f)
{
	struct ike_engine *e = f->gw.e;
	struct ike_sa *gsa = e->all[0];
	const struct ike_child_info *ci = &f->gw.child[f->gw.n_child - 1].ci;
	struct ike_child *c = ike_child_by_spi_in(gsa, ci->spi_in);
	struct ike_payload *pl = e->pl;
	struct ike_out o;
	uint8_t spi[4], nr[32];

	assert_non_null(c);
	memset(nr, 0x5a, sizeof nr);
	e->now = f->now;
	ike_out_begin(gsa, &o, IKE_CREATE_CHILD_SA, 1, gsa->resp.mid);
	ike_put32(spi, c->spi_in);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	ike_proposal_answer(&c->chosen, spi, 4, &pl->u.sa);
	assert_int_equal(ike_out_add(&o, pl), 0);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_NONCE;
	pl->u.nonce.data = nr;
	pl->u.nonce.len = sizeof nr;
	assert_int_equal(ike_out_add(&o, pl), 0);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_TSI;
	pl->u.ts.n = 1;
	pl->u.ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	pl->u.ts.ts[0].end_port = 65535;
	ike_put32(pl->u.ts.ts[0].start, IP(192, 0, 2, 0));
	ike_put32(pl->u.ts.ts[0].end, IP(192, 0, 2, 255)); /* the client proposed 192.0.2.10 only */
	assert_int_equal(ike_out_add(&o, pl), 0);
	pl->type = IKE_PL_TSR;
	ike_put32(pl->u.ts.ts[0].start, IP(10, 1, 0, 0));
	ike_put32(pl->u.ts.ts[0].end, IP(10, 1, 255, 255));
	assert_int_equal(ike_out_add(&o, pl), 0);
	assert_int_equal(ike_out_response(gsa, &o, &gsa->path), 0);
	ike_index_flush(e); /* what an entry point does at its end */
}

static void test_narrowed_answer_refused(void **state)
{
	(void)state;
	for (int rekey = 0; rekey < 2; rekey++) {
		struct flow f;
		char want[64];

		flow_defaults(&f);
		f.cl.cfg.local_ts[0] = (struct ike_ts_cfg){IP(192, 0, 2, 10), IP(192, 0, 2, 10), 0, 0, 65535};
		f.cl.cfg.remote_ts[0] = (struct ike_ts_cfg){IP(10, 1, 0, 0), IP(10, 1, 255, 255), 0, 0, 65535};
		established(&f, 9 + (uint64_t)rekey);
		if (rekey)
			assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
		else
			assert_int_equal(ike_create_child(f.cl.e, 0, f.now), 0);
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		assert_int_equal(flow_live_children(&f.gw), 2);
		flow_drop(&f, TO_CL); /* the genuine answer ... */
		forge_wide_answer(&f); /* ... replaced by one with a wider TSi */
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"child_refused\""), 1);
		assert_int_equal(f.cl.n_child, 1);
		/* INFORMATIONAL { D(ESP, the SPI we offered) } --> */
		snprintf(want, sizeof want, "INFORMATIONAL request mid 3 [D]");
		assert_true(flow_sent_has(&f.cl, want));
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		/* <-- INFORMATIONAL { D(ESP, the gateway's SPI) } */
		assert_true(flow_sent_has(&f.gw, "INFORMATIONAL response mid 3 [D]"));
		assert_int_equal(flow_live_children(&f.gw), 1);
		assert_int_equal(f.gw.n_down, 1);
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		assert_true(flow_esp_check(&f)); /* the first CHILD SA carries on */
		/* a refused rekey did not use the old CHILD SA up: the next rekey works */
		if (rekey) {
			assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
			flow_pump(&f);
			assert_int_equal(flow_count_ev(&f.cl, "\"phase\":\"done\""), 1);
			assert_int_equal(flow_live_children(&f.cl), 1);
			assert_int_equal(flow_live_children(&f.gw), 1);
			assert_true(flow_esp_check(&f));
		}
		flow_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_child),
		cmocka_unit_test(test_create_child_invalid_ke),
		cmocka_unit_test(test_tempfail_new_child),
		cmocka_unit_test(test_tempfail_child_rekey),
		cmocka_unit_test(test_tempfail_while_deleting),
		cmocka_unit_test(test_tempfail_gives_up),
		cmocka_unit_test(test_narrowed_answer_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
