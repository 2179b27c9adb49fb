/*
 * test_esp_corpus.c — the seed corpus of tests/fuzz/fuzz_esp.c: valid ESP
 * packets for every transform (32-bit and extended sequence numbers, kept
 * and fresh SAs, a high ESN subspace), authentic packets with bad contents,
 * replays, port-4500 payloads and seal round trips. Each seed's file name
 * ends in the outcome the harness must reach (".ok", ".bad-padding", ...).
 *
 * The seeds are generated here, run through the same harness as the fuzzer
 * (fuzz_esp.h), and compared with the committed files. To rewrite them:
 *   VPNLAB_WRITE_ESP_CORPUS=tests/fuzz/corpus/fuzz_esp build/san/tests/test_esp_corpus
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/fuzz/fuzz_esp.h"

#define CORPUS_DIR "tests/fuzz/corpus/fuzz_esp"

struct seed {
	char name[96];
	uint8_t data[256];
	size_t len;
};

static struct seed seeds[96];
static size_t nseeds;

static const char *outcome_name(int rc)
{
	static char buf[40];

	if (rc == FZ_SEALED)
		return "seal";
	if (rc == FZ_IGNORED)
		return "ignored";
	if (rc >= FZ_UDP_OTHER && rc < FZ_SEALED) {
		snprintf(buf, sizeof buf, "udp-%s", esp_udp_kind_name((enum esp_udp_kind)(rc - FZ_UDP_OTHER)));
		return buf;
	}
	return esp_err_name(rc);
}

static struct seed *add(const char *desc, int a, const char *want)
{
	struct seed *s = &seeds[nseeds];

	assert_true(nseeds < sizeof seeds / sizeof seeds[0]);
	snprintf(s->name, sizeof s->name, "%02zu-%s-%s.%s", nseeds, fz_algs[a].name, desc, want);
	s->len = 0;
	nseeds++;
	return s;
}

static void put(struct seed *s, const void *p, size_t n)
{
	assert_true(s->len + n <= sizeof s->data);
	memcpy(s->data + s->len, p, n);
	s->len += n;
}

static void put_u8(struct seed *s, uint8_t v)
{
	put(s, &v, 1);
}

static void put_be64(struct seed *s, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		put_u8(s, (uint8_t)(v >> (8 * i)));
}

/* inner: a 60-octet IPv4 ICMP packet */
static size_t inner(uint8_t *p)
{
	static const uint8_t hdr[20] = {0x45, 0, 0, 60, 0, 1, 0, 0, 64, 1, 0, 0,
					192, 0, 2, 1, 198, 51, 100, 1};

	memcpy(p, hdr, sizeof hdr);
	for (int i = 20; i < 60; i++)
		p[i] = (uint8_t)i;
	return 60;
}

/* sealed writes the |nth| packet (1-based) an outbound SA seals, after |sync|. */
static void sealed(struct seed *s, int a, int esn, uint64_t sync, int nth, uint8_t nh)
{
	unsigned rng = 0;
	struct esp_sa *out = fz_sa(a, esn, ESP_DIR_OUT, 0, &rng);
	uint8_t buf[256];
	struct esp_pkt p;

	if (sync)
		assert_int_equal(esp_sa_seq_sync(out, sync), ESP_OK);
	for (int i = 0; i < nth; i++) {
		p = (struct esp_pkt){buf, sizeof buf, ESP_HEADROOM, inner(buf + ESP_HEADROOM)};
		if (nh != ESP_NH_IPV4)
			p.len = 16;
		assert_int_equal(esp_seal(out, &p, nh), ESP_OK);
	}
	put(s, buf + p.off, p.len);
	esp_sa_free(out);
}

