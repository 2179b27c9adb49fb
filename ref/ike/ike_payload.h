/*
 * ike_payload.h — typed IKEv2 payload bodies (RFC 7296 §3.3-§3.16, RFC 7383
 * §2.5): one struct per payload, *_parse that validates every length before
 * reading, *_build that writes byte-exact output.
 *
 * Parsers work on a payload BODY (the octets after the 4-octet generic
 * header; ike_msg.h walks the chain and hands out bodies). They never copy:
 * pointers in the structs point into the caller's buffer, which must outlive
 * the struct. Builders append a body to a struct ike_buf; ike_msg_build_*
 * (ike_msg.h) writes the generic header around it.
 *
 * Errors: functions return 0 or a negative enum ike_status and, when |err| is
 * not NULL, fill it with the Notify type the engine should answer with and a
 * message naming the field, the value and what was expected, e.g.
 *   "SA proposal 1: SPI size 3 for ESP, expected 4"
 * The parser never decides to answer: it suggests (err->notify), the engine
 * decides (e.g. §2.21: errors in unprotected messages are usually dropped).
 */
#ifndef VPNLAB_REF_IKE_PAYLOAD_H
#define VPNLAB_REF_IKE_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ref/ike/ike_const.h"

/* ---------------------------------------------------------------------- */
/* Status, errors, output buffer                                           */

enum ike_status {
	IKE_OK = 0,
	IKE_E_TRUNCATED = -1, /* fewer octets than a header needs */
	IKE_E_LENGTH = -2,    /* a length field disagrees with the octets present */
	IKE_E_VERSION = -3,   /* IKE major version is not 2 (err->notify tells whether to answer) */
	IKE_E_SYNTAX = -4,    /* any other malformed field */
	IKE_E_CRITICAL = -5,  /* unknown payload with the critical bit (§2.5) */
	IKE_E_LIMIT = -6,     /* well-formed but beyond a local limit (IKE_*_MAX) */
	IKE_E_BUFFER = -7,    /* builder: output buffer too small */
	IKE_E_ARG = -8,       /* caller error (builder input, wrong call order) */
};

/* ike_status_name: "IKE_E_SYNTAX" etc. */
const char *ike_status_name(int status);

#define IKE_ERR_MSG_MAX 192

struct ike_err {
	int code;         /* enum ike_status */
	uint16_t notify;  /* suggested Notify type for the answer; 0 = none (drop) */
	uint8_t payload;  /* payload type concerned (0 = IKE header); for IKE_E_CRITICAL the
	                     Notification Data of UNSUPPORTED_CRITICAL_PAYLOAD (§3.10.1) */
	size_t offset;    /* octet offset of the offending field (in the message if known) */
	char msg[IKE_ERR_MSG_MAX];
};

/* ike_err_set fills |e| (if not NULL) and returns |code|. */
int ike_err_set(struct ike_err *e, int code, uint16_t notify, uint8_t payload, size_t offset,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ike_buf is a caller-owned output buffer; no allocation. */
struct ike_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
};

/* ike_buf_put appends |n| octets (|src| NULL: zeros); returns 0 or IKE_E_BUFFER. */
int ike_buf_put(struct ike_buf *b, const void *src, size_t n);
int ike_buf_put8(struct ike_buf *b, uint8_t v);
int ike_buf_put16(struct ike_buf *b, uint16_t v);
int ike_buf_put32(struct ike_buf *b, uint32_t v);

static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t ike_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void ike_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ike_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---------------------------------------------------------------------- */
/* Local limits (well-formed input beyond these is IKE_E_LIMIT)            */

enum {
	IKE_SA_MAX_PROPOSALS = 32,
	IKE_SA_MAX_TRANSFORMS = 128, /* all proposals together */
	IKE_TS_MAX = 16,             /* selectors per TS payload */
	IKE_CP_MAX_ATTRS = 32,
	IKE_MAX_SPI_LEN = 8,
};

/* ---------------------------------------------------------------------- */
/* SA payload (§3.3)                                                       */

/*
 * Transform substructure (§3.3.2) and attributes (§3.3.5):
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_transform {
	uint8_t type;          /* enum ike_transform_type */
	uint16_t id;           /* ID within the type's registry */
	uint16_t key_len;      /* KEY_LENGTH attribute (bits); 0 = absent */
	uint8_t n_attrs;       /* parse: attributes present */
	uint8_t unknown_attrs; /* parse: attributes other than KEY_LENGTH; §3.3.6 says
	                          a transform with one MUST be rejected (engine's call) */
	const uint8_t *attrs;  /* parse: raw attribute octets. build: if attrs_len != 0 these
	                          are written verbatim and key_len is ignored */
	size_t attrs_len;
};

