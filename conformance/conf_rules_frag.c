/*
 * conf_rules_frag.c — IKEv2 fragmentation (RFC 7383) and IP fragmentation.
 *
 *   RFC 7383 §2.3  fragmentation is negotiated in IKE_SA_INIT: both peers
 *                  send N(IKEV2_FRAGMENTATION_SUPPORTED); it is used only
 *                  when both did.
 *   RFC 7383 §2.5  "Only messages that contain an Encrypted payload are
 *                  subject to IKE fragmentation" (so never IKE_SA_INIT);
 *                  Fragment Number "MUST be less than or equal to" Total
 *                  Fragments and neither "MUST" be zero; Next Payload is the
 *                  first inner payload type in fragment 1 and "MUST be set to
 *                  zero" in the others.
 *   RFC 7383 §2    the point of the extension is that IKE messages are no
 *                  longer IP-fragmented once it is in use (checked as SHOULD).
 *   RFC 1858 §3    overlapping IP fragments with different data are the
 *                  classic filter-evasion pattern (advisory finding).
 *   RFC 7383 §1    large IKE messages that travel as IP fragments are lost
 *                  behind NATs and firewalls that drop fragments; a request
 *                  sent several times, IP-fragmented each time and never
 *                  answered is that field bug (advisory finding: no RFC 2119
 *                  keyword makes IKE fragmentation mandatory).
 */
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_keyset.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike_const.h"

static int init_has_fragsup(const struct conf_capture *c, const struct conf_ikesa *sa)
{
	if (sa->init_req < 0 || sa->init_resp < 0)
		return -1; /* unknown */
	return conf_ikev2_find_notify(&c->msg[sa->init_req].v2, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) >= 0 &&
	       conf_ikev2_find_notify(&c->msg[sa->init_resp].v2, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) >= 0;
}

/* skf_next: the next IKEv2 message with an SKF payload from message *|i| on, NULL after the last. */
static const struct conf_msg *skf_next(const struct conf_capture *c, uint32_t *i)
{
	while (*i < c->n_msg) {
		const struct conf_msg *m = &c->msg[(*i)++];
		if (m->version == 2 && m->v2.has_skf)
			return m;
	}
	return NULL;
}

static void chk_not_in_init(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_msg *m;
	for (uint32_t i = 0; (m = skf_next(c, &i));) {
		conf_checked(r);
		if (m->hdr.exch == IKE_SA_INIT)
			conf_fail(r, m->frame, "frame %u: IKE_SA_INIT %s carries an SKF (fragment %u/%u); IKE_SA_INIT "
				  "has no Encrypted payload to fragment", m->frame,
				  conf_msg_is_response(m) ? "response" : "request", m->v2.skf_num, m->v2.skf_total);
	}
	conf_pass(r, "%u IKE fragments, none in IKE_SA_INIT", r->n_checked);
}

static void chk_negotiated(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	const struct conf_msg *m;
	for (uint32_t i = 0; (m = skf_next(c, &i));) {
		int32_t s = ix->msg_sa[m - c->msg];
		if (s < 0)
			continue;
		const struct conf_ikesa *sa = &ix->sa[s];
		int ok = init_has_fragsup(c, sa);
		if (ok < 0)
			continue;
		conf_checked(r);
		if (!ok) {
			const struct conf_msg *q = &c->msg[sa->init_req], *p = &c->msg[sa->init_resp];
			conf_fail(r, m->frame, "frame %u: %s fragment %u/%u, but IKEV2_FRAGMENTATION_SUPPORTED was %s",
				  m->frame, ike_exchange_name(m->hdr.exch), m->v2.skf_num, m->v2.skf_total,
				  conf_ikev2_find_notify(&q->v2, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) < 0
					  ? "not in the IKE_SA_INIT request"
					  : "not in the IKE_SA_INIT response");
			conf_fail_more(r, q->frame);
			conf_fail_more(r, p->frame);
		}
	}
	conf_pass(r, "%u IKE fragments in SAs where both peers announced IKEV2_FRAGMENTATION_SUPPORTED",
		  r->n_checked);
}

static void chk_numbering(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_msg *m;
	for (uint32_t i = 0; (m = skf_next(c, &i));) {
		conf_checked(r);
		uint16_t n = m->v2.skf_num, t = m->v2.skf_total;
		if (t == 0 || n == 0 || n > t)
			conf_fail(r, m->frame, "frame %u: SKF Fragment Number %u, Total Fragments %u; expected "
				  "1 <= number <= total", m->frame, n, t);
	}
	conf_pass(r, "%u IKE fragments with 1 <= Fragment Number <= Total Fragments", r->n_checked);
}

