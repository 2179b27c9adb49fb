/*
 * realnet_loop.c — struct realnet's life: setup (sockets, TUN, files,
 * timerfd, signalfd, epoll), one step of the event loop, the timer armed
 * at the engine's deadline, shutdown on SIGINT/SIGTERM, the engine's send
 * callback, and the loop's own events.
 *
 * Timers: exactly one timerfd (CLOCK_MONOTONIC, absolute), armed at
 * min(engine deadline, shutdown deadline) after every step; re-armed only
 * when that value changes, so a busy datapath costs no timer syscalls.
 *
 * Shutdown (first SIGINT/SIGTERM): engine.close sends DELETE for every
 * IKE SA at once (the send is synchronous), then the loop keeps running
 * until the engine holds no SA (the DELETE responses came) or
 * shutdown_wait passed. A second signal ends at once.
 */
#include "cli/realnet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/realnet_tun.h"

#define RN_DROP_NAME(id, name, what) name,
static const char *const drop_names[] = {RN_DROPS(RN_DROP_NAME)};
#undef RN_DROP_NAME

const char *rn_drop_name(enum rn_drop d)
{
	return (unsigned)d < RN_DROP__COUNT ? drop_names[d] : "?";
}

const char *rn_ip(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t realnet_now(const struct realnet *rn)
{
	return mono_ns() - rn->t0;
}

/* ---------------------------------------------------------------------- */
/* Events and status lines                                                 */

static void evfile_emit(void *ctx, const char *line, size_t len)
{
	struct realnet *rn = ctx;

	if (rn->evf == NULL)
		return;
	fwrite(line, 1, len, rn->evf);
	fputc('\n', rn->evf);
}

struct ev_sink realnet_ev_sink(struct realnet *rn)
{
	return (struct ev_sink){evfile_emit, rn};
}

struct evbuf *rn_ev_begin(struct realnet *rn, const char *type)
{
	ev_begin(&rn->evb, rn->now ? rn->now : realnet_now(rn), "realnet", type);
	ev_str(&rn->evb, "who", rn->o.name);
	return &rn->evb;
}

void rn_ev_end(struct realnet *rn)
{
	struct ev_sink s = realnet_ev_sink(rn);

	ev_emit(&s, &rn->evb);
}

void rn_ev_drop(struct realnet *rn, enum rn_drop d, const char *fmt, ...)
{
	uint64_t n = ++rn->st.drops[d];
	struct ev_sink s;
	struct evbuf e;
	char detail[300];
	va_list ap;

	if (rn->evf == NULL || (n > RN_DROP_EV_FIRST && (n & (n - 1)) != 0))
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	ev_begin(&e, rn->now ? rn->now : realnet_now(rn), "realnet", "drop");
	ev_str(&e, "who", rn->o.name);
	ev_str(&e, "reason", rn_drop_name(d));
	ev_str(&e, "detail", detail);
	ev_u64(&e, "count", n);
	s = realnet_ev_sink(rn);
	ev_emit(&s, &e);
}

void rn_status(struct realnet *rn, const char *fmt, ...)
{
	va_list ap;

	if (rn->o.quiet)
		return;
	printf("%s: ", rn->o.name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void ev_stats(struct realnet *rn)
{
	struct evbuf *e = rn_ev_begin(rn, "stats");
	const struct rn_stats *s = &rn->st;

	ev_u64(e, "tun_rx", s->tun_rx);
	ev_u64(e, "tun_tx", s->tun_tx);
	ev_u64(e, "esp_tx", s->esp_tx);
	ev_u64(e, "esp_rx", s->esp_rx);
	ev_u64(e, "esp_tx_bytes", s->esp_tx_bytes);
	ev_u64(e, "esp_rx_bytes", s->esp_rx_bytes);
	ev_u64(e, "ike_tx", s->ike_tx);
	ev_u64(e, "ike_rx", s->ike_rx);
	ev_u64(e, "keepalives_rx", s->keepalives_rx);
	ev_u64(e, "wakeups", s->wakeups);
	ev_u64(e, "rx_batches", s->rx_batches);
	ev_u64(e, "rx_batch_pkts", s->rx_batch_pkts);
	ev_u64(e, "tx_batches", s->tx_batches);
	ev_u64(e, "tx_batch_pkts", s->tx_batch_pkts);
	ev_u64(e, "tun_batches", s->tun_batches);
	ev_u64(e, "gso_msgs", s->gso_msgs);
	ev_u64(e, "gso_segs", s->gso_segs);
	ev_u64(e, "gro_msgs", s->gro_msgs);
	ev_u64(e, "gro_segs", s->gro_segs);
	ev_u64(e, "tso_pkts", s->tso_pkts);
	ev_u64(e, "tso_segs", s->tso_segs);
	ev_u64(e, "tun_gro_writes", s->tun_gro_writes);
	ev_u64(e, "tun_gro_segs", s->tun_gro_segs);
	for (int d = 0; d < RN_DROP__COUNT; d++)
		if (s->drops[d] != 0) {
			char k[40];

			snprintf(k, sizeof k, "drop_%s", rn_drop_name((enum rn_drop)d));
			ev_u64(e, k, s->drops[d]);
		}
	ev_u64(e, "pcap_records", rn_pcap_count(rn->pcap));
	rn_ev_end(rn);
}

/* ---------------------------------------------------------------------- */
/* Setup and teardown                                                      */

static int ep_add(struct realnet *rn, int fd, uint32_t tag, char *msg, size_t cap)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	if (epoll_ctl(rn->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		snprintf(msg, cap, "epoll_ctl ADD (tag %u): %s", tag, strerror(errno));
		return -1;
	}
	return 0;
}

/* gateway_tun brings the gateway's TUN up with its address and routes the address pool into it. */
static int gateway_tun(struct realnet *rn, char *msg, size_t cap)
{
	uint32_t addr[32];
	unsigned prefix[32];
	int n;

	if (rn_tun_config(rn->tun_name, rn->o.tun_mtu, rn->o.tun_addr, rn->o.tun_prefix ? rn->o.tun_prefix : 32, msg,
			  cap) < 0)
		return -1;
	rn->tun_up = 1;
	if (!rn->o.routes || rn->o.pool_lo == 0)
		return 0;
	n = rn_range_cidrs(rn->o.pool_lo, rn->o.pool_hi, addr, prefix, 32);
	if (n < 0) {
		snprintf(msg, cap, "pool: the range needs more than 32 routes, expected a CIDR-like range");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char a[16], cidr[24];
		struct evbuf *e;

		if (rn_route_add(addr[i], prefix[i], 0, rn->tun_name, msg, cap) < 0)
			return -1;
		rn->routes[rn->n_routes].dst = addr[i];
		rn->routes[rn->n_routes].prefix = prefix[i];
		snprintf(rn->routes[rn->n_routes].dev, sizeof rn->routes[0].dev, "%s", rn->tun_name);
		rn->n_routes++;
		snprintf(cidr, sizeof cidr, "%s/%u", rn_ip(addr[i], a), prefix[i]);
		e = rn_ev_begin(rn, "route");
		ev_str(e, "dst", cidr);
		ev_str(e, "dev", rn->tun_name);
		rn_ev_end(rn);
	}
	return 0;
}

struct realnet *realnet_new(const struct rn_opts *o, int tun_fd, char *msg, size_t cap)
{
	struct realnet *rn = calloc(1, sizeof *rn);
	sigset_t set;
	struct evbuf *e;
	char a[16];

	if (rn == NULL) {
		snprintf(msg, cap, "out of memory");
		return NULL;
	}
	rn->o = *o;
	rn->epfd = rn->tfd = rn->sfd = rn->raw = rn->tun = -1;
	rn->udp[0] = rn->udp[1] = -1;
	rn->t0 = mono_ns();
	rn->armed = UINT64_MAX;
	rn->batch = o->batch < 1 ? 1 : o->batch > RN_BATCH_MAX ? RN_BATCH_MAX : o->batch;
	rn_esp_init(rn);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &rn->oldmask);
	rn->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	rn->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	rn->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rn->sfd < 0 || rn->tfd < 0 || rn->epfd < 0) {
		snprintf(msg, cap, "signalfd/timerfd/epoll: %s", strerror(errno));
		goto fail;
	}
	if (o->events_path[0]) {
		rn->evf = fopen(o->events_path, "w");
		if (rn->evf == NULL) {
			snprintf(msg, cap, "--events %s: %s, expected a writable file", o->events_path, strerror(errno));
			goto fail;
		}
		setvbuf(rn->evf, NULL, _IOLBF, 0); /* one line at a time: tests and tail -f see events at once */
	}
	if (o->pcap_path[0] && (rn->pcap = rn_pcap_open(o->pcap_path, msg, cap)) == NULL)
		goto fail;
	rn->slots = malloc((size_t)rn->batch * RN_SLOT);
	rn->tso_buf = malloc(RN_VNET_HDR + RN_DGRAM_MAX);
	if (rn->slots == NULL || rn->tso_buf == NULL) {
		snprintf(msg, cap, "out of memory for %u packet slots", rn->batch);
		goto fail;
	}
	if (rn_sock_open(rn, msg, cap) < 0)
		goto fail;
	if (tun_fd >= 0) {
		rn->tun = tun_fd;
		snprintf(rn->tun_name, sizeof rn->tun_name, "test");
	} else if (!o->no_tun) {
		int offloads;

		rn->tun = rn_tun_open(o->tun_name, o->offload, rn->tun_name, &offloads, msg, cap);
		if (rn->tun < 0)
			goto fail;
		rn->tun_is_dev = 1;
		rn->tun_vnet = o->offload;
		rn->tun_tso = offloads;
		if (o->gateway && gateway_tun(rn, msg, cap) < 0)
			goto fail;
	}
	if (ep_add(rn, rn->udp[0], RN_TAG_UDP_IKE, msg, cap) < 0 || ep_add(rn, rn->udp[1], RN_TAG_UDP_NATT, msg, cap) < 0 ||
	    (rn->raw >= 0 && ep_add(rn, rn->raw, RN_TAG_RAW, msg, cap) < 0) ||
	    (rn->tun >= 0 && ep_add(rn, rn->tun, RN_TAG_TUN, msg, cap) < 0) ||
	    ep_add(rn, rn->tfd, RN_TAG_TIMER, msg, cap) < 0 || ep_add(rn, rn->sfd, RN_TAG_SIGNAL, msg, cap) < 0)
		goto fail;
	e = rn_ev_begin(rn, "start");
	ev_str(e, "role", o->gateway ? "gateway" : "client");
	ev_u64(e, "pid", (uint64_t)getpid());
	ev_str(e, "listen", rn_ip(rn->bound_addr, a));
	ev_u64(e, "port", rn->port[0]);
	ev_u64(e, "natt_port", rn->port[1]);
	ev_str(e, "esp", rn->raw >= 0 ? (rn->esp_forced ? "udp" : "raw-or-udp") : "udp");
	ev_str(e, "tun", rn->tun >= 0 ? rn->tun_name : "none");
	ev_u64(e, "tun_mtu", o->tun_mtu);
	ev_u64(e, "batch", rn->batch);
	ev_bool(e, "udp_gso", rn->udp_gso);
	ev_bool(e, "udp_gro", rn->udp_gro);
	ev_bool(e, "tun_vnet", rn->tun_vnet);
	ev_bool(e, "tun_tso", rn->tun_tso);
	rn_ev_end(rn);
	return rn;
fail:
	if (tun_fd >= 0 && rn->tun == tun_fd)
		rn->tun = -1; /* the caller's */
	realnet_free(rn);
	return NULL;
}

void realnet_free(struct realnet *rn)
{
	if (rn == NULL)
		return;
	rn_routes_clear(rn);
	rn_esp_free(rn);
	rn_sock_close(rn);
	if (rn->tun >= 0 && rn->tun_is_dev)
		close(rn->tun); /* the device and its routes go with the last descriptor */
	if (rn->epfd >= 0)
		close(rn->epfd);
	if (rn->tfd >= 0)
		close(rn->tfd);
	if (rn->sfd >= 0) {
		close(rn->sfd);
		sigprocmask(SIG_SETMASK, &rn->oldmask, NULL);
	}
	rn_pcap_close(rn->pcap);
	if (rn->evf != NULL)
		fclose(rn->evf);
	free(rn->slots);
	free(rn->tso_buf);
	free(rn);
}

void realnet_set_engine(struct realnet *rn, const struct rn_engine *eng)
{
	rn->eng = *eng;
	rn->has_engine = 1;
}

int realnet_esp_forced(const struct realnet *rn)
{
	return rn->esp_forced;
}

const struct rn_stats *realnet_stats(const struct realnet *rn)
{
	return &rn->st;
}

uint16_t realnet_port(const struct realnet *rn, int which)
{
	return rn->port[which ? 1 : 0];
}

/* ---------------------------------------------------------------------- */
/* The engine's send callback                                              */

void realnet_send(struct realnet *rn, const struct rn_path *path, const uint8_t *buf, size_t len)
{
	struct sockaddr_in to;
	struct iovec iov = {(void *)(uintptr_t)buf, len};
	union {
		char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cm;
	struct msghdr m;
	int which = path->local_port == rn->port[0] ? 0 : path->local_port == rn->port[1] ? 1 : -1;
	char a[16];

	if (which < 0) {
		rn_ev_drop(rn, RN_DROP_WRONG_PORT, "engine sent %zu octets from port %u (sockets: %u, %u)", len,
			   path->local_port, rn->port[0], rn->port[1]);
		return;
	}
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(path->remote_addr);
	to.sin_port = htons(path->remote_port);
	memset(&m, 0, sizeof m);
	m.msg_name = &to;
	m.msg_namelen = sizeof to;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	/* bound to any address: answer from the address the peer talks to (multi-homed gateway) */
	if (rn->bound_addr == 0 && path->local_addr != 0) {
		struct cmsghdr *c;
		struct in_pktinfo pi;

		memset(&cm, 0, sizeof cm);
		memset(&pi, 0, sizeof pi);
		pi.ipi_spec_dst.s_addr = htonl(path->local_addr);
		m.msg_control = cm.b;
		m.msg_controllen = sizeof cm.b;
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
	if (sendmsg(rn->udp[which], &m, 0) < 0) {
		rn_ev_drop(rn, RN_DROP_SEND, "IKE %zu octets to %s:%u: %s", len, rn_ip(path->remote_addr, a),
			   path->remote_port, strerror(errno));
		return;
	}
	rn->st.ike_tx++;
	if (rn->pcap != NULL) {
		rn_pcap_udp_copy(rn->pcap, buf, len, path->local_addr ? path->local_addr : rn->bound_addr, path->local_port,
				 path->remote_addr, path->remote_port);
		rn->pcap_dirty = 1;
	}
}

/* ---------------------------------------------------------------------- */
/* The loop                                                                */

static void finish(struct realnet *rn, int status, const char *why)
{
	struct evbuf *e;

	if (rn->finished)
		return;
	rn->finished = 1;
	rn->status = status;
	e = rn_ev_begin(rn, "shutdown");
	ev_str(e, "reason", why);
	ev_u64(e, "status", (uint64_t)status);
	ev_u64(e, "sas_left", rn->has_engine ? rn->eng.active(rn->eng.ctx) : 0);
	ev_u64(e, "children_left", rn->n_children);
	rn_ev_end(rn);
	ev_stats(rn);
}

static void begin_shutdown(struct realnet *rn, const char *why)
{
	uint64_t now = rn->now ? rn->now : realnet_now(rn);
	size_t sas = rn->has_engine ? rn->eng.active(rn->eng.ctx) : 0;
	struct evbuf *e;

	if (rn->stopping) {
		finish(rn, rn->status, "second signal");
		return;
	}
	rn->stopping = 1;
	rn->stop_deadline = now + rn->o.shutdown_wait_ns;
	e = rn_ev_begin(rn, "closing");
	ev_str(e, "reason", why);
	ev_u64(e, "sas", sas);
	ev_time(e, "wait", rn->o.shutdown_wait_ns);
	rn_ev_end(rn);
	if (sas > 0) {
		rn_status(rn, "%s: sending DELETE for %zu IKE SA%s, waiting up to %.1f s for the answers", why, sas,
			  sas == 1 ? "" : "s", (double)rn->o.shutdown_wait_ns / 1e9);
		rn->eng.close(rn->eng.ctx, now);
	} else {
		rn_status(rn, "%s: no IKE SA to close, exiting", why);
	}
}

void realnet_shutdown(struct realnet *rn)
{
	begin_shutdown(rn, "shutdown requested");
}

static void on_signal(struct realnet *rn)
{
	struct signalfd_siginfo si;

	while (read(rn->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		rn->signals++;
		begin_shutdown(rn, si.ssi_signo == SIGINT ? "SIGINT" : si.ssi_signo == SIGTERM ? "SIGTERM" : "signal");
	}
}

static void on_timer(struct realnet *rn)
{
	uint64_t ticks, now;

	if (read(rn->tfd, &ticks, sizeof ticks) < 0)
		return;
	rn->armed = UINT64_MAX;
	now = rn->now;
	if (rn->has_engine && rn->eng.deadline(rn->eng.ctx) <= now)
		rn->eng.on_deadline(rn->eng.ctx, now);
	if (rn->stopping && now >= rn->stop_deadline)
		finish(rn, rn->status, "shutdown_wait passed with SAs left");
}

static void rearm(struct realnet *rn)
{
	uint64_t d = rn->has_engine ? rn->eng.deadline(rn->eng.ctx) : UINT64_MAX;
	struct itimerspec its;

	if (rn->stopping && rn->stop_deadline < d)
		d = rn->stop_deadline;
	if (d == rn->armed)
		return;
	memset(&its, 0, sizeof its);
	if (d != UINT64_MAX) {
		uint64_t abs = rn->t0 + d;

		if (abs == 0)
			abs = 1; /* 0 would disarm */
		its.it_value.tv_sec = (time_t)(abs / 1000000000u);
		its.it_value.tv_nsec = (long)(abs % 1000000000u);
	}
	timerfd_settime(rn->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	rn->armed = d;
}

static void check_done(struct realnet *rn)
{
	size_t sas;

	if (rn->finished)
		return;
	if (rn->stopping) {
		if (!rn->has_engine || rn->eng.active(rn->eng.ctx) == 0)
			finish(rn, rn->status, "all IKE SAs closed");
		return;
	}
	if (rn->o.gateway || !rn->started || !rn->has_engine)
		return;
	sas = rn->eng.active(rn->eng.ctx);
	if (sas == 0) {
		if (rn->child_seen) {
			rn_status(rn, "the IKE SA ended (deleted by the peer, or liveness check failed); exiting");
			finish(rn, 0, "IKE SA gone");
		} else {
			rn_status(rn, "the tunnel did not come up (see the events for why); exiting");
			finish(rn, 1, "IKE SA failed");
		}
	}
}

int realnet_step(struct realnet *rn, int timeout_ms, int *status)
{
	struct epoll_event ev[8];
	int n;

	if (!rn->finished) {
		rearm(rn);
		n = epoll_wait(rn->epfd, ev, 8, timeout_ms);
		if (n < 0 && errno != EINTR)
			return -1;
		rn->st.wakeups++;
		for (int i = 0; i < n; i++) {
			rn->now = realnet_now(rn);
			switch (ev[i].data.u32) {
			case RN_TAG_UDP_IKE:
				rn_udp_rx(rn, RN_SOCK_IKE);
				break;
			case RN_TAG_UDP_NATT:
				rn_udp_rx(rn, RN_SOCK_NATT);
				break;
			case RN_TAG_RAW:
				rn_raw_rx(rn);
				break;
			case RN_TAG_TUN:
				rn_tun_rx(rn);
				break;
			case RN_TAG_TIMER:
				on_timer(rn);
				break;
			case RN_TAG_SIGNAL:
				on_signal(rn);
				break;
			default:
				break;
			}
		}
		rn->now = 0;
		check_done(rn);
		if (rn->pcap_dirty) {
			rn_pcap_flush(rn->pcap);
			rn->pcap_dirty = 0;
		}
	}
	if (rn->finished) {
		if (status != NULL)
			*status = rn->status;
		return 0;
	}
	return 1;
}

int realnet_start(struct realnet *rn)
{
	if (rn->started)
		return 0;
	rn->started = 1;
	if (rn->has_engine && rn->eng.start != NULL && rn->eng.start(rn->eng.ctx, realnet_now(rn)) < 0) {
		rn_status(rn, "error: the engine refused to start (see the events)");
		finish(rn, 2, "start failed");
		return -1;
	}
	return 0;
}

int realnet_run(struct realnet *rn)
{
	int status = 2, rc;

	if (realnet_start(rn) < 0)
		return 2;
	while ((rc = realnet_step(rn, -1, &status)) == 1)
		;
	if (rc < 0) {
		rn_status(rn, "error: epoll_wait: %s", strerror(errno));
		finish(rn, 2, "loop error");
		return 2;
	}
	return status;
}
