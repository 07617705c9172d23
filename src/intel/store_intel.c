/* store_intel — sources, imports (one transaction each), indicators, diff. */
#include "store_intel.h"

#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "db.h"

struct store_intel_import {
	struct cg_db *db;
	int64_t source_id, import_id, prev_import_id;
	size_t n_records, n_duplicates;
	int hunt_special;
};

static const char SQL_SOURCE_GET[] =
	"SELECT id, current_import_id, hunt_special FROM intel_source WHERE name = ?1";
static const char SQL_SOURCE_SPECIAL[] = "UPDATE intel_source SET hunt_special = ?2 WHERE id = ?1";
static const char SQL_SOURCE_ADD[] = "INSERT INTO intel_source(name, created_at) VALUES(?1, ?2)";
static const char SQL_IMPORT_ADD[] =
	"INSERT INTO intel_import(source_id, imported_at, files, format, n_records, n_unique, n_bad)"
	" VALUES(?1, ?2, ?3, ?4, 0, 0, 0)";
static const char SQL_ITEMS_COPY[] =
	"INSERT INTO intel_item(import_id, indicator_id, family, first_seen, last_seen, extra)"
	" SELECT ?1, indicator_id, family, first_seen, last_seen, extra FROM intel_item WHERE import_id = ?2";
static const char SQL_INDICATOR_GET[] = "SELECT id FROM indicator WHERE type = ?1 AND value = ?2";
static const char SQL_INDICATOR_ADD[] = "INSERT INTO indicator(type, value) VALUES(?1, ?2)";
static const char SQL_ITEM_ADD[] =
	"INSERT INTO intel_item(import_id, indicator_id, family, first_seen, last_seen, extra)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING";
static const char SQL_COUNT_BY_TYPE[] =
	"SELECT i.type, count(*) FROM intel_item it JOIN indicator i ON i.id = it.indicator_id"
	" WHERE it.import_id = ?1 GROUP BY i.type";
static const char SQL_COUNT_NEW[] =
	"SELECT count(*) FROM intel_item it WHERE it.import_id = ?1 AND NOT EXISTS"
	" (SELECT 1 FROM intel_item p WHERE p.import_id = ?2 AND p.indicator_id = it.indicator_id)";
static const char SQL_IMPORT_SET[] = "UPDATE intel_import SET n_records = ?2, n_unique = ?3, n_bad = ?4 WHERE id = ?1";
static const char SQL_SOURCE_SET[] = "UPDATE intel_source SET current_import_id = ?2 WHERE id = ?1";
static const char SQL_HISTORY_PRUNE[] = "DELETE FROM intel_import WHERE source_id = ?1 AND id <> ?2 AND id <> ?3";
static const char SQL_INDICATOR_PRUNE[] =
	"DELETE FROM indicator WHERE NOT EXISTS (SELECT 1 FROM intel_item WHERE indicator_id = indicator.id)";

/* Look up a source: *id 0 when unknown. `special` may be NULL. */
static enum cg_err source_lookup_ex(struct cg_db *db, const char *name, int64_t *id, int64_t *current,
				    int *special)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	*id = *current = 0;
	if ((rc = cg_db_stmt(db, SQL_SOURCE_GET, &st)))
		return rc;
	cg_db_bind_text(st, 1, name);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*current = sqlite3_column_int64(st, 1);
		if (special)
			*special = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return cg_db_fail(db, _("looking up a source"));
	return CG_OK;
}

static enum cg_err source_lookup(struct cg_db *db, const char *name, int64_t *id, int64_t *current)
{
	return source_lookup_ex(db, name, id, current, NULL);
}

/* Like source_lookup, for a source that must exist. */
static enum cg_err source_find(struct cg_db *db, const char *name, int64_t *id, int64_t *current)
{
	enum cg_err rc;

	if ((rc = source_lookup(db, name, id, current)))
		return rc;
	if (!*id)
		return cg_err_set(CG_ENOTFOUND, _("no intel source named '%s'"), name);
	return CG_OK;
}

