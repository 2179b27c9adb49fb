/*
 * test_conf_dec.c — `vpnlab check --keys`: decryption of crafted captures
 * whose SK/SKF payloads and ESP packets are really encrypted (through
 * ref/ike and ref/esp, conformance/conf_craft_sk.h), and the rules that
 * read the decrypted content, each with a passing and a failing capture:
 *
 *   Initiator 192.0.2.10                                 Responder 198.51.100.1
 *   HDR, SAi1, KEi, Ni                              -->  (UDP 500)
 *                                                   <--  HDR, SAr1, KEr, Nr
 *   HDR, SK {IDi, N(INITIAL_CONTACT), AUTH, SAi2(ESP SPI c1000001), TSi, TSr}  -->
 *                 <--  HDR, SK {IDr, AUTH, SAr2(ESP SPI c0000001), TSi, TSr}
 *   ESP c0000001 (10.1.0.2 -> 10.2.0.1 ICMP)        -->  (IP protocol 50)
 *                                                   <--  ESP c1000001 (10.2.0.1 -> 10.1.0.2)
 *   HDR, SK {D(ESP c1000001)}                       -->
 *                                                   <--  HDR, SK {D(ESP c0000001)}
 *
 * With VPNLAB_WRITE_PCAPS=DIR every capture and key file is also written to
 * DIR (how tests/data/pcaps/dec-* were made; tests/cli/check_keys.sh reads
 * them); test_committed_files_current checks the committed ones are current.
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
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_payload.h"
#include "tests/unit/test_conf_util.h"

#define I_IP CONF_IP(192, 0, 2, 10)
#define R_IP CONF_IP(198, 51, 100, 1)
#define VIP CONF_IP(10, 1, 0, 2)
#define NET CONF_IP(10, 2, 0, 1)
#define SEC 1000000000ull
#define MS 1000000ull
#define SPI_I_IN 0xc1000001u /* announced by the initiator: ESP responder -> initiator */
#define SPI_R_IN 0xc0000001u /* announced by the responder: ESP initiator -> responder */

static const uint8_t SPI_I[8] = {0x3c, 0x11, 0x5e, 0x80, 0x92, 0x07, 0xa4, 0x6d};
static const uint8_t SPI_R[8] = {0xb2, 0x44, 0x09, 0x1f, 0xe6, 0x73, 0x58, 0xc0};
static const uint8_t ZERO8[8];

/* ------------------------------------------------------------------ */
/* Key sets (test-only values: patterns)                               */

enum keyset { K_CBC, K_GCM, K_WRONG, K_NONE };

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

/* ike_key: AES-CBC-128 + HMAC-SHA2-256-128 (K_CBC, as strongSwan's captures) or AES-GCM-16-256 (K_GCM). */
static void ike_key(struct conf_ike_key *e, enum keyset ks)
{
	memset(e, 0, sizeof *e);
	e->have_spi = 1;
	memcpy(e->spi_i, SPI_I, 8);
	memcpy(e->spi_r, SPI_R, 8);
	uint8_t seed = ks == K_WRONG ? 0x99 : 0x10;
	if (ks == K_GCM) {
		e->suite = (struct ike_suite){IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, 0, IKE_KE_ECP256};
		e->enc_len = 36;
	} else {
		e->suite = (struct ike_suite){IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
					      IKE_KE_ECP256};
		e->enc_len = 16;
		e->integ_len = 32;
	}
	fill(e->sk_ei, e->enc_len, seed);
	fill(e->sk_er, e->enc_len, (uint8_t)(seed + 1));
	fill(e->sk_ai, e->integ_len, (uint8_t)(seed + 2));
	fill(e->sk_ar, e->integ_len, (uint8_t)(seed + 3));
	snprintf(e->origin, sizeof e->origin, "test");
}

static void esp_key(struct conf_esp_key *e, enum keyset ks, uint32_t spi)
{
	memset(e, 0, sizeof *e);
	e->spi[0] = spi;
	e->n_spi = 1;
	uint8_t seed = (uint8_t)((ks == K_WRONG ? 0x77 : 0x40) + (spi >> 24 == 0xc0 ? 0x20 : 0x30));
	if (ks == K_GCM) {
		e->alg = CRYPTO_AES_GCM_16;
		e->cipher_key_len = 32;
		e->enc_len = 36;
	} else {
		e->alg = CRYPTO_AES_CBC_HMAC_SHA256_128;
		e->cipher_key_len = 16;
		e->enc_len = 16;
		e->integ_len = 32;
	}
	fill(e->enc, e->enc_len, seed);
	fill(e->integ, e->integ_len, (uint8_t)(seed + 5));
	snprintf(e->origin, sizeof e->origin, "test");
}

