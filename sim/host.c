/*
 * host.c — the host object: tunnel device, its MTU, address and routes,
 * counters, events, and inner traffic wrappers (see host.h).
 */
#include "sim/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/host_internal.h"
#include "sim/ip/ip4.h"
#include "sim/ns3apps.h"
#include "sim/ns3shim.h"

/* HOST_ESP_WORST: the largest ESP overhead of any transform (AES-CBC: IV 16,
 * pad 15, ICV 16) with UDP encapsulation; the provisional tunnel MTU uses it. */
enum { HOST_ESP_WORST = 20 + 8 + ESP_HDR_LEN + 16 + 15 + ESP_TRAILER_LEN + 16 };

#define HOST_DROP_NAME(id, name, what) name,
static const char *const drop_names[] = {HOST_DROPS(HOST_DROP_NAME)};
#undef HOST_DROP_NAME
#define HOST_DROP_WHAT(id, name, what) what,
static const char *const drop_whats[] = {HOST_DROPS(HOST_DROP_WHAT)};
#undef HOST_DROP_WHAT

const char *host_drop_name(enum host_drop d)
{
	return (unsigned)d < HOST_DROP__COUNT ? drop_names[d] : "unknown";
}

const char *host_drop_what(enum host_drop d)
{
	return (unsigned)d < HOST_DROP__COUNT ? drop_whats[d] : "unknown drop reason";
}

const char *host_reject_name(int slot)
{
	return esp_err_name(-slot);
}

/* ---------------------------------------------------------------- events */

void host_ev_begin(const struct host *h, struct evbuf *e, const char *type)
{
	ev_begin(e, ns3shim_now(), h->name, type);
}

void host_ev_emit(const struct host *h, struct evbuf *e)
{
	if (h->ev.emit)
		ev_emit(&h->ev, e);
}

void host_ev_addr(struct evbuf *e, const char *key, uint32_t addr)
{
	char b[16];
	ev_str(e, key, ip4_ntoa(addr, b));
}

void host_drop(struct host *h, enum host_drop d, const char *detail)
{
	h->st.drops[d]++;
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, "drop");
	ev_str(&e, "reason", host_drop_name(d));
	ev_str(&e, "msg", detail ? detail : host_drop_what(d));
	host_ev_emit(h, &e);
}

/* ---------------------------------------------------------------- life cycle */

static void host_free(void *ctx)
{
	struct host *h = ctx;
	host_esp_free(h);
	crypto_drbg_free(h->esp_drbg);
	free(h->routes);
	free(h->tun_addrs);
	free(h->pins);
	free(h->usocks);
	free(h->ikes);
	free(h);
}

struct host *host_new(int node, const struct host_cfg *cfg)
{
	if (!cfg || !cfg->name || !cfg->name[0] || strlen(cfg->name) > HOST_NAME_MAX_LEN) {
		ns3shim_errorf(NS3SHIM_EARG, "host_new: name %s%s%s: expected 1..%d characters",
			       cfg && cfg->name ? "'" : "", cfg && cfg->name ? cfg->name : "(none)",
			       cfg && cfg->name ? "'" : "", HOST_NAME_MAX_LEN);
		return NULL;
	}
	struct ns3shim_route_info ri;
	int r = ns3shim_route_lookup(node, 0, &ri); /* validates: a host node */
	if (r < 0 && r != NS3SHIM_ENOROUTE)
		return NULL;
	ns3shim_errorf(0, "%s", ""); /* no route is fine: not an error to report later */
	struct host *h = calloc(1, sizeof *h);
	if (!h) {
		ns3shim_errorf(NS3SHIM_ESTATE, "host_new: out of memory");
		return NULL;
	}
	char label[HOST_NAME_MAX_LEN + 8];
	snprintf(label, sizeof label, "%s/esp", cfg->name);
	h->esp_drbg = crypto_drbg_new(cfg->seed, label);
	if (!h->esp_drbg || ns3shim_at_destroy(host_free, h) < 0) {
		crypto_drbg_free(h->esp_drbg);
		free(h);
		ns3shim_errorf(NS3SHIM_ESTATE, "host_new: out of memory");
		return NULL;
	}
	h->node = node;
	snprintf(h->name, sizeof h->name, "%s", cfg->name);
	h->seed = cfg->seed;
	if (cfg->events)
		h->ev = *cfg->events;
	if (cfg->hooks)
		h->hooks = *cfg->hooks;
	h->path_mtu = cfg->path_mtu;
	h->sadb_cap = cfg->max_sas ? cfg->max_sas : 16;
	h->tun_dev = -1;
	h->esp_handle = -1;
	return h;
}

