/*
 * test_conf_rules.c — every conformance rule against crafted captures: one
 * that passes and one that fails (and, where the rule has conditions, one
 * where it does not apply). The captures are built here with conf_craft
 * from RFC message flows, e.g.
 *
 *   Initiator (192.0.2.10, behind NAT: hashes over 10.0.0.2)   Responder
 *   HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*)  -->  (UDP 500)
 *                                          <--  HDR, SAr1, KEr, Nr, N(NAT_DETECTION_*)
 *   HDR, SK {...}                          -->  (UDP 4500, non-ESP marker)
 *                                          <--  HDR, SK {...}
 *   ESP-in-UDP, NAT-keepalives             -->
 *
 * With VPNLAB_WRITE_PCAPS=DIR set, every scenario is also written to
 * DIR/<name>.pcap (how tests/data/pcaps/ was produced; the CLI tests read
 * those files). test_committed_pcaps_current checks that the committed
 * files still equal what the builders produce.
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
#include "conformance/conf_ikesa.h"
#include "conformance/conf_natd.h"
#include "conformance/conf_rule.h"
#include "conformance/ikev1_const.h"
#include "ref/ike/ike_const.h"
#include "tests/unit/test_conf_util.h"

#define I_IP CONF_IP(192, 0, 2, 10)   /* initiator as seen (NAT outside) */
#define I_PRIV CONF_IP(10, 0, 0, 2)   /* initiator's own address behind the NAT */
#define R_IP CONF_IP(198, 51, 100, 1) /* responder */
#define ROUTER CONF_IP(203, 0, 113, 1)
#define SEC 1000000000ull
#define MS 1000000ull

static const uint8_t SPI_I[8] = {0x6a, 0x1b, 0x22, 0x93, 0x04, 0xa5, 0x36, 0xc7};
static const uint8_t SPI_R[8] = {0xd8, 0x29, 0xfa, 0x4b, 0x1c, 0x6d, 0x2e, 0x8f};
static const uint8_t ZERO8[8];

/* ------------------------------------------------------------------ */
/* Scenario builder                                                    */

struct sc {
	struct conf_craft *w;
	uint64_t t;
	uint16_t id;
};

static void sc_init(struct sc *s)
{
	s->w = conf_craft_new(1);
	assert_non_null(s->w);
	s->t = 1700000000ull * SEC;
	s->id = 0x100;
}

static void sc_ip(struct sc *s, const uint8_t *p, size_t n)
{
	assert_int_equal(conf_craft_add_ip(s->w, s->t, p, n), 0);
	s->t += 10 * MS;
}

static void sc_udp_df(struct sc *s, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp, const uint8_t *p,
		      size_t n, int df)
{
	uint8_t pkt[70000];
	size_t len = conf_craft_udp(pkt, sizeof pkt, src, sp, dst, dp, s->id++, df, p, n);
	assert_true(len > 0);
	sc_ip(s, pkt, len);
}

static void sc_udp(struct sc *s, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp, const uint8_t *p, size_t n)
{
	sc_udp_df(s, src, sp, dst, dp, p, n, 0);
}

/* sc_ike sends message |b| over UDP; with |marker| the four zero octets go first. */
static void sc_ike(struct sc *s, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp, const struct conf_craft_ike *b,
		   int marker)
{
	uint8_t p[9000];
	size_t off = marker ? 4 : 0;
	memset(p, 0, 4);
	assert_false(b->err);
	memcpy(p + off, b->buf, b->len);
	sc_udp(s, src, sp, dst, dp, p, off + b->len);
}

/* The usual endpoints: initiator I_IP:500/4500, responder R_IP:500/4500. */
static void to_r(struct sc *s, const struct conf_craft_ike *b, int natt)
{
	sc_ike(s, I_IP, natt ? 4500 : 500, R_IP, natt ? 4500 : 500, b, natt);
}

static void to_i(struct sc *s, const struct conf_craft_ike *b, int natt)
{
	sc_ike(s, R_IP, natt ? 4500 : 500, I_IP, natt ? 4500 : 500, b, natt);
}

static void sc_esp(struct sc *s, uint32_t src, uint32_t dst, int udp, uint32_t spi, uint32_t seq)
{
	uint8_t e[200], pkt[300];
	size_t n = conf_craft_esp(e, sizeof e, spi, seq, 64);
	if (udp) {
		sc_udp(s, src, 4500, dst, 4500, e, n);
		return;
	}
	size_t len = conf_craft_ipv4(pkt, sizeof pkt, src, dst, 50, s->id++, 0, e, n);
	sc_ip(s, pkt, len);
}

static void sc_keepalive(struct sc *s, uint8_t v)
{
	sc_udp(s, I_IP, 4500, R_IP, 4500, &v, 1);
}

/* ---- IKEv2 messages ---- */

struct init_opt {
	int natd;               /* add NAT_DETECTION_* */
	int nat;                /* the initiator computes its SOURCE hash over I_PRIV (NAT) */
	int fragsup;
	uint16_t group;         /* 0 = 19 */
	int ke_len;             /* 0 = right length */
	int nonce_len;          /* 0 = 32 */
	uint8_t version;        /* 0 = 0x20 */
	int natd_len;           /* 0 = 20 */
	int swap;               /* SOURCE/DESTINATION hashes swapped */
	const uint8_t *cookie;  /* N(COOKIE) */
	size_t cookie_len;
	int cookie_second;      /* cookie after SA instead of first */
	const uint8_t *spi_r;   /* request: non-zero SPIr (a violation) */
};

static void add_natd(struct conf_craft_ike *b, const uint8_t *spi_i, const uint8_t *spi_r, uint32_t src,
		     uint16_t sp, uint32_t dst, uint16_t dp, const struct init_opt *o)
{
	uint8_t h[20], body[64];
	int len = o->natd_len ? o->natd_len : 20;
	conf_natd_hash(spi_i, spi_r, o->swap ? dst : src, o->swap ? dp : sp, h);
	size_t n = conf_craft_notify(body, sizeof body, IKE_N_NAT_DETECTION_SOURCE_IP, h, (size_t)len);
	conf_craft_ike_add(b, IKE_PL_NOTIFY, body, n);
	conf_natd_hash(spi_i, spi_r, o->swap ? src : dst, o->swap ? sp : dp, h);
	n = conf_craft_notify(body, sizeof body, IKE_N_NAT_DETECTION_DESTINATION_IP, h, (size_t)len);
	conf_craft_ike_add(b, IKE_PL_NOTIFY, body, n);
}

static void add_sa_ke_nonce(struct conf_craft_ike *b, const struct init_opt *o)
{
	uint8_t body[2048];
	uint16_t g = o->group ? o->group : IKE_KE_ECP256;
	size_t n = conf_craft_sa_ike(body, sizeof body, g);
	assert_true(n > 0);
	conf_craft_ike_add(b, IKE_PL_SA, body, n);
	int kl = o->ke_len ? o->ke_len : (g == IKE_KE_ECP256 ? 64 : g == IKE_KE_MODP2048 ? 256 : 32);
	n = conf_craft_ke(body, sizeof body, g, (size_t)kl);
	conf_craft_ike_add(b, IKE_PL_KE, body, n);
	int nl = o->nonce_len ? o->nonce_len : 32;
	memset(body, 0x4e, (size_t)nl);
	conf_craft_ike_add(b, IKE_PL_NONCE, body, (size_t)nl);
}

