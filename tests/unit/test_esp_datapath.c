/*
 * test_esp_datapath.c — esp_seal / esp_open over every transform in
 * crypto.h: round trips with and without ESN, published known-answer ESP
 * packets (RFC 7634 Appendix A; draft-mcgrew-gcm-test-01), golden packets,
 * tampering with each field, truncation at every length, and authentic
 * packets with bad contents (padding, next header, inner header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "tests/lib/testutil.h"

/* ---------------------------------------------------------------------- */
/* Fixtures                                                                */

struct alg {
	const char *name;
	enum crypto_aead_alg alg;
	uint8_t enc_first;  /* keys are enc_first, enc_first+1, ... */
	size_t enc_len;     /* with the salt for AEAD */
	const char *salt;   /* hex, AEAD only */
	uint8_t integ_first;
	size_t integ_len;
};

static const struct alg algs[] = {
	{"aes128gcm16", CRYPTO_AES_GCM_16, 0x10, 20, "a0a1a2a3", 0, 0},
	{"aes256gcm16", CRYPTO_AES_GCM_16, 0x20, 36, "a4a5a6a7", 0, 0},
	{"chacha20poly1305", CRYPTO_CHACHA20_POLY1305, 0x40, 36, "a8a9aaab", 0, 0},
	{"aes128-sha256", CRYPTO_AES_CBC_HMAC_SHA256_128, 0x60, 16, NULL, 0x70, 32},
	{"aes256-sha256", CRYPTO_AES_CBC_HMAC_SHA256_128, 0x90, 32, NULL, 0xb0, 32},
	{"3des-sha1", CRYPTO_3DES_CBC_HMAC_SHA1_96, 0xd0, 24, NULL, 0xe8, 20},
};
#define NALGS (sizeof algs / sizeof algs[0])
#define SPI 0x12345678u

/* count_rng: octets 0, 1, 2, ... per SA, so CBC IVs are known. Not random! */
static int count_fill(void *ctx, uint8_t *out, size_t len)
{
	unsigned *next = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*next)++;
	return 0;
}

struct pair {
	struct esp_sa *out, *in;
	unsigned rng_next;
};

static void keys(const struct alg *a, uint8_t *enc, uint8_t *integ)
{
	size_t klen = a->salt ? a->enc_len - 4 : a->enc_len;

	for (size_t i = 0; i < klen; i++)
		enc[i] = (uint8_t)(a->enc_first + i);
	if (a->salt)
		hex_decode(a->salt, enc + klen, 4);
	for (size_t i = 0; i < a->integ_len; i++)
		integ[i] = (uint8_t)(a->integ_first + i);
}

static struct esp_sa *make_sa(const struct alg *a, enum esp_dir dir, int esn, uint32_t window,
			      unsigned *rng_next)
{
	uint8_t enc[64], integ[64];
	struct esp_sa_cfg cfg = {
		.spi = SPI,
		.dir = dir,
		.alg = a->alg,
		.enc_key = enc,
		.enc_key_len = a->enc_len,
		.integ_key = a->integ_len ? integ : NULL,
		.integ_key_len = a->integ_len,
		.esn = esn,
		.replay_window = window,
		.rng = {count_fill, rng_next},
	};
	char msg[200];
	int err = 1;
	struct esp_sa *sa;

	keys(a, enc, integ);
	if (esp_sa_cfg_check(&cfg, msg, sizeof msg))
		fail_msg("%s: %s", a->name, msg);
	sa = esp_sa_new(&cfg, &err);
	if (!sa)
		fail_msg("%s: esp_sa_new: %s", a->name, esp_strerror(err));
	return sa;
}

static void pair_init(struct pair *p, const struct alg *a, int esn)
{
	p->rng_next = 0;
	p->out = make_sa(a, ESP_DIR_OUT, esn, 0, &p->rng_next);
	p->in = make_sa(a, ESP_DIR_IN, esn, 0, NULL);
}

static void pair_free(struct pair *p)
{
	esp_sa_free(p->out);
	esp_sa_free(p->in);
}