static void chk_next_payload(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_msg *m;
	for (uint32_t i = 0; (m = skf_next(c, &i));) {
		if (m->v2.skf_num == 0)
			continue;
		/* the SKF's own Next Payload octet */
		int np = -1;
		for (int k = 0; k < m->v2.n_pl; k++)
			if (m->v2.pl[k].type == IKE_PL_SKF && m->v2.pl[k].off < m->len)
				np = m->raw[m->v2.pl[k].off];
		if (np < 0)
			continue;
		conf_checked(r);
		if (m->v2.skf_num == 1 && np == 0)
			conf_fail(r, m->frame, "frame %u: first IKE fragment (1/%u) with Next Payload 0, expected the "
				  "first inner payload type", m->frame, m->v2.skf_total);
		else if (m->v2.skf_num > 1 && np != 0)
			conf_fail(r, m->frame, "frame %u: IKE fragment %u/%u with Next Payload %d, expected 0", m->frame,
				  m->v2.skf_num, m->v2.skf_total, np);
	}
	conf_pass(r, "%u IKE fragments: Next Payload set in fragment 1 only", r->n_checked);
}

static void chk_complete(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		for (int resp = 0; resp < 2; resp++) {
			int32_t head = resp ? e->resp : e->req;
			if (head < 0 || !c->msg[head].v2.has_skf)
				continue;
			conf_checked(r);
			/* a complete set 1..m for some Total Fragments m */
			int complete = 0;
			uint16_t best_total = 0;
			uint8_t have[256];
			for (int32_t a = head; a >= 0 && !complete; a = ix->next_same[a]) {
				uint16_t t = c->msg[a].v2.skf_total;
				if (t == 0 || t > 255)
					continue;
				memset(have, 0, sizeof have);
				for (int32_t b = head; b >= 0; b = ix->next_same[b])
					if (c->msg[b].v2.skf_total == t && c->msg[b].v2.skf_num >= 1 &&
					    c->msg[b].v2.skf_num <= t)
						have[c->msg[b].v2.skf_num] = 1;
				int miss = 0;
				for (uint16_t f = 1; f <= t; f++)
					miss += !have[f];
				complete = miss == 0;
				best_total = t;
			}
			if (complete)
				continue;
			char list[96] = "";
			size_t w = 0;
			for (uint16_t f = 1; f <= best_total && w + 8 < sizeof list; f++)
				if (!have[f])
					w += (size_t)snprintf(list + w, sizeof list - w, "%s%u", w ? "," : "", f);
			const struct conf_msg *m = &c->msg[head];
			conf_fail(r, m->frame, "frame %u: %s %s (Message ID %u) fragmented into %u, fragment(s) %s never "
				  "seen", m->frame, ike_exchange_name(e->exch), resp ? "response" : "request", e->msgid,
				  best_total, list);
		}
	}
	conf_pass(r, "%u fragmented messages with every fragment 1..m present", r->n_checked);
}

static void chk_size(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	double lim = x->p->ikefrag_max;
	if (lim <= 0) {
		snprintf(r->why, sizeof r->why, "not checked: set --param ikefrag_max=OCTETS");
		return;
	}
	const struct conf_msg *m;
	for (uint32_t i = 0; (m = skf_next(c, &i));) {
		if (m->tr == CONF_TR_TCP)
			continue;
		conf_checked(r);
		if (m->ip_len > lim)
			conf_fail(r, m->frame, "frame %u: IKE fragment %u/%u in an IP datagram of %u octets, above "
				  "ikefrag_max %g", m->frame, m->v2.skf_num, m->v2.skf_total, m->ip_len, lim);
	}
	conf_pass(r, "%u IKE fragments within %g octets", r->n_checked, lim);
}

static void chk_no_ipfrag(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	struct conf_keyset pairs = {0}; /* address pair -> frame of the IKE_SA_INIT response */
	uint8_t *on = calloc(ix->n_sa ? ix->n_sa : 1, 1);
	if (!on)
		return;
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		const struct conf_ikesa *sa = &ix->sa[s];
		if (sa->version != 2 || init_has_fragsup(c, sa) != 1)
			continue;
		on[s] = 1;
		if (sa->have_init)
			conf_keyset_add(&pairs, conf_pair_key(sa->init_ip, sa->resp_ip), c->msg[sa->init_resp].frame);
	}
	conf_keyset_build(&pairs);
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		int32_t s = ix->msg_sa[i];
		if (s < 0 || !on[s] || m->tr == CONF_TR_TCP)
			continue;
		const struct conf_ikesa *sa = &ix->sa[s];
		uint32_t t0 = c->msg[sa->init_resp].frame;
		if (m->frame <= t0)
			continue;
		conf_checked(r);
		if (m->ip_fragmented)
			conf_fail(r, m->frame, "frame %u: %s %s of %u octets was IP-fragmented although IKE fragmentation "
				  "was negotiated (frames %u/%u)", m->frame, ike_exchange_name(m->hdr.exch),
				  conf_msg_is_response(m) ? "response" : "request", m->ip_len, c->msg[sa->init_req].frame, t0);
	}
	/* first fragments of IKE datagrams that never reassembled */
	for (uint32_t i = 0; i < c->n_pkt && pairs.n; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		uint32_t t0;
		if (!k->frag.is_fragment || !k->frag.first || k->frag.reassembled_in || !k->l4_partial ||
		    k->proto != CONF_IPPROTO_UDP)
			continue;
		int ike_port = k->sport == IKE_UDP_PORT || k->dport == IKE_UDP_PORT || k->sport == IKE_NATT_UDP_PORT ||
			       k->dport == IKE_NATT_UDP_PORT;
		if (!ike_port || !conf_pair_since(&pairs, k->src, k->dst, k->num, &t0))
			continue;
		conf_checked(r);
		conf_fail(r, k->num, "frame %u: first IP fragment of a UDP %u->%u datagram (IKE) after IKE fragmentation "
			  "was negotiated; the datagram never reassembled", k->num, k->sport, k->dport);
	}
	conf_keyset_free(&pairs);
	free(on);
	conf_pass(r, "%u IKE messages after negotiating IKE fragmentation, none IP-fragmented", r->n_checked);
}

