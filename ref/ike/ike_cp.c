/*
 * ike_cp.c — the configuration payload ("office mode", RFC 7296 §2.19,
 * §3.15; split DNS RFC 8598):
 *
 *   client:  CP(CFG_REQUEST) {INTERNAL_IP4_ADDRESS(), INTERNAL_IP4_DNS(), INTERNAL_DNS_DOMAIN()}
 *   gateway: CP(CFG_REPLY)   {INTERNAL_IP4_ADDRESS(a), INTERNAL_IP4_NETMASK(m),
 *                             INTERNAL_IP4_DNS(d)..., INTERNAL_DNS_DOMAIN(name)...}
 *
 * The gateway leases addresses from its pool (first free; the one the
 * client asked for when it is free) and returns them when the IKE SA ends.
 * An empty pool is INTERNAL_ADDRESS_FAILURE (§3.15.4).
 */
#include "ref/ike/ike_engine.h"

#include <string.h>

int ike_cp_request(struct ike_sa *sa, struct ike_out *o)
{
	struct ike_payload *pl = sa->eng->pl;

	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_CP;
	pl->u.cp.type = IKE_CFG_REQUEST;
	pl->u.cp.n = 3;
	pl->u.cp.a[0].type = IKE_CPA_INTERNAL_IP4_ADDRESS;
	pl->u.cp.a[1].type = IKE_CPA_INTERNAL_IP4_DNS;
	pl->u.cp.a[2].type = IKE_CPA_INTERNAL_DNS_DOMAIN;
	return ike_out_add(o, pl);
}

/* lease picks a free pool address (|want| if free and inside); 0 when the pool is empty. */
static uint32_t lease(struct ike_engine *e, uint32_t want)
{
	if (e->pool_used == NULL)
		return 0;
	if (want >= e->cfg.pool_lo && want - e->cfg.pool_lo < e->pool_size && !e->pool_used[want - e->cfg.pool_lo]) {
		e->pool_used[want - e->cfg.pool_lo] = 1;
		return want;
	}
	for (size_t i = 0; i < e->pool_size; i++)
		if (!e->pool_used[i]) {
			e->pool_used[i] = 1;
			return e->cfg.pool_lo + (uint32_t)i;
		}
	return 0;
}

int ike_cp_answer(struct ike_sa *sa, struct ike_rx *rx, struct ike_out *o)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *p = ike_msg_find(&rx->m, IKE_PL_CP, 0);
	struct ike_payload *pl = e->pl;
	struct ike_cp_pl req;
	uint8_t addr[4], mask[4], dns[IKE_CFG_DNS_MAX][4];
	uint32_t want = 0;
	int asked = 0;
	struct evbuf b;
	char ip[16];

	if (p == NULL || ike_payload_cp_parse(&req, p->body, p->len, NULL) < 0 || req.type != IKE_CFG_REQUEST)
		return 0;
	for (size_t i = 0; i < req.n; i++)
		if (req.a[i].type == IKE_CPA_INTERNAL_IP4_ADDRESS) {
			asked = 1;
			if (req.a[i].len == 4)
				want = ike_get32(req.a[i].val);
		}
	if (!asked || e->cfg.pool_lo == 0)
		return 0;
	if (sa->vip == 0)
		sa->vip = lease(e, want);
	if (sa->vip == 0) {
		ike_ev_drop(e, sa, "pool", "address pool exhausted: INTERNAL_ADDRESS_FAILURE");
		return -1;
	}
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_CP;
	pl->u.cp.type = IKE_CFG_REPLY;
	ike_put32(addr, sa->vip);
	pl->u.cp.a[pl->u.cp.n++] = (struct ike_cp_attr){IKE_CPA_INTERNAL_IP4_ADDRESS, 4, addr};
	if (e->cfg.pool_netmask != 0) {
		ike_put32(mask, e->cfg.pool_netmask);
		pl->u.cp.a[pl->u.cp.n++] = (struct ike_cp_attr){IKE_CPA_INTERNAL_IP4_NETMASK, 4, mask};
	}
	for (size_t i = 0; i < e->cfg.n_dns; i++) {
		ike_put32(dns[i], e->cfg.dns[i]);
		pl->u.cp.a[pl->u.cp.n++] = (struct ike_cp_attr){IKE_CPA_INTERNAL_IP4_DNS, 4, dns[i]};
	}
	/* RFC 8598 §4: one INTERNAL_DNS_DOMAIN per domain, the name in ASCII, no NUL */
	for (size_t i = 0; i < e->cfg.n_domains; i++)
		pl->u.cp.a[pl->u.cp.n++] = (struct ike_cp_attr){IKE_CPA_INTERNAL_DNS_DOMAIN,
								 (uint16_t)strlen(e->cfg.domains[i]),
								 (const uint8_t *)e->cfg.domains[i]};
	ike_ev_begin(&b, e, sa, "lease");
	ev_str(&b, "vip", ike_ev_ip(sa->vip, ip));
	ike_ev_emit(e, &b);
	return ike_out_add(o, pl) < 0 ? -1 : 1;
}

void ike_cp_accept(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_pl *p = ike_msg_find(&rx->m, IKE_PL_CP, 0);
	struct ike_cp_pl rep;
	struct evbuf b;
	char ip[16];

	if (p == NULL || ike_payload_cp_parse(&rep, p->body, p->len, NULL) < 0 || rep.type != IKE_CFG_REPLY)
		return;
	sa->n_dns = sa->n_domains = 0;
	for (size_t i = 0; i < rep.n; i++) {
		const struct ike_cp_attr *a = &rep.a[i];

		if (a->type == IKE_CPA_INTERNAL_IP4_ADDRESS && a->len == 4)
			sa->vip = ike_get32(a->val);
		else if (a->type == IKE_CPA_INTERNAL_IP4_DNS && a->len == 4 && sa->n_dns < IKE_CFG_DNS_MAX)
			sa->dns[sa->n_dns++] = ike_get32(a->val);
		else if (a->type == IKE_CPA_INTERNAL_DNS_DOMAIN && a->len > 0 && a->len < IKE_CFG_DOMAIN_LEN &&
			 sa->n_domains < IKE_CFG_DOMAIN_MAX) {
			memcpy(sa->domains[sa->n_domains], a->val, a->len);
			sa->domains[sa->n_domains][a->len] = '\0';
			sa->n_domains++;
		}
	}
	ike_ev_begin(&b, sa->eng, sa, "config");
	ev_str(&b, "vip", ike_ev_ip(sa->vip, ip));
	ev_u64(&b, "dns", sa->n_dns);
	if (sa->n_domains)
		ev_str(&b, "domain", sa->domains[0]);
	ike_ev_emit(sa->eng, &b);
}

void ike_cp_release(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;

	if (e->cfg.role == IKE_ROLE_GATEWAY && sa->vip != 0 && e->pool_used != NULL && sa->vip >= e->cfg.pool_lo &&
	    sa->vip - e->cfg.pool_lo < e->pool_size)
		e->pool_used[sa->vip - e->cfg.pool_lo] = 0;
	if (e->cfg.role == IKE_ROLE_GATEWAY)
		sa->vip = 0;
}
