/*
 * scn_verdict.h — verdict.txt: the outcome of one run, one fact a line,
 * readable as is and read back by `vpnlab suite`:
 *
 *   verdict PASS
 *   scenario natt-hide-nat
 *   file scenarios/nat/natt-hide-nat.scn
 *   seed 7
 *   sim_time 60.000 s
 *   wall_time 0.412 s
 *   events 123456
 *   expect pass tunnel.up_at <= 5s => 0.052 s
 *   expect FAIL client.retransmits == 0 => 2
 *   show tunnel.up_at => 0.052 s
 *
 * "verdict" is PASS, FAIL (an expectation failed), ERROR (the run could
 * not complete: then "error <message>") or SKIP ("reason <why>").
 */
#ifndef VPNLAB_SIM_SCN_VERDICT_H
#define VPNLAB_SIM_SCN_VERDICT_H

#include <stddef.h>
#include <stdio.h>

#include "sim/scenario/scn.h"
#include "sim/scenario/scn_run.h"

enum { SCN_VERDICT_SHOW_MAX = 8, SCN_VERDICT_ITEMS_MAX = SCN_MAX_EXPECT };

/* scn_verdict_print writes the verdict of a completed run (|r|). */
void scn_verdict_print(FILE *f, const struct scn *s, const struct scn_result *r);
/* scn_verdict_print_other writes an ERROR (|what| "ERROR") or SKIP verdict with |msg|. */
void scn_verdict_print_other(FILE *f, const char *name, const char *file, const char *what,
			     const char *msg);
/* scn_verdict_write writes scn_verdict_print's text to |path|; -1 with |err| on failure. */
int scn_verdict_write(const char *path, const struct scn *s, const struct scn_result *r, char *err,
		      size_t cap);

/* scn_verdict_file: what `suite` reads back. */
struct scn_verdict_file {
	char verdict[8];   /* PASS FAIL ERROR SKIP */
	char name[64];
	char message[512]; /* error or skip reason */
	double wall_s, sim_s;
	size_t n_items, n_failed;
	char item[SCN_VERDICT_ITEMS_MAX][320];     /* "pass tunnel.up_at <= 5s => 0.052 s" */
	size_t n_show;
	char show[SCN_VERDICT_SHOW_MAX][160];      /* "tunnel.up_at=0.052 s" */
};

/* scn_verdict_read parses |path|; -1 with |err| if missing or without a verdict line. */
int scn_verdict_read(const char *path, struct scn_verdict_file *v, char *err, size_t cap);

#endif
