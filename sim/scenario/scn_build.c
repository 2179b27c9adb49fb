/*
 * scn_build.c — scenario model -> simulated topology (scn_build.h).
 */
#include "sim/scenario/scn_build.h"

#include <stdio.h>
#include <string.h>

#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_filter.h"
#include "sim/mbox/mbox_impair.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/ns3shim.h"
#include "sim/scenario/scn_units.h"

static int fail(char *err, size_t cap, const char *what)
{
	snprintf(err, cap, "%s: %s", what, ns3shim_last_error());
	return -1;
}

static int add_box(struct scn_topo *t, size_t i, char *err, size_t cap)
{
	const struct scn_box *b = &t->s->boxes[i];
	char label[64], why[256];
	snprintf(label, sizeof label, "scenario/box/%s", b->name);
	t->box_drbg[i] = crypto_drbg_new(t->seed, label);
	if (!t->box_drbg[i]) {
		snprintf(err, cap, "box %s: no DRBG", b->name);
		return -1;
	}
	struct crypto_rng rng = crypto_drbg_rng(t->box_drbg[i]);
	t->nm[i] = node_mbox_new(t->box_node[i], &t->sink, &rng);
	if (!t->nm[i])
		return fail(err, cap, b->name);
	const struct mbox_io *io = node_mbox_io(t->nm[i]);
	struct mbox *mb = NULL;
	switch (b->kind) {
	case SCN_BOX_NAT: {
		struct mbox_nat_cfg c = b->u.nat;
		c.name = b->name;
		c.hash_seed = t->seed;
		mb = mbox_nat_new(&c, io, why, sizeof why);
		break;
	}
	case SCN_BOX_MTU:
	case SCN_BOX_ROUTER: {
		struct mbox_mtu_cfg c = b->u.mtu;
		c.name = b->name;
		mb = mbox_mtu_new(&c, io, why, sizeof why);
		break;
	}
	case SCN_BOX_FILTER: {
		struct mbox_filter_cfg c = b->u.filter;
		c.name = b->name;
		mb = mbox_filter_new(&c, io, why, sizeof why);
		break;
	}
	case SCN_BOX_CLUSTER: {
		struct mbox_cluster_cfg c = b->u.cluster;
		c.name = b->name;
		c.hash_seed = t->seed;
		mb = mbox_cluster_new(&c, io, why, sizeof why);
		break;
	}
	case SCN_BOX_IMPAIR: {
		struct mbox_impair_cfg c = b->u.impair;
		c.name = b->name;
		mb = mbox_impair_new(&c, io, why, sizeof why);
		break;
	}
	}
	if (!mb) {
		snprintf(err, cap, "%s:%u:%u: %s %s: %s", t->s->file, b->pos.line, b->pos.col,
			 scn_box_kind_name(b->kind), b->name, why);
		return -1;
	}
	int ifmap[SCN_MAX_MEMBERS + 1];
	int nifs = mbox_nifs(mb);
	for (int k = 0; k < nifs; k++)
		ifmap[k] = k;
	if (node_mbox_attach(t->nm[i], mb, ifmap, nifs) < 0) {
		mbox_free(mb);
		return fail(err, cap, b->name);
	}
	t->box[i] = mb;
	return 0;
}

static int add_link(struct scn_topo *t, int li, int member, int a, int b, char *err, size_t cap)
{
	const struct scn_link *l = &t->s->links[li];
	struct ns3shim_link_cfg c = {
		.rate_bps = l->rate_bps,
		.delay_ns = l->delay_ns,
		.mtu_a = l->mtu,
		.mtu_b = l->mtu,
		.queue_pkts = l->queue,
	};
	struct scn_plink *p = &t->plink[t->n_plinks];
	p->link = li;
	p->member = member;
	p->node_a = a;
	p->node_b = b;
	p->ns3_link = ns3shim_link_add(a, b, &c, &p->dev_a, &p->dev_b);
	if (p->ns3_link < 0)
		return fail(err, cap, l->name);
	if (l->loss > 0 && (ns3shim_dev_set_loss(a, p->dev_a, l->loss) < 0 ||
			    ns3shim_dev_set_loss(b, p->dev_b, l->loss) < 0))
		return fail(err, cap, l->name);
	t->n_plinks++;
	return 0;
}

