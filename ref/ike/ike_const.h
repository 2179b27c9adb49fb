/*
 * ike_const.h — every IKEv2 (and, for the pcap decoder, IKEv1) protocol
 * constant in one place, with name tables generated from the same lists.
 *
 * Each registry is one X-macro list: X(enum_suffix, value, "name"). The enum
 * and the name table (ike_names.c) are both expanded from it, so a constant
 * cannot exist without a name. Numbers follow the IANA "Internet Key Exchange
 * Version 2 (IKEv2) Parameters" and "ISAKMP" registries; the RFC that
 * assigned each value is in the comment beside it.
 *
 * Names are the IANA/RFC names without their registry prefix, as strongSwan
 * and Wireshark print them ("NAT_DETECTION_SOURCE_IP", "ENCR_AES_GCM_16").
 * Lookups never allocate and never use a global buffer:
 *
 *   ike_notify_name(16388)          -> "NAT_DETECTION_SOURCE_IP"
 *   ike_notify_name(9999)           -> "?"   (caller prints the number)
 *   ike_name_fmt(&ike_notify_names, 9999, buf, sizeof buf) -> "UNKNOWN(9999)"
 *
 * Used by the IKE engine, the event logs and conformance/ (pcap decoder).
 */
#ifndef VPNLAB_REF_IKE_CONST_H
#define VPNLAB_REF_IKE_CONST_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------- */
/* Fixed sizes and header fields (RFC 7296 §3.1, §3.2)                     */

enum {
	IKE_HDR_LEN = 28,           /* SPIi 8, SPIr 8, np, ver, exch, flags, mid 4, len 4 */
	IKE_SPI_LEN = 8,
	IKE_PAYLOAD_HDR_LEN = 4,    /* generic payload header */
	IKE_MAJOR_VERSION = 2,
	IKE_MINOR_VERSION = 0,
	IKEV1_MAJOR_VERSION = 1,
	IKE_NONCE_MIN = 16,         /* §3.9: 16..256 octets */
	IKE_NONCE_MAX = 256,
	IKE_CERTREQ_HASH_LEN = 20,  /* §3.7: SHA-1 of the CA's SubjectPublicKeyInfo */
	IKE_NAT_HASH_LEN = 20,      /* §2.23: SHA-1(SPIi | SPIr | IP | port) */
	IKE_NOTIFY_ERROR_MAX = 16383, /* §3.10.1: 0..16383 errors, 16384.. status */
	IKE_NOTIFY_STATUS_MIN = 16384,
	IKE_UDP_PORT = 500,
	IKE_NATT_UDP_PORT = 4500,   /* RFC 3948, RFC 7296 §2.23 */
	IKE_NON_ESP_MARKER_LEN = 4, /* RFC 3948 §2.2: four zero octets before IKE on 4500 */
};

/* Header flags octet (§3.1). All other bits are reserved: sent 0, ignored. */
enum {
	IKE_FLAG_I = 0x08, /* Initiator: set by the original initiator of the IKE SA */
	IKE_FLAG_V = 0x10, /* Version: higher major version supported */
	IKE_FLAG_R = 0x20, /* Response */
};

/* Generic payload header octet 1 (§3.2): bit 0 is Critical, 7 reserved. */
enum { IKE_PAYLOAD_CRITICAL = 0x80 };

/* Proposal / transform substructure "Last Substruc" values (§3.3.1, §3.3.2). */
enum {
	IKE_SUBSTRUC_LAST = 0,
	IKE_SUBSTRUC_MORE_PROPOSALS = 2,
	IKE_SUBSTRUC_MORE_TRANSFORMS = 3,
};

/* Transform attribute format bit (§3.3.5): AF=1 is TV (2-octet value), AF=0 TLV. */
enum { IKE_ATTR_AF_TV = 0x8000, IKE_ATTR_TYPE_MASK = 0x7fff };

/* ---------------------------------------------------------------------- */
/* Exchange types (§3.1; IANA ikev2-parameters-1)                          */

#define IKE_EXCHANGE_LIST(X)                                          \
	X(IKE_SA_INIT, 34, "IKE_SA_INIT")               /* RFC 7296 */ \
	X(IKE_AUTH, 35, "IKE_AUTH")                     /* RFC 7296 */ \
	X(IKE_CREATE_CHILD_SA, 36, "CREATE_CHILD_SA")   /* RFC 7296 */ \
	X(IKE_INFORMATIONAL, 37, "INFORMATIONAL")       /* RFC 7296 */ \
	X(IKE_SESSION_RESUME, 38, "IKE_SESSION_RESUME") /* RFC 5723 */ \
	X(IKE_GSA_AUTH, 39, "GSA_AUTH")                 /* G-IKEv2 */  \
	X(IKE_GSA_REGISTRATION, 40, "GSA_REGISTRATION") /* G-IKEv2 */  \
	X(IKE_GSA_REKEY, 41, "GSA_REKEY")               /* G-IKEv2 */  \
	X(IKE_GSA_INBAND_REKEY, 42, "GSA_INBAND_REKEY") /* G-IKEv2 */  \
	X(IKE_INTERMEDIATE, 43, "IKE_INTERMEDIATE")     /* RFC 9242 */ \
	X(IKE_FOLLOWUP_KE, 44, "IKE_FOLLOWUP_KE")       /* RFC 9370 */

