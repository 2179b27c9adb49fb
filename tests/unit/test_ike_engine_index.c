/*
 * test_ike_engine_index.c — the engine's SA indexes (ike_sa_index.c)
 * against the naive model: a scan of every SA. A gateway and a handful of
 * clients run random operation sequences (connect, deliver, lose, replay,
 * time passing with retransmissions, DPD, lifetimes and half-open expiry,
 * rekeys, new CHILD SAs, closes, client reboots with INITIAL_CONTACT under
 * unique = replace); after every step
 *
 *   - ike_engine_check: heap minimum = the earliest timer of any SA, every
 *     SA keyed by its own timers, counters, maps and the ESP SPI set as a
 *     scan finds them;
 *   - lookups: ike_sa_find for the header of every SA (either direction,
 *     right and wrong SPIs), ike_sa_find_half_open and ike_sa_find_ours
 *     return what a walk over all SAs returns;
 *   - public views: ike_sa_count / ike_half_open_count / ike_sa_status /
 *     ike_sa_status_spi as counted by the walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_engine.h"
#include "tests/unit/test_ike_flow_util.h"

enum { N_CL = 6, STEPS = 1500 };

struct world {
	struct flow f;               /* f.gw; f.cl unused */
	struct flow_peer *cl[N_CL];
	uint32_t seed;               /* the LCG's state */
	uint32_t seed0;              /* the sequence (for messages) */
	uint64_t reboots;
};

static uint32_t rnd(struct world *w)
{
	w->seed = w->seed * 1103515245u + 12345u;
	return w->seed >> 8;
}

/* ---------------------------------------------------------------------- */
/* the naive model                                                         */

static struct ike_sa *naive_find(struct ike_engine *e, const struct ike_hdr *h)
{
	int we_responder = (h->flags & IKE_FLAG_I) != 0;

	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		if (sa->state == IKE_S_DEAD || sa->initiator == we_responder)
			continue;
		if (we_responder ? (sa->spi_r == h->spi_r && sa->spi_i == h->spi_i)
				 : (sa->spi_i == h->spi_i &&
				    (sa->spi_r == h->spi_r || (sa->state == IKE_S_INIT_SENT && h->exchange == IKE_SA_INIT))))
			return sa;
	}
	return NULL;
}

static struct ike_sa *naive_half_open(struct ike_engine *e, uint64_t spi_i, const struct ike_path *p)
{
	for (size_t i = e->n_sas; i-- > 0;) {
		struct ike_sa *sa = e->all[i];

		if (!sa->initiator && sa->state != IKE_S_DEAD && sa->spi_i == spi_i &&
		    sa->path.remote_addr == p->remote_addr && sa->path.remote_port == p->remote_port)
			return sa;
	}
	return NULL;
}

static struct ike_sa *naive_ours(struct ike_engine *e, uint64_t spi)
{
	for (size_t i = e->n_sas; i-- > 0;)
		if (e->all[i]->state != IKE_S_DEAD && ike_sa_our_spi(e->all[i]) == spi)
			return e->all[i];
	return NULL;
}

