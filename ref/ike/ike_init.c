/*
 * ike_init.c — IKE_SA_INIT (RFC 7296 §1.2), with its two stateless detours:
 *
 *   COOKIE (§2.6): above cookie_threshold half-open SAs the gateway answers
 *     a request without a valid cookie with N(COOKIE) and keeps nothing.
 *     Cookie = HMAC-SHA-256(secret, Ni | IPi | SPIi), secret drawn once from
 *     the rng; the initiator repeats its request with N(COOKIE) first and
 *     everything else unchanged.
 *   INVALID_KE_PAYLOAD (§1.2, §2.7): the proposal we accept names another
 *     group than the KEi sent: answer N(INVALID_KE_PAYLOAD, group); the
 *     initiator repeats with that group's KEi. Message ID stays 0.
 *
 * NO_PROPOSAL_CHOSEN is answered statelessly as well. Only an acceptable
 * request creates an IKE SA (state INIT_DONE, half-open).
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_keys.h"

/* init_payloads finds and parses SA, KE and Nonce of an IKE_SA_INIT message. */
static int init_payloads(struct ike_engine *e, const struct ike_msg *m, struct ike_sa_pl *sa_pl,
			 struct ike_ke_pl *ke, struct ike_nonce_pl *no, char *why, size_t cap)
{
	const struct ike_pl *p_sa = ike_msg_find(m, IKE_PL_SA, 0);
	const struct ike_pl *p_ke = ike_msg_find(m, IKE_PL_KE, 0);
	const struct ike_pl *p_no = ike_msg_find(m, IKE_PL_NONCE, 0);
	struct ike_err err;

