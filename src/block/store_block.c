#include "store_block.h"

#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "db.h"

enum cg_err store_block_begin(struct cg_db *db)
{
	return cg_db_begin(db);
}

enum cg_err store_block_commit(struct cg_db *db)
{
	return cg_db_commit(db);
}

void store_block_rollback(struct cg_db *db)
{
	cg_db_rollback(db);
}

static int is_v6_type(enum ioc_type t)
{
	return t == IOC_IPV6 || t == IOC_CIDR6;
}

static void bind_time(sqlite3_stmt *st, int idx, int64_t t)
{
	if (t)
		sqlite3_bind_int64(st, idx, t);
	else
		sqlite3_bind_null(st, idx);
}

static int same_text(const char *a, const unsigned char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, (const char *)b) == 0;
}

enum cg_err store_block_put(struct cg_db *db, const struct block_row *r, int64_t now, enum block_put *what, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	*what = BLOCK_PUT_NEW;
	/* An expired live row ended at its expiry: say so before replacing it. */
	if ((rc = cg_db_stmt(db,
			     "UPDATE block_decision SET removed_at = expires_at WHERE value = ?1 AND action = ?2 "
			     "AND origin = ?3 AND removed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?4",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, r->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)r->action);
	sqlite3_bind_text(st, 3, r->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("closing an expired decision"));

	if ((rc = cg_db_stmt(db,
			     "SELECT id, reason, coalesce(expires_at, 0), forced FROM block_decision "
			     "WHERE value = ?1 AND action = ?2 AND origin = ?3 AND removed_at IS NULL",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, r->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)r->action);
	sqlite3_bind_text(st, 3, r->origin, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(st, 0);
		if (same_text(r->reason, sqlite3_column_text(st, 1)) && sqlite3_column_int64(st, 2) == r->expires_at) {
			*what = BLOCK_PUT_UNCHANGED;
			*id = old;
			sqlite3_reset(st);
			return CG_OK;
		}
		sqlite3_reset(st);
		if ((rc = cg_db_stmt(db, "UPDATE block_decision SET removed_at = ?2 WHERE id = ?1", &st)))
			return rc;
		sqlite3_bind_int64(st, 1, old);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			return cg_db_fail(db, _("replacing a decision"));
		*what = BLOCK_PUT_REPLACED;
	} else if (step != SQLITE_DONE) {
		return cg_db_fail(db, _("looking up a decision"));
	} else {
		sqlite3_reset(st);
	}

	if ((rc = cg_db_stmt(db,
			     "INSERT INTO block_decision(action, type, value, fam, lo, hi, prefix, reason, origin, "
			     "order_id, forced, created_at, expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			     "?11, ?12, ?13)",
			     &st)))
		return rc;
	sqlite3_bind_int(st, 1, (int)r->action);
	sqlite3_bind_text(st, 2, ioc_type_name(r->type), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->value, -1, SQLITE_STATIC);
	if (ioc_type_is_net(r->type)) {
		int v6 = is_v6_type(r->type);
		unsigned w = v6 ? 128u : 32u, nb = v6 ? 16u : 4u;
		uint8_t hi[16];
		memcpy(hi, r->addr, nb);
		for (unsigned b = 0; b < nb; b++) {
			unsigned keep = r->prefix >= (b + 1) * 8 ? 8 : r->prefix > b * 8 ? r->prefix - b * 8 : 0;
			hi[b] |= (uint8_t)(0xffu >> keep);
		}
		(void)w;
		sqlite3_bind_int(st, 4, v6 ? 6 : 4);
		sqlite3_bind_blob(st, 5, r->addr, (int)nb, SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 6, hi, (int)nb, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 7, (int)r->prefix);
	} else {
		sqlite3_bind_int(st, 4, 0);
	}
	cg_db_bind_text(st, 8, r->reason && *r->reason ? r->reason : NULL);
	sqlite3_bind_text(st, 9, r->origin, -1, SQLITE_STATIC);
	if (r->order_id)
		sqlite3_bind_int64(st, 10, r->order_id);
	sqlite3_bind_int(st, 11, r->forced ? 1 : 0);
	sqlite3_bind_int64(st, 12, now);
	bind_time(st, 13, r->expires_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("recording a decision"));
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_block_remove(struct cg_db *db, const char *value, int64_t id, int action, const char *origin,
			       int64_t now, size_t *n_removed)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	*n_removed = 0;
	if (value) {
		rc = cg_db_stmt(db,
				"UPDATE block_decision SET removed_at = ?1 WHERE value = ?2 AND removed_at IS NULL "
				"AND (?3 < 0 OR action = ?3) AND (?4 IS NULL OR origin = ?4)",
				&st);
		if (rc)
			return rc;
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	} else {
		rc = cg_db_stmt(db,
				"UPDATE block_decision SET removed_at = ?1 WHERE id = ?2 AND removed_at IS NULL "
				"AND (?3 < 0 OR action = ?3) AND (?4 IS NULL OR origin = ?4)",
				&st);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 2, id);
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 3, action);
	cg_db_bind_text(st, 4, origin);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("removing a decision"));
	*n_removed = (size_t)sqlite3_changes(cg_db_handle(db));
	return CG_OK;
}

