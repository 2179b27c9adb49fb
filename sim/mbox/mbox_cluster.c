/*
 * mbox_cluster.c — load-sharing cluster front end; behaviour in mbox_cluster.h.
 *
 * Timers: sticky-flow idle timeout (3600 s), checked on lookup and swept on
 * a |sweep_ns| grid.
 */
#include "sim/mbox/mbox_cluster.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_impl.h"

enum key_kind { KEY_ADDR, KEY_ESP, KEY_IKE };

struct flow_key {
	enum key_kind kind;
	uint64_t value; /* address, ESP SPI or IKE initiator SPI */
};

struct cflow {
	int used;
	struct flow_key key;
	int member;
	uint64_t expires;
	uint32_t next_free;
};

struct cluster {
	struct mbox mb;
	struct mbox_cluster_cfg cfg;
	uint8_t up[MBOX_CLUSTER_MAX_MEMBERS + 1];
	struct cflow *flows;
	size_t nflows, capflows, live;
	uint32_t free_head;
	uint64_t min_expiry;
	struct mbox_hmap index;
};

static const char *const key_names[] = {"src", "spi"};
static const char *const recover_names[] = {"stick", "rehash"};

const char *mbox_cluster_key_name(enum mbox_cluster_key k)
{
	return (unsigned)k < 2 ? key_names[k] : "unknown";
}

const char *mbox_cluster_recover_name(enum mbox_cluster_recover r)
{
	return (unsigned)r < 2 ? recover_names[r] : "unknown";
}

int mbox_cluster_key_from_name(const char *name)
{
	for (int i = 0; name && i < 2; i++)
		if (!strcmp(key_names[i], name))
			return i;
	return -1;
}

int mbox_cluster_recover_from_name(const char *name)
{
	for (int i = 0; name && i < 2; i++)
		if (!strcmp(recover_names[i], name))
			return i;
	return -1;
}

void mbox_cluster_cfg_default(struct mbox_cluster_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->members = 2;
	c->key = MBOX_CLUSTER_KEY_SRC;
	c->recover = MBOX_CLUSTER_STICK;
	c->flow_timeout_ns = 3600 * MBOX_NS_PER_S;
	c->sweep_ns = MBOX_NS_PER_S;
}

/* key_of derives the stickiness key of a client packet (see the header). */
static struct flow_key key_of(const struct cluster *c, const uint8_t *pkt,
			      const struct ip4_hdr *h)
{
	struct flow_key k = {KEY_ADDR, h->src};
	size_t off = h->hlen, avail = (size_t)h->total_len - h->hlen;
	uint16_t dport;

	if (c->cfg.key != MBOX_CLUSTER_KEY_SPI || h->frag_off)
		return k;
	if (h->proto == IP4_PROTO_ESP && avail >= 4) {
		k = (struct flow_key){KEY_ESP, ip4_get32(pkt + off)};
		return k;
	}
	if (h->proto != IP4_PROTO_UDP || avail < 8)
		return k;
	dport = ip4_get16(pkt + off + 2);
	off += 8;
	avail -= 8;
	if (dport == 4500 && avail >= 4 && ip4_get32(pkt + off)) {
		k = (struct flow_key){KEY_ESP, ip4_get32(pkt + off)};
	} else if (dport == 4500 && avail >= 12) {
		k = (struct flow_key){KEY_IKE,
				      (uint64_t)ip4_get32(pkt + off + 4) << 32 | ip4_get32(pkt + off + 8)};
	} else if (dport == 500 && avail >= 8) {
		k = (struct flow_key){KEY_IKE,
				      (uint64_t)ip4_get32(pkt + off) << 32 | ip4_get32(pkt + off + 4)};
	}
	return k;
}

static uint64_t key_hash(const struct flow_key *k)
{
	return mbox_mix64(k->value ^ (uint64_t)k->kind * 0x9e3779b97f4a7c15ull);
}

static void key_label(const struct flow_key *k, char *buf, size_t n)
{
	char a[16];

	if (k->kind == KEY_ADDR)
		snprintf(buf, n, "addr %s", ip4_ntoa((uint32_t)k->value, a));
	else
		snprintf(buf, n, "%s 0x%0*" PRIx64, k->kind == KEY_ESP ? "esp" : "ike",
			 k->kind == KEY_ESP ? 8 : 16, k->value);
}

/* hrw picks the live member with the highest hash(seed, key, member); 0 if none. */
static int hrw(const struct cluster *c, const struct flow_key *k)
{
	uint64_t best = 0, h = key_hash(k) ^ c->cfg.hash_seed;
	int pick = 0;

	for (int i = 1; i <= c->cfg.members; i++) {
		uint64_t s = mbox_mix64(h ^ mbox_mix64((uint64_t)i));

		if (c->up[i] && (!pick || s > best)) {
			best = s;
			pick = i;
		}
	}
	return pick;
}

