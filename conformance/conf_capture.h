/*
 * conf_capture.h — the decoded capture that `vpnlab check` rules read.
 *
 * Loading a capture runs every frame through the pipeline
 *
 *   libpcap record -> link layer -> IPv4 (+ fragment reassembly)
 *     -> UDP 500 / 4500 (marker, keepalive, ESP) -> IKE message / ESP record
 *     -> TCP (stream reassembly) -> RFC 9329 framing -> IKE / ESP
 *     -> ICMP (quoted header, next-hop MTU)
 *     -> ESP (protocol 50)
 *
 * and keeps three views:
 *   pkt[]   one per frame, numbered from 1 as tshark numbers them;
 *   msg[]   one per IKE message (UDP datagram or TCP frame), with its bytes;
 *   esp[]   one per ESP packet (protocol 50, UDP 4500, TCP frame).
 * A frame that completes an IP datagram or a TCP frame carries the decoded
 * upper layers; the fragments point to it (reassembled_in).
 *
 * IPv6 frames are recognised and counted as "not checked", never decoded.
 * Nothing here crashes on bad input: a frame that does not parse keeps a
 * note naming the field, and decoding goes on with the next frame.
 */
#ifndef VPNLAB_CONF_CAPTURE_H
#define VPNLAB_CONF_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conformance/conf_icmp.h"
#include "conformance/conf_ikehdr.h"
#include "conformance/conf_ikev1.h"
#include "conformance/conf_ikev2.h"
#include "conformance/conf_link.h"
#include "conformance/conf_pcap.h"

/* conf_flow is a transport 5-tuple as seen in the capture (host byte order). */
struct conf_flow {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
};

enum conf_kind {
	CONF_K_NONE = 0,       /* nothing decoded above the link/IP layer */
	CONF_K_FRAGMENT,       /* IP fragment; see frag.reassembled_in */
	CONF_K_UDP,            /* UDP that is not IKE/ESP */
	CONF_K_TCP,            /* TCP segment (messages of IKE-over-TCP attach here) */
	CONF_K_ICMP,
	CONF_K_IKE,            /* UDP datagram carrying one IKE message */
	CONF_K_KEEPALIVE,      /* NAT-keepalive (RFC 3948 §2.3) */
	CONF_K_ESP_UDP,        /* UDP-encapsulated ESP */
	CONF_K_ESP,            /* IP protocol 50 */
	CONF_K_ENCAP_BAD,      /* port-4500 payload that is none of the above */
	CONF_K_OTHER_IP,       /* another IP protocol */
};

/* conf_kind_name returns "IKE", "ESP-in-UDP", ... */
const char *conf_kind_name(enum conf_kind k);

/* Why a port-4500 payload is none of keepalive / IKE / ESP (RFC 3948 §2). */
enum conf_bad_encap {
	CONF_BADENC_KEEPALIVE = 1, /* one octet, not 0xFF */
	CONF_BADENC_ZERO_SPI,      /* four zero octets without an IKE header: ESP with SPI 0 */
	CONF_BADENC_SHORT,         /* 2..7 octets (or empty) */
};

struct conf_frag_info {
	uint8_t is_fragment;     /* MF set or offset != 0 */
	uint8_t first;           /* offset 0 */
	uint8_t overlap;         /* 1 overlapped held data, 2 with different octets */
	uint8_t reassembled;     /* this frame completed a datagram */
	uint8_t dropped;         /* reassembly refused it (limit, bad offset) */
	uint32_t reassembled_in; /* frame that completed this fragment's datagram; 0 never */
	uint32_t parts_at, n_parts; /* reassembled: frame numbers in conf_capture.u32[] */
};

struct conf_pkt {
	uint32_t num;            /* 1-based frame number */
	uint64_t t_ns;
	uint32_t caplen, wirelen;
	struct conf_link link;
	enum conf_l3 l3;
	/* IPv4 header of this frame (valid if l3 == CONF_L3_IPV4 && ip_ok) */
	uint8_t ip_ok;
	uint32_t src, dst;
	uint8_t proto, df, mf, ttl;
	uint16_t ip_id, ip_len, frag_off;
	struct conf_frag_info frag;
	/* decoded transport (for a reassembling frame: of the whole datagram) */
	enum conf_kind kind;
	uint8_t l4_partial;      /* ports read from a first fragment only */
	uint16_t sport, dport;
	uint32_t dgram_len;      /* IP datagram length (reassembled length if so) */
	uint32_t payload_len;    /* UDP/TCP payload octets */
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	int32_t stream;          /* TCP stream index, -1 if none */
	struct conf_icmp icmp;   /* kind == CONF_K_ICMP */
	uint32_t esp_spi, esp_seq; /* kind ESP / ESP_UDP */
	uint8_t bad_encap;       /* kind ENCAP_BAD: enum conf_bad_encap */
	uint32_t first_msg, n_msg; /* IKE messages completed by this frame */
	const char *why;         /* static description of a decode problem, or NULL */
	char note[96];           /* decode problem with values */
};

enum conf_transport {
	CONF_TR_UDP = 1,         /* IKE directly in UDP: port 500, or 4500 without the marker */
	CONF_TR_UDP_ENCAP,       /* UDP 4500 with the non-ESP marker */
	CONF_TR_TCP,             /* RFC 9329 frame */
	CONF_TR_IP,              /* ESP as IP protocol 50 */
};

