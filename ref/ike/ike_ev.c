/*
 * ike_ev.c — the engine's events, one JSON line each (ref/util/evlog.h):
 *
 *   {"t":..,"src":"ike","ev":"state","who":"client","spi_i":"..","spi_r":"..","from":"INIT_SENT","to":"AUTH_SENT"}
 *   {"ev":"msg","dir":"sent","exchange":"IKE_AUTH","mid":1,"response":false,"size":420,"frags":0,
 *    "proposals":1,"summary":"IKE_AUTH request mid 1 [IDi AUTH SA TSi TSr] 420 B"}
 *   {"ev":"retransmit", ...}  {"ev":"nat", ...}  {"ev":"child_up", ...}  {"ev":"drop","reason":..,"msg":..}
 *   {"ev":"keys", ...}        only with log_keys: SPIs and SK_* so captures can be decrypted
 *
 * SPIs are 16 hex digits (IKE) or 8 (ESP), as Wireshark's decryption
 * tables want them.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>
#include <string.h>

const char *ike_ev_ip(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static void ev_spi64(struct evbuf *b, const char *key, uint64_t spi)
{
	uint8_t o[8];

	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(spi >> (56 - 8 * i));
	ev_hex(b, key, o, 8);
}

static void ev_spi32(struct evbuf *b, const char *key, uint32_t spi)
{
	uint8_t o[4] = {(uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8), (uint8_t)spi};

	ev_hex(b, key, o, 4);
}

void ike_ev_begin(struct evbuf *b, const struct ike_engine *e, const struct ike_sa *sa, const char *type)
{
	ev_begin(b, e->now, "ike", type);
	ev_str(b, "who", e->cfg.name);
	if (sa != NULL) {
		ev_spi64(b, "spi_i", sa->spi_i);
		ev_spi64(b, "spi_r", sa->spi_r);
	}
}

void ike_ev_emit(const struct ike_engine *e, struct evbuf *b)
{
	if (e->cb.ev.emit != NULL)
		ev_emit(&e->cb.ev, b);
}

void ike_ev_path(struct evbuf *b, const char *prefix, const struct ike_path *p)
{
	char k[32], ip[16];

	snprintf(k, sizeof k, "%slocal", prefix);
	ev_str(b, k, ike_ev_ip(p->local_addr, ip));
	snprintf(k, sizeof k, "%slport", prefix);
	ev_u64(b, k, p->local_port);
	snprintf(k, sizeof k, "%sremote", prefix);
	ev_str(b, k, ike_ev_ip(p->remote_addr, ip));
	snprintf(k, sizeof k, "%srport", prefix);
	ev_u64(b, k, p->remote_port);
}

void ike_ev_msg(struct ike_engine *e, struct ike_sa *sa, const char *dir, const struct ike_msg *m, size_t wire_len,
		uint16_t frags, size_t n_proposals)
{
	struct evbuf b;
	char sum[512];
	struct ike_msg view = *m;

	if (e->cb.ev.emit == NULL)
		return;
	view.len = wire_len; /* the summary shows what travelled, not the plaintext size */
	if (m->sk != NULL) /* the copy's SK must point into the copy's chain */
		view.sk = &view.outer.pl[m->sk - m->outer.pl];
	ike_msg_summary(&view, sum, sizeof sum);
	ike_ev_begin(&b, e, sa, "msg");
	if (sa == NULL) {
		ev_spi64(&b, "spi_i", m->hdr.spi_i);
		ev_spi64(&b, "spi_r", m->hdr.spi_r);
	}
	ev_str(&b, "dir", dir);
	ev_str(&b, "exchange", ike_exchange_name(m->hdr.exchange));
	ev_u64(&b, "mid", m->hdr.msg_id);
	ev_bool(&b, "response", ike_hdr_is_response(&m->hdr));
	ev_u64(&b, "size", wire_len);
	ev_u64(&b, "frags", frags);
	if (n_proposals)
		ev_u64(&b, "proposals", n_proposals);
	ev_str(&b, "summary", sum);
	ike_ev_emit(e, &b);
}

