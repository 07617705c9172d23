/* cg_time — the one parser of time stamps in canhgac (log lines, syslog
 * headers, event fields, feeds, user-given times) and the calendar
 * arithmetic under it. Pure: no libc time zones, no environment, no clock;
 * the caller passes the reference time and the zone of zone-less stamps.
 *
 * Time is an integer: microseconds since 1970-01-01T00:00:00Z (UTC), plus
 * the offset the source wrote, in minutes east of UTC, kept for display. */
#ifndef CG_TIME_H
#define CG_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define CG_TIME_US_PER_S 1000000LL

/* Asia/Ho_Chi_Minh: UTC+07:00 the whole year, no daylight saving time. The
 * zone of stamps that carry none, unless the caller says otherwise. */
#define CG_TIME_OFFSET_VN (7 * 60)

/* What a stamp is read against. */
struct cg_time_ctx {
	/* Seconds since the epoch: when the line was received (or now). The
	 * year of an RFC 3164 stamp is inferred from it; durations count from
	 * it. */
	int64_t ref;
	/* Minutes east of UTC for stamps without a zone (CG_TIME_OFFSET_VN). */
	int default_offset;
};

struct cg_stamp {
	int64_t us;            /* microseconds since the epoch, UTC */
	int offset;            /* minutes east of UTC the source meant */
	unsigned zoned : 1;    /* the stamp named its zone (else `offset` is the default) */
	unsigned year_inferred : 1;
	unsigned date_only : 1; /* "YYYY-MM-DD" alone: 00:00 local */
};

/* Formats for cg_time_parse (bits; several may be given). */
enum {
	/* RFC 3339 / ISO 8601 / RFC 5424 date-time with seconds:
	 * "2025-11-06T11:32:42.868451+00:00", a space for the T, zone "Z",
	 * "±hh:mm", "±hhmm", "±hh", " UTC" or none; 1..9 fraction digits. */
	CG_TIME_ISO = 1u << 0,
	/* Also "YYYY-MM-DD" alone and "YYYY-MM-DD[T ]HH:MM" (user input, feeds). */
	CG_TIME_ISO_LOOSE = 1u << 1,
	/* RFC 3164 "Mmm dd hh:mm:ss" (day space- or zero-padded, year inferred
	 * from ctx->ref), and Cisco ASA "Mmm dd yyyy hh:mm:ss". */
	CG_TIME_BSD = 1u << 2,
	/* BIND "24-Nov-2026 10:15:32.123". */
	CG_TIME_BIND = 1u << 3,
	/* Apache error log "[Sun Dec 04 04:47:44 2005]". */
	CG_TIME_APACHE = 1u << 4,
	/* Common log format "10/Oct/2000:13:55:36 -0700" (zone optional). */
	CG_TIME_CLF = 1u << 5,
	/* "15/11/2026[ 08:30[:00]]" day/month/year as Vietnamese spreadsheets write it. */
	CG_TIME_DMY = 1u << 6,
	/* "@1700000000": Unix seconds. */
	CG_TIME_EPOCH_AT = 1u << 7,
	/* Bare Unix time: 9..12 digits are seconds, 13 milliseconds. */
	CG_TIME_EPOCH = 1u << 8,
};
/* What a log line may start with. */
#define CG_TIME_LOG (CG_TIME_ISO | CG_TIME_BSD | CG_TIME_BIND | CG_TIME_APACHE)

/* Parse a stamp at the start of s[0..n) in one of `formats`. Returns the
 * number of bytes it took (the stamp must end there: no letter or digit
 * follows) and fills *out, or 0 when there is no valid stamp. Out-of-range
 * fields (Feb 30, hour 24, offset beyond ±23:59, year outside 1970..9999)
 * are no stamp. An RFC 3164 stamp gets the year that puts it latest but
 * not more than two days after ctx->ref (clocks drift): "Dec 31 23:59:59"
 * read on Jan 1 is last year's, "Jan 1 00:00:05" read on Dec 31 23:59:59
 * is next year's, "Mar 3" read in June this year's; "Feb 29" goes back to
 * the latest leap year that fits. */
size_t cg_time_parse(const char *s, size_t n, unsigned formats, const struct cg_time_ctx *ctx,
		     struct cg_stamp *out);

/* A stamp anywhere in a line: CEF/LEEF "rt=" (10 digits seconds, 13
 * milliseconds) or a common-log-format stamp. Returns 1 and fills *out. */
int cg_time_find(const char *s, size_t n, const struct cg_time_ctx *ctx, struct cg_stamp *out);

/* Direction of a bare duration in a user-given time. */
enum cg_time_dir { CG_TIME_AHEAD = 0, CG_TIME_AGO = 1 };

/* A whole user-given time (NUL-terminated, at most 64 bytes): ISO 8601
 * (date alone = 00:00, or 23:59:59 with `end_of_day`), "@SECONDS", or a
 * duration "30d", "12h", "45m", "90s", "2w" counted from ctx->ref in
 * direction `dir` ("+" before it forces ahead, "-" ago). Zone-less times
 * are in ctx->default_offset. Sets *out (seconds since the epoch) or fails
 * with CG_EPARSE and a message naming the text. */
enum cg_err cg_time_parse_user(const char *s, const struct cg_time_ctx *ctx, enum cg_time_dir dir, int end_of_day,
			       int64_t *out) CG_MUST_CHECK;

/* "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC) or with "±hh:mm" when `offset` is
 * not 0 (the instant `us` shown in that offset). Always NUL-terminates;
 * 33 bytes are enough. */
void cg_time_format(int64_t us, int offset, char *buf, size_t n);

/* Floor division of microseconds to seconds (correct before 1970 too). */
int64_t cg_time_us_to_s(int64_t us);

/* The wall clock (CLOCK_REALTIME) and a clock that never goes back
 * (CLOCK_MONOTONIC, for durations and deadlines), in microseconds (and the
 * latter in milliseconds). */
int64_t cg_time_now_us(void);
int64_t cg_time_mono_us(void);
int64_t cg_time_mono_ms(void);

/* Days since 1970-01-01 of year `y`, month `m` (1..12), day `d`
 * (H. Hinnant's days_from_civil); negative before the epoch. */
int64_t cg_days_from_civil(int y, int m, int d);
/* The inverse: civil date of day `z` since 1970-01-01. */
void cg_civil_from_days(int64_t z, int *y, int *m, int *d);

/* 1 if `y` is a leap year, else 0. */
int cg_is_leap_year(int y);

/* Days in month `m` (1..12) of year `y`, leap years counted. */
int cg_days_in_month(int y, int m);

#endif
