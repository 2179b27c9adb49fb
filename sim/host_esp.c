/*
 * host_esp.c — the host adapter's ESP datapath: CHILD SAs installed from
 * child_up (or by hand), the outbound SPD lookup on the tunnel's tx
 * callback, esp_seal into a per-call stack buffer (callbacks nest: never a
 * shared static buffer), sending as IP protocol 50 or ESP-in-UDP (RFC
 * 3948), and the inbound path: SPI table, esp_open, the selector check
 * (RFC 4301 §5.2: a decrypted packet must match its SA's selectors) and
 * the tunnel inject.
 *
 * Outbound lookup: a CHILD SA matches an inner packet when its source is
 * inside a local selector and its destination inside a remote one. The
 * common cases are O(1): a gateway's SA has a single remote address (the
 * client's virtual IP), a client's a single local one (its VIP), so each
 * SA is also filed under that address in |sel|; anything else is a linear
 * scan, newest SA first (a rekey overlaps old and new).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/esp/esp_udpencap.h"
#include "sim/host_internal.h"
#include "sim/ip/ip4.h"
#include "sim/ns3shim.h"

enum { HOST_RX_STACK = 4096 }; /* received ESP up to this size is opened on the stack */

#define SEL_REMOTE ((uint64_t)'R' << 32)
#define SEL_LOCAL ((uint64_t)'L' << 32)

/* ---------------------------------------------------------------- smap */

static uint64_t smap_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int smap_grow(struct host_smap *m)
{
	size_t nc = m->cap ? 2 * m->cap : 16;
	uint64_t *k = calloc(nc, sizeof *k);
	uint32_t *v = calloc(nc, sizeof *v);
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = (size_t)smap_mix(m->keys[i]) & (nc - 1);
		while (k[j])
			j = (j + 1) & (nc - 1);
		k[j] = m->keys[i];
		v[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = nc;
	return 0;
}

static int smap_put(struct host_smap *m, uint64_t key, uint32_t val)
{
	if (2 * (m->n + 1) > m->cap && smap_grow(m) < 0)
		return -1;
	size_t j = (size_t)smap_mix(key) & (m->cap - 1);
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j])
		m->n++;
	m->keys[j] = key;
	m->vals[j] = val;
	return 0;
}

