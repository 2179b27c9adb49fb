/*
 * scn_parse.c — the scenario file: sections, the [scenario] keys, the
 * verbatim [description] and [topology], [pki], the [client] and
 * [gateway] profiles (handed to ref/ike/ike_profile.c, the one profile
 * parser) and [expect]; then the checks that need the whole file (names
 * used by events and expectations exist, profiles come in pairs).
 *
 * Sections are collected first and processed in a fixed order, so they
 * may appear in any order in the file and an event can be checked against
 * the duration and the network.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_profile.h"
#include "sim/mbox/mbox.h"
#include "sim/scenario/scn_parse_int.h"
#include "sim/scenario/scn_units.h"

enum sec {
	SEC_SCENARIO,
	SEC_DESCRIPTION,
	SEC_TOPOLOGY,
	SEC_NETWORK,
	SEC_PKI,
	SEC_CLIENT,
	SEC_GATEWAY,
	SEC_TRAFFIC,
	SEC_EVENTS,
	SEC_EXPECT,
	SEC__COUNT
};

static const char *const sec_names[SEC__COUNT] = {
	"scenario", "description", "topology", "network", "pki",
	"client",   "gateway",     "traffic",  "events",  "expect",
};

/* raw_line: one line of the file (not NUL-terminated). */
struct raw_line {
	const char *p;
	size_t len;
	unsigned no;
};

struct section {
	unsigned header_line; /* 0 = absent */
	struct raw_line *lines;
	size_t n, cap;
};

int scn_perr(struct scn_pstate *ps, unsigned line, unsigned col, const char *fmt, ...)
{
	char what[SCN_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "%s:%u:%u: %s", ps->file, line, col ? col : 1, what);
	return -1;
}

int scn_tokenize(struct scn_pstate *ps, unsigned line, const char *text, size_t len,
		 struct scn_line *out)
{
	memset(out, 0, sizeof *out);
	out->line = line;
	size_t i = 0;
	while (i < len) {
		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
			i++;
		if (i >= len || text[i] == '#')
			break;
		size_t st = i;
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			i++;
		if (out->n == SCN_TOK_MAX)
			return scn_perr(ps, line, (unsigned)st + 1, "more than %d words on a line, expected fewer",
					SCN_TOK_MAX);
		if (i - st >= SCN_TOK_LEN)
			return scn_perr(ps, line, (unsigned)st + 1,
					"word of %zu characters, expected at most %d", i - st, SCN_TOK_LEN - 1);
		memcpy(out->tok[out->n].s, text + st, i - st);
		out->tok[out->n].s[i - st] = '\0';
		out->tok[out->n].col = (unsigned)st + 1;
		out->n++;
	}
	return 0;
}

int scn_kv(struct scn_pstate *ps, unsigned line, const struct scn_tok *t, const char *what,
	   char *key, size_t kcap, const char **val, unsigned *vcol)
{
	const char *eq = strchr(t->s, '=');
	if (!eq || eq == t->s)
		return scn_perr(ps, line, t->col, "%s: '%s' is not key=value, expected key=value", what,
				t->s);
	size_t kl = (size_t)(eq - t->s);
	if (kl >= kcap)
		return scn_perr(ps, line, t->col, "%s: key of %zu characters, expected a known key",
				what, kl);
	memcpy(key, t->s, kl);
	key[kl] = '\0';
	if (!eq[1])
		return scn_perr(ps, line, t->col + (unsigned)kl + 1,
				"%s %s: empty value, expected a value after '='", what, key);
	*val = eq + 1;
	*vcol = t->col + (unsigned)kl + 1;
	return 0;
}

/* ------------------------------------------------------------ names */

