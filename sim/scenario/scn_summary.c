/*
 * scn_summary.c — summary.txt (scn_summary.h).
 */
#include "sim/scenario/scn_summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mbox/mbox.h"
#include "sim/scenario/scn_units.h"

static void path_lines(FILE *f, const struct scn *s)
{
	char a[16], b[16], d[32];
	fprintf(f, "  client   %s/%d\n", scn_fmt_ip4(s->client_end.addr, a), s->client_end.prefix);
	for (size_t i = 0; i < s->n_links; i++) {
		const struct scn_link *l = &s->links[i];
		char rate[32];
		if (l->rate_bps % 1000000000 == 0)
			snprintf(rate, sizeof rate, "%llu Gbit/s", (unsigned long long)(l->rate_bps / 1000000000));
		else
			snprintf(rate, sizeof rate, "%.6g Mbit/s", (double)l->rate_bps / 1e6);
		fprintf(f, "  link     %-8s %s, %s one way, MTU %u", l->name, rate,
			scn_fmt_duration(l->delay_ns, d, sizeof d), l->mtu);
		if (l->loss > 0)
			fprintf(f, ", loss %.1f %%", l->loss * 100);
		fputc('\n', f);
		if (i >= s->n_boxes)
			continue;
		const struct scn_box *x = &s->boxes[i];
		fprintf(f, "  %-8s %-8s ", scn_box_kind_name(x->kind), x->name);
		switch (x->kind) {
		case SCN_BOX_NAT:
			fprintf(f, "public %s, fragments %s, UDP timeout %s%s\n",
				scn_fmt_ip4(x->u.nat.public_addr, a), mbox_nat_frag_name(x->u.nat.frag),
				scn_fmt_duration(x->u.nat.udp_timeout_ns, d, sizeof d),
				x->u.nat.port_preserve ? ", port-preserving" : "");
			break;
		case SCN_BOX_MTU:
			fprintf(f, "egress MTU %zu toward the gateway, %s (from %s)\n", x->u.mtu.mtu[1],
				mbox_mtu_mode_name(x->u.mtu.mode), scn_fmt_ip4(x->u.mtu.addr, b));
			break;
		case SCN_BOX_ROUTER:
			fprintf(f, "plain router %s\n", scn_fmt_ip4(x->u.mtu.addr, b));
			break;
		case SCN_BOX_FILTER:
			fprintf(f, "%zu allow rule(s), %s\n", x->u.filter.nrules,
				mbox_filter_mode_name(x->u.filter.mode));
			break;
		case SCN_BOX_CLUSTER:
			fprintf(f, "%d members, key %s, recover %s\n", x->u.cluster.members,
				mbox_cluster_key_name(x->u.cluster.key),
				mbox_cluster_recover_name(x->u.cluster.recover));
			break;
		case SCN_BOX_IMPAIR:
			fprintf(f, "loss %.1f %% / %.1f %%, delay %s\n", x->u.impair.dir[0].loss * 100,
				x->u.impair.dir[1].loss * 100,
				scn_fmt_duration(x->u.impair.dir[0].delay_ns, d, sizeof d));
			break;
		}
	}
	fprintf(f, "  gateway  %s/%d", scn_fmt_ip4(s->gateway_end.addr, a), s->gateway_end.prefix);
	if (scn_members(s) > 1)
		fprintf(f, " (x%d cluster members)", scn_members(s));
	fputc('\n', f);
}

/* timeline_state limits repetitive lines: middlebox drops show the first 3 per (box, reason). */
struct timeline_state {
	char seen[32][96];
	unsigned count[32];
	size_t n;
};

static int drop_budget(struct timeline_state *ts, const char *key)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->seen[i], key) == 0)
			return ++ts->count[i] <= 3;
	if (ts->n < 32) {
		scn_copy(ts->seen[ts->n], sizeof ts->seen[0], key);
		ts->count[ts->n++] = 1;
	}
	return 1;
}

static void add_field(char *out, size_t cap, const char *l, const char *key, const char *fmt)
{
	char v[160];
	if (scn_ev_field(l, key, v, sizeof v) == 1) {
		size_t n = strlen(out);
		snprintf(out + n, cap - n, fmt, v);
	}
}