static int smap_get(const struct host_smap *m, uint64_t key, uint32_t *val)
{
	if (!m->cap)
		return 0;
	size_t j = (size_t)smap_mix(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key) {
			*val = m->vals[j];
			return 1;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return 0;
}

/* smap_del removes |key| with backward-shift deletion (no tombstones). */
static void smap_del(struct host_smap *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1, j = (size_t)smap_mix(key) & mask;
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & mask;
	if (!m->keys[j])
		return;
	m->keys[j] = 0;
	m->n--;
	for (size_t k = (j + 1) & mask; m->keys[k]; k = (k + 1) & mask) {
		size_t home = (size_t)smap_mix(m->keys[k]) & mask;
		/* move k back to the hole j if its home is not in (j, k] */
		if (((k - home) & mask) >= ((k - j) & mask)) {
			m->keys[j] = m->keys[k];
			m->vals[j] = m->vals[k];
			m->keys[k] = 0;
			j = k;
		}
	}
}

static void smap_free(struct host_smap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- selectors */

int host_ts_contains(const struct ike_ts_cfg *ts, uint32_t addr, uint8_t proto, int port)
{
	if (addr < ts->lo || addr > ts->hi)
		return 0;
	if (ts->proto && ts->proto != proto)
		return 0;
	if (ts->port_lo == 0 && ts->port_hi == 65535)
		return 1;
	return port >= 0 && port >= ts->port_lo && port <= ts->port_hi;
}

/* inner: what the selectors look at in an inner packet. */
struct inner {
	uint32_t src, dst;
	uint8_t proto;
	int sport, dport; /* -1: not known (non-first fragment, no ports) */
};

static int inner_parse(const uint8_t *p, size_t len, struct inner *in)
{
	struct ip4_hdr h;
	if (ip4_parse(p, len, &h) != IP4_OK)
		return -1;
	in->src = h.src;
	in->dst = h.dst;
	in->proto = h.proto;
	in->sport = in->dport = -1;
	struct ip4_l4 l4;
	if ((h.proto == IP4_PROTO_UDP || h.proto == IP4_PROTO_TCP) && h.frag_off == 0 &&
	    ip4_l4_parse(p, &h, &l4) == IP4_OK && l4.has_ports) {
		in->sport = l4.sport;
		in->dport = l4.dport;
	}
	return 0;
}

static int ts_any(const struct ike_ts_cfg *ts, size_t n, uint32_t addr, uint8_t proto, int port)
{
	for (size_t i = 0; i < n; i++)
		if (host_ts_contains(&ts[i], addr, proto, port))
			return 1;
	return 0;
}

/* child_matches_out: may |c| carry |in| out (src local, dst remote)? */
static int child_matches_out(const struct host_child *c, const struct inner *in)
{
	return ts_any(c->ts_local, c->n_ts_local, in->src, in->proto, in->sport) &&
	       ts_any(c->ts_remote, c->n_ts_remote, in->dst, in->proto, in->dport);
}

/* child_matches_in: is the decrypted |in| inside |c|'s selectors (src remote, dst local)? */
static int child_matches_in(const struct host_child *c, const struct inner *in)
{
	return ts_any(c->ts_remote, c->n_ts_remote, in->src, in->proto, in->sport) &&
	       ts_any(c->ts_local, c->n_ts_local, in->dst, in->proto, in->dport);
}

static uint64_t child_sel_key(const struct host_child *c)
{
	if (c->n_ts_remote == 1 && c->ts_remote[0].lo == c->ts_remote[0].hi)
		return SEL_REMOTE | c->ts_remote[0].lo;
	if (c->n_ts_local == 1 && c->ts_local[0].lo == c->ts_local[0].hi)
		return SEL_LOCAL | c->ts_local[0].lo;
	return 0;
}

static struct host_child *sel_probe(const struct host *h, uint64_t key, const struct inner *in)
{
	uint32_t slot;
	if (!smap_get(&h->sel, key, &slot) || slot >= h->n_child_slots || !h->child[slot])
		return NULL;
	struct host_child *c = h->child[slot];
	return child_matches_out(c, in) ? c : NULL;
}

static struct host_child *spd_lookup(const struct host *h, const struct inner *in)
{
	struct host_child *c = sel_probe(h, SEL_REMOTE | in->dst, in);
	if (!c)
		c = sel_probe(h, SEL_LOCAL | in->src, in);
	if (c)
		return c;
	for (size_t i = 0; i < h->n_child_slots; i++) {
		struct host_child *x = h->child[i];
		if (x && (!c || x->gen > c->gen) && child_matches_out(x, in))
			c = x;
	}
	return c;
}

/* ---------------------------------------------------------------- events */

static void ev_spi(struct evbuf *e, const char *key, uint32_t spi)
{
	uint8_t o[4] = {(uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
			(uint8_t)spi};
	ev_hex(e, key, o, 4);
}

static void host_reject(struct host *h, int err, uint32_t spi, uint64_t seq, const char *dir)
{
	if (err >= 0 || -err >= HOST_ESP_ERR_SLOTS)
		err = ESP_EINVAL;
	h->st.rejected[-err]++;
	if (!h->ev.emit || err == ESP_EDUMMY) /* dummy packets are traffic flow confidentiality, not errors */
		return;
	struct evbuf e;
	host_ev_begin(h, &e, "drop");
	ev_str(&e, "reason", esp_err_name(err));
	ev_str(&e, "msg", esp_strerror(err));
	ev_str(&e, "dir", dir);
	ev_spi(&e, "spi", spi);
	if (seq)
		ev_u64(&e, "seq", seq);
	host_ev_emit(h, &e);
}

static void host_drop_inner(struct host *h, enum host_drop d, const struct inner *in)
{
	h->st.drops[d]++;
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, "drop");
	ev_str(&e, "reason", host_drop_name(d));
	ev_str(&e, "msg", host_drop_what(d));
	host_ev_addr(&e, "src", in->src);
	host_ev_addr(&e, "dst", in->dst);
	ev_u64(&e, "proto", in->proto);
	if (in->dport >= 0)
		ev_u64(&e, "dport", (uint64_t)in->dport);
	host_ev_emit(h, &e);
}

static void ev_ts(struct evbuf *e, const char *key, const struct ike_ts_cfg *ts, size_t n)
{
	char buf[IKE_CFG_TS_MAX * 64], a[16], b[16];
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && off < sizeof buf; i++) {
		int w = snprintf(buf + off, sizeof buf - off, "%s%s-%s", i ? " " : "",
				 ip4_ntoa(ts[i].lo, a), ip4_ntoa(ts[i].hi, b));
		if (w < 0)
			break;
		off += (size_t)w;
		if (off < sizeof buf && (ts[i].proto || ts[i].port_lo || ts[i].port_hi != 65535)) {
			w = snprintf(buf + off, sizeof buf - off, "/%u:%u-%u", ts[i].proto,
				     ts[i].port_lo, ts[i].port_hi);
			if (w > 0)
				off += (size_t)w;
		}
	}
	ev_str(e, key, buf);
}

/* ---------------------------------------------------------------- sending */

/* host_esp_send sends one sealed packet; 0 if the stack took it. */
static int host_esp_send(struct host *h, struct host_child *c, const uint8_t *esp, size_t len)
{
	int r;
	if (c->encap) {
		r = c->sock >= 0 ? ns3shim_udp_sendto(c->sock, c->path.remote_addr,
						      c->path.remote_port, esp, len)
				 : NS3SHIM_ESTATE;
		if (r >= 0)
			h->st.encap_tx++;
	} else {
		r = ns3shim_ip_send(h->node, IP4_PROTO_ESP, c->path.local_addr, c->path.remote_addr,
				    esp, len);
		if (r >= 0)
			h->st.plain_tx++;
	}
	if (r < 0) {
		host_drop(h, HOST_DROP_SEND_FAILED, ns3shim_last_error());
		return -1;
	}
	h->st.esp_tx_bytes += len;
	return 0;
}

void host_esp_tun_tx(void *ctx, int node, int dev, const uint8_t *pkt, size_t len)
{
	struct host *h = ctx;
	(void)node;
	(void)dev;
	struct inner in = {0};
	if (len > HOST_INNER_MAX) {
		host_drop(h, HOST_DROP_TOO_BIG, NULL);
		return;
	}
	if (inner_parse(pkt, len, &in) < 0) {
		host_drop(h, HOST_DROP_INNER_BAD, NULL);
		return;
	}
	if (in.src == HOST_TUN_PLACEHOLDER) {
		host_drop_inner(h, HOST_DROP_NO_ADDRESS, &in);
		return;
	}
	struct host_child *c = spd_lookup(h, &in);
	if (!c) {
		host_drop_inner(h, HOST_DROP_NO_SA, &in);
		return;
	}
	uint8_t buf[ESP_HEADROOM + HOST_INNER_MAX + ESP_TAILROOM];
	memcpy(buf + ESP_HEADROOM, pkt, len);
	struct esp_pkt p = {buf, sizeof buf, ESP_HEADROOM, len};
	int r = esp_seal(c->out, &p, ESP_NH_IPV4);
	if (r != ESP_OK) {
		host_reject(h, r, c->spi_out, 0, "out");
		return;
	}
	h->st.sealed++;
	h->st.sealed_bytes += len;
	if (host_esp_send(h, c, p.base + p.off, p.len) == 0 && c->owner)
		host_ike_note_esp(c->owner, c->spi_in, 1);
}

/* ---------------------------------------------------------------- receiving */

static void host_esp_open(struct host *h, uint8_t *buf, size_t len)
{
	int err = 0;
	struct esp_sa *sa = esp_sadb_lookup(h->sadb, buf, len, &err);
	if (!sa) {
		uint32_t spi = 0;
		esp_spi_peek(buf, len, &spi);
		host_reject(h, err ? err : ESP_EUNKNOWN_SPI, spi, 0, "in");
		return;
	}
	struct esp_pkt p = {buf, len, 0, len};
	struct esp_rx rx = {0};
	int r = esp_open(sa, &p, &rx);
	if (r != ESP_OK) {
		host_reject(h, r, rx.spi, rx.seq, "in");
		return;
	}
	uint32_t slot;
	struct host_child *c = NULL;
	if (smap_get(&h->by_spi, esp_sa_spi(sa), &slot) && slot < h->n_child_slots)
		c = h->child[slot];
	/* authenticated: the peer is alive and the path works (keepalives and DPD can wait) */
	if (c && c->owner)
		host_ike_note_esp(c->owner, c->spi_in, 0);
	struct inner in;
	if (!c || inner_parse(p.base + p.off, p.len, &in) < 0) {
		host_drop(h, HOST_DROP_INNER_BAD, NULL);
		return;
	}
	if (!child_matches_in(c, &in)) {
		host_drop_inner(h, HOST_DROP_TS_MISMATCH, &in);
		return;
	}
	if (h->tun_dev < 0) {
		host_drop_inner(h, HOST_DROP_NO_TUNNEL, &in);
		return;
	}
	h->st.opened++;
	h->st.opened_bytes += p.len;
	if (ns3shim_tun_inject(h->node, h->tun_dev, p.base + p.off, p.len) < 0)
		host_drop(h, HOST_DROP_INJECT_FAILED, ns3shim_last_error());
}

void host_esp_input(struct host *h, const uint8_t *esp, size_t len, int encap, uint32_t src)
{
	(void)encap;
	(void)src;
	h->st.esp_rx_bytes += len;
	if (!h->sadb) {
		uint32_t spi = 0;
		esp_spi_peek(esp, len, &spi);
		host_reject(h, ESP_EUNKNOWN_SPI, spi, 0, "in");
		return;
	}
	if (len <= HOST_RX_STACK) {
		uint8_t buf[HOST_RX_STACK];
		memcpy(buf, esp, len);
		host_esp_open(h, buf, len);
		return;
	}
	uint8_t *buf = malloc(len);
	if (!buf) {
		host_drop(h, HOST_DROP_TOO_BIG, "out of memory for a large ESP packet");
		return;
	}
	memcpy(buf, esp, len);
	host_esp_open(h, buf, len);
	free(buf);
}

void host_icmp_ev(struct host *h, const char *on, const struct ns3shim_icmp *ic)
{
	h->st.icmp++;
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, "icmp");
	ev_str(&e, "on", on);
	host_ev_addr(&e, "from", ic->from);
	ev_u64(&e, "type", ic->type);
	ev_u64(&e, "code", ic->code);
	if (ic->type == ICMP4_UNREACH && ic->code == ICMP4_UNREACH_NEEDFRAG)
		ev_u64(&e, "mtu", ic->info);
	host_ev_addr(&e, "orig_dst", ic->orig_dst);
	host_ev_emit(h, &e);
}

