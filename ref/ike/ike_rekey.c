/*
 * ike_rekey.c — rekeying with CREATE_CHILD_SA (RFC 7296 §1.3.2, §1.3.3,
 * §2.8, §2.18) and reauthentication:
 *
 * CHILD SA (§1.3.3), PFS when the ESP proposals list groups:
 *   HDR, SK {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} -->
 *                  <-- HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *   HDR, SK {D(ESP, old)} -->        <-- HDR, SK {D(ESP, old)}
 *
 * IKE SA (§1.3.2), new SPIs, SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr):
 *   HDR, SK {SA, Ni, KEi} -->        <-- HDR, SK {SA, Nr, KEr}
 *   (old SA) HDR, SK {D(IKE)} -->    <-- HDR, SK {}
 * The CHILD SAs move to the new IKE SA; the rekey's initiator is the new
 * SA's initiator; its Message IDs start at 0.
 *
 * Simultaneous rekeying (§2.8.1, §2.8.2): both sides rekey the same SA and
 * each answers the other, so two new SAs exist. The one whose exchange
 * used the lowest of the four nonces is redundant: its creator (the
 * initiator of that exchange) deletes it, and the other side — the winner
 * — deletes the old SA. Both sides reach the same verdict from the same
 * four nonces.
 *
 * Reauthentication (§2.8.3) is a new IKE SA from IKE_SA_INIT on:
 * break-before-make deletes the old SA first, make-before-break builds the
 * new one (without INITIAL_CONTACT) and deletes the old one when it is up.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_keys.h"

/* REKEY_BUSY_RETRY_NS: a rekey that finds the window busy tries again 1 s later. */
#define REKEY_BUSY_RETRY_NS UINT64_C(1000000000)
/* REKEYED_LINGER_NS: an IKE SA replaced by the peer's rekey waits this long for its D(IKE). */
#define REKEYED_LINGER_NS UINT64_C(120000000000)

struct ike_sa *ike_sa_current(struct ike_sa *sa)
{
	/* a chain of rekeys is short; the bound only guards against a cycle */
	for (int i = 0; i < 8 && sa->successor != 0; i++) {
		struct ike_sa *n = ike_sa_find_ours(sa->eng, sa->successor);

		if (n == NULL || n == sa)
			break;
		sa = n;
	}
	return sa;
}

int ike_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

/* lowest_is_ours: §2.8.1 — is the lowest of the four nonces one of our exchange's? */
static int lowest_is_ours(const struct ike_pending_child *p, const uint8_t *nr, size_t nr_len)
{
	const uint8_t *ours = ike_nonce_cmp(p->ni, p->ni_len, nr, nr_len) < 0 ? p->ni : nr;
	size_t ours_len = ours == p->ni ? p->ni_len : nr_len;
	const uint8_t *theirs = ike_nonce_cmp(p->coll_ni, p->coll_ni_len, p->coll_nr, p->coll_nr_len) < 0 ? p->coll_ni
													   : p->coll_nr;
	size_t theirs_len = theirs == p->coll_ni ? p->coll_ni_len : p->coll_nr_len;

	return ike_nonce_cmp(ours, ours_len, theirs, theirs_len) < 0;
}

static void pending_reset(struct ike_sa *sa)
{
	crypto_dh_free(sa->pending.dh);
	memset(&sa->pending, 0, sizeof sa->pending);
}

static void ev_rekey(struct ike_sa *sa, const char *what, const char *phase, uint64_t spi)
{
	struct evbuf b;
	char hex[24];

	if (!ike_ev_on(sa->eng))
		return;
	ike_ev_begin(&b, sa->eng, sa, "rekey");
	ev_str(&b, "what", what);
	ev_str(&b, "phase", phase);
	snprintf(hex, sizeof hex, "%0*llx", strcmp(what, "ike") == 0 ? 16 : 8, (unsigned long long)spi);
	ev_str(&b, "spi", hex);
	ike_ev_emit(sa->eng, &b);
}

static void ev_collision(struct ike_sa *sa, const char *what, int we_win)
{
	struct evbuf b;

	if (!ike_ev_on(sa->eng))
		return;
	ike_ev_begin(&b, sa->eng, sa, "rekey_collision");
	ev_str(&b, "what", what);
	ev_str(&b, "redundant", we_win ? "theirs" : "ours");
	ike_ev_emit(sa->eng, &b);
}

