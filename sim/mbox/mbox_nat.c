/*
 * mbox_nat.c — hide-NAT (NAPT); behaviour and choices in mbox_nat.h.
 *
 * Tables: |maps| is an array of mappings (free slots chained); |by_in|
 * finds a mapping from (proto, inside addr, inside port), |by_ext| from
 * (proto, external port). Both are rebuilt from nothing on reboot.
 *
 * Timers (one grid, |sweep_ns|):
 *   mapping idle timeout   UDP 30 s, ICMP 60 s, TCP 7440 s / 240 s (RFC 4787
 *                          REQ-5, RFC 5508 REQ-1, RFC 5382 REQ-5)
 *   reassembly timeout     30 s from the first fragment (RFC 791 suggests 15)
 */
#include "sim/mbox/mbox_nat.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_impl.h"

enum { DIR_OUT = 0, DIR_IN = 1 };

/* TCP observations kept per mapping (RFC 5382 §5 needs only these). */
enum {
	TCP_SYN_OUT = 1,
	TCP_SEEN_IN = 2,
	TCP_FIN_OUT = 4,
	TCP_FIN_IN = 8,
	TCP_RST = 16,
};

struct remote {
	uint32_t addr;
	uint16_t port;
};

struct nat_map {
	int used;
	uint8_t proto;
	uint8_t tcp;
	uint32_t in_addr;
	uint16_t in_port, ext_port;
	uint64_t created, expires;
	struct remote *remotes;
	size_t nremotes, capremotes;
	uint32_t next_free;
};

struct nat {
	struct mbox mb;
	struct mbox_nat_cfg cfg;
	struct nat_map *maps;
	size_t nmaps, capmaps, live;
	uint32_t free_head; /* UINT32_MAX: none */
	struct mbox_hmap by_in, by_ext;
	uint16_t cursor[3]; /* sequential allocation, per protocol */
	uint64_t min_expiry; /* lower bound of every mapping's expiry */
	struct ip4_reasm *reasm[2];
	struct mbox_fragtrack track[2];
};

static const char *const frag_names[] = {"drop-non-first", "drop-all", "track", "reassemble"};
static const char *const alloc_names[] = {"sequential", "hashed"};
static const char *const filter_names[] = {"endpoint-independent", "address-dependent",
					   "address-port-dependent"};

#define NAMEOF(tab, v) ((unsigned)(v) < sizeof tab / sizeof tab[0] ? tab[v] : "unknown")

static int lookup_name(const char *const *tab, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(tab[i], name))
			return (int)i;
	return -1;
}

const char *mbox_nat_frag_name(enum mbox_nat_frag f) { return NAMEOF(frag_names, f); }
const char *mbox_nat_alloc_name(enum mbox_nat_alloc a) { return NAMEOF(alloc_names, a); }
const char *mbox_nat_filter_name(enum mbox_nat_filter f) { return NAMEOF(filter_names, f); }

int mbox_nat_frag_from_name(const char *name)
{
	if (name && !strcmp(name, "first-only"))
		return MBOX_NAT_FRAG_DROP_NON_FIRST;
	return lookup_name(frag_names, 4, name);
}

int mbox_nat_alloc_from_name(const char *name) { return lookup_name(alloc_names, 2, name); }
int mbox_nat_filter_from_name(const char *name) { return lookup_name(filter_names, 3, name); }

void mbox_nat_cfg_default(struct mbox_nat_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->port_min = 1024;
	c->port_max = 65535;
	c->alloc = MBOX_NAT_ALLOC_SEQUENTIAL;
	c->filter = MBOX_NAT_FILTER_APD;
	c->udp_timeout_ns = 30 * MBOX_NS_PER_S;
	c->icmp_timeout_ns = 60 * MBOX_NS_PER_S;
	c->tcp_est_timeout_ns = 7440 * MBOX_NS_PER_S;
	c->tcp_trans_timeout_ns = 240 * MBOX_NS_PER_S;
	c->frag = MBOX_NAT_FRAG_DROP_NON_FIRST;
	c->mtu = 1500;
	c->frag_timeout_ns = 30 * MBOX_NS_PER_S;
	c->sweep_ns = MBOX_NS_PER_S;
}