static void hexs(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

/* ike_hex: the IKE SA of |ks| as hex: SPIi, SPIr, SK_ei, SK_er, SK_ai, SK_ar. */
enum { H_SPI_I, H_SPI_R, H_EI, H_ER, H_AI, H_AR };
static void ike_hex(enum keyset ks, char h[6][80])
{
	struct conf_ike_key k;
	ike_key(&k, ks);
	hexs(h[H_SPI_I], SPI_I, 8);
	hexs(h[H_SPI_R], SPI_R, 8);
	hexs(h[H_EI], k.sk_ei, k.enc_len);
	hexs(h[H_ER], k.sk_er, k.enc_len);
	hexs(h[H_AI], k.sk_ai, k.integ_len);
	hexs(h[H_AR], k.sk_ar, k.integ_len);
}

/*
 * keys_uat writes the key set as tshark -o lines (the pcaps/interop NAME.keys
 * form) or, with |ws|, as the rows of Wireshark's own UAT files (every field
 * quoted, no "uat:TABLE:" prefix).
 */
static size_t keys_uat_ws(char *out, size_t cap, enum keyset ks, int ws)
{
	struct conf_esp_key e[2];
	char h[6][80], a[80], b[80];
	const char *q = ws ? "\"" : "";
	ike_hex(ks, h);
	esp_key(&e[0], ks, SPI_R_IN);
	esp_key(&e[1], ks, SPI_I_IN);
	int w = snprintf(out, cap, "# test keys (%s)\n%s%s%s%s,%s%s%s,%s%s%s,%s%s%s,\"%s\",%s%s%s,%s%s%s,\"%s\"\n",
			 ks == K_WRONG ? "wrong on purpose" : "crafted", ws ? "" : "uat:ikev2_decryption_table:", q,
			 h[H_SPI_I], q, q, h[H_SPI_R], q, q, h[H_EI], q, q, h[H_ER], q,
			 ks == K_GCM ? "AES-GCM-256 with 16 octet ICV [RFC5282]" : "AES-CBC-128 [RFC3602]", q, h[H_AI], q, q,
			 h[H_AR], q, ks == K_GCM ? "NONE [RFC4306]" : "HMAC_SHA2_256_128 [RFC4868]");
	for (int i = 0; i < 2; i++) {
		hexs(a, e[i].enc, e[i].enc_len);
		hexs(b, e[i].integ, e[i].integ_len);
		w += snprintf(out + w, cap - (size_t)w, "%s\"IPv4\",\"*\",\"*\",\"0x%08x\",\"%s\",\"0x%s\",\"%s\",\"%s%s\"\n",
			      ws ? "" : "uat:esp_sa:", e[i].spi[0],
			      ks == K_GCM ? "AES-GCM with 16 octet ICV [RFC4106]" : "AES-CBC [RFC3602]", a,
			      ks == K_GCM ? "NULL" : "HMAC-SHA-256-128 [RFC4868]", e[i].integ_len ? "0x" : "", b);
	}
	return (size_t)w;
}

static size_t keys_uat(char *out, size_t cap, enum keyset ks)
{
	return keys_uat_ws(out, cap, ks, 0);
}

/* keys_events writes the key set as the engine's events (ref/ike/ike_ev.c field names). */
static size_t keys_events(char *out, size_t cap, enum keyset ks)
{
	struct conf_esp_key in, o;
	char h[6][80], a[80], b[80], c[80], d[80];
	ike_hex(ks, h);
	esp_key(&in, ks, SPI_I_IN); /* the client's view: inbound is what the responder sends */
	esp_key(&o, ks, SPI_R_IN);
	int gcm = ks == K_GCM;
	int w = snprintf(out, cap,
			 "{\"t\":0.000000000,\"src\":\"ike\",\"ev\":\"state\",\"who\":\"client\",\"from\":\"IDLE\",\"to\":\"INIT_SENT\"}\n"
			 "{\"t\":0.010000000,\"src\":\"ike\",\"ev\":\"keys\",\"who\":\"client\",\"spi_i\":\"%s\",\"spi_r\":\"%s\","
			 "\"encr\":\"%s\",\"encr_bits\":%d,\"integ\":\"%s\",\"prf\":\"PRF_HMAC_SHA2_256\",\"sk_ei\":\"%s\","
			 "\"sk_er\":\"%s\"",
			 h[H_SPI_I], h[H_SPI_R], gcm ? "ENCR_AES_GCM_16" : "ENCR_AES_CBC", gcm ? 256 : 128,
			 gcm ? "NONE" : "AUTH_HMAC_SHA2_256_128", h[H_EI], h[H_ER]);
	if (!gcm)
		w += snprintf(out + w, cap - (size_t)w, ",\"sk_ai\":\"%s\",\"sk_ar\":\"%s\"", h[H_AI], h[H_AR]);
	hexs(a, in.enc, in.enc_len);
	hexs(b, o.enc, o.enc_len);
	hexs(c, in.integ, in.integ_len);
	hexs(d, o.integ, o.integ_len);
	w += snprintf(out + w, cap - (size_t)w,
		      "}\n{\"t\":0.020000000,\"src\":\"ike\",\"ev\":\"child_up\",\"who\":\"client\",\"spi_i\":\"%s\","
		      "\"spi_r\":\"%s\",\"spi_in\":\"%08x\",\"spi_out\":\"%08x\",\"alg\":\"%s\",\"ts_local\":"
		      "\"10.1.0.2-10.1.0.2\",\"enc_in\":\"%s\",\"enc_out\":\"%s\"",
		      h[H_SPI_I], h[H_SPI_R], SPI_I_IN, SPI_R_IN, gcm ? "ENCR_AES_GCM_16_256" : "ENCR_AES_CBC_128/AUTH_HMAC_SHA2_256_128", a, b);
	if (!gcm)
		w += snprintf(out + w, cap - (size_t)w, ",\"integ_in\":\"%s\",\"integ_out\":\"%s\"", c, d);
	w += snprintf(out + w, cap - (size_t)w, "}\n");
	return (size_t)w;
}

/* ------------------------------------------------------------------ */
/* Scenario builder                                                    */

struct opt {
	enum keyset ks;         /* K_CBC or K_GCM: what the peers encrypt with */
	int frag;               /* IKE_AUTH request as SKF fragments */
	int auth_no_idi;        /* first IKE_AUTH request is SK {AUTH} */
	int resp_extra_ke;      /* IKE_AUTH response carries a KE (not allowed) */
	int ic_late;            /* INITIAL_CONTACT in the INFORMATIONAL request */
	int resp_bad_pad;       /* IKE_AUTH response with Pad Length 255 */
	int info_bad_chain;     /* INFORMATIONAL request with a malformed inner chain */
	int esp_unannounced;    /* an ESP packet on an SPI no SA payload named */
	int esp_after_delete;   /* ESP on a deleted SPI 2 s after the DELETE */
	int esp_bad_inner;      /* inner IPv4 header checksum wrong */
	int esp_outside_ts;     /* inner source outside TSi */
	int esp_bad_pad;        /* ESP padding 0, 0, 0, ... */
	int no_child;           /* IKE_AUTH response without SA/TS and without an error Notify */
};

struct sc {
	struct conf_craft *w;
	uint64_t t;
	uint16_t id;
	struct crypto_drbg *drbg;
	struct crypto_rng rng;
	struct ike_keys *k;
	struct esp_sa *out_i, *out_r; /* ESP senders: initiator -> responder, responder -> initiator */
};

static void sc_init(struct sc *s, enum keyset ks)
{
	s->w = conf_craft_new(1);
	assert_non_null(s->w);
	s->t = 1700000000ull * SEC;
	s->id = 0x200;
	s->drbg = crypto_drbg_new(7, "test_conf_dec");
	assert_non_null(s->drbg);
	s->rng = crypto_drbg_rng(s->drbg);
	struct conf_ike_key ik;
	char err[300];
	ike_key(&ik, ks);
	s->k = conf_keys_ike_new(&ik, err, sizeof err);
	if (!s->k)
		fail_msg("%s", err);
	struct conf_esp_key e;
	struct esp_sa_cfg cfg;
	int rc;
	for (int d = 0; d < 2; d++) {
		esp_key(&e, ks, d ? SPI_I_IN : SPI_R_IN);
		memset(&cfg, 0, sizeof cfg);
		cfg.spi = e.spi[0];
		cfg.dir = ESP_DIR_OUT;
		cfg.alg = e.alg;
		cfg.enc_key = e.enc;
		cfg.enc_key_len = e.enc_len;
		cfg.integ_key = e.integ_len ? e.integ : NULL;
		cfg.integ_key_len = e.integ_len;
		cfg.rng = s->rng;
		struct esp_sa *sa = esp_sa_new(&cfg, &rc);
		assert_non_null(sa);
		if (d)
			s->out_r = sa;
		else
			s->out_i = sa;
	}
}

static void sc_done(struct sc *s)
{
	ike_keys_free(s->k);
	esp_sa_free(s->out_i);
	esp_sa_free(s->out_r);
	crypto_drbg_free(s->drbg);
}

static void sc_ip(struct sc *s, const uint8_t *p, size_t n)
{
	assert_int_equal(conf_craft_add_ip(s->w, s->t, p, n), 0);
	s->t += 10 * MS;
}

static void sc_ike(struct sc *s, int to_r, const uint8_t *m, size_t n)
{
	uint8_t pkt[4200];
	assert_true(n > 0);
	size_t len = conf_craft_udp(pkt, sizeof pkt, to_r ? I_IP : R_IP, 500, to_r ? R_IP : I_IP, 500, s->id++, 0, m, n);
	assert_true(len > 0);
	sc_ip(s, pkt, len);
}

/* inner_icmp: an ICMP echo request |src| -> |dst| as an IPv4 packet; |bad_cksum| spoils the header checksum. */
static size_t inner_icmp(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, int bad_cksum)
{
	uint8_t icmp[64] = {8, 0, 0, 0, 0x12, 0x34, 0, 1};
	for (size_t i = 8; i < sizeof icmp; i++)
		icmp[i] = (uint8_t)i;
	uint16_t ck = conf_ipv4_checksum(icmp, sizeof icmp);
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	size_t n = conf_craft_ipv4(out, cap, src, dst, CONF_IPPROTO_ICMP, 0x4242, 1, icmp, sizeof icmp);
	if (bad_cksum)
		out[11] ^= 0x5a;
	return n;
}

static void sc_esp(struct sc *s, int to_r, uint32_t src, uint32_t dst, int bad_cksum)
{
	uint8_t inner[200], e[400], pkt[500];
	size_t n = inner_icmp(inner, sizeof inner, src, dst, bad_cksum);
	size_t en = conf_craft_sk_esp(e, sizeof e, to_r ? s->out_i : s->out_r, inner, n, ESP_NH_IPV4);
	assert_true(en > 0);
	size_t len = conf_craft_ipv4(pkt, sizeof pkt, to_r ? I_IP : R_IP, to_r ? R_IP : I_IP, 50, s->id++, 0, e, en);
	sc_ip(s, pkt, len);
}

/* ---- payload bodies (ref/ike builders) ---- */

static size_t body_sa_esp(uint8_t *out, size_t cap, uint32_t spi, enum keyset ks)
{
	struct ike_sa_pl sa;
	uint8_t sb[4] = {(uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8), (uint8_t)spi};
	memset(&sa, 0, sizeof sa);
	ike_sa_add_proposal(&sa, 1, IKE_PROTO_ESP, sb, 4);
	if (ks == K_GCM) {
		ike_sa_add_transform(&sa, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	} else {
		ike_sa_add_transform(&sa, IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128);
		ike_sa_add_transform(&sa, IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	}
	ike_sa_add_transform(&sa, IKE_TT_ESN, IKE_ESN_NO, 0);
	struct ike_buf b = {out, cap, 0};
	assert_int_equal(ike_payload_sa_build(&sa, &b), 0);
	return b.len;
}

static size_t body_ts(uint8_t *out, size_t cap, uint32_t lo, uint32_t hi)
{
	struct ike_ts_pl ts;
	memset(&ts, 0, sizeof ts);
	ts.n = 1;
	ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts.ts[0].end_port = 65535;
	ike_put32(ts.ts[0].start, lo);
	ike_put32(ts.ts[0].end, hi);
	struct ike_buf b = {out, cap, 0};
	assert_int_equal(ike_payload_ts_build(&ts, &b), 0);
	return b.len;
}

static void add_id(struct conf_craft_sk_chain *ch, uint8_t type, const char *fqdn)
{
	uint8_t b[64] = {IKE_ID_FQDN, 0, 0, 0};
	size_t n = strlen(fqdn);
	memcpy(b + 4, fqdn, n);
	conf_craft_sk_chain_add(ch, type, b, 4 + n);
}

static void add_auth(struct conf_craft_sk_chain *ch, uint8_t seed)
{
	uint8_t b[36] = {IKE_AUTHM_PSK, 0, 0, 0};
	fill(b + 4, 32, seed);
	conf_craft_sk_chain_add(ch, IKE_PL_AUTH, b, sizeof b);
}

static void add_notify(struct conf_craft_sk_chain *ch, uint16_t type)
{
	uint8_t b[16];
	size_t n = conf_craft_notify(b, sizeof b, type, NULL, 0);
	conf_craft_sk_chain_add(ch, IKE_PL_NOTIFY, b, n);
}

static void add_sa_ts(struct conf_craft_sk_chain *ch, uint32_t spi, enum keyset ks)
{
	uint8_t b[200];
	conf_craft_sk_chain_add(ch, IKE_PL_SA, b, body_sa_esp(b, sizeof b, spi, ks));
	conf_craft_sk_chain_add(ch, IKE_PL_TSI, b, body_ts(b, sizeof b, VIP, VIP));
	conf_craft_sk_chain_add(ch, IKE_PL_TSR, b, body_ts(b, sizeof b, CONF_IP(10, 2, 0, 0), CONF_IP(10, 2, 255, 255)));
}

static void add_delete(struct conf_craft_sk_chain *ch, uint32_t spi)
{
	uint8_t b[12] = {IKE_PROTO_ESP, 4, 0, 1};
	ike_put32(b + 4, spi);
	conf_craft_sk_chain_add(ch, IKE_PL_DELETE, b, 8);
}

static void init_msg(struct conf_craft_ike *b, int resp, int frag)
{
	uint8_t body[600];
	conf_craft_ike_begin(b, SPI_I, resp ? SPI_R : ZERO8, 0x20, IKE_SA_INIT, resp ? IKE_FLAG_R : IKE_FLAG_I, 0);
	conf_craft_ike_add(b, IKE_PL_SA, body, conf_craft_sa_ike(body, sizeof body, IKE_KE_ECP256));
	conf_craft_ike_add(b, IKE_PL_KE, body, conf_craft_ke(body, sizeof body, IKE_KE_ECP256, 64));
	memset(body, resp ? 0x52 : 0x49, 32);
	conf_craft_ike_add(b, IKE_PL_NONCE, body, 32);
	if (frag)
		conf_craft_ike_add(b, IKE_PL_NOTIFY, body,
				   conf_craft_notify(body, sizeof body, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0));
	assert_true(conf_craft_ike_end(b) > 0);
}

static void build(struct sc *s, const struct opt *o)
{
	struct conf_craft_ike b;
	struct conf_craft_sk_chain ch;
	uint8_t m[4096];
	size_t n;
	/* IKE_SA_INIT */
	init_msg(&b, 0, o->frag);
	sc_ike(s, 1, b.buf, b.len);
	init_msg(&b, 1, o->frag);
	sc_ike(s, 0, b.buf, b.len);
	/* IKE_AUTH request */
	conf_craft_sk_chain_init(&ch);
	if (!o->auth_no_idi) {
		add_id(&ch, IKE_PL_IDI, "client.test");
		add_notify(&ch, IKE_N_INITIAL_CONTACT);
	}
	add_auth(&ch, 0x61);
	if (!o->auth_no_idi)
		add_sa_ts(&ch, SPI_I_IN, o->ks);
	if (o->frag) {
		uint8_t fr[8][CONF_CRAFT_SK_FRAG_MAX];
		size_t lens[8];
		int nf = conf_craft_sk_frags(fr, lens, 8, s->k, SPI_I, SPI_R, IKE_AUTH, IKE_FLAG_I, 1, &ch, 72, &s->rng);
		assert_true(nf >= 3);
		for (int f = 0; f < nf; f++)
			sc_ike(s, 1, fr[f], lens[f]);
	} else {
		n = conf_craft_sk_msg(m, sizeof m, s->k, SPI_I, SPI_R, IKE_AUTH, IKE_FLAG_I, 1, &ch, &s->rng, 0);
		sc_ike(s, 1, m, n);
	}
	/* IKE_AUTH response */
	conf_craft_sk_chain_init(&ch);
	add_id(&ch, IKE_PL_IDR, "gw.test");
	add_auth(&ch, 0x72);
	if (o->resp_extra_ke) {
		uint8_t ke[80];
		conf_craft_sk_chain_add(&ch, IKE_PL_KE, ke, conf_craft_ke(ke, sizeof ke, IKE_KE_ECP256, 64));
	}
	if (!o->no_child)
		add_sa_ts(&ch, SPI_R_IN, o->ks);
	n = conf_craft_sk_msg(m, sizeof m, s->k, SPI_I, SPI_R, IKE_AUTH, IKE_FLAG_R, 1, &ch, &s->rng,
			      o->resp_bad_pad ? CONF_CRAFT_SK_BAD_PAD : 0);
	sc_ike(s, 0, m, n);
	/* ESP both ways */
	for (int k = 0; k < 2; k++) {
		sc_esp(s, 1, o->esp_outside_ts && k ? CONF_IP(10, 9, 9, 9) : VIP, NET, o->esp_bad_inner && k);
		sc_esp(s, 0, NET, VIP, 0);
	}
	if (o->esp_unannounced) {
		uint8_t e[100], pkt[200];
		size_t en = conf_craft_esp(e, sizeof e, 0xc0000099u, 1, 80);
		sc_ip(s, pkt, conf_craft_ipv4(pkt, sizeof pkt, I_IP, R_IP, 50, s->id++, 0, e, en));
	}
	if (o->esp_bad_pad) {
		uint8_t inner[200], e[400], pkt[500], iv[16], pad[16] = {0};
		struct conf_esp_key k;
		esp_key(&k, o->ks, SPI_R_IN);
		fill(iv, sizeof iv, 0x33);
		size_t in = inner_icmp(inner, sizeof inner, VIP, NET, 0);
		/* 84 + 10 + 2 = 96: a multiple of the AES block, padding 0 x 10 instead of 1..10 */
		size_t en = conf_craft_sk_esp_pad(e, sizeof e, &k, SPI_R_IN, 3, iv, inner, in, ESP_NH_IPV4, pad,
						  o->ks == K_GCM ? 2 : 10);
		assert_true(en > 0);
		sc_ip(s, pkt, conf_craft_ipv4(pkt, sizeof pkt, I_IP, R_IP, 50, s->id++, 0, e, en));
	}
	/* INFORMATIONAL: delete the Child SA */
	conf_craft_sk_chain_init(&ch);
	if (o->info_bad_chain) {
		static const uint8_t bad[] = {0, 0, 0, 40, IKE_PROTO_ESP, 4, 0, 1, 0xc1, 0, 0, 1}; /* Length 40 > 12 */
		ch.first = IKE_PL_DELETE;
		conf_craft_sk_chain_raw(&ch, bad, sizeof bad);
	} else {
		add_delete(&ch, SPI_I_IN);
		if (o->ic_late)
			add_notify(&ch, IKE_N_INITIAL_CONTACT);
	}
	n = conf_craft_sk_msg(m, sizeof m, s->k, SPI_I, SPI_R, IKE_INFORMATIONAL, IKE_FLAG_I, 2, &ch, &s->rng, 0);
	sc_ike(s, 1, m, n);
	conf_craft_sk_chain_init(&ch);
	add_delete(&ch, SPI_R_IN);
	n = conf_craft_sk_msg(m, sizeof m, s->k, SPI_I, SPI_R, IKE_INFORMATIONAL, IKE_FLAG_R, 2, &ch, &s->rng, 0);
	sc_ike(s, 0, m, n);
	if (o->esp_after_delete) {
		s->t += 2 * SEC;
		sc_esp(s, 1, VIP, NET, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Scenarios: name, options, the key set the capture is judged with    */

struct scen {
	const char *name;
	struct opt o;
};

static const struct scen scens[] = {
	{"dec-ok", {.ks = K_CBC}},
	{"dec-gcm", {.ks = K_GCM}},
	{"dec-frag", {.ks = K_CBC, .frag = 1}},
	{"dec-auth-noidi", {.ks = K_CBC, .auth_no_idi = 1}},
	{"dec-auth-nochild", {.ks = K_CBC, .no_child = 1}},
	{"dec-payloads-ke", {.ks = K_CBC, .resp_extra_ke = 1}},
	{"dec-ic-late", {.ks = K_CBC, .ic_late = 1}},
	{"dec-sk-badpad", {.ks = K_CBC, .resp_bad_pad = 1}},
	{"dec-sk-badchain", {.ks = K_CBC, .info_bad_chain = 1}},
	{"dec-esp-unannounced", {.ks = K_CBC, .esp_unannounced = 1}},
	{"dec-esp-after-delete", {.ks = K_CBC, .esp_after_delete = 1}},
	{"dec-esp-badinner", {.ks = K_CBC, .esp_bad_inner = 1}},
	{"dec-esp-outside-ts", {.ks = K_CBC, .esp_outside_ts = 1}},
	{"dec-esp-badpad", {.ks = K_CBC, .esp_bad_pad = 1}},
};
#define NSCEN (sizeof scens / sizeof scens[0])

static const struct scen *scen_find(const char *name)
{
	for (size_t i = 0; i < NSCEN; i++)
		if (strcmp(scens[i].name, name) == 0)
			return &scens[i];
	fail_msg("no scenario %s", name);
	return NULL;
}

static struct conf_craft *craft(const struct scen *sc)
{
	struct sc s;
	sc_init(&s, sc->o.ks);
	build(&s, &sc->o);
	sc_done(&s);
	return s.w;
}

/* load decodes a scenario (ESP octets kept) and decrypts it with key set |ks| (K_NONE: no keys). */
static struct conf_capture *load(const char *name, enum keyset ks)
{
	struct conf_craft *w = craft(scen_find(name));
	uint8_t *buf;
	size_t len;
	char err[CONF_ERR_LEN];
	assert_int_equal(conf_craft_bytes(w, &buf, &len), 0);
	conf_craft_free(w);
	FILE *fp = fmemopen(buf, len, "rb");
	assert_non_null(fp);
	struct conf_capture_limits lim = {0};
	lim.keep_esp = 1;
	struct conf_capture *c = conf_capture_load_fp(fp, name, &lim, err, sizeof err);
	if (!c)
		fail_msg("%s: %s", name, err);
	free(buf);
	if (ks != K_NONE) {
		char text[4096];
		conf_test_decrypt(c, text, keys_uat(text, sizeof text, ks));
	}
	return c;
}

/* ------------------------------------------------------------------ */
/* Rule table: capture, keys, rule, expected verdict                   */

static const struct row {
	const char *name;
	enum keyset ks;
	const char *rule;
	enum conf_verdict want;
	const char *why;        /* a phrase the explanation must contain, or NULL */
} rows[] = {
	/*  1 */ {"dec-ok", K_CBC, "ikev2-payloads", CONF_PASS, "(4 decrypted)"},
	/*  2 */ {"dec-payloads-ke", K_CBC, "ikev2-payloads", CONF_FAIL, "IKE_AUTH response: KE not allowed"},
	/*  3 */ {"dec-payloads-ke", K_NONE, "ikev2-payloads", CONF_PASS, "no --keys"},
	/*  4 */ {"dec-ok", K_CBC, "ikev2-auth-payloads", CONF_PASS, NULL},
	/*  5 */ {"dec-auth-noidi", K_CBC, "ikev2-auth-payloads", CONF_FAIL, "without IDi"},
	/*  6 */ {"dec-auth-noidi", K_CBC, "ikev2-payloads", CONF_PASS, NULL}, /* {AUTH} is a row (after EAP) */
	/*  7 */ {"dec-auth-nochild", K_CBC, "ikev2-auth-payloads", CONF_FAIL, "neither SAr2"},
	/*  8 */ {"dec-ok", K_NONE, "ikev2-auth-payloads", CONF_NA, "--keys"},
	/*  9 */ {"dec-ok", K_CBC, "ikev2-initial-contact", CONF_PASS, "1 INITIAL_CONTACT"},
	/* 10 */ {"dec-ic-late", K_CBC, "ikev2-initial-contact", CONF_FAIL, "INITIAL_CONTACT in INFORMATIONAL request"},
	/* 11 */ {"dec-ic-late", K_NONE, "ikev2-initial-contact", CONF_NA, NULL},
	/* 12 */ {"dec-ok", K_CBC, "ikev2-sk-content", CONF_PASS, NULL},
	/* 13 */ {"dec-frag", K_CBC, "ikev2-sk-content", CONF_PASS, "1 from fragments"},
	/* 14 */ {"dec-sk-badpad", K_CBC, "ikev2-sk-content", CONF_FAIL, "Pad Length"},
	/* 15 */ {"dec-sk-badchain", K_CBC, "ikev2-sk-content", CONF_FAIL, "inner payloads malformed"},
	/* 16 */ {"dec-ok", K_WRONG, "ikev2-sk-content", CONF_NA, NULL},
	/* 17 */ {"dec-ok", K_CBC, "esp-spi-negotiated", CONF_PASS, NULL},
	/* 18 */ {"dec-esp-unannounced", K_CBC, "esp-spi-negotiated", CONF_FAIL, "0xc0000099"},
	/* 19 */ {"dec-ok", K_NONE, "esp-spi-negotiated", CONF_NA, NULL},
	/* 20 */ {"dec-ok", K_CBC, "esp-after-delete", CONF_PASS, "2 ESP SPIs deleted"},
	/* 21 */ {"dec-esp-after-delete", K_CBC, "esp-after-delete", CONF_FAIL, "SPI 0xc0000001 after"},
	/* 22 */ {"dec-ok", K_CBC, "esp-inner-ipv4", CONF_PASS, "4 decrypted"},
	/* 23 */ {"dec-gcm", K_GCM, "esp-inner-ipv4", CONF_PASS, "4 decrypted"},
	/* 24 */ {"dec-esp-badinner", K_CBC, "esp-inner-ipv4", CONF_FAIL, "checksum"},
	/* 25 */ {"dec-ok", K_WRONG, "esp-inner-ipv4", CONF_NA, NULL},
	/* 26 */ {"dec-ok", K_CBC, "esp-inner-ts", CONF_PASS, "4 decrypted"},
	/* 27 */ {"dec-esp-outside-ts", K_CBC, "esp-inner-ts", CONF_FAIL, "10.9.9.9 -> 10.2.0.1"},
	/* 28 */ {"dec-ok", K_CBC, "esp-padding", CONF_PASS, NULL},
	/* 29 */ {"dec-esp-badpad", K_CBC, "esp-padding", CONF_FAIL, "padding"},
	/* 30 */ {"dec-ok", K_NONE, "esp-padding", CONF_NA, "--keys"},
	/* 31 */ {"dec-frag", K_CBC, "ikev2-payloads", CONF_PASS, NULL},
	/* 32 */ {"dec-gcm", K_GCM, "ikev2-auth-payloads", CONF_PASS, NULL},
};
#define NROWS (sizeof rows / sizeof rows[0])

static void test_rule_table(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < NROWS; i++) {
		struct conf_capture *c = load(rows[i].name, rows[i].ks);
		struct conf_result r;
		conf_test_rule(c, rows[i].rule, NULL, &r);
		if (r.verdict != rows[i].want || (rows[i].why && !strstr(r.why, rows[i].why))) {
			print_error("row %zu (%s on %s, keys %d): %s, expected %s%s%s: %s\n", i + 1, rows[i].rule,
				    rows[i].name, rows[i].ks, conf_verdict_name(r.verdict), conf_verdict_name(rows[i].want),
				    rows[i].why ? " with " : "", rows[i].why ? rows[i].why : "", r.why);
			bad++;
		}
		if (r.verdict == CONF_FAIL && r.n_ev == 0) {
			print_error("row %zu: failure without evidence\n", i + 1);
			bad++;
		}
		conf_capture_free(c);
	}
	assert_int_equal(bad, 0);
}

static int has_row(const char *id, enum conf_verdict want)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].rule, id) == 0 && rows[i].want == want)
			return 1;
	return 0;
}

/* Every rule of the "keys" set has a passing and a failing row here (the others: test_conf_rules). */
static void test_every_keys_rule_has_pass_and_fail(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct conf_rule *const *r = conf_rules(); *r; r++)
		n += ((*r)->sets & CONF_SET_KEYS) != 0;
	assert_true(n >= 9);
	assert_int_equal(conf_test_every_rule_covered(has_row, CONF_SET_KEYS, 0), 0);
}