/* inner_ipv4 writes an IPv4 packet of |len| octets (>= 20) at |p|. */
static void inner_ipv4(uint8_t *p, size_t len, uint8_t fill)
{
	p[0] = 0x45;
	p[1] = 0;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memset(p + 4, 0, 16);
	p[8] = 64;
	p[9] = 1;
	for (size_t i = 20; i < len; i++)
		p[i] = (uint8_t)(fill + i);
}

/* The inner packet of the golden packets: 60 octets, IPv4 ICMP to 198.51.100.1. */
static const char golden_inner[] = "4500003c000100004001 0000 c0000201 c6336401"
				   "000102030405060708090a0b0c0d0e0f1011121314151617"
				   "18191a1b1c1d1e1f2021222324252627";

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------------------------- */
/* Round trips                                                             */

static void roundtrip(const struct alg *a, int esn, uint64_t start)
{
	static const size_t sizes[] = {20, 21, 22, 23, 24, 40, 63, 64, 65, 100, 512, 1400, 1500, 8192};
	struct pair p;
	uint8_t *buf = malloc(ESP_HEADROOM + 8192 + ESP_TAILROOM);
	uint8_t *ref = malloc(8192);

	assert_non_null(buf);
	assert_non_null(ref);
	pair_init(&p, a, esn);
	if (start) {
		assert_int_equal(esp_sa_seq_sync(p.out, start), ESP_OK);
		assert_int_equal(esp_sa_seq_sync(p.in, start), ESP_OK);
	}
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			const struct crypto_aead_info *info = esp_sa_info(p.out);
			size_t n = sizes[i], hl = esp_sa_headroom(p.out);
			struct esp_pkt pk = {buf, ESP_HEADROOM + n + esp_sa_tailroom(p.out, n),
					     ESP_HEADROOM, n};
			struct esp_rx rx;
			uint64_t seq;
			int rc;

			inner_ipv4(buf + ESP_HEADROOM, n, (uint8_t)(i + round));
			memcpy(ref, buf + ESP_HEADROOM, n);
			rc = esp_seal(p.out, &pk, ESP_NH_IPV4);
			if (rc)
				fail_msg("%s esn=%d len %zu: seal: %s", a->name, esn, n, esp_strerror(rc));
			seq = esp_sa_seq(p.out);
			/* layout: SPI, low 32 bits of seq, IV, ciphertext (aligned), ICV */
			assert_int_equal(pk.off, ESP_HEADROOM - hl);
			assert_int_equal(get32(buf + pk.off), SPI);
			assert_int_equal(get32(buf + pk.off + 4), (uint32_t)seq);
			assert_int_equal((pk.len - hl - info->icv_len) % info->pad_align, 0);
			assert_int_equal(pk.len, hl + n + esp_sa_tailroom(p.out, n));
			if (info->aead)
				assert_true(get64(buf + pk.off + 8) == seq); /* IV = 64-bit seq */
			rc = esp_open(p.in, &pk, &rx);
			if (rc)
				fail_msg("%s esn=%d len %zu seq %llx: open: %s", a->name, esn, n,
					 (unsigned long long)seq, esp_strerror(rc));
			assert_int_equal(pk.off, ESP_HEADROOM);
			assert_int_equal(pk.len, n);
			assert_memory_equal(buf + pk.off, ref, n);
			assert_true(rx.seq == seq);
			assert_int_equal(rx.spi, SPI);
			assert_int_equal(rx.next_header, ESP_NH_IPV4);
			assert_int_equal(rx.authenticated, 1);
			assert_true(esp_sa_seq(p.in) == seq);
		}
	}
	pair_free(&p);
	free(buf);
	free(ref);
}

static void test_roundtrip_all(void **state)
{
	for (size_t i = 0; i < NALGS; i++) {
		roundtrip(&algs[i], 0, 0);
		roundtrip(&algs[i], 1, 0);
		/* ESN across the low-32-bit wrap: 42 packets from 2^32 - 20 */
		roundtrip(&algs[i], 1, UINT32_MAX - 20);
		/* and at a high subspace */
		roundtrip(&algs[i], 1, UINT64_C(0x8765432100000000) - 10);
	}
}

