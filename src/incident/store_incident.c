#include "store_incident.h"

#include <stdio.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "custody.h"

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static enum cg_err not_found(int64_t id)
{
	return cg_err_set(CG_ENOTFOUND, _("incident %lld does not exist"), (long long)id);
}

static enum cg_err check_exists(struct cg_db *db, int64_t id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db, "SELECT 1 FROM incident WHERE id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		sqlite3_reset(st);
		return CG_OK;
	}
	if ((rc = cg_db_rows_end(db, st, s, "incident")))
		return rc;
	return not_found(id);
}

static enum cg_err too_long(const char *what, const char *s)
{
	if (s && strlen(s) > INCIDENT_TEXT_MAX)
		return cg_err_set(CG_ELIMIT, _("%s is longer than %d bytes"), what, INCIDENT_TEXT_MAX);
	return CG_OK;
}

enum cg_err store_incident_event_add(struct cg_db *db, int64_t id, int64_t at, const char *kind, const char *text,
				     const char *actor)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = too_long("text", text)) || (rc = check_exists(db, id)))
		return rc;
	if ((rc = cg_db_stmt(db, "INSERT INTO incident_event(incident_id, at, kind, text, actor) VALUES (?,?,?,?,?)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	cg_db_bind_text(st, 3, kind);
	cg_db_bind_text(st, 4, text);
	cg_db_bind_text(st, 5, actor);
	return cg_db_step_done(db, st, "incident_event");
}

static enum cg_err system_id(struct cg_db *db, const char *name, int64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	*out = 0;
	if (!name || !*name)
		return CG_OK;
	if ((rc = cg_db_stmt(db, "SELECT id FROM system WHERE name = ?", &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return CG_OK;
	}
	if ((rc = cg_db_rows_end(db, st, s, "system")))
		return rc;
	return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), name);
}

enum cg_err store_incident_open(struct cg_db *db, const struct incident_new *n, int64_t now, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t sys;

	if ((rc = too_long("title", n->title)) || (rc = too_long("description", n->description)))
		return rc;
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = system_id(db, n->system, &sys)))
		goto fail;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO incident(title, system_id, severity, category, status, description,"
			     " discovered_at, opened_at) VALUES (?,?,?,?,'open',?,?,?)",
			     &st)))
		goto fail;
	cg_db_bind_text(st, 1, n->title);
	if (sys)
		sqlite3_bind_int64(st, 2, sys);
	cg_db_bind_text(st, 3, n->severity);
	cg_db_bind_text(st, 4, n->category);
	cg_db_bind_text(st, 5, n->description);
	sqlite3_bind_int64(st, 6, n->discovered_at ? n->discovered_at : now);
	sqlite3_bind_int64(st, 7, now);
	if ((rc = cg_db_step_done(db, st, "incident")))
		goto fail;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	if ((rc = store_incident_event_add(db, *id, now, "opened", n->title, n->actor)))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

#define INCIDENT_COLS                                                                                        \
	"SELECT i.id, i.title, COALESCE(s.name, ''), COALESCE(s.level, 0), i.severity, i.category, i.status," \
	" COALESCE(i.description, ''), i.discovered_at, i.opened_at, i.response_ended_at,"                   \
	" i.initial_reported_at, i.final_reported_at, i.closed_at, COALESCE(s.owner, '')"                     \
	" FROM incident i LEFT JOIN system s ON s.id = i.system_id "

static enum cg_err incident_rows(struct cg_db *db, sqlite3_stmt *st, incident_row_fn fn, void *ctx, int *n)
{
	enum cg_err rc = CG_OK;
	int s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct incident_row r = {
			.id = sqlite3_column_int64(st, 0),
			.title = cg_db_col_text(st, 1),
			.system = cg_db_col_text(st, 2),
			.level = sqlite3_column_int(st, 3),
			.severity = cg_db_col_text(st, 4),
			.category = cg_db_col_text(st, 5),
			.status = cg_db_col_text(st, 6),
			.description = cg_db_col_text(st, 7),
			.discovered_at = col_i64(st, 8),
			.opened_at = col_i64(st, 9),
			.response_ended_at = col_i64(st, 10),
			.initial_reported_at = col_i64(st, 11),
			.final_reported_at = col_i64(st, 12),
			.closed_at = col_i64(st, 13),
			.system_owner = cg_db_col_text(st, 14),
		};
		(*n)++;
		if ((rc = fn(ctx, &r))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "incident");
}

