/*
 * ike_out.c — every message we send goes through here: the payloads are
 * built in the clear behind a header (e->build), then IKE_SA_INIT leaves
 * as is while everything else is wrapped in one SK payload, or — when
 * RFC 7383 was negotiated and the SK message would exceed fragment_size —
 * split into SKF fragments, each encrypted on its own (§2.5). The
 * datagrams are kept (struct ike_wire) so retransmissions are bit-identical
 * (§2.1) and a retransmitted request gets the very same response.
 */
#include "ref/ike/ike_engine.h"

#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_sk.h"

void ike_out_begin_hdr(struct ike_engine *e, struct ike_out *o, const struct ike_hdr *h)
{
	memset(o, 0, sizeof *o);
	o->exchange = h->exchange;
	o->response = (h->flags & IKE_FLAG_R) != 0;
	o->mid = h->msg_id;
	ike_msg_build_init(&o->mb, e->build, IKE_MSG_MAX, h);
}

void ike_out_begin(struct ike_sa *sa, struct ike_out *o, uint8_t exchange, int response, uint32_t mid)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof h);
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.major = IKE_MAJOR_VERSION;
	h.exchange = exchange;
	h.flags = (uint8_t)((sa->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0));
	h.msg_id = mid;
	ike_out_begin_hdr(sa->eng, o, &h);
}

int ike_out_add(struct ike_out *o, const struct ike_payload *p)
{
	if (p->type == IKE_PL_SA)
		o->n_proposals += p->u.sa.n_prop;
	return ike_msg_build_add(&o->mb, p);
}

int ike_out_notify(struct ike_out *o, uint16_t type, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		   const uint8_t *data, size_t len)
{
	uint8_t body[4 + IKE_MAX_SPI_LEN + 256];

	if (spi_size > IKE_MAX_SPI_LEN || len > 256)
		return IKE_E_ARG;
	body[0] = proto;
	body[1] = spi_size;
	ike_put16(body + 2, type);
	if (spi_size)
		memcpy(body + 4, spi, spi_size);
	if (len)
		memcpy(body + 4 + spi_size, data, len);
	return ike_msg_build_add_raw(&o->mb, IKE_PL_NOTIFY, 0, body, 4u + spi_size + len);
}

static int wire_reserve(struct ike_wire *w, size_t total)
{
	ike_wire_free(w);
	w->data = malloc(total ? total : 1);
	return w->data != NULL ? 0 : IKE_E_BUFFER;
}

/* seal_one builds one SK (num 0) or SKF (num >= 1) message of |chunk| into e->sk and encrypts it. */
static int seal_one(struct ike_sa *sa, const struct ike_hdr *h, uint8_t first, const uint8_t *chunk, size_t len,
		    uint16_t num, uint16_t total, size_t *out_len)
{
	struct ike_engine *e = sa->eng;
	struct ike_msg_builder mb;
	struct ike_sk_seal seal;
	struct crypto_diag d;
	size_t iv, icv, blk;
	int rc;

	ike_sk_layout(sa->keys, &iv, &icv, &blk);
	ike_msg_build_init(&mb, e->sk, IKE_MSG_MAX, h);
	if (num == 0) {
		ike_msg_build_sk_begin(&mb, iv, icv, blk);
		if (mb.err == 0)
			e->sk[mb.sk_off] = first; /* SK's Next Payload: the first inner payload (§3.14) */
	} else {
		ike_msg_build_skf_begin(&mb, num, total, first, iv, icv, blk);
	}
	ike_msg_build_sk_raw(&mb, chunk, len);
	rc = ike_msg_build_sk_end(&mb, &seal);
	if (rc < 0)
		return rc;
	rc = ike_sk_encrypt(sa->keys, sa->initiator, &seal, &e->cb.rng, &d);
	if (rc != 0) {
		ike_ev_drop(e, sa, "encrypt", d.msg);
		return IKE_E_ARG;
	}
	*out_len = seal.msg_len;
	return 0;
}

