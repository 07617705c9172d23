/* store_quarantine — see store_quarantine.h. */
#include "store_quarantine.h"

#include <jansson.h>
#include <stdlib.h>

#include "cg_i18n.h"
#include "db.h"

enum cg_err store_quarantine_add(struct cg_db *db, const char *store, const struct quarantine_item *it)
{
	sqlite3_stmt *st;
	json_t *hits = json_array();
	char *hits_text;
	enum cg_err rc;

	for (size_t i = 0; hits && i < it->n_hits; i++)
		json_array_append_new(hits, json_pack("{s:s, s:s}", "kind", it->hits[i].kind, "name", it->hits[i].name));
	hits_text = hits ? json_dumps(hits, JSON_COMPACT) : NULL;
	json_decref(hits);
	if (!hits_text)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = cg_db_stmt(db,
			     "INSERT OR REPLACE INTO quarantine_item(id, store, path, uid, gid, mode, size, mtime, sha256, "
			     "sha1, md5, hits, who, quarantined_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			     &st))) {
		free(hits_text);
		return rc;
	}
	sqlite3_bind_text(st, 1, it->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)it->uid);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)it->gid);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)it->mode);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)it->size);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)it->mtime_s);
	sqlite3_bind_text(st, 9, it->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, it->sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, it->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, hits_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, it->who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)it->when);
	rc = cg_db_step_done(db, st, "quarantine_item insert");
	free(hits_text);
	return rc;
}

enum cg_err store_quarantine_mark(struct cg_db *db, const char *id, const char *state, int64_t now)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "UPDATE quarantine_item SET state = ?, state_at = ? WHERE id = ?", &st)))
		return rc;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	return cg_db_step_done(db, st, "quarantine_item update");
}
