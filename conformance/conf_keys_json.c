/*
 * conf_keys_json.c — keys from vpnlab's own events (JSON lines written by
 * ref/util/evlog.c; the key fields by ref/ike/ike_ev.c when the engine
 * config has log_keys):
 *
 *   "ev":"keys"   spi_i, spi_r (16 hex digits), encr, encr_bits, integ, prf
 *                 (ref/ike transform names), sk_ei, sk_er, [sk_ai, sk_ar]
 *   any event with spi_in, spi_out (8 hex digits), alg ("ENCR_AES_CBC_128/
 *                 AUTH_HMAC_SHA2_256_128[/ESN]", ike_chosen_fmt), enc_in,
 *                 enc_out, [integ_in, integ_out]: the CHILD SA's two ESP SAs,
 *                 "in" being the logging side's inbound SA (child_up)
 *
 * Events are flat objects (evlog writes no nesting), so a flat reader is
 * enough; an object it cannot read is not a key line unless it names a key
 * field, then it is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_keys.h"
#include "ref/ike/ike_const.h"

#define JSON_MAX_FIELDS 64

struct jfield {
	const char *key, *val; /* raw text between the quotes (values: or the bare token) */
	size_t klen, vlen;
};

/* json_string reads a string starting at s[*i] == '"'; leaves *i after the closing quote. */
static int json_string(const char *s, size_t n, size_t *i, const char **out, size_t *olen)
{
	size_t j = *i + 1;
	*out = s + j;
	while (j < n && s[j] != '"') {
		if (s[j] == '\\')
			j++;
		j++;
	}
	if (j >= n)
		return -1;
	*olen = (size_t)(s + j - *out);
	*i = j + 1;
	return 0;
}

static void json_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* json_fields splits a flat object into its fields; -1 when it is not one. */
static int json_fields(const char *s, size_t n, struct jfield *f, int max)
{
	size_t i = 0;
	int k = 0;
	json_ws(s, n, &i);
	if (i >= n || s[i++] != '{')
		return -1;
	json_ws(s, n, &i);
	if (i < n && s[i] == '}')
		return 0;
	for (;;) {
		json_ws(s, n, &i);
		if (i >= n || s[i] != '"' || k >= max)
			return -1;
		if (json_string(s, n, &i, &f[k].key, &f[k].klen) < 0)
			return -1;
		json_ws(s, n, &i);
		if (i >= n || s[i++] != ':')
			return -1;
		json_ws(s, n, &i);
		if (i >= n)
			return -1;
		if (s[i] == '"') {
			if (json_string(s, n, &i, &f[k].val, &f[k].vlen) < 0)
				return -1;
		} else {
			size_t b = i;
			while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ' ')
				i++;
			if (i == b || s[b] == '{' || s[b] == '[')
				return -1;
			f[k].val = s + b;
			f[k].vlen = i - b;
		}
		k++;
		json_ws(s, n, &i);
		if (i >= n)
			return -1;
		if (s[i] == '}')
			return k;
		if (s[i++] != ',')
			return -1;
	}
}

static const struct jfield *jget(const struct jfield *f, int n, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < n; i++)
		if (f[i].klen == kl && memcmp(f[i].key, key, kl) == 0)
			return &f[i];
	return NULL;
}

static int missing(const char *where, const char *ev, const char *field, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: \"%s\" event without \"%s\" (expected the fields ref/ike/ike_ev.c writes with "
		 "log_keys)", where, ev, field);
	return -1;
}

/* jhex decodes field |key| of exactly |want| octets (any length 1..cap if want == 0). */
static int jhex(const struct jfield *f, int n, const char *key, uint8_t *out, size_t cap, size_t want,
		size_t *got, const char *where, const char *ev, char *err, size_t errlen)
{
	const struct jfield *x = jget(f, n, key);
	if (!x)
		return missing(where, ev, key, err, errlen);
	long l = conf_keys_hex(x->val, x->vlen, out, cap);
	if (l <= 0 || (want && (size_t)l != want)) {
		snprintf(err, errlen, "%s: \"%s\" value '%.*s': expected %zu hex octets", where, key,
			 (int)(x->vlen > 80 ? 80 : x->vlen), x->val, want ? want : cap);
		return -1;
	}
	if (got)
		*got = (size_t)l;
	return 0;
}

