/*
 * test_esp_pad.c — the crypto-free parts of ESP: padding and trailer rules
 * (RFC 4303 §2.4-2.6), lifetime counters (RFC 4301 §4.4.2.1), the SPI table,
 * error names and the drop event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ref/esp/esp.h"
#include "ref/util/evlog.h"
#include "tests/lib/testutil.h"

/* esp_pad_len: payload + pad + 2 must reach the alignment (numbered). */
static void test_pad_len_table(void **state)
{
	static const struct {
		int n;
		size_t payload, align, want;
	} t[] = {
		{1, 0, 4, 2},     /* 0+2 -> 4 */
		{2, 1, 4, 1},
		{3, 2, 4, 0},
		{4, 3, 4, 3},
		{5, 1400, 4, 2},  /* GCM at 1400: 1404 */
		{6, 1400, 16, 6}, /* AES-CBC at 1400: 1408 */
		{7, 1400, 8, 6},  /* 3DES at 1400: 1408 */
		{8, 14, 16, 0},
		{9, 15, 16, 15},  /* worst case for AES-CBC */
		{10, 64, 16, 14},
		{11, 7, 8, 7},    /* worst case for 3DES */
		{12, 5, 1, 0},    /* no alignment */
		{13, 5, 0, 0},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t got = esp_pad_len(t[i].payload, t[i].align);

		if (got != t[i].want)
			fail_msg("case %d: payload %zu align %zu: pad %zu, want %zu", t[i].n,
				 t[i].payload, t[i].align, got, t[i].want);
		if (t[i].align > 1)
			assert_int_equal((t[i].payload + got + 2) % t[i].align, 0);
		assert_true(got < ESP_MAX_PAD_ALIGN);
	}
}

static void test_pad_write_and_parse(void **state)
{
	uint8_t buf[64];
	size_t payload_len = 0;
	uint8_t nh = 0, pl = 0;

	memset(buf, 0xee, sizeof buf);
	esp_pad_write(buf + 10, 5, ESP_NH_IPV4);
	assert_memory_equal(buf + 10, "\x01\x02\x03\x04\x05\x05\x04", 7);
	assert_int_equal(esp_pad_parse(buf, 17, &payload_len, &nh, &pl), ESP_OK);
	assert_int_equal(payload_len, 10);
	assert_int_equal(nh, 4);
	assert_int_equal(pl, 5);

	esp_pad_write(buf, 0, ESP_NH_NONE);
	assert_int_equal(esp_pad_parse(buf, 2, &payload_len, &nh, &pl), ESP_OK);
	assert_int_equal(payload_len, 0);
	assert_int_equal(nh, 59);
}