static void compare_lookups(struct ike_engine *e, struct world *w)
{
	size_t live = 0, half = 0;
	char msg[300];

	if (ike_engine_check(e, msg, sizeof msg) != 0)
		fail_msg("seed %u: %s", w->seed0, msg);
	for (size_t i = 0; i < e->n_sas; i++) {
		struct ike_sa *sa = e->all[i];
		struct ike_hdr h;
		uint64_t other = ((uint64_t)rnd(w) << 32) | rnd(w);

		live += sa->state != IKE_S_DEAD;
		half += sa->state == IKE_S_INIT_DONE;
		for (int variant = 0; variant < 6; variant++) {
			memset(&h, 0, sizeof h);
			h.spi_i = variant == 2 ? other : sa->spi_i;
			h.spi_r = variant == 3 ? other : sa->spi_r;
			h.exchange = variant == 4 ? IKE_SA_INIT : IKE_INFORMATIONAL;
			/* as the peer sends it (I set by the original initiator), and the wrong way round */
			h.flags = (uint8_t)(((sa->initiator ? 0 : 1) ^ (variant == 5)) ? IKE_FLAG_I : 0);
			if (ike_sa_find(e, &h) != naive_find(e, &h))
				fail_msg("seed %u: ike_sa_find differs for SA %zu variant %d", w->seed0, i, variant);
		}
		if (ike_sa_find_half_open(e, sa->spi_i, &sa->path) != naive_half_open(e, sa->spi_i, &sa->path))
			fail_msg("seed %u: ike_sa_find_half_open differs for SA %zu", w->seed0, i);
		if (ike_sa_find_ours(e, ike_sa_our_spi(sa)) != naive_ours(e, ike_sa_our_spi(sa)))
			fail_msg("seed %u: ike_sa_find_ours differs for SA %zu", w->seed0, i);
		if (ike_sa_find_ours(e, other) != naive_ours(e, other))
			fail_msg("seed %u: ike_sa_find_ours differs for a random SPI", w->seed0);
	}
	ike_index_flush(e); /* the lookups marked what they found */
	if (ike_sa_count(e) != live || ike_half_open_count(e) != half)
		fail_msg("seed %u: %zu SAs / %zu half-open reported, %zu / %zu by the walk", w->seed0, ike_sa_count(e),
			 ike_half_open_count(e), live, half);
	for (size_t i = 0, k = 0; i < e->n_sas; i++) {
		struct ike_sa_status st;

		if (e->all[i]->state == IKE_S_DEAD)
			continue;
		if (ike_sa_status(e, k++, &st) != 0 || st.spi_i != e->all[i]->spi_i || st.spi_r != e->all[i]->spi_r)
			fail_msg("seed %u: ike_sa_status(%zu) is not the walk's %zu-th live SA", w->seed0, k - 1, k - 1);
		/* by SPIs: the same SA (unless a half-open client SA without SPIr shares them, never) */
		if (e->all[i]->spi_r != 0 &&
		    (ike_sa_status_spi(e, e->all[i]->spi_i, e->all[i]->spi_r, &st) != 0 || st.state != e->all[i]->state ||
		     st.initiator != e->all[i]->initiator))
			fail_msg("seed %u: ike_sa_status_spi differs for SA %zu", w->seed0, i);
	}
	if (ike_engine_check(e, msg, sizeof msg) != 0)
		fail_msg("seed %u: after lookups: %s", w->seed0, msg);
}

/* ---------------------------------------------------------------------- */
/* the world                                                               */

/* long runs install many CHILD SAs: count them instead of keeping them (flow_child_up keeps 16) */
static void count_up(void *ctx, const struct ike_child_info *ci)
{
	(void)ci;
	((struct flow_peer *)ctx)->n_child++;
}

static void count_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	(void)spi_in;
	(void)spi_out;
	(void)reason;
	((struct flow_peer *)ctx)->n_down++;
}

static void no_events(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	(void)line;
	(void)len;
}

static void peer_start(struct flow_peer *p, uint64_t seed)
{
	struct ike_callbacks cb;
	char msg[256] = "";

	p->drbg = crypto_drbg_new(seed, p->name);
	memset(&cb, 0, sizeof cb);
	cb.ctx = p;
	cb.send = flow_send;
	cb.child_up = count_up;
	cb.child_down = count_down;
	cb.rng = crypto_drbg_rng(p->drbg);
	cb.ev.emit = no_events;
	p->e = ike_engine_new(&p->cfg, &cb, msg, sizeof msg);
	if (p->e == NULL)
		fail_msg("ike_engine_new: %s", msg);
}

static void client_cfg(struct world *w, int i, struct ike_config *c)
{
	char id[32];

	*c = w->f.cl.cfg;
	c->local_addr = IP(192, 0, 2, 20 + i);
	/* clients 0 and 1 are the same user on two devices: unique = replace applies */
	snprintf(id, sizeof id, "user%d@example.org", i < 2 ? 0 : i);
	c->local_id.len = strlen(id);
	memcpy(c->local_id.data, id, c->local_id.len);
	c->child_lifetime_ns = (40 + 7 * (uint64_t)i) * S_NS;
	c->dpd_ns = (i % 2) ? 25 * S_NS : 0;
}

