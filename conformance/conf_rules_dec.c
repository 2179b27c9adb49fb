/*
 * conf_rules_dec.c — rules that read what `vpnlab check --keys` decrypted
 * (conf_dec.h): the payloads inside SK/SKF, and the inner packets of ESP.
 * Without keys they are not applicable, except where the cleartext already
 * shows the fact (IKE_SA_INIT payloads, payloads outside SK).
 *
 * RFC text each rule checks:
 *   RFC 7296 §1.2-§1.4, §2.6, §2.16: the payloads of each exchange, as the
 *         table of ref/ike/ike_rules.c lists them (ike_rules_check_msg; the
 *         table is not repeated here).
 *   §1.2  the first IKE_AUTH request carries IDi and AUTH (or starts EAP,
 *         §2.16); the response carries IDr and AUTH; "If creating the
 *         Child SA during the IKE_AUTH exchange fails ... the IKE SA is
 *         still created" and the response carries an error Notify in place
 *         of SAr2/TSi/TSr.
 *   §2.4  "The INITIAL_CONTACT notification, if sent, MUST be in the first
 *         IKE_AUTH request or response, not as a separate exchange
 *         afterwards".
 *   §3.14 the Encrypted payload: Pad Length within the plaintext, the
 *         decrypted payloads a well-formed chain; RFC 7383 §2.5 the same
 *         for the content of the fragments joined in order.
 *   RFC 4303 §2.1 "The SPI is an arbitrary 32-bit value that is used by a
 *         receiver to identify the SA": ESP carries an SPI its receiver
 *         announced (RFC 7296 §3.3.1: the SA payload's SPI is the sender's
 *         inbound SPI).
 *   RFC 7296 §1.4.1 "When an SA is closed, both members of the pair MUST be
 *         closed"; "Deleting an IKE SA implicitly closes any remaining Child
 *         SAs negotiated under it".
 *   RFC 4303 §2.6 Next Header 4: the payload is an IPv4 packet (tunnel
 *         mode), which must be well formed (RFC 791 §3.1).
 *   RFC 4301 §5.2 inbound: the decrypted packet must match the selectors
 *         of its SA (those negotiated in TSi/TSr, RFC 7296 §2.9), "If the
 *         packet is not ... discard".
 *   RFC 4303 §2.4 "the following default processing MUST be used. The
 *         Padding bytes are initialized with a series of (unsigned, 1-byte
 *         integer) values ... 1, 2, 3, ...", and the ciphertext ends on the
 *         cipher's block (4-octet) boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_dec.h"
#include "conformance/conf_ikesa.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_keyset.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_msg.h"

static const char *dir_name(const struct ike_msg *m)
{
	return ike_hdr_is_response(&m->hdr) ? "response" : "request";
}

/* dec_or_na returns the decryption results, or NULL with the explanation of a not-applicable verdict. */
static const struct conf_dec *dec_or_na(const struct conf_ctx *x, struct conf_result *r)
{
	if (!x->c->dec)
		snprintf(r->why, sizeof r->why, "not applicable: needs decrypted content (vpnlab check --keys FILE)");
	return x->c->dec;
}

/* inner fills |m| with decrypted message |w| whose inner chain parsed; -1 if it did not. */
static int inner(const struct conf_ctx *x, uint32_t w, struct ike_msg *m)
{
	struct ike_err e;
	return x->c->dec->whole[w].inner_ok && conf_dec_inner(x->c, w, m, &e) == 0 ? 0 : -1;
}

/* whole_msg: the capture message that carries decrypted message |w|. */
static const struct conf_msg *whole_msg(const struct conf_ctx *x, uint32_t w)
{
	return &x->c->msg[x->c->dec->whole[w].msg];
}

