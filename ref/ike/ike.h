/*
 * ike.h — the IKEv2 reference engine (RFC 7296), sans-IO: client and
 * gateway. The same object runs in the ns-3 simulator, on real sockets and
 * in unit tests. It never reads a clock, opens a socket or keeps a global.
 *
 *   bytes + path + now in          ike_input(e, path, dgram, len, now)
 *   timers                         ike_deadline(e) -> ns | UINT64_MAX
 *                                  ike_on_deadline(e, now)
 *   bytes + path out               cb.send(ctx, path, bytes, len)
 *   CHILD SAs out                  cb.child_up(ctx, info) / cb.child_down(...)
 *   NAT mapping changes            cb.path_changed(ctx, ike_sa, path)
 *   ESP the caller moved           ike_note_esp_sent / ike_note_esp_received
 *                                  (keepalives and liveness checks only when idle)
 *   events                         cb.ev (JSON lines, ref/util/evlog.h)
 *   randomness                     cb.rng (SPIs, nonces, DH, IVs, cookie secret)
 *
 * One engine per role. A client engine holds its profile and one IKE SA at
 * a time (ike_client_start connects); a gateway engine holds many IKE SAs
 * keyed by its own SPI, counts half-open ones (cookies, §2.6), owns the
 * address pool and applies the unique-IDs policy. ike_close sends DELETE
 * for every IKE SA.
 *
 * Ports: the engine is told the local and remote UDP port of every
 * datagram (struct ike_path). A datagram whose LOCAL port is the NAT-T
 * port (cfg.natt_port, 4500) carries the RFC 3948 non-ESP marker: the
 * engine strips it on input and adds it on output, so |send| gets the exact
 * UDP payload. On that port a lone 0xFF is a NAT keepalive (ignored) and
 * anything not starting with four zero octets is ESP — the caller's
 * business: ike_udp_classify tells them apart before calling ike_input.
 *
 * The engine does not own ESP SAs. child_up hands over what esp_sa_new
 * needs for both directions (SPIs, crypto.h algorithm, keys, ESN) plus the
 * traffic selectors, the UDP encapsulation ports and the peer; the caller
 * installs them and removes them on child_down.
 *
 * Errors: functions returning int give 0 or a negative enum ike_status
 * (ref/ike/ike_payload.h) / enum ike_rx_result; every drop and failure also
 * produces an event naming the field, the value and what was expected.
 */
#ifndef VPNLAB_REF_IKE_H
#define VPNLAB_REF_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_payload.h" /* enum ike_status */
#include "ref/util/evlog.h"

/* ---------------------------------------------------------------------- */
/* Addresses                                                               */

/* ike_path: one UDP 4-tuple, IPv4 addresses in host order (like sim/ip). */
struct ike_path {
	uint32_t local_addr;
	uint32_t remote_addr;
	uint16_t local_port;
	uint16_t remote_port;
};

/* ---------------------------------------------------------------------- */
/* Configuration (a profile; ike_profile_parse fills one from text)        */

enum ike_role { IKE_ROLE_CLIENT = 1, IKE_ROLE_GATEWAY = 2 };

enum {
	IKE_CFG_ALGS_MAX = 8,    /* transforms of one type in one proposal */
	IKE_CFG_PROPS_MAX = 12,  /* proposals in one list */
	IKE_CFG_TS_MAX = 4,      /* selectors per side */
	IKE_CFG_ID_MAX = 255,
	IKE_CFG_PSK_MAX = 128,
	IKE_CFG_DNS_MAX = 4,
	IKE_CFG_DOMAIN_MAX = 4,
	IKE_CFG_DOMAIN_LEN = 64,
	IKE_CFG_CHAIN_MAX = 4,   /* intermediates sent after our certificate */
	IKE_CFG_PATH_MAX = 256,
};

/*
 * ike_prop_cfg: one proposal, several transforms per type (strongSwan's
 * "aes128-aes256-sha256-modp2048-ecp256" is one proposal). For ESP the
 * prf and ke lists are empty (ke would ask for PFS in CREATE_CHILD_SA).
 */
