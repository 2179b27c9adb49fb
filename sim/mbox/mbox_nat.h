/*
 * mbox_nat.h — hide-NAT (NAPT, RFC 3022 / RFC 4787 / RFC 5382 / RFC 5508):
 * many inside hosts (interface 0) behind one public address (interface 1).
 *
 * Mapping: endpoint-independent (RFC 4787 §4.1): one external port per
 * (protocol, inside address, inside port); ICMP echo identifiers are
 * mapped like ports (RFC 5508). Filtering of inbound packets is
 * configurable: endpoint-independent, address-dependent, or
 * address-and-port-dependent (default, the common CPE behaviour).
 *
 * Timeouts (idle, per mapping): UDP 30 s, ICMP 60 s, TCP 7440 s once both
 * directions were seen and no FIN/RST, 240 s before that (SYN only) and
 * after FIN or RST (RFC 5382 §5: "transitory"). Outbound packets refresh a
 * mapping; inbound ones only with refresh_inbound (default off: RFC 4787
 * REQ-6 requires outbound refresh and only allows inbound refresh, and
 * outbound-only is what makes client keepalives necessary — the field
 * behaviour the simulator must reproduce). TCP state changes in either
 * direction re-arm the timer with the new state's timeout.
 *
 * Expired mappings are invisible at once (checked on lookup); they are
 * swept and reported ("unmap" events) on a |sweep_ns| grid (default 1 s),
 * so the deadline does not fire once per mapping.
 *
 * Fragments (non-first fragments carry no UDP/TCP header):
 *   drop-non-first  the cheap NAT: first fragments are translated (they have
 *                   the ports), every non-first fragment is dropped with
 *                   "frag-non-first". "first-only" (translate the first,
 *                   drop the rest) is the same behaviour and is accepted as
 *                   an alias of this name.
 *   drop-all        every fragment, first included, is dropped ("fragment").
 *   track           first fragments are translated and remembered by
 *                   (src, dst, proto, id) for the reassembly timeout; later
 *                   fragments of that datagram get the same address
 *                   rewrite. A non-first fragment arriving before its first
 *                   fragment is dropped ("frag-untracked"): order matters.
 *   reassemble      fragments are reassembled (30 s timeout), the datagram
 *                   is translated, then refragmented to |mtu| if it is
 *                   longer (0 = forward whole; the NAT is not a PMTU
 *                   element, put an MTU router beside it for that).
 *
 * ICMP errors (types 3, 4, 5, 11, 12) are translated in both directions,
 * including the quoted packet: its addresses, port or echo id, its IP
 * header checksum and its UDP/TCP/ICMP checksum when quoted, and the outer
 * ICMP checksum; they never create or refresh a mapping. Every checksum is
 * updated incrementally (RFC 1624); a UDP checksum of 0 stays 0 (IPv4
 * allows it; note ns-3 with checksums on drops such packets).
 *
 * Not modelled: hairpinning, ESP/GRE passthrough (dropped as
 * "proto-unsupported"), TTL decrement, answering pings to the public address.
 */
#ifndef VPNLAB_SIM_MBOX_NAT_H
#define VPNLAB_SIM_MBOX_NAT_H

#include "sim/mbox/mbox.h"

enum mbox_nat_frag {
	MBOX_NAT_FRAG_DROP_NON_FIRST,
	MBOX_NAT_FRAG_DROP_ALL,
	MBOX_NAT_FRAG_TRACK,
	MBOX_NAT_FRAG_REASSEMBLE,
};

enum mbox_nat_alloc {
	MBOX_NAT_ALLOC_SEQUENTIAL, /* next free port after the last one given */
	MBOX_NAT_ALLOC_HASHED,     /* probe from hash(seed, proto, addr, port) */
};

enum mbox_nat_filter {
	MBOX_NAT_FILTER_EI,  /* any remote may send to a mapping */
	MBOX_NAT_FILTER_AD,  /* remotes whose address the inside host sent to */
	MBOX_NAT_FILTER_APD, /* remotes whose address and port it sent to */
};

struct mbox_nat_cfg {
	const char *name;              /* instance name for events; may be NULL */
	uint32_t public_addr;          /* required */
	uint16_t port_min, port_max;   /* external range; default 1024..65535 */
	int port_preserve;             /* keep the inside port if free (any value) */
	enum mbox_nat_alloc alloc;     /* when not preserved; default sequential */
	uint64_t hash_seed;
	enum mbox_nat_filter filter;   /* default address-and-port-dependent */
	uint64_t udp_timeout_ns;       /* 30 s */
	uint64_t icmp_timeout_ns;      /* 60 s */
	uint64_t tcp_est_timeout_ns;   /* 7440 s */
	uint64_t tcp_trans_timeout_ns; /* 240 s */
	int refresh_inbound;           /* default 0 */
	enum mbox_nat_frag frag;       /* default drop-non-first */
	size_t mtu;                    /* refragment reassembled datagrams; 1500 */
	uint64_t frag_timeout_ns;      /* reassembly / tracking; 30 s */
	uint64_t sweep_ns;             /* expiry sweep grid; 1 s */
};

void mbox_nat_cfg_default(struct mbox_nat_cfg *c);
struct mbox *mbox_nat_new(const struct mbox_nat_cfg *cfg, const struct mbox_io *io, char *err,
			  size_t errlen);

/*
 * mbox_nat_reboot flushes every mapping, fragment and counter cursor, as a
 * power cycle does; emits {"ev":"reboot","flushed":n}. Returns n, or -1 if
 * |mb| is not a NAT.
 */
long mbox_nat_reboot(struct mbox *mb, uint64_t now);
/* mbox_nat_mappings counts live and not yet swept mappings. */
size_t mbox_nat_mappings(const struct mbox *mb);
/*
 * mbox_nat_lookup returns 1 and the external port/id of the live mapping
 * of (|proto|, |in_addr|, |in_port|) at |now|, 0 if there is none.
 */
int mbox_nat_lookup(const struct mbox *mb, uint64_t now, uint8_t proto, uint32_t in_addr,
		    uint16_t in_port, uint16_t *ext_port);

const char *mbox_nat_frag_name(enum mbox_nat_frag f);
int mbox_nat_frag_from_name(const char *name); /* -1 if unknown; "first-only" = drop-non-first */
const char *mbox_nat_alloc_name(enum mbox_nat_alloc a);
int mbox_nat_alloc_from_name(const char *name);
const char *mbox_nat_filter_name(enum mbox_nat_filter f);
int mbox_nat_filter_from_name(const char *name);

#endif
