/*
 * theap.c: the timer heap; see theap.h. Each timer knows its place in the
 * array (pos, 1-based), so moving or cancelling one is a sift from there.
 * Timers due at the same time fire in no particular order.
 */
#include <stdlib.h>

#include "wsdash/theap.h"

void
theap_init(struct theap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

void
theap_done(struct theap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->pos = 0;
	free(h->v);
	theap_init(h);
}

static void
place(struct theap *h, size_t i, struct theap_timer *t)
{
	h->v[i] = t;
	t->pos = i + 1;
}

static void
sift_up(struct theap *h, size_t i)
{
	struct theap_timer *t = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->at_us <= t->at_us)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void
sift_down(struct theap *h, size_t i)
{
	struct theap_timer *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->at_us < h->v[c]->at_us)
			c++;
		if (t->at_us <= h->v[c]->at_us)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

/* Remove the timer at index i. */
static void
remove_at(struct theap *h, size_t i)
{
	struct theap_timer *last = h->v[--h->n];

	h->v[i]->pos = 0;
	if (i == h->n)
		return;
	place(h, i, last);
	sift_down(h, i);
	sift_up(h, last->pos - 1);
}

bool
theap_arm(struct theap *h, struct theap_timer *t, int64_t at_us,
          void (*fire)(struct theap_timer *t))
{
	t->fire = fire;
	if (t->pos != 0) {
		size_t i = t->pos - 1;

		t->at_us = at_us;
		sift_down(h, i);
		sift_up(h, t->pos - 1);
		return true;
	}
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;
		struct theap_timer **nv = realloc(h->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return false;
		h->v = nv;
		h->cap = ncap;
	}
	t->at_us = at_us;
	place(h, h->n++, t);
	sift_up(h, h->n - 1);
	return true;
}

void
theap_cancel(struct theap *h, struct theap_timer *t)
{
	if (t->pos != 0)
		remove_at(h, t->pos - 1);
}

struct theap_timer *
theap_peek(const struct theap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct theap_timer *
theap_pop_due(struct theap *h, int64_t now_us)
{
	struct theap_timer *t = theap_peek(h);

	if (t == NULL || t->at_us > now_us)
		return NULL;
	remove_at(h, 0);
	return t;
}
