/*
 * scn.h — the scenario model: one .scn file (scenarios/README.md) parsed
 * into plain structs. Parsing does no I/O beyond reading the file and
 * never touches the simulator; scn_build.h turns a model into a topology
 * and scn_run.h runs it.
 *
 *   struct scn *s = scn_load("scenarios/nat/natt.scn", err, sizeof err);
 *   if (!s) fprintf(stderr, "%s\n", err);   // "natt.scn:12:20: rate = 'fast': ..."
 *   ...
 *   scn_free(s);
 *
 * The path from client to gateway alternates links and boxes:
 *
 *   client ── link[0] ── box[0] ── link[1] ── ... ── box[n-1] ── link[n] ── gateway
 *
 * so n_links == n_boxes + 1. A cluster box must be the last box: each of
 * its members is a gateway, reached over its own copy of the last link.
 *
 * Every element remembers where it was written (struct scn_pos) so the
 * builder's and the evaluator's errors can point back into the file.
 */
#ifndef VPNLAB_SIM_SCN_H
#define VPNLAB_SIM_SCN_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto_sig.h"
#include "ref/ike/ike.h"
#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_filter.h"
#include "sim/mbox/mbox_impair.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/scenario/scn_expect.h"

enum {
	SCN_NAME_MAX = 32,
	SCN_MAX_LINKS = 8,
	SCN_MAX_BOXES = SCN_MAX_LINKS - 1,
	SCN_MAX_TRAFFIC = 8,
	SCN_MAX_EVENTS = 64,
	SCN_MAX_EXPECT = 64,
	SCN_MAX_SHOW = 6,
	SCN_MAX_MEMBERS = 8, /* cluster members simulated as gateways */
	SCN_TEXT_MAX = 4096, /* description, topology drawing */
	SCN_ERR_MAX = 512,   /* a buffer that holds any message of this module */
};

#define SCN_NS_PER_S 1000000000ull

/* scn_pos: where something was written (1-based; 0 = not from the file). */
struct scn_pos {
	unsigned line, col;
};

struct scn_link {
	char name[SCN_NAME_MAX];
	uint64_t rate_bps; /* default 100 Mbit/s */
	uint64_t delay_ns; /* one way; default 1 ms */
	uint32_t mtu;      /* both ends; default 1500 */
	double loss;       /* receive-side loss on both devices; default 0 */
	uint32_t queue;    /* device queue in packets; 0 = ns-3 default (100) */
	struct scn_pos pos;
};

enum scn_box_kind {
	SCN_BOX_NAT,
	SCN_BOX_MTU,     /* MTU router: shrinks, sends ICMP 3/4 or black-holes */
	SCN_BOX_ROUTER,  /* plain router (an MTU router at 1500 both ways) */
	SCN_BOX_FILTER,
	SCN_BOX_CLUSTER,
	SCN_BOX_IMPAIR,
};

/*
 * scn_box: one middlebox; the configuration is the middlebox's own struct
 * (sim/mbox), filled from its *_cfg_default and the line's parameters.
 * cfg.name is left NULL here: the builder points it at |name|.
 */
struct scn_box {
	enum scn_box_kind kind;
	char name[SCN_NAME_MAX];
	union {
		struct mbox_nat_cfg nat;
		struct mbox_mtu_cfg mtu; /* SCN_BOX_MTU and SCN_BOX_ROUTER */
		struct mbox_filter_cfg filter;
		struct mbox_cluster_cfg cluster;
		struct mbox_impair_cfg impair;
	} u;
	struct scn_pos pos;
};

/* scn_end: an endpoint (the client or the gateway) on the outer network. */
struct scn_end {
	uint32_t addr;  /* host order */
	int prefix;     /* of the connected subnet */
	uint32_t nexthop; /* default route (on-link, any address of the subnet) */
	uint32_t inner;   /* tunnel address: gateway 10.1.0.1; client 10.8.0.2 unless it asks for a VIP */
	struct scn_pos pos;
};

/* scn_pki: a generated test PKI (ref/crypto/crypto_testpki.h) for auth = pubkey. */
struct scn_pki {
	int present;
	enum crypto_sig_key_type key_type; /* rsa (2048) or ecdsa (P-256) */
	unsigned depth;     /* CA certificates above each end entity, 1..4 */
	size_t chain_size;  /* target octets of EE + intermediates (0: no target) */
	size_t pad;         /* filler octets per certificate when no target */
	struct scn_pos pos;
};

enum scn_side { SCN_CLIENT = 0, SCN_GATEWAY = 1 };

enum scn_traffic_kind { SCN_TR_PING, SCN_TR_UDP, SCN_TR_TCP };