#define DECISION_COLS                                                                                         \
	"SELECT id, action, type, value, lo, prefix, reason, origin, coalesce(order_id, 0), forced, created_at, " \
	"coalesce(expires_at, 0), coalesce(removed_at, 0) FROM block_decision "
#define LIVE_AT                                                                                        \
	"(?1 = 0 OR (created_at <= ?2 AND (removed_at IS NULL OR removed_at > ?2) AND (expires_at IS NULL " \
	"OR expires_at > ?2)))"

static enum cg_err walk(struct cg_db *db, sqlite3_stmt *st, store_block_fn fn, void *ctx)
{
	struct block_row r;
	enum cg_err rc = CG_OK;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *lo;
		int lo_len;
		memset(&r, 0, sizeof r);
		r.id = sqlite3_column_int64(st, 0);
		r.action = sqlite3_column_int(st, 1) ? BLOCK_ALLOW : BLOCK_BLOCK;
		r.type = ioc_type_from_name(cg_db_col_text(st, 2));
		r.value = cg_db_col_text(st, 3);
		lo = sqlite3_column_blob(st, 4);
		lo_len = sqlite3_column_bytes(st, 4);
		if (lo && (lo_len == 4 || lo_len == 16))
			memcpy(r.addr, lo, (size_t)lo_len);
		r.prefix = (unsigned)sqlite3_column_int(st, 5);
		r.reason = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : cg_db_col_text(st, 6);
		r.origin = cg_db_col_text(st, 7);
		r.order_id = sqlite3_column_int64(st, 8);
		r.forced = sqlite3_column_int(st, 9);
		r.created_at = sqlite3_column_int64(st, 10);
		r.expires_at = sqlite3_column_int64(st, 11);
		r.removed_at = sqlite3_column_int64(st, 12);
		if ((rc = fn(ctx, &r)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading decisions"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_block_foreach(struct cg_db *db, const struct block_filter *f, store_block_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if (f->value)
		rc = cg_db_stmt(db, DECISION_COLS "WHERE value = ?5 AND " LIVE_AT
				" AND (?3 < 0 OR action = ?3) AND (?4 IS NULL OR origin = ?4) ORDER BY id", &st);
	else if (f->order_id)
		rc = cg_db_stmt(db, DECISION_COLS "WHERE order_id = ?6 AND " LIVE_AT
				" AND (?3 < 0 OR action = ?3) AND (?4 IS NULL OR origin = ?4) ORDER BY id", &st);
	else if (f->origin)
		rc = cg_db_stmt(db, DECISION_COLS "WHERE origin = ?4 AND " LIVE_AT
				" AND (?3 < 0 OR action = ?3) ORDER BY id", &st);
	else
		rc = cg_db_stmt(db, DECISION_COLS "WHERE " LIVE_AT " AND (?3 < 0 OR action = ?3) ORDER BY id", &st);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, f->live_at != BLOCK_ALL_ROWS);
	sqlite3_bind_int64(st, 2, f->live_at == BLOCK_ALL_ROWS ? 0 : f->live_at);
	sqlite3_bind_int(st, 3, f->action);
	if (f->value)
		sqlite3_bind_text(st, 5, f->value, -1, SQLITE_STATIC);
	else if (f->order_id)
		sqlite3_bind_int64(st, 6, f->order_id);
	if (f->origin)
		sqlite3_bind_text(st, 4, f->origin, -1, SQLITE_STATIC);
	return walk(db, st, fn, ctx);
}

enum cg_err store_block_find_addr(struct cg_db *db, int v6, const uint8_t *addr, int64_t at, store_block_fn fn,
				  void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, DECISION_COLS "WHERE fam = ?3 AND lo <= ?4 AND hi >= ?4 AND " LIVE_AT " ORDER BY id",
			     &st)))
		return rc;
	sqlite3_bind_int(st, 1, 1);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int(st, 3, v6 ? 6 : 4);
	sqlite3_bind_blob(st, 4, addr, v6 ? 16 : 4, SQLITE_TRANSIENT);
	return walk(db, st, fn, ctx);
}

static enum cg_err one_int(struct cg_db *db, sqlite3_stmt *st, int64_t *out, const char *what)
{
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		return cg_db_fail(db, what);
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return CG_OK;
}

