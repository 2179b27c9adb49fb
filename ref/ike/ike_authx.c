/*
 * ike_authx.c — the IKE_AUTH exchange (RFC 7296 §1.2, §2.15, §2.21.2):
 *
 *   HDR, SK {IDi, [CERT+], [N(INITIAL_CONTACT)], [CERTREQ], [IDr], AUTH,
 *            [CP(CFG_REQUEST)], SAi2, TSi, TSr}  -->
 *                  <-- HDR, SK {IDr, [CERT+], AUTH, [CP(CFG_REPLY)], SAr2, TSi, TSr}
 *
 * Authentication is PSK (method 2) or a certificate with a signature
 * (RFC 7427 method 14 when the peer announced SHA2-256 in
 * SIGNATURE_HASH_ALGORITHMS, else RSA_SIG / ECDSA_256). The peer's
 * certificate must chain to our trust anchors through the CERTs it sent and
 * carry the identity it claims (§3.5); its identity must match remote_id
 * when one is configured. A failure is AUTHENTICATION_FAILED: the gateway
 * answers with it and forgets the SA; the client tells the gateway in an
 * INFORMATIONAL and gives up (§2.21.2). No CHILD SA is installed either way.
 *
 * The gateway then applies the unique-IDs policy (ike.h) and the
 * configuration payload (ike_cp.c) before answering the CHILD SA request.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ref/ike/ike_auth.h"

enum { ID_BODY_MAX = 4 + 512 };

/* own_id writes our ID payload body: ID Type, 3 RESERVED octets, data (§3.5). */
static size_t own_id(const struct ike_sa *sa, uint8_t *body, size_t cap)
{
	const struct ike_config *c = &sa->eng->cfg;
	const uint8_t *data;
	size_t len;
	uint8_t type, ip[4];

	if (c->local_id.type != 0) {
		type = c->local_id.type;
		data = c->local_id.data;
		len = c->local_id.len;
	} else if (c->auth == IKE_AUTHC_PUBKEY && c->cert != NULL) {
		type = IKE_ID_DER_ASN1_DN;
		data = crypto_x509_subject_der(c->cert, &len);
	} else {
		type = IKE_ID_IPV4_ADDR;
		ike_put32(ip, sa->path.local_addr);
		data = ip;
		len = 4;
	}
	if (data == NULL || len + 4 > cap)
		return 0;
	body[0] = type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, data, len);
	return 4 + len;
}

/* id_matches: does the peer's ID (|type|, |data|) equal remote_id? (FQDN/RFC822 ignore case) */
static int id_matches(const struct ike_id_cfg *want, uint8_t type, const uint8_t *data, size_t len)
{
	if (want->type == 0)
		return 1;
	if (want->type != type)
		return 0;
	/* §3.5: a DN compares as a Name (string types and case folded), not octet by octet */
	if (type == IKE_ID_DER_ASN1_DN)
		return crypto_x509_dn_equal(want->data, want->len, data, len) == 1;
	if (want->len != len)
		return 0;
	if (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR)
		return strncasecmp((const char *)want->data, (const char *)data, len) == 0;
	return memcmp(want->data, data, len) == 0;
}

static void id_describe(uint8_t type, const uint8_t *data, size_t len, char *out, size_t cap)
{
	char dn[100];

	if (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR)
		snprintf(out, cap, "%s:%.*s", ike_id_type_name(type), (int)(len < 80 ? len : 80), (const char *)data);
	else if (type == IKE_ID_IPV4_ADDR && len == 4)
		snprintf(out, cap, "%s:%u.%u.%u.%u", ike_id_type_name(type), data[0], data[1], data[2], data[3]);
	else if (type == IKE_ID_DER_ASN1_DN && crypto_x509_dn_to_text(data, len, dn, sizeof dn) > 0)
		snprintf(out, cap, "%s:%s", ike_id_type_name(type), dn);
	else
		snprintf(out, cap, "%s (%zu octets)", ike_id_type_name(type), len);
}

