#include "assets_fixture.h"

#include "store_hits.h"

static struct store_hit hit_at(const char *file, uint64_t line, const char *text, const char *indicator)
{
	struct store_hit h = {
		.file = file,
		.line = line,
		.line_text = text,
		.line_len = strlen(text),
		.indicator = indicator,
		.match = indicator,
		.match_type = "ipv4",
		.source = "feodo-c2",
		.family = "Emotet",
	};
	return h;
}

static void dedup_and_totals(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct store_hunt *h;
	const char *line = "Nov 24 08:12:00 fw01 kernel: [UFW BLOCK] SRC=10.10.3.21 DST=198.51.100.23";
	struct store_hunt_totals t = {.files = 1, .bytes = 100, .lines = 7, .hits = 2, .errors = 0};

	assert_int_equal(store_hunt_begin(f->db, "logs/", FX_NOW, &h), CG_OK);
	int64_t id1 = store_hunt_id(h);
	struct store_hit a = hit_at("kern.log", 3, line, "198.51.100.23");
	assert_int_equal(store_hunt_add(h, &a), CG_OK);
	assert_int_equal(store_hunt_add(h, &a), CG_OK); /* same line, same indicator */
	struct store_hit b = hit_at("kern.log", 3, line, "10.10.3.21");
	assert_int_equal(store_hunt_add(h, &b), CG_OK);
	assert_int_equal(store_hunt_new_hits(h), 2);
	assert_int_equal(store_hunt_end(h, &t), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM hit"), 2);
	assert_int_equal(fx_scalar(f->db, "SELECT n_lines * 1000 + n_hits FROM hunt"), 7002);
	assert_int_equal(fx_scalar(f->db, "SELECT finished_at FROM hunt"), 1795564800);
	/* The time stamp came from the line ("Nov 24 08:12:00", year from the
	 * clock, zone-less so Asia/Ho_Chi_Minh): 2026-11-24T08:12:00Z is
	 * 1795507920, and +07:00 is 7 * 3600 s earlier. */
	assert_int_equal(fx_scalar(f->db, "SELECT min(seen_at) FROM hit"), 1795507920 - 7 * 3600);

	/* Re-hunting the same file adds nothing; the same line number with other
	 * content (a rotated file) is a new hit. */
	assert_int_equal(store_hunt_begin(f->db, "logs/", FX_NOW, &h), CG_OK);
	assert_true(store_hunt_id(h) > id1);
	assert_int_equal(store_hunt_add(h, &a), CG_OK);
	struct store_hit c = hit_at("kern.log", 3, "Nov 25 00:00:00 fw01 other 198.51.100.23", "198.51.100.23");
	c.seen_at = 1234;
	assert_int_equal(store_hunt_add(h, &c), CG_OK);
	assert_int_equal(store_hunt_new_hits(h), 1);
	assert_int_equal(store_hunt_end(h, NULL), CG_OK);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM hit"), 3);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM hit WHERE seen_at = 1234"), 1);
	fixture_close(f);
}

static void batching_and_abort(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct store_hunt *h;
	char line[64], ind[32];

	assert_int_equal(store_hunt_begin(f->db, "big.log", FX_NOW, &h), CG_OK);
	for (unsigned i = 1; i <= 2500; i++) {
		snprintf(line, sizeof line, "x 198.51.%u.%u", i / 250, i % 250);
		snprintf(ind, sizeof ind, "198.51.%u.%u", i / 250, i % 250);
		struct store_hit x = hit_at("big.log", i, line, ind);
		assert_int_equal(store_hunt_add(h, &x), CG_OK);
	}
	/* Whole batches are committed as they fill: another connection sees them. */
	{
		struct cg_db *other;
		assert_int_equal(cg_db_open(f->path, &other), CG_OK);
		assert_int_equal(fx_scalar(other, "SELECT count(*) FROM hit"), 2000);
		cg_db_close(other);
	}
	/* Aborting drops only the open batch. */
	store_hunt_abort(h);
	assert_int_equal(fx_scalar(f->db, "SELECT count(*) FROM hit"), 2000);
	store_hunt_abort(NULL);
	assert_int_equal(store_hunt_end(NULL, NULL), CG_OK);

	/* A hit without its indicator is refused. */
	assert_int_equal(store_hunt_begin(f->db, "x", FX_NOW, &h), CG_OK);
	struct store_hit bad = hit_at("x", 1, "y", "z");
	bad.indicator = NULL;
	assert_int_equal(store_hunt_add(h, &bad), CG_EINVAL);
	store_hunt_abort(h);
	fixture_close(f);
}

static enum cg_err sum_lines(void *ctx, int64_t host_id, const char *label, uint64_t lines)
{
	(void)host_id;
	(void)label;
	*(uint64_t *)ctx += lines;
	return CG_OK;
}

static void grouped_reads(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct store_hunt *h;
	uint64_t lines = 0;

	assert_int_equal(store_hunt_begin(f->db, "x", FX_NOW, &h), CG_OK);
	/* One line with two listed indicators counts as one line. */
	struct store_hit a = hit_at("a.log", 1, "198.51.100.23 198.51.100.45", "198.51.100.23");
	struct store_hit b = hit_at("a.log", 1, "198.51.100.23 198.51.100.45", "198.51.100.45");
	a.host_label = b.host_label = "gw";
	assert_int_equal(store_hunt_add(h, &a), CG_OK);
	assert_int_equal(store_hunt_add(h, &b), CG_OK);
	assert_int_equal(store_hunt_end(h, NULL), CG_OK);
	assert_int_equal(store_hits_foreach_lines(f->db, sum_lines, &lines), CG_OK);
	assert_int_equal(lines, 1);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dedup_and_totals),
		cmocka_unit_test(batching_and_abort),
		cmocka_unit_test(grouped_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
