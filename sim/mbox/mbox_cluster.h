/*
 * mbox_cluster.h — load-sharing cluster front end: N gateway members behind
 * one virtual address. Clients are on interface 0, member i on interface i
 * (1..N). Every member owns the VIP itself, so the front end forwards
 * packets unchanged (no rewriting: unmodified gateway engines reply from
 * the VIP) and passes members' packets to interface 0 unchanged.
 *
 * Stickiness: each client packet has a key — the source address (default),
 * or with key = spi: the ESP SPI (protocol 50, or UDP 4500 with a non-zero
 * first word), the IKE initiator SPI (UDP 500, or UDP 4500 behind the
 * zero non-ESP marker), else the source address. A key's member is chosen
 * by highest-random-weight hashing over the members that are up (seeded),
 * and remembered in a flow table (idle timeout, default 3600 s). Note that
 * with key = spi an IKE SA and its child SAs (different SPIs, chosen by the
 * member) may land on different members: that is the point of testing it.
 *
 * Member failure (mbox_cluster_set_member(.., 0)): every flow on the member
 * is re-hashed at once to the members still up ("flow-move" events plus
 * one "member" event), and packets the failed member still sends are
 * dropped ("member-down"). Recovery: recover = stick (default) leaves
 * flows where they are, only new keys may hash to the recovered member;
 * recover = rehash recomputes every flow, moving back exactly those whose
 * first choice is the recovered member (HRW moves nothing else).
 */
#ifndef VPNLAB_SIM_MBOX_CLUSTER_H
#define VPNLAB_SIM_MBOX_CLUSTER_H

#include "sim/mbox/mbox.h"

enum mbox_cluster_key {
	MBOX_CLUSTER_KEY_SRC,
	MBOX_CLUSTER_KEY_SPI,
};

enum mbox_cluster_recover {
	MBOX_CLUSTER_STICK,
	MBOX_CLUSTER_REHASH,
};

enum { MBOX_CLUSTER_MAX_MEMBERS = 64 };

struct mbox_cluster_cfg {
	const char *name;
	int members;                       /* N, 1..64; interfaces 1..N */
	enum mbox_cluster_key key;         /* default src */
	enum mbox_cluster_recover recover; /* default stick */
	uint64_t hash_seed;
	uint64_t flow_timeout_ns;          /* 3600 s */
	uint64_t sweep_ns;                 /* 1 s */
};

void mbox_cluster_cfg_default(struct mbox_cluster_cfg *c);
struct mbox *mbox_cluster_new(const struct mbox_cluster_cfg *cfg, const struct mbox_io *io,
			      char *err, size_t errlen);

/*
 * mbox_cluster_set_member marks |member| (1..N) up or down at |now|.
 * Returns the number of flows moved, or -1 (not a cluster, bad member).
 */
long mbox_cluster_set_member(struct mbox *mb, uint64_t now, int member, int up);
int mbox_cluster_member_up(const struct mbox *mb, int member);
/*
 * mbox_cluster_member_of returns the member a client packet would go to at
 * |now| without changing any state, 0 if none is up, -1 if it is malformed.
 */
int mbox_cluster_member_of(const struct mbox *mb, uint64_t now, const uint8_t *pkt, size_t len);
size_t mbox_cluster_flows(const struct mbox *mb);

const char *mbox_cluster_key_name(enum mbox_cluster_key k);
int mbox_cluster_key_from_name(const char *name);
const char *mbox_cluster_recover_name(enum mbox_cluster_recover r);
int mbox_cluster_recover_from_name(const char *name);

#endif
