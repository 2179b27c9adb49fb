/*
 * ns3shim.h — the C face of ns-3 (Debian ns-3 3.37), implemented in
 * sim/ns3shim.cc, the project's only C++ file. Everything else in sim/
 * (middleboxes, host adapter, traffic helpers) is C and talks to the
 * simulator through this header only.
 *
 * Model. One simulation per process: ns-3 keeps its random-stream state and
 * its object registry in globals, so a second simulation after
 * ns3shim_destroy() runs but is not reproducible (same seed, different
 * bytes). Tests that need several simulations fork one child each.
 *
 *   ns3shim_init(seed, run)                 checksums on, nanosecond pcaps
 *   node = ns3shim_node_add("gw", NS3SHIM_HOST)   or NS3SHIM_RAW (no IP stack)
 *   ns3shim_link_add(a, b, &cfg, &dev_a, &dev_b)  point-to-point
 *   ns3shim_addr_add / ns3shim_route_add           hosts only
 *   sockets, protocol handlers, L3 hooks, tunnels, timers
 *   ns3shim_run_until(t_ns) ... ns3shim_destroy()
 *
 * Identifiers are small non-negative ints: node, device (per node), link,
 * socket/handle; timers are int64_t. They are never reused within one
 * simulation. Host nodes have the loopback device at index 0, so their
 * links start at device 1; raw nodes start at 0.
 *
 * IPv4 addresses are uint32_t in host byte order: 10.0.0.1 is 0x0a000001
 * (NS3SHIM_IP(10,0,0,1)). Ports are host order. Times are uint64_t
 * nanoseconds of simulated time, starting at 0.
 *
 * Errors. Functions returning int give >= 0 on success and a negative
 * NS3SHIM_E* code on failure; ns3shim_last_error() then names what was
 * wrong ("node 7 does not exist (3 nodes)"). Every index and pointer is
 * checked: ns-3's own asserts are compiled out of Debian's build, so the
 * shim is the only guard between a bad index and a segfault.
 *
 * Callbacks run inside the simulation (during ns3shim_run*) and may call any
 * function here except ns3shim_init/ns3shim_destroy/ns3shim_run*. They nest:
 * a tunnel inject can deliver to a UDP socket whose receive callback sends
 * again. Buffers passed to callbacks are valid only during the call.
 *
 * Checksums are on (ns-3's ChecksumEnabled): the stack writes and verifies
 * IPv4/UDP/TCP/ICMP checksums and drops UDP with checksum 0, so C code that
 * builds UDP or injects packets must fill every checksum in.
 */
#ifndef VPNLAB_SIM_NS3SHIM_H
#define VPNLAB_SIM_NS3SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS3SHIM_IP(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* ns3shim error codes (negative return values). */
enum ns3shim_err {
	NS3SHIM_EARG = -1,     /* bad argument: index, pointer, range */
	NS3SHIM_ESTATE = -2,   /* not initialised, already initialised, closed handle */
	NS3SHIM_ENOROUTE = -3, /* no route to the destination */
	NS3SHIM_EMSGSIZE = -4, /* DF packet larger than the egress MTU, or > device MTU */
	NS3SHIM_EFULL = -5,    /* device queue full, port in use, send buffer full */
};

/* ns3shim_last_error is the message of the last failed call ("" if none). */
const char *ns3shim_last_error(void);
/*
 * ns3shim_errorf sets the message ns3shim_last_error returns and returns
 * |code|: C modules built on this API (sim/ns3apps.c, sim/node_mbox.c)
 * report their own errors through the same channel.
 */
