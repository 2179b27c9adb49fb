/*
 * mbox.c — the common middlebox layer: input validation, counters, drop
 * events and randomness. See mbox.h for the interface.
 */
#include "sim/mbox/mbox_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MBOX_DROP_NAME(id, name, what) name,
#define MBOX_DROP_WHAT(id, name, what) what,
static const char *const drop_names[] = {MBOX_DROPS(MBOX_DROP_NAME)};
static const char *const drop_whats[] = {MBOX_DROPS(MBOX_DROP_WHAT)};
static const char *const kind_names[] = {"nat", "mtu", "filter", "cluster", "impair"};

const char *mbox_drop_name(enum mbox_drop r)
{
	return (unsigned)r < MBOX_DROP__COUNT ? drop_names[r] : "unknown";
}

const char *mbox_drop_what(enum mbox_drop r)
{
	return (unsigned)r < MBOX_DROP__COUNT ? drop_whats[r] : "unknown drop reason";
}

int mbox_drop_from_name(const char *name)
{
	for (int i = 0; i < MBOX_DROP__COUNT; i++)
		if (!strcmp(drop_names[i], name))
			return i;
	return -1;
}

const char *mbox_kind_name(enum mbox_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "unknown";
}

void *mbox_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

int mbox_init(struct mbox *mb, const struct mbox_ops *ops, const struct mbox_io *io,
	      const char *name, int nifs)
{
	mb->ops = ops;
	if (io)
		mb->io = *io;
	if (name)
		snprintf(mb->name, sizeof mb->name, "%s", name);
	mb->nifs = nifs;
	mb->verify_csum = 1;
	mb->rpos = sizeof mb->rbuf;
	mb->rx = calloc((size_t)nifs, sizeof *mb->rx);
	mb->tx = calloc((size_t)nifs, sizeof *mb->tx);
	return mb->rx && mb->tx ? 0 : -1;
}

void mbox_fini(struct mbox *mb)
{
	free(mb->rx);
	free(mb->tx);
}

void mbox_free(struct mbox *mb)
{
	if (mb)
		mb->ops->destroy(mb);
}

enum mbox_kind mbox_kind(const struct mbox *mb)
{
	return mb->ops->kind;
}

int mbox_nifs(const struct mbox *mb)
{
	return mb->nifs;
}

uint64_t mbox_drop_count(const struct mbox *mb, enum mbox_drop reason)
{
	return (unsigned)reason < MBOX_DROP__COUNT ? mb->drops[reason] : 0;
}

uint64_t mbox_drop_total(const struct mbox *mb)
{
	uint64_t n = 0;

	for (int i = 0; i < MBOX_DROP__COUNT; i++)
		n += mb->drops[i];
	return n;
}

uint64_t mbox_rx_count(const struct mbox *mb, int ifx)
{
	return ifx >= 0 && ifx < mb->nifs ? mb->rx[ifx] : 0;
}

uint64_t mbox_tx_count(const struct mbox *mb, int ifx)
{
	return ifx >= 0 && ifx < mb->nifs ? mb->tx[ifx] : 0;
}

void mbox_set_verify_csum(struct mbox *mb, int on)
{
	mb->verify_csum = on != 0;
}

static enum mbox_drop parse_reason(int rc)
{
	switch (rc) {
	case IP4_ETRUNC: return MBOX_DROP_TRUNCATED;
	case IP4_EVERSION: return MBOX_DROP_BAD_VERSION;
	case IP4_EIHL: return MBOX_DROP_BAD_IHL;
	default: return MBOX_DROP_BAD_LENGTH;
	}
}

void mbox_input(struct mbox *mb, uint64_t now, int in_if, const uint8_t *pkt, size_t len)
{
	struct ip4_hdr h;
	uint8_t *buf;
	int rc;

	if (in_if < 0 || in_if >= mb->nifs) {
		mbox_drop(mb, now, MBOX_DROP_BAD_IFINDEX, in_if, pkt, len);
		return;
	}
	mb->rx[in_if]++;
	rc = ip4_parse(pkt, len, &h);
	if (rc) {
		mbox_drop(mb, now, parse_reason(rc), in_if, pkt, len);
		return;
	}
	if (mb->verify_csum && !ip4_hdr_csum_ok(pkt, h.hlen)) {
		mbox_drop(mb, now, MBOX_DROP_BAD_CSUM, in_if, pkt, len);
		return;
	}
	/* A private writable copy: the host's buffer stays const, and nested
	 * sends cannot clobber a shared scratch buffer. */
	buf = malloc(h.total_len);
	if (!buf) {
		mbox_drop(mb, now, MBOX_DROP_NO_MEMORY, in_if, NULL, 0);
		return;
	}
	memcpy(buf, pkt, h.total_len);
	mb->ops->input(mb, now, in_if, buf, h.total_len, &h);
	free(buf);
}

