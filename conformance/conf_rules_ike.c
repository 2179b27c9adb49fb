/*
 * conf_rules_ike.c — IKEv2 header and exchange rules (RFC 7296), and the
 * header Length rule shared with IKEv1 (RFC 2408).
 *
 * RFC text each rule checks (RFC 7296 unless named):
 *   §3.1  "Implementations based on this version of IKE MUST set the major
 *         version to 2"; minor version "MUST set the minor version to zero".
 *   §3.1  Length: "Length of the total message (header + payloads) in octets."
 *   §3.1  Initiator's SPI "MUST NOT be zero"; Responder's SPI "MUST be zero
 *         in the first message of an IKE initial exchange (including repeats
 *         of that message including a cookie) and MUST NOT be zero in any
 *         other message" (§2.6 draws the COOKIE reply as HDR(A,0): error
 *         replies to IKE_SA_INIT are exempt here).
 *   §3.1  I flag "MUST be set in messages sent by the original initiator of
 *         the IKE SA and MUST be cleared in messages sent by the original
 *         responder".
 *   §2.11 a responder "MUST specify the address and port at which the
 *         request was received as the source address and port in the
 *         response" and answers to the address and port the request came from.
 *   §2.2  Message ID "is zero for the IKE_SA_INIT messages (including
 *         retries of the message due to responses such as COOKIE and
 *         INVALID_KE_PAYLOAD), and incremented for each subsequent exchange".
 *   §2.1  "A retransmission from the initiator MUST be bitwise identical to
 *         the original request." / "The responder MUST never retransmit a
 *         response unless it receives a retransmission of the request."
 *   §2.4  "retransmission times MUST increase exponentially".
 *   §3.9  "The size of the Nonce Data MUST be between 16 and 256 octets".
 *   §3.4  KE data of a MODP group "MUST be equal to the length of the prime
 *         modulus"; ECP (RFC 5903 §7) and Curve25519/448 (RFC 8031 §3.1)
 *         have fixed lengths too.
 *   §3.14 "The Encrypted payload, if present in a message, MUST be the last
 *         payload in the message."
 *   §2.6  "the initiator MUST retry the IKE_SA_INIT with a Notify payload of
 *         type COOKIE containing the responder-supplied cookie data as the
 *         first payload".
 *   §1.2  after INVALID_KE_PAYLOAD the initiator retries with the group the
 *         responder indicated (SHOULD).
 */
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_ikesa.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike_const.h"

static const char *xname(const struct conf_msg *m)
{
	return m->version == 1 ? ikev1_exchange_name(m->hdr.exch) : ike_exchange_name(m->hdr.exch);
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* ---- ikev2-version ---- */
static void chk_version(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (!m->hdr_ok)
			continue;
		int major = m->hdr.version >> 4, minor = m->hdr.version & 15;
		int v2_exch = m->hdr.exch >= IKE_SA_INIT && m->hdr.exch <= IKE_FOLLOWUP_KE;
		if (major == IKEV1_MAJOR_VERSION && !v2_exch)
			continue; /* IKEv1: ikev1-version */
		conf_checked(r);
		if (major == IKE_MAJOR_VERSION && minor == IKE_MINOR_VERSION)
			continue;
		conf_fail(r, m->frame, "frame %u: %s with version %u.%u (octet 0x%02x), expected 2.0",
			  m->frame, ike_exchange_name(m->hdr.exch), major, minor, m->hdr.version);
	}
	conf_pass(r, "%u IKEv2 messages carry version 2.0", r->n_checked);
}

/* ---- ike-length ---- */
static void chk_length(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (!m->hdr_ok || m->truncated || (m->version != 1 && m->version != 2))
			continue;
		conf_checked(r);
		if (m->hdr.length == m->len)
			continue;
		conf_fail(r, m->frame, "frame %u: %s header Length %u, but the %s carries %u octets of IKE message",
			  m->frame, xname(m), m->hdr.length,
			  m->tr == CONF_TR_TCP ? "RFC 9329 frame" : "UDP payload", m->len);
	}
	conf_pass(r, "%u IKE messages: header Length equals the octets carried", r->n_checked);
}

