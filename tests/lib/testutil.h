/* testutil.h — small helpers shared by the cmocka tests (tests/lib). */
#ifndef VPNLAB_TESTUTIL_H
#define VPNLAB_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * hex_decode parses |hex| (whitespace ignored) into |out|; returns the
 * number of octets, or -1 on a bad digit, odd length or |cap| exceeded.
 */
long hex_decode(const char *hex, uint8_t *out, size_t cap);

/* hex_alloc is hex_decode into a fresh buffer (free() it); aborts on bad input. */
uint8_t *hex_alloc(const char *hex, size_t *len);

/* ev_collect is an ev_sink callback appending lines to a struct ev_lines. */
struct ev_lines {
	char **line;
	size_t n;
};
void ev_collect(void *ctx, const char *line, size_t len);
void ev_lines_free(struct ev_lines *l);
/* ev_lines_count returns how many lines contain |needle|. */
size_t ev_lines_count(const struct ev_lines *l, const char *needle);

#endif
