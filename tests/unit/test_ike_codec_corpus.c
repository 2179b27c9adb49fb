/*
 * test_ike_codec_corpus.c — valid messages of every exchange, built by the
 * codec's builders, parsed back, decrypted, checked against the rules table
 * and their expected summary line; they are also the seed corpus of
 * tests/fuzz/fuzz_ike_msg.c.
 *
 *   VPNLAB_WRITE_IKE_CORPUS=tests/fuzz/corpus/fuzz_ike_msg build/san/tests/test_ike_codec_corpus
 *
 * writes the files; without the variable the test checks that every
 * committed seed still equals what the builders produce (deterministic
 * input, so a builder change shows up here).
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
#include "tests/unit/test_ike_codec_msgs.h"

#define CORPUS_DIR "tests/fuzz/corpus/fuzz_ike_msg"

enum gen { SA_INIT_REQ, SA_INIT_RESP, SA_INIT_COOKIE, SA_INIT_INVALID_KE, SK, SKF };

static const struct seed {
	const char *name;
	enum gen gen;
	enum tm_prot prot;
	uint8_t exchange, response;
	uint32_t mid;
	tm_inner_fn inner;
	uint16_t num, total;
	const char *summary; /* after decryption, without the " N B" suffix */
} seeds[] = {
	{"ike_sa_init_req", SA_INIT_REQ, TM_CLEAR, 0, 0, 0, NULL, 0, 0,
	 "IKE_SA_INIT request mid 0 [SA KE No N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) "
	 "N(IKEV2_FRAGMENTATION_SUPPORTED) N(SIGNATURE_HASH_ALGORITHMS) V]"},
	{"ike_sa_init_resp", SA_INIT_RESP, TM_CLEAR, 0, 0, 0, NULL, 0, 0,
	 "IKE_SA_INIT response mid 0 [SA KE No CERTREQ N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) "
	 "N(IKEV2_FRAGMENTATION_SUPPORTED)]"},
	{"ike_sa_init_resp_cookie", SA_INIT_COOKIE, TM_CLEAR, 0, 0, 0, NULL, 0, 0,
	 "IKE_SA_INIT response mid 0 [N(COOKIE)]"},
	{"ike_sa_init_resp_invalid_ke", SA_INIT_INVALID_KE, TM_CLEAR, 0, 0, 0, NULL, 0, 0,
	 "IKE_SA_INIT response mid 0 [N(INVALID_KE_PAYLOAD)]"},
	{"ike_auth_req_clear", SK, TM_CLEAR, IKE_AUTH, 0, 1, tm_inner_auth_req, 0, 0,
	 "IKE_AUTH request mid 1 [IDi CERT N(INITIAL_CONTACT) CERTREQ IDr AUTH CP SA TSi TSr N(MOBIKE_SUPPORTED)]"},
	{"ike_auth_req_gcm", SK, TM_GCM, IKE_AUTH, 0, 1, tm_inner_auth_req, 0, 0,
	 "IKE_AUTH request mid 1 [IDi CERT N(INITIAL_CONTACT) CERTREQ IDr AUTH CP SA TSi TSr N(MOBIKE_SUPPORTED)]"},
	{"ike_auth_resp_clear", SK, TM_CLEAR, IKE_AUTH, 1, 1, tm_inner_auth_resp, 0, 0,
	 "IKE_AUTH response mid 1 [IDr AUTH CP SA TSi TSr]"},
	{"ike_auth_resp_cbc", SK, TM_CBC, IKE_AUTH, 1, 1, tm_inner_auth_resp, 0, 0,
	 "IKE_AUTH response mid 1 [IDr AUTH CP SA TSi TSr]"},
	{"ike_auth_resp_eap_clear", SK, TM_CLEAR, IKE_AUTH, 1, 1, tm_inner_auth_resp_eap, 0, 0,
	 "IKE_AUTH response mid 1 [IDr AUTH EAP]"},
	{"create_child_sa_req_clear", SK, TM_CLEAR, IKE_CREATE_CHILD_SA, 0, 2, tm_inner_child_req, 0, 0,
	 "CREATE_CHILD_SA request mid 2 [N(REKEY_SA) SA No KE TSi TSr]"},
	{"create_child_sa_req_gcm", SK, TM_GCM, IKE_CREATE_CHILD_SA, 0, 2, tm_inner_child_req, 0, 0,
	 "CREATE_CHILD_SA request mid 2 [N(REKEY_SA) SA No KE TSi TSr]"},
	{"create_child_sa_resp_clear", SK, TM_CLEAR, IKE_CREATE_CHILD_SA, 1, 2, tm_inner_child_resp, 0, 0,
	 "CREATE_CHILD_SA response mid 2 [SA No KE TSi TSr]"},
	{"create_child_sa_ike_rekey_clear", SK, TM_CLEAR, IKE_CREATE_CHILD_SA, 0, 3, tm_inner_ike_rekey, 0, 0,
	 "CREATE_CHILD_SA request mid 3 [SA No KE]"},
	{"informational_delete_clear", SK, TM_CLEAR, IKE_INFORMATIONAL, 0, 4, tm_inner_info_delete, 0, 0,
	 "INFORMATIONAL request mid 4 [D D]"},
	{"informational_delete_cbc", SK, TM_CBC, IKE_INFORMATIONAL, 0, 4, tm_inner_info_delete, 0, 0,
	 "INFORMATIONAL request mid 4 [D D]"},
	{"informational_empty_req_gcm", SK, TM_GCM, IKE_INFORMATIONAL, 0, 5, tm_inner_empty, 0, 0,
	 "INFORMATIONAL request mid 5 []"},
	{"informational_empty_resp_clear", SK, TM_CLEAR, IKE_INFORMATIONAL, 1, 5, tm_inner_empty, 0, 0,
	 "INFORMATIONAL response mid 5 []"},
	{"ike_auth_req_skf_1of3_gcm", SKF, TM_GCM, IKE_AUTH, 0, 1, NULL, 1, 3, NULL},
	{"ike_auth_req_skf_2of3_gcm", SKF, TM_GCM, IKE_AUTH, 0, 1, NULL, 2, 3, NULL},
	{"ike_auth_req_skf_3of3_gcm", SKF, TM_GCM, IKE_AUTH, 0, 1, NULL, 3, 3, NULL},
	{"ike_auth_req_skf_1of2_clear", SKF, TM_CLEAR, IKE_AUTH, 0, 1, NULL, 1, 2, NULL},
	{"ike_auth_req_skf_2of2_clear", SKF, TM_CLEAR, IKE_AUTH, 0, 1, NULL, 2, 2, NULL},
};

