/* conf_dec_esp.c — decrypting the ESP packets of a capture with ref/esp (conf_dec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_dec.h"
#include "conformance/conf_grow.h"
#include "ref/esp/esp.h"

/* One SPI seen in the capture and the SA that opens its packets. */
struct spi_bind {
	uint32_t spi;
	int32_t key;             /* -1: no key authenticated a packet yet */
	struct esp_sa *sa;
	uint32_t tried;          /* key entries tried on its packets */
};

/* authentic: esp_open got past the ICV (the key is the right one). */
static int authentic(int rc)
{
	return rc == ESP_OK || rc == ESP_EPAD || rc == ESP_EDUMMY || rc == ESP_ENEXTHDR || rc == ESP_EINNER;
}

/* open_copy runs esp_open on a copy of |r|'s octets and keeps what the rules need in |de|. */
static int open_copy(struct esp_sa *sa, const struct conf_esp_rec *r, struct conf_dec_esp *de)
{
	uint8_t *buf = malloc(r->len);
	if (!buf)
		return ESP_ENOMEM;
	memcpy(buf, r->raw, r->len);
	struct esp_pkt p = {buf, r->len, 0, r->len};
	struct esp_rx rx;
	memset(&rx, 0, sizeof rx);
	int rc = esp_open(sa, &p, &rx);
	if (authentic(rc)) {
		de->next_header = rx.next_header;
		de->inner_len = rc == ESP_EPAD ? 0 : (uint32_t)p.len;
		size_t h = rc == ESP_EPAD ? 0 : p.len < sizeof de->head ? p.len : sizeof de->head;
		memcpy(de->head, buf + p.off, h);
		de->head_len = (uint8_t)h;
	}
	free(buf);
	return rc;
}

/* judge turns esp_open's result on an authenticated packet into a state and note. */
static void judge(struct conf_dec_esp *de, int rc, const struct conf_esp_rec *r)
{
	de->err = rc;
	switch (rc) {
	case ESP_OK:
	case ESP_EDUMMY:
	case ESP_ENEXTHDR:
	case ESP_EINNER:
		de->st = CONF_DEC_OK;
		if (rc != ESP_OK)
			snprintf(de->note, sizeof de->note, "decrypted: %s (next header %u)", esp_strerror(rc),
				 de->next_header);
		break;
	case ESP_EPAD:
		de->st = CONF_DEC_BAD;
		snprintf(de->note, sizeof de->note, "authenticated, but %s", esp_strerror(rc));
		break;
	case ESP_EALIGN:
	case ESP_ETRUNC:
		de->st = CONF_DEC_BAD;
		snprintf(de->note, sizeof de->note, "%u octets: %s", r->len, esp_strerror(rc));
		break;
	case ESP_EICV:
		de->st = CONF_DEC_ICV;
		snprintf(de->note, sizeof de->note, "ICV mismatch with the given keys (the other packets of this SA "
			 "verify: altered in transit?)");
		break;
	default:
		de->st = CONF_DEC_SKIP;
		snprintf(de->note, sizeof de->note, "not decrypted: %s", esp_strerror(rc));
		break;
	}
}

/* bind_key tries the key entries for |b|'s SPI on packet |r| (binding order); 1 when one authenticated it. */
static int bind_key(const struct conf_keys *k, uint8_t *taken, struct spi_bind *b, const struct conf_esp_rec *r,
		    struct conf_dec_esp *de)
{
	uint32_t cur = 0;
	for (long j; (j = conf_keys_next_esp(k, taken, b->spi, &cur)) >= 0;) {
		char why[200];
		struct esp_sa *sa = conf_keys_esp_sa(&k->esp[j], b->spi, why, sizeof why);
		if (!sa)
			continue;
		b->tried++;
		int rc = open_copy(sa, r, de);
		if (!authentic(rc)) {
			esp_sa_free(sa);
			continue;
		}
		b->sa = sa;
		b->key = (int32_t)j;
		taken[j] = 1;
		de->key = (int32_t)j;
		judge(de, rc, r);
		return 1;
	}
	return 0;
}

int conf_dec_esp_run(struct conf_capture *c, struct conf_dec *d, const struct conf_keys *k)
{
	d->esp = calloc(c->n_esp ? c->n_esp : 1, sizeof *d->esp);
	uint8_t *taken = calloc(k->n_esp ? k->n_esp : 1, 1);
	struct spi_bind *b = NULL;
	uint32_t nb = 0, capb = 0, last = 0;
	int rc = -1;
	if (!d->esp || !taken)
		goto out;
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_esp_rec *r = &c->esp[i];
		struct conf_dec_esp *de = &d->esp[i];
		de->key = -1;
		d->st.esp++;
		if (!r->raw) {
			de->st = CONF_DEC_SKIP;
			snprintf(de->note, sizeof de->note, "not decrypted: packet octets not kept (capture loaded without "
				 "keep_esp)");
			d->st.esp_skip++;
			continue;
		}
		if (r->spi < ESP_SPI_MIN) {
			de->st = CONF_DEC_SKIP;
			snprintf(de->note, sizeof de->note, "not decrypted: SPI %u is reserved (RFC 4303 §2.1: 1..255 "
				 "IANA, 0 local use)", r->spi);
			d->st.esp_skip++;
			continue;
		}
		if (!(last < nb && b[last].spi == r->spi))
			for (last = 0; last < nb && b[last].spi != r->spi; last++)
				;
		if (last == nb) {
			if (CONF_GROW(b, nb, capb) < 0)
				goto out;
			b[nb++] = (struct spi_bind){r->spi, -1, NULL, 0};
		}
		struct spi_bind *sb = &b[last];
		if (sb->sa) {
			de->key = sb->key;
			int orc = open_copy(sb->sa, r, de);
			if (orc == ESP_EREPLAY || orc == ESP_EOLD) {
				/* a packet seen twice, or far out of order: judge it with a fresh SA */
				char why[200];
				struct esp_sa *t = conf_keys_esp_sa(&k->esp[sb->key], r->spi, why, sizeof why);
				if (!t)
					goto out;
				orc = open_copy(t, r, de);
				esp_sa_free(t);
			}
			if (orc == ESP_ENOMEM)
				goto out;
			judge(de, orc, r);
		} else if (!bind_key(k, taken, sb, r, de)) {
			de->st = sb->tried ? CONF_DEC_ICV : CONF_DEC_NOKEY;
			if (sb->tried)
				snprintf(de->note, sizeof de->note, "ICV mismatch with the given keys (SPI 0x%08x, %u key%s "
					 "tried)", r->spi, sb->tried, sb->tried == 1 ? "" : "s");
			else
				snprintf(de->note, sizeof de->note, "no key for ESP SPI 0x%08x", r->spi);
		}
		switch (de->st) {
		case CONF_DEC_OK: d->st.esp_ok++; break;
		case CONF_DEC_ICV: d->st.esp_icv++; break;
		case CONF_DEC_NOKEY: d->st.esp_nokey++; break;
		case CONF_DEC_BAD: d->st.esp_bad++; break;
		default: d->st.esp_skip++; break;
		}
	}
	for (uint32_t j = 0; j < k->n_esp; j++)
		d->esp_keys_used += taken[j];
	rc = 0;
out:
	for (uint32_t i = 0; i < nb; i++)
		esp_sa_free(b[i].sa);
	free(b);
	free(taken);
	return rc;
}