int host_node(const struct host *h)
{
	return h ? h->node : NS3SHIM_EARG;
}

const char *host_name(const struct host *h)
{
	return h ? h->name : "";
}

int host_register_ike(struct host *h, struct host_ike *hi)
{
	if (h->n_ikes == h->cap_ikes) {
		size_t nc = h->cap_ikes ? 2 * h->cap_ikes : 4;
		struct host_ike **n = realloc(h->ikes, nc * sizeof *n);
		if (!n)
			return ns3shim_errorf(NS3SHIM_ESTATE, "host %s: out of memory", h->name);
		h->ikes = n;
		h->cap_ikes = nc;
	}
	h->ikes[h->n_ikes++] = hi;
	return 0;
}

size_t host_ike_count(const struct host *h)
{
	return h ? h->n_ikes : 0;
}

struct host_ike *host_ike_get(const struct host *h, size_t i)
{
	return h && i < h->n_ikes ? h->ikes[i] : NULL;
}

/* ---------------------------------------------------------------- ESP sizes */

size_t host_esp_overhead(const struct esp_sa *sa, int encap, size_t inner_len)
{
	const struct crypto_aead_info *in = esp_sa_info(sa);
	return 20 + (encap ? 8 : 0) + ESP_HDR_LEN + in->iv_len +
	       esp_pad_len(inner_len, in->pad_align) + ESP_TRAILER_LEN + in->icv_len;
}

size_t host_esp_inner_max(const struct esp_sa *sa, int encap, size_t path_mtu)
{
	const struct crypto_aead_info *in = esp_sa_info(sa);
	size_t fixed = 20 + (encap ? 8 : 0) + ESP_HDR_LEN + in->iv_len + in->icv_len;
	size_t align = in->pad_align ? in->pad_align : 4;
	if (path_mtu < fixed + align + ESP_TRAILER_LEN)
		return 0;
	/* payload + pad + trailer is a multiple of |align| and fits the room */
	size_t room = (path_mtu - fixed) / align * align;
	return room - ESP_TRAILER_LEN;
}

/* ---------------------------------------------------------------- tunnel */

static void host_tun_mtu_set(struct host *h, uint32_t mtu, const char *why)
{
	if (mtu > HOST_INNER_MAX)
		mtu = HOST_INNER_MAX;
	if (mtu < IP4_MIN_MTU)
		mtu = IP4_MIN_MTU;
	if (ns3shim_dev_set_mtu(h->node, h->tun_dev, mtu) < 0)
		return;
	h->tun_mtu = mtu;
	struct evbuf e;
	if (!h->ev.emit)
		return;
	host_ev_begin(h, &e, "tun");
	ev_u64(&e, "dev", (uint64_t)h->tun_dev);
	ev_u64(&e, "mtu", mtu);
	ev_str(&e, "why", why);
	if (h->tun_addr)
		host_ev_addr(&e, "addr", h->tun_addr);
	host_ev_emit(h, &e);
}

static void host_ev_tun_addr(struct host *h, const char *type, uint32_t addr, int prefix,
			     int placeholder)
{
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, type);
	host_ev_addr(&e, "addr", addr);
	ev_u64(&e, "prefix", (uint64_t)prefix);
	if (placeholder)
		ev_bool(&e, "placeholder", 1);
	host_ev_emit(h, &e);
}

/* host_tun_placeholder puts the placeholder on the tunnel (|on|) or takes it off. */
static int host_tun_placeholder(struct host *h, int on)
{
	if (!!on == !!h->placeholder)
		return 0;
	int r = on ? ns3shim_addr_add(h->node, h->tun_dev, HOST_TUN_PLACEHOLDER, 32)
		   : ns3shim_addr_del(h->node, h->tun_dev, HOST_TUN_PLACEHOLDER);
	if (r < 0)
		return r;
	h->placeholder = on;
	host_ev_tun_addr(h, on ? "tun-addr" : "tun-addr-del", HOST_TUN_PLACEHOLDER, 32, 1);
	return 0;
}

