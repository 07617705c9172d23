#include "../test_util.h"

#include "block_list.h"
#include "decision.h"

static enum cg_err check(struct block_policy *p, const char *s, enum block_action a)
{
	struct ioc t;
	enum cg_err rc = block_target_parse(s, strlen(s), &t);
	if (rc)
		return rc;
	return block_policy_check(p, &t, a);
}

static void targets(void **state)
{
	(void)state;
	struct ioc t;
	assert_int_equal(block_target_parse("198.51.100.7", 12, &t), CG_OK);
	assert_int_equal(t.type, IOC_IPV4);
	assert_int_equal(block_target_parse("Evil.Example.", 13, &t), CG_OK);
	assert_string_equal(t.value, "evil.example");
	assert_int_equal(block_target_parse("hxxp://bad[.]example/x", 22, &t), CG_OK);
	assert_string_equal(t.value, "http://bad.example/x");
	assert_int_equal(block_target_parse("d41d8cd98f00b204e9800998ecf8427e", 32, &t), CG_EPARSE);
	assert_non_null(strstr(cg_err_msg(CG_EPARSE), "md5"));
	/* IDN must be in xn-- form. */
	assert_int_equal(block_target_parse("bộ.example", strlen("bộ.example"), &t), CG_EPARSE);
	assert_non_null(strstr(cg_err_msg(CG_EPARSE), "xn--"));
	assert_int_equal(block_target_parse("300.1.2.3/8", 11, &t), CG_EPARSE);
}

static void policy(void **state)
{
	(void)state;
	struct block_policy *p = block_policy_new();
	struct ioc own;

	assert_non_null(p);
	assert_int_equal(check(p, "198.51.100.0/24", BLOCK_BLOCK), CG_OK);
	assert_int_equal(check(p, "2001:db8::/32", BLOCK_BLOCK), CG_OK);
	assert_int_equal(check(p, "10.1.2.3", BLOCK_BLOCK), CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "RFC 1918"));
	assert_int_equal(check(p, "100.64.1.1", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "127.0.0.1", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "169.254.1.1", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "224.0.0.1", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "fe80::1", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "fd00::/8", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "::1", BLOCK_BLOCK), CG_EINVAL);
	/* A range that merely overlaps a private block is refused too. */
	assert_int_equal(check(p, "11.0.0.0/8", BLOCK_BLOCK), CG_OK);
	assert_int_equal(check(p, "172.0.0.0/8", BLOCK_BLOCK), CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "172.16.0.0/12"));
	assert_int_equal(check(p, "0.0.0.0/0", BLOCK_BLOCK), CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "too wide"));
	assert_int_equal(check(p, "::/0", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "2000::/3", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "0.0.0.0/0", BLOCK_ALLOW), CG_EINVAL);
	assert_int_equal(check(p, "10.0.0.0/8", BLOCK_ALLOW), CG_OK);

	assert_int_equal(block_target_parse("203.0.113.0/25", 14, &own), CG_OK);
	assert_int_equal(block_policy_add_own(p, &own), CG_OK);
	assert_int_equal(block_target_parse("so-mau.example", 14, &own), CG_OK);
	assert_int_equal(block_policy_add_own(p, &own), CG_OK);
	assert_int_equal(check(p, "203.0.113.9", BLOCK_BLOCK), CG_EINVAL);
	assert_non_null(strstr(cg_err_msg(CG_EINVAL), "own prefixes"));
	assert_int_equal(check(p, "203.0.112.0/23", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "203.0.113.128/25", BLOCK_BLOCK), CG_OK);
	assert_int_equal(check(p, "web01.so-mau.example", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "https://so-mau.example/login", BLOCK_BLOCK), CG_EINVAL);
	assert_int_equal(check(p, "notso-mau.example", BLOCK_BLOCK), CG_OK);
	block_policy_free(p);
	block_policy_free(NULL);
}

static void times(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(block_time_parse("2026-12-01", 0, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200);
	assert_int_equal(block_time_parse("2026-12-01", 0, 1, &t), CG_OK);
	assert_int_equal(t, 1796083200 + 86399);
	assert_int_equal(block_time_parse("2026-12-01T07:00:00+07:00", 0, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200);
	assert_int_equal(block_time_parse("2026-12-01T00:00Z", 0, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200);
	assert_int_equal(block_time_parse("30d", 1000, 0, &t), CG_OK);
	assert_int_equal(t, 1000 + 30 * 86400);
	assert_int_equal(block_time_parse("+12h", 1000, 0, &t), CG_OK);
	assert_int_equal(t, 1000 + 12 * 3600);
	assert_int_equal(block_time_parse("@1700000000", 0, 0, &t), CG_OK);
	assert_int_equal(t, 1700000000);
	assert_int_equal(block_time_parse("2026-02-30", 0, 0, &t), CG_EPARSE);
	assert_int_equal(block_time_parse("2024-02-29", 0, 0, &t), CG_OK);
	assert_int_equal(block_time_parse("tomorrow", 0, 0, &t), CG_EPARSE);
	assert_int_equal(block_time_parse("d", 0, 0, &t), CG_EPARSE);
	assert_int_equal(block_time_parse("99999999999999d", 0, 0, &t), CG_EPARSE);
	assert_int_equal(block_time_parse("", 0, 0, &t), CG_EPARSE);
	assert_int_equal(block_time_parse("2026-12-01T25:00", 0, 0, &t), CG_EPARSE);
}

struct seen {
	int n_ok, n_bad;
	char last_note[64];
	char bad[4][256];
};

static enum cg_err on_entry(void *ctx, const struct block_list_entry *e)
{
	struct seen *s = ctx;
	s->n_ok++;
	snprintf(s->last_note, sizeof s->last_note, "%.*s", (int)e->note_len, e->note);
	return CG_OK;
}

static enum cg_err on_bad(void *ctx, size_t line, enum cg_err code, const char *msg)
{
	struct seen *s = ctx;
	(void)line;
	(void)code;
	if (s->n_bad < 4)
		snprintf(s->bad[s->n_bad], sizeof s->bad[0], "%s", msg);
	s->n_bad++;
	return CG_OK;
}

static void list_parser(void **state)
{
	(void)state;
	static const char data[] = "\xef\xbb\xbf# order 123\r\n"
				   "198.51.100.7\r\n"
				   "\n"
				   "; comment\n"
				   "evil.example   # phishing site\n"
				   "300.1.2.3\n"
				   "2001:db8::/48, ghi chú\n"
				   "bộ.example\n"
				   "https://bad.example/a b";
	struct seen s = {0};
	assert_int_equal(block_list_parse("order.txt", data, sizeof data - 1, 100, on_entry, on_bad, &s), CG_EPARSE);
	assert_int_equal(s.n_ok, 4);
	assert_int_equal(s.n_bad, 2);
	assert_string_equal(s.last_note, "b");
	assert_non_null(strstr(s.bad[0], "order.txt:6:"));
	assert_non_null(strstr(s.bad[0], "300.1.2.3"));
	assert_non_null(strstr(s.bad[1], "order.txt:8:"));
	/* Caps. */
	memset(&s, 0, sizeof s);
	assert_int_equal(block_list_parse("x", "198.51.100.1\n198.51.100.2\n", 26, 1, on_entry, on_bad, &s), CG_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets),
		cmocka_unit_test(policy),
		cmocka_unit_test(times),
		cmocka_unit_test(list_parser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
