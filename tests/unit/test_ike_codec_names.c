/*
 * test_ike_codec_names.c — the constants header and its name tables:
 * every enum value has a name (tables are expanded from the same X-macro
 * lists, so this iterates the lists), tables are sorted and unique, the
 * numbers the engine relies on match IANA / the RFCs, unknown values are
 * printed without a global buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ref/ike/ike_const.h"

/* Every table: sorted strictly ascending (binary search), names non-empty. */
static void test_tables_sorted_unique(void **state)
{
	size_t ntab = 0;

	for (const struct ike_name_table *const *t = ike_all_name_tables; *t != NULL; t++, ntab++) {
		assert_true((*t)->n > 0);
		assert_non_null((*t)->registry);
		for (size_t i = 0; i < (*t)->n; i++) {
			assert_non_null((*t)->entry[i].name);
			assert_true(strlen((*t)->entry[i].name) > 0);
			if (i > 0 && (*t)->entry[i - 1].value >= (*t)->entry[i].value)
				fail_msg("%s table: entry %zu value %u not above %u", (*t)->registry, i,
					 (*t)->entry[i].value, (*t)->entry[i - 1].value);
			assert_string_equal(ike_name_lookup(*t, (*t)->entry[i].value), (*t)->entry[i].name);
		}
	}
	assert_int_equal(ntab, 22);
}

/* Iterate each X-macro list: every enum constant has exactly its listed name. */
#define CHECK_(n, v, s)                                                 \
	do {                                                            \
		assert_int_equal((long)(n), (long)(v));                 \
		assert_string_equal(ike_name_lookup(tab, (n)), (s));    \
		count++;                                                \
	} while (0);
#define CHECK_LIST_(table, LIST)                               \
	do {                                                   \
		const struct ike_name_table *tab = &(table);   \
		size_t count = 0;                              \
		LIST(CHECK_)                                   \
		assert_int_equal(count, tab->n);               \
	} while (0)

static void test_every_enum_value_named(void **state)
{
	CHECK_LIST_(ike_exchange_names, IKE_EXCHANGE_LIST);
	CHECK_LIST_(ike_payload_names, IKE_PAYLOAD_LIST);
	CHECK_LIST_(ike_notify_names, IKE_NOTIFY_LIST);
	CHECK_LIST_(ike_protocol_names, IKE_PROTO_LIST);
	CHECK_LIST_(ike_transform_type_names, IKE_TRANSFORM_TYPE_LIST);
	CHECK_LIST_(ike_encr_names, IKE_ENCR_LIST);
	CHECK_LIST_(ike_prf_names, IKE_PRF_LIST);
	CHECK_LIST_(ike_integ_names, IKE_INTEG_LIST);
	CHECK_LIST_(ike_ke_names, IKE_KE_LIST);
	CHECK_LIST_(ike_esn_names, IKE_ESN_LIST);
	CHECK_LIST_(ike_transform_attr_names, IKE_TATTR_LIST);
	CHECK_LIST_(ike_id_type_names, IKE_ID_LIST);
	CHECK_LIST_(ike_cert_encoding_names, IKE_CERT_LIST);
	CHECK_LIST_(ike_auth_method_names, IKE_AUTHM_LIST);
	CHECK_LIST_(ike_hash_alg_names, IKE_HASH_LIST);
	CHECK_LIST_(ike_ts_type_names, IKE_TS_LIST);
	CHECK_LIST_(ike_cfg_type_names, IKE_CFG_LIST);
	CHECK_LIST_(ike_cp_attr_names, IKE_CPA_LIST);
	CHECK_LIST_(ikev1_exchange_names, IKEV1_EXCHANGE_LIST);
	CHECK_LIST_(ikev1_payload_names, IKEV1_PAYLOAD_LIST);
	CHECK_LIST_(ikev1_notify_names, IKEV1_NOTIFY_LIST);
	/* the long payload names cover exactly the short ones */
	assert_int_equal(ike_payload_long_names.n, ike_payload_names.n);
	for (size_t i = 0; i < ike_payload_names.n; i++)
		assert_int_equal(ike_payload_long_names.entry[i].value, ike_payload_names.entry[i].value);
}

/*
 * Numbered table of values the engine and decoder depend on, checked
 * against the numbers written in RFC 7296 §3 / RFC 7383 / RFC 7427 /
 * RFC 8598 (independently of the header's lists).
 */
