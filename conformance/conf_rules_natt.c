/*
 * conf_rules_natt.c — NAT traversal rules (RFC 3948, RFC 7296 §2.23).
 *
 * RFC text each rule checks:
 *   RFC 3948 §2.3  NAT-keepalive: "The sender MUST use a one-octet-long
 *                  payload with the value 0xFF."
 *   RFC 3948 §4    "A peer SHOULD send a NAT-keepalive packet if a need for
 *                  it is detected ... and if no other packet to the peer has
 *                  been sent in M seconds. M is a locally configurable
 *                  parameter with a default value of 20 seconds."
 *   RFC 3948 §2.1  "The SPI field in the ESP header MUST NOT be a zero
 *                  value." and the UDP "Source Port and Destination Port
 *                  MUST be the same as that used by IKE traffic".
 *   RFC 7296 §2.23 "The UDP payload of all packets containing IKE messages
 *                  sent on port 4500 MUST begin with the prefix of four
 *                  zeros"; NAT_DETECTION_*_IP data is the SHA-1 of SPIs,
 *                  address and port; "The IKE initiator MUST check the
 *                  NAT_DETECTION_SOURCE_IP or NAT_DETECTION_DESTINATION_IP
 *                  payloads if present, and if they do not match the
 *                  addresses in the outer packet, MUST tunnel all future IKE
 *                  and ESP packets associated with this IKE SA over UDP port
 *                  4500"; "if a NAT is detected, both devices MUST use UDP
 *                  encapsulation for ESP". (§2.23: "In this section only,
 *                  requirements listed as MUST apply only to implementations
 *                  supporting NAT traversal" — the rules apply only to SAs
 *                  whose IKE_SA_INIT carried NAT detection payloads.)
 */
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_keyset.h"
#include "conformance/conf_natd.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike_const.h"

static void chk_keepalive_format(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (k->kind == CONF_K_KEEPALIVE) {
			conf_checked(r);
		} else if (k->kind == CONF_K_ENCAP_BAD && k->bad_encap == CONF_BADENC_KEEPALIVE) {
			conf_checked(r);
			conf_fail(r, k->num, "frame %u: one-octet UDP-4500 payload that is not 0xFF", k->num);
		}
	}
	conf_pass(r, "%u NAT-keepalives, each one octet 0xFF", r->n_checked);
}

/* A keepalive sender: one UDP 4-tuple toward port 4500 that sent keepalives. */
struct ka_flow {
	uint32_t src, dst;
	uint16_t sport, dport;
};

static void chk_keepalive_interval(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	double lim = x->p->keepalive_interval + x->p->keepalive_slack;
	struct ka_flow seen[64];
	int n = 0;
	for (uint32_t i = 0; i < c->n_pkt && n < 64; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (k->kind != CONF_K_KEEPALIVE)
			continue;
		int dup = 0;
		for (int j = 0; j < n; j++)
			dup |= seen[j].src == k->src && seen[j].dst == k->dst && seen[j].sport == k->sport &&
			       seen[j].dport == k->dport;
		if (!dup)
			seen[n++] = (struct ka_flow){k->src, k->dst, k->sport, k->dport};
	}
	for (int j = 0; j < n; j++) {
		conf_checked(r);
		uint64_t prev = 0;
		uint32_t prev_frame = 0;
		for (uint32_t i = 0; i < c->n_pkt; i++) {
			const struct conf_pkt *k = &c->pkt[i];
			if (!k->ip_ok || k->src != seen[j].src || k->dst != seen[j].dst || k->sport != seen[j].sport ||
			    k->dport != seen[j].dport || k->frag.is_fragment)
				continue;
			if (prev_frame) {
				double gap = (double)(k->t_ns - prev) / 1e9;
				if (gap > lim) {
					char a[48];
					struct conf_flow f = {seen[j].src, seen[j].dst, seen[j].sport, seen[j].dport, 17};
					conf_fail(r, k->num,
						  "frames %u-%u: %s sent nothing for %.1f s while keepalives were in use; "
						  "expected a packet at least every %g s (+%g s slack)", prev_frame, k->num,
						  conf_flow_fmt(&f, a), gap, x->p->keepalive_interval, x->p->keepalive_slack);
					conf_fail_more(r, prev_frame);
				}
			}
			prev = k->t_ns;
			prev_frame = k->num;
		}
	}
	conf_pass(r, "%u keepalive senders: no silence longer than %g s", r->n_checked, lim);
}

