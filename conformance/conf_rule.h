/*
 * conf_rule.h — conformance rules over a decoded capture.
 *
 * A rule is a const row: id ("natt-float-4500"), the RFC and section it
 * checks, the force of the requirement as the RFC states it, the rule sets
 * it belongs to, a title, and a check function that gives a verdict:
 *
 *   PASS            the capture shows the behaviour the RFC asks for
 *   FAIL            it shows a violation: evidence = frame numbers, and a
 *                   one-line explanation with the values seen
 *   NOT APPLICABLE  nothing in the capture the rule could look at
 *
 * Force: MUST covers MUST/MUST NOT/REQUIRED/SHALL, SHOULD covers SHOULD/
 * SHOULD NOT/RECOMMENDED, MAY, and ADVISORY for findings that are security
 * guidance without an RFC 2119 keyword (e.g. IKEv1 Aggressive Mode with a
 * pre-shared key). Only a failed MUST makes `vpnlab check` exit 1.
 */
#ifndef VPNLAB_CONF_RULE_H
#define VPNLAB_CONF_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/conf_capture.h"

enum conf_force { CONF_MUST, CONF_SHOULD, CONF_MAY, CONF_ADVISORY };
enum conf_verdict { CONF_NA = 0, CONF_PASS, CONF_FAIL };

enum conf_set {
	CONF_SET_IKEV2 = 1 << 0,
	CONF_SET_NATT = 1 << 1,
	CONF_SET_ESP = 1 << 2,
	CONF_SET_FRAG = 1 << 3,
	CONF_SET_IKEV1 = 1 << 4,
	CONF_SET_PMTU = 1 << 5,
	CONF_SET_TCP = 1 << 6,
	CONF_SET_KEYS = 1 << 7,   /* reads decrypted content (vpnlab check --keys) */
	CONF_SET_ALL = (1 << 8) - 1,
};

const char *conf_force_name(enum conf_force f);
const char *conf_verdict_name(enum conf_verdict v);

/* conf_params are the tunables of rules (`--param k=v`). */
struct conf_params {
	double keepalive_interval; /* s, RFC 3948 §4 M (default 20) */
	double keepalive_slack;    /* s added before a gap fails (default 5) */
	double backoff_factor;     /* each retransmission interval >= previous * this (1.2) */
	double pmtu_grace;         /* s after an ICMP 3/4 before the sender must comply (1.0) */
	double esp_first_window;   /* s after IKE_AUTH/CREATE_CHILD_SA in which a new SPI starts at 1 (10) */
	double ikefrag_max;        /* octets: max IP length of an SKF datagram; 0 = not checked */
	double delete_grace;       /* s after a DELETE exchange in which ESP still in flight is tolerated (1) */
};

void conf_params_default(struct conf_params *p);

/* conf_params_set applies "name=value"; -1 with |err| naming the problem. */
int conf_params_set(struct conf_params *p, const char *kv, char *err, size_t errlen);

/* conf_params_help writes one line per parameter (name, default, meaning) to |f|. */
void conf_params_help(FILE *f);

#define CONF_MAX_EVIDENCE 16

struct conf_result {
	enum conf_verdict verdict;
	uint32_t ev[CONF_MAX_EVIDENCE]; /* frame numbers, first failures first */
	uint32_t n_ev;
	uint32_t n_violations;          /* total violations found */
	uint32_t n_checked;             /* items the rule looked at */
	char why[448];
};

struct conf_ikesa_index;

/* conf_ctx is what a check function reads. */
struct conf_ctx {
	const struct conf_capture *c;
	const struct conf_params *p;
	const struct conf_ikesa_index *sa;
};

struct conf_rule {
	const char *id;
	const char *rfc;      /* "RFC 3948" */
	const char *section;  /* "2.3" */
	enum conf_force force;
	unsigned sets;        /* enum conf_set bits */
	const char *title;
	void (*check)(const struct conf_ctx *x, struct conf_result *r);
};

/* conf_rules returns the NULL-terminated list of all rules. */
const struct conf_rule *const *conf_rules(void);
size_t conf_rules_count(void);
const struct conf_rule *conf_rule_find(const char *id);

/* conf_set_name / conf_set_parse: "ikev2", "natt", ... "all". */
const char *conf_set_name(unsigned set_bit);
unsigned conf_set_parse(const char *name);

/*
 * conf_select parses a --rules argument: comma-separated set names and rule
 * ids. Fills |sel| (indexed like conf_rules()) with 1 for selected rules.
 * Returns 0, or -1 with |err| naming the unknown word.
 */
int conf_select(const char *spec, unsigned char *sel, char *err, size_t errlen);

/* conf_rule_run runs one rule. */
void conf_rule_run(const struct conf_rule *rule, const struct conf_ctx *x, struct conf_result *r);

/* ---- helpers for check functions ---- */

/* conf_fail records a violation at |frame|; the first one's text becomes why. */
void conf_fail(struct conf_result *r, uint32_t frame, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* conf_fail_more adds evidence for the current violation without new text. */
void conf_fail_more(struct conf_result *r, uint32_t frame);
/* conf_pass sets the explanation of a pass (only if no failure). */
void conf_pass(struct conf_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* conf_checked counts an item looked at; a result with none is NOT APPLICABLE. */
static inline void conf_checked(struct conf_result *r)
{
	r->n_checked++;
}

/* conf_ctx_init builds the IKE SA index; conf_ctx_free releases it. */
int conf_ctx_init(struct conf_ctx *x, const struct conf_capture *c, const struct conf_params *p);
void conf_ctx_free(struct conf_ctx *x);

/* Rule tables, one per file (conf_rules_*.c), each ending with an empty row. */
extern const struct conf_rule conf_rules_ike[];
extern const struct conf_rule conf_rules_natt[];
extern const struct conf_rule conf_rules_esp[];
extern const struct conf_rule conf_rules_frag[];
extern const struct conf_rule conf_rules_ikev1[];
extern const struct conf_rule conf_rules_pmtu[];
extern const struct conf_rule conf_rules_tcp[];
extern const struct conf_rule conf_rules_dec[];

#endif
