/*
 * test_ike_codec_msgs.h — valid IKEv2 messages of every exchange, built
 * with the codec's own builders (RFC 7296 §1.2-§1.4 flows, RFC 7383
 * fragments). Shared by test_ike_codec.c and test_ike_codec_corpus.c, which
 * also writes them as the fuzz seed corpus. Everything is deterministic:
 * "random" octets are a fixed pattern, keys are fixed test keys.
 *
 * Encrypted messages come in three protections:
 *   TM_CLEAR  SK with IV 0, ICV 0, block 1 and no encryption: the inner
 *             chain is readable, so the fuzzer reaches the inner parsers;
 *   TM_GCM    ENCR_AES_GCM_16 (128-bit key), IV 8, ICV 16 (RFC 5282);
 *   TM_CBC    ENCR_AES_CBC-128 + AUTH_HMAC_SHA2_256_128, IV 16, ICV 16.
 */
#ifndef VPNLAB_TEST_IKE_CODEC_MSGS_H
#define VPNLAB_TEST_IKE_CODEC_MSGS_H

#include <stdint.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/ike/ike_msg.h"

enum tm_prot { TM_CLEAR, TM_GCM, TM_CBC };

struct tmsg {
	uint8_t buf[4096];
	size_t len;
	/* for encrypted messages: the inner chain as built (before encryption) */
	uint8_t inner[4096];
	size_t inner_len;
	uint8_t first_inner;
};

static inline void tm_fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

static inline void tm_params(enum tm_prot prot, size_t *iv, size_t *icv, size_t *blk)
{
	*iv = prot == TM_CLEAR ? 0 : prot == TM_GCM ? 8 : 16;
	*icv = prot == TM_CLEAR ? 0 : 16;
	*blk = prot == TM_CBC ? 16 : 1;
}

/* tm_aead returns a context for |prot| with fixed test keys (NULL for TM_CLEAR). */
static inline struct crypto_aead *tm_aead(enum tm_prot prot)
{
	uint8_t enc[36], integ[32];
	int err;

	tm_fill(enc, sizeof enc, 0x40);
	tm_fill(integ, sizeof integ, 0x90);
	if (prot == TM_GCM)
		return crypto_aead_new(CRYPTO_AES_GCM_16, enc, 20, NULL, 0, &err);
	if (prot == TM_CBC)
		return crypto_aead_new(CRYPTO_AES_CBC_HMAC_SHA256_128, enc, 16, integ, 32, &err);
	return NULL;
}

/* tm_seal writes the IV and encrypts per |prot|; returns 0 on success. */
static inline int tm_seal(enum tm_prot prot, const struct ike_sk_seal *s)
{
	struct crypto_aead *a;
	int rc;

	if (prot == TM_CLEAR)
		return 0;
	tm_fill(s->iv, s->iv_len, 0x11);
	a = tm_aead(prot);
	if (a == NULL)
		return -1;
	rc = crypto_aead_seal(a, s->msg, s->aad_len, s->iv, s->plain, s->plain_len, NULL, 0, s->icv);
	crypto_aead_free(a);
	return rc;
}

static inline struct ike_hdr tm_hdr(uint8_t exchange, int response, int initiator, uint32_t mid)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof h);
	h.spi_i = 0x0123456789abcdefull;
	h.spi_r = exchange == IKE_SA_INIT && !response ? 0 : 0xfedcba9876543210ull;
	h.major = 2;
	h.exchange = exchange;
	h.flags = (uint8_t)((initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0));
	h.msg_id = mid;
	return h;
}

/* ---- payload constructors ------------------------------------------- */

