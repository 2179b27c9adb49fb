/*
 * evlog.h — structured events as JSON lines, shared by ref/, sim/ and the
 * real-network loop. A producer builds one line in a caller-owned evbuf and
 * hands it to an ev_sink callback; the sink decides where it goes (a file,
 * a test's array, /dev/null). No allocation, no global.
 *
 *   struct evbuf e;
 *   ev_begin(&e, now, "ike", "state");
 *   ev_str(&e, "from", "INIT_SENT"); ev_str(&e, "to", "AUTH_SENT");
 *   ev_emit(sink, &e);
 * gives {"t":1.000250000,"src":"ike","ev":"state","from":"INIT_SENT","to":"AUTH_SENT"}
 *
 * Time "t" is seconds with nanosecond precision (fixed 9 decimals), so the
 * same run prints the same bytes. A line longer than EVBUF_MAX is cut at the
 * last complete field and gets "trunc":true.
 */
#ifndef VPNLAB_REF_EVLOG_H
#define VPNLAB_REF_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#define EVBUF_MAX 2048

struct evbuf {
	char buf[EVBUF_MAX];
	size_t len;
	size_t mark;    /* end of the last complete field */
	int truncated;
};

struct ev_sink {
	void (*emit)(void *ctx, const char *line, size_t len);
	void *ctx;
};

void ev_begin(struct evbuf *e, uint64_t now_ns, const char *src, const char *type);
void ev_str(struct evbuf *e, const char *key, const char *val);
void ev_u64(struct evbuf *e, const char *key, uint64_t val);
void ev_i64(struct evbuf *e, const char *key, int64_t val);
void ev_bool(struct evbuf *e, const char *key, int val);
/* ev_hex writes |len| octets as a lower-case hex string. */
void ev_hex(struct evbuf *e, const char *key, const uint8_t *p, size_t len);
/* ev_time writes a nanosecond value as seconds with 9 decimals. */
void ev_time(struct evbuf *e, const char *key, uint64_t ns);
/* ev_end closes the object and returns the line (no newline); ev_emit ends and sends it. */
const char *ev_end(struct evbuf *e);
void ev_emit(const struct ev_sink *sink, struct evbuf *e);

#endif