/* sig_choice picks AUTH method and scheme for our key (RFC 7427 §4 needs the peer's consent). */
static void sig_choice(const struct ike_sa *sa, uint8_t *method, enum crypto_sig_scheme *scheme)
{
	int rsa = crypto_sig_key_type(sa->eng->cfg.key) == CRYPTO_SIG_KEY_RSA;

	if (sa->eng->cfg.sig == IKE_SIGC_RFC7427 && sa->peer_sig_sha256) {
		*method = IKE_AUTHM_DIGITAL_SIGNATURE;
		*scheme = rsa ? CRYPTO_SIG_RSA_PKCS1_SHA256 : CRYPTO_SIG_ECDSA_P256_SHA256_DER;
	} else {
		*method = rsa ? IKE_AUTHM_RSA_SIG : IKE_AUTHM_ECDSA_256;
		*scheme = rsa ? CRYPTO_SIG_RSA_PKCS1_SHA1 : CRYPTO_SIG_ECDSA_P256_SHA256_RAW;
	}
}

/* signer_input: the octets a signer's AUTH covers (§2.15). */
static struct ike_auth_input signer_input(const struct ike_sa *sa, int signer_is_initiator, const uint8_t *id,
					  size_t id_len)
{
	struct ike_auth_input in;

	in.init_msg = signer_is_initiator ? sa->init_req : sa->init_resp;
	in.init_msg_len = signer_is_initiator ? sa->init_req_len : sa->init_resp_len;
	in.peer_nonce = signer_is_initiator ? sa->nr : sa->ni;
	in.peer_nonce_len = signer_is_initiator ? sa->nr_len : sa->ni_len;
	in.id = id;
	in.id_len = id_len;
	return in;
}

/* add_auth adds [CERT+] (when |certs|) and AUTH for our identity |id|. */
static int add_auth(struct ike_sa *sa, struct ike_out *o, const uint8_t *id, size_t id_len, int certs_first)
{
	struct ike_engine *e = sa->eng;
	const struct ike_config *c = &e->cfg;
	struct ike_payload *pl = e->pl;
	struct ike_auth_input in = signer_input(sa, sa->initiator, id, id_len);
	uint8_t auth[IKE_AUTH_DATA_MAX];
	size_t auth_len = sizeof auth;
	struct crypto_diag d;
	uint8_t method;
	int rc;

	if (c->auth == IKE_AUTHC_PSK) {
		method = IKE_AUTHM_PSK;
		rc = ike_auth_psk_compute(sa->keys, sa->initiator, &in, c->psk, c->psk_len, auth, &auth_len, &d);
	} else {
		enum crypto_sig_scheme scheme;

		if (certs_first) {
			struct crypto_x509 *certs[1 + IKE_CFG_CHAIN_MAX];
			size_t n = 0;

			certs[n++] = c->cert;
			for (size_t i = 0; i < c->n_chain; i++)
				certs[n++] = c->chain[i];
			for (size_t i = 0; i < n; i++) {
				memset(pl, 0, sizeof *pl);
				pl->type = IKE_PL_CERT;
				pl->u.cert.encoding = IKE_CERT_X509_SIG;
				pl->u.cert.data = crypto_x509_der(certs[i], &pl->u.cert.len);
				if (ike_out_add(o, pl) < 0)
					return -1;
			}
		}
		sig_choice(sa, &method, &scheme);
		rc = ike_auth_sign(sa->keys, sa->initiator, &in, method, scheme, c->key, auth, &auth_len, &d);
	}
	if (rc != 0) {
		ike_ev_drop(e, sa, "auth", d.msg);
		return -1;
	}
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_AUTH;
	pl->u.auth.method = method;
	pl->u.auth.data = auth;
	pl->u.auth.len = auth_len;
	return ike_out_add(o, pl);
}

static int add_id(struct ike_sa *sa, struct ike_out *o, uint8_t type, const uint8_t *body, size_t len)
{
	(void)sa;
	return ike_msg_build_add_raw(&o->mb, type, 0, body, len) < 0 ? -1 : 0;
}