static void init_req(struct conf_craft_ike *b, const struct init_opt *o)
{
	conf_craft_ike_begin(b, SPI_I, o->spi_r ? o->spi_r : ZERO8, o->version ? o->version : 0x20, IKE_SA_INIT,
			     IKE_FLAG_I, 0);
	uint8_t body[300];
	if (o->cookie && !o->cookie_second) {
		size_t n = conf_craft_notify(body, sizeof body, IKE_N_COOKIE, o->cookie, o->cookie_len);
		conf_craft_ike_add(b, IKE_PL_NOTIFY, body, n);
	}
	add_sa_ke_nonce(b, o);
	if (o->cookie && o->cookie_second) {
		size_t n = conf_craft_notify(body, sizeof body, IKE_N_COOKIE, o->cookie, o->cookie_len);
		conf_craft_ike_add(b, IKE_PL_NOTIFY, body, n);
	}
	if (o->natd)
		add_natd(b, SPI_I, o->spi_r ? o->spi_r : ZERO8, o->nat ? I_PRIV : I_IP, 500, R_IP, 500, o);
	if (o->fragsup)
		conf_craft_ike_add(b, IKE_PL_NOTIFY, body,
				   conf_craft_notify(body, sizeof body, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0));
	conf_craft_ike_end(b);
}

static void init_resp(struct conf_craft_ike *b, const struct init_opt *o)
{
	conf_craft_ike_begin(b, SPI_I, SPI_R, o->version ? o->version : 0x20, IKE_SA_INIT, IKE_FLAG_R, 0);
	add_sa_ke_nonce(b, o);
	if (o->natd)
		add_natd(b, SPI_I, SPI_R, R_IP, 500, I_IP, 500, o);
	uint8_t body[16];
	if (o->fragsup)
		conf_craft_ike_add(b, IKE_PL_NOTIFY, body,
				   conf_craft_notify(body, sizeof body, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0));
	conf_craft_ike_end(b);
}

/* sk_msg: an encrypted message (its "ciphertext" is a pattern seeded by |seed|). */
static void sk_msg(struct conf_craft_ike *b, uint8_t exch, uint8_t flags, uint32_t mid, size_t len, uint8_t seed)
{
	uint8_t body[4096];
	conf_craft_ike_begin(b, SPI_I, SPI_R, 0x20, exch, flags, mid);
	for (size_t i = 0; i < len; i++)
		body[i] = (uint8_t)(seed + i * 3);
	conf_craft_ike_add(b, IKE_PL_SK, body, len);
	conf_craft_ike_last_np(b, IKE_PL_IDI);
	conf_craft_ike_end(b);
}

static void skf_msg(struct conf_craft_ike *b, uint8_t exch, uint8_t flags, uint32_t mid, uint16_t num,
		    uint16_t total, size_t len)
{
	uint8_t body[4096];
	conf_craft_ike_begin(b, SPI_I, SPI_R, 0x20, exch, flags, mid);
	size_t n = conf_craft_skf(body, sizeof body, num, total, len);
	conf_craft_ike_add(b, IKE_PL_SKF, body, n);
	conf_craft_ike_last_np(b, num == 1 ? IKE_PL_IDI : 0);
	conf_craft_ike_end(b);
}

/* v2_setup: IKE_SA_INIT (with NAT detection) and IKE_AUTH, over 4500 when |natt|. */
static void v2_setup(struct sc *s, int nat, int natt)
{
	struct conf_craft_ike b;
	struct init_opt o = {.natd = 1, .nat = nat};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 300, 1);
	to_r(s, &b, natt);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_R, 1, 250, 2);
	to_i(s, &b, natt);
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                           */

/* natt_ok: NAT in front of the initiator; IKE floats; ESP-in-UDP; keepalives every 20 s. */
static void sc_natt_ok(struct sc *s)
{
	v2_setup(s, 1, 1);
	for (uint32_t q = 1; q <= 3; q++) {
		sc_esp(s, I_IP, R_IP, 1, 0xc0000001, q);
		sc_esp(s, R_IP, I_IP, 1, 0xc1000001, q);
	}
	for (int k = 0; k < 3; k++) {
		s->t += 20 * SEC;
		sc_keepalive(s, 0xff);
	}
	struct conf_craft_ike b;
	sk_msg(&b, IKE_INFORMATIONAL, IKE_FLAG_I, 2, 80, 3);
	to_r(s, &b, 1);
	sk_msg(&b, IKE_INFORMATIONAL, IKE_FLAG_R, 2, 80, 4);
	to_i(s, &b, 1);
}

/* nonat_ok: no NAT; IKE stays on 500; ESP is protocol 50 and starts at 1. */
static void sc_nonat_ok(struct sc *s)
{
	v2_setup(s, 0, 0);
	for (uint32_t q = 1; q <= 3; q++) {
		sc_esp(s, I_IP, R_IP, 0, 0xc0000001, q);
		sc_esp(s, R_IP, I_IP, 0, 0xc1000001, q);
	}
}

static void sc_float_missing(struct sc *s)
{
	v2_setup(s, 1, 0); /* NAT detected, IKE_AUTH still on 500 */
}

static void sc_esp_not_encap(struct sc *s)
{
	v2_setup(s, 1, 1);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 1);
}

static void sc_esp_wrong_port(struct sc *s)
{
	v2_setup(s, 1, 1);
	uint8_t e[100];
	size_t n = conf_craft_esp(e, sizeof e, 0xc0000001, 1, 40);
	sc_udp(s, I_IP, 4501, R_IP, 4500, e, n);
}

static void sc_marker_missing(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.natd = 1, .nat = 1};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 300, 1);
	sc_ike(s, I_IP, 4500, R_IP, 4500, &b, 0); /* no marker */
}

static void sc_natd_badlen(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.natd = 1, .natd_len = 16};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_natd_swapped(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.natd = 1};
	init_req(&b, &o);
	to_r(s, &b, 0);
	o.swap = 1;
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_keepalive_bad(struct sc *s)
{
	v2_setup(s, 1, 1);
	sc_keepalive(s, 0xff);
	sc_keepalive(s, 0x00);
}

static void sc_keepalive_gap(struct sc *s)
{
	v2_setup(s, 1, 1);
	sc_keepalive(s, 0xff);
	s->t += 45 * SEC;
	sc_keepalive(s, 0xff);
}

static void sc_zero_spi_udp(struct sc *s)
{
	v2_setup(s, 1, 1);
	uint8_t p[40] = {0};
	for (int i = 4; i < 40; i++)
		p[i] = (uint8_t)i;
	p[4] = 0x00; /* "sequence" 0x0005.. : not an IKE header (version octet 0x15) */
	sc_udp(s, I_IP, 4500, R_IP, 4500, p, 24);
}

static void sc_esp_seq_repeat(struct sc *s)
{
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 1);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 2);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 2);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 3);
}

static void sc_esp_seq_ok(struct sc *s)
{
	for (uint32_t q = 1; q <= 4; q++)
		sc_esp(s, I_IP, R_IP, 0, 0xc0000001, q);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000002, 7); /* another SA */
}

static void sc_esp_spi_zero(struct sc *s)
{
	sc_esp(s, I_IP, R_IP, 0, 0, 1);
}

