/*
 * test_ike_profile.c — the plain-text profile (ref/ike/ike_profile.h):
 * every key lands in struct ike_config, sections pick a role out of a
 * scenario file, and every bad line is named by file:line with the key,
 * the value and what was expected (a numbered table). Finally two parsed
 * profiles run a handshake against each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_profile.h"
#include "tests/unit/test_ike_flow_util.h"

static const char client_text[] = "# a remote-access client\n"
				   "[client]\n"
				   "name        = laptop\n"
				   "local_addr  = 10.0.0.2\n"
				   "remote_addr = 198.51.100.1\n"
				   "local_id    = alice@example.org\n"
				   "remote_id   = fqdn:vpn.example.org\n"
				   "psk         = \"correct horse # battery\"   # quotes keep '#'\n"
				   "ike         = aes256gcm16-prfsha256-curve25519, aes128-sha256-modp2048\n"
				   "esp         = aes256gcm16, aes128-sha256-esn\n"
				   "esp_small   = aes128gcm16\n"
				   "proposals   = auto\n"
				   "remote_ts   = 10.1.0.0/16, 10.9.0.1-10.9.0.9[tcp/443]\n"
				   "keepalive   = 15s\n"
				   "encap       = yes\n"
				   "fragment_size = 548\n"
				   "retransmit_timeout = 500ms\n"
				   "retransmit_base = 2\n"
				   "retransmit_tries = 3\n"
				   "dpd_delay   = 1m\n"
				   "dpd_action  = restart\n"
				   "request_vip = yes\n"
				   "initial_contact = no\n"
				   "log_keys    = on\n"
				   "cert_time   = 1700000000\n";

static void test_client_profile(void **state)
{
	struct ike_config c;
	char msg[512] = "";

	(void)state;
	assert_int_equal(ike_profile_parse(client_text, strlen(client_text), "laptop.conf", NULL, &c, msg, sizeof msg),
			 0);
	assert_int_equal(c.role, IKE_ROLE_CLIENT);
	assert_string_equal(c.name, "laptop");
	assert_int_equal(c.local_addr, IP(10, 0, 0, 2));
	assert_int_equal(c.remote_addr, IP(198, 51, 100, 1));
	assert_int_equal(c.local_id.type, IKE_ID_RFC822_ADDR);
	assert_memory_equal(c.local_id.data, "alice@example.org", 17);
	assert_int_equal(c.remote_id.type, IKE_ID_FQDN);
	assert_int_equal(c.psk_len, strlen("correct horse # battery"));
	assert_memory_equal(c.psk, "correct horse # battery", c.psk_len);
	assert_int_equal(c.ike.n, 2);
	assert_int_equal(c.ike.p[0].encr[0].id, IKE_ENCR_AES_GCM_16);
	assert_int_equal(c.ike.p[0].encr[0].key_bits, 256);
	assert_int_equal(c.ike.p[0].ke[0], IKE_KE_CURVE25519);
	assert_int_equal(c.ike.p[1].prf[0], IKE_PRF_HMAC_SHA2_256); /* implied by sha256 */
	assert_int_equal(c.ike.p[1].integ[0], IKE_INTEG_HMAC_SHA2_256_128);
	assert_int_equal(c.esp.n, 2);
	assert_int_equal(c.esp.p[1].esn[0], IKE_ESN_YES);
	assert_int_equal(c.esp.p[0].esn[0], IKE_ESN_NO);
	assert_int_equal(c.esp_small.p[0].encr[0].key_bits, 128);
	assert_int_equal(c.proposals, IKE_PROPOSALS_AUTO);
	assert_int_equal(c.n_remote_ts, 2);
	assert_int_equal(c.remote_ts[0].hi, IP(10, 1, 255, 255));
	assert_int_equal(c.remote_ts[1].proto, 6);
	assert_int_equal(c.remote_ts[1].port_lo, 443);
	assert_int_equal(c.remote_ts[1].hi, IP(10, 9, 0, 9));
	assert_int_equal(c.keepalive_ns, 15 * S_NS);
	assert_true(c.force_encap);
	assert_int_equal(c.fragment_size, 548);
	assert_int_equal(c.retx_timeout_ns, S_NS / 2);
	assert_true(c.retx_base == 2.0);
	assert_int_equal(c.retx_tries, 3);
	assert_int_equal(c.dpd_ns, 60 * S_NS);
	assert_int_equal(c.dpd_action, IKE_DPD_RESTART);
	assert_true(c.request_vip);
	assert_false(c.initial_contact);
	assert_true(c.log_keys);
	assert_int_equal(c.cert_time, 1700000000);
	/* untouched keys keep their defaults */
	assert_int_equal(c.port, 500);
	assert_int_equal(c.natt_port, 4500);
	assert_int_equal(c.n_local_ts, 1);
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), 0);
}

