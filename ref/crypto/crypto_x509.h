/*
 * crypto_x509.h — X.509 certificates as IKEv2 uses them (RFC 7296 §3.5-3.7,
 * §2.15), over OpenSSL 3:
 *
 *   - parse a certificate from a CERT payload (DER) or a file (PEM/DER);
 *   - the subject DN as DER (ID_DER_ASN1_DN), subjectAltNames, and whether
 *     an IKE identity matches the certificate (§3.5 "the ID ... MUST match");
 *   - the public key, for crypto_sig_verify of the AUTH payload;
 *   - SHA-1 of the SubjectPublicKeyInfo (CERTREQ CA hashes, §3.7);
 *   - chain verification against trust anchors at a time the caller gives
 *     (sans-IO: the system clock is never read).
 *
 * Test PKIs (generated chains of any depth and size) are in crypto_testpki.h.
 */
#ifndef VPNLAB_REF_CRYPTO_X509_H
#define VPNLAB_REF_CRYPTO_X509_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/crypto/crypto_sig.h"

/*
 * crypto_x509_id: identity kinds a certificate can be matched against. The
 * values are the IKEv2 ID Types (RFC 7296 §3.5; IKE_ID_* in
 * ref/ike/ike_const.h), so an ID payload's type octet can be passed as is.
 */
enum crypto_x509_id {
	CRYPTO_X509_ID_IPV4_ADDR = 1,   /* 4 octets    ~ iPAddress SAN */
	CRYPTO_X509_ID_FQDN = 2,        /* ASCII       ~ dNSName SAN, case-insensitive */
	CRYPTO_X509_ID_RFC822_ADDR = 3, /* ASCII       ~ rfc822Name SAN, case-insensitive */
	CRYPTO_X509_ID_IPV6_ADDR = 5,   /* 16 octets   ~ iPAddress SAN */
	CRYPTO_X509_ID_DER_ASN1_DN = 9, /* DER Name    ~ subject (compared canonically) */
};

struct crypto_x509;

/* crypto_x509_parse_der parses exactly |len| octets of one DER certificate. */
struct crypto_x509 *crypto_x509_parse_der(const uint8_t *der, size_t len, struct crypto_diag *d);

/*
 * crypto_x509_parse_pem parses every "CERTIFICATE" block of |pem| into a
 * malloc'd array (free with crypto_x509_free_array); returns the count, or
 * a negative crypto_err.
 */
int crypto_x509_parse_pem(const char *pem, size_t len, struct crypto_x509 ***certs,
			  struct crypto_diag *d);

/* crypto_x509_load_file reads a PEM bundle or one DER certificate (at most 1 MiB). */
int crypto_x509_load_file(const char *path, struct crypto_x509 ***certs, struct crypto_diag *d);

/* crypto_x509_ref takes another reference to |c| (freed once per reference). */
struct crypto_x509 *crypto_x509_ref(struct crypto_x509 *c);
void crypto_x509_free(struct crypto_x509 *c);
void crypto_x509_free_array(struct crypto_x509 **certs, size_t n);

/* crypto_x509_der: the certificate's DER encoding (the CERT payload data, encoding 4). */
const uint8_t *crypto_x509_der(const struct crypto_x509 *c, size_t *len);

/* crypto_x509_subject_der: the DER of the subject Name (the ID_DER_ASN1_DN data). */
const uint8_t *crypto_x509_subject_der(const struct crypto_x509 *c, size_t *len);

/* crypto_x509_subject_text writes the subject as RFC 2253 text ("CN=a,O=b"). */
void crypto_x509_subject_text(const struct crypto_x509 *c, char *buf, size_t cap);

/* crypto_x509_spki_sha1: SHA-1 of the DER SubjectPublicKeyInfo (CERTREQ, §3.7). */
int crypto_x509_spki_sha1(const struct crypto_x509 *c, uint8_t out[20]);

/* crypto_x509_public_key returns a new public-only key (free with crypto_sig_key_free). */
struct crypto_sig_key *crypto_x509_public_key(const struct crypto_x509 *c, struct crypto_diag *d);

/* crypto_x509_validity gives notBefore/notAfter as seconds since the epoch. */
int crypto_x509_validity(const struct crypto_x509 *c, int64_t *not_before, int64_t *not_after);

/*
 * crypto_x509_matches_id returns 1 when the identity (|id_type|, |id|,
 * |id_len|) is one the certificate names, 0 when it is not (with the reason
 * and the names it does carry in |d|), or CRYPTO_EINVAL for a malformed or
 * unsupported identity. FQDN and RFC822 compare ASCII case-insensitively
 * and exactly (no wildcards); a dNSName never matches an RFC822 identity
 * and vice versa; the subject's CN is never consulted (SANs only).
 */
int crypto_x509_matches_id(const struct crypto_x509 *c, int id_type, const uint8_t *id,
			   size_t id_len, struct crypto_diag *d);

/* ---------------------------------------------------------------------- */
/* Distinguished names (crypto_x509_dn.c)                                  */

/*
 * crypto_x509_dn_from_text encodes an RFC 4514 DN ("CN=alice,O=Example,C=DE":
 * the most specific RDN first, '+' joins multi-valued RDNs, '\' escapes)
 * as the DER Name an ID_DER_ASN1_DN carries. Blanks around separators are
 * allowed. Returns CRYPTO_OK with |*len| set, or CRYPTO_EINVAL with |d|
 * naming the DN, the offset or attribute, and what was expected.
 */
int crypto_x509_dn_from_text(const char *text, uint8_t *der, size_t cap, size_t *len, struct crypto_diag *d);