/* ---- ikev2-payloads ---- */
static void chk_payloads(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = c->dec;
	uint32_t dec = 0;
	struct ike_msg m;
	struct ike_err e;
	/* cleartext: IKE_SA_INIT, and every other message's payloads outside SK */
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *cm = &c->msg[i];
		if (cm->version != 2 || cm->truncated || (d && d->msg[i].whole >= 0))
			continue;
		memset(&e, 0, sizeof e);
		if (ike_msg_parse(&m, cm->raw, cm->len, &e) < 0 || m.frag_num > 1)
			continue; /* malformed: other rules say why; fragments 2..n carry no first type */
		conf_checked(r);
		if (ike_rules_check_msg(&m, &e) < 0)
			conf_fail(r, cm->frame, "frame %u: %s", cm->frame, e.msg);
	}
	for (uint32_t w = 0; d && w < d->n_whole; w++) {
		memset(&e, 0, sizeof e);
		if (inner(x, w, &m) < 0)
			continue; /* ikev2-sk-content */
		conf_checked(r);
		dec++;
		if (ike_rules_check_msg(&m, &e) < 0)
			conf_fail(r, d->whole[w].frame, "frame %u (decrypted): %s", d->whole[w].frame, e.msg);
	}
	conf_pass(r, "%u IKEv2 messages (%u decrypted) carry the payloads their exchange requires and allows%s",
		  r->n_checked, dec, d ? "" : "; encrypted content not checked (no --keys)");
}

/* ---- ikev2-auth-payloads ---- */

/* error_notify: the message carries a Notify of an error type (< 16384, §3.10.1). */
static int error_notify(const struct ike_msg *m)
{
	for (size_t k = 0; k < m->inner.n; k++) {
		const struct ike_pl *p = &m->inner.pl[k];
		if (p->type == IKE_PL_NOTIFY && p->len >= 4 && ike_get16(p->body + 2) < IKE_N_INITIAL_CONTACT)
			return ike_get16(p->body + 2);
	}
	return 0;
}

static int has(const struct ike_msg *m, uint8_t t)
{
	return ike_msg_find(m, t, 0) != NULL;
}

static void chk_auth(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_ikesa_index *ix = x->sa;
	const struct conf_dec *d = dec_or_na(x, r);
	if (!d)
		return;
	for (uint32_t s = 0; s < ix->n_sa; s++) {
		/* the first decrypted IKE_AUTH request and response of the SA, and the last response with AUTH */
		int32_t req = -1, resp = -1, last_auth = -1;
		uint32_t req_mid = UINT32_MAX, resp_mid = UINT32_MAX;
		for (uint32_t w = 0; w < d->n_whole; w++) {
			const struct conf_msg *cm = whole_msg(x, w);
			struct ike_msg m;
			if (ix->msg_sa[d->whole[w].msg] != (int32_t)s || cm->hdr.exch != IKE_AUTH || inner(x, w, &m) < 0)
				continue;
			if (!ike_hdr_is_response(&m.hdr) && m.hdr.msg_id < req_mid) {
				req = (int32_t)w;
				req_mid = m.hdr.msg_id;
			}
			if (ike_hdr_is_response(&m.hdr)) {
				if (m.hdr.msg_id < resp_mid) {
					resp = (int32_t)w;
					resp_mid = m.hdr.msg_id;
				}
				if (has(&m, IKE_PL_AUTH))
					last_auth = (int32_t)w;
			}
		}
		if (req < 0 && resp < 0)
			continue;
		conf_checked(r);
		struct ike_msg q, p;
		int child = 0, eap = 0;
		if (resp >= 0 && inner(x, (uint32_t)resp, &p) == 0)
			eap = has(&p, IKE_PL_EAP);
		if (req >= 0 && inner(x, (uint32_t)req, &q) == 0) {
			uint32_t f = d->whole[req].frame;
			child = has(&q, IKE_PL_SA) && has(&q, IKE_PL_TSI) && has(&q, IKE_PL_TSR);
			if (!has(&q, IKE_PL_IDI))
				conf_fail(r, f, "frame %u: first IKE_AUTH request (Message ID %u) without IDi", f, q.hdr.msg_id);
			else if (!has(&q, IKE_PL_AUTH) && resp >= 0 && resp_mid == req_mid && !eap)
				conf_fail(r, f, "frame %u: first IKE_AUTH request without AUTH, and its response (frame %u) "
					  "starts no EAP (§2.16)", f, d->whole[resp].frame);
		}
		if (resp >= 0 && resp_mid == req_mid && inner(x, (uint32_t)resp, &p) == 0 &&
		    !error_notify(&p) && !has(&p, IKE_PL_IDR))
			conf_fail(r, d->whole[resp].frame, "frame %u: first IKE_AUTH response without IDr",
				  d->whole[resp].frame);
		if (child && last_auth >= 0 && inner(x, (uint32_t)last_auth, &p) == 0 &&
		    !(has(&p, IKE_PL_SA) && has(&p, IKE_PL_TSI) && has(&p, IKE_PL_TSR)) && !error_notify(&p)) {
			conf_fail(r, d->whole[last_auth].frame, "frame %u: IKE_AUTH response with AUTH but neither SAr2, "
				  "TSi, TSr nor an error Notify, although the request (frame %u) proposed a Child SA",
				  d->whole[last_auth].frame, d->whole[req].frame);
			conf_fail_more(r, d->whole[req].frame);
		}
	}
	conf_pass(r, "%u IKE SAs: IKE_AUTH carries IDi/AUTH, IDr/AUTH, and SA/TSi/TSr or an error Notify for the "
		  "Child SA", r->n_checked);
}