static void esp_proto_rx(void *ctx, int handle, const struct ns3shim_pktinfo *pi,
			 const uint8_t *payload, size_t len)
{
	(void)handle;
	host_esp_input(ctx, payload, len, 0, pi->src);
}

static void esp_proto_icmp(void *ctx, int handle, const struct ns3shim_icmp *ic)
{
	(void)handle;
	host_icmp_ev(ctx, "esp", ic);
}

/* usock_rx: a host-owned NAT-T port of manually keyed SAs: ESP and keepalives only. */
static void usock_rx(void *ctx, int sock, const struct ns3shim_pktinfo *pi, const uint8_t *d,
		     size_t len)
{
	struct host *h = ctx;
	(void)sock;
	switch (esp_udp_classify(d, len)) {
	case ESP_UDP_ESP:
		host_esp_input(h, d, len, 1, pi->src);
		break;
	case ESP_UDP_KEEPALIVE:
		h->st.keepalives_rx++;
		break;
	default:
		host_drop(h, HOST_DROP_UDP_INVALID, "not ESP on a port without an IKE engine");
		break;
	}
}

static void usock_icmp(void *ctx, int sock, const struct ns3shim_icmp *ic)
{
	(void)sock;
	host_icmp_ev(ctx, "udp", ic);
}

