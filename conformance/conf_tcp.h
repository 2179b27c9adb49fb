/*
 * conf_tcp.h — TCP header (RFC 9293 §3.1) and per-direction stream
 * reassembly: in-order delivery, out-of-order buffering, retransmission
 * de-duplication and limits. Used to follow IKE/ESP over TCP (RFC 9329) and
 * streams on 443.
 *
 * Sequence arithmetic is modulo 2^32 (RFC 9293 §3.4). The first data is
 * placed by the SYN (ISN + 1) when the capture saw it, else by the first
 * segment with data (a stream joined mid-way).
 */
#ifndef VPNLAB_CONF_TCP_H
#define VPNLAB_CONF_TCP_H

#include <stddef.h>
#include <stdint.h>

enum {
	CONF_TCP_FIN = 0x01, CONF_TCP_SYN = 0x02, CONF_TCP_RST = 0x04,
	CONF_TCP_PSH = 0x08, CONF_TCP_ACK = 0x10,
};

struct conf_tcphdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;          /* data offset in octets */
	uint8_t flags;
	uint16_t win;
};

/* conf_tcp_parse returns the header length, or -1 with |err| set. */
int conf_tcp_parse(const uint8_t *p, uint32_t len, struct conf_tcphdr *h, char *err, size_t errlen);

struct conf_tcp_limits {
	uint32_t max_ooo_bytes;     /* buffered out of order per direction (default 1 MiB) */
	uint32_t max_ooo_segments;  /* default 1024 */
};

/*
 * conf_tcp_deliver_fn receives in-order stream data. |frame| is the frame
 * whose arrival made the data deliverable. A gap (data the capture never
 * had, skipped because a limit was reached or the stream ended) is
 * reported as |data| == NULL, |len| = the number of octets skipped.
 */
typedef void (*conf_tcp_deliver_fn)(void *ctx, const uint8_t *data, uint32_t len, uint32_t frame);

struct conf_tcp_seg;

struct conf_tcpdir {
	int started;            /* next is known */
	int syn_seen;
	uint32_t isn;
	uint32_t next;          /* next expected sequence number */
	struct conf_tcp_seg *ooo; /* out-of-order segments sorted by seq */
	uint32_t ooo_bytes, ooo_n;
	uint64_t delivered;     /* octets delivered */
	uint64_t retrans_bytes; /* octets seen again (retransmissions) */
	uint32_t retrans_segs;
	uint32_t gaps;
	uint32_t conflicts;     /* retransmitted octets that differed from the first copy */
	int fin, rst;
};

/*
 * conf_tcpdir_segment feeds one segment (its sequence number, flags and
 * payload) into the direction. Delivers what became in-order through |fn|.
 */
void conf_tcpdir_segment(struct conf_tcpdir *d, const struct conf_tcp_limits *lim, uint32_t seq,
			 uint8_t flags, const uint8_t *data, uint32_t len, uint32_t frame,
			 conf_tcp_deliver_fn fn, void *ctx);

/* conf_tcpdir_flush delivers what is still buffered, reporting the holes as gaps. */
void conf_tcpdir_flush(struct conf_tcpdir *d, uint32_t frame, conf_tcp_deliver_fn fn, void *ctx);

void conf_tcpdir_free(struct conf_tcpdir *d);

#endif
