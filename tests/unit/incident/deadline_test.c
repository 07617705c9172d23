/* Report deadlines of Circular 20/2017 as canhgac reads it: initial report
 * 5 days after discovery, final report 5 days after the response ended;
 * each state at the boundaries. */
#include "../test_util.h"
#include "incident.h"

#define T0 1796083200 /* 2026-12-01T00:00:00Z */
#define DAY 86400

static void initial(void **state)
{
	struct incident_row r = {.discovered_at = T0};
	struct incident_deadlines d;
	(void)state;

	incident_deadlines_at(&r, T0, &d);
	assert_int_equal(d.initial_due, T0 + 5 * DAY);
	assert_int_equal(d.initial, INCIDENT_DUE_PENDING);
	assert_int_equal(d.final, INCIDENT_DUE_NOT_YET);
	assert_int_equal(d.final_due, 0);
	incident_deadlines_at(&r, T0 + 5 * DAY, &d);
	assert_int_equal(d.initial, INCIDENT_DUE_PENDING);
	incident_deadlines_at(&r, T0 + 5 * DAY + 1, &d);
	assert_int_equal(d.initial, INCIDENT_DUE_OVERDUE);
	r.initial_reported_at = T0 + 5 * DAY;
	incident_deadlines_at(&r, T0 + 9 * DAY, &d);
	assert_int_equal(d.initial, INCIDENT_DUE_DONE);
	r.initial_reported_at = T0 + 5 * DAY + 1;
	incident_deadlines_at(&r, T0 + 9 * DAY, &d);
	assert_int_equal(d.initial, INCIDENT_DUE_LATE);
	assert_string_equal(incident_due_name(d.initial), "late");
}

static void final(void **state)
{
	struct incident_row r = {.discovered_at = T0, .response_ended_at = T0 + 2 * DAY};
	struct incident_deadlines d;
	(void)state;

	incident_deadlines_at(&r, T0 + 7 * DAY, &d);
	assert_int_equal(d.final_due, T0 + 7 * DAY);
	assert_int_equal(d.final, INCIDENT_DUE_PENDING);
	incident_deadlines_at(&r, T0 + 7 * DAY + 1, &d);
	assert_int_equal(d.final, INCIDENT_DUE_OVERDUE);
	assert_string_equal(incident_due_name(d.final), "overdue");
}

static void words(void **state)
{
	(void)state;
	assert_true(incident_word_valid(incident_severities, "critical"));
	assert_false(incident_word_valid(incident_severities, "Critical"));
	assert_false(incident_word_valid(incident_severities, NULL));
	assert_true(incident_word_valid(incident_link_kinds, "alert"));
	assert_true(incident_field_known("isp"));
	assert_true(incident_field_known("cause"));
	assert_false(incident_field_known("timeline"));
	assert_false(incident_field_known("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(initial),
		cmocka_unit_test(final),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
