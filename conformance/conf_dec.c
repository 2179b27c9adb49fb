/* conf_dec.c — decrypting IKEv2 SK/SKF messages of a capture and reassembling fragments (conf_dec.h). */
#include "conformance/conf_dec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/conf_capture.h"
#include "conformance/conf_grow.h"
#include "conformance/conf_ikesa.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/ike/ike_sk.h"

const char *conf_dec_st_name(enum conf_dec_st s)
{
	switch (s) {
	case CONF_DEC_NONE: return "not encrypted";
	case CONF_DEC_NOKEY: return "no key";
	case CONF_DEC_OK: return "decrypted";
	case CONF_DEC_ICV: return "ICV mismatch with the given keys";
	case CONF_DEC_BAD: return "decrypted, malformed";
	case CONF_DEC_SKIP: return "not decryptable";
	}
	return "?";
}

void conf_dec_free(struct conf_dec *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; d->msg && i < d->n_msg_alloc; i++)
		free(d->msg[i].plain);
	for (uint32_t i = 0; i < d->n_whole; i++)
		free(d->whole[i].plain);
	free(d->msg);
	free(d->whole);
	free(d->esp);
	free(d);
}

/* Per IKE SA: the bound key and its ref/ike context. */
struct sa_bind {
	int32_t key;
	struct ike_keys *ctx;
};

static void spi_str(const uint8_t *i, const uint8_t *r, char out[40])
{
	for (int k = 0; k < 8; k++)
		snprintf(out + 2 * k, 3, "%02x", i[k]);
	out[16] = '/';
	for (int k = 0; k < 8; k++)
		snprintf(out + 17 + 2 * k, 3, "%02x", r[k]);
}

/*
 * try_key decrypts message |m| (parsed as |pm|) with |ctx|: IKE_SK_OK with
 * the plaintext copied into |dm|, else the ike_sk error with |why|.
 */
static int try_key(struct ike_keys *ctx, const struct conf_msg *m, const struct ike_msg *pm,
		   struct conf_dec_msg *dm, char *why, size_t cap)
{
	uint8_t *buf = malloc(m->len);
	if (!buf) {
		snprintf(why, cap, "out of memory");
		return IKE_SK_ECRYPTO;
	}
	memcpy(buf, m->raw, m->len);
	struct crypto_diag d = {{0}};
	size_t off = 0, plen = 0;
	/* the receiver of a message from the original initiator decrypts as the responder */
	int rc = ike_sk_decrypt(ctx, !(m->hdr.flags & IKE_FLAG_I), buf, m->len, pm->sk_aad_len, &off, &plen, &d);
	if (rc == IKE_SK_OK) {
		dm->plain = malloc(plen ? plen : 1);
		if (!dm->plain) {
			free(buf);
			snprintf(why, cap, "out of memory");
			return IKE_SK_ECRYPTO;
		}
		memcpy(dm->plain, buf + off, plen);
		dm->plain_len = (uint32_t)plen;
		dm->first = pm->sk_first;
	} else {
		snprintf(why, cap, "%s", d.msg);
	}
	free(buf);
	return rc;
}

/* decrypt_msg decrypts one SK/SKF message, binding a key to its SA if none is yet. */
static void decrypt_msg(const struct conf_keys *k, struct sa_bind *sb, uint8_t *taken, const struct conf_msg *m,
			struct conf_dec_msg *dm)
{
	struct ike_msg pm;
	struct ike_err e;
	char why[CRYPTO_DIAG_MAX];
	memset(&e, 0, sizeof e);
	if (m->truncated) {
		dm->st = CONF_DEC_SKIP;
		snprintf(dm->note, sizeof dm->note, "not decrypted: the capture cut the message short");
		return;
	}
	if (ike_msg_parse(&pm, m->raw, m->len, &e) < 0 || !pm.sk) {
		dm->st = CONF_DEC_SKIP;
		snprintf(dm->note, sizeof dm->note, "not decrypted: %.170s", e.msg[0] ? e.msg : "no Encrypted payload");
		return;
	}
	if (sb->ctx) {
		int rc = try_key(sb->ctx, m, &pm, dm, why, sizeof why);
		dm->key = sb->key;
		if (rc == IKE_SK_OK) {
			dm->st = CONF_DEC_OK;
		} else if (rc == IKE_SK_EICV) {
			dm->st = CONF_DEC_ICV;
			snprintf(dm->note, sizeof dm->note, "ICV mismatch with the given keys (%.60s; the other messages "
				 "of this IKE SA verify: altered in transit?)", k->ike[sb->key].origin);
		} else {
			dm->st = CONF_DEC_BAD;
			snprintf(dm->note, sizeof dm->note, "%.190s", why);
		}
		return;
	}
	/* no key bound yet: try them in binding order (conf_keys_next_ike) */
	uint32_t tried = 0, cur = 0;
	for (long j; (j = conf_keys_next_ike(k, taken, m->hdr.spi_i, m->hdr.spi_r, &cur)) >= 0;) {
		char cerr[200];
		struct ike_keys *ctx = conf_keys_ike_new(&k->ike[j], cerr, sizeof cerr);
		if (!ctx)
			continue; /* validated when loaded; only memory can fail here */
		tried++;
		int rc = try_key(ctx, m, &pm, dm, why, sizeof why);
		if (rc == IKE_SK_EICV || rc == IKE_SK_ETRUNC || rc == IKE_SK_ECRYPTO) {
			ike_keys_free(ctx);
			continue;
		}
		sb->ctx = ctx;
		sb->key = (int32_t)j;
		taken[j] = 1;
		dm->key = (int32_t)j;
		if (rc == IKE_SK_OK) {
			dm->st = CONF_DEC_OK;
		} else {
			dm->st = CONF_DEC_BAD;
			snprintf(dm->note, sizeof dm->note, "%.190s", why);
		}
		return;
	}
	char spis[40];
	spi_str(m->hdr.spi_i, m->hdr.spi_r, spis);
	if (!tried) {
		dm->st = CONF_DEC_NOKEY;
		snprintf(dm->note, sizeof dm->note, "no key for IKE SA %s", spis);
	} else {
		dm->st = CONF_DEC_ICV;
		snprintf(dm->note, sizeof dm->note, "ICV mismatch with the given keys (IKE SA %s, %u key%s tried)", spis,
			 tried, tried == 1 ? "" : "s");
	}
}

