/*
 * mbox_mtu.h — an IPv4 router with a (changeable) egress MTU per interface,
 * forwarding 0 <-> 1. It exists because ns-3 3.37 ignores DF when
 * forwarding and never sends ICMP "fragmentation needed" (NS3-NOTES.md).
 *
 * For each packet, in the order Linux's ip_forward uses:
 *   1. TTL (if decrement_ttl): TTL <= 1 is dropped ("ttl-exceeded") with an
 *      ICMP 11/0 (RFC 1812 §5.3.1); otherwise TTL is decremented and the
 *      header checksum updated incrementally.
 *   2. Longer than the egress MTU and DF set:
 *        icmp       dropped; ICMP 3/4 (RFC 792, next-hop MTU in the low 16
 *                   bits of the rest-of-header, RFC 1191 §4) sent from
 *                   |addr| back out the ingress interface to the source,
 *                   quoting the datagram as received (before the TTL
 *                   decrement): header + as much as keeps the error within
 *                   576 octets (RFC 1812 §4.3.2.3) and within the ingress
 *                   MTU, or header + 8 octets (quote = rfc792). Errors are
 *                   token-bucket limited (one token per icmp_interval_ns,
 *                   bucket icmp_burst; default 1 s and 6 as Linux's
 *                   icmp_ratelimit / XRLIM_BURST_FACTOR, but one bucket for
 *                   the router, not one per destination). Counted
 *                   "frag-needed", or "frag-needed-rate-limited" when the
 *                   bucket was empty.
 *        blackhole  dropped silently, counted "pmtu-blackhole" (+ event).
 *      No ICMP is ever sent about an ICMP error or a non-first fragment
 *      (RFC 1812 §4.3.2.7); such a packet counts as "pmtu-blackhole".
 *   3. Longer and DF clear: fragmented (RFC 791; copied options only in
 *      later fragments; "frag-failed" if the options are malformed).
 */
#ifndef VPNLAB_SIM_MBOX_MTU_H
#define VPNLAB_SIM_MBOX_MTU_H

#include "sim/mbox/mbox.h"

enum mbox_mtu_mode {
	MBOX_MTU_ICMP,
	MBOX_MTU_BLACKHOLE,
};

enum mbox_mtu_quote {
	MBOX_MTU_QUOTE_RFC1812, /* up to 576 octets in all */
	MBOX_MTU_QUOTE_RFC792,  /* header + 8 octets */
};

struct mbox_mtu_cfg {
	const char *name;
	uint32_t addr;              /* the router's address: source of its ICMP */
	size_t mtu[2];              /* egress MTU of interfaces 0 and 1; 1500 */
	enum mbox_mtu_mode mode;    /* default icmp */
	enum mbox_mtu_quote quote;  /* default rfc1812 */
	uint64_t icmp_interval_ns;  /* one token per interval; 1 s; 0 = unlimited */
	uint32_t icmp_burst;        /* bucket size (and initial fill); 6 */
	int decrement_ttl;          /* default 1 */
};

void mbox_mtu_cfg_default(struct mbox_mtu_cfg *c);
struct mbox *mbox_mtu_new(const struct mbox_mtu_cfg *cfg, const struct mbox_io *io, char *err,
			  size_t errlen);

/*
 * mbox_mtu_set changes the egress MTU of |ifindex| at |now| (the scenario
 * engine schedules it); emits {"ev":"mtu","if":i,"from":a,"to":b}. Returns
 * 0, or -1 for a non-MTU box, a bad interface or an MTU below 68.
 */
int mbox_mtu_set(struct mbox *mb, uint64_t now, int ifindex, size_t mtu);
/* mbox_mtu_get returns the egress MTU of |ifindex| (0 if not an MTU router). */
size_t mbox_mtu_get(const struct mbox *mb, int ifindex);
/* mbox_mtu_icmp_sent counts ICMP errors sent; mbox_mtu_fragmented datagrams split. */
uint64_t mbox_mtu_icmp_sent(const struct mbox *mb);
uint64_t mbox_mtu_fragmented(const struct mbox *mb);

const char *mbox_mtu_mode_name(enum mbox_mtu_mode m);
int mbox_mtu_mode_from_name(const char *name);

#endif
