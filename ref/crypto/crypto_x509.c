/*
 * crypto_x509.c — certificates, identities and chain verification over
 * OpenSSL 3 (crypto_x509.h).
 *
 * A struct crypto_x509 caches the DER of the certificate and of its subject
 * at parse time, so CERT payload building and ID_DER_ASN1_DN comparisons
 * never re-encode. Chain verification uses one X509_STORE per trust-anchor
 * set and one X509_STORE_CTX per call with the caller's time set through
 * X509_VERIFY_PARAM_set_time.
 */
#include "ref/crypto/crypto_x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

enum {
	X509_FILE_MAX = 1 << 20,
	X509_BUNDLE_MAX = 64, /* certificates in one PEM bundle */
	X509_SHA1_LEN = 20,
};

/*
 * crypto_x509.parsed is 1 when |x| was decoded from octets (DER or PEM):
 * its public key then came from the SubjectPublicKeyInfo alone and can be
 * shared (crypto_x509_public_key). A certificate built in this process
 * (crypto_x509_wrap from crypto_testpki) may hold the key pair it was given.
 */
struct crypto_x509 {
	X509 *x;
	uint8_t *der;
	size_t der_len;
	uint8_t *subject;
	size_t subject_len;
	int refs;
	int parsed;
};

struct crypto_x509_store {
	X509_STORE *st;
	struct crypto_x509 **anchor;
	size_t n, cap;
};

/* crypto_x509_dup_der copies OpenSSL's i2d output into a malloc'd buffer. */
static uint8_t *crypto_x509_dup_der(unsigned char *buf, int n, size_t *len)
{
	uint8_t *out;

	if (n <= 0)
		return NULL;
	out = malloc((size_t)n);
	if (out != NULL) {
		memcpy(out, buf, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(buf);
	return out;
}

struct crypto_x509 *crypto_x509_wrap(X509 *x, struct crypto_diag *d)
{
	struct crypto_x509 *c;
	unsigned char *buf = NULL;
	int n;

	if (x == NULL)
		return NULL;
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		X509_free(x);
		crypto_diag_set(d, "certificate: out of memory");
		return NULL;
	}
	c->x = x;
	c->refs = 1;
	n = i2d_X509(x, &buf);
	c->der = crypto_x509_dup_der(buf, n, &c->der_len);
	buf = NULL;
	n = i2d_X509_NAME(X509_get_subject_name(x), &buf);
	c->subject = crypto_x509_dup_der(buf, n, &c->subject_len);
	if (c->der == NULL || c->subject == NULL) {
		crypto_diag_openssl(d, "certificate: re-encoding failed");
		crypto_x509_free(c);
		return NULL;
	}
	return c;
}

X509 *crypto_x509_get0(const struct crypto_x509 *c)
{
	return c != NULL ? c->x : NULL;
}

struct crypto_x509 *crypto_x509_ref(struct crypto_x509 *c)
{
	if (c != NULL)
		c->refs++;
	return c;
}

void crypto_x509_free(struct crypto_x509 *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	X509_free(c->x);
	free(c->der);
	free(c->subject);
	free(c);
}

void crypto_x509_free_array(struct crypto_x509 **certs, size_t n)
{
	if (certs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		crypto_x509_free(certs[i]);
	free(certs);
}

struct crypto_x509 *crypto_x509_parse_der(const uint8_t *der, size_t len, struct crypto_diag *d)
{
	const unsigned char *p = der;
	struct crypto_x509 *c;
	X509 *x;

	if (der == NULL || len == 0 || len > X509_FILE_MAX) {
		crypto_diag_set(d, "certificate: %zu octets, expected 1..%d", der ? len : 0,
				X509_FILE_MAX);
		return NULL;
	}
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL) {
		crypto_diag_openssl(d, "certificate: %zu octets are not a DER X.509 certificate", len);
		return NULL;
	}
	if ((size_t)(p - der) != len) {
		crypto_diag_set(d, "certificate: %zu octets follow the %zu-octet DER certificate",
				len - (size_t)(p - der), (size_t)(p - der));
		X509_free(x);
		return NULL;
	}
	c = crypto_x509_wrap(x, d);
	if (c != NULL)
		c->parsed = 1;
	return c;
}

int crypto_x509_parse_pem(const char *pem, size_t len, struct crypto_x509 ***certs,
			  struct crypto_diag *d)
{
	struct crypto_x509 **out;
	BIO *bio;
	int n = 0;

	if (pem == NULL || certs == NULL || len == 0 || len > X509_FILE_MAX) {
		crypto_diag_set(d, "PEM certificates: %zu octets, expected 1..%d", pem ? len : 0,
				X509_FILE_MAX);
		return CRYPTO_EINVAL;
	}
	out = calloc(X509_BUNDLE_MAX, sizeof *out);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (out == NULL || bio == NULL) {
		free(out);
		BIO_free(bio);
		return CRYPTO_ENOMEM;
	}
	while (n < X509_BUNDLE_MAX) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (x == NULL)
			break;
		out[n] = crypto_x509_wrap(x, d);
		if (out[n] == NULL) {
			crypto_x509_free_array(out, (size_t)n);
			BIO_free(bio);
			return CRYPTO_EINTERNAL;
		}
		out[n]->parsed = 1;
		n++;
	}
	BIO_free(bio);
	if (n == 0) {
		crypto_diag_openssl(d, "PEM certificates: no CERTIFICATE block found");
		free(out);
		return CRYPTO_EINVAL;
	}
	ERR_clear_error(); /* the "no start line" that ended the loop */
	*certs = out;
	return n;
}

