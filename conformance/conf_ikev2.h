/*
 * conf_ikev2.h — what the conformance checker keeps of an IKEv2 message
 * (RFC 7296 §3): the unencrypted payload chain with SA (summary of the
 * proposals), KE (group, data length), Nonce (length), Notify (type, data),
 * V, CERTREQ counts, and the SK / SKF (RFC 7383 §2.5: fragment n of m)
 * headers. Payloads are parsed by ref/ike (ike_msg.h); this file only turns
 * the parsed message into the summary the rules read.
 */
#ifndef VPNLAB_CONF_IKEV2_H
#define VPNLAB_CONF_IKEV2_H

#include <stdint.h>

#include "conformance/conf_ikehdr.h"

#define CONF_V2_MAX_PL 32
#define CONF_V2_MAX_NOTIFY 16
#define CONF_V2_MAX_GROUPS 8

struct conf_ikev2_pl {
	uint8_t type, critical;
	uint16_t len;           /* including the generic header */
	uint32_t off;           /* of the generic header in the message */
};

struct conf_ikev2_notify {
	uint16_t type;
	uint8_t proto, spi_size;
	uint32_t data_off;      /* notification data, offset in the message */
	uint16_t data_len;
};

struct conf_ikev2 {
	int ok;                 /* the chain parsed to its end */
	char err[200];          /* ref/ike's message (IKE_ERR_MSG_MAX) */
	uint8_t n_pl, pl_overflow;
	struct conf_ikev2_pl pl[CONF_V2_MAX_PL];
	uint8_t n_notify, notify_overflow;
	struct conf_ikev2_notify nt[CONF_V2_MAX_NOTIFY];
	int has_sa;
	uint8_t n_proposals;
	char sa_summary[160];   /* first proposal, e.g. "IKE ENCR_AES_GCM_16/256 PRF_HMAC_SHA2_256 ECP_256" */
	uint8_t n_groups;       /* KE transform IDs offered in any proposal */
	uint16_t groups[CONF_V2_MAX_GROUPS];
	int has_ke;
	uint16_t ke_group;
	uint32_t ke_len;        /* key exchange data octets */
	int has_nonce;
	uint32_t nonce_len;
	uint8_t n_vid, n_certreq;
	int has_sk;
	uint32_t sk_len;        /* payload length of SK */
	int has_skf;
	uint16_t skf_num, skf_total;
	uint32_t skf_len;
	int sk_not_last;        /* SK or SKF followed by another payload (§3.14) */
};

/*
 * conf_ikev2_decode fills |out| from message |m| (|len| octets, header |h|
 * already parsed). Returns 0 when the chain parsed, -1 with |out->err| when
 * a payload was malformed (what came before stays in |out|).
 */
int conf_ikev2_decode(const uint8_t *m, uint32_t len, const struct conf_ikehdr *h,
		      struct conf_ikev2 *out);

/* conf_ikev2_find_notify returns the index of the first notify of |type|, or -1. */
int conf_ikev2_find_notify(const struct conf_ikev2 *v, uint16_t type);

/* conf_ikev2_count_notify counts notifies of |type|. */
int conf_ikev2_count_notify(const struct conf_ikev2 *v, uint16_t type);

#endif