static int proto_index(uint8_t proto)
{
	return proto == IP4_PROTO_UDP ? 0 : proto == IP4_PROTO_TCP ? 1 : 2;
}

static uint64_t in_key(uint8_t proto, uint32_t addr, uint16_t port)
{
	return (uint64_t)proto << 48 | (uint64_t)addr << 16 | port;
}

static uint64_t ext_key(uint8_t proto, uint16_t port)
{
	return (uint64_t)proto << 16 | port;
}

static uint64_t map_timeout(const struct nat *n, const struct nat_map *m)
{
	if (m->proto == IP4_PROTO_UDP)
		return n->cfg.udp_timeout_ns;
	if (m->proto == IP4_PROTO_ICMP)
		return n->cfg.icmp_timeout_ns;
	if ((m->tcp & TCP_SEEN_IN) && !(m->tcp & (TCP_FIN_OUT | TCP_FIN_IN | TCP_RST)))
		return n->cfg.tcp_est_timeout_ns;
	return n->cfg.tcp_trans_timeout_ns;
}

static void arm(struct nat *n, struct nat_map *m, uint64_t now)
{
	uint64_t t = map_timeout(n, m);

	m->expires = now > UINT64_MAX - t ? UINT64_MAX : now + t;
	if (m->expires < n->min_expiry)
		n->min_expiry = m->expires;
}

static void map_event(struct nat *n, uint64_t now, const char *ev, const struct nat_map *m,
		      const char *why)
{
	struct evbuf e;

	if (!n->mb.io.events.emit)
		return;
	mbox_ev_begin(&n->mb, &e, now, ev);
	ev_str(&e, "proto", ip4_proto_name(m->proto));
	mbox_ev_addr(&e, "in", m->in_addr);
	ev_u64(&e, "in_port", m->in_port);
	mbox_ev_addr(&e, "ext", n->cfg.public_addr);
	ev_u64(&e, "ext_port", m->ext_port);
	if (why) {
		ev_str(&e, "why", why);
		ev_time(&e, "age", now - m->created);
	}
	mbox_ev_emit(&n->mb, &e);
}

static void map_remove(struct nat *n, uint32_t idx, uint64_t now, const char *why)
{
	struct nat_map *m = &n->maps[idx];

	if (why)
		map_event(n, now, "unmap", m, why);
	mbox_hmap_del(&n->by_in, in_key(m->proto, m->in_addr, m->in_port));
	mbox_hmap_del(&n->by_ext, ext_key(m->proto, m->ext_port));
	free(m->remotes);
	memset(m, 0, sizeof *m);
	m->next_free = n->free_head;
	n->free_head = idx;
	n->live--;
}

/* live returns the mapping at |idx| unless it expired (then removes it). */
static struct nat_map *live(struct nat *n, uint32_t idx, uint64_t now)
{
	if (n->maps[idx].expires <= now) {
		map_remove(n, idx, now, "timeout");
		return NULL;
	}
	return &n->maps[idx];
}

static struct nat_map *find_in(struct nat *n, uint64_t now, uint8_t proto, uint32_t addr,
			       uint16_t port)
{
	uint32_t idx;

	if (!mbox_hmap_get(&n->by_in, in_key(proto, addr, port), &idx))
		return NULL;
	return live(n, idx, now);
}

static struct nat_map *find_ext(struct nat *n, uint64_t now, uint8_t proto, uint16_t port)
{
	uint32_t idx;

	if (!mbox_hmap_get(&n->by_ext, ext_key(proto, port), &idx))
		return NULL;
	return live(n, idx, now);
}

/* port_free: no live mapping holds |port|; an expired holder is removed. */
static int port_free(struct nat *n, uint64_t now, uint8_t proto, uint16_t port)
{
	return find_ext(n, now, proto, port) == NULL;
}

