/*
 * ike_engine.h — the engine's insides, shared by its files (not a public
 * header: ref/ike/ike.h is). One concept per file:
 *
 *   ike_engine.c    engine object, ike_input demux, deadlines, public calls
 *   ike_state.c     IKE SA states, the transition table, the state setter
 *   ike_sa.c        IKE SA and CHILD SA objects, lookup, SPIs, teardown
 *   ike_sa_index.c  maps by SPI / peer SPI / identity / ESP SPI, deadline heap
 *   ike_out.c       building, protecting, fragmenting and sending messages
 *   ike_retx.c      retransmission (§2.1, §2.4) and the response cache
 *   ike_frag.c      RFC 7383 reassembly
 *   ike_init.c      IKE_SA_INIT, COOKIE (§2.6), INVALID_KE_PAYLOAD (§1.2)
 *   ike_authx.c     IKE_AUTH (§1.2, §2.15) with PSK and certificates
 *   ike_child.c     CHILD SAs: first in IKE_AUTH, CREATE_CHILD_SA, TS narrowing
 *   ike_info.c      INFORMATIONAL: DELETE, liveness (§2.4), error notifies
 *   ike_natt.c      NAT detection, port float, keepalives (§2.23, RFC 3948)
 *   ike_cp.c        configuration payload and the address pool (§2.19, RFC 8598)
 *   ike_ev.c        events
 *   ike_proposal.c  proposals (ike_proposal.h), ike_config.c, ike_profile.c
 *
 * Timers (all per IKE SA; ike_deadline is their minimum):
 *
 *   req.due         retransmission of our outstanding request: timeout *
 *                   base^n, n = 0..tries, then the peer is dead
 *                   (RFC 7296 §2.1, §2.4). Also bounds a liveness check.
 *   dpd_due         liveness check: an empty INFORMATIONAL after dpd_ns
 *                   without a message from the peer — IKE, or ESP the
 *                   caller reported with ike_note_esp_received (§2.4).
 *   ka_due          NAT keepalive 0xFF after keepalive_ns without sending
 *                   anything — IKE, or ESP reported with ike_note_esp_sent —
 *                   only when WE are behind a NAT (RFC 3948 §4, §2.23).
 *                   The notes move no deadline: both timers look at the
 *                   last times when they fire and sleep again if needed.
 *   reasm[].due     RFC 7383 reassembly gives up on an incomplete message
 *                   (the sender's retransmission starts it afresh; §2.6).
 *   half_open_due   gateway: an IKE SA still in INIT_DONE is forgotten
 *                   (§2.6 / §2.4 half-open SAs, DoS protection).
 *   rekey_due       IKE SA lifetime (§2.8); child[].rekey_due the CHILD SA
 *                   lifetimes; both also retry an exchange the peer
 *                   answered with TEMPORARY_FAILURE (§2.25).
 *   reauth_due      client: reauthentication time (§2.8.3).
 *   child_retry_due a new CHILD SA the peer answered with TEMPORARY_FAILURE
 *                   is asked for again (§2.25: wait, then retry; after
 *                   several minutes of refusals close the IKE SA).
 */
#ifndef VPNLAB_REF_IKE_ENGINE_H
#define VPNLAB_REF_IKE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_keys.h"
#include "ref/ike/ike_msg.h"
#include "ref/ike/ike_proposal.h"
#include "ref/util/evlog.h"

enum {
	IKE_NONCE_LEN = 32,          /* our nonces: >= half the PRF key size (§2.10) */
	IKE_MSG_MAX = 65535,         /* an IKE message (Length is 32 bits, UDP is not) */
	IKE_WIRE_MAX_FRAGS = 64,     /* RFC 7383 fragments of one message */
	IKE_CHILD_MAX = 8,           /* CHILD SAs per IKE SA */
	IKE_COOKIE_MAX = 64,         /* §2.6 */
	IKE_COOKIE_LEN = 32,
	IKE_INIT_RETRIES_MAX = 4,    /* COOKIE / INVALID_KE_PAYLOAD round trips */
	IKE_SPI_ESP_MIN = 0x100,     /* RFC 4303 §2.1: 1..255 reserved */
	IKE_REKEY_RETRIES_MAX = 2,   /* INVALID_KE_PAYLOAD round trips in CREATE_CHILD_SA */
};

/*
 * IKE_TEMPFAIL_RETRY_NS: §2.25 — after TEMPORARY_FAILURE the initiator MUST
 * NOT retry at once but wait for the peer's operation (a rekey) to end;
 * IKE_TEMPFAIL_GIVE_UP_NS: refusals for this long mean the two sides are
 * out of sync ("several minutes"): the IKE SA is closed.
 */