static int host_addr(int node, const struct scn_end *e, const char *what, char *err, size_t cap)
{
	if (ns3shim_addr_add(node, 1, e->addr, e->prefix) < 0 ||
	    ns3shim_route_add(node, 0, 0, e->nexthop, 1) < 0)
		return fail(err, cap, what);
	return 0;
}

/* pki_make generates the PKI: the client's EE (sized by chain_size), the gateway's EE. */
static int pki_make(struct scn_topo *t, char *err, size_t cap)
{
	const struct scn *s = t->s;
	struct crypto_drbg *d = crypto_drbg_new(t->seed, "scenario/pki");
	if (!d) {
		snprintf(err, cap, "pki: no DRBG");
		return -1;
	}
	struct crypto_rng rng = crypto_drbg_rng(d);
	struct crypto_testpki_params p;
	memset(&p, 0, sizeof p);
	p.key_type = s->pki.key_type;
	p.depth = s->pki.depth;
	p.root_cn = "vpnlab scenario CA";
	p.ca_pad = s->pki.chain_size ? 0 : s->pki.pad;
	p.target_chain_len = s->pki.chain_size;
	p.not_before = 0;
	p.not_after = 4102444800; /* 2100-01-01 */
	/* the identities of the profiles become SANs, so ID-vs-certificate checks pass */
	char san_c[IKE_CFG_ID_MAX + 1] = "client.vpnlab.example", san_g[IKE_CFG_ID_MAX + 1] =
								   "gw.vpnlab.example";
	enum crypto_x509_id type_c = CRYPTO_X509_ID_FQDN, type_g = CRYPTO_X509_ID_FQDN;
	const struct ike_id_cfg *ids[2] = {&s->client.local_id, &s->gateway.local_id};
	char *sans[2] = {san_c, san_g};
	enum crypto_x509_id *types[2] = {&type_c, &type_g};
	for (int i = 0; i < 2; i++) {
		const struct ike_id_cfg *id = ids[i];
		if (id->type == IKE_ID_FQDN || id->type == IKE_ID_RFC822_ADDR) {
			memcpy(sans[i], id->data, id->len);
			sans[i][id->len] = '\0';
			*types[i] = id->type == IKE_ID_FQDN ? CRYPTO_X509_ID_FQDN
							    : CRYPTO_X509_ID_RFC822_ADDR;
		} else if (id->type == IKE_ID_IPV4_ADDR && id->len == 4) {
			snprintf(sans[i], IKE_CFG_ID_MAX + 1, "%u.%u.%u.%u", id->data[0], id->data[1],
				 id->data[2], id->data[3]);
			*types[i] = CRYPTO_X509_ID_IPV4_ADDR;
		}
	}
	p.ee.cn = "vpnlab client";
	p.ee.san[0] = (struct crypto_testpki_san){type_c, san_c};
	p.ee.n_san = 1;
	p.ee.pad = s->pki.chain_size ? 0 : s->pki.pad;
	struct crypto_diag diag;
	int r = crypto_testpki_make(&p, &rng, &t->pki, &diag);
	if (r == 0) {
		struct crypto_testpki_ee gee = {.cn = "vpnlab gateway", .n_san = 1, .pad = s->pki.pad};
		gee.san[0] = (struct crypto_testpki_san){type_g, san_g};
		r = crypto_testpki_issue_ee(&t->pki, &gee, &rng, &t->gw_cert, &t->gw_key, &diag);
		if (r < 0)
			crypto_testpki_free(&t->pki);
	}
	crypto_drbg_free(d);
	if (r < 0) {
		snprintf(err, cap, "%s:%u:%u: [pki]: %s", s->file, s->pki.pos.line, s->pki.pos.col,
			 diag.msg);
		return -1;
	}
	t->have_pki = 1;
	t->chain_len = crypto_testpki_chain_len(&t->pki);
	t->trust_c = crypto_x509_store_new();
	t->trust_g = crypto_x509_store_new();
	if (!t->trust_c || !t->trust_g ||
	    crypto_x509_store_add(t->trust_c, crypto_testpki_root(&t->pki)) < 0 ||
	    crypto_x509_store_add(t->trust_g, crypto_testpki_root(&t->pki)) < 0) {
		snprintf(err, cap, "pki: could not build the trust stores");
		return -1;
	}
	return 0;
}