static int host_usock(struct host *h, uint32_t addr, uint16_t port)
{
	for (size_t i = 0; i < h->n_usocks; i++)
		if (h->usocks[i].addr == addr && h->usocks[i].port == port)
			return h->usocks[i].sock;
	struct host_usock *n = realloc(h->usocks, (h->n_usocks + 1) * sizeof *n);
	if (!n)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host %s: out of memory", h->name);
	h->usocks = n;
	int s = ns3shim_udp_open(h->node, addr, port, usock_rx, usock_icmp, h);
	if (s < 0)
		return s;
	h->usocks[h->n_usocks++] = (struct host_usock){addr, port, s};
	return s;
}

/* ---------------------------------------------------------------- install / remove */

static void child_free(struct host_child *c)
{
	esp_sa_free(c->in);
	esp_sa_free(c->out);
	free(c);
}

static int sadb_add(struct host *h, uint32_t spi, struct esp_sa *sa)
{
	if (!h->sadb && !(h->sadb = esp_sadb_new(h->sadb_cap)))
		return ESP_ENOMEM;
	int r = esp_sadb_add(h->sadb, spi, sa);
	if (r != ESP_ENOSPACE)
		return r;
	/* full: a table twice the size with every SA re-added */
	struct esp_sadb *n = esp_sadb_new(2 * h->sadb_cap);
	if (!n)
		return ESP_ENOMEM;
	for (size_t i = 0; i < h->n_child_slots; i++)
		if (h->child[i])
			esp_sadb_add(n, h->child[i]->spi_in, h->child[i]->in);
	esp_sadb_free(h->sadb);
	h->sadb = n;
	h->sadb_cap *= 2;
	return esp_sadb_add(h->sadb, spi, sa);
}