static const struct {
	const struct ike_name_table *t;
	long value;
	const char *name;
} known[] = {
	/*  1 */ {&ike_exchange_names, 34, "IKE_SA_INIT"},
	/*  2 */ {&ike_exchange_names, 35, "IKE_AUTH"},
	/*  3 */ {&ike_exchange_names, 36, "CREATE_CHILD_SA"},
	/*  4 */ {&ike_exchange_names, 37, "INFORMATIONAL"},
	/*  5 */ {&ike_exchange_names, 43, "IKE_INTERMEDIATE"},
	/*  6 */ {&ike_payload_names, 33, "SA"},
	/*  7 */ {&ike_payload_names, 40, "No"},
	/*  8 */ {&ike_payload_names, 46, "SK"},
	/*  9 */ {&ike_payload_names, 48, "EAP"},
	/* 10 */ {&ike_payload_names, 53, "SKF"},
	/* 11 */ {&ike_notify_names, 1, "UNSUPPORTED_CRITICAL_PAYLOAD"},
	/* 12 */ {&ike_notify_names, 4, "INVALID_IKE_SPI"},
	/* 13 */ {&ike_notify_names, 5, "INVALID_MAJOR_VERSION"},
	/* 14 */ {&ike_notify_names, 7, "INVALID_SYNTAX"},
	/* 15 */ {&ike_notify_names, 9, "INVALID_MESSAGE_ID"},
	/* 16 */ {&ike_notify_names, 11, "INVALID_SPI"},
	/* 17 */ {&ike_notify_names, 14, "NO_PROPOSAL_CHOSEN"},
	/* 18 */ {&ike_notify_names, 17, "INVALID_KE_PAYLOAD"},
	/* 19 */ {&ike_notify_names, 24, "AUTHENTICATION_FAILED"},
	/* 20 */ {&ike_notify_names, 34, "SINGLE_PAIR_REQUIRED"},
	/* 21 */ {&ike_notify_names, 35, "NO_ADDITIONAL_SAS"},
	/* 22 */ {&ike_notify_names, 36, "INTERNAL_ADDRESS_FAILURE"},
	/* 23 */ {&ike_notify_names, 37, "FAILED_CP_REQUIRED"},
	/* 24 */ {&ike_notify_names, 38, "TS_UNACCEPTABLE"},
	/* 25 */ {&ike_notify_names, 39, "INVALID_SELECTORS"},
	/* 26 */ {&ike_notify_names, 43, "TEMPORARY_FAILURE"},
	/* 27 */ {&ike_notify_names, 44, "CHILD_SA_NOT_FOUND"},
	/* 28 */ {&ike_notify_names, 16384, "INITIAL_CONTACT"},
	/* 29 */ {&ike_notify_names, 16388, "NAT_DETECTION_SOURCE_IP"},
	/* 30 */ {&ike_notify_names, 16389, "NAT_DETECTION_DESTINATION_IP"},
	/* 31 */ {&ike_notify_names, 16390, "COOKIE"},
	/* 32 */ {&ike_notify_names, 16393, "REKEY_SA"},
	/* 33 */ {&ike_notify_names, 16396, "MOBIKE_SUPPORTED"},
	/* 34 */ {&ike_notify_names, 16404, "MULTIPLE_AUTH_SUPPORTED"},
	/* 35 */ {&ike_notify_names, 16430, "IKEV2_FRAGMENTATION_SUPPORTED"},
	/* 36 */ {&ike_notify_names, 16431, "SIGNATURE_HASH_ALGORITHMS"},
	/* 37 */ {&ike_transform_type_names, 1, "ENCR"},
	/* 38 */ {&ike_transform_type_names, 5, "ESN"},
	/* 39 */ {&ike_encr_names, 3, "ENCR_3DES"},
	/* 40 */ {&ike_encr_names, 12, "ENCR_AES_CBC"},
	/* 41 */ {&ike_encr_names, 20, "ENCR_AES_GCM_16"},
	/* 42 */ {&ike_encr_names, 28, "ENCR_CHACHA20_POLY1305"},
	/* 43 */ {&ike_prf_names, 2, "PRF_HMAC_SHA1"},
	/* 44 */ {&ike_prf_names, 5, "PRF_HMAC_SHA2_256"},
	/* 45 */ {&ike_prf_names, 7, "PRF_HMAC_SHA2_512"},
	/* 46 */ {&ike_integ_names, 2, "AUTH_HMAC_SHA1_96"},
	/* 47 */ {&ike_integ_names, 12, "AUTH_HMAC_SHA2_256_128"},
	/* 48 */ {&ike_integ_names, 14, "AUTH_HMAC_SHA2_512_256"},
	/* 49 */ {&ike_ke_names, 14, "MODP_2048"},
	/* 50 */ {&ike_ke_names, 19, "ECP_256"},
	/* 51 */ {&ike_ke_names, 31, "CURVE_25519"},
	/* 52 */ {&ike_transform_attr_names, 14, "KEY_LENGTH"},
	/* 53 */ {&ike_protocol_names, 3, "ESP"},
	/* 54 */ {&ike_id_type_names, 9, "ID_DER_ASN1_DN"},
	/* 55 */ {&ike_id_type_names, 11, "ID_KEY_ID"},
	/* 56 */ {&ike_cert_encoding_names, 4, "X509_SIGNATURE"},
	/* 57 */ {&ike_auth_method_names, 2, "PSK"},
	/* 58 */ {&ike_auth_method_names, 14, "DIGITAL_SIGNATURE"},
	/* 59 */ {&ike_ts_type_names, 7, "TS_IPV4_ADDR_RANGE"},
	/* 60 */ {&ike_ts_type_names, 8, "TS_IPV6_ADDR_RANGE"},
	/* 61 */ {&ike_cp_attr_names, 1, "INTERNAL_IP4_ADDRESS"},
	/* 62 */ {&ike_cp_attr_names, 25, "INTERNAL_DNS_DOMAIN"},
	/* 63 */ {&ikev1_exchange_names, 2, "Main Mode"},
	/* 64 */ {&ikev1_exchange_names, 32, "Quick Mode"},
	/* 65 */ {&ikev1_payload_names, 20, "NAT-D"},
	/* 66 */ {&ikev1_payload_names, 131, "NAT-OA(draft)"},
};

