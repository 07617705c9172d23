/* Line formats: the first byte picks plain, Spamhaus, FireHOL, hosts, RPZ or auto-detection. */
#include <stdint.h>

#include "fuzz_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum feed_format f[] = {FEED_PLAIN, FEED_SPAMHAUS, FEED_FIREHOL, FEED_HOSTS, FEED_RPZ, FEED_AUTO};
	if (size == 0)
		return 0;
	return fz_parse(f[data[0] % 6], (const char *)data + 1, size - 1, NULL);
}
