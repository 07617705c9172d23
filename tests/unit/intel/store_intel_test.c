#include "db.h"
#include "../test_util.h"

#include "store_intel.h"

struct fx {
	char *dir;
	char path[512];
	struct cg_db *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = test_tmpdir();
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	if (cg_db_open(f->path, &f->db))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];
	cg_db_close(f->db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->dir);
	free(f);
	return 0;
}

static void add(struct store_intel_import *imp, const char *v, const char *family)
{
	struct ioc ioc;
	assert_int_equal(ioc_parse(v, strlen(v), IOC_NONE, &ioc), CG_OK);
	assert_int_equal(store_intel_import_add(imp, &ioc, family, "2026-11-01", NULL, NULL), CG_OK);
}

static void import_list(struct cg_db *db, const char *source, const char *const *values, size_t n, int append,
			struct store_intel_summary *sum)
{
	struct store_intel_import *imp;
	assert_int_equal(store_intel_import_begin(db, source, "f.txt", "plain", append, &imp), CG_OK);
	for (size_t i = 0; i < n; i++)
		add(imp, values[i], "Mirai");
	assert_int_equal(store_intel_import_commit(imp, 0, sum), CG_OK);
}

struct seen {
	size_t n;
	char last[IOC_VALUE_MAX + 256];
	char src[256];
};

static enum cg_err count_cb(void *ctx, const struct ioc *ioc, const char *source, const char *family)
{
	struct seen *s = ctx;
	s->n++;
	snprintf(s->last, sizeof s->last, "%s %s %.200s", ioc_type_name(ioc->type), ioc->value, family ? family : "-");
	snprintf(s->src, sizeof s->src, "%.200s", source);
	return CG_OK;
}

static void replace_append_foreach(void **state)
{
	struct fx *f = *state;
	struct store_intel_summary sum;
	struct seen s = {0};
	static const char *const oct[] = {"203.0.113.77", "203.0.113.54", "2001:db8:77::15", "203.0.113.77"};
	static const char *const nov[] = {"203.0.113.25", "203.0.113.77", "2001:DB8:77:0:0:0:0:15"};

	import_list(f->db, "botnet", oct, 4, 0, &sum);
	assert_int_equal(sum.n_unique, 3);
	assert_int_equal(sum.n_duplicates, 1);
	assert_int_equal(sum.prev_import_id, 0);
	import_list(f->db, "botnet", nov, 3, 0, &sum);
	assert_int_equal(sum.n_unique, 3);
	assert_int_equal(sum.n_added, 1);
	assert_int_equal(sum.n_removed, 1);
	assert_int_equal(sum.by_type[IOC_IPV6], 1);
	assert_int_equal(store_intel_foreach(f->db, NULL, 0, count_cb, &s), CG_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.src, "botnet");
	const char *names[] = {"botnet"};
	s.n = 0;
	assert_int_equal(store_intel_foreach(f->db, names, 1, count_cb, &s), CG_OK);
	assert_int_equal(s.n, 3);
	const char *bad[] = {"botnet", "nope"};
	s.n = 0;
	assert_int_equal(store_intel_foreach(f->db, bad, 2, count_cb, &s), CG_ENOTFOUND);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(cg_err_msg(CG_ENOTFOUND), "nope"));
	/* append keeps the current list */
	static const char *const extra[] = {"198.51.100.0/24"};
	import_list(f->db, "botnet", extra, 1, 1, &sum);
	assert_int_equal(sum.n_unique, 4);
	assert_int_equal(sum.n_added, 1);
	assert_int_equal(sum.n_removed, 0);
}

