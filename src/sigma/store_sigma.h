/* store_sigma — Sigma hunt runs and their hits in the database. No SQLite
 * types here, so another backend can sit behind the same functions. */
#ifndef STORE_SIGMA_H
#define STORE_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct cg_db;

/* One hit; strings are borrowed for the duration of the call. */
struct store_sigma_hit {
	const char *rule_id, *title, *level;
	const char *tags_json;   /* JSON array */
	const char *source;      /* file the event came from */
	const char *computer, *time, *channel;
	const char *fields_json; /* JSON object of the matched fields */
	uint64_t record_id;
	long event_id;           /* -1: none */
};

/* Start a run; `out` receives its id. */
enum cg_err store_sigma_run_begin(struct cg_db *db, size_t n_rules, int64_t *out) CG_MUST_CHECK;
/* Add hits to a run in one transaction (all or nothing). */
enum cg_err store_sigma_add_hits(struct cg_db *db, int64_t run, const struct store_sigma_hit *h, size_t n) CG_MUST_CHECK;
/* Record the totals of a finished run. */
enum cg_err store_sigma_run_finish(struct cg_db *db, int64_t run, uint64_t files, uint64_t events,
                                   uint64_t hits) CG_MUST_CHECK;
/* Number of hits stored for a run. */
enum cg_err store_sigma_hit_count(struct cg_db *db, int64_t run, uint64_t *out) CG_MUST_CHECK;

#endif
