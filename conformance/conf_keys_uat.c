/*
 * conf_keys_uat.c — keys in Wireshark's decryption tables ("UAT"), either
 * as tshark -o arguments or as the rows of Wireshark's own table files:
 *
 *   uat:ikev2_decryption_table:SPIi,SPIr,SK_ei,SK_er,"ENCR",SK_ai,SK_ar,"INTEG"
 *   uat:esp_sa:"IPv4","SRC","DST","0xSPI","ENCR","0xKEY","AUTH","0xKEY"
 *   uat:ikev1_decryption_table:COOKIE,KEY              (counted, not usable)
 *   "SPIi","SPIr",...        a row of the ikev2_decryption_table file
 *   "IPv4","SRC",...         a row of the esp_sa file
 *
 * Algorithm names are Wireshark's ("AES-CBC-128 [RFC3602]", "HMAC-SHA-256-128
 * [RFC4868]"); the bracketed reference is ignored. Only what ref/crypto
 * implements is accepted; any other algorithm is an error naming it.
 * Addresses in esp_sa rows are not used: an SPI names its SA.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conformance/conf_keys.h"
#include "ref/ike/ike_const.h"

#define UAT_MAX_FIELDS 12

struct ufield {
	const char *p;
	size_t n;
};

/* uat_split splits a comma-separated row, removing the quotes around a field. */
static int uat_split(const char *s, size_t n, struct ufield *f, int max)
{
	int k = 0;
	size_t i = 0;
	while (i <= n && k < max) {
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '"') {
			size_t b = ++i;
			while (i < n && s[i] != '"')
				i++;
			f[k].p = s + b;
			f[k].n = i - b;
			if (i < n)
				i++;
			while (i < n && s[i] != ',')
				i++;
		} else {
			size_t b = i;
			while (i < n && s[i] != ',')
				i++;
			size_t e = i;
			while (e > b && s[e - 1] == ' ')
				e--;
			f[k].p = s + b;
			f[k].n = e - b;
		}
		k++;
		i++;
	}
	return k;
}

/* name_is: |f| up to any " [" reference equals |want| (case-insensitive). */
static int name_is(const struct ufield *f, const char *want)
{
	size_t n = f->n;
	for (size_t i = 0; i + 1 < f->n; i++)
		if (f->p[i] == ' ' && f->p[i + 1] == '[') {
			n = i;
			break;
		}
	return strlen(want) == n && strncasecmp(f->p, want, n) == 0;
}

static int is_hex16(const struct ufield *f)
{
	if (f->n != 16)
		return 0;
	for (size_t i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)f->p[i]))
			return 0;
	return 1;
}

static int bad_field(const char *where, const char *what, const struct ufield *f, const char *want, char *err,
		     size_t errlen)
{
	snprintf(err, errlen, "%s: %s '%.*s': expected %s", where, what, (int)(f->n > 60 ? 60 : f->n), f->p, want);
	return -1;
}

static int hex_field(const struct ufield *f, uint8_t *out, size_t cap, size_t want, size_t *got, const char *where,
		     const char *what, char *err, size_t errlen)
{
	long l = conf_keys_hex(f->p, f->n, out, cap);
	if (l < 0 || (want && (size_t)l != want) || (!want && l == 0)) {
		char w[64];
		snprintf(w, sizeof w, want ? "%zu hex octets" : "hex octets (at most %zu)", want ? want : cap);
		return bad_field(where, what, f, w, err, errlen);
	}
	if (got)
		*got = (size_t)l;
	return 0;
}

static const struct {
	const char *name;
	uint16_t encr, bits;
} ikev2_encr[] = {
	{"3DES", IKE_ENCR_3DES, 0},
	{"AES-CBC-128", IKE_ENCR_AES_CBC, 128},
	{"AES-CBC-256", IKE_ENCR_AES_CBC, 256},
	{"AES-GCM-128 with 16 octet ICV", IKE_ENCR_AES_GCM_16, 128},
	{"AES-GCM-256 with 16 octet ICV", IKE_ENCR_AES_GCM_16, 256},
	{"ChaCha20-Poly1305", IKE_ENCR_CHACHA20_POLY1305, 0},
};