/* ---- ikev2-spi ---- */
static int is_zero8(const uint8_t *p)
{
	static const uint8_t z[8];
	return memcmp(p, z, 8) == 0;
}

static void chk_spi(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (!m->hdr_ok || m->version != 2)
			continue;
		conf_checked(r);
		int resp = conf_msg_is_response(m);
		if (is_zero8(m->hdr.spi_i)) {
			conf_fail(r, m->frame, "frame %u: %s %s with an all-zero Initiator's SPI", m->frame,
				  xname(m), resp ? "response" : "request");
			continue;
		}
		if (m->hdr.exch == IKE_SA_INIT && !resp) {
			if (!is_zero8(m->hdr.spi_r))
				conf_fail(r, m->frame, "frame %u: IKE_SA_INIT request with a non-zero Responder's SPI",
					  m->frame);
			continue;
		}
		if (m->hdr.exch == IKE_SA_INIT && resp && !m->v2.has_sa)
			continue; /* error/COOKIE reply: HDR(A,0) in §2.6 */
		if (is_zero8(m->hdr.spi_r))
			conf_fail(r, m->frame, "frame %u: %s %s with an all-zero Responder's SPI", m->frame, xname(m),
				  resp ? "response" : "request");
	}
	conf_pass(r, "%u IKEv2 messages: SPIi non-zero, SPIr zero only in IKE_SA_INIT requests", r->n_checked);
}

/* ---- ikev2-initiator-flag ---- */
static void chk_iflag(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || ix->msg_sa[i] < 0)
			continue;
		const struct conf_ikesa *sa = &ix->sa[ix->msg_sa[i]];
		if (!sa->have_init || sa->init_ip == sa->resp_ip)
			continue; /* the original initiator is not known by address */
		int from_init = m->flow.src == sa->init_ip;
		if (!from_init && m->flow.src != sa->resp_ip)
			continue; /* another address (MOBIKE, NAT elsewhere): cannot tell */
		conf_checked(r);
		if (conf_msg_by_init(m) == from_init)
			continue;
		char a[16];
		conf_fail(r, m->frame, "frame %u: %s %s from %s (the original %s) has the I flag %s", m->frame,
			  xname(m), conf_msg_is_response(m) ? "response" : "request", conf_ipv4_fmt(m->flow.src, a),
			  from_init ? "initiator" : "responder", conf_msg_by_init(m) ? "set" : "clear");
	}
	conf_pass(r, "%u messages: I flag set exactly on those of the original initiator", r->n_checked);
}

/* ---- ikev2-response-address ---- */
static void chk_resp_addr(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		if (e->req < 0 || e->resp < 0)
			continue;
		const struct conf_msg *rs = &c->msg[e->resp];
		/* the request transmission that the first response answers: the last one before it */
		const struct conf_msg *rq = NULL;
		for (int32_t j = e->req; j >= 0; j = ix->next_same[j])
			if (c->msg[j].frame <= rs->frame)
				rq = &c->msg[j];
		if (!rq)
			continue;
		conf_checked(r);
		if (rs->flow.src == rq->flow.dst && rs->flow.sport == rq->flow.dport && rs->flow.dst == rq->flow.src &&
		    rs->flow.dport == rq->flow.sport)
			continue;
		char a[48], b[48];
		conf_fail(r, rs->frame, "frame %u: %s response %s does not reverse its request (frame %u) %s",
			  rs->frame, xname(rs), conf_flow_fmt(&rs->flow, a), rq->frame, conf_flow_fmt(&rq->flow, b));
		conf_fail_more(r, rq->frame);
	}
	conf_pass(r, "%u responses sent from the request's destination to its source address and port",
		  r->n_checked);
}

