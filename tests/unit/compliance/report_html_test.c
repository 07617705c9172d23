/* The report's HTML: every value escaped, sections and charts present. */
#include "../test_util.h"

#include "report.h"

static void test_escape(void **state)
{
	(void)state;
	struct cg_buf b;
	cg_buf_init(&b, 0);
	assert_int_equal(report_html_escape(&b, "<script>a&b\"c'd\x01"), CG_OK);
	assert_string_equal(b.data, "&lt;script&gt;a&amp;b&quot;c&#39;d");
	cg_buf_free(&b);
}

static void test_model(void **state)
{
	(void)state;
	struct report *r = report_new("vi");
	struct report_section *s;
	struct cg_buf b;
	const char *cols[] = {"Máy", "<b>"};
	const char *row[] = {"web01 <img src=x>", "Sở \"Mẫu\""};
	cg_buf_init(&b, 0);
	assert_non_null(r);
	assert_int_equal(report_set_header(r, "Báo cáo <1>", "Sở & Mẫu", "", 0), CG_OK);
	assert_int_equal(report_section_add(r, "s1", "Phần 1", "giới thiệu", &s), CG_OK);
	assert_int_equal(report_table_columns(s, 2, cols), CG_OK);
	assert_int_equal(report_table_row(s, row), CG_OK);
	assert_int_equal(report_chart_bar(s, "cấp <3>", 2, 1, 0), CG_OK);
	assert_int_equal(report_write_html(r, &b), CG_OK);
	assert_non_null(strstr(b.data, "<svg"));
	assert_non_null(strstr(b.data, "web01 &lt;img src=x&gt;"));
	assert_non_null(strstr(b.data, "Sở &quot;Mẫu&quot;"));
	assert_non_null(strstr(b.data, "cấp &lt;3&gt;"));
	assert_null(strstr(b.data, "<img"));
	assert_non_null(strstr(b.data, "<th>&lt;b&gt;</th>"));
	assert_non_null(strstr(b.data, "Báo cáo &lt;1&gt;"));
	/* Self-contained: nothing is fetched. */
	assert_null(strstr(b.data, "src=\"http"));
	assert_null(strstr(b.data, "<link"));
	assert_null(strstr(b.data, "<script"));
	cg_buf_free(&b);
	report_free(r);
	report_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
