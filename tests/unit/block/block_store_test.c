#include "../test_util.h"

#include "block.h"
#include "block_view.h"
#include "order.h"
#include "store_block.h"

#define T0 1796083200 /* 2026-12-01T00:00:00Z */

static struct cg_db *open_db(char **dir)
{
	char path[512];
	struct cg_db *db = NULL;
	*dir = test_tmpdir();
	snprintf(path, sizeof path, "%s/b.db", *dir);
	assert_int_equal(cg_db_open(path, &db), CG_OK);
	return db;
}

static void decide(struct cg_db *db, enum block_action a, const char *target, int64_t now, int64_t expires,
		   const char *origin)
{
	struct block_batch *b = block_batch_new();
	struct block_decide_opts o = {.action = a, .reason = "test", .origin = origin, .expires_at = expires, .now = now};
	struct block_decide_report rep;
	assert_int_equal(block_batch_add_text(b, target, "arg"), CG_OK);
	assert_int_equal(block_batch_check(b, db, a, 0), CG_OK);
	assert_int_equal(block_batch_commit(b, db, &o, &rep), CG_OK);
	block_batch_free(b);
}

static char *render(struct cg_db *db, enum block_format fmt, int64_t at, int64_t since)
{
	struct block_export_req r = {.fmt = fmt, .at = at, .has_since = since != 0, .since = since};
	struct block_export_result res;
	assert_int_equal(block_export_render(db, &r, &res), CG_OK);
	return res.data;
}

static void view_merges_excepts_and_expires(void **state)
{
	(void)state;
	char *dir;
	struct cg_db *db = open_db(&dir);
	struct block_view *v;
	const struct block_items *it;
	char buf[64];

	decide(db, BLOCK_BLOCK, "198.51.100.0/25", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "198.51.100.128/25", T0, 0, "intel:x");
	decide(db, BLOCK_ALLOW, "198.51.100.7", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "2001:db8:1::/48", T0, T0 + 3600, NULL);
	decide(db, BLOCK_BLOCK, "evil.example", T0, 0, NULL);
	decide(db, BLOCK_ALLOW, "ok.evil.example", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "x.ok.evil.example", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "https://bad.example/login", T0, 0, NULL);

	assert_int_equal(block_view_build(db, T0 + 10, &v), CG_OK);
	it = block_view_items(v);
	assert_int_equal(it->n_v4, 8);
	range_cidr_format(0, &it->v4[2], buf, sizeof buf);
	assert_string_equal(buf, "198.51.100.6");
	range_cidr_format(0, &it->v4[3], buf, sizeof buf);
	assert_string_equal(buf, "198.51.100.8/29");
	assert_int_equal(it->n_v6, 1);
	assert_int_equal(it->n_domains, 1);
	assert_string_equal(it->domains[0], "evil.example");
	assert_int_equal(it->n_passthru, 1);
	assert_string_equal(it->passthru[0], "ok.evil.example");
	assert_int_equal(it->n_urls, 1);
	/* Eight decisions made at T0: the last change, and eight changes. */
	assert_int_equal(block_view_last_change(v), T0);
	assert_int_equal(block_view_serial(v), T0 + 8);
	assert_int_equal(block_view_next_expiry(v), T0 + 3600);
	assert_true(block_view_domain_blocked(v, "a.b.evil.example"));
	assert_false(block_view_domain_blocked(v, "y.ok.evil.example"));
	block_view_free(v);

	/* After the expiry the IPv6 block is gone and the serial moved. */
	assert_int_equal(block_view_build(db, T0 + 3600, &v), CG_OK);
	it = block_view_items(v);
	assert_int_equal(it->n_v6, 0);
	assert_int_equal(block_view_last_change(v), T0 + 3600);
	assert_int_equal(block_view_serial(v), T0 + 3600 + 9);
	block_view_free(v);

	/* Another change within the same second still moves the serial. */
	assert_int_equal(block_view_build(db, T0 + 3600, &v), CG_OK);
	{
		int64_t before = block_view_serial(v);
		block_view_free(v);
		decide(db, BLOCK_BLOCK, "203.0.113.0/24", T0 + 3600, 0, NULL);
		assert_int_equal(block_view_build(db, T0 + 3600, &v), CG_OK);
		assert_int_equal(block_view_last_change(v), T0 + 3600);
		assert_true(block_view_serial(v) > before);
		block_view_free(v);
	}
	/* A removal is a change: its time is the last change, one more counted. */
	{
		size_t n = 0;
		assert_int_equal(block_view_build(db, T0 + 7200, &v), CG_OK);
		int64_t before = block_view_serial(v);
		block_view_free(v);
		assert_int_equal(store_block_remove(db, "203.0.113.0/24", 0, -1, NULL, T0 + 7200, &n), CG_OK);
		assert_int_equal(n, 1);
		assert_int_equal(block_view_build(db, T0 + 7200, &v), CG_OK);
		assert_int_equal(block_view_last_change(v), T0 + 7200);
		assert_int_equal(block_view_serial(v), before - (T0 + 3600) + (T0 + 7200) + 1);
		block_view_free(v);
	}
	cg_db_close(db);
	free(dir);
}

