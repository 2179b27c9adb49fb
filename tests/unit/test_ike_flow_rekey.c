/*
 * test_ike_flow_rekey.c — CREATE_CHILD_SA rekeying (RFC 7296 §1.3.2,
 * §1.3.3, §2.8, §2.18) and reauthentication (§2.8.3) between two engines:
 * CHILD SA rekey from either side, with PFS and its INVALID_KE_PAYLOAD
 * retry, on child_lifetime; IKE SA rekey (new SPIs, CHILD SAs kept,
 * Message IDs from 0); simultaneous rekeys of both kinds (§2.8.1, §2.8.2:
 * the lowest nonce loses, both sides agree); break-before-make and
 * make-before-break reauthentication.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

/* newest_live: the last CHILD SA a peer installed that is still up */
static const struct ike_child_info *newest_live(const struct flow_peer *p)
{
	for (size_t i = p->n_child; i-- > 0;)
		if (p->child[i].up)
			return &p->child[i].ci;
	return NULL;
}

static void test_child_rekey(void **state)
{
	(void)state;
	for (int by_gw = 0; by_gw < 2; by_gw++) {
		struct flow f;
		struct flow_peer *ini, *resp;
		int to_resp, to_ini;
		uint32_t old_in;

		flow_defaults(&f);
		established(&f, 1 + (uint64_t)by_gw);
		ini = by_gw ? &f.gw : &f.cl;
		resp = by_gw ? &f.cl : &f.gw;
		to_resp = by_gw ? TO_CL : TO_GW;
		to_ini = by_gw ? TO_GW : TO_CL;
		old_in = ini->child[0].ci.spi_in;
		assert_int_equal(ike_rekey_child(ini->e, 0, f.now), 0);
		/* CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, TSi, TSr } --> */
		assert_true(flow_sent_has(ini, by_gw ? "CREATE_CHILD_SA request mid 0 [N(REKEY_SA) SA No TSi TSr]"
						     : "CREATE_CHILD_SA request mid 2 [N(REKEY_SA) SA No TSi TSr]"));
		assert_int_equal(flow_deliver(&f, to_resp), IKE_RX_OK);
		assert_int_equal(flow_live_children(resp), 2); /* the old one until its delete */
		assert_int_equal(newest_live(resp)->rekeyed_spi_in, resp->child[0].ci.spi_in);
		/* <-- CREATE_CHILD_SA { SA, Nr, TSi, TSr } */
		assert_true(flow_sent_has(resp, "[SA No TSi TSr]"));
		assert_int_equal(flow_deliver(&f, to_ini), IKE_RX_OK);
		assert_int_equal(newest_live(ini)->rekeyed_spi_in, old_in);
		/* INFORMATIONAL { D(ESP, old) } --> */
		assert_true(flow_sent_has(ini, "INFORMATIONAL request"));
		assert_true(flow_sent_has(ini, "[D]"));
		assert_int_equal(flow_live_children(ini), 1);
		assert_int_equal(flow_deliver(&f, to_resp), IKE_RX_OK);
		assert_int_equal(flow_live_children(resp), 1);
		/* <-- INFORMATIONAL { D(ESP, old) } */
		assert_true(flow_sent_has(resp, "[D]"));
		assert_int_equal(flow_deliver(&f, to_ini), IKE_RX_OK);
		assert_int_equal(f.cl.n_down, 1);
		assert_int_equal(f.gw.n_down, 1);
		assert_true(newest_live(&f.cl)->spi_in != f.cl.child[0].ci.spi_in);
		assert_true(flow_esp_check(&f));
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		flow_free(&f);
	}
}

