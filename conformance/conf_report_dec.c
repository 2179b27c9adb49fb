/*
 * conf_report_dec.c — what `vpnlab check --keys` decrypted: a one-line
 * summary under the capture line, then after the verdicts every decrypted
 * IKE message (fragments reassembled) with its inner payloads, every IKE
 * message or ESP packet that did not decrypt with the reason, and one line
 * per ESP SPI.
 */
#include "conformance/conf_report.h"

#include <stdlib.h>
#include <string.h>

#include "conformance/conf_dec.h"
#include "conformance/conf_ipv4.h"

#define MAX_LINES 200

void conf_report_dec_summary(FILE *f, const struct conf_capture *c)
{
	const struct conf_dec *d = c->dec;
	if (!d)
		return;
	const struct conf_dec_stats *s = &d->st;
	fprintf(f, "keys %s: %u IKE SA key%s (%u used), %u ESP SA key%s (%u used)%s; IKE: %u of %u encrypted messages "
		   "decrypted (%u ICV mismatch, %u no key, %u malformed, %u not decryptable), %u reassembled from "
		   "fragments; ESP: %u of %u packets decrypted (%u ICV mismatch, %u no key, %u malformed)\n",
		d->keys, d->n_ike_keys, d->n_ike_keys == 1 ? "" : "s", d->ike_keys_used, d->n_esp_keys,
		d->n_esp_keys == 1 ? "" : "s", d->esp_keys_used,
		d->n_ikev1_keys ? " (IKEv1 keys ignored: no IKEv1 decryption)" : "", s->ike_ok, s->ike_enc, s->ike_icv,
		s->ike_nokey, s->ike_bad, s->ike_skip, s->frag_sets, s->esp_ok, s->esp, s->esp_icv, s->esp_nokey,
		s->esp_bad);
}

/* inner_str describes a decrypted ESP payload: "IPv4 a > b ICMP, 84 octets". */
static void inner_str(const struct conf_dec_esp *e, char *buf, size_t cap)
{
	char a[16], b[16];
	if (e->err == ESP_OK && e->head_len >= 20) {
		uint32_t src = (uint32_t)e->head[12] << 24 | (uint32_t)e->head[13] << 16 | (uint32_t)e->head[14] << 8 |
			       e->head[15];
		uint32_t dst = (uint32_t)e->head[16] << 24 | (uint32_t)e->head[17] << 16 | (uint32_t)e->head[18] << 8 |
			       e->head[19];
		snprintf(buf, cap, "IPv4 %s > %s protocol %u, %u octets", conf_ipv4_fmt(src, a), conf_ipv4_fmt(dst, b),
			 e->head[9], e->inner_len);
	} else if (e->st == CONF_DEC_OK) {
		snprintf(buf, cap, "next header %u, %u octets", e->next_header, e->inner_len);
	} else {
		snprintf(buf, cap, "%s", e->note);
	}
}

void conf_report_dec_frame(FILE *f, const struct conf_capture *c, const struct conf_pkt *k)
{
	const struct conf_dec *d = c->dec;
	if (!d)
		return;
	for (uint32_t i = 0; i < k->n_msg; i++) {
		const struct conf_dec_msg *dm = &d->msg[k->first_msg + i];
		if (dm->whole >= 0 && d->whole[dm->whole].frame == k->num)
			fprintf(f, " => %s", d->whole[dm->whole].summary);
		else if (dm->st == CONF_DEC_OK && dm->whole >= 0)
			fprintf(f, " => decrypted fragment of the message completed in frame %u", d->whole[dm->whole].frame);
		else if (dm->st != CONF_DEC_NONE)
			fprintf(f, " => %s", dm->note[0] ? dm->note : conf_dec_st_name((enum conf_dec_st)dm->st));
	}
	if (k->kind != CONF_K_ESP && k->kind != CONF_K_ESP_UDP)
		return;
	uint32_t lo = 0, hi = c->n_esp; /* records are in frame order */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->esp[mid].frame < k->num)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < c->n_esp && c->esp[lo].frame == k->num; lo++) {
		char what[200];
		inner_str(&d->esp[lo], what, sizeof what);
		fprintf(f, " => %s", what);
	}
}