static void exports_deterministic_and_incremental(void **state)
{
	(void)state;
	char *dir;
	struct cg_db *db = open_db(&dir);
	char *a, *b, *d;
	size_t n;

	decide(db, BLOCK_BLOCK, "198.51.100.0/24", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "evil.example", T0, 0, NULL);
	a = render(db, BLOCK_FMT_NFT, T0 + 5, 0);
	b = render(db, BLOCK_FMT_NFT, T0 + 99, 0);
	assert_string_equal(a, b); /* same lists, same bytes, whatever the clock */
	assert_non_null(strstr(a, "add element inet canhgac block4 { 198.51.100.0/24 }"));
	free(a);
	free(b);

	decide(db, BLOCK_ALLOW, "198.51.100.7", T0 + 100, 0, NULL);
	{
		size_t removed;
		assert_int_equal(store_block_remove(db, "evil.example", 0, -1, NULL, T0 + 100, &removed), CG_OK);
		assert_int_equal(removed, 1);
	}
	d = render(db, BLOCK_FMT_PLAIN, T0 + 200, T0 + 50);
	assert_non_null(strstr(d, "-198.51.100.0/24\n"));
	assert_non_null(strstr(d, "+198.51.100.6\n"));
	assert_null(strstr(d, "198.51.100.7"));
	assert_non_null(strstr(d, "-evil.example\n"));
	free(d);
	d = render(db, BLOCK_FMT_NFT, T0 + 200, T0 + 50);
	/* Deletes come before adds. */
	assert_true(strstr(d, "delete element inet canhgac block4 { 198.51.100.0/24 }") < strstr(d, "add element"));
	free(d);
	d = render(db, BLOCK_FMT_RPZ, T0 + 200, 0);
	/* Serial: last change T0 + 100, plus four changes (three made, one removed). */
	assert_non_null(strstr(d, "SOA localhost. hostmaster.localhost. 1796083304 "));
	assert_null(strstr(d, "evil.example"));
	free(d);
	/* Nothing changed since: empty diff. */
	d = render(db, BLOCK_FMT_PLAIN, T0 + 200, T0 + 150);
	n = strlen(d);
	assert_int_equal(n, 0);
	free(d);
	{
		struct block_export_req r = {.fmt = BLOCK_FMT_HOSTS, .at = T0 + 200, .has_since = 1, .since = T0};
		struct block_export_result res;
		assert_int_equal(block_export_render(db, &r, &res), CG_EUNSUPPORTED);
	}
	cg_db_close(db);
	free(dir);
}

static enum cg_err print_row(void *ctx, const struct block_row *r)
{
	int *n = ctx;
	(void)r;
	(*n)++;
	return CG_OK;
}

static void check_says_why(void **state)
{
	(void)state;
	char *dir;
	struct cg_db *db = open_db(&dir);
	int blocked, n = 0;

	decide(db, BLOCK_BLOCK, "198.51.100.0/24", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "198.51.100.0/25", T0, 0, "order:1");
	decide(db, BLOCK_ALLOW, "198.51.100.7", T0, 0, NULL);
	decide(db, BLOCK_BLOCK, "evil.example", T0, T0 + 60, NULL);
	assert_int_equal(block_check(db, "198.51.100.9", T0 + 1, &blocked, print_row, &n), CG_OK);
	assert_true(blocked);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(block_check(db, "198.51.100.7", T0 + 1, &blocked, print_row, &n), CG_OK);
	assert_false(blocked);
	assert_int_equal(n, 3);
	assert_int_equal(block_check(db, "cdn.evil.example", T0 + 1, &blocked, NULL, NULL), CG_OK);
	assert_true(blocked);
	assert_int_equal(block_check(db, "http://cdn.evil.example/x", T0 + 1, &blocked, NULL, NULL), CG_OK);
	assert_true(blocked);
	assert_int_equal(block_check(db, "cdn.evil.example", T0 + 60, &blocked, NULL, NULL), CG_OK);
	assert_false(blocked);
	assert_int_equal(block_check(db, "198.51.100.0/24", T0, &blocked, NULL, NULL), CG_EINVAL);
	cg_db_close(db);
	free(dir);
}

struct states {
	char s[8][32];
	int n;
};