/* A sender and receiver that disagree on ESN never agree on an ICV (seq_hi in AAD/ICV). */
static void test_esn_mismatch_fails_icv(void **state)
{
	for (size_t i = 0; i < NALGS; i++) {
		unsigned r = 0;
		struct esp_sa *out = make_sa(&algs[i], ESP_DIR_OUT, 1, 0, &r);
		struct esp_sa *in = make_sa(&algs[i], ESP_DIR_IN, 0, 0, NULL);
		uint8_t buf[256];
		struct esp_pkt pk = {buf, sizeof buf, ESP_HEADROOM, 60};
		int rc;

		inner_ipv4(buf + ESP_HEADROOM, 60, 1);
		assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_OK);
		rc = esp_open(in, &pk, NULL);
		/* seq_hi is 0 here: for AEAD the AAD length differs, for HMAC 4 more octets */
		if (rc != ESP_EICV)
			fail_msg("%s: %s", algs[i].name, esp_err_name(rc));
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* ---------------------------------------------------------------------- */
/* Published known-answer ESP packets                                      */

struct kat {
	const char *source;
	enum crypto_aead_alg alg;
	const char *key;       /* enc key || salt */
	int esn;
	uint64_t seq;          /* full sequence number */
	const char *packet;    /* the ESP packet from the SPI on */
	const char *plaintext; /* the decrypted payload including the ESP trailer */
	int want;              /* ESP_OK, or ESP_ENEXTHDR for the vectors with Next Header 1 */
};

static const struct kat kats[] = {
	{"RFC 7634 Appendix A (ChaCha20-Poly1305, tunnel mode)", CRYPTO_CHACHA20_POLY1305,
	 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3", 0, 5,
	 "01020304 00000005 1011121314151617"
	 "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
	 "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
	 "cbec163fac469b502773f6fb94e664da9165b82829f641e0"
	 "76aaa8266b7fb0f7b11b369907e1ad43",
	 "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
	 "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	 "2425262728292a2b2c2d2e2f3031323334353637 01020204",
	 ESP_OK},
	{"draft-mcgrew-gcm-test-01 case 1 (AES-128, 64-bit seq)", CRYPTO_AES_GCM_16,
	 "4c80cdefbb5d10da906ac73c3613a634 2e443b68", 1, UINT64_C(0x8765432100000000),
	 "00004321 00000000 4956ed7e3b244cfe"
	 "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	 "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	 "61bc17d768fd9732459018148f6cbe722fd04796562dfdb4",
	 "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	 "00000000045f736970045f756470037369700963796265726369747902646b00"
	 "0021000101020201",
	 ESP_ENEXTHDR},
	{"draft-mcgrew-gcm-test-01 case 3 (AES-256)", CRYPTO_AES_GCM_16,
	 "abbccddef00112233445566778899aababbccddef00112233445566778899aab 11223344", 0, 2,
	 "4a2cbfe3 00000002 0102030405060708"
	 "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
	 "748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c49"
	 "15956c96",
	 "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	 "7002400020bf0000020405b40101040201020201",
	 ESP_ENEXTHDR},
	{"draft-mcgrew-gcm-test-01 (AES-128, seq 2^32-1, empty payload)", CRYPTO_AES_GCM_16,
	 "7d773d00c144c525ac619d18c84a3f47 d9664267", 0, 0xffffffffu,
	 "335467ae ffffffff 43457e9182443bc6"
	 "437f866bcb3f699fe9b0822bac961c4504bef270",
	 "01020201", ESP_ENEXTHDR},
	{"draft-mcgrew-gcm-test-01 (AES-256, 64-bit seq 2^64-1)", CRYPTO_AES_GCM_16,
	 "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961 7475726e", 1,
	 UINT64_MAX,
	 "796b6963 ffffffff 333021696765746d"
	 "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86"
	 "4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a32"
	 "9fb4c053",
	 "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	 "65666768696a6b6c6d6e6f707172737401020201",
	 ESP_ENEXTHDR},
};

static void test_published_packets(void **state)
{
	for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
		const struct kat *k = &kats[i];
		size_t key_len, pkt_len, pt_len;
		uint8_t *key = hex_alloc(k->key, &key_len);
		uint8_t *pkt = hex_alloc(k->packet, &pkt_len);
		uint8_t *pt = hex_alloc(k->plaintext, &pt_len);
		struct esp_sa_cfg cfg = {.spi = get32(pkt), .dir = ESP_DIR_IN, .alg = k->alg,
					 .enc_key = key, .enc_key_len = key_len, .esn = k->esn};
		int err = 0, rc;
		struct esp_sa *sa = esp_sa_new(&cfg, &err);
		struct esp_pkt p = {pkt, pkt_len, 0, pkt_len};
		struct esp_rx rx;

		if (!sa)
			fail_msg("%s: esp_sa_new: %s", k->source, esp_strerror(err));
		/* the receiver has seen everything before: Seq_hi is inferred from it */
		assert_int_equal(esp_sa_seq_sync(sa, k->seq - 1), ESP_OK);
		rc = esp_open(sa, &p, &rx);
		if (rc != k->want)
			fail_msg("%s: %s, want %s", k->source, esp_err_name(rc), esp_err_name(k->want));
		assert_true(rx.seq == k->seq);
		assert_int_equal(rx.authenticated, 1);
		assert_int_equal(rx.next_header, pt[pt_len - 1]);
		assert_int_equal(rx.pad_len, pt[pt_len - 2]);
		assert_int_equal(p.len, pt_len - 2 - pt[pt_len - 2]);
		assert_memory_equal(pkt + p.off, pt, p.len);
		esp_sa_free(sa);
		free(key);
		free(pkt);
		free(pt);
	}
}

