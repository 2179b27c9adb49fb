/*
 * node_mbox.c — glue between a sans-IO middlebox and a raw ns-3 node.
 * One timer per box: node_mbox_arm keeps it at mbox_deadline() after every
 * call into the box.
 */
#include "sim/node_mbox.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox_cluster.h"
#include "sim/ns3shim.h"

/* NODE_MBOX_MAX_IFS bounds both maps: the largest box is the cluster (1 + N). */
enum { NODE_MBOX_MAX_IFS = MBOX_CLUSTER_MAX_MEMBERS + 1 };

struct node_mbox {
	int node;
	struct mbox_io io;
	struct mbox *box;
	int nifs;
	int dev_of_if[NODE_MBOX_MAX_IFS];
	int if_of_dev[NODE_MBOX_MAX_IFS];
	int64_t timer;     /* 0 = none */
	uint64_t timer_at; /* when it fires */
	struct node_mbox_stats st;
};

static void node_mbox_free(void *ctx)
{
	struct node_mbox *nm = ctx;
	if (nm->box)
		mbox_free(nm->box);
	free(nm);
}

static void node_mbox_fire(void *ctx);

/* node_mbox_arm keeps exactly one timer, at the box's current deadline. */
static void node_mbox_arm(struct node_mbox *nm)
{
	uint64_t d = mbox_deadline(nm->box);
	if (nm->timer && (d == MBOX_NEVER || d != nm->timer_at)) {
		ns3shim_timer_cancel(nm->timer);
		nm->timer = 0;
	}
	if (d == MBOX_NEVER || nm->timer)
		return;
	uint64_t now = ns3shim_now();
	int64_t id = ns3shim_timer_at(d < now ? now : d, node_mbox_fire, nm);
	nm->timer = id > 0 ? id : 0;
	nm->timer_at = d;
}

static void node_mbox_fire(void *ctx)
{
	struct node_mbox *nm = ctx;
	nm->timer = 0;
	nm->st.deadlines++;
	mbox_on_deadline(nm->box, ns3shim_now());
	node_mbox_arm(nm);
}

static void node_mbox_drop_event(struct node_mbox *nm, const char *reason, int dev, size_t len)
{
	if (!nm->io.events.emit)
		return;
	struct evbuf e;
	ev_begin(&e, ns3shim_now(), "node", "drop");
	ev_str(&e, "reason", reason);
	ev_i64(&e, "node", nm->node);
	ev_i64(&e, "dev", dev);
	ev_u64(&e, "len", len);
	ev_emit(&nm->io.events, &e);
}

static void node_mbox_send(void *ctx, int ifx, const uint8_t *pkt, size_t len)
{
	struct node_mbox *nm = ctx;
	if (ifx < 0 || ifx >= nm->nifs) {
		nm->st.unmapped++;
		return;
	}
	int dev = nm->dev_of_if[ifx];
	int r = ns3shim_dev_send(nm->node, dev, pkt, len);
	if (r >= 0) {
		nm->st.out++;
	} else if (r == NS3SHIM_EMSGSIZE) {
		nm->st.drop_link_mtu++;
		node_mbox_drop_event(nm, "link-mtu", dev, len);
	} else {
		nm->st.drop_queue++;
		node_mbox_drop_event(nm, "queue-full", dev, len);
	}
}

static void node_mbox_rx(void *ctx, int node, int dev, const uint8_t *pkt, size_t len)
{
	struct node_mbox *nm = ctx;
	(void)node;
	if (!nm->box || dev < 0 || dev >= NODE_MBOX_MAX_IFS || nm->if_of_dev[dev] < 0) {
		nm->st.unmapped++;
		return;
	}
	nm->st.in++;
	mbox_input(nm->box, ns3shim_now(), nm->if_of_dev[dev], pkt, len);
	node_mbox_arm(nm);
}

struct node_mbox *node_mbox_new(int node, const struct ev_sink *events,
				const struct crypto_rng *rng)
{
	int n = ns3shim_dev_count(node);
	if (n < 0)
		return NULL;
	struct node_mbox *nm = calloc(1, sizeof *nm);
	if (!nm) {
		ns3shim_errorf(NS3SHIM_ESTATE, "node_mbox_new: out of memory");
		return NULL;
	}
	if (ns3shim_at_destroy(node_mbox_free, nm) < 0) {
		free(nm);
		return NULL;
	}
	nm->node = node;
	nm->io.send = node_mbox_send;
	nm->io.ctx = nm;
	if (events)
		nm->io.events = *events;
	if (rng)
		nm->io.rng = *rng;
	for (int i = 0; i < NODE_MBOX_MAX_IFS; i++)
		nm->dev_of_if[i] = nm->if_of_dev[i] = -1;
	return nm;
}

const struct mbox_io *node_mbox_io(struct node_mbox *nm)
{
	return nm ? &nm->io : NULL;
}

int node_mbox_attach(struct node_mbox *nm, struct mbox *box, const int *ifmap, int nifs)
{
	if (!nm || !box || !ifmap)
		return ns3shim_errorf(NS3SHIM_EARG, "node_mbox_attach: %s is NULL",
				      !nm ? "nm" : !box ? "box" : "ifmap");
	if (nm->box)
		return ns3shim_errorf(NS3SHIM_ESTATE, "node_mbox_attach: node %d already has a box",
				      nm->node);
	if (nifs != mbox_nifs(box) || nifs < 1 || nifs > NODE_MBOX_MAX_IFS)
		return ns3shim_errorf(NS3SHIM_EARG,
				      "node_mbox_attach: nifs %d, but the %s box has %d interfaces",
				      nifs, mbox_kind_name(mbox_kind(box)), mbox_nifs(box));
	int ndev = ns3shim_dev_count(nm->node);
	if (ndev < 0)
		return ndev;
	for (int i = 0; i < nifs; i++) {
		int d = ifmap[i];
		if (d < 0 || d >= ndev || d >= NODE_MBOX_MAX_IFS)
			return ns3shim_errorf(NS3SHIM_EARG,
					      "node_mbox_attach: ifmap[%d] = device %d, node %d has "
					      "devices 0..%d",
					      i, d, nm->node, ndev - 1);
		if (nm->if_of_dev[d] >= 0) {
			for (int j = 0; j < NODE_MBOX_MAX_IFS; j++)
				nm->if_of_dev[j] = -1;
			return ns3shim_errorf(NS3SHIM_EARG,
					      "node_mbox_attach: device %d is mapped twice", d);
		}
		nm->if_of_dev[d] = i;
		nm->dev_of_if[i] = d;
	}
	int r = ns3shim_l3_hook(nm->node, node_mbox_rx, nm);
	if (r < 0) {
		for (int j = 0; j < NODE_MBOX_MAX_IFS; j++)
			nm->if_of_dev[j] = nm->dev_of_if[j] = -1;
		return r;
	}
	nm->box = box;
	nm->nifs = nifs;
	node_mbox_arm(nm);
	return 0;
}

struct mbox *node_mbox_box(const struct node_mbox *nm)
{
	return nm ? nm->box : NULL;
}

void node_mbox_poke(struct node_mbox *nm)
{
	if (nm && nm->box)
		node_mbox_arm(nm);
}

void node_mbox_stats(const struct node_mbox *nm, struct node_mbox_stats *out)
{
	if (nm && out)
		*out = nm->st;
}
