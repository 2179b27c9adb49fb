/* conf_ikesa.c — grouping IKE messages into SAs and exchanges. */
#include "conformance/conf_ikesa.h"

#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_const.h"

static const uint8_t zero8[8];

static int32_t find_sa(const struct conf_ikesa_index *ix, int version, const uint8_t *spi_i)
{
	/* latest first: SPIs are random, a reused one means a later SA */
	for (uint32_t i = ix->n_sa; i-- > 0;)
		if (ix->sa[i].version == version && memcmp(ix->sa[i].spi_i, spi_i, 8) == 0)
			return (int32_t)i;
	return -1;
}

void conf_ikesa_free(struct conf_ikesa_index *ix)
{
	if (!ix)
		return;
	free(ix->sa);
	free(ix->x);
	free(ix->msg_sa);
	free(ix->msg_x);
	free(ix->next_same);
	free(ix);
}

struct conf_ikesa_index *conf_ikesa_build(const struct conf_capture *c)
{
	struct conf_ikesa_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return NULL;
	size_t n = c->n_msg ? c->n_msg : 1;
	ix->sa = calloc(n, sizeof *ix->sa);
	ix->x = calloc(n, sizeof *ix->x);
	ix->msg_sa = malloc(n * sizeof *ix->msg_sa);
	ix->msg_x = malloc(n * sizeof *ix->msg_x);
	ix->next_same = malloc(n * sizeof *ix->next_same);
	int32_t *last_same = malloc(n * 2 * sizeof *last_same); /* per exchange: last req, last resp */
	if (!ix->sa || !ix->x || !ix->msg_sa || !ix->msg_x || !ix->next_same || !last_same) {
		free(last_same);
		conf_ikesa_free(ix);
		return NULL;
	}
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		ix->msg_sa[i] = ix->msg_x[i] = ix->next_same[i] = -1;
		if (!m->hdr_ok || (m->version != 1 && m->version != 2))
			continue;
		int32_t s = find_sa(ix, m->version, m->hdr.spi_i);
		if (s < 0) {
			s = (int32_t)ix->n_sa++;
			struct conf_ikesa *sa = &ix->sa[s];
			sa->version = m->version;
			memcpy(sa->spi_i, m->hdr.spi_i, 8);
			sa->first_msg = (int32_t)i;
			sa->init_req = sa->init_resp = -1;
		}
		struct conf_ikesa *sa = &ix->sa[s];
		ix->msg_sa[i] = s;
		sa->n_msgs++;
		if (!sa->have_spi_r && memcmp(m->hdr.spi_r, zero8, 8) != 0) {
			memcpy(sa->spi_r, m->hdr.spi_r, 8);
			sa->have_spi_r = 1;
		}
		int first_request = m->version == 2
			? m->hdr.exch == IKE_SA_INIT && !conf_msg_is_response(m)
			: memcmp(m->hdr.spi_r, zero8, 8) == 0;
		if (first_request && !sa->have_init) {
			sa->have_init = 1;
			sa->init_ip = m->flow.src;
			sa->init_port = m->flow.sport;
			sa->resp_ip = m->flow.dst;
			sa->resp_port = m->flow.dport;
		}
		if (m->version != 2)
			continue;
		if (m->hdr.exch == IKE_SA_INIT) {
			if (!conf_msg_is_response(m) && sa->init_resp < 0)
				sa->init_req = (int32_t)i;
			else if (conf_msg_is_response(m) && sa->init_resp < 0 && m->v2.has_sa)
				sa->init_resp = (int32_t)i;
		}
		int resp = conf_msg_is_response(m);
		uint8_t by_init = (uint8_t)(resp ? !conf_msg_by_init(m) : conf_msg_by_init(m));
		int32_t k = -1;
		for (uint32_t j = ix->n_x; j-- > 0;) {
			const struct conf_xchg *x = &ix->x[j];
			if (x->sa == (uint32_t)s && x->msgid == m->hdr.msgid && x->by_init == by_init) {
				k = (int32_t)j;
				break;
			}
		}
		/* An IKE_SA_INIT request after a response that differs from the first
		 * request is a retry (COOKIE / INVALID_KE): Message ID 0 again, but a
		 * new exchange. An identical one is a retransmission. */
		if (k >= 0 && !resp && m->hdr.exch == IKE_SA_INIT && ix->x[k].n_resp > 0 && ix->x[k].req >= 0) {
			const struct conf_msg *q = &c->msg[ix->x[k].req];
			if (q->len != m->len || memcmp(q->raw, m->raw, m->len) != 0)
				k = -1;
		}
		if (k < 0) {
			k = (int32_t)ix->n_x++;
			struct conf_xchg *x = &ix->x[k];
			x->sa = (uint32_t)s;
			x->msgid = m->hdr.msgid;
			x->exch = m->hdr.exch;
			x->by_init = by_init;
			x->req = x->resp = -1;
			last_same[2 * k] = last_same[2 * k + 1] = -1;
		}
		struct conf_xchg *x = &ix->x[k];
		ix->msg_x[i] = k;
		int slot = 2 * k + (resp ? 1 : 0);
		if (last_same[slot] >= 0)
			ix->next_same[last_same[slot]] = (int32_t)i;
		last_same[slot] = (int32_t)i;
		if (resp) {
			if (x->resp < 0)
				x->resp = (int32_t)i;
			x->n_resp++;
		} else {
			if (x->req < 0)
				x->req = (int32_t)i;
			x->n_req++;
		}
	}
	free(last_same);
	return ix;
}
