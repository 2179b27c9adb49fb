/* conf_rule.c — rule registry, selection, parameters and verdict helpers. */
#include "conformance/conf_rule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"

const char *conf_force_name(enum conf_force f)
{
	switch (f) {
	case CONF_MUST: return "MUST";
	case CONF_SHOULD: return "SHOULD";
	case CONF_MAY: return "MAY";
	case CONF_ADVISORY: return "ADVISORY";
	}
	return "?";
}

const char *conf_verdict_name(enum conf_verdict v)
{
	switch (v) {
	case CONF_PASS: return "pass";
	case CONF_FAIL: return "fail";
	case CONF_NA: return "n/a";
	}
	return "?";
}

/* ---- parameters ---- */

struct param_row {
	const char *name;
	size_t off;
	double def, min, max;
	const char *help;
};

static const struct param_row params[] = {
	{"keepalive_interval", offsetof(struct conf_params, keepalive_interval), 20, 0.001, 86400,
	 "s: NAT-keepalive interval M of RFC 3948 §4"},
	{"keepalive_slack", offsetof(struct conf_params, keepalive_slack), 5, 0, 86400,
	 "s: tolerance added to keepalive_interval"},
	{"backoff_factor", offsetof(struct conf_params, backoff_factor), 1.2, 1.0, 100,
	 "each IKE retransmission interval must be >= the previous one times this"},
	{"pmtu_grace", offsetof(struct conf_params, pmtu_grace), 1.0, 0, 3600,
	 "s: after an ICMP 3/4, time before later DF packets must fit the MTU"},
	{"esp_first_window", offsetof(struct conf_params, esp_first_window), 10, 0, 3600,
	 "s: a new SPI seen this soon after IKE_AUTH/CREATE_CHILD_SA must start at sequence 1"},
	{"ikefrag_max", offsetof(struct conf_params, ikefrag_max), 0, 0, 65535,
	 "octets: largest IP datagram allowed for an IKE fragment (0 = not checked)"},
	{"delete_grace", offsetof(struct conf_params, delete_grace), 1.0, 0, 3600,
	 "s: ESP on a deleted SPI tolerated this long after the DELETE exchange (in flight)"},
};

void conf_params_default(struct conf_params *p)
{
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
		*(double *)((char *)p + params[i].off) = params[i].def;
}

int conf_params_set(struct conf_params *p, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		snprintf(err, errlen, "--param '%s': expected NAME=VALUE", kv);
		return -1;
	}
	size_t nl = (size_t)(eq - kv);
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		if (strlen(params[i].name) != nl || strncmp(params[i].name, kv, nl) != 0)
			continue;
		char *end;
		double v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || v < params[i].min || v > params[i].max) {
			snprintf(err, errlen, "--param %s: value '%s', expected a number in %g..%g",
				 params[i].name, eq + 1, params[i].min, params[i].max);
			return -1;
		}
		*(double *)((char *)p + params[i].off) = v;
		return 0;
	}
	snprintf(err, errlen, "--param '%.*s': unknown parameter (see vpnlab check --help)", (int)nl, kv);
	return -1;
}

void conf_params_help(FILE *f)
{
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
		fprintf(f, "  %-20s %-6g %s\n", params[i].name, params[i].def, params[i].help);
}

/* ---- registry ---- */

static const struct conf_rule *const tables[] = {
	conf_rules_ike, conf_rules_natt, conf_rules_esp, conf_rules_frag,
	conf_rules_ikev1, conf_rules_pmtu, conf_rules_tcp, conf_rules_dec,
};

#define MAX_RULES 128
static const struct conf_rule *all_rules[MAX_RULES + 1]; /* built once; read-only afterwards */
static size_t n_rules;

const struct conf_rule *const *conf_rules(void)
{
	if (!n_rules) {
		for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
			for (const struct conf_rule *r = tables[t]; r->id && n_rules < MAX_RULES; r++)
				all_rules[n_rules++] = r;
		all_rules[n_rules] = NULL;
	}
	return all_rules;
}

size_t conf_rules_count(void)
{
	conf_rules();
	return n_rules;
}

