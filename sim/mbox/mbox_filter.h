/*
 * mbox_filter.h — port filter ("hotel firewall") between inside (0) and
 * outside (1): an allow-list of (direction, protocol, port range), e.g.
 * only TCP 80 and 443 outbound (the default rules).
 *
 * A rule matches a packet of its protocol whose destination port is in
 * range (protocols without ports, e.g. ESP: the protocol alone).
 *
 *   stateful   (default) a packet matching a rule creates or refreshes a
 *              flow (protocol, inside addr/port, outside addr/port); any
 *              packet of a live flow passes in either direction and
 *              refreshes it. Inbound without a flow or an "in" rule is
 *              "filter-no-state". Idle timeouts: UDP 30 s, TCP 7440 s,
 *              others (ICMP echo, ESP) 60 s; TCP is not state-tracked
 *              beyond that (a FIN does not shorten it).
 *   symmetric  stateless: outbound passes if an "out" rule matches its
 *              destination port; inbound passes if an "out" rule matches
 *              its source port (the server's reply) or an "in" rule its
 *              destination port.
 *
 * ICMP: echo requests outbound (and their replies) pass only with
 * icmp_echo_out (default off: hotels commonly block ping); ICMP errors
 * (3, 4, 5, 11, 12) pass in either direction, with icmp_errors (default
 * on), when the packet they quote belongs to an allowed flow (stateful) or
 * matches a rule (symmetric) — so PMTU discovery keeps working for allowed
 * traffic. Anything else is "filter-icmp".
 *
 * Fragments: the first fragment is judged on its ports. Non-first
 * fragments carry none:
 *   drop   every non-first fragment dropped ("frag-non-first")
 *   track  (default) passed if the first fragment of the same (src, dst,
 *          proto, id) passed within 30 s, else "frag-untracked"
 *   allow  all passed (the stateless hole of RFC 1858)
 */
#ifndef VPNLAB_SIM_MBOX_FILTER_H
#define VPNLAB_SIM_MBOX_FILTER_H

#include "sim/mbox/mbox.h"

enum mbox_filter_mode {
	MBOX_FILTER_STATEFUL,
	MBOX_FILTER_SYMMETRIC,
};

enum mbox_filter_frag {
	MBOX_FILTER_FRAG_DROP,
	MBOX_FILTER_FRAG_TRACK,
	MBOX_FILTER_FRAG_ALLOW,
};

enum mbox_filter_dir {
	MBOX_FILTER_OUT, /* inside -> outside, matched on destination port */
	MBOX_FILTER_IN,  /* outside -> inside, matched on destination port */
};

struct mbox_filter_rule {
	enum mbox_filter_dir dir;
	uint8_t proto;
	uint16_t port_lo, port_hi;
};

enum { MBOX_FILTER_MAX_RULES = 32 };

struct mbox_filter_cfg {
	const char *name;
	struct mbox_filter_rule rules[MBOX_FILTER_MAX_RULES];
	size_t nrules;                /* default: out TCP 80, out TCP 443 */
	enum mbox_filter_mode mode;   /* default stateful */
	enum mbox_filter_frag frag;   /* default track */
	int icmp_echo_out;            /* default 0 */
	int icmp_errors;              /* default 1 */
	uint64_t udp_timeout_ns;      /* 30 s */
	uint64_t tcp_timeout_ns;      /* 7440 s */
	uint64_t other_timeout_ns;    /* 60 s */
	uint64_t frag_timeout_ns;     /* 30 s */
	uint64_t sweep_ns;            /* 1 s */
};

void mbox_filter_cfg_default(struct mbox_filter_cfg *c);
struct mbox *mbox_filter_new(const struct mbox_filter_cfg *cfg, const struct mbox_io *io,
			     char *err, size_t errlen);
/* mbox_filter_flows counts flows held (stateful mode). */
size_t mbox_filter_flows(const struct mbox *mb);

const char *mbox_filter_mode_name(enum mbox_filter_mode m);
int mbox_filter_mode_from_name(const char *name);
const char *mbox_filter_frag_name(enum mbox_filter_frag f);
int mbox_filter_frag_from_name(const char *name);

#endif
