/* Compliance storage (see store_compliance.h). */
#include "store_compliance.h"

#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"

#define COMP_FIELD_MAX 4096

static enum cg_err host_exists(struct cg_db *db, const char *host)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db, "SELECT 1 FROM host WHERE name = ?1", &st);
	if (rc)
		return rc;
	cg_db_bind_text(st, 1, host);
	int step = sqlite3_step(st);
	int found = step == SQLITE_ROW;
	if (found)
		step = SQLITE_DONE;
	if ((rc = cg_db_rows_end(db, st, step, _("looking up a host"))))
		return rc;
	return found ? CG_OK : cg_err_set(CG_ENOTFOUND, _("host '%s' does not exist"), host);
}

static enum cg_err check_field(const char *what, const char *s)
{
	if (!s || strlen(s) > COMP_FIELD_MAX)
		return cg_err_set(CG_ELIMIT, _("%s missing or longer than %d bytes"), what, COMP_FIELD_MAX);
	return CG_OK;
}

/* Insert one current fact, superseding the current value of (host, key). */
static enum cg_err fact_insert(struct cg_db *db, const char *host, const char *key, const char *value,
			       const char *tool, const char *file, const char *by, int64_t now, size_t *changed)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = cg_db_stmt(db, "SELECT value FROM comp_fact WHERE host = ?1 AND key = ?2 AND current = 1", &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	cg_db_bind_text(st, 2, key);
	int step = sqlite3_step(st), same = 0, had = step == SQLITE_ROW;
	if (had) {
		same = strcmp(cg_db_col_text(st, 0), value) == 0;
		step = SQLITE_DONE;
	}
	if ((rc = cg_db_rows_end(db, st, step, _("reading a fact"))))
		return rc;
	if (changed && !same)
		(*changed)++;
	if ((rc = cg_db_stmt(db, "UPDATE comp_fact SET current = 0 WHERE host = ?1 AND key = ?2 AND current = 1", &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	cg_db_bind_text(st, 2, key);
	if ((rc = cg_db_step_done(db, st, _("recording a fact"))))
		return rc;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO comp_fact(host, key, value, tool, file, by_whom, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	cg_db_bind_text(st, 2, key);
	cg_db_bind_text(st, 3, value);
	cg_db_bind_text(st, 4, tool);
	cg_db_bind_text(st, 5, file);
	cg_db_bind_text(st, 6, by);
	sqlite3_bind_int64(st, 7, now);
	return cg_db_step_done(db, st, _("recording a fact"));
}

enum cg_err store_comp_facts_put(struct cg_db *db, const char *host, const char *file, const struct host_facts *hf,
				 const char *by, int64_t now, size_t *changed)
{
	enum cg_err rc;
	sqlite3_stmt *st;
	const char *tool = fact_tool_name(hf->tool);
	if (changed)
		*changed = 0;
	if ((rc = check_field(_("reporter"), by)) || (rc = check_field(_("file name"), file)))
		return rc;
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = host_exists(db, host)))
		goto fail;
	/* Facts this tool gave before and does not give now are no longer current. */
	if ((rc = cg_db_stmt(db, "UPDATE comp_fact SET current = 0 WHERE host = ?1 AND tool = ?2 AND current = 1", &st)))
		goto fail;
	cg_db_bind_text(st, 1, host);
	cg_db_bind_text(st, 2, tool);
	if ((rc = cg_db_step_done(db, st, _("recording facts"))))
		goto fail;
	for (size_t i = 0; i < hf->n; i++) {
		/* Compare with the value just superseded, so re-importing the same
		 * file counts no change. */
		if ((rc = cg_db_stmt(db,
				     "SELECT value FROM comp_fact WHERE host = ?1 AND key = ?2 AND tool = ?3"
				     " ORDER BY id DESC LIMIT 1",
				     &st)))
			goto fail;
		cg_db_bind_text(st, 1, host);
		cg_db_bind_text(st, 2, hf->f[i].key);
		cg_db_bind_text(st, 3, tool);
		int step = sqlite3_step(st), same = 0;
		if (step == SQLITE_ROW) {
			same = strcmp(cg_db_col_text(st, 0), hf->f[i].value) == 0;
			step = SQLITE_DONE;
		}
		if ((rc = cg_db_rows_end(db, st, step, _("reading a fact"))))
			goto fail;
		if (!same && changed)
			(*changed)++;
		if ((rc = fact_insert(db, host, hf->f[i].key, hf->f[i].value, tool, file, by, now, NULL)))
			goto fail;
	}
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

enum cg_err store_comp_fact_set(struct cg_db *db, const char *host, const char *key, const char *value,
				const char *by, int64_t now)
{
	enum cg_err rc;
	if ((rc = check_field(_("fact name"), key)) || (rc = check_field(_("value"), value)) ||
	    (rc = check_field(_("reporter"), by)))
		return rc;
	if (!*key || strchr(key, ' '))
		return cg_err_set(CG_EINVAL, _("fact name '%s' is empty or has a space"), key);
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = host_exists(db, host)) || (rc = fact_insert(db, host, key, value, "manual", "-", by, now, NULL))) {
		cg_db_rollback(db);
		return rc;
	}
	return cg_db_commit(db);
}

enum cg_err store_comp_facts_foreach(struct cg_db *db, const char *host, comp_fact_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db,
				    "SELECT host, key, value, tool, file, by_whom, at FROM comp_fact"
				    " WHERE current = 1 AND (?1 IS NULL OR host = ?1) ORDER BY host, key",
				    &st);
	if (rc)
		return rc;
	cg_db_bind_text(st, 1, host);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct comp_fact_row f = {cg_db_col_text(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
					  cg_db_col_text(st, 3), cg_db_col_text(st, 4), cg_db_col_text(st, 5),
					  sqlite3_column_int64(st, 6)};
		if ((rc = fn(ctx, &f))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading facts"));
}

enum cg_err store_comp_status_add(struct cg_db *db, const char *system, const char *req, const char *state,
				  const char *evidence, const char *by, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = check_field(_("evidence"), evidence)) || (rc = check_field(_("reporter"), by)) ||
	    (rc = check_field(_("requirement"), req)))
		return rc;
	if ((rc = cg_db_stmt(db, "SELECT 1 FROM system WHERE name = ?1", &st)))
		return rc;
	cg_db_bind_text(st, 1, system);
	int step = sqlite3_step(st), found = step == SQLITE_ROW;
	if (found)
		step = SQLITE_DONE;
	if ((rc = cg_db_rows_end(db, st, step, _("looking up a system"))))
		return rc;
	if (!found)
		return cg_err_set(CG_ENOTFOUND, _("system '%s' does not exist"), system);
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO comp_status(system, req, state, evidence, by_whom, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, system);
	cg_db_bind_text(st, 2, req);
	cg_db_bind_text(st, 3, state);
	cg_db_bind_text(st, 4, evidence);
	cg_db_bind_text(st, 5, by);
	sqlite3_bind_int64(st, 6, now);
	rc = cg_db_step_done(db, st, _("recording a requirement status"));
	if (rc == CG_EDB && strstr(cg_err_msg(rc), "CHECK"))
		return cg_err_set(CG_EINVAL, _("'%s' is not a state (met, not_met, unknown, not_applicable)"), state);
	return rc;
}

