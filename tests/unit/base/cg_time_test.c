/* cg_time: every stamp format, offsets, RFC 3164 years across midnight and
 * New Year, leap years, refused fields, user times, formatting.
 *
 * Expected instants are built from day numbers computed by hand:
 *   D(2025-11-06) = 55 * 365 + 14 leap days (1972..2024) + 309 (Jan 1 ..
 *   Nov 6 of 2025: 31+28+31+30+31+30+31+31+30+31 + 5) = 20398 days
 *   → 1762387200 s. 11:32:42 is 41562 s → 1762428762.
 *   D(2026-01-01) = 20454 (D(2025-11-06) + 25 + 31) → 1767225600.
 *   D(2024-02-29) = 19782 → 1709164800; D(2028-02-29) = 19782 + 1461 = 21243
 *   → 1835395200. D(2026-12-01) = 20788 → 1796083200.
 * tests/integration/event/test_time.py checks thousands more against
 * Python's datetime and zoneinfo. */
#include <time.h>

#include "../test_util.h"

#include "cg_time.h"

#define VN CG_TIME_OFFSET_VN
#define H7 (7 * 3600)
#define US(s) ((int64_t)(s) * CG_TIME_US_PER_S)

static const int64_t NOV6_113242 = 1762428762; /* 2025-11-06T11:32:42Z */
static const int64_t JAN1_2026 = 1767225600;   /* 2026-01-01T00:00:00Z */

/* Parse all of `s` with `formats`; -1 when refused or not all taken. */
static int64_t parse_us(const char *s, unsigned formats, int64_t ref, int zone, int *offset)
{
	struct cg_time_ctx c = {ref, zone};
	struct cg_stamp st;
	size_t n = strlen(s);
	if (n == 0 || cg_time_parse(s, n, formats, &c, &st) != n)
		return -1;
	if (offset)
		*offset = st.offset;
	return st.us;
}

static int64_t parse_s(const char *s, unsigned formats, int64_t ref, int zone)
{
	int64_t us = parse_us(s, formats, ref, zone, NULL);
	return us < 0 ? -1 : cg_time_us_to_s(us);
}

static void iso_offsets(void **state)
{
	(void)state;
	int off = 99;
	assert_int_equal(parse_us("2025-11-06T11:32:42.868451+00:00", CG_TIME_ISO, 0, VN, &off), US(NOV6_113242) + 868451);
	assert_int_equal(off, 0);
	assert_int_equal(parse_us("2025-11-06T18:32:42+07:00", CG_TIME_ISO, 0, 0, &off), US(NOV6_113242));
	assert_int_equal(off, 420);
	assert_int_equal(parse_us("2025-11-06T12:32:42+0100", CG_TIME_ISO, 0, VN, &off), US(NOV6_113242));
	assert_int_equal(off, 60);
	assert_int_equal(parse_us("2025-11-06T06:02:42-05:30", CG_TIME_ISO, 0, VN, &off), US(NOV6_113242));
	assert_int_equal(off, -330);
	assert_int_equal(parse_s("2025-11-06T11:32:42Z", CG_TIME_ISO, 0, VN), NOV6_113242);
	assert_int_equal(parse_s("2025-11-06T11:32:42 UTC", CG_TIME_ISO, 0, VN), NOV6_113242);
	/* EVTX SystemTime: 7 fraction digits, kept to the microsecond. */
	assert_int_equal(parse_us("2025-11-06T11:32:42.1234567Z", CG_TIME_ISO, 0, VN, NULL), US(NOV6_113242) + 123456);
	/* No zone: the caller's default (Asia/Ho_Chi_Minh is 7 h ahead of UTC). */
	assert_int_equal(parse_us("2025-11-06 18:32:42", CG_TIME_ISO, 0, VN, &off), US(NOV6_113242));
	assert_int_equal(off, 420);
	assert_int_equal(parse_s("2025-11-06 11:32:42", CG_TIME_ISO, 0, 0), NOV6_113242);
	/* Two instants the issue saw in the wrong order: 11:00+07:00 is 04:00Z,
	 * before 04:00:30Z. */
	assert_true(parse_us("2025-11-06T11:00:00+07:00", CG_TIME_ISO, 0, 0, NULL) <
		    parse_us("2025-11-06T04:00:30Z", CG_TIME_ISO, 0, 0, NULL));
}

