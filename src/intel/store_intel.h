/* store_intel — threat-intel sources, imports and indicators in storage.
 * (Owned by the intel module; only the functions below are promised to other
 * modules. The intel owner extends this header with import/list/diff/remove.) */
#ifndef CG_STORE_INTEL_H
#define CG_STORE_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "ioc.h"

/* Called once per (indicator, source) in the current lists of the selected
 * sources; `family` may be NULL. Borrowed arguments, valid during the call. */
typedef enum cg_err (*store_intel_fn)(void *ctx, const struct ioc *ioc, const char *source, const char *family);

/* Walk the current indicators of the named sources (all sources when
 * n_sources is 0). An unknown source name is CG_ENOTFOUND naming it. */
enum cg_err store_intel_foreach(struct cg_db *db, const char *const *sources, size_t n_sources, store_intel_fn fn,
				void *ctx) CG_MUST_CHECK;

/* ---- imports (owned by the intel module) ----
 * One import of one source is one transaction: begin, add records, then
 * commit (the source's current list becomes this import's items) or abort
 * (nothing changes). */
struct store_intel_import;

/* Counts of a committed import, compared with the source's previous list. */
struct store_intel_summary {
	int64_t import_id;
	int64_t prev_import_id;    /* 0 when the source is new */
	size_t n_records;          /* records given to store_intel_import_add */
	size_t n_duplicates;       /* records whose indicator was already in this list */
	size_t n_unique;           /* indicators in the new list */
	size_t by_type[IOC_TYPE_COUNT];
	size_t n_added, n_removed; /* against the previous list */
};

/* Start importing into `source` (created if new). `files` and `format` are
 * recorded as given. `append`: the new list starts as a copy of the current
 * one. On success *out is owned by the caller until commit or abort. */
enum cg_err store_intel_import_begin(struct cg_db *db, const char *source, const char *files, const char *format,
				     int append, struct store_intel_import **out) CG_MUST_CHECK;
/* Add one indicator (family, dates and extra may be NULL). */
enum cg_err store_intel_import_add(struct store_intel_import *imp, const struct ioc *ioc, const char *family,
				   const char *first_seen, const char *last_seen, const char *extra) CG_MUST_CHECK;
/* Record the format(s) actually parsed (after detection), e.g. "csv,stix". */
enum cg_err store_intel_import_set_format(struct store_intel_import *imp, const char *format) CG_MUST_CHECK;
/* Make the import the source's current list, fill *sum, commit and free imp
 * (also on failure, after a rollback). */
enum cg_err store_intel_import_commit(struct store_intel_import *imp, size_t n_bad,
				      struct store_intel_summary *sum) CG_MUST_CHECK;
/* Set the source's special-purpose setting (special_range.h): its indicators
 * in special-purpose blocks are hunted (1) or not (0, the default). */
enum cg_err store_intel_import_set_hunt_special(struct store_intel_import *imp, int on) CG_MUST_CHECK;
/* The source's setting as of this import (before a set: as it was). */
int store_intel_import_hunt_special(const struct store_intel_import *imp);
/* Roll back and free; NULL is a no-op. */
void store_intel_import_abort(struct store_intel_import *imp);

/* ---- reading ---- */
struct store_intel_source_info {
	const char *name;
	size_t n_indicators;
	size_t by_type[IOC_TYPE_COUNT];
	int64_t imported_at;
	const char *files;
	const char *format;
	size_t n_imports;
	int hunt_special; /* its indicators in special-purpose blocks are hunted */
};
typedef enum cg_err (*store_intel_source_fn)(void *ctx, const struct store_intel_source_info *info);
/* Every source, by name. */
enum cg_err store_intel_sources(struct cg_db *db, store_intel_source_fn fn, void *ctx) CG_MUST_CHECK;

struct store_intel_item {
	const char *type, *value, *family, *first_seen, *last_seen, *extra;
};
typedef enum cg_err (*store_intel_item_fn)(void *ctx, const struct store_intel_item *item);
/* The current list of `source` (CG_ENOTFOUND if unknown), by type and value;
 * `type` IOC_NONE for all; `limit` 0 for no limit. */
enum cg_err store_intel_items(struct cg_db *db, const char *source, enum ioc_type type, size_t limit,
			      store_intel_item_fn fn, void *ctx) CG_MUST_CHECK;

/* What the newest import of `source` added (added = 1) and removed against
 * the one before it. *has_prev is 0 when there is only one import. */
typedef enum cg_err (*store_intel_diff_fn)(void *ctx, int added, const char *type, const char *value,
					    const char *family);
enum cg_err store_intel_diff(struct cg_db *db, const char *source, int *has_prev, store_intel_diff_fn fn,
			     void *ctx) CG_MUST_CHECK;

struct store_intel_stats {
	size_t n_sources;
	size_t n_indicators;   /* distinct indicators in current lists */
	size_t by_type[IOC_TYPE_COUNT];
	size_t n_overlap;      /* indicators on more than one source */
};
/* Totals; `overlap_fn`, if not NULL, gets each shared indicator with its
 * sources as "a,b" (at most `overlap_limit`, 0 = all). */
typedef enum cg_err (*store_intel_overlap_fn)(void *ctx, const char *type, const char *value, const char *sources);
enum cg_err store_intel_stats(struct cg_db *db, struct store_intel_stats *st, store_intel_overlap_fn overlap_fn,
			      size_t overlap_limit, void *ctx) CG_MUST_CHECK;

/* Delete a source, its imports and lists, and indicators no other source
 * lists. CG_ENOTFOUND if unknown. *n_pruned gets the indicators deleted. */
enum cg_err store_intel_remove(struct cg_db *db, const char *source, size_t *n_pruned) CG_MUST_CHECK;

/* A number that changes whenever the indicators a hunt would load change:
 * an import commits, a source is removed, a source's special-purpose
 * setting changes (the daemon polls it to pick up `canhgac intel import`
 * without a restart). Not ordered: compare for equality only. */
enum cg_err store_intel_generation(struct cg_db *db, uint64_t *out) CG_MUST_CHECK;

#endif