/* PFS: KEi/KEr in the rekey, and INVALID_KE_PAYLOAD for a group the responder does not take */
static void test_child_rekey_pfs(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	set_props(&f.cl.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-curve25519-ecp256");
	set_props(&f.gw.cfg.esp, IKE_PROTO_ESP, "aes128gcm16-ecp256");
	established(&f, 3);
	assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
	/* CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, KEi(CURVE_25519), TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "[N(REKEY_SA) SA No KE TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- CREATE_CHILD_SA { N(INVALID_KE_PAYLOAD(ECP_256)) } */
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [N(INVALID_KE_PAYLOAD)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, KEi(ECP_256), TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 3 [N(REKEY_SA) SA No KE TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- CREATE_CHILD_SA { SA, Nr, KEr, TSi, TSr } */
	assert_true(flow_sent_has(&f.gw, "[SA No KE TSi TSr]"));
	flow_pump(&f);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(flow_live_children(&f.gw), 1);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* child_lifetime: rekeyed on time, again and again */
static void test_child_lifetime(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.child_lifetime_ns = 60 * S_NS;
	established(&f, 4);
	for (int i = 1; i <= 3; i++) {
		flow_advance(&f, 60 * S_NS);
		flow_pump(&f);
		assert_int_equal(f.cl.n_child, (size_t)(1 + i));
		assert_int_equal(flow_live_children(&f.cl), 1);
		assert_int_equal(flow_live_children(&f.gw), 1);
		assert_true(flow_esp_check(&f));
	}
	assert_int_equal(flow_count_ev(&f.cl, "\"phase\":\"done\""), 3);
	flow_free(&f);
}

/* §2.8.1: both rekey the same CHILD SA at once */
static void test_child_rekey_collision(void **state)
{
	(void)state;
	for (uint64_t seed = 10; seed < 16; seed++) {
		struct flow f;
		size_t c_ours, g_ours;

		flow_defaults(&f);
		established(&f, seed);
		assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
		assert_int_equal(ike_rekey_child(f.gw.e, 0, f.now), 0);
		/* the two requests cross, then the two responses */
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"rekey_collision\""), 1);
		assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"rekey_collision\""), 1);
		/* both agree which new SA is redundant */
		c_ours = flow_count_ev(&f.cl, "\"redundant\":\"ours\"");
		g_ours = flow_count_ev(&f.gw, "\"redundant\":\"ours\"");
		assert_int_equal(c_ours + g_ours, 1);
		flow_pump(&f);
		assert_int_equal(flow_live_children(&f.cl), 1);
		assert_int_equal(flow_live_children(&f.gw), 1);
		assert_int_equal(f.cl.n_child, 3);
		assert_int_equal(f.cl.n_down, 2);
		assert_true(flow_esp_check(&f));
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
		flow_free(&f);
	}
}

static void test_ike_rekey(void **state)
{
	struct flow f;
	struct ike_sa_status before, after_c, after_g;

	(void)state;
	flow_defaults(&f);
	established(&f, 20);
	before = flow_status(&f.cl, 0);
	assert_int_equal(ike_rekey_ike(f.cl.e, f.now), 0);
	/* CREATE_CHILD_SA { SA(IKE, SPIi'), Ni, KEi } --> */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 2 [SA No KE]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.gw.e), 2);
	/* <-- CREATE_CHILD_SA { SA(IKE, SPIr'), Nr, KEr } */
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [SA No KE]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* (old SA) INFORMATIONAL { D(IKE) } --> */
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 3 [D]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	/* <-- INFORMATIONAL { } */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	after_c = flow_status(&f.cl, 0);
	after_g = flow_status(&f.gw, 0);
	assert_int_equal(after_c.state, IKE_S_ESTABLISHED);
	assert_true(after_c.spi_i != before.spi_i && after_c.spi_r != before.spi_r);
	assert_int_equal(after_c.spi_i, after_g.spi_i);
	assert_int_equal(after_c.spi_r, after_g.spi_r);
	assert_true(after_c.initiator);
	/* the CHILD SA survived the IKE rekey untouched */
	assert_int_equal(after_c.n_children, 1);
	assert_int_equal(after_g.n_children, 1);
	assert_int_equal(f.cl.n_down + f.gw.n_down, 0);
	assert_true(flow_esp_check(&f));
	/* the new SA counts Message IDs from 0 and works */
	assert_int_equal(ike_rekey_child(f.cl.e, 0, f.now), 0);
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 0 [N(REKEY_SA)"));
	flow_pump(&f);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_true(flow_esp_check(&f));
	/* and closes */
	ike_close(f.cl.e, f.now);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	flow_free(&f);
}

/* ike_lifetime on the gateway: it rekeys, and becomes the new SA's initiator */
static void test_ike_lifetime(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.ike_lifetime_ns = 300 * S_NS;
	f.cl.cfg.dpd_ns = 100 * S_NS;
	established(&f, 21);
	for (int i = 0; i < 310; i++) {
		flow_advance(&f, S_NS);
		flow_pump(&f);
	}
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	assert_false(flow_status(&f.cl, 0).initiator);
	assert_true(flow_status(&f.gw, 0).initiator);
	assert_int_equal(flow_status(&f.cl, 0).spi_r, flow_status(&f.gw, 0).spi_r);
	assert_true(flow_esp_check(&f));
	/* liveness checks keep working on the new SA (the client is its responder now) */
	for (int i = 0; i < 110; i++) {
		flow_advance(&f, S_NS);
		flow_pump(&f);
	}
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 0);
	flow_free(&f);
}

