/*
 * ike_auth.c — Authentication Data of the AUTH payload (ike_auth.h).
 *
 * Method 14 signing writes the RFC 7427 Appendix A AlgorithmIdentifier
 * octets from the table below; verification decodes the received
 * AlgorithmIdentifier with OpenSSL's ASN.1 (so an encoding that omits the
 * optional NULL parameters, as some peers send, is accepted) and then
 * requires exactly the parameters the scheme stands for.
 */
#include "ref/ike/ike_auth.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ref/ike/ike_const.h"

_Static_assert((int)CRYPTO_X509_ID_FQDN == (int)IKE_ID_FQDN &&
		       (int)CRYPTO_X509_ID_IPV4_ADDR == (int)IKE_ID_IPV4_ADDR &&
		       (int)CRYPTO_X509_ID_RFC822_ADDR == (int)IKE_ID_RFC822_ADDR &&
		       (int)CRYPTO_X509_ID_IPV6_ADDR == (int)IKE_ID_IPV6_ADDR &&
		       (int)CRYPTO_X509_ID_DER_ASN1_DN == (int)IKE_ID_DER_ASN1_DN,
	       "crypto_x509 ID kinds are the IKEv2 ID Types");

enum { AUTH_MSG_MAX = 65535, AUTH_ID_HDR = 4, AUTH_PSS_SALT = 32 };

static const char auth_key_pad[] = "Key Pad for IKEv2"; /* §2.15: 17 ASCII octets, no NUL */

