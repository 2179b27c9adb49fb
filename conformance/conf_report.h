/*
 * conf_report.h — writing `vpnlab check` results: a text table, JSON, or
 * JUnit XML (one testcase per rule; a failed MUST is a <failure>, a failed
 * SHOULD/MAY/ADVISORY a warning in <system-out>, not applicable <skipped>),
 * and the per-frame decode dump.
 */
#ifndef VPNLAB_CONF_REPORT_H
#define VPNLAB_CONF_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_rule.h"

enum conf_format { CONF_FMT_TEXT, CONF_FMT_JSON, CONF_FMT_JUNIT };

/* conf_format_parse: "text", "json", "junit"; -1 if unknown. */
int conf_format_parse(const char *s);

struct conf_run {
	const struct conf_rule *rule;
	struct conf_result res;
};

/* conf_report_exit: 1 if a MUST rule failed, else 0. */
int conf_report_exit(const struct conf_run *runs, size_t n);

void conf_report_write(FILE *f, enum conf_format fmt, const struct conf_capture *c,
		       const struct conf_run *runs, size_t n);

/* conf_report_dump writes one line per frame: number, time, link, kind, flow, details. */
void conf_report_dump(FILE *f, const struct conf_capture *c);

/* conf_report_list_rules writes the rule table (id, RFC §, force, sets, title). */
void conf_report_list_rules(FILE *f, enum conf_format fmt);

/* conf_report_json_str writes |s| as a JSON string. */
void conf_report_json_str(FILE *f, const char *s);

/*
 * Decryption results (conf_report_dec.c; nothing without c->dec): the
 * summary line under the capture line, the list of decrypted IKE messages
 * and ESP SPIs after the verdicts, and the "decryption" JSON member.
 */
void conf_report_dec_summary(FILE *f, const struct conf_capture *c);
void conf_report_dec_text(FILE *f, const struct conf_capture *c);
void conf_report_dec_json(FILE *f, const struct conf_capture *c);
/* conf_report_dec_frame appends what frame |k| decrypted to (for the --dump line). */
void conf_report_dec_frame(FILE *f, const struct conf_capture *c, const struct conf_pkt *k);

#endif