/* The clean captures pass every MUST rule with their keys (no false alarms across rules). */
static void test_clean_pass_all_musts(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum keyset ks;
	} clean[] = {{"dec-ok", K_CBC}, {"dec-gcm", K_GCM}, {"dec-frag", K_CBC}, {"dec-ok", K_WRONG}, {"dec-ok", K_NONE}};
	int bad = 0;
	for (size_t k = 0; k < sizeof clean / sizeof clean[0]; k++) {
		struct conf_capture *c = load(clean[k].name, clean[k].ks);
		for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
			struct conf_result res;
			conf_test_rule(c, (*r)->id, NULL, &res);
			if (res.verdict == CONF_FAIL && (*r)->force == CONF_MUST) {
				print_error("%s (keys %d): %s fails: %s\n", clean[k].name, clean[k].ks, (*r)->id, res.why);
				bad++;
			}
		}
		conf_capture_free(c);
	}
	assert_int_equal(bad, 0);
}

/* What was decrypted: every SK message, the fragments joined, every ESP packet. */
static void test_decrypt_counts(void **state)
{
	(void)state;
	struct conf_capture *c = load("dec-ok", K_CBC);
	const struct conf_dec *d = c->dec;
	assert_non_null(d);
	assert_int_equal(d->st.ike_enc, 4);
	assert_int_equal(d->st.ike_ok, 4);
	assert_int_equal(d->n_whole, 4);
	assert_int_equal(d->st.esp, 4);
	assert_int_equal(d->st.esp_ok, 4);
	assert_int_equal(d->ike_keys_used, 1);
	assert_int_equal(d->esp_keys_used, 2);
	assert_non_null(strstr(d->whole[0].summary, "IKE_AUTH request mid 1 [IDi N(INITIAL_CONTACT) AUTH SA TSi TSr]"));
	assert_non_null(strstr(d->whole[3].summary, "INFORMATIONAL response mid 2 [D]"));
	assert_int_equal(d->esp[0].err, ESP_OK);
	assert_int_equal(d->esp[0].inner_len, 84);
	conf_capture_free(c);

	c = load("dec-frag", K_CBC);
	d = c->dec;
	assert_true(d->st.ike_enc >= 6);
	assert_int_equal(d->st.ike_ok, d->st.ike_enc);
	assert_int_equal(d->st.frag_sets, 1);
	assert_int_equal(d->n_whole, 4);
	const struct conf_dec_whole *fw = NULL;
	for (uint32_t i = 0; i < d->n_whole; i++)
		if (d->whole[i].n_frags)
			fw = &d->whole[i];
	assert_non_null(fw);
	assert_true(fw->n_frags >= 3);
	assert_int_equal(fw->first_frame, 3);
	assert_int_equal(fw->frame, 2 + fw->n_frags);
	assert_non_null(strstr(fw->summary, "IKE_AUTH request mid 1 [IDi N(INITIAL_CONTACT) AUTH SA TSi TSr]"));
	conf_capture_free(c);
}

