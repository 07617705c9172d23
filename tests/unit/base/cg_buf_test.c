#include "../test_util.h"

#include "cg_buf.h"

static void append_and_cap(void **state)
{
	(void)state;
	struct cg_buf b;
	cg_buf_init(&b, 8);
	assert_int_equal(cg_buf_puts(&b, "abcd"), CG_OK);
	assert_int_equal(cg_buf_printf(&b, "%d", 123), CG_OK);
	assert_string_equal(b.data, "abcd123");
	assert_int_equal(cg_buf_puts(&b, "xy"), CG_ELIMIT); /* 9 > cap 8 */
	assert_string_equal(b.data, "abcd123");           /* unchanged on refusal */
	assert_int_equal(cg_buf_putc(&b, 'z'), CG_OK);
	assert_int_equal(b.len, 8);
	char *s = cg_buf_steal(&b);
	assert_string_equal(s, "abcd123z");
	free(s);
	assert_null(b.data);
	cg_buf_free(&b);
}

static void steal_empty(void **state)
{
	(void)state;
	struct cg_buf b;
	cg_buf_init(&b, 0);
	char *s = cg_buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_and_cap),
		cmocka_unit_test(steal_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