/* ---------------------------------------------------------------------- */
/* CHILD SA                                                                */

static int child_request(struct ike_sa *sa, const struct ike_child *c)
{
	struct ike_engine *e = sa->eng;
	struct ike_offer of;
	struct ike_out o;

	sa->pending.ni_len = IKE_NONCE_LEN;
	if (crypto_rng_fill(&e->cb.rng, sa->pending.ni, sa->pending.ni_len) != 0)
		return -1;
	memset(&of, 0, sizeof of);
	of.with_ke = 1;
	of.nonce = sa->pending.ni;
	of.nonce_len = sa->pending.ni_len;
	of.tsi = c->ts_local;
	of.n_tsi = c->n_ts_local;
	of.tsr = c->ts_remote;
	of.n_tsr = c->n_ts_remote;
	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 0, sa->tx_mid);
	if (ike_child_offer(sa, &o, &of) < 0)
		return -1;
	return ike_out_request(sa, &o, IKE_REQ_CHILD);
}

int ike_rekey_child_start(struct ike_sa *sa, struct ike_child *c)
{
	if (sa->state != IKE_S_ESTABLISHED || sa->req.kind != IKE_REQ_NONE || c == NULL || !c->used || c->rekeyed)
		return -1;
	pending_reset(sa);
	sa->pending.kind = IKE_PEND_REKEY_CHILD;
	sa->pending.rekey_spi_in = c->spi_in;
	ev_rekey(sa, "child", "start", c->spi_in);
	return child_request(sa, c);
}

enum ike_verdict ike_rekey_child_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0);
	const struct ike_pl *rp = ike_msg_find_notify(&rx->m, IKE_N_REKEY_SA);
	struct ike_notify_pl n;
	struct ike_nonce_pl ni;
	struct ike_child *old = NULL;
	struct ike_answer a;
	struct ike_out o;
	uint8_t nr[IKE_NONCE_LEN];

	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 1, rx->m.hdr.msg_id);
	if (ike_payload_notify_parse(&n, rp->body, rp->len, NULL) == 0 && n.proto == IKE_PROTO_ESP)
		old = ike_sa_child_by_spi_out(sa, ike_notify_spi32(&n));
	if (old == NULL || old->rekeyed) {
		/* §2.25: not (or no longer) ours to rekey */
		ike_out_notify(&o, IKE_N_CHILD_SA_NOT_FOUND, IKE_PROTO_ESP, n.spi, 4, NULL, 0);
	} else if (np == NULL || ike_payload_nonce_parse(&ni, np->body, np->len, NULL) < 0 ||
		   crypto_rng_fill(&e->cb.rng, nr, sizeof nr) != 0) {
		ike_out_notify(&o, IKE_N_INVALID_SYNTAX, 0, NULL, 0, NULL, 0);
	} else {
		uint32_t old_spi_in = old->spi_in;

		memset(&a, 0, sizeof a);
		a.ni = ni.data;
		a.ni_len = ni.len;
		a.nr = nr;
		a.nr_len = sizeof nr;
		a.create_child = 1;
		a.replaces = old_spi_in;
		if (ike_child_answer(sa, rx, &o, &a) == 0) {
			old = ike_child_by_spi_in(sa, old_spi_in); /* the array may have moved nothing, but be safe */
			if (sa->pending.active && sa->pending.kind == IKE_PEND_REKEY_CHILD &&
			    sa->pending.rekey_spi_in == old_spi_in) {
				/* §2.8.1: we are rekeying it too; decide when our answer comes */
				sa->pending.coll = 1;
				memcpy(sa->pending.coll_ni, ni.data, ni.len);
				sa->pending.coll_ni_len = ni.len;
				memcpy(sa->pending.coll_nr, nr, sizeof nr);
				sa->pending.coll_nr_len = sizeof nr;
				sa->pending.coll_spi_in = a.new_spi_in;
			} else if (old != NULL) {
				old->rekeyed = 1; /* the peer deletes it */
			}
			ev_rekey(sa, "child", "answered", old_spi_in);
		}
	}
	ike_out_response(sa, &o, &rx->path);
	return IKE_V_NEXT;
}