static int alloc_port(struct nat *n, uint64_t now, uint8_t proto, uint32_t addr, uint16_t port,
		      uint16_t *out)
{
	uint32_t range = (uint32_t)n->cfg.port_max - n->cfg.port_min + 1;
	uint16_t *cur = &n->cursor[proto_index(proto)];
	uint32_t start;

	if (n->cfg.port_preserve && port_free(n, now, proto, port)) {
		*out = port;
		return 0;
	}
	if (n->cfg.alloc == MBOX_NAT_ALLOC_HASHED)
		start = (uint32_t)(mbox_mix64(n->cfg.hash_seed ^ in_key(proto, addr, port)) % range);
	else
		start = (uint32_t)(*cur - n->cfg.port_min) % range;
	for (uint32_t i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(n->cfg.port_min + (start + i) % range);

		if (port_free(n, now, proto, p)) {
			*out = p;
			*cur = (uint16_t)(n->cfg.port_min + (start + i + 1) % range);
			return 0;
		}
	}
	return -1;
}

static struct nat_map *map_create(struct nat *n, uint64_t now, uint8_t proto, uint32_t addr,
				  uint16_t port, enum mbox_drop *why)
{
	uint16_t ext;
	uint32_t idx;
	struct nat_map *m;

	if (alloc_port(n, now, proto, addr, port, &ext)) {
		*why = MBOX_DROP_PORTS_EXHAUSTED;
		return NULL;
	}
	if (n->free_head != UINT32_MAX) {
		idx = n->free_head;
		n->free_head = n->maps[idx].next_free;
	} else {
		if (n->nmaps == n->capmaps) {
			size_t cap = n->capmaps ? n->capmaps * 2 : 64;
			struct nat_map *g = realloc(n->maps, cap * sizeof *g);

			if (!g) {
				*why = MBOX_DROP_NO_MEMORY;
				return NULL;
			}
			n->maps = g;
			n->capmaps = cap;
		}
		idx = (uint32_t)n->nmaps++;
	}
	m = &n->maps[idx];
	memset(m, 0, sizeof *m);
	m->used = 1;
	m->proto = proto;
	m->in_addr = addr;
	m->in_port = port;
	m->ext_port = ext;
	m->created = now;
	if (mbox_hmap_put(&n->by_in, in_key(proto, addr, port), idx) ||
	    mbox_hmap_put(&n->by_ext, ext_key(proto, ext), idx)) {
		n->live++;
		map_remove(n, idx, now, NULL);
		*why = MBOX_DROP_NO_MEMORY;
		return NULL;
	}
	n->live++;
	arm(n, m, now);
	map_event(n, now, "map", m, NULL);
	return m;
}

static int remote_add(struct nat_map *m, uint32_t addr, uint16_t port)
{
	for (size_t i = 0; i < m->nremotes; i++)
		if (m->remotes[i].addr == addr && m->remotes[i].port == port)
			return 0;
	if (m->nremotes == m->capremotes) {
		size_t cap = m->capremotes ? m->capremotes * 2 : 2;
		struct remote *g = realloc(m->remotes, cap * sizeof *g);

		if (!g)
			return -1;
		m->remotes = g;
		m->capremotes = cap;
	}
	m->remotes[m->nremotes].addr = addr;
	m->remotes[m->nremotes].port = port;
	m->nremotes++;
	return 0;
}

static int remote_allowed(const struct nat *n, const struct nat_map *m, uint32_t addr,
			  uint16_t port)
{
	if (n->cfg.filter == MBOX_NAT_FILTER_EI)
		return 1;
	for (size_t i = 0; i < m->nremotes; i++)
		if (m->remotes[i].addr == addr &&
		    (n->cfg.filter == MBOX_NAT_FILTER_AD || m->remotes[i].port == port))
			return 1;
	return 0;
}

/* tcp_note records |flags| seen in |dir|; returns 1 if the state changed. */
static int tcp_note(struct nat_map *m, int dir, uint8_t flags)
{
	uint8_t old = m->tcp;

	if (flags & TCP4_RST)
		m->tcp |= TCP_RST;
	if (dir == DIR_OUT) {
		if (flags & TCP4_SYN)
			m->tcp |= TCP_SYN_OUT;
		if (flags & TCP4_FIN)
			m->tcp |= TCP_FIN_OUT;
	} else {
		m->tcp |= TCP_SEEN_IN;
		if (flags & TCP4_FIN)
			m->tcp |= TCP_FIN_IN;
	}
	return m->tcp != old;
}

/* ---------------------------------------------------------------- translation */