void ike_ev_drop(struct ike_engine *e, struct ike_sa *sa, const char *reason, const char *msg)
{
	struct evbuf b;

	e->counts.drops++;
	if (sa != NULL)
		sa->counts.drops++;
	if (!ike_ev_on(e))
		return;
	ike_ev_begin(&b, e, sa, "drop");
	ev_str(&b, "reason", reason);
	if (msg != NULL)
		ev_str(&b, "msg", msg);
	ike_ev_emit(e, &b);
}

void ike_ev_keys(struct ike_sa *sa)
{
	struct evbuf b;
	const struct ike_keys *k = sa->keys;
	size_t enc = k->info.enc_key_len, integ = k->info.integ_key_len;

	if (!sa->eng->cfg.log_keys || !ike_ev_on(sa->eng))
		return;
	ike_ev_begin(&b, sa->eng, sa, "keys");
	ev_str(&b, "encr", ike_transform_name(IKE_TT_ENCR, k->suite.encr));
	ev_u64(&b, "encr_bits", k->suite.encr_key_bits);
	ev_str(&b, "integ", ike_transform_name(IKE_TT_INTEG, k->suite.integ));
	ev_str(&b, "prf", ike_transform_name(IKE_TT_PRF, k->suite.prf));
	ev_hex(&b, "sk_ei", k->sk_ei, enc);
	ev_hex(&b, "sk_er", k->sk_er, enc);
	if (integ) {
		ev_hex(&b, "sk_ai", k->sk_ai, integ);
		ev_hex(&b, "sk_ar", k->sk_ar, integ);
	}
	ike_ev_emit(sa->eng, &b);
}

static void ev_ts(struct evbuf *b, const char *key, const struct ike_ts_cfg *ts, size_t n)
{
	char buf[IKE_CFG_TS_MAX * 48], a[16], z[16];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof buf; i++) {
		int w = snprintf(buf + off, sizeof buf - off, "%s%s-%s", i ? "," : "", ike_ev_ip(ts[i].lo, a),
				 ike_ev_ip(ts[i].hi, z));

		if (w > 0)
			off += (size_t)w;
		if (off < sizeof buf && (ts[i].proto || ts[i].port_lo || ts[i].port_hi != 65535)) {
			w = snprintf(buf + off, sizeof buf - off, "[%u/%u-%u]", ts[i].proto, ts[i].port_lo,
				     ts[i].port_hi);
			if (w > 0)
				off += (size_t)w;
		}
	}
	ev_str(b, key, buf);
}

void ike_ev_child(struct ike_sa *sa, const struct ike_child *c, const char *type, const char *reason)
{
	struct evbuf b;
	char alg[96];

	if (!ike_ev_on(sa->eng))
		return;
	ike_ev_begin(&b, sa->eng, sa, type);
	ev_spi32(&b, "spi_in", c->spi_in);
	ev_spi32(&b, "spi_out", c->spi_out);
	ike_chosen_fmt(&c->chosen, alg, sizeof alg);
	ev_str(&b, "alg", alg);
	if (reason != NULL) {
		ev_str(&b, "reason", reason);
	} else {
		ev_ts(&b, "ts_local", c->ts_local, c->n_ts_local);
		ev_ts(&b, "ts_remote", c->ts_remote, c->n_ts_remote);
		ev_bool(&b, "encap", sa->encap);
		ike_ev_path(&b, "", &sa->path);
		if (sa->eng->cfg.log_keys) {
			/* RFC 7296 §2.17: ei/ai carry initiator -> responder */
			const uint8_t *ein = c->initiator ? c->keys.er : c->keys.ei;
			const uint8_t *eout = c->initiator ? c->keys.ei : c->keys.er;
			const uint8_t *ain = c->initiator ? c->keys.ar : c->keys.ai;
			const uint8_t *aout = c->initiator ? c->keys.ai : c->keys.ar;

			ev_hex(&b, "enc_in", ein, c->keys.enc_len);
			ev_hex(&b, "enc_out", eout, c->keys.enc_len);
			if (c->keys.integ_len) {
				ev_hex(&b, "integ_in", ain, c->keys.integ_len);
				ev_hex(&b, "integ_out", aout, c->keys.integ_len);
			}
		}
	}
	ike_ev_emit(sa->eng, &b);
}