/* Wrong keys: a note per message and packet, nothing decrypted, nothing crashes. */
static void test_wrong_keys(void **state)
{
	(void)state;
	struct conf_capture *c = load("dec-frag", K_WRONG);
	const struct conf_dec *d = c->dec;
	assert_int_equal(d->st.ike_ok, 0);
	assert_int_equal(d->st.ike_icv, d->st.ike_enc);
	assert_int_equal(d->n_whole, 0);
	assert_int_equal(d->st.esp_icv, 4);
	for (uint32_t i = 0; i < c->n_msg; i++)
		if (d->msg[i].st != CONF_DEC_NONE)
			assert_non_null(strstr(d->msg[i].note, "ICV mismatch with the given keys"));
	for (uint32_t i = 0; i < c->n_esp; i++)
		assert_non_null(strstr(d->esp[i].note, "ICV mismatch with the given keys"));
	conf_capture_free(c);
}

/* The same keys in every format decrypt the same. */
static void test_key_formats_agree(void **state)
{
	(void)state;
	char text[8192];
	for (int f = 0; f < 3; f++) {
		struct conf_capture *c = load("dec-ok", K_NONE);
		size_t n = 0;
		if (f == 0) {
			n = keys_uat(text, sizeof text, K_CBC);
		} else if (f == 1) {
			n = keys_events(text, sizeof text, K_CBC);
		} else {
			n = keys_uat_ws(text, sizeof text, K_CBC, 1);
		}
		conf_test_decrypt(c, text, n);
		assert_int_equal(c->dec->n_ike_keys, 1);
		assert_int_equal(c->dec->n_esp_keys, 2);
		assert_int_equal(c->dec->st.ike_ok, 4);
		assert_int_equal(c->dec->st.esp_ok, 4);
		conf_capture_free(c);
	}
}

