/*
 * test_ike_codec.c — the IKEv2 codec on valid input: every payload type
 * against bytes written by hand from the RFC 7296 §3 diagrams (build and
 * parse, byte-exact both ways), a real captured IKE_SA_INIT, the message
 * builder's layout, SK with AES-GCM and AES-CBC+HMAC through ref/crypto,
 * SKF fragments and reassembly, the summary line, and the rules table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/ike/ike_msg.h"
#include "ref/util/evlog.h"
#include "tests/lib/testutil.h"
#include "tests/unit/test_ike_codec_msgs.h"

static struct ike_payload pl_a, pl_b; /* large (SA pool): not on the stack */

/* ---------------------------------------------------------------------- */
/* 1. Known answers per payload type (bodies, RFC 7296 §3 layouts by hand) */

static const struct {
	uint8_t type;
	const char *hex;
} kat[] = {
	/* 1 SA: proposal 1 IKE, ENCR_AES_CBC KEY_LENGTH 256, PRF SHA2_256, INTEG SHA2_256_128, KE 19 (§3.3) */
	{IKE_PL_SA, "0000002c 01010004 0300000c 0100000c 800e0100 03000008 02000005"
		    "03000008 0300000c 00000008 04000013"},
	/* 2 SA: proposal 1 ESP SPI c0ffee01, ENCR_AES_GCM_16/128, ESN none */
	{IKE_PL_SA, "00000020 01030402 c0ffee01 0300000c 01000014 800e0080 00000008 05000000"},
	/* 3 SA: two proposals, second numbered 2, Last Substruc 2 then 0 */
	{IKE_PL_SA, "02000010 01010001 00000008 01000014 00000010 02010001 00000008 0100000c"},
	/* 4 KE: group 19, 4 octets (§3.4) */
	{IKE_PL_KE, "00130000 01020304"},
	/* 5 IDi FQDN "vpn" (§3.5) */
	{IKE_PL_IDI, "02000000 76706e"},
	/* 6 IDr IPv4 192.0.2.1 */
	{IKE_PL_IDR, "01000000 c0000201"},
	/* 7 IDr IPv6 2001:db8::1 */
	{IKE_PL_IDR, "05000000 20010db8000000000000000000000001"},
	/* 8 CERT X.509 signature (§3.6) */
	{IKE_PL_CERT, "04 308201aabbcc"},
	/* 9 CERTREQ X.509, one SHA-1 hash (§3.7) */
	{IKE_PL_CERTREQ, "04 1111111111111111111111111111111111111111"},
	/* 10 CERTREQ X.509 empty ("any CA") */
	{IKE_PL_CERTREQ, "04"},
	/* 11 AUTH shared key MIC (§3.8) */
	{IKE_PL_AUTH, "02000000 0102030405060708"},
	/* 12 Nonce 16 octets (§3.9) */
	{IKE_PL_NONCE, "000102030405060708090a0b0c0d0e0f"},
	/* 13 N(NAT_DETECTION_SOURCE_IP), no SPI (§3.10) */
	{IKE_PL_NOTIFY, "00004004 a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"},
	/* 14 N(REKEY_SA) for ESP SPI 12345678 */
	{IKE_PL_NOTIFY, "03044009 12345678"},
	/* 15 N(INVALID_KE_PAYLOAD) group 31 */
	{IKE_PL_NOTIFY, "00000011 001f"},
	/* 16 N(COOKIE) 8 octets */
	{IKE_PL_NOTIFY, "00004006 0102030405060708"},
	/* 17 Delete ESP, two SPIs (§3.11) */
	{IKE_PL_DELETE, "03040002 11111111 22222222"},
	/* 18 Delete IKE SA */
	{IKE_PL_DELETE, "01000000"},
	/* 19 Vendor ID (§3.12) */
	{IKE_PL_VENDOR, "616263"},
	/* 20 TSi: 10.0.0.0-10.0.0.255 any protocol, all ports (§3.13.1) */
	{IKE_PL_TSI, "01000000 07000010 0000ffff 0a000000 0a0000ff"},
	/* 21 TSr: TCP 443 in 2001:db8::/112 */
	{IKE_PL_TSR, "01000000 08060028 01bb01bb 20010db8000000000000000000000000"
		     "20010db800000000000000000000ffff"},
	/* 22 TSi: OPAQUE ports 65535..0 (§3.13.1), not an error */
	{IKE_PL_TSI, "01000000 07110010 ffff0000 0a000001 0a000001"},
	/* 23 CP request: IP4 address, IP4 DNS, DNS domain, all empty (§3.15) */
	{IKE_PL_CP, "01000000 00010000 00030000 00190000"},
	/* 24 CP reply: 10.1.0.2/netmask 255.255.255.0 */
	{IKE_PL_CP, "02000000 00010004 0a010002 00020004 ffffff00"},
	/* 25 EAP Request/Identity (§3.16, RFC 3748) */
	{IKE_PL_EAP, "01010005 01"},
	/* 26 EAP Success */
	{IKE_PL_EAP, "03010004"},
};