/* esp_pad_parse on decrypted payloads (numbered): only 1,2,3,... passes. */
static void test_pad_parse_table(void **state)
{
	static const struct {
		int n;
		const char *hex;
		int want;
		size_t payload_len;
	} t[] = {
		{1, "aabb 0004", ESP_OK, 2},
		{2, "aabb 01020304 0404", ESP_OK, 2},
		{3, "01020304 0404", ESP_OK, 0},          /* all padding */
		{4, "aabb 01020305 0404", ESP_EPAD, 0},   /* last pad octet wrong */
		{5, "aabb 00020304 0404", ESP_EPAD, 0},   /* first pad octet wrong */
		{6, "aabb 04030201 0404", ESP_EPAD, 0},   /* descending */
		{7, "aabb 00000000 0404", ESP_EPAD, 0},   /* zero padding */
		{8, "aabb 0504", ESP_EPAD, 0},            /* pad length past the start */
		{9, "0104", ESP_EPAD, 0},                 /* pad 1 but nothing before the trailer */
		{10, "04", ESP_ETRUNC, 0},                /* no room for the trailer */
		{11, "", ESP_ETRUNC, 0},
		{12, "ff04", ESP_EPAD, 0},                /* pad 255, 0 octets */
		{13, "aabbcc 01 0104", ESP_OK, 3},
		{14, "010202 01 013b", ESP_OK, 3},         /* payload octets may look like padding */
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t buf[300];
		long n = hex_decode(t[i].hex, buf, sizeof buf);
		size_t payload_len = 12345;
		uint8_t nh, pl;
		int got;

		assert_true(n >= 0);
		got = esp_pad_parse(buf, (size_t)n, &payload_len, &nh, &pl);
		if (got != t[i].want)
			fail_msg("case %d (%s): %s, want %s", t[i].n, t[i].hex, esp_err_name(got),
				 esp_err_name(t[i].want));
		if (got == ESP_OK)
			assert_int_equal(payload_len, t[i].payload_len);
	}

	/* the largest pad, 255 octets 1..255 */
	uint8_t big[260];
	size_t payload_len;
	uint8_t nh, pl;

	big[0] = 0x45;
	esp_pad_write(big + 1, 255, ESP_NH_IPV4);
	assert_int_equal(esp_pad_parse(big, 258, &payload_len, &nh, &pl), ESP_OK);
	assert_int_equal(payload_len, 1);
	assert_int_equal(pl, 255);
	big[200] ^= 1;
	assert_int_equal(esp_pad_parse(big, 258, &payload_len, &nh, &pl), ESP_EPAD);
}

static void test_lifetime(void **state)
{
	struct esp_lifetime lt;
	struct esp_lifetime_cfg cfg = {.soft_packets = 3, .hard_packets = 5};
	char msg[128];

	esp_lifetime_init(&lt, &cfg);
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_OK);
	for (int i = 1; i <= 5; i++) {
		esp_lifetime_count(&lt, 100);
		assert_int_equal(esp_lifetime_state(&lt),
				 i < 3 ? ESP_LIFE_OK : i < 5 ? ESP_LIFE_SOFT : ESP_LIFE_HARD);
	}
	assert_int_equal(lt.bytes, 500);

	cfg = (struct esp_lifetime_cfg){.soft_bytes = 1000, .hard_bytes = 1500};
	esp_lifetime_init(&lt, &cfg);
	esp_lifetime_count(&lt, 999);
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_OK);
	esp_lifetime_count(&lt, 1);
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_SOFT);
	esp_lifetime_count(&lt, 499);
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_SOFT);
	esp_lifetime_count(&lt, 1400); /* crosses: this one went through, the next will not */
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_HARD);

	/* no limits: never expires, and counters saturate instead of wrapping */
	esp_lifetime_init(&lt, NULL);
	esp_lifetime_count(&lt, UINT64_MAX);
	esp_lifetime_count(&lt, 10);
	assert_true(lt.bytes == UINT64_MAX);
	assert_int_equal(esp_lifetime_state(&lt), ESP_LIFE_OK);

	/* configuration: soft above hard names both */
	cfg = (struct esp_lifetime_cfg){.soft_bytes = 10, .hard_bytes = 5};
	assert_int_equal(esp_lifetime_cfg_check(&cfg, msg, sizeof msg), ESP_EINVAL);
	assert_non_null(strstr(msg, "soft_bytes 10"));
	assert_non_null(strstr(msg, "hard_bytes 5"));
	cfg = (struct esp_lifetime_cfg){.soft_packets = 10, .hard_packets = 5};
	assert_int_equal(esp_lifetime_cfg_check(&cfg, msg, sizeof msg), ESP_EINVAL);
	cfg = (struct esp_lifetime_cfg){.soft_packets = 10}; /* soft without hard is fine */
	assert_int_equal(esp_lifetime_cfg_check(&cfg, msg, sizeof msg), ESP_OK);
	assert_string_equal(esp_life_name(ESP_LIFE_SOFT), "soft");
}

