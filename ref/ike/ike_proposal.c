/*
 * ike_proposal.c — proposal text, SA payloads from it, the responder's
 * choice and the initiator's check (RFC 7296 §2.7, §3.3; RFC 5282 §8 for
 * combined-mode ciphers: no integrity transform beside an AEAD one).
 */
#include "ref/ike/ike_proposal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { TOK_AEAD = 1 };

/* alg_tokens: the names strongSwan users write, mapped to transforms. */
static const struct alg_token {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
	uint8_t flags;
	uint16_t prf; /* integrity names imply this PRF in IKE proposals without a prf token */
} alg_tokens[] = {
	{"aes128", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128, 0, 0},
	{"aes256", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 256, 0, 0},
	{"aes128gcm16", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128, TOK_AEAD, 0},
	{"aes128gcm", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128, TOK_AEAD, 0},
	{"aes256gcm16", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, TOK_AEAD, 0},
	{"aes256gcm", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, TOK_AEAD, 0},
	{"chacha20poly1305", IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, TOK_AEAD, 0},
	{"3des", IKE_TT_ENCR, IKE_ENCR_3DES, 0, 0, 0},
	{"sha256", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, 0, IKE_PRF_HMAC_SHA2_256},
	{"sha2_256", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, 0, IKE_PRF_HMAC_SHA2_256},
	{"sha1", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, 0, IKE_PRF_HMAC_SHA1},
	{"prfsha1", IKE_TT_PRF, IKE_PRF_HMAC_SHA1, 0, 0, 0},
	{"prfsha256", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, 0, 0},
	{"prfsha384", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_384, 0, 0, 0},
	{"prfsha512", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_512, 0, 0, 0},
	{"modp2048", IKE_TT_KE, IKE_KE_MODP2048, 0, 0, 0},
	{"ecp256", IKE_TT_KE, IKE_KE_ECP256, 0, 0, 0},
	{"curve25519", IKE_TT_KE, IKE_KE_CURVE25519, 0, 0, 0},
	{"x25519", IKE_TT_KE, IKE_KE_CURVE25519, 0, 0, 0},
	{"esn", IKE_TT_ESN, IKE_ESN_YES, 0, 0, 0},
	{"noesn", IKE_TT_ESN, IKE_ESN_NO, 0, 0, 0},
};
#define N_TOKENS (sizeof alg_tokens / sizeof alg_tokens[0])

