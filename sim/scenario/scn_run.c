/*
 * scn_run.c — one scenario run (scn_run.h): build, schedule traffic and
 * timed events, run to the duration, measure (scn_collect.c), judge.
 *
 * Scheduling: every [traffic] flow starts at its start time with the
 * tunnel as it is then (the TCP segment size comes from the tunnel MTU at
 * that moment; gateway-to-client flows need the client's inner address,
 * so a flow that cannot start is counted as an error with an event).
 * Every [events] line runs at its time and is logged as
 *   {"src":"scenario","ev":"action","what":"20s access down"}.
 *
 * Engine actions: kill ends an engine as a crash would (host_ike_kill:
 * nothing sent, its SAs gone); restart is a kill and a fresh engine (new
 * SPIs, same profile) that a client connects at once and a gateway starts
 * listening with; a client start after a kill is a restart.
 *
 * Drops inside the network stack (a device or traffic-control queue full,
 * a lossy or cut link: ns3shim_drop_hook) become events too (scn_drops.c).
 */
#include "sim/scenario/scn_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ref/crypto/crypto.h"
#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_impair.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"
#include "sim/ns3apps.h"
#include "sim/ns3shim.h"
#include "sim/scenario/scn_build.h"
#include "sim/scenario/scn_collect.h"
#include "sim/scenario/scn_drops.h"
#include "sim/scenario/scn_units.h"

struct run;

struct flow_state {
	struct run *r;
	const struct scn_traffic *t;
	int app, sink;   /* ns3apps ids, -1 = none */
	int not_started; /* could not start (no inner address, no route) */
};

struct act_state {
	struct run *r;
	const struct scn_event *e;
};

struct run {
	const struct scn *s;
	struct scn_topo topo;
	struct scn_meas *m;
	FILE *events;
	const struct ev_sink *tee;
	int write_failed;
	uint64_t first_up_ns; /* client CHILD SA, UINT64_MAX = never */
	unsigned restarts[2]; /* by enum scn_side */
	struct scn_drops drops;
	struct flow_state flow[SCN_MAX_TRAFFIC];
	struct act_state act[SCN_MAX_EVENTS];
	struct scn_collect_in cin;
};

static void run_emit(void *ctx, const char *line, size_t len)
{
	struct run *r = ctx;
	if (r->events && (fwrite(line, 1, len, r->events) != len || fputc('\n', r->events) == EOF))
		r->write_failed = 1;
	scn_meas_event(r->m, line, len);
	if (r->tee && r->tee->emit)
		r->tee->emit(r->tee->ctx, line, len);
}

static void scenario_ev(struct run *r, const char *type, const char *k1, const char *v1,
			const char *k2, const char *v2)
{
	struct evbuf e;
	ev_begin(&e, ns3shim_now(), "scenario", type);
	if (k1)
		ev_str(&e, k1, v1);
	if (k2)
		ev_str(&e, k2, v2);
	struct ev_sink sink = {run_emit, r};
	ev_emit(&sink, &e);
}

static void hook_child_up(void *ctx, struct host *h, const struct ike_child_info *ci)
{
	struct run *r = ctx;
	(void)ci;
	if (h == r->topo.client_host && r->first_up_ns == UINT64_MAX)
		r->first_up_ns = ns3shim_now();
}

/* ------------------------------------------------------------ traffic */

