/*
 * suite.c — `vpnlab suite DIR|FILES`: every scenario as its own `vpnlab
 * run` child process (fork + exec of /proc/self/exe: one simulation per
 * process, see sim/scenario/scn_run.h), N at a time, each with a wall-time
 * limit; then the table, JUnit XML and TAP.
 *
 * Files are parsed here first: a file that does not parse is an ERROR
 * with the parser's file:line:col message, a pending one is a SKIP with
 * its reason; neither starts a process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/verbs.h"
#include "sim/scenario/scn.h"
#include "sim/scenario/scn_suite.h"
#include "sim/scenario/scn_units.h"

enum { SUITE_MAX = 512, SUITE_RUN_SKIP = 3 };

static void suite_usage(FILE *f)
{
	fprintf(f,
		"usage: vpnlab suite DIR|FILE... [-j N] [--filter PAT] [--list] [--out DIR]\n"
		"                    [--junit FILE] [--tap FILE] [--timeout SEC] [--quiet]\n\n"
		"Runs every scenario file (*.scn, directories searched recursively) as its own\n"
		"`vpnlab run` process, N at a time, and prints a table: scenario, verdict, wall\n"
		"time and key measured values, with each failed expectation below its row.\n"
		"Scenarios marked 'status = pending REASON' are reported as SKIP, never run.\n\n"
		"  -j N           parallel runs (default: the number of CPUs)\n"
		"  --filter PAT   only scenarios whose name or path matches the glob PAT\n"
		"                 (a PAT without * ? [ matches as a substring); repeatable\n"
		"  --list         list the scenarios (name, status, file, first line) and exit\n"
		"  --out DIR      results: DIR/<scenario>/ per run (default out/suite)\n"
		"  --junit FILE   JUnit XML (default DIR/junit.xml)\n"
		"  --tap FILE     TAP version 13 (default DIR/results.tap)\n"
		"  --timeout SEC  wall-time limit per run (default: the scenario's wall_limit, 300)\n"
		"  --quiet        no progress lines, only the table\n\n"
		"exit status: 0 every scenario passed or was skipped; 1 a scenario failed an\n"
		"expectation; 2 a scenario could not run (parse error, crash, timeout) or bad\n"
		"arguments.\n\n"
		"examples:\n"
		"  vpnlab suite scenarios\n"
		"  vpnlab suite scenarios -j 2 --filter 'nat*' --junit junit.xml\n"
		"  vpnlab suite scenarios/basic/baseline.scn scenarios/frag --list\n");
}

struct job {
	struct scn_suite_entry *e;
	pid_t pid;
	double start;
	uint64_t limit_s;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *dir)
{
	char buf[600];
	snprintf(buf, sizeof buf, "%s", dir);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
		*p = c;
	}
}

/* ------------------------------------------------------------ files */

struct files {
	char **path;
	char **root; /* the argument it was found under (for the group) */
	size_t n, cap;
};

static int files_add(struct files *fs, const char *path, const char *root)
{
	if (fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 64;
		char **np = realloc(fs->path, nc * sizeof *np), **nr;
		if (!np)
			return -1;
		fs->path = np;
		nr = realloc(fs->root, nc * sizeof *nr);
		if (!nr)
			return -1;
		fs->root = nr;
		fs->cap = nc;
	}
	fs->path[fs->n] = strdup(path);
	fs->root[fs->n] = strdup(root);
	if (!fs->path[fs->n] || !fs->root[fs->n])
		return -1;
	fs->n++;
	return 0;
}

static int walk(struct files *fs, const char *dir, const char *root)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "vpnlab suite: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char p[1024];
		struct stat st;
		if (nm[0] == '.' || rc < 0) {
			free(ents[i]);
			continue;
		}
		snprintf(p, sizeof p, "%.500s/%.200s", dir, nm);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk(fs, p, root);
		else if (strlen(nm) > 4 && strcmp(nm + strlen(nm) - 4, ".scn") == 0)
			rc = files_add(fs, p, root);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static void files_free(struct files *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->path[i]);
		free(fs->root[i]);
	}
	free(fs->path);
	free(fs->root);
}

static int matches(const char *pat, const char *name, const char *path)
{
	if (strpbrk(pat, "*?["))
		return fnmatch(pat, name, 0) == 0 || fnmatch(pat, path, 0) == 0;
	return strstr(name, pat) != NULL || strstr(path, pat) != NULL;
}