static int fail(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

/* integ_for: the one integrity algorithm ref/crypto pairs with a non-AEAD cipher. */
static uint16_t integ_for(uint16_t encr)
{
	return encr == IKE_ENCR_AES_CBC ? IKE_INTEG_HMAC_SHA2_256_128
	       : encr == IKE_ENCR_3DES  ? IKE_INTEG_HMAC_SHA1_96
					: IKE_INTEG_NONE;
}

static int prf_supported(uint16_t prf)
{
	return prf == IKE_PRF_HMAC_SHA1 || prf == IKE_PRF_HMAC_SHA2_256 || prf == IKE_PRF_HMAC_SHA2_384 ||
	       prf == IKE_PRF_HMAC_SHA2_512;
}

static int ke_supported(uint16_t ke)
{
	return ke == IKE_KE_MODP2048 || ke == IKE_KE_ECP256 || ke == IKE_KE_CURVE25519;
}

static void token_list(char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < N_TOKENS && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", alg_tokens[i].name);
}

/* add_u16 appends |v| to a list unless present; -1 when full. */
static int add_u16(uint16_t *list, uint8_t *n, size_t max, uint16_t v)
{
	for (size_t i = 0; i < *n; i++)
		if (list[i] == v)
			return 0;
	if (*n >= max)
		return -1;
	list[(*n)++] = v;
	return 0;
}

static int parse_one(const char *s, size_t len, uint8_t proto, struct ike_prop_cfg *p, char *msg, size_t cap)
{
	char tok[40], all[400];
	size_t i = 0;
	int aead = -1;
	uint16_t implied_prf[IKE_CFG_ALGS_MAX];
	uint8_t n_implied = 0;

	memset(p, 0, sizeof *p);
	while (i < len) {
		size_t j = i, k;
		const struct alg_token *t = NULL;

		while (j < len && s[j] != '-')
			j++;
		if (j == i)
			return fail(msg, cap, "empty algorithm in '%.*s', expected names joined by '-'", (int)len, s);
		if (j - i >= sizeof tok) {
			token_list(all, sizeof all);
			return fail(msg, cap, "unknown algorithm '%.*s', expected one of %s", (int)(j - i), s + i, all);
		}
		for (k = 0; k < j - i; k++)
			tok[k] = (char)tolower((unsigned char)s[i + k]);
		tok[k] = '\0';
		for (k = 0; k < N_TOKENS; k++)
			if (strcmp(alg_tokens[k].name, tok) == 0)
				t = &alg_tokens[k];
		if (t == NULL) {
			token_list(all, sizeof all);
			return fail(msg, cap, "unknown algorithm '%s', expected one of %s", tok, all);
		}
		switch (t->type) {
		case IKE_TT_ENCR:
			if (aead >= 0 && aead != (t->flags & TOK_AEAD ? 1 : 0))
				return fail(msg, cap, "'%s' mixes AEAD and non-AEAD ciphers in one proposal, expected "
						      "them in separate proposals (RFC 5282 §8)", tok);
			aead = t->flags & TOK_AEAD ? 1 : 0;
			if (p->n_encr >= IKE_CFG_ALGS_MAX)
				return fail(msg, cap, "more than %d ciphers in one proposal", IKE_CFG_ALGS_MAX);
			p->encr[p->n_encr].id = t->id;
			p->encr[p->n_encr].key_bits = t->key_bits;
			p->n_encr++;
			break;
		case IKE_TT_INTEG:
			if (add_u16(p->integ, &p->n_integ, IKE_CFG_ALGS_MAX, t->id) < 0 ||
			    add_u16(implied_prf, &n_implied, IKE_CFG_ALGS_MAX, t->prf) < 0)
				return fail(msg, cap, "more than %d integrity algorithms", IKE_CFG_ALGS_MAX);
			break;
		case IKE_TT_PRF:
			if (proto != IKE_PROTO_IKE)
				return fail(msg, cap, "'%s' is a PRF, expected none in an ESP proposal", tok);
			if (add_u16(p->prf, &p->n_prf, IKE_CFG_ALGS_MAX, t->id) < 0)
				return fail(msg, cap, "more than %d PRFs", IKE_CFG_ALGS_MAX);
			break;
		case IKE_TT_KE:
			if (add_u16(p->ke, &p->n_ke, IKE_CFG_ALGS_MAX, t->id) < 0)
				return fail(msg, cap, "more than %d key exchange groups", IKE_CFG_ALGS_MAX);
			break;
		case IKE_TT_ESN:
			if (proto != IKE_PROTO_ESP)
				return fail(msg, cap, "'%s' is an ESN setting, expected it in ESP proposals only", tok);
			add_u16(p->esn, &p->n_esn, 2, t->id);
			break;
		}
		i = j + 1;
		if (j + 1 == len)
			return fail(msg, cap, "proposal '%.*s' ends with '-', expected an algorithm after it", (int)len,
				    s);
	}
	if (p->n_encr == 0)
		return fail(msg, cap, "proposal '%.*s' has no cipher, expected one of aes128, aes256, aes128gcm16, "
				      "aes256gcm16, chacha20poly1305, 3des", (int)len, s);
	if (aead == 1 && p->n_integ > 0)
		return fail(msg, cap, "proposal '%.*s' has an integrity algorithm with an AEAD cipher, expected none "
				      "(RFC 5282 §8)", (int)len, s);
	if (aead == 0) {
		for (size_t e = 0; e < p->n_encr; e++) {
			uint16_t want = integ_for(p->encr[e].id);
			int found = 0;

			for (size_t g = 0; g < p->n_integ; g++)
				found |= p->integ[g] == want;
			if (!found)
				return fail(msg, cap, "proposal '%.*s': %s needs integrity %s, expected '%s' in the "
						      "proposal", (int)len, s, ike_transform_name(IKE_TT_ENCR, p->encr[e].id),
					    ike_transform_name(IKE_TT_INTEG, want), want == IKE_INTEG_HMAC_SHA1_96 ? "sha1"
														 : "sha256");
		}
	}
	if (proto == IKE_PROTO_IKE) {
		if (p->n_prf == 0) {
			for (size_t k = 0; k < n_implied; k++)
				add_u16(p->prf, &p->n_prf, IKE_CFG_ALGS_MAX, implied_prf[k]);
		}
		if (p->n_prf == 0)
			return fail(msg, cap, "IKE proposal '%.*s' has no PRF, expected prfsha256 (or an integrity "
					      "algorithm that implies one)", (int)len, s);
		if (p->n_ke == 0)
			return fail(msg, cap, "IKE proposal '%.*s' has no key exchange group, expected one of "
					      "curve25519, ecp256, modp2048", (int)len, s);
	} else if (p->n_esn == 0) {
		p->esn[p->n_esn++] = IKE_ESN_NO;
	}
	return 0;
}

int ike_proposal_parse(const char *text, uint8_t proto, struct ike_props *out, char *msg, size_t cap)
{
	const char *s = text;

	memset(out, 0, sizeof *out);
	while (*s) {
		const char *e;
		size_t len;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		e = s;
		while (*e && *e != ',')
			e++;
		len = (size_t)(e - s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (out->n >= IKE_CFG_PROPS_MAX)
			return fail(msg, cap, "more than %d proposals, expected at most %d", IKE_CFG_PROPS_MAX,
				    IKE_CFG_PROPS_MAX);
		if (parse_one(s, len, proto, &out->p[out->n], msg, cap) < 0)
			return -1;
		out->n++;
		s = e;
	}
	if (out->n == 0)
		return fail(msg, cap, "no proposal, expected e.g. '%s'",
			    proto == IKE_PROTO_IKE ? "aes256gcm16-prfsha256-curve25519" : "aes256gcm16");
	return 0;
}

static const char *token_name(uint8_t type, uint16_t id, uint16_t key_bits)
{
	for (size_t i = 0; i < N_TOKENS; i++)
		if (alg_tokens[i].type == type && alg_tokens[i].id == id &&
		    (type != IKE_TT_ENCR || alg_tokens[i].key_bits == key_bits))
			return alg_tokens[i].name;
	return "?";
}

size_t ike_proposal_fmt(const struct ike_prop_cfg *p, char *out, size_t cap)
{
	size_t n = 0;

#define PUT(name)                                                                                              \
	do {                                                                                                   \
		int w_ = snprintf(out + (n < cap ? n : cap), n < cap ? cap - n : 0, "%s%s", n ? "-" : "", name); \
		if (w_ > 0)                                                                                    \
			n += (size_t)w_;                                                                       \
	} while (0)
	if (cap > 0)
		out[0] = '\0';
	for (size_t i = 0; i < p->n_encr; i++)
		PUT(token_name(IKE_TT_ENCR, p->encr[i].id, p->encr[i].key_bits));
	for (size_t i = 0; i < p->n_integ; i++)
		PUT(token_name(IKE_TT_INTEG, p->integ[i], 0));
	for (size_t i = 0; i < p->n_prf; i++)
		PUT(token_name(IKE_TT_PRF, p->prf[i], 0));
	for (size_t i = 0; i < p->n_ke; i++)
		PUT(token_name(IKE_TT_KE, p->ke[i], 0));
	for (size_t i = 0; i < p->n_esn; i++)
		if (p->esn[i] != IKE_ESN_NO || p->n_esn > 1)
			PUT(token_name(IKE_TT_ESN, p->esn[i], 0));
#undef PUT
	return n;
}

int ike_proposal_build(const struct ike_props *props, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		       int with_ke, struct ike_sa_pl *sa)
{
	int rc = 0;

	sa->n_prop = 0;
	sa->n_pool = 0;
	for (size_t i = 0; i < props->n && rc == 0; i++) {
		const struct ike_prop_cfg *p = &props->p[i];

		rc = ike_sa_add_proposal(sa, (uint8_t)(i + 1), proto, spi, spi_size);
		for (size_t k = 0; k < p->n_encr && rc == 0; k++)
			rc = ike_sa_add_transform(sa, IKE_TT_ENCR, p->encr[k].id, p->encr[k].key_bits);
		if (proto == IKE_PROTO_IKE)
			for (size_t k = 0; k < p->n_prf && rc == 0; k++)
				rc = ike_sa_add_transform(sa, IKE_TT_PRF, p->prf[k], 0);
		for (size_t k = 0; k < p->n_integ && rc == 0; k++)
			rc = ike_sa_add_transform(sa, IKE_TT_INTEG, p->integ[k], 0);
		if (with_ke)
			for (size_t k = 0; k < p->n_ke && rc == 0; k++)
				rc = ike_sa_add_transform(sa, IKE_TT_KE, p->ke[k], 0);
		if (proto == IKE_PROTO_ESP)
			for (size_t k = 0; k < p->n_esn && rc == 0; k++)
				rc = ike_sa_add_transform(sa, IKE_TT_ESN, p->esn[k], 0);
	}
	return rc;
}

size_t ike_proposal_count(const struct ike_sa_pl *sa)
{
	return sa->n_prop;
}

/* cfg_has: does our proposal |p| list transform (|type|, |id|, |key_bits|)? */
static int cfg_has(const struct ike_prop_cfg *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	switch (type) {
	case IKE_TT_ENCR:
		for (size_t i = 0; i < p->n_encr; i++)
			if (p->encr[i].id == id && p->encr[i].key_bits == key_bits)
				return 1;
		return 0;
	case IKE_TT_INTEG:
		for (size_t i = 0; i < p->n_integ; i++)
			if (p->integ[i] == id)
				return 1;
		return 0;
	case IKE_TT_PRF:
		for (size_t i = 0; i < p->n_prf; i++)
			if (p->prf[i] == id)
				return 1;
		return 0;
	case IKE_TT_KE:
		for (size_t i = 0; i < p->n_ke; i++)
			if (p->ke[i] == id)
				return 1;
		return 0;
	case IKE_TT_ESN:
		for (size_t i = 0; i < p->n_esn; i++)
			if (p->esn[i] == id)
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* match_one tries offered proposal |pi| against our proposal |p|. */
static int match_one(const struct ike_prop_cfg *p, const struct ike_sa_pl *offer, size_t pi, uint16_t ke_hint,
		     int want_ke, struct ike_chosen *c)
{
	const struct ike_proposal *op = &offer->prop[pi];
	int have_integ = 0, offered_ke = 0, offered_esn = 0, ke_none = 0;

	memset(c, 0, sizeof *c);
	c->num = op->num;
	c->proto = op->proto;
	c->spi_size = op->spi_size;
	memcpy(c->spi, op->spi, op->spi_size);
	c->encr = 0;
	/* cipher first: it decides whether an integrity transform must follow */
	for (size_t t = 0; t < op->count; t++) {
		const struct ike_transform *tr = ike_sa_transform(offer, pi, t);

		if (tr->unknown_attrs)
			continue; /* §3.3.6: a transform with an unknown attribute is rejected */
		if (tr->type == IKE_TT_ENCR && c->encr == 0 && cfg_has(p, IKE_TT_ENCR, tr->id, tr->key_len)) {
			c->encr = tr->id;
			c->key_bits = tr->key_len;
		}
	}
	if (c->encr == 0)
		return -1;
	for (size_t t = 0; t < op->count; t++) {
		const struct ike_transform *tr = ike_sa_transform(offer, pi, t);

		if (tr->unknown_attrs)
			continue;
		switch (tr->type) {
		case IKE_TT_INTEG:
			if (tr->id != IKE_INTEG_NONE)
				have_integ = 1;
			if (!is_aead(c->encr) && c->integ == 0 && tr->id == integ_for(c->encr) &&
			    cfg_has(p, IKE_TT_INTEG, tr->id, 0))
				c->integ = tr->id;
			break;
		case IKE_TT_PRF:
			if (c->prf == 0 && prf_supported(tr->id) && cfg_has(p, IKE_TT_PRF, tr->id, 0))
				c->prf = tr->id;
			break;
		case IKE_TT_KE:
			offered_ke = 1;
			if (tr->id == IKE_KE_NONE)
				ke_none = 1;
			if (ke_supported(tr->id) && cfg_has(p, IKE_TT_KE, tr->id, 0) &&
			    (!c->has_ke || (tr->id == ke_hint && c->ke != ke_hint))) {
				c->ke = tr->id;
				c->has_ke = 1;
			}
			break;
		case IKE_TT_ESN:
			offered_esn = 1;
			break;
		default:
			break;
		}
	}
	if (is_aead(c->encr) && have_integ)
		return -1; /* RFC 5282 §8: AEAD with a real integrity transform is malformed for us */
	if (!is_aead(c->encr) && c->integ == 0)
		return -1;
	if (op->proto == IKE_PROTO_IKE && c->prf == 0)
		return -1;
	if (op->proto == IKE_PROTO_ESP) {
		/* ESN: take the first offered value we accept */
		int esn_ok = !offered_esn && cfg_has(p, IKE_TT_ESN, IKE_ESN_NO, 0);

		c->esn = IKE_ESN_NO;
		for (size_t t = 0; t < op->count && offered_esn && !esn_ok; t++) {
			const struct ike_transform *tr = ike_sa_transform(offer, pi, t);

			if (tr->type == IKE_TT_ESN && cfg_has(p, IKE_TT_ESN, tr->id, 0)) {
				c->esn = tr->id;
				esn_ok = 1;
			}
		}
		if (!esn_ok)
			return -1;
	}
	if (want_ke == 0) {
		c->has_ke = 0;
		c->ke = 0;
	} else if (want_ke == 1 && !c->has_ke) {
		return -1;
	} else if (want_ke == 2) {
		/* PFS: both list groups -> one must match; one side without -> none (unless NONE offered) */
		if (offered_ke && p->n_ke > 0 && !c->has_ke)
			return -1;
		if (offered_ke && p->n_ke == 0 && !ke_none)
			return -1;
		if (!offered_ke) {
			c->has_ke = 0;
			c->ke = 0;
		}
	}
	return 0;
}

int ike_proposal_select(const struct ike_props *ours, const struct ike_sa_pl *offer, uint8_t proto,
			uint16_t ke_hint, int want_ke, struct ike_chosen *out, char *why, size_t cap)
{
	char buf[160];

	for (size_t pi = 0; pi < offer->n_prop; pi++) {
		if (offer->prop[pi].proto != proto)
			continue;
		for (size_t k = 0; k < ours->n; k++)
			if (match_one(&ours->p[k], offer, pi, ke_hint, want_ke, out) == 0)
				return 0;
	}
	ike_proposal_fmt(&ours->p[0], buf, sizeof buf);
	return fail(why, cap, "none of %zu offered %s proposals matches our %zu (first: %s)", offer->n_prop,
		    ike_protocol_name(proto), ours->n, buf);
}

int ike_proposal_answer(const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_size, struct ike_sa_pl *sa)
{
	int rc;

	sa->n_prop = 0;
	sa->n_pool = 0;
	rc = ike_sa_add_proposal(sa, c->num, c->proto, spi, spi_size);
	if (rc == 0)
		rc = ike_sa_add_transform(sa, IKE_TT_ENCR, c->encr, c->key_bits);
	if (rc == 0 && c->proto == IKE_PROTO_IKE)
		rc = ike_sa_add_transform(sa, IKE_TT_PRF, c->prf, 0);
	if (rc == 0 && c->integ != 0)
		rc = ike_sa_add_transform(sa, IKE_TT_INTEG, c->integ, 0);
	if (rc == 0 && c->has_ke)
		rc = ike_sa_add_transform(sa, IKE_TT_KE, c->ke, 0);
	if (rc == 0 && c->proto == IKE_PROTO_ESP)
		rc = ike_sa_add_transform(sa, IKE_TT_ESN, c->esn, 0);
	return rc;
}

/* offered_has: did offered proposal |pi| contain this transform? */
static int offered_has(const struct ike_sa_pl *sa, size_t pi, const struct ike_transform *t)
{
	for (size_t k = 0; k < sa->prop[pi].count; k++) {
		const struct ike_transform *o = ike_sa_transform(sa, pi, k);

		if (o->type == t->type && o->id == t->id && o->key_len == t->key_len)
			return 1;
	}
	return 0;
}

int ike_proposal_check_answer(const struct ike_sa_pl *offered, const struct ike_sa_pl *answer, uint8_t proto,
			      struct ike_chosen *out, char *why, size_t cap)
{
	const struct ike_proposal *ap;
	size_t pi;
	unsigned seen = 0;

	if (answer->n_prop != 1)
		return fail(why, cap, "answer has %zu proposals, expected exactly 1 (§2.7)", answer->n_prop);
	ap = &answer->prop[0];
	if (ap->proto != proto)
		return fail(why, cap, "answer proposal protocol %s, expected %s", ike_protocol_name(ap->proto),
			    ike_protocol_name(proto));
	for (pi = 0; pi < offered->n_prop; pi++)
		if (offered->prop[pi].num == ap->num)
			break;
	if (pi == offered->n_prop)
		return fail(why, cap, "answer Proposal Num %u, expected one of the %zu we offered", ap->num,
			    offered->n_prop);
	memset(out, 0, sizeof *out);
	out->num = ap->num;
	out->proto = ap->proto;
	out->spi_size = ap->spi_size;
	memcpy(out->spi, ap->spi, ap->spi_size);
	out->esn = IKE_ESN_NO;
	for (size_t t = 0; t < ap->count; t++) {
		const struct ike_transform *tr = ike_sa_transform(answer, 0, t);

		/* the type is the peer's octet: test the range before using it as a shift */
		int known = tr->type >= 1 && tr->type <= 5, twice = known && (seen & (1u << tr->type));

		if (!known || twice)
			return fail(why, cap, "answer has transform type %s %s, expected one of each type we offered",
				    ike_transform_type_name(tr->type), twice ? "twice" : "(unknown)");
		seen |= 1u << tr->type;
		if (!offered_has(offered, pi, tr))
			return fail(why, cap, "answer transform %s (key %u) was not in our proposal %u",
				    ike_transform_name(tr->type, tr->id), tr->key_len, ap->num);
		switch (tr->type) {
		case IKE_TT_ENCR:
			out->encr = tr->id;
			out->key_bits = tr->key_len;
			break;
		case IKE_TT_INTEG:
			out->integ = tr->id;
			break;
		case IKE_TT_PRF:
			out->prf = tr->id;
			break;
		case IKE_TT_KE:
			out->ke = tr->id;
			out->has_ke = tr->id != IKE_KE_NONE;
			break;
		case IKE_TT_ESN:
			out->esn = tr->id;
			break;
		}
	}
	if (out->encr == 0)
		return fail(why, cap, "answer has no encryption transform, expected one");
	if (!is_aead(out->encr) && out->integ != integ_for(out->encr))
		return fail(why, cap, "answer pairs %s with integrity %s, expected %s",
			    ike_transform_name(IKE_TT_ENCR, out->encr), ike_transform_name(IKE_TT_INTEG, out->integ),
			    ike_transform_name(IKE_TT_INTEG, integ_for(out->encr)));
	if (proto == IKE_PROTO_IKE && (out->prf == 0 || !out->has_ke))
		return fail(why, cap, "IKE answer lacks %s, expected PRF and KE transforms",
			    out->prf == 0 ? "a PRF" : "a KE group");
	return 0;
}

int ike_proposal_esp_alg(const struct ike_chosen *c, enum crypto_aead_alg *alg, size_t *cipher_key_len)
{
	switch (c->encr) {
	case IKE_ENCR_AES_GCM_16:
		*alg = CRYPTO_AES_GCM_16;
		*cipher_key_len = c->key_bits / 8u;
		return c->key_bits == 128 || c->key_bits == 256 ? 0 : -1;
	case IKE_ENCR_CHACHA20_POLY1305:
		*alg = CRYPTO_CHACHA20_POLY1305;
		*cipher_key_len = 32;
		return 0;
	case IKE_ENCR_AES_CBC:
		*alg = CRYPTO_AES_CBC_HMAC_SHA256_128;
		*cipher_key_len = c->key_bits / 8u;
		return (c->key_bits == 128 || c->key_bits == 256) && c->integ == IKE_INTEG_HMAC_SHA2_256_128 ? 0 : -1;
	case IKE_ENCR_3DES:
		*alg = CRYPTO_3DES_CBC_HMAC_SHA1_96;
		*cipher_key_len = 24;
		return c->integ == IKE_INTEG_HMAC_SHA1_96 ? 0 : -1;
	default:
		return -1;
	}
}

size_t ike_chosen_fmt(const struct ike_chosen *c, char *out, size_t cap)
{
	char kb[8] = "";
	int n;

	if (c->key_bits)
		snprintf(kb, sizeof kb, "_%u", c->key_bits);
	n = snprintf(out, cap, "%s%s%s%s%s%s%s%s%s", ike_transform_name(IKE_TT_ENCR, c->encr), kb,
		     c->integ ? "/" : "", c->integ ? ike_transform_name(IKE_TT_INTEG, c->integ) : "",
		     c->prf ? "/" : "", c->prf ? ike_transform_name(IKE_TT_PRF, c->prf) : "", c->has_ke ? "/" : "",
		     c->has_ke ? ike_transform_name(IKE_TT_KE, c->ke) : "",
		     c->proto == IKE_PROTO_ESP && c->esn == IKE_ESN_YES ? "/ESN" : "");
	return n > 0 ? (size_t)n : 0;
}
