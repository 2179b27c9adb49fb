/*
 * test_esp_sa.c — ESP SA life cycle around the datapath: configuration
 * errors, sequence number overflow (RFC 4303 §3.3.3), lifetimes, buffer
 * room, random source failure, the replay window seen through esp_open
 * (updated only after the ICV, §3.4.3), IV uniqueness, lookup by SPI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "tests/lib/testutil.h"

static const uint8_t gcm_key[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0xa, 0xb, 0xc, 0xd};
static const uint8_t cbc_key[16] = {0x11};
static const uint8_t sha_key[32] = {0x22};

static int count_fill(void *ctx, uint8_t *out, size_t len)
{
	unsigned *next = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*next)++;
	return 0;
}

static int broken_fill(void *ctx, uint8_t *out, size_t len)
{
	return CRYPTO_ERAND;
}

static struct esp_sa_cfg gcm_cfg(uint32_t spi, enum esp_dir dir, int esn)
{
	return (struct esp_sa_cfg){.spi = spi, .dir = dir, .alg = CRYPTO_AES_GCM_16,
				   .enc_key = gcm_key, .enc_key_len = sizeof gcm_key, .esn = esn};
}

static struct esp_sa *new_sa(const struct esp_sa_cfg *cfg)
{
	int err = 1;
	struct esp_sa *sa = esp_sa_new(cfg, &err);

	if (!sa)
		fail_msg("esp_sa_new: %s", esp_strerror(err));
	assert_int_equal(err, ESP_OK);
	return sa;
}

static void inner_ipv4(uint8_t *p, size_t len)
{
	memset(p, 0x5a, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

/* seal_one seals a |len|-octet inner packet into |buf| (>= 128 + len). */
static int seal_one(struct esp_sa *sa, uint8_t *buf, size_t len, struct esp_pkt *pk)
{
	*pk = (struct esp_pkt){buf, ESP_HEADROOM + len + ESP_TAILROOM, ESP_HEADROOM, len};
	inner_ipv4(buf + ESP_HEADROOM, len);
	return esp_seal(sa, pk, ESP_NH_IPV4);
}

/* ---------------------------------------------------------------------- */

