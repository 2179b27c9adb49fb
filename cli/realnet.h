/*
 * realnet.h — the real-network loop behind `vpnlab gateway` and `vpnlab
 * client`: the sans-IO reference core (ref/ike, ref/esp) over real UDP
 * sockets and a TUN device, in one thread. (rn_ is short for realnet_:
 * realnet_pcap.c has rn_pcap_*, realnet_gso.c rn_tso_* and rn_gro_*, ...)
 *
 *        inner IPv4 (kernel routes to the TUN)              ▲ writev: one TCP run as one GSO packet
 *   ┌── tun fd (IFF_VNET_HDR) ─ up to |batch| reads/wakeup ─┼──────────────────────────┐
 *   │  TSO super-packet ─► TCP segments (realnet_gso.c)    │ GRO: coalesce in-order    │
 *   │  SPD: newest CHILD SA whose selectors hold (src,dst)  │ selector check (§5.2)     │
 *   │  esp_seal in place (headroom kept in every slot)      │ esp_open in place         │
 *   │  ─► send queue ─► sendmmsg, UDP_SEGMENT runs (NAT-T)  │ SPI hash ─► CHILD SA      │
 *   │               └─► sendmmsg (raw IPPROTO_ESP, plain)   │                           │
 *   │  UDP natt port ─ recvmmsg (UDP_GRO trains split) ─ esp_udp_classify:             │
 *   │                  keepalive / IKE ─► engine, ESP ───────┘                          │
 *   │  UDP IKE port  ─ recvmmsg ─────────────────────────────► engine.input            │
 *   │  raw ESP       ─ recvmmsg ─ strip IP header ─► ESP as above                      │
 *   │  timerfd (CLOCK_MONOTONIC, absolute) armed at engine.deadline ─► on_deadline     │
 *   │  signalfd SIGINT/SIGTERM ─► engine.close (DELETE out), wait <= shutdown_wait     │
 *   └───────────────────────────────── epoll, level-triggered ───────────────────────┘
 *
 * Costs per 64 KiB of TCP with offload = yes: one TUN read, ~45 seals, one
 * sendmmsg on the way out; one recvmmsg, ~45 opens, one writev on the way
 * in. Without offloads (or for UDP inner traffic): one TUN read/write per
 * packet, sendmmsg/recvmmsg per batch.
 *
 * The loop knows the IKE engine only through struct rn_engine (a vtable),
 * so unit tests run it with a fake engine, on loopback sockets and with a
 * socketpair standing in for the TUN device; cli/realnet_ike.c binds the
 * vtable to ref/ike/ike.h. The engine talks back through realnet_send,
 * realnet_child_add, realnet_child_del and realnet_path_update.
 *
 * Time handed to the engine is nanoseconds of CLOCK_MONOTONIC since
 * realnet_new (the "t" of events). Nothing busy-waits or sleeps: every
 * wait is epoll_wait on sockets, the TUN, one timerfd and one signalfd.
 *
 * Errors: functions returning int give 0 or -1 with a sentence in the
 * caller's |msg| that names the thing (port, device, key, file:line), the
 * value and what was expected or what to do (missing CAP_NET_ADMIN, busy
 * port).
 */
#ifndef VPNLAB_CLI_REALNET_H
#define VPNLAB_CLI_REALNET_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "ref/crypto/crypto.h"
#include "ref/util/evlog.h"

enum {
	RN_BATCH_MAX = 256,      /* packets per recvmmsg / TUN reads per wakeup */
	RN_BATCH_DEFAULT = 64,
	RN_CHILDREN_MAX = 1024,  /* CHILD SAs installed at once */
	RN_TS_MAX = 4,           /* selectors per side (IKE_CFG_TS_MAX) */
	RN_TUN_MTU_DEFAULT = 1400,
	RN_TUN_MTU_MAX = 9000,
	/* RN_HEAD: octets kept free before a packet in every slot: room for
	 * esp_seal's header (<= ESP_HEADROOM 24) and, in front of that, a
	 * synthesised IPv4 + UDP header for the pcap (28), so neither copies. */
	RN_HEAD = 64,
	RN_TAIL = 64,            /* >= ESP_TAILROOM (33) */
	RN_DGRAM_MAX = 65535,
	RN_NAME_MAX = 32,
	RN_PATH_MAX = 256,
};