static void test_payload_known_answers(void **state)
{
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		uint8_t in[512], out[512];
		long n = hex_decode(kat[i].hex, in, sizeof in);
		struct ike_buf b = {out, sizeof out, 0};
		struct ike_err e = {0};
		int rc;

		assert_true(n >= 0);
		rc = ike_payload_parse(&pl_a, kat[i].type, in, (size_t)n, &e);
		if (rc != 0)
			fail_msg("row %zu (%s): parse failed: %s", i + 1, ike_payload_name(kat[i].type), e.msg);
		assert_int_equal(ike_payload_build(&pl_a, &b), 0);
		if (b.len != (size_t)n || memcmp(in, out, b.len) != 0)
			fail_msg("row %zu (%s): rebuilt %zu octets differ from the %ld expected", i + 1,
				 ike_payload_name(kat[i].type), b.len, n);
	}
}

/* The typed structs build the same bytes as the hand-written rows. */
static void test_payload_build_from_struct(void **state)
{
	uint8_t out[256], want[256];
	struct ike_buf b = {out, sizeof out, 0};
	long n;
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};

	memset(&pl_a, 0, sizeof pl_a);
	assert_int_equal(ike_sa_add_proposal(&pl_a.u.sa, 1, IKE_PROTO_IKE, NULL, 0), 0);
	assert_int_equal(ike_sa_add_transform(&pl_a.u.sa, IKE_TT_ENCR, IKE_ENCR_AES_CBC, 256), 0);
	assert_int_equal(ike_sa_add_transform(&pl_a.u.sa, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0), 0);
	assert_int_equal(ike_sa_add_transform(&pl_a.u.sa, IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0), 0);
	assert_int_equal(ike_sa_add_transform(&pl_a.u.sa, IKE_TT_KE, IKE_KE_ECP256, 0), 0);
	assert_int_equal(ike_payload_sa_build(&pl_a.u.sa, &b), 0);
	n = hex_decode(kat[0].hex, want, sizeof want);
	assert_int_equal(b.len, n);
	assert_memory_equal(out, want, b.len);

	memset(&pl_a, 0, sizeof pl_a);
	b.len = 0;
	ike_sa_add_proposal(&pl_a.u.sa, 1, IKE_PROTO_ESP, spi, 4);
	ike_sa_add_transform(&pl_a.u.sa, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	ike_sa_add_transform(&pl_a.u.sa, IKE_TT_ESN, IKE_ESN_NO, 0);
	assert_int_equal(ike_payload_sa_build(&pl_a.u.sa, &b), 0);
	n = hex_decode(kat[1].hex, want, sizeof want);
	assert_int_equal(b.len, n);
	assert_memory_equal(out, want, b.len);

	/* parsed values */
	assert_int_equal(ike_payload_sa_parse(&pl_b.u.sa, want, (size_t)n, NULL), 0);
	assert_int_equal(pl_b.u.sa.n_prop, 1);
	assert_int_equal(pl_b.u.sa.prop[0].proto, IKE_PROTO_ESP);
	assert_int_equal(ike_get32(pl_b.u.sa.prop[0].spi), 0xc0ffee01);
	assert_int_equal(ike_sa_transform(&pl_b.u.sa, 0, 0)->key_len, 128);
	assert_int_equal(ike_sa_transform(&pl_b.u.sa, 0, 1)->type, IKE_TT_ESN);
	assert_null(ike_sa_transform(&pl_b.u.sa, 0, 2));
	assert_null(ike_sa_transform(&pl_b.u.sa, 1, 0));
}

