/*
 * demo.c — the issue #4 demo and the many-clients measurement (demo.h).
 * Everything is set up from the seed: ns-3's streams, every DRBG (engines,
 * ESP IVs, the PKI) and OpenSSL's internal RAND (ECDSA signature nonces),
 * so one seed gives byte-identical captures.
 */
#include "sim/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_testpki.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/node_mbox.h"
#include "sim/ns3shim.h"

#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)

#define IP_CLIENT NS3SHIM_IP(10, 0, 0, 2)
#define IP_CLIENT_GW NS3SHIM_IP(10, 0, 0, 1)
#define IP_CLIENT_NONAT NS3SHIM_IP(198, 51, 100, 3)
#define IP_NAT_PUB NS3SHIM_IP(198, 51, 100, 1)
#define IP_MTU_RTR NS3SHIM_IP(198, 51, 100, 254)
#define IP_GW NS3SHIM_IP(198, 51, 100, 2)
#define IP_GW_IN NS3SHIM_IP(10, 1, 0, 1)
#define IP_SERVER NS3SHIM_IP(10, 1, 0, 2)
#define IP_GW_TUN NS3SHIM_IP(10, 9, 255, 254)
#define NET_POOL NS3SHIM_IP(10, 9, 0, 0)

enum { DEMO_TCP_PORT = 5001, DEMO_CHAIN_DEFAULT = 4096 };

static const char demo_psk[] = "vpnlab demo pre-shared key";

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static int fail(char *err, size_t cap, const char *what)
{
	if (err && cap)
		snprintf(err, cap, "%s: %s", what, ns3shim_last_error());
	return -1;
}

static void set_id(struct ike_id_cfg *id, uint8_t type, const char *s)
{
	id->type = type;
	id->len = strlen(s);
	memcpy(id->data, s, id->len);
}

/* ---------------------------------------------------------------- credentials */

/* demo_pki: the certificates of one run, freed at ns3shim_destroy. */
struct demo_pki {
	struct crypto_testpki pki;
	struct crypto_x509 *client_cert;
	struct crypto_sig_key *client_key;
	struct crypto_x509 *inter[CRYPTO_TESTPKI_MAX_DEPTH];
	size_t n_inter;
	struct crypto_x509_store *trust;
};

static void demo_pki_free(void *ctx)
{
	struct demo_pki *p = ctx;
	crypto_testpki_free(&p->pki);
	crypto_x509_free(p->client_cert);
	crypto_sig_key_free(p->client_key);
	crypto_x509_store_free(p->trust);
	free(p);
}

/*
 * demo_pki_make: root -> intermediate -> {gateway, client}; the gateway's
 * end entity and the intermediate add up to |chain_len| octets (padding
 * extensions), which both peers send in IKE_AUTH.
 */
static struct demo_pki *demo_pki_make(uint64_t seed, size_t chain_len, char *err, size_t cap)
{
	struct demo_pki *p = calloc(1, sizeof *p);
	struct crypto_drbg *drbg = crypto_drbg_new(seed, "demo pki");
	if (!p || !drbg || ns3shim_at_destroy(demo_pki_free, p) < 0) {
		free(p);
		crypto_drbg_free(drbg);
		snprintf(err, cap, "demo pki: out of memory");
		return NULL;
	}
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_diag d = {0};
	struct crypto_testpki_params pp = {
		.key_type = CRYPTO_SIG_KEY_EC_P256,
		.depth = 2,
		.org = "vpnlab demo",
		.ee = {.cn = "vpn.example.org", .n_san = 1,
		       .san = {{CRYPTO_X509_ID_FQDN, "vpn.example.org"}}},
		.target_chain_len = chain_len,
		.not_before = 1700000000,
		.not_after = 2000000000,
	};
	struct crypto_testpki_ee cee = {.cn = "alice", .n_san = 1,
					.san = {{CRYPTO_X509_ID_RFC822_ADDR, "alice@example.org"}}};
	int r = crypto_testpki_make(&pp, &rng, &p->pki, &d);
	if (r == 0)
		r = crypto_testpki_issue_ee(&p->pki, &cee, &rng, &p->client_cert, &p->client_key, &d);
	crypto_drbg_free(drbg);
	if (r != 0) {
		snprintf(err, cap, "demo pki: %s", d.msg);
		return NULL;
	}
	p->n_inter = crypto_testpki_intermediates(&p->pki, p->inter, CRYPTO_TESTPKI_MAX_DEPTH);
	p->trust = crypto_x509_store_new();
	if (!p->trust || crypto_x509_store_add(p->trust, crypto_testpki_root(&p->pki)) != 0) {
		snprintf(err, cap, "demo pki: trust store");
		return NULL;
	}
	return p;
}

