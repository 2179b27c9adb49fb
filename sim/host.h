/*
 * host.h — the host adapter: binds reference IKE engines (ref/ike/ike.h)
 * and the ESP datapath (ref/esp/esp.h) to a simulated host node
 * (sim/ns3shim.h), with a tunnel device for inner traffic.
 *
 *            inner traffic (sim/ns3apps: ping, UDP CBR, TCP bulk)
 *                       │ routes via the tunnel        ▲ tun inject
 *   ┌───────────────────┼── host node (ns-3 IP stack) ──┼─────────────────┐
 *   │ tun tx ─► SPD: CHILD SA whose TS hold (src, dst)  │                  │
 *   │           ─► esp_seal (stack buffer) ─► UDP 4500 (encap) or IP 50  │
 *   │                                     TS check ◄─ esp_open ◄─ esp_sadb │
 *   │ UDP 500 ──────────────────► ike_input ◄──┐      ▲                  │
 *   │ UDP 4500 ─ ike_udp_classify ─ IKE/keepalive, ESP ─┘ ◄── IP proto 50 │
 *   │ one ns-3 timer per engine at ike_deadline(), re-armed after every call│
 *   │ engine send ─► the socket of path.local_port; child_up/down ─► SAs  │
 *   └──────────────────────────────────────────────────────────────────────┘
 *
 * Library shape (the scenario runner drives it): build the topology with
 * ns3shim, then per host node
 *
 *   struct host *c = host_new(node, &(struct host_cfg){.name = "client", .seed = s, ...});
 *   host_tun_add(c, 0, 0);                     // client: the VIP becomes its address
 *   struct host_ike *ce = host_ike_add(c, &ike_cfg, err, sizeof err);
 *   host_ike_connect(ce, 0);                   // client: IKE_SA_INIT at t = 0
 *   ... ns3shim_run_until(t); host_stats(c, &st); ike_engine_counts(host_ike_engine(ce));
 *
 * A gateway gets host_tun_add(g, addr, 32) and host_tun_route(g, pool, 24)
 * up front (one route for the whole pool, not one per client: ns-3's
 * static routing is a linear list). A client's routes to the remote
 * selectors are added when its first CHILD SA comes up (0.0.0.0/0 is split
 * into two /1 routes plus a host route to the gateway via the old path).
 * Several engines may share one host node (many clients on one node, each
 * on its own address): SAs, the SPI table and the tunnel are per host, the
 * SPD lookup matches both the inner source and destination.
 *
 * Randomness: every engine draws from a crypto_drbg seeded with the
 * scenario seed and the label "<host name>/<engine name>"; CBC IVs from
 * "<host name>/esp". Same seed, same bytes on the wire.
 *
 * Events go to the host's ev_sink: the engine's own ("src":"ike","who":
 * engine name) and the adapter's, with "src" = the host name:
 *   {"src":"client","ev":"child-up","spi_in":"..","spi_out":"..","encap":true,...}
 *   {"src":"gw","ev":"drop","reason":"no-sa"|"icv"|...,"msg":..,"spi":..}
 *   {"src":"client","ev":"tun","mtu":1207,"addr":"10.9.0.1"}  {"ev":"route",...}
 *   {"src":"client","ev":"tun-addr"|"tun-addr-del","addr":"10.9.0.1","prefix":32}
 *   {"src":"client","ev":"route-del",...}  {"ev":"pin"|"unpin","peer":..,"gw":..,"dev":..}
 *   {"src":"client","ev":"icmp","type":3,"code":4,"mtu":1280,...}
 *   {"src":"client","ev":"engine-killed","who":"client","life":1,...}  {"ev":"engine-restarted",...}
 *
 * Lifetime: everything is freed by ns3shim_destroy. Errors: NULL or a
 * negative NS3SHIM_E* code, ns3shim_last_error() says why.
 */