static void test_sadb(void **state)
{
	struct esp_sadb *db = esp_sadb_new(3);
	/* the table never looks inside an SA: any distinct pointers will do */
	struct esp_sa *a = (struct esp_sa *)(uintptr_t)0x1000, *b = (struct esp_sa *)(uintptr_t)0x2000,
		      *c = (struct esp_sa *)(uintptr_t)0x3000;
	uint8_t pkt[8] = {0x00, 0x00, 0x20, 0x00, 0, 0, 0, 1};
	int err = 0;

	assert_non_null(db);
	assert_int_equal(esp_sadb_add(db, 0x3000, c), ESP_OK);
	assert_int_equal(esp_sadb_add(db, 0x1000, a), ESP_OK);
	assert_int_equal(esp_sadb_add(db, 0x2000, b), ESP_OK);
	assert_int_equal(esp_sadb_add(db, 0x4000, a), ESP_ENOSPACE);
	assert_int_equal(esp_sadb_add(db, 0x2000, a), ESP_EINVAL); /* duplicate */
	assert_int_equal(esp_sadb_count(db), 3);
	assert_ptr_equal(esp_sadb_find(db, 0x1000), a);
	assert_ptr_equal(esp_sadb_find(db, 0x2000), b);
	assert_ptr_equal(esp_sadb_find(db, 0x3000), c);
	assert_null(esp_sadb_find(db, 0x2001));
	assert_null(esp_sadb_find(db, 0));

	assert_ptr_equal(esp_sadb_lookup(db, pkt, sizeof pkt, &err), b);
	assert_int_equal(err, ESP_OK);
	pkt[3] = 1;
	assert_null(esp_sadb_lookup(db, pkt, sizeof pkt, &err));
	assert_int_equal(err, ESP_EUNKNOWN_SPI);
	assert_null(esp_sadb_lookup(db, pkt, 3, &err));
	assert_int_equal(err, ESP_ETRUNC);

	assert_int_equal(esp_sadb_del(db, 0x2000), ESP_OK);
	assert_int_equal(esp_sadb_del(db, 0x2000), ESP_EUNKNOWN_SPI);
	assert_null(esp_sadb_find(db, 0x2000));
	assert_ptr_equal(esp_sadb_find(db, 0x3000), c);
	assert_int_equal(esp_sadb_add(db, 0xff, a), ESP_EINVAL); /* reserved SPI */
	esp_sadb_free(db);
}

static void test_names_are_distinct(void **state)
{
	/* every error has its own name and sentence */
	for (int e = ESP_EMARKER; e <= ESP_OK; e++) {
		assert_string_not_equal(esp_err_name(e), "unknown");
		for (int f = e + 1; f <= ESP_OK; f++) {
			assert_string_not_equal(esp_err_name(e), esp_err_name(f));
			assert_string_not_equal(esp_strerror(e), esp_strerror(f));
		}
	}
	assert_string_equal(esp_err_name(-999), "unknown");
	assert_string_equal(esp_nh_name(4), "IPv4");
	assert_string_equal(esp_nh_name(59), "none");
	assert_string_equal(esp_nh_name(17), "unknown");
}

static void test_drop_event(void **state)
{
	struct ev_lines got = {0};
	struct ev_sink sink = {ev_collect, &got};
	struct esp_rx rx = {.spi = 0xc0ffee01, .seq = 17};

	esp_ev_drop(&sink, 1500000000ull, ESP_EREPLAY, &rx);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.line[0],
			    "{\"t\":1.500000000,\"src\":\"esp\",\"ev\":\"drop\",\"reason\":\"replayed\","
			    "\"msg\":\"sequence number already received (replay)\",\"spi\":\"c0ffee01\","
			    "\"seq\":17}");
	esp_ev_drop(NULL, 0, ESP_EICV, &rx); /* no sink: nothing, no crash */
	ev_lines_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pad_len_table),
		cmocka_unit_test(test_pad_write_and_parse),
		cmocka_unit_test(test_pad_parse_table),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_sadb),
		cmocka_unit_test(test_names_are_distinct),
		cmocka_unit_test(test_drop_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
