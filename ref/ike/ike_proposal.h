/*
 * ike_proposal.h — proposals as the engine sees them (RFC 7296 §2.7,
 * §3.3): strongSwan-style text ("aes256gcm16-prfsha256-curve25519,
 * aes128-sha256-modp2048") to struct ike_props, props to an SA payload,
 * the responder's choice, and the initiator's check of the answer.
 *
 * The combinations are the ones ref/crypto implements: AES-GCM-16
 * (128/256), ChaCha20-Poly1305, AES-CBC (128/256) with HMAC-SHA2-256-128,
 * 3DES with HMAC-SHA1-96; PRF HMAC-SHA1/SHA2-256/384/512; groups 14, 19, 31.
 */
#ifndef VPNLAB_REF_IKE_PROPOSAL_H
#define VPNLAB_REF_IKE_PROPOSAL_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_payload.h"

/* ike_chosen: one negotiated proposal (one transform per type). */
struct ike_chosen {
	uint8_t num;      /* the offered Proposal Num */
	uint8_t proto;    /* IKE_PROTO_IKE / IKE_PROTO_ESP */
	uint8_t spi_size;
	uint8_t spi[IKE_MAX_SPI_LEN];
	uint16_t encr, key_bits, integ, prf, ke, esn;
	int has_ke;       /* a KE transform was negotiated (IKE, or ESP with PFS) */
};

/*
 * ike_proposal_parse reads a comma-separated list of proposals for |proto|
 * (IKE_PROTO_IKE or IKE_PROTO_ESP) into |out|. Errors name the token and
 * what was expected: "unknown algorithm 'aes999', expected one of ...".
 */
int ike_proposal_parse(const char *text, uint8_t proto, struct ike_props *out, char *msg, size_t cap);

/* ike_proposal_fmt writes |p| back as text ("aes256gcm16-prfsha256-curve25519"). */
size_t ike_proposal_fmt(const struct ike_prop_cfg *p, char *out, size_t cap);

/*
 * ike_proposal_build fills |sa| with |props| for |proto| with our SPI
 * (|spi_size| 0 for IKE_SA_INIT, 8 for an IKE rekey, 4 for ESP). KE
 * transforms are included only when |with_ke| (IKE; ESP with PFS).
 */
int ike_proposal_build(const struct ike_props *props, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		       int with_ke, struct ike_sa_pl *sa);

/* ike_proposal_count: proposals in |sa| (for events). */
size_t ike_proposal_count(const struct ike_sa_pl *sa);

/*
 * ike_proposal_select picks, in the order the peer offered them, the first
 * proposal of |offer| that |ours| accepts, one transform of each type.
 * |ke_hint| is the group of the peer's KE payload: preferred when
 * acceptable (so no INVALID_KE round trip is needed). |want_ke| 0 ignores
 * KE transforms (IKE_AUTH's SA, §1.2), 1 requires one (IKE), 2 takes one
 * if both sides list one (CREATE_CHILD_SA with optional PFS).
 * Returns 0, or -1 with |why| saying what did not match.
 */
int ike_proposal_select(const struct ike_props *ours, const struct ike_sa_pl *offer, uint8_t proto,
			uint16_t ke_hint, int want_ke, struct ike_chosen *out, char *why, size_t cap);

/* ike_proposal_answer builds the responder's SA payload: the one chosen proposal with our SPI. */
int ike_proposal_answer(const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_size, struct ike_sa_pl *sa);

/*
 * ike_proposal_check_answer checks the responder's |answer| against what
 * we |offered| (§2.7: exactly one proposal, numbered as offered, one of
 * our transforms per type) and extracts it. Returns 0 or -1 with |why|.
 */
int ike_proposal_check_answer(const struct ike_sa_pl *offered, const struct ike_sa_pl *answer, uint8_t proto,
			      struct ike_chosen *out, char *why, size_t cap);

/*
 * ike_proposal_esp_alg maps a chosen ESP proposal to the crypto.h
 * transform and cipher key length; -1 if unsupported.
 */
int ike_proposal_esp_alg(const struct ike_chosen *c, enum crypto_aead_alg *alg, size_t *cipher_key_len);

/* ike_chosen_fmt: "ENCR_AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519" style, for events. */
size_t ike_chosen_fmt(const struct ike_chosen *c, char *out, size_t cap);

#endif
