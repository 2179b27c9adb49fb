/*
 * fuzz_ike_msg.c — libFuzzer target for the IKEv2 codec: the message
 * parser (header, chain walk, SK/SKF), every typed payload parser, the
 * inner chain (the SK span is also tried as cleartext, which is what the
 * TM_CLEAR seeds contain), the SK split/unpad helpers, the rules check and
 * the summary. Property: for every payload that parses, build(parse(x))
 * parses again and rebuilds to the same octets.
 * Seeds: tests/fuzz/corpus/fuzz_ike_msg (written by test_ike_codec_corpus).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_payload p1, p2;
static uint8_t b1[70000], b2[70000];

static void check_payload(const struct ike_pl *pl)
{
	struct ike_err e;
	struct ike_buf x = {b1, sizeof b1, 0}, y = {b2, sizeof b2, 0};

	if (ike_payload_parse(&p1, pl->type, pl->body, pl->len, &e) != 0)
		return;
	if (pl->type == IKE_PL_SK || pl->type == IKE_PL_SKF)
		return; /* built by ike_msg_build_sk_* only */
	if (ike_payload_build(&p1, &x) != 0)
		abort(); /* whatever parses must build */
	if (ike_payload_parse(&p2, pl->type, x.p, x.len, &e) != 0)
		abort(); /* and what we build must parse */
	if (ike_payload_build(&p2, &y) != 0 || x.len != y.len || memcmp(x.p, y.p, x.len) != 0)
		abort(); /* and rebuild identically */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	struct ike_err e;
	char sum[2048];

	if (ike_msg_parse(&m, data, size, &e) != 0) {
		/* still run a typed parser on the raw bytes: type from the first octet */
		if (size > 0) {
			struct ike_pl pl = {.type = (uint8_t)(33 + data[0] % 22), .body = data + 1, .len = size - 1};

			check_payload(&pl);
		}
		return 0;
	}
	for (size_t i = 0; i < m.outer.n; i++)
		check_payload(&m.outer.pl[i]);
	if (m.sk != NULL) {
		static uint8_t plain[70000];
		struct ike_sk_parts parts;
		size_t plen;

		(void)ike_sk_split(m.sk_data, m.sk_data_len, 8, 16, 16, &parts, &e);
		(void)ike_sk_split(m.sk_data, m.sk_data_len, 16, 12, 8, &parts, &e);
		if (ike_sk_split(m.sk_data, m.sk_data_len, 0, 0, 1, &parts, &e) == 0 && parts.ct_len <= sizeof plain) {
			memcpy(plain, parts.ct, parts.ct_len); /* as if decrypted in place */
			if (ike_sk_unpad(plain, parts.ct_len, &plen, &e) == 0 &&
			    ike_msg_parse_inner(&m, plain, plen, &e) == 0)
				for (size_t i = 0; i < m.inner.n; i++)
					check_payload(&m.inner.pl[i]);
		}
	}
	(void)ike_rules_check_msg(&m, &e);
	if (ike_msg_summary(&m, sum, sizeof sum) == 0)
		abort();
	return 0;
}
