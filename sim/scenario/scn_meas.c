/*
 * scn_meas.c — the measurement store (scn_meas.h): named values in an
 * array (a run has a few hundred), events as lines, and a matcher for
 * flat JSON objects as ref/util/evlog.h writes them.
 */
#include "sim/scenario/scn_meas.h"

#include "sim/scenario/scn_units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meas_entry {
	char *name;
	struct scn_value v;
};

struct scn_meas {
	struct meas_entry *e;
	size_t n, cap;
	char **ev;
	size_t n_ev, cap_ev;
};

const char *scn_unit_name(enum scn_unit u)
{
	switch (u) {
	case SCN_U_COUNT: return "count";
	case SCN_U_TIME: return "time";
	case SCN_U_BYTES: return "bytes";
	case SCN_U_FRACTION: return "fraction";
	case SCN_U_BOOL: return "yes/no";
	case SCN_U_WORDS: return "words";
	}
	return "?";
}

const char *scn_value_format(const struct scn_value *v, char *buf, size_t cap)
{
	switch (v->unit) {
	case SCN_U_TIME:
		if (v->never)
			snprintf(buf, cap, "never");
		else
			snprintf(buf, cap, "%.3f s", v->num / 1e9);
		break;
	case SCN_U_COUNT:
		if (v->num == (double)(long long)v->num)
			snprintf(buf, cap, "%lld", (long long)v->num);
		else
			snprintf(buf, cap, "%.3f", v->num);
		break;
	case SCN_U_BYTES:
		snprintf(buf, cap, "%.0f B", v->num);
		break;
	case SCN_U_FRACTION:
		snprintf(buf, cap, "%.1f %%", v->num * 100.0);
		break;
	case SCN_U_BOOL:
		snprintf(buf, cap, "%s", v->num != 0 ? "yes" : "no");
		break;
	case SCN_U_WORDS:
		snprintf(buf, cap, "\"%s\"", v->words);
		break;
	}
	return buf;
}

struct scn_meas *scn_meas_new(void)
{
	return calloc(1, sizeof(struct scn_meas));
}

void scn_meas_free(struct scn_meas *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	for (size_t i = 0; i < m->n_ev; i++)
		free(m->ev[i]);
	free(m->ev);
	free(m);
}

static struct meas_entry *meas_find(const struct scn_meas *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, name) == 0)
			return &m->e[i];
	return NULL;
}

int scn_meas_set(struct scn_meas *m, const char *name, const struct scn_value *v)
{
	struct meas_entry *e = meas_find(m, name);
	if (e) {
		e->v = *v;
		return 0;
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct meas_entry *ne = realloc(m->e, nc * sizeof *ne);
		if (!ne)
			return -1;
		m->e = ne;
		m->cap = nc;
	}
	char *n = strdup(name);
	if (!n)
		return -1;
	m->e[m->n].name = n;
	m->e[m->n].v = *v;
	m->n++;
	return 0;
}

int scn_meas_set_num(struct scn_meas *m, const char *name, enum scn_unit u, double num)
{
	struct scn_value v = {.unit = u, .num = num};
	return scn_meas_set(m, name, &v);
}

int scn_meas_set_time(struct scn_meas *m, const char *name, uint64_t ns, int never)
{
	struct scn_value v = {.unit = SCN_U_TIME, .num = never ? 0 : (double)ns, .never = never};
	return scn_meas_set(m, name, &v);
}

int scn_meas_set_words(struct scn_meas *m, const char *name, const char *words)
{
	struct scn_value v = {.unit = SCN_U_WORDS};
	scn_copy(v.words, sizeof v.words, words);
	return scn_meas_set(m, name, &v);
}

const struct scn_value *scn_meas_get(const struct scn_meas *m, const char *name)
{
	const struct meas_entry *e = meas_find(m, name);
	return e ? &e->v : NULL;
}

size_t scn_meas_count(const struct scn_meas *m)
{
	return m->n;
}

const char *scn_meas_name(const struct scn_meas *m, size_t i)
{
	return i < m->n ? m->e[i].name : NULL;
}

int scn_meas_event(struct scn_meas *m, const char *line, size_t len)
{
	if (m->n_ev == m->cap_ev) {
		size_t nc = m->cap_ev ? m->cap_ev * 2 : 1024;
		char **ne = realloc(m->ev, nc * sizeof *ne);
		if (!ne)
			return -1;
		m->ev = ne;
		m->cap_ev = nc;
	}
	char *l = malloc(len + 1);
	if (!l)
		return -1;
	memcpy(l, line, len);
	l[len] = '\0';
	m->ev[m->n_ev++] = l;
	return 0;
}

size_t scn_meas_n_events(const struct scn_meas *m)
{
	return m->n_ev;
}

const char *scn_meas_event_line(const struct scn_meas *m, size_t i)
{
	return i < m->n_ev ? m->ev[i] : NULL;
}

/* ------------------------------------------------------------ flat JSON */

/* json_string reads a JSON string at |*p| (after the quote) into |out|; advances |*p| past it. */
static int json_string(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	while (*s && *s != '"') {
		char c = *s++;
		if (c == '\\') {
			char e = *s++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				/* evlog escapes control characters only: keep them as '?' */
				for (int i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)*s++))
						return -1;
				c = '?';
				break;
			case '"': case '\\': case '/': c = e; break;
			default: return -1;
			}
		}
		if (out && n + 1 < cap)
			out[n++] = c;
	}
	if (*s != '"')
		return -1;
	if (out && cap)
		out[n] = '\0';
	*p = s + 1;
	return 0;
}

