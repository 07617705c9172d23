/* sigma_stream: a new rule set swapped in while two threads match events;
 * every hit comes from the snapshot the stream used for that event, and old
 * snapshots are freed once no reader holds them (ASan/TSan builds check the
 * rest). */
#include <pthread.h>
#include <stdatomic.h>

#include "../test_util.h"

#include "sigma_engine.h"
#include "sigma_stream.h"

#define SWAPS 40
#define PER_THREAD 20000

static void add_rule(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	char why[256];
	(void)doc;
	if (!rule)
		fail_msg("rule did not load (%d): %s", rc, reason);
	assert_int_equal(sigma_engine_add(ud, rule, why, sizeof why), CG_OK);
}

/* Generation g: one rule, titled "gen <g>", that matches every event. */
static struct sigma_snapshot *snapshot(uint64_t g)
{
	char text[512];
	snprintf(text, sizeof text,
	         "title: gen %llu\nid: 11111111-2222-3333-4444-%012llu\nlogsource: {product: windows, service: security}\n"
	         "detection:\n  sel: {EventID: 4625}\n  condition: sel\nlevel: high\n",
	         (unsigned long long)g, (unsigned long long)g);
	struct sigma_map *map;
	struct sigma_engine *e;
	struct sigma_snapshot *s;
	assert_int_equal(sigma_map_new(&map), CG_OK);
	assert_int_equal(sigma_engine_new(map, &e), CG_OK);
	assert_int_equal(sigma_rules_parse(text, strlen(text), "g.yml", add_rule, e), CG_OK);
	assert_int_equal(sigma_engine_compile(e, NULL, NULL), CG_OK);
	assert_int_equal(sigma_snapshot_new(e, map, g, &s), CG_OK);
	return s;
}

struct reader {
	struct sigma_detector *d;
	uint64_t hits, wrong, last_gen, backwards;
	const struct sigma_snapshot *snap;
};

static int on_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	struct reader *rd = ud;
	char want[64];
	(void)ri;
	(void)ev;
	snprintf(want, sizeof want, "gen %llu", (unsigned long long)sigma_snapshot_generation(rd->snap));
	rd->hits++;
	rd->wrong += strcmp(sigma_rule_title(r), want) != 0;
	return 0;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct sigma_stream *s;
	struct cg_event *ev;
	if (sigma_stream_new(rd->d, &s) || cg_event_new(&ev))
		return NULL;
	for (int i = 0; i < PER_THREAD; i++) {
		cg_event_reset(ev);
		cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
		cg_event_set_channel(ev, "Security", 8);
		cg_event_set_provider(ev, "Microsoft-Windows-Security-Auditing", 35);
		cg_event_set_event_id(ev, 4625);
		if (cg_event_add(ev, "EventID", 7, "4625", 4))
			break;
		if (sigma_stream_match(s, ev, on_hit, rd, &rd->snap))
			break;
		/* the stream itself is at rd->snap now */
		uint64_t g = sigma_snapshot_generation(rd->snap);
		rd->backwards += g < rd->last_gen;
		rd->last_gen = g;
	}
	cg_event_free(ev);
	sigma_stream_free(s);
	return NULL;
}

static void test_swap_under_load(void **state)
{
	(void)state;
	struct sigma_detector *d;
	assert_int_equal(sigma_detector_new(snapshot(1), &d), CG_OK);
	struct reader rd[2] = {{.d = d}, {.d = d}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader_main, &rd[i]), 0);
	for (uint64_t g = 2; g <= SWAPS; g++) {
		sigma_detector_swap(d, snapshot(g));
		struct sigma_snapshot *cur = sigma_detector_acquire(d);
		assert_int_equal(sigma_snapshot_generation(cur), g);
		sigma_snapshot_unref(cur);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		/* every event matched exactly one rule, of the snapshot in use */
		assert_int_equal(rd[i].hits, PER_THREAD);
		assert_int_equal(rd[i].wrong, 0);
		assert_int_equal(rd[i].backwards, 0);
	}
	/* A stream started now sees the last generation. */
	struct reader late = {.d = d};
	reader_main(&late);
	assert_int_equal(late.last_gen, SWAPS);
	assert_int_equal(late.hits, PER_THREAD);
	sigma_detector_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_under_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
