/*
 * ike_msg.h — IKEv2 messages (RFC 7296 §3.1, §3.2, §3.14; RFC 7383 §2.5):
 * the header, the payload chain walk, the Encrypted payload's spans, a
 * builder over a caller buffer, and a one-line summary for events.
 *
 * Receive path (sans-IO, no copies; views point into |buf|):
 *
 *   struct ike_msg m;  struct ike_err e;
 *   if (ike_msg_parse(&m, buf, len, &e) < 0)     // e.notify: what to answer
 *       ...                                      // (INVALID_MAJOR_VERSION, ...)
 *   if (m.sk) {                                  // SK or SKF present
 *       ike_sk_split(m.sk_data, m.sk_data_len, iv, icv, blk, &parts, &e);
 *       crypto_aead_open(a, m.raw, m.sk_aad_len, parts.iv, ct, ct_len, NULL, 0, parts.icv);
 *       ike_sk_unpad(ct, ct_len, &plen, &e);
 *       ike_msg_parse_inner(&m, ct, plen, &e);   // same chain walker
 *   }
 *   ike_rules_check_msg(&m, &e);                 // required / allowed payloads
 *   const struct ike_pl *sa = ike_msg_find(&m, IKE_PL_SA, 0);
 *   ike_payload_sa_parse(&sa_pl, sa->body, sa->len, &e);
 *
 * |buf| starts at the IKE SPI: the caller strips the 4-octet non-ESP marker
 * on port 4500 (RFC 3948 §2.2) and the length prefix of IKE over TCP
 * (RFC 8229 §3).
 *
 * The AEAD associated data (RFC 5282 §5.1; RFC 7383 §2.5) and the CBC+HMAC
 * integrity input start (§3.14) are both raw[0 .. sk_aad_len): the IKE
 * header, any payloads before SK, and the SK (4) or SKF (8) fixed header.
 * crypto_aead_seal/open's |aad| is exactly that span.
 */
#ifndef VPNLAB_REF_IKE_MSG_H
#define VPNLAB_REF_IKE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "ref/ike/ike_const.h"
#include "ref/ike/ike_payload.h"

/*
 * IKE header (§3.1):
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * SPIs are opaque octets; as uint64_t they are read big-endian.
 */
struct ike_hdr {
	uint64_t spi_i, spi_r;
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange; /* enum ike_exchange */
	uint8_t flags;    /* IKE_FLAG_I | IKE_FLAG_V | IKE_FLAG_R */
	uint32_t msg_id;
	uint32_t length;  /* whole message including the header */
};

/*
 * ike_hdr_parse reads the 28-octet header of a |len|-octet datagram and
 * checks: len >= 28; major version 2 (greater: IKE_E_VERSION with notify
 * INVALID_MAJOR_VERSION, §2.5; smaller, e.g. IKEv1: IKE_E_VERSION, notify 0
 * — the header is still filled so the decoder can dispatch); Length ==
 * |len| (a datagram carries exactly one message) and Length >= 28.
 */
int ike_hdr_parse(struct ike_hdr *h, const uint8_t *buf, size_t len, struct ike_err *err);
/* ike_hdr_write writes the 28 octets of |h| to |out|. */
void ike_hdr_write(const struct ike_hdr *h, uint8_t *out);

static inline int ike_hdr_is_response(const struct ike_hdr *h)
{
	return (h->flags & IKE_FLAG_R) != 0;
}

/* ike_pl is one payload of a chain: a view, nothing copied. */
struct ike_pl {
	uint8_t type;        /* the type announced by the previous "next payload" */
	uint8_t next;        /* this payload's own Next Payload field */
	uint8_t critical;    /* critical bit (§3.2) */
	uint8_t unknown;     /* not recognized and not critical: skipped (§2.5) */
	const uint8_t *body; /* after the 4-octet generic header */
	size_t len;          /* body length (Payload Length - 4) */
	size_t offset;       /* generic header offset (in the message, or in the
	                        decrypted plaintext for inner payloads) */
};

enum { IKE_CHAIN_MAX = 64 };

struct ike_chain {
	size_t n;
	struct ike_pl pl[IKE_CHAIN_MAX];
};

/*
 * ike_chain_parse walks the generic payload headers of |buf| starting with
 * type |first|: each needs 4 octets, Payload Length >= 4 and within |buf|,
 * the chain must end (next payload 0) exactly at the end of |buf|. An
 * unrecognized payload with the critical bit is IKE_E_CRITICAL (notify
 * UNSUPPORTED_CRITICAL_PAYLOAD, err->payload = its type); without it the
 * payload is kept with .unknown = 1 and otherwise skipped. SK/SKF are
 * allowed only if |allow_sk| and must be last; the walk stops there (their
 * Next Payload names the first inner payload). |base| is added to offsets.
 */
