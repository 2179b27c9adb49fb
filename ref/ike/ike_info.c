/*
 * ike_info.c — INFORMATIONAL exchanges (RFC 7296 §1.4, §2.4, §2.21):
 *
 *   HDR, SK {D(IKE)} -->                  <-- HDR, SK {}          the IKE SA ends
 *   HDR, SK {D(ESP, spi...)} -->          <-- HDR, SK {D(ESP, our spi...)}  (§1.4.1)
 *   HDR, SK {} -->                        <-- HDR, SK {}          liveness (§2.4)
 *   HDR, SK {N(AUTHENTICATION_FAILED)} -->                        §2.21.2
 *
 * Liveness (DPD): after dpd_delay without any message from the peer we
 * send an empty request; its retransmissions running out (ike_retx.c)
 * means the peer is dead and dpd_action applies: clear (the IKE SA and its
 * CHILD SAs go) or restart (the client also connects again).
 */
#include "ref/ike/ike_engine.h"

#include <string.h>

int ike_info_error_response(struct ike_sa *sa, const struct ike_rx *rx, uint16_t type, const uint8_t *data,
			    size_t len)
{
	struct ike_out o;

	ike_out_begin(sa, &o, rx->m.hdr.exchange, 1, rx->m.hdr.msg_id);
	ike_out_notify(&o, type, 0, NULL, 0, data, len);
	return ike_out_response(sa, &o, &rx->path);
}

/*
 * undo_rekey: the peer deletes |c|, the CHILD SA our answer to its rekey
 * created (it refused our answer, §1.4.1). Unless another new SA replaces
 * the old one too (a §2.8.1 collision), the old one stays in service and
 * may be rekeyed again.
 */
static void undo_rekey(struct ike_sa *sa, const struct ike_child *c)
{
	struct ike_child *old;

	if (c->replaces == 0 || (old = ike_child_by_spi_in(sa, c->replaces)) == NULL || !old->rekeyed)
		return;
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		if (&sa->child[i] != c && sa->child[i].used && sa->child[i].replaces == c->replaces)
			return;
	old->rekeyed = 0;
}

enum ike_verdict ike_info_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	struct ike_out o;
	const struct ike_pl *p;
	uint8_t spis[4 * IKE_CHILD_MAX];
	size_t n_spis = 0;
	int end = 0;

	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 1, rx->m.hdr.msg_id);
	for (size_t i = 0; (p = ike_msg_find(&rx->m, IKE_PL_DELETE, i)) != NULL; i++) {
		struct ike_delete_pl d;

		if (ike_payload_delete_parse(&d, p->body, p->len, NULL) < 0)
			continue;
		if (d.proto == IKE_PROTO_IKE) {
			end = 1;
			continue;
		}
		if (d.proto != IKE_PROTO_ESP)
			continue;
		/* the SPIs are the peer's inbound ones: our outbound (§1.4.1) */
		for (size_t k = 0; k < d.n_spi; k++) {
			struct ike_child *c = ike_sa_child_by_spi_out(sa, ike_delete_spi32(&d, k));

			if (c == NULL)
				continue;
			if (n_spis < IKE_CHILD_MAX)
				ike_put32(spis + 4 * n_spis++, c->spi_in);
			undo_rekey(sa, c);
			ike_sa_child_down(sa, c, "deleted by peer");
		}
	}
	for (size_t i = 0; (p = ike_msg_find(&rx->m, IKE_PL_NOTIFY, i)) != NULL; i++)
		if (p->len >= 4 && ike_get16(p->body + 2) == IKE_N_AUTHENTICATION_FAILED) {
			/* §2.21.2: the peer could not authenticate us */
			sa->last_error = IKE_N_AUTHENTICATION_FAILED;
			end = 1;
		}
	if (n_spis > 0 && !end) {
		struct ike_payload *pl = e->pl;

		memset(pl, 0, sizeof *pl);
		pl->type = IKE_PL_DELETE;
		pl->u.del.proto = IKE_PROTO_ESP;
		pl->u.del.spi_size = 4;
		pl->u.del.n_spi = (uint16_t)n_spis;
		pl->u.del.spis = spis;
		ike_out_add(&o, pl);
	}
	ike_out_response(sa, &o, &rx->path);
	return end ? IKE_V_END : IKE_V_NEXT;
}

