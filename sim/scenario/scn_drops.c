/*
 * scn_drops.c — network stack drops as scenario events (scn_drops.h).
 */
#include "sim/scenario/scn_drops.h"

#include <stdio.h>

#include "sim/ip/ip4.h"
#include "sim/ns3shim.h"

const char *scn_drop_reason(int kind)
{
	switch (kind) {
	case NS3SHIM_DROP_TX:
		return "dev-queue";
	case NS3SHIM_DROP_RX:
		return "link-loss";
	case NS3SHIM_DROP_TC:
		return "tc-queue";
	default:
		return "?";
	}
}

/* node_name: the scenario's name of simulated node |node| (as its events use it); |*raw|: a box. */
static const char *node_name(const struct scn_topo *t, int node, int *raw, char buf[16])
{
	*raw = 0;
	if (node == t->client_node)
		return "client";
	for (int k = 0; k < t->n_members; k++)
		if (node == t->gw_node[k]) {
			if (t->n_members == 1)
				return "gw";
			snprintf(buf, 16, "gw%d", k + 1);
			return buf;
		}
	for (size_t i = 0; i < t->s->n_boxes; i++)
		if (node == t->box_node[i]) {
			*raw = 1;
			return t->s->boxes[i].name;
		}
	return "?";
}

static const char *link_name(const struct scn_topo *t, int node, int dev)
{
	for (size_t i = 0; i < t->n_plinks; i++) {
		const struct scn_plink *p = &t->plink[i];
		if ((p->node_a == node && p->dev_a == dev) || (p->node_b == node && p->dev_b == dev))
			return t->s->links[p->link].name;
	}
	if (node == t->client_node && dev == host_tun_dev(t->client_host))
		return "tun";
	for (int k = 0; k < t->n_members; k++)
		if (node == t->gw_node[k] && dev == host_tun_dev(t->gw_host[k]))
			return "tun";
	return "?";
}

static void on_drop(void *ctx, int node, int dev, int kind, const uint8_t *pkt, size_t len)
{
	struct scn_drops *d = ctx;
	int raw;
	char nb[16];
	const char *nn = node_name(d->t, node, &raw, nb);
	if (raw && kind == NS3SHIM_DROP_TX)
		return; /* the box's node reports its refused sends itself */
	if (kind > 0 && kind < 4)
		d->n[kind]++;
	if (!d->sink.emit)
		return;
	struct evbuf e;
	char a[16];
	ev_begin(&e, ns3shim_now(), "link", "drop");
	ev_str(&e, "reason", scn_drop_reason(kind));
	ev_str(&e, "link", link_name(d->t, node, dev));
	ev_str(&e, "node", nn);
	ev_u64(&e, "dev", (uint64_t)(dev < 0 ? 0 : dev));
	ev_u64(&e, "len", len);
	struct ip4_hdr h;
	if (pkt && ip4_parse(pkt, len, &h) == IP4_OK) {
		ev_u64(&e, "proto", h.proto);
		ev_str(&e, "from", ip4_ntoa(h.src, a));
		ev_str(&e, "to", ip4_ntoa(h.dst, a));
	}
	ev_emit(&d->sink, &e);
}

int scn_drops_attach(struct scn_drops *d, const struct scn_topo *t, const struct ev_sink *sink)
{
	d->t = t;
	d->sink = sink ? *sink : (struct ev_sink){0};
	for (int i = 0; i < 4; i++)
		d->n[i] = 0;
	return ns3shim_drop_hook(on_drop, d);
}
