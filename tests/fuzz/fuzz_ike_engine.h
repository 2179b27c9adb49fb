/*
 * fuzz_ike_engine.h — the engine fuzz harness, shared by the libFuzzer
 * target (tests/fuzz/fuzz_ike_engine.c) and the unit test that writes and
 * replays its seed corpus (tests/unit/test_ike_engine_corpus.c).
 *
 * A gateway engine (the target) and a real client engine, both with fixed
 * DRBGs (and OpenSSL's own RAND made deterministic, for ECDSA nonces), talk
 * in memory. Before the input is read the client's IKE_SA_INIT goes to the
 * gateway and the answer back, so the client's IKE_AUTH waits in its queue
 * and the SK-protected paths are in reach of the mutation records.
 *
 *   octet 0   configuration
 *             bit 0  certificates (EC P-256, 2-deep) instead of a PSK
 *             bit 1  fragment_size 300 (RFC 7383 paths on both sides)
 *             bit 2  cookies always (§2.6)
 *             bit 3  client forces UDP encapsulation (4500, non-ESP marker)
 *             bit 4  gateway answers INVALID_IKE_SPI (§2.21.4)
 *             bit 5  short lifetimes and DPD (time records reach rekeys)
 *             bit 6  client asks for a virtual IP (pool on the gateway)
 *             bit 7  client proposals = auto with a short list the gateway refuses,
 *                    and PFS with a group the gateway asks to change (INVALID_KE)
 *   records, until the input ends; the first octet says which:
 *     00-7f  a raw datagram to the gateway: bit 0 its local port (500 /
 *            4500), bits 1-2 the source (the client's current path, another
 *            host, the client's address on a new port, the client from 500);
 *            a 2-octet length, then that many octets (fewer at the end)
 *     80-8f  the real client's next datagram, mutated: an octet m (mod 4),
 *            then m times {2-octet offset, octet XORed in}
 *     90-9f  the same, but the mutations go into the PLAINTEXT of its SK/SKF
 *            payload (decrypted with the client SA's keys, mutated, encrypted
 *            again), so the gateway authenticates it and parses what the
 *            fuzzer wrote: inner payloads, rules, every processor
 *     a0-af  the gateway's next datagram to the client (which may answer)
 *     b0-bf  (op & 15) + 1 seconds pass; both engines' timers run
 *     c0-c7  the client acts: connect, rekey CHILD, rekey IKE, new CHILD,
 *            close, reauthenticate, report ESP both ways, reboot
 *     c8-cf  the gateway acts: rekey CHILD, rekey IKE, new CHILD, close,
 *            report ESP, walk its SA list, nothing, nothing
 *     d0-ff  the client's last datagram again, as it was (a retransmission)
 *
 * Property (abort): after every record both engines' indexes agree with a
 * scan of their SAs (ike_engine_check); nothing crashes, leaks or trips
 * ASan/UBSan.
 */
#ifndef VPNLAB_TESTS_FUZZ_IKE_ENGINE_H
#define VPNLAB_TESTS_FUZZ_IKE_ENGINE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_engine.h"
#include "ref/ike/ike_proposal.h"
#include "ref/ike/ike_sk.h"

#define FZE_FN static __attribute__((unused))
#define FZE_S UINT64_C(1000000000)
#define FZE_T0 1893456000LL
#define FZE_IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

enum {
	FZE_CERT = 0x01,
	FZE_FRAG = 0x02,
	FZE_COOKIES = 0x04,
	FZE_ENCAP = 0x08,
	FZE_INVALID_SPI = 0x10,
	FZE_LIFETIMES = 0x20,
	FZE_VIP = 0x40,
	FZE_SMALL = 0x80,
	FZE_QMAX = 64,
	FZE_STEPS_MAX = 512,
};

struct fze_dgram {
	struct ike_path path;
	uint8_t *buf;
	size_t len;
};

