/*
 * mbox_filter.c — port filter ("hotel firewall"); behaviour in mbox_filter.h.
 *
 * Timers: flow idle timeouts (UDP 30 s, TCP 7440 s, other 60 s), checked on
 * lookup and swept on a |sweep_ns| grid like the NAT's mappings.
 */
#include "sim/mbox/mbox_filter.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_impl.h"

enum { DIR_OUT = 0, DIR_IN = 1 };

/* tuple: a flow seen from the inside (interface 0) host. */
struct tuple {
	uint8_t proto;
	uint32_t in_addr, out_addr;
	uint16_t in_port, out_port;
};

struct flow {
	int used;
	struct tuple t;
	uint64_t expires;
	uint32_t next_free;
};

struct filter {
	struct mbox mb;
	struct mbox_filter_cfg cfg;
	struct flow *flows;
	size_t nflows, capflows, live;
	uint32_t free_head;
	uint64_t min_expiry;
	struct mbox_hmap index;
	struct mbox_fragtrack track[2];
};

static const char *const mode_names[] = {"stateful", "symmetric"};
static const char *const frag_names[] = {"drop", "track", "allow"};

const char *mbox_filter_mode_name(enum mbox_filter_mode m)
{
	return (unsigned)m < 2 ? mode_names[m] : "unknown";
}

const char *mbox_filter_frag_name(enum mbox_filter_frag f)
{
	return (unsigned)f < 3 ? frag_names[f] : "unknown";
}

int mbox_filter_mode_from_name(const char *name)
{
	for (int i = 0; name && i < 2; i++)
		if (!strcmp(mode_names[i], name))
			return i;
	return -1;
}

int mbox_filter_frag_from_name(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (!strcmp(frag_names[i], name))
			return i;
	return -1;
}

void mbox_filter_cfg_default(struct mbox_filter_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->rules[0] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_TCP, 80, 80};
	c->rules[1] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_TCP, 443, 443};
	c->nrules = 2;
	c->mode = MBOX_FILTER_STATEFUL;
	c->frag = MBOX_FILTER_FRAG_TRACK;
	c->icmp_errors = 1;
	c->udp_timeout_ns = 30 * MBOX_NS_PER_S;
	c->tcp_timeout_ns = 7440 * MBOX_NS_PER_S;
	c->other_timeout_ns = 60 * MBOX_NS_PER_S;
	c->frag_timeout_ns = 30 * MBOX_NS_PER_S;
	c->sweep_ns = MBOX_NS_PER_S;
}

static int ported(uint8_t proto)
{
	return proto == IP4_PROTO_UDP || proto == IP4_PROTO_TCP;
}

