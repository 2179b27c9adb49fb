/*
 * check.c — `vpnlab check FILE`: decode a capture and judge it against the
 * RFC rules of conformance/. Exit 0 when every MUST rule passes (or does not
 * apply), 1 when a MUST rule fails, 2 on an error (bad arguments, a file
 * that is missing, empty, not a capture, truncated, or of an unsupported
 * link type).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/verbs.h"
#include "conformance/conf_capture.h"
#include "conformance/conf_dec.h"
#include "conformance/conf_keys.h"
#include "conformance/conf_report.h"
#include "conformance/conf_rule.h"

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: vpnlab check FILE [--rules SET[,SET|RULE...]] [--keys KEYFILE]\n"
		"                         [--format text|json|junit] [--param NAME=VALUE]... [--dump]\n"
		"       vpnlab check --list-rules [--format text|json]\n\n"
		"Decodes a pcap/pcapng capture (Ethernet incl. VLAN, Linux cooked v1/v2, raw IP,\n"
		"PPP as ns-3 writes it, BSD loopback): IPv4 with fragment reassembly, UDP 500/4500\n"
		"(non-ESP marker, NAT-keepalive, ESP-in-UDP), TCP with RFC 9329 framing, ICMP,\n"
		"ESP, IKEv2 and IKEv1 headers and cleartext payloads. IPv6 is counted, not checked.\n"
		"Then runs the conformance rules and prints one verdict per rule with the frame\n"
		"numbers (as tshark numbers them) that show it.\n\n"
		"  --rules SPEC    sets: all (default), ikev2, natt, esp, frag, ikev1, pmtu, tcp,\n"
		"                  keys (the rules that read decrypted content); or rule ids; comma-separated\n"
		"  --keys KEYFILE  decrypt IKEv2 SK/SKF payloads (fragments reassembled) and ESP with\n"
		"                  the keys in KEYFILE, through ref/ike and ref/esp; any mix of:\n"
		"                  vpnlab events (JSON lines, engine log_keys: \"keys\" and child_up events),\n"
		"                  tshark 'uat:ikev2_decryption_table:...' / 'uat:esp_sa:...' lines (or\n"
		"                  Wireshark's UAT rows), strongSwan's charon log at ike=4, chd=4.\n"
		"                  A packet no given key authenticates is reported as \"ICV mismatch with\n"
		"                  the given keys\"; a malformed KEYFILE line is an error (exit 2)\n"
		"  --format F      text (default), json, junit\n"
		"  --param K=V     tune a rule (repeatable):\n");
	conf_params_help(f);
	fprintf(f,
		"  --dump          print one decoded line per frame before the verdicts\n"
		"  --list-rules    list the rules (id, RFC section, force, sets) and exit\n\n"
		"exit status: 0 every MUST rule passes or does not apply; 1 a MUST rule fails;\n"
		"2 error (arguments; file missing, empty, not a capture, truncated; unsupported\n"
		"link type). SHOULD/ADVISORY failures are reported as \"warn\" and do not fail.\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},
		{"param", required_argument, NULL, 'p'},
		{"list-rules", no_argument, NULL, 'l'},
		{"dump", no_argument, NULL, 'd'},
		{"keys", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *rules = "all", *keys = NULL;
	int fmt = CONF_FMT_TEXT, list = 0, dump = 0;
	struct conf_params params;
	char err[CONF_ERR_LEN];
	conf_params_default(&params);
	optind = 1;
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			rules = optarg;
			break;
		case 'f':
			fmt = conf_format_parse(optarg);
			if (fmt < 0) {
				fprintf(stderr, "vpnlab check: --format '%s': expected text, json or junit\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'p':
			if (conf_params_set(&params, optarg, err, sizeof err) < 0) {
				fprintf(stderr, "vpnlab check: %s\n", err);
				return EXIT_ERROR;
			}
			break;
		case 'l':
			list = 1;
			break;
		case 'd':
			dump = 1;
			break;
		case 'k':
			keys = optarg;
			break;
		case 'h':
			check_usage(stdout);
			return EXIT_PASS;
		case ':':
			fprintf(stderr, "vpnlab check: %s needs a value\n", argv[optind - 1]);
			return EXIT_ERROR;
		default:
			fprintf(stderr, "vpnlab check: unknown option '%s' (see vpnlab check --help)\n", argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (list) {
		conf_report_list_rules(stdout, fmt == CONF_FMT_JSON ? CONF_FMT_JSON : CONF_FMT_TEXT);
		return EXIT_PASS;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vpnlab check: %s\n", optind >= argc ? "expected a capture FILE" : "expected one FILE");
		check_usage(stderr);
		return EXIT_ERROR;
	}
	const char *path = argv[optind];
	size_t nr = conf_rules_count();
	unsigned char *sel = calloc(nr ? nr : 1, 1);
	if (!sel || conf_select(rules, sel, err, sizeof err) < 0) {
		fprintf(stderr, "vpnlab check: %s\n", sel ? err : "out of memory");
		free(sel);
		return EXIT_ERROR;
	}
	struct conf_keys kf;
	conf_keys_init(&kf, keys);
	if (keys && conf_keys_load(&kf, keys, err, sizeof err) < 0) {
		fprintf(stderr, "vpnlab check: %s\n", err);
		conf_keys_free(&kf);
		free(sel);
		return EXIT_ERROR;
	}
	struct conf_capture_limits lim = {0};
	lim.keep_esp = keys != NULL; /* ESP octets are needed only to decrypt */
	struct conf_capture *c = conf_capture_load(path, &lim, err, sizeof err);
	if (!c || (keys && conf_dec_run(c, &kf, err, sizeof err) < 0)) {
		fprintf(stderr, "vpnlab check: %s\n", err);
		conf_capture_free(c);
		conf_keys_free(&kf);
		free(sel);
		return EXIT_ERROR;
	}
	conf_keys_free(&kf);
	struct conf_ctx ctx;
	struct conf_run *runs = calloc(nr ? nr : 1, sizeof *runs);
	if (!runs || conf_ctx_init(&ctx, c, &params) < 0) {
		fprintf(stderr, "vpnlab check: %s: out of memory\n", path);
		free(runs);
		free(sel);
		conf_capture_free(c);
		return EXIT_ERROR;
	}
	size_t n = 0;
	const struct conf_rule *const *all = conf_rules();
	for (size_t i = 0; i < nr; i++) {
		if (!sel[i])
			continue;
		runs[n].rule = all[i];
		conf_rule_run(all[i], &ctx, &runs[n].res);
		n++;
	}
	if (dump && fmt == CONF_FMT_TEXT) {
		conf_report_dump(stdout, c);
		fputc('\n', stdout);
	}
	conf_report_write(stdout, (enum conf_format)fmt, c, runs, n);
	int rc = conf_report_exit(runs, n) ? EXIT_FAIL : EXIT_PASS;
	conf_ctx_free(&ctx);
	free(runs);
	free(sel);
	conf_capture_free(c);
	return rc;
}
