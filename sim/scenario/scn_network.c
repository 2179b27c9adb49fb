/*
 * scn_network.c — the [network] section: the path from the client to the
 * gateway, one element a line, alternating links and boxes:
 *
 *   client   addr=10.0.0.2/24
 *   link     access  rate=100Mbps delay=2ms
 *   nat      home    public=198.51.100.1 frag=drop-non-first udp_timeout=30s
 *   link     wan     rate=1Gbps delay=10ms
 *   gateway  addr=192.0.2.1/24
 *
 * Each box kind maps its parameters onto the middlebox's own config struct
 * (the sim/mbox headers), after that struct's defaults.
 */
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scn_parse_int.h"
#include "sim/scenario/scn_units.h"

#define KV_LOOP(first)                                                                     \
	for (size_t i_ = (first); i_ < l->n; i_++) {                                       \
		char key[64];                                                              \
		const char *v;                                                             \
		unsigned vc;                                                               \
		if (scn_kv(ps, l->line, &l->tok[i_], kind, key, sizeof key, &v, &vc) < 0) \
			return -1;
#define KV_END }

#define BAD_VALUE() scn_perr(ps, l->line, vc, "%s %s: %s", kind, key, ps->why)
#define UNKNOWN_KEY(list)                                                                      \
	scn_perr(ps, l->line, l->tok[i_].col, "%s: unknown parameter '%s', expected one of %s", \
		 kind, key, list)

static int p_dur(struct scn_pstate *ps, const char *v, uint64_t *out)
{
	return scn_parse_duration(v, out, ps->why, sizeof ps->why);
}

static int p_uint(struct scn_pstate *ps, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (scn_parse_uint(v, hi, out, ps->why, sizeof ps->why) < 0)
		return -1;
	if (*out < lo) {
		snprintf(ps->why, sizeof ps->why, "'%s' is below %llu, expected %llu..%llu", v,
			 (unsigned long long)lo, (unsigned long long)lo, (unsigned long long)hi);
		return -1;
	}
	return 0;
}

static int p_enum(struct scn_pstate *ps, const char *v, int (*from_name)(const char *),
		  const char *expected, int *out)
{
	int r = from_name(v);
	if (r < 0) {
		snprintf(ps->why, sizeof ps->why, "'%s' is unknown, expected %s", v, expected);
		return -1;
	}
	*out = r;
	return 0;
}

static int endpoint(struct scn_pstate *ps, const struct scn_line *l, struct scn_end *e)
{
	const char *kind = l->tok[0].s;
	e->pos = (struct scn_pos){l->line, l->tok[0].col};
	KV_LOOP(1)
	if (strcmp(key, "addr") == 0) {
		int pl;
		if (scn_parse_ip4(v, &e->addr, &pl, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
		e->prefix = pl < 0 ? 24 : pl;
		if (e->prefix < 8 || e->prefix > 30)
			return scn_perr(ps, l->line, vc, "%s addr: prefix /%d, expected /8../30", kind,
					e->prefix);
	} else if (strcmp(key, "via") == 0 || strcmp(key, "inner") == 0) {
		if (scn_parse_ip4(v, key[0] == 'v' ? &e->nexthop : &e->inner, NULL, ps->why,
				  sizeof ps->why) < 0)
			return BAD_VALUE();
	} else {
		return UNKNOWN_KEY("addr, via, inner");
	}
	KV_END
	return 0;
}

static int link_line(struct scn_pstate *ps, const struct scn_line *l, struct scn_link *k)
{
	const char *kind = "link";
	k->rate_bps = 100000000;
	k->delay_ns = 1000000;
	k->mtu = 1500;
	KV_LOOP(2)
	uint64_t u;
	if (strcmp(key, "rate") == 0) {
		if (scn_parse_rate(v, &k->rate_bps, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
	} else if (strcmp(key, "delay") == 0) {
		if (p_dur(ps, v, &k->delay_ns) < 0)
			return BAD_VALUE();
	} else if (strcmp(key, "mtu") == 0) {
		if (p_uint(ps, v, 576, 65535, &u) < 0)
			return BAD_VALUE();
		k->mtu = (uint32_t)u;
	} else if (strcmp(key, "loss") == 0) {
		if (scn_parse_fraction(v, &k->loss, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
	} else if (strcmp(key, "queue") == 0) {
		if (p_uint(ps, v, 1, 100000, &u) < 0)
			return BAD_VALUE();
		k->queue = (uint32_t)u;
	} else {
		return UNKNOWN_KEY("rate, delay, mtu, loss, queue");
	}
	KV_END
	return 0;
}

static int nat_line(struct scn_pstate *ps, const struct scn_line *l, struct mbox_nat_cfg *c)
{
	const char *kind = "nat";
	mbox_nat_cfg_default(c);
	c->public_addr = 0xc6336401; /* 198.51.100.1 */
	KV_LOOP(2)
	uint64_t u;
	int e, b;
	if (strcmp(key, "public") == 0) {
		if (scn_parse_ip4(v, &c->public_addr, NULL, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
	} else if (strcmp(key, "frag") == 0) {
		if (p_enum(ps, v, mbox_nat_frag_from_name,
			   "drop-non-first, first-only, drop-all, track or reassemble", &e) < 0)
			return BAD_VALUE();
		c->frag = (enum mbox_nat_frag)e;
	} else if (strcmp(key, "filter") == 0) {
		if (p_enum(ps, v, mbox_nat_filter_from_name,
			   "a NAT filtering name of sim/mbox/mbox_nat.h", &e) < 0)
			return BAD_VALUE();
		c->filter = (enum mbox_nat_filter)e;
	} else if (strcmp(key, "alloc") == 0) {
		if (p_enum(ps, v, mbox_nat_alloc_from_name, "sequential or hashed", &e) < 0)
			return BAD_VALUE();
		c->alloc = (enum mbox_nat_alloc)e;
	} else if (strcmp(key, "udp_timeout") == 0 || strcmp(key, "tcp_timeout") == 0 ||
		   strcmp(key, "tcp_transitory_timeout") == 0 || strcmp(key, "icmp_timeout") == 0 ||
		   strcmp(key, "frag_timeout") == 0) {
		uint64_t *dst = key[0] == 'u'			   ? &c->udp_timeout_ns
				: key[0] == 'i'			   ? &c->icmp_timeout_ns
				: key[0] == 'f'			   ? &c->frag_timeout_ns
				: strcmp(key, "tcp_timeout") == 0 ? &c->tcp_est_timeout_ns
								   : &c->tcp_trans_timeout_ns;
		if (p_dur(ps, v, dst) < 0)
			return BAD_VALUE();
		if (*dst == 0)
			return scn_perr(ps, l->line, vc, "nat %s: zero, expected a positive duration",
					key);
	} else if (strcmp(key, "port_preserve") == 0 || strcmp(key, "refresh_inbound") == 0) {
		if (scn_parse_bool(v, &b, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
		*(key[0] == 'p' ? &c->port_preserve : &c->refresh_inbound) = b;
	} else if (strcmp(key, "ports") == 0) {
		unsigned lo, hi;
		int n = 0;
		if (sscanf(v, "%u-%u%n", &lo, &hi, &n) != 2 || v[n] || lo < 1 || hi > 65535 ||
		    lo > hi)
			return scn_perr(ps, l->line, vc,
					"nat ports: '%s' is not a port range, expected LO-HI within "
					"1..65535 (e.g. 20000-20099)",
					v);
		c->port_min = (uint16_t)lo;
		c->port_max = (uint16_t)hi;
	} else if (strcmp(key, "mtu") == 0) {
		if (p_uint(ps, v, 68, 65535, &u) < 0)
			return BAD_VALUE();
		c->mtu = (size_t)u;
	} else {
		return UNKNOWN_KEY("public, frag, filter, alloc, ports, port_preserve, "
				   "refresh_inbound, udp_timeout, tcp_timeout, "
				   "tcp_transitory_timeout, icmp_timeout, frag_timeout, mtu");
	}
	KV_END
	return 0;
}

static int mtu_line(struct scn_pstate *ps, const struct scn_line *l, struct mbox_mtu_cfg *c,
		    int router, size_t index)
{
	const char *kind = router ? "router" : "mtu";
	mbox_mtu_cfg_default(c);
	c->addr = 0xc6120001u + (uint32_t)index; /* 198.18.0.1, .2, ... (RFC 2544 range) */
	KV_LOOP(2)
	uint64_t u;
	int e;
	if (strcmp(key, "addr") == 0) {
		if (scn_parse_ip4(v, &c->addr, NULL, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
	} else if (router) {
		return UNKNOWN_KEY("addr");
	} else if (strcmp(key, "mtu") == 0 || strcmp(key, "mtu_back") == 0) {
		if (p_uint(ps, v, 68, 65535, &u) < 0)
			return BAD_VALUE();
		c->mtu[strcmp(key, "mtu") == 0 ? 1 : 0] = (size_t)u;
	} else if (strcmp(key, "mode") == 0) {
		if (p_enum(ps, v, mbox_mtu_mode_from_name, "icmp or blackhole", &e) < 0)
			return BAD_VALUE();
		c->mode = (enum mbox_mtu_mode)e;
	} else if (strcmp(key, "quote") == 0) {
		if (strcmp(v, "rfc1812") == 0)
			c->quote = MBOX_MTU_QUOTE_RFC1812;
		else if (strcmp(v, "rfc792") == 0)
			c->quote = MBOX_MTU_QUOTE_RFC792;
		else
			return scn_perr(ps, l->line, vc,
					"mtu quote: '%s' is unknown, expected rfc1812 or rfc792", v);
	} else if (strcmp(key, "icmp_interval") == 0) {
		if (p_dur(ps, v, &c->icmp_interval_ns) < 0)
			return BAD_VALUE();
	} else if (strcmp(key, "icmp_burst") == 0) {
		if (p_uint(ps, v, 1, 1000, &u) < 0)
			return BAD_VALUE();
		c->icmp_burst = (uint32_t)u;
	} else {
		return UNKNOWN_KEY("mtu, mtu_back, mode, addr, quote, icmp_interval, icmp_burst");
	}
	KV_END
	return 0;
}

/* filter_rules parses "tcp/80,tcp/443,udp/500-4500,esp,in:udp/4500". */
static int filter_rules(struct scn_pstate *ps, unsigned line, unsigned vc, const char *v,
			struct mbox_filter_cfg *c)
{
	c->nrules = 0;
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, ",");
		char item[64];
		unsigned col = vc + (unsigned)(p - v);
		if (n == 0 || n >= sizeof item)
			return scn_perr(ps, line, col,
					"filter allow: empty or overlong rule, expected "
					"[in:]PROTO[/PORT[-PORT]] items separated by ','");
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		if (c->nrules == MBOX_FILTER_MAX_RULES)
			return scn_perr(ps, line, col, "filter allow: more than %d rules, expected fewer",
					MBOX_FILTER_MAX_RULES);
		struct mbox_filter_rule *r = &c->rules[c->nrules];
		char *s = item;
		r->dir = MBOX_FILTER_OUT;
		if (strncmp(s, "in:", 3) == 0) {
			r->dir = MBOX_FILTER_IN;
			s += 3;
		} else if (strncmp(s, "out:", 4) == 0) {
			s += 4;
		}
		char *slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(s, "tcp") == 0)
			r->proto = 6;
		else if (strcmp(s, "udp") == 0)
			r->proto = 17;
		else if (strcmp(s, "esp") == 0)
			r->proto = 50;
		else if (strcmp(s, "icmp") == 0)
			r->proto = 1;
		else
			return scn_perr(ps, line, col,
					"filter allow: protocol '%s' in '%s', expected tcp, udp, esp or "
					"icmp",
					s, item);
		r->port_lo = 0;
		r->port_hi = 65535;
		if (slash) {
			unsigned lo, hi;
			int k = 0;
			if (sscanf(slash + 1, "%u%n", &lo, &k) != 1 || lo > 65535)
				return scn_perr(ps, line, col,
						"filter allow: port in '%s' is not 0..65535, expected "
						"PROTO/PORT or PROTO/LO-HI",
						item);
			hi = lo;
			if (slash[1 + k] == '-') {
				int k2 = 0;
				if (sscanf(slash + 2 + k, "%u%n", &hi, &k2) != 1 || hi > 65535 || hi < lo ||
				    slash[2 + k + k2])
					return scn_perr(ps, line, col,
							"filter allow: port range in '%s', expected "
							"LO-HI with LO <= HI <= 65535",
							item);
			} else if (slash[1 + k]) {
				return scn_perr(ps, line, col,
						"filter allow: text after the port in '%s', expected "
						"PROTO/PORT or PROTO/LO-HI",
						item);
			}
			r->port_lo = (uint16_t)lo;
			r->port_hi = (uint16_t)hi;
		}
		c->nrules++;
	}
	return 0;
}

static int filter_line(struct scn_pstate *ps, const struct scn_line *l, struct mbox_filter_cfg *c)
{
	const char *kind = "filter";
	mbox_filter_cfg_default(c);
	KV_LOOP(2)
	int e, b;
	if (strcmp(key, "allow") == 0) {
		if (filter_rules(ps, l->line, vc, v, c) < 0)
			return -1;
	} else if (strcmp(key, "mode") == 0) {
		if (p_enum(ps, v, mbox_filter_mode_from_name, "stateful or symmetric", &e) < 0)
			return BAD_VALUE();
		c->mode = (enum mbox_filter_mode)e;
	} else if (strcmp(key, "frag") == 0) {
		if (p_enum(ps, v, mbox_filter_frag_from_name, "drop, track or allow", &e) < 0)
			return BAD_VALUE();
		c->frag = (enum mbox_filter_frag)e;
	} else if (strcmp(key, "icmp_echo") == 0 || strcmp(key, "icmp_errors") == 0) {
		if (scn_parse_bool(v, &b, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
		*(strcmp(key, "icmp_echo") == 0 ? &c->icmp_echo_out : &c->icmp_errors) = b;
	} else if (strcmp(key, "udp_timeout") == 0) {
		if (p_dur(ps, v, &c->udp_timeout_ns) < 0)
			return BAD_VALUE();
	} else {
		return UNKNOWN_KEY("allow, mode, frag, icmp_echo, icmp_errors, udp_timeout");
	}
	KV_END
	return 0;
}

static int cluster_line(struct scn_pstate *ps, const struct scn_line *l, struct mbox_cluster_cfg *c)
{
	const char *kind = "cluster";
	mbox_cluster_cfg_default(c);
	c->members = 2;
	KV_LOOP(2)
	uint64_t u;
	int e;
	if (strcmp(key, "members") == 0) {
		if (p_uint(ps, v, 1, SCN_MAX_MEMBERS, &u) < 0)
			return BAD_VALUE();
		c->members = (int)u;
	} else if (strcmp(key, "key") == 0) {
		if (p_enum(ps, v, mbox_cluster_key_from_name, "src or spi", &e) < 0)
			return BAD_VALUE();
		c->key = (enum mbox_cluster_key)e;
	} else if (strcmp(key, "recover") == 0) {
		if (p_enum(ps, v, mbox_cluster_recover_from_name, "stick or rehash", &e) < 0)
			return BAD_VALUE();
		c->recover = (enum mbox_cluster_recover)e;
	} else if (strcmp(key, "flow_timeout") == 0) {
		if (p_dur(ps, v, &c->flow_timeout_ns) < 0)
			return BAD_VALUE();
	} else {
		return UNKNOWN_KEY("members, key, recover, flow_timeout");
	}
	KV_END
	return 0;
}

static int impair_line(struct scn_pstate *ps, const struct scn_line *l, struct mbox_impair_cfg *c)
{
	const char *kind = "impair";
	mbox_impair_cfg_default(c);
	KV_LOOP(2)
	/* key[_out|_in]: both directions, or client->gateway (out) / back (in) */
	char base[64];
	int d0 = 1, d1 = 1;
	scn_copy(base, sizeof base, key);
	size_t bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, "_out") == 0) {
		base[bl - 4] = '\0';
		d1 = 0;
	} else if (bl > 3 && strcmp(base + bl - 3, "_in") == 0) {
		base[bl - 3] = '\0';
		d0 = 0;
	}
	double f = 0;
	uint64_t ns = 0;
	int is_frac = strcmp(base, "loss") == 0 || strcmp(base, "dup") == 0 ||
		      strcmp(base, "reorder") == 0;
	int is_dur = strcmp(base, "delay") == 0 || strcmp(base, "jitter") == 0 ||
		     strcmp(base, "reorder_delay") == 0;
	if (is_frac) {
		if (scn_parse_fraction(v, &f, ps->why, sizeof ps->why) < 0)
			return BAD_VALUE();
	} else if (is_dur) {
		if (p_dur(ps, v, &ns) < 0)
			return BAD_VALUE();
	} else {
		return UNKNOWN_KEY("loss, delay, jitter, dup, reorder, reorder_delay (each also "
				   "with _out or _in for one direction)");
	}
	for (int d = 0; d < 2; d++) {
		if (!(d == 0 ? d0 : d1))
			continue;
		struct mbox_impair_dir *x = &c->dir[d];
		if (strcmp(base, "loss") == 0)
			x->loss = f;
		else if (strcmp(base, "dup") == 0)
			x->dup = f;
		else if (strcmp(base, "reorder") == 0)
			x->reorder = f;
		else if (strcmp(base, "delay") == 0)
			x->delay_ns = ns;
		else if (strcmp(base, "jitter") == 0)
			x->jitter_ns = ns;
		else
			x->reorder_delay_ns = ns;
	}
	KV_END
	return 0;
}

static int name_taken(const struct scn *s, const char *name)
{
	return scn_find_link(s, name) >= 0 || scn_find_box(s, name) >= 0 ||
	       strcmp(name, "client") == 0 || strcmp(name, "gateway") == 0;
}

int scn_network_line(struct scn_pstate *ps, const struct scn_line *l, int *kind_out)
{
	struct scn *s = ps->s;
	const char *k = l->tok[0].s;
	static const char *const kinds =
		"client, gateway, link, nat, mtu, router, filter, cluster or impair";
	if (strcmp(k, "client") == 0 || strcmp(k, "gateway") == 0) {
		struct scn_end *e = k[0] == 'c' ? &s->client_end : &s->gateway_end;
		if (e->pos.line)
			return scn_perr(ps, l->line, l->tok[0].col,
					"second %s line (first at line %u), expected one", k, e->pos.line);
		*kind_out = k[0] == 'c' ? SCN_NL_CLIENT : SCN_NL_GATEWAY;
		return endpoint(ps, l, e);
	}
	static const struct {
		const char *name;
		int kind;
	} boxes[] = {{"link", -1},		{"nat", SCN_BOX_NAT},	      {"mtu", SCN_BOX_MTU},
		     {"router", SCN_BOX_ROUTER}, {"filter", SCN_BOX_FILTER}, {"cluster", SCN_BOX_CLUSTER},
		     {"impair", SCN_BOX_IMPAIR}};
	size_t bi;
	for (bi = 0; bi < sizeof boxes / sizeof boxes[0]; bi++)
		if (strcmp(k, boxes[bi].name) == 0)
			break;
	if (bi == sizeof boxes / sizeof boxes[0])
		return scn_perr(ps, l->line, l->tok[0].col, "'%s' is not a network element, expected %s",
				k, kinds);
	if (l->n < 2 || strchr(l->tok[1].s, '='))
		return scn_perr(ps, l->line, l->n < 2 ? l->tok[0].col + (unsigned)strlen(k) + 1 : l->tok[1].col,
				"%s without a name, expected '%s NAME key=value ...'", k, k);
	const char *name = l->tok[1].s;
	if (scn_parse_name(name, ps->why, sizeof ps->why) < 0)
		return scn_perr(ps, l->line, l->tok[1].col, "%s name: %s", k, ps->why);
	if (name_taken(s, name))
		return scn_perr(ps, l->line, l->tok[1].col,
				"name '%s' is already used, expected a name unique among links and "
				"boxes (and not client or gateway)",
				name);
	if (boxes[bi].kind < 0) {
		if (s->n_links == SCN_MAX_LINKS)
			return scn_perr(ps, l->line, l->tok[0].col, "more than %d links, expected fewer",
					SCN_MAX_LINKS);
		struct scn_link *lk = &s->links[s->n_links];
		memset(lk, 0, sizeof *lk);
		scn_copy(lk->name, sizeof lk->name, name);
		lk->pos = (struct scn_pos){l->line, l->tok[0].col};
		if (link_line(ps, l, lk) < 0)
			return -1;
		s->n_links++;
		*kind_out = SCN_NL_LINK;
		return 0;
	}
	if (s->n_boxes == SCN_MAX_BOXES)
		return scn_perr(ps, l->line, l->tok[0].col, "more than %d boxes, expected fewer",
				SCN_MAX_BOXES);
	struct scn_box *b = &s->boxes[s->n_boxes];
	memset(b, 0, sizeof *b);
	b->kind = (enum scn_box_kind)boxes[bi].kind;
	scn_copy(b->name, sizeof b->name, name);
	b->pos = (struct scn_pos){l->line, l->tok[0].col};
	int r = 0;
	switch (b->kind) {
	case SCN_BOX_NAT: r = nat_line(ps, l, &b->u.nat); break;
	case SCN_BOX_MTU: r = mtu_line(ps, l, &b->u.mtu, 0, s->n_boxes); break;
	case SCN_BOX_ROUTER: r = mtu_line(ps, l, &b->u.mtu, 1, s->n_boxes); break;
	case SCN_BOX_FILTER: r = filter_line(ps, l, &b->u.filter); break;
	case SCN_BOX_CLUSTER: r = cluster_line(ps, l, &b->u.cluster); break;
	case SCN_BOX_IMPAIR: r = impair_line(ps, l, &b->u.impair); break;
	}
	if (r < 0)
		return -1;
	s->n_boxes++;
	*kind_out = SCN_NL_BOX;
	return 0;
}

int scn_network_finish(struct scn_pstate *ps, const int *kinds, const unsigned *lines, size_t n)
{
	struct scn *s = ps->s;
	if (s->n_links == 0)
		return scn_perr(ps, n ? lines[0] : 1, 1,
				"[network] has no link, expected at least 'link NAME' between the "
				"client and the gateway");
	/* order: [client] link (box link)* [gateway] */
	int want_link = 1;
	for (size_t i = 0; i < n; i++) {
		int k = kinds[i];
		if (k == SCN_NL_CLIENT && i != 0)
			return scn_perr(ps, lines[i], 1,
					"client in the middle of the path, expected it on the first "
					"line of [network]");
		if (k == SCN_NL_GATEWAY && i != n - 1)
			return scn_perr(ps, lines[i], 1,
					"gateway before the end of the path, expected it on the last "
					"line of [network]");
		if (k == SCN_NL_CLIENT || k == SCN_NL_GATEWAY)
			continue;
		if ((k == SCN_NL_LINK) != want_link)
			return scn_perr(ps, lines[i], 1,
					want_link ? "a box follows a box (or the client), expected a "
						    "link between them"
						  : "a link follows a link, expected a box (nat, mtu, "
						    "router, filter, cluster, impair) between them");
		want_link = !want_link;
	}
	if (want_link)
		return scn_perr(ps, lines[n - 1], 1,
				"the path ends with a box, expected a link to the gateway after it");
	for (size_t i = 0; i + 1 < s->n_boxes; i++)
		if (s->boxes[i].kind == SCN_BOX_CLUSTER)
			return scn_perr(ps, s->boxes[i].pos.line, s->boxes[i].pos.col,
					"cluster '%s' is not the last box, expected the cluster in "
					"front of the gateways",
					s->boxes[i].name);
	/* default addresses: behind a NAT the client has a private address */
	int natted = 0;
	for (size_t i = 0; i < s->n_boxes; i++)
		natted |= s->boxes[i].kind == SCN_BOX_NAT;
	if (!s->client_end.addr) {
		s->client_end.addr = natted ? 0x0a000002 : 0xcb007102; /* 10.0.0.2 / 203.0.113.2 */
		s->client_end.prefix = 24;
	}
	if (!s->gateway_end.addr) {
		s->gateway_end.addr = 0xc0000201; /* 192.0.2.1 */
		s->gateway_end.prefix = 24;
	}
	if (!s->client_end.inner)
		s->client_end.inner = 0x0a080002; /* 10.8.0.2 */
	if (!s->gateway_end.inner)
		s->gateway_end.inner = 0x0a010001; /* 10.1.0.1 */
	struct scn_end *ends[2] = {&s->client_end, &s->gateway_end};
	for (int i = 0; i < 2; i++) {
		struct scn_end *e = ends[i];
		uint32_t mask = e->prefix ? UINT32_MAX << (32 - e->prefix) : 0;
		uint32_t net = e->addr & mask;
		if (e->addr == net || e->addr == (net | ~mask))
			return scn_perr(ps, e->pos.line ? e->pos.line : 1, e->pos.col ? e->pos.col : 1,
					"%s addr is the network or broadcast address of its /%d, "
					"expected a host address",
					i ? "gateway" : "client", e->prefix);
		if (!e->nexthop) {
			/* any other address of the subnet: links are point-to-point */
			e->nexthop = (e->addr & ~mask) == 1 ? net | 2 : net | 1;
		} else if ((e->nexthop & mask) != net || e->nexthop == e->addr) {
			char a[16];
			return scn_perr(ps, e->pos.line, e->pos.col,
					"%s via %s is not another address of %s's subnet /%d, "
					"expected a next hop on the link",
					i ? "gateway" : "client", scn_fmt_ip4(e->nexthop, a),
					i ? "the gateway" : "the client", e->prefix);
		}
	}
	return 0;
}