int crypto_x509_load_file(const char *path, struct crypto_x509 ***certs, struct crypto_diag *d)
{
	struct crypto_diag inner = {{0}};
	uint8_t *buf;
	size_t n = 0;
	int rc;
	FILE *f;

	if (path == NULL || certs == NULL)
		return CRYPTO_EINVAL;
	f = fopen(path, "rb");
	if (f == NULL) {
		crypto_diag_set(d, "certificate file %s: cannot open", path);
		return CRYPTO_EINVAL;
	}
	buf = malloc(X509_FILE_MAX + 1);
	if (buf != NULL)
		n = fread(buf, 1, X509_FILE_MAX + 1, f);
	fclose(f);
	if (buf == NULL)
		return CRYPTO_ENOMEM;
	if (n == 0 || n > X509_FILE_MAX) {
		crypto_diag_set(d, "certificate file %s: %zu octets, expected 1..%d", path, n,
				X509_FILE_MAX);
		free(buf);
		return CRYPTO_EINVAL;
	}
	if (memmem(buf, n, "-----BEGIN", 10) != NULL) {
		rc = crypto_x509_parse_pem((const char *)buf, n, certs, &inner);
	} else {
		struct crypto_x509 *c = crypto_x509_parse_der(buf, n, &inner);

		*certs = c != NULL ? calloc(1, sizeof **certs) : NULL;
		if (c != NULL && *certs == NULL)
			crypto_x509_free(c);
		if (*certs != NULL)
			(*certs)[0] = c;
		rc = *certs != NULL ? 1 : CRYPTO_EINVAL;
	}
	if (rc < 0)
		crypto_diag_set(d, "certificate file %s: %s", path, inner.msg);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Properties                                                              */

const uint8_t *crypto_x509_der(const struct crypto_x509 *c, size_t *len)
{
	if (c == NULL)
		return NULL;
	if (len != NULL)
		*len = c->der_len;
	return c->der;
}

const uint8_t *crypto_x509_subject_der(const struct crypto_x509 *c, size_t *len)
{
	if (c == NULL)
		return NULL;
	if (len != NULL)
		*len = c->subject_len;
	return c->subject;
}

void crypto_x509_subject_text(const struct crypto_x509 *c, char *buf, size_t cap)
{
	BIO *bio;
	char *data = NULL;
	long n;

	if (buf == NULL || cap == 0)
		return;
	buf[0] = '\0';
	if (c == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(c->x), 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0)
			snprintf(buf, cap, "%.*s", (int)n, data);
	}
	BIO_free(bio);
}