#define IKE_TEMPFAIL_RETRY_NS UINT64_C(10000000000)
#define IKE_TEMPFAIL_GIVE_UP_NS UINT64_C(300000000000)

/* ike_wire: one message as datagrams (one, or RFC 7383 fragments), without the non-ESP marker. */
struct ike_wire {
	uint8_t *data;
	size_t len;                       /* octets used in data */
	size_t n;                         /* datagrams */
	size_t off[IKE_WIRE_MAX_FRAGS + 1];
};

/* ike_req: our outstanding request (window size 1, §2.3). */
enum ike_req_kind {
	IKE_REQ_NONE = 0,
	IKE_REQ_INIT,
	IKE_REQ_AUTH,
	IKE_REQ_CHILD,     /* CREATE_CHILD_SA for a new CHILD SA */
	IKE_REQ_DPD,       /* empty INFORMATIONAL */
	IKE_REQ_DELETE,    /* INFORMATIONAL {D(IKE)} */
	IKE_REQ_DELETE_CHILD,
};

struct ike_req {
	enum ike_req_kind kind;
	uint8_t exchange;
	uint32_t mid;
	struct ike_wire wire;
	struct ike_path path;
	unsigned tries;    /* retransmissions so far */
	uint64_t sent_ns;  /* first transmission */
	uint64_t due;      /* UINT64_MAX when idle */
};

/* ike_resp_cache: the last response we sent, for a retransmitted request (§2.1). */
struct ike_resp_cache {
	int valid;
	uint32_t mid;
	uint8_t exchange;
	struct ike_wire wire;
};

/* ike_reasm: an RFC 7383 message being reassembled (fragments decrypted one by one). */
struct ike_reasm {
	int active;
	uint32_t mid;
	int response;
	uint8_t exchange;
	uint8_t first_type;     /* from fragment 1's Next Payload */
	uint16_t total, have;
	size_t bytes;           /* plaintext held */
	size_t wire_bytes;      /* datagram octets received */
	uint8_t *piece[IKE_WIRE_MAX_FRAGS];
	size_t piece_len[IKE_WIRE_MAX_FRAGS];
	uint64_t due;
};

/* ike_child: one CHILD SA (both directions), as handed to child_up. */
struct ike_child {
	int used;
	int initiator;     /* we initiated the exchange that created it */
	uint32_t spi_in, spi_out;
	struct ike_chosen chosen;
	enum crypto_aead_alg alg;
	struct ike_child_keys keys;
	uint32_t replaces;          /* the inbound SPI of the CHILD SA this one rekeyed (0 = new) */
	uint64_t ike_spi_i, ike_spi_r; /* the IKE SPIs child_up announced it with */
	int rekeyed;                /* replaced by a rekey: only its delete is left */
	uint64_t rekey_due;         /* child_lifetime (§2.8) */
	size_t n_ts_local, n_ts_remote;
	struct ike_ts_cfg ts_local[IKE_CFG_TS_MAX];
	struct ike_ts_cfg ts_remote[IKE_CFG_TS_MAX];
	uint64_t created_ns;
};

/* ike_pending_child: our CREATE_CHILD_SA (or IKE_AUTH CHILD SA) request in flight. */
enum ike_pending_kind {
	IKE_PEND_NEW = 0,     /* a new CHILD SA */
	IKE_PEND_REKEY_CHILD, /* §1.3.3 */
	IKE_PEND_REKEY_IKE,   /* §1.3.2 */
};

struct ike_pending_child {
	int active;
	enum ike_pending_kind kind;
	uint32_t spi_in;            /* our SPI in the offer (CHILD) */
	int small;                  /* offered esp_small (proposals = small|auto) */
	int with_ke;                /* the offer carried KE transforms (PFS / IKE) */
	uint8_t ni[IKE_NONCE_MAX];  /* CREATE_CHILD_SA nonce (IKE_AUTH uses the IKE SA's) */
	size_t ni_len;
	struct crypto_dh *dh;       /* our KEi */
	uint16_t dh_group;
	uint32_t rekey_spi_in;      /* REKEY_CHILD: our inbound SPI of the SA being replaced */
	uint64_t new_spi;           /* REKEY_IKE: our SPI of the new IKE SA */
	unsigned retries;           /* INVALID_KE_PAYLOAD round trips */
	/* §2.8.1 / §2.8.2: the peer rekeyed the same SA while this request was out */
	int coll;
	uint8_t coll_ni[IKE_NONCE_MAX], coll_nr[IKE_NONCE_MAX];
	size_t coll_ni_len, coll_nr_len;
	uint32_t coll_spi_in;       /* CHILD: the SA our answer created */
	uint64_t coll_spi;          /* IKE: our SPI of the IKE SA our answer created */
};

