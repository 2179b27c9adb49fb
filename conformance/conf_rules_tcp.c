/*
 * conf_rules_tcp.c — IKE and ESP over TCP (RFC 9329, which obsoletes
 * RFC 8229 with the same wire format).
 *
 *   §4  the stream "MUST begin with a fixed sequence of six bytes as a magic
 *       value, containing the characters 'IKETCP' as ASCII values", sent by
 *       the TCP originator only.
 *   §3  every message is framed by a 2-octet Length that counts itself:
 *       "Length of the IKE packet, including the Length field and non-ESP
 *       marker" (RFC 8229 §3); so an IKE frame's content is the 4-octet
 *       marker plus exactly the IKE header's Length.
 */
#include "conformance/conf_rule.h"

static void chk_prefix(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_conn; i++) {
		const struct conf_tcp_conn *t = &c->conn[i];
		if (!t->ike || !t->syn_seen)
			continue;
		conf_checked(r);
		if (t->prefix < 0) {
			char a[48];
			conf_fail(r, t->prefix_frame, "frame %u: TCP stream %s to port %u does not start with \"IKETCP\"",
				  t->prefix_frame, conf_flow_fmt(&t->client, a), t->client.dport);
		}
	}
	conf_pass(r, "%u IKE-over-TCP streams, each starting with \"IKETCP\"", r->n_checked);
}

static void chk_framing(const struct conf_ctx *x, struct conf_result *r)
{
	const struct conf_capture *c = x->c;
	for (uint32_t i = 0; i < c->n_conn; i++) {
		const struct conf_tcp_conn *t = &c->conn[i];
		if (!t->ike)
			continue;
		conf_checked(r);
		char a[48];
		if (t->bad_len_frame)
			conf_fail(r, t->bad_len_frame, "frame %u: stream %s: frame Length below 3 (the Length counts "
				  "its own 2 octets); framing lost", t->bad_len_frame, conf_flow_fmt(&t->client, a));
		if (t->mismatch_frame)
			conf_fail(r, t->mismatch_frame, "frame %u: stream %s: an IKE frame's Length does not equal 2 + 4 "
				  "(non-ESP marker) + the IKE header Length", t->mismatch_frame,
				  conf_flow_fmt(&t->client, a));
	}
	conf_pass(r, "%u IKE-over-TCP streams with consistent frame lengths", r->n_checked);
}

const struct conf_rule conf_rules_tcp[] = {
	{"tcp-iketcp-prefix", "RFC 9329", "4", CONF_MUST, CONF_SET_TCP,
	 "an IKE-over-TCP stream starts with \"IKETCP\"", chk_prefix},
	{"tcp-frame-length", "RFC 9329", "3", CONF_MUST, CONF_SET_TCP,
	 "frame Length counts itself and matches the IKE message it carries", chk_framing},
	{NULL, NULL, NULL, 0, 0, NULL, NULL},
};
