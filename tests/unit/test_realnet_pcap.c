/*
 * test_realnet_pcap.c — the loop's capture writer (cli/realnet_pcap.c):
 * the file reads back through libpcap as DLT_RAW IPv4 with the
 * synthesised headers right (lengths, protocol, addresses, ports, valid IP
 * and UDP checksums), whether the headers went into the caller's headroom
 * or a copy; the Internet checksum against RFC 1071's worked example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/realnet_pcap.c"

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums (one's complement) to 0xddf2. */
static void test_csum_rfc1071(void **state)
{
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	(void)state;
	assert_int_equal(rn_ip_csum_fold(rn_ip_csum_add(0, b, sizeof b)), 0xddf2);
	/* odd length: the last octet is padded with a zero octet (RFC 1071 §4.1) */
	assert_int_equal(rn_ip_csum_fold(rn_ip_csum_add(0, b, 7)), rn_ip_csum_fold(0x0001 + 0xf203 + 0xf4f5 + 0xf600));
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)g16(p) << 16 | g16(p + 2);
}

/* udp_ok verifies a UDP checksum over the pseudo-header of the IPv4 packet |ip|. */
static int udp_ok(const uint8_t *ip, size_t len)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)((len - 20) >> 8);
	pseudo[11] = (uint8_t)(len - 20);
	sum = rn_ip_csum_add(0, pseudo, 12);
	sum = rn_ip_csum_add(sum, ip + 20, len - 20);
	return rn_ip_csum_fold(sum) == 0xffff;
}

static void test_roundtrip(void **state)
{
	char path[] = "/tmp/test_realnet_pcap.XXXXXX";
	char msg[256], err[PCAP_ERRBUF_SIZE];
	int fd = mkstemp(path);
	struct rn_pcap *pc;
	uint8_t slot[64 + 300], ro[301], ip[40];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *in;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	pc = rn_pcap_open(path, msg, sizeof msg);
	assert_non_null(pc);
	/* 1: headroom path (payload at offset 64 of a slot) */
	for (int i = 0; i < 300; i++)
		slot[64 + i] = (uint8_t)i;
	rn_pcap_udp(pc, slot + 64, 300, 64, 0xc0000202u, 4500, 0xc6336402u, 4501);
	/* 2: copy path (no room), odd length */
	for (int i = 0; i < 301; i++)
		ro[i] = (uint8_t)(255 - i);
	rn_pcap_udp_copy(pc, ro, 301, 0xc6336402u, 500, 0xc0000202u, 500);
	/* 3: plain ESP, 20 octets of room */
	rn_pcap_esp(pc, slot + 64, 100, 20, 0x0a000001u, 0x0a000002u);
	/* 4: a complete packet as is */
	memset(ip, 0xab, sizeof ip);
	ip[0] = 0x45;
	rn_pcap_ipv4(pc, ip, sizeof ip);
	assert_int_equal(rn_pcap_count(pc), 4);
	rn_pcap_close(pc);

	in = pcap_open_offline(path, err);
	assert_non_null(in);
	assert_int_equal(pcap_datalink(in), DLT_RAW);

	assert_int_equal(pcap_next_ex(in, &h, &d), 1);
	assert_int_equal(h->caplen, 328);
	assert_int_equal(d[0], 0x45);
	assert_int_equal(g16(d + 2), 328);
	assert_int_equal(d[9], 17);
	assert_int_equal(rn_ip_csum_fold(rn_ip_csum_add(0, d, 20)), 0xffff);
	assert_true(g32(d + 12) == 0xc0000202u);
	assert_true(g32(d + 16) == 0xc6336402u);
	assert_int_equal(g16(d + 20), 4500);
	assert_int_equal(g16(d + 22), 4501);
	assert_int_equal(g16(d + 24), 308);
	assert_true(udp_ok(d, 328));
	for (int i = 0; i < 300; i++)
		assert_int_equal(d[28 + i], (uint8_t)i);

	assert_int_equal(pcap_next_ex(in, &h, &d), 1);
	assert_int_equal(h->caplen, 329);
	assert_int_equal(g16(d + 20), 500);
	assert_true(udp_ok(d, 329));
	assert_int_equal(memcmp(d + 28, ro, 301), 0);
	/* the Identification field counts up per record */
	assert_int_equal(g16(d + 4), 1);

	assert_int_equal(pcap_next_ex(in, &h, &d), 1);
	assert_int_equal(h->caplen, 120);
	assert_int_equal(d[9], 50);
	assert_int_equal(rn_ip_csum_fold(rn_ip_csum_add(0, d, 20)), 0xffff);
	assert_int_equal(d[20], 0);
	assert_int_equal(d[21], 1);

	assert_int_equal(pcap_next_ex(in, &h, &d), 1);
	assert_int_equal(h->caplen, 40);
	assert_int_equal(memcmp(d, ip, 40), 0);
	assert_int_equal(pcap_next_ex(in, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(in);
	unlink(path);
}

static void test_open_error(void **state)
{
	char msg[256] = "";

	(void)state;
	assert_null(rn_pcap_open("/nonexistent-dir/x.pcap", msg, sizeof msg));
	assert_non_null(strstr(msg, "--pcap /nonexistent-dir/x.pcap"));
	assert_non_null(strstr(msg, "expected a writable file"));
	/* NULL writer: every call is a no-op */
	rn_pcap_udp(NULL, NULL, 0, 0, 0, 0, 0, 0);
	rn_pcap_close(NULL);
	assert_int_equal(rn_pcap_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_open_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