/* §2.8.2: both rekey the IKE SA at once; one IKE SA remains, same on both sides, CHILD SAs kept */
static void test_ike_rekey_collision(void **state)
{
	(void)state;
	for (uint64_t seed = 30; seed < 36; seed++) {
		struct flow f;

		flow_defaults(&f);
		established(&f, seed);
		assert_int_equal(ike_rekey_ike(f.cl.e, f.now), 0);
		assert_int_equal(ike_rekey_ike(f.gw.e, f.now), 0);
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
		assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
		assert_int_equal(flow_count_ev(&f.cl, "\"ev\":\"rekey_collision\""), 1);
		assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"rekey_collision\""), 1);
		assert_int_equal(flow_count_ev(&f.cl, "\"redundant\":\"ours\"") + flow_count_ev(&f.gw, "\"redundant\":\"ours\""),
				 1);
		flow_pump(&f);
		assert_int_equal(ike_sa_count(f.cl.e), 1);
		assert_int_equal(ike_sa_count(f.gw.e), 1);
		assert_int_equal(flow_status(&f.cl, 0).spi_i, flow_status(&f.gw, 0).spi_i);
		assert_int_equal(flow_status(&f.cl, 0).spi_r, flow_status(&f.gw, 0).spi_r);
		assert_int_equal(flow_status(&f.cl, 0).n_children, 1);
		assert_int_equal(flow_status(&f.gw, 0).n_children, 1);
		assert_int_equal(f.cl.n_down + f.gw.n_down, 0);
		assert_true(flow_esp_check(&f));
		/* the survivor still talks */
		ike_close(f.cl.e, f.now);
		flow_pump(&f);
		assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
		flow_free(&f);
	}
}

/* §2.8.3 break-before-make: the old SA and its CHILD SA go first, then a fresh handshake */
static void test_reauth_break_before_make(void **state)
{
	struct flow f;
	uint64_t old_spi;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.reauth = IKE_REAUTH_BREAK;
	established(&f, 40);
	old_spi = flow_status(&f.cl, 0).spi_i;
	assert_int_equal(ike_reauth(f.cl.e, f.now), 0);
	/* INFORMATIONAL { D(IKE) } --> */
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 [D]"));
	assert_int_equal(flow_live_children(&f.cl), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- INFORMATIONAL { } ; then IKE_SA_INIT --> */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_true(flow_sent_has(&f.cl, "IKE_SA_INIT request mid 0"));
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	assert_true(flow_status(&f.cl, 0).spi_i != old_spi);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(f.cl.n_down, 1);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* §2.8.3 make-before-break: the new SA is up before the old one goes; no INITIAL_CONTACT */
static void test_reauth_make_before_break(void **state)
{
	struct flow f;
	uint64_t old_spi;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.reauth = IKE_REAUTH_MAKE;
	f.cl.cfg.reauth_ns = 3600 * S_NS;
	established(&f, 41);
	old_spi = flow_status(&f.cl, 0).spi_i;
	flow_advance(&f, 3600 * S_NS);
	/* IKE_SA_INIT --> while the old SA still carries traffic */
	assert_true(flow_sent_has(&f.cl, "IKE_SA_INIT request mid 0"));
	assert_int_equal(ike_sa_count(f.cl.e), 2);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* IKE_AUTH { IDi, AUTH, SAi2, TSi, TSr } --> without N(INITIAL_CONTACT) */
	assert_true(flow_sent_has(&f.cl, "IKE_AUTH request mid 1 [IDi AUTH SA TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.gw.e), 2); /* unique = no: both, no INITIAL_CONTACT */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* both CHILD SAs up at this moment: make before break */
	assert_int_equal(flow_live_children(&f.cl), 1); /* the old one is closing */
	assert_int_equal(f.cl.n_child, 2);
	/* (old SA) INFORMATIONAL { D(IKE) } --> */
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 [D]"));
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	assert_true(flow_status(&f.cl, 0).spi_i != old_spi);
	assert_int_equal(flow_live_children(&f.gw), 1);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* lifetimes running out while the SA is being deleted must not leave a deadline behind */
static void test_lifetimes_while_deleting(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.ike_lifetime_ns = 10 * S_NS;
	f.cl.cfg.child_lifetime_ns = 10 * S_NS;
	f.cl.cfg.retx_timeout_ns = 2 * S_NS;
	established(&f, 50);
	flow_advance(&f, 5 * S_NS);
	ike_close(f.cl.e, f.now);
	assert_int_equal(flow_state(&f.cl), IKE_S_DELETING);
	for (int i = 0; i < 120; i++) { /* every DELETE and retransmission is lost */
		while (flow_pending(&f, TO_GW))
			flow_drop(&f, TO_GW);
		flow_advance(&f, S_NS); /* aborts if a deadline stays in the past */
	}
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	assert_int_equal(ike_deadline(f.cl.e), UINT64_MAX);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_rekey),
		cmocka_unit_test(test_child_rekey_pfs),
		cmocka_unit_test(test_child_lifetime),
		cmocka_unit_test(test_child_rekey_collision),
		cmocka_unit_test(test_ike_rekey),
		cmocka_unit_test(test_ike_lifetime),
		cmocka_unit_test(test_ike_rekey_collision),
		cmocka_unit_test(test_reauth_break_before_make),
		cmocka_unit_test(test_reauth_make_before_break),
		cmocka_unit_test(test_lifetimes_while_deleting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