/*
 * scn_traffic: one inner flow. Through the tunnel when the scenario has
 * profiles, else in the clear between the outer addresses.
 */
struct scn_traffic {
	enum scn_traffic_kind kind;
	char name[SCN_NAME_MAX];
	enum scn_side from;     /* the sender; the other side receives/echoes */
	uint64_t start_ns;      /* default 1 s after the tunnel is expected: see README */
	uint64_t stop_ns;       /* 0 = the end of the run */
	uint64_t interval_ns;   /* ping, udp */
	uint32_t size;          /* ping data / UDP payload octets */
	uint32_t count;         /* ping, udp; 0 = until stopped */
	uint64_t bytes;         /* tcp */
	uint16_t port;          /* udp, tcp; default 9000 / 5001 */
	uint32_t mss;           /* tcp; 0 = from the path */
	int df;                 /* ping: Don't Fragment */
	struct scn_pos pos;
};

enum scn_action {
	SCN_ACT_LINK_DOWN,
	SCN_ACT_LINK_UP,
	SCN_ACT_LINK_LOSS,    /* value = probability */
	SCN_ACT_LINK_MTU,     /* num = MTU of both devices */
	SCN_ACT_NAT_REBOOT,
	SCN_ACT_MTU_SET,      /* MTU router: num = egress MTU toward the gateway */
	SCN_ACT_MEMBER_DOWN,  /* cluster: member = 1..N */
	SCN_ACT_MEMBER_UP,
	SCN_ACT_IMPAIR_LOSS,  /* impairment box: value = loss both ways */
	SCN_ACT_KILL,         /* engine vanishes silently (crash, power off) */
	SCN_ACT_RESTART,      /* kill, then a fresh engine (new SPIs) starts */
	SCN_ACT_STOP,         /* orderly close: DELETE sent */
	SCN_ACT_START,        /* client: connect (after stop/kill, or when start = manual) */
};

struct scn_event {
	uint64_t at_ns;
	enum scn_action action;
	int target;   /* link or box index; enum scn_side for engines */
	int member;   /* cluster member (1..N); for gateway engines 0 = all */
	double value;
	uint64_t num;
	struct scn_pos pos;
	char text[96]; /* the line as written (summaries) */
};

enum scn_status { SCN_READY = 0, SCN_PENDING = 1 };

struct scn {
	char file[256];
	char name[SCN_NAME_MAX * 2];
	uint64_t seed;
	uint64_t duration_ns;
	enum scn_status status;
	char pending_reason[200];
	uint64_t wall_limit_s;       /* suite kills the run after this; default 300 */
	char description[SCN_TEXT_MAX];
	char topology[SCN_TEXT_MAX];

	struct scn_end client_end, gateway_end;
	size_t n_links, n_boxes;
	struct scn_link links[SCN_MAX_LINKS];
	struct scn_box boxes[SCN_MAX_BOXES];

	struct scn_pki pki;
	int has_client, has_gateway; /* profiles: both or neither (clear traffic) */
	struct ike_config client, gateway;
	struct scn_pos client_pos, gateway_pos;
	int client_start_manual;     /* [scenario] client_start = manual: wait for a start event */
	uint64_t client_start_ns;    /* when the client connects; default 0 */

	size_t n_traffic;
	struct scn_traffic traffic[SCN_MAX_TRAFFIC];
	size_t n_events;
	struct scn_event events[SCN_MAX_EVENTS]; /* sorted by time (stable) */
	size_t n_expect;
	struct scn_expect expect[SCN_MAX_EXPECT];
	size_t n_show;  /* [scenario] show = metrics the suite table prints (comma-separated) */
	struct scn_expect show[SCN_MAX_SHOW]; /* only fn, metric and unit are used */
};

/*
 * scn_parse parses |len| octets of |text|; |file| names it in errors.
 * Returns a new model, or NULL with "file:line:col: what, expected ..."
 * in |err|.
 */
struct scn *scn_parse(const char *text, size_t len, const char *file, char *err, size_t errlen);
/* scn_load reads and parses |path| (errors as scn_parse, or "path: cannot read: ..."). */
struct scn *scn_load(const char *path, char *err, size_t errlen);
void scn_free(struct scn *s);

/* scn_find_link / scn_find_box return the index of the element called |name|, or -1. */
int scn_find_link(const struct scn *s, const char *name);
int scn_find_box(const struct scn *s, const char *name);
/* scn_members is the number of gateways: the cluster's member count, else 1. */
int scn_members(const struct scn *s);

const char *scn_box_kind_name(enum scn_box_kind k);
const char *scn_traffic_kind_name(enum scn_traffic_kind k);
const char *scn_action_name(enum scn_action a);

#endif
