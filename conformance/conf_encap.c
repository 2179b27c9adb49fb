/* conf_encap.c — demultiplexing port 4500 and RFC 9329 TCP framing. */
#include "conformance/conf_encap.h"

#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikehdr.h"
#include "ref/ike/ike_const.h"

enum conf_encap conf_encap_udp4500(const uint8_t *p, uint32_t len, const char **why)
{
	*why = NULL;
	if (len == 1) {
		if (p[0] == 0xff)
			return CONF_ENCAP_KEEPALIVE;
		*why = "one-octet payload that is not the NAT-keepalive value 0xFF";
		return CONF_ENCAP_MALFORMED;
	}
	if (len == 0) {
		*why = "empty UDP payload";
		return CONF_ENCAP_MALFORMED;
	}
	if (len >= 4 && !p[0] && !p[1] && !p[2] && !p[3]) {
		if (len >= IKE_NON_ESP_MARKER_LEN + IKE_HDR_LEN) {
			int major = p[IKE_NON_ESP_MARKER_LEN + 17] >> 4;
			if (major == IKE_MAJOR_VERSION || major == IKEV1_MAJOR_VERSION)
				return CONF_ENCAP_IKE;
		}
		*why = "four zero octets (non-ESP marker / ESP SPI 0) not followed by an IKE header";
		return CONF_ENCAP_MALFORMED;
	}
	if (len < 8) {
		*why = "payload shorter than an ESP header (8 octets) and not a keepalive";
		return CONF_ENCAP_MALFORMED;
	}
	return CONF_ENCAP_ESP;
}

void conf_tcpframer_init(struct conf_tcpframer *f, int originator)
{
	memset(f, 0, sizeof *f);
	f->originator = originator;
	f->state = originator ? 0 : 1;
}

void conf_tcpframer_free(struct conf_tcpframer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = f->have = 0;
}

static void frame_bytes(struct conf_tcpframer *f, const uint8_t *p, uint32_t n, uint32_t frame,
			conf_tcpframe_fn fn, void *ctx)
{
	while (n && f->state == 1) {
		if (f->len_have < 2) {
			if (f->len_have == 0)
				f->first_frame = frame;
			f->lenbuf[f->len_have++] = *p++;
			n--;
			if (f->len_have < 2)
				continue;
			uint32_t l = (uint32_t)f->lenbuf[0] << 8 | f->lenbuf[1];
			if (l < 3) { /* RFC 9329 §3: Length counts itself; nothing fits in < 3 */
				fn(ctx, CONF_TF_BAD_LENGTH, f->lenbuf, 2, f->first_frame, frame);
				f->state = 2;
				return;
			}
			f->want = l - 2;
			f->have = 0;
			if (f->cap < f->want) {
				uint8_t *nb = realloc(f->buf, f->want);
				if (!nb) {
					f->state = 2;
					return;
				}
				f->buf = nb;
				f->cap = f->want;
			}
			continue;
		}
		uint32_t take = f->want - f->have;
		if (take > n)
			take = n;
		memcpy(f->buf + f->have, p, take);
		f->have += take;
		p += take;
		n -= take;
		if (f->have == f->want) {
			f->frames++;
			fn(ctx, CONF_TF_FRAME, f->buf, f->want, f->first_frame, frame);
			f->len_have = 0;
			f->have = f->want = 0;
		}
	}
}

void conf_tcpframer_feed(struct conf_tcpframer *f, const uint8_t *data, uint32_t len,
			 uint32_t frame, conf_tcpframe_fn fn, void *ctx)
{
	if (f->state == 2)
		return;
	if (!data) {
		fn(ctx, CONF_TF_GAP, NULL, len, frame, frame);
		f->state = 2;
		return;
	}
	if (f->state == 0) {
		while (len && f->pfx_have < CONF_IKETCP_PREFIX_LEN) {
			f->pfx[f->pfx_have++] = *data++;
			len--;
			if (f->pfx_have == 2 && f->pfx[0] == 0x16 && f->pfx[1] == 0x03) {
				fn(ctx, CONF_TF_TLS, f->pfx, 2, frame, frame);
				f->state = 2;
				return;
			}
			if (f->pfx_have == 1 && f->pfx[0] == 0x16)
				continue; /* maybe a TLS record: decided on the next octet */
			if (f->pfx[f->pfx_have - 1] != (uint8_t)CONF_IKETCP_PREFIX[f->pfx_have - 1] ||
			    (f->pfx_have == 2 && f->pfx[0] == 0x16)) {
				/* Not the prefix: report and read what we have as frames. */
				f->prefix_ok = -1;
				fn(ctx, CONF_TF_PREFIX_BAD, f->pfx, f->pfx_have, frame, frame);
				f->state = 1;
				uint8_t held[CONF_IKETCP_PREFIX_LEN];
				uint8_t nh = f->pfx_have;
				memcpy(held, f->pfx, nh);
				frame_bytes(f, held, nh, frame, fn, ctx);
				break;
			}
		}
		if (f->state == 0 && f->pfx_have == CONF_IKETCP_PREFIX_LEN) {
			f->prefix_ok = 1;
			fn(ctx, CONF_TF_PREFIX_OK, f->pfx, CONF_IKETCP_PREFIX_LEN, frame, frame);
			f->state = 1;
		}
		if (f->state != 1)
			return;
	}
	frame_bytes(f, data, len, frame, fn, ctx);
}

void conf_tcpframer_end(struct conf_tcpframer *f, uint32_t frame, conf_tcpframe_fn fn, void *ctx)
{
	if (f->state == 1 && (f->len_have || f->have))
		fn(ctx, CONF_TF_PARTIAL, f->buf, f->have + f->len_have, f->first_frame, frame);
}