/* ---------------------------------------------------------------------- */
/* Golden packets (self-made)                                              */

/*
 * SELF-MADE golden packets: no published ESP packet exists for the CBC
 * transforms or for our counter IV. These bytes were computed independently
 * of this code base with Python's 'cryptography' package (AESGCM,
 * ChaCha20Poly1305, AES/3DES-CBC) and hmac, from the RFC constructions:
 * inner = golden_inner, SPI 0x12345678, keys as in algs[], IV = 64-bit seq
 * (AEAD) or the first octets 00 01 02 ... of count_rng (CBC); seq 1, and
 * seq 2^33+5 with ESN (distinct halves, so their order in the AAD/ICV
 * matters). They catch any change of the wire format.
 */
static const char *const golden[2][NALGS] = {
	{
		/* aes128gcm16 */
		"12345678000000010000000000000001d2302bc59a2cb42d3953643e86eb6b7e"
		"4b3b380816fa4eac0452b9bfb001f06c4691de311f09bb26dfe242f915c9aaa6"
		"a9ebbce0b16aced945bc80fe2d30c2cdb423420a8ed100bcb7451333e7547d74",
		/* aes256gcm16 */
		"12345678000000010000000000000001624dc424ad0714d2e19da065e7fe962f"
		"ca558790afdbfbe7da8556c1cb1759eeed3409d93b5d7f4c6602cffee0774b8c"
		"b082c50d781c21c71c109c2f2d1d43b95aaeae13ba55d0b340f47a68a8e91ba6",
		/* chacha20poly1305 */
		"12345678000000010000000000000001cbf33b0e63a81fd052e635094962609d"
		"5454f2e5f88d3f4ac2f07dbe0852040973f0b0e876d9f66b48b887d248b08677"
		"99b328622dcad922ea5948acf4d5631dac7aa39d493c0fcd2bd2ce885f83991a",
		/* aes128-sha256 */
		"1234567800000001000102030405060708090a0b0c0d0e0fdb9eddb1baa17c93"
		"0af6c3cdde96cabe8eb8d6ca75fa3e8b57340c6ac2d459cb72c4fd68e267ce20"
		"8d77614af3ee99808ae50052c1e60b927a2c82adf7bc159a7ea06eae61f5ddaf"
		"27b14c6b94c5bd54",
		/* aes256-sha256 */
		"1234567800000001000102030405060708090a0b0c0d0e0f3e307a7727af8fa2"
		"ff8d6846d529253208436bfb3902d34af80903aebc715cc7d79759d580d9ded4"
		"44e74497dc2b7cf3cf8c2167b326e1e55ec7e076ba6f66f59a4798ea2b10ef48"
		"e07814f9eebf50f2",
		/* 3des-sha1 */
		"12345678000000010001020304050607cf6f3602c7f39e55469660ccfb3b28ed"
		"7f473701263fbdb335a41091ffa8d4a7fb0be5f73c165871d61893ff5d0b50bc"
		"0504f62c8844b86276594d054c13c73a1350c1fec6d4bc4879081154",
	},
	{
		/* aes128gcm16, ESN seq 2^33+5 (seq_hi 2, seq_lo 5) */
		"12345678000000050000000200000005138805c4867109a124bbd31763c7b26c"
		"c08ba845ee6d0f194a0280d8e2cfde6c537175d74766bc212cdd10c17a2469c0"
		"cfa53df50aedb45e509280121fdcb95cc5941cc4d484683529bbaff28e60aad1",
		/* aes256gcm16 */
		"123456780000000500000002000000053eccca713536f900fbbe795c5f2857fb"
		"0a1a6bef1b2e77e10715e7c152e49ea7fdaa3bc8a69c709147a1821706623a1c"
		"1169e7ad1c183860c8cf0f983a96cbf709b3529a429eb3535c376912f97726a2",
		/* chacha20poly1305 */
		"1234567800000005000000020000000568c48dabdece7bdb992abd47f825ffd0"
		"3743558e196b0c96a9a6e641458c842fe82277aa2fb7e03a0385441b6e34f541"
		"11505d6f0bce0f069be6ecd030dce8eb978ca77705fa6cb46fbfc2225b5f1e7f",
		/* aes128-sha256: same ciphertext as without ESN, ICV covers seq_hi */
		"1234567800000005000102030405060708090a0b0c0d0e0fdb9eddb1baa17c93"
		"0af6c3cdde96cabe8eb8d6ca75fa3e8b57340c6ac2d459cb72c4fd68e267ce20"
		"8d77614af3ee99808ae50052c1e60b927a2c82adf7bc159a6c048fd7184fe675"
		"c4b42f17cde09a50",
		/* aes256-sha256 */
		"1234567800000005000102030405060708090a0b0c0d0e0f3e307a7727af8fa2"
		"ff8d6846d529253208436bfb3902d34af80903aebc715cc7d79759d580d9ded4"
		"44e74497dc2b7cf3cf8c2167b326e1e55ec7e076ba6f66f537cacce85547b683"
		"9be2bcea72cd0fa9",
		/* 3des-sha1 */
		"12345678000000050001020304050607cf6f3602c7f39e55469660ccfb3b28ed"
		"7f473701263fbdb335a41091ffa8d4a7fb0be5f73c165871d61893ff5d0b50bc"
		"0504f62c8844b86276594d054c13c73acea7c138fb4aa810e318180a",
	},
};