int crypto_x509_spki_sha1(const struct crypto_x509 *c, uint8_t out[20])
{
	unsigned char *spki = NULL;
	unsigned int md_len = 0;
	int n, ok;

	if (c == NULL || out == NULL)
		return CRYPTO_EINVAL;
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x), &spki);
	if (n <= 0) {
		ERR_clear_error();
		return CRYPTO_EINTERNAL;
	}
	ok = EVP_Digest(spki, (size_t)n, out, &md_len, EVP_sha1(), NULL) == 1 &&
	     md_len == X509_SHA1_LEN;
	OPENSSL_free(spki);
	return ok ? CRYPTO_OK : CRYPTO_EINTERNAL;
}

/*
 * crypto_x509_public_key shares the EVP_PKEY OpenSSL decoded while parsing
 * (one reference more, no work) when the certificate came from octets. On
 * OpenSSL 3.0 decoding a SubjectPublicKeyInfo costs ~220 us for P-256 (the
 * OSSL_DECODER chain is rebuilt per call), which the re-encode-and-decode
 * path pays a second time. That path stays for certificates built in this
 * process: X509_get0_pubkey returns the EVP_PKEY given to X509_set_pubkey,
 * which may hold the private half.
 */
struct crypto_sig_key *crypto_x509_public_key(const struct crypto_x509 *c, struct crypto_diag *d)
{
	unsigned char *spki = NULL;
	struct crypto_sig_key *k;
	EVP_PKEY *pkey;
	int n;

	if (c == NULL)
		return NULL;
	if (c->parsed) {
		pkey = X509_get0_pubkey(c->x);
		if (pkey == NULL || EVP_PKEY_up_ref(pkey) != 1) {
			crypto_diag_openssl(d, "certificate: public key does not decode");
			return NULL;
		}
		k = crypto_sig_key_wrap(pkey);
		if (k != NULL && crypto_sig_key_type(k) == 0) {
			char group[64] = "";

			EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL);
			crypto_diag_set(d, "key type %s%s%s is not supported: expected RSA or EC P-256",
					EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?",
					group[0] ? " " : "", group);
			crypto_sig_key_free(k);
			ERR_clear_error();
			return NULL;
		}
		if (k == NULL)
			crypto_diag_set(d, "certificate: out of memory");
		return k;
	}
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x), &spki);
	if (n <= 0) {
		crypto_diag_openssl(d, "certificate: public key does not encode");
		return NULL;
	}
	k = crypto_sig_key_parse_public(spki, (size_t)n, d);
	OPENSSL_free(spki);
	return k;
}

static int crypto_x509_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	*out = (int64_t)timegm(&tm);
	return 1;
}

int crypto_x509_validity(const struct crypto_x509 *c, int64_t *not_before, int64_t *not_after)
{
	if (c == NULL || not_before == NULL || not_after == NULL)
		return CRYPTO_EINVAL;
	if (!crypto_x509_time(X509_get0_notBefore(c->x), not_before) ||
	    !crypto_x509_time(X509_get0_notAfter(c->x), not_after))
		return CRYPTO_EINTERNAL;
	return CRYPTO_OK;
}

/* ---------------------------------------------------------------------- */
/* Identity matching (RFC 7296 §3.5)                                       */

/* crypto_x509_describe_sans appends the SANs of |gens| as text to |buf| for error messages. */
static void crypto_x509_describe_sans(const GENERAL_NAMES *gens, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *p;
		char item[INET6_ADDRSTRLEN + 16];
		int len, type;
		const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);

		if (s == NULL)
			continue;
		p = ASN1_STRING_get0_data(s);
		len = ASN1_STRING_length(s);
		switch (type) {
		case GEN_DNS:
			snprintf(item, sizeof item, "dNSName %.*s", len > 40 ? 40 : len, p);
			break;
		case GEN_EMAIL:
			snprintf(item, sizeof item, "rfc822Name %.*s", len > 40 ? 40 : len, p);
			break;
		case GEN_IPADD: {
			char addr[INET6_ADDRSTRLEN] = "?";

			if (len == 4 || len == 16)
				inet_ntop(len == 4 ? AF_INET : AF_INET6, p, addr, sizeof addr);
			snprintf(item, sizeof item, "iPAddress %s", addr);
			break;
		}
		default:
			snprintf(item, sizeof item, "GeneralName type %d", type);
			break;
		}
		used += (size_t)snprintf(buf + used, used < cap ? cap - used : 0, "%s%s",
					 used ? ", " : "", item);
		if (used >= cap)
			break;
	}
	if (buf[0] == '\0')
		snprintf(buf, cap, "none");
}

