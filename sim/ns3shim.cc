// ns3shim.cc — the extern "C" face of ns-3 3.37 declared in sim/ns3shim.h.
// The project's only C++ file: it owns every ns-3 object and hands C code
// small integer ids (node, device, link, socket, timer). All state lives in
// one global Shim because ns-3 itself is process-global (one simulation per
// process, see the header). Facts this relies on are measured in
// shared/NS3-NOTES.md.

#include "sim/ns3shim.h"
#include "sim/ns3shim_util.h"

#include <ns3/boolean.h>
#include <ns3/callback.h>
#include <ns3/config.h>
#include <ns3/data-rate.h>
#include <ns3/error-model.h>
#include <ns3/global-value.h>
#include <ns3/inet-socket-address.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ip-l4-protocol.h>
#include <ns3/ipv4-header.h>
#include <ns3/ipv4-interface.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-packet-info-tag.h>
#include <ns3/ipv4-route.h>
#include <ns3/ipv4-routing-table-entry.h>
#include <ns3/ipv4-static-routing-helper.h>
#include <ns3/ipv4-static-routing.h>
#include <ns3/mac48-address.h>
#include <ns3/net-device-queue-interface.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/pcap-file-wrapper.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/pointer.h>
#include <ns3/queue-size.h>
#include <ns3/rng-seed-manager.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/traffic-control-layer.h>
#include <ns3/trace-helper.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>
#include <ns3/virtual-net-device.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

using namespace ns3;

namespace {

// PPP_HDR is the point-to-point header ns-3 adds (protocol field only);
// device traces see it, counters report IP bytes.
constexpr uint32_t PPP_HDR = 2;
constexpr uint16_t ETH_IPV4 = 0x0800;

enum DevKind { DEV_LOOP, DEV_P2P, DEV_TUN, DEV_ANY /* get_dev_of: all but the loopback */ };
enum SockKind { SK_UDP, SK_TCP, SK_TCP_LISTEN, SK_PROTO, SK_ICMP };

class ShimL4;

struct DevRec {
	int node = -1, index = -1, kind = DEV_P2P, link = -1, iface = -1;
	Ptr<NetDevice> dev;
	struct ns3shim_dev_counters ctr{};
	Ptr<RateErrorModel> em;
	double loss = 0;
	bool cut = false;
	ns3shim_tun_tx_fn tun_tx = nullptr;
	void *tun_ctx = nullptr;
};

struct NodeRec {
	int id = -1, kind = NS3SHIM_HOST;
	std::string name;
	Ptr<Node> node;
	Ptr<Ipv4L3Protocol> ipv4;
	Ptr<Ipv4StaticRouting> rt;
	std::vector<std::unique_ptr<DevRec>> devs;
	ns3shim_l3_fn hook = nullptr;
	void *hook_ctx = nullptr;
	// icmp_last is the ICMP error being delivered right now (LocalDeliver
	// runs before the stack demultiplexes it): UDP's IcmpCallback only gets
	// type/code/info, the quoted addresses and ports come from here.
	ns3shim_icmp icmp_last{};
	bool icmp_valid = false;
	std::vector<int> icmp_handles;
};

struct LinkRec {
	int a, da, b, db;
	bool up = true;
};

struct SockRec {
	int id = -1, kind = SK_UDP, node = -1;
	bool closed = false, close_notified = false;
	Ptr<Socket> s;
	Ptr<ShimL4> l4;
	uint16_t port = 0;
	uint32_t mss = 0;
	void *ctx = nullptr;
	ns3shim_udp_recv_fn udp_recv = nullptr;
	ns3shim_icmp_fn icmp = nullptr;
	ns3shim_proto_recv_fn proto_recv = nullptr;
	ns3shim_icmp_recv_fn icmp_recv = nullptr;
	ns3shim_tcp_cbs tcp{};
};

struct TimerRec {
	EventId ev;
	ns3shim_timer_fn fn;
	void *ctx;
};

struct Shim {
	InternetStackHelper stack;
	std::vector<std::unique_ptr<NodeRec>> nodes;
	std::vector<LinkRec> links;
	std::vector<std::unique_ptr<SockRec>> socks;
	std::unordered_map<int64_t, TimerRec> timers;
	int64_t next_timer = 1;
	bool running = false; // inside ns3shim_run*: callbacks must not run or destroy
	std::vector<Ptr<PcapFileWrapper>> pcaps;
	std::vector<std::pair<void (*)(void *), void *>> at_destroy;
	ns3shim_drop_fn drop_fn = nullptr;
	void *drop_ctx = nullptr;
};

Shim *g;

int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ns3shim_util_verrorf(code, fmt, ap);
	va_end(ap);
	return code;
}

std::string ipstr(uint32_t a)
{
	char b[16];
	return ns3shim_util_ipstr(a, b);
}

uint64_t now_ns()
{
	return (uint64_t)Simulator::Now().GetNanoSeconds();
}

// Bytes copies a packet out of ns-3; small packets stay on the stack
// because callbacks nest (inject -> local delivery -> send).
struct Bytes {
	uint8_t small[2048];
	std::vector<uint8_t> big;
	uint8_t *p;
	size_t n;
	explicit Bytes(Ptr<const Packet> pkt)
	{
		n = pkt->GetSize();
		if (n <= sizeof small) {
			p = small;
		} else {
			big.resize(n);
			p = big.data();
		}
		pkt->CopyData(p, (uint32_t)n);
	}
};

const char *no_init = "ns3shim_init has not been called";

NodeRec *get_node(const char *fn, int n, int *err)
{
	if (!g) {
		*err = fail(NS3SHIM_ESTATE, "%s: %s", fn, no_init);
		return nullptr;
	}
	if (n < 0 || (size_t)n >= g->nodes.size()) {
		*err = fail(NS3SHIM_EARG, "%s: node %d does not exist (%zu nodes)", fn, n,
			    g->nodes.size());
		return nullptr;
	}
	return g->nodes[(size_t)n].get();
}

std::string node_desc(const NodeRec *nr)
{
	std::string s = "node " + std::to_string(nr->id);
	if (!nr->name.empty())
		s += " (" + nr->name + ")";
	return s;
}

NodeRec *get_host(const char *fn, int n, int *err)
{
	NodeRec *nr = get_node(fn, n, err);
	if (nr && nr->kind != NS3SHIM_HOST) {
		*err = fail(NS3SHIM_EARG, "%s: %s is a raw node without an IP stack", fn,
			    node_desc(nr).c_str());
		return nullptr;
	}
	return nr;
}

DevRec *get_dev(const char *fn, int n, int d, int *err)
{
	NodeRec *nr = get_node(fn, n, err);
	if (!nr)
		return nullptr;
	if (d < 0 || (size_t)d >= nr->devs.size()) {
		*err = fail(NS3SHIM_EARG, "%s: device %d does not exist on %s (%zu devices)", fn, d,
			    node_desc(nr).c_str(), nr->devs.size());
		return nullptr;
	}
	return nr->devs[(size_t)d].get();
}

SockRec *get_sock(const char *fn, int s, int *err)
{
	if (!g) {
		*err = fail(NS3SHIM_ESTATE, "%s: %s", fn, no_init);
		return nullptr;
	}
	if (s < 0 || (size_t)s >= g->socks.size()) {
		*err = fail(NS3SHIM_EARG, "%s: socket %d does not exist (%zu sockets)", fn, s,
			    g->socks.size());
		return nullptr;
	}
	SockRec *r = g->socks[(size_t)s].get();
	if (r->closed) {
		*err = fail(NS3SHIM_ESTATE, "%s: socket %d is closed", fn, s);
		return nullptr;
	}
	return r;
}