static void sc_esp_first_5(struct sc *s)
{
	v2_setup(s, 0, 0);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 5);
	sc_esp(s, I_IP, R_IP, 0, 0xc0000001, 6);
}

/* ---- IKEv2 header and exchange ---- */

static void sc_v2_version(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.version = 0x21};
	init_req(&b, &o);
	to_r(s, &b, 0);
}

static void sc_length_bad(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	b.buf[27] += 4; /* Length claims 4 more octets than the datagram */
	to_r(s, &b, 0);
}

static void sc_spi_r_in_request(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.spi_r = SPI_R};
	init_req(&b, &o);
	to_r(s, &b, 0);
}

static void sc_iflag_wrong(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I | IKE_FLAG_R, 1, 100, 9); /* responder's response with I set */
	to_i(s, &b, 0);
}

static void sc_resp_addr_bad(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	sc_ike(s, R_IP, 4501, I_IP, 500, &b, 0); /* from another port than the request went to */
}

static void sc_msgid_skip(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 100, 1);
	to_r(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_R, 1, 100, 2);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_INFORMATIONAL, IKE_FLAG_I, 3, 60, 3); /* 2 skipped */
	to_r(s, &b, 0);
}

static void sc_rtx_ok(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 120, 1);
	to_r(s, &b, 0);
	s->t += 1 * SEC;
	to_r(s, &b, 0);
	s->t += 2 * SEC;
	to_r(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_R, 1, 100, 2);
	to_i(s, &b, 0);
}

static void sc_rtx_changed(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 120, 1);
	to_r(s, &b, 0);
	s->t += 1 * SEC;
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 120, 7); /* same Message ID, new ciphertext */
	to_r(s, &b, 0);
}

static void sc_rtx_flat(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	s->t += 1 * SEC;
	to_r(s, &b, 0);
	s->t += 1 * SEC;
	to_r(s, &b, 0);
	s->t += 1 * SEC;
	to_r(s, &b, 0);
}

static void sc_resp_unsolicited(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	s->t += 2 * SEC;
	to_i(s, &b, 0); /* again, without a retransmitted request */
}

static void sc_resp_changed(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	init_req(&b, &o);
	to_r(s, &b, 0);
	o.nonce_len = 40; /* a different response to the retransmission */
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_resp_rtx_ok(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
	s->t += 1 * SEC;
	init_req(&b, &o);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_nonce_short(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.nonce_len = 8};
	init_req(&b, &o);
	to_r(s, &b, 0);
}

static void sc_ke_short(struct sc *s)
{
	struct conf_craft_ike b;
	struct init_opt o = {.group = IKE_KE_ECP256, .ke_len = 32};
	init_req(&b, &o);
	to_r(s, &b, 0);
}

static void sc_sk_not_last(struct sc *s)
{
	struct conf_craft_ike b;
	uint8_t body[100], n[16];
	memset(body, 0x33, sizeof body);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x20, IKE_AUTH, IKE_FLAG_I, 1);
	conf_craft_ike_add(&b, IKE_PL_SK, body, sizeof body);
	conf_craft_ike_add(&b, IKE_PL_NOTIFY, n, conf_craft_notify(n, sizeof n, IKE_N_INITIAL_CONTACT, NULL, 0));
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

static const uint8_t COOKIE[16] = "cookie-0123456!";

static void cookie_common(struct sc *s, const uint8_t *echo, int second)
{
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	to_r(s, &b, 0);
	uint8_t body[64];
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x20, IKE_SA_INIT, IKE_FLAG_R, 0);
	conf_craft_ike_add(&b, IKE_PL_NOTIFY, body, conf_craft_notify(body, sizeof body, IKE_N_COOKIE, COOKIE, 16));
	conf_craft_ike_end(&b);
	to_i(s, &b, 0);
	struct init_opt r = {.cookie = echo, .cookie_len = 16, .cookie_second = second};
	init_req(&b, &r);
	to_r(s, &b, 0);
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_cookie_ok(struct sc *s)
{
	cookie_common(s, COOKIE, 0);
}

static void sc_cookie_not_first(struct sc *s)
{
	cookie_common(s, COOKIE, 1);
}

static void sc_cookie_changed(struct sc *s)
{
	static const uint8_t other[16] = "cookie-XXXXXXXX";
	cookie_common(s, other, 0);
}

static void invalid_ke_common(struct sc *s, uint16_t retry_group)
{
	struct conf_craft_ike b;
	struct init_opt o = {.group = IKE_KE_ECP256};
	init_req(&b, &o);
	to_r(s, &b, 0);
	uint8_t body[16], g[2] = {0, IKE_KE_MODP2048};
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x20, IKE_SA_INIT, IKE_FLAG_R, 0);
	conf_craft_ike_add(&b, IKE_PL_NOTIFY, body,
			   conf_craft_notify(body, sizeof body, IKE_N_INVALID_KE_PAYLOAD, g, 2));
	conf_craft_ike_end(&b);
	to_i(s, &b, 0);
	struct init_opt r = {.group = retry_group};
	init_req(&b, &r);
	to_r(s, &b, 0);
}

static void sc_invalid_ke_ok(struct sc *s)
{
	invalid_ke_common(s, IKE_KE_MODP2048);
}

static void sc_invalid_ke_ignored(struct sc *s)
{
	invalid_ke_common(s, IKE_KE_ECP256);
}

/* ---- fragmentation ---- */

static void frag_setup(struct sc *s, int req_sup, int resp_sup)
{
	struct conf_craft_ike b;
	struct init_opt o = {.fragsup = req_sup};
	init_req(&b, &o);
	to_r(s, &b, 0);
	o.fragsup = resp_sup;
	init_resp(&b, &o);
	to_i(s, &b, 0);
}

static void sc_ikefrag_ok(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	for (uint16_t f = 1; f <= 3; f++) {
		skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, f, 3, 400);
		to_r(s, &b, 0);
	}
	sk_msg(&b, IKE_AUTH, IKE_FLAG_R, 1, 200, 5);
	to_i(s, &b, 0);
}

static void sc_ikefrag_in_init(struct sc *s)
{
	struct conf_craft_ike b;
	uint8_t body[100];
	conf_craft_ike_begin(&b, SPI_I, ZERO8, 0x20, IKE_SA_INIT, IKE_FLAG_I, 0);
	conf_craft_ike_add(&b, IKE_PL_SKF, body, conf_craft_skf(body, sizeof body, 1, 2, 60));
	conf_craft_ike_last_np(&b, IKE_PL_SA);
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

static void sc_ikefrag_unnegotiated(struct sc *s)
{
	frag_setup(s, 1, 0);
	struct conf_craft_ike b;
	for (uint16_t f = 1; f <= 2; f++) {
		skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, f, 2, 300);
		to_r(s, &b, 0);
	}
}

static void sc_ikefrag_badnum(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 1, 2, 300);
	to_r(s, &b, 0);
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 3, 2, 300);
	to_r(s, &b, 0);
}

static void sc_ikefrag_np(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 1, 2, 300);
	to_r(s, &b, 0);
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 2, 2, 300);
	conf_craft_ike_last_np(&b, IKE_PL_CERT); /* must be 0 in fragment 2 */
	to_r(s, &b, 0);
}

