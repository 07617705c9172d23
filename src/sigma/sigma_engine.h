/* sigma_engine — a Sigma rule set compiled once into an immutable matcher,
 * and per-thread scanners that run it over events.
 *
 *   sigma_engine_new → sigma_engine_add (per rule) → sigma_engine_compile
 *   → any number of threads: sigma_scanner_new → sigma_scanner_match ...
 *
 * Compile gathers the literals every rule needs (at least one must occur in
 * an event for the rule to match), with the field each must occur in, into
 * one Vectorscan database per log source and field name (and one for
 * keywords); each field of an event that the rules of its log sources read
 * is scanned on its own, and only the rules whose literals occurred in the
 * right field, or that have no usable literal, are evaluated exactly. A rule applies only to events of its
 * logsource. A compiled engine is never modified: reloading builds a new one
 * and swaps the pointer (old scanners keep working until freed with it).
 * The map given to sigma_engine_new must outlive the engine. */
#ifndef SIGMA_ENGINE_H
#define SIGMA_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_event.h"
#include "sigma_map.h"
#include "sigma_rule.h"

struct sigma_engine;
struct sigma_scanner;

enum cg_err sigma_engine_new(const struct sigma_map *map, struct sigma_engine **out) CG_MUST_CHECK;
void sigma_engine_free(struct sigma_engine *e); /* NULL is a no-op; frees the rules too */

/* Take `rule` into the set. When it cannot run (no mapping for its
 * logsource, ...) the rule is freed, `why` says why and CG_EUNSUPPORTED is
 * returned. Only before compile. */
enum cg_err sigma_engine_add(struct sigma_engine *e, struct sigma_rule *rule, char *why, size_t why_len) CG_MUST_CHECK;

/* Called by compile for each correlation rule it has to drop (reference to
 * an unknown rule, a cycle); the rule stays in the set but never fires. */
typedef void (*sigma_reject_cb)(void *ud, const struct sigma_rule *rule, const char *why);
enum cg_err sigma_engine_compile(struct sigma_engine *e, sigma_reject_cb reject, void *ud) CG_MUST_CHECK;

size_t sigma_engine_rule_count(const struct sigma_engine *e);
const struct sigma_rule *sigma_engine_rule(const struct sigma_engine *e, size_t i);
/* How many rules have no literal and are evaluated on every event of their
 * log source (a figure for the statistics). */
size_t sigma_engine_unfiltered_count(const struct sigma_engine *e);
size_t sigma_engine_literal_count(const struct sigma_engine *e);
/* Does rule i report its own hits (0 for rules only a correlation uses)? */
int sigma_engine_rule_emits(const struct sigma_engine *e, size_t i);
/* Correlation rules that use rule i. */
size_t sigma_engine_rule_parents(const struct sigma_engine *e, size_t i, const size_t **out);
/* Rules correlation i refers to, in the order written. */
size_t sigma_engine_corr_refs(const struct sigma_engine *e, size_t i, const size_t **out);

enum cg_err sigma_scanner_new(const struct sigma_engine *e, struct sigma_scanner **out) CG_MUST_CHECK;
void sigma_scanner_free(struct sigma_scanner *s); /* NULL is a no-op */

/* Called for every (non-correlation) rule that matches `ev`, in rule order;
 * a non-zero return stops the scan of this event. */
/* What a scanner saw so far (all counts since sigma_scanner_new). */
struct sigma_scan_stats {
	uint64_t events;       /* given to sigma_scanner_match */
	uint64_t routed;       /* of a log source some rule reads */
	uint64_t evaluated;    /* rule evaluations after the prefilter */
	uint64_t truncated;    /* events cut at CG_EVENT_MAX_FIELDS or _BYTES */
	uint64_t regex_limits; /* rule evaluations where a regular expression hit
	                          a PCRE2 limit (counted as no match) */
};
void sigma_scanner_stats(const struct sigma_scanner *s, struct sigma_scan_stats *out);
/* Evaluations of rule i in which a regular expression hit a limit. */
uint64_t sigma_scanner_regex_limits(const struct sigma_scanner *s, size_t rule);

typedef int (*sigma_hit_cb)(void *ud, size_t rule_index, const struct sigma_rule *rule,
                            const struct cg_event *ev);
enum cg_err sigma_scanner_match(struct sigma_scanner *s, struct cg_event *ev, sigma_hit_cb cb,
                                void *ud) CG_MUST_CHECK;

#endif