/* crafted writes seq 1 of an authentic packet whose plaintext (with trailer) is |pt|. */
static void crafted(struct seed *s, int a, const uint8_t *pt, size_t pt_len)
{
	uint8_t enc[64], integ[64], pkt[256];
	const struct crypto_aead_info *info;
	struct crypto_aead *c;
	int err;
	size_t hl;

	fz_keys(a, enc, integ);
	c = crypto_aead_new(fz_algs[a].alg, enc, fz_algs[a].enc_len,
			    fz_algs[a].integ_len ? integ : NULL, fz_algs[a].integ_len, &err);
	assert_non_null(c);
	info = crypto_aead_get_info(c);
	hl = ESP_HDR_LEN + info->iv_len;
	assert_int_equal(pt_len % info->pad_align, 0);
	memset(pkt, 0, hl);
	pkt[0] = (uint8_t)(fz_spi(a, 0) >> 24);
	pkt[1] = (uint8_t)(fz_spi(a, 0) >> 16);
	pkt[2] = (uint8_t)(fz_spi(a, 0) >> 8);
	pkt[3] = (uint8_t)fz_spi(a, 0);
	pkt[7] = 1;
	pkt[hl - 1] = 1; /* IV: the counter for AEAD, any value for CBC */
	memcpy(pkt + hl, pt, pt_len);
	assert_int_equal(crypto_aead_seal(c, pkt, ESP_HDR_LEN, pkt + ESP_HDR_LEN, pkt + hl, pt_len,
					  NULL, 0, pkt + hl + pt_len), CRYPTO_OK);
	put(s, pkt, hl + pt_len + info->icv_len);
	crypto_aead_free(c);
}

/* crafted_trailer: an IPv4 inner packet of 20 + |extra| octets, padded to 16, then |pad_fix|. */
static void crafted_case(int a, const char *desc, const char *want, uint8_t version,
			 uint8_t nh, int bad_pad, size_t tfc)
{
	uint8_t pt[128];
	size_t n = 20 + tfc, pad;
	struct seed *s = add(desc, a, want);

	memset(pt, 0, sizeof pt);
	pt[0] = (uint8_t)(version << 4 | 5);
	pt[3] = 20; /* Total Length 20: any octets after it are TFC padding */
	for (size_t i = 20; i < n; i++)
		pt[i] = 0xaa;
	pad = (16 - (n + 2) % 16) % 16;
	esp_pad_write(pt + n, pad, nh);
	if (bad_pad)
		pt[n + pad - 1] ^= 0x40;
	put_u8(s, (uint8_t)(a | FZ_FRESH));
	crafted(s, a, pt, n + pad + 2);
}

static void generate(void)
{
	static const uint8_t ike[36] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
					0x2e, 0x20, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0, 32, 9, 9, 9, 9};
	static const int few[] = {0, 3, 5};
	uint8_t buf[64];

	nseeds = 0;
	for (int a = 0; a < FZ_NALGS; a++) {
		for (int e = 0; e < 2; e++) {
			struct seed *s = add(e ? "esn-fresh-seq1" : "fresh-seq1", a, "ok");

			put_u8(s, (uint8_t)(a | (e ? FZ_ESN : 0) | FZ_FRESH));
			sealed(s, a, e, 0, 1, ESP_NH_IPV4);
			s = add(e ? "esn-kept-seq2" : "kept-seq2", a, "ok");
			put_u8(s, (uint8_t)(a | (e ? FZ_ESN : 0)));
			sealed(s, a, e, 0, 2, ESP_NH_IPV4);
		}
	}
	for (size_t i = 0; i < sizeof few / sizeof few[0]; i++) {
		int a = few[i];
		struct seed *s = add("dummy", a, "dummy");

		put_u8(s, (uint8_t)(a | FZ_FRESH));
		sealed(s, a, 0, 0, 1, ESP_NH_NONE);

		s = add("esn-window-at-2-32", a, "ok");
		put_u8(s, (uint8_t)(a | FZ_ESN | FZ_FRESH | FZ_SYNC));
		put_be64(s, UINT64_C(0x100000000));
		sealed(s, a, 1, UINT64_C(0x100000000), 1, ESP_NH_IPV4);

		s = add("replayed", a, "replayed");
		put_u8(s, (uint8_t)(a | FZ_FRESH | FZ_SYNC));
		put_be64(s, 1);
		sealed(s, a, 0, 0, 1, ESP_NH_IPV4);

		s = add("left-of-window", a, "too-old");
		put_u8(s, (uint8_t)(a | FZ_FRESH | FZ_SYNC));
		put_be64(s, 5000);
		sealed(s, a, 0, 0, 1, ESP_NH_IPV4);

		s = add("udp-esp", a, "ok");
		put_u8(s, (uint8_t)(a | FZ_UDP));
		sealed(s, a, 0, 0, 1, ESP_NH_IPV4);

		s = add("seal-ipv4", a, "seal");
		put_u8(s, (uint8_t)(a | FZ_SEAL));
		put(s, buf, inner(buf));

		s = add("seal-short-esn", a, "seal");
		put_u8(s, (uint8_t)(a | FZ_SEAL | FZ_ESN));
		put(s, "\x01\x02\x03\x04\x05\x06\x07", 7);
	}
	for (int a = 0; a < FZ_NALGS; a += 3) { /* AES-GCM and AES-CBC */
		crafted_case(a, "pad-not-1-2-3", "bad-padding", 4, ESP_NH_IPV4, 1, 3);
		crafted_case(a, "next-header-17", "next-header", 4, 17, 0, 0);
		crafted_case(a, "inner-version-6", "inner-ipv4", 6, ESP_NH_IPV4, 0, 0);
		crafted_case(a, "tfc-padding", "ok", 4, ESP_NH_IPV4, 0, 9);
	}
	struct seed *s = add("udp-ike", 0, "udp-ike");

	put_u8(s, FZ_UDP);
	put(s, ike, sizeof ike);
	s = add("udp-keepalive", 0, "udp-keepalive");
	put_u8(s, FZ_UDP);
	put_u8(s, 0xff);
	s = add("tampered-icv", 0, "icv");
	put_u8(s, FZ_FRESH);
	sealed(s, 0, 0, 0, 1, ESP_NH_IPV4);
	s->data[s->len - 1] ^= 1;
}

