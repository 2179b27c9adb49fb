/*
 * conf_rules_esp.c — ESP header rules (RFC 4303) on the cleartext SPI and
 * Sequence Number of every ESP packet (protocol 50, UDP 4500, TCP frame).
 *
 *   §2.1   "The SPI value of zero (0) is reserved for local, implementation-
 *          specific use and MUST NOT be sent on the wire."
 *   §3.3.3 "The sender increments the sequence number ... Thus, the first
 *          packet sent using a given SA will contain a sequence number of
 *          1." / "the sender MUST NOT send a packet on an SA if doing so
 *          would cause the sequence number to cycle."
 *
 * Sequence numbers are checked as captured: a capture point behind a
 * reordering network shows reordering as a decrease (the explanation says
 * so). With ESN the low 32 bits wrap; a drop from >= 0xffff0000 to < 0x10000
 * is taken as that wrap and not reported.
 */
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike_const.h"

struct sa_state {
	uint32_t spi, src, dst;
	uint32_t last_seq, last_frame, first_frame;
	uint64_t first_t;
};

/* sa_get finds or adds the state of (spi, src, dst); NULL when full. */
static struct sa_state *sa_get(struct sa_state *v, uint32_t *n, uint32_t cap, const struct conf_esp_rec *p,
			       int *is_new)
{
	for (uint32_t i = *n; i-- > 0;)
		if (v[i].spi == p->spi && v[i].src == p->flow.src && v[i].dst == p->flow.dst) {
			*is_new = 0;
			return &v[i];
		}
	if (*n >= cap)
		return NULL;
	struct sa_state *s = &v[(*n)++];
	memset(s, 0, sizeof *s);
	s->spi = p->spi;
	s->src = p->flow.src;
	s->dst = p->flow.dst;
	*is_new = 1;
	return s;
}

static void chk_seq(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	uint32_t cap = 4096, n = 0;
	struct sa_state *v = calloc(cap, sizeof *v);
	if (!v)
		return;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		int is_new;
		struct sa_state *s = sa_get(v, &n, cap, p, &is_new);
		if (!s)
			continue;
		if (is_new) {
			s->last_seq = p->seq;
			s->last_frame = p->frame;
			continue;
		}
		conf_checked(r);
		if (p->seq == s->last_seq) {
			conf_fail(r, p->frame, "frame %u: ESP SPI 0x%08x sequence number %u repeated (also frame %u)",
				  p->frame, p->spi, p->seq, s->last_frame);
			conf_fail_more(r, s->last_frame);
		} else if (p->seq < s->last_seq && !(s->last_seq >= 0xffff0000u && p->seq < 0x10000u)) {
			conf_fail(r, p->frame, "frame %u: ESP SPI 0x%08x sequence number went back from %u (frame %u) "
				  "to %u", p->frame, p->spi, s->last_seq, s->last_frame, p->seq);
			conf_fail_more(r, s->last_frame);
		}
		s->last_seq = p->seq;
		s->last_frame = p->frame;
	}
	conf_pass(r, "%u ESP packets on %u SAs: sequence numbers strictly increase", r->n_checked, n);
	free(v);
}

static void chk_spi(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		conf_checked(r);
		if (p->spi == 0)
			conf_fail(r, p->frame, "frame %u: ESP packet with SPI 0 (%s)", p->frame,
				  p->tr == CONF_TR_IP ? "protocol 50" : "TCP frame");
	}
	conf_pass(r, "%u ESP packets, none with SPI 0", r->n_checked);
}

static void chk_first(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	uint32_t cap = 4096, n = 0;
	struct sa_state *v = calloc(cap, sizeof *v);
	if (!v)
		return;
	uint64_t win = (uint64_t)(x->p->esp_first_window * 1e9);
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		int is_new;
		struct sa_state *s = sa_get(v, &n, cap, p, &is_new);
		if (!s || !is_new)
			continue;
		/* A child SA negotiated in this capture just before: IKE_AUTH or
		 * CREATE_CHILD_SA response between the same hosts within the window. */
		const struct conf_msg *neg = NULL;
		for (uint32_t j = 0; j < c->n_msg; j++) {
			const struct conf_msg *m = &c->msg[j];
			if (m->frame >= p->frame)
				break;
			if (m->version != 2 || !conf_msg_is_response(m) ||
			    (m->hdr.exch != IKE_AUTH && m->hdr.exch != IKE_CREATE_CHILD_SA))
				continue;
			int between = (m->flow.src == p->flow.src && m->flow.dst == p->flow.dst) ||
				      (m->flow.src == p->flow.dst && m->flow.dst == p->flow.src);
			if (between && p->t_ns >= m->t_ns && p->t_ns - m->t_ns <= win)
				neg = m;
		}
		if (!neg)
			continue;
		conf_checked(r);
		if (p->seq != 1)
			conf_fail(r, p->frame, "frame %u: first ESP packet of SPI 0x%08x (new after %s at frame %u) has "
				  "sequence number %u, expected 1", p->frame, p->spi, ike_exchange_name(neg->hdr.exch),
				  neg->frame, p->seq);
	}
	conf_pass(r, "%u SAs first seen after their negotiation start at sequence number 1", r->n_checked);
	free(v);
}

const struct conf_rule conf_rules_esp[] = {
	{"esp-seq-increase", "RFC 4303", "3.3.3", CONF_MUST, CONF_SET_ESP,
	 "sequence numbers per SA strictly increase and never repeat", chk_seq},
	{"esp-spi-nonzero", "RFC 4303", "2.1", CONF_MUST, CONF_SET_ESP, "no ESP packet carries SPI 0", chk_spi},
	{"esp-seq-first", "RFC 4303", "3.3.3", CONF_MUST, CONF_SET_ESP,
	 "a new SA's first packet has sequence number 1", chk_first},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
