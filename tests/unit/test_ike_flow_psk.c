/*
 * test_ike_flow_psk.c — RFC 7296 §1.2 flows between a client and a gateway
 * engine in memory: IKE_SA_INIT + IKE_AUTH with a pre-shared key and the
 * first CHILD SA, for AES-GCM and AES-CBC+HMAC suites and groups 31, 19,
 * 14; traffic-selector narrowing (§2.9); a wrong PSK (§2.21.2);
 * INVALID_KE_PAYLOAD (§1.2) and COOKIE (§2.6) round trips; determinism.
 * Each CHILD SA pair is proven by sealing a packet with ref/esp on one
 * side and opening it on the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_proposal.h"
#include "tests/unit/test_ike_flow_util.h"

static void set_props(struct ike_props *p, uint8_t proto, const char *text)
{
	char msg[256];

	assert_int_equal(ike_proposal_parse(text, proto, p, msg, sizeof msg), 0);
}

/* handshake runs the four messages of §1.2, asserting each step. */
static void handshake(struct flow *f)
{
	assert_int_equal(ike_client_start(f->cl.e, f->now), 0);
	assert_int_equal(flow_state(&f->cl), IKE_S_INIT_SENT);
	/* IKE_SA_INIT { SA, KE, Ni, N(NAT_D*), N(FRAG_SUP) } --> */
	assert_true(flow_sent_has(&f->cl, "IKE_SA_INIT request mid 0 [SA KE No N(NAT_DETECTION_SOURCE_IP) "
					  "N(NAT_DETECTION_DESTINATION_IP) N(IKEV2_FRAGMENTATION_SUPPORTED)]"));
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f->gw), IKE_S_INIT_DONE);
	assert_int_equal(ike_half_open_count(f->gw.e), 1);
	/* <-- IKE_SA_INIT { SA, KE, Nr, N(NAT_D*), N(FRAG_SUP) } */
	assert_true(flow_sent_has(&f->gw, "IKE_SA_INIT response mid 0 [SA KE No N(NAT_DETECTION_SOURCE_IP)"));
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f->cl), IKE_S_AUTH_SENT);
	/* IKE_AUTH SK { IDi, AUTH, N(INITIAL_CONTACT), SAi2, TSi, TSr } --> */
	assert_true(flow_sent_has(&f->cl, "IKE_AUTH request mid 1 [IDi AUTH N(INITIAL_CONTACT) SA TSi TSr]"));
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f->gw), IKE_S_ESTABLISHED);
	assert_int_equal(ike_half_open_count(f->gw.e), 0);
	/* <-- IKE_AUTH SK { IDr, AUTH, SAr2, TSi, TSr } */
	assert_true(flow_sent_has(&f->gw, "IKE_AUTH response mid 1 [IDr AUTH SA TSi TSr]"));
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f->cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_pending(f, TO_GW) + flow_pending(f, TO_CL), 0);
}

/* matching_children: one CHILD SA each side, SPIs crossed, same transform and keys. */
static void matching_children(struct flow *f)
{
	const struct ike_child_info *c, *g;

	assert_int_equal(flow_live_children(&f->cl), 1);
	assert_int_equal(flow_live_children(&f->gw), 1);
	c = &f->cl.child[0].ci;
	g = &f->gw.child[0].ci;
	assert_int_equal(c->spi_in, g->spi_out);
	assert_int_equal(c->spi_out, g->spi_in);
	assert_int_equal(c->alg, g->alg);
	assert_int_equal(c->enc_key_len, g->enc_key_len);
	assert_memory_equal(c->enc_key_out, g->enc_key_in, c->enc_key_len);
	assert_memory_equal(c->enc_key_in, g->enc_key_out, c->enc_key_len);
	assert_true(c->initiator);
	assert_false(g->initiator);
	assert_int_equal(c->ike_spi_i, g->ike_spi_i);
	assert_int_equal(c->ike_spi_r, g->ike_spi_r);
	assert_true(flow_esp_check(f));
}

