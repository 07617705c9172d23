/* store_intel under allocation failure: SQLite's allocator is wrapped so that
 * its Nth allocation fails (once, or from then on), and an import transaction
 * (open, begin, add, commit with pruning, close) is run for every N up to the
 * number of allocations a full import makes. Every failure must come back as
 * an error code, never a crash, and after reopening without failures the
 * database must be intact and hold exactly the content from before the
 * import, or exactly the imported content when the import reported success. */
#include "../test_util.h"

#include <limits.h>
#include <sqlite3.h>

#include "cg_db.h"
#include "store_intel.h"

/* ---- the failing allocator ---- */

static sqlite3_mem_methods real_mem;
static long fail_at;     /* 0: never fail; else the armed allocation that fails */
static int fail_sticky;  /* every allocation after fail_at fails too */
static long n_allocs;    /* allocations since arming */
static long n_failed;

static int should_fail(void)
{
	if (!fail_at)
		return 0;
	n_allocs++;
	if (n_allocs == fail_at || (fail_sticky && n_allocs > fail_at)) {
		n_failed++;
		return 1;
	}
	return 0;
}

static void *fault_malloc(int n)
{
	return should_fail() ? NULL : real_mem.xMalloc(n);
}

static void *fault_realloc(void *p, int n)
{
	return should_fail() ? NULL : real_mem.xRealloc(p, n);
}

static void arm(long at, int sticky)
{
	n_allocs = n_failed = 0;
	fail_sticky = sticky;
	fail_at = at;
}

/* Counting without failing: arm at a point never reached. */
static void arm_count(void)
{
	arm(LONG_MAX, 0);
}

static void disarm(void)
{
	fail_at = 0;
}

static void install_allocator(void)
{
	static sqlite3_mem_methods m;

	/* Must precede sqlite3_initialize, which the first open would run. */
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
		fail_msg("SQLITE_CONFIG_GETMALLOC failed");
	m = real_mem;
	m.xMalloc = fault_malloc;
	m.xRealloc = fault_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
		fail_msg("SQLITE_CONFIG_MALLOC failed");
}

/* ---- fixture: a database holding two imports of "botnet" and one of "other" ---- */

#define N_NEW 240 /* indicators in the import under test */

struct fx {
	char *dir;
	char base[512], work[512];
	uint64_t before, after; /* content digests */
};

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(fclose(in), 0);
	assert_int_equal(fclose(out), 0);
}

/* A fresh copy of the base database, without a stale log of an earlier run. */
static void fresh_copy(const struct fx *f)
{
	char p[600];

	snprintf(p, sizeof p, "%s-wal", f->work);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->work);
	unlink(p);
	copy_file(f->base, f->work);
}

static void add_value(struct store_intel_import *imp, const char *v, const char *family)
{
	struct ioc ioc;

	assert_int_equal(ioc_parse(v, strlen(v), IOC_NONE, &ioc), CG_OK);
	assert_int_equal(store_intel_import_add(imp, &ioc, family, "2026-11-01", NULL, NULL), CG_OK);
}

/* The i-th indicator of the generated lists: domains, IPv6 and a few IPv4. */
static void value_of(size_t i, char *buf, size_t n)
{
	if (i % 3 == 0)
		snprintf(buf, n, "c2-%zu.botnet-mau.example", i);
	else if (i % 3 == 1)
		snprintf(buf, n, "2001:db8:%zx::1", i);
	else
		snprintf(buf, n, "198.51.100.%zu", i % 256);
}

static void import_range(struct cg_db *db, const char *source, size_t from, size_t to)
{
	struct store_intel_import *imp;
	struct store_intel_summary sum;
	char v[128];

	assert_int_equal(store_intel_import_begin(db, source, "gen.txt", "plain", 0, &imp), CG_OK);
	for (size_t i = from; i < to; i++) {
		value_of(i, v, sizeof v);
		add_value(imp, v, i % 2 ? "Mirai" : NULL);
	}
	assert_int_equal(store_intel_import_commit(imp, 0, &sum), CG_OK);
}

/* Every row of every table, in key order (a table scan walks its b-tree),
 * hashed with FNV-1a; checks integrity and foreign keys on the way. */
static uint64_t digest(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *tabs, *rows;
	uint64_t d = 0xcbf29ce484222325ULL;
	char sql[256];

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &rows, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(rows), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(rows, 0), "ok");
	sqlite3_finalize(rows);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1, &rows, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(rows), SQLITE_DONE);
	sqlite3_finalize(rows);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
					    &tabs, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tabs) == SQLITE_ROW) {
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tabs, 0));
		assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const unsigned char *s = sqlite3_column_text(rows, c);
				int t = sqlite3_column_type(rows, c);
				d = (d ^ (uint64_t)t) * 0x100000001b3ULL;
				for (; s && *s; s++)
					d = (d ^ *s) * 0x100000001b3ULL;
				d = (d ^ 0xff) * 0x100000001b3ULL;
			}
		}
		sqlite3_finalize(rows);
		d = (d ^ 0xfe) * 0x100000001b3ULL;
	}
	sqlite3_finalize(tabs);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	return d;
}

