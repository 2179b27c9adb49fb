/* client.c — `vpnlab client --config F`: the reference client on real sockets (cli/realnet_verb.c). */
#include "cli/realnet_verb.h"
#include "cli/verbs.h"

int cmd_client(int argc, char **argv)
{
	return realnet_verb(argc, argv, 0);
}