/* Numbered table: suites x groups, each a full handshake and an ESP round trip. */
static const struct suite_case {
	const char *ike, *esp;
	uint16_t encr, key_bits, integ, dh;
	enum crypto_aead_alg child_alg;
} suites[] = {
	/* 1 */ {"aes256gcm16-prfsha256-curve25519", "aes256gcm16", IKE_ENCR_AES_GCM_16, 256, 0, 31, CRYPTO_AES_GCM_16},
	/* 2 */ {"aes128gcm16-prfsha256-ecp256", "aes128gcm16", IKE_ENCR_AES_GCM_16, 128, 0, 19, CRYPTO_AES_GCM_16},
	/* 3 */ {"aes256gcm16-prfsha384-modp2048", "aes256gcm16-esn", IKE_ENCR_AES_GCM_16, 256, 0, 14, CRYPTO_AES_GCM_16},
	/* 4 */ {"aes128-sha256-curve25519", "aes128-sha256", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 31,
		 CRYPTO_AES_CBC_HMAC_SHA256_128},
	/* 5 */ {"aes256-sha256-ecp256", "aes256-sha256-esn", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 19,
		 CRYPTO_AES_CBC_HMAC_SHA256_128},
	/* 6 */ {"aes256-sha256-modp2048", "aes256-sha256", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 14,
		 CRYPTO_AES_CBC_HMAC_SHA256_128},
	/* 7 */ {"chacha20poly1305-prfsha256-curve25519", "chacha20poly1305", IKE_ENCR_CHACHA20_POLY1305, 0, 0, 31,
		 CRYPTO_CHACHA20_POLY1305},
	/* 8 */ {"3des-sha1-modp2048", "3des-sha1", IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96, 14,
		 CRYPTO_3DES_CBC_HMAC_SHA1_96},
};

static void test_psk_suites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		const struct suite_case *s = &suites[i];
		struct flow f;
		struct ike_sa_status cs, gs;

		flow_defaults(&f);
		set_props(&f.cl.cfg.ike, IKE_PROTO_IKE, s->ike);
		set_props(&f.gw.cfg.ike, IKE_PROTO_IKE, s->ike);
		set_props(&f.cl.cfg.esp, IKE_PROTO_ESP, s->esp);
		set_props(&f.gw.cfg.esp, IKE_PROTO_ESP, s->esp);
		flow_start(&f, 100 + i);
		handshake(&f);
		cs = flow_status(&f.cl, 0);
		gs = flow_status(&f.gw, 0);
		assert_int_equal(cs.encr, s->encr);
		assert_int_equal(cs.encr_key_bits, s->key_bits);
		assert_int_equal(cs.integ, s->integ);
		assert_int_equal(cs.dh, s->dh);
		assert_int_equal(gs.dh, s->dh);
		assert_int_equal(cs.spi_i, gs.spi_i);
		assert_int_equal(cs.spi_r, gs.spi_r);
		assert_int_equal(f.cl.child[0].ci.alg, s->child_alg);
		assert_int_equal(f.cl.child[0].ci.esn, strstr(s->esp, "esn") != NULL);
		matching_children(&f);
		/* the gateway knows who authenticated */
		assert_int_equal(gs.peer_id.type, IKE_ID_RFC822_ADDR);
		assert_memory_equal(gs.peer_id.data, "alice@example.org", gs.peer_id.len);
		assert_int_equal(cs.nat_local + cs.nat_remote + gs.nat_local + gs.nat_remote, 0);
		flow_free(&f);
	}
}

