/* conf_keys.c — the key set of `vpnlab check --keys`: storage, validation, line dispatch. */
#include "conformance/conf_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_grow.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_proposal.h"

void conf_keys_init(struct conf_keys *k, const char *name)
{
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", name ? name : "keys");
}

void conf_keys_free(struct conf_keys *k)
{
	if (k->ike)
		memset(k->ike, 0, k->cap_ike * sizeof *k->ike);
	if (k->esp)
		memset(k->esp, 0, k->cap_esp * sizeof *k->esp);
	free(k->ike);
	free(k->esp);
	k->ike = NULL;
	k->esp = NULL;
	k->n_ike = k->n_esp = k->cap_ike = k->cap_esp = 0;
}

long conf_keys_hex(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;
	int hi = -1;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	for (; i < n; i++) {
		char ch = s[i];
		int v;
		if (ch == ':' || ch == ' ' || ch == '-')
			continue;
		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			v = ch - 'A' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (o >= cap)
			return -1;
		out[o++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)o : -1;
}

long conf_keys_name_value(const struct ike_name_table *t, const char *name, size_t n)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->entry[i].name) == n && strncmp(t->entry[i].name, name, n) == 0)
			return (long)t->entry[i].value;
	return -1;
}

int conf_keys_encr_name(const char *s, size_t n, uint16_t *encr, uint16_t *bits)
{
	char buf[64];
	if (n + 5 >= sizeof buf)
		return -1;
	if (n == 8 && memcmp(s, "3DES_CBC", 8) == 0) { /* strongSwan's name */
		*encr = IKE_ENCR_3DES;
		*bits = 0;
		return 0;
	}
	/* strongSwan names lack ref/ike's "ENCR_" prefix */
	size_t l = (size_t)snprintf(buf, sizeof buf, "%s%.*s", n >= 5 && memcmp(s, "ENCR_", 5) == 0 ? "" : "ENCR_",
				    (int)n, s);
	long v = conf_keys_name_value(&ike_encr_names, buf, l);
	*bits = 0;
	if (v < 0) { /* a Key Length appended as "_<bits>" */
		size_t u = l;
		while (u > 0 && buf[u - 1] >= '0' && buf[u - 1] <= '9')
			u--;
		if (u == l || u < 2 || buf[u - 1] != '_')
			return -1;
		v = conf_keys_name_value(&ike_encr_names, buf, u - 1);
		*bits = (uint16_t)strtoul(buf + u, NULL, 10);
	}
	if (v < 0)
		return -1;
	*encr = (uint16_t)v;
	return 0;
}

int conf_keys_esp_alg(uint16_t encr, uint16_t key_bits, uint16_t integ, enum crypto_aead_alg *alg,
		      size_t *cipher_key_len)
{
	struct ike_chosen c;
	memset(&c, 0, sizeof c);
	c.proto = IKE_PROTO_ESP;
	c.encr = encr;
	c.key_bits = key_bits;
	c.integ = integ;
	if (encr == IKE_ENCR_3DES && !key_bits)
		c.key_bits = 192;
	return ike_proposal_esp_alg(&c, alg, cipher_key_len);
}

