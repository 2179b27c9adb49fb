/*
 * ike_sa.c — IKE SA objects: creation, lookup by SPI, SPI allocation from
 * the rng, CHILD SA slots, and the end of an SA (children reported down,
 * pool lease returned). An SA that dies stays indexed as DEAD until
 * ike_sa_reap, so no caller holds a dangling pointer mid-processing.
 * Lookups go through ike_sa_index.c and mark what they return
 * (ike_sa_touch): whoever looks an SA up is about to change it.
 */
#include "ref/ike/ike_engine.h"

#include <stdlib.h>
#include <string.h>

struct ike_sa *ike_sa_new(struct ike_engine *e, int initiator, const struct ike_path *path, uint64_t now)
{
	struct ike_sa *sa;

	if (e->n_sas >= e->cfg.max_sas)
		return NULL;
	sa = calloc(1, sizeof *sa);
	if (sa == NULL)
		return NULL;
	sa->eng = e;
	sa->initiator = initiator;
	sa->state = IKE_S_NONE;
	sa->path = *path;
	sa->created_ns = now;
	sa->last_rx_ns = now;
	sa->last_tx_ns = now;
	sa->req.due = UINT64_MAX;
	sa->reasm[0].due = sa->reasm[1].due = UINT64_MAX;
	sa->ka_due = UINT64_MAX;
	sa->dpd_due = UINT64_MAX;
	sa->half_open_due = UINT64_MAX;
	sa->rekey_due = UINT64_MAX;
	sa->reauth_due = UINT64_MAX;
	sa->child_retry_due = UINT64_MAX;
	sa->heap_idx = SIZE_MAX;
	if (ike_index_add(sa) < 0) {
		free(sa);
		return NULL;
	}
	return sa;
}

void ike_wire_free(struct ike_wire *w)
{
	free(w->data);
	memset(w, 0, sizeof *w);
}

void ike_sa_free(struct ike_sa *sa)
{
	ike_index_remove(sa);
	ike_sa_free_unindexed(sa);
}

void ike_sa_free_unindexed(struct ike_sa *sa)
{
	crypto_dh_free(sa->dh);
	crypto_dh_free(sa->pending.dh);
	ike_keys_free(sa->keys);
	free(sa->init_req);
	free(sa->init_resp);
	ike_wire_free(&sa->req.wire);
	ike_wire_free(&sa->resp.wire);
	ike_frag_reset(sa);
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		ike_keys_child_wipe(&sa->child[i].keys);
	free(sa);
}

uint64_t ike_sa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static struct ike_sa *touched(struct ike_sa *sa)
{
	ike_sa_touch(sa);
	return sa;
}

struct ike_sa *ike_sa_find_ours(struct ike_engine *e, uint64_t spi)
{
	for (struct ike_sa *sa = ike_index_by_spi(e, spi); sa != NULL; sa = sa->spi_next)
		if (sa->state != IKE_S_DEAD && ike_sa_our_spi(sa) == spi)
			return touched(sa);
	return NULL;
}

struct ike_sa *ike_sa_find(struct ike_engine *e, const struct ike_hdr *h)
{
	/* the I flag is set by the original initiator: then our SPI is the responder's */
	int we_responder = (h->flags & IKE_FLAG_I) != 0;
	uint64_t ours = we_responder ? h->spi_r : h->spi_i;

	for (struct ike_sa *sa = ike_index_by_spi(e, ours); sa != NULL; sa = sa->spi_next) {
		if (sa->state == IKE_S_DEAD || sa->initiator == we_responder || ike_sa_our_spi(sa) != ours)
			continue;
		if (we_responder) {
			if (sa->spi_i == h->spi_i)
				return touched(sa);
		} else if (sa->spi_r == h->spi_r || (sa->state == IKE_S_INIT_SENT && h->exchange == IKE_SA_INIT)) {
			/* before the IKE_SA_INIT response we do not know the peer's SPI yet */
			return touched(sa);
		}
	}
	return NULL;
}

struct ike_sa *ike_sa_find_half_open(struct ike_engine *e, uint64_t spi_i, const struct ike_path *path)
{
	for (struct ike_sa *sa = ike_index_by_peer_spi(e, spi_i); sa != NULL; sa = sa->peer_next)
		if (!sa->initiator && sa->state != IKE_S_DEAD && sa->spi_i == spi_i &&
		    sa->path.remote_addr == path->remote_addr && sa->path.remote_port == path->remote_port)
			return touched(sa);
	return NULL;
}