static void world_start(struct world *w, uint32_t seed)
{
	memset(w, 0, sizeof *w);
	w->seed = w->seed0 = seed;
	flow_defaults(&w->f);
	w->f.gw.cfg.unique = IKE_UNIQUE_REPLACE;
	w->f.gw.cfg.ike_lifetime_ns = 90 * S_NS;
	w->f.gw.cfg.dpd_ns = 30 * S_NS;
	w->f.gw.cfg.half_open_timeout_ns = 10 * S_NS;
	w->f.gw.cfg.retx_timeout_ns = 2 * S_NS;
	w->f.gw.cfg.retx_tries = 3;
	w->f.gw.cfg.cookie_threshold = 3;
	w->f.gw.cfg.pool_lo = IP(10, 10, 0, 1);
	w->f.gw.cfg.pool_hi = IP(10, 10, 0, 50);
	w->f.cl.cfg.retx_timeout_ns = 2 * S_NS;
	w->f.cl.cfg.retx_tries = 3;
	w->f.cl.cfg.request_vip = 1;
	peer_start(&w->f.gw, seed);
	for (int i = 0; i < N_CL; i++) {
		struct ike_config c;

		client_cfg(w, i, &c);
		w->cl[i] = calloc(1, sizeof *w->cl[i]);
		w->cl[i]->name = "client";
		w->cl[i]->cfg = c;
		peer_start(w->cl[i], seed * 31u + (uint64_t)i);
	}
}

static void world_free(struct world *w)
{
	for (int i = 0; i < N_CL; i++)
		flow_extra_free(w->cl[i]);
	ike_engine_free(w->f.gw.e);
	crypto_drbg_free(w->f.gw.drbg);
	flow_queue_free(&w->f.gw.out);
	ev_lines_free(&w->f.gw.ev);
	free(w->f.gw.log);
}

/* one_datagram moves (or loses, or replays) one queued datagram; returns 0 when none was queued. */
static int one_datagram(struct world *w, int action)
{
	int which = (int)(rnd(w) % (N_CL + 1));
	struct flow_peer *from = NULL;
	struct flow_dgram d;
	struct ike_path in;

	/* the first queue with something in it, from a random start */
	for (int k = 0; k <= N_CL && from == NULL; k++) {
		struct flow_peer *p = (which + k) % (N_CL + 1) == N_CL ? &w->f.gw : w->cl[(which + k) % (N_CL + 1)];

		if (p->out.head != p->out.tail)
			from = p;
	}
	if (from == NULL)
		return 0;
	d = from->out.d[from->out.head++ % FLOW_QMAX];
	in = (struct ike_path){d.path.remote_addr, d.path.local_addr, d.path.remote_port, d.path.local_port};
	if (action != 1) {
		for (int times = action == 2 ? 2 : 1; times > 0; times--) {
			if (from != &w->f.gw) {
				ike_input(w->f.gw.e, &in, d.buf, d.len, w->f.now);
			} else {
				for (int i = 0; i < N_CL; i++)
					if (w->cl[i]->cfg.local_addr == d.path.remote_addr)
						ike_input(w->cl[i]->e, &in, d.buf, d.len, w->f.now);
			}
		}
	}
	free(d.buf);
	return 1;
}

static void advance(struct world *w, uint64_t ns)
{
	uint64_t end = w->f.now + ns;

	for (int guard = 0; guard < 10000; guard++) {
		uint64_t d = ike_deadline(w->f.gw.e);

		for (int i = 0; i < N_CL; i++)
			if (ike_deadline(w->cl[i]->e) < d)
				d = ike_deadline(w->cl[i]->e);
		if (d > end)
			break;
		if (d > w->f.now)
			w->f.now = d;
		if (ike_deadline(w->f.gw.e) <= w->f.now)
			ike_on_deadline(w->f.gw.e, w->f.now);
		for (int i = 0; i < N_CL; i++)
			if (ike_deadline(w->cl[i]->e) <= w->f.now)
				ike_on_deadline(w->cl[i]->e, w->f.now);
	}
	w->f.now = end;
}

static void step(struct world *w)
{
	uint32_t op = rnd(w) % 100;
	struct flow_peer *c = w->cl[rnd(w) % N_CL];

	if (op < 45) {
		one_datagram(w, 0);
	} else if (op < 50) {
		one_datagram(w, 1); /* lost */
	} else if (op < 53) {
		one_datagram(w, 2); /* duplicated */
	} else if (op < 63) {
		advance(w, (uint64_t)(rnd(w) % 3000) * 1000000u);
	} else if (op < 65) {
		advance(w, (uint64_t)(rnd(w) % 60) * S_NS); /* long quiet: DPD, lifetimes, expiry */
	} else if (op < 75) {
		ike_client_start(c->e, w->f.now);
	} else if (op < 79) {
		ike_rekey_child(rnd(w) % 2 ? c->e : w->f.gw.e, 0, w->f.now);
	} else if (op < 82) {
		ike_rekey_ike(rnd(w) % 3 ? c->e : w->f.gw.e, w->f.now);
	} else if (op < 86) {
		ike_create_child(rnd(w) % 2 ? c->e : w->f.gw.e, 0, w->f.now);
	} else if (op < 89) {
		ike_close(c->e, w->f.now);
	} else if (op < 92) {
		/* the client reboots: new engine, same identity (INITIAL_CONTACT next time) */
		ike_engine_free(c->e);
		crypto_drbg_free(c->drbg);
		flow_queue_free(&c->out);
		peer_start(c, 1000 + w->reboots++);
	} else if (op < 94) {
		ike_reauth(c->e, w->f.now);
	} else {
		/* drain: everything queued goes through */
		for (int guard = 0; guard < 400 && one_datagram(w, 0) + one_datagram(w, 0) + one_datagram(w, 0) > 0; guard++)
			;
	}
}