/* GCM events (AEAD: no integrity keys, salt in the key) decrypt too. */
static void test_gcm_events(void **state)
{
	(void)state;
	char text[8192];
	struct conf_capture *c = load("dec-gcm", K_NONE);
	conf_test_decrypt(c, text, keys_events(text, sizeof text, K_GCM));
	assert_int_equal(c->dec->st.ike_ok, 4);
	assert_int_equal(c->dec->st.esp_ok, 4);
	conf_capture_free(c);
}

/* Without conf_capture_limits.keep_esp the ESP octets are gone: a note, no crash. */
static void test_esp_not_kept(void **state)
{
	(void)state;
	struct conf_craft *w = craft(scen_find("dec-ok"));
	char err[CONF_ERR_LEN], text[4096];
	struct conf_capture *c = conf_craft_decode(w, err, sizeof err);
	conf_craft_free(w);
	assert_non_null(c);
	conf_test_decrypt(c, text, keys_uat(text, sizeof text, K_CBC));
	assert_int_equal(c->dec->st.ike_ok, 4);
	assert_int_equal(c->dec->st.esp_skip, 4);
	assert_non_null(strstr(c->dec->esp[0].note, "not kept"));
	conf_capture_free(c);
}

/* A capture cut by the snap length: the cut SK message is "not decryptable", the rest decrypts. */
static void test_truncated_capture(void **state)
{
	(void)state;
	struct sc s;
	const struct opt o = {.ks = K_CBC};
	sc_init(&s, K_CBC);
	conf_craft_snaplen(s.w, 200);
	build(&s, &o);
	sc_done(&s);
	uint8_t *buf;
	size_t len;
	char err[CONF_ERR_LEN], text[4096];
	assert_int_equal(conf_craft_bytes(s.w, &buf, &len), 0);
	conf_craft_free(s.w);
	FILE *fp = fmemopen(buf, len, "rb");
	struct conf_capture_limits lim = {0};
	lim.keep_esp = 1;
	struct conf_capture *c = conf_capture_load_fp(fp, "cut", &lim, err, sizeof err);
	assert_non_null(c);
	conf_test_decrypt(c, text, keys_uat(text, sizeof text, K_CBC));
	assert_true(c->dec->st.ike_skip >= 2); /* both IKE_AUTH messages exceed 200 octets */
	assert_int_equal(c->dec->st.ike_ok, 2); /* the INFORMATIONALs fit */
	for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
		struct conf_result res;
		conf_test_rule(c, (*r)->id, NULL, &res);
	}
	conf_capture_free(c);
	free(buf);
}