/*
 * xlate_ports rewrites the address at |addr_off| and the port at
 * |port_off| of a UDP/TCP/ICMP-echo packet, fixing the IP header checksum
 * and the transport checksum at |l4->csum_off| incrementally.
 */
static void xlate(uint8_t *pkt, const struct ip4_l4 *l4, size_t addr_off, uint32_t addr,
		  size_t port_off, uint16_t port)
{
	struct ip4_csum_ref ip = {pkt + IP4_OFF_CSUM, 0};
	struct ip4_csum_ref both[2] = {{pkt + IP4_OFF_CSUM, 0},
				       {pkt + l4->csum_off, l4->proto == IP4_PROTO_UDP}};
	struct ip4_csum_ref l4c = {pkt + l4->csum_off, l4->proto == IP4_PROTO_UDP};

	/* ICMP's checksum has no pseudo-header: the address is IP-only. */
	if (l4->proto == IP4_PROTO_ICMP)
		ip4_rewrite32(pkt + addr_off, addr, &ip, 1);
	else
		ip4_rewrite32(pkt + addr_off, addr, both, 2);
	ip4_rewrite16(pkt + port_off, port, &l4c, 1);
}

/*
 * icmp_error translates an ICMP error and the packet it quotes. Outbound
 * (inside host reports on an inbound packet): outer src, quoted dst and
 * quoted destination port/id become public. Inbound: outer dst, quoted src
 * and quoted source port/id become the inside host's.
 */
static enum mbox_drop icmp_error(struct nat *n, uint64_t now, int dir, uint8_t *pkt, size_t len,
				 const struct ip4_hdr *h)
{
	size_t icmp = h->hlen, in = icmp + 8, ihl, il4;
	uint8_t *ocsum = pkt + icmp + 2, iproto;
	uint16_t old_ipc, old_l4c = 0, qport;
	uint32_t qaddr, new_addr;
	uint16_t new_port;
	size_t qaddr_off, qport_off, l4csum_off = 0;
	struct ip4_csum_ref outer = {ocsum, 0};
	struct ip4_csum_ref ip = {pkt + IP4_OFF_CSUM, 0};
	struct nat_map *m;
	int udp = 0;

	if (len < in + IP4_HDR_MIN || pkt[in] >> 4 != 4)
		return MBOX_DROP_ICMP_INNER_BAD;
	ihl = (size_t)(pkt[in] & 15) * 4;
	il4 = in + ihl;
	/* The quote must hold the ports: header + 8 octets (RFC 792). */
	if (ihl < IP4_HDR_MIN || len < il4 + 8 ||
	    (ip4_get16(pkt + in + IP4_OFF_FRAG) & IP4_OFF_MASK))
		return MBOX_DROP_ICMP_INNER_BAD;
	iproto = pkt[in + IP4_OFF_PROTO];
	qaddr_off = in + (dir == DIR_IN ? IP4_OFF_SRC : IP4_OFF_DST);
	qport_off = il4 + (dir == DIR_IN ? 0 : 2);
	qaddr = ip4_get32(pkt + qaddr_off);
	switch (iproto) {
	case IP4_PROTO_UDP:
		l4csum_off = il4 + 6;
		udp = 1;
		break;
	case IP4_PROTO_TCP:
		if (len >= il4 + 18)
			l4csum_off = il4 + 16;
		break;
	case IP4_PROTO_ICMP:
		/* Only echo is mapped: a request went out, a reply came in. */
		if (pkt[il4] != (dir == DIR_IN ? ICMP4_ECHO : ICMP4_ECHO_REPLY))
			return MBOX_DROP_ICMP_INNER_BAD;
		qport_off = il4 + 4;
		l4csum_off = il4 + 2;
		break;
	default:
		return MBOX_DROP_ICMP_INNER_BAD;
	}
	qport = ip4_get16(pkt + qport_off);
	if (dir == DIR_IN) {
		if (qaddr != n->cfg.public_addr)
			return MBOX_DROP_ICMP_INNER_BAD;
		m = find_ext(n, now, iproto, qport);
		if (!m)
			return MBOX_DROP_NO_MAPPING;
		new_addr = m->in_addr;
		new_port = m->in_port;
	} else {
		m = find_in(n, now, iproto, qaddr, qport);
		if (!m)
			return MBOX_DROP_NO_MAPPING;
		new_addr = n->cfg.public_addr;
		new_port = m->ext_port;
	}

	old_ipc = ip4_get16(pkt + in + IP4_OFF_CSUM);
	if (l4csum_off)
		old_l4c = ip4_get16(pkt + l4csum_off);
	{
		/* Quoted address: quoted IP checksum, quoted UDP/TCP checksum
		 * (pseudo-header), outer ICMP checksum. */
		struct ip4_csum_ref refs[3] = {
			{pkt + in + IP4_OFF_CSUM, 0},
			{iproto != IP4_PROTO_ICMP && l4csum_off ? pkt + l4csum_off : NULL, udp},
			outer};
		struct ip4_csum_ref prefs[2] = {{l4csum_off ? pkt + l4csum_off : NULL, udp}, outer};

		ip4_rewrite32(pkt + qaddr_off, new_addr, refs, 3);
		ip4_rewrite16(pkt + qport_off, new_port, prefs, 2);
	}
	/* The quoted checksums are ICMP payload too. */
	ip4_rewrite16(ocsum, ip4_csum_adjust16(ip4_get16(ocsum), old_ipc,
					       ip4_get16(pkt + in + IP4_OFF_CSUM)),
		      NULL, 0);
	if (l4csum_off)
		ip4_rewrite16(ocsum, ip4_csum_adjust16(ip4_get16(ocsum), old_l4c,
						       ip4_get16(pkt + l4csum_off)),
			      NULL, 0);
	/* Outer header address, IP checksum only. */
	ip4_rewrite32(pkt + (dir == DIR_IN ? IP4_OFF_DST : IP4_OFF_SRC), new_addr, &ip, 1);
	return MBOX_DROP__COUNT;
}

