/*
 * ike_payload_sa.c — SA payload (RFC 7296 §3.3): proposals (§3.3.1),
 * transforms (§3.3.2) and transform attributes (§3.3.5). Everything is
 * validated before anything is stored: lengths, Last Substruc values
 * (0/2 for proposals, 0/3 for transforms) consistent with what follows,
 * SPI sizes per protocol, Num Transforms against the transforms present,
 * proposal numbering (§3.3.1: first 1, then one more each), KEY_LENGTH TV.
 */
#include "ref/ike/ike_payload.h"

#include <string.h>

#define SA_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_SA, off, __VA_ARGS__)

/* spi_size_ok: §3.3.1 — IKE 0 (initial) or 8 (rekey), AH/ESP 4, others at most 8. */
static int spi_size_ok(uint8_t proto, uint8_t size, const char **expected)
{
	switch (proto) {
	case IKE_PROTO_IKE:
		*expected = "0 or 8";
		return size == 0 || size == 8;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		*expected = "4";
		return size == 4;
	default:
		*expected = "at most 8";
		return size <= IKE_MAX_SPI_LEN;
	}
}

static int parse_attrs(struct ike_transform *t, const uint8_t *p, size_t len, size_t base, size_t pi,
		       size_t ti, struct ike_err *err)
{
	size_t off = 0;
	int have_key_len = 0;

	t->attrs = len ? p : NULL;
	t->attrs_len = len;
	while (off < len) {
		uint16_t at, type;
		size_t alen;

		if (len - off < 4)
			return SA_ERR(IKE_E_TRUNCATED, base + off,
				      "SA proposal %zu transform %zu: attribute header needs 4 octets, %zu left",
				      pi, ti, len - off);
		at = ike_get16(p + off);
		type = at & IKE_ATTR_TYPE_MASK;
		if (at & IKE_ATTR_AF_TV) {
			alen = 4;
		} else {
			uint16_t vlen = ike_get16(p + off + 2);

			if (vlen > len - off - 4)
				return SA_ERR(IKE_E_LENGTH, base + off + 2,
					      "SA proposal %zu transform %zu: attribute %u length %u runs past "
					      "the transform (%zu octets left)",
					      pi, ti, type, vlen, len - off - 4);
			alen = 4 + (size_t)vlen;
		}
		if (type == IKE_TATTR_KEY_LENGTH) {
			if (!(at & IKE_ATTR_AF_TV))
				return SA_ERR(IKE_E_SYNTAX, base + off,
					      "SA proposal %zu transform %zu: KEY_LENGTH attribute is TLV (AF=0), "
					      "expected TV (AF=1)", pi, ti);
			if (have_key_len)
				return SA_ERR(IKE_E_SYNTAX, base + off,
					      "SA proposal %zu transform %zu: KEY_LENGTH attribute twice, expected once",
					      pi, ti);
			t->key_len = ike_get16(p + off + 2);
			if (t->key_len == 0)
				return SA_ERR(IKE_E_SYNTAX, base + off + 2,
					      "SA proposal %zu transform %zu: KEY_LENGTH 0, expected a key size in bits",
					      pi, ti);
			have_key_len = 1;
		} else if (t->unknown_attrs < UINT8_MAX) {
			t->unknown_attrs++;
		}
		if (t->n_attrs < UINT8_MAX)
			t->n_attrs++;
		off += alen;
	}
	return 0;
}

static int parse_transforms(struct ike_sa_pl *sa, const uint8_t *body, size_t off, size_t end, size_t pi,
			    uint8_t want, struct ike_err *err)
{
	size_t ti = 0;

	while (off < end) {
		struct ike_transform *t;
		uint8_t last;
		uint16_t tlen;
		int rc;

		ti++;
		if (end - off < 8)
			return SA_ERR(IKE_E_TRUNCATED, off,
				      "SA proposal %zu transform %zu: header needs 8 octets, %zu left in the proposal",
				      pi, ti, end - off);
		last = body[off];
		tlen = ike_get16(body + off + 2);
		if (last != IKE_SUBSTRUC_LAST && last != IKE_SUBSTRUC_MORE_TRANSFORMS)
			return SA_ERR(IKE_E_SYNTAX, off,
				      "SA proposal %zu transform %zu: Last Substruc %u, expected 0 (last) or 3 (more)",
				      pi, ti, last);
		if (tlen < 8)
			return SA_ERR(IKE_E_LENGTH, off + 2,
				      "SA proposal %zu transform %zu: Transform Length %u, expected >= 8", pi, ti, tlen);
		if (tlen > end - off)
			return SA_ERR(IKE_E_LENGTH, off + 2,
				      "SA proposal %zu transform %zu: Transform Length %u runs past the proposal "
				      "(%zu octets left)", pi, ti, tlen, end - off);
		if (last == IKE_SUBSTRUC_LAST && off + tlen != end)
			return SA_ERR(IKE_E_SYNTAX, off,
				      "SA proposal %zu transform %zu: Last Substruc 0 (last) but %zu octets follow",
				      pi, ti, end - off - tlen);
		if (last == IKE_SUBSTRUC_MORE_TRANSFORMS && off + tlen == end)
			return SA_ERR(IKE_E_SYNTAX, off,
				      "SA proposal %zu transform %zu: Last Substruc 3 (more) but the proposal ends",
				      pi, ti);
		if (sa->n_pool >= IKE_SA_MAX_TRANSFORMS)
			return SA_ERR(IKE_E_LIMIT, off, "SA: more than %d transforms in all proposals",
				      IKE_SA_MAX_TRANSFORMS);
		t = &sa->pool[sa->n_pool];
		memset(t, 0, sizeof *t);
		t->type = body[off + 4];
		t->id = ike_get16(body + off + 6);
		rc = parse_attrs(t, body + off + 8, tlen - 8u, off + 8, pi, ti, err);
		if (rc < 0)
			return rc;
		sa->n_pool++;
		off += tlen;
	}
	if (ti != want)
		return SA_ERR(IKE_E_SYNTAX, 0, "SA proposal %zu: Num Transforms %u but %zu transforms present",
			      pi, want, ti);
	return 0;
}

