/*
 * run.c — `vpnlab run FILE`: one scenario, one simulation, in this process.
 * Writes verdict.txt, summary.txt, events.jsonl and one pcap per link to
 * the output directory; exit 0 pass, 1 an expectation failed, 2 error,
 * 3 skipped (status: pending).
 *
 * run_pcap_meter measures the link.* metrics from the captures with the
 * conformance decoder (it lives here because libconf is linked before
 * libsim; sim/scenario takes it as a callback).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/verbs.h"
#include "conformance/conf_capture.h"
#include "sim/scenario/scn.h"
#include "sim/scenario/scn_run.h"
#include "sim/scenario/scn_summary.h"
#include "sim/scenario/scn_verdict.h"

enum { RUN_EXIT_SKIP = 3 };

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: vpnlab run FILE [--seed N] [--out DIR] [--force] [--quiet]\n\n"
		"Runs one scenario file (scenarios/README.md describes the format) as one\n"
		"simulation in this process and judges its expectations.\n\n"
		"  --seed N    override the scenario's seed (same seed, same bytes on the wire)\n"
		"  --out DIR   where to write the results (default: out/<scenario name>)\n"
		"  --force     run a scenario marked 'status = pending ...' anyway\n"
		"  --quiet     print only the verdict line\n\n"
		"writes DIR/verdict.txt   PASS/FAIL, each expectation with its measured value\n"
		"       DIR/summary.txt   description, path, timeline, measurements\n"
		"       DIR/events.jsonl  every event of the engines, adapters and middleboxes\n"
		"       DIR/<link>.pcap   one capture per link (client-side end, both directions)\n\n"
		"exit status: 0 every expectation met; 1 an expectation failed; 2 error (bad\n"
		"file, topology or profile; the file's line and column are named); 3 skipped\n"
		"(the scenario is pending).\n\n"
		"examples:\n"
		"  vpnlab run scenarios/baseline/baseline.scn\n"
		"  vpnlab run scenarios/nat/natt-hide-nat.scn --seed 7 --out /tmp/natt\n");
}

/* ------------------------------------------------------------ link metrics */

static void put(struct scn_meas *m, const char *link, const char *what, enum scn_unit u, double v)
{
	char k[128];
	snprintf(k, sizeof k, "link.%s.%s", link, what);
	scn_meas_set_num(m, k, u, v);
}

int run_pcap_meter(void *ctx, const char *const *paths, size_t n, const char *link,
		   struct scn_meas *m, char *err, size_t cap);
int run_pcap_meter(void *ctx, const char *const *paths, size_t n, const char *link,
		   struct scn_meas *m, char *err, size_t cap)
{
	(void)ctx;
	double packets = 0, bytes = 0, frags = 0, ike = 0, ike_frag = 0, ike_max = 0, esp = 0,
	       esp_udp = 0, ka = 0, icmp = 0, icmp_fn = 0, p500 = 0, p4500 = 0;
	uint64_t gap_max = 0, gap_sum = 0, gaps = 0;
	for (size_t i = 0; i < n; i++) {
		char e[CONF_ERR_LEN];
		struct conf_capture *c = conf_capture_load(paths[i], NULL, e, sizeof e);
		if (!c) {
			snprintf(err, cap, "link %s: %s", link, e);
			return -1;
		}
		uint64_t last_ka = 0;
		int have_ka = 0;
		for (uint32_t k = 0; k < c->n_pkt; k++) {
			const struct conf_pkt *p = &c->pkt[k];
			packets++;
			bytes += p->wirelen;
			frags += p->frag.is_fragment;
			esp += p->kind == CONF_K_ESP || p->kind == CONF_K_ESP_UDP;
			esp_udp += p->kind == CONF_K_ESP_UDP;
			icmp += p->kind == CONF_K_ICMP;
			icmp_fn += p->kind == CONF_K_ICMP && p->icmp.type == CONF_ICMP_UNREACH &&
				   p->icmp.code == CONF_ICMP_UNREACH_NEEDFRAG;
			int udp = p->proto == 17 && p->kind != CONF_K_FRAGMENT;
			p500 += udp && (p->sport == 500 || p->dport == 500);
			p4500 += udp && (p->sport == 4500 || p->dport == 4500);
			if (p->kind == CONF_K_KEEPALIVE) {
				ka++;
				if (have_ka) {
					uint64_t g = p->t_ns - last_ka;
					gap_max = g > gap_max ? g : gap_max;
					gap_sum += g;
					gaps++;
				}
				last_ka = p->t_ns;
				have_ka = 1;
			}
		}
		for (uint32_t k = 0; k < c->n_msg; k++) {
			const struct conf_msg *msg = &c->msg[k];
			ike++;
			ike_frag += msg->version == 2 && msg->v2.has_skf;
			if (msg->wire_len > ike_max)
				ike_max = msg->wire_len;
		}
		conf_capture_free(c);
	}
	put(m, link, "packets", SCN_U_COUNT, packets);
	put(m, link, "bytes", SCN_U_BYTES, bytes);
	put(m, link, "ip_fragments", SCN_U_COUNT, frags);
	put(m, link, "ike", SCN_U_COUNT, ike);
	put(m, link, "ike_fragments", SCN_U_COUNT, ike_frag);
	put(m, link, "ike_max_size", SCN_U_BYTES, ike_max);
	put(m, link, "esp", SCN_U_COUNT, esp);
	put(m, link, "esp_udp", SCN_U_COUNT, esp_udp);
	put(m, link, "keepalives", SCN_U_COUNT, ka);
	put(m, link, "icmp", SCN_U_COUNT, icmp);
	put(m, link, "icmp_frag_needed", SCN_U_COUNT, icmp_fn);
	put(m, link, "udp500", SCN_U_COUNT, p500);
	put(m, link, "udp4500", SCN_U_COUNT, p4500);
	char k[128];
	snprintf(k, sizeof k, "link.%s.keepalive_gap_max", link);
	scn_meas_set_time(m, k, gap_max, gaps == 0);
	snprintf(k, sizeof k, "link.%s.keepalive_gap_mean", link);
	scn_meas_set_time(m, k, gaps ? gap_sum / gaps : 0, gaps == 0);
	return 0;
}

