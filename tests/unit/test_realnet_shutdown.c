/*
 * test_realnet_shutdown.c — the loop's life cycle with a fake engine:
 * SIGTERM/SIGINT through the signalfd start the shutdown, the engine's
 * close sends DELETE at once, the loop waits for the answers but no longer
 * than shutdown_wait, a second signal ends at once; the timerfd runs the
 * engine's deadlines; a client ends when its IKE SA is gone (status 1 if
 * no CHILD SA ever came up); the events file tells the story.
 *
 * No timed assertions: the loop is driven with realnet_step(-1), which
 * returns when something happened; the only waits are the loop's own
 * timerfd at a deadline of a few milliseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>

#include "tests/unit/test_realnet_util.h"

struct life {
	struct realnet *rn;
	struct fake_engine f;
	int peer;          /* the test's UDP socket: the "peer" of the IKE SAs */
	uint16_t peer_port;
	char events[64];
};

static struct life *life_new(int gateway, uint64_t wait_ns)
{
	struct life *l = calloc(1, sizeof *l);
	struct rn_opts o;
	char msg[256];
	int fd;

	assert_non_null(l);
	snprintf(l->events, sizeof l->events, "/tmp/test_realnet_ev.XXXXXX");
	fd = mkstemp(l->events);
	assert_true(fd >= 0);
	close(fd);
	test_opts(&o, gateway, gateway ? "gw" : "client");
	o.no_tun = 1;
	o.shutdown_wait_ns = wait_ns;
	snprintf(o.events_path, sizeof o.events_path, "%s", l->events);
	l->rn = realnet_new(&o, -1, msg, sizeof msg);
	if (l->rn == NULL)
		fail_msg("realnet_new: %s", msg);
	fake_attach(&l->f, l->rn, !gateway);
	l->peer = udp_socket(&l->peer_port);
	assert_true(l->peer >= 0);
	l->f.close_to = (struct rn_path){LOOPBACK, LOOPBACK, realnet_port(l->rn, 0), l->peer_port};
	return l;
}

