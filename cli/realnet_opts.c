/*
 * realnet_opts.c — defaults and the [realnet] section of a profile
 * (rn_opts_parse, cli/realnet.h). The rest of the file is the ike
 * profile's (ref/ike/ike_profile.h); both parsers read the whole text so
 * line numbers in errors are the file's.
 */
#include "cli/realnet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rn_opts_init(struct rn_opts *o, int gateway)
{
	memset(o, 0, sizeof *o);
	o->gateway = gateway;
	snprintf(o->name, sizeof o->name, "%s", gateway ? "gw" : "client");
	o->port = 500;
	o->natt_port = 4500;
	o->esp_mode = RN_ESP_AUTO;
	o->tun_mtu = RN_TUN_MTU_DEFAULT;
	o->routes = 1;
	o->batch = RN_BATCH_DEFAULT;
	o->offload = 1;
	o->shutdown_wait_ns = UINT64_C(1000000000);
}

struct octx {
	const char *file;
	unsigned line;
	const char *key, *value;
	char *msg;
	size_t cap;
};

static int oerr(const struct octx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int oerr(const struct octx *c, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (c->key != NULL)
		snprintf(c->msg, c->cap, "%s:%u: [realnet] %s = '%s': %s", c->file, c->line, c->key, c->value, what);
	else
		snprintf(c->msg, c->cap, "%s:%u: [realnet]: %s", c->file, c->line, what);
	return -1;
}

static int parse_uint(const struct octx *c, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long u;

	errno = 0;
	u = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 || u < lo || u > hi)
		return oerr(c, "expected a number %u..%u", lo, hi);
	*out = (unsigned)u;
	return 0;
}

static int parse_addr(const struct octx *c, const char *v, uint32_t *addr, unsigned *prefix)
{
	char buf[32];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	struct in_addr a;

	if (n >= sizeof buf)
		return oerr(c, "expected an IPv4 address A.B.C.D%s", prefix ? "[/N]" : "");
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return oerr(c, "not an IPv4 address, expected A.B.C.D%s", prefix ? "[/N]" : "");
	*addr = ntohl(a.s_addr);
	if (slash != NULL && prefix == NULL)
		return oerr(c, "a prefix length is not allowed here, expected A.B.C.D");
	if (prefix != NULL) {
		*prefix = 32;
		if (slash != NULL && parse_uint(c, slash + 1, 0, 32, prefix) < 0)
			return oerr(c, "prefix length '%s', expected /0../32", slash + 1);
	}
	return 0;
}

/* parse_duration: "1s", "500ms", "2m", "0"; a bare number is seconds. */
static int parse_duration(const struct octx *c, const char *v, uint64_t *ns)
{
	char *end;
	unsigned long long u;

	errno = 0;
	u = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || errno != 0 || u > 3600000)
		return oerr(c, "expected a duration like 500ms, 2s or 1m");
	if (*end == '\0' || strcmp(end, "s") == 0)
		*ns = u * 1000000000ULL;
	else if (strcmp(end, "ms") == 0)
		*ns = u * 1000000ULL;
	else if (strcmp(end, "m") == 0)
		*ns = u * 60000000000ULL;
	else
		return oerr(c, "unknown unit '%s', expected ms, s or m", end);
	return 0;
}

static int parse_bool(const struct octx *c, const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return *out = 1, 0;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return *out = 0, 0;
	return oerr(c, "not a boolean, expected yes or no");
}

static int set_key(const struct octx *c, struct rn_opts *o, const char *k, const char *v)
{
	if (strcmp(k, "tun") == 0) {
		if (strcmp(v, "none") == 0) {
			o->no_tun = 1;
			return 0;
		}
		if (v[0] == '\0' || strlen(v) >= sizeof o->tun_name || strpbrk(v, " /:") != NULL)
			return oerr(c, "expected an interface name of 1..%zu characters without ' ', '/' or ':', or none",
				    sizeof o->tun_name - 1);
		snprintf(o->tun_name, sizeof o->tun_name, "%s", v);
		return 0;
	}
	if (strcmp(k, "tun_mtu") == 0)
		return parse_uint(c, v, 576, RN_TUN_MTU_MAX, &o->tun_mtu);
	if (strcmp(k, "tun_addr") == 0)
		return parse_addr(c, v, &o->tun_addr, &o->tun_prefix);
	if (strcmp(k, "listen") == 0)
		return parse_addr(c, v, &o->listen_addr, NULL);
	if (strcmp(k, "esp") == 0) {
		if (strcmp(v, "auto") == 0)
			o->esp_mode = RN_ESP_AUTO;
		else if (strcmp(v, "udp") == 0)
			o->esp_mode = RN_ESP_UDP;
		else if (strcmp(v, "raw") == 0)
			o->esp_mode = RN_ESP_RAW;
		else
			return oerr(c, "expected auto, udp or raw");
		return 0;
	}
	if (strcmp(k, "routes") == 0)
		return parse_bool(c, v, &o->routes);
	if (strcmp(k, "offload") == 0)
		return parse_bool(c, v, &o->offload);
	if (strcmp(k, "batch") == 0)
		return parse_uint(c, v, 1, RN_BATCH_MAX, &o->batch);
	if (strcmp(k, "shutdown_wait") == 0)
		return parse_duration(c, v, &o->shutdown_wait_ns);
	return oerr(c, "unknown key, expected tun, tun_mtu, tun_addr, listen, esp, routes, batch, offload or "
			 "shutdown_wait");
}

int rn_opts_parse(const char *text, size_t len, const char *file, struct rn_opts *o, char *msg, size_t cap)
{
	struct octx c = {file ? file : "<profile>", 0, NULL, NULL, msg, cap};
	char seen[16][32];
	unsigned seen_line[16];
	size_t n_seen = 0, off = 0;
	int in = 0;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		char buf[1024], *k, *v, *e;
		size_t n = 0;
		int q = 0;

		c.line++;
		c.key = NULL;
		if (ll >= sizeof buf) {
			if (in)
				return oerr(&c, "line of %zu characters, expected at most %zu", ll, sizeof buf - 1);
			off += ll + (nl ? 1 : 0);
			continue;
		}
		for (size_t i = 0; i < ll; i++) {
			if (text[off + i] == '"')
				q = !q;
			if (text[off + i] == '#' && !q)
				break;
			buf[n++] = text[off + i] == '\t' ? ' ' : text[off + i];
		}
		buf[n] = '\0';
		off += ll + (nl ? 1 : 0);
		k = buf;
		while (*k == ' ')
			k++;
		e = k + strlen(k);
		while (e > k && (e[-1] == ' ' || e[-1] == '\r'))
			*--e = '\0';
		if (*k == '\0')
			continue;
		if (*k == '[') {
			in = strcmp(k, "[realnet]") == 0;
			continue;
		}
		if (!in)
			continue;
		v = strchr(k, '=');
		if (v == NULL)
			return oerr(&c, "'%s' has no '=', expected key = value", k);
		*v++ = '\0';
		for (e = v - 1; e > k && e[-1] == ' ';)
			*--e = '\0';
		while (*v == ' ')
			v++;
		if (v[0] == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		c.key = k;
		c.value = v;
		for (size_t i = 0; i < n_seen; i++)
			if (strcmp(seen[i], k) == 0)
				return oerr(&c, "key given twice (first at line %u), expected it once", seen_line[i]);
		if (n_seen < 16 && strlen(k) < sizeof seen[0]) {
			memcpy(seen[n_seen], k, strlen(k) + 1);
			seen_line[n_seen++] = c.line;
		}
		if (set_key(&c, o, k, v) < 0)
			return -1;
	}
	return 0;
}
