/* The parsed form of a Sigma rule, shared by the modules of src/sigma
 * (loader, condition parser, modifiers, compiler, correlation). Outside
 * src/sigma a rule is the opaque struct sigma_rule of sigma_rule.h. */
#ifndef SIGMA_INT_H
#define SIGMA_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "sigma_rule.h"

/* One pattern a field value is compared with, after modifiers. */
enum sigma_vkind {
	SV_EQ,       /* whole value */
	SV_PREFIX,
	SV_SUFFIX,
	SV_CONTAINS,
	SV_GLOB,     /* with * and ? */
	SV_RE,
	SV_CIDR,
	SV_LT, SV_LTE, SV_GT, SV_GTE,
	SV_EXISTS,   /* b = 1: field must exist, 0: must not */
	SV_NULL,     /* field absent */
	SV_FIELDREF, /* compare with another field of the same event */
};

struct sigma_value {
	enum sigma_vkind kind;
	int cased;            /* compare bytes exactly; default folds ASCII case */
	unsigned group;       /* values of one original list item share a group */
	unsigned char *s;     /* pattern bytes (folded unless cased) */
	unsigned char *wild;  /* SV_GLOB: per byte 0 literal, 1 '*', 2 '?' */
	size_t n;
	pcre2_code *re;
	unsigned char addr[16];
	int family, bits;     /* SV_CIDR: 4 or 6 */
	double num;           /* SV_LT..SV_GTE */
	int b;                /* SV_EXISTS */
	char *ref;            /* SV_FIELDREF: other field; kind of comparison in refkind */
	enum sigma_vkind refkind;
	uint32_t ref_hash;
};

/* `Field|mods: values` — or keywords when field is NULL. */
struct sigma_fieldmatch {
	char *field;
	uint32_t hash;
	int all;              /* every group must match, else any value */
	unsigned n_groups;
	struct sigma_value *v;
	size_t n;
};

/* One alternative of a search identifier: all of its field matches. */
struct sigma_group {
	struct sigma_fieldmatch *fm;
	size_t n;
};

struct sigma_search {
	char *name;
	struct sigma_group *g; /* any group */
	size_t n;
};

/* Condition tree. `a or b or c` is one CN_OR node with three operands, so
 * the depth of the tree is bounded by the nesting of parentheses and `not`
 * (SIGMA_COND_MAX_DEPTH), never by the length of a flat chain or of a
 * condition list; every walk over it may recurse. */
enum sigma_cnode_type { CN_AND, CN_OR, CN_NOT, CN_REF, CN_OF };
struct sigma_cnode {
	enum sigma_cnode_type type;
	struct sigma_cnode **kid; /* CN_AND, CN_OR: operands; CN_NOT: one */
	size_t n_kid, alloc_kid;
	size_t ref;            /* CN_REF */
	size_t *refs, n_refs;  /* CN_OF */
	size_t need;           /* CN_OF: 0 means all */
};

enum sigma_corr_type { SIGMA_CORR_EVENT_COUNT, SIGMA_CORR_VALUE_COUNT, SIGMA_CORR_TEMPORAL,
	SIGMA_CORR_TEMPORAL_ORDERED };

struct sigma_corr_alias {
	char *alias, *rule, *field;
};

struct sigma_correlation {
	enum sigma_corr_type type;
	char **rules; size_t n_rules;     /* names or ids */
	char **group_by; size_t n_group_by;
	struct sigma_corr_alias *aliases; size_t n_aliases;
	int64_t timespan;                 /* seconds */
	char *field;                      /* value_count */
	int has_gt, has_gte, has_lt, has_lte, has_eq;
	long gt, gte, lt, lte, eq;
	int generate;
};

struct sigma_rule {
	char *origin;         /* file name (and document number) */
	char *id, *name, *title, *level, *status, *description, *author;
	char **tags; size_t n_tags;
	char *product, *category, *service;
	struct sigma_search *s; size_t n_s;
	struct sigma_cnode *cond;
	struct sigma_correlation *corr;
	char **fields; size_t n_fields; /* field names the detection reads */
	int level_num;
	int generate_hits;              /* 0 when only a correlation uses it */
};

/* sigma_cond.c. `nodes` counts the nodes of all the conditions of one rule
 * (a condition list is ORed): past SIGMA_COND_MAX_NODES the rule is refused. */
#define SIGMA_COND_MAX_NODES 4096
enum cg_err sigma_cond_parse(const char *text, const struct sigma_search *s, size_t n_s, size_t *nodes,
                             struct sigma_cnode **out) CG_MUST_CHECK;
/* Add condition `c` (taken, also on failure) as one more alternative of the
 * list `*list` (an or node, created when NULL). */
enum cg_err sigma_cond_list_add(struct sigma_cnode **list, size_t *nodes, struct sigma_cnode *c) CG_MUST_CHECK;
void sigma_cond_free(struct sigma_cnode *c);

/* sigma_mod.c: build a field match from "Field|mod|mod" and its YAML values
 * (already as strings; is_null marks YAML null). */
struct sigma_rawval {
	const char *s;
	size_t n;
	int is_null;
};
enum cg_err sigma_mod_build(const char *key, const struct sigma_rawval *vals, size_t n_vals,
                            struct sigma_fieldmatch *out) CG_MUST_CHECK;
void sigma_fieldmatch_clear(struct sigma_fieldmatch *fm);
/* The longest run of bytes every match of the regular expression s[0..n)
 * contains: buf (n bytes) receives the runs, [*at, *at + *len) the longest;
 * *len 0 when there is none. `caseless`: the pattern matches without case. */
void sigma_re_literal(const char *s, size_t n, int caseless, size_t *at, size_t *len, unsigned char *buf);

/* Does value `s`/`n` (folded copy `low`) match pattern `v`? 1 yes, 0 no,
 * -1 when a regular expression hit a PCRE2 limit (no answer). RE and CIDR
 * need the original bytes; md is per-thread PCRE2 match data. */
int sigma_value_match(const struct sigma_value *v, const char *s, size_t n, const char *low,
                      pcre2_match_data *md, pcre2_match_context *mc);


/* A decimal number as Sigma's numeric modifiers take it: optional sign,
 * digits with an optional fraction and exponent; no spaces, hex, inf or nan.
 * Returns 1 and sets *out, else 0. */
int sigma_parse_number(const char *s, size_t n, double *out);


#endif
