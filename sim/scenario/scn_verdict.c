/*
 * scn_verdict.c — verdict.txt writer and reader (scn_verdict.h).
 */
#include "sim/scenario/scn_verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn_units.h"

/* print_show: the [scenario] show list, or the metrics of the first expectations. */
static void print_show(FILE *f, const struct scn *s, const struct scn_result *r)
{
	for (size_t i = 0; i < s->n_show; i++) {
		struct scn_verdict_item it;
		scn_expect_eval(&s->show[i], r->meas, &it);
		fprintf(f, "show %s => %s\n", s->show[i].text, it.got_text);
	}
	for (size_t i = 0; !s->n_show && i < s->n_expect && i < 3; i++) {
		const struct scn_expect *e = &s->expect[i];
		char label[200];
		if (e->fn == SCN_FN_NONE)
			scn_copy(label, sizeof label, e->metric);
		else
			snprintf(label, sizeof label, "%.*s", (int)strcspn(e->text, "<>=!"), e->text);
		size_t ll = strlen(label);
		while (ll && label[ll - 1] == ' ')
			label[--ll] = '\0';
		fprintf(f, "show %s => %s\n", label, r->item[i].got_text);
	}
}

void scn_verdict_print(FILE *f, const struct scn *s, const struct scn_result *r)
{
	fprintf(f, "verdict %s\n", r->pass ? "PASS" : "FAIL");
	fprintf(f, "scenario %s\nfile %s\nseed %llu\n", s->name, s->file, (unsigned long long)r->seed);
	fprintf(f, "sim_time %.3f s\nwall_time %.3f s\nevents %llu\n", (double)r->sim_ns / 1e9,
		r->wall_s, (unsigned long long)r->sim_events);
	for (size_t i = 0; i < s->n_expect; i++)
		fprintf(f, "expect %s %s => %s\n", r->item[i].pass ? "pass" : "FAIL", s->expect[i].text,
			r->item[i].got_text);
	print_show(f, s, r);
}

void scn_verdict_print_other(FILE *f, const char *name, const char *file, const char *what,
			     const char *msg)
{
	fprintf(f, "verdict %s\nscenario %s\nfile %s\n%s ", what, name ? name : "?", file ? file : "?",
		strcmp(what, "SKIP") == 0 ? "reason" : "error");
	/* one line: newlines in messages become spaces */
	for (const char *p = msg; *p; p++)
		fputc(*p == '\n' ? ' ' : *p, f);
	fputc('\n', f);
}

int scn_verdict_write(const char *path, const struct scn *s, const struct scn_result *r, char *err,
		      size_t cap)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	scn_verdict_print(f, s, r);
	if (fclose(f) != 0) {
		snprintf(err, cap, "cannot write %.300s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int scn_verdict_read(const char *path, struct scn_verdict_file *v, char *err, size_t cap)
{
	memset(v, 0, sizeof *v);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "cannot read %.300s: %s", path, strerror(errno));
		return -1;
	}
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		const char *val = sp + 1;
		if (strcmp(line, "verdict") == 0)
			scn_copy(v->verdict, sizeof v->verdict, val);
		else if (strcmp(line, "scenario") == 0)
			scn_copy(v->name, sizeof v->name, val);
		else if (strcmp(line, "error") == 0 || strcmp(line, "reason") == 0)
			scn_copy(v->message, sizeof v->message, val);
		else if (strcmp(line, "wall_time") == 0)
			v->wall_s = strtod(val, NULL);
		else if (strcmp(line, "sim_time") == 0)
			v->sim_s = strtod(val, NULL);
		else if (strcmp(line, "expect") == 0 && v->n_items < SCN_VERDICT_ITEMS_MAX) {
			scn_copy(v->item[v->n_items++], sizeof v->item[0], val);
			if (strncmp(val, "FAIL", 4) == 0)
				v->n_failed++;
		} else if (strcmp(line, "show") == 0 && v->n_show < SCN_VERDICT_SHOW_MAX) {
			const char *arrow = strstr(val, " => ");
			if (arrow)
				snprintf(v->show[v->n_show++], sizeof v->show[0], "%.*s=%.100s",
					 (int)(arrow - val < 50 ? arrow - val : 50), val, arrow + 4);
		}
	}
	fclose(f);
	if (!v->verdict[0]) {
		snprintf(err, cap, "%.300s: no 'verdict' line, expected a verdict.txt written by vpnlab run",
			 path);
		return -1;
	}
	return 0;
}