static void test_config_errors(void **state)
{
	static unsigned rng_ctx;
	static const struct {
		int n;
		const char *field;  /* must appear in the message, with the value */
		const char *value;
	} t[] = {
		{1, "spi 0x00000000", "expected >= 0x100"},
		{2, "spi 0x000000ff", "reserved"},
		{3, "dir 7", "expected"},
		{4, "alg 99", "crypto_aead_alg"},
		{5, "enc_key_len 16 for AES-GCM-16", "+ 4 of salt"},
		{6, "enc_key_len 20 for AES-CBC", "16 or 32"},
		{7, "integ_key_len 32 for AES-GCM-16", "expected none"},
		{8, "integ_key_len 20 for AES-CBC", "expected 32 octets"},
		{9, "integ_key_len 0 for AES-CBC", "expected 32 octets"},
		{10, "replay_window 65537", "1..65536"},
		{11, "rng", "random source"},
		{12, "life.soft_packets 9", "hard_packets 5"},
		{13, "esn 2", "0 or 1"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct esp_sa_cfg c = gcm_cfg(0x1000, ESP_DIR_IN, 0);
		char msg[256];
		int err = 0;

		switch (t[i].n) {
		case 1: c.spi = 0; break;
		case 2: c.spi = 255; break;
		case 3: c.dir = (enum esp_dir)7; break;
		case 4: c.alg = (enum crypto_aead_alg)99; break;
		case 5: c.enc_key_len = 16; break;
		case 6:
			c.alg = CRYPTO_AES_CBC_HMAC_SHA256_128;
			c.enc_key_len = 20;
			c.integ_key = sha_key;
			c.integ_key_len = 32;
			break;
		case 7: c.integ_key = sha_key; c.integ_key_len = 32; break;
		case 8:
		case 9:
			c.alg = CRYPTO_AES_CBC_HMAC_SHA256_128;
			c.enc_key = cbc_key;
			c.enc_key_len = 16;
			c.integ_key = t[i].n == 8 ? sha_key : NULL;
			c.integ_key_len = t[i].n == 8 ? 20 : 0;
			break;
		case 10: c.replay_window = ESP_REPLAY_MAX + 1; break;
		case 11:
			c.dir = ESP_DIR_OUT;
			c.alg = CRYPTO_AES_CBC_HMAC_SHA256_128;
			c.enc_key = cbc_key;
			c.enc_key_len = 16;
			c.integ_key = sha_key;
			c.integ_key_len = 32;
			break;
		case 12: c.life.soft_packets = 9; c.life.hard_packets = 5; break;
		case 13: c.esn = 2; break;
		}
		assert_int_equal(esp_sa_cfg_check(&c, msg, sizeof msg), ESP_EINVAL);
		if (!strstr(msg, t[i].field) || !strstr(msg, t[i].value))
			fail_msg("case %d: message \"%s\" lacks \"%s\" / \"%s\"", t[i].n, msg, t[i].field,
				 t[i].value);
		assert_null(esp_sa_new(&c, &err));
		assert_int_equal(err, ESP_EINVAL);
	}

	/* and the good ones: every window size up to the maximum, CBC with an rng */
	struct esp_sa_cfg c = gcm_cfg(0x1000, ESP_DIR_IN, 1);
	c.replay_window = ESP_REPLAY_MAX;
	esp_sa_free(new_sa(&c));
	c.replay_window = 4096;
	esp_sa_free(new_sa(&c));
	c = (struct esp_sa_cfg){.spi = 0x100, .dir = ESP_DIR_OUT, .alg = CRYPTO_AES_CBC_HMAC_SHA256_128,
				.enc_key = cbc_key, .enc_key_len = 16, .integ_key = sha_key,
				.integ_key_len = 32, .rng = {count_fill, &rng_ctx}};
	esp_sa_free(new_sa(&c));
	esp_sa_free(NULL);
}

static void test_seq_overflow_without_esn(void **state)
{
	struct esp_sa_cfg c = gcm_cfg(0x1000, ESP_DIR_OUT, 0);
	struct esp_sa *sa = new_sa(&c);
	uint8_t buf[256];
	struct esp_pkt pk;

	assert_int_equal(esp_sa_life(sa), ESP_LIFE_OK);
	assert_int_equal(esp_sa_seq_sync(sa, UINT32_MAX - ESP_SEQ_SOFT_MARGIN), ESP_OK);
	assert_int_equal(esp_sa_life(sa), ESP_LIFE_OK);
	assert_int_equal(seal_one(sa, buf, 40, &pk), ESP_OK);
	assert_int_equal(esp_sa_life(sa), ESP_LIFE_SOFT); /* rekey now */
	assert_int_equal(esp_sa_seq_sync(sa, UINT32_MAX - 1), ESP_OK);
	assert_int_equal(seal_one(sa, buf, 40, &pk), ESP_OK); /* seq 2^32-1, the last one */
	assert_memory_equal(buf + pk.off + 4, "\xff\xff\xff\xff", 4);
	assert_int_equal(esp_sa_life(sa), ESP_LIFE_HARD);
	assert_int_equal(seal_one(sa, buf, 40, &pk), ESP_ESEQ_OVERFLOW);
	assert_int_equal(seal_one(sa, buf, 40, &pk), ESP_ESEQ_OVERFLOW); /* and stays so */
	assert_true(esp_sa_seq(sa) == UINT32_MAX);
	/* no going back (IV reuse), no going past the space */
	assert_int_equal(esp_sa_seq_sync(sa, 5), ESP_EINVAL);
	assert_int_equal(esp_sa_seq_sync(sa, UINT64_C(1) << 32), ESP_EINVAL);
	esp_sa_free(sa);
}

static void test_seq_with_esn_crosses_2_32(void **state)
{
	struct esp_sa_cfg co = gcm_cfg(0x1000, ESP_DIR_OUT, 1), ci = gcm_cfg(0x1000, ESP_DIR_IN, 1);
	struct esp_sa *out = new_sa(&co), *in = new_sa(&ci);
	uint8_t buf[256];
	struct esp_pkt pk;
	struct esp_rx rx;

	assert_int_equal(esp_sa_seq_sync(out, UINT32_MAX - 1), ESP_OK);
	assert_int_equal(esp_sa_seq_sync(in, UINT32_MAX - 1), ESP_OK);
	for (uint64_t want = UINT32_MAX; want <= UINT64_C(0x100000001); want++) {
		assert_int_equal(seal_one(out, buf, 40, &pk), ESP_OK);
		assert_int_equal(esp_sa_life(out), ESP_LIFE_OK);
		assert_int_equal(esp_open(in, &pk, &rx), ESP_OK);
		assert_true(rx.seq == want);
	}
	/* only the low 32 bits were on the wire: the last one was seq_lo 1 */
	assert_true(esp_sa_seq(in) == UINT64_C(0x100000001));

	/* the 64-bit space ends too */
	assert_int_equal(esp_sa_seq_sync(out, UINT64_MAX - 1), ESP_OK);
	assert_int_equal(seal_one(out, buf, 40, &pk), ESP_OK);
	assert_int_equal(esp_sa_life(out), ESP_LIFE_HARD);
	assert_int_equal(seal_one(out, buf, 40, &pk), ESP_ESEQ_OVERFLOW);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_lifetime_limits(void **state)
{
	struct esp_sa_cfg co = gcm_cfg(0x1000, ESP_DIR_OUT, 0), ci = gcm_cfg(0x1000, ESP_DIR_IN, 0);
	struct esp_sa *out, *in;
	uint8_t buf[256];
	struct esp_pkt pk[4];
	const struct esp_lifetime *lt;

	co.life = (struct esp_lifetime_cfg){.soft_packets = 2, .hard_packets = 3};
	ci.life = (struct esp_lifetime_cfg){.soft_bytes = 40, .hard_bytes = 80};
	out = new_sa(&co);
	in = new_sa(&ci);
	uint8_t bufs[4][256];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(seal_one(out, bufs[i], 40, &pk[i]), ESP_OK);
		assert_int_equal(esp_sa_life(out), i == 0 ? ESP_LIFE_OK : i == 1 ? ESP_LIFE_SOFT
									: ESP_LIFE_HARD);
	}
	assert_int_equal(seal_one(out, buf, 40, &pk[3]), ESP_EEXPIRED);
	lt = esp_sa_lifetime(out);
	assert_int_equal(lt->packets, 3);
	assert_int_equal(lt->bytes, 3 * 44); /* 40 + pad 2 + trailer 2: the enciphered octets */

	/* inbound: 44 octets each; soft at 40, hard at 80 (crossed by the 2nd) */
	assert_int_equal(esp_open(in, &pk[0], NULL), ESP_OK);
	assert_int_equal(esp_sa_life(in), ESP_LIFE_SOFT);
	assert_int_equal(esp_open(in, &pk[1], NULL), ESP_OK);
	assert_int_equal(esp_sa_life(in), ESP_LIFE_HARD);
	assert_int_equal(esp_open(in, &pk[2], NULL), ESP_EEXPIRED);
	assert_int_equal(esp_sa_lifetime(in)->packets, 2);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_buffer_room(void **state)
{
	struct esp_sa_cfg co = gcm_cfg(0x1000, ESP_DIR_OUT, 0), ci = gcm_cfg(0x1000, ESP_DIR_IN, 0);
	struct esp_sa *out = new_sa(&co), *in = new_sa(&ci);
	uint8_t buf[256];
	size_t hl = esp_sa_headroom(out), tl = esp_sa_tailroom(out, 41);
	struct esp_pkt pk;

	assert_int_equal(hl, 16);
	assert_int_equal(tl, 1 + 2 + 16); /* 41 + 1 pad + 2 = 44 */
	assert_true(hl <= ESP_HEADROOM && tl <= ESP_TAILROOM);
	inner_ipv4(buf + 20, 41);
	pk = (struct esp_pkt){buf, 20 + 41 + tl - 1, 20, 41}; /* one short at the end */
	assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_ENOSPACE);
	pk = (struct esp_pkt){buf + 5, 100, hl - 1, 41}; /* one short in front */
	assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_ENOSPACE);
	pk = (struct esp_pkt){buf, 50, 20, 41}; /* span past the buffer */
	assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_EINVAL);
	pk = (struct esp_pkt){NULL, 50, 20, 4};
	assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_EINVAL);
	assert_int_equal(esp_seal(NULL, &pk, ESP_NH_IPV4), ESP_EINVAL);
	assert_true(esp_sa_seq(out) == 0); /* nothing consumed */

	pk = (struct esp_pkt){buf, 20 + 41 + tl, 20, 41}; /* exactly enough */
	assert_int_equal(esp_seal(out, &pk, ESP_NH_IPV4), ESP_OK);
	assert_int_equal(pk.off, 4);
	assert_true(esp_sa_seq(out) == 1);
	/* directions */
	assert_int_equal(esp_open(out, &pk, NULL), ESP_EDIR);
	assert_int_equal(esp_seal(in, &pk, ESP_NH_IPV4), ESP_EDIR);
	assert_int_equal(esp_open(in, &pk, NULL), ESP_OK);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_rng_failure(void **state)
{
	struct esp_sa_cfg c = {.spi = 0x100, .dir = ESP_DIR_OUT, .alg = CRYPTO_AES_CBC_HMAC_SHA256_128,
			       .enc_key = cbc_key, .enc_key_len = 16, .integ_key = sha_key,
			       .integ_key_len = 32, .rng = {broken_fill, NULL}};
	struct esp_sa *sa = new_sa(&c);
	uint8_t buf[256];
	struct esp_pkt pk;

	assert_int_equal(seal_one(sa, buf, 40, &pk), ESP_ERAND);
	assert_int_equal(pk.off, ESP_HEADROOM); /* unchanged */
	assert_true(esp_sa_seq(sa) == 0);       /* no number burnt */
	esp_sa_free(sa);
}

