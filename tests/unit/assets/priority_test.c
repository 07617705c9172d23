#include "assets_fixture.h"

#include "priority.h"
#include "store_hits.h"

static void add_hits(struct cg_db *db, const char *host, const char *file, unsigned n_lines, const char *const *peers,
		     size_t n_peers, const char *family)
{
	struct store_hunt *h;
	char sql[256], line[128];
	int64_t id = 0;

	if (host) {
		snprintf(sql, sizeof sql, "SELECT id FROM host WHERE name = '%s'", host);
		id = fx_scalar(db, sql);
	}
	assert_int_equal(store_hunt_begin(db, file, FX_NOW, &h), CG_OK);
	for (unsigned i = 1; i <= n_lines; i++) {
		const char *peer = peers[i % n_peers];
		snprintf(line, sizeof line, "2026-11-24T08:%02u:00Z gw x %s", i % 60, peer);
		struct store_hit hit = {
			.file = file, .line = i, .line_text = line, .line_len = strlen(line),
			.indicator = peer, .match = peer, .match_type = "ipv4", .source = "feodo-c2",
			.family = family, .host_id = id, .host_label = host ? host : "gw02",
		};
		assert_int_equal(store_hunt_add(h, &hit), CG_OK);
	}
	assert_int_equal(store_hunt_end(h, NULL), CG_OK);
}

static const struct priority_host *find(const struct priority_report *r, const char *name)
{
	for (size_t i = 0; i < priority_report_count(r); i++)
		if (strcmp(priority_report_host(r, i)->name, name) == 0)
			return priority_report_host(r, i);
	return NULL;
}

static void score_formula(void **state)
{
	(void)state;
	assert_int_equal(priority_score(3, 0, 0, 0), 3);
	assert_int_equal(priority_score(3, 1, 0, 0), 6);
	assert_int_equal(priority_score(2, 0, 1, 1), 2 * (1 + 1 + 1));
	assert_int_equal(priority_score(1, 0, 7, 2), 1 * (1 + 3 + 2));   /* log2(8) = 3 */
	assert_int_equal(priority_score(5, 0, 1000, 1), 5 * (1 + 9 + 1)); /* log2(1001) -> 9 */
}

