/*
 * ike_engine.c — the engine object and its public entry points: datagram
 * input (marker, header, SA lookup, message-ID window, decryption,
 * reassembly, payload rules, then the transition table), the timers, and
 * introspection.
 *
 * Input checks, in order, each a silent drop with an event unless noted
 * (RFC 7296 §2.21: errors in unauthenticated messages are not answered):
 *   1. NAT-T port: keepalive 0xFF ignored; no non-ESP marker -> ESP, the caller's
 *   2. header and cleartext chain (ike_msg_parse); an unknown critical payload
 *      in an IKE_SA_INIT request is answered (§2.5)
 *   3. IKE_SA_INIT request -> gateway: retransmission? stateless checks, new SA
 *   4. SA by SPI (unknown SPI: dropped, §2.21.4 allows not answering; with
 *      invalid_spi_notify a request gets an unprotected N(INVALID_IKE_SPI),
 *      rate-limited; a response never gets an answer)
 *   5. window (§2.3): request = next expected, or the last one (resend the
 *      cached response, after the ICV checked); response = to our request
 *   6. SK/SKF decryption; a bad ICV leaves no trace in the SA
 *   7. inner chain and payload rules: a request gets INVALID_SYNTAX or
 *      UNSUPPORTED_CRITICAL_PAYLOAD back (§2.5, §2.21.2)
 *   8. NAT mapping follow (authenticated only), then ike_state_run
 */
#include "ref/ike/ike_engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/esp/esp_udpencap.h"
#include "ref/ike/ike_sk.h"

const char *ike_rx_result_name(int r)
{
	switch (r) {
	case IKE_RX_OK:
		return "ok";
	case IKE_RX_RESENT:
		return "resent";
	case IKE_RX_FRAGMENT:
		return "fragment";
	case IKE_RX_KEEPALIVE:
		return "keepalive";
	case IKE_RX_NOT_IKE:
		return "not-ike";
	case IKE_RX_DROP:
		return "drop";
	case IKE_RX_ANSWERED:
		return "answered";
	default:
		return "?";
	}
}

struct ike_engine *ike_engine_new(const struct ike_config *cfg, const struct ike_callbacks *cb, char *msg,
				  size_t cap)
{
	struct ike_engine *e;
	size_t plain;

	if (ike_config_check(cfg, msg, cap) < 0)
		return NULL;
	if (cb == NULL || cb->rng.fill == NULL) {
		if (msg != NULL && cap > 0)
			snprintf(msg, cap, "callbacks: rng missing, expected a crypto_rng");
		return NULL;
	}
	e = calloc(1, sizeof *e);
	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->cb = *cb;
	if (ike_index_init(e) < 0) {
		ike_engine_free(e);
		if (msg != NULL && cap > 0)
			snprintf(msg, cap, "out of memory");
		return NULL;
	}
	plain = cfg->reasm_max_bytes > IKE_MSG_MAX ? cfg->reasm_max_bytes : IKE_MSG_MAX;
	e->rx = malloc(IKE_MSG_MAX);
	e->plain = malloc(plain);
	e->tx = malloc(IKE_MSG_MAX + IKE_NON_ESP_MARKER_LEN);
	e->build = malloc(IKE_MSG_MAX);
	e->sk = malloc(IKE_MSG_MAX);
	e->pl = calloc(1, sizeof *e->pl);
	e->sa_pl = calloc(1, sizeof *e->sa_pl);
	e->sa_pl2 = calloc(1, sizeof *e->sa_pl2);
	if (cfg->role == IKE_ROLE_GATEWAY && cfg->pool_lo != 0) {
		e->pool_size = (size_t)(cfg->pool_hi - cfg->pool_lo) + 1;
		if (e->pool_size > (1u << 20))
			e->pool_size = 1u << 20;
		e->pool_used = calloc(e->pool_size, 1);
	}
	if (!e->rx || !e->plain || !e->tx || !e->build || !e->sk || !e->pl || !e->sa_pl || !e->sa_pl2 ||
	    (e->pool_size && !e->pool_used)) {
		ike_engine_free(e);
		if (msg != NULL && cap > 0)
			snprintf(msg, cap, "out of memory");
		return NULL;
	}
	return e;
}