static void test_known_values(void **state)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const char *got = ike_name_lookup(known[i].t, known[i].value);

		if (got == NULL || strcmp(got, known[i].name) != 0)
			fail_msg("row %zu: %s %ld: got %s, want %s", i + 1, known[i].t->registry,
				 known[i].value, got ? got : "(none)", known[i].name);
	}
	assert_int_equal(IKE_FLAG_I, 0x08);
	assert_int_equal(IKE_FLAG_V, 0x10);
	assert_int_equal(IKE_FLAG_R, 0x20);
	assert_int_equal(IKE_HDR_LEN, 28);
}

static void test_unknown_values(void **state)
{
	char buf[IKE_NAME_BUF];

	assert_string_equal(ike_notify_name(9999), "?");
	assert_string_equal(ike_exchange_name(-1), "?");
	assert_string_equal(ike_name_fmt(&ike_notify_names, 9999, buf, sizeof buf), "UNKNOWN(9999)");
	assert_string_equal(ike_name_fmt(&ike_notify_names, 16390, buf, sizeof buf), "COOKIE");
	assert_string_equal(ike_name_fmt(&ike_exchange_names, -7, buf, sizeof buf), "UNKNOWN(-7)");
	assert_null(ike_name_lookup(&ike_payload_names, 99));
	assert_null(ike_name_lookup(NULL, 1));
	/* transform IDs are named per type; ADDKEn shares the KE registry */
	assert_string_equal(ike_transform_name(IKE_TT_ENCR, 20), "ENCR_AES_GCM_16");
	assert_string_equal(ike_transform_name(IKE_TT_INTEG, 12), "AUTH_HMAC_SHA2_256_128");
	assert_string_equal(ike_transform_name(IKE_TT_ADDKE1, 36), "ML_KEM_768");
	assert_string_equal(ike_transform_name(IKE_TT_ESN, 1), "ESN");
	assert_string_equal(ike_transform_name(99, 1), "?");
	assert_true(ike_notify_is_error(IKE_N_INVALID_SYNTAX));
	assert_false(ike_notify_is_error(IKE_N_COOKIE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_sorted_unique),
		cmocka_unit_test(test_every_enum_value_named),
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_unknown_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
