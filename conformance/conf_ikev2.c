/*
 * conf_ikev2.c — IKEv2 message summary for the rules, on top of the ref/ike
 * codec (ike_chain_parse and the payload parsers): nothing here reads a
 * payload field that ref/ike already parses. Where ref/ike rejects a
 * payload (a NAT_DETECTION notify of the wrong length, an SKF with fragment
 * number 0) the summary still keeps what the parser read, with its error,
 * because those are exactly the facts a conformance rule reports.
 */
#include "conformance/conf_ikev2.h"

#include <stdio.h>
#include <string.h>

#include "ref/ike/ike_msg.h"
#include "ref/ike/ike_payload.h"

static void sa_summary(struct conf_ikev2 *o, const uint8_t *body, size_t len)
{
	struct ike_sa_pl sa;
	struct ike_err e;
	memset(&e, 0, sizeof e);
	o->has_sa = 1;
	if (ike_payload_sa_parse(&sa, body, len, &e) < 0) {
		snprintf(o->sa_summary, sizeof o->sa_summary, "unparsable: %.140s", e.msg);
		return;
	}
	o->n_proposals = (uint8_t)(sa.n_prop > 255 ? 255 : sa.n_prop);
	size_t w = 0;
	for (size_t p = 0; p < sa.n_prop; p++) {
		for (size_t t = 0; t < sa.prop[p].count; t++) {
			const struct ike_transform *tr = ike_sa_transform(&sa, p, t);
			if (tr->type == IKE_TT_KE && o->n_groups < CONF_V2_MAX_GROUPS) {
				int dup = 0;
				for (int g = 0; g < o->n_groups; g++)
					dup |= o->groups[g] == tr->id;
				if (!dup)
					o->groups[o->n_groups++] = tr->id;
			}
			if (p != 0 || w >= sizeof o->sa_summary)
				continue;
			if (t == 0)
				w += (size_t)snprintf(o->sa_summary + w, sizeof o->sa_summary - w, "%s",
						      ike_protocol_name(sa.prop[p].proto));
			if (w >= sizeof o->sa_summary)
				continue;
			if (tr->key_len)
				w += (size_t)snprintf(o->sa_summary + w, sizeof o->sa_summary - w, " %s/%u",
						      ike_transform_name(tr->type, tr->id), tr->key_len);
			else
				w += (size_t)snprintf(o->sa_summary + w, sizeof o->sa_summary - w, " %s",
						      ike_transform_name(tr->type, tr->id));
		}
	}
}

static void notify(struct conf_ikev2 *o, const struct ike_pl *p, const uint8_t *m)
{
	if (o->n_notify >= CONF_V2_MAX_NOTIFY) {
		o->notify_overflow = 1;
		return;
	}
	struct ike_notify_pl n;
	struct ike_err e;
	if (ike_payload_notify_parse(&n, p->body, p->len, &e) < 0) {
		/* Keep the type of a notify ref/ike refuses (e.g. NAT_DETECTION_* of
		 * the wrong length): the rules report it. */
		if (p->len < 4)
			return;
		n.proto = p->body[0];
		n.spi_size = p->body[1];
		n.type = ike_get16(p->body + 2);
		size_t skip = 4u + n.spi_size;
		n.data = p->body + (skip < p->len ? skip : p->len);
		n.len = skip < p->len ? p->len - skip : 0;
	}
	struct conf_ikev2_notify *x = &o->nt[o->n_notify++];
	x->type = n.type;
	x->proto = n.proto;
	x->spi_size = n.spi_size;
	x->data_off = (uint32_t)(n.data - m);
	x->data_len = (uint16_t)(n.len > 65535 ? 65535 : n.len);
}

int conf_ikev2_decode(const uint8_t *m, uint32_t len, const struct conf_ikehdr *h, struct conf_ikev2 *o)
{
	memset(o, 0, sizeof *o);
	if (len < IKE_HDR_LEN) {
		snprintf(o->err, sizeof o->err, "IKE header truncated: %u octets, expected >= %d", len, IKE_HDR_LEN);
		return -1;
	}
	/* Walk up to the header Length when the datagram is longer; the rules
	 * report the mismatch itself. */
	uint32_t end = h->length >= IKE_HDR_LEN && h->length < len ? h->length : len;
	struct ike_chain ch;
	struct ike_err e;
	memset(&e, 0, sizeof e);
	int rc = ike_chain_parse(&ch, h->np, m + IKE_HDR_LEN, end - IKE_HDR_LEN, IKE_HDR_LEN, 1, &e);
	for (size_t i = 0; i < ch.n; i++) {
		const struct ike_pl *p = &ch.pl[i];
		if (o->n_pl < CONF_V2_MAX_PL) {
			struct conf_ikev2_pl *x = &o->pl[o->n_pl++];
			x->type = p->type;
			x->critical = p->critical;
			x->len = (uint16_t)(p->len + IKE_PAYLOAD_HDR_LEN);
			x->off = (uint32_t)p->offset;
		} else {
			o->pl_overflow = 1;
		}
		switch (p->type) {
		case IKE_PL_SA:
			if (!o->has_sa)
				sa_summary(o, p->body, p->len);
			break;
		case IKE_PL_KE: {
			struct ike_ke_pl ke;
			struct ike_err ke_e;
			o->has_ke = 1;
			if (ike_payload_ke_parse(&ke, p->body, p->len, &ke_e) == 0) {
				o->ke_group = ke.group;
				o->ke_len = (uint32_t)ke.len;
			}
			break;
		}
		case IKE_PL_NONCE:
			o->has_nonce = 1;
			o->nonce_len = (uint32_t)p->len; /* the body is the Nonce Data (§3.9) */
			break;
		case IKE_PL_NOTIFY:
			notify(o, p, m);
			break;
		case IKE_PL_VENDOR:
			o->n_vid++;
			break;
		case IKE_PL_CERTREQ:
			o->n_certreq++;
			break;
		case IKE_PL_SK:
			o->has_sk = 1;
			o->sk_len = (uint32_t)p->len;
			break;
		case IKE_PL_SKF: {
			struct ike_sk_pl sk;
			struct ike_err sk_e;
			memset(&sk, 0, sizeof sk);
			o->has_skf = 1;
			o->skf_len = (uint32_t)p->len;
			ike_payload_skf_parse(&sk, p->body, p->len, &sk_e); /* fields are read before validation */
			o->skf_num = sk.frag_num;
			o->skf_total = sk.frag_total;
			break;
		}
		default:
			break;
		}
	}
	if (rc < 0) {
		if (ch.n && (ch.pl[ch.n - 1].type == IKE_PL_SK || ch.pl[ch.n - 1].type == IKE_PL_SKF) &&
		    (e.payload == IKE_PL_SK || e.payload == IKE_PL_SKF) && rc == IKE_E_SYNTAX)
			o->sk_not_last = 1;
		snprintf(o->err, sizeof o->err, "%s", e.msg);
		return -1;
	}
	o->ok = 1;
	return 0;
}

int conf_ikev2_find_notify(const struct conf_ikev2 *v, uint16_t type)
{
	for (int i = 0; i < v->n_notify; i++)
		if (v->nt[i].type == type)
			return i;
	return -1;
}

int conf_ikev2_count_notify(const struct conf_ikev2 *v, uint16_t type)
{
	int n = 0;
	for (int i = 0; i < v->n_notify; i++)
		n += v->nt[i].type == type;
	return n;
}
