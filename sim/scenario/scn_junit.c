/*
 * scn_junit.c — JUnit XML for CI (scn_suite.h), in the shape Jenkins,
 * GitLab and the junit-xml schema (JUnit.xsd of the Ant task) accept:
 *
 *   <testsuites name="vpnlab" tests failures errors skipped time>
 *     <testsuite name="vpnlab scenarios" ... timestamp hostname>
 *       <testcase classname="scenarios.nat" name="natt-hide-nat" time="0.84">
 *         <failure message="1 of 9 expectations failed" type="expectation">...</failure>
 *         | <error message=".." type="run">..</error> | <skipped message="pending: .."/>
 *         <system-out>the expectations with measured values</system-out>
 *       </testcase>
 *
 * Text is escaped (& < > " ') and characters XML 1.0 forbids (controls
 * other than tab, newline, carriage return) are replaced by '?'.
 */
#include "sim/scenario/scn_suite.h"

#include <errno.h>
#include <string.h>

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c, f);
		}
	}
}

static void items(FILE *f, const struct scn_suite_entry *x, int failed_only)
{
	for (size_t k = 0; k < x->v.n_items; k++) {
		if (failed_only && strncmp(x->v.item[k], "FAIL", 4) != 0)
			continue;
		xml_text(f, x->v.item[k]);
		fputc('\n', f);
	}
}

int scn_junit_write(const char *path, const struct scn_suite_entry *e, size_t n, double wall_s,
		    char *err, size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	size_t c[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < n; i++)
		c[e[i].outcome]++;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"vpnlab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, c[SCN_OUT_FAIL], c[SCN_OUT_ERROR], c[SCN_OUT_SKIP], wall_s);
	fprintf(f, "  <testsuite name=\"vpnlab scenarios\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, c[SCN_OUT_FAIL], c[SCN_OUT_ERROR], c[SCN_OUT_SKIP], wall_s);
	for (size_t i = 0; i < n; i++) {
		const struct scn_suite_entry *x = &e[i];
		fputs("    <testcase classname=\"", f);
		xml_text(f, x->group[0] ? x->group : "scenarios");
		fputs("\" name=\"", f);
		xml_text(f, x->name);
		fprintf(f, "\" file=\"");
		xml_text(f, x->file);
		fprintf(f, "\" time=\"%.3f\">\n", x->wall_s);
		switch (x->outcome) {
		case SCN_OUT_PASS:
			break;
		case SCN_OUT_FAIL:
			fprintf(f, "      <failure type=\"expectation\" message=\"%zu of %zu expectations failed\">",
				x->v.n_failed, x->v.n_items);
			items(f, x, 1);
			fputs("</failure>\n", f);
			break;
		case SCN_OUT_ERROR:
			fputs("      <error type=\"run\" message=\"", f);
			xml_text(f, x->message);
			fputs("\"/>\n", f);
			break;
		case SCN_OUT_SKIP:
			fputs("      <skipped message=\"pending: ", f);
			xml_text(f, x->message);
			fputs("\"/>\n", f);
			break;
		}
		if (x->v.n_items) {
			fputs("      <system-out>", f);
			items(f, x, 0);
			fputs("</system-out>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f) != 0) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