struct ike_prop_cfg {
	uint8_t n_encr, n_integ, n_prf, n_ke, n_esn;
	struct {
		uint16_t id;       /* IKE_ENCR_* */
		uint16_t key_bits; /* KEY_LENGTH; 0 when the cipher has none */
	} encr[IKE_CFG_ALGS_MAX];
	uint16_t integ[IKE_CFG_ALGS_MAX]; /* IKE_INTEG_*; none with AEAD */
	uint16_t prf[IKE_CFG_ALGS_MAX];   /* IKE_PRF_* */
	uint16_t ke[IKE_CFG_ALGS_MAX];    /* IKE_KE_*: the first is the KEi group we send */
	uint16_t esn[2];                  /* IKE_ESN_NO / IKE_ESN_YES */
};

struct ike_props {
	size_t n;
	struct ike_prop_cfg p[IKE_CFG_PROPS_MAX];
};

/* ike_ts_cfg: one IPv4 traffic selector (range of addresses, protocol, ports). */
struct ike_ts_cfg {
	uint32_t lo, hi;          /* host order, inclusive */
	uint8_t proto;            /* 0 = any */
	uint16_t port_lo, port_hi;
};

/* ike_id_cfg: an IKE identity (§3.5) as sent in IDi/IDr. type 0 = none ("%any"). */
struct ike_id_cfg {
	uint8_t type; /* IKE_ID_* */
	size_t len;
	uint8_t data[IKE_CFG_ID_MAX];
};

enum ike_auth_cfg {
	IKE_AUTHC_PSK = 1,    /* shared key MIC, §2.15 */
	IKE_AUTHC_PUBKEY = 2, /* certificate + signature */
};

/* ike_sig_cfg: which AUTH method a pubkey peer uses. */
enum ike_sig_cfg {
	IKE_SIGC_RFC7427 = 0, /* DIGITAL_SIGNATURE (14): SHA-256, RSA PKCS#1 or ECDSA */
	IKE_SIGC_CLASSIC = 1, /* RSA_SIG (1, SHA-1) or ECDSA_256 (9) */
};

enum ike_proposals_mode {
	IKE_PROPOSALS_FULL = 0,  /* offer cfg.esp */
	IKE_PROPOSALS_SMALL = 1, /* offer cfg.esp_small only */
	IKE_PROPOSALS_AUTO = 2,  /* esp_small first; on NO_PROPOSAL_CHOSEN retry with esp */
};

enum ike_unique_policy {
	IKE_UNIQUE_NO = 0,      /* keep both; replace only on INITIAL_CONTACT */
	IKE_UNIQUE_REPLACE = 1, /* the new IKE SA replaces the old one */
	IKE_UNIQUE_NEVER = 2,   /* keep both; ignore INITIAL_CONTACT */
	IKE_UNIQUE_KEEP = 3,    /* reject the new one, keep the old */
};

enum ike_dpd_action { IKE_DPD_CLEAR = 0, IKE_DPD_RESTART = 1 };

/* ike_reauth_mode: how a client reauthenticates (RFC 7296 §2.8.3). */
enum ike_reauth_mode {
	IKE_REAUTH_BREAK = 0, /* break-before-make: delete the IKE SA, then connect again */
	IKE_REAUTH_MAKE = 1,  /* make-before-break: connect a new IKE SA, then delete the old */
};

enum ike_frag_cfg {
	IKE_FRAG_NO = 0,  /* never announce nor fragment */
	IKE_FRAG_YES = 1, /* announce; fragment when the peer announced too */
};

struct ike_config {
	enum ike_role role;
	/* addresses: client connects from local_addr:port to remote_addr:port */
	uint32_t local_addr, remote_addr;
	uint16_t port;      /* 500 */
	uint16_t natt_port; /* 4500: the port with the non-ESP marker */

