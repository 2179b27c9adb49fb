/*
 * realnet_esp.c — the ESP datapath of the loop: CHILD SAs (two esp_sa
 * each), the SPD lookup for packets read from the TUN, the SPI hash for
 * packets from the wire, the inbound selector check (RFC 4301 §5.2), and
 * the routes a CHILD SA needs through the TUN.
 *
 * Outbound: TUN read at RN_HEAD of a slot -> SPD (newest CHILD SA whose
 * local selectors hold the source and remote selectors the destination) ->
 * esp_seal in place -> send queue (UDP NAT-T socket when encapsulated, raw
 * socket otherwise) -> one sendmmsg per queue per wakeup.
 * Inbound: SPI -> CHILD SA -> esp_open in place -> selector check -> TUN write.
 */
#include "cli/realnet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/realnet_gso.h"
#include "cli/realnet_tun.h"

void rn_esp_init(struct realnet *rn)
{
	for (size_t i = 0; i < RN_SPI_HASH; i++)
		rn->spi_idx[i] = -1;
}

static size_t spi_slot(uint32_t spi)
{
	return (size_t)((spi * 2654435761u) >> 11) % RN_SPI_HASH;
}

static struct rn_child *by_spi(struct realnet *rn, uint32_t spi)
{
	for (size_t h = spi_slot(spi), n = 0; n < RN_SPI_HASH; h = (h + 1) % RN_SPI_HASH, n++) {
		int32_t i = rn->spi_idx[h];

		if (i < 0)
			return NULL;
		if (rn->child[i].used && rn->child[i].spi_in == spi)
			return &rn->child[i];
	}
	return NULL;
}

/* rehash rebuilds the SPI table (after a delete; linear probing has no tombstones here). */
static void rehash(struct realnet *rn)
{
	for (size_t i = 0; i < RN_SPI_HASH; i++)
		rn->spi_idx[i] = -1;
	for (int32_t i = 0; i < RN_CHILDREN_MAX; i++) {
		size_t h;

		if (!rn->child[i].used)
			continue;
		for (h = spi_slot(rn->child[i].spi_in); rn->spi_idx[h] >= 0; h = (h + 1) % RN_SPI_HASH)
			;
		rn->spi_idx[h] = i;
	}
}

static void child_free(struct rn_child *c)
{
	esp_sa_free(c->in);
	esp_sa_free(c->out);
	memset(c, 0, sizeof *c);
}

void rn_esp_free(struct realnet *rn)
{
	for (size_t i = 0; i < RN_CHILDREN_MAX; i++)
		if (rn->child[i].used)
			child_free(&rn->child[i]);
	rn->n_children = 0;
}

/* ---------------------------------------------------------------------- */
/* Selectors                                                               */

struct inner {
	uint32_t src, dst;
	uint8_t proto;
	int has_ports;
	uint16_t sport, dport;
};

