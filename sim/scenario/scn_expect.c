/*
 * scn_expect.c — expectations: the metric catalogue, the line parser and
 * the judge (scn_expect.h).
 */
#include "sim/scenario/scn_expect.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_units.h"

/*
 * metric_table: every metric a run measures (scn_run.c fills them under
 * these names). <link>, <box>, <flow>, <reason>, <exchange> match one
 * name segment.
 */
static const struct metric {
	const char *pattern;
	enum scn_unit unit;
} metric_table[] = {
	{"tunnel.up", SCN_U_BOOL},	     /* the client holds a CHILD SA at the end */
	{"tunnel.up_at", SCN_U_TIME},	     /* first CHILD SA up at the client */
	{"tunnel.ups", SCN_U_COUNT},	     /* CHILD SAs the client installed (rekeys too) */
	{"tunnel.downs", SCN_U_COUNT},	     /* CHILD SAs the client removed */
	{"<side>.established", SCN_U_BOOL},  /* an IKE SA is ESTABLISHED at the end */
	{"<side>.state", SCN_U_WORDS},	     /* state of the first IKE SA at the end, or NONE */
	{"<side>.sas", SCN_U_COUNT},	     /* IKE SAs held at the end */
	{"<side>.children", SCN_U_COUNT},    /* CHILD SAs of the first IKE SA at the end */
	{"<side>.retransmits", SCN_U_COUNT}, /* requests sent again on timeout */
	{"<side>.resent_responses", SCN_U_COUNT},
	{"<side>.msgs_sent", SCN_U_COUNT},
	{"<side>.msgs_recv", SCN_U_COUNT},
	{"<side>.frags_sent", SCN_U_COUNT}, /* RFC 7383 fragments */
	{"<side>.frags_recv", SCN_U_COUNT},
	{"<side>.drops", SCN_U_COUNT},	    /* datagrams the engine dropped */
	{"<side>.keepalives_sent", SCN_U_COUNT},
	{"<side>.children_up", SCN_U_COUNT},
	{"<side>.children_down", SCN_U_COUNT},
	{"<side>.exchanges", SCN_U_WORDS},	/* exchanges of the requests it sent, in order */
	{"<side>.proposal_attempts", SCN_U_COUNT}, /* CHILD SA proposal lists offered ("child_offer") */
	{"<side>.size.<exchange>", SCN_U_BYTES}, /* largest request of that exchange it sent */
	{"<side>.restarts", SCN_U_COUNT},	/* engine restarts by events */
	{"<side>.esp_sealed", SCN_U_COUNT},	/* inner packets encrypted (host adapter) */
	{"<side>.esp_opened", SCN_U_COUNT},	/* decrypted, checked and delivered */
	{"<side>.esp_rejected", SCN_U_COUNT},	/* ESP refused: unknown SPI, ICV, replay ... */
	{"<side>.host_drops", SCN_U_COUNT},	/* adapter drops: no-sa, ts-mismatch, ... */
	{"link.<link>.packets", SCN_U_COUNT},	/* frames captured, both directions */
	{"link.<link>.bytes", SCN_U_BYTES},
	{"link.<link>.ip_fragments", SCN_U_COUNT}, /* frames with MF or a fragment offset */
	{"link.<link>.ike", SCN_U_COUNT},	   /* IKE messages (UDP 500/4500) */
	{"link.<link>.ike_fragments", SCN_U_COUNT}, /* IKE messages that are SKF fragments */
	{"link.<link>.ike_max_size", SCN_U_BYTES},  /* largest IKE message (UDP payload) */
	{"link.<link>.esp", SCN_U_COUNT},	    /* ESP packets, plain or in UDP */
	{"link.<link>.esp_udp", SCN_U_COUNT},	    /* ESP in UDP 4500 */
	{"link.<link>.keepalives", SCN_U_COUNT},    /* NAT keepalives (0xFF) */
	{"link.<link>.keepalive_gap_max", SCN_U_TIME},
	{"link.<link>.keepalive_gap_mean", SCN_U_TIME},
	{"link.<link>.icmp", SCN_U_COUNT},
	{"link.<link>.icmp_frag_needed", SCN_U_COUNT}, /* ICMP 3/4 */
	{"link.<link>.udp500", SCN_U_COUNT},	    /* IKE on port 500 */
	{"link.<link>.udp4500", SCN_U_COUNT},	    /* anything on port 4500 */
	{"drops.<box>", SCN_U_COUNT},		    /* every drop of the box */
	{"drops.<box>.<reason>", SCN_U_COUNT},	    /* drops of one reason (sim/mbox/mbox.h) */
	{"traffic.<flow>.tx_packets", SCN_U_COUNT},
	{"traffic.<flow>.rx_packets", SCN_U_COUNT},
	{"traffic.<flow>.tx_bytes", SCN_U_BYTES},
	{"traffic.<flow>.rx_bytes", SCN_U_BYTES},
	{"traffic.<flow>.errors", SCN_U_COUNT},
	{"traffic.<flow>.loss", SCN_U_FRACTION}, /* ping/udp: 1 - rx/tx */
	{"traffic.<flow>.done", SCN_U_BOOL},
	{"traffic.<flow>.delay_avg", SCN_U_TIME},
	{"traffic.<flow>.delay_max", SCN_U_TIME},
	{"traffic.<flow>.first_rx", SCN_U_TIME},
	{"traffic.<flow>.last_rx", SCN_U_TIME},
};