static int add_certreq(struct ike_sa *sa, struct ike_out *o)
{
	const struct ike_config *c = &sa->eng->cfg;
	struct ike_payload *pl = sa->eng->pl;
	uint8_t hashes[IKE_CERTREQ_HASH_LEN * 8];
	size_t n = 0;

	if (c->remote_auth != IKE_AUTHC_PUBKEY || !c->send_certreq || c->trust == NULL)
		return 0;
	for (size_t i = 0; i < crypto_x509_store_count(c->trust) && n < 8; i++)
		if (crypto_x509_spki_sha1(crypto_x509_store_get(c->trust, i), hashes + 20 * n) == 0)
			n++;
	memset(pl, 0, sizeof *pl);
	pl->type = IKE_PL_CERTREQ;
	pl->u.cert.encoding = IKE_CERT_X509_SIG;
	pl->u.cert.data = hashes;
	pl->u.cert.len = 20 * n;
	return ike_out_add(o, pl);
}

int ike_authx_send_request(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	const struct ike_config *c = &e->cfg;
	struct ike_out o;
	uint8_t id[ID_BODY_MAX];
	size_t id_len = own_id(sa, id, sizeof id);
	int rc = 0;

	if (id_len == 0)
		return -1;
	ike_out_begin(sa, &o, IKE_AUTH, 0, sa->tx_mid);
	rc |= add_id(sa, &o, IKE_PL_IDI, id, id_len);
	if (c->auth == IKE_AUTHC_PUBKEY)
		rc |= add_auth(sa, &o, id, id_len, 1) < 0 ? -1 : 0;
	else
		rc |= add_auth(sa, &o, id, id_len, 0) < 0 ? -1 : 0;
	/* one IKE SA at a time: the gateway may drop old state for us (§2.4) */
	/* not when reauthenticating make-before-break: the old SA must live on until ours is up */
	if (c->initial_contact && sa->reauth != 2)
		rc |= ike_out_notify(&o, IKE_N_INITIAL_CONTACT, 0, NULL, 0, NULL, 0);
	rc |= add_certreq(sa, &o);
	if (c->remote_id.type != 0) {
		uint8_t idr[4 + IKE_CFG_ID_MAX];

		idr[0] = c->remote_id.type;
		idr[1] = idr[2] = idr[3] = 0;
		memcpy(idr + 4, c->remote_id.data, c->remote_id.len);
		rc |= add_id(sa, &o, IKE_PL_IDR, idr, 4 + c->remote_id.len);
	}
	if (c->request_vip)
		rc |= ike_cp_request(sa, &o);
	{
		struct ike_offer of;

		memset(&of, 0, sizeof of);
		of.small = c->proposals != IKE_PROPOSALS_FULL;
		sa->pending.kind = IKE_PEND_NEW;
		rc |= ike_child_offer(sa, &o, &of);
	}
	if (rc != 0) {
		ike_ev_drop(e, sa, "build", o.mb.err ? o.mb.e.msg : "could not build IKE_AUTH");
		return -1;
	}
	rc = ike_out_request(sa, &o, IKE_REQ_AUTH);
	if (rc == 0)
		ike_child_ev_offer(sa, o.n_proposals);
	return rc;
}

/*
 * verify_peer checks the peer's identity and AUTH payload; on failure |why|
 * says what did not hold. |signer_is_initiator| is the peer's role.
 */