/* §2.9: the gateway narrows both selectors to its policy. */
static void test_ts_narrowing(void **state)
{
	struct flow f;
	const struct ike_child_info *c, *g;

	(void)state;
	flow_defaults(&f);
	/* client proposes TSi = 0.0.0.0/0, TSr = 0.0.0.0/0 (defaults) */
	f.gw.cfg.local_ts[0] = (struct ike_ts_cfg){IP(10, 1, 0, 0), IP(10, 1, 255, 255), 0, 0, 65535};
	f.gw.cfg.remote_ts[0] = (struct ike_ts_cfg){IP(192, 0, 2, 0), IP(192, 0, 2, 255), 0, 0, 65535};
	f.gw.cfg.local_ts[1] = (struct ike_ts_cfg){IP(10, 9, 0, 0), IP(10, 9, 0, 255), 6, 443, 443};
	f.gw.cfg.n_local_ts = 2;
	flow_start(&f, 7);
	handshake(&f);
	c = &f.cl.child[0].ci;
	g = &f.gw.child[0].ci;
	assert_int_equal(c->n_ts_local, 1);
	assert_int_equal(c->ts_local[0].lo, IP(192, 0, 2, 0));
	assert_int_equal(c->ts_local[0].hi, IP(192, 0, 2, 255));
	assert_int_equal(c->n_ts_remote, 2);
	assert_int_equal(c->ts_remote[0].lo, IP(10, 1, 0, 0));
	assert_int_equal(c->ts_remote[1].proto, 6);
	assert_int_equal(c->ts_remote[1].port_lo, 443);
	assert_int_equal(g->n_ts_remote, 1);
	assert_int_equal(g->ts_remote[0].hi, IP(192, 0, 2, 255));
	assert_int_equal(g->n_ts_local, 2);
	assert_true(flow_esp_check(&f));
	flow_free(&f);

	/* nothing in common: TS_UNACCEPTABLE, the IKE SA stands without a CHILD SA */
	flow_defaults(&f);
	f.cl.cfg.local_ts[0] = (struct ike_ts_cfg){IP(172, 16, 0, 0), IP(172, 16, 0, 255), 0, 0, 65535};
	f.gw.cfg.remote_ts[0] = (struct ike_ts_cfg){IP(192, 0, 2, 0), IP(192, 0, 2, 255), 0, 0, 65535};
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_true(flow_sent_has(&f.gw, "IKE_AUTH response mid 1 [IDr AUTH N(TS_UNACCEPTABLE)]"));
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(f.cl.n_child + f.gw.n_child, 0);
	assert_int_equal(flow_status(&f.cl, 0).last_error, IKE_N_TS_UNACCEPTABLE);
	flow_free(&f);
}

/* §2.21.2: a wrong PSK is AUTHENTICATION_FAILED; nothing is installed, both SAs end. */
static void test_wrong_psk(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	memcpy(f.cl.cfg.psk, "not the psk", 11);
	f.cl.cfg.psk_len = 11;
	flow_start(&f, 9);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	/* IKE_SA_INIT --> , <-- IKE_SA_INIT */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* IKE_AUTH SK { IDi, AUTH(wrong key), SAi2, TSi, TSr } --> */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	/* <-- IKE_AUTH SK { N(AUTHENTICATION_FAILED) } and the gateway forgets the SA */
	assert_true(flow_sent_has(&f.gw, "IKE_AUTH response mid 1 [N(AUTHENTICATION_FAILED)]"));
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	assert_int_equal(flow_count_ev(&f.gw, "\"ev\":\"auth_failed\""), 1);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	assert_int_equal(f.cl.n_child + f.gw.n_child, 0);
	assert_int_equal(flow_count_ev(&f.cl, "AUTHENTICATION_FAILED"), 2); /* msg recv + auth_failed */
	/* a late retransmission of the IKE_AUTH request finds no SA: dropped */
	assert_int_equal(flow_pending(&f, TO_GW), 0);
	flow_free(&f);

	/* the client rejects a gateway with the wrong key and tells it (INFORMATIONAL) */
	flow_defaults(&f);
	memcpy(f.gw.cfg.psk, "gateway's own", 13);
	f.gw.cfg.psk_len = 13;
	f.cl.cfg.remote_auth = IKE_AUTHC_PSK;
	flow_start(&f, 10);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* the gateway's PSK differs: it cannot verify the client either */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_true(flow_sent_has(&f.gw, "[N(AUTHENTICATION_FAILED)]"));
	flow_free(&f);
}