// get_dev_of is get_dev for a device of kind |want| (DEV_P2P, DEV_TUN, DEV_ANY).
DevRec *get_dev_of(const char *fn, int n, int dv, int want, int *err)
{
	DevRec *d = get_dev(fn, n, dv, err);
	if (d && (want == DEV_ANY ? d->kind == DEV_LOOP : d->kind != want)) {
		*err = fail(NS3SHIM_EARG, "%s: device %d of node %d %s", fn, dv, n,
			    want == DEV_ANY   ? "is the loopback"
			    : want == DEV_P2P ? "is not a point-to-point link"
					      : "is not a tunnel");
		return nullptr;
	}
	return d;
}

// get_sock_of is get_sock for a socket of kind |k1| or |k2| (|what| names them).
SockRec *get_sock_of(const char *fn, int s, int k1, int k2, const char *what, int *err)
{
	SockRec *r = get_sock(fn, s, err);
	if (r && r->kind != k1 && r->kind != k2) {
		*err = fail(NS3SHIM_EARG, "%s: socket %d is not a %s", fn, s, what);
		return nullptr;
	}
	return r;
}

bool check_ptr(const char *fn, const void *p, const char *what, int *err)
{
	if (!p) {
		*err = fail(NS3SHIM_EARG, "%s: %s is NULL", fn, what);
		return false;
	}
	return true;
}

SockRec *new_sock(int kind, int node)
{
	auto r = std::make_unique<SockRec>();
	r->id = (int)g->socks.size();
	r->kind = kind;
	r->node = node;
	g->socks.push_back(std::move(r));
	return g->socks.back().get();
}

Ipv4Mask prefix_mask(int prefix)
{
	return Ipv4Mask(ns3shim_util_mask(prefix));
}

int dev_of_iface(NodeRec *nr, uint32_t iface)
{
	if (!nr->ipv4 || iface >= nr->ipv4->GetNInterfaces())
		return -1;
	return (int)nr->ipv4->GetNetDevice(iface)->GetIfIndex();
}

// ---------------------------------------------------------------- trace sinks

void tr_tx(DevRec *d, Ptr<const Packet> p)
{
	d->ctr.tx_packets++;
	d->ctr.tx_bytes += p->GetSize() - (d->kind == DEV_P2P ? PPP_HDR : 0);
}
void tr_rx(DevRec *d, Ptr<const Packet> p)
{
	d->ctr.rx_packets++;
	d->ctr.rx_bytes += p->GetSize() - (d->kind == DEV_P2P ? PPP_HDR : 0);
}
// drop_emit hands a counted drop to the ns3shim_drop_hook, if any.
void drop_emit(DevRec *d, int kind, const uint8_t *p, size_t n)
{
	if (g->drop_fn)
		g->drop_fn(g->drop_ctx, d->node, d->index, kind, p, n);
}
void drop_pkt(DevRec *d, int kind, Ptr<const Packet> p, uint32_t skip)
{
	if (!g->drop_fn)
		return;
	Bytes b(p);
	size_t k = skip < b.n ? skip : b.n;
	drop_emit(d, kind, b.p + k, b.n - k);
}
void tr_txdrop(DevRec *d, Ptr<const Packet> p)
{
	d->ctr.tx_drops++;
	drop_pkt(d, NS3SHIM_DROP_TX, p, PPP_HDR);
}
void tr_rxdrop(DevRec *d, Ptr<const Packet> p)
{
	d->ctr.rx_drops++;
	drop_pkt(d, NS3SHIM_DROP_RX, p, PPP_HDR);
}
void tr_pcap(PcapFileWrapper *f, Ptr<const Packet> p)
{
	f->Write(Simulator::Now(), p);
}

// local_deliver sees every datagram delivered to a host before its L4
// protocol: ICMP goes to ns3shim_icmp_open handles, errors are remembered
// for the UDP IcmpCallback that follows synchronously.
void local_deliver(NodeRec *nr, const Ipv4Header &h, Ptr<const Packet> p, uint32_t iface)
{
	if (h.GetProtocol() != 1)
		return;
	Bytes b(p);
	nr->icmp_valid = ns3shim_util_icmp_parse(h.GetSource().Get(), b.p, b.n, &nr->icmp_last);
	if (nr->icmp_handles.empty())
		return;
	ns3shim_pktinfo pi{};
	pi.src = h.GetSource().Get();
	pi.dst = h.GetDestination().Get();
	pi.proto = 1;
	pi.ttl = h.GetTtl();
	pi.tos = h.GetTos();
	pi.dev = dev_of_iface(nr, iface);
	std::vector<int> hs = nr->icmp_handles; // a callback may open another
	for (int id : hs) {
		SockRec *r = g->socks[(size_t)id].get();
		if (!r->closed && r->icmp_recv)
			r->icmp_recv(r->ctx, r->id, &pi, b.p, b.n);
	}
}

void l3_rx(NodeRec *nr, Ptr<NetDevice> dev, Ptr<const Packet> p, uint16_t, const Address &,
	   const Address &, NetDevice::PacketType)
{
	if (!nr->hook)
		return;
	Bytes b(p);
	nr->hook(nr->hook_ctx, nr->id, (int)dev->GetIfIndex(), b.p, b.n);
}

bool tun_send(DevRec *d, Ptr<Packet> p, const Address &, const Address &, uint16_t)
{
	if (!d->tun_tx)
		return false;
	Bytes b(p);
	d->tun_tx(d->tun_ctx, d->node, d->index, b.p, b.n);
	return true;
}

void timer_fire(int64_t id)
{
	auto it = g->timers.find(id);
	if (it == g->timers.end())
		return;
	TimerRec t = it->second;
	g->timers.erase(it);
	t.fn(t.ctx);
}

void stop_now()
{
	Simulator::Stop();
}

// ---------------------------------------------------------------- socket glue

void udp_rx(SockRec *r, Ptr<Socket> s)
{
	Address from;
	Ptr<Packet> p;
	while (!r->closed && (p = s->RecvFrom(from))) {
		ns3shim_pktinfo pi{};
		if (InetSocketAddress::IsMatchingType(from)) {
			InetSocketAddress ia = InetSocketAddress::ConvertFrom(from);
			pi.src = ia.GetIpv4().Get();
			pi.sport = ia.GetPort();
		}
		pi.dport = r->port;
		pi.proto = 17;
		pi.dev = -1;
		Ipv4PacketInfoTag tag;
		if (p->PeekPacketTag(tag)) {
			pi.dst = tag.GetAddress().Get();
			pi.ttl = tag.GetTtl();
			pi.dev = (int)tag.GetRecvIf();
		}
		Bytes b(p);
		if (r->udp_recv)
			r->udp_recv(r->ctx, r->id, &pi, b.p, b.n);
	}
}