static int verify_peer(struct ike_sa *sa, const struct ike_rx *rx, const struct ike_pl *idp,
		       int signer_is_initiator, char *why, size_t cap)
{
	struct ike_engine *e = sa->eng;
	const struct ike_config *c = &e->cfg;
	const struct ike_pl *ap = ike_msg_find(&rx->m, IKE_PL_AUTH, 0);
	struct ike_auth_input in;
	struct ike_auth_pl auth;
	struct ike_id_pl id;
	struct crypto_diag d;
	char idtext[128];
	int rc;

	if (ap == NULL || ike_payload_auth_parse(&auth, ap->body, ap->len, NULL) < 0) {
		snprintf(why, cap, "no AUTH payload, expected one (EAP is not supported)");
		return -1;
	}
	if (ike_payload_id_parse(&id, idp->body, idp->len, NULL) < 0 || id.len > IKE_CFG_ID_MAX) {
		snprintf(why, cap, "ID payload malformed or longer than %d octets", IKE_CFG_ID_MAX);
		return -1;
	}
	id_describe(id.type, id.data, id.len, idtext, sizeof idtext);
	if (!id_matches(&c->remote_id, id.type, id.data, id.len)) {
		char want[128];

		id_describe(c->remote_id.type, c->remote_id.data, c->remote_id.len, want, sizeof want);
		snprintf(why, cap, "peer identity %s, expected %s (remote_id)", idtext, want);
		return -1;
	}
	{
		struct ike_id_cfg pid = {.type = id.type, .len = id.len};

		memcpy(pid.data, id.data, id.len);
		ike_sa_set_peer_id(sa, &pid);
	}
	sa->peer_auth_method = auth.method;
	in = signer_input(sa, signer_is_initiator, idp->body, idp->len);
	if (auth.method == IKE_AUTHM_PSK) {
		if (c->remote_auth != IKE_AUTHC_PSK) {
			snprintf(why, cap, "peer %s used PSK, expected a certificate signature (remote_auth = pubkey)",
				 idtext);
			return -1;
		}
		rc = ike_auth_psk_verify(sa->keys, signer_is_initiator, &in, c->psk, c->psk_len, auth.data, auth.len, &d);
		if (rc != 0) {
			snprintf(why, cap, "peer %s: %s", idtext, d.msg);
			return -1;
		}
		return 0;
	}
	if (c->remote_auth != IKE_AUTHC_PUBKEY || c->trust == NULL) {
		snprintf(why, cap, "peer %s used auth method %s, expected PSK (remote_auth = psk)", idtext,
			 ike_auth_method_name(auth.method));
		return -1;
	}
	{
		struct crypto_x509 *ee = NULL, *untrusted[8];
		struct crypto_sig_key *pub = NULL;
		size_t n_untrusted = 0;
		const struct ike_pl *cp;
		enum crypto_x509_reason reason;
		int64_t nb = 0, na = 0, at;

		rc = -1;
		for (size_t i = 0; (cp = ike_msg_find(&rx->m, IKE_PL_CERT, i)) != NULL; i++) {
			struct ike_cert_pl cert;
			struct crypto_x509 *x;

			if (ike_payload_cert_parse(&cert, cp->body, cp->len, NULL) < 0 ||
			    cert.encoding != IKE_CERT_X509_SIG)
				continue;
			x = crypto_x509_cache_parse_der(c->x509_cache, cert.data, cert.len, &d);
			if (x == NULL)
				continue;
			if (ee == NULL)
				ee = x;
			else if (n_untrusted < 8)
				untrusted[n_untrusted++] = x;
			else
				crypto_x509_free(x);
		}
		if (ee == NULL) {
			snprintf(why, cap, "peer %s sent no usable X.509 certificate, expected CERT (encoding 4)", idtext);
			goto out;
		}
		crypto_x509_validity(ee, &nb, &na);
		/* sans-IO: the profile gives the epoch second of time zero; 0 checks at notBefore */
		at = c->cert_time != 0 ? c->cert_time + (int64_t)(e->now / 1000000000u) : nb + 1;
		if (crypto_x509_verify_chain(c->trust, ee, untrusted, n_untrusted, at, &reason, &d) != 0) {
			snprintf(why, cap, "peer %s: certificate chain %s: %s", idtext, crypto_x509_reason_name(reason),
				 d.msg);
			goto out;
		}
		if (ike_auth_id_matches_cert(ee, idp->body, idp->len, &d) != 1) {
			snprintf(why, cap, "peer identity %s not in its certificate: %s", idtext, d.msg);
			goto out;
		}
		pub = crypto_x509_public_key(ee, &d);
		if (pub == NULL) {
			snprintf(why, cap, "peer %s: certificate key unusable: %s", idtext, d.msg);
			goto out;
		}
		if (ike_auth_verify(sa->keys, signer_is_initiator, &in, auth.method, pub, auth.data, auth.len, NULL, &d) !=
		    0) {
			snprintf(why, cap, "peer %s: %s", idtext, d.msg);
			goto out;
		}
		rc = 0;
out:
		crypto_sig_key_free(pub);
		crypto_x509_free(ee);
		for (size_t i = 0; i < n_untrusted; i++)
			crypto_x509_free(untrusted[i]);
		return rc;
	}
}

