/* Shared set-up for the assets unit tests: a fresh database in a temp dir,
 * and intel rows written straight into the schema (the intel module's import
 * path is tested on its own). */
#ifndef CG_ASSETS_FIXTURE_H
#define CG_ASSETS_FIXTURE_H

#include "../test_util.h"

#include "db.h"

/* The clock the stores are given: 2026-11-25T00:00:00Z. */
#define FX_NOW ((int64_t)1795564800)
#include "store_assets.h"

struct fixture {
	char *dir;
	char path[512];
	struct cg_db *db;
};

static inline struct fixture *fixture_open(void)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->dir = test_tmpdir();
	snprintf(f->path, sizeof f->path, "%s/canhgac.db", f->dir);
	assert_int_equal(cg_db_open(f->path, &f->db), CG_OK);
	return f;
}

static inline void fixture_close(struct fixture *f)
{
	char cmd[700];
	cg_db_close(f->db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->dir);
	free(f);
}

static inline int64_t fx_scalar(struct cg_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;
	assert_int_equal(sqlite3_prepare_v2(cg_db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static inline void fx_exec(struct cg_db *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(cg_db_handle(db), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
}

/* Put (type, value, family) on the current list of `source` (created with
 * one import of file `file` when new). */
static inline void fx_intel(struct cg_db *db, const char *source, const char *file, const char *type,
			    const char *value, const char *family)
{
	sqlite3 *h = cg_db_handle(db);
	sqlite3_stmt *st;
	char sql[1024];

	snprintf(sql, sizeof sql,
		 "INSERT OR IGNORE INTO intel_source(name, created_at) VALUES('%s', 0);"
		 "INSERT INTO intel_import(source_id, imported_at, files, format, n_records, n_unique, n_bad)"
		 " SELECT id, 0, '%s', 'csv', 0, 0, 0 FROM intel_source WHERE name = '%s' AND current_import_id IS NULL;"
		 "UPDATE intel_source SET current_import_id = (SELECT max(id) FROM intel_import WHERE source_id = intel_source.id)"
		 " WHERE name = '%s';"
		 "INSERT OR IGNORE INTO indicator(type, value) VALUES('%s', '%s');",
		 source, file, source, source, type, value);
	fx_exec(db, sql);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "INSERT OR IGNORE INTO intel_item(import_id, indicator_id, family, last_seen)"
					    " SELECT s.current_import_id, i.id, ?3, '2026-11-20' FROM intel_source s, indicator i"
					    " WHERE s.name = ?1 AND i.value = ?2",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (family)
		sqlite3_bind_text(st, 3, family, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* Add a host with addresses "a;b" in `system` ("" for none). */
static inline void fx_host(struct cg_db *db, const char *name, const char *addrs, const char *system)
{
	struct host_record *h = malloc(sizeof *h);
	assert_non_null(h);
	host_record_init(h);
	assert_int_equal(host_record_set_name(h, name, strlen(name)), CG_OK);
	assert_int_equal(host_record_add_addrs(h, addrs, strlen(addrs)), CG_OK);
	assert_int_equal(host_record_set_text(h->system, system, strlen(system)), CG_OK);
	assert_int_equal(store_host_put(db, h, STORE_HOST_UPSERT, 0, NULL), CG_OK);
	free(h);
}

#endif