/* rn_path: one UDP 4-tuple, IPv4 addresses and ports in host order (= struct ike_path). */
struct rn_path {
	uint32_t local_addr;
	uint32_t remote_addr;
	uint16_t local_port;
	uint16_t remote_port;
};

/* rn_ts: one traffic selector (= struct ike_ts_cfg), host order, inclusive. */
struct rn_ts {
	uint32_t lo, hi;
	uint8_t proto;
	uint16_t port_lo, port_hi;
};

/* ---------------------------------------------------------------------- */
/* Options: the [realnet] section of the profile plus command-line flags   */

enum rn_esp_mode {
	RN_ESP_AUTO = 0, /* raw protocol-50 socket if the kernel gives one, else force UDP encapsulation */
	RN_ESP_UDP = 1,  /* always UDP-encapsulate (the engine's force_encap) */
	RN_ESP_RAW = 2,  /* plain ESP needed: fail at start if no raw socket */
};

struct rn_opts {
	char name[RN_NAME_MAX];     /* "client" / "gw": the "who" of events */
	int gateway;                /* role */
	/* sockets */
	uint32_t listen_addr;       /* bind address (host order); 0 = any (IP_PKTINFO tells the local address) */
	uint16_t port, natt_port;   /* from the profile (port, natt_port) */
	enum rn_esp_mode esp_mode;
	/* TUN */
	int no_tun;                 /* tun = none: IKE only, inner packets dropped */
	char tun_name[16];          /* "" = kernel picks vpnlab%d */
	unsigned tun_mtu;
	uint32_t tun_addr;          /* gateway: its own address on the TUN (0 = none) */
	unsigned tun_prefix;
	int routes;                 /* 1: add routes (gateway: pool; client: remote selectors) */
	uint32_t pool_lo, pool_hi;  /* gateway: routed into the TUN (from the profile) */
	/* loop */
	unsigned batch;
	int offload;                /* 1: UDP GSO/GRO on the NAT-T socket, TSO/GRO at the TUN, when the kernel has them */
	uint64_t shutdown_wait_ns;  /* after close: wait for DELETE responses at most this long */
	/* outputs */
	char events_path[RN_PATH_MAX];
	char pcap_path[RN_PATH_MAX];
	int quiet;                  /* no human status lines on stdout */
};

/* rn_opts_init sets the defaults for a client (|gateway| 0) or a gateway. */
void rn_opts_init(struct rn_opts *o, int gateway);

/*
 * rn_opts_parse reads the [realnet] section of the profile |text| (every
 * other section and every line outside [realnet] is the ike profile's,
 * skipped here; likewise ike_profile_parse with a role section skips
 * [realnet]). Keys:
 *
 *   tun           = NAME | none       TUN device name (default: kernel picks vpnlab%d)
 *   tun_mtu       = 576..9000          inner MTU (default 1400)
 *   tun_addr      = A.B.C.D[/N]        gateway: its address on the TUN
 *   listen        = A.B.C.D            bind address (default: local_addr of the profile, else any)
 *   esp           = auto | udp | raw   plain ESP through a raw socket or always UDP
 *   routes        = yes | no           manage routes through the TUN (default yes)
 *   batch         = 1..256             packets per wakeup (default 64)
 *   offload       = yes | no           UDP GSO/GRO for ESP-in-UDP, TSO/GRO at the TUN (default yes)
 *   shutdown_wait = DURATION           bound of the wait for DELETE responses (default 1s)
 *
 * Errors name file:line, key, value and what was expected, like the ike
 * profile parser. Returns 0 or -1 with |msg| set.
 */
int rn_opts_parse(const char *text, size_t len, const char *file, struct rn_opts *o, char *msg, size_t cap);

/* ---------------------------------------------------------------------- */
/* The engine seen from the loop                                           */