/* ---- ikev2-msgid-sequence ---- */
static void chk_msgid(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	/* per SA and requester: whether a request was seen, and its Message ID */
	uint8_t *have = calloc(2 * (size_t)(ix->n_sa ? ix->n_sa : 1), 1);
	uint32_t *prev = calloc(2 * (size_t)(ix->n_sa ? ix->n_sa : 1), sizeof *prev);
	if (!have || !prev) {
		free(have);
		free(prev);
		return;
	}
	for (uint32_t k = 0; k < ix->n_x; k++) { /* exchanges in order of their first message */
		const struct conf_xchg *e = &ix->x[k];
		if (e->req < 0 || ix->sa[e->sa].version != 2)
			continue;
		size_t slot = 2 * (size_t)e->sa + e->by_init;
		const struct conf_msg *m = &c->msg[e->req];
		conf_checked(r);
		if (e->exch == IKE_SA_INIT) {
			if (e->msgid != 0)
				conf_fail(r, m->frame, "frame %u: IKE_SA_INIT request with Message ID %u, expected 0", m->frame,
					  e->msgid);
			have[slot] = 1;
			prev[slot] = e->msgid;
			continue;
		}
		uint32_t want;
		if (have[slot])
			want = prev[slot] + 1;
		else if (!ix->sa[e->sa].have_init)
			want = e->msgid; /* the capture starts inside the SA: take the first as it is */
		else
			want = e->by_init ? 1 : 0;
		if (e->msgid != want)
			conf_fail(r, m->frame, "frame %u: %s request from the original %s with Message ID %u, expected %u",
				  m->frame, xname(m), e->by_init ? "initiator" : "responder", e->msgid, want);
		have[slot] = 1;
		prev[slot] = e->msgid;
	}
	free(have);
	free(prev);
	conf_pass(r, "%u requests: Message IDs start at 0 and increase by one per exchange", r->n_checked);
}

/* ---- retransmissions ---- */

/* same_unit: two transmissions of the same message (or the same fragment of it). */
static int same_unit(const struct conf_msg *a, const struct conf_msg *b)
{
	if (conf_msg_frag(a) != conf_msg_frag(b))
		return 0;
	return !conf_msg_frag(a) || a->v2.skf_total == b->v2.skf_total;
}

static void chk_rtx_identical(const struct conf_ctx *x, struct conf_result *r, int responses)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		int32_t head = responses ? e->resp : e->req;
		if ((responses ? e->n_resp : e->n_req) < 2)
			continue;
		for (int32_t b = ix->next_same[head]; b >= 0; b = ix->next_same[b]) {
			int32_t a = -1; /* the first transmission of the same message or fragment */
			for (int32_t z = head; z >= 0 && z != b; z = ix->next_same[z])
				if (same_unit(&c->msg[z], &c->msg[b])) {
					a = z;
					break;
				}
			if (a < 0)
				continue;
			const struct conf_msg *ma = &c->msg[a], *mb = &c->msg[b];
			conf_checked(r);
			if (ma->len == mb->len && memcmp(ma->raw, mb->raw, ma->len) == 0)
				continue;
			uint32_t d = 0;
			while (d < ma->len && d < mb->len && ma->raw[d] == mb->raw[d])
				d++;
			conf_fail(r, mb->frame,
				  "frame %u: retransmitted %s %s (Message ID %u) differs from frame %u: %u vs %u "
				  "octets, first difference at offset %u", mb->frame, xname(mb),
				  responses ? "response" : "request", e->msgid, ma->frame, mb->len, ma->len, d);
			conf_fail_more(r, ma->frame);
		}
	}
	conf_pass(r, "%u retransmitted %s are bitwise identical to the first transmission", r->n_checked,
		  responses ? "responses" : "requests");
}

static void chk_rtx_req(const struct conf_ctx *x, struct conf_result *r)
{
	chk_rtx_identical(x, r, 0);
}

static void chk_rtx_resp(const struct conf_ctx *x, struct conf_result *r)
{
	chk_rtx_identical(x, r, 1);
}