enum cg_err store_comp_status_foreach(struct cg_db *db, const char *system, int latest, comp_status_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if (latest)
		rc = cg_db_stmt(db,
				"SELECT id, system, req, state, evidence, by_whom, at FROM comp_status"
				" WHERE id IN (SELECT max(id) FROM comp_status WHERE (?1 IS NULL OR system = ?1)"
				" GROUP BY system, req) ORDER BY system, req",
				&st);
	else
		rc = cg_db_stmt(db,
				"SELECT id, system, req, state, evidence, by_whom, at FROM comp_status"
				" WHERE (?1 IS NULL OR system = ?1) ORDER BY id",
				&st);
	if (rc)
		return rc;
	cg_db_bind_text(st, 1, system);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct comp_status_row s = {sqlite3_column_int64(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
					    cg_db_col_text(st, 3), cg_db_col_text(st, 4), cg_db_col_text(st, 5),
					    sqlite3_column_int64(st, 6)};
		if ((rc = fn(ctx, &s))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading requirement statuses"));
}

enum cg_err store_comp_awareness_add(struct cg_db *db, const struct comp_awareness_row *a, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = check_field(_("title"), a->title)) || (rc = check_field(_("attendees"), a->attendees)) ||
	    (rc = check_field(_("reporter"), a->by)))
		return rc;
	if (a->n_people < 0 || a->n_clicked < 0 || a->n_reported < 0 || a->n_clicked > a->n_people ||
	    a->n_reported > a->n_people)
		return cg_err_set(CG_EINVAL, _("counts must be 0 or more, and clicked/reported at most the recipients"));
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO comp_awareness(kind, held_on, title, attendees, n_people, n_clicked, n_reported,"
			     " by_whom, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, a->kind);
	sqlite3_bind_int64(st, 2, a->held_on);
	cg_db_bind_text(st, 3, a->title);
	cg_db_bind_text(st, 4, a->attendees);
	sqlite3_bind_int64(st, 5, a->n_people);
	sqlite3_bind_int64(st, 6, a->n_clicked);
	sqlite3_bind_int64(st, 7, a->n_reported);
	cg_db_bind_text(st, 8, a->by);
	sqlite3_bind_int64(st, 9, a->at);
	if ((rc = cg_db_step_done(db, st, _("recording an awareness activity"))))
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_comp_awareness_foreach(struct cg_db *db, comp_awareness_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db,
				    "SELECT id, kind, title, attendees, by_whom, held_on, n_people, n_clicked, n_reported, at"
				    " FROM comp_awareness ORDER BY held_on DESC, id DESC",
				    &st);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct comp_awareness_row a = {sqlite3_column_int64(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2),
					       cg_db_col_text(st, 3), cg_db_col_text(st, 4), sqlite3_column_int64(st, 5),
					       sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
					       sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9)};
		if ((rc = fn(ctx, &a))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading awareness records"));
}

enum cg_err store_comp_sweep_add(struct cg_db *db, const char *host, const char *by, const char *note, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = check_field(_("reporter"), by)) || (rc = check_field(_("note"), note)) || (rc = host_exists(db, host)))
		return rc;
	if ((rc = cg_db_stmt(db, "INSERT INTO comp_sweep(host, at, by_whom, note) VALUES(?1, ?2, ?3, ?4)", &st)))
		return rc;
	cg_db_bind_text(st, 1, host);
	sqlite3_bind_int64(st, 2, now);
	cg_db_bind_text(st, 3, by);
	cg_db_bind_text(st, 4, note);
	return cg_db_step_done(db, st, _("recording a sweep"));
}

