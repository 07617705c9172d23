/* cg_num_shortest: the shortest text that reads back as the same double,
 * checked against strtod for many values, and known forms. */
#include "../test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cg_num.h"

static const char *fmt(double v)
{
	static char buf[64];
	cg_num_shortest(v, buf, sizeof buf);
	return buf;
}

static void test_known(void **state)
{
	(void)state;
	assert_string_equal(fmt(9.8), "9.8");
	assert_string_equal(fmt(0.1), "0.1");
	assert_string_equal(fmt(10.0), "10");
	assert_string_equal(fmt(0.97531), "0.97531");
	assert_string_equal(fmt(1e-7), "1e-07");
	assert_string_equal(fmt(INFINITY), "null");
	assert_string_equal(fmt(NAN), "null");
}

static void test_round_trip(void **state)
{
	unsigned s = 12345;
	(void)state;
	for (int i = 0; i < 20000; i++) {
		double v;
		char longer[64];
		s = s * 1103515245u + 12345u;
		v = (double)(s % 1000000) / 1000.0 * ((i & 1) ? 1 : -1) * pow(10, (i % 11) - 5);
		const char *t = fmt(v);
		assert_true(strtod(t, NULL) == v);
		/* No shorter precision round-trips. */
		snprintf(longer, sizeof longer, "%.17g", v);
		assert_true(strlen(t) <= strlen(longer));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_known), cmocka_unit_test(test_round_trip)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