	(void)e;
	if (p_sa == NULL || p_ke == NULL || p_no == NULL) {
		snprintf(why, cap, "IKE_SA_INIT without %s, expected SA, KE and Nonce",
			 p_sa == NULL ? "SA" : p_ke == NULL ? "KE" : "Nonce");
		return -1;
	}
	if (ike_payload_sa_parse(sa_pl, p_sa->body, p_sa->len, &err) < 0 ||
	    ike_payload_ke_parse(ke, p_ke->body, p_ke->len, &err) < 0 ||
	    ike_payload_nonce_parse(no, p_no->body, p_no->len, &err) < 0) {
		snprintf(why, cap, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* cookie_compute: HMAC-SHA-256(secret, Ni | IPi | SPIi) (§2.6). */
static int cookie_compute(struct ike_engine *e, const struct ike_nonce_pl *ni, uint32_t ip, uint64_t spi_i,
			  uint8_t out[IKE_COOKIE_LEN])
{
	uint8_t ipb[4], spib[8];
	struct crypto_iov iov[3] = {{ni->data, ni->len}, {ipb, 4}, {spib, 8}};

	if (!e->have_secret) {
		if (crypto_rng_fill(&e->cb.rng, e->cookie_secret, sizeof e->cookie_secret) != 0)
			return -1;
		e->have_secret = 1;
	}
	ike_put32(ipb, ip);
	ike_put32(spib, (uint32_t)(spi_i >> 32));
	ike_put32(spib + 4, (uint32_t)spi_i);
	return crypto_prf_iov(CRYPTO_PRF_HMAC_SHA2_256, e->cookie_secret, sizeof e->cookie_secret, iov, 3, out);
}

/* stateless_answer sends HDR(SPIr = 0), N(type, data) for a rejected IKE_SA_INIT request. */
static void stateless_answer(struct ike_engine *e, const struct ike_rx *rx, uint16_t type, const uint8_t *data,
			     size_t len)
{
	struct ike_out o;
	struct ike_hdr h = rx->m.hdr;

	h.spi_r = 0;
	h.flags = IKE_FLAG_R;
	h.msg_id = 0;
	ike_out_begin_hdr(e, &o, &h);
	ike_out_notify(&o, type, 0, NULL, 0, data, len);
	ike_out_stateless(e, &o, &rx->path);
}

int ike_init_gateway_accept(struct ike_engine *e, struct ike_rx *rx)
{
	struct ike_ke_pl ke;
	struct ike_nonce_pl ni;
	char why[256];
	uint8_t cookie[IKE_COOKIE_LEN];

	if (init_payloads(e, &rx->m, e->sa_pl, &ke, &ni, why, sizeof why) < 0) {
		ike_ev_drop(e, NULL, "syntax", why);
		return -1; /* §2.21: errors in unprotected requests are not answered */
	}
	if (e->cfg.cookies && ike_half_open_count(e) >= e->cfg.cookie_threshold) {
		const struct ike_pl *first = rx->m.outer.n ? &rx->m.outer.pl[0] : NULL;
		int ok = 0;

		if (cookie_compute(e, &ni, rx->path.remote_addr, rx->m.hdr.spi_i, cookie) < 0) {
			ike_ev_drop(e, NULL, "rng", "no cookie secret: the rng failed");
			return -1;
		}
		/* §2.6: N(COOKIE) must be the first payload */
		if (first != NULL && first->type == IKE_PL_NOTIFY && first->len == 4 + IKE_COOKIE_LEN &&
		    ike_get16(first->body + 2) == IKE_N_COOKIE)
			ok = crypto_memeq(first->body + 4, cookie, IKE_COOKIE_LEN);
		if (!ok) {
			struct evbuf b;

			ike_ev_begin(&b, e, NULL, "cookie");
			ev_bool(&b, "had_cookie", first != NULL && first->type == IKE_PL_NOTIFY &&
							  ike_get16(first->body + 2) == IKE_N_COOKIE);
			ev_u64(&b, "half_open", ike_half_open_count(e));
			ike_ev_emit(e, &b);
			stateless_answer(e, rx, IKE_N_COOKIE, cookie, sizeof cookie);
			return 0;
		}
	}
	if (ike_proposal_select(&e->cfg.ike, e->sa_pl, IKE_PROTO_IKE, ke.group, 1, &rx->chosen, why, sizeof why) < 0) {
		ike_ev_drop(e, NULL, "no-proposal", why);
		stateless_answer(e, rx, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return 0;
	}
	if (rx->chosen.ke != ke.group) {
		uint8_t g[2];
		char msg[128];

		snprintf(msg, sizeof msg, "KEi group %s, expected %s (the accepted proposal's)",
			 ike_transform_name(IKE_TT_KE, ke.group), ike_transform_name(IKE_TT_KE, rx->chosen.ke));
		ike_ev_drop(e, NULL, "invalid-ke", msg);
		ike_put16(g, rx->chosen.ke);
		stateless_answer(e, rx, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return 0;
	}
	if (ke.len != crypto_dh_pub_len((enum crypto_dh_group)ke.group)) {
		snprintf(why, sizeof why, "KE data %zu octets for %s, expected %zu", ke.len,
			 ike_transform_name(IKE_TT_KE, ke.group), crypto_dh_pub_len((enum crypto_dh_group)ke.group));
		ike_ev_drop(e, NULL, "syntax", why);
		stateless_answer(e, rx, IKE_N_INVALID_SYNTAX, NULL, 0);
		return 0;
	}
	return 1;
}

/* scan_notifies records what the peer announced in IKE_SA_INIT. */
static void scan_notifies(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *p;

	sa->peer_frag = ike_msg_find_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	sa->frag = sa->peer_frag && sa->eng->cfg.fragmentation == IKE_FRAG_YES;
	sa->peer_certreq = ike_msg_find(m, IKE_PL_CERTREQ, 0) != NULL;
	p = ike_msg_find_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	sa->peer_sig_sha256 = 0;
	if (p != NULL)
		for (size_t i = 4; i + 1 < p->len; i += 2)
			sa->peer_sig_sha256 |= ike_get16(p->body + i) == IKE_HASH_SHA2_256;
}

/* add_common adds the notifies both sides send: NAT-D, fragmentation, signature hashes. */
static int add_common(struct ike_sa *sa, struct ike_out *o, uint64_t spi_r, const struct ike_path *path)
{
	struct ike_engine *e = sa->eng;
	int rc = ike_natt_add(sa, o, sa->spi_i, spi_r, path);

	if (e->cfg.fragmentation == IKE_FRAG_YES)
		rc |= ike_out_notify(o, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, 0, NULL, 0, NULL, 0);
	if (e->cfg.auth == IKE_AUTHC_PUBKEY || e->cfg.remote_auth == IKE_AUTHC_PUBKEY) {
		uint8_t h[2];

		ike_put16(h, IKE_HASH_SHA2_256); /* RFC 7427 §4 */
		rc |= ike_out_notify(o, IKE_N_SIGNATURE_HASH_ALGORITHMS, 0, NULL, 0, h, 2);
	}
	return rc;
}

static int add_ke_nonce(struct ike_sa *sa, struct ike_out *o, const uint8_t *nonce, size_t nonce_len)
{
	struct ike_payload *pl = sa->eng->pl;
	uint8_t pub[512];
	size_t len = crypto_dh_pub_len((enum crypto_dh_group)sa->dh_group);
	int rc;

	if (len == 0 || len > sizeof pub || crypto_dh_public(sa->dh, pub, len) != 0)
		return IKE_E_ARG;
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_KE;
	pl->u.ke.group = sa->dh_group;
	pl->u.ke.data = pub;
	pl->u.ke.len = len;
	rc = ike_out_add(o, pl);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_NONCE;
	pl->u.nonce.data = nonce;
	pl->u.nonce.len = nonce_len;
	return rc | ike_out_add(o, pl);
}

/* send_request builds HDR, [N(COOKIE)], SAi1, KEi, Ni, N(NAT_D*), N(FRAG_SUP) and sends it. */
static int send_request(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ike_out o;
	struct ike_payload *pl = e->pl;
	int rc = 0;

	ike_out_begin(sa, &o, IKE_SA_INIT, 0, 0);
	if (sa->cookie_len)
		rc |= ike_out_notify(&o, IKE_N_COOKIE, 0, NULL, 0, sa->cookie, sa->cookie_len);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	rc |= ike_proposal_build(&e->cfg.ike, IKE_PROTO_IKE, NULL, 0, 1, &pl->u.sa);
	rc |= ike_out_add(&o, pl);
	rc |= add_ke_nonce(sa, &o, sa->ni, sa->ni_len);
	rc |= add_common(sa, &o, 0, &sa->path);
	if (rc != 0)
		return IKE_E_ARG;
	rc = ike_out_request(sa, &o, IKE_REQ_INIT);
	if (rc < 0)
		return rc;
	/* AUTH signs the request exactly as sent (§2.15) */
	free(sa->init_req);
	sa->init_req = malloc(sa->req.wire.len);
	if (sa->init_req == NULL)
		return IKE_E_BUFFER;
	memcpy(sa->init_req, sa->req.wire.data, sa->req.wire.len);
	sa->init_req_len = sa->req.wire.len;
	return 0;
}

static int new_dh(struct ike_sa *sa, uint16_t group)
{
	int err = 0;

	crypto_dh_free(sa->dh);
	sa->dh = crypto_dh_new((enum crypto_dh_group)group, &sa->eng->cb.rng, &err);
	sa->dh_group = group;
	return sa->dh != NULL ? 0 : -1;
}

enum ike_verdict ike_init_on_start(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;

	(void)rx;
	sa->ni_len = IKE_NONCE_LEN;
	if (crypto_rng_fill(&e->cb.rng, sa->ni, sa->ni_len) != 0 || new_dh(sa, e->cfg.ike.p[0].ke[0]) < 0 ||
	    send_request(sa) < 0) {
		ike_ev_drop(e, sa, "start", "could not build IKE_SA_INIT (rng, DH or builder failed)");
		return IKE_V_END;
	}
	return IKE_V_NEXT;
}

/* offered_group: did we list |g| in any IKE proposal? */
static int offered_group(const struct ike_config *c, uint16_t g)
{
	for (size_t i = 0; i < c->ike.n; i++)
		for (size_t k = 0; k < c->ike.p[i].n_ke; k++)
			if (c->ike.p[i].ke[k] == g)
				return 1;
	return 0;
}

/* derive computes g^ir and the IKE SA keys (§2.14) once both nonces and SPIs are known. */
static int derive(struct ike_sa *sa, const struct ike_ke_pl *peer_ke, char *why, size_t cap)
{
	struct ike_suite s = {sa->ike.encr, sa->ike.key_bits, sa->ike.prf, sa->ike.integ, sa->ike.ke};
	uint8_t gir[512], spi_i[8], spi_r[8];
	size_t gl = crypto_dh_shared_len((enum crypto_dh_group)sa->dh_group);
	struct crypto_diag d;
	int rc;

	if (peer_ke->group != sa->dh_group || peer_ke->len != crypto_dh_pub_len((enum crypto_dh_group)sa->dh_group)) {
		snprintf(why, cap, "KE group %u with %zu octets, expected %s with %zu", peer_ke->group, peer_ke->len,
			 ike_transform_name(IKE_TT_KE, sa->dh_group), crypto_dh_pub_len((enum crypto_dh_group)sa->dh_group));
		return -1;
	}
	rc = crypto_dh_shared(sa->dh, peer_ke->data, peer_ke->len, gir, gl);
	if (rc != 0) {
		snprintf(why, cap, "peer's KE value rejected: %s", crypto_strerror(rc));
		return -1;
	}
	ike_put32(spi_i, (uint32_t)(sa->spi_i >> 32));
	ike_put32(spi_i + 4, (uint32_t)sa->spi_i);
	ike_put32(spi_r, (uint32_t)(sa->spi_r >> 32));
	ike_put32(spi_r + 4, (uint32_t)sa->spi_r);
	sa->keys = ike_keys_new_sa_init(&s, sa->ni, sa->ni_len, sa->nr, sa->nr_len, spi_i, spi_r, gir, gl, &d);
	memset(gir, 0, sizeof gir);
	crypto_dh_free(sa->dh);
	sa->dh = NULL;
	if (sa->keys == NULL) {
		/* d.msg may be longer than |why|: cut it (snprintf would warn at -O2) */
		size_t n = strnlen(d.msg, cap - 1);
		memcpy(why, d.msg, n);
		why[n] = '\0';
		return -1;
	}
	ike_ev_keys(sa);
	return 0;
}

static void ev_ike_sa(struct ike_sa *sa)
{
	struct evbuf b;
	char alg[128];

	if (!ike_ev_on(sa->eng))
		return;
	ike_chosen_fmt(&sa->ike, alg, sizeof alg);
	ike_ev_begin(&b, sa->eng, sa, "ike_sa");
	ev_str(&b, "alg", alg);
	ev_bool(&b, "frag", sa->frag);
	ike_ev_emit(sa->eng, &b);
}

enum ike_verdict ike_init_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *p;
	struct ike_ke_pl ke;
	struct ike_nonce_pl nr;
	char why[256];

	ike_retx_done(sa);
	/* HDR, N(COOKIE): repeat with the cookie first (§2.6) */
	if ((p = ike_msg_find_notify(&rx->m, IKE_N_COOKIE)) != NULL && ike_msg_find(&rx->m, IKE_PL_SA, 0) == NULL) {
		if (++sa->init_retries > IKE_INIT_RETRIES_MAX || p->len - 4 > IKE_COOKIE_MAX || p->len <= 4) {
			ike_ev_drop(e, sa, "cookie", "too many COOKIE round trips or a bad cookie");
			return IKE_V_END;
		}
		sa->cookie_len = p->len - 4;
		memcpy(sa->cookie, p->body + 4, sa->cookie_len);
		return send_request(sa) == 0 ? IKE_V_STAY : IKE_V_END;
	}
	/* HDR, N(INVALID_KE_PAYLOAD): repeat with the group asked for (§1.2) */
	if ((p = ike_msg_find_notify(&rx->m, IKE_N_INVALID_KE_PAYLOAD)) != NULL && p->len == 6) {
		uint16_t g = ike_get16(p->body + 4);

		if (++sa->init_retries > IKE_INIT_RETRIES_MAX || g == sa->dh_group || !offered_group(&e->cfg, g)) {
			snprintf(why, sizeof why, "INVALID_KE_PAYLOAD asks for %s, expected a group we offered other than %s",
				 ike_transform_name(IKE_TT_KE, g), ike_transform_name(IKE_TT_KE, sa->dh_group));
			ike_ev_drop(e, sa, "invalid-ke", why);
			sa->last_error = IKE_N_INVALID_KE_PAYLOAD;
			return IKE_V_END;
		}
		if (new_dh(sa, g) < 0)
			return IKE_V_END;
		return send_request(sa) == 0 ? IKE_V_STAY : IKE_V_END;
	}
	for (size_t i = 0; (p = ike_msg_find(&rx->m, IKE_PL_NOTIFY, i)) != NULL; i++)
		if (p->len >= 4 && ike_notify_is_error(ike_get16(p->body + 2))) {
			sa->last_error = ike_get16(p->body + 2);
			snprintf(why, sizeof why, "IKE_SA_INIT refused with %s", ike_notify_name(sa->last_error));
			ike_ev_drop(e, sa, "refused", why);
			return IKE_V_END;
		}
	if (init_payloads(e, &rx->m, e->sa_pl, &ke, &nr, why, sizeof why) < 0 || rx->m.hdr.spi_r == 0) {
		ike_ev_drop(e, sa, "syntax", rx->m.hdr.spi_r == 0 ? "IKE_SA_INIT response with SPIr 0" : why);
		return IKE_V_END;
	}
	ike_proposal_build(&e->cfg.ike, IKE_PROTO_IKE, NULL, 0, 1, e->sa_pl2);
	if (ike_proposal_check_answer(e->sa_pl2, e->sa_pl, IKE_PROTO_IKE, &sa->ike, why, sizeof why) < 0) {
		ike_ev_drop(e, sa, "proposal", why);
		return IKE_V_END;
	}
	sa->spi_r = rx->m.hdr.spi_r;
	memcpy(sa->nr, nr.data, nr.len);
	sa->nr_len = nr.len;
	if (sa->ike.ke != sa->dh_group) {
		snprintf(why, sizeof why, "accepted group %s, expected our KEi group %s",
			 ike_transform_name(IKE_TT_KE, sa->ike.ke), ike_transform_name(IKE_TT_KE, sa->dh_group));
		ike_ev_drop(e, sa, "proposal", why);
		return IKE_V_END;
	}
	if (derive(sa, &ke, why, sizeof why) < 0) {
		ike_ev_drop(e, sa, "keys", why);
		return IKE_V_END;
	}
	free(sa->init_resp);
	sa->init_resp = malloc(rx->m.len);
	if (sa->init_resp == NULL)
		return IKE_V_END;
	memcpy(sa->init_resp, rx->m.raw, rx->m.len);
	sa->init_resp_len = rx->m.len;
	scan_notifies(sa, &rx->m);
	ev_ike_sa(sa);
	ike_natt_check(sa, rx);
	ike_natt_float(sa);
	sa->tx_mid = 1;
	if (ike_authx_send_request(sa) < 0)
		return IKE_V_END;
	return IKE_V_NEXT;
}

enum ike_verdict ike_init_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	struct ike_out o;
	struct ike_payload *pl = e->pl;
	struct ike_ke_pl ke;
	struct ike_nonce_pl ni;
	char why[256];
	int rc = 0;

	if (init_payloads(e, &rx->m, e->sa_pl, &ke, &ni, why, sizeof why) < 0)
		return IKE_V_END;
	sa->ike = rx->chosen;
	memcpy(sa->ni, ni.data, ni.len);
	sa->ni_len = ni.len;
	sa->nr_len = IKE_NONCE_LEN;
	if (crypto_rng_fill(&e->cb.rng, sa->nr, sa->nr_len) != 0 || new_dh(sa, sa->ike.ke) < 0) {
		ike_ev_drop(e, sa, "rng", "no nonce or DH value: the rng failed");
		return IKE_V_END;
	}
	scan_notifies(sa, &rx->m);
	ike_natt_check(sa, rx);
	/* HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_D*), N(FRAG_SUP) */
	ike_out_begin(sa, &o, IKE_SA_INIT, 1, 0);
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_SA;
	rc |= ike_proposal_answer(&sa->ike, NULL, 0, &pl->u.sa);
	rc |= ike_out_add(&o, pl);
	rc |= add_ke_nonce(sa, &o, sa->nr, sa->nr_len);
	if (e->cfg.remote_auth == IKE_AUTHC_PUBKEY && e->cfg.send_certreq && e->cfg.trust != NULL) {
		uint8_t hashes[IKE_CERTREQ_HASH_LEN * 8];
		size_t n = 0;

		for (size_t i = 0; i < crypto_x509_store_count(e->cfg.trust) && n < 8; i++)
			if (crypto_x509_spki_sha1(crypto_x509_store_get(e->cfg.trust, i), hashes + 20 * n) == 0)
				n++;
		memset(pl, 0, sizeof *pl);
		pl->type = IKE_PL_CERTREQ;
		pl->u.cert.encoding = IKE_CERT_X509_SIG;
		pl->u.cert.data = hashes;
		pl->u.cert.len = 20 * n;
		rc |= ike_out_add(&o, pl);
	}
	rc |= add_common(sa, &o, sa->spi_r, &rx->path);
	if (rc != 0)
		return IKE_V_END;
	if (derive(sa, &ke, why, sizeof why) < 0) {
		ike_ev_drop(e, sa, "keys", why);
		return IKE_V_END;
	}
	if (ike_out_response(sa, &o, &rx->path) < 0)
		return IKE_V_END;
	sa->init_resp = malloc(sa->resp.wire.len);
	if (sa->init_resp == NULL)
		return IKE_V_END;
	memcpy(sa->init_resp, sa->resp.wire.data, sa->resp.wire.len);
	sa->init_resp_len = sa->resp.wire.len;
	sa->half_open_due = rx->now + e->cfg.half_open_timeout_ns;
	ev_ike_sa(sa);
	return IKE_V_NEXT;
}

/* ike_init_start is ike_init_on_start for callers outside the table (restart after DPD). */
int ike_init_start(struct ike_sa *sa)
{
	return ike_state_run(sa, IKE_SA_INIT, IKE_ON_START, NULL) == IKE_V_NEXT ? 0 : -1;
}
