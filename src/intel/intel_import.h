/* intel_import — the import workflow behind `canhgac intel import` (and later
 * the daemon's feed refresh): which sources the files go to, one import per
 * file, bad entries, special-purpose blocks, the summary.
 *
 * Policy:
 * - Each file is its own source, named after the file (base name without the
 *   extensions feeds use: "spamhaus_drop.txt.gz" -> "spamhaus_drop"), so a hit
 *   names the list that flagged it. `source` names the source of a single
 *   file (and is needed for standard input, "-"); with several files it is
 *   refused. Two files that would get the same name are refused.
 * - Each file is one transaction: it replaces its source's list (or adds to
 *   it with `append`). A file with a bad entry imports nothing unless
 *   `skip_bad`; a file with no indicator leaves its source unchanged. The
 *   other files are imported all the same.
 * - Indicators in special-purpose blocks (special_range.h) are stored (and
 *   exported for blocking) and counted per block; whether the hunt looks for
 *   them is the source's setting, `hunt_special`. */
#ifndef CG_INTEL_IMPORT_H
#define CG_INTEL_IMPORT_H

#include <stddef.h>

#include "cg_err.h"
#include "db.h"
#include "feed.h"
#include "store_intel.h"

#define INTEL_SOURCE_NAME_MAX 128
#define INTEL_IMPORT_FILES_MAX 4096
#define INTEL_IMPORT_LIST_MAX 1000 /* bad/skipped entries kept per file */

struct intel_import_opts {
	const char *source;       /* the source of a single file, or NULL */
	enum feed_format format;  /* FEED_AUTO: detected per file */
	struct feed_opts feed;
	int skip_bad;
	int append;
	int hunt_special;         /* -1 keep the source's setting, 0 off, 1 on */
};

enum intel_file_status {
	INTEL_FILE_NOT_DONE,   /* not reached: an earlier storage failure stopped the import */
	INTEL_FILE_IMPORTED,
	INTEL_FILE_BAD,        /* bad entries and no skip_bad: nothing imported */
	INTEL_FILE_EMPTY,      /* no indicator: source left unchanged */
	INTEL_FILE_UNREADABLE, /* could not be read or parsed at all (`error`) */
};

struct intel_import_line {
	size_t line;
	char *reason;
};

struct intel_import_file {
	const char *path;                     /* borrowed from the caller */
	char source[INTEL_SOURCE_NAME_MAX];
	enum intel_file_status status;
	char *error;                          /* INTEL_FILE_UNREADABLE: why */
	struct feed_counts counts;
	struct store_intel_summary sum;       /* INTEL_FILE_IMPORTED */
	int hunt_special;                     /* the source's setting afterwards */
	size_t n_special;                     /* records in special-purpose blocks */
	size_t *special_by;                   /* per special_range_at index */
	size_t n_bad_kept, n_skip_kept;       /* at most INTEL_IMPORT_LIST_MAX */
	struct intel_import_line *bad, *skip;
};

struct intel_import_report {
	size_t n_files;
	struct intel_import_file *files;
	size_t n_imported;
	size_t total_bad;
};

/* Told as the import goes, on the calling thread. Any member may be NULL. */
struct intel_import_events {
	void (*bad)(void *ctx, const char *path, size_t line, const char *reason);
	void (*progress)(void *ctx, size_t records);
	void *ctx;
};

/* The source name of a feed file (see above) into `out`. */
void intel_import_source_name(const char *path, char *out, size_t n);

/* Check the plan (sources of the files) without touching anything:
 * CG_EINVAL naming the problem (several files with `source`, standard input
 * without it, an empty name, two files with one name). */
enum cg_err intel_import_check(const char *const *paths, size_t n, const char *source) CG_MUST_CHECK;

/* Import `paths` into `db`. *out (the caller frees it with
 * intel_import_report_free) is set whenever the return is not a plan or
 * memory error. Returns CG_OK when every file was imported; CG_EPARSE when
 * some were not (see each file's status); CG_EDB and others when storage
 * failed (files before it stay imported, that one and the rest are
 * INTEL_FILE_NOT_DONE). */
enum cg_err intel_import_run(struct cg_db *db, const char *const *paths, size_t n,
			     const struct intel_import_opts *opts, const struct intel_import_events *ev,
			     struct intel_import_report **out) CG_MUST_CHECK;
void intel_import_report_free(struct intel_import_report *r); /* NULL is a no-op */

#endif
