/*
 * exporter: `wsdash exporter`, the live watcher without a screen, serving
 * Prometheus metrics, blackbox-style probes and a health check over HTTP
 * (httpd.h) from its own event loop.
 */
#ifndef WSDASH_EXPORTER_H
#define WSDASH_EXPORTER_H

#include <stdio.h>

/* `wsdash exporter`: argv[0] is "exporter". Returns the exit code. */
int exporter_main(int argc, char **argv);

/* `wsdash exporter --help`. */
void exporter_usage(FILE *f);

#endif
