/* cg_time — calendar arithmetic on the proleptic Gregorian calendar, without
 * time zones or libc state, for the parsers of log stamps and user-given
 * times. Pure. */
#ifndef CG_TIME_H
#define CG_TIME_H

#include <stdint.h>

/* Days since 1970-01-01 of year `y`, month `m` (1..12), day `d`
 * (H. Hinnant's days_from_civil); negative before the epoch. */
int64_t cg_days_from_civil(int y, int m, int d);

/* 1 if `y` is a leap year, else 0. */
int cg_is_leap_year(int y);

/* Days in month `m` (1..12) of year `y`, leap years counted. */
int cg_days_in_month(int y, int m);

#endif
