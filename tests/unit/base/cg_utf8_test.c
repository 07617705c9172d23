/* cg_utf8_len against an independent model: decode the bits, then reject
 * overlong forms, surrogates and code points past U+10FFFF (RFC 3629 §3).
 * Every sequence of up to three bytes, and four-byte ones over every
 * first/second byte pair with two continuation tails. */
#include "../test_util.h"

#include <stdint.h>

#include "cg_utf8.h"

static size_t model(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static void test_exhaustive(void **state)
{
	(void)state;
	unsigned char s[4];
	size_t bad = 0;
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++) {
			s[0] = (unsigned char)a, s[1] = (unsigned char)b;
			bad += cg_utf8_len(s, 1) != model(s, 1);
			bad += cg_utf8_len(s, 2) != model(s, 2);
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (unsigned char)c;
				bad += cg_utf8_len(s, 3) != model(s, 3);
			}
			static const unsigned char tails[][2] = {{0x80, 0x80}, {0xbf, 0xbf}, {0x80, 0x41}, {0xc0, 0x80}};
			for (size_t t = 0; t < 4; t++) {
				s[2] = tails[t][0], s[3] = tails[t][1];
				bad += cg_utf8_len(s, 4) != model(s, 4);
			}
		}
	assert_int_equal(bad, 0);
}

static void test_known(void **state)
{
	(void)state;
	assert_int_equal(cg_utf8_len((const unsigned char *)"\xe1\xbb\x87", 3), 3); /* ệ */
	assert_int_equal(cg_utf8_len((const unsigned char *)"\xe0\x80\x80", 3), 0); /* overlong */
	assert_int_equal(cg_utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(cg_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	assert_int_equal(cg_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
