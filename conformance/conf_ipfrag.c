/* conf_ipfrag.c — IPv4 reassembly with limits and overlap detection. */
#include "conformance/conf_ipfrag.h"

#include <stdlib.h>
#include <string.h>

struct frag {
	uint32_t off, len, frame;
	uint8_t *data;
};

struct dgram {
	uint32_t src, dst, id;
	uint8_t proto;
	uint64_t first_ns;
	uint32_t total;         /* payload length, known once the last fragment arrived */
	int have_last, overlap, conflict;
	uint8_t hdr[60];
	uint8_t hlen;           /* 0 until the first fragment (offset 0) arrived */
	struct frag *f;
	uint32_t n, cap;
	struct dgram *next;
};

#define NBUCKET 1024

struct conf_ipfrag {
	struct conf_ipfrag_limits lim;
	struct dgram *bucket[NBUCKET];
	uint32_t count;
	struct conf_ipfrag_stats st;
};

struct conf_ipfrag *conf_ipfrag_new(const struct conf_ipfrag_limits *lim)
{
	struct conf_ipfrag *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->lim.max_datagrams = 4096;
	t->lim.max_fragments = 256;
	t->lim.timeout_ns = 60ull * 1000000000u;
	if (lim) {
		if (lim->max_datagrams)
			t->lim.max_datagrams = lim->max_datagrams;
		if (lim->max_fragments)
			t->lim.max_fragments = lim->max_fragments;
		if (lim->timeout_ns)
			t->lim.timeout_ns = lim->timeout_ns;
	}
	return t;
}

static void dgram_free(struct dgram *d)
{
	for (uint32_t i = 0; i < d->n; i++)
		free(d->f[i].data);
	free(d->f);
	free(d);
}

void conf_ipfrag_free(struct conf_ipfrag *t)
{
	if (!t)
		return;
	for (int b = 0; b < NBUCKET; b++)
		for (struct dgram *d = t->bucket[b], *n; d; d = n) {
			n = d->next;
			dgram_free(d);
		}
	free(t);
}

static unsigned hash(uint32_t src, uint32_t dst, uint32_t id, uint8_t proto)
{
	uint32_t h = src * 2654435761u ^ dst * 40503u ^ id * 97u ^ proto;
	return (h ^ h >> 16) % NBUCKET;
}

static void unlink_dgram(struct conf_ipfrag *t, struct dgram *d)
{
	struct dgram **pp = &t->bucket[hash(d->src, d->dst, d->id, d->proto)];
	while (*pp && *pp != d)
		pp = &(*pp)->next;
	if (*pp)
		*pp = d->next;
	t->count--;
}

void conf_ipfrag_expire(struct conf_ipfrag *t, uint64_t now)
{
	for (int b = 0; b < NBUCKET; b++) {
		struct dgram **pp = &t->bucket[b];
		while (*pp) {
			struct dgram *d = *pp;
			if (now > d->first_ns && now - d->first_ns > t->lim.timeout_ns) {
				*pp = d->next;
				t->count--;
				t->st.expired++;
				dgram_free(d);
			} else {
				pp = &d->next;
			}
		}
	}
}

static int cmp_off(const void *a, const void *b)
{
	const struct frag *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* complete returns 1 if fragments cover [0, total) and the first one arrived. */
static int complete(struct dgram *d)
{
	if (!d->have_last || !d->hlen)
		return 0;
	struct frag *s = malloc(d->n * sizeof *s);
	if (!s)
		return 0;
	memcpy(s, d->f, d->n * sizeof *s);
	qsort(s, d->n, sizeof *s, cmp_off);
	uint32_t covered = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		if (s[i].off > covered)
			break;
		if (s[i].off + s[i].len > covered)
			covered = s[i].off + s[i].len;
	}
	free(s);
	return covered >= d->total;
}

/* check_overlap compares fragment [off, off+len) with what |d| holds. */
static int check_overlap(const struct dgram *d, uint32_t off, uint32_t len, const uint8_t *p)
{
	int r = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		const struct frag *f = &d->f[i];
		uint32_t a = off > f->off ? off : f->off;
		uint32_t b = off + len < f->off + f->len ? off + len : f->off + f->len;
		if (a >= b)
			continue;
		if (r == 0)
			r = 1;
		if (memcmp(p + (a - off), f->data + (a - f->off), b - a) != 0)
			r = 2;
	}
	return r;
}

