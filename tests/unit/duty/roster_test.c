/* roster: shift resolution (overnight, week wrap, overrides, overlaps),
 * coverage gaps, and errors that name file, line and field. Expected values
 * come from a model written independently here: libc's gmtime_r for the
 * weekday, and each shift laid out on concrete calendar days. */
#include "../test_util.h"

#include <time.h>

#include "roster.h"

#define OFF (7 * 60) /* Asia/Ho_Chi_Minh */

static const char *const ROSTER =
	"channels:\n"
	"  mail: {kind: smtp, server: 127.0.0.1, from: canhgac@so-mau.example}\n"
	"people:\n"
	"  an: {email: an@so-mau.example}\n"
	"  binh: {email: binh@so-mau.example}\n"
	"  cuong: {email: cuong@so-mau.example}\n"
	"  dung: {email: dung@so-mau.example}\n"
	"shifts:\n"
	"  - {name: day, days: [mon, tue, wed, thu, fri], from: \"07:30\", to: \"17:00\", on_duty: [an]}\n"
	"  - {name: night, days: [mon, tue, wed, thu, fri], from: \"17:00\", to: \"07:30\", on_duty: [binh]}\n"
	"  - {name: weekend, days: [sat, sun], from: \"07:30\", to: \"07:30\", on_duty: [cuong]}\n"
	"  - {name: overlap, days: [wed], from: \"12:00\", to: \"13:00\", on_duty: [dung]}\n"
	"overrides:\n"
	"  - {name: holiday, date: 2026-12-08, from: \"12:00\", to: \"02:00\", on_duty: [dung]}\n"
	"escalation:\n"
	"  - {after: 0.5, notify: [dung]}\n";

/* The model's shifts (the same as ROSTER, written again). */
struct mshift {
	unsigned days; /* bit 0 = Sunday, as tm_wday counts */
	int from, to;  /* minutes */
	unsigned who;  /* bit per person index */
};
static const struct mshift model[] = {
	{0x3e, 450, 1020, 1u << 0},
	{0x3e, 1020, 450, 1u << 1},
	{0x41, 450, 450, 1u << 2},
	{0x08, 720, 780, 1u << 3},
};

/* Who is on duty at `t` by the model: the shift of local day d-1 or d. */
static unsigned model_who(int64_t t)
{
	int64_t local = t + OFF * 60;
	int64_t day_start = local - ((local % 86400) + 86400) % 86400;
	unsigned who = 0;
	/* The holiday override: 2026-12-08 12:00 local to 2026-12-09 02:00. */
	struct tm hol = {.tm_year = 126, .tm_mon = 11, .tm_mday = 8, .tm_hour = 12};
	int64_t hs = (int64_t)timegm(&hol);
	if (local >= hs && local < hs + 14 * 3600)
		return 1u << 3;
	for (int back = 1; back >= 0; back--) {
		int64_t ds = day_start - back * 86400;
		time_t tt = (time_t)ds;
		struct tm tm;
		gmtime_r(&tt, &tm);
		for (size_t i = 0; i < sizeof model / sizeof model[0]; i++) {
			if (!(model[i].days & (1u << tm.tm_wday)))
				continue;
			int len = model[i].to > model[i].from ? model[i].to - model[i].from
							      : model[i].to + 1440 - model[i].from;
			int64_t s = ds + model[i].from * 60;
			if (local >= s && local < s + (int64_t)len * 60)
				who |= model[i].who;
		}
	}
	return who;
}

static unsigned lib_who(const struct duty_roster *r, int64_t t)
{
	size_t p[8];
	size_t n = duty_roster_on_duty(r, t, p, 8, NULL);
	unsigned who = 0;
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		who |= 1u << p[i];
	return who;
}

static struct duty_roster *parse(const char *text)
{
	struct duty_roster *r = NULL;
	enum cg_err rc = duty_roster_parse("roster.yaml", text, strlen(text), &r);
	if (rc)
		fail_msg("parse: %s", cg_err_msg(rc));
	return r;
}

/* Seconds since the epoch of a local (UTC+7) date and time. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	return (int64_t)timegm(&tm) - OFF * 60;
}

static void matches_model_over_three_weeks(void **state)
{
	(void)state;
	struct duty_roster *r = parse(ROSTER);
	/* From Monday 2026-11-30 00:00 local, every 5 minutes and the minute
	 * before each boundary. */
	int64_t start = at(2026, 11, 30, 0, 0);
	for (int64_t t = start; t < start + 21 * 86400; t += 300) {
		assert_int_equal(lib_who(r, t), model_who(t));
		assert_int_equal(lib_who(r, t - 1), model_who(t - 1));
	}
	duty_roster_free(r);
}

static void spot_checks(void **state)
{
	(void)state;
	struct duty_roster *r = parse(ROSTER);
	const char *what;
	size_t p[4];
	/* Friday 23:00: the night shift that began at 17:00. */
	assert_int_equal(lib_who(r, at(2026, 12, 4, 23, 0)), 1u << 1);
	/* Saturday 07:29: still Friday's night shift; 07:30 the weekend. */
	assert_int_equal(lib_who(r, at(2026, 12, 5, 7, 29)), 1u << 1);
	assert_int_equal(lib_who(r, at(2026, 12, 5, 7, 30)), 1u << 2);
	/* Monday 03:00: Sunday's weekend shift runs across the week's end. */
	assert_int_equal(lib_who(r, at(2026, 12, 7, 3, 0)), 1u << 2);
	assert_int_equal(duty_roster_on_duty(r, at(2026, 12, 7, 3, 0), p, 4, &what), 1);
	assert_string_equal(what, "weekend");
	/* Wednesday 12:30: two shifts overlap, both people. */
	assert_int_equal(lib_who(r, at(2026, 12, 9, 12, 30)), (1u << 0) | (1u << 3));
	/* The override, overnight into the next day, decides alone. */
	assert_int_equal(duty_roster_on_duty(r, at(2026, 12, 9, 1, 59), p, 4, &what), 1);
	assert_string_equal(what, "holiday");
	assert_int_equal(p[0], 3);
	assert_int_equal(lib_who(r, at(2026, 12, 9, 2, 0)), 1u << 1);
	assert_int_equal(lib_who(r, at(2026, 12, 8, 11, 59)), 1u << 0);
	/* Fractional minutes of escalation. */
	assert_int_equal(duty_roster_level(r, 0)->after_s, 30);
	assert_true(duty_roster_level(r, 0)->provincial);
	duty_roster_free(r);
}