/* creds gives |c| the generated credentials its auth settings need. */
static void creds(struct scn_topo *t, struct ike_config *c, int gateway)
{
	if (!t->have_pki)
		return;
	if (c->auth == IKE_AUTHC_PUBKEY && !c->cert_file[0]) {
		if (gateway) {
			c->cert = t->gw_cert;
			c->key = t->gw_key;
		} else {
			c->cert = crypto_testpki_ee_cert(&t->pki);
			c->key = crypto_testpki_ee_key(&t->pki);
		}
		c->n_chain = crypto_testpki_intermediates(&t->pki, c->chain, IKE_CFG_CHAIN_MAX);
	}
	if (c->remote_auth == IKE_AUTHC_PUBKEY && !c->ca_file[0])
		c->trust = gateway ? t->trust_g : t->trust_c;
}

/* pool_prefix: the smallest prefix covering the gateway's pool. */
static int pool_prefix(const struct ike_config *g, uint32_t *net)
{
	int p = 32;
	while (p > 0) {
		uint32_t mask = UINT32_MAX << (32 - p);
		if ((g->pool_lo & mask) == (g->pool_hi & mask))
			break;
		p--;
	}
	uint32_t mask = p ? UINT32_MAX << (32 - p) : 0;
	*net = g->pool_lo & mask;
	return p;
}

static int engines(struct scn_topo *t, const struct host_hooks *hooks, char *err, size_t cap)
{
	const struct scn *s = t->s;
	char msg[SCN_ERR_MAX];
	if ((s->client.auth == IKE_AUTHC_PUBKEY || s->client.remote_auth == IKE_AUTHC_PUBKEY ||
	     s->gateway.auth == IKE_AUTHC_PUBKEY || s->gateway.remote_auth == IKE_AUTHC_PUBKEY) &&
	    s->pki.present && pki_make(t, err, cap) < 0)
		return -1;

	/* the client */
	struct host_cfg hc = {.name = "client", .seed = t->seed, .events = &t->sink, .hooks = hooks};
	t->client_host = host_new(t->client_node, &hc);
	if (!t->client_host)
		return fail(err, cap, "client host");
	t->ccfg = s->client;
	struct ike_config *c = &t->ccfg;
	if (!c->local_addr)
		c->local_addr = s->client_end.addr;
	if (!c->remote_addr)
		c->remote_addr = s->gateway_end.addr;
	scn_copy(c->name, sizeof c->name, "client");
	creds(t, c, 0);
	if (ike_config_load_credentials(c, msg, sizeof msg) < 0 ||
	    ike_config_check(c, msg, sizeof msg) < 0) {
		snprintf(err, cap, "%s:%u:1: [client] %s", s->file, s->client_pos.line, msg);
		return -1;
	}
	t->client_inner = c->request_vip ? 0 : s->client_end.inner;
	if (host_tun_add(t->client_host, t->client_inner, t->client_inner ? 32 : 0) < 0)
		return fail(err, cap, "client tunnel");
	/* the gateway's inner network is reachable through the tunnel only: without
	 * a CHILD SA its packets are dropped ("no-sa", or "no-address" from the
	 * tunnel's placeholder while the client has no VIP), never sent in the
	 * clear (the gateway host owns the inner address and would answer). The
	 * route is safe before the VIP: the tunnel always has an address
	 * (HOST_TUN_PLACEHOLDER), the ns-3 abort on an address-less device
	 * cannot happen. */
	uint32_t gnet = s->gateway_end.inner & 0xffffff00u;
	if (host_tun_route(t->client_host, gnet, 24) < 0)
		return fail(err, cap, "client route to the gateway's inner network");
	t->client_ike = host_ike_add(t->client_host, c, msg, sizeof msg);
	if (!t->client_ike) {
		snprintf(err, cap, "%s:%u:1: [client] %s", s->file, s->client_pos.line, msg);
		return -1;
	}

	/* the gateway(s) */
	for (int k = 0; k < t->n_members; k++) {
		char name[16];
		snprintf(name, sizeof name, t->n_members > 1 ? "gw%d" : "gw", k + 1);
		struct host_cfg hg = {.name = name, .seed = t->seed, .events = &t->sink, .hooks = hooks};
		t->gw_host[k] = host_new(t->gw_node[k], &hg);
		if (!t->gw_host[k])
			return fail(err, cap, name);
		struct ike_config *g = &t->gcfg[k];
		*g = s->gateway;
		if (!g->local_addr)
			g->local_addr = s->gateway_end.addr;
		scn_copy(g->name, sizeof g->name, name);
		creds(t, g, 1);
		if (ike_config_load_credentials(g, msg, sizeof msg) < 0 ||
		    ike_config_check(g, msg, sizeof msg) < 0) {
			snprintf(err, cap, "%s:%u:1: [gateway] %s", s->file, s->gateway_pos.line, msg);
			return -1;
		}
		if (host_tun_add(t->gw_host[k], s->gateway_end.inner, 32) < 0)
			return fail(err, cap, "gateway tunnel");
		if (g->pool_lo) {
			uint32_t net;
			int p = pool_prefix(g, &net);
			if (host_tun_route(t->gw_host[k], net, p) < 0)
				return fail(err, cap, "gateway pool route");
		}
		if (t->client_inner && host_tun_route(t->gw_host[k], t->client_inner, 32) < 0)
			return fail(err, cap, "gateway route to the client");
		t->gw_ike[k] = host_ike_add(t->gw_host[k], g, msg, sizeof msg);
		if (!t->gw_ike[k]) {
			snprintf(err, cap, "%s:%u:1: [gateway] %s", s->file, s->gateway_pos.line, msg);
			return -1;
		}
	}
	return 0;
}