void ike_rekey_child_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0);
	struct ike_nonce_pl nr = {NULL, 0};
	struct ike_child *old = ike_child_by_spi_in(sa, sa->pending.rekey_spi_in), *mine;
	uint32_t new_spi = 0, old_spi = sa->pending.rekey_spi_in;
	uint16_t g;
	int rc;

	if (!sa->pending.coll && ike_child_error(&rx->m) == IKE_N_TEMPORARY_FAILURE) {
		/* §2.25: wait for the peer's operation (an IKE rekey) and try again */
		pending_reset(sa);
		ev_rekey(sa, "child", "deferred", old_spi);
		if (!ike_child_tempfail(sa, "child rekey")) {
			struct ike_child *c = ike_child_by_spi_in(ike_sa_current(sa), old_spi);

			if (c == NULL)
				c = old;
			if (c != NULL && !c->rekeyed)
				c->rekey_due = e->now + IKE_TEMPFAIL_RETRY_NS;
		}
		return;
	}
	if ((g = ike_child_asked_group(&rx->m, &e->cfg.esp)) != 0 && sa->pending.retries < IKE_REKEY_RETRIES_MAX &&
	    old != NULL && !sa->pending.coll) {
		/* §1.3: PFS group refused; ask again with the one named */
		sa->pending.retries++;
		sa->pending.dh_group = g;
		if (child_request(sa, old) == 0)
			return;
	}
	if (np != NULL && ike_payload_nonce_parse(&nr, np->body, np->len, NULL) < 0)
		np = NULL;
	rc = np != NULL ? ike_child_accept(sa, rx, sa->pending.ni, sa->pending.ni_len, nr.data, nr.len, &new_spi) : -1;
	if (rc != 0) {
		if (rc > 0)
			sa->last_error = (uint16_t)rc;
		ev_rekey(sa, "child", "failed", old_spi);
		if (sa->pending.coll && old != NULL)
			old->rekeyed = 1; /* the peer's rekey of it succeeded: it deletes the old SA */
		pending_reset(sa);
		return;
	}
	ev_rekey(sa, "child", "done", new_spi);
	if (!sa->pending.coll) {
		if (old != NULL) {
			old->rekeyed = 1;
			ike_child_delete(sa, old, "rekeyed");
		}
	} else if (lowest_is_ours(&sa->pending, nr.data, nr.len)) {
		/* our new SA is the redundant one: we created it, we delete it; the peer deletes the old */
		ev_collision(sa, "child", 0);
		if (old != NULL)
			old->rekeyed = 1;
		mine = ike_child_by_spi_in(sa, new_spi);
		if (mine != NULL) {
			mine->rekeyed = 1;
			ike_child_delete(sa, mine, "redundant (rekey collision)");
		}
	} else {
		/* theirs is redundant: the peer deletes it; we delete the old SA */
		struct ike_child *theirs = ike_child_by_spi_in(sa, sa->pending.coll_spi_in);

		ev_collision(sa, "child", 1);
		if (theirs != NULL)
			theirs->rekeyed = 1;
		if (old != NULL) {
			old->rekeyed = 1;
			ike_child_delete(sa, old, "rekeyed");
		}
	}
	pending_reset(sa);
}

/* ---------------------------------------------------------------------- */
/* IKE SA                                                                  */

static void put64(uint8_t *p, uint64_t v)
{
	ike_put32(p, (uint32_t)(v >> 32));
	ike_put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)ike_get32(p) << 32 | ike_get32(p + 4);
}

static int ike_request(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ike_payload *pl = e->pl;
	struct ike_out o;
	uint8_t spi[8], pub[512];
	size_t len;
	int rc = 0, err = 0;

	sa->pending.ni_len = IKE_NONCE_LEN;
	crypto_dh_free(sa->pending.dh);
	sa->pending.dh = crypto_dh_new((enum crypto_dh_group)sa->pending.dh_group, &e->cb.rng, &err);
	len = crypto_dh_pub_len((enum crypto_dh_group)sa->pending.dh_group);
	if (sa->pending.dh == NULL || crypto_rng_fill(&e->cb.rng, sa->pending.ni, sa->pending.ni_len) != 0 ||
	    len == 0 || len > sizeof pub || crypto_dh_public(sa->pending.dh, pub, len) != 0)
		return -1;
	sa->pending.active = 1;
	sa->pending.with_ke = 1;
	put64(spi, sa->pending.new_spi);
	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 0, sa->tx_mid);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	rc |= ike_proposal_build(&e->cfg.ike, IKE_PROTO_IKE, spi, 8, 1, &pl->u.sa);
	rc |= ike_out_add(&o, pl);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_NONCE;
	pl->u.nonce.data = sa->pending.ni;
	pl->u.nonce.len = sa->pending.ni_len;
	rc |= ike_out_add(&o, pl);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_KE;
	pl->u.ke.group = sa->pending.dh_group;
	pl->u.ke.data = pub;
	pl->u.ke.len = len;
	rc |= ike_out_add(&o, pl);
	if (rc != 0)
		return -1;
	return ike_out_request(sa, &o, IKE_REQ_CHILD);
}

