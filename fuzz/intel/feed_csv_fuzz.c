/* CSV feeds with header mapping; a first line "MAP:spec" becomes --map. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *map = NULL;

	if (size > 4 && memcmp(s, "MAP:", 4) == 0) {
		const char *nl = memchr(s, '\n', size);
		if (nl) {
			map = strndup(s + 4, (size_t)(nl - s - 4));
			size -= (size_t)(nl + 1 - s);
			s = nl + 1;
		}
	}
	fz_parse(FEED_CSV, s, size, map);
	fz_parse(FEED_FEODO, s, size, map);
	free(map);
	return 0;
}
