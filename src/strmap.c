/*
 * strmap.c: string -> int map with linear probing; see strmap.h. The table
 * is kept at most half full, so probes stay short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/strmap.h"

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	strmap_init(m);
}

static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
slot(char *const *keys, size_t cap, const char *key)
{
	size_t i = hash(key) & (cap - 1);

	while (keys[i] != NULL && strcmp(keys[i], key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int *
strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = slot(m->keys, m->cap, key);
	return m->keys[i] ? &m->vals[i] : NULL;
}

static bool
grow(struct strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	char **nk = calloc(ncap, sizeof(*nk));
	int *nv = calloc(ncap, sizeof(*nv));

	if (nk == NULL || nv == NULL) {
		free(nk);
		free(nv);
		return false;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != NULL) {
			size_t j = slot(nk, ncap, m->keys[i]);

			nk[j] = m->keys[i];
			nv[j] = m->vals[i];
		}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return true;
}

bool
strmap_put(struct strmap *m, const char *key, int val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && !grow(m))
		return false;
	i = slot(m->keys, m->cap, key);
	if (m->keys[i] == NULL) {
		m->keys[i] = strdup(key);
		if (m->keys[i] == NULL)
			return false;
		m->n++;
	}
	m->vals[i] = val;
	return true;
}
