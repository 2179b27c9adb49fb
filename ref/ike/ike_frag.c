/*
 * ike_frag.c — RFC 7383 reassembly. Each SKF fragment is authenticated and
 * decrypted on its own before it is kept (§2.6: "...MUST verify
 * authenticity of each fragment"), so a forged fragment can never displace
 * a genuine one. One message per direction is reassembled at a time
 * (request, response), bounded by reassembly_max_fragments,
 * reassembly_max_bytes and reassembly_timeout. A fragment announcing MORE
 * fragments than the ones held means the sender re-fragmented smaller
 * (§2.6, PMTU): the old pieces go; one announcing fewer is ignored.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reasm_clear(struct ike_reasm *r)
{
	for (size_t i = 0; i < IKE_WIRE_MAX_FRAGS; i++) {
		free(r->piece[i]);
		r->piece[i] = NULL;
		r->piece_len[i] = 0;
	}
	r->active = 0;
	r->have = r->total = 0;
	r->bytes = r->wire_bytes = 0;
	r->due = UINT64_MAX;
}

void ike_frag_reset(struct ike_sa *sa)
{
	reasm_clear(&sa->reasm[0]);
	reasm_clear(&sa->reasm[1]);
}

static int refuse(struct ike_sa *sa, struct ike_reasm *r, const char *fmt, unsigned a, unsigned b)
{
	char msg[160];

	snprintf(msg, sizeof msg, fmt, a, b);
	ike_ev_drop(sa->eng, sa, "fragment", msg);
	if (r != NULL)
		reasm_clear(r);
	return -1;
}

int ike_frag_input(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *p, size_t len, size_t wire_len,
		   size_t *plain_len, uint8_t *first, uint16_t *frags, size_t *wire_total)
{
	struct ike_engine *e = sa->eng;
	int resp = ike_hdr_is_response(&m->hdr);
	struct ike_reasm *r = &sa->reasm[resp];
	uint16_t num = m->frag_num, total = m->frag_total;
	size_t off = 0;

	e->counts.frags_recv++;
	sa->counts.frags_recv++;
	if (total > e->cfg.reasm_max_frags || total > IKE_WIRE_MAX_FRAGS)
		return refuse(sa, NULL, "Total Fragments %u, expected at most %u (reassembly_max_fragments)", total,
			      (unsigned)e->cfg.reasm_max_frags);
	if (r->active && (r->mid != m->hdr.msg_id || r->exchange != m->hdr.exchange)) {
		if (r->mid > m->hdr.msg_id)
			return refuse(sa, NULL, "fragment of message %u while %u is being reassembled, expected the newer",
				      m->hdr.msg_id, r->mid);
		reasm_clear(r); /* a newer message: the old one will never complete */
	}
	if (r->active && total != r->total) {
		if (total < r->total)
			return refuse(sa, NULL, "Total Fragments %u below the %u already announced, expected >= (§2.6)",
				      total, r->total);
		reasm_clear(r);
	}
	if (!r->active) {
		r->active = 1;
		r->mid = m->hdr.msg_id;
		r->response = resp;
		r->exchange = m->hdr.exchange;
		r->total = total;
		r->due = e->now + e->cfg.reasm_timeout_ns;
	}
	if (r->piece[num - 1] != NULL)
		return 0; /* a duplicate (retransmission): keep the first */
	if (r->bytes + len > e->cfg.reasm_max_bytes)
		return refuse(sa, r, "reassembled message would exceed %u octets (reassembly_max_bytes %u)",
			      (unsigned)(r->bytes + len), (unsigned)e->cfg.reasm_max_bytes);
	r->piece[num - 1] = malloc(len ? len : 1);
	if (r->piece[num - 1] == NULL)
		return refuse(sa, r, "out of memory for fragment %u of %u", num, total);
	memcpy(r->piece[num - 1], p, len);
	r->piece_len[num - 1] = len;
	r->bytes += len;
	r->wire_bytes += wire_len;
	r->have++;
	if (num == 1)
		r->first_type = m->sk_first;
	if (r->have < r->total)
		return 0;
	for (size_t i = 0; i < r->total; i++) {
		memcpy(e->plain + off, r->piece[i], r->piece_len[i]);
		off += r->piece_len[i];
	}
	*plain_len = off;
	*first = r->first_type;
	*frags = r->total;
	*wire_total = r->wire_bytes;
	reasm_clear(r);
	return 1;
}

void ike_frag_timer(struct ike_sa *sa, uint64_t now)
{
	for (int i = 0; i < 2; i++) {
		struct ike_reasm *r = &sa->reasm[i];

		if (r->active && now >= r->due) {
			char msg[128];

			snprintf(msg, sizeof msg, "message %u: %u of %u fragments after reassembly_timeout", r->mid,
				 r->have, r->total);
			ike_ev_drop(sa->eng, sa, "reassembly-timeout", msg);
			reasm_clear(r);
		}
	}
}
