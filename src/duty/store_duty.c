/* The duty engine's records in SQLite (see store_duty.h). */
#include "store_duty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "db.h"

enum {
	ST_CANDIDATES,
	ST_PAGE_ADD,
	ST_PAGES_OPEN,
	ST_PAGES,
	ST_PAGE_LEVEL,
	ST_ALERT_EXISTS,
	ST_PAGE_GET,
	ST_ACK_NEW,
	ST_ACK,
	ST_DELIVERY_ADD,
	ST_DUE,
	ST_DELIVERIES,
	ST_ATTEMPT_ADD,
	ST_DELIVERY_SENT,
	ST_DELIVERY_FAILED,
	ST_ATTEMPTS,
	ST_DROP,
	ST_CLAIM,
	ST_COUNT
};

#define OPEN_STATES "('new', 'verified', 'escalated')"
#define PAGE_COLS                                                                                                     \
	"p.alert_uid, p.level, p.level_at, coalesce(p.acked_by, ''), coalesce(p.acked_at, 0), p.created_at,"          \
	" coalesce(a.state, 'closed'), coalesce(a.severity, 0),"                                                     \
	" coalesce(nullif(a.title, ''), a.indicator, ''), coalesce(a.host_label, '')"
#define DELIVERY_COLS                                                                                                 \
	"d.id, d.alert_uid, d.level, d.person, d.channel, d.target, d.state, d.attempts, coalesce(d.next_at, 0),"    \
	" coalesce(d.sent_at, 0), coalesce(d.last_error, '')"

static const char *const sql[ST_COUNT] = {
	[ST_CANDIDATES] = "SELECT a.uid FROM alert a WHERE NOT EXISTS (SELECT 1 FROM duty_page p WHERE p.alert_uid = a.uid)"
			  " AND ((a.state = 'verified' AND max(a.created_at, coalesce(a.state_at, 0)) >= ?2)"
			  "  OR (a.state = 'new' AND a.severity >= ?1 AND a.created_at >= ?2))"
			  " ORDER BY a.created_at, a.id LIMIT ?3",
	[ST_PAGE_ADD] = "INSERT INTO duty_page(alert_uid, level, level_at, created_at) VALUES(?1, 0, ?2, ?2)",
	[ST_PAGES_OPEN] = "SELECT " PAGE_COLS " FROM duty_page p JOIN alert a ON a.uid = p.alert_uid"
			  " WHERE p.acked_at IS NULL AND a.state IN " OPEN_STATES " ORDER BY p.created_at, p.alert_uid",
	[ST_PAGES] = "SELECT " PAGE_COLS " FROM duty_page p LEFT JOIN alert a ON a.uid = p.alert_uid"
		     " ORDER BY p.created_at DESC, p.alert_uid LIMIT ?1",
	[ST_PAGE_LEVEL] = "UPDATE duty_page SET level = ?2, level_at = ?3 WHERE alert_uid = ?1",
	[ST_ALERT_EXISTS] = "SELECT 1 FROM alert WHERE uid = ?1",
	[ST_PAGE_GET] = "SELECT coalesce(acked_by, ''), coalesce(acked_at, 0) FROM duty_page WHERE alert_uid = ?1",
	[ST_ACK_NEW] = "INSERT INTO duty_page(alert_uid, level, level_at, acked_by, acked_at, created_at)"
		       " VALUES(?1, 0, ?3, ?2, ?3, ?3)",
	[ST_ACK] = "UPDATE duty_page SET acked_by = ?2, acked_at = ?3 WHERE alert_uid = ?1",
	[ST_DELIVERY_ADD] = "INSERT OR IGNORE INTO duty_delivery(alert_uid, level, person, channel, target, state,"
			    " next_at, created_at) VALUES(?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6)",
	[ST_DUE] = "SELECT " DELIVERY_COLS " FROM duty_delivery d JOIN duty_page p ON p.alert_uid = d.alert_uid"
		   " JOIN alert a ON a.uid = d.alert_uid"
		   " WHERE d.state IN ('pending', 'failed') AND d.next_at <= ?1 AND p.acked_at IS NULL"
		   " AND a.state IN " OPEN_STATES " ORDER BY d.next_at, d.id LIMIT ?2",
	[ST_DELIVERIES] = "SELECT " DELIVERY_COLS " FROM duty_delivery d WHERE ?1 IS NULL OR d.alert_uid = ?1"
			  " ORDER BY d.id",
	[ST_ATTEMPT_ADD] = "INSERT INTO duty_attempt(delivery_id, at, ok, error) VALUES(?1, ?2, ?3, ?4)",
	[ST_DELIVERY_SENT] = "UPDATE duty_delivery SET state = 'sent', attempts = attempts + 1, sent_at = ?2,"
			     " next_at = NULL, last_error = NULL WHERE id = ?1",
	[ST_DELIVERY_FAILED] = "UPDATE duty_delivery SET state = CASE WHEN ?3 = 0 THEN 'gave_up' ELSE 'failed' END,"
			       " attempts = attempts + 1, next_at = nullif(?3, 0), last_error = ?2 WHERE id = ?1",
	[ST_ATTEMPTS] = "SELECT d.alert_uid, d.level, d.person, d.channel, d.target, t.at, t.ok, coalesce(t.error, '')"
			" FROM duty_attempt t JOIN duty_delivery d ON d.id = t.delivery_id"
			" WHERE ?1 IS NULL OR d.alert_uid = ?1 ORDER BY t.at, t.id",
	[ST_DROP] = "UPDATE duty_delivery SET state = 'dropped', next_at = NULL"
		    " WHERE alert_uid = ?1 AND state IN ('pending', 'failed')",
	[ST_CLAIM] = "UPDATE duty_delivery SET next_at = ?3 WHERE id = ?1 AND state IN ('pending', 'failed')"
		     " AND next_at <= ?2",
};

