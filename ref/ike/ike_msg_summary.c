/*
 * ike_msg_summary.c — one line per message for events and the regress /
 * check verbs, in the style strongSwan users read every day:
 *   IKE_AUTH request mid 1 [IDi AUTH SA TSi TSr N(INITIAL_CONTACT)] 320 B
 */
#include "ref/ike/ike_msg.h"
#include "ref/util/evlog.h"

#include <stdarg.h>
#include <stdio.h>

struct sbuf {
	char *p;
	size_t cap, len; /* len counts what was wanted, like snprintf */
};

static void sb_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->len < s->cap ? s->p + s->len : NULL, s->len < s->cap ? s->cap - s->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

static void put_payload(struct sbuf *s, const struct ike_msg *m, const struct ike_pl *p, int *first)
{
	sb_printf(s, "%s", *first ? "" : " ");
	*first = 0;
	if (p->unknown) {
		sb_printf(s, "?(%u)", p->type);
	} else if (p->type == IKE_PL_NOTIFY && p->len >= 4) {
		uint16_t t = ike_get16(p->body + 2);
		const char *n = ike_name_lookup(&ike_notify_names, t);

		if (n != NULL)
			sb_printf(s, "N(%s)", n);
		else
			sb_printf(s, "N(%u)", t);
	} else if (p->type == IKE_PL_SKF) {
		sb_printf(s, "SKF(%u/%u)", m->frag_num, m->frag_total);
	} else {
		sb_printf(s, "%s", ike_payload_name(p->type));
	}
}

static void put_list(struct sbuf *s, const struct ike_msg *m)
{
	int first = 1;

	for (size_t i = 0; i < m->outer.n; i++) {
		const struct ike_pl *p = &m->outer.pl[i];

		if (p == m->sk && m->inner_parsed)
			continue; /* show what it carried instead */
		put_payload(s, m, p, &first);
	}
	if (m->inner_parsed)
		for (size_t i = 0; i < m->inner.n; i++)
			put_payload(s, m, &m->inner.pl[i], &first);
}

size_t ike_msg_payload_list(const struct ike_msg *m, char *out, size_t cap)
{
	struct sbuf s = {out, cap, 0};

	if (cap > 0)
		out[0] = '\0';
	put_list(&s, m);
	return s.len;
}

size_t ike_msg_summary(const struct ike_msg *m, char *out, size_t cap)
{
	struct sbuf s = {out, cap, 0};
	const char *ex = ike_name_lookup(&ike_exchange_names, m->hdr.exchange);

	if (cap > 0)
		out[0] = '\0';
	if (ex != NULL)
		sb_printf(&s, "%s", ex);
	else
		sb_printf(&s, "EXCHANGE(%u)", m->hdr.exchange);
	sb_printf(&s, " %s mid %u [", ike_hdr_is_response(&m->hdr) ? "response" : "request", m->hdr.msg_id);
	put_list(&s, m);
	sb_printf(&s, "] %zu B", m->len);
	return s.len;
}

void ike_msg_ev(struct evbuf *e, const struct ike_msg *m)
{
	char list[768], xb[IKE_NAME_BUF];

	ev_str(e, "exch", ike_name_fmt(&ike_exchange_names, m->hdr.exchange, xb, sizeof xb));
	ev_bool(e, "resp", ike_hdr_is_response(&m->hdr));
	ev_u64(e, "mid", m->hdr.msg_id);
	ev_hex(e, "spi_i", m->raw, IKE_SPI_LEN); /* parsed messages have >= 28 octets */
	ev_hex(e, "spi_r", m->raw + IKE_SPI_LEN, IKE_SPI_LEN);
	ike_msg_payload_list(m, list, sizeof list);
	ev_str(e, "payloads", list);
	ev_u64(e, "len", m->len);
}
