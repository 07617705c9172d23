/* store_block — blocking decisions, orders, the operator's own prefixes and
 * enforcement records in storage. No SQLite types cross this interface.
 * Strings in rows handed to callbacks are borrowed for the call only. */
#ifndef CG_STORE_BLOCK_H
#define CG_STORE_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "decision.h"
#include "ioc.h"

/* One decision. For address targets `addr`/`prefix` hold the network;
 * times are Unix seconds, 0 meaning none (no expiry, not removed). */
struct block_row {
	int64_t id;
	enum block_action action;
	enum ioc_type type;
	const char *value;
	uint8_t addr[16];
	unsigned prefix;
	const char *reason; /* may be NULL */
	const char *origin; /* "manual", "intel:SOURCE", "order:REF", ... */
	int64_t order_id;   /* 0: not from an order */
	int forced;
	int64_t created_at, expires_at, removed_at;
};

/* Which decisions to walk. `live_at` INT64_MIN walks every row ever made,
 * else the decisions in force at that time (created, not removed, not
 * expired). `action` -1 is any; NULL/0 fields are no filter. */
struct block_filter {
	int64_t live_at;
	int action;
	const char *origin;
	const char *value;
	int64_t order_id;
};
#define BLOCK_ALL_ROWS INT64_MIN

typedef enum cg_err (*store_block_fn)(void *ctx, const struct block_row *row);

enum cg_err store_block_begin(struct cg_db *db) CG_MUST_CHECK;
enum cg_err store_block_commit(struct cg_db *db) CG_MUST_CHECK;
void store_block_rollback(struct cg_db *db);

/* What store_block_put did. */
enum block_put { BLOCK_PUT_NEW, BLOCK_PUT_REPLACED, BLOCK_PUT_UNCHANGED };

/* Record decision `r` (id and removed_at ignored) made at `now`. A live
 * decision with the same target, action and origin is left alone when its
 * reason and expiry are the same, else closed at `now` and replaced, so the
 * history stays exact. */
enum cg_err store_block_put(struct cg_db *db, const struct block_row *r, int64_t now, enum block_put *what,
			    int64_t *id) CG_MUST_CHECK;

/* Close (removed_at = now) the live decisions on `value` matching `action`
 * (-1 any) and `origin` (NULL any); or the one with `id` when value is NULL. */
enum cg_err store_block_remove(struct cg_db *db, const char *value, int64_t id, int action, const char *origin,
			       int64_t now, size_t *n_removed) CG_MUST_CHECK;

enum cg_err store_block_foreach(struct cg_db *db, const struct block_filter *f, store_block_fn fn,
				void *ctx) CG_MUST_CHECK;

/* Decisions on addresses/CIDRs containing the address (4 or 16 bytes) live
 * at `at`. */
enum cg_err store_block_find_addr(struct cg_db *db, int v6, const uint8_t *addr, int64_t at, store_block_fn fn,
				  void *ctx) CG_MUST_CHECK;

/* The time of the last change to the lists at or before `at` (a decision
 * made, removed or expired; 0 when there was none) and how many such changes
 * happened by then. */
enum cg_err store_block_changes(struct cg_db *db, int64_t at, int64_t *last, int64_t *count) CG_MUST_CHECK;
/* The first expiry strictly after `at`, 0 when none (when a cached export
 * goes stale by itself). */
enum cg_err store_block_next_expiry(struct cg_db *db, int64_t at, int64_t *out) CG_MUST_CHECK;

/* The operator's own prefixes and domains. */
typedef enum cg_err (*store_block_own_fn)(void *ctx, const struct ioc *own, const char *note, int64_t created_at);
enum cg_err store_block_own_add(struct cg_db *db, const struct ioc *own, const char *note, int64_t now,
				int *added) CG_MUST_CHECK;
enum cg_err store_block_own_remove(struct cg_db *db, const char *value, int *removed) CG_MUST_CHECK;
enum cg_err store_block_own_foreach(struct cg_db *db, store_block_own_fn fn, void *ctx) CG_MUST_CHECK;

/* Blocking orders. */
struct block_order_info {
	int64_t id;
	const char *ref;
	int64_t issued_at, deadline_at, received_at;
	const char *file;
	const char *note;
	int64_t n_targets;
};
typedef enum cg_err (*store_block_order_fn)(void *ctx, const struct block_order_info *o);
/* CG_EEXIST naming the reference when an order with `ref` exists. */
enum cg_err store_block_order_add(struct cg_db *db, const struct block_order_info *o, int64_t *id) CG_MUST_CHECK;
enum cg_err store_block_order_set_count(struct cg_db *db, int64_t id, int64_t n_targets) CG_MUST_CHECK;
/* CG_ENOTFOUND naming `ref` when there is no such order. */
enum cg_err store_block_order_get(struct cg_db *db, const char *ref, store_block_order_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err store_block_order_foreach(struct cg_db *db, store_block_order_fn fn, void *ctx) CG_MUST_CHECK;

/* Enforcement records. */
struct block_enforcement {
	int64_t id;
	const char *point;
	const char *format;
	int64_t at, serial, n_items;
	const char *digest;
};
typedef enum cg_err (*store_block_enf_fn)(void *ctx, const struct block_enforcement *e);
enum cg_err store_block_enforcement_add(struct cg_db *db, const struct block_enforcement *e) CG_MUST_CHECK;
/* Add `e` unless the same point already has a row for the same format and
 * digest (the same list version); *added says which. */
enum cg_err store_block_enforcement_add_once(struct cg_db *db, const struct block_enforcement *e, int *added) CG_MUST_CHECK;
/* In time order. */
enum cg_err store_block_enforcement_foreach(struct cg_db *db, store_block_enf_fn fn, void *ctx) CG_MUST_CHECK;

/* Enforcement points that authenticate to `block serve`. CG_EEXIST when
 * the name is taken; CG_ENOTFOUND when removing or looking up nothing. */
enum cg_err store_block_point_add(struct cg_db *db, const char *name, const char *token_sha256, int64_t at) CG_MUST_CHECK;
enum cg_err store_block_point_remove(struct cg_db *db, const char *name) CG_MUST_CHECK;
/* The point whose token has this SHA-256 (hex), copied into name[n]. */
enum cg_err store_block_point_by_token(struct cg_db *db, const char *token_sha256, char *name, size_t n) CG_MUST_CHECK;
typedef enum cg_err (*store_block_point_fn)(void *ctx, const char *name, int64_t created_at);
enum cg_err store_block_point_foreach(struct cg_db *db, store_block_point_fn fn, void *ctx) CG_MUST_CHECK;

/* A number that changes whenever another connection commits to the
 * database (SQLite's data_version): when a served export must be rebuilt. */
enum cg_err store_block_data_version(struct cg_db *db, int64_t *out) CG_MUST_CHECK;

#endif