/* translate rewrites a whole datagram or first fragment; MBOX_DROP__COUNT = forward. */
static enum mbox_drop translate(struct nat *n, uint64_t now, int dir, uint8_t *pkt, size_t len,
				const struct ip4_hdr *h)
{
	struct ip4_l4 l4;
	struct nat_map *m;
	enum mbox_drop why = MBOX_DROP__COUNT;
	int rc = ip4_l4_parse(pkt, h, &l4);
	size_t port_off;

	if (rc)
		return MBOX_DROP_L4_TRUNCATED;
	if (h->proto == IP4_PROTO_ICMP) {
		if (ip4_icmp_is_error(l4.icmp_type))
			return icmp_error(n, now, dir, pkt, len, h);
		if (l4.icmp_type != (dir == DIR_OUT ? ICMP4_ECHO : ICMP4_ECHO_REPLY))
			return MBOX_DROP_ICMP_UNSUPPORTED;
	} else if (h->proto != IP4_PROTO_UDP && h->proto != IP4_PROTO_TCP) {
		return MBOX_DROP_PROTO_UNSUPPORTED;
	}

	if (dir == DIR_OUT) {
		m = find_in(n, now, h->proto, h->src, l4.sport);
		if (!m)
			m = map_create(n, now, h->proto, h->src, l4.sport, &why);
		if (!m)
			return why;
		if (remote_add(m, h->dst, h->proto == IP4_PROTO_ICMP ? 0 : l4.dport))
			return MBOX_DROP_NO_MEMORY;
		if (h->proto == IP4_PROTO_TCP)
			tcp_note(m, dir, l4.tcp_flags);
		arm(n, m, now);
		port_off = l4.proto == IP4_PROTO_ICMP ? l4.off + 4 : l4.off;
		xlate(pkt, &l4, IP4_OFF_SRC, n->cfg.public_addr, port_off, m->ext_port);
		return MBOX_DROP__COUNT;
	}
	m = find_ext(n, now, h->proto, l4.dport);
	if (!m)
		return MBOX_DROP_NO_MAPPING;
	if (!remote_allowed(n, m, h->src, h->proto == IP4_PROTO_ICMP ? 0 : l4.sport))
		return MBOX_DROP_NAT_FILTERED;
	if ((h->proto == IP4_PROTO_TCP && tcp_note(m, dir, l4.tcp_flags)) || n->cfg.refresh_inbound)
		arm(n, m, now);
	port_off = l4.proto == IP4_PROTO_ICMP ? l4.off + 4 : l4.off + 2;
	xlate(pkt, &l4, IP4_OFF_DST, m->in_addr, port_off, m->in_port);
	return MBOX_DROP__COUNT;
}

