/*
 * ns3apps.h — inner traffic for scenarios: ping, UDP constant bit rate and
 * sink, TCP bulk send and sink. Plain C on top of sim/ns3shim.h (nothing
 * here touches ns-3 directly), with counters a scenario can read.
 *
 * Payloads are self-describing so receivers measure without a side channel:
 *   ping      ICMP echo, data = send time (8 octets, ns) + pattern; RTT from the reply
 *   UDP CBR   seq (8) + send time (8) + pattern; the sink gets one-way delay
 *   TCP bulk  octet i of the stream is i % 251; the sink counts mismatches as errors
 *
 * App ids are small ints; state is freed by ns3shim_destroy.
 */
#ifndef VPNLAB_SIM_NS3APPS_H
#define VPNLAB_SIM_NS3APPS_H

#include <stdint.h>

struct ns3apps_stats {
	uint64_t tx_packets, tx_bytes; /* sources: sent (TCP: octets queued) */
	uint64_t rx_packets, rx_bytes; /* ping replies / sink deliveries (TCP: octets) */
	uint64_t errors;      /* ICMP errors about our packets, failed or reset connections,
				 TCP stream octets that differ from the pattern, local EMSGSIZE */
	uint64_t delay_min_ns, delay_max_ns, delay_sum_ns; /* ping RTT; UDP sink one-way delay */
	uint64_t first_rx_ns, last_rx_ns;
	uint32_t icmp_mtu; /* next-hop MTU of the last ICMP 3/4 seen (0 = none) */
	int done;          /* source finished (all sent; TCP: connection closed) */
};

/*
 * ns3apps_ping sends |count| (0 = until stopped) ICMP echo requests of
 * |size| data octets (>= 8) from host |node| to |dst| every |interval_ns|,
 * the first one now. |df| sets Don't Fragment (a packet over the local MTU
 * then counts as an error instead of leaving).
 */
int ns3apps_ping(int node, uint32_t dst, uint32_t size, uint64_t interval_ns, uint32_t count,
		 int df);
/* ns3apps_udp_cbr sends |count| (0 = until stopped) datagrams of |size| (>= 16) octets. */
int ns3apps_udp_cbr(int node, uint32_t dst, uint16_t port, uint32_t size, uint64_t interval_ns,
		    uint32_t count);
int ns3apps_udp_sink(int node, uint16_t port);
/* ns3apps_tcp_bulk sends |bytes| octets over one connection with segment size |mss|, then closes. */
int ns3apps_tcp_bulk(int node, uint32_t dst, uint16_t port, uint64_t bytes, uint32_t mss);
/* ns3apps_tcp_sink accepts connections on |port| and reads everything. */
int ns3apps_tcp_sink(int node, uint16_t port, uint32_t mss);

int ns3apps_stats(int app, struct ns3apps_stats *out);
/* ns3apps_stop stops sending (ping, CBR), closes the socket (sinks, bulk). */
int ns3apps_stop(int app);

#endif