int scn_find_link(const struct scn *s, const char *name)
{
	for (size_t i = 0; i < s->n_links; i++)
		if (strcmp(s->links[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scn_find_box(const struct scn *s, const char *name)
{
	for (size_t i = 0; i < s->n_boxes; i++)
		if (strcmp(s->boxes[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scn_members(const struct scn *s)
{
	if (s->n_boxes && s->boxes[s->n_boxes - 1].kind == SCN_BOX_CLUSTER)
		return s->boxes[s->n_boxes - 1].u.cluster.members;
	return 1;
}

const char *scn_box_kind_name(enum scn_box_kind k)
{
	static const char *const n[] = {"nat", "mtu", "router", "filter", "cluster", "impair"};
	return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

const char *scn_traffic_kind_name(enum scn_traffic_kind k)
{
	static const char *const n[] = {"ping", "udp", "tcp"};
	return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

const char *scn_action_name(enum scn_action a)
{
	static const char *const n[] = {"link-down", "link-up",	   "link-loss", "link-mtu",
					"nat-reboot", "mtu-set",   "member-down", "member-up",
					"impair-loss", "kill",	   "restart",	  "stop",
					"start"};
	return (unsigned)a < sizeof n / sizeof n[0] ? n[a] : "?";
}

/* ------------------------------------------------------------ sections */

static int sec_add(struct section *sec, const struct raw_line *l)
{
	if (sec->n == sec->cap) {
		size_t nc = sec->cap ? sec->cap * 2 : 32;
		struct raw_line *nl = realloc(sec->lines, nc * sizeof *nl);
		if (!nl)
			return -1;
		sec->lines = nl;
		sec->cap = nc;
	}
	sec->lines[sec->n++] = *l;
	return 0;
}

/* header_of returns the section a "[name]" line opens, -1 if it is not one, -2 unknown name. */
static int header_of(const char *p, size_t len, char *name, size_t cap)
{
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	if (len < 3 || p[0] != '[' || p[len - 1] != ']')
		return -1;
	size_t n = len - 2;
	for (size_t i = 1; i <= n; i++)
		if (!(islower((unsigned char)p[i]) || p[i] == '_'))
			return -1;
	snprintf(name, cap, "%.*s", (int)n, p + 1);
	for (int s = 0; s < SEC__COUNT; s++)
		if (strcmp(name, sec_names[s]) == 0)
			return s;
	return -2;
}

/* verbatim keeps the lines of a text section, without leading/trailing blank lines. */
static int verbatim(struct scn_pstate *ps, const struct section *sec, char *out, size_t cap,
		    const char *what)
{
	size_t first = 0, last = sec->n;
	size_t off = 0;
	while (first < last) {
		const struct raw_line *l = &sec->lines[first];
		size_t k = 0;
		while (k < l->len && isspace((unsigned char)l->p[k]))
			k++;
		if (k < l->len)
			break;
		first++;
	}
	while (last > first) {
		const struct raw_line *l = &sec->lines[last - 1];
		size_t k = 0;
		while (k < l->len && isspace((unsigned char)l->p[k]))
			k++;
		if (k < l->len)
			break;
		last--;
	}
	if (first == last)
		return scn_perr(ps, sec->header_line, 1, "[%s] is empty, expected %s", what,
				strcmp(what, "topology") == 0
					? "an ASCII drawing of the path"
					: "a paragraph saying what the scenario shows");
	for (size_t i = first; i < last; i++) {
		const struct raw_line *l = &sec->lines[i];
		size_t len = l->len;
		while (len && (l->p[len - 1] == '\r' || l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
			len--;
		if (off + len + 2 > cap)
			return scn_perr(ps, l->no, 1, "[%s] is longer than %zu characters, expected less",
					what, cap - 1);
		memcpy(out + off, l->p, len);
		off += len;
		out[off++] = '\n';
	}
	out[off] = '\0';
	return 0;
}

/* scenario_keys handles the key = value lines of [scenario]. */
static int scenario_keys(struct scn_pstate *ps, const struct section *sec, int *have_name)
{
	struct scn *s = ps->s;
	char seen[16][32];
	unsigned seen_at[16];
	size_t n_seen = 0;
	for (size_t i = 0; i < sec->n; i++) {
		const struct raw_line *rl = &sec->lines[i];
		struct scn_line l;
		if (scn_tokenize(ps, rl->no, rl->p, rl->len, &l) < 0)
			return -1;
		if (l.n == 0)
			continue;
		/* key = value (the value may hold blanks: status, show) */
		const char *eq = memchr(rl->p, '=', rl->len);
		if (!eq || l.tok[0].s[0] == '=')
			return scn_perr(ps, rl->no, l.tok[0].col, "'%s' is not key = value, expected key = value",
					l.tok[0].s);
		char key[32];
		size_t kl = strcspn(l.tok[0].s, "=");
		if (kl >= sizeof key)
			kl = sizeof key - 1;
		memcpy(key, l.tok[0].s, kl);
		key[kl] = '\0';
		const char *v = eq + 1;
		size_t vl = rl->len - (size_t)(v - rl->p);
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		/* cut a comment and trailing blanks */
		for (size_t k = 0; k < vl; k++)
			if (v[k] == '#' && (k == 0 || v[k - 1] == ' ' || v[k - 1] == '\t')) {
				vl = k;
				break;
			}
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\r'))
			vl--;
		char val[256];
		unsigned vcol = (unsigned)(v - rl->p) + 1;
		if (vl == 0)
			return scn_perr(ps, rl->no, vcol, "%s: empty value, expected a value after '='", key);
		if (vl >= sizeof val)
			return scn_perr(ps, rl->no, vcol, "%s: value of %zu characters, expected at most %zu",
					key, vl, sizeof val - 1);
		memcpy(val, v, vl);
		val[vl] = '\0';
		for (size_t k = 0; k < n_seen; k++)
			if (strcmp(seen[k], key) == 0)
				return scn_perr(ps, rl->no, l.tok[0].col,
						"%s given twice (first at line %u), expected it once", key,
						seen_at[k]);
		if (n_seen < 16) {
			scn_copy(seen[n_seen], sizeof seen[0], key);
			seen_at[n_seen++] = rl->no;
		}
		uint64_t u;
		if (strcmp(key, "name") == 0) {
			if (scn_parse_name(val, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, rl->no, vcol, "name: %s", ps->why);
			scn_copy(s->name, sizeof s->name, val);
			*have_name = 1;
		} else if (strcmp(key, "seed") == 0) {
			if (scn_parse_uint(val, UINT32_MAX, &s->seed, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, rl->no, vcol, "seed: %s", ps->why);
		} else if (strcmp(key, "duration") == 0) {
			if (scn_parse_duration(val, &s->duration_ns, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, rl->no, vcol, "duration: %s", ps->why);
			if (s->duration_ns == 0 || s->duration_ns > 24 * 3600 * SCN_NS_PER_S)
				return scn_perr(ps, rl->no, vcol, "duration: '%s', expected more than 0 and at most 24h",
						val);
		} else if (strcmp(key, "wall_limit") == 0) {
			uint64_t ns;
			if (scn_parse_duration(val, &ns, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, rl->no, vcol, "wall_limit: %s", ps->why);
			s->wall_limit_s = ns / SCN_NS_PER_S ? ns / SCN_NS_PER_S : 1;
		} else if (strcmp(key, "status") == 0) {
			if (strcmp(val, "ready") == 0) {
				s->status = SCN_READY;
			} else if (strncmp(val, "pending", 7) == 0 && (val[7] == ' ' || val[7] == ':')) {
				const char *r = val + 8;
				while (*r == ' ' || *r == ':')
					r++;
				if (!*r)
					return scn_perr(ps, rl->no, vcol,
							"status: pending without a reason, expected 'pending "
							"REASON'");
				s->status = SCN_PENDING;
				scn_copy(s->pending_reason, sizeof s->pending_reason, r);
			} else {
				return scn_perr(ps, rl->no, vcol,
						"status: '%s', expected ready or 'pending REASON'", val);
			}
		} else if (strcmp(key, "client_start") == 0) {
			if (strcmp(val, "manual") == 0) {
				s->client_start_manual = 1;
			} else if (scn_parse_duration(val, &s->client_start_ns, ps->why, sizeof ps->why) < 0) {
				return scn_perr(ps, rl->no, vcol, "client_start: %s, or manual", ps->why);
			}
		} else if (strcmp(key, "show") == 0) {
			/* metrics separated by commas; names are checked with the expectations */
			const char *q = val;
			while (*q) {
				while (*q == ' ' || *q == ',')
					q++;
				if (!*q)
					break;
				if (s->n_show == SCN_MAX_SHOW)
					return scn_perr(ps, rl->no, vcol + (unsigned)(q - val),
							"show: more than %d metrics, expected fewer", SCN_MAX_SHOW);
				struct scn_expect *e = &s->show[s->n_show];
				size_t used = 0, bad = 0;
				if (scn_metric_parse(q, e, &used, ps->why, sizeof ps->why, &bad) < 0)
					return scn_perr(ps, rl->no, vcol + (unsigned)(q - val + (long)bad), "show: %s",
							ps->why);
				e->line = rl->no;
				e->metric_col = vcol + (unsigned)(q - val);
				snprintf(e->text, sizeof e->text, "%.*s", (int)used, q);
				s->n_show++;
				q += used;
				while (*q == ' ')
					q++;
				if (*q && *q != ',')
					return scn_perr(ps, rl->no, vcol + (unsigned)(q - val),
							"show: '%c' after a metric, expected ',' between metrics", *q);
			}
		} else {
			(void)u;
			return scn_perr(ps, rl->no, l.tok[0].col,
					"[scenario] key '%s', expected name, seed, duration, status, "
					"client_start, wall_limit or show",
					key);
		}
	}
	return 0;
}

static int pki_keys(struct scn_pstate *ps, const struct section *sec)
{
	struct scn_pki *k = &ps->s->pki;
	k->present = 1;
	k->key_type = CRYPTO_SIG_KEY_RSA;
	k->depth = 2;
	k->pos = (struct scn_pos){sec->header_line, 1};
	for (size_t i = 0; i < sec->n; i++) {
		const struct raw_line *rl = &sec->lines[i];
		struct scn_line l;
		if (scn_tokenize(ps, rl->no, rl->p, rl->len, &l) < 0)
			return -1;
		if (l.n == 0)
			continue;
		/* accept "key = value" and "key=value" */
		char key[64];
		const char *v;
		unsigned vc;
		if (l.n == 3 && strcmp(l.tok[1].s, "=") == 0 && strlen(l.tok[0].s) < sizeof key) {
			scn_copy(key, sizeof key, l.tok[0].s);
			v = l.tok[2].s;
			vc = l.tok[2].col;
		} else if (l.n == 1) {
			if (scn_kv(ps, rl->no, &l.tok[0], "pki", key, sizeof key, &v, &vc) < 0)
				return -1;
		} else {
			return scn_perr(ps, rl->no, l.tok[0].col, "[pki]: '%s ...' is not key = value, expected key = value",
					l.tok[0].s);
		}
		uint64_t u;
		if (strcmp(key, "key") == 0) {
			if (strcmp(v, "rsa") == 0 || strcmp(v, "rsa2048") == 0)
				k->key_type = CRYPTO_SIG_KEY_RSA;
			else if (strcmp(v, "ecdsa") == 0 || strcmp(v, "ecdsa256") == 0 ||
				 strcmp(v, "p256") == 0)
				k->key_type = CRYPTO_SIG_KEY_EC_P256;
			else
				return scn_perr(ps, rl->no, vc, "pki key: '%s', expected rsa or ecdsa", v);
		} else if (strcmp(key, "depth") == 0) {
			if (scn_parse_uint(v, 4, &u, ps->why, sizeof ps->why) < 0 || u < 1)
				return scn_perr(ps, rl->no, vc,
						"pki depth: '%s', expected 1..4 CA certificates above "
						"each end entity",
						v);
			k->depth = (unsigned)u;
		} else if (strcmp(key, "chain_size") == 0 || strcmp(key, "pad") == 0) {
			if (scn_parse_size(v, &u, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, rl->no, vc, "pki %s: %s", key, ps->why);
			if (u > 60000)
				return scn_perr(ps, rl->no, vc, "pki %s: %llu octets, expected at most 60000",
						key, (unsigned long long)u);
			*(key[0] == 'c' ? &k->chain_size : &k->pad) = (size_t)u;
		} else {
			return scn_perr(ps, rl->no, l.tok[0].col,
					"[pki] key '%s', expected key, depth, chain_size or pad", key);
		}
	}
	return 0;
}

/*
 * profile hands [client] or [gateway] to ike_profile_parse: the whole
 * file with every other line blanked, so its "file:line:" is ours, then
 * adds the column of the value to its message.
 */
static int profile(struct scn_pstate *ps, const char *text, size_t len, const struct section *sec,
		   const char *role, struct ike_config *cfg)
{
	char *buf = malloc(len + 1);
	if (!buf)
		return scn_perr(ps, sec->header_line, 1, "out of memory");
	/* keep only newlines, then copy the section's lines back in place */
	for (size_t i = 0; i < len; i++)
		buf[i] = text[i] == '\n' ? '\n' : ' ';
	size_t hdr_off = 0;
	unsigned no = 1;
	for (size_t i = 0; i < len && no < sec->header_line; i++)
		if (text[i] == '\n') {
			no++;
			hdr_off = i + 1;
		}
	/* the header itself tells the profile parser the role */
	size_t hl = strcspn(text + hdr_off, "\n");
	memcpy(buf + hdr_off, text + hdr_off, hl);
	for (size_t i = 0; i < sec->n; i++) {
		const struct raw_line *l = &sec->lines[i];
		memcpy(buf + (l->p - text), l->p, l->len);
	}
	char msg[SCN_ERR_MAX];
	int r = ike_profile_parse(buf, len, ps->file, role, cfg, msg, sizeof msg);
	free(buf);
	if (r == 0)
		return 0;
	/* "file:LINE: key = 'value': what" -> "file:LINE:COL: [role] key = 'value': what" */
	size_t fl = strlen(ps->file);
	unsigned line = 0;
	const char *rest = msg;
	if (strncmp(msg, ps->file, fl) == 0 && msg[fl] == ':') {
		char *end;
		line = (unsigned)strtoul(msg + fl + 1, &end, 10);
		rest = *end == ':' ? end + 1 : end;
		while (*rest == ' ')
			rest++;
	}
	unsigned col = 1;
	for (size_t i = 0; line && i < sec->n; i++) {
		const struct raw_line *l = &sec->lines[i];
		if (l->no != line)
			continue;
		const char *eq = memchr(l->p, '=', l->len);
		if (eq) {
			const char *v = eq + 1;
			while (v < l->p + l->len && (*v == ' ' || *v == '\t'))
				v++;
			col = (unsigned)(v - l->p) + 1;
		}
	}
	return scn_perr(ps, line ? line : sec->header_line, col, "[%s] %s", role, rest);
}

/* check_metric_names: the link, box, flow or reason a metric names must exist. */
static int check_metric(struct scn_pstate *ps, const char *metric, unsigned line, unsigned col)
{
	const struct scn *s = ps->s;
	char parts[2][64];
	if (scn_metric_unit(metric, parts, ps->why, sizeof ps->why) < 0)
		return scn_perr(ps, line, col, "%s", ps->why);
	if (strncmp(metric, "link.", 5) == 0 && scn_find_link(s, parts[0]) < 0)
		return scn_perr(ps, line, col, "%s: no link '%s' in [network], expected one of its links",
				metric, parts[0]);
	if (strncmp(metric, "drops.", 6) == 0) {
		if (scn_find_box(s, parts[0]) < 0)
			return scn_perr(ps, line, col, "%s: no box '%s' in [network], expected one of its boxes",
					metric, parts[0]);
		if (parts[1][0] && mbox_drop_from_name(parts[1]) < 0)
			return scn_perr(ps, line, col,
					"%s: '%s' is not a drop reason, expected a name of "
					"sim/mbox/mbox.h MBOX_DROPS (e.g. frag-non-first, no-mapping, "
					"frag-needed, pmtu-blackhole, impair-loss)",
					metric, parts[1]);
	}
	if (strncmp(metric, "traffic.", 8) == 0) {
		size_t i;
		for (i = 0; i < s->n_traffic; i++)
			if (strcmp(s->traffic[i].name, parts[0]) == 0)
				break;
		if (i == s->n_traffic)
			return scn_perr(ps, line, col, "%s: no flow '%s' in [traffic], expected one of its flows",
					metric, parts[0]);
	}
	if (parts[0][0] && strstr(metric, ".size.")) {
		static const char *const ex[] = {"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
						 "INFORMATIONAL"};
		size_t i;
		for (i = 0; i < 4; i++)
			if (strcmp(parts[0], ex[i]) == 0)
				break;
		if (i == 4)
			return scn_perr(ps, line, col,
					"%s: '%s' is not an exchange, expected IKE_SA_INIT, IKE_AUTH, "
					"CREATE_CHILD_SA or INFORMATIONAL",
					metric, parts[0]);
	}
	return 0;
}

static int expect_lines(struct scn_pstate *ps, const struct section *sec)
{
	struct scn *s = ps->s;
	for (size_t i = 0; i < sec->n; i++) {
		const struct raw_line *rl = &sec->lines[i];
		char text[512];
		size_t len = rl->len;
		/* comment: '#' at the start or after a blank */
		for (size_t k = 0; k < len; k++)
			if (rl->p[k] == '#' && (k == 0 || rl->p[k - 1] == ' ' || rl->p[k - 1] == '\t')) {
				len = k;
				break;
			}
		size_t lead = 0;
		while (lead < len && (rl->p[lead] == ' ' || rl->p[lead] == '\t' || rl->p[lead] == '\r'))
			lead++;
		if (lead == len)
			continue;
		if (len - lead >= sizeof text)
			return scn_perr(ps, rl->no, 1, "expectation of %zu characters, expected fewer",
					len - lead);
		memcpy(text, rl->p + lead, len - lead);
		text[len - lead] = '\0';
		if (s->n_expect == SCN_MAX_EXPECT)
			return scn_perr(ps, rl->no, 1, "more than %d expectations, expected fewer",
					SCN_MAX_EXPECT);
		struct scn_expect *e = &s->expect[s->n_expect];
		unsigned col = 0;
		if (scn_expect_parse(text, rl->no, (unsigned)lead + 1, e, ps->why, sizeof ps->why, &col) < 0)
			return scn_perr(ps, rl->no, col, "%s", ps->why);
		if (e->fn == SCN_FN_NONE && check_metric(ps, e->metric, rl->no, e->metric_col) < 0)
			return -1;
		s->n_expect++;
	}
	return 0;
}

static void sections_free(struct section *secs)
{
	for (int i = 0; i < SEC__COUNT; i++)
		free(secs[i].lines);
}

static int parse_all(struct scn_pstate *ps, const char *text, size_t len, struct section *secs)
{
	struct scn *s = ps->s;
	/* split into sections */
	int cur = -1;
	unsigned odd_line = 0; /* a lone [word] kept as text inside a verbatim section */
	char odd[64] = "", hint[160] = "";
	unsigned no = 0;
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		struct raw_line rl = {text + off, ll, ++no};
		off += ll + (nl ? 1 : 0);
		if (memchr(rl.p, '\0', ll))
			return scn_perr(ps, no, (unsigned)((const char *)memchr(rl.p, '\0', ll) - rl.p) + 1,
					"NUL character, expected text");
		char name[64];
		int h = header_of(rl.p, ll, name, sizeof name);
		if (h == -2) {
			/* inside verbatim text, an unknown [word] is part of the text */
			if (cur == SEC_DESCRIPTION || cur == SEC_TOPOLOGY) {
				if (!odd_line) {
					odd_line = no;
					scn_copy(odd, sizeof odd, name);
				}
				if (sec_add(&secs[cur], &rl) < 0)
					return scn_perr(ps, no, 1, "out of memory");
				continue;
			}
			return scn_perr(ps, no, 2,
					"unknown section [%s], expected [scenario], [description], "
					"[topology], [network], [pki], [client], [gateway], [traffic], "
					"[events] or [expect]",
					name);
		}
		if (h >= 0) {
			if (secs[h].header_line)
				return scn_perr(ps, no, 1, "second [%s] section (first at line %u), expected one",
						sec_names[h], secs[h].header_line);
			secs[h].header_line = no;
			cur = h;
			continue;
		}
		if (cur < 0) {
			size_t k = 0;
			while (k < ll && isspace((unsigned char)rl.p[k]))
				k++;
			if (k == ll || rl.p[k] == '#')
				continue;
			return scn_perr(ps, no, (unsigned)k + 1,
					"text before the first section, expected [scenario] (or a "
					"'#' comment)");
		}
		if (sec_add(&secs[cur], &rl) < 0)
			return scn_perr(ps, no, 1, "out of memory");
	}

	if (odd_line)
		snprintf(hint, sizeof hint, " (line %u '[%s]' is not a section name and was kept as text)",
			 odd_line, odd);
	/* [scenario] */
	if (!secs[SEC_SCENARIO].header_line)
		return scn_perr(ps, 1, 1, "no [scenario] section, expected one with at least name = NAME");
	int have_name = 0;
	s->seed = 1;
	s->duration_ns = 60 * SCN_NS_PER_S;
	s->wall_limit_s = 300;
	if (scenario_keys(ps, &secs[SEC_SCENARIO], &have_name) < 0)
		return -1;
	if (!have_name)
		return scn_perr(ps, secs[SEC_SCENARIO].header_line, 1,
				"[scenario] has no name, expected name = NAME");
	if (!secs[SEC_DESCRIPTION].header_line)
		return scn_perr(ps, secs[SEC_SCENARIO].header_line, 1,
				"no [description] section%s, expected a paragraph saying what the "
				"scenario shows",
				hint);
	if (verbatim(ps, &secs[SEC_DESCRIPTION], s->description, sizeof s->description,
		     "description") < 0)
		return -1;
	if (!secs[SEC_TOPOLOGY].header_line)
		return scn_perr(ps, secs[SEC_SCENARIO].header_line, 1,
				"no [topology] section%s, expected an ASCII drawing of the path", hint);
	if (verbatim(ps, &secs[SEC_TOPOLOGY], s->topology, sizeof s->topology, "topology") < 0)
		return -1;

	/* [network] */
	if (!secs[SEC_NETWORK].header_line)
		return scn_perr(ps, secs[SEC_SCENARIO].header_line, 1,
				"no [network] section%s, expected the path: link NAME ... (boxes between "
				"links)",
				hint);
	int kinds[SCN_MAX_LINKS * 2 + 2];
	unsigned lines[SCN_MAX_LINKS * 2 + 2];
	size_t nk = 0;
	for (size_t i = 0; i < secs[SEC_NETWORK].n; i++) {
		const struct raw_line *rl = &secs[SEC_NETWORK].lines[i];
		struct scn_line l;
		if (scn_tokenize(ps, rl->no, rl->p, rl->len, &l) < 0)
			return -1;
		if (l.n == 0)
			continue;
		int k;
		if (scn_network_line(ps, &l, &k) < 0)
			return -1;
		kinds[nk] = k;
		lines[nk++] = rl->no;
	}
	if (scn_network_finish(ps, kinds, lines, nk) < 0)
		return -1;

	/* [pki], profiles */
	if (secs[SEC_PKI].header_line && pki_keys(ps, &secs[SEC_PKI]) < 0)
		return -1;
	s->has_client = secs[SEC_CLIENT].header_line != 0;
	s->has_gateway = secs[SEC_GATEWAY].header_line != 0;
	if (s->has_client != s->has_gateway) {
		int have = s->has_client ? SEC_CLIENT : SEC_GATEWAY;
		return scn_perr(ps, secs[have].header_line, 1,
				"[%s] without [%s], expected both profiles (or neither, for traffic "
				"in the clear)",
				sec_names[have], sec_names[have == SEC_CLIENT ? SEC_GATEWAY : SEC_CLIENT]);
	}
	if (s->has_client) {
		if (profile(ps, text, len, &secs[SEC_CLIENT], "client", &s->client) < 0 ||
		    profile(ps, text, len, &secs[SEC_GATEWAY], "gateway", &s->gateway) < 0)
			return -1;
		s->client_pos = (struct scn_pos){secs[SEC_CLIENT].header_line, 1};
		s->gateway_pos = (struct scn_pos){secs[SEC_GATEWAY].header_line, 1};
		const struct ike_config *c[2] = {&s->client, &s->gateway};
		for (int i = 0; i < 2; i++) {
			int pub = c[i]->auth == IKE_AUTHC_PUBKEY || c[i]->remote_auth == IKE_AUTHC_PUBKEY;
			int files = c[i]->cert_file[0] || c[i]->key_file[0] || c[i]->ca_file[0];
			if (pub && !files && !s->pki.present)
				return scn_perr(ps, secs[i ? SEC_GATEWAY : SEC_CLIENT].header_line, 1,
						"[%s] uses pubkey authentication without cert/key/ca "
						"files, expected a [pki] section to generate them",
						sec_names[i ? SEC_GATEWAY : SEC_CLIENT]);
		}
	}

	/* [traffic], [events], [expect] */
	for (size_t i = 0; i < secs[SEC_TRAFFIC].n; i++) {
		const struct raw_line *rl = &secs[SEC_TRAFFIC].lines[i];
		struct scn_line l;
		if (scn_tokenize(ps, rl->no, rl->p, rl->len, &l) < 0)
			return -1;
		if (l.n && scn_traffic_line(ps, &l) < 0)
			return -1;
	}
	for (size_t i = 0; i < secs[SEC_EVENTS].n; i++) {
		const struct raw_line *rl = &secs[SEC_EVENTS].lines[i];
		struct scn_line l;
		if (scn_tokenize(ps, rl->no, rl->p, rl->len, &l) < 0)
			return -1;
		if (!l.n)
			continue;
		/* the text as written, from the first word, without a comment */
		const char *t = rl->p + l.tok[0].col - 1;
		const struct scn_tok *lt = &l.tok[l.n - 1];
		size_t tl = (size_t)(lt->col - 1 + strlen(lt->s)) - (l.tok[0].col - 1);
		if (scn_event_line(ps, &l, t, tl) < 0)
			return -1;
		if (s->events[s->n_events - 1].action == SCN_ACT_START && !s->has_client)
			return scn_perr(ps, rl->no, l.tok[1].col,
					"client start without a [client] profile, expected profiles");
	}
	for (size_t i = 0; i < s->n_events; i++) {
		const struct scn_event *e = &s->events[i];
		if ((e->action == SCN_ACT_KILL || e->action == SCN_ACT_RESTART ||
		     e->action == SCN_ACT_STOP) &&
		    !s->has_client)
			return scn_perr(ps, e->pos.line, e->pos.col,
					"engine action without [client] and [gateway] profiles, "
					"expected profiles");
	}
	if (!secs[SEC_EXPECT].header_line)
		return scn_perr(ps, secs[SEC_SCENARIO].header_line, 1,
				"no [expect] section%s, expected at least one expectation (e.g. "
				"tunnel.up_at <= 5s)",
				hint);
	if (expect_lines(ps, &secs[SEC_EXPECT]) < 0)
		return -1;
	if (s->n_expect == 0)
		return scn_perr(ps, secs[SEC_EXPECT].header_line, 1,
				"[expect] is empty, expected at least one expectation");
	for (size_t i = 0; i < s->n_show; i++)
		if (s->show[i].fn == SCN_FN_NONE &&
		    check_metric(ps, s->show[i].metric, s->show[i].line, s->show[i].metric_col) < 0)
			return -1;
	for (size_t i = 0; i < s->n_expect; i++) {
		const char *m = s->expect[i].metric;
		if (!s->has_client && s->expect[i].fn == SCN_FN_NONE &&
		    (strncmp(m, "tunnel.", 7) == 0 || strncmp(m, "client.", 7) == 0 ||
		     strncmp(m, "gateway.", 8) == 0))
			return scn_perr(ps, s->expect[i].line, s->expect[i].metric_col,
					"%s without [client] and [gateway] profiles, expected profiles "
					"(or link/drops/traffic metrics)",
					m);
	}
	return 0;
}

struct scn *scn_parse(const char *text, size_t len, const char *file, char *err, size_t errlen)
{
	struct scn *s = calloc(1, sizeof *s);
	struct section secs[SEC__COUNT];
	memset(secs, 0, sizeof secs);
	struct scn_pstate ps = {.file = file ? file : "<scenario>", .s = s, .err = err, .errlen = errlen};
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", ps.file);
		return NULL;
	}
	scn_copy(s->file, sizeof s->file, ps.file);
	int r = parse_all(&ps, text, len, secs);
	sections_free(secs);
	if (r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

struct scn *scn_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= (1u << 22)) {
			free(buf);
			fclose(f);
			snprintf(err, errlen, "%s:1:1: larger than 4 MiB, expected a scenario file", path);
			return NULL;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		free(buf);
		snprintf(err, errlen, "%s: cannot read: %s", path, buf ? "I/O error" : "out of memory");
		return NULL;
	}
	struct scn *s = scn_parse(buf, n, path, err, errlen);
	free(buf);
	return s;
}

void scn_free(struct scn *s)
{
	free(s);
}