enum cg_err store_incident_get(struct cg_db *db, int64_t id, incident_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int n = 0;

	if ((rc = cg_db_stmt(db, INCIDENT_COLS "WHERE i.id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = incident_rows(db, st, fn, ctx, &n)))
		return rc;
	return n ? CG_OK : not_found(id);
}

enum cg_err store_incident_foreach(struct cg_db *db, incident_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int n = 0;

	if ((rc = cg_db_stmt(db, INCIDENT_COLS "ORDER BY i.id DESC", &st)))
		return rc;
	return incident_rows(db, st, fn, ctx, &n);
}

enum cg_err store_incident_set_status(struct cg_db *db, int64_t id, const char *status, const char *actor,
				      int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = check_exists(db, id)))
		goto fail;
	if ((rc = cg_db_stmt(db,
			     "UPDATE incident SET status = ?2,"
			     " response_ended_at = CASE WHEN ?2 IN ('resolved', 'closed')"
			     "   THEN COALESCE(response_ended_at, ?3) ELSE response_ended_at END,"
			     " closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE NULL END"
			     " WHERE id = ?1",
			     &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = cg_db_step_done(db, st, "incident")) ||
	    (rc = store_incident_event_add(db, id, now, "status", status, actor)))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

enum cg_err store_incident_mark_reported(struct cg_db *db, int64_t id, int final, int64_t at)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = check_exists(db, id)))
		return rc;
	if ((rc = cg_db_stmt(db,
			     final ? "UPDATE incident SET final_reported_at = ? WHERE id = ?"
				   : "UPDATE incident SET initial_reported_at = ? WHERE id = ?",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = cg_db_step_done(db, st, "incident")))
		return rc;
	return store_incident_event_add(db, id, at, "reported", final ? "final report" : "initial report", NULL);
}

enum cg_err store_incident_events(struct cg_db *db, int64_t id, incident_event_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = check_exists(db, id)) ||
	    (rc = cg_db_stmt(db,
			     "SELECT at, kind, text, COALESCE(actor, '') FROM incident_event"
			     " WHERE incident_id = ? ORDER BY at, id",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, sqlite3_column_int64(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
			     cg_db_col_text(st, 3)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "incident_event");
}

enum cg_err store_incident_task_add(struct cg_db *db, int64_t id, const char *title, const char *owner,
				    int64_t due_at, int64_t now, int64_t *task_id)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = too_long("task", title)))
		return rc;
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = check_exists(db, id)) ||
	    (rc = cg_db_stmt(db, "INSERT INTO incident_task(incident_id, title, owner, due_at) VALUES (?,?,?,?)",
			     &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, title);
	cg_db_bind_text(st, 3, owner);
	if (due_at)
		sqlite3_bind_int64(st, 4, due_at);
	if ((rc = cg_db_step_done(db, st, "incident_task")))
		goto fail;
	*task_id = sqlite3_last_insert_rowid(cg_db_handle(db));
	if ((rc = store_incident_event_add(db, id, now, "task", title, owner)))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

enum cg_err store_incident_task_done(struct cg_db *db, int64_t id, int64_t task_id, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "UPDATE incident_task SET done_at = ? WHERE incident_id = ? AND id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, task_id);
	if ((rc = cg_db_step_done(db, st, "incident_task")))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("incident %lld has no task %lld"), (long long)id, (long long)task_id);
	return CG_OK;
}

