/*
 * esp.h — the RFC 4303 ESP datapath: tunnel mode, IPv4 inner packets,
 * 32-bit and extended (64-bit) sequence numbers, anti-replay, SA lifetimes.
 *
 * Sans-IO like the rest of ref/: no clock, no socket, no global. An esp_sa
 * is ONE direction of one child SA (RFC 4301 §4.1); make two for a tunnel.
 * Crypto goes through ref/crypto/crypto.h only; randomness (CBC IVs) through
 * the struct crypto_rng given in the SA configuration.
 *
 * Buffers belong to the caller and nothing is allocated per packet
 * (esp_sa_new allocates the SA, its crypto context and its replay bitmap
 * once). A struct esp_pkt is a span [off, off+len) inside base[0, cap):
 *
 *   esp_seal   in:  the inner packet, off >= esp_sa_headroom(sa) (<= ESP_HEADROOM)
 *                   and cap-off-len >= esp_sa_tailroom(sa, len) (<= ESP_TAILROOM)
 *              out: the ESP packet, starting at the SPI (off moves back)
 *
 *       base                off                      off+len
 *        |  ... | SPI | Seq | IV |  inner packet  | Pad | PL | NH | ICV |
 *               <-- esp_sa_headroom -->            <-- esp_sa_tailroom -->
 *
 *   esp_open   in:  the ESP packet (from the SPI on), decrypted in place
 *              out: the inner IPv4 packet (a span inside the input span),
 *                   cut to the inner header's Total Length (TFC padding,
 *                   RFC 4303 §2.7, is dropped)
 *
 * IVs (RFC 4303 §3.3.2): AES-GCM and ChaCha20-Poly1305 need an IV that never
 * repeats under one key, so the IV is the 64-bit sequence number (RFC 4106
 * §3.1 allows a counter); the sequence number never wraps, so neither does
 * the IV. CBC modes draw a fresh random IV from the SA's crypto_rng.
 *
 * Sequence numbers and integrity (RFC 4303 §2.2.1, RFC 4106 §5, RFC 7634 §2.1):
 *   AEAD:      AAD = SPI || Seq (8 octets), or SPI || Seq_hi || Seq_lo with ESN
 *   CBC+HMAC:  ICV over SPI || Seq_lo || IV || ciphertext [|| Seq_hi with ESN]
 * Only the low 32 bits travel; the receiver infers Seq_hi (RFC 4303 App. A).
 *
 * Every function returns ESP_OK (0) or a negative enum esp_err; each reject
 * has its own code and esp_strerror() names it.
 */
#ifndef VPNLAB_REF_ESP_H
#define VPNLAB_REF_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"

/* ---------------------------------------------------------------------- */
/* Protocol constants (RFC 4303)                                           */

enum {
	ESP_HDR_LEN = 8,          /* SPI (4) + Sequence Number (4), §2 */
	ESP_TRAILER_LEN = 2,      /* Pad Length (1) + Next Header (1), §2.5-2.6 */
	ESP_MAX_IV_LEN = 16,      /* AES-CBC; 8 for GCM, ChaCha20, 3DES */
	ESP_MAX_ICV_LEN = 16,
	ESP_MAX_PAD_ALIGN = 16,   /* AES block; 4 for AEAD, 8 for 3DES */
	ESP_MAX_PAD_LEN = 255,    /* §2.4: Pad Length is one octet */
	ESP_SPI_MIN = 256,        /* §2.1: 0 is local-only, 1..255 reserved by IANA */
	ESP_IPV4_MIN_HDR = 20,

	/* ESP_HEADROOM is what any SA needs in front of the inner packet. */
	ESP_HEADROOM = ESP_HDR_LEN + ESP_MAX_IV_LEN,                           /* 24 */
	/* ESP_TAILROOM is what any SA needs after it (worst padding + trailer + ICV). */
	ESP_TAILROOM = ESP_MAX_PAD_ALIGN - 1 + ESP_TRAILER_LEN + ESP_MAX_ICV_LEN, /* 33 */
};

/* esp_nh: Next Header values the tunnel-mode datapath knows (IANA protocol numbers). */
enum esp_nh {
	ESP_NH_IPV4 = 4,   /* tunnel mode, IPv4 inner packet */
	ESP_NH_IPV6 = 41,  /* tunnel mode, IPv6 inner packet (not supported yet) */
	ESP_NH_NONE = 59,  /* dummy packet, §2.6: discard silently */
};

