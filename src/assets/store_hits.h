/* store_hits — recording hunt runs and their hits.
 *
 * A hunt is recorded between store_hunt_begin and store_hunt_end; hits are
 * written in batched transactions (a batch is left open after each
 * store_hunt_add, so the caller may add to it: the alerts of the hits). A hit is one (log line, indicator text):
 * re-hunting the same unchanged file does not count it twice. */
#ifndef CG_STORE_HITS_H
#define CG_STORE_HITS_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"

struct store_hunt;

struct store_hit {
	const char *file;
	uint64_t line;          /* 1-based */
	const char *line_text;  /* the whole log line (not stored; hashed, and read for the time) */
	size_t line_len;
	const char *indicator;  /* text found in the line, e.g. "5.6.7.9" */
	const char *match;      /* the list entry it hit, e.g. "5.6.7.0/24" */
	const char *match_type; /* ioc_type_name() of the entry */
	const char *source;     /* may be NULL */
	const char *family;     /* may be NULL */
	int64_t host_id;        /* 0: not an inventory host */
	const char *host_label; /* from asset_index_attribute; may be NULL */
	int64_t seen_at;        /* 0: unknown (line had no stamp) */
};

struct store_hunt_totals {
	uint64_t files, bytes, lines, hits, errors;
	int64_t finished_at; /* 0: the `now` given to store_hunt_begin */
};

/* `now` stamps the hunt and is the year reference for RFC 3164 times. The hunt owns its prepared
 * statements until it ends or is aborted. */
enum cg_err store_hunt_begin(struct cg_db *db, const char *paths, int64_t now, struct store_hunt **out) CG_MUST_CHECK;
enum cg_err store_hunt_add(struct store_hunt *h, const struct store_hit *hit) CG_MUST_CHECK;
/* Commit the rest and the totals; frees `h` whatever the result. */
enum cg_err store_hunt_end(struct store_hunt *h, const struct store_hunt_totals *t) CG_MUST_CHECK;
/* Roll back what is not yet committed and free `h`. */
void store_hunt_abort(struct store_hunt *h);
/* Id of the hunt being recorded. */
int64_t store_hunt_id(const struct store_hunt *h);
/* Hits written so far that were not already recorded by an earlier hunt. */
uint64_t store_hunt_new_hits(const struct store_hunt *h);

/* Recorded hits grouped for reporting: one row per (host, indicator, list
 * entry, source, family); host_id 0 rows carry the attribution label. Rows
 * come ordered by host_id (0 first), label, indicator. */
struct store_hit_group {
	int64_t host_id;
	const char *host_label; /* "" for inventory hosts */
	const char *indicator;
	const char *match;
	const char *source; /* "" when none */
	const char *family; /* "" when none */
	uint64_t n;         /* hit rows */
	int64_t last_seen;  /* 0: unknown */
};
typedef enum cg_err (*store_hit_group_fn)(void *ctx, const struct store_hit_group *g);
enum cg_err store_hits_foreach_group(struct cg_db *db, store_hit_group_fn fn, void *ctx) CG_MUST_CHECK;

/* Distinct log lines with hits, per host (host_id 0: per label). */
typedef enum cg_err (*store_hit_lines_fn)(void *ctx, int64_t host_id, const char *host_label, uint64_t lines);
enum cg_err store_hits_foreach_lines(struct cg_db *db, store_hit_lines_fn fn, void *ctx) CG_MUST_CHECK;

#endif
