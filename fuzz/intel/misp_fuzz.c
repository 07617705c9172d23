/* MISP events. */
#include <stdint.h>

#include "fuzz_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_parse(FEED_MISP, (const char *)data, size, NULL);
}