static void refused_fields(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2025-02-29T00:00:00Z",      /* 2025 is not a leap year */
		"2024-02-30T00:00:00Z",      /* Feb 30 */
		"2100-02-29T00:00:00Z",      /* centuries are leap only every 400 years */
		"2025-04-31T00:00:00Z",      /* April has 30 days */
		"2025-13-01T00:00:00Z",      /* month 13 */
		"2025-00-10T00:00:00Z",      /* month 0 */
		"2025-11-00T00:00:00Z",      /* day 0 */
		"2025-11-06T24:00:00Z",      /* hour 24 */
		"2025-11-06T25:00:00Z",      /* hour 25 */
		"2025-11-06T23:60:00Z",      /* minute 60 */
		"2025-11-06T23:59:61Z",      /* second 61 */
		"2025-11-06T11:32:42+25:00", /* offset hour 25 */
		"2025-11-06T11:32:42+24:00", /* offset hour 24 */
		"2025-11-06T11:32:42+07:60", /* offset minute 60 */
		"1969-12-31T23:59:59Z",      /* before 1970 */
		"2025-11-06T11:32:42.1234567890Z", /* 10 fraction digits */
		"2025-11-06T11:32:42.Z",     /* empty fraction */
		"2025-11-06T11:32:42Zx",     /* the stamp must end its token */
		"2025-11-06",                /* logs need a time */
		"2025-11-06T11:32",          /* logs need seconds */
		"", "Z", "2025", "2025-1-6T11:32:42Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse_us(bad[i], CG_TIME_LOG, JAN1_2026, VN, NULL) != -1)
			fail_msg("'%s' must be refused", bad[i]);
	/* RFC 3164 fields out of range. */
	assert_int_equal(parse_us("Feb 30 10:00:00", CG_TIME_BSD, JAN1_2026, VN, NULL), -1);
	assert_int_equal(parse_us("Nov 31 10:00:00", CG_TIME_BSD, JAN1_2026, VN, NULL), -1);
	assert_int_equal(parse_us("Nov 30 25:00:00", CG_TIME_BSD, JAN1_2026, VN, NULL), -1);
	assert_int_equal(parse_us("Foo 30 10:00:00", CG_TIME_BSD, JAN1_2026, VN, NULL), -1);
	/* Leap years that are valid; a leap second counts as the next second. */
	assert_int_equal(parse_s("2024-02-29T12:00:00Z", CG_TIME_ISO, 0, 0), 1709164800 + 43200);
	assert_int_equal(parse_s("2000-02-29T00:00:00Z", CG_TIME_ISO, 0, 0), 951868800 - 86400);
	assert_int_equal(parse_s("2016-12-31T23:59:60Z", CG_TIME_ISO, 0, 0), 1483228800);
}

