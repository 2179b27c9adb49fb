/* conf_report.c — text, JSON and JUnit output of verdicts. */
#include "conformance/conf_report.h"

#include <string.h>

#include "conformance/conf_ipv4.h"
#include "ref/ike/ike_const.h"

int conf_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return CONF_FMT_TEXT;
	if (strcmp(s, "json") == 0)
		return CONF_FMT_JSON;
	if (strcmp(s, "junit") == 0)
		return CONF_FMT_JUNIT;
	return -1;
}

int conf_report_exit(const struct conf_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (runs[i].res.verdict == CONF_FAIL && runs[i].rule->force == CONF_MUST)
			return 1;
	return 0;
}

void conf_report_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n')
				fputc(*s, f);
		}
	}
}

static void sets_str(unsigned sets, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = 0;
	for (unsigned b = 1; b < CONF_SET_ALL && w < cap; b <<= 1)
		if (sets & b)
			w += (size_t)snprintf(buf + w, cap - w, "%s%s", w ? "," : "", conf_set_name(b));
}

static void evidence_str(const struct conf_result *r, char *buf, size_t cap)
{
	size_t w = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < r->n_ev && w + 12 < cap; i++)
		w += (size_t)snprintf(buf + w, cap - w, "%s%u", i ? "," : "", r->ev[i]);
	if (r->n_violations > r->n_ev && w + 12 < cap)
		snprintf(buf + w, cap - w, " (+%u)", r->n_violations - r->n_ev);
	if (!w)
		snprintf(buf, cap, "-");
}

static void stats_line(FILE *f, const struct conf_capture *c)
{
	const struct conf_stats *s = &c->st;
	fprintf(f,
		"%s: %s, %llu frames (%llu IPv4, %llu IPv6 not checked, %llu other); %u IKE messages, %u ESP "
		"packets, %llu NAT-keepalives, %llu IP fragments (%llu reassembled, %llu incomplete), %llu TCP "
		"streams (%llu IKE)\n",
		c->name, conf_link_name(c->dlt), (unsigned long long)s->frames, (unsigned long long)s->ipv4,
		(unsigned long long)s->ipv6, (unsigned long long)(s->other_l3 + s->link_errors), c->n_msg, c->n_esp,
		(unsigned long long)s->keepalives, (unsigned long long)s->fragments,
		(unsigned long long)s->reassembled, (unsigned long long)s->frag_incomplete,
		(unsigned long long)s->tcp_conns, (unsigned long long)s->tcp_ike_conns);
	if (c->frames_capped)
		fprintf(f, "%s: stopped after %u frames (limit)\n", c->name, c->n_pkt);
}

static void write_text(FILE *f, const struct conf_capture *c, const struct conf_run *runs, size_t n)
{
	stats_line(f, c);
	conf_report_dec_summary(f, c);
	fprintf(f, "\n%-7s %-8s %-28s %-26s %-14s %s\n", "VERDICT", "FORCE", "RULE", "RFC", "EVIDENCE",
		"EXPLANATION");
	size_t pass = 0, fail = 0, fail_must = 0, na = 0;
	for (size_t i = 0; i < n; i++) {
		const struct conf_run *x = &runs[i];
		char rfc[48], ev[128];
		snprintf(rfc, sizeof rfc, "%s §%s", x->rule->rfc, x->rule->section);
		evidence_str(&x->res, ev, sizeof ev);
		const char *v = x->res.verdict == CONF_FAIL ? (x->rule->force == CONF_MUST ? "FAIL" : "warn")
							    : conf_verdict_name(x->res.verdict);
		fprintf(f, "%-7s %-8s %-28s %-27s %-14s %s\n", v, conf_force_name(x->rule->force), x->rule->id, rfc,
			ev, x->res.why);
		pass += x->res.verdict == CONF_PASS;
		na += x->res.verdict == CONF_NA;
		fail += x->res.verdict == CONF_FAIL;
		fail_must += x->res.verdict == CONF_FAIL && x->rule->force == CONF_MUST;
	}
	fprintf(f, "\n%zu rules: %zu pass, %zu fail (%zu MUST), %zu not applicable\n", n, pass, fail, fail_must, na);
	conf_report_dec_text(f, c);
}