static struct tmsg t;

static int generate(const struct seed *s)
{
	switch (s->gen) {
	case SA_INIT_REQ:
		return tm_sa_init_req(&t);
	case SA_INIT_RESP:
		return tm_sa_init_resp(&t);
	case SA_INIT_COOKIE:
		return tm_sa_init_notify(&t, IKE_N_COOKIE);
	case SA_INIT_INVALID_KE:
		return tm_sa_init_notify(&t, IKE_N_INVALID_KE_PAYLOAD);
	case SK:
		return tm_sk(&t, s->prot, s->exchange, s->response, s->mid, s->inner);
	case SKF:
		return tm_skf(&t, s->prot, s->num, s->total);
	}
	return -1;
}

/* open_sk decrypts the SK/SKF span of |m| into |plain|. */
static int open_sk(const struct ike_msg *m, enum tm_prot prot, uint8_t *plain, size_t *plen)
{
	struct ike_sk_parts parts;
	size_t iv, icv, blk;
	struct crypto_aead *a;
	int rc = 0;

	tm_params(prot, &iv, &icv, &blk);
	if (ike_sk_split(m->sk_data, m->sk_data_len, iv, icv, blk, &parts, NULL) != 0)
		return -1;
	memcpy(plain, parts.ct, parts.ct_len);
	if ((a = tm_aead(prot)) != NULL) {
		rc = crypto_aead_open(a, m->raw, m->sk_aad_len, parts.iv, plain, parts.ct_len, NULL, 0, parts.icv);
		crypto_aead_free(a);
	}
	return rc != 0 ? rc : ike_sk_unpad(plain, parts.ct_len, plen, NULL);
}

static void check_seed(const struct seed *s)
{
	struct ike_msg m;
	struct ike_err e = {0};
	uint8_t plain[4096];
	size_t plen;
	char sum[512], want[512];

	if (generate(s) != 0)
		fail_msg("%s: builder failed", s->name);
	if (ike_msg_parse(&m, t.buf, t.len, &e) != 0)
		fail_msg("%s: parse: %s", s->name, e.msg);
	if (ike_rules_check_msg(&m, &e) != 0)
		fail_msg("%s: rules (outer): %s", s->name, e.msg);
	for (size_t i = 0; i < m.outer.n; i++) {
		static struct ike_payload p;

		if (ike_payload_parse(&p, m.outer.pl[i].type, m.outer.pl[i].body, m.outer.pl[i].len, &e) != 0)
			fail_msg("%s: outer payload %zu: %s", s->name, i, e.msg);
	}
	if (s->gen != SK && s->gen != SKF) {
		snprintf(want, sizeof want, "%s %zu B", s->summary, t.len);
		ike_msg_summary(&m, sum, sizeof sum);
		assert_string_equal(sum, want);
		return;
	}
	assert_non_null(m.sk);
	if (open_sk(&m, s->prot, plain, &plen) != 0)
		fail_msg("%s: decrypt failed", s->name);
	assert_int_equal(plen, t.inner_len);
	assert_memory_equal(plain, t.inner, plen);
	if (s->gen == SKF) {
		assert_int_equal(m.frag_num, s->num);
		assert_int_equal(m.frag_total, s->total);
		return; /* a fragment's plaintext is not a whole chain */
	}
	if (ike_msg_parse_inner(&m, plain, plen, &e) != 0)
		fail_msg("%s: inner: %s", s->name, e.msg);
	if (ike_rules_check_msg(&m, &e) != 0)
		fail_msg("%s: rules (inner): %s", s->name, e.msg);
	for (size_t i = 0; i < m.inner.n; i++) {
		static struct ike_payload p;

		if (ike_payload_parse(&p, m.inner.pl[i].type, m.inner.pl[i].body, m.inner.pl[i].len, &e) != 0)
			fail_msg("%s: inner payload %zu: %s", s->name, i, e.msg);
	}
	snprintf(want, sizeof want, "%s %zu B", s->summary, t.len);
	ike_msg_summary(&m, sum, sizeof sum);
	assert_string_equal(sum, want);
}