static int build(struct dgram *d, struct conf_ipfrag_result *out)
{
	uint32_t len = d->hlen + d->total;
	uint8_t *buf = calloc(1, len);
	uint8_t *have = calloc(1, d->total ? d->total : 1);
	uint32_t *frames = malloc(d->n * sizeof *frames);
	if (!buf || !have || !frames) {
		free(buf);
		free(have);
		free(frames);
		return -1;
	}
	memcpy(buf, d->hdr, d->hlen);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[6] &= 0x40; /* keep DF, clear MF and the offset */
	buf[7] = 0;
	uint32_t nf = 0;
	for (uint32_t i = 0; i < d->n; i++) { /* arrival order: first data wins */
		const struct frag *f = &d->f[i];
		for (uint32_t k = 0; k < f->len && f->off + k < d->total; k++) {
			if (!have[f->off + k]) {
				have[f->off + k] = 1;
				buf[d->hlen + f->off + k] = f->data[k];
			}
		}
		int dup = 0;
		for (uint32_t j = 0; j < nf; j++)
			dup |= frames[j] == f->frame;
		if (!dup)
			frames[nf++] = f->frame;
	}
	free(have);
	out->data = buf;
	out->len = len;
	out->frames = frames;
	out->n_frames = nf;
	out->overlap = d->overlap;
	out->conflict = d->conflict;
	return 0;
}

int conf_ipfrag_add(struct conf_ipfrag *t, const struct conf_ipv4 *h, const uint8_t *hdr,
		    const uint8_t *payload, uint32_t plen, uint32_t frame, uint64_t t_ns,
		    struct conf_ipfrag_result *out, int *overlap, const char **why)
{
	*overlap = 0;
	*why = NULL;
	memset(out, 0, sizeof *out);
	t->st.fragments++;
	if ((uint32_t)h->frag_off + plen > 65535u - h->hlen) {
		*why = "fragment offset + length exceeds 65535 (RFC 791 maximum datagram)";
		t->st.dropped++;
		return CONF_IPFRAG_DROPPED;
	}
	if (h->mf && (plen == 0 || plen % 8 != 0)) {
		*why = "non-last fragment payload is not a non-zero multiple of 8 octets";
		t->st.dropped++;
		return CONF_IPFRAG_DROPPED;
	}
	unsigned b = hash(h->src, h->dst, h->id, h->proto);
	struct dgram *d = t->bucket[b];
	while (d && !(d->src == h->src && d->dst == h->dst && d->id == h->id && d->proto == h->proto))
		d = d->next;
	if (!d) {
		if (t->count >= t->lim.max_datagrams) {
			*why = "too many datagrams in reassembly (limit max_datagrams)";
			t->st.dropped++;
			return CONF_IPFRAG_DROPPED;
		}
		d = calloc(1, sizeof *d);
		if (!d) {
			*why = "out of memory";
			t->st.dropped++;
			return CONF_IPFRAG_DROPPED;
		}
		d->src = h->src;
		d->dst = h->dst;
		d->id = h->id;
		d->proto = h->proto;
		d->first_ns = t_ns;
		d->next = t->bucket[b];
		t->bucket[b] = d;
		t->count++;
	}
	if (d->n >= t->lim.max_fragments) {
		*why = "too many fragments for one datagram (limit max_fragments)";
		t->st.dropped++;
		return CONF_IPFRAG_DROPPED;
	}
	int ov = check_overlap(d, h->frag_off, plen, payload);
	if (ov) {
		*overlap = ov;
		d->overlap = 1;
		t->st.overlaps++;
		if (ov == 2) {
			d->conflict = 1;
			t->st.conflicts++;
		}
	}
	if (!h->mf) {
		uint32_t total = (uint32_t)h->frag_off + plen;
		if (d->have_last && total != d->total) {
			*overlap = 2; /* two "last" fragments disagree on the size */
			d->overlap = d->conflict = 1;
			t->st.conflicts++;
		}
		if (!d->have_last) {
			d->total = total;
			d->have_last = 1;
		}
	}
	if (h->frag_off == 0 && !d->hlen) {
		memcpy(d->hdr, hdr, h->hlen);
		d->hlen = h->hlen;
	}
	if (d->n == d->cap) {
		uint32_t nc = d->cap ? d->cap * 2 : 4;
		struct frag *nf = realloc(d->f, nc * sizeof *nf);
		if (!nf) {
			*why = "out of memory";
			t->st.dropped++;
			return CONF_IPFRAG_DROPPED;
		}
		d->f = nf;
		d->cap = nc;
	}
	struct frag *f = &d->f[d->n];
	f->data = malloc(plen ? plen : 1);
	if (!f->data) {
		*why = "out of memory";
		t->st.dropped++;
		return CONF_IPFRAG_DROPPED;
	}
	memcpy(f->data, payload, plen);
	f->off = h->frag_off;
	f->len = plen;
	f->frame = frame;
	d->n++;
	if (!complete(d))
		return CONF_IPFRAG_HELD;
	int rc = build(d, out);
	unlink_dgram(t, d);
	dgram_free(d);
	if (rc < 0) {
		*why = "out of memory";
		t->st.dropped++;
		return CONF_IPFRAG_DROPPED;
	}
	t->st.completed++;
	return CONF_IPFRAG_COMPLETE;
}

const struct conf_ipfrag_stats *conf_ipfrag_stats(const struct conf_ipfrag *t)
{
	return &t->st;
}

uint32_t conf_ipfrag_pending(const struct conf_ipfrag *t)
{
	return t->count;
}
