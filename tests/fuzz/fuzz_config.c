/*
 * libFuzzer harness: the JSON config file (config.c), endpoint arguments
 * and -H header lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/config.h"
#include "wsdash/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[1024], *s;

	config_init(&c, NULL);
	err[0] = '\0';
	if (!config_load_json(&c, (const char *)data, size, "fuzz.json", err,
	                      sizeof(err)) &&
	    err[0] == '\0')
		abort(); /* every rejection says why */
	config_free(&c);

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	config_init(&c, s);
	config_add_url(&c, s, err, sizeof(err));
	config_add_header(&c.headers, &c.nheaders, s, err, sizeof(err));
	config_set_server(&c, s, err, sizeof(err));
	layout_add_set(&c, LAYOUT_PREFIX, NULL);
	config_free(&c);
	free(s);
	return 0;
}
