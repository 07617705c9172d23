/* Sigma runs and hits in SQLite (see store_sigma.h). */
#include "store_sigma.h"

#include <string.h>

#include "cg_i18n.h"
#include "db.h"
#include "cg_time.h"
#include "store_alert.h"

/* A Sigma hit as an alert: the rule on the host named by the event
 * (attributed through the inventory by the alert store). */
static enum cg_err add_alert(struct alert_store *as, const struct store_sigma_hit *h, int64_t now)
{
	struct alert a = {
		.kind = ALERT_KIND_SIGMA,
		.rule_id = h->rule_id,
		.title = h->title,
		.level = h->level,
		.severity = alert_severity_from_level(h->level),
		.host = h->computer,
	};
	struct alert_event ev = {
		.file = h->source,
		.record_id = h->record_id,
		.excerpt = h->fields_json ? h->fields_json : "",
	};
	struct cg_time_ctx tc = {now, CG_TIME_OFFSET_VN};
	struct cg_stamp st;

	if (h->time && *h->time && cg_time_parse(h->time, strlen(h->time), CG_TIME_LOG, &tc, &st))
		ev.event_time = cg_time_us_to_s(st.us);
	ev.excerpt_len = strlen(ev.excerpt);
	return alert_store_add(as, &a, &ev, NULL);
}

enum cg_err store_sigma_run_begin(struct cg_db *db, size_t n_rules, int64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db, "INSERT INTO sigma_run(started, rules) VALUES (?, ?)", &st);
	if (rc)
		return rc;
	char ts[32];
	cg_time_iso(cg_now(), ts, sizeof ts);
	cg_db_bind_text(st, 1, ts);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n_rules);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("sigma: start run"));
	*out = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_sigma_add_hits(struct cg_db *db, int64_t run, const struct store_sigma_hit *h, size_t n)
{
	struct alert_store *as;
	int64_t now = cg_now();
	if (n == 0)
		return CG_OK;
	enum cg_err rc = alert_store_open(db, now, &as);
	if (rc)
		return rc;
	if ((rc = cg_db_begin(db))) {
		alert_store_close(as);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st;
		if ((rc = cg_db_stmt(db,
		                     "INSERT INTO sigma_hit(run_id, rule_id, title, level, tags, source, record_id,"
		                     " computer, event_time, channel, event_id, fields)"
		                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		                     &st)))
			goto fail;
		sqlite3_bind_int64(st, 1, run);
		cg_db_bind_text(st, 2, h[i].rule_id ? h[i].rule_id : "");
		cg_db_bind_text(st, 3, h[i].title ? h[i].title : "");
		cg_db_bind_text(st, 4, h[i].level ? h[i].level : "");
		cg_db_bind_text(st, 5, h[i].tags_json ? h[i].tags_json : "[]");
		cg_db_bind_text(st, 6, h[i].source ? h[i].source : "");
		if (h[i].record_id)
			sqlite3_bind_int64(st, 7, (sqlite3_int64)h[i].record_id);
		cg_db_bind_text(st, 8, h[i].computer && *h[i].computer ? h[i].computer : NULL);
		cg_db_bind_text(st, 9, h[i].time && *h[i].time ? h[i].time : NULL);
		cg_db_bind_text(st, 10, h[i].channel && *h[i].channel ? h[i].channel : NULL);
		if (h[i].event_id >= 0)
			sqlite3_bind_int64(st, 11, h[i].event_id);
		cg_db_bind_text(st, 12, h[i].fields_json ? h[i].fields_json : "{}");
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = cg_db_fail(db, _("sigma: store hit"));
			goto fail;
		}
		if ((rc = add_alert(as, &h[i], now)))
			goto fail;
	}
	rc = cg_db_commit(db);
	alert_store_close(as);
	return rc;
fail:
	cg_db_rollback(db);
	alert_store_close(as);
	return rc;
}

enum cg_err store_sigma_run_finish(struct cg_db *db, int64_t run, uint64_t files, uint64_t events, uint64_t hits)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db, "UPDATE sigma_run SET files = ?, events = ?, hits = ? WHERE id = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)files);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)events);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)hits);
	sqlite3_bind_int64(st, 4, run);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("sigma: finish run"));
	return CG_OK;
}

enum cg_err store_sigma_hit_count(struct cg_db *db, int64_t run, uint64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db, "SELECT count(*) FROM sigma_hit WHERE run_id = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) != SQLITE_ROW)
		return cg_db_fail(db, _("sigma: count hits"));
	*out = (uint64_t)sqlite3_column_int64(st, 0);
	return CG_OK;
}
