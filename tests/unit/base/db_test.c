#include "../test_util.h"

#include "db.h"

static void open_migrates_and_reopens(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char path[512];
	struct cg_db *db = NULL;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/t.db", dir);
	assert_int_equal(cg_db_open(path, &db), CG_OK);
	int v = cg_db_schema_version(db);
	assert_true(v >= 1);
	assert_int_equal(cg_db_stmt(db, "INSERT INTO system(name, level, created_at) VALUES('s', 3, 0)", &st), CG_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	/* The level CHECK constraint holds. */
	assert_int_equal(cg_db_stmt(db, "INSERT INTO system(name, level, created_at) VALUES('t', 9, 0)", &st), CG_OK);
	assert_int_equal(sqlite3_step(st) & 0xff, SQLITE_CONSTRAINT);
	cg_db_close(db);

	assert_int_equal(cg_db_open(path, &db), CG_OK);
	assert_int_equal(cg_db_schema_version(db), v);
	assert_int_equal(cg_db_stmt(db, "SELECT count(*) FROM system", &st), CG_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	/* A database from a newer canhgac is refused. */
	assert_int_equal(cg_db_exec(db, "PRAGMA user_version=9999"), CG_OK);
	cg_db_close(db);
	assert_int_equal(cg_db_open(path, &db), CG_EUNSUPPORTED);
	assert_null(db);
	free(dir);
}

static void transaction_rollback(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char path[512];
	struct cg_db *db = NULL;
	sqlite3_stmt *st;

	snprintf(path, sizeof path, "%s/t.db", dir);
	assert_int_equal(cg_db_open(path, &db), CG_OK);
	assert_int_equal(cg_db_begin(db), CG_OK);
	assert_int_equal(cg_db_exec(db, "INSERT INTO system(name, level, created_at) VALUES('x', 1, 0)"), CG_OK);
	cg_db_rollback(db);
	assert_int_equal(cg_db_stmt(db, "SELECT count(*) FROM system", &st), CG_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	cg_db_close(db);
	free(dir);
}

/* An outer loop's statement stays usable however many other statements
 * are prepared meanwhile (the old cache evicted the oldest after 128 and
 * finalised it under the loop). */
static void outer_statement_survives(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char path[512];
	struct cg_db *db = NULL;
	sqlite3_stmt *outer, *st;
	enum { N_OTHER = 300 };
	static char sql[N_OTHER][48]; /* distinct texts at stable addresses */
	int rows = 0;

	snprintf(path, sizeof path, "%s/t.db", dir);
	assert_int_equal(cg_db_open(path, &db), CG_OK);
	assert_int_equal(cg_db_exec(db, "INSERT INTO system(name, level, created_at) VALUES('a', 1, 0), ('b', 2, 0),"
					" ('c', 3, 0)"),
			 CG_OK);
	assert_int_equal(cg_db_stmt(db, "SELECT level FROM system ORDER BY level", &outer), CG_OK);
	while (sqlite3_step(outer) == SQLITE_ROW) {
		rows++;
		assert_int_equal(sqlite3_column_int(outer, 0), rows);
		for (int i = 0; i < N_OTHER; i++) {
			snprintf(sql[i], sizeof sql[i], "SELECT %d + level FROM system", i);
			assert_int_equal(cg_db_stmt(db, sql[i], &st), CG_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			sqlite3_reset(st);
		}
	}
	assert_int_equal(rows, 3);
	cg_db_close(db);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_migrates_and_reopens),
		cmocka_unit_test(transaction_rollback),
		cmocka_unit_test(outer_statement_survives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