/* ---- ikev2-initial-contact ---- */
static void chk_initial_contact(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	const struct conf_dec *d = dec_or_na(x, r);
	uint32_t seen = 0;
	if (!d)
		return;
	/* per SA: the Message ID of its first IKE_AUTH exchange */
	uint32_t *first = malloc((ix->n_sa ? ix->n_sa : 1) * sizeof *first);
	if (!first)
		return;
	for (uint32_t s = 0; s < ix->n_sa; s++)
		first[s] = UINT32_MAX;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		int32_t s = ix->msg_sa[i];
		if (s >= 0 && m->version == 2 && m->hdr.exch == IKE_AUTH && m->hdr.msgid < first[s])
			first[s] = m->hdr.msgid;
	}
	for (uint32_t i = 0; i < c->n_msg; i++) { /* cleartext notifies (IKE_SA_INIT) */
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || d->msg[i].whole >= 0)
			continue;
		conf_checked(r);
		if (conf_ikev2_find_notify(&m->v2, IKE_N_INITIAL_CONTACT) >= 0) {
			seen++;
			conf_fail(r, m->frame, "frame %u: INITIAL_CONTACT in %s %s (cleartext); it belongs in the first "
				  "IKE_AUTH request or response", m->frame, ike_exchange_name(m->hdr.exch),
				  conf_msg_is_response(m) ? "response" : "request");
		}
	}
	for (uint32_t w = 0; w < d->n_whole; w++) {
		struct ike_msg m;
		if (inner(x, w, &m) < 0)
			continue;
		conf_checked(r);
		if (!ike_msg_find_notify(&m, IKE_N_INITIAL_CONTACT))
			continue;
		seen++;
		int32_t s = ix->msg_sa[d->whole[w].msg];
		if (m.hdr.exchange == IKE_AUTH && s >= 0 && m.hdr.msg_id == first[s])
			continue;
		conf_fail(r, d->whole[w].frame, "frame %u: INITIAL_CONTACT in %s %s (Message ID %u); it MUST be in the "
			  "first IKE_AUTH request or response%s", d->whole[w].frame, ike_exchange_name(m.hdr.exchange),
			  dir_name(&m), m.hdr.msg_id, m.hdr.exchange == IKE_AUTH ? " (this is a later IKE_AUTH)" : "");
	}
	free(first);
	conf_pass(r, "%u IKEv2 messages (decrypted or cleartext), %u INITIAL_CONTACT, each in the first IKE_AUTH "
		  "exchange", r->n_checked, seen);
}