static const struct {
	const char *ikev2, *esp;
	uint16_t integ;
} integ_names[] = {
	{"NONE", "NULL", IKE_INTEG_NONE},
	{"HMAC_SHA1_96", "HMAC-SHA-1-96", IKE_INTEG_HMAC_SHA1_96},
	{"HMAC_SHA2_256_128", "HMAC-SHA-256-128", IKE_INTEG_HMAC_SHA2_256_128},
};

#define N_OF(a) (sizeof(a) / sizeof(a)[0])

static int ikev2_row(struct conf_keys *k, const struct ufield *f, int n, const char *where, char *err, size_t errlen)
{
	struct conf_ike_key e;
	memset(&e, 0, sizeof e);
	e.have_spi = 1;
	snprintf(e.origin, sizeof e.origin, "%s (ikev2_decryption_table)", where);
	if (n < 8) {
		snprintf(err, errlen, "%s: ikev2_decryption_table row with %d fields, expected 8 (SPIi, SPIr, SK_ei, "
			 "SK_er, encryption, SK_ai, SK_ar, integrity)", where, n);
		return -1;
	}
	size_t i;
	for (i = 0; i < N_OF(ikev2_encr) && !name_is(&f[4], ikev2_encr[i].name); i++)
		;
	if (i == N_OF(ikev2_encr))
		return bad_field(where, "encryption algorithm", &f[4],
				 "one ref/ike supports (3DES, AES-CBC-128/256, AES-GCM-128/256 with 16 octet ICV, "
				 "ChaCha20-Poly1305)", err, errlen);
	e.suite.encr = ikev2_encr[i].encr;
	e.suite.encr_key_bits = ikev2_encr[i].bits;
	size_t j;
	for (j = 0; j < N_OF(integ_names) && !name_is(&f[7], integ_names[j].ikev2); j++)
		;
	if (j == N_OF(integ_names))
		return bad_field(where, "integrity algorithm", &f[7], "NONE, HMAC_SHA1_96 or HMAC_SHA2_256_128", err,
				 errlen);
	e.suite.integ = integ_names[j].integ;
	if (hex_field(&f[0], e.spi_i, 8, 8, NULL, where, "SPIi", err, errlen) < 0 ||
	    hex_field(&f[1], e.spi_r, 8, 8, NULL, where, "SPIr", err, errlen) < 0 ||
	    hex_field(&f[2], e.sk_ei, sizeof e.sk_ei, 0, &e.enc_len, where, "SK_ei", err, errlen) < 0 ||
	    hex_field(&f[3], e.sk_er, sizeof e.sk_er, e.enc_len, NULL, where, "SK_er", err, errlen) < 0)
		return -1;
	if (e.suite.integ != IKE_INTEG_NONE &&
	    (hex_field(&f[5], e.sk_ai, sizeof e.sk_ai, 0, &e.integ_len, where, "SK_ai", err, errlen) < 0 ||
	     hex_field(&f[6], e.sk_ar, sizeof e.sk_ar, e.integ_len, NULL, where, "SK_ar", err, errlen) < 0))
		return -1;
	return conf_keys_add_ike(k, &e, err, errlen) < 0 ? -1 : 1;
}