void sock_icmp(SockRec *r, Ipv4Address src, uint8_t, uint8_t type, uint8_t code, uint32_t info)
{
	if (r->closed || !r->icmp)
		return;
	NodeRec *nr = g->nodes[(size_t)r->node].get();
	ns3shim_icmp e{};
	if (nr->icmp_valid && nr->icmp_last.from == src.Get() && nr->icmp_last.type == type &&
	    nr->icmp_last.code == code)
		e = nr->icmp_last;
	e.from = src.Get();
	e.type = type;
	e.code = code;
	e.info = info;
	r->icmp(r->ctx, r->id, &e);
}

// ---------------------------------------------------------------- L4 handler

// ShimL4 is an IP protocol (e.g. ESP) handled in C: Ipv4L3Protocol hands it
// local reassembled datagrams and the ICMP errors that quote them.
class ShimL4 : public IpL4Protocol
{
  public:
	static TypeId GetTypeId()
	{
		static TypeId tid = TypeId("vpnlab::ShimL4").SetParent<IpL4Protocol>().SetGroupName(
			"Internet");
		return tid;
	}
	int proto = 0;
	SockRec *rec = nullptr;
	DownTargetCallback down;
	DownTargetCallback6 down6;

	int GetProtocolNumber() const override { return proto; }
	RxStatus Receive(Ptr<Packet> p, const Ipv4Header &h, Ptr<Ipv4Interface> iface) override
	{
		if (!rec || rec->closed || !rec->proto_recv)
			return RX_OK;
		Bytes b(p);
		ns3shim_pktinfo pi{};
		pi.src = h.GetSource().Get();
		pi.dst = h.GetDestination().Get();
		pi.proto = h.GetProtocol();
		pi.ttl = h.GetTtl();
		pi.tos = h.GetTos();
		pi.dev = iface && iface->GetDevice() ? (int)iface->GetDevice()->GetIfIndex() : -1;
		rec->proto_recv(rec->ctx, rec->id, &pi, b.p, b.n);
		return RX_OK;
	}
	RxStatus Receive(Ptr<Packet>, const Ipv6Header &, Ptr<Ipv6Interface>) override
	{
		return RX_ENDPOINT_UNREACH;
	}
	// ReceiveIcmp: the quoted fields come from local_deliver's parse of the
	// same message, as for UDP (ns-3 passes them here too)
	void ReceiveIcmp(Ipv4Address src, uint8_t ttl, uint8_t type, uint8_t code, uint32_t info,
			 Ipv4Address, Ipv4Address, const uint8_t *) override
	{
		if (rec)
			sock_icmp(rec, src, ttl, type, code, info);
	}
	void SetDownTarget(DownTargetCallback cb) override { down = cb; }
	void SetDownTarget6(DownTargetCallback6 cb) override { down6 = cb; }
	DownTargetCallback GetDownTarget() const override { return down; }
	DownTargetCallback6 GetDownTarget6() const override { return down6; }
};

void tcp_wire(SockRec *r);

void tcp_connected(SockRec *r, int ok, Ptr<Socket>)
{
	if (!r->closed && r->tcp.connected)
		r->tcp.connected(r->ctx, r->id, ok);
}
void tcp_closed(SockRec *r, int error, Ptr<Socket>)
{
	if (r->closed || r->close_notified)
		return;
	r->close_notified = true;
	if (r->tcp.closed)
		r->tcp.closed(r->ctx, r->id, error);
}
void tcp_rx(SockRec *r, Ptr<Socket> s)
{
	Ptr<Packet> p;
	while (!r->closed && (p = s->Recv()) && p->GetSize() > 0) {
		Bytes b(p);
		if (r->tcp.recv)
			r->tcp.recv(r->ctx, r->id, b.p, b.n);
	}
}
void tcp_space(SockRec *r, Ptr<Socket>, uint32_t avail)
{
	if (!r->closed && r->tcp.send_space && avail > 0)
		r->tcp.send_space(r->ctx, r->id, avail);
}
bool tcp_accept_req(SockRec *r, Ptr<Socket>, const Address &)
{
	return !r->closed;
}
void tcp_accepted(SockRec *l, Ptr<Socket> s, const Address &from)
{
	SockRec *r = new_sock(SK_TCP, l->node);
	r->s = s;
	r->mss = l->mss;
	r->tcp = l->tcp;
	r->ctx = l->ctx;
	r->icmp = l->icmp; // the fork's IcmpCallback is still bound to the listener
	s->SetAttribute("IcmpCallback", CallbackValue(MakeBoundCallback(&sock_icmp, r)));
	tcp_wire(r);
	uint32_t peer = 0;
	uint16_t pport = 0;
	if (InetSocketAddress::IsMatchingType(from)) {
		InetSocketAddress ia = InetSocketAddress::ConvertFrom(from);
		peer = ia.GetIpv4().Get();
		pport = ia.GetPort();
	}
	if (r->tcp.accepted)
		r->tcp.accepted(r->ctx, l->id, r->id, peer, pport);
}
void tcp_wire(SockRec *r)
{
	r->s->SetConnectCallback(MakeBoundCallback(&tcp_connected, r, 1),
				 MakeBoundCallback(&tcp_connected, r, 0));
	r->s->SetCloseCallbacks(MakeBoundCallback(&tcp_closed, r, 0),
				MakeBoundCallback(&tcp_closed, r, 1));
	r->s->SetRecvCallback(MakeBoundCallback(&tcp_rx, r));
	r->s->SetSendCallback(MakeBoundCallback(&tcp_space, r));
}

int sock_errno(const char *fn, Ptr<Socket> s, const std::string &what)
{
	switch (s->GetErrno()) {
	case Socket::ERROR_NOROUTETOHOST:
		return fail(NS3SHIM_ENOROUTE, "%s: %s: no route to host", fn, what.c_str());
	case Socket::ERROR_MSGSIZE:
		return fail(NS3SHIM_EMSGSIZE, "%s: %s: message too long", fn, what.c_str());
	case Socket::ERROR_ADDRINUSE:
		return fail(NS3SHIM_EFULL, "%s: %s: address in use", fn, what.c_str());
	case Socket::ERROR_AGAIN:
	case Socket::ERROR_NOTCONN:
	case Socket::ERROR_SHUTDOWN:
		return fail(NS3SHIM_ESTATE, "%s: %s: socket not connected or shut down", fn,
			    what.c_str());
	default:
		return fail(NS3SHIM_EARG, "%s: %s: ns-3 socket error %d", fn, what.c_str(),
			    (int)s->GetErrno());
	}
}

Ptr<Ipv4Route> route_out(NodeRec *nr, uint32_t dst)
{
	Ipv4Header h;
	h.SetDestination(Ipv4Address(dst));
	Socket::SocketErrno err = Socket::ERROR_NOTERROR;
	Ptr<Ipv4RoutingProtocol> rp = nr->ipv4->GetRoutingProtocol();
	if (!rp)
		return nullptr;
	return rp->RouteOutput(Create<Packet>(), h, nullptr, err);
}