/* ---- ikev2-sk-content ---- */
static void chk_sk_content(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = dec_or_na(x, r);
	if (!d)
		return;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_dec_msg *dm = &d->msg[i];
		if (dm->st == CONF_DEC_BAD) {
			conf_checked(r);
			conf_fail(r, c->msg[i].frame, "frame %u: authenticated, but %s", c->msg[i].frame, dm->note);
		} else if (dm->st == CONF_DEC_OK && dm->whole < 0 && !c->msg[i].v2.has_skf) {
			conf_checked(r);
		}
	}
	for (uint32_t w = 0; w < d->n_whole; w++) {
		const struct conf_dec_whole *dw = &d->whole[w];
		conf_checked(r);
		if (dw->inner_ok)
			continue;
		conf_fail(r, dw->frame, "frame %u: decrypted %s%s: %s", dw->frame,
			  dw->n_frags ? "fragments reassembled" : "SK payload", dw->n_frags ? " (RFC 7383 §2.5)" : "",
			  dw->summary);
		if (dw->n_frags)
			conf_fail_more(r, dw->first_frame);
	}
	conf_pass(r, "%u decrypted messages: valid padding and a well-formed inner payload chain (%u from fragments)",
		  r->n_checked, d->st.frag_sets);
	if (r->verdict != CONF_FAIL && d->st.ike_icv)
		snprintf(r->why + strlen(r->why), sizeof r->why - strlen(r->why),
			 "; %u messages did not verify with the given keys (not judged)", d->st.ike_icv);
}

/* ---- child SAs from the decrypted exchanges (SPIs, traffic selectors, pairs) ---- */

/* conf_child: one ESP SPI announced in a decrypted SA payload. */
struct child {
	uint32_t spi;           /* announced by |owner| for its inbound packets */
	uint32_t owner;         /* address of the announcing peer as captured */
	uint32_t peer_spi;      /* the other SPI of the pair (0 if unseen) */
	int32_t sa;             /* IKE SA index */
	int32_t whole;          /* the message announcing it */
	uint32_t frame;         /* frame of the exchange's response (negotiation complete) */
	int owner_initiated;    /* the owner sent the request of the exchange */
	int32_t ts_whole;       /* the response carrying TSi/TSr, -1 */
};

struct children {
	struct child *v;
	uint32_t n;
};

static uint32_t sa_esp_spi(const struct ike_msg *m)
{
	const struct ike_pl *p = ike_msg_find(m, IKE_PL_SA, 0);
	struct ike_sa_pl sa;
	struct ike_err e;
	if (!p || ike_payload_sa_parse(&sa, p->body, p->len, &e) < 0 || !sa.n_prop)
		return 0;
	if (sa.prop[0].proto != IKE_PROTO_ESP || sa.prop[0].spi_size != 4)
		return 0;
	const uint8_t *s = sa.prop[0].spi;
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}

/* children_build collects the ESP SPIs of decrypted IKE_AUTH / CREATE_CHILD_SA exchanges. */
static int children_build(const struct conf_ctx *x, struct children *ch)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = c->dec;
	const struct conf_ikesa_index *ix = x->sa;
	ch->n = 0;
	ch->v = calloc(2 * (size_t)(d->n_whole ? d->n_whole : 1), sizeof *ch->v);
	if (!ch->v)
		return -1;
	for (uint32_t w = 0; w < d->n_whole; w++) {
		struct ike_msg m;
		const struct conf_msg *cm = whole_msg(x, w);
		if ((cm->hdr.exch != IKE_AUTH && cm->hdr.exch != IKE_CREATE_CHILD_SA) || !conf_msg_is_response(cm) ||
		    inner(x, w, &m) < 0)
			continue;
		uint32_t rspi = sa_esp_spi(&m);
		if (!rspi)
			continue;
		/* the request of the same exchange (same SA, Message ID, requester), decrypted */
		int32_t xi = ix->msg_x[d->whole[w].msg];
		uint32_t ispi = 0;
		for (uint32_t v = 0; v < d->n_whole && xi >= 0; v++) {
			struct ike_msg q;
			if (ix->msg_x[d->whole[v].msg] != xi || conf_msg_is_response(whole_msg(x, v)) || inner(x, v, &q) < 0)
				continue;
			ispi = sa_esp_spi(&q);
			if (ispi)
				break;
		}
		struct child *a = &ch->v[ch->n++];
		*a = (struct child){rspi, cm->flow.src, ispi, ix->msg_sa[d->whole[w].msg], (int32_t)w,
				    d->whole[w].frame, 0, (int32_t)w};
		if (ispi) {
			struct child *b = &ch->v[ch->n++];
			*b = (struct child){ispi, cm->flow.dst, rspi, a->sa, (int32_t)w, d->whole[w].frame, 1, (int32_t)w};
		}
	}
	return 0;
}

