/* cg_db — the database handle as the rest of canhgac sees it: open, close,
 * where it lives. No SQLite types: the SQL stays in db.c and the store_*
 * modules (which include db.h). */
#ifndef CG_CG_DB_H
#define CG_CG_DB_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct cg_db;

/* Open (creating if needed) the database at `path`, enable WAL and foreign
 * keys, and apply pending migrations in one transaction each. A database
 * written by a newer canhgac (higher schema version) is refused. */
enum cg_err cg_db_open(const char *path, struct cg_db **out) CG_MUST_CHECK;
void cg_db_close(struct cg_db *db); /* NULL is a no-op */
/* The same for commands that only read: a missing file is CG_ENOTFOUND with a
 * message saying how to create a database, never a new empty one (an empty
 * ruleset exported from a mistyped path would lift every block). */
enum cg_err cg_db_open_existing(const char *path, struct cg_db **out) CG_MUST_CHECK;

/* While another connection holds the write lock, a connection waits (at most
 * $CANHGAC_BUSY_TIMEOUT seconds, default 600) and after a second reports once
 * through `fn` (the CLI prints it) which process holds it. NULL: silent. */
void cg_db_set_notice(void (*fn)(const char *msg));
/* Describe the process holding the write lock of the database at `path`
 * ("process 123 (canhgac intel import big.csv)") into `buf`. */
void cg_db_writer(const char *path, char *buf, size_t n);

/* The database path chosen for the CLI: `explicit_path` if given, else
 * $CANHGAC_DB, else $XDG_DATA_HOME/canhgac/canhgac.db, else
 * ~/.local/share/canhgac/canhgac.db. Creates the parent directory of the
 * default location. Writes into `buf`. */
enum cg_err cg_db_resolve_path(const char *explicit_path, char *buf, size_t n) CG_MUST_CHECK;

/* Current schema version (number of applied migrations). */
int cg_db_schema_version(struct cg_db *db);

/* Seconds since the epoch: the real clock, or the time a front end fixed
 * with cg_clock_fix (the CLI does so for $CANHGAC_NOW, the tests' fake
 * clock; the library reads no environment for it). */
int64_t cg_now(void);
void cg_clock_fix(int64_t now);
/* Format `t` as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void cg_time_iso(int64_t t, char *buf, size_t n);

#endif
