/*
 * fuzz_conf.c — arbitrary bytes through the whole `vpnlab check` pipeline:
 * decode (link layer, IPv4 and reassembly, UDP 500/4500, TCP reassembly and
 * RFC 9329 framing, ICMP, ESP, IKEv1/IKEv2 summaries), then every rule and
 * every report format (to /dev/null).
 *
 * The first input octet selects how the rest is read:
 *   0x80 set          the rest is a whole capture file (fmemopen +
 *                     pcap_fopen_offline through conf_capture_load_fp)
 *   0x40 set          the rest is several frames: [len_hi len_lo bytes]...
 *   0x20 set          decrypt (vpnlab check --keys) with the fixed key set
 *                     below before judging: SK/SKF decryption, fragment
 *                     reassembly, inner payload parsing, ESP decryption and
 *                     the rules on decrypted content all see the input
 *   0x10 set          (without 0x80/0x40) the rest is a key file: the JSON,
 *                     UAT and charon log readers of conf_keys.h
 *   low nibble % 9    link type of the frames: EN10MB, LINUX_SLL,
 *                     LINUX_SLL2, RAW, IPV4, PPP, NULL, LOOP, PPP_SERIAL
 * Seeds (tests/fuzz/corpus/fuzz_conf) are frames and files taken from the
 * crafted captures in tests/data/pcaps; the dec-* ones (really encrypted
 * with the fixed keys) with 0x20 set, and key files with 0x10.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_dec.h"
#include "conformance/conf_keys.h"
#include "conformance/conf_report.h"
#include "conformance/conf_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {1, 113, 276, 12, 228, 9, 0, 108, 50};

/*
 * The fixed key set: the keys of tests/data/pcaps/dec.keys (AES-CBC +
 * HMAC-SHA2-256) and dec-gcm.jsonl (AES-GCM-256), both for the IKE SA
 * 3c115e809207a46d/b244091fe67358c0 and ESP SPIs c0000001/c1000001 of the
 * dec-* captures; binding tries the CBC keys first, then the GCM ones.
 */
static const char fixed_keys[] =
	"uat:ikev2_decryption_table:3c115e809207a46d,b244091fe67358c0,10171e252c333a41484f565d646b7279,11"
	"181f262d343b424950575e656c737a,\"AES-CBC-128 [RFC3602]\",121920272e353c434a51585f666d747b8289909"
	"79ea5acb3bac1c8cfd6dde4eb,131a21282f363d444b525960676e757c838a91989fa6adb4bbc2c9d0d7dee5ec,\"HMA"
	"C_SHA2_256_128 [RFC4868]\"\n"
	"uat:esp_sa:\"IPv4\",\"*\",\"*\",\"0xc0000001\",\"AES-CBC [RFC3602]\",\"0x60676e757c838a91989fa6a"
	"db4bbc2c9\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060"
	"d141b222930373e\"\n"
	"uat:esp_sa:\"IPv4\",\"*\",\"*\",\"0xc1000001\",\"AES-CBC [RFC3602]\",\"0x70777e858c939aa1a8afb6b"
	"dc4cbd2d9\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x757c838a91989fa6adb4bbc2c9d0d7dee5ecf3fa01080f161"
	"d242b323940474e\"\n"
	"{\"t\":0.010000000,\"src\":\"ike\",\"ev\":\"keys\",\"who\":\"client\",\"spi_i\":\"3c115e809207a4"
	"6d\",\"spi_r\":\"b244091fe67358c0\",\"encr\":\"ENCR_AES_GCM_16\",\"encr_bits\":256,\"integ\":\"N"
	"ONE\",\"prf\":\"PRF_HMAC_SHA2_256\",\"sk_ei\":\"10171e252c333a41484f565d646b727980878e959ca3aab1"
	"b8bfc6cdd4dbe2e9f0f7fe05\",\"sk_er\":\"11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced"
	"5dce3eaf1f8ff06\"}\n"
	"{\"t\":0.020000000,\"src\":\"ike\",\"ev\":\"child_up\",\"who\":\"client\",\"spi_i\":\"3c115e8092"
	"07a46d\",\"spi_r\":\"b244091fe67358c0\",\"spi_in\":\"c1000001\",\"spi_out\":\"c0000001\",\"alg\""
	":\"ENCR_AES_GCM_16_256\",\"ts_local\":\"10.1.0.2-10.1.0.2\",\"enc_in\":\"70777e858c939aa1a8afb6b"
	"dc4cbd2d9e0e7eef5fc030a11181f262d343b424950575e65\",\"enc_out\":\"60676e757c838a91989fa6adb4bbc2"
	"c9d0d7dee5ecf3fa01080f161d242b323940474e55\"}\n";

