/*
 * crypto_testpki.c — generated test PKIs (crypto_testpki.h).
 *
 * Every certificate is X.509 v3 with SKI/AKI (so OpenSSL builds chains by
 * key identifier), critical basicConstraints and keyUsage, SHA-256
 * signatures (sha256WithRSAEncryption or ecdsa-with-SHA256), a 16-octet
 * serial from the rng, and optionally SANs and a padding extension.
 */
#include "ref/crypto/crypto_testpki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

enum {
	TESTPKI_SERIAL_LEN = 16,
	TESTPKI_FIT_ROUNDS = 8,
};

/* The padding extension's OID: IANA example enterprise 32473 (RFC 5612), arc 1.1. */
static const char testpki_pad_oid[] = "1.3.6.1.4.1.32473.1.1";
static const char testpki_filler[] = "vpnlab test PKI padding extension. ";

/* testpki_spec: everything one certificate is made from. */
struct testpki_spec {
	const char *org, *cn;
	EVP_PKEY *subject_key;
	X509 *issuer;          /* NULL: self-signed */
	EVP_PKEY *issuer_key;
	int is_ca;
	const struct crypto_testpki_san *san;
	size_t n_san;
	size_t pad;
	int64_t not_before, not_after;
	const uint8_t *serial; /* TESTPKI_SERIAL_LEN octets */
};

static int testpki_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
	int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

static int testpki_add_san(X509 *x, const struct crypto_testpki_san *san, size_t n,
			   struct crypto_diag *d)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	int ok = 0;

	if (gens == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_STRING *s = NULL;
		uint8_t addr[16];
		int type;

		if (g == NULL || san[i].value == NULL) {
			GENERAL_NAME_free(g);
			crypto_diag_set(d, "test PKI: subjectAltName %zu has no value", i);
			goto out;
		}
		switch (san[i].type) {
		case CRYPTO_X509_ID_FQDN:
		case CRYPTO_X509_ID_RFC822_ADDR:
			type = san[i].type == CRYPTO_X509_ID_FQDN ? GEN_DNS : GEN_EMAIL;
			s = ASN1_IA5STRING_new();
			if (s != NULL && ASN1_STRING_set(s, san[i].value, -1) != 1) {
				ASN1_STRING_free(s);
				s = NULL;
			}
			break;
		case CRYPTO_X509_ID_IPV4_ADDR:
		case CRYPTO_X509_ID_IPV6_ADDR: {
			int v6 = san[i].type == CRYPTO_X509_ID_IPV6_ADDR;

			type = GEN_IPADD;
			if (inet_pton(v6 ? AF_INET6 : AF_INET, san[i].value, addr) != 1) {
				GENERAL_NAME_free(g);
				crypto_diag_set(d, "test PKI: subjectAltName %zu '%s' is not an %s address",
						i, san[i].value, v6 ? "IPv6" : "IPv4");
				goto out;
			}
			s = ASN1_OCTET_STRING_new();
			if (s != NULL && ASN1_OCTET_STRING_set(s, addr, v6 ? 16 : 4) != 1) {
				ASN1_OCTET_STRING_free(s);
				s = NULL;
			}
			break;
		}
		default:
			GENERAL_NAME_free(g);
			crypto_diag_set(d, "test PKI: subjectAltName %zu has type %d, expected FQDN 2, "
					   "RFC822_ADDR 3, IPV4_ADDR 1 or IPV6_ADDR 5",
					i, (int)san[i].type);
			goto out;
		}
		if (s == NULL) {
			GENERAL_NAME_free(g);
			goto out;
		}
		GENERAL_NAME_set0_value(g, type, s);
		if (sk_GENERAL_NAME_push(gens, g) <= 0) {
			GENERAL_NAME_free(g);
			goto out;
		}
	}
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
out:
	GENERAL_NAMES_free(gens);
	return ok;
}

/* testpki_add_pad adds the non-critical padding extension with |pad| filler octets. */
static int testpki_add_pad(X509 *x, size_t pad)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(testpki_pad_oid, 1);
	ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new(), *val = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	unsigned char *filler = malloc(pad), *der = NULL;
	int n = 0, ok = 0;

	if (obj == NULL || inner == NULL || val == NULL || filler == NULL)
		goto out;
	for (size_t i = 0; i < pad; i++)
		filler[i] = (unsigned char)testpki_filler[i % (sizeof testpki_filler - 1)];
	/* extnValue is the DER of an OCTET STRING holding the filler. */
	if (ASN1_OCTET_STRING_set(inner, filler, (int)pad) != 1 ||
	    (n = i2d_ASN1_OCTET_STRING(inner, &der)) <= 0 ||
	    ASN1_OCTET_STRING_set(val, der, n) != 1)
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val);
	ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