struct ike_sa {
	struct ike_engine *eng;
	int initiator;               /* original initiator of the IKE SA (§2.14) */
	uint64_t spi_i, spi_r;
	enum ike_sa_state state;
	struct ike_path path;        /* where the peer is now */
	uint64_t created_ns, last_rx_ns, last_tx_ns;   /* IKE messages */
	uint64_t last_esp_rx_ns, last_esp_tx_ns;       /* ESP the caller reported (ike_note_esp_*) */

	/* IKE_SA_INIT */
	struct ike_chosen ike;       /* negotiated IKE SA transforms */
	struct crypto_dh *dh;
	uint16_t dh_group;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t cookie[IKE_COOKIE_MAX];
	size_t cookie_len;
	unsigned init_retries;
	uint8_t *init_req, *init_resp; /* the IKE_SA_INIT messages as sent (AUTH signs them) */
	size_t init_req_len, init_resp_len;
	struct ike_keys *keys;
	int peer_frag;               /* peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	int frag;                    /* both did: fragment when needed (RFC 7383 §2.3) */
	int peer_sig_sha256;         /* peer sent SIGNATURE_HASH_ALGORITHMS with SHA2_256 */
	int peer_certreq;

	/* message IDs and reliability */
	uint32_t tx_mid;             /* Message ID of our next request */
	uint32_t rx_mid;             /* Message ID of the peer's next request */
	struct ike_req req;
	struct ike_resp_cache resp;
	struct ike_reasm reasm[2];   /* [0] a request, [1] a response being reassembled */

	/* NAT traversal */
	int nat_local, nat_remote;   /* a NAT in front of us / of the peer */
	int encap;                   /* UDP-encapsulated ESP */
	uint64_t ka_due;
	uint64_t dpd_due;

	uint64_t rekey_due;          /* ike_lifetime (§2.8) */
	uint64_t reauth_due;         /* client: reauth_time (§2.8.3) */
	int reauth;                  /* 1: break-before-make restart after our DELETE; 2: make-before-break new SA */
	uint64_t reauth_old;         /* make-before-break: our SPI of the SA to delete once this one is up */
	uint64_t successor;          /* our SPI of the IKE SA a rekey replaced this one with (0 = none) */

	/* §2.25 TEMPORARY_FAILURE: retry later, give up after IKE_TEMPFAIL_GIVE_UP_NS */
	uint64_t child_retry_due;    /* a new CHILD SA to ask for again */
	int child_retry_small;       /* ... with esp_small */
	int tempfail_run;            /* TEMPORARY_FAILUREs without a successful exchange in between */
	uint64_t tempfail_since;     /* ... since this time */
	uint32_t orphan_spi;         /* our SPI of a CHILD SA the peer installed and we refused: D(ESP) owed */

	/* gateway */
	uint64_t half_open_due;
	uint32_t vip;                /* leased (gateway) or assigned (client) */
	size_t n_dns, n_domains;
	uint32_t dns[IKE_CFG_DNS_MAX];
	char domains[IKE_CFG_DOMAIN_MAX][IKE_CFG_DOMAIN_LEN];
	int initial_contact;         /* the peer sent INITIAL_CONTACT */
	int close_pending;           /* ike_close while a request was out: DELETE follows it */

	/* identities */
	struct ike_id_cfg peer_id;
	uint8_t peer_auth_method;    /* IKE_AUTHM_* the peer authenticated with */

	/* CHILD SAs */
	struct ike_child child[IKE_CHILD_MAX];
	struct ike_pending_child pending;

	uint16_t last_error;
	struct ike_counts counts;

	/* ike_sa_index.c (the engine's indexes point into here) */
	uint64_t seq;                /* creation order */
	size_t all_idx;              /* position in eng->all */
	size_t heap_idx;             /* position in the deadline heap */
	uint64_t heap_key;           /* ike_sa_deadline at the last flush */
	uint64_t served;             /* ike_on_deadline round that ran this SA's timers */
	struct ike_sa *spi_next, *peer_next, *id_next, *dirty_next;
	int spi_linked, peer_linked, id_linked, dirty;
	uint64_t spi_key, peer_key, id_key; /* the keys it is linked under */
	uint32_t esp_reg[IKE_CHILD_MAX + 1]; /* inbound ESP SPIs registered for it */
	size_t n_esp_reg;
};

/* ike_esp_entry: one inbound ESP SPI of ours, the IKE SA holding it, how many registered it. */
struct ike_esp_entry {
	uint32_t spi;   /* 0 = free slot (ESP SPIs are >= 256) */
	uint32_t count;
	struct ike_sa *sa;
};

enum { IKE_INDEX_RESERVED = 16 };