void conf_report_dec_text(FILE *f, const struct conf_capture *c)
{
	const struct conf_dec *d = c->dec;
	if (!d)
		return;
	unsigned lines = 0;
	if (d->st.ike_enc)
		fprintf(f, "\nDECRYPTED IKE MESSAGES (%u)\n", d->n_whole);
	for (uint32_t i = 0; i < c->n_msg && lines < MAX_LINES; i++) {
		const struct conf_dec_msg *dm = &d->msg[i];
		const struct conf_msg *m = &c->msg[i];
		if (dm->st == CONF_DEC_NONE)
			continue;
		if (dm->whole >= 0) {
			const struct conf_dec_whole *w = &d->whole[dm->whole];
			if (w->frame != m->frame)
				continue; /* listed once, at the fragment that completed it */
			char fr[32];
			if (w->n_frags)
				snprintf(fr, sizeof fr, "frames %u-%u", w->first_frame, w->frame);
			else
				snprintf(fr, sizeof fr, "frame %u", w->frame);
			fprintf(f, "  %-14s %s%s", fr, w->summary, w->n_frags ? "" : "\n");
			if (w->n_frags)
				fprintf(f, " (%u fragments)\n", w->n_frags);
			lines++;
			continue;
		}
		char fr[32];
		snprintf(fr, sizeof fr, "frame %u", m->frame);
		if (dm->st == CONF_DEC_OK && m->v2.has_skf)
			fprintf(f, "  %-14s fragment %u/%u decrypted (%u octets); the other fragments of the message did not "
				   "all decrypt\n", fr, m->v2.skf_num, m->v2.skf_total, dm->plain_len);
		else
			fprintf(f, "  %-14s %s\n", fr, dm->note[0] ? dm->note : conf_dec_st_name((enum conf_dec_st)dm->st));
		lines++;
	}
	if (lines >= MAX_LINES)
		fprintf(f, "  ... (first %d lines)\n", MAX_LINES);
	if (!c->n_esp)
		return;
	fprintf(f, "\nDECRYPTED ESP (%u of %u packets)\n", d->st.esp_ok, d->st.esp);
	/* one line per SPI in order of appearance, then the packets that did not decrypt */
	uint32_t *done = calloc(c->n_esp, sizeof *done);
	if (!done)
		return;
	uint32_t nd = 0;
	lines = 0;
	for (uint32_t i = 0; i < c->n_esp && lines < MAX_LINES; i++) {
		uint32_t spi = c->esp[i].spi, seen = 0;
		for (uint32_t j = 0; j < nd && !seen; j++)
			seen = done[j] == spi;
		if (seen)
			continue;
		done[nd++] = spi;
		uint32_t n = 0, ok = 0, first_ok = UINT32_MAX;
		char frames[80] = "";
		size_t w = 0;
		for (uint32_t j = i; j < c->n_esp; j++) {
			if (c->esp[j].spi != spi)
				continue;
			n++;
			if (d->esp[j].st == CONF_DEC_OK) {
				ok++;
				if (first_ok == UINT32_MAX)
					first_ok = j;
			}
			if (w + 12 < sizeof frames)
				w += (size_t)snprintf(frames + w, sizeof frames - w, "%s%u", w ? "," : "", c->esp[j].frame);
			else if (w + 4 < sizeof frames)
				w += (size_t)snprintf(frames + w, sizeof frames - w, ",...");
		}
		char what[200];
		inner_str(&d->esp[first_ok != UINT32_MAX ? first_ok : i], what, sizeof what);
		fprintf(f, "  SPI 0x%08x  %u packet%s (frames %s), %u decrypted: %s\n", spi, n, n == 1 ? "" : "s", frames, ok,
			what);
		lines++;
	}
	for (uint32_t i = 0; i < c->n_esp && lines < MAX_LINES; i++) {
		const struct conf_dec_esp *e = &d->esp[i];
		if (e->st == CONF_DEC_OK || !e->note[0])
			continue;
		fprintf(f, "  frame %-8u SPI 0x%08x seq %u: %s\n", c->esp[i].frame, c->esp[i].spi, c->esp[i].seq, e->note);
		lines++;
	}
	free(done);
}

void conf_report_dec_json(FILE *f, const struct conf_capture *c)
{
	const struct conf_dec *d = c->dec;
	if (!d)
		return;
	const struct conf_dec_stats *s = &d->st;
	fprintf(f, ",\"decryption\":{\"keys\":");
	conf_report_json_str(f, d->keys);
	fprintf(f, ",\"ike_keys\":%u,\"ike_keys_used\":%u,\"esp_keys\":%u,\"esp_keys_used\":%u,\"ikev1_keys_ignored\":%u,"
		   "\"ike\":{\"encrypted\":%u,\"decrypted\":%u,\"icv_mismatch\":%u,\"no_key\":%u,\"malformed\":%u,"
		   "\"not_decryptable\":%u,\"reassembled\":%u},\"esp\":{\"packets\":%u,\"decrypted\":%u,"
		   "\"icv_mismatch\":%u,\"no_key\":%u,\"malformed\":%u},\"messages\":[",
		d->n_ike_keys, d->ike_keys_used, d->n_esp_keys, d->esp_keys_used, d->n_ikev1_keys, s->ike_enc, s->ike_ok,
		s->ike_icv, s->ike_nokey, s->ike_bad, s->ike_skip, s->frag_sets, s->esp, s->esp_ok, s->esp_icv, s->esp_nokey,
		s->esp_bad);
	for (uint32_t i = 0; i < d->n_whole; i++) {
		const struct conf_dec_whole *w = &d->whole[i];
		fprintf(f, "%s{\"frame\":%u,\"first_frame\":%u,\"fragments\":%u,\"inner_ok\":%s,\"summary\":", i ? "," : "",
			w->frame, w->first_frame, w->n_frags, w->inner_ok ? "true" : "false");
		conf_report_json_str(f, w->summary);
		fputc('}', f);
	}
	fprintf(f, "],\"notes\":[");
	int any = 0;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_dec_msg *dm = &d->msg[i];
		if (!dm->note[0])
			continue;
		fprintf(f, "%s{\"frame\":%u,\"kind\":\"IKE\",\"state\":\"%s\",\"note\":", any ? "," : "", c->msg[i].frame,
			conf_dec_st_name((enum conf_dec_st)dm->st));
		conf_report_json_str(f, dm->note);
		fputc('}', f);
		any = 1;
	}
	for (uint32_t i = 0; i < c->n_esp; i++) {
		const struct conf_dec_esp *e = &d->esp[i];
		if (!e->note[0])
			continue;
		fprintf(f, "%s{\"frame\":%u,\"kind\":\"ESP\",\"spi\":%u,\"state\":\"%s\",\"note\":", any ? "," : "",
			c->esp[i].frame, c->esp[i].spi, conf_dec_st_name((enum conf_dec_st)e->st));
		conf_report_json_str(f, e->note);
		fputc('}', f);
		any = 1;
	}
	fprintf(f, "]}");
}