/* RFC 7427 Appendix A: DER AlgorithmIdentifiers. */
static const uint8_t auth_algid_sha1_rsa[] = {/* A.1.1 sha1WithRSAEncryption */
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
static const uint8_t auth_algid_sha256_rsa[] = {/* A.1.2 sha256WithRSAEncryption */
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const uint8_t auth_algid_ecdsa_sha256[] = {/* A.3 ecdsa-with-SHA256 */
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t auth_algid_pss_sha256[] = {
	/* A.4.3 RSASSA-PSS: hash SHA-256, MGF1 with SHA-256, salt length 32 */
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34,
	0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};

const uint8_t *ike_auth_algid(enum crypto_sig_scheme scheme, size_t *len)
{
	const uint8_t *p;
	size_t n;

	switch (scheme) {
	case CRYPTO_SIG_RSA_PKCS1_SHA1:
		p = auth_algid_sha1_rsa, n = sizeof auth_algid_sha1_rsa;
		break;
	case CRYPTO_SIG_RSA_PKCS1_SHA256:
		p = auth_algid_sha256_rsa, n = sizeof auth_algid_sha256_rsa;
		break;
	case CRYPTO_SIG_RSA_PSS_SHA256:
		p = auth_algid_pss_sha256, n = sizeof auth_algid_pss_sha256;
		break;
	case CRYPTO_SIG_ECDSA_P256_SHA256_DER:
		p = auth_algid_ecdsa_sha256, n = sizeof auth_algid_ecdsa_sha256;
		break;
	default:
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return p;
}

int ike_auth_scheme_hash(enum crypto_sig_scheme scheme)
{
	return scheme == CRYPTO_SIG_RSA_PKCS1_SHA1 ? IKE_HASH_SHA1 : IKE_HASH_SHA2_256;
}

static int auth_check_input(const struct ike_keys *k, const struct ike_auth_input *in,
			    struct crypto_diag *d)
{
	if (k == NULL || in == NULL || in->init_msg == NULL || in->peer_nonce == NULL ||
	    in->id == NULL) {
		crypto_diag_set(d, "AUTH: missing keys, IKE_SA_INIT message, nonce or ID");
		return 0;
	}
	if (in->init_msg_len == 0 || in->init_msg_len > AUTH_MSG_MAX || in->peer_nonce_len == 0 ||
	    in->peer_nonce_len > IKE_NONCE_MAX || in->id_len < AUTH_ID_HDR + 1) {
		crypto_diag_set(d, "AUTH: IKE_SA_INIT %zu octets (1..%d), nonce %zu (1..%d), "
				   "ID body %zu (>= %d)",
				in->init_msg_len, AUTH_MSG_MAX, in->peer_nonce_len, IKE_NONCE_MAX,
				in->id_len, AUTH_ID_HDR + 1);
		return 0;
	}
	return 1;
}

int ike_auth_signed_octets(const struct ike_keys *k, int signer_is_initiator,
			   const struct ike_auth_input *in, uint8_t **out, size_t *out_len,
			   struct crypto_diag *d)
{
	size_t prf_len, n;
	uint8_t *buf;
	int rc;

	if (out == NULL || out_len == NULL || !auth_check_input(k, in, d))
		return CRYPTO_EINVAL;
	prf_len = k->info.prf_len;
	n = in->init_msg_len + in->peer_nonce_len + prf_len;
	buf = malloc(n);
	if (buf == NULL)
		return CRYPTO_ENOMEM;
	memcpy(buf, in->init_msg, in->init_msg_len);
	memcpy(buf + in->init_msg_len, in->peer_nonce, in->peer_nonce_len);
	/* MACedIDFor{I,R} = prf(SK_p{i,r}, RestOf{Init,Resp}IDPayload) */
	{
		struct crypto_iov id = { in->id, in->id_len };

		rc = ike_keys_prf(k, ike_keys_sk_p(k, signer_is_initiator), prf_len, &id, 1,
				  buf + in->init_msg_len + in->peer_nonce_len);
	}
	if (rc != CRYPTO_OK) {
		free(buf);
		crypto_diag_set(d, "AUTH: prf(SK_p, ID) failed: %s", crypto_strerror(rc));
		return rc;
	}
	*out = buf;
	*out_len = n;
	return CRYPTO_OK;
}

/* auth_psk_mac computes the method-2 MIC into |mac| (prf_len octets). */
static int auth_psk_mac(const struct ike_keys *k, int signer_is_initiator,
			const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
			uint8_t *mac, struct crypto_diag *d)
{
	uint8_t pad_key[IKE_KEYS_PRF_MAX], maced_id[IKE_KEYS_PRF_MAX];
	struct crypto_iov iov[3];
	int rc;

	if (psk == NULL || psk_len == 0) {
		crypto_diag_set(d, "AUTH (shared key): empty shared secret");
		return CRYPTO_EINVAL;
	}
	if (!auth_check_input(k, in, d))
		return CRYPTO_EINVAL;
	/*
	 * auth_psk_mac: the same octets as ike_auth_signed_octets (message |
	 * nonce | prf(SK_p, ID')), handed to the PRF in pieces instead of copied.
	 */
	iov[0] = (struct crypto_iov){ in->id, in->id_len };
	rc = ike_keys_prf(k, ike_keys_sk_p(k, signer_is_initiator), k->info.prf_len, iov, 1, maced_id);
	if (rc == CRYPTO_OK) {
		iov[0] = (struct crypto_iov){ (const uint8_t *)auth_key_pad, sizeof auth_key_pad - 1 };
		rc = ike_keys_prf(k, psk, psk_len, iov, 1, pad_key);
	}
	if (rc == CRYPTO_OK) {
		iov[0] = (struct crypto_iov){ in->init_msg, in->init_msg_len };
		iov[1] = (struct crypto_iov){ in->peer_nonce, in->peer_nonce_len };
		iov[2] = (struct crypto_iov){ maced_id, k->info.prf_len };
		rc = ike_keys_prf(k, pad_key, k->info.prf_len, iov, 3, mac);
	}
	if (rc != CRYPTO_OK)
		crypto_diag_set(d, "AUTH (shared key): prf failed: %s", crypto_strerror(rc));
	OPENSSL_cleanse(pad_key, sizeof pad_key);
	OPENSSL_cleanse(maced_id, sizeof maced_id);
	return rc;
}

int ike_auth_psk_compute(const struct ike_keys *k, int signer_is_initiator,
			 const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
			 uint8_t *auth, size_t *auth_len, struct crypto_diag *d)
{
	uint8_t mac[IKE_KEYS_PRF_MAX];
	int rc;

	if (auth == NULL || auth_len == NULL || k == NULL || *auth_len < k->info.prf_len) {
		crypto_diag_set(d, "AUTH (shared key): output has %zu octets, need %zu",
				auth_len ? *auth_len : 0, k ? k->info.prf_len : 0);
		return CRYPTO_EINVAL;
	}
	rc = auth_psk_mac(k, signer_is_initiator, in, psk, psk_len, mac, d);
	if (rc == CRYPTO_OK) {
		memcpy(auth, mac, k->info.prf_len);
		*auth_len = k->info.prf_len;
	}
	OPENSSL_cleanse(mac, sizeof mac);
	return rc;
}

int ike_auth_psk_verify(const struct ike_keys *k, int signer_is_initiator,
			const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
			const uint8_t *auth, size_t auth_len, struct crypto_diag *d)
{
	uint8_t mac[IKE_KEYS_PRF_MAX];
	int rc;

	if (k == NULL || auth == NULL) {
		crypto_diag_set(d, "AUTH (shared key): missing keys or AUTH data");
		return CRYPTO_EINVAL;
	}
	if (auth_len != k->info.prf_len) {
		/* The length is public (it is the PRF's); only the content is compared in constant time. */
		crypto_diag_set(d, "AUTH (shared key): %zu octets, expected %zu (%s output)", auth_len,
				k->info.prf_len, ike_transform_name(IKE_TT_PRF, k->suite.prf));
		return CRYPTO_EAUTH;
	}
	rc = auth_psk_mac(k, signer_is_initiator, in, psk, psk_len, mac, d);
	if (rc == CRYPTO_OK && !crypto_memeq(mac, auth, auth_len)) {
		crypto_diag_set(d, "AUTH (shared key) of the %s does not match: wrong shared secret, "
				   "or the IKE_SA_INIT messages, nonces or ID differ",
				signer_is_initiator ? "initiator" : "responder");
		rc = CRYPTO_EAUTH;
	}
	OPENSSL_cleanse(mac, sizeof mac);
	return rc;
}

/* auth_method_scheme checks that |scheme| is what |method| carries. */
static int auth_method_scheme(uint8_t method, enum crypto_sig_scheme scheme, struct crypto_diag *d)
{
	switch (method) {
	case IKE_AUTHM_RSA_SIG:
		if (scheme == CRYPTO_SIG_RSA_PKCS1_SHA1)
			return 1;
		break;
	case IKE_AUTHM_ECDSA_256:
		if (scheme == CRYPTO_SIG_ECDSA_P256_SHA256_RAW)
			return 1;
		break;
	case IKE_AUTHM_DIGITAL_SIGNATURE:
		if (ike_auth_algid(scheme, NULL) != NULL)
			return 1;
		break;
	default:
		crypto_diag_set(d, "AUTH: method %s (%u) is not a signature method this implements "
				   "(RSA_SIG 1, ECDSA_256 9, DIGITAL_SIGNATURE 14)",
				ike_auth_method_name(method), method);
		return 0;
	}
	crypto_diag_set(d, "AUTH: method %s (%u) cannot carry a %s signature",
			ike_auth_method_name(method), method, crypto_sig_scheme_name(scheme));
	return 0;
}

int ike_auth_sign(const struct ike_keys *k, int signer_is_initiator, const struct ike_auth_input *in,
		  uint8_t method, enum crypto_sig_scheme scheme, const struct crypto_sig_key *key,
		  uint8_t *auth, size_t *auth_len, struct crypto_diag *d)
{
	uint8_t *octets = NULL;
	size_t octets_len = 0, prefix = 0, sig_len;
	int rc;

	if (auth == NULL || auth_len == NULL || key == NULL) {
		crypto_diag_set(d, "AUTH: missing key or output");
		return CRYPTO_EINVAL;
	}
	if (!auth_method_scheme(method, scheme, d))
		return CRYPTO_EINVAL;
	if (method == IKE_AUTHM_DIGITAL_SIGNATURE) {
		size_t alen = 0;
		const uint8_t *alg = ike_auth_algid(scheme, &alen);

		if (alg == NULL)
			return CRYPTO_EINVAL; /* auth_method_scheme already refused it */
		prefix = 1 + alen;
		if (*auth_len < prefix) {
			crypto_diag_set(d, "AUTH: output has %zu octets, need more than %zu", *auth_len,
					prefix);
			return CRYPTO_EINVAL;
		}
		auth[0] = (uint8_t)alen; /* RFC 7427 §3: ASN.1 Length, one octet */
		memcpy(auth + 1, alg, alen);
	}
	rc = ike_auth_signed_octets(k, signer_is_initiator, in, &octets, &octets_len, d);
	if (rc != CRYPTO_OK)
		return rc;
	sig_len = *auth_len - prefix;
	rc = crypto_sig_sign(key, scheme, octets, octets_len, auth + prefix, &sig_len, d);
	free(octets);
	if (rc == CRYPTO_OK)
		*auth_len = prefix + sig_len;
	return rc;
}

/*
 * auth_mgf1_hash_nid decodes the hash AlgorithmIdentifier inside an MGF1
 * maskGenAlgorithm (OpenSSL 3.0's d2i_RSA_PSS_PARAMS leaves maskHash unset).
 */
static int auth_mgf1_hash_nid(const X509_ALGOR *mgf)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	const unsigned char *q;
	X509_ALGOR *hash;
	int ptype, nid;

	X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
	if (ptype != V_ASN1_SEQUENCE || pval == NULL)
		return NID_undef;
	q = ASN1_STRING_get0_data(pval);
	hash = d2i_X509_ALGOR(NULL, &q, ASN1_STRING_length(pval));
	nid = hash != NULL ? OBJ_obj2nid(hash->algorithm) : NID_undef;
	X509_ALGOR_free(hash);
	return nid;
}

/*
 * auth_parse_algid maps a received RFC 7427 AlgorithmIdentifier to a
 * scheme, or returns -1 with the reason in |d|.
 */
static int auth_parse_algid(const uint8_t *der, size_t len, struct crypto_diag *d)
{
	const unsigned char *p = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	int ptype = 0, nid, scheme = -1;
	char oid[80] = "?";

	if (alg == NULL || (size_t)(p - der) != len) {
		crypto_diag_set(d, "AUTH (method 14): AlgorithmIdentifier of %zu octets does not decode",
				len);
		goto out;
	}
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	switch (nid) {
	case NID_sha1WithRSAEncryption:
	case NID_sha256WithRSAEncryption:
	case NID_ecdsa_with_SHA256:
		if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL) {
			crypto_diag_set(d, "AUTH (method 14): %s with parameters of ASN.1 type %d, "
					   "expected none or NULL",
					OBJ_nid2sn(nid), ptype);
			goto out;
		}
		scheme = nid == NID_sha1WithRSAEncryption     ? CRYPTO_SIG_RSA_PKCS1_SHA1
			 : nid == NID_sha256WithRSAEncryption ? CRYPTO_SIG_RSA_PKCS1_SHA256
							      : CRYPTO_SIG_ECDSA_P256_SHA256_DER;
		break;
	case NID_rsassaPss: {
		const ASN1_STRING *seq = pval;
		const unsigned char *q;
		RSA_PSS_PARAMS *pss;
		int ok;

		if (ptype != V_ASN1_SEQUENCE || seq == NULL) {
			crypto_diag_set(d, "AUTH (method 14): RSASSA-PSS without parameters, expected "
					   "SHA-256 / MGF1-SHA-256 / salt 32");
			goto out;
		}
		q = ASN1_STRING_get0_data(seq);
		pss = d2i_RSA_PSS_PARAMS(NULL, &q, ASN1_STRING_length(seq));
		ok = pss != NULL && pss->hashAlgorithm != NULL &&
		     OBJ_obj2nid(pss->hashAlgorithm->algorithm) == NID_sha256 &&
		     pss->maskGenAlgorithm != NULL &&
		     OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) == NID_mgf1 &&
		     auth_mgf1_hash_nid(pss->maskGenAlgorithm) == NID_sha256 &&
		     pss->saltLength != NULL && ASN1_INTEGER_get(pss->saltLength) == AUTH_PSS_SALT &&
		     (pss->trailerField == NULL || ASN1_INTEGER_get(pss->trailerField) == 1);
		RSA_PSS_PARAMS_free(pss);
		if (!ok) {
			crypto_diag_set(d, "AUTH (method 14): RSASSA-PSS parameters other than "
					   "SHA-256 / MGF1-SHA-256 / salt 32 are not supported");
			goto out;
		}
		scheme = CRYPTO_SIG_RSA_PSS_SHA256;
		break;
	}
	default:
		OBJ_obj2txt(oid, sizeof oid, obj, 1);
		crypto_diag_set(d, "AUTH (method 14): signature algorithm %s (%s) is not supported "
				   "(sha1/sha256WithRSAEncryption, RSASSA-PSS, ecdsa-with-SHA256 are)",
				nid != NID_undef ? OBJ_nid2sn(nid) : "unknown", oid);
		goto out;
	}
out:
	X509_ALGOR_free(alg);
	ERR_clear_error();
	return scheme;
}

int ike_auth_verify(const struct ike_keys *k, int signer_is_initiator, const struct ike_auth_input *in,
		    uint8_t method, const struct crypto_sig_key *pub, const uint8_t *auth,
		    size_t auth_len, enum crypto_sig_scheme *scheme_used, struct crypto_diag *d)
{
	enum crypto_sig_scheme scheme;
	uint8_t *octets = NULL;
	size_t octets_len = 0, prefix = 0;
	int rc;

	if (pub == NULL || auth == NULL || auth_len == 0) {
		crypto_diag_set(d, "AUTH: missing public key or empty AUTH data");
		return auth == NULL || pub == NULL ? CRYPTO_EINVAL : CRYPTO_EAUTH;
	}
	switch (method) {
	case IKE_AUTHM_RSA_SIG:
		scheme = CRYPTO_SIG_RSA_PKCS1_SHA1;
		break;
	case IKE_AUTHM_ECDSA_256:
		scheme = CRYPTO_SIG_ECDSA_P256_SHA256_RAW;
		break;
	case IKE_AUTHM_DIGITAL_SIGNATURE: {
		int s;

		/* RFC 7427 §3: ASN.1 Length (1 octet) | AlgorithmIdentifier | Signature Value */
		if (auth_len < 2 || (size_t)auth[0] + 1 >= auth_len) {
			crypto_diag_set(d, "AUTH (method 14): ASN.1 Length %u leaves no signature in %zu "
					   "octets",
					auth[0], auth_len);
			return CRYPTO_EAUTH;
		}
		s = auth_parse_algid(auth + 1, auth[0], d);
		if (s < 0)
			return CRYPTO_EAUTH;
		scheme = (enum crypto_sig_scheme)s;
		prefix = 1 + (size_t)auth[0];
		break;
	}
	default:
		auth_method_scheme(method, CRYPTO_SIG_RSA_PKCS1_SHA1, d);
		return CRYPTO_EINVAL;
	}
	if (scheme_used != NULL)
		*scheme_used = scheme;
	if (crypto_sig_max_len(pub, scheme) == 0) {
		crypto_diag_set(d, "AUTH: method %s with %s does not fit the peer's %s key",
				ike_auth_method_name(method), crypto_sig_scheme_name(scheme),
				crypto_sig_key_type(pub) == CRYPTO_SIG_KEY_RSA ? "RSA" : "EC");
		return CRYPTO_EAUTH;
	}
	rc = ike_auth_signed_octets(k, signer_is_initiator, in, &octets, &octets_len, d);
	if (rc != CRYPTO_OK)
		return rc;
	rc = crypto_sig_verify(pub, scheme, octets, octets_len, auth + prefix, auth_len - prefix, d);
	free(octets);
	if (rc == CRYPTO_EAUTH) {
		struct crypto_diag inner;

		if (d != NULL) {
			inner = *d;
			crypto_diag_set(d, "AUTH (%s, %s) of the %s: %s", ike_auth_method_name(method),
					crypto_sig_scheme_name(scheme),
					signer_is_initiator ? "initiator" : "responder", inner.msg);
		}
	}
	return rc;
}

int ike_auth_id_matches_cert(const struct crypto_x509 *cert, const uint8_t *id, size_t id_len,
			     struct crypto_diag *d)
{
	if (cert == NULL || id == NULL || id_len < AUTH_ID_HDR + 1) {
		crypto_diag_set(d, "ID payload body of %zu octets, expected >= %d", id ? id_len : 0,
				AUTH_ID_HDR + 1);
		return CRYPTO_EINVAL;
	}
	return crypto_x509_matches_id(cert, id[0], id + AUTH_ID_HDR, id_len - AUTH_ID_HDR, d);
}