static void chk_esp_spi(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (k->kind == CONF_K_ESP_UDP) {
			conf_checked(r);
		} else if (k->kind == CONF_K_ENCAP_BAD && k->bad_encap == CONF_BADENC_ZERO_SPI) {
			conf_checked(r);
			conf_fail(r, k->num, "frame %u: UDP-4500 payload of %u octets starts with SPI 0 (four zero "
				  "octets) but is not an IKE message", k->num, k->payload_len);
		}
	}
	conf_pass(r, "%u UDP-encapsulated ESP packets, none with SPI 0", r->n_checked);
}

static void chk_marker(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->tr == CONF_TR_UDP_ENCAP) {
			conf_checked(r);
		} else if (m->tr == CONF_TR_UDP &&
			   (m->flow.sport == IKE_NATT_UDP_PORT || m->flow.dport == IKE_NATT_UDP_PORT)) {
			conf_checked(r);
			conf_fail(r, m->frame, "frame %u: IKE message on UDP port 4500 without the non-ESP marker "
				  "(a receiver reads it as ESP with SPI 0x%02x%02x%02x%02x)", m->frame, m->raw[0],
				  m->raw[1], m->raw[2], m->raw[3]);
		}
	}
	conf_pass(r, "%u IKE messages on port 4500, all with the four-zero non-ESP marker", r->n_checked);
}

/*
 * natd_text says what NAT detection |e| shows. A SOURCE hash that
 * does not match the address and port as captured means a NAT between that
 * peer and the capture point, or a peer forcing UDP encapsulation with a
 * deliberately wrong hash (RFC 7296 §2.23 allows it; strongSwan does so with
 * kernel-libipsec): one capture cannot tell the two apart, so both are named.
 */
static const char *natd_text(const struct conf_capture *c, const struct conf_natd_eval *e, char *buf, size_t cap)
{
	if (e->state == CONF_NATD_NO_NAT) {
		snprintf(buf, cap, "no NAT");
		return buf;
	}
	size_t w = (size_t)snprintf(buf, cap, "NAT detected");
	const struct conf_natd_msg *side[2] = {&e->req, &e->resp};
	const int bad[2] = {e->nat_before_init, e->nat_before_resp};
	for (int k = 0; k < 2 && w < cap; k++) {
		if (!bad[k] || side[k]->msg < 0)
			continue;
		const struct conf_msg *m = &c->msg[side[k]->msg];
		char a[16];
		w += (size_t)snprintf(buf + w, cap - w, "%s the %s's SOURCE hash does not match %s:%u as captured: "
				      "forced encapsulation or NAT", w > 12 ? ";" : ":", k ? "responder" : "initiator",
				      conf_ipv4_fmt(m->flow.src, a), m->flow.sport);
	}
	if (e->dst_nat && w < cap)
		snprintf(buf + w, cap - w, "%s a DESTINATION hash differs (NAT after the capture point)",
			 w > 12 ? ";" : ":");
	return buf;
}