#ifndef VPNLAB_SIM_HOST_H
#define VPNLAB_SIM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "ref/esp/esp.h"
#include "ref/ike/ike.h"
#include "ref/util/evlog.h"

enum {
	HOST_NAME_MAX_LEN = 31,
	HOST_INNER_MAX = 9000,     /* largest tunnel MTU (and inner packet) */
	HOST_ESP_ERR_SLOTS = 32,   /* rejected[] is indexed by -enum esp_err */
};

/* HOST_DROPS: packets the adapter itself drops (ESP rejects are counted by esp_err). */
#define HOST_DROPS(X)                                                                         \
	X(NO_SA, "no-sa", "outbound inner packet matches no CHILD SA")                        \
	X(INNER_BAD, "inner-bad", "tunnel packet is not a valid IPv4 packet")                 \
	X(TOO_BIG, "too-big", "packet larger than the adapter's buffers")                     \
	X(SEND_FAILED, "send-failed", "outer send refused by the stack (route, queue, size)") \
	X(UDP_INVALID, "udp-invalid", "NAT-T datagram neither keepalive, IKE nor ESP")        \
	X(TS_MISMATCH, "ts-mismatch", "decrypted packet outside the CHILD SA's selectors")    \
	X(NO_TUNNEL, "no-tunnel", "decrypted packet, but the host has no tunnel device")      \
	X(INJECT_FAILED, "inject-failed", "the tunnel refused the decrypted packet")          \
	X(WRONG_SOCKET, "wrong-socket", "engine sent on a port the adapter has no socket for")  \
	X(NO_ADDRESS, "no-address", "inner packet from the tunnel's placeholder: no VIP yet")

#define HOST_DROP_ENUM(id, name, what) HOST_DROP_##id,
enum host_drop { HOST_DROPS(HOST_DROP_ENUM) HOST_DROP__COUNT };
#undef HOST_DROP_ENUM

const char *host_drop_name(enum host_drop d);
const char *host_drop_what(enum host_drop d);

struct host;
struct host_ike;

/* host_hooks: optional notifications for the scenario runner (start traffic when up). */
struct host_hooks {
	void *ctx;
	void (*child_up)(void *ctx, struct host *h, const struct ike_child_info *ci);
	void (*child_down)(void *ctx, struct host *h, uint32_t spi_in, uint32_t spi_out,
			   const char *reason);
};

struct host_cfg {
	const char *name;             /* required, <= 31 chars: event "src", DRBG labels */
	uint64_t seed;                /* the scenario seed */
	const struct ev_sink *events; /* copied; NULL = no events */
	uint32_t path_mtu;            /* outer path MTU for the tunnel MTU; 0 = egress device MTU */
	size_t max_sas;               /* initial inbound SPI table size; 0 = 16 (it grows) */
	const struct host_hooks *hooks; /* copied; may be NULL */
};

/* host_new binds host node |node|; NULL on error (ns3shim_last_error). */
struct host *host_new(int node, const struct host_cfg *cfg);
int host_node(const struct host *h);
const char *host_name(const struct host *h);

/* ---------------------------------------------------------------- tunnel */

/*
 * HOST_TUN_PLACEHOLDER (169.254.0.1) is the tunnel's address while it has
 * no other (a client before its VIP, and again after the last VIP went):
 * ns-3 aborts the whole process when a route picks a device without an
 * address, so a tunnel is never without one and its routes are always
 * safe. Inner packets it sources are dropped ("no-address"), never sealed
 * nor sent in the clear.
 */
#define HOST_TUN_PLACEHOLDER 0xa9fe0001u

/*
 * host_tun_add creates the host's tunnel device (one per host) with a
 * provisional MTU (path MTU minus the worst ESP overhead; exact once the
 * first CHILD SA is up) and the address |addr|/|prefix|, or with
 * |addr| 0 the placeholder. Returns the device index.
 */