/* timeline_line turns one event into a line, or returns 0 if it is not worth one. */
static int timeline_line(struct timeline_state *ts, const char *l, char *out, size_t cap)
{
	char src[32], ev[32], who[32], a[300], b[64], c[64];
	if (scn_ev_field(l, "src", src, sizeof src) != 1 || scn_ev_field(l, "ev", ev, sizeof ev) != 1)
		return 0;
	double t = (double)scn_ev_time(l) / 1e9;
	if (scn_ev_field(l, "who", who, sizeof who) != 1 && scn_ev_field(l, "box", who, sizeof who) != 1)
		scn_copy(who, sizeof who, src);
	if (strcmp(src, "scenario") == 0) {
		if (strcmp(ev, "action") == 0 && scn_ev_field(l, "what", a, sizeof a) == 1) {
			snprintf(out, cap, "%10.3f  scenario  %s", t, a);
			return 1;
		}
		if (strncmp(ev, "flow", 4) == 0 && scn_ev_field(l, "flow", b, sizeof b) == 1) {
			snprintf(out, cap, "%10.3f  scenario  %s %s", t, ev, b);
			add_field(out, cap, l, "dst", " to %s");
			add_field(out, cap, l, "reason", ": %s");
			return 1;
		}
		return 0;
	}
	if (strcmp(src, "ike") == 0) {
		if (strcmp(ev, "msg") == 0 && scn_ev_field(l, "summary", a, sizeof a) == 1 &&
		    scn_ev_field(l, "dir", b, sizeof b) == 1) {
			snprintf(out, cap, "%10.3f  %-8s  %s %s", t, who, strcmp(b, "sent") == 0 ? "->" : "<-", a);
			return 1;
		}
		if (strcmp(ev, "state") == 0 && scn_ev_field(l, "from", b, sizeof b) == 1 &&
		    scn_ev_field(l, "to", c, sizeof c) == 1) {
			snprintf(out, cap, "%10.3f  %-8s  state %s -> %s", t, who, b, c);
			return 1;
		}
		if (strcmp(ev, "nat") == 0) {
			snprintf(out, cap, "%10.3f  %-8s  NAT detection:", t, who);
			add_field(out, cap, l, "local", " behind a NAT=%s");
			add_field(out, cap, l, "remote", ", peer behind a NAT=%s");
			add_field(out, cap, l, "encap", ", UDP encapsulation=%s");
			return 1;
		}
		if (strcmp(ev, "float") == 0 || strcmp(ev, "path") == 0) {
			snprintf(out, cap, "%10.3f  %-8s  %s", t, who, strcmp(ev, "float") == 0 ? "float to" : "peer moved to");
			add_field(out, cap, l, "remote", " %s");
			add_field(out, cap, l, "rport", ":%s");
			return 1;
		}
		if (strcmp(ev, "drop") == 0 && scn_ev_field(l, "reason", b, sizeof b) == 1) {
			snprintf(out, cap, "%10.3f  %-8s  dropped (%s)", t, who, b);
			add_field(out, cap, l, "msg", ": %s");
			return 1;
		}
		static const char *const plain[] = {"retransmit", "dpd", "auth_failed", "child_up",
						    "child_down", "child_offer", "delete", "rekey",
						    "peer_dead", "lease", "config", "resend_response",
						    "rekey_start", "rekeyed"};
		for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
			if (strcmp(ev, plain[i]) == 0) {
				snprintf(out, cap, "%10.3f  %-8s  %s", t, who, ev);
				add_field(out, cap, l, "exchange", " %s");
				add_field(out, cap, l, "list", " list=%s");
				add_field(out, cap, l, "proposals", " proposals=%s");
				add_field(out, cap, l, "reason", " (%s)");
				add_field(out, cap, l, "alg", " (%s)");
				add_field(out, cap, l, "vip", " vip=%s");
				add_field(out, cap, l, "try", " try %s");
				return 1;
			}
		return 0;
	}
	/* middleboxes */
	if (strcmp(ev, "map") == 0 || strcmp(ev, "unmap") == 0) {
		snprintf(out, cap, "%10.3f  %-8s  %s", t, who, ev);
		add_field(out, cap, l, "proto", " %s");
		add_field(out, cap, l, "in", " %s");
		add_field(out, cap, l, "in_port", ":%s");
		add_field(out, cap, l, "ext", " <-> %s");
		add_field(out, cap, l, "ext_port", ":%s");
		add_field(out, cap, l, "why", " (%s)");
		return 1;
	}
	if (strcmp(ev, "member") == 0) {
		snprintf(out, cap, "%10.3f  %-8s  member", t, who);
		add_field(out, cap, l, "member", " %s");
		add_field(out, cap, l, "state", " %s");
		add_field(out, cap, l, "moved", " (%s flows moved)");
		return 1;
	}
	if (strcmp(ev, "reboot") == 0 || strcmp(ev, "mtu") == 0) {
		snprintf(out, cap, "%10.3f  %-8s  %s", t, who, ev);
		add_field(out, cap, l, "flushed", " (%s mappings flushed)");
		add_field(out, cap, l, "from", " %s");
		add_field(out, cap, l, "to", " -> %s");
		return 1;
	}
	if (strcmp(ev, "drop") == 0 && scn_ev_field(l, "reason", b, sizeof b) == 1) {
		char key[96];
		snprintf(key, sizeof key, "%.40s/%.40s", who, b);
		int n = drop_budget(ts, key);
		if (!n)
			return 0;
		snprintf(out, cap, "%10.3f  %-8s  drop %s", t, who, b);
		add_field(out, cap, l, "proto", ": %s");
		add_field(out, cap, l, "saddr", " %s");
		add_field(out, cap, l, "sport", ":%s");
		add_field(out, cap, l, "daddr", " > %s");
		add_field(out, cap, l, "dport", ":%s");
		add_field(out, cap, l, "len", " len %s");
		add_field(out, cap, l, "off", " frag off %s");
		if (ts->count[ts->n - 1] == 3 || n == 0) {
			size_t k = strlen(out);
			snprintf(out + k, cap - k, " (further %s drops not listed)", b);
		}
		return 1;
	}
	return 0;
}