static void test_seeds_valid(void **state)
{
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
		check_seed(&seeds[i]);
}

/* Write the corpus on request; otherwise committed seeds must match the builders. */
static void test_corpus_files(void **state)
{
	const char *out = getenv("VPNLAB_WRITE_IKE_CORPUS");
	const char *dir = out != NULL ? out : CORPUS_DIR;
	size_t checked = 0;

	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		char path[512];
		FILE *f;

		assert_int_equal(generate(&seeds[i]), 0);
		snprintf(path, sizeof path, "%s/%s", dir, seeds[i].name);
		if (out != NULL) {
			f = fopen(path, "wb");
			assert_non_null(f);
			assert_int_equal(fwrite(t.buf, 1, t.len, f), t.len);
			fclose(f);
			continue;
		}
		f = fopen(path, "rb");
		if (f == NULL)
			continue; /* not committed (or not run from the repository root) */
		{
			static uint8_t got[8192];
			size_t n = fread(got, 1, sizeof got, f);

			fclose(f);
			if (n != t.len || memcmp(got, t.buf, n) != 0)
				fail_msg("%s differs from the builders' output: regenerate with VPNLAB_WRITE_IKE_CORPUS=%s",
					 path, CORPUS_DIR);
			checked++;
		}
	}
	if (out == NULL)
		print_message("%zu committed seeds match\n", checked);
}

/* parse_all runs everything a receiver would on |buf| (heap copy of exactly |len| octets). */
static int parse_all(const uint8_t *src, size_t len)
{
	static struct ike_msg m;
	static struct ike_payload p;
	uint8_t *buf = malloc(len ? len : 1);
	struct ike_err e;
	char sum[1024];
	int rc;

	memcpy(buf, src, len);
	rc = ike_msg_parse(&m, buf, len, &e);
	if (rc == 0) {
		for (size_t i = 0; i < m.outer.n; i++)
			(void)ike_payload_parse(&p, m.outer.pl[i].type, m.outer.pl[i].body, m.outer.pl[i].len, &e);
		if (m.sk != NULL) {
			struct ike_sk_parts parts;
			size_t plen;

			if (ike_sk_split(m.sk_data, m.sk_data_len, 0, 0, 1, &parts, &e) == 0 &&
			    ike_sk_unpad(parts.ct, parts.ct_len, &plen, &e) == 0 &&
			    ike_msg_parse_inner(&m, parts.ct, plen, &e) == 0)
				for (size_t i = 0; i < m.inner.n; i++)
					(void)ike_payload_parse(&p, m.inner.pl[i].type, m.inner.pl[i].body,
								m.inner.pl[i].len, &e);
		}
		(void)ike_rules_check_msg(&m, &e);
		assert_true(ike_msg_summary(&m, sum, sizeof sum) > 0);
	} else {
		/* every failure explains itself */
		assert_int_equal(e.code, rc);
		assert_true(strlen(e.msg) > 0);
	}
	free(buf);
	return rc;
}

/*
 * Deterministic mutation (the iked idea): every octet of every seed set to
 * 0x00, 0xff, +1, -1 and with its top bit flipped; every prefix of every
 * seed, with and without the header Length patched to match. Nothing may
 * crash or read past the end (ASan), every failure carries a message.
 */
static void test_seed_mutations(void **state)
{
	size_t runs = 0, ok = 0;
	static uint8_t mut[4096];

	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		assert_int_equal(generate(&seeds[i]), 0);
		for (size_t pos = 0; pos < t.len; pos++) {
			const uint8_t orig = t.buf[pos];
			const uint8_t vals[5] = {0x00, 0xff, (uint8_t)(orig + 1), (uint8_t)(orig - 1), (uint8_t)(orig ^ 0x80)};

			for (size_t v = 0; v < 5; v++) {
				memcpy(mut, t.buf, t.len);
				mut[pos] = vals[v];
				ok += parse_all(mut, t.len) == 0;
				runs++;
			}
		}
		for (size_t n = 0; n <= t.len; n++) {
			memcpy(mut, t.buf, n);
			if (n < t.len)
				assert_int_not_equal(parse_all(mut, n), 0); /* a cut datagram never parses */
			else
				assert_int_equal(parse_all(mut, n), 0);
			if (n >= IKE_HDR_LEN) {
				ike_put32(mut + 24, (uint32_t)n);
				ok += parse_all(mut, n) == 0;
			}
			runs += 2;
		}
	}
	print_message("%zu mutated inputs, %zu still parsed\n", runs, ok);
	assert_true(runs > 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds_valid),
		cmocka_unit_test(test_corpus_files),
		cmocka_unit_test(test_seed_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