/*
 * Real strongSwan traffic (tests/data/pcaps/swan-*: strongSwan 5.9.8 made
 * by tests/interop/make-captures.sh with VL_KEEP=1; the keys are the
 * client's charon log at ike=4/chd=4 of that run, test-only): the charon
 * log decrypts everything, SKF fragments included.
 */
static void test_swan_charon_log(void **state)
{
	(void)state;
	static const struct {
		const char *pcap, *log;
		uint32_t ike, frag_sets, esp;
	} t[] = {
		{"tests/data/pcaps/swan-psk-natt.outside.pcap", "tests/data/pcaps/swan-psk-natt.charon.log", 4, 0, 6},
		{"tests/data/pcaps/swan-ikefrag.outside.pcap", "tests/data/pcaps/swan-ikefrag.charon.log", 8, 2, 6},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char err[CONF_ERR_LEN];
		struct conf_capture_limits lim = {0};
		lim.keep_esp = 1;
		struct conf_capture *c = conf_capture_load(t[i].pcap, &lim, err, sizeof err);
		if (!c)
			fail_msg("%s", err);
		struct conf_keys k;
		conf_keys_init(&k, NULL);
		if (conf_keys_load(&k, t[i].log, err, sizeof err) < 0)
			fail_msg("%s", err);
		assert_int_equal(k.n_ike, 1);
		assert_int_equal(k.ike[0].have_spi, 0); /* charon logs no IKE SPIs: bound by trial */
		assert_int_equal(k.n_esp, 2);
		assert_int_equal(conf_dec_run(c, &k, err, sizeof err), 0);
		assert_int_equal(c->dec->st.ike_enc, t[i].ike);
		assert_int_equal(c->dec->st.ike_ok, t[i].ike);
		assert_int_equal(c->dec->st.frag_sets, t[i].frag_sets);
		assert_int_equal(c->dec->st.esp_ok, t[i].esp);
		conf_keys_free(&k);
		conf_capture_free(c);
	}
}

