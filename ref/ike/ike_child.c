/*
 * ike_child.c — CHILD SAs (RFC 7296 §1.3.1, §2.9, §2.17): the first one,
 * piggybacked on IKE_AUTH, and further ones by CREATE_CHILD_SA:
 *
 *   HDR, SK {SA, Ni, TSi, TSr}  -->
 *                  <-- HDR, SK {SA, Nr, TSi, TSr}
 *
 * Traffic selector narrowing (§2.9): the responder intersects every
 * proposed selector with every one its policy allows (address range,
 * protocol, ports) and answers the non-empty intersections; nothing left
 * is TS_UNACCEPTABLE. A gateway that leased a virtual IP allows exactly
 * that address on the client's side. The initiator checks the answer only
 * narrows what it proposed.
 *
 * KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (ike_keys_child), i->r keys
 * first; the caller gets both directions in child_up and installs the ESP
 * SAs. PFS: when the ESP proposals list groups, CREATE_CHILD_SA carries
 * KEi/KEr (§1.3.1); N(INVALID_KE_PAYLOAD, group) is answered with a new
 * request naming that group. Rekeying (N(REKEY_SA)) lives in ike_rekey.c.
 *
 * An answer the initiator cannot take (TS outside what it proposed, §2.9;
 * a proposal it did not offer; PFS without KEr) leaves the responder with
 * an installed CHILD SA; the initiator deletes it (§1.4.1):
 *
 *                  <-- HDR, SK {SA, Nr, TSi, TSr}        (refused)
 *   HDR, SK {D(ESP, our SPI)} -->
 *                  <-- HDR, SK {D(ESP, its SPI)}
 *
 * Exchange collisions (§2.25): a CHILD SA request that arrives while the
 * IKE SA is being rekeyed (our CREATE_CHILD_SA for it is out, or the peer
 * already replaced it) or deleted gets N(TEMPORARY_FAILURE); the initiator
 * then waits IKE_TEMPFAIL_RETRY_NS and asks again — on the IKE SA that
 * replaced this one, if a rekey did — and closes the IKE SA when refusals
 * go on for IKE_TEMPFAIL_GIVE_UP_NS.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <string.h>

/* ts_from_payload converts IPv4 range selectors; other types are skipped. */
static size_t ts_from_payload(const struct ike_ts_pl *p, struct ike_ts_cfg *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n && n < IKE_CFG_TS_MAX; i++) {
		const struct ike_ts *t = &p->ts[i];

		if (t->type != IKE_TS_IPV4_ADDR_RANGE)
			continue;
		out[n].lo = ike_get32(t->start);
		out[n].hi = ike_get32(t->end);
		out[n].proto = t->ip_proto;
		out[n].port_lo = t->start_port;
		out[n].port_hi = t->end_port;
		n++;
	}
	return n;
}

static int add_ts(struct ike_out *o, struct ike_payload *pl, uint8_t type, const struct ike_ts_cfg *ts, size_t n)
{
	memset(pl, 0, sizeof *pl);
	pl->type = type;
	pl->u.ts.n = n;
	for (size_t i = 0; i < n; i++) {
		struct ike_ts *t = &pl->u.ts.ts[i];

		t->type = IKE_TS_IPV4_ADDR_RANGE;
		t->ip_proto = ts[i].proto;
		t->start_port = ts[i].port_lo;
		t->end_port = ts[i].port_hi;
		ike_put32(t->start, ts[i].lo);
		ike_put32(t->end, ts[i].hi);
	}
	return ike_out_add(o, pl);
}

/* narrow intersects |prop| with |allow| (§2.9); returns how many selectors remain. */
static size_t narrow(const struct ike_ts_cfg *prop, size_t np, const struct ike_ts_cfg *allow, size_t na,
		     struct ike_ts_cfg *out)
{
	size_t n = 0;

	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < na && n < IKE_CFG_TS_MAX; k++) {
			const struct ike_ts_cfg *p = &prop[i], *a = &allow[k];
			struct ike_ts_cfg r;
			int dup = 0;

			if (p->port_lo > p->port_hi || a->port_lo > a->port_hi)
				continue; /* OPAQUE ports (§3.13.1): nothing we can match */
			r.lo = p->lo > a->lo ? p->lo : a->lo;
			r.hi = p->hi < a->hi ? p->hi : a->hi;
			if (r.lo > r.hi)
				continue;
			if (p->proto != 0 && a->proto != 0 && p->proto != a->proto)
				continue;
			r.proto = p->proto ? p->proto : a->proto;
			r.port_lo = p->port_lo > a->port_lo ? p->port_lo : a->port_lo;
			r.port_hi = p->port_hi < a->port_hi ? p->port_hi : a->port_hi;
			if (r.port_lo > r.port_hi)
				continue;
			for (size_t j = 0; j < n && !dup; j++)
				dup = memcmp(&out[j], &r, sizeof r) == 0;
			if (!dup)
				out[n++] = r;
		}
	return n;
}