/* ike_index: see ike_sa_index.c. */
struct ike_index {
	uint64_t salt;               /* bucket salt: peers cannot aim keys at one chain */
	uint64_t seq;                /* last SA creation number */
	uint64_t round;              /* ike_on_deadline calls */
	size_t n_buckets;            /* power of two, for all three maps */
	struct ike_sa **by_spi, **by_peer_spi, **by_id;
	struct ike_sa **heap;        /* capacity: the engine's cap_all */
	size_t n_heap;
	struct ike_sa **due;         /* scratch of ike_index_due */
	size_t *stack;
	size_t cap_due;
	struct ike_esp_entry *esp;   /* open addressing, power-of-two capacity */
	size_t esp_cap, esp_n;
	uint32_t reserved[IKE_INDEX_RESERVED]; /* ESP SPIs drawn in this call, not registered yet */
	size_t n_reserved;
	struct ike_sa *dirty;        /* SAs touched since the last flush */
	size_t n_half_open, n_dead;
};

struct ike_engine {
	struct ike_config cfg;
	struct ike_callbacks cb;
	struct ike_sa **all;         /* every IKE SA, oldest first (DEAD ones until reaped) */
	size_t n_sas, cap_all;
	struct ike_index ix;
	struct ike_counts counts;
	uint8_t cookie_secret[32];
	int have_secret;
	uint8_t *pool_used;          /* gateway: one octet per pool address */
	size_t pool_size;
	/* scratch (one message at a time) */
	uint8_t *rx;                 /* mutable copy of a received message (decrypted in place) */
	uint8_t *plain;              /* reassembled plaintext */
	uint8_t *tx;                 /* a datagram with the non-ESP marker */
	uint8_t *build;              /* message builder area */
	uint8_t *sk;                 /* protected message area */
	struct ike_payload *pl;      /* one typed payload (an SA payload is ~6 KB) */
	struct ike_sa_pl *sa_pl;     /* scratch SA payload */
	struct ike_sa_pl *sa_pl2;
	uint64_t now;
	int restart_pending;         /* client: connect again once the reap is done (break-before-make) */
	/* §2.21.4 INVALID_IKE_SPI answers: at most invalid_spi_rate per second */
	uint64_t ispi_window;        /* start of the current second */
	unsigned ispi_sent;          /* answers in it */
};

/* ---------------------------------------------------------------------- */
/* ike_rx: one received message after decryption/reassembly                 */

struct ike_rx {
	struct ike_msg m;            /* inner chain parsed for SK/SKF messages */
	struct ike_path path;
	uint64_t now;
	size_t wire_len;             /* octets received (all fragments) */
	uint16_t frags;              /* fragments it came in (0 = not fragmented) */
	enum ike_req_kind req_kind;  /* for a response: what our request was */
	struct ike_chosen chosen;    /* IKE_SA_INIT request: the proposal accepted statelessly */
};

/* ---------------------------------------------------------------------- */
/* ike_state.c                                                             */

enum ike_on {
	IKE_ON_REQUEST = 0,  /* a request arrived */
	IKE_ON_RESPONSE = 1, /* a response to our request arrived */
	IKE_ON_START = 2,    /* local: the client connects */
	IKE_ON_CLOSE = 3,    /* local: ike_close */
	IKE_ON_REKEYED = 4,  /* local: this IKE SA was created by rekeying another (§1.3.2) */
};

enum ike_role_req { IKE_R_ANY = 0, IKE_R_INITIATOR = 1, IKE_R_RESPONDER = 2 };

/* ike_verdict: what a processor decided. */
enum ike_verdict {
	IKE_V_NEXT = 0,  /* go to the row's next state */
	IKE_V_STAY = 1,  /* keep the state (retry, error answered, ...) */
	IKE_V_END = 2,   /* the IKE SA is over: DEAD */
	IKE_V_DROP = 3,  /* message ignored, nothing changed */
};

typedef enum ike_verdict (*ike_processor)(struct ike_sa *sa, struct ike_rx *rx);

struct ike_transition {
	enum ike_sa_state state;
	uint8_t exchange;
	enum ike_on on;
	enum ike_role_req role;
	ike_processor process;
	enum ike_sa_state next;
	const char *flow;
};

extern const struct ike_transition ike_transitions[];
extern const size_t ike_n_transitions;

/* ike_state_find returns the row for (state, exchange, on, role), NULL if none. */
const struct ike_transition *ike_state_find(enum ike_sa_state s, uint8_t exchange, enum ike_on on, int initiator);
/* ike_state_run finds and runs the row; returns the verdict (IKE_V_DROP without a row). */
enum ike_verdict ike_state_run(struct ike_sa *sa, uint8_t exchange, enum ike_on on, struct ike_rx *rx);
/*
 * ike_state_set is the one state setter: checks the change is a table
 * transition (or -> DEAD from anywhere), emits {"ev":"state","from","to"},
 * counts it. Returns 0 or -1 for a change the table does not allow.
 */