enum cg_err store_comp_sweep_foreach(struct cg_db *db, comp_sweep_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db,
				    "SELECT host, at, by_whom, note FROM comp_sweep WHERE id IN"
				    " (SELECT max(id) FROM comp_sweep GROUP BY host) ORDER BY host",
				    &st);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, cg_db_col_text(st, 0), sqlite3_column_int64(st, 1), cg_db_col_text(st, 2),
			     cg_db_col_text(st, 3)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading sweeps"));
}

enum cg_err store_comp_setting_get(struct cg_db *db, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *st;
	enum cg_err rc = cg_db_stmt(db, "SELECT value FROM comp_setting WHERE key = ?1", &st);
	if (rc)
		return rc;
	cg_db_bind_text(st, 1, key);
	buf[0] = '\0';
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		snprintf(buf, n, "%s", cg_db_col_text(st, 0));
		step = SQLITE_DONE;
	}
	return cg_db_rows_end(db, st, step, _("reading a setting"));
}

enum cg_err store_comp_setting_set(struct cg_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	if ((rc = check_field(key, value)))
		return rc;
	if ((rc = cg_db_stmt(db, "INSERT INTO comp_setting(key, value) VALUES(?1, ?2)"
				 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			     &st)))
		return rc;
	cg_db_bind_text(st, 1, key);
	cg_db_bind_text(st, 2, value);
	return cg_db_step_done(db, st, _("saving a setting"));
}
