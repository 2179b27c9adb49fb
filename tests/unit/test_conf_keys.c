/*
 * test_conf_keys.c — the key files of `vpnlab check --keys` (conf_keys.h):
 * hex fields, tshark/Wireshark UAT lines (the committed pcaps/interop
 * NAME.keys among them), charon logs (synthesized with interleaved threads
 * and a rekey; the real logs of tests/data/pcaps/swan-*), the error table,
 * and end to end: two ref/ike engines with log_keys negotiate in memory, the
 * capture of their datagrams (and of ESP sealed with the CHILD SA keys they
 * report) decrypts with nothing but their own JSON-lines events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_craft.h"
#include "conformance/conf_craft_sk.h"
#include "conformance/conf_dec.h"
#include "conformance/conf_ipv4.h"
#include "conformance/conf_keys.h"
#include "conformance/conf_rule.h"
#include "ref/ike/ike.h"
#include "ref/ike/ike_const.h"

static int parse(struct conf_keys *k, const char *text, char *err, size_t errlen)
{
	conf_keys_init(k, "t.keys");
	return conf_keys_parse(k, text, strlen(text), err, errlen);
}

/* Hex fields: numbered cases (input, octets or -1). */
static void test_hex_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		long want;
	} t[] = {
		/* 1 */ {"00ff", 2},
		/* 2 */ {"0x00FF", 2},
		/* 3 */ {"00:ff:10", 3},
		/* 4 */ {"00 ff-10", 3},
		/* 5 */ {"", 0},
		/* 6 */ {"0", -1},
		/* 7 */ {"0g", -1},
		/* 8 */ {"000102030405", -1}, /* over the capacity of 5 */
		/* 9 */ {"0x", 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t out[5];
		long n = conf_keys_hex(t[i].in, strlen(t[i].in), out, sizeof out);
		if (n != t[i].want)
			fail_msg("case %zu '%s': %ld, expected %ld", i + 1, t[i].in, n, t[i].want);
	}
	uint8_t o[3];
	assert_int_equal(conf_keys_hex("0x0aFf", 6, o, 3), 2);
	assert_int_equal(o[0], 0x0a);
	assert_int_equal(o[1], 0xff);
}

/* The committed interop key files (tshark -o lines made from charon logs) parse. */
static void test_interop_key_files(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint32_t ike, esp, v1;
	} t[] = {
		{"ikev2-psk-natt", 1, 2, 0},       {"ikev2-cert-ikefrag", 1, 2, 0}, {"ikev2-cert-nofrag-fail", 1, 0, 0},
		{"ikev1-main-psk-natt", 0, 2, 1}, {"ikev1-aggr-psk-natt", 0, 2, 1},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char path[128], err[CONF_ERR_LEN];
		struct conf_keys k;
		snprintf(path, sizeof path, "pcaps/interop/%s.keys", t[i].name);
		conf_keys_init(&k, NULL);
		if (conf_keys_load(&k, path, err, sizeof err) < 0)
			fail_msg("%s", err);
		assert_int_equal(k.n_ike, t[i].ike);
		assert_int_equal(k.n_esp, t[i].esp);
		assert_int_equal(k.n_ikev1, t[i].v1);
		if (k.n_ike) {
			assert_int_equal(k.ike[0].have_spi, 1);
			assert_int_equal(k.ike[0].suite.encr, IKE_ENCR_AES_CBC);
			assert_int_equal(k.ike[0].suite.encr_key_bits, 128);
			assert_int_equal(k.ike[0].suite.integ, IKE_INTEG_HMAC_SHA2_256_128);
			assert_int_equal(k.ike[0].enc_len, 16);
			assert_int_equal(k.ike[0].integ_len, 32);
		}
		for (uint32_t j = 0; j < k.n_esp; j++) {
			assert_int_equal(k.esp[j].n_spi, 1);
			assert_int_equal(k.esp[j].alg, CRYPTO_AES_CBC_HMAC_SHA256_128);
		}
		if (i == 0) { /* values as written in the file */
			static const uint8_t spi_i[8] = {0x79, 0xc2, 0xa2, 0xfe, 0xb8, 0x66, 0x86, 0x68};
			static const uint8_t ei[4] = {0x4b, 0xa8, 0xae, 0x89};
			assert_memory_equal(k.ike[0].spi_i, spi_i, 8);
			assert_memory_equal(k.ike[0].sk_ei, ei, 4);
			assert_int_equal(k.esp[0].spi[0], 0x65c9cb64);
			assert_int_equal(k.esp[1].spi[0], 0x1f3be3b8);
		}
		conf_keys_free(&k);
	}
}

