/*
 * scn_drops.h — packets the simulated network stack loses, as scenario
 * events: ns-3 drops no middlebox sees (sim/ns3shim.h ns3shim_drop_hook)
 * become one line each, so expectations can count them:
 *
 *   {"t":..,"src":"link","ev":"drop","reason":"tc-queue","link":"access",
 *    "node":"client","dev":1,"len":1428,"proto":17,"from":"10.0.0.2","to":"192.0.2.1"}
 *
 *   reason     what                                               counter
 *   tc-queue   a host's traffic-control layer discarded a packet  tc_drops
 *              because the device queue was full (a saturated
 *              link: the send reported success, nothing hit the wire)
 *   dev-queue  a host device refused a packet (queue full, size)  tx_drops
 *   link-loss  lost on the wire: the link's loss rate or a cut    rx_drops
 *
 * A box's own refused sends are reported by the box's node as
 * {"src":"node","ev":"drop","reason":"queue-full"|"link-mtu"} instead (not
 * twice). "link" is the scenario link the device belongs to, "tun" for a
 * tunnel device.
 */
#ifndef VPNLAB_SIM_SCN_DROPS_H
#define VPNLAB_SIM_SCN_DROPS_H

#include <stdint.h>

#include "ref/util/evlog.h"
#include "sim/scenario/scn_build.h"

struct scn_drops {
	const struct scn_topo *t;
	struct ev_sink sink;
	uint64_t n[4]; /* by enum ns3shim_drop_kind */
};

/* scn_drops_attach installs the hook for |t| (built) until ns3shim_destroy; events go to |sink|. */
int scn_drops_attach(struct scn_drops *d, const struct scn_topo *t, const struct ev_sink *sink);
/* scn_drop_reason: the event reason of an enum ns3shim_drop_kind ("?" if unknown). */
const char *scn_drop_reason(int kind);

#endif
