/*
 * ip4.h — IPv4 packet helpers for the simulator's C nodes (middleboxes, host
 * adapter): header parse/build, Internet checksum (RFC 1071) and its
 * incremental update (RFC 1624), transport views, fragmentation (RFC 791)
 * and reassembly. Everything works on IPv4 octets in network byte order;
 * addresses in structs are host-order uint32_t. No allocation except in
 * ip4_frag (one fragment buffer) and ip4_reasm (per-datagram buffers).
 *
 * The IPv4 header (RFC 791 §3.1):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Destination Address                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options                    |    Padding    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef VPNLAB_SIM_IP4_H
#define VPNLAB_SIM_IP4_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- constants */

enum {
	IP4_HDR_MIN = 20,
	IP4_HDR_MAX = 60,
	IP4_MAX_LEN = 65535,
	IP4_MIN_MTU = 68,        /* RFC 791: every module must forward 68 octets */
	IP4_ICMP_QUOTE_MAX = 576, /* RFC 1812 §4.3.2.3: error message at most 576 */
	IP4_FLAG_RF = 0x8000,
	IP4_FLAG_DF = 0x4000,
	IP4_FLAG_MF = 0x2000,
	IP4_OFF_MASK = 0x1fff,   /* fragment offset, in 8-octet units */
	IP4_OPT_COPY = 0x80,     /* option type bit: copy into every fragment */
	IP4_OPT_EOL = 0,
	IP4_OPT_NOP = 1,
};

enum ip4_proto {
	IP4_PROTO_ICMP = 1,
	IP4_PROTO_TCP = 6,
	IP4_PROTO_UDP = 17,
	IP4_PROTO_ESP = 50,
};

enum ip4_icmp_type {
	ICMP4_ECHO_REPLY = 0,
	ICMP4_UNREACH = 3,
	ICMP4_SOURCE_QUENCH = 4,
	ICMP4_REDIRECT = 5,
	ICMP4_ECHO = 8,
	ICMP4_TIME_EXCEEDED = 11,
	ICMP4_PARAM_PROBLEM = 12,
};

enum {
	ICMP4_UNREACH_PORT = 3,
	ICMP4_UNREACH_NEEDFRAG = 4,  /* RFC 1191: next-hop MTU in the low 16 bits */
	ICMP4_TIMX_INTRANS = 0,
	ICMP4_TIMX_REASS = 1,
};

enum {
	TCP4_FIN = 0x01,
	TCP4_SYN = 0x02,
	TCP4_RST = 0x04,
	TCP4_PSH = 0x08,
	TCP4_ACK = 0x10,
};

/* ip4_err: negative results of the helpers below; ip4_strerror names them. */
enum ip4_err {
	IP4_OK = 0,
	IP4_ETRUNC = -1,   /* fewer than 20 octets */
	IP4_EVERSION = -2, /* version field is not 4 */
	IP4_EIHL = -3,     /* IHL < 5 or header longer than the buffer */
	IP4_ELEN = -4,     /* total length < header length or > buffer */
	IP4_ECSUM = -5,    /* header checksum does not verify */
	IP4_EL4 = -6,      /* transport header truncated or inconsistent */
	IP4_EFRAG = -7,    /* non-first fragment: no transport header */
	IP4_EOPT = -8,     /* malformed IP options */
	IP4_EMTU = -9,     /* MTU too small to carry header + 8 octets */
	IP4_ENOMEM = -10,
	IP4_EREASM_FULL = -11,   /* reassembly table or byte budget full */
	IP4_EREASM_TOOBIG = -12, /* reassembled datagram would exceed 65535 */
	IP4_EREASM_BAD = -13,    /* inconsistent fragment (length, end, MF) */
	IP4_ECAP = -14,          /* output buffer too small */
};

const char *ip4_strerror(int err);
const char *ip4_proto_name(uint8_t proto); /* "udp", "tcp", "icmp", "esp" or "other" */

/* ---------------------------------------------------------------- byte access */

static inline uint16_t ip4_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ip4_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ip4_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ip4_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Field offsets inside the IPv4 header. */
enum {
	IP4_OFF_TOTLEN = 2,
	IP4_OFF_ID = 4,
	IP4_OFF_FRAG = 6,
	IP4_OFF_TTL = 8,
	IP4_OFF_PROTO = 9,
	IP4_OFF_CSUM = 10,
	IP4_OFF_SRC = 12,
	IP4_OFF_DST = 16,
};

/* ---------------------------------------------------------------- header */

struct ip4_hdr {
	uint8_t hlen;       /* header length in octets (IHL * 4), 20..60 */
	uint8_t tos;
	uint16_t total_len; /* header + data, octets */
	uint16_t id;
	uint16_t frag_off;  /* fragment offset in octets (field * 8) */
	uint8_t df, mf;
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src, dst;  /* host byte order */
};