	/* identities and authentication */
	struct ike_id_cfg local_id;
	struct ike_id_cfg remote_id; /* type 0: any identity that authenticates */
	enum ike_auth_cfg auth;      /* how WE authenticate */
	enum ike_auth_cfg remote_auth;
	uint8_t psk[IKE_CFG_PSK_MAX];
	size_t psk_len;
	enum ike_sig_cfg sig;
	/* borrowed, caller-owned (ike_config_load_credentials loads the files) */
	struct crypto_sig_key *key;
	struct crypto_x509 *cert;
	struct crypto_x509 *chain[IKE_CFG_CHAIN_MAX];
	size_t n_chain;
	struct crypto_x509_store *trust;
	int send_certreq;     /* CERTREQ with our anchors' hashes (§3.7) */
	/*
	 * cert_time: the wall clock for certificate validity, as the epoch
	 * second at engine time 0 (a chain is checked at cert_time + now/1e9;
	 * sans-IO: the engine reads no clock). 0: no time checks (a chain is
	 * checked at its end-entity's notBefore). IKE_CERT_TIME_NOW (profile
	 * "cert_time = now"): the caller must map its clock with
	 * ike_config_cert_clock before ike_engine_new, which refuses it
	 * otherwise. realnet, whose now is CLOCK_MONOTONIC:
	 *     ike_config_cert_clock(&cfg, time(NULL), monotonic_now_ns);
	 * the simulator starts at 0 and uses a fixed epoch for determinism.
	 */
	int64_t cert_time;
	char cert_file[IKE_CFG_PATH_MAX], key_file[IKE_CFG_PATH_MAX], ca_file[IKE_CFG_PATH_MAX];

	/* algorithms */
	struct ike_props ike;
	struct ike_props esp;
	struct ike_props esp_small;
	enum ike_proposals_mode proposals;

	/* traffic selectors (client: what it proposes; gateway: what it allows) */
	size_t n_local_ts, n_remote_ts;
	struct ike_ts_cfg local_ts[IKE_CFG_TS_MAX];
	struct ike_ts_cfg remote_ts[IKE_CFG_TS_MAX];

	/* NAT traversal (§2.23, RFC 3948) */
	int force_encap;          /* send a fake NAT_DETECTION_SOURCE_IP */
	uint64_t keepalive_ns;    /* 0 = off; default 20 s */

	/* fragmentation (RFC 7383) */
	enum ike_frag_cfg fragmentation;
	size_t fragment_size;     /* max UDP payload of a fragment (incl. marker) */
	size_t reasm_max_frags;
	size_t reasm_max_bytes;
	uint64_t reasm_timeout_ns;

	/* reliability (§2.1, §2.4) */
	uint64_t retx_timeout_ns; /* first timeout */
	double retx_base;         /* back-off factor */
	unsigned retx_tries;      /* retransmissions before giving up */
	uint64_t retx_max_ns;     /* cap of one interval; 0 = none */

	/* liveness (§2.4) */
	uint64_t dpd_ns;          /* 0 = off */
	enum ike_dpd_action dpd_action;

	int initial_contact;      /* client: N(INITIAL_CONTACT) in IKE_AUTH (default yes, §2.4) */

	/* configuration payload (§2.19, RFC 8598) */
	int request_vip;          /* client: CFG_REQUEST for an address */
	uint32_t pool_lo, pool_hi;/* gateway: address pool; 0 = none */
	uint32_t pool_netmask;    /* INTERNAL_IP4_NETMASK sent with the address; 0 = none */
	size_t n_dns;
	uint32_t dns[IKE_CFG_DNS_MAX];
	size_t n_domains;
	char domains[IKE_CFG_DOMAIN_MAX][IKE_CFG_DOMAIN_LEN];

	/* gateway */
	unsigned cookie_threshold;     /* half-open SAs before cookies are required; 0 = always */
	int cookies;                   /* 0 = never ask for cookies */
	uint64_t half_open_timeout_ns; /* half-open SA expiry */
	enum ike_unique_policy unique;
	size_t max_sas;

	/*
	 * RFC 7296 §2.21.4: a request for an IKE SA we do not know (after a
	 * reboot, say) MAY get an unprotected N(INVALID_IKE_SPI) answer (§1.5),
	 * rate-limited. Default off, as strongSwan: the answer is unauthenticated
	 * and tells a scanner which addresses run IKE.
	 */
	int invalid_spi_notify;
	unsigned invalid_spi_rate;     /* answers per second at most (default 10) */

	/* lifetimes (§2.8); 0 = never */
	uint64_t ike_lifetime_ns;   /* IKE SA rekey (CREATE_CHILD_SA, §1.3.2) */
	uint64_t child_lifetime_ns; /* CHILD SA rekey (§1.3.3) */
	uint64_t reauth_ns;         /* client: reauthentication (§2.8.3) */
	enum ike_reauth_mode reauth;