DevRec *add_dev(NodeRec *nr, Ptr<NetDevice> dev, int kind)
{
	auto d = std::make_unique<DevRec>();
	d->node = nr->id;
	d->index = (int)dev->GetIfIndex();
	d->kind = kind;
	d->dev = dev;
	if (nr->ipv4 && kind != DEV_LOOP) {
		d->iface = (int)nr->ipv4->AddInterface(dev);
		nr->ipv4->SetUp((uint32_t)d->iface);
	} else if (kind == DEV_LOOP) {
		d->iface = nr->ipv4->GetInterfaceForDevice(dev);
	}
	DevRec *raw = d.get();
	if (kind == DEV_P2P) {
		dev->TraceConnectWithoutContext("PhyTxBegin", MakeBoundCallback(&tr_tx, raw));
		dev->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&tr_rx, raw));
		dev->TraceConnectWithoutContext("MacTxDrop", MakeBoundCallback(&tr_txdrop, raw));
		dev->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&tr_rxdrop, raw));
	} else if (kind == DEV_TUN) {
		dev->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&tr_tx, raw));
		dev->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&tr_rx, raw));
	}
	if ((size_t)d->index != nr->devs.size())
		return nullptr; // cannot happen: every device goes through here
	nr->devs.push_back(std::move(d));
	return raw;
}

void apply_loss(DevRec *d)
{
	double rate = d->cut ? 1.0 : d->loss;
	if (!d->em) {
		if (rate == 0)
			return;
		d->em = CreateObject<RateErrorModel>();
		d->em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
		d->dev->SetAttribute("ReceiveErrorModel", PointerValue(d->em));
	}
	d->em->SetRate(rate);
}

// routes_del removes |nr|'s routes to |net|/|mask| via |gw| out of
// interface |ifc| (-1 = any); returns how many.
int routes_del(NodeRec *nr, uint32_t net, uint32_t mask, uint32_t gw, int ifc)
{
	int n = 0;
	for (uint32_t i = nr->rt->GetNRoutes(); i-- > 0;) {
		Ipv4RoutingTableEntry e = nr->rt->GetRoute(i);
		if (e.GetDest().Get() == net && e.GetDestNetworkMask().Get() == mask &&
		    e.GetGateway().Get() == gw && (ifc < 0 || e.GetInterface() == (uint32_t)ifc)) {
			nr->rt->RemoveRoute(i);
			n++;
		}
	}
	return n;
}

bool dev_stopped(DevRec *d)
{
	Ptr<NetDeviceQueueInterface> q;
	if (d->kind == DEV_P2P)
		q = d->dev->GetObject<NetDeviceQueueInterface>();
	return q && q->GetNTxQueues() > 0 && q->GetTxQueue(0)->IsStopped();
}

// tr_tcdrop: TrafficControlLayer "TcDrop" names no device, only the packet
// (IPv4 header on); the drop happened on the device its destination routes
// to, whose queue is stopped — else on the first stopped one.
void tr_tcdrop(NodeRec *nr, Ptr<const Packet> p)
{
	Ipv4Header h;
	p->PeekHeader(h);
	Ptr<Ipv4Route> r = route_out(nr, h.GetDestination().Get());
	DevRec *d = nullptr;
	if (r && r->GetOutputDevice()->GetIfIndex() < nr->devs.size())
		d = nr->devs[r->GetOutputDevice()->GetIfIndex()].get();
	for (size_t i = 0; (!d || !dev_stopped(d)) && i < nr->devs.size(); i++)
		if (dev_stopped(nr->devs[i].get()))
			d = nr->devs[i].get();
	if (!d)
		d = nr->devs[0].get();
	d->ctr.tc_drops++;
	drop_pkt(d, NS3SHIM_DROP_TC, p, 0);
}

} // namespace

// ================================================================ C API

extern "C" {

int ns3shim_init(uint32_t seed, uint64_t run)
{
	if (g)
		return fail(NS3SHIM_ESTATE, "ns3shim_init: a simulation is already running");
	if (seed == 0)
		return fail(NS3SHIM_EARG, "ns3shim_init: seed 0 is not allowed (expected 1..2^32-1)");
	RngSeedManager::SetSeed(seed);
	RngSeedManager::SetRun(run);
	GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
	Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
	g = new Shim;
	g->stack.SetIpv6StackInstall(false);
	g->stack.SetRoutingHelper(Ipv4StaticRoutingHelper());
	ns3shim_util_clear_error();
	return 0;
}

void ns3shim_destroy(void)
{
	if (!g)
		return;
	if (g->running) {
		fail(NS3SHIM_ESTATE, "ns3shim_destroy: called from a callback; ignored");
		return;
	}
	Simulator::Destroy();
	for (auto &f : g->pcaps)
		f->Close();
	auto at = g->at_destroy;
	delete g;
	g = nullptr;
	for (auto it = at.rbegin(); it != at.rend(); ++it)
		it->first(it->second);
}

int ns3shim_at_destroy(void (*fn)(void *ctx), void *ctx)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_at_destroy: %s", no_init);
	if (!fn)
		return fail(NS3SHIM_EARG, "ns3shim_at_destroy: fn is NULL");
	g->at_destroy.emplace_back(fn, ctx);
	return 0;
}

int64_t ns3shim_run_until(uint64_t t_ns)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_run_until: %s", no_init);
	uint64_t now = now_ns();
	if (t_ns < now || t_ns > (uint64_t)std::numeric_limits<int64_t>::max())
		return fail(NS3SHIM_EARG,
			    "ns3shim_run_until: t %llu ns is in the past (now %llu ns) or too large",
			    (unsigned long long)t_ns, (unsigned long long)now);
	if (g->running)
		return fail(NS3SHIM_ESTATE, "ns3shim_run_until: called from a callback");
	uint64_t before = Simulator::GetEventCount();
	EventId stop = Simulator::Schedule(NanoSeconds((int64_t)(t_ns - now)), &stop_now);
	g->running = true;
	Simulator::Run();
	g->running = false;
	int64_t n = (int64_t)(Simulator::GetEventCount() - before);
	if (stop.IsExpired())
		n--; // our own stop event
	else
		Simulator::Cancel(stop);
	return n;
}

int64_t ns3shim_run(void)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_run: %s", no_init);
	if (g->running)
		return fail(NS3SHIM_ESTATE, "ns3shim_run: called from a callback");
	uint64_t before = Simulator::GetEventCount();
	g->running = true;
	Simulator::Run();
	g->running = false;
	return (int64_t)(Simulator::GetEventCount() - before);
}

void ns3shim_stop(void)
{
	if (g)
		Simulator::Stop();
}

uint64_t ns3shim_now(void)
{
	return g ? now_ns() : 0;
}

uint64_t ns3shim_event_count(void)
{
	return g ? Simulator::GetEventCount() : 0;
}

// ---------------------------------------------------------------- timers

int64_t ns3shim_timer_at(uint64_t t_ns, ns3shim_timer_fn fn, void *ctx)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_timer_at: %s", no_init);
	if (!fn)
		return fail(NS3SHIM_EARG, "ns3shim_timer_at: fn is NULL");
	uint64_t now = now_ns();
	if (t_ns < now)
		return fail(NS3SHIM_EARG, "ns3shim_timer_at: t %llu ns is before now (%llu ns)",
			    (unsigned long long)t_ns, (unsigned long long)now);
	return ns3shim_timer_in(t_ns - now, fn, ctx);
}

int64_t ns3shim_timer_in(uint64_t delay_ns, ns3shim_timer_fn fn, void *ctx)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_timer_in: %s", no_init);
	if (!fn)
		return fail(NS3SHIM_EARG, "ns3shim_timer_in: fn is NULL");
	if (delay_ns > (uint64_t)std::numeric_limits<int64_t>::max() - now_ns())
		return fail(NS3SHIM_EARG, "ns3shim_timer_in: delay %llu ns is too large",
			    (unsigned long long)delay_ns);
	int64_t id = g->next_timer++;
	TimerRec t;
	t.fn = fn;
	t.ctx = ctx;
	t.ev = Simulator::Schedule(NanoSeconds((int64_t)delay_ns), &timer_fire, id);
	g->timers.emplace(id, t);
	return id;
}

