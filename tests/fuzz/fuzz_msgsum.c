/*
 * libFuzzer harness: message summaries and timestamps (msgsum.c), the
 * parser that reads every message a server sends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/msgsum.h"
#include "wsdash/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_info mi;
	char *s;
	double t;

	for (int mode = 0; mode < 4; mode++) {
		msgsum_analyze((const char *)data, size, mode & 1, mode & 2,
		               &mi);
		/* what comes out is bounded and printable */
		if (strlen(mi.type) >= MSG_TYPE_MAX ||
		    strlen(mi.summary) >= MSG_SUMMARY_MAX ||
		    !sanitize_is_clean(mi.type, strlen(mi.type)) ||
		    !sanitize_is_clean(mi.summary, strlen(mi.summary)))
			abort();
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	msgsum_iso8601(s, &t);
	free(s);
	return 0;
}
