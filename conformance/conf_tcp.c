/* conf_tcp.c — TCP header parsing and one-direction stream reassembly. */
#include "conformance/conf_tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conf_tcp_seg {
	uint32_t seq, len, frame;
	uint8_t *data;
	struct conf_tcp_seg *next;
};

int conf_tcp_parse(const uint8_t *p, uint32_t len, struct conf_tcphdr *h, char *err, size_t errlen)
{
	if (len < 20) {
		snprintf(err, errlen, "TCP header truncated: %u octets, expected >= 20", len);
		return -1;
	}
	h->sport = (uint16_t)(p[0] << 8 | p[1]);
	h->dport = (uint16_t)(p[2] << 8 | p[3]);
	h->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	h->ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	h->hlen = (uint8_t)((p[12] >> 4) * 4);
	h->flags = p[13];
	h->win = (uint16_t)(p[14] << 8 | p[15]);
	if (h->hlen < 20) {
		snprintf(err, errlen, "TCP data offset %u, expected >= 5", h->hlen / 4);
		return -1;
	}
	if (h->hlen > len) {
		snprintf(err, errlen, "TCP header length %u exceeds the %u octets present", h->hlen, len);
		return -1;
	}
	return h->hlen;
}

/* diff is the signed distance a - b in sequence space. */
static int32_t diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static void note_retrans(struct conf_tcpdir *d, uint32_t n)
{
	d->retrans_bytes += n;
}

static void deliver(struct conf_tcpdir *d, const uint8_t *p, uint32_t n, uint32_t frame,
		    conf_tcp_deliver_fn fn, void *ctx)
{
	if (!n)
		return;
	d->next += n;
	d->delivered += n;
	fn(ctx, p, n, frame);
}

/* drain delivers queued segments that became in order. */
static void drain(struct conf_tcpdir *d, uint32_t frame, conf_tcp_deliver_fn fn, void *ctx)
{
	while (d->ooo && diff(d->ooo->seq, d->next) <= 0) {
		struct conf_tcp_seg *s = d->ooo;
		d->ooo = s->next;
		d->ooo_bytes -= s->len;
		d->ooo_n--;
		int32_t skip = diff(d->next, s->seq);
		if ((uint32_t)skip < s->len) {
			if (skip)
				note_retrans(d, (uint32_t)skip); /* overlapped data already delivered */
			deliver(d, s->data + skip, s->len - (uint32_t)skip, frame, fn, ctx);
		} else {
			note_retrans(d, s->len);
		}
		free(s->data);
		free(s);
	}
}

/* gap_to_first skips the hole before the first queued segment. */
static void gap_to_first(struct conf_tcpdir *d, uint32_t frame, conf_tcp_deliver_fn fn, void *ctx)
{
	if (!d->ooo)
		return;
	uint32_t hole = (uint32_t)diff(d->ooo->seq, d->next);
	d->gaps++;
	fn(ctx, NULL, hole, frame);
	d->next = d->ooo->seq;
	drain(d, frame, fn, ctx);
}

static void queue(struct conf_tcpdir *d, const struct conf_tcp_limits *lim, uint32_t seq,
		  const uint8_t *data, uint32_t len, uint32_t frame, conf_tcp_deliver_fn fn, void *ctx)
{
	/* a copy of an already queued segment: count as retransmission */
	struct conf_tcp_seg **pp = &d->ooo;
	while (*pp && diff((*pp)->seq, seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len) {
		if (memcmp((*pp)->data, data, len) != 0)
			d->conflicts++;
		d->retrans_segs++;
		note_retrans(d, len);
		return;
	}
	struct conf_tcp_seg *s = malloc(sizeof *s);
	uint8_t *copy = malloc(len);
	if (!s || !copy) {
		free(s);
		free(copy);
		return;
	}
	memcpy(copy, data, len);
	s->seq = seq;
	s->len = len;
	s->frame = frame;
	s->data = copy;
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += len;
	d->ooo_n++;
	uint32_t max_b = lim && lim->max_ooo_bytes ? lim->max_ooo_bytes : 1u << 20;
	uint32_t max_n = lim && lim->max_ooo_segments ? lim->max_ooo_segments : 1024;
	/* Over the limit: the missing data is not coming; skip to what we have. */
	while (d->ooo && (d->ooo_bytes > max_b || d->ooo_n > max_n))
		gap_to_first(d, frame, fn, ctx);
}

void conf_tcpdir_segment(struct conf_tcpdir *d, const struct conf_tcp_limits *lim, uint32_t seq,
			 uint8_t flags, const uint8_t *data, uint32_t len, uint32_t frame,
			 conf_tcp_deliver_fn fn, void *ctx)
{
	if (flags & CONF_TCP_RST)
		d->rst = 1;
	if (flags & CONF_TCP_SYN) {
		if (!d->syn_seen) {
			d->syn_seen = 1;
			d->isn = seq;
			if (!d->started || d->delivered == 0) {
				d->next = seq + 1;
				d->started = 1;
			}
		}
		seq += 1; /* SYN occupies one sequence number; data (TFO) follows */
	}
	if (flags & CONF_TCP_FIN)
		d->fin = 1;
	if (!len)
		return;
	if (!d->started) {
		d->started = 1;
		d->next = seq;
	}
	int32_t rel = diff(seq, d->next);
	if (rel <= 0) {
		uint32_t old = d->next - seq; /* 0 .. 2^31, no signed negation */
		if (old >= len) { /* entirely seen before */
			d->retrans_segs++;
			note_retrans(d, len);
			return;
		}
		if (old) {
			d->retrans_segs++;
			note_retrans(d, old);
		}
		deliver(d, data + old, len - old, frame, fn, ctx);
		drain(d, frame, fn, ctx);
		return;
	}
	queue(d, lim, seq, data, len, frame, fn, ctx);
}

void conf_tcpdir_flush(struct conf_tcpdir *d, uint32_t frame, conf_tcp_deliver_fn fn, void *ctx)
{
	while (d->ooo)
		gap_to_first(d, frame, fn, ctx);
}

void conf_tcpdir_free(struct conf_tcpdir *d)
{
	while (d->ooo) {
		struct conf_tcp_seg *s = d->ooo;
		d->ooo = s->next;
		free(s->data);
		free(s);
	}
	d->ooo_bytes = d->ooo_n = 0;
}
