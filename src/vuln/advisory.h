/* advisory — what the advisory parsers (nvd, osv, kev, epss) hand to the
 * store: normalized records, borrowed during one callback. Parsers are pure
 * (bytes in, records out) and name the file and record in errors. */
#ifndef CG_ADVISORY_H
#define CG_ADVISORY_H

#include <stddef.h>

#include "cg_err.h"

#define ADV_MAX_RANGES 20000   /* per record */
#define ADV_MAX_IDS 256        /* CVE aliases per record */
#define ADV_MAX_RECORDS 2000000

/* One affected range. `family` is "cpe" (product = "vendor:product") or a
 * package ecosystem family: "deb", "rpm", "bigip", "zimbra", or the OSV
 * ecosystem lower-cased ("pypi", "maven", ...). NULL bounds are open. */
struct adv_range {
	const char *family;
	const char *release;    /* "7" of "Debian:7"; "" when any */
	const char *product;
	const char *scheme;     /* vercmp scheme name */
	const char *cpe_update; /* "" when any */
	const char *exact;      /* the one affected version, or NULL */
	const char *start;
	int start_incl;
	const char *end;
	int end_incl;
	const char *fixed;      /* first fixed version when known, for display */
	const char *kb;         /* "KB5029388,KB5030524": hotfixes any of which fix the product
				 * (vendor advisories only; NULL when none) */
};

struct adv_record {
	const char *source; /* "nvd", "osv" */
	const char *cna;    /* NVD sourceIdentifier ("secure@microsoft.com"); NULL when absent */
	const char *ref;    /* advisory id: CVE-2023-4863, DSA-3029-1 */
	const char *modified, *published, *summary;
	double cvss;        /* < 0 when unknown */
	const char *cvss_vector, *severity;
	const char *kev_added, *kev_due, *kev_action; /* NVD's copy of KEV; NULL when absent */
	size_t n_ids;       /* vulnerability ids the ranges apply to (CVE aliases, or ref) */
	const char *const *ids;
	size_t n_ranges;
	const struct adv_range *ranges;
};

struct kev_entry {
	const char *cve, *vendor, *product, *name, *added, *due, *action, *ransomware;
};

struct epss_entry {
	const char *cve;
	double score, percentile;
};

typedef enum cg_err (*adv_record_fn)(void *ctx, const struct adv_record *r);
typedef enum cg_err (*kev_entry_fn)(void *ctx, const struct kev_entry *e);
typedef enum cg_err (*epss_entry_fn)(void *ctx, const struct epss_entry *e);

enum adv_format { ADV_AUTO, ADV_NVD, ADV_OSV, ADV_KEV, ADV_EPSS, ADV_FORMAT_COUNT };
const char *adv_format_name(enum adv_format f);
enum cg_err adv_format_parse(const char *name, enum adv_format *out) CG_MUST_CHECK;
/* Guess from content; ADV_AUTO when unknown. */
enum adv_format adv_detect(const char *buf, size_t len);

/* NVD CVE API 2.0: a response page ({"vulnerabilities":[{"cve":...}]}) or a
 * bare cve object. `*total` (may be NULL) gets totalResults of a page. */
enum cg_err nvd_parse(const char *file, const char *buf, size_t len, adv_record_fn fn, void *ctx,
		      long *total) CG_MUST_CHECK;
/* OSV: one record, an array of records, or {"vulns":[...]} (query answers). */
enum cg_err osv_parse(const char *file, const char *buf, size_t len, adv_record_fn fn, void *ctx) CG_MUST_CHECK;
/* CISA KEV catalogue. `*version` (may be NULL) gets catalogVersion (borrowed
 * during the call only, so copy it in a callback if needed). */
enum cg_err kev_parse(const char *file, const char *buf, size_t len, kev_entry_fn fn, void *ctx) CG_MUST_CHECK;
/* FIRST EPSS CSV (cve,epss,percentile; '#' comment line first). */
enum cg_err epss_parse(const char *file, const char *buf, size_t len, epss_entry_fn fn, void *ctx) CG_MUST_CHECK;

/* Vendor advisories written by the project from public vendor facts (BIG-IP
 * engineering hotfixes, Zimbra patch levels) in OSV form, compiled in from
 * data/vendor-advisories.json. */
extern const char vendor_advisories_json[];
extern const size_t vendor_advisories_len;

/* The version scheme that orders the versions of a CPE product. */
const char *adv_cpe_scheme(const char *vendor, const char *product);

#endif
