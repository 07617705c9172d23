/* logtime — the time a log line says it was written.
 *
 * Recognises the usual leading stamps: RFC 5424 / ISO 8601
 * ("2025-11-06T11:32:42.868451+00:00"), RFC 3164 ("Nov  6 11:32:42", year
 * taken from `ref` and moved back a year when that would put it in the
 * future), Apache/nginx "[10/Oct/2000:13:55:36 -0700]" anywhere in the line,
 * Cisco ASA "Nov 06 2025 11:32:42", and CEF/LEEF "rt=" epoch milliseconds.
 * Pure; fuzzed. */
#ifndef CG_LOGTIME_H
#define CG_LOGTIME_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 and sets *out (seconds since the epoch, UTC) when a stamp is
 * found; 0 otherwise. `ref` is "now" for year inference. */
int logtime_parse(const char *line, size_t len, int64_t ref, int64_t *out);

#endif
