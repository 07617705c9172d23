#include "store_hits.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_hash.h"
#include "db.h"
#include "event_reader.h"

/* Hits per transaction: large enough that SQLite's commit cost vanishes,
 * small enough that an interrupted hunt loses little. */
#define HITS_PER_TXN 1000

enum { ST_HUNT, ST_HIT, ST_END, ST_COUNT };

static const char *const sql[ST_COUNT] = {
	[ST_HUNT] = "INSERT INTO hunt(started_at, paths) VALUES(?1, ?2)",
	[ST_HIT] = ("INSERT OR IGNORE INTO hit(hunt_id, file, line, line_hash, indicator, match, match_type,"
		    " source, family, host_id, host_label, seen_at)"
		    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
	[ST_END] = ("UPDATE hunt SET finished_at = ?2, n_files = ?3, n_bytes = ?4, n_lines = ?5, n_hits = ?6,"
		    " n_errors = ?7 WHERE id = ?1"),
};

/* The store owns its statements: prepared in store_hunt_begin, finalised
 * when the hunt is ended or aborted. */
struct store_hunt {
	struct cg_db *db;
	sqlite3_stmt *st[ST_COUNT];
	int64_t id;
	int64_t now;
	size_t in_txn; /* hits written in the open transaction */
	int open;      /* a transaction is open */
	uint64_t added, duplicates;
	/* The last file name seen and its absolute form: a file hunted as
	 * "logs/a.log" and later as "/srv/logs/a.log" is one file. */
	char *last_file, *last_abs;
};

/* The stored name of `file`: its canonical absolute path when it still
 * exists ("-" and vanished files keep the name given). Borrowed from h. */
static const char *stored_name(struct store_hunt *h, const char *file)
{
	char abs[PATH_MAX];

	if (h->last_file && strcmp(h->last_file, file) == 0)
		return h->last_abs;
	free(h->last_file);
	free(h->last_abs);
	h->last_file = strdup(file);
	h->last_abs = strdup(strcmp(file, "-") != 0 && realpath(file, abs) ? abs : file);
	if (!h->last_file || !h->last_abs) {
		free(h->last_file);
		free(h->last_abs);
		h->last_file = h->last_abs = NULL;
		return file;
	}
	return h->last_abs;
}

/* Stable across versions and platforms, which the unique key relies on. */
static uint64_t line_hash(const char *s, size_t n)
{
	return cg_hash_stable(s, n);
}

/* A statement of the hunt, reset and with no bindings left from its last use. */
static sqlite3_stmt *stmt(struct store_hunt *h, int which)
{
	sqlite3_reset(h->st[which]);
	sqlite3_clear_bindings(h->st[which]);
	return h->st[which];
}

static void hunt_free(struct store_hunt *h)
{
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(h->st[i]);
	free(h->last_file);
	free(h->last_abs);
	free(h);
}

enum cg_err store_hunt_begin(struct cg_db *db, const char *paths, int64_t now, struct store_hunt **out)
{
	struct store_hunt *h;
	sqlite3_stmt *st;
	enum cg_err rc;

	*out = NULL;
	if (!(h = calloc(1, sizeof *h)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	h->db = db;
	h->now = now;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(cg_db_handle(db), sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->st[i], NULL) !=
		    SQLITE_OK) {
			rc = cg_db_fail(db, _("preparing a statement"));
			goto fail;
		}
	}
	st = stmt(h, ST_HUNT);
	sqlite3_bind_int64(st, 1, h->now);
	cg_db_bind_text(st, 2, paths ? paths : "");
	if ((rc = cg_db_step_done(db, st, _("recording a hunt"))))
		goto fail;
	h->id = sqlite3_last_insert_rowid(cg_db_handle(db));
	*out = h;
	return CG_OK;
fail:
	hunt_free(h);
	return rc;
}

int64_t store_hunt_id(const struct store_hunt *h)
{
	return h->id;
}

uint64_t store_hunt_new_hits(const struct store_hunt *h)
{
	return h->added;
}

static enum cg_err flush(struct store_hunt *h)
{
	enum cg_err rc;

	if (!h->open)
		return CG_OK;
	h->open = 0;
	h->in_txn = 0;
	rc = cg_db_commit(h->db);
	return rc;
}

enum cg_err store_hunt_add(struct store_hunt *h, const struct store_hit *hit)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t seen = hit->seen_at;

	if (!hit->file || !hit->indicator || !hit->match || !hit->match_type)
		return cg_err_set(CG_EINVAL, _("hit without file, indicator or match"));
	/* A full batch is committed before the next hit, not after the last
	 * one, so what the caller writes after this hit joins its batch. */
	if (h->in_txn >= HITS_PER_TXN && (rc = flush(h)))
		return rc;
	if (!h->open) {
		if ((rc = cg_db_begin(h->db)))
			return rc;
		h->open = 1;
	}
	if (!seen && hit->line_text) {
		struct cg_time_ctx tc = {h->now, CG_TIME_OFFSET_VN};
		struct cg_stamp stamp;
		if (cg_event_line_time(hit->line_text, hit->line_len, &tc, &stamp))
			seen = cg_time_us_to_s(stamp.us);
	}
	st = stmt(h, ST_HIT);
	sqlite3_bind_int64(st, 1, h->id);
	cg_db_bind_text(st, 2, stored_name(h, hit->file));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)hit->line);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)line_hash(hit->line_text ? hit->line_text : "",
							   hit->line_text ? hit->line_len : 0));
	cg_db_bind_text(st, 5, hit->indicator);
	cg_db_bind_text(st, 6, hit->match);
	cg_db_bind_text(st, 7, hit->match_type);
	cg_db_bind_text(st, 8, hit->source && *hit->source ? hit->source : NULL);
	cg_db_bind_text(st, 9, hit->family && *hit->family ? hit->family : NULL);
	if (hit->host_id > 0)
		sqlite3_bind_int64(st, 10, hit->host_id);
	cg_db_bind_text(st, 11, hit->host_label && *hit->host_label ? hit->host_label : NULL);
	if (seen)
		sqlite3_bind_int64(st, 12, seen);
	if ((rc = cg_db_step_done(h->db, st, _("recording a hit"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(h->db)) > 0)
		h->added++;
	else
		h->duplicates++;
	h->in_txn++;
	return CG_OK;
}

enum cg_err store_hunt_end(struct store_hunt *h, const struct store_hunt_totals *t)
{
	static const struct store_hunt_totals none;
	sqlite3_stmt *st;
	enum cg_err rc;

	if (!h)
		return CG_OK;
	if (!t)
		t = &none;
	if ((rc = flush(h)))
		goto out;
	st = stmt(h, ST_END);
	sqlite3_bind_int64(st, 1, h->id);
	sqlite3_bind_int64(st, 2, t->finished_at ? t->finished_at : h->now);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)t->files);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)t->bytes);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)t->lines);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)t->hits);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)t->errors);
	rc = cg_db_step_done(h->db, st, _("finishing a hunt"));
