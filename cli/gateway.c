/* gateway.c — `vpnlab gateway --config F`: the reference gateway on real sockets (cli/realnet_verb.c). */
#include "cli/realnet_verb.h"
#include "cli/verbs.h"

int cmd_gateway(int argc, char **argv)
{
	return realnet_verb(argc, argv, 1);
}
