/*
 * ike_config.c — defaults, validation and credential loading for struct
 * ike_config (the profile). Defaults follow what strongSwan users know
 * where there is a well-known value (retransmission 4 s x 1.8^n, 5 tries;
 * half-open timeout 30 s; unique-IDs "no"; NAT keepalive 20 s, RFC 3948 §4
 * suggests 20 s), and the RFC elsewhere.
 */
#include "ref/ike/ike.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ike/ike_payload.h"
#include "ref/ike/ike_proposal.h"

#define S (UINT64_C(1000000000))

/*
 * IKE_DEFAULT_FRAGMENT_SIZE: the largest UDP payload of one fragment.
 * RFC 7383 §2.5.1 asks for fragments that need no IP fragmentation; with
 * no PMTU knowledge it names 576 octets for IPv4 as the always-safe IP
 * datagram and 1280 for IPv6. Paths that carry less than 1280 octets are
 * rare (every tunnel is dimensioned for IPv6's minimum), so, like
 * strongSwan's fragment_size default, we size for a 1280-octet IPv4
 * datagram: 1280 - 20 (IPv4 header) - 8 (UDP) = 1252 octets of UDP
 * payload, the non-ESP marker included. Profiles behind worse paths set
 * fragment_size = 548 (576 - 28).
 */
enum { IKE_DEFAULT_FRAGMENT_SIZE = 1280 - 20 - 8, IKE_MIN_FRAGMENT_SIZE = 128 };

static const char default_ike[] = "aes256gcm16-aes128gcm16-prfsha256-curve25519-ecp256-modp2048, "
				  "aes256-aes128-sha256-curve25519-ecp256-modp2048";
static const char default_esp[] = "aes256gcm16, aes128gcm16, chacha20poly1305, aes256-sha256, aes128-sha256, "
				  "3des-sha1";
static const char default_esp_small[] = "aes256gcm16-aes128gcm16";