int ike_state_set(struct ike_sa *sa, enum ike_sa_state to, const char *why);
/* ike_state_allowed: is from -> to in the table (or to DEAD)? */
int ike_state_allowed(enum ike_sa_state from, enum ike_sa_state to);

/* ---------------------------------------------------------------------- */
/* ike_sa.c                                                                */

struct ike_sa *ike_sa_new(struct ike_engine *e, int initiator, const struct ike_path *path, uint64_t now);
/* ike_sa_free unlinks and frees |sa| (no events, no callbacks). */
void ike_sa_free(struct ike_sa *sa);
/* ike_sa_free_unindexed frees |sa|'s memory only (the index let go of it already). */
void ike_sa_free_unindexed(struct ike_sa *sa);
/* ike_sa_set_peer_id records the peer's identity (and re-indexes it for the unique-IDs policy). */
void ike_sa_set_peer_id(struct ike_sa *sa, const struct ike_id_cfg *id);
/* ike_sa_find finds our SA for a received header: by our SPI (I flag tells which). */
struct ike_sa *ike_sa_find(struct ike_engine *e, const struct ike_hdr *h);
/* ike_sa_find_half_open finds a gateway SA by the initiator's SPI and address (IKE_SA_INIT retransmits). */
struct ike_sa *ike_sa_find_half_open(struct ike_engine *e, uint64_t spi_i, const struct ike_path *path);
int ike_sa_new_spi(struct ike_engine *e, uint64_t *spi);
int ike_sa_new_esp_spi(struct ike_engine *e, uint32_t *spi);
/* ike_sa_our_spi: the SPI that names this SA on our side. */
uint64_t ike_sa_our_spi(const struct ike_sa *sa);
/* ike_sa_find_ours finds a live SA by the SPI that names it on our side. */
struct ike_sa *ike_sa_find_ours(struct ike_engine *e, uint64_t spi);
/* ike_sa_die moves |sa| to DEAD: children down (child_down with |reason|), pool lease freed. */
void ike_sa_die(struct ike_sa *sa, const char *reason);
/* ike_sa_reap frees every DEAD SA (called where no SA pointer is live). */
void ike_sa_reap(struct ike_engine *e);
struct ike_child *ike_sa_child_alloc(struct ike_sa *sa);
struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out);
void ike_sa_child_down(struct ike_sa *sa, struct ike_child *c, const char *reason);
size_t ike_sa_n_children(const struct ike_sa *sa);
uint64_t ike_sa_deadline(const struct ike_sa *sa);

/* ---------------------------------------------------------------------- */
/* ike_sa_index.c                                                          */

int ike_index_init(struct ike_engine *e);
void ike_index_free(struct ike_engine *e);
/* ike_index_add appends a new SA to all[] and the heap; ike_index_remove takes one out of everything. */
int ike_index_add(struct ike_sa *sa);
void ike_index_remove(struct ike_sa *sa);
/* ike_index_compact frees every DEAD SA (the reap) in one pass over all[]. */
void ike_index_compact(struct ike_engine *e);
/* ike_index_spi (re)links |sa| under its SPIs and peer identity; call after setting them. */
void ike_index_spi(struct ike_sa *sa);
/* chain heads of the maps (follow spi_next / peer_next / id_next; compare the keys) */
struct ike_sa *ike_index_by_spi(const struct ike_engine *e, uint64_t spi);
struct ike_sa *ike_index_by_peer_spi(const struct ike_engine *e, uint64_t spi_i);
struct ike_sa *ike_index_by_id(const struct ike_engine *e, const struct ike_id_cfg *id);
/* ike_index_deadline: the heap's minimum (valid between entry points). */
uint64_t ike_index_deadline(const struct ike_engine *e);
/* ike_index_due lists the SAs due at |now| not yet served this round, newest first (scratch array). */
size_t ike_index_due(struct ike_engine *e, uint64_t now, struct ike_sa ***out);
/* ike_index_esp_taken: is |spi| one of our inbound ESP SPIs (registered or drawn in this call)? */
int ike_index_esp_taken(const struct ike_engine *e, uint32_t spi);
void ike_index_esp_reserve(struct ike_engine *e, uint32_t spi);
/* ike_index_esp_sa: the IKE SA holding our inbound ESP SPI |spi_in| (NULL if none). */
struct ike_sa *ike_index_esp_sa(const struct ike_engine *e, uint32_t spi_in);
/* ike_sa_touch marks |sa| for the next flush: its timers, CHILD SAs or offer may have changed. */
void ike_sa_touch(struct ike_sa *sa);
/* ike_index_flush re-keys and re-registers every marked SA (end of every entry point). */
void ike_index_flush(struct ike_engine *e);

