/* test_evlog.c — JSON-lines events: escaping, fixed-point time, truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ref/util/evlog.h"
#include "tests/lib/testutil.h"

static void test_fields(void **state)
{
	struct evbuf e;
	uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};

	ev_begin(&e, 1000250000ull, "ike", "state");
	ev_str(&e, "from", "INIT_SENT");
	ev_u64(&e, "mid", 1);
	ev_i64(&e, "delta", -3);
	ev_bool(&e, "nat", 1);
	ev_hex(&e, "spi", spi, sizeof spi);
	ev_time(&e, "next", 20000000000ull);
	assert_string_equal(ev_end(&e),
			    "{\"t\":1.000250000,\"src\":\"ike\",\"ev\":\"state\",\"from\":\"INIT_SENT\","
			    "\"mid\":1,\"delta\":-3,\"nat\":true,\"spi\":\"c0ffee01\",\"next\":20.000000000}");
}

static void test_escape(void **state)
{
	struct evbuf e;

	ev_begin(&e, 0, "cfg", "error");
	ev_str(&e, "msg", "bad \"key\"\\\n\x01");
	ev_str(&e, "none", NULL);
	assert_string_equal(ev_end(&e), "{\"t\":0.000000000,\"src\":\"cfg\",\"ev\":\"error\","
					"\"msg\":\"bad \\\"key\\\"\\\\\\u000a\\u0001\",\"none\":null}");
}

static void test_truncation_keeps_valid_json(void **state)
{
	struct evbuf e;
	uint8_t big[1500];
	const char *line;

	memset(big, 0xab, sizeof big);
	ev_begin(&e, 5, "ike", "keys");
	ev_u64(&e, "a", 7);
	ev_hex(&e, "big", big, sizeof big); /* 3000 hex digits: does not fit */
	ev_u64(&e, "b", 8);                 /* refused after truncation */
	line = ev_end(&e);
	assert_non_null(strstr(line, "\"a\":7,\"trunc\":true}"));
	assert_null(strstr(line, "big"));
	assert_true(strlen(line) < EVBUF_MAX);
}

static void test_sink(void **state)
{
	struct ev_lines got = {0};
	struct ev_sink sink = {ev_collect, &got};
	struct evbuf e;

	ev_begin(&e, 1, "sim", "drop");
	ev_str(&e, "reason", "frag-non-first");
	ev_emit(&sink, &e);
	ev_begin(&e, 2, "sim", "drop");
	ev_emit(&sink, &e);
	assert_int_equal(got.n, 2);
	assert_int_equal(ev_lines_count(&got, "frag-non-first"), 1);
	ev_lines_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_truncation_keeps_valid_json),
		cmocka_unit_test(test_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
