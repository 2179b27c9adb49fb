/*
 * realnet_verb.c — `vpnlab gateway` and `vpnlab client`: parse the
 * options, load the profile (ike keys + [realnet], cli/realnet_ike.c), open
 * the loop, attach the engine, run until SIGINT/SIGTERM (or, for a
 * client, until its IKE SA is gone).
 *
 * Exit status: 0 clean shutdown; 1 the client's tunnel never came up;
 * 2 usage, profile, privilege or port errors (the message says which).
 */
#include "cli/realnet_verb.h"

#include <stdio.h>
#include <string.h>

#include "cli/realnet.h"
#include "cli/realnet_ike.h"
#include "cli/verbs.h"

static void usage(FILE *f, const char *verb, int gateway)
{
	fprintf(f,
		"usage: vpnlab %s --config FILE [--events FILE] [--pcap FILE] [--tun NAME] [--quiet]\n\n"
		"Runs the reference IKEv2/ESP %s on real UDP sockets and a TUN device\n"
		"until SIGINT or SIGTERM (then DELETE is sent for every IKE SA)%s.\n\n"
		"  --config FILE   the profile: ike keys (ref/ike/ike_profile.h), optionally in a\n"
		"                  [%s] section, plus an optional [realnet] section:\n"
		"                    tun = NAME|none  tun_mtu = N  tun_addr = A.B.C.D[/N]  listen = A.B.C.D\n"
		"                    esp = auto|udp|raw  routes = yes|no  batch = N  shutdown_wait = 1s\n"
		"  --events FILE   JSON-lines events (engine and loop), one line each, flushed per line\n"
		"  --pcap FILE     capture of our own outer IKE/ESP traffic (DLT_RAW, IPv4)\n"
		"  --tun NAME      TUN device name (overrides [realnet] tun)\n"
		"  --quiet         no status lines on stdout\n\n"
		"%s"
		"Needs CAP_NET_ADMIN for the TUN device and routes, CAP_NET_BIND_SERVICE for\n"
		"ports below 1024, CAP_NET_RAW for plain (protocol 50) ESP.\n"
		"Exit status: 0 clean shutdown, 1 the tunnel failed or never came up,\n"
		"2 usage, profile, privilege or port error.\n",
		verb, gateway ? "gateway" : "client",
		gateway ? "" : ", or until its IKE SA is gone", gateway ? "gateway" : "client",
		gateway ? "The gateway routes its address pool (pool = ...) into the TUN.\n"
			: "The client puts the virtual IP it is given on the TUN and routes the\n"
			  "gateway's selectors into it; DNS servers are reported, never applied.\n");
}

static int opt_value(int argc, char **argv, int *i, const char *verb, const char **out)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "vpnlab %s: %s needs a value\n", verb, argv[*i]);
		return -1;
	}
	*out = argv[++*i];
	return 0;
}

int realnet_verb(int argc, char **argv, int gateway)
{
	const char *verb = gateway ? "gateway" : "client";
	const char *config = NULL, *events = NULL, *pcap = NULL, *tun = NULL;
	struct ike_config cfg;
	struct rn_opts o;
	struct realnet *rn;
	struct rn_ike *x;
	char msg[1024], a[16];
	int quiet = 0, status;

	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;

		if (cli_is_help(argv[i])) {
			usage(stdout, verb, gateway);
			return EXIT_PASS;
		}
		if (strcmp(argv[i], "--config") == 0)
			dst = &config;
		else if (strcmp(argv[i], "--events") == 0)
			dst = &events;
		else if (strcmp(argv[i], "--pcap") == 0)
			dst = &pcap;
		else if (strcmp(argv[i], "--tun") == 0)
			dst = &tun;
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else {
			fprintf(stderr, "vpnlab %s: unknown option '%s' (expected --config, --events, --pcap, --tun, --quiet)\n",
				verb, argv[i]);
			return EXIT_ERROR;
		}
		if (dst != NULL && opt_value(argc, argv, &i, verb, dst) < 0)
			return EXIT_ERROR;
	}
	if (config == NULL) {
		fprintf(stderr, "vpnlab %s: --config FILE is required\n", verb);
		usage(stderr, verb, gateway);
		return EXIT_ERROR;
	}
	rn_opts_init(&o, gateway);
	if (rn_ike_load(config, gateway, &cfg, &o, msg, sizeof msg) < 0) {
		fprintf(stderr, "vpnlab %s: %s\n", verb, msg);
		return EXIT_ERROR;
	}
	if (tun != NULL) {
		if (strcmp(tun, "none") == 0)
			o.no_tun = 1;
		else if (strlen(tun) >= sizeof o.tun_name) {
			fprintf(stderr, "vpnlab %s: --tun '%s': longer than %zu characters\n", verb, tun, sizeof o.tun_name - 1);
			ike_config_free_credentials(&cfg);
			return EXIT_ERROR;
		} else
			snprintf(o.tun_name, sizeof o.tun_name, "%s", tun);
	}
	if (events != NULL)
		snprintf(o.events_path, sizeof o.events_path, "%s", events);
	if (pcap != NULL)
		snprintf(o.pcap_path, sizeof o.pcap_path, "%s", pcap);
	o.quiet = quiet;
	rn = realnet_new(&o, -1, msg, sizeof msg);
	if (rn == NULL) {
		fprintf(stderr, "vpnlab %s: %s\n", verb, msg);
		ike_config_free_credentials(&cfg);
		return EXIT_ERROR;
	}
	x = rn_ike_attach(rn, &cfg, msg, sizeof msg);
	if (x == NULL) {
		fprintf(stderr, "vpnlab %s: %s: %s\n", verb, config, msg);
		realnet_free(rn);
		ike_config_free_credentials(&cfg);
		return EXIT_ERROR;
	}
	if (!quiet) {
		printf("%s: %s on %s UDP %u/%u, ESP %s%s", cfg.name, gateway ? "listening" : "connecting",
		       rn_ip(o.listen_addr, a), realnet_port(rn, 0), realnet_port(rn, 1),
		       realnet_esp_forced(rn) ? "UDP-encapsulated (forced)" : "plain or UDP-encapsulated",
		       gateway ? "" : " to ");
		if (!gateway)
			printf("%s", rn_ip(cfg.remote_addr, a));
		printf("\n");
		fflush(stdout);
	}
	status = realnet_run(rn);
	rn_ike_free(x);
	realnet_free(rn);
	ike_config_free_credentials(&cfg);
	return status;
}