	/* events */
	int log_keys; /* emit SK_* and ESP keys (for the conformance decoder) */
	char name[32];    /* "client", "gw": the "who" of events */

	/*
	 * x509_cache: parsed peer certificates by DER (borrowed; the caller
	 * creates and frees it and may share it between engines of one thread).
	 * NULL parses every CERT payload afresh.
	 */
	struct crypto_x509_cache *x509_cache;
};

/* IKE_CERT_TIME_NOW: cert_time "now", to be set by the caller (ike_config_cert_clock). */
#define IKE_CERT_TIME_NOW INT64_C(-1)

/*
 * ike_config_cert_clock maps "cert_time = now" to the caller's clocks: the
 * wall clock reads |wall_s| (seconds since the epoch) when the time it
 * passes the engine as now is |now_ns|. Does nothing for any other
 * cert_time (a profile's fixed time wins). Returns 0, or IKE_E_ARG when
 * the two clocks give a time before the epoch.
 */
int ike_config_cert_clock(struct ike_config *c, int64_t wall_s, uint64_t now_ns);

/* ike_config_init fills |c| with the defaults for |role| (see ike_config.c). */
void ike_config_init(struct ike_config *c, enum ike_role role);

/*
 * ike_config_check validates |c|; on error writes "key value: expected ..."
 * into |msg| and returns IKE_E_ARG.
 */
int ike_config_check(const struct ike_config *c, char *msg, size_t cap);

/*
 * ike_config_load_credentials loads cert_file/key_file/ca_file into key,
 * cert, chain and trust (configuration time; the engine never opens files).
 * Objects it created are freed by ike_config_free_credentials.
 */
int ike_config_load_credentials(struct ike_config *c, char *msg, size_t cap);
void ike_config_free_credentials(struct ike_config *c);

/* ---------------------------------------------------------------------- */
/* Callbacks                                                               */

/* ike_child_info: one CHILD SA, both directions, for esp_sa_new. */
struct ike_child_info {
	uint64_t ike_spi_i, ike_spi_r;  /* the IKE SA that created it; an IKE rekey moves the CHILD SA
	                                   on but path_changed keeps using these (ESP SPIs are stable) */
	int initiator;                  /* we initiated the exchange creating it */
	uint32_t spi_in, spi_out;
	enum crypto_aead_alg alg;
	uint16_t encr, encr_key_bits, integ; /* the IKE transform IDs */
	int esn;
	const uint8_t *enc_key_in, *enc_key_out;     /* crypto.h layout (AEAD: key || salt) */
	const uint8_t *integ_key_in, *integ_key_out; /* NULL for AEAD */
	size_t enc_key_len, integ_key_len;
	size_t n_ts_local, n_ts_remote;
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX];  /* narrowed */
	struct ike_ts_cfg ts_remote[IKE_CFG_TS_MAX];
	int encap;                      /* UDP encapsulation (RFC 3948) */
	struct ike_path path;           /* local/remote address and ports (4500 when encap) */
	uint32_t vip;                   /* the client's virtual IP (0 = none) */
	uint32_t rekeyed_spi_in;        /* replaces this CHILD SA (0 = new) */
};

struct ike_callbacks {
	void *ctx;
	/* send: |buf| is the exact UDP payload (with the non-ESP marker on natt_port) */
	void (*send)(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len);
	void (*child_up)(void *ctx, const struct ike_child_info *ci);
	void (*child_down)(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason);
	/*
	 * path_changed: the peer's address/port moved (its NAT mapping changed,
	 * §2.23): re-target the UDP encapsulation of the CHILD SAs that child_up
	 * announced with these IKE SPIs. Called once per distinct pair, so it
	 * stays right after an IKE SA rekey moved CHILD SAs to a new IKE SA.
	 */
	void (*path_changed)(void *ctx, uint64_t ike_spi_i, uint64_t ike_spi_r, const struct ike_path *path);
	struct crypto_rng rng;
	struct ev_sink ev;
};

/* ---------------------------------------------------------------------- */
/* Engine                                                                  */

struct ike_engine;

/*
 * ike_engine_new checks |cfg| (copied) and creates the engine. On error
 * returns NULL with the reason in |msg|.
 */