int ike_chain_parse(struct ike_chain *c, uint8_t first, const uint8_t *buf, size_t len, size_t base,
		    int allow_sk, struct ike_err *err);

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw; /* the datagram (hdr.length octets) */
	size_t len;
	struct ike_chain outer; /* payloads in the clear, SK/SKF last */
	/* Encrypted payload (SK or SKF), if present: */
	const struct ike_pl *sk;  /* NULL when none */
	uint8_t sk_first;         /* first inner payload type (SK Next Payload) */
	uint16_t frag_num, frag_total; /* SKF: RFC 7383 §2.5 (1 <= num <= total); else 0 */
	size_t sk_aad_len;        /* raw[0..sk_aad_len) = AEAD AAD = start of HMAC input */
	const uint8_t *sk_data;   /* IV || ciphertext || ICV */
	size_t sk_data_len;
	/* After decryption: */
	int inner_parsed;
	struct ike_chain inner;
};

/* ike_msg_parse = ike_hdr_parse + ike_chain_parse of the cleartext chain. */
int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len, struct ike_err *err);

/*
 * ike_msg_parse_inner walks the decrypted inner chain |plain| (padding
 * already removed by ike_sk_unpad) starting with m->sk_first. For SKF
 * fragments call it on the reassembled plaintext with the first fragment's
 * sk_first. |plain| must outlive |m|.
 */
int ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len, struct ike_err *err);
/* ike_msg_parse_inner_first is ike_msg_parse_inner with an explicit first type (reassembly). */
int ike_msg_parse_inner_first(struct ike_msg *m, uint8_t first, const uint8_t *plain, size_t len,
			      struct ike_err *err);

/*
 * ike_msg_find returns the |nth| (0-based) recognized payload of |type|,
 * searching the inner chain (if parsed) after the cleartext one; NULL if
 * absent.
 */
const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type, size_t nth);
/* ike_msg_count counts recognized payloads of |type| (both chains). */
size_t ike_msg_count(const struct ike_msg *m, uint8_t type);
/* ike_msg_find_notify returns the first Notify of |notify_type| (body >= 4 octets); NULL if none. */
const struct ike_pl *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type);

/*
 * ike_msg_summary writes one line like strongSwan's:
 *   "IKE_SA_INIT request mid 0 [SA KE No N(NAT_DETECTION_SOURCE_IP)] 336 B"
 * Encrypted content shows as SK or SKF(1/3) until ike_msg_parse_inner, then
 * as the inner payloads. Unknown payloads show as "?(type)", unknown notify
 * types as N(12345). Returns the length it wanted (snprintf-style).
 */
size_t ike_msg_summary(const struct ike_msg *m, char *out, size_t cap);
/* ike_msg_payload_list writes only the list: "SA KE No N(COOKIE)". */
size_t ike_msg_payload_list(const struct ike_msg *m, char *out, size_t cap);

struct evbuf;
/*
 * ike_msg_ev adds the message's fields to an event being built (evlog.h):
 *   "exch":"IKE_AUTH","resp":false,"mid":1,"spi_i":"..","spi_r":"..",
 *   "payloads":"IDi AUTH SA TSi TSr","len":320
 */
void ike_msg_ev(struct evbuf *e, const struct ike_msg *m);

/* ---------------------------------------------------------------------- */
/* Builder                                                                 */

/*
 * ike_msg_builder writes a message into a caller buffer, no allocation:
 *
 *   struct ike_msg_builder mb;
 *   ike_msg_build_init(&mb, buf, sizeof buf, &hdr);   // hdr.length ignored
 *   ike_msg_build_add(&mb, &sa_payload);              // patches next payload
 *   ike_msg_build_add_raw(&mb, IKE_PL_NONCE, 0, ni, 32);
 *   ike_msg_build_finish(&mb, &len);                  // patches Length
 *
 * Encrypted messages (two steps: the engine owns keys and randomness):
 *
 *   ike_msg_build_sk_begin(&mb, iv_len, icv_len, block_len);
 *   ike_msg_build_add(&mb, &idi); ...                 // inner payloads
 *   ike_msg_build_sk_end(&mb, &seal);                 // pads, sets every length
 *   crypto_rng_fill(rng, seal.iv, seal.iv_len);
 *   crypto_aead_seal(a, seal.msg, seal.aad_len, seal.iv, seal.plain, seal.plain_len,
 *                    NULL, 0, seal.icv);               // message is final
 *
 * Errors are sticky: after the first one every call returns it.
 */
