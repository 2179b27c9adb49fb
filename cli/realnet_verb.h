/*
 * realnet_verb.h — the shared body of `vpnlab gateway` and `vpnlab client`
 * (cli/gateway.c, cli/client.c): options, profile, loop, exit status.
 */
#ifndef VPNLAB_CLI_REALNET_VERB_H
#define VPNLAB_CLI_REALNET_VERB_H

/* realnet_verb runs the verb for |gateway| 1 (gateway) or 0 (client); returns the exit status. */
int realnet_verb(int argc, char **argv, int gateway);

#endif