static void test_payload_accessors(void **state)
{
	uint8_t in[128];
	long n;
	struct ike_payload p;

	n = hex_decode("03044009 12345678", in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_NOTIFY, in, (size_t)n, NULL), 0);
	assert_int_equal(ike_notify_spi32(&p.u.notify), 0x12345678);
	assert_int_equal(p.u.notify.len, 0);
	n = hex_decode("03040002 11111111 22222222", in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_DELETE, in, (size_t)n, NULL), 0);
	assert_int_equal(ike_delete_spi32(&p.u.del, 1), 0x22222222);
	assert_int_equal(ike_delete_spi32(&p.u.del, 2), 0);
	n = hex_decode("04 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222",
		       in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_CERTREQ, in, (size_t)n, NULL), 0);
	assert_int_equal(ike_certreq_hash_count(&p.u.cert), 2);
	n = hex_decode("01000000 08060028 01bb01bb 20010db8000000000000000000000000 20010db800000000000000000000ffff",
		       in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_TSR, in, (size_t)n, NULL), 0);
	assert_int_equal(p.u.ts.n, 1);
	assert_int_equal(p.u.ts.ts[0].ip_proto, 6);
	assert_int_equal(p.u.ts.ts[0].start_port, 443);
	assert_int_equal(p.u.ts.ts[0].end[15], 0xff);
	n = hex_decode("01010005 01", in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_EAP, in, (size_t)n, NULL), 0);
	assert_int_equal(p.u.eap.eap_type, 1);
	n = hex_decode("0001 0003 aabbcc", in, sizeof in);
	assert_int_equal(ike_payload_parse(&p, IKE_PL_SKF, in, (size_t)n, NULL), 0);
	assert_int_equal(p.u.sk.frag_num, 1);
	assert_int_equal(p.u.sk.frag_total, 3);
	assert_int_equal(p.u.sk.len, 3);
}

/* ---------------------------------------------------------------------- */
/* 2. A real IKE_SA_INIT request                                           */

/*
 * Captured IKE_SA_INIT request (strongSwan-style proposals, brainpool/ECP
 * groups), as published in rusticata/ipsec-parser tests/ikev2.rs
 * (IKEV2_MSG, after its 4-octet non-ESP marker). 300 octets.
 */
static const char real_sa_init_hex[] =
	"bca1937a7c2ff5b9 0000000000000000 21202208 00000000 0000012c"
	"220000a4 02000024 01010003 0300000c 01000014 800e0080 03000008 02000005"
	"00000008 0400001c 02000024 02010003 0300000c 01000014 800e0080 03000008"
	"02000005 00000008 04000013 0200002c 03010004 0300000c 0100000d 800e0080"
	"03000008 0300000c 03000008 02000005 00000008 0400001c 0000002c 04010004"
	"0300000c 0100000d 800e0080 03000008 0300000c 03000008 02000005 00000008"
	"04000013 28000048 001c0000 4d23b8f2 2c03ae3a b40af9fa 76c23c7b a6c56981"
	"e13c32fb c36954c8 7a96cbfa 34637c6f 31b650ce 5d871700 5ce793c2 eeaff1c5"
	"66280811 d942d1b8 e80268bb 00000024 99e2a373 cc44ad10 fb78dda2 5206a4a9"
	"b7558e0d 8269799c 6800362c 46a0bf7b";

static void test_real_sa_init(void **state)
{
	uint8_t buf[512], out[512];
	long n = hex_decode(real_sa_init_hex, buf, sizeof buf);
	struct ike_msg m;
	struct ike_err e = {0};
	char sum[256];
	const struct ike_pl *p;
	struct ike_msg_builder mb;
	size_t len;
	static const struct {
		uint8_t num, ntr, encr, ke, integ;
	} want[4] = {{1, 3, 20, 28, 0}, {2, 3, 20, 19, 0}, {3, 4, 13, 28, 12}, {4, 4, 13, 19, 12}};

	assert_int_equal(n, 300);
	assert_int_equal(ike_msg_parse(&m, buf, (size_t)n, &e), 0);
	assert_true(m.hdr.spi_i == 0xbca1937a7c2ff5b9ull);
	assert_true(m.hdr.spi_r == 0);
	assert_int_equal(m.hdr.next_payload, IKE_PL_SA);
	assert_int_equal(m.hdr.major, 2);
	assert_int_equal(m.hdr.minor, 0);
	assert_int_equal(m.hdr.exchange, IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKE_FLAG_I);
	assert_int_equal(m.hdr.msg_id, 0);
	assert_int_equal(m.hdr.length, 300);
	assert_int_equal(m.outer.n, 3);
	assert_null(m.sk);

	p = ike_msg_find(&m, IKE_PL_SA, 0);
	assert_non_null(p);
	assert_int_equal(p->offset, 28);
	assert_int_equal(p->len, 160);
	assert_int_equal(ike_payload_sa_parse(&pl_a.u.sa, p->body, p->len, &e), 0);
	assert_int_equal(pl_a.u.sa.n_prop, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct ike_proposal *pr = &pl_a.u.sa.prop[i];

		assert_int_equal(pr->num, want[i].num);
		assert_int_equal(pr->proto, IKE_PROTO_IKE);
		assert_int_equal(pr->spi_size, 0);
		assert_int_equal(pr->count, want[i].ntr);
		assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, 0)->type, IKE_TT_ENCR);
		assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, 0)->id, want[i].encr);
		assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, 0)->key_len, 128);
		assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, pr->count - 1)->type, IKE_TT_KE);
		assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, pr->count - 1)->id, want[i].ke);
		if (want[i].integ)
			assert_int_equal(ike_sa_transform(&pl_a.u.sa, i, 1)->id, want[i].integ);
	}
	assert_string_equal(ike_transform_name(IKE_TT_KE, 28), "ECP_256_BP");

	p = ike_msg_find(&m, IKE_PL_KE, 0);
	assert_int_equal(ike_payload_ke_parse(&pl_b.u.ke, p->body, p->len, &e), 0);
	assert_int_equal(pl_b.u.ke.group, 28);
	assert_int_equal(pl_b.u.ke.len, 64);
	p = ike_msg_find(&m, IKE_PL_NONCE, 0);
	assert_int_equal(ike_payload_nonce_parse(&pl_b.u.nonce, p->body, p->len, &e), 0);
	assert_int_equal(pl_b.u.nonce.len, 32);

	ike_msg_summary(&m, sum, sizeof sum);
	assert_string_equal(sum, "IKE_SA_INIT request mid 0 [SA KE No] 300 B");
	assert_int_equal(ike_rules_check_msg(&m, &e), 0);

	/* rebuild from the typed payloads: byte-exact */
	ike_msg_build_init(&mb, out, sizeof out, &m.hdr);
	for (size_t i = 0; i < m.outer.n; i++) {
		assert_int_equal(ike_payload_parse(&pl_b, m.outer.pl[i].type, m.outer.pl[i].body, m.outer.pl[i].len, &e),
				 0);
		assert_int_equal(ike_msg_build_add(&mb, &pl_b), 0);
	}
	assert_int_equal(ike_msg_build_finish(&mb, &len), 0);
	assert_int_equal(len, 300);
	assert_memory_equal(out, buf, 300);
}

