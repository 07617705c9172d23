/* watchlist — the authority's warnings: CVEs an agency was told to find and
 * patch, each with the date and reference of the warning letter. A bundled
 * list ships with canhgac (data/watchlist.json, compiled in); users add
 * their own letters from JSON or CSV files. */
#ifndef CG_WATCHLIST_H
#define CG_WATCHLIST_H

#include <stddef.h>

#include "cg_err.h"

#define WATCH_MAX_ENTRIES 100000

struct watch_entry {
	const char *cve;
	const char *title;      /* "" when none */
	const char *reference;  /* letter number, e.g. "Công văn số 0000/STTTT-ANTT (mẫu)" */
	const char *date;       /* YYYY-MM-DD of the letter */
	const char *note;       /* "" when none */
};

typedef enum cg_err (*watch_entry_fn)(void *ctx, const struct watch_entry *e);

/* JSON ({"entries":[{cve, reference, date, title?, note?}]} or a bare array)
 * or CSV with a header naming cve, reference, date (title, note optional).
 * Every entry is checked (CVE id shape, date YYYY-MM-DD, non-empty
 * reference); errors name file and entry. */
enum cg_err watchlist_parse(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx) CG_MUST_CHECK;

/* The bundled list (NUL-terminated JSON). */
extern const char watchlist_bundled_json[];
extern const size_t watchlist_bundled_len;

#endif