int ike_payload_sa_parse(struct ike_sa_pl *sa, const uint8_t *body, size_t len, struct ike_err *err)
{
	size_t off = 0;

	sa->n_prop = 0;
	sa->n_pool = 0;
	if (len == 0)
		return SA_ERR(IKE_E_SYNTAX, 0, "SA payload empty, expected at least one proposal");
	while (off < len) {
		struct ike_proposal *p;
		size_t pi = sa->n_prop + 1;
		uint8_t last, proto, spi_size, num;
		uint16_t plen;
		const char *expected;
		int rc;

		if (len - off < 8)
			return SA_ERR(IKE_E_TRUNCATED, off, "SA proposal %zu: header needs 8 octets, %zu left", pi,
				      len - off);
		last = body[off];
		plen = ike_get16(body + off + 2);
		num = body[off + 4];
		proto = body[off + 5];
		spi_size = body[off + 6];
		if (last != IKE_SUBSTRUC_LAST && last != IKE_SUBSTRUC_MORE_PROPOSALS)
			return SA_ERR(IKE_E_SYNTAX, off, "SA proposal %zu: Last Substruc %u, expected 0 (last) or 2 (more)",
				      pi, last);
		if (plen < 8)
			return SA_ERR(IKE_E_LENGTH, off + 2, "SA proposal %zu: Proposal Length %u, expected >= 8", pi,
				      plen);
		if (plen > len - off)
			return SA_ERR(IKE_E_LENGTH, off + 2,
				      "SA proposal %zu: Proposal Length %u runs past the SA payload (%zu octets left)",
				      pi, plen, len - off);
		if (last == IKE_SUBSTRUC_LAST && off + plen != len)
			return SA_ERR(IKE_E_SYNTAX, off, "SA proposal %zu: Last Substruc 0 (last) but %zu octets follow",
				      pi, len - off - plen);
		if (last == IKE_SUBSTRUC_MORE_PROPOSALS && off + plen == len)
			return SA_ERR(IKE_E_SYNTAX, off, "SA proposal %zu: Last Substruc 2 (more) but the SA payload ends",
				      pi);
		if (proto == 0)
			return SA_ERR(IKE_E_SYNTAX, off + 5,
				      "SA proposal %zu: Protocol ID 0, expected 1 (IKE), 2 (AH) or 3 (ESP)", pi);
		if (!spi_size_ok(proto, spi_size, &expected))
			return SA_ERR(IKE_E_SYNTAX, off + 6, "SA proposal %zu: SPI size %u for %s, expected %s", pi,
				      spi_size, ike_protocol_name(proto), expected);
		if (8u + spi_size > plen)
			return SA_ERR(IKE_E_LENGTH, off + 6,
				      "SA proposal %zu: SPI size %u does not fit in Proposal Length %u", pi, spi_size,
				      plen);
		if (sa->n_prop == 1 && sa->prop[0].num != 1)
			return SA_ERR(IKE_E_SYNTAX, 4, "SA proposal 1: Proposal Num %u, expected 1 (first of several)",
				      sa->prop[0].num);
		if (sa->n_prop >= 1 && num != (uint8_t)(sa->prop[sa->n_prop - 1].num + 1))
			return SA_ERR(IKE_E_SYNTAX, off + 4,
				      "SA proposal %zu: Proposal Num %u, expected %u (one more than the previous)", pi,
				      num, (unsigned)(sa->prop[sa->n_prop - 1].num + 1));
		if (sa->n_prop >= IKE_SA_MAX_PROPOSALS)
			return SA_ERR(IKE_E_LIMIT, off, "SA: more than %d proposals", IKE_SA_MAX_PROPOSALS);
		p = &sa->prop[sa->n_prop];
		memset(p, 0, sizeof *p);
		p->num = num;
		p->proto = proto;
		p->spi_size = spi_size;
		memcpy(p->spi, body + off + 8, spi_size);
		p->first = (uint16_t)sa->n_pool;
		rc = parse_transforms(sa, body, off + 8 + spi_size, off + plen, pi, body[off + 7], err);
		if (rc < 0)
			return rc;
		p->count = (uint16_t)(sa->n_pool - p->first);
		sa->n_prop++;
		off += plen;
	}
	return 0;
}