static void chk_natd_hash(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	uint32_t nat = 0, nonat = 0;
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		const struct conf_ikesa *sa = &ix->sa[s];
		if (sa->version != 2 || sa->init_req < 0)
			continue;
		struct conf_natd_eval e;
		conf_natd_eval(c, sa, &e);
		const struct conf_natd_msg *mm[2] = {&e.req, &e.resp};
		for (int k = 0; k < 2; k++) {
			const struct conf_natd_msg *o = mm[k];
			if (o->msg < 0 || o->n_src + o->n_dst == 0)
				continue;
			const struct conf_msg *m = &c->msg[o->msg];
			conf_checked(r);
			const char *what = k ? "response" : "request";
			if (o->bad_len)
				conf_fail(r, m->frame, "frame %u: IKE_SA_INIT %s carries a NAT_DETECTION hash that is not "
					  "%d octets (SHA-1)", m->frame, what, IKE_NAT_HASH_LEN);
			else if (o->src_swapped || o->dst_swapped)
				conf_fail(r, m->frame, "frame %u: IKE_SA_INIT %s: the NAT_DETECTION_%s_IP hash is the "
					  "one of the %s address/port (source and destination swapped)", m->frame, what,
					  o->src_swapped ? "SOURCE" : "DESTINATION",
					  o->src_swapped ? "destination" : "source");
			else if (o->zero_spir)
				conf_fail(r, m->frame, "frame %u: IKE_SA_INIT response: NAT_DETECTION hashes computed "
					  "with a zero SPIr instead of the SPIs of its own header", m->frame);
		}
		if (e.state == CONF_NATD_NAT)
			nat++;
		else if (e.state == CONF_NATD_NO_NAT)
			nonat++;
		if (r->n_checked && r->verdict != CONF_FAIL) {
			char t[300];
			conf_pass(r, "%u IKE_SA_INIT messages with well-formed NAT detection hashes; last SA: %s "
				  "(%u SAs with NAT, %u without)", r->n_checked, natd_text(c, &e, t, sizeof t), nat,
				  nonat);
		}
	}
}

/* after_init: message |i| comes after the IKE_SA_INIT exchange of |sa|. */
static int after_init(const struct conf_capture *c, const struct conf_ikesa *sa, uint32_t frame)
{
	return sa->init_resp >= 0 && frame > c->msg[sa->init_resp].frame;
}

static void chk_float(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	uint8_t *nat = calloc(ix->n_sa ? ix->n_sa : 1, 1);
	if (!nat)
		return;
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		const struct conf_ikesa *sa = &ix->sa[s];
		if (sa->version != 2 || sa->init_req < 0 || sa->init_resp < 0)
			continue;
		struct conf_natd_eval e;
		conf_natd_eval(c, sa, &e);
		nat[s] = e.state == CONF_NATD_NAT;
	}
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		int32_t s = ix->msg_sa[i];
		if (s < 0 || !nat[s] || !after_init(c, &ix->sa[s], m->frame))
			continue;
		conf_checked(r);
		if (m->tr == CONF_TR_UDP_ENCAP || m->tr == CONF_TR_TCP)
			continue;
		const struct conf_ikesa *sa = &ix->sa[s];
		struct conf_natd_eval e;
		char t[300];
		conf_natd_eval(c, sa, &e);
		natd_text(c, &e, t, sizeof t);
		conf_fail(r, m->frame, "frame %u: %s %s on UDP %u->%u after %s in IKE_SA_INIT (frames %u/%u); "
			  "expected UDP port 4500 with the non-ESP marker", m->frame, ike_exchange_name(m->hdr.exch),
			  conf_msg_is_response(m) ? "response" : "request", m->flow.sport, m->flow.dport, t,
			  c->msg[sa->init_req].frame, c->msg[sa->init_resp].frame);
	}
	free(nat);
	conf_pass(r, "%u IKE messages after NAT detection, all on UDP 4500 (or TCP)", r->n_checked);
}

static void chk_esp_encap(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	struct conf_keyset nat = {0}; /* address pair -> frame of the IKE_SA_INIT response that showed a NAT */
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		const struct conf_ikesa *sa = &ix->sa[s];
		if (sa->version != 2 || sa->init_req < 0 || sa->init_resp < 0 || !sa->have_init)
			continue;
		struct conf_natd_eval e;
		conf_natd_eval(c, sa, &e);
		if (e.state == CONF_NATD_NAT)
			conf_keyset_add(&nat, conf_pair_key(sa->init_ip, sa->resp_ip), c->msg[sa->init_resp].frame);
	}
	conf_keyset_build(&nat);
	for (uint32_t i = 0; i < c->n_esp && nat.n; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		uint32_t t0;
		if (!conf_pair_since(&nat, p->flow.src, p->flow.dst, p->frame, &t0))
			continue;
		conf_checked(r);
		if (p->tr != CONF_TR_IP)
			continue;
		char a[16], b[16];
		conf_fail(r, p->frame, "frame %u: ESP (protocol 50) SPI 0x%08x %s -> %s after a NAT was detected "
			  "(IKE_SA_INIT frame %u); expected UDP encapsulation", p->frame, p->spi,
			  conf_ipv4_fmt(p->flow.src, a), conf_ipv4_fmt(p->flow.dst, b), t0);
	}
	conf_keyset_free(&nat);
	conf_pass(r, "%u ESP packets after NAT detection, all UDP-encapsulated", r->n_checked);
}