static void test_gateway_profile(void **state)
{
	static const char text[] = "[gateway]\n"
				   "local_id = vpn.example.org\n"
				   "psk = secret\n"
				   "pool = 10.10.0.0/24\n"
				   "dns = 10.10.0.53, 10.10.0.54\n"
				   "dns_domain = corp.example, lab.example\n"
				   "local_ts = 10.1.0.0/16\n"
				   "remote_ts = 10.10.0.0/24\n"
				   "cookie_threshold = 5\n"
				   "half_open_timeout = 10s\n"
				   "unique = replace\n"
				   "max_sas = 100\n"
				   "fragmentation = no\n"
				   "reassembly_max_fragments = 8\n"
				   "reassembly_timeout = 2s\n"
				   "invalid_spi_notify = yes\n"
				   "invalid_spi_rate = 5\n";
	struct ike_config c;
	char msg[512] = "";

	(void)state;
	assert_int_equal(ike_profile_parse(text, strlen(text), "gw.conf", NULL, &c, msg, sizeof msg), 0);
	assert_int_equal(c.role, IKE_ROLE_GATEWAY);
	assert_string_equal(c.name, "gw");
	assert_int_equal(c.pool_lo, IP(10, 10, 0, 1)); /* network and broadcast left out */
	assert_int_equal(c.pool_hi, IP(10, 10, 0, 254));
	assert_int_equal(c.pool_netmask, 0xffffff00u);
	assert_int_equal(c.n_dns, 2);
	assert_int_equal(c.dns[1], IP(10, 10, 0, 54));
	assert_int_equal(c.n_domains, 2);
	assert_string_equal(c.domains[1], "lab.example");
	assert_int_equal(c.cookie_threshold, 5);
	assert_int_equal(c.half_open_timeout_ns, 10 * S_NS);
	assert_int_equal(c.unique, IKE_UNIQUE_REPLACE);
	assert_int_equal(c.max_sas, 100);
	assert_int_equal(c.fragmentation, IKE_FRAG_NO);
	assert_int_equal(c.reasm_max_frags, 8);
	assert_int_equal(c.reasm_timeout_ns, 2 * S_NS);
	assert_int_equal(c.invalid_spi_notify, 1);
	assert_int_equal(c.invalid_spi_rate, 5);
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), 0);
}

/* dn: identities (RFC 4514 text to DER) and cert_time = now */
static void test_dn_and_cert_time(void **state)
{
	static const char text[] = "role = client\n"
				   "remote_addr = 198.51.100.1\n"
				   "psk = x\n"
				   "local_id  = dn:\"CN=alice,OU=Sales # not a comment,O=Example\\, Inc.,C=DE\"\n"
				   "remote_id = dn:CN=vpn.example.org\n"
				   "cert_time = now\n";
	struct ike_config c;
	char msg[512] = "";
	uint8_t der[255];
	size_t len;

	(void)state;
	assert_int_equal(ike_profile_parse(text, strlen(text), "dn.conf", NULL, &c, msg, sizeof msg), 0);
	assert_int_equal(c.local_id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(crypto_x509_dn_from_text("CN=alice,OU=Sales # not a comment,O=Example\\, Inc.,C=DE", der,
						  sizeof der, &len, NULL),
			 0);
	assert_int_equal(c.local_id.len, len);
	assert_memory_equal(c.local_id.data, der, len);
	assert_int_equal(crypto_x509_dn_to_text(c.remote_id.data, c.remote_id.len, msg, sizeof msg),
			 (int)strlen("CN=vpn.example.org"));
	assert_int_equal(c.cert_time, IKE_CERT_TIME_NOW);
	/* "now" must be mapped by the caller before the engine takes the profile */
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), IKE_E_ARG);
	assert_non_null(strstr(msg, "cert_time now"));
	/* wall clock 1,700,000,100 s when the caller's now reads 100 s: time zero is 1,700,000,000 */
	assert_int_equal(ike_config_cert_clock(&c, 1700000100, 100 * S_NS + 5), 0);
	assert_int_equal(c.cert_time, 1700000000);
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), 0);
	/* a fixed time is left alone; clocks before the epoch are refused */
	assert_int_equal(ike_config_cert_clock(&c, 5, 0), 0);
	assert_int_equal(c.cert_time, 1700000000);
	c.cert_time = IKE_CERT_TIME_NOW;
	assert_int_equal(ike_config_cert_clock(&c, 5, 10 * S_NS), IKE_E_ARG);
	c.cert_time = -7;
	assert_int_equal(ike_config_check(&c, msg, sizeof msg), IKE_E_ARG);
	assert_non_null(strstr(msg, "cert_time -7: expected seconds since the epoch"));
}