static int esp_row(struct conf_keys *k, const struct ufield *f, int n, const char *where, char *err, size_t errlen)
{
	struct conf_esp_key e;
	memset(&e, 0, sizeof e);
	snprintf(e.origin, sizeof e.origin, "%s (esp_sa)", where);
	if (n < 8) {
		snprintf(err, errlen, "%s: esp_sa row with %d fields, expected at least 8 (protocol, source, destination, "
			 "SPI, encryption, key, authentication, key)", where, n);
		return -1;
	}
	if (!(f[3].n == 1 && f[3].p[0] == '*')) {
		uint8_t spi[4];
		if (hex_field(&f[3], spi, 4, 4, NULL, where, "SPI", err, errlen) < 0)
			return -1;
		e.spi[0] = (uint32_t)spi[0] << 24 | (uint32_t)spi[1] << 16 | (uint32_t)spi[2] << 8 | spi[3];
		e.n_spi = 1;
	}
	size_t j;
	for (j = 0; j < N_OF(integ_names) && !name_is(&f[6], integ_names[j].esp); j++)
		;
	if (j == N_OF(integ_names))
		return bad_field(where, "authentication algorithm", &f[6], "NULL, HMAC-SHA-1-96 or HMAC-SHA-256-128",
				 err, errlen);
	if (hex_field(&f[5], e.enc, sizeof e.enc, 0, &e.enc_len, where, "encryption key", err, errlen) < 0)
		return -1;
	if (integ_names[j].integ != IKE_INTEG_NONE &&
	    hex_field(&f[7], e.integ, sizeof e.integ, 0, &e.integ_len, where, "authentication key", err, errlen) < 0)
		return -1;
	uint16_t encr, bits;
	if (name_is(&f[4], "AES-CBC")) {
		encr = IKE_ENCR_AES_CBC;
		bits = (uint16_t)(e.enc_len * 8);
	} else if (name_is(&f[4], "TripleDES-CBC")) {
		encr = IKE_ENCR_3DES;
		bits = 192;
	} else if (name_is(&f[4], "AES-GCM with 16 octet ICV")) {
		encr = IKE_ENCR_AES_GCM_16;
		bits = (uint16_t)(e.enc_len > 4 ? (e.enc_len - 4) * 8 : 0); /* the key carries the 4-octet salt */
	} else {
		return bad_field(where, "encryption algorithm", &f[4],
				 "one ref/esp supports (AES-CBC, TripleDES-CBC, AES-GCM with 16 octet ICV)", err, errlen);
	}
	if (conf_keys_esp_alg(encr, bits, integ_names[j].integ, &e.alg, &e.cipher_key_len) < 0) {
		snprintf(err, errlen, "%s: %.*s with %.*s and a %zu-octet key is not an ESP transform ref/esp supports",
			 where, (int)f[4].n, f[4].p, (int)f[6].n, f[6].p, e.enc_len);
		return -1;
	}
	return conf_keys_add_esp(k, &e, err, errlen) < 0 ? -1 : 1;
}

int conf_keys_uat_line(struct conf_keys *k, const char *line, size_t len, const char *where, char *err,
		       size_t errlen)
{
	static const char v2[] = "uat:ikev2_decryption_table:", esp[] = "uat:esp_sa:",
			  v1[] = "uat:ikev1_decryption_table:";
	struct ufield f[UAT_MAX_FIELDS];
	int n;
	if (len >= sizeof v2 - 1 && memcmp(line, v2, sizeof v2 - 1) == 0) {
		n = uat_split(line + sizeof v2 - 1, len - (sizeof v2 - 1), f, UAT_MAX_FIELDS);
		return ikev2_row(k, f, n, where, err, errlen);
	}
	if (len >= sizeof esp - 1 && memcmp(line, esp, sizeof esp - 1) == 0) {
		n = uat_split(line + sizeof esp - 1, len - (sizeof esp - 1), f, UAT_MAX_FIELDS);
		return esp_row(k, f, n, where, err, errlen);
	}
	if (len >= sizeof v1 - 1 && memcmp(line, v1, sizeof v1 - 1) == 0) {
		k->n_ikev1++;
		return 1;
	}
	if (!len || line[0] != '"')
		return 0;
	/* a row of Wireshark's own UAT file: every field quoted */
	n = uat_split(line, len, f, UAT_MAX_FIELDS);
	if (n >= 8 && is_hex16(&f[0]) && is_hex16(&f[1]))
		return ikev2_row(k, f, n, where, err, errlen);
	if (n >= 8 && (name_is(&f[0], "IPv4") || name_is(&f[0], "IPv6") || name_is(&f[0], "Any")))
		return esp_row(k, f, n, where, err, errlen);
	if (n == 2 && is_hex16(&f[0])) {
		k->n_ikev1++;
		return 1;
	}
	return 0;
}