/* events_has: does the events file hold a line with |needle|? */
static int events_has(const struct life *l, const char *needle)
{
	FILE *f = fopen(l->events, "r");
	char line[4096];
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static void life_free(struct life *l)
{
	realnet_free(l->rn);
	close(l->peer);
	unlink(l->events);
	free(l);
}

/* run_until_done steps until the loop finishes; returns its status. */
static int run_until_done(struct life *l, int max_steps)
{
	int status = -1;

	for (int i = 0; i < max_steps; i++) {
		int rc = realnet_step(l->rn, -1, &status);

		assert_int_not_equal(rc, -1);
		if (rc == 0)
			return status;
	}
	fail_msg("loop still running after %d steps", max_steps);
	return -1;
}

static void test_sigterm_delete_answered(void **state)
{
	struct life *l = life_new(1, 5ull * 1000000000ull); /* a long bound: the answer must end it */
	uint8_t buf[64];
	int status;

	(void)state;
	l->f.sas = 1;
	l->f.answer_ends_sa = 1;
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(realnet_step(l->rn, -1, &status), 1);
	/* DELETE went out at once, the loop waits for the answer */
	assert_int_equal(l->f.closes, 1);
	assert_int_equal(recv(l->peer, buf, sizeof buf, MSG_DONTWAIT), 6);
	assert_memory_equal(buf, "DELETE", 6);
	assert_int_equal(udp_send(l->peer, realnet_port(l->rn, 0), "ANSWER", 6), 6);
	assert_int_equal(run_until_done(l, 10), 0);
	assert_int_equal(l->f.sas, 0);
	assert_true(events_has(l, "\"ev\":\"closing\",\"who\":\"gw\",\"reason\":\"SIGTERM\",\"sas\":1"));
	assert_true(events_has(l, "\"reason\":\"all IKE SAs closed\""));
	assert_true(events_has(l, "\"ev\":\"stats\""));
	life_free(l);
}

static void test_sigint_no_answer_bounded(void **state)
{
	struct life *l = life_new(1, 20ull * 1000000ull); /* 20 ms */

	(void)state;
	l->f.sas = 2;
	assert_int_equal(kill(getpid(), SIGINT), 0);
	/* nobody answers: the shutdown_wait timer ends the loop with the SAs still held */
	assert_int_equal(run_until_done(l, 10), 0);
	assert_int_equal(l->f.closes, 1);
	assert_int_equal(l->f.sas, 2);
	assert_true(events_has(l, "\"reason\":\"SIGINT\""));
	assert_true(events_has(l, "shutdown_wait passed"));
	assert_true(events_has(l, "\"sas_left\":2"));
	life_free(l);
}

static void test_second_signal_ends_at_once(void **state)
{
	struct life *l = life_new(1, 3600ull * 1000000000ull); /* an hour: only the second signal can end it */
	int status = -1;

	(void)state;
	l->f.sas = 1;
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(realnet_step(l->rn, -1, &status), 1);
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(run_until_done(l, 5), 0);
	assert_int_equal(l->f.closes, 1);
	assert_true(events_has(l, "second signal"));
	life_free(l);
}

static void test_no_sa_exits_immediately(void **state)
{
	struct life *l = life_new(1, 3600ull * 1000000000ull);

	(void)state;
	l->f.sas = 0;
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(run_until_done(l, 3), 0);
	assert_int_equal(l->f.closes, 0); /* nothing to DELETE */
	life_free(l);
}

static void test_timer_runs_deadline(void **state)
{
	struct life *l = life_new(1, 1000000000ull);
	int status;

	(void)state;
	l->f.deadline = realnet_now(l->rn) + 2000000; /* 2 ms */
	while (l->f.deadlines_run == 0)
		assert_int_equal(realnet_step(l->rn, -1, &status), 1);
	assert_int_equal(l->f.deadlines_run, 1);
	assert_true(l->rn->armed == UINT64_MAX || l->rn->armed == l->f.deadline);
	/* a deadline in the past fires at once */
	l->f.deadline = 1;
	assert_int_equal(realnet_step(l->rn, -1, &status), 1);
	assert_int_equal(l->f.deadlines_run, 2);
	life_free(l);
}

static void test_client_ends_with_its_sa(void **state)
{
	struct life *l = life_new(0, 1000000000ull);
	struct rn_child_cfg c;
	static const uint8_t k[20] = "0123456789abcdefSALT";

	(void)state;
	/* start: the engine is asked to connect; its SA fails before any CHILD SA: status 1 */
	l->f.sas = 1;
	assert_int_equal(realnet_start(l->rn), 0);
	assert_int_equal(l->f.starts, 1);
	l->f.sas = 0;
	l->f.deadline = 0; /* wake the loop once */
	assert_int_equal(run_until_done(l, 3), 1);
	assert_true(events_has(l, "IKE SA failed"));
	life_free(l);

	/* a client whose CHILD SA came up and whose IKE SA later went away: status 0 */
	l = life_new(0, 1000000000ull);
	l->f.sas = 1;
	assert_int_equal(realnet_start(l->rn), 0);
	memset(&c, 0, sizeof c);
	c.spi_in = 0x3000;
	c.spi_out = 0x4000;
	c.alg = CRYPTO_AES_GCM_16;
	c.enc_key_in = c.enc_key_out = k;
	c.enc_key_len = 20;
	c.n_ts_local = c.n_ts_remote = 1;
	c.ts_local[0] = c.ts_remote[0] = (struct rn_ts){0, UINT32_MAX, 0, 0, 65535};
	c.encap = 1;
	c.path = (struct rn_path){LOOPBACK, LOOPBACK, realnet_port(l->rn, 1), l->peer_port};
	assert_int_equal(realnet_child_add(l->rn, &c), 0);
	l->f.sas = 0;
	l->f.deadline = 0;
	assert_int_equal(run_until_done(l, 3), 0);
	assert_true(events_has(l, "\"reason\":\"IKE SA gone\""));
	assert_true(events_has(l, "\"ev\":\"child_installed\""));
	life_free(l);
}

static void test_new_errors(void **state)
{
	struct rn_opts o;
	char msg[512] = "";
	struct realnet *a, *b;

	(void)state;
	/* a busy port is named */
	test_opts(&o, 1, "gw");
	o.no_tun = 1;
	a = realnet_new(&o, -1, msg, sizeof msg);
	assert_non_null(a);
	o.port = realnet_port(a, 0);
	b = realnet_new(&o, -1, msg, sizeof msg);
	assert_null(b);
	{
		char want[64];

		snprintf(want, sizeof want, "UDP port %u (port) on 127.0.0.1 is already in use", o.port);
		assert_non_null(strstr(msg, want));
	}
	o.port = 0;
	o.natt_port = realnet_port(a, 1);
	assert_null(realnet_new(&o, -1, msg, sizeof msg));
	assert_non_null(strstr(msg, "(natt_port)"));
	realnet_free(a);
	/* an unwritable events file */
	test_opts(&o, 1, "gw");
	o.no_tun = 1;
	snprintf(o.events_path, sizeof o.events_path, "/nonexistent-dir/ev.jsonl");
	assert_null(realnet_new(&o, -1, msg, sizeof msg));
	assert_non_null(strstr(msg, "--events /nonexistent-dir/ev.jsonl"));
	/* an address that is not ours */
	test_opts(&o, 1, "gw");
	o.no_tun = 1;
	o.listen_addr = 0xc0000201u; /* 192.0.2.1, TEST-NET-1 */
	assert_null(realnet_new(&o, -1, msg, sizeof msg));
	assert_non_null(strstr(msg, "expected an address of this host"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigterm_delete_answered),
		cmocka_unit_test(test_sigint_no_answer_bounded),
		cmocka_unit_test(test_second_signal_ends_at_once),
		cmocka_unit_test(test_no_sa_exits_immediately),
		cmocka_unit_test(test_timer_runs_deadline),
		cmocka_unit_test(test_client_ends_with_its_sa),
		cmocka_unit_test(test_new_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