static const struct child *child_find(const struct children *ch, uint32_t spi)
{
	for (uint32_t i = ch->n; i-- > 0;)
		if (ch->v[i].spi == spi)
			return &ch->v[i];
	return NULL;
}

/* ---- esp-spi-negotiated ---- */
static void chk_spi_negotiated(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	struct children ch;
	if (!dec_or_na(x, r) || children_build(x, &ch) < 0)
		return;
	/* the host pairs that negotiated a Child SA here, with the first such frame */
	struct conf_keyset pairs = {0};
	for (uint32_t i = 0; i < ch.n; i++) {
		const struct conf_msg *cm = whole_msg(x, (uint32_t)ch.v[i].whole);
		conf_keyset_add(&pairs, conf_pair_key(cm->flow.src, cm->flow.dst), ch.v[i].frame);
	}
	conf_keyset_build(&pairs);
	for (uint32_t i = 0; i < c->n_esp && pairs.n; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		uint32_t t0;
		if (!conf_pair_since(&pairs, p->flow.src, p->flow.dst, p->frame, &t0))
			continue;
		conf_checked(r);
		const struct child *k = child_find(&ch, p->spi);
		char a[16], b[16];
		if (!k)
			conf_fail(r, p->frame, "frame %u: ESP SPI 0x%08x %s -> %s was announced in no decrypted SA payload "
				  "(Child SAs negotiated from frame %u)", p->frame, p->spi, conf_ipv4_fmt(p->flow.src, a),
				  conf_ipv4_fmt(p->flow.dst, b), t0);
		else if (k->owner != p->flow.dst)
			conf_fail(r, p->frame, "frame %u: ESP SPI 0x%08x sent to %s, but %s announced it (frame %u) as "
				  "its own inbound SPI", p->frame, p->spi, conf_ipv4_fmt(p->flow.dst, a),
				  conf_ipv4_fmt(k->owner, b), k->frame);
	}
	conf_keyset_free(&pairs);
	free(ch.v);
	conf_pass(r, "%u ESP packets after a decrypted Child SA negotiation, each on an SPI its receiver announced",
		  r->n_checked);
}

