/*
 * ike_profile.c — the line-oriented profile parser (ike_profile.h). A
 * table maps each key to a value kind and a setter; the kinds (duration,
 * address, selector, proposal list, ...) each have one parser that says
 * what it expected when it fails.
 */
#include "ref/ike/ike_profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike_payload.h"
#include "ref/ike/ike_proposal.h"

enum { LINE_MAX_LEN = 1024, VALUE_MAX = 900, MAX_LINES_SEEN = 64 };

struct pctx {
	const char *file;
	unsigned line;
	const char *key;
	const char *value;
	char *msg;
	size_t cap;
};

static int perr(const struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(const struct pctx *p, const char *fmt, ...)
{
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (p->msg != NULL && p->cap > 0) {
		if (p->key != NULL)
			snprintf(p->msg, p->cap, "%s:%u: %s = '%s': %s", p->file, p->line, p->key, p->value, what);
		else
			snprintf(p->msg, p->cap, "%s:%u: %s", p->file, p->line, what);
	}
	return IKE_E_SYNTAX;
}

/* ---------------------------------------------------------------------- */
/* Value kinds                                                             */

static int parse_bool(const struct pctx *p, const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return perr(p, "not a boolean, expected yes or no");
}

static int parse_uint(const struct pctx *p, const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return perr(p, "not a number, expected 0..%llu", max);
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return perr(p, "not a number in range, expected 0..%llu", max);
	return 0;
}

/* parse_duration: "20s", "500ms", "2m", "1h", "0", "off"; a bare number is seconds. */
static int parse_duration(const struct pctx *p, const char *v, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {{"ms", 1000000ULL}, {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL}};
	char *end;
	double x;

	if (strcasecmp(v, "off") == 0 || strcasecmp(v, "no") == 0) {
		*ns = 0;
		return 0;
	}
	if (!isdigit((unsigned char)v[0]))
		return perr(p, "not a duration, expected a number with ms, s, m or h (e.g. 20s), or off");
	errno = 0;
	x = strtod(v, &end);
	if (errno != 0 || x < 0 || x > 1e7)
		return perr(p, "duration out of range, expected 0..10000000 s");
	while (*end == ' ')
		end++;
	if (*end == '\0') {
		*ns = (uint64_t)(x * 1e9 + 0.5);
		return 0;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(end, units[i].unit) == 0) {
			*ns = (uint64_t)(x * (double)units[i].ns + 0.5);
			return 0;
		}
	return perr(p, "unknown unit '%s', expected ms, s, m or h", end);
}

/* parse_ip4 reads a dotted quad (exactly four decimal parts 0..255). */
static int parse_ip4_raw(const char *s, size_t len, uint32_t *out)
{
	uint32_t a = 0;
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (i < len && isdigit((unsigned char)s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
	}
	if (i != len)
		return -1;
	*out = a;
	return 0;
}

static int parse_ip4(const struct pctx *p, const char *v, uint32_t *out)
{
	if (parse_ip4_raw(v, strlen(v), out) < 0)
		return perr(p, "not an IPv4 address, expected a dotted quad like 192.0.2.1");
	return 0;
}

/* parse_range: "a.b.c.d/n" (prefix), "a-b" (range) or "a" (one address). */
static int parse_range_raw(const char *s, size_t len, uint32_t *lo, uint32_t *hi, int *prefix)
{
	const char *slash = memchr(s, '/', len), *dash = memchr(s, '-', len);

	*prefix = -1;
	if (slash != NULL) {
		char *end;
		unsigned long n;
		uint32_t a, mask;

		if (parse_ip4_raw(s, (size_t)(slash - s), &a) < 0)
			return -1;
		if (slash + 1 == s + len || !isdigit((unsigned char)slash[1]))
			return -1;
		n = strtoul(slash + 1, &end, 10);
		if (end != s + len || n > 32)
			return -1;
		mask = n == 0 ? 0 : UINT32_MAX << (32 - n);
		*lo = a & mask;
		*hi = *lo | ~mask;
		*prefix = (int)n;
		return 0;
	}
	if (dash != NULL) {
		if (parse_ip4_raw(s, (size_t)(dash - s), lo) < 0 ||
		    parse_ip4_raw(dash + 1, (size_t)(s + len - dash - 1), hi) < 0 || *lo > *hi)
			return -1;
		return 0;
	}
	if (parse_ip4_raw(s, len, lo) < 0)
		return -1;
	*hi = *lo;
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {{"any", 0}, {"icmp", 1}, {"tcp", 6}, {"udp", 17}};

/* parse_ts_one: "10.0.0.0/8", "10.0.0.1-10.0.0.9", "0.0.0.0/0[udp]", "10.1.0.0/16[tcp/443]". */
static int parse_ts_one(const char *s, size_t len, struct ike_ts_cfg *ts)
{
	const char *br = memchr(s, '[', len);
	size_t alen = br ? (size_t)(br - s) : len;
	int prefix;

	memset(ts, 0, sizeof *ts);
	ts->port_hi = 65535;
	if (parse_range_raw(s, alen, &ts->lo, &ts->hi, &prefix) < 0)
		return -1;
	if (br != NULL) {
		const char *end = s + len - 1, *q = br + 1, *sl;
		char name[16];
		size_t nlen;
		int found = 0;

		if (*end != ']')
			return -1;
		sl = memchr(q, '/', (size_t)(end - q));
		nlen = (size_t)((sl ? sl : end) - q);
		if (nlen == 0 || nlen >= sizeof name)
			return -1;
		memcpy(name, q, nlen);
		name[nlen] = '\0';
		for (size_t i = 0; i < sizeof proto_names / sizeof proto_names[0]; i++)
			if (strcasecmp(name, proto_names[i].name) == 0) {
				ts->proto = proto_names[i].proto;
				found = 1;
			}
		if (!found) {
			char *e;
			unsigned long n = strtoul(name, &e, 10);

			if (*e != '\0' || n > 255 || !isdigit((unsigned char)name[0]))
				return -1;
			ts->proto = (uint8_t)n;
		}
		if (sl != NULL) {
			char *e;
			unsigned long port = strtoul(sl + 1, &e, 10);

			if (e != end || port > 65535 || !isdigit((unsigned char)sl[1]))
				return -1;
			ts->port_lo = ts->port_hi = (uint16_t)port;
		}
	}
	return 0;
}

/* for_each_item splits a comma-separated list, trimming blanks. */
static int for_each_item(const char *v, int (*fn)(const char *s, size_t len, void *arg), void *arg)
{
	while (*v) {
		const char *e;
		size_t len;
		int rc;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		e = v;
		while (*e && *e != ',')
			e++;
		len = (size_t)(e - v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		rc = fn(v, len, arg);
		if (rc < 0)
			return rc;
		v = e;
	}
	return 0;
}

struct ts_acc {
	struct ike_ts_cfg *ts;
	size_t *n;
	size_t bad_at;
	const char *bad;
	size_t bad_len;
};

static int ts_item(const char *s, size_t len, void *arg)
{
	struct ts_acc *a = arg;

	if (*a->n >= IKE_CFG_TS_MAX) {
		a->bad = s;
		a->bad_len = len;
		return -2;
	}
	if (parse_ts_one(s, len, &a->ts[*a->n]) < 0) {
		a->bad = s;
		a->bad_len = len;
		return -1;
	}
	(*a->n)++;
	return 0;
}

static int parse_ts_list(const struct pctx *p, const char *v, struct ike_ts_cfg *ts, size_t *n)
{
	struct ts_acc a = {ts, n, 0, NULL, 0};
	int rc;

	*n = 0;
	rc = for_each_item(v, ts_item, &a);
	if (rc == -2)
		return perr(p, "more than %d selectors, expected at most %d", IKE_CFG_TS_MAX, IKE_CFG_TS_MAX);
	if (rc < 0)
		return perr(p, "selector '%.*s' not understood, expected ADDR, ADDR/PREFIX or ADDR-ADDR, optionally "
			       "followed by [PROTO] or [PROTO/PORT]", (int)a.bad_len, a.bad);
	if (*n == 0)
		return perr(p, "no selector, expected e.g. 0.0.0.0/0");
	return 0;
}

struct addr_acc {
	uint32_t *list;
	size_t *n, max;
	const char *bad;
	size_t bad_len;
};

static int addr_item(const char *s, size_t len, void *arg)
{
	struct addr_acc *a = arg;

	a->bad = s;
	a->bad_len = len;
	if (*a->n >= a->max)
		return -2;
	if (parse_ip4_raw(s, len, &a->list[*a->n]) < 0)
		return -1;
	(*a->n)++;
	return 0;
}

struct dom_acc {
	char (*list)[IKE_CFG_DOMAIN_LEN];
	size_t *n;
	const char *bad;
	size_t bad_len;
};

static int dom_item(const char *s, size_t len, void *arg)
{
	struct dom_acc *a = arg;

	a->bad = s;
	a->bad_len = len;
	if (*a->n >= IKE_CFG_DOMAIN_MAX)
		return -2;
	if (len == 0 || len >= IKE_CFG_DOMAIN_LEN)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return -1;
	memcpy(a->list[*a->n], s, len);
	a->list[*a->n][len] = '\0';
	(*a->n)++;
	return 0;
}

/*
 * parse_id: "%any" (none), "fqdn:vpn.example", "email:a@b", "ipv4:192.0.2.1",
 * "keyid:hex", dn:"CN=alice,O=Example" (RFC 4514, most specific RDN first,
 * as crypto_x509_subject_text writes it; the quotes keep '#' and blanks).
 * Without a prefix: a dotted quad is ID_IPV4_ADDR, a name with
 * '@' ID_RFC822_ADDR, any other name ID_FQDN (strongSwan's guesses).
 */
static int parse_id(const struct pctx *p, const char *v, struct ike_id_cfg *id)
{
	uint32_t a;
	const char *colon = strchr(v, ':');
	size_t len;

	memset(id, 0, sizeof *id);
	if (strcmp(v, "%any") == 0)
		return 0;
	if (colon != NULL) {
		size_t plen = (size_t)(colon - v);
		const char *rest = colon + 1;

		len = strlen(rest);
		if (plen == 4 && strncasecmp(v, "fqdn", 4) == 0)
			id->type = IKE_ID_FQDN;
		else if (plen == 5 && strncasecmp(v, "email", 5) == 0)
			id->type = IKE_ID_RFC822_ADDR;
		else if (plen == 4 && strncasecmp(v, "ipv4", 4) == 0) {
			if (parse_ip4_raw(rest, len, &a) < 0)
				return perr(p, "ipv4: identity is not an address, expected ipv4:192.0.2.1");
			id->type = IKE_ID_IPV4_ADDR;
			id->len = 4;
			ike_put32(id->data, a);
			return 0;
		} else if (plen == 2 && strncasecmp(v, "dn", 2) == 0) {
			char text[VALUE_MAX + 1];
			struct crypto_diag d;

			if (len >= 2 && rest[0] == '"' && rest[len - 1] == '"') {
				rest++;
				len -= 2;
			} else if (len >= 1 && (rest[0] == '"' || rest[len - 1] == '"')) {
				return perr(p, "dn: unbalanced quotes, expected dn:\"CN=...,O=...\"");
			}
			memcpy(text, rest, len);
			text[len] = '\0';
			if (crypto_x509_dn_from_text(text, id->data, sizeof id->data, &id->len, &d) != 0)
				return perr(p, "%s", d.msg);
			id->type = IKE_ID_DER_ASN1_DN;
			return 0;
		} else if (plen == 5 && strncasecmp(v, "keyid", 5) == 0) {
			if (len == 0 || len % 2 != 0 || len / 2 > sizeof id->data)
				return perr(p, "keyid: needs an even number of hex digits, expected keyid:0123abcd");
			for (size_t i = 0; i < len; i += 2) {
				char h[3] = {rest[i], rest[i + 1], 0};
				char *e;

				id->data[i / 2] = (uint8_t)strtoul(h, &e, 16);
				if (*e != '\0' || !isxdigit((unsigned char)h[0]))
					return perr(p, "keyid: '%s' is not hex, expected keyid:0123abcd", rest);
			}
			id->type = IKE_ID_KEY_ID;
			id->len = len / 2;
			return 0;
		} else
			return perr(p, "unknown identity prefix '%.*s', expected fqdn:, email:, ipv4:, keyid:, dn: or none",
				    (int)plen, v);
		if (len == 0 || len > sizeof id->data)
			return perr(p, "identity of %zu octets, expected 1..%zu", len, sizeof id->data);
		memcpy(id->data, rest, len);
		id->len = len;
		return 0;
	}
	len = strlen(v);
	if (len == 0 || len > sizeof id->data)
		return perr(p, "identity of %zu octets, expected 1..%zu", len, sizeof id->data);
	if (parse_ip4_raw(v, len, &a) == 0) {
		id->type = IKE_ID_IPV4_ADDR;
		id->len = 4;
		ike_put32(id->data, a);
		return 0;
	}
	id->type = strchr(v, '@') ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN;
	memcpy(id->data, v, len);
	id->len = len;
	return 0;
}

/* parse_psk: text, or 0x-prefixed hex for binary keys. */
static int parse_psk(const struct pctx *p, const char *v, struct ike_config *c)
{
	size_t len = strlen(v);

	if (len >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		len -= 2;
		if (len == 0 || len % 2 || len / 2 > sizeof c->psk)
			return perr(p, "hex key of %zu digits, expected an even number up to %zu", len,
				    2 * sizeof c->psk);
		for (size_t i = 0; i < len; i += 2) {
			char h[3] = {v[2 + i], v[3 + i], 0};
			char *e;

			c->psk[i / 2] = (uint8_t)strtoul(h, &e, 16);
			if (*e != '\0' || !isxdigit((unsigned char)h[0]))
				return perr(p, "'%s' is not hex, expected 0x0123abcd...", h);
		}
		c->psk_len = len / 2;
		return 0;
	}
	if (len == 0 || len > sizeof c->psk)
		return perr(p, "key of %zu octets, expected 1..%zu", len, sizeof c->psk);
	memcpy(c->psk, v, len);
	c->psk_len = len;
	return 0;
}

struct enum_name {
	const char *name;
	int value;
};

static int parse_enum(const struct pctx *p, const char *v, const struct enum_name *names, int *out)
{
	char all[160];
	size_t n = 0;

	for (size_t i = 0; names[i].name != NULL; i++)
		if (strcasecmp(v, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
	all[0] = '\0';
	for (size_t i = 0; names[i].name != NULL && n < sizeof all; i++)
		n += (size_t)snprintf(all + n, sizeof all - n, "%s%s", i ? (names[i + 1].name ? ", " : " or ") : "",
				      names[i].name);
	return perr(p, "unknown value, expected %s", all);
}

static const struct enum_name role_names[] = {{"client", IKE_ROLE_CLIENT}, {"gateway", IKE_ROLE_GATEWAY}, {NULL, 0}};
static const struct enum_name auth_names[] = {{"psk", IKE_AUTHC_PSK}, {"pubkey", IKE_AUTHC_PUBKEY}, {NULL, 0}};
static const struct enum_name sig_names[] = {{"rfc7427", IKE_SIGC_RFC7427}, {"classic", IKE_SIGC_CLASSIC}, {NULL, 0}};
static const struct enum_name proposals_names[] = {
	{"full", IKE_PROPOSALS_FULL}, {"small", IKE_PROPOSALS_SMALL}, {"auto", IKE_PROPOSALS_AUTO}, {NULL, 0}};
static const struct enum_name unique_names[] = {{"no", IKE_UNIQUE_NO},
						{"replace", IKE_UNIQUE_REPLACE},
						{"never", IKE_UNIQUE_NEVER},
						{"keep", IKE_UNIQUE_KEEP},
						{NULL, 0}};
static const struct enum_name dpd_names[] = {{"clear", IKE_DPD_CLEAR}, {"restart", IKE_DPD_RESTART}, {NULL, 0}};
static const struct enum_name reauth_names[] = {{"break", IKE_REAUTH_BREAK}, {"make", IKE_REAUTH_MAKE}, {NULL, 0}};

/* ---------------------------------------------------------------------- */
/* The key table                                                           */

static int set_key(const struct pctx *p, struct ike_config *c, const char *k, const char *v)
{
	unsigned long long u = 0;
	uint64_t d = 0;
	int b = 0, e = 0, rc = 0;

#define IS(name) (strcmp(k, name) == 0)
	if (IS("role")) {
		rc = parse_enum(p, v, role_names, &e); /* applied in the first pass */
	} else if (IS("name")) {
		if (strlen(v) >= sizeof c->name || v[0] == '\0')
			return perr(p, "name of %zu characters, expected 1..%zu", strlen(v), sizeof c->name - 1);
		snprintf(c->name, sizeof c->name, "%s", v);
	} else if (IS("local_addr")) {
		rc = parse_ip4(p, v, &c->local_addr);
	} else if (IS("remote_addr")) {
		rc = parse_ip4(p, v, &c->remote_addr);
	} else if (IS("port") || IS("natt_port")) {
		rc = parse_uint(p, v, 65535, &u);
		if (rc == 0 && u == 0)
			return perr(p, "port 0, expected 1..65535");
		if (rc == 0)
			*(IS("port") ? &c->port : &c->natt_port) = (uint16_t)u;
	} else if (IS("local_id")) {
		rc = parse_id(p, v, &c->local_id);
	} else if (IS("remote_id")) {
		rc = parse_id(p, v, &c->remote_id);
	} else if (IS("auth") || IS("remote_auth")) {
		rc = parse_enum(p, v, auth_names, &e);
		if (rc == 0)
			*(IS("auth") ? &c->auth : &c->remote_auth) = (enum ike_auth_cfg)e;
	} else if (IS("psk")) {
		rc = parse_psk(p, v, c);
	} else if (IS("signature")) {
		rc = parse_enum(p, v, sig_names, &e);
		if (rc == 0)
			c->sig = (enum ike_sig_cfg)e;
	} else if (IS("cert") || IS("key") || IS("ca")) {
		char *dst = IS("cert") ? c->cert_file : IS("key") ? c->key_file : c->ca_file;

		if (strlen(v) >= IKE_CFG_PATH_MAX || v[0] == '\0')
			return perr(p, "path of %zu characters, expected 1..%d", strlen(v), IKE_CFG_PATH_MAX - 1);
		snprintf(dst, IKE_CFG_PATH_MAX, "%s", v);
	} else if (IS("cert_time")) {
		if (strcasecmp(v, "now") == 0) {
			c->cert_time = IKE_CERT_TIME_NOW;
		} else {
			/* up to 9999-12-31T23:59:59Z */
			rc = parse_uint(p, v, 253402300799ULL, &u);
			if (rc < 0)
				return perr(p, "not a time, expected seconds since the epoch (e.g. 1700000000), 0 for no "
					       "time checks, or now");
			c->cert_time = (int64_t)u;
		}
	} else if (IS("send_certreq")) {
		rc = parse_bool(p, v, &c->send_certreq);
	} else if (IS("ike") || IS("esp") || IS("esp_small")) {
		char why[400];
		struct ike_props *dst = IS("ike") ? &c->ike : IS("esp") ? &c->esp : &c->esp_small;

		if (ike_proposal_parse(v, IS("ike") ? IKE_PROTO_IKE : IKE_PROTO_ESP, dst, why, sizeof why) < 0)
			return perr(p, "%s", why);
	} else if (IS("proposals")) {
		rc = parse_enum(p, v, proposals_names, &e);
		if (rc == 0)
			c->proposals = (enum ike_proposals_mode)e;
	} else if (IS("local_ts")) {
		rc = parse_ts_list(p, v, c->local_ts, &c->n_local_ts);
	} else if (IS("remote_ts")) {
		rc = parse_ts_list(p, v, c->remote_ts, &c->n_remote_ts);
	} else if (IS("encap")) {
		rc = parse_bool(p, v, &c->force_encap);
	} else if (IS("keepalive")) {
		rc = parse_duration(p, v, &c->keepalive_ns);
	} else if (IS("fragmentation")) {
		rc = parse_bool(p, v, &b);
		c->fragmentation = b ? IKE_FRAG_YES : IKE_FRAG_NO;
	} else if (IS("fragment_size")) {
		rc = parse_uint(p, v, 65535, &u);
		if (rc == 0 && u < 128)
			return perr(p, "fragment size %llu, expected 128..65535 (548 for 576-octet IPv4 paths)", u);
		c->fragment_size = (size_t)u;
	} else if (IS("reassembly_max_fragments")) {
		rc = parse_uint(p, v, 64, &u);
		if (rc == 0 && u == 0)
			return perr(p, "0 fragments, expected 1..64");
		c->reasm_max_frags = (size_t)u;
	} else if (IS("reassembly_max_bytes")) {
		rc = parse_uint(p, v, 1u << 20, &u);
		c->reasm_max_bytes = (size_t)u;
	} else if (IS("reassembly_timeout")) {
		rc = parse_duration(p, v, &c->reasm_timeout_ns);
	} else if (IS("retransmit_timeout")) {
		rc = parse_duration(p, v, &d);
		if (rc == 0 && d == 0)
			return perr(p, "zero timeout, expected a positive duration like 4s");
		c->retx_timeout_ns = d;
	} else if (IS("retransmit_base")) {
		char *end;
		double x = strtod(v, &end);

		if (*end != '\0' || !(x >= 1.0 && x <= 10.0) || !isdigit((unsigned char)v[0]))
			return perr(p, "not a factor, expected a number 1.0..10.0 (e.g. 1.8)");
		c->retx_base = x;
	} else if (IS("retransmit_tries")) {
		rc = parse_uint(p, v, 30, &u);
		c->retx_tries = (unsigned)u;
	} else if (IS("retransmit_max")) {
		rc = parse_duration(p, v, &c->retx_max_ns);
	} else if (IS("dpd_delay")) {
		rc = parse_duration(p, v, &c->dpd_ns);
	} else if (IS("dpd_action")) {
		rc = parse_enum(p, v, dpd_names, &e);
		if (rc == 0)
			c->dpd_action = (enum ike_dpd_action)e;
	} else if (IS("initial_contact")) {
		rc = parse_bool(p, v, &c->initial_contact);
	} else if (IS("request_vip")) {
		rc = parse_bool(p, v, &c->request_vip);
	} else if (IS("pool")) {
		int prefix;

		if (parse_range_raw(v, strlen(v), &c->pool_lo, &c->pool_hi, &prefix) < 0)
			return perr(p, "not a pool, expected ADDR/PREFIX (e.g. 10.10.0.0/24) or ADDR-ADDR");
		if (prefix >= 0 && prefix <= 30) {
			/* a subnet: leave out the network and broadcast addresses */
			c->pool_lo++;
			c->pool_hi--;
		}
		c->pool_netmask = prefix >= 0 ? (prefix == 0 ? 0 : UINT32_MAX << (32 - prefix)) : 0;
	} else if (IS("dns")) {
		struct addr_acc a = {c->dns, &c->n_dns, IKE_CFG_DNS_MAX, NULL, 0};

		c->n_dns = 0;
		rc = for_each_item(v, addr_item, &a);
		if (rc == -2)
			return perr(p, "more than %d servers, expected at most %d", IKE_CFG_DNS_MAX, IKE_CFG_DNS_MAX);
		if (rc < 0)
			return perr(p, "'%.*s' is not an IPv4 address, expected a comma-separated list of addresses",
				    (int)a.bad_len, a.bad);
	} else if (IS("dns_domain")) {
		struct dom_acc a = {c->domains, &c->n_domains, NULL, 0};

		c->n_domains = 0;
		rc = for_each_item(v, dom_item, &a);
		if (rc == -2)
			return perr(p, "more than %d domains, expected at most %d", IKE_CFG_DOMAIN_MAX, IKE_CFG_DOMAIN_MAX);
		if (rc < 0)
			return perr(p, "'%.*s' is not a domain name, expected letters, digits, '-', '.' (< %d characters)",
				    (int)a.bad_len, a.bad, IKE_CFG_DOMAIN_LEN);
	} else if (IS("cookies")) {
		rc = parse_bool(p, v, &c->cookies);
	} else if (IS("cookie_threshold")) {
		rc = parse_uint(p, v, 1000000, &u);
		c->cookie_threshold = (unsigned)u;
	} else if (IS("half_open_timeout")) {
		rc = parse_duration(p, v, &c->half_open_timeout_ns);
		if (rc == 0 && c->half_open_timeout_ns == 0)
			return perr(p, "zero timeout, expected a positive duration like 30s");
	} else if (IS("unique")) {
		rc = parse_enum(p, v, unique_names, &e);
		if (rc == 0)
			c->unique = (enum ike_unique_policy)e;
	} else if (IS("max_sas")) {
		rc = parse_uint(p, v, 1000000, &u);
		if (rc == 0 && u == 0)
			return perr(p, "0 SAs, expected 1..1000000");
		c->max_sas = (size_t)u;
	} else if (IS("invalid_spi_notify")) {
		rc = parse_bool(p, v, &c->invalid_spi_notify);
	} else if (IS("invalid_spi_rate")) {
		rc = parse_uint(p, v, 1000000, &u);
		if (rc == 0 && u == 0)
			return perr(p, "0 answers a second, expected 1..1000000 (invalid_spi_notify = no turns them off)");
		c->invalid_spi_rate = (unsigned)u;
	} else if (IS("ike_lifetime")) {
		rc = parse_duration(p, v, &c->ike_lifetime_ns);
	} else if (IS("child_lifetime")) {
		rc = parse_duration(p, v, &c->child_lifetime_ns);
	} else if (IS("reauth_time")) {
		rc = parse_duration(p, v, &c->reauth_ns);
	} else if (IS("reauth")) {
		rc = parse_enum(p, v, reauth_names, &e);
		if (rc == 0)
			c->reauth = (enum ike_reauth_mode)e;
	} else if (IS("log_keys")) {
		rc = parse_bool(p, v, &c->log_keys);
	} else {
		return perr(p, "unknown key, expected one of the keys listed in ref/ike/ike_profile.h (e.g. ike, esp, "
			       "psk, local_id, remote_addr)");
	}
#undef IS
	return rc;
}

const char *const ike_profile_keys[] = {
	"role", "name", "local_addr", "remote_addr", "port", "natt_port", "local_id", "remote_id", "auth",
	"remote_auth", "psk", "signature", "cert", "key", "ca", "cert_time", "send_certreq", "ike", "esp", "esp_small",
	"proposals", "local_ts", "remote_ts", "encap", "keepalive", "fragmentation", "fragment_size",
	"reassembly_max_fragments", "reassembly_max_bytes", "reassembly_timeout", "retransmit_timeout",
	"retransmit_base", "retransmit_tries", "retransmit_max", "dpd_delay", "dpd_action", "initial_contact", "request_vip", "pool",
	"dns", "dns_domain", "cookies", "cookie_threshold", "half_open_timeout", "unique", "max_sas",
	"invalid_spi_notify", "invalid_spi_rate",
	"ike_lifetime", "child_lifetime", "reauth_time", "reauth", "log_keys", NULL};

/* ---------------------------------------------------------------------- */
/* Lines                                                                   */

struct line {
	char key[64];
	char value[VALUE_MAX + 1];
	int is_section;
	int blank;
};

/*
 * split_line parses one line into a key/value or a [section]; strips
 * comments (outside quotes) and surrounding blanks; removes the quotes of
 * a quoted value.
 */
static int split_line(struct pctx *p, const char *s, size_t len, struct line *l)
{
	char buf[LINE_MAX_LEN + 1];
	size_t n = 0, i;
	int inq = 0;
	char *eq, *k, *v, *end;

	memset(l, 0, sizeof *l);
	if (len > LINE_MAX_LEN)
		return perr(p, "line of %zu characters, expected at most %d", len, LINE_MAX_LEN);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			inq = !inq;
		if (s[i] == '#' && !inq)
			break;
		buf[n++] = s[i] == '\t' ? ' ' : s[i];
	}
	if (inq)
		return perr(p, "unterminated quote, expected a closing '\"'");
	buf[n] = '\0';
	k = buf;
	while (*k == ' ' || *k == '\r')
		k++;
	end = k + strlen(k);
	while (end > k && (end[-1] == ' ' || end[-1] == '\r'))
		*--end = '\0';
	if (*k == '\0') {
		l->blank = 1;
		return 0;
	}
	if (*k == '[') {
		if (end[-1] != ']' || end - k < 3 || (size_t)(end - k - 2) >= sizeof l->key)
			return perr(p, "section '%s' not understood, expected [client] or [gateway]", k);
		memcpy(l->key, k + 1, (size_t)(end - k - 2));
		l->is_section = 1;
		return 0;
	}
	eq = strchr(k, '=');
	if (eq == NULL)
		return perr(p, "'%s' has no '=', expected key = value", k);
	v = eq + 1;
	*eq = '\0';
	while (eq > k && eq[-1] == ' ')
		*--eq = '\0';
	while (*v == ' ')
		v++;
	if (*k == '\0')
		return perr(p, "no key before '=', expected key = value");
	if (strlen(k) >= sizeof l->key)
		return perr(p, "key '%.20s...' too long, expected a known key", k);
	for (char *c = k; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_'))
			return perr(p, "key '%s' has a '%c', expected letters, digits and '_'", k, *c);
	if (v[0] == '"') {
		size_t vl = strlen(v);

		if (vl < 2 || v[vl - 1] != '"')
			return perr(p, "value %s: text after the closing quote, expected nothing", v);
		v[vl - 1] = '\0';
		v++;
	}
	if (strlen(v) > VALUE_MAX)
		return perr(p, "value of %zu characters, expected at most %d", strlen(v), VALUE_MAX);
	memcpy(l->key, k, strlen(k) + 1);
	memcpy(l->value, v, strlen(v) + 1);
	return 0;
}

/* section_role: 1 client, 2 gateway, 0 another section. */
static int section_role(const char *name)
{
	if (strcasecmp(name, "client") == 0)
		return IKE_ROLE_CLIENT;
	if (strcasecmp(name, "gateway") == 0)
		return IKE_ROLE_GATEWAY;
	return 0;
}

/* walk calls |fn| for every line of |text| with the line's number. */
static int walk(const char *text, size_t len, struct pctx *p, int (*fn)(struct pctx *p, struct line *l, void *arg),
		void *arg)
{
	size_t off = 0;
	struct line l;

	p->line = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - (text + off)) : len - off;
		int rc;

		p->line++;
		p->key = NULL;
		if (memchr(text + off, '\0', llen) != NULL)
			return perr(p, "NUL character in the line, expected text");
		rc = split_line(p, text + off, llen, &l);
		if (rc < 0)
			return rc;
		if (!l.blank) {
			rc = fn(p, &l, arg);
			if (rc < 0)
				return rc;
		}
		off += llen + (nl ? 1 : 0);
	}
	return 0;
}

struct pass {
	const char *section; /* requested, or NULL */
	int cur;             /* 0 common, 1 client, 2 gateway, -1 another section (skipped) */
	int role;            /* found */
	unsigned role_line;
	struct ike_config *cfg;
	char seen[64][64];
	unsigned seen_line[64];
	size_t n_seen;
};

/* enter handles a [section] line for both passes. */
static int enter(struct pctx *p, struct line *l, struct pass *ps)
{
	int r = section_role(l->key);

	if (ps->section != NULL) {
		ps->cur = (r != 0 && r == section_role(ps->section)) ? r : -1;
		return 0;
	}
	if (r == 0)
		return perr(p, "section [%s] unknown, expected [client] or [gateway]", l->key);
	ps->cur = r;
	return 0;
}

static int pass1(struct pctx *p, struct line *l, void *arg)
{
	struct pass *ps = arg;
	int r;

	if (l->is_section) {
		int rc = enter(p, l, ps);

		if (rc < 0 || ps->cur <= 0)
			return rc;
		r = ps->cur;
	} else {
		if (ps->cur < 0 || strcmp(l->key, "role") != 0)
			return 0;
		p->key = l->key;
		p->value = l->value;
		if (parse_enum(p, l->value, role_names, &r) < 0)
			return IKE_E_SYNTAX;
	}
	if (ps->role != 0 && ps->role != r) {
		p->key = NULL;
		return perr(p, "%s conflicts with the %s role set at line %u, expected one role per profile",
			    r == IKE_ROLE_CLIENT ? "client" : "gateway", ps->role == IKE_ROLE_CLIENT ? "client" : "gateway",
			    ps->role_line);
	}
	ps->role = r;
	ps->role_line = p->line;
	return 0;
}

static int pass2(struct pctx *p, struct line *l, void *arg)
{
	struct pass *ps = arg;

	if (l->is_section)
		return enter(p, l, ps);
	if (ps->cur < 0)
		return 0;
	p->key = l->key;
	p->value = l->value;
	for (size_t i = 0; i < ps->n_seen; i++)
		if (strcmp(ps->seen[i], l->key) == 0)
			return perr(p, "key given twice (first at line %u), expected it once", ps->seen_line[i]);
	if (ps->n_seen < sizeof ps->seen / sizeof ps->seen[0]) {
		snprintf(ps->seen[ps->n_seen], sizeof ps->seen[0], "%s", l->key);
		ps->seen_line[ps->n_seen++] = p->line;
	}
	return set_key(p, ps->cfg, l->key, l->value);
}

int ike_profile_parse(const char *text, size_t len, const char *file, const char *section,
		      struct ike_config *cfg, char *msg, size_t cap)
{
	struct pctx p = {file ? file : "<profile>", 0, NULL, NULL, msg, cap};
	struct pass ps;
	int rc;

	if (section != NULL && section_role(section) == 0) {
		p.line = 0;
		return perr(&p, "section '%s' requested, expected client or gateway", section);
	}
	memset(&ps, 0, sizeof ps);
	ps.section = section;
	rc = walk(text, len, &p, pass1, &ps);
	if (rc < 0)
		return rc;
	if (ps.role == 0 && section != NULL)
		ps.role = section_role(section);
	if (ps.role == 0) {
		p.line = 0;
		p.key = NULL;
		return perr(&p, "no role, expected a [client] or [gateway] section or role = client|gateway");
	}
	ike_config_init(cfg, (enum ike_role)ps.role);
	memset(&ps, 0, sizeof ps);
	ps.section = section;
	ps.cfg = cfg;
	return walk(text, len, &p, pass2, &ps);
}