struct duty_store {
	struct cg_db *db;
	sqlite3_stmt *st[ST_COUNT];
};

enum cg_err duty_store_open(struct cg_db *db, struct duty_store **out)
{
	struct duty_store *s;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->db = db;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(cg_db_handle(db), sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) !=
		    SQLITE_OK) {
			enum cg_err rc = cg_db_fail(db, _("duty: preparing a statement"));
			duty_store_close(s);
			return rc;
		}
	}
	*out = s;
	return CG_OK;
}

void duty_store_close(struct duty_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

enum cg_err duty_store_begin(struct duty_store *s)
{
	return cg_db_begin(s->db);
}

enum cg_err duty_store_commit(struct duty_store *s)
{
	return cg_db_commit(s->db);
}

void duty_store_rollback(struct duty_store *s)
{
	cg_db_rollback(s->db);
}

static sqlite3_stmt *stmt(struct duty_store *s, int which)
{
	sqlite3_reset(s->st[which]);
	sqlite3_clear_bindings(s->st[which]);
	return s->st[which];
}

enum cg_err duty_store_candidates(struct duty_store *s, enum alert_severity min, int64_t since, size_t limit,
				  duty_id_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_CANDIDATES);
	enum cg_err rc = CG_OK;
	int step;

	sqlite3_bind_int(st, 1, (int)min);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, cg_db_col_text(st, 0))))
			break;
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return cg_db_rows_end(s->db, st, step, _("duty: reading alerts to page"));
}

enum cg_err duty_store_page_add(struct duty_store *s, const char *alert_id, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_PAGE_ADD);
	cg_db_bind_text(st, 1, alert_id);
	sqlite3_bind_int64(st, 2, now);
	return cg_db_step_done(s->db, st, _("duty: recording a page"));
}

