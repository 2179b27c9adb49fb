/*
 * test_realnet_opts.c — the [realnet] section of a profile (rn_opts_parse,
 * cli/realnet_opts.c): defaults, every key, errors with file:line, and
 * how it composes with the ike profile parser in one file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cli/realnet_opts.c"
#include "ref/ike/ike_profile.h"

static int parse(const char *text, struct rn_opts *o, char *msg, size_t cap)
{
	rn_opts_init(o, 0);
	msg[0] = '\0';
	return rn_opts_parse(text, strlen(text), "t.conf", o, msg, cap);
}

static void test_defaults(void **state)
{
	struct rn_opts c, g;

	(void)state;
	rn_opts_init(&c, 0);
	rn_opts_init(&g, 1);
	assert_string_equal(c.name, "client");
	assert_string_equal(g.name, "gw");
	assert_int_equal(c.port, 500);
	assert_int_equal(c.natt_port, 4500);
	assert_int_equal(c.tun_mtu, RN_TUN_MTU_DEFAULT);
	assert_int_equal(c.batch, RN_BATCH_DEFAULT);
	assert_int_equal(c.esp_mode, RN_ESP_AUTO);
	assert_int_equal(c.routes, 1);
	assert_int_equal(c.no_tun, 0);
	assert_true(c.shutdown_wait_ns == 1000000000ull);
}

static void test_all_keys(void **state)
{
	const char *text = "# header\n"
			   "remote_addr = 192.0.2.1\n"
			   "tun = ignored-outside-the-section\n"
			   "[realnet]\n"
			   "tun = vl7   # comment\n"
			   "tun_mtu = 1280\n"
			   "tun_addr = 10.9.0.1/24\n"
			   "listen = 192.0.2.2\n"
			   "esp = raw\n"
			   "routes = no\n"
			   "batch = 128\n"
			   "shutdown_wait = 250ms\n"
			   "[client]\n"
			   "batch = not-ours\n";
	struct rn_opts o;
	char msg[512];

	(void)state;
	assert_int_equal(parse(text, &o, msg, sizeof msg), 0);
	assert_string_equal(o.tun_name, "vl7");
	assert_int_equal(o.tun_mtu, 1280);
	assert_true(o.tun_addr == 0x0a090001u);
	assert_int_equal(o.tun_prefix, 24);
	assert_true(o.listen_addr == 0xc0000202u);
	assert_int_equal(o.esp_mode, RN_ESP_RAW);
	assert_int_equal(o.routes, 0);
	assert_int_equal(o.batch, 128);
	assert_true(o.shutdown_wait_ns == 250000000ull);
}

static void test_tun_none_and_quotes(void **state)
{
	struct rn_opts o;
	char msg[512];

	(void)state;
	assert_int_equal(parse("[realnet]\ntun = none\nesp = \"udp\"\nshutdown_wait = 2\n", &o, msg, sizeof msg), 0);
	assert_int_equal(o.no_tun, 1);
	assert_int_equal(o.esp_mode, RN_ESP_UDP);
	assert_true(o.shutdown_wait_ns == 2000000000ull);
	assert_int_equal(parse("[realnet]\ntun_addr = 10.0.0.1\n", &o, msg, sizeof msg), 0);
	assert_int_equal(o.tun_prefix, 32);
	/* no [realnet] section at all: defaults */
	assert_int_equal(parse("[client]\nremote_addr = 1.2.3.4\n", &o, msg, sizeof msg), 0);
	assert_int_equal(o.tun_name[0], '\0');
}

/* Errors: each names file:line, the key, the value and what was expected. */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	/* 1 */ {"[realnet]\ntun_mtu = 100\n", "t.conf:2: [realnet] tun_mtu = '100': expected a number 576..9000"},
	/* 2 */ {"[realnet]\n\nbatch = 0\n", "t.conf:3: [realnet] batch = '0': expected a number 1..256"},
	/* 3 */ {"[realnet]\nbatch = 12x\n", "t.conf:2: [realnet] batch = '12x': expected a number 1..256"},
	/* 4 */ {"[realnet]\ntun_addr = 10.0.0.300\n", "tun_addr = '10.0.0.300': not an IPv4 address"},
	/* 5 */ {"[realnet]\ntun_addr = 10.0.0.1/33\n", "prefix length '33', expected /0../32"},
	/* 6 */ {"[realnet]\nlisten = 10.0.0.1/8\n", "listen = '10.0.0.1/8': a prefix length is not allowed here"},
	/* 7 */ {"[realnet]\nesp = tcp\n", "esp = 'tcp': expected auto, udp or raw"},
	/* 8 */ {"[realnet]\nroutes = maybe\n", "routes = 'maybe': not a boolean, expected yes or no"},
	/* 9 */ {"[realnet]\nshutdown_wait = 3 parsecs\n", "unknown unit ' parsecs', expected ms, s or m"},
	/* 10 */ {"[realnet]\nshutdown_wait = soon\n", "expected a duration like 500ms, 2s or 1m"},
	/* 11 */ {"[realnet]\ncolour = blue\n", "t.conf:2: [realnet] colour = 'blue': unknown key, expected tun,"},
	/* 12 */ {"[realnet]\ntun = a\ntun = b\n", "t.conf:3: [realnet] tun = 'b': key given twice (first at line 2)"},
	/* 13 */ {"[realnet]\njust words\n", "t.conf:2: [realnet]: 'just words' has no '=', expected key = value"},
	/* 14 */ {"[realnet]\ntun = a/b\n", "tun = 'a/b': expected an interface name"},
	/* 15 */ {"[realnet]\ntun = abcdefghijklmnopq\n", "expected an interface name of 1..15 characters"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rn_opts o;
		char msg[512];

		if (parse(bad[i].text, &o, msg, sizeof msg) != -1 || strstr(msg, bad[i].want) == NULL)
			fail_msg("row %zu: got '%s', expected it to contain '%s'", i + 1, msg, bad[i].want);
	}
}

/* Composition: one file, the ike parser with the role's section skips [realnet], and vice versa. */
static void test_composes_with_ike_profile(void **state)
{
	const char *text = "local_id = client.vpnlab.example\n"
			   "psk = \"a # not a comment\"\n"
			   "[client]\n"
			   "remote_addr = 198.51.100.2\n"
			   "request_vip = yes\n"
			   "[realnet]\n"
			   "tun = vlc0\n"
			   "batch = 32\n";
	struct ike_config cfg;
	struct rn_opts o;
	char msg[512] = "";

	(void)state;
	assert_int_equal(ike_profile_parse(text, strlen(text), "t.conf", "client", &cfg, msg, sizeof msg), 0);
	assert_true(cfg.remote_addr == 0xc6336402u);
	assert_int_equal(cfg.request_vip, 1);
	assert_int_equal(parse(text, &o, msg, sizeof msg), 0);
	assert_string_equal(o.tun_name, "vlc0");
	assert_int_equal(o.batch, 32);
	/* a realnet key in the ike part is the ike parser's error, with the file's line number */
	assert_int_not_equal(ike_profile_parse("[client]\nremote_addr = 1.2.3.4\ntun = x\n", 38, "t.conf", "client", &cfg,
					       msg, sizeof msg),
			     0);
	assert_non_null(strstr(msg, "t.conf:3: tun"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_tun_none_and_quotes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_composes_with_ike_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
