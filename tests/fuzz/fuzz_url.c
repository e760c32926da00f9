/*
 * libFuzzer harness: URL parsing (url.c). What parses must format and
 * parse again to the same parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url u, v;
	char err[256], text[URL_HOST_MAX + URL_PATH_MAX + 32], hp[300];
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (url_parse(s, &u, err, sizeof(err))) {
		url_format(&u, text, sizeof(text));
		url_hostport(&u, hp, sizeof(hp));
		if (!url_parse(text, &v, err, sizeof(err)) ||
		    strcmp(u.host, v.host) != 0 || u.port != v.port ||
		    strcmp(u.path, v.path) != 0 || u.scheme != v.scheme)
			abort();
		url_with(&u, true, "/ws/x", &v);
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
