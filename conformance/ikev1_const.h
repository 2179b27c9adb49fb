/*
 * ikev1_const.h — IKEv1-only constants the pcap decoder needs that
 * ref/ike/ike_const.h (exchange, payload and notify types, header flags)
 * does not carry: the IPsec DOI (RFC 2407), phase-1 SA attribute classes and
 * values (RFC 2409 Appendix A), XAUTH/hybrid authentication methods, IKEv1
 * identification types, and well-known Vendor IDs. Same X-macro shape and
 * the same struct ike_name_table as ref/ike, so one table serves logs and the
 * decoder. Prefixed CONF_IKEV1_ so a later IKEv1 section in ref/ike cannot
 * collide.
 */
#ifndef VPNLAB_CONF_IKEV1_CONST_H
#define VPNLAB_CONF_IKEV1_CONST_H

#include <stdint.h>

#include "ref/ike/ike_const.h"

enum {
	CONF_IKEV1_DOI_IPSEC = 1,          /* RFC 2407 §4.2 */
	CONF_IKEV1_SIT_IDENTITY_ONLY = 1,  /* RFC 2407 §4.2.1 */
	CONF_IKEV1_PROTO_ISAKMP = 1,       /* RFC 2407 §4.4.1 */
	CONF_IKEV1_KEY_IKE = 1,            /* RFC 2407 §4.4.2 transform ID */
};

/* CONF_IKEV1_ENUM_ expands an X-list row into an enumerator. */
#define CONF_IKEV1_ENUM_(n, v, s) n = v,

/* Phase-1 attribute classes (RFC 2409 Appendix A) */
#define CONF_IKEV1_ATTR_LIST(X)                                  \
	X(CONF_IKEV1_A_ENC, 1, "Encryption Algorithm")           \
	X(CONF_IKEV1_A_HASH, 2, "Hash Algorithm")                \
	X(CONF_IKEV1_A_AUTH, 3, "Authentication Method")         \
	X(CONF_IKEV1_A_GROUP, 4, "Group Description")            \
	X(CONF_IKEV1_A_GROUP_TYPE, 5, "Group Type")              \
	X(CONF_IKEV1_A_LIFE_TYPE, 11, "Life Type")               \
	X(CONF_IKEV1_A_LIFE_DURATION, 12, "Life Duration")       \
	X(CONF_IKEV1_A_PRF, 13, "PRF")                           \
	X(CONF_IKEV1_A_KEY_LENGTH, 14, "Key Length")

enum conf_ikev1_attr { CONF_IKEV1_ATTR_LIST(CONF_IKEV1_ENUM_) };

/* Encryption algorithms (RFC 2409 App. A; AES RFC 3602, Camellia RFC 4312) */
#define CONF_IKEV1_ENC_LIST(X)                      \
	X(CONF_IKEV1_ENC_DES, 1, "DES-CBC")         \
	X(CONF_IKEV1_ENC_IDEA, 2, "IDEA-CBC")       \
	X(CONF_IKEV1_ENC_BLOWFISH, 3, "Blowfish-CBC") \
	X(CONF_IKEV1_ENC_RC5, 4, "RC5-R16-B64-CBC") \
	X(CONF_IKEV1_ENC_3DES, 5, "3DES-CBC")       \
	X(CONF_IKEV1_ENC_CAST, 6, "CAST-CBC")       \
	X(CONF_IKEV1_ENC_AES, 7, "AES-CBC")         \
	X(CONF_IKEV1_ENC_CAMELLIA, 8, "CAMELLIA-CBC")

enum conf_ikev1_enc { CONF_IKEV1_ENC_LIST(CONF_IKEV1_ENUM_) };

/* Hash algorithms (RFC 2409 App. A; SHA-2 RFC 4868 §... IANA ipsec-registry) */
#define CONF_IKEV1_HASH_LIST(X)                   \
	X(CONF_IKEV1_HASH_MD5, 1, "MD5")          \
	X(CONF_IKEV1_HASH_SHA1, 2, "SHA")         \
	X(CONF_IKEV1_HASH_TIGER, 3, "Tiger")      \
	X(CONF_IKEV1_HASH_SHA2_256, 4, "SHA2-256") \
	X(CONF_IKEV1_HASH_SHA2_384, 5, "SHA2-384") \
	X(CONF_IKEV1_HASH_SHA2_512, 6, "SHA2-512")

enum conf_ikev1_hash { CONF_IKEV1_HASH_LIST(CONF_IKEV1_ENUM_) };

/* Authentication methods (RFC 2409 App. A; XAUTH draft-beaulieu-ike-xauth-02 §7.2;
 * hybrid draft-ietf-ipsec-isakmp-hybrid-auth-05) */
