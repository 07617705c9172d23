/* Fuzz target: the CISA KEV and EPSS parsers. */
#include "fuzz_common.h"

static enum cg_err kev_cb(void *ctx, const struct kev_entry *e)
{
	(void)ctx;
	touch(e->cve), touch(e->added), touch(e->due), touch(e->name);
	return CG_OK;
}

static enum cg_err epss_cb(void *ctx, const struct epss_entry *e)
{
	(void)ctx;
	touch(e->cve);
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (kev_parse("f", s, size, kev_cb, NULL))
		fuzz_sink++;
	if (epss_parse("f", s, size, epss_cb, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