#define NMETRICS (sizeof metric_table / sizeof metric_table[0])

const char *scn_metric_pattern(size_t i, enum scn_unit *unit)
{
	if (i >= NMETRICS)
		return NULL;
	if (unit)
		*unit = metric_table[i].unit;
	return metric_table[i].pattern;
}

/* seg_next copies the next '.'-separated segment of |*p| into |out|. */
static int seg_next(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	if (!*s)
		return 0;
	size_t n = strcspn(s, ".");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	s += strcspn(s, ".");
	*p = *s == '.' ? s + 1 : s;
	return 1;
}

/* metric_match: 1 if |name| matches |pattern|; object names go to |parts|. */
static int metric_match(const char *pattern, const char *name, char parts[2][64])
{
	const char *pp = pattern, *np = name;
	char ps[64], ns[64];
	int nparts = 0;
	for (;;) {
		int a = seg_next(&pp, ps, sizeof ps), b = seg_next(&np, ns, sizeof ns);
		if (!a || !b)
			return a == b;
		if (ns[0] == '\0')
			return 0;
		if (strcmp(ps, "<side>") == 0) {
			if (strcmp(ns, "client") != 0 && strcmp(ns, "gateway") != 0)
				return 0;
		} else if (ps[0] == '<') {
			if (nparts < 2)
				scn_copy(parts[nparts++], 64, ns);
		} else if (strcmp(ps, ns) != 0) {
			return 0;
		}
	}
}

int scn_metric_unit(const char *name, char parts[2][64], char *err, size_t errlen)
{
	char tmp[2][64];
	char (*pp)[64] = parts ? parts : tmp;
	pp[0][0] = pp[1][0] = '\0';
	for (size_t i = 0; i < NMETRICS; i++)
		if (metric_match(metric_table[i].pattern, name, pp))
			return (int)metric_table[i].unit;
	/* suggest the metrics sharing the first segment */
	char first[64], list[400] = "";
	const char *np = name;
	seg_next(&np, first, sizeof first);
	size_t off = 0;
	for (size_t i = 0; i < NMETRICS && off < sizeof list - 40; i++) {
		const char *p = metric_table[i].pattern;
		size_t fl = strlen(first);
		int same = strncmp(p, first, fl) == 0 && p[fl] == '.';
		if (!same && strncmp(p, "<side>.", 7) == 0 &&
		    (strcmp(first, "client") == 0 || strcmp(first, "gateway") == 0))
			same = 1;
		if (same)
			off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", off ? ", " : "", p);
	}
	if (off)
		snprintf(err, errlen, "unknown metric '%s', expected one of %s", name, list);
	else
		snprintf(err, errlen,
			 "unknown metric '%s', expected tunnel.*, client.*, gateway.*, link.*, drops.*, "
			 "traffic.* or count(...), first(...), last(...), gap_max(...), gap_min(...), "
			 "gap_mean(...) (scenarios/README.md lists them)",
			 name);
	return -1;
}

