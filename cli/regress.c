/*
 * regress.c — `vpnlab regress`: re-run every scenario that has golden
 * captures under pcaps/golden/ and compare the new captures with them
 * frame by frame (time, length, octets). On a difference it prints, per
 * link, the first differing frame of both captures decoded (addresses,
 * ports, what it is: IKE exchange, request/response, message ID, payloads
 * and sizes; ESP SPI and sequence number; IP fragment; ICMP) and says
 * which fields changed — not a hex dump.
 *
 * A golden directory pcaps/golden/NAME/ holds golden.txt
 *
 *   scenario scenarios/basic/baseline.scn
 *   seed 1
 *
 * and one <link>.pcap per link as `vpnlab run` wrote them. --add FILE
 * creates one from a passing run; --update rewrites the captures.
 * Each run is a child process (one simulation per process).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/verbs.h"
#include "conformance/conf_capture.h"
#include "conformance/conf_pcap.h"
#include "ref/ike/ike_msg.h"
#include "sim/scenario/scn.h"
#include "sim/scenario/scn_units.h"

enum { REG_MAX = 64, REG_PATH = 768 };

static void regress_usage(FILE *f)
{
	fprintf(f,
		"usage: vpnlab regress [NAME...] [--golden DIR] [--out DIR] [--update]\n"
		"       vpnlab regress --add SCENARIO.scn [--seed N] [--golden DIR]\n\n"
		"Re-runs each scenario that has golden captures (DIR/NAME/golden.txt names the\n"
		"scenario file and seed; DIR/NAME/<link>.pcap are the captures) and compares\n"
		"the new captures with the golden ones frame by frame: time, length, octets.\n"
		"For each link that differs it prints the first differing frame of both\n"
		"captures decoded (addresses, ports, IKE exchange, message ID, payloads and\n"
		"sizes, ESP SPI/sequence, IP fragment, ICMP) and the fields that changed.\n\n"
		"  NAME          only these golden directories (default: all under DIR)\n"
		"  --golden DIR  golden captures (default pcaps/golden)\n"
		"  --out DIR     where the new runs go (default out/regress)\n"
		"  --update      replace the golden captures with the new ones\n"
		"  --add FILE    make DIR/<scenario name>/ from a passing run of FILE\n"
		"  --seed N      with --add: the seed (default: the scenario's)\n\n"
		"exit status: 0 every capture identical (or updated/added); 1 a capture\n"
		"differs; 2 error (missing golden files, a run that failed or crashed).\n\n"
		"examples:\n"
		"  vpnlab regress\n"
		"  vpnlab regress baseline natt-hide-nat\n"
		"  vpnlab regress --add scenarios/frag/psk.scn\n");
}

static int mkdir_p(const char *dir)
{
	char buf[REG_PATH];
	scn_copy(buf, sizeof buf, dir);
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

static int copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = a && b ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, a)) > 0)
		if (fwrite(buf, 1, n, b) != n)
			rc = -1;
	if (a)
		fclose(a);
	if (b && fclose(b) != 0)
		rc = -1;
	return rc;
}

/* run_child runs `vpnlab run FILE --seed N --out DIR --quiet`; returns its exit status or -1. */
static int run_child(const char *file, unsigned long long seed, const char *out)
{
	char seedbuf[32], log[REG_PATH];
	snprintf(seedbuf, sizeof seedbuf, "%llu", seed);
	if (mkdir_p(out) < 0)
		return -1;
	snprintf(log, sizeof log, "%.500s/run.log", out);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		char *argv[] = {"vpnlab", "run", (char *)file, "--seed", seedbuf, "--out", (char *)out,
				"--quiet", NULL};
		execv("/proc/self/exe", argv);
		_exit(2);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ------------------------------------------------------------ golden.txt */

struct golden {
	char name[128];
	char dir[REG_PATH];
	char scenario[REG_PATH];
	unsigned long long seed;
};

static int golden_read(const char *dir, const char *name, struct golden *g, char *err, size_t cap)
{
	char path[REG_PATH + 16], line[REG_PATH + 32];
	memset(g, 0, sizeof *g);
	scn_copy(g->name, sizeof g->name, name);
	snprintf(g->dir, sizeof g->dir, "%.500s/%.200s", dir, name);
	snprintf(path, sizeof path, "%.700s/golden.txt", g->dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "%.400s: %s, expected a golden directory with golden.txt", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "scenario ", 9) == 0)
			scn_copy(g->scenario, sizeof g->scenario, line + 9);
		else if (strncmp(line, "seed ", 5) == 0)
			g->seed = strtoull(line + 5, NULL, 10);
	}
	fclose(f);
	if (!g->scenario[0] || !g->seed) {
		snprintf(err, cap, "%.400s: no 'scenario FILE' or 'seed N' line, expected both", path);
		return -1;
	}
	return 0;
}

