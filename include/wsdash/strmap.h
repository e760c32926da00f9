/*
 * strmap: a map from strings to ints (open addressing, grows as needed),
 * for the few places where a list searched end to end would make loading
 * thousands of endpoints quadratic or worse. Keys are copied. Pure.
 */
#ifndef WSDASH_STRMAP_H
#define WSDASH_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
	char **keys;
	int *vals;
	size_t n, cap;
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);

/* The value of key, or NULL if absent. */
int *strmap_get(const struct strmap *m, const char *key);

/* Set key to val (adding it). False when out of memory. */
bool strmap_put(struct strmap *m, const char *key, int val);

#endif