struct fze_peer {
	struct ike_config cfg;
	struct ike_engine *e;
	struct crypto_drbg *drbg;
	struct fze_dgram q[FZE_QMAX];
	size_t head, tail;
	struct fze_dgram last; /* the last datagram it sent (replays) */
	uint64_t children_up, children_down;
	uint32_t some_spi_in;  /* an inbound ESP SPI it installed (ESP reports) */
};

/* fze_result: what a run reached (the corpus test checks its seeds get where they should). */
struct fze_result {
	size_t steps;
	int gw_established;          /* the gateway had an ESTABLISHED IKE SA after some record */
	size_t gw_sas_max;
	uint64_t gw_children_up;
	uint64_t gw_msgs_recv, gw_msgs_sent, gw_drops;
	uint64_t cl_children_up;
};

struct fze_pki {
	int ready;
	struct crypto_testpki pki;
	struct crypto_x509 *cl_cert;
	struct crypto_sig_key *cl_key;
	struct crypto_x509 *inter[2];
	size_t n_inter;
	struct crypto_x509_store *store;
};

/* fze_pki_get: one EC test PKI for the process (root -> intermediate -> gateway, client), made once. */
static struct fze_pki *fze_pki_get(void)
{
	static struct fze_pki k;

	if (!k.ready) {
		struct crypto_drbg *drbg = crypto_drbg_new(3, "fuzz_ike_engine pki");
		struct crypto_rng rng = crypto_drbg_rng(drbg);
		struct crypto_testpki_params p = {
			.key_type = CRYPTO_SIG_KEY_EC_P256,
			.depth = 2,
			.ee = {.cn = "gw.vpnlab.test", .san = {{CRYPTO_X509_ID_FQDN, "gw.vpnlab.test"}}, .n_san = 1},
			.not_before = FZE_T0,
			.not_after = FZE_T0 + 365LL * 86400,
		};
		struct crypto_testpki_ee cl = {.cn = "alice",
					       .san = {{CRYPTO_X509_ID_RFC822_ADDR, "alice@vpnlab.test"}},
					       .n_san = 1};

		crypto_openssl_rand_deterministic(3);
		if (crypto_testpki_make(&p, &rng, &k.pki, NULL) != 0 ||
		    crypto_testpki_issue_ee(&k.pki, &cl, &rng, &k.cl_cert, &k.cl_key, NULL) != 0)
			abort();
		k.n_inter = crypto_testpki_intermediates(&k.pki, k.inter, 2);
		k.store = crypto_x509_store_new();
		if (k.store == NULL || crypto_x509_store_add(k.store, crypto_testpki_root(&k.pki)) != 0)
			abort();
		crypto_drbg_free(drbg);
		k.ready = 1;
	}
	return &k;
}

static void fze_send(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len)
{
	struct fze_peer *p = ctx;
	struct fze_dgram *d;

	if (p->tail - p->head >= FZE_QMAX) {
		free(p->q[p->head % FZE_QMAX].buf); /* a full queue loses its oldest datagram */
		p->head++;
	}
	d = &p->q[p->tail++ % FZE_QMAX];
	d->path = *path;
	d->len = len;
	d->buf = malloc(len ? len : 1);
	if (d->buf == NULL)
		abort();
	memcpy(d->buf, buf, len);
}

static void fze_child_up(void *ctx, const struct ike_child_info *ci)
{
	struct fze_peer *p = ctx;

	p->children_up++;
	p->some_spi_in = ci->spi_in;
}

static void fze_child_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	(void)spi_in;
	(void)spi_out;
	(void)reason;
	((struct fze_peer *)ctx)->children_down++;
}

static void fze_ev(void *ctx, const char *line, size_t len)
{
	/* the events are formatted (that code is fuzzed too) and dropped */
	(void)ctx;
	(void)line;
	(void)len;
}

static int fze_set_id(struct ike_id_cfg *id, uint8_t type, const char *text)
{
	id->type = type;
	id->len = strlen(text);
	memcpy(id->data, text, id->len);
	return 0;
}

