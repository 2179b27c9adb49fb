/*
 * ike_payload_cp.c — Configuration payload (RFC 7296 §3.15). Attribute
 * Length 0 is how a CFG_REQUEST asks for a value (§3.15.1); otherwise the
 * fixed lengths of the §3.15.1 table (and RFC 7651 P-CSCF) are enforced.
 */
#include "ref/ike/ike_payload.h"

#define CP_ERR(code, off, ...) ike_err_set(err, code, IKE_N_INVALID_SYNTAX, IKE_PL_CP, off, __VA_ARGS__)

/* attr_len_ok: allowed value lengths of known attributes (0 always allowed but for SUBNET6 etc.). */
static int attr_len_ok(uint16_t type, uint16_t len, const char **want)
{
	switch (type) {
	case IKE_CPA_INTERNAL_IP4_ADDRESS:
	case IKE_CPA_INTERNAL_IP4_NETMASK:
	case IKE_CPA_INTERNAL_IP4_DNS:
	case IKE_CPA_INTERNAL_IP4_NBNS:
	case IKE_CPA_INTERNAL_IP4_DHCP:
	case IKE_CPA_P_CSCF_IP4_ADDRESS:
		*want = "0 or 4";
		return len == 0 || len == 4;
	case IKE_CPA_INTERNAL_IP6_DNS:
	case IKE_CPA_INTERNAL_IP6_DHCP:
	case IKE_CPA_P_CSCF_IP6_ADDRESS:
		*want = "0 or 16";
		return len == 0 || len == 16;
	case IKE_CPA_INTERNAL_IP6_ADDRESS: /* address + prefix length */
	case IKE_CPA_INTERNAL_IP6_SUBNET:
		*want = "0 or 17";
		return len == 0 || len == 17;
	case IKE_CPA_INTERNAL_IP4_SUBNET: /* address + netmask */
		*want = "0 or 8";
		return len == 0 || len == 8;
	case IKE_CPA_SUPPORTED_ATTRIBUTES: /* list of 2-octet types */
		*want = "a multiple of 2";
		return len % 2 == 0;
	default:
		return 1;
	}
}

int ike_payload_cp_parse(struct ike_cp_pl *cp, const uint8_t *body, size_t len, struct ike_err *err)
{
	size_t off = 4;

	cp->n = 0;
	if (len < 4)
		return CP_ERR(IKE_E_TRUNCATED, 0, "CP payload: %zu octets, expected >= 4 (CFG type, reserved)", len);
	cp->type = body[0];
	while (off < len) {
		struct ike_cp_attr *a;
		uint16_t type, alen;
		const char *want;

		if (len - off < 4)
			return CP_ERR(IKE_E_TRUNCATED, off, "CP attribute %zu: header needs 4 octets, %zu left",
				      cp->n + 1, len - off);
		type = ike_get16(body + off) & 0x7fff;
		alen = ike_get16(body + off + 2);
		if (alen > len - off - 4)
			return CP_ERR(IKE_E_LENGTH, off + 2,
				      "CP attribute %s: Length %u runs past the payload (%zu octets left)",
				      ike_cp_attr_name(type), alen, len - off - 4);
		if (!attr_len_ok(type, alen, &want))
			return CP_ERR(IKE_E_LENGTH, off + 2, "CP attribute %s: Length %u, expected %s",
				      ike_cp_attr_name(type), alen, want);
		if (cp->n >= IKE_CP_MAX_ATTRS)
			return CP_ERR(IKE_E_LIMIT, off, "CP payload: more than %d attributes", IKE_CP_MAX_ATTRS);
		a = &cp->a[cp->n++];
		a->type = type;
		a->len = alen;
		a->val = body + off + 4;
		off += 4u + alen;
	}
	return 0;
}

int ike_payload_cp_build(const struct ike_cp_pl *cp, struct ike_buf *b)
{
	size_t start = b->len;
	int rc = 0;

	if (cp->n > IKE_CP_MAX_ATTRS)
		return IKE_E_ARG;
	rc |= ike_buf_put8(b, cp->type);
	rc |= ike_buf_put(b, NULL, 3);
	for (size_t i = 0; rc == 0 && i < cp->n; i++) {
		rc |= ike_buf_put16(b, cp->a[i].type & 0x7fff);
		rc |= ike_buf_put16(b, cp->a[i].len);
		rc |= ike_buf_put(b, cp->a[i].val, cp->a[i].len);
	}
	if (rc) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}