/* run puts |data| through the harness with fresh state and names the outcome. */
static const char *run(const uint8_t *data, size_t len)
{
	struct fz_state st;
	const char *name;
	int rc;

	fz_state_init(&st);
	rc = fz_one(&st, data, len);
	name = outcome_name(rc);
	fz_state_free(&st);
	return name;
}

static void test_seeds_reach_their_outcome(void **state)
{
	generate();
	assert_true(nseeds >= 30);
	for (size_t i = 0; i < nseeds; i++) {
		const char *want = strrchr(seeds[i].name, '.') + 1;
		const char *got = run(seeds[i].data, seeds[i].len);

		if (strcmp(got, want) != 0)
			fail_msg("seed %s: outcome %s", seeds[i].name, got);
	}
}

static void test_corpus_files(void **state)
{
	const char *out = getenv("VPNLAB_WRITE_ESP_CORPUS");
	DIR *d;
	struct dirent *e;
	size_t found = 0;

	generate();
	if (out) {
		for (size_t i = 0; i < nseeds; i++) {
			char path[512];
			FILE *f;

			snprintf(path, sizeof path, "%s/%s", out, seeds[i].name);
			f = fopen(path, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(seeds[i].data, 1, seeds[i].len, f), seeds[i].len);
			fclose(f);
		}
	}
	d = opendir(CORPUS_DIR);
	if (!d)
		fail_msg("%s: not found (run from the repository root)", CORPUS_DIR);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		uint8_t data[FZ_MAX];
		size_t len, i;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(data, 1, sizeof data, f);
		fclose(f);
		for (i = 0; i < nseeds; i++)
			if (strcmp(seeds[i].name, e->d_name) == 0)
				break;
		if (i == nseeds)
			fail_msg("%s: not a generated seed (stale? rewrite the corpus)", path);
		if (len != seeds[i].len || memcmp(data, seeds[i].data, len) != 0)
			fail_msg("%s: differs from the generator (rewrite the corpus)", path);
		if (strcmp(run(data, len), strrchr(e->d_name, '.') + 1) != 0)
			fail_msg("%s: wrong outcome %s", path, run(data, len));
		found++;
	}
	closedir(d);
	if (found != nseeds)
		fail_msg("%s has %zu of the %zu seeds (rewrite the corpus)", CORPUS_DIR, found, nseeds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds_reach_their_outcome),
		cmocka_unit_test(test_corpus_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
