/*
 * demo.h — the issue #4 demo, built from the host adapter (sim/host.h),
 * the middleboxes (sim/mbox) and the traffic helpers (sim/ns3apps.h); the
 * scenario runner (vpnlab run) absorbs it later.
 *
 *   client ──l1── hide-NAT ──l2── MTU router ──l3── gw ══l4══ server
 *   10.0.0.2      drop-non-first   1280, icmp       198.51.100.2   10.1.0.2
 *   tun: VIP      public           ICMP from        10.1.0.1
 *   (10.9.0.x)    198.51.100.1     198.51.100.254   tun 10.9.0.254, pool 10.9.0.0/24
 *
 * IKEv2 between client and gw with PSK or with certificates (a generated
 * ECDSA PKI whose chain, end entity + intermediate, is ~chain_len octets),
 * RFC 7383 fragmentation announced or not. Once the CHILD SA is up the
 * client pings the server and sends it a TCP stream (segment size from the
 * tunnel MTU). Behind the fragment-dropping NAT, a 4 KB chain without
 * fragmentation never gets through (retransmissions, "frag-non-first"
 * drops); with fragmentation it establishes and carries the traffic.
 *
 * demo_many: many clients behind the one NAT, PSK, staggered starts;
 * measures set-up time and memory. Many client engines share few nodes
 * (DEMO_MANY_PER_NODE each), because ns-3's cost per packet grows with a
 * node's interfaces and addresses (measured, ns-3 3.37):
 *   - a router's interface count (8x slower than real time for a
 *     1,000-link star), so not one node per client;
 *   - Ipv4Interface keeps addresses in a list and GetAddress(i) walks it;
 *     the UDP demux (Ipv4EndPointDemux::Lookup) scans every address of the
 *     incoming interface for every socket, O(sockets x addresses^2) per
 *     datagram: 1,000 engines on one node's link address took > 120 s.
 * So each client node holds up to 62 engines whose addresses sit on a
 * dummy device (accepted through ns-3's weak end-system model), its link
 * keeps one address, and an aggregation router joins the nodes:
 *
 *   clients0 (62 engines, 10.0.0.1-62) ─┐
 *   clients1 (10.0.0.65-126)           ─┼─ agg ── NAT ── gw ══ server
 *   ...                                 ─┘
 *
 * Both run inside an ns-3 simulation they start (ns3shim_init); the caller
 * ends it with ns3shim_destroy() (pcaps are complete after that). One
 * simulation per process.
 */
#ifndef VPNLAB_SIM_DEMO_H
#define VPNLAB_SIM_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "ref/ike/ike.h"
#include "ref/util/evlog.h"
#include "sim/host.h"
#include "sim/ns3apps.h"

enum {
	DEMO_PCAPS = 8,
	DEMO_PATH_MAX = 256,
};

struct demo_cfg {
	uint64_t seed;           /* ns-3 seed, DRBGs, PKI, OpenSSL's RAND */
	int cert;                /* 1: certificates, 0: PSK */
	size_t chain_len;        /* certificate chain octets (EE + intermediate); 0 = 4096 */
	int fragmentation;       /* RFC 7383 on both peers */
	int no_nat;              /* 1: no NAT box (client 198.51.100.3 on the gw's subnet) */
	uint32_t router_mtu;     /* 0 = 1280 */
	uint64_t duration_ns;    /* 0 = 200 s (enough for 5 retransmissions to give up) */
	uint64_t tcp_bytes;      /* 0 = 1,000,000 */
	uint32_t pings;          /* 0 = 5 */
	const char *pcap_dir;    /* NULL: no captures */
	const struct ev_sink *events; /* NULL: no events */
};

struct demo_result {
	int established;              /* the client's CHILD SA came up */
	uint64_t t_up_ns;             /* when */
	struct ike_counts client_ike, gw_ike;
	struct ike_sa_status client_sa; /* the client's IKE SA (state NONE if there is none) */
	struct host_stats client, gw;
	struct ns3apps_stats ping, tcp_sink;
	uint64_t nat_frag_drops;      /* "frag-non-first" */
	uint64_t nat_drops, mtu_drops, mtu_icmp, mtu_fragmented;
	uint32_t tun_mtu, tcp_mss;
	uint64_t sim_events;          /* ns-3 events executed */
	uint64_t run_wall_ns;         /* wall-clock time of the run (after set-up) */
	uint64_t setup_wall_ns;       /* wall-clock time of the set-up (PKI, topology, engines) */
	size_t n_pcaps;
	char pcap[DEMO_PCAPS][DEMO_PATH_MAX];
};

/*
 * demo_run builds and runs the demo; 0 on success (a tunnel that does not
 * come up is a result, not an error), -1 with |err| on a set-up failure.
 */
int demo_run(const struct demo_cfg *cfg, struct demo_result *out, char *err, size_t cap);

enum { DEMO_MANY_PER_NODE = 62 }; /* engines per client node: one /26 of addresses */

struct demo_many_cfg {
	uint64_t seed;
	unsigned clients;           /* 1..60000 */
	uint64_t stagger_ns;        /* start of client i: i * stagger; 0 = 1 ms */
	uint64_t duration_ns;       /* 0 = stagger * clients + 30 s */
	unsigned ping_sample;       /* the server pings this many VIPs after set-up (0 = 10) */
	const struct ev_sink *events;
};

struct demo_many_result {
	unsigned established;       /* client engines with an ESTABLISHED IKE SA */
	unsigned children;          /* CHILD SAs installed on the client nodes */
	unsigned nodes;             /* client nodes used */
	uint64_t t_all_up_ns;       /* simulated time when the last one came up (0 = never) */
	unsigned pings_ok, pings_sent;
	struct ike_counts gw_ike;
	size_t nat_mappings;
	uint64_t sim_events;
	uint64_t setup_wall_ns;     /* building nodes, addresses, engines */
	uint64_t run_wall_ns;
	long max_rss_kb;            /* getrusage: peak resident set of the process */
};

int demo_many(const struct demo_many_cfg *cfg, struct demo_many_result *out, char *err, size_t cap);

#endif