static void sc_ikefrag_missing(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 1, 3, 300);
	to_r(s, &b, 0);
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 3, 3, 300);
	to_r(s, &b, 0);
}

static void sc_ikefrag_big(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 1, 2, 1000);
	to_r(s, &b, 0);
	skf_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 2, 2, 200);
	to_r(s, &b, 0);
}

/* an IKE message sent as IP fragments of at most |mtu| octets */
static void sc_ike_ipfrag(struct sc *s, const struct conf_craft_ike *b, size_t mtu)
{
	uint8_t pkt[9000], fr[8][CONF_CRAFT_FRAG_MAX];
	size_t lens[8];
	size_t n = conf_craft_udp(pkt, sizeof pkt, I_IP, 500, R_IP, 500, s->id++, 0, b->buf, b->len);
	int k = conf_craft_fragment(pkt, n, mtu, fr, lens, 8);
	assert_true(k > 1);
	for (int i = 0; i < k; i++)
		sc_ip(s, fr[i], lens[i]);
}

static void sc_ikefrag_ipfrag(struct sc *s)
{
	frag_setup(s, 1, 1);
	struct conf_craft_ike b;
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 2400, 1);
	sc_ike_ipfrag(s, &b, 1280);
}

static void sc_ipfrag_ok(struct sc *s)
{
	frag_setup(s, 0, 0);
	struct conf_craft_ike b;
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 2400, 1);
	sc_ike_ipfrag(s, &b, 1280);
	sk_msg(&b, IKE_AUTH, IKE_FLAG_R, 1, 100, 2);
	to_i(s, &b, 0);
}

/* ipfrag_lost: an IP-fragmented IKE_AUTH request sent three times (1 s, 2 s apart), never answered */
static void sc_ipfrag_lost(struct sc *s)
{
	frag_setup(s, 0, 0);
	struct conf_craft_ike b;
	sk_msg(&b, IKE_AUTH, IKE_FLAG_I, 1, 2400, 1);
	for (int k = 0; k < 3; k++) {
		sc_ike_ipfrag(s, &b, 1280);
		s->t += (uint64_t)(k + 1) * SEC;
	}
}

static void sc_ipfrag_overlap(struct sc *s)
{
	uint8_t payload[64], pkt[200], fr[4][CONF_CRAFT_FRAG_MAX];
	size_t lens[4];
	memset(payload, 0x11, sizeof payload);
	size_t n = conf_craft_udp(pkt, sizeof pkt, I_IP, 5000, R_IP, 5001, 0x4242, 0, payload, sizeof payload);
	int k = conf_craft_fragment(pkt, n, 20 + 48, fr, lens, 4); /* 48 + 24 payload octets */
	assert_int_equal(k, 2);
	sc_ip(s, fr[0], lens[0]);
	/* a second copy of the first fragment with other data: overlap, conflict */
	fr[0][30] ^= 0xff;
	fr[0][10] = fr[0][11] = 0;
	sc_ip(s, fr[0], lens[0]);
	sc_ip(s, fr[1], lens[1]);
}

/* ---- IKEv1 ---- */

/* v1_sa: phase-1 SA, one proposal, one transform: AES-128, |hash|, |auth|, group 14. */
static size_t v1_sa(uint8_t *out, uint16_t hash, uint16_t auth)
{
	static const uint8_t head[] = {0, 0, 0, 1, 0, 0, 0, 1}; /* DOI IPsec, SIT_IDENTITY_ONLY */
	uint8_t attrs[] = {0x80, 0x01, 0x00, 0x07, 0x80, 0x0e, 0x00, 0x80, 0x80, 0x02, 0x00, (uint8_t)hash,
			   0x80, 0x03, (uint8_t)(auth >> 8), (uint8_t)auth, 0x80, 0x04, 0x00, 0x0e};
	size_t tl = 8 + sizeof attrs, pl = 8 + tl, o = 0;
	memcpy(out, head, 8);
	o = 8;
	uint8_t prop[8] = {0, 0, (uint8_t)(pl >> 8), (uint8_t)pl, 1, 1, 0, 1};
	memcpy(out + o, prop, 8);
	o += 8;
	uint8_t tr[8] = {0, 0, (uint8_t)(tl >> 8), (uint8_t)tl, 1, 1, 0, 0};
	memcpy(out + o, tr, 8);
	o += 8;
	memcpy(out + o, attrs, sizeof attrs);
	return o + sizeof attrs;
}

static void v1_first(struct conf_craft_ike *b, uint8_t exch, uint16_t auth, uint8_t version)
{
	uint8_t body[300];
	memset(body, 0x4b, sizeof body);
	conf_craft_ike_begin(b, SPI_I, ZERO8, version, exch, 0, 0);
	conf_craft_ike_add(b, IKEV1_PL_SA, body, v1_sa(body, CONF_IKEV1_HASH_SHA1, auth));
	if (exch == IKEV1_EXCH_AGGRESSIVE) {
		conf_craft_ike_add(b, IKEV1_PL_KE, body, 256);
		memset(body, 0x55, 24);
		conf_craft_ike_add(b, IKEV1_PL_NONCE, body, 24);
		uint8_t id[] = {CONF_IKEV1_ID_USER_FQDN, 17, 1, 244, 'v', 'p', 'n', '@', 'e', 'x', '.', 'o', 'r', 'g'};
		conf_craft_ike_add(b, IKEV1_PL_ID, id, sizeof id);
	}
	static const uint8_t vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
	conf_craft_ike_add(b, IKEV1_PL_VID, vid, 16);
	conf_craft_ike_end(b);
}

static void sc_v1_main_ok(struct sc *s)
{
	struct conf_craft_ike b;
	v1_first(&b, IKEV1_EXCH_MAIN, CONF_IKEV1_AUTH_PSK, 0x10);
	to_r(s, &b, 0);
	/* message 5: HDR*, IDii, HASH_I (encrypted) */
	uint8_t body[64];
	memset(body, 0x77, sizeof body);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, IKEV1_FLAG_E, 0);
	memcpy(b.buf + b.len, body, 64); /* ciphertext after the header */
	b.len += 64;
	b.buf[16] = IKEV1_PL_ID;
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

static void sc_v1_version(struct sc *s)
{
	struct conf_craft_ike b;
	v1_first(&b, IKEV1_EXCH_MAIN, CONF_IKEV1_AUTH_PSK, 0x11);
	to_r(s, &b, 0);
}

static void sc_v1_aggr_psk(struct sc *s)
{
	struct conf_craft_ike b;
	v1_first(&b, IKEV1_EXCH_AGGRESSIVE, CONF_IKEV1_AUTH_XAUTH_INIT_PSK, 0x10);
	to_r(s, &b, 0);
}

static void sc_v1_clear_id(struct sc *s)
{
	struct conf_craft_ike b;
	v1_first(&b, IKEV1_EXCH_MAIN, CONF_IKEV1_AUTH_PSK, 0x10);
	to_r(s, &b, 0);
	uint8_t id[] = {CONF_IKEV1_ID_IPV4_ADDR, 17, 1, 244, 10, 0, 0, 2}, h[20];
	memset(h, 0x21, sizeof h);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, 0, 0); /* E flag missing */
	conf_craft_ike_add(&b, IKEV1_PL_ID, id, sizeof id);
	conf_craft_ike_add(&b, IKEV1_PL_HASH, h, sizeof h);
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