static inline int tm_add_notify(struct ike_msg_builder *mb, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_payload p;

	memset(&p, 0, sizeof p);
	p.type = IKE_PL_NOTIFY;
	p.u.notify.type = type;
	p.u.notify.data = data;
	p.u.notify.len = len;
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_ike_sa(struct ike_msg_builder *mb, int nprop, const uint8_t *spi8)
{
	static struct ike_payload p; /* large: keep off the stack */

	memset(&p, 0, sizeof p);
	p.type = IKE_PL_SA;
	ike_sa_add_proposal(&p.u.sa, 1, IKE_PROTO_IKE, spi8, spi8 ? 8 : 0);
	ike_sa_add_transform(&p.u.sa, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_sa_add_transform(&p.u.sa, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_sa_add_transform(&p.u.sa, IKE_TT_KE, IKE_KE_ECP256, 0);
	ike_sa_add_transform(&p.u.sa, IKE_TT_KE, IKE_KE_CURVE25519, 0);
	if (nprop > 1) {
		ike_sa_add_proposal(&p.u.sa, 2, IKE_PROTO_IKE, spi8, spi8 ? 8 : 0);
		ike_sa_add_transform(&p.u.sa, IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128);
		ike_sa_add_transform(&p.u.sa, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		ike_sa_add_transform(&p.u.sa, IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
		ike_sa_add_transform(&p.u.sa, IKE_TT_KE, IKE_KE_MODP2048, 0);
	}
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_esp_sa(struct ike_msg_builder *mb, uint32_t spi)
{
	static struct ike_payload p;
	uint8_t s[4];

	ike_put32(s, spi);
	memset(&p, 0, sizeof p);
	p.type = IKE_PL_SA;
	ike_sa_add_proposal(&p.u.sa, 1, IKE_PROTO_ESP, s, 4);
	ike_sa_add_transform(&p.u.sa, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	ike_sa_add_transform(&p.u.sa, IKE_TT_ESN, IKE_ESN_NO, 0);
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_simple(struct ike_msg_builder *mb, uint8_t type, size_t len, uint8_t seed)
{
	uint8_t body[512];

	tm_fill(body, len, seed);
	return ike_msg_build_add_raw(mb, type, 0, body, len);
}

static inline int tm_add_ke(struct ike_msg_builder *mb, uint16_t group, size_t len)
{
	uint8_t data[256];
	struct ike_payload p;

	tm_fill(data, len, 0x33);
	memset(&p, 0, sizeof p);
	p.type = IKE_PL_KE;
	p.u.ke.group = group;
	p.u.ke.data = data;
	p.u.ke.len = len;
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_ts(struct ike_msg_builder *mb, uint8_t type, int v6)
{
	struct ike_payload p;

	memset(&p, 0, sizeof p);
	p.type = type;
	p.u.ts.n = v6 ? 2 : 1;
	p.u.ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	p.u.ts.ts[0].end_port = 65535;
	p.u.ts.ts[0].start[0] = 10;
	p.u.ts.ts[0].end[0] = 10;
	p.u.ts.ts[0].end[1] = p.u.ts.ts[0].end[2] = p.u.ts.ts[0].end[3] = 255;
	if (v6) {
		p.u.ts.ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
		p.u.ts.ts[1].ip_proto = 6;
		p.u.ts.ts[1].start_port = p.u.ts.ts[1].end_port = 443;
		p.u.ts.ts[1].start[0] = p.u.ts.ts[1].end[0] = 0x20;
		p.u.ts.ts[1].start[1] = p.u.ts.ts[1].end[1] = 0x01;
		memset(p.u.ts.ts[1].end + 8, 0xff, 8);
	}
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_id(struct ike_msg_builder *mb, uint8_t type, uint8_t id_type, const char *s)
{
	struct ike_payload p;
	static const uint8_t v4[4] = {192, 0, 2, 1};

	memset(&p, 0, sizeof p);
	p.type = type;
	p.u.id.type = id_type;
	if (id_type == IKE_ID_IPV4_ADDR) {
		p.u.id.data = v4;
		p.u.id.len = 4;
	} else {
		p.u.id.data = (const uint8_t *)s;
		p.u.id.len = strlen(s);
	}
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_auth(struct ike_msg_builder *mb, uint8_t method, size_t len)
{
	uint8_t data[256];
	struct ike_payload p;

	tm_fill(data, len, 0x55);
	memset(&p, 0, sizeof p);
	p.type = IKE_PL_AUTH;
	p.u.auth.method = method;
	p.u.auth.data = data;
	p.u.auth.len = len;
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_cert(struct ike_msg_builder *mb, uint8_t type, size_t len)
{
	uint8_t data[512];
	struct ike_payload p;

	tm_fill(data, len, 0x77);
	memset(&p, 0, sizeof p);
	p.type = type;
	p.u.cert.encoding = IKE_CERT_X509_SIG;
	p.u.cert.data = data;
	p.u.cert.len = len;
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_cp(struct ike_msg_builder *mb, int reply)
{
	static const uint8_t addr[4] = {10, 1, 0, 2}, dns[4] = {10, 1, 0, 1};
	static const char dom[] = "corp.example";
	struct ike_payload p;

	memset(&p, 0, sizeof p);
	p.type = IKE_PL_CP;
	p.u.cp.type = reply ? IKE_CFG_REPLY : IKE_CFG_REQUEST;
	p.u.cp.n = 3;
	p.u.cp.a[0].type = IKE_CPA_INTERNAL_IP4_ADDRESS;
	p.u.cp.a[1].type = IKE_CPA_INTERNAL_IP4_DNS;
	p.u.cp.a[2].type = IKE_CPA_INTERNAL_DNS_DOMAIN;
	if (reply) {
		p.u.cp.a[0].val = addr;
		p.u.cp.a[0].len = 4;
		p.u.cp.a[1].val = dns;
		p.u.cp.a[1].len = 4;
		p.u.cp.a[2].val = (const uint8_t *)dom;
		p.u.cp.a[2].len = sizeof dom - 1;
	}
	return ike_msg_build_add(mb, &p);
}

static inline int tm_add_delete(struct ike_msg_builder *mb, uint8_t proto)
{
	static const uint8_t spis[8] = {0xc0, 0xff, 0xee, 0x01, 0xc0, 0xff, 0xee, 0x02};
	struct ike_payload p;

	memset(&p, 0, sizeof p);
	p.type = IKE_PL_DELETE;
	p.u.del.proto = proto;
	if (proto != IKE_PROTO_IKE) {
		p.u.del.spi_size = 4;
		p.u.del.n_spi = 2;
		p.u.del.spis = spis;
	}
	return ike_msg_build_add(mb, &p);
}

/* ---- messages ----------------------------------------------------------- */

/* IKE_SA_INIT request (§1.2): HDR, SAi1, KEi, Ni, N(NAT_D)x2, N(FRAG), N(SIG_HASH), V */
static inline int tm_sa_init_req(struct tmsg *t)
{
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_SA_INIT, 0, 1, 0);
	uint8_t natd[20];
	static const uint8_t hashes[6] = {0, 2, 0, 3, 0, 4};

	ike_msg_build_init(&mb, t->buf, sizeof t->buf, &h);
	tm_add_ike_sa(&mb, 2, NULL);
	tm_add_ke(&mb, IKE_KE_ECP256, 64);
	tm_add_simple(&mb, IKE_PL_NONCE, 32, 0x21);
	tm_fill(natd, 20, 0xa0);
	tm_add_notify(&mb, IKE_N_NAT_DETECTION_SOURCE_IP, natd, 20);
	tm_fill(natd, 20, 0xb0);
	tm_add_notify(&mb, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, 20);
	tm_add_notify(&mb, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	tm_add_notify(&mb, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes, sizeof hashes);
	tm_add_simple(&mb, IKE_PL_VENDOR, 16, 0xee);
	return ike_msg_build_finish(&mb, &t->len);
}

/* IKE_SA_INIT response (§1.2): HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_D)x2, N(FRAG) */
static inline int tm_sa_init_resp(struct tmsg *t)
{
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_SA_INIT, 1, 0, 0);
	uint8_t natd[20];

	ike_msg_build_init(&mb, t->buf, sizeof t->buf, &h);
	tm_add_ike_sa(&mb, 1, NULL);
	tm_add_ke(&mb, IKE_KE_ECP256, 64);
	tm_add_simple(&mb, IKE_PL_NONCE, 32, 0x22);
	tm_add_cert(&mb, IKE_PL_CERTREQ, 40);
	tm_fill(natd, 20, 0xc0);
	tm_add_notify(&mb, IKE_N_NAT_DETECTION_SOURCE_IP, natd, 20);
	tm_add_notify(&mb, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, 20);
	tm_add_notify(&mb, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	return ike_msg_build_finish(&mb, &t->len);
}

/* IKE_SA_INIT response with one error or cookie Notify alone (§2.6, §1.2) */
static inline int tm_sa_init_notify(struct tmsg *t, uint16_t type)
{
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_SA_INIT, 1, 0, 0);
	uint8_t data[32];
	size_t len = type == IKE_N_COOKIE ? 32 : type == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0;

	h.spi_r = 0;
	tm_fill(data, sizeof data, 0x5a);
	if (type == IKE_N_INVALID_KE_PAYLOAD) {
		data[0] = 0;
		data[1] = IKE_KE_CURVE25519;
	}
	ike_msg_build_init(&mb, t->buf, sizeof t->buf, &h);
	tm_add_notify(&mb, type, data, len);
	return ike_msg_build_finish(&mb, &t->len);
}

/* tm_inner_fn adds the inner payloads of an encrypted message */
typedef int (*tm_inner_fn)(struct ike_msg_builder *mb);

/* IKE_AUTH request (§1.2) */
static inline int tm_inner_auth_req(struct ike_msg_builder *mb)
{
	tm_add_id(mb, IKE_PL_IDI, IKE_ID_FQDN, "client.example");
	tm_add_cert(mb, IKE_PL_CERT, 300);
	tm_add_notify(mb, IKE_N_INITIAL_CONTACT, NULL, 0);
	tm_add_cert(mb, IKE_PL_CERTREQ, 20);
	tm_add_id(mb, IKE_PL_IDR, IKE_ID_FQDN, "gw.example");
	tm_add_auth(mb, IKE_AUTHM_DIGITAL_SIGNATURE, 80);
	tm_add_cp(mb, 0);
	tm_add_esp_sa(mb, 0xc0ffee01);
	tm_add_ts(mb, IKE_PL_TSI, 0);
	tm_add_ts(mb, IKE_PL_TSR, 1);
	return tm_add_notify(mb, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
}

/* IKE_AUTH response (§1.2) */
static inline int tm_inner_auth_resp(struct ike_msg_builder *mb)
{
	tm_add_id(mb, IKE_PL_IDR, IKE_ID_IPV4_ADDR, NULL);
	tm_add_auth(mb, IKE_AUTHM_PSK, 32);
	tm_add_cp(mb, 1);
	tm_add_esp_sa(mb, 0xc0ffee02);
	tm_add_ts(mb, IKE_PL_TSI, 0);
	return tm_add_ts(mb, IKE_PL_TSR, 0);
}

/* IKE_AUTH response carrying EAP (§2.16) */
static inline int tm_inner_auth_resp_eap(struct ike_msg_builder *mb)
{
	static const uint8_t eap[5] = {1, 1, 0, 5, 1}; /* Request, id 1, Identity */

	tm_add_id(mb, IKE_PL_IDR, IKE_ID_FQDN, "gw.example");
	tm_add_auth(mb, IKE_AUTHM_RSA_SIG, 64);
	return ike_msg_build_add_raw(mb, IKE_PL_EAP, 0, eap, sizeof eap);
}

/* CREATE_CHILD_SA request rekeying a Child SA (§1.3.3) */
static inline int tm_inner_child_req(struct ike_msg_builder *mb)
{
	struct ike_payload p;
	uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};

	memset(&p, 0, sizeof p);
	p.type = IKE_PL_NOTIFY;
	p.u.notify.proto = IKE_PROTO_ESP;
	p.u.notify.spi_size = 4;
	memcpy(p.u.notify.spi, spi, 4);
	p.u.notify.type = IKE_N_REKEY_SA;
	ike_msg_build_add(mb, &p);
	tm_add_esp_sa(mb, 0xc0ffee11);
	tm_add_simple(mb, IKE_PL_NONCE, 32, 0x23);
	tm_add_ke(mb, IKE_KE_CURVE25519, 32);
	tm_add_ts(mb, IKE_PL_TSI, 0);
	return tm_add_ts(mb, IKE_PL_TSR, 0);
}

/* CREATE_CHILD_SA response (§1.3.1) */
static inline int tm_inner_child_resp(struct ike_msg_builder *mb)
{
	tm_add_esp_sa(mb, 0xc0ffee12);
	tm_add_simple(mb, IKE_PL_NONCE, 32, 0x24);
	tm_add_ke(mb, IKE_KE_CURVE25519, 32);
	tm_add_ts(mb, IKE_PL_TSI, 0);
	return tm_add_ts(mb, IKE_PL_TSR, 0);
}

/* CREATE_CHILD_SA request rekeying the IKE SA (§1.3.2) */
static inline int tm_inner_ike_rekey(struct ike_msg_builder *mb)
{
	static const uint8_t spi[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	tm_add_ike_sa(mb, 1, spi);
	tm_add_simple(mb, IKE_PL_NONCE, 32, 0x25);
	return tm_add_ke(mb, IKE_KE_ECP256, 64);
}

/* INFORMATIONAL request deleting Child SAs and the IKE SA (§1.4.1) */
static inline int tm_inner_info_delete(struct ike_msg_builder *mb)
{
	tm_add_delete(mb, IKE_PROTO_ESP);
	return tm_add_delete(mb, IKE_PROTO_IKE);
}

/* INFORMATIONAL: empty (liveness check, §2.4) */
static inline int tm_inner_empty(struct ike_msg_builder *mb)
{
	return mb->err;
}

/* tm_sk builds HDR, SK {inner} protected with |prot|; keeps the inner chain in t->inner. */
static inline int tm_sk(struct tmsg *t, enum tm_prot prot, uint8_t exchange, int response, uint32_t mid,
			tm_inner_fn inner)
{
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(exchange, response, !response, mid);
	struct ike_sk_seal s;
	size_t iv, icv, blk;
	int rc;

	tm_params(prot, &iv, &icv, &blk);
	ike_msg_build_init(&mb, t->buf, sizeof t->buf, &h);
	ike_msg_build_sk_begin(&mb, iv, icv, blk);
	inner(&mb);
	rc = ike_msg_build_sk_end(&mb, &s);
	if (rc < 0)
		return rc;
	t->first_inner = t->buf[IKE_HDR_LEN];
	t->inner_len = s.plain_len - 1 - s.plain[s.plain_len - 1];
	memcpy(t->inner, s.plain, t->inner_len);
	t->len = s.msg_len;
	return tm_seal(prot, &s);
}

/*
 * tm_skf builds fragment |num| of |total| of an IKE_AUTH request whose
 * inner chain is cut into |total| equal pieces (RFC 7383 §2.5).
 */
static inline int tm_skf(struct tmsg *t, enum tm_prot prot, uint16_t num, uint16_t total)
{
	struct tmsg whole;
	struct ike_msg_builder mb;
	struct ike_hdr h = tm_hdr(IKE_AUTH, 0, 1, 1);
	struct ike_sk_seal s;
	size_t iv, icv, blk, piece, off, n;
	int rc;

	rc = tm_sk(&whole, TM_CLEAR, IKE_AUTH, 0, 1, tm_inner_auth_req);
	if (rc < 0)
		return rc;
	piece = (whole.inner_len + total - 1) / total;
	off = piece * (num - 1u);
	n = off >= whole.inner_len ? 0 : whole.inner_len - off < piece ? whole.inner_len - off : piece;
	tm_params(prot, &iv, &icv, &blk);
	ike_msg_build_init(&mb, t->buf, sizeof t->buf, &h);
	ike_msg_build_skf_begin(&mb, num, total, whole.first_inner, iv, icv, blk);
	ike_msg_build_sk_raw(&mb, whole.inner + off, n);
	rc = ike_msg_build_sk_end(&mb, &s);
	if (rc < 0)
		return rc;
	memcpy(t->inner, whole.inner + off, n);
	t->inner_len = n;
	t->first_inner = whole.first_inner;
	t->len = s.msg_len;
	return tm_seal(prot, &s);
}

#endif