int ns3shim_timer_cancel(int64_t id)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_timer_cancel: %s", no_init);
	if (id <= 0 || id >= g->next_timer)
		return fail(NS3SHIM_EARG, "ns3shim_timer_cancel: timer %lld was never created",
			    (long long)id);
	auto it = g->timers.find(id);
	if (it == g->timers.end())
		return 1;
	Simulator::Cancel(it->second.ev);
	g->timers.erase(it);
	return 0;
}

// ---------------------------------------------------------------- topology

int ns3shim_node_add(const char *name, int kind)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_node_add: %s", no_init);
	if (kind != NS3SHIM_HOST && kind != NS3SHIM_RAW)
		return fail(NS3SHIM_EARG, "ns3shim_node_add: kind %d is neither %s", kind,
			    "NS3SHIM_HOST (1) nor NS3SHIM_RAW (2)");
	auto nr = std::make_unique<NodeRec>();
	nr->id = (int)g->nodes.size();
	nr->kind = kind;
	if (name)
		nr->name = name;
	nr->node = CreateObject<Node>();
	NodeRec *raw = nr.get();
	g->nodes.push_back(std::move(nr));
	if (kind == NS3SHIM_HOST) {
		g->stack.Install(raw->node);
		raw->ipv4 = raw->node->GetObject<Ipv4L3Protocol>();
		raw->rt = DynamicCast<Ipv4StaticRouting>(raw->ipv4->GetRoutingProtocol());
		raw->ipv4->TraceConnectWithoutContext("LocalDeliver",
						      MakeBoundCallback(&local_deliver, raw));
		raw->node->GetObject<TrafficControlLayer>()->TraceConnectWithoutContext(
			"TcDrop", MakeBoundCallback(&tr_tcdrop, raw));
		for (uint32_t i = 0; i < raw->node->GetNDevices(); i++)
			add_dev(raw, raw->node->GetDevice(i), DEV_LOOP);
	}
	return raw->id;
}

int ns3shim_node_count(void)
{
	return g ? (int)g->nodes.size() : 0;
}

int ns3shim_dev_count(int node)
{
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_node("ns3shim_dev_count", node, &err);
	return nr ? (int)nr->devs.size() : err;
}

int ns3shim_link_add(int a, int b, const struct ns3shim_link_cfg *cfg, int *dev_a, int *dev_b)
{
	const char *fn = "ns3shim_link_add";
	int err = NS3SHIM_EARG;
	NodeRec *na = get_node(fn, a, &err);
	if (!na)
		return err;
	NodeRec *nb = get_node(fn, b, &err);
	if (!nb)
		return err;
	uint32_t mtu_a, mtu_b;
	if ((err = ns3shim_util_link_cfg(fn, cfg, &mtu_a, &mtu_b)) < 0)
		return err;
	if (a == b)
		return fail(NS3SHIM_EARG, "%s: cannot link %s to itself", fn, node_desc(na).c_str());
	PointToPointHelper p2p;
	p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(cfg->rate_bps)));
	p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds((int64_t)cfg->delay_ns)));
	p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
		     QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS,
					      cfg->queue_pkts ? cfg->queue_pkts : 100)));
	NetDeviceContainer c = p2p.Install(na->node, nb->node);
	c.Get(0)->SetMtu((uint16_t)mtu_a);
	c.Get(1)->SetMtu((uint16_t)mtu_b);
	DevRec *da = add_dev(na, c.Get(0), DEV_P2P);
	DevRec *db = add_dev(nb, c.Get(1), DEV_P2P);
	if (!da || !db)
		return fail(NS3SHIM_ESTATE, "%s: device index out of step with ns-3", fn);
	LinkRec l{a, da->index, b, db->index, true};
	int id = (int)g->links.size();
	g->links.push_back(l);
	da->link = db->link = id;
	if (dev_a)
		*dev_a = da->index;
	if (dev_b)
		*dev_b = db->index;
	return id;
}

int ns3shim_addr_add(int node, int dev, uint32_t addr, int prefix)
{
	const char *fn = "ns3shim_addr_add";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	DevRec *d = nr ? get_dev_of(fn, node, dev, DEV_ANY, &err) : nullptr;
	if (!d || (err = ns3shim_util_prefix(fn, prefix, 1)) < 0)
		return err;
	if (addr == 0)
		return fail(NS3SHIM_EARG, "%s: address 0.0.0.0 is not assignable", fn);
	if (nr->ipv4->GetInterfaceForAddress(Ipv4Address(addr)) >= 0)
		return fail(NS3SHIM_EARG, "%s: %s already has address %s", fn,
			    node_desc(nr).c_str(), ipstr(addr).c_str());
	nr->ipv4->AddAddress((uint32_t)d->iface,
			     Ipv4InterfaceAddress(Ipv4Address(addr), prefix_mask(prefix)));
	return 0;
}

int ns3shim_route_add(int node, uint32_t dst, int prefix, uint32_t gw, int dev)
{
	const char *fn = "ns3shim_route_add";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || (err = ns3shim_util_prefix(fn, prefix, 0)) < 0)
		return err;
	if (dev == -1) {
		if (gw == 0)
			return fail(NS3SHIM_EARG, "%s: dev -1 needs a gateway to choose the device", fn);
		for (size_t i = 0; i < nr->devs.size() && dev < 0; i++) {
			DevRec *d = nr->devs[i].get();
			if (d->kind == DEV_LOOP)
				continue;
			for (uint32_t j = 0; j < nr->ipv4->GetNAddresses((uint32_t)d->iface); j++) {
				Ipv4InterfaceAddress ia = nr->ipv4->GetAddress((uint32_t)d->iface, j);
				if (ia.GetMask().IsMatch(ia.GetLocal(), Ipv4Address(gw)))
					dev = d->index;
			}
		}
		if (dev < 0)
			return fail(NS3SHIM_ENOROUTE, "%s: gateway %s is on no subnet of %s", fn,
				    ipstr(gw).c_str(), node_desc(nr).c_str());
	}
	DevRec *d = get_dev(fn, node, dev, &err);
	if (!d)
		return err;
	uint32_t net = dst & prefix_mask(prefix).Get();
	if (gw)
		nr->rt->AddNetworkRouteTo(Ipv4Address(net), prefix_mask(prefix), Ipv4Address(gw),
					  (uint32_t)d->iface);
	else
		nr->rt->AddNetworkRouteTo(Ipv4Address(net), prefix_mask(prefix), (uint32_t)d->iface);
	return 0;
}

int ns3shim_route_del(int node, uint32_t dst, int prefix, uint32_t gw, int dev)
{
	const char *fn = "ns3shim_route_del";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || (err = ns3shim_util_prefix(fn, prefix, 0)) < 0)
		return err;
	DevRec *d = dev == -1 ? nullptr : get_dev(fn, node, dev, &err);
	if (dev != -1 && !d)
		return err;
	uint32_t mask = ns3shim_util_mask(prefix), net = dst & mask;
	int n = routes_del(nr, net, mask, gw, d ? d->iface : -1);
	if (n == 0)
		return fail(NS3SHIM_ENOROUTE, "%s: %s has no route to %s/%d via %s on %s", fn,
			    node_desc(nr).c_str(), ipstr(net).c_str(), prefix, ipstr(gw).c_str(),
			    d ? ("device " + std::to_string(dev)).c_str() : "any device");
	return n;
}

