/* Report aggregates (see store_report.h). */
#include "store_report.h"

#include "cg_i18n.h"

enum cg_err store_report_hits_per_day(struct cg_db *db, int64_t from, int64_t to, report_day_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	/* Sigma stores event times as ISO 8601 text. */
	enum cg_err rc = cg_db_stmt(db,
				    "WITH d(day, ioc, sig) AS ("
				    "  SELECT seen_at / 86400 * 86400, count(DISTINCT file || ':' || line), 0 FROM hit"
				    "   WHERE seen_at >= ?1 AND seen_at < ?2 GROUP BY 1"
				    "  UNION ALL"
				    "  SELECT CAST(strftime('%s', substr(event_time, 1, 10)) AS INTEGER), 0, count(*)"
				    "   FROM sigma_hit WHERE event_time IS NOT NULL AND length(event_time) >= 10"
				    "   AND CAST(strftime('%s', substr(event_time, 1, 10)) AS INTEGER) >= ?1"
				    "   AND CAST(strftime('%s', substr(event_time, 1, 10)) AS INTEGER) < ?2 GROUP BY 1)"
				    " SELECT day, sum(ioc), sum(sig) FROM d GROUP BY day ORDER BY day",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("counting hits per day"));
}

enum cg_err store_report_orders(struct cg_db *db, int64_t now, report_order_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db,
				    "SELECT o.ref, o.issued_at, o.deadline_at, o.received_at, o.n_targets,"
				    " (SELECT count(*) FROM block_decision d WHERE d.order_id = o.id AND d.created_at <= ?1"
				    "   AND (d.removed_at IS NULL OR d.removed_at > ?1)"
				    "   AND (d.expires_at IS NULL OR d.expires_at > ?1))"
				    " FROM block_order o ORDER BY o.deadline_at DESC, o.ref",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_order_row o = {cg_db_col_text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
					     sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
					     sqlite3_column_int64(st, 5)};
		if ((rc = fn(ctx, &o))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading blocking orders"));
}