static void ranking(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct priority_report *r;
	static const char *const one[] = {"198.51.100.23"};
	static const char *const two[] = {"198.51.100.23", "198.51.100.45"};

	assert_int_equal(store_system_add(f->db, "Mail", 3, NULL, NULL), CG_OK);
	assert_int_equal(store_system_add(f->db, "Core", 5, NULL, NULL), CG_OK);
	assert_int_equal(store_system_add(f->db, "Desk", 1, NULL, NULL), CG_OK);
	fx_host(f->db, "mail01", "10.10.1.25;203.0.113.25", "Mail");
	fx_host(f->db, "core01", "10.10.0.5", "Core");
	fx_host(f->db, "ws-b", "10.10.3.22", "Desk");
	fx_host(f->db, "ws-a", "10.10.3.21", "Desk");
	fx_host(f->db, "idle", "10.10.9.9", "Core");
	fx_intel(f->db, "botnet-list", "botnet-2026-11.csv", "ipv4", "203.0.113.25", "Mirai");
	/* core01 (level 5) has many hits, but mail01 (level 3) is itself on a list. */
	add_hits(f->db, "core01", "core.log", 40, two, 2, "Emotet,QakBot");
	/* ws-a and ws-b (level 1) have equal hits: tie broken by name. */
	add_hits(f->db, "ws-a", "a.log", 3, one, 1, "Emotet");
	add_hits(f->db, "ws-b", "b.log", 3, one, 1, "Emotet");
	/* Hits no inventory host could be given. */
	add_hits(f->db, NULL, "gw.log", 2, one, 1, "Emotet");

	assert_int_equal(priority_run(f->db, NULL, &r), CG_OK);
	assert_int_equal(priority_report_count(r), 4); /* "idle" has nothing: tier 3 hidden */
	const struct priority_host *p = priority_report_host(r, 0);
	assert_string_equal(p->name, "mail01");
	assert_int_equal(p->tier, PRIORITY_TIER_LISTED);
	assert_int_equal(p->rank, 1);
	assert_int_equal(p->score, 3 * 2);
	assert_int_equal(p->n_on_list, 1);
	assert_string_equal(p->on_list[0].addr, "203.0.113.25");
	assert_string_equal(p->on_list[0].source, "botnet-list");
	assert_string_equal(p->on_list[0].list, "botnet-2026-11.csv");
	assert_string_equal(p->on_list[0].family, "Mirai");
	assert_non_null(strstr(p->reasons[0], "203.0.113.25 is on list 'botnet-list'"));

	p = priority_report_host(r, 1);
	assert_string_equal(p->name, "core01");
	assert_int_equal(p->tier, PRIORITY_TIER_HITS);
	assert_int_equal(p->hits.lines, 40);
	assert_int_equal(p->hits.indicators, 2);
	assert_string_equal(p->hits.families, "Emotet, QakBot");
	assert_int_equal(p->score, 5 * (1 + 5 + 2)); /* log2(41) -> 5 */
	assert_non_null(strstr(p->reasons[0], "40 log lines with 2 listed indicators (198.51.100.23, 198.51.100.45)"));

	assert_string_equal(priority_report_host(r, 2)->name, "ws-a");
	assert_string_equal(priority_report_host(r, 3)->name, "ws-b");
	assert_int_equal(priority_report_host(r, 2)->score, priority_report_host(r, 3)->score);
	assert_int_equal(priority_report_host(r, 3)->rank, 4);

	assert_int_equal(priority_report_unattributed_count(r), 1);
	assert_string_equal(priority_report_unattributed(r, 0)->label, "gw02");
	assert_int_equal(priority_report_unattributed(r, 0)->hits.lines, 2);
	priority_report_free(r);

	/* --all shows the quiet host last; --limit cuts; --system filters. */
	struct priority_opts o = {.all = 1};
	assert_int_equal(priority_run(f->db, &o, &r), CG_OK);
	assert_int_equal(priority_report_count(r), 5);
	assert_string_equal(priority_report_host(r, 4)->name, "idle");
	assert_int_equal(priority_report_host(r, 4)->tier, PRIORITY_TIER_NONE);
	priority_report_free(r);
	o = (struct priority_opts){.limit = 2};
	assert_int_equal(priority_run(f->db, &o, &r), CG_OK);
	assert_int_equal(priority_report_count(r), 2);
	assert_int_equal(priority_report_total(r), 4);
	priority_report_free(r);
	o = (struct priority_opts){.system = "Desk"};
	assert_int_equal(priority_run(f->db, &o, &r), CG_OK);
	assert_int_equal(priority_report_count(r), 2);
	assert_non_null(find(r, "ws-a"));
	assert_null(find(r, "mail01"));
	assert_int_equal(priority_report_unattributed_count(r), 0);
	priority_report_free(r);
	o = (struct priority_opts){.system = "Nope"};
	assert_int_equal(priority_run(f->db, &o, &r), CG_ENOTFOUND);
	assert_null(r);
	priority_report_free(NULL);
	fixture_close(f);
}

static void level_weighs_hits(void **state)
{
	(void)state;
	struct fixture *f = fixture_open();
	struct priority_report *r;
	static const char *const one[] = {"198.51.100.23"};

	assert_int_equal(store_system_add(f->db, "High", 4, NULL, NULL), CG_OK);
	assert_int_equal(store_system_add(f->db, "Low", 1, NULL, NULL), CG_OK);
	fx_host(f->db, "a-low", "10.0.0.1", "Low");
	fx_host(f->db, "z-high", "10.0.0.2", "High");
	/* Ten times the lines on the level-1 host do not beat the level-4 one. */
	add_hits(f->db, "a-low", "low.log", 30, one, 1, NULL);
	add_hits(f->db, "z-high", "high.log", 3, one, 1, NULL);
	assert_int_equal(priority_run(f->db, NULL, &r), CG_OK);
	assert_string_equal(priority_report_host(r, 0)->name, "z-high");
	assert_int_equal(priority_report_host(r, 0)->score, 4 * (1 + 2 + 1));
	assert_int_equal(priority_report_host(r, 1)->score, 1 * (1 + 4 + 1));
	priority_report_free(r);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(score_formula),
		cmocka_unit_test(ranking),
		cmocka_unit_test(level_weighs_hits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