/* ---- esp-after-delete ---- */
static void chk_after_delete(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	const struct conf_dec *d = dec_or_na(x, r);
	struct children ch;
	if (!d || children_build(x, &ch) < 0)
		return;
	struct conf_keyset gone = {0}; /* SPI -> frame after which it must not appear */
	uint64_t grace = (uint64_t)(x->p->delete_grace * 1e9);
	uint32_t n_del = 0;
	for (uint32_t w = 0; w < d->n_whole; w++) {
		struct ike_msg m;
		struct ike_err e;
		if (inner(x, w, &m) < 0 || !ike_msg_find(&m, IKE_PL_DELETE, 0))
			continue;
		/* closed once the exchange is over: at its response, or at the request if none was captured */
		int32_t xi = ix->msg_x[d->whole[w].msg];
		uint32_t cut = d->whole[w].frame;
		if (xi >= 0 && ix->x[xi].resp >= 0 && c->msg[ix->x[xi].resp].frame > cut)
			cut = c->msg[ix->x[xi].resp].frame;
		for (size_t k = 0; k < ike_msg_count(&m, IKE_PL_DELETE); k++) {
			const struct ike_pl *p = ike_msg_find(&m, IKE_PL_DELETE, k);
			struct ike_delete_pl dl;
			if (ike_payload_delete_parse(&dl, p->body, p->len, &e) < 0)
				continue;
			if (dl.proto == IKE_PROTO_IKE) { /* every Child SA of the IKE SA */
				int32_t s = ix->msg_sa[d->whole[w].msg];
				for (uint32_t i = 0; i < ch.n; i++)
					if (ch.v[i].sa == s) {
						conf_keyset_add(&gone, ch.v[i].spi, cut);
						n_del++;
					}
				continue;
			}
			for (uint16_t i = 0; i < dl.n_spi && dl.spi_size == 4; i++) {
				uint32_t spi = ike_delete_spi32(&dl, i);
				const struct child *k2 = child_find(&ch, spi);
				conf_keyset_add(&gone, spi, cut);
				n_del++;
				if (k2 && k2->peer_spi) { /* its pair goes with it */
					conf_keyset_add(&gone, k2->peer_spi, cut);
					n_del++;
				}
			}
		}
	}
	conf_keyset_build(&gone);
	for (uint32_t i = 0; i < c->n_esp && gone.n; i++) {
		const struct conf_esp_rec *p = &c->esp[i];
		uint32_t cut;
		if (!conf_keyset_find(&gone, p->spi, &cut))
			continue;
		conf_checked(r);
		const struct conf_pkt *k = conf_capture_pkt(c, cut);
		if (p->frame <= cut || (k && p->t_ns <= k->t_ns + grace))
			continue;
		conf_fail(r, p->frame, "frame %u: ESP on SPI 0x%08x after the INFORMATIONAL exchange that deleted it "
			  "ended (frame %u, %.3f s earlier)", p->frame, p->spi, cut,
			  k ? (double)(p->t_ns - k->t_ns) / 1e9 : 0.0);
		conf_fail_more(r, cut);
	}
	if (!r->n_checked && n_del)
		r->n_checked = gone.n; /* deletions seen, and no ESP on them at all: a pass */
	conf_pass(r, "%u ESP SPIs deleted (DELETE or the IKE SA's deletion): no ESP on them afterwards", gone.n);
	conf_keyset_free(&gone);
	free(ch.v);
}

/* ---- inner packets ---- */

/* inner_ipv4 checks a decrypted tunnel-mode payload; NULL if fine, else why (into |buf|). */
static const char *inner_ipv4(const struct conf_dec_esp *e, struct conf_ipv4 *h, char *buf, size_t cap)
{
	if (e->err == ESP_EINNER) {
		snprintf(buf, cap, "%s", esp_strerror(e->err));
		return buf;
	}
	char err[160];
	if (conf_ipv4_parse(e->head, e->head_len, h, err, sizeof err) < 0) {
		snprintf(buf, cap, "%s", err);
		return buf;
	}
	if (h->total_len != e->inner_len) {
		snprintf(buf, cap, "inner Total Length %u, but %u octets before the padding", h->total_len, e->inner_len);
		return buf;
	}
	if (conf_ipv4_checksum(e->head, h->hlen) != 0) {
		snprintf(buf, cap, "inner IPv4 header checksum 0x%04x is wrong", h->cksum);
		return buf;
	}
	return NULL;
}