static void chk_backoff(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	double f = x->p->backoff_factor;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		if (e->n_req < 3)
			continue;
		/* transmissions of the whole message or of its first fragment */
		uint64_t t[64];
		uint32_t fr[64];
		int n = 0;
		for (int32_t j = e->req; j >= 0 && n < 64; j = ix->next_same[j]) {
			uint16_t fn = conf_msg_frag(&c->msg[j]);
			if (fn > 1)
				continue;
			t[n] = c->msg[j].t_ns;
			fr[n++] = c->msg[j].frame;
		}
		if (n < 3)
			continue;
		conf_checked(r);
		for (int i = 2; i < n; i++) {
			double d1 = secs(t[i - 1] - t[i - 2]), d2 = secs(t[i] - t[i - 1]);
			if (d2 + 1e-9 >= d1 * f)
				continue;
			conf_fail(r, fr[i],
				  "frames %u, %u, %u: %s request (Message ID %u) retransmitted after %.3f s then %.3f s; "
				  "intervals must grow exponentially (factor >= %.2f, saw %.2f)", fr[i - 2], fr[i - 1],
				  fr[i], ike_exchange_name(e->exch), e->msgid, d1, d2, f, d1 > 0 ? d2 / d1 : 0.0);
			conf_fail_more(r, fr[i - 1]);
			break;
		}
	}
	conf_pass(r, "%u requests retransmitted at least twice, with growing intervals", r->n_checked);
}

static void chk_resp_rtx(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t k = 0; k < ix->n_x; k++) {
		const struct conf_xchg *e = &ix->x[k];
		if (e->resp < 0 || e->req < 0)
			continue;
		conf_checked(r);
		/* merge the request and response transmissions in frame order */
		int32_t a = e->req, b = e->resp;
		int pending = 0;
		while (b >= 0) {
			if (a >= 0 && c->msg[a].frame < c->msg[b].frame) {
				if (conf_msg_frag(&c->msg[a]) <= 1)
					pending++;
				a = ix->next_same[a];
				continue;
			}
			const struct conf_msg *m = &c->msg[b];
			if (conf_msg_frag(m) <= 1) {
				if (pending == 0) {
					conf_fail(r, m->frame,
						  "frame %u: %s response (Message ID %u) sent again without a new "
						  "transmission of the request", m->frame, xname(m), e->msgid);
					break;
				}
				pending = 0;
			}
			b = ix->next_same[b];
		}
	}
	conf_pass(r, "%u exchanges: every response transmission follows a request transmission", r->n_checked);
}

/* ---- payload contents ---- */
static void chk_nonce(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || !m->v2.has_nonce)
			continue;
		conf_checked(r);
		if (m->v2.nonce_len >= IKE_NONCE_MIN && m->v2.nonce_len <= IKE_NONCE_MAX)
			continue;
		conf_fail(r, m->frame, "frame %u: %s Nonce Data of %u octets, expected %d..%d", m->frame, xname(m),
			  m->v2.nonce_len, IKE_NONCE_MIN, IKE_NONCE_MAX);
	}
	conf_pass(r, "%u nonces of 16..256 octets", r->n_checked);
}

/* ke_len: KE data length of a group (MODP prime size; RFC 5903 §7 x||y; RFC 8031 §3.1). */
static int ke_len(int g)
{
	switch (g) {
	case IKE_KE_MODP768: return 96;
	case IKE_KE_MODP1024: return 128;
	case IKE_KE_MODP1536: return 192;
	case IKE_KE_MODP2048: return 256;
	case IKE_KE_MODP3072: return 384;
	case IKE_KE_MODP4096: return 512;
	case IKE_KE_MODP6144: return 768;
	case IKE_KE_MODP8192: return 1024;
	case IKE_KE_ECP256: return 64;
	case IKE_KE_ECP384: return 96;
	case IKE_KE_ECP521: return 132;
	case IKE_KE_CURVE25519: return 32;
	case IKE_KE_CURVE448: return 56;
	}
	return 0;
}

