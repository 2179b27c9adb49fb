/* evlog.c — JSON-lines event builder (see evlog.h). */
#include "ref/util/evlog.h"

#include <stdio.h>
#include <string.h>

/* Room kept for the closing ',"trunc":true}' so a cut line stays valid JSON. */
#define EV_RESERVE 16

static void put(struct evbuf *e, const char *s, size_t n)
{
	if (e->truncated)
		return;
	if (e->len + n > EVBUF_MAX - EV_RESERVE) {
		e->truncated = 1;
		e->len = e->mark;
		return;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

static void puts_raw(struct evbuf *e, const char *s)
{
	put(e, s, strlen(s));
}

static void put_escaped(struct evbuf *e, const char *s)
{
	char tmp[8];

	put(e, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*p;
			put(e, tmp, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, sizeof tmp, "\\u%04x", *p);
			put(e, tmp, 6);
		} else {
			put(e, (const char *)p, 1);
		}
	}
	put(e, "\"", 1);
}

static void key(struct evbuf *e, const char *k)
{
	e->mark = e->len;
	put(e, ",", 1);
	put_escaped(e, k);
	put(e, ":", 1);
}

static void done(struct evbuf *e)
{
	if (!e->truncated)
		e->mark = e->len;
}

static void put_time(struct evbuf *e, uint64_t ns)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
			 (unsigned long long)(ns % 1000000000u));
	put(e, tmp, (size_t)n);
}

void ev_begin(struct evbuf *e, uint64_t now_ns, const char *src, const char *type)
{
	e->len = 0;
	e->mark = 0;
	e->truncated = 0;
	puts_raw(e, "{\"t\":");
	put_time(e, now_ns);
	key(e, "src");
	put_escaped(e, src ? src : "");
	key(e, "ev");
	put_escaped(e, type ? type : "");
	done(e);
}

void ev_str(struct evbuf *e, const char *k, const char *val)
{
	key(e, k);
	if (val)
		put_escaped(e, val);
	else
		puts_raw(e, "null");
	done(e);
}

void ev_u64(struct evbuf *e, const char *k, uint64_t val)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)val);

	key(e, k);
	put(e, tmp, (size_t)n);
	done(e);
}

void ev_i64(struct evbuf *e, const char *k, int64_t val)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)val);

	key(e, k);
	put(e, tmp, (size_t)n);
	done(e);
}

void ev_bool(struct evbuf *e, const char *k, int val)
{
	key(e, k);
	puts_raw(e, val ? "true" : "false");
	done(e);
}

void ev_hex(struct evbuf *e, const char *k, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char pair[2];

	key(e, k);
	put(e, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		pair[0] = digits[p[i] >> 4];
		pair[1] = digits[p[i] & 15];
		put(e, pair, 2);
	}
	put(e, "\"", 1);
	done(e);
}

void ev_time(struct evbuf *e, const char *k, uint64_t ns)
{
	key(e, k);
	put_time(e, ns);
	done(e);
}

const char *ev_end(struct evbuf *e)
{
	if (e->truncated) {
		/* put() refuses once truncated; write the tail in the reserve. */
		memcpy(e->buf + e->len, ",\"trunc\":true", 13);
		e->len += 13;
	}
	e->buf[e->len++] = '}';
	e->buf[e->len] = '\0';
	return e->buf;
}

void ev_emit(const struct ev_sink *sink, struct evbuf *e)
{
	ev_end(e);
	if (sink && sink->emit)
		sink->emit(sink->ctx, e->buf, e->len);
}
