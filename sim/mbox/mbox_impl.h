/*
 * mbox_impl.h — what the middlebox implementations share (not for hosts):
 * the common object every box embeds first, its operations table, and
 * helpers for sending, dropping with an event, randomness and hashing.
 */
#ifndef VPNLAB_SIM_MBOX_IMPL_H
#define VPNLAB_SIM_MBOX_IMPL_H

#include "sim/ip/ip4.h"
#include "sim/mbox/mbox.h"

struct mbox_ops {
	enum mbox_kind kind;
	/*
	 * input gets a validated, writable copy of the packet (|len| = its
	 * total length, |h| its parsed header) that it may rewrite in place.
	 */
	void (*input)(struct mbox *mb, uint64_t now, int in_if, uint8_t *pkt, size_t len,
		      const struct ip4_hdr *h);
	uint64_t (*deadline)(const struct mbox *mb);
	void (*on_deadline)(struct mbox *mb, uint64_t now);
	void (*destroy)(struct mbox *mb);
};

struct mbox {
	const struct mbox_ops *ops;
	struct mbox_io io;
	char name[32];   /* instance name ("box" in events); empty: none */
	int nifs;
	int verify_csum;
	uint64_t *rx, *tx;
	uint64_t drops[MBOX_DROP__COUNT];
	uint8_t rbuf[64]; /* randomness drawn ahead from io.rng */
	size_t rpos;
};

/* mbox_init fills the common part; returns -1 if out of memory. */
int mbox_init(struct mbox *mb, const struct mbox_ops *ops, const struct mbox_io *io,
	      const char *name, int nifs);
/* mbox_fini frees what mbox_init allocated (the box frees itself). */
void mbox_fini(struct mbox *mb);

/* mbox_send counts and sends |pkt| out |ifx|. */
void mbox_send(struct mbox *mb, int ifx, const uint8_t *pkt, size_t len);

/*
 * mbox_send_frag sends |pkt| out |ifx|, fragmented to |mtu| (RFC 791) if
 * longer; returns the number of packets sent or a negative ip4_err.
 */
int mbox_send_frag(struct mbox *mb, int ifx, const uint8_t *pkt, size_t len, size_t mtu);

/*
 * mbox_drop counts reason |r| and emits the drop event with what can be
 * read from |pkt| (may be NULL or malformed): addresses, protocol, ports,
 * fragment offset.
 */
void mbox_drop(struct mbox *mb, uint64_t now, enum mbox_drop r, int in_if, const uint8_t *pkt,
	       size_t len);

/* mbox_ev_begin starts an event from this box ("src" = kind, "box" = name). */
void mbox_ev_begin(const struct mbox *mb, struct evbuf *e, uint64_t now, const char *ev);
void mbox_ev_emit(const struct mbox *mb, struct evbuf *e);
/* mbox_ev_addr writes a dotted-quad field. */
void mbox_ev_addr(struct evbuf *e, const char *key, uint32_t addr);

/* mbox_rand32 draws 32 random bits from io.rng (0 if it has none or fails). */
uint32_t mbox_rand32(struct mbox *mb);
/* mbox_chance is 1 with probability |p| (0 <= p <= 1). */
int mbox_chance(struct mbox *mb, double p);

/* mbox_mix64 is a fixed 64-bit mixing function (splitmix64 finalizer). */
uint64_t mbox_mix64(uint64_t x);

/* ---------------------------------------------------------------- hash map */

/*
 * mbox_hmap maps uint64 keys to uint32 values: open addressing with linear
 * probing and backward-shift deletion; grows at 1/2 load.
 */
struct mbox_hmap {
	uint64_t *keys;
	uint32_t *vals;
	uint8_t *used;
	size_t cap, n;
};

int mbox_hmap_init(struct mbox_hmap *m);
void mbox_hmap_fini(struct mbox_hmap *m);
/* mbox_hmap_put inserts or replaces; returns -1 if out of memory. */
int mbox_hmap_put(struct mbox_hmap *m, uint64_t key, uint32_t val);
/* mbox_hmap_get returns 1 and sets |*val| if |key| is present. */
int mbox_hmap_get(const struct mbox_hmap *m, uint64_t key, uint32_t *val);
void mbox_hmap_del(struct mbox_hmap *m, uint64_t key);
void mbox_hmap_clear(struct mbox_hmap *m);

/* ---------------------------------------------------------------- fragment tracking */

/*
 * mbox_fragtrack remembers, for a short time, what a box decided for the
 * first fragment of a datagram (src, dst, proto, id) so its later
 * fragments, which carry no ports, can get the same treatment. Fixed size,
 * direct-mapped: a colliding datagram evicts the older entry, as the small
 * caches of real NATs and firewalls do.
 */
enum { MBOX_FRAGTRACK_SLOTS = 256 };

struct mbox_fragtrack {
	struct {
		uint32_t src, dst, val;
		uint16_t id;
		uint8_t proto, used;
		uint64_t expires;
	} e[MBOX_FRAGTRACK_SLOTS];
	uint64_t lifetime_ns;
};

void mbox_fragtrack_init(struct mbox_fragtrack *t, uint64_t lifetime_ns);
void mbox_fragtrack_put(struct mbox_fragtrack *t, uint64_t now, const struct ip4_hdr *h,
			uint32_t val);
/* mbox_fragtrack_get returns 1 and |*val| if the datagram of |h| is tracked. */
int mbox_fragtrack_get(const struct mbox_fragtrack *t, uint64_t now, const struct ip4_hdr *h,
		       uint32_t *val);
void mbox_fragtrack_clear(struct mbox_fragtrack *t);

/* mbox_errf writes a config error into |err| (may be NULL); returns NULL. */
void *mbox_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
