/*
 * scn_units.h — value parsers shared by the scenario parser and the
 * expectations: durations, sizes, rates, fractions, numbers, booleans,
 * IPv4 addresses. Each returns 0, or -1 with "'VALUE' is not ..., expected
 * ..." in |err| (the caller adds file:line:col and the key).
 */
#ifndef VPNLAB_SIM_SCN_UNITS_H
#define VPNLAB_SIM_SCN_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "20s", "1.5s", "500ms", "250us", "10ns", "2m", "1h"; "0" alone needs no unit. */
int scn_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen);
/* "4096", "4096B", "4KB" (1000), "4KiB" (1024), "2MB", "2MiB", "1GB". */
int scn_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen);
/* "100Mbps", "1Gbps", "56kbps", "9600bps" (bits per second). */
int scn_parse_rate(const char *s, uint64_t *bps, char *err, size_t errlen);
/* "0.1" or "10%" -> 0.1; must be within 0..1. */
int scn_parse_fraction(const char *s, double *f, char *err, size_t errlen);
/* a decimal integer in 0..|max|. */
int scn_parse_uint(const char *s, uint64_t max, uint64_t *v, char *err, size_t errlen);
/* a non-negative decimal number ("3", "2.5"). */
int scn_parse_number(const char *s, double *v, char *err, size_t errlen);
/* yes/no, true/false, on/off. */
int scn_parse_bool(const char *s, int *b, char *err, size_t errlen);
/* "192.0.2.1" (host order); with |prefix| non-NULL also "192.0.2.1/24" (else *prefix = -1). */
int scn_parse_ip4(const char *s, uint32_t *addr, int *prefix, char *err, size_t errlen);
/* a name: letters, digits, '-', '_', 1..31 characters, starting with a letter. */
int scn_parse_name(const char *s, char *err, size_t errlen);

/* scn_copy copies |src| into |dst| (|cap| > 0), cut to fit; returns |dst|. */
char *scn_copy(char *dst, size_t cap, const char *src);

/* scn_fmt_ip4 writes a.b.c.d into |buf| (16 octets). */
const char *scn_fmt_ip4(uint32_t a, char buf[16]);
/* scn_fmt_duration writes "20s", "1.5s", "250ms" (the shortest exact form). */
const char *scn_fmt_duration(uint64_t ns, char *buf, size_t cap);

#endif