void ike_engine_free(struct ike_engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n_sas; i++)
		ike_sa_free_unindexed(e->all[i]);
	e->n_sas = 0;
	ike_index_free(e);
	free(e->rx);
	free(e->plain);
	free(e->tx);
	free(e->build);
	free(e->sk);
	free(e->pl);
	free(e->sa_pl);
	free(e->sa_pl2);
	free(e->pool_used);
	free(e);
}

int ike_udp_classify(const struct ike_engine *e, uint16_t local_port, const uint8_t *p, size_t len)
{
	if (local_port != e->cfg.natt_port)
		return ESP_UDP_IKE;
	return (int)esp_udp_classify(p, len);
}

static int drop(struct ike_engine *e, struct ike_sa *sa, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int drop(struct ike_engine *e, struct ike_sa *sa, const char *reason, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ike_ev_drop(e, sa, reason, msg);
	return IKE_RX_DROP;
}

/*
 * answer_stateless answers an IKE_SA_INIT request without creating state:
 * UNSUPPORTED_CRITICAL_PAYLOAD (§2.5, data: the payload type) or
 * INVALID_MAJOR_VERSION (§2.5, sent with our version 2.0).
 */
static int answer_stateless(struct ike_engine *e, const struct ike_hdr *h, const struct ike_path *path,
			    uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_out o;
	struct ike_hdr r = *h;

	r.spi_r = 0;
	r.flags = IKE_FLAG_R;
	r.next_payload = 0;
	r.major = IKE_MAJOR_VERSION;
	r.minor = IKE_MINOR_VERSION;
	ike_out_begin_hdr(e, &o, &r);
	ike_out_notify(&o, type, 0, NULL, 0, data, len);
	ike_out_stateless(e, &o, path);
	return IKE_RX_ANSWERED;
}

/*
 * invalid_spi answers a request for an IKE SA we do not know (§2.21.4) the
 * way §1.5 describes: a response with the request's SPIs, exchange type and
 * Message ID, R set, I as the other side's opposite, and one unprotected
 * N(INVALID_IKE_SPI). At most invalid_spi_rate a second: a flood of junk
 * must not turn us into an amplifier.
 */
static int invalid_spi(struct ike_engine *e, const struct ike_hdr *h, const struct ike_path *path)
{
	struct ike_out o;
	struct ike_hdr r = *h;

	if (e->now - e->ispi_window >= UINT64_C(1000000000) || e->now < e->ispi_window) {
		e->ispi_window = e->now;
		e->ispi_sent = 0;
	}
	if (e->ispi_sent >= e->cfg.invalid_spi_rate) {
		ike_ev_drop(e, NULL, "rate-limited", "INVALID_IKE_SPI not sent: invalid_spi_rate answers this second already");
		return IKE_RX_DROP;
	}
	e->ispi_sent++;
	r.flags = (uint8_t)(IKE_FLAG_R | ((h->flags & IKE_FLAG_I) ? 0 : IKE_FLAG_I));
	r.next_payload = 0;
	r.major = IKE_MAJOR_VERSION;
	r.minor = IKE_MINOR_VERSION;
	ike_out_begin_hdr(e, &o, &r);
	ike_out_notify(&o, IKE_N_INVALID_IKE_SPI, 0, NULL, 0, NULL, 0);
	ike_out_stateless(e, &o, path);
	return IKE_RX_ANSWERED;
}

/* init_request handles an IKE_SA_INIT request (gateway only). */
static int init_request(struct ike_engine *e, struct ike_rx *rx, const uint8_t *buf, size_t len)
{
	const struct ike_hdr *h = &rx->m.hdr;
	struct ike_err err;
	struct ike_sa *sa;
	int rc;

	if (e->cfg.role != IKE_ROLE_GATEWAY)
		return drop(e, NULL, "unexpected", "IKE_SA_INIT request to a client, expected responses only");
	if (h->spi_r != 0)
		return drop(e, NULL, "syntax", "IKE_SA_INIT request with responder SPI %016llx, expected 0 (§3.1)",
			    (unsigned long long)h->spi_r);
	if (h->msg_id != 0)
		return drop(e, NULL, "syntax", "IKE_SA_INIT request with Message ID %u, expected 0 (§2.2)", h->msg_id);
	sa = ike_sa_find_half_open(e, h->spi_i, &rx->path);
	if (sa != NULL) {
		/* §2.1: the same request again gets the same response; anything else is dropped */
		if (sa->init_req != NULL && sa->init_req_len == len && memcmp(sa->init_req, buf, len) == 0 &&
		    sa->resp.valid && sa->resp.mid == 0) {
			ike_retx_resend_response(sa, &rx->path);
			return IKE_RX_RESENT;
		}
		return drop(e, sa, "duplicate-spi", "IKE_SA_INIT with SPIi %016llx from this address while its SA "
						    "exists, expected a retransmission of the first request",
			    (unsigned long long)h->spi_i);
	}
	if (ike_rules_check_msg(&rx->m, &err) < 0)
		return drop(e, NULL, "syntax", "%s", err.msg);
	e->counts.msgs_recv++;
	ike_ev_msg(e, NULL, "recv", &rx->m, rx->wire_len, 0, 0);
	rc = ike_init_gateway_accept(e, rx);
	if (rc <= 0)
		return rc == 0 ? IKE_RX_ANSWERED : IKE_RX_DROP;
	sa = ike_sa_new(e, 0, &rx->path, rx->now);
	if (sa == NULL)
		return drop(e, NULL, "limit", "no IKE SA allowed: max_sas %zu reached", e->cfg.max_sas);
	sa->spi_i = h->spi_i;
	if (ike_sa_new_spi(e, &sa->spi_r) < 0) {
		ike_sa_free(sa);
		return drop(e, NULL, "rng", "no responder SPI: the rng failed");
	}
	ike_index_spi(sa);
	sa->init_req = malloc(len);
	if (sa->init_req == NULL) {
		ike_sa_free(sa);
		return drop(e, NULL, "memory", "out of memory");
	}
	memcpy(sa->init_req, buf, len);
	sa->init_req_len = len;
	sa->counts.msgs_recv++;
	sa->rx_mid = 1;
	if (ike_state_run(sa, IKE_SA_INIT, IKE_ON_REQUEST, rx) == IKE_V_DROP)
		return IKE_RX_DROP;
	return IKE_RX_OK;
}

/* bad_inner answers (request) or gives up on (response) an authenticated message that breaks the rules. */
static int bad_inner(struct ike_sa *sa, struct ike_rx *rx, const struct ike_err *err)
{
	const struct ike_hdr *h = &rx->m.hdr;
	char xb[IKE_NAME_BUF];

	ike_ev_drop(sa->eng, sa, err->code == IKE_E_CRITICAL ? "critical" : "syntax", err->msg);
	if (ike_hdr_is_response(h)) {
		/* the exchange failed; an IKE_AUTH that fails ends the IKE SA (§2.21.2) */
		ike_retx_done(sa);
		sa->tx_mid = h->msg_id + 1;
		if (h->exchange == IKE_AUTH)
			ike_sa_die(sa, "malformed IKE_AUTH response");
		return IKE_RX_DROP;
	}
	sa->rx_mid = h->msg_id + 1;
	if (err->code == IKE_E_CRITICAL) {
		uint8_t type = err->payload;

		ike_info_error_response(sa, rx, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
	} else {
		ike_info_error_response(sa, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	if (h->exchange == IKE_AUTH)
		ike_sa_die(sa, ike_name_fmt(&ike_exchange_names, h->exchange, xb, sizeof xb));
	return IKE_RX_ANSWERED;
}

static int input_msg(struct ike_engine *e, struct ike_rx *rx, uint8_t *buf, size_t len)
{
	struct ike_hdr *h = &rx->m.hdr;
	struct ike_err err;
	struct crypto_diag d;
	struct ike_sa *sa;
	int resp, retrans = 0, rc;
	enum ike_on on;
	enum ike_verdict v;

	rc = ike_msg_parse(&rx->m, buf, len, &err);
	if (rc < 0) {
		int answer = len >= IKE_HDR_LEN && h->exchange == IKE_SA_INIT && !ike_hdr_is_response(h) &&
			     e->cfg.role == IKE_ROLE_GATEWAY && h->spi_r == 0;

		ike_ev_drop(e, NULL, rc == IKE_E_VERSION ? "version" : rc == IKE_E_CRITICAL ? "critical" : "malformed",
			    err.msg);
		if (answer && rc == IKE_E_CRITICAL) {
			uint8_t type = err.payload;

			return answer_stateless(e, h, &rx->path, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
		}
		if (answer && rc == IKE_E_VERSION && err.notify == IKE_N_INVALID_MAJOR_VERSION)
			return answer_stateless(e, h, &rx->path, IKE_N_INVALID_MAJOR_VERSION, NULL, 0);
		return IKE_RX_DROP;
	}
	resp = ike_hdr_is_response(h);
	if (h->exchange == IKE_SA_INIT && !resp)
		return init_request(e, rx, buf, len);
	sa = ike_sa_find(e, h);
	if (sa == NULL) {
		drop(e, NULL, "unknown-spi", "%s %s for SPIs %016llx/%016llx: no such IKE SA",
		     ike_exchange_name(h->exchange), resp ? "response" : "request", (unsigned long long)h->spi_i,
		     (unsigned long long)h->spi_r);
		/* §2.21.4: a response is never answered */
		if (!resp && e->cfg.invalid_spi_notify)
			return invalid_spi(e, h, &rx->path);
		return IKE_RX_DROP;
	}
	/* §2.3 window of one: the peer's next request, or the last one again */
	if (resp) {
		if (sa->req.kind == IKE_REQ_NONE || h->msg_id != sa->req.mid || h->exchange != sa->req.exchange)
			return drop(e, sa, "unexpected-response", "%s response mid %u, expected %s",
				    ike_exchange_name(h->exchange), h->msg_id,
				    sa->req.kind == IKE_REQ_NONE ? "no response (no request outstanding)"
								 : "the response to our outstanding request");
	} else if (h->msg_id != sa->rx_mid) {
		if (sa->resp.valid && h->msg_id == sa->resp.mid && h->exchange == sa->resp.exchange)
			retrans = 1;
		else
			return drop(e, sa, "message-id", "%s request mid %u, expected %u (or %d, the last one)",
				    ike_exchange_name(h->exchange), h->msg_id, sa->rx_mid,
				    sa->resp.valid ? (int)sa->resp.mid : -1);
	}
	if (h->exchange == IKE_SA_INIT) {
		/* only a response gets here: in the clear, before any key exists */
		if (ike_rules_check_msg(&rx->m, &err) < 0)
			return drop(e, sa, "syntax", "%s", err.msg);
	} else {
		size_t off = 0, plen = 0;

		if (sa->keys != NULL && rx->m.sk == NULL && resp &&
		    ike_msg_find_notify(&rx->m, IKE_N_INVALID_IKE_SPI) != NULL)
			return drop(e, sa, "invalid-ike-spi", "unprotected INVALID_IKE_SPI (§2.21.4): the peer may have "
							      "lost this IKE SA; not trusted, liveness checks decide");
		if (sa->keys == NULL || rx->m.sk == NULL)
			return drop(e, sa, "syntax", "%s without keys or without an Encrypted payload, expected HDR, SK {...}",
				    ike_exchange_name(h->exchange));
		if (rx->m.frag_total != 0 && !sa->frag)
			return drop(e, sa, "fragment", "SKF payload but IKEv2 fragmentation was not negotiated (RFC 7383 §2.3)");
		rc = ike_sk_decrypt(sa->keys, sa->initiator, buf, len, rx->m.sk_aad_len, &off, &plen, &d);
		if (rc != 0)
			return drop(e, sa, rc == IKE_SK_EICV ? "icv" : "decrypt", "%s", d.msg);
		sa->last_rx_ns = rx->now;
		if (retrans) {
			/* RFC 7383 §2.6.1: resend on the retransmitted request's first fragment */
			if (rx->m.frag_num <= 1)
				ike_retx_resend_response(sa, &rx->path);
			return IKE_RX_RESENT;
		}
		if (rx->m.frag_total != 0) {
			uint8_t first = 0;
			size_t total_wire = 0;
			uint16_t frags = 0;

			rc = ike_frag_input(sa, &rx->m, buf + off, plen, rx->wire_len, &plen, &first, &frags, &total_wire);
			if (rc <= 0)
				return rc == 0 ? IKE_RX_FRAGMENT : IKE_RX_DROP;
			rx->frags = frags;
			rx->wire_len = total_wire;
			rc = ike_msg_parse_inner_first(&rx->m, first, e->plain, plen, &err);
		} else {
			rc = ike_msg_parse_inner(&rx->m, buf + off, plen, &err);
		}
		if (rc == 0)
			rc = ike_rules_check_msg(&rx->m, &err);
		ike_natt_follow(sa, &rx->path);
		if (rc < 0)
			return bad_inner(sa, rx, &err);
	}
	sa->counts.msgs_recv++;
	e->counts.msgs_recv++;
	ike_ev_msg(e, sa, "recv", &rx->m, rx->wire_len, rx->frags, 0);
	if (resp) {
		rx->req_kind = sa->req.kind;
		if (h->exchange != IKE_SA_INIT) {
			ike_retx_done(sa);
			sa->tx_mid = h->msg_id + 1;
		}
		on = IKE_ON_RESPONSE;
	} else {
		sa->rx_mid = h->msg_id + 1;
		on = IKE_ON_REQUEST;
	}
	if (sa->eng->cfg.dpd_ns && sa->state == IKE_S_ESTABLISHED)
		sa->dpd_due = rx->now + sa->eng->cfg.dpd_ns;
	v = ike_state_run(sa, h->exchange, on, rx);
	/* a close asked for while our request was out goes now */
	if (sa->close_pending && sa->state == IKE_S_ESTABLISHED && sa->req.kind == IKE_REQ_NONE) {
		sa->close_pending = 0;
		ike_state_run(sa, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
	}
	/* a refused CHILD SA answer whose D(ESP) waited for the window */
	if (sa->orphan_spi != 0 && sa->state == IKE_S_ESTABLISHED && sa->req.kind == IKE_REQ_NONE)
		ike_child_delete_orphan(sa);
	return v == IKE_V_DROP ? IKE_RX_DROP : IKE_RX_OK;
}

/* restart_if_pending connects again after a break-before-make reauthentication ended the SA. */
static void restart_if_pending(struct ike_engine *e)
{
	if (!e->restart_pending)
		return;
	e->restart_pending = 0;
	ike_client_start(e, e->now);
}

/* settle ends every public entry point: indexes brought up to date, DEAD SAs freed. */
static void settle(struct ike_engine *e)
{
	ike_index_flush(e);
	ike_sa_reap(e);
}

int ike_input(struct ike_engine *e, const struct ike_path *path, const uint8_t *dgram, size_t len, uint64_t now_ns)
{
	struct ike_rx *rx;
	size_t wire_len = len;
	int rc;

	e->now = now_ns;
	if (dgram == NULL || path == NULL)
		return IKE_RX_DROP;
	if (path->local_port == e->cfg.natt_port) {
		switch (esp_udp_classify(dgram, len)) {
		case ESP_UDP_KEEPALIVE:
			return IKE_RX_KEEPALIVE;
		case ESP_UDP_ESP:
			return IKE_RX_NOT_IKE;
		case ESP_UDP_IKE:
			dgram += IKE_NON_ESP_MARKER_LEN;
			len -= IKE_NON_ESP_MARKER_LEN;
			break;
		default:
			return drop(e, NULL, "malformed", "%zu-octet datagram on the NAT-T port: not a keepalive, IKE "
							   "(non-ESP marker + header) or ESP", len);
		}
	}
	if (len > IKE_MSG_MAX)
		return drop(e, NULL, "malformed", "%zu-octet datagram, expected at most %d", len, IKE_MSG_MAX);
	rx = calloc(1, sizeof *rx);
	if (rx == NULL)
		return IKE_RX_DROP;
	memcpy(e->rx, dgram, len); /* decryption works in place */
	rx->path = *path;
	rx->now = now_ns;
	rx->wire_len = wire_len;
	rc = input_msg(e, rx, e->rx, len);
	free(rx);
	settle(e);
	restart_if_pending(e);
	return rc;
}

uint64_t ike_deadline(const struct ike_engine *e)
{
	return ike_index_deadline(e);
}

/* serve runs the timers of |sa| due at |now|. */
static void serve(struct ike_sa *sa, uint64_t now_ns)
{
	ike_sa_touch(sa);
	sa->served = sa->eng->ix.round;
	if (sa->state == IKE_S_DEAD)
		return;
	if (now_ns >= sa->half_open_due) {
		/* a half-open SA, or one the peer replaced by a rekey and never deleted */
		ike_sa_die(sa, sa->state == IKE_S_INIT_DONE ? "half-open timeout" : "replaced, never deleted");
		return;
	}
	ike_retx_timer(sa, now_ns);
	if (sa->state == IKE_S_DEAD)
		return;
	ike_frag_timer(sa, now_ns);
	ike_natt_keepalive_timer(sa, now_ns);
	ike_info_dpd_timer(sa, now_ns);
	ike_rekey_timer(sa, now_ns);
}

void ike_on_deadline(struct ike_engine *e, uint64_t now_ns)
{
	e->now = now_ns;
	e->ix.round++;
	/*
	 * The SAs due, newest first; then once more for SAs another one made
	 * due just now (each SA's timers run once per call, as a walk over all
	 * of them would).
	 */
	for (int pass = 0; pass < 4; pass++) {
		struct ike_sa **due;
		size_t n = ike_index_due(e, now_ns, &due);

		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			serve(due[i], now_ns);
		ike_index_flush(e);
	}
	settle(e);
	restart_if_pending(e);
}

int ike_client_start(struct ike_engine *e, uint64_t now_ns)
{
	struct ike_path path;
	struct ike_sa *sa;
	int rc = 0;

	e->now = now_ns;
	if (e->cfg.role != IKE_ROLE_CLIENT)
		return IKE_E_ARG;
	if (e->n_sas > e->ix.n_dead)
		return IKE_E_ARG; /* one IKE SA at a time */
	path.local_addr = e->cfg.local_addr;
	path.remote_addr = e->cfg.remote_addr;
	path.local_port = e->cfg.port;
	path.remote_port = e->cfg.port;
	sa = ike_sa_new(e, 1, &path, now_ns);
	if (sa == NULL)
		return IKE_E_BUFFER;
	if (ike_sa_new_spi(e, &sa->spi_i) < 0) {
		ike_sa_free(sa);
		settle(e);
		return IKE_E_ARG;
	}
	ike_index_spi(sa);
	if (ike_state_run(sa, IKE_SA_INIT, IKE_ON_START, NULL) != IKE_V_NEXT)
		rc = IKE_E_ARG;
	settle(e);
	return rc;
}

int ike_close(struct ike_engine *e, uint64_t now_ns)
{
	e->now = now_ns;
	/* newest first; SAs created on the way are not visited */
	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		ike_sa_touch(sa);
		if (sa->state == IKE_S_ESTABLISHED) {
			if (sa->req.kind != IKE_REQ_NONE)
				sa->close_pending = 1; /* window of one: after the outstanding exchange */
			else
				ike_state_run(sa, IKE_INFORMATIONAL, IKE_ON_CLOSE, NULL);
		} else if (sa->state != IKE_S_DELETING && sa->state != IKE_S_DEAD) {
			ike_sa_die(sa, "closed before established");
		}
	}
	settle(e);
	return 0;
}

int ike_rekey_child(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns)
{
	int rc = IKE_E_ARG;

	e->now = now_ns;
	for (size_t k = e->n_sas; k-- > 0 && rc == IKE_E_ARG;) {
		struct ike_sa *sa = e->all[k];

		for (size_t i = 0; i < IKE_CHILD_MAX; i++) {
			struct ike_child *c = &sa->child[i];

			if (c->used && !c->rekeyed && (spi_in == 0 || c->spi_in == spi_in)) {
				ike_sa_touch(sa);
				rc = ike_rekey_child_start(sa, c) == 0 ? 0 : IKE_E_ARG;
				k = 0; /* the first one found decides */
				break;
			}
		}
	}
	settle(e);
	return rc;
}

int ike_create_child(struct ike_engine *e, uint64_t ike_spi, uint64_t now_ns)
{
	int rc = IKE_E_ARG;

	e->now = now_ns;
	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		/* not on an SA a rekey replaced (it lingers until the peer deletes it) */
		if (sa->state != IKE_S_ESTABLISHED || sa->successor != 0 || sa->half_open_due != UINT64_MAX)
			continue;
		if (ike_spi != 0 && ike_sa_our_spi(sa) != ike_spi)
			continue;
		ike_sa_touch(sa);
		rc = ike_child_create_public(sa) == 0 ? 0 : IKE_E_ARG;
		break;
	}
	settle(e);
	return rc;
}

int ike_rekey_ike(struct ike_engine *e, uint64_t now_ns)
{
	int started = 0;

	e->now = now_ns;
	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		if (sa->state == IKE_S_ESTABLISHED && sa->half_open_due == UINT64_MAX) {
			ike_sa_touch(sa);
			started += ike_rekey_ike_start(sa) == 0;
		}
	}
	settle(e);
	return started ? 0 : IKE_E_ARG;
}

int ike_reauth(struct ike_engine *e, uint64_t now_ns)
{
	int rc = IKE_E_ARG;

	e->now = now_ns;
	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		if (sa->state == IKE_S_ESTABLISHED) {
			ike_sa_touch(sa);
			if (ike_reauth_start(sa) == 0) {
				rc = 0;
				break;
			}
		}
	}
	settle(e);
	restart_if_pending(e);
	return rc;
}

/* note_sa: the live IKE SA holding the CHILD SA with inbound SPI |spi_in| (the ESP index: O(1)). */
static struct ike_sa *note_sa(struct ike_engine *e, uint32_t spi_in)
{
	struct ike_sa *sa = ike_index_esp_sa(e, spi_in);

	return sa != NULL && sa->state != IKE_S_DEAD ? sa : NULL;
}

int ike_note_esp_sent(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns)
{
	struct ike_sa *sa = note_sa(e, spi_in);

	if (sa == NULL)
		return IKE_E_ARG;
	if (now_ns > sa->last_esp_tx_ns)
		sa->last_esp_tx_ns = now_ns;
	return 0;
}

int ike_note_esp_received(struct ike_engine *e, uint32_t spi_in, uint64_t now_ns)
{
	struct ike_sa *sa = note_sa(e, spi_in);

	if (sa == NULL)
		return IKE_E_ARG;
	if (now_ns > sa->last_esp_rx_ns)
		sa->last_esp_rx_ns = now_ns;
	return 0;
}

const struct ike_counts *ike_engine_counts(const struct ike_engine *e)
{
	return &e->counts;
}

size_t ike_sa_count(const struct ike_engine *e)
{
	return e->n_sas - e->ix.n_dead;
}

size_t ike_half_open_count(const struct ike_engine *e)
{
	return e->ix.n_half_open;
}

/* live_sa: the |i|-th SA that is not DEAD, oldest first (between entry points there are none DEAD). */
static const struct ike_sa *live_sa(const struct ike_engine *e, size_t i)
{
	if (e->ix.n_dead == 0)
		return i < e->n_sas ? e->all[i] : NULL;
	for (size_t k = 0; k < e->n_sas; k++)
		if (e->all[k]->state != IKE_S_DEAD && i-- == 0)
			return e->all[k];
	return NULL;
}

static void fill_status(const struct ike_sa *sa, struct ike_sa_status *st);

int ike_sa_status(const struct ike_engine *e, size_t i, struct ike_sa_status *st)
{
	const struct ike_sa *sa = live_sa(e, i);

	if (sa == NULL)
		return IKE_E_ARG;
	fill_status(sa, st);
	return 0;
}

int ike_sa_status_spi(const struct ike_engine *e, uint64_t spi_i, uint64_t spi_r, struct ike_sa_status *st)
{
	/* ours is spi_i (we initiated) or spi_r: both chains are short */
	for (int side = 0; side < 2; side++)
		for (const struct ike_sa *sa = ike_index_by_spi(e, side ? spi_r : spi_i); sa != NULL; sa = sa->spi_next)
			if (sa->state != IKE_S_DEAD && sa->spi_i == spi_i && sa->spi_r == spi_r &&
			    sa->initiator == (side == 0)) {
				fill_status(sa, st);
				return 0;
			}
	return IKE_E_ARG;
}

static void fill_status(const struct ike_sa *sa, struct ike_sa_status *st)
{
	memset(st, 0, sizeof *st);
	st->spi_i = sa->spi_i;
	st->spi_r = sa->spi_r;
	st->initiator = sa->initiator;
	st->state = sa->state;
	st->path = sa->path;
	st->nat_local = sa->nat_local;
	st->nat_remote = sa->nat_remote;
	st->encap = sa->encap;
	st->frag = sa->frag;
	st->vip = sa->vip;
	st->n_dns = sa->n_dns;
	memcpy(st->dns, sa->dns, sizeof st->dns);
	st->n_domains = sa->n_domains;
	memcpy(st->domains, sa->domains, sizeof st->domains);
	st->encr = sa->ike.encr;
	st->encr_key_bits = sa->ike.key_bits;
	st->prf = sa->ike.prf;
	st->integ = sa->ike.integ;
	st->dh = sa->ike.ke;
	st->n_children = ike_sa_n_children(sa);
	for (size_t c = 0; c < IKE_CHILD_MAX; c++)
		if (sa->child[c].used) {
			st->child_spi_in = sa->child[c].spi_in;
			st->child_spi_out = sa->child[c].spi_out;
			st->child_encr = sa->child[c].chosen.encr;
			st->child_encr_key_bits = sa->child[c].chosen.key_bits;
			st->child_integ = sa->child[c].chosen.integ;
			break;
		}
	st->last_error = sa->last_error;
	st->counts = sa->counts;
	st->peer_id = sa->peer_id;
	st->peer_auth_method = sa->peer_auth_method;
}
