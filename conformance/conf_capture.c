/* conf_capture.c — the decode pipeline from capture records to the model. */
#include "conformance/conf_capture.h"

#include <stdlib.h>
#include <string.h>

#include "conformance/conf_dec.h"
#include "conformance/conf_encap.h"
#include "conformance/conf_grow.h"
#include "conformance/conf_esp.h"
#include "conformance/conf_ipfrag.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_tcp.h"
#include "conformance/conf_udp.h"
#include "ref/ike/ike_const.h"

#define CONN_BUCKETS 4096

/* conn_priv is the decoder state of one TCP connection; dir 0 = originator. */
struct conn_priv {
	uint32_t a, b;          /* originator address/port, responder address/port */
	uint16_t ap, bp;
	struct conf_tcpdir dir[2];
	struct conf_tcpframer fr[2];
	int framing;            /* framers active */
	int enforce;            /* server port is 4500: the prefix is required */
	uint32_t idx;           /* into conf_capture.conn */
	struct conn_priv *next;
};

struct conf_capture_priv {
	struct conf_ipfrag *frag;
	struct conf_capture_limits lim;
	uint64_t last_expire;
	struct conn_priv *bucket[CONN_BUCKETS];
	struct conn_priv **conns;
	uint32_t n_conns, cap_conns;
	uint32_t cur;           /* frame being decoded (1-based) */
};

const char *conf_kind_name(enum conf_kind k)
{
	switch (k) {
	case CONF_K_NONE: return "-";
	case CONF_K_FRAGMENT: return "IP fragment";
	case CONF_K_UDP: return "UDP";
	case CONF_K_TCP: return "TCP";
	case CONF_K_ICMP: return "ICMP";
	case CONF_K_IKE: return "IKE";
	case CONF_K_KEEPALIVE: return "NAT-keepalive";
	case CONF_K_ESP_UDP: return "ESP-in-UDP";
	case CONF_K_ESP: return "ESP";
	case CONF_K_ENCAP_BAD: return "malformed UDP-4500";
	case CONF_K_OTHER_IP: return "IP";
	}
	return "?";
}

const char *conf_flow_fmt(const struct conf_flow *f, char buf[48])
{
	char a[16], b[16];
	snprintf(buf, 48, "%s:%u > %s:%u", conf_ipv4_fmt(f->src, a), f->sport, conf_ipv4_fmt(f->dst, b),
		 f->dport);
	return buf;
}


struct conf_capture *conf_capture_new(int dlt, const char *name, const struct conf_capture_limits *lim)
{
	struct conf_capture *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->priv = calloc(1, sizeof *c->priv);
	if (!c->priv) {
		free(c);
		return NULL;
	}
	c->dlt = dlt;
	snprintf(c->name, sizeof c->name, "%s", name ? name : "");
	struct conf_capture_limits *l = &c->priv->lim;
	if (lim)
		*l = *lim;
	if (!l->max_frames)
		l->max_frames = 10000000;
	if (!l->tcp_max_conns)
		l->tcp_max_conns = 65536;
	if (!l->tcp_ports[0]) {
		l->tcp_ports[0] = IKE_NATT_UDP_PORT;
		l->tcp_ports[1] = 443;
	}
	struct conf_ipfrag_limits fl = {l->frag_max_datagrams, l->frag_max_fragments, l->frag_timeout_ns};
	c->priv->frag = conf_ipfrag_new(&fl);
	if (!c->priv->frag) {
		free(c->priv);
		free(c);
		return NULL;
	}
	return c;
}

static void conn_free_all(struct conf_capture_priv *p)
{
	for (uint32_t i = 0; i < p->n_conns; i++) {
		struct conn_priv *k = p->conns[i];
		for (int d = 0; d < 2; d++) {
			conf_tcpdir_free(&k->dir[d]);
			conf_tcpframer_free(&k->fr[d]);
		}
		free(k);
	}
	free(p->conns);
	p->conns = NULL;
	p->n_conns = 0;
	memset(p->bucket, 0, sizeof p->bucket);
}

