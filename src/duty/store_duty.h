/* store_duty — what the duty engine has done, in the database: one page
 * per alert it took up (the level reached, when, the acknowledgement), one
 * delivery per alert, level, person and channel (its state and the time of
 * its next retry), and every attempt (time, result, error). A restarted
 * engine reads these, so nothing is sent twice and nothing is forgotten.
 *
 * No SQLite types here. Strings handed to callbacks are borrowed until the
 * callback returns. Times are seconds since the epoch. */
#ifndef CG_STORE_DUTY_H
#define CG_STORE_DUTY_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "cg_db.h"
#include "cg_err.h"

struct duty_store;

enum cg_err duty_store_open(struct cg_db *db, struct duty_store **out) CG_MUST_CHECK;
void duty_store_close(struct duty_store *s); /* NULL is a no-op */

/* One transaction around several calls (the engine's bookkeeping). */
enum cg_err duty_store_begin(struct duty_store *s) CG_MUST_CHECK;
enum cg_err duty_store_commit(struct duty_store *s) CG_MUST_CHECK;
void duty_store_rollback(struct duty_store *s);

/* Alerts to page that have no page yet: verified ones, and new ones of at
 * least `min` severity, created (or verified) at or after `since`; oldest
 * first, at most `limit`. */
typedef enum cg_err (*duty_id_fn)(void *ctx, const char *alert_id);
enum cg_err duty_store_candidates(struct duty_store *s, enum alert_severity min, int64_t since, size_t limit,
				  duty_id_fn fn, void *ctx) CG_MUST_CHECK;

struct duty_page {
	const char *alert_id;
	int level;          /* 0: the people on duty; k: escalation level k */
	int64_t level_at;   /* when that level was reached */
	const char *acked_by; /* "" when not acknowledged */
	int64_t acked_at;
	int64_t created_at;
	enum alert_state alert_state;
	enum alert_severity severity;
	const char *title; /* what fired, for listings */
	const char *host;
};
typedef enum cg_err (*duty_page_fn)(void *ctx, const struct duty_page *p);

/* Start a page at level 0. CG_EEXIST when the alert has one. */
enum cg_err duty_store_page_add(struct duty_store *s, const char *alert_id, int64_t now) CG_MUST_CHECK;
/* Pages that may still escalate: not acknowledged, alert still open. */
enum cg_err duty_store_pages_open(struct duty_store *s, duty_page_fn fn, void *ctx) CG_MUST_CHECK;
/* All pages, latest first, at most `limit` (0: all). */
enum cg_err duty_store_pages(struct duty_store *s, size_t limit, duty_page_fn fn, void *ctx) CG_MUST_CHECK;
enum cg_err duty_store_page_level(struct duty_store *s, const char *alert_id, int level, int64_t now) CG_MUST_CHECK;
/* Acknowledge alert `alert_id` (a page is made when there is none, so it is
 * never paged; its deliveries not yet sent are dropped); CG_ENOTFOUND when no such alert; CG_EEXIST (with who and
 * when in the message) when it was acknowledged before. */
enum cg_err duty_store_ack(struct duty_store *s, const char *alert_id, const char *who, int64_t now) CG_MUST_CHECK;

enum duty_delivery_state { DUTY_PENDING = 0, DUTY_SENT, DUTY_FAILED, DUTY_GAVE_UP, DUTY_DROPPED };
const char *duty_delivery_state_name(enum duty_delivery_state st);

struct duty_delivery {
	int64_t id;
	const char *alert_id;
	int level;
	const char *person, *channel, *target;
	enum duty_delivery_state state;
	unsigned attempts;
	int64_t next_at;   /* when to try (pending, failed) */
	int64_t sent_at;   /* 0 unless sent */
	const char *last_error;
};
typedef enum cg_err (*duty_delivery_fn)(void *ctx, const struct duty_delivery *d);

/* Add a pending delivery due at `now`; one that exists is left alone. */
enum cg_err duty_store_delivery_add(struct duty_store *s, const char *alert_id, int level, const char *person,
				    const char *channel, const char *target, int64_t now) CG_MUST_CHECK;
/* Deliveries due at `now` (pending or failed, next_at <= now) whose alert
 * is not acknowledged and still open; earliest first, at most `limit`. */
enum cg_err duty_store_deliveries_due(struct duty_store *s, int64_t now, size_t limit, duty_delivery_fn fn,
				      void *ctx) CG_MUST_CHECK;
/* The deliveries of one alert (NULL: all), in the order they were made. */
enum cg_err duty_store_deliveries(struct duty_store *s, const char *alert_id, duty_delivery_fn fn,
				  void *ctx) CG_MUST_CHECK;
/* Take delivery `id` for a transfer: when it is still due at `now`, move
 * its next try to `lease_until` (a crash mid-transfer retries it then; a
 * second engine does not take it meanwhile) and set *claimed to 1, else 0.
 * Commits its own short transaction. */
enum cg_err duty_store_claim(struct duty_store *s, int64_t id, int64_t now, int64_t lease_until,
			     int *claimed) CG_MUST_CHECK;
/* Record an attempt of delivery `id` at `now`: sent (error NULL), or failed
 * with `error` and the next try at `next_at` (0: given up). */
enum cg_err duty_store_attempt(struct duty_store *s, int64_t id, int64_t now, const char *error,
			       int64_t next_at) CG_MUST_CHECK;

struct duty_attempt {
	const char *alert_id;
	int level;
	const char *person, *channel, *target;
	int64_t at;
	int ok;
	const char *error; /* "" when sent */
};
typedef enum cg_err (*duty_attempt_fn)(void *ctx, const struct duty_attempt *a);
/* Every attempt for `alert_id` (NULL: all), in time order. */
enum cg_err duty_store_attempts(struct duty_store *s, const char *alert_id, duty_attempt_fn fn,
				void *ctx) CG_MUST_CHECK;

#endif