static int golden_write(const struct golden *g, const char *produced_by)
{
	char path[REG_PATH + 16];
	snprintf(path, sizeof path, "%.700s/golden.txt", g->dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"# golden captures of one scenario run, compared by `vpnlab regress`\n"
		"scenario %s\nseed %llu\n# produced by: %s\n",
		g->scenario, g->seed, produced_by);
	return fclose(f);
}

/* ------------------------------------------------------------ decoding */

static const char *ip_fmt(uint32_t a, char b[16])
{
	snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return b;
}

/* frame_what describes the upper layers of frame |num| of |c| into |out|. */
static void frame_what(const struct conf_capture *c, uint32_t num, char *out, size_t cap)
{
	const struct conf_pkt *p = conf_capture_pkt(c, num);
	char a[16], b[16];
	if (!p) {
		snprintf(out, cap, "(no such frame)");
		return;
	}
	if (p->l3 != CONF_L3_IPV4 || !p->ip_ok) {
		snprintf(out, cap, "non-IPv4 frame, %u octets", p->caplen);
		return;
	}
	size_t n = (size_t)snprintf(out, cap, "%s", ip_fmt(p->src, a));
	if (p->sport || p->dport)
		n += (size_t)snprintf(out + n, cap - n, ":%u", p->sport);
	n += (size_t)snprintf(out + n, cap - n, " > %s", ip_fmt(p->dst, b));
	if (p->sport || p->dport)
		n += (size_t)snprintf(out + n, cap - n, ":%u", p->dport);
	n += (size_t)snprintf(out + n, cap - n, "  IP %u B%s", p->ip_len, p->df ? " DF" : "");
	if (p->frag.is_fragment)
		n += (size_t)snprintf(out + n, cap - n, ", fragment id %u offset %u%s", p->ip_id,
				      (unsigned)p->frag_off * 8u, p->mf ? " MF" : "");
	if (n >= cap)
		return;
	switch (p->kind) {
	case CONF_K_IKE: {
		for (uint32_t i = 0; i < p->n_msg && n < cap; i++) {
			const struct conf_msg *m = &c->msg[p->first_msg + i];
			struct ike_msg im;
			struct ike_err e;
			char sum[400];
			if (ike_msg_parse(&im, m->raw, m->len, &e) == 0) {
				ike_msg_summary(&im, sum, sizeof sum);
				n += (size_t)snprintf(out + n, cap - n, ", IKE %s%s", sum,
						      m->ip_fragmented ? " (reassembled from IP fragments)" : "");
			} else {
				n += (size_t)snprintf(out + n, cap - n, ", IKE message %u B that does not parse: %s",
						      m->len, e.msg);
			}
		}
		break;
	}
	case CONF_K_KEEPALIVE:
		snprintf(out + n, cap - n, ", NAT keepalive");
		break;
	case CONF_K_ESP:
	case CONF_K_ESP_UDP:
		snprintf(out + n, cap - n, ", ESP%s SPI %08x seq %u, %u B", p->kind == CONF_K_ESP_UDP ? " in UDP" : "",
			 p->esp_spi, p->esp_seq, p->payload_len);
		break;
	case CONF_K_ICMP:
		snprintf(out + n, cap - n, ", ICMP type %u code %u%s", p->icmp.type, p->icmp.code,
			 p->icmp.type == 3 && p->icmp.code == 4 ? " (fragmentation needed)" : "");
		if (p->icmp.type == 3 && p->icmp.code == 4) {
			size_t k = strlen(out);
			snprintf(out + k, cap - k, " next-hop MTU %u", p->icmp.mtu);
		}
		break;
	case CONF_K_UDP:
		snprintf(out + n, cap - n, ", UDP %u B", p->payload_len);
		break;
	case CONF_K_TCP:
		snprintf(out + n, cap - n, ", TCP seq %u flags 0x%02x, %u B", p->tcp_seq, p->tcp_flags,
			 p->payload_len);
		break;
	case CONF_K_FRAGMENT:
		snprintf(out + n, cap - n, "%s", p->frag.reassembled_in ? "" : " (never reassembled)");
		break;
	default:
		snprintf(out + n, cap - n, ", protocol %u", p->proto);
		break;
	}
}

