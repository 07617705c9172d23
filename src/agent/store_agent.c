#include "store_agent.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cg_i18n.h"

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

enum cg_err store_agent_token_add(struct cg_db *db, const char *secret_sha256, const char *name, int64_t now,
				  int64_t expires_at, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO agent_token(secret_sha256, name, created_at, expires_at) VALUES(?, ?, ?, ?)",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, secret_sha256, -1, SQLITE_TRANSIENT);
	cg_db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	if ((rc = cg_db_step_done(db, st, "agent token")))
		return rc;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

static enum cg_err refuse(const char *why)
{
	return cg_err_set(CG_EINVAL, _("enrolment refused: %s"), why);
}

static enum cg_err check_token(struct cg_db *db, int64_t token_id, const char *secret_sha256, int64_t now,
			       char *name, size_t n)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;
	if ((rc = cg_db_stmt(db, "SELECT secret_sha256, name, expires_at, used_at FROM agent_token WHERE id = ?",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, token_id);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		if ((rc = cg_db_rows_end(db, st, step, "agent token")))
			return rc;
		return refuse(_("unknown token"));
	}
	const char *h = cg_db_col_text(st, 0);
	int same = strlen(h) == 64 && strlen(secret_sha256) == 64 && CRYPTO_memcmp(h, secret_sha256, 64) == 0;
	int used = sqlite3_column_type(st, 3) != SQLITE_NULL;
	int64_t exp = col_i64(st, 2);
	snprintf(name, n, "%s", cg_db_col_text(st, 1));
	sqlite3_reset(st);
	if (!same)
		return refuse(_("unknown token"));
	if (used)
		return refuse(_("the token was used already"));
	if (now >= exp)
		return refuse(_("the token has expired"));
	return CG_OK;
}

enum cg_err store_agent_enroll(struct cg_db *db, int64_t token_id, const char *secret_sha256, const char *hostname,
			       const char *version, int64_t now, store_agent_issue_fn issue, void *ctx,
			       int64_t *agent_id)
{
	sqlite3_stmt *st;
	char name[256], serial[41];
	enum cg_err rc;
	int64_t id;

	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = check_token(db, token_id, secret_sha256, now, name, sizeof name)))
		goto fail;
	if ((rc = cg_db_stmt(db, "INSERT INTO agent(name, hostname, version, enrolled_at) VALUES(?, ?, ?, ?)", &st)))
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = cg_db_step_done(db, st, "agent")))
		goto fail;
	id = sqlite3_last_insert_rowid(cg_db_handle(db));
	if (!name[0]) {
		snprintf(name, sizeof name, "agent-%lld", (long long)id);
		if ((rc = cg_db_stmt(db, "UPDATE agent SET name = ? WHERE id = ?", &st)))
			goto fail;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, id);
		if ((rc = cg_db_step_done(db, st, "agent")))
			goto fail;
	}
	if ((rc = issue(ctx, id, serial)))
		goto fail;
	if ((rc = cg_db_stmt(db, "UPDATE agent SET cert_serial = ? WHERE id = ?", &st)))
		goto fail;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = cg_db_step_done(db, st, "agent")))
		goto fail;
	if ((rc = cg_db_stmt(db, "UPDATE agent_token SET used_at = ?, agent_id = ? WHERE id = ?", &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, token_id);
	if ((rc = cg_db_step_done(db, st, "agent token")) || (rc = cg_db_commit(db)))
		goto fail;
	*agent_id = id;
	return CG_OK;
fail:
	cg_db_rollback(db);
	return rc;
}

static enum cg_err ident_row(struct cg_db *db, sqlite3_stmt *st, struct agent_ident *out, const char *what)
{
	int step = sqlite3_step(st);
	enum cg_err rc;
	if (step != SQLITE_ROW) {
		if ((rc = cg_db_rows_end(db, st, step, "agent")))
			return rc;
		return cg_err_set(CG_ENOTFOUND, _("no agent %s"), what);
	}
	out->id = col_i64(st, 0);
	snprintf(out->name, sizeof out->name, "%s", cg_db_col_text(st, 1));
	out->revoked = sqlite3_column_type(st, 2) != SQLITE_NULL;
	sqlite3_reset(st);
	return CG_OK;
}

enum cg_err store_agent_by_serial(struct cg_db *db, const char *serial, struct agent_ident *out)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "SELECT id, name, revoked_at FROM agent WHERE cert_serial = ?", &st)))
		return rc;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_TRANSIENT);
	return ident_row(db, st, out, serial);
}

enum cg_err store_agent_get(struct cg_db *db, int64_t id, struct agent_ident *out)
{
	sqlite3_stmt *st;
	char what[32];
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "SELECT id, name, revoked_at FROM agent WHERE id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	snprintf(what, sizeof what, "%lld", (long long)id);
	return ident_row(db, st, out, what);
}

