/* URL extraction (text and HTML, defanged forms) and Received headers. The
 * first byte picks the mode; every indicator handed out must be canonical. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phish_extract.h"

static enum cg_err sink(void *ctx, const struct ioc *ioc, const char *where)
{
	struct ioc again;
	(void)ctx;
	(void)where;
	/* Canonical values parse to themselves. */
	if (ioc_parse(ioc->value, ioc->len, ioc->type, &again) != CG_OK || strcmp(again.value, ioc->value) != 0)
		abort();
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	enum cg_err rc;
	switch (data[0] % 3) {
	case 0: rc = phish_extract_urls(s, n, 0, "text", sink, NULL); break;
	case 1: rc = phish_extract_urls(s, n, 1, "html", sink, NULL); break;
	default: rc = phish_extract_received(s, n, "Received", sink, NULL); break;
	}
	return rc == CG_OK ? 0 : 0;
}