static void chk_inner_ipv4(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = dec_or_na(x, r);
	uint32_t other = 0, dummy = 0;
	if (!d)
		return;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_dec_esp *e = &d->esp[i];
		if (e->st != CONF_DEC_OK)
			continue;
		if (e->err == ESP_EDUMMY) {
			dummy++;
			continue;
		}
		if (e->err == ESP_ENEXTHDR) { /* transport mode or IPv6: not judged here */
			other++;
			continue;
		}
		conf_checked(r);
		struct conf_ipv4 h;
		char why[200];
		if (inner_ipv4(e, &h, why, sizeof why))
			conf_fail(r, c->esp[i].frame, "frame %u: ESP SPI 0x%08x decrypted, next header 4, but the inner "
				  "packet is malformed: %s", c->esp[i].frame, c->esp[i].spi, why);
	}
	conf_pass(r, "%u decrypted ESP packets carry well-formed IPv4 packets (%u dummy, %u other next headers not "
		  "judged)", r->n_checked, dummy, other);
}

/* ts_match: |h| (and its ports from |l4|) fits one selector of |ts| as source (|src|) or destination. */
static int ts_match(const struct ike_ts_pl *ts, uint32_t addr, uint8_t proto, int have_port, uint16_t port)
{
	for (size_t k = 0; k < ts->n; k++) {
		const struct ike_ts *t = &ts->ts[k];
		if (t->type != IKE_TS_IPV4_ADDR_RANGE)
			continue;
		uint32_t lo = ike_get32(t->start), hi = ike_get32(t->end);
		if (addr < lo || addr > hi || (t->ip_proto && t->ip_proto != proto))
			continue;
		if (t->start_port == 0 && t->end_port == 65535)
			return 1;
		if (t->start_port > t->end_port) /* OPAQUE (§3.13.1) */
			return 1;
		if (have_port && port >= t->start_port && port <= t->end_port)
			return 1;
	}
	return 0;
}

static int ts_parse(const struct ike_msg *m, uint8_t type, struct ike_ts_pl *ts)
{
	const struct ike_pl *p = ike_msg_find(m, type, 0);
	struct ike_err e;
	return p && ike_payload_ts_parse(ts, p->body, p->len, &e) == 0 ? 0 : -1;
}

static void ts_str(const struct ike_ts_pl *ts, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = 0;
	for (size_t k = 0; k < ts->n && w + 40 < cap; k++) {
		char a[16], b[16];
		if (ts->ts[k].type != IKE_TS_IPV4_ADDR_RANGE)
			continue;
		w += (size_t)snprintf(buf + w, cap - w, "%s%s-%s", w ? "," : "", conf_ipv4_fmt(ike_get32(ts->ts[k].start), a),
				      conf_ipv4_fmt(ike_get32(ts->ts[k].end), b));
	}
}

static void chk_inner_ts(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = dec_or_na(x, r);
	struct children ch;
	if (!d || children_build(x, &ch) < 0)
		return;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_dec_esp *e = &d->esp[i];
		const struct child *k = child_find(&ch, c->esp[i].spi);
		struct conf_ipv4 h;
		char why[160];
		if (e->st != CONF_DEC_OK || e->err != ESP_OK || !k || inner_ipv4(e, &h, why, sizeof why))
			continue;
		struct ike_msg m;
		struct ike_ts_pl tsi, tsr;
		if (inner(x, (uint32_t)k->ts_whole, &m) < 0 || ts_parse(&m, IKE_PL_TSI, &tsi) < 0 ||
		    ts_parse(&m, IKE_PL_TSR, &tsr) < 0)
			continue;
		conf_checked(r);
		/* packets to the exchange's initiator run TSr -> TSi, to its responder TSi -> TSr */
		const struct ike_ts_pl *from = k->owner_initiated ? &tsr : &tsi, *to = k->owner_initiated ? &tsi : &tsr;
		int have_port = (h.proto == CONF_IPPROTO_TCP || h.proto == CONF_IPPROTO_UDP) && e->head_len >= h.hlen + 4u;
		uint16_t sport = have_port ? (uint16_t)(e->head[h.hlen] << 8 | e->head[h.hlen + 1]) : 0;
		uint16_t dport = have_port ? (uint16_t)(e->head[h.hlen + 2] << 8 | e->head[h.hlen + 3]) : 0;
		int ok_src = ts_match(from, h.src, h.proto, have_port, sport);
		int ok_dst = ts_match(to, h.dst, h.proto, have_port, dport);
		if (ok_src && ok_dst)
			continue;
		char a[16], b[16], fs[200], ts[200];
		ts_str(from, fs, sizeof fs);
		ts_str(to, ts, sizeof ts);
		conf_fail(r, c->esp[i].frame, "frame %u: ESP SPI 0x%08x carries %s -> %s (protocol %u), outside the "
			  "negotiated selectors %s -> %s (frame %u)", c->esp[i].frame, c->esp[i].spi,
			  conf_ipv4_fmt(h.src, a), conf_ipv4_fmt(h.dst, b), h.proto, fs, ts, k->frame);
		conf_fail_more(r, k->frame);
	}
	free(ch.v);
	conf_pass(r, "%u decrypted ESP packets within the traffic selectors negotiated for their SA", r->n_checked);
}