/* a scenario file carries both profiles and its own sections */
static const char scenario[] = "# scenario: hotel NAT\n"
			       "psk = shared\n"
			       "[topology]\n"
			       "hops = client nat gw\n"
			       "[client]\n"
			       "remote_addr = 198.51.100.1\n"
			       "local_addr = 192.0.2.10\n"
			       "local_id = alice@example.org\n"
			       "[gateway]\n"
			       "local_addr = 198.51.100.1\n"
			       "local_id = vpn.example.org\n";

static void test_sections(void **state)
{
	struct ike_config c, g;
	char msg[512] = "";

	(void)state;
	assert_int_equal(ike_profile_parse(scenario, strlen(scenario), "hotel.scn", "client", &c, msg, sizeof msg), 0);
	assert_int_equal(c.role, IKE_ROLE_CLIENT);
	assert_int_equal(c.psk_len, 6); /* common lines apply */
	assert_int_equal(c.local_id.type, IKE_ID_RFC822_ADDR);
	assert_int_equal(ike_profile_parse(scenario, strlen(scenario), "hotel.scn", "gateway", &g, msg, sizeof msg), 0);
	assert_int_equal(g.role, IKE_ROLE_GATEWAY);
	assert_int_equal(g.local_id.type, IKE_ID_FQDN);
	assert_int_equal(g.remote_addr, 0);
	/* without a section the file is ambiguous */
	assert_int_equal(ike_profile_parse(scenario, strlen(scenario), "hotel.scn", NULL, &c, msg, sizeof msg),
			 IKE_E_SYNTAX);
	assert_non_null(strstr(msg, "hotel.scn:3: section [topology] unknown, expected [client] or [gateway]"));
}

