/*
 * bench.h — the `vpnlab bench` verb: one dispatcher (bench.c) and one
 * file per benchmark (bench_esp.c, later bench_ike.c), plus the helpers
 * they share: option parsing, a monotonic clock, medians, JSON strings.
 *
 * Add a benchmark: write "int bench_NAME(int argc, char **argv)" (argv[0]
 * is the benchmark's name; it answers --help itself and returns an exit
 * status), declare it here and add a row to bench_subs[] in bench.c.
 */
#ifndef VPNLAB_CLI_BENCH_H
#define VPNLAB_CLI_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int bench_esp(int argc, char **argv);
int bench_ike(int argc, char **argv);

/* bench_opts: options every benchmark understands. */
struct bench_opts {
	int quick;            /* --quick: a few seconds in total */
	int json;             /* --json: one JSON document on stdout */
	unsigned duration_ms; /* --duration-ms N: per measurement (0 = the benchmark's default) */
	unsigned rounds;      /* --rounds N: alternating rounds per cell (0 = default) */
	const char *alg;      /* --alg NAME: only this algorithm (NULL = all) */
	unsigned size;        /* --size N: only this packet size (0 = all) */
};

/*
 * bench_parse_opts reads the options in argv[1..argc-1]. Returns 0, 1 if
 * --help was asked (the caller prints its usage and exits 0), or -1 after
 * printing "vpnlab bench NAME: ..." for a bad option (exit 2).
 */
int bench_parse_opts(int argc, char **argv, struct bench_opts *o);

/* bench_now_ns reads CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* bench_median sorts |v| in place and returns its median (0 if |n| is 0). */
double bench_median(double *v, size_t n);

/* bench_cpu_model copies the "model name" of /proc/cpuinfo into |out| ("unknown" if none). */
void bench_cpu_model(char *out, size_t cap);

/* bench_json_str prints |s| as a JSON string. */
void bench_json_str(FILE *f, const char *s);

#endif