static void fze_configs(uint8_t flags, struct ike_config *cl, struct ike_config *gw)
{
	static const char psk[] = "fuzz psk";

	ike_config_init(cl, IKE_ROLE_CLIENT);
	ike_config_init(gw, IKE_ROLE_GATEWAY);
	cl->local_addr = FZE_IP(192, 0, 2, 10);
	cl->remote_addr = gw->local_addr = FZE_IP(198, 51, 100, 1);
	fze_set_id(&cl->local_id, IKE_ID_RFC822_ADDR, "alice@vpnlab.test");
	fze_set_id(&gw->local_id, IKE_ID_FQDN, "gw.vpnlab.test");
	memcpy(cl->psk, psk, sizeof psk - 1);
	memcpy(gw->psk, psk, sizeof psk - 1);
	cl->psk_len = gw->psk_len = sizeof psk - 1;
	cl->retx_timeout_ns = gw->retx_timeout_ns = 2 * FZE_S;
	cl->retx_tries = gw->retx_tries = 3;
	gw->half_open_timeout_ns = 20 * FZE_S;
	gw->unique = IKE_UNIQUE_REPLACE;
	if (flags & FZE_CERT) {
		struct fze_pki *k = fze_pki_get();

		cl->auth = cl->remote_auth = gw->auth = gw->remote_auth = IKE_AUTHC_PUBKEY;
		cl->key = k->cl_key;
		cl->cert = k->cl_cert;
		gw->key = crypto_testpki_ee_key(&k->pki);
		gw->cert = crypto_testpki_ee_cert(&k->pki);
		for (size_t i = 0; i < k->n_inter; i++)
			cl->chain[i] = gw->chain[i] = k->inter[i];
		cl->n_chain = gw->n_chain = k->n_inter;
		cl->trust = gw->trust = k->store;
		cl->cert_time = gw->cert_time = FZE_T0 + 86400;
	}
	if (flags & FZE_FRAG)
		cl->fragment_size = gw->fragment_size = 300;
	if (flags & FZE_COOKIES)
		gw->cookie_threshold = 0;
	if (flags & FZE_ENCAP)
		cl->force_encap = 1;
	if (flags & FZE_INVALID_SPI)
		gw->invalid_spi_notify = 1;
	if (flags & FZE_LIFETIMES) {
		gw->ike_lifetime_ns = 60 * FZE_S;
		cl->child_lifetime_ns = 45 * FZE_S;
		cl->dpd_ns = gw->dpd_ns = 10 * FZE_S;
		cl->keepalive_ns = 5 * FZE_S;
	}
	if (flags & FZE_VIP) {
		cl->request_vip = 1;
		gw->pool_lo = FZE_IP(10, 10, 0, 1);
		gw->pool_hi = FZE_IP(10, 10, 0, 4);
		gw->n_dns = 1;
		gw->dns[0] = FZE_IP(10, 10, 0, 53);
	}
	if (flags & FZE_SMALL) {
		cl->proposals = IKE_PROPOSALS_AUTO;
		ike_proposal_parse("chacha20poly1305", IKE_PROTO_ESP, &cl->esp_small, NULL, 0);
		ike_proposal_parse("aes128gcm16-curve25519-ecp256", IKE_PROTO_ESP, &cl->esp, NULL, 0);
		ike_proposal_parse("aes256gcm16-aes128gcm16-ecp256, aes128-sha256-ecp256", IKE_PROTO_ESP, &gw->esp, NULL,
				   0);
	}
}

static void fze_start(struct fze_peer *p, uint64_t seed)
{
	struct ike_callbacks cb;
	char msg[256];

	memset(&cb, 0, sizeof cb);
	p->drbg = crypto_drbg_new(seed, "fuzz_ike_engine");
	cb.ctx = p;
	cb.send = fze_send;
	cb.child_up = fze_child_up;
	cb.child_down = fze_child_down;
	cb.rng = crypto_drbg_rng(p->drbg);
	cb.ev.emit = fze_ev;
	p->e = ike_engine_new(&p->cfg, &cb, msg, sizeof msg);
	if (p->e == NULL) {
		fprintf(stderr, "fuzz_ike_engine: ike_engine_new: %s\n", msg);
		abort();
	}
}

