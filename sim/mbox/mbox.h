/*
 * mbox.h — the one interface every middlebox implements. A middlebox is a
 * sans-IO packet processor on IPv4 octets: no clock, no socket, no global.
 * The host (the ns-3 shim, a unit test, the fuzzer) feeds it packets with
 * the interface they arrived on and the current time, and it answers
 * synchronously through callbacks:
 *
 *   struct mbox_io io = {.send = my_send, .ctx = me, .events = sink};
 *   struct mbox *nat = mbox_nat_new(&cfg, &io, err, sizeof err);
 *   mbox_input(nat, now, 0, pkt, len);   // 0..n calls of io.send inside
 *   t = mbox_deadline(nat);              // schedule mbox_on_deadline(nat, t)
 *
 * Interface numbering: two-port boxes (NAT, MTU router, filter, impairment)
 * 0 = inside / client side, 1 = outside / gateway side. The cluster front
 * end: 0 = client side, 1..N = members.
 *
 * Every packet a box does not forward is a drop: it is counted under one
 * enum mbox_drop reason and reported as an event
 *   {"t":..,"src":"nat","ev":"drop","reason":"frag-non-first","if":1,...}
 * Input is validated first (version, IHL, total length, header checksum):
 * nothing a peer sends can crash a box. Octets after the IPv4 total length
 * (link padding) are cut off.
 *
 * Constructors take a config struct (fill it with the matching
 * *_cfg_default first) and write a message naming the field, its value and
 * what was expected into |err| on failure (returning NULL).
 */
#ifndef VPNLAB_SIM_MBOX_H
#define VPNLAB_SIM_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/util/evlog.h"

#define MBOX_NEVER UINT64_MAX
#define MBOX_NS_PER_S 1000000000ull

/*
 * mbox_io is the one callbacks struct. |send| may be called several times
 * per mbox_input / mbox_on_deadline (fragments, ICMP errors, released
 * packets); the octets are only valid during the call. |rng| is needed by
 * the impairment box only (seeded DRBG in the simulator).
 */
struct mbox_io {
	void (*send)(void *ctx, int ifindex, const uint8_t *pkt, size_t len);
	void *ctx;
	struct ev_sink events;
	struct crypto_rng rng;
};

enum mbox_kind {
	MBOX_NAT,
	MBOX_MTU,
	MBOX_FILTER,
	MBOX_CLUSTER,
	MBOX_IMPAIR,
};

/*
 * MBOX_DROPS lists every drop reason: enum name, event name, meaning.
 * The names are what events carry and what scenario expectations name.
 */