static enum cg_err page_rows(struct duty_store *s, sqlite3_stmt *st, duty_page_fn fn, void *ctx)
{
	enum cg_err rc = CG_OK;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		enum alert_state state = ALERT_STATE_CLOSED;
		(void)alert_state_from_name(cg_db_col_text(st, 6), &state);
		struct duty_page p = {
			.alert_id = cg_db_col_text(st, 0),
			.level = sqlite3_column_int(st, 1),
			.level_at = sqlite3_column_int64(st, 2),
			.acked_by = cg_db_col_text(st, 3),
			.acked_at = sqlite3_column_int64(st, 4),
			.created_at = sqlite3_column_int64(st, 5),
			.alert_state = state,
			.severity = (enum alert_severity)sqlite3_column_int(st, 7),
			.title = cg_db_col_text(st, 8),
			.host = cg_db_col_text(st, 9),
		};
		if ((rc = fn(ctx, &p)))
			break;
	}
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return cg_db_rows_end(s->db, st, step, _("duty: reading pages"));
}

enum cg_err duty_store_pages_open(struct duty_store *s, duty_page_fn fn, void *ctx)
{
	return page_rows(s, stmt(s, ST_PAGES_OPEN), fn, ctx);
}

enum cg_err duty_store_pages(struct duty_store *s, size_t limit, duty_page_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_PAGES);
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	return page_rows(s, st, fn, ctx);
}

enum cg_err duty_store_page_level(struct duty_store *s, const char *alert_id, int level, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_PAGE_LEVEL);
	cg_db_bind_text(st, 1, alert_id);
	sqlite3_bind_int(st, 2, level);
	sqlite3_bind_int64(st, 3, now);
	return cg_db_step_done(s->db, st, _("duty: recording an escalation"));
}

enum cg_err duty_store_ack(struct duty_store *s, const char *alert_id, const char *who, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_ALERT_EXISTS);
	int step;

	cg_db_bind_text(st, 1, alert_id);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return cg_err_set(CG_ENOTFOUND, _("duty: no alert '%s'"), alert_id);
	if (step != SQLITE_ROW)
		return cg_db_fail(s->db, _("duty: reading alerts"));

	st = stmt(s, ST_PAGE_GET);
	cg_db_bind_text(st, 1, alert_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_int64(st, 1)) {
		char when[32];
		cg_time_iso(sqlite3_column_int64(st, 1), when, sizeof when);
		enum cg_err rc = cg_err_set(CG_EEXIST, _("duty: alert '%s' was acknowledged by %s at %s"), alert_id,
					    cg_db_col_text(st, 0), when);
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return cg_db_fail(s->db, _("duty: reading pages"));
	st = stmt(s, step == SQLITE_ROW ? ST_ACK : ST_ACK_NEW);
	cg_db_bind_text(st, 1, alert_id);
	cg_db_bind_text(st, 2, who);
	sqlite3_bind_int64(st, 3, now);
	enum cg_err rc = cg_db_step_done(s->db, st, _("duty: recording an acknowledgement"));
	if (rc)
		return rc;
	st = stmt(s, ST_DROP);
	cg_db_bind_text(st, 1, alert_id);
	return cg_db_step_done(s->db, st, _("duty: recording an acknowledgement"));
}

static const char *const state_names[] = {"pending", "sent", "failed", "gave_up", "dropped"};

const char *duty_delivery_state_name(enum duty_delivery_state st)
{
	return (unsigned)st < 5 ? state_names[st] : "";
}

enum cg_err duty_store_delivery_add(struct duty_store *s, const char *alert_id, int level, const char *person,
				    const char *channel, const char *target, int64_t now)
{
	sqlite3_stmt *st = stmt(s, ST_DELIVERY_ADD);
	cg_db_bind_text(st, 1, alert_id);
	sqlite3_bind_int(st, 2, level);
	cg_db_bind_text(st, 3, person);
	cg_db_bind_text(st, 4, channel);
	cg_db_bind_text(st, 5, target ? target : "");
	sqlite3_bind_int64(st, 6, now);
	return cg_db_step_done(s->db, st, _("duty: recording a delivery"));
}

