/*
 * scn_expect.h — one expectation of a scenario ([expect] section), and its
 * verdict against what a run measured (scn_meas.h).
 *
 *   METRIC OP VALUE [± TOLERANCE]
 *
 *   tunnel.up_at            <= 5s
 *   client.retransmits      == 0
 *   link.wan.ip_fragments   == 0
 *   drops.home.frag-non-first >= 1
 *   client.exchanges        starts "IKE_SA_INIT IKE_AUTH"
 *   link.access.keepalive_gap_mean == 20s ± 1s
 *   count(ike retransmit who=client) >= 3
 *   first(ike child_up who=client) == never
 *
 * METRIC is a name from the catalogue (scn_metric_unit) or a function of
 * an event filter: count(F), first(F), last(F) (time of the first / last
 * matching event, "never" when none), gap_max(F), gap_min(F), gap_mean(F)
 * (time between consecutive matches, "never" with fewer than two).
 * OP: == != < <= > >= for numbers and times ("never" is later than any
 * time); == != has starts for word sequences ("has": the words occur in
 * this order, one after the other).
 */
#ifndef VPNLAB_SIM_SCN_EXPECT_H
#define VPNLAB_SIM_SCN_EXPECT_H

#include <stddef.h>

#include "sim/scenario/scn_meas.h"

enum scn_op { SCN_OP_EQ, SCN_OP_NE, SCN_OP_LT, SCN_OP_LE, SCN_OP_GT, SCN_OP_GE, SCN_OP_HAS,
	      SCN_OP_STARTS };

enum scn_fn { SCN_FN_NONE, SCN_FN_COUNT, SCN_FN_FIRST, SCN_FN_LAST, SCN_FN_GAP_MAX,
	      SCN_FN_GAP_MIN, SCN_FN_GAP_MEAN };

struct scn_expect {
	char text[256];     /* as written, trimmed */
	enum scn_fn fn;
	char metric[160];   /* catalogue name, or the event filter of fn */
	enum scn_unit unit; /* of the metric */
	enum scn_op op;
	struct scn_value want;
	double tol;         /* in the unit of want.num; 0 = exact */
	unsigned line;      /* in the scenario file */
	unsigned metric_col, value_col;
};

/*
 * scn_expect_parse parses the expectation |text| (one line, comment
 * removed) written at |line|, column |col0| of the file. On error returns
 * -1 with "what, expected ..." in |err| and the 1-based column in the
 * file in |*err_col|. Metric names are checked against the catalogue,
 * not against the scenario (scn_parse checks link, box and flow names).
 */
int scn_expect_parse(const char *text, unsigned line, unsigned col0, struct scn_expect *out,
		     char *err, size_t errlen, unsigned *err_col);

/*
 * scn_metric_parse reads one metric at the start of |text| (a catalogue
 * name or fn(filter)) into out->fn, out->metric and out->unit; |*used|
 * gets its length. -1 with |err| and the offset of the problem in |*bad_off|.
 */
int scn_metric_parse(const char *text, struct scn_expect *out, size_t *used, char *err,
		     size_t errlen, size_t *bad_off);

/*
 * scn_metric_unit: the unit of catalogue metric |name|, or -1 if unknown
 * (then |err| lists what is known near it). |parts| (may be NULL) gets the
 * object names in the metric: link, box or flow name, drop reason.
 */
int scn_metric_unit(const char *name, char parts[2][64], char *err, size_t errlen);

/* scn_metric_pattern is the |i|-th catalogue pattern ("link.<link>.ip_fragments"), NULL past the end. */
const char *scn_metric_pattern(size_t i, enum scn_unit *unit);

struct scn_verdict_item {
	int pass;
	int measured;           /* 0: the run did not produce this metric */
	struct scn_value got;
	char got_text[96];      /* "0.052 s", "never", "not measured" */
};

/* scn_expect_eval judges |e| against |m|. */
void scn_expect_eval(const struct scn_expect *e, const struct scn_meas *m,
		     struct scn_verdict_item *out);

const char *scn_op_name(enum scn_op op);

#endif