/* inner_parse reads the IPv4 header (and TCP/UDP ports of a first fragment); -1 if not IPv4. */
static int inner_parse(const uint8_t *p, size_t len, struct inner *in)
{
	size_t ihl;

	if (len < 20 || (p[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	in->src = (uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 | (uint32_t)p[14] << 8 | p[15];
	in->dst = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
	in->proto = p[9];
	in->has_ports = 0;
	if ((in->proto == 6 || in->proto == 17) && ((p[6] & 0x1f) | p[7]) == 0 && len >= ihl + 4) {
		in->has_ports = 1;
		in->sport = (uint16_t)(p[ihl] << 8 | p[ihl + 1]);
		in->dport = (uint16_t)(p[ihl + 2] << 8 | p[ihl + 3]);
	}
	return 0;
}

/* ts_match: does |addr| (and |port| of the packet's protocol) fall in one of |ts|? */
static int ts_match(const struct rn_ts *ts, size_t n, uint32_t addr, const struct inner *in, int src)
{
	for (size_t i = 0; i < n; i++) {
		const struct rn_ts *t = &ts[i];

		if (addr < t->lo || addr > t->hi)
			continue;
		if (t->proto != 0 && t->proto != in->proto)
			continue;
		if (t->port_lo != 0 || t->port_hi != 65535) {
			uint16_t port;

			/* a port-restricted selector matches only packets with ports (RFC 4301 §4.4.1.1) */
			if (!in->has_ports)
				continue;
			port = src ? in->sport : in->dport;
			if (port < t->port_lo || port > t->port_hi)
				continue;
		}
		return 1;
	}
	return 0;
}

static struct rn_child *spd_lookup(struct realnet *rn, const struct inner *in)
{
	struct rn_child *best = NULL;
	struct rn_child *c = rn->spd_cache;

	if (c != NULL && c->used && ts_match(c->ts_local, c->n_ts_local, in->src, in, 1) &&
	    ts_match(c->ts_remote, c->n_ts_remote, in->dst, in, 0))
		return c;
	for (size_t i = 0, seen = 0; i < RN_CHILDREN_MAX && seen < rn->n_children; i++) {
		c = &rn->child[i];
		if (!c->used)
			continue;
		seen++;
		if ((best == NULL || c->seq > best->seq) && ts_match(c->ts_local, c->n_ts_local, in->src, in, 1) &&
		    ts_match(c->ts_remote, c->n_ts_remote, in->dst, in, 0))
			best = c;
	}
	rn->spd_cache = best;
	return best;
}

/* ---------------------------------------------------------------------- */
/* Datapath                                                                */

/* note tells the engine, at most every RN_NOTE_NS per direction, that |c| carried ESP. */
static void note(struct realnet *rn, struct rn_child *c, int sent)
{
	uint64_t now = rn->now ? rn->now : realnet_now(rn), *last = sent ? &c->noted_tx : &c->noted_rx;

	if (!rn->has_engine || rn->eng.note_esp == NULL || (*last != 0 && now - *last < RN_NOTE_NS))
		return;
	*last = now;
	rn->eng.note_esp(rn->eng.ctx, c->spi_in, sent, now);
}

/* out_packet seals the inner packet of |len| octets at RN_HEAD of slot |i| and queues it for its peer. */
static void out_packet(struct realnet *rn, unsigned i, size_t len)
{
	uint8_t *slot = rn_slot(rn, i);
	struct esp_pkt p;
	struct inner in;
	struct rn_child *c;
	int rc;

	rn->st.tun_rx++;
	if (len > rn->o.tun_mtu) {
		rn_ev_drop(rn, RN_DROP_TOO_BIG, "TUN packet of more than %u octets (tun_mtu)", rn->o.tun_mtu);
		return;
	}
	if (inner_parse(slot + RN_HEAD, len, &in) < 0) {
		/* IPv6 and other non-IPv4 traffic the kernel routes into the TUN is not ours */
		rn_ev_drop(rn, RN_DROP_INNER_BAD, "TUN packet of %zu octets, version %u", len, len > 0 ? slot[RN_HEAD] >> 4 : 0);
		return;
	}
	c = spd_lookup(rn, &in);
	if (c == NULL) {
		char s[16], d[16];

		rn_ev_drop(rn, RN_DROP_NO_SA, "%s -> %s proto %u", rn_ip(in.src, s), rn_ip(in.dst, d), in.proto);
		return;
	}
	p = (struct esp_pkt){slot, RN_SLOT, RN_HEAD, len};
	rc = esp_seal(c->out, &p, ESP_NH_IPV4);
	if (rc < 0) {
		rn_ev_drop(rn, RN_DROP_SEAL, "spi %08x: %s", c->spi_out, esp_strerror(rc));
		return;
	}
	c->pkts_out++;
	c->bytes_out += (uint64_t)len;
	note(rn, c, 1);
	rn->st.esp_tx++;
	rn->st.esp_tx_bytes += p.len;
	if (c->encap) {
		if (rn->pcap != NULL)
			rn_pcap_udp(rn->pcap, slot + p.off, p.len, p.off, c->path.local_addr, c->path.local_port,
				    c->path.remote_addr, c->path.remote_port);
		rn_txq_add(&rn->txq_udp, slot + p.off, p.len, &c->peer);
	} else {
		if (rn->raw < 0) {
			rn_ev_drop(rn, RN_DROP_SEND, "spi %08x: plain ESP but no raw socket", c->spi_out);
			return;
		}
		if (rn->pcap != NULL)
			rn_pcap_esp(rn->pcap, slot + p.off, p.len, p.off, c->path.local_addr, c->path.remote_addr);
		rn_txq_add(&rn->txq_raw, slot + p.off, p.len, &c->peer);
	}
}

/* flush_out sends everything queued; the slots are free again afterwards. */
static void flush_out(struct realnet *rn)
{
	if (rn->pcap != NULL)
		rn->pcap_dirty = 1;
	if (rn->txq_udp.n > 0)
		rn_txq_flush(rn, &rn->txq_udp, rn->udp[RN_SOCK_NATT], rn->udp_gso);
	if (rn->txq_raw.n > 0)
		rn_txq_flush(rn, &rn->txq_raw, rn->raw, 0);
}

/* tun_rx_plain: one inner packet per read, straight into its slot. */
static void tun_rx_plain(struct realnet *rn)
{
	size_t maxlen = rn->o.tun_mtu + 1; /* one more than the MTU tells "too big" apart */
	unsigned i;

	for (i = 0; i < rn->batch; i++) {
		ssize_t n = read(rn->tun, rn_slot(rn, i) + RN_HEAD, maxlen);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				rn_ev_drop(rn, RN_DROP_TUN_WRITE, "TUN read: %s", strerror(errno));
			break;
		}
		out_packet(rn, i, (size_t)n);
	}
	if (i > 0)
		rn->st.tun_batches++;
	flush_out(rn);
}

/*
 * tun_rx_vnet: virtio_net_hdr + packet per read (realnet_gso.h). A TSO
 * super-packet is cut into segments, each copied into its own slot; when
 * the slots run out, what is queued goes out first.
 */
static void tun_rx_vnet(struct realnet *rn)
{
	unsigned r, used = 0;

	for (r = 0; r < rn->batch; r++) {
		ssize_t n = read(rn->tun, rn->tso_buf, RN_VNET_HDR + RN_DGRAM_MAX);
		struct virtio_net_hdr vh;
		uint8_t *pkt = rn->tso_buf + RN_VNET_HDR;
		size_t len;

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				rn_ev_drop(rn, RN_DROP_TUN_WRITE, "TUN read: %s", strerror(errno));
			break;
		}
		if ((size_t)n < RN_VNET_HDR) {
			rn_ev_drop(rn, RN_DROP_INNER_BAD, "TUN read of %zd octets, shorter than the vnet header", n);
			continue;
		}
		memcpy(&vh, rn->tso_buf, sizeof vh);
		len = (size_t)n - RN_VNET_HDR;
		if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
			if (len > rn->o.tun_mtu) {
				rn->st.tun_rx++;
				rn_ev_drop(rn, RN_DROP_TOO_BIG, "TUN packet of %zu octets, tun_mtu %u", len, rn->o.tun_mtu);
				continue;
			}
			if (used == rn->batch) {
				flush_out(rn);
				used = 0;
			}
			memcpy(rn_slot(rn, used) + RN_HEAD, pkt, len);
			if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
			    rn_vnet_csum_finish(rn_slot(rn, used) + RN_HEAD, len, &vh) < 0) {
				rn->st.tun_rx++;
				rn_ev_drop(rn, RN_DROP_INNER_BAD, "checksum offset %u+%u outside a packet of %zu octets",
					   vh.csum_start, vh.csum_offset, len);
				continue;
			}
			out_packet(rn, used++, len);
		} else {
			struct rn_tso t;

			if (rn_tso_init(&t, pkt, len, &vh) < 0) {
				rn->st.tun_rx++;
				rn_ev_drop(rn, RN_DROP_INNER_BAD, "GSO packet type %u size %u, %zu octets: expected TCP/IPv4",
					   vh.gso_type, vh.gso_size, len);
				continue;
			}
			rn->st.tso_pkts++;
			rn->st.tso_segs += t.nseg;
			for (unsigned k = 0; k < t.nseg; k++) {
				if (used == rn->batch) {
					flush_out(rn);
					used = 0;
				}
				out_packet(rn, used, rn_tso_segment(&t, k, rn_slot(rn, used) + RN_HEAD));
				used++;
			}
		}
	}
	if (r > 0)
		rn->st.tun_batches++;
	flush_out(rn);
}

