/*
 * scn_run.h — run one scenario: build its topology on the simulator
 * (scn_build.h), schedule its traffic and events, run to the duration,
 * measure, and judge every expectation.
 *
 *   struct scn_run_opts o = {.out_dir = "out/natt", .pcap_meter = meter};
 *   struct scn_result *r = scn_result_new();
 *   if (scn_run(s, &o, r) < 0) fprintf(stderr, "%s\n", r->err);   // exit 2
 *   else exit(r->pass ? 0 : 1);
 *
 * ONE RUN PER PROCESS: ns-3 keeps global random-stream state, so a second
 * run in the same process is not reproducible (NS3-NOTES.md). `vpnlab
 * suite` and the tests fork a process per scenario.
 *
 * Files written to |out_dir| (created if missing): events.jsonl (every
 * event of ref/ and sim/ plus the scenario's own {"src":"scenario",...}),
 * one pcap per link (<link>.pcap; a cluster's member links
 * <link>-<k>.pcap), captured on the link's client-side device, both
 * directions.
 */
#ifndef VPNLAB_SIM_SCN_RUN_H
#define VPNLAB_SIM_SCN_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "ref/util/evlog.h"
#include "sim/scenario/scn.h"
#include "sim/scenario/scn_meas.h"

enum { SCN_MAX_PCAPS = SCN_MAX_LINKS + SCN_MAX_MEMBERS, SCN_PATH_MAX = 512 };

/*
 * scn_pcap_meter measures link |link| from its capture files |paths|
 * (several for a cluster's member links) after the run, setting the
 * "link.<link>.*" metrics of scn_expect.c's catalogue in |m|. Returns 0,
 * or -1 with the reason in |err|. It is a callback because the pcap
 * decoder (conformance/) is linked after the simulator library.
 */
typedef int (*scn_pcap_meter)(void *ctx, const char *const *paths, size_t n, const char *link,
			      struct scn_meas *m, char *err, size_t cap);

struct scn_run_opts {
	uint64_t seed;             /* 0 = the scenario's */
	const char *out_dir;       /* NULL = no files (no pcaps: link.* not measured) */
	scn_pcap_meter pcap_meter; /* NULL = link.* not measured */
	void *meter_ctx;
	const struct ev_sink *tee; /* also gets every event line (may be NULL) */
	int force;                 /* run even if the scenario is pending */
};

struct scn_result {
	uint64_t seed;
	int pass;                  /* every expectation met */
	size_t n_pass, n_fail;
	struct scn_verdict_item item[SCN_MAX_EXPECT];
	struct scn_meas *meas;     /* owned; every metric measured */
	uint64_t sim_events;       /* ns-3 events executed */
	uint64_t sim_ns;           /* simulated time reached */
	double wall_s;             /* wall time of the simulation + measuring */
	size_t n_pcaps;
	char pcap[SCN_MAX_PCAPS][SCN_PATH_MAX];
	char pcap_link[SCN_MAX_PCAPS][SCN_NAME_MAX];
	char err[SCN_ERR_MAX];     /* why scn_run returned -1 */
};

struct scn_result *scn_result_new(void);
void scn_result_free(struct scn_result *r);

/*
 * scn_run runs |s| once. Returns 0 when the run completed (r->pass says
 * whether every expectation held), -1 when it could not run (bad
 * topology, engine refused its profile, files not writable: r->err).
 */
int scn_run(const struct scn *s, const struct scn_run_opts *o, struct scn_result *r);

#endif
