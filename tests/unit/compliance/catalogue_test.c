/* Catalogue loader: the bundled profile loads; bad catalogues are refused
 * with file, line and field. */
#include "../test_util.h"

#include "catalogue.h"
#include "cg_err.h"

#define HEAD "catalogue: t\ntitle: {vi: a, en: b}\nrequirements:\n"
#define REQ(id, extra) \
	"  - id: " id "\n    group: host\n    levels: [1, 2]\n    title: {vi: a, en: b}\n    evidence: {vi: c, en: d}\n" extra

static void refused(const char *yaml, const char *want)
{
	struct comp_catalogue *c = NULL;
	enum cg_err rc = comp_catalogue_parse("t.yaml", yaml, strlen(yaml), &c);
	assert_int_equal(rc, CG_EPARSE);
	assert_null(c);
	const char *msg = cg_err_msg(rc);
	if (!strstr(msg, want))
		fail_msg("message '%s' lacks '%s'", msg, want);
}

static void test_bundled(void **state)
{
	(void)state;
	struct comp_catalogue *c;
	assert_int_equal(comp_catalogue_bundled(&c), CG_OK);
	assert_true(comp_catalogue_count(c) >= 20);
	/* Every group of the standard has at least one requirement. */
	int seen[COMP_GROUP_COUNT] = {0};
	for (size_t i = 0; i < comp_catalogue_count(c); i++)
		seen[comp_catalogue_req(c, i)->group] = 1;
	for (int g = 0; g < COMP_GROUP_COUNT; g++)
		assert_true(seen[g]);
	const struct comp_req *r = comp_catalogue_find(c, "HOST-01");
	assert_non_null(r);
	assert_int_equal(r->n_checks, 1);
	assert_string_equal(r->checks[0].fact, "sshd.permitrootlogin");
	assert_int_equal(r->checks[0].platform, COMP_PLATFORM_LINUX);
	assert_true(strstr(comp_catalogue_notice(c, "en"), "own") != NULL);
	comp_catalogue_free(c);
}

static void test_minimal(void **state)
{
	(void)state;
	const char *y = HEAD REQ("A", "    check: {fact: x.y, op: ge, value_by_level: {2: \"5\"}}\n");
	struct comp_catalogue *c;
	assert_int_equal(comp_catalogue_parse("t.yaml", y, strlen(y), &c), CG_OK);
	const struct comp_req *r = comp_catalogue_req(c, 0);
	assert_int_equal(r->levels, (1u << 1) | (1u << 2));
	assert_int_equal(r->line, 4);
	assert_null(r->checks[0].value_by_level[1]);
	assert_string_equal(r->checks[0].value_by_level[2], "5");
	comp_catalogue_free(c);
}

static void test_unknown_field(void **state)
{
	(void)state;
	refused(HEAD REQ("A", "    colour: red\n"), "t.yaml:9: field 'colour': unknown field");
	refused(HEAD REQ("A", "    check: {fact: a, value: b, severity: high}\n"), "t.yaml:9: field 'severity'");
	refused("catalogue: t\nversion: 2\n", "t.yaml:2: field 'version': unknown field");
}

static void test_duplicate_id(void **state)
{
	(void)state;
	refused(HEAD REQ("A", "") REQ("B", "") REQ("A", ""), "t.yaml:14: field 'id': duplicate requirement id 'A' (first at line 4)");
}

static void test_level_range(void **state)
{
	(void)state;
	refused(HEAD "  - id: A\n    group: host\n    levels: [1, 6]\n    title: {vi: a, en: b}\n    evidence: {vi: c, en: d}\n",
		"t.yaml:6: field 'levels': a level must be 1, 2, 3, 4 or 5");
	refused(HEAD "  - id: A\n    group: host\n    levels: [0]\n    title: {vi: a, en: b}\n    evidence: {vi: c, en: d}\n",
		"t.yaml:6: field 'levels'");
	refused(HEAD REQ("A", "    check: {fact: a, op: ge, value_by_level: {7: \"1\"}}\n"), "field 'value_by_level'");
}

static void test_missing_and_bad(void **state)
{
	(void)state;
	refused(HEAD "  - id: A\n    levels: [1]\n    title: {vi: a, en: b}\n    evidence: {vi: c, en: d}\n",
		"field 'group': missing");
	refused(HEAD REQ("A", "    check: {fact: a, op: gt, value: \"1\"}\n"), "field 'op'");
	refused(HEAD REQ("A", "    check: {fact: a, op: ge, value: many}\n"), "whole numbers");
	refused(HEAD "  - id: A\n    group: host\n    levels: [1]\n    title: {vi: a}\n    evidence: {vi: c, en: d}\n",
		"field 'title': needs both 'vi' and 'en'");
	refused("catalogue: [\n", "t.yaml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled),       cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_unknown_field), cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_level_range),   cmocka_unit_test(test_missing_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
