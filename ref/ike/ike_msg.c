/*
 * ike_msg.c — IKEv2 message parsing: the header (RFC 7296 §3.1), the
 * generic payload chain (§3.2) with the §2.5 rules for unrecognized and
 * critical payloads, and the Encrypted / Encrypted Fragment payload
 * (§3.14, RFC 7383 §2.5) that ends a chain. Views only, no copies.
 */
#include "ref/ike/ike_msg.h"

#include <string.h>

int ike_hdr_parse(struct ike_hdr *h, const uint8_t *buf, size_t len, struct ike_err *err)
{
	if (len < IKE_HDR_LEN)
		return ike_err_set(err, IKE_E_TRUNCATED, 0, 0, 0, "IKE header: %zu octets, expected >= %d", len,
				   IKE_HDR_LEN);
	h->spi_i = ((uint64_t)ike_get32(buf) << 32) | ike_get32(buf + 4);
	h->spi_r = ((uint64_t)ike_get32(buf + 8) << 32) | ike_get32(buf + 12);
	h->next_payload = buf[16];
	h->major = buf[17] >> 4;
	h->minor = buf[17] & 0x0f;
	h->exchange = buf[18];
	h->flags = buf[19];
	h->msg_id = ike_get32(buf + 20);
	h->length = ike_get32(buf + 24);
	/* §2.5: a higher major version is answered with INVALID_MAJOR_VERSION */
	if (h->major > IKE_MAJOR_VERSION)
		return ike_err_set(err, IKE_E_VERSION, IKE_N_INVALID_MAJOR_VERSION, 0, 17,
				   "IKE header: major version %u, expected %d", h->major, IKE_MAJOR_VERSION);
	if (h->major < IKE_MAJOR_VERSION)
		return ike_err_set(err, IKE_E_VERSION, 0, 0, 17,
				   "IKE header: major version %u (%s), expected %d", h->major,
				   h->major == IKEV1_MAJOR_VERSION ? "IKEv1" : "unknown", IKE_MAJOR_VERSION);
	if (h->length < IKE_HDR_LEN)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, 0, 24,
				   "IKE header: Length %u, expected >= %d", h->length, IKE_HDR_LEN);
	if (h->length != len)
		return ike_err_set(err, len < h->length ? IKE_E_TRUNCATED : IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, 0,
				   24, "IKE header: Length %u, expected %zu (the datagram)", h->length, len);
	return 0;
}

void ike_hdr_write(const struct ike_hdr *h, uint8_t *out)
{
	ike_put32(out, (uint32_t)(h->spi_i >> 32));
	ike_put32(out + 4, (uint32_t)h->spi_i);
	ike_put32(out + 8, (uint32_t)(h->spi_r >> 32));
	ike_put32(out + 12, (uint32_t)h->spi_r);
	out[16] = h->next_payload;
	out[17] = (uint8_t)((h->major << 4) | (h->minor & 0x0f));
	out[18] = h->exchange;
	out[19] = h->flags;
	ike_put32(out + 20, h->msg_id);
	ike_put32(out + 24, h->length);
}

/* pname names payload |type| for errors: "SA" or "type 99". */
static const char *pname(uint8_t type, char *buf, size_t cap)
{
	return ike_name_fmt(&ike_payload_names, type, buf, cap);
}