/* crypto_x509_san_match looks for a SAN of GENERAL_NAME |gen_type| equal to |id|. */
static int crypto_x509_san_match(const GENERAL_NAMES *gens, int gen_type, const uint8_t *id,
				 size_t id_len, int ascii_nocase)
{
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		int type;
		const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);

		if (s == NULL || type != gen_type || (size_t)ASN1_STRING_length(s) != id_len)
			continue;
		if (ascii_nocase ? strncasecmp((const char *)ASN1_STRING_get0_data(s),
					       (const char *)id, id_len) == 0
				 : memcmp(ASN1_STRING_get0_data(s), id, id_len) == 0)
			return 1;
	}
	return 0;
}

static const char *crypto_x509_id_name(int id_type)
{
	switch (id_type) {
	case CRYPTO_X509_ID_IPV4_ADDR:
		return "ID_IPV4_ADDR";
	case CRYPTO_X509_ID_FQDN:
		return "ID_FQDN";
	case CRYPTO_X509_ID_RFC822_ADDR:
		return "ID_RFC822_ADDR";
	case CRYPTO_X509_ID_IPV6_ADDR:
		return "ID_IPV6_ADDR";
	case CRYPTO_X509_ID_DER_ASN1_DN:
		return "ID_DER_ASN1_DN";
	}
	return "?";
}

/* crypto_x509_id_text renders the identity for messages (printable ASCII or an address). */
static void crypto_x509_id_text(int id_type, const uint8_t *id, size_t id_len, char *buf,
				size_t cap)
{
	if ((id_type == CRYPTO_X509_ID_IPV4_ADDR && id_len == 4) ||
	    (id_type == CRYPTO_X509_ID_IPV6_ADDR && id_len == 16)) {
		inet_ntop(id_len == 4 ? AF_INET : AF_INET6, id, buf, (socklen_t)cap);
		return;
	}
	if (id_type == CRYPTO_X509_ID_DER_ASN1_DN) {
		const unsigned char *p = id;
		X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)id_len);
		char *s = name ? X509_NAME_oneline(name, NULL, 0) : NULL;

		snprintf(buf, cap, "%s", s ? s : "(undecodable DN)");
		OPENSSL_free(s);
		X509_NAME_free(name);
		ERR_clear_error();
		return;
	}
	size_t i, n = id_len < cap - 1 ? id_len : cap - 1;

	for (i = 0; i < n; i++)
		buf[i] = id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	buf[i] = '\0';
}