struct ike_engine *ike_engine_new(const struct ike_config *cfg, const struct ike_callbacks *cb,
				  char *msg, size_t cap);
/* ike_engine_free frees everything, without sending or calling child_down. */
void ike_engine_free(struct ike_engine *e);

/* ike_rx_result: what ike_input did with a datagram (tests and counters). */
enum ike_rx_result {
	IKE_RX_OK = 0,          /* processed (state may have changed) */
	IKE_RX_RESENT = 1,      /* retransmitted request: the cached response went out again */
	IKE_RX_FRAGMENT = 2,    /* a fragment was stored; the message is not complete */
	IKE_RX_KEEPALIVE = 3,   /* NAT keepalive, ignored */
	IKE_RX_NOT_IKE = -100,  /* ESP on the NAT-T port: the caller's */
	IKE_RX_DROP = -101,     /* malformed, unknown SPI, bad ICV, old or future message ID ... */
	IKE_RX_ANSWERED = -102, /* an error the RFC answers (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD, ...) */
};
const char *ike_rx_result_name(int r);

/* ike_input takes one UDP payload received on |path| at |now_ns|. */
int ike_input(struct ike_engine *e, const struct ike_path *path, const uint8_t *dgram, size_t len,
	      uint64_t now_ns);

/* ike_deadline: the next time ike_on_deadline wants to run, UINT64_MAX for never. */
uint64_t ike_deadline(const struct ike_engine *e);
/* ike_on_deadline runs every timer due at |now_ns| (retransmit, DPD, keepalive, expiry, rekey). */
void ike_on_deadline(struct ike_engine *e, uint64_t now_ns);

/* ike_client_start sends IKE_SA_INIT (client only; IKE_E_ARG otherwise or when already up). */
int ike_client_start(struct ike_engine *e, uint64_t now_ns);
/* ike_close sends INFORMATIONAL {D(IKE)} on every established IKE SA; others are dropped. */
int ike_close(struct ike_engine *e, uint64_t now_ns);

/*
 * ike_rekey_child rekeys the CHILD SA whose inbound SPI is |spi_in| (0: the
 * first one found), ike_rekey_ike every established IKE SA, ike_reauth the
 * client's IKE SA (cfg.reauth). IKE_E_ARG when nothing could start (no such
 * SA, or an exchange is in flight: window of one).
 */
int ike_rekey_child(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns);
/*
 * ike_create_child asks for one more CHILD SA with the configured selectors
 * and proposals (CREATE_CHILD_SA, §1.3.1) on the IKE SA our SPI |ike_spi|
 * names (0: the newest established one). IKE_E_ARG when there is none or
 * its window is busy. A TEMPORARY_FAILURE answer is retried by the engine.
 */
int ike_create_child(struct ike_engine *e, uint64_t ike_spi, uint64_t now_ns);
int ike_rekey_ike(struct ike_engine *e, uint64_t now_ns);
int ike_reauth(struct ike_engine *e, uint64_t now_ns);

/*
 * ike_note_esp_sent / ike_note_esp_received: the caller sent / received
 * (and authenticated) an ESP packet of the CHILD SA whose inbound SPI is
 * |spi_in| (ike_child_info.spi_in; it stays valid across IKE SA rekeys) at
 * |now_ns|. With them, NAT keepalives go out only after keepalive_ns
 * without any packet sent on the IKE SA's path (RFC 3948 §4), and liveness
 * checks only after dpd_ns without anything received (RFC 7296 §2.4;
 * outgoing traffic alone proves nothing). O(1); they move no deadline, so
 * the caller need not re-read ike_deadline after them (a timer that fires
 * early sees the new times and waits again). Without them the engine
 * counts IKE messages only, as before. IKE_E_ARG for an unknown SPI.
 */
int ike_note_esp_sent(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns);
int ike_note_esp_received(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns);

/*
 * ike_udp_classify tells what a UDP payload received on local port
 * |local_port| is: on the NAT-T port a keepalive, IKE (after the marker)
 * or ESP (RFC 3948 §2); on any other port IKE. Returns enum esp_udp_kind
 * values (ref/esp/esp_udpencap.h) as int.
 */