enum cg_err store_incident_tasks(struct cg_db *db, int64_t id, incident_task_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = check_exists(db, id)) ||
	    (rc = cg_db_stmt(db,
			     "SELECT id, title, owner, due_at, done_at FROM incident_task WHERE incident_id = ?"
			     " ORDER BY id",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct incident_task t = {sqlite3_column_int64(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
					  col_i64(st, 3), col_i64(st, 4)};
		if ((rc = fn(ctx, &t))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "incident_task");
}

enum cg_err store_incident_link(struct cg_db *db, int64_t id, const struct incident_link *l, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = too_long("reference", l->ref)) || (rc = too_long("note", l->note)) || (rc = check_exists(db, id)))
		return rc;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO incident_link(incident_id, kind, ref, subtype, confirmed, note, first_seen,"
			     " last_seen, count, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
			     " ON CONFLICT(incident_id, kind, ref) DO UPDATE SET"
			     " confirmed = MAX(confirmed, excluded.confirmed),"
			     " note = COALESCE(excluded.note, note),"
			     " first_seen = MIN(COALESCE(first_seen, excluded.first_seen),"
			     "   COALESCE(excluded.first_seen, first_seen)),"
			     " last_seen = MAX(COALESCE(last_seen, excluded.last_seen),"
			     "   COALESCE(excluded.last_seen, last_seen)),"
			     " count = count + excluded.count",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, l->kind);
	cg_db_bind_text(st, 3, l->ref);
	cg_db_bind_text(st, 4, l->subtype);
	sqlite3_bind_int(st, 5, l->confirmed ? 1 : 0);
	cg_db_bind_text(st, 6, l->note && *l->note ? l->note : NULL);
	if (l->first_seen)
		sqlite3_bind_int64(st, 7, l->first_seen);
	if (l->last_seen)
		sqlite3_bind_int64(st, 8, l->last_seen);
	sqlite3_bind_int64(st, 9, l->count > 0 ? l->count : 1);
	sqlite3_bind_int64(st, 10, now);
	return cg_db_step_done(db, st, "incident_link");
}

enum cg_err store_incident_confirm(struct cg_db *db, int64_t id, const char *ref)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "UPDATE incident_link SET confirmed = 1 WHERE incident_id = ? AND kind = 'indicator'"
			     " AND ref = ?",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, ref);
	if ((rc = cg_db_step_done(db, st, "incident_link")))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("indicator '%s' is not linked to incident %lld"), ref, (long long)id);
	return CG_OK;
}

enum cg_err store_incident_links(struct cg_db *db, int64_t id, const char *kind, incident_link_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = check_exists(db, id)) ||
	    (rc = cg_db_stmt(db,
			     "SELECT kind, ref, subtype, confirmed, COALESCE(note, ''), first_seen, last_seen, count"
			     " FROM incident_link WHERE incident_id = ?1 AND (?2 IS NULL OR kind = ?2)"
			     " ORDER BY kind, ref",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, kind);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct incident_link l = {
			.kind = cg_db_col_text(st, 0),
			.ref = cg_db_col_text(st, 1),
			.subtype = cg_db_col_text(st, 2),
			.confirmed = sqlite3_column_int(st, 3),
			.note = cg_db_col_text(st, 4),
			.first_seen = col_i64(st, 5),
			.last_seen = col_i64(st, 6),
			.count = sqlite3_column_int64(st, 7),
		};
		if ((rc = fn(ctx, &l))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "incident_link");
}