/* Anti-replay window sizes (§3.4.3: 32 minimum supported, 64 preferred). */
enum { ESP_REPLAY_DEFAULT = 64, ESP_REPLAY_MAX = 65536 };

/*
 * ESP_SEQ_SOFT_MARGIN: when fewer sequence numbers than this are left before
 * the counter would wrap, esp_sa_life() reports ESP_LIFE_SOFT so the caller
 * rekeys in time (§3.3.3: the sender must not wrap). 2^24 packets is about
 * 8 s at 2 Mpps.
 */
#define ESP_SEQ_SOFT_MARGIN (UINT64_C(1) << 24)

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

enum esp_err {
	ESP_OK = 0,
	ESP_EINVAL = -1,         /* bad argument or SA configuration (a caller bug) */
	ESP_ENOSPACE = -2,       /* buffer headroom/tailroom too small, or table full */
	ESP_ENOMEM = -3,
	ESP_ECRYPTO = -4,        /* the crypto layer failed (not an ICV mismatch) */
	ESP_ERAND = -5,          /* the random source failed (CBC IV) */
	ESP_EDIR = -6,           /* seal on an inbound SA or open on an outbound one */
	ESP_ETRUNC = -7,         /* shorter than SPI+Seq+IV+trailer+ICV */
	ESP_EALIGN = -8,         /* ciphertext length not a multiple of the pad alignment */
	ESP_EUNKNOWN_SPI = -9,   /* no SA for this SPI (esp_sadb_lookup) */
	ESP_ESPI = -10,          /* packet SPI is not the SA's SPI */
	ESP_ESEQ_ZERO = -11,     /* sequence number 0 is never sent (§3.3.3) */
	ESP_EREPLAY = -12,       /* sequence number already received (§3.4.3) */
	ESP_EOLD = -13,          /* sequence number left of the replay window */
	ESP_EICV = -14,          /* ICV mismatch (§3.4.4) */
	ESP_EPAD = -15,          /* padding not 1,2,3,... or Pad Length too large (§2.4) */
	ESP_EDUMMY = -16,        /* Next Header 59: dummy packet, drop silently (§2.6) */
	ESP_ENEXTHDR = -17,      /* Next Header other than IPv4 in tunnel mode */
	ESP_EINNER = -18,        /* inner IPv4 header malformed or longer than the payload */
	ESP_ESEQ_OVERFLOW = -19, /* sender's counter would wrap: rekey needed (§3.3.3) */
	ESP_EEXPIRED = -20,      /* hard lifetime reached: the SA must not be used */
	ESP_EMARKER = -21,       /* RFC 3948 non-ESP marker missing */
};

/* esp_strerror returns a static, human-readable sentence for |err|. */
const char *esp_strerror(int err);
/* esp_err_name returns a short static token for |err| ("replayed", "icv"), for events. */
const char *esp_err_name(int err);
/* esp_nh_name returns "IPv4", "IPv6", "none" or "unknown". */
const char *esp_nh_name(uint8_t nh);

/* ---------------------------------------------------------------------- */
/* Packet spans                                                            */

struct esp_pkt {
	uint8_t *base;
	size_t cap;   /* octets usable from base */
	size_t off;   /* start of the span */
	size_t len;   /* length of the span */
};

/* esp_rx: what esp_open learnt about a packet, filled as far as it got. */
struct esp_rx {
	uint32_t spi;
	uint64_t seq;        /* full (inferred) sequence number; 0 if not reached */
	uint8_t next_header; /* valid after the ICV check passed */
	uint8_t pad_len;
	int authenticated;   /* 1 once the ICV verified */
};

/* ---------------------------------------------------------------------- */
/* Lifetimes (RFC 4301 §4.4.2.1: byte and packet counts, soft and hard)    */

/*
 * esp_lifetime_cfg: limits, 0 = none. Bytes count the octets the cipher is
 * applied to (payload + padding + trailer; RFC 4301 §4.4.2.1). An SA reaches
 * its hard limit when a counter is >= the limit: with hard_packets = N it
 * processes exactly N packets; with bytes the packet that crosses the limit
 * still goes through and the next one is refused.
 */
struct esp_lifetime_cfg {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
};

