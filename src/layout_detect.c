/*
 * layout_detect.c: which layout c->server serves, found by probing; see
 * layout.h. One prober run asks everything at once: the upgrades of every
 * stream of the candidate layouts and plain GETs of their core poll URLs,
 * so a backend that answers costs a millisecond or two and one that does
 * not answer costs one timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/check.h"
#include "wsdash/layout.h"
#include "wsdash/prober.h"

/* Rows for layout l's streams (all of them) and, with polls, its core
 * poll GETs; tmp holds the endpoints. Returns the rows added. */
static size_t
add_rows(struct config *tmp, enum layout l, bool polls, struct check_row *rows,
         size_t at, size_t *first_stream)
{
	bool all[LAYOUT_NSTREAMS];
	size_t n = 0, e0 = tmp->neps;

	for (size_t s = 0; s < LAYOUT_NSTREAMS; s++)
		all[s] = l != LAYOUT_LEGACY;
	layout_add_set(tmp, l, all);
	*first_stream = at;
	for (size_t i = e0; i < tmp->neps; i++)
		rows[at + n++].ep = &tmp->eps[i];
	for (size_t i = e0; polls && i < e0 + 3 && i < tmp->neps; i++) {
		rows[at + n].ep = &tmp->eps[i];
		rows[at + n++].get_url = &tmp->eps[i].poll;
	}
	return n;
}

/* Tally the rows of one layout (streams from first, polls after them). */
static void
tally(const struct check_row *rows, size_t first, size_t nstreams,
      size_t npolls, struct layout_obs *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t k = 0; k < nstreams; k++) {
		const struct check_row *r = &rows[first + k];
		size_t s;

		for (s = 0; s < LAYOUT_NSTREAMS; s++)
			if (strcmp(layout_streams[s].name, r->ep->name) == 0)
				break;
		if (s == LAYOUT_NSTREAMS)
			continue;
		o->stream[s] = r->cls == PC_UPGRADED;
		if (o->stream[s] && layout_streams[s].core)
			o->upgraded++;
		o->answered |= r->obs.http_status > 0;
	}
	for (size_t k = 0; k < npolls; k++) {
		int st = rows[first + nstreams + k].obs.get_status;

		o->polls_answer |= st >= 200 && st < 300;
		o->answered |= st > 0;
	}
}

/* A scratch config on c's server, whose endpoints get distinct names. */
static void
scratch(const struct config *c, struct config *tmp)
{
	config_init(tmp, NULL);
	tmp->server = c->server;
	tmp->hello_set = true; /* no hellos: nothing is sent */
}

bool
layout_resolve(struct config *c, int timeout_ms, char *err, size_t errlen)
{
	struct config v1c, legc;
	struct check_row rows[2 * LAYOUT_NSTREAMS + 6];
	struct layout_obs v1, legacy;
	char prefix[URL_PATH_MAX];
	size_t n = 0, f1 = 0, fl = 0, n1, nl;
	enum layout_why why;
	enum layout l;
	int saved = c->timeout_ms;
	bool ok;

	if (!c->default_set)
		return true;
	memset(rows, 0, sizeof(rows));
	config_server_prefix(c, prefix, sizeof(prefix));
	scratch(c, &v1c);
	scratch(c, &legc);
	if (prefix[0] != '\0') {
		n1 = add_rows(&v1c, LAYOUT_PREFIX, false, rows, 0, &f1);
		nl = 0;
	} else {
		n1 = add_rows(&v1c, LAYOUT_V1, true, rows, 0, &f1);
		nl = add_rows(&legc, LAYOUT_LEGACY, true, rows, n1, &fl);
	}
	n = n1 + nl;
	/* every probe within timeout_ms, whatever the endpoints say */
	c->timeout_ms = timeout_ms;
	ok = prober_run(c, rows, n, false, err, errlen) == 0;
	c->timeout_ms = saved;
	if (ok) {
		for (size_t i = 0; i < n; i++)
			check_finish_row(&rows[i], false, c->insecure);
		if (prefix[0] != '\0') {
			tally(rows, f1, n1, 0, &v1);
			l = LAYOUT_PREFIX;
			why = LAYOUT_GIVEN;
		} else {
			tally(rows, f1, n1 - 3, 3, &v1);
			tally(rows, fl, nl - 3, 3, &legacy);
			l = layout_choose(&v1, &legacy, &why);
		}
		layout_add_set(c, l, l == LAYOUT_LEGACY ? NULL : v1.stream);
		layout_describe(c, l, why, c->layout, sizeof(c->layout));
		c->default_set = false;
	}
	config_free(&v1c);
	config_free(&legc);
	return ok;
}