/* ---------------------------------------------------------------------- */
/* ike_out.c                                                               */

/* ike_out: one message being built: header + payloads (the inner ones for SK). */
struct ike_out {
	struct ike_msg_builder mb;
	uint8_t exchange;
	int response;
	uint32_t mid;
	size_t n_proposals;    /* SA proposals carried (events) */
};

void ike_out_begin(struct ike_sa *sa, struct ike_out *o, uint8_t exchange, int response, uint32_t mid);
/* ike_out_begin_hdr starts a message without an SA (stateless IKE_SA_INIT answers). */
void ike_out_begin_hdr(struct ike_engine *e, struct ike_out *o, const struct ike_hdr *h);
/* ike_out_add appends the typed payload in e->pl (the scratch) or |p|. */
int ike_out_add(struct ike_out *o, const struct ike_payload *p);
int ike_out_notify(struct ike_out *o, uint16_t type, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		   const uint8_t *data, size_t len);
/*
 * ike_out_finish protects (SK; SKF fragments when negotiated and needed)
 * and stores the datagrams in |wire|. IKE_SA_INIT goes in the clear.
 */
int ike_out_finish(struct ike_sa *sa, struct ike_out *o, struct ike_wire *wire);
/* ike_out_request finishes, sends and arms retransmission of our request of |kind|. */
int ike_out_request(struct ike_sa *sa, struct ike_out *o, enum ike_req_kind kind);
/* ike_out_oneshot sends a request once, without keeping it (we will not wait for the answer). */
int ike_out_oneshot(struct ike_sa *sa, struct ike_out *o);
/* ike_out_response finishes, sends and caches our response (§2.1). */
int ike_out_response(struct ike_sa *sa, struct ike_out *o, const struct ike_path *to);
/* ike_out_send_wire sends every datagram of |w| on |path| (marker added on the NAT-T port). */
void ike_out_send_wire(struct ike_engine *e, const struct ike_wire *w, const struct ike_path *path,
		       struct ike_sa *sa, int retransmit);
/* ike_out_raw sends one unprotected message built in |o| without an SA (cookie, INVALID_KE, errors). */
int ike_out_stateless(struct ike_engine *e, struct ike_out *o, const struct ike_path *to);
void ike_wire_free(struct ike_wire *w);

/* ---------------------------------------------------------------------- */
/* ike_retx.c                                                              */

void ike_retx_arm(struct ike_sa *sa, uint64_t now);
void ike_retx_done(struct ike_sa *sa);
/* ike_retx_timer handles req.due at |now|: retransmit, or give up (peer dead). */
void ike_retx_timer(struct ike_sa *sa, uint64_t now);
/* ike_retx_resend_response sends the cached response again for a retransmitted request. */
void ike_retx_resend_response(struct ike_sa *sa, const struct ike_path *path);

/* ---------------------------------------------------------------------- */
/* ike_frag.c                                                              */

/*
 * ike_frag_input takes one decrypted SKF fragment (plaintext |p|, |len|).
 * Returns 1 with the whole plaintext in e->plain (|*plain_len|, first
 * payload type |*first|) when complete, 0 when stored, <0 when refused.
 */
int ike_frag_input(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *p, size_t len, size_t wire_len,
		   size_t *plain_len, uint8_t *first, uint16_t *frags, size_t *wire_total);
void ike_frag_reset(struct ike_sa *sa);
void ike_frag_timer(struct ike_sa *sa, uint64_t now);

/* ---------------------------------------------------------------------- */
/* exchanges                                                               */