static void chk_ke(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || !m->v2.has_ke)
			continue;
		int want = ke_len(m->v2.ke_group);
		if (!want)
			continue;
		conf_checked(r);
		if ((int)m->v2.ke_len == want)
			continue;
		conf_fail(r, m->frame, "frame %u: %s KE for group %s carries %u octets, expected %d", m->frame,
			  xname(m), ike_transform_name(IKE_TT_KE, m->v2.ke_group), m->v2.ke_len, want);
	}
	conf_pass(r, "%u KE payloads with the data length of their group", r->n_checked);
}

static void chk_sk_last(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || !(m->v2.has_sk || m->v2.has_skf))
			continue;
		conf_checked(r);
		if (m->v2.sk_not_last)
			conf_fail(r, m->frame, "frame %u: %s: %s", m->frame, xname(m), m->v2.err);
	}
	conf_pass(r, "%u messages with an Encrypted payload: it is the last payload", r->n_checked);
}

/* next_init_request: the next IKE_SA_INIT request after message |after| of the same SA. */
static int32_t next_init_request(const struct conf_ctx *x, uint32_t after)
{
	const struct conf_capture *c = x->c;
	const struct conf_ikesa_index *ix = x->sa;
	for (uint32_t j = after + 1; j < c->n_msg; j++) {
		const struct conf_msg *m = &c->msg[j];
		if (m->version == 2 && m->hdr.exch == IKE_SA_INIT && !conf_msg_is_response(m) &&
		    ix->msg_sa[j] == ix->msg_sa[after])
			return (int32_t)j;
	}
	return -1;
}

static void chk_cookie(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || m->hdr.exch != IKE_SA_INIT || !conf_msg_is_response(m))
			continue;
		int k = conf_ikev2_find_notify(&m->v2, IKE_N_COOKIE);
		if (k < 0)
			continue;
		int32_t j = next_init_request(x, i);
		if (j < 0)
			continue; /* the initiator gave up (or the retry is not in the capture) */
		conf_checked(r);
		const struct conf_msg *q = &c->msg[j];
		const struct conf_ikev2_notify *cn = &m->v2.nt[k];
		int first = q->v2.n_pl > 0 && q->v2.pl[0].type == IKE_PL_NOTIFY && q->v2.n_notify > 0 &&
			    q->v2.nt[0].type == IKE_N_COOKIE;
		if (!first) {
			conf_fail(r, q->frame, "frame %u: IKE_SA_INIT retry after the COOKIE of frame %u does not start "
				  "with N(COOKIE) (first payload %s)", q->frame, m->frame,
				  q->v2.n_pl ? ike_payload_name(q->v2.pl[0].type) : "none");
			conf_fail_more(r, m->frame);
			continue;
		}
		const struct conf_ikev2_notify *qn = &q->v2.nt[0];
		if (qn->data_len != cn->data_len ||
		    memcmp(q->raw + qn->data_off, m->raw + cn->data_off, cn->data_len) != 0) {
			conf_fail(r, q->frame, "frame %u: N(COOKIE) of %u octets differs from the %u-octet cookie of "
				  "frame %u", q->frame, qn->data_len, cn->data_len, m->frame);
			conf_fail_more(r, m->frame);
		}
	}
	conf_pass(r, "%u COOKIE challenges answered with the cookie as the first payload", r->n_checked);
}

static void chk_invalid_ke(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		if (m->version != 2 || m->hdr.exch != IKE_SA_INIT || !conf_msg_is_response(m))
			continue;
		int k = conf_ikev2_find_notify(&m->v2, IKE_N_INVALID_KE_PAYLOAD);
		if (k < 0 || m->v2.nt[k].data_len != 2)
			continue;
		const uint8_t *d = m->raw + m->v2.nt[k].data_off;
		uint16_t g = (uint16_t)(d[0] << 8 | d[1]);
		int32_t j = next_init_request(x, i);
		if (j < 0) { /* a new SA (new SPIi) from the same initiator to the same responder */
			for (uint32_t t = i + 1; t < c->n_msg && j < 0; t++) {
				const struct conf_msg *q = &c->msg[t];
				if (q->version == 2 && q->hdr.exch == IKE_SA_INIT && !conf_msg_is_response(q) &&
				    q->flow.src == m->flow.dst && q->flow.dst == m->flow.src)
					j = (int32_t)t;
			}
		}
		if (j < 0)
			continue;
		const struct conf_msg *q = &c->msg[j];
		if (!q->v2.has_ke)
			continue;
		conf_checked(r);
		if (q->v2.ke_group != g) {
			conf_fail(r, q->frame, "frame %u: IKE_SA_INIT retry uses KE group %s after INVALID_KE_PAYLOAD "
				  "asking for %s (frame %u)", q->frame, ike_transform_name(IKE_TT_KE, q->v2.ke_group),
				  ike_transform_name(IKE_TT_KE, g), m->frame);
			conf_fail_more(r, m->frame);
		}
	}
	conf_pass(r, "%u INVALID_KE_PAYLOAD answers followed by a retry with the requested group", r->n_checked);
}