/* rewrite_addr changes only the IP address of a non-first fragment. */
static void rewrite_addr(uint8_t *pkt, int dir, uint32_t addr)
{
	struct ip4_csum_ref ip = {pkt + IP4_OFF_CSUM, 0};

	ip4_rewrite32(pkt + (dir == DIR_OUT ? IP4_OFF_SRC : IP4_OFF_DST), addr, &ip, 1);
}

static void forward(struct nat *n, uint64_t now, int dir, uint8_t *pkt, size_t len,
		    const struct ip4_hdr *h, int reassembled)
{
	enum mbox_drop why;
	struct ip4_hdr orig = *h;
	int out_if = dir == DIR_OUT ? 1 : 0;

	why = translate(n, now, dir, pkt, len, h);
	if (why != MBOX_DROP__COUNT) {
		mbox_drop(&n->mb, now, why, dir, pkt, len);
		return;
	}
	if (ip4_is_frag(&orig) && n->cfg.frag == MBOX_NAT_FRAG_TRACK)
		mbox_fragtrack_put(&n->track[dir], now, &orig,
				   dir == DIR_OUT ? n->cfg.public_addr : ip4_get32(pkt + IP4_OFF_DST));
	if (!reassembled) {
		mbox_send(&n->mb, out_if, pkt, len);
		return;
	}
	if (mbox_send_frag(&n->mb, out_if, pkt, len, n->cfg.mtu) < 0)
		mbox_drop(&n->mb, now, MBOX_DROP_FRAG_FAILED, dir, pkt, len);
}

static void reasm_input(struct nat *n, uint64_t now, int dir, uint8_t *pkt, size_t len,
			const struct ip4_hdr *h)
{
	uint8_t *whole = NULL;
	size_t wlen = 0;
	struct ip4_hdr wh;
	int rc = ip4_reasm_input(n->reasm[dir], now, pkt, h, &whole, &wlen);

	if (rc == 0)
		return;
	if (rc < 0) {
		mbox_drop(&n->mb, now,
			  rc == IP4_EREASM_FULL ? MBOX_DROP_REASM_FULL
			  : rc == IP4_ENOMEM   ? MBOX_DROP_NO_MEMORY
					       : MBOX_DROP_REASM_BAD,
			  dir, pkt, len);
		return;
	}
	if (ip4_parse(whole, wlen, &wh) == IP4_OK)
		forward(n, now, dir, whole, wlen, &wh, 1);
	free(whole);
}

static void nat_input(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
		      const struct ip4_hdr *h)
{
	struct nat *n = (struct nat *)mb;
	int dir = in_if == 0 ? DIR_OUT : DIR_IN;
	uint32_t val;

	if (dir == DIR_IN && h->dst != n->cfg.public_addr) {
		mbox_drop(mb, now, MBOX_DROP_WRONG_DST, in_if, pkt, len);
		return;
	}
	if (!ip4_is_frag(h)) {
		forward(n, now, dir, pkt, len, h, 0);
		return;
	}
	switch (n->cfg.frag) {
	case MBOX_NAT_FRAG_DROP_ALL:
		mbox_drop(mb, now, MBOX_DROP_FRAG, in_if, pkt, len);
		return;
	case MBOX_NAT_FRAG_REASSEMBLE:
		reasm_input(n, now, dir, pkt, len, h);
		return;
	case MBOX_NAT_FRAG_DROP_NON_FIRST:
	case MBOX_NAT_FRAG_TRACK:
		break;
	}
	if (!h->frag_off) {
		forward(n, now, dir, pkt, len, h, 0);
		return;
	}
	if (n->cfg.frag == MBOX_NAT_FRAG_DROP_NON_FIRST) {
		mbox_drop(mb, now, MBOX_DROP_FRAG_NON_FIRST, in_if, pkt, len);
		return;
	}
	if (!mbox_fragtrack_get(&n->track[dir], now, h, &val)) {
		mbox_drop(mb, now, MBOX_DROP_FRAG_UNTRACKED, in_if, pkt, len);
		return;
	}
	rewrite_addr(pkt, dir, val);
	mbox_send(mb, dir == DIR_OUT ? 1 : 0, pkt, len);
}