/* ike_init.c */
int ike_init_start(struct ike_sa *sa);
enum ike_verdict ike_init_on_start(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_init_on_response(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_init_on_request(struct ike_sa *sa, struct ike_rx *rx);
/*
 * ike_init_gateway_accept runs the stateless checks of a new IKE_SA_INIT
 * request (COOKIE, proposal, KE group) and answers the rejections itself.
 * Returns 1 when an SA may be created.
 */
int ike_init_gateway_accept(struct ike_engine *e, struct ike_rx *rx);

/* ike_authx.c */
int ike_authx_send_request(struct ike_sa *sa);
enum ike_verdict ike_authx_on_request(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_authx_on_response(struct ike_sa *sa, struct ike_rx *rx);

/* ike_child.c */
/* ike_offer: what a CHILD SA request proposes. */
struct ike_offer {
	int small;                   /* esp_small instead of esp */
	int with_ke;                 /* KE transforms + KEi (PFS) */
	const uint8_t *nonce;        /* Ni (CREATE_CHILD_SA), NULL in IKE_AUTH */
	size_t nonce_len;
	const struct ike_ts_cfg *tsi, *tsr; /* NULL: from policy */
	size_t n_tsi, n_tsr;
};
/*
 * ike_child_offer adds [N(REKEY_SA)] (pending.kind), SAi2/SA, [Ni], [KEi],
 * TSi, TSr to |o|, remembering the offer in sa->pending (spi_in, dh).
 */
int ike_child_offer(struct ike_sa *sa, struct ike_out *o, const struct ike_offer *of);
/* ike_child_ev_offer: {"ev":"child_offer","list":"small|full","proposals":n,"size":octets} after sending. */
void ike_child_ev_offer(struct ike_sa *sa, size_t n_proposals);
/* ike_answer: how to answer a CHILD SA request. */
struct ike_answer {
	const uint8_t *ni, *nr;      /* KEYMAT nonces (§2.17) */
	size_t ni_len, nr_len;
	int create_child;            /* CREATE_CHILD_SA: Nr after the SA, KE possible */
	uint32_t replaces;           /* rekey: inbound SPI of the SA replaced */
	uint32_t new_spi_in;         /* out: the SPI of the CHILD SA installed */
};
/*
 * ike_child_answer selects, narrows and installs the CHILD SA a request
 * |rx| asks for, adding SAr2/SA, [Nr, KEr], TSi, TSr to |o| — or one error
 * Notify (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, INVALID_KE_PAYLOAD). Returns
 * 0 when a CHILD SA was installed, else the Notify type sent.
 */
int ike_child_answer(struct ike_sa *sa, struct ike_rx *rx, struct ike_out *o, struct ike_answer *a);
/*
 * ike_child_accept installs the CHILD SA of a response to sa->pending;
 * returns 0, the error Notify type the peer sent (> 0), or -1 (none asked
 * / malformed). |nr| is the responder's nonce; |*spi_in| gets the new SA.
 */
int ike_child_accept(struct ike_sa *sa, struct ike_rx *rx, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint32_t *spi_in);
/* ike_child_create starts CREATE_CHILD_SA for a new CHILD SA (esp_small when |small|). */
int ike_child_create(struct ike_sa *sa, int small);
enum ike_verdict ike_child_on_request(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_child_on_response(struct ike_sa *sa, struct ike_rx *rx);
/*
 * ike_child_create_public starts a new CHILD SA with the configured
 * selectors (ike_create_child): the full list, or esp_small for small|auto.
 */
int ike_child_create_public(struct ike_sa *sa);
/* ike_child_error: the first error Notify type in |m| (0 = none). */
uint16_t ike_child_error(const struct ike_msg *m);
/* ike_child_asked_group reads N(INVALID_KE_PAYLOAD) and returns its group when |props| lists it, else 0. */
uint16_t ike_child_asked_group(const struct ike_msg *m, const struct ike_props *props);
/*
 * ike_child_tempfail notes a TEMPORARY_FAILURE answer (§2.25): returns 1
 * when the peer has refused for IKE_TEMPFAIL_GIVE_UP_NS and the IKE SA was
 * closed, else 0 (the caller schedules its retry).
 */
int ike_child_tempfail(struct ike_sa *sa, const char *what);
/* ike_child_delete_orphan sends INFORMATIONAL {D(ESP, sa->orphan_spi)} when the window is free. */
void ike_child_delete_orphan(struct ike_sa *sa);
/* ike_child_by_spi_in finds a live CHILD SA by our inbound SPI. */
struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi_in);
/* ike_child_delete sends INFORMATIONAL {D(ESP, spi_in)} and removes the CHILD SA. */
int ike_child_delete(struct ike_sa *sa, struct ike_child *c, const char *reason);
/* ike_dh_shared computes g^ir of |dh| with the peer's KE payload in |m|; returns its length or -1. */
int ike_dh_shared(const struct crypto_dh *dh, uint16_t group, const struct ike_msg *m, uint8_t *gir, size_t cap);

/* ike_rekey.c */
int ike_rekey_child_start(struct ike_sa *sa, struct ike_child *c);
enum ike_verdict ike_rekey_child_on_request(struct ike_sa *sa, struct ike_rx *rx);
void ike_rekey_child_on_response(struct ike_sa *sa, struct ike_rx *rx);
int ike_rekey_ike_start(struct ike_sa *sa);
enum ike_verdict ike_rekey_ike_on_request(struct ike_sa *sa, struct ike_rx *rx);
void ike_rekey_ike_on_response(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_rekey_on_new(struct ike_sa *sa, struct ike_rx *rx);
/* ike_rekey_timer starts due rekeys (child_lifetime, ike_lifetime) when the window is free. */
void ike_rekey_timer(struct ike_sa *sa, uint64_t now);
/* ike_rekey_arm sets the lifetime timers of a freshly established IKE SA. */
void ike_rekey_arm(struct ike_sa *sa);
/* ike_reauth_start reauthenticates the client's |sa| the configured way (§2.8.3). */
int ike_reauth_start(struct ike_sa *sa);
/* ike_reauth_established: a make-before-break SA is up: delete the one it replaces. */
void ike_reauth_established(struct ike_sa *sa);
/* ike_sa_current follows |sa|'s successors (IKE rekeys) to the IKE SA that carries on now. */
struct ike_sa *ike_sa_current(struct ike_sa *sa);
/* ike_nonce_cmp orders nonces as §2.8.1 asks: octet by octet, a prefix before the longer. */
int ike_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);

/* ike_info.c */
enum ike_verdict ike_info_on_request(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_info_on_response(struct ike_sa *sa, struct ike_rx *rx);
enum ike_verdict ike_info_on_close(struct ike_sa *sa, struct ike_rx *rx);
int ike_info_dpd(struct ike_sa *sa);
/* ike_info_error_response answers a request with one error Notify (encrypted when keys exist). */
int ike_info_error_response(struct ike_sa *sa, const struct ike_rx *rx, uint16_t type, const uint8_t *data,
			    size_t len);
void ike_info_dpd_timer(struct ike_sa *sa, uint64_t now);
/*
 * ike_info_tell_and_die sends one INFORMATIONAL request {D(IKE)} (|notify| 0)
 * or {N(notify)} without waiting for its answer, then ends the SA
 * (unique-IDs replacement; §2.21.2 after failing to authenticate the peer).
 */
void ike_info_tell_and_die(struct ike_sa *sa, uint16_t notify, const char *reason);
/* ike_info_dead_peer applies dpd_action after the peer stopped answering. */
void ike_info_dead_peer(struct ike_sa *sa);

/* ike_natt.c */
/* ike_sa_last_rx / ike_sa_last_tx: the last IKE message or reported ESP packet in / out. */
uint64_t ike_sa_last_rx(const struct ike_sa *sa);
uint64_t ike_sa_last_tx(const struct ike_sa *sa);
/* ike_natt_add adds N(NAT_DETECTION_SOURCE_IP) and N(NAT_DETECTION_DESTINATION_IP) for |path|. */
int ike_natt_add(struct ike_sa *sa, struct ike_out *o, uint64_t spi_i, uint64_t spi_r, const struct ike_path *path);
/* ike_natt_check compares the peer's NAT-D hashes with the addresses |rx| came on. */
void ike_natt_check(struct ike_sa *sa, const struct ike_rx *rx);
/* ike_natt_float moves the client to the NAT-T port after IKE_SA_INIT when a NAT is in the path. */
void ike_natt_float(struct ike_sa *sa);
/* ike_natt_follow updates the peer's address after an authenticated message (§2.23). */
void ike_natt_follow(struct ike_sa *sa, const struct ike_path *path);
void ike_natt_keepalive_timer(struct ike_sa *sa, uint64_t now);
void ike_natt_sent(struct ike_sa *sa, uint64_t now);

/* ike_cp.c */
int ike_cp_request(struct ike_sa *sa, struct ike_out *o);
/* ike_cp_answer leases an address for a CFG_REQUEST; returns the leased address or 0 (|o| gets CP). */
int ike_cp_answer(struct ike_sa *sa, struct ike_rx *rx, struct ike_out *o);
void ike_cp_accept(struct ike_sa *sa, struct ike_rx *rx);
void ike_cp_release(struct ike_sa *sa);

/* ---------------------------------------------------------------------- */
/* ike_ev.c                                                                */

void ike_ev_begin(struct evbuf *b, const struct ike_engine *e, const struct ike_sa *sa, const char *type);
void ike_ev_emit(const struct ike_engine *e, struct evbuf *b);
/*
 * ike_ev_on: someone listens for events. Builders return early without it:
 * formatting a JSON line nobody reads costs a handshake several microseconds.
 */
static inline int ike_ev_on(const struct ike_engine *e)
{
	return e->cb.ev.emit != NULL;
}
void ike_ev_msg(struct ike_engine *e, struct ike_sa *sa, const char *dir, const struct ike_msg *m, size_t wire_len,
		uint16_t frags, size_t n_proposals);
/* ike_ev_drop: {"ev":"drop","reason":..,"msg":..} for a datagram we ignored. */
void ike_ev_drop(struct ike_engine *e, struct ike_sa *sa, const char *reason, const char *msg);
void ike_ev_keys(struct ike_sa *sa);
void ike_ev_child(struct ike_sa *sa, const struct ike_child *c, const char *type, const char *reason);
void ike_ev_path(struct evbuf *b, const char *prefix, const struct ike_path *p);
/* ike_ev_ip formats a host-order IPv4 address. */
const char *ike_ev_ip(uint32_t a, char buf[16]);

#endif