const struct conf_rule conf_rules_ike[] = {
	{"ikev2-version", "RFC 7296", "3.1", CONF_MUST, CONF_SET_IKEV2,
	 "IKEv2 messages carry major version 2, minor version 0", chk_version},
	{"ike-length", "RFC 7296 / RFC 2408", "3.1", CONF_MUST, CONF_SET_IKEV2 | CONF_SET_IKEV1,
	 "IKE header Length equals the octets of the message carried", chk_length},
	{"ikev2-spi", "RFC 7296", "3.1", CONF_MUST, CONF_SET_IKEV2,
	 "SPIi never zero; SPIr zero in IKE_SA_INIT requests only", chk_spi},
	{"ikev2-initiator-flag", "RFC 7296", "3.1", CONF_MUST, CONF_SET_IKEV2,
	 "I flag set in every message of the original initiator, clear in the responder's", chk_iflag},
	{"ikev2-response-address", "RFC 7296", "2.11", CONF_MUST, CONF_SET_IKEV2,
	 "responses go from the request's destination back to its source address and port", chk_resp_addr},
	{"ikev2-msgid-sequence", "RFC 7296", "2.2", CONF_MUST, CONF_SET_IKEV2,
	 "Message IDs: 0 for IKE_SA_INIT, then +1 per exchange per requester", chk_msgid},
	{"ikev2-retransmit-identical", "RFC 7296", "2.1", CONF_MUST, CONF_SET_IKEV2,
	 "retransmitted requests are bitwise identical", chk_rtx_req},
	{"ikev2-retransmit-backoff", "RFC 7296", "2.4", CONF_MUST, CONF_SET_IKEV2,
	 "request retransmission intervals grow exponentially", chk_backoff},
	{"ikev2-response-retransmit", "RFC 7296", "2.1", CONF_MUST, CONF_SET_IKEV2,
	 "a response is resent only when its request is retransmitted", chk_resp_rtx},
	{"ikev2-response-identical", "RFC 7296", "2.1", CONF_SHOULD, CONF_SET_IKEV2,
	 "retransmitted responses are identical to the first", chk_rtx_resp},
	{"ikev2-nonce-length", "RFC 7296", "3.9", CONF_MUST, CONF_SET_IKEV2,
	 "Nonce Data is 16..256 octets", chk_nonce},
	{"ikev2-ke-length", "RFC 7296", "3.4", CONF_MUST, CONF_SET_IKEV2,
	 "KE data length matches the Diffie-Hellman group", chk_ke},
	{"ikev2-sk-last", "RFC 7296", "3.14", CONF_MUST, CONF_SET_IKEV2,
	 "the Encrypted payload (SK/SKF) is the last payload", chk_sk_last},
	{"ikev2-cookie-echo", "RFC 7296", "2.6", CONF_MUST, CONF_SET_IKEV2,
	 "after N(COOKIE) the retry starts with the same cookie", chk_cookie},
	{"ikev2-invalid-ke-retry", "RFC 7296", "1.2", CONF_SHOULD, CONF_SET_IKEV2,
	 "after INVALID_KE_PAYLOAD the retry uses the requested group", chk_invalid_ke},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
