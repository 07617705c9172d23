/* Fuzz target: the watchlist parser, with and without rule entries. */
#include "fuzz_common.h"

static enum cg_err watch_cb(void *ctx, const struct watch_entry *e)
{
	(void)ctx;
	touch(e->cve), touch(e->reference), touch(e->date), touch(e->title), touch(e->note);
	return CG_OK;
}

static enum cg_err rule_cb(void *ctx, const struct watch_rule *r)
{
	(void)ctx;
	touch(r->vendor), touch(r->published_from), touch(r->published_to), touch(r->reference), touch(r->date);
	fuzz_sink += r->cvss_min > 5;
	return CG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (watchlist_parse("f", s, size, watch_cb, NULL))
		fuzz_sink++;
	if (watchlist_parse_rules("f", s, size, watch_cb, rule_cb, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
