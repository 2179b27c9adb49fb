/*
 * conf_ipfrag.h — IPv4 fragment reassembly for the decoder, per datagram key
 * (source, destination, protocol, identification) as RFC 791 §3.2 defines
 * it, with limits so a hostile capture cannot exhaust memory.
 *
 * Overlapping fragments are detected and flagged, never a crash: the first
 * data seen for an octet wins (what Linux does since RFC 5722-era hardening
 * for IPv6; for IPv4 the RFC leaves it open), and a conflicting overlap
 * (same octets, different values) is reported separately from a duplicate.
 */
#ifndef VPNLAB_CONF_IPFRAG_H
#define VPNLAB_CONF_IPFRAG_H

#include <stdint.h>

#include "conformance/conf_ipv4.h"

struct conf_ipfrag_limits {
	uint32_t max_datagrams;    /* in progress at once (default 4096) */
	uint32_t max_fragments;    /* per datagram (default 256) */
	uint64_t timeout_ns;       /* capture time before an incomplete datagram is dropped (60 s) */
};

/* conf_ipfrag_result is a completed datagram. */
struct conf_ipfrag_result {
	uint8_t *data;        /* IPv4 header (first fragment's, MF/offset cleared) + payload; free() */
	uint32_t len;
	uint32_t *frames;     /* frame numbers of the fragments, arrival order; free() */
	uint32_t n_frames;
	int overlap;          /* some fragments overlapped */
	int conflict;         /* an overlap carried different data */
};

/* conf_ipfrag_add outcome */
enum {
	CONF_IPFRAG_HELD = 0,     /* stored, datagram incomplete */
	CONF_IPFRAG_COMPLETE = 1, /* |out| holds the datagram */
	CONF_IPFRAG_DROPPED = -1, /* limit or bad fragment; reason in |why| */
};

struct conf_ipfrag_stats {
	uint64_t fragments, completed, expired, dropped, overlaps, conflicts;
};

struct conf_ipfrag;

/* conf_ipfrag_new with |lim| NULL uses the defaults. */
struct conf_ipfrag *conf_ipfrag_new(const struct conf_ipfrag_limits *lim);
void conf_ipfrag_free(struct conf_ipfrag *t);

/*
 * conf_ipfrag_add adds one fragment: header |h| (|hdr| its raw octets) and
 * |plen| payload octets. |*overlap| is set to 1 if this fragment overlapped
 * data already held (2 if the data differed). On CONF_IPFRAG_DROPPED |why|
 * names the limit or the bad field.
 */
int conf_ipfrag_add(struct conf_ipfrag *t, const struct conf_ipv4 *h, const uint8_t *hdr,
		    const uint8_t *payload, uint32_t plen, uint32_t frame, uint64_t t_ns,
		    struct conf_ipfrag_result *out, int *overlap, const char **why);

/* conf_ipfrag_expire drops datagrams older than the timeout at time |now|. */
void conf_ipfrag_expire(struct conf_ipfrag *t, uint64_t now);

const struct conf_ipfrag_stats *conf_ipfrag_stats(const struct conf_ipfrag *t);

/* conf_ipfrag_pending returns the number of incomplete datagrams held. */
uint32_t conf_ipfrag_pending(const struct conf_ipfrag *t);

#endif
