/*
 * libFuzzer harness: the display sanitizer (sanitize.c). Whatever goes in,
 * what comes out is clean, terminated and within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[97];
	size_t cap = size ? data[0] % sizeof(out) + 1 : sizeof(out);

	for (int utf8 = 0; utf8 < 2; utf8++) {
		size_t n =
		    sanitize_text(out, cap, (const char *)data, size, utf8);

		if (n >= cap || strlen(out) != n || !sanitize_is_clean(out, n))
			abort();
		if (!utf8)
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)out[i] >= 0x80)
					abort();
	}
	return 0;
}
