/* block — the blocking service the front ends call: decide on batches of
 * targets (policy-checked, one transaction), check a target, mirror an intel
 * source, render exports and record where they were put into service. */
#ifndef CG_BLOCK_H
#define CG_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cg_err.h"
#include "cg_db.h"
#include "decision.h"
#include "export.h"
#include "store_block.h"

/* Most targets one batch (a file or a command line) may hold. */
#define BLOCK_BATCH_MAX ((size_t)20000000)
/* Largest list file read. */
#define BLOCK_FILE_CAP ((size_t)1 << 30)
/* Error messages a batch keeps (the count goes on). */
#define BLOCK_BATCH_ERRORS_KEPT 50

/* Targets collected from arguments and files, with where each came from. */
struct block_batch;
struct block_batch *block_batch_new(void); /* NULL when out of memory */
void block_batch_free(struct block_batch *b); /* NULL is a no-op */

/* Add one target given as text; `where` labels errors ("argument 2").
 * A bad target is recorded as an error of the batch (see below) and
 * CG_EPARSE returned; the batch stays usable. */
enum cg_err block_batch_add_text(struct block_batch *b, const char *text, const char *where) CG_MUST_CHECK;
/* Add every target of a list file (see block_list.h; "-" is stdin). Bad
 * lines are recorded as errors; returns CG_EPARSE if there were any, other
 * codes for unreadable files and caps. */
enum cg_err block_batch_add_file(struct block_batch *b, const char *path) CG_MUST_CHECK;
/* Refuse (record as errors) the targets the policy forbids for `action`
 * (private/reserved, own prefixes, too wide) unless `force`. Returns
 * CG_EINVAL if any was refused. */
enum cg_err block_batch_check(struct block_batch *b, struct cg_db *db, enum block_action action, int force) CG_MUST_CHECK;

size_t block_batch_count(const struct block_batch *b);
size_t block_batch_n_errors(const struct block_batch *b);
/* Error i (< min(n_errors, BLOCK_BATCH_ERRORS_KEPT)), borrowed. */
const char *block_batch_error(const struct block_batch *b, size_t i);

/* Add (`add` 1) or remove the batch's targets as the operator's own
 * prefixes/domains, in one transaction; URLs are refused. */
enum cg_err block_own_apply(struct block_batch *b, struct cg_db *db, int add, const char *note, int64_t now,
			    size_t *changed) CG_MUST_CHECK;

struct block_decide_opts {
	enum block_action action;
	const char *reason;  /* may be NULL; a list line's note is appended */
	const char *origin;  /* "manual" when NULL */
	int64_t expires_at;  /* 0: never */
	int forced;
	int64_t now;
};
struct block_decide_report {
	size_t n_new, n_replaced, n_unchanged;
};

/* Record a decision for every target of the batch, in one transaction. */
enum cg_err block_batch_commit(struct block_batch *b, struct cg_db *db, const struct block_decide_opts *o,
			       struct block_decide_report *rep) CG_MUST_CHECK;

/* Record a blocking order and a decision ("order:REF") for each target of
 * the batch, in one transaction. `o->origin` is ignored. */
enum cg_err block_order_add(struct block_batch *b, struct cg_db *db, const struct block_order_info *order,
			    const struct block_decide_opts *o, int64_t *order_id,
			    struct block_decide_report *rep) CG_MUST_CHECK;

/* Whether `text` (address, domain or URL) is blocked at `at` and why:
 * `fn` gets every decision in force that concerns it (on the address, a
 * covering CIDR, the domain or a parent domain, the URL or its host).
 * *blocked is 1 when a block applies and no allow does. */
enum cg_err block_check(struct cg_db *db, const char *text, int64_t at, int *blocked, store_block_fn fn,
			void *ctx) CG_MUST_CHECK;

/* Mirror the current list of intel source `source` as decisions with origin
 * "intel:SOURCE": new indicators become blocks, ones no longer listed are
 * removed. Hashes are ignored; entries the policy refuses are skipped and
 * counted (first few kept) unless `o->forced`. One transaction. */
struct block_intel_report {
	size_t n_seen, n_ignored, n_refused, n_removed;
	struct block_decide_report put;
	char refused[5][256];
};
enum cg_err block_from_intel(struct cg_db *db, const char *source, const struct block_decide_opts *o,
			     struct block_intel_report *rep) CG_MUST_CHECK;

/* Render an export: the lists in force at `at`, or (has_since) the changes
 * since `since`. The result is a new buffer the caller frees. */
struct block_export_req {
	enum block_format fmt;
	int64_t at;
	int has_since;
	int64_t since;
	struct block_export_opts opts;
};
struct block_export_result {
	char *data;
	size_t len;
	int64_t serial;
	size_t n_items;
	int64_t next_expiry;
	char digest[17];
};
enum cg_err block_export_render(struct cg_db *db, const struct block_export_req *r,
				struct block_export_result *res) CG_MUST_CHECK;
void block_export_result_free(struct block_export_result *res);

/* Record that the export `res` of format `fmt` was put into service at
 * `point` at time `at`. */
enum cg_err block_record_enforcement(struct cg_db *db, const char *point, enum block_format fmt, int64_t at,
				     const struct block_export_result *res) CG_MUST_CHECK;

#endif