const char *scn_op_name(enum scn_op op)
{
	static const char *const n[] = {"==", "!=", "<", "<=", ">", ">=", "has", "starts"};
	return (unsigned)op < sizeof n / sizeof n[0] ? n[op] : "?";
}

static const struct {
	const char *name;
	enum scn_fn fn;
	enum scn_unit unit;
} fns[] = {
	{"count", SCN_FN_COUNT, SCN_U_COUNT},	{"first", SCN_FN_FIRST, SCN_U_TIME},
	{"last", SCN_FN_LAST, SCN_U_TIME},	{"gap_max", SCN_FN_GAP_MAX, SCN_U_TIME},
	{"gap_min", SCN_FN_GAP_MIN, SCN_U_TIME}, {"gap_mean", SCN_FN_GAP_MEAN, SCN_U_TIME},
};

/* value_parse reads |s| as a value of |unit| into |v|. */
static int value_parse(const char *s, enum scn_unit unit, struct scn_value *v, char *err,
		       size_t errlen)
{
	memset(v, 0, sizeof *v);
	v->unit = unit;
	uint64_t u;
	switch (unit) {
	case SCN_U_TIME:
		if (strcmp(s, "never") == 0) {
			v->never = 1;
			return 0;
		}
		if (scn_parse_duration(s, &u, err, errlen) < 0) {
			size_t n = strlen(err);
			snprintf(err + n, errlen - n, ", or never");
			return -1;
		}
		v->num = (double)u;
		return 0;
	case SCN_U_COUNT:
		return scn_parse_number(s, &v->num, err, errlen);
	case SCN_U_BYTES:
		if (scn_parse_size(s, &u, err, errlen) < 0)
			return -1;
		v->num = (double)u;
		return 0;
	case SCN_U_FRACTION:
		return scn_parse_fraction(s, &v->num, err, errlen);
	case SCN_U_BOOL: {
		int b;
		if (scn_parse_bool(s, &b, err, errlen) < 0)
			return -1;
		v->num = b;
		return 0;
	}
	case SCN_U_WORDS: {
		size_t n = strlen(s);
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
			s++;
			n -= 2;
		} else if (strchr(s, '"')) {
			snprintf(err, errlen, "%s has a stray '\"', expected \"WORD WORD ...\"", s);
			return -1;
		}
		if (n >= sizeof v->words) {
			snprintf(err, errlen, "%zu characters of words, expected at most %zu", n,
				 sizeof v->words - 1);
			return -1;
		}
		/* normalise blanks to single spaces */
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i] == ' ' || s[i] == '\t') {
				if (o && v->words[o - 1] != ' ')
					v->words[o++] = ' ';
			} else {
				v->words[o++] = s[i];
			}
		}
		while (o && v->words[o - 1] == ' ')
			o--;
		v->words[o] = '\0';
		return 0;
	}
	}
	snprintf(err, errlen, "internal: unit %d", (int)unit);
	return -1;
}