/* field_diff lists what changed between the two decoded frames. */
static void field_diff(const struct conf_capture *g, uint32_t gi, const struct conf_capture *c,
		       uint32_t ci, uint64_t gt, uint64_t ct, const uint8_t *gd, uint32_t gl,
		       const uint8_t *cd, uint32_t cl, char *out, size_t cap)
{
	const struct conf_pkt *a = conf_capture_pkt(g, gi), *b = conf_capture_pkt(c, ci);
	size_t n = 0;
	out[0] = '\0';
#define ADD(...)                                                                  \
	do {                                                                      \
		if (n < cap)                                                      \
			n += (size_t)snprintf(out + n, cap - n, "%s", n ? "; " : ""); \
		if (n < cap)                                                      \
			n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);     \
	} while (0)
	if (gt != ct)
		ADD("time %.9f -> %.9f", (double)gt / 1e9, (double)ct / 1e9);
	if (gl != cl)
		ADD("frame length %u -> %u", gl, cl);
	if (a && b) {
		if (a->src != b->src || a->dst != b->dst)
			ADD("addresses changed");
		if (a->sport != b->sport || a->dport != b->dport)
			ADD("ports %u>%u -> %u>%u", a->sport, a->dport, b->sport, b->dport);
		if (a->kind != b->kind)
			ADD("%s -> %s", conf_kind_name(a->kind), conf_kind_name(b->kind));
		if (a->kind == CONF_K_IKE && b->kind == CONF_K_IKE && a->n_msg && b->n_msg) {
			const struct conf_msg *x = &g->msg[a->first_msg], *y = &c->msg[b->first_msg];
			if (x->hdr.exch != y->hdr.exch)
				ADD("exchange %s -> %s", ike_exchange_name(x->hdr.exch), ike_exchange_name(y->hdr.exch));
			if (x->hdr.msgid != y->hdr.msgid)
				ADD("message ID %u -> %u", x->hdr.msgid, y->hdr.msgid);
			if (x->len != y->len)
				ADD("IKE message %u -> %u B", x->len, y->len);
			if (memcmp(x->hdr.spi_i, y->hdr.spi_i, 8) || memcmp(x->hdr.spi_r, y->hdr.spi_r, 8))
				ADD("IKE SPIs changed");
		}
		if ((a->kind == CONF_K_ESP || a->kind == CONF_K_ESP_UDP) && a->kind == b->kind) {
			if (a->esp_spi != b->esp_spi)
				ADD("SPI %08x -> %08x", a->esp_spi, b->esp_spi);
			if (a->esp_seq != b->esp_seq)
				ADD("sequence %u -> %u", a->esp_seq, b->esp_seq);
		}
	}
	if (gl == cl && n == 0) {
		uint32_t off = 0;
		while (off < gl && gd[off] == cd[off])
			off++;
		ADD("same length, octets differ from offset %u (%s)", off,
		    off < 4 ? "link header" : off < 24 ? "IP header" : "payload");
	}
#undef ADD
}

/* read_all reads every raw frame of |path|: data copied, offsets and times kept. */
struct rawcap {
	uint8_t *data;
	size_t len, cap;
	uint32_t n, ncap;
	size_t *off;
	uint32_t *flen;
	uint64_t *t;
};

static void rawcap_free(struct rawcap *r)
{
	free(r->data);
	free(r->off);
	free(r->flen);
	free(r->t);
	memset(r, 0, sizeof *r);
}