struct ike_msg_builder {
	struct ike_buf b;
	size_t np_off;  /* octet that receives the next payload's type */
	size_t sk_off;  /* SK/SKF generic header offset, or SIZE_MAX */
	size_t sk_fixed; /* 4 (SK) or 8 (SKF) */
	size_t iv_len, icv_len, block_len;
	int closed;     /* SK ended or finish called: nothing more may be added */
	int err;
	struct ike_err e; /* details of err */
};

void ike_msg_build_init(struct ike_msg_builder *mb, uint8_t *buf, size_t cap, const struct ike_hdr *h);
/* ike_msg_build_add appends typed payload |p| (any type but SK/SKF). */
int ike_msg_build_add(struct ike_msg_builder *mb, const struct ike_payload *p);
/* ike_msg_build_add_raw appends a payload with body |body| (|len| octets). */
int ike_msg_build_add_raw(struct ike_msg_builder *mb, uint8_t type, int critical, const uint8_t *body,
			  size_t len);
/* ike_msg_build_finish patches the header Length of a message without SK; sets |len|. */
int ike_msg_build_finish(struct ike_msg_builder *mb, size_t *len);

/* ike_sk_seal: where the caller writes the IV, encrypts, and puts the ICV. */
struct ike_sk_seal {
	uint8_t *msg;      /* message start; final length msg_len */
	size_t msg_len;
	size_t aad_len;    /* AEAD AAD / HMAC input start: msg[0..aad_len) */
	uint8_t *iv;
	size_t iv_len;
	uint8_t *plain;    /* inner payloads || padding || pad length: encrypt in place */
	size_t plain_len;  /* a multiple of block_len */
	uint8_t *icv;
	size_t icv_len;
};

/* ike_msg_build_sk_begin opens an SK payload (§3.14); reserves |iv_len| for the IV. */
int ike_msg_build_sk_begin(struct ike_msg_builder *mb, size_t iv_len, size_t icv_len, size_t block_len);
/*
 * ike_msg_build_skf_begin opens an SKF payload (RFC 7383 §2.5) for fragment
 * |num| of |total|; |first_inner| is the first inner payload type (written
 * only in fragment 1, 0 in the others). Fill it with ike_msg_build_sk_raw.
 */
int ike_msg_build_skf_begin(struct ike_msg_builder *mb, uint16_t num, uint16_t total,
			    uint8_t first_inner, size_t iv_len, size_t icv_len, size_t block_len);
/*
 * ike_skf_capacity: how many octets of inner payload chain fit in one SKF
 * fragment message of at most |max_msg_len| octets (IKE header, SKF header,
 * IV, padding to |block_len|, Pad Length, ICV; RFC 7383 §2.5.1). 0 if none.
 * |max_msg_len| is the IKE message, without UDP/IP headers or the non-ESP
 * marker.
 */
size_t ike_skf_capacity(size_t max_msg_len, size_t iv_len, size_t icv_len, size_t block_len);
/* ike_msg_build_sk_raw appends already-encoded inner octets (fragment content). */
int ike_msg_build_sk_raw(struct ike_msg_builder *mb, const uint8_t *data, size_t len);
/*
 * ike_msg_build_sk_end pads the plaintext to a multiple of block_len (zero
 * padding octets, then the Pad Length octet, §3.14), reserves the ICV,
 * and patches the SK/SKF Payload Length and the header Length: after it the
 * only octets left to write are the IV, the ciphertext and the ICV.
 */
int ike_msg_build_sk_end(struct ike_msg_builder *mb, struct ike_sk_seal *seal);

/* ---------------------------------------------------------------------- */
/* Payload rules per exchange (ike_rules.c)                                */

/*
 * ike_rules_check checks the recognized payload types |types| (|n| of them;
 * for encrypted exchanges the INNER payloads) of an |exchange| request or
 * response against the table of RFC 7296 §1.2-§1.4, §2.6, §2.16 flows:
 * every required payload present, nothing else, single-instance payloads
 * at most once. Returns 0 or IKE_E_SYNTAX with err->msg naming the payload,
 * e.g. "IKE_AUTH request: AUTH missing (required)". Unlisted exchanges pass.
 */
int ike_rules_check(int exchange, int is_response, const uint8_t *types, size_t n, struct ike_err *err);
/*
 * ike_rules_check_msg applies ike_rules_check to a parsed message: outside
 * IKE_SA_INIT only SK/SKF may be in the clear; the inner chain is checked
 * when parsed (a lone SKF or an undecrypted SK passes).
 */
int ike_rules_check_msg(const struct ike_msg *m, struct ike_err *err);

#endif