void ike_config_init(struct ike_config *c, enum ike_role role)
{
	memset(c, 0, sizeof *c);
	c->role = role;
	c->port = IKE_UDP_PORT;
	c->natt_port = IKE_NATT_UDP_PORT;
	c->auth = IKE_AUTHC_PSK;
	c->remote_auth = IKE_AUTHC_PSK;
	c->sig = IKE_SIGC_RFC7427;
	c->send_certreq = 1;
	ike_proposal_parse(default_ike, IKE_PROTO_IKE, &c->ike, NULL, 0);
	ike_proposal_parse(default_esp, IKE_PROTO_ESP, &c->esp, NULL, 0);
	ike_proposal_parse(default_esp_small, IKE_PROTO_ESP, &c->esp_small, NULL, 0);
	c->proposals = IKE_PROPOSALS_FULL;
	c->n_local_ts = 1;
	c->local_ts[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
	c->n_remote_ts = 1;
	c->remote_ts[0] = (struct ike_ts_cfg){0, UINT32_MAX, 0, 0, 65535};
	c->keepalive_ns = 20 * S;
	c->fragmentation = IKE_FRAG_YES;
	c->fragment_size = IKE_DEFAULT_FRAGMENT_SIZE;
	c->reasm_max_frags = 32;
	c->reasm_max_bytes = 65535;
	c->reasm_timeout_ns = 30 * S;
	c->retx_timeout_ns = 4 * S;
	c->retx_base = 1.8;
	c->retx_tries = 5;
	c->dpd_action = IKE_DPD_CLEAR;
	c->request_vip = 0;
	c->initial_contact = 1;
	c->cookies = 1;
	c->cookie_threshold = 10;
	c->half_open_timeout_ns = 30 * S;
	c->unique = IKE_UNIQUE_NO;
	c->max_sas = 4096;
	c->invalid_spi_notify = 0;
	c->invalid_spi_rate = 10;
	snprintf(c->name, sizeof c->name, "%s", role == IKE_ROLE_GATEWAY ? "gw" : "client");
}

static int bad(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return IKE_E_ARG;
}

int ike_config_check(const struct ike_config *c, char *msg, size_t cap)
{
	if (c->role != IKE_ROLE_CLIENT && c->role != IKE_ROLE_GATEWAY)
		return bad(msg, cap, "role %d: expected client or gateway", (int)c->role);
	if (c->role == IKE_ROLE_CLIENT && c->remote_addr == 0)
		return bad(msg, cap, "remote_addr 0.0.0.0: expected the gateway's address (client)");
	if (c->port == 0 || c->natt_port == 0 || c->port == c->natt_port)
		return bad(msg, cap, "port %u / natt_port %u: expected two different non-zero ports", c->port,
			   c->natt_port);
	if (c->auth == IKE_AUTHC_PSK && c->psk_len == 0)
		return bad(msg, cap, "psk (empty): expected a pre-shared key with auth = psk");
	if (c->remote_auth == IKE_AUTHC_PSK && c->psk_len == 0)
		return bad(msg, cap, "psk (empty): expected a pre-shared key with remote_auth = psk");
	if (c->auth == IKE_AUTHC_PUBKEY && (c->key == NULL || c->cert == NULL))
		return bad(msg, cap, "auth = pubkey without %s: expected cert and key", c->key ? "a certificate"
											    : "a private key");
	if (c->remote_auth == IKE_AUTHC_PUBKEY && c->trust == NULL)
		return bad(msg, cap, "remote_auth = pubkey without trust anchors: expected ca");
	if (c->auth != IKE_AUTHC_PSK && c->auth != IKE_AUTHC_PUBKEY)
		return bad(msg, cap, "auth %d: expected psk or pubkey", (int)c->auth);
	if (c->local_id.type == 0 && !(c->auth == IKE_AUTHC_PUBKEY && c->cert != NULL) && c->local_addr == 0)
		return bad(msg, cap, "local_id (none): expected an identity (or a certificate or local address)");
	if (c->ike.n == 0 || c->esp.n == 0)
		return bad(msg, cap, "%s: no proposals, expected at least one", c->ike.n == 0 ? "ike" : "esp");
	if (c->proposals != IKE_PROPOSALS_FULL && c->esp_small.n == 0)
		return bad(msg, cap, "esp_small: no proposals, expected some with proposals = small|auto");
	for (size_t i = 0; i < c->ike.n; i++)
		if (c->ike.p[i].n_ke == 0 || c->ike.p[i].n_prf == 0)
			return bad(msg, cap, "ike proposal %zu: expected a PRF and a key exchange group", i + 1);
	if (c->fragment_size < IKE_MIN_FRAGMENT_SIZE || c->fragment_size > 65535)
		return bad(msg, cap, "fragment_size %zu: expected %d..65535", c->fragment_size, IKE_MIN_FRAGMENT_SIZE);
	if (c->reasm_max_frags < 1 || c->reasm_max_frags > 64)
		return bad(msg, cap, "reasm_max_frags %zu: expected 1..64", c->reasm_max_frags);
	if (c->retx_timeout_ns == 0)
		return bad(msg, cap, "retransmit_timeout 0: expected > 0");
	if (!(c->retx_base >= 1.0 && c->retx_base <= 10.0))
		return bad(msg, cap, "retransmit_base %g: expected 1.0..10.0", c->retx_base);
	if (c->retx_tries > 30)
		return bad(msg, cap, "retransmit_tries %u: expected 0..30", c->retx_tries);
	if (c->pool_lo > c->pool_hi)
		return bad(msg, cap, "pool: first address above the last, expected lo <= hi");
	if (c->n_local_ts == 0 || c->n_remote_ts == 0 || c->n_local_ts > IKE_CFG_TS_MAX ||
	    c->n_remote_ts > IKE_CFG_TS_MAX)
		return bad(msg, cap, "%s: %zu selectors, expected 1..%d", c->n_local_ts == 0 ? "local_ts" : "remote_ts",
			   c->n_local_ts == 0 ? c->n_local_ts : c->n_remote_ts, IKE_CFG_TS_MAX);
	if (c->max_sas == 0)
		return bad(msg, cap, "max_sas 0: expected >= 1");
	if (c->cert_time == IKE_CERT_TIME_NOW)
		return bad(msg, cap, "cert_time now: expected the caller to set the wall clock with "
				     "ike_config_cert_clock() before creating the engine");
	if (c->cert_time < 0)
		return bad(msg, cap, "cert_time %lld: expected seconds since the epoch, 0 (no time checks) or now",
			   (long long)c->cert_time);
	if (c->invalid_spi_notify && c->invalid_spi_rate == 0)
		return bad(msg, cap, "invalid_spi_rate 0 with invalid_spi_notify = yes: expected 1 or more answers a second");
	return 0;
}

int ike_config_cert_clock(struct ike_config *c, int64_t wall_s, uint64_t now_ns)
{
	int64_t t0;

	if (c->cert_time != IKE_CERT_TIME_NOW)
		return 0;
	t0 = wall_s - (int64_t)(now_ns / 1000000000u);
	if (t0 <= 0)
		return IKE_E_ARG;
	c->cert_time = t0;
	return 0;
}

int ike_config_load_credentials(struct ike_config *c, char *msg, size_t cap)
{
	struct crypto_diag d;
	struct crypto_x509 **certs = NULL;
	int n;

	if (c->key_file[0] && c->key == NULL) {
		c->key = crypto_sig_key_load_file(c->key_file, 1, &d);
		if (c->key == NULL)
			return bad(msg, cap, "key %s: %s", c->key_file, d.msg);
	}
	if (c->cert_file[0] && c->cert == NULL) {
		n = crypto_x509_load_file(c->cert_file, &certs, &d);
		if (n <= 0)
			return bad(msg, cap, "cert %s: %s", c->cert_file, n == 0 ? "no certificate in the file" : d.msg);
		/* the first is ours, the rest the intermediates we send (§3.6) */
		c->cert = certs[0];
		for (int i = 1; i < n; i++) {
			if (c->n_chain < IKE_CFG_CHAIN_MAX)
				c->chain[c->n_chain++] = certs[i];
			else
				crypto_x509_free(certs[i]);
		}
		free(certs);
	}
	if (c->ca_file[0] && c->trust == NULL) {
		n = crypto_x509_load_file(c->ca_file, &certs, &d);
		if (n <= 0)
			return bad(msg, cap, "ca %s: %s", c->ca_file, n == 0 ? "no certificate in the file" : d.msg);
		c->trust = crypto_x509_store_new();
		for (int i = 0; i < n; i++) {
			if (c->trust != NULL)
				crypto_x509_store_add(c->trust, certs[i]);
			crypto_x509_free(certs[i]);
		}
		free(certs);
		if (c->trust == NULL)
			return bad(msg, cap, "ca %s: out of memory", c->ca_file);
	}
	return 0;
}

void ike_config_free_credentials(struct ike_config *c)
{
	if (c->key_file[0]) {
		crypto_sig_key_free(c->key);
		c->key = NULL;
	}
	if (c->cert_file[0]) {
		crypto_x509_free(c->cert);
		c->cert = NULL;
		for (size_t i = 0; i < c->n_chain; i++)
			crypto_x509_free(c->chain[i]);
		c->n_chain = 0;
	}
	if (c->ca_file[0]) {
		crypto_x509_store_free(c->trust);
		c->trust = NULL;
	}
}
