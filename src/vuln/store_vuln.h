/* store_vuln — inventories, advisories, the watchlist and findings in
 * storage. Records handed to callbacks are borrowed during the call. No
 * SQLite types here: a PostgreSQL backend can sit behind the same calls. */
#ifndef CG_STORE_VULN_H
#define CG_STORE_VULN_H

#include <stddef.h>
#include <stdint.h>

#include "advisory.h"
#include "cg_err.h"
#include "cg_db.h"
#include "inventory.h"
#include "vuln_match.h"
#include "watchlist.h"

/* ---- inventories ---- */
struct inv_import_stats {
	size_t items;
	enum inv_format format;
	int created_host;
	char distro_guessed[72]; /* the release read from an os-release block, "" when none */
};

/* Parse `buf` (content of `file`) and replace, in one transaction, the items
 * of host `host` of the kinds this format produces (a Windows CSV/JSON file:
 * the kinds it holds, so program and hotfix lists are kept apart). The host must exist
 * unless `create_host` (then it is added without a system). `distro`
 * ("Debian:12", NULL = keep) narrows release-specific advisories; when NULL,
 * an /etc/os-release block at the start of the file (inv_os_release) gives
 * it. */
enum cg_err store_inv_import(struct cg_db *db, const char *host, const char *file, const char *buf, size_t len,
			     enum inv_format f, const char *distro, int create_host,
			     struct inv_import_stats *st) CG_MUST_CHECK;
/* Items of `host` by kind and name; CG_ENOTFOUND when the host is unknown. */
enum cg_err store_inv_foreach(struct cg_db *db, const char *host, inv_item_fn fn, void *ctx) CG_MUST_CHECK;

/* ---- advisories ---- */
struct adv_import_stats {
	enum adv_format format;
	size_t records, changed, unchanged, ranges;
	long total; /* NVD totalResults of a page, -1 otherwise */
};

/* Import one advisory file in one transaction. Re-importing a record whose
 * `modified` did not change changes nothing (counted as unchanged); a newer
 * one replaces its ranges. */
enum cg_err store_adv_import(struct cg_db *db, enum adv_format f, const char *file, const char *buf, size_t len,
			     struct adv_import_stats *st) CG_MUST_CHECK;
/* The project's vendor advisories and the bundled watchlist. */
enum cg_err store_adv_import_bundled(struct cg_db *db, struct adv_import_stats *st, size_t *n_watch) CG_MUST_CHECK;
/* Build the matcher from every stored range. Caller frees it. */
enum cg_err store_vuln_matcher(struct cg_db *db, struct vuln_matcher **out) CG_MUST_CHECK;

/* Small key/value memory (NVD fetch position). get: "" when absent. */
enum cg_err store_vuln_meta_get(struct cg_db *db, const char *key, char *buf, size_t n) CG_MUST_CHECK;
enum cg_err store_vuln_meta_set(struct cg_db *db, const char *key, const char *value) CG_MUST_CHECK;

/* ---- watchlist ---- */
/* Add or replace entries from a file; `origin` is "bundled" or "user". */
enum cg_err store_watch_import(struct cg_db *db, const char *file, const char *buf, size_t len, const char *origin,
			       size_t *n) CG_MUST_CHECK;
enum cg_err store_watch_put(struct cg_db *db, const struct watch_entry *e, const char *origin) CG_MUST_CHECK;
enum cg_err store_watch_remove(struct cg_db *db, const char *cve) CG_MUST_CHECK;
typedef enum cg_err (*watch_row_fn)(void *ctx, const struct watch_entry *e, const char *origin);
enum cg_err store_watch_foreach(struct cg_db *db, watch_row_fn fn, void *ctx) CG_MUST_CHECK;
/* Rule entries (watchlist.h): add or replace (same vendor, dates, score and
 * letter), list, remove by id (CG_ENOTFOUND when absent). A finding is on
 * the watchlist when its CVE is, or a rule matches its NVD record. */
enum cg_err store_watch_rule_put(struct cg_db *db, const struct watch_rule *r, const char *origin) CG_MUST_CHECK;
typedef enum cg_err (*watch_rule_row_fn)(void *ctx, const struct watch_rule *r, const char *origin);
enum cg_err store_watch_rule_foreach(struct cg_db *db, watch_rule_row_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err store_watch_rule_remove(struct cg_db *db, int64_t id) CG_MUST_CHECK;

/* ---- scans and findings ---- */
struct scan_stats {
	int64_t scan_id;
	size_t hosts, items, open, found_new, fixed, reopened;
};

/* Match the inventories of the hosts in scope (all when both NULL) and
 * record findings in one transaction: new ones open; seen-again ones keep
 * their state (a fixed one that is back is reopened); open or accepted
 * findings of a scanned host that were not seen are marked fixed. */
enum cg_err store_vuln_scan(struct cg_db *db, const struct vuln_matcher *m, const char *system, const char *host,
			    struct scan_stats *st) CG_MUST_CHECK;

/* Hosts in scope with dpkg or rpm items and no distribution release: their
 * packages were matched against the advisories of every release. `fn` gets
 * the host's name and the releases of the stored deb/rpm advisories
 * ("deb 11, 12; rpm 9"), "" when none. */
typedef enum cg_err (*no_distro_fn)(void *ctx, const char *host, const char *releases);
enum cg_err store_vuln_no_distro(struct cg_db *db, const char *system, const char *host, no_distro_fn fn,
				 void *ctx) CG_MUST_CHECK;

struct finding {
	int64_t id;
	const char *host, *system; /* system "" when none */
	int level;                 /* security level of the system, 0 when none */
	const char *kind, *package, *installed, *fixed; /* fixed "" when unknown */
	const char *vuln_id, *summary, *severity;
	double cvss, epss;         /* < 0 when unknown */
	const char *kev_added, *kev_due;                /* "" when not in KEV */
	const char *watch_ref, *watch_date, *watch_title; /* "" when not watched */
	int64_t watch_rule;        /* id of the watchlist rule that matched, 0 when none or by CVE */
	const char *note;          /* "" or why it needs checking by hand (vuln_note_*) */
	const char *state, *reason, *source, *ref;
	int64_t first_seen, state_at;
};

struct finding_filter {
	const char *system, *host, *state; /* NULL = any; state "open", "fixed", "accepted" */
	const char *vuln_id;
	long limit;                        /* <= 0: no limit */
};

typedef enum cg_err (*finding_fn)(void *ctx, const struct finding *f);

/* Findings ranked: watchlist first, then KEV, then CVSS, then EPSS. */
enum cg_err store_finding_foreach(struct cg_db *db, const struct finding_filter *flt, finding_fn fn,
				  void *ctx) CG_MUST_CHECK;
/* Accept (with a reason) or reopen finding `id`; CG_ENOTFOUND when absent,
 * CG_EINVAL to accept without a reason or to change a fixed finding. */
enum cg_err store_finding_accept(struct cg_db *db, int64_t id, const char *reason) CG_MUST_CHECK;
enum cg_err store_finding_reopen(struct cg_db *db, int64_t id) CG_MUST_CHECK;

#endif