#define MBOX_DROPS(X)                                                                        \
	X(TRUNCATED, "truncated", "shorter than a 20-octet IPv4 header")                     \
	X(BAD_VERSION, "bad-version", "IP version is not 4")                                 \
	X(BAD_IHL, "bad-ihl", "IHL < 5 or header longer than the packet")                    \
	X(BAD_LENGTH, "bad-total-length", "total length < header or > octets received")      \
	X(BAD_CSUM, "bad-ip-checksum", "IPv4 header checksum does not verify")               \
	X(BAD_IFINDEX, "bad-ifindex", "arrived on an interface the box does not have")      \
	X(L4_TRUNCATED, "l4-truncated", "UDP/TCP/ICMP header does not fit")                  \
	X(TTL_EXCEEDED, "ttl-exceeded", "TTL reached 0 when forwarding")                     \
	X(FRAG_NON_FIRST, "frag-non-first", "non-first fragment: no ports to map or check")  \
	X(FRAG, "fragment", "fragment refused by policy (drop-all)")                         \
	X(FRAG_UNTRACKED, "frag-untracked", "non-first fragment whose first was not seen")   \
	X(REASM_TIMEOUT, "reasm-timeout", "reassembly did not complete in time")             \
	X(REASM_BAD, "reasm-bad", "inconsistent or oversized fragment; datagram discarded")  \
	X(REASM_FULL, "reasm-full", "reassembly table or buffer budget full")                \
	X(NO_MAPPING, "no-mapping", "inbound with no NAT mapping (unknown or expired)")       \
	X(NAT_FILTERED, "nat-filtered", "mapping exists, remote not allowed by filtering")   \
	X(PORTS_EXHAUSTED, "ports-exhausted", "no free external port/id in the range")       \
	X(PROTO_UNSUPPORTED, "proto-unsupported", "protocol the NAT cannot translate")       \
	X(ICMP_UNSUPPORTED, "icmp-unsupported", "ICMP type the NAT does not translate")      \
	X(ICMP_INNER_BAD, "icmp-inner-bad", "ICMP error quote unusable or unmapped")         \
	X(WRONG_DST, "wrong-dst", "inbound not addressed to the NAT's public address")      \
	X(FRAG_NEEDED, "frag-needed", "DF and too big: dropped, ICMP 3/4 sent")              \
	X(FRAG_NEEDED_RATE, "frag-needed-rate-limited", "DF and too big: ICMP rate-limited") \
	X(PMTU_BLACKHOLE, "pmtu-blackhole", "DF and too big: dropped silently")              \
	X(FRAG_FAILED, "frag-failed", "cannot fragment (options malformed, MTU too small)")  \
	X(FILTER_DENIED, "filter-denied", "no allow rule for this protocol/port")            \
	X(FILTER_NO_STATE, "filter-no-state", "inbound without an established outbound flow")\
	X(FILTER_ICMP, "filter-icmp", "ICMP refused by the filter's ICMP policy")            \
	X(NO_MEMBER, "no-member-up", "every cluster member is down")                         \
	X(MEMBER_DOWN, "member-down", "sent by a cluster member that is down")               \
	X(IMPAIR_LOSS, "impair-loss", "lost by the loss impairment")                         \
	X(QUEUE_FULL, "queue-full", "impairment delay queue full")                           \
	X(NO_MEMORY, "no-memory", "allocation failed")

#define MBOX_DROP_ENUM(id, name, what) MBOX_DROP_##id,
enum mbox_drop { MBOX_DROPS(MBOX_DROP_ENUM) MBOX_DROP__COUNT };
#undef MBOX_DROP_ENUM

const char *mbox_drop_name(enum mbox_drop r);
const char *mbox_drop_what(enum mbox_drop r);
/* mbox_drop_from_name returns the reason called |name|, or -1. */
int mbox_drop_from_name(const char *name);
const char *mbox_kind_name(enum mbox_kind k);

struct mbox;

/*
 * mbox_input hands the box one packet that arrived on |in_if| at |now|
 * (nanoseconds). It may call io.send 0..n times before returning.
 */
void mbox_input(struct mbox *mb, uint64_t now, int in_if, const uint8_t *pkt, size_t len);
/* mbox_deadline: when mbox_on_deadline must next be called; MBOX_NEVER if not. */
uint64_t mbox_deadline(const struct mbox *mb);
/* mbox_on_deadline runs timers due at |now| (releases, expiries); may send. */
void mbox_on_deadline(struct mbox *mb, uint64_t now);
void mbox_free(struct mbox *mb);

enum mbox_kind mbox_kind(const struct mbox *mb);
int mbox_nifs(const struct mbox *mb);
uint64_t mbox_drop_count(const struct mbox *mb, enum mbox_drop reason);
uint64_t mbox_drop_total(const struct mbox *mb);
uint64_t mbox_rx_count(const struct mbox *mb, int ifindex); /* packets in on |ifindex| */
uint64_t mbox_tx_count(const struct mbox *mb, int ifindex); /* packets sent out |ifindex| */
/*
 * mbox_set_verify_csum turns the IPv4 header checksum check on input on or
 * off (default on: our simulations enable ns-3 checksums).
 */
void mbox_set_verify_csum(struct mbox *mb, int on);

#endif
