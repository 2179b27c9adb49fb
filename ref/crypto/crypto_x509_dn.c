/*
 * crypto_x509_dn.c — distinguished names as text and as DER (the data of an
 * ID_DER_ASN1_DN identity, RFC 7296 §3.5), over OpenSSL's X509_NAME.
 *
 * Text is RFC 4514: "CN=alice,OU=Sales,O=Example,C=DE" names the most
 * specific RDN first, so the DER sequence holds the RDNs in the opposite
 * order (C first). That is also what crypto_x509_subject_text writes, so a
 * DN copied from an event or an `openssl x509 -nameopt RFC2253` line parses
 * back to the certificate's subject. Accepted besides the RFC: blanks
 * around ',' '+' '=' (strongSwan writes "C=CH, O=strongSwan, CN=moon").
 * Not accepted: '#' hex-encoded BER values, empty values.
 */
#include "ref/crypto/crypto_x509.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

enum { DN_MAX_AVAS = 32, DN_VALUE_MAX = 256 };

/* dn_ava: one attributeTypeAndValue, |set| 0 = starts an RDN, -1 = joins the previous one ('+'). */
struct dn_ava {
	int nid;
	int set;
	size_t len;
	unsigned char value[DN_VALUE_MAX];
};

/* dn_err: "DN '<text, cut at 60>': <what>", so a long DN leaves room for the reason. */
static void dn_err(struct crypto_diag *d, const char *text, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void dn_err(struct crypto_diag *d, const char *text, const char *fmt, ...)
{
	char what[CRYPTO_DIAG_MAX];
	size_t tl = strlen(text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	crypto_diag_set(d, "DN '%.*s%s': %s", (int)(tl > 60 ? 57 : tl), text, tl > 60 ? "..." : "", what);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * dn_type: RFC 4514 §3 — attribute type keywords compare case-insensitively
 * (OpenSSL's lookup does not); dotted OIDs and other names go to OpenSSL.
 */
static int dn_type(const char *type)
{
	static const int nids[] = {NID_commonName, NID_countryName, NID_localityName, NID_stateOrProvinceName,
				   NID_organizationName, NID_organizationalUnitName, NID_streetAddress,
				   NID_domainComponent, NID_userId, NID_pkcs9_emailAddress, NID_serialNumber,
				   NID_surname, NID_givenName, NID_title, NID_postalCode, NID_pseudonym};

	for (size_t i = 0; i < sizeof nids / sizeof nids[0]; i++)
		if (strcasecmp(type, OBJ_nid2sn(nids[i])) == 0 || strcasecmp(type, OBJ_nid2ln(nids[i])) == 0)
			return nids[i];
	if (strcasecmp(type, "E") == 0 || strcasecmp(type, "email") == 0)
		return NID_pkcs9_emailAddress;
	return OBJ_txt2nid(type);
}

/* dn_value reads an attributeValue up to an unescaped ',' '+' or the end; returns the stop position. */
static const char *dn_value(const char *text, const char *p, struct dn_ava *a, struct crypto_diag *d)
{
	size_t n = 0, keep = 0; /* keep: length without unescaped trailing blanks */

	while (*p == ' ')
		p++;
	if (*p == '#') {
		dn_err(d, text, "hex-encoded value at offset %zu, expected a text value",
				(size_t)(p - text));
		return NULL;
	}
	while (*p != '\0' && *p != ',' && *p != '+') {
		unsigned char c = (unsigned char)*p++;
		int escaped = 0;

		if (c == '\\') {
			int h = hexval(p[0]), l = h >= 0 ? hexval(p[1]) : -1;

			if (h >= 0 && l >= 0) {
				c = (unsigned char)(h << 4 | l);
				p += 2;
			} else if (*p != '\0' && strchr(" \"#+,;<=>\\", *p) != NULL) {
				c = (unsigned char)*p++;
			} else {
				dn_err(d, text, "bad escape at offset %zu, expected \\ before one of "
						   "' \"#+,;<=>\\' or two hex digits", (size_t)(p - 1 - text));
				return NULL;
			}
			escaped = 1;
		} else if (c == '"' || c == ';' || c == '<' || c == '>' || c == '=') {
			dn_err(d, text, "'%c' at offset %zu, expected it escaped with a backslash", c,
					(size_t)(p - 1 - text));
			return NULL;
		}
		if (n >= sizeof a->value) {
			dn_err(d, text, "value longer than %d octets", DN_VALUE_MAX);
			return NULL;
		}
		a->value[n++] = c;
		if (c != ' ' || escaped)
			keep = n;
	}
	a->len = keep;
	return p;
}

int crypto_x509_dn_from_text(const char *text, uint8_t *der, size_t cap, size_t *len, struct crypto_diag *d)
{
	struct dn_ava *a; /* ~9 KB: on the heap */
	size_t n = 0;
	const char *p = text;
	X509_NAME *name = NULL;
	unsigned char *buf = NULL;
	int rc = CRYPTO_EINVAL, set = 0, l;

	a = OPENSSL_zalloc(DN_MAX_AVAS * sizeof *a);
	if (a == NULL)
		return CRYPTO_ENOMEM;
	if (text == NULL || text[strspn(text, " ")] == '\0') {
		dn_err(d, text ? text : "", "empty, expected e.g. CN=alice,O=Example");
		goto out;
	}
	for (;;) {
		char type[64];
		size_t tl = 0;

		while (*p == ' ')
			p++;
		while (*p != '\0' && *p != '=' && *p != ',' && *p != '+' && tl < sizeof type - 1)
			type[tl++] = *p++;
		while (tl > 0 && type[tl - 1] == ' ')
			tl--;
		type[tl] = '\0';
		if (*p != '=' || tl == 0) {
			dn_err(d, text, "'%s' at offset %zu has no '=', expected TYPE=value", type,
					(size_t)(p - text));
			goto out;
		}
		if (n >= DN_MAX_AVAS) {
			dn_err(d, text, "more than %d attributes", DN_MAX_AVAS);
			goto out;
		}
		a[n].nid = dn_type(type);
		if (a[n].nid == NID_undef) {
			dn_err(d, text, "attribute type '%s' unknown, expected CN, O, OU, C, L, ST, DC, "
					   "emailAddress, UID, serialNumber or a dotted OID", type);
			goto out;
		}
		a[n].set = set;
		p = dn_value(text, p + 1, &a[n], d);
		if (p == NULL)
			goto out;
		if (a[n].len == 0) {
			dn_err(d, text, "%s has an empty value, expected text", type);
			goto out;
		}
		n++;
		if (*p == '\0')
			break;
		set = *p == '+' ? -1 : 0;
		p++;
	}
	name = X509_NAME_new();
	if (name == NULL) {
		rc = CRYPTO_ENOMEM;
		goto out;
	}
	/* RFC 4514 names the last RDN first: add the RDNs from the end, each with its '+' members in order */
	for (size_t end = n; end > 0;) {
		size_t start = end - 1;

		while (start > 0 && a[start].set == -1)
			start--;
		for (size_t i = start; i < end; i++)
			if (X509_NAME_add_entry_by_NID(name, a[i].nid, MBSTRING_UTF8, a[i].value, (int)a[i].len, -1,
						       i == start ? 0 : -1) != 1) {
				crypto_diag_openssl(d, "DN '%.40s': attribute %s not accepted", text, OBJ_nid2sn(a[i].nid));
				goto out;
			}
		end = start;
	}
	l = i2d_X509_NAME(name, &buf);
	if (l <= 0) {
		crypto_diag_openssl(d, "DN '%.40s': DER encoding failed", text);
		rc = CRYPTO_EINTERNAL;
		goto out;
	}
	if ((size_t)l > cap) {
		dn_err(d, text, "%d octets as DER, expected at most %zu", l, cap);
		goto out;
	}
	memcpy(der, buf, (size_t)l);
	*len = (size_t)l;
	rc = CRYPTO_OK;
out:
	OPENSSL_free(buf);
	X509_NAME_free(name);
	OPENSSL_clear_free(a, DN_MAX_AVAS * sizeof *a);
	return rc;
}

static X509_NAME *dn_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *name;

	if (der == NULL || len == 0 || len > 65535)
		return NULL;
	name = d2i_X509_NAME(NULL, &p, (long)len);
	if (name != NULL && p != der + len) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

int crypto_x509_dn_to_text(const uint8_t *der, size_t len, char *buf, size_t cap)
{
	X509_NAME *name = dn_parse(der, len);
	BIO *bio;
	long n;
	char *mem;

	if (cap == 0)
		return CRYPTO_EINVAL;
	buf[0] = '\0';
	if (name == NULL)
		return CRYPTO_EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(bio);
		X509_NAME_free(name);
		return CRYPTO_EINTERNAL;
	}
	n = BIO_get_mem_data(bio, &mem);
	if (n < 0)
		n = 0;
	if ((size_t)n >= cap)
		n = (long)cap - 1;
	memcpy(buf, mem, (size_t)n);
	buf[n] = '\0';
	BIO_free(bio);
	X509_NAME_free(name);
	return (int)n;
}

int crypto_x509_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	X509_NAME *na = dn_parse(a, alen), *nb = dn_parse(b, blen);
	int rc = CRYPTO_EINVAL;

	if (na != NULL && nb != NULL)
		rc = X509_NAME_cmp(na, nb) == 0;
	X509_NAME_free(na);
	X509_NAME_free(nb);
	return rc;
}