out:
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	free(filler);
	ASN1_OCTET_STRING_free(inner);
	ASN1_OCTET_STRING_free(val);
	ASN1_OBJECT_free(obj);
	return ok;
}

static X509 *testpki_build(const struct testpki_spec *s, struct crypto_diag *d)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *serial = BN_bin2bn(s->serial, TESTPKI_SERIAL_LEN, NULL);
	X509V3_CTX v3;
	int ok = 0;

	if (x == NULL || name == NULL || serial == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)s->org,
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn,
				       -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer) : name) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after) == NULL ||
	    X509_set_pubkey(x, s->subject_key) != 1) {
		crypto_diag_openssl(d, "test PKI: building certificate '%s' failed", s->cn);
		goto out;
	}
	X509V3_set_ctx(&v3, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
	if (!testpki_add_ext(x, &v3, NID_basic_constraints,
			     s->is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    !testpki_add_ext(x, &v3, NID_key_usage,
			     s->is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
	    !testpki_add_ext(x, &v3, NID_subject_key_identifier, "hash") ||
	    (s->issuer != NULL &&
	     !testpki_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always"))) {
		crypto_diag_openssl(d, "test PKI: extensions of '%s' failed", s->cn);
		goto out;
	}
	if (s->n_san > 0 && !testpki_add_san(x, s->san, s->n_san, d))
		goto out;
	if (s->pad > 0 && !testpki_add_pad(x, s->pad)) {
		crypto_diag_openssl(d, "test PKI: padding extension of %zu octets failed", s->pad);
		goto out;
	}
	if (X509_sign(x, s->issuer_key, EVP_sha256()) <= 0) {
		crypto_diag_openssl(d, "test PKI: signing '%s' failed", s->cn);
		goto out;
	}
	ok = 1;
out:
	BN_free(serial);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* testpki_draw_serial: 16 octets, positive, first octet >= 0x40 so the INTEGER is always 16 octets. */
static int testpki_draw_serial(const struct crypto_rng *rng, uint8_t out[TESTPKI_SERIAL_LEN])
{
	if (crypto_rng_fill(rng, out, TESTPKI_SERIAL_LEN) != CRYPTO_OK)
		return 0;
	out[0] = (uint8_t)((out[0] & 0x3f) | 0x40);
	return 1;
}

void crypto_testpki_free(struct crypto_testpki *pki)
{
	if (pki == NULL)
		return;
	for (size_t i = 0; i < CRYPTO_TESTPKI_MAX_DEPTH + 1; i++) {
		crypto_x509_free(pki->cert[i]);
		crypto_sig_key_free(pki->key[i]);
	}
	memset(pki, 0, sizeof *pki);
}

struct crypto_x509 *crypto_testpki_root(const struct crypto_testpki *pki)
{
	return pki != NULL && pki->n > 0 ? pki->cert[0] : NULL;
}

struct crypto_x509 *crypto_testpki_ee_cert(const struct crypto_testpki *pki)
{
	return pki != NULL && pki->n > 0 ? pki->cert[pki->n - 1] : NULL;
}

struct crypto_sig_key *crypto_testpki_ee_key(const struct crypto_testpki *pki)
{
	return pki != NULL && pki->n > 0 ? pki->key[pki->n - 1] : NULL;
}

size_t crypto_testpki_intermediates(const struct crypto_testpki *pki, struct crypto_x509 **out,
				    size_t cap)
{
	size_t n = 0;

	if (pki == NULL || pki->n < 3)
		return 0;
	for (size_t i = pki->n - 2; i >= 1 && n < cap; i--)
		out[n++] = pki->cert[i];
	return n;
}

size_t crypto_testpki_chain_len(const struct crypto_testpki *pki)
{
	size_t total = 0, len;

	for (size_t i = 1; pki != NULL && i < pki->n; i++)
		if (crypto_x509_der(pki->cert[i], &len) != NULL)
			total += len;
	return total;
}

static int testpki_check_params(const struct crypto_testpki_params *p, struct crypto_diag *d)
{
	if (p->depth < 1 || p->depth > CRYPTO_TESTPKI_MAX_DEPTH) {
		crypto_diag_set(d, "test PKI: depth %u, expected 1..%d CA certificates", p->depth,
				CRYPTO_TESTPKI_MAX_DEPTH);
		return 0;
	}
	if (p->key_type != CRYPTO_SIG_KEY_RSA && p->key_type != CRYPTO_SIG_KEY_EC_P256) {
		crypto_diag_set(d, "test PKI: key type %d, expected RSA (%d) or EC P-256 (%d)",
				(int)p->key_type, CRYPTO_SIG_KEY_RSA, CRYPTO_SIG_KEY_EC_P256);
		return 0;
	}
	if (p->not_after <= p->not_before) {
		crypto_diag_set(d, "test PKI: validity %lld..%lld is empty",
				(long long)p->not_before, (long long)p->not_after);
		return 0;
	}
	if (p->ee.n_san > CRYPTO_TESTPKI_MAX_SAN || p->ca_pad > CRYPTO_TESTPKI_MAX_PAD ||
	    p->ee.pad > CRYPTO_TESTPKI_MAX_PAD) {
		crypto_diag_set(d, "test PKI: %zu SANs (max %d), padding %zu/%zu (max %d)",
				p->ee.n_san, CRYPTO_TESTPKI_MAX_SAN, p->ca_pad, p->ee.pad,
				CRYPTO_TESTPKI_MAX_PAD);
		return 0;
	}
	return 1;
}

/* testpki_ee_spec fills the spec of an end entity issued by |pki|'s lowest CA. */
static void testpki_ee_spec(struct testpki_spec *s, const struct crypto_testpki *pki,
			    const char *org, const struct crypto_testpki_ee *ee, EVP_PKEY *key,
			    const uint8_t *serial)
{
	memset(s, 0, sizeof *s);
	s->org = org;
	s->cn = ee->cn ? ee->cn : "vpnlab end entity";
	s->subject_key = key;
	s->issuer = crypto_x509_get0(pki->cert[pki->n - 2]);
	s->issuer_key = crypto_sig_key_evp(pki->key[pki->n - 2]);
	s->san = ee->san;
	s->n_san = ee->n_san;
	s->pad = ee->pad;
	s->not_before = ee->not_before || ee->not_after ? ee->not_before : pki->not_before;
	s->not_after = ee->not_before || ee->not_after ? ee->not_after : pki->not_after;
	s->serial = serial;
}

/*
 * testpki_reparse turns a freshly signed X509 into a certificate parsed from
 * its DER, as a peer would see it, so no private key object stays cached
 * inside the certificate (X509_set_pubkey keeps the EVP_PKEY it is given).
 */
static struct crypto_x509 *testpki_reparse(X509 *x, struct crypto_diag *d)
{
	unsigned char *der = NULL;
	struct crypto_x509 *c;
	int n;

	if (x == NULL)
		return NULL;
	n = i2d_X509(x, &der);
	X509_free(x);
	if (n <= 0) {
		crypto_diag_openssl(d, "test PKI: encoding a certificate failed");
		return NULL;
	}
	c = crypto_x509_parse_der(der, (size_t)n, d);
	OPENSSL_free(der);
	return c;
}

/* testpki_set replaces certificate |i| of |pki| with |x| (taking ownership). */
static int testpki_set(struct crypto_testpki *pki, size_t i, X509 *x, struct crypto_diag *d)
{
	struct crypto_x509 *c = testpki_reparse(x, d);

	if (c == NULL)
		return 0;
	crypto_x509_free(pki->cert[i]);
	pki->cert[i] = c;
	return 1;
}

int crypto_testpki_make(const struct crypto_testpki_params *p, const struct crypto_rng *rng,
			struct crypto_testpki *pki, struct crypto_diag *d)
{
	uint8_t serial[CRYPTO_TESTPKI_MAX_DEPTH + 1][TESTPKI_SERIAL_LEN];
	char cn[CRYPTO_TESTPKI_MAX_DEPTH][96];
	const char *org, *root_cn;
	size_t pad[CRYPTO_TESTPKI_MAX_DEPTH + 1];
	struct testpki_spec s;
	size_t n, i;

	if (pki == NULL || p == NULL) {
		crypto_diag_set(d, "test PKI: missing parameters");
		return CRYPTO_EINVAL;
	}
	memset(pki, 0, sizeof *pki);
	if (!testpki_check_params(p, d))
		return CRYPTO_EINVAL;
	n = p->depth + 1;
	pki->n = n;
	pki->key_type = p->key_type;
	pki->not_before = p->not_before;
	pki->not_after = p->not_after;
	org = p->org ? p->org : "vpnlab test PKI";
	root_cn = p->root_cn ? p->root_cn : "vpnlab Root CA";

	/* Keys first, then serials: the rng stream order is part of the output. */
	for (i = 0; i < n; i++) {
		pki->key[i] = crypto_sig_key_generate(p->key_type, rng, d);
		if (pki->key[i] == NULL)
			goto fail;
	}
	for (i = 0; i < n; i++)
		if (!testpki_draw_serial(rng, serial[i])) {
			crypto_diag_set(d, "test PKI: the random source failed");
			goto fail;
		}
	for (i = 0; i < n; i++)
		pad[i] = i + 1 < n ? p->ca_pad : p->ee.pad;
	if (p->target_chain_len > 0)
		for (i = 1; i < n; i++)
			pad[i] = 0;

	for (size_t round = 0;; round++) {
		for (i = 0; i + 1 < n; i++) {
			if (i == 0)
				snprintf(cn[i], sizeof cn[i], "%s", root_cn);
			else
				snprintf(cn[i], sizeof cn[i], "%s Intermediate %zu", root_cn, i);
			memset(&s, 0, sizeof s);
			s.org = org;
			s.cn = cn[i];
			s.subject_key = crypto_sig_key_evp(pki->key[i]);
			s.issuer = i ? crypto_x509_get0(pki->cert[i - 1]) : NULL;
			s.issuer_key = crypto_sig_key_evp(pki->key[i ? i - 1 : 0]);
			s.is_ca = 1;
			s.pad = pad[i];
			s.not_before = p->not_before;
			s.not_after = p->not_after;
			s.serial = serial[i];
			if (!testpki_set(pki, i, testpki_build(&s, d), d))
				goto fail;
		}
		struct crypto_testpki_ee ee = p->ee;

		ee.pad = pad[n - 1];
		testpki_ee_spec(&s, pki, org, &ee, crypto_sig_key_evp(pki->key[n - 1]), serial[n - 1]);
		if (!testpki_set(pki, n - 1, testpki_build(&s, d), d))
			goto fail;

		if (p->target_chain_len == 0)
			break;
		size_t have = crypto_testpki_chain_len(pki);

		if (have == p->target_chain_len)
			break;
		if (round == 0) {
			/* Unpadded size known: spread the rest over the certificates sent. */
			size_t sent = n - 1, need;

			if (p->target_chain_len < have + 64) {
				crypto_diag_set(d, "test PKI: target chain of %zu octets is below the "
						   "unpadded %zu + 64 the padding extension needs",
						p->target_chain_len, have);
				goto fail;
			}
			need = p->target_chain_len - have;
			for (i = 1; i < n; i++)
				pad[i] = need / sent;
			pad[n - 1] += need % sent;
			if (pad[n - 1] > CRYPTO_TESTPKI_MAX_PAD) {
				crypto_diag_set(d, "test PKI: target chain of %zu octets needs more than "
						   "%d padding octets per certificate",
						p->target_chain_len, CRYPTO_TESTPKI_MAX_PAD);
				goto fail;
			}
			continue;
		}
		/* Later rounds: the extension headers' overhead is taken off the EE. */
		long adj = (long)p->target_chain_len - (long)have;

		if (round >= TESTPKI_FIT_ROUNDS ||
		    (pki->key_type == CRYPTO_SIG_KEY_EC_P256 && round >= 3 && labs(adj) <= 4))
			break;
		if ((long)pad[n - 1] + adj < 1) {
			crypto_diag_set(d, "test PKI: cannot fit the chain to %zu octets (at %zu)",
					p->target_chain_len, have);
			goto fail;
		}
		pad[n - 1] = (size_t)((long)pad[n - 1] + adj);
	}
	return CRYPTO_OK;
fail:
	crypto_testpki_free(pki);
	return CRYPTO_EINTERNAL;
}

int crypto_testpki_issue_ee(const struct crypto_testpki *pki, const struct crypto_testpki_ee *ee,
			    const struct crypto_rng *rng, struct crypto_x509 **cert,
			    struct crypto_sig_key **key, struct crypto_diag *d)
{
	uint8_t serial[TESTPKI_SERIAL_LEN];
	struct crypto_sig_key *k;
	struct testpki_spec s;
	char org[96] = "vpnlab test PKI";
	X509_NAME *issuer_name;
	int idx;

	if (pki == NULL || pki->n < 2 || ee == NULL || cert == NULL || key == NULL) {
		crypto_diag_set(d, "test PKI: issue_ee needs a made PKI and output pointers");
		return CRYPTO_EINVAL;
	}
	if (ee->n_san > CRYPTO_TESTPKI_MAX_SAN || ee->pad > CRYPTO_TESTPKI_MAX_PAD) {
		crypto_diag_set(d, "test PKI: %zu SANs (max %d), padding %zu (max %d)", ee->n_san,
				CRYPTO_TESTPKI_MAX_SAN, ee->pad, CRYPTO_TESTPKI_MAX_PAD);
		return CRYPTO_EINVAL;
	}
	/* The new EE carries the same O= as its issuer. */
	issuer_name = X509_get_subject_name(crypto_x509_get0(pki->cert[pki->n - 2]));
	idx = X509_NAME_get_index_by_NID(issuer_name, NID_organizationName, -1);
	if (idx >= 0) {
		ASN1_STRING *o = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer_name, idx));

		snprintf(org, sizeof org, "%.*s", ASN1_STRING_length(o),
			 (const char *)ASN1_STRING_get0_data(o));
	}
	k = crypto_sig_key_generate(pki->key_type, rng, d);
	if (k == NULL)
		return CRYPTO_EINTERNAL;
	if (!testpki_draw_serial(rng, serial)) {
		crypto_sig_key_free(k);
		crypto_diag_set(d, "test PKI: the random source failed");
		return CRYPTO_ERAND;
	}
	testpki_ee_spec(&s, pki, org, ee, crypto_sig_key_evp(k), serial);
	*cert = testpki_reparse(testpki_build(&s, d), d);
	if (*cert == NULL) {
		crypto_sig_key_free(k);
		return CRYPTO_EINTERNAL;
	}
	*key = k;
	return CRYPTO_OK;
}

/* testpki_write writes |count| certificates and optionally a key as PEM to |path|. */
static int testpki_write(const char *path, struct crypto_x509 *const *certs, size_t count,
			 const struct crypto_sig_key *key, struct crypto_diag *d)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL;

	for (size_t i = 0; ok && i < count; i++)
		ok = PEM_write_X509(f, crypto_x509_get0(certs[i])) == 1;
	if (ok && key != NULL) {
		char *pem = NULL;
		size_t len = 0;

		ok = crypto_sig_key_to_pem(key, 1, &pem, &len) == CRYPTO_OK &&
		     fwrite(pem, 1, len, f) == len;
		if (pem != NULL) {
			OPENSSL_cleanse(pem, len);
			free(pem);
		}
	}
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (!ok)
		crypto_diag_openssl(d, "test PKI: writing %s failed", path);
	return ok;
}

int crypto_testpki_write_pem(const struct crypto_testpki *pki, const char *dir,
			     const char *prefix, struct crypto_diag *d)
{
	struct crypto_x509 *chain[CRYPTO_TESTPKI_MAX_DEPTH + 1];
	char path[512];
	size_t n;

	if (pki == NULL || pki->n < 2 || dir == NULL || prefix == NULL)
		return CRYPTO_EINVAL;
	snprintf(path, sizeof path, "%s/%s-root.pem", dir, prefix);
	if (!testpki_write(path, &pki->cert[0], 1, NULL, d))
		return CRYPTO_EINVAL;
	for (size_t i = 1; i + 1 < pki->n; i++) {
		snprintf(path, sizeof path, "%s/%s-int%zu.pem", dir, prefix, i);
		if (!testpki_write(path, &pki->cert[i], 1, NULL, d))
			return CRYPTO_EINVAL;
	}
	snprintf(path, sizeof path, "%s/%s-ee.pem", dir, prefix);
	if (!testpki_write(path, &pki->cert[pki->n - 1], 1, NULL, d))
		return CRYPTO_EINVAL;
	chain[0] = pki->cert[pki->n - 1];
	n = 1 + crypto_testpki_intermediates(pki, chain + 1, CRYPTO_TESTPKI_MAX_DEPTH);
	snprintf(path, sizeof path, "%s/%s-chain.pem", dir, prefix);
	if (!testpki_write(path, chain, n, NULL, d))
		return CRYPTO_EINVAL;
	snprintf(path, sizeof path, "%s/%s-ee.key", dir, prefix);
	if (!testpki_write(path, NULL, 0, pki->key[pki->n - 1], d))
		return CRYPTO_EINVAL;
	return CRYPTO_OK;
}