static void timeline(FILE *f, const struct scn *s, const struct scn_result *r)
{
	const struct scn_meas *m = r->meas;
	size_t n = scn_meas_n_events(m), shown = 0, total = 0;
	char line[600];
	struct timeline_state ts;
	(void)s;
	memset(&ts, 0, sizeof ts);
	for (size_t i = 0; i < n; i++)
		total += timeline_line(&ts, scn_meas_event_line(m, i), line, sizeof line);
	memset(&ts, 0, sizeof ts);
	size_t head = total > SCN_TIMELINE_MAX ? SCN_TIMELINE_MAX - 20 : total;
	for (size_t i = 0; i < n; i++) {
		if (!timeline_line(&ts, scn_meas_event_line(m, i), line, sizeof line))
			continue;
		shown++;
		if (shown <= head || shown > total - (total > SCN_TIMELINE_MAX ? 20 : 0))
			fprintf(f, "%s\n", line);
		else if (shown == head + 1)
			fprintf(f, "%10s  ... %zu more lines (events.jsonl has them all) ...\n", "",
				total - SCN_TIMELINE_MAX);
	}
	if (!total)
		fprintf(f, "  (no IKE or scenario events)\n");
}

void scn_summary_print(FILE *f, const struct scn *s, const struct scn_result *r)
{
	fprintf(f, "%s — %s (%zu/%zu expectations met)\n", s->name, r->pass ? "PASS" : "FAIL",
		r->n_pass, r->n_pass + r->n_fail);
	fprintf(f, "file %s, seed %llu; %.3f s simulated in %.3f s wall (%llu events)\n\n", s->file,
		(unsigned long long)r->seed, (double)r->sim_ns / 1e9, r->wall_s,
		(unsigned long long)r->sim_events);
	fprintf(f, "%s\n", s->description);
	fprintf(f, "topology:\n%s\n", s->topology);
	fprintf(f, "path:\n");
	path_lines(f, s);
	fprintf(f, "\nexpectations:\n");
	for (size_t i = 0; i < s->n_expect; i++)
		fprintf(f, "  %-4s  %-52s measured %s\n", r->item[i].pass ? "ok" : "FAIL", s->expect[i].text,
			r->item[i].got_text);
	if (s->has_client) {
		static const char *const ex[] = {"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL"};
		fprintf(f, "\nlargest IKE request sent (octets on the wire), CHILD SA proposal lists offered:\n");
		fprintf(f, "  %-8s", "");
		for (int i = 0; i < 4; i++)
			fprintf(f, " %16s", ex[i]);
		fprintf(f, " %10s\n", "offers");
		static const char *const sides[] = {"client", "gateway"};
		for (int k = 0; k < 2; k++) {
			char name[64];
			fprintf(f, "  %-8s", sides[k]);
			for (int i = 0; i < 4; i++) {
				snprintf(name, sizeof name, "%s.size.%s", sides[k], ex[i]);
				const struct scn_value *v = scn_meas_get(r->meas, name);
				if (v && v->num > 0)
					fprintf(f, " %16.0f", v->num);
				else
					fprintf(f, " %16s", "-");
			}
			snprintf(name, sizeof name, "%s.proposal_attempts", sides[k]);
			const struct scn_value *v = scn_meas_get(r->meas, name);
			fprintf(f, " %10.0f\n", v ? v->num : 0);
		}
	}
	fprintf(f, "\ntimeline:\n");
	timeline(f, s, r);
	fprintf(f, "\nmeasurements (zeros of drop reasons left out):\n");
	char val[96];
	for (size_t i = 0; i < scn_meas_count(r->meas); i++) {
		const char *name = scn_meas_name(r->meas, i);
		const struct scn_value *v = scn_meas_get(r->meas, name);
		if (strncmp(name, "drops.", 6) == 0 && strchr(name + 6, '.') && v->num == 0)
			continue;
		fprintf(f, "  %-44s %s\n", name, scn_value_format(v, val, sizeof val));
	}
	if (r->n_pcaps) {
		fprintf(f, "\ncaptures:\n");
		for (size_t i = 0; i < r->n_pcaps; i++)
			fprintf(f, "  %s\n", r->pcap[i]);
	}
}

int scn_summary_write(const char *path, const struct scn *s, const struct scn_result *r, char *err,
		      size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	scn_summary_print(f, s, r);
	if (fclose(f) != 0) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