static int build_transform(const struct ike_transform *t, int last, struct ike_buf *b)
{
	size_t start = b->len;
	size_t alen = t->attrs_len ? t->attrs_len : (t->key_len ? 4 : 0);
	int rc = 0;

	if (8 + alen > 0xffff)
		return IKE_E_ARG;
	rc |= ike_buf_put8(b, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_MORE_TRANSFORMS);
	rc |= ike_buf_put8(b, 0);
	rc |= ike_buf_put16(b, (uint16_t)(8 + alen));
	rc |= ike_buf_put8(b, t->type);
	rc |= ike_buf_put8(b, 0);
	rc |= ike_buf_put16(b, t->id);
	if (t->attrs_len)
		rc |= ike_buf_put(b, t->attrs, t->attrs_len);
	else if (t->key_len) {
		rc |= ike_buf_put16(b, IKE_ATTR_AF_TV | IKE_TATTR_KEY_LENGTH);
		rc |= ike_buf_put16(b, t->key_len);
	}
	if (rc) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}

int ike_payload_sa_build(const struct ike_sa_pl *sa, struct ike_buf *b)
{
	size_t start = b->len;

	if (sa->n_prop == 0 || sa->n_prop > IKE_SA_MAX_PROPOSALS || sa->n_pool > IKE_SA_MAX_TRANSFORMS)
		return IKE_E_ARG;
	for (size_t i = 0; i < sa->n_prop; i++) {
		const struct ike_proposal *p = &sa->prop[i];
		size_t hdr = b->len;
		int rc = 0;

		if (p->spi_size > IKE_MAX_SPI_LEN || p->count > 255 || (size_t)p->first + p->count > sa->n_pool)
			return IKE_E_ARG;
		rc |= ike_buf_put8(b, i + 1 == sa->n_prop ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_MORE_PROPOSALS);
		rc |= ike_buf_put8(b, 0);
		rc |= ike_buf_put16(b, 0); /* length, patched below */
		rc |= ike_buf_put8(b, p->num);
		rc |= ike_buf_put8(b, p->proto);
		rc |= ike_buf_put8(b, p->spi_size);
		rc |= ike_buf_put8(b, (uint8_t)p->count);
		rc |= ike_buf_put(b, p->spi, p->spi_size);
		for (size_t t = 0; rc == 0 && t < p->count; t++)
			rc = build_transform(&sa->pool[p->first + t], t + 1 == p->count, b);
		if (rc == 0 && b->len - hdr > 0xffff)
			rc = IKE_E_ARG;
		if (rc) {
			b->len = start;
			return rc == IKE_E_ARG ? IKE_E_ARG : IKE_E_BUFFER;
		}
		ike_put16(b->p + hdr + 2, (uint16_t)(b->len - hdr));
	}
	return 0;
}

int ike_sa_add_proposal(struct ike_sa_pl *sa, uint8_t num, uint8_t proto, const uint8_t *spi,
			uint8_t spi_size)
{
	struct ike_proposal *p;

	if (sa->n_prop >= IKE_SA_MAX_PROPOSALS || spi_size > IKE_MAX_SPI_LEN || (spi_size && spi == NULL))
		return IKE_E_ARG;
	p = &sa->prop[sa->n_prop++];
	memset(p, 0, sizeof *p);
	p->num = num;
	p->proto = proto;
	p->spi_size = spi_size;
	if (spi_size)
		memcpy(p->spi, spi, spi_size);
	p->first = (uint16_t)sa->n_pool;
	return 0;
}

int ike_sa_add_transform(struct ike_sa_pl *sa, uint8_t type, uint16_t id, uint16_t key_len)
{
	struct ike_transform *t;
	struct ike_proposal *p;

	if (sa->n_prop == 0 || sa->n_pool >= IKE_SA_MAX_TRANSFORMS)
		return IKE_E_ARG;
	p = &sa->prop[sa->n_prop - 1];
	if ((size_t)p->first + p->count != sa->n_pool || p->count >= 255)
		return IKE_E_ARG; /* transforms of a proposal must be contiguous */
	t = &sa->pool[sa->n_pool++];
	memset(t, 0, sizeof *t);
	t->type = type;
	t->id = id;
	t->key_len = key_len;
	p->count++;
	return 0;
}

const struct ike_transform *ike_sa_transform(const struct ike_sa_pl *sa, size_t p, size_t t)
{
	if (p >= sa->n_prop || t >= sa->prop[p].count || (size_t)sa->prop[p].first + t >= sa->n_pool)
		return NULL;
	return &sa->pool[sa->prop[p].first + t];
}
