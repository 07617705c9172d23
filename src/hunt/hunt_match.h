/* hunt_match — the hunt's matching of text against an ioc_set, shared by
 * the file hunt (hunt.c) and the stream detection (src/detect): URLs by the
 * set's multi-pattern matcher, addresses, domains and hashes as whole tokens
 * (extract.h), IPv4 lookups batched.
 *
 * A matcher is per thread (URL scratch, match lists kept between calls, so
 * matching allocates nothing once its lists have grown); the set is shared. */
#ifndef CG_HUNT_MATCH_H
#define CG_HUNT_MATCH_H

#include <stddef.h>

#include "cg_err.h"
#include "ioc_set.h"

/* One indicator found at text[off, off+len). */
struct hunt_match {
	size_t off, len;
	const struct ioc_entry *e;
};

struct hunt_matcher;

enum cg_err hunt_matcher_new(const struct ioc_set *set, struct hunt_matcher **out) CG_MUST_CHECK;
void hunt_matcher_free(struct hunt_matcher *m); /* NULL is a no-op */

/* Every match in `text` (which may hold many lines; no match spans one),
 * sorted by offset, then length. Borrowed until the next call. */
enum cg_err hunt_matcher_scan(struct hunt_matcher *m, const char *text, size_t len, const struct hunt_match **v,
			      size_t *n) CG_MUST_CHECK;

/* The hits the hunt reports for one line: hunt_matcher_scan, then repeats
 * of the same text matching the same entry dropped (the first kept). */
enum cg_err hunt_match_line(struct hunt_matcher *m, const char *line, size_t len, const struct hunt_match **v,
			    size_t *n) CG_MUST_CHECK;

/* Drop repeats of the same (text, entry) from the matches of one line, in
 * position order, keeping the first. The matches are the first member of
 * elements `stride` bytes apart (the hunt keeps more per hit). */
enum cg_err hunt_match_dedupe(const char *text, void *v, size_t stride, size_t *n) CG_MUST_CHECK;

#endif
