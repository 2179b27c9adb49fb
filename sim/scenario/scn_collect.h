/*
 * scn_collect.h — turns a finished simulation into the metrics of the
 * catalogue (scn_expect.c): counters read from the live objects before
 * ns3shim_destroy (engines, host adapters, middleboxes, traffic apps), and
 * metrics derived from the event lines afterwards (exchange sequences,
 * proposal attempts, message sizes).
 */
#ifndef VPNLAB_SIM_SCN_COLLECT_H
#define VPNLAB_SIM_SCN_COLLECT_H

#include <stdint.h>

#include "sim/scenario/scn.h"
#include "sim/scenario/scn_build.h"
#include "sim/scenario/scn_meas.h"

struct scn_collect_in {
	const struct scn *s;
	const struct scn_topo *topo;
	uint64_t first_up_ns; /* client's first CHILD SA; UINT64_MAX = never */
	unsigned restarts[2]; /* engine restarts by enum scn_side (kill + new engine) */
	int flow_app[SCN_MAX_TRAFFIC];  /* ns3apps ids, -1 = none */
	int flow_sink[SCN_MAX_TRAFFIC];
	int flow_not_started[SCN_MAX_TRAFFIC];
};

/* scn_collect_live reads every counter of the simulation (call before ns3shim_destroy). */
void scn_collect_live(const struct scn_collect_in *in, struct scn_meas *m);
/* scn_collect_events derives the event-based metrics from m's events. */
void scn_collect_events(const struct scn *s, struct scn_meas *m);

#endif