int ike_out_finish(struct ike_sa *sa, struct ike_out *o, struct ike_wire *w)
{
	struct ike_engine *e = sa->eng;
	struct ike_hdr h;
	struct ike_err err;
	size_t len, inner_len, iv, icv, blk, marker, limit, one, chunk_max, n;
	const uint8_t *inner;
	uint8_t first;
	int rc;

	rc = ike_msg_build_finish(&o->mb, &len);
	if (rc < 0)
		return rc;
	if (o->exchange == IKE_SA_INIT) {
		if (wire_reserve(w, len) < 0)
			return IKE_E_BUFFER;
		memcpy(w->data, e->build, len);
		w->len = len;
		w->n = 1;
		w->off[0] = 0;
		w->off[1] = len;
		return 0;
	}
	if (sa->keys == NULL)
		return IKE_E_ARG;
	ike_hdr_parse(&h, e->build, len, &err);
	first = e->build[16];
	inner = e->build + IKE_HDR_LEN;
	inner_len = len - IKE_HDR_LEN;
	ike_sk_layout(sa->keys, &iv, &icv, &blk);
	marker = sa->path.local_port == e->cfg.natt_port ? IKE_NON_ESP_MARKER_LEN : 0;
	limit = e->cfg.fragment_size;
	one = IKE_HDR_LEN + IKE_PAYLOAD_HDR_LEN + iv + (inner_len + 1 + blk - 1) / blk * blk + icv;
	if (!sa->frag || one + marker <= limit || inner_len == 0) {
		rc = seal_one(sa, &h, first, inner, inner_len, 0, 0, &len);
		if (rc < 0)
			return rc;
		if (wire_reserve(w, len) < 0)
			return IKE_E_BUFFER;
		memcpy(w->data, e->sk, len);
		w->len = len;
		w->n = 1;
		w->off[0] = 0;
		w->off[1] = len;
		return 0;
	}
	/* RFC 7383 §2.5: each fragment = HDR, SKF {Fragment Number, Total Fragments, IV, part, pad, ICV} */
	if (limit < marker + IKE_HDR_LEN + 8 + iv + icv + blk)
		return IKE_E_ARG;
	chunk_max = (limit - marker - IKE_HDR_LEN - 8 - iv - icv) / blk * blk - 1;
	if (chunk_max == 0)
		return IKE_E_ARG;
	n = (inner_len + chunk_max - 1) / chunk_max;
	if (n > IKE_WIRE_MAX_FRAGS) {
		ike_ev_drop(e, sa, "too-many-fragments", "message needs more than 64 fragments at this fragment_size");
		return IKE_E_LIMIT;
	}
	if (wire_reserve(w, n * limit) < 0)
		return IKE_E_BUFFER;
	w->n = n;
	w->len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t off = i * chunk_max, part = inner_len - off < chunk_max ? inner_len - off : chunk_max;

		rc = seal_one(sa, &h, first, inner + off, part, (uint16_t)(i + 1), (uint16_t)n, &len);
		if (rc < 0)
			return rc;
		w->off[i] = w->len;
		memcpy(w->data + w->len, e->sk, len);
		w->len += len;
	}
	w->off[n] = w->len;
	return 0;
}

void ike_out_send_wire(struct ike_engine *e, const struct ike_wire *w, const struct ike_path *path,
		       struct ike_sa *sa, int retransmit)
{
	size_t marker = path->local_port == e->cfg.natt_port ? IKE_NON_ESP_MARKER_LEN : 0;

	(void)retransmit;
	for (size_t i = 0; i < w->n; i++) {
		size_t len = w->off[i + 1] - w->off[i];

		memset(e->tx, 0, marker); /* RFC 3948 §2.2: four zero octets before IKE on 4500 */
		memcpy(e->tx + marker, w->data + w->off[i], len);
		if (e->cb.send != NULL)
			e->cb.send(e->cb.ctx, path, e->tx, len + marker);
		if (w->n > 1) {
			e->counts.frags_sent++;
			if (sa != NULL)
				sa->counts.frags_sent++;
		}
	}
	if (sa != NULL) {
		ike_sa_touch(sa);
		ike_natt_sent(sa, e->now);
	}
}