/* numbered table: a bad line, and the error it must produce */
static const struct bad_case {
	const char *text;
	const char *want;
} bad[] = {
	/* 1 */ {"[client]\nkeepalive = 20 parsecs\n",
		 "p.conf:2: keepalive = '20 parsecs': unknown unit 'parsecs', expected ms, s, m or h"},
	/* 2 */ {"role = client\nike = aes999-prfsha256-x25519\n",
		 "p.conf:2: ike = 'aes999-prfsha256-x25519': unknown algorithm 'aes999', expected one of aes128"},
	/* 3 */ {"role = client\npsk secret\n", "p.conf:2: 'psk secret' has no '=', expected key = value"},
	/* 4 */ {"role = client\nfrobnicate = 1\n", "p.conf:2: frobnicate = '1': unknown key"},
	/* 5 */ {"role = client\npsk = a\n\npsk = b\n", "p.conf:4: psk = 'b': key given twice (first at line 2)"},
	/* 6 */ {"psk = a\n", "p.conf:0: no role, expected a [client] or [gateway] section or role = client|gateway"},
	/* 7 */ {"role = client\nremote_addr = 300.1.1.1\n",
		 "p.conf:2: remote_addr = '300.1.1.1': not an IPv4 address, expected a dotted quad"},
	/* 8 */ {"role = client\nremote_ts = 10.0.0.0/33\n", "p.conf:2: remote_ts = '10.0.0.0/33': selector '10.0.0.0/33'"},
	/* 9 */ {"role = client\nencap = maybe\n", "p.conf:2: encap = 'maybe': not a boolean, expected yes or no"},
	/* 10 */ {"role = client\nproposals = medium\n",
		  "p.conf:2: proposals = 'medium': unknown value, expected full, small or auto"},
	/* 11 */ {"role = client\npsk = \"open\n", "p.conf:2: unterminated quote"},
	/* 12 */ {"role = client\nesp = aes128gcm16-prfsha256\n", "'prfsha256' is a PRF, expected none in an ESP proposal"},
	/* 13 */ {"role = client\nike = aes128-aes128gcm16-sha256-x25519\n", "mixes AEAD and non-AEAD ciphers"},
	/* 14 */ {"role = client\nesp = aes128\n", "ENCR_AES_CBC needs integrity AUTH_HMAC_SHA2_256_128"},
	/* 15 */ {"role = client\nfragment_size = 100\n", "p.conf:2: fragment_size = '100': fragment size 100, expected 128..65535"},
	/* 16 */ {"role = client\n[gateway]\n", "p.conf:2: gateway conflicts with the client role set at line 1"},
	/* 17 */ {"role = client\nike = aes128gcm16-prfsha256\n", "has no key exchange group, expected one of curve25519"},
	/* 18 */ {"role = client\nretransmit_base = 0.5\n", "retransmit_base = '0.5': not a factor, expected a number 1.0..10.0"},
	/* 19 */ {"role = client\nunique = sometimes\n", "expected no, replace, never or keep"},
	/* 20 */ {"role = client\nlocal_id = x500:CN=x\n",
		  "unknown identity prefix 'x500', expected fqdn:, email:, ipv4:, keyid:, dn: or none"},
	/* 21 */ {"role = client\npool = 10.0.0.9-10.0.0.1\n", "not a pool, expected ADDR/PREFIX"},
	/* 22 */ {"role = client\ndns = 10.0.0.1, ten\n", "'ten' is not an IPv4 address"},
	/* 23 */ {"role = client\n= value\n", "no key before '='"},
	/* 24 */ {"role = client\n[client\n", "section '[client' not understood"},
	/* 25 */ {"role = client\nretransmit_tries = 31\n", "not a number in range, expected 0..30"},
	/* 26 */ {"role = client\nke-y = 1\n", "key 'ke-y' has a '-', expected letters, digits and '_'"},
	/* 27 */ {"role = client\ndns_domain = bad domain\n", "'bad domain' is not a domain name"},
	/* 28 */ {"role = client\npsk = 0x12g4\n", "'g4' is not hex"},
	/* 29 */ {"role = gateway\ninvalid_spi_rate = 0\n",
		  "p.conf:2: invalid_spi_rate = '0': 0 answers a second, expected 1..1000000"},
	/* 30 */ {"role = gateway\ninvalid_spi_notify = sometimes\n",
		  "p.conf:2: invalid_spi_notify = 'sometimes': not a boolean, expected yes or no"},
	/* 31 */ {"role = client\nlocal_id = dn:\"CN\"\n",
		  "p.conf:2: local_id = 'dn:\"CN\"': DN 'CN': 'CN' at offset 2 has no '=', expected TYPE=value"},
	/* 32 */ {"role = client\n\nremote_id = dn:\"CN=a,XX=b\"\n",
		  "p.conf:3: remote_id = 'dn:\"CN=a,XX=b\"': DN 'CN=a,XX=b': attribute type 'XX' unknown"},
	/* 33 */ {"role = client\nremote_id = dn:\"\"\n", "p.conf:2: remote_id = 'dn:\"\"': DN '': empty"},
	/* 34 */ {"role = client\nlocal_id = dn:CN=a\"b\"\n",
		  "p.conf:2: local_id = 'dn:CN=a\"b\"': dn: unbalanced quotes, expected dn:\"CN=...,O=...\""},
	/* 35 */ {"role = client\nlocal_id = dn:\"CN=a\n", "p.conf:2: unterminated quote"},
	/* 36 */ {"role = client\nlocal_id = dn:\"CN=a;O=b\"\n", "DN 'CN=a;O=b': ';' at offset 4, expected it escaped"},
	/* 37 */ {"role = client\ncert_time = yesterday\n",
		  "p.conf:2: cert_time = 'yesterday': not a time, expected seconds since the epoch (e.g. 1700000000), "
		  "0 for no time checks, or now"},
	/* 38 */ {"role = client\ncert_time = -5\n", "p.conf:2: cert_time = '-5': not a time"},
	/* 39 */ {"role = client\ncert_time = 99999999999999\n", "p.conf:2: cert_time = '99999999999999': not a time"},
	/* 40 */ {"role = client\ncert_time = 1700000000s\n", "p.conf:2: cert_time = '1700000000s': not a time"},
};