static int read_all(const char *path, struct rawcap *r, char *err, size_t cap)
{
	memset(r, 0, sizeof *r);
	struct conf_pcap *p = conf_pcap_open(path, err, cap);
	if (!p)
		return -1;
	struct conf_pcap_rec rec;
	int rc;
	while ((rc = conf_pcap_next(p, &rec, err, cap)) == 1) {
		if (r->n == r->ncap) {
			uint32_t nc = r->ncap ? r->ncap * 2 : 1024;
			size_t *no = realloc(r->off, nc * sizeof *no);
			uint32_t *nl = no ? realloc(r->flen, nc * sizeof *nl) : NULL;
			uint64_t *nt = nl ? realloc(r->t, nc * sizeof *nt) : NULL;
			if (no)
				r->off = no;
			if (nl)
				r->flen = nl;
			if (!nt) {
				snprintf(err, cap, "%s: out of memory", path);
				rc = -1;
				break;
			}
			r->t = nt;
			r->ncap = nc;
		}
		if (r->len + rec.caplen > r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 1 << 20;
			while (nc < r->len + rec.caplen)
				nc *= 2;
			uint8_t *nd = realloc(r->data, nc);
			if (!nd) {
				snprintf(err, cap, "%s: out of memory", path);
				rc = -1;
				break;
			}
			r->data = nd;
			r->cap = nc;
		}
		memcpy(r->data + r->len, rec.data, rec.caplen);
		r->off[r->n] = r->len;
		r->flen[r->n] = rec.caplen;
		r->t[r->n++] = rec.t_ns;
		r->len += rec.caplen;
	}
	conf_pcap_close(p);
	if (rc < 0) {
		rawcap_free(r);
		return -1;
	}
	return 0;
}

/* compare_link: 0 identical, 1 different (printed), -1 error (|err|). */
static int compare_link(const char *link, const char *golden, const char *fresh, char *err, size_t cap)
{
	struct rawcap g, c;
	if (read_all(golden, &g, err, cap) < 0)
		return -1;
	if (read_all(fresh, &c, err, cap) < 0) {
		rawcap_free(&g);
		return -1;
	}
	uint32_t i = 0, n = g.n < c.n ? g.n : c.n;
	while (i < n && g.t[i] == c.t[i] && g.flen[i] == c.flen[i] &&
	       memcmp(g.data + g.off[i], c.data + c.off[i], g.flen[i]) == 0)
		i++;
	int rc = 0;
	if (i < n || g.n != c.n) {
		rc = 1;
		char e1[CONF_ERR_LEN], e2[CONF_ERR_LEN];
		struct conf_capture *gc = conf_capture_load(golden, NULL, e1, sizeof e1);
		struct conf_capture *cc = conf_capture_load(fresh, NULL, e2, sizeof e2);
		printf("  link %s: ", link);
		if (i < n)
			printf("first difference at frame %u (frames 1-%u identical; golden %u frames, now %u)\n",
			       i + 1, i, g.n, c.n);
		else
			printf("the first %u frames are identical, then %s has %u more\n", n,
			       g.n > c.n ? "the golden capture" : "this run", g.n > c.n ? g.n - c.n : c.n - g.n);
		char what[1200];
		if (i < g.n) {
			if (gc)
				frame_what(gc, i + 1, what, sizeof what);
			else
				snprintf(what, sizeof what, "(not decoded: %s)", e1);
			printf("    golden #%-5u %12.9f  %s\n", i + 1, (double)g.t[i] / 1e9, what);
		} else {
			printf("    golden        (no frame %u)\n", i + 1);
		}
		if (i < c.n) {
			if (cc)
				frame_what(cc, i + 1, what, sizeof what);
			else
				snprintf(what, sizeof what, "(not decoded: %s)", e2);
			printf("    now    #%-5u %12.9f  %s\n", i + 1, (double)c.t[i] / 1e9, what);
		} else {
			printf("    now           (no frame %u)\n", i + 1);
		}
		if (i < n && gc && cc) {
			field_diff(gc, i + 1, cc, i + 1, g.t[i], c.t[i], g.data + g.off[i], g.flen[i],
				   c.data + c.off[i], c.flen[i], what, sizeof what);
			printf("    changed: %s\n", what);
		}
		conf_capture_free(gc);
		conf_capture_free(cc);
	}
	rawcap_free(&g);
	rawcap_free(&c);
	return rc;
}