/* ---------------------------------------------------------------------- */
/* 3. Builder layout                                                       */

static void test_builder_layout(void **state)
{
	uint8_t out[128], want[128];
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_SA_INIT, 1, 0, 0);
	static const uint8_t cookie[4] = {0xde, 0xad, 0xbe, 0xef};
	size_t len;
	long n;

	h.spi_r = 0;
	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(tm_add_notify(&mb, IKE_N_COOKIE, cookie, 4), 0);
	assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 1, cookie, 2), 0);
	assert_int_equal(ike_msg_build_finish(&mb, &len), 0);
	/* HDR(np N, v2.0, IKE_SA_INIT, R, mid 0, len 48), N(COOKIE) np V, V critical */
	n = hex_decode("0123456789abcdef 0000000000000000 29202220 00000000 0000002e"
		       "2b00000c 00004006 deadbeef"
		       "00800006 dead",
		       want, sizeof want);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, len);
}

static void test_builder_errors(void **state)
{
	uint8_t out[64];
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_INFORMATIONAL, 0, 1, 2);
	struct ike_sk_seal s;
	size_t len;
	uint8_t big[100] = {0};

	ike_msg_build_init(&mb, out, 10, &h);
	assert_int_equal(ike_msg_build_finish(&mb, &len), IKE_E_BUFFER);

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 0, big, sizeof big), IKE_E_BUFFER);
	assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 0, big, 1), IKE_E_BUFFER); /* sticky */
	assert_non_null(strstr(mb.e.msg, "does not fit"));

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_sk_begin(&mb, 8, 16, 1), 0);
	assert_int_equal(ike_msg_build_finish(&mb, &len), IKE_E_ARG); /* SK still open */

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_sk_begin(&mb, 0, 0, 1), 0);
	assert_int_equal(ike_msg_build_sk_begin(&mb, 0, 0, 1), IKE_E_ARG); /* nested SK */

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_skf_begin(&mb, 4, 3, IKE_PL_IDI, 0, 0, 1), IKE_E_ARG);
	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_skf_begin(&mb, 2, 3, IKE_PL_IDI, 0, 0, 1), 0);
	assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 0, big, 1), IKE_E_ARG); /* raw only */

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_sk_begin(&mb, 0, 0, 1), 0);
	assert_int_equal(ike_msg_build_sk_end(&mb, &s), 0);
	assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 0, big, 1), IKE_E_ARG); /* after SK */

	memset(&pl_a, 0, sizeof pl_a);
	pl_a.type = IKE_PL_SK;
	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_add(&mb, &pl_a), IKE_E_ARG);
}