static void test_bad_profiles(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ike_config c;
		char msg[600] = "";
		int rc = ike_profile_parse(bad[i].text, strlen(bad[i].text), "p.conf", NULL, &c, msg, sizeof msg);

		if (rc != IKE_E_SYNTAX || strstr(msg, bad[i].want) == NULL)
			fail_msg("case %zu: rc %d, message '%s', expected it to contain '%s'", i + 1, rc, msg, bad[i].want);
	}
}

/* every documented key is known to the parser (an empty value fails on the value, not the key) */
static void test_keys_listed(void **state)
{
	(void)state;
	for (size_t i = 0; ike_profile_keys[i] != NULL; i++) {
		char text[128], msg[600] = "";
		struct ike_config c;

		snprintf(text, sizeof text, "[client]\n%s = \n", ike_profile_keys[i]);
		ike_profile_parse(text, strlen(text), "k.conf", NULL, &c, msg, sizeof msg);
		if (strstr(msg, "unknown key") != NULL)
			fail_msg("key '%s' listed but unknown: %s", ike_profile_keys[i], msg);
	}
	/* NUL inside the text is refused, not truncated */
	{
		static const char t[] = "role = client\npsk = a\0b\n";
		struct ike_config c;
		char msg[300];

		assert_int_equal(ike_profile_parse(t, sizeof t - 1, "n.conf", NULL, &c, msg, sizeof msg), IKE_E_SYNTAX);
		assert_non_null(strstr(msg, "n.conf:2: NUL character"));
	}
}

/* two parsed profiles connect */
static void test_profiles_connect(void **state)
{
	static const char text[] = "psk = from a profile\n"
				   "ike = aes128gcm16-prfsha256-ecp256\n"
				   "esp = aes128gcm16\n"
				   "[client]\n"
				   "local_addr = 192.0.2.10\n"
				   "remote_addr = 198.51.100.1\n"
				   "local_id = alice@example.org\n"
				   "remote_id = vpn.example.org\n"
				   "request_vip = yes\n"
				   "[gateway]\n"
				   "local_addr = 198.51.100.1\n"
				   "local_id = vpn.example.org\n"
				   "remote_id = alice@example.org\n"
				   "pool = 10.20.0.0/24\n"
				   "dns_domain = corp.example\n";
	struct flow f;
	char msg[512] = "";

	(void)state;
	flow_defaults(&f);
	assert_int_equal(ike_profile_parse(text, sizeof text - 1, "pair.scn", "client", &f.cl.cfg, msg, sizeof msg), 0);
	assert_int_equal(ike_profile_parse(text, sizeof text - 1, "pair.scn", "gateway", &f.gw.cfg, msg, sizeof msg), 0);
	flow_start(&f, 1);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_status(&f.cl, 0).vip, IP(10, 20, 0, 1));
	assert_string_equal(flow_status(&f.cl, 0).domains[0], "corp.example");
	assert_int_equal(flow_status(&f.cl, 0).dh, IKE_KE_ECP256);
	assert_true(flow_esp_check(&f));
	assert_true(flow_count_ev(&f.cl, "\"who\":\"client\"") > 0);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_profile), cmocka_unit_test(test_dn_and_cert_time),
		cmocka_unit_test(test_gateway_profile),
		cmocka_unit_test(test_sections),       cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_keys_listed),    cmocka_unit_test(test_profiles_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