/* add_whole appends a decrypted message and parses its inner chain with ref/ike. */
static int add_whole(struct conf_capture *c, struct conf_dec *d, int32_t msg, uint32_t frame, uint32_t first_frame,
		     uint16_t n_frags, uint8_t first, uint8_t *plain, uint32_t len, size_t wire_len)
{
	if (CONF_GROW(d->whole, d->n_whole, d->cap_whole) < 0) {
		free(plain);
		return -1;
	}
	struct conf_dec_whole *w = &d->whole[d->n_whole];
	memset(w, 0, sizeof *w);
	w->msg = msg;
	w->frame = frame;
	w->first_frame = first_frame;
	w->n_frags = n_frags;
	w->first = first;
	w->plain = plain;
	w->len = len;
	d->n_whole++;
	struct ike_msg pm;
	struct ike_err e;
	memset(&e, 0, sizeof e);
	if (conf_dec_inner(c, d->n_whole - 1, &pm, &e) == 0) {
		w->inner_ok = 1;
		pm.len = wire_len; /* the summary's size: what travelled, all fragments together */
		ike_msg_summary(&pm, w->summary, sizeof w->summary);
	} else {
		snprintf(w->summary, sizeof w->summary, "inner payloads malformed: %.360s", e.msg);
	}
	return 0;
}

int conf_dec_inner(const struct conf_capture *c, uint32_t whole, struct ike_msg *m, struct ike_err *e)
{
	const struct conf_dec *d = c->dec;
	if (!d || whole >= d->n_whole)
		return ike_err_set(e, IKE_E_SYNTAX, 0, 0, 0, "no decrypted message %u", whole);
	const struct conf_dec_whole *w = &d->whole[whole];
	const struct conf_msg *cm = &c->msg[w->msg];
	if (ike_msg_parse(m, cm->raw, cm->len, e) < 0)
		return -1;
	return ike_msg_parse_inner_first(m, w->first, w->plain, w->len, e) < 0 ? -1 : 0;
}

/*
 * reassemble joins the decrypted fragments of each request / response
 * (RFC 7383 §2.6): per exchange and direction, the first Total Fragments
 * value for which every number 1..Total decrypted.
 */
