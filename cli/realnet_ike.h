/*
 * realnet_ike.h — the IKEv2 engine (ref/ike/ike.h) on the real-network
 * loop (cli/realnet.h): profile loading for the verbs and the callbacks
 * that turn child_up/child_down/path_changed/send into loop calls.
 */
#ifndef VPNLAB_CLI_REALNET_IKE_H
#define VPNLAB_CLI_REALNET_IKE_H

#include <stddef.h>

#include "cli/realnet.h"
#include "ref/ike/ike.h"

/*
 * rn_ike_load reads the profile |path| for the verb's role: the ike keys
 * into |cfg| (credentials loaded), the [realnet] section into |o| (which
 * must be rn_opts_init'ed, with command-line values already set), and the
 * derived values (ports, listen address, pool, name). Errors carry
 * file:line. Returns 0 or -1 with |msg| set.
 */
int rn_ike_load(const char *path, int gateway, struct ike_config *cfg, struct rn_opts *o, char *msg, size_t cap);

struct rn_ike;

/* rn_ike_attach creates the engine on |rn| (force_encap when ESP must be UDP) and sets it as the loop's engine. */
struct rn_ike *rn_ike_attach(struct realnet *rn, struct ike_config *cfg, char *msg, size_t cap);
struct ike_engine *rn_ike_engine(struct rn_ike *x);
void rn_ike_free(struct rn_ike *x);

#endif