out:
	if (rc && h->open)
		cg_db_rollback(h->db);
	hunt_free(h);
	return rc;
}

void store_hunt_abort(struct store_hunt *h)
{
	if (!h)
		return;
	if (h->open)
		cg_db_rollback(h->db);
	hunt_free(h);
}

/* A statement for one read, finalised by the caller. */
static enum cg_err prepare(struct cg_db *db, const char *text, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(cg_db_handle(db), text, -1, out, NULL) != SQLITE_OK)
		return cg_db_fail(db, _("preparing a statement"));
	return CG_OK;
}

enum cg_err store_hits_foreach_group(struct cg_db *db, store_hit_group_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = prepare(db,
			     "SELECT coalesce(host_id, 0) AS hid,"
			     " CASE WHEN host_id IS NULL THEN coalesce(host_label, '') ELSE '' END AS lbl,"
			     " indicator, match, coalesce(source, ''), coalesce(family, ''), count(*), max(seen_at)"
			     " FROM hit GROUP BY hid, lbl, indicator, match, 5, 6 ORDER BY hid, lbl, indicator",
			     &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_hit_group g = {
			.host_id = sqlite3_column_int64(st, 0),
			.host_label = cg_db_col_text(st, 1),
			.indicator = cg_db_col_text(st, 2),
			.match = cg_db_col_text(st, 3),
			.source = cg_db_col_text(st, 4),
			.family = cg_db_col_text(st, 5),
			.n = (uint64_t)sqlite3_column_int64(st, 6),
			.last_seen = sqlite3_column_int64(st, 7),
		};
		if ((rc = fn(ctx, &g)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading hits"));
	sqlite3_finalize(st);
	return rc;
}

enum cg_err store_hits_foreach_lines(struct cg_db *db, store_hit_lines_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = prepare(db,
			     "SELECT hid, lbl, count(*) FROM (SELECT DISTINCT coalesce(host_id, 0) AS hid,"
			     " CASE WHEN host_id IS NULL THEN coalesce(host_label, '') ELSE '' END AS lbl,"
			     " file, line, line_hash FROM hit) GROUP BY hid, lbl ORDER BY hid, lbl",
			     &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, sqlite3_column_int64(st, 0), cg_db_col_text(st, 1),
			     (uint64_t)sqlite3_column_int64(st, 2))))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading hits"));
	sqlite3_finalize(st);
	return rc;
}