static void write_json(FILE *f, const struct conf_capture *c, const struct conf_run *runs, size_t n)
{
	const struct conf_stats *s = &c->st;
	fprintf(f, "{\"file\":");
	conf_report_json_str(f, c->name);
	fprintf(f, ",\"link\":\"%s\",\"stats\":{\"frames\":%llu,\"ipv4\":%llu,\"ipv6_not_checked\":%llu,"
		   "\"ike_messages\":%u,\"esp_packets\":%u,\"keepalives\":%llu,\"ip_fragments\":%llu,"
		   "\"reassembled\":%llu,\"tcp_streams\":%llu,\"tcp_ike_streams\":%llu},\"results\":[",
		conf_link_name(c->dlt), (unsigned long long)s->frames, (unsigned long long)s->ipv4,
		(unsigned long long)s->ipv6, c->n_msg, c->n_esp, (unsigned long long)s->keepalives,
		(unsigned long long)s->fragments, (unsigned long long)s->reassembled,
		(unsigned long long)s->tcp_conns, (unsigned long long)s->tcp_ike_conns);
	for (size_t i = 0; i < n; i++) {
		const struct conf_run *x = &runs[i];
		char sets[96];
		sets_str(x->rule->sets, sets, sizeof sets);
		fprintf(f, "%s{\"id\":\"%s\",\"rfc\":", i ? "," : "", x->rule->id);
		conf_report_json_str(f, x->rule->rfc);
		fprintf(f, ",\"section\":\"%s\",\"force\":\"%s\",\"sets\":\"%s\",\"title\":", x->rule->section,
			conf_force_name(x->rule->force), sets);
		conf_report_json_str(f, x->rule->title);
		fprintf(f, ",\"verdict\":\"%s\",\"evidence\":[", conf_verdict_name(x->res.verdict));
		for (uint32_t e = 0; e < x->res.n_ev; e++)
			fprintf(f, "%s%u", e ? "," : "", x->res.ev[e]);
		fprintf(f, "],\"violations\":%u,\"checked\":%u,\"explanation\":", x->res.n_violations, x->res.n_checked);
		conf_report_json_str(f, x->res.why);
		fputc('}', f);
	}
	fputc(']', f);
	conf_report_dec_json(f, c);
	fprintf(f, ",\"exit\":%d}\n", conf_report_exit(runs, n));
}