int ns3shim_addr_del(int node, int dev, uint32_t addr)
{
	const char *fn = "ns3shim_addr_del";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	DevRec *d = nr ? get_dev_of(fn, node, dev, DEV_ANY, &err) : nullptr;
	if (!d)
		return err;
	int32_t on = nr->ipv4->GetInterfaceForAddress(Ipv4Address(addr));
	if (on != d->iface)
		return fail(NS3SHIM_EARG, "%s: %s is not an address of device %d of %s%s%s", fn,
			    ipstr(addr).c_str(), dev, node_desc(nr).c_str(),
			    on < 0 ? "" : ": it is on device ",
			    on < 0 ? "" : std::to_string(dev_of_iface(nr, (uint32_t)on)).c_str());
	uint32_t ifc = (uint32_t)d->iface, mask = 0;
	for (uint32_t j = 0; j < nr->ipv4->GetNAddresses(ifc); j++)
		if (nr->ipv4->GetAddress(ifc, j).GetLocal().Get() == addr)
			mask = nr->ipv4->GetAddress(ifc, j).GetMask().Get();
	uint32_t net = addr & mask;
	// ns-3 aborts the process when a lookup picks a route out of an
	// interface without an address (SourceAddressSelection): keep one.
	for (uint32_t i = 0; nr->ipv4->GetNAddresses(ifc) == 1 && i < nr->rt->GetNRoutes(); i++) {
		Ipv4RoutingTableEntry e = nr->rt->GetRoute(i);
		if (e.GetInterface() == ifc && (e.GetDest().Get() != net || e.GetGateway().Get() ||
						e.GetDestNetworkMask().Get() != mask))
			return fail(NS3SHIM_ESTATE, "%s: %s is the last address of device %d of %s; "
				    "delete its route to %s/%d first (ns-3 would abort on it)", fn,
				    ipstr(addr).c_str(), dev, node_desc(nr).c_str(),
				    ipstr(e.GetDest().Get()).c_str(),
				    __builtin_popcount(e.GetDestNetworkMask().Get()));
	}
	nr->ipv4->RemoveAddress(ifc, Ipv4Address(addr));
	// ns-3 keeps a /32's connected route (it sweeps only subnet routes) and
	// drops a subnet's even when another address on |ifc| still needs it
	routes_del(nr, net, mask, 0, (int)ifc);
	for (uint32_t j = 0; j < nr->ipv4->GetNAddresses(ifc); j++) {
		Ipv4InterfaceAddress ia = nr->ipv4->GetAddress(ifc, j);
		if (ia.GetMask().Get() == mask && (ia.GetLocal().Get() & mask) == net) {
			nr->rt->AddNetworkRouteTo(Ipv4Address(net), ia.GetMask(), ifc);
			break;
		}
	}
	return 0;
}

int ns3shim_route_lookup(int node, uint32_t dst, struct ns3shim_route_info *out)
{
	const char *fn = "ns3shim_route_lookup";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || !check_ptr(fn, out, "out", &err))
		return err;
	Ptr<Ipv4Route> r = route_out(nr, dst);
	if (!r)
		return fail(NS3SHIM_ENOROUTE, "%s: %s has no route to %s", fn, node_desc(nr).c_str(),
			    ipstr(dst).c_str());
	out->src = r->GetSource().Get();
	out->gw = r->GetGateway().Get();
	out->dev = (int)r->GetOutputDevice()->GetIfIndex();
	out->mtu = r->GetOutputDevice()->GetMtu();
	return 0;
}

// ---------------------------------------------------------------- devices

int ns3shim_dev_mtu(int node, int dev)
{
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev("ns3shim_dev_mtu", node, dev, &err);
	return d ? (int)d->dev->GetMtu() : err;
}

int ns3shim_dev_set_mtu(int node, int dev, uint32_t mtu)
{
	const char *fn = "ns3shim_dev_set_mtu";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev_of(fn, node, dev, DEV_ANY, &err);
	if (!d)
		return err;
	if (!ns3shim_util_mtu_ok(mtu))
		return fail(NS3SHIM_EARG, "%s: mtu %u out of range (expected 68..65535)", fn, mtu);
	d->dev->SetMtu((uint16_t)mtu);
	return 0;
}

int ns3shim_dev_set_loss(int node, int dev, double rate)
{
	const char *fn = "ns3shim_dev_set_loss";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev_of(fn, node, dev, DEV_P2P, &err);
	if (!d)
		return err;
	if (!(rate >= 0 && rate <= 1))
		return fail(NS3SHIM_EARG, "%s: rate %g out of range (expected 0..1)", fn, rate);
	d->loss = rate;
	apply_loss(d);
	return 0;
}

int ns3shim_link_set_up(int link, int up)
{
	const char *fn = "ns3shim_link_set_up";
	if (!g)
		return fail(NS3SHIM_ESTATE, "%s: %s", fn, no_init);
	if (link < 0 || (size_t)link >= g->links.size())
		return fail(NS3SHIM_EARG, "%s: link %d does not exist (%zu links)", fn, link,
			    g->links.size());
	LinkRec &l = g->links[(size_t)link];
	l.up = up != 0;
	DevRec *da = g->nodes[(size_t)l.a]->devs[(size_t)l.da].get();
	DevRec *db = g->nodes[(size_t)l.b]->devs[(size_t)l.db].get();
	da->cut = db->cut = !l.up;
	apply_loss(da);
	apply_loss(db);
	return 0;
}

int ns3shim_dev_counters(int node, int dev, struct ns3shim_dev_counters *out)
{
	const char *fn = "ns3shim_dev_counters";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev(fn, node, dev, &err);
	if (!d || !check_ptr(fn, out, "out", &err))
		return err;
	*out = d->ctr;
	return 0;
}

int ns3shim_drop_hook(ns3shim_drop_fn fn_, void *ctx)
{
	if (!g)
		return fail(NS3SHIM_ESTATE, "ns3shim_drop_hook: %s", no_init);
	g->drop_fn = fn_;
	g->drop_ctx = ctx;
	return 0;
}

int ns3shim_pcap_open(int node, int dev, const char *path)
{
	const char *fn = "ns3shim_pcap_open";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev_of(fn, node, dev, DEV_ANY, &err);
	if (!d || !check_ptr(fn, path, "path", &err))
		return err;
	// PcapHelper aborts the process on an unwritable path: probe first.
	FILE *probe = fopen(path, "wb");
	if (!probe)
		return fail(NS3SHIM_EARG, "%s: cannot create %s: %s", fn, path, strerror(errno));
	fclose(probe);
	PcapHelper ph;
	Ptr<PcapFileWrapper> f = ph.CreateFile(
		path, std::ios::out, d->kind == DEV_P2P ? PcapHelper::DLT_PPP : PcapHelper::DLT_RAW);
	g->pcaps.push_back(f);
	PcapFileWrapper *raw = PeekPointer(f);
	d->dev->TraceConnectWithoutContext("PromiscSniffer", MakeBoundCallback(&tr_pcap, raw));
	if (d->kind == DEV_TUN) // its sniffer sees only received packets
		d->dev->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&tr_pcap, raw));
	return 0;
}

