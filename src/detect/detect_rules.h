/* detect_rules — threshold and correlation rules written as data (YAML):
 *
 *   rules:
 *     - id: ssh-brute-force              # required, unique in the file
 *       title: Many failed SSH logins    # required
 *       level: high                      # informational|low|medium|high|critical
 *       match:                           # every field must match (AND)
 *         program: sshd                  #   text, compared ignoring ASCII case
 *         outcome: [failure, failed]     #   any of a list
 *         src_ip: {cidr: 0.0.0.0/0}      #   an address inside a network
 *         user: {re: '^(root|admin)$'}   #   a PCRE2 regular expression
 *         dst_ip: {listed: true}         #   an address/domain on the intel set
 *       group_by: [src_ip]               # fields that make a group (<= 4)
 *       condition: count >= 10           # or: distinct: dst_port >= 20
 *       window: 60s                      # s, m, h; at most 24h
 *
 * Field names are the event's fields (extract lane: user, src_ip, outcome,
 * dst_port, ...); `host` and `program` fall back to the event's host and
 * program when no such field exists. An event without a group_by field is
 * not counted. Errors name the file, the line and the field. */
#ifndef CG_DETECT_RULES_H
#define CG_DETECT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "cg_err.h"
#include "cg_event.h"
#include "ioc_set.h"

#define DETECT_RULES_MAX_BYTES ((size_t)4 << 20)
#define DETECT_RULES_MAX 10000
#define DETECT_MATCH_FIELDS_MAX 32
#define DETECT_MATCH_VALUES_MAX 10000
#define DETECT_GROUP_BY_MAX 4
#define DETECT_COUNT_MAX 1000000
#define DETECT_DISTINCT_MAX 1024
#define DETECT_WINDOW_MAX_S 86400
/* Bytes of a group's key (the group_by values); longer keys are cut. */
#define DETECT_KEY_MAX 240

enum detect_cond_kind { DETECT_COND_COUNT = 1, DETECT_COND_DISTINCT };

struct detect_rules;

/* One rule, borrowed from its set. */
struct detect_rule_info {
	const char *id, *title, *level;
	enum alert_severity severity;
	enum detect_cond_kind cond;
	uint64_t threshold;       /* count or distinct values needed */
	const char *distinct;     /* the field counted (DETECT_COND_DISTINCT) */
	int64_t window_us;
	size_t n_group_by;
	const char *const *group_by;
	uint64_t fingerprint;     /* id and definition: equal when unchanged */
	int uses_intel;           /* some `listed: true` */
};

/* Parse rules from `buf` (named `file` in errors). */
enum cg_err detect_rules_parse(const char *file, const char *buf, size_t len, struct detect_rules **out) CG_MUST_CHECK;
/* Read and parse the file at `path`. */
enum cg_err detect_rules_load(const char *path, struct detect_rules **out) CG_MUST_CHECK;
void detect_rules_free(struct detect_rules *r); /* NULL is a no-op */
size_t detect_rules_count(const struct detect_rules *r);
void detect_rules_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out);

/* Per-thread scratch for matching (regular expressions). */
struct detect_rules_scratch;
enum cg_err detect_rules_scratch_new(struct detect_rules_scratch **out) CG_MUST_CHECK;
void detect_rules_scratch_free(struct detect_rules_scratch *s);

/* Does `ev` pass rule i's `match`? `set` answers `listed` (NULL: nothing
 * is listed). */
int detect_rules_match(const struct detect_rules *r, size_t i, const struct cg_event *ev, const struct ioc_set *set,
		       struct detect_rules_scratch *sc);
/* The group key of `ev` for rule i: the group_by values joined by 0x1f,
 * into `buf` (DETECT_KEY_MAX bytes); returns its length, or -1 when a
 * group_by field is missing. */
int detect_rules_group_key(const struct detect_rules *r, size_t i, const struct cg_event *ev, char *buf);
/* The group key as text for people: "src_ip=192.0.2.7, dst_ip=..." */
void detect_rules_group_text(const struct detect_rules *r, size_t i, const char *key, size_t key_len, char *buf,
			     size_t n);
/* The distinct field's first value, 0 when the event has none. */
int detect_rules_distinct_value(const struct detect_rules *r, size_t i, const struct cg_event *ev, const char **v,
				size_t *n);

#endif
