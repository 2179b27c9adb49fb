/*
 * test_ike_engine_corpus.c — the seed corpus of tests/fuzz/fuzz_ike_engine.c:
 * real exchanges written as harness records (fuzz_ike_engine.h), each
 * replayed through the same harness to check it gets where its name says
 * (an established IKE SA, CHILD SAs, answers), and compared with the
 * committed files. To rewrite them:
 *
 *   VPNLAB_WRITE_IKE_ENGINE_CORPUS=tests/fuzz/corpus/fuzz_ike_engine build/san/tests/test_ike_engine_corpus
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>

#include "tests/fuzz/fuzz_ike_engine.h"
#include "tests/lib/testutil.h"

#define CORPUS_DIR "tests/fuzz/corpus/fuzz_ike_engine"

/*
 * records: 80 00 = the client's next datagram as is, a0 = the gateway's next
 * one to the client, 90 m {off off xor}... = the client's next datagram with
 * its plaintext mutated
 */
#define AUTH "80 00 a0 "
#define FWD2 "a0 80 00 a0 80 00 "
/* 5 s pass, then whatever both sides sent goes across */
#define TICK "b4 80 00 a0 80 00 a0 a0 80 00 a0 80 00 "

static const struct seed {
	const char *name;
	const char *hex;
	int established;         /* the gateway had an ESTABLISHED IKE SA */
	uint64_t gw_children;    /* CHILD SAs the gateway installed, at least */
	uint64_t gw_sent;        /* messages the gateway sent, at least */
} seeds[] = {
	{"psk_auth", "00 " AUTH, 1, 1, 2},
	{"psk_rekey_child", "00 " AUTH "c1 " AUTH AUTH, 1, 2, 4},
	{"psk_rekey_ike", "00 " AUTH "c2 " AUTH AUTH, 1, 1, 4},
	{"psk_gw_rekeys", "00 " AUTH "c9 " FWD2 "c8 " FWD2 "ca " FWD2, 1, 3, 7},
	{"psk_tempfail", "00 " AUTH "c9 c3 80 00 a0 a0 80 00 a0 80 00 ba " AUTH, 1, 2, 6},
	{"psk_close", "00 " AUTH "c4 " AUTH, 1, 1, 3},
	{"psk_gw_close", "00 " AUTH "cb a0 80 00", 1, 1, 3},
	{"psk_replay", "00 80 00 d0 a0 d0 d0", 1, 1, 2},
	{"psk_mutated_auth", "00 80 01 00 40 01 b3 " AUTH, 1, 1, 2},
	{"psk_reauth", "00 " AUTH "c5 " AUTH AUTH AUTH AUTH, 1, 2, 5},
	{"psk_reboot", "00 " AUTH "c7 c0 " AUTH AUTH, 1, 2, 4},
	{"psk_esp_notes", "20 " AUTH "c6 cc b4 a0 80 00 b9 a0 80 00 a0 80 00 b9 " AUTH AUTH AUTH, 1, 1, 3},
	{"lifetimes_dpd", "20 " AUTH TICK TICK TICK TICK TICK TICK TICK TICK TICK TICK TICK TICK TICK TICK, 1, 2, 6},
	{"cert_auth", "01 80 00 80 00 80 00 a0 a0 a0", 1, 1, 2},
	{"cert_frag", "03 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 a0 a0 a0 a0 a0 a0 a0 a0 a0 a0",
	 1, 1, 2},
	{"encap_natt", "08 " AUTH "c6 b5 c1 " AUTH AUTH, 1, 2, 4},
	{"cookies", "04 " AUTH, 1, 1, 3},
	{"vip_small_fallback", "c0 " AUTH AUTH AUTH, 1, 1, 4},
	/* §2.8.1 / §2.8.2: both sides rekey the same SA, the requests cross */
	{"collision_child", "00 " AUTH "c1 c8 80 00 a0 a0 80 00 " FWD2 FWD2, 1, 3, 5},
	{"collision_ike", "00 " AUTH "c2 c9 80 00 a0 a0 80 00 " FWD2 FWD2, 1, 1, 5},
	/* PFS: the gateway asks for another group (INVALID_KE), then a rekey with the group it wants */
	{"pfs_invalid_ke", "80 " AUTH AUTH AUTH "c1 " AUTH AUTH AUTH, 1, 2, 7},
	/* plaintext mutations: authenticated, so the gateway parses what the fuzzer wrote */
	{"plain_auth_id_type", "00 90 01 00 04 01 a0", 0, 0, 2},
	{"plain_auth_next_payload", "00 90 01 00 00 50 a0", 0, 0, 2},
	{"plain_rekey_child", "00 " AUTH "c1 90 02 00 08 10 00 30 04 a0", 1, 1, 3},
	{"plain_delete", "00 " AUTH "c4 90 01 00 04 02 a0", 1, 1, 3},
	/* the client's answer to the gateway's IKE rekey with transform type 0xa1 (a shift past 31 once, UBSan) */
	{"plain_rekey_answer_type", "00 " AUTH "c9 a0 90 01 00 18 a0 a0", 1, 1, 3},
	{"plain_cert_frag", "03 90 01 00 20 ff 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 a0 a0 a0", 0, 0, 1},
	/* raw: a keepalive and junk on 4500, an INFORMATIONAL request for SPIs nobody knows */
	{"raw_invalid_spi",
	 "10 " AUTH "01 00 01 ff 01 00 08 01 02 03 04 05 06 07 08 "
	 "00 00 1c 01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18 00 20 25 08 00 00 00 07 00 00 00 1c a0",
	 1, 1, 3},
	/* raw: the IKE_SA_INIT header of a request with the responder SPI set (refused), from another host */
	{"raw_init_from_other", "00 02 00 1c aa aa aa aa aa aa aa aa 00 00 00 00 00 00 00 01 21 20 22 08 00 00 00 00 "
				"00 00 00 1c " AUTH,
	 1, 1, 2},
};