static void no_gaps_when_covered(void **state)
{
	(void)state;
	struct duty_roster *r = parse(ROSTER);
	struct duty_gap g[4];
	assert_int_equal(duty_roster_gaps(r, g, 4), 0);
	duty_roster_free(r);
}

static void gaps_found(void **state)
{
	(void)state;
	/* Weekdays 08:00-17:00 and 17:30-23:00, nothing at weekends:
	 * gaps Mon 00:00-08:00 (joined to the weekend: Fri 23:00 to Mon 08:00),
	 * 17:00-17:30 and 23:00-08:00 each weekday night. */
	const char *text = "channels: {m: {kind: smtp, server: h, from: a@b.example}}\n"
			   "people: {an: {email: an@b.example}}\n"
			   "shifts:\n"
			   "  - {days: [mon, tue, wed, thu, fri], from: \"08:00\", to: \"17:00\", on_duty: [an]}\n"
			   "  - {days: [mon, tue, wed, thu, fri], from: \"17:30\", to: \"23:00\", on_duty: [an]}\n"
			   "escalation: [{after: 5, notify: [an]}]\n";
	struct duty_roster *r = parse(text);
	struct duty_gap g[32];
	size_t n = duty_roster_gaps(r, g, 32);
	/* The model: minute by minute over the week, an uncovered run is a gap. */
	unsigned char cov[DUTY_MINUTES_PER_WEEK] = {0};
	for (int d = 0; d < 5; d++) {
		for (int m = 480; m < 1020; m++)
			cov[d * 1440 + m] = 1;
		for (int m = 1050; m < 1380; m++)
			cov[d * 1440 + m] = 1;
	}
	size_t expect = 0;
	for (unsigned m = 0; m < DUTY_MINUTES_PER_WEEK; m++) {
		if (!cov[m])
			continue;
		unsigned next = (m + 1) % DUTY_MINUTES_PER_WEEK;
		if (!cov[next])
			expect++; /* a covered run ends: a gap starts */
	}
	assert_int_equal(n, expect);
	assert_int_equal(n, 10);
	/* Every reported gap is uncovered minute by minute and bounded by
	 * covered minutes. */
	unsigned total = 0;
	for (size_t i = 0; i < n; i++) {
		for (unsigned m = g[i].start; m < g[i].end; m++)
			assert_false(cov[m % DUTY_MINUTES_PER_WEEK]);
		assert_true(cov[(g[i].start + DUTY_MINUTES_PER_WEEK - 1) % DUTY_MINUTES_PER_WEEK]);
		assert_true(cov[g[i].end % DUTY_MINUTES_PER_WEEK]);
		total += g[i].end - g[i].start;
	}
	unsigned uncovered = 0;
	for (unsigned m = 0; m < DUTY_MINUTES_PER_WEEK; m++)
		uncovered += !cov[m];
	assert_int_equal(total, uncovered);
	char buf[16];
	duty_week_minute_format(g[0].start, buf, sizeof buf);
	assert_string_equal(buf, "mon 17:00");
	duty_roster_free(r);
}

static void errors_name_file_line_field(void **state)
{
	(void)state;
	static const struct {
		const char *text, *expect;
	} cases[] = {
		{"channels: {m: {kind: smtp, server: h, from: a@b.example}}\n"
		 "people: {an: {email: an@b.example}}\n"
		 "shifts:\n"
		 "  - {days: [mon], on_duty: [nobody]}\n"
		 "escalation: [{after: 5, notify: [an]}]\n",
		 "roster.yaml:4: field 'on_duty'"},
		{"channels: {m: {kind: pager, server: h}}\n", "roster.yaml:1: field 'kind'"},
		{"channels: {m: {kind: smtp, server: h, from: a@b.example}}\n"
		 "people: {an: {email: an@b.example}}\n"
		 "shifts:\n"
		 "  - {days: [mon], from: \"25:00\", on_duty: [an]}\n"
		 "escalation: [{after: 5, notify: [an]}]\n",
		 "roster.yaml:4: field 'from'"},
		{"zone: Europe/Paris\n", "roster.yaml:1: field 'zone'"},
		{"colour: red\n", "roster.yaml:1: field 'colour'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct duty_roster *r = (void *)1;
		enum cg_err rc = duty_roster_parse("roster.yaml", cases[i].text, strlen(cases[i].text), &r);
		assert_int_equal(rc, CG_EPARSE);
		assert_null(r);
		if (!strstr(cg_err_msg(rc), cases[i].expect))
			fail_msg("case %zu: '%s' lacks '%s'", i, cg_err_msg(rc), cases[i].expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_model_over_three_weeks),
		cmocka_unit_test(spot_checks),
		cmocka_unit_test(no_gaps_when_covered),
		cmocka_unit_test(gaps_found),
		cmocka_unit_test(errors_name_file_line_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
