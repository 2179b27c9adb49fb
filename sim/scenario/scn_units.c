/*
 * scn_units.c — value parsers of the scenario format (scn_units.h).
 * Decimal fractions are read digit by digit, not through strtod, so that
 * "1.1s" is exactly 1100000000 ns.
 */
#include "sim/scenario/scn_units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *name;
	uint64_t mult;
};

/*
 * fixed_parse reads "123" or "123.456" scaled by 10^9 (so 9 decimals are
 * exact) into |*v9| and returns the first character after the number, or
 * NULL when there is no number or it overflows.
 */
static const char *fixed_parse(const char *s, unsigned __int128 *v9)
{
	unsigned __int128 ip = 0, frac = 0;
	int digits = 0, any = 0;
	while (isdigit((unsigned char)*s)) {
		ip = ip * 10 + (unsigned)(*s++ - '0');
		any = 1;
		if (ip > (unsigned __int128)UINT64_MAX)
			return NULL;
	}
	if (*s == '.' && isdigit((unsigned char)s[1])) {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (digits < 9) {
				frac = frac * 10 + (unsigned)(*s - '0');
				digits++;
			}
			s++;
		}
		any = 1;
	}
	if (!any)
		return NULL;
	while (digits++ < 9)
		frac *= 10;
	*v9 = ip * 1000000000u + frac;
	return s;
}

static int scaled(const char *s, const struct unit *units, size_t nunits, int unit_required,
		  uint64_t *out, const char *what, const char *expected, char *err, size_t errlen)
{
	unsigned __int128 v9;
	const char *rest = fixed_parse(s, &v9);
	if (!rest) {
		snprintf(err, errlen, "'%s' is not %s, expected %s", s, what, expected);
		return -1;
	}
	uint64_t mult = 0;
	if (*rest == '\0') {
		if (unit_required && v9 != 0) {
			snprintf(err, errlen, "'%s' has no unit, expected %s", s, expected);
			return -1;
		}
		mult = units[0].mult;
		for (size_t i = 0; i < nunits; i++)
			if (units[i].name[0] == '\0')
				mult = units[i].mult;
	} else {
		for (size_t i = 0; i < nunits && !mult; i++)
			if (units[i].name[0] && strcmp(rest, units[i].name) == 0)
				mult = units[i].mult;
		if (!mult) {
			snprintf(err, errlen, "'%s': unknown unit '%s', expected %s", s, rest, expected);
			return -1;
		}
	}
	unsigned __int128 r = v9 * mult;
	if (r % 1000000000u != 0) {
		snprintf(err, errlen, "'%s' is not a whole number of the smallest unit, expected %s",
			 s, expected);
		return -1;
	}
	r /= 1000000000u;
	if (r > (unsigned __int128)UINT64_MAX) {
		snprintf(err, errlen, "'%s' is too large, expected %s", s, expected);
		return -1;
	}
	*out = (uint64_t)r;
	return 0;
}

int scn_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	static const struct unit u[] = {
		{"s", 1000000000ull}, {"ns", 1}, {"us", 1000}, {"ms", 1000000},
		{"m", 60000000000ull}, {"h", 3600000000000ull},
	};
	return scaled(s, u, sizeof u / sizeof u[0], 1, ns, "a duration",
		      "a number with a unit ns, us, ms, s, m or h (e.g. 20s, 1.5s, 500ms)", err,
		      errlen);
}

int scn_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
	static const struct unit u[] = {
		{"", 1},	   {"B", 1},		{"KB", 1000},	  {"kB", 1000},
		{"KiB", 1024},	   {"MB", 1000000},	{"MiB", 1048576}, {"GB", 1000000000ull},
		{"GiB", 1ull << 30},
	};
	return scaled(s, u, sizeof u / sizeof u[0], 0, bytes, "a size",
		      "octets, optionally with B, KB, KiB, MB, MiB, GB or GiB (e.g. 4096, 2MB)", err,
		      errlen);
}

int scn_parse_rate(const char *s, uint64_t *bps, char *err, size_t errlen)
{
	static const struct unit u[] = {
		{"bps", 1}, {"kbps", 1000}, {"Kbps", 1000}, {"Mbps", 1000000}, {"Gbps", 1000000000ull},
	};
	int r = scaled(s, u, sizeof u / sizeof u[0], 1, bps, "a rate",
		       "bits per second with bps, kbps, Mbps or Gbps (e.g. 100Mbps)", err, errlen);
	if (r == 0 && *bps == 0) {
		snprintf(err, errlen, "'%s' is a zero rate, expected a positive rate (e.g. 100Mbps)", s);
		return -1;
	}
	return r;
}

