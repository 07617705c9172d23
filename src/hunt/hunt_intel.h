/* hunt_intel — the indicator set a hunt looks for: the database's sources
 * or feed files, compiled into an ioc_set with the special-purpose policy on
 * (special_range.h): an address in a block not hunted by default matches
 * only indicators of sources set to hunt there, or of every source with
 * `hunt_special`. */
#ifndef CG_HUNT_INTEL_H
#define CG_HUNT_INTEL_H

#include <stddef.h>

#include "cg_err.h"
#include "db.h"
#include "feed.h"
#include "ioc_set.h"

struct hunt_intel_opts {
	/* Feed files (each its own source, named as intel_import names it);
	 * when n_files is 0 the database's sources are used. */
	const char *const *files;
	size_t n_files;
	enum feed_format format; /* of the files; FEED_AUTO: detected */
	const char *csv_map;
	/* Database sources to use (all when n_sources is 0). */
	const char *const *sources;
	size_t n_sources;
	int hunt_special; /* hunt special-purpose blocks for every source */
};

struct hunt_intel_events {
	/* A bad entry of a feed file (skipped). May be NULL. */
	void (*bad)(void *ctx, const char *path, size_t line, const char *reason);
	void *ctx;
};

/* Build the set into *out (the caller frees it with ioc_set_free). `db` is
 * only read, and only when no files are given. */
enum cg_err hunt_intel_load(struct cg_db *db, const struct hunt_intel_opts *o, const struct hunt_intel_events *ev,
			    struct ioc_set **out) CG_MUST_CHECK;

#endif
