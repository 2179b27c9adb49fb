/*
 * realnet_int.h — the inside of struct realnet, shared by the loop
 * (realnet_loop.c), the sockets (realnet_sock.c) and the ESP datapath
 * (realnet_esp.c). Not for verbs: they use cli/realnet.h.
 *
 * Buffers: |batch| slots of RN_SLOT octets, reused by every handler (one
 * thread, each handler finishes before the next). A packet sits at
 * RN_HEAD in its slot, so esp_seal grows it in place towards the front
 * and the pcap writer puts the synthesised IP/UDP header in front of that.
 */
#ifndef VPNLAB_CLI_REALNET_INT_H
#define VPNLAB_CLI_REALNET_INT_H

#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cli/realnet.h"
#include "cli/realnet_gso.h"
#include "cli/realnet_pcap.h"
#include "ref/esp/esp.h"

enum {
	RN_SLOT = RN_HEAD + RN_DGRAM_MAX + RN_TAIL, /* any UDP datagram fits: IKE up to 64 KiB */
	RN_SPI_HASH = 2 * RN_CHILDREN_MAX,         /* open addressing, load <= 1/2 */
	RN_ROUTES_MAX = 64,
	RN_DROP_EV_FIRST = 20,                     /* drop events per reason before thinning */
	RN_CTRL = 64,                              /* IP_PKTINFO + UDP_GRO cmsg space */
	RN_TUNQ_MAX = 512,                         /* decrypted packets waiting for the TUN */
};

/* socket indices */
enum { RN_SOCK_IKE = 0, RN_SOCK_NATT = 1 };

/* epoll tags */
enum { RN_TAG_UDP_IKE = 1, RN_TAG_UDP_NATT, RN_TAG_RAW, RN_TAG_TUN, RN_TAG_TIMER, RN_TAG_SIGNAL };

struct rn_child {
	int used;
	uint64_t seq;             /* install order: the newest matching child wins the SPD */
	uint64_t ike_spi_i, ike_spi_r;
	uint32_t spi_in, spi_out;
	struct esp_sa *in, *out;
	size_t n_ts_local, n_ts_remote;
	struct rn_ts ts_local[RN_TS_MAX];
	struct rn_ts ts_remote[RN_TS_MAX];
	int encap;
	struct rn_path path;
	struct sockaddr_in peer;  /* where outbound ESP goes (port 0 for raw) */
	uint32_t vip;
	uint64_t pkts_in, pkts_out, bytes_in, bytes_out;
	uint64_t noted_tx, noted_rx; /* when the engine last heard of ESP sent / received (note_esp) */
};

/*
 * rn_txq: sealed packets waiting for one sendmmsg. With UDP GSO, runs of
 * packets to the same peer with the same length (the last may be shorter)
 * become one message with a UDP_SEGMENT cmsg and one iovec per packet: the
 * kernel routes, NATs and delivers the run as one skb and cuts it into
 * datagrams only where it must (or never, at a receiver with UDP_GRO).
 */
enum { RN_GSO_MAX_SEGS = 64, RN_GSO_MAX_BYTES = 65507 };
struct rn_txq {
	unsigned n;
	struct iovec iov[RN_BATCH_MAX];
	struct sockaddr_in to[RN_BATCH_MAX];
	struct mmsghdr m[RN_BATCH_MAX];            /* built by rn_txq_flush */
	unsigned first[RN_BATCH_MAX], count[RN_BATCH_MAX];
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctrl[RN_BATCH_MAX];
};

struct rn_route {
	uint32_t dst;
	unsigned prefix;
	uint32_t gw;
	char dev[16];
};

struct realnet {
	struct rn_opts o;
	struct rn_engine eng;
	int has_engine;

