/* The comparators against dpkg's and rpm's own test vectors (restated as
 * data in data/vercmp_vectors.txt), vendor cases and hostile strings. */
#include "../test_util.h"

#include "vercmp.h"

static FILE *open_vectors(void)
{
	const char *src = getenv("CANHGAC_SRC");
	char path[4096];

	if (!src)
		fail_msg("CANHGAC_SRC is not set");
	snprintf(path, sizeof path, "%s/tests/unit/vuln/data/vercmp_vectors.txt", src);
	return fopen(path, "r");
}

static void test_vectors(void **state)
{
	FILE *f = open_vectors();
	char line[1024];
	int n = 0, lineno = 0, per[VERCMP_SCHEME_COUNT] = {0};

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		char s[32], a[300], b[300], r[4];
		enum vercmp_scheme sc;
		int out = 99;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%31s %299s %299s %3s", s, a, b, r), 4);
		assert_int_equal(vercmp_scheme_parse(s, &sc), CG_OK);
		per[sc]++;
		if (strcmp(r, "!") == 0) {
			if (vercmp_check(sc, a) == CG_OK)
				fail_msg("line %d: '%s' should be refused in scheme %s", lineno, a, s);
			assert_int_not_equal(vercmp_compare(sc, a, "1", &out), CG_OK);
			n++;
			continue;
		}
		int want = r[0] == '<' ? -1 : r[0] == '>' ? 1 : 0;
		if (vercmp_compare(sc, a, b, &out) != CG_OK)
			fail_msg("line %d: %s %s %s: %s", lineno, s, a, b, cg_err_msg(CG_EPARSE));
		if (out != want)
			fail_msg("line %d: %s: '%s' vs '%s' gave %d, want %d", lineno, s, a, b, out, want);
		/* The order must be antisymmetric. */
		assert_int_equal(vercmp_compare(sc, b, a, &out), CG_OK);
		if (out != -want)
			fail_msg("line %d: %s: reversed '%s' vs '%s' gave %d", lineno, s, b, a, out);
		n++;
	}
	fclose(f);
	assert_true(per[VERCMP_DEB] >= 60);
	assert_true(per[VERCMP_RPM] >= 90);
	assert_true(per[VERCMP_BIGIP] >= 10);
	assert_true(per[VERCMP_ZIMBRA] >= 10);
	print_message("# %d vectors\n", n);
}

static void test_hostile(void **state)
{
	char big[2048];
	int out;

	(void)state;
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (int s = 0; s < VERCMP_SCHEME_COUNT; s++) {
		assert_int_equal(vercmp_compare((enum vercmp_scheme)s, big, "1", &out), CG_ELIMIT);
		assert_int_not_equal(vercmp_compare((enum vercmp_scheme)s, "", "1", &out), CG_OK);
	}
	/* Long digit runs within the cap compare without overflow. */
	big[200] = '\0';
	assert_int_equal(vercmp_compare(VERCMP_DEB, big, "1", &out), CG_OK);
	assert_int_equal(out, 1);
	assert_int_equal(vercmp_compare(VERCMP_RPM, big, big, &out), CG_OK);
	assert_int_equal(out, 0);
	assert_int_not_equal(vercmp_compare(VERCMP_BIGIP, "99999999999.1", "1", &out), CG_OK);
	assert_int_equal(vercmp_compare(VERCMP_DEB, "1.0\xff", "1.0", &out), CG_OK);
	assert_int_equal(vercmp_compare(VERCMP_RPM, "1.0\xff", "1.0", &out), CG_OK);
	assert_int_equal(out, 0); /* rpm skips non-ASCII like any separator */
}

static void test_bigip_parse(void **state)
{
	struct bigip_version v;

	(void)state;
	assert_int_equal(vercmp_bigip_parse("17.1.0.3 build 0.75.4", &v), CG_OK);
	assert_int_equal(v.v[0], 17);
	assert_int_equal(v.v[3], 3);
	assert_int_equal(v.b[1], 75);
	assert_int_equal(v.b[2], 4);
	assert_true(v.has_build);
	assert_int_equal(vercmp_bigip_parse("17.1.0.3", &v), CG_OK);
	assert_false(v.has_build);
	assert_int_not_equal(vercmp_bigip_parse("17.1.0.3 build", &v), CG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bigip_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
