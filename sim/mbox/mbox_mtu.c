/*
 * mbox_mtu.c — MTU-limiting router; behaviour in mbox_mtu.h.
 *
 * Timers: none of its own. The ICMP token bucket is refilled lazily from
 * the packet times, so the router never asks for a deadline.
 */
#include "sim/mbox/mbox_mtu.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_impl.h"

struct mtu {
	struct mbox mb;
	struct mbox_mtu_cfg cfg;
	uint32_t tokens;
	uint64_t refilled; /* time the last whole token was added */
	uint16_t ip_id;
	uint64_t icmp_sent, fragmented;
};

static const char *const mode_names[] = {"icmp", "blackhole"};

const char *mbox_mtu_mode_name(enum mbox_mtu_mode m)
{
	return (unsigned)m < 2 ? mode_names[m] : "unknown";
}

int mbox_mtu_mode_from_name(const char *name)
{
	for (int i = 0; name && i < 2; i++)
		if (!strcmp(mode_names[i], name))
			return i;
	return -1;
}

void mbox_mtu_cfg_default(struct mbox_mtu_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->mtu[0] = c->mtu[1] = 1500;
	c->mode = MBOX_MTU_ICMP;
	c->quote = MBOX_MTU_QUOTE_RFC1812;
	c->icmp_interval_ns = MBOX_NS_PER_S;
	c->icmp_burst = 6;
	c->decrement_ttl = 1;
}

/* take_token refills the bucket up to |now| and takes one token if any. */
static int take_token(struct mtu *r, uint64_t now)
{
	uint64_t iv = r->cfg.icmp_interval_ns;

	if (!iv)
		return 1;
	if (now > r->refilled) {
		uint64_t add = (now - r->refilled) / iv;

		if (add >= r->cfg.icmp_burst - r->tokens) {
			r->tokens = r->cfg.icmp_burst;
			r->refilled = now;
		} else {
			r->tokens += (uint32_t)add;
			r->refilled += add * iv;
		}
	}
	if (!r->tokens)
		return 0;
	r->tokens--;
	return 1;
}

/* icmp_allowed: RFC 1812 §4.3.2.7 forbids errors about errors and later fragments. */
static int icmp_allowed(const uint8_t *pkt, const struct ip4_hdr *h)
{
	struct ip4_l4 l4;

	if (h->frag_off)
		return 0;
	if (h->proto == IP4_PROTO_ICMP && ip4_l4_parse(pkt, h, &l4) == IP4_OK &&
	    ip4_icmp_is_error(l4.icmp_type))
		return 0;
	if (h->proto == IP4_PROTO_ICMP && ip4_l4_parse(pkt, h, &l4) != IP4_OK)
		return 0; /* cannot tell: stay silent */
	return 1;
}

/*
 * send_icmp builds and sends an error about |pkt| back out |in_if|: 0 if
 * sent, -1 if rate-limited, -2 if the ingress MTU cannot hold it.
 */
static int send_icmp(struct mtu *r, uint64_t now, int in_if, const uint8_t *pkt, size_t len,
		     const struct ip4_hdr *h, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t out[IP4_ICMP_QUOTE_MAX];
	struct ip4_build_opts o = {.ttl = 64, .id = r->ip_id};
	size_t max = IP4_ICMP_QUOTE_MAX, n;
	struct evbuf e;

	if (r->cfg.quote == MBOX_MTU_QUOTE_RFC792)
		max = IP4_HDR_MIN + 8 + (size_t)h->hlen + 8;
	if (r->cfg.mtu[in_if] < max)
		max = r->cfg.mtu[in_if];
	n = ip4_icmp_error_build(out, max, r->cfg.addr, h->src, type, code, rest, pkt, len, max, &o);
	if (!n)
		return -2;
	if (!take_token(r, now))
		return -1;
	r->ip_id++;
	r->icmp_sent++;
	mbox_send(&r->mb, in_if, out, n);
	mbox_ev_begin(&r->mb, &e, now, "icmp");
	ev_u64(&e, "type", type);
	ev_u64(&e, "code", code);
	if (type == ICMP4_UNREACH && code == ICMP4_UNREACH_NEEDFRAG)
		ev_u64(&e, "mtu", rest & 0xffff);
	mbox_ev_addr(&e, "to", h->src);
	ev_i64(&e, "if", in_if);
	ev_u64(&e, "quoted", n - IP4_HDR_MIN - 8);
	mbox_ev_emit(&r->mb, &e);
	return 0;
}