enum cg_err store_intel_import_begin(struct cg_db *db, const char *source, const char *files, const char *format,
				     int append, struct store_intel_import **out)
{
	struct store_intel_import *imp;
	sqlite3_stmt *st;
	enum cg_err rc;

	*out = NULL;
	if (!source || !*source)
		return cg_err_set(CG_EINVAL, _("empty source name"));
	if (!(imp = calloc(1, sizeof *imp)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	imp->db = db;
	if ((rc = cg_db_begin(db))) {
		free(imp);
		return rc;
	}
	if ((rc = source_lookup_ex(db, source, &imp->source_id, &imp->prev_import_id, &imp->hunt_special)))
		goto fail;
	if (!imp->source_id) {
		if ((rc = cg_db_stmt(db, SQL_SOURCE_ADD, &st)))
			goto fail;
		cg_db_bind_text(st, 1, source);
		sqlite3_bind_int64(st, 2, cg_now());
		if ((rc = cg_db_step_done(db, st, _("adding a source"))))
			goto fail;
		imp->source_id = sqlite3_last_insert_rowid(cg_db_handle(db));
	}
	if ((rc = cg_db_stmt(db, SQL_IMPORT_ADD, &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, imp->source_id);
	sqlite3_bind_int64(st, 2, cg_now());
	cg_db_bind_text(st, 3, files ? files : "");
	cg_db_bind_text(st, 4, format ? format : "");
	if ((rc = cg_db_step_done(db, st, _("recording an import"))))
		goto fail;
	imp->import_id = sqlite3_last_insert_rowid(cg_db_handle(db));
	if (append && imp->prev_import_id) {
		if ((rc = cg_db_stmt(db, SQL_ITEMS_COPY, &st)))
			goto fail;
		sqlite3_bind_int64(st, 1, imp->import_id);
		sqlite3_bind_int64(st, 2, imp->prev_import_id);
		if ((rc = cg_db_step_done(db, st, _("copying the current list"))))
			goto fail;
	}
	*out = imp;
	return CG_OK;
fail:
	store_intel_import_abort(imp);
	return rc;
}

static enum cg_err indicator_id(struct cg_db *db, const struct ioc *ioc, int64_t *id)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db, SQL_INDICATOR_GET, &st)))
		return rc;
	sqlite3_bind_text(st, 1, ioc_type_name(ioc->type), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ioc->value, (int)ioc->len, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return CG_OK;
	}
	if ((rc = cg_db_rows_end(db, st, s, _("looking up an indicator"))))
		return rc;
	if ((rc = cg_db_stmt(db, SQL_INDICATOR_ADD, &st)))
		return rc;
	sqlite3_bind_text(st, 1, ioc_type_name(ioc->type), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ioc->value, (int)ioc->len, SQLITE_STATIC);
	if ((rc = cg_db_step_done(db, st, _("adding an indicator"))))
		return rc;
	*id = sqlite3_last_insert_rowid(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_intel_import_add(struct store_intel_import *imp, const struct ioc *ioc, const char *family,
				   const char *first_seen, const char *last_seen, const char *extra)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	enum cg_err rc;

	if (ioc->type == IOC_NONE || ioc->type >= IOC_TYPE_COUNT)
		return cg_err_set(CG_EINVAL, "store_intel_import_add: no indicator");
	if ((rc = indicator_id(imp->db, ioc, &id)))
		return rc;
	if ((rc = cg_db_stmt(imp->db, SQL_ITEM_ADD, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, imp->import_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, first_seen, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, last_seen, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, extra, -1, SQLITE_STATIC);
	if ((rc = cg_db_step_done(imp->db, st, _("adding an indicator to the list"))))
		return rc;
	imp->n_records++;
	if (sqlite3_changes(cg_db_handle(imp->db)) == 0)
		imp->n_duplicates++;
	return CG_OK;
}

enum cg_err store_intel_import_set_hunt_special(struct store_intel_import *imp, int on)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(imp->db, SQL_SOURCE_SPECIAL, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, imp->source_id);
	sqlite3_bind_int(st, 2, on ? 1 : 0);
	if ((rc = cg_db_step_done(imp->db, st, _("recording the source's special-purpose setting"))))
		return rc;
	imp->hunt_special = on ? 1 : 0;
	return CG_OK;
}

int store_intel_import_hunt_special(const struct store_intel_import *imp)
{
	return imp->hunt_special;
}

static const char SQL_IMPORT_FORMAT[] = "UPDATE intel_import SET format = ?2 WHERE id = ?1";

enum cg_err store_intel_import_set_format(struct store_intel_import *imp, const char *format)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(imp->db, SQL_IMPORT_FORMAT, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, imp->import_id);
	cg_db_bind_text(st, 2, format);
	return cg_db_step_done(imp->db, st, _("recording the import format"));
}

static enum cg_err count_new(struct cg_db *db, int64_t in, int64_t not_in, size_t *n)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, SQL_COUNT_NEW, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, in);
	sqlite3_bind_int64(st, 2, not_in);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return cg_db_fail(db, _("comparing lists"));
	}
	*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return CG_OK;
}