void rn_tun_rx(struct realnet *rn)
{
	if (rn->tun_vnet)
		tun_rx_vnet(rn);
	else
		tun_rx_plain(rn);
}

void rn_tun_flush(struct realnet *rn)
{
	struct virtio_net_hdr vh;
	struct iovec iov[RN_GRO_MAX_SEGS + 1];
	unsigned i = 0, n = rn->tunq_n;

	rn->tunq_n = 0;
	while (i < n) {
		struct rn_gro_pkt *q = rn->tunq + i;
		unsigned k = rn->tun_vnet && rn->o.offload ? rn_gro_run(q, n - i) : 1;
		ssize_t rc;

		if (rn->tun_vnet)
			rc = writev(rn->tun, iov, rn_gro_build(q, k, &vh, iov));
		else
			rc = write(rn->tun, q->p, q->len);
		if (rc < 0) {
			for (unsigned j = 0; j < k; j++)
				rn_ev_drop(rn, RN_DROP_TUN_WRITE, "TUN write of %zu octets: %s", q[j].len, strerror(errno));
		} else {
			rn->st.tun_tx += k;
			if (k > 1) {
				rn->st.tun_gro_writes++;
				rn->st.tun_gro_segs += k;
			}
		}
		i += k;
	}
}

void rn_esp_in(struct realnet *rn, uint8_t *slot, size_t off, size_t len, const struct rn_path *path)
{
	struct esp_pkt p = {slot, RN_SLOT, off, len};
	struct esp_rx rx;
	struct inner in;
	struct rn_child *c;
	uint32_t spi;
	int rc;

	if (esp_spi_peek(slot + off, len, &spi) < 0 || (c = by_spi(rn, spi)) == NULL) {
		char a[16];

		rn_ev_drop(rn, RN_DROP_UNKNOWN_SPI, "spi %08x, %zu octets from %s:%u", len >= 4 ? spi : 0, len,
			   rn_ip(path->remote_addr, a), path->remote_port);
		return;
	}
	rc = esp_open(c->in, &p, &rx);
	if (rc < 0) {
		if (rc == ESP_EDUMMY)
			return;
		if (-rc < 32)
			rn->st.esp_errs[-rc]++;
		rn_ev_drop(rn, RN_DROP_OPEN, "spi %08x seq %llu: %s (%s)", spi, (unsigned long long)rx.seq,
			   esp_err_name(rc), esp_strerror(rc));
		return;
	}
	if (inner_parse(slot + p.off, p.len, &in) < 0 || !ts_match(c->ts_remote, c->n_ts_remote, in.src, &in, 1) ||
	    !ts_match(c->ts_local, c->n_ts_local, in.dst, &in, 0)) {
		char s[16], d[16];

		rn_ev_drop(rn, RN_DROP_TS_MISMATCH, "spi %08x: %s -> %s proto %u", spi, rn_ip(in.src, s),
			   rn_ip(in.dst, d), in.proto);
		return;
	}
	c->pkts_in++;
	c->bytes_in += p.len;
	note(rn, c, 0);
	rn->st.esp_rx++;
	rn->st.esp_rx_bytes += len;
	if (rn->tun < 0) {
		rn_ev_drop(rn, RN_DROP_NO_TUN, "spi %08x: %zu octets", spi, p.len);
		return;
	}
	/* queued: the slot stays untouched until the handler ends and rn_tun_flush writes it */
	if (rn->tunq_n == RN_TUNQ_MAX)
		rn_tun_flush(rn);
	rn->tunq[rn->tunq_n++] = (struct rn_gro_pkt){slot + p.off, p.len};
}