uint64_t mbox_deadline(const struct mbox *mb)
{
	return mb->ops->deadline ? mb->ops->deadline(mb) : MBOX_NEVER;
}

void mbox_on_deadline(struct mbox *mb, uint64_t now)
{
	if (mb->ops->on_deadline)
		mb->ops->on_deadline(mb, now);
}

void mbox_send(struct mbox *mb, int ifx, const uint8_t *pkt, size_t len)
{
	if (ifx >= 0 && ifx < mb->nifs)
		mb->tx[ifx]++;
	if (mb->io.send)
		mb->io.send(mb->io.ctx, ifx, pkt, len);
}

struct frag_out {
	struct mbox *mb;
	int ifx;
};

static void frag_emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct frag_out *o = ctx;

	mbox_send(o->mb, o->ifx, pkt, len);
}

int mbox_send_frag(struct mbox *mb, int ifx, const uint8_t *pkt, size_t len, size_t mtu)
{
	struct frag_out o = {mb, ifx};

	if (!mtu || len <= mtu) {
		mbox_send(mb, ifx, pkt, len);
		return 1;
	}
	return ip4_frag(pkt, len, mtu, frag_emit, &o);
}

void mbox_ev_begin(const struct mbox *mb, struct evbuf *e, uint64_t now, const char *ev)
{
	ev_begin(e, now, mbox_kind_name(mb->ops->kind), ev);
	if (mb->name[0])
		ev_str(e, "box", mb->name);
}

void mbox_ev_emit(const struct mbox *mb, struct evbuf *e)
{
	ev_emit(&mb->io.events, e);
}

void mbox_ev_addr(struct evbuf *e, const char *key, uint32_t addr)
{
	char a[16];

	ev_str(e, key, ip4_ntoa(addr, a));
}

void mbox_drop(struct mbox *mb, uint64_t now, enum mbox_drop r, int in_if, const uint8_t *pkt,
	       size_t len)
{
	struct evbuf e;
	struct ip4_hdr h;
	struct ip4_l4 l4;

	mb->drops[r]++;
	if (!mb->io.events.emit)
		return;
	mbox_ev_begin(mb, &e, now, "drop");
	ev_str(&e, "reason", mbox_drop_name(r));
	ev_i64(&e, "if", in_if);
	ev_u64(&e, "len", len);
	if (pkt && ip4_parse(pkt, len, &h) == IP4_OK) {
		ev_str(&e, "proto", ip4_proto_name(h.proto));
		mbox_ev_addr(&e, "saddr", h.src);
		mbox_ev_addr(&e, "daddr", h.dst);
		if (ip4_is_frag(&h)) {
			ev_u64(&e, "id", h.id);
			ev_u64(&e, "off", h.frag_off);
			ev_bool(&e, "mf", h.mf);
		}
		if (ip4_l4_parse(pkt, &h, &l4) == IP4_OK) {
			if (l4.proto == IP4_PROTO_ICMP) {
				ev_u64(&e, "type", l4.icmp_type);
				ev_u64(&e, "code", l4.icmp_code);
			} else if (l4.has_ports) {
				ev_u64(&e, "sport", l4.sport);
				ev_u64(&e, "dport", l4.dport);
			}
		}
	}
	mbox_ev_emit(mb, &e);
}

uint32_t mbox_rand32(struct mbox *mb)
{
	uint32_t v;

	if (mb->rpos + 4 > sizeof mb->rbuf) {
		if (!mb->io.rng.fill || mb->io.rng.fill(mb->io.rng.ctx, mb->rbuf, sizeof mb->rbuf))
			return 0;
		mb->rpos = 0;
	}
	v = ip4_get32(mb->rbuf + mb->rpos);
	mb->rpos += 4;
	return v;
}

int mbox_chance(struct mbox *mb, double p)
{
	if (p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	return (double)mbox_rand32(mb) < p * 4294967296.0;
}

uint64_t mbox_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}