enum ike_exchange {
#define IKE_X_(n, v, s) n = v,
	IKE_EXCHANGE_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Payload types (§3.2; IANA ikev2-parameters-2). Name = log abbreviation.  */

#define IKE_PAYLOAD_LIST(X)                                             \
	X(IKE_PL_NONE, 0, "NONE")     /* No Next Payload */             \
	X(IKE_PL_SA, 33, "SA")        /* Security Association */        \
	X(IKE_PL_KE, 34, "KE")        /* Key Exchange */                \
	X(IKE_PL_IDI, 35, "IDi")      /* Identification - Initiator */  \
	X(IKE_PL_IDR, 36, "IDr")      /* Identification - Responder */  \
	X(IKE_PL_CERT, 37, "CERT")    /* Certificate */                 \
	X(IKE_PL_CERTREQ, 38, "CERTREQ") /* Certificate Request */      \
	X(IKE_PL_AUTH, 39, "AUTH")    /* Authentication */              \
	X(IKE_PL_NONCE, 40, "No")     /* Nonce (Ni, Nr) */              \
	X(IKE_PL_NOTIFY, 41, "N")     /* Notify */                      \
	X(IKE_PL_DELETE, 42, "D")     /* Delete */                      \
	X(IKE_PL_VENDOR, 43, "V")     /* Vendor ID */                   \
	X(IKE_PL_TSI, 44, "TSi")      /* Traffic Selector - Initiator */ \
	X(IKE_PL_TSR, 45, "TSr")      /* Traffic Selector - Responder */ \
	X(IKE_PL_SK, 46, "SK")        /* Encrypted and Authenticated */ \
	X(IKE_PL_CP, 47, "CP")        /* Configuration */               \
	X(IKE_PL_EAP, 48, "EAP")      /* Extensible Authentication */   \
	X(IKE_PL_GSPM, 49, "GSPM")    /* RFC 6467 */                    \
	X(IKE_PL_IDG, 50, "IDg")      /* G-IKEv2 Group Identification */ \
	X(IKE_PL_GSA, 51, "GSA")      /* G-IKEv2 Group SA */            \
	X(IKE_PL_KD, 52, "KD")        /* G-IKEv2 Key Download */        \
	X(IKE_PL_SKF, 53, "SKF")      /* Encrypted Fragment, RFC 7383 */ \
	X(IKE_PL_PS, 54, "PS")        /* Puzzle Solution, RFC 8019 */

enum ike_payload_type {
#define IKE_X_(n, v, s) n = v,
	IKE_PAYLOAD_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Notify message types (§3.10.1; IANA ikev2-parameters-14, -16)           */

#define IKE_NOTIFY_LIST(X)                                                              \
	/* error types 0..16383 */                                                      \
	X(IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 1, "UNSUPPORTED_CRITICAL_PAYLOAD")        \
	X(IKE_N_INVALID_IKE_SPI, 4, "INVALID_IKE_SPI")                                  \
	X(IKE_N_INVALID_MAJOR_VERSION, 5, "INVALID_MAJOR_VERSION")                      \
	X(IKE_N_INVALID_SYNTAX, 7, "INVALID_SYNTAX")                                    \
	X(IKE_N_INVALID_MESSAGE_ID, 9, "INVALID_MESSAGE_ID")                            \
	X(IKE_N_INVALID_SPI, 11, "INVALID_SPI")                                         \
	X(IKE_N_NO_PROPOSAL_CHOSEN, 14, "NO_PROPOSAL_CHOSEN")                           \
	X(IKE_N_INVALID_KE_PAYLOAD, 17, "INVALID_KE_PAYLOAD")                           \
	X(IKE_N_AUTHENTICATION_FAILED, 24, "AUTHENTICATION_FAILED")                     \
	X(IKE_N_SINGLE_PAIR_REQUIRED, 34, "SINGLE_PAIR_REQUIRED")                       \
	X(IKE_N_NO_ADDITIONAL_SAS, 35, "NO_ADDITIONAL_SAS")                             \
	X(IKE_N_INTERNAL_ADDRESS_FAILURE, 36, "INTERNAL_ADDRESS_FAILURE")               \
	X(IKE_N_FAILED_CP_REQUIRED, 37, "FAILED_CP_REQUIRED")                           \
	X(IKE_N_TS_UNACCEPTABLE, 38, "TS_UNACCEPTABLE")                                 \
	X(IKE_N_INVALID_SELECTORS, 39, "INVALID_SELECTORS")                             \
	X(IKE_N_UNACCEPTABLE_ADDRESSES, 40, "UNACCEPTABLE_ADDRESSES")   /* RFC 4555 */  \
	X(IKE_N_UNEXPECTED_NAT_DETECTED, 41, "UNEXPECTED_NAT_DETECTED") /* RFC 4555 */  \
	X(IKE_N_USE_ASSIGNED_HOA, 42, "USE_ASSIGNED_HoA")               /* RFC 5026 */  \
	X(IKE_N_TEMPORARY_FAILURE, 43, "TEMPORARY_FAILURE")                             \
	X(IKE_N_CHILD_SA_NOT_FOUND, 44, "CHILD_SA_NOT_FOUND")                           \
	X(IKE_N_INVALID_GROUP_ID, 45, "INVALID_GROUP_ID")               /* G-IKEv2 */   \
	X(IKE_N_AUTHORIZATION_FAILED, 46, "AUTHORIZATION_FAILED")       /* G-IKEv2 */   \
	X(IKE_N_STATE_NOT_FOUND, 47, "STATE_NOT_FOUND")                 /* RFC 9370 */  \
	X(IKE_N_TS_MAX_QUEUE, 48, "TS_MAX_QUEUE")                       /* RFC 9611 */  \
	X(IKE_N_REGISTRATION_FAILED, 49, "REGISTRATION_FAILED")         /* G-IKEv2 */   \
	/* status types 16384.. */                                                      \
	X(IKE_N_INITIAL_CONTACT, 16384, "INITIAL_CONTACT")                              \
	X(IKE_N_SET_WINDOW_SIZE, 16385, "SET_WINDOW_SIZE")                              \
	X(IKE_N_ADDITIONAL_TS_POSSIBLE, 16386, "ADDITIONAL_TS_POSSIBLE")                \
	X(IKE_N_IPCOMP_SUPPORTED, 16387, "IPCOMP_SUPPORTED")                            \
	X(IKE_N_NAT_DETECTION_SOURCE_IP, 16388, "NAT_DETECTION_SOURCE_IP")              \
	X(IKE_N_NAT_DETECTION_DESTINATION_IP, 16389, "NAT_DETECTION_DESTINATION_IP")    \
	X(IKE_N_COOKIE, 16390, "COOKIE")                                                \
	X(IKE_N_USE_TRANSPORT_MODE, 16391, "USE_TRANSPORT_MODE")                        \
	X(IKE_N_HTTP_CERT_LOOKUP_SUPPORTED, 16392, "HTTP_CERT_LOOKUP_SUPPORTED")        \
	X(IKE_N_REKEY_SA, 16393, "REKEY_SA")                                            \
	X(IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED, 16394, "ESP_TFC_PADDING_NOT_SUPPORTED")  \
	X(IKE_N_NON_FIRST_FRAGMENTS_ALSO, 16395, "NON_FIRST_FRAGMENTS_ALSO")            \
	X(IKE_N_MOBIKE_SUPPORTED, 16396, "MOBIKE_SUPPORTED")              /* RFC 4555 */ \
	X(IKE_N_ADDITIONAL_IP4_ADDRESS, 16397, "ADDITIONAL_IP4_ADDRESS")  /* RFC 4555 */ \
	X(IKE_N_ADDITIONAL_IP6_ADDRESS, 16398, "ADDITIONAL_IP6_ADDRESS")  /* RFC 4555 */ \
	X(IKE_N_NO_ADDITIONAL_ADDRESSES, 16399, "NO_ADDITIONAL_ADDRESSES") /* RFC 4555 */ \
	X(IKE_N_UPDATE_SA_ADDRESSES, 16400, "UPDATE_SA_ADDRESSES")        /* RFC 4555 */ \
	X(IKE_N_COOKIE2, 16401, "COOKIE2")                                /* RFC 4555 */ \
	X(IKE_N_NO_NATS_ALLOWED, 16402, "NO_NATS_ALLOWED")                /* RFC 4555 */ \
	X(IKE_N_AUTH_LIFETIME, 16403, "AUTH_LIFETIME")                    /* RFC 4478 */ \
	X(IKE_N_MULTIPLE_AUTH_SUPPORTED, 16404, "MULTIPLE_AUTH_SUPPORTED") /* RFC 4739 */ \
	X(IKE_N_ANOTHER_AUTH_FOLLOWS, 16405, "ANOTHER_AUTH_FOLLOWS")      /* RFC 4739 */ \
	X(IKE_N_REDIRECT_SUPPORTED, 16406, "REDIRECT_SUPPORTED")          /* RFC 5685 */ \
	X(IKE_N_REDIRECT, 16407, "REDIRECT")                              /* RFC 5685 */ \
	X(IKE_N_REDIRECTED_FROM, 16408, "REDIRECTED_FROM")                /* RFC 5685 */ \
	X(IKE_N_TICKET_LT_OPAQUE, 16409, "TICKET_LT_OPAQUE")              /* RFC 5723 */ \
	X(IKE_N_TICKET_REQUEST, 16410, "TICKET_REQUEST")                  /* RFC 5723 */ \
	X(IKE_N_TICKET_ACK, 16411, "TICKET_ACK")                          /* RFC 5723 */ \
	X(IKE_N_TICKET_NACK, 16412, "TICKET_NACK")                        /* RFC 5723 */ \
	X(IKE_N_TICKET_OPAQUE, 16413, "TICKET_OPAQUE")                    /* RFC 5723 */ \
	X(IKE_N_LINK_ID, 16414, "LINK_ID")                                /* RFC 5739 */ \
	X(IKE_N_USE_WESP_MODE, 16415, "USE_WESP_MODE")                    /* RFC 5840 */ \
	X(IKE_N_ROHC_SUPPORTED, 16416, "ROHC_SUPPORTED")                  /* RFC 5857 */ \
	X(IKE_N_EAP_ONLY_AUTHENTICATION, 16417, "EAP_ONLY_AUTHENTICATION") /* RFC 5998 */ \
	X(IKE_N_CHILDLESS_IKEV2_SUPPORTED, 16418, "CHILDLESS_IKEV2_SUPPORTED") /* RFC 6023 */ \
	X(IKE_N_QUICK_CRASH_DETECTION, 16419, "QUICK_CRASH_DETECTION")    /* RFC 6290 */ \
	X(IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED") /* RFC 6311 */ \
	X(IKE_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED, 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED") /* RFC 6311 */ \
	X(IKE_N_IKEV2_MESSAGE_ID_SYNC, 16422, "IKEV2_MESSAGE_ID_SYNC")    /* RFC 6311 */ \
	X(IKE_N_IPSEC_REPLAY_COUNTER_SYNC, 16423, "IPSEC_REPLAY_COUNTER_SYNC") /* RFC 6311 */ \
	X(IKE_N_SECURE_PASSWORD_METHODS, 16424, "SECURE_PASSWORD_METHODS") /* RFC 6467 */ \
	X(IKE_N_PSK_PERSIST, 16425, "PSK_PERSIST")                        /* RFC 6631 */ \
	X(IKE_N_PSK_CONFIRM, 16426, "PSK_CONFIRM")                        /* RFC 6631 */ \
	X(IKE_N_ERX_SUPPORTED, 16427, "ERX_SUPPORTED")                    /* RFC 6867 */ \
	X(IKE_N_IFOM_CAPABILITY, 16428, "IFOM_CAPABILITY")                /* 3GPP */     \
	X(IKE_N_GROUP_SENDER, 16429, "GROUP_SENDER")  /* G-IKEv2; was SENDER_REQUEST_ID */ \
	X(IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, 16430, "IKEV2_FRAGMENTATION_SUPPORTED") /* RFC 7383 */ \
	X(IKE_N_SIGNATURE_HASH_ALGORITHMS, 16431, "SIGNATURE_HASH_ALGORITHMS") /* RFC 7427 */ \
	X(IKE_N_CLONE_IKE_SA_SUPPORTED, 16432, "CLONE_IKE_SA_SUPPORTED")  /* RFC 7791 */ \
	X(IKE_N_CLONE_IKE_SA, 16433, "CLONE_IKE_SA")                      /* RFC 7791 */ \
	X(IKE_N_PUZZLE, 16434, "PUZZLE")                                  /* RFC 8019 */ \
	X(IKE_N_USE_PPK, 16435, "USE_PPK")                                /* RFC 8784 */ \
	X(IKE_N_PPK_IDENTITY, 16436, "PPK_IDENTITY")                      /* RFC 8784 */ \
	X(IKE_N_NO_PPK_AUTH, 16437, "NO_PPK_AUTH")                        /* RFC 8784 */ \
	X(IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED, 16438, "INTERMEDIATE_EXCHANGE_SUPPORTED") /* RFC 9242 */ \
	X(IKE_N_IP4_ALLOWED, 16439, "IP4_ALLOWED")                        /* RFC 8983 */ \
	X(IKE_N_IP6_ALLOWED, 16440, "IP6_ALLOWED")                        /* RFC 8983 */ \
	X(IKE_N_ADDITIONAL_KEY_EXCHANGE, 16441, "ADDITIONAL_KEY_EXCHANGE") /* RFC 9370 */ \
	X(IKE_N_USE_AGGFRAG, 16442, "USE_AGGFRAG")                        /* RFC 9347 */ \
	X(IKE_N_SUPPORTED_AUTH_METHODS, 16443, "SUPPORTED_AUTH_METHODS")  /* RFC 9593 */ \
	X(IKE_N_SA_RESOURCE_INFO, 16444, "SA_RESOURCE_INFO")              /* RFC 9611 */ \
	X(IKE_N_USE_PPK_INT, 16445, "USE_PPK_INT")           /* PQ PPK in IKE_INTERMEDIATE */ \
	X(IKE_N_PPK_IDENTITY_KEY, 16446, "PPK_IDENTITY_KEY")                             \
	X(IKE_N_IKE_SA_INIT_FULL_TRANSCRIPT_AUTH, 16447, "IKE_SA_INIT_FULL_TRANSCRIPT_AUTH")

enum ike_notify_type {
#define IKE_X_(n, v, s) n = v,
	IKE_NOTIFY_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Security protocol IDs (§3.3.1; IANA ikev2-parameters-18)                */

#define IKE_PROTO_LIST(X)                                              \
	X(IKE_PROTO_NONE, 0, "NONE") /* Notify/Delete about the IKE SA */ \
	X(IKE_PROTO_IKE, 1, "IKE")                                      \
	X(IKE_PROTO_AH, 2, "AH")                                        \
	X(IKE_PROTO_ESP, 3, "ESP")                                      \
	X(IKE_PROTO_FC_ESP_HEADER, 4, "FC_ESP_HEADER")                 /* RFC 4595 */ \
	X(IKE_PROTO_FC_CT_AUTHENTICATION, 5, "FC_CT_AUTHENTICATION")   /* RFC 4595 */

enum ike_protocol_id {
#define IKE_X_(n, v, s) n = v,
	IKE_PROTO_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Transform types (§3.3.2; IANA ikev2-parameters-3)                       */

#define IKE_TRANSFORM_TYPE_LIST(X)                                      \
	X(IKE_TT_ENCR, 1, "ENCR")                                       \
	X(IKE_TT_PRF, 2, "PRF")                                         \
	X(IKE_TT_INTEG, 3, "INTEG")                                     \
	X(IKE_TT_KE, 4, "KE")   /* "D-H group" before RFC 9370 */       \
	X(IKE_TT_ESN, 5, "ESN")                                         \
	X(IKE_TT_ADDKE1, 6, "ADDKE1") /* RFC 9370, 6..12 */             \
	X(IKE_TT_ADDKE2, 7, "ADDKE2")                                   \
	X(IKE_TT_ADDKE3, 8, "ADDKE3")                                   \
	X(IKE_TT_ADDKE4, 9, "ADDKE4")                                   \
	X(IKE_TT_ADDKE5, 10, "ADDKE5")                                  \
	X(IKE_TT_ADDKE6, 11, "ADDKE6")                                  \
	X(IKE_TT_ADDKE7, 12, "ADDKE7")

enum ike_transform_type {
#define IKE_X_(n, v, s) n = v,
	IKE_TRANSFORM_TYPE_LIST(IKE_X_)
#undef IKE_X_
};
#define IKE_TT_DH IKE_TT_KE

/* Type 1 — encryption algorithms (IANA ikev2-parameters-5) */
#define IKE_ENCR_LIST(X)                                                      \
	X(IKE_ENCR_DES_IV64, 1, "ENCR_DES_IV64")                              \
	X(IKE_ENCR_DES, 2, "ENCR_DES")                                        \
	X(IKE_ENCR_3DES, 3, "ENCR_3DES")                                      \
	X(IKE_ENCR_RC5, 4, "ENCR_RC5")                                        \
	X(IKE_ENCR_IDEA, 5, "ENCR_IDEA")                                      \
	X(IKE_ENCR_CAST, 6, "ENCR_CAST")                                      \
	X(IKE_ENCR_BLOWFISH, 7, "ENCR_BLOWFISH")                              \
	X(IKE_ENCR_3IDEA, 8, "ENCR_3IDEA")                                    \
	X(IKE_ENCR_DES_IV32, 9, "ENCR_DES_IV32")                              \
	X(IKE_ENCR_NULL, 11, "ENCR_NULL")                                     \
	X(IKE_ENCR_AES_CBC, 12, "ENCR_AES_CBC")             /* RFC 3602 */    \
	X(IKE_ENCR_AES_CTR, 13, "ENCR_AES_CTR")             /* RFC 3686 */    \
	X(IKE_ENCR_AES_CCM_8, 14, "ENCR_AES_CCM_8")         /* RFC 4309 */    \
	X(IKE_ENCR_AES_CCM_12, 15, "ENCR_AES_CCM_12")                         \
	X(IKE_ENCR_AES_CCM_16, 16, "ENCR_AES_CCM_16")                         \
	X(IKE_ENCR_AES_GCM_8, 18, "ENCR_AES_GCM_8")         /* RFC 4106 */    \
	X(IKE_ENCR_AES_GCM_12, 19, "ENCR_AES_GCM_12")                         \
	X(IKE_ENCR_AES_GCM_16, 20, "ENCR_AES_GCM_16")                         \
	X(IKE_ENCR_NULL_AUTH_AES_GMAC, 21, "ENCR_NULL_AUTH_AES_GMAC") /* RFC 4543 */ \
	X(IKE_ENCR_CAMELLIA_CBC, 23, "ENCR_CAMELLIA_CBC")   /* RFC 5529 */    \
	X(IKE_ENCR_CAMELLIA_CTR, 24, "ENCR_CAMELLIA_CTR")                     \
	X(IKE_ENCR_CAMELLIA_CCM_8, 25, "ENCR_CAMELLIA_CCM_8")                 \
	X(IKE_ENCR_CAMELLIA_CCM_12, 26, "ENCR_CAMELLIA_CCM_12")               \
	X(IKE_ENCR_CAMELLIA_CCM_16, 27, "ENCR_CAMELLIA_CCM_16")               \
	X(IKE_ENCR_CHACHA20_POLY1305, 28, "ENCR_CHACHA20_POLY1305") /* RFC 7634 */ \
	X(IKE_ENCR_AES_CCM_8_IIV, 29, "ENCR_AES_CCM_8_IIV") /* RFC 8750 */    \
	X(IKE_ENCR_AES_GCM_16_IIV, 30, "ENCR_AES_GCM_16_IIV")                 \
	X(IKE_ENCR_CHACHA20_POLY1305_IIV, 31, "ENCR_CHACHA20_POLY1305_IIV")   \
	X(IKE_ENCR_KUZNYECHIK_MGM_KTREE, 32, "ENCR_KUZNYECHIK_MGM_KTREE") /* RFC 9227 */ \
	X(IKE_ENCR_MAGMA_MGM_KTREE, 33, "ENCR_MAGMA_MGM_KTREE")               \
	X(IKE_ENCR_KUZNYECHIK_MGM_MAC_KTREE, 34, "ENCR_KUZNYECHIK_MGM_MAC_KTREE") \
	X(IKE_ENCR_MAGMA_MGM_MAC_KTREE, 35, "ENCR_MAGMA_MGM_MAC_KTREE")

enum ike_encr_id {
#define IKE_X_(n, v, s) n = v,
	IKE_ENCR_LIST(IKE_X_)
#undef IKE_X_
};

/* Type 2 — pseudorandom functions (IANA ikev2-parameters-6) */
#define IKE_PRF_LIST(X)                                                 \
	X(IKE_PRF_HMAC_MD5, 1, "PRF_HMAC_MD5")                          \
	X(IKE_PRF_HMAC_SHA1, 2, "PRF_HMAC_SHA1")                        \
	X(IKE_PRF_HMAC_TIGER, 3, "PRF_HMAC_TIGER")                      \
	X(IKE_PRF_AES128_XCBC, 4, "PRF_AES128_XCBC")     /* RFC 4434 */ \
	X(IKE_PRF_HMAC_SHA2_256, 5, "PRF_HMAC_SHA2_256") /* RFC 4868 */ \
	X(IKE_PRF_HMAC_SHA2_384, 6, "PRF_HMAC_SHA2_384")                \
	X(IKE_PRF_HMAC_SHA2_512, 7, "PRF_HMAC_SHA2_512")                \
	X(IKE_PRF_AES128_CMAC, 8, "PRF_AES128_CMAC")     /* RFC 4615 */ \
	X(IKE_PRF_HMAC_STREEBOG_512, 9, "PRF_HMAC_STREEBOG_512") /* RFC 9385 */

enum ike_prf_id {
#define IKE_X_(n, v, s) n = v,
	IKE_PRF_LIST(IKE_X_)
#undef IKE_X_
};

/* Type 3 — integrity algorithms (IANA ikev2-parameters-7) */
#define IKE_INTEG_LIST(X)                                                       \
	X(IKE_INTEG_NONE, 0, "NONE")                                            \
	X(IKE_INTEG_HMAC_MD5_96, 1, "AUTH_HMAC_MD5_96")                         \
	X(IKE_INTEG_HMAC_SHA1_96, 2, "AUTH_HMAC_SHA1_96")       /* RFC 2404 */  \
	X(IKE_INTEG_DES_MAC, 3, "AUTH_DES_MAC")                                 \
	X(IKE_INTEG_KPDK_MD5, 4, "AUTH_KPDK_MD5")                               \
	X(IKE_INTEG_AES_XCBC_96, 5, "AUTH_AES_XCBC_96")         /* RFC 3566 */  \
	X(IKE_INTEG_HMAC_MD5_128, 6, "AUTH_HMAC_MD5_128")       /* RFC 4595 */  \
	X(IKE_INTEG_HMAC_SHA1_160, 7, "AUTH_HMAC_SHA1_160")     /* RFC 4595 */  \
	X(IKE_INTEG_AES_CMAC_96, 8, "AUTH_AES_CMAC_96")         /* RFC 4494 */  \
	X(IKE_INTEG_AES_128_GMAC, 9, "AUTH_AES_128_GMAC")       /* RFC 4543 */  \
	X(IKE_INTEG_AES_192_GMAC, 10, "AUTH_AES_192_GMAC")                      \
	X(IKE_INTEG_AES_256_GMAC, 11, "AUTH_AES_256_GMAC")                      \
	X(IKE_INTEG_HMAC_SHA2_256_128, 12, "AUTH_HMAC_SHA2_256_128") /* RFC 4868 */ \
	X(IKE_INTEG_HMAC_SHA2_384_192, 13, "AUTH_HMAC_SHA2_384_192")            \
	X(IKE_INTEG_HMAC_SHA2_512_256, 14, "AUTH_HMAC_SHA2_512_256")

enum ike_integ_id {
#define IKE_X_(n, v, s) n = v,
	IKE_INTEG_LIST(IKE_X_)
#undef IKE_X_
};

/* Type 4 — key exchange methods / D-H groups (IANA ikev2-parameters-8) */
#define IKE_KE_LIST(X)                                                   \
	X(IKE_KE_NONE, 0, "NONE")                                        \
	X(IKE_KE_MODP768, 1, "MODP_768")                                 \
	X(IKE_KE_MODP1024, 2, "MODP_1024")                               \
	X(IKE_KE_MODP1536, 5, "MODP_1536")        /* RFC 3526 */         \
	X(IKE_KE_MODP2048, 14, "MODP_2048")                              \
	X(IKE_KE_MODP3072, 15, "MODP_3072")                              \
	X(IKE_KE_MODP4096, 16, "MODP_4096")                              \
	X(IKE_KE_MODP6144, 17, "MODP_6144")                              \
	X(IKE_KE_MODP8192, 18, "MODP_8192")                              \
	X(IKE_KE_ECP256, 19, "ECP_256")           /* RFC 5903 */         \
	X(IKE_KE_ECP384, 20, "ECP_384")                                  \
	X(IKE_KE_ECP521, 21, "ECP_521")                                  \
	X(IKE_KE_MODP1024_S160, 22, "MODP_1024_160") /* RFC 5114 */      \
	X(IKE_KE_MODP2048_S224, 23, "MODP_2048_224")                     \
	X(IKE_KE_MODP2048_S256, 24, "MODP_2048_256")                     \
	X(IKE_KE_ECP192, 25, "ECP_192")                                  \
	X(IKE_KE_ECP224, 26, "ECP_224")                                  \
	X(IKE_KE_BRAINPOOL224, 27, "ECP_224_BP")  /* RFC 6954 */         \
	X(IKE_KE_BRAINPOOL256, 28, "ECP_256_BP")                         \
	X(IKE_KE_BRAINPOOL384, 29, "ECP_384_BP")                         \
	X(IKE_KE_BRAINPOOL512, 30, "ECP_512_BP")                         \
	X(IKE_KE_CURVE25519, 31, "CURVE_25519")   /* RFC 8031 */         \
	X(IKE_KE_CURVE448, 32, "CURVE_448")                              \
	X(IKE_KE_GOST3410_2012_256, 33, "GOST3410_2012_256") /* RFC 9385 */ \
	X(IKE_KE_GOST3410_2012_512, 34, "GOST3410_2012_512")             \
	X(IKE_KE_ML_KEM_512, 35, "ML_KEM_512")    /* RFC 9370 + ML-KEM */ \
	X(IKE_KE_ML_KEM_768, 36, "ML_KEM_768")                           \
	X(IKE_KE_ML_KEM_1024, 37, "ML_KEM_1024")

enum ike_ke_id {
#define IKE_X_(n, v, s) n = v,
	IKE_KE_LIST(IKE_X_)
#undef IKE_X_
};

/* Type 5 — extended sequence numbers (IANA ikev2-parameters-9) */
#define IKE_ESN_LIST(X)                 \
	X(IKE_ESN_NO, 0, "NO_ESN")      \
	X(IKE_ESN_YES, 1, "ESN")

enum ike_esn_id {
#define IKE_X_(n, v, s) n = v,
	IKE_ESN_LIST(IKE_X_)
#undef IKE_X_
};

/* Transform attribute types (§3.3.5; IANA ikev2-parameters-11) */
#define IKE_TATTR_LIST(X) \
	X(IKE_TATTR_KEY_LENGTH, 14, "KEY_LENGTH") /* TV, in bits */

enum ike_transform_attr {
#define IKE_X_(n, v, s) n = v,
	IKE_TATTR_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Identification types (§3.5; IANA ikev2-parameters-12)                   */

#define IKE_ID_LIST(X)                                                 \
	X(IKE_ID_IPV4_ADDR, 1, "ID_IPV4_ADDR")                         \
	X(IKE_ID_FQDN, 2, "ID_FQDN")                                   \
	X(IKE_ID_RFC822_ADDR, 3, "ID_RFC822_ADDR")                     \
	X(IKE_ID_IPV6_ADDR, 5, "ID_IPV6_ADDR")                         \
	X(IKE_ID_DER_ASN1_DN, 9, "ID_DER_ASN1_DN")                     \
	X(IKE_ID_DER_ASN1_GN, 10, "ID_DER_ASN1_GN")                    \
	X(IKE_ID_KEY_ID, 11, "ID_KEY_ID")                              \
	X(IKE_ID_FC_NAME, 12, "ID_FC_NAME")       /* RFC 4595 */       \
	X(IKE_ID_NULL, 13, "ID_NULL")             /* RFC 7619 */

enum ike_id_type {
#define IKE_X_(n, v, s) n = v,
	IKE_ID_LIST(IKE_X_)
#undef IKE_X_
};

/* Certificate encodings (§3.6; IANA ikev2-parameters-13) */
#define IKE_CERT_LIST(X)                                                             \
	X(IKE_CERT_PKCS7_X509, 1, "PKCS7_WRAPPED_X509")                              \
	X(IKE_CERT_PGP, 2, "PGP")                                                    \
	X(IKE_CERT_DNS_SIGNED_KEY, 3, "DNS_SIGNED_KEY")                              \
	X(IKE_CERT_X509_SIG, 4, "X509_SIGNATURE")                                    \
	X(IKE_CERT_KERBEROS, 6, "KERBEROS_TOKEN")                                    \
	X(IKE_CERT_CRL, 7, "CRL")                                                    \
	X(IKE_CERT_ARL, 8, "ARL")                                                    \
	X(IKE_CERT_SPKI, 9, "SPKI")                                                  \
	X(IKE_CERT_X509_ATTR, 10, "X509_ATTRIBUTE")                                  \
	X(IKE_CERT_RAW_RSA, 11, "RAW_RSA_KEY")                                       \
	X(IKE_CERT_HASH_URL_X509, 12, "HASH_URL_X509_CERT")                          \
	X(IKE_CERT_HASH_URL_BUNDLE, 13, "HASH_URL_X509_BUNDLE")                      \
	X(IKE_CERT_OCSP_CONTENT, 14, "OCSP_CONTENT")          /* RFC 4806 */         \
	X(IKE_CERT_RAW_PUBLIC_KEY, 15, "RAW_PUBLIC_KEY")      /* RFC 7670 */

enum ike_cert_encoding {
#define IKE_X_(n, v, s) n = v,
	IKE_CERT_LIST(IKE_X_)
#undef IKE_X_
};

/* Authentication methods (§3.8; IANA ikev2-parameters-12). Prefix AUTHM: IKE_AUTH is the exchange. */
#define IKE_AUTHM_LIST(X)                                                        \
	X(IKE_AUTHM_RSA_SIG, 1, "RSA_SIG")                                       \
	X(IKE_AUTHM_PSK, 2, "PSK")               /* Shared Key MIC */            \
	X(IKE_AUTHM_DSS_SIG, 3, "DSS_SIG")                                       \
	X(IKE_AUTHM_ECDSA_256, 9, "ECDSA_256")   /* SHA-256 on P-256, RFC 4754 */ \
	X(IKE_AUTHM_ECDSA_384, 10, "ECDSA_384")  /* SHA-384 on P-384 */          \
	X(IKE_AUTHM_ECDSA_521, 11, "ECDSA_521")  /* SHA-512 on P-521 */          \
	X(IKE_AUTHM_GSPAM, 12, "GSPAM")          /* RFC 6467 */                  \
	X(IKE_AUTHM_NULL, 13, "NULL_AUTH")       /* RFC 7619 */                  \
	X(IKE_AUTHM_DIGITAL_SIGNATURE, 14, "DIGITAL_SIGNATURE") /* RFC 7427 */

enum ike_auth_method {
#define IKE_X_(n, v, s) n = v,
	IKE_AUTHM_LIST(IKE_X_)
#undef IKE_X_
};

/* Hash algorithms in N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 §7; IANA ikev2-parameters-20) */
#define IKE_HASH_LIST(X)                                          \
	X(IKE_HASH_SHA1, 1, "SHA1")                               \
	X(IKE_HASH_SHA2_256, 2, "SHA2_256")                       \
	X(IKE_HASH_SHA2_384, 3, "SHA2_384")                       \
	X(IKE_HASH_SHA2_512, 4, "SHA2_512")                       \
	X(IKE_HASH_IDENTITY, 5, "IDENTITY") /* RFC 8420 */

enum ike_hash_alg {
#define IKE_X_(n, v, s) n = v,
	IKE_HASH_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Traffic selector types (§3.13.1; IANA ikev2-parameters-19)              */

#define IKE_TS_LIST(X)                                                      \
	X(IKE_TS_IPV4_ADDR_RANGE, 7, "TS_IPV4_ADDR_RANGE")                  \
	X(IKE_TS_IPV6_ADDR_RANGE, 8, "TS_IPV6_ADDR_RANGE")                  \
	X(IKE_TS_FC_ADDR_RANGE, 9, "TS_FC_ADDR_RANGE")  /* RFC 4595 */      \
	X(IKE_TS_SECLABEL, 10, "TS_SECLABEL")           /* RFC 9478 */

enum ike_ts_type {
#define IKE_X_(n, v, s) n = v,
	IKE_TS_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* Configuration payload (§3.15; IANA ikev2-parameters-20, -21)            */

#define IKE_CFG_LIST(X)                         \
	X(IKE_CFG_REQUEST, 1, "CFG_REQUEST")    \
	X(IKE_CFG_REPLY, 2, "CFG_REPLY")        \
	X(IKE_CFG_SET, 3, "CFG_SET")            \
	X(IKE_CFG_ACK, 4, "CFG_ACK")

enum ike_cfg_type {
#define IKE_X_(n, v, s) n = v,
	IKE_CFG_LIST(IKE_X_)
#undef IKE_X_
};

#define IKE_CPA_LIST(X)                                                                       \
	X(IKE_CPA_INTERNAL_IP4_ADDRESS, 1, "INTERNAL_IP4_ADDRESS")                            \
	X(IKE_CPA_INTERNAL_IP4_NETMASK, 2, "INTERNAL_IP4_NETMASK")                            \
	X(IKE_CPA_INTERNAL_IP4_DNS, 3, "INTERNAL_IP4_DNS")                                    \
	X(IKE_CPA_INTERNAL_IP4_NBNS, 4, "INTERNAL_IP4_NBNS")                                  \
	X(IKE_CPA_INTERNAL_IP4_DHCP, 6, "INTERNAL_IP4_DHCP")                                  \
	X(IKE_CPA_APPLICATION_VERSION, 7, "APPLICATION_VERSION")                              \
	X(IKE_CPA_INTERNAL_IP6_ADDRESS, 8, "INTERNAL_IP6_ADDRESS")                            \
	X(IKE_CPA_INTERNAL_IP6_DNS, 10, "INTERNAL_IP6_DNS")                                   \
	X(IKE_CPA_INTERNAL_IP6_DHCP, 12, "INTERNAL_IP6_DHCP")                                 \
	X(IKE_CPA_INTERNAL_IP4_SUBNET, 13, "INTERNAL_IP4_SUBNET")                             \
	X(IKE_CPA_SUPPORTED_ATTRIBUTES, 14, "SUPPORTED_ATTRIBUTES")                           \
	X(IKE_CPA_INTERNAL_IP6_SUBNET, 15, "INTERNAL_IP6_SUBNET")                             \
	X(IKE_CPA_MIP6_HOME_PREFIX, 16, "MIP6_HOME_PREFIX")               /* RFC 5026 */      \
	X(IKE_CPA_INTERNAL_IP6_LINK, 17, "INTERNAL_IP6_LINK")             /* RFC 5739 */      \
	X(IKE_CPA_INTERNAL_IP6_PREFIX, 18, "INTERNAL_IP6_PREFIX")         /* RFC 5739 */      \
	X(IKE_CPA_HOME_AGENT_ADDRESS, 19, "HOME_AGENT_ADDRESS")           /* 3GPP 24.302 */   \
	X(IKE_CPA_P_CSCF_IP4_ADDRESS, 20, "P_CSCF_IP4_ADDRESS")           /* RFC 7651 */      \
	X(IKE_CPA_P_CSCF_IP6_ADDRESS, 21, "P_CSCF_IP6_ADDRESS")           /* RFC 7651 */      \
	X(IKE_CPA_FTT_KAT, 22, "FTT_KAT")                                 /* 3GPP 24.302 */   \
	X(IKE_CPA_EXTERNAL_SOURCE_IP4_NAT_INFO, 23, "EXTERNAL_SOURCE_IP4_NAT_INFO") /* 3GPP 29.139 */ \
	X(IKE_CPA_TIMEOUT_PERIOD_FOR_LIVENESS_CHECK, 24, "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK") /* 3GPP */ \
	X(IKE_CPA_INTERNAL_DNS_DOMAIN, 25, "INTERNAL_DNS_DOMAIN")         /* RFC 8598 */      \
	X(IKE_CPA_INTERNAL_DNSSEC_TA, 26, "INTERNAL_DNSSEC_TA")           /* RFC 8598 */      \
	X(IKE_CPA_ENCDNS_IP4, 27, "ENCDNS_IP4")                           /* RFC 9464 */      \
	X(IKE_CPA_ENCDNS_IP6, 28, "ENCDNS_IP6")                           /* RFC 9464 */      \
	X(IKE_CPA_ENCDNS_DIGEST_INFO, 29, "ENCDNS_DIGEST_INFO")           /* RFC 9464 */

enum ike_cp_attr_type {
#define IKE_X_(n, v, s) n = v,
	IKE_CPA_LIST(IKE_X_)
#undef IKE_X_
};

/* ---------------------------------------------------------------------- */
/* IKEv1 / ISAKMP, for the pcap decoder only (RFC 2408, RFC 2409, RFC 3947) */

#define IKEV1_EXCHANGE_LIST(X)                                              \
	X(IKEV1_EXCH_BASE, 1, "Base")                                       \
	X(IKEV1_EXCH_MAIN, 2, "Main Mode")       /* Identity Protection */  \
	X(IKEV1_EXCH_AUTH_ONLY, 3, "Authentication Only")                   \
	X(IKEV1_EXCH_AGGRESSIVE, 4, "Aggressive Mode")                      \
	X(IKEV1_EXCH_INFORMATIONAL, 5, "Informational")                     \
	X(IKEV1_EXCH_TRANSACTION, 6, "Transaction") /* Mode-Config, draft-ietf-ipsec-isakmp-mode-cfg */ \
	X(IKEV1_EXCH_QUICK, 32, "Quick Mode")    /* RFC 2409 */             \
	X(IKEV1_EXCH_NEW_GROUP, 33, "New Group Mode")

enum ikev1_exchange {
#define IKE_X_(n, v, s) n = v,
	IKEV1_EXCHANGE_LIST(IKE_X_)
#undef IKE_X_
};

#define IKEV1_PAYLOAD_LIST(X)                                                 \
	X(IKEV1_PL_NONE, 0, "NONE")                                           \
	X(IKEV1_PL_SA, 1, "SA")                                               \
	X(IKEV1_PL_P, 2, "P")            /* Proposal */                       \
	X(IKEV1_PL_T, 3, "T")            /* Transform */                      \
	X(IKEV1_PL_KE, 4, "KE")                                               \
	X(IKEV1_PL_ID, 5, "ID")                                               \
	X(IKEV1_PL_CERT, 6, "CERT")                                           \
	X(IKEV1_PL_CR, 7, "CR")                                               \
	X(IKEV1_PL_HASH, 8, "HASH")                                           \
	X(IKEV1_PL_SIG, 9, "SIG")                                             \
	X(IKEV1_PL_NONCE, 10, "NONCE")                                        \
	X(IKEV1_PL_N, 11, "N")                                                \
	X(IKEV1_PL_D, 12, "D")                                                \
	X(IKEV1_PL_VID, 13, "VID")                                            \
	X(IKEV1_PL_ATTR, 14, "ATTR")     /* Mode-Config attributes */         \
	X(IKEV1_PL_SAK, 15, "SAK")       /* RFC 6407 */                       \
	X(IKEV1_PL_SAT, 16, "SAT")       /* RFC 6407 */                       \
	X(IKEV1_PL_KD, 17, "KD")         /* RFC 3547 */                       \
	X(IKEV1_PL_SEQ, 18, "SEQ")                                            \
	X(IKEV1_PL_POP, 19, "POP")                                            \
	X(IKEV1_PL_NAT_D, 20, "NAT-D")   /* RFC 3947 */                       \
	X(IKEV1_PL_NAT_OA, 21, "NAT-OA") /* RFC 3947 */                       \
	X(IKEV1_PL_GAP, 22, "GAP")       /* RFC 6407 */                       \
	X(IKEV1_PL_NAT_D_DRAFT, 130, "NAT-D(draft)")  /* draft-ietf-ipsec-nat-t-ike-02/03 */ \
	X(IKEV1_PL_NAT_OA_DRAFT, 131, "NAT-OA(draft)")                        \
	X(IKEV1_PL_FRAGMENT, 132, "FRAG") /* Cisco/Microsoft IKEv1 fragmentation */

enum ikev1_payload_type {
#define IKE_X_(n, v, s) n = v,
	IKEV1_PAYLOAD_LIST(IKE_X_)
#undef IKE_X_
};

/* IKEv1 notify message types (RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706) */
#define IKEV1_NOTIFY_LIST(X)                                                   \
	X(IKEV1_N_INVALID_PAYLOAD_TYPE, 1, "INVALID-PAYLOAD-TYPE")             \
	X(IKEV1_N_DOI_NOT_SUPPORTED, 2, "DOI-NOT-SUPPORTED")                   \
	X(IKEV1_N_SITUATION_NOT_SUPPORTED, 3, "SITUATION-NOT-SUPPORTED")       \
	X(IKEV1_N_INVALID_COOKIE, 4, "INVALID-COOKIE")                         \
	X(IKEV1_N_INVALID_MAJOR_VERSION, 5, "INVALID-MAJOR-VERSION")           \
	X(IKEV1_N_INVALID_MINOR_VERSION, 6, "INVALID-MINOR-VERSION")           \
	X(IKEV1_N_INVALID_EXCHANGE_TYPE, 7, "INVALID-EXCHANGE-TYPE")           \
	X(IKEV1_N_INVALID_FLAGS, 8, "INVALID-FLAGS")                           \
	X(IKEV1_N_INVALID_MESSAGE_ID, 9, "INVALID-MESSAGE-ID")                 \
	X(IKEV1_N_INVALID_PROTOCOL_ID, 10, "INVALID-PROTOCOL-ID")              \
	X(IKEV1_N_INVALID_SPI, 11, "INVALID-SPI")                              \
	X(IKEV1_N_INVALID_TRANSFORM_ID, 12, "INVALID-TRANSFORM-ID")            \
	X(IKEV1_N_ATTRIBUTES_NOT_SUPPORTED, 13, "ATTRIBUTES-NOT-SUPPORTED")    \
	X(IKEV1_N_NO_PROPOSAL_CHOSEN, 14, "NO-PROPOSAL-CHOSEN")                \
	X(IKEV1_N_BAD_PROPOSAL_SYNTAX, 15, "BAD-PROPOSAL-SYNTAX")              \
	X(IKEV1_N_PAYLOAD_MALFORMED, 16, "PAYLOAD-MALFORMED")                  \
	X(IKEV1_N_INVALID_KEY_INFORMATION, 17, "INVALID-KEY-INFORMATION")      \
	X(IKEV1_N_INVALID_ID_INFORMATION, 18, "INVALID-ID-INFORMATION")        \
	X(IKEV1_N_INVALID_CERT_ENCODING, 19, "INVALID-CERT-ENCODING")          \
	X(IKEV1_N_INVALID_CERTIFICATE, 20, "INVALID-CERTIFICATE")              \
	X(IKEV1_N_CERT_TYPE_UNSUPPORTED, 21, "CERT-TYPE-UNSUPPORTED")          \
	X(IKEV1_N_INVALID_CERT_AUTHORITY, 22, "INVALID-CERT-AUTHORITY")        \
	X(IKEV1_N_INVALID_HASH_INFORMATION, 23, "INVALID-HASH-INFORMATION")    \
	X(IKEV1_N_AUTHENTICATION_FAILED, 24, "AUTHENTICATION-FAILED")          \
	X(IKEV1_N_INVALID_SIGNATURE, 25, "INVALID-SIGNATURE")                  \
	X(IKEV1_N_ADDRESS_NOTIFICATION, 26, "ADDRESS-NOTIFICATION")            \
	X(IKEV1_N_NOTIFY_SA_LIFETIME, 27, "NOTIFY-SA-LIFETIME")                \
	X(IKEV1_N_CERTIFICATE_UNAVAILABLE, 28, "CERTIFICATE-UNAVAILABLE")      \
	X(IKEV1_N_UNSUPPORTED_EXCHANGE_TYPE, 29, "UNSUPPORTED-EXCHANGE-TYPE")  \
	X(IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, 30, "UNEQUAL-PAYLOAD-LENGTHS")      \
	X(IKEV1_N_CONNECTED, 16384, "CONNECTED")                               \
	X(IKEV1_N_RESPONDER_LIFETIME, 24576, "RESPONDER-LIFETIME") /* RFC 2407 */ \
	X(IKEV1_N_REPLAY_STATUS, 24577, "REPLAY-STATUS")                       \
	X(IKEV1_N_INITIAL_CONTACT, 24578, "INITIAL-CONTACT")                   \
	X(IKEV1_N_R_U_THERE, 36136, "R-U-THERE")             /* RFC 3706 DPD */ \
	X(IKEV1_N_R_U_THERE_ACK, 36137, "R-U-THERE-ACK")

enum ikev1_notify_type {
#define IKE_X_(n, v, s) n = v,
	IKEV1_NOTIFY_LIST(IKE_X_)
#undef IKE_X_
};

/* IKEv1 header flags (RFC 2408 §3.1) */
enum {
	IKEV1_FLAG_E = 0x01, /* Encryption: everything after the header is encrypted */
	IKEV1_FLAG_C = 0x02, /* Commit */
	IKEV1_FLAG_A = 0x04, /* Authentication Only */
};

/* ---------------------------------------------------------------------- */
/* Name tables                                                             */

struct ike_name {
	uint32_t value;
	const char *name;
};

/* ike_name_table is one registry: entries sorted by value, values unique. */
struct ike_name_table {
	const char *registry;         /* "exchange type", "notify type", ... */
	const struct ike_name *entry;
	size_t n;
};

extern const struct ike_name_table ike_exchange_names;
extern const struct ike_name_table ike_payload_names;
extern const struct ike_name_table ike_payload_long_names;
extern const struct ike_name_table ike_notify_names;
extern const struct ike_name_table ike_protocol_names;
extern const struct ike_name_table ike_transform_type_names;
extern const struct ike_name_table ike_encr_names;
extern const struct ike_name_table ike_prf_names;
extern const struct ike_name_table ike_integ_names;
extern const struct ike_name_table ike_ke_names;
extern const struct ike_name_table ike_esn_names;
extern const struct ike_name_table ike_transform_attr_names;
extern const struct ike_name_table ike_id_type_names;
extern const struct ike_name_table ike_cert_encoding_names;
extern const struct ike_name_table ike_auth_method_names;
extern const struct ike_name_table ike_hash_alg_names;
extern const struct ike_name_table ike_ts_type_names;
extern const struct ike_name_table ike_cfg_type_names;
extern const struct ike_name_table ike_cp_attr_names;
extern const struct ike_name_table ikev1_exchange_names;
extern const struct ike_name_table ikev1_payload_names;
extern const struct ike_name_table ikev1_notify_names;

/* ike_all_name_tables lists every table above (tests, decoder "--list"). NULL-terminated. */
extern const struct ike_name_table *const ike_all_name_tables[];

/* ike_name_lookup returns the name of |value| in |t|, or NULL. */
const char *ike_name_lookup(const struct ike_name_table *t, long value);

/*
 * ike_name_fmt writes the name of |value| or "UNKNOWN(value)" into |buf|
 * (|cap| >= IKE_NAME_BUF is always enough) and returns |buf|.
 */
#define IKE_NAME_BUF 48
const char *ike_name_fmt(const struct ike_name_table *t, long value, char *buf, size_t cap);

/*
 * Convenience lookups: the registry name, or "?" when unknown (never NULL),
 * so "%s(%d)" prints something useful either way.
 */
const char *ike_exchange_name(int v);
const char *ike_payload_name(int v);      /* log abbreviation: "SA", "No", "N" */
const char *ike_payload_long_name(int v); /* "Security Association" */
const char *ike_notify_name(int v);
const char *ike_protocol_name(int v);
const char *ike_transform_type_name(int v);
/* ike_transform_name names transform |id| of transform |type| ("ENCR_AES_GCM_16"). */
const char *ike_transform_name(int type, int id);
/* ike_transform_id_names returns the ID table for transform |type|, NULL if none. */
const struct ike_name_table *ike_transform_id_names(int type);
const char *ike_transform_attr_name(int v);
const char *ike_id_type_name(int v);
const char *ike_cert_encoding_name(int v);
const char *ike_auth_method_name(int v);
const char *ike_hash_alg_name(int v);
const char *ike_ts_type_name(int v);
const char *ike_cfg_type_name(int v);
const char *ike_cp_attr_name(int v);
const char *ikev1_exchange_name(int v);
const char *ikev1_payload_name(int v);
const char *ikev1_notify_name(int v);

/* ike_notify_is_error: types 0..16383 are errors (§3.10.1). */
static inline int ike_notify_is_error(int type)
{
	return type >= 0 && type <= IKE_NOTIFY_ERROR_MAX;
}

#endif
