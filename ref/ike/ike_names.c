/*
 * ike_names.c — name tables for every registry in ike_const.h, expanded
 * from the same X-macro lists as the enums, so the two cannot drift.
 * Lookup is a binary search (tables are sorted; test_ike_codec_names checks).
 */
#include "ref/ike/ike_const.h"

#include <stdio.h>

#define IKE_NAME_ENTRY_(n, v, s) {(uint32_t)(v), s},
#define IKE_TABLE_(var, what, LIST)                                                  \
	static const struct ike_name var##_e_[] = {LIST(IKE_NAME_ENTRY_)};           \
	const struct ike_name_table var = {what, var##_e_, sizeof var##_e_ / sizeof var##_e_[0]};

IKE_TABLE_(ike_exchange_names, "exchange type", IKE_EXCHANGE_LIST)
IKE_TABLE_(ike_payload_names, "payload type", IKE_PAYLOAD_LIST)
IKE_TABLE_(ike_notify_names, "notify type", IKE_NOTIFY_LIST)
IKE_TABLE_(ike_protocol_names, "protocol ID", IKE_PROTO_LIST)
IKE_TABLE_(ike_transform_type_names, "transform type", IKE_TRANSFORM_TYPE_LIST)
IKE_TABLE_(ike_encr_names, "encryption algorithm", IKE_ENCR_LIST)
IKE_TABLE_(ike_prf_names, "pseudorandom function", IKE_PRF_LIST)
IKE_TABLE_(ike_integ_names, "integrity algorithm", IKE_INTEG_LIST)
IKE_TABLE_(ike_ke_names, "key exchange method", IKE_KE_LIST)
IKE_TABLE_(ike_esn_names, "extended sequence numbers", IKE_ESN_LIST)
IKE_TABLE_(ike_transform_attr_names, "transform attribute", IKE_TATTR_LIST)
IKE_TABLE_(ike_id_type_names, "identification type", IKE_ID_LIST)
IKE_TABLE_(ike_cert_encoding_names, "certificate encoding", IKE_CERT_LIST)
IKE_TABLE_(ike_auth_method_names, "authentication method", IKE_AUTHM_LIST)
IKE_TABLE_(ike_hash_alg_names, "hash algorithm", IKE_HASH_LIST)
IKE_TABLE_(ike_ts_type_names, "traffic selector type", IKE_TS_LIST)
IKE_TABLE_(ike_cfg_type_names, "configuration type", IKE_CFG_LIST)
IKE_TABLE_(ike_cp_attr_names, "configuration attribute", IKE_CPA_LIST)
IKE_TABLE_(ikev1_exchange_names, "IKEv1 exchange type", IKEV1_EXCHANGE_LIST)
IKE_TABLE_(ikev1_payload_names, "IKEv1 payload type", IKEV1_PAYLOAD_LIST)
IKE_TABLE_(ikev1_notify_names, "IKEv1 notify type", IKEV1_NOTIFY_LIST)

/* ike_payload_long_names are the RFC 7296 §3.2 "Next Payload Type" names. */
static const struct ike_name ike_payload_long_e_[] = {
	{IKE_PL_NONE, "No Next Payload"},
	{IKE_PL_SA, "Security Association"},
	{IKE_PL_KE, "Key Exchange"},
	{IKE_PL_IDI, "Identification - Initiator"},
	{IKE_PL_IDR, "Identification - Responder"},
	{IKE_PL_CERT, "Certificate"},
	{IKE_PL_CERTREQ, "Certificate Request"},
	{IKE_PL_AUTH, "Authentication"},
	{IKE_PL_NONCE, "Nonce"},
	{IKE_PL_NOTIFY, "Notify"},
	{IKE_PL_DELETE, "Delete"},
	{IKE_PL_VENDOR, "Vendor ID"},
	{IKE_PL_TSI, "Traffic Selector - Initiator"},
	{IKE_PL_TSR, "Traffic Selector - Responder"},
	{IKE_PL_SK, "Encrypted and Authenticated"},
	{IKE_PL_CP, "Configuration"},
	{IKE_PL_EAP, "Extensible Authentication"},
	{IKE_PL_GSPM, "Generic Secure Password Method"},
	{IKE_PL_IDG, "Group Identification"},
	{IKE_PL_GSA, "Group Security Association"},
	{IKE_PL_KD, "Key Download"},
	{IKE_PL_SKF, "Encrypted and Authenticated Fragment"},
	{IKE_PL_PS, "Puzzle Solution"},
};
const struct ike_name_table ike_payload_long_names = {
	"payload type", ike_payload_long_e_, sizeof ike_payload_long_e_ / sizeof ike_payload_long_e_[0]};

const struct ike_name_table *const ike_all_name_tables[] = {
	&ike_exchange_names, &ike_payload_names, &ike_payload_long_names, &ike_notify_names,
	&ike_protocol_names, &ike_transform_type_names, &ike_encr_names, &ike_prf_names,
	&ike_integ_names, &ike_ke_names, &ike_esn_names, &ike_transform_attr_names,
	&ike_id_type_names, &ike_cert_encoding_names, &ike_auth_method_names,
	&ike_hash_alg_names, &ike_ts_type_names, &ike_cfg_type_names, &ike_cp_attr_names,
	&ikev1_exchange_names, &ikev1_payload_names, &ikev1_notify_names, NULL,
};

const char *ike_name_lookup(const struct ike_name_table *t, long value)
{
	size_t lo = 0, hi;

	if (t == NULL || value < 0 || value > 0xffffffffL)
		return NULL;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = t->entry[mid].value;

		if (v == (uint32_t)value)
			return t->entry[mid].name;
		if (v < (uint32_t)value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *ike_name_fmt(const struct ike_name_table *t, long value, char *buf, size_t cap)
{
	const char *name = ike_name_lookup(t, value);

	if (buf == NULL || cap == 0)
		return name != NULL ? name : "?";
	if (name != NULL)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "UNKNOWN(%ld)", value);
	return buf;
}

static const char *or_q(const char *s)
{
	return s != NULL ? s : "?";
}

#define IKE_NAME_FN_(fn, table) \
	const char *fn(int v) { return or_q(ike_name_lookup(&table, v)); }

IKE_NAME_FN_(ike_exchange_name, ike_exchange_names)
IKE_NAME_FN_(ike_payload_name, ike_payload_names)
IKE_NAME_FN_(ike_payload_long_name, ike_payload_long_names)
IKE_NAME_FN_(ike_notify_name, ike_notify_names)
IKE_NAME_FN_(ike_protocol_name, ike_protocol_names)
IKE_NAME_FN_(ike_transform_type_name, ike_transform_type_names)
IKE_NAME_FN_(ike_transform_attr_name, ike_transform_attr_names)
IKE_NAME_FN_(ike_id_type_name, ike_id_type_names)
IKE_NAME_FN_(ike_cert_encoding_name, ike_cert_encoding_names)
IKE_NAME_FN_(ike_auth_method_name, ike_auth_method_names)
IKE_NAME_FN_(ike_hash_alg_name, ike_hash_alg_names)
IKE_NAME_FN_(ike_ts_type_name, ike_ts_type_names)
IKE_NAME_FN_(ike_cfg_type_name, ike_cfg_type_names)
IKE_NAME_FN_(ike_cp_attr_name, ike_cp_attr_names)
IKE_NAME_FN_(ikev1_exchange_name, ikev1_exchange_names)
IKE_NAME_FN_(ikev1_payload_name, ikev1_payload_names)
IKE_NAME_FN_(ikev1_notify_name, ikev1_notify_names)

const struct ike_name_table *ike_transform_id_names(int type)
{
	switch (type) {
	case IKE_TT_ENCR:
		return &ike_encr_names;
	case IKE_TT_PRF:
		return &ike_prf_names;
	case IKE_TT_INTEG:
		return &ike_integ_names;
	case IKE_TT_ESN:
		return &ike_esn_names;
	default:
		/* KE and ADDKE1..7 share the key exchange method registry (RFC 9370 §3.2.1). */
		if (type >= IKE_TT_KE && type <= IKE_TT_ADDKE7)
			return &ike_ke_names;
		return NULL;
	}
}

const char *ike_transform_name(int type, int id)
{
	return or_q(ike_name_lookup(ike_transform_id_names(type), id));
}