static void use_cert(struct ike_config *c, struct crypto_x509 *cert, struct crypto_sig_key *key,
		     const struct demo_pki *p)
{
	c->auth = c->remote_auth = IKE_AUTHC_PUBKEY;
	c->cert = cert;
	c->key = key;
	c->n_chain = p->n_inter < IKE_CFG_CHAIN_MAX ? p->n_inter : IKE_CFG_CHAIN_MAX;
	for (size_t i = 0; i < c->n_chain; i++)
		c->chain[i] = p->inter[i];
	c->trust = p->trust;
	c->cert_time = 0; /* simulated time starts at the epoch */
}

static void use_psk(struct ike_config *c)
{
	c->auth = c->remote_auth = IKE_AUTHC_PSK;
	memcpy(c->psk, demo_psk, sizeof demo_psk - 1);
	c->psk_len = sizeof demo_psk - 1;
}

/* ---------------------------------------------------------------- the demo */

struct demo {
	const struct demo_cfg *cfg;
	int c, nat, mtu, g, s;
	int c_dev, g_out, g_in, s_dev;
	struct host *hc, *hg;
	struct host_ike *ec, *eg;
	struct node_mbox *nm_nat, *nm_mtu;
	int ping, bulk, sink;
	uint64_t t_up;
	int up;
};

static void demo_free(void *ctx)
{
	free(ctx);
}

static void demo_traffic(void *ctx)
{
	struct demo *d = ctx;
	d->ping = host_ping(d->hc, IP_SERVER, 56, 200 * MS, d->cfg->pings ? d->cfg->pings : 5);
	d->bulk = host_tcp_bulk(d->hc, IP_SERVER, DEMO_TCP_PORT,
				d->cfg->tcp_bytes ? d->cfg->tcp_bytes : 1000000);
}

/* demo_child_up: the client's tunnel is up; traffic starts 10 ms later (not inside the engine's callback). */
static void demo_child_up(void *ctx, struct host *h, const struct ike_child_info *ci)
{
	struct demo *d = ctx;
	(void)h;
	(void)ci;
	if (d->up)
		return;
	d->up = 1;
	d->t_up = ns3shim_now();
	ns3shim_timer_in(10 * MS, demo_traffic, d);
}

static int demo_pcap(struct demo_result *out, const char *dir, int node, int dev, const char *name)
{
	if (!dir || out->n_pcaps >= DEMO_PCAPS)
		return 0;
	char *p = out->pcap[out->n_pcaps];
	snprintf(p, DEMO_PATH_MAX, "%s/%s.pcap", dir, name);
	int r = ns3shim_pcap_open(node, dev, p);
	if (r == 0)
		out->n_pcaps++;
	return r;
}

