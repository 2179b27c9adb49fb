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
 *   low nibble % 9    link type of the frames: EN10MB, LINUX_SLL,
 *                     LINUX_SLL2, RAW, IPV4, PPP, NULL, LOOP, PPP_SERIAL
 * Seeds (tests/fuzz/corpus/fuzz_conf) are frames and files taken from the
 * crafted captures in tests/data/pcaps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_report.h"
#include "conformance/conf_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {1, 113, 276, 12, 228, 9, 0, 108, 50};

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
	if (sel & 0x80) {
		char err[CONF_ERR_LEN];
		FILE *fp = fmemopen((void *)data, size ? size : 1, "rb");
		if (!fp)
			return 0;
		if (!size) {
			fclose(fp);
			return 0;
		}
		c = conf_capture_load_fp(fp, "fuzz", NULL, err, sizeof err);
	} else {
		c = conf_capture_new(dlts[(sel & 15) % 9], "fuzz", NULL);
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
	if (c) {
		judge(c);
		conf_capture_free(c);
	}
	return 0;
}
