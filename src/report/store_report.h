/* store_report — read-only aggregates for the readiness report: hits per
 * day, blocking orders with their state. No SQLite types here. */
#ifndef CG_STORE_REPORT_H
#define CG_STORE_REPORT_H

#include <stdint.h>

#include "cg_err.h"
#include "db.h"

/* Hunt hits (distinct log lines) and Sigma hits per UTC day in
 * [from, to); `day` is the Unix time of the day's midnight. */
typedef enum cg_err (*report_day_fn)(void *ctx, int64_t day, int64_t ioc_hits, int64_t sigma_hits);
enum cg_err store_report_hits_per_day(struct cg_db *db, int64_t from, int64_t to, report_day_fn fn,
				      void *ctx) CG_MUST_CHECK;

struct report_order_row {
	const char *ref;
	int64_t issued_at, deadline_at, received_at, n_targets;
	int64_t n_live; /* decisions of the order in force at `now` */
};
typedef enum cg_err (*report_order_fn)(void *ctx, const struct report_order_row *o);
enum cg_err store_report_orders(struct cg_db *db, int64_t now, report_order_fn fn, void *ctx) CG_MUST_CHECK;

#endif