static int demo_topology(struct demo *d, struct demo_result *out, char *err, size_t cap)
{
	const struct demo_cfg *cfg = d->cfg;
	struct ns3shim_link_cfg edge = {.rate_bps = 100000000, .delay_ns = 1 * MS};
	struct ns3shim_link_cfg wan = {.rate_bps = 100000000, .delay_ns = 10 * MS};
	int nat_in = -1, nat_out = -1, mtu_in, mtu_out;
	d->c = ns3shim_node_add("client", NS3SHIM_HOST);
	if (!cfg->no_nat)
		d->nat = ns3shim_node_add("nat", NS3SHIM_RAW);
	d->mtu = ns3shim_node_add("mtu", NS3SHIM_RAW);
	d->g = ns3shim_node_add("gw", NS3SHIM_HOST);
	d->s = ns3shim_node_add("server", NS3SHIM_HOST);
	if (d->c < 0 || d->nat < 0 || d->mtu < 0 || d->g < 0 || d->s < 0)
		return fail(err, cap, "nodes");
	int r;
	if (cfg->no_nat)
		r = ns3shim_link_add(d->c, d->mtu, &edge, &d->c_dev, &mtu_in);
	else
		r = (ns3shim_link_add(d->c, d->nat, &edge, &d->c_dev, &nat_in) < 0 ||
		     ns3shim_link_add(d->nat, d->mtu, &wan, &nat_out, &mtu_in) < 0)
			    ? -1
			    : 0;
	if (r < 0 || ns3shim_link_add(d->mtu, d->g, &wan, &mtu_out, &d->g_out) < 0 ||
	    ns3shim_link_add(d->g, d->s, &edge, &d->g_in, &d->s_dev) < 0)
		return fail(err, cap, "links");
	uint32_t caddr = cfg->no_nat ? IP_CLIENT_NONAT : IP_CLIENT;
	if (ns3shim_addr_add(d->c, d->c_dev, caddr, 24) < 0 ||
	    ns3shim_addr_add(d->g, d->g_out, IP_GW, 24) < 0 ||
	    ns3shim_addr_add(d->g, d->g_in, IP_GW_IN, 24) < 0 ||
	    ns3shim_addr_add(d->s, d->s_dev, IP_SERVER, 24) < 0 ||
	    (!cfg->no_nat && ns3shim_route_add(d->c, 0, 0, IP_CLIENT_GW, d->c_dev) < 0) ||
	    ns3shim_route_add(d->s, 0, 0, IP_GW_IN, d->s_dev) < 0)
		return fail(err, cap, "addresses");

	char msg[256];
	if (!cfg->no_nat) {
		d->nm_nat = node_mbox_new(d->nat, cfg->events, NULL);
		struct mbox_nat_cfg nc;
		mbox_nat_cfg_default(&nc);
		nc.name = "nat";
		nc.public_addr = IP_NAT_PUB;
		nc.frag = MBOX_NAT_FRAG_DROP_NON_FIRST;
		struct mbox *nat = d->nm_nat ? mbox_nat_new(&nc, node_mbox_io(d->nm_nat), msg, sizeof msg)
					     : NULL;
		if (!nat) {
			snprintf(err, cap, "nat: %s", d->nm_nat ? msg : ns3shim_last_error());
			return -1;
		}
		if (node_mbox_attach(d->nm_nat, nat, (const int[]){nat_in, nat_out}, 2) < 0) {
			mbox_free(nat);
			return fail(err, cap, "nat attach");
		}
	}
	d->nm_mtu = node_mbox_new(d->mtu, cfg->events, NULL);
	struct mbox_mtu_cfg mc;
	mbox_mtu_cfg_default(&mc);
	mc.name = "mtu";
	mc.addr = IP_MTU_RTR;
	mc.mtu[0] = mc.mtu[1] = cfg->router_mtu ? cfg->router_mtu : 1280;
	mc.mode = MBOX_MTU_ICMP;
	struct mbox *mtu = d->nm_mtu ? mbox_mtu_new(&mc, node_mbox_io(d->nm_mtu), msg, sizeof msg) : NULL;
	if (!mtu) {
		snprintf(err, cap, "mtu router: %s", d->nm_mtu ? msg : ns3shim_last_error());
		return -1;
	}
	if (node_mbox_attach(d->nm_mtu, mtu, (const int[]){mtu_in, mtu_out}, 2) < 0) {
		mbox_free(mtu);
		return fail(err, cap, "mtu attach");
	}

	/* one capture per link (and per tunnel), named after the link's ends */
	if (demo_pcap(out, cfg->pcap_dir, d->c, d->c_dev, cfg->no_nat ? "client-mtu" : "client-nat") < 0 ||
	    (!cfg->no_nat && demo_pcap(out, cfg->pcap_dir, d->nat, nat_out, "nat-mtu") < 0) ||
	    demo_pcap(out, cfg->pcap_dir, d->g, d->g_out, "mtu-gw") < 0 ||
	    demo_pcap(out, cfg->pcap_dir, d->s, d->s_dev, "gw-server") < 0)
		return fail(err, cap, "pcap");
	return 0;
}