/* group_of: the directories between the suite root and the file, dotted ("nat", "frag.cert"). */
static void group_of(const char *path, const char *root, char *out, size_t cap)
{
	const char *rel = path;
	size_t rl = strlen(root);
	if (strncmp(path, root, rl) == 0 && path[rl] == '/')
		rel = path + rl + 1;
	const char *slash = strrchr(rel, '/');
	if (!slash) {
		size_t bl = strlen(root);
		while (bl && root[bl - 1] == '/')
			bl--;
		const char *b = root;
		for (size_t i = 0; i < bl; i++)
			if (root[i] == '/')
				b = root + i + 1;
		snprintf(out, cap, "%.*s", (int)(root + bl - b), b);
		if (!out[0] || strstr(root, ".scn"))
			snprintf(out, cap, "scenarios");
		return;
	}
	snprintf(out, cap, "%.*s", (int)(slash - rel), rel);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '.';
}

/* ------------------------------------------------------------ running */

static pid_t spawn(const struct scn_suite_entry *e)
{
	char log[600];
	if (mkdir_p(e->out_dir) < 0)
		return -1;
	snprintf(log, sizeof log, "%.500s/run.log", e->out_dir);
	unlink(log);
	char verdict[600];
	snprintf(verdict, sizeof verdict, "%.500s/verdict.txt", e->out_dir);
	unlink(verdict); /* a stale verdict must not stand in for this run's */
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	setpgid(0, 0);
	char *argv[] = {"vpnlab", "run", (char *)e->file, "--out", (char *)e->out_dir, "--quiet", NULL};
	execv("/proc/self/exe", argv);
	fprintf(stderr, "vpnlab suite: exec /proc/self/exe: %s\n", strerror(errno));
	_exit(2);
}

static void finish(struct job *j, int status, int timed_out)
{
	struct scn_suite_entry *e = j->e;
	e->wall_s = now_s() - j->start;
	char path[600], err[600];
	snprintf(path, sizeof path, "%.500s/verdict.txt", e->out_dir);
	int have = scn_verdict_read(path, &e->v, err, sizeof err) == 0;
	if (timed_out) {
		e->outcome = SCN_OUT_ERROR;
		snprintf(e->message, sizeof e->message, "timed out after %llu s (wall_limit)",
			 (unsigned long long)j->limit_s);
	} else if (WIFSIGNALED(status)) {
		e->outcome = SCN_OUT_ERROR;
		snprintf(e->message, sizeof e->message, "vpnlab run killed by signal %d (see %.300s/run.log)",
			 WTERMSIG(status), e->out_dir);
	} else {
		int code = WEXITSTATUS(status);
		if (code == EXIT_PASS && have && strcmp(e->v.verdict, "PASS") == 0) {
			e->outcome = SCN_OUT_PASS;
		} else if (code == EXIT_FAIL && have && strcmp(e->v.verdict, "FAIL") == 0) {
			e->outcome = SCN_OUT_FAIL;
		} else if (code == SUITE_RUN_SKIP) {
			e->outcome = SCN_OUT_SKIP;
			scn_copy(e->message, sizeof e->message, have ? e->v.message : "pending");
		} else {
			e->outcome = SCN_OUT_ERROR;
			if (have && e->v.message[0])
				scn_copy(e->message, sizeof e->message, e->v.message);
			else
				snprintf(e->message, sizeof e->message,
					 "vpnlab run exited %d without a verdict (see %.300s/run.log)", code,
					 e->out_dir);
		}
	}
}