static void mtu_input(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
		      const struct ip4_hdr *h)
{
	struct mtu *r = (struct mtu *)mb;
	int out_if = 1 - in_if;
	size_t mtu = r->cfg.mtu[out_if];
	struct ip4_csum_ref ipc = {pkt + IP4_OFF_CSUM, 0};

	if (r->cfg.decrement_ttl && h->ttl <= 1) {
		if (icmp_allowed(pkt, h))
			send_icmp(r, now, in_if, pkt, len, h, ICMP4_TIME_EXCEEDED, ICMP4_TIMX_INTRANS, 0);
		mbox_drop(mb, now, MBOX_DROP_TTL_EXCEEDED, in_if, pkt, len);
		return;
	}
	if (len > mtu && h->df) {
		enum mbox_drop why = MBOX_DROP_PMTU_BLACKHOLE;

		if (r->cfg.mode == MBOX_MTU_ICMP && icmp_allowed(pkt, h)) {
			int rc = send_icmp(r, now, in_if, pkt, len, h, ICMP4_UNREACH,
					   ICMP4_UNREACH_NEEDFRAG, (uint32_t)(mtu & 0xffff));

			why = rc == 0	 ? MBOX_DROP_FRAG_NEEDED
			      : rc == -1 ? MBOX_DROP_FRAG_NEEDED_RATE
					 : MBOX_DROP_PMTU_BLACKHOLE;
		}
		mbox_drop(mb, now, why, in_if, pkt, len);
		return;
	}
	if (r->cfg.decrement_ttl)
		ip4_rewrite16(pkt + IP4_OFF_TTL, (uint16_t)((h->ttl - 1) << 8 | h->proto), &ipc, 1);
	if (len > mtu) {
		if (mbox_send_frag(mb, out_if, pkt, len, mtu) < 0)
			mbox_drop(mb, now, MBOX_DROP_FRAG_FAILED, in_if, pkt, len);
		else
			r->fragmented++;
		return;
	}
	mbox_send(mb, out_if, pkt, len);
}

static void mtu_destroy(struct mbox *mb)
{
	mbox_fini(mb);
	free(mb);
}

static const struct mbox_ops mtu_ops = {
	.kind = MBOX_MTU,
	.input = mtu_input,
	.destroy = mtu_destroy,
};

struct mbox *mbox_mtu_new(const struct mbox_mtu_cfg *cfg, const struct mbox_io *io, char *err,
			  size_t errlen)
{
	struct mtu *r;

	for (int i = 0; i < 2; i++)
		if (cfg->mtu[i] < IP4_MIN_MTU || cfg->mtu[i] > IP4_MAX_LEN)
			return mbox_errf(err, errlen, "mtu: mtu[%d] = %zu, expected 68..65535", i,
					 cfg->mtu[i]);
	if ((unsigned)cfg->mode > MBOX_MTU_BLACKHOLE || (unsigned)cfg->quote > MBOX_MTU_QUOTE_RFC792)
		return mbox_errf(err, errlen, "mtu: mode %d / quote %d unknown, expected the enum "
				 "values", (int)cfg->mode, (int)cfg->quote);
	if (cfg->mode == MBOX_MTU_ICMP && !cfg->addr)
		return mbox_errf(err, errlen, "mtu: addr is 0.0.0.0, expected the router's own "
				 "address (source of its ICMP errors)");
	if (cfg->icmp_interval_ns && !cfg->icmp_burst)
		return mbox_errf(err, errlen, "mtu: icmp_burst is 0 with a rate limit, expected >= 1");
	r = calloc(1, sizeof *r);
	if (!r)
		return mbox_errf(err, errlen, "mtu: out of memory");
	r->cfg = *cfg;
	r->cfg.name = NULL;
	r->tokens = cfg->icmp_burst;
	if (mbox_init(&r->mb, &mtu_ops, io, cfg->name, 2)) {
		mtu_destroy(&r->mb);
		return mbox_errf(err, errlen, "mtu: out of memory");
	}
	return &r->mb;
}

static struct mtu *as_mtu(const struct mbox *mb)
{
	return mb && mb->ops == &mtu_ops ? (struct mtu *)mb : NULL;
}

int mbox_mtu_set(struct mbox *mb, uint64_t now, int ifindex, size_t mtu)
{
	struct mtu *r = as_mtu(mb);
	struct evbuf e;

	if (!r || ifindex < 0 || ifindex > 1 || mtu < IP4_MIN_MTU || mtu > IP4_MAX_LEN)
		return -1;
	mbox_ev_begin(mb, &e, now, "mtu");
	ev_i64(&e, "if", ifindex);
	ev_u64(&e, "from", r->cfg.mtu[ifindex]);
	ev_u64(&e, "to", mtu);
	mbox_ev_emit(mb, &e);
	r->cfg.mtu[ifindex] = mtu;
	return 0;
}

size_t mbox_mtu_get(const struct mbox *mb, int ifindex)
{
	const struct mtu *r = as_mtu(mb);

	return r && ifindex >= 0 && ifindex <= 1 ? r->cfg.mtu[ifindex] : 0;
}

uint64_t mbox_mtu_icmp_sent(const struct mbox *mb)
{
	const struct mtu *r = as_mtu(mb);

	return r ? r->icmp_sent : 0;
}

uint64_t mbox_mtu_fragmented(const struct mbox *mb)
{
	const struct mtu *r = as_mtu(mb);

	return r ? r->fragmented : 0;
}