/* ---------------------------------------------------------------------- */
/* Routes                                                                  */

static int route_known(const struct realnet *rn, uint32_t dst, unsigned prefix, const char *dev)
{
	for (size_t i = 0; i < rn->n_routes; i++)
		if (rn->routes[i].dst == dst && rn->routes[i].prefix == prefix && strcmp(rn->routes[i].dev, dev) == 0)
			return 1;
	return 0;
}

static void route_add(struct realnet *rn, uint32_t dst, unsigned prefix, uint32_t gw, const char *dev)
{
	char msg[300], a[16], cidr[24];
	struct evbuf *e;

	if (route_known(rn, dst, prefix, dev) || rn->n_routes == RN_ROUTES_MAX)
		return;
	snprintf(cidr, sizeof cidr, "%s/%u", rn_ip(dst, a), prefix);
	if (rn_route_add(dst, prefix, gw, dev, msg, sizeof msg) < 0) {
		e = rn_ev_begin(rn, "route_failed");
		ev_str(e, "dst", cidr);
		ev_str(e, "msg", msg);
		rn_ev_end(rn);
		rn_status(rn, "warning: %s", msg);
		return;
	}
	rn->routes[rn->n_routes].dst = dst;
	rn->routes[rn->n_routes].prefix = prefix;
	rn->routes[rn->n_routes].gw = gw;
	snprintf(rn->routes[rn->n_routes].dev, sizeof rn->routes[0].dev, "%s", dev);
	rn->n_routes++;
	e = rn_ev_begin(rn, "route");
	ev_str(e, "dst", cidr);
	ev_str(e, "dev", dev);
	if (gw != 0)
		ev_str(e, "via", rn_ip(gw, a));
	rn_ev_end(rn);
}