int scn_metric_parse(const char *m, struct scn_expect *out, size_t *used, char *err, size_t errlen,
		     size_t *bad_off)
{
	size_t idl = strspn(m, "abcdefghijklmnopqrstuvwxyz_");
	*bad_off = 0;
	if (m[idl] == '(') {
		const char *paren = m + idl;
		size_t i;
		for (i = 0; i < sizeof fns / sizeof fns[0]; i++)
			if (strlen(fns[i].name) == idl && strncmp(m, fns[i].name, idl) == 0)
				break;
		if (i == sizeof fns / sizeof fns[0]) {
			snprintf(err, errlen,
				 "unknown function '%.*s', expected count, first, last, gap_max, gap_min "
				 "or gap_mean",
				 (int)idl, m);
			return -1;
		}
		const char *close = strchr(paren, ')');
		size_t fl = close ? (size_t)(close - paren - 1) : 0;
		if (!close || fl >= sizeof out->metric) {
			*bad_off = idl;
			if (!close)
				snprintf(err, errlen, "'(' without ')', expected %s(EVENT FILTER)", fns[i].name);
			else
				snprintf(err, errlen, "filter of %zu characters, expected at most %zu", fl,
					 sizeof out->metric - 1);
			return -1;
		}
		memcpy(out->metric, paren + 1, fl);
		out->metric[fl] = '\0';
		size_t b = 0;
		if (scn_meas_filter_check(out->metric, err, errlen, &b) < 0) {
			*bad_off = idl + 1 + b;
			return -1;
		}
		out->fn = fns[i].fn;
		out->unit = fns[i].unit;
		*used = (size_t)(close + 1 - m);
		return 0;
	}
	size_t ml = strcspn(m, " \t<>=!,");
	if (ml == 0) {
		snprintf(err, errlen, "no metric, expected METRIC OP VALUE (e.g. tunnel.up_at <= 5s)");
		return -1;
	}
	if (ml >= sizeof out->metric) {
		snprintf(err, errlen, "metric of %zu characters, expected at most %zu", ml,
			 sizeof out->metric - 1);
		return -1;
	}
	memcpy(out->metric, m, ml);
	out->metric[ml] = '\0';
	int u = scn_metric_unit(out->metric, NULL, err, errlen);
	if (u < 0)
		return -1;
	out->fn = SCN_FN_NONE;
	out->unit = (enum scn_unit)u;
	*used = ml;
	return 0;
}