/* §1.2: INVALID_KE_PAYLOAD names the group; the retry keeps Message ID 0. */
static void test_invalid_ke(void **state)
{
	struct flow f;
	const struct flow_dgram *d;

	(void)state;
	flow_defaults(&f);
	set_props(&f.cl.cfg.ike, IKE_PROTO_IKE, "aes256gcm16-prfsha256-curve25519-ecp256");
	set_props(&f.gw.cfg.ike, IKE_PROTO_IKE, "aes256gcm16-prfsha256-ecp256");
	flow_start(&f, 11);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	/* IKE_SA_INIT { SA, KE(CURVE_25519), Ni } --> */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_ANSWERED);
	assert_int_equal(ike_sa_count(f.gw.e), 0); /* stateless */
	/* <-- IKE_SA_INIT { N(INVALID_KE_PAYLOAD(ECP_256)) } */
	assert_true(flow_sent_has(&f.gw, "IKE_SA_INIT response mid 0 [N(INVALID_KE_PAYLOAD)]"));
	d = flow_peek(&f, TO_CL);
	assert_non_null(d);
	assert_int_equal(d->buf[8] | d->buf[15], 0); /* SPIr zero */
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f.cl), IKE_S_INIT_SENT);
	/* IKE_SA_INIT { SA, KE(ECP_256), Ni } --> again, Message ID 0 */
	d = flow_peek(&f, TO_GW);
	assert_non_null(d);
	assert_int_equal(d->buf[20] | d->buf[21] | d->buf[22] | d->buf[23], 0);
	assert_true(flow_sent_has(&f.cl, "IKE_SA_INIT request mid 0 [SA KE No"));
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.cl, 0).dh, IKE_KE_ECP256);
	assert_true(flow_esp_check(&f));
	flow_free(&f);

	/* a group we never offered is not followed */
	flow_defaults(&f);
	set_props(&f.cl.cfg.ike, IKE_PROTO_IKE, "aes256gcm16-prfsha256-curve25519");
	set_props(&f.gw.cfg.ike, IKE_PROTO_IKE, "aes256gcm16-prfsha256-ecp256");
	flow_start(&f, 12);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	/* the gateway finds no common proposal at all: NO_PROPOSAL_CHOSEN */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_ANSWERED);
	assert_true(flow_sent_has(&f.gw, "[N(NO_PROPOSAL_CHOSEN)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.cl.e), 0);
	flow_free(&f);
}

/* §2.6: above the half-open threshold the gateway asks for a cookie and keeps no state. */
static void test_cookie(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.cookie_threshold = 0; /* always */
	flow_start(&f, 13);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	/* IKE_SA_INIT { SA, KE, Ni } --> */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_ANSWERED);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	/* <-- IKE_SA_INIT { N(COOKIE) } */
	assert_true(flow_sent_has(&f.gw, "IKE_SA_INIT response mid 0 [N(COOKIE)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* IKE_SA_INIT { N(COOKIE), SA, KE, Ni, ... } --> */
	assert_true(flow_sent_has(&f.cl, "IKE_SA_INIT request mid 0 [N(COOKIE) SA KE No"));
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* cookies start at the threshold: a second initiator while one is half-open gets one. */
static void test_cookie_threshold(void **state)
{
	struct flow f;
	struct flow_peer c2;
	const struct flow_dgram *d;
	struct ike_path in;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.cookie_threshold = 1;
	flow_start(&f, 14);
	memset(&c2, 0, sizeof c2);
	c2.name = "client2";
	c2.cfg = f.cl.cfg;
	c2.cfg.local_addr = IP(192, 0, 2, 11);
	flow_peer_start(&c2, 14);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK); /* 1 half-open, no cookie needed */
	assert_int_equal(ike_half_open_count(f.gw.e), 1);
	assert_int_equal(ike_client_start(c2.e, 0), 0);
	d = &c2.out.d[c2.out.head % FLOW_QMAX];
	in = (struct ike_path){d->path.remote_addr, d->path.local_addr, d->path.remote_port, d->path.local_port};
	assert_int_equal(ike_input(f.gw.e, &in, d->buf, d->len, 0), IKE_RX_ANSWERED);
	assert_true(flow_sent_has(&f.gw, "[N(COOKIE)]"));
	assert_int_equal(ike_half_open_count(f.gw.e), 1);
	/* the first one completes normally */
	flow_pump(&f);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	ike_engine_free(c2.e);
	crypto_drbg_free(c2.drbg);
	flow_queue_free(&c2.out);
	ev_lines_free(&c2.ev);
	free(c2.log);
	flow_free(&f);
}

/* same seeds, same bytes: every SPI, nonce, DH value and IV comes from the rng */
static void run_logged(uint64_t seed, uint8_t **cl, size_t *cl_len, uint8_t **gw, size_t *gw_len)
{
	struct flow f;

	flow_defaults(&f);
	set_props(&f.cl.cfg.esp, IKE_PROTO_ESP, "aes128-sha256");
	set_props(&f.gw.cfg.esp, IKE_PROTO_ESP, "aes128-sha256, aes256gcm16");
	set_props(&f.cl.cfg.ike, IKE_PROTO_IKE, "aes128-sha256-modp2048");
	set_props(&f.gw.cfg.ike, IKE_PROTO_IKE, "aes128-sha256-modp2048");
	f.cl.cfg.fragment_size = f.gw.cfg.fragment_size = 200; /* SKF fragments too */
	flow_start(&f, seed);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	/* rekeys draw nonces, DH values and SPIs again */
	assert_int_equal(ike_rekey_child(f.cl.e, 0, S_NS), 0);
	flow_pump(&f);
	assert_int_equal(ike_rekey_ike(f.gw.e, 2 * S_NS), 0);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e), 1);
	ike_close(f.cl.e, 5 * S_NS);
	flow_pump(&f);
	assert_int_equal(ike_sa_count(f.cl.e) + ike_sa_count(f.gw.e), 0);
	*cl = f.cl.log;
	*cl_len = f.cl.log_len;
	*gw = f.gw.log;
	*gw_len = f.gw.log_len;
	f.cl.log = f.gw.log = NULL;
	flow_free(&f);
}