static void abort_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct store_intel_summary sum;
	struct store_intel_import *imp;
	struct seen s = {0};
	static const char *const one[] = {"192.0.2.1"};

	import_list(f->db, "feodo", one, 1, 0, &sum);
	assert_int_equal(store_intel_import_begin(f->db, "feodo", "x", "plain", 0, &imp), CG_OK);
	add(imp, "192.0.2.2", NULL);
	add(imp, "192.0.2.3", NULL);
	store_intel_import_abort(imp);
	store_intel_import_abort(NULL);
	assert_int_equal(store_intel_foreach(f->db, NULL, 0, count_cb, &s), CG_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.last, "ipv4 192.0.2.1 Mirai");
	/* a source created in an aborted import does not exist afterwards */
	assert_int_equal(store_intel_import_begin(f->db, "ghost", "x", "plain", 0, &imp), CG_OK);
	store_intel_import_abort(imp);
	const char *names[] = {"ghost"};
	assert_int_equal(store_intel_foreach(f->db, names, 1, count_cb, &s), CG_ENOTFOUND);
}

struct diffs {
	size_t added, removed;
};

static enum cg_err diff_cb(void *ctx, int added, const char *type, const char *value, const char *family)
{
	struct diffs *d = ctx;
	(void)type;
	(void)family;
	if (added) {
		d->added++;
		assert_string_equal(value, "c.example");
	} else {
		d->removed++;
		assert_string_equal(value, "a.example");
	}
	return CG_OK;
}

static void diff_remove_prune(void **state)
{
	struct fx *f = *state;
	struct store_intel_summary sum;
	struct diffs d = {0};
	struct store_intel_stats st;
	int has_prev;
	size_t pruned;
	static const char *const v1[] = {"a.example", "b.example"};
	static const char *const v2[] = {"b.example", "c.example"};
	static const char *const v3[] = {"b.example"};

	import_list(f->db, "dns", v1, 2, 0, &sum);
	assert_int_equal(store_intel_diff(f->db, "dns", &has_prev, diff_cb, &d), CG_OK);
	assert_int_equal(has_prev, 0);
	import_list(f->db, "dns", v2, 2, 0, &sum);
	assert_int_equal(store_intel_diff(f->db, "dns", &has_prev, diff_cb, &d), CG_OK);
	assert_int_equal(has_prev, 1);
	assert_int_equal(d.added, 1);
	assert_int_equal(d.removed, 1);
	import_list(f->db, "other", v3, 1, 0, &sum);
	assert_int_equal(store_intel_stats(f->db, &st, NULL, 0, NULL), CG_OK);
	assert_int_equal(st.n_sources, 2);
	assert_int_equal(st.n_indicators, 2);
	assert_int_equal(st.n_overlap, 1);
	assert_int_equal(store_intel_remove(f->db, "dns", &pruned), CG_OK);
	/* a.example (only in the old list) and c.example go; b.example stays for "other". */
	assert_int_equal(pruned, 2);
	assert_int_equal(store_intel_remove(f->db, "dns", &pruned), CG_ENOTFOUND);
	assert_int_equal(store_intel_stats(f->db, &st, NULL, 0, NULL), CG_OK);
	assert_int_equal(st.n_indicators, 1);
	assert_int_equal(st.n_overlap, 0);
}

static void history_is_pruned(void **state)
{
	struct fx *f = *state;
	struct store_intel_summary sum;
	static const char *const a[] = {"192.0.2.10"}, *const b[] = {"192.0.2.11"}, *const c[] = {"192.0.2.12"};
	struct store_intel_stats st;

	import_list(f->db, "m", a, 1, 0, &sum);
	import_list(f->db, "m", b, 1, 0, &sum);
	import_list(f->db, "m", c, 1, 0, &sum);
	assert_int_equal(sum.n_added, 1);
	assert_int_equal(sum.n_removed, 1);
	sqlite3_stmt *stmt;
	assert_int_equal(sqlite3_prepare_v2(cg_db_handle(f->db), "SELECT count(*) FROM indicator", -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	/* the first list is gone with its only indicator; current and previous remain */
	assert_int_equal(sqlite3_column_int(stmt, 0), 2);
	sqlite3_finalize(stmt);
	assert_int_equal(store_intel_stats(f->db, &st, NULL, 0, NULL), CG_OK);
	assert_int_equal(st.n_indicators, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(replace_append_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(abort_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(diff_remove_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(history_is_pruned, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