static int demo_engines(struct demo *d, struct demo_result *out, char *err, size_t cap)
{
	const struct demo_cfg *cfg = d->cfg;
	struct demo_pki *pki = NULL;
	if (cfg->cert) {
		pki = demo_pki_make(cfg->seed, cfg->chain_len ? cfg->chain_len : DEMO_CHAIN_DEFAULT,
				    err, cap);
		if (!pki)
			return -1;
	}
	struct host_hooks hooks = {.ctx = d, .child_up = demo_child_up};
	uint32_t caddr = cfg->no_nat ? IP_CLIENT_NONAT : IP_CLIENT;
	d->hc = host_new(d->c, &(struct host_cfg){.name = "client", .seed = cfg->seed,
						   .events = cfg->events, .hooks = &hooks});
	d->hg = host_new(d->g, &(struct host_cfg){.name = "gw", .seed = cfg->seed,
						   .events = cfg->events});
	if (!d->hc || !d->hg || host_tun_add(d->hc, 0, 0) < 0 ||
	    host_tun_add(d->hg, IP_GW_TUN, 32) < 0 || host_tun_route(d->hg, NET_POOL, 16) < 0)
		return fail(err, cap, "hosts");
	if (demo_pcap(out, cfg->pcap_dir, d->c, host_tun_dev(d->hc), "client-tun") < 0 ||
	    demo_pcap(out, cfg->pcap_dir, d->g, host_tun_dev(d->hg), "gw-tun") < 0)
		return fail(err, cap, "pcap");

	struct ike_config cc, gc;
	ike_config_init(&cc, IKE_ROLE_CLIENT);
	ike_config_init(&gc, IKE_ROLE_GATEWAY);
	cc.local_addr = caddr;
	cc.remote_addr = IP_GW;
	gc.local_addr = IP_GW;
	set_id(&cc.local_id, IKE_ID_RFC822_ADDR, "alice@example.org");
	set_id(&gc.local_id, IKE_ID_FQDN, "vpn.example.org");
	if (pki) {
		use_cert(&cc, pki->client_cert, pki->client_key, pki);
		use_cert(&gc, crypto_testpki_ee_cert(&pki->pki), crypto_testpki_ee_key(&pki->pki), pki);
		set_id(&cc.remote_id, IKE_ID_FQDN, "vpn.example.org");
	} else {
		use_psk(&cc);
		use_psk(&gc);
	}
	cc.fragmentation = gc.fragmentation = cfg->fragmentation ? IKE_FRAG_YES : IKE_FRAG_NO;
	cc.request_vip = 1;
	cc.n_remote_ts = 1;
	cc.remote_ts[0] = (struct ike_ts_cfg){NS3SHIM_IP(10, 1, 0, 0), NS3SHIM_IP(10, 1, 0, 255), 0, 0, 65535};
	gc.pool_lo = NS3SHIM_IP(10, 9, 0, 1);
	gc.pool_hi = NS3SHIM_IP(10, 9, 0, 100);
	gc.n_local_ts = 1;
	gc.local_ts[0] = cc.remote_ts[0];
	cc.log_keys = gc.log_keys = 1; /* SPIs and keys in the events: the captures can be decrypted */
	char msg[300];
	d->ec = host_ike_add(d->hc, &cc, msg, sizeof msg);
	d->eg = d->ec ? host_ike_add(d->hg, &gc, msg, sizeof msg) : NULL;
	if (!d->ec || !d->eg) {
		snprintf(err, cap, "engines: %s", msg);
		return -1;
	}
	if (host_ike_connect(d->ec, 100 * MS) < 0)
		return fail(err, cap, "connect");
	d->sink = ns3apps_tcp_sink(d->s, DEMO_TCP_PORT, 1000);
	if (d->sink < 0)
		return fail(err, cap, "tcp sink");
	return 0;
}