/* flow_peer: the sender's node and the receiver's node and address. */
static int flow_ends(struct run *r, const struct scn_traffic *t, int *src_node, int *dst_node,
		     uint32_t *dst, const char **why)
{
	const struct scn *s = r->s;
	const struct scn_topo *tp = &r->topo;
	int from_client = t->from == SCN_CLIENT;
	*src_node = from_client ? tp->client_node : tp->gw_node[0];
	*dst_node = from_client ? tp->gw_node[0] : tp->client_node;
	if (!s->has_client) {
		*dst = from_client ? s->gateway_end.addr : s->client_end.addr;
		return 0;
	}
	/* the client's inner address: fixed, or its VIP once a CHILD SA put it on
	 * the tunnel (a VIP the engine got with a refused CHILD SA is not there).
	 * Without one the flow does not start: its packets would come from the
	 * tunnel's placeholder and be dropped, a failure that looks like loss. */
	uint32_t cin = tp->client_inner ? tp->client_inner : host_tun_addr(tp->client_host);
	if (!cin) {
		*why = "the client's tunnel has no inner address (no CHILD SA with a VIP yet)";
		return -1;
	}
	if (from_client) {
		*dst = s->gateway_end.inner;
		return 0;
	}
	*dst = cin;
	/* the gateway member the client is on: with a cluster, the first member up holding SAs */
	for (int k = 0; k < tp->n_members; k++)
		if (tp->gw_host[k] && host_child_count(tp->gw_host[k]) > 0) {
			*src_node = tp->gw_node[k];
			break;
		}
	return 0;
}

static void flow_start(void *ctx)
{
	struct flow_state *f = ctx;
	struct run *r = f->r;
	const struct scn_traffic *t = f->t;
	int src, dstn;
	uint32_t dst;
	const char *why = NULL;
	if (flow_ends(r, t, &src, &dstn, &dst, &why) < 0) {
		f->not_started = 1;
		scenario_ev(r, "flow-not-started", "flow", t->name, "reason", why);
		return;
	}
	uint32_t mss = t->mss;
	if (!mss) {
		struct host *h = NULL;
		if (r->s->has_client)
			h = t->from == SCN_CLIENT ? r->topo.client_host : r->topo.gw_host[0];
		mss = h ? host_tcp_mss(h) : r->s->links[0].mtu - 40;
	}
	switch (t->kind) {
	case SCN_TR_PING:
		f->app = ns3apps_ping(src, dst, t->size, t->interval_ns, t->count, t->df);
		break;
	case SCN_TR_UDP:
		f->sink = ns3apps_udp_sink(dstn, t->port);
		f->app = ns3apps_udp_cbr(src, dst, t->port, t->size, t->interval_ns, t->count);
		break;
	case SCN_TR_TCP:
		f->sink = ns3apps_tcp_sink(dstn, t->port, mss);
		f->app = ns3apps_tcp_bulk(src, dst, t->port, t->bytes, mss);
		break;
	}
	char a[16];
	if (f->app < 0) {
		f->not_started = 1;
		scenario_ev(r, "flow-not-started", "flow", t->name, "reason", ns3shim_last_error());
		return;
	}
	scenario_ev(r, "flow-start", "flow", t->name, "dst", scn_fmt_ip4(dst, a));
}

static void flow_stop(void *ctx)
{
	struct flow_state *f = ctx;
	if (f->app >= 0)
		ns3apps_stop(f->app);
	if (f->sink >= 0 && f->t->kind != SCN_TR_TCP)
		ns3apps_stop(f->sink);
}

/* ------------------------------------------------------------ timed events */

/* engine_call reports an engine action the adapter refused (e.g. stop after kill). */
static void engine_call(struct run *r, struct host_ike *hi, int rc)
{
	if (rc < 0)
		scenario_ev(r, "action-failed", "who", hi ? host_name(host_ike_host(hi)) : "?",
			    "reason", ns3shim_last_error());
}

/* engine_restart replaces the killed engine *|slot| by a fresh one with the same profile. */
static int engine_restart(struct run *r, struct host_ike **slot, enum scn_side side)
{
	char err[SCN_ERR_MAX];
	struct host_ike *n = host_ike_restart(*slot, err, sizeof err);
	if (!n) {
		scenario_ev(r, "action-failed", "who", host_name(host_ike_host(*slot)), "reason", err);
		return -1;
	}
	*slot = n;
	r->restarts[side]++;
	return 0;
}