/* SK padding (§3.14): payloads || pad || Pad Length is a multiple of the block. */
static void test_sk_padding(void **state)
{
	for (size_t inner = 0; inner <= 40; inner++) {
		uint8_t out[256], body[64] = {0};
		struct ike_msg_builder mb;
		struct ike_hdr h = tm_hdr(IKE_INFORMATIONAL, 0, 1, 3);
		struct ike_sk_seal s;
		size_t plen;

		ike_msg_build_init(&mb, out, sizeof out, &h);
		assert_int_equal(ike_msg_build_sk_begin(&mb, 16, 16, 16), 0);
		if (inner >= 4)
			assert_int_equal(ike_msg_build_add_raw(&mb, IKE_PL_VENDOR, 0, body, inner - 4), 0);
		assert_int_equal(ike_msg_build_sk_end(&mb, &s), 0);
		assert_int_equal(s.plain_len % 16, 0);
		assert_int_equal(s.aad_len, 32);
		assert_ptr_equal(s.iv, out + 32);
		assert_ptr_equal(s.plain, out + 48);
		assert_int_equal(s.msg_len, 48 + s.plain_len + 16);
		assert_int_equal(ike_get32(out + 24), s.msg_len);
		assert_int_equal(ike_get16(out + 30), s.msg_len - 28);
		assert_int_equal(ike_sk_unpad(s.plain, s.plain_len, &plen, NULL), 0);
		assert_int_equal(plen, inner >= 4 ? inner : 0);
		assert_true(s.plain[s.plain_len - 1] < 16);
	}
}

/* ---------------------------------------------------------------------- */
/* 4. SK and SKF through ref/crypto                                        */

static int decrypt_inner(struct ike_msg *m, enum tm_prot prot, uint8_t *plain, size_t *plain_len)
{
	struct ike_sk_parts parts;
	size_t iv, icv, blk;
	struct crypto_aead *a;
	int rc = 0;

	tm_params(prot, &iv, &icv, &blk);
	if (ike_sk_split(m->sk_data, m->sk_data_len, iv, icv, blk, &parts, NULL) != 0)
		return -1;
	memcpy(plain, parts.ct, parts.ct_len);
	a = tm_aead(prot);
	if (a != NULL) {
		rc = crypto_aead_open(a, m->raw, m->sk_aad_len, parts.iv, plain, parts.ct_len, NULL, 0, parts.icv);
		crypto_aead_free(a);
	}
	if (rc != 0)
		return rc;
	return ike_sk_unpad(plain, parts.ct_len, plain_len, NULL);
}

static void test_sk_roundtrip(void **state)
{
	static const char *const want =
		"IKE_AUTH request mid 1 [IDi CERT N(INITIAL_CONTACT) CERTREQ IDr AUTH CP SA TSi TSr "
		"N(MOBIKE_SUPPORTED)]";

	for (int prot = TM_CLEAR; prot <= TM_CBC; prot++) {
		static struct tmsg t;
		uint8_t plain[4096];
		size_t plen;
		struct ike_msg m;
		struct ike_err e = {0};
		char sum[512], w[512];

		assert_int_equal(tm_sk(&t, (enum tm_prot)prot, IKE_AUTH, 0, 1, tm_inner_auth_req), 0);
		assert_int_equal(ike_msg_parse(&m, t.buf, t.len, &e), 0);
		assert_non_null(m.sk);
		assert_int_equal(m.sk_first, IKE_PL_IDI);
		assert_int_equal(m.sk_aad_len, IKE_HDR_LEN + 4);
		ike_msg_summary(&m, sum, sizeof sum);
		snprintf(w, sizeof w, "IKE_AUTH request mid 1 [SK] %zu B", t.len);
		assert_string_equal(sum, w);
		assert_int_equal(ike_rules_check_msg(&m, &e), 0); /* not decrypted yet: passes */

		assert_int_equal(decrypt_inner(&m, (enum tm_prot)prot, plain, &plen), 0);
		assert_int_equal(plen, t.inner_len);
		assert_memory_equal(plain, t.inner, plen);
		assert_int_equal(ike_msg_parse_inner(&m, plain, plen, &e), 0);
		ike_msg_summary(&m, sum, sizeof sum);
		snprintf(w, sizeof w, "%s %zu B", want, t.len);
		assert_string_equal(sum, w);
		if (ike_rules_check_msg(&m, &e) != 0)
			fail_msg("rules: %s", e.msg);
		assert_non_null(ike_msg_find_notify(&m, IKE_N_INITIAL_CONTACT));
		assert_null(ike_msg_find_notify(&m, IKE_N_COOKIE));
		assert_int_equal(ike_msg_count(&m, IKE_PL_CERTREQ), 1);
		assert_ptr_equal(ike_msg_find(&m, IKE_PL_TSR, 0), &m.inner.pl[9]);

		/* every inner payload parses with its typed parser */
		for (size_t i = 0; i < m.inner.n; i++)
			if (ike_payload_parse(&pl_a, m.inner.pl[i].type, m.inner.pl[i].body, m.inner.pl[i].len, &e))
				fail_msg("inner %zu: %s", i, e.msg);

		if (prot != TM_CLEAR) {
			/* the header is authenticated (AAD / HMAC input): flip the message ID */
			t.buf[23] ^= 1;
			assert_int_equal(ike_msg_parse(&m, t.buf, t.len, &e), 0);
			assert_int_equal(decrypt_inner(&m, (enum tm_prot)prot, plain, &plen), CRYPTO_EAUTH);
		}
	}
}