enum cg_err store_block_changes(struct cg_db *db, int64_t at, int64_t *last, int64_t *count)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	/* One pass over the decisions: each one is a change when made, when
	 * removed, and when it expired before any removal. */
	if ((rc = cg_db_stmt(db,
			     "SELECT coalesce(max(max(coalesce(c, 0), coalesce(r, 0), coalesce(e, 0))), 0),"
			     " coalesce(sum((c IS NOT NULL) + (r IS NOT NULL) + (e IS NOT NULL)), 0)"
			     " FROM (SELECT CASE WHEN created_at <= ?1 THEN created_at END AS c,"
			     " CASE WHEN removed_at <= ?1 THEN removed_at END AS r,"
			     " CASE WHEN expires_at <= ?1 AND (removed_at IS NULL OR removed_at > expires_at)"
			     " THEN expires_at END AS e FROM block_decision)",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, at);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		return cg_db_fail(db, _("reading the last change"));
	}
	*last = sqlite3_column_int64(st, 0);
	*count = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return CG_OK;
}

enum cg_err store_block_next_expiry(struct cg_db *db, int64_t at, int64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "SELECT coalesce(min(expires_at), 0) FROM block_decision WHERE expires_at > ?1 "
			     "AND removed_at IS NULL",
			     &st)))
		return rc;
	sqlite3_bind_int64(st, 1, at);
	return one_int(db, st, out, _("reading the next expiry"));
}

enum cg_err store_block_own_add(struct cg_db *db, const struct ioc *own, const char *note, int64_t now, int *added)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "INSERT INTO block_own(value, type, note, created_at) VALUES(?1, ?2, ?3, ?4) "
			     "ON CONFLICT(value) DO NOTHING",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, own->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ioc_type_name(own->type), -1, SQLITE_STATIC);
	cg_db_bind_text(st, 3, note && *note ? note : NULL);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("recording an own prefix"));
	*added = sqlite3_changes(cg_db_handle(db)) > 0;
	return CG_OK;
}

enum cg_err store_block_own_remove(struct cg_db *db, const char *value, int *removed)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM block_own WHERE value = ?1", &st)))
		return rc;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("removing an own prefix"));
	*removed = sqlite3_changes(cg_db_handle(db)) > 0;
	return CG_OK;
}

enum cg_err store_block_own_foreach(struct cg_db *db, store_block_own_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db, "SELECT value, note, created_at FROM block_own ORDER BY type, value", &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ioc own;
		const char *v = cg_db_col_text(st, 0);
		if (block_target_parse(v, strlen(v), &own) != CG_OK)
			continue; /* written by us, so only a hand-edited row can be bad */
		if ((rc = fn(ctx, &own, sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : cg_db_col_text(st, 1),
			     sqlite3_column_int64(st, 2))))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading own prefixes"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_block_order_add(struct cg_db *db, const struct block_order_info *o, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "INSERT INTO block_order(ref, issued_at, deadline_at, file, note, received_at, n_targets) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, o->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->issued_at);
	sqlite3_bind_int64(st, 3, o->deadline_at);
	sqlite3_bind_text(st, 4, o->file, -1, SQLITE_STATIC);
	cg_db_bind_text(st, 5, o->note);
	sqlite3_bind_int64(st, 6, o->received_at);
	sqlite3_bind_int64(st, 7, o->n_targets);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cg_db_fail(db, _("recording an order"));
		if (rc == CG_EEXIST)
			return cg_err_set(CG_EEXIST, _("an order with reference '%s' already exists"), o->ref);
		return rc;
	}
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_block_order_set_count(struct cg_db *db, int64_t id, int64_t n_targets)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "UPDATE block_order SET n_targets = ?2 WHERE id = ?1", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, n_targets);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("updating an order"));
	return CG_OK;
}

static enum cg_err walk_orders(struct cg_db *db, sqlite3_stmt *st, store_block_order_fn fn, void *ctx, size_t *n)
{
	enum cg_err rc = CG_OK;
	int step;

