/* conf_craft.c — packet and capture builders (libpcap writes the file). */
#include "conformance/conf_craft.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ipv4.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_payload.h"

struct conf_craft {
	int dlt;
	uint16_t vlan;
	uint32_t snap;
	pcap_t *pd;
	pcap_dumper_t *dump;
	FILE *fp;
	char *mem;
	size_t mem_len;
};

struct conf_craft *conf_craft_new(int dlt)
{
	struct conf_craft *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->dlt = dlt;
	w->pd = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
	w->fp = open_memstream(&w->mem, &w->mem_len);
	if (!w->pd || !w->fp || !(w->dump = pcap_dump_fopen(w->pd, w->fp))) {
		conf_craft_free(w);
		return NULL;
	}
	return w;
}

void conf_craft_free(struct conf_craft *w)
{
	if (!w)
		return;
	if (w->dump)
		pcap_dump_close(w->dump); /* closes fp */
	else if (w->fp)
		fclose(w->fp);
	if (w->pd)
		pcap_close(w->pd);
	free(w->mem);
	free(w);
}

void conf_craft_vlan(struct conf_craft *w, uint16_t vlan)
{
	w->vlan = vlan;
}

void conf_craft_snaplen(struct conf_craft *w, uint32_t snap)
{
	w->snap = snap;
}