/* ---- esp-padding ---- */
static void chk_padding(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_dec *d = dec_or_na(x, r);
	if (!d)
		return;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_dec_esp *e = &d->esp[i];
		if (e->st != CONF_DEC_OK && e->st != CONF_DEC_BAD)
			continue;
		conf_checked(r);
		if (e->st == CONF_DEC_BAD)
			conf_fail(r, c->esp[i].frame, "frame %u: ESP SPI 0x%08x seq %u: %s", c->esp[i].frame, c->esp[i].spi,
				  c->esp[i].seq, e->note);
	}
	conf_pass(r, "%u authenticated ESP packets with padding 1, 2, 3, ... and an aligned trailer", r->n_checked);
}

const struct conf_rule conf_rules_dec[] = {
	{"ikev2-payloads", "RFC 7296", "1.2", CONF_MUST, CONF_SET_IKEV2 | CONF_SET_KEYS,
	 "every message carries the payloads its exchange requires and allows (inner ones when decrypted)",
	 chk_payloads},
	{"ikev2-auth-payloads", "RFC 7296", "1.2", CONF_MUST, CONF_SET_IKEV2 | CONF_SET_KEYS,
	 "IKE_AUTH: IDi+AUTH, IDr+AUTH, SA/TSi/TSr or an error Notify for the Child SA", chk_auth},
	{"ikev2-initial-contact", "RFC 7296", "2.4", CONF_MUST, CONF_SET_IKEV2 | CONF_SET_KEYS,
	 "INITIAL_CONTACT only in the first IKE_AUTH request or response", chk_initial_contact},
	{"ikev2-sk-content", "RFC 7296", "3.14", CONF_MUST, CONF_SET_IKEV2 | CONF_SET_FRAG | CONF_SET_KEYS,
	 "decrypted SK/SKF content: valid padding, well-formed inner payloads (fragments joined)", chk_sk_content},
	{"esp-spi-negotiated", "RFC 4303", "2.1", CONF_MUST, CONF_SET_ESP | CONF_SET_KEYS,
	 "ESP uses SPIs its receiver announced in a (decrypted) SA payload", chk_spi_negotiated},
	{"esp-after-delete", "RFC 7296", "1.4.1", CONF_MUST, CONF_SET_ESP | CONF_SET_KEYS,
	 "no ESP on an SPI after the exchange that deleted it (or its IKE SA)", chk_after_delete},
	{"esp-inner-ipv4", "RFC 4303", "2.6", CONF_MUST, CONF_SET_ESP | CONF_SET_KEYS,
	 "decrypted tunnel-mode ESP carries a well-formed IPv4 packet", chk_inner_ipv4},
	{"esp-inner-ts", "RFC 4301", "5.2", CONF_MUST, CONF_SET_ESP | CONF_SET_KEYS,
	 "decrypted ESP inner packets lie within the SA's negotiated traffic selectors", chk_inner_ts},
	{"esp-padding", "RFC 4303", "2.4", CONF_MUST, CONF_SET_ESP | CONF_SET_KEYS,
	 "ESP padding is 1, 2, 3, ... and the trailer is aligned", chk_padding},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