int crypto_x509_matches_id(const struct crypto_x509 *c, int id_type, const uint8_t *id,
			   size_t id_len, struct crypto_diag *d)
{
	GENERAL_NAMES *gens;
	char idtext[96], sans[200], subject[160];
	int match = 0;

	if (c == NULL || id == NULL || id_len == 0) {
		crypto_diag_set(d, "identity: empty %s", crypto_x509_id_name(id_type));
		return CRYPTO_EINVAL;
	}
	switch (id_type) {
	case CRYPTO_X509_ID_IPV4_ADDR:
	case CRYPTO_X509_ID_IPV6_ADDR: {
		size_t want = id_type == CRYPTO_X509_ID_IPV4_ADDR ? 4 : 16;

		if (id_len != want) {
			crypto_diag_set(d, "identity: %s is %zu octets, expected %zu",
					crypto_x509_id_name(id_type), id_len, want);
			return CRYPTO_EINVAL;
		}
		break;
	}
	case CRYPTO_X509_ID_FQDN:
	case CRYPTO_X509_ID_RFC822_ADDR:
		if (memchr(id, '\0', id_len) != NULL) {
			crypto_diag_set(d, "identity: %s contains a NUL octet",
					crypto_x509_id_name(id_type));
			return CRYPTO_EINVAL;
		}
		break;
	case CRYPTO_X509_ID_DER_ASN1_DN: {
		const unsigned char *p = id;
		X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)id_len);

		if (name == NULL || (size_t)(p - id) != id_len) {
			X509_NAME_free(name);
			crypto_diag_openssl(d, "identity: ID_DER_ASN1_DN of %zu octets is not one DER Name",
					    id_len);
			return CRYPTO_EINVAL;
		}
		match = X509_NAME_cmp(name, X509_get_subject_name(c->x)) == 0;
		X509_NAME_free(name);
		if (!match) {
			crypto_x509_id_text(id_type, id, id_len, idtext, sizeof idtext);
			crypto_x509_subject_text(c, subject, sizeof subject);
			crypto_diag_set(d, "identity ID_DER_ASN1_DN '%s' is not the certificate subject '%s'",
					idtext, subject);
		}
		return match;
	}
	default:
		crypto_diag_set(d, "identity: ID type %d cannot be matched against a certificate "
				   "(supported: IPV4_ADDR 1, FQDN 2, RFC822_ADDR 3, IPV6_ADDR 5, DER_ASN1_DN 9)",
				id_type);
		return CRYPTO_EINVAL;
	}
	gens = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	switch (id_type) {
	case CRYPTO_X509_ID_IPV4_ADDR:
	case CRYPTO_X509_ID_IPV6_ADDR:
		match = crypto_x509_san_match(gens, GEN_IPADD, id, id_len, 0);
		break;
	case CRYPTO_X509_ID_FQDN:
		match = crypto_x509_san_match(gens, GEN_DNS, id, id_len, 1);
		break;
	default:
		match = crypto_x509_san_match(gens, GEN_EMAIL, id, id_len, 1);
		break;
	}
	if (!match) {
		crypto_x509_id_text(id_type, id, id_len, idtext, sizeof idtext);
		crypto_x509_describe_sans(gens, sans, sizeof sans);
		crypto_diag_set(d, "identity %s '%s' is not among the certificate's subjectAltNames (%s)",
				crypto_x509_id_name(id_type), idtext, sans);
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return match;
}

/* ---------------------------------------------------------------------- */
/* Trust anchors and chains                                                */

struct crypto_x509_store *crypto_x509_store_new(void)
{
	struct crypto_x509_store *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->st = X509_STORE_new();
	if (s->st == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void crypto_x509_store_free(struct crypto_x509_store *s)
{
	if (s == NULL)
		return;
	X509_STORE_free(s->st);
	crypto_x509_free_array(s->anchor, s->n);
	free(s);
}

int crypto_x509_store_add(struct crypto_x509_store *s, struct crypto_x509 *anchor)
{
	if (s == NULL || anchor == NULL)
		return CRYPTO_EINVAL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct crypto_x509 **a = realloc(s->anchor, cap * sizeof *a);

		if (a == NULL)
			return CRYPTO_ENOMEM;
		s->anchor = a;
		s->cap = cap;
	}
	if (X509_STORE_add_cert(s->st, anchor->x) != 1) {
		ERR_clear_error();
		return CRYPTO_EINTERNAL;
	}
	s->anchor[s->n++] = crypto_x509_ref(anchor);
	return CRYPTO_OK;
}

size_t crypto_x509_store_count(const struct crypto_x509_store *s)
{
	return s != NULL ? s->n : 0;
}

const struct crypto_x509 *crypto_x509_store_get(const struct crypto_x509_store *s, size_t i)
{
	return s != NULL && i < s->n ? s->anchor[i] : NULL;
}

const char *crypto_x509_reason_name(enum crypto_x509_reason r)
{
	switch (r) {
	case CRYPTO_X509_VALID:
		return "valid";
	case CRYPTO_X509_NO_ISSUER:
		return "no-issuer";
	case CRYPTO_X509_EXPIRED:
		return "expired";
	case CRYPTO_X509_NOT_YET_VALID:
		return "not-yet-valid";
	case CRYPTO_X509_BAD_SIGNATURE:
		return "bad-signature";
	case CRYPTO_X509_NOT_CA:
		return "not-ca";
	case CRYPTO_X509_UNTRUSTED_ROOT:
		return "untrusted-root";
	case CRYPTO_X509_OTHER:
		return "other";
	}
	return "?";
}

static enum crypto_x509_reason crypto_x509_classify(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return CRYPTO_X509_NO_ISSUER;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return CRYPTO_X509_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return CRYPTO_X509_NOT_YET_VALID;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
		return CRYPTO_X509_BAD_SIGNATURE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return CRYPTO_X509_NOT_CA;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return CRYPTO_X509_UNTRUSTED_ROOT;
	default:
		return CRYPTO_X509_OTHER;
	}
}