void rn_routes_clear(struct realnet *rn)
{
	char msg[300];

	/* routes through the TUN vanish with it; the host route to the peer does not */
	for (size_t i = rn->n_routes; i-- > 0;)
		if (strcmp(rn->routes[i].dev, rn->tun_name) != 0 || !rn->tun_is_dev)
			rn_route_del(rn->routes[i].dst, rn->routes[i].prefix, rn->routes[i].gw, rn->routes[i].dev, msg,
				     sizeof msg);
	rn->n_routes = 0;
}

/* child_routes routes the remote selectors of |c| into the TUN, keeping the peer reachable outside. */
static void child_routes(struct realnet *rn, const struct rn_child *c)
{
	uint32_t addr[32];
	unsigned prefix[32];

	if (!rn->o.routes || !rn->tun_is_dev)
		return;
	if (rn->o.gateway && c->vip != 0)
		return; /* the pool route (set at start) covers it */
	for (size_t t = 0; t < c->n_ts_remote; t++) {
		const struct rn_ts *ts = &c->ts_remote[t];
		int n = rn_range_cidrs(ts->lo, ts->hi, addr, prefix, 32);

		if (n < 0) {
			rn_status(rn, "warning: remote selector needs more than 32 routes, not routed");
			continue;
		}
		if (ts->lo <= c->path.remote_addr && c->path.remote_addr <= ts->hi) {
			uint32_t gw;
			char dev[16], msg[300];

			if (rn->o.gateway)
				continue; /* never reroute a client's own address on the gateway */
			if (!rn->peer_route_done && rn_route_lookup(c->path.remote_addr, &gw, dev, msg, sizeof msg) == 0 &&
			    strcmp(dev, rn->tun_name) != 0) {
				route_add(rn, c->path.remote_addr, 32, gw, dev);
				rn->peer_route_done = 1;
			}
		}
		for (int i = 0; i < n; i++) {
			if (prefix[i] == 0) { /* 0.0.0.0/0: two /1 routes beat the default route without replacing it */
				route_add(rn, 0, 1, 0, rn->tun_name);
				route_add(rn, 0x80000000u, 1, 0, rn->tun_name);
			} else {
				route_add(rn, addr[i], prefix[i], 0, rn->tun_name);
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* CHILD SAs from the engine                                               */

/* ev_child begins a CHILD SA event; the caller may add fields before rn_ev_end. */
static struct evbuf *ev_child(struct realnet *rn, const char *type, const struct rn_child *c)
{
	struct evbuf *e = rn_ev_begin(rn, type);
	char a[16];

	rn_ev_spi(e, "spi_in", c->spi_in);
	rn_ev_spi(e, "spi_out", c->spi_out);
	ev_bool(e, "encap", c->encap);
	ev_str(e, "peer", rn_ip(c->path.remote_addr, a));
	ev_u64(e, "rport", c->path.remote_port);
	ev_u64(e, "lport", c->path.local_port);
	if (c->vip != 0)
		ev_str(e, "vip", rn_ip(c->vip, a));
	ev_u64(e, "pkts_in", c->pkts_in);
	ev_u64(e, "pkts_out", c->pkts_out);
	ev_u64(e, "bytes_in", c->bytes_in);
	ev_u64(e, "bytes_out", c->bytes_out);
	return e;
}

static void ev_refused(struct realnet *rn, uint32_t spi_in, const char *msg)
{
	struct evbuf *e = rn_ev_begin(rn, "child_refused");

	rn_ev_spi(e, "spi_in", spi_in);
	ev_str(e, "msg", msg);
	rn_ev_end(rn);
}

static void set_peer(struct rn_child *c)
{
	memset(&c->peer, 0, sizeof c->peer);
	c->peer.sin_family = AF_INET;
	c->peer.sin_addr.s_addr = htonl(c->path.remote_addr);
	c->peer.sin_port = c->encap ? htons(c->path.remote_port) : 0;
}

int realnet_child_add(struct realnet *rn, const struct rn_child_cfg *cfg)
{
	struct esp_sa_cfg sc;
	struct rn_child *c = NULL;
	char msg[256] = "", line[400], a[16];
	int err = 0;

	if (by_spi(rn, cfg->spi_in) != NULL) {
		ev_refused(rn, cfg->spi_in, "SPI already installed");
		return -1;
	}
	for (size_t i = 0; i < RN_CHILDREN_MAX; i++)
		if (!rn->child[i].used) {
			c = &rn->child[i];
			break;
		}
	if (c == NULL) {
		ev_refused(rn, cfg->spi_in, "RN_CHILDREN_MAX CHILD SAs installed, no room for another");
		return -1;
	}
	memset(&sc, 0, sizeof sc);
	sc.alg = cfg->alg;
	sc.esn = cfg->esn;
	sc.enc_key_len = cfg->enc_key_len;
	sc.integ_key_len = cfg->integ_key_len;
	sc.rng = crypto_rng_system();
	sc.spi = cfg->spi_in;
	sc.dir = ESP_DIR_IN;
	sc.enc_key = cfg->enc_key_in;
	sc.integ_key = cfg->integ_key_in;
	if (esp_sa_cfg_check(&sc, msg, sizeof msg) < 0 || (c->in = esp_sa_new(&sc, &err)) == NULL)
		goto fail;
	sc.spi = cfg->spi_out;
	sc.dir = ESP_DIR_OUT;
	sc.enc_key = cfg->enc_key_out;
	sc.integ_key = cfg->integ_key_out;
	if (esp_sa_cfg_check(&sc, msg, sizeof msg) < 0 || (c->out = esp_sa_new(&sc, &err)) == NULL)
		goto fail;
	c->used = 1;
	c->seq = ++rn->child_seq;
	c->ike_spi_i = cfg->ike_spi_i;
	c->ike_spi_r = cfg->ike_spi_r;
	c->spi_in = cfg->spi_in;
	c->spi_out = cfg->spi_out;
	c->n_ts_local = cfg->n_ts_local > RN_TS_MAX ? RN_TS_MAX : cfg->n_ts_local;
	c->n_ts_remote = cfg->n_ts_remote > RN_TS_MAX ? RN_TS_MAX : cfg->n_ts_remote;
	memcpy(c->ts_local, cfg->ts_local, sizeof c->ts_local);
	memcpy(c->ts_remote, cfg->ts_remote, sizeof c->ts_remote);
	/* plain ESP needs the raw socket; without it the loop cannot send what the engine agreed */
	c->encap = cfg->encap;
	c->path = cfg->path;
	c->vip = cfg->vip;
	set_peer(c);
	rn->n_children++;
	rn->spd_cache = NULL;
	rehash(rn);
	rn->child_seen = 1;

	/* the client's TUN takes the virtual IP and goes up with the first CHILD SA */
	if (!rn->o.gateway && rn->tun_is_dev && (!rn->tun_up || (cfg->vip != 0 && cfg->vip != rn->tun_vip))) {
		if (rn_tun_config(rn->tun_name, rn->o.tun_mtu, cfg->vip, 32, msg, sizeof msg) < 0) {
			rn_status(rn, "error: %s", msg);
		} else {
			struct evbuf *e = rn_ev_begin(rn, "tun");

			rn->tun_up = 1;
			rn->tun_vip = cfg->vip;
			ev_str(e, "dev", rn->tun_name);
			ev_u64(e, "mtu", rn->o.tun_mtu);
			ev_str(e, "addr", rn_ip(cfg->vip, a));
			rn_ev_end(rn);
		}
	}
	child_routes(rn, c);
	{
		struct evbuf *e = ev_child(rn, "child_installed", c);

		ev_str(e, "alg", cfg->alg_name ? cfg->alg_name : "?");
		if (cfg->replaces_spi_in != 0)
			rn_ev_spi(e, "rekey_of", cfg->replaces_spi_in);
		rn_ev_end(rn);
	}
	return 0;
fail:
	snprintf(line, sizeof line, "esp_sa_new: %s", msg[0] ? msg : esp_strerror(err));
	ev_refused(rn, cfg->spi_in, line);
	child_free(c);
	return -1;
}

void realnet_child_del(struct realnet *rn, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	struct rn_child *c = by_spi(rn, spi_in);
	struct evbuf *e;

	if (c == NULL || c->spi_out != spi_out)
		return;
	e = ev_child(rn, "child_removed", c);
	ev_str(e, "reason", reason ? reason : "");
	rn_ev_end(rn);
	child_free(c);
	rn->n_children--;
	rn->spd_cache = NULL;
	rehash(rn);
}

void realnet_path_update(struct realnet *rn, uint64_t ike_spi_i, uint64_t ike_spi_r, const struct rn_path *path)
{
	for (size_t i = 0; i < RN_CHILDREN_MAX; i++) {
		struct rn_child *c = &rn->child[i];

		if (!c->used || c->ike_spi_i != ike_spi_i || c->ike_spi_r != ike_spi_r)
			continue;
		c->path = *path;
		set_peer(c);
		ev_child(rn, "child_path", c);
		rn_ev_end(rn);
	}
}

size_t realnet_children(const struct realnet *rn)
{
	return rn->n_children;
}
