/*
 * test_x509_dn.c — crypto_x509_dn_*: RFC 4514 text to the DER Name of an
 * ID_DER_ASN1_DN identity (RFC 7296 §3.5) and back, and Name comparison.
 *
 * The expected DER is written out by hand from X.501 (Name ::= SEQUENCE OF
 * RelativeDistinguishedName, RDN ::= SET OF AttributeTypeAndValue) and the
 * X.690 DER rules: SEQUENCE 30, SET 31, OID 06 (2.5.4.3 = 55 04 03),
 * UTF8String 0c, PrintableString 13 (countryName is PrintableString, RFC 5280
 * Appendix A). RFC 4514 text lists the RDNs last-first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"
#include "tests/lib/testutil.h"

static const struct good_case {
	const char *text;
	const char *der; /* hex */
} good[] = {
	/* 1: one RDN */
	{"CN=a", "300c310a300806035504030c0161"},
	/* 2: countryName is a PrintableString */
	{"C=DE", "300d310b3009060355040613024445"},
	/* 3: two RDNs, most specific first in the text, last in the DER */
	{"CN=a,C=DE", "3019310b3009060355040613024445310a300806035504030c0161"},
	/* 4: blanks around separators are ignored */
	{" CN = a , C = DE ", "3019310b3009060355040613024445310a300806035504030c0161"},
	/* 5: attribute type keywords in any case */
	{"cn=a,c=DE", "3019310b3009060355040613024445310a300806035504030c0161"},
	/* 6: an escaped comma stays in the value: "a,b" */
	{"CN=a\\,b", "300e310c300a06035504030c03612c62"},
	/* 7: a hex pair escape: \41 = 'A' */
	{"CN=\\41", "300c310a300806035504030c0141"},
	/* 8: '+' joins two attributes into one RDN: one SET of two (20 octets) */
	{"CN=a+OU=b", "30163114" "300806035504030c0161" "3008060355040b0c0162"},
	/* 9: a dotted OID as the type (2.5.4.10 = organizationName) */
	{"2.5.4.10=x", "300c310a300806035504" "0a0c0178"},
	/* 10: an escaped trailing blank is kept, an unescaped one dropped */
	{"CN=a\\ ,C=DE", "301a310b3009060355040613024445310b300906035504030c026120"},
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint8_t der[256], *want;
		size_t len = 0, want_len;
		struct crypto_diag d = {""};
		int rc = crypto_x509_dn_from_text(good[i].text, der, sizeof der, &len, &d);

		want = hex_alloc(good[i].der, &want_len);
		if (rc != 0 || len != want_len || memcmp(der, want, len) != 0) {
			char got[600] = "";

			for (size_t k = 0; k < len && 2 * k + 2 < sizeof got; k++)
				snprintf(got + 2 * k, 3, "%02x", der[k]);
			fail_msg("case %zu '%s': rc %d (%s), DER %s, expected %s", i + 1, good[i].text, rc, d.msg, got,
				 good[i].der);
		}
		free(want);
	}
}

static const struct bad_case {
	const char *text;
	const char *want;
} bad[] = {
	/* 1 */ {"", "empty, expected e.g. CN=alice,O=Example"},
	/* 2 */ {"CN", "'CN' at offset 2 has no '=', expected TYPE=value"},
	/* 3 */ {"XX=a", "attribute type 'XX' unknown"},
	/* 4 */ {"CN=", "CN has an empty value"},
	/* 5 */ {"CN=a,", "'' at offset 5 has no '='"},
	/* 6 */ {"CN=#0101", "hex-encoded value at offset 3"},
	/* 7 */ {"CN=a\\q", "bad escape at offset 4"},
	/* 8 */ {"CN=a\"b", "'\"' at offset 4, expected it escaped"},
	/* 9 */ {"CN=a;O=b", "';' at offset 4, expected it escaped"},
	/* 10 */ {"CN=a,=b", "'' at offset 5 has no '='"},
	/* 11 */ {"CN=a,O=b,OU=c,OU=d,OU=e,OU=f,OU=g,OU=h,OU=i,OU=j,OU=k,OU=l,OU=m,OU=n,OU=o,OU=p,OU=q,OU=r,"
		  "OU=s,OU=t,OU=u,OU=v,OU=w,OU=x,OU=y,OU=z,OU=1,OU=2,OU=3,OU=4,OU=5,OU=6,OU=7",
		  "more than 32 attributes"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t der[256];
		size_t len = 0;
		struct crypto_diag d = {""};
		int rc = crypto_x509_dn_from_text(bad[i].text, der, sizeof der, &len, &d);

		if (rc != CRYPTO_EINVAL || strstr(d.msg, bad[i].want) == NULL)
			fail_msg("case %zu '%s': rc %d, message '%s', expected it to contain '%s'", i + 1, bad[i].text, rc,
				 d.msg, bad[i].want);
	}
}