static void test_skf_reassembly(void **state)
{
	static struct tmsg frag[3], whole;
	uint8_t joined[4096], plain[4096];
	size_t jlen = 0, plen;
	uint8_t first = 0;
	struct ike_msg m;
	struct ike_err e = {0};
	char sum[512], w[512];

	assert_int_equal(tm_sk(&whole, TM_CLEAR, IKE_AUTH, 0, 1, tm_inner_auth_req), 0);
	for (uint16_t i = 1; i <= 3; i++) {
		assert_int_equal(tm_skf(&frag[i - 1], TM_GCM, i, 3), 0);
		assert_int_equal(ike_msg_parse(&m, frag[i - 1].buf, frag[i - 1].len, &e), 0);
		assert_int_equal(m.sk->type, IKE_PL_SKF);
		assert_int_equal(m.frag_num, i);
		assert_int_equal(m.frag_total, 3);
		assert_int_equal(m.sk_aad_len, IKE_HDR_LEN + 8); /* RFC 7383 §2.5: AAD covers the SKF fields */
		/* RFC 7383 §2.5: Next Payload is the first inner type in fragment 1, 0 after */
		assert_int_equal(m.sk_first, i == 1 ? IKE_PL_IDI : 0);
		if (i == 1)
			first = m.sk_first;
		ike_msg_summary(&m, sum, sizeof sum);
		snprintf(w, sizeof w, "IKE_AUTH request mid 1 [SKF(%u/3)] %zu B", i, frag[i - 1].len);
		assert_string_equal(sum, w);
		assert_int_equal(decrypt_inner(&m, TM_GCM, plain, &plen), 0);
		memcpy(joined + jlen, plain, plen);
		jlen += plen;
	}
	assert_int_equal(jlen, whole.inner_len);
	assert_memory_equal(joined, whole.inner, jlen);
	assert_int_equal(ike_msg_parse(&m, frag[0].buf, frag[0].len, &e), 0);
	assert_int_equal(ike_msg_parse_inner_first(&m, first, joined, jlen, &e), 0);
	assert_int_equal(m.inner.n, 11);
	assert_int_equal(ike_rules_check_msg(&m, &e), 0);
}

/* ike_skf_capacity: exactly |cap| inner octets fit in |max|, one more does not. */
static void test_skf_capacity(void **state)
{
	static const size_t maxes[] = {576, 1280, 1500, 100, 60};
	static const size_t params[][3] = {{8, 16, 1}, {16, 16, 16}, {8, 12, 8}, {0, 0, 1}};
	static uint8_t out[2048], data[2048];

	for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++)
		for (size_t j = 0; j < sizeof params / sizeof params[0]; j++) {
			size_t cap = ike_skf_capacity(maxes[i], params[j][0], params[j][1], params[j][2]);
			struct ike_hdr h = tm_hdr(IKE_AUTH, 0, 1, 1);

			if (cap == 0)
				continue; /* nothing fits (max 60 with IV 8 + ICV 16) */
			for (size_t extra = 0; extra <= 1; extra++) {
				struct ike_msg_builder mb;
				struct ike_sk_seal s;

				ike_msg_build_init(&mb, out, sizeof out, &h);
				ike_msg_build_skf_begin(&mb, 1, 2, IKE_PL_IDI, params[j][0], params[j][1], params[j][2]);
				ike_msg_build_sk_raw(&mb, data, cap + extra);
				assert_int_equal(ike_msg_build_sk_end(&mb, &s), 0);
				if (extra == 0 && s.msg_len > maxes[i])
					fail_msg("max %zu params %zu: %zu octets fit? message %zu", maxes[i], j, cap, s.msg_len);
				if (extra == 1 && s.msg_len <= maxes[i])
					fail_msg("max %zu params %zu: capacity %zu too small", maxes[i], j, cap);
			}
		}
	assert_int_equal(ike_skf_capacity(50, 8, 16, 1), 0);
	assert_int_equal(ike_skf_capacity(1280, 8, 16, 0), 0);
}

/* ---------------------------------------------------------------------- */
/* 5. Summary line                                                         */

