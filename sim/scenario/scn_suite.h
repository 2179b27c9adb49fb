/*
 * scn_suite.h — the reports of a suite run (`vpnlab suite`): one entry per
 * scenario, printed as a table (scn_table.c), JUnit XML (scn_junit.c) and
 * TAP version 13 (scn_tap.c).
 *
 * Verdicts: PASS, FAIL (an expectation failed: the failed lines are kept),
 * ERROR (did not parse, could not run, crashed or timed out: message),
 * SKIP (status = pending: the reason). A SKIP is never counted as passed:
 * JUnit <skipped/>, TAP "# SKIP".
 */
#ifndef VPNLAB_SIM_SCN_SUITE_H
#define VPNLAB_SIM_SCN_SUITE_H

#include <stddef.h>
#include <stdio.h>

#include "sim/scenario/scn_verdict.h"

enum scn_outcome { SCN_OUT_PASS, SCN_OUT_FAIL, SCN_OUT_ERROR, SCN_OUT_SKIP };

struct scn_suite_entry {
	char name[64];
	char file[512];
	char group[128];          /* directory of the file below the suite root ("nat") */
	enum scn_outcome outcome;
	double wall_s;
	char message[512];        /* ERROR / SKIP */
	struct scn_verdict_file v; /* what the run wrote (PASS / FAIL) */
	char out_dir[512];
};

const char *scn_outcome_name(enum scn_outcome o);

/* scn_table_print prints the suite table and a totals line. */
void scn_table_print(FILE *f, const struct scn_suite_entry *e, size_t n, double wall_s);
/* scn_junit_write writes JUnit XML (testsuites > testsuite > testcase). -1 with |err|. */
int scn_junit_write(const char *path, const struct scn_suite_entry *e, size_t n, double wall_s,
		    char *err, size_t cap);
/* scn_tap_write writes TAP version 13 with a YAML block per failure. -1 with |err|. */
int scn_tap_write(const char *path, const struct scn_suite_entry *e, size_t n, char *err,
		  size_t cap);

#endif