/* ---------------------------------------------------------------- flow table */

static void flow_remove(struct cluster *c, uint32_t idx)
{
	struct cflow *f = &c->flows[idx];
	uint32_t cur;

	if (mbox_hmap_get(&c->index, key_hash(&f->key), &cur) && cur == idx)
		mbox_hmap_del(&c->index, key_hash(&f->key));
	memset(f, 0, sizeof *f);
	f->next_free = c->free_head;
	c->free_head = idx;
	c->live--;
}

static struct cflow *flow_find(struct cluster *c, uint64_t now, const struct flow_key *k)
{
	uint32_t idx;
	struct cflow *f;

	if (!mbox_hmap_get(&c->index, key_hash(k), &idx))
		return NULL;
	f = &c->flows[idx];
	if (f->key.kind != k->kind || f->key.value != k->value)
		return NULL;
	if (f->expires <= now) {
		flow_remove(c, idx);
		return NULL;
	}
	return f;
}

static struct cflow *flow_new(struct cluster *c, const struct flow_key *k, int member)
{
	uint32_t idx;
	struct cflow *f;

	if (c->free_head != UINT32_MAX) {
		idx = c->free_head;
		c->free_head = c->flows[idx].next_free;
	} else {
		if (c->nflows == c->capflows) {
			size_t cap = c->capflows ? c->capflows * 2 : 64;
			struct cflow *g = realloc(c->flows, cap * sizeof *g);

			if (!g)
				return NULL;
			c->flows = g;
			c->capflows = cap;
		}
		idx = (uint32_t)c->nflows++;
	}
	f = &c->flows[idx];
	memset(f, 0, sizeof *f);
	f->used = 1;
	f->key = *k;
	f->member = member;
	c->live++;
	if (mbox_hmap_put(&c->index, key_hash(k), idx)) {
		flow_remove(c, idx);
		return NULL;
	}
	return f;
}

static void move_event(struct cluster *c, uint64_t now, const struct cflow *f, int to)
{
	struct evbuf e;
	char label[40];

	if (!c->mb.io.events.emit)
		return;
	key_label(&f->key, label, sizeof label);
	mbox_ev_begin(&c->mb, &e, now, "flow-move");
	ev_str(&e, "key", label);
	ev_i64(&e, "from", f->member);
	ev_i64(&e, "to", to);
	mbox_ev_emit(&c->mb, &e);
}

/* ---------------------------------------------------------------- packets */

static void cluster_input(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
			  const struct ip4_hdr *h)
{
	struct cluster *c = (struct cluster *)mb;
	struct flow_key k;
	struct cflow *f;
	int m;

	if (in_if != 0) {
		if (!c->up[in_if]) {
			mbox_drop(mb, now, MBOX_DROP_MEMBER_DOWN, in_if, pkt, len);
			return;
		}
		mbox_send(mb, 0, pkt, len);
		return;
	}
	k = key_of(c, pkt, h);
	f = flow_find(c, now, &k);
	if (f && c->up[f->member]) {
		m = f->member;
	} else {
		m = hrw(c, &k);
		if (!m) {
			mbox_drop(mb, now, MBOX_DROP_NO_MEMBER, in_if, pkt, len);
			return;
		}
		if (f) {
			move_event(c, now, f, m);
			f->member = m;
		} else if (!(f = flow_new(c, &k, m))) {
			mbox_drop(mb, now, MBOX_DROP_NO_MEMORY, in_if, pkt, len);
			return;
		}
	}
	f->expires = now + c->cfg.flow_timeout_ns;
	if (f->expires < c->min_expiry)
		c->min_expiry = f->expires;
	mbox_send(mb, m, pkt, len);
}

/* ---------------------------------------------------------------- timers, life cycle */

static uint64_t cluster_deadline(const struct mbox *mb)
{
	const struct cluster *c = (const struct cluster *)mb;
	uint64_t t = c->min_expiry, g = c->cfg.sweep_ns;

	if (!c->live || t == MBOX_NEVER)
		return MBOX_NEVER;
	if (g > 1 && t % g && t <= UINT64_MAX - g)
		t += g - t % g;
	return t;
}

static void cluster_on_deadline(struct mbox *mb, uint64_t now)
{
	struct cluster *c = (struct cluster *)mb;

	if (c->min_expiry > now)
		return;
	c->min_expiry = MBOX_NEVER;
	for (size_t i = 0; i < c->nflows; i++) {
		if (!c->flows[i].used)
			continue;
		if (c->flows[i].expires <= now)
			flow_remove(c, (uint32_t)i);
		else if (c->flows[i].expires < c->min_expiry)
			c->min_expiry = c->flows[i].expires;
	}
}

