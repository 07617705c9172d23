/* sigma_corr — Sigma correlation rules (event_count, value_count, temporal,
 * temporal_ordered) over the hits of the rules they refer to, judged on EVENT
 * time whatever the order the hits arrive in.
 *
 * Reference: SigmaHQ sigma-specification, "Sigma Correlation Rules
 * Specification" (specification/sigma-correlation-rules-specification.md,
 * v2.0.x). The specification leaves the window arithmetic to the tool; the
 * semantics chosen here (and modelled independently in
 * tests/integration/sigma/test_correlation.py) are:
 *
 *  - Hits are ordered by (event time, arrival order) before they are judged.
 *    A hit whose event has no time is counted (stats.no_time) and never
 *    enters a window.
 *  - Conditions with only lower bounds (gt, gte; temporal without condition
 *    = all rules) use a SLIDING window: at each hit, the hits of the group no
 *    older than `timespan` are counted (distinct values for value_count,
 *    distinct rules for temporal, the longest in-order prefix of the rules
 *    for temporal_ordered); when the condition holds the correlation fires
 *    and the group starts afresh.
 *  - Conditions with an upper bound (lt, lte, eq, or a range such as gt+lte)
 *    use a window that opens at the group's first hit t0 and closes once
 *    event time passes t0 + timespan (or at end of input); the condition is
 *    judged once, when the window closes ("lt: 3" with five hits in the hour
 *    does not fire). The next hit opens a new window.
 *  - Bounds are inclusive: a hit at t0 + timespan is inside.
 *  - group-by keys are length-prefixed (A=x,B=y,B=z cannot collide) and
 *    hashed with the process-keyed SipHash (cg_hash_seeded); a value_count
 *    value is remembered by its 64-bit keyed hash.
 *
 * Late events: hits wait in a reorder buffer ordered by event time and are
 * judged once the watermark (the newest event time seen minus `lateness`)
 * passes them; a hit older than what was already judged is counted late
 * (stats.late) and dropped. A file hunt sets lateness < 0: everything is
 * judged at sigma_corr_flush, in time order. The buffer is capped
 * (max_buffered): past it the oldest hits are judged early and counted
 * (stats.forced). Live groups are capped (max_groups): a hit that would open
 * one more is counted (stats.groups_dropped). Groups whose window has ended
 * are freed as event time advances, so memory follows the live groups, not
 * the input. Single-threaded: one instance per stream. */
#ifndef SIGMA_CORR_H
#define SIGMA_CORR_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "sigma_engine.h"

#define SIGMA_CORR_MAX_GROUPS 200000
#define SIGMA_CORR_MAX_WINDOW 100000   /* hits or values one window remembers */
#define SIGMA_CORR_MAX_BUFFERED 262144 /* hits waiting in the reorder buffer */

struct sigma_corr;

struct sigma_corr_opts {
	int64_t lateness;     /* seconds behind the newest event time; < 0: judge at flush */
	size_t max_groups;    /* 0: SIGMA_CORR_MAX_GROUPS */
	size_t max_buffered;  /* 0: SIGMA_CORR_MAX_BUFFERED */
};

/* A correlation fired. Everything is borrowed for the call only. */
struct sigma_corr_fire {
	size_t corr_index;
	const struct sigma_rule *rule;
	int emits;            /* 0: only an outer correlation uses it (generate: false) */
	const char *group;    /* "field=value, ..." for display */
	uint64_t count;       /* the figure the condition was judged on */
	int64_t first, last;  /* event times of the window's first and last hit */
	const char *host;     /* computer/host of the last hit ("" if none) */
};
typedef void (*sigma_corr_cb)(void *ud, const struct sigma_corr_fire *f);

struct sigma_corr_stats {
	uint64_t fed, no_time, late, groups_dropped, forced, window_capped;
	size_t live_groups, peak_groups, buffered;
};

enum cg_err sigma_corr_new(const struct sigma_engine *e, const struct sigma_corr_opts *o, sigma_corr_cb cb,
                           void *ud, struct sigma_corr **out) CG_MUST_CHECK;
void sigma_corr_free(struct sigma_corr *c); /* NULL is a no-op */

/* Does rule i feed any correlation? (Callers skip the rest.) */
int sigma_corr_wants(const struct sigma_corr *c, size_t rule_index);

/* Rule `rule_index` matched `ev`, whose event time is `t` seconds (-1: none).
 * Feed hits in input order (ties in time keep it). `ev` is only read during
 * the call. Fires come through the callback, possibly later calls. */
enum cg_err sigma_corr_feed(struct sigma_corr *c, size_t rule_index, const struct cg_event *ev,
                            int64_t t) CG_MUST_CHECK;

/* The same in two steps, so worker threads can do the first: prepare reads
 * only what sigma_corr_new fixed (thread-safe) and returns a compact hit
 * (NULL when no correlation wants the rule); feed_hit (one thread, in input
 * order) takes it over. */
struct sigma_corr_hit;
enum cg_err sigma_corr_prepare(const struct sigma_corr *c, size_t rule_index, const struct cg_event *ev, int64_t t,
                               struct sigma_corr_hit **out) CG_MUST_CHECK;
enum cg_err sigma_corr_feed_hit(struct sigma_corr *c, struct sigma_corr_hit *h) CG_MUST_CHECK;
void sigma_corr_hit_free(struct sigma_corr_hit *h); /* NULL is a no-op */

/* End of input: judge every buffered hit and close every window. */
enum cg_err sigma_corr_flush(struct sigma_corr *c) CG_MUST_CHECK;

void sigma_corr_get_stats(const struct sigma_corr *c, struct sigma_corr_stats *st);

#endif
