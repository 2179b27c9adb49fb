/*
 * fuzz_ike_engine.c — libFuzzer target for the IKEv2 engine as a gateway:
 * datagrams, mutated messages of a real client (SK paths included), time
 * and API calls, as described in fuzz_ike_engine.h. After every record the
 * engines' indexes must match a scan of their SAs.
 * Seeds: tests/fuzz/corpus/fuzz_ike_engine (written by test_ike_engine_corpus).
 */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz_ike_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fze_run(data, size, NULL);
	return 0;
}
