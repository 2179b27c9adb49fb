/*
 * ike_natt.c — NAT traversal (RFC 7296 §2.23, RFC 3948):
 *
 *   NAT_DETECTION_SOURCE_IP      = SHA-1(SPIi | SPIr | source IP | source port)
 *   NAT_DETECTION_DESTINATION_IP = SHA-1(SPIi | SPIr | destination IP | destination port)
 *
 * with the SPIs of the header that carries them (SPIr zero in the
 * IKE_SA_INIT request). A source hash that matches none of what we see
 * means a NAT in front of the peer; a destination hash that does not
 * match our own address means one in front of us. Then the initiator
 * floats to port 4500 (non-ESP marker from there on), ESP goes UDP-
 * encapsulated, the NATed side sends keepalives, and the side facing a
 * NATed peer follows its address and port — but only for messages that
 * decrypted (authenticated), so a forged packet cannot steal the SA.
 *
 * Forced encapsulation (encap = yes) sends a random source hash, so the
 * peer believes we are NATed (strongSwan's trick, allowed by §2.23's
 * "MAY" for forcing encapsulation).
 */
#include "ref/ike/ike_engine.h"

#include <string.h>

static int nat_hash(uint64_t spi_i, uint64_t spi_r, uint32_t addr, uint16_t port, uint8_t out[IKE_NAT_HASH_LEN])
{
	uint8_t buf[8 + 8 + 4 + 2];
	struct crypto_iov iov = {buf, sizeof buf};

	ike_put32(buf, (uint32_t)(spi_i >> 32));
	ike_put32(buf + 4, (uint32_t)spi_i);
	ike_put32(buf + 8, (uint32_t)(spi_r >> 32));
	ike_put32(buf + 12, (uint32_t)spi_r);
	ike_put32(buf + 16, addr);
	ike_put16(buf + 20, port);
	return crypto_hash(CRYPTO_HASH_SHA1, &iov, 1, out);
}

int ike_natt_add(struct ike_sa *sa, struct ike_out *o, uint64_t spi_i, uint64_t spi_r, const struct ike_path *path)
{
	struct ike_engine *e = sa->eng;
	uint8_t src[IKE_NAT_HASH_LEN], dst[IKE_NAT_HASH_LEN];

	if (e->cfg.force_encap) {
		if (crypto_rng_fill(&e->cb.rng, src, sizeof src) != 0)
			return IKE_E_ARG;
	} else if (nat_hash(spi_i, spi_r, path->local_addr, path->local_port, src) != 0) {
		return IKE_E_ARG;
	}
	if (nat_hash(spi_i, spi_r, path->remote_addr, path->remote_port, dst) != 0)
		return IKE_E_ARG;
	ike_out_notify(o, IKE_N_NAT_DETECTION_SOURCE_IP, 0, NULL, 0, src, sizeof src);
	return ike_out_notify(o, IKE_N_NAT_DETECTION_DESTINATION_IP, 0, NULL, 0, dst, sizeof dst);
}

void ike_natt_check(struct ike_sa *sa, const struct ike_rx *rx)
{
	struct ike_engine *e = sa->eng;
	const struct ike_hdr *h = &rx->m.hdr;
	uint8_t want_src[IKE_NAT_HASH_LEN], want_dst[IKE_NAT_HASH_LEN];
	const struct ike_pl *p;
	int n_src = 0, n_dst = 0, src_ok = 0, dst_ok = 0;
	struct evbuf b;

	if (nat_hash(h->spi_i, h->spi_r, rx->path.remote_addr, rx->path.remote_port, want_src) != 0 ||
	    nat_hash(h->spi_i, h->spi_r, rx->path.local_addr, rx->path.local_port, want_dst) != 0)
		return;
	for (size_t i = 0; (p = ike_msg_find(&rx->m, IKE_PL_NOTIFY, i)) != NULL; i++) {
		struct ike_notify_pl n;

		if (ike_payload_notify_parse(&n, p->body, p->len, NULL) != 0 || n.len != IKE_NAT_HASH_LEN)
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			n_src++;
			src_ok |= memcmp(n.data, want_src, IKE_NAT_HASH_LEN) == 0;
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			n_dst++;
			dst_ok |= memcmp(n.data, want_dst, IKE_NAT_HASH_LEN) == 0;
		}
	}
	if (n_src == 0 || n_dst == 0) {
		/* §2.23: a peer without NAT-D does not do NAT traversal; neither do we */
		sa->nat_local = sa->nat_remote = sa->encap = 0;
		return;
	}
	sa->nat_remote = !src_ok;
	sa->nat_local = !dst_ok;
	sa->encap = sa->nat_local || sa->nat_remote || e->cfg.force_encap;
	if (!ike_ev_on(e))
		return;
	ike_ev_begin(&b, e, sa, "nat");
	ev_bool(&b, "local", sa->nat_local);
	ev_bool(&b, "remote", sa->nat_remote);
	ev_bool(&b, "forced", e->cfg.force_encap);
	ev_bool(&b, "encap", sa->encap);
	ike_ev_emit(e, &b);
}