/* The committed captures and key files equal what the builders produce. */
static void test_committed_files_current(void **state)
{
	(void)state;
	const char *dir = getenv("VPNLAB_WRITE_PCAPS");
	int bad = 0;
	for (size_t i = 0; i < NSCEN + 3; i++) {
		uint8_t *b = NULL;
		size_t n = 0;
		char path[512], text[8192];
		if (i < NSCEN) {
			struct conf_craft *w = craft(&scens[i]);
			assert_int_equal(conf_craft_bytes(w, &b, &n), 0);
			conf_craft_free(w);
			snprintf(path, sizeof path, "%s/%s.pcap", dir ? dir : "tests/data/pcaps", scens[i].name);
		} else {
			static const char *const names[] = {"dec.keys", "dec-wrong.keys", "dec-gcm.jsonl"};
			const char *nm = names[i - NSCEN];
			n = i == NSCEN ? keys_uat(text, sizeof text, K_CBC)
				       : i == NSCEN + 1 ? keys_uat(text, sizeof text, K_WRONG)
							: keys_events(text, sizeof text, K_GCM);
			b = malloc(n);
			memcpy(b, text, n);
			snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data/pcaps", nm);
		}
		if (dir) {
			FILE *f = fopen(path, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(b, 1, n, f), n);
			fclose(f);
		} else {
			FILE *f = fopen(path, "rb");
			uint8_t *old = malloc(n + 1);
			size_t got = f ? fread(old, 1, n + 1, f) : 0;
			if (f)
				fclose(f);
			if (!f || got != n || memcmp(old, b, n) != 0) {
				print_error("%s %s (regenerate: VPNLAB_WRITE_PCAPS=tests/data/pcaps)\n", f ? "stale" : "missing",
					    path);
				bad++;
			}
			free(old);
		}
		free(b);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_every_keys_rule_has_pass_and_fail),
		cmocka_unit_test(test_clean_pass_all_musts),
		cmocka_unit_test(test_decrypt_counts),
		cmocka_unit_test(test_wrong_keys),
		cmocka_unit_test(test_key_formats_agree),
		cmocka_unit_test(test_gcm_events),
		cmocka_unit_test(test_esp_not_kept),
		cmocka_unit_test(test_truncated_capture),
		cmocka_unit_test(test_swan_charon_log),
		cmocka_unit_test(test_committed_files_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
