/*
 * ip4_frag.c — RFC 791 fragmentation. Offsets are in 8-octet units, so the
 * data of every fragment but the last is a multiple of 8; the first
 * fragment keeps all options, later ones only those with the copy flag.
 */
#include "sim/ip/ip4.h"

#include <stdlib.h>
#include <string.h>

int ip4_frag_copied_opts(const uint8_t *opts, size_t len, uint8_t out[40])
{
	size_t i = 0, n = 0;

	if (len > 40)
		return IP4_EOPT;
	while (i < len) {
		uint8_t type = opts[i];
		size_t olen;

		if (type == IP4_OPT_EOL)
			break;
		if (type == IP4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opts[i + 1] < 2 || i + opts[i + 1] > len)
			return IP4_EOPT;
		olen = opts[i + 1];
		if (type & IP4_OPT_COPY) {
			memcpy(out + n, opts + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4)
		out[n++] = IP4_OPT_EOL;
	return (int)n;
}

int ip4_frag(const uint8_t *pkt, size_t len, size_t mtu, ip4_emit_fn emit, void *ctx)
{
	struct ip4_hdr h;
	uint8_t copied[40];
	size_t data_len, done = 0, hlen_later, first_chunk, later_chunk;
	uint8_t *buf;
	int rc, ncopied, count = 0;

	rc = ip4_parse(pkt, len, &h);
	if (rc)
		return rc;
	/* A fragment reaching past 65535 cannot be expressed (ping of death). */
	if ((size_t)h.frag_off + h.total_len - h.hlen > IP4_MAX_LEN - IP4_HDR_MIN)
		return IP4_EREASM_TOOBIG;
	if (h.total_len <= mtu) {
		emit(ctx, pkt, h.total_len);
		return 1;
	}
	ncopied = ip4_frag_copied_opts(pkt + IP4_HDR_MIN, h.hlen - IP4_HDR_MIN, copied);
	if (ncopied < 0)
		return ncopied;
	hlen_later = IP4_HDR_MIN + (size_t)ncopied;
	if (mtu < (size_t)h.hlen + 8 || mtu < hlen_later + 8)
		return IP4_EMTU;
	first_chunk = (mtu - h.hlen) & ~(size_t)7;
	later_chunk = (mtu - hlen_later) & ~(size_t)7;
	data_len = (size_t)h.total_len - h.hlen;
	buf = malloc(mtu);
	if (!buf)
		return IP4_ENOMEM;
	while (done < data_len) {
		size_t fh = done ? hlen_later : h.hlen;
		size_t chunk = done ? later_chunk : first_chunk;
		int last = done + chunk >= data_len;
		uint16_t frag;

		if (last)
			chunk = data_len - done;
		memcpy(buf, pkt, IP4_HDR_MIN);
		if (done)
			memcpy(buf + IP4_HDR_MIN, copied, (size_t)ncopied);
		else
			memcpy(buf + IP4_HDR_MIN, pkt + IP4_HDR_MIN, h.hlen - IP4_HDR_MIN);
		buf[0] = (uint8_t)(0x40 | fh / 4);
		memcpy(buf + fh, pkt + h.hlen + done, chunk);
		ip4_put16(buf + IP4_OFF_TOTLEN, (uint16_t)(fh + chunk));
		frag = (uint16_t)(((h.frag_off + done) / 8) & IP4_OFF_MASK);
		if (h.df)
			frag |= IP4_FLAG_DF;
		if (!last || h.mf)
			frag |= IP4_FLAG_MF;
		ip4_put16(buf + IP4_OFF_FRAG, frag);
		ip4_hdr_set_csum(buf);
		emit(ctx, buf, fh + chunk);
		count++;
		done += chunk;
	}
	free(buf);
	return count;
}