static int child_slot(struct host *h)
{
	for (size_t i = 0; i < h->n_child_slots; i++)
		if (!h->child[i])
			return (int)i;
	size_t nc = h->n_child_slots ? 2 * h->n_child_slots : 8;
	struct host_child **n = realloc(h->child, nc * sizeof *n);
	if (!n)
		return -1;
	memset(n + h->n_child_slots, 0, (nc - h->n_child_slots) * sizeof *n);
	h->child = n;
	int slot = (int)h->n_child_slots;
	h->n_child_slots = nc;
	return slot;
}

static void child_ev(struct host *h, const struct host_child *c, const char *type,
		     const char *reason, uint32_t vip)
{
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, type);
	ev_spi(&e, "spi_in", c->spi_in);
	ev_spi(&e, "spi_out", c->spi_out);
	if (reason)
		ev_str(&e, "reason", reason);
	if (!reason) {
		ev_str(&e, "alg", esp_sa_info(c->out)->name);
		ev_bool(&e, "encap", c->encap);
		host_ev_addr(&e, "local", c->path.local_addr);
		host_ev_addr(&e, "peer", c->path.remote_addr);
		if (c->encap)
			ev_u64(&e, "peer_port", c->path.remote_port);
		ev_ts(&e, "ts_local", c->ts_local, c->n_ts_local);
		ev_ts(&e, "ts_remote", c->ts_remote, c->n_ts_remote);
		if (vip)
			host_ev_addr(&e, "vip", vip);
	}
	host_ev_emit(h, &e);
}