	int epfd, tfd, sfd;
	int udp[2];
	uint16_t port[2];           /* bound ports (host order) */
	uint32_t bound_addr;        /* host order; 0 = any */
	int raw;                    /* IPPROTO_ESP raw socket, -1 = none */
	int esp_forced;
	int udp_gso, udp_gro;       /* UDP_SEGMENT on sends, UDP_GRO on receives (NAT-T socket) */
	int tun;
	int tun_is_dev;             /* opened /dev/net/tun (else a test socketpair) */
	int tun_vnet;               /* virtio_net_hdr in front of every TUN read/write (TSO in, GRO out) */
	int tun_tso;                /* the kernel took TUN_F_CSUM|TUN_F_TSO4 */
	uint8_t *tso_buf;           /* one TUN read with vnet header: up to 64 KiB */
	struct rn_gro_pkt tunq[RN_TUNQ_MAX];
	unsigned tunq_n;
	char tun_name[16];
	int tun_up;
	uint32_t tun_vip;

	uint64_t t0;                /* CLOCK_MONOTONIC at realnet_new, ns */
	uint64_t now;               /* time of the current handler: engine calls and events share it */
	uint64_t armed;             /* the deadline the timerfd holds (UINT64_MAX = disarmed) */
	sigset_t oldmask;

	FILE *evf;
	struct evbuf evb;           /* rn_ev_begin .. rn_ev_end (not nested) */
	struct rn_pcap *pcap;
	int pcap_dirty;

	/* life cycle */
	int started, child_seen, stopping, finished, status;
	uint64_t stop_deadline;
	unsigned signals;

	/* buffers */
	unsigned batch;
	uint8_t *slots;
	struct mmsghdr msgs[RN_BATCH_MAX];
	struct iovec iov[RN_BATCH_MAX];
	struct sockaddr_in names[RN_BATCH_MAX];
	char ctrl[RN_BATCH_MAX][RN_CTRL];
	struct rn_txq txq_udp, txq_raw;

	/* CHILD SAs */
	struct rn_child child[RN_CHILDREN_MAX];
	size_t n_children;
	uint64_t child_seq;
	int32_t spi_idx[RN_SPI_HASH];  /* -1 empty, else index into child[] */
	struct rn_child *spd_cache;

	struct rn_route routes[RN_ROUTES_MAX];
	size_t n_routes;
	int peer_route_done;

	struct rn_stats st;
};

static inline uint8_t *rn_slot(struct realnet *rn, unsigned i)
{
	return rn->slots + (size_t)i * RN_SLOT;
}

/* rn_ev_spi writes an SPI as 8 hex digits, like the engine's events. */
static inline void rn_ev_spi(struct evbuf *e, const char *key, uint32_t spi)
{
	char b[9];

	snprintf(b, sizeof b, "%08x", spi);
	ev_str(e, key, b);
}

/* realnet_loop.c */
/* rn_ev_drop counts a drop and emits {"ev":"drop","reason":..,"detail":..}: the first RN_DROP_EV_FIRST per reason, then at powers of two. */
void rn_ev_drop(struct realnet *rn, enum rn_drop d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* realnet_sock.c */
int rn_sock_open(struct realnet *rn, char *msg, size_t cap);
void rn_sock_close(struct realnet *rn);
void rn_udp_rx(struct realnet *rn, int which);
void rn_raw_rx(struct realnet *rn);
void rn_txq_add(struct rn_txq *q, uint8_t *p, size_t len, const struct sockaddr_in *to);
/* rn_txq_flush sends the queue on |fd|, with UDP GSO when |gso| (falls back to one datagram per packet if refused). */
void rn_txq_flush(struct realnet *rn, struct rn_txq *q, int fd, int gso);

/* realnet_esp.c */
void rn_esp_init(struct realnet *rn);
void rn_esp_free(struct realnet *rn);
void rn_tun_rx(struct realnet *rn);
/* rn_esp_in opens the ESP packet at |off| in slot |slot| and queues it for the TUN (rn_tun_flush). */
void rn_esp_in(struct realnet *rn, uint8_t *slot, size_t off, size_t len, const struct rn_path *path);
/* rn_tun_flush writes the queued packets: runs of one TCP flow coalesced when the TUN has vnet headers. */
void rn_tun_flush(struct realnet *rn);
void rn_routes_clear(struct realnet *rn);

#endif