struct ike_keys *conf_keys_ike_new(const struct conf_ike_key *e, char *err, size_t errlen)
{
	struct crypto_diag d = {{0}};
	/* Only the SK protection is used: the PRF and group matter for key
	 * derivation, which the keys file has done already. Supported stand-ins
	 * keep ike_keys_suite_resolve from refusing a suite for them. */
	struct ike_suite s = e->suite;
	s.prf = IKE_PRF_HMAC_SHA2_256;
	s.dh = IKE_KE_MODP2048;
	struct ike_keys *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->suite = e->suite;
	if (ike_keys_suite_resolve(&s, &k->info, &d) != CRYPTO_OK) {
		snprintf(err, errlen, "%s", d.msg);
		goto fail;
	}
	if (e->enc_len != k->info.enc_key_len || e->integ_len != k->info.integ_key_len) {
		snprintf(err, errlen, "SK_e of %zu and SK_a of %zu octets, but %s/%u needs %zu and %zu", e->enc_len,
			 e->integ_len, ike_transform_name(IKE_TT_ENCR, e->suite.encr), e->suite.encr_key_bits,
			 k->info.enc_key_len, k->info.integ_key_len);
		goto fail;
	}
	memcpy(k->spi_i, e->spi_i, 8);
	memcpy(k->spi_r, e->spi_r, 8);
	memcpy(k->sk_ei, e->sk_ei, e->enc_len);
	memcpy(k->sk_er, e->sk_er, e->enc_len);
	memcpy(k->sk_ai, e->sk_ai, e->integ_len);
	memcpy(k->sk_ar, e->sk_ar, e->integ_len);
	int rc = CRYPTO_OK;
	k->i2r = crypto_aead_new(k->info.aead, k->sk_ei, e->enc_len, e->integ_len ? k->sk_ai : NULL, e->integ_len,
				 &rc);
	if (k->i2r)
		k->r2i = crypto_aead_new(k->info.aead, k->sk_er, e->enc_len, e->integ_len ? k->sk_ar : NULL,
					 e->integ_len, &rc);
	if (!k->i2r || !k->r2i) {
		snprintf(err, errlen, "%s: %s", k->info.aead_info.name, crypto_strerror(rc));
		goto fail;
	}
	return k;
fail:
	ike_keys_free(k);
	return NULL;
}

struct esp_sa *conf_keys_esp_sa(const struct conf_esp_key *e, uint32_t spi, char *err, size_t errlen)
{
	struct esp_sa_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.spi = spi;
	cfg.dir = ESP_DIR_IN;
	cfg.alg = e->alg;
	cfg.enc_key = e->enc;
	cfg.enc_key_len = e->enc_len;
	cfg.integ_key = e->integ_len ? e->integ : NULL;
	cfg.integ_key_len = e->integ_len;
	cfg.esn = e->esn;
	cfg.replay_window = ESP_REPLAY_MAX;
	char msg[200] = "";
	if (esp_sa_cfg_check(&cfg, msg, sizeof msg) != ESP_OK) {
		snprintf(err, errlen, "ESP SA 0x%08x: %s", spi, msg);
		return NULL;
	}
	int rc = ESP_OK;
	struct esp_sa *sa = esp_sa_new(&cfg, &rc);
	if (!sa)
		snprintf(err, errlen, "ESP SA 0x%08x: %s", spi, esp_strerror(rc));
	return sa;
}

static void *realloc_or_free(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q)
		free(p);
	return q;
}

int conf_keys_add_ike(struct conf_keys *k, const struct conf_ike_key *e, char *err, size_t errlen)
{
	char why[300];
	struct ike_keys *t = conf_keys_ike_new(e, why, sizeof why);
	if (!t) {
		snprintf(err, errlen, "%s: %s", e->origin, why);
		return -1;
	}
	ike_keys_free(t);
	if (CONF_GROW(k->ike, k->n_ike, k->cap_ike) < 0) {
		snprintf(err, errlen, "%s: out of memory", e->origin);
		return -1;
	}
	k->ike[k->n_ike++] = *e;
	return 0;
}

int conf_keys_add_esp(struct conf_keys *k, const struct conf_esp_key *e, char *err, size_t errlen)
{
	char why[300];
	/* SPI 256 stands in for "any": only the keys and the algorithm are checked here */
	struct esp_sa *t = conf_keys_esp_sa(e, e->n_spi && e->spi[0] >= ESP_SPI_MIN ? e->spi[0] : ESP_SPI_MIN, why,
					    sizeof why);
	if (!t) {
		snprintf(err, errlen, "%s: %s", e->origin, why);
		return -1;
	}
	esp_sa_free(t);
	if (CONF_GROW(k->esp, k->n_esp, k->cap_esp) < 0) {
		snprintf(err, errlen, "%s: out of memory", e->origin);
		return -1;
	}
	k->esp[k->n_esp++] = *e;
	return 0;
}

