/* conf_pcap.c — libpcap file reader with nanosecond timestamps. */
#include "conformance/conf_pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/conf_link.h"

struct conf_pcap {
	pcap_t *pc;
	int dlt;
	char name[256];
};

static struct conf_pcap *conf_pcap_wrap(pcap_t *pc, const char *name, char *err, size_t errlen)
{
	int dlt = pcap_datalink(pc);
	if (!conf_link_supported(dlt)) {
		const char *dn = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen,
			 "%s: unsupported link type %d (%s); expected one of EN10MB, LINUX_SLL, "
			 "LINUX_SLL2, RAW, IPV4, PPP, NULL, LOOP",
			 name, dlt, dn ? dn : "unknown");
		pcap_close(pc);
		return NULL;
	}
	struct conf_pcap *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", name);
		pcap_close(pc);
		return NULL;
	}
	p->pc = pc;
	p->dlt = dlt;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}

struct conf_pcap *conf_pcap_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected a pcap or pcapng file", path);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		snprintf(err, errlen, "%s: empty file (0 octets), expected a pcap or pcapng file", path);
		return NULL;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	return conf_pcap_fopen(fp, path, err, errlen);
}

struct conf_pcap *conf_pcap_fopen(FILE *fp, const char *name, char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	/* Nanosecond precision: libpcap scales microsecond files up. */
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
	if (!pc) {
		fclose(fp);
		snprintf(err, errlen, "%s: not a readable pcap/pcapng file: %s", name, pe);
		return NULL;
	}
	return conf_pcap_wrap(pc, name, err, errlen);
}

int conf_pcap_next(struct conf_pcap *p, struct conf_pcap_rec *rec, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(p->pc, &h, &d);
	if (rc == 1) {
		rec->t_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		rec->caplen = h->caplen;
		rec->wirelen = h->len;
		rec->data = d;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	snprintf(err, errlen, "%s: read error: %s", p->name, pcap_geterr(p->pc));
	return -1;
}

int conf_pcap_linktype(const struct conf_pcap *p)
{
	return p->dlt;
}

void conf_pcap_close(struct conf_pcap *p)
{
	if (!p)
		return;
	pcap_close(p->pc);
	free(p);
}
