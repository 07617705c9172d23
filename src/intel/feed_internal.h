/* feed_internal — what the feed format parsers share (not for other modules). */
#ifndef CG_FEED_INTERNAL_H
#define CG_FEED_INTERNAL_H

#include <stddef.h>

#include "feed.h"

/* One parse in progress: options, the caller's sink and the running counts. */
struct feed_run {
	const struct feed_opts *opts;
	const struct feed_sink *sink;
	struct feed_counts *counts;
	char reason[512]; /* scratch for building bad/skip reasons */
};

/* Account one entry of each kind; the sink's code is returned (non-CG_OK stops). */
enum cg_err feed_emit(struct feed_run *run, const struct feed_record *r);
enum cg_err feed_bad(struct feed_run *run, size_t line, const char *fmt, ...) CG_PRINTF(3, 4);
enum cg_err feed_skip(struct feed_run *run, size_t line, const char *fmt, ...) CG_PRINTF(3, 4);
/* The current entry gave records: count it as imported (call once per entry). */
void feed_entry_done(struct feed_run *run);

/* Copy `s` (n bytes) into `out` (size cap), cut at a UTF-8 character boundary
 * so it fits; returns out, or NULL when the trimmed text is empty. */
const char *feed_copy_text(const char *s, size_t n, char *out, size_t cap);

/* Replace control characters and invalid UTF-8 in `s` with '?', in place. */
void feed_sanitize_utf8(char *s);

/* True if a line names a known indicator column ("IP", "Địa chỉ IP", "dst_ip", ...). */
int feed_csv_is_header(const char *line, size_t n);

/* Per-format parsers; `buf` has no BOM. */
enum cg_err feed_parse_lines(enum feed_format f, struct feed_run *run, const char *buf, size_t len);
enum cg_err feed_parse_csv(enum feed_format f, struct feed_run *run, const char *buf, size_t len);
enum cg_err feed_parse_stix(struct feed_run *run, const char *buf, size_t len);
enum cg_err feed_parse_misp(struct feed_run *run, const char *buf, size_t len);

/* 1-based line number of byte offset `off` of buf, counted from a known
 * (offset, line) pair before it, so walking forward stays linear. */
size_t feed_line_at(const char *buf, size_t off, size_t *from_off, size_t *from_line);

#endif
