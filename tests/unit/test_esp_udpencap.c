/*
 * test_esp_udpencap.c — RFC 3948 port-4500 demultiplexing: NAT keepalive
 * (one octet 0xFF), IKE behind the Non-ESP Marker, ESP (SPI != 0), and the
 * marker helpers. Numbered table of payloads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ref/esp/esp.h"
#include "ref/esp/esp_udpencap.h"
#include "tests/lib/testutil.h"

struct udp_case {
	int n;
	const char *hex; /* the UDP payload */
	enum esp_udp_kind want;
	const char *what;
};

#define IKE_HDR "0123456789abcdef 0000000000000000 2e202208 00000000 0000001c"

static const struct udp_case cases[] = {
	{1, "", ESP_UDP_INVALID, "empty payload"},
	{2, "ff", ESP_UDP_KEEPALIVE, "NAT-keepalive (RFC 3948 2.3)"},
	{3, "00", ESP_UDP_INVALID, "one octet, not 0xFF"},
	{4, "fe", ESP_UDP_INVALID, "one octet 0xFE"},
	{5, "ffff", ESP_UDP_INVALID, "two octets 0xFF: not a keepalive"},
	{6, "000000", ESP_UDP_INVALID, "three octets"},
	{7, "00000000", ESP_UDP_INVALID, "marker alone, no IKE header"},
	{8, "00000000" IKE_HDR, ESP_UDP_IKE, "marker + 28-octet IKE header"},
	{9, "00000000 0123456789abcdef 0000000000000000 2e202208 00000000 000000",
	 ESP_UDP_INVALID, "marker + 27 octets: IKE header cut"},
	{10, "00000001 00000001", ESP_UDP_ESP, "SPI 1, seq 1: ESP (8-octet header)"},
	{11, "c0ffee01 00000001 aabbccdd", ESP_UDP_ESP, "ESP with payload"},
	{12, "c0ffee01 000000", ESP_UDP_INVALID, "ESP header cut at 7 octets"},
	{13, "c0ffee01", ESP_UDP_INVALID, "SPI only"},
	{14, "00000100 00000000", ESP_UDP_ESP, "SPI 256, seq 0: still ESP (esp_open refuses seq 0)"},
	{15, "ff000000 00000001", ESP_UDP_ESP, "starts with 0xFF but 8 octets: ESP"},
	{16, "00000000 00000001", ESP_UDP_INVALID, "SPI 0 + 4 octets: never ESP, too short for IKE"},
	{17, "00ffffff 00000001", ESP_UDP_ESP, "SPI 0x00ffffff: first octet 0 is fine"},
	{18, "00000000" IKE_HDR "deadbeef", ESP_UDP_IKE, "IKE with a payload"},
};

static void test_classify_table(void **state)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t buf[128];
		long n = hex_decode(cases[i].hex, buf, sizeof buf);
		enum esp_udp_kind got;

		assert_int_equal(cases[i].n, (int)i + 1);
		assert_true(n >= 0);
		got = esp_udp_classify(buf, (size_t)n);
		if (got != cases[i].want) {
			print_error("case %d (%s): got %s, want %s\n", cases[i].n, cases[i].what,
				    esp_udp_kind_name(got), esp_udp_kind_name(cases[i].want));
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	assert_int_equal(esp_udp_classify(NULL, 5), ESP_UDP_INVALID);
}

static void test_demux_strips_marker_for_ike(void **state)
{
	uint8_t buf[64];
	long n = hex_decode("00000000" IKE_HDR, buf, sizeof buf);
	struct esp_pkt p = {buf, sizeof buf, 0, (size_t)n};

	assert_int_equal(esp_udp_demux(&p), ESP_UDP_IKE);
	assert_int_equal(p.off, 4);
	assert_int_equal(p.len, 28);
	assert_int_equal(buf[p.off], 0x01);

	n = hex_decode("c0ffee01 00000007 0102", buf, sizeof buf);
	p = (struct esp_pkt){buf, sizeof buf, 0, (size_t)n};
	assert_int_equal(esp_udp_demux(&p), ESP_UDP_ESP);
	assert_int_equal(p.off, 0); /* ESP keeps its SPI */
	assert_int_equal(p.len, 10);

	p = (struct esp_pkt){buf, sizeof buf, 0, 1};
	buf[0] = 0xff;
	assert_int_equal(esp_udp_demux(&p), ESP_UDP_KEEPALIVE);
	assert_int_equal(p.len, 1);

	/* a span outside its buffer is refused, not read */
	p = (struct esp_pkt){buf, 8, 4, 10};
	assert_int_equal(esp_udp_demux(&p), ESP_UDP_INVALID);
}

static void test_keepalive_build(void **state)
{
	uint8_t out[4] = {0};

	assert_int_equal(esp_udp_keepalive(out, sizeof out), 1);
	assert_int_equal(out[0], 0xff);
	assert_int_equal(esp_udp_keepalive(out, 0), 0);
	assert_int_equal(esp_udp_classify(out, 1), ESP_UDP_KEEPALIVE);
}

static void test_marker_add_strip(void **state)
{
	uint8_t buf[64];
	struct esp_pkt p;

	memset(buf, 0xaa, sizeof buf);
	hex_decode(IKE_HDR, buf + 8, sizeof buf - 8);
	p = (struct esp_pkt){buf, sizeof buf, 8, 28};
	assert_int_equal(esp_udp_marker_add(&p), ESP_OK);
	assert_int_equal(p.off, 4);
	assert_int_equal(p.len, 32);
	assert_memory_equal(buf + 4, "\0\0\0\0", 4);
	assert_int_equal(esp_udp_classify(buf + p.off, p.len), ESP_UDP_IKE);
	assert_int_equal(esp_udp_marker_strip(&p), ESP_OK);
	assert_int_equal(p.off, 8);
	assert_int_equal(p.len, 28);

	/* no headroom for the marker */
	p = (struct esp_pkt){buf, sizeof buf, 3, 10};
	assert_int_equal(esp_udp_marker_add(&p), ESP_ENOSPACE);
	assert_int_equal(p.off, 3);

	/* strip: too short, then not zero */
	p = (struct esp_pkt){buf, sizeof buf, 4, 3};
	assert_int_equal(esp_udp_marker_strip(&p), ESP_ETRUNC);
	buf[20] = 0;
	buf[21] = 0;
	buf[22] = 0;
	buf[23] = 1;
	p = (struct esp_pkt){buf, sizeof buf, 20, 10};
	assert_int_equal(esp_udp_marker_strip(&p), ESP_EMARKER);
	assert_int_equal(p.off, 20);
	assert_string_equal(esp_err_name(ESP_EMARKER), "no-marker");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_demux_strips_marker_for_ike),
		cmocka_unit_test(test_keepalive_build),
		cmocka_unit_test(test_marker_add_strip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