static void run_all(struct scn_suite_entry **todo, const uint64_t *limits, size_t n, int jobs,
		    int quiet, size_t total)
{
	struct job *run = calloc((size_t)jobs, sizeof *run);
	size_t next = 0, done = 0;
	int active = 0;
	if (!run) {
		for (size_t i = 0; i < n; i++) {
			todo[i]->outcome = SCN_OUT_ERROR;
			snprintf(todo[i]->message, sizeof todo[i]->message, "out of memory");
		}
		return;
	}
	while (next < n || active) {
		while (next < n && active < jobs) {
			struct job *j = NULL;
			for (int k = 0; k < jobs; k++)
				if (!run[k].e)
					j = &run[k];
			j->e = todo[next];
			j->limit_s = limits[next++];
			j->start = now_s();
			j->pid = spawn(j->e);
			if (j->pid < 0) {
				j->e->outcome = SCN_OUT_ERROR;
				snprintf(j->e->message, sizeof j->e->message, "cannot start: %s", strerror(errno));
				j->e = NULL;
				continue;
			}
			active++;
		}
		int any = 0;
		for (int k = 0; k < jobs; k++) {
			struct job *j = &run[k];
			if (!j->e)
				continue;
			int st = 0, timed_out = 0;
			pid_t r = waitpid(j->pid, &st, WNOHANG);
			if (r == 0 && now_s() - j->start > (double)j->limit_s) {
				kill(-j->pid, SIGKILL);
				kill(j->pid, SIGKILL);
				r = waitpid(j->pid, &st, 0);
				timed_out = 1;
			}
			if (r == 0)
				continue;
			finish(j, st, timed_out);
			done++;
			if (!quiet)
				printf("[%zu/%zu] %-5s %-28s %6.1fs%s%s\n", done + (total - n), total,
				       scn_outcome_name(j->e->outcome), j->e->name, j->e->wall_s,
				       j->e->outcome == SCN_OUT_ERROR ? "  " : "",
				       j->e->outcome == SCN_OUT_ERROR ? j->e->message : "");
			fflush(stdout);
			j->e = NULL;
			active--;
			any = 1;
		}
		if (!any)
			usleep(20000);
	}
	free(run);
}

/* ------------------------------------------------------------ the verb */