struct rn_engine {
	void *ctx;
	/* input: one UDP payload (with the non-ESP marker on the natt port) */
	int (*input)(void *ctx, const struct rn_path *path, const uint8_t *p, size_t len, uint64_t now);
	uint64_t (*deadline)(void *ctx);            /* UINT64_MAX = never */
	void (*on_deadline)(void *ctx, uint64_t now);
	int (*start)(void *ctx, uint64_t now);      /* client: connect; NULL for a gateway */
	int (*close)(void *ctx, uint64_t now);      /* DELETE every IKE SA */
	size_t (*active)(void *ctx);                /* IKE SAs still held */
	/* note_esp (may be NULL): ESP of the CHILD SA |spi_in| was sent (|sent| 1) or
	 * received and authenticated (0), so keepalives and liveness checks wait
	 * for idleness (ike_note_esp_sent/_received). Called at most every
	 * RN_NOTE_NS per CHILD SA and direction. */
	void (*note_esp)(void *ctx, uint32_t spi_in, int sent, uint64_t now);
};

/* RN_NOTE_NS: how stale the engine's "last ESP" times may be (keepalive 20 s, DPD seconds). */
#define RN_NOTE_NS (UINT64_C(100000000))

/* rn_child_cfg: one CHILD SA, both directions, as the engine negotiated it. */
struct rn_child_cfg {
	uint64_t ike_spi_i, ike_spi_r;
	uint32_t spi_in, spi_out;
	enum crypto_aead_alg alg;
	int esn;
	const uint8_t *enc_key_in, *enc_key_out;
	const uint8_t *integ_key_in, *integ_key_out;
	size_t enc_key_len, integ_key_len;
	size_t n_ts_local, n_ts_remote;
	struct rn_ts ts_local[RN_TS_MAX];
	struct rn_ts ts_remote[RN_TS_MAX];
	int encap;
	struct rn_path path;
	uint32_t vip;
	uint32_t dns[4];
	size_t n_dns;
	uint32_t replaces_spi_in; /* rekey: the CHILD SA this one replaces (0 = new) */
	const char *alg_name;     /* for events and status lines */
};

/* ---------------------------------------------------------------------- */
/* Counters                                                                */

/* RN_DROPS: packets the loop drops, with the reason named in events. */
#define RN_DROPS(X)                                                                      \
	X(NO_SA, "no-sa", "inner packet from the TUN matches no CHILD SA")               \
	X(INNER_BAD, "inner-bad", "TUN packet is not an IPv4 packet")                    \
	X(TOO_BIG, "too-big", "packet larger than the tunnel MTU or the slot")           \
	X(SEAL, "seal-failed", "esp_seal refused (expired, sequence space, crypto)")     \
	X(UNKNOWN_SPI, "unknown-spi", "ESP packet for an SPI we do not hold")            \
	X(OPEN, "open-failed", "esp_open refused (ICV, replay, padding, ...)")           \
	X(TS_MISMATCH, "ts-mismatch", "decrypted packet outside the CHILD SA's selectors") \
	X(UDP_INVALID, "udp-invalid", "NAT-T datagram neither keepalive, IKE nor ESP")   \
	X(SEND, "send-failed", "the kernel refused an outer datagram")                   \
	X(TUN_WRITE, "tun-write", "the TUN refused a decrypted packet")                  \
	X(NO_TUN, "no-tun", "decrypted packet, but tun = none")                          \
	X(WRONG_PORT, "wrong-port", "engine sent from a port we have no socket for")

#define RN_DROP_ENUM(id, name, what) RN_DROP_##id,
enum rn_drop { RN_DROPS(RN_DROP_ENUM) RN_DROP__COUNT };
#undef RN_DROP_ENUM

const char *rn_drop_name(enum rn_drop d);
/* rn_ip formats a host-order IPv4 address into |buf| and returns it. */
const char *rn_ip(uint32_t a, char buf[16]);

struct rn_stats {
	uint64_t tun_rx, tun_tx;           /* inner packets read from / written to the TUN */
	uint64_t esp_tx, esp_rx;           /* ESP packets sent / accepted */
	uint64_t esp_tx_bytes, esp_rx_bytes;
	uint64_t ike_tx, ike_rx;           /* IKE datagrams */
	uint64_t keepalives_rx;
	uint64_t wakeups;                  /* epoll_wait returns */
	uint64_t rx_batches, rx_batch_pkts;/* recvmmsg calls that returned packets, and packets */
	uint64_t tx_batches, tx_batch_pkts;/* sendmmsg calls, packets */
	uint64_t tun_batches;              /* TUN wakeups with at least one packet */
	uint64_t gso_msgs, gso_segs;       /* UDP GSO messages sent, datagrams in them */
	uint64_t gro_msgs, gro_segs;       /* UDP GRO messages received, datagrams in them */
	uint64_t tso_pkts, tso_segs;       /* TSO super-packets read from the TUN, segments cut */
	uint64_t tun_gro_writes, tun_gro_segs; /* coalesced TUN writes, packets in them */
	uint64_t drops[RN_DROP__COUNT];
	uint64_t esp_errs[32];             /* esp_open rejects by -enum esp_err */
};

