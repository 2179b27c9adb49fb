/*
 * scn_build.h — a scenario's topology on the simulator: nodes, links,
 * middleboxes (sim/node_mbox.h), captures, and the endpoints — host
 * adapters with IKE engines (sim/host.h) when the scenario has profiles,
 * plain hosts otherwise.
 *
 *   client ──link 0── box 0 ──link 1── ... ── box n-1 ──link n── gateway
 *
 * Node roles: the client and gateways are ns-3 hosts (device 1 is their
 * link; 0 is loopback); boxes are raw nodes whose device 0 faces the
 * client and device 1 (1..N for a cluster) the gateway(s). A cluster's
 * last link is built once per member.
 *
 * Addresses: the client's outer address/prefix with a default route via
 * its next hop; every gateway member owns the gateway address (the
 * cluster front end forwards unchanged). Inner side: the gateway's tunnel
 * has the gateway inner address and routes to its pool and to the
 * client's fixed inner address; the client's tunnel gets its VIP or its
 * fixed inner address.
 *
 * Call after ns3shim_init; scn_topo_release after ns3shim_destroy (the
 * PKI, DRBGs and copied profiles must outlive the simulation).
 */
#ifndef VPNLAB_SIM_SCN_BUILD_H
#define VPNLAB_SIM_SCN_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/util/evlog.h"
#include "sim/host.h"
#include "sim/node_mbox.h"
#include "sim/scenario/scn.h"

enum { SCN_MAX_PLINKS = SCN_MAX_LINKS + SCN_MAX_MEMBERS - 1 };

/* scn_plink: one simulated link (a scenario link, or one member copy of it). */
struct scn_plink {
	int link;        /* index in scn.links */
	int member;      /* 1..N for a cluster's member links, else 0 */
	int ns3_link;
	int node_a, dev_a; /* client side */
	int node_b, dev_b; /* gateway side */
};

struct scn_topo {
	const struct scn *s;
	uint64_t seed;
	struct ev_sink sink;
	int n_members;
	int client_node;
	int gw_node[SCN_MAX_MEMBERS];
	int box_node[SCN_MAX_BOXES];
	struct node_mbox *nm[SCN_MAX_BOXES];
	struct mbox *box[SCN_MAX_BOXES];
	struct crypto_drbg *box_drbg[SCN_MAX_BOXES];
	size_t n_plinks;
	struct scn_plink plink[SCN_MAX_PLINKS];

	/* with profiles */
	struct host *client_host;
	struct host *gw_host[SCN_MAX_MEMBERS];
	struct host_ike *client_ike;
	struct host_ike *gw_ike[SCN_MAX_MEMBERS];
	struct ike_config ccfg, gcfg[SCN_MAX_MEMBERS];
	uint32_t client_inner;     /* fixed inner address, 0 when the client asks for a VIP */
	int have_pki;
	struct crypto_testpki pki;
	struct crypto_x509 *gw_cert;
	struct crypto_sig_key *gw_key;
	struct crypto_x509_store *trust_c, *trust_g;
	size_t chain_len;          /* octets of the client's certificate chain */
};

/*
 * scn_build builds |s| (seed |seed|); events go to |sink|; |hooks| (may be
 * NULL) is given to every host adapter. Returns 0, or -1 with the reason
 * (naming the scenario line when it is the file's fault) in |err|.
 */
int scn_build(struct scn_topo *t, const struct scn *s, uint64_t seed, const struct ev_sink *sink,
	      const struct host_hooks *hooks, char *err, size_t cap);
/* scn_topo_release frees what outlives the simulation (call after ns3shim_destroy). */
void scn_topo_release(struct scn_topo *t);

#endif