int demo_run(const struct demo_cfg *cfg, struct demo_result *out, char *err, size_t cap)
{
	if (!cfg || !out)
		return fail(err, cap, "demo_run: cfg or out is NULL");
	memset(out, 0, sizeof *out);
	uint64_t t0 = wall_ns();
	if (ns3shim_init((uint32_t)(cfg->seed ? cfg->seed : 1), 1) < 0)
		return fail(err, cap, "init");
	/* ECDSA signature nonces come from OpenSSL's RAND: make it the seed's too */
	crypto_openssl_rand_deterministic(cfg->seed);
	struct demo *d = calloc(1, sizeof *d);
	if (!d || ns3shim_at_destroy(demo_free, d) < 0) {
		free(d);
		return fail(err, cap, "out of memory");
	}
	d->cfg = cfg;
	d->ping = d->bulk = d->sink = -1;
	if (demo_topology(d, out, err, cap) < 0 || demo_engines(d, out, err, cap) < 0)
		return -1;
	uint64_t t1 = wall_ns();
	int64_t ev = ns3shim_run_until(cfg->duration_ns ? cfg->duration_ns : 200 * SEC);
	uint64_t t2 = wall_ns();
	if (ev < 0)
		return fail(err, cap, "run");

	out->setup_wall_ns = t1 - t0;
	out->run_wall_ns = t2 - t1;
	out->sim_events = ns3shim_event_count();
	out->established = d->up;
	out->t_up_ns = d->t_up;
	out->client_ike = *ike_engine_counts(host_ike_engine(d->ec));
	out->gw_ike = *ike_engine_counts(host_ike_engine(d->eg));
	if (ike_sa_count(host_ike_engine(d->ec)) > 0)
		ike_sa_status(host_ike_engine(d->ec), 0, &out->client_sa);
	host_stats(d->hc, &out->client);
	host_stats(d->hg, &out->gw);
	if (d->ping >= 0)
		ns3apps_stats(d->ping, &out->ping);
	ns3apps_stats(d->sink, &out->tcp_sink);
	out->tun_mtu = host_tun_mtu(d->hc);
	out->tcp_mss = host_tcp_mss(d->hc);
	if (d->nm_nat) {
		struct mbox *nat = node_mbox_box(d->nm_nat);
		out->nat_frag_drops = mbox_drop_count(nat, MBOX_DROP_FRAG_NON_FIRST);
		out->nat_drops = mbox_drop_total(nat);
	}
	struct mbox *mtu = node_mbox_box(d->nm_mtu);
	out->mtu_drops = mbox_drop_total(mtu);
	out->mtu_icmp = mbox_mtu_icmp_sent(mtu);
	out->mtu_fragmented = mbox_mtu_fragmented(mtu);
	host_stats_ev(d->hc);
	host_stats_ev(d->hg);
	return 0;
}

/* ---------------------------------------------------------------- many clients */

struct many {
	const struct demo_many_cfg *cfg;
	unsigned up;
	uint64_t t_all_up;
};

static void many_free(void *ctx)
{
	free(ctx);
}

static void many_child_up(void *ctx, struct host *h, const struct ike_child_info *ci)
{
	struct many *m = ctx;
	(void)h;
	(void)ci;
	if (++m->up == m->cfg->clients) {
		m->t_all_up = ns3shim_now();
		ns3shim_stop();
	}
}

/* addrs_tx: the dummy device holding the client addresses sends nothing. */
static void addrs_tx(void *ctx, int node, int dev, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)node;
	(void)dev;
	(void)pkt;
	(void)len;
}

/* many_client_addr: client |i| is host (i % 62) + 1 of the /26 block |i| / 62 in 10.0.0.0/16. */
static uint32_t many_client_addr(unsigned i)
{
	return NS3SHIM_IP(10, 0, 0, 0) + (i / DEMO_MANY_PER_NODE) * 64 + i % DEMO_MANY_PER_NODE + 1;
}