static struct conf_keys *keys(void)
{
	static struct conf_keys k; /* parsed once; read-only afterwards */
	static int done;
	if (!done) {
		char err[CONF_ERR_LEN];
		conf_keys_init(&k, "fuzz keys");
		if (conf_keys_parse(&k, fixed_keys, sizeof fixed_keys - 1, err, sizeof err) < 0)
			abort();
		done = 1;
	}
	return &k;
}

static void judge(struct conf_capture *c)
{
	struct conf_params p;
	struct conf_ctx x;
	static struct conf_run runs[128];
	size_t n = 0;
	conf_params_default(&p);
	if (conf_ctx_init(&x, c, &p) < 0)
		return;
	for (const struct conf_rule *const *r = conf_rules(); *r && n < 128; r++) {
		runs[n].rule = *r;
		conf_rule_run(*r, &x, &runs[n].res);
		n++;
	}
	FILE *f = fopen("/dev/null", "w");
	if (f) {
		conf_report_write(f, CONF_FMT_TEXT, c, runs, n);
		conf_report_write(f, CONF_FMT_JSON, c, runs, n);
		conf_report_write(f, CONF_FMT_JUNIT, c, runs, n);
		conf_report_dump(f, c);
		fclose(f);
	}
	conf_ctx_free(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	struct conf_capture *c = NULL;
	struct conf_capture_limits lim = {0};
	lim.keep_esp = (sel & 0x20) != 0;
	if ((sel & 0xd0) == 0x10) {
		struct conf_keys k;
		char err[CONF_ERR_LEN];
		conf_keys_init(&k, "fuzz");
		conf_keys_parse(&k, (const char *)data, size, err, sizeof err);
		conf_keys_free(&k);
		return 0;
	}
	if (sel & 0x80) {
		char err[CONF_ERR_LEN];
		FILE *fp = fmemopen((void *)data, size ? size : 1, "rb");
		if (!fp)
			return 0;
		if (!size) {
			fclose(fp);
			return 0;
		}
		c = conf_capture_load_fp(fp, "fuzz", &lim, err, sizeof err);
	} else {
		c = conf_capture_new(dlts[(sel & 15) % 9], "fuzz", &lim);
		if (!c)
			return 0;
		if (sel & 0x40) {
			uint64_t t = 0;
			while (size >= 2) {
				size_t n = (size_t)data[0] << 8 | data[1];
				data += 2;
				size -= 2;
				if (n > size)
					n = size;
				conf_capture_frame(c, t, data, (uint32_t)n, (uint32_t)n + (sel & 1));
				t += 1000000000ull * (n ? data[0] & 3 : 0) + 1; /* gaps: timeouts, keepalive checks */
				data += n;
				size -= n;
			}
		} else {
			conf_capture_frame(c, 1, data, (uint32_t)size, (uint32_t)size);
		}
		conf_capture_finish(c);
	}
	if (c && (sel & 0x20)) {
		char err[CONF_ERR_LEN];
		if (conf_dec_run(c, keys(), err, sizeof err) < 0)
			abort(); /* only memory exhaustion fails */
	}
	if (c) {
		judge(c);
		conf_capture_free(c);
	}
	return 0;
}
