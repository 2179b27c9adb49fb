/* main.c — the vpnlab binary: dispatch to a verb. */
#include <stdio.h>
#include <string.h>

#include "cli/verbs.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
	/* rows are added as verbs land */
	{"bench", cmd_bench, "measure throughput: vpnlab bench esp [--quick] [--json]"},
	{"check", cmd_check, "judge a capture against RFC rules: vpnlab check FILE [--rules SET] [--format F]"},
	{"gateway", cmd_gateway, "reference gateway on real sockets + TUN: vpnlab gateway --config F [--events F] [--pcap F]"},
	{"client", cmd_client, "reference client on real sockets + TUN: vpnlab client --config F [--events F] [--pcap F]"},
	{"run", cmd_run, "run one scenario: vpnlab run FILE [--seed N] [--out DIR]"},
	{"suite", cmd_suite, "run scenarios in parallel: vpnlab suite DIR|FILES [-j N] [--filter PAT] [--list]"},
	{"regress", cmd_regress, "re-run golden scenarios, compare captures: vpnlab regress [NAME...] [--update]"},
	{NULL, NULL, NULL},
};

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vpnlab VERB [ARGS...]\n"
		   "       vpnlab VERB --help\n\n"
		   "vpnlab: IPsec VPN simulation and conformance harness with a\n"
		   "reference IKEv2/ESP gateway and client.\n\nverbs:\n");
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(f, "  %-10s %s\n", v->name, v->summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return EXIT_PASS;
	}
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(argv[1], v->name) == 0)
			return v->fn(argc - 1, argv + 1);
	fprintf(stderr, "vpnlab: unknown verb '%s' (expected one of:", argv[1]);
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(stderr, " %s", v->name);
	fprintf(stderr, ")\n");
	return EXIT_ERROR;
}