enum esp_life {
	ESP_LIFE_OK = 0,
	ESP_LIFE_SOFT = 1, /* rekey now (RFC 7296 §2.8); the SA still works */
	ESP_LIFE_HARD = 2, /* the SA must not be used any more */
};

struct esp_lifetime {
	struct esp_lifetime_cfg cfg;
	uint64_t bytes, packets;
};

/* esp_lifetime_cfg_check: soft must not exceed hard; writes why into |msg|. */
int esp_lifetime_cfg_check(const struct esp_lifetime_cfg *cfg, char *msg, size_t cap);
void esp_lifetime_init(struct esp_lifetime *lt, const struct esp_lifetime_cfg *cfg);
/* esp_lifetime_count adds one packet of |bytes| cipher octets. */
void esp_lifetime_count(struct esp_lifetime *lt, uint64_t bytes);
enum esp_life esp_lifetime_state(const struct esp_lifetime *lt);
const char *esp_life_name(enum esp_life l);

/* ---------------------------------------------------------------------- */
/* Padding and trailer (RFC 4303 §2.4-2.6)                                 */

/* esp_pad_len: padding so that |payload_len| + pad + 2 is a multiple of |align|. */
size_t esp_pad_len(size_t payload_len, size_t align);
/* esp_pad_write writes Padding 1,2,..,|pad|, Pad Length and Next Header at |p|. */
void esp_pad_write(uint8_t *p, size_t pad, uint8_t next_header);
/*
 * esp_pad_parse reads the trailer at the end of the decrypted |pt| and checks
 * the padding is 1,2,3,...: sets |payload_len|, |next_header|, |pad_len|.
 * ESP_ETRUNC if |len| < 2, ESP_EPAD on a bad pad.
 */
int esp_pad_parse(const uint8_t *pt, size_t len, size_t *payload_len,
		  uint8_t *next_header, uint8_t *pad_len);

/* ---------------------------------------------------------------------- */
/* Security associations                                                   */

enum esp_dir { ESP_DIR_OUT = 0, ESP_DIR_IN = 1 };

struct esp_sa_cfg {
	uint32_t spi;                 /* >= ESP_SPI_MIN */
	enum esp_dir dir;
	enum crypto_aead_alg alg;
	const uint8_t *enc_key;       /* AEAD: key || 4-octet salt (crypto.h layout) */
	size_t enc_key_len;
	const uint8_t *integ_key;     /* NULL for AEAD */
	size_t integ_key_len;
	int esn;                      /* 1: extended sequence numbers */
	uint32_t replay_window;       /* inbound: 0 = ESP_REPLAY_DEFAULT; 1..ESP_REPLAY_MAX */
	struct esp_lifetime_cfg life;
	struct crypto_rng rng;        /* outbound CBC: IV source (unused otherwise) */
};

struct esp_sa;

/*
 * esp_sa_cfg_check validates |cfg| without creating anything; on error it
 * writes "field value: expected ..." into |msg| (may be NULL).
 */
int esp_sa_cfg_check(const struct esp_sa_cfg *cfg, char *msg, size_t cap);

/*
 * esp_sa_new creates an SA (the only allocation: SA, crypto context, replay
 * bitmap). Keys are copied. On failure returns NULL and sets |*err|; a bad
 * configuration is ESP_EINVAL (esp_sa_cfg_check says why).
 */
