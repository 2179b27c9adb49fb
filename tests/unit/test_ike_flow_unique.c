/*
 * test_ike_flow_unique.c — the gateway's unique-IDs policy when a second
 * client authenticates with an identity that already has an IKE SA
 * (strongSwan's "uniqueids"):
 *
 *   replace   the new IKE SA replaces the old one (D(IKE) to the old peer)
 *   no        keep both; replace only when the new one sent INITIAL_CONTACT
 *   never     keep both, INITIAL_CONTACT or not
 *   keep      refuse the new one (AUTHENTICATION_FAILED), keep the old
 *
 *   client A 192.0.2.10 ──┐
 *                          ├── gateway 198.51.100.1      (both are alice@example.org)
 *   client B 192.0.2.20 ──┘
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/test_ike_flow_util.h"

static const struct unique_case {
	enum ike_unique_policy policy;
	int b_initial_contact;
	int a_survives, b_up;
} cases[] = {
	/* 1 */ {IKE_UNIQUE_REPLACE, 0, 0, 1},
	/* 2 */ {IKE_UNIQUE_REPLACE, 1, 0, 1},
	/* 3 */ {IKE_UNIQUE_NO, 1, 0, 1},
	/* 4 */ {IKE_UNIQUE_NO, 0, 1, 1},
	/* 5 */ {IKE_UNIQUE_NEVER, 1, 1, 1},
	/* 6 */ {IKE_UNIQUE_NEVER, 0, 1, 1},
	/* 7 */ {IKE_UNIQUE_KEEP, 1, 1, 0},
};

static void test_unique_ids(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct unique_case *c = &cases[i];
		struct flow f;
		struct flow_peer *b;

		flow_defaults(&f);
		f.gw.cfg.unique = c->policy;
		flow_start(&f, 1 + i);
		assert_int_equal(ike_client_start(f.cl.e, 0), 0);
		flow_route(&f, NULL, 0);
		assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
		f.cl.cfg.initial_contact = c->b_initial_contact; /* B is made from A's profile */
		b = flow_extra_client(&f, "clientB", IP(192, 0, 2, 20), 100 + i);
		assert_int_equal(ike_client_start(b->e, 0), 0);
		flow_route(&f, &b, 1);
		if ((flow_state(&f.cl) == IKE_S_ESTABLISHED) != c->a_survives)
			fail_msg("case %zu: A %s, expected it %s", i + 1, ike_state_name(flow_state(&f.cl)),
				 c->a_survives ? "kept" : "replaced");
		if ((flow_state(b) == IKE_S_ESTABLISHED) != c->b_up)
			fail_msg("case %zu: B %s, expected it %s", i + 1, ike_state_name(flow_state(b)),
				 c->b_up ? "up" : "refused");
		assert_int_equal(ike_sa_count(f.gw.e), (size_t)(c->a_survives + c->b_up));
		assert_int_equal(flow_live_children(&f.gw), (size_t)(c->a_survives + c->b_up));
		assert_int_equal(flow_live_children(&f.cl), (size_t)c->a_survives);
		assert_int_equal(flow_live_children(b), (size_t)c->b_up);
		if (!c->a_survives)
			assert_int_equal(flow_count_ev(&f.gw, "\"to\":\"DEAD\",\"why\":\"replaced"), 1);
		if (!c->b_up)
			assert_int_equal(flow_status(&f.gw, 0).peer_id.type, IKE_ID_RFC822_ADDR);
		flow_extra_free(b);
		flow_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