static void chk_esp_ports(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	struct conf_keyset pairs = {0}, tuples = {0};
	for (uint32_t j = 0; j < c->n_msg; j++) {
		const struct conf_msg *m = &c->msg[j];
		if (m->tr != CONF_TR_UDP_ENCAP)
			continue;
		conf_keyset_add(&pairs, conf_pair_key(m->flow.src, m->flow.dst), 0);
		conf_keyset_add(&tuples, conf_tuple_key(m->flow.src, m->flow.dst, m->flow.sport, m->flow.dport), 0);
		conf_keyset_add(&tuples, conf_tuple_key(m->flow.dst, m->flow.src, m->flow.dport, m->flow.sport), 0);
	}
	conf_keyset_build(&pairs);
	conf_keyset_build(&tuples);
	for (uint32_t i = 0; i < c->n_esp && pairs.n; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		if (p->tr != CONF_TR_UDP || !conf_keyset_find(&pairs, conf_pair_key(p->flow.src, p->flow.dst), NULL))
			continue;
		conf_checked(r);
		if (!conf_keyset_find(&tuples, conf_tuple_key(p->flow.src, p->flow.dst, p->flow.sport, p->flow.dport),
				      NULL)) {
			char a[48];
			conf_fail(r, p->frame, "frame %u: ESP-in-UDP %s uses ports no IKE message between these hosts "
				  "used", p->frame, conf_flow_fmt(&p->flow, a));
		}
	}
	conf_keyset_free(&pairs);
	conf_keyset_free(&tuples);
	conf_pass(r, "%u ESP-in-UDP packets on the ports of their IKE SA", r->n_checked);
}

const struct conf_rule conf_rules_natt[] = {
	{"natt-keepalive-format", "RFC 3948", "2.3", CONF_MUST, CONF_SET_NATT,
	 "NAT-keepalive is exactly one octet 0xFF", chk_keepalive_format},
	{"natt-keepalive-interval", "RFC 3948", "4", CONF_SHOULD, CONF_SET_NATT,
	 "a keepalive sender is never silent longer than keepalive_interval", chk_keepalive_interval},
	{"natt-esp-spi-nonzero", "RFC 3948", "2.1", CONF_MUST, CONF_SET_NATT | CONF_SET_ESP,
	 "UDP-encapsulated ESP never has SPI 0", chk_esp_spi},
	{"natt-ike-marker", "RFC 7296", "2.23", CONF_MUST, CONF_SET_NATT | CONF_SET_IKEV2,
	 "IKE on UDP 4500 starts with the four-zero non-ESP marker", chk_marker},
	{"natt-natd-hash", "RFC 7296", "2.23", CONF_MUST, CONF_SET_NATT | CONF_SET_IKEV2,
	 "NAT_DETECTION_* hashes are SHA-1(SPIs | IP | port) of the packet; NAT or no NAT reported",
	 chk_natd_hash},
	{"natt-float-4500", "RFC 7296", "2.23", CONF_MUST, CONF_SET_NATT | CONF_SET_IKEV2,
	 "after a NAT is detected, IKE_AUTH and later messages use UDP 4500", chk_float},
	{"natt-esp-encap", "RFC 7296", "2.23", CONF_MUST, CONF_SET_NATT | CONF_SET_ESP,
	 "after a NAT is detected, ESP is UDP-encapsulated", chk_esp_encap},
	{"natt-esp-ports", "RFC 3948", "2.1", CONF_MUST, CONF_SET_NATT | CONF_SET_ESP,
	 "ESP-in-UDP uses the same ports as the IKE traffic", chk_esp_ports},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