static uint8_t *seed_bytes(const struct seed *s, size_t *len)
{
	char hex[2048];
	size_t n = 0;

	for (const char *p = s->hex; *p && n < sizeof hex - 1; p++)
		if (*p != ' ')
			hex[n++] = *p;
	hex[n] = '\0';
	return hex_alloc(hex, len);
}

static void test_seeds_reach(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		size_t len;
		uint8_t *b = seed_bytes(&seeds[i], &len);
		struct fze_result r;

		fze_run(b, len, &r);
		if (getenv("VPNLAB_CORPUS_VERBOSE"))
			fprintf(stderr, "%-22s steps %zu established %d SAs max %zu children gw %llu cl %llu, gw recv %llu "
					"sent %llu drops %llu\n",
				seeds[i].name, r.steps, r.gw_established, r.gw_sas_max, (unsigned long long)r.gw_children_up,
				(unsigned long long)r.cl_children_up, (unsigned long long)r.gw_msgs_recv,
				(unsigned long long)r.gw_msgs_sent, (unsigned long long)r.gw_drops);
		if (r.gw_established != seeds[i].established || r.gw_children_up < seeds[i].gw_children ||
		    r.gw_msgs_sent < seeds[i].gw_sent) {
			fprintf(stderr, "seed %s: established %d, %llu CHILD SAs, %llu messages sent; expected %d, >= %llu, "
					">= %llu\n",
				seeds[i].name, r.gw_established, (unsigned long long)r.gw_children_up,
				(unsigned long long)r.gw_msgs_sent, seeds[i].established,
				(unsigned long long)seeds[i].gw_children, (unsigned long long)seeds[i].gw_sent);
			bad++;
		}
		free(b);
	}
	assert_int_equal(bad, 0);
}

/* the same input, the same run: the harness is deterministic (a crash reproduces) */
static void test_deterministic(void **state)
{
	size_t len;
	uint8_t *b = seed_bytes(&seeds[13], &len); /* certificates: ECDSA nonces from OpenSSL's RAND */
	struct fze_result r1, r2;

	(void)state;
	fze_run(b, len, &r1);
	fze_run(b, len, &r2);
	assert_memory_equal(&r1, &r2, sizeof r1);
	free(b);
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) != NULL && fread(b, 1, (size_t)n, fp) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(fp);
	return b;
}

static void test_corpus_files(void **state)
{
	const char *out = getenv("VPNLAB_WRITE_IKE_ENGINE_CORPUS");
	size_t n = sizeof seeds / sizeof seeds[0], found = 0;
	DIR *d;
	struct dirent *de;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char path[512];
		size_t len, flen = 0;
		uint8_t *b = seed_bytes(&seeds[i], &len), *f;

		if (out != NULL) {
			FILE *fp;

			snprintf(path, sizeof path, "%s/%s", out, seeds[i].name);
			fp = fopen(path, "wb");
			if (fp == NULL || fwrite(b, 1, len, fp) != len || fclose(fp) != 0)
				fail_msg("%s: cannot write", path);
		}
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, seeds[i].name);
		f = read_whole(path, &flen);
		if (f == NULL)
			fail_msg("%s: missing (run from the repository root, or rewrite the corpus)", path);
		if (flen != len || memcmp(f, b, len) != 0)
			fail_msg("%s differs from the seed table (rewrite the corpus)", path);
		free(f);
		free(b);
	}
	d = opendir(CORPUS_DIR);
	if (d == NULL)
		fail_msg("%s: not found", CORPUS_DIR);
	while ((de = readdir(d)) != NULL)
		found += de->d_name[0] != '.';
	closedir(d);
	if (found != n)
		fail_msg("%s has %zu files, the table %zu seeds (rewrite the corpus)", CORPUS_DIR, found, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds_reach),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_corpus_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
