#include "logtime.h"

#include <string.h>

#include "cg_time.h"

/* Anything later than this many seconds after `ref` is taken to be last
 * year's: syslog has no year, and clocks and time zones drift a little. */
#define FUTURE_SLACK (2 * 86400)

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct stamp {
	int year, mon, day, hour, min, sec; /* mon 1..12 */
	int64_t offset;                     /* seconds east of UTC */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly `n` digits at s[*i]; advances *i. */
static int digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	if (*i + (size_t)n > len)
		return 0;
	for (int k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];
		if (!is_digit(c))
			return 0;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)n;
	*out = v;
	return 1;
}

static int lit(const char *s, size_t len, size_t *i, char c)
{
	if (*i < len && s[*i] == c) {
		(*i)++;
		return 1;
	}
	return 0;
}

/* "Jan".."Dec" (also "NOV" as some devices write it); returns 1..12. */
static int month(const char *s, size_t len, size_t *i)
{
	if (*i + 3 > len)
		return 0;
	for (int m = 0; m < 12; m++) {
		const char *n = months[m];
		if (s[*i] == n[0] &&
		    (s[*i + 1] == n[1] || s[*i + 1] == n[1] - 32) &&
		    (s[*i + 2] == n[2] || s[*i + 2] == n[2] - 32)) {
			*i += 3;
			return m + 1;
		}
	}
	return 0;
}

static int valid(const struct stamp *t)
{
	if (t->year < 1970 || t->year > 9999 || t->mon < 1 || t->mon > 12 || t->day < 1)
		return 0;
	if (t->day > cg_days_in_month(t->year, t->mon))
		return 0;
	/* 60 allows a leap second. */
	return t->hour <= 23 && t->min <= 59 && t->sec <= 60;
}

static int64_t to_epoch(const struct stamp *t)
{
	return cg_days_from_civil(t->year, t->mon, t->day) * 86400 + t->hour * 3600 + t->min * 60 + t->sec - t->offset;
}

static int year_of(int64_t t)
{
	/* Inverse of cg_days_from_civil, year only. */
	int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	return (int)(yoe + era * 400 + (m <= 2));
}

/* "HH:MM:SS" with an optional fraction that is ignored. */
static int clock_time(const char *s, size_t len, size_t *i, struct stamp *t)
{
	if (!digits(s, len, i, 2, &t->hour) || !lit(s, len, i, ':') || !digits(s, len, i, 2, &t->min) ||
	    !lit(s, len, i, ':') || !digits(s, len, i, 2, &t->sec))
		return 0;
	if (*i < len && (s[*i] == '.' || s[*i] == ',')) {
		(*i)++;
		if (*i >= len || !is_digit(s[*i]))
			return 0;
		while (*i < len && is_digit(s[*i]))
			(*i)++;
	}
	return 1;
}

/* "Z", "+07:00", "+0700" or nothing (taken as UTC). */
static int zone(const char *s, size_t len, size_t *i, struct stamp *t, int need_colon)
{
	int hh, mm, sign;

	t->offset = 0;
	if (lit(s, len, i, 'Z') || lit(s, len, i, 'z'))
		return 1;
	if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
		return 1;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if (!digits(s, len, i, 2, &hh))
		return 0;
	if (!lit(s, len, i, ':') && need_colon)
		return 0;
	if (!digits(s, len, i, 2, &mm) || hh > 23 || mm > 59)
		return 0;
	t->offset = sign * (hh * 3600 + mm * 60);
	return 1;
}

/* The stamp must end the token: a digit or letter right after it means we
 * read part of something else. */
static int token_end(const char *s, size_t len, size_t i)
{
	return i >= len || !(is_digit(s[i]) || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'));
}

/* 2025-11-06T11:32:42.868451+00:00, also with a space for the T. */
static int iso8601(const char *s, size_t len, size_t i, struct stamp *t)
{
	if (!digits(s, len, &i, 4, &t->year) || !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &t->mon) ||
	    !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &t->day))
		return 0;
	if (!lit(s, len, &i, 'T') && !lit(s, len, &i, ' '))
		return 0;
	if (!clock_time(s, len, &i, t) || !zone(s, len, &i, t, 0))
		return 0;
	return token_end(s, len, i) && valid(t);
}

/* "Nov  6 11:32:42" (RFC 3164) or "Nov 06 2025 11:32:42" (Cisco ASA).
 * Sets *has_year for the latter. */
static int bsd_or_asa(const char *s, size_t len, size_t i, struct stamp *t, int *has_year)
{
	if (!(t->mon = month(s, len, &i)) || !lit(s, len, &i, ' '))
		return 0;
	lit(s, len, &i, ' ');
	if (i < len && is_digit(s[i]) && i + 1 < len && is_digit(s[i + 1])) {
		if (!digits(s, len, &i, 2, &t->day))
			return 0;
	} else if (!digits(s, len, &i, 1, &t->day)) {
		return 0;
	}
	if (!lit(s, len, &i, ' '))
		return 0;
	*has_year = 0;
	if (i + 4 < len && is_digit(s[i + 2]) && is_digit(s[i + 3]) && s[i + 4] == ' ') {
		if (!digits(s, len, &i, 4, &t->year) || !lit(s, len, &i, ' '))
			return 0;
		*has_year = 1;
	} else {
		t->year = 2000; /* a leap year, so "Feb 29" survives until the real year is known */
	}
	if (!clock_time(s, len, &i, t))
		return 0;
	t->offset = 0;
	return token_end(s, len, i) && valid(t);
}