enum cg_err store_agent_seen(struct cg_db *db, int64_t id, int64_t now, const char *hostname, const char *version,
			     const char *addresses_json)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "UPDATE agent SET last_seen = ?, hostname = ?, version = ?, addresses = ? WHERE id = ?",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, hostname, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, addresses_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, id);
	return cg_db_step_done(db, st, "agent");
}

enum cg_err store_agent_revoke(struct cg_db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "UPDATE agent SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = cg_db_step_done(db, st, "agent")))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("no agent %lld"), (long long)id);
	return CG_OK;
}

enum cg_err store_agent_report_seen(struct cg_db *db, int64_t id, int64_t seq, int *seen)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;
	if ((rc = cg_db_stmt(db, "SELECT 1 FROM agent_report WHERE agent_id = ? AND seq = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, seq);
	step = sqlite3_step(st);
	*seen = step == SQLITE_ROW;
	if (*seen) {
		sqlite3_reset(st);
		return CG_OK;
	}
	return cg_db_rows_end(db, st, step, "agent report");
}

enum cg_err store_agent_report_done(struct cg_db *db, int64_t id, int64_t seq, const char *kind, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db,
			     "INSERT OR IGNORE INTO agent_report(agent_id, seq, kind, received_at) VALUES(?, ?, ?, ?)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return cg_db_step_done(db, st, "agent report");
}

enum cg_err store_agent_inventory(struct cg_db *db, int64_t id, const char *os, const char *kernel,
				  const char *ports_json, const char *users_json, int64_t packages, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db,
			     "UPDATE agent SET os = ?, kernel = ?, ports = ?, users = ?, packages = ?, inventory_at = ?"
			     " WHERE id = ?",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, os, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kernel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ports_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, users_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, packages);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, id);
	return cg_db_step_done(db, st, "agent inventory");
}

