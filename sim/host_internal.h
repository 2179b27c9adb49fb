/*
 * host_internal.h — what the host adapter's files share (not public:
 * sim/host.h is).
 *
 *   host.c       the host object, tunnel device, routes, counters, events,
 *                inner traffic wrappers
 *   host_esp.c   CHILD SAs: install/remove, SPD lookup, seal/open, the
 *                protocol-50 handler
 *   host_ike.c   engine binding: sockets, classify, timers, callbacks
 */
#ifndef VPNLAB_SIM_HOST_INTERNAL_H
#define VPNLAB_SIM_HOST_INTERNAL_H

#include "ref/crypto/crypto.h"
#include "sim/host.h"

/* host_child: one installed CHILD SA (both directions). */
struct host_child {
	struct host_ike *owner;       /* engine that negotiated it; NULL = manual keying */
	uint64_t ike_spi_i, ike_spi_r;
	uint32_t spi_in, spi_out;
	struct esp_sa *in, *out;
	size_t n_ts_local, n_ts_remote;
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX];
	struct ike_ts_cfg ts_remote[IKE_CFG_TS_MAX];
	int encap;
	struct ike_path path;         /* outer addresses/ports; re-targeted by path_changed */
	int sock;                     /* UDP socket ESP-in-UDP leaves from (encap) */
	uint64_t gen;                 /* installation order: the newest wins a tie (rekey overlap) */
	uint64_t sel_key;             /* its key in host.sel (0 = none) */
	/* what host_tun_child_up gave it, so host_tun_child_down takes exactly that back */
	uint32_t vip;                 /* tunnel address it holds a reference on (0 = none) */
	uint32_t pin_peer;            /* pinned gateway route it holds a reference on (0 = none) */
	int routed;                   /* holds references on the routes of its remote selectors */
};

/* host_smap: uint64 key -> child slot, open addressing (keys != 0). */
struct host_smap {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

/*
 * host_route: a route into the tunnel. Static ones (host_tun_route) stay
 * for the host's life; the others are held by the CHILD SAs whose remote
 * selectors need them (|refs|) and go with the last. Installed in ns-3
 * only while the tunnel has an address (see host_taddr).
 */
struct host_route {
	uint32_t net;
	int prefix;
	int is_static;
	unsigned refs;
};

/*
 * host_taddr: an address of the tunnel: static (host_tun_add), a VIP held
 * by the CHILD SAs that assigned it (|refs|), or the placeholder. ns-3
 * aborts the process when a route picks a device without an address, so
 * the tunnel is never without one: until the first real address (and
 * again after the last VIP goes) it holds HOST_TUN_PLACEHOLDER, which
 * sources nothing a CHILD SA would carry (such packets are dropped "no-sa",
 * never sent in the clear).
 */
struct host_taddr {
	uint32_t addr;
	int prefix;
	int is_static;
	unsigned refs;
};

/* host_pin: the gateway's /32 pinned to the outer path while a full tunnel (0/1 + 128/1) is up. */
struct host_pin {
	uint32_t peer, gw;
	int dev;
	unsigned refs;
};

struct host {
	int node;
	char name[HOST_NAME_MAX_LEN + 1];
	uint64_t seed;
	struct ev_sink ev;
	struct host_hooks hooks;
	uint32_t path_mtu;
	struct crypto_drbg *esp_drbg; /* CBC IVs */

	/* tunnel */
	int tun_dev;                  /* -1 = none */
	uint32_t tun_mtu;
	int tun_mtu_exact;            /* set from a real SA (not the provisional guess) */
	uint32_t tun_addr;            /* first real address (0 = none: the placeholder) */
	struct host_route *routes;    /* routes into the tunnel */
	size_t n_routes, cap_routes;
	struct host_taddr *tun_addrs; /* real addresses of the tunnel */
	size_t n_tun_addrs, cap_tun_addrs;
	int placeholder;              /* HOST_TUN_PLACEHOLDER is on the tunnel */
	struct host_pin *pins;
	size_t n_pins, cap_pins;

	/* SAs */
	int esp_handle;               /* IP protocol 50 handler, -1 until opened */
	struct esp_sadb *sadb;
	size_t sadb_cap;
	struct host_child **child;    /* slots; NULL = free */
	size_t n_child_slots, n_children;
	uint64_t gen;
	struct host_smap by_spi;      /* spi_in -> slot */
	struct host_smap sel;         /* selector fast path: 'R'|addr or 'L'|addr -> slot */

	/* UDP sockets for manually keyed encapsulated SAs (no engine owns a port) */
	struct host_usock {
		uint32_t addr;
		uint16_t port;
		int sock;
	} *usocks;
	size_t n_usocks;

	/* engines (owned by host_ike.c, freed through their own at_destroy) */
	struct host_ike **ikes;
	size_t n_ikes, cap_ikes;

	struct host_stats st;
};

/* host.c */
void host_ev_begin(const struct host *h, struct evbuf *e, const char *type);
void host_ev_emit(const struct host *h, struct evbuf *e);
void host_ev_addr(struct evbuf *e, const char *key, uint32_t addr);
/* host_drop counts |d| and emits {"ev":"drop","reason":..} with |detail| (may be NULL). */
void host_drop(struct host *h, enum host_drop d, const char *detail);
/* host_tun_child_up sets the tunnel MTU, address and routes for a new CHILD SA (recorded in |c|). */
void host_tun_child_up(struct host *h, struct host_child *c, const struct ike_child_info *ci);
/* host_tun_child_down gives back what host_tun_child_up took: routes first, then the VIP. */
void host_tun_child_down(struct host *h, const struct host_child *c);
int host_register_ike(struct host *h, struct host_ike *hi);

/* host_esp.c */
/* host_esp_input takes an ESP packet (from the SPI on) received from |src|. */
void host_esp_input(struct host *h, const uint8_t *esp, size_t len, int encap, uint32_t src);
/* host_esp_tun_tx is the tunnel's tx callback: SPD lookup, seal, send. */
void host_esp_tun_tx(void *ctx, int node, int dev, const uint8_t *pkt, size_t len);
/* host_esp_path_changed re-targets the CHILD SAs of one IKE SA. */
void host_esp_path_changed(struct host *h, struct host_ike *owner, uint64_t spi_i,
			   uint64_t spi_r, const struct ike_path *path);
/* host_icmp_ev counts an ICMP error about our outer packets (|on|: "esp", "ike", "udp"). */
struct ns3shim_icmp;
void host_icmp_ev(struct host *h, const char *on, const struct ns3shim_icmp *ic);
/* host_esp_drop_owner removes every CHILD SA |owner| negotiated (engine killed); returns how many. */
size_t host_esp_drop_owner(struct host *h, struct host_ike *owner, const char *reason);
/* host_esp_free frees every SA and table (at destroy). */
void host_esp_free(struct host *h);
/* host_ts_contains: is |addr| (with |proto|/|port|, port -1 = unknown) inside |ts|? */
int host_ts_contains(const struct ike_ts_cfg *ts, uint32_t addr, uint8_t proto, int port);

/* host_ike.c */
/* host_ike_natt_sock returns the engine's NAT-T socket (ESP-in-UDP goes out there). */
int host_ike_natt_sock(const struct host_ike *hi);
enum ike_role host_ike_role(const struct host_ike *hi);
/*
 * host_ike_note_esp tells the engine that ESP of its CHILD SA |spi_in| was
 * sent (|sent|) or received and authenticated, now: NAT keepalives and
 * liveness checks wait while ESP flows (ike_note_esp_sent/_received).
 */
void host_ike_note_esp(struct host_ike *hi, uint32_t spi_in, int sent);


#endif