static size_t wire_bytes(const struct ike_wire *w, const struct ike_path *path, uint16_t natt)
{
	return w->len + (path->local_port == natt ? IKE_NON_ESP_MARKER_LEN * w->n : 0);
}

/* ev_sent emits the "msg" event for the plaintext view of what was sent. */
static void ev_sent(struct ike_engine *e, struct ike_sa *sa, const struct ike_out *o, const struct ike_wire *w,
		    const struct ike_path *path)
{
	struct ike_msg m;
	struct ike_err err;
	size_t len = ike_get32(e->build + 24);

	if (e->cb.ev.emit == NULL)
		return;
	if (ike_msg_parse(&m, e->build, len, &err) == 0)
		ike_ev_msg(e, sa, "sent", &m, wire_bytes(w, path, e->cfg.natt_port), (uint16_t)(w->n > 1 ? w->n : 0),
			   o->n_proposals);
}

int ike_out_request(struct ike_sa *sa, struct ike_out *o, enum ike_req_kind kind)
{
	struct ike_engine *e = sa->eng;
	int rc = ike_out_finish(sa, o, &sa->req.wire);

	if (rc < 0) {
		ike_ev_drop(e, sa, "build", o->mb.err ? o->mb.e.msg : "could not protect the request");
		return rc;
	}
	sa->req.kind = kind;
	sa->req.exchange = o->exchange;
	sa->req.mid = o->mid;
	sa->req.path = sa->path;
	sa->req.tries = 0;
	sa->req.sent_ns = e->now;
	ev_sent(e, sa, o, &sa->req.wire, &sa->path);
	ike_out_send_wire(e, &sa->req.wire, &sa->path, sa, 0);
	sa->counts.msgs_sent++;
	e->counts.msgs_sent++;
	ike_retx_arm(sa, e->now);
	return 0;
}

int ike_out_oneshot(struct ike_sa *sa, struct ike_out *o)
{
	struct ike_engine *e = sa->eng;
	struct ike_wire w;
	int rc;

	memset(&w, 0, sizeof w);
	rc = ike_out_finish(sa, o, &w);
	if (rc == 0) {
		ev_sent(e, sa, o, &w, &sa->path);
		ike_out_send_wire(e, &w, &sa->path, sa, 0);
		sa->counts.msgs_sent++;
		e->counts.msgs_sent++;
	}
	ike_wire_free(&w);
	return rc;
}

int ike_out_response(struct ike_sa *sa, struct ike_out *o, const struct ike_path *to)
{
	struct ike_engine *e = sa->eng;
	int rc = ike_out_finish(sa, o, &sa->resp.wire);

	if (rc < 0) {
		sa->resp.valid = 0;
		ike_ev_drop(e, sa, "build", o->mb.err ? o->mb.e.msg : "could not protect the response");
		return rc;
	}
	sa->resp.valid = 1;
	sa->resp.mid = o->mid;
	sa->resp.exchange = o->exchange;
	ev_sent(e, sa, o, &sa->resp.wire, to);
	ike_out_send_wire(e, &sa->resp.wire, to, sa, 0);
	sa->counts.msgs_sent++;
	e->counts.msgs_sent++;
	return 0;
}

int ike_out_stateless(struct ike_engine *e, struct ike_out *o, const struct ike_path *to)
{
	struct ike_wire w;
	struct ike_msg m;
	struct ike_err err;
	size_t len;
	int rc = ike_msg_build_finish(&o->mb, &len);

	if (rc < 0)
		return rc;
	w.data = e->build;
	w.len = len;
	w.n = 1;
	w.off[0] = 0;
	w.off[1] = len;
	if (e->cb.ev.emit != NULL && ike_msg_parse(&m, e->build, len, &err) == 0)
		ike_ev_msg(e, NULL, "sent", &m, wire_bytes(&w, to, e->cfg.natt_port), 0, 0);
	ike_out_send_wire(e, &w, to, NULL, 0);
	e->counts.msgs_sent++;
	return 0;
}