int ike_rekey_ike_start(struct ike_sa *sa)
{
	if (sa->state != IKE_S_ESTABLISHED || sa->req.kind != IKE_REQ_NONE || sa->keys == NULL)
		return -1;
	pending_reset(sa);
	sa->pending.kind = IKE_PEND_REKEY_IKE;
	sa->pending.dh_group = sa->ike.ke;
	if (ike_sa_new_spi(sa->eng, &sa->pending.new_spi) < 0)
		return -1;
	ev_rekey(sa, "ike", "start", sa->pending.new_spi);
	return ike_request(sa);
}

/* move_children hands every CHILD SA of |from| to |to| (they stay installed). */
static void move_children(struct ike_sa *to, struct ike_sa *from)
{
	for (size_t i = 0; i < IKE_CHILD_MAX; i++) {
		if (!from->child[i].used)
			continue;
		for (size_t k = 0; k < IKE_CHILD_MAX; k++)
			if (!to->child[k].used) {
				to->child[k] = from->child[i];
				break;
			}
		memset(&from->child[i], 0, sizeof from->child[i]);
	}
}

/*
 * new_ike_sa makes the IKE SA a rekey creates: keys from |old|'s SK_d,
 * everything learnt about the peer copied, the CHILD SAs moved over.
 */
static struct ike_sa *new_ike_sa(struct ike_sa *old, int initiator, uint64_t spi_i, uint64_t spi_r,
				 const struct ike_chosen *chosen, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
				 size_t nr_len, const uint8_t *gir, size_t gir_len)
{
	struct ike_engine *e = old->eng;
	struct ike_suite s = {chosen->encr, chosen->key_bits, chosen->prf, chosen->integ, chosen->ke};
	uint8_t si[8], sr[8];
	struct crypto_diag d;
	struct ike_sa *n = ike_sa_new(e, initiator, &old->path, e->now);

	if (n == NULL)
		return NULL;
	put64(si, spi_i);
	put64(sr, spi_r);
	n->keys = ike_keys_new_rekey(old->keys, &s, ni, ni_len, nr, nr_len, si, sr, gir, gir_len, &d);
	if (n->keys == NULL) {
		ike_ev_drop(e, old, "keys", d.msg);
		ike_sa_free(n);
		return NULL;
	}
	n->spi_i = spi_i;
	n->spi_r = spi_r;
	n->peer_id = old->peer_id;
	ike_index_spi(n);
	n->ike = *chosen;
	n->peer_frag = old->peer_frag;
	n->frag = old->frag;
	n->peer_sig_sha256 = old->peer_sig_sha256;
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->encap = old->encap;
	n->peer_auth_method = old->peer_auth_method;
	n->vip = old->vip;
	n->n_dns = old->n_dns;
	memcpy(n->dns, old->dns, sizeof n->dns);
	n->n_domains = old->n_domains;
	memcpy(n->domains, old->domains, sizeof n->domains);
	old->vip = 0; /* the lease moves with the SA */
	move_children(n, old);
	/* a new CHILD SA the peer asked us to retry later is asked for on the new SA */
	n->child_retry_due = old->child_retry_due;
	n->child_retry_small = old->child_retry_small;
	old->child_retry_due = UINT64_MAX;
	old->successor = ike_sa_our_spi(n);
	ike_ev_keys(n);
	if (ike_state_run(n, IKE_CREATE_CHILD_SA, IKE_ON_REKEYED, NULL) != IKE_V_NEXT) {
		ike_sa_die(n, "rekey failed");
		return NULL;
	}
	return n;
}

enum ike_verdict ike_rekey_on_new(struct ike_sa *sa, struct ike_rx *rx)
{
	const struct ike_config *c = &sa->eng->cfg;
	uint64_t now = sa->eng->now;

	(void)rx;
	if (c->dpd_ns)
		sa->dpd_due = now + c->dpd_ns;
	if (c->ike_lifetime_ns)
		sa->rekey_due = now + c->ike_lifetime_ns;
	ike_natt_sent(sa, now);
	return IKE_V_NEXT;
}