static void fze_stop(struct fze_peer *p)
{
	ike_engine_free(p->e);
	crypto_drbg_free(p->drbg);
	while (p->head < p->tail)
		free(p->q[p->head++ % FZE_QMAX].buf);
	p->head = p->tail = 0;
	p->e = NULL;
	p->drbg = NULL;
}

static void fze_check(const struct ike_engine *e)
{
	char msg[300];

	if (ike_engine_check(e, msg, sizeof msg) != 0) {
		fprintf(stderr, "fuzz_ike_engine: %s\n", msg);
		abort();
	}
}

/* fze_pop takes the next queued datagram of |p| (buf NULL when none). */
static struct fze_dgram fze_pop(struct fze_peer *p)
{
	struct fze_dgram d = {{0, 0, 0, 0}, NULL, 0};

	if (p->head < p->tail)
		d = p->q[p->head++ % FZE_QMAX];
	return d;
}

/* fze_to_gw hands the gateway what the client sent on |from| (the client's view of the path). */
static void fze_to_gw(struct fze_peer *gw, const struct ike_path *from, const uint8_t *buf, size_t len, uint64_t now)
{
	struct ike_path in = {from->remote_addr, from->local_addr, from->remote_port, from->local_port};

	ike_input(gw->e, &in, buf, len, now);
}

static void fze_gw_to_client(struct fze_peer *gw, struct fze_peer *cl, uint64_t now)
{
	struct fze_dgram d = fze_pop(gw);
	struct ike_path in;

	if (d.buf == NULL)
		return;
	in = (struct ike_path){d.path.remote_addr, d.path.local_addr, d.path.remote_port, d.path.local_port};
	if (d.path.remote_addr == cl->cfg.local_addr)
		ike_input(cl->e, &in, d.buf, d.len, now);
	free(d.buf);
}

/*
 * fze_plain_mutate XORs |mut| into the inner payloads of the client's
 * protected message |buf|: decrypt with the keys of the client's IKE SA
 * that sent it, mutate, encrypt again (the octets before the IV stay).
 * Returns 0 when it did, -1 when |buf| is not an SK/SKF message of a live SA.
 */
static int fze_plain_mutate(struct fze_peer *cl, uint8_t *buf, size_t len, const uint8_t *mut, size_t n_mut)
{
	size_t marker = len >= 4 && buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0 ? 4 : 0;
	uint8_t *msg = buf + marker;
	size_t mlen = len - marker, iv, icv, blk, off, plen;
	struct ike_sa *sa = NULL;
	struct ike_sk_seal seal;
	struct ike_msg m;
	struct ike_err err;
	uint8_t *copy;
	int rc;

	copy = malloc(mlen ? mlen : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, msg, mlen);
	rc = ike_msg_parse(&m, copy, mlen, &err);
	if (rc == 0 && m.sk != NULL)
		for (size_t i = 0; i < cl->e->n_sas && sa == NULL; i++)
			if (cl->e->all[i]->spi_i == m.hdr.spi_i && cl->e->all[i]->spi_r == m.hdr.spi_r &&
			    cl->e->all[i]->keys != NULL)
				sa = cl->e->all[i];
	if (sa == NULL) {
		free(copy);
		return -1;
	}
	/* the gateway's view: the receiver is the other role */
	rc = ike_sk_decrypt(sa->keys, !sa->initiator, copy, mlen, m.sk_aad_len, &off, &plen, NULL);
	ike_sk_layout(sa->keys, &iv, &icv, &blk);
	if (rc != 0 || m.sk_aad_len + iv + icv > mlen) {
		free(copy);
		return -1;
	}
	for (size_t i = 0; i + 3 <= n_mut && plen > 0; i += 3)
		copy[off + (((size_t)mut[i] << 8 | mut[i + 1]) % plen)] ^= mut[i + 2];
	memset(&seal, 0, sizeof seal);
	seal.msg = copy;
	seal.msg_len = mlen;
	seal.aad_len = m.sk_aad_len;
	seal.iv = copy + m.sk_aad_len;
	seal.iv_len = iv;
	seal.plain = copy + m.sk_aad_len + iv;
	seal.plain_len = mlen - m.sk_aad_len - iv - icv;
	seal.icv = copy + mlen - icv;
	seal.icv_len = icv;
	rc = ike_sk_encrypt(sa->keys, sa->initiator, &seal, &cl->e->cb.rng, NULL);
	if (rc == 0)
		memcpy(msg, copy, mlen);
	free(copy);
	return rc == 0 ? 0 : -1;
}

