/* conf_ikev1.c — IKEv1 payload chain (RFC 2408 §3.2-3.16, RFC 3947 §3.2). */
#include "conformance/conf_ikev1.h"

#include <stdio.h>
#include <string.h>

#include "conformance/ikev1_const.h"
#include "ref/ike/ike_const.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* attrs reads SA attributes (RFC 2408 §3.3) of one transform. */
static int attrs(const uint8_t *p, uint32_t n, struct conf_ikev1 *o, int first, int *psk)
{
	uint32_t i = 0;
	while (i < n) {
		if (n - i < 4) {
			snprintf(o->err, sizeof o->err, "SA attribute truncated: %u octets left, expected >= 4", n - i);
			return -1;
		}
		uint16_t t = be16(p + i);
		uint32_t v = 0;
		uint32_t step;
		if (t & IKE_ATTR_AF_TV) {
			v = be16(p + i + 2);
			step = 4;
		} else {
			uint16_t l = be16(p + i + 2);
			if (l > n - i - 4) {
				snprintf(o->err, sizeof o->err,
					 "SA attribute %u length %u exceeds the %u octets left", t, l, n - i - 4);
				return -1;
			}
			for (uint16_t k = 0; k < l && k < 4; k++)
				v = v << 8 | p[i + 4 + k];
			step = 4u + l;
		}
		t &= IKE_ATTR_TYPE_MASK;
		if (t == CONF_IKEV1_A_AUTH && conf_ikev1_auth_is_psk(v))
			*psk = 1;
		if (first) {
			switch (t) {
			case CONF_IKEV1_A_ENC: o->enc = v; break;
			case CONF_IKEV1_A_HASH: o->hash = v; break;
			case CONF_IKEV1_A_AUTH: o->auth = v; break;
			case CONF_IKEV1_A_GROUP: o->group = v; break;
			case CONF_IKEV1_A_KEY_LENGTH: o->keylen = v; break;
			case CONF_IKEV1_A_LIFE_TYPE: o->life_type = v; break;
			case CONF_IKEV1_A_LIFE_DURATION: o->life = v; break;
			default: break;
			}
		}
		i += step;
	}
	return 0;
}

/* sa reads the SA payload body (after the generic header). */
static int sa(const uint8_t *p, uint32_t n, struct conf_ikev1 *o)
{
	if (n < 8) {
		snprintf(o->err, sizeof o->err, "SA payload body %u octets, expected >= 8 (DOI, situation)", n);
		return -1;
	}
	o->has_sa = 1;
	o->doi = be32(p);
	o->situation = be32(p + 4);
	if (o->doi != CONF_IKEV1_DOI_IPSEC)
		return 0; /* situation length is DOI-specific: stop here */
	uint32_t i = 8;
	int first = 1;
	while (i < n) {
		if (n - i < 8) {
			snprintf(o->err, sizeof o->err, "proposal truncated: %u octets, expected >= 8", n - i);
			return -1;
		}
		uint8_t pnp = p[i];
		uint16_t plen = be16(p + i + 2);
		if (plen < 8 || plen > n - i) {
			snprintf(o->err, sizeof o->err, "proposal length %u, expected 8..%u", plen, n - i);
			return -1;
		}
		uint8_t spi_size = p[i + 6];
		uint8_t ntr = p[i + 7];
		if (o->n_proposals == 0)
			o->proto_id = p[i + 5];
		o->n_proposals++;
		if (8u + spi_size > plen) {
			snprintf(o->err, sizeof o->err, "proposal SPI size %u exceeds its length %u", spi_size, plen);
			return -1;
		}
		uint32_t j = i + 8 + spi_size;
		uint32_t pend = i + plen;
		for (uint8_t k = 0; k < ntr && j < pend; k++) {
			if (pend - j < 8) {
				snprintf(o->err, sizeof o->err, "transform truncated: %u octets, expected >= 8", pend - j);
				return -1;
			}
			uint16_t tlen = be16(p + j + 2);
			if (tlen < 8 || tlen > pend - j) {
				snprintf(o->err, sizeof o->err, "transform length %u, expected 8..%u", tlen, pend - j);
				return -1;
			}
			o->n_transforms++;
			if (attrs(p + j + 8, tlen - 8u, o, first, &o->any_psk) < 0)
				return -1;
			first = 0;
			j += tlen;
		}
		i += plen;
		if (pnp == 0)
			break;
	}
	return 0;
}

