/*
 * conf_encap.h — how IKE and ESP share a transport.
 *
 * UDP port 4500 (RFC 3948 §2.1-2.3, RFC 7296 §2.23): the first octets of the
 * UDP payload decide:
 *   one octet 0xFF                  NAT-keepalive (§2.3)
 *   four zero octets + IKE header   IKE (the non-ESP marker, §2.2)
 *   anything else of >= 8 octets    ESP, SPI != 0 (§2.1)
 *   the rest                        malformed (a zero "SPI" with no IKE
 *                                   header after it, a short payload, ...)
 *
 * TCP (RFC 9329 §3, formerly RFC 8229 §3): the TCP originator first sends
 * the six octets "IKETCP" (stream prefix); then every message in either
 * direction is framed by a 2-octet Length that counts itself:
 *   Length | non-ESP marker (4 zero octets) | IKE message
 *   Length | ESP packet
 * RFC 8229 §3: "Length of the IKE packet, including the Length field and
 * non-ESP marker"; for ESP "including the Length field".
 */
#ifndef VPNLAB_CONF_ENCAP_H
#define VPNLAB_CONF_ENCAP_H

#include <stdint.h>

enum conf_encap {
	CONF_ENCAP_IKE,         /* payload after the 4-octet marker is an IKE message */
	CONF_ENCAP_KEEPALIVE,
	CONF_ENCAP_ESP,
	CONF_ENCAP_MALFORMED,
};

/* conf_encap_udp4500 classifies a port-4500 UDP payload; |why| explains MALFORMED. */
enum conf_encap conf_encap_udp4500(const uint8_t *p, uint32_t len, const char **why);

#define CONF_IKETCP_PREFIX "IKETCP"
#define CONF_IKETCP_PREFIX_LEN 6

enum conf_tcpframe_ev {
	CONF_TF_PREFIX_OK,   /* "IKETCP" seen at the start of the originator's stream */
	CONF_TF_PREFIX_BAD,  /* originator stream did not start with it (data = first octets) */
	CONF_TF_TLS,         /* the stream is TLS (0x16 0x03 ..): not decoded */
	CONF_TF_FRAME,       /* one frame; data/len = content after the Length field */
	CONF_TF_BAD_LENGTH,  /* Length < 3: framing lost, the rest is not decoded */
	CONF_TF_GAP,         /* stream data missing: framing lost */
	CONF_TF_PARTIAL,     /* end of capture inside a frame (len = octets held) */
};

/*
 * conf_tcpframe_fn receives framer events. For CONF_TF_FRAME, |first_frame|
 * is the capture frame that carried the frame's first octet and |frame| the
 * one that completed it.
 */
typedef void (*conf_tcpframe_fn)(void *ctx, enum conf_tcpframe_ev ev, const uint8_t *data,
				 uint32_t len, uint32_t first_frame, uint32_t frame);

struct conf_tcpframer {
	int originator;         /* this direction must start with the prefix */
	int state;              /* 0 prefix pending, 1 framing, 2 stopped */
	uint8_t pfx[CONF_IKETCP_PREFIX_LEN];
	uint8_t pfx_have;
	uint8_t lenbuf[2];
	uint8_t len_have;
	uint32_t want;          /* content octets of the current frame */
	uint8_t *buf;
	uint32_t have, cap;
	uint32_t first_frame;
	uint32_t frames;
	int prefix_ok;          /* 1 ok, -1 bad, 0 not decided */
};

/* conf_tcpframer_init prepares one direction; |originator| = TCP client. */
void conf_tcpframer_init(struct conf_tcpframer *f, int originator);

/* conf_tcpframer_feed takes in-order stream data (NULL data = a gap of |len|). */
void conf_tcpframer_feed(struct conf_tcpframer *f, const uint8_t *data, uint32_t len,
			 uint32_t frame, conf_tcpframe_fn fn, void *ctx);

/* conf_tcpframer_end reports a frame cut off by the end of the capture. */
void conf_tcpframer_end(struct conf_tcpframer *f, uint32_t frame, conf_tcpframe_fn fn, void *ctx);

void conf_tcpframer_free(struct conf_tcpframer *f);

#endif