/*
 * Proposal substructure (§3.3.1):
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Transforms live in ike_sa_pl.pool[first .. first+count).
 */
struct ike_proposal {
	uint8_t num;      /* 1, 2, ... in an offer; the chosen one's number in an answer */
	uint8_t proto;    /* enum ike_protocol_id */
	uint8_t spi_size; /* IKE: 0 (IKE_SA_INIT) or 8 (rekey); AH/ESP: 4 */
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint16_t first;   /* index of the first transform in pool */
	uint16_t count;   /* Num Transforms */
};

/*
 * SA payload body (§3.3): a list of proposals. Index-based, so the struct
 * may be copied. Build one with ike_sa_add_proposal / ike_sa_add_transform.
 */
struct ike_sa_pl {
	size_t n_prop;
	struct ike_proposal prop[IKE_SA_MAX_PROPOSALS];
	size_t n_pool;
	struct ike_transform pool[IKE_SA_MAX_TRANSFORMS];
};

int ike_payload_sa_parse(struct ike_sa_pl *sa, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_sa_build(const struct ike_sa_pl *sa, struct ike_buf *b);
/* ike_sa_add_proposal starts proposal |num| (copying |spi_size| octets of |spi|). */
int ike_sa_add_proposal(struct ike_sa_pl *sa, uint8_t num, uint8_t proto, const uint8_t *spi,
			uint8_t spi_size);
/* ike_sa_add_transform appends to the last proposal; |key_len| 0 = no KEY_LENGTH. */
int ike_sa_add_transform(struct ike_sa_pl *sa, uint8_t type, uint16_t id, uint16_t key_len);
/* ike_sa_transform returns transform |t| of proposal |p| (no bounds beyond the struct's). */
const struct ike_transform *ike_sa_transform(const struct ike_sa_pl *sa, size_t p, size_t t);

/* ---------------------------------------------------------------------- */
/* KE payload (§3.4)                                                        */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The data length per group is the engine's check (crypto_dh_pub_len).
 */
struct ike_ke_pl {
	uint16_t group; /* enum ike_ke_id */
	const uint8_t *data;
	size_t len;
};
int ike_payload_ke_parse(struct ike_ke_pl *ke, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_ke_build(const struct ike_ke_pl *ke, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* ID payload (§3.5): IDi / IDr                                             */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * AUTH (§2.15) signs the body as received (RestOfInitIDPayload includes
 * the RESERVED octets): use the payload view's body, not a rebuild.
 */
struct ike_id_pl {
	uint8_t type; /* enum ike_id_type */
	const uint8_t *data;
	size_t len;
};
int ike_payload_id_parse(struct ike_id_pl *id, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_id_build(const struct ike_id_pl *id, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* CERT (§3.6) and CERTREQ (§3.7)                                           */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~       Certificate Data / Certification Authority              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * CERTREQ with X509_SIGNATURE: a concatenation of 20-octet SHA-1 hashes
 * of CA public keys (may be empty: "any CA").
 */
struct ike_cert_pl {
	uint8_t encoding; /* enum ike_cert_encoding */
	const uint8_t *data;
	size_t len;
};
int ike_payload_cert_parse(struct ike_cert_pl *c, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_certreq_parse(struct ike_cert_pl *c, const uint8_t *body, size_t len,
			      struct ike_err *err);
int ike_payload_cert_build(const struct ike_cert_pl *c, struct ike_buf *b); /* both */
/* ike_certreq_hash_count: number of 20-octet CA hashes (X509_SIGNATURE), else 0. */
size_t ike_certreq_hash_count(const struct ike_cert_pl *c);

/* ---------------------------------------------------------------------- */
/* AUTH payload (§3.8)                                                      */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Authentication Data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * For method 14 (RFC 7427 §3) the data starts with a 1-octet length and
 * an AlgorithmIdentifier; ike_auth_* (not this file) interprets it.
 */
struct ike_auth_pl {
	uint8_t method; /* enum ike_auth_method */
	const uint8_t *data;
	size_t len;
};
int ike_payload_auth_parse(struct ike_auth_pl *a, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_auth_build(const struct ike_auth_pl *a, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* Nonce (§3.9): 16..256 octets                                             */

struct ike_nonce_pl {
	const uint8_t *data;
	size_t len;
};
int ike_payload_nonce_parse(struct ike_nonce_pl *n, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_nonce_build(const struct ike_nonce_pl *n, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* Notify (§3.10)                                                           */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Data lengths checked for the types whose RFC fixes them: COOKIE 1..64
 * (§2.6), NAT_DETECTION_* 20 (§2.23), INVALID_KE_PAYLOAD 2 (§1.2),
 * UNSUPPORTED_CRITICAL_PAYLOAD 1, SET_WINDOW_SIZE 4, SIGNATURE_HASH_ALGORITHMS
 * even (RFC 7427 §4), IKEV2_FRAGMENTATION_SUPPORTED 0 (RFC 7383 §2.3).
 */
struct ike_notify_pl {
	uint8_t proto;    /* 0 when SPI empty (about the IKE SA) */
	uint8_t spi_size; /* 0, 4 (AH/ESP) or 8 (IKE) */
	uint16_t type;    /* enum ike_notify_type */
	uint8_t spi[IKE_MAX_SPI_LEN];
	const uint8_t *data;
	size_t len;
};
int ike_payload_notify_parse(struct ike_notify_pl *n, const uint8_t *body, size_t len,
			     struct ike_err *err);
int ike_payload_notify_build(const struct ike_notify_pl *n, struct ike_buf *b);
/* ike_notify_spi32 returns the 4-octet SPI (AH/ESP notifies), 0 if none. */
uint32_t ike_notify_spi32(const struct ike_notify_pl *n);

/* ---------------------------------------------------------------------- */
/* Delete (§3.11)                                                           */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * IKE: SPI size 0, no SPIs. AH/ESP: SPI size 4, count*4 == rest.
 */
struct ike_delete_pl {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis; /* n_spi * spi_size octets */
};
int ike_payload_delete_parse(struct ike_delete_pl *d, const uint8_t *body, size_t len,
			     struct ike_err *err);
int ike_payload_delete_build(const struct ike_delete_pl *d, struct ike_buf *b);
/* ike_delete_spi32 returns SPI |i| of a 4-octet-SPI Delete (|i| < n_spi). */
uint32_t ike_delete_spi32(const struct ike_delete_pl *d, size_t i);

/* ---------------------------------------------------------------------- */
/* Vendor ID (§3.12)                                                        */

struct ike_vendor_pl {
	const uint8_t *data;
	size_t len;
};
int ike_payload_vendor_parse(struct ike_vendor_pl *v, const uint8_t *body, size_t len,
			     struct ike_err *err);
int ike_payload_vendor_build(const struct ike_vendor_pl *v, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* Traffic selectors (§3.13): TSi / TSr                                     */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Selector (§3.13.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address*                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address*                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Type 7 length 16, type 8 length 40. start port > end port is NOT an
 * error: 65535..0 means OPAQUE ports (§3.13.1); address order is the
 * engine's policy check too. Other types are kept raw.
 */
struct ike_ts {
	uint8_t type;     /* enum ike_ts_type */
	uint8_t ip_proto; /* 0 = any */
	uint16_t start_port, end_port;
	uint8_t start[16], end[16]; /* IPv4 uses the first 4 octets */
	const uint8_t *raw;         /* other types: selector octets after Selector Length */
	size_t raw_len;
};
struct ike_ts_pl {
	size_t n;
	struct ike_ts ts[IKE_TS_MAX];
};
int ike_payload_ts_parse(struct ike_ts_pl *ts, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_ts_build(const struct ike_ts_pl *ts, struct ike_buf *b);
/* ike_ts_addr_len: 4 for type 7, 16 for type 8, 0 otherwise. */
size_t ike_ts_addr_len(uint8_t type);

/* ---------------------------------------------------------------------- */
/* Encrypted (§3.14) and Encrypted Fragment (RFC 7383 §2.5)                 */

/*
 * SK body:                               SKF body:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Initialization Vector       |     |Fragment Number|Total Fragments|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~ Encrypted IKE Payloads        ~     ~ IV || encrypted || ICV        ~
 * +               +-+-+-+-+-+-+-+-+     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |  Padding      |     (the 2-octet fields are each 16 bits)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~ Integrity Checksum Data       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The SK "next payload" is the first inner payload's type; in SKF it is
 * that type in fragment 1 and 0 in the others.
 */
struct ike_sk_pl {
	uint16_t frag_num, frag_total; /* SKF only; 0 for SK */
	const uint8_t *data;           /* IV || ciphertext || ICV */
	size_t len;
};
int ike_payload_sk_parse(struct ike_sk_pl *sk, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_skf_parse(struct ike_sk_pl *sk, const uint8_t *body, size_t len, struct ike_err *err);

/* ike_sk_parts: the encrypted span split once the transform is known. */
struct ike_sk_parts {
	const uint8_t *iv;
	size_t iv_len;
	const uint8_t *ct; /* ciphertext: encrypted payloads || padding || pad length */
	size_t ct_len;
	const uint8_t *icv;
	size_t icv_len;
};
/*
 * ike_sk_split splits |data| (IV || ciphertext || ICV) for a transform with
 * |iv_len|, |icv_len| and cipher block |block_len| (1 for AEAD/stream): the
 * ciphertext must be at least one octet (the Pad Length) and a multiple of
 * |block_len|.
 */
int ike_sk_split(const uint8_t *data, size_t len, size_t iv_len, size_t icv_len, size_t block_len,
		 struct ike_sk_parts *out, struct ike_err *err);
/*
 * ike_sk_unpad takes decrypted |plain| (payloads || padding || pad length)
 * and sets |payload_len| to the length of the inner payload chain.
 */
int ike_sk_unpad(const uint8_t *plain, size_t len, size_t *payload_len, struct ike_err *err);

/* ---------------------------------------------------------------------- */
/* Configuration payload (§3.15)                                            */

/*
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Length 0 is a request for the attribute (§3.15.1); the fixed lengths of
 * the RFC 7296 §3.15.1 / RFC 7651 table are checked.
 */
struct ike_cp_attr {
	uint16_t type; /* enum ike_cp_attr_type (R bit stripped) */
	uint16_t len;
	const uint8_t *val;
};
struct ike_cp_pl {
	uint8_t type; /* enum ike_cfg_type */
	size_t n;
	struct ike_cp_attr a[IKE_CP_MAX_ATTRS];
};
int ike_payload_cp_parse(struct ike_cp_pl *cp, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_cp_build(const struct ike_cp_pl *cp, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* EAP payload (§3.16): the body is one EAP message (RFC 3748 §4)           */

struct ike_eap_pl {
	uint8_t code;     /* 1 Request, 2 Response, 3 Success, 4 Failure */
	uint8_t id;
	uint8_t eap_type; /* Request/Response only, else 0 */
	const uint8_t *data; /* the whole EAP message */
	size_t len;
};
int ike_payload_eap_parse(struct ike_eap_pl *e, const uint8_t *body, size_t len, struct ike_err *err);
int ike_payload_eap_build(const struct ike_eap_pl *e, struct ike_buf *b);

/* ---------------------------------------------------------------------- */
/* Any payload                                                              */

/* ike_payload_known: types this codec parses (§2.5 "recognized"): 33..48 and SKF. */
int ike_payload_known(int type);

/* ike_payload is a typed body; |type| selects the union member. */
struct ike_payload {
	uint8_t type;     /* enum ike_payload_type */
	uint8_t critical; /* builders: sets the critical bit */
	union {
		struct ike_sa_pl sa;
		struct ike_ke_pl ke;
		struct ike_id_pl id;     /* IDi, IDr */
		struct ike_cert_pl cert; /* CERT, CERTREQ */
		struct ike_auth_pl auth;
		struct ike_nonce_pl nonce;
		struct ike_notify_pl notify;
		struct ike_delete_pl del;
		struct ike_vendor_pl vendor;
		struct ike_ts_pl ts; /* TSi, TSr */
		struct ike_sk_pl sk; /* SK, SKF */
		struct ike_cp_pl cp;
		struct ike_eap_pl eap;
		struct {
			const uint8_t *data;
			size_t len;
		} raw; /* unknown types */
	} u;
};

/* ike_payload_parse dispatches on |type|; unknown types become u.raw. */
int ike_payload_parse(struct ike_payload *p, uint8_t type, const uint8_t *body, size_t len,
		      struct ike_err *err);
/* ike_payload_build appends the body of |p| (not SK/SKF: see ike_msg_build_sk_*). */
int ike_payload_build(const struct ike_payload *p, struct ike_buf *b);

#endif
