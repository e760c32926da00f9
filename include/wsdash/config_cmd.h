/*
 * config_cmd: `wsdash config`, the effective configuration and where it
 * came from, and `wsdash config --init [FILE]`, a starter file.
 */
#ifndef WSDASH_CONFIG_CMD_H
#define WSDASH_CONFIG_CMD_H

#include <stdio.h>

/* `wsdash config`: returns an exit code. */
int config_cmd_main(int argc, char **argv);

/* `wsdash config --help`. */
void config_cmd_usage(FILE *f);

#endif
