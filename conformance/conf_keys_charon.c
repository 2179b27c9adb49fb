/*
 * conf_keys_charon.c — keys from strongSwan's charon log at "ike = 4" and
 * "chd = 4". charon prints key material as hex dumps after a header line:
 *
 *   14[IKE] <home|1> Sk_ei secret => 16 bytes @ 0x7f8f340022e0
 *   14[IKE] <home|1>    0: 8F E7 C8 41 8F 9D DF A4 40 0C DB 27 51 71 F3 D1  ...A....@..'Qq..
 *   11[CHD] <home|1> encryption initiator key => 16 bytes @ 0x7f8f28003c10
 *   11[CHD] <home|1> adding inbound ESP SA
 *   11[CHD] <home|1>   SPI 0xa7f34852, src 198.51.100.2 dst 192.0.2.2
 *
 * and the algorithms in "selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/
 * PRF_HMAC_SHA2_256/MODP_2048" (cfg level 1). Any prefix before the
 * "NN[SUB]" tag (date, host, "charon:") is skipped.
 *
 * What the log does not say: the IKE SPIs (the keys are bound later to the
 * IKE SA whose first encrypted message they authenticate), and which of the
 * initiator / responder ESP keys belongs to the inbound SA (that depends on
 * who initiated the CHILD SA): both key sets are offered for both SPIs and
 * the ICV of the first packet decides (conf_dec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_keys.h"
#include "ref/ike/ike_const.h"

enum dump {
	D_NONE = -1,
	D_SK_AI, D_SK_AR, D_SK_EI, D_SK_ER,        /* IKE SA (RFC 7296 §2.14) */
	D_ENC_I, D_ENC_R, D_INTEG_I, D_INTEG_R,    /* CHILD SA (§2.17) */
	D_N
};

static const char *const dump_names[D_N] = {
	"Sk_ai secret", "Sk_ar secret", "Sk_ei secret", "Sk_er secret",
	"encryption initiator key", "encryption responder key", "integrity initiator key", "integrity responder key",
};

struct conf_keys_charon {
	int grab;                     /* enum dump being read, D_NONE */
	unsigned long grab_thread;
	size_t want;
	uint8_t val[D_N][IKE_KEYS_ENC_MAX];
	size_t len[D_N];
	unsigned have;                /* bits of enum dump complete */
	char where[D_N][CONF_KEYS_ORIGIN];
	/* "selected proposal" */
	int ike_prop, esp_prop;
	struct ike_suite ike;
	uint16_t esp_encr, esp_bits, esp_integ;
	int esp_esn;
	/* "adding inbound/outbound ESP SA" then "SPI 0x..." */
	int spi_next;                 /* 1 inbound, 2 outbound expected on a next line */
	int spi_wait;
	uint32_t spi_in, spi_out;
	int have_in, have_out;
};

struct conf_keys_charon *conf_keys_charon_new(void)
{
	struct conf_keys_charon *st = calloc(1, sizeof *st);
	if (st)
		st->grab = D_NONE;
	return st;
}

void conf_keys_charon_free(struct conf_keys_charon *st)
{
	if (st)
		memset(st, 0, sizeof *st);
	free(st);
}

/*
 * message finds the text after "NN[SUB] " and an optional "<conn|N> "; NULL
 * if not a charon line. |thread| gets NN (threads log in parallel, so a hex
 * dump is continued only by lines of the thread that started it).
 */
static const char *message(const char *s, size_t n, size_t *mlen, unsigned long *thread)
{
	for (size_t i = 0; i + 5 < n; i++) {
		if (s[i] != '[' || s[i + 4] != ']' || s[i + 5] != ' ')
			continue;
		if (s[i + 1] < 'A' || s[i + 1] > 'Z' || s[i + 2] < 'A' || s[i + 2] > 'Z' || s[i + 3] < 'A' ||
		    s[i + 3] > 'Z' || i == 0 || s[i - 1] < '0' || s[i - 1] > '9')
			continue;
		size_t t = i;
		while (t > 0 && s[t - 1] >= '0' && s[t - 1] <= '9')
			t--;
		*thread = strtoul(s + t, NULL, 10);
		size_t m = i + 6;
		if (m < n && s[m] == '<') {
			const char *gt = memchr(s + m, '>', n - m);
			if (gt && (size_t)(gt - s) + 1 < n && gt[1] == ' ')
				m = (size_t)(gt - s) + 2;
		}
		*mlen = n - m;
		return s + m;
	}
	return NULL;
}

