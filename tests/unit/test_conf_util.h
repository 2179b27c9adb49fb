/*
 * test_conf_util.h — helpers shared by the conformance tests
 * (test_conf_rules.c, test_conf_dec.c): run one rule on a capture, decrypt
 * a capture with a key text. They fail the running cmocka test on error.
 */
#ifndef VPNLAB_TEST_CONF_UTIL_H
#define VPNLAB_TEST_CONF_UTIL_H

#include <stdio.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_dec.h"
#include "conformance/conf_keys.h"
#include "conformance/conf_rule.h"

#define CONF_TEST_FN static __attribute__((unused))

/* conf_test_rule runs rule |id| on |c| with the default parameters and |param| ("k=v" or NULL). */
CONF_TEST_FN void conf_test_rule(const struct conf_capture *c, const char *id, const char *param,
				 struct conf_result *r)
{
	const struct conf_rule *rule = conf_rule_find(id);
	struct conf_params p;
	struct conf_ctx x;
	char err[200];
	if (!rule)
		fail_msg("no rule '%s'", id);
	conf_params_default(&p);
	if (param && conf_params_set(&p, param, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(conf_ctx_init(&x, c, &p), 0);
	conf_rule_run(rule, &x, r);
	conf_ctx_free(&x);
}

/* conf_test_decrypt parses key text |text| (|n| octets) and decrypts |c| with it. */
CONF_TEST_FN void conf_test_decrypt(struct conf_capture *c, const char *text, size_t n)
{
	struct conf_keys k;
	char err[CONF_ERR_LEN];
	conf_keys_init(&k, "test keys");
	if (conf_keys_parse(&k, text, n, err, sizeof err) < 0)
		fail_msg("%s\n%.*s", err, (int)n, text);
	assert_int_equal(conf_dec_run(c, &k, err, sizeof err), 0);
	conf_keys_free(&k);
}

/*
 * conf_test_every_rule_covered checks that every rule whose sets include
 * |need| (all rules if 0) and none of |skip| has a passing and a failing
 * row, asking |has_row| (the test's own table). Returns the rules lacking one.
 */
CONF_TEST_FN int conf_test_every_rule_covered(int (*has_row)(const char *id, enum conf_verdict want), unsigned need,
					      unsigned skip)
{
	int bad = 0;
	for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
		if ((need && !((*r)->sets & need)) || ((*r)->sets & skip))
			continue;
		int pass = has_row((*r)->id, CONF_PASS), fail = has_row((*r)->id, CONF_FAIL);
		if (!pass || !fail) {
			print_error("rule %s lacks a %s row\n", (*r)->id, pass ? "failing" : "passing");
			bad++;
		}
	}
	return bad;
}

#endif