#define X60 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* too long for the caller's buffer (an IKE identity holds 255 octets) */
static void test_capacity(void **state)
{
	char text[400];
	uint8_t der[255];
	size_t len;
	struct crypto_diag d;

	(void)state;
	/* five attributes of 60 characters (each within its X.520 upper bound) */
	snprintf(text, sizeof text, "CN=%.60s,OU=%.60s,OU=%.60s,O=%.60s,L=%.60s", X60, X60, X60, X60, X60);
	assert_int_equal(crypto_x509_dn_from_text(text, der, sizeof der, &len, &d), CRYPTO_EINVAL);
	if (strstr(d.msg, "octets as DER, expected at most 255") == NULL)
		fail_msg("message '%s'", d.msg);
}

/* a certificate's subject, as crypto_x509_subject_text writes it, parses back to its DER */
static void test_round_trip(void **state)
{
	struct crypto_drbg *drbg = crypto_drbg_new(7, "test_x509_dn");
	struct crypto_rng rng = crypto_drbg_rng(drbg);
	struct crypto_testpki_params p = {
		.key_type = CRYPTO_SIG_KEY_EC_P256,
		.depth = 2,
		.org = "Example, Inc.",
		.ee = {.cn = "vpn.example.org"},
		.not_before = 1700000000,
		.not_after = 1800000000,
	};
	struct crypto_testpki pki;
	struct crypto_diag d;
	char text[300], back[300];
	const uint8_t *subj;
	size_t subj_len, len;
	uint8_t der[255];

	(void)state;
	assert_int_equal(crypto_testpki_make(&p, &rng, &pki, &d), 0);
	crypto_x509_subject_text(crypto_testpki_ee_cert(&pki), text, sizeof text);
	assert_non_null(strstr(text, "O=Example\\, Inc.")); /* the comma comes escaped */
	subj = crypto_x509_subject_der(crypto_testpki_ee_cert(&pki), &subj_len);
	assert_int_equal(crypto_x509_dn_from_text(text, der, sizeof der, &len, &d), 0);
	assert_int_equal(len, subj_len);
	assert_memory_equal(der, subj, len);
	assert_int_equal(crypto_x509_dn_to_text(der, len, back, sizeof back), (int)strlen(text));
	assert_string_equal(back, text);
	crypto_testpki_free(&pki);
	crypto_drbg_free(drbg);
}

/* Names compare canonically: case and string type do not matter, order does */
static void test_equal(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		/* 1 */ {"CN=Alice,O=Example", "cn=alice, o=EXAMPLE", 1},
		/* 2 */ {"CN=Alice,O=Example", "CN=Bob,O=Example", 0},
		/* 3 */ {"CN=Alice,O=Example", "O=Example,CN=Alice", 0},
		/* 4 */ {"CN=a  b", "CN=a b", 1},
	};
	uint8_t a[255], b[255];
	size_t al, bl;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(crypto_x509_dn_from_text(cases[i].a, a, sizeof a, &al, NULL), 0);
		assert_int_equal(crypto_x509_dn_from_text(cases[i].b, b, sizeof b, &bl, NULL), 0);
		if (crypto_x509_dn_equal(a, al, b, bl) != cases[i].want)
			fail_msg("case %zu: '%s' vs '%s', expected %d", i + 1, cases[i].a, cases[i].b, cases[i].want);
	}
	/* a PrintableString C=DE equals a UTF8String C=de */
	{
		uint8_t *u;
		size_t ul;

		u = hex_alloc("300d310b300906035504060c026465", &ul);
		assert_int_equal(crypto_x509_dn_from_text("C=DE", a, sizeof a, &al, NULL), 0);
		assert_int_equal(crypto_x509_dn_equal(a, al, u, ul), 1);
		free(u);
	}
	/* not a Name, or trailing octets */
	assert_int_equal(crypto_x509_dn_equal(a, al, (const uint8_t *)"\x30\x01", 2), CRYPTO_EINVAL);
	assert_int_equal(crypto_x509_dn_equal(a, al - 1, a, al), CRYPTO_EINVAL);
	{
		char t[8];

		assert_true(crypto_x509_dn_to_text((const uint8_t *)"\x05\x00", 2, t, sizeof t) < 0);
		assert_string_equal(t, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),       cmocka_unit_test(test_bad),   cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_round_trip), cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
