/* cg_esc: control characters, bad UTF-8 and bidi overrides escaped; printable
 * text (Vietnamese, backslashes) unchanged; the room bound holds. */
#include "../test_util.h"

#include <string.h>

#include "cg_esc.h"

static const char *esc(const char *s, size_t n)
{
	static char out[4096];
	char *end = cg_esc_put(out, s, n);
	assert_true((size_t)(end - out) < CG_ESC_ROOM(n));
	assert_int_equal(strlen(out), (size_t)(end - out));
	return out;
}

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(esc("a\nb", 3), "a\\nb");
	assert_string_equal(esc("\r\t\x1b[2J", 6), "\\r\\t\\e[2J");
	assert_string_equal(esc("\x01\x7f", 2), "\\x01\\x7f");
	assert_string_equal(esc("x\0y", 3), "x\\x00y");
	/* C1 control U+009B (CSI) and a right-to-left override. */
	assert_string_equal(esc("\xc2\x9b" "1m", 4), "\\u009b1m");
	assert_string_equal(esc("\xe2\x80\xae" "gpj.exe", 10), "\\u202egpj.exe");
}

static void test_text_unchanged(void **state)
{
	const char *vi = "Sở Mẫu — máy chủ ws01.so-mau.example C:\\Windows\\System32";
	(void)state;
	assert_string_equal(esc(vi, strlen(vi)), vi);
	assert_string_equal(cg_esc(NULL), "");
}

static void test_bad_utf8(void **state)
{
	(void)state;
	assert_string_equal(esc("\xff\xc3", 2), "\\xff\\xc3");
	assert_string_equal(esc("\xc0\xaf", 2), "\\xc0\\xaf");             /* overlong '/' */
	assert_string_equal(esc("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");    /* a surrogate */
}

static void test_worst_case_room(void **state)
{
	char in[256];
	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (char)(i < 32 ? i + 1 : 0x80 + (i % 64));
	esc(in, sizeof in);
}

static void test_ring(void **state)
{
	const char *a, *b;
	(void)state;
	a = cg_esc("one\n");
	b = cg_esc("two\x1b");
	assert_string_equal(a, "one\\n");
	assert_string_equal(b, "two\\e");
	cg_esc_free();
	cg_esc_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),    cmocka_unit_test(test_text_unchanged),
		cmocka_unit_test(test_bad_utf8),    cmocka_unit_test(test_worst_case_room),
		cmocka_unit_test(test_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