static void cluster_destroy(struct mbox *mb)
{
	struct cluster *c = (struct cluster *)mb;

	free(c->flows);
	mbox_hmap_fini(&c->index);
	mbox_fini(mb);
	free(c);
}

static const struct mbox_ops cluster_ops = {
	.kind = MBOX_CLUSTER,
	.input = cluster_input,
	.deadline = cluster_deadline,
	.on_deadline = cluster_on_deadline,
	.destroy = cluster_destroy,
};

struct mbox *mbox_cluster_new(const struct mbox_cluster_cfg *cfg, const struct mbox_io *io,
			      char *err, size_t errlen)
{
	struct cluster *c;

	if (cfg->members < 1 || cfg->members > MBOX_CLUSTER_MAX_MEMBERS)
		return mbox_errf(err, errlen, "cluster: members = %d, expected 1..%d", cfg->members,
				 MBOX_CLUSTER_MAX_MEMBERS);
	if ((unsigned)cfg->key > MBOX_CLUSTER_KEY_SPI || (unsigned)cfg->recover > MBOX_CLUSTER_REHASH)
		return mbox_errf(err, errlen, "cluster: key %d / recover %d unknown, expected the "
				 "enum values", (int)cfg->key, (int)cfg->recover);
	if (!cfg->flow_timeout_ns)
		return mbox_errf(err, errlen, "cluster: flow_timeout_ns is 0, expected > 0");
	c = calloc(1, sizeof *c);
	if (!c)
		return mbox_errf(err, errlen, "cluster: out of memory");
	c->cfg = *cfg;
	c->cfg.name = NULL;
	c->free_head = UINT32_MAX;
	c->min_expiry = MBOX_NEVER;
	for (int i = 1; i <= cfg->members; i++)
		c->up[i] = 1;
	if (mbox_init(&c->mb, &cluster_ops, io, cfg->name, cfg->members + 1) ||
	    mbox_hmap_init(&c->index)) {
		cluster_destroy(&c->mb);
		return mbox_errf(err, errlen, "cluster: out of memory");
	}
	return &c->mb;
}

static struct cluster *as_cluster(const struct mbox *mb)
{
	return mb && mb->ops == &cluster_ops ? (struct cluster *)mb : NULL;
}

long mbox_cluster_set_member(struct mbox *mb, uint64_t now, int member, int up)
{
	struct cluster *c = as_cluster(mb);
	struct evbuf e;
	long moved = 0;

	if (!c || member < 1 || member > c->cfg.members)
		return -1;
	c->up[member] = up != 0;
	/* Orphaned flows always move; with rehash on recovery, all are recomputed. */
	for (size_t i = 0; i < c->nflows; i++) {
		struct cflow *f = &c->flows[i];
		int to;

		if (!f->used || f->expires <= now)
			continue;
		if (c->up[f->member] && !(up && c->cfg.recover == MBOX_CLUSTER_REHASH))
			continue;
		to = hrw(c, &f->key);
		if (!to || to == f->member)
			continue;
		move_event(c, now, f, to);
		f->member = to;
		moved++;
	}
	mbox_ev_begin(mb, &e, now, "member");
	ev_i64(&e, "member", member);
	ev_str(&e, "state", up ? "up" : "down");
	ev_i64(&e, "moved", moved);
	mbox_ev_emit(mb, &e);
	return moved;
}

int mbox_cluster_member_up(const struct mbox *mb, int member)
{
	const struct cluster *c = as_cluster(mb);

	return c && member >= 1 && member <= c->cfg.members && c->up[member];
}

int mbox_cluster_member_of(const struct mbox *mb, uint64_t now, const uint8_t *pkt, size_t len)
{
	const struct cluster *c = as_cluster(mb);
	struct ip4_hdr h;
	struct flow_key k;
	uint32_t idx;

	if (!c || ip4_parse(pkt, len, &h))
		return -1;
	k = key_of(c, pkt, &h);
	if (mbox_hmap_get(&c->index, key_hash(&k), &idx) && c->flows[idx].key.kind == k.kind &&
	    c->flows[idx].key.value == k.value && c->flows[idx].expires > now &&
	    c->up[c->flows[idx].member])
		return c->flows[idx].member;
	return hrw(c, &k);
}

size_t mbox_cluster_flows(const struct mbox *mb)
{
	const struct cluster *c = as_cluster(mb);

	return c ? c->live : 0;
}