enum ike_verdict ike_info_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	(void)rx;
	switch (rx->req_kind) {
	case IKE_REQ_DELETE:
		return IKE_V_END; /* our D(IKE) was answered: the SA is gone */
	case IKE_REQ_DPD:
	default:
		return sa->state == IKE_S_DELETING ? IKE_V_END : IKE_V_NEXT;
	}
}

enum ike_verdict ike_info_on_close(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_payload *pl = sa->eng->pl;
	struct ike_out o;

	(void)rx;
	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_DELETE;
	pl->u.del.proto = IKE_PROTO_IKE;
	ike_out_add(&o, pl);
	if (ike_out_request(sa, &o, IKE_REQ_DELETE) < 0)
		return IKE_V_END;
	/* §1.4.1: no more traffic on this SA's children while the delete is out */
	for (size_t i = 0; i < IKE_CHILD_MAX; i++)
		ike_sa_child_down(sa, &sa->child[i], "closing");
	return IKE_V_NEXT;
}

int ike_info_dpd(struct ike_sa *sa)
{
	struct ike_out o;
	struct evbuf b;

	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	ike_ev_begin(&b, sa->eng, sa, "dpd");
	ev_time(&b, "idle", sa->eng->now - ike_sa_last_rx(sa));
	ike_ev_emit(sa->eng, &b);
	return ike_out_request(sa, &o, IKE_REQ_DPD);
}

void ike_info_dpd_timer(struct ike_sa *sa, uint64_t now)
{
	const struct ike_config *c = &sa->eng->cfg;

	if (now < sa->dpd_due)
		return;
	if (c->dpd_ns == 0 || sa->state != IKE_S_ESTABLISHED) {
		sa->dpd_due = UINT64_MAX;
		return;
	}
	sa->dpd_due = now + c->dpd_ns;
	if (sa->req.kind != IKE_REQ_NONE)
		return; /* a request is out: its retransmissions already test liveness */
	/* §2.4: only when nothing came in (IKE or ESP) for dpd_ns; outgoing traffic proves nothing */
	if (now - ike_sa_last_rx(sa) >= c->dpd_ns)
		ike_info_dpd(sa);
	else
		sa->dpd_due = ike_sa_last_rx(sa) + c->dpd_ns;
}

void ike_info_tell_and_die(struct ike_sa *sa, uint16_t notify, const char *reason)
{
	struct ike_payload *pl = sa->eng->pl;
	struct ike_out o;

	if (sa->req.kind == IKE_REQ_NONE && sa->keys != NULL) {
		ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
		if (notify != 0) {
			ike_out_notify(&o, notify, 0, NULL, 0, NULL, 0);
		} else {
			memset(pl, 0, sizeof *pl);
			pl->type = IKE_PL_DELETE;
			pl->u.del.proto = IKE_PROTO_IKE;
			ike_out_add(&o, pl);
		}
		ike_out_oneshot(sa, &o);
	}
	ike_sa_die(sa, reason);
}

void ike_info_dead_peer(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	int restart = e->cfg.dpd_action == IKE_DPD_RESTART && e->cfg.role == IKE_ROLE_CLIENT &&
		      sa->state == IKE_S_ESTABLISHED;

	ike_sa_die(sa, "peer dead");
	if (restart) {
		struct ike_sa *n = ike_sa_new(e, 1, &(struct ike_path){e->cfg.local_addr, e->cfg.remote_addr,
									 e->cfg.port, e->cfg.port},
					      e->now);

		if (n == NULL || ike_sa_new_spi(e, &n->spi_i) < 0 || (ike_index_spi(n), ike_init_start(n)) < 0) {
			if (n != NULL && n->state != IKE_S_DEAD)
				ike_sa_die(n, "restart failed");
		}
	}
}
