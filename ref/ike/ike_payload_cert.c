/* ike_payload_cert.c — Certificate (RFC 7296 §3.6) and Certificate Request (§3.7). */
#include "ref/ike/ike_payload.h"

int ike_payload_cert_parse(struct ike_cert_pl *c, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 1)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_CERT, 0,
				   "CERT payload: empty, expected a Cert Encoding octet");
	c->encoding = body[0];
	c->data = body + 1;
	c->len = len - 1;
	if (c->len == 0)
		return ike_err_set(err, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, IKE_PL_CERT, 1,
				   "CERT payload: %s Certificate Data empty, expected >= 1 octet",
				   ike_cert_encoding_name(c->encoding));
	return 0;
}

int ike_payload_certreq_parse(struct ike_cert_pl *c, const uint8_t *body, size_t len, struct ike_err *err)
{
	if (len < 1)
		return ike_err_set(err, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, IKE_PL_CERTREQ, 0,
				   "CERTREQ payload: empty, expected a Cert Encoding octet");
	c->encoding = body[0];
	c->data = body + 1;
	c->len = len - 1;
	/* §3.7: for X.509 the CA field is a list of 20-octet SHA-1 key hashes */
	if (c->encoding == IKE_CERT_X509_SIG && c->len % IKE_CERTREQ_HASH_LEN != 0)
		return ike_err_set(err, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, IKE_PL_CERTREQ, 1,
				   "CERTREQ payload: X509_SIGNATURE authority data %zu octets, expected a multiple of 20",
				   c->len);
	return 0;
}

int ike_payload_cert_build(const struct ike_cert_pl *c, struct ike_buf *b)
{
	size_t start = b->len;

	if (ike_buf_put8(b, c->encoding) || ike_buf_put(b, c->data, c->len)) {
		b->len = start;
		return IKE_E_BUFFER;
	}
	return 0;
}

size_t ike_certreq_hash_count(const struct ike_cert_pl *c)
{
	return c->encoding == IKE_CERT_X509_SIG ? c->len / IKE_CERTREQ_HASH_LEN : 0;
}
