/* sigma_rule — loading Sigma rules (YAML, libfyaml) into their parsed form.
 *
 * One file may hold several YAML documents (correlation rules and the rules
 * they refer to). Every document gives either a rule or the precise reason it
 * cannot run ("detection.selection: field 'Image|foo': unknown modifier
 * 'foo'"); nothing is skipped silently. Pure: text in, rules out. */
#ifndef SIGMA_RULE_H
#define SIGMA_RULE_H

#include <stddef.h>

#include "cg_err.h"

/* Caps on hostile rule files. */
#define SIGMA_RULE_MAX_BYTES ((size_t)1 << 20)
#define SIGMA_RULE_MAX_DOCS 256
#define SIGMA_COND_MAX_DEPTH 64
#define SIGMA_MAX_EXPANSION 1024 /* values one item may expand to (windash, base64offset) */
#define SIGMA_MAX_VALUES 65536   /* values of one field after expansion */

enum sigma_level { SIGMA_LEVEL_INFORMATIONAL = 0, SIGMA_LEVEL_LOW, SIGMA_LEVEL_MEDIUM,
	SIGMA_LEVEL_HIGH, SIGMA_LEVEL_CRITICAL };

struct sigma_rule;

/* Called once per YAML document of the text: `rule` (the callee takes it,
 * free with sigma_rule_free) when it loaded, else NULL with rc and reason. */
typedef void (*sigma_rule_cb)(void *ud, struct sigma_rule *rule, enum cg_err rc,
                              const char *reason, size_t doc_index);

/* Parse `text` (`origin` names it in messages). Returns non-OK only when the
 * text as a whole is unusable (too big, not YAML at all); per-document
 * failures go to the callback. */
enum cg_err sigma_rules_parse(const char *text, size_t len, const char *origin, sigma_rule_cb cb,
                              void *ud) CG_MUST_CHECK;

void sigma_rule_free(struct sigma_rule *r); /* NULL is a no-op */

/* Accessors; strings are "" when the rule has no such attribute. */
const char *sigma_rule_id(const struct sigma_rule *r);
const char *sigma_rule_name(const struct sigma_rule *r);
const char *sigma_rule_title(const struct sigma_rule *r);
const char *sigma_rule_level(const struct sigma_rule *r);
enum sigma_level sigma_rule_level_num(const struct sigma_rule *r);
const char *sigma_rule_status(const struct sigma_rule *r);
const char *sigma_rule_origin(const struct sigma_rule *r);
size_t sigma_rule_tag_count(const struct sigma_rule *r);
const char *sigma_rule_tag(const struct sigma_rule *r, size_t i);
/* logsource; "" when absent. */
const char *sigma_rule_product(const struct sigma_rule *r);
const char *sigma_rule_category(const struct sigma_rule *r);
const char *sigma_rule_service(const struct sigma_rule *r);
int sigma_rule_is_correlation(const struct sigma_rule *r);
/* Names of the event fields the detection reads (for "matched fields"). */
size_t sigma_rule_field_count(const struct sigma_rule *r);
const char *sigma_rule_field(const struct sigma_rule *r, size_t i);

/* Parse a level name; -1 when unknown. */
int sigma_level_parse(const char *s);

#endif