/* jname looks up a transform name field in |t|. */
static int jname(const struct jfield *f, int n, const char *key, const struct ike_name_table *t, uint16_t *out,
		 const char *where, const char *ev, char *err, size_t errlen)
{
	const struct jfield *x = jget(f, n, key);
	if (!x)
		return missing(where, ev, key, err, errlen);
	long v = conf_keys_name_value(t, x->val, x->vlen);
	if (v < 0) {
		snprintf(err, errlen, "%s: \"%s\" value '%.*s': expected an IKEv2 %s name", where, key,
			 (int)(x->vlen > 60 ? 60 : x->vlen), x->val, t->registry);
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

static int ike_keys_event(struct conf_keys *k, const struct jfield *f, int n, const char *where, char *err,
			  size_t errlen)
{
	struct conf_ike_key e;
	memset(&e, 0, sizeof e);
	e.have_spi = 1;
	const struct jfield *who = jget(f, n, "who");
	snprintf(e.origin, sizeof e.origin, "%s (event keys%s%.*s)", where, who ? " of " : "",
		 who ? (int)(who->vlen > 24 ? 24 : who->vlen) : 0, who ? who->val : "");
	if (jhex(f, n, "spi_i", e.spi_i, 8, 8, NULL, where, "keys", err, errlen) < 0 ||
	    jhex(f, n, "spi_r", e.spi_r, 8, 8, NULL, where, "keys", err, errlen) < 0 ||
	    jname(f, n, "encr", &ike_encr_names, &e.suite.encr, where, "keys", err, errlen) < 0 ||
	    jname(f, n, "integ", &ike_integ_names, &e.suite.integ, where, "keys", err, errlen) < 0)
		return -1;
	if (jget(f, n, "prf") && jname(f, n, "prf", &ike_prf_names, &e.suite.prf, where, "keys", err, errlen) < 0)
		return -1;
	const struct jfield *bits = jget(f, n, "encr_bits");
	if (bits)
		e.suite.encr_key_bits = (uint16_t)strtoul(bits->val, NULL, 10);
	if (jhex(f, n, "sk_ei", e.sk_ei, sizeof e.sk_ei, 0, &e.enc_len, where, "keys", err, errlen) < 0 ||
	    jhex(f, n, "sk_er", e.sk_er, sizeof e.sk_er, e.enc_len, NULL, where, "keys", err, errlen) < 0)
		return -1;
	if (jget(f, n, "sk_ai") &&
	    (jhex(f, n, "sk_ai", e.sk_ai, sizeof e.sk_ai, 0, &e.integ_len, where, "keys", err, errlen) < 0 ||
	     jhex(f, n, "sk_ar", e.sk_ar, sizeof e.sk_ar, e.integ_len, NULL, where, "keys", err, errlen) < 0))
		return -1;
	return conf_keys_add_ike(k, &e, err, errlen) < 0 ? -1 : 1;
}

/*
 * parse_alg reads ike_chosen_fmt's "ENCR_AES_GCM_16_256[/AUTH_...][/PRF..][/group][/ESN]":
 * the first token is a cipher name, with "_<bits>" appended when it has a Key Length.
 */
static int parse_alg(const char *s, size_t n, uint16_t *encr, uint16_t *bits, uint16_t *integ, int *esn)
{
	size_t i = 0;
	int first = 1;
	*encr = *bits = *integ = 0;
	*esn = 0;
	while (i < n) {
		size_t b = i;
		while (i < n && s[i] != '/')
			i++;
		const char *t = s + b;
		size_t tl = i - b;
		i++;
		if (first) {
			if (conf_keys_encr_name(t, tl, encr, bits) < 0)
				return -1;
			first = 0;
			continue;
		}
		long v = conf_keys_name_value(&ike_integ_names, t, tl);
		if (v >= 0)
			*integ = (uint16_t)v;
		else if (tl == 3 && memcmp(t, "ESN", 3) == 0)
			*esn = 1;
	}
	return first ? -1 : 0;
}

static int child_event(struct conf_keys *k, const struct jfield *f, int n, const struct jfield *ev,
		       const char *where, char *err, size_t errlen)
{
	char evn[32];
	snprintf(evn, sizeof evn, "%.*s", ev ? (int)(ev->vlen > 24 ? 24 : ev->vlen) : 5, ev ? ev->val : "event");
	const struct jfield *alg = jget(f, n, "alg");
	if (!alg)
		return missing(where, evn, "alg", err, errlen);
	uint16_t encr, bits, integ;
	int esn;
	enum crypto_aead_alg a;
	size_t ck;
	if (parse_alg(alg->val, alg->vlen, &encr, &bits, &integ, &esn) < 0 ||
	    conf_keys_esp_alg(encr, bits, integ, &a, &ck) < 0) {
		snprintf(err, errlen, "%s: \"alg\" value '%.*s': expected an ESP transform ref/esp supports (AES-GCM-16 "
			 "128/256, ChaCha20-Poly1305, AES-CBC with HMAC-SHA2-256-128, 3DES with HMAC-SHA1-96)", where,
			 (int)(alg->vlen > 60 ? 60 : alg->vlen), alg->val);
		return -1;
	}
	static const char *const dir[2][4] = {{"spi_in", "enc_in", "integ_in", "in"},
					      {"spi_out", "enc_out", "integ_out", "out"}};
	for (int d = 0; d < 2; d++) {
		struct conf_esp_key e;
		uint8_t spi[4];
		memset(&e, 0, sizeof e);
		const struct jfield *who = jget(f, n, "who");
		snprintf(e.origin, sizeof e.origin, "%s (event %s%s%.*s, %sbound)", where, evn, who ? " of " : "",
			 who ? (int)(who->vlen > 24 ? 24 : who->vlen) : 0, who ? who->val : "", dir[d][3]);
		if (jhex(f, n, dir[d][0], spi, 4, 4, NULL, where, evn, err, errlen) < 0 ||
		    jhex(f, n, dir[d][1], e.enc, sizeof e.enc, 0, &e.enc_len, where, evn, err, errlen) < 0)
			return -1;
		if (jget(f, n, dir[d][2]) &&
		    jhex(f, n, dir[d][2], e.integ, sizeof e.integ, 0, &e.integ_len, where, evn, err, errlen) < 0)
			return -1;
		e.spi[0] = (uint32_t)spi[0] << 24 | (uint32_t)spi[1] << 16 | (uint32_t)spi[2] << 8 | spi[3];
		e.n_spi = 1;
		e.alg = a;
		e.cipher_key_len = ck;
		e.esn = esn;
		if (conf_keys_add_esp(k, &e, err, errlen) < 0)
			return -1;
	}
	return 1;
}

int conf_keys_json_line(struct conf_keys *k, const char *line, size_t len, const char *where, char *err,
			size_t errlen)
{
	if (!len || line[0] != '{')
		return 0;
	struct jfield f[JSON_MAX_FIELDS];
	int n = json_fields(line, len, f, JSON_MAX_FIELDS);
	if (n < 0) {
		/* not an event we can read; an error only if it meant to carry keys */
		if (!memmem(line, len, "\"sk_ei\"", 7) && !memmem(line, len, "\"enc_in\"", 8))
			return 0;
		snprintf(err, errlen, "%s: an event with key fields that is not a flat JSON object", where);
		return -1;
	}
	const struct jfield *ev = jget(f, n, "ev");
	if (ev && ev->vlen == 4 && memcmp(ev->val, "keys", 4) == 0)
		return ike_keys_event(k, f, n, where, err, errlen);
	if (jget(f, n, "spi_in") && jget(f, n, "enc_in"))
		return child_event(k, f, n, ev, where, err, errlen);
	return 0;
}