int cmd_suite(int argc, char **argv)
{
	static const struct option opts[] = {
		{"jobs", required_argument, NULL, 'j'},	  {"filter", required_argument, NULL, 'F'},
		{"list", no_argument, NULL, 'l'},	  {"out", required_argument, NULL, 'o'},
		{"junit", required_argument, NULL, 'J'},  {"tap", required_argument, NULL, 'T'},
		{"timeout", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	const char *filters[16], *out = "out/suite", *junit = NULL, *tap = NULL;
	size_t nfilters = 0;
	int list = 0, quiet = 0, o;
	uint64_t timeout = 0;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":hj:lq", opts, NULL)) != -1) {
		char *end;
		switch (o) {
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (!*optarg || *end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "vpnlab suite: -j '%s': expected 1..256\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'F':
			if (nfilters == 16) {
				fprintf(stderr, "vpnlab suite: more than 16 --filter, expected fewer\n");
				return EXIT_ERROR;
			}
			filters[nfilters++] = optarg;
			break;
		case 'l': list = 1; break;
		case 'o': out = optarg; break;
		case 'J': junit = optarg; break;
		case 'T': tap = optarg; break;
		case 'q': quiet = 1; break;
		case 't':
			timeout = strtoull(optarg, &end, 10);
			if (!*optarg || *end || timeout == 0) {
				fprintf(stderr, "vpnlab suite: --timeout '%s': expected seconds > 0\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'h': suite_usage(stdout); return EXIT_PASS;
		case ':':
			fprintf(stderr, "vpnlab suite: %s needs a value\n", argv[optind - 1]);
			return EXIT_ERROR;
		default:
			fprintf(stderr, "vpnlab suite: unknown option '%s' (see vpnlab suite --help)\n",
				argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vpnlab suite: no scenario directory or file, expected e.g. 'vpnlab suite scenarios'\n");
		return EXIT_ERROR;
	}
	if (jobs < 1)
		jobs = 1;

	struct files fs = {0};
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "vpnlab suite: %s: %s\n", argv[i], strerror(errno));
			files_free(&fs);
			return EXIT_ERROR;
		}
		if (S_ISDIR(st.st_mode) ? walk(&fs, argv[i], argv[i]) < 0 : files_add(&fs, argv[i], argv[i]) < 0) {
			files_free(&fs);
			return EXIT_ERROR;
		}
	}
	if (fs.n > SUITE_MAX) {
		fprintf(stderr, "vpnlab suite: %zu scenario files, expected at most %d\n", fs.n, SUITE_MAX);
		files_free(&fs);
		return EXIT_ERROR;
	}
	struct scn_suite_entry *e = calloc(fs.n ? fs.n : 1, sizeof *e);
	struct scn_suite_entry **todo = calloc(fs.n ? fs.n : 1, sizeof *todo);
	uint64_t *limits = calloc(fs.n ? fs.n : 1, sizeof *limits);
	if (!e || !todo || !limits) {
		fprintf(stderr, "vpnlab suite: out of memory\n");
		free(e);
		free(todo);
		free(limits);
		files_free(&fs);
		return EXIT_ERROR;
	}
	size_t n = 0, ntodo = 0;
	for (size_t i = 0; i < fs.n; i++) {
		char err[SCN_ERR_MAX];
		struct scn *s = scn_load(fs.path[i], err, sizeof err);
		const char *base = strrchr(fs.path[i], '/');
		base = base ? base + 1 : fs.path[i];
		const char *name = s ? s->name : base;
		int keep = nfilters == 0;
		for (size_t k = 0; k < nfilters && !keep; k++)
			keep = matches(filters[k], name, fs.path[i]);
		if (!keep) {
			scn_free(s);
			continue;
		}
		struct scn_suite_entry *x = &e[n++];
		scn_copy(x->name, sizeof x->name, name);
		if (!s)
			x->name[strcspn(x->name, ".")] = '\0';
		scn_copy(x->file, sizeof x->file, fs.path[i]);
		group_of(fs.path[i], fs.root[i], x->group, sizeof x->group);
		snprintf(x->out_dir, sizeof x->out_dir, "%.400s/%.63s", out, x->name);
		for (size_t k = 0; k + 1 < n; k++)
			if (strcmp(e[k].name, x->name) == 0 && s) {
				x->outcome = SCN_OUT_ERROR;
				snprintf(x->message, sizeof x->message, "scenario name '%s' is also used by %.300s",
					 x->name, e[k].file);
				scn_free(s);
				s = NULL;
				err[0] = '\0';
				break;
			}
		if (list) {
			if (s) {
				char first[120];
				scn_copy(first, sizeof first, s->description);
				first[strcspn(first, "\n")] = '\0';
				printf("%-28s %-8s %s\n%-28s %-8s   %s\n", x->name,
				       s->status == SCN_PENDING ? "pending" : "ready", x->file, "", "", first);
			} else {
				printf("%-28s %-8s %s\n%-28s %-8s   %s\n", x->name, "ERROR", x->file, "", "",
				       x->message[0] ? x->message : err);
			}
			scn_free(s);
			continue;
		}
		if (!s) {
			if (x->outcome != SCN_OUT_ERROR) {
				x->outcome = SCN_OUT_ERROR;
				scn_copy(x->message, sizeof x->message, err);
			}
		} else if (s->status == SCN_PENDING) {
			x->outcome = SCN_OUT_SKIP;
			scn_copy(x->message, sizeof x->message, s->pending_reason);
		} else {
			limits[ntodo] = timeout ? timeout : s->wall_limit_s;
			todo[ntodo++] = x;
		}
		scn_free(s);
	}
	files_free(&fs);
	int rc = EXIT_PASS;
	if (list) {
		printf("%zu scenario%s\n", n, n == 1 ? "" : "s");
	} else if (n == 0) {
		fprintf(stderr, "vpnlab suite: no scenario matches, expected at least one\n");
		rc = EXIT_ERROR;
	} else {
		double t0 = now_s();
		if (mkdir_p(out) < 0) {
			fprintf(stderr, "vpnlab suite: cannot create %s: %s\n", out, strerror(errno));
			rc = EXIT_ERROR;
		} else {
			run_all(todo, limits, ntodo, (int)jobs, quiet, n);
			double wall = now_s() - t0;
			if (!quiet)
				putchar('\n');
			scn_table_print(stdout, e, n, wall);
			char path[600], err[600];
			snprintf(path, sizeof path, "%s/junit.xml", out);
			if (scn_junit_write(junit ? junit : path, e, n, wall, err, sizeof err) < 0) {
				fprintf(stderr, "vpnlab suite: %s\n", err);
				rc = EXIT_ERROR;
			}
			snprintf(path, sizeof path, "%s/results.tap", out);
			if (scn_tap_write(tap ? tap : path, e, n, err, sizeof err) < 0) {
				fprintf(stderr, "vpnlab suite: %s\n", err);
				rc = EXIT_ERROR;
			}
			for (size_t i = 0; i < n; i++) {
				if (e[i].outcome == SCN_OUT_ERROR)
					rc = EXIT_ERROR;
				else if (e[i].outcome == SCN_OUT_FAIL && rc == EXIT_PASS)
					rc = EXIT_FAIL;
			}
			printf("results: %s/<scenario>/; JUnit %s%s; TAP %s%s\n", out, junit ? "" : out,
			       junit ? junit : "/junit.xml", tap ? "" : out, tap ? tap : "/results.tap");
		}
	}
	free(e);
	free(todo);
	free(limits);
	return rc;
}