/* §3.4.3: the window moves only for packets whose ICV verified. */
static void test_replay_through_open(void **state)
{
	struct esp_sa_cfg co = gcm_cfg(0x1000, ESP_DIR_OUT, 0), ci = gcm_cfg(0x1000, ESP_DIR_IN, 0);
	struct esp_sa *out = new_sa(&co), *in;
	enum { N = 200 };
	static uint8_t bufs[N][160];
	struct esp_pkt pk[N];
	uint8_t copy[160];
	struct esp_pkt c;
	int order[N];

	ci.replay_window = 128;
	in = new_sa(&ci);
	for (int i = 0; i < N; i++)
		assert_int_equal(seal_one(out, bufs[i], 40, &pk[i]), ESP_OK);

	/* a forged packet with a new, far-ahead number: refused, window unchanged */
	memcpy(copy, bufs[N - 1] + pk[N - 1].off, pk[N - 1].len);
	copy[pk[N - 1].len - 1] ^= 1;
	c = (struct esp_pkt){copy, sizeof copy, 0, pk[N - 1].len};
	assert_int_equal(esp_open(in, &c, NULL), ESP_EICV);
	assert_true(esp_sa_seq(in) == 0);

	/* deliver reordered within blocks of 16 (inside the 128 window), each twice */
	for (int i = 0; i < N; i++)
		order[i] = (i / 16) * 16 + 15 - i % 16;
	for (int i = 0; i < N; i++) {
		int k = order[i] < N ? order[i] : i;
		struct esp_pkt again;

		memcpy(copy, bufs[k] + pk[k].off, pk[k].len);
		again = (struct esp_pkt){copy, sizeof copy, 0, pk[k].len};
		assert_int_equal(esp_open(in, &pk[k], NULL), ESP_OK);
		assert_int_equal(esp_open(in, &again, NULL), ESP_EREPLAY);
	}
	assert_true(esp_sa_seq(in) == N);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void test_iv_unique(void **state)
{
	static unsigned rng_ctx;
	struct esp_sa_cfg cg = gcm_cfg(0x1000, ESP_DIR_OUT, 0);
	struct esp_sa_cfg cc = {.spi = 0x100, .dir = ESP_DIR_OUT, .alg = CRYPTO_AES_CBC_HMAC_SHA256_128,
				.enc_key = cbc_key, .enc_key_len = 16, .integ_key = sha_key,
				.integ_key_len = 32, .rng = {count_fill, &rng_ctx}};
	struct esp_sa *gcm = new_sa(&cg), *cbc = new_sa(&cc);
	uint8_t buf[256], prev[16] = {0};
	struct esp_pkt pk;

	for (uint64_t i = 1; i <= 1000; i++) {
		uint64_t iv = 0;

		assert_int_equal(seal_one(gcm, buf, 40, &pk), ESP_OK);
		for (int k = 0; k < 8; k++)
			iv = iv << 8 | buf[pk.off + 8 + k];
		assert_true(iv == i); /* the counter: unique under the key */
		assert_int_equal(seal_one(cbc, buf, 40, &pk), ESP_OK);
		/* count_rng never repeats a 16-octet window within 4096 octets */
		assert_memory_not_equal(buf + pk.off + 8, prev, 16);
		memcpy(prev, buf + pk.off + 8, 16);
	}
	esp_sa_free(gcm);
	esp_sa_free(cbc);
}

static void test_lookup_by_spi(void **state)
{
	struct esp_sa_cfg oa = gcm_cfg(0xaaaa, ESP_DIR_OUT, 0), ob = gcm_cfg(0xbbbb, ESP_DIR_OUT, 0);
	struct esp_sa_cfg ia = gcm_cfg(0xaaaa, ESP_DIR_IN, 0), ib = gcm_cfg(0xbbbb, ESP_DIR_IN, 0);
	struct esp_sa *out_a = new_sa(&oa), *out_b = new_sa(&ob), *in_a = new_sa(&ia),
		      *in_b = new_sa(&ib);
	struct esp_sadb *db = esp_sadb_new(4);
	uint8_t buf[256];
	struct esp_pkt pk;
	int err = 0;

	assert_int_equal(esp_sadb_add(db, esp_sa_spi(in_a), in_a), ESP_OK);
	assert_int_equal(esp_sadb_add(db, esp_sa_spi(in_b), in_b), ESP_OK);
	assert_int_equal(seal_one(out_b, buf, 40, &pk), ESP_OK);
	assert_ptr_equal(esp_sadb_lookup(db, buf + pk.off, pk.len, &err), in_b);
	/* the wrong SA for this SPI says so before any crypto */
	assert_int_equal(esp_open(in_a, &pk, NULL), ESP_ESPI);
	assert_int_equal(esp_open(in_b, &pk, NULL), ESP_OK);

	assert_int_equal(seal_one(out_a, buf, 40, &pk), ESP_OK);
	buf[pk.off + 3] ^= 0x01; /* SPI 0xaaab: nobody's */
	assert_null(esp_sadb_lookup(db, buf + pk.off, pk.len, &err));
	assert_int_equal(err, ESP_EUNKNOWN_SPI);
	assert_string_equal(esp_err_name(err), "unknown-spi");
	esp_sadb_free(db);
	esp_sa_free(out_a);
	esp_sa_free(out_b);
	esp_sa_free(in_a);
	esp_sa_free(in_b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_seq_overflow_without_esn),
		cmocka_unit_test(test_seq_with_esn_crosses_2_32),
		cmocka_unit_test(test_lifetime_limits),
		cmocka_unit_test(test_buffer_room),
		cmocka_unit_test(test_rng_failure),
		cmocka_unit_test(test_replay_through_open),
		cmocka_unit_test(test_iv_unique),
		cmocka_unit_test(test_lookup_by_spi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
