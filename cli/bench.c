/* bench.c — `vpnlab bench NAME`: dispatch to a benchmark, and the helpers they share. */
#include "cli/bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/verbs.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} bench_subs[] = {
	{"esp", bench_esp, "ESP seal/open throughput per algorithm and size, beside raw OpenSSL EVP"},
	{"ike", bench_ike, "IKE_SA_INIT + IKE_AUTH handshakes/s per suite, beside the OpenSSL crypto bound"},
};
#define NSUBS (sizeof bench_subs / sizeof bench_subs[0])

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: vpnlab bench NAME [--quick] [--json] [--duration-ms N] [--rounds N]\n"
		   "                        [--alg NAME] [--size N]\n"
		   "       vpnlab bench NAME --help\n\n"
		   "Measures on one core, in this process. Benchmarks:\n");
	for (size_t i = 0; i < NSUBS; i++)
		fprintf(f, "  %-6s %s\n", bench_subs[i].name, bench_subs[i].summary);
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		bench_usage(stderr);
		return EXIT_ERROR;
	}
	if (cli_is_help(argv[1])) {
		bench_usage(stdout);
		return EXIT_PASS;
	}
	for (size_t i = 0; i < NSUBS; i++)
		if (strcmp(argv[1], bench_subs[i].name) == 0)
			return bench_subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vpnlab bench: unknown benchmark '%s' (expected one of:", argv[1]);
	for (size_t i = 0; i < NSUBS; i++)
		fprintf(stderr, " %s", bench_subs[i].name);
	fprintf(stderr, ")\n");
	return EXIT_ERROR;
}

/* opt_uint parses a decimal in 1..|max| for option |name|. */
static int opt_uint(const char *bench, const char *name, const char *val, unsigned max,
		    unsigned *out)
{
	char *end;
	unsigned long v;

	if (!val) {
		fprintf(stderr, "vpnlab bench %s: %s needs a value\n", bench, name);
		return -1;
	}
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || *end || end == val || v < 1 || v > max || val[0] == '-') {
		fprintf(stderr, "vpnlab bench %s: %s '%s': expected a number in 1..%u\n", bench, name,
			val, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int bench_parse_opts(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (cli_is_help(a))
			return 1;
		if (strcmp(a, "--quick") == 0) {
			o->quick = 1;
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--duration-ms") == 0) {
			if (opt_uint(argv[0], a, v, 60000, &o->duration_ms))
				return -1;
			i++;
		} else if (strcmp(a, "--rounds") == 0) {
			if (opt_uint(argv[0], a, v, 1000, &o->rounds))
				return -1;
			i++;
		} else if (strcmp(a, "--size") == 0) {
			if (opt_uint(argv[0], a, v, 65535, &o->size))
				return -1;
			i++;
		} else if (strcmp(a, "--alg") == 0) {
			if (!v) {
				fprintf(stderr, "vpnlab bench %s: --alg needs a value\n", argv[0]);
				return -1;
			}
			o->alg = v;
			i++;
		} else {
			fprintf(stderr, "vpnlab bench %s: unknown option '%s' (see --help)\n", argv[0], a);
			return -1;
		}
	}
	return 0;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, cap, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && c) {
			c++;
			while (*c == ' ' || *c == '\t')
				c++;
			c[strcspn(c, "\n")] = '\0';
			snprintf(out, cap, "%s", c);
			break;
		}
	}
	fclose(f);
}

void bench_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