/* ------------------------------------------------------------ the verb */

static void mkdir_p(const char *dir)
{
	char buf[600];
	snprintf(buf, sizeof buf, "%s", dir);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		mkdir(buf, 0777);
		if (!c)
			return;
		*p = c;
	}
}

static void write_other(const char *dir, const char *name, const char *file, const char *what,
			const char *msg)
{
	char path[600];
	mkdir_p(dir);
	snprintf(path, sizeof path, "%.500s/verdict.txt", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	scn_verdict_print_other(f, name, file, what, msg);
	fclose(f);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'}, {"out", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},	{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	uint64_t seed = 0;
	const char *out = NULL;
	int force = 0, quiet = 0, o;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":ho:s:fq", opts, NULL)) != -1) {
		switch (o) {
		case 's': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (!*optarg || *end || v == 0 || v > UINT32_MAX) {
				fprintf(stderr, "vpnlab run: --seed '%s': expected 1..4294967295\n", optarg);
				return EXIT_ERROR;
			}
			seed = v;
			break;
		}
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case 'h': run_usage(stdout); return EXIT_PASS;
		case ':':
			fprintf(stderr, "vpnlab run: %s needs a value\n", argv[optind - 1]);
			return EXIT_ERROR;
		default:
			fprintf(stderr, "vpnlab run: unknown option '%s' (see vpnlab run --help)\n",
				argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vpnlab run: %s, expected one scenario file\n",
			optind >= argc ? "no scenario file" : "more than one file");
		run_usage(stderr);
		return EXIT_ERROR;
	}
	const char *file = argv[optind];
	char err[SCN_ERR_MAX], dir[512];
	struct scn *s = scn_load(file, err, sizeof err);
	if (!s) {
		fprintf(stderr, "vpnlab run: %s\n", err);
		if (out)
			write_other(out, NULL, file, "ERROR", err);
		return EXIT_ERROR;
	}
	snprintf(dir, sizeof dir, "%s", out ? out : "out/");
	if (!out)
		snprintf(dir, sizeof dir, "out/%.200s", s->name);
	if (s->status == SCN_PENDING && !force) {
		printf("SKIP %s: pending: %s\n", s->name, s->pending_reason);
		if (out)
			write_other(out, s->name, file, "SKIP", s->pending_reason);
		scn_free(s);
		return RUN_EXIT_SKIP;
	}
	struct scn_result *r = scn_result_new();
	if (!r) {
		fprintf(stderr, "vpnlab run: out of memory\n");
		scn_free(s);
		return EXIT_ERROR;
	}
	struct scn_run_opts ro = {.seed = seed, .out_dir = dir, .pcap_meter = run_pcap_meter, .force = force};
	int rc;
	if (scn_run(s, &ro, r) < 0) {
		fprintf(stderr, "vpnlab run: %s: %s\n", s->name, r->err);
		write_other(dir, s->name, file, "ERROR", r->err);
		rc = EXIT_ERROR;
	} else {
		char path[600];
		snprintf(path, sizeof path, "%.500s/verdict.txt", dir);
		int w = scn_verdict_write(path, s, r, err, sizeof err);
		snprintf(path, sizeof path, "%.500s/summary.txt", dir);
		if (w == 0)
			w = scn_summary_write(path, s, r, err, sizeof err);
		if (w < 0) {
			fprintf(stderr, "vpnlab run: %s\n", err);
			rc = EXIT_ERROR;
		} else {
			rc = r->pass ? EXIT_PASS : EXIT_FAIL;
			printf("%s %s: %zu/%zu expectations met (seed %llu, %.1f s simulated, %.2f s wall)\n",
			       r->pass ? "PASS" : "FAIL", s->name, r->n_pass, r->n_pass + r->n_fail,
			       (unsigned long long)r->seed, (double)r->sim_ns / 1e9, r->wall_s);
			if (!quiet) {
				for (size_t i = 0; i < s->n_expect; i++)
					printf("  %-4s  %-50s measured %s\n", r->item[i].pass ? "ok" : "FAIL",
					       s->expect[i].text, r->item[i].got_text);
				printf("results in %s/ (verdict.txt, summary.txt, events.jsonl, %zu pcap%s)\n",
				       dir, r->n_pcaps, r->n_pcaps == 1 ? "" : "s");
			}
		}
	}
	scn_result_free(r);
	scn_free(s);
	return rc;
}
