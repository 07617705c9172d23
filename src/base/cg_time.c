/* The one time parser (see cg_time.h). Each format is a small function that
 * reads at s[i..n) into struct fields and says how far it got; range checks
 * and the conversion to an instant are shared. */
#include "cg_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cg_i18n.h"

/* Slack for RFC 3164 year inference: senders' clocks run a little ahead. */
#define FUTURE_SLACK_S (2 * 86400)
#define USER_TIME_MAX 64
#define YEAR_MIN 1970
#define YEAR_MAX 9999

int64_t cg_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cg_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int cg_is_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cg_days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && cg_is_leap_year(y))
		return 29;
	return dm[m - 1];
}

int64_t cg_time_us_to_s(int64_t us)
{
	return us >= 0 ? us / CG_TIME_US_PER_S : -((-us + CG_TIME_US_PER_S - 1) / CG_TIME_US_PER_S);
}

/* ------------------------------------------------------------ scanning */

struct fields {
	int year, mon, day, hour, min, sec; /* mon 1..12 */
	int us;                             /* fraction, microseconds */
	int offset;                         /* minutes east of UTC */
	int zoned, no_year, date_only;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Exactly `k` digits at s[*i]; advances *i. */
static int digits(const char *s, size_t n, size_t *i, int k, int *out)
{
	int v = 0;
	if (*i + (size_t)k > n)
		return 0;
	for (int j = 0; j < k; j++) {
		char c = s[*i + (size_t)j];
		if (!is_digit(c))
			return 0;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)k;
	*out = v;
	return 1;
}

static int lit(const char *s, size_t n, size_t *i, char c)
{
	if (*i < n && s[*i] == c) {
		(*i)++;
		return 1;
	}
	return 0;
}

/* "Jan".."Dec", also upper case ("NOV") as some devices write it. */
static int month(const char *s, size_t n, size_t *i)
{
	static const char names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	if (*i + 3 > n)
		return 0;
	for (int m = 0; m < 12; m++) {
		const char *nm = names[m];
		if (s[*i] == nm[0] && (s[*i + 1] == nm[1] || s[*i + 1] == nm[1] - 32) &&
		    (s[*i + 2] == nm[2] || s[*i + 2] == nm[2] - 32)) {
			*i += 3;
			return m + 1;
		}
	}
	return 0;
}

/* ".fff" or ",fff", 1..9 digits, kept to the microsecond. */
static int fraction(const char *s, size_t n, size_t *i, struct fields *t)
{
	if (*i >= n || (s[*i] != '.' && s[*i] != ','))
		return 1;
	size_t j = *i + 1;
	int k = 0, us = 0;
	while (j < n && is_digit(s[j])) {
		if (++k > 9)
			return 0;
		if (k <= 6)
			us = us * 10 + (s[j] - '0');
		j++;
	}
	if (k == 0)
		return 0;
	for (int p = k; p < 6; p++)
		us *= 10;
	t->us = us;
	*i = j;
	return 1;
}

/* "HH:MM:SS[.frac]"; with `loose`, ":SS" may be missing. */
static int clock_time(const char *s, size_t n, size_t *i, struct fields *t, int loose)
{
	if (!digits(s, n, i, 2, &t->hour) || !lit(s, n, i, ':') || !digits(s, n, i, 2, &t->min))
		return 0;
	if (!lit(s, n, i, ':')) {
		t->sec = 0;
		return loose;
	}
	return digits(s, n, i, 2, &t->sec) && fraction(s, n, i, t);
}

/* "Z", "±hh:mm", "±hhmm", "±hh"; anything else leaves the zone unset. */
static int zone(const char *s, size_t n, size_t *i, struct fields *t)
{
	int hh, mm = 0, sign;
	if (lit(s, n, i, 'Z') || lit(s, n, i, 'z')) {
		t->offset = 0;
		t->zoned = 1;
		return 1;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return 1;
	sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	if (!digits(s, n, i, 2, &hh))
		return 0;
	if (lit(s, n, i, ':')) {
		if (!digits(s, n, i, 2, &mm))
			return 0;
	} else if (*i < n && is_digit(s[*i]) && !digits(s, n, i, 2, &mm)) {
		return 0;
	}
	/* RFC 3339 time-numoffset: hours 00..23, minutes 00..59. */
	if (hh > 23 || mm > 59)
		return 0;
	t->offset = sign * (hh * 60 + mm);
	t->zoned = 1;
	return 1;
}

static int token_end(const char *s, size_t n, size_t i)
{
	return i >= n || !is_alnum(s[i]);
}

static int valid(const struct fields *t)
{
	if (t->year < YEAR_MIN || t->year > YEAR_MAX || t->mon < 1 || t->mon > 12 || t->day < 1 ||
	    t->day > cg_days_in_month(t->year, t->mon))
		return 0;
	/* 60 is a leap second. */
	return t->hour >= 0 && t->hour <= 23 && t->min >= 0 && t->min <= 59 && t->sec >= 0 && t->sec <= 60;
}

static int64_t local_seconds(const struct fields *t)
{
	return cg_days_from_civil(t->year, t->mon, t->day) * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

/* ------------------------------------------------------------ formats */

static size_t fmt_iso(const char *s, size_t n, struct fields *t, int loose)
{
	size_t i = 0;
	if (!digits(s, n, &i, 4, &t->year) || !lit(s, n, &i, '-') || !digits(s, n, &i, 2, &t->mon) ||
	    !lit(s, n, &i, '-') || !digits(s, n, &i, 2, &t->day))
		return 0;
	if (!(i + 1 < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ') && is_digit(s[i + 1]))) {
		if (!loose || !token_end(s, n, i))
			return 0;
		t->date_only = 1;
		return i;
	}
	i++;
	if (!clock_time(s, n, &i, t, loose))
		return 0;
	if (!zone(s, n, &i, t))
		return 0;
	if (!t->zoned && i + 4 <= n && (memcmp(s + i, " UTC", 4) == 0 || memcmp(s + i, " GMT", 4) == 0) &&
	    token_end(s, n, i + 4)) {
		i += 4;
		t->offset = 0;
		t->zoned = 1;
	}
	return i;
}

/* "Nov  6 11:32:42", "Nov 06 11:32:42", "Nov 06 2025 11:32:42". */
static size_t fmt_bsd(const char *s, size_t n, struct fields *t)
{
	size_t i = 0;
	if (!(t->mon = month(s, n, &i)) || !lit(s, n, &i, ' '))
		return 0;
	if (lit(s, n, &i, ' ')) {
		if (!digits(s, n, &i, 1, &t->day))
			return 0;
	} else if (!digits(s, n, &i, 2, &t->day) && !digits(s, n, &i, 1, &t->day)) {
		return 0;
	}
	if (!lit(s, n, &i, ' '))
		return 0;
	if (i + 4 < n && is_digit(s[i + 2]) && is_digit(s[i + 3]) && s[i + 4] == ' ') {
		if (!digits(s, n, &i, 4, &t->year) || !lit(s, n, &i, ' '))
			return 0;
	} else {
		t->no_year = 1;
		t->year = 2000; /* a leap year: "Feb 29" stays valid until the year is known */
	}
	if (!clock_time(s, n, &i, t, 0))
		return 0;
	return i;
}

/* "24-Nov-2026 10:15:32.123". */
static size_t fmt_bind(const char *s, size_t n, struct fields *t)
{
	size_t i = 0;
	if (!digits(s, n, &i, 2, &t->day) || !lit(s, n, &i, '-') || !(t->mon = month(s, n, &i)) ||
	    !lit(s, n, &i, '-') || !digits(s, n, &i, 4, &t->year) || !lit(s, n, &i, ' ') ||
	    !clock_time(s, n, &i, t, 0))
		return 0;
	return i;
}

/* "[Sun Dec 04 04:47:44 2005]", also with microseconds. */
static size_t fmt_apache(const char *s, size_t n, struct fields *t)
{
	size_t i = 0;
	if (!lit(s, n, &i, '[') || i + 4 > n || s[i + 3] != ' ')
		return 0;
	i += 4; /* weekday */
	if (!(t->mon = month(s, n, &i)) || !lit(s, n, &i, ' ') || !digits(s, n, &i, 2, &t->day) ||
	    !lit(s, n, &i, ' ') || !clock_time(s, n, &i, t, 0) || !lit(s, n, &i, ' ') ||
	    !digits(s, n, &i, 4, &t->year) || !lit(s, n, &i, ']'))
		return 0;
	return i;
}

/* "10/Oct/2000:13:55:36 -0700"; the zone may be missing. */
static size_t fmt_clf(const char *s, size_t n, struct fields *t)
{
	size_t i = 0;
	if (!digits(s, n, &i, 2, &t->day) || !lit(s, n, &i, '/') || !(t->mon = month(s, n, &i)) ||
	    !lit(s, n, &i, '/') || !digits(s, n, &i, 4, &t->year) || !lit(s, n, &i, ':') ||
	    !clock_time(s, n, &i, t, 0))
		return 0;
	if (i + 1 < n && s[i] == ' ' && (s[i + 1] == '+' || s[i + 1] == '-')) {
		i++;
		if (!zone(s, n, &i, t))
			return 0;
	}
	return i;
}

/* "15/11/2026", "5/1/2026 08:30", "15/11/2026 08:30:00". */
static size_t fmt_dmy(const char *s, size_t n, struct fields *t)
{
	size_t i = 0;
	int part[3];
	for (int k = 0; k < 3; k++) {
		size_t st = i;
		int v = 0;
		while (i < n && is_digit(s[i]) && i - st < 4)
			v = v * 10 + (s[i++] - '0');
		if (i == st || (k < 2 && (i - st > 2 || !lit(s, n, &i, '/'))) || (k == 2 && i - st != 4))
			return 0;
		part[k] = v;
	}
	t->day = part[0];
	t->mon = part[1];
	t->year = part[2];
	if (i + 1 < n && s[i] == ' ' && is_digit(s[i + 1])) {
		size_t j = i + 1;
		if (clock_time(s, n, &j, t, 1))
			i = j;
	} else {
		t->date_only = 1;
	}
	return i;
}

/* Digits as Unix time. Bare (`at` 0): 9..12 digits are seconds, 13
 * milliseconds. After '@': 1..12 digits of seconds. Up to year 9999. */
static size_t fmt_epoch(const char *s, size_t n, int at, int64_t *us)
{
	size_t i = 0;
	int64_t v = 0;
	while (i < n && is_digit(s[i]) && i < 14)
		v = v * 10 + (s[i++] - '0');
	if (i < (at ? 1u : 9u) || i > (at ? 12u : 13u))
		return 0;
	if ((i == 13 ? v / 1000 : v) > 253402300799LL) /* 9999-12-31T23:59:59Z */
		return 0;
	*us = i == 13 ? v * 1000 : v * CG_TIME_US_PER_S;
	return i;
}

/* ------------------------------------------------------------ instants */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The year of `t` that puts it latest but not past ref + slack, in the
 * stamp's local calendar. 0 when no year within eight fits (Feb 29). */
static int infer_year(struct fields *t, const struct cg_time_ctx *ctx)
{
	int y, m, d;
	int64_t local_ref = ctx->ref + (int64_t)t->offset * 60;
	cg_civil_from_days(floor_div(local_ref, 86400), &y, &m, &d);
	for (int cand = y + 1; cand >= y - 8; cand--) {
		t->year = cand;
		if (!valid(t))
			continue;
		if (local_seconds(t) <= local_ref + FUTURE_SLACK_S)
			return 1;
	}
	return 0;
}

static int finish(struct fields *t, const struct cg_time_ctx *ctx, struct cg_stamp *out)
{
	if (!t->zoned)
		t->offset = ctx ? ctx->default_offset : 0;
	if (t->no_year) {
		if (!ctx || !infer_year(t, ctx))
			return 0;
	} else if (!valid(t)) {
		return 0;
	}
	out->us = (local_seconds(t) - (int64_t)t->offset * 60) * CG_TIME_US_PER_S + t->us;
	out->offset = t->offset;
	out->zoned = t->zoned ? 1 : 0;
	out->year_inferred = t->no_year ? 1 : 0;
	out->date_only = t->date_only ? 1 : 0;
	return 1;
}

size_t cg_time_parse(const char *s, size_t n, unsigned formats, const struct cg_time_ctx *ctx,
		     struct cg_stamp *out)
{
	struct fields t;
	size_t k;

	if (!s || !n)
		return 0;
#define TRY(bit, call)                                                                                    \
	if (formats & (bit)) {                                                                           \
		memset(&t, 0, sizeof t);                                                                  \
		if ((k = (call)) && token_end(s, n, k) && finish(&t, ctx, out))                           \
			return k;                                                                         \
	}
	TRY(CG_TIME_ISO | CG_TIME_ISO_LOOSE, fmt_iso(s, n, &t, (formats & CG_TIME_ISO_LOOSE) != 0))
	TRY(CG_TIME_BSD, fmt_bsd(s, n, &t))
	TRY(CG_TIME_BIND, fmt_bind(s, n, &t))
	TRY(CG_TIME_APACHE, fmt_apache(s, n, &t))
	TRY(CG_TIME_CLF, fmt_clf(s, n, &t))
	TRY(CG_TIME_DMY, fmt_dmy(s, n, &t))
#undef TRY
	k = 0;
	if ((formats & CG_TIME_EPOCH_AT) && s[0] == '@' && (k = fmt_epoch(s + 1, n - 1, 1, &out->us)))
		k++;
	else if (formats & CG_TIME_EPOCH)
		k = fmt_epoch(s, n, 0, &out->us);
	if (!k || !token_end(s, n, k))
		return 0;
	out->offset = 0;
	out->zoned = 1;
	out->year_inferred = 0;
	out->date_only = 0;
	return k;
}

/* ------------------------------------------------------------ in a line */

static int cef_rt(const char *s, size_t n, struct cg_stamp *out)
{
	for (size_t i = 0; i + 3 < n; i++) {
		if (memcmp(s + i, "rt=", 3) != 0 || (i > 0 && s[i - 1] != ' ' && s[i - 1] != '|' && s[i - 1] != '\t'))
			continue;
		size_t j = i + 3, k = 0;
		int64_t v = 0;
		while (j < n && is_digit(s[j]) && k < 16) {
			v = v * 10 + (s[j] - '0');
			j++;
			k++;
		}
		if ((k != 10 && k != 13) || !token_end(s, n, j))
			continue;
		out->us = k == 13 ? v * 1000 : v * CG_TIME_US_PER_S;
		out->offset = 0;
		out->zoned = 1;
		out->year_inferred = out->date_only = 0;
		return 1;
	}
	return 0;
}

int cg_time_find(const char *s, size_t n, const struct cg_time_ctx *ctx, struct cg_stamp *out)
{
	if (!s)
		return 0;
	if (cef_rt(s, n, out))
		return 1;
	for (size_t i = 0; i + 20 <= n; i++) {
		if (s[i + 2] != '/' || (i > 0 && is_digit(s[i - 1])))
			continue;
		if (cg_time_parse(s + i, n - i, CG_TIME_CLF, ctx, out))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ user input */

static enum cg_err bad_user_time(const char *s)
{
	return cg_err_set(CG_EPARSE,
			  _("'%.60s' is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], @SECONDS or a duration like 30d, 12h"),
			  s);
}

enum cg_err cg_time_parse_user(const char *s, const struct cg_time_ctx *ctx, enum cg_time_dir dir, int end_of_day,
			       int64_t *out)
{
	size_t n = s ? strlen(s) : 0;
	struct cg_stamp st;

	if (n == 0 || n > USER_TIME_MAX)
		return bad_user_time(s ? s : "");
	char unit = s[n - 1];
	if (n >= 2 && (unit == 'd' || unit == 'h' || unit == 'm' || unit == 's' || unit == 'w')) {
		const char *q = s;
		int sign = dir == CG_TIME_AGO ? -1 : 1;
		if (*q == '+' || *q == '-')
			sign = *q++ == '-' ? -1 : 1;
		if (q == s + n - 1)
			return bad_user_time(s);
		int64_t v = 0;
		for (; q < s + n - 1; q++) {
			if (!is_digit(*q) || v > 100000000)
				return bad_user_time(s);
			v = v * 10 + (*q - '0');
		}
		int64_t mul = unit == 'w' ? 604800 : unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
		int64_t t = ctx->ref + sign * v * mul;
		if (t < 0 || t > 253402300799LL) /* 1970 .. 9999 */
			return bad_user_time(s);
		*out = t;
		return CG_OK;
	}
	if (cg_time_parse(s, n, CG_TIME_ISO_LOOSE | CG_TIME_EPOCH_AT, ctx, &st) != n)
		return bad_user_time(s);
	*out = cg_time_us_to_s(st.us);
	if (st.date_only && end_of_day)
		*out += 86399;
	return CG_OK;
}

/* ------------------------------------------------------------ output */

void cg_time_format(int64_t us, int offset, char *buf, size_t n)
{
	int64_t s = cg_time_us_to_s(us);
	int frac = (int)(us - s * CG_TIME_US_PER_S);
	int64_t local = s + (int64_t)offset * 60;
	int64_t days = floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	int y, m, d;
	char fr[8] = "", zn[8] = "Z";

	if (!buf || !n)
		return;
	cg_civil_from_days(days, &y, &m, &d);
	if (frac)
		snprintf(fr, sizeof fr, ".%06d", frac);
	if (offset) {
		int a = offset < 0 ? -offset : offset;
		snprintf(zn, sizeof zn, "%c%02d:%02d", offset < 0 ? '-' : '+', (a / 60) % 100, a % 60);
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
		 (int)(sod % 60), fr, zn);
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cg_time_now_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

int64_t cg_time_mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t cg_time_mono_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}
