/*
 * scn_plan.c — what happens during a run: [traffic] (inner flows) and
 * [events] (timed faults and engine actions).
 *
 *   [traffic]
 *   ping  p1    from=client start=2s interval=1s count=10 size=56
 *   udp   back  from=gateway start=5s interval=100ms size=200 port=9000
 *   tcp   bulk  from=client start=2s bytes=2MB
 *
 *   [events]
 *   20s  access  down          link: down, up, loss P, mtu N
 *   30s  home    reboot        nat
 *   40s  core    mtu 1280      mtu router (egress toward the gateway)
 *   50s  cl      fail 1        cluster: fail K, recover K
 *   55s  lossy   loss 5%       impair box
 *   60s  client  restart       client/gateway: kill, restart, stop, start [K]
 */
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scn_parse_int.h"
#include "sim/scenario/scn_units.h"

int scn_traffic_line(struct scn_pstate *ps, const struct scn_line *l)
{
	struct scn *s = ps->s;
	const char *kind = l->tok[0].s;
	struct scn_traffic t;
	memset(&t, 0, sizeof t);
	if (strcmp(kind, "ping") == 0)
		t.kind = SCN_TR_PING;
	else if (strcmp(kind, "udp") == 0)
		t.kind = SCN_TR_UDP;
	else if (strcmp(kind, "tcp") == 0)
		t.kind = SCN_TR_TCP;
	else
		return scn_perr(ps, l->line, l->tok[0].col,
				"'%s' is not a kind of traffic, expected ping, udp or tcp", kind);
	if (s->n_traffic == SCN_MAX_TRAFFIC)
		return scn_perr(ps, l->line, l->tok[0].col, "more than %d flows, expected fewer",
				SCN_MAX_TRAFFIC);
	if (l->n < 2 || strchr(l->tok[1].s, '='))
		return scn_perr(ps, l->line, l->n < 2 ? l->tok[0].col + (unsigned)strlen(kind) + 1 : l->tok[1].col,
				"%s without a name, expected '%s NAME key=value ...'", kind, kind);
	if (scn_parse_name(l->tok[1].s, ps->why, sizeof ps->why) < 0)
		return scn_perr(ps, l->line, l->tok[1].col, "%s name: %s", kind, ps->why);
	for (size_t i = 0; i < s->n_traffic; i++)
		if (strcmp(s->traffic[i].name, l->tok[1].s) == 0)
			return scn_perr(ps, l->line, l->tok[1].col,
					"flow name '%s' is already used (line %u), expected a unique name",
					l->tok[1].s, s->traffic[i].pos.line);
	scn_copy(t.name, sizeof t.name, l->tok[1].s);
	t.pos = (struct scn_pos){l->line, l->tok[0].col};
	t.from = SCN_CLIENT;
	t.start_ns = 1 * SCN_NS_PER_S;
	t.interval_ns = t.kind == SCN_TR_PING ? SCN_NS_PER_S : 100000000;
	t.size = t.kind == SCN_TR_PING ? 56 : 200;
	t.bytes = 1000000;
	t.port = t.kind == SCN_TR_TCP ? 5001 : 9000;
	for (size_t i = 2; i < l->n; i++) {
		char key[64];
		const char *v;
		unsigned vc;
		uint64_t u;
		if (scn_kv(ps, l->line, &l->tok[i], kind, key, sizeof key, &v, &vc) < 0)
			return -1;
		int common = strcmp(key, "from") == 0 || strcmp(key, "start") == 0 ||
			     strcmp(key, "stop") == 0;
		int pu = t.kind != SCN_TR_TCP; /* ping and udp */
		if (strcmp(key, "from") == 0) {
			if (strcmp(v, "client") == 0)
				t.from = SCN_CLIENT;
			else if (strcmp(v, "gateway") == 0)
				t.from = SCN_GATEWAY;
			else
				return scn_perr(ps, l->line, vc,
						"%s from: '%s' is not an endpoint, expected client or "
						"gateway",
						kind, v);
		} else if (strcmp(key, "start") == 0 || strcmp(key, "stop") == 0 ||
			   (pu && strcmp(key, "interval") == 0)) {
			uint64_t *dst = key[0] == 'i' ? &t.interval_ns : key[2] == 'a' ? &t.start_ns
										: &t.stop_ns;
			if (scn_parse_duration(v, dst, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, vc, "%s %s: %s", kind, key, ps->why);
			if (key[0] == 'i' && *dst == 0)
				return scn_perr(ps, l->line, vc,
						"%s interval: zero, expected a positive duration", kind);
		} else if (pu && strcmp(key, "count") == 0) {
			if (scn_parse_uint(v, 10000000, &u, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, vc, "%s count: %s", kind, ps->why);
			t.count = (uint32_t)u;
		} else if (pu && strcmp(key, "size") == 0) {
			if (scn_parse_size(v, &u, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, vc, "%s size: %s", kind, ps->why);
			uint64_t lo = t.kind == SCN_TR_PING ? 8 : 16;
			if (u < lo || u > 65000)
				return scn_perr(ps, l->line, vc, "%s size: %llu octets, expected %llu..65000",
						kind, (unsigned long long)u, (unsigned long long)lo);
			t.size = (uint32_t)u;
		} else if (t.kind == SCN_TR_PING && strcmp(key, "df") == 0) {
			if (scn_parse_bool(v, &t.df, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, vc, "%s df: %s", kind, ps->why);
		} else if (t.kind != SCN_TR_PING && strcmp(key, "port") == 0) {
			if (scn_parse_uint(v, 65535, &u, ps->why, sizeof ps->why) < 0 || u == 0)
				return scn_perr(ps, l->line, vc, "%s port: '%s', expected 1..65535", kind, v);
			t.port = (uint16_t)u;
		} else if (t.kind == SCN_TR_TCP && strcmp(key, "bytes") == 0) {
			if (scn_parse_size(v, &t.bytes, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, vc, "%s bytes: %s", kind, ps->why);
			if (t.bytes == 0)
				return scn_perr(ps, l->line, vc, "%s bytes: zero, expected at least 1", kind);
		} else if (t.kind == SCN_TR_TCP && strcmp(key, "mss") == 0) {
			if (scn_parse_uint(v, 65495, &u, ps->why, sizeof ps->why) < 0 || u < 64)
				return scn_perr(ps, l->line, vc, "%s mss: '%s', expected 64..65495", kind, v);
			t.mss = (uint32_t)u;
		} else {
			(void)common;
			return scn_perr(ps, l->line, l->tok[i].col,
					"%s: unknown parameter '%s', expected one of %s", kind, key,
					t.kind == SCN_TR_PING  ? "from, start, stop, interval, count, size, df"
					: t.kind == SCN_TR_UDP ? "from, start, stop, interval, count, size, port"
							       : "from, start, stop, bytes, port, mss");
		}
	}
	if (t.stop_ns && t.stop_ns <= t.start_ns)
		return scn_perr(ps, l->line, l->tok[0].col,
				"%s %s: stop is not after start, expected stop > start", kind, t.name);
	s->traffic[s->n_traffic++] = t;
	return 0;
}

/* member_arg parses the optional member number of a gateway/cluster event. */
static int member_arg(struct scn_pstate *ps, const struct scn_line *l, size_t i, int max,
		      int required, int *member)
{
	*member = 0;
	if (i >= l->n) {
		if (required)
			return scn_perr(ps, l->line, l->tok[i - 1].col + (unsigned)strlen(l->tok[i - 1].s) + 1,
					"%s without a member number, expected 1..%d", l->tok[i - 1].s, max);
		return 0;
	}
	uint64_t u;
	if (scn_parse_uint(l->tok[i].s, (uint64_t)max, &u, ps->why, sizeof ps->why) < 0 || u == 0)
		return scn_perr(ps, l->line, l->tok[i].col,
				"member '%s' does not exist, expected 1..%d", l->tok[i].s, max);
	*member = (int)u;
	return 0;
}

int scn_event_line(struct scn_pstate *ps, const struct scn_line *l, const char *text, size_t len)
{
	struct scn *s = ps->s;
	struct scn_event ev;
	memset(&ev, 0, sizeof ev);
	if (s->n_events == SCN_MAX_EVENTS)
		return scn_perr(ps, l->line, l->tok[0].col, "more than %d events, expected fewer",
				SCN_MAX_EVENTS);
	if (scn_parse_duration(l->tok[0].s, &ev.at_ns, ps->why, sizeof ps->why) < 0)
		return scn_perr(ps, l->line, l->tok[0].col, "event time: %s", ps->why);
	if (l->n < 3)
		return scn_perr(ps, l->line, l->n < 2 ? l->tok[0].col + (unsigned)strlen(l->tok[0].s) + 1
						  : l->tok[1].col + (unsigned)strlen(l->tok[1].s) + 1,
				"incomplete event, expected TIME TARGET ACTION (e.g. '20s access down')");
	ev.pos = (struct scn_pos){l->line, l->tok[0].col};
	size_t tl = len < sizeof ev.text ? len : sizeof ev.text - 1;
	memcpy(ev.text, text, tl);
	ev.text[tl] = '\0';
	const char *target = l->tok[1].s, *act = l->tok[2].s;
	unsigned acol = l->tok[2].col;
	size_t nargs = l->n - 3; /* words after the action */
	int li = scn_find_link(s, target), bi = scn_find_box(s, target);
	if (strcmp(target, "client") == 0 || strcmp(target, "gateway") == 0) {
		int gw = target[0] == 'g';
		ev.target = gw ? SCN_GATEWAY : SCN_CLIENT;
		static const struct {
			const char *n;
			enum scn_action a;
		} acts[] = {{"kill", SCN_ACT_KILL},
			    {"restart", SCN_ACT_RESTART},
			    {"stop", SCN_ACT_STOP},
			    {"start", SCN_ACT_START}};
		size_t i;
		for (i = 0; i < 4; i++)
			if (strcmp(act, acts[i].n) == 0)
				break;
		if (i == 4 || (gw && acts[i].a == SCN_ACT_START))
			return scn_perr(ps, l->line, acol, "%s action '%s', expected %s", target, act,
					gw ? "kill, restart or stop" : "kill, restart, stop or start");
		ev.action = acts[i].a;
		if (!gw && nargs)
			return scn_perr(ps, l->line, l->tok[3].col,
					"text after the client action, expected nothing");
		if (gw && member_arg(ps, l, 3, scn_members(s), 0, &ev.member) < 0)
			return -1;
		if (gw && nargs > 1)
			return scn_perr(ps, l->line, l->tok[4].col,
					"text after the member number, expected nothing");
	} else if (li >= 0) {
		ev.target = li;
		if (strcmp(act, "down") == 0 || strcmp(act, "up") == 0) {
			ev.action = act[0] == 'd' ? SCN_ACT_LINK_DOWN : SCN_ACT_LINK_UP;
			if (nargs)
				return scn_perr(ps, l->line, l->tok[3].col,
						"text after 'link %s', expected nothing", act);
		} else if (strcmp(act, "loss") == 0 || strcmp(act, "mtu") == 0) {
			if (nargs != 1)
				return scn_perr(ps, l->line, nargs ? l->tok[4].col : acol,
						"link %s needs one value, expected e.g. '%s'", act,
						act[0] == 'l' ? "loss 10%" : "mtu 1280");
			if (act[0] == 'l') {
				ev.action = SCN_ACT_LINK_LOSS;
				if (scn_parse_fraction(l->tok[3].s, &ev.value, ps->why, sizeof ps->why) < 0)
					return scn_perr(ps, l->line, l->tok[3].col, "link loss: %s", ps->why);
			} else {
				ev.action = SCN_ACT_LINK_MTU;
				if (scn_parse_uint(l->tok[3].s, 65535, &ev.num, ps->why, sizeof ps->why) < 0 ||
				    ev.num < 576)
					return scn_perr(ps, l->line, l->tok[3].col,
							"link mtu: '%s', expected 576..65535", l->tok[3].s);
			}
		} else {
			return scn_perr(ps, l->line, acol,
					"link action '%s', expected down, up, loss P or mtu N", act);
		}
	} else if (bi >= 0) {
		const struct scn_box *b = &s->boxes[bi];
		ev.target = bi;
		switch (b->kind) {
		case SCN_BOX_NAT:
			if (strcmp(act, "reboot") != 0 || nargs)
				return scn_perr(ps, l->line, acol,
						"nat action '%s', expected reboot (alone)", act);
			ev.action = SCN_ACT_NAT_REBOOT;
			break;
		case SCN_BOX_MTU:
			if (strcmp(act, "mtu") != 0 || nargs != 1)
				return scn_perr(ps, l->line, acol, "mtu router action '%s', expected 'mtu N'",
						act);
			ev.action = SCN_ACT_MTU_SET;
			if (scn_parse_uint(l->tok[3].s, 65535, &ev.num, ps->why, sizeof ps->why) < 0 ||
			    ev.num < 68)
				return scn_perr(ps, l->line, l->tok[3].col, "mtu: '%s', expected 68..65535",
						l->tok[3].s);
			break;
		case SCN_BOX_CLUSTER:
			if (strcmp(act, "fail") == 0 || strcmp(act, "down") == 0)
				ev.action = SCN_ACT_MEMBER_DOWN;
			else if (strcmp(act, "recover") == 0 || strcmp(act, "up") == 0)
				ev.action = SCN_ACT_MEMBER_UP;
			else
				return scn_perr(ps, l->line, acol,
						"cluster action '%s', expected fail K or recover K", act);
			if (member_arg(ps, l, 3, b->u.cluster.members, 1, &ev.member) < 0)
				return -1;
			if (nargs > 1)
				return scn_perr(ps, l->line, l->tok[4].col,
						"text after the member number, expected nothing");
			break;
		case SCN_BOX_IMPAIR:
			if (strcmp(act, "loss") != 0 || nargs != 1)
				return scn_perr(ps, l->line, acol, "impair action '%s', expected 'loss P'",
						act);
			ev.action = SCN_ACT_IMPAIR_LOSS;
			if (scn_parse_fraction(l->tok[3].s, &ev.value, ps->why, sizeof ps->why) < 0)
				return scn_perr(ps, l->line, l->tok[3].col, "impair loss: %s", ps->why);
			break;
		default:
			return scn_perr(ps, l->line, l->tok[1].col,
					"%s '%s' has no timed actions, expected a link, nat, mtu, "
					"cluster, impair, client or gateway",
					scn_box_kind_name(b->kind), target);
		}
	} else {
		return scn_perr(ps, l->line, l->tok[1].col,
				"'%s' is not in [network], expected a link or box name, client or "
				"gateway",
				target);
	}
	if (ev.at_ns > s->duration_ns)
		return scn_perr(ps, l->line, l->tok[0].col,
				"event at %s is after the end of the run (duration), expected an "
				"earlier time",
				l->tok[0].s);
	/* keep the events sorted by time; equal times in file order */
	size_t at = s->n_events;
	while (at > 0 && s->events[at - 1].at_ns > ev.at_ns) {
		s->events[at] = s->events[at - 1];
		at--;
	}
	s->events[at] = ev;
	s->n_events++;
	return 0;
}