static struct host_taddr *host_taddr_find(struct host *h, uint32_t addr)
{
	for (size_t i = 0; i < h->n_tun_addrs; i++)
		if (h->tun_addrs[i].addr == addr)
			return &h->tun_addrs[i];
	return NULL;
}

/*
 * host_tun_addr_add gives the tunnel |addr|: a static address, or one more
 * reference on a VIP. The placeholder goes once a real address is there
 * (it would be picked as the source otherwise: ns-3 takes a device's first
 * address).
 */
static int host_tun_addr_add(struct host *h, uint32_t addr, int prefix, int is_static)
{
	struct host_taddr *a = host_taddr_find(h, addr);
	if (a) {
		if (is_static)
			a->is_static = 1;
		else
			a->refs++;
		return 0;
	}
	if (h->n_tun_addrs == h->cap_tun_addrs) {
		size_t nc = h->cap_tun_addrs ? 2 * h->cap_tun_addrs : 4;
		struct host_taddr *n = realloc(h->tun_addrs, nc * sizeof *n);
		if (!n)
			return ns3shim_errorf(NS3SHIM_ESTATE, "host %s: out of memory", h->name);
		h->tun_addrs = n;
		h->cap_tun_addrs = nc;
	}
	int r = ns3shim_addr_add(h->node, h->tun_dev, addr, prefix);
	if (r < 0)
		return r;
	h->tun_addrs[h->n_tun_addrs++] = (struct host_taddr){addr, prefix, is_static, is_static ? 0 : 1};
	if (!h->tun_addr)
		h->tun_addr = addr;
	host_ev_tun_addr(h, "tun-addr", addr, prefix, 0);
	return host_tun_placeholder(h, 0);
}

/*
 * host_tun_addr_release drops a CHILD SA's reference on VIP |addr|; the
 * last one removes it (after the placeholder took over if it was the
 * tunnel's last address: the tunnel's routes stay valid).
 */
static void host_tun_addr_release(struct host *h, uint32_t addr)
{
	struct host_taddr *a = host_taddr_find(h, addr);
	if (!a || a->is_static || --a->refs > 0)
		return;
	if (h->n_tun_addrs == 1 && host_tun_placeholder(h, 1) < 0) {
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
		return;
	}
	if (ns3shim_addr_del(h->node, h->tun_dev, addr) < 0) {
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
		return;
	}
	int prefix = a->prefix;
	*a = h->tun_addrs[--h->n_tun_addrs];
	h->tun_addr = h->n_tun_addrs ? h->tun_addrs[0].addr : 0;
	host_ev_tun_addr(h, "tun-addr-del", addr, prefix, 0);
}

int host_tun_add(struct host *h, uint32_t addr, int prefix)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_tun_add: host is NULL");
	if (h->tun_dev >= 0)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_tun_add: %s already has tunnel device %d",
				      h->name, h->tun_dev);
	if (addr == HOST_TUN_PLACEHOLDER)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "host_tun_add: %s: address 169.254.0.1 is the adapter's "
				      "placeholder, expected another one (or 0 for none)",
				      h->name);
	uint32_t pmtu = h->path_mtu ? h->path_mtu : 1500;
	uint32_t mtu = pmtu > HOST_ESP_WORST + IP4_MIN_MTU ? pmtu - HOST_ESP_WORST : IP4_MIN_MTU;
	if (mtu > HOST_INNER_MAX)
		mtu = HOST_INNER_MAX;
	int dev = ns3shim_tun_add(h->node, mtu, host_esp_tun_tx, h);
	if (dev < 0)
		return dev;
	h->tun_dev = dev;
	h->tun_mtu = mtu;
	int r = addr ? host_tun_addr_add(h, addr, prefix, 1) : host_tun_placeholder(h, 1);
	return r < 0 ? r : dev;
}

int host_tun_dev(const struct host *h)
{
	return h ? h->tun_dev : -1;
}

uint32_t host_tun_mtu(const struct host *h)
{
	return h && h->tun_dev >= 0 ? h->tun_mtu : 0;
}

uint32_t host_tun_addr(const struct host *h)
{
	return h ? h->tun_addr : 0;
}