int ns3shim_errorf(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ lifecycle */

/*
 * ns3shim_init starts the simulation: RngSeedManager seed (|seed| != 0) and
 * run number, checksums on, pcap nanosecond mode. Fails if already running.
 */
int ns3shim_init(uint32_t seed, uint64_t run);
/* ns3shim_destroy ends it (Simulator::Destroy), closes pcaps, frees all state. */
void ns3shim_destroy(void);
/*
 * ns3shim_at_destroy registers |fn|(|ctx|) to run in ns3shim_destroy, after
 * ns-3 is gone, latest registration first: C modules free their per-
 * simulation state there.
 */
int ns3shim_at_destroy(void (*fn)(void *ctx), void *ctx);
/*
 * ns3shim_run_until runs every event before |t_ns| (and those at |t_ns|
 * scheduled before this call), then sets the clock to |t_ns|. Returns the
 * number of events executed, or a negative error if |t_ns| < now.
 */
int64_t ns3shim_run_until(uint64_t t_ns);
/* ns3shim_run runs until no event is left or ns3shim_stop() is called. */
int64_t ns3shim_run(void);
/* ns3shim_stop ends ns3shim_run / ns3shim_run_until after the current event. */
void ns3shim_stop(void);
uint64_t ns3shim_now(void);
/* ns3shim_event_count is the number of events executed since init. */
uint64_t ns3shim_event_count(void);

/* ------------------------------------------------------------ timers */

typedef void (*ns3shim_timer_fn)(void *ctx);
/* ns3shim_timer_at schedules |fn| at absolute |t_ns| (>= now); returns a timer id > 0. */
int64_t ns3shim_timer_at(uint64_t t_ns, ns3shim_timer_fn fn, void *ctx);
/* ns3shim_timer_in schedules |fn| |delay_ns| from now. */
int64_t ns3shim_timer_in(uint64_t delay_ns, ns3shim_timer_fn fn, void *ctx);
/* ns3shim_timer_cancel returns 0, or 1 if the timer already fired or was cancelled. */
int ns3shim_timer_cancel(int64_t id);

/* ------------------------------------------------------------ topology */

enum ns3shim_node_kind {
	NS3SHIM_HOST = 1, /* ns-3 internet stack (IPv4, ICMP, UDP, TCP), static routing, forwards */
	NS3SHIM_RAW = 2,  /* no stack: a C packet processor through ns3shim_l3_hook */
};

/* ns3shim_node_add returns the node index; |name| (may be NULL) appears in errors. */
int ns3shim_node_add(const char *name, int kind);
int ns3shim_node_count(void);
/* ns3shim_dev_count is the number of devices on |node| (loopback included). */
int ns3shim_dev_count(int node);

struct ns3shim_link_cfg {
	uint64_t rate_bps;  /* > 0 */
	uint64_t delay_ns;  /* one-way propagation delay */
	uint32_t mtu_a;     /* IP MTU of the device on node a, 68..65535; 0 = 1500 */
	uint32_t mtu_b;
	uint32_t queue_pkts; /* device transmit queue; 0 = 100 packets */
};

/*
 * ns3shim_link_add connects |a| and |b| with a point-to-point link (PPP
 * framing); on hosts each new device gets an IPv4 interface (up, no
 * address). Stores the new device indices in |*dev_a|, |*dev_b| (either may
 * be NULL) and returns the link index.
 */
int ns3shim_link_add(int a, int b, const struct ns3shim_link_cfg *cfg, int *dev_a, int *dev_b);

/* ns3shim_addr_add gives |dev| of host |node| the address |addr|/|prefix| (adds the connected route). */
int ns3shim_addr_add(int node, int dev, uint32_t addr, int prefix);
/*
 * ns3shim_route_add adds a static route to |dst|/|prefix| on host |node|:
 * via |gw| (0 = on-link) out of |dev|. |dev| = -1 picks the device whose
 * subnet holds |gw|. |dst| = 0, |prefix| = 0 is the default route.
 * Give |dev| an address before a packet can match the route: ns-3 aborts
 * the process when a lookup picks a route out of a device without one.
 */
int ns3shim_route_add(int node, uint32_t dst, int prefix, uint32_t gw, int dev);
/*
 * ns3shim_route_del removes the routes to |dst|/|prefix| (|dst| is masked as
 * in ns3shim_route_add) via |gw| (0 = the on-link ones) out of |dev| (-1 =
 * any device) from host |node|: exactly what ns3shim_route_add(node, dst,
 * prefix, gw, dev) added, or a connected route (gw 0). Returns how many
 * were removed (>= 1); NS3SHIM_ENOROUTE if none matched.
 */
int ns3shim_route_del(int node, uint32_t dst, int prefix, uint32_t gw, int dev);
/*
 * ns3shim_addr_del removes |addr| from |dev| of host |node|, and with it
 * the connected route of its subnet (kept if another address on |dev| is
 * in the same subnet). The last address of |dev| cannot go while other
 * routes use |dev| (NS3SHIM_ESTATE; see ns3shim_route_add): delete them
 * first. Sockets bound to |addr| stay open (close them first); datagrams
 * to |addr| are no longer delivered locally.
 */
int ns3shim_addr_del(int node, int dev, uint32_t addr);

/* ns3shim_route_info is the answer of ns3shim_route_lookup. */
struct ns3shim_route_info {
	uint32_t src;  /* source address the stack would use */
	uint32_t gw;   /* next hop, 0 = on-link */
	int dev;       /* egress device */
	uint32_t mtu;  /* its current MTU */
};
/* ns3shim_route_lookup asks host |node|'s routing table for |dst|; NS3SHIM_ENOROUTE if none. */
int ns3shim_route_lookup(int node, uint32_t dst, struct ns3shim_route_info *out);

/* ------------------------------------------------------------ devices, faults, captures */

int ns3shim_dev_mtu(int node, int dev);
/* ns3shim_dev_set_mtu changes the MTU now; the stack fragments at the new size from the next packet. */
int ns3shim_dev_set_mtu(int node, int dev, uint32_t mtu);
/* ns3shim_dev_set_loss drops each packet received on |dev| with probability |rate| (0..1). */
int ns3shim_dev_set_loss(int node, int dev, double rate);
/* ns3shim_link_set_up(link, 0) cuts both directions (packets on the wire are lost too); 1 restores. */
int ns3shim_link_set_up(int link, int up);

/*
 * ns3shim_dev_counters: bytes are IP bytes (no PPP header). Every packet
 * lost on a device is in exactly one of the three drop counters.
 */
struct ns3shim_dev_counters {
	uint64_t tx_packets, tx_bytes; /* put on the wire */
	uint64_t rx_packets, rx_bytes; /* received and passed up */
	uint64_t tx_drops;             /* queue full, or ns3shim_dev_send over MTU */
	uint64_t rx_drops;             /* loss model or cut link */
	/*
	 * tc_drops: host devices only. While the simulation runs, ns-3's
	 * traffic-control layer (no queue disc installed) discards what the
	 * stack sends while the device queue is full ("stopped"); the send
	 * still reports success and the device never sees the packet, so
	 * this, not tx_drops, is where a saturated host link loses packets.
	 * (Before the first ns3shim_run* the layer is not set up yet and a
	 * full queue counts as tx_drops.) Attributed to the stopped device the
	 * packet's destination routes to.
	 */
	uint64_t tc_drops;
};
int ns3shim_dev_counters(int node, int dev, struct ns3shim_dev_counters *out);

/* ns3shim_drop_kind says which counter a drop went to. */
enum ns3shim_drop_kind {
	NS3SHIM_DROP_TX = 1, /* tx_drops */
	NS3SHIM_DROP_RX = 2, /* rx_drops */
	NS3SHIM_DROP_TC = 3, /* tc_drops */
};
typedef void (*ns3shim_drop_fn)(void *ctx, int node, int dev, int kind, const uint8_t *pkt,
				size_t len);
/*
 * ns3shim_drop_hook calls |fn| for every drop counted above, with the lost
 * IPv4 packet (no PPP header). One hook per simulation; |fn| NULL removes
 * it. It runs inside ns-3's send path: record, do not send from it.
 */
int ns3shim_drop_hook(ns3shim_drop_fn fn, void *ctx);

/*
 * ns3shim_pcap_open captures both directions of |dev| into |path| (DLT_PPP
 * for links, DLT_RAW for tunnels), nanosecond timestamps from simulated
 * time. The file is complete after ns3shim_destroy().
 */
int ns3shim_pcap_open(int node, int dev, const char *path);

/* ------------------------------------------------------------ packet metadata */

/* ns3shim_pktinfo describes a received datagram. */
struct ns3shim_pktinfo {
	uint32_t src, dst;     /* IPv4 source and destination */
	uint16_t sport, dport; /* UDP/TCP ports; 0 for other protocols */
	uint8_t proto, ttl, tos;
	int dev;               /* device it arrived on (-1 unknown) */
};

/* ns3shim_icmp describes an ICMP error about a datagram we sent. */
struct ns3shim_icmp {
	uint32_t from;        /* who sent the ICMP message */
	uint8_t type, code;
	uint32_t info;        /* next-hop MTU for type 3 code 4, else 0 */
	uint32_t orig_src, orig_dst; /* from the quoted header (0 if not available) */
	uint16_t orig_sport, orig_dport;
	uint8_t orig_proto;
	uint8_t orig_payload[8]; /* first 8 octets after the quoted IP header */
};

/* ------------------------------------------------------------ UDP */

typedef void (*ns3shim_udp_recv_fn)(void *ctx, int sock, const struct ns3shim_pktinfo *pi,
				    const uint8_t *data, size_t len);
typedef void (*ns3shim_icmp_fn)(void *ctx, int sock, const struct ns3shim_icmp *e);

/*
 * ns3shim_udp_open binds a UDP socket on host |node| to |addr| (0 = any) and
 * |port| (0 = ephemeral); |recv| and |icmp| may be NULL. Returns the socket.
 */
int ns3shim_udp_open(int node, uint32_t addr, uint16_t port, ns3shim_udp_recv_fn recv,
		     ns3shim_icmp_fn icmp, void *ctx);
/* ns3shim_udp_sendto sends one datagram (the stack fragments; DF is never set). */
int ns3shim_udp_sendto(int sock, uint32_t dst, uint16_t port, const uint8_t *data, size_t len);
/* ns3shim_udp_port is the local port the socket is bound to. */
int ns3shim_udp_port(int sock);
/* ns3shim_sock_close closes a UDP, TCP or protocol handle; no callback fires afterwards. */
int ns3shim_sock_close(int sock);

/* ------------------------------------------------------------ raw IPv4 and L4 handlers */

/*
 * ns3shim_ip_send sends |payload| as IP protocol |proto| from host |node|;
 * the stack builds the header (|src| 0 = chosen by the route), fragments if
 * needed and never sets DF.
 */
int ns3shim_ip_send(int node, uint8_t proto, uint32_t src, uint32_t dst, const uint8_t *payload,
		    size_t len);
/*
 * ns3shim_ip_send_hdr sends a complete IPv4 packet built by the caller
 * (header included, IHL 5, total length = |len|): the only way to send DF.
 * Routed by its destination; source, flags, id, TTL, TOS and fragment
 * fields are kept (source 0.0.0.0 is replaced by the route's, after any
 * UDP/TCP checksum was computed over 0), the header checksum is recomputed.
 * A DF packet larger than the egress MTU fails with NS3SHIM_EMSGSIZE (as
 * Linux does; ns-3 itself would fragment it); without DF the stack
 * fragments it.
 */
int ns3shim_ip_send_hdr(int node, const uint8_t *pkt, size_t len);

typedef void (*ns3shim_proto_recv_fn)(void *ctx, int handle, const struct ns3shim_pktinfo *pi,
				      const uint8_t *payload, size_t len);
/*
 * ns3shim_proto_open receives IP protocol |proto| (e.g. 50, ESP) on host
 * |node|: local, reassembled datagrams only (payload after the IP header),
 * and ICMP errors quoting such datagrams. Protocols 1, 6 and 17 belong to
 * the stack. Returns a handle for ns3shim_sock_close.
 */
int ns3shim_proto_open(int node, uint8_t proto, ns3shim_proto_recv_fn recv, ns3shim_icmp_fn icmp,
		       void *ctx);

typedef void (*ns3shim_icmp_recv_fn)(void *ctx, int handle, const struct ns3shim_pktinfo *pi,
				     const uint8_t *icmp, size_t len);
/*
 * ns3shim_icmp_open sees every ICMP message delivered locally on host
 * |node| (after reassembly, before the stack handles it), from the ICMP
 * header on. The stack still answers echo requests itself.
 */
int ns3shim_icmp_open(int node, ns3shim_icmp_recv_fn recv, void *ctx);

/* ------------------------------------------------------------ raw nodes */

typedef void (*ns3shim_l3_fn)(void *ctx, int node, int dev, const uint8_t *pkt, size_t len);
/* ns3shim_l3_hook delivers every IPv4 packet arriving on any device of raw |node| to |fn|. */
int ns3shim_l3_hook(int node, ns3shim_l3_fn fn, void *ctx);
/*
 * ns3shim_dev_send puts IPv4 packet |pkt| on |dev| (raw nodes, or any
 * point-to-point device). NS3SHIM_EMSGSIZE if |len| exceeds the device
 * MTU (ns-3 would not check), NS3SHIM_EFULL if the queue is full.
 */
int ns3shim_dev_send(int node, int dev, const uint8_t *pkt, size_t len);

/* ------------------------------------------------------------ TCP */

struct ns3shim_tcp_cbs {
	/* connected: the connect finished; |ok| 0 = refused or failed. */
	void (*connected)(void *ctx, int sock, int ok);
	/* accepted: listener |lsock| accepted |sock| (which inherits these callbacks). */
	void (*accepted)(void *ctx, int lsock, int sock, uint32_t peer, uint16_t peer_port);
	void (*recv)(void *ctx, int sock, const uint8_t *data, size_t len);
	/* send_space: |avail| octets can now be queued (after connect and as data is acked). */
	void (*send_space)(void *ctx, int sock, size_t avail);
	/* closed: the connection ended; |error| 0 = orderly (FIN), 1 = reset/timeout. Once. */
	void (*closed)(void *ctx, int sock, int error);
};

/*
 * ns3shim_tcp_connect opens a connection from host |node| to |dst|:|port|
 * with segment size |mss| (payload octets per segment, 1..65495; ns-3 sends
 * no MSS option and does no PMTU discovery, so pick <= path MTU - 40).
 * |cbs| is copied; its members may be NULL. Returns the socket.
 */
int ns3shim_tcp_connect(int node, uint32_t dst, uint16_t port, uint32_t mss,
			const struct ns3shim_tcp_cbs *cbs, void *ctx);
/* ns3shim_tcp_listen listens on |addr| (0 = any):|port|; accepted sockets use |mss|. */
int ns3shim_tcp_listen(int node, uint32_t addr, uint16_t port, uint32_t mss,
		       const struct ns3shim_tcp_cbs *cbs, void *ctx);
/* ns3shim_tcp_send queues up to |len| octets; returns how many were taken (may be 0). */
int ns3shim_tcp_send(int sock, const uint8_t *data, size_t len);
/* ns3shim_tcp_shutdown sends FIN after queued data; the socket still receives. */
int ns3shim_tcp_shutdown(int sock);
/*
 * ns3shim_tcp_icmp delivers ICMP errors quoting the segments of connection
 * |sock| to |icmp| (with the socket's ctx; NULL stops them). On a listener,
 * accepted connections inherit it (errors before the accept are reported
 * on the listener). ns-3 hands TCP only types 3 and 11, and its TCP does
 * nothing with them itself (no PMTU discovery): 3/4 is for the caller to
 * act on, e.g. by a smaller |mss| for new connections.
 */
int ns3shim_tcp_icmp(int sock, ns3shim_icmp_fn icmp);

/* ------------------------------------------------------------ tunnel interface */

typedef void (*ns3shim_tun_tx_fn)(void *ctx, int node, int dev, const uint8_t *pkt, size_t len);
/*
 * ns3shim_tun_add gives host |node| a point-to-point virtual device of MTU
 * |mtu|: packets the stack routes to it go to |tx| (inner IPv4 packet with
 * header). Give it an address and routes like any device. Returns its index.
 */
int ns3shim_tun_add(int node, uint32_t mtu, ns3shim_tun_tx_fn tx, void *ctx);
/*
 * ns3shim_tun_inject delivers IPv4 packet |pkt| as if received on tunnel
 * |dev| (a decrypted inner packet). Its checksums must be valid.
 */
int ns3shim_tun_inject(int node, int dev, const uint8_t *pkt, size_t len);

#ifdef __cplusplus
}
#endif

#endif
