/* testutil.c — helpers shared by the cmocka tests. */
#include "tests/lib/testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		int v = nibble((unsigned char)*p);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

uint8_t *hex_alloc(const char *hex, size_t *len)
{
	size_t cap = strlen(hex) / 2 + 1;
	uint8_t *out = malloc(cap);
	long n;

	if (!out)
		abort();
	n = hex_decode(hex, out, cap);
	if (n < 0) {
		fprintf(stderr, "hex_alloc: bad hex string: %.60s\n", hex);
		abort();
	}
	*len = (size_t)n;
	return out;
}

void ev_collect(void *ctx, const char *line, size_t len)
{
	struct ev_lines *l = ctx;
	char **grown = realloc(l->line, (l->n + 1) * sizeof *grown);

	if (!grown)
		abort();
	l->line = grown;
	l->line[l->n] = strndup(line, len);
	if (!l->line[l->n])
		abort();
	l->n++;
}

void ev_lines_free(struct ev_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	l->line = NULL;
	l->n = 0;
}

size_t ev_lines_count(const struct ev_lines *l, const char *needle)
{
	size_t c = 0;

	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->line[i], needle))
			c++;
	return c;
}