static uint32_t prefix_mask(int prefix)
{
	return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* host_route_find: the route to exactly |net|/|prefix| that is (not) static, or NULL. */
static struct host_route *host_route_find(struct host *h, uint32_t net, int prefix, int is_static)
{
	for (size_t i = 0; i < h->n_routes; i++) {
		struct host_route *r = &h->routes[i];
		if (r->net == net && r->prefix == prefix && !!r->is_static == !!is_static)
			return r;
	}
	return NULL;
}

/* host_route_covered: does a route (only static ones if |static_only|) cover |dst|/|prefix|? */
static int host_route_covered(const struct host *h, uint32_t dst, int prefix, int static_only)
{
	for (size_t i = 0; i < h->n_routes; i++) {
		const struct host_route *r = &h->routes[i];
		if ((r->is_static || !static_only) && prefix >= r->prefix &&
		    (dst & prefix_mask(r->prefix)) == r->net)
			return 1;
	}
	return 0;
}

static void host_ev_route(struct host *h, const char *type, uint32_t dst, int prefix)
{
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, type);
	host_ev_addr(&e, "dst", dst);
	ev_u64(&e, "prefix", (uint64_t)prefix);
	ev_u64(&e, "dev", (uint64_t)h->tun_dev);
	host_ev_emit(h, &e);
}

/* host_route_new installs a route into the tunnel and records it. */
static int host_route_new(struct host *h, uint32_t dst, int prefix, int is_static)
{
	if (h->n_routes == h->cap_routes) {
		size_t nc = h->cap_routes ? 2 * h->cap_routes : 4;
		struct host_route *n = realloc(h->routes, nc * sizeof *n);
		if (!n)
			return ns3shim_errorf(NS3SHIM_ESTATE, "host %s: out of memory", h->name);
		h->routes = n;
		h->cap_routes = nc;
	}
	int r = ns3shim_route_add(h->node, dst, prefix, 0, h->tun_dev);
	if (r < 0)
		return r;
	h->routes[h->n_routes++] = (struct host_route){dst, prefix, is_static, is_static ? 0 : 1};
	host_ev_route(h, "route", dst, prefix);
	return 0;
}

int host_tun_route(struct host *h, uint32_t dst, int prefix)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_tun_route: host is NULL");
	if (h->tun_dev < 0)
		return ns3shim_errorf(NS3SHIM_ESTATE, "host_tun_route: %s has no tunnel device",
				      h->name);
	if (prefix < 0 || prefix > 32)
		return ns3shim_errorf(NS3SHIM_EARG, "host_tun_route: prefix %d (expected 0..32)",
				      prefix);
	dst &= prefix_mask(prefix);
	if (host_route_covered(h, dst, prefix, 1))
		return 0;
	struct host_route *held = host_route_find(h, dst, prefix, 0);
	if (held) { /* a CHILD SA's route becomes permanent */
		held->is_static = 1;
		held->refs = 0;
		return 0;
	}
	return host_route_new(h, dst, prefix, 1);
}

/* host_route_hold takes a CHILD SA's reference on the route to |dst|/|prefix|. */
static void host_route_hold(struct host *h, uint32_t dst, int prefix)
{
	struct host_route *r = host_route_find(h, dst, prefix, 0);
	if (r) {
		r->refs++;
		return;
	}
	if (host_route_covered(h, dst, prefix, 1))
		return;
	if (host_route_new(h, dst, prefix, 0) < 0)
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
}

/* host_route_release gives a reference back; the last one removes the route. */
static void host_route_release(struct host *h, uint32_t dst, int prefix)
{
	struct host_route *r = host_route_find(h, dst, prefix, 0);
	if (!r || --r->refs > 0)
		return;
	if (ns3shim_route_del(h->node, dst, prefix, 0, h->tun_dev) < 0)
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
	*r = h->routes[--h->n_routes];
	host_ev_route(h, "route-del", dst, prefix);
}

/* host_route_range holds (|hold|) or releases [lo, hi] as the fewest prefixes. */
static void host_route_range(struct host *h, uint32_t lo, uint32_t hi, int hold)
{
	uint64_t a = lo;
	while (a <= hi) {
		int p = 32;
		/* the largest aligned block starting at a and ending <= hi */
		while (p > 0) {
			uint64_t size = (uint64_t)1 << (33 - p);
			if ((a & (size - 1)) != 0 || a + size - 1 > hi)
				break;
			p--;
		}
		if (hold)
			host_route_hold(h, (uint32_t)a, p);
		else
			host_route_release(h, (uint32_t)a, p);
		a += (uint64_t)1 << (32 - p);
	}
}

