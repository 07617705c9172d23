/* feed_stix — the STIX 2.1 pattern language, as far as indicators need it.
 * Exposed separately from feed.h so it can be fuzzed and tested alone. */
#ifndef CG_FEED_STIX_H
#define CG_FEED_STIX_H

#include <stddef.h>

#include "cg_err.h"

#define STIX_PATTERN_DEPTH_MAX 64
#define STIX_PATTERN_CMP_MAX 4096

/* One comparison with a string value. `path` is the object path with quotes
 * taken off ("file:hashes.SHA-256"); `equality` is 1 for a non-negated '=' or
 * IN member, 0 for any other operator. Borrowed during the call. A non-CG_OK
 * return stops the walk with that code. */
typedef enum cg_err (*stix_cmp_fn)(void *ctx, const char *path, const char *value, int equality);

/* Parse a whole pattern (observation expressions with AND/OR/FOLLOWEDBY,
 * parentheses and qualifiers; comparison expressions with AND/OR,
 * parentheses, NOT, =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET,
 * ISSUPERSET, EXISTS) and call `fn` for each string comparison. Returns
 * CG_EPARSE with the reason and byte offset on a syntax error, CG_ELIMIT past
 * the caps above. Pure, no allocation beyond the stack. */
enum cg_err feed_stix_pattern(const char *pattern, size_t n, stix_cmp_fn fn, void *ctx) CG_MUST_CHECK;

#endif
