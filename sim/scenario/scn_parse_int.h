/*
 * scn_parse_int.h — internals shared by the scenario parser's files:
 * scn_parse.c (sections, [scenario], profiles, cross-checks),
 * scn_network.c ([network]) and scn_plan.c ([traffic], [events]).
 */
#ifndef VPNLAB_SIM_SCN_PARSE_INT_H
#define VPNLAB_SIM_SCN_PARSE_INT_H

#include <stddef.h>

#include "sim/scenario/scn.h"

enum { SCN_TOK_MAX = 24, SCN_TOK_LEN = 256 };

/* scn_tok: one blank-separated word of a line and its 1-based column. */
struct scn_tok {
	char s[SCN_TOK_LEN];
	unsigned col;
};

struct scn_line {
	unsigned line;
	size_t n;
	struct scn_tok tok[SCN_TOK_MAX];
};

struct scn_pstate {
	const char *file;
	struct scn *s;
	char *err;
	size_t errlen;
	char why[SCN_ERR_MAX]; /* scratch for the value parsers' messages */
};

/* scn_perr writes "file:line:col: ..." into ps->err and returns -1. */
int scn_perr(struct scn_pstate *ps, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * scn_tokenize splits |len| octets of |text| (line |line|) into words,
 * dropping a comment ('#' at the start or after a blank). -1 on a word
 * too long or too many words.
 */
int scn_tokenize(struct scn_pstate *ps, unsigned line, const char *text, size_t len,
		 struct scn_line *out);

/*
 * scn_kv splits word |t| "key=value": copies the key into |key|, points
 * |*val| at the value and sets |*vcol|. -1 (error set) if there is no '='
 * or the value is empty; |what| names the line kind for the message.
 */
int scn_kv(struct scn_pstate *ps, unsigned line, const struct scn_tok *t, const char *what,
	   char *key, size_t kcap, const char **val, unsigned *vcol);

/* scn_network_line parses one [network] line into ps->s (order checked later). */
int scn_network_line(struct scn_pstate *ps, const struct scn_line *l, int *kind_out);
/* scn_network_finish checks the order of the path and fills default addresses. */
int scn_network_finish(struct scn_pstate *ps, const int *kinds, const unsigned *lines, size_t n);

/* scn_traffic_line / scn_event_line parse one line of [traffic] / [events]. */
int scn_traffic_line(struct scn_pstate *ps, const struct scn_line *l);
int scn_event_line(struct scn_pstate *ps, const struct scn_line *l, const char *text, size_t len);

/* network line kinds (scn_network_line's |kind_out|) */
enum { SCN_NL_CLIENT = 100, SCN_NL_GATEWAY, SCN_NL_LINK, SCN_NL_BOX };

#endif