static void host_ev_pin(struct host *h, const char *type, const struct host_pin *p)
{
	if (!h->ev.emit)
		return;
	struct evbuf e;
	host_ev_begin(h, &e, type);
	host_ev_addr(&e, "peer", p->peer);
	host_ev_addr(&e, "gw", p->gw);
	ev_u64(&e, "dev", (uint64_t)p->dev);
	host_ev_emit(h, &e);
}

static struct host_pin *host_pin_find(struct host *h, uint32_t peer)
{
	for (size_t i = 0; i < h->n_pins; i++)
		if (h->pins[i].peer == peer)
			return &h->pins[i];
	return NULL;
}

/*
 * host_pin_hold pins |peer| to the path it has now (before 0/1 + 128/1
 * go into the tunnel, else IKE and ESP would be routed into their own
 * tunnel). 1 if the caller holds a reference now.
 */
static int host_pin_hold(struct host *h, uint32_t peer)
{
	struct host_pin *p = host_pin_find(h, peer);
	if (p) {
		p->refs++;
		return 1;
	}
	struct ns3shim_route_info ri;
	if (ns3shim_route_lookup(h->node, peer, &ri) < 0 || ri.dev == h->tun_dev)
		return 0;
	if (h->n_pins == h->cap_pins) {
		size_t nc = h->cap_pins ? 2 * h->cap_pins : 2;
		struct host_pin *n = realloc(h->pins, nc * sizeof *n);
		if (!n)
			return 0;
		h->pins = n;
		h->cap_pins = nc;
	}
	if (ns3shim_route_add(h->node, peer, 32, ri.gw, ri.dev) < 0) {
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
		return 0;
	}
	p = &h->pins[h->n_pins++];
	*p = (struct host_pin){peer, ri.gw, ri.dev, 1};
	host_ev_pin(h, "pin", p);
	return 1;
}

static void host_pin_release(struct host *h, uint32_t peer)
{
	struct host_pin *p = host_pin_find(h, peer);
	if (!p || --p->refs > 0)
		return;
	if (ns3shim_route_del(h->node, p->peer, 32, p->gw, p->dev) < 0)
		host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
	host_ev_pin(h, "unpin", p);
	*p = h->pins[--h->n_pins];
}

/* host_ts_full: the selector is 0.0.0.0/0 (routed as 0/1 + 128/1 with the gateway pinned). */
static int host_ts_full(const struct ike_ts_cfg *ts)
{
	return ts->lo == 0 && ts->hi == UINT32_MAX;
}

/* host_tun_routes holds or releases the routes of |c|'s remote selectors. */
static void host_tun_routes(struct host *h, const struct host_child *c, int hold)
{
	for (size_t i = 0; i < c->n_ts_remote; i++) {
		const struct ike_ts_cfg *ts = &c->ts_remote[i];
		if (host_ts_full(ts)) {
			host_route_range(h, 0, 0x7fffffffu, hold);
			host_route_range(h, 0x80000000u, UINT32_MAX, hold);
		} else {
			host_route_range(h, ts->lo, ts->hi, hold);
		}
	}
}