// ---------------------------------------------------------------- UDP

int ns3shim_udp_open(int node, uint32_t addr, uint16_t port, ns3shim_udp_recv_fn recv,
		     ns3shim_icmp_fn icmp, void *ctx)
{
	const char *fn = "ns3shim_udp_open";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr)
		return err;
	if (addr && nr->ipv4->GetInterfaceForAddress(Ipv4Address(addr)) < 0)
		return fail(NS3SHIM_EARG, "%s: %s is not an address of %s", fn, ipstr(addr).c_str(),
			    node_desc(nr).c_str());
	Ptr<Socket> s = Socket::CreateSocket(nr->node, UdpSocketFactory::GetTypeId());
	if (s->Bind(InetSocketAddress(Ipv4Address(addr), port)) < 0)
		return sock_errno(fn, s, "bind " + ipstr(addr) + ":" + std::to_string(port));
	SockRec *r = new_sock(SK_UDP, node);
	r->s = s;
	r->ctx = ctx;
	r->udp_recv = recv;
	r->icmp = icmp;
	Address local;
	s->GetSockName(local);
	r->port = InetSocketAddress::ConvertFrom(local).GetPort();
	s->SetRecvPktInfo(true);
	s->SetRecvCallback(MakeBoundCallback(&udp_rx, r));
	s->SetAttribute("IcmpCallback", CallbackValue(MakeBoundCallback(&sock_icmp, r)));
	return r->id;
}

int ns3shim_udp_sendto(int sock, uint32_t dst, uint16_t port, const uint8_t *data, size_t len)
{
	const char *fn = "ns3shim_udp_sendto";
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock_of(fn, sock, SK_UDP, SK_UDP, "UDP socket", &err);
	if (!r)
		return err;
	if ((err = ns3shim_util_buf(fn, data, len, 65507, "data", "UDP")) < 0)
		return err;
	Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
	if (r->s->SendTo(p, 0, InetSocketAddress(Ipv4Address(dst), port)) < 0)
		return sock_errno(fn, r->s, "to " + ipstr(dst) + ":" + std::to_string(port));
	return (int)len;
}

int ns3shim_udp_port(int sock)
{
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock_of("ns3shim_udp_port", sock, SK_UDP, SK_UDP, "UDP socket", &err);
	return r ? r->port : err;
}

int ns3shim_sock_close(int sock)
{
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock("ns3shim_sock_close", sock, &err);
	if (!r)
		return err;
	r->closed = true;
	switch (r->kind) {
	case SK_PROTO:
		g->nodes[(size_t)r->node]->ipv4->Remove(r->l4);
		r->l4->rec = nullptr;
		r->l4 = nullptr;
		break;
	case SK_ICMP:
		break;
	default:
		r->s->Close();
		break;
	}
	return 0;
}

// ---------------------------------------------------------------- raw IPv4

int ns3shim_ip_send(int node, uint8_t proto, uint32_t src, uint32_t dst, const uint8_t *payload,
		    size_t len)
{
	const char *fn = "ns3shim_ip_send";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr)
		return err;
	if ((err = ns3shim_util_buf(fn, payload, len, 65515, "payload", "IPv4")) < 0)
		return err;
	if (src && nr->ipv4->GetInterfaceForAddress(Ipv4Address(src)) < 0)
		return fail(NS3SHIM_EARG, "%s: source %s is not an address of %s", fn,
			    ipstr(src).c_str(), node_desc(nr).c_str());
	Ptr<Ipv4Route> r = route_out(nr, dst);
	if (!r)
		return fail(NS3SHIM_ENOROUTE, "%s: %s has no route to %s", fn, node_desc(nr).c_str(),
			    ipstr(dst).c_str());
	nr->ipv4->Send(Create<Packet>(payload, (uint32_t)len),
		       src ? Ipv4Address(src) : r->GetSource(), Ipv4Address(dst), proto, r);
	return (int)len;
}

int ns3shim_ip_send_hdr(int node, const uint8_t *pkt, size_t len)
{
	const char *fn = "ns3shim_ip_send_hdr";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	uint32_t dst;
	if (!nr || (err = ns3shim_util_hdr_check(fn, pkt, len, &dst)) < 0)
		return err;
	Ptr<Ipv4Route> r = route_out(nr, dst);
	if (!r)
		return fail(NS3SHIM_ENOROUTE, "%s: %s has no route to %s", fn, node_desc(nr).c_str(),
			    ipstr(dst).c_str());
	Ptr<Packet> p = Create<Packet>(pkt, (uint32_t)len);
	Ipv4Header h;
	p->RemoveHeader(h);
	uint32_t mtu = r->GetOutputDevice()->GetMtu();
	if (h.IsDontFragment() && len > mtu)
		return fail(NS3SHIM_EMSGSIZE, "%s: DF packet of %zu octets exceeds MTU %u of device %u",
			    fn, len, mtu, r->GetOutputDevice()->GetIfIndex());
	if (h.GetSource() == Ipv4Address::GetAny())
		h.SetSource(r->GetSource());
	nr->ipv4->SendWithHeader(p, h, r);
	return (int)len;
}

int ns3shim_proto_open(int node, uint8_t proto, ns3shim_proto_recv_fn recv, ns3shim_icmp_fn icmp,
		       void *ctx)
{
	const char *fn = "ns3shim_proto_open";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr)
		return err;
	if (nr->ipv4->GetProtocol(proto))
		return fail(NS3SHIM_EFULL, "%s: protocol %u already has a handler on %s", fn, proto,
			    node_desc(nr).c_str());
	SockRec *r = new_sock(SK_PROTO, node);
	r->ctx = ctx;
	r->proto_recv = recv;
	r->icmp = icmp;
	r->l4 = CreateObject<ShimL4>();
	r->l4->proto = proto;
	r->l4->rec = r;
	nr->ipv4->Insert(r->l4);
	return r->id;
}

int ns3shim_icmp_open(int node, ns3shim_icmp_recv_fn recv, void *ctx)
{
	const char *fn = "ns3shim_icmp_open";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || !check_ptr(fn, (const void *)recv, "recv", &err))
		return err;
	SockRec *r = new_sock(SK_ICMP, node);
	r->ctx = ctx;
	r->icmp_recv = recv;
	nr->icmp_handles.push_back(r->id);
	return r->id;
}

// ---------------------------------------------------------------- raw nodes

int ns3shim_l3_hook(int node, ns3shim_l3_fn fn_, void *ctx)
{
	const char *fn = "ns3shim_l3_hook";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_node(fn, node, &err);
	if (!nr)
		return err;
	if (nr->kind != NS3SHIM_RAW)
		return fail(NS3SHIM_EARG, "%s: %s has an IP stack (hooks are for raw nodes)", fn,
			    node_desc(nr).c_str());
	if (!fn_)
		return fail(NS3SHIM_EARG, "%s: fn is NULL", fn);
	if (nr->hook)
		return fail(NS3SHIM_EFULL, "%s: %s already has a hook", fn, node_desc(nr).c_str());
	nr->hook = fn_;
	nr->hook_ctx = ctx;
	// device 0 = every device, also those added later (non-promiscuous
	// handlers are matched on each receive, not installed per device).
	nr->node->RegisterProtocolHandler(MakeBoundCallback(&l3_rx, nr), ETH_IPV4, nullptr, false);
	return 0;
}