enum ike_verdict ike_rekey_ike_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *sp = ike_msg_find(&rx->m, IKE_PL_SA, 0), *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0),
			   *kp = ike_msg_find(&rx->m, IKE_PL_KE, 0);
	struct ike_payload *pl = e->pl;
	struct ike_nonce_pl ni;
	struct ike_ke_pl ke;
	struct ike_chosen chosen;
	struct crypto_dh *dh = NULL;
	struct ike_sa *n;
	struct ike_out o;
	uint8_t nr[IKE_NONCE_LEN], gir[512], spi[8], pub[512];
	uint64_t our_spi;
	char why[256];
	int gl, err = 0;
	size_t len;

	ike_out_begin(sa, &o, IKE_CREATE_CHILD_SA, 1, rx->m.hdr.msg_id);
	if (np == NULL || kp == NULL || ike_payload_sa_parse(e->sa_pl, sp->body, sp->len, NULL) < 0 ||
	    ike_payload_nonce_parse(&ni, np->body, np->len, NULL) < 0 ||
	    ike_payload_ke_parse(&ke, kp->body, kp->len, NULL) < 0) {
		ike_out_notify(&o, IKE_N_INVALID_SYNTAX, 0, NULL, 0, NULL, 0);
		goto answer;
	}
	if (ike_proposal_select(&e->cfg.ike, e->sa_pl, IKE_PROTO_IKE, ke.group, 1, &chosen, why, sizeof why) < 0 ||
	    chosen.spi_size != 8) {
		ike_ev_drop(e, sa, "no-proposal", why);
		ike_out_notify(&o, IKE_N_NO_PROPOSAL_CHOSEN, 0, NULL, 0, NULL, 0);
		goto answer;
	}
	if (chosen.ke != ke.group) {
		uint8_t g[2];

		ike_put16(g, chosen.ke);
		ike_out_notify(&o, IKE_N_INVALID_KE_PAYLOAD, 0, NULL, 0, g, 2);
		goto answer;
	}
	dh = crypto_dh_new((enum crypto_dh_group)chosen.ke, &e->cb.rng, &err);
	gl = ike_dh_shared(dh, chosen.ke, &rx->m, gir, sizeof gir);
	len = crypto_dh_pub_len((enum crypto_dh_group)chosen.ke);
	if (gl < 0 || crypto_rng_fill(&e->cb.rng, nr, sizeof nr) != 0 || ike_sa_new_spi(e, &our_spi) < 0 ||
	    len > sizeof pub || crypto_dh_public(dh, pub, len) != 0) {
		ike_out_notify(&o, IKE_N_INVALID_SYNTAX, 0, NULL, 0, NULL, 0);
		goto answer;
	}
	/* the peer initiated this rekey: it is the new SA's initiator (§2.18) */
	n = new_ike_sa(sa, 0, get64(chosen.spi), our_spi, &chosen, ni.data, ni.len, nr, sizeof nr, gir, (size_t)gl);
	memset(gir, 0, sizeof gir);
	if (n == NULL) {
		ike_out_notify(&o, IKE_N_NO_PROPOSAL_CHOSEN, 0, NULL, 0, NULL, 0);
		goto answer;
	}
	put64(spi, our_spi);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	ike_proposal_answer(&chosen, spi, 8, &pl->u.sa);
	ike_out_add(&o, pl);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_NONCE;
	pl->u.nonce.data = nr;
	pl->u.nonce.len = sizeof nr;
	ike_out_add(&o, pl);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_KE;
	pl->u.ke.group = chosen.ke;
	pl->u.ke.data = pub;
	pl->u.ke.len = len;
	ike_out_add(&o, pl);
	if (sa->pending.active && sa->pending.kind == IKE_PEND_REKEY_IKE) {
		/* §2.8.2: both rekeyed; our answer's SA vs. our request's SA, decided on its answer */
		sa->pending.coll = 1;
		memcpy(sa->pending.coll_ni, ni.data, ni.len);
		sa->pending.coll_ni_len = ni.len;
		memcpy(sa->pending.coll_nr, nr, sizeof nr);
		sa->pending.coll_nr_len = sizeof nr;
		sa->pending.coll_spi = our_spi;
	} else {
		/* the peer deletes this SA now; stop initiating anything on it */
		sa->dpd_due = sa->rekey_due = UINT64_MAX;
		sa->half_open_due = e->now + REKEYED_LINGER_NS;
	}
	ev_rekey(sa, "ike", "answered", our_spi);
