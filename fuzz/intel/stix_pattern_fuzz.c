/* The STIX pattern language alone. */
#include <stdint.h>
#include <string.h>

#include "feed_stix.h"

static enum cg_err cmp(void *ctx, const char *path, const char *value, int eq)
{
	(void)ctx;
	(void)eq;
	volatile size_t n = strlen(path) + strlen(value);
	(void)n;
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cg_err rc = feed_stix_pattern((const char *)data, size, cmp, NULL);
	(void)rc;
	return 0;
}