struct conf_msg {
	uint32_t frame;          /* frame that completed the message */
	uint64_t t_ns;
	struct conf_flow flow;
	enum conf_transport tr;
	uint8_t *raw;            /* IKE message octets (after any marker/length) */
	uint32_t len;            /* octets in raw */
	uint32_t wire_len;       /* UDP payload length or TCP frame content length */
	uint8_t ip_fragmented;   /* the IP datagram was reassembled from fragments */
	uint8_t truncated;       /* the capture cut the message short (snap length) */
	uint8_t df;              /* DF of the (first) IP packet */
	uint32_t ip_len;         /* IP datagram total length */
	int32_t stream;          /* TCP stream, -1 for UDP */
	uint8_t hdr_ok;
	struct conf_ikehdr hdr;
	int version;             /* 1, 2, or 0 when the major version is neither */
	struct conf_ikev1 v1;    /* version 1 */
	struct conf_ikev2 v2;    /* version 2 */
};

struct conf_esp_rec {
	uint32_t frame;
	uint64_t t_ns;
	struct conf_flow flow;
	enum conf_transport tr;
	uint32_t spi, seq, len;
	uint8_t df;
	uint8_t *raw;            /* the ESP packet from the SPI on (len octets), only with
	                            conf_capture_limits.keep_esp (decryption); else NULL */
};

/* One TCP connection (either direction), for RFC 9329 checks. */
struct conf_tcp_conn {
	struct conf_flow client; /* originator's view: src = originator */
	uint32_t first_frame;
	uint8_t syn_seen;        /* the capture has the start of the connection */
	uint8_t ike;             /* decoded as IKE/ESP over TCP */
	uint8_t tls;             /* originator sent a TLS record: not decoded */
	int8_t prefix;           /* 1 "IKETCP" seen, -1 missing, 0 unknown */
	uint32_t prefix_frame;
	uint32_t frames[2];      /* RFC 9329 frames decoded: [0] originator, [1] responder */
	uint32_t bad_len_frame;  /* first frame with a Length < 3, 0 none */
	uint32_t gap_frame;      /* first frame after which stream data was missing */
	uint32_t keepalive_frame; /* first 0xFF keepalive sent inside the stream */
	uint32_t mismatch_frame; /* first IKE frame whose IKE Length != frame content */
	uint64_t retrans_bytes;
	uint32_t partial;        /* octets of an unfinished frame at the end */
};

struct conf_stats {
	uint64_t frames, ipv4, ipv6, other_l3, link_errors, ip_errors;
	uint64_t fragments, reassembled, frag_overlaps, frag_conflicts, frag_dropped, frag_incomplete;
	uint64_t udp, tcp, icmp, esp, ike, keepalives, encap_bad, truncated;
	uint64_t tcp_conns, tcp_ike_conns;
};

struct conf_capture_limits {
	uint32_t max_frames;        /* stop decoding after this many (0 = 10,000,000) */
	uint32_t frag_max_datagrams, frag_max_fragments;
	uint64_t frag_timeout_ns;
	uint32_t tcp_max_ooo_bytes, tcp_max_ooo_segments;
	uint32_t tcp_max_conns;     /* default 65536 */
	uint16_t tcp_ports[4];      /* server ports for RFC 9329 framing (default 4500, 443) */
	uint8_t keep_esp;           /* keep every ESP packet's octets (conf_esp_rec.raw) for --keys */
};

struct conf_capture {
	char name[256];
	int dlt;
	struct conf_pkt *pkt;
	uint32_t n_pkt, cap_pkt;
	struct conf_msg *msg;
	uint32_t n_msg, cap_msg;
	struct conf_esp_rec *esp;
	uint32_t n_esp, cap_esp;
	struct conf_tcp_conn *conn;
	uint32_t n_conn, cap_conn;
	uint32_t *u32;              /* pool for frag part lists */
	uint32_t n_u32, cap_u32;
	struct conf_stats st;
	uint8_t frames_capped;      /* max_frames reached */
	struct conf_dec *dec;       /* decryption results (conf_dec.h), NULL without keys */
	struct conf_capture_priv *priv; /* decoder state (fragments, streams) */
};

/* conf_capture_new starts an empty capture for frames of link type |dlt|. */
struct conf_capture *conf_capture_new(int dlt, const char *name, const struct conf_capture_limits *lim);

/* conf_capture_frame decodes one frame (number n_pkt + 1). Returns 0, -1 on memory exhaustion. */
int conf_capture_frame(struct conf_capture *c, uint64_t t_ns, const uint8_t *data, uint32_t caplen,
		       uint32_t wirelen);

/* conf_capture_finish flushes TCP streams and incomplete fragments; call once after the last frame. */
void conf_capture_finish(struct conf_capture *c);

/*
 * conf_capture_load reads and decodes the whole file |path|. Returns NULL
 * with |err| set (naming the file and the problem) for a missing, empty,
 * garbage or truncated file or an unsupported link type.
 */
struct conf_capture *conf_capture_load(const char *path, const struct conf_capture_limits *lim,
				       char *err, size_t errlen);

/* conf_capture_load_fp is conf_capture_load from an open stream (owned afterwards). */
struct conf_capture *conf_capture_load_fp(FILE *fp, const char *name, const struct conf_capture_limits *lim,
					  char *err, size_t errlen);

void conf_capture_free(struct conf_capture *c);

/* conf_capture_pkt returns frame |num| (1-based) or NULL. */
const struct conf_pkt *conf_capture_pkt(const struct conf_capture *c, uint32_t num);

/* conf_flow_fmt writes "a.b.c.d:p > e.f.g.h:q" into |buf| (48 octets). */
const char *conf_flow_fmt(const struct conf_flow *f, char buf[48]);

#endif
