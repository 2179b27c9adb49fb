/*
 * realnet_ike.c — binds the IKEv2 engine (ref/ike/ike.h) to the loop
 * (cli/realnet.h), and loads a profile for `vpnlab gateway|client`.
 *
 * Profile composition (one file): the ike profile keys (ref/ike/
 * ike_profile.h) in the common part and the [client] / [gateway] section,
 * plus a [realnet] section with the keys of rn_opts_parse. The ike parser
 * is called with the verb's role as section, so it skips [realnet]; the
 * realnet parser reads only [realnet]. Both see the whole file, so every
 * error carries the file's own line number. Derived values:
 *   port, natt_port       -> the UDP sockets
 *   local_addr            -> the bind address unless [realnet] listen is set;
 *                            a client without one learns it from the route to
 *                            remote_addr (the engine needs it for NAT detection)
 *   pool                  -> the gateway routes it into its TUN
 *   name                  -> "who" of the loop's events
 *   esp = udp, or no raw socket -> force_encap (the engine fakes NAT detection
 *                            so the peer agrees to UDP-encapsulated ESP)
 */
#include "cli/realnet_ike.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref/ike/ike_profile.h"

struct rn_ike {
	struct ike_engine *e;
	struct realnet *rn;
	int gateway;
	unsigned reported_dns;
};

/* ---------------------------------------------------------------------- */
/* Profile                                                                 */

