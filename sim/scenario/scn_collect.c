/*
 * scn_collect.c — metrics from the live simulation and from the events
 * (scn_collect.h). Gateway metrics are sums over the cluster members
 * (state and exchanges: the first member that has an IKE SA).
 */
#include "sim/scenario/scn_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike.h"
#include "sim/host.h"
#include "sim/mbox/mbox.h"
#include "sim/ns3apps.h"
#include "sim/scenario/scn_units.h"

static void set_count(struct scn_meas *m, const char *name, uint64_t v)
{
	scn_meas_set_num(m, name, SCN_U_COUNT, (double)v);
}

static void host_side(struct scn_meas *m, const char *side, struct host *const *hosts, int n)
{
	uint64_t sealed = 0, opened = 0, rejected = 0, drops = 0;
	for (int k = 0; k < n; k++) {
		struct host_stats hs;
		if (!hosts[k])
			continue;
		host_stats(hosts[k], &hs);
		sealed += hs.sealed;
		opened += hs.opened;
		rejected += host_stats_rejected(&hs);
		for (int i = 0; i < HOST_DROP__COUNT; i++)
			drops += hs.drops[i];
	}
	char k[64];
	snprintf(k, sizeof k, "%s.esp_sealed", side);
	set_count(m, k, sealed);
	snprintf(k, sizeof k, "%s.esp_opened", side);
	set_count(m, k, opened);
	snprintf(k, sizeof k, "%s.esp_rejected", side);
	set_count(m, k, rejected);
	snprintf(k, sizeof k, "%s.host_drops", side);
	set_count(m, k, drops);
}

/*
 * engine_side: the engines of |hosts| (every engine each host had: counts
 * over a killed engine's life count too; state and SAs from the live ones).
 */