int scn_ev_field(const char *line, const char *key, char *out, size_t cap)
{
	const char *p = line;
	char k[64];
	while (*p == ' ')
		p++;
	if (*p++ != '{')
		return -1;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '}')
			return 0;
		if (*p++ != '"' || json_string(&p, k, sizeof k) < 0)
			return -1;
		while (*p == ' ')
			p++;
		if (*p++ != ':')
			return -1;
		while (*p == ' ')
			p++;
		int want = strcmp(k, key) == 0;
		if (*p == '"') {
			p++;
			if (json_string(&p, want ? out : NULL, cap) < 0)
				return -1;
		} else {
			/* numbers, true, false, null: no quotes, blanks or brackets */
			const char *v = p;
			while (isalnum((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.')
				p++;
			if (p == v)
				return -1;
			if (want && cap) {
				size_t n = (size_t)(p - v);
				if (n >= cap)
					n = cap - 1;
				memcpy(out, v, n);
				out[n] = '\0';
			}
		}
		if (want)
			return 1;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return -1;
	}
}

uint64_t scn_ev_time(const char *line)
{
	char t[40];
	if (scn_ev_field(line, "t", t, sizeof t) != 1)
		return 0;
	/* "12.000250000": integer seconds and nine decimals, parsed exactly */
	uint64_t s = 0, frac = 0;
	const char *p = t;
	while (isdigit((unsigned char)*p))
		s = s * 10 + (uint64_t)(*p++ - '0');
	int digits = 0;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && digits < 9) {
			frac = frac * 10 + (uint64_t)(*p++ - '0');
			digits++;
		}
	}
	while (digits++ < 9)
		frac *= 10;
	return s * 1000000000ull + frac;
}

/* ------------------------------------------------------------ filters */

enum { FILTER_TERMS_MAX = 8 };

struct term {
	char key[64];
	char val[192];
	int contains; /* key~val */
};

struct filter {
	size_t n;
	struct term t[FILTER_TERMS_MAX];
};

static int filter_parse(const char *f, struct filter *out, char *err, size_t errlen,
			size_t *bad_off)
{
	const char *p = f;
	size_t bare = 0;
	char bare_words[2][192];
	memset(out, 0, sizeof *out);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t n = (size_t)(p - start);
		char tok[256];
		if (n >= sizeof tok) {
			*bad_off = (size_t)(start - f);
			snprintf(err, errlen, "filter term of %zu characters, expected at most %zu", n,
				 sizeof tok - 1);
			return -1;
		}
		memcpy(tok, start, n);
		tok[n] = '\0';
		char *op = strpbrk(tok, "=~");
		if (!op) {
			if (bare == 2) {
				*bad_off = (size_t)(start - f);
				snprintf(err, errlen,
					 "third bare word '%s' in the event filter, expected at most "
					 "SRC EV followed by key=value terms",
					 tok);
				return -1;
			}
			scn_copy(bare_words[bare++], sizeof bare_words[0], tok);
			continue;
		}
		if (op == tok || (size_t)(op - tok) >= sizeof out->t[0].key) {
			*bad_off = (size_t)(start - f);
			snprintf(err, errlen, "term '%s' has no usable key, expected key=value or key~text",
				 tok);
			return -1;
		}
		if (out->n == FILTER_TERMS_MAX) {
			*bad_off = (size_t)(start - f);
			snprintf(err, errlen, "more than %d terms in the event filter, expected fewer",
				 FILTER_TERMS_MAX);
			return -1;
		}
		struct term *t = &out->t[out->n++];
		t->contains = *op == '~';
		*op = '\0';
		scn_copy(t->key, sizeof t->key, tok);
		scn_copy(t->val, sizeof t->val, op + 1);
	}
	if (bare == 0 && out->n == 0) {
		*bad_off = 0;
		snprintf(err, errlen, "empty event filter, expected e.g. 'ike retransmit who=client'");
		return -1;
	}
	/* bare words become src/ev terms: "ev" alone, or "src ev" */
	const char *keys[2] = {bare == 2 ? "src" : "ev", "ev"};
	for (size_t i = 0; i < bare; i++) {
		if (out->n == FILTER_TERMS_MAX) {
			*bad_off = 0;
			snprintf(err, errlen, "more than %d terms in the event filter, expected fewer",
				 FILTER_TERMS_MAX);
			return -1;
		}
		struct term *t = &out->t[out->n++];
		scn_copy(t->key, sizeof t->key, keys[i]);
		scn_copy(t->val, sizeof t->val, bare_words[i]);
	}
	return 0;
}

int scn_meas_filter_check(const char *filter, char *err, size_t errlen, size_t *bad_off)
{
	struct filter f;
	size_t off = 0;
	int r = filter_parse(filter, &f, err, errlen, &off);
	if (bad_off)
		*bad_off = off;
	return r;
}

static int filter_match(const struct filter *f, const char *line)
{
	char v[2048]; /* an evlog line is at most EVBUF_MAX octets */
	for (size_t i = 0; i < f->n; i++) {
		if (scn_ev_field(line, f->t[i].key, v, sizeof v) != 1)
			return 0;
		if (f->t[i].contains ? !strstr(v, f->t[i].val) : strcmp(v, f->t[i].val) != 0)
			return 0;
	}
	return 1;
}

size_t scn_meas_events_match(const struct scn_meas *m, const char *filter, uint64_t *times,
			     size_t cap)
{
	struct filter f;
	char err[128];
	size_t off;
	if (filter_parse(filter, &f, err, sizeof err, &off) < 0)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < m->n_ev; i++) {
		if (!filter_match(&f, m->ev[i]))
			continue;
		if (times && n < cap)
			times[n] = scn_ev_time(m->ev[i]);
		n++;
	}
	return n;
}