/* engine_kill kills *|slot| (unless dead already); |restart|: a fresh one follows (a client connects). */
static void engine_kill(struct run *r, struct host_ike **slot, enum scn_side side, int restart)
{
	if (host_ike_alive(*slot))
		engine_call(r, *slot, host_ike_kill(*slot));
	if (!restart || engine_restart(r, slot, side) < 0)
		return;
	if (side == SCN_CLIENT)
		engine_call(r, *slot, host_ike_connect(*slot, ns3shim_now()));
}

static void act_fire(void *ctx)
{
	struct act_state *a = ctx;
	struct run *r = a->r;
	const struct scn *s = r->s;
	const struct scn_event *e = a->e;
	struct scn_topo *t = &r->topo;
	uint64_t now = ns3shim_now();
	scenario_ev(r, "action", "what", e->text, NULL, NULL);
	switch (e->action) {
	case SCN_ACT_LINK_DOWN:
	case SCN_ACT_LINK_UP:
	case SCN_ACT_LINK_LOSS:
	case SCN_ACT_LINK_MTU:
		for (size_t i = 0; i < t->n_plinks; i++) {
			const struct scn_plink *p = &t->plink[i];
			if (p->link != e->target)
				continue;
			if (e->action == SCN_ACT_LINK_DOWN || e->action == SCN_ACT_LINK_UP) {
				ns3shim_link_set_up(p->ns3_link, e->action == SCN_ACT_LINK_UP);
			} else if (e->action == SCN_ACT_LINK_LOSS) {
				ns3shim_dev_set_loss(p->node_a, p->dev_a, e->value);
				ns3shim_dev_set_loss(p->node_b, p->dev_b, e->value);
			} else {
				ns3shim_dev_set_mtu(p->node_a, p->dev_a, (uint32_t)e->num);
				ns3shim_dev_set_mtu(p->node_b, p->dev_b, (uint32_t)e->num);
			}
		}
		break;
	case SCN_ACT_NAT_REBOOT:
		mbox_nat_reboot(t->box[e->target], now);
		node_mbox_poke(t->nm[e->target]);
		break;
	case SCN_ACT_MTU_SET:
		mbox_mtu_set(t->box[e->target], now, 1, (size_t)e->num);
		node_mbox_poke(t->nm[e->target]);
		break;
	case SCN_ACT_MEMBER_DOWN:
	case SCN_ACT_MEMBER_UP:
		mbox_cluster_set_member(t->box[e->target], now, e->member,
					e->action == SCN_ACT_MEMBER_UP);
		node_mbox_poke(t->nm[e->target]);
		break;
	case SCN_ACT_IMPAIR_LOSS:
		for (int d = 0; d < 2; d++) {
			struct mbox_impair_dir x = s->boxes[e->target].u.impair.dir[d];
			x.loss = e->value;
			mbox_impair_set(t->box[e->target], now, d, &x);
		}
		node_mbox_poke(t->nm[e->target]);
		break;
	case SCN_ACT_STOP:
		if (e->target == SCN_CLIENT) {
			engine_call(r, t->client_ike, host_ike_close(t->client_ike, now));
		} else {
			for (int k = 0; k < t->n_members; k++)
				if (!e->member || e->member == k + 1)
					engine_call(r, t->gw_ike[k], host_ike_close(t->gw_ike[k], now));
		}
		break;
	case SCN_ACT_START:
		if (!host_ike_alive(t->client_ike))
			engine_restart(r, &t->client_ike, SCN_CLIENT);
		engine_call(r, t->client_ike, host_ike_connect(t->client_ike, now));
		break;
	case SCN_ACT_KILL:
	case SCN_ACT_RESTART:
		if (e->target == SCN_CLIENT) {
			engine_kill(r, &t->client_ike, SCN_CLIENT, e->action == SCN_ACT_RESTART);
			break;
		}
		for (int k = 0; k < t->n_members; k++)
			if (!e->member || e->member == k + 1)
				engine_kill(r, &t->gw_ike[k], SCN_GATEWAY, e->action == SCN_ACT_RESTART);
		break;
	}
}

