/* db — the embedded SQLite database: open, WAL, versioned migrations and a
 * prepared-statement cache. Only store_* modules include this header; the rest
 * of canhgac talks to storage through their interfaces (so a PostgreSQL backend
 * can later sit behind the same store_* functions). */
#ifndef CG_DB_H
#define CG_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_db.h"
#include "cg_err.h"

struct cg_db;

/* A module that keeps its own tables (vulnerabilities, blocking, ...) lists
 * its schema steps here; each step is applied once, in order, in its own
 * transaction, and the module's version is kept in table cg_module. Never
 * edit a released step: append. Modules are listed in src/base/schemas.c. */
struct cg_schema {
	const char *module;
	const char *const *steps;
	size_t n_steps;
};
extern const struct cg_schema *const cg_module_schemas[];
extern const size_t cg_module_schemas_n;

/* A prepared statement for `sql`, cached per database and reset with its
 * bindings cleared. `sql` must be a string literal (cached by address).
 * The statement is owned by the cache (never evicted; finalised when the
 * database closes): do not finalize it. Transitional: a store should own
 * its statements (prepare them when it opens, finalise them when it
 * closes), as store_alert and store_hunt do. */
enum cg_err cg_db_stmt(struct cg_db *db, const char *sql, sqlite3_stmt **out) CG_MUST_CHECK;

/* Transactions; begin is IMMEDIATE so writers fail early, not mid-way. */
enum cg_err cg_db_begin(struct cg_db *db) CG_MUST_CHECK;
enum cg_err cg_db_commit(struct cg_db *db) CG_MUST_CHECK;
void cg_db_rollback(struct cg_db *db);

/* Run SQL without results (schema, pragmas). */
enum cg_err cg_db_exec(struct cg_db *db, const char *sql) CG_MUST_CHECK;

/* Record the SQLite error of `db` with context `what`; returns CG_EDB
 * (or CG_EEXIST for constraint violations on UNIQUE keys). */
enum cg_err cg_db_fail(struct cg_db *db, const char *what);

/* Step a statement that returns no rows (INSERT, UPDATE, DELETE) and reset
 * it; anything but SQLITE_DONE is recorded with cg_db_fail(db, what). */
enum cg_err cg_db_step_done(struct cg_db *db, sqlite3_stmt *st, const char *what) CG_MUST_CHECK;

/* After a loop over the rows of `st` that ended with sqlite3_step result
 * `step`: CG_OK when that was SQLITE_DONE, else the failure recorded with
 * cg_db_fail(db, what). Resets `st` either way. */
enum cg_err cg_db_rows_end(struct cg_db *db, sqlite3_stmt *st, int step, const char *what) CG_MUST_CHECK;

/* Helpers for binding text that may be NULL (binds SQL NULL). */
int cg_db_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Column text as a C string, "" for NULL. Borrowed until the next step. */
const char *cg_db_col_text(sqlite3_stmt *st, int col);

/* Borrow the raw handle; for store_* modules only. */
sqlite3 *cg_db_handle(struct cg_db *db);

#endif