enum cg_err store_agent_logs(struct cg_db *db, int64_t id, const char *file, int64_t offset,
			     const char *const *lines, size_t n, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = cg_db_stmt(db, "INSERT INTO agent_log(agent_id, file, offset, line, received_at) VALUES(?, ?, ?, ?, ?)",
			     &st)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, file, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, offset);
		sqlite3_bind_text(st, 4, lines[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, now);
		if ((rc = cg_db_step_done(db, st, "agent log")))
			goto fail;
		offset += (int64_t)strlen(lines[i]) + 1;
	}
	if ((rc = cg_db_stmt(db,
			     "DELETE FROM agent_log WHERE agent_id = ?1 AND id <= (SELECT id FROM agent_log WHERE"
			     " agent_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
			     &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, AGENT_LOG_KEEP);
	if ((rc = cg_db_step_done(db, st, "agent log")))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

enum cg_err store_agent_task_add(struct cg_db *db, int64_t agent_id, const char *kind, const char *path,
				 int64_t incident_id, const char *rules_json, int64_t now, int64_t *id)
{
	sqlite3_stmt *st;
	struct agent_ident a;
	enum cg_err rc;
	if ((rc = store_agent_get(db, agent_id, &a)))
		return rc;
	if (a.revoked)
		return cg_err_set(CG_EINVAL, _("agent %lld is revoked"), (long long)agent_id);
	if ((rc = cg_db_stmt(db, "INSERT INTO agent_task(agent_id, kind, path, incident_id, created_at, rules) VALUES(?, ?, ?, ?, ?, ?)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, agent_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	if (incident_id)
		sqlite3_bind_int64(st, 4, incident_id);
	sqlite3_bind_int64(st, 5, now);
	if (rules_json)
		sqlite3_bind_text(st, 6, rules_json, -1, SQLITE_TRANSIENT);
	if ((rc = cg_db_step_done(db, st, "agent task")))
		return rc;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

#define TASK_COLS "id, agent_id, kind, path, incident_id, state, created_at, sent_at, done_at, error, result, evidence_id, rules"

static void task_row(sqlite3_stmt *st, struct agent_task_row *t)
{
	t->id = col_i64(st, 0);
	t->agent_id = col_i64(st, 1);
	t->kind = cg_db_col_text(st, 2);
	t->path = cg_db_col_text(st, 3);
	t->incident_id = col_i64(st, 4);
	t->state = cg_db_col_text(st, 5);
	t->created_at = col_i64(st, 6);
	t->sent_at = col_i64(st, 7);
	t->done_at = col_i64(st, 8);
	t->error = cg_db_col_text(st, 9);
	t->result = cg_db_col_text(st, 10);
	t->evidence_id = col_i64(st, 11);
	t->rules = cg_db_col_text(st, 12);
}

static enum cg_err task_rows(struct cg_db *db, sqlite3_stmt *st, size_t max, agent_task_fn fn, void *ctx)
{
	struct agent_task_row t;
	enum cg_err rc = CG_OK;
	size_t n = 0;
	int step;
	while (n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		task_row(st, &t);
		n++;
		if ((rc = fn(ctx, &t))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	if (n >= max) {
		sqlite3_reset(st);
		return CG_OK;
	}
	return cg_db_rows_end(db, st, step, "agent task");
}

enum cg_err store_agent_tasks_open(struct cg_db *db, int64_t id, size_t max, int64_t now, agent_task_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db,
			     "UPDATE agent_task SET state = 'sent', sent_at = ?2 WHERE id IN (SELECT id FROM agent_task"
			     " WHERE agent_id = ?1 AND state IN ('pending', 'sent') ORDER BY id LIMIT ?3)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	if ((rc = cg_db_step_done(db, st, "agent task")))
		return rc;
	if ((rc = cg_db_stmt(db, "SELECT " TASK_COLS " FROM agent_task WHERE agent_id = ? AND state = 'sent' ORDER BY id",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return task_rows(db, st, max, fn, ctx);
}

enum cg_err store_agent_task_get(struct cg_db *db, int64_t agent_id, int64_t task_id, agent_task_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	struct agent_task_row t;
	enum cg_err rc;
	int step;
	if ((rc = cg_db_stmt(db, "SELECT " TASK_COLS " FROM agent_task WHERE id = ? AND agent_id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, task_id);
	sqlite3_bind_int64(st, 2, agent_id);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		if ((rc = cg_db_rows_end(db, st, step, "agent task")))
			return rc;
		return cg_err_set(CG_ENOTFOUND, _("agent %lld has no task %lld"), (long long)agent_id,
				  (long long)task_id);
	}
	task_row(st, &t);
	rc = fn(ctx, &t);
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_agent_task_finish(struct cg_db *db, int64_t agent_id, int64_t task_id, int ok, const char *error,
				    const char *result_json, int64_t evidence_id, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db,
			     "UPDATE agent_task SET state = ?, error = ?, result = ?, evidence_id = ?, done_at = ?"
			     " WHERE id = ? AND agent_id = ? AND state IN ('pending', 'sent')",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, ok ? "done" : "failed", -1, SQLITE_STATIC);
	cg_db_bind_text(st, 2, error);
	cg_db_bind_text(st, 3, result_json);
	if (evidence_id)
		sqlite3_bind_int64(st, 4, evidence_id);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, task_id);
	sqlite3_bind_int64(st, 7, agent_id);
	return cg_db_step_done(db, st, "agent task");
}

enum cg_err store_agent_tasks(struct cg_db *db, int64_t agent_id, agent_task_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "SELECT " TASK_COLS " FROM agent_task WHERE ?1 = 0 OR agent_id = ?1 ORDER BY id DESC",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, agent_id);
	return task_rows(db, st, SIZE_MAX, fn, ctx);
}

enum cg_err store_agent_foreach(struct cg_db *db, agent_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	struct agent_row r;
	enum cg_err rc;
	int step;
	if ((rc = cg_db_stmt(db,
			     "SELECT id, name, hostname, version, addresses, os, kernel, cert_serial, enrolled_at,"
			     " last_seen, revoked_at, inventory_at, packages, ports, users,"
			     " (SELECT count(*) FROM agent_task t WHERE t.agent_id = a.id AND t.state IN ('pending', 'sent')),"
			     " (SELECT count(*) FROM agent_log l WHERE l.agent_id = a.id)"
			     " FROM agent a ORDER BY id",
			     &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct agent_row){
			.id = col_i64(st, 0),
			.name = cg_db_col_text(st, 1),
			.hostname = cg_db_col_text(st, 2),
			.version = cg_db_col_text(st, 3),
			.addresses = cg_db_col_text(st, 4),
			.os = cg_db_col_text(st, 5),
			.kernel = cg_db_col_text(st, 6),
			.serial = cg_db_col_text(st, 7),
			.enrolled_at = col_i64(st, 8),
			.last_seen = col_i64(st, 9),
			.revoked_at = col_i64(st, 10),
			.inventory_at = col_i64(st, 11),
			.packages = col_i64(st, 12),
			.ports = cg_db_col_text(st, 13),
			.users = cg_db_col_text(st, 14),
			.pending_tasks = col_i64(st, 15),
			.log_lines = col_i64(st, 16),
		};
		if ((rc = fn(ctx, &r))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, "agent");
}

enum cg_err store_agent_log_foreach(struct cg_db *db, int64_t agent_id, agent_log_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	struct agent_log_row r;
	enum cg_err rc;
	int step;
	if ((rc = cg_db_stmt(db, "SELECT agent_id, file, offset, line, received_at FROM agent_log WHERE agent_id = ? ORDER BY id",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, agent_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		r = (struct agent_log_row){.agent_id = col_i64(st, 0), .file = cg_db_col_text(st, 1),
					   .offset = col_i64(st, 2), .line = cg_db_col_text(st, 3),
					   .received_at = col_i64(st, 4)};
		if ((rc = fn(ctx, &r))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, "agent log");
}