/* ------------------------------------------------------------ the run */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *dir, char *err, size_t cap)
{
	char buf[SCN_PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof buf) {
		snprintf(err, cap, "output directory '%s': empty or too long", dir);
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
			snprintf(err, cap, "cannot create directory %.300s: %s", buf, strerror(errno));
			return -1;
		}
		buf[i] = c;
	}
	return 0;
}

struct scn_result *scn_result_new(void)
{
	struct scn_result *r = calloc(1, sizeof *r);
	if (r)
		r->meas = scn_meas_new();
	if (r && !r->meas) {
		free(r);
		return NULL;
	}
	return r;
}

void scn_result_free(struct scn_result *r)
{
	if (!r)
		return;
	scn_meas_free(r->meas);
	free(r);
}

static int open_pcaps(struct run *r, const char *dir, struct scn_result *res)
{
	const struct scn_topo *t = &r->topo;
	for (size_t i = 0; i < t->n_plinks; i++) {
		const struct scn_plink *p = &t->plink[i];
		const char *name = r->s->links[p->link].name;
		char *path = res->pcap[res->n_pcaps];
		if (p->member)
			snprintf(path, SCN_PATH_MAX, "%s/%s-%d.pcap", dir, name, p->member);
		else
			snprintf(path, SCN_PATH_MAX, "%s/%s.pcap", dir, name);
		scn_copy(res->pcap_link[res->n_pcaps], SCN_NAME_MAX, name);
		if (ns3shim_pcap_open(p->node_a, p->dev_a, path) < 0) {
			snprintf(res->err, sizeof res->err, "capture %s: %s", path, ns3shim_last_error());
			return -1;
		}
		res->n_pcaps++;
	}
	return 0;
}

static int schedule(struct run *r, char *err, size_t cap)
{
	const struct scn *s = r->s;
	for (size_t i = 0; i < s->n_traffic; i++) {
		struct flow_state *f = &r->flow[i];
		f->r = r;
		f->t = &s->traffic[i];
		f->app = f->sink = -1;
		if (ns3shim_timer_at(f->t->start_ns, flow_start, f) <= 0 ||
		    (f->t->stop_ns && ns3shim_timer_at(f->t->stop_ns, flow_stop, f) <= 0)) {
			snprintf(err, cap, "flow %s: %s", f->t->name, ns3shim_last_error());
			return -1;
		}
	}
	for (size_t i = 0; i < s->n_events; i++) {
		r->act[i] = (struct act_state){r, &s->events[i]};
		if (ns3shim_timer_at(s->events[i].at_ns, act_fire, &r->act[i]) <= 0) {
			snprintf(err, cap, "%s:%u: event: %s", s->file, s->events[i].pos.line,
				 ns3shim_last_error());
			return -1;
		}
	}
	if (s->has_client && !s->client_start_manual &&
	    host_ike_connect(r->topo.client_ike, s->client_start_ns) < 0) {
		snprintf(err, cap, "client start: %s", ns3shim_last_error());
		return -1;
	}
	return 0;
}

/* simulate: everything that happens while ns-3 is up; ns3shim_destroy follows in all cases. */
static int simulate(struct run *r, const struct scn_run_opts *o, struct scn_result *res)
{
	const struct scn *s = r->s;
	struct ev_sink sink = {run_emit, r};
	struct host_hooks hooks = {.ctx = r, .child_up = hook_child_up};
	if (scn_build(&r->topo, s, res->seed, &sink, &hooks, res->err, sizeof res->err) < 0)
		return -1;
	if (scn_drops_attach(&r->drops, &r->topo, &sink) < 0) {
		snprintf(res->err, sizeof res->err, "drop hook: %s", ns3shim_last_error());
		return -1;
	}
	if (o->out_dir && open_pcaps(r, o->out_dir, res) < 0)
		return -1;
	if (schedule(r, res->err, sizeof res->err) < 0)
		return -1;
	char d[32];
	scenario_ev(r, "start", "name", s->name, "duration", scn_fmt_duration(s->duration_ns, d, sizeof d));
	if (ns3shim_run_until(s->duration_ns) < 0) {
		snprintf(res->err, sizeof res->err, "simulation: %s", ns3shim_last_error());
		return -1;
	}
	res->sim_ns = ns3shim_now();
	res->sim_events = ns3shim_event_count();
	/* measure what lives in the simulation before it is torn down */
	struct scn_collect_in *in = &r->cin;
	in->s = s;
	in->topo = &r->topo;
	in->first_up_ns = r->first_up_ns;
	in->restarts[SCN_CLIENT] = r->restarts[SCN_CLIENT];
	in->restarts[SCN_GATEWAY] = r->restarts[SCN_GATEWAY];
	for (size_t i = 0; i < s->n_traffic; i++) {
		in->flow_app[i] = r->flow[i].app;
		in->flow_sink[i] = r->flow[i].sink;
		in->flow_not_started[i] = r->flow[i].not_started;
	}
	scn_collect_live(in, r->m);
	scenario_ev(r, "end", "name", s->name, NULL, NULL);
	return 0;
}