/* within: is every selector of |got| inside one of |prop|? */
static int within(const struct ike_ts_cfg *got, size_t ng, const struct ike_ts_cfg *prop, size_t np)
{
	for (size_t i = 0; i < ng; i++) {
		int ok = 0;

		for (size_t k = 0; k < np && !ok; k++)
			ok = got[i].lo >= prop[k].lo && got[i].hi <= prop[k].hi &&
			     (prop[k].proto == 0 || got[i].proto == prop[k].proto) && got[i].port_lo >= prop[k].port_lo &&
			     got[i].port_hi <= prop[k].port_hi;
		if (!ok)
			return 0;
	}
	return ng > 0;
}

/* allowed_local / allowed_remote: our policy for each side, with the virtual IP. */
static size_t allowed_local(const struct ike_sa *sa, struct ike_ts_cfg *out)
{
	const struct ike_config *c = &sa->eng->cfg;

	if (c->role == IKE_ROLE_CLIENT && sa->vip != 0) {
		out[0] = (struct ike_ts_cfg){sa->vip, sa->vip, 0, 0, 65535};
		return 1;
	}
	memcpy(out, c->local_ts, c->n_local_ts * sizeof *out);
	return c->n_local_ts;
}

static size_t allowed_remote(const struct ike_sa *sa, struct ike_ts_cfg *out)
{
	const struct ike_config *c = &sa->eng->cfg;

	if (c->role == IKE_ROLE_GATEWAY && sa->vip != 0) {
		out[0] = (struct ike_ts_cfg){sa->vip, sa->vip, 0, 0, 65535};
		return 1;
	}
	memcpy(out, c->remote_ts, c->n_remote_ts * sizeof *out);
	return c->n_remote_ts;
}

void ike_child_ev_offer(struct ike_sa *sa, size_t n_proposals)
{
	struct evbuf b;
	size_t size = sa->req.wire.len;

	if (!ike_ev_on(sa->eng))
		return;
	if (sa->path.local_port == sa->eng->cfg.natt_port)
		size += IKE_NON_ESP_MARKER_LEN * sa->req.wire.n;
	ike_ev_begin(&b, sa->eng, sa, "child_offer");
	ev_str(&b, "exchange", ike_exchange_name(sa->req.exchange));
	ev_str(&b, "list", sa->pending.small ? "small" : "full");
	ev_u64(&b, "proposals", n_proposals);
	ev_u64(&b, "size", size);
	ev_u64(&b, "frags", sa->req.wire.n > 1 ? sa->req.wire.n : 0);
	ike_ev_emit(sa->eng, &b);
}

int ike_dh_shared(const struct crypto_dh *dh, uint16_t group, const struct ike_msg *m, uint8_t *gir, size_t cap)
{
	const struct ike_pl *p = ike_msg_find(m, IKE_PL_KE, 0);
	struct ike_ke_pl ke;
	size_t gl = crypto_dh_shared_len((enum crypto_dh_group)group);

	if (dh == NULL || p == NULL || ike_payload_ke_parse(&ke, p->body, p->len, NULL) < 0 || ke.group != group ||
	    gl == 0 || gl > cap || crypto_dh_shared(dh, ke.data, ke.len, gir, gl) != 0)
		return -1;
	return (int)gl;
}

static int add_ke(struct ike_out *o, struct ike_payload *pl, const struct crypto_dh *dh, uint16_t group)
{
	uint8_t pub[512];
	size_t len = crypto_dh_pub_len((enum crypto_dh_group)group);

	if (len == 0 || len > sizeof pub || crypto_dh_public(dh, pub, len) != 0)
		return -1;
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_KE;
	pl->u.ke.group = group;
	pl->u.ke.data = pub;
	pl->u.ke.len = len;
	return ike_out_add(o, pl);
}

/* first_esp_group: the PFS group we propose first (0 when the ESP proposals list none). */
static uint16_t first_esp_group(const struct ike_props *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->p[i].n_ke > 0)
			return p->p[i].ke[0];
	return 0;
}

uint16_t ike_child_error(const struct ike_msg *m)
{
	const struct ike_pl *n;

	for (size_t i = 0; (n = ike_msg_find(m, IKE_PL_NOTIFY, i)) != NULL; i++)
		if (n->len >= 4 && ike_notify_is_error(ike_get16(n->body + 2)))
			return ike_get16(n->body + 2);
	return 0;
}