static void sc_v1_quick_clear(struct sc *s)
{
	struct conf_craft_ike b;
	uint8_t h[20];
	memset(h, 0x21, sizeof h);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_QUICK, 0, 0x1234);
	conf_craft_ike_add(&b, IKEV1_PL_HASH, h, sizeof h);
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

static void sc_v1_nonce_short(struct sc *s)
{
	struct conf_craft_ike b;
	uint8_t body[300];
	memset(body, 0x4b, sizeof body);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, 0, 0);
	conf_craft_ike_add(&b, IKEV1_PL_KE, body, 128);
	conf_craft_ike_add(&b, IKEV1_PL_NONCE, body, 4);
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
}

/* v1 Main Mode through message 4 with NAT-D; |nat| puts the initiator behind a NAT. */
static void v1_natd(struct sc *s, int nat, int float_ok)
{
	struct conf_craft_ike b;
	uint8_t body[300], h[64];
	memset(body, 0x4b, sizeof body);
	v1_first(&b, IKEV1_EXCH_MAIN, CONF_IKEV1_AUTH_PSK, 0x10);
	to_r(s, &b, 0);
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, 0, 0); /* message 2 */
	conf_craft_ike_add(&b, IKEV1_PL_SA, body, v1_sa(body, CONF_IKEV1_HASH_SHA1, CONF_IKEV1_AUTH_PSK));
	conf_craft_ike_end(&b);
	to_i(s, &b, 0);
	/* message 3: KE, Ni, NAT-D(dst = responder), NAT-D(src = initiator, maybe private) */
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, 0, 0);
	conf_craft_ike_add(&b, IKEV1_PL_KE, body, 256);
	conf_craft_ike_add(&b, IKEV1_PL_NONCE, body, 20);
	unsigned hl = conf_natd_hash_v1(CONF_IKEV1_HASH_SHA1, SPI_I, SPI_R, R_IP, 500, h);
	conf_craft_ike_add(&b, IKEV1_PL_NAT_D, h, hl);
	conf_natd_hash_v1(CONF_IKEV1_HASH_SHA1, SPI_I, SPI_R, nat ? I_PRIV : I_IP, 500, h);
	conf_craft_ike_add(&b, IKEV1_PL_NAT_D, h, hl);
	conf_craft_ike_end(&b);
	to_r(s, &b, 0);
	/* message 4 */
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, 0, 0);
	conf_craft_ike_add(&b, IKEV1_PL_KE, body, 256);
	conf_craft_ike_add(&b, IKEV1_PL_NONCE, body, 20);
	conf_natd_hash_v1(CONF_IKEV1_HASH_SHA1, SPI_I, SPI_R, I_IP, 500, h);
	conf_craft_ike_add(&b, IKEV1_PL_NAT_D, h, hl);
	conf_natd_hash_v1(CONF_IKEV1_HASH_SHA1, SPI_I, SPI_R, R_IP, 500, h);
	conf_craft_ike_add(&b, IKEV1_PL_NAT_D, h, hl);
	conf_craft_ike_end(&b);
	to_i(s, &b, 0);
	/* message 5, encrypted */
	conf_craft_ike_begin(&b, SPI_I, SPI_R, 0x10, IKEV1_EXCH_MAIN, IKEV1_FLAG_E, 0);
	memset(b.buf + b.len, 0x99, 48);
	b.len += 48;
	b.buf[16] = IKEV1_PL_ID;
	conf_craft_ike_end(&b);
	to_r(s, &b, float_ok);
}

static void sc_v1_natt_ok(struct sc *s)
{
	v1_natd(s, 1, 1);
}

static void sc_v1_natt_nofloat(struct sc *s)
{
	v1_natd(s, 1, 0);
}

/* ---- PMTU ---- */

static void pmtu_common(struct sc *s, uint16_t mtu, size_t later)
{
	uint8_t big[1500], icmp[700], data[1500];
	size_t d = conf_craft_esp(data, sizeof data, 0xc0000001, 1, 1400 - 28 - 8);
	size_t n = conf_craft_udp(big, sizeof big, I_IP, 4500, R_IP, 4500, s->id++, 1, data, d);
	sc_ip(s, big, n);
	size_t m = conf_craft_icmp_needfrag(icmp, sizeof icmp, ROUTER, mtu, big, 28 + 8);
	sc_ip(s, icmp, m);
	s->t += 2 * SEC;
	d = conf_craft_esp(data, sizeof data, 0xc0000001, 2, later - 28 - 8);
	n = conf_craft_udp(big, sizeof big, I_IP, 4500, R_IP, 4500, s->id++, 1, data, d);
	sc_ip(s, big, n);
}

static void sc_pmtu_ok(struct sc *s)
{
	pmtu_common(s, 1280, 1200);
}

static void sc_pmtu_ignored(struct sc *s)
{
	pmtu_common(s, 1280, 1400);
}

static void sc_pmtu_tiny(struct sc *s)
{
	pmtu_common(s, 60, 1200);
}

/* ---- TCP (RFC 9329) ---- */

static void tcp_stream(struct sc *s, int prefix, int bad_len)
{
	uint8_t pkt[4000], data[3000];
	uint32_t cs = 1000, ss = 5000;
	size_t n = conf_craft_tcp(pkt, sizeof pkt, I_IP, 40000, R_IP, 4500, cs, 0, 0x02, NULL, 0);
	sc_ip(s, pkt, n);
	n = conf_craft_tcp(pkt, sizeof pkt, R_IP, 4500, I_IP, 40000, ss, cs + 1, 0x12, NULL, 0);
	sc_ip(s, pkt, n);
	cs++;
	ss++;
	struct conf_craft_ike b;
	struct init_opt o = {0};
	init_req(&b, &o);
	size_t d = 0;
	if (prefix) {
		memcpy(data, "IKETCP", 6);
		d = 6;
	}
	size_t flen = 2 + 4 + b.len + (bad_len ? 0 : 0);
	data[d] = (uint8_t)(flen >> 8);
	data[d + 1] = (uint8_t)flen;
	memset(data + d + 2, 0, 4);
	memcpy(data + d + 6, b.buf, b.len);
	if (bad_len) { /* IKE header Length 8 octets shorter than the frame */
		data[d + 6 + 27] -= 8;
	}
	d += flen;
	/* split across two segments, the second sent first (out of order) */
	size_t half = d / 2;
	n = conf_craft_tcp(pkt, sizeof pkt, I_IP, 40000, R_IP, 4500, cs + (uint32_t)half, ss, 0x18, data + half,
			   d - half);
	sc_ip(s, pkt, n);
	n = conf_craft_tcp(pkt, sizeof pkt, I_IP, 40000, R_IP, 4500, cs, ss, 0x18, data, half);
	sc_ip(s, pkt, n);
	sc_ip(s, pkt, n); /* retransmission */
	cs += (uint32_t)d;
	init_resp(&b, &o);
	flen = 2 + 4 + b.len;
	data[0] = (uint8_t)(flen >> 8);
	data[1] = (uint8_t)flen;
	memset(data + 2, 0, 4);
	memcpy(data + 6, b.buf, b.len);
	n = conf_craft_tcp(pkt, sizeof pkt, R_IP, 4500, I_IP, 40000, ss, cs, 0x18, data, flen);
	sc_ip(s, pkt, n);
}