static void fze_client_to_gw(struct fze_peer *cl, struct fze_peer *gw, const uint8_t *mut, size_t n_mut,
			     int plain, uint64_t now)
{
	struct fze_dgram d = fze_pop(cl);

	if (d.buf == NULL)
		return;
	free(cl->last.buf);
	cl->last = d;
	cl->last.buf = malloc(d.len ? d.len : 1);
	if (cl->last.buf == NULL)
		abort();
	memcpy(cl->last.buf, d.buf, d.len);
	if (!plain || fze_plain_mutate(cl, d.buf, d.len, mut, n_mut) != 0)
		for (size_t i = 0; i + 3 <= n_mut && d.len > 0; i += 3)
			d.buf[((size_t)mut[i] << 8 | mut[i + 1]) % d.len] ^= mut[i + 2];
	fze_to_gw(gw, &d.path, d.buf, d.len, now);
	free(d.buf);
}

static void fze_advance(struct fze_peer *cl, struct fze_peer *gw, uint64_t *now, uint64_t ns)
{
	uint64_t end = *now + ns;

	for (int guard = 0; guard < 1000; guard++) {
		uint64_t dc = ike_deadline(cl->e), dg = ike_deadline(gw->e), d = dc < dg ? dc : dg;

		if (d > end)
			break;
		if (d > *now)
			*now = d;
		if (dc <= *now)
			ike_on_deadline(cl->e, *now);
		if (dg <= *now)
			ike_on_deadline(gw->e, *now);
		fze_check(cl->e);
		fze_check(gw->e);
	}
	*now = end;
}

