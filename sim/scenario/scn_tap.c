/*
 * scn_tap.c — TAP version 13 (testanything.org) for CI (scn_suite.h):
 *
 *   TAP version 13
 *   1..3
 *   ok 1 - baseline
 *   not ok 2 - nat-reboot
 *     ---
 *     file: scenarios/nat/nat-reboot.scn
 *     failed:
 *       - 'tunnel.up == yes => no'
 *     ...
 *   ok 3 - ipsec-pmtu # SKIP pending: needs the PMTU features
 *
 * YAML strings are single-quoted (a quote is doubled); '#' in a test
 * description would start a directive, so names never carry one (scenario
 * names are letters, digits, '-' and '_').
 */
#include "sim/scenario/scn_suite.h"

#include <errno.h>
#include <string.h>

static void yaml_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('\'', f);
}

/* directive_text: '#' and newlines would break the directive line */
static void directive_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '#' || *s == '\n' ? ' ' : *s, f);
}

int scn_tap_write(const char *path, const struct scn_suite_entry *e, size_t n, char *err,
		  size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "TAP version 13\n1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct scn_suite_entry *x = &e[i];
		int ok = x->outcome == SCN_OUT_PASS || x->outcome == SCN_OUT_SKIP;
		fprintf(f, "%s %zu - %s", ok ? "ok" : "not ok", i + 1, x->name);
		if (x->outcome == SCN_OUT_SKIP) {
			fputs(" # SKIP pending: ", f);
			directive_text(f, x->message);
		}
		fputc('\n', f);
		if (x->outcome != SCN_OUT_FAIL && x->outcome != SCN_OUT_ERROR)
			continue;
		fputs("  ---\n  file: ", f);
		yaml_str(f, x->file);
		fprintf(f, "\n  verdict: %s\n  duration_s: %.3f\n", scn_outcome_name(x->outcome), x->wall_s);
		if (x->outcome == SCN_OUT_ERROR) {
			fputs("  message: ", f);
			yaml_str(f, x->message);
			fputc('\n', f);
		} else {
			fputs("  failed:\n", f);
			for (size_t k = 0; k < x->v.n_items; k++)
				if (strncmp(x->v.item[k], "FAIL", 4) == 0) {
					fputs("    - ", f);
					yaml_str(f, x->v.item[k] + 5);
					fputc('\n', f);
				}
		}
		fputs("  ...\n", f);
	}
	if (fclose(f) != 0) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