static void sc_tcp_ok(struct sc *s)
{
	tcp_stream(s, 1, 0);
}

static void sc_tcp_noprefix(struct sc *s)
{
	tcp_stream(s, 0, 0);
}

static void sc_tcp_badlen(struct sc *s)
{
	tcp_stream(s, 1, 1);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

struct row {
	const char *name;   /* capture name (tests/data/pcaps/<name>.pcap) */
	void (*build)(struct sc *s);
	const char *rule;
	enum conf_verdict want;
	const char *param;  /* optional --param */
};

static const struct row rows[] = {
	/* 1 */ {"natt-ok", sc_natt_ok, "natt-float-4500", CONF_PASS, NULL},
	/* 2 */ {"natt-ok", sc_natt_ok, "natt-esp-encap", CONF_PASS, NULL},
	/* 3 */ {"natt-ok", sc_natt_ok, "natt-natd-hash", CONF_PASS, NULL},
	/* 4 */ {"natt-ok", sc_natt_ok, "natt-keepalive-format", CONF_PASS, NULL},
	/* 5 */ {"natt-ok", sc_natt_ok, "natt-keepalive-interval", CONF_PASS, NULL},
	/* 6 */ {"natt-ok", sc_natt_ok, "natt-esp-spi-nonzero", CONF_PASS, NULL},
	/* 7 */ {"natt-ok", sc_natt_ok, "natt-ike-marker", CONF_PASS, NULL},
	/* 8 */ {"natt-ok", sc_natt_ok, "natt-esp-ports", CONF_PASS, NULL},
	/* 9 */ {"nonat-ok", sc_nonat_ok, "natt-natd-hash", CONF_PASS, NULL},
	/* 10 */ {"nonat-ok", sc_nonat_ok, "natt-float-4500", CONF_NA, NULL},
	/* 11 */ {"nonat-ok", sc_nonat_ok, "natt-esp-encap", CONF_NA, NULL},
	/* 12 */ {"natt-float-missing", sc_float_missing, "natt-float-4500", CONF_FAIL, NULL},
	/* 13 */ {"natt-esp-not-encap", sc_esp_not_encap, "natt-esp-encap", CONF_FAIL, NULL},
	/* 14 */ {"natt-esp-wrong-port", sc_esp_wrong_port, "natt-esp-ports", CONF_FAIL, NULL},
	/* 15 */ {"natt-marker-missing", sc_marker_missing, "natt-ike-marker", CONF_FAIL, NULL},
	/* 16 */ {"natt-natd-badlen", sc_natd_badlen, "natt-natd-hash", CONF_FAIL, NULL},
	/* 17 */ {"natt-natd-swapped", sc_natd_swapped, "natt-natd-hash", CONF_FAIL, NULL},
	/* 18 */ {"natt-keepalive-bad", sc_keepalive_bad, "natt-keepalive-format", CONF_FAIL, NULL},
	/* 19 */ {"natt-keepalive-gap", sc_keepalive_gap, "natt-keepalive-interval", CONF_FAIL, NULL},
	/* 20 */ {"natt-keepalive-gap", sc_keepalive_gap, "natt-keepalive-interval", CONF_PASS,
		  "keepalive_interval=60"},
	/* 21 */ {"natt-zero-spi", sc_zero_spi_udp, "natt-esp-spi-nonzero", CONF_FAIL, NULL},
	/* 22 */ {"esp-seq-ok", sc_esp_seq_ok, "esp-seq-increase", CONF_PASS, NULL},
	/* 23 */ {"esp-seq-repeat", sc_esp_seq_repeat, "esp-seq-increase", CONF_FAIL, NULL},
	/* 24 */ {"esp-seq-ok", sc_esp_seq_ok, "esp-spi-nonzero", CONF_PASS, NULL},
	/* 25 */ {"esp-spi-zero", sc_esp_spi_zero, "esp-spi-nonzero", CONF_FAIL, NULL},
	/* 26 */ {"nonat-ok", sc_nonat_ok, "esp-seq-first", CONF_PASS, NULL},
	/* 27 */ {"esp-first-5", sc_esp_first_5, "esp-seq-first", CONF_FAIL, NULL},
	/* 28 */ {"esp-seq-ok", sc_esp_seq_ok, "esp-seq-first", CONF_NA, NULL},
	/* 29 */ {"nonat-ok", sc_nonat_ok, "ikev2-version", CONF_PASS, NULL},
	/* 30 */ {"v2-version", sc_v2_version, "ikev2-version", CONF_FAIL, NULL},
	/* 31 */ {"nonat-ok", sc_nonat_ok, "ike-length", CONF_PASS, NULL},
	/* 32 */ {"ike-length-bad", sc_length_bad, "ike-length", CONF_FAIL, NULL},
	/* 33 */ {"nonat-ok", sc_nonat_ok, "ikev2-spi", CONF_PASS, NULL},
	/* 34 */ {"v2-spir-in-request", sc_spi_r_in_request, "ikev2-spi", CONF_FAIL, NULL},
	/* 35 */ {"cookie-ok", sc_cookie_ok, "ikev2-spi", CONF_PASS, NULL},
	/* 36 */ {"nonat-ok", sc_nonat_ok, "ikev2-initiator-flag", CONF_PASS, NULL},
	/* 37 */ {"v2-iflag-wrong", sc_iflag_wrong, "ikev2-initiator-flag", CONF_FAIL, NULL},
	/* 38 */ {"natt-ok", sc_natt_ok, "ikev2-response-address", CONF_PASS, NULL},
	/* 39 */ {"v2-resp-addr", sc_resp_addr_bad, "ikev2-response-address", CONF_FAIL, NULL},
	/* 40 */ {"natt-ok", sc_natt_ok, "ikev2-msgid-sequence", CONF_PASS, NULL},
	/* 41 */ {"v2-msgid-skip", sc_msgid_skip, "ikev2-msgid-sequence", CONF_FAIL, NULL},
	/* 42 */ {"cookie-ok", sc_cookie_ok, "ikev2-msgid-sequence", CONF_PASS, NULL},
	/* 43 */ {"v2-rtx-ok", sc_rtx_ok, "ikev2-retransmit-identical", CONF_PASS, NULL},
	/* 44 */ {"v2-rtx-changed", sc_rtx_changed, "ikev2-retransmit-identical", CONF_FAIL, NULL},
	/* 45 */ {"v2-rtx-ok", sc_rtx_ok, "ikev2-retransmit-backoff", CONF_PASS, NULL},
	/* 46 */ {"v2-rtx-flat", sc_rtx_flat, "ikev2-retransmit-backoff", CONF_FAIL, NULL},
	/* 47 */ {"v2-rtx-ok", sc_rtx_ok, "ikev2-response-retransmit", CONF_PASS, NULL},
	/* 48 */ {"v2-resp-unsolicited", sc_resp_unsolicited, "ikev2-response-retransmit", CONF_FAIL, NULL},
	/* 49 */ {"v2-resp-changed", sc_resp_changed, "ikev2-response-identical", CONF_FAIL, NULL},
	/* 50 */ {"v2-resp-changed", sc_resp_changed, "ikev2-response-retransmit", CONF_PASS, NULL},
	/* 50a */ {"v2-resp-rtx-ok", sc_resp_rtx_ok, "ikev2-response-identical", CONF_PASS, NULL},
	/* 51 */ {"nonat-ok", sc_nonat_ok, "ikev2-nonce-length", CONF_PASS, NULL},
	/* 52 */ {"v2-nonce-short", sc_nonce_short, "ikev2-nonce-length", CONF_FAIL, NULL},
	/* 53 */ {"nonat-ok", sc_nonat_ok, "ikev2-ke-length", CONF_PASS, NULL},
	/* 54 */ {"v2-ke-short", sc_ke_short, "ikev2-ke-length", CONF_FAIL, NULL},
	/* 55 */ {"natt-ok", sc_natt_ok, "ikev2-sk-last", CONF_PASS, NULL},
	/* 56 */ {"v2-sk-not-last", sc_sk_not_last, "ikev2-sk-last", CONF_FAIL, NULL},
	/* 57 */ {"cookie-ok", sc_cookie_ok, "ikev2-cookie-echo", CONF_PASS, NULL},
	/* 58 */ {"cookie-not-first", sc_cookie_not_first, "ikev2-cookie-echo", CONF_FAIL, NULL},
	/* 59 */ {"cookie-changed", sc_cookie_changed, "ikev2-cookie-echo", CONF_FAIL, NULL},
	/* 60 */ {"invalid-ke-ok", sc_invalid_ke_ok, "ikev2-invalid-ke-retry", CONF_PASS, NULL},
	/* 61 */ {"invalid-ke-ignored", sc_invalid_ke_ignored, "ikev2-invalid-ke-retry", CONF_FAIL, NULL},
	/* 62 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-not-in-init", CONF_PASS, NULL},
	/* 63 */ {"ikefrag-in-init", sc_ikefrag_in_init, "ikefrag-not-in-init", CONF_FAIL, NULL},
	/* 64 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-negotiated", CONF_PASS, NULL},
	/* 65 */ {"ikefrag-unnegotiated", sc_ikefrag_unnegotiated, "ikefrag-negotiated", CONF_FAIL, NULL},
	/* 66 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-numbering", CONF_PASS, NULL},
	/* 67 */ {"ikefrag-badnum", sc_ikefrag_badnum, "ikefrag-numbering", CONF_FAIL, NULL},
	/* 68 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-next-payload", CONF_PASS, NULL},
	/* 69 */ {"ikefrag-np", sc_ikefrag_np, "ikefrag-next-payload", CONF_FAIL, NULL},
	/* 70 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-complete", CONF_PASS, NULL},
	/* 71 */ {"ikefrag-missing", sc_ikefrag_missing, "ikefrag-complete", CONF_FAIL, NULL},
	/* 72 */ {"ikefrag-big", sc_ikefrag_big, "ikefrag-size", CONF_NA, NULL},
	/* 73 */ {"ikefrag-big", sc_ikefrag_big, "ikefrag-size", CONF_FAIL, "ikefrag_max=800"},
	/* 74 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-size", CONF_PASS, "ikefrag_max=800"},
	/* 75 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-no-ipfrag", CONF_PASS, NULL},
	/* 76 */ {"ikefrag-ipfrag", sc_ikefrag_ipfrag, "ikefrag-no-ipfrag", CONF_FAIL, NULL},
	/* 77 */ {"ipfrag-ok", sc_ipfrag_ok, "ikefrag-no-ipfrag", CONF_NA, NULL},
	/* 78 */ {"ipfrag-ok", sc_ipfrag_ok, "ip-frag-overlap", CONF_PASS, NULL},
	/* 79 */ {"ipfrag-overlap", sc_ipfrag_overlap, "ip-frag-overlap", CONF_FAIL, NULL},
	/* 80 */ {"v1-main-ok", sc_v1_main_ok, "ikev1-version", CONF_PASS, NULL},
	/* 81 */ {"v1-version", sc_v1_version, "ikev1-version", CONF_FAIL, NULL},
	/* 82 */ {"v1-main-ok", sc_v1_main_ok, "ikev1-aggressive-psk", CONF_PASS, NULL},
	/* 83 */ {"v1-aggressive-psk", sc_v1_aggr_psk, "ikev1-aggressive-psk", CONF_FAIL, NULL},
	/* 84 */ {"v1-main-ok", sc_v1_main_ok, "ikev1-encryption", CONF_PASS, NULL},
	/* 85 */ {"v1-clear-id", sc_v1_clear_id, "ikev1-encryption", CONF_FAIL, NULL},
	/* 86 */ {"v1-quick-clear", sc_v1_quick_clear, "ikev1-encryption", CONF_FAIL, NULL},
	/* 87 */ {"v1-aggressive-psk", sc_v1_aggr_psk, "ikev1-nonce-length", CONF_PASS, NULL},
	/* 88 */ {"v1-nonce-short", sc_v1_nonce_short, "ikev1-nonce-length", CONF_FAIL, NULL},
	/* 89 */ {"v1-natt-ok", sc_v1_natt_ok, "ikev1-natt-float", CONF_PASS, NULL},
	/* 90 */ {"v1-natt-nofloat", sc_v1_natt_nofloat, "ikev1-natt-float", CONF_FAIL, NULL},
	/* 91 */ {"pmtu-ok", sc_pmtu_ok, "pmtu-icmp-mtu-min", CONF_PASS, NULL},
	/* 92 */ {"pmtu-tiny", sc_pmtu_tiny, "pmtu-icmp-mtu-min", CONF_FAIL, NULL},
	/* 93 */ {"pmtu-ok", sc_pmtu_ok, "pmtu-df-respected", CONF_PASS, NULL},
	/* 94 */ {"pmtu-ignored", sc_pmtu_ignored, "pmtu-df-respected", CONF_FAIL, NULL},
	/* 95 */ {"tcp-ok", sc_tcp_ok, "tcp-iketcp-prefix", CONF_PASS, NULL},
	/* 96 */ {"tcp-noprefix", sc_tcp_noprefix, "tcp-iketcp-prefix", CONF_FAIL, NULL},
	/* 97 */ {"tcp-ok", sc_tcp_ok, "tcp-frame-length", CONF_PASS, NULL},
	/* 98 */ {"tcp-badlen", sc_tcp_badlen, "tcp-frame-length", CONF_FAIL, NULL},
	/* 99 */ {"natt-ok", sc_natt_ok, "tcp-iketcp-prefix", CONF_NA, NULL},
	/* 100 */ {"ipfrag-ok", sc_ipfrag_ok, "ikefrag-ipfrag-unanswered", CONF_PASS, NULL},
	/* 101 */ {"ipfrag-lost", sc_ipfrag_lost, "ikefrag-ipfrag-unanswered", CONF_FAIL, NULL},
	/* 102 */ {"ikefrag-ok", sc_ikefrag_ok, "ikefrag-ipfrag-unanswered", CONF_NA, NULL},
	/* 103 */ {"ipfrag-lost", sc_ipfrag_lost, "ikev2-retransmit-identical", CONF_PASS, NULL},
};

#define NROWS (sizeof rows / sizeof rows[0])

static struct conf_capture *build(void (*fn)(struct sc *), struct conf_craft **keep)
{
	struct sc s;
	char err[CONF_ERR_LEN];
	sc_init(&s);
	fn(&s);
	struct conf_capture *c = conf_craft_decode(s.w, err, sizeof err);
	if (!c)
		fail_msg("decode: %s", err);
	if (keep)
		*keep = s.w;
	else
		conf_craft_free(s.w);
	return c;
}

static void test_rule_table(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < NROWS; i++) {
		struct conf_capture *c = build(rows[i].build, NULL);
		struct conf_result r;
		conf_test_rule(c, rows[i].rule, rows[i].param, &r);
		if (r.verdict != rows[i].want) {
			print_error("row %zu (%s on %s%s%s): %s, expected %s: %s\n", i + 1, rows[i].rule, rows[i].name,
				    rows[i].param ? " with " : "", rows[i].param ? rows[i].param : "",
				    conf_verdict_name(r.verdict), conf_verdict_name(rows[i].want), r.why);
			bad++;
		}
		if (r.verdict == CONF_FAIL && r.n_ev == 0) {
			print_error("row %zu (%s): failure without evidence frames\n", i + 1, rows[i].rule);
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

/*
 * Every rule has at least one passing and one failing row (the rules of the
 * "keys" set, which read decrypted content, have theirs in test_conf_dec.c).
 */
static void test_every_rule_has_pass_and_fail(void **state)
{
	(void)state;
	assert_int_equal(conf_test_every_rule_covered(has_row, 0, CONF_SET_KEYS), 0);
}

/* The clean scenarios pass every MUST rule (no false alarms across rules). */
static void test_clean_scenarios_pass_all_musts(void **state)
{
	(void)state;
	void (*clean[])(struct sc *) = {sc_natt_ok, sc_nonat_ok, sc_cookie_ok, sc_rtx_ok, sc_ikefrag_ok,
				       sc_v1_main_ok, sc_v1_natt_ok, sc_pmtu_ok, sc_tcp_ok, sc_esp_seq_ok, sc_ipfrag_ok,
				       sc_invalid_ke_ok, sc_resp_rtx_ok};
	int bad = 0;
	for (size_t k = 0; k < sizeof clean / sizeof clean[0]; k++) {
		struct conf_capture *c = build(clean[k], NULL);
		for (const struct conf_rule *const *r = conf_rules(); *r; r++) {
			struct conf_result res;
			conf_test_rule(c, (*r)->id, NULL, &res);
			if (res.verdict == CONF_FAIL && (*r)->force != CONF_ADVISORY) {
				print_error("clean scenario %zu: %s fails: %s\n", k, (*r)->id, res.why);
				bad++;
			}
		}
		conf_capture_free(c);
	}
	assert_int_equal(bad, 0);
}

/* NAT detection: the evaluation distinguishes NAT from no NAT. */
static void test_natd_eval_states(void **state)
{
	(void)state;
	struct { void (*fn)(struct sc *); enum conf_natd_state want; } t[] = {
		{sc_natt_ok, CONF_NATD_NAT}, {sc_nonat_ok, CONF_NATD_NO_NAT}, {sc_v2_version, CONF_NATD_NONE},
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		struct conf_capture *c = build(t[k].fn, NULL);
		struct conf_ikesa_index *ix = conf_ikesa_build(c);
		assert_non_null(ix);
		assert_true(ix->n_sa >= 1);
		struct conf_natd_eval e;
		conf_natd_eval(c, &ix->sa[0], &e);
		assert_int_equal(e.state, t[k].want);
		if (t[k].want == CONF_NATD_NAT) {
			assert_true(e.nat_before_init);
			assert_false(e.nat_before_resp);
		}
		conf_ikesa_free(ix);
		conf_capture_free(c);
	}
}

/*
 * Known answer: RFC 7296 §2.23 hash = SHA-1(SPIi | SPIr | IP | port) for the
 * IKE_SA_INIT request of the scenarios (SPIr zero), computed independently
 * with the OpenSSL command line:
 *   printf '\x6a\x1b\x22\x93\x04\xa5\x36\xc7\0\0\0\0\0\0\0\0\xc0\x00\x02\x0a\x01\xf4' | openssl sha1
 *   = 2e739ea586848038ba944c9bb15fec6726e0a221
 */
static void test_natd_hash_vector(void **state)
{
	(void)state;
	static const uint8_t want[20] = {0x2e, 0x73, 0x9e, 0xa5, 0x86, 0x84, 0x80, 0x38, 0xba, 0x94,
					 0x4c, 0x9b, 0xb1, 0x5f, 0xec, 0x67, 0x26, 0xe0, 0xa2, 0x21};
	uint8_t h[20], h1[64];
	conf_natd_hash(SPI_I, ZERO8, I_IP, 500, h);
	assert_memory_equal(h, want, 20);
	/* IKEv1 NAT-D with SHA-1 over the same input (RFC 3947 §3.2) is the same value */
	assert_int_equal(conf_natd_hash_v1(CONF_IKEV1_HASH_SHA1, SPI_I, ZERO8, I_IP, 500, h1), 20);
	assert_memory_equal(h1, want, 20);
	assert_int_equal(conf_natd_hash_v1(CONF_IKEV1_HASH_MD5, SPI_I, ZERO8, I_IP, 500, h1), 16);
	assert_int_equal(conf_natd_hash_v1(99, SPI_I, ZERO8, I_IP, 500, h1), 0);
}

/* The committed captures (tests/data/pcaps) equal what the builders produce. */
static void test_committed_pcaps_current(void **state)
{
	(void)state;
	const char *dir = getenv("VPNLAB_WRITE_PCAPS");
	int written = 0, checked = 0, missing = 0, stale = 0;
	for (size_t i = 0; i < NROWS; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(rows[j].name, rows[i].name) == 0;
		if (dup)
			continue;
		struct sc s;
		sc_init(&s);
		rows[i].build(&s);
		uint8_t *b;
		size_t n;
		assert_int_equal(conf_craft_bytes(s.w, &b, &n), 0);
		char path[512];
		if (dir) {
			snprintf(path, sizeof path, "%s/%s.pcap", dir, rows[i].name);
			assert_int_equal(conf_craft_save(s.w, path), 0);
			written++;
		} else {
			snprintf(path, sizeof path, "tests/data/pcaps/%s.pcap", rows[i].name);
			FILE *f = fopen(path, "rb");
			if (!f) {
				missing++;
				print_error("missing %s (regenerate: VPNLAB_WRITE_PCAPS=tests/data/pcaps)\n", path);
			} else {
				uint8_t *old = malloc(n + 1);
				size_t got = fread(old, 1, n + 1, f);
				fclose(f);
				if (got != n || memcmp(old, b, n) != 0) {
					stale++;
					print_error("stale %s (regenerate: VPNLAB_WRITE_PCAPS=tests/data/pcaps)\n", path);
				}
				free(old);
				checked++;
			}
		}
		free(b);
		conf_craft_free(s.w);
	}
	if (dir)
		print_message("wrote %d captures to %s\n", written, dir);
	assert_int_equal(missing, 0);
	assert_int_equal(stale, 0);
	(void)checked;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_every_rule_has_pass_and_fail),
		cmocka_unit_test(test_clean_scenarios_pass_all_musts),
		cmocka_unit_test(test_natd_eval_states),
		cmocka_unit_test(test_natd_hash_vector),
		cmocka_unit_test(test_committed_pcaps_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