static int starts(const char *m, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && memcmp(m, p, l) == 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* dump_line reads "   16: AB CD ...  ascii" into the key being grabbed; 0 if not a dump line. */
static int dump_line(struct conf_keys_charon *st, const char *m, size_t n)
{
	size_t i = 0;
	while (i < n && m[i] == ' ')
		i++;
	size_t d = i;
	while (i < n && m[i] >= '0' && m[i] <= '9')
		i++;
	if (i == d || i + 1 >= n || m[i] != ':' || m[i + 1] != ' ')
		return 0;
	unsigned long off = strtoul(m + d, NULL, 10);
	if (off != st->len[st->grab])
		return 0;
	i += 2;
	for (int k = 0; k < 16 && st->len[st->grab] < st->want; k++) {
		if (i + 1 >= n)
			return 0;
		int a = hexval(m[i]), b = hexval(m[i + 1]);
		if (a < 0 || b < 0)
			return 0;
		st->val[st->grab][st->len[st->grab]++] = (uint8_t)(a << 4 | b);
		i += 3;
	}
	if (st->len[st->grab] == st->want) {
		st->have |= 1u << st->grab;
		st->grab = D_NONE;
	}
	return 1;
}

static void proposal(struct conf_keys_charon *st, const char *m, size_t n)
{
	int esp = starts(m, n, "ESP:");
	if (!esp && !starts(m, n, "IKE:"))
		return;
	size_t i = 4;
	int first = 1;
	uint16_t encr = 0, bits = 0, integ = 0, prf = 0;
	int esn = 0;
	while (i < n) {
		size_t b = i;
		while (i < n && m[i] != '/' && m[i] != ',' && m[i] != ' ')
			i++;
		const char *t = m + b;
		size_t tl = i - b;
		if (i < n && m[i] != '/')
			i = n; /* one proposal only */
		i++;
		char name[64];
		if (first) {
			first = 0;
			if (conf_keys_encr_name(t, tl, &encr, &bits) < 0)
				return;
			continue;
		}
		snprintf(name, sizeof name, "AUTH_%.*s", (int)(tl < 50 ? tl : 50), t);
		long v = conf_keys_name_value(&ike_integ_names, name, strlen(name));
		if (v >= 0) {
			integ = (uint16_t)v;
			continue;
		}
		v = conf_keys_name_value(&ike_prf_names, t, tl);
		if (v >= 0)
			prf = (uint16_t)v;
		else if (tl == 7 && memcmp(t, "EXT_SEQ", 7) == 0)
			esn = 1;
	}
	if (esp) {
		st->esp_prop = 1;
		st->esp_encr = encr;
		st->esp_bits = bits;
		st->esp_integ = integ;
		st->esp_esn = esn;
	} else {
		st->ike_prop = 1;
		memset(&st->ike, 0, sizeof st->ike);
		st->ike.encr = encr;
		st->ike.encr_key_bits = bits;
		st->ike.integ = integ;
		st->ike.prf = prf;
	}
}

/* guess_ike: the suite a proposal-less log implies by key lengths (AEAD: GCM is the common one). */
static void guess_ike(struct ike_suite *s, size_t enc, size_t integ)
{
	memset(s, 0, sizeof *s);
	if (integ == 32) {
		s->encr = IKE_ENCR_AES_CBC;
		s->encr_key_bits = (uint16_t)(enc * 8);
		s->integ = IKE_INTEG_HMAC_SHA2_256_128;
	} else if (integ == 20) {
		s->encr = IKE_ENCR_3DES;
		s->integ = IKE_INTEG_HMAC_SHA1_96;
	} else {
		s->encr = IKE_ENCR_AES_GCM_16;
		s->encr_key_bits = (uint16_t)(enc > 4 ? (enc - 4) * 8 : 0);
	}
}

#define HAVE(st, d) (((st)->have >> (d)) & 1u)

static int emit_ike(struct conf_keys_charon *st, struct conf_keys *k, char *err, size_t errlen)
{
	struct conf_ike_key e;
	memset(&e, 0, sizeof e);
	e.enc_len = st->len[D_SK_EI];
	memcpy(e.sk_ei, st->val[D_SK_EI], e.enc_len);
	memcpy(e.sk_er, st->val[D_SK_ER], e.enc_len);
	if (HAVE(st, D_SK_AI) && HAVE(st, D_SK_AR) && st->len[D_SK_AI] == st->len[D_SK_AR]) {
		e.integ_len = st->len[D_SK_AI];
		memcpy(e.sk_ai, st->val[D_SK_AI], e.integ_len);
		memcpy(e.sk_ar, st->val[D_SK_AR], e.integ_len);
	}
	st->have &= ~(1u << D_SK_AI | 1u << D_SK_AR | 1u << D_SK_EI | 1u << D_SK_ER);
	if (st->ike_prop) {
		char why[300];
		e.suite = st->ike;
		snprintf(e.origin, sizeof e.origin, "%.80s (charon log)", st->where[D_SK_EI]);
		struct ike_keys *t = conf_keys_ike_new(&e, why, sizeof why);
		ike_keys_free(t);
		if (t) /* the last proposal line fits these keys */
			return conf_keys_add_ike(k, &e, err, errlen);
	}
	/* no proposal line, or one of another SA (its key lengths differ) */
	guess_ike(&e.suite, e.enc_len, e.integ_len);
	snprintf(e.origin, sizeof e.origin, "%.80s (charon log, suite guessed from key lengths)", st->where[D_SK_EI]);
	return conf_keys_add_ike(k, &e, err, errlen);
}

static int emit_child(struct conf_keys_charon *st, struct conf_keys *k, char *err, size_t errlen)
{
	for (int side = 0; side < 2; side++) { /* 0: initiator -> responder keys, 1: responder -> initiator */
		struct conf_esp_key e;
		memset(&e, 0, sizeof e);
		int de = side ? D_ENC_R : D_ENC_I, da = side ? D_INTEG_R : D_INTEG_I;
		e.enc_len = st->len[de];
		memcpy(e.enc, st->val[de], e.enc_len);
		if (HAVE(st, da)) {
			e.integ_len = st->len[da];
			memcpy(e.integ, st->val[da], e.integ_len);
		}
		if (st->have_in)
			e.spi[e.n_spi++] = st->spi_in;
		if (st->have_out)
			e.spi[e.n_spi++] = st->spi_out;
		e.esn = st->esp_esn;
		uint16_t encr = st->esp_encr, bits = st->esp_bits, integ = st->esp_integ;
		if (!st->esp_prop) { /* by key lengths */
			encr = e.integ_len == 20 ? IKE_ENCR_3DES : e.integ_len ? IKE_ENCR_AES_CBC : IKE_ENCR_AES_GCM_16;
			integ = e.integ_len == 20 ? IKE_INTEG_HMAC_SHA1_96 : e.integ_len ? IKE_INTEG_HMAC_SHA2_256_128 : 0;
			bits = (uint16_t)((e.integ_len ? e.enc_len : e.enc_len > 4 ? e.enc_len - 4 : 0) * 8);
		}
		snprintf(e.origin, sizeof e.origin, "%.80s (charon log, %s keys)", st->where[de],
			 side ? "responder" : "initiator");
		if (conf_keys_esp_alg(encr, bits, integ, &e.alg, &e.cipher_key_len) < 0) {
			snprintf(err, errlen, "%s: ESP proposal %s/%u with integrity %s: not an ESP transform ref/esp "
				 "supports", st->where[de], ike_transform_name(IKE_TT_ENCR, encr), bits,
				 ike_transform_name(IKE_TT_INTEG, integ));
			return -1;
		}
		if (conf_keys_add_esp(k, &e, err, errlen) < 0)
			return -1;
	}
	st->have &= ~(1u << D_ENC_I | 1u << D_ENC_R | 1u << D_INTEG_I | 1u << D_INTEG_R);
	st->have_in = st->have_out = 0;
	return 0;
}

int conf_keys_charon_line(struct conf_keys_charon *st, struct conf_keys *k, const char *line, size_t len,
			  const char *where, char *err, size_t errlen)
{
	size_t n;
	unsigned long thread = 0;
	const char *m = message(line, len, &n, &thread);
	if (!m)
		return 0;
	if (st->grab != D_NONE && thread == st->grab_thread) {
		if (dump_line(st, m, n))
			return 1;
		snprintf(err, errlen, "%s: hex dump of '%s' ends after %zu of %zu octets", where, dump_names[st->grab],
			 st->len[st->grab], st->want);
		return -1;
	}
	if (st->spi_next && memmem(m, n, "SPI 0x", 6)) {
		const char *p = memmem(m, n, "SPI 0x", 6);
		uint32_t spi = (uint32_t)strtoul(p + 6, NULL, 16);
		if (st->spi_next == 1) {
			st->spi_in = spi;
			st->have_in = 1;
		} else {
			st->spi_out = spi;
			st->have_out = 1;
		}
		st->spi_next = 0;
		if (st->have_in && st->have_out && HAVE(st, D_ENC_I) && HAVE(st, D_ENC_R))
			return emit_child(st, k, err, errlen) < 0 ? -1 : 1;
		return 1;
	}
	if (st->spi_next && ++st->spi_wait > 8) /* the SPI line normally follows at once */
		st->spi_next = 0;
	if (starts(m, n, "selected proposal: ")) {
		proposal(st, m + 19, n - 19);
		return 1;
	}
	if (starts(m, n, "adding inbound ESP SA") || starts(m, n, "adding outbound ESP SA")) {
		st->spi_next = m[7] == 'i' ? 1 : 2;
		st->spi_wait = 0;
		return 1;
	}
	if (starts(m, n, "encryption key Ka => ")) {
		k->n_ikev1++;
		return 1;
	}
	for (int d = 0; d < D_N; d++) {
		size_t nl = strlen(dump_names[d]);
		if (!starts(m, n, dump_names[d]) || !starts(m + nl, n - nl, " => "))
			continue;
		unsigned long bytes = strtoul(m + nl + 4, NULL, 10);
		if (bytes > IKE_KEYS_ENC_MAX) {
			snprintf(err, errlen, "%s: '%s' of %lu octets, expected at most %d", where, dump_names[d], bytes,
				 IKE_KEYS_ENC_MAX);
			return -1;
		}
		if (d == D_ENC_I) /* a new CHILD SA: what was collected before belonged to another */
			st->have &= ~(1u << D_ENC_I | 1u << D_ENC_R | 1u << D_INTEG_I | 1u << D_INTEG_R);
		snprintf(st->where[d], sizeof st->where[d], "%s", where);
		st->len[d] = 0;
		st->want = bytes;
		st->have &= ~(1u << d);
		if (bytes == 0) {
			st->have |= 1u << d;
		} else {
			st->grab = d;
			st->grab_thread = thread;
		}
		return 1;
	}
	if (HAVE(st, D_SK_EI) && HAVE(st, D_SK_ER))
		return emit_ike(st, k, err, errlen) < 0 ? -1 : 1;
	return 0;
}

int conf_keys_charon_end(struct conf_keys_charon *st, struct conf_keys *k, char *err, size_t errlen)
{
	if (st->grab != D_NONE) {
		snprintf(err, errlen, "%s: the log ends inside the hex dump of '%s' (%zu of %zu octets)",
			 st->where[st->grab], dump_names[st->grab], st->len[st->grab], st->want);
		return -1;
	}
	if (HAVE(st, D_SK_EI) && HAVE(st, D_SK_ER) && emit_ike(st, k, err, errlen) < 0)
		return -1;
	/* keys without their SPIs: offered to any ESP SA */
	if (HAVE(st, D_ENC_I) && HAVE(st, D_ENC_R) && emit_child(st, k, err, errlen) < 0)
		return -1;
	return 0;
}