/* pcaps_of lists the *.pcap names in |dir| (sorted). */
static int pcaps_of(const char *dir, char names[][128], int max)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), k = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		if (l > 5 && l < 128 && strcmp(nm + l - 5, ".pcap") == 0 && k < max)
			scn_copy(names[k++], 128, nm);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return n < 0 ? -1 : k;
}

/* regress_one: 0 identical/updated, 1 differs, 2 error. */
static int regress_one(const struct golden *g, const char *outroot, int update)
{
	char out[REG_PATH + 130], err[CONF_ERR_LEN];
	snprintf(out, sizeof out, "%.500s/%.200s", outroot, g->name);
	int st = run_child(g->scenario, g->seed, out);
	if (st != EXIT_PASS && st != EXIT_FAIL) {
		printf("ERROR %s: vpnlab run %s --seed %llu exited %d (see %s/run.log)\n", g->name, g->scenario,
		       g->seed, st, out);
		return 2;
	}
	char gn[32][128], cn[32][128];
	int ng = pcaps_of(g->dir, gn, 32), nc = pcaps_of(out, cn, 32);
	if (ng <= 0 && !update) {
		printf("ERROR %s: no golden captures in %s, expected <link>.pcap files (make them with --update)\n",
		       g->name, g->dir);
		return 2;
	}
	if (update) {
		for (int i = 0; i < ng; i++) {
			char p[REG_PATH + 140];
			snprintf(p, sizeof p, "%.500s/%.200s", g->dir, gn[i]);
			unlink(p);
		}
		for (int i = 0; i < nc; i++) {
			char a[REG_PATH + 140], b[REG_PATH + 140];
			snprintf(a, sizeof a, "%.500s/%.200s", out, cn[i]);
			snprintf(b, sizeof b, "%.500s/%.200s", g->dir, cn[i]);
			if (copy_file(a, b) < 0) {
				printf("ERROR %s: cannot write %s\n", g->name, b);
				return 2;
			}
		}
		printf("UPDATED %s: %d capture%s from %s (seed %llu)\n", g->name, nc, nc == 1 ? "" : "s",
		       g->scenario, g->seed);
		return 0;
	}
	int differ = 0, errors = 0;
	printf("%s: %s (seed %llu), %d link%s\n", g->name, g->scenario, g->seed, ng, ng == 1 ? "" : "s");
	for (int i = 0; i < ng; i++) {
		char a[REG_PATH + 140], b[REG_PATH + 140], link[128];
		snprintf(link, sizeof link, "%.*s", (int)(strlen(gn[i]) - 5), gn[i]);
		snprintf(a, sizeof a, "%.500s/%.200s", g->dir, gn[i]);
		snprintf(b, sizeof b, "%.500s/%.200s", out, gn[i]);
		if (access(b, R_OK) != 0) {
			printf("  link %s: this run has no capture %s (the link is gone from the scenario?)\n",
			       link, gn[i]);
			differ = 1;
			continue;
		}
		int r = compare_link(link, a, b, err, sizeof err);
		if (r < 0) {
			printf("  link %s: ERROR %s\n", link, err);
			errors = 1;
		} else if (r == 0) {
			printf("  link %s: identical\n", link);
		} else {
			differ = 1;
		}
	}
	for (int i = 0; i < nc; i++) {
		int found = 0;
		for (int k = 0; k < ng; k++)
			found |= strcmp(cn[i], gn[k]) == 0;
		if (!found) {
			printf("  link %.*s: new in this run, no golden capture\n", (int)(strlen(cn[i]) - 5), cn[i]);
			differ = 1;
		}
	}
	printf("%s %s\n", errors ? "ERROR" : differ ? "DIFFERS" : "SAME", g->name);
	return errors ? 2 : differ ? 1 : 0;
}