static void test_summary(void **state)
{
	static struct tmsg t;
	struct ike_msg m;
	char sum[512], w[512];
	uint8_t raw[64];
	long n;

	assert_int_equal(tm_sa_init_req(&t), 0);
	assert_int_equal(ike_msg_parse(&m, t.buf, t.len, NULL), 0);
	ike_msg_summary(&m, sum, sizeof sum);
	snprintf(w, sizeof w,
		 "IKE_SA_INIT request mid 0 [SA KE No N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) "
		 "N(IKEV2_FRAGMENTATION_SUPPORTED) N(SIGNATURE_HASH_ALGORITHMS) V] %zu B",
		 t.len);
	assert_string_equal(sum, w);
	/* truncation: snprintf-style return, always terminated */
	assert_int_equal(ike_msg_summary(&m, sum, 10), strlen(w));
	assert_string_equal(sum, "IKE_SA_IN");

	/* unknown payload (non-critical) and unknown notify type; exchange 99 */
	n = hex_decode("0123456789abcdef fedcba9876543210 63206320 00000007 00000028"
		       "29000004" /* payload type 99, not critical, next N */
		       "00000008 00003039",
		       raw, sizeof raw);
	assert_int_equal(ike_msg_parse(&m, raw, (size_t)n, NULL), 0);
	assert_int_equal(m.outer.pl[0].unknown, 1);
	assert_null(ike_msg_find(&m, 99, 0));
	ike_msg_summary(&m, sum, sizeof sum);
	assert_string_equal(sum, "EXCHANGE(99) response mid 7 [?(99) N(12345)] 40 B");
	assert_int_equal(ike_msg_payload_list(&m, sum, sizeof sum), strlen("?(99) N(12345)"));
	assert_string_equal(sum, "?(99) N(12345)");
}

/* ike_msg_ev: the fields an "ike" event carries for a message. */
static void test_msg_event(void **state)
{
	static struct tmsg t;
	struct ike_msg m;
	struct evbuf e;

	assert_int_equal(tm_sa_init_notify(&t, IKE_N_COOKIE), 0);
	assert_int_equal(ike_msg_parse(&m, t.buf, t.len, NULL), 0);
	ev_begin(&e, 1000000000ull, "ike", "rx");
	ike_msg_ev(&e, &m);
	assert_string_equal(ev_end(&e), "{\"t\":1.000000000,\"src\":\"ike\",\"ev\":\"rx\",\"exch\":\"IKE_SA_INIT\","
					"\"resp\":true,\"mid\":0,\"spi_i\":\"0123456789abcdef\","
					"\"spi_r\":\"0000000000000000\",\"payloads\":\"N(COOKIE)\",\"len\":68}");
}

/* ---------------------------------------------------------------------- */
/* 6. Rules table                                                          */

