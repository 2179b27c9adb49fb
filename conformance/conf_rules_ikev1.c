/*
 * conf_rules_ikev1.c — IKEv1 / ISAKMP rules (RFC 2408, RFC 2409, RFC 3947).
 *
 *   RFC 2408 §3.1  "Implementations based on this version of the ISAKMP
 *                  Internet-Draft MUST set the Major Version to 1" and the
 *                  Minor Version to 0.
 *   RFC 2409 §5    the Main Mode messages with ID and HASH/SIG and every
 *                  Quick Mode message are drawn "HDR*": payloads after the
 *                  header encrypted (E flag, RFC 2408 §3.1); Mode-Config
 *                  transactions likewise.
 *   RFC 2409 §5    "The length of nonce payload MUST be between 8 and 256
 *                  bytes inclusive" (checked on the Nonce data).
 *   RFC 3947 §4    once NAT-D shows a NAT, the peers change to UDP 4500 and
 *                  prefix the non-ESP marker (checked on the encrypted
 *                  messages that follow).
 *   Aggressive Mode with a pre-shared key sends the identity in clear and
 *   exposes the PSK to an offline dictionary attack on HASH_R (RFC 2409 §5.4
 *   describes the mode; RFC 9395 deprecates IKEv1). No RFC 2119 keyword
 *   forbids it: reported as ADVISORY.
 */
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"
#include "conformance/conf_natd.h"
#include "conformance/conf_rule.h"
#include "conformance/ikev1_const.h"
#include "ref/ike/ike_const.h"

static void chk_version(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (!m->hdr_ok || m->version != 1)
			continue;
		if (m->hdr.exch >= IKE_SA_INIT && m->hdr.exch <= IKE_FOLLOWUP_KE)
			continue; /* an IKEv2 exchange with a wrong version: ikev2-version */
		conf_checked(r);
		if ((m->hdr.version & 15) != 0)
			conf_fail(r, m->frame, "frame %u: ISAKMP %s with version %u.%u, expected 1.0", m->frame,
				  ikev1_exchange_name(m->hdr.exch), m->hdr.version >> 4, m->hdr.version & 15);
	}
	conf_pass(r, "%u ISAKMP messages with version 1.0", r->n_checked);
}

static void chk_aggr_psk(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		const struct conf_ikesa *sa = &ix->sa[s];
		if (sa->version != 1 || sa->first_msg < 0)
			continue;
		const struct conf_msg *m = &c->msg[sa->first_msg];
		if (m->v1.encrypted || !m->v1.has_sa)
			continue;
		conf_checked(r);
		if (m->hdr.exch != IKEV1_EXCH_AGGRESSIVE || !m->v1.any_psk)
			continue;
		char id[160] = "no identity";
		if (m->v1.has_id)
			snprintf(id, sizeof id, "identity '%s' (%s)", m->v1.id_str,
				 ike_name_lookup(&conf_ikev1_id_names, m->v1.id_type)
					 ? ike_name_lookup(&conf_ikev1_id_names, m->v1.id_type) : "unknown type");
		conf_fail(r, m->frame, "frame %u: IKEv1 Aggressive Mode offering pre-shared-key authentication; %s "
			  "sent in clear, and the responder's HASH_R allows an offline attack on the key",
			  m->frame, id);
	}
	conf_pass(r, "%u IKEv1 phase-1 negotiations, none in Aggressive Mode with a pre-shared key", r->n_checked);
}

static void chk_encrypted(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 1 || !m->hdr_ok)
			continue;
		int enc = (m->hdr.flags & IKEV1_FLAG_E) != 0;
		switch (m->hdr.exch) {
		case IKEV1_EXCH_QUICK:
		case IKEV1_EXCH_TRANSACTION:
			conf_checked(r);
			if (!enc)
				conf_fail(r, m->frame, "frame %u: %s message without the Encryption flag (payloads in "
					  "clear)", m->frame, ikev1_exchange_name(m->hdr.exch));
			break;
		case IKEV1_EXCH_MAIN: {
			conf_checked(r);
			if (enc)
				break;
			int id = 0, auth = 0;
			for (int k = 0; k < m->v1.n_pl; k++) {
				id |= m->v1.pl[k].type == IKEV1_PL_ID;
				auth |= m->v1.pl[k].type == IKEV1_PL_HASH || m->v1.pl[k].type == IKEV1_PL_SIG;
			}
			if (id || auth)
				conf_fail(r, m->frame, "frame %u: Main Mode message carrying %s%s%s in clear (messages 5 "
					  "and 6 are encrypted)", m->frame, id ? "ID" : "", id && auth ? " and " : "",
					  auth ? "HASH/SIG" : "");
			break;
		}
		default:
			break;
		}
	}
	conf_pass(r, "%u Main/Quick Mode and Transaction messages: identities, hashes and Quick Mode encrypted",
		  r->n_checked);
}