static void chk_overlap(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (!k->frag.is_fragment)
			continue;
		conf_checked(r);
		if (k->frag.overlap == 2) {
			char a[16], b[16];
			conf_fail(r, k->num, "frame %u: IPv4 fragment (id 0x%04x, %s -> %s, offset %u) overlaps earlier "
				  "data with different octets", k->num, k->ip_id, conf_ipv4_fmt(k->src, a),
				  conf_ipv4_fmt(k->dst, b), k->frag_off);
		}
	}
	conf_pass(r, "%u IPv4 fragments, no conflicting overlaps", r->n_checked);
}

static void chk_ipfrag_unanswered(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		uint32_t n = 0, frag = 0, len = 0;
		for (int32_t j = e->req; j >= 0; j = ix->next_same[j]) {
			n++;
			frag += c->msg[j].ip_fragmented;
			len = c->msg[j].ip_len;
		}
		if (!frag)
			continue;
		conf_checked(r);
		if (e->resp >= 0 || n < 2 || frag < n)
			continue; /* answered, or not yet given up on in the capture */
		const struct conf_msg *m = &c->msg[e->req];
		int32_t s = ix->msg_sa[e->req];
		int neg = s >= 0 ? init_has_fragsup(c, &ix->sa[s]) : -1;
		conf_fail(r, m->frame, "frame %u: %s request (Message ID %u, IP datagram of %u octets) sent %u times, "
			  "IP-fragmented each time, never answered: fragments dropped on the path? IKE fragmentation "
			  "(RFC 7383) %s", m->frame, ike_exchange_name(e->exch), e->msgid, len, n,
			  neg == 1 ? "was negotiated but not used" : neg == 0 ? "was not negotiated" : "would avoid this");
		for (int32_t j = ix->next_same[e->req]; j >= 0; j = ix->next_same[j])
			conf_fail_more(r, c->msg[j].frame);
	}
	conf_pass(r, "%u IP-fragmented IKE requests, each answered (or not retransmitted)", r->n_checked);
}

const struct conf_rule conf_rules_frag[] = {
	{"ikefrag-not-in-init", "RFC 7383", "2.5", CONF_MUST, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "IKE_SA_INIT is never IKE-fragmented (no SKF)", chk_not_in_init},
	{"ikefrag-negotiated", "RFC 7383", "2.3", CONF_MUST, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "SKF only in SAs where both peers sent IKEV2_FRAGMENTATION_SUPPORTED", chk_negotiated},
	{"ikefrag-numbering", "RFC 7383", "2.5", CONF_MUST, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "1 <= Fragment Number <= Total Fragments", chk_numbering},
	{"ikefrag-next-payload", "RFC 7383", "2.5", CONF_MUST, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "SKF Next Payload: inner type in fragment 1, zero in the others", chk_next_payload},
	{"ikefrag-complete", "RFC 7383", "2.5", CONF_SHOULD, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "every fragment 1..m of a fragmented message is sent", chk_complete},
	{"ikefrag-size", "RFC 7383", "2.5.1", CONF_SHOULD, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "IKE fragments fit ikefrag_max (when given)", chk_size},
	{"ikefrag-no-ipfrag", "RFC 7383", "2", CONF_SHOULD, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "no IP-fragmented IKE datagram once IKE fragmentation is negotiated", chk_no_ipfrag},
	{"ikefrag-ipfrag-unanswered", "RFC 7383", "1", CONF_ADVISORY, CONF_SET_FRAG | CONF_SET_IKEV2,
	 "no IP-fragmented IKE request retransmitted and never answered (fragment-dropping path)",
	 chk_ipfrag_unanswered},
	{"ip-frag-overlap", "RFC 1858", "3", CONF_ADVISORY, CONF_SET_FRAG,
	 "IPv4 fragments do not overlap with different data", chk_overlap},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
