/*
 * test_ike_flow_table.c — the IKE SA transition table (ref/ike/ike_state.c)
 * checked as data: no two rows for the same (state, exchange, event,
 * role), every state reachable from NONE, every row documented with its
 * RFC flow and a processor, and the state setter refusing changes the
 * table does not list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ref/ike/ike_engine.h"

static int roles_overlap(enum ike_role_req a, enum ike_role_req b)
{
	return a == IKE_R_ANY || b == IKE_R_ANY || a == b;
}

static void test_no_duplicate_rows(void **state)
{
	(void)state;
	assert_true(ike_n_transitions >= 10);
	for (size_t i = 0; i < ike_n_transitions; i++)
		for (size_t k = i + 1; k < ike_n_transitions; k++) {
			const struct ike_transition *a = &ike_transitions[i], *b = &ike_transitions[k];

			if (a->state == b->state && a->exchange == b->exchange && a->on == b->on &&
			    roles_overlap(a->role, b->role))
				fail_msg("rows %zu and %zu both handle %s %s in %s", i, k, ike_exchange_name(a->exchange),
					 a->on == IKE_ON_REQUEST ? "request" : "response/action", ike_state_name(a->state));
		}
}

static void test_rows_documented(void **state)
{
	(void)state;
	for (size_t i = 0; i < ike_n_transitions; i++) {
		const struct ike_transition *t = &ike_transitions[i];

		assert_non_null(t->process);
		assert_non_null(t->flow);
		assert_true(strstr(t->flow, "HDR") != NULL); /* written as the RFC writes messages */
		assert_true(t->state < IKE_S_COUNT && t->next < IKE_S_COUNT);
		assert_true(t->state != IKE_S_DEAD);
		assert_non_null(ike_name_lookup(&ike_exchange_names, t->exchange));
	}
}

static void test_every_state_reachable(void **state)
{
	int reach[IKE_S_COUNT] = {0};
	int grew = 1;

	(void)state;
	reach[IKE_S_NONE] = 1;
	reach[IKE_S_DEAD] = 1; /* the setter allows any -> DEAD */
	while (grew) {
		grew = 0;
		for (size_t i = 0; i < ike_n_transitions; i++)
			if (reach[ike_transitions[i].state] && !reach[ike_transitions[i].next]) {
				reach[ike_transitions[i].next] = 1;
				grew = 1;
			}
	}
	for (int s = 0; s < IKE_S_COUNT; s++)
		if (!reach[s])
			fail_msg("state %s is not reachable from NONE", ike_state_name(s));
	/* and every state but DEAD has a way out */
	for (int s = 0; s < IKE_S_DEAD; s++) {
		int out = 0;

		for (size_t i = 0; i < ike_n_transitions; i++)
			out |= (int)ike_transitions[i].state == s;
		if (!out)
			fail_msg("state %s has no row", ike_state_name(s));
	}
}

static void test_names(void **state)
{
	(void)state;
	for (int s = 0; s < IKE_S_COUNT; s++) {
		assert_string_not_equal(ike_state_name(s), "?");
		for (int k = s + 1; k < IKE_S_COUNT; k++)
			assert_string_not_equal(ike_state_name(s), ike_state_name(k));
	}
	assert_string_equal(ike_state_name(IKE_S_COUNT), "?");
	assert_string_equal(ike_state_name(-1), "?");
}

/* numbered table of setter checks */
static const struct {
	enum ike_sa_state from, to;
	int allowed;
} changes[] = {
	/* 1 */ {IKE_S_NONE, IKE_S_INIT_SENT, 1},
	/* 2 */ {IKE_S_NONE, IKE_S_INIT_DONE, 1},
	/* 3 */ {IKE_S_INIT_SENT, IKE_S_AUTH_SENT, 1},
	/* 4 */ {IKE_S_AUTH_SENT, IKE_S_ESTABLISHED, 1},
	/* 5 */ {IKE_S_INIT_DONE, IKE_S_ESTABLISHED, 1},
	/* 6 */ {IKE_S_ESTABLISHED, IKE_S_DELETING, 1},
	/* 7 */ {IKE_S_ESTABLISHED, IKE_S_DEAD, 1},
	/* 8 */ {IKE_S_INIT_SENT, IKE_S_DEAD, 1},
	/* 9 */ {IKE_S_NONE, IKE_S_ESTABLISHED, 1}, /* an IKE SA born from a rekey */
	/* 10 */ {IKE_S_ESTABLISHED, IKE_S_INIT_SENT, 0},
	/* 11 */ {IKE_S_INIT_SENT, IKE_S_ESTABLISHED, 0},
	/* 12 */ {IKE_S_DELETING, IKE_S_ESTABLISHED, 0},
	/* 13 */ {IKE_S_INIT_DONE, IKE_S_AUTH_SENT, 0},
	/* 14 */ {IKE_S_NONE, IKE_S_AUTH_SENT, 0},
	/* 15 */ {IKE_S_NONE, IKE_S_DELETING, 0},
};

static void test_setter_checks(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
		if (ike_state_allowed(changes[i].from, changes[i].to) != changes[i].allowed)
			fail_msg("case %zu: %s -> %s allowed=%d, expected %d", i + 1, ike_state_name(changes[i].from),
				 ike_state_name(changes[i].to), !changes[i].allowed, changes[i].allowed);
}

/* the lookup honours roles: a client never handles an IKE_SA_INIT request */
static void test_lookup_roles(void **state)
{
	(void)state;
	assert_null(ike_state_find(IKE_S_NONE, IKE_SA_INIT, IKE_ON_REQUEST, 1));
	assert_non_null(ike_state_find(IKE_S_NONE, IKE_SA_INIT, IKE_ON_REQUEST, 0));
	assert_null(ike_state_find(IKE_S_NONE, IKE_SA_INIT, IKE_ON_START, 0));
	assert_non_null(ike_state_find(IKE_S_NONE, IKE_SA_INIT, IKE_ON_START, 1));
	assert_null(ike_state_find(IKE_S_INIT_DONE, IKE_CREATE_CHILD_SA, IKE_ON_REQUEST, 0));
	assert_non_null(ike_state_find(IKE_S_ESTABLISHED, IKE_INFORMATIONAL, IKE_ON_REQUEST, 1));
	assert_non_null(ike_state_find(IKE_S_ESTABLISHED, IKE_INFORMATIONAL, IKE_ON_REQUEST, 0));
	assert_non_null(ike_state_find(IKE_S_NONE, IKE_CREATE_CHILD_SA, IKE_ON_REKEYED, 0));
	assert_null(ike_state_find(IKE_S_NONE, IKE_CREATE_CHILD_SA, IKE_ON_REQUEST, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_duplicate_rows),    cmocka_unit_test(test_rows_documented),
		cmocka_unit_test(test_every_state_reachable), cmocka_unit_test(test_names),
		cmocka_unit_test(test_setter_checks),        cmocka_unit_test(test_lookup_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