long conf_keys_next_ike(const struct conf_keys *k, const uint8_t *taken, const uint8_t spi_i[8],
			const uint8_t spi_r[8], uint32_t *cursor)
{
	for (; k->n_ike && *cursor < 2 * k->n_ike; (*cursor)++) {
		uint32_t j = *cursor % k->n_ike;
		const struct conf_ike_key *e = &k->ike[j];
		int named = e->have_spi && memcmp(e->spi_i, spi_i, 8) == 0 && memcmp(e->spi_r, spi_r, 8) == 0;
		if (!taken[j] && (*cursor < k->n_ike ? named : !e->have_spi)) {
			(*cursor)++;
			return (long)j;
		}
	}
	return -1;
}

long conf_keys_next_esp(const struct conf_keys *k, const uint8_t *taken, uint32_t spi, uint32_t *cursor)
{
	for (; k->n_esp && *cursor < 2 * k->n_esp; (*cursor)++) {
		uint32_t j = *cursor % k->n_esp;
		const struct conf_esp_key *e = &k->esp[j];
		int named = 0;
		for (unsigned i = 0; i < e->n_spi; i++)
			named |= e->spi[i] == spi;
		if (!taken[j] && (*cursor < k->n_esp ? named : e->n_spi == 0)) {
			(*cursor)++;
			return (long)j;
		}
	}
	return -1;
}

int conf_keys_parse(struct conf_keys *k, const char *text, size_t len, char *err, size_t errlen)
{
	struct conf_keys_charon *ch = conf_keys_charon_new();
	if (!ch) {
		snprintf(err, errlen, "%s: out of memory", k->name);
		return -1;
	}
	uint32_t before = k->n_ike + k->n_esp, v1 = k->n_ikev1;
	size_t pos = 0;
	unsigned line = 0;
	int rc = 0;
	while (pos < len && rc >= 0) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		size_t n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		line++;
		char where[CONF_KEYS_ORIGIN];
		snprintf(where, sizeof where, "%.80s:%u", k->name, line);
		const char *s = text + pos;
		size_t skip = 0;
		while (skip < n && (s[skip] == ' ' || s[skip] == '\t'))
			skip++;
		if (skip < n && s[skip] != '#') {
			rc = conf_keys_json_line(k, s + skip, n - skip, where, err, errlen);
			if (rc == 0)
				rc = conf_keys_uat_line(k, s + skip, n - skip, where, err, errlen);
			if (rc == 0)
				rc = conf_keys_charon_line(ch, k, s, n, where, err, errlen);
		}
		pos = end + 1;
	}
	if (rc >= 0)
		rc = conf_keys_charon_end(ch, k, err, errlen);
	conf_keys_charon_free(ch);
	if (rc < 0)
		return -1;
	uint32_t added = k->n_ike + k->n_esp - before;
	if (!added) {
		if (k->n_ikev1 > v1)
			snprintf(err, errlen, "%s: only IKEv1 keys (%u lines); IKEv1 decryption is not supported (ref/ has "
				 "no IKEv1), expected IKEv2 or ESP keys", k->name, k->n_ikev1 - v1);
		else
			snprintf(err, errlen, "%s: no keys found in %u lines, expected vpnlab events with log_keys "
				 "({\"ev\":\"keys\"...}, child_up), tshark 'uat:ikev2_decryption_table:' / 'uat:esp_sa:' "
				 "lines, or a charon log at ike=4/chd=4", k->name, line);
		return -1;
	}
	return (int)added;
}

int conf_keys_load(struct conf_keys *k, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "--keys %s: cannot open", path);
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= (size_t)256 << 20) { /* a charon log of 256 MiB is not a key file */
				free(buf);
				fclose(f);
				snprintf(err, errlen, "--keys %s: larger than 256 MiB", path);
				return -1;
			}
			buf = realloc_or_free(buf, cap *= 2);
			if (!buf)
				break;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		snprintf(err, errlen, "--keys %s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		return -1;
	}
	snprintf(k->name, sizeof k->name, "%s", path);
	int rc = conf_keys_parse(k, buf, n, err, errlen);
	memset(buf, 0, n);
	free(buf);
	return rc;
}