static enum cg_err got(void *ctx, const struct order_target *t)
{
	struct states *s = ctx;
	snprintf(s->s[s->n++], sizeof s->s[0], "%s=%s", t->row->value, order_state_name(t->state));
	return CG_OK;
}

static void order_states_under_clock(void **state)
{
	(void)state;
	char *dir;
	struct cg_db *db = open_db(&dir);
	struct block_batch *b = block_batch_new();
	struct block_order_info info = {.ref = "123/QĐ-STTTT", .issued_at = T0, .deadline_at = T0 + 86400,
					.file = "order.txt", .received_at = T0 + 60};
	struct block_decide_opts o = {.action = BLOCK_BLOCK, .now = T0 + 60};
	struct block_decide_report rep;
	struct order_summary sum;
	struct states st = {0};
	struct block_export_result res = {.serial = 1, .n_items = 3};
	int64_t id;

	assert_int_equal(block_batch_add_text(b, "198.51.100.0/24", "a"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "evil.example", "b"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "https://bad.example/x", "c"), CG_OK);
	assert_int_equal(block_order_add(b, db, &info, &o, &id, &rep), CG_OK);
	assert_int_equal(rep.n_new, 3);
	assert_int_equal(block_order_add(b, db, &info, &o, &id, &rep), CG_EEXIST);
	block_batch_free(b);

	/* Before any export, before the deadline: all pending. */
	assert_int_equal(order_status(db, info.ref, T0 + 100, NULL, NULL, &sum), CG_OK);
	assert_int_equal(sum.n_state[ORDER_PENDING], 3);
	assert_string_equal(sum.state, "pending");

	/* nft export recorded before the deadline: the CIDR is enforced. */
	assert_int_equal(block_record_enforcement(db, "fw-hanoi", BLOCK_FMT_NFT, T0 + 3600, &res), CG_OK);
	/* RPZ export only after the deadline: the domain is late. */
	assert_int_equal(block_record_enforcement(db, "dns-1", BLOCK_FMT_RPZ, T0 + 90000, &res), CG_OK);
	assert_int_equal(order_status(db, info.ref, T0 + 2 * 86400, got, &st, &sum), CG_OK);
	assert_int_equal(st.n, 3);
	assert_string_equal(st.s[0], "198.51.100.0/24=enforced");
	assert_string_equal(st.s[1], "evil.example=late");
	assert_string_equal(st.s[2], "https://bad.example/x=overdue");
	assert_string_equal(sum.state, "overdue");

	/* The URL is pushed to a proxy list: nothing overdue any more. */
	assert_int_equal(block_record_enforcement(db, "proxy", BLOCK_FMT_PLAIN, T0 + 2 * 86400, &res), CG_OK);
	assert_int_equal(order_status(db, info.ref, T0 + 2 * 86400 + 1, NULL, NULL, &sum), CG_OK);
	assert_string_equal(sum.state, "enforced-late");
	assert_int_equal(order_status(db, "nope", T0, NULL, NULL, &sum), CG_ENOTFOUND);
	cg_db_close(db);
	free(dir);
}

static void refused_targets_are_errors(void **state)
{
	(void)state;
	char *dir;
	struct cg_db *db = open_db(&dir);
	struct block_batch *b = block_batch_new();
	struct ioc own;
	int added;

	assert_int_equal(block_target_parse("203.0.113.0/24", 14, &own), CG_OK);
	assert_int_equal(store_block_own_add(db, &own, "our customers", T0, &added), CG_OK);
	assert_true(added);
	assert_int_equal(block_batch_add_text(b, "10.0.0.1", "argument 1"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "203.0.113.5", "argument 2"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "0.0.0.0/0", "argument 3"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "198.51.100.1", "argument 4"), CG_OK);
	assert_int_equal(block_batch_add_text(b, "bad..example", "argument 5"), CG_EPARSE);
	assert_int_equal(block_batch_check(b, db, BLOCK_BLOCK, 0), CG_EINVAL);
	assert_int_equal(block_batch_n_errors(b), 4);
	assert_non_null(strstr(block_batch_error(b, 0), "argument 5"));
	assert_non_null(strstr(block_batch_error(b, 1), "argument 1: 10.0.0.1 overlaps 10.0.0.0/8"));
	assert_non_null(strstr(block_batch_error(b, 2), "own prefixes"));
	assert_non_null(strstr(block_batch_error(b, 3), "too wide"));
	block_batch_free(b);
	cg_db_close(db);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_merges_excepts_and_expires),
		cmocka_unit_test(exports_deterministic_and_incremental),
		cmocka_unit_test(check_says_why),
		cmocka_unit_test(order_states_under_clock),
		cmocka_unit_test(refused_targets_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
