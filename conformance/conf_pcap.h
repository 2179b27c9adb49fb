/*
 * conf_pcap.h — reading capture files through libpcap (pcap and pcapng, as
 * libpcap reads them) with nanosecond timestamps, and checking that the link
 * type is one the decoder understands.
 *
 *   char err[CONF_ERR_LEN];
 *   struct conf_pcap *p = conf_pcap_open("x.pcap", err, sizeof err);
 *   while ((rc = conf_pcap_next(p, &rec, err, sizeof err)) == 1) ...
 *   rc == 0: end of file; rc < 0: error in |err| (truncated file, I/O).
 *
 * Errors name the file and the problem ("x.pcap: truncated dump file; ...").
 */
#ifndef VPNLAB_CONF_PCAP_H
#define VPNLAB_CONF_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_ERR_LEN 512

struct conf_pcap;

/* conf_pcap_rec is one capture record; |data| is valid until the next call. */
struct conf_pcap_rec {
	uint64_t t_ns;      /* seconds * 1e9 + nanoseconds */
	uint32_t caplen;    /* octets in |data| */
	uint32_t wirelen;   /* original length on the wire */
	const uint8_t *data;
};

/*
 * conf_pcap_open opens |path| read-only. Fails (NULL, message in |err|) for a
 * missing/unreadable file, a zero-length file, a file that is not pcap or
 * pcapng, or a link type conf_link_supported() rejects.
 */
struct conf_pcap *conf_pcap_open(const char *path, char *err, size_t errlen);

/*
 * conf_pcap_fopen reads from |fp| (e.g. fmemopen); |name| is used in
 * messages. On success the reader owns |fp| (closed by conf_pcap_close); on
 * failure |fp| is closed too.
 */
struct conf_pcap *conf_pcap_fopen(FILE *fp, const char *name, char *err, size_t errlen);

/* conf_pcap_next returns 1 and fills |rec|, 0 at the end, -1 on error. */
int conf_pcap_next(struct conf_pcap *p, struct conf_pcap_rec *rec, char *err, size_t errlen);

/* conf_pcap_linktype returns the DLT_ value of the file. */
int conf_pcap_linktype(const struct conf_pcap *p);

void conf_pcap_close(struct conf_pcap *p);

#endif