static enum cg_err delivery_rows(struct duty_store *s, sqlite3_stmt *st, duty_delivery_fn fn, void *ctx)
{
	enum cg_err rc = CG_OK;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		enum duty_delivery_state state = DUTY_PENDING;
		const char *sn = cg_db_col_text(st, 6);
		for (int i = 0; i < 5; i++)
			if (strcmp(sn, state_names[i]) == 0)
				state = (enum duty_delivery_state)i;
		struct duty_delivery d = {
			.id = sqlite3_column_int64(st, 0),
			.alert_id = cg_db_col_text(st, 1),
			.level = sqlite3_column_int(st, 2),
			.person = cg_db_col_text(st, 3),
			.channel = cg_db_col_text(st, 4),
			.target = cg_db_col_text(st, 5),
			.state = state,
			.attempts = (unsigned)sqlite3_column_int(st, 7),
			.next_at = sqlite3_column_int64(st, 8),
			.sent_at = sqlite3_column_int64(st, 9),
			.last_error = cg_db_col_text(st, 10),
		};
		if ((rc = fn(ctx, &d)))
			break;
	}
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return cg_db_rows_end(s->db, st, step, _("duty: reading deliveries"));
}

enum cg_err duty_store_deliveries_due(struct duty_store *s, int64_t now, size_t limit, duty_delivery_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_DUE);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	return delivery_rows(s, st, fn, ctx);
}

enum cg_err duty_store_deliveries(struct duty_store *s, const char *alert_id, duty_delivery_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_DELIVERIES);
	cg_db_bind_text(st, 1, alert_id);
	return delivery_rows(s, st, fn, ctx);
}

enum cg_err duty_store_claim(struct duty_store *s, int64_t id, int64_t now, int64_t lease_until, int *claimed)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	*claimed = 0;
	if ((rc = cg_db_begin(s->db)))
		return rc;
	st = stmt(s, ST_CLAIM);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, lease_until);
	if ((rc = cg_db_step_done(s->db, st, _("duty: recording a delivery")))) {
		cg_db_rollback(s->db);
		return rc;
	}
	*claimed = sqlite3_changes(cg_db_handle(s->db)) > 0;
	return cg_db_commit(s->db);
}

enum cg_err duty_store_attempt(struct duty_store *s, int64_t id, int64_t now, const char *error, int64_t next_at)
{
	sqlite3_stmt *st = stmt(s, ST_ATTEMPT_ADD);
	enum cg_err rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, error == NULL);
	cg_db_bind_text(st, 4, error);
	if ((rc = cg_db_step_done(s->db, st, _("duty: recording an attempt"))))
		return rc;
	if (!error) {
		st = stmt(s, ST_DELIVERY_SENT);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
	} else {
		st = stmt(s, ST_DELIVERY_FAILED);
		sqlite3_bind_int64(st, 1, id);
		cg_db_bind_text(st, 2, error);
		sqlite3_bind_int64(st, 3, next_at);
	}
	return cg_db_step_done(s->db, st, _("duty: recording an attempt"));
}

enum cg_err duty_store_attempts(struct duty_store *s, const char *alert_id, duty_attempt_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_ATTEMPTS);
	enum cg_err rc = CG_OK;
	int step;

	cg_db_bind_text(st, 1, alert_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct duty_attempt a = {
			.alert_id = cg_db_col_text(st, 0),
			.level = sqlite3_column_int(st, 1),
			.person = cg_db_col_text(st, 2),
			.channel = cg_db_col_text(st, 3),
			.target = cg_db_col_text(st, 4),
			.at = sqlite3_column_int64(st, 5),
			.ok = sqlite3_column_int(st, 6),
			.error = cg_db_col_text(st, 7),
		};
		if ((rc = fn(ctx, &a)))
			break;
	}
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return cg_db_rows_end(s->db, st, step, _("duty: reading attempts"));
}
