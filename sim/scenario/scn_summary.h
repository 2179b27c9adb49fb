/*
 * scn_summary.h — summary.txt: one page for a person who wants to know
 * what happened in a run: the description and drawing, the path with its
 * parameters, a timeline of the events that matter (IKE exchanges with
 * sizes, retransmissions, state changes, CHILD SAs, scenario actions,
 * middlebox drops grouped by reason), the expectations with measured
 * values, and every non-zero measurement.
 */
#ifndef VPNLAB_SIM_SCN_SUMMARY_H
#define VPNLAB_SIM_SCN_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "sim/scenario/scn.h"
#include "sim/scenario/scn_run.h"

enum { SCN_TIMELINE_MAX = 80 };

void scn_summary_print(FILE *f, const struct scn *s, const struct scn_result *r);
int scn_summary_write(const char *path, const struct scn *s, const struct scn_result *r, char *err,
		      size_t cap);

#endif