	*n = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct block_order_info o = {
			.id = sqlite3_column_int64(st, 0),
			.ref = cg_db_col_text(st, 1),
			.issued_at = sqlite3_column_int64(st, 2),
			.deadline_at = sqlite3_column_int64(st, 3),
			.file = cg_db_col_text(st, 4),
			.note = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : cg_db_col_text(st, 5),
			.received_at = sqlite3_column_int64(st, 6),
			.n_targets = sqlite3_column_int64(st, 7),
		};
		(*n)++;
		if ((rc = fn(ctx, &o)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading orders"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_block_order_get(struct cg_db *db, const char *ref, store_block_order_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if ((rc = cg_db_stmt(db,
			     "SELECT id, ref, issued_at, deadline_at, file, note, received_at, n_targets FROM block_order "
			     "WHERE ref = ?1",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if ((rc = walk_orders(db, st, fn, ctx, &n)))
		return rc;
	if (n == 0)
		return cg_err_set(CG_ENOTFOUND, _("no order with reference '%s'"), ref);
	return CG_OK;
}

enum cg_err store_block_order_foreach(struct cg_db *db, store_block_order_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	size_t n;

	if ((rc = cg_db_stmt(db,
			     "SELECT id, ref, issued_at, deadline_at, file, note, received_at, n_targets FROM block_order "
			     "ORDER BY deadline_at, id",
			     &st)))
		return rc;
	return walk_orders(db, st, fn, ctx, &n);
}

enum cg_err store_block_enforcement_add(struct cg_db *db, const struct block_enforcement *e)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db,
			     "INSERT INTO block_enforcement(point, format, at, serial, n_items, digest) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, e->point, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->at);
	sqlite3_bind_int64(st, 4, e->serial);
	sqlite3_bind_int64(st, 5, e->n_items);
	cg_db_bind_text(st, 6, e->digest);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cg_db_fail(db, _("recording an enforcement"));
	return CG_OK;
}

enum cg_err store_block_enforcement_add_once(struct cg_db *db, const struct block_enforcement *e, int *added)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	*added = 0;
	if ((rc = cg_db_stmt(db,
			     "INSERT INTO block_enforcement(point, format, at, serial, n_items, digest) "
			     "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM block_enforcement "
			     "WHERE point = ?1 AND format = ?2 AND digest IS ?6)",
			     &st)))
		return rc;
	sqlite3_bind_text(st, 1, e->point, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->at);
	sqlite3_bind_int64(st, 4, e->serial);
	sqlite3_bind_int64(st, 5, e->n_items);
	cg_db_bind_text(st, 6, e->digest);
	if ((rc = cg_db_step_done(db, st, _("recording an enforcement"))))
		return rc;
	*added = sqlite3_changes(cg_db_handle(db)) > 0;
	return CG_OK;
}

enum cg_err store_block_point_add(struct cg_db *db, const char *name, const char *token_sha256, int64_t at)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "INSERT INTO block_point(name, token_sha256, created_at) VALUES(?1, ?2, ?3)", &st)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, token_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	rc = cg_db_step_done(db, st, _("adding an enforcement point"));
	if (rc == CG_EEXIST)
		return cg_err_set(CG_EEXIST, _("enforcement point '%s' exists already"), name);
	return rc;
}

enum cg_err store_block_point_remove(struct cg_db *db, const char *name)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "DELETE FROM block_point WHERE name = ?1", &st)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = cg_db_step_done(db, st, _("removing an enforcement point"))))
		return rc;
	if (sqlite3_changes(cg_db_handle(db)) == 0)
		return cg_err_set(CG_ENOTFOUND, _("no enforcement point '%s'"), name);
	return CG_OK;
}

enum cg_err store_block_point_by_token(struct cg_db *db, const char *token_sha256, char *name, size_t n)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db, "SELECT name FROM block_point WHERE token_sha256 = ?1", &st)))
		return rc;
	sqlite3_bind_text(st, 1, token_sha256, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		snprintf(name, n, "%s", cg_db_col_text(st, 0));
		sqlite3_reset(st);
		return CG_OK;
	}
	if ((rc = cg_db_rows_end(db, st, step, _("reading enforcement points"))))
		return rc;
	return cg_err_set(CG_ENOTFOUND, _("unknown token"));
}

enum cg_err store_block_point_foreach(struct cg_db *db, store_block_point_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int step;

	if ((rc = cg_db_stmt(db, "SELECT name, created_at FROM block_point ORDER BY name", &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = fn(ctx, cg_db_col_text(st, 0), sqlite3_column_int64(st, 1)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, step, _("reading enforcement points"));
}

enum cg_err store_block_enforcement_foreach(struct cg_db *db, store_block_enf_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc = CG_OK;
	int step;

	if ((rc = cg_db_stmt(db, "SELECT id, point, format, at, serial, n_items, digest FROM block_enforcement "
				 "ORDER BY at, id", &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct block_enforcement e = {
			.id = sqlite3_column_int64(st, 0),
			.point = cg_db_col_text(st, 1),
			.format = cg_db_col_text(st, 2),
			.at = sqlite3_column_int64(st, 3),
			.serial = sqlite3_column_int64(st, 4),
			.n_items = sqlite3_column_int64(st, 5),
			.digest = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : cg_db_col_text(st, 6),
		};
		if ((rc = fn(ctx, &e)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = cg_db_fail(db, _("reading enforcements"));
	sqlite3_reset(st);
	return rc;
}

enum cg_err store_block_data_version(struct cg_db *db, int64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "PRAGMA data_version", &st)))
		return rc;
	return one_int(db, st, out, _("reading the data version"));
}