static int reassemble(struct conf_capture *c, struct conf_dec *d, const struct conf_ikesa_index *ix)
{
	for (uint32_t x = 0; x < ix->n_x; x++) {
		for (int resp = 0; resp < 2; resp++) {
			int32_t head = resp ? ix->x[x].resp : ix->x[x].req;
			for (int32_t a = head; a >= 0; a = ix->next_same[a]) {
				const struct conf_msg *ma = &c->msg[a];
				if (!ma->v2.has_skf || d->msg[a].st != CONF_DEC_OK || d->msg[a].whole >= 0)
					continue;
				uint16_t total = ma->v2.skf_total;
				if (total == 0 || total > 255)
					continue;
				int32_t part[256];
				for (int f = 0; f <= total; f++)
					part[f] = -1;
				for (int32_t b = head; b >= 0; b = ix->next_same[b]) {
					const struct conf_msg *mb = &c->msg[b];
					uint16_t num = mb->v2.skf_num;
					if (mb->v2.has_skf && mb->v2.skf_total == total && num >= 1 && num <= total &&
					    d->msg[b].st == CONF_DEC_OK && part[num] < 0)
						part[num] = b;
				}
				uint32_t len = 0, first_frame = UINT32_MAX, frame = 0;
				size_t wire = 0;
				int complete = 1;
				for (int f = 1; f <= total; f++) {
					if (part[f] < 0) {
						complete = 0;
						break;
					}
					len += d->msg[part[f]].plain_len;
					const struct conf_msg *mf = &c->msg[part[f]];
					wire += mf->len;
					first_frame = mf->frame < first_frame ? mf->frame : first_frame;
					frame = mf->frame > frame ? mf->frame : frame;
				}
				if (!complete)
					continue; /* maybe a later transmission re-fragmented (RFC 7383 §2.5.3) */
				uint8_t *plain = malloc(len ? len : 1);
				if (!plain)
					return -1;
				uint32_t o = 0;
				for (int f = 1; f <= total; f++) {
					memcpy(plain + o, d->msg[part[f]].plain, d->msg[part[f]].plain_len);
					o += d->msg[part[f]].plain_len;
				}
				if (add_whole(c, d, part[1], frame, first_frame, total, d->msg[part[1]].first, plain, len,
					      wire) < 0)
					return -1;
				for (int f = 1; f <= total; f++)
					d->msg[part[f]].whole = (int32_t)(d->n_whole - 1);
				d->st.frag_sets++;
				break;
			}
		}
	}
	return 0;
}

int conf_dec_run(struct conf_capture *c, const struct conf_keys *k, char *err, size_t errlen)
{
	conf_dec_free(c->dec);
	c->dec = NULL;
	struct conf_dec *d = calloc(1, sizeof *d);
	struct conf_ikesa_index *ix = conf_ikesa_build(c);
	uint8_t *taken = calloc(k->n_ike ? k->n_ike : 1, 1);
	struct sa_bind *sb = ix ? calloc(ix->n_sa ? ix->n_sa : 1, sizeof *sb) : NULL;
	if (d)
		d->msg = calloc(c->n_msg ? c->n_msg : 1, sizeof *d->msg);
	int rc = -1;
	if (!d || !d->msg || !ix || !taken || !sb)
		goto out;
	d->n_msg_alloc = c->n_msg;
	c->dec = d;
	snprintf(d->keys, sizeof d->keys, "%s", k->name);
	d->n_ike_keys = k->n_ike;
	d->n_esp_keys = k->n_esp;
	d->n_ikev1_keys = k->n_ikev1;
	for (uint32_t s = 0; s < ix->n_sa; s++)
		sb[s].key = -1;
	for (uint32_t i = 0; i < c->n_msg; i++) {
		const struct conf_msg *m = &c->msg[i];
		struct conf_dec_msg *dm = &d->msg[i];
		dm->whole = dm->key = -1;
		/* a message cut by the capture may end before its SK header: its first payload says it */
		if (m->version != 2 || !(m->v2.has_sk || m->v2.has_skf || m->hdr.np == IKE_PL_SK || m->hdr.np == IKE_PL_SKF))
			continue;
		d->st.ike_enc++;
		if (ix->msg_sa[i] < 0) {
			dm->st = CONF_DEC_SKIP;
			snprintf(dm->note, sizeof dm->note, "not decrypted: IKE header unreadable");
		} else {
			decrypt_msg(k, &sb[ix->msg_sa[i]], taken, m, dm);
		}
		switch (dm->st) {
		case CONF_DEC_OK: d->st.ike_ok++; break;
		case CONF_DEC_ICV: d->st.ike_icv++; break;
		case CONF_DEC_NOKEY: d->st.ike_nokey++; break;
		case CONF_DEC_BAD: d->st.ike_bad++; break;
		default: d->st.ike_skip++; break;
		}
		if (dm->st == CONF_DEC_OK && !m->v2.has_skf) {
			uint8_t *plain = malloc(dm->plain_len ? dm->plain_len : 1);
			if (!plain)
				goto out;
			memcpy(plain, dm->plain, dm->plain_len);
			if (add_whole(c, d, (int32_t)i, m->frame, m->frame, 0, dm->first, plain, dm->plain_len, m->len) < 0)
				goto out;
			dm->whole = (int32_t)(d->n_whole - 1);
		}
	}
	if (reassemble(c, d, ix) < 0)
		goto out;
	for (uint32_t j = 0; j < k->n_ike; j++)
		for (uint32_t s = 0; s < ix->n_sa; s++)
			if (sb[s].key == (int32_t)j) {
				d->ike_keys_used++;
				break;
			}
	rc = conf_dec_esp_run(c, d, k);
out:
	if (rc < 0)
		snprintf(err, errlen, "%s: decrypting with %s: out of memory", c->name, k->name);
	for (uint32_t s = 0; sb && ix && s < ix->n_sa; s++)
		ike_keys_free(sb[s].ctx);
	free(sb);
	free(taken);
	conf_ikesa_free(ix);
	if (rc < 0 && d && c->dec != d)
		conf_dec_free(d);
	return rc;
}