void ike_natt_float(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct evbuf b;

	if (!sa->encap || sa->path.local_port == e->cfg.natt_port)
		return;
	/* §2.23: after NAT detection the initiator moves to 4500 for IKE_AUTH */
	sa->path.local_port = e->cfg.natt_port;
	sa->path.remote_port = e->cfg.natt_port;
	ike_ev_begin(&b, e, sa, "float");
	ike_ev_path(&b, "", &sa->path);
	ike_ev_emit(e, &b);
}

void ike_natt_follow(struct ike_sa *sa, const struct ike_path *path)
{
	struct ike_engine *e = sa->eng;
	struct ike_path old = sa->path;
	int floated;
	struct evbuf b;

	if (memcmp(&old, path, sizeof old) == 0)
		return;
	/* the peer floated to the NAT-T port (§2.23), or its NAT mapping moved */
	floated = path->local_port == e->cfg.natt_port && old.local_port != e->cfg.natt_port &&
		  (sa->nat_local || sa->nat_remote || sa->encap);
	if (!sa->nat_remote && !floated)
		return;
	sa->path = *path;
	ike_ev_begin(&b, e, sa, "path");
	ev_bool(&b, "float", floated);
	ike_ev_path(&b, "old_", &old);
	ike_ev_path(&b, "", path);
	ike_ev_emit(e, &b);
	if (e->cb.path_changed == NULL)
		return;
	/* once per IKE SPI pair the CHILD SAs were announced with (an IKE rekey keeps the old names) */
	for (size_t i = 0; i < IKE_CHILD_MAX; i++) {
		const struct ike_child *c = &sa->child[i];
		int seen = 0;

		if (!c->used)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = sa->child[k].used && sa->child[k].ike_spi_i == c->ike_spi_i &&
			       sa->child[k].ike_spi_r == c->ike_spi_r;
		if (!seen)
			e->cb.path_changed(e->cb.ctx, c->ike_spi_i, c->ike_spi_r, path);
	}
}

void ike_natt_sent(struct ike_sa *sa, uint64_t now)
{
	struct ike_engine *e = sa->eng;

	sa->last_tx_ns = now;
	if (sa->nat_local && e->cfg.keepalive_ns != 0 && sa->state != IKE_S_DEAD)
		sa->ka_due = now + e->cfg.keepalive_ns;
}

uint64_t ike_sa_last_rx(const struct ike_sa *sa)
{
	return sa->last_esp_rx_ns > sa->last_rx_ns ? sa->last_esp_rx_ns : sa->last_rx_ns;
}

uint64_t ike_sa_last_tx(const struct ike_sa *sa)
{
	return sa->last_esp_tx_ns > sa->last_tx_ns ? sa->last_esp_tx_ns : sa->last_tx_ns;
}

void ike_natt_keepalive_timer(struct ike_sa *sa, uint64_t now)
{
	struct ike_engine *e = sa->eng;
	uint8_t ka = 0xFF; /* RFC 3948 §2.3: one octet 0xFF */

	if (now < sa->ka_due)
		return;
	if (!sa->nat_local || e->cfg.keepalive_ns == 0 || sa->path.local_port != e->cfg.natt_port) {
		sa->ka_due = UINT64_MAX;
		return;
	}
	/* RFC 3948 §4: only when nothing else went out for the interval (ESP keeps the mapping too) */
	if (now - ike_sa_last_tx(sa) < e->cfg.keepalive_ns) {
		sa->ka_due = ike_sa_last_tx(sa) + e->cfg.keepalive_ns;
		return;
	}
	if (e->cb.send != NULL)
		e->cb.send(e->cb.ctx, &sa->path, &ka, 1);
	sa->counts.keepalives_sent++;
	e->counts.keepalives_sent++;
	sa->ka_due = now + e->cfg.keepalive_ns;
}
