/*
 * demo_world_int: what demo_world.c (the world and the demo flavor's
 * shapes) shares with demo_world_tac.c (the tac backend's shapes). Private
 * to those two files.
 */
#ifndef WSDASH_DEMO_WORLD_INT_H
#define WSDASH_DEMO_WORLD_INT_H

#include "wsdash/demo_world.h"

/* The i-th newest finished workflow (0 = newest; i < w->hist_len). */
const struct demo_wf *demo_world_hist(const struct demo_world *w, unsigned i);

/* Success rate in percent and mean duration in seconds of the finished
 * workflows, each to one decimal (0 and 0 before any finished). */
void demo_world_rates(const struct demo_world *w, double *rate_pct,
                      double *avg_s);

/* The job name of wf ("deploy-api"). */
const char *demo_world_wf_name(const struct demo_wf *wf);

/* demo_world_json() for the tac shapes; NULL for any other d. */
cJSON *demo_world_tac_json(const struct demo_world *w, enum demo_data d,
                           enum demo_form f);

#endif
