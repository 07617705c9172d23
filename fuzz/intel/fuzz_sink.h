/* A sink that accepts everything, shared by the feed fuzz targets. */
#ifndef CG_FUZZ_SINK_H
#define CG_FUZZ_SINK_H
#include <string.h>

#include "feed.h"

static enum cg_err fz_rec(void *ctx, const struct feed_record *r)
{
	(void)ctx;
	/* Touch everything the parser handed over so ASan sees bad pointers. */
	volatile size_t n = strlen(r->ioc.value) + (r->family ? strlen(r->family) : 0) +
			    (r->first_seen ? strlen(r->first_seen) : 0) + (r->extra ? strlen(r->extra) : 0);
	(void)n;
	return CG_OK;
}

static enum cg_err fz_bad(void *ctx, size_t line, const char *reason)
{
	(void)ctx;
	(void)line;
	volatile size_t n = strlen(reason);
	(void)n;
	return CG_OK;
}

static int fz_parse(enum feed_format f, const char *buf, size_t len, const char *map)
{
	struct feed_sink sink = {.record = fz_rec, .bad = fz_bad, .skip = fz_bad};
	struct feed_opts o = {.csv_map = map, .default_family = "fuzz"};
	struct feed_counts c;
	if (feed_parse_counted(f, buf, len, &o, &sink, &c) == CG_OK &&
	    c.entries != c.imported + c.bad + c.comments + c.skipped)
		__builtin_trap(); /* the accounting promise */
	return 0;
}
#endif