int host_child_up(struct host *h, struct host_ike *owner, const struct ike_child_info *ci)
{
	if (!h || !ci)
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_up: %s is NULL", !h ? "host" : "ci");
	if (ci->n_ts_local < 1 || ci->n_ts_local > IKE_CFG_TS_MAX || ci->n_ts_remote < 1 ||
	    ci->n_ts_remote > IKE_CFG_TS_MAX)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "host_child_up: %zu local / %zu remote selectors (expected 1..%d)",
				      ci->n_ts_local, ci->n_ts_remote, IKE_CFG_TS_MAX);
	uint32_t slot_;
	if (smap_get(&h->by_spi, ci->spi_in, &slot_))
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_up: %s: SPI 0x%08x is already in use",
				      h->name, ci->spi_in);
	struct host_child *c = calloc(1, sizeof *c);
	if (!c)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_child_up: out of memory");
	c->owner = owner;
	c->ike_spi_i = ci->ike_spi_i;
	c->ike_spi_r = ci->ike_spi_r;
	c->spi_in = ci->spi_in;
	c->spi_out = ci->spi_out;
	c->n_ts_local = ci->n_ts_local;
	c->n_ts_remote = ci->n_ts_remote;
	memcpy(c->ts_local, ci->ts_local, sizeof c->ts_local);
	memcpy(c->ts_remote, ci->ts_remote, sizeof c->ts_remote);
	c->encap = ci->encap;
	c->path = ci->path;
	c->sock = -1;

	struct esp_sa_cfg sc = {
		.spi = ci->spi_out,
		.dir = ESP_DIR_OUT,
		.alg = ci->alg,
		.enc_key = ci->enc_key_out,
		.enc_key_len = ci->enc_key_len,
		.integ_key = ci->integ_key_out,
		.integ_key_len = ci->integ_key_out ? ci->integ_key_len : 0,
		.esn = ci->esn,
		.rng = crypto_drbg_rng(h->esp_drbg),
	};
	char msg[160] = "";
	int err = 0;
	c->out = esp_sa_new(&sc, &err);
	if (c->out) {
		sc.spi = ci->spi_in;
		sc.dir = ESP_DIR_IN;
		sc.enc_key = ci->enc_key_in;
		sc.integ_key = ci->integ_key_in;
		sc.integ_key_len = ci->integ_key_in ? ci->integ_key_len : 0;
		c->in = esp_sa_new(&sc, &err);
	}
	if (!c->out || !c->in) {
		esp_sa_cfg_check(&sc, msg, sizeof msg);
		child_free(c);
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_up: %s: SA 0x%08x: %s (%s)", h->name,
				      sc.spi, esp_strerror(err), msg);
	}
	if (c->encap) {
		c->sock = owner ? host_ike_natt_sock(owner)
				: host_usock(h, ci->path.local_addr, ci->path.local_port);
		if (c->sock < 0) {
			int e = c->sock;
			child_free(c);
			return e;
		}
	} else if (h->esp_handle < 0) {
		int r = ns3shim_proto_open(h->node, IP4_PROTO_ESP, esp_proto_rx, esp_proto_icmp, h);
		if (r < 0) {
			child_free(c);
			return r;
		}
		h->esp_handle = r;
	}
	int slot = child_slot(h);
	int r = slot < 0 ? ESP_ENOMEM : sadb_add(h, c->spi_in, c->in);
	if (r != ESP_OK) {
		child_free(c);
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_up: %s: SPI table: %s", h->name,
				      esp_strerror(r));
	}
	if (smap_put(&h->by_spi, c->spi_in, (uint32_t)slot) < 0) {
		esp_sadb_del(h->sadb, c->spi_in);
		child_free(c);
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_child_up: out of memory");
	}
	c->gen = ++h->gen;
	c->sel_key = child_sel_key(c);
	if (c->sel_key && smap_put(&h->sel, c->sel_key, (uint32_t)slot) < 0)
		c->sel_key = 0; /* the linear scan still finds it */
	h->child[slot] = c;
	h->n_children++;
	h->st.children_up++;
	child_ev(h, c, "child-up", NULL, ci->vip);
	host_tun_child_up(h, c, ci);
	if (h->hooks.child_up)
		h->hooks.child_up(h->hooks.ctx, h, ci);
	return 0;
}