int ns3shim_dev_send(int node, int dev, const uint8_t *pkt, size_t len)
{
	const char *fn = "ns3shim_dev_send";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev_of(fn, node, dev, DEV_P2P, &err);
	if (!d || !check_ptr(fn, pkt, "pkt", &err))
		return err;
	uint32_t mtu = d->dev->GetMtu();
	if (len == 0 || len > mtu) {
		d->ctr.tx_drops++;
		drop_emit(d, NS3SHIM_DROP_TX, pkt, len);
		return fail(len ? NS3SHIM_EMSGSIZE : NS3SHIM_EARG,
			    "%s: packet of %zu octets does not fit MTU %u of node %d device %d", fn,
			    len, mtu, node, dev);
	}
	if (!d->dev->Send(Create<Packet>(pkt, (uint32_t)len), d->dev->GetBroadcast(), ETH_IPV4))
		return fail(NS3SHIM_EFULL, "%s: queue of node %d device %d is full", fn, node, dev);
	return (int)len;
}

// ---------------------------------------------------------------- TCP

static int tcp_make(const char *fn, int node, uint32_t mss, const struct ns3shim_tcp_cbs *cbs,
		    void *ctx, int kind, SockRec **out)
{
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || !check_ptr(fn, cbs, "cbs", &err))
		return err;
	if (mss < 1 || mss > 65495)
		return fail(NS3SHIM_EARG, "%s: mss %u out of range (expected 1..65495)", fn, mss);
	Ptr<Socket> s = Socket::CreateSocket(nr->node, TcpSocketFactory::GetTypeId());
	s->SetAttribute("SegmentSize", UintegerValue(mss));
	SockRec *r = new_sock(kind, node);
	r->s = s;
	r->mss = mss;
	r->tcp = *cbs;
	r->ctx = ctx;
	*out = r;
	return 0;
}

int ns3shim_tcp_connect(int node, uint32_t dst, uint16_t port, uint32_t mss,
			const struct ns3shim_tcp_cbs *cbs, void *ctx)
{
	const char *fn = "ns3shim_tcp_connect";
	SockRec *r;
	int err = tcp_make(fn, node, mss, cbs, ctx, SK_TCP, &r);
	if (err < 0)
		return err;
	if (!route_out(g->nodes[(size_t)node].get(), dst)) {
		r->closed = true;
		return fail(NS3SHIM_ENOROUTE, "%s: node %d has no route to %s", fn, node,
			    ipstr(dst).c_str());
	}
	tcp_wire(r);
	if (r->s->Bind() < 0 || r->s->Connect(InetSocketAddress(Ipv4Address(dst), port)) < 0) {
		r->closed = true;
		return sock_errno(fn, r->s, "connect " + ipstr(dst) + ":" + std::to_string(port));
	}
	return r->id;
}

int ns3shim_tcp_listen(int node, uint32_t addr, uint16_t port, uint32_t mss,
		       const struct ns3shim_tcp_cbs *cbs, void *ctx)
{
	const char *fn = "ns3shim_tcp_listen";
	SockRec *r;
	int err = tcp_make(fn, node, mss, cbs, ctx, SK_TCP_LISTEN, &r);
	if (err < 0)
		return err;
	if (r->s->Bind(InetSocketAddress(Ipv4Address(addr), port)) < 0 || r->s->Listen() < 0) {
		r->closed = true;
		return sock_errno(fn, r->s, "listen " + ipstr(addr) + ":" + std::to_string(port));
	}
	r->port = port;
	r->s->SetAcceptCallback(MakeBoundCallback(&tcp_accept_req, r),
				MakeBoundCallback(&tcp_accepted, r));
	return r->id;
}

int ns3shim_tcp_send(int sock, const uint8_t *data, size_t len)
{
	const char *fn = "ns3shim_tcp_send";
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock_of(fn, sock, SK_TCP, SK_TCP, "TCP connection", &err);
	if (!r)
		return err;
	if ((err = ns3shim_util_buf(fn, data, len, SIZE_MAX, "data", "")) < 0)
		return err;
	size_t n = std::min({len, (size_t)r->s->GetTxAvailable(), (size_t)INT_MAX});
	if (n == 0)
		return 0;
	int sent = r->s->Send(Create<Packet>(data, (uint32_t)n));
	if (sent < 0)
		return sock_errno(fn, r->s, "send");
	return sent;
}

int ns3shim_tcp_shutdown(int sock)
{
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock_of("ns3shim_tcp_shutdown", sock, SK_TCP, SK_TCP, "TCP connection",
				 &err);
	if (!r)
		return err;
	r->s->ShutdownSend();
	return 0;
}

int ns3shim_tcp_icmp(int sock, ns3shim_icmp_fn icmp)
{
	int err = NS3SHIM_EARG;
	SockRec *r = get_sock_of("ns3shim_tcp_icmp", sock, SK_TCP, SK_TCP_LISTEN, "TCP socket", &err);
	if (!r)
		return err;
	r->icmp = icmp;
	r->s->SetAttribute("IcmpCallback", CallbackValue(MakeBoundCallback(&sock_icmp, r)));
	return 0;
}

// ---------------------------------------------------------------- tunnel

int ns3shim_tun_add(int node, uint32_t mtu, ns3shim_tun_tx_fn tx, void *ctx)
{
	const char *fn = "ns3shim_tun_add";
	int err = NS3SHIM_EARG;
	NodeRec *nr = get_host(fn, node, &err);
	if (!nr || !check_ptr(fn, (const void *)tx, "tx", &err))
		return err;
	if (!ns3shim_util_mtu_ok(mtu))
		return fail(NS3SHIM_EARG, "%s: mtu %u out of range (expected 68..65535)", fn, mtu);
	Ptr<VirtualNetDevice> v = CreateObject<VirtualNetDevice>();
	v->SetAddress(Mac48Address::Allocate());
	v->SetNeedsArp(false);
	v->SetIsPointToPoint(true);
	v->SetMtu((uint16_t)mtu);
	nr->node->AddDevice(v);
	DevRec *d = add_dev(nr, v, DEV_TUN);
	if (!d)
		return fail(NS3SHIM_ESTATE, "%s: device index out of step with ns-3", fn);
	d->tun_tx = tx;
	d->tun_ctx = ctx;
	v->SetSendCallback(MakeBoundCallback(&tun_send, d));
	return d->index;
}

int ns3shim_tun_inject(int node, int dev, const uint8_t *pkt, size_t len)
{
	const char *fn = "ns3shim_tun_inject";
	int err = NS3SHIM_EARG;
	DevRec *d = get_dev_of(fn, node, dev, DEV_TUN, &err);
	if (!d || !check_ptr(fn, pkt, "pkt", &err))
		return err;
	if (len < 20 || (pkt[0] >> 4) != 4)
		return fail(NS3SHIM_EARG, "%s: %zu octets are not an IPv4 packet", fn, len);
	Ptr<VirtualNetDevice> v = DynamicCast<VirtualNetDevice>(d->dev);
	v->Receive(Create<Packet>(pkt, (uint32_t)len), ETH_IPV4, v->GetAddress(), v->GetAddress(),
		   NetDevice::PACKET_HOST);
	return (int)len;
}

} // extern "C"
