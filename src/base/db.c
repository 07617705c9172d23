#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cg_i18n.h"

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct cg_db {
	sqlite3 *h;
	char *path;
	int version;
	/* Statements of the stores that do not yet own theirs, one per SQL
	 * literal, kept until the database closes: never evicted, so a
	 * statement an outer loop is stepping cannot be finalised under it.
	 * Bounded by the number of SQL literals in the program. */
	size_t n_stmts, cap_stmts;
	struct stmt_slot *stmts;
};

/* Each entry is one schema version; never edit a released entry, append. */
static const char *const migrations[] = {
	/* 1: module schema versions, intel, inventory, hunts */
	"CREATE TABLE cg_module("
	"  name TEXT PRIMARY KEY,"
	"  version INTEGER NOT NULL);"
	"CREATE TABLE intel_source("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  current_import_id INTEGER);"
	"CREATE TABLE intel_import("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES intel_source(id) ON DELETE CASCADE,"
	"  imported_at INTEGER NOT NULL,"
	"  files TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  n_records INTEGER NOT NULL,"
	"  n_unique INTEGER NOT NULL,"
	"  n_bad INTEGER NOT NULL);"
	"CREATE INDEX intel_import_source ON intel_import(source_id, id);"
	"CREATE TABLE indicator("
	"  id INTEGER PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  UNIQUE(type, value));"
	/* The list a source had as of one import; a source's current list is the
	 * items of its current_import_id. */
	"CREATE TABLE intel_item("
	"  import_id INTEGER NOT NULL REFERENCES intel_import(id) ON DELETE CASCADE,"
	"  indicator_id INTEGER NOT NULL REFERENCES indicator(id),"
	"  family TEXT,"
	"  first_seen TEXT,"
	"  last_seen TEXT,"
	"  extra TEXT,"
	"  PRIMARY KEY(import_id, indicator_id)) WITHOUT ROWID;"
	"CREATE INDEX intel_item_indicator ON intel_item(indicator_id);"
	"CREATE TABLE system("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  level INTEGER NOT NULL CHECK(level BETWEEN 1 AND 5),"
	"  owner TEXT,"
	"  description TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE host("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  system_id INTEGER REFERENCES system(id) ON DELETE SET NULL,"
	"  os TEXT,"
	"  role TEXT,"
	"  location TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE host_addr("
	"  host_id INTEGER NOT NULL REFERENCES host(id) ON DELETE CASCADE,"
	"  addr TEXT NOT NULL,"
	"  PRIMARY KEY(host_id, addr)) WITHOUT ROWID;"
	"CREATE INDEX host_addr_addr ON host_addr(addr);"
	"CREATE TABLE hunt("
	"  id INTEGER PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  paths TEXT NOT NULL,"
	"  n_files INTEGER NOT NULL DEFAULT 0,"
	"  n_bytes INTEGER NOT NULL DEFAULT 0,"
	"  n_lines INTEGER NOT NULL DEFAULT 0,"
	"  n_hits INTEGER NOT NULL DEFAULT 0,"
	"  n_errors INTEGER NOT NULL DEFAULT 0);"
	/* One row per (log line, indicator text). line_hash keeps a rotated file
	 * whose line N now says something else from being taken for a re-run. */
	"CREATE TABLE hit("
	"  id INTEGER PRIMARY KEY,"
	"  hunt_id INTEGER NOT NULL REFERENCES hunt(id) ON DELETE CASCADE,"
	"  file TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  line_hash INTEGER NOT NULL,"
	"  indicator TEXT NOT NULL,"
	"  match TEXT NOT NULL,"
	"  match_type TEXT NOT NULL,"
	"  source TEXT,"
	"  family TEXT,"
	"  host_id INTEGER REFERENCES host(id) ON DELETE SET NULL,"
	"  host_label TEXT,"
	"  seen_at INTEGER,"
	"  UNIQUE(file, line, line_hash, indicator));"
	"CREATE INDEX hit_host ON hit(host_id);"
	"CREATE INDEX hit_match ON hit(match);",
};

#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

sqlite3 *cg_db_handle(struct cg_db *db)
{
	return db->h;
}

int cg_db_schema_version(struct cg_db *db)
{
	return db->version;
}