/* ---------------------------------------------------------------- timers */

static uint64_t nat_deadline(const struct mbox *mb)
{
	const struct nat *n = (const struct nat *)mb;
	uint64_t t = MBOX_NEVER, g = n->cfg.sweep_ns;

	if (n->live && n->min_expiry != MBOX_NEVER) {
		t = n->min_expiry;
		if (g > 1 && t % g && t <= UINT64_MAX - g)
			t += g - t % g;
	}
	for (int d = 0; d < 2; d++)
		if (n->reasm[d] && ip4_reasm_deadline(n->reasm[d]) < t)
			t = ip4_reasm_deadline(n->reasm[d]);
	return t;
}

struct expire_ctx {
	struct nat *n;
	uint64_t now;
	int dir;
};

static void reasm_expired(void *ctx, const struct ip4_reasm_key *k)
{
	struct expire_ctx *x = ctx;
	struct evbuf e;

	x->n->mb.drops[MBOX_DROP_REASM_TIMEOUT]++;
	if (!x->n->mb.io.events.emit)
		return;
	mbox_ev_begin(&x->n->mb, &e, x->now, "drop");
	ev_str(&e, "reason", mbox_drop_name(MBOX_DROP_REASM_TIMEOUT));
	ev_i64(&e, "if", x->dir);
	ev_str(&e, "proto", ip4_proto_name(k->proto));
	mbox_ev_addr(&e, "saddr", k->src);
	mbox_ev_addr(&e, "daddr", k->dst);
	ev_u64(&e, "id", k->id);
	mbox_ev_emit(&x->n->mb, &e);
}

static void nat_on_deadline(struct mbox *mb, uint64_t now)
{
	struct nat *n = (struct nat *)mb;

	for (int d = 0; d < 2; d++) {
		struct expire_ctx x = {n, now, d};

		if (n->reasm[d])
			ip4_reasm_expire(n->reasm[d], now, reasm_expired, &x);
	}
	if (n->min_expiry > now)
		return;
	n->min_expiry = MBOX_NEVER;
	for (size_t i = 0; i < n->nmaps; i++) {
		if (!n->maps[i].used)
			continue;
		if (n->maps[i].expires <= now)
			map_remove(n, (uint32_t)i, now, "timeout");
		else if (n->maps[i].expires < n->min_expiry)
			n->min_expiry = n->maps[i].expires;
	}
}

/* ---------------------------------------------------------------- life cycle */

static void flush_maps(struct nat *n)
{
	for (size_t i = 0; i < n->nmaps; i++)
		free(n->maps[i].remotes);
	n->nmaps = 0;
	n->live = 0;
	n->free_head = UINT32_MAX;
	n->min_expiry = MBOX_NEVER;
	mbox_hmap_clear(&n->by_in);
	mbox_hmap_clear(&n->by_ext);
	for (int i = 0; i < 3; i++)
		n->cursor[i] = n->cfg.port_min;
}

static void nat_destroy(struct mbox *mb)
{
	struct nat *n = (struct nat *)mb;

	flush_maps(n);
	free(n->maps);
	mbox_hmap_fini(&n->by_in);
	mbox_hmap_fini(&n->by_ext);
	ip4_reasm_free(n->reasm[0]);
	ip4_reasm_free(n->reasm[1]);
	mbox_fini(mb);
	free(n);
}

static const struct mbox_ops nat_ops = {
	.kind = MBOX_NAT,
	.input = nat_input,
	.deadline = nat_deadline,
	.on_deadline = nat_on_deadline,
	.destroy = nat_destroy,
};