static void test_golden_packets(void **state)
{
	for (int esn = 0; esn <= 1; esn++) {
		for (size_t i = 0; i < NALGS; i++) {
			struct pair p;
			uint8_t buf[256];
			size_t want_len, inner_len;
			uint8_t *want = hex_alloc(golden[esn][i], &want_len);
			uint8_t *inner = hex_alloc(golden_inner, &inner_len);
			struct esp_pkt pk = {buf, sizeof buf, ESP_HEADROOM, inner_len};
			char hex[600];

			pair_init(&p, &algs[i], esn);
			if (esn) {
				assert_int_equal(esp_sa_seq_sync(p.out, UINT64_C(0x200000004)), ESP_OK);
				assert_int_equal(esp_sa_seq_sync(p.in, UINT64_C(0x200000004)), ESP_OK);
			}
			memcpy(buf + ESP_HEADROOM, inner, inner_len);
			assert_int_equal(esp_seal(p.out, &pk, ESP_NH_IPV4), ESP_OK);
			if (pk.len != want_len || memcmp(buf + pk.off, want, want_len) != 0) {
				for (size_t k = 0; k < pk.len && 2 * k + 2 < sizeof hex; k++)
					snprintf(hex + 2 * k, 3, "%02x", buf[pk.off + k]);
				fail_msg("%s esn=%d golden differs:\n got %s", algs[i].name, esn, hex);
			}
			assert_int_equal(esp_open(p.in, &pk, NULL), ESP_OK);
			assert_memory_equal(buf + pk.off, inner, inner_len);
			pair_free(&p);
			free(want);
			free(inner);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Tampering and truncation                                                */

enum field { F_SPI, F_SEQ, F_SEQ_TO_ZERO, F_IV, F_CT_FIRST, F_CT_MID, F_PAD, F_ICV_FIRST, F_ICV_LAST };

static const struct {
	enum field f;
	const char *name;
	int want;
} tampers[] = {
	{F_SPI, "SPI", ESP_ESPI},
	{F_SEQ, "sequence number (to a new number)", ESP_EICV},
	{F_SEQ_TO_ZERO, "sequence number (to 0)", ESP_ESEQ_ZERO},
	{F_IV, "IV", ESP_EICV},
	{F_CT_FIRST, "first ciphertext octet", ESP_EICV},
	{F_CT_MID, "middle ciphertext octet", ESP_EICV},
	{F_PAD, "encrypted pad length", ESP_EICV},
	{F_ICV_FIRST, "first ICV octet", ESP_EICV},
	{F_ICV_LAST, "last ICV octet", ESP_EICV},
};

static void test_tamper_each_field(void **state)
{
	for (int esn = 0; esn <= 1; esn++) {
		for (size_t i = 0; i < NALGS; i++) {
			struct pair p;
			uint8_t pkt[256], copy[256];
			struct esp_pkt pk = {pkt, sizeof pkt, ESP_HEADROOM, 100};
			size_t hl, icv, ct_len;

			pair_init(&p, &algs[i], esn);
			hl = esp_sa_headroom(p.out);
			icv = esp_sa_info(p.out)->icv_len;
			inner_ipv4(pkt + ESP_HEADROOM, 100, 7);
			assert_int_equal(esp_seal(p.out, &pk, ESP_NH_IPV4), ESP_OK);
			ct_len = pk.len - hl - icv;
			for (size_t t = 0; t < sizeof tampers / sizeof tampers[0]; t++) {
				struct esp_pkt c = {copy, pk.len, 0, pk.len};
				uint8_t *b = copy;
				int rc;

				memcpy(copy, pkt + pk.off, pk.len);
				switch (tampers[t].f) {
				case F_SPI: b[3] ^= 0x01; break;
				case F_SEQ: b[4] ^= 0x80; break;
				case F_SEQ_TO_ZERO: b[7] = 0; break; /* seq was 1 */
				case F_IV: b[ESP_HDR_LEN + 1] ^= 0x01; break;
				case F_CT_FIRST: b[hl] ^= 0x01; break;
				case F_CT_MID: b[hl + ct_len / 2] ^= 0x80; break;
				case F_PAD: b[hl + ct_len - 2] ^= 0x01; break;
				case F_ICV_FIRST: b[hl + ct_len] ^= 0x01; break;
				case F_ICV_LAST: b[pk.len - 1] ^= 0x80; break;
				}
				rc = esp_open(p.in, &c, NULL);
				if (rc != tampers[t].want)
					fail_msg("%s esn=%d tampered %s: %s, want %s", algs[i].name, esn,
						 tampers[t].name, esp_err_name(rc),
						 esp_err_name(tampers[t].want));
				assert_int_equal(c.off, 0); /* span untouched on reject */
				assert_int_equal(c.len, pk.len);
			}
			/* none of that moved the window: the genuine packet still opens */
			assert_true(esp_sa_seq(p.in) == 0);
			assert_int_equal(esp_open(p.in, &pk, NULL), ESP_OK);
			pair_free(&p);
		}
	}
}

/* expected error for the packet cut to |k| octets */
static int truncated_want(size_t k, size_t full, size_t hl, size_t icv, size_t align)
{
	if (k < ESP_HDR_LEN || k < hl + ESP_TRAILER_LEN + icv)
		return ESP_ETRUNC;
	if ((k - hl - icv) % align)
		return ESP_EALIGN;
	return k == full ? ESP_OK : ESP_EICV;
}

static void test_truncated_every_length(void **state)
{
	for (int esn = 0; esn <= 1; esn++) {
		for (size_t i = 0; i < NALGS; i++) {
			struct pair p;
			uint8_t pkt[256];
			struct esp_pkt pk = {pkt, sizeof pkt, ESP_HEADROOM, 77};
			const struct crypto_aead_info *info;
			size_t hl;
			int seen_ok = 0;

			pair_init(&p, &algs[i], esn);
			info = esp_sa_info(p.in);
			hl = esp_sa_headroom(p.in);
			inner_ipv4(pkt + ESP_HEADROOM, 77, 3);
			assert_int_equal(esp_seal(p.out, &pk, ESP_NH_IPV4), ESP_OK);
			for (size_t k = 0; k <= pk.len; k++) {
				/* an exactly-sized heap copy: ASan catches any read past it */
				uint8_t *cut = malloc(k ? k : 1);
				struct esp_pkt c = {cut, k, 0, k};
				int want = truncated_want(k, pk.len, hl, info->icv_len, info->pad_align);
				int rc;

				memcpy(cut, pkt + pk.off, k);
				rc = esp_open(p.in, &c, NULL);
				if (rc != want)
					fail_msg("%s esn=%d cut to %zu of %zu: %s, want %s", algs[i].name,
						 esn, k, pk.len, esp_err_name(rc), esp_err_name(want));
				seen_ok += rc == ESP_OK;
				free(cut);
			}
			assert_int_equal(seen_ok, 1); /* only the whole packet, last */
			pair_free(&p);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Authentic packets with bad contents                                     */

/*
 * evil_seal is a sender that authenticates whatever it is given: |pt| is the
 * whole plaintext including its (possibly wrong) trailer. AES-128-GCM, seq
 * |seq|, IV = seq, SPI and key of algs[0]. Returns the packet length.
 */
static size_t evil_seal(uint8_t *out, uint32_t seq, const uint8_t *pt, size_t pt_len)
{
	uint8_t enc[20], integ[1];
	int err;
	struct crypto_aead *a;

	keys(&algs[0], enc, integ);
	a = crypto_aead_new(CRYPTO_AES_GCM_16, enc, sizeof enc, NULL, 0, &err);
	assert_non_null(a);
	out[0] = SPI >> 24;
	out[1] = (uint8_t)(SPI >> 16);
	out[2] = (uint8_t)(SPI >> 8);
	out[3] = (uint8_t)SPI;
	memset(out + 4, 0, 12);
	out[7] = (uint8_t)seq;
	out[15] = (uint8_t)seq;
	memcpy(out + 16, pt, pt_len);
	assert_int_equal(crypto_aead_seal(a, out, 8, out + 8, out + 16, pt_len, NULL, 0,
					  out + 16 + pt_len), CRYPTO_OK);
	crypto_aead_free(a);
	return 16 + pt_len + 16;
}

static void test_authentic_but_bad(void **state)
{
	static const struct {
		int n;
		const char *pt; /* hex; IPV4_20 is a valid 20-octet inner header */
		int want;
		size_t out_len;     /* p.len after open (payload or inner) */
		const char *what;
	} t[] = {
#define IPV4_20 "45000014000000004001000001020304 05060708"
		{1, IPV4_20 "0102 0204", ESP_OK, 20, "reference: good packet"},
		{2, IPV4_20 "010203040507 0604", ESP_EPAD, 0, "pad octets 1,2,3,4,5,7"},
		{3, IPV4_20 "0000 0204", ESP_EPAD, 0, "zero padding"},
		{4, IPV4_20 "0102 1704", ESP_EPAD, 0, "pad length 23 > the 22 octets before it"},
		{5, IPV4_20 "0102 ff04", ESP_EPAD, 0, "pad length 255"},
		{6, IPV4_20 "0102 023b", ESP_EDUMMY, 20, "next header 59: dummy"},
		{7, IPV4_20 "0102 0211", ESP_ENEXTHDR, 20, "next header 17 (UDP) in tunnel mode"},
		{8, IPV4_20 "0102 0229", ESP_ENEXTHDR, 20, "next header 41 (IPv6) not supported"},
		{9, "65000014000000004001000001020304 05060708 0102 0204", ESP_EINNER, 20,
		 "inner version 6 with next header 4"},
		{10, "45000015000000004001000001020304 05060708 0102 0204", ESP_EINNER, 20,
		 "inner total length 21 > 20 octets"},
		{11, "44000014000000004001000001020304 05060708 0102 0204", ESP_EINNER, 20,
		 "inner IHL 4 (16 octets)"},
		{12, "4500001000000000 0102 0204", ESP_EINNER, 8, "inner shorter than an IPv4 header"},
		{13, IPV4_20 "aabbccdd 0000 0004", ESP_OK, 20, "TFC padding after the inner packet"},
		{14, "0102 0204", ESP_EINNER, 0, "no inner packet at all"},
		{15, "0102030405060708090a0b0c0d0e0f10111213141516 163b", ESP_EDUMMY, 0,
		 "dummy packet that is all padding (22 octets)"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct pair p;
		uint8_t pt[128], pkt[256];
		long n = hex_decode(t[i].pt, pt, sizeof pt);
		size_t len;
		struct esp_pkt pk;
		struct esp_rx rx;
		int rc;

		assert_int_equal(t[i].n, (int)i + 1);
		assert_true(n > 0 && n % 4 == 0);
		pair_init(&p, &algs[0], 0);
		len = evil_seal(pkt, 1, pt, (size_t)n);
		pk = (struct esp_pkt){pkt, sizeof pkt, 0, len};
		rc = esp_open(p.in, &pk, &rx);
		if (rc != t[i].want)
			fail_msg("case %d (%s): %s, want %s", t[i].n, t[i].what, esp_err_name(rc),
				 esp_err_name(t[i].want));
		assert_int_equal(rx.authenticated, 1);
		/* authentic, so the window moved: a replay is now refused first */
		assert_true(esp_sa_seq(p.in) == 1);
		if (rc != ESP_EPAD) {
			assert_int_equal(pk.off, 16);
			assert_int_equal(pk.len, t[i].out_len);
		}
		pk = (struct esp_pkt){pkt, sizeof pkt, 0, evil_seal(pkt, 1, pt, (size_t)n)};
		assert_int_equal(esp_open(p.in, &pk, NULL), ESP_EREPLAY);
		pair_free(&p);
	}
}

/* esp_seal can send a dummy packet (§2.6); the receiver says so and drops it. */
static void test_dummy_packet(void **state)
{
	for (size_t i = 0; i < NALGS; i++) {
		struct pair p;
		uint8_t buf[128];
		struct esp_pkt pk = {buf, sizeof buf, ESP_HEADROOM, 0};
		struct esp_rx rx;

		pair_init(&p, &algs[i], 1);
		assert_int_equal(esp_seal(p.out, &pk, ESP_NH_NONE), ESP_OK);
		assert_int_equal(esp_open(p.in, &pk, &rx), ESP_EDUMMY);
		assert_int_equal(rx.next_header, ESP_NH_NONE);
		assert_int_equal(pk.len, 0);
		pair_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all),
		cmocka_unit_test(test_esn_mismatch_fails_icv),
		cmocka_unit_test(test_published_packets),
		cmocka_unit_test(test_golden_packets),
		cmocka_unit_test(test_tamper_each_field),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_authentic_but_bad),
		cmocka_unit_test(test_dummy_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