#define CONF_IKEV1_AUTH_LIST(X)                                          \
	X(CONF_IKEV1_AUTH_PSK, 1, "pre-shared key")                      \
	X(CONF_IKEV1_AUTH_DSS, 2, "DSS signatures")                      \
	X(CONF_IKEV1_AUTH_RSA_SIG, 3, "RSA signatures")                  \
	X(CONF_IKEV1_AUTH_RSA_ENC, 4, "RSA encryption")                  \
	X(CONF_IKEV1_AUTH_RSA_REV, 5, "revised RSA encryption")          \
	X(CONF_IKEV1_AUTH_HYBRID_INIT_RSA, 64221, "HybridInitRSA")       \
	X(CONF_IKEV1_AUTH_HYBRID_RESP_RSA, 64222, "HybridRespRSA")       \
	X(CONF_IKEV1_AUTH_HYBRID_INIT_DSS, 64223, "HybridInitDSS")       \
	X(CONF_IKEV1_AUTH_HYBRID_RESP_DSS, 64224, "HybridRespDSS")       \
	X(CONF_IKEV1_AUTH_XAUTH_INIT_PSK, 65001, "XAUTHInitPreShared")   \
	X(CONF_IKEV1_AUTH_XAUTH_RESP_PSK, 65002, "XAUTHRespPreShared")   \
	X(CONF_IKEV1_AUTH_XAUTH_INIT_DSS, 65003, "XAUTHInitDSS")         \
	X(CONF_IKEV1_AUTH_XAUTH_RESP_DSS, 65004, "XAUTHRespDSS")         \
	X(CONF_IKEV1_AUTH_XAUTH_INIT_RSA, 65005, "XAUTHInitRSA")         \
	X(CONF_IKEV1_AUTH_XAUTH_RESP_RSA, 65006, "XAUTHRespRSA")

enum conf_ikev1_auth { CONF_IKEV1_AUTH_LIST(CONF_IKEV1_ENUM_) };

/* Identification types (RFC 2407 §4.6.2.1) */
#define CONF_IKEV1_ID_LIST(X)                                    \
	X(CONF_IKEV1_ID_IPV4_ADDR, 1, "ID_IPV4_ADDR")            \
	X(CONF_IKEV1_ID_FQDN, 2, "ID_FQDN")                      \
	X(CONF_IKEV1_ID_USER_FQDN, 3, "ID_USER_FQDN")            \
	X(CONF_IKEV1_ID_IPV4_ADDR_SUBNET, 4, "ID_IPV4_ADDR_SUBNET") \
	X(CONF_IKEV1_ID_IPV6_ADDR, 5, "ID_IPV6_ADDR")            \
	X(CONF_IKEV1_ID_IPV6_ADDR_SUBNET, 6, "ID_IPV6_ADDR_SUBNET") \
	X(CONF_IKEV1_ID_IPV4_ADDR_RANGE, 7, "ID_IPV4_ADDR_RANGE") \
	X(CONF_IKEV1_ID_IPV6_ADDR_RANGE, 8, "ID_IPV6_ADDR_RANGE") \
	X(CONF_IKEV1_ID_DER_ASN1_DN, 9, "ID_DER_ASN1_DN")        \
	X(CONF_IKEV1_ID_DER_ASN1_GN, 10, "ID_DER_ASN1_GN")       \
	X(CONF_IKEV1_ID_KEY_ID, 11, "ID_KEY_ID")

enum conf_ikev1_id_type { CONF_IKEV1_ID_LIST(CONF_IKEV1_ENUM_) };

extern const struct ike_name_table conf_ikev1_attr_names;
extern const struct ike_name_table conf_ikev1_enc_names;
extern const struct ike_name_table conf_ikev1_hash_names;
extern const struct ike_name_table conf_ikev1_auth_names;
extern const struct ike_name_table conf_ikev1_id_names;

/* conf_ikev1_auth_is_psk: the method authenticates with a pre-shared key. */
int conf_ikev1_auth_is_psk(uint32_t auth);

/*
 * Well-known Vendor IDs, matched by prefix (a VID may carry version octets
 * after the listed value). Values and sources:
 *   RFC 3947 NAT-T          MD5("RFC 3947") = 4a131c81070358455c5728f20e95452f
 *   NAT-T draft 02          MD5("draft-ietf-ipsec-nat-t-ike-02\n") = 90cb8091...
 *   NAT-T draft 03          MD5("draft-ietf-ipsec-nat-t-ike-03") = 7d9419a6...
 *   DPD (RFC 3706 §... )    afcad71368a1f1c96b8696fc775701 + version 00
 *   XAUTH                   09002689dfd6b712 (draft-beaulieu-ike-xauth)
 * The MD5 values were recomputed with md5sum; DPD and XAUTH as ike-scan and
 * Wireshark print them.
 */
struct conf_ikev1_vid_name {
	const char *hex;
	const char *name;
};
extern const struct conf_ikev1_vid_name conf_ikev1_vids[];

/* conf_ikev1_vid_lookup names a Vendor ID value, or returns NULL. */
const char *conf_ikev1_vid_lookup(const uint8_t *v, uint32_t len);

#endif