enum cg_err cg_db_fail(struct cg_db *db, const char *what)
{
	int ext = sqlite3_extended_errcode(db->h);
	enum cg_err code = CG_EDB;

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		code = CG_EEXIST;
	return cg_err_set(code, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

enum cg_err cg_db_step_done(struct cg_db *db, sqlite3_stmt *st, const char *what)
{
	enum cg_err rc = CG_OK;

	/* The error is read before the reset, from the step that failed. */
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cg_db_fail(db, what);
	sqlite3_reset(st);
	return rc;
}

enum cg_err cg_db_rows_end(struct cg_db *db, sqlite3_stmt *st, int step, const char *what)
{
	enum cg_err rc = step == SQLITE_DONE ? CG_OK : cg_db_fail(db, what);

	sqlite3_reset(st);
	return rc;
}

enum cg_err cg_db_exec(struct cg_db *db, const char *sql)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cg_db_fail(db, _("executing SQL"));
	return CG_OK;
}

enum cg_err cg_db_begin(struct cg_db *db)
{
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return cg_db_fail(db, _("starting a transaction"));
	return CG_OK;
}

enum cg_err cg_db_commit(struct cg_db *db)
{
	if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		enum cg_err rc = cg_db_fail(db, _("committing"));
		cg_db_rollback(db);
		return rc;
	}
	return CG_OK;
}

void cg_db_rollback(struct cg_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

enum cg_err cg_db_stmt(struct cg_db *db, const char *sql, sqlite3_stmt **out)
{
	size_t i;
	sqlite3_stmt *st;

	for (i = 0; i < db->n_stmts; i++) {
		if (db->stmts[i].sql == sql) {
			sqlite3_reset(db->stmts[i].st);
			sqlite3_clear_bindings(db->stmts[i].st);
			*out = db->stmts[i].st;
			return CG_OK;
		}
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return cg_db_fail(db, _("preparing a statement"));
	if (db->n_stmts == db->cap_stmts) {
		size_t nc = db->cap_stmts ? db->cap_stmts * 2 : 64;
		struct stmt_slot *p = realloc(db->stmts, nc * sizeof *p);
		if (!p) {
			sqlite3_finalize(st);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		db->stmts = p;
		db->cap_stmts = nc;
	}
	db->stmts[db->n_stmts].sql = sql;
	db->stmts[db->n_stmts].st = st;
	db->n_stmts++;
	*out = st;
	return CG_OK;
}

int cg_db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

const char *cg_db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? (const char *)s : "";
}

static enum cg_err read_version(struct cg_db *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return cg_db_fail(db, _("reading the schema version"));
	rc = sqlite3_step(st);
	db->version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cg_db_fail(db, _("reading the schema version"));
	return CG_OK;
}

static enum cg_err migrate(struct cg_db *db)
{
	enum cg_err rc;
	char pragma[64];

	if ((rc = read_version(db)))
		return rc;
	if (db->version > (int)N_MIGRATIONS)
		return cg_err_set(CG_EUNSUPPORTED,
				  _("%s: schema version %d is newer than this canhgac knows (%zu); upgrade canhgac"),
				  db->path, db->version, N_MIGRATIONS);
	while (db->version < (int)N_MIGRATIONS) {
		if ((rc = cg_db_begin(db)))
			return rc;
		if ((rc = cg_db_exec(db, migrations[db->version])))
			goto fail;
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", db->version + 1);
		if ((rc = cg_db_exec(db, pragma)))
			goto fail;
		if ((rc = cg_db_commit(db)))
			return rc;
		db->version++;
	}
	return CG_OK;
fail:
	cg_db_rollback(db);
	return cg_err_prefix(rc, _("migrating to schema version %d"), db->version + 1);
}

/* Bring one module's own tables up to date (see struct cg_schema). */
static enum cg_err migrate_module(struct cg_db *db, const struct cg_schema *m)
{
	sqlite3_stmt *st;
	int version = 0, rc_step;
	enum cg_err rc;

	if ((rc = cg_db_stmt(db, "SELECT version FROM cg_module WHERE name = ?1", &st)))
		return rc;
	sqlite3_bind_text(st, 1, m->module, -1, SQLITE_STATIC);
	rc_step = sqlite3_step(st);
	if (rc_step == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	else if (rc_step != SQLITE_DONE)
		return cg_db_fail(db, _("reading a module schema version"));
	sqlite3_reset(st);
	if (version > (int)m->n_steps)
		return cg_err_set(CG_EUNSUPPORTED,
				  _("%s: schema of '%s' is version %d, newer than this canhgac knows (%zu); upgrade canhgac"),
				  db->path, m->module, version, m->n_steps);
	while (version < (int)m->n_steps) {
		if ((rc = cg_db_begin(db)))
			return rc;
		if ((rc = cg_db_exec(db, m->steps[version])))
			goto fail;
		if ((rc = cg_db_stmt(db, "INSERT INTO cg_module(name, version) VALUES(?1, ?2) "
					 "ON CONFLICT(name) DO UPDATE SET version = excluded.version", &st)))
			goto fail;
		sqlite3_bind_text(st, 1, m->module, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, version + 1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = cg_db_fail(db, _("recording a module schema version"));
			goto fail;
		}
		sqlite3_reset(st);
		if ((rc = cg_db_commit(db)))
			return rc;
		version++;
	}
	return CG_OK;
fail:
	cg_db_rollback(db);
	return cg_err_prefix(rc, _("migrating '%s' to schema version %d"), m->module, version + 1);
}

enum cg_err cg_db_open(const char *path, struct cg_db **out)
{
	struct cg_db *db;
	enum cg_err rc;

	*out = NULL;
	db = calloc(1, sizeof *db);
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = cg_err_set(CG_EDB, _("%s: cannot open database: %s"), path,
				db->h ? sqlite3_errmsg(db->h) : _("out of memory"));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	/* The first statement to touch the file: name the step, so a full disk
	 * or a broken file reads as a failed open, not as some SQL failing. */
	if (sqlite3_exec(db->h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", NULL, NULL, NULL) != SQLITE_OK) {
		rc = cg_db_fail(db, _("opening the database (write-ahead log)"));
		goto fail;
	}
	if ((rc = migrate(db)))
		goto fail;
	for (size_t i = 0; i < cg_module_schemas_n; i++)
		if ((rc = migrate_module(db, cg_module_schemas[i])))
			goto fail;
	*out = db;
	return CG_OK;
fail:
	cg_db_close(db);
	return rc;
}

void cg_db_close(struct cg_db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < db->n_stmts; i++)
		sqlite3_finalize(db->stmts[i].st);
	free(db->stmts);
	if (db->h)
		sqlite3_close(db->h);
	free(db->path);
	free(db);
}

static enum cg_err mkdir_p(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), dir, strerror(errno));
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("%s: cannot create directory: %s"), dir, strerror(errno));
	return CG_OK;
}