static void id_render(const uint8_t *d, uint32_t n, uint8_t type, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	if (type == CONF_IKEV1_ID_IPV4_ADDR && n == 4) {
		snprintf(out, cap, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
		return;
	}
	if (type == CONF_IKEV1_ID_FQDN || type == CONF_IKEV1_ID_USER_FQDN || type == CONF_IKEV1_ID_KEY_ID) {
		for (uint32_t i = 0; i < n && o + 1 < cap; i++)
			out[o++] = (d[i] >= 0x20 && d[i] < 0x7f) ? (char)d[i] : '.';
		out[o] = 0;
		return;
	}
	for (uint32_t i = 0; i < n && o + 3 < cap; i++, o += 2)
		snprintf(out + o, cap - o, "%02x", d[i]);
}

int conf_ikev1_decode(const uint8_t *m, uint32_t len, const struct conf_ikehdr *h,
		      struct conf_ikev1 *o)
{
	memset(o, 0, sizeof *o);
	if (h->flags & IKEV1_FLAG_E) {
		o->encrypted = 1;
		o->ok = 1;
		return 0;
	}
	uint32_t end = h->length < len ? h->length : len;
	uint32_t off = IKE_HDR_LEN;
	uint8_t np = h->np;
	while (np != IKEV1_PL_NONE) {
		if (end < off || end - off < 4) {
			snprintf(o->err, sizeof o->err, "payload %s at offset %u truncated: %u octets left, expected >= 4",
				 ikev1_payload_name(np), off, end > off ? end - off : 0);
			return -1;
		}
		const uint8_t *p = m + off;
		uint16_t plen = be16(p + 2);
		if (plen < 4 || plen > end - off) {
			snprintf(o->err, sizeof o->err, "payload %s at offset %u: length %u, expected 4..%u",
				 ikev1_payload_name(np), off, plen, end - off);
			return -1;
		}
		if (o->n_pl < CONF_V1_MAX_PL) {
			o->pl[o->n_pl].type = np;
			o->pl[o->n_pl].len = plen;
			o->pl[o->n_pl].off = off;
			o->n_pl++;
		} else {
			o->pl_overflow = 1;
		}
		const uint8_t *b = p + 4;
		uint32_t bn = plen - 4u;
		switch (np) {
		case IKEV1_PL_SA:
			if (!o->has_sa && sa(b, bn, o) < 0)
				return -1;
			break;
		case IKEV1_PL_KE:
			o->ke_len = (uint16_t)bn;
			break;
		case IKEV1_PL_NONCE:
			o->has_nonce = 1;
			o->nonce_len = (uint16_t)bn;
			break;
		case IKEV1_PL_ID:
			if (bn < 4) {
				snprintf(o->err, sizeof o->err, "ID payload body %u octets, expected >= 4", bn);
				return -1;
			}
			o->has_id = 1;
			o->id_type = b[0];
			o->id_proto = b[1];
			o->id_port = be16(b + 2);
			id_render(b + 4, bn - 4, b[0], o->id_str, sizeof o->id_str);
			break;
		case IKEV1_PL_HASH:
			o->hash_len = (uint16_t)bn;
			break;
		case IKEV1_PL_VID:
			if (o->n_vid < CONF_V1_MAX_VID) {
				struct conf_ikev1_vid *v = &o->vid[o->n_vid++];
				v->off = off + 4;
				v->len = (uint16_t)bn;
				v->name = conf_ikev1_vid_lookup(b, bn);
			}
			break;
		case IKEV1_PL_NAT_D:
		case IKEV1_PL_NAT_D_DRAFT:
			if (o->n_natd < CONF_V1_MAX_NATD) {
				o->natd_off[o->n_natd] = off + 4;
				o->natd_len[o->n_natd] = (uint16_t)bn;
				o->n_natd++;
			}
			break;
		case IKEV1_PL_N:
			if (bn < 8) {
				snprintf(o->err, sizeof o->err, "Notification payload body %u octets, expected >= 8", bn);
				return -1;
			}
			if (o->n_notify < CONF_V1_MAX_NOTIFY) {
				struct conf_ikev1_notify *n = &o->nt[o->n_notify++];
				n->doi = be32(b);
				n->proto = b[4];
				n->spi_size = b[5];
				n->type = be16(b + 6);
			}
			break;
		default:
			break;
		}
		np = p[0];
		off += plen;
	}
	o->ok = 1;
	return 0;
}