static void ev_auth(struct ike_sa *sa, int ok, const char *why)
{
	struct evbuf b;
	char idtext[128];

	if (!ike_ev_on(sa->eng))
		return;
	id_describe(sa->peer_id.type, sa->peer_id.data, sa->peer_id.len, idtext, sizeof idtext);
	ike_ev_begin(&b, sa->eng, sa, ok ? "auth_ok" : "auth_failed");
	ev_str(&b, "peer", idtext);
	if (sa->peer_auth_method)
		ev_str(&b, "method", ike_auth_method_name(sa->peer_auth_method));
	if (why != NULL)
		ev_str(&b, "msg", why);
	ike_ev_emit(sa->eng, &b);
}

static int by_seq_desc(const void *a, const void *b)
{
	const struct ike_sa *x = *(const struct ike_sa *const *)a, *y = *(const struct ike_sa *const *)b;

	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/*
 * unique_ids applies the gateway's policy to other IKE SAs of the same
 * peer identity (found through the identity map, newest first); returns -1
 * when the new SA must be refused (keep).
 */
static int unique_ids(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	enum ike_unique_policy u = e->cfg.unique;

	if (u == IKE_UNIQUE_NEVER || (u == IKE_UNIQUE_NO && !sa->initial_contact))
		return 0; /* nothing to do to the others */
	for (;;) {
		struct ike_sa *same[64];
		size_t n = 0;

		for (struct ike_sa *o = ike_index_by_id(e, &sa->peer_id); o != NULL && n < 64; o = o->id_next) {
			if (o == sa || o->state != IKE_S_ESTABLISHED || o->initiator ||
			    o->peer_id.type != sa->peer_id.type || o->peer_id.len != sa->peer_id.len ||
			    memcmp(o->peer_id.data, sa->peer_id.data, sa->peer_id.len) != 0)
				continue;
			same[n++] = o;
		}
		if (n == 0)
			return 0;
		if (u == IKE_UNIQUE_KEEP)
			return -1;
		qsort(same, n, sizeof same[0], by_seq_desc);
		for (size_t i = 0; i < n; i++)
			ike_info_tell_and_die(same[i], 0, u == IKE_UNIQUE_REPLACE ? "replaced (unique = replace)"
										   : "replaced (INITIAL_CONTACT, unique = no)");
		/* the ones told are DEAD now: another walk finds the rest of a long chain */
	}
}

enum ike_verdict ike_authx_on_request(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *idp = ike_msg_find(&rx->m, IKE_PL_IDI, 0);
	struct ike_out o;
	uint8_t id[ID_BODY_MAX];
	size_t id_len;
	char why[512];
	int rc = 0, cp;

	sa->initial_contact = ike_msg_find_notify(&rx->m, IKE_N_INITIAL_CONTACT) != NULL;
	if (idp == NULL || verify_peer(sa, rx, idp, 1, why, sizeof why) < 0) {
		if (idp == NULL)
			snprintf(why, sizeof why, "no IDi payload, expected one");
		ev_auth(sa, 0, why);
		sa->last_error = IKE_N_AUTHENTICATION_FAILED;
		/* §2.21.2: <-- HDR, SK {N(AUTHENTICATION_FAILED)}, and the SA is gone */
		ike_info_error_response(sa, rx, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return IKE_V_END;
	}
	if (unique_ids(sa) < 0) {
		ev_auth(sa, 0, "an IKE SA of this identity exists (unique = keep)");
		sa->last_error = IKE_N_AUTHENTICATION_FAILED;
		ike_info_error_response(sa, rx, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		return IKE_V_END;
	}
	ev_auth(sa, 1, NULL);
	id_len = own_id(sa, id, sizeof id);
	ike_out_begin(sa, &o, IKE_AUTH, 1, rx->m.hdr.msg_id);
	rc |= add_id(sa, &o, IKE_PL_IDR, id, id_len);
	rc |= add_auth(sa, &o, id, id_len, e->cfg.auth == IKE_AUTHC_PUBKEY);
	cp = ike_cp_answer(sa, rx, &o);
	if (cp < 0) {
		/* §3.15.4: no address to give: the IKE SA stands, no CHILD SA */
		rc |= ike_out_notify(&o, IKE_N_INTERNAL_ADDRESS_FAILURE, 0, NULL, 0, NULL, 0);
		sa->last_error = IKE_N_INTERNAL_ADDRESS_FAILURE;
	} else if (ike_msg_find(&rx->m, IKE_PL_SA, 0) != NULL) {
		struct ike_answer a;

		memset(&a, 0, sizeof a);
		a.ni = sa->ni;
		a.ni_len = sa->ni_len;
		a.nr = sa->nr;
		a.nr_len = sa->nr_len;
		ike_child_answer(sa, rx, &o, &a);
	}
	if (rc != 0 || o.mb.err) {
		ike_ev_drop(e, sa, "build", o.mb.err ? o.mb.e.msg : "could not build the IKE_AUTH response");
		return IKE_V_END;
	}
	if (ike_out_response(sa, &o, &rx->path) < 0)
		return IKE_V_END;
	sa->half_open_due = UINT64_MAX;
	if (e->cfg.dpd_ns)
		sa->dpd_due = rx->now + e->cfg.dpd_ns;
	ike_rekey_arm(sa);
	return IKE_V_NEXT;
}

enum ike_verdict ike_authx_on_response(struct ike_sa *sa, struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_pl *idp = ike_msg_find(&rx->m, IKE_PL_IDR, 0);
	char why[512];
	int rc;

	if (idp == NULL) {
		const struct ike_pl *p;

		for (size_t i = 0; (p = ike_msg_find(&rx->m, IKE_PL_NOTIFY, i)) != NULL; i++)
			if (p->len >= 4 && ike_notify_is_error(ike_get16(p->body + 2)))
				sa->last_error = ike_get16(p->body + 2);
		snprintf(why, sizeof why, "IKE_AUTH answered with %s",
			 sa->last_error ? ike_notify_name(sa->last_error) : "no IDr");
		ev_auth(sa, 0, why);
		return IKE_V_END;
	}
	if (verify_peer(sa, rx, idp, 0, why, sizeof why) < 0) {
		ev_auth(sa, 0, why);
		sa->last_error = IKE_N_AUTHENTICATION_FAILED;
		/* §2.21.2: tell the responder, then give up */
		ike_info_tell_and_die(sa, IKE_N_AUTHENTICATION_FAILED, "authentication of the gateway failed");
		return IKE_V_END;
	}
	ev_auth(sa, 1, NULL);
	ike_cp_accept(sa, rx);
	rc = ike_child_accept(sa, rx, sa->ni, sa->ni_len, sa->nr, sa->nr_len, NULL);
	sa->pending.active = 0;
	if (rc > 0) {
		sa->last_error = (uint16_t)rc;
		/* proposals = auto: the short list failed, the full one follows (CREATE_CHILD_SA) */
		if (rc == IKE_N_NO_PROPOSAL_CHOSEN && e->cfg.proposals == IKE_PROPOSALS_AUTO && sa->pending.small) {
			sa->pending.active = 0;
			ike_child_create(sa, 0);
		}
	}
	if (e->cfg.dpd_ns)
		sa->dpd_due = rx->now + e->cfg.dpd_ns;
	ike_rekey_arm(sa);
	ike_reauth_established(sa);
	return IKE_V_NEXT;
}