static void run_seed(uint32_t seed)
{
	struct world w;
	size_t max_sas = 0, established = 0;

	world_start(&w, seed);
	for (int s = 0; s < STEPS; s++) {
		step(&w);
		compare_lookups(w.f.gw.e, &w);
		for (int i = 0; i < N_CL; i++)
			compare_lookups(w.cl[i]->e, &w);
		if (ike_sa_count(w.f.gw.e) > max_sas)
			max_sas = ike_sa_count(w.f.gw.e);
		for (size_t i = 0; i < ike_sa_count(w.f.gw.e); i++) {
			struct ike_sa_status st;

			if (ike_sa_status(w.f.gw.e, i, &st) == 0 && st.state == IKE_S_ESTABLISHED)
				established++;
		}
	}
	if (getenv("INDEX_VERBOSE"))
		fprintf(stderr, "seed %u: max %zu gateway SAs, %zu established SA-steps, %llu retransmits\n", seed,
			max_sas, established, (unsigned long long)ike_engine_counts(w.f.gw.e)->retransmits);
	/* the sequences did reach the interesting states */
	assert_true(max_sas >= 4);
	assert_true(established > 0);
	assert_true(ike_engine_counts(w.f.gw.e)->retransmits > 0);
	world_free(&w);
}

static void test_random_sequences(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 8; seed++)
		run_seed(seed);
}

/* a thousand SAs: the heap and the maps grow and shrink */
static void test_many_sas(void **state)
{
	struct flow f;
	struct flow_peer *cl[40];
	char msg[300];

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.cookies = 0;
	f.gw.cfg.half_open_timeout_ns = 5 * S_NS;
	flow_start(&f, 77);
	/* 40 clients x 25 handshakes left half-open (no IKE_AUTH): 1,000 gateway SAs */
	for (int i = 0; i < 40; i++)
		cl[i] = flow_extra_client(&f, "client", IP(192, 0, 3, 1 + i), 100 + (uint64_t)i);
	for (int round = 0; round < 25; round++) {
		for (int i = 0; i < 40; i++) {
			ike_engine_free(cl[i]->e);
			crypto_drbg_free(cl[i]->drbg);
			flow_peer_start(cl[i], 1000u * (uint64_t)round + (uint64_t)i);
			ike_client_start(cl[i]->e, f.now);
			while (cl[i]->out.head < cl[i]->out.tail) {
				struct flow_dgram d = cl[i]->out.d[cl[i]->out.head++ % FLOW_QMAX];
				struct ike_path in = {d.path.remote_addr, d.path.local_addr, d.path.remote_port,
						      d.path.local_port};

				ike_input(f.gw.e, &in, d.buf, d.len, f.now);
				free(d.buf);
			}
			flow_queue_free(&f.gw.out); /* the answers are lost */
		}
		f.now += S_NS / 10;
	}
	assert_int_equal(ike_sa_count(f.gw.e), 1000);
	assert_int_equal(ike_half_open_count(f.gw.e), 1000);
	assert_int_equal(ike_engine_check(f.gw.e, msg, sizeof msg), 0);
	/* the oldest expires first; after 5 s all are gone, in order */
	assert_int_equal(ike_deadline(f.gw.e), 5 * S_NS);
	ike_on_deadline(f.gw.e, 5 * S_NS);
	assert_int_equal(ike_sa_count(f.gw.e), 960);
	assert_int_equal(ike_engine_check(f.gw.e, msg, sizeof msg), 0);
	ike_on_deadline(f.gw.e, 10 * S_NS);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	assert_int_equal(ike_deadline(f.gw.e), UINT64_MAX);
	assert_int_equal(ike_engine_check(f.gw.e, msg, sizeof msg), 0);
	for (int i = 0; i < 40; i++)
		flow_extra_free(cl[i]);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_many_sas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