/* The import under test: the third import of "botnet", which replaces the
 * second, prunes the first and the indicators only the first listed. Every
 * step's result is checked by the caller's rules; returns the first error. */
static enum cg_err import_under_test(const char *path)
{
	struct cg_db *db;
	struct store_intel_import *imp;
	struct store_intel_summary sum;
	enum cg_err rc;
	char v[128];

	if ((rc = cg_db_open(path, &db)))
		return rc;
	if ((rc = store_intel_import_begin(db, "botnet", "gen-3.txt", "plain", 0, &imp)))
		goto out;
	for (size_t i = 150; i < 150 + N_NEW; i++) {
		struct ioc ioc;
		value_of(i, v, sizeof v);
		assert_int_equal(ioc_parse(v, strlen(v), IOC_NONE, &ioc), CG_OK);
		if ((rc = store_intel_import_add(imp, &ioc, "Mirai", "2026-11-02", NULL, "port=443"))) {
			store_intel_import_abort(imp);
			goto out;
		}
	}
	if ((rc = store_intel_import_set_format(imp, "plain"))) {
		store_intel_import_abort(imp);
		goto out;
	}
	rc = store_intel_import_commit(imp, 0, &sum);
	if (!rc)
		assert_int_equal(sum.n_records, N_NEW);
out:
	cg_db_close(db);
	return rc;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct cg_db *db;

	f->dir = test_tmpdir();
	snprintf(f->base, sizeof f->base, "%s/base.db", f->dir);
	snprintf(f->work, sizeof f->work, "%s/work.db", f->dir);
	if (cg_db_open(f->base, &db))
		return -1;
	import_range(db, "botnet", 0, 200);
	import_range(db, "botnet", 100, 300);
	import_range(db, "other", 50, 80);
	cg_db_close(db);
	f->before = digest(f->base);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->dir);
	free(f);
	return 0;
}

/* Run the import with the Nth allocation failing for N = 1, 1 + stride, ...
 * until an armed run no longer fails; returns the number of failure points,
 * *absorbed those where the import still went through. */
static long sweep(struct fx *f, int sticky, long stride, long *absorbed)
{
	long points = 0;

	*absorbed = 0;

	for (long n = 1;; n += stride) {
		enum cg_err rc;
		uint64_t d;

		fresh_copy(f);
		arm(n, sticky);
		rc = import_under_test(f->work);
		disarm();
		d = digest(f->work);
		if (n_failed == 0) {
			/* Past the last allocation: the run must have gone through. */
			assert_int_equal(rc, CG_OK);
			assert_true(d == f->after);
			break;
		}
		points++;
		if (rc == CG_OK) {
			/* SQLite may absorb a failed allocation (a cache that could
			 * not grow, a checkpoint skipped at close): then the import
			 * happened, completely. */
			if (d != f->after)
				fail_msg("allocation %ld failed%s: reported success but the content is not the import's",
					 n, sticky ? " (and all after it)" : "");
			(*absorbed)++;
			continue;
		}
		assert_true(rc < CG_ERR_COUNT);
		assert_true(cg_err_msg(rc)[0] != '\0');
		if (d != f->before)
			fail_msg("allocation %ld failed%s: error %d (%s) but the database changed", n,
				 sticky ? " (and all after it)" : "", (int)rc, cg_err_msg(rc));
	}
	return points;
}

static long total_allocs(struct fx *f)
{
	fresh_copy(f);
	arm_count();
	assert_int_equal(import_under_test(f->work), CG_OK);
	disarm();
	f->after = digest(f->work);
	assert_true(f->after != f->before);
	return n_allocs;
}

/* Keep the sweeps to about a thousand runs each. */
static long stride_for(long total)
{
	return total / 1000 + 1;
}

static void fail_once(void **state)
{
	struct fx *f = *state;
	long absorbed, total = total_allocs(f), points = sweep(f, 0, stride_for(total), &absorbed);

	fprintf(stderr, "# %ld allocations in a full import; %ld single failures tried, %ld absorbed by SQLite\n",
		total, points, absorbed);
	assert_true(points > 0);
}

static void fail_from_then_on(void **state)
{
	struct fx *f = *state;
	long absorbed, total = total_allocs(f), points = sweep(f, 1, stride_for(total), &absorbed);

	fprintf(stderr, "# %ld allocations in a full import; %ld persistent failures tried, %ld absorbed by SQLite\n",
		total, points, absorbed);
	assert_true(points > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fail_once, setup, teardown),
		cmocka_unit_test_setup_teardown(fail_from_then_on, setup, teardown),
	};

	/* Imports are stamped with the time: the same clock for every run. */
	cg_clock_fix(1767225600);
	install_allocator();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
