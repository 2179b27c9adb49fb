/*
 * scn_meas.h — what a run measured: named values ("client.retransmits",
 * "link.wan.ip_fragments", "traffic.p1.rx_bytes") and the run's events
 * (JSON lines from ref/ and sim/). Expectations (scn_expect.h) are judged
 * against one of these; the verdict and summary writers print from it.
 *
 * Values carry a unit so that "tunnel.up_at <= 5" (a time without a unit)
 * is refused when the file is parsed, and so that printing is uniform.
 *
 * Events are kept as lines. An event filter ("ike retransmit who=client")
 * is a list of terms: bare words match "src" then "ev" in that order
 * (one bare word matches "ev"), key=value matches a field exactly, and
 * key~text matches a field containing text. Numbers and booleans compare
 * by their JSON text ("mid=1", "response=false").
 */
#ifndef VPNLAB_SIM_SCN_MEAS_H
#define VPNLAB_SIM_SCN_MEAS_H

#include <stddef.h>
#include <stdint.h>

enum scn_unit {
	SCN_U_COUNT,    /* a number of things */
	SCN_U_TIME,     /* nanoseconds; may be "never" */
	SCN_U_BYTES,
	SCN_U_FRACTION, /* 0..1, printed as a percentage */
	SCN_U_BOOL,
	SCN_U_WORDS,    /* a word sequence: "IKE_SA_INIT IKE_AUTH" */
};

enum { SCN_WORDS_MAX = 512 };

struct scn_value {
	enum scn_unit unit;
	int never;   /* SCN_U_TIME: it did not happen */
	double num;  /* everything but words (time in ns, bool 0/1) */
	char words[SCN_WORDS_MAX];
};

const char *scn_unit_name(enum scn_unit u);
/* scn_value_format prints |v| for people: "0.052 s", "never", "3", "4096 B", "10.0 %", "yes". */
const char *scn_value_format(const struct scn_value *v, char *buf, size_t cap);

struct scn_meas;

struct scn_meas *scn_meas_new(void);
void scn_meas_free(struct scn_meas *m);

/* scn_meas_set records |name| (replacing an earlier value). 0, or -1 when out of memory. */
int scn_meas_set(struct scn_meas *m, const char *name, const struct scn_value *v);
int scn_meas_set_num(struct scn_meas *m, const char *name, enum scn_unit u, double num);
int scn_meas_set_time(struct scn_meas *m, const char *name, uint64_t ns, int never);
int scn_meas_set_words(struct scn_meas *m, const char *name, const char *words);
/* scn_meas_get returns the value of |name| or NULL. */
const struct scn_value *scn_meas_get(const struct scn_meas *m, const char *name);
/* scn_meas_count / scn_meas_name: iterate the names in the order they were first set. */
size_t scn_meas_count(const struct scn_meas *m);
const char *scn_meas_name(const struct scn_meas *m, size_t i);

/* scn_meas_event stores one event line (no newline). 0, or -1 when out of memory. */
int scn_meas_event(struct scn_meas *m, const char *line, size_t len);
size_t scn_meas_n_events(const struct scn_meas *m);
const char *scn_meas_event_line(const struct scn_meas *m, size_t i);

/*
 * scn_meas_filter_check validates the syntax of an event filter; 0, or -1
 * with the problem (and its offset in |filter|) in |err| / |*bad_off|.
 */
int scn_meas_filter_check(const char *filter, char *err, size_t errlen, size_t *bad_off);
/*
 * scn_meas_events_match walks the events matching |filter| in order and
 * returns how many matched; |times| (may be NULL) receives up to |cap| of
 * their times in ns.
 */
size_t scn_meas_events_match(const struct scn_meas *m, const char *filter, uint64_t *times,
			     size_t cap);

/*
 * scn_ev_field copies the value of field |key| of the flat JSON object
 * |line| into |out| (strings unescaped, other values as written).
 * Returns 1 if found, 0 if not, -1 if the line is not a flat JSON object.
 */
int scn_ev_field(const char *line, const char *key, char *out, size_t cap);
/* scn_ev_time returns the "t" field in ns (0 if absent). */
uint64_t scn_ev_time(const char *line);

#endif