static enum cg_err count_by_type(struct cg_db *db, int64_t import_id, size_t by_type[IOC_TYPE_COUNT], size_t *total)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	memset(by_type, 0, sizeof(size_t) * IOC_TYPE_COUNT);
	*total = 0;
	if ((rc = cg_db_stmt(db, SQL_COUNT_BY_TYPE, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, import_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_int64(st, 1);
		by_type[ioc_type_from_name(cg_db_col_text(st, 0))] += n;
		*total += n;
	}
	return cg_db_rows_end(db, st, s, _("counting a list"));
}

static enum cg_err prune_indicators(struct cg_db *db, size_t *n)
{
	sqlite3_stmt *st;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, SQL_INDICATOR_PRUNE, &st)))
		return rc;
	if ((rc = cg_db_step_done(db, st, _("pruning indicators"))))
		return rc;
	if (n)
		*n = (size_t)sqlite3_changes(cg_db_handle(db));
	return CG_OK;
}

enum cg_err store_intel_import_commit(struct store_intel_import *imp, size_t n_bad, struct store_intel_summary *sum)
{
	struct cg_db *db = imp->db;
	sqlite3_stmt *st;
	enum cg_err rc;

	memset(sum, 0, sizeof *sum);
	sum->import_id = imp->import_id;
	sum->prev_import_id = imp->prev_import_id;
	sum->n_records = imp->n_records;
	sum->n_duplicates = imp->n_duplicates;
	if ((rc = count_by_type(db, imp->import_id, sum->by_type, &sum->n_unique)))
		goto fail;
	if (imp->prev_import_id) {
		if ((rc = count_new(db, imp->import_id, imp->prev_import_id, &sum->n_added)) ||
		    (rc = count_new(db, imp->prev_import_id, imp->import_id, &sum->n_removed)))
			goto fail;
	} else {
		sum->n_added = sum->n_unique;
	}
	if ((rc = cg_db_stmt(db, SQL_IMPORT_SET, &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, imp->import_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)imp->n_records);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)sum->n_unique);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)n_bad);
	if ((rc = cg_db_step_done(db, st, _("recording import counts"))))
		goto fail;
	if ((rc = cg_db_stmt(db, SQL_SOURCE_SET, &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, imp->source_id);
	sqlite3_bind_int64(st, 2, imp->import_id);
	if ((rc = cg_db_step_done(db, st, _("switching the current list"))))
		goto fail;
	/* Keep the current and the previous list (for diff); older ones go. */
	if ((rc = cg_db_stmt(db, SQL_HISTORY_PRUNE, &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, imp->source_id);
	sqlite3_bind_int64(st, 2, imp->import_id);
	sqlite3_bind_int64(st, 3, imp->prev_import_id);
	if ((rc = cg_db_step_done(db, st, _("pruning old imports"))))
		goto fail;
	if (sqlite3_changes(cg_db_handle(db)) > 0 && (rc = prune_indicators(db, NULL)))
		goto fail;
	rc = cg_db_commit(db);
	free(imp);
	return rc;
fail:
	store_intel_import_abort(imp);
	return rc;
}

void store_intel_import_abort(struct store_intel_import *imp)
{
	if (!imp)
		return;
	cg_db_rollback(imp->db);
	free(imp);
}

/* ---- reading ---- */

static const char SQL_FOREACH_ALL[] =
	"SELECT s.name, i.type, i.value, it.family FROM intel_source s"
	" JOIN intel_item it ON it.import_id = s.current_import_id JOIN indicator i ON i.id = it.indicator_id";
static const char SQL_FOREACH_ONE[] =
	"SELECT i.type, i.value, it.family FROM intel_item it JOIN indicator i ON i.id = it.indicator_id"
	" WHERE it.import_id = ?1";

static enum cg_err walk_rows(struct cg_db *db, sqlite3_stmt *st, const char *source, store_intel_fn fn, void *ctx)
{
	int col = source ? 0 : 1, s;
	struct ioc *ioc = malloc(sizeof *ioc);
	enum cg_err rc = CG_OK;

	if (!ioc) {
		sqlite3_reset(st);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = cg_db_col_text(st, col);
		const char *value = cg_db_col_text(st, col + 1);
		const char *family = (const char *)sqlite3_column_text(st, col + 2);
		int vlen = sqlite3_column_bytes(st, col + 1);
		if (ioc_parse(value, (size_t)vlen, ioc_type_from_name(type), ioc) != CG_OK)
			continue; /* a value this version cannot read back: not an indicator for it */
		if ((rc = fn(ctx, ioc, source ? source : cg_db_col_text(st, 0), family)))
			break;
	}
	free(ioc);
	sqlite3_reset(st);
	if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
		return cg_db_fail(db, _("reading indicators"));
	return rc;
}

enum cg_err store_intel_foreach(struct cg_db *db, const char *const *sources, size_t n_sources, store_intel_fn fn,
				void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int64_t *cur;

	if (n_sources == 0) {
		if ((rc = cg_db_stmt(db, SQL_FOREACH_ALL, &st)))
			return rc;
		return walk_rows(db, st, NULL, fn, ctx);
	}
	/* Check every name first so a typo fails before any callback runs. */
	if (!(cur = calloc(n_sources, sizeof *cur)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < n_sources; i++) {
		int64_t id;
		if ((rc = source_find(db, sources[i], &id, &cur[i])))
			goto out;
	}
	for (size_t i = 0; i < n_sources; i++) {
		if ((rc = cg_db_stmt(db, SQL_FOREACH_ONE, &st)))
			goto out;
		sqlite3_bind_int64(st, 1, cur[i]);
		if ((rc = walk_rows(db, st, sources[i], fn, ctx)))
			goto out;
	}
	rc = CG_OK;
out:
	free(cur);
	return rc;
}

static const char SQL_SOURCES[] =
	"SELECT s.name, s.current_import_id, imp.imported_at, imp.files, imp.format,"
	" (SELECT count(*) FROM intel_import x WHERE x.source_id = s.id), s.hunt_special"
	" FROM intel_source s LEFT JOIN intel_import imp ON imp.id = s.current_import_id ORDER BY s.name";

enum cg_err store_intel_sources(struct cg_db *db, store_intel_source_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	if ((rc = cg_db_stmt(db, SQL_SOURCES, &st)))
		return rc;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_intel_source_info info = {0};
		char *name = strdup(cg_db_col_text(st, 0)), *files = strdup(cg_db_col_text(st, 3));
		char *format = strdup(cg_db_col_text(st, 4));
		int64_t cur = sqlite3_column_int64(st, 1);
		info.imported_at = sqlite3_column_int64(st, 2);
		info.n_imports = (size_t)sqlite3_column_int64(st, 5);
		info.hunt_special = sqlite3_column_int(st, 6) != 0;
		/* The per-type count reuses the cache; the outer statement stays valid. */
		if (!name || !files || !format)
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		else
			rc = count_by_type(db, cur, info.by_type, &info.n_indicators);
		info.name = name;
		info.files = files;
		info.format = format;
		if (!rc)
			rc = fn(ctx, &info);
		free(name);
		free(files);
		free(format);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, _("listing sources"));
}

static const char SQL_ITEMS[] =
	"SELECT i.type, i.value, it.family, it.first_seen, it.last_seen, it.extra FROM intel_item it"
	" JOIN indicator i ON i.id = it.indicator_id WHERE it.import_id = ?1 AND (?2 IS NULL OR i.type = ?2)"
	" ORDER BY i.type, i.value LIMIT ?3";

static const char *col_or_null(sqlite3_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(st, c);
}

enum cg_err store_intel_items(struct cg_db *db, const char *source, enum ioc_type type, size_t limit,
			      store_intel_item_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int64_t id, cur;
	enum cg_err rc;
	int s;

	if ((rc = source_find(db, source, &id, &cur)))
		return rc;
	if ((rc = cg_db_stmt(db, SQL_ITEMS, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, cur);
	cg_db_bind_text(st, 2, type == IOC_NONE ? NULL : ioc_type_name(type));
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_intel_item it = {cg_db_col_text(st, 0), cg_db_col_text(st, 1), col_or_null(st, 2),
					      col_or_null(st, 3), col_or_null(st, 4), col_or_null(st, 5)};
		if ((rc = fn(ctx, &it))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, _("listing indicators"));
}

static const char SQL_PREV_IMPORT[] = "SELECT max(id) FROM intel_import WHERE source_id = ?1 AND id < ?2";
static const char SQL_DIFF[] =
	"SELECT i.type, i.value, it.family FROM intel_item it JOIN indicator i ON i.id = it.indicator_id"
	" WHERE it.import_id = ?1 AND NOT EXISTS"
	" (SELECT 1 FROM intel_item p WHERE p.import_id = ?2 AND p.indicator_id = it.indicator_id)"
	" ORDER BY i.type, i.value";

enum cg_err store_intel_diff(struct cg_db *db, const char *source, int *has_prev, store_intel_diff_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int64_t id, cur, prev = 0;
	enum cg_err rc;
	int s;

	*has_prev = 0;
	if ((rc = source_find(db, source, &id, &cur)))
		return rc;
	if ((rc = cg_db_stmt(db, SQL_PREV_IMPORT, &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, cur);
	if (sqlite3_step(st) == SQLITE_ROW)
		prev = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!prev)
		return CG_OK;
	*has_prev = 1;
	for (int added = 1; added >= 0; added--) {
		if ((rc = cg_db_stmt(db, SQL_DIFF, &st)))
			return rc;
		sqlite3_bind_int64(st, 1, added ? cur : prev);
		sqlite3_bind_int64(st, 2, added ? prev : cur);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			if ((rc = fn(ctx, added, cg_db_col_text(st, 0), cg_db_col_text(st, 1), col_or_null(st, 2)))) {
				sqlite3_reset(st);
				return rc;
			}
		}
		if ((rc = cg_db_rows_end(db, st, s, _("comparing imports"))))
			return rc;
	}
	return CG_OK;
}

static const char SQL_STATS_SOURCES[] = "SELECT count(*) FROM intel_source";
static const char SQL_STATS_TYPES[] =
	"SELECT i.type, count(DISTINCT it.indicator_id) FROM intel_source s"
	" JOIN intel_item it ON it.import_id = s.current_import_id JOIN indicator i ON i.id = it.indicator_id"
	" GROUP BY i.type";
static const char SQL_STATS_OVERLAP[] =
	"SELECT i.type, i.value, group_concat(s.name, ',') FROM intel_source s"
	" JOIN intel_item it ON it.import_id = s.current_import_id JOIN indicator i ON i.id = it.indicator_id"
	" GROUP BY it.indicator_id HAVING count(*) > 1 ORDER BY i.type, i.value";

enum cg_err store_intel_stats(struct cg_db *db, struct store_intel_stats *out, store_intel_overlap_fn overlap_fn,
			      size_t overlap_limit, void *ctx)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	int s;

	memset(out, 0, sizeof *out);
	if ((rc = cg_db_stmt(db, SQL_STATS_SOURCES, &st)))
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		out->n_sources = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = cg_db_stmt(db, SQL_STATS_TYPES, &st)))
		return rc;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_int64(st, 1);
		out->by_type[ioc_type_from_name(cg_db_col_text(st, 0))] += n;
		out->n_indicators += n;
	}
	if ((rc = cg_db_rows_end(db, st, s, _("counting indicators"))))
		return rc;
	if ((rc = cg_db_stmt(db, SQL_STATS_OVERLAP, &st)))
		return rc;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		out->n_overlap++;
		if (overlap_fn && (!overlap_limit || out->n_overlap <= overlap_limit) &&
		    (rc = overlap_fn(ctx, cg_db_col_text(st, 0), cg_db_col_text(st, 1), cg_db_col_text(st, 2)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	return cg_db_rows_end(db, st, s, _("counting shared indicators"));
}

static const char SQL_SOURCE_DEL[] = "DELETE FROM intel_source WHERE id = ?1";

enum cg_err store_intel_remove(struct cg_db *db, const char *source, size_t *n_pruned)
{
	sqlite3_stmt *st;
	int64_t id, cur;
	enum cg_err rc;

	*n_pruned = 0;
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = source_find(db, source, &id, &cur)))
		goto fail;
	if ((rc = cg_db_stmt(db, SQL_SOURCE_DEL, &st)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = cg_db_step_done(db, st, _("removing a source"))))
		goto fail;
	if ((rc = prune_indicators(db, n_pruned)))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
}

static const char SQL_GENERATION[] =
	("SELECT count(*), coalesce(sum(current_import_id), 0), coalesce(sum(hunt_special), 0),"
	 " (SELECT coalesce(max(id), 0) FROM intel_import) FROM intel_source");

enum cg_err store_intel_generation(struct cg_db *db, uint64_t *out)
{
	sqlite3_stmt *st;
	enum cg_err rc;
	*out = 0;
	if ((rc = cg_db_stmt(db, SQL_GENERATION, &st)))
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = cg_err_set(CG_EDB, _("intel: generation: %s"), sqlite3_errmsg(sqlite3_db_handle(st)));
		sqlite3_reset(st);
		return rc;
	}
	/* Mixed so that any change of one of the four numbers changes it. */
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < 4; i++) {
		h ^= (uint64_t)sqlite3_column_int64(st, i);
		h *= 1099511628211ULL;
	}
	sqlite3_reset(st);
	/* 48 bits: exact as a double (metrics). */
	*out = h & 0xffffffffffffULL;
	return CG_OK;
}