int ike_chain_parse(struct ike_chain *c, uint8_t first, const uint8_t *buf, size_t len, size_t base,
		    int allow_sk, struct ike_err *err)
{
	size_t off = 0;
	uint8_t type = first;
	char nb[IKE_NAME_BUF];

	c->n = 0;
	while (type != IKE_PL_NONE) {
		struct ike_pl *p;
		uint16_t plen;
		uint8_t crit;

		if (off == len)
			return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, type, base + off,
					   "payload chain: next payload %s announced at offset %zu, but the data ends",
					   pname(type, nb, sizeof nb), base + off);
		if (len - off < IKE_PAYLOAD_HDR_LEN)
			return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, type, base + off,
					   "payload %s at offset %zu: generic header needs 4 octets, %zu left",
					   pname(type, nb, sizeof nb), base + off, len - off);
		plen = ike_get16(buf + off + 2);
		crit = (buf[off + 1] & IKE_PAYLOAD_CRITICAL) != 0;
		if (plen < IKE_PAYLOAD_HDR_LEN)
			return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, type, base + off + 2,
					   "payload %s at offset %zu: Payload Length %u, expected >= 4",
					   pname(type, nb, sizeof nb), base + off, plen);
		if (plen > len - off)
			return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, type, base + off + 2,
					   "payload %s at offset %zu: Payload Length %u runs past the end (%zu octets left)",
					   pname(type, nb, sizeof nb), base + off, plen, len - off);
		if (!ike_payload_known(type) && crit)
			return ike_err_set(err, IKE_E_CRITICAL, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, type, base + off,
					   "payload type %u at offset %zu: not recognized and critical bit set (§2.5)",
					   type, base + off);
		if (c->n >= IKE_CHAIN_MAX)
			return ike_err_set(err, IKE_E_LIMIT, IKE_N_INVALID_SYNTAX, type, base + off,
					   "payload chain: more than %d payloads", IKE_CHAIN_MAX);
		p = &c->pl[c->n++];
		p->type = type;
		p->next = buf[off];
		p->critical = crit;
		p->unknown = !ike_payload_known(type);
		p->body = buf + off + IKE_PAYLOAD_HDR_LEN;
		p->len = plen - (size_t)IKE_PAYLOAD_HDR_LEN;
		p->offset = base + off;
		if (type == IKE_PL_SK || type == IKE_PL_SKF) {
			/* §3.14: SK is the last payload; its Next Payload names the first inner one */
			if (!allow_sk)
				return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, type, base + off,
						   "payload %s at offset %zu: Encrypted payload inside an Encrypted payload",
						   pname(type, nb, sizeof nb), base + off);
			if (off + plen != len)
				return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, type, base + off,
						   "payload %s at offset %zu must be last: it ends at %zu, the message at %zu",
						   pname(type, nb, sizeof nb), base + off, base + off + plen, base + len);
			return 0;
		}
		off += plen;
		type = p->next;
	}
	if (off != len)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, 0, base + off,
				   "payload chain: %zu octets after the last payload (offset %zu), expected none",
				   len - off, base + off);
	return 0;
}

int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len, struct ike_err *err)
{
	const struct ike_pl *last;
	struct ike_sk_pl sk;
	int rc;

	m->raw = buf;
	m->len = len;
	m->outer.n = 0;
	m->inner.n = 0;
	m->inner_parsed = 0;
	m->sk = NULL;
	m->sk_first = 0;
	m->frag_num = m->frag_total = 0;
	m->sk_aad_len = 0;
	m->sk_data = NULL;
	m->sk_data_len = 0;
	rc = ike_hdr_parse(&m->hdr, buf, len, err);
	if (rc < 0)
		return rc;
	rc = ike_chain_parse(&m->outer, m->hdr.next_payload, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN,
			     1, err);
	if (rc < 0)
		return rc;
	if (m->outer.n == 0)
		return 0;
	last = &m->outer.pl[m->outer.n - 1];
	if (last->type == IKE_PL_SK)
		rc = ike_payload_sk_parse(&sk, last->body, last->len, err);
	else if (last->type == IKE_PL_SKF)
		rc = ike_payload_skf_parse(&sk, last->body, last->len, err);
	else
		return 0;
	if (rc < 0) {
		if (err != NULL)
			err->offset += last->offset + IKE_PAYLOAD_HDR_LEN;
		return rc;
	}
	m->sk = last;
	m->sk_first = last->next;
	m->frag_num = sk.frag_num;
	m->frag_total = sk.frag_total;
	m->sk_data = sk.data;
	m->sk_data_len = sk.len;
	m->sk_aad_len = (size_t)(sk.data - buf);
	return 0;
}

int ike_msg_parse_inner_first(struct ike_msg *m, uint8_t first, const uint8_t *plain, size_t len,
			      struct ike_err *err)
{
	int rc;

	m->inner_parsed = 0;
	rc = ike_chain_parse(&m->inner, first, plain, len, 0, 0, err);
	if (rc < 0) {
		m->inner.n = 0;
		return rc;
	}
	m->inner_parsed = 1;
	return 0;
}

int ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len, struct ike_err *err)
{
	return ike_msg_parse_inner_first(m, m->sk_first, plain, len, err);
}

const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type, size_t nth)
{
	const struct ike_chain *chains[2] = {&m->outer, &m->inner};
	size_t nchains = m->inner_parsed ? 2 : 1;

	for (size_t c = 0; c < nchains; c++)
		for (size_t i = 0; i < chains[c]->n; i++) {
			const struct ike_pl *p = &chains[c]->pl[i];

			if (p->type == type && !p->unknown && nth-- == 0)
				return p;
		}
	return NULL;
}

size_t ike_msg_count(const struct ike_msg *m, uint8_t type)
{
	size_t n = 0;

	while (ike_msg_find(m, type, n) != NULL)
		n++;
	return n;
}

const struct ike_pl *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type)
{
	const struct ike_pl *p;

	for (size_t i = 0; (p = ike_msg_find(m, IKE_PL_NOTIFY, i)) != NULL; i++)
		if (p->len >= 4 && ike_get16(p->body + 2) == notify_type)
			return p;
	return NULL;
}
