/*
 * scn_table.c — the suite table for people (scn_suite.h):
 *
 *   scenario                 verdict  time   key values
 *   baseline                 PASS     0.9s   tunnel.up_at=0.048 s  client.size.IKE_AUTH=433 B
 *   frag-cert-plain          PASS     2.1s   ...
 *   nat-reboot               FAIL     1.2s   ...
 *                                      └ FAIL tunnel.up == yes => no
 *   ipsec-pmtu               SKIP            pending: needs the PMTU features
 */
#include "sim/scenario/scn_suite.h"

#include <string.h>

const char *scn_outcome_name(enum scn_outcome o)
{
	static const char *const n[] = {"PASS", "FAIL", "ERROR", "SKIP"};
	return (unsigned)o < 4 ? n[o] : "?";
}

void scn_table_print(FILE *f, const struct scn_suite_entry *e, size_t n, double wall_s)
{
	size_t w = 8, count[4] = {0, 0, 0, 0};
	double cpu = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(e[i].name) > w)
			w = strlen(e[i].name);
	fprintf(f, "%-*s  %-7s %7s  %s\n", (int)w, "scenario", "verdict", "time", "key values");
	for (size_t i = 0; i < n; i++) {
		const struct scn_suite_entry *x = &e[i];
		count[x->outcome]++;
		cpu += x->wall_s;
		char t[16] = "";
		if (x->outcome == SCN_OUT_PASS || x->outcome == SCN_OUT_FAIL ||
		    (x->outcome == SCN_OUT_ERROR && x->wall_s > 0))
			snprintf(t, sizeof t, "%.1fs", x->wall_s);
		fprintf(f, "%-*s  %-7s %7s  ", (int)w, x->name, scn_outcome_name(x->outcome), t);
		if (x->outcome == SCN_OUT_SKIP || x->outcome == SCN_OUT_ERROR) {
			fprintf(f, "%s%s\n", x->outcome == SCN_OUT_SKIP ? "pending: " : "", x->message);
			continue;
		}
		for (size_t k = 0; k < x->v.n_show; k++)
			fprintf(f, "%s%s", k ? "  " : "", x->v.show[k]);
		fputc('\n', f);
		for (size_t k = 0; x->outcome == SCN_OUT_FAIL && k < x->v.n_items; k++)
			if (strncmp(x->v.item[k], "FAIL", 4) == 0)
				fprintf(f, "%-*s  %-7s %7s  └ %s\n", (int)w, "", "", "", x->v.item[k]);
	}
	fprintf(f, "\n%zu scenarios: %zu passed, %zu failed, %zu errors, %zu skipped; %.1f s wall (%.1f s of runs)\n",
		n, count[SCN_OUT_PASS], count[SCN_OUT_FAIL], count[SCN_OUT_ERROR], count[SCN_OUT_SKIP],
		wall_s, cpu);
}