int host_child_down(struct host *h, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_down: host is NULL");
	uint32_t slot;
	if (!smap_get(&h->by_spi, spi_in, &slot) || slot >= h->n_child_slots || !h->child[slot])
		return ns3shim_errorf(NS3SHIM_EARG, "host_child_down: %s has no SA with SPI 0x%08x",
				      h->name, spi_in);
	struct host_child *c = h->child[slot];
	if (spi_out && c->spi_out != spi_out)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "host_child_down: %s: SPI 0x%08x pairs with 0x%08x, not 0x%08x",
				      h->name, spi_in, c->spi_out, spi_out);
	esp_sadb_del(h->sadb, spi_in);
	smap_del(&h->by_spi, spi_in);
	h->child[slot] = NULL;
	h->n_children--;
	uint32_t s2;
	if (c->sel_key && smap_get(&h->sel, c->sel_key, &s2) && s2 == slot) {
		smap_del(&h->sel, c->sel_key);
		/* another SA under the same key (rekey overlap): the newest takes over */
		struct host_child *best = NULL;
		size_t best_slot = 0;
		for (size_t i = 0; i < h->n_child_slots; i++) {
			struct host_child *x = h->child[i];
			if (x && x->sel_key == c->sel_key && (!best || x->gen > best->gen)) {
				best = x;
				best_slot = i;
			}
		}
		if (best && smap_put(&h->sel, best->sel_key, (uint32_t)best_slot) < 0)
			best->sel_key = 0;
	}
	h->st.children_down++;
	child_ev(h, c, "child-down", reason ? reason : "removed", 0);
	host_tun_child_down(h, c);
	uint32_t in = c->spi_in, out = c->spi_out;
	child_free(c);
	if (h->hooks.child_down)
		h->hooks.child_down(h->hooks.ctx, h, in, out, reason ? reason : "removed");
	return 0;
}

size_t host_esp_drop_owner(struct host *h, struct host_ike *owner, const char *reason)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n_child_slots; i++) {
		struct host_child *c = h->child[i];
		if (c && c->owner == owner && host_child_down(h, c->spi_in, c->spi_out, reason) == 0)
			n++;
	}
	return n;
}

size_t host_child_count(const struct host *h)
{
	return h ? h->n_children : 0;
}

void host_esp_path_changed(struct host *h, struct host_ike *owner, uint64_t spi_i,
			   uint64_t spi_r, const struct ike_path *path)
{
	for (size_t i = 0; i < h->n_child_slots; i++) {
		struct host_child *c = h->child[i];
		if (!c || c->owner != owner || c->ike_spi_i != spi_i || c->ike_spi_r != spi_r)
			continue;
		c->path = *path;
		if (!h->ev.emit)
			continue;
		struct evbuf e;
		host_ev_begin(h, &e, "child-path");
		ev_spi(&e, "spi_out", c->spi_out);
		host_ev_addr(&e, "peer", path->remote_addr);
		ev_u64(&e, "peer_port", path->remote_port);
		host_ev_emit(h, &e);
	}
}

void host_esp_free(struct host *h)
{
	for (size_t i = 0; i < h->n_child_slots; i++)
		if (h->child[i])
			child_free(h->child[i]);
	free(h->child);
	h->child = NULL;
	h->n_child_slots = h->n_children = 0;
	esp_sadb_free(h->sadb);
	h->sadb = NULL;
	smap_free(&h->by_spi);
	smap_free(&h->sel);
}