static void rfc3164_years(void **state)
{
	(void)state;
	/* "Dec 31 23:59:59" (+07:00) received 31 s later, on Jan 1 2026 local:
	 * last year's, 1 s before 2026-01-01T00:00:00+07:00. */
	int64_t newyear_vn = JAN1_2026 - H7;
	assert_int_equal(parse_s("Dec 31 23:59:59", CG_TIME_BSD, newyear_vn + 30, VN), newyear_vn - 1);
	/* "Jan  1 00:00:05" received at Dec 31 23:59:59 local (sender's clock
	 * 6 s ahead): next year's, not 364 days ago. */
	assert_int_equal(parse_s("Jan  1 00:00:05", CG_TIME_BSD, newyear_vn - 1, VN), newyear_vn + 5);
	/* More than two days ahead is last year's: "Jan  3 00:00:00" read on
	 * Dec 31 is Jan 3 of the reference's own year (2025), 363 days back. */
	assert_int_equal(parse_s("Jan  3 00:00:00", CG_TIME_BSD, newyear_vn - 1, VN),
			 newyear_vn - 365 * 86400 + 2 * 86400);
	/* Across midnight: "Nov  5 23:59:59" received Nov 6 00:00:10 local. */
	int64_t nov6_vn = 1762387200 - H7;
	assert_int_equal(parse_s("Nov  5 23:59:59", CG_TIME_BSD, nov6_vn + 10, VN), nov6_vn - 1);
	/* Zero-padded day, zone-less in UTC. */
	assert_int_equal(parse_s("Nov 06 11:32:42", CG_TIME_BSD, NOV6_113242 + 10, 0), NOV6_113242);
	assert_int_equal(parse_s("Nov  6 11:32:42", CG_TIME_BSD, NOV6_113242 + 10, 0), NOV6_113242);
	/* December seen in June: last year's. 2024-12-10T06:55:46Z:
	 * D(2024-12-10) = D(2025-01-01) - 22 = 20089 - 22 = 20067 → 1733788800 + 24946. */
	assert_int_equal(parse_s("Dec 10 06:55:46", CG_TIME_BSD, 1748736000 /* 2025-06-01 */, 0), 1733788800 + 24946);
	/* Feb 29: the latest leap year not in the future. */
	assert_int_equal(parse_s("Feb 29 12:00:00", CG_TIME_BSD, JAN1_2026 + 150 * 86400, 0), 1709164800 + 43200);
	assert_int_equal(parse_s("Feb 29 12:00:00", CG_TIME_BSD, 1835395200 + 86400 * 2, 0), 1835395200 + 43200);
	assert_int_equal(parse_s("Feb 29 12:00:00", CG_TIME_BSD, 1835395200 - 28 * 86400, 0), 1709164800 + 43200);
	/* The inferred year is flagged. */
	struct cg_time_ctx c = {NOV6_113242, 0};
	struct cg_stamp st;
	assert_int_equal(cg_time_parse("Nov  6 11:32:42", 15, CG_TIME_BSD, &c, &st), 15);
	assert_true(st.year_inferred && !st.zoned);
}

static void other_log_formats(void **state)
{
	(void)state;
	struct cg_time_ctx c = {0, 0};
	struct cg_stamp st;
	/* Cisco ASA: year given. */
	assert_int_equal(parse_s("Nov 06 2025 11:32:42", CG_TIME_BSD, 0, 0), NOV6_113242);
	/* BIND: D(2026-11-24) = 20781 → 1795478400; 10:15:32 is 36932 s. */
	assert_int_equal(parse_us("24-Nov-2026 10:15:32.123", CG_TIME_BIND, 0, 0, NULL), US(1795478400 + 36932) + 123000);
	/* Apache error log, 2005-12-04T04:47:44 (zone-less). */
	assert_int_equal(parse_s("[Sun Dec 04 04:47:44 2005]", CG_TIME_APACHE, 0, 0), 1133671664);
	assert_int_equal(parse_s("[Sun Dec 04 04:47:44 2005]", CG_TIME_APACHE, 0, VN), 1133671664 - H7);
	/* Common log format, inside a line; the offset is honoured. */
	const char *clf = "93.43.209.58 - - [08/Jun/2020:06:49:01 +0000] \"GET / HTTP/1.0\" 500 803";
	assert_true(cg_time_find(clf, strlen(clf), &c, &st));
	assert_int_equal(cg_time_us_to_s(st.us), 1591598941);
	const char *pve = "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0";
	assert_true(cg_time_find(pve, strlen(pve), &c, &st));
	assert_int_equal(cg_time_us_to_s(st.us), 1655723354);
	assert_int_equal(st.offset, 120);
	/* CEF/LEEF rt= in milliseconds or seconds. */
	const char *cef = "CEF:0|V|P|1|100|n|5|src=10.0.0.1 rt=1795507920123 dst=198.51.100.150";
	assert_true(cg_time_find(cef, strlen(cef), &c, &st));
	assert_int_equal(st.us, US(1795507920) + 123000);
	assert_false(cg_time_find("x rt=17955079 y", 15, &c, &st));
	/* Feeds: day/month/year and epochs. */
	assert_int_equal(parse_s("15/11/2026 08:30", CG_TIME_DMY, 0, 0), 1796083200 - 16 * 86400 + 8 * 3600 + 1800);
	assert_int_equal(parse_s("1700000000", CG_TIME_EPOCH, 0, 0), 1700000000);
	assert_int_equal(parse_s("@1700000000", CG_TIME_EPOCH_AT, 0, 0), 1700000000);
	assert_int_equal(parse_s("31/02/2026", CG_TIME_DMY, 0, 0), -1);
	/* A format not asked for is not read. */
	assert_int_equal(parse_s("Nov 06 2025 11:32:42", CG_TIME_ISO, 0, 0), -1);
}