int host_tun_add(struct host *h, uint32_t addr, int prefix);
/* host_tun_dev is the tunnel's device index, or -1 without one. */
int host_tun_dev(const struct host *h);
uint32_t host_tun_mtu(const struct host *h);
/* host_tun_addr is the tunnel's first real address (static or VIP), 0 while it has none. */
uint32_t host_tun_addr(const struct host *h);
/*
 * host_tun_route routes |dst|/|prefix| into the tunnel for the host's life
 * (unless such a route already covers it). The routes of a client's remote
 * selectors, by contrast, come with its CHILD SAs and go with the last one
 * that needs them (host_child_down: routes first, then the VIP).
 */
int host_tun_route(struct host *h, uint32_t dst, int prefix);

/*
 * host_esp_overhead: outer octets an inner packet of |inner_len| gains
 * with the SA |sa| (IPv4 20 + UDP 8 when |encap| + ESP header, IV, padding,
 * trailer, ICV). host_esp_inner_max: the largest inner packet that fits
 * |path_mtu|.
 */
size_t host_esp_overhead(const struct esp_sa *sa, int encap, size_t inner_len);
size_t host_esp_inner_max(const struct esp_sa *sa, int encap, size_t path_mtu);

/* ---------------------------------------------------------------- CHILD SAs */

/*
 * host_child_up installs both directions of the CHILD SA |ci| (what the
 * engine's child_up callback does; public for manual keying in tests) and
 * adds the client's routes and tunnel address. |owner| may be NULL.
 * 0, or a negative NS3SHIM_E* code.
 */
int host_child_up(struct host *h, struct host_ike *owner, const struct ike_child_info *ci);
/*
 * host_child_down removes the CHILD SA with these SPIs, then what no other
 * CHILD SA still needs: the routes of its remote selectors, the pinned
 * gateway route of a full tunnel, and last its VIP (the node is as before
 * the CHILD SA, so a restarted engine starts clean). NS3SHIM_EARG if unknown.
 */
int host_child_down(struct host *h, uint32_t spi_in, uint32_t spi_out, const char *reason);
/* host_child_count is the number of installed CHILD SAs. */
size_t host_child_count(const struct host *h);

/* ---------------------------------------------------------------- counters */

struct host_stats {
	uint64_t sealed, sealed_bytes;     /* inner packets (and their octets) encrypted */
	uint64_t opened, opened_bytes;     /* decrypted, checked and injected */
	uint64_t esp_tx_bytes, esp_rx_bytes; /* ESP octets (SPI .. ICV) sent / received */
	uint64_t encap_tx, plain_tx;       /* ESP packets sent in UDP 4500 / as IP protocol 50 */
	uint64_t rejected[HOST_ESP_ERR_SLOTS]; /* esp_open / esp_seal failures by -esp_err */
	uint64_t drops[HOST_DROP__COUNT];
	uint64_t children_up, children_down;
	uint64_t icmp;                     /* ICMP errors about our outer packets */
	uint64_t keepalives_rx;
	uint64_t ike_rx, ike_tx;           /* IKE datagrams in and out (all engines) */
};

void host_stats(const struct host *h, struct host_stats *out);
/* host_stats_rejected sums rejected[]; host_reject_name(i) is esp_err_name(-i). */
uint64_t host_stats_rejected(const struct host_stats *st);
const char *host_reject_name(int slot);
/* host_stats_ev emits one {"src":name,"ev":"stats",...} line with the non-zero counters. */
void host_stats_ev(const struct host *h);

/* ---------------------------------------------------------------- inner traffic */

/* host_tcp_mss: TCP segment size for the tunnel (MTU - 40; ns-3 TCP sends no MSS option). */
uint32_t host_tcp_mss(const struct host *h);
/* Inner traffic from this host (sim/ns3apps.h; app ids for ns3apps_stats). */
int host_ping(struct host *h, uint32_t dst, uint32_t size, uint64_t interval_ns, uint32_t count);
int host_udp_cbr(struct host *h, uint32_t dst, uint16_t port, uint32_t size,
		 uint64_t interval_ns, uint32_t count);
