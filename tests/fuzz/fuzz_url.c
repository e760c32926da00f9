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
	/* a password is never quoted back */
	{
		char shown[512];
		const char *auth = strstr(s, "://");

		url_redact(s, shown, sizeof(shown));
		if (auth != NULL) {
			size_t end = strcspn(auth + 3, "/?#");
			const char *at = memchr(auth + 3, '@', end);
			const char *colon =
			    at ? memchr(auth + 3, ':', (size_t)(at - auth - 3))
			       : NULL;

			if (colon != NULL && at - colon > 1 &&
			    strlen(s) < sizeof(shown) - 8 &&
			    strstr(shown, ":***@") == NULL)
				abort();
		}
	}
	free(s);
	return 0;
}