/* crypto_x509_fmt_time renders |t| as "2030-01-01 00:00:00 UTC" for messages. */
static void crypto_x509_fmt_time(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, cap, "%lld", (long long)t);
}

int crypto_x509_verify_chain(const struct crypto_x509_store *store, const struct crypto_x509 *ee,
			     struct crypto_x509 *const *untrusted, size_t n_untrusted, int64_t now,
			     enum crypto_x509_reason *why, struct crypto_diag *d)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *chain = NULL;
	X509_VERIFY_PARAM *param;
	int rc = CRYPTO_EINTERNAL;

	if (why != NULL)
		*why = CRYPTO_X509_OTHER;
	if (store == NULL || ee == NULL || (untrusted == NULL && n_untrusted > 0)) {
		crypto_diag_set(d, "chain verification: missing store or end-entity certificate");
		return CRYPTO_EINVAL;
	}
	if (store->n == 0) {
		crypto_diag_set(d, "chain verification: no trust anchor configured");
		if (why != NULL)
			*why = CRYPTO_X509_NO_ISSUER;
		return CRYPTO_EAUTH;
	}
	ctx = X509_STORE_CTX_new();
	chain = sk_X509_new_null();
	if (ctx == NULL || chain == NULL)
		goto fail;
	for (size_t i = 0; i < n_untrusted; i++)
		if (untrusted[i] == NULL || sk_X509_push(chain, untrusted[i]->x) <= 0)
			goto fail;
	if (X509_STORE_CTX_init(ctx, store->st, ee->x, chain) != 1)
		goto fail;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)now); /* never the system clock */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) == 1) {
		if (why != NULL)
			*why = CRYPTO_X509_VALID;
		rc = CRYPTO_OK;
	} else {
		int err = X509_STORE_CTX_get_error(ctx);
		int depth = X509_STORE_CTX_get_error_depth(ctx);
		X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
		char subject[160] = "?", extra[120] = "";

		if (cur != NULL) {
			struct crypto_x509 tmp = {.x = cur};

			crypto_x509_subject_text(&tmp, subject, sizeof subject);
		}
		if (cur != NULL && (err == X509_V_ERR_CERT_HAS_EXPIRED ||
				    err == X509_V_ERR_CERT_NOT_YET_VALID)) {
			int64_t nb = 0, na = 0;
			char t1[40], t2[40];
			struct crypto_x509 tmp = {.x = cur};

			crypto_x509_validity(&tmp, &nb, &na);
			crypto_x509_fmt_time(err == X509_V_ERR_CERT_HAS_EXPIRED ? na : nb, t1,
					     sizeof t1);
			crypto_x509_fmt_time(now, t2, sizeof t2);
			snprintf(extra, sizeof extra, " (%s %s, now %s)",
				 err == X509_V_ERR_CERT_HAS_EXPIRED ? "notAfter" : "notBefore", t1, t2);
		}
		crypto_diag_set(d, "certificate at depth %d (0 = end entity) '%s': %s%s", depth,
				subject, X509_verify_cert_error_string(err), extra);
		if (why != NULL)
			*why = crypto_x509_classify(err);
		rc = CRYPTO_EAUTH;
	}
	goto out;
fail:
	crypto_diag_openssl(d, "chain verification: setup failed");
out:
	ERR_clear_error();
	sk_X509_free(chain);
	X509_STORE_CTX_free(ctx);
	return rc;
}