/* ---------------------------------------------------------------------- */
/* The loop                                                                */

struct realnet;

/*
 * realnet_new opens the sockets (EADDRINUSE names the port), the raw ESP
 * socket (per esp_mode), the TUN device (EPERM: "needs CAP_NET_ADMIN"),
 * the events and pcap files, the timerfd and the signalfd (SIGINT and
 * SIGTERM are blocked from here to realnet_free). The engine is attached
 * later (realnet_set_engine), because the engine's callbacks need the
 * loop. On error returns NULL with the reason in |msg|.
 *
 * |tun_fd| >= 0 hands in a ready "TUN" (tests: one end of a SOCK_DGRAM
 * socketpair); -1 opens /dev/net/tun per |o|.
 */
struct realnet *realnet_new(const struct rn_opts *o, int tun_fd, char *msg, size_t cap);
void realnet_free(struct realnet *rn);

void realnet_set_engine(struct realnet *rn, const struct rn_engine *eng);

/* realnet_esp_forced: 1 when plain ESP is impossible (no raw socket) or esp = udp. */
int realnet_esp_forced(const struct realnet *rn);

/* realnet_ev_sink: where engine events go (the events file; a no-op sink without one). */
struct ev_sink realnet_ev_sink(struct realnet *rn);

/* realnet_now: nanoseconds since realnet_new (CLOCK_MONOTONIC). */
uint64_t realnet_now(const struct realnet *rn);

/*
 * realnet_run starts the engine (client) and loops until a signal asked
 * for shutdown and the engine holds no SA (or shutdown_wait passed), or,
 * for a client, until its IKE SA is gone. Returns the exit status: 0
 * clean, 1 the tunnel failed or never came up, 2 a runtime error.
 */
int realnet_run(struct realnet *rn);

/* realnet_start starts the engine (client: IKE_SA_INIT); realnet_run calls it. -1 if the engine refused. */
int realnet_start(struct realnet *rn);

/*
 * realnet_step waits at most |timeout_ms| (-1 forever) for events and
 * handles one round of them; tests drive two loops with it. Returns 1
 * while running, 0 once finished (realnet_run's status in *status), -1 on
 * a loop error.
 */
int realnet_step(struct realnet *rn, int timeout_ms, int *status);

/* realnet_shutdown starts the shutdown as SIGTERM would. */
void realnet_shutdown(struct realnet *rn);

/* Engine callbacks into the loop. */
void realnet_send(struct realnet *rn, const struct rn_path *path, const uint8_t *buf, size_t len);
int realnet_child_add(struct realnet *rn, const struct rn_child_cfg *c);
void realnet_child_del(struct realnet *rn, uint32_t spi_in, uint32_t spi_out, const char *reason);
void realnet_path_update(struct realnet *rn, uint64_t ike_spi_i, uint64_t ike_spi_r, const struct rn_path *path);

/* rn_ev_begin starts a loop event {"t":..,"src":"realnet","ev":type,"who":name}; add fields, then rn_ev_end. */
struct evbuf *rn_ev_begin(struct realnet *rn, const char *type);
void rn_ev_end(struct realnet *rn);
/* rn_status prints "<name>: <text>" on stdout (unless quiet) and flushes. */
void rn_status(struct realnet *rn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Introspection (tests, the final summary). */
const struct rn_stats *realnet_stats(const struct realnet *rn);
size_t realnet_children(const struct realnet *rn);
/* realnet_port: the bound local port of socket |which| (0 = IKE port, 1 = NAT-T port). */
uint16_t realnet_port(const struct realnet *rn, int which);

#endif