static void user_times(void **state)
{
	(void)state;
	struct cg_time_ctx c = {1796083200, 0};
	int64_t t;
	assert_int_equal(cg_time_parse_user("1d", &c, CG_TIME_AGO, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200 - 86400);
	assert_int_equal(cg_time_parse_user("1d", &c, CG_TIME_AHEAD, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200 + 86400);
	assert_int_equal(cg_time_parse_user("+2w", &c, CG_TIME_AGO, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200 + 14 * 86400);
	assert_int_equal(cg_time_parse_user("-90s", &c, CG_TIME_AHEAD, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200 - 90);
	assert_int_equal(cg_time_parse_user("2026-12-01", &c, CG_TIME_AHEAD, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200);
	assert_int_equal(cg_time_parse_user("2026-12-01", &c, CG_TIME_AHEAD, 1, &t), CG_OK);
	assert_int_equal(t, 1796083200 + 86399);
	assert_int_equal(cg_time_parse_user("2026-12-01T07:00+07:00", &c, CG_TIME_AHEAD, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200);
	c.default_offset = VN;
	assert_int_equal(cg_time_parse_user("2026-12-01", &c, CG_TIME_AHEAD, 0, &t), CG_OK);
	assert_int_equal(t, 1796083200 - H7);
	static const char *const bad[] = {"tomorrow", "d", "1x", "2026-12-01T25:00", "99999999999999d",
					  "-99999999w", "@", "2026-02-30", "2026-12-01Tx"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cg_time_parse_user(bad[i], &c, CG_TIME_AGO, 0, &t) != CG_EPARSE)
			fail_msg("'%s' must be refused", bad[i]);
	assert_int_equal(cg_time_parse_user("", &c, CG_TIME_AGO, 0, &t), CG_EPARSE);
}

static void formatting(void **state)
{
	(void)state;
	char b[40];
	cg_time_format(US(NOV6_113242) + 868451, 420, b, sizeof b);
	assert_string_equal(b, "2025-11-06T18:32:42.868451+07:00");
	cg_time_format(US(NOV6_113242), -330, b, sizeof b);
	assert_string_equal(b, "2025-11-06T06:02:42-05:30");
	cg_time_format(0, 0, b, sizeof b);
	assert_string_equal(b, "1970-01-01T00:00:00Z");
	assert_int_equal(cg_time_us_to_s(-1), -1);
	int y, m, d;
	cg_civil_from_days(20454, &y, &m, &d);
	assert_true(y == 2026 && m == 1 && d == 1);
	assert_int_equal(cg_days_from_civil(2028, 2, 29), 21243);
}

/* The clocks: the wall clock agrees with time(2); the monotonic one never
 * goes back, and its two units agree. */
static void clocks(void **state)
{
	(void)state;
	int64_t t0 = (int64_t)time(NULL);
	int64_t now = cg_time_now_us();
	assert_true(now / 1000000 >= t0 && now / 1000000 <= t0 + 1);
	int64_t a = cg_time_mono_us(), m = cg_time_mono_ms(), b = cg_time_mono_us();
	assert_true(a > 0 && b >= a);
	assert_true(m >= a / 1000 && m <= b / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iso_offsets),   cmocka_unit_test(refused_fields), cmocka_unit_test(rfc3164_years),
		cmocka_unit_test(other_log_formats), cmocka_unit_test(user_times), cmocka_unit_test(formatting), cmocka_unit_test(clocks),
	};
	return cmocka_run_group_tests_name("cg_time", tests, NULL, NULL);
}