/* host_tcp_bulk sends |bytes| with segment size host_tcp_mss(). */
int host_tcp_bulk(struct host *h, uint32_t dst, uint16_t port, uint64_t bytes);

/* ---------------------------------------------------------------- IKE engines */

/*
 * host_ike_add creates an engine for |cfg| (copied; credentials borrowed,
 * they must outlive the simulation) on the host: UDP sockets on
 * cfg->local_addr (0 = any) ports cfg->port and cfg->natt_port, the DRBG,
 * the timer. An empty cfg->name becomes the host's name. NULL on error
 * with the reason in |err|.
 */
struct host_ike *host_ike_add(struct host *h, const struct ike_config *cfg, char *err,
			      size_t cap);
/* host_ike_connect starts a client engine (ike_client_start) at |at_ns| (>= now). */
int host_ike_connect(struct host_ike *hi, uint64_t at_ns);
/* host_ike_close runs ike_close at |at_ns|. */
int host_ike_close(struct host_ike *hi, uint64_t at_ns);
/*
 * host_ike_kill removes the engine now without a word, as a crash or a
 * power cut would: no DELETE, no further retransmission or keepalive. Its
 * CHILD SAs leave the host (child-down "killed", routes and VIP with them),
 * its sockets close (a new engine may bind the ports), its timer stops, and
 * {"src":host,"ev":"engine-killed","who":name} is emitted. The handle stays
 * valid until ns3shim_destroy but is dead: host_ike_engine() is NULL,
 * connect/close are refused, host_ike_counts() keeps the final counters.
 * Not from inside the engine's own callbacks. NS3SHIM_ESTATE if killed
 * already.
 */
int host_ike_kill(struct host_ike *hi);
/*
 * host_ike_restart kills |hi| (if alive) and adds a fresh engine with the
 * same configuration on the same host: new SPIs, nonces and keys (its
 * DRBG label gets the life number: "<host>/<engine>#2"), same identity,
 * nothing of the old engine's state. It does not connect
 * (host_ike_connect). NULL on error with the reason in |err|.
 */
struct host_ike *host_ike_restart(struct host_ike *hi, char *err, size_t cap);
/* host_ike_alive: 1 until host_ike_kill. host_ike_life: 1 for the first engine, 2 after a restart ... */
int host_ike_alive(const struct host_ike *hi);
unsigned host_ike_life(const struct host_ike *hi);
/* host_ike_counts: the engine's ike_engine_counts, or its last ones once killed. */
void host_ike_counts(const struct host_ike *hi, struct ike_counts *out);
/* host_ike_engine is the engine, NULL once killed. */
struct ike_engine *host_ike_engine(const struct host_ike *hi);
struct host *host_ike_host(const struct host_ike *hi);
/* host_ike_count / host_ike_get: every engine the host had, killed ones too, oldest first. */
size_t host_ike_count(const struct host *h);
struct host_ike *host_ike_get(const struct host *h, size_t i);
/* host_ike_established: 1 if the engine's first IKE SA is ESTABLISHED. */
int host_ike_established(const struct host_ike *hi);

struct host_ike_stats {
	uint64_t rx[4];          /* by enum esp_udp_kind: invalid, keepalive, IKE, ESP */
	uint64_t rx_results[8];  /* IKE datagrams by ike_input result: OK, RESENT, FRAGMENT,
				    KEEPALIVE, NOT_IKE, DROP, ANSWERED, other */
	uint64_t tx, tx_failed;
	uint64_t deadlines;      /* ike_on_deadline runs */
	uint64_t icmp;           /* ICMP errors on the IKE sockets */
	uint64_t esp_noted;      /* ESP packets of its CHILD SAs told to it (ike_note_esp_*) */
};
void host_ike_stats(const struct host_ike *hi, struct host_ike_stats *out);

#endif
