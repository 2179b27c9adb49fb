/* ikev1_const.c — name tables for ikev1_const.h. */
#include "conformance/ikev1_const.h"

#include <stdio.h>
#include <string.h>

#define ROW_(n, v, s) {v, s},
#define TABLE_(var, reg, LIST)                                                     \
	static const struct ike_name var##_rows[] = {LIST(ROW_)};                  \
	const struct ike_name_table var = {reg, var##_rows, sizeof var##_rows / sizeof var##_rows[0]};

TABLE_(conf_ikev1_attr_names, "IKEv1 phase-1 attribute", CONF_IKEV1_ATTR_LIST)
TABLE_(conf_ikev1_enc_names, "IKEv1 encryption algorithm", CONF_IKEV1_ENC_LIST)
TABLE_(conf_ikev1_hash_names, "IKEv1 hash algorithm", CONF_IKEV1_HASH_LIST)
TABLE_(conf_ikev1_auth_names, "IKEv1 authentication method", CONF_IKEV1_AUTH_LIST)
TABLE_(conf_ikev1_id_names, "IKEv1 identification type", CONF_IKEV1_ID_LIST)

int conf_ikev1_auth_is_psk(uint32_t auth)
{
	return auth == CONF_IKEV1_AUTH_PSK || auth == CONF_IKEV1_AUTH_XAUTH_INIT_PSK ||
	       auth == CONF_IKEV1_AUTH_XAUTH_RESP_PSK;
}

const struct conf_ikev1_vid_name conf_ikev1_vids[] = {
	{"4a131c81070358455c5728f20e95452f", "RFC 3947 NAT-T"},
	{"90cb80913ebb696e086381b5ec427b1f", "draft-ietf-ipsec-nat-t-ike-02"},
	{"7d9419a65310ca6f2c179d9215529d56", "draft-ietf-ipsec-nat-t-ike-03"},
	{"afcad71368a1f1c96b8696fc77570100", "Dead Peer Detection v1.0 (RFC 3706)"},
	{"09002689dfd6b712", "XAUTH"},
	{NULL, NULL},
};

const char *conf_ikev1_vid_lookup(const uint8_t *v, uint32_t len)
{
	char hex[65];
	uint32_t n = len > 32 ? 32 : len;
	for (uint32_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", v[i]);
	hex[2 * n] = 0;
	for (const struct conf_ikev1_vid_name *e = conf_ikev1_vids; e->hex; e++) {
		size_t l = strlen(e->hex);
		if (2 * n >= l && memcmp(hex, e->hex, l) == 0)
			return e->name;
	}
	return NULL;
}
