/*
 * ike_auth.h — the AUTH payload's Authentication Data (RFC 7296 §2.15,
 * §3.8; RFC 4754; RFC 7427): what each side signs, shared-key MICs, and
 * signatures by auth method.
 *
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *
 *   PSK (method 2):  AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *                    (the same with the EAP MSK in place of the shared secret, §2.16)
 *   RSA (method 1):  RSASSA-PKCS1-v1_5 with SHA-1 over <SignedOctets>
 *   ECDSA (method 9, RFC 4754): ECDSA P-256 SHA-256, signature r | s (64 octets, not DER)
 *   Digital Signature (method 14, RFC 7427 §3):
 *                    ASN.1 Length (1) | AlgorithmIdentifier (DER) | Signature Value
 *                    (ECDSA signatures in DER here)
 *
 * RealMessage is the signer's own IKE_SA_INIT message exactly as sent
 * (the initiator's request, the responder's response); the Nonce is the
 * OTHER side's Nonce Data; RestOfIDPayload is the signer's ID payload body:
 * ID Type, three RESERVED octets, identification data. Everything here
 * takes the bytes; the codec (ref/ike/ike_msg.h) finds them.
 *
 * Errors are enum crypto_err values: CRYPTO_EAUTH when the AUTH data does
 * not verify, CRYPTO_EINVAL for a method/scheme/key that does not fit,
 * each with the reason in the optional struct crypto_diag.
 */
#ifndef VPNLAB_REF_IKE_AUTH_H
#define VPNLAB_REF_IKE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike_keys.h"

/* Longest Authentication Data produced: 1 + 67 (PSS AlgorithmIdentifier) + 512 (RSA-4096). */
enum { IKE_AUTH_DATA_MAX = 1 + 67 + 512 };

/* ike_auth_input: the parts of the signed octets that come from messages. */
struct ike_auth_input {
	const uint8_t *init_msg;   /* the signer's IKE_SA_INIT message as sent */
	size_t init_msg_len;
	const uint8_t *peer_nonce; /* the other side's Nonce Data */
	size_t peer_nonce_len;
	const uint8_t *id;         /* the signer's ID payload body (RestOfIDPayload) */
	size_t id_len;
};

/*
 * ike_auth_signed_octets writes the signer's signed octets into a malloc'd
 * buffer (|signer_is_initiator| picks SK_pi or SK_pr): for diagnostics and
 * for EAP-only or multiple-auth extensions; the functions below call it.
 */
int ike_auth_signed_octets(const struct ike_keys *k, int signer_is_initiator,
			   const struct ike_auth_input *in, uint8_t **out, size_t *out_len,
			   struct crypto_diag *d);

/*
 * ike_auth_psk_compute writes the method-2 Authentication Data (prf_len
 * octets) into |auth| (room for |*auth_len|, at least the PRF length).
 */
int ike_auth_psk_compute(const struct ike_keys *k, int signer_is_initiator,
			 const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
			 uint8_t *auth, size_t *auth_len, struct crypto_diag *d);

/* ike_auth_psk_verify recomputes and compares in constant time. */
int ike_auth_psk_verify(const struct ike_keys *k, int signer_is_initiator,
			const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
			const uint8_t *auth, size_t auth_len, struct crypto_diag *d);

/*
 * ike_auth_sign signs with |key| for auth |method| (IKE_AUTHM_*):
 *   IKE_AUTHM_RSA_SIG (1)            scheme must be CRYPTO_SIG_RSA_PKCS1_SHA1
 *   IKE_AUTHM_ECDSA_256 (9)          scheme must be CRYPTO_SIG_ECDSA_P256_SHA256_RAW
 *   IKE_AUTHM_DIGITAL_SIGNATURE (14) scheme one of RSA_PKCS1_SHA1, RSA_PKCS1_SHA256,
 *                                    RSA_PSS_SHA256, ECDSA_P256_SHA256_DER
 * and writes the Authentication Data into |auth| (room for |*auth_len|;
 * IKE_AUTH_DATA_MAX is enough).
 */
int ike_auth_sign(const struct ike_keys *k, int signer_is_initiator, const struct ike_auth_input *in,
		  uint8_t method, enum crypto_sig_scheme scheme, const struct crypto_sig_key *key,
		  uint8_t *auth, size_t *auth_len, struct crypto_diag *d);

/*
 * ike_auth_verify checks the peer's Authentication Data for |method| with
 * its public key |pub| (from its certificate: crypto_x509_public_key).
 * For method 14 the AlgorithmIdentifier picks the scheme; |scheme_used|
 * (may be NULL) reports it so a policy can refuse e.g. SHA-1.
 */
int ike_auth_verify(const struct ike_keys *k, int signer_is_initiator, const struct ike_auth_input *in,
		    uint8_t method, const struct crypto_sig_key *pub, const uint8_t *auth,
		    size_t auth_len, enum crypto_sig_scheme *scheme_used, struct crypto_diag *d);

/*
 * ike_auth_algid returns the DER AlgorithmIdentifier RFC 7427 Appendix A
 * lists for |scheme| (NULL for the raw-ECDSA scheme, which method 14 does
 * not use), and its length.
 */
const uint8_t *ike_auth_algid(enum crypto_sig_scheme scheme, size_t *len);

/* ike_auth_scheme_hash: the RFC 7427 hash (IKE_HASH_*) |scheme| uses, for SIGNATURE_HASH_ALGORITHMS. */
int ike_auth_scheme_hash(enum crypto_sig_scheme scheme);

/*
 * ike_auth_id_matches_cert checks an ID payload body (ID Type, 3 RESERVED,
 * data) against |cert| (§3.5): 1 match, 0 not (reason in |d|), or
 * CRYPTO_EINVAL for a malformed or unmatchable ID.
 */
int ike_auth_id_matches_cert(const struct crypto_x509 *cert, const uint8_t *id, size_t id_len,
			     struct crypto_diag *d);

#endif