int ike_udp_classify(const struct ike_engine *e, uint16_t local_port, const uint8_t *p, size_t len);

/* ---------------------------------------------------------------------- */
/* Introspection (tests, scenarios)                                        */

/* IKE SA states (ike_state.c has the transition table). */
#define IKE_STATE_LIST(X)                                                  \
	X(IKE_S_NONE, "NONE")                 /* not started */            \
	X(IKE_S_INIT_SENT, "INIT_SENT")       /* client: IKE_SA_INIT sent */ \
	X(IKE_S_INIT_DONE, "INIT_DONE")       /* gateway: half-open */     \
	X(IKE_S_AUTH_SENT, "AUTH_SENT")       /* client: IKE_AUTH sent */  \
	X(IKE_S_ESTABLISHED, "ESTABLISHED")                                \
	X(IKE_S_DELETING, "DELETING")         /* our DELETE is out */      \
	X(IKE_S_DEAD, "DEAD")                 /* gone; freed soon */

enum ike_sa_state {
#define IKE_X_(n, s) n,
	IKE_STATE_LIST(IKE_X_)
#undef IKE_X_
	IKE_S_COUNT
};
const char *ike_state_name(int s);

struct ike_counts {
	uint64_t msgs_sent, msgs_recv;     /* IKE messages (a fragmented one counts once) */
	uint64_t frags_sent, frags_recv;   /* SKF datagrams */
	uint64_t retransmits;              /* requests sent again on timeout */
	uint64_t resent_responses;         /* cached responses sent for retransmitted requests */
	uint64_t drops;                    /* datagrams dropped */
	uint64_t keepalives_sent;
	uint64_t state_changes;
	uint64_t children_up, children_down;
};

struct ike_sa_status {
	uint64_t spi_i, spi_r;
	int initiator;
	enum ike_sa_state state;
	struct ike_path path;
	int nat_local, nat_remote;   /* NAT detected in front of us / the peer */
	int encap;                   /* ESP is UDP-encapsulated */
	int frag;                    /* RFC 7383 negotiated */
	uint32_t vip;                /* client: the address the gateway assigned */
	size_t n_domains;
	char domains[IKE_CFG_DOMAIN_MAX][IKE_CFG_DOMAIN_LEN];
	uint32_t dns[IKE_CFG_DNS_MAX];
	size_t n_dns;
	uint16_t encr, encr_key_bits, prf, integ, dh; /* IKE SA transforms */
	size_t n_children;
	uint32_t child_spi_in, child_spi_out;        /* the first CHILD SA */
	uint16_t child_encr, child_encr_key_bits, child_integ;
	uint16_t last_error;         /* last error Notify received or sent (0 = none) */
	struct ike_counts counts;
	struct ike_id_cfg peer_id;
	uint8_t peer_auth_method;    /* IKE_AUTHM_* the peer used (0 before IKE_AUTH) */
};

/* ike_engine_counts: totals over the engine's life. */
const struct ike_counts *ike_engine_counts(const struct ike_engine *e);
/* ike_sa_count: IKE SAs the engine holds (any state but DEAD). */
size_t ike_sa_count(const struct ike_engine *e);
/* ike_sa_status fills |st| for the |i|-th IKE SA (0-based, oldest first; O(1)); IKE_E_ARG when out of range. */
int ike_sa_status(const struct ike_engine *e, size_t i, struct ike_sa_status *st);
/*
 * ike_sa_status_spi fills |st| for the IKE SA with these SPIs (e.g. the
 * ike_spi_i/ike_spi_r of a child_up), O(1); IKE_E_ARG when there is none.
 */
int ike_sa_status_spi(const struct ike_engine *e, uint64_t spi_i, uint64_t spi_r, struct ike_sa_status *st);
/* ike_half_open_count: gateway SAs in INIT_DONE. */
size_t ike_half_open_count(const struct ike_engine *e);

/*
 * ike_engine_check compares the engine's indexes (SA maps by SPI, peer SPI,
 * identity and inbound ESP SPI; the deadline heap; counters) with a scan of
 * every SA — the naive model — and returns 0, or -1 with the first
 * difference in |msg|. O(n): for tests, fuzzing and debug builds.
 */
int ike_engine_check(const struct ike_engine *e, char *msg, size_t cap);

#endif