struct esp_sa *esp_sa_new(const struct esp_sa_cfg *cfg, int *err);
void esp_sa_free(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
enum esp_dir esp_sa_dir(const struct esp_sa *sa);
const struct crypto_aead_info *esp_sa_info(const struct esp_sa *sa);
/* esp_sa_headroom: SPI + Seq + IV octets seal writes before the inner packet. */
size_t esp_sa_headroom(const struct esp_sa *sa);
/* esp_sa_tailroom: padding + trailer + ICV octets seal writes after |inner_len| octets. */
size_t esp_sa_tailroom(const struct esp_sa *sa, size_t inner_len);

/*
 * esp_sa_seq: outbound, the last sequence number sent (0 = none yet);
 * inbound, the highest authenticated one (the replay window's right edge).
 */
uint64_t esp_sa_seq(const struct esp_sa *sa);

/*
 * esp_sa_seq_sync jumps the counter forward after a cluster failover
 * (RFC 6311): outbound, the next packet uses |seq| + 1; inbound, every
 * number <= |seq| counts as already received. Going backwards is
 * ESP_EINVAL (it would reuse GCM/ChaCha IVs); beyond the sequence space
 * (2^32-1 without ESN) too.
 */
int esp_sa_seq_sync(struct esp_sa *sa, uint64_t seq);

/*
 * esp_sa_life answers "may I still use this SA?": the worse of the lifetime
 * counters and the sequence space (HARD when the next sequence number would
 * wrap, SOFT within ESP_SEQ_SOFT_MARGIN of it).
 */
enum esp_life esp_sa_life(const struct esp_sa *sa);
const struct esp_lifetime *esp_sa_lifetime(const struct esp_sa *sa);

/* ---------------------------------------------------------------------- */
/* Datapath                                                                */

/*
 * esp_seal turns the inner packet in |p| into an ESP packet in place (see
 * the top of this file) with Next Header |next_header| (ESP_NH_IPV4, or
 * ESP_NH_NONE for a dummy packet). Errors: ESP_EDIR, ESP_EINVAL (span
 * outside the buffer), ESP_ENOSPACE, ESP_EEXPIRED, ESP_ESEQ_OVERFLOW (rekey:
 * the SA is finished), ESP_ERAND, ESP_ECRYPTO. On error |p| is unchanged;
 * the inner octets are unchanged unless the error is ESP_ECRYPTO.
 */
int esp_seal(struct esp_sa *sa, struct esp_pkt *p, uint8_t next_header);

/*
 * esp_open checks and decrypts the ESP packet in |p| in place, in RFC 4303
 * §3.4 order: length and alignment, SPI, sequence number against the replay
 * window (cheap reject before the ICV), hard lifetime, ICV + decryption,
 * replay window update (only now), padding, Next Header, inner IPv4 header.
 * On ESP_OK |p| is the inner packet. On ESP_EDUMMY, ESP_ENEXTHDR and
 * ESP_EINNER the packet was authentic: |p| is the decrypted payload (padding
 * removed) and |rx| says what it is. On the other errors the span |p| is
 * unchanged; its octets are too, except that ESP_EPAD leaves them decrypted
 * (rx->authenticated says so) and ESP_EICV may leave them wiped (the crypto
 * layer never hands back unauthenticated plaintext). |rx| may be NULL.
 */
int esp_open(struct esp_sa *sa, struct esp_pkt *p, struct esp_rx *rx);

/* esp_spi_peek reads the SPI of an ESP packet: ESP_ETRUNC if |len| < 4. */
int esp_spi_peek(const uint8_t *pkt, size_t len, uint32_t *spi);

/* ---------------------------------------------------------------------- */
/* SA lookup by SPI (the inbound SAD, RFC 4301 §4.4.2)                     */

/*
 * esp_sadb maps SPIs to inbound SAs. Its capacity is fixed at creation; it
 * does not own the SAs. Lookups are a binary search, no allocation.
 */
struct esp_sadb;

struct esp_sadb *esp_sadb_new(size_t capacity);
void esp_sadb_free(struct esp_sadb *db);
/* esp_sadb_add: ESP_EINVAL if |spi| is present or < ESP_SPI_MIN, ESP_ENOSPACE if full. */
int esp_sadb_add(struct esp_sadb *db, uint32_t spi, struct esp_sa *sa);
/* esp_sadb_del: ESP_EUNKNOWN_SPI if absent. */
int esp_sadb_del(struct esp_sadb *db, uint32_t spi);
struct esp_sa *esp_sadb_find(const struct esp_sadb *db, uint32_t spi);
size_t esp_sadb_count(const struct esp_sadb *db);
/*
 * esp_sadb_lookup finds the SA for the ESP packet |pkt|: NULL with |*err| =
 * ESP_ETRUNC (shorter than an SPI) or ESP_EUNKNOWN_SPI.
 */
struct esp_sa *esp_sadb_lookup(const struct esp_sadb *db, const uint8_t *pkt,
			       size_t len, int *err);

/* ---------------------------------------------------------------------- */
/* Events                                                                  */

struct ev_sink;

/*
 * esp_ev_drop emits {"src":"esp","ev":"drop","reason":<esp_err_name>,
 * "msg":<esp_strerror>,"spi":..,"seq":..} for a packet esp_open refused.
 * ESP_EDUMMY is not an attack; callers usually skip it.
 */
void esp_ev_drop(const struct ev_sink *sink, uint64_t now_ns, int err,
		 const struct esp_rx *rx);

#endif