/* fze_run plays one input; |r| (may be NULL) says what it reached. */
FZE_FN void fze_run(const uint8_t *data, size_t size, struct fze_result *r)
{
	struct fze_peer cl, gw;
	struct fze_result res;
	uint64_t now = 0, reboots = 0;
	uint8_t flags = size > 0 ? data[0] : 0;
	size_t i = 1;

	memset(&cl, 0, sizeof cl);
	memset(&gw, 0, sizeof gw);
	memset(&res, 0, sizeof res);
	crypto_openssl_rand_deterministic(1); /* ECDSA nonces: the same run every time */
	fze_configs(flags, &cl.cfg, &gw.cfg);
	fze_start(&cl, 1);
	fze_start(&gw, 2);
	/* IKE_SA_INIT (twice with cookies) both ways: the client's IKE_AUTH is queued next */
	ike_client_start(cl.e, now);
	for (int round = 0; round < ((flags & FZE_COOKIES) ? 2 : 1); round++) {
		fze_client_to_gw(&cl, &gw, NULL, 0, 0, now);
		fze_gw_to_client(&gw, &cl, now);
	}
	while (i < size && res.steps < FZE_STEPS_MAX) {
		uint8_t op = data[i++];

		res.steps++;
		if (op < 0x80) {
			static const uint32_t src[4] = {0, FZE_IP(203, 0, 113, 9), 0, 0};
			struct ike_path from = {FZE_IP(192, 0, 2, 10), gw.cfg.local_addr, 500, 500};
			size_t len;

			if (i + 2 > size)
				break;
			len = (size_t)data[i] << 8 | data[i + 1];
			i += 2;
			if (len > size - i)
				len = size - i;
			from.remote_port = (op & 1) ? 4500 : 500;
			from.local_port = from.remote_port;
			if (((op >> 1) & 3) == 1)
				from.local_addr = src[1];
			else if (((op >> 1) & 3) == 2)
				from.local_port = 40001; /* the client's NAT mapping moved */
			fze_to_gw(&gw, &from, data + i, len, now);
			i += len;
		} else if (op < 0xa0) {
			size_t m = i < size ? (size_t)(data[i++] & 3) * 3 : 0;

			if (m > size - i)
				m = size - i;
			fze_client_to_gw(&cl, &gw, data + i, m, op >= 0x90, now);
			i += m;
		} else if (op < 0xb0) {
			fze_gw_to_client(&gw, &cl, now);
		} else if (op < 0xc0) {
			fze_advance(&cl, &gw, &now, (uint64_t)((op & 15) + 1) * FZE_S);
		} else if (op < 0xc8) {
			switch (op & 7) {
			case 0:
				ike_client_start(cl.e, now);
				break;
			case 1:
				ike_rekey_child(cl.e, 0, now);
				break;
			case 2:
				ike_rekey_ike(cl.e, now);
				break;
			case 3:
				ike_create_child(cl.e, 0, now);
				break;
			case 4:
				ike_close(cl.e, now);
				break;
			case 5:
				ike_reauth(cl.e, now);
				break;
			case 6:
				ike_note_esp_sent(cl.e, cl.some_spi_in, now);
				ike_note_esp_received(cl.e, cl.some_spi_in, now);
				break;
			default:
				/* the client reboots: new engine and keys, same identity */
				fze_stop(&cl);
				fze_start(&cl, 100 + reboots++);
				break;
			}
		} else if (op < 0xd0) {
			switch (op & 7) {
			case 0:
				ike_rekey_child(gw.e, 0, now);
				break;
			case 1:
				ike_rekey_ike(gw.e, now);
				break;
			case 2:
				ike_create_child(gw.e, 0, now);
				break;
			case 3:
				ike_close(gw.e, now);
				break;
			case 4:
				ike_note_esp_received(gw.e, gw.some_spi_in, now);
				ike_note_esp_sent(gw.e, gw.some_spi_in, now);
				break;
			case 5: {
				struct ike_sa_status st;

				for (size_t k = 0; ike_sa_status(gw.e, k, &st) == 0; k++)
					ike_sa_status_spi(gw.e, st.spi_i, st.spi_r, &st);
				break;
			}
			default:
				break;
			}
		} else if (cl.last.buf != NULL) {
			fze_to_gw(&gw, &cl.last.path, cl.last.buf, cl.last.len, now);
		}
		fze_check(gw.e);
		fze_check(cl.e);
		for (size_t k = 0, n = ike_sa_count(gw.e); k < n && !res.gw_established; k++) {
			struct ike_sa_status st;

			res.gw_established = ike_sa_status(gw.e, k, &st) == 0 && st.state == IKE_S_ESTABLISHED;
		}
		if (ike_sa_count(gw.e) > res.gw_sas_max)
			res.gw_sas_max = ike_sa_count(gw.e);
	}
	res.gw_children_up = gw.children_up;
	res.cl_children_up = cl.children_up;
	res.gw_msgs_recv = ike_engine_counts(gw.e)->msgs_recv;
	res.gw_msgs_sent = ike_engine_counts(gw.e)->msgs_sent;
	res.gw_drops = ike_engine_counts(gw.e)->drops;
	free(cl.last.buf);
	fze_stop(&cl);
	fze_stop(&gw);
	if (r != NULL)
		*r = res;
}

#endif
