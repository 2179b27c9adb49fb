/*
 * verbs.h — the verbs of the vpnlab binary. Each verb is one function
 * "int cmd_NAME(int argc, char **argv)" with argv[0] = the verb's name;
 * it returns the process exit status and answers --help itself.
 * Add a verb: declare it here and add a row to verbs[] in main.c.
 */
#ifndef VPNLAB_CLI_VERBS_H
#define VPNLAB_CLI_VERBS_H

/* int cmd_NAME(int argc, char **argv); one line per verb */
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gateway(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_regress(int argc, char **argv);

/* Exit statuses shared by all verbs. */
enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_ERROR = 2 };

/* cli_is_help returns 1 if |arg| is -h or --help. */
int cli_is_help(const char *arg);

#endif