void conf_capture_free(struct conf_capture *c)
{
	if (!c)
		return;
	if (c->priv) {
		conf_ipfrag_free(c->priv->frag);
		conn_free_all(c->priv);
		free(c->priv);
	}
	conf_dec_free(c->dec);
	for (uint32_t i = 0; i < c->n_msg; i++)
		free(c->msg[i].raw);
	for (uint32_t i = 0; i < c->n_esp; i++)
		free(c->esp[i].raw);
	free(c->msg);
	free(c->pkt);
	free(c->esp);
	free(c->conn);
	free(c->u32);
	free(c);
}

const struct conf_pkt *conf_capture_pkt(const struct conf_capture *c, uint32_t num)
{
	if (num == 0 || num > c->n_pkt)
		return NULL;
	return &c->pkt[num - 1];
}

/* note keeps the first decode problem of a frame, with its values (cut to fit). */
static void note(struct conf_pkt *k, const char *msg)
{
	if (!k->note[0])
		snprintf(k->note, sizeof k->note, "%.*s", (int)sizeof k->note - 1, msg);
}

/* ------------------------------------------------------------------ */
/* IKE messages and ESP records                                        */

static int add_msg(struct conf_capture *c, uint32_t frame, const struct conf_flow *fl,
		   enum conf_transport tr, const uint8_t *p, uint32_t n, uint32_t wire_len,
		   int ip_fragmented, int df, uint32_t ip_len, int32_t stream, int truncated)
{
	if (CONF_GROW(c->msg, c->n_msg, c->cap_msg) < 0)
		return -1;
	struct conf_msg *m = &c->msg[c->n_msg];
	memset(m, 0, sizeof *m);
	m->raw = malloc(n ? n : 1);
	if (!m->raw)
		return -1;
	memcpy(m->raw, p, n);
	m->len = n;
	m->frame = frame;
	m->t_ns = c->pkt[frame - 1].t_ns;
	m->flow = *fl;
	m->tr = tr;
	m->wire_len = wire_len;
	m->ip_fragmented = (uint8_t)ip_fragmented;
	m->df = (uint8_t)df;
	m->ip_len = ip_len;
	m->stream = stream;
	m->truncated = (uint8_t)truncated;
	char err[128];
	if (conf_ikehdr_parse(p, n, &m->hdr, err, sizeof err) == 0) {
		m->hdr_ok = 1;
		int major = conf_ikehdr_major(&m->hdr);
		if (major == IKEV1_MAJOR_VERSION) {
			m->version = 1;
			conf_ikev1_decode(p, n, &m->hdr, &m->v1);
		} else if (major == IKE_MAJOR_VERSION) {
			m->version = 2;
			conf_ikev2_decode(p, n, &m->hdr, &m->v2);
		}
	} else {
		note(&c->pkt[frame - 1], err);
	}
	struct conf_pkt *k = &c->pkt[frame - 1];
	if (k->n_msg == 0)
		k->first_msg = c->n_msg;
	k->n_msg++;
	c->n_msg++;
	c->st.ike++;
	return 0;
}