static char *slurp(const char *path, size_t *len, char *msg, size_t cap)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, c = 0;

	if (f == NULL) {
		snprintf(msg, cap, "--config %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t r;

		if (n == c) {
			char *nb;

			c = c ? 2 * c : 4096;
			if (c > (16u << 20) || (nb = realloc(buf, c)) == NULL) {
				snprintf(msg, cap, "--config %s: larger than 16 MiB, expected a profile", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, c - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* route_source asks the kernel which source address it would use towards |dst| (connect, no packet sent). */
static uint32_t route_source(uint32_t dst, uint16_t port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t src = 0;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(dst);
	sa.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		src = ntohl(sa.sin_addr.s_addr);
	close(fd);
	return src;
}

/* has_section: does |text| have a line "[name]" (blanks around allowed)? */
static int has_section(const char *text, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (size_t off = 0; off < len;) {
		const char *e = memchr(text + off, '\n', len - off);
		size_t ll = e ? (size_t)(e - (text + off)) : len - off, i = 0;

		while (i < ll && (text[off + i] == ' ' || text[off + i] == '\t'))
			i++;
		if (ll - i >= nl + 2 && text[off + i] == '[' && memcmp(text + off + i + 1, name, nl) == 0 &&
		    text[off + i + 1 + nl] == ']')
			return 1;
		off += ll + 1;
	}
	return 0;
}

int rn_ike_load(const char *path, int gateway, struct ike_config *cfg, struct rn_opts *o, char *msg, size_t cap)
{
	size_t len;
	char *text = slurp(path, &len, msg, cap);
	const char *role = gateway ? "gateway" : "client";

	if (text == NULL)
		return -1;
	if (has_section(text, len, gateway ? "client" : "gateway") && !has_section(text, len, role)) {
		snprintf(msg, cap, "%s: has a [%s] section and no [%s] section, expected a %s profile for `vpnlab %s`", path,
			 gateway ? "client" : "gateway", role, role, role);
		free(text);
		return -1;
	}
	if (ike_profile_parse(text, len, path, role, cfg, msg, cap) < 0 || rn_opts_parse(text, len, path, o, msg, cap) < 0) {
		free(text);
		return -1;
	}
	free(text);
	if ((cfg->role == IKE_ROLE_GATEWAY) != (gateway != 0)) {
		snprintf(msg, cap, "%s: role = %s, expected a %s profile for `vpnlab %s`", path,
			 cfg->role == IKE_ROLE_GATEWAY ? "gateway" : "client", role, role);
		return -1;
	}
	o->gateway = gateway;
	o->port = cfg->port;
	o->natt_port = cfg->natt_port;
	if (o->listen_addr == 0)
		o->listen_addr = cfg->local_addr;
	o->pool_lo = cfg->pool_lo;
	o->pool_hi = cfg->pool_hi;
	snprintf(o->name, sizeof o->name, "%s", cfg->name);
	if (!gateway && cfg->local_addr == 0 && cfg->remote_addr != 0)
		cfg->local_addr = route_source(cfg->remote_addr, cfg->port);
	if (ike_config_load_credentials(cfg, msg, cap) < 0)
		return -1;
	if (ike_config_check(cfg, msg, cap) < 0) {
		char tmp[512];

		snprintf(tmp, sizeof tmp, "%s: %s", path, msg);
		snprintf(msg, cap, "%s", tmp);
		ike_config_free_credentials(cfg);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Engine callbacks                                                        */

static void cb_send(void *ctx, const struct ike_path *p, const uint8_t *buf, size_t len)
{
	struct rn_ike *x = ctx;
	struct rn_path rp = {p->local_addr, p->remote_addr, p->local_port, p->remote_port};

	realnet_send(x->rn, &rp, buf, len);
}

static void report_config(struct rn_ike *x, const struct ike_child_info *ci)
{
	struct ike_sa_status st;
	char line[400], a[16];
	size_t n = 0;

	for (size_t i = 0; ike_sa_status(x->e, i, &st) == 0; i++) {
		if (st.spi_i != ci->ike_spi_i || st.spi_r != ci->ike_spi_r)
			continue;
		if (st.vip != 0 || st.n_dns != 0) {
			struct evbuf *e = rn_ev_begin(x->rn, "config");

			line[0] = '\0';
			for (size_t d = 0; d < st.n_dns; d++)
				n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", d ? "," : "", rn_ip(st.dns[d], a));
			ev_str(e, "vip", rn_ip(st.vip, a));
			ev_str(e, "dns", line);
			ev_bool(e, "resolver_changed", 0);
			rn_ev_end(x->rn);
			rn_status(x->rn, "virtual IP %s%s%s%s", rn_ip(st.vip, a), st.n_dns ? ", DNS " : "", line,
				  st.n_dns ? " (reported only: the host's resolver is not changed)" : "");
		}
		return;
	}
}

static void cb_child_up(void *ctx, const struct ike_child_info *ci)
{
	struct rn_ike *x = ctx;
	struct rn_child_cfg c;
	char alg[80], a[16];

	memset(&c, 0, sizeof c);
	c.ike_spi_i = ci->ike_spi_i;
	c.ike_spi_r = ci->ike_spi_r;
	c.spi_in = ci->spi_in;
	c.spi_out = ci->spi_out;
	c.alg = ci->alg;
	c.esn = ci->esn;
	c.enc_key_in = ci->enc_key_in;
	c.enc_key_out = ci->enc_key_out;
	c.integ_key_in = ci->integ_key_in;
	c.integ_key_out = ci->integ_key_out;
	c.enc_key_len = ci->enc_key_len;
	c.integ_key_len = ci->integ_key_len;
	c.n_ts_local = ci->n_ts_local;
	c.n_ts_remote = ci->n_ts_remote;
	for (size_t i = 0; i < IKE_CFG_TS_MAX && i < RN_TS_MAX; i++) {
		c.ts_local[i] = (struct rn_ts){ci->ts_local[i].lo, ci->ts_local[i].hi, ci->ts_local[i].proto,
					       ci->ts_local[i].port_lo, ci->ts_local[i].port_hi};
		c.ts_remote[i] = (struct rn_ts){ci->ts_remote[i].lo, ci->ts_remote[i].hi, ci->ts_remote[i].proto,
						ci->ts_remote[i].port_lo, ci->ts_remote[i].port_hi};
	}
	c.encap = ci->encap;
	c.path = (struct rn_path){ci->path.local_addr, ci->path.remote_addr, ci->path.local_port, ci->path.remote_port};
	c.vip = ci->vip;
	c.replaces_spi_in = ci->rekeyed_spi_in;
	snprintf(alg, sizeof alg, "%s_%u%s%s", ike_transform_name(IKE_TT_ENCR, ci->encr), ci->encr_key_bits,
		 ci->integ ? "/" : "",
		 ci->integ ? ike_transform_name(IKE_TT_INTEG, ci->integ) : "");
	c.alg_name = alg;
	if (realnet_child_add(x->rn, &c) < 0) {
		rn_status(x->rn, "error: CHILD SA %08x/%08x could not be installed (see the events)", ci->spi_in,
			  ci->spi_out);
		return;
	}
	rn_status(x->rn, "CHILD SA %s %08x/%08x with %s, %s, %s", ci->rekeyed_spi_in ? "rekeyed" : "up", ci->spi_in,
		  ci->spi_out, rn_ip(ci->path.remote_addr, a), alg, ci->encap ? "UDP-encapsulated ESP" : "plain ESP");
	if (!x->gateway && ci->rekeyed_spi_in == 0)
		report_config(x, ci);
}

static void cb_child_down(void *ctx, uint32_t spi_in, uint32_t spi_out, const char *reason)
{
	struct rn_ike *x = ctx;

	realnet_child_del(x->rn, spi_in, spi_out, reason);
	rn_status(x->rn, "CHILD SA down %08x/%08x (%s)", spi_in, spi_out, reason ? reason : "");
}

static void cb_path(void *ctx, uint64_t spi_i, uint64_t spi_r, const struct ike_path *p)
{
	struct rn_ike *x = ctx;
	struct rn_path rp = {p->local_addr, p->remote_addr, p->local_port, p->remote_port};

	realnet_path_update(x->rn, spi_i, spi_r, &rp);
}

/* ---------------------------------------------------------------------- */
/* The vtable                                                              */

static int v_input(void *ctx, const struct rn_path *p, const uint8_t *buf, size_t len, uint64_t now)
{
	struct rn_ike *x = ctx;
	struct ike_path ip = {p->local_addr, p->remote_addr, p->local_port, p->remote_port};

	return ike_input(x->e, &ip, buf, len, now);
}

static uint64_t v_deadline(void *ctx)
{
	return ike_deadline(((struct rn_ike *)ctx)->e);
}

static void v_on_deadline(void *ctx, uint64_t now)
{
	ike_on_deadline(((struct rn_ike *)ctx)->e, now);
}

static int v_start(void *ctx, uint64_t now)
{
	return ike_client_start(((struct rn_ike *)ctx)->e, now);
}

static int v_close(void *ctx, uint64_t now)
{
	return ike_close(((struct rn_ike *)ctx)->e, now);
}

static size_t v_active(void *ctx)
{
	return ike_sa_count(((struct rn_ike *)ctx)->e);
}

static void v_note_esp(void *ctx, uint32_t spi_in, int sent, uint64_t now)
{
	struct rn_ike *x = ctx;

	if (sent)
		ike_note_esp_sent(x->e, spi_in, now);
	else
		ike_note_esp_received(x->e, spi_in, now);
}

struct rn_ike *rn_ike_attach(struct realnet *rn, struct ike_config *cfg, char *msg, size_t cap)
{
	struct rn_ike *x = calloc(1, sizeof *x);
	struct ike_callbacks cb;
	struct rn_engine eng;

	if (x == NULL) {
		snprintf(msg, cap, "out of memory");
		return NULL;
	}
	x->rn = rn;
	x->gateway = cfg->role == IKE_ROLE_GATEWAY;
	if (realnet_esp_forced(rn))
		cfg->force_encap = 1;
	memset(&cb, 0, sizeof cb);
	cb.ctx = x;
	cb.send = cb_send;
	cb.child_up = cb_child_up;
	cb.child_down = cb_child_down;
	cb.path_changed = cb_path;
	cb.rng = crypto_rng_system();
	cb.ev = realnet_ev_sink(rn);
	x->e = ike_engine_new(cfg, &cb, msg, cap);
	if (x->e == NULL) {
		free(x);
		return NULL;
	}
	eng = (struct rn_engine){x, v_input, v_deadline, v_on_deadline, x->gateway ? NULL : v_start, v_close, v_active,
				 v_note_esp};
	realnet_set_engine(rn, &eng);
	return x;
}

struct ike_engine *rn_ike_engine(struct rn_ike *x)
{
	return x->e;
}

void rn_ike_free(struct rn_ike *x)
{
	if (x == NULL)
		return;
	ike_engine_free(x->e);
	free(x);
}