int scn_run(const struct scn *s, const struct scn_run_opts *o, struct scn_result *res)
{
	static const struct scn_run_opts none;
	if (!o)
		o = &none;
	double t0 = wall_now();
	res->seed = o->seed ? o->seed : s->seed;
	res->err[0] = '\0';
	if (s->status == SCN_PENDING && !o->force) {
		snprintf(res->err, sizeof res->err, "%s: pending: %s", s->file, s->pending_reason);
		return -1;
	}
	struct run *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(res->err, sizeof res->err, "out of memory");
		return -1;
	}
	r->s = s;
	r->m = res->meas;
	r->tee = o->tee;
	r->first_up_ns = UINT64_MAX;
	if (o->out_dir) {
		char path[SCN_PATH_MAX + 32];
		if (mkdir_p(o->out_dir, res->err, sizeof res->err) < 0) {
			free(r);
			return -1;
		}
		snprintf(path, sizeof path, "%s/events.jsonl", o->out_dir);
		r->events = fopen(path, "w");
		if (!r->events) {
			snprintf(res->err, sizeof res->err, "cannot write %.300s: %s", path, strerror(errno));
			free(r);
			return -1;
		}
	}
	int rc = -1;
	if (ns3shim_init((uint32_t)res->seed, 1) < 0) {
		snprintf(res->err, sizeof res->err, "simulator: %s", ns3shim_last_error());
	} else {
		crypto_openssl_rand_deterministic(res->seed);
		rc = simulate(r, o, res);
		ns3shim_destroy();
		crypto_openssl_rand_system();
	}
	scn_topo_release(&r->topo);
	if (r->events && fclose(r->events) != 0)
		r->write_failed = 1;
	r->events = NULL;
	if (rc == 0 && r->write_failed) {
		snprintf(res->err, sizeof res->err, "%s/events.jsonl: write failed", o->out_dir);
		rc = -1;
	}
	if (rc == 0)
		scn_collect_events(s, r->m);
	/* captures are complete only now that ns-3 is gone */
	for (size_t li = 0; rc == 0 && o->pcap_meter && li < s->n_links; li++) {
		const char *paths[SCN_MAX_PCAPS];
		size_t n = 0;
		for (size_t i = 0; i < res->n_pcaps; i++)
			if (strcmp(res->pcap_link[i], s->links[li].name) == 0)
				paths[n++] = res->pcap[i];
		if (n && o->pcap_meter(o->meter_ctx, paths, n, s->links[li].name, r->m, res->err,
				       sizeof res->err) < 0)
			rc = -1;
	}
	free(r);
	if (rc < 0)
		return -1;
	res->n_pass = res->n_fail = 0;
	for (size_t i = 0; i < s->n_expect; i++) {
		scn_expect_eval(&s->expect[i], res->meas, &res->item[i]);
		if (res->item[i].pass)
			res->n_pass++;
		else
			res->n_fail++;
	}
	res->pass = res->n_fail == 0;
	res->wall_s = wall_now() - t0;
	return 0;
}