int scn_build(struct scn_topo *t, const struct scn *s, uint64_t seed, const struct ev_sink *sink,
	      const struct host_hooks *hooks, char *err, size_t cap)
{
	memset(t, 0, sizeof *t);
	t->s = s;
	t->seed = seed;
	if (sink)
		t->sink = *sink;
	t->n_members = scn_members(s);

	/* nodes */
	t->client_node = ns3shim_node_add("client", NS3SHIM_HOST);
	if (t->client_node < 0)
		return fail(err, cap, "client node");
	for (size_t i = 0; i < s->n_boxes; i++) {
		t->box_node[i] = ns3shim_node_add(s->boxes[i].name, NS3SHIM_RAW);
		if (t->box_node[i] < 0)
			return fail(err, cap, s->boxes[i].name);
	}
	for (int k = 0; k < t->n_members; k++) {
		char name[16];
		snprintf(name, sizeof name, t->n_members > 1 ? "gw%d" : "gw", k + 1);
		t->gw_node[k] = ns3shim_node_add(name, NS3SHIM_HOST);
		if (t->gw_node[k] < 0)
			return fail(err, cap, name);
	}

	/* links, in path order, so each box's device 0 faces the client */
	for (size_t li = 0; li < s->n_links; li++) {
		int a = li == 0 ? t->client_node : t->box_node[li - 1];
		int last = li + 1 == s->n_links;
		if (!last) {
			if (add_link(t, (int)li, 0, a, t->box_node[li], err, cap) < 0)
				return -1;
			continue;
		}
		for (int k = 0; k < t->n_members; k++)
			if (add_link(t, (int)li, t->n_members > 1 ? k + 1 : 0, a, t->gw_node[k], err, cap) < 0)
				return -1;
	}

	if (host_addr(t->client_node, &s->client_end, "client address", err, cap) < 0)
		return -1;
	for (int k = 0; k < t->n_members; k++)
		if (host_addr(t->gw_node[k], &s->gateway_end, "gateway address", err, cap) < 0)
			return -1;
	for (size_t i = 0; i < s->n_boxes; i++)
		if (add_box(t, i, err, cap) < 0)
			return -1;
	if (s->has_client && engines(t, hooks, err, cap) < 0)
		return -1;
	return 0;
}

void scn_topo_release(struct scn_topo *t)
{
	for (size_t i = 0; i < SCN_MAX_BOXES; i++) {
		crypto_drbg_free(t->box_drbg[i]);
		t->box_drbg[i] = NULL;
	}
	if (t->s && t->s->has_client) {
		ike_config_free_credentials(&t->ccfg);
		for (int k = 0; k < t->n_members; k++)
			ike_config_free_credentials(&t->gcfg[k]);
	}
	if (t->have_pki) {
		crypto_x509_free(t->gw_cert);
		crypto_sig_key_free(t->gw_key);
		crypto_testpki_free(&t->pki);
		t->have_pki = 0;
	}
	crypto_x509_store_free(t->trust_c);
	crypto_x509_store_free(t->trust_g);
	t->trust_c = t->trust_g = NULL;
}