int scn_expect_parse(const char *text, unsigned line, unsigned col0, struct scn_expect *out,
		     char *err, size_t errlen, unsigned *err_col)
{
	memset(out, 0, sizeof *out);
	out->line = line;
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
#define COL(ptr) (col0 + (unsigned)((ptr) - text))
#define FAIL(ptr, ...)                                  \
	do {                                            \
		*err_col = COL(ptr);                    \
		snprintf(err, errlen, __VA_ARGS__);     \
		return -1;                              \
	} while (0)
	size_t tl = strlen(p);
	while (tl && (p[tl - 1] == ' ' || p[tl - 1] == '\t' || p[tl - 1] == '\r'))
		tl--;
	if (tl >= sizeof out->text)
		FAIL(p, "expectation of %zu characters, expected at most %zu", tl, sizeof out->text - 1);
	/* the text for people: blanks outside quotes collapsed to one space */
	size_t o = 0;
	int inq = 0;
	for (size_t i = 0; i < tl; i++) {
		char c = p[i] == '\t' ? ' ' : p[i];
		inq ^= c == '"';
		if (c == ' ' && !inq && o && out->text[o - 1] == ' ')
			continue;
		out->text[o++] = c;
	}
	out->text[o] = '\0';

	/* the metric: a name, or fn(filter) */
	const char *m = p;
	out->metric_col = COL(m);
	size_t used = 0, bad = 0;
	if (scn_metric_parse(m, out, &used, err, errlen, &bad) < 0) {
		*err_col = COL(m + bad);
		return -1;
	}
	p = m + used;

	/* the operator */
	while (*p == ' ' || *p == '\t')
		p++;
	static const struct {
		const char *s;
		enum scn_op op;
	} ops[] = {{"==", SCN_OP_EQ}, {"!=", SCN_OP_NE},  {"<=", SCN_OP_LE},	  {">=", SCN_OP_GE},
		   {"<", SCN_OP_LT},  {">", SCN_OP_GT},	  {"has ", SCN_OP_HAS}, {"starts ", SCN_OP_STARTS}};
	size_t oi;
	for (oi = 0; oi < sizeof ops / sizeof ops[0]; oi++)
		if (strncmp(p, ops[oi].s, strlen(ops[oi].s)) == 0)
			break;
	if (oi == sizeof ops / sizeof ops[0])
		FAIL(p, "'%.*s' is not an operator, expected ==, !=, <, <=, >, >=%s", (int)strcspn(p, " \t"),
		     *p ? p : "(end of line)", out->unit == SCN_U_WORDS ? ", has or starts" : "");
	out->op = ops[oi].op;
	const char *opp = p;
	p += strlen(scn_op_name(out->op));
	int words = out->unit == SCN_U_WORDS;
	if (words && (out->op != SCN_OP_EQ && out->op != SCN_OP_NE && out->op != SCN_OP_HAS &&
		      out->op != SCN_OP_STARTS))
		FAIL(opp, "operator %s on the word sequence %s, expected ==, !=, has or starts",
		     scn_op_name(out->op), out->metric);
	if (!words && (out->op == SCN_OP_HAS || out->op == SCN_OP_STARTS))
		FAIL(opp, "operator %s on a %s, expected ==, !=, <, <=, >, >=", scn_op_name(out->op),
		     scn_unit_name(out->unit));
	if (out->unit == SCN_U_BOOL && out->op != SCN_OP_EQ && out->op != SCN_OP_NE)
		FAIL(opp, "operator %s on yes/no, expected == or !=", scn_op_name(out->op));

	/* the value and an optional tolerance */
	while (*p == ' ' || *p == '\t')
		p++;
	out->value_col = COL(p);
	if (!*p)
		FAIL(p, "no value after %s, expected a %s", scn_op_name(out->op), scn_unit_name(out->unit));
	char val[SCN_WORDS_MAX + 8], tol[64] = "";
	const char *tolp = NULL;
	if (!words) {
		const char *pm = strstr(p, "\xc2\xb1"); /* ± */
		const char *ascii = strstr(p, "+-");
		if (pm || ascii) {
			tolp = pm ? pm : ascii;
			const char *t = tolp + 2;
			while (*t == ' ' || *t == '\t')
				t++;
			scn_copy(tol, sizeof tol, t);
			tol[strcspn(tol, " \t\r")] = '\0';
		}
	}
	size_t vl = tolp ? (size_t)(tolp - p) : strlen(p);
	while (vl && (p[vl - 1] == ' ' || p[vl - 1] == '\t' || p[vl - 1] == '\r'))
		vl--;
	if (vl >= sizeof val)
		FAIL(p, "value of %zu characters, expected at most %zu", vl, sizeof val - 1);
	memcpy(val, p, vl);
	val[vl] = '\0';
	if (!words && strpbrk(val, " \t"))
		FAIL(p + strcspn(val, " \t"), "text after the value '%.*s', expected one value%s",
		     (int)strcspn(val, " \t"), val, out->unit == SCN_U_BOOL ? "" : " (and ± TOLERANCE)");
	if (value_parse(val, out->unit, &out->want, err, errlen) < 0) {
		*err_col = COL(p);
		return -1;
	}
	if (tolp) {
		if (out->op != SCN_OP_EQ && out->op != SCN_OP_NE)
			FAIL(tolp, "tolerance with %s, expected it only with == or !=", scn_op_name(out->op));
		if (out->unit == SCN_U_BOOL)
			FAIL(tolp, "tolerance on yes/no, expected none");
		struct scn_value tv;
		if (!tol[0])
			FAIL(tolp, "no tolerance after ±, expected e.g. ± 1s");
		if (value_parse(tol, out->unit, &tv, err, errlen) < 0 || tv.never) {
			if (tv.never)
				snprintf(err, errlen, "tolerance 'never', expected a duration");
			*err_col = COL(tolp) + 2;
			return -1;
		}
		out->tol = tv.num;
	}
	return 0;
#undef FAIL
#undef COL
}