static int add_esp(struct conf_capture *c, uint32_t frame, const struct conf_flow *fl,
		   enum conf_transport tr, const uint8_t *p, uint32_t n, int df)
{
	struct conf_esphdr e;
	char err[96];
	if (conf_esp_parse(p, n, &e, err, sizeof err) < 0) {
		note(&c->pkt[frame - 1], err);
		return 0;
	}
	if (CONF_GROW(c->esp, c->n_esp, c->cap_esp) < 0)
		return -1;
	struct conf_esp_rec *r = &c->esp[c->n_esp++];
	r->frame = frame;
	r->t_ns = c->pkt[frame - 1].t_ns;
	r->flow = *fl;
	r->tr = tr;
	r->spi = e.spi;
	r->seq = e.seq;
	r->len = n;
	r->df = (uint8_t)df;
	r->raw = NULL;
	if (c->priv->lim.keep_esp) {
		r->raw = malloc(n);
		if (!r->raw) {
			c->n_esp--;
			return -1;
		}
		memcpy(r->raw, p, n);
	}
	c->st.esp++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

struct deliver_ctx {
	struct conf_capture *c;
	struct conn_priv *k;
	int d;
};

static struct conf_flow dir_flow(const struct conn_priv *k, int d)
{
	struct conf_flow f = {k->a, k->b, k->ap, k->bp, CONF_IPPROTO_TCP};
	if (d) {
		f.src = k->b;
		f.dst = k->a;
		f.sport = k->bp;
		f.dport = k->ap;
	}
	return f;
}

static void on_frame(void *ctx, enum conf_tcpframe_ev ev, const uint8_t *data, uint32_t len,
		     uint32_t first_frame, uint32_t frame)
{
	struct deliver_ctx *x = ctx;
	struct conf_capture *c = x->c;
	struct conf_tcp_conn *cn = &c->conn[x->k->idx];
	(void)first_frame;
	switch (ev) {
	case CONF_TF_PREFIX_OK:
		cn->prefix = 1;
		cn->prefix_frame = frame;
		cn->ike = 1;
		break;
	case CONF_TF_PREFIX_BAD:
		if (!x->k->enforce) { /* not a 4500 stream: simply not IKE */
			x->k->fr[x->d].state = 2;
			x->k->fr[!x->d].state = 2;
			x->k->framing = 0;
			return;
		}
		cn->prefix = -1;
		cn->prefix_frame = frame;
		cn->ike = 1;
		break;
	case CONF_TF_TLS:
		cn->tls = 1;
		x->k->fr[!x->d].state = 2;
		x->k->framing = 0;
		break;
	case CONF_TF_FRAME: {
		struct conf_flow f = dir_flow(x->k, x->d);
		cn->frames[x->d]++;
		struct conf_pkt *pk = &c->pkt[frame - 1];
		if (len >= IKE_NON_ESP_MARKER_LEN && !data[0] && !data[1] && !data[2] && !data[3]) {
			uint32_t before = c->n_msg;
			add_msg(c, frame, &f, CONF_TR_TCP, data + 4, len - 4, len, 0, pk->df, pk->ip_len,
				(int32_t)x->k->idx, 0);
			if (c->n_msg > before) {
				struct conf_msg *m = &c->msg[c->n_msg - 1];
				if (m->hdr_ok && m->hdr.length != m->len && !cn->mismatch_frame)
					cn->mismatch_frame = frame;
			}
		} else if (len == 1 && data[0] == 0xff) {
			if (!cn->keepalive_frame)
				cn->keepalive_frame = frame;
		} else {
			add_esp(c, frame, &f, CONF_TR_TCP, data, len, pk->df);
		}
		break;
	}
	case CONF_TF_BAD_LENGTH:
		if (!cn->bad_len_frame)
			cn->bad_len_frame = frame;
		break;
	case CONF_TF_GAP:
		if (!cn->gap_frame)
			cn->gap_frame = frame;
		break;
	case CONF_TF_PARTIAL:
		cn->partial = len;
		break;
	}
}

static void on_data(void *ctx, const uint8_t *data, uint32_t len, uint32_t frame)
{
	struct deliver_ctx *x = ctx;
	if (!x->k->framing)
		return;
	conf_tcpframer_feed(&x->k->fr[x->d], data, len, frame, on_frame, ctx);
}

static int is_server_port(const struct conf_capture_priv *p, uint16_t port)
{
	for (int i = 0; i < 4; i++)
		if (p->lim.tcp_ports[i] && p->lim.tcp_ports[i] == port)
			return 1;
	return 0;
}

static unsigned conn_hash(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	/* symmetric in the two ends */
	uint32_t x = (a ^ b) * 2654435761u ^ (uint32_t)(ap ^ bp) * 40503u ^ (a + b) * 97u;
	return (x ^ x >> 15) % CONN_BUCKETS;
}

static struct conn_priv *conn_get(struct conf_capture *c, const struct conf_pkt *k, uint8_t flags,
				  int *d)
{
	struct conf_capture_priv *p = c->priv;
	unsigned h = conn_hash(k->src, k->sport, k->dst, k->dport);
	for (struct conn_priv *x = p->bucket[h]; x; x = x->next) {
		if (x->a == k->src && x->ap == k->sport && x->b == k->dst && x->bp == k->dport) {
			*d = 0;
			return x;
		}
		if (x->b == k->src && x->bp == k->sport && x->a == k->dst && x->ap == k->dport) {
			*d = 1;
			return x;
		}
	}
	if (p->n_conns >= p->lim.tcp_max_conns)
		return NULL;
	if (CONF_GROW(c->conn, c->n_conn, c->cap_conn) < 0 || CONF_GROW(p->conns, p->n_conns, p->cap_conns) < 0)
		return NULL;
	struct conn_priv *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	/* Originator: the sender of a SYN without ACK; otherwise the side that is
	 * not on a server port (a connection joined mid-way). */
	int from_src = 1;
	if (!((flags & CONF_TCP_SYN) && !(flags & CONF_TCP_ACK))) {
		if ((flags & CONF_TCP_SYN) && (flags & CONF_TCP_ACK))
			from_src = 0;
		else if (is_server_port(p, k->sport) && !is_server_port(p, k->dport))
			from_src = 0;
	}
	if (from_src) {
		x->a = k->src; x->ap = k->sport; x->b = k->dst; x->bp = k->dport;
	} else {
		x->a = k->dst; x->ap = k->dport; x->b = k->src; x->bp = k->sport;
	}
	*d = from_src ? 0 : 1;
	x->idx = c->n_conn;
	x->enforce = x->bp == IKE_NATT_UDP_PORT;
	x->framing = is_server_port(p, x->bp) && (flags & CONF_TCP_SYN);
	conf_tcpframer_init(&x->fr[0], 1);
	conf_tcpframer_init(&x->fr[1], 0);
	x->next = p->bucket[h];
	p->bucket[h] = x;
	p->conns[p->n_conns++] = x;
	struct conf_tcp_conn *cn = &c->conn[c->n_conn++];
	memset(cn, 0, sizeof *cn);
	cn->client = dir_flow(x, 0);
	cn->first_frame = k->num;
	cn->syn_seen = (flags & CONF_TCP_SYN) != 0;
	c->st.tcp_conns++;
	return x;
}

static void decode_tcp(struct conf_capture *c, struct conf_pkt *k, const uint8_t *p, uint32_t n)
{
	struct conf_tcphdr h;
	char err[96];
	int hl = conf_tcp_parse(p, n, &h, err, sizeof err);
	k->kind = CONF_K_TCP;
	c->st.tcp++;
	if (hl < 0) {
		note(k, err);
		return;
	}
	k->sport = h.sport;
	k->dport = h.dport;
	k->tcp_flags = h.flags;
	k->tcp_seq = h.seq;
	k->payload_len = n - (uint32_t)hl;
	int d;
	struct conn_priv *x = conn_get(c, k, h.flags, &d);
	if (!x) {
		note(k, "TCP connection table full (limit tcp_max_conns): not reassembled");
		return;
	}
	k->stream = (int32_t)x->idx;
	struct conf_tcp_conn *cn = &c->conn[x->idx];
	if ((h.flags & CONF_TCP_SYN) && !cn->syn_seen)
		cn->syn_seen = 1;
	struct deliver_ctx ctx = {c, x, d};
	struct conf_tcp_limits tl = {c->priv->lim.tcp_max_ooo_bytes, c->priv->lim.tcp_max_ooo_segments};
	conf_tcpdir_segment(&x->dir[d], &tl, h.seq, h.flags, p + hl, n - (uint32_t)hl, k->num, on_data, &ctx);
	cn->retrans_bytes = x->dir[0].retrans_bytes + x->dir[1].retrans_bytes;
	if (cn->ike && !cn->syn_seen)
		cn->syn_seen = 1;
}

/* ------------------------------------------------------------------ */
/* UDP, ICMP, ESP                                                      */

static void decode_udp(struct conf_capture *c, struct conf_pkt *k, const uint8_t *p, uint32_t n,
		       int fragmented, int truncated)
{
	struct conf_udphdr h;
	char err[96];
	long pl = conf_udp_parse(p, n, &h, err, sizeof err);
	k->kind = CONF_K_UDP;
	c->st.udp++;
	if (pl < 0) {
		note(k, err);
		return;
	}
	k->sport = h.sport;
	k->dport = h.dport;
	k->payload_len = (uint32_t)pl;
	if (h.len > n)
		truncated = 1;
	const uint8_t *d = p + 8;
	uint32_t dn = (uint32_t)pl;
	struct conf_flow f = {k->src, k->dst, h.sport, h.dport, CONF_IPPROTO_UDP};
	uint32_t wire = h.len - 8u;
	if (h.sport == IKE_NATT_UDP_PORT || h.dport == IKE_NATT_UDP_PORT) {
		const char *why;
		switch (conf_encap_udp4500(d, dn, &why)) {
		case CONF_ENCAP_IKE:
			k->kind = CONF_K_IKE;
			add_msg(c, k->num, &f, CONF_TR_UDP_ENCAP, d + 4, dn - 4, wire, fragmented, k->df,
				k->dgram_len, -1, truncated);
			break;
		case CONF_ENCAP_KEEPALIVE:
			k->kind = CONF_K_KEEPALIVE;
			c->st.keepalives++;
			break;
		case CONF_ENCAP_ESP:
			if (conf_ikehdr_plausible(d, dn)) {
				/* IKE without the non-ESP marker: a receiver reads it as ESP with
				 * SPI = the first octets of SPIi; kept as IKE for the rules. */
				k->kind = CONF_K_IKE;
				add_msg(c, k->num, &f, CONF_TR_UDP, d, dn, wire, fragmented, k->df, k->dgram_len, -1,
					truncated);
				break;
			}
			k->kind = CONF_K_ESP_UDP;
			add_esp(c, k->num, &f, CONF_TR_UDP, d, dn, k->df);
			k->esp_spi = c->n_esp ? c->esp[c->n_esp - 1].spi : 0;
			k->esp_seq = c->n_esp ? c->esp[c->n_esp - 1].seq : 0;
			break;
		case CONF_ENCAP_MALFORMED:
			k->kind = CONF_K_ENCAP_BAD;
			k->why = why;
			k->bad_encap = dn == 1 ? CONF_BADENC_KEEPALIVE
				       : dn >= 4 && !d[0] && !d[1] && !d[2] && !d[3] ? CONF_BADENC_ZERO_SPI
				       : CONF_BADENC_SHORT;
			c->st.encap_bad++;
			break;
		}
		return;
	}
	if (h.sport == IKE_UDP_PORT || h.dport == IKE_UDP_PORT) {
		k->kind = CONF_K_IKE;
		add_msg(c, k->num, &f, CONF_TR_UDP, d, dn, wire, fragmented, k->df, k->dgram_len, -1,
			truncated);
	}
}

static void decode_l4(struct conf_capture *c, struct conf_pkt *k, uint8_t proto, const uint8_t *p,
		      uint32_t n, int fragmented, int truncated)
{
	char err[96];
	switch (proto) {
	case CONF_IPPROTO_UDP:
		decode_udp(c, k, p, n, fragmented, truncated);
		break;
	case CONF_IPPROTO_TCP:
		decode_tcp(c, k, p, n);
		break;
	case CONF_IPPROTO_ICMP:
		k->kind = CONF_K_ICMP;
		c->st.icmp++;
		if (conf_icmp_parse(p, n, &k->icmp, err, sizeof err) < 0)
			note(k, err);
		break;
	case CONF_IPPROTO_ESP: {
		k->kind = CONF_K_ESP;
		struct conf_flow f = {k->src, k->dst, 0, 0, CONF_IPPROTO_ESP};
		add_esp(c, k->num, &f, CONF_TR_IP, p, n, k->df);
		if (c->n_esp && c->esp[c->n_esp - 1].frame == k->num) {
			k->esp_spi = c->esp[c->n_esp - 1].spi;
			k->esp_seq = c->esp[c->n_esp - 1].seq;
		}
		break;
	}
	default:
		k->kind = CONF_K_OTHER_IP;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* IPv4                                                                */

static int add_parts(struct conf_capture *c, struct conf_pkt *k, const uint32_t *frames, uint32_t n)
{
	while (c->n_u32 + n > c->cap_u32)
		if (conf_grow_((void **)&c->u32, &c->cap_u32, sizeof *c->u32) < 0)
			return -1;
	k->frag.parts_at = c->n_u32;
	k->frag.n_parts = n;
	memcpy(c->u32 + c->n_u32, frames, n * sizeof *frames);
	c->n_u32 += n;
	for (uint32_t i = 0; i < n; i++)
		if (frames[i] >= 1 && frames[i] <= c->n_pkt)
			c->pkt[frames[i] - 1].frag.reassembled_in = k->num;
	return 0;
}

static void decode_ipv4(struct conf_capture *c, struct conf_pkt *k, const uint8_t *p, uint32_t n)
{
	struct conf_ipv4 h;
	char err[128];
	long pl = conf_ipv4_parse(p, n, &h, err, sizeof err);
	if (pl < 0) {
		c->st.ip_errors++;
		note(k, err);
		return;
	}
	k->ip_ok = 1;
	k->src = h.src;
	k->dst = h.dst;
	k->proto = h.proto;
	k->df = h.df;
	k->mf = h.mf;
	k->ttl = h.ttl;
	k->ip_id = h.id;
	k->ip_len = h.total_len;
	k->frag_off = h.frag_off;
	k->dgram_len = h.total_len;
	int truncated = (uint32_t)pl + h.hlen < h.total_len;
	if (truncated)
		c->st.truncated++;
	const uint8_t *payload = p + h.hlen;
	if (!h.mf && h.frag_off == 0) {
		decode_l4(c, k, h.proto, payload, (uint32_t)pl, 0, truncated);
		return;
	}
	/* a fragment */
	c->st.fragments++;
	k->frag.is_fragment = 1;
	k->frag.first = h.frag_off == 0;
	k->kind = CONF_K_FRAGMENT;
	if (truncated) {
		k->why = "fragment truncated by the capture's snap length: not reassembled";
		k->frag.dropped = 1;
		c->st.frag_dropped++;
		return;
	}
	if (k->frag.first && (h.proto == CONF_IPPROTO_UDP || h.proto == CONF_IPPROTO_TCP) && pl >= 4) {
		k->l4_partial = 1;
		k->sport = (uint16_t)(payload[0] << 8 | payload[1]);
		k->dport = (uint16_t)(payload[2] << 8 | payload[3]);
	}
	struct conf_capture_priv *pv = c->priv;
	if (k->t_ns > pv->last_expire + 1000000000ull) {
		conf_ipfrag_expire(pv->frag, k->t_ns);
		pv->last_expire = k->t_ns;
	}
	struct conf_ipfrag_result r;
	int ov;
	const char *why;
	int rc = conf_ipfrag_add(pv->frag, &h, p, payload, (uint32_t)pl, k->num, k->t_ns, &r, &ov, &why);
	if (ov) {
		k->frag.overlap = (uint8_t)ov;
		c->st.frag_overlaps++;
		if (ov == 2)
			c->st.frag_conflicts++;
	}
	if (rc == CONF_IPFRAG_DROPPED) {
		k->frag.dropped = 1;
		k->why = why;
		c->st.frag_dropped++;
		return;
	}
	if (rc == CONF_IPFRAG_HELD)
		return;
	c->st.reassembled++;
	k->frag.reassembled = 1;
	k->l4_partial = 0;
	if (add_parts(c, k, r.frames, r.n_frames) == 0) {
		struct conf_ipv4 rh;
		long rpl = conf_ipv4_parse(r.data, r.len, &rh, err, sizeof err);
		if (rpl >= 0) {
			k->dgram_len = rh.total_len;
			uint8_t df = k->df;
			k->df = rh.df; /* the first fragment's DF */
			decode_l4(c, k, rh.proto, r.data + rh.hlen, (uint32_t)rpl, 1, 0);
			k->df = df;
		}
	}
	free(r.data);
	free(r.frames);
}

int conf_capture_frame(struct conf_capture *c, uint64_t t_ns, const uint8_t *data, uint32_t caplen,
		       uint32_t wirelen)
{
	if (c->n_pkt >= c->priv->lim.max_frames) {
		c->frames_capped = 1;
		return 0;
	}
	if (CONF_GROW(c->pkt, c->n_pkt, c->cap_pkt) < 0)
		return -1;
	struct conf_pkt *k = &c->pkt[c->n_pkt++];
	memset(k, 0, sizeof *k);
	k->num = c->n_pkt;
	k->t_ns = t_ns;
	k->caplen = caplen;
	k->wirelen = wirelen;
	k->stream = -1;
	c->priv->cur = k->num;
	c->st.frames++;
	int off = conf_link_decap(c->dlt, data, caplen, &k->link, &k->l3);
	if (off < 0) {
		c->st.link_errors++;
		k->why = "link-layer header truncated";
		return 0;
	}
	switch (k->l3) {
	case CONF_L3_IPV4:
		c->st.ipv4++;
		decode_ipv4(c, k, data + off, caplen - (uint32_t)off);
		break;
	case CONF_L3_IPV6:
		c->st.ipv6++;
		k->why = "IPv6: not checked";
		break;
	default:
		c->st.other_l3++;
		break;
	}
	return 0;
}

void conf_capture_finish(struct conf_capture *c)
{
	struct conf_capture_priv *p = c->priv;
	if (!p)
		return;
	uint32_t last = c->n_pkt;
	for (uint32_t i = 0; i < p->n_conns; i++) {
		struct conn_priv *x = p->conns[i];
		for (int d = 0; d < 2; d++) {
			struct deliver_ctx ctx = {c, x, d};
			if (last)
				conf_tcpdir_flush(&x->dir[d], last, on_data, &ctx);
			if (x->framing && last)
				conf_tcpframer_end(&x->fr[d], last, on_frame, &ctx);
		}
		struct conf_tcp_conn *cn = &c->conn[x->idx];
		cn->retrans_bytes = x->dir[0].retrans_bytes + x->dir[1].retrans_bytes;
		if (cn->ike)
			c->st.tcp_ike_conns++;
	}
	c->st.frag_incomplete = conf_ipfrag_pending(p->frag);
	conf_ipfrag_free(p->frag);
	conn_free_all(p);
	free(p);
	c->priv = NULL;
}

struct conf_capture *conf_capture_load_fp(FILE *fp, const char *name, const struct conf_capture_limits *lim,
					  char *err, size_t errlen)
{
	struct conf_pcap *pc = conf_pcap_fopen(fp, name, err, errlen);
	if (!pc)
		return NULL;
	struct conf_capture *c = conf_capture_new(conf_pcap_linktype(pc), name, lim);
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", name);
		conf_pcap_close(pc);
		return NULL;
	}
	struct conf_pcap_rec rec;
	int rc;
	while ((rc = conf_pcap_next(pc, &rec, err, errlen)) == 1) {
		if (conf_capture_frame(c, rec.t_ns, rec.data, rec.caplen, rec.wirelen) < 0) {
			snprintf(err, errlen, "%s: out of memory at frame %u", name, c->n_pkt);
			rc = -1;
			break;
		}
		if (c->frames_capped)
			break;
	}
	conf_pcap_close(pc);
	if (rc < 0) {
		conf_capture_free(c);
		return NULL;
	}
	conf_capture_finish(c);
	return c;
}

struct conf_capture *conf_capture_load(const char *path, const struct conf_capture_limits *lim,
				       char *err, size_t errlen)
{
	struct conf_pcap *probe = conf_pcap_open(path, err, errlen);
	if (!probe)
		return NULL;
	conf_pcap_close(probe);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	return conf_capture_load_fp(fp, path, lim, err, errlen);
}