uint16_t ike_child_asked_group(const struct ike_msg *m, const struct ike_props *props)
{
	const struct ike_pl *p = ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	uint16_t g;

	if (p == NULL || p->len != 6)
		return 0;
	g = ike_get16(p->body + 4);
	for (size_t i = 0; i < props->n; i++)
		for (size_t k = 0; k < props->p[i].n_ke; k++)
			if (props->p[i].ke[k] == g)
				return g;
	return 0;
}

static void ev_tempfail(struct ike_sa *sa, const char *dir, const char *what, const char *why)
{
	struct evbuf b;

	if (!ike_ev_on(sa->eng))
		return;
	ike_ev_begin(&b, sa->eng, sa, "tempfail");
	ev_str(&b, "dir", dir);
	ev_str(&b, "what", what);
	if (why != NULL)
		ev_str(&b, "why", why);
	ike_ev_emit(sa->eng, &b);
}

int ike_child_tempfail(struct ike_sa *sa, const char *what)
{
	struct ike_sa *cur = ike_sa_current(sa);
	uint64_t now = sa->eng->now;

	sa->last_error = IKE_N_TEMPORARY_FAILURE;
	if (!cur->tempfail_run || now - cur->tempfail_since < IKE_TEMPFAIL_GIVE_UP_NS) {
		if (!cur->tempfail_run)
			cur->tempfail_since = now;
		cur->tempfail_run = 1;
		ev_tempfail(sa, "recv", what, "retry later");
		return 0;
	}
	/* §2.25: refused for several minutes: the two sides are out of sync */
	ev_tempfail(sa, "recv", what, "refused for too long: closing the IKE SA");
	cur->tempfail_run = 0;
	if (cur->state == IKE_S_ESTABLISHED) {
		if (cur->req.kind != IKE_REQ_NONE)
			cur->close_pending = 1;
		else
			ike_state_run(cur, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
	}
	return 1;
}

void ike_child_delete_orphan(struct ike_sa *sa)
{
	struct ike_payload *pl = sa->eng->pl;
	struct ike_out o;
	struct evbuf b;
	uint8_t spi[4];

	if (sa->orphan_spi == 0 || sa->req.kind != IKE_REQ_NONE || sa->keys == NULL ||
	    (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_AUTH_SENT))
		return;
	ike_put32(spi, sa->orphan_spi);
	ike_ev_begin(&b, sa->eng, sa, "child_refused");
	ev_hex(&b, "spi_in", spi, 4);
	ev_str(&b, "msg", "deleting the CHILD SA the peer installed for a refused answer (§1.4.1)");
	ike_ev_emit(sa->eng, &b);
	sa->orphan_spi = 0;
	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_DELETE;
	pl->u.del.proto = IKE_PROTO_ESP;
	pl->u.del.spi_size = 4;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = spi;
	ike_out_add(&o, pl);
	ike_out_request(sa, &o, IKE_REQ_DELETE_CHILD);
}

/* refuse_answer: the peer installed a CHILD SA for an answer we cannot take: it must go (§1.4.1). */
static int refuse_answer(struct ike_sa *sa, const char *why)
{
	ike_ev_drop(sa->eng, sa, "child-answer", why);
	sa->orphan_spi = sa->pending.spi_in;
	ike_child_delete_orphan(sa);
	return -1;
}

int ike_child_offer(struct ike_sa *sa, struct ike_out *o, const struct ike_offer *of)
{
	struct ike_engine *e = sa->eng;
	const struct ike_config *c = &e->cfg;
	const struct ike_props *props = of->small ? &c->esp_small : &c->esp;
	struct ike_payload *pl = e->pl;
	struct ike_ts_cfg local[IKE_CFG_TS_MAX];
	uint8_t spi[4];
	size_t nl;
	int rc = 0, err = 0;

	if (ike_sa_new_esp_spi(e, &sa->pending.spi_in) < 0)
		return -1;
	sa->pending.active = 1;
	sa->pending.small = of->small;
	sa->pending.with_ke = of->with_ke && first_esp_group(props) != 0;
	if (sa->pending.with_ke) {
		if (sa->pending.dh_group == 0)
			sa->pending.dh_group = first_esp_group(props);
		crypto_dh_free(sa->pending.dh);
		sa->pending.dh = crypto_dh_new((enum crypto_dh_group)sa->pending.dh_group, &e->cb.rng, &err);
		if (sa->pending.dh == NULL)
			return -1;
	}
	if (sa->pending.kind == IKE_PEND_REKEY_CHILD) {
		/* §1.3.3: the SPI we receive on; the peer finds the SA by its outbound SPI */
		ike_put32(spi, sa->pending.rekey_spi_in);
		rc |= ike_out_notify(o, IKE_N_REKEY_SA, IKE_PROTO_ESP, spi, 4, NULL, 0);
	}
	ike_put32(spi, sa->pending.spi_in);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	rc |= ike_proposal_build(props, IKE_PROTO_ESP, spi, 4, sa->pending.with_ke, &pl->u.sa);
	rc |= ike_out_add(o, pl);
	if (of->nonce != NULL) {
		memset(pl, 0, sizeof *pl);
		pl->type = IKE_PL_NONCE;
		pl->u.nonce.data = of->nonce;
		pl->u.nonce.len = of->nonce_len;
		rc |= ike_out_add(o, pl);
	}
	if (sa->pending.with_ke)
		rc |= add_ke(o, pl, sa->pending.dh, sa->pending.dh_group);
	if (of->tsi != NULL) {
		rc |= add_ts(o, pl, IKE_PL_TSI, of->tsi, of->n_tsi);
		rc |= add_ts(o, pl, IKE_PL_TSR, of->tsr, of->n_tsr);
		return rc != 0 ? -1 : 0;
	}
	nl = allowed_local(sa, local);
	/* a client asking for a virtual IP cannot name its inner address yet: any */
	if (c->role == IKE_ROLE_CLIENT && c->request_vip && sa->vip == 0) {
		local[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
		nl = 1;
	}
	rc |= add_ts(o, pl, IKE_PL_TSI, local, nl);
	rc |= add_ts(o, pl, IKE_PL_TSR, c->remote_ts, c->n_remote_ts);
	return rc != 0 ? -1 : 0;
}

/* install fills the callback view of |c| and hands it over. */
static void install(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_engine *e = sa->eng;
	struct ike_child_info ci;

	memset(&ci, 0, sizeof ci);
	c->ike_spi_i = ci.ike_spi_i = sa->spi_i;
	c->ike_spi_r = ci.ike_spi_r = sa->spi_r;
	ci.initiator = c->initiator;
	ci.spi_in = c->spi_in;
	ci.spi_out = c->spi_out;
	ci.alg = c->alg;
	ci.encr = c->chosen.encr;
	ci.encr_key_bits = c->chosen.key_bits;
	ci.integ = c->chosen.integ;
	ci.esn = c->chosen.esn == IKE_ESN_YES;
	/* §2.17: ei/ai protect initiator -> responder traffic */
	ci.enc_key_out = c->initiator ? c->keys.ei : c->keys.er;
	ci.enc_key_in = c->initiator ? c->keys.er : c->keys.ei;
	ci.integ_key_out = c->keys.integ_len ? (c->initiator ? c->keys.ai : c->keys.ar) : NULL;
	ci.integ_key_in = c->keys.integ_len ? (c->initiator ? c->keys.ar : c->keys.ai) : NULL;
	ci.enc_key_len = c->keys.enc_len;
	ci.integ_key_len = c->keys.integ_len;
	ci.n_ts_local = c->n_ts_local;
	ci.n_ts_remote = c->n_ts_remote;
	memcpy(ci.ts_local, c->ts_local, sizeof ci.ts_local);
	memcpy(ci.ts_remote, c->ts_remote, sizeof ci.ts_remote);
	ci.encap = sa->encap;
	ci.path = sa->path;
	ci.vip = sa->vip;
	ci.rekeyed_spi_in = c->replaces;
	c->created_ns = e->now;
	c->rekey_due = e->cfg.child_lifetime_ns ? e->now + e->cfg.child_lifetime_ns : UINT64_MAX;
	ike_ev_child(sa, c, "child_up", NULL);
	sa->counts.children_up++;
	e->counts.children_up++;
	if (e->cb.child_up != NULL)
		e->cb.child_up(e->cb.ctx, &ci);
}

/* child_keys derives KEYMAT for |c| (§2.17), with g^ir under PFS. */
static int child_keys(struct ike_sa *sa, struct ike_child *c, const uint8_t *gir, size_t gir_len, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	struct crypto_diag d;
	size_t key_len;

	if (ike_proposal_esp_alg(&c->chosen, &c->alg, &key_len) < 0)
		return -1;
	if (ike_keys_child(sa->keys, c->alg, key_len, gir, gir_len, ni, ni_len, nr, nr_len, &c->keys, &d) != 0) {
		ike_ev_drop(sa->eng, sa, "keys", d.msg);
		return -1;
	}
	return 0;
}

static int parse_ts(const struct ike_msg *m, uint8_t type, struct ike_ts_cfg *out, size_t *n)
{
	const struct ike_pl *p = ike_msg_find(m, type, 0);
	struct ike_ts_pl ts;

	*n = 0;
	if (p == NULL || ike_payload_ts_parse(&ts, p->body, p->len, NULL) < 0)
		return -1;
	*n = ts_from_payload(&ts, out);
	return 0;
}

static int refuse(struct ike_sa *sa, struct ike_out *o, uint16_t type, const uint8_t *data, size_t len)
{
	ike_out_notify(o, type, 0, NULL, 0, data, len);
	sa->last_error = type;
	return type;
}

int ike_child_answer(struct ike_sa *sa, struct ike_rx *rx, struct ike_out *o, struct ike_answer *a)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *p = ike_msg_find(&rx->m, IKE_PL_SA, 0);
	struct ike_payload *pl = e->pl;
	struct ike_ts_cfg tsi[IKE_CFG_TS_MAX], tsr[IKE_CFG_TS_MAX], allow[IKE_CFG_TS_MAX];
	struct ike_ts_cfg ni_ts[IKE_CFG_TS_MAX], nr_ts[IKE_CFG_TS_MAX];
	size_t n_tsi, n_tsr, n_ni, n_nr, na;
	struct ike_chosen chosen;
	struct ike_child *c;
	struct crypto_dh *dh = NULL;
	enum crypto_aead_alg alg;
	size_t key_len;
	uint8_t spi[4], gir[512];
	int gl = 0, err = 0;
	char why[256];

	if (p == NULL || ike_payload_sa_parse(e->sa_pl, p->body, p->len, NULL) < 0 ||
	    parse_ts(&rx->m, IKE_PL_TSI, tsi, &n_tsi) < 0 || parse_ts(&rx->m, IKE_PL_TSR, tsr, &n_tsr) < 0)
		return refuse(sa, o, IKE_N_INVALID_SYNTAX, NULL, 0);
	/* KE transforms count only in CREATE_CHILD_SA (PFS); IKE_AUTH's SA ignores them (§1.2) */
	if (ike_proposal_select(&e->cfg.esp, e->sa_pl, IKE_PROTO_ESP, 0, a->create_child ? 2 : 0, &chosen, why,
				sizeof why) < 0 ||
	    ike_proposal_esp_alg(&chosen, &alg, &key_len) < 0 || chosen.spi_size != 4) {
		ike_ev_drop(e, sa, "no-proposal", why);
		return refuse(sa, o, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	}
	if (chosen.has_ke) {
		const struct ike_pl *kp = ike_msg_find(&rx->m, IKE_PL_KE, 0);
		struct ike_ke_pl ke;

		if (kp == NULL || ike_payload_ke_parse(&ke, kp->body, kp->len, NULL) < 0 || ke.group != chosen.ke) {
			uint8_t g[2];

			ike_put16(g, chosen.ke); /* §1.3: the group we want, in CREATE_CHILD_SA too */
			return refuse(sa, o, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		}
		dh = crypto_dh_new((enum crypto_dh_group)chosen.ke, &e->cb.rng, &err);
		gl = ike_dh_shared(dh, chosen.ke, &rx->m, gir, sizeof gir);
		if (gl < 0) {
			crypto_dh_free(dh);
			return refuse(sa, o, IKE_N_INVALID_SYNTAX, NULL, 0);
		}
	}
	/* TSi is the exchange initiator's side: the peer's */
	na = allowed_remote(sa, allow);
	n_ni = narrow(tsi, n_tsi, allow, na, ni_ts);
	na = allowed_local(sa, allow);
	n_nr = narrow(tsr, n_tsr, allow, na, nr_ts);
	if (n_ni == 0 || n_nr == 0) {
		ike_ev_drop(e, sa, "ts-unacceptable", n_ni == 0 ? "no proposed TSi inside our policy"
								  : "no proposed TSr inside our policy");
		crypto_dh_free(dh);
		return refuse(sa, o, IKE_N_TS_UNACCEPTABLE, NULL, 0);
	}
	c = ike_sa_child_alloc(sa);
	if (c == NULL) {
		crypto_dh_free(dh);
		return refuse(sa, o, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	}
	c->initiator = 0;
	c->chosen = chosen;
	c->replaces = a->replaces;
	c->spi_out = ike_get32(chosen.spi);
	if (ike_sa_new_esp_spi(e, &c->spi_in) < 0 ||
	    child_keys(sa, c, gl > 0 ? gir : NULL, gl > 0 ? (size_t)gl : 0, a->ni, a->ni_len, a->nr, a->nr_len) < 0) {
		memset(c, 0, sizeof *c);
		crypto_dh_free(dh);
		memset(gir, 0, sizeof gir);
		return refuse(sa, o, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	}
	memset(gir, 0, sizeof gir);
	c->n_ts_remote = n_ni;
	memcpy(c->ts_remote, ni_ts, n_ni * sizeof *ni_ts);
	c->n_ts_local = n_nr;
	memcpy(c->ts_local, nr_ts, n_nr * sizeof *nr_ts);
	ike_put32(spi, c->spi_in);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	ike_proposal_answer(&chosen, spi, 4, &pl->u.sa);
	ike_out_add(o, pl);
	if (a->create_child) {
		memset(pl, 0, sizeof *pl);
		pl->type = IKE_PL_NONCE;
		pl->u.nonce.data = a->nr;
		pl->u.nonce.len = a->nr_len;
		ike_out_add(o, pl);
		if (dh != NULL)
			add_ke(o, pl, dh, chosen.ke);
	}
	crypto_dh_free(dh);
	add_ts(o, pl, IKE_PL_TSI, ni_ts, n_ni);
	add_ts(o, pl, IKE_PL_TSR, nr_ts, n_nr);
	a->new_spi_in = c->spi_in;
	install(sa, c);
	return 0;
}

int ike_child_accept(struct ike_sa *sa, struct ike_rx *rx, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint32_t *spi_in)
{
	struct ike_engine *e = sa->eng;
	const struct ike_config *cf = &e->cfg;
	const struct ike_pl *p = ike_msg_find(&rx->m, IKE_PL_SA, 0);
	struct ike_ts_cfg tsi[IKE_CFG_TS_MAX], tsr[IKE_CFG_TS_MAX], prop_local[IKE_CFG_TS_MAX];
	size_t n_tsi, n_tsr, n_local;
	struct ike_child *c;
	struct ike_chosen chosen;
	uint8_t spi[4], gir[512];
	int gl = 0;
	char why[256];

	if (!sa->pending.active)
		return -1;
	if (p == NULL) {
		const struct ike_pl *n;

		for (size_t i = 0; (n = ike_msg_find(&rx->m, IKE_PL_NOTIFY, i)) != NULL; i++)
			if (n->len >= 4 && ike_notify_is_error(ike_get16(n->body + 2))) {
				uint16_t t = ike_get16(n->body + 2);
				char msg[96];

				snprintf(msg, sizeof msg, "CHILD SA refused with %s", ike_notify_name(t));
				ike_ev_drop(e, sa, "child-refused", msg);
				return t;
			}
		return -1;
	}
	ike_put32(spi, sa->pending.spi_in);
	ike_proposal_build(sa->pending.small ? &cf->esp_small : &cf->esp, IKE_PROTO_ESP, spi, 4, sa->pending.with_ke,
			   e->sa_pl2);
	snprintf(why, sizeof why, "malformed SA payload in the answer");
	if (ike_payload_sa_parse(e->sa_pl, p->body, p->len, NULL) < 0 ||
	    ike_proposal_check_answer(e->sa_pl2, e->sa_pl, IKE_PROTO_ESP, &chosen, why, sizeof why) < 0 ||
	    chosen.spi_size != 4)
		return refuse_answer(sa, why);
	if (chosen.has_ke) {
		gl = ike_dh_shared(sa->pending.dh, chosen.ke, &rx->m, gir, sizeof gir);
		if (gl < 0 || chosen.ke != sa->pending.dh_group)
			return refuse_answer(sa, "PFS answer without a usable KEr of our group");
	}
	n_local = allowed_local(sa, prop_local);
	if (cf->request_vip) {
		prop_local[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
		n_local = 1;
	}
	if (parse_ts(&rx->m, IKE_PL_TSI, tsi, &n_tsi) < 0 || parse_ts(&rx->m, IKE_PL_TSR, tsr, &n_tsr) < 0 ||
	    !within(tsi, n_tsi, prop_local, n_local) || !within(tsr, n_tsr, cf->remote_ts, cf->n_remote_ts)) {
		memset(gir, 0, sizeof gir);
		return refuse_answer(sa, "TSi/TSr in the answer are not inside what we proposed (§2.9)");
	}
	c = ike_sa_child_alloc(sa);
	if (c == NULL) {
		memset(gir, 0, sizeof gir);
		return refuse_answer(sa, "no free CHILD SA slot");
	}
	c->initiator = 1;
	c->chosen = chosen;
	c->spi_in = sa->pending.spi_in;
	c->spi_out = ike_get32(chosen.spi);
	c->replaces = sa->pending.kind == IKE_PEND_REKEY_CHILD ? sa->pending.rekey_spi_in : 0;
	if (child_keys(sa, c, gl > 0 ? gir : NULL, gl > 0 ? (size_t)gl : 0, ni, ni_len, nr, nr_len) < 0) {
		memset(c, 0, sizeof *c);
		memset(gir, 0, sizeof gir);
		return refuse_answer(sa, "no keys for the answer");
	}
	memset(gir, 0, sizeof gir);
	sa->tempfail_run = 0; /* an exchange went through: not out of sync (§2.25) */
	c->n_ts_local = n_tsi;
	memcpy(c->ts_local, tsi, n_tsi * sizeof *tsi);
	c->n_ts_remote = n_tsr;
	memcpy(c->ts_remote, tsr, n_tsr * sizeof *tsr);
	if (spi_in != NULL)
		*spi_in = c->spi_in;
	install(sa, c);
	return 0;
}

/* pending_reset forgets our request (keeping nothing of its DH). */
static void pending_reset(struct ike_sa *sa)
{
	crypto_dh_free(sa->pending.dh);
	memset(&sa->pending, 0, sizeof sa->pending);
}

/* new_request sends CREATE_CHILD_SA {SA, Ni, [KEi], TSi, TSr} for sa->pending (kind, small, dh_group kept). */
static int new_request(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ike_offer of;
	struct ike_out o;
	int rc;

	sa->pending.ni_len = IKE_NONCE_LEN;
	if (crypto_rng_fill(&e->cb.rng, sa->pending.ni, sa->pending.ni_len) != 0)
		return -1;
	memset(&of, 0, sizeof of);
	of.small = sa->pending.small;
	of.with_ke = 1;
	of.nonce = sa->pending.ni;
	of.nonce_len = sa->pending.ni_len;
	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 0, sa->tx_mid);
	if (ike_child_offer(sa, &o, &of) < 0)
		return -1;
	rc = ike_out_request(sa, &o, IKE_REQ_CHILD);
	if (rc == 0)
		ike_child_ev_offer(sa, o.n_proposals);
	return rc;
}

int ike_child_create(struct ike_sa *sa, int small)
{
	if (sa->req.kind != IKE_REQ_NONE)
		return -1; /* window of one (§2.3) */
	pending_reset(sa);
	sa->pending.kind = IKE_PEND_NEW;
	sa->pending.small = small;
	return new_request(sa);
}

int ike_child_create_public(struct ike_sa *sa)
{
	return ike_child_create(sa, sa->eng->cfg.proposals != IKE_PROPOSALS_FULL);
}

/* busy_reason: why a CREATE_CHILD_SA request has to wait (§2.25), NULL when it need not. */
static const char *busy_reason(const struct ike_sa *sa, int ike_rekey)
{
	/* §2.25.1/§2.25.2: nothing new on an IKE SA we are closing */
	if (sa->state == IKE_S_DELETING)
		return "the IKE SA is being deleted";
	/* the peer's rekey replaced this IKE SA: CHILD SAs belong on the new one */
	if (sa->successor != 0)
		return "the IKE SA has been rekeyed";
	/* §2.25.2: our rekey of the IKE SA is in flight (an IKE rekey is §2.8.2's collision instead) */
	if (!ike_rekey && sa->pending.active && sa->pending.kind == IKE_PEND_REKEY_IKE)
		return "a rekey of the IKE SA is in progress";
	return NULL;
}

enum ike_verdict ike_child_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0), *sp = ike_msg_find(&rx->m, IKE_PL_SA, 0);
	struct ike_nonce_pl ni;
	struct ike_answer a;
	struct ike_out o;
	uint8_t nr[IKE_NONCE_LEN];
	const char *busy = busy_reason(sa, sp != NULL && sp->len >= 6 && sp->body[5] == IKE_PROTO_IKE);

	if (busy != NULL) {
		/* <-- HDR, SK {N(TEMPORARY_FAILURE)} (§2.25) */
		ev_tempfail(sa, "sent", ike_msg_find_notify(&rx->m, IKE_N_REKEY_SA) != NULL ? "child rekey"
			    : sp != NULL && sp->len >= 6 && sp->body[5] == IKE_PROTO_IKE ? "ike rekey" : "child",
			    busy);
		ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 1, rx->m.hdr.msg_id);
		ike_out_notify(&o, IKE_N_TEMPORARY_FAILURE, 0, NULL, 0, NULL, 0);
		ike_out_response(sa, &o, &rx->path);
		return IKE_V_NEXT;
	}
	if (ike_msg_find_notify(&rx->m, IKE_N_REKEY_SA) != NULL)
		return ike_rekey_child_on_request(sa, rx);
	if (sp != NULL && sp->len >= 6 && sp->body[5] == IKE_PROTO_IKE)
		return ike_rekey_ike_on_request(sa, rx);
	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 1, rx->m.hdr.msg_id);
	if (np == NULL || ike_payload_nonce_parse(&ni, np->body, np->len, NULL) < 0) {
		ike_out_notify(&o, IKE_N_INVALID_SYNTAX, 0, NULL, 0, NULL, 0);
	} else if (crypto_rng_fill(&e->cb.rng, nr, sizeof nr) != 0) {
		return IKE_V_DROP;
	} else {
		memset(&a, 0, sizeof a);
		a.ni = ni.data;
		a.ni_len = ni.len;
		a.nr = nr;
		a.nr_len = sizeof nr;
		a.create_child = 1;
		ike_child_answer(sa, rx, &o, &a);
	}
	ike_out_response(sa, &o, &rx->path);
	return IKE_V_NEXT;
}

enum ike_verdict ike_child_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0);
	struct ike_nonce_pl nr = {NULL, 0};
	int was_small = sa->pending.small, rc;

	if (sa->pending.kind == IKE_PEND_REKEY_CHILD) {
		ike_rekey_child_on_response(sa, rx);
		return IKE_V_NEXT;
	}
	if (sa->pending.kind == IKE_PEND_REKEY_IKE) {
		ike_rekey_ike_on_response(sa, rx);
		return IKE_V_NEXT;
	}
	if (ike_child_error(&rx->m) == IKE_N_TEMPORARY_FAILURE) {
		/* §2.25: not now; ask again later (on the IKE SA that replaced this one, if any) */
		pending_reset(sa);
		if (!ike_child_tempfail(sa, "child")) {
			struct ike_sa *cur = ike_sa_current(sa);

			cur->child_retry_due = e->now + IKE_TEMPFAIL_RETRY_NS;
			cur->child_retry_small = was_small;
		}
		return IKE_V_NEXT;
	}
	{
		uint16_t g = ike_child_asked_group(&rx->m, was_small ? &e->cfg.esp_small : &e->cfg.esp);

		if (g != 0 && g != sa->pending.dh_group && sa->pending.with_ke &&
		    sa->pending.retries < IKE_REKEY_RETRIES_MAX) {
			/* §1.3: PFS group refused: the same request with the group named */
			sa->pending.retries++;
			sa->pending.dh_group = g;
			if (new_request(sa) == 0)
				return IKE_V_NEXT;
		}
	}
	if (np != NULL && ike_payload_nonce_parse(&nr, np->body, np->len, NULL) < 0)
		np = NULL;
	if (np == NULL && ike_msg_find(&rx->m, IKE_PL_SA, 0) != NULL) {
		ike_ev_drop(e, sa, "syntax", "CREATE_CHILD_SA response with SA but no valid Nonce");
		sa->orphan_spi = sa->pending.spi_in;
		ike_child_delete_orphan(sa);
		pending_reset(sa);
		return IKE_V_NEXT;
	}
	rc = ike_child_accept(sa, rx, sa->pending.ni, sa->pending.ni_len, nr.data, nr.len, NULL);
	pending_reset(sa);
	if (rc > 0) {
		sa->last_error = (uint16_t)rc;
		if (rc == IKE_N_NO_PROPOSAL_CHOSEN && e->cfg.proposals == IKE_PROPOSALS_AUTO && was_small)
			ike_child_create(sa, 0);
	}
	return IKE_V_NEXT;
}

struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi_in)
{
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].spi_in == spi_in)
			return &sa->child[i];
	return NULL;
}

int ike_child_delete(struct ike_sa *sa, struct ike_child *c, const char *reason)
{
	struct ike_payload *pl = sa->eng->pl;
	struct ike_out o;
	uint8_t spi[4];
	int rc;

	if (sa->req.kind != IKE_REQ_NONE)
		return -1;
	ike_put32(spi, c->spi_in);
	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_DELETE;
	pl->u.del.proto = IKE_PROTO_ESP;
	pl->u.del.spi_size = 4;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = spi;
	ike_out_add(&o, pl);
	rc = ike_out_request(sa, &o, IKE_REQ_DELETE_CHILD);
	/* §1.4.1: we stop using it now; the peer's answer names its half */
	ike_sa_child_down(sa, c, reason);
	return rc;
}
