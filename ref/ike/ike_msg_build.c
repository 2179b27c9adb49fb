/*
 * ike_msg_build.c — the message builder: appends payloads to a caller
 * buffer, writing each type into the previous payload's Next Payload field
 * (§3.2) and each Payload Length when the body is done. The Encrypted
 * payload (§3.14) is built in two steps so the engine keeps its keys: the
 * builder lays out IV space, inner payloads, padding, Pad Length and ICV
 * space, and sets every length field; the caller then writes the IV,
 * encrypts the plaintext in place and writes the ICV.
 */
#include "ref/ike/ike_msg.h"

#include <stdint.h>
#include <string.h>

static int fail(struct ike_msg_builder *mb, int code, const char *what)
{
	if (mb->err == 0) {
		mb->err = code;
		ike_err_set(&mb->e, code, 0, 0, mb->b.len, "builder: %s (%zu of %zu octets used)", what, mb->b.len,
			    mb->b.cap);
	}
	return mb->err;
}

void ike_msg_build_init(struct ike_msg_builder *mb, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	struct ike_hdr hh = *h;

	memset(mb, 0, sizeof *mb);
	mb->b.p = buf;
	mb->b.cap = cap;
	mb->sk_off = SIZE_MAX;
	if (buf == NULL || cap < IKE_HDR_LEN) {
		fail(mb, IKE_E_BUFFER, "no room for the 28-octet IKE header");
		return;
	}
	hh.next_payload = IKE_PL_NONE;
	hh.length = IKE_HDR_LEN;
	ike_hdr_write(&hh, buf);
	mb->b.len = IKE_HDR_LEN;
	mb->np_off = 16;
}

/* begin writes a generic header for |type| and links it from the previous Next Payload. */
static int begin(struct ike_msg_builder *mb, uint8_t type, int critical, size_t *hdr)
{
	if (mb->err)
		return mb->err;
	if (mb->closed)
		return fail(mb, IKE_E_ARG, "payload added after the message was finished");
	if (mb->sk_off != SIZE_MAX && mb->sk_fixed == 8)
		return fail(mb, IKE_E_ARG, "payload added inside an SKF fragment (use ike_msg_build_sk_raw)");
	if (mb->b.cap - mb->b.len < IKE_PAYLOAD_HDR_LEN)
		return fail(mb, IKE_E_BUFFER, "no room for a payload header");
	*hdr = mb->b.len;
	mb->b.p[mb->np_off] = type;
	mb->b.p[*hdr] = IKE_PL_NONE;
	mb->b.p[*hdr + 1] = critical ? IKE_PAYLOAD_CRITICAL : 0;
	ike_put16(mb->b.p + *hdr + 2, 0);
	mb->np_off = *hdr;
	mb->b.len += IKE_PAYLOAD_HDR_LEN;
	return 0;
}

static int end(struct ike_msg_builder *mb, size_t hdr, int rc)
{
	if (rc < 0)
		return fail(mb, rc, rc == IKE_E_BUFFER ? "payload body does not fit" : "invalid payload to build");
	if (mb->b.len - hdr > 0xffff)
		return fail(mb, IKE_E_ARG, "payload longer than 65535 octets");
	ike_put16(mb->b.p + hdr + 2, (uint16_t)(mb->b.len - hdr));
	return 0;
}

int ike_msg_build_add(struct ike_msg_builder *mb, const struct ike_payload *p)
{
	size_t hdr;
	int rc;

	if (p->type == IKE_PL_SK || p->type == IKE_PL_SKF)
		return fail(mb, IKE_E_ARG, "SK/SKF added as a plain payload (use ike_msg_build_sk_begin)");
	rc = begin(mb, p->type, p->critical, &hdr);
	if (rc < 0)
		return rc;
	return end(mb, hdr, ike_payload_build(p, &mb->b));
}

int ike_msg_build_add_raw(struct ike_msg_builder *mb, uint8_t type, int critical, const uint8_t *body,
			  size_t len)
{
	size_t hdr;
	int rc;

	if (type == IKE_PL_SK || type == IKE_PL_SKF)
		return fail(mb, IKE_E_ARG, "SK/SKF added as a plain payload (use ike_msg_build_sk_begin)");
	rc = begin(mb, type, critical, &hdr);
	if (rc < 0)
		return rc;
	return end(mb, hdr, ike_buf_put(&mb->b, body, len));
}

int ike_msg_build_finish(struct ike_msg_builder *mb, size_t *len)
{
	if (mb->err)
		return mb->err;
	if (mb->sk_off != SIZE_MAX && !mb->closed)
		return fail(mb, IKE_E_ARG, "finish with an SK payload still open (call ike_msg_build_sk_end)");
	ike_put32(mb->b.p + 24, (uint32_t)mb->b.len);
	mb->closed = 1;
	if (len != NULL)
		*len = mb->b.len;
	return 0;
}

