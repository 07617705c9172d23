/* watchlist — the authority's warnings: CVEs an agency was told to find and
 * patch, each with the date and reference of the warning letter. A bundled
 * list ships with canhgac (data/watchlist.json, compiled in); users add
 * their own letters from JSON or CSV files. */
#ifndef CG_WATCHLIST_H
#define CG_WATCHLIST_H

#include <stddef.h>
#include <stdint.h>

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

/* A rule entry: every vulnerability of `vendor` published between two dates
 * (inclusive) with a CVSS base score of at least `cvss_min` is on the
 * watchlist, e.g. "Microsoft's high and critical vulnerabilities of
 * May-November 2023". Applied to imported NVD records: the vendor is one of
 * the record's CPE vendors or its CNA's domain (secure@microsoft.com). */
struct watch_rule {
	int64_t id;             /* 0 until stored */
	const char *vendor;     /* lower-case CPE vendor: "microsoft" */
	const char *published_from, *published_to; /* YYYY-MM-DD */
	double cvss_min;        /* 0-10 */
	const char *title, *reference, *date, *note; /* as in watch_entry */
};
typedef enum cg_err (*watch_rule_fn)(void *ctx, const struct watch_rule *r);

/* JSON ({"entries":[{cve, reference, date, title?, note?}]} or a bare array)
 * or CSV with a header naming cve, reference, date (title, note optional).
 * Every entry is checked (CVE id shape, date YYYY-MM-DD, non-empty
 * reference); errors name file and entry. */
enum cg_err watchlist_parse(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx) CG_MUST_CHECK;
/* The same, and JSON entries of the form
 *   {"rule": {"vendor": "microsoft", "published_from": "2023-05-01",
 *             "published_to": "2023-11-30", "cvss_min": 7.0},
 *    "reference": ..., "date": ..., "title"?, "note"?}
 * go to `rule_fn` (watchlist_parse refuses them: NULL rule_fn). */
enum cg_err watchlist_parse_rules(const char *file, const char *buf, size_t len, watch_entry_fn fn,
				  watch_rule_fn rule_fn, void *ctx) CG_MUST_CHECK;

/* The bundled list (NUL-terminated JSON). */
extern const char watchlist_bundled_json[];
extern const size_t watchlist_bundled_len;

#endif