void host_tun_child_up(struct host *h, struct host_child *c, const struct ike_child_info *ci)
{
	if (h->tun_dev < 0)
		return;
	uint32_t pmtu = h->path_mtu;
	struct ns3shim_route_info ri;
	if (!pmtu && ns3shim_route_lookup(h->node, c->path.remote_addr, &ri) == 0)
		pmtu = ri.mtu;
	if (!pmtu)
		pmtu = 1500;
	size_t inner = host_esp_inner_max(c->out, c->encap, pmtu);
	if (inner >= IP4_MIN_MTU && (!h->tun_mtu_exact || inner < h->tun_mtu)) {
		h->tun_mtu_exact = 1;
		host_tun_mtu_set(h, (uint32_t)inner, "child-up");
	}
	/* the virtual IP is ours on a client; a gateway's child_up names its
	 * client's. Without an engine (manual keying): ours when it is exactly
	 * our selector, as a narrowed client selector is */
	int vip_ours = 0;
	if (ci->vip && c->owner)
		vip_ours = host_ike_role(c->owner) == IKE_ROLE_CLIENT;
	for (size_t i = 0; ci->vip && !c->owner && i < c->n_ts_local; i++)
		vip_ours |= c->ts_local[i].lo == ci->vip && c->ts_local[i].hi == ci->vip;
	if (vip_ours) {
		if (host_tun_addr_add(h, ci->vip, 32, 0) < 0)
			host_drop(h, HOST_DROP_NO_TUNNEL, ns3shim_last_error());
		else
			c->vip = ci->vip;
	}
	/* the client routes what the gateway lets it reach (not from the
	 * placeholder: nothing it sources belongs in a CHILD SA); a gateway's
	 * routes (the pool) were set up front and cover its peers' selectors */
	if (!h->tun_addr)
		return;
	for (size_t i = 0; i < c->n_ts_remote && !c->pin_peer; i++)
		if (host_ts_full(&c->ts_remote[i]) && host_pin_hold(h, c->path.remote_addr))
			c->pin_peer = c->path.remote_addr;
	host_tun_routes(h, c, 1);
	c->routed = 1;
}

void host_tun_child_down(struct host *h, const struct host_child *c)
{
	if (h->tun_dev < 0)
		return;
	if (c->routed)
		host_tun_routes(h, c, 0);
	if (c->pin_peer)
		host_pin_release(h, c->pin_peer);
	if (c->vip)
		host_tun_addr_release(h, c->vip);
}

/* ---------------------------------------------------------------- counters */

void host_stats(const struct host *h, struct host_stats *out)
{
	if (h && out)
		*out = h->st;
}

uint64_t host_stats_rejected(const struct host_stats *st)
{
	uint64_t n = 0;
	for (int i = 0; i < HOST_ESP_ERR_SLOTS; i++)
		n += st->rejected[i];
	return n;
}

void host_stats_ev(const struct host *h)
{
	if (!h || !h->ev.emit)
		return;
	const struct host_stats *s = &h->st;
	struct evbuf e;
	host_ev_begin(h, &e, "stats");
	ev_u64(&e, "sealed", s->sealed);
	ev_u64(&e, "sealed_bytes", s->sealed_bytes);
	ev_u64(&e, "opened", s->opened);
	ev_u64(&e, "opened_bytes", s->opened_bytes);
	ev_u64(&e, "esp_tx_bytes", s->esp_tx_bytes);
	ev_u64(&e, "esp_rx_bytes", s->esp_rx_bytes);
	ev_u64(&e, "ike_tx", s->ike_tx);
	ev_u64(&e, "ike_rx", s->ike_rx);
	ev_u64(&e, "children", h->n_children);
	for (int i = 0; i < HOST_ESP_ERR_SLOTS; i++)
		if (s->rejected[i]) {
			char k[48];
			snprintf(k, sizeof k, "rejected_%s", host_reject_name(i));
			ev_u64(&e, k, s->rejected[i]);
		}
	for (int i = 0; i < HOST_DROP__COUNT; i++)
		if (s->drops[i]) {
			char k[48];
			snprintf(k, sizeof k, "drop_%s", host_drop_name((enum host_drop)i));
			ev_u64(&e, k, s->drops[i]);
		}
	host_ev_emit(h, &e);
}

/* ---------------------------------------------------------------- inner traffic */

uint32_t host_tcp_mss(const struct host *h)
{
	uint32_t mtu = host_tun_mtu(h);
	return mtu > 40 + 8 ? mtu - 40 : 536;
}

int host_ping(struct host *h, uint32_t dst, uint32_t size, uint64_t interval_ns, uint32_t count)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_ping: host is NULL");
	return ns3apps_ping(h->node, dst, size, interval_ns, count, 0);
}

int host_udp_cbr(struct host *h, uint32_t dst, uint16_t port, uint32_t size,
		 uint64_t interval_ns, uint32_t count)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_udp_cbr: host is NULL");
	return ns3apps_udp_cbr(h->node, dst, port, size, interval_ns, count);
}

int host_tcp_bulk(struct host *h, uint32_t dst, uint16_t port, uint64_t bytes)
{
	if (!h)
		return ns3shim_errorf(NS3SHIM_EARG, "host_tcp_bulk: host is NULL");
	return ns3apps_tcp_bulk(h->node, dst, port, bytes, host_tcp_mss(h));
}