static void chk_nonce(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 1 || !m->v1.has_nonce)
			continue;
		conf_checked(r);
		if (m->v1.nonce_len < 8 || m->v1.nonce_len > 256)
			conf_fail(r, m->frame, "frame %u: %s Nonce of %u octets, expected 8..256", m->frame,
				  ikev1_exchange_name(m->hdr.exch), m->v1.nonce_len);
	}
	conf_pass(r, "%u IKEv1 nonces of 8..256 octets", r->n_checked);
}

/* natd_v1 says whether the NAT-D payloads of |m| show a NAT (1), no NAT (0), or cannot tell (-1). */
static int natd_v1(const struct conf_msg *m, int hash_alg)
{
	if (!m->v1.n_natd)
		return -1;
	uint8_t h[64];
	int any_src = 0;
	unsigned hl = conf_natd_hash_v1(hash_alg, m->hdr.spi_i, m->hdr.spi_r, m->flow.dst, m->flow.dport, h);
	if (!hl)
		return -1;
	/* RFC 3947 §3.2: the first NAT-D is the destination, the rest sources */
	int dst_ok = m->v1.natd_len[0] == hl && m->v1.natd_off[0] + hl <= m->len &&
		     memcmp(m->raw + m->v1.natd_off[0], h, hl) == 0;
	conf_natd_hash_v1(hash_alg, m->hdr.spi_i, m->hdr.spi_r, m->flow.src, m->flow.sport, h);
	for (int k = 1; k < m->v1.n_natd; k++)
		any_src |= m->v1.natd_len[k] == hl && m->v1.natd_off[k] + hl <= m->len &&
			   memcmp(m->raw + m->v1.natd_off[k], h, hl) == 0;
	return !(dst_ok && any_src);
}

static void chk_float(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	/* per SA: the negotiated hash (the responder's SA) and the first frame whose NAT-D shows a NAT */
	uint32_t n = ix->n_sa ? ix->n_sa : 1;
	int *hash = calloc(n, sizeof *hash);
	uint32_t *nat_frame = calloc(n, sizeof *nat_frame);
	if (!hash || !nat_frame) {
		free(hash);
		free(nat_frame);
		return;
	}
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		int32_t s = ix->msg_sa[i];
		if (s < 0 || ix->sa[s].version != 1 || m->v1.encrypted)
			continue;
		const struct conf_ikesa *sa = &ix->sa[s];
		if (m->v1.has_sa && sa->have_init && m->flow.src != sa->init_ip && !hash[s])
			hash[s] = (int)m->v1.hash;
		if (hash[s] && m->v1.n_natd && !nat_frame[s] && natd_v1(m, hash[s]) == 1)
			nat_frame[s] = m->frame;
	}
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		int32_t s = ix->msg_sa[i];
		if (s < 0 || !nat_frame[s] || m->frame <= nat_frame[s] || !(m->hdr.flags & IKEV1_FLAG_E))
			continue;
		conf_checked(r);
		if (m->tr != CONF_TR_UDP_ENCAP)
			conf_fail(r, m->frame, "frame %u: encrypted %s message on UDP %u->%u after NAT-D showed a NAT "
				  "(frame %u); expected UDP 4500 with the non-ESP marker", m->frame,
				  ikev1_exchange_name(m->hdr.exch), m->flow.sport, m->flow.dport, nat_frame[s]);
	}
	free(hash);
	free(nat_frame);
	conf_pass(r, "%u IKEv1 messages after NAT detection, all on UDP 4500", r->n_checked);
}

const struct conf_rule conf_rules_ikev1[] = {
	{"ikev1-version", "RFC 2408", "3.1", CONF_MUST, CONF_SET_IKEV1, "ISAKMP version 1.0", chk_version},
	{"ikev1-aggressive-psk", "RFC 2409 / RFC 9395", "5.4", CONF_ADVISORY, CONF_SET_IKEV1,
	 "no Aggressive Mode with pre-shared keys (identity in clear, offline PSK attack)", chk_aggr_psk},
	{"ikev1-encryption", "RFC 2409", "5", CONF_MUST, CONF_SET_IKEV1,
	 "Main Mode ID/HASH and all Quick Mode/Transaction messages are encrypted (E flag)", chk_encrypted},
	{"ikev1-nonce-length", "RFC 2409", "5", CONF_MUST, CONF_SET_IKEV1, "IKEv1 nonce is 8..256 octets",
	 chk_nonce},
	{"ikev1-natt-float", "RFC 3947", "4", CONF_MUST, CONF_SET_IKEV1 | CONF_SET_NATT,
	 "after NAT-D shows a NAT, encrypted IKEv1 messages use UDP 4500", chk_float},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