/* BIND: "24-Nov-2026 10:15:32.123". */
static int bind_stamp(const char *s, size_t len, size_t i, struct stamp *t)
{
	if (!digits(s, len, &i, 2, &t->day) || !lit(s, len, &i, '-') || !(t->mon = month(s, len, &i)) ||
	    !lit(s, len, &i, '-') || !digits(s, len, &i, 4, &t->year) || !lit(s, len, &i, ' ') ||
	    !clock_time(s, len, &i, t))
		return 0;
	t->offset = 0;
	return token_end(s, len, i) && valid(t);
}

/* Apache error log: "[Sun Dec 04 04:47:44 2005]" or with microseconds. */
static int apache_error(const char *s, size_t len, size_t i, struct stamp *t)
{
	if (!lit(s, len, &i, '[') || i + 4 > len || s[i + 3] != ' ')
		return 0;
	i += 4; /* weekday */
	if (!(t->mon = month(s, len, &i)) || !lit(s, len, &i, ' ') || !digits(s, len, &i, 2, &t->day) ||
	    !lit(s, len, &i, ' ') || !clock_time(s, len, &i, t) || !lit(s, len, &i, ' ') ||
	    !digits(s, len, &i, 4, &t->year) || !lit(s, len, &i, ']'))
		return 0;
	t->offset = 0;
	return valid(t);
}

/* Common log format "10/Oct/2000:13:55:36 -0700" at s[i]. */
static int clf(const char *s, size_t len, size_t i, struct stamp *t)
{
	if (!digits(s, len, &i, 2, &t->day) || !lit(s, len, &i, '/') || !(t->mon = month(s, len, &i)) ||
	    !lit(s, len, &i, '/') || !digits(s, len, &i, 4, &t->year) || !lit(s, len, &i, ':') ||
	    !clock_time(s, len, &i, t))
		return 0;
	t->offset = 0;
	if (lit(s, len, &i, ' ') && !zone(s, len, &i, t, 0))
		return 0;
	return valid(t);
}

static int clf_anywhere(const char *s, size_t len, struct stamp *t)
{
	for (size_t i = 0; i + 20 <= len; i++) {
		if (s[i + 2] != '/' || (i > 0 && is_digit(s[i - 1])))
			continue;
		if (clf(s, len, i, t))
			return 1;
	}
	return 0;
}

/* CEF/LEEF "rt=1732443302000" (epoch milliseconds; 10 digits are seconds). */
static int cef_rt(const char *s, size_t len, int64_t *out)
{
	for (size_t i = 0; i + 3 < len; i++) {
		if (memcmp(s + i, "rt=", 3) != 0 || (i > 0 && s[i - 1] != ' ' && s[i - 1] != '|' && s[i - 1] != '\t'))
			continue;
		size_t j = i + 3, n = 0;
		int64_t v = 0;
		while (j < len && is_digit(s[j]) && n < 16) {
			v = v * 10 + (s[j] - '0');
			j++;
			n++;
		}
		if ((n != 10 && n != 13) || !token_end(s, len, j))
			continue;
		*out = n == 13 ? v / 1000 : v;
		return 1;
	}
	return 0;
}

/* Skip a syslog "<PRI>" and an RFC 5424 version "1 ". */
static size_t skip_header(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 2 && s[0] == '<') {
		size_t j = 1;
		while (j < len && j < 5 && is_digit(s[j]))
			j++;
		if (j > 1 && j < len && s[j] == '>') {
			i = j + 1;
			if (i + 1 < len && is_digit(s[i]) && s[i + 1] == ' ')
				i += 2;
		}
	}
	return i;
}

int logtime_parse(const char *line, size_t len, int64_t ref, int64_t *out)
{
	struct stamp t;
	size_t i;
	int has_year = 1;

	if (!line)
		return 0;
	i = skip_header(line, len);
	memset(&t, 0, sizeof t);
	if (iso8601(line, len, i, &t) || bind_stamp(line, len, i, &t) || apache_error(line, len, i, &t)) {
		*out = to_epoch(&t);
		return 1;
	}
	if (bsd_or_asa(line, len, i, &t, &has_year)) {
		if (!has_year) {
			int feb29 = t.mon == 2 && t.day == 29;
			t.year = year_of(ref);
			while (feb29 && !cg_is_leap_year(t.year))
				t.year--;
			if (to_epoch(&t) > ref + FUTURE_SLACK) {
				t.year--;
				/* Feb 29 of a leap year that is now in the future: back to the last one. */
				while (feb29 && !cg_is_leap_year(t.year))
					t.year--;
			}
			if (!valid(&t))
				return 0;
		}
		*out = to_epoch(&t);
		return 1;
	}
	if (cef_rt(line, len, out))
		return 1;
	if (clf_anywhere(line, len, &t)) {
		*out = to_epoch(&t);
		return 1;
	}
	return 0;
}
