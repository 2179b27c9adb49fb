/*
 * ike_retx.c — reliability (RFC 7296 §2.1, §2.4). Only the initiator of an
 * exchange retransmits: its request, bit for bit (the stored datagrams,
 * every fragment of a fragmented one, RFC 7383 §2.6.1), after
 *
 *   timeout * base^n   for n = 0 .. tries-1, then one more timeout * base^tries
 *
 * without an answer the peer is declared dead (§2.4). The responder never
 * retransmits: it keeps its last response and sends it again when the same
 * request arrives again (window size 1, §2.3).
 */
#include "ref/ike/ike_engine.h"

#include <math.h>

/* interval is timeout * base^n, capped by retx_max_ns. */
static uint64_t interval(const struct ike_config *c, unsigned n)
{
	double v = (double)c->retx_timeout_ns * pow(c->retx_base, (double)n);

	if (v > 1.8e19)
		v = 1.8e19;
	if (c->retx_max_ns != 0 && v > (double)c->retx_max_ns)
		v = (double)c->retx_max_ns;
	return (uint64_t)v;
}

void ike_retx_arm(struct ike_sa *sa, uint64_t now)
{
	sa->req.due = now + interval(&sa->eng->cfg, sa->req.tries);
}

void ike_retx_done(struct ike_sa *sa)
{
	sa->req.kind = IKE_REQ_NONE;
	sa->req.due = UINT64_MAX;
	ike_wire_free(&sa->req.wire);
}

void ike_retx_timer(struct ike_sa *sa, uint64_t now)
{
	struct ike_engine *e = sa->eng;
	struct evbuf b;

	if (sa->req.kind == IKE_REQ_NONE || now < sa->req.due)
		return;
	if (sa->req.tries >= e->cfg.retx_tries) {
		ike_ev_begin(&b, e, sa, "peer_dead");
		ev_str(&b, "exchange", ike_exchange_name(sa->req.exchange));
		ev_u64(&b, "mid", sa->req.mid);
		ev_u64(&b, "tries", sa->req.tries);
		ev_time(&b, "waited", now - sa->req.sent_ns);
		ike_ev_emit(e, &b);
		ike_retx_done(sa);
		ike_info_dead_peer(sa);
		return;
	}
	sa->req.tries++;
	sa->counts.retransmits++;
	e->counts.retransmits++;
	ike_ev_begin(&b, e, sa, "retransmit");
	ev_str(&b, "exchange", ike_exchange_name(sa->req.exchange));
	ev_u64(&b, "mid", sa->req.mid);
	ev_u64(&b, "try", sa->req.tries);
	ev_u64(&b, "frags", sa->req.wire.n > 1 ? sa->req.wire.n : 0);
	ev_time(&b, "next_in", interval(&e->cfg, sa->req.tries));
	ike_ev_emit(e, &b);
	/* a request follows the peer's current address (NAT mapping updates) */
	ike_out_send_wire(e, &sa->req.wire, &sa->path, sa, 1);
	ike_retx_arm(sa, now);
}

void ike_retx_resend_response(struct ike_sa *sa, const struct ike_path *path)
{
	struct ike_engine *e = sa->eng;
	struct evbuf b;

	sa->counts.resent_responses++;
	e->counts.resent_responses++;
	ike_ev_begin(&b, e, sa, "resend_response");
	ev_str(&b, "exchange", ike_exchange_name(sa->resp.exchange));
	ev_u64(&b, "mid", sa->resp.mid);
	ev_u64(&b, "frags", sa->resp.wire.n > 1 ? sa->resp.wire.n : 0);
	ike_ev_emit(e, &b);
	ike_out_send_wire(e, &sa->resp.wire, path, sa, 1);
}