void ike_sa_set_peer_id(struct ike_sa *sa, const struct ike_id_cfg *id)
{
	sa->peer_id = *id;
	ike_index_spi(sa); /* links it under the identity (unique-IDs lookups) */
}

int ike_sa_new_spi(struct ike_engine *e, uint64_t *spi)
{
	for (int tries = 0; tries < 16; tries++) {
		uint8_t b[8];
		uint64_t v = 0;
		int clash = 0;

		if (crypto_rng_fill(&e->cb.rng, b, sizeof b) != 0)
			return -1;
		for (int i = 0; i < 8; i++)
			v = v << 8 | b[i];
		if (v == 0)
			continue; /* §3.1: zero means "not yet known" */
		for (struct ike_sa *sa = ike_index_by_spi(e, v); sa != NULL && !clash; sa = sa->spi_next)
			clash = ike_sa_our_spi(sa) == v;
		if (!clash) {
			*spi = v;
			return 0;
		}
	}
	return -1;
}

int ike_sa_new_esp_spi(struct ike_engine *e, uint32_t *spi)
{
	for (int tries = 0; tries < 16; tries++) {
		uint8_t b[4];
		uint32_t v;
		int clash = 0;

		if (crypto_rng_fill(&e->cb.rng, b, sizeof b) != 0)
			return -1;
		v = ike_get32(b);
		if (v < IKE_SPI_ESP_MIN)
			continue;
		clash = ike_index_esp_taken(e, v);
		if (!clash) {
			ike_index_esp_reserve(e, v);
			*spi = v;
			return 0;
		}
	}
	return -1;
}

struct ike_child *ike_sa_child_alloc(struct ike_sa *sa)
{
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (!sa->child[i].used) {
			memset(&sa->child[i], 0, sizeof sa->child[i]);
			sa->child[i].used = 1;
			return &sa->child[i];
		}
	return NULL;
}

struct ike_child *ike_sa_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out)
{
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].spi_out == spi_out)
			return &sa->child[i];
	return NULL;
}

size_t ike_sa_n_children(const struct ike_sa *sa)
{
	size_t n = 0;

	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		n += sa->child[i].used != 0;
	return n;
}

void ike_sa_child_down(struct ike_sa *sa, struct ike_child *c, const char *reason)
{
	struct ike_engine *e = sa->eng;

	if (!c->used)
		return;
	ike_sa_touch(sa);
	ike_ev_child(sa, c, "child_down", reason);
	if (e->cb.child_down != NULL)
		e->cb.child_down(e->cb.ctx, c->spi_in, c->spi_out, reason);
	sa->counts.children_down++;
	e->counts.children_down++;
	ike_keys_child_wipe(&c->keys);
	memset(c, 0, sizeof *c);
}

void ike_sa_die(struct ike_sa *sa, const char *reason)
{
	if (sa->state == IKE_S_DEAD)
		return;
	ike_sa_touch(sa);
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		ike_sa_child_down(sa, &sa->child[i], reason);
	ike_cp_release(sa);
	if (sa->reauth == 1)
		sa->eng->restart_pending = 1; /* break-before-make: connect again */
	ike_state_set(sa, IKE_S_DEAD, reason);
	sa->req.due = UINT64_MAX;
	sa->req.kind = IKE_REQ_NONE;
	ike_frag_reset(sa);
	sa->ka_due = sa->dpd_due = sa->half_open_due = sa->rekey_due = sa->reauth_due = UINT64_MAX;
	sa->child_retry_due = UINT64_MAX;
}

void ike_sa_reap(struct ike_engine *e)
{
	ike_index_compact(e);
}

uint64_t ike_sa_deadline(const struct ike_sa *sa)
{
	uint64_t d = sa->req.due;

	if (sa->state == IKE_S_DEAD)
		return UINT64_MAX;
	for (int i = 0; i < 2; i++)
		if (sa->reasm[i].due < d)
			d = sa->reasm[i].due;
	if (sa->ka_due < d)
		d = sa->ka_due;
	if (sa->dpd_due < d)
		d = sa->dpd_due;
	if (sa->half_open_due < d)
		d = sa->half_open_due;
	if (sa->rekey_due < d)
		d = sa->rekey_due;
	if (sa->reauth_due < d)
		d = sa->reauth_due;
	if (sa->child_retry_due < d)
		d = sa->child_retry_due;
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (sa->child[i].used && sa->child[i].rekey_due < d)
			d = sa->child[i].rekey_due;
	return d;
}