/* Key files that must be refused: numbered, with a phrase of the message. */
static void test_error_table(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} t[] = {
		/* 1 */ {"", "no keys found in 0 lines"},
		/* 2 */ {"# only a comment\nfoo bar\n", "no keys found in 2 lines"},
		/* 3 */ {"uat:ikev1_decryption_table:0011223344556677,00112233445566778899aabbccddeeff\n", "only IKEv1 keys"},
		/* 4 */ {"uat:ikev2_decryption_table:0011223344556677,8899aabbccddeeff,00\n", "3 fields, expected 8"},
		/* 5 */ {"uat:ikev2_decryption_table:00112233445566,8899aabbccddeeff,00,00,\"AES-CBC-128 [RFC3602]\",00,00,"
			 "\"HMAC_SHA2_256_128 [RFC4868]\"\n", "t.keys:1: SPIi '00112233445566': expected 8 hex octets"},
		/* 6 */ {"uat:ikev2_decryption_table:0011223344556677,8899aabbccddeeff,00,00,\"Blowfish [RFC2451]\",00,00,"
			 "\"HMAC_SHA2_256_128 [RFC4868]\"\n", "encryption algorithm 'Blowfish [RFC2451]'"},
		/* 7 */ {"uat:ikev2_decryption_table:0011223344556677,8899aabbccddeeff,000102030405060708090a0b0c0d0e0f,"
			 "000102030405060708090a0b0c0d0e,\"AES-CBC-128 [RFC3602]\",00,00,\"HMAC_SHA2_256_128 [RFC4868]\"\n",
			 "SK_er '000102030405060708090a0b0c0d0e': expected 16 hex octets"},
		/* 8 */ {"uat:esp_sa:\"IPv4\",\"*\",\"*\",\"0xc0000001\",\"AES-CBC [RFC3602]\",\"0x00112233\","
			 "\"HMAC-SHA-256-128 [RFC4868]\",\"0x00\"\n", "not an ESP transform ref/esp supports"},
		/* 9 */ {"uat:esp_sa:\"IPv4\",\"*\",\"*\",\"0xc0000001\",\"AES-CBC [RFC3602]\",\"0xzz\",\"NULL\",\"\"\n",
			 "encryption key '0xzz': expected hex octets"},
		/* 10 */ {"{\"ev\":\"keys\",\"spi_i\":\"0011223344556677\",\"spi_r\":\"8899aabbccddeeff\",\"encr\":\"ENCR_AES_CBC\","
			  "\"encr_bits\":128,\"integ\":\"AUTH_HMAC_SHA2_256_128\",\"sk_ei\":\"00112233445566778899aabbccddeeff\"}\n",
			  "t.keys:1: \"keys\" event without \"sk_er\""},
		/* 11 */ {"{\"ev\":\"keys\",\"spi_i\":\"0011223344556677\",\"spi_r\":\"8899aabbccddeeff\",\"encr\":\"ENCR_FOO\"}\n",
			  "\"encr\" value 'ENCR_FOO': expected an IKEv2 "},
		/* 12 */ {"{\"ev\":\"child_up\",\"spi_in\":\"c0000001\",\"spi_out\":\"c1000001\",\"alg\":\"ENCR_DES\","
			  "\"enc_in\":\"00\",\"enc_out\":\"00\"}\n", "\"alg\" value 'ENCR_DES': expected an ESP transform"},
		/* 13 */ {"{\"ev\":\"keys\",\"sk_ei\":\"00\",\n", "not a flat JSON object"},
		/* 14 */ {"09[IKE] <x|1> Sk_ei secret => 16 bytes @ 0x1\n09[IKE] <x|1>    0: 00 11 22 33\n",
			  "hex dump of 'Sk_ei secret' ends after 4 of 16 octets"},
		/* 15 */ {"09[IKE] <x|1> Sk_ei secret => 16 bytes @ 0x1\n", "the log ends inside the hex dump of 'Sk_ei secret'"},
		/* 16 */ {"09[IKE] <x|1> Sk_ei secret => 99 bytes @ 0x1\n", "'Sk_ei secret' of 99 octets, expected at most 36"},
		/* 17 */ {"09[IKE] <x|1> encryption key Ka => 16 bytes @ 0x1\n", "only IKEv1 keys"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct conf_keys k;
		char err[CONF_ERR_LEN] = "";
		int rc = parse(&k, t[i].text, err, sizeof err);
		if (rc >= 0 || !strstr(err, t[i].msg))
			fail_msg("case %zu: rc %d, error '%s', expected '%s'", i + 1, rc, err, t[i].msg);
		conf_keys_free(&k);
	}
}