/*
 * ip4_parse validates and decodes the header of |p| (|len| octets
 * available): version 4, 5 <= IHL, IHL*4 <= len, IHL*4 <= total length
 * <= len. Octets after total length (link padding) are allowed; callers
 * use h->total_len. The checksum is not checked (see ip4_hdr_csum_ok).
 */
int ip4_parse(const uint8_t *p, size_t len, struct ip4_hdr *h);

/* ip4_hdr_csum_ok returns 1 if the |hlen|-octet header at |p| verifies. */
int ip4_hdr_csum_ok(const uint8_t *p, size_t hlen);

/* ip4_hdr_set_csum recomputes the header checksum of the header at |p|. */
void ip4_hdr_set_csum(uint8_t *p);

/* ip4_is_frag is 1 for any fragment (MF set or offset non-zero). */
static inline int ip4_is_frag(const struct ip4_hdr *h)
{
	return h->mf || h->frag_off;
}

/*
 * ip4_hdr_write writes a 20-octet header (no options) for |h| at |out|,
 * checksum included; h->hlen and h->csum are ignored.
 */
void ip4_hdr_write(uint8_t *out, const struct ip4_hdr *h);

/* ip4_ntoa formats |addr| as dotted quad into |buf| and returns it. */
char *ip4_ntoa(uint32_t addr, char buf[16]);
/* ip4_aton parses a dotted quad; returns 0 or -1 (|out| untouched). */
int ip4_aton(const char *s, uint32_t *out);

/* ---------------------------------------------------------------- checksums */

/*
 * ip4_csum_add adds |len| octets at |p| to the one's complement running sum
 * |sum| (RFC 1071), as big-endian 16-bit words; an odd final octet is padded
 * with zero. Chain calls only on even lengths except the last.
 */
uint32_t ip4_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* ip4_csum_fold folds |sum| to 16 bits and complements it: the checksum field. */
uint16_t ip4_csum_fold(uint32_t sum);
/* ip4_csum is the Internet checksum of |len| octets. */
uint16_t ip4_csum(const uint8_t *p, size_t len);
/* ip4_pseudo_sum is the running sum of the RFC 768/793 pseudo-header. */
uint32_t ip4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len);
/*
 * ip4_l4_csum is the UDP/TCP checksum over pseudo-header + |l4| (checksum
 * field included as it is: zero it first). A UDP caller sends 0 as 0xffff.
 */
uint16_t ip4_l4_csum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len);

/*
 * ip4_csum_adjust16 updates checksum field |csum| after a 16-bit word of the
 * covered data changed from |old| to |new| (RFC 1624 eqn. 3:
 * HC' = ~(~HC + ~m + m')). ip4_csum_adjust32 does it for a 32-bit field.
 */
uint16_t ip4_csum_adjust16(uint16_t csum, uint16_t old, uint16_t new_);
uint16_t ip4_csum_adjust32(uint16_t csum, uint32_t old, uint32_t new_);

/*
 * ip4_rewrite16 / ip4_rewrite32 store |v| at |field| and adjust each
 * checksum field in |csums| (|n| pointers, NULL entries skipped). A field
 * flagged |udp| keeps a zero checksum zero (RFC 768: "no checksum") and
 * writes a computed zero as 0xffff.
 */
struct ip4_csum_ref {
	uint8_t *at;
	int udp;
};
void ip4_rewrite16(uint8_t *field, uint16_t v, const struct ip4_csum_ref *csums, size_t n);
void ip4_rewrite32(uint8_t *field, uint32_t v, const struct ip4_csum_ref *csums, size_t n);

/* ---------------------------------------------------------------- transport view */

/*
 * ip4_l4 is what a middlebox needs from the transport header of a whole
 * datagram or a first fragment. Offsets are from the start of the packet.
 */
struct ip4_l4 {
	uint8_t proto;
	size_t off;          /* transport header offset (= IP header length) */
	size_t len;          /* transport octets present in this packet */
	int has_ports;       /* UDP/TCP: ports valid; ICMP echo: id in sport/dport */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;    /* echo / echo reply identifier */
	size_t csum_off;     /* offset of the transport checksum field, 0 if none */
};

/*
 * ip4_l4_parse fills |l4| for the packet |p| with header |h|. Returns
 * IP4_EFRAG for a non-first fragment, IP4_EL4 if a UDP (8), TCP (20, data
 * offset) or ICMP (8) header does not fit. Other protocols: IP4_OK with
 * has_ports 0.
 */
int ip4_l4_parse(const uint8_t *p, const struct ip4_hdr *h, struct ip4_l4 *l4);

/* ip4_icmp_is_error is 1 for ICMP types that quote a datagram (3, 4, 5, 11, 12). */
int ip4_icmp_is_error(uint8_t type);

/* ---------------------------------------------------------------- builders */