static void write_junit(FILE *f, const struct conf_capture *c, const struct conf_run *runs, size_t n)
{
	size_t failures = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		failures += runs[i].res.verdict == CONF_FAIL && runs[i].rule->force == CONF_MUST;
		skipped += runs[i].res.verdict == CONF_NA;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"vpnlab check ");
	xml_str(f, c->name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", n, failures, skipped);
	for (size_t i = 0; i < n; i++) {
		const struct conf_run *x = &runs[i];
		char sets[96], ev[128];
		sets_str(x->rule->sets, sets, sizeof sets);
		evidence_str(&x->res, ev, sizeof ev);
		fprintf(f, "  <testcase classname=\"conformance.%s\" name=\"%s (%s ", sets, x->rule->id, x->rule->rfc);
		fprintf(f, "§%s %s)\">\n", x->rule->section, conf_force_name(x->rule->force));
		if (x->res.verdict == CONF_NA) {
			fprintf(f, "    <skipped message=\"");
			xml_str(f, x->res.why);
			fprintf(f, "\"/>\n");
		} else if (x->res.verdict == CONF_FAIL && x->rule->force == CONF_MUST) {
			fprintf(f, "    <failure type=\"MUST\" message=\"");
			xml_str(f, x->res.why);
			fprintf(f, "\">frames: %s</failure>\n", ev);
		} else if (x->res.verdict == CONF_FAIL) {
			fprintf(f, "    <system-out>WARNING (%s): ", conf_force_name(x->rule->force));
			xml_str(f, x->res.why);
			fprintf(f, " frames: %s</system-out>\n", ev);
		}
		fprintf(f, "  </testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
}

void conf_report_write(FILE *f, enum conf_format fmt, const struct conf_capture *c,
		       const struct conf_run *runs, size_t n)
{
	switch (fmt) {
	case CONF_FMT_TEXT: write_text(f, c, runs, n); break;
	case CONF_FMT_JSON: write_json(f, c, runs, n); break;
	case CONF_FMT_JUNIT: write_junit(f, c, runs, n); break;
	}
}

static void msg_line(FILE *f, const struct conf_msg *m)
{
	if (!m->hdr_ok) {
		fprintf(f, " [IKE header unreadable]");
		return;
	}
	if (m->version == 2) {
		fprintf(f, " %s %s mid %u [", ike_exchange_name(m->hdr.exch),
			(m->hdr.flags & IKE_FLAG_R) ? "response" : "request", m->hdr.msgid);
		for (int i = 0; i < m->v2.n_pl; i++) {
			if (m->v2.pl[i].type == IKE_PL_NOTIFY)
				continue;
			if (m->v2.pl[i].type == IKE_PL_SKF)
				fprintf(f, "%sSKF(%u/%u)", i ? " " : "", m->v2.skf_num, m->v2.skf_total);
			else
				fprintf(f, "%s%s", i ? " " : "", ike_payload_name(m->v2.pl[i].type));
		}
		for (int i = 0; i < m->v2.n_notify; i++)
			fprintf(f, " N(%s)", ike_notify_name(m->v2.nt[i].type));
		fprintf(f, "]");
		if (!m->v2.ok)
			fprintf(f, " error: %s", m->v2.err);
	} else if (m->version == 1) {
		fprintf(f, " ISAKMP %s mid %u%s [", ikev1_exchange_name(m->hdr.exch), m->hdr.msgid,
			m->v1.encrypted ? " encrypted" : "");
		for (int i = 0; i < m->v1.n_pl; i++)
			fprintf(f, "%s%s", i ? " " : "", ikev1_payload_name(m->v1.pl[i].type));
		fprintf(f, "]");
		if (m->v1.has_id)
			fprintf(f, " id=%s", m->v1.id_str);
		if (!m->v1.ok)
			fprintf(f, " error: %s", m->v1.err);
	} else {
		fprintf(f, " IKE version 0x%02x", m->hdr.version);
	}
}

void conf_report_dump(FILE *f, const struct conf_capture *c)
{
	for (uint32_t i = 0; i < c->n_pkt; i++) {
		const struct conf_pkt *k = &c->pkt[i];
		char a[16], b[16];
		fprintf(f, "%6u %10llu.%09llu %-14s", k->num, (unsigned long long)(k->t_ns / 1000000000u),
			(unsigned long long)(k->t_ns % 1000000000u), conf_kind_name(k->kind));
		if (k->ip_ok && (k->sport || k->dport))
			fprintf(f, " %s:%u > %s:%u len %u%s", conf_ipv4_fmt(k->src, a), k->sport, conf_ipv4_fmt(k->dst, b),
				k->dport, k->ip_len, k->df ? " DF" : "");
		else if (k->ip_ok)
			fprintf(f, " %s > %s proto %u len %u%s", conf_ipv4_fmt(k->src, a), conf_ipv4_fmt(k->dst, b), k->proto,
				k->ip_len, k->df ? " DF" : "");
		if (k->frag.is_fragment)
			fprintf(f, " frag off %u%s%s", k->frag_off, k->mf ? " MF" : "",
				k->frag.reassembled_in ? "" : " (not reassembled)");
		if (k->frag.reassembled)
			fprintf(f, " reassembled from %u frames, %u octets", k->frag.n_parts, k->dgram_len);
		if (k->kind == CONF_K_ESP || k->kind == CONF_K_ESP_UDP)
			fprintf(f, " SPI 0x%08x seq %u", k->esp_spi, k->esp_seq);
		if (k->kind == CONF_K_ICMP)
			fprintf(f, " type %u code %u%s", k->icmp.type, k->icmp.code, "");
		if (k->kind == CONF_K_ICMP && k->icmp.type == 3 && k->icmp.code == 4)
			fprintf(f, " mtu %u", k->icmp.mtu);
		for (uint32_t m = 0; m < k->n_msg; m++)
			msg_line(f, &c->msg[k->first_msg + m]);
		conf_report_dec_frame(f, c, k);
		if (k->why)
			fprintf(f, " (%s)", k->why);
		if (k->note[0])
			fprintf(f, " (%s)", k->note);
		fputc('\n', f);
	}
}

void conf_report_list_rules(FILE *f, enum conf_format fmt)
{
	const struct conf_rule *const *all = conf_rules();
	if (fmt == CONF_FMT_JSON) {
		fputc('[', f);
		for (size_t i = 0; all[i]; i++) {
			char sets[96];
			sets_str(all[i]->sets, sets, sizeof sets);
			fprintf(f, "%s{\"id\":\"%s\",\"rfc\":", i ? "," : "", all[i]->id);
			conf_report_json_str(f, all[i]->rfc);
			fprintf(f, ",\"section\":\"%s\",\"force\":\"%s\",\"sets\":\"%s\",\"title\":", all[i]->section,
				conf_force_name(all[i]->force), sets);
			conf_report_json_str(f, all[i]->title);
			fputc('}', f);
		}
		fprintf(f, "]\n");
		return;
	}
	fprintf(f, "%-28s %-26s %-9s %-22s %s\n", "RULE", "RFC", "FORCE", "SETS", "TITLE");
	for (size_t i = 0; all[i]; i++) {
		char rfc[48], sets[96];
		snprintf(rfc, sizeof rfc, "%s §%s", all[i]->rfc, all[i]->section);
		sets_str(all[i]->sets, sets, sizeof sets);
		fprintf(f, "%-28s %-27s %-9s %-22s %s\n", all[i]->id, rfc, conf_force_name(all[i]->force), sets,
			all[i]->title);
	}
}
