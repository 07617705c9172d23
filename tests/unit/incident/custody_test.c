/* custody: escaping round trip, the hash is SHA-256("PREV\tBODY") (checked
 * against a digest computed here with OpenSSL's one-shot API), and bad lines
 * are refused with a reason. */
#include <openssl/sha.h>

#include "../test_util.h"
#include "custody.h"

static void line_round_trip(void **state)
{
	struct cg_buf body, line, sc;
	struct custody_line cl;
	char hash[65], want[65];
	unsigned char md[32];
	(void)state;

	cg_buf_init(&body, CUSTODY_LINE_MAX);
	cg_buf_init(&line, 0);
	cg_buf_init(&sc, CUSTODY_LINE_MAX * 2);
	assert_int_equal(custody_body(&body, 7, 1796083200, "collected", "Tổ ứng cứu", "-", "a\tb\nc\\d"), CG_OK);
	assert_string_equal(body.data, "7\t2026-12-01T00:00:00Z\tcollected\tTổ ứng cứu\t-\ta\\tb\\nc\\\\d");
	assert_int_equal(custody_hash(CUSTODY_ZERO, body.data, body.len, hash), CG_OK);
	assert_int_equal(cg_buf_printf(&line, "%s\t" CUSTODY_ZERO "\t%s", body.data, hash), CG_OK);
	/* independent digest of the same bytes */
	struct cg_buf in;
	cg_buf_init(&in, 0);
	assert_int_equal(cg_buf_printf(&in, CUSTODY_ZERO "\t%s", body.data), CG_OK);
	SHA256((const unsigned char *)in.data, in.len, md);
	custody_hex(md, 32, want);
	assert_string_equal(hash, want);

	assert_int_equal(custody_line_parse(line.data, line.len, &sc, &cl), CG_OK);
	assert_int_equal(cl.seq, 7);
	assert_int_equal(cl.at, 1796083200);
	assert_string_equal(cl.actor, "Tổ ứng cứu");
	assert_string_equal(cl.detail, "a\tb\nc\\d");
	assert_int_equal(cl.body_len, body.len);
	assert_string_equal(cl.hash, hash);
	cg_buf_free(&in);
	cg_buf_free(&body);
	cg_buf_free(&line);
	cg_buf_free(&sc);
}

static void bad_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"1\t2026-12-01T00:00:00Z\ta\tb\tc\td\te",
		"x\t2026-12-01T00:00:00Z\ta\tb\tc\td\t" CUSTODY_ZERO "\t" CUSTODY_ZERO,
		"1\t2026-13-01T00:00:00Z\ta\tb\tc\td\t" CUSTODY_ZERO "\t" CUSTODY_ZERO,
		"1\t2026-12-01T00:00:00Z\ta\tb\tc\td\\q\t" CUSTODY_ZERO "\t" CUSTODY_ZERO,
		"1\t2026-12-01T00:00:00Z\ta\tb\tc\td\\\t" CUSTODY_ZERO "\t" CUSTODY_ZERO,
		"1\t2026-12-01T00:00:00Z\ta\tb\tc\td\t" CUSTODY_ZERO "\tXYZ",
		"1\t2026-12-01T00:00:00Z\ta\tb\tc\td\t" CUSTODY_ZERO "\t" CUSTODY_ZERO "\textra",
	};
	struct cg_buf sc;
	struct custody_line cl;
	(void)state;

	cg_buf_init(&sc, CUSTODY_LINE_MAX * 2);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_not_equal(custody_line_parse(bad[i], strlen(bad[i]), &sc, &cl), CG_OK);
	cg_buf_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_round_trip),
		cmocka_unit_test(bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