#define T(...) ((const uint8_t[]){__VA_ARGS__})
static const struct {
	uint8_t exchange, response;
	const uint8_t *types;
	size_t n;
	const char *err; /* NULL: passes; else a substring of the message */
} rules_cases[] = {
	/*  1 */ {IKE_SA_INIT, 0, T(33, 34, 40), 3, NULL},
	/*  2 */ {IKE_SA_INIT, 0, T(41, 33, 34, 40, 41, 41, 43), 7, NULL},
	/*  3 */ {IKE_SA_INIT, 0, T(33, 40), 2, "KE missing (required)"},
	/*  4 */ {IKE_SA_INIT, 0, T(33, 34, 40, 39), 4, "AUTH not allowed"},
	/*  5 */ {IKE_SA_INIT, 0, T(33, 33, 34, 40), 4, "SA appears 2 times"},
	/*  6 */ {IKE_SA_INIT, 1, T(33, 34, 40, 38), 4, NULL},
	/*  7 */ {IKE_SA_INIT, 1, T(41), 1, NULL}, /* N(COOKIE) alone */
	/*  8 */ {IKE_SA_INIT, 1, T(41, 34), 2, "KE not allowed"},
	/*  9 */ {IKE_AUTH, 0, T(35, 37, 41, 38, 36, 39, 47, 33, 44, 45), 10, NULL},
	/* 10 */ {IKE_AUTH, 0, T(35, 39, 33, 44), 4, "TSr missing (required)"},
	/* 11 */ {IKE_AUTH, 0, T(35, 33, 44, 45), 4, NULL}, /* EAP start: no AUTH (§2.16) */
	/* 12 */ {IKE_AUTH, 0, T(48), 1, NULL},
	/* 13 */ {IKE_AUTH, 0, T(35, 39), 2, NULL}, /* childless (RFC 6023) */
	/* 14 */ {IKE_AUTH, 0, T(36, 39, 33, 44, 45), 5, "IDi missing (required)"},
	/* 15 */ {IKE_AUTH, 1, T(36, 39, 33, 44, 45), 5, NULL},
	/* 16 */ {IKE_AUTH, 1, T(36, 39, 41), 3, NULL}, /* IKE SA up, child refused */
	/* 17 */ {IKE_AUTH, 1, T(41), 1, NULL}, /* AUTHENTICATION_FAILED */
	/* 18 */ {IKE_AUTH, 1, T(36, 39, 38), 3, "CERTREQ not allowed"},
	/* 19 */ {IKE_CREATE_CHILD_SA, 0, T(41, 33, 40, 34, 44, 45), 6, NULL},
	/* 20 */ {IKE_CREATE_CHILD_SA, 0, T(33, 40, 34), 3, NULL}, /* IKE SA rekey */
	/* 21 */ {IKE_CREATE_CHILD_SA, 0, T(33, 34, 44, 45), 4, "No missing (required)"},
	/* 22 */ {IKE_CREATE_CHILD_SA, 1, T(41), 1, NULL}, /* NO_ADDITIONAL_SAS */
	/* 23 */ {IKE_INFORMATIONAL, 0, T(0), 0, NULL}, /* liveness */
	/* 24 */ {IKE_INFORMATIONAL, 0, T(42, 42, 41), 3, NULL},
	/* 25 */ {IKE_INFORMATIONAL, 1, T(33), 1, "SA not allowed"},
	/* 26 */ {IKE_INFORMATIONAL, 0, T(47, 47), 2, "CP appears 2 times"},
	/* 27 */ {IKE_FOLLOWUP_KE, 0, T(34, 41), 2, NULL},
	/* 28 */ {IKE_FOLLOWUP_KE, 0, T(34), 1, "N missing (required)"},
	/* 29 */ {99, 0, T(33), 1, NULL}, /* no rows: nothing enforced */
	/* 30 */ {IKE_SA_INIT, 0, T(33, 34, 40, 99, 200), 5, NULL}, /* unknown types ignored */
};

static void test_rules_table(void **state)
{
	for (size_t i = 0; i < sizeof rules_cases / sizeof rules_cases[0]; i++) {
		struct ike_err e = {0};
		int rc = ike_rules_check(rules_cases[i].exchange, rules_cases[i].response, rules_cases[i].types,
					 rules_cases[i].n, &e);

		if (rules_cases[i].err == NULL && rc != 0)
			fail_msg("row %zu: unexpected failure: %s", i + 1, e.msg);
		if (rules_cases[i].err != NULL && (rc != IKE_E_SYNTAX || strstr(e.msg, rules_cases[i].err) == NULL))
			fail_msg("row %zu: rc %d, message \"%s\", expected \"%s\"", i + 1, rc, e.msg, rules_cases[i].err);
		if (rc != 0)
			assert_int_equal(e.notify, IKE_N_INVALID_SYNTAX);
	}
}

/* ike_rules_check_msg: payloads in the clear outside IKE_SA_INIT are refused. */
static void test_rules_msg(void **state)
{
	uint8_t out[256];
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_INFORMATIONAL, 0, 1, 5);
	struct ike_msg m;
	struct ike_err e = {0};
	size_t len;

	ike_msg_build_init(&mb, out, sizeof out, &h);
	tm_add_delete(&mb, IKE_PROTO_IKE);
	assert_int_equal(ike_msg_build_finish(&mb, &len), 0);
	assert_int_equal(ike_msg_parse(&m, out, len, &e), 0);
	assert_int_equal(ike_rules_check_msg(&m, &e), IKE_E_SYNTAX);
	assert_string_equal(e.msg,
			    "INFORMATIONAL request: D outside the Encrypted payload, expected every payload inside SK");

	ike_msg_build_init(&mb, out, sizeof out, &h);
	assert_int_equal(ike_msg_build_finish(&mb, &len), 0);
	assert_int_equal(ike_msg_parse(&m, out, len, &e), 0);
	assert_int_equal(ike_rules_check_msg(&m, &e), IKE_E_SYNTAX);
	assert_non_null(strstr(e.msg, "no Encrypted payload"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_known_answers),
		cmocka_unit_test(test_payload_build_from_struct),
		cmocka_unit_test(test_payload_accessors),
		cmocka_unit_test(test_real_sa_init),
		cmocka_unit_test(test_builder_layout),
		cmocka_unit_test(test_builder_errors),
		cmocka_unit_test(test_sk_padding),
		cmocka_unit_test(test_sk_roundtrip),
		cmocka_unit_test(test_skf_reassembly),
		cmocka_unit_test(test_skf_capacity),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_msg_event),
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_rules_msg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