answer:
	crypto_dh_free(dh);
	ike_out_response(sa, &o, &rx->path);
	return IKE_V_NEXT;
}

void ike_rekey_ike_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *sp = ike_msg_find(&rx->m, IKE_PL_SA, 0), *np = ike_msg_find(&rx->m, IKE_PL_NONCE, 0);
	struct ike_nonce_pl nr;
	struct ike_chosen chosen;
	struct ike_sa *n, *theirs;
	uint8_t gir[512], spi[8];
	char why[256] = "no SA or Nonce in the answer";
	uint16_t g;
	int gl;

	if (!sa->pending.coll && ike_child_error(&rx->m) == IKE_N_TEMPORARY_FAILURE) {
		/* §2.25: the peer is busy with its own exchange on this SA: try again later */
		ev_rekey(sa, "ike", "deferred", sa->pending.new_spi);
		pending_reset(sa);
		if (!ike_child_tempfail(sa, "ike rekey"))
			sa->rekey_due = e->now + IKE_TEMPFAIL_RETRY_NS;
		return;
	}
	if ((g = ike_child_asked_group(&rx->m, &e->cfg.ike)) != 0 && sa->pending.retries < IKE_REKEY_RETRIES_MAX &&
	    !sa->pending.coll) {
		sa->pending.retries++;
		sa->pending.dh_group = g;
		if (ike_request(sa) == 0)
			return;
	}
	put64(spi, sa->pending.new_spi);
	ike_proposal_build(&e->cfg.ike, IKE_PROTO_IKE, spi, 8, 1, e->sa_pl2);
	if (sp == NULL || np == NULL || ike_payload_sa_parse(e->sa_pl, sp->body, sp->len, NULL) < 0 ||
	    ike_payload_nonce_parse(&nr, np->body, np->len, NULL) < 0 ||
	    ike_proposal_check_answer(e->sa_pl2, e->sa_pl, IKE_PROTO_IKE, &chosen, why, sizeof why) < 0 ||
	    chosen.spi_size != 8 || chosen.ke != sa->pending.dh_group ||
	    (gl = ike_dh_shared(sa->pending.dh, chosen.ke, &rx->m, gir, sizeof gir)) < 0) {
		ike_ev_drop(e, sa, "rekey", why);
		ev_rekey(sa, "ike", "failed", sa->pending.new_spi);
		pending_reset(sa);
		return;
	}
	/* we initiated this rekey: we are the new SA's initiator (§2.18) */
	n = new_ike_sa(sa, 1, sa->pending.new_spi, get64(chosen.spi), &chosen, sa->pending.ni, sa->pending.ni_len,
		       nr.data, nr.len, gir, (size_t)gl);
	memset(gir, 0, sizeof gir);
	if (n == NULL) {
		pending_reset(sa);
		return;
	}
	ev_rekey(sa, "ike", "done", sa->pending.new_spi);
	if (!sa->pending.coll) {
		ike_state_run(sa, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
	} else {
		theirs = ike_sa_find_ours(e, sa->pending.coll_spi);
		if (lowest_is_ours(&sa->pending, nr.data, nr.len)) {
			/* ours is redundant: the CHILD SAs stay with theirs; we delete ours, the peer the old */
			ev_collision(sa, "ike", 0);
			if (theirs != NULL) {
				move_children(theirs, n);
				sa->successor = ike_sa_our_spi(theirs);
				n->successor = ike_sa_our_spi(theirs);
			}
			ike_state_run(n, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
			sa->dpd_due = sa->rekey_due = UINT64_MAX;
			sa->half_open_due = e->now + REKEYED_LINGER_NS;
		} else {
			/* theirs is redundant: the peer deletes it; we delete the old */
			ev_collision(sa, "ike", 1);
			if (theirs != NULL) {
				move_children(n, theirs);
				n->vip = n->vip ? n->vip : theirs->vip;
				theirs->vip = 0;
				theirs->dpd_due = theirs->rekey_due = UINT64_MAX;
				theirs->half_open_due = e->now + REKEYED_LINGER_NS;
				theirs->successor = ike_sa_our_spi(n);
				if (theirs->child_retry_due < n->child_retry_due) {
					n->child_retry_due = theirs->child_retry_due;
					n->child_retry_small = theirs->child_retry_small;
				}
				theirs->child_retry_due = UINT64_MAX;
			}
			ike_state_run(sa, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
		}
	}
	pending_reset(sa);
}

/* ---------------------------------------------------------------------- */
/* reauthentication (§2.8.3)                                               */

int ike_reauth_start(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct evbuf b;

	if (e->cfg.role != IKE_ROLE_CLIENT || sa->state != IKE_S_ESTABLISHED || sa->reauth)
		return -1;
	ike_ev_begin(&b, e, sa, "reauth");
	ev_str(&b, "mode", e->cfg.reauth == IKE_REAUTH_MAKE ? "make-before-break" : "break-before-make");
	ike_ev_emit(e, &b);
	if (e->cfg.reauth == IKE_REAUTH_BREAK) {
		sa->reauth = 1; /* ike_sa_die asks the engine to connect again */
		if (sa->req.kind != IKE_REQ_NONE)
			sa->close_pending = 1;
		else
			ike_state_run(sa, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
		return 0;
	}
	{
		struct ike_path path = {e->cfg.local_addr, e->cfg.remote_addr, e->cfg.port, e->cfg.port};
		struct ike_sa *n = ike_sa_new(e, 1, &path, e->now);

		if (n == NULL)
			return -1;
		n->reauth = 2;
		n->reauth_old = ike_sa_our_spi(sa);
		sa->reauth_due = UINT64_MAX;
		if (ike_sa_new_spi(e, &n->spi_i) < 0 || (ike_index_spi(n), ike_init_start(n)) < 0) {
			if (n->state != IKE_S_DEAD)
				ike_sa_die(n, "reauthentication failed");
			return -1;
		}
	}
	return 0;
}

void ike_reauth_established(struct ike_sa *sa)
{
	struct ike_sa *old;

	if (sa->reauth != 2)
		return;
	sa->reauth = 0;
	old = ike_sa_find_ours(sa->eng, sa->reauth_old);
	if (old == NULL || old->state != IKE_S_ESTABLISHED)
		return;
	if (old->req.kind != IKE_REQ_NONE)
		old->close_pending = 1;
	else
		ike_state_run(old, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
}

void ike_rekey_arm(struct ike_sa *sa)
{
	const struct ike_config *c = &sa->eng->cfg;

	if (c->ike_lifetime_ns)
		sa->rekey_due = sa->eng->now + c->ike_lifetime_ns;
	if (c->reauth_ns && c->role == IKE_ROLE_CLIENT)
		sa->reauth_due = sa->eng->now + c->reauth_ns;
}

/* ---------------------------------------------------------------------- */
/* timers                                                                  */

void ike_rekey_timer(struct ike_sa *sa, uint64_t now)
{
	if (sa->state != IKE_S_ESTABLISHED) {
		/* nothing to rekey any more: a past due time would be a deadline never served */
		sa->rekey_due = sa->reauth_due = sa->child_retry_due = UINT64_MAX;
		for (size_t i = 0; i < IKE_CHILD_MAX; i++)
			sa->child[i].rekey_due = UINT64_MAX;
		return;
	}
	if (now >= sa->child_retry_due) {
		/* §2.25: the CHILD SA refused with TEMPORARY_FAILURE, asked for again */
		if (sa->req.kind != IKE_REQ_NONE) {
			sa->child_retry_due = now + REKEY_BUSY_RETRY_NS;
		} else {
			sa->child_retry_due = UINT64_MAX;
			ike_child_create(sa, sa->child_retry_small);
		}
	}
	if (now >= sa->reauth_due) {
		sa->reauth_due = UINT64_MAX;
		ike_reauth_start(sa);
		return;
	}
	for (size_t i = 0; i < IKE_CHILD_MAX; i++) {
		struct ike_child *c = &sa->child[i];

		if (!c->used || now < c->rekey_due)
			continue;
		if (c->rekeyed) {
			c->rekey_due = UINT64_MAX;
			continue;
		}
		if (ike_rekey_child_start(sa, c) < 0)
			c->rekey_due = now + REKEY_BUSY_RETRY_NS;
		else
			c->rekey_due = UINT64_MAX;
	}
	if (now >= sa->rekey_due) {
		if (ike_rekey_ike_start(sa) < 0)
			sa->rekey_due = now + REKEY_BUSY_RETRY_NS;
		else
			sa->rekey_due = UINT64_MAX;
	}
}