static int add_golden(const char *file, unsigned long long seed, const char *groot, const char *outroot)
{
	char err[SCN_ERR_MAX];
	struct scn *s = scn_load(file, err, sizeof err);
	if (!s) {
		fprintf(stderr, "vpnlab regress: %s\n", err);
		return EXIT_ERROR;
	}
	struct golden g;
	memset(&g, 0, sizeof g);
	scn_copy(g.name, sizeof g.name, s->name);
	snprintf(g.dir, sizeof g.dir, "%.500s/%.200s", groot, s->name);
	scn_copy(g.scenario, sizeof g.scenario, file);
	g.seed = seed ? seed : s->seed;
	scn_free(s);
	char out[REG_PATH + 130];
	snprintf(out, sizeof out, "%.500s/%.200s", outroot, g.name);
	int st = run_child(g.scenario, g.seed, out);
	if (st != EXIT_PASS) {
		fprintf(stderr, "vpnlab regress: %s did not pass (exit %d, see %s), expected a passing run for a golden capture\n",
			file, st, out);
		return EXIT_ERROR;
	}
	if (mkdir_p(g.dir) < 0 || golden_write(&g, "vpnlab regress --add") != 0) {
		fprintf(stderr, "vpnlab regress: cannot write %s/golden.txt: %s\n", g.dir, strerror(errno));
		return EXIT_ERROR;
	}
	return regress_one(&g, outroot, 1) == 0 ? EXIT_PASS : EXIT_ERROR;
}

int cmd_regress(int argc, char **argv)
{
	static const struct option opts[] = {
		{"golden", required_argument, NULL, 'g'}, {"out", required_argument, NULL, 'o'},
		{"update", no_argument, NULL, 'u'},	  {"add", required_argument, NULL, 'a'},
		{"seed", required_argument, NULL, 's'},	  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *groot = "pcaps/golden", *outroot = "out/regress", *add = NULL;
	unsigned long long seed = 0;
	int update = 0, o;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		char *end;
		switch (o) {
		case 'g': groot = optarg; break;
		case 'o': outroot = optarg; break;
		case 'u': update = 1; break;
		case 'a': add = optarg; break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (!*optarg || *end || seed == 0 || seed > 4294967295ull) {
				fprintf(stderr, "vpnlab regress: --seed '%s': expected 1..4294967295\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'h': regress_usage(stdout); return EXIT_PASS;
		case ':':
			fprintf(stderr, "vpnlab regress: %s needs a value\n", argv[optind - 1]);
			return EXIT_ERROR;
		default:
			fprintf(stderr, "vpnlab regress: unknown option '%s' (see vpnlab regress --help)\n",
				argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (add) {
		if (optind < argc || update) {
			fprintf(stderr, "vpnlab regress: --add takes one scenario file and no names or --update\n");
			return EXIT_ERROR;
		}
		return add_golden(add, seed, groot, outroot);
	}
	char names[REG_MAX][128];
	int n = 0;
	if (optind < argc) {
		for (int i = optind; i < argc && n < REG_MAX; i++)
			scn_copy(names[n++], 128, argv[i]);
	} else {
		struct dirent **ents;
		int k = scandir(groot, &ents, NULL, alphasort);
		if (k < 0) {
			fprintf(stderr, "vpnlab regress: %s: %s, expected a directory of golden captures\n", groot,
				strerror(errno));
			return EXIT_ERROR;
		}
		for (int i = 0; i < k; i++) {
			char p[REG_PATH];
			struct stat st;
			snprintf(p, sizeof p, "%.500s/%.200s/golden.txt", groot, ents[i]->d_name);
			if (ents[i]->d_name[0] != '.' && stat(p, &st) == 0 && n < REG_MAX)
				scn_copy(names[n++], 128, ents[i]->d_name);
			free(ents[i]);
		}
		free(ents);
		if (n == 0) {
			fprintf(stderr, "vpnlab regress: no golden directory (with golden.txt) under %s\n", groot);
			return EXIT_ERROR;
		}
	}
	int worst = 0, same = 0, differ = 0, errors = 0;
	for (int i = 0; i < n; i++) {
		struct golden g;
		char err[REG_PATH + 200];
		int r;
		if (golden_read(groot, names[i], &g, err, sizeof err) < 0) {
			printf("ERROR %s: %s\n", names[i], err);
			r = 2;
		} else {
			r = regress_one(&g, outroot, update);
		}
		same += r == 0;
		differ += r == 1;
		errors += r == 2;
		worst = r > worst ? r : worst;
	}
	printf("\nregress: %d golden scenario%s: %d %s, %d differ, %d error%s\n", n, n == 1 ? "" : "s", same,
	       update ? "updated" : "identical", differ, errors, errors == 1 ? "" : "s");
	return worst == 0 ? EXIT_PASS : worst == 1 ? EXIT_FAIL : EXIT_ERROR;
}