/* rule_match: a rule of |dir| allows |proto| to destination |port|. */
static int rule_match(const struct filter *f, int dir, uint8_t proto, uint16_t port)
{
	for (size_t i = 0; i < f->cfg.nrules; i++) {
		const struct mbox_filter_rule *r = &f->cfg.rules[i];

		if ((int)r->dir == dir && r->proto == proto &&
		    (!ported(proto) || (port >= r->port_lo && port <= r->port_hi)))
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- flow table */

static uint64_t tuple_key(const struct tuple *t)
{
	uint64_t a = (uint64_t)t->proto << 48 | (uint64_t)t->in_addr << 16 | t->in_port;
	uint64_t b = (uint64_t)t->out_addr << 16 | t->out_port;

	return mbox_mix64(a) ^ mbox_mix64(b + 0x51ed27a1ull);
}

static int tuple_eq(const struct tuple *a, const struct tuple *b)
{
	return a->proto == b->proto && a->in_addr == b->in_addr && a->out_addr == b->out_addr &&
	       a->in_port == b->in_port && a->out_port == b->out_port;
}

static uint64_t flow_timeout(const struct filter *f, uint8_t proto)
{
	return proto == IP4_PROTO_UDP	? f->cfg.udp_timeout_ns
	       : proto == IP4_PROTO_TCP ? f->cfg.tcp_timeout_ns
					: f->cfg.other_timeout_ns;
}

static void flow_remove(struct filter *f, uint32_t idx)
{
	struct flow *fl = &f->flows[idx];
	uint32_t cur;

	if (mbox_hmap_get(&f->index, tuple_key(&fl->t), &cur) && cur == idx)
		mbox_hmap_del(&f->index, tuple_key(&fl->t));
	memset(fl, 0, sizeof *fl);
	fl->next_free = f->free_head;
	f->free_head = idx;
	f->live--;
}

static struct flow *flow_find(struct filter *f, uint64_t now, const struct tuple *t)
{
	uint32_t idx;

	if (!mbox_hmap_get(&f->index, tuple_key(t), &idx) || !tuple_eq(&f->flows[idx].t, t))
		return NULL; /* a 64-bit key collision counts as "no flow" */
	if (f->flows[idx].expires <= now) {
		flow_remove(f, idx);
		return NULL;
	}
	return &f->flows[idx];
}

static void flow_arm(struct filter *f, struct flow *fl, uint64_t now)
{
	fl->expires = now + flow_timeout(f, fl->t.proto);
	if (fl->expires < f->min_expiry)
		f->min_expiry = fl->expires;
}

/* flow_touch refreshes the flow of |t| or creates it; 0, or -1 out of memory. */
static int flow_touch(struct filter *f, uint64_t now, const struct tuple *t)
{
	struct flow *fl = flow_find(f, now, t);
	uint32_t idx;

	if (!fl) {
		if (f->free_head != UINT32_MAX) {
			idx = f->free_head;
			f->free_head = f->flows[idx].next_free;
		} else {
			if (f->nflows == f->capflows) {
				size_t cap = f->capflows ? f->capflows * 2 : 64;
				struct flow *g = realloc(f->flows, cap * sizeof *g);

				if (!g)
					return -1;
				f->flows = g;
				f->capflows = cap;
			}
			idx = (uint32_t)f->nflows++;
		}
		fl = &f->flows[idx];
		memset(fl, 0, sizeof *fl);
		fl->used = 1;
		fl->t = *t;
		f->live++;
		if (mbox_hmap_put(&f->index, tuple_key(t), idx)) {
			flow_remove(f, idx);
			return -1;
		}
	}
	flow_arm(f, fl, now);
	return 0;
}

/* ---------------------------------------------------------------- verdicts */

static struct tuple make_tuple(int dir, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
			       uint16_t dport)
{
	struct tuple t = {proto, dir == DIR_OUT ? src : dst, dir == DIR_OUT ? dst : src,
			  dir == DIR_OUT ? sport : dport, dir == DIR_OUT ? dport : sport};

	return t;
}

/*
 * judge decides for a packet (or a quoted packet, |quoted|) travelling in
 * |dir|; MBOX_DROP__COUNT = pass. |touch| creates/refreshes state.
 */
static enum mbox_drop judge(struct filter *f, uint64_t now, int dir, uint8_t proto, uint32_t src,
			    uint32_t dst, uint16_t sport, uint16_t dport, int touch)
{
	struct tuple t = make_tuple(dir, proto, src, dst, sport, dport);
	int ok;

	if (f->cfg.mode == MBOX_FILTER_SYMMETRIC) {
		if (dir == DIR_OUT)
			return rule_match(f, DIR_OUT, proto, dport) ? MBOX_DROP__COUNT
								    : MBOX_DROP_FILTER_DENIED;
		ok = (ported(proto) && rule_match(f, DIR_OUT, proto, sport)) ||
		     rule_match(f, DIR_IN, proto, dport);
		return ok ? MBOX_DROP__COUNT : MBOX_DROP_FILTER_DENIED;
	}
	if (flow_find(f, now, &t)) {
		if (touch && flow_touch(f, now, &t))
			return MBOX_DROP_NO_MEMORY;
		return MBOX_DROP__COUNT;
	}
	if (!touch || !rule_match(f, dir, proto, dport))
		return dir == DIR_OUT ? MBOX_DROP_FILTER_DENIED : MBOX_DROP_FILTER_NO_STATE;
	return flow_touch(f, now, &t) ? MBOX_DROP_NO_MEMORY : MBOX_DROP__COUNT;
}

/* judge_icmp_error passes an error whose quoted packet (sent the other way) is allowed. */
static enum mbox_drop judge_icmp_error(struct filter *f, uint64_t now, int dir, const uint8_t *pkt,
				       size_t len, size_t icmp_off)
{
	size_t in = icmp_off + 8, ihl, il4;
	uint8_t proto;
	uint16_t sport = 0, dport = 0;

	if (!f->cfg.icmp_errors || len < in + IP4_HDR_MIN || pkt[in] >> 4 != 4)
		return MBOX_DROP_FILTER_ICMP;
	ihl = (size_t)(pkt[in] & 15) * 4;
	il4 = in + ihl;
	if (ihl < IP4_HDR_MIN || len < il4 + 8 || (ip4_get16(pkt + in + IP4_OFF_FRAG) & IP4_OFF_MASK))
		return MBOX_DROP_FILTER_ICMP;
	proto = pkt[in + IP4_OFF_PROTO];
	if (ported(proto)) {
		sport = ip4_get16(pkt + il4);
		dport = ip4_get16(pkt + il4 + 2);
	} else if (proto == IP4_PROTO_ICMP) {
		if (pkt[il4] != ICMP4_ECHO && pkt[il4] != ICMP4_ECHO_REPLY)
			return MBOX_DROP_FILTER_ICMP; /* no error about an error */
		sport = dport = ip4_get16(pkt + il4 + 4);
		if (pkt[il4] == ICMP4_ECHO)
			dport = 0;
		else
			sport = 0;
	}
	if (proto == IP4_PROTO_ICMP) {
		struct tuple t = make_tuple(1 - dir, proto, ip4_get32(pkt + in + IP4_OFF_SRC),
					    ip4_get32(pkt + in + IP4_OFF_DST), sport, dport);

		if (f->cfg.mode == MBOX_FILTER_SYMMETRIC ? f->cfg.icmp_echo_out
							 : flow_find(f, now, &t) != NULL)
			return MBOX_DROP__COUNT;
		return MBOX_DROP_FILTER_ICMP;
	}
	return judge(f, now, 1 - dir, proto, ip4_get32(pkt + in + IP4_OFF_SRC),
		     ip4_get32(pkt + in + IP4_OFF_DST), sport, dport, 0) == MBOX_DROP__COUNT
		       ? MBOX_DROP__COUNT
		       : MBOX_DROP_FILTER_ICMP;
}

static enum mbox_drop verdict(struct filter *f, uint64_t now, int dir, const uint8_t *pkt,
			      size_t len, const struct ip4_hdr *h)
{
	struct ip4_l4 l4;

	if (ip4_l4_parse(pkt, h, &l4))
		return MBOX_DROP_L4_TRUNCATED;
	if (h->proto != IP4_PROTO_ICMP)
		return judge(f, now, dir, h->proto, h->src, h->dst, l4.sport, l4.dport, 1);
	if (ip4_icmp_is_error(l4.icmp_type))
		return judge_icmp_error(f, now, dir, pkt, len, l4.off);
	/* Echo: the request's id is the inside "port", the outside one is 0. */
	if (!f->cfg.icmp_echo_out)
		return MBOX_DROP_FILTER_ICMP;
	if (dir == DIR_OUT && l4.icmp_type == ICMP4_ECHO) {
		struct tuple t = make_tuple(dir, IP4_PROTO_ICMP, h->src, h->dst, l4.icmp_id, 0);

		if (f->cfg.mode == MBOX_FILTER_STATEFUL && flow_touch(f, now, &t))
			return MBOX_DROP_NO_MEMORY;
		return MBOX_DROP__COUNT;
	}
	if (dir == DIR_IN && l4.icmp_type == ICMP4_ECHO_REPLY) {
		struct tuple t = make_tuple(dir, IP4_PROTO_ICMP, h->src, h->dst, 0, l4.icmp_id);

		if (f->cfg.mode == MBOX_FILTER_SYMMETRIC || flow_find(f, now, &t))
			return MBOX_DROP__COUNT;
		return MBOX_DROP_FILTER_NO_STATE;
	}
	return MBOX_DROP_FILTER_ICMP;
}

static void filter_input(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
			 const struct ip4_hdr *h)
{
	struct filter *f = (struct filter *)mb;
	enum mbox_drop why;
	uint32_t val;

	if (h->frag_off) {
		if (f->cfg.frag == MBOX_FILTER_FRAG_DROP)
			why = MBOX_DROP_FRAG_NON_FIRST;
		else if (f->cfg.frag == MBOX_FILTER_FRAG_ALLOW ||
			 mbox_fragtrack_get(&f->track[in_if], now, h, &val))
			why = MBOX_DROP__COUNT;
		else
			why = MBOX_DROP_FRAG_UNTRACKED;
	} else {
		why = verdict(f, now, in_if, pkt, len, h);
		if (why == MBOX_DROP__COUNT && h->mf)
			mbox_fragtrack_put(&f->track[in_if], now, h, 1);
	}
	if (why != MBOX_DROP__COUNT) {
		mbox_drop(mb, now, why, in_if, pkt, len);
		return;
	}
	mbox_send(mb, 1 - in_if, pkt, len);
}

/* ---------------------------------------------------------------- timers, life cycle */

static uint64_t filter_deadline(const struct mbox *mb)
{
	const struct filter *f = (const struct filter *)mb;
	uint64_t t = f->min_expiry, g = f->cfg.sweep_ns;

	if (!f->live || t == MBOX_NEVER)
		return MBOX_NEVER;
	if (g > 1 && t % g && t <= UINT64_MAX - g)
		t += g - t % g;
	return t;
}

static void filter_on_deadline(struct mbox *mb, uint64_t now)
{
	struct filter *f = (struct filter *)mb;

	if (f->min_expiry > now)
		return;
	f->min_expiry = MBOX_NEVER;
	for (size_t i = 0; i < f->nflows; i++) {
		if (!f->flows[i].used)
			continue;
		if (f->flows[i].expires <= now)
			flow_remove(f, (uint32_t)i);
		else if (f->flows[i].expires < f->min_expiry)
			f->min_expiry = f->flows[i].expires;
	}
}

static void filter_destroy(struct mbox *mb)
{
	struct filter *f = (struct filter *)mb;

	free(f->flows);
	mbox_hmap_fini(&f->index);
	mbox_fini(mb);
	free(f);
}

static const struct mbox_ops filter_ops = {
	.kind = MBOX_FILTER,
	.input = filter_input,
	.deadline = filter_deadline,
	.on_deadline = filter_on_deadline,
	.destroy = filter_destroy,
};

struct mbox *mbox_filter_new(const struct mbox_filter_cfg *cfg, const struct mbox_io *io,
			     char *err, size_t errlen)
{
	struct filter *f;

	if (cfg->nrules > MBOX_FILTER_MAX_RULES)
		return mbox_errf(err, errlen, "filter: nrules %zu, expected at most %d", cfg->nrules,
				 MBOX_FILTER_MAX_RULES);
	for (size_t i = 0; i < cfg->nrules; i++) {
		const struct mbox_filter_rule *r = &cfg->rules[i];

		if ((unsigned)r->dir > MBOX_FILTER_IN || r->port_lo > r->port_hi)
			return mbox_errf(err, errlen, "filter: rule %zu (dir %d, ports %u-%u) invalid, "
					 "expected dir out/in and port_lo <= port_hi", i, (int)r->dir,
					 r->port_lo, r->port_hi);
	}
	if ((unsigned)cfg->mode > MBOX_FILTER_SYMMETRIC || (unsigned)cfg->frag > MBOX_FILTER_FRAG_ALLOW)
		return mbox_errf(err, errlen, "filter: mode %d / frag %d unknown, expected the enum "
				 "values", (int)cfg->mode, (int)cfg->frag);
	if (!cfg->udp_timeout_ns || !cfg->tcp_timeout_ns || !cfg->other_timeout_ns ||
	    !cfg->frag_timeout_ns)
		return mbox_errf(err, errlen, "filter: a timeout is 0, expected > 0 ns (start from "
				 "mbox_filter_cfg_default)");
	f = calloc(1, sizeof *f);
	if (!f)
		return mbox_errf(err, errlen, "filter: out of memory");
	f->cfg = *cfg;
	f->cfg.name = NULL;
	f->free_head = UINT32_MAX;
	f->min_expiry = MBOX_NEVER;
	mbox_fragtrack_init(&f->track[0], cfg->frag_timeout_ns);
	mbox_fragtrack_init(&f->track[1], cfg->frag_timeout_ns);
	if (mbox_init(&f->mb, &filter_ops, io, cfg->name, 2) || mbox_hmap_init(&f->index)) {
		filter_destroy(&f->mb);
		return mbox_errf(err, errlen, "filter: out of memory");
	}
	return &f->mb;
}

size_t mbox_filter_flows(const struct mbox *mb)
{
	return mb && mb->ops == &filter_ops ? ((const struct filter *)mb)->live : 0;
}