int conf_craft_add_frame(struct conf_craft *w, uint64_t t_ns, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(t_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(t_ns % 1000000000u); /* nanoseconds: the dumper is in nano mode */
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(w->snap && w->snap < len ? w->snap : len);
	pcap_dump((u_char *)w->dump, &h, frame);
	return 0;
}

int conf_craft_add_ip(struct conf_craft *w, uint64_t t_ns, const uint8_t *ip, size_t len)
{
	uint8_t f[70000];
	size_t off = 0;
	int v6 = len && (ip[0] >> 4) == 6;
	uint16_t et = v6 ? 0x86dd : 0x0800;
	if (len > sizeof f - 32)
		return -1;
	switch (w->dlt) {
	case 1: /* EN10MB */
		memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
		off = 12;
		if (w->vlan) {
			f[off++] = 0x81;
			f[off++] = 0x00;
			f[off++] = (uint8_t)(w->vlan >> 8);
			f[off++] = (uint8_t)w->vlan;
		}
		f[off++] = (uint8_t)(et >> 8);
		f[off++] = (uint8_t)et;
		break;
	case 113: /* LINUX_SLL */
		memset(f, 0, 16);
		f[1] = 4; /* outgoing */
		f[3] = 1; /* ARPHRD_ETHER */
		f[5] = 6;
		f[14] = (uint8_t)(et >> 8);
		f[15] = (uint8_t)et;
		off = 16;
		break;
	case 276: /* LINUX_SLL2 */
		memset(f, 0, 20);
		f[0] = (uint8_t)(et >> 8);
		f[1] = (uint8_t)et;
		f[7] = 2; /* ifindex */
		f[9] = 1; /* ARPHRD_ETHER */
		f[11] = 6;
		off = 20;
		break;
	case 9: /* PPP as ns-3 writes it: 2-octet protocol */
		f[0] = 0x00;
		f[1] = v6 ? 0x57 : 0x21;
		off = 2;
		break;
	case 0: /* NULL: host byte order (little-endian here) */
		f[0] = v6 ? 24 : 2;
		f[1] = f[2] = f[3] = 0;
		off = 4;
		break;
	case 108: /* LOOP: network byte order */
		f[0] = f[1] = f[2] = 0;
		f[3] = v6 ? 24 : 2;
		off = 4;
		break;
	default: /* RAW, IPV4, IPV6 */
		break;
	}
	memcpy(f + off, ip, len);
	return conf_craft_add_frame(w, t_ns, f, off + len);
}

int conf_craft_bytes(struct conf_craft *w, uint8_t **buf, size_t *len)
{
	if (pcap_dump_flush(w->dump) != 0 || fflush(w->fp) != 0)
		return -1;
	*buf = malloc(w->mem_len ? w->mem_len : 1);
	if (!*buf)
		return -1;
	memcpy(*buf, w->mem, w->mem_len);
	*len = w->mem_len;
	return 0;
}

int conf_craft_save(const struct conf_craft *w, const char *path)
{
	uint8_t *b;
	size_t n;
	if (conf_craft_bytes((struct conf_craft *)w, &b, &n) < 0)
		return -1;
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(b, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = 0;
	free(b);
	return ok ? 0 : -1;
}

struct conf_capture *conf_craft_decode(const struct conf_craft *w, char *err, size_t errlen)
{
	uint8_t *b;
	size_t n;
	if (conf_craft_bytes((struct conf_craft *)w, &b, &n) < 0) {
		snprintf(err, errlen, "crafted capture: out of memory");
		return NULL;
	}
	FILE *fp = fmemopen(b, n, "rb");
	if (!fp) {
		free(b);
		snprintf(err, errlen, "crafted capture: fmemopen failed");
		return NULL;
	}
	struct conf_capture *c = conf_capture_load_fp(fp, "crafted", NULL, err, errlen);
	free(b);
	return c;
}

/* ---- packets ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

size_t conf_craft_ipv4(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
		       int df, const uint8_t *payload, size_t plen)
{
	if (plen > 65535 - 20 || cap < 20 + plen)
		return 0;
	out[0] = 0x45;
	out[1] = 0;
	put16(out + 2, (uint16_t)(20 + plen));
	put16(out + 4, id);
	put16(out + 6, df ? 0x4000 : 0);
	out[8] = 64;
	out[9] = proto;
	put16(out + 10, 0);
	put32(out + 12, src);
	put32(out + 16, dst);
	put16(out + 10, conf_ipv4_checksum(out, 20));
	if (plen)
		memmove(out + 20, payload, plen);
	return 20 + plen;
}

/* l4_cksum: checksum with the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1). */
static uint16_t l4_cksum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *seg, size_t n)
{
	uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)n;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(seg[i] << 8 | seg[i + 1]);
	if (n & 1)
		s += (uint32_t)seg[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	uint16_t c = (uint16_t)~s;
	return c ? c : 0xffff;
}

size_t conf_craft_udp(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		      uint16_t id, int df, const uint8_t *payload, size_t plen)
{
	uint8_t seg[65536];
	if (plen > 65535 - 28 || cap < 28 + plen)
		return 0;
	put16(seg, sport);
	put16(seg + 2, dport);
	put16(seg + 4, (uint16_t)(8 + plen));
	put16(seg + 6, 0);
	if (plen)
		memcpy(seg + 8, payload, plen);
	put16(seg + 6, l4_cksum(src, dst, CONF_IPPROTO_UDP, seg, 8 + plen));
	return conf_craft_ipv4(out, cap, src, dst, CONF_IPPROTO_UDP, id, df, seg, 8 + plen);
}

size_t conf_craft_tcp(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, size_t plen)
{
	uint8_t seg[65536];
	if (plen > 65535 - 40 || cap < 40 + plen)
		return 0;
	memset(seg, 0, 20);
	put16(seg, sport);
	put16(seg + 2, dport);
	put32(seg + 4, seq);
	put32(seg + 8, ack);
	seg[12] = 5 << 4;
	seg[13] = flags;
	put16(seg + 14, 65535);
	if (plen)
		memcpy(seg + 20, payload, plen);
	put16(seg + 16, l4_cksum(src, dst, CONF_IPPROTO_TCP, seg, 20 + plen));
	return conf_craft_ipv4(out, cap, src, dst, CONF_IPPROTO_TCP, (uint16_t)(seq ^ 0x5a5a), 1, seg, 20 + plen);
}

size_t conf_craft_icmp_needfrag(uint8_t *out, size_t cap, uint32_t router, uint16_t mtu, const uint8_t *orig,
				size_t orig_len)
{
	uint8_t m[600];
	if (orig_len < 20 || orig_len > sizeof m - 8)
		return 0;
	uint32_t to = (uint32_t)orig[12] << 24 | (uint32_t)orig[13] << 16 | (uint32_t)orig[14] << 8 | orig[15];
	m[0] = 3;
	m[1] = 4;
	put16(m + 2, 0);
	put16(m + 4, 0);
	put16(m + 6, mtu);
	memcpy(m + 8, orig, orig_len);
	put16(m + 2, conf_ipv4_checksum(m, 8 + orig_len));
	return conf_craft_ipv4(out, cap, router, to, CONF_IPPROTO_ICMP, 0x1c3f, 0, m, 8 + orig_len);
}

int conf_craft_fragment(const uint8_t *pkt, size_t len, size_t mtu, uint8_t (*out)[CONF_CRAFT_FRAG_MAX],
			size_t *lens, int max)
{
	size_t hl = (size_t)(pkt[0] & 15) * 4;
	if (len < hl || mtu < hl + 8 || mtu > CONF_CRAFT_FRAG_MAX)
		return -1;
	size_t per = (mtu - hl) & ~(size_t)7;
	size_t total = len - hl;
	int n = 0;
	for (size_t off = 0; off < total; off += per) {
		if (n >= max)
			return -1;
		size_t chunk = total - off < per ? total - off : per;
		uint8_t *f = out[n];
		memcpy(f, pkt, hl);
		memcpy(f + hl, pkt + hl + off, chunk);
		put16(f + 2, (uint16_t)(hl + chunk));
		uint16_t ff = (uint16_t)((pkt[6] << 8 | pkt[7]) & 0x4000);
		ff |= (uint16_t)(off / 8);
		if (off + chunk < total)
			ff |= 0x2000;
		put16(f + 6, ff);
		put16(f + 10, 0);
		put16(f + 10, conf_ipv4_checksum(f, hl));
		lens[n++] = hl + chunk;
	}
	return n;
}

/* ---- IKE ---- */

void conf_craft_ike_begin(struct conf_craft_ike *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
			  uint8_t version, uint8_t exch, uint8_t flags, uint32_t msgid)
{
	memset(b->buf, 0, IKE_HDR_LEN);
	memcpy(b->buf, spi_i, 8);
	memcpy(b->buf + 8, spi_r, 8);
	b->buf[17] = version;
	b->buf[18] = exch;
	b->buf[19] = flags;
	put32(b->buf + 20, msgid);
	b->len = IKE_HDR_LEN;
	b->np_at = 16;
	b->err = 0;
}

void conf_craft_ike_add(struct conf_craft_ike *b, uint8_t type, const uint8_t *body, size_t len)
{
	if (b->err || len > 65535 - 4 || b->len + 4 + len > sizeof b->buf) {
		b->err = 1;
		return;
	}
	b->buf[b->np_at] = type;
	uint8_t *p = b->buf + b->len;
	p[0] = 0;
	p[1] = 0;
	put16(p + 2, (uint16_t)(4 + len));
	if (len)
		memcpy(p + 4, body, len);
	b->np_at = b->len;
	b->len += 4 + len;
}

void conf_craft_ike_last_np(struct conf_craft_ike *b, uint8_t np)
{
	if (b->np_at >= IKE_HDR_LEN)
		b->buf[b->np_at] = np;
}

size_t conf_craft_ike_end(struct conf_craft_ike *b)
{
	if (b->err)
		return 0;
	put32(b->buf + 24, (uint32_t)b->len);
	return b->len;
}

size_t conf_craft_notify(uint8_t *out, size_t cap, uint16_t type, const uint8_t *data, size_t dlen)
{
	if (cap < 4 + dlen)
		return 0;
	out[0] = 0;
	out[1] = 0;
	put16(out + 2, type);
	if (dlen)
		memcpy(out + 4, data, dlen);
	return 4 + dlen;
}

size_t conf_craft_sa_ike(uint8_t *out, size_t cap, uint16_t group)
{
	static struct ike_sa_pl sa; /* large; a test helper, not reentrant-sensitive */
	memset(&sa, 0, sizeof sa);
	struct ike_buf b = {out, cap, 0};
	if (ike_sa_add_proposal(&sa, 1, IKE_PROTO_IKE, NULL, 0) < 0 ||
	    ike_sa_add_transform(&sa, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256) < 0 ||
	    ike_sa_add_transform(&sa, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0) < 0 ||
	    ike_sa_add_transform(&sa, IKE_TT_KE, group, 0) < 0 || ike_payload_sa_build(&sa, &b) < 0)
		return 0;
	return b.len;
}

size_t conf_craft_ke(uint8_t *out, size_t cap, uint16_t group, size_t data_len)
{
	if (cap < 4 + data_len)
		return 0;
	put16(out, group);
	put16(out + 2, 0);
	for (size_t i = 0; i < data_len; i++)
		out[4 + i] = (uint8_t)(0x40 + i * 7);
	return 4 + data_len;
}

size_t conf_craft_skf(uint8_t *out, size_t cap, uint16_t num, uint16_t total, size_t data_len)
{
	if (cap < 4 + data_len)
		return 0;
	put16(out, num);
	put16(out + 2, total);
	for (size_t i = 0; i < data_len; i++)
		out[4 + i] = (uint8_t)(num * 31 + i);
	return 4 + data_len;
}

size_t conf_craft_esp(uint8_t *out, size_t cap, uint32_t spi, uint32_t seq, size_t data_len)
{
	if (cap < 8 + data_len)
		return 0;
	put32(out, spi);
	put32(out + 4, seq);
	for (size_t i = 0; i < data_len; i++)
		out[8 + i] = (uint8_t)(seq + i * 13);
	return 8 + data_len;
}