/* crypto_x509_dn_to_text writes a DER Name as RFC 4514 text; returns its length or a negative crypto_err. */
int crypto_x509_dn_to_text(const uint8_t *der, size_t len, char *buf, size_t cap);

/*
 * crypto_x509_dn_equal compares two DER Names the way chain building does
 * (X509_NAME_cmp on the canonical encoding: case and string types do not
 * matter): 1 equal, 0 different, CRYPTO_EINVAL when either is not a Name.
 */
int crypto_x509_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---------------------------------------------------------------------- */
/* Trust anchors and chain verification                                    */

struct crypto_x509_store;

struct crypto_x509_store *crypto_x509_store_new(void);
void crypto_x509_store_free(struct crypto_x509_store *s);
/* crypto_x509_store_add makes |anchor| trusted (a root, or an intermediate: see below). */
int crypto_x509_store_add(struct crypto_x509_store *s, struct crypto_x509 *anchor);
size_t crypto_x509_store_count(const struct crypto_x509_store *s);
/* crypto_x509_store_get: the i-th anchor (borrowed), e.g. to build CERTREQ hashes. */
const struct crypto_x509 *crypto_x509_store_get(const struct crypto_x509_store *s, size_t i);

/* crypto_x509_reason classifies why a chain failed, for tests and events. */
enum crypto_x509_reason {
	CRYPTO_X509_VALID = 0,
	CRYPTO_X509_NO_ISSUER,      /* a certificate's issuer is neither sent nor an anchor */
	CRYPTO_X509_EXPIRED,
	CRYPTO_X509_NOT_YET_VALID,
	CRYPTO_X509_BAD_SIGNATURE,
	CRYPTO_X509_NOT_CA,         /* an issuer lacks basicConstraints CA or keyCertSign */
	CRYPTO_X509_UNTRUSTED_ROOT, /* a self-signed certificate that is not an anchor */
	CRYPTO_X509_OTHER,
};

/* crypto_x509_reason_name: "valid", "no-issuer", "expired", ... */
const char *crypto_x509_reason_name(enum crypto_x509_reason r);

/*
 * crypto_x509_verify_chain checks that |ee| chains to an anchor of |store|
 * through |untrusted| (the other certificates of the CERT payloads, any
 * order, may be empty) with every certificate valid at |now| (seconds since
 * the epoch). Any anchor ends a chain (X509_V_FLAG_PARTIAL_CHAIN), so an
 * intermediate CA can be configured as the trust anchor.
 * Returns CRYPTO_OK, or CRYPTO_EAUTH with |*why| set and |d| naming the
 * certificate and the reason, e.g. "certificate at depth 1 of 3
 * (CN=vpnlab Intermediate 2,O=vpnlab): unable to get local issuer
 * certificate". |why| may be NULL.
 */
int crypto_x509_verify_chain(const struct crypto_x509_store *store, const struct crypto_x509 *ee,
			     struct crypto_x509 *const *untrusted, size_t n_untrusted, int64_t now,
			     enum crypto_x509_reason *why, struct crypto_diag *d);

/* ---------------------------------------------------------------------- */
/* Parsed-certificate cache                                                */

/*
 * crypto_x509_cache maps certificate DER to parsed certificates so a peer's
 * CERT payloads are decoded once, not on every IKE_AUTH: on OpenSSL 3.0 a
 * d2i_X509 of a P-256 certificate costs ~230 us, nearly all of it decoding
 * the public key. The caller creates the cache and hands it to whoever
 * parses (no global), e.g. one per engine.
 *
 * Entries match on the whole DER (length, a 64-bit FNV-1a hash, then
 * memcmp), never on a hash alone. The cache is bounded in entries and in
 * DER octets and evicts the least recently used entry first. It holds one
 * reference to each entry; crypto_x509_cache_parse_der returns another,
 * which the caller frees with crypto_x509_free as usual, so an evicted
 * certificate stays valid for whoever still holds it. A DER that does not
 * parse is not remembered (a peer cannot fill the cache with garbage it
 * costs us nothing to reject again).
 *
 * Not thread-safe: a cache, and the certificates it hands out, belong to
 * one thread (the reference counts are plain integers).
 */
struct crypto_x509_cache;

enum {
	CRYPTO_X509_CACHE_DEFAULT_ENTRIES = 64,
	CRYPTO_X509_CACHE_DEFAULT_OCTETS = 256 * 1024,
};

/* crypto_x509_cache_new: at most |max_entries| certificates of |max_octets| DER in all (0 = default). */
struct crypto_x509_cache *crypto_x509_cache_new(size_t max_entries, size_t max_octets);
void crypto_x509_cache_free(struct crypto_x509_cache *cache);

/*
 * crypto_x509_cache_parse_der is crypto_x509_parse_der through |cache|: a
 * new reference to the cached certificate for a DER seen before, else the
 * certificate parsed and remembered. A NULL |cache| just parses. A DER
 * longer than the cache's octet bound is parsed but not remembered.
 */
struct crypto_x509 *crypto_x509_cache_parse_der(struct crypto_x509_cache *cache, const uint8_t *der,
						size_t len, struct crypto_diag *d);

struct crypto_x509_cache_stats {
	uint64_t hits, misses, evictions;
	size_t entries, octets; /* held now */
};

/* crypto_x509_cache_get_stats fills |st| (zeros for a NULL |cache|). */
void crypto_x509_cache_get_stats(const struct crypto_x509_cache *cache,
				 struct crypto_x509_cache_stats *st);

/* For ref/crypto only: the OpenSSL X509 inside (struct x509_st is X509); wrap takes ownership. */
struct x509_st;
struct crypto_x509 *crypto_x509_wrap(struct x509_st *x, struct crypto_diag *d);
struct x509_st *crypto_x509_get0(const struct crypto_x509 *c);

#endif
