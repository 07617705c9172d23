#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "cg_time.h"

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct cg_db {
	sqlite3 *h;
	char *path;
	int version;
	int64_t busy_since_ms; /* first busy retry of the current wait */
	int busy_told;         /* the waiting notice was given for this wait */
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

static void (*busy_notice)(const char *msg);

void cg_db_set_notice(void (*fn)(const char *msg))
{
	busy_notice = fn;
}

/* Why a database cannot be written, if the reason is read-only storage:
 * fills `buf` and returns 1, else 0. */
static int readonly_reason(const char *path, char *buf, size_t n)
{
	struct statvfs vfs;
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		snprintf(buf, n, _("the file system holding the database is read-only"));
		return 1;
	}
	if (access(path, F_OK) == 0 && access(path, W_OK) != 0) {
		snprintf(buf, n, _("the database file is read-only (no write permission)"));
		return 1;
	}
	if (access(dir, W_OK) != 0) {
		snprintf(buf, n, _("the database's directory %s is not writable (the write-ahead log is kept beside the database)"),
			 dir);
		return 1;
	}
	return 0;
}

/* The process holding SQLite's WAL write lock (byte 120 of the -shm file,
 * UNIX_SHM_BASE in SQLite's os_unix.c), named with its command line. */
void cg_db_writer(const char *path, char *buf, size_t n)
{
	char shm[4200], cmd[256];
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 120, .l_len = 1};
	int fd;
	ssize_t got;

	snprintf(buf, n, _("another program"));
	snprintf(shm, sizeof shm, "%s-shm", path);
	if ((fd = open(shm, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK || fl.l_pid <= 0) {
		close(fd);
		return;
	}
	close(fd);
	snprintf(shm, sizeof shm, "/proc/%ld/cmdline", (long)fl.l_pid);
	got = 0;
	if ((fd = open(shm, O_RDONLY | O_CLOEXEC)) >= 0) {
		got = read(fd, cmd, sizeof cmd - 1);
		close(fd);
	}
	if (got <= 0) {
		snprintf(buf, n, _("process %ld"), (long)fl.l_pid);
		return;
	}
	/* Arguments are NUL-separated; anything unprintable is shown as '?'. */
	for (ssize_t i = 0; i < got; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
		else if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			cmd[i] = '?';
	while (got > 0 && cmd[got - 1] == ' ')
		got--;
	cmd[got] = '\0';
	snprintf(buf, n, _("process %ld (%s)"), (long)fl.l_pid, cmd);
}

/* SQLite calls this while another connection holds the lock: wait, say once
 * (after a second) who holds it, give up after CANHGAC_BUSY_TIMEOUT seconds
 * (default 600). */
static int on_busy(void *arg, int count)
{
	struct cg_db *db = arg;
	const char *env = getenv("CANHGAC_BUSY_TIMEOUT");
	int64_t limit_ms = 600000, now = cg_time_mono_ms();
	struct timespec nap = {0, 50 * 1000000L};

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		if (*end == '\0' && v >= 0)
			limit_ms = (int64_t)v * 1000;
	}
	if (count == 0) {
		db->busy_since_ms = now;
		db->busy_told = 0;
	}
	if (now - db->busy_since_ms >= limit_ms)
		return 0;
	if (!db->busy_told && now - db->busy_since_ms >= 1000 && busy_notice) {
		char who[512], msg[1024];
		cg_db_writer(db->path, who, sizeof who);
		snprintf(msg, sizeof msg, _("%s: the database is busy: %s is writing to it; waiting (at most %lld s)"),
			 db->path, who, (long long)(limit_ms / 1000));
		busy_notice(msg);
		db->busy_told = 1;
	}
	nanosleep(&nap, NULL);
	return 1;
}

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

	char why[512];

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		code = CG_EEXIST;
	if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED) {
		cg_db_writer(db->path, why, sizeof why);
		return cg_err_set(code, _("%s: %s: the database is busy: %s is writing to it; run this again when it has finished"),
				  db->path, what, why);
	}
	if ((ext & 0xff) == SQLITE_READONLY || (ext & 0xff) == SQLITE_CANTOPEN || (ext & 0xff) == SQLITE_IOERR) {
		if (readonly_reason(db->path, why, sizeof why))
			return cg_err_set(code, "%s: %s: %s", db->path, what, why);
	}
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
		char why[512];
		if (!readonly_reason(path, why, sizeof why))
			snprintf(why, sizeof why, "%s", db->h ? sqlite3_errmsg(db->h) : _("out of memory"));
		rc = cg_err_set(CG_EDB, _("%s: cannot open database: %s"), path, why);
		goto fail;
	}
	sqlite3_busy_handler(db->h, on_busy, db);
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

enum cg_err cg_db_open_existing(const char *path, struct cg_db **out)
{
	struct stat st;

	*out = NULL;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return cg_err_set(CG_ENOTFOUND,
				  _("%s: no such database (a mistyped --db or CANHGAC_DB?); commands that only read never "
				    "create one: create it by storing something, e.g. 'canhgac intel import', 'canhgac block add' "
				    "or 'canhgac host add'"),
				  path);
	return cg_db_open(path, out);
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

/* The front end's fixed clock (tests' CANHGAC_NOW, read by the CLI), or 0
 * for the real clock. Set once at start-up, before any thread. */
static int64_t fixed_now;
static int clock_fixed;

void cg_clock_fix(int64_t now)
{
	fixed_now = now;
	clock_fixed = 1;
}

int64_t cg_now(void)
{
	return clock_fixed ? fixed_now : (int64_t)time(NULL);
}

void cg_time_iso(int64_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