/* ip4_build_opts: header fields for the builders; NULL means the defaults. */
struct ip4_build_opts {
	uint8_t ttl;    /* default 64 */
	uint8_t tos;    /* default 0 */
	uint16_t id;    /* default 0 */
	int df;         /* default 0 */
};

/*
 * The builders write a complete IPv4 packet into |out| (|cap| octets) with
 * every checksum filled in and return its length, or 0 if it does not fit
 * or exceeds 65535. UDP: a computed checksum of 0 is sent as 0xffff.
 */
size_t ip4_udp_build(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, const uint8_t *data, size_t dlen, const struct ip4_build_opts *o);
size_t ip4_tcp_build(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
		     const uint8_t *data, size_t dlen, const struct ip4_build_opts *o);
/* ip4_icmp_build: type, code, the 4-octet rest of header |rest|, then |data|. */
size_t ip4_icmp_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
		      uint8_t code, uint32_t rest, const uint8_t *data, size_t dlen,
		      const struct ip4_build_opts *o);
/*
 * ip4_icmp_error_build builds an ICMP error about the datagram |orig|
 * (|orig_len| octets, starting at its IP header): the quote is the original
 * header plus as many following octets as keep the whole message within
 * |max_total| (576 for RFC 1812), but at least header + 8 (RFC 792) when
 * |orig_len| has them. Use max_total = hlen + 8 + 28 for RFC 792 exactly.
 */
size_t ip4_icmp_error_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
			    uint8_t code, uint32_t rest, const uint8_t *orig, size_t orig_len,
			    size_t max_total, const struct ip4_build_opts *o);

/* ---------------------------------------------------------------- fragmentation */

/*
 * ip4_frag_copied_opts writes the options of |opts| (|len| octets) whose
 * type has the copy flag into |out| (capacity 40), padded with EOL to a
 * multiple of 4, and returns that length, or IP4_EOPT if malformed.
 */
int ip4_frag_copied_opts(const uint8_t *opts, size_t len, uint8_t out[40]);

/*
 * ip4_frag splits the datagram |pkt| (|len| = its total length) into
 * fragments of at most |mtu| octets (RFC 791 §3.2, "fragmentation"): data
 * of every fragment but the last is a multiple of 8 octets, the first
 * carries all options, the others only the copied ones, the last keeps the
 * original MF, offsets add to the original's. |emit| is called for each
 * fragment in order; a datagram that fits is emitted unchanged. DF is not
 * looked at: the caller decides. Returns the number of fragments or
 * IP4_EMTU / IP4_EOPT / IP4_ENOMEM / a parse error.
 */
typedef void (*ip4_emit_fn)(void *ctx, const uint8_t *pkt, size_t len);
int ip4_frag(const uint8_t *pkt, size_t len, size_t mtu, ip4_emit_fn emit, void *ctx);

/* ---------------------------------------------------------------- reassembly */

struct ip4_reasm_cfg {
	uint64_t timeout_ns;  /* from the first fragment; default 30 s (as ns-3) */
	size_t max_datagrams; /* in progress at once; default 64 */
	size_t max_bytes;     /* buffered data over all; default 1 MiB */
};

struct ip4_reasm_key {
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
};

struct ip4_reasm;

/* ip4_reasm_new: a NULL |cfg| or zero fields take the defaults. */
struct ip4_reasm *ip4_reasm_new(const struct ip4_reasm_cfg *cfg);
void ip4_reasm_free(struct ip4_reasm *r);

/*
 * ip4_reasm_input adds the fragment |pkt| (header |h|, h->total_len octets).
 * Returns 1 with a malloc'd datagram in |out|/|out_len| (caller frees; header
 * from the first fragment, MF 0, offset 0, checksum recomputed) when
 * complete, 0 while held, or IP4_EREASM_FULL / IP4_EREASM_TOOBIG /
 * IP4_EREASM_BAD (the whole datagram is then discarded) / IP4_ENOMEM.
 * Overlapping data: the later fragment's octets win.
 */
int ip4_reasm_input(struct ip4_reasm *r, uint64_t now, const uint8_t *pkt,
		    const struct ip4_hdr *h, uint8_t **out, size_t *out_len);

/* ip4_reasm_deadline is the earliest timeout, UINT64_MAX if nothing is held. */
uint64_t ip4_reasm_deadline(const struct ip4_reasm *r);

/*
 * ip4_reasm_expire discards datagrams whose timeout is <= |now|, calling
 * |cb| (may be NULL) with each key; returns how many.
 */
size_t ip4_reasm_expire(struct ip4_reasm *r, uint64_t now,
			void (*cb)(void *ctx, const struct ip4_reasm_key *k), void *ctx);
/* ip4_reasm_flush discards everything; returns how many datagrams. */
size_t ip4_reasm_flush(struct ip4_reasm *r);
size_t ip4_reasm_pending(const struct ip4_reasm *r);

#endif
