/* scan_rules — a compiled YARA rule set (libyara), shared read-only by every
 * scanning thread, and the per-thread matcher that runs it over a buffer.
 *
 * Rules come from files or directories (every *.yar / *.yara below one, in
 * sorted order), compiled together in the default namespace as the `yara`
 * command line does. A compiled set is cached on disk under a key made of
 * libyara's version and every source file's content, and reloaded from there
 * next time. The cache directory must belong to the user running the scan and
 * be writable by nobody else (a compiled rule file is trusted input to
 * libyara); otherwise, or for sources with `include`, the cache is not used. */
#ifndef CG_SCAN_RULES_H
#define CG_SCAN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

/* Caps on rule sources. */
#define SCAN_RULES_FILES_MAX 4096
#define SCAN_RULES_BYTES_MAX (64u << 20)

struct scan_rules;

struct scan_rules_opts {
	const char *const *paths; /* rule files or directories */
	size_t n_paths;
	const char *cache_dir; /* NULL: no cache */
};

/* Compile (or reload) the rules into *out, freed with scan_rules_free. A
 * compile error names the file and line ("rules/a.yar:12: syntax error ...").
 * *from_cache (may be NULL) says whether the compiled set came from the cache. */
enum cg_err scan_rules_load(const struct scan_rules_opts *o, struct scan_rules **out,
			    int *from_cache) CG_MUST_CHECK;
void scan_rules_free(struct scan_rules *r);
size_t scan_rules_count(const struct scan_rules *r);
size_t scan_rules_files(const struct scan_rules *r);
/* The cache key (hex SHA-256) of the loaded set. */
const char *scan_rules_key(const struct scan_rules *r);

/* One thread's matcher. */
struct scan_rules_matcher;
enum cg_err scan_rules_matcher_new(const struct scan_rules *r, struct scan_rules_matcher **out) CG_MUST_CHECK;
void scan_rules_matcher_free(struct scan_rules_matcher *m);

/* A matching rule: its name, tags (space-separated, "" when none) and the
 * `description` meta ("" when none). Borrowed during the call; non-zero
 * stops the matching. */
typedef int (*scan_rules_hit_fn)(void *ctx, const char *rule, const char *tags, const char *description);

/* Match `buf` against the rules, giving up after `timeout_s` seconds (0: no
 * limit): then CG_ELIMIT, and no rule is reported for the buffer. */
enum cg_err scan_rules_match(struct scan_rules_matcher *m, const uint8_t *buf, size_t len, unsigned timeout_s,
			     scan_rules_hit_fn fn, void *ctx) CG_MUST_CHECK;

#endif