static void engine_side(struct scn_meas *m, const char *side, struct host *const *hosts, int n,
			unsigned restarts)
{
	struct ike_counts sum;
	memset(&sum, 0, sizeof sum);
	size_t sas = 0, children = 0;
	int established = 0;
	const char *state = "NONE";
	for (int k = 0; k < n; k++) {
		for (size_t j = 0; hosts[k] && j < host_ike_count(hosts[k]); j++) {
			const struct host_ike *hi = host_ike_get(hosts[k], j);
			struct ike_counts c;
			memset(&c, 0, sizeof c);
			host_ike_counts(hi, &c);
			sum.msgs_sent += c.msgs_sent;
			sum.msgs_recv += c.msgs_recv;
			sum.frags_sent += c.frags_sent;
			sum.frags_recv += c.frags_recv;
			sum.retransmits += c.retransmits;
			sum.resent_responses += c.resent_responses;
			sum.drops += c.drops;
			sum.keepalives_sent += c.keepalives_sent;
			sum.children_up += c.children_up;
			sum.children_down += c.children_down;
			const struct ike_engine *e = host_ike_engine(hi);
			if (!e)
				continue;
			sas += ike_sa_count(e);
			established |= host_ike_established(hi);
			struct ike_sa_status st;
			if (!strcmp(state, "NONE") && ike_sa_status(e, 0, &st) == 0) {
				state = ike_state_name(st.state);
				children = st.n_children;
			}
		}
	}
	char k[64];
#define SET(field)                                              \
	snprintf(k, sizeof k, "%s." #field, side);              \
	set_count(m, k, sum.field)
	SET(msgs_sent);
	SET(msgs_recv);
	SET(frags_sent);
	SET(frags_recv);
	SET(retransmits);
	SET(resent_responses);
	SET(drops);
	SET(keepalives_sent);
	SET(children_up);
	SET(children_down);
#undef SET
	snprintf(k, sizeof k, "%s.sas", side);
	set_count(m, k, sas);
	snprintf(k, sizeof k, "%s.children", side);
	set_count(m, k, children);
	snprintf(k, sizeof k, "%s.established", side);
	scn_meas_set_num(m, k, SCN_U_BOOL, established);
	snprintf(k, sizeof k, "%s.state", side);
	scn_meas_set_words(m, k, state);
	snprintf(k, sizeof k, "%s.restarts", side);
	set_count(m, k, restarts);
}

static void flows(const struct scn_collect_in *in, struct scn_meas *m)
{
	const struct scn *s = in->s;
	for (size_t i = 0; i < s->n_traffic; i++) {
		const struct scn_traffic *t = &s->traffic[i];
		struct ns3apps_stats src, dst;
		memset(&src, 0, sizeof src);
		memset(&dst, 0, sizeof dst);
		if (in->flow_app[i] >= 0)
			ns3apps_stats(in->flow_app[i], &src);
		if (in->flow_sink[i] >= 0)
			ns3apps_stats(in->flow_sink[i], &dst);
		/* ping: the source sees the replies; udp/tcp: the sink receives */
		const struct ns3apps_stats *rx = t->kind == SCN_TR_PING ? &src : &dst;
		char k[96];
#define NAME(f) (snprintf(k, sizeof k, "traffic.%s.%s", t->name, f), k)
		set_count(m, NAME("tx_packets"), src.tx_packets);
		scn_meas_set_num(m, NAME("tx_bytes"), SCN_U_BYTES, (double)src.tx_bytes);
		set_count(m, NAME("rx_packets"), rx->rx_packets);
		scn_meas_set_num(m, NAME("rx_bytes"), SCN_U_BYTES, (double)rx->rx_bytes);
		set_count(m, NAME("errors"), src.errors + dst.errors + (uint64_t)in->flow_not_started[i]);
		double loss = 1.0;
		if (t->kind == SCN_TR_TCP)
			loss = src.tx_bytes ? 1.0 - (double)rx->rx_bytes / (double)src.tx_bytes : 1.0;
		else if (src.tx_packets)
			loss = 1.0 - (double)rx->rx_packets / (double)src.tx_packets;
		scn_meas_set_num(m, NAME("loss"), SCN_U_FRACTION, loss < 0 ? 0 : loss);
		int done = t->kind == SCN_TR_TCP ? src.done && rx->rx_bytes >= t->bytes : src.done;
		scn_meas_set_num(m, NAME("done"), SCN_U_BOOL, done);
		int have = rx->rx_packets > 0;
		scn_meas_set_time(m, NAME("delay_avg"),
				  have ? rx->delay_sum_ns / (rx->rx_packets ? rx->rx_packets : 1) : 0,
				  !have || t->kind == SCN_TR_TCP);
		scn_meas_set_time(m, NAME("delay_max"), rx->delay_max_ns, !have || t->kind == SCN_TR_TCP);
		int any = rx->rx_packets > 0 || rx->rx_bytes > 0;
		scn_meas_set_time(m, NAME("first_rx"), rx->first_rx_ns, !any);
		scn_meas_set_time(m, NAME("last_rx"), rx->last_rx_ns, !any);
#undef NAME
	}
}

void scn_collect_live(const struct scn_collect_in *in, struct scn_meas *m)
{
	const struct scn *s = in->s;
	const struct scn_topo *t = in->topo;
	if (s->has_client) {
		struct host_stats hs;
		host_stats(t->client_host, &hs);
		scn_meas_set_num(m, "tunnel.up", SCN_U_BOOL, host_child_count(t->client_host) > 0);
		scn_meas_set_time(m, "tunnel.up_at", in->first_up_ns, in->first_up_ns == UINT64_MAX);
		set_count(m, "tunnel.ups", hs.children_up);
		set_count(m, "tunnel.downs", hs.children_down);
		engine_side(m, "client", &t->client_host, 1, in->restarts[SCN_CLIENT]);
		engine_side(m, "gateway", t->gw_host, t->n_members, in->restarts[SCN_GATEWAY]);
		host_side(m, "client", &t->client_host, 1);
		host_side(m, "gateway", t->gw_host, t->n_members);
		host_stats_ev(t->client_host);
		for (int k = 0; k < t->n_members; k++)
			host_stats_ev(t->gw_host[k]);
	}
	for (size_t i = 0; i < s->n_boxes; i++) {
		const struct mbox *b = t->box[i];
		char k[96];
		snprintf(k, sizeof k, "drops.%s", s->boxes[i].name);
		set_count(m, k, b ? mbox_drop_total(b) : 0);
		for (int r = 0; r < MBOX_DROP__COUNT; r++) {
			snprintf(k, sizeof k, "drops.%s.%s", s->boxes[i].name,
				 mbox_drop_name((enum mbox_drop)r));
			set_count(m, k, b ? mbox_drop_count(b, (enum mbox_drop)r) : 0);
		}
	}
	flows(in, m);
}

/* ------------------------------------------------------------ from events */

static void side_events(const struct scn *s, struct scn_meas *m, const char *side, const char *who,
			int prefix)
{
	char words[SCN_WORDS_MAX] = "";
	size_t off = 0;
	uint64_t attempts = 0;
	double size[4] = {0, 0, 0, 0};
	static const char *const ex[4] = {"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
					  "INFORMATIONAL"};
	(void)s;
	for (size_t i = 0; i < scn_meas_n_events(m); i++) {
		const char *l = scn_meas_event_line(m, i);
		char v[64];
		/* a CHILD SA proposal offered (IKE_AUTH or CREATE_CHILD_SA): one attempt */
		if (strstr(l, "\"ev\":\"child_offer\"") && scn_ev_field(l, "who", v, sizeof v) == 1 &&
		    (prefix ? strncmp(v, who, strlen(who)) == 0 : strcmp(v, who) == 0))
			attempts++;
		if (!strstr(l, "\"ev\":\"msg\""))
			continue;
		if (scn_ev_field(l, "src", v, sizeof v) != 1 || strcmp(v, "ike") != 0)
			continue;
		if (scn_ev_field(l, "who", v, sizeof v) != 1 ||
		    (prefix ? strncmp(v, who, strlen(who)) != 0 : strcmp(v, who) != 0))
			continue;
		if (scn_ev_field(l, "dir", v, sizeof v) != 1 || strcmp(v, "sent") != 0)
			continue;
		if (scn_ev_field(l, "response", v, sizeof v) != 1 || strcmp(v, "false") != 0)
			continue;
		char exch[40];
		if (scn_ev_field(l, "exchange", exch, sizeof exch) != 1)
			continue;
		/* retransmissions have their own "retransmit" event: each msg is a new request */
		if (off + strlen(exch) + 2 < sizeof words)
			off += (size_t)snprintf(words + off, sizeof words - off, "%s%s", off ? " " : "",
						exch);
		if (scn_ev_field(l, "size", v, sizeof v) == 1)
			for (int k = 0; k < 4; k++)
				if (strcmp(exch, ex[k]) == 0) {
					double sz = strtod(v, NULL);
					if (sz > size[k])
						size[k] = sz;
				}
	}
	char k[96];
	snprintf(k, sizeof k, "%s.exchanges", side);
	scn_meas_set_words(m, k, words);
	snprintf(k, sizeof k, "%s.proposal_attempts", side);
	set_count(m, k, attempts);
	for (int i = 0; i < 4; i++) {
		snprintf(k, sizeof k, "%s.size.%s", side, ex[i]);
		scn_meas_set_num(m, k, SCN_U_BYTES, size[i]);
	}
}

void scn_collect_events(const struct scn *s, struct scn_meas *m)
{
	if (!s->has_client)
		return;
	side_events(s, m, "client", "client", 0);
	side_events(s, m, "gateway", "gw", 1);
}
