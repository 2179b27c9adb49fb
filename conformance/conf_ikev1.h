/*
 * conf_ikev1.h — ISAKMP/IKEv1 message decoding for the conformance checker
 * (RFC 2408 §3, RFC 2409, RFC 2407, RFC 3947): the header is in conf_ikehdr;
 * this walks the payload chain of unencrypted messages (Main and Aggressive
 * Mode before the E flag is set) and summarises SA (DOI, situation,
 * proposals/transforms, the phase-1 attributes), KE, Nonce, ID (type and, in
 * Aggressive Mode, the identity that travels in clear), HASH, Vendor IDs
 * (well-known ones named), NAT-D and Notify.
 *
 * Every length is validated before it is read; a bad one stops the walk
 * with |err| naming the payload, the field and the value.
 */
#ifndef VPNLAB_CONF_IKEV1_H
#define VPNLAB_CONF_IKEV1_H

#include <stdint.h>

#include "conformance/conf_ikehdr.h"

#define CONF_V1_MAX_PL 24
#define CONF_V1_MAX_VID 8
#define CONF_V1_MAX_NATD 4
#define CONF_V1_MAX_NOTIFY 8

struct conf_ikev1_pl {
	uint8_t type;
	uint16_t len;       /* including the 4-octet generic header */
	uint32_t off;       /* of the generic header, from the start of the message */
};

struct conf_ikev1_vid {
	uint32_t off;       /* of the VID data */
	uint16_t len;
	const char *name;   /* NULL if not a well-known one */
};

struct conf_ikev1_notify {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t type;
};

struct conf_ikev1 {
	int encrypted;      /* E flag: nothing after the header is readable */
	int ok;             /* the chain was walked to its end without error */
	char err[160];
	uint8_t n_pl, pl_overflow;
	struct conf_ikev1_pl pl[CONF_V1_MAX_PL];
	/* first SA payload */
	int has_sa;
	uint32_t doi, situation;
	uint8_t n_proposals, n_transforms;
	uint8_t proto_id;   /* of the first proposal */
	uint32_t enc, hash, auth, group, keylen, life_type, life; /* first transform; 0 absent */
	int any_psk;        /* some transform proposes a pre-shared-key method */
	uint16_t ke_len;
	int has_nonce;
	uint16_t nonce_len;
	int has_id;
	uint8_t id_type, id_proto;
	uint16_t id_port;
	char id_str[96];    /* printable rendering of the identification data */
	uint16_t hash_len;
	uint8_t n_vid;
	struct conf_ikev1_vid vid[CONF_V1_MAX_VID];
	uint8_t n_natd;
	uint32_t natd_off[CONF_V1_MAX_NATD];
	uint16_t natd_len[CONF_V1_MAX_NATD];
	uint8_t n_notify;
	struct conf_ikev1_notify nt[CONF_V1_MAX_NOTIFY];
};

/*
 * conf_ikev1_decode fills |out| from the message |m| (|len| octets, starting
 * at the header |h|). Returns 0 if the chain parsed (or is encrypted), -1 if
 * a payload was malformed (|out| holds what came before, |out->err| why).
 */
int conf_ikev1_decode(const uint8_t *m, uint32_t len, const struct conf_ikehdr *h,
		      struct conf_ikev1 *out);

#endif
