/*
 * test_sim_fork.h — one ns-3 simulation per child process for the cmocka
 * sim tests (included by tests/unit/test_sim_*.c only).
 *
 * Why fork: ns-3 keeps random-stream counters and its object registry in
 * process globals, so a second simulation in the same process is not
 * reproducible. Each test runs its scenario in a fresh child: the child
 * records the first failed SIM_CHECK in shared memory, tears ns-3 down and
 * exits (LeakSanitizer runs at that exit and fails the child on a leak);
 * the parent turns the outcome into a cmocka result. cmocka assertions must
 * not be used in the child (they would longjmp into the child's copy of the
 * test runner), hence SIM_CHECK.
 */
#ifndef VPNLAB_TEST_SIM_FORK_H
#define VPNLAB_TEST_SIM_FORK_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/ns3shim.h"

/* simres is shared between the parent and its child. */
struct simres {
	char fail[768];
	long v[32];         /* numbers the child reports for the parent to print/compare */
	char path[4][256];  /* files the child wrote */
};

#define SIM_CHECK(res, cond)                                                                   \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			if (!(res)->fail[0])                                                   \
				snprintf((res)->fail, sizeof (res)->fail,                      \
					 "%s:%d: %s (last error: %s)", __FILE__, __LINE__,     \
					 #cond, ns3shim_last_error());                         \
			return;                                                                \
		}                                                                              \
	} while (0)

/* SIM_CHECK_EQ also prints both values. */
#define SIM_CHECK_EQ(res, a, b)                                                                \
	do {                                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);                            \
		if (a_ != b_) {                                                                \
			if (!(res)->fail[0])                                                   \
				snprintf((res)->fail, sizeof (res)->fail,                      \
					 "%s:%d: %s == %s: %lld != %lld (last error: %s)",     \
					 __FILE__, __LINE__, #a, #b, a_, b_,                   \
					 ns3shim_last_error());                                \
			return;                                                                \
		}                                                                              \
	} while (0)

typedef void (*sim_scenario_fn)(struct simres *res, void *arg);

/*
 * sim_fork runs |fn| in a child and fills |*out| with its simres. Returns
 * NULL on success or a message (static buffer) describing the failure.
 */
static inline const char *sim_fork(sim_scenario_fn fn, void *arg, struct simres *out)
{
	static char msg[900];
	struct simres *res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return "mmap failed";
	memset(res, 0, sizeof *res);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		munmap(res, sizeof *res);
		return "fork failed";
	}
	if (pid == 0) {
		/* cmocka's crash handlers would longjmp into the runner's copy */
		int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_DFL);
		alarm(120);
		fn(res, arg);
		ns3shim_destroy();
		fflush(NULL);
		exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	*out = *res;
	munmap(res, sizeof *res);
	if (WIFSIGNALED(st)) {
		snprintf(msg, sizeof msg, "child killed by signal %d%s%s", WTERMSIG(st),
			 out->fail[0] ? "; " : "", out->fail);
		return msg;
	}
	if (WEXITSTATUS(st) != 0) {
		snprintf(msg, sizeof msg, "child exited %d (sanitizer report above?)%s%s",
			 WEXITSTATUS(st), out->fail[0] ? "; " : "", out->fail);
		return msg;
	}
	if (out->fail[0]) {
		snprintf(msg, sizeof msg, "%s", out->fail);
		return msg;
	}
	return NULL;
}

/* SIM_RUN forks |fn| and fails the cmocka test on any problem. */
#define SIM_RUN(fn, arg, out)                                                                  \
	do {                                                                                   \
		const char *e_ = sim_fork((fn), (arg), (out));                                 \
		if (e_)                                                                        \
			fail_msg("%s", e_);                                                    \
	} while (0)

/*
 * sim_tmpdir makes a fresh directory for pcaps; sim_rmdir removes it and
 * its files, unless VPNLAB_SIM_KEEP is set (then it prints where they are).
 */
static inline void sim_tmpdir(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/vpnlab-sim-XXXXXX");
	if (!mkdtemp(buf))
		buf[0] = 0;
}

static inline void sim_rmdir(const char *dir)
{
	char cmd[512];
	if (!dir[0] || strncmp(dir, "/tmp/vpnlab-sim-", 16) != 0)
		return;
	if (getenv("VPNLAB_SIM_KEEP")) {
		fprintf(stderr, "kept %s\n", dir);
		return;
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/*
 * sim_tshark_problems counts tshark expert lines about malformed packets or
 * bad checksums in |path| (IPv4, UDP and TCP checksum validation on); -1 if
 * tshark fails.
 */
static inline int sim_tshark_problems(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "tshark -n -r '%s' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
		 "-o tcp.check_checksum:TRUE -q -z expert,warn 2>&1",
		 path);
	FILE *ts = popen(cmd, "r");
	if (!ts)
		return -1;
	char line[512];
	int bad = 0;
	while (fgets(line, sizeof line, ts))
		if (strstr(line, "Malformed") || strstr(line, "Bad checksum") ||
		    strstr(line, "incorrect"))
			bad++;
	return pclose(ts) == 0 ? bad : -1;
}

#endif
