/*
 * test_ike_flow_cp.c — what a remote-access client gets after IKE_AUTH and
 * how it says goodbye:
 *
 *   configuration payload (RFC 7296 §2.19, §3.15; RFC 8598 split DNS):
 *     IKE_AUTH { ..., CP(CFG_REQUEST){ADDR(), DNS(), DOMAIN()}, SAi2, TSi(0/0), TSr } -->
 *     <-- IKE_AUTH { ..., CP(CFG_REPLY){ADDR(a), NETMASK, DNS..., DOMAIN...}, SAr2, TSi(a/32), TSr }
 *     pool exhausted -> N(INTERNAL_ADDRESS_FAILURE), no CHILD SA; leases come back
 *   small proposals: small | full | auto, auto retrying with the full list in
 *     CREATE_CHILD_SA after NO_PROPOSAL_CHOSEN, with proposal count and size events
 *   INFORMATIONAL DELETE (§1.4.1) and liveness checks (§2.4) between live peers
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

static void office_mode(struct flow *f)
{
	f->cl.cfg.request_vip = 1;
	f->gw.cfg.pool_lo = IP(10, 10, 0, 1);
	f->gw.cfg.pool_hi = IP(10, 10, 0, 254);
	f->gw.cfg.pool_netmask = 0xffffff00u;
	f->gw.cfg.n_dns = 2;
	f->gw.cfg.dns[0] = IP(10, 10, 0, 53);
	f->gw.cfg.dns[1] = IP(10, 10, 0, 54);
	f->gw.cfg.n_domains = 2;
	strcpy(f->gw.cfg.domains[0], "corp.example");
	strcpy(f->gw.cfg.domains[1], "lab.example");
	f->gw.cfg.remote_ts[0] = (struct ike_ts_cfg){IP(10, 10, 0, 0), IP(10, 10, 0, 255), 0, 0, 65535};
	f->gw.cfg.local_ts[0] = (struct ike_ts_cfg){IP(10, 1, 0, 0), IP(10, 1, 255, 255), 0, 0, 65535};
}

static void test_config_payload(void **state)
{
	struct flow f;
	struct ike_sa_status cs;
	const struct ike_child_info *c, *g;

	(void)state;
	flow_defaults(&f);
	office_mode(&f);
	flow_start(&f, 1);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	/* IKE_AUTH { IDi, AUTH, N(INITIAL_CONTACT), CP(CFG_REQUEST), SAi2, TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "[IDi AUTH N(INITIAL_CONTACT) CP SA TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- IKE_AUTH { IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr } */
	assert_true(flow_sent_has(&f.gw, "[IDr AUTH CP SA TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	cs = flow_status(&f.cl, 0);
	assert_int_equal(cs.vip, IP(10, 10, 0, 1));
	assert_int_equal(cs.n_dns, 2);
	assert_int_equal(cs.dns[1], IP(10, 10, 0, 54));
	assert_int_equal(cs.n_domains, 2);
	assert_string_equal(cs.domains[0], "corp.example");
	assert_string_equal(cs.domains[1], "lab.example");
	assert_int_equal(flow_status(&f.gw, 0).vip, IP(10, 10, 0, 1));
	/* the CHILD SA is narrowed to the leased address */
	c = &f.cl.child[0].ci;
	g = &f.gw.child[0].ci;
	assert_int_equal(c->vip, IP(10, 10, 0, 1));
	assert_int_equal(c->n_ts_local, 1);
	assert_int_equal(c->ts_local[0].lo, IP(10, 10, 0, 1));
	assert_int_equal(c->ts_local[0].hi, IP(10, 10, 0, 1));
	assert_int_equal(c->ts_remote[0].lo, IP(10, 1, 0, 0));
	assert_int_equal(g->ts_remote[0].lo, IP(10, 10, 0, 1));
	assert_int_equal(g->ts_remote[0].hi, IP(10, 10, 0, 1));
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

static void test_pool_exhaustion(void **state)
{
	struct flow f;
	struct flow_peer *c2, *c3;

	(void)state;
	flow_defaults(&f);
	office_mode(&f);
	f.gw.cfg.pool_lo = f.gw.cfg.pool_hi = IP(10, 10, 0, 5);
	f.gw.cfg.unique = IKE_UNIQUE_NEVER; /* same identity, keep them all */
	flow_start(&f, 2);
	c2 = flow_extra_client(&f, "client2", IP(192, 0, 2, 20), 2);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_route(&f, NULL, 0);
	assert_int_equal(flow_status(&f.cl, 0).vip, IP(10, 10, 0, 5));
	/* the second client finds the pool empty: IKE SA, no CHILD SA */
	assert_int_equal(ike_client_start(c2->e, 0), 0);
	flow_route(&f, &c2, 1);
	assert_true(flow_sent_has(&f.gw, "[IDr AUTH N(INTERNAL_ADDRESS_FAILURE)]"));
	assert_int_equal(flow_state(c2), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(c2, 0).vip, 0);
	assert_int_equal(c2->n_child, 0);
	assert_int_equal(flow_status(c2, 0).last_error, IKE_N_INTERNAL_ADDRESS_FAILURE);
	/* the first one leaves; its address is free again for the next */
	ike_close(f.cl.e, 0);
	flow_route(&f, &c2, 1);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	c3 = flow_extra_client(&f, "client3", IP(192, 0, 2, 30), 3);
	assert_int_equal(ike_client_start(c3->e, 0), 0);
	flow_route(&f, &c3, 1);
	assert_int_equal(flow_status(c3, 0).vip, IP(10, 10, 0, 5));
	assert_int_equal(flow_live_children(c3), 1);
	flow_extra_free(c2);
	flow_extra_free(c3);
	flow_free(&f);
}

/* small proposals: the mode decides the first offer; auto falls back to the full list */
static void proposals_setup(struct flow *f, enum ike_proposals_mode mode, const char *gw_esp)
{
	flow_defaults(f);
	f->cl.cfg.proposals = mode;
	set_props(&f->cl.cfg.esp_small, IKE_PROTO_ESP, "aes256gcm16");
	set_props(&f->cl.cfg.esp, IKE_PROTO_ESP,
		  "aes256gcm16, aes128gcm16, chacha20poly1305, aes256-sha256, aes128-sha256-esn, 3des-sha1");
	set_props(&f->gw.cfg.esp, IKE_PROTO_ESP, gw_esp);
}

static size_t offer_size(const struct flow_peer *p, size_t nth)
{
	for (size_t i = 0; i < p->ev.n; i++) {
		const char *s = strstr(p->ev.line[i], "\"ev\":\"child_offer\"");

		if (s != NULL && nth-- == 0)
			return (size_t)atol(strstr(p->ev.line[i], "\"size\":") + 7);
	}
	return 0;
}

static void test_small_proposals(void **state)
{
	struct flow f;
	size_t small_size, full_size;

	(void)state;
	/* auto, and the gateway only takes aes128-sha256-esn */
	proposals_setup(&f, IKE_PROPOSALS_AUTO, "aes128-sha256-esn");
	flow_start(&f, 3);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_deliver(&f, TO_GW);
	flow_deliver(&f, TO_CL);
	/* IKE_AUTH { ..., SAi2(1 proposal: AES_GCM_16_256), TSi, TSr } --> */
	assert_int_equal(flow_count_ev(&f.cl, "\"list\":\"small\",\"proposals\":1"), 1);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- IKE_AUTH { IDr, AUTH, N(NO_PROPOSAL_CHOSEN) }: IKE SA up, no CHILD SA */
	assert_true(flow_sent_has(&f.gw, "[IDr AUTH N(NO_PROPOSAL_CHOSEN)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(f.cl.n_child, 0);
	/* CREATE_CHILD_SA { SA(6 proposals), Ni, TSi, TSr } --> */
	assert_true(flow_sent_has(&f.cl, "CREATE_CHILD_SA request mid 2 [SA No TSi TSr]"));
	assert_int_equal(flow_count_ev(&f.cl, "\"list\":\"full\",\"proposals\":6"), 1);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- CREATE_CHILD_SA { SA, Nr, TSi, TSr } */
	assert_true(flow_sent_has(&f.gw, "CREATE_CHILD_SA response mid 2 [SA No TSi TSr]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(f.cl.child[0].ci.alg, CRYPTO_AES_CBC_HMAC_SHA256_128);
	assert_true(f.cl.child[0].ci.esn);
	assert_true(flow_esp_check(&f));
	small_size = offer_size(&f.cl, 0);
	full_size = offer_size(&f.cl, 1);
	printf("# small proposals: IKE_AUTH with 1 ESP proposal %zu octets; CREATE_CHILD_SA with 6: %zu octets\n",
	       small_size, full_size);
	assert_true(small_size > 0 && full_size > 0);
	flow_free(&f);

	/* auto, and the short list is accepted: one exchange, no CREATE_CHILD_SA */
	proposals_setup(&f, IKE_PROPOSALS_AUTO, "aes256gcm16, aes128-sha256");
	flow_start(&f, 4);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_int_equal(flow_count_ev(&f.cl, "CREATE_CHILD_SA"), 0);
	flow_free(&f);

	/* small: no second chance */
	proposals_setup(&f, IKE_PROPOSALS_SMALL, "aes128-sha256-esn");
	flow_start(&f, 5);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(f.cl.n_child, 0);
	assert_int_equal(flow_count_ev(&f.cl, "CREATE_CHILD_SA"), 0);
	assert_int_equal(flow_status(&f.cl, 0).last_error, IKE_N_NO_PROPOSAL_CHOSEN);
	flow_free(&f);

	/* full: the long list in IKE_AUTH right away */
	proposals_setup(&f, IKE_PROPOSALS_FULL, "aes128-sha256-esn");
	flow_start(&f, 6);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_count_ev(&f.cl, "\"list\":\"full\",\"proposals\":6"), 1);
	assert_int_equal(flow_live_children(&f.cl), 1);
	assert_true(offer_size(&f.cl, 0) > small_size);
	flow_free(&f);
}

/* §1.4.1: DELETE from either side removes the IKE SA and its CHILD SAs on both */
static void test_delete(void **state)
{
	struct flow f;

	(void)state;
	for (int gw_closes = 0; gw_closes < 2; gw_closes++) {
		flow_defaults(&f);
		flow_start(&f, 7 + (uint64_t)gw_closes);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		flow_pump(&f);
		ike_close(gw_closes ? f.gw.e : f.cl.e, f.now);
		/* INFORMATIONAL { D(IKE) } --> */
		assert_true(flow_sent_has(gw_closes ? &f.gw : &f.cl, "INFORMATIONAL request"));
		assert_true(flow_sent_has(gw_closes ? &f.gw : &f.cl, "[D]"));
		assert_int_equal(flow_state(gw_closes ? &f.gw : &f.cl), IKE_S_DELETING);
		assert_int_equal(flow_deliver(&f, gw_closes ? TO_CL : TO_GW), IKE_RX_OK);
		/* <-- INFORMATIONAL { } */
		assert_true(flow_sent_has(gw_closes ? &f.cl : &f.gw, "INFORMATIONAL response mid"));
		assert_int_equal(flow_deliver(&f, gw_closes ? TO_GW : TO_CL), IKE_RX_OK);
		assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
		assert_int_equal(f.cl.n_down, 1);
		assert_int_equal(f.gw.n_down, 1);
		assert_int_equal(flow_live_children(&f.cl) + flow_live_children(&f.gw), 0);
		flow_free(&f);
	}

	/* a close during an exchange waits for it (window of one) */
	flow_defaults(&f);
	f.cl.cfg.dpd_ns = 10 * S_NS;
	flow_start(&f, 9);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	flow_advance(&f, 10 * S_NS); /* a liveness check is out */
	ike_close(f.cl.e, f.now);
	assert_int_equal(flow_pending(&f, TO_GW), 1);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 3 [D]"));
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	flow_free(&f);

	/* simultaneous deletes cross (§1.4.1): both end */
	flow_defaults(&f);
	flow_start(&f, 10);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	ike_close(f.cl.e, f.now);
	ike_close(f.gw.e, f.now);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	flow_free(&f);
}

/* §2.4: a liveness check only when idle; a live peer answers and nothing changes */
static void test_dpd_alive(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.dpd_ns = 30 * S_NS;
	f.gw.cfg.dpd_ns = 45 * S_NS;
	flow_start(&f, 11);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	flow_advance(&f, 29 * S_NS);
	assert_int_equal(flow_pending(&f, TO_GW), 0);
	flow_advance(&f, S_NS);
	/* INFORMATIONAL {} --> , <-- INFORMATIONAL {} */
	assert_true(flow_sent_has(&f.cl, "INFORMATIONAL request mid 2 []"));
	flow_pump(&f);
	/* the gateway heard from the client at 30 s: its own check comes at 75 s, not 45 s */
	flow_advance(&f, 15 * S_NS);
	assert_int_equal(flow_pending(&f, TO_CL), 0);
	for (int i = 0; i < 100; i++) { /* a prompt network: every second delivers what is queued */
		flow_advance(&f, S_NS);
		flow_pump(&f);
	}
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_true(flow_count_ev(&f.cl, "\"ev\":\"dpd\"") >= 3);
	assert_int_equal(flow_status(&f.cl, 0).counts.retransmits, 0);
	assert_int_equal(flow_live_children(&f.cl), 1);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_payload), cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_small_proposals), cmocka_unit_test(test_delete),
		cmocka_unit_test(test_dpd_alive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