/* dump appends a charon hex dump of |p| (16 octets a line) for |name| on thread |th|. */
static size_t dump(char *out, size_t cap, int th, const char *name, const uint8_t *p, size_t n)
{
	size_t w = (size_t)snprintf(out, cap, "13:47:43 %02d[IKE] <home|1> %s => %zu bytes @ 0x7f8f340022a0\n", th, name, n);
	for (size_t off = 0; off < n; off += 16) {
		w += (size_t)snprintf(out + w, cap - w, "13:47:43 %02d[IKE] <home|1> %4zu:", th, off);
		for (size_t i = off; i < off + 16 && i < n; i++)
			w += (size_t)snprintf(out + w, cap - w, " %02X", p[i]);
		w += (size_t)snprintf(out + w, cap - w, "  ................\n");
	}
	return w;
}

/* A charon log as strongSwan writes it: proposals, interleaved threads, a rekeyed IKE SA, ESP SPIs. */
static void test_charon_synthesized(void **state)
{
	(void)state;
	static char log[16384];
	uint8_t ai[32], ar[32], ei[16], er[16], gcm[36];
	for (int i = 0; i < 32; i++)
		ai[i] = (uint8_t)i, ar[i] = (uint8_t)(0x80 + i);
	for (int i = 0; i < 16; i++)
		ei[i] = (uint8_t)(0x40 + i), er[i] = (uint8_t)(0xc0 + i);
	for (int i = 0; i < 36; i++)
		gcm[i] = (uint8_t)(0x20 + i);
	size_t w = 0, cap = sizeof log;
	w += (size_t)snprintf(log + w, cap - w, "Mar 10 12:00:00 host charon: 14[CFG] <home|1> selected proposal: "
					      "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\n");
	w += dump(log + w, cap - w, 14, "Sk_ai secret", ai, 32);
	w += (size_t)snprintf(log + w, cap - w, "13:47:43 07[NET] <home|1> received packet: from 1.2.3.4[500]\n");
	w += dump(log + w, cap - w, 14, "Sk_ar secret", ar, 32);
	/* another thread logs in the middle of a dump */
	w += (size_t)snprintf(log + w, cap - w, "13:47:43 14[IKE] <home|1> Sk_ei secret => 16 bytes @ 0x1\n"
					      "13:47:43 03[JOB] <home|1> next job\n13:47:43 14[IKE] <home|1>    0:");
	for (int i = 0; i < 16; i++)
		w += (size_t)snprintf(log + w, cap - w, " %02X", ei[i]);
	w += (size_t)snprintf(log + w, cap - w, "  ................\n");
	w += dump(log + w, cap - w, 14, "Sk_er secret", er, 16);
	w += dump(log + w, cap - w, 14, "Sk_pi secret", ai, 32);
	/* the CHILD SA: GCM with ESN */
	w += (size_t)snprintf(log + w, cap - w, "13:47:43 11[CFG] <home|1> selected proposal: ESP:AES_GCM_16_256/EXT_SEQ\n");
	w += dump(log + w, cap - w, 11, "encryption initiator key", gcm, 36);
	w += dump(log + w, cap - w, 11, "encryption responder key", gcm, 36);
	w += (size_t)snprintf(log + w, cap - w, "13:47:43 11[CHD] <home|1> integrity initiator key => 0 bytes @ (nil)\n"
					      "13:47:43 11[CHD] <home|1> integrity responder key => 0 bytes @ (nil)\n"
					      "13:47:43 11[CHD] <home|1> adding inbound ESP SA\n"
					      "13:47:43 11[CHD] <home|1>   SPI 0xa7f34852, src 198.51.100.2 dst 192.0.2.2\n"
					      "13:47:43 11[CHD] <home|1> adding outbound ESP SA\n"
					      "13:47:43 11[CHD] <home|1>   SPI 0x6520aac6, src 192.0.2.2 dst 198.51.100.2\n");
	/* a rekeyed IKE SA, this time without a proposal line: guessed from the key lengths */
	w += (size_t)snprintf(log + w, cap - w, "13:48:00 09[IKE] <home|2> rekeying\n");
	w += dump(log + w, cap - w, 9, "Sk_ei secret", gcm, 36);
	w += dump(log + w, cap - w, 9, "Sk_er secret", gcm, 36);
	struct conf_keys k;
	char err[CONF_ERR_LEN];
	conf_keys_init(&k, "charon.log");
	if (conf_keys_parse(&k, log, w, err, sizeof err) < 0)
		fail_msg("%s\n%s", err, log);
	assert_int_equal(k.n_ike, 2);
	assert_int_equal(k.ike[0].have_spi, 0);
	assert_int_equal(k.ike[0].suite.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(k.ike[0].suite.prf, IKE_PRF_HMAC_SHA2_256);
	assert_memory_equal(k.ike[0].sk_ei, ei, 16);
	assert_memory_equal(k.ike[0].sk_ar, ar, 32);
	assert_int_equal(k.ike[1].suite.encr, IKE_ENCR_AES_GCM_16); /* the CBC proposal does not fit 36-octet keys */
	assert_non_null(strstr(k.ike[1].origin, "guessed"));
	assert_int_equal(k.n_esp, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(k.esp[i].n_spi, 2);
		assert_int_equal(k.esp[i].spi[0], 0xa7f34852);
		assert_int_equal(k.esp[i].spi[1], 0x6520aac6);
		assert_int_equal(k.esp[i].alg, CRYPTO_AES_GCM_16);
		assert_int_equal(k.esp[i].esn, 1);
		assert_int_equal(k.esp[i].integ_len, 0);
	}
	conf_keys_free(&k);
	/* without any proposal line the suite comes from the key lengths */
	char log2[2048];
	w = dump(log2, sizeof log2, 9, "Sk_ei secret", gcm, 36);
	w += dump(log2 + w, sizeof log2 - w, 9, "Sk_er secret", gcm, 36);
	conf_keys_init(&k, "guess.log");
	assert_int_equal(conf_keys_parse(&k, log2, w, err, sizeof err), 1);
	assert_int_equal(k.ike[0].suite.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(k.ike[0].suite.encr_key_bits, 256);
	assert_non_null(strstr(k.ike[0].origin, "guessed"));
	conf_keys_free(&k);
}

/* The real charon logs of tests/data/pcaps (strongSwan 5.9.8, client side). */
static void test_charon_real(void **state)
{
	(void)state;
	const char *logs[] = {"tests/data/pcaps/swan-psk-natt.charon.log", "tests/data/pcaps/swan-ikefrag.charon.log"};
	for (size_t i = 0; i < 2; i++) {
		struct conf_keys k;
		char err[CONF_ERR_LEN];
		conf_keys_init(&k, NULL);
		if (conf_keys_load(&k, logs[i], err, sizeof err) < 0)
			fail_msg("%s", err);
		assert_int_equal(k.n_ike, 1);
		assert_int_equal(k.ike[0].suite.encr, IKE_ENCR_AES_CBC);
		assert_int_equal(k.ike[0].suite.encr_key_bits, 128);
		assert_int_equal(k.ike[0].suite.integ, IKE_INTEG_HMAC_SHA2_256_128);
		assert_int_equal(k.n_esp, 2);
		assert_int_equal(k.esp[0].n_spi, 2);
		assert_int_equal(k.esp[0].esn, 0);
		conf_keys_free(&k);
	}
}

/* ------------------------------------------------------------------ */
/* End to end: two engines with log_keys                               */

#define CL_IP CONF_IP(192, 0, 2, 10)
#define GW_IP CONF_IP(198, 51, 100, 1)

struct peer {
	struct ike_engine *e;
	struct crypto_drbg *drbg;
	struct esp_sa *esp;      /* the outbound ESP SA of its CHILD SA */
	struct e2e *x;
	struct ike_child_info ci;
	uint8_t keys[4][64];
	int child;
};

struct e2e {
	struct peer cl, gw;
	struct conf_craft *w;
	uint64_t now;
	char *ev;
	size_t ev_len, ev_cap;
	struct {
		struct peer *to;
		struct ike_path path;
		uint8_t buf[4096];
		size_t len;
	} q[64];
	size_t qh, qt;
};

static void e2e_emit(void *ctx, const char *line, size_t len)
{
	struct peer *p = ctx;
	struct e2e *x = p->x;
	if (x->ev_len + len + 1 > x->ev_cap) {
		x->ev_cap = (x->ev_len + len + 1) * 2;
		x->ev = realloc(x->ev, x->ev_cap);
		assert_non_null(x->ev);
	}
	memcpy(x->ev + x->ev_len, line, len);
	x->ev_len += len;
	x->ev[x->ev_len++] = '\n';
}

/* e2e_send queues the datagram for the other engine and writes it into the capture. */
static void e2e_send(void *ctx, const struct ike_path *path, const uint8_t *buf, size_t len)
{
	struct peer *p = ctx;
	struct e2e *x = p->x;
	uint8_t pkt[4200];
	size_t n = conf_craft_udp(pkt, sizeof pkt, path->local_addr, path->local_port, path->remote_addr,
				  path->remote_port, (uint16_t)(0x100 + x->qt), 0, buf, len);
	assert_true(n > 0);
	assert_int_equal(conf_craft_add_ip(x->w, x->now, pkt, n), 0);
	if (len == 1)
		return; /* keepalive */
	assert_true(x->qt - x->qh < 64 && len <= sizeof x->q[0].buf);
	size_t s = x->qt++ % 64;
	x->q[s].to = p == &x->cl ? &x->gw : &x->cl;
	x->q[s].path = *path;
	memcpy(x->q[s].buf, buf, len);
	x->q[s].len = len;
}

static void e2e_child_up(void *ctx, const struct ike_child_info *ci)
{
	struct peer *p = ctx;
	p->ci = *ci;
	memcpy(p->keys[0], ci->enc_key_out, ci->enc_key_len);
	if (ci->integ_key_len)
		memcpy(p->keys[1], ci->integ_key_out, ci->integ_key_len);
	p->child = 1;
}

static void e2e_start(struct e2e *x, struct peer *p, enum ike_role role, uint32_t local, uint32_t remote, const char *name)
{
	static const char psk[] = "vpnlab conformance psk";
	struct ike_config cfg;
	struct ike_callbacks cb;
	char msg[256] = "";
	ike_config_init(&cfg, role);
	cfg.local_addr = local;
	cfg.remote_addr = remote;
	memcpy(cfg.psk, psk, sizeof psk - 1);
	cfg.psk_len = sizeof psk - 1;
	cfg.local_id.type = IKE_ID_FQDN;
	cfg.local_id.len = strlen(name);
	memcpy(cfg.local_id.data, name, cfg.local_id.len);
	snprintf(cfg.name, sizeof cfg.name, "%s", name);
	cfg.log_keys = 1;
	p->x = x;
	p->drbg = crypto_drbg_new(11, name);
	memset(&cb, 0, sizeof cb);
	cb.ctx = p;
	cb.send = e2e_send;
	cb.child_up = e2e_child_up;
	cb.rng = crypto_drbg_rng(p->drbg);
	cb.ev.emit = e2e_emit;
	cb.ev.ctx = p;
	p->e = ike_engine_new(&cfg, &cb, msg, sizeof msg);
	if (!p->e)
		fail_msg("ike_engine_new(%s): %s", name, msg);
}

static void e2e_pump(struct e2e *x)
{
	for (int guard = 0; guard < 200 && x->qh < x->qt; guard++) {
		size_t s = x->qh++ % 64;
		struct ike_path in = {x->q[s].path.remote_addr, x->q[s].path.local_addr, x->q[s].path.remote_port,
				      x->q[s].path.local_port};
		x->now += 5000000;
		ike_input(x->q[s].to->e, &in, x->q[s].buf, x->q[s].len, x->now);
	}
}

/* e2e_esp seals one ICMP packet with |p|'s outbound CHILD SA keys (as its datapath would) into the capture. */
static void e2e_esp(struct e2e *x, struct peer *p, uint32_t src, uint32_t dst)
{
	struct esp_sa_cfg cfg;
	int rc;
	if (p->esp)
		goto seal;
	memset(&cfg, 0, sizeof cfg);
	cfg.spi = p->ci.spi_out;
	cfg.dir = ESP_DIR_OUT;
	cfg.alg = p->ci.alg;
	cfg.enc_key = p->keys[0];
	cfg.enc_key_len = p->ci.enc_key_len;
	cfg.integ_key = p->ci.integ_key_len ? p->keys[1] : NULL;
	cfg.integ_key_len = p->ci.integ_key_len;
	cfg.esn = p->ci.esn;
	cfg.rng = crypto_drbg_rng(p->drbg);
	p->esp = esp_sa_new(&cfg, &rc);
	assert_non_null(p->esp);
seal:;
	uint8_t icmp[40] = {8, 0}, inner[100], e[300], pkt[400];
	size_t n = conf_craft_ipv4(inner, sizeof inner, src, dst, CONF_IPPROTO_ICMP, 1, 0, icmp, sizeof icmp);
	size_t en = conf_craft_sk_esp(e, sizeof e, p->esp, inner, n, ESP_NH_IPV4);
	assert_true(en > 0);
	const struct ike_path *pa = &p->ci.path;
	size_t len = p->ci.encap ? conf_craft_udp(pkt, sizeof pkt, pa->local_addr, pa->local_port, pa->remote_addr,
						  pa->remote_port, 7, 0, e, en)
				 : conf_craft_ipv4(pkt, sizeof pkt, pa->local_addr, pa->remote_addr, 50, 7, 0, e, en);
	x->now += 1000000;
	assert_int_equal(conf_craft_add_ip(x->w, x->now, pkt, len), 0);
}

static void test_engine_events(void **state)
{
	(void)state;
	struct e2e *x = calloc(1, sizeof *x);
	assert_non_null(x);
	x->w = conf_craft_new(1);
	x->now = 1000000000;
	e2e_start(x, &x->cl, IKE_ROLE_CLIENT, CL_IP, GW_IP, "client");
	e2e_start(x, &x->gw, IKE_ROLE_GATEWAY, GW_IP, 0, "gw");
	assert_int_equal(ike_client_start(x->cl.e, x->now), 0);
	e2e_pump(x);
	assert_true(x->cl.child && x->gw.child);
	for (int k = 0; k < 2; k++) {
		e2e_esp(x, &x->cl, CONF_IP(10, 1, 0, 2), CONF_IP(10, 2, 0, 1));
		e2e_esp(x, &x->gw, CONF_IP(10, 2, 0, 1), CONF_IP(10, 1, 0, 2));
	}
	ike_close(x->cl.e, x->now);
	e2e_pump(x);

	/* the engines' own events are the key file */
	struct conf_keys k;
	char err[CONF_ERR_LEN];
	conf_keys_init(&k, "events.jsonl");
	if (conf_keys_parse(&k, x->ev, x->ev_len, err, sizeof err) < 0)
		fail_msg("%s\n%.*s", err, (int)x->ev_len, x->ev);
	assert_int_equal(k.n_ike, 2); /* both engines log the IKE SA */
	assert_int_equal(k.n_esp, 4); /* and both ESP SAs of their CHILD SA */
	uint8_t *buf;
	size_t len;
	assert_int_equal(conf_craft_bytes(x->w, &buf, &len), 0);
	FILE *fp = fmemopen(buf, len, "rb");
	struct conf_capture_limits lim = {0};
	lim.keep_esp = 1;
	struct conf_capture *c = conf_capture_load_fp(fp, "engines", &lim, err, sizeof err);
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(conf_dec_run(c, &k, err, sizeof err), 0);
	const struct conf_dec *d = c->dec;
	assert_true(d->st.ike_enc >= 4);
	assert_int_equal(d->st.ike_ok, d->st.ike_enc);
	assert_int_equal(d->st.esp_ok, 4);
	/* and the rules that read the decrypted content pass, as every MUST does */
	struct conf_params p;
	struct conf_ctx cx;
	conf_params_default(&p);
	assert_int_equal(conf_ctx_init(&cx, c, &p), 0);
	int checked_keys = 0;
	for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
		struct conf_result res;
		conf_rule_run(*r, &cx, &res);
		if (res.verdict == CONF_FAIL && (*r)->force == CONF_MUST)
			fail_msg("%s fails on the engines' capture: %s", (*r)->id, res.why);
		checked_keys += ((*r)->sets & CONF_SET_KEYS) && res.verdict == CONF_PASS;
	}
	assert_true(checked_keys >= 8);
	conf_ctx_free(&cx);
	conf_capture_free(c);
	free(buf);
	conf_keys_free(&k);
	conf_craft_free(x->w);
	for (int i = 0; i < 2; i++) {
		struct peer *pp = i ? &x->gw : &x->cl;
		ike_engine_free(pp->e);
		crypto_drbg_free(pp->drbg);
		esp_sa_free(pp->esp);
	}
	free(x->ev);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_table),
		cmocka_unit_test(test_interop_key_files),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_charon_synthesized),
		cmocka_unit_test(test_charon_real),
		cmocka_unit_test(test_engine_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
