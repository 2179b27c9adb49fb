/*
 * node_mbox.h — hosts a middlebox (sim/mbox/mbox.h, sans-IO C) on a raw
 * ns-3 node (sim/ns3shim.h):
 *
 *   device d of the node ──ns3shim_l3_hook──► mbox_input(box, now, if, ...)
 *   box io.send(if, ...) ──ns3shim_dev_send──► device ifmap[if]
 *   mbox_deadline(box)   ──one ns3shim timer──► mbox_on_deadline(box, now)
 *   box events           ──────────────────────► the caller's ev_sink
 *
 * The box needs its io at construction, so the glue comes first:
 *
 *   struct node_mbox *nm = node_mbox_new(node, &sink, &rng);
 *   struct mbox *nat = mbox_nat_new(&cfg, node_mbox_io(nm), err, sizeof err);
 *   node_mbox_attach(nm, nat, (const int[]){0, 1}, 2);  // box if i = device ifmap[i]
 *
 * After changing a box from outside (mbox_mtu_set, mbox_cluster_set_member,
 * mbox_nat_reboot, mbox_impair_set) call node_mbox_poke so a new deadline
 * is scheduled. The glue owns the box after attach: both are freed by
 * ns3shim_destroy. A packet the box sends that the device refuses (longer
 * than the link MTU, queue full) is counted and reported as
 *   {"src":"node","ev":"drop","reason":"link-mtu"|"queue-full","node":n,"dev":d,"len":l}
 */
#ifndef VPNLAB_SIM_NODE_MBOX_H
#define VPNLAB_SIM_NODE_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/util/evlog.h"
#include "sim/mbox/mbox.h"

struct node_mbox;

struct node_mbox_stats {
	uint64_t in;            /* packets handed to the box */
	uint64_t out;           /* packets the box sent that left on a device */
	uint64_t drop_link_mtu; /* box sent more than the device MTU */
	uint64_t drop_queue;    /* device queue full */
	uint64_t unmapped;      /* arrived on a device no box interface maps to */
	uint64_t deadlines;     /* mbox_on_deadline calls */
};

/*
 * node_mbox_new prepares raw |node| for a box; |events| and |rng| (either
 * may be NULL) are copied into the io the box will get. NULL on error
 * (ns3shim_last_error says why).
 */
struct node_mbox *node_mbox_new(int node, const struct ev_sink *events,
				const struct crypto_rng *rng);
/* node_mbox_io is the io to pass to the box's constructor. */
const struct mbox_io *node_mbox_io(struct node_mbox *nm);
/*
 * node_mbox_attach gives |box| (built with node_mbox_io(nm)) to the glue:
 * box interface i is device |ifmap|[i] of the node, |nifs| = mbox_nifs().
 * Starts the L3 hook. 0, or a negative NS3SHIM_E* code.
 */
int node_mbox_attach(struct node_mbox *nm, struct mbox *box, const int *ifmap, int nifs);
struct mbox *node_mbox_box(const struct node_mbox *nm);
/* node_mbox_poke re-reads the box's deadline and re-arms the timer. */
void node_mbox_poke(struct node_mbox *nm);
void node_mbox_stats(const struct node_mbox *nm, struct node_mbox_stats *out);

#endif
