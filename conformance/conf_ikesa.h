/*
 * conf_ikesa.h — IKE messages of a capture grouped by IKE SA (initiator
 * SPI) and, for IKEv2, by exchange: one request/response pair per Message
 * ID and requester (RFC 7296 §2.2), with every transmission of each kept in
 * capture order so rules can see retransmissions.
 *
 * The requester of an IKEv2 message follows from its flags: a request (R
 * clear) was sent by the original initiator iff I is set; a response (R set)
 * answers a request of the original initiator iff I is clear.
 */
#ifndef VPNLAB_CONF_IKESA_H
#define VPNLAB_CONF_IKESA_H

#include <stdint.h>

#include "conformance/conf_capture.h"

struct conf_xchg {
	uint32_t sa;
	uint32_t msgid;
	uint8_t exch;
	uint8_t by_init;          /* the requester is the original initiator */
	int32_t req, resp;        /* first request / response message, -1 if none */
	uint32_t n_req, n_resp;   /* transmissions seen */
};

struct conf_ikesa {
	int version;              /* 1 or 2 */
	uint8_t spi_i[8], spi_r[8];
	uint8_t have_spi_r;
	int32_t first_msg;        /* message index */
	uint32_t n_msgs;
	/* The original initiator as seen: source of the first request with a
	 * zero responder SPI (IKEv2 IKE_SA_INIT; IKEv1 first message). */
	uint8_t have_init;
	uint32_t init_ip, resp_ip;
	uint16_t init_port, resp_port;
	/* IKEv2: the IKE_SA_INIT exchange that set up the SA (the last request
	 * before the first response carrying an SA payload), -1 if unseen. */
	int32_t init_req, init_resp;
};

struct conf_ikesa_index {
	struct conf_ikesa *sa;
	uint32_t n_sa;
	struct conf_xchg *x;
	uint32_t n_x;
	int32_t *msg_sa;          /* per message: SA index, -1 if no header */
	int32_t *msg_x;           /* per message: exchange index, -1 (IKEv1, no header) */
	int32_t *next_same;       /* per message: next transmission of the same request/response */
};

struct conf_ikesa_index *conf_ikesa_build(const struct conf_capture *c);
void conf_ikesa_free(struct conf_ikesa_index *ix);

/* conf_msg_is_response: IKEv2 R flag. */
static inline int conf_msg_is_response(const struct conf_msg *m)
{
	return (m->hdr.flags & 0x20) != 0;
}

/* conf_msg_by_init: the message was sent by the original initiator (I flag, IKEv2). */
static inline int conf_msg_by_init(const struct conf_msg *m)
{
	return (m->hdr.flags & 0x08) != 0;
}

/* conf_msg_fragment_key: SKF fragment number (0 when not fragmented). */
static inline uint16_t conf_msg_frag(const struct conf_msg *m)
{
	return m->version == 2 && m->v2.has_skf ? m->v2.skf_num : 0;
}

#endif