const struct conf_rule *conf_rule_find(const char *id)
{
	for (const struct conf_rule *const *r = conf_rules(); *r; r++)
		if (strcmp((*r)->id, id) == 0)
			return *r;
	return NULL;
}

static const struct {
	const char *name;
	unsigned bit;
} set_names[] = {
	{"ikev2", CONF_SET_IKEV2}, {"natt", CONF_SET_NATT}, {"esp", CONF_SET_ESP},
	{"frag", CONF_SET_FRAG},   {"ikev1", CONF_SET_IKEV1}, {"pmtu", CONF_SET_PMTU},
	{"tcp", CONF_SET_TCP},     {"keys", CONF_SET_KEYS},   {"all", CONF_SET_ALL},
};

const char *conf_set_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof set_names / sizeof set_names[0]; i++)
		if (set_names[i].bit == bit)
			return set_names[i].name;
	return "?";
}

unsigned conf_set_parse(const char *name)
{
	for (size_t i = 0; i < sizeof set_names / sizeof set_names[0]; i++)
		if (strcmp(set_names[i].name, name) == 0)
			return set_names[i].bit;
	return 0;
}

int conf_select(const char *spec, unsigned char *sel, char *err, size_t errlen)
{
	size_t n = conf_rules_count();
	memset(sel, 0, n);
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", spec);
	int any = 0;
	for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		unsigned bit = conf_set_parse(w);
		const struct conf_rule *const *all = conf_rules();
		if (bit) {
			for (size_t i = 0; i < n; i++)
				if (all[i]->sets & bit)
					sel[i] = 1;
			any = 1;
			continue;
		}
		const struct conf_rule *one = conf_rule_find(w);
		if (!one) {
			snprintf(err, errlen,
				 "--rules: unknown set or rule '%s' (sets: all, ikev2, natt, esp, frag, ikev1, "
				 "pmtu, tcp, keys; rule ids: vpnlab check --list-rules)", w);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (all[i] == one)
				sel[i] = 1;
		any = 1;
	}
	if (!any) {
		snprintf(err, errlen, "--rules: empty selection, expected a set name or rule id");
		return -1;
	}
	return 0;
}

/* ---- verdicts ---- */

void conf_fail(struct conf_result *r, uint32_t frame, const char *fmt, ...)
{
	if (r->verdict != CONF_FAIL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof r->why, fmt, ap);
		va_end(ap);
		r->verdict = CONF_FAIL;
	}
	r->n_violations++;
	conf_fail_more(r, frame);
}

void conf_fail_more(struct conf_result *r, uint32_t frame)
{
	if (!frame)
		return;
	for (uint32_t i = 0; i < r->n_ev; i++)
		if (r->ev[i] == frame)
			return;
	if (r->n_ev < CONF_MAX_EVIDENCE)
		r->ev[r->n_ev++] = frame;
}

void conf_pass(struct conf_result *r, const char *fmt, ...)
{
	if (r->verdict == CONF_FAIL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
}

void conf_rule_run(const struct conf_rule *rule, const struct conf_ctx *x, struct conf_result *r)
{
	memset(r, 0, sizeof *r);
	rule->check(x, r);
	if (r->verdict != CONF_FAIL)
		r->verdict = r->n_checked ? CONF_PASS : CONF_NA;
	/* a pass text counting zero items says nothing: replace it */
	if (r->verdict == CONF_NA && (!r->why[0] || strncmp(r->why, "0 ", 2) == 0))
		snprintf(r->why, sizeof r->why, "not applicable: nothing in the capture this rule looks at");
	/* evidence in frame order */
	for (uint32_t i = 1; i < r->n_ev; i++)
		for (uint32_t j = i; j > 0 && r->ev[j - 1] > r->ev[j]; j--) {
			uint32_t t = r->ev[j];
			r->ev[j] = r->ev[j - 1];
			r->ev[j - 1] = t;
		}
}

int conf_ctx_init(struct conf_ctx *x, const struct conf_capture *c, const struct conf_params *p)
{
	x->c = c;
	x->p = p;
	x->sa = conf_ikesa_build(c);
	return x->sa ? 0 : -1;
}

void conf_ctx_free(struct conf_ctx *x)
{
	conf_ikesa_free((struct conf_ikesa_index *)x->sa);
	x->sa = NULL;
}