int demo_many(const struct demo_many_cfg *cfg, struct demo_many_result *out, char *err, size_t cap)
{
	if (!cfg || !out || cfg->clients < 1 || cfg->clients > 60000) {
		if (err && cap)
			snprintf(err, cap, "demo_many: clients %u: expected 1..60000", cfg ? cfg->clients : 0);
		return -1;
	}
	memset(out, 0, sizeof *out);
	uint64_t t0 = wall_ns();
	if (ns3shim_init((uint32_t)(cfg->seed ? cfg->seed : 1), 1) < 0)
		return fail(err, cap, "init");
	crypto_openssl_rand_deterministic(cfg->seed);
	struct many *m = calloc(1, sizeof *m);
	if (!m || ns3shim_at_destroy(many_free, m) < 0) {
		free(m);
		return fail(err, cap, "out of memory");
	}
	m->cfg = cfg;
	unsigned nodes = (cfg->clients + DEMO_MANY_PER_NODE - 1) / DEMO_MANY_PER_NODE;
	if (nodes > 250) {
		snprintf(err, cap, "demo_many: %u clients need %u client nodes, at most 250", cfg->clients,
			 nodes);
		return -1;
	}
	out->nodes = nodes;

	/* agg ── NAT ── gw ── server */
	struct ns3shim_link_cfg fast = {.rate_bps = 1000000000, .delay_ns = 1 * MS};
	struct ns3shim_link_cfg wan = {.rate_bps = 1000000000, .delay_ns = 10 * MS};
	int agg = ns3shim_node_add("agg", NS3SHIM_HOST);
	int nat = ns3shim_node_add("nat", NS3SHIM_RAW);
	int g = ns3shim_node_add("gw", NS3SHIM_HOST);
	int s = ns3shim_node_add("server", NS3SHIM_HOST);
	int agg_out, nat_in, nat_out, g_out, g_in, s_dev;
	if (agg < 0 || nat < 0 || g < 0 || s < 0 ||
	    ns3shim_link_add(agg, nat, &fast, &agg_out, &nat_in) < 0 ||
	    ns3shim_link_add(nat, g, &wan, &nat_out, &g_out) < 0 ||
	    ns3shim_link_add(g, s, &fast, &g_in, &s_dev) < 0)
		return fail(err, cap, "topology");
	if (ns3shim_addr_add(agg, agg_out, NS3SHIM_IP(10, 255, 0, 2), 24) < 0 ||
	    ns3shim_route_add(agg, 0, 0, NS3SHIM_IP(10, 255, 0, 1), agg_out) < 0 ||
	    ns3shim_addr_add(g, g_out, IP_GW, 24) < 0 || ns3shim_addr_add(g, g_in, IP_GW_IN, 24) < 0 ||
	    ns3shim_addr_add(s, s_dev, IP_SERVER, 24) < 0 ||
	    ns3shim_route_add(s, 0, 0, IP_GW_IN, s_dev) < 0)
		return fail(err, cap, "addresses");
	char msg[256];
	struct node_mbox *nm = node_mbox_new(nat, cfg->events, NULL);
	struct mbox_nat_cfg nc;
	mbox_nat_cfg_default(&nc);
	nc.name = "nat";
	nc.public_addr = IP_NAT_PUB;
	struct mbox *box = nm ? mbox_nat_new(&nc, node_mbox_io(nm), msg, sizeof msg) : NULL;
	if (!box || node_mbox_attach(nm, box, (const int[]){nat_in, nat_out}, 2) < 0) {
		if (box)
			mbox_free(box);
		snprintf(err, cap, "nat: %s", box ? ns3shim_last_error() : msg);
		return -1;
	}

	struct host *hg = host_new(g, &(struct host_cfg){.name = "gw", .seed = cfg->seed,
							  .events = cfg->events, .max_sas = cfg->clients});
	if (!hg || host_tun_add(hg, IP_GW_TUN, 32) < 0 || host_tun_route(hg, NET_POOL, 16) < 0)
		return fail(err, cap, "gateway host");
	struct ike_config gc, cc;
	ike_config_init(&gc, IKE_ROLE_GATEWAY);
	gc.local_addr = IP_GW;
	set_id(&gc.local_id, IKE_ID_FQDN, "vpn.example.org");
	use_psk(&gc);
	gc.pool_lo = NET_POOL + 1;
	gc.pool_hi = IP_GW_TUN - 1;
	gc.n_local_ts = 1;
	gc.local_ts[0] = (struct ike_ts_cfg){NS3SHIM_IP(10, 1, 0, 0), NS3SHIM_IP(10, 1, 0, 255), 0, 0, 65535};
	gc.max_sas = cfg->clients + 16;
	struct host_ike *eg = host_ike_add(hg, &gc, msg, sizeof msg);
	if (!eg) {
		snprintf(err, cap, "gateway engine: %s", msg);
		return -1;
	}

	/* client node k: link 172.16.k.0/30 to agg, engines on 10.0.0.0 + 64k + 1..62 (dummy device) */
	struct host_hooks hooks = {.ctx = m, .child_up = many_child_up};
	struct host **hc = calloc(nodes, sizeof *hc);
	if (!hc)
		return fail(err, cap, "out of memory");
	uint64_t stagger = cfg->stagger_ns ? cfg->stagger_ns : 1 * MS;
	int r = 0;
	for (unsigned k = 0; k < nodes && r == 0; k++) {
		char name[32];
		snprintf(name, sizeof name, "clients%u", k);
		int c = ns3shim_node_add(name, NS3SHIM_HOST);
		int c_dev, a_dev, dummy;
		uint32_t net = NS3SHIM_IP(172, 16, 0, 0) + (k << 8);
		if (c < 0 || ns3shim_link_add(c, agg, &fast, &c_dev, &a_dev) < 0 ||
		    ns3shim_addr_add(c, c_dev, net + 2, 30) < 0 ||
		    ns3shim_addr_add(agg, a_dev, net + 1, 30) < 0 ||
		    ns3shim_route_add(c, 0, 0, net + 1, c_dev) < 0 ||
		    ns3shim_route_add(agg, many_client_addr(k * DEMO_MANY_PER_NODE) - 1, 26, net + 2, a_dev) < 0 ||
		    (dummy = ns3shim_tun_add(c, 1500, addrs_tx, NULL)) < 0) {
			r = fail(err, cap, "client node");
			break;
		}
		hc[k] = host_new(c, &(struct host_cfg){.name = name, .seed = cfg->seed, .events = cfg->events,
							 .hooks = &hooks, .max_sas = DEMO_MANY_PER_NODE});
		if (!hc[k] || host_tun_add(hc[k], 0, 0) < 0) {
			r = fail(err, cap, "client host");
			break;
		}
		for (unsigned j = 0; j < DEMO_MANY_PER_NODE; j++) {
			unsigned i = k * DEMO_MANY_PER_NODE + j;
			if (i >= cfg->clients)
				break;
			if (ns3shim_addr_add(c, dummy, many_client_addr(i), 32) < 0) {
				r = fail(err, cap, "client address");
				break;
			}
			ike_config_init(&cc, IKE_ROLE_CLIENT);
			cc.local_addr = many_client_addr(i);
			cc.remote_addr = IP_GW;
			char id[64];
			snprintf(id, sizeof id, "client%u@example.org", i);
			set_id(&cc.local_id, IKE_ID_RFC822_ADDR, id);
			snprintf(cc.name, sizeof cc.name, "c%u", i);
			use_psk(&cc);
			cc.request_vip = 1;
			cc.n_remote_ts = 1;
			cc.remote_ts[0] = gc.local_ts[0];
			struct host_ike *e = host_ike_add(hc[k], &cc, msg, sizeof msg);
			if (!e || host_ike_connect(e, (uint64_t)i * stagger) < 0) {
				snprintf(err, cap, "client engine %u: %s", i, e ? ns3shim_last_error() : msg);
				r = -1;
				break;
			}
		}
	}
	if (r < 0) {
		free(hc);
		return -1;
	}
	uint64_t t1 = wall_ns();
	uint64_t dur = cfg->duration_ns ? cfg->duration_ns : stagger * cfg->clients + 30 * SEC;
	if (ns3shim_run_until(dur) < 0) {
		free(hc);
		return fail(err, cap, "run");
	}
	/* the server pings a sample of the clients' virtual addresses through the tunnels */
	unsigned sample = cfg->ping_sample ? cfg->ping_sample : 10;
	if (sample > 64)
		sample = 64;
	int apps[64];
	unsigned napps = 0;
	for (unsigned i = 0; i < cfg->clients && napps < sample; i += cfg->clients / sample + 1) {
		struct ike_sa_status st;
		struct host_ike *e = host_ike_get(hc[i / DEMO_MANY_PER_NODE], i % DEMO_MANY_PER_NODE);
		if (!e || ike_sa_count(host_ike_engine(e)) == 0 ||
		    ike_sa_status(host_ike_engine(e), 0, &st) < 0 || !st.vip)
			continue;
		int a = ns3apps_ping(s, st.vip, 56, 100 * MS, 1, 0);
		if (a >= 0)
			apps[napps++] = a;
	}
	if (ns3shim_run_until(ns3shim_now() + 2 * SEC) < 0) {
		free(hc);
		return fail(err, cap, "run");
	}
	uint64_t t2 = wall_ns();

	for (unsigned i = 0; i < napps; i++) {
		struct ns3apps_stats st;
		ns3apps_stats(apps[i], &st);
		out->pings_sent += (unsigned)st.tx_packets;
		out->pings_ok += (unsigned)st.rx_packets;
	}
	for (unsigned k = 0; k < nodes; k++) {
		for (size_t i = 0; i < host_ike_count(hc[k]); i++)
			out->established += (unsigned)host_ike_established(host_ike_get(hc[k], i));
		out->children += (unsigned)host_child_count(hc[k]);
	}
	free(hc);
	out->t_all_up_ns = m->t_all_up;
	out->gw_ike = *ike_engine_counts(host_ike_engine(eg));
	out->nat_mappings = mbox_nat_mappings(box);
	out->sim_events = ns3shim_event_count();
	out->setup_wall_ns = t1 - t0;
	out->run_wall_ns = t2 - t1;
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->max_rss_kb = ru.ru_maxrss;
	return 0;
}
