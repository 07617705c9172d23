/* STIX 2.1 bundles. */
#include <stdint.h>

#include "fuzz_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_parse(FEED_STIX, (const char *)data, size, NULL);
}
