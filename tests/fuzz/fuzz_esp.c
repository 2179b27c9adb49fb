/*
 * fuzz_esp.c — libFuzzer target for the ESP datapath: esp_open on a fixed
 * SA per transform (kept across inputs, or fresh per input, optionally at
 * a fuzzer-chosen window edge), the RFC 3948 port-4500 demultiplexer with
 * lookup by SPI, and seal/open round trips. The input format and the
 * properties checked are in fuzz_esp.h (shared with the corpus test).
 * Seeds: tests/fuzz/corpus/fuzz_esp (written by test_esp_corpus).
 */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz_esp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_state st;
	static int ready;

	if (!ready) {
		fz_state_init(&st); /* lives for the whole run: the kept SAs */
		ready = 1;
	}
	(void)fz_one(&st, data, size);
	return 0;
}
