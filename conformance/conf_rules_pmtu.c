/*
 * conf_rules_pmtu.c — Path MTU discovery (RFC 1191, RFC 791).
 *
 *   RFC 791 §3.2   "Every internet module must be able to forward a datagram
 *                  of 68 octets without further fragmentation": no link
 *                  MTU, so no Next-Hop MTU in an ICMP 3/4, is below 68.
 *                  (RFC 1191 §3: "A host MUST never reduce its estimate of
 *                  the Path MTU below 68 octets.") A Next-Hop MTU of 0 is a
 *                  pre-RFC 1191 router and is not a violation.
 *   RFC 1191 §3    "When a host receives a Datagram Too Big message, it
 *                  MUST reduce its estimate of the PMTU for the relevant
 *                  path" and "MUST attempt to avoid eliciting more such
 *                  messages in the near future": later DF packets on that
 *                  path (source and destination of the quoted header) are
 *                  no larger than the MTU named, after pmtu_grace seconds
 *                  (the ICMP may be captured before the host has it).
 */
#include "conformance/conf_ipv4.h"
#include "conformance/conf_rule.h"

static void chk_mtu_min(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (k->kind != CONF_K_ICMP || k->icmp.type != CONF_ICMP_UNREACH ||
		    k->icmp.code != CONF_ICMP_UNREACH_NEEDFRAG)
			continue;
		conf_checked(r);
		if (k->icmp.mtu != 0 && k->icmp.mtu < 68) {
			char a[16];
			conf_fail(r, k->num, "frame %u: ICMP fragmentation-needed from %s names Next-Hop MTU %u, below "
				  "the IPv4 minimum of 68", k->num, conf_ipv4_fmt(k->src, a), k->icmp.mtu);
		}
	}
	conf_pass(r, "%u ICMP 3/4 messages, every Next-Hop MTU 0 (unknown) or >= 68", r->n_checked);
}

static void chk_df(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	uint64_t grace = (uint64_t)(x->p->pmtu_grace * 1e9);
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		if (k->kind != CONF_K_ICMP || k->icmp.type != CONF_ICMP_UNREACH ||
		    k->icmp.code != CONF_ICMP_UNREACH_NEEDFRAG || !k->icmp.has_inner || k->icmp.mtu < 68)
			continue;
		conf_checked(r);
		uint32_t src = k->icmp.in_src, dst = k->icmp.in_dst;
		uint16_t mtu = k->icmp.mtu;
		uint32_t bad = 0;
		for (uint32_t j = i + 1; j < c->n_pkt; j++) {
			const struct conf_pkt *q = &c->pkt[j];
			if (!q->ip_ok || !q->df || q->src != src || q->dst != dst || q->t_ns < k->t_ns + grace)
				continue;
			if (q->ip_len <= mtu)
				continue;
			if (!bad) {
				char a[16], b[16];
				conf_fail(r, q->num,
					  "frame %u: DF packet of %u octets %s -> %s after ICMP 3/4 (frame %u) named MTU %u "
					  "for that path", q->num, q->ip_len, conf_ipv4_fmt(src, a), conf_ipv4_fmt(dst, b),
					  k->num, mtu);
				conf_fail_more(r, k->num);
			} else {
				conf_fail_more(r, q->num);
			}
			bad++;
		}
	}
	conf_pass(r, "%u ICMP 3/4 messages: later DF packets on their paths fit the MTU", r->n_checked);
}

const struct conf_rule conf_rules_pmtu[] = {
	{"pmtu-icmp-mtu-min", "RFC 1191 / RFC 791", "3", CONF_MUST, CONF_SET_PMTU,
	 "ICMP 3/4 names a Next-Hop MTU of 0 or at least 68", chk_mtu_min},
	{"pmtu-df-respected", "RFC 1191", "3", CONF_MUST, CONF_SET_PMTU,
	 "after ICMP 3/4, later DF packets on that path fit the MTU", chk_df},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