int scn_parse_fraction(const char *s, double *f, char *err, size_t errlen)
{
	unsigned __int128 v9;
	const char *rest = fixed_parse(s, &v9);
	double v = rest ? (double)v9 / 1e9 : -1;
	if (rest && strcmp(rest, "%") == 0)
		v /= 100.0;
	else if (rest && *rest)
		rest = NULL;
	if (!rest || v > 1.0) {
		snprintf(err, errlen,
			 "'%s' is not a fraction, expected a number 0..1 or a percentage (e.g. 0.1 "
			 "or 10%%)",
			 s);
		return -1;
	}
	*f = v;
	return 0;
}

int scn_parse_uint(const char *s, uint64_t max, uint64_t *v, char *err, size_t errlen)
{
	uint64_t x = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p)) {
		snprintf(err, errlen, "'%s' is not a number, expected an integer 0..%llu", s,
			 (unsigned long long)max);
		return -1;
	}
	int overflow = 0;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p++ - '0');
		if (x > (UINT64_MAX - d) / 10)
			overflow = 1;
		else
			x = x * 10 + d;
	}
	if (*p || overflow || x > max) {
		snprintf(err, errlen, "'%s' is not an integer in range, expected 0..%llu", s,
			 (unsigned long long)max);
		return -1;
	}
	*v = x;
	return 0;
}

int scn_parse_number(const char *s, double *v, char *err, size_t errlen)
{
	unsigned __int128 v9;
	const char *rest = fixed_parse(s, &v9);
	if (!rest || *rest) {
		snprintf(err, errlen, "'%s' is not a number, expected digits (e.g. 3 or 2.5)", s);
		return -1;
	}
	*v = (double)v9 / 1e9;
	return 0;
}

int scn_parse_bool(const char *s, int *b, char *err, size_t errlen)
{
	static const char *const yes[] = {"yes", "true", "on"};
	static const char *const no[] = {"no", "false", "off"};
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *b = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *b = 0, 0;
	}
	snprintf(err, errlen, "'%s' is not yes or no, expected yes or no", s);
	return -1;
}

int scn_parse_ip4(const char *s, uint32_t *addr, int *prefix, char *err, size_t errlen)
{
	unsigned o[4];
	int n = 0, pl = -1;
	char tail[8] = "";
	int ok = sscanf(s, "%3u.%3u.%3u.%3u%n", &o[0], &o[1], &o[2], &o[3], &n) == 4;
	if (ok && s[n] == '/' && prefix) {
		char *end;
		long p = strtol(s + n + 1, &end, 10);
		ok = end != s + n + 1 && *end == '\0' && p >= 0 && p <= 32;
		pl = (int)p;
	} else if (ok && s[n] != '\0') {
		ok = 0;
	}
	for (int i = 0; ok && i < 4; i++)
		ok = o[i] <= 255;
	(void)tail;
	if (!ok) {
		snprintf(err, errlen, "'%s' is not an IPv4 address, expected a.b.c.d%s", s,
			 prefix ? " or a.b.c.d/prefix" : "");
		return -1;
	}
	*addr = o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
	if (prefix)
		*prefix = pl;
	return 0;
}

int scn_parse_name(const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);
	int ok = n >= 1 && n <= 31 && isalpha((unsigned char)s[0]);
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
	if (!ok) {
		snprintf(err, errlen,
			 "'%s' is not a name, expected 1..31 letters, digits, '-' or '_' starting "
			 "with a letter",
			 s);
		return -1;
	}
	return 0;
}

char *scn_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

const char *scn_fmt_ip4(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

const char *scn_fmt_duration(uint64_t ns, char *buf, size_t cap)
{
	static const struct unit u[] = {
		{"h", 3600000000000ull}, {"m", 60000000000ull}, {"s", 1000000000ull},
		{"ms", 1000000},	 {"us", 1000},		{"ns", 1},
	};
	if (ns == 0) {
		snprintf(buf, cap, "0s");
		return buf;
	}
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (ns % u[i].mult == 0) {
			snprintf(buf, cap, "%llu%s", (unsigned long long)(ns / u[i].mult), u[i].name);
			return buf;
		}
	return buf;
}