struct mbox *mbox_nat_new(const struct mbox_nat_cfg *cfg, const struct mbox_io *io, char *err,
			  size_t errlen)
{
	struct nat *n;
	struct ip4_reasm_cfg rc = {0};

	if (!cfg->public_addr)
		return mbox_errf(err, errlen, "nat: public_addr is 0.0.0.0, expected the NAT's "
				 "public IPv4 address");
	if (!cfg->port_min || cfg->port_min > cfg->port_max)
		return mbox_errf(err, errlen, "nat: port range %u-%u is invalid, expected "
				 "1 <= port_min <= port_max", cfg->port_min, cfg->port_max);
	if ((unsigned)cfg->frag > MBOX_NAT_FRAG_REASSEMBLE)
		return mbox_errf(err, errlen, "nat: frag policy %d unknown, expected drop-non-first, "
				 "drop-all, track or reassemble", (int)cfg->frag);
	if ((unsigned)cfg->alloc > MBOX_NAT_ALLOC_HASHED || (unsigned)cfg->filter > MBOX_NAT_FILTER_APD)
		return mbox_errf(err, errlen, "nat: alloc %d / filter %d unknown, expected the "
				 "enum values", (int)cfg->alloc, (int)cfg->filter);
	if (!cfg->udp_timeout_ns || !cfg->icmp_timeout_ns || !cfg->tcp_est_timeout_ns ||
	    !cfg->tcp_trans_timeout_ns || !cfg->frag_timeout_ns)
		return mbox_errf(err, errlen, "nat: a timeout is 0, expected > 0 ns (start from "
				 "mbox_nat_cfg_default)");
	if (cfg->mtu && cfg->mtu < IP4_MIN_MTU)
		return mbox_errf(err, errlen, "nat: mtu %zu, expected 0 (never refragment) or >= 68",
				 cfg->mtu);
	n = calloc(1, sizeof *n);
	if (!n)
		return mbox_errf(err, errlen, "nat: out of memory");
	n->cfg = *cfg;
	n->cfg.name = NULL;
	n->free_head = UINT32_MAX;
	n->min_expiry = MBOX_NEVER;
	for (int i = 0; i < 3; i++)
		n->cursor[i] = cfg->port_min;
	mbox_fragtrack_init(&n->track[0], cfg->frag_timeout_ns);
	mbox_fragtrack_init(&n->track[1], cfg->frag_timeout_ns);
	rc.timeout_ns = cfg->frag_timeout_ns;
	if (mbox_init(&n->mb, &nat_ops, io, cfg->name, 2) || mbox_hmap_init(&n->by_in) ||
	    mbox_hmap_init(&n->by_ext) ||
	    (cfg->frag == MBOX_NAT_FRAG_REASSEMBLE &&
	     (!(n->reasm[0] = ip4_reasm_new(&rc)) || !(n->reasm[1] = ip4_reasm_new(&rc))))) {
		nat_destroy(&n->mb);
		return mbox_errf(err, errlen, "nat: out of memory");
	}
	return &n->mb;
}

static struct nat *as_nat(const struct mbox *mb)
{
	return mb && mb->ops == &nat_ops ? (struct nat *)mb : NULL;
}

long mbox_nat_reboot(struct mbox *mb, uint64_t now)
{
	struct nat *n = as_nat(mb);
	struct evbuf e;
	long flushed;

	if (!n)
		return -1;
	flushed = (long)n->live;
	flush_maps(n);
	for (int d = 0; d < 2; d++) {
		if (n->reasm[d])
			ip4_reasm_flush(n->reasm[d]);
		mbox_fragtrack_clear(&n->track[d]);
	}
	mbox_ev_begin(mb, &e, now, "reboot");
	ev_i64(&e, "flushed", flushed);
	mbox_ev_emit(mb, &e);
	return flushed;
}

size_t mbox_nat_mappings(const struct mbox *mb)
{
	const struct nat *n = as_nat(mb);

	return n ? n->live : 0;
}

int mbox_nat_lookup(const struct mbox *mb, uint64_t now, uint8_t proto, uint32_t in_addr,
		    uint16_t in_port, uint16_t *ext_port)
{
	const struct nat *n = as_nat(mb);
	uint32_t idx;

	if (!n || !mbox_hmap_get(&n->by_in, in_key(proto, in_addr, in_port), &idx) ||
	    n->maps[idx].expires <= now)
		return 0;
	*ext_port = n->maps[idx].ext_port;
	return 1;
}