enum cg_err cg_db_resolve_path(const char *explicit_path, char *buf, size_t n)
{
	const char *env = getenv("CANHGAC_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char dir[4096];
	int w;

	if (explicit_path && *explicit_path)
		w = snprintf(buf, n, "%s", explicit_path);
	else if (env && *env)
		w = snprintf(buf, n, "%s", env);
	else {
		if (xdg && *xdg == '/')
			w = snprintf(dir, sizeof dir, "%s/canhgac", xdg);
		else if (home && *home == '/')
			w = snprintf(dir, sizeof dir, "%s/.local/share/canhgac", home);
		else
			return cg_err_set(CG_EINVAL, _("no database path: give --db or set CANHGAC_DB"));
		if (w < 0 || (size_t)w >= sizeof dir)
			return cg_err_set(CG_ELIMIT, _("database directory path too long"));
		enum cg_err rc = mkdir_p(dir);
		if (rc)
			return rc;
		w = snprintf(buf, n, "%s/canhgac.db", dir);
	}
	if (w < 0 || (size_t)w >= n)
		return cg_err_set(CG_ELIMIT, _("database path too long"));
	return CG_OK;
}

int64_t cg_now(void)
{
	const char *fake = getenv("CANHGAC_NOW");
	if (fake && *fake) {
		char *end;
		long long v = strtoll(fake, &end, 10);
		if (*end == '\0')
			return v;
	}
	return (int64_t)time(NULL);
}

void cg_time_iso(int64_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
