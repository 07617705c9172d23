/* duty — the notification and escalation engine.
 *
 * Decoupled from detection through the database: alerts are in the alert
 * store, the engine reads them. Each duty_tick(now):
 *   1. pages alerts it has not taken up yet — verified ones, and new ones
 *      at or above the roster's min_severity (created within its
 *      max_age_hours) — to the people on duty at `now` (level 0; when a gap
 *      leaves nobody on duty, straight to escalation level 1);
 *   2. escalates each page nobody acknowledged, level by level, when the
 *      level's `after` has passed since the previous level (counted from
 *      when that level was due, so a late tick catches up); reaching the
 *      provincial level moves the alert to 'escalated';
 *   3. delivers what is due: new deliveries and retries of failed ones
 *      (delay doubling from retry.first up to retry.max; after
 *      retry.attempts tries the delivery is given up), each attempt
 *      recorded (alert, level, person, channel, time, result, error).
 * Bookkeeping is written in short transactions and never held across a
 * network transfer; a delivery recorded as sent is never sent again, so a
 * restarted engine resends nothing. An acknowledged alert, or one closed or
 * dismissed, stops escalating and its pending deliveries are dropped.
 *
 * A tick starts no new delivery after DUTY_TICK_BUDGET_S seconds, so it
 * returns within that plus one channel timeout; what is left is due at the
 * next tick. One engine per thread (the daemon calls duty_tick about once
 * a second on its own thread and its own database connection); the CLI's
 * `canhgac duty tick` runs one tick. Times are seconds since the epoch. */
#ifndef CG_DUTY_H
#define CG_DUTY_H

#include <stddef.h>
#include <stdint.h>

#include "cg_db.h"
#include "cg_err.h"
#include "roster.h"

#define DUTY_TICK_BUDGET_S 20
/* Per tick: at most this many new pages and deliveries (the rest wait). */
#define DUTY_TICK_MAX_PAGES 200
#define DUTY_TICK_MAX_DELIVERIES 200

struct duty;

/* Load the roster at `roster_path` and prepare the engine on `db` (borrowed
 * until duty_free; the tables are made by cg_db_open's migrations). On
 * failure *out is NULL and `err` (errn bytes, may be NULL) holds the
 * message, which also is the thread's cg_err message. `now` is accepted for
 * the contract and currently unused. */
enum cg_err duty_new(struct cg_db *db, const char *roster_path, int64_t now, struct duty **out, char *err,
		     size_t errn) CG_MUST_CHECK;
/* Send what is due at `now` (see above). A failed delivery is not an
 * error of the tick (it is recorded and retried); a database failure is. */
enum cg_err duty_tick(struct duty *d, int64_t now) CG_MUST_CHECK;
void duty_free(struct duty *d); /* NULL is a no-op */

/* What the last tick did. */
struct duty_tick_stats {
	unsigned paged;     /* alerts taken up */
	unsigned escalated; /* escalation steps */
	unsigned sent, failed, gave_up;
	unsigned deferred;  /* due deliveries left for the next tick (budget) */
};
void duty_last_tick(const struct duty *d, struct duty_tick_stats *out);
const struct duty_roster *duty_get_roster(const struct duty *d);
/* Seconds after which a tick starts no new delivery (DUTY_TICK_BUDGET_S). */
void duty_set_budget(struct duty *d, unsigned seconds);

#endif