static void test_determinism(void **state)
{
	uint8_t *a_cl, *a_gw, *b_cl, *b_gw, *c_cl, *c_gw;
	size_t a_cl_n, a_gw_n, b_cl_n, b_gw_n, c_cl_n, c_gw_n;

	(void)state;
	run_logged(42, &a_cl, &a_cl_n, &a_gw, &a_gw_n);
	run_logged(42, &b_cl, &b_cl_n, &b_gw, &b_gw_n);
	run_logged(43, &c_cl, &c_cl_n, &c_gw, &c_gw_n);
	assert_int_equal(a_cl_n, b_cl_n);
	assert_int_equal(a_gw_n, b_gw_n);
	assert_memory_equal(a_cl, b_cl, a_cl_n);
	assert_memory_equal(a_gw, b_gw, a_gw_n);
	assert_true(a_cl_n != c_cl_n || memcmp(a_cl, c_cl, a_cl_n) != 0);
	free(a_cl);
	free(a_gw);
	free(b_cl);
	free(b_gw);
	free(c_cl);
	free(c_gw);
}

/* message sizes for the report: IKE_SA_INIT and IKE_AUTH with PSK, default proposals */
static void test_sizes_psk(void **state)
{
	struct flow f;
	size_t sizes[4];

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 15);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	for (int i = 0; i < 4; i++) {
		const struct flow_dgram *d = flow_peek(&f, i % 2 ? TO_CL : TO_GW);

		assert_non_null(d);
		sizes[i] = d->len;
		flow_deliver(&f, i % 2 ? TO_CL : TO_GW);
	}
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	printf("# sizes PSK (default proposals: 2 IKE, 6 ESP): IKE_SA_INIT %zu / %zu, IKE_AUTH %zu / %zu octets\n",
	       sizes[0], sizes[1], sizes[2], sizes[3]);
	assert_true(sizes[0] > 200 && sizes[2] > 200);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk_suites),
		cmocka_unit_test(test_ts_narrowing),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_cookie_threshold),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_sizes_psk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