static int sk_open(struct ike_msg_builder *mb, uint8_t type, size_t fixed, size_t iv_len, size_t icv_len,
		   size_t block_len, size_t *hdr)
{
	int rc;

	if (mb->err)
		return mb->err;
	if (mb->sk_off != SIZE_MAX)
		return fail(mb, IKE_E_ARG, "second SK/SKF payload in one message");
	if (block_len == 0 || block_len > 255)
		return fail(mb, IKE_E_ARG, "SK block length must be 1..255");
	rc = begin(mb, type, 0, hdr);
	if (rc < 0)
		return rc;
	mb->sk_off = *hdr;
	mb->sk_fixed = fixed;
	mb->iv_len = iv_len;
	mb->icv_len = icv_len;
	mb->block_len = block_len;
	return 0;
}

int ike_msg_build_sk_begin(struct ike_msg_builder *mb, size_t iv_len, size_t icv_len, size_t block_len)
{
	size_t hdr;
	int rc = sk_open(mb, IKE_PL_SK, IKE_PAYLOAD_HDR_LEN, iv_len, icv_len, block_len, &hdr);

	if (rc < 0)
		return rc;
	if (ike_buf_put(&mb->b, NULL, iv_len))
		return fail(mb, IKE_E_BUFFER, "no room for the SK IV");
	/* the first inner payload's type goes into SK's own Next Payload (np_off = hdr) */
	return 0;
}

int ike_msg_build_skf_begin(struct ike_msg_builder *mb, uint16_t num, uint16_t total, uint8_t first_inner,
			    size_t iv_len, size_t icv_len, size_t block_len)
{
	size_t hdr = 0; /* set by sk_open; gcc -O2 cannot see it */
	int rc;

	if (total == 0 || num == 0 || num > total)
		return fail(mb, IKE_E_ARG, "SKF fragment number must be 1..total, total >= 1");
	rc = sk_open(mb, IKE_PL_SKF, 8, iv_len, icv_len, block_len, &hdr);
	if (rc < 0)
		return rc;
	/* RFC 7383 §2.5: Next Payload is the first inner type in fragment 1, 0 in the others */
	mb->b.p[hdr] = num == 1 ? first_inner : IKE_PL_NONE;
	if (ike_buf_put16(&mb->b, num) || ike_buf_put16(&mb->b, total) || ike_buf_put(&mb->b, NULL, iv_len))
		return fail(mb, IKE_E_BUFFER, "no room for the SKF header and IV");
	return 0;
}

int ike_msg_build_sk_raw(struct ike_msg_builder *mb, const uint8_t *data, size_t len)
{
	if (mb->err)
		return mb->err;
	if (mb->sk_off == SIZE_MAX || mb->closed)
		return fail(mb, IKE_E_ARG, "raw encrypted content without an open SK/SKF payload");
	if (ike_buf_put(&mb->b, data, len))
		return fail(mb, IKE_E_BUFFER, "raw encrypted content does not fit");
	return 0;
}

int ike_msg_build_sk_end(struct ike_msg_builder *mb, struct ike_sk_seal *seal)
{
	size_t plain_off, plain_len, pad;

	if (mb->err)
		return mb->err;
	if (mb->sk_off == SIZE_MAX || mb->closed)
		return fail(mb, IKE_E_ARG, "ike_msg_build_sk_end without an open SK/SKF payload");
	plain_off = mb->sk_off + mb->sk_fixed + mb->iv_len;
	plain_len = mb->b.len - plain_off;
	/* §3.14: payloads || padding || Pad Length is a multiple of the block size */
	pad = (mb->block_len - (plain_len + 1) % mb->block_len) % mb->block_len;
	if (ike_buf_put(&mb->b, NULL, pad) || ike_buf_put8(&mb->b, (uint8_t)pad) ||
	    ike_buf_put(&mb->b, NULL, mb->icv_len))
		return fail(mb, IKE_E_BUFFER, "no room for SK padding and ICV");
	if (mb->b.len - mb->sk_off > 0xffff)
		return fail(mb, IKE_E_ARG, "SK payload longer than 65535 octets");
	ike_put16(mb->b.p + mb->sk_off + 2, (uint16_t)(mb->b.len - mb->sk_off));
	ike_put32(mb->b.p + 24, (uint32_t)mb->b.len);
	mb->closed = 1;
	seal->msg = mb->b.p;
	seal->msg_len = mb->b.len;
	seal->aad_len = mb->sk_off + mb->sk_fixed;
	seal->iv = mb->b.p + seal->aad_len;
	seal->iv_len = mb->iv_len;
	seal->plain = mb->b.p + plain_off;
	seal->plain_len = plain_len + pad + 1;
	seal->icv = seal->plain + seal->plain_len;
	seal->icv_len = mb->icv_len;
	return 0;
}

size_t ike_skf_capacity(size_t max_msg_len, size_t iv_len, size_t icv_len, size_t block_len)
{
	size_t overhead = IKE_HDR_LEN + 8 + iv_len + icv_len, usable;

	if (block_len == 0 || max_msg_len <= overhead)
		return 0;
	usable = (max_msg_len - overhead) / block_len * block_len; /* payloads + pad + Pad Length */
	return usable > 0 ? usable - 1 : 0;
}
