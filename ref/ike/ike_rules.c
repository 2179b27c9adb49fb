/*
 * ike_rules.c — which payloads each IKEv2 message must and may carry, as
 * one const table with the RFC flow beside each row (the libreswan
 * "transitions as data" idea, reduced to payload sets). An exchange and
 * direction may have several rows (e.g. IKE_AUTH with a certificate, with
 * EAP, or answered by an error Notify); a message passes if any row fits.
 * For encrypted exchanges the rows describe the INNER payloads.
 */
#include "ref/ike/ike_msg.h"

#include <stdio.h>
#include <string.h>

#define B(t) (1u << ((t) - 32)) /* payload types 33..54 -> bits 1..22 */

/* Payloads that may appear more than once; all others at most once. */
#define MULTI (B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR) | B(IKE_PL_CERT) | B(IKE_PL_CERTREQ) | B(IKE_PL_DELETE))

struct ike_rule {
	uint8_t exchange;
	uint8_t response;
	uint32_t required;
	uint32_t optional;
	const char *flow; /* the RFC message, as the RFC writes it */
};

static const struct ike_rule rules[] = {
	/* IKE_SA_INIT (§1.2; cookie §2.6) */
	{IKE_SA_INIT, 0, B(IKE_PL_SA) | B(IKE_PL_KE) | B(IKE_PL_NONCE), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, [N(COOKIE),] SAi1, KEi, Ni, [N+], [V+] (RFC 7296 §1.2, §2.6)"},
	{IKE_SA_INIT, 1, B(IKE_PL_SA) | B(IKE_PL_KE) | B(IKE_PL_NONCE),
	 B(IKE_PL_CERTREQ) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SAr1, KEr, Nr, [CERTREQ], [N+], [V+] (§1.2)"},
	{IKE_SA_INIT, 1, B(IKE_PL_NOTIFY), B(IKE_PL_VENDOR),
	 "HDR, N(COOKIE | INVALID_KE_PAYLOAD | NO_PROPOSAL_CHOSEN | ...) (§2.6, §1.2)"},

	/* IKE_AUTH request (§1.2; EAP §2.16; childless RFC 6023; multiple auth RFC 4739) */
	{IKE_AUTH, 0, B(IKE_PL_IDI) | B(IKE_PL_AUTH) | B(IKE_PL_SA) | B(IKE_PL_TSI) | B(IKE_PL_TSR),
	 B(IKE_PL_CERT) | B(IKE_PL_CERTREQ) | B(IKE_PL_IDR) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {IDi, [CERT,] [N(INITIAL_CONTACT),] [CERTREQ,] [IDr,] AUTH, [CP,] SAi2, TSi, TSr} (§1.2)"},
	{IKE_AUTH, 0, B(IKE_PL_IDI) | B(IKE_PL_AUTH),
	 B(IKE_PL_CERT) | B(IKE_PL_CERTREQ) | B(IKE_PL_IDR) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH} without a Child SA (RFC 6023, RFC 4739)"},
	{IKE_AUTH, 0, B(IKE_PL_IDI) | B(IKE_PL_SA) | B(IKE_PL_TSI) | B(IKE_PL_TSR),
	 B(IKE_PL_CERTREQ) | B(IKE_PL_IDR) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {IDi, [CERTREQ,] [IDr,] SAi2, TSi, TSr} starting EAP (§2.16)"},
	{IKE_AUTH, 0, B(IKE_PL_EAP), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {EAP} (§2.16)"},
	{IKE_AUTH, 0, B(IKE_PL_AUTH), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {AUTH} after EAP (§2.16)"},

	/* IKE_AUTH response */
	{IKE_AUTH, 1, B(IKE_PL_IDR) | B(IKE_PL_AUTH) | B(IKE_PL_SA) | B(IKE_PL_TSI) | B(IKE_PL_TSR),
	 B(IKE_PL_CERT) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {IDr, [CERT,] AUTH, [CP,] SAr2, TSi, TSr} (§1.2)"},
	{IKE_AUTH, 1, B(IKE_PL_IDR) | B(IKE_PL_AUTH), B(IKE_PL_CERT) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {IDr, [CERT,] AUTH, [N(error)]}: IKE SA up, no Child SA (§1.2, RFC 6023)"},
	{IKE_AUTH, 1, B(IKE_PL_IDR) | B(IKE_PL_AUTH) | B(IKE_PL_EAP),
	 B(IKE_PL_CERT) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {IDr, [CERT,] AUTH, EAP} (§2.16)"},
	{IKE_AUTH, 1, B(IKE_PL_EAP), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {EAP} (§2.16)"},
	{IKE_AUTH, 1, B(IKE_PL_AUTH),
	 B(IKE_PL_SA) | B(IKE_PL_TSI) | B(IKE_PL_TSR) | B(IKE_PL_CP) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {AUTH, [CP,] SAr2, TSi, TSr} after EAP (§2.16)"},
	{IKE_AUTH, 1, B(IKE_PL_NOTIFY), B(IKE_PL_VENDOR), "HDR, SK {N(AUTHENTICATION_FAILED | ...)} (§2.21.2)"},

	/* CREATE_CHILD_SA (§1.3) */
	{IKE_CREATE_CHILD_SA, 0, B(IKE_PL_SA) | B(IKE_PL_NONCE) | B(IKE_PL_TSI) | B(IKE_PL_TSR),
	 B(IKE_PL_KE) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {[N(REKEY_SA),] [N+,] SA, Ni, [KEi,] TSi, TSr} (§1.3.1, §1.3.3)"},
	{IKE_CREATE_CHILD_SA, 0, B(IKE_PL_SA) | B(IKE_PL_NONCE) | B(IKE_PL_KE), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {SA, Ni, KEi} rekeying the IKE SA (§1.3.2)"},
	{IKE_CREATE_CHILD_SA, 1, B(IKE_PL_SA) | B(IKE_PL_NONCE) | B(IKE_PL_TSI) | B(IKE_PL_TSR),
	 B(IKE_PL_KE) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {SA, Nr, [KEr,] TSi, TSr} (§1.3.1)"},
	{IKE_CREATE_CHILD_SA, 1, B(IKE_PL_SA) | B(IKE_PL_NONCE) | B(IKE_PL_KE), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {SA, Nr, KEr} rekeying the IKE SA (§1.3.2)"},
	{IKE_CREATE_CHILD_SA, 1, B(IKE_PL_NOTIFY), B(IKE_PL_VENDOR),
	 "HDR, SK {N(NO_ADDITIONAL_SAS | TS_UNACCEPTABLE | INVALID_KE_PAYLOAD | ...)} (§1.3, §2.21.3)"},

	/* INFORMATIONAL (§1.4); empty is the liveness check (§2.4) */
	{IKE_INFORMATIONAL, 0, 0, B(IKE_PL_NOTIFY) | B(IKE_PL_DELETE) | B(IKE_PL_CP) | B(IKE_PL_VENDOR),
	 "HDR, SK {[N,] [D,] [CP,] ...} (§1.4)"},
	{IKE_INFORMATIONAL, 1, 0, B(IKE_PL_NOTIFY) | B(IKE_PL_DELETE) | B(IKE_PL_CP) | B(IKE_PL_VENDOR),
	 "HDR, SK {[N,] [D,] [CP,] ...} (§1.4)"},

	/* IKE_INTERMEDIATE (RFC 9242 §3; KE with RFC 9370 §2.2.2) */
	{IKE_INTERMEDIATE, 0, 0, B(IKE_PL_KE) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {[KEi(n),] ...} (RFC 9242)"},
	{IKE_INTERMEDIATE, 1, 0, B(IKE_PL_KE) | B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR), "HDR, SK {[KEr(n),] ...} (RFC 9242)"},

	/* IKE_FOLLOWUP_KE (RFC 9370 §2.2.4) */
	{IKE_FOLLOWUP_KE, 0, B(IKE_PL_KE) | B(IKE_PL_NOTIFY), B(IKE_PL_VENDOR),
	 "HDR, SK {KEi(n), N(ADDITIONAL_KEY_EXCHANGE)} (RFC 9370 §2.2.4)"},
	{IKE_FOLLOWUP_KE, 1, B(IKE_PL_KE), B(IKE_PL_NOTIFY) | B(IKE_PL_VENDOR),
	 "HDR, SK {KEr(n), [N(ADDITIONAL_KEY_EXCHANGE)]} (RFC 9370 §2.2.4)"},
	{IKE_FOLLOWUP_KE, 1, B(IKE_PL_NOTIFY), B(IKE_PL_VENDOR), "HDR, SK {N(error)} (RFC 9370 §2.2.4)"},
};

/* violations counts what is wrong with |counts| for |r|; |what| describes the first problem. */
static unsigned violations(const struct ike_rule *r, const unsigned counts[33], char *what, size_t cap)
{
	unsigned v = 0;

	what[0] = '\0';
	for (int t = 33; t <= 54; t++) {
		uint32_t bit = B(t);
		unsigned c = counts[t - 32];

		if ((r->required & bit) && c == 0) {
			if (v++ == 0)
				snprintf(what, cap, "%s missing (required)", ike_payload_name(t));
		} else if (c > 0 && !((r->required | r->optional) & bit)) {
			if (v++ == 0)
				snprintf(what, cap, "%s not allowed", ike_payload_name(t));
		} else if (c > 1 && !(MULTI & bit)) {
			if (v++ == 0)
				snprintf(what, cap, "%s appears %u times, expected at most once", ike_payload_name(t), c);
		}
	}
	return v;
}

int ike_rules_check(int exchange, int is_response, const uint8_t *types, size_t n, struct ike_err *err)
{
	unsigned counts[33] = {0};
	const struct ike_rule *best = NULL;
	unsigned best_v = ~0u;
	char best_what[96] = "", what[96];
	char xb[IKE_NAME_BUF];

	for (size_t i = 0; i < n; i++)
		if (ike_payload_known(types[i]) && types[i] >= 33 && types[i] <= 54)
			counts[types[i] - 32]++;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const struct ike_rule *r = &rules[i];
		unsigned v;

		if (r->exchange != exchange || r->response != (is_response != 0))
			continue;
		v = violations(r, counts, what, sizeof what);
		if (v == 0)
			return 0;
		if (v < best_v) {
			best_v = v;
			best = r;
			memcpy(best_what, what, sizeof best_what);
		}
	}
	if (best == NULL)
		return 0; /* no rows for this exchange: nothing to enforce */
	return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, 0, 0, "%s %s: %s, expected %s",
			   ike_name_fmt(&ike_exchange_names, exchange, xb, sizeof xb),
			   is_response ? "response" : "request", best_what, best->flow);
}

int ike_rules_check_msg(const struct ike_msg *m, struct ike_err *err)
{
	uint8_t types[IKE_CHAIN_MAX];
	size_t n = 0;
	char xb[IKE_NAME_BUF];

	if (m->hdr.exchange == IKE_SA_INIT) {
		for (size_t i = 0; i < m->outer.n; i++)
			types[n++] = m->outer.pl[i].type;
		return ike_rules_check(m->hdr.exchange, ike_hdr_is_response(&m->hdr), types, n, err);
	}
	/* every other exchange is protected: only SK/SKF in the clear (§1.2-§1.4) */
	for (size_t i = 0; i < m->outer.n; i++) {
		const struct ike_pl *p = &m->outer.pl[i];

		if (p->unknown || p->type == IKE_PL_SK || p->type == IKE_PL_SKF)
			continue;
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, p->type, p->offset,
				   "%s %s: %s outside the Encrypted payload, expected every payload inside SK",
				   ike_name_fmt(&ike_exchange_names, m->hdr.exchange, xb, sizeof xb),
				   ike_hdr_is_response(&m->hdr) ? "response" : "request", ike_payload_name(p->type));
	}
	if (m->sk == NULL)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, 0, 0,
				   "%s %s: no Encrypted payload, expected HDR, SK {...}",
				   ike_name_fmt(&ike_exchange_names, m->hdr.exchange, xb, sizeof xb),
				   ike_hdr_is_response(&m->hdr) ? "response" : "request");
	if (!m->inner_parsed)
		return 0; /* still encrypted (or one fragment): nothing more to check yet */
	for (size_t i = 0; i < m->inner.n; i++)
		types[n++] = m->inner.pl[i].type;
	return ike_rules_check(m->hdr.exchange, ike_hdr_is_response(&m->hdr), types, n, err);
}