/* words_has: |needle| occurs in |hay| as whole consecutive words (|at_start|: at the start). */
static int words_has(const char *hay, const char *needle, int at_start)
{
	size_t nl = strlen(needle);
	if (nl == 0)
		return 1;
	for (const char *p = hay; *p;) {
		if (strncmp(p, needle, nl) == 0 && (p[nl] == '\0' || p[nl] == ' '))
			return 1;
		if (at_start)
			return 0;
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	return 0;
}

static void fn_eval(const struct scn_expect *e, const struct scn_meas *m, struct scn_value *v)
{
	memset(v, 0, sizeof *v);
	v->unit = e->unit;
	size_t n = scn_meas_events_match(m, e->metric, NULL, 0);
	if (e->fn == SCN_FN_COUNT) {
		v->num = (double)n;
		return;
	}
	if (n == 0 || ((e->fn == SCN_FN_GAP_MAX || e->fn == SCN_FN_GAP_MIN ||
			e->fn == SCN_FN_GAP_MEAN) && n < 2)) {
		v->never = 1;
		return;
	}
	uint64_t *t = malloc(n * sizeof *t);
	if (!t) {
		v->never = 1;
		return;
	}
	scn_meas_events_match(m, e->metric, t, n);
	switch (e->fn) {
	case SCN_FN_FIRST: v->num = (double)t[0]; break;
	case SCN_FN_LAST: v->num = (double)t[n - 1]; break;
	default: {
		uint64_t mx = 0, mn = UINT64_MAX;
		for (size_t i = 1; i < n; i++) {
			uint64_t g = t[i] - t[i - 1];
			mx = g > mx ? g : mx;
			mn = g < mn ? g : mn;
		}
		v->num = e->fn == SCN_FN_GAP_MAX   ? (double)mx
			 : e->fn == SCN_FN_GAP_MIN ? (double)mn
						   : (double)(t[n - 1] - t[0]) / (double)(n - 1);
	}
	}
	free(t);
}

void scn_expect_eval(const struct scn_expect *e, const struct scn_meas *m,
		     struct scn_verdict_item *out)
{
	memset(out, 0, sizeof *out);
	if (e->fn != SCN_FN_NONE) {
		fn_eval(e, m, &out->got);
	} else {
		const struct scn_value *v = scn_meas_get(m, e->metric);
		if (!v) {
			snprintf(out->got_text, sizeof out->got_text, "not measured");
			return;
		}
		out->got = *v;
	}
	out->measured = 1;
	scn_value_format(&out->got, out->got_text, sizeof out->got_text);
	const struct scn_value *g = &out->got, *w = &e->want;
	int pass = 0;
	if (e->unit == SCN_U_WORDS) {
		switch (e->op) {
		case SCN_OP_EQ: pass = strcmp(g->words, w->words) == 0; break;
		case SCN_OP_NE: pass = strcmp(g->words, w->words) != 0; break;
		case SCN_OP_HAS: pass = words_has(g->words, w->words, 0); break;
		case SCN_OP_STARTS: pass = words_has(g->words, w->words, 1); break;
		default: pass = 0;
		}
		out->pass = pass;
		return;
	}
	/* "never" is later than any time */
	double gv = g->never ? INFINITY : g->num, wv = w->never ? INFINITY : w->num;
	int eq = (g->never || w->never) ? g->never == w->never : fabs(gv - wv) <= e->tol;
	switch (e->op) {
	case SCN_OP_EQ: pass = eq; break;
	case SCN_OP_NE: pass = !eq; break;
	case SCN_OP_LT: pass = gv < wv; break;
	case SCN_OP_LE: pass = gv <= wv; break;
	case SCN_OP_GT: pass = gv > wv; break;
	case SCN_OP_GE: pass = gv >= wv; break;
	default: pass = 0;
	}
	out->pass = pass;
}