enum cg_err store_incident_field_set(struct cg_db *db, int64_t id, const char *key, const char *value)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = too_long(key, value)) || (rc = check_exists(db, id)))
		return rc;
	if ((rc = cg_db_stmt(db,
			     value && *value
				     ? "INSERT INTO incident_field(incident_id, key, value) VALUES (?,?,?)"
				       " ON CONFLICT(incident_id, key) DO UPDATE SET value = excluded.value"
				     : "DELETE FROM incident_field WHERE incident_id = ? AND key = ?",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cg_db_bind_text(st, 2, key);
	if (value && *value)
		cg_db_bind_text(st, 3, value);
	return cg_db_step_done(db, st, "incident_field");
}

enum cg_err store_incident_fields(struct cg_db *db, int64_t id, incident_field_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db, "SELECT key, value FROM incident_field WHERE incident_id = ? ORDER BY key", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, cg_db_col_text(st, 0), cg_db_col_text(st, 1)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "incident_field");
}

enum cg_err store_incident_host_addrs(struct cg_db *db, int64_t id, incident_addr_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db,
			     "SELECT DISTINCT h.name, COALESCE(a.addr, ''), COALESCE(h.os, '') FROM host h"
			     " LEFT JOIN host_addr a ON a.host_id = h.id"
			     " WHERE h.name IN (SELECT ref FROM incident_link WHERE incident_id = ?1 AND kind = 'host')"
			     " OR h.system_id = (SELECT system_id FROM incident WHERE id = ?1)"
			     " ORDER BY h.name, a.addr",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, cg_db_col_text(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "host");
}

enum cg_err store_evidence_add(struct cg_db *db, const struct evidence_row *e, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "INSERT INTO evidence(incident_id, name, sha256, md5, size, source_host, source_path,"
			     " collector, collected_at, note) VALUES (?,?,?,?,?,?,?,?,?,?)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, e->incident_id);
	cg_db_bind_text(st, 2, e->name);
	cg_db_bind_text(st, 3, e->sha256);
	cg_db_bind_text(st, 4, e->md5);
	sqlite3_bind_int64(st, 5, e->size);
	cg_db_bind_text(st, 6, e->source_host);
	cg_db_bind_text(st, 7, e->source_path);
	cg_db_bind_text(st, 8, e->collector);
	sqlite3_bind_int64(st, 9, e->collected_at);
	cg_db_bind_text(st, 10, e->note && *e->note ? e->note : NULL);
	if ((rc = cg_db_step_done(db, st, "evidence")))
		return rc;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_evidence_foreach(struct cg_db *db, int64_t incident_id, evidence_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = check_exists(db, incident_id)) ||
	    (rc = cg_db_stmt(db,
			     "SELECT id, incident_id, name, sha256, md5, size, source_host, source_path, collector,"
			     " collected_at, COALESCE(note, '') FROM evidence WHERE incident_id = ? ORDER BY id",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, incident_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct evidence_row e = {
			.id = sqlite3_column_int64(st, 0),
			.incident_id = sqlite3_column_int64(st, 1),
			.name = cg_db_col_text(st, 2),
			.sha256 = cg_db_col_text(st, 3),
			.md5 = cg_db_col_text(st, 4),
			.size = sqlite3_column_int64(st, 5),
			.source_host = cg_db_col_text(st, 6),
			.source_path = cg_db_col_text(st, 7),
			.collector = cg_db_col_text(st, 8),
			.collected_at = sqlite3_column_int64(st, 9),
			.note = cg_db_col_text(st, 10),
		};
		if ((rc = fn(ctx, &e))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "evidence");
}

enum cg_err store_custody_append(struct cg_db *db, int64_t incident_id, int64_t at, const char *action,
				 const char *actor, const char *sha256, const char *detail)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t seq = 1;
	char prev[65] = CUSTODY_ZERO, hash[65];
	struct cg_buf body;
	int s;

	if ((rc = cg_db_stmt(db, "SELECT seq, hash FROM custody WHERE incident_id = ? ORDER BY seq DESC LIMIT 1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, incident_id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s", cg_db_col_text(st, 1));
		sqlite3_reset(st);
	} else if ((rc = cg_db_rows_end(db, st, s, "custody"))) {
		return rc;
	}
	cg_buf_init(&body, CUSTODY_LINE_MAX);
	if ((rc = custody_body(&body, seq, at, action, actor, sha256, detail)) ||
	    (rc = custody_hash(prev, body.data, body.len, hash))) {
		cg_buf_free(&body);
		return rc == CG_ELIMIT ? cg_err_set(rc, "%s", _("custody entry longer than 16 KiB")) : rc;
	}
	cg_buf_free(&body);
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO custody(seq, incident_id, at, action, actor, sha256, detail, prev, hash)"
			     " VALUES (?,?,?,?,?,?,?,?,?)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, incident_id);
	sqlite3_bind_int64(st, 3, at);
	cg_db_bind_text(st, 4, action);
	cg_db_bind_text(st, 5, actor);
	cg_db_bind_text(st, 6, sha256);
	cg_db_bind_text(st, 7, detail);
	cg_db_bind_text(st, 8, prev);
	cg_db_bind_text(st, 9, hash);
	return cg_db_step_done(db, st, "custody");
}

enum cg_err store_custody_foreach(struct cg_db *db, int64_t incident_id, custody_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db,
			     "SELECT seq, at, action, actor, sha256, detail, prev, hash FROM custody"
			     " WHERE incident_id = ? ORDER BY seq",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, incident_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct custody_entry e = {
			.seq = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.action = cg_db_col_text(st, 2),
			.actor = cg_db_col_text(st, 3),
			.sha256 = cg_db_col_text(st, 4),
			.detail = cg_db_col_text(st, 5),
		};
		snprintf(e.prev, sizeof e.prev, "%s", cg_db_col_text(st, 6));
		snprintf(e.hash, sizeof e.hash, "%s", cg_db_col_text(st, 7));
		if ((rc = fn(ctx, &e))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, "custody");
}
