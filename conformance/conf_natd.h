/*
 * conf_natd.h — NAT detection as the peers compute it.
 *
 * IKEv2 (RFC 7296 §2.23): NAT_DETECTION_*_IP data =
 *     SHA-1(SPIi | SPIr | IP address | port), SPIs in the order of the
 *     header of the packet (SPIr zero in the IKE_SA_INIT request).
 * IKEv1 (RFC 3947 §3.2): NAT-D = HASH(CKY-I | CKY-R | IP | Port) with the
 *     negotiated hash; the first NAT-D is the destination, the rest sources.
 *
 * conf_natd_eval compares the hashes of an IKE_SA_INIT exchange with the
 * addresses and ports as captured. A mismatch means a NAT (or a deliberate
 * fake, which RFC 7296 §2.23 allows to force UDP encapsulation) between the
 * sender and the capture point.
 */
#ifndef VPNLAB_CONF_NATD_H
#define VPNLAB_CONF_NATD_H

#include <stdint.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_ikesa.h"

/* conf_natd_hash: IKEv2 NAT detection hash (SHA-1, 20 octets) of the given values. */
void conf_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t ip, uint16_t port,
		    uint8_t out[20]);

/* conf_natd_hash_v1: IKEv1 NAT-D with hash |alg| (1 MD5, 2 SHA-1, 4/5/6 SHA2); returns length, 0 if unknown. */
unsigned conf_natd_hash_v1(int alg, const uint8_t cky_i[8], const uint8_t cky_r[8], uint32_t ip,
			   uint16_t port, uint8_t out[64]);

enum conf_natd_state {
	CONF_NATD_NONE = 0,      /* no NAT detection payloads (NAT-T not supported/seen) */
	CONF_NATD_NO_NAT,        /* every hash matches the captured addresses */
	CONF_NATD_NAT,           /* a hash does not match: NAT detected */
};

struct conf_natd_msg {
	int32_t msg;             /* message index, -1 absent */
	int n_src, n_dst;        /* NAT_DETECTION_SOURCE_IP / _DESTINATION_IP payloads */
	int src_match;           /* some SOURCE hash matches the packet's source */
	int dst_match;           /* the DESTINATION hash matches the packet's destination */
	int bad_len;             /* a hash of the wrong length (expected 20) */
	int src_swapped;         /* a SOURCE hash matches the destination instead */
	int dst_swapped;
	int zero_spir;           /* response: hashes match only when SPIr is taken as zero */
};

struct conf_natd_eval {
	enum conf_natd_state state;
	struct conf_natd_msg req, resp;
	int nat_before_init;     /* the request's SOURCE does not match: NAT between initiator and capture */
	int nat_before_resp;     /* the response's SOURCE does not match */
	int dst_nat;             /* a DESTINATION hash does not match */
};

/* conf_natd_eval evaluates the IKE_SA_INIT exchange of IKEv2 SA |sa|. */
void conf_natd_eval(const struct conf_capture *c, const struct conf_ikesa *sa, struct conf_natd_eval *out);

#endif
