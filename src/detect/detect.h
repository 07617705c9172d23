/* detect — detection on a stream of normalized events, for the daemon.
 *
 *   detect_snapshot  everything a worker matches against, compiled once and
 *                    never changed: the indicator set exactly as the hunt
 *                    builds it (hunt_intel_load) and matches a line
 *                    (hunt_match.h), the Sigma rules as `canhgac sigma hunt`
 *                    loads them (sigma_stream's snapshot; a rule only sees
 *                    events its log source fits), and threshold/correlation
 *                    rules written as data (detect_rules.h). Ref-counted.
 *   detect           holds the current snapshot and the threshold state
 *                    shared by every worker (sharded locks, a cap on groups,
 *                    evictions counted). detect_swap installs a new snapshot
 *                    at once; threshold state of rules whose id and
 *                    definition are unchanged carries over.
 *   detect_worker    one per thread: per-thread scratch for its snapshot; it
 *                    moves to a new snapshot between two events (one atomic
 *                    load per event). Matching allocates nothing once warm.
 *
 * Threshold windows: an event counts at its event time (the received time
 * when it has none). A group's window opens at its first event and lasts
 * `window`; the alert fires when the condition holds inside it (count >= N,
 * or N distinct values of a field), and the next event opens a new window.
 * detect_tick forgets groups idle (by received time) longer than their
 * window, so memory stays bounded by time as well as by the cap. */
#ifndef CG_DETECT_H
#define CG_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "cg_db.h"
#include "cg_err.h"
#include "cg_event.h"

/* Threshold groups kept at once (all rules); past it the least recently
 * used group is evicted (counted in detect_stats.groups_evicted). */
#define DETECT_GROUPS_DEFAULT 65536u

struct detect_opts {
	struct cg_db *db; /* intel sources (hunt_intel_load); NULL: no indicators */
	/* Instead of the database: feed files (as `canhgac hunt --intel`). */
	const char *const *intel_files;
	size_t n_intel_files;
	const char *const *sigma_paths; /* Sigma rule files/dirs (none: no Sigma) */
	size_t n_sigma;
	const char *const *sigma_maps; /* field mappings, as `sigma hunt --map` */
	size_t n_sigma_maps;
	const char *thresholds_path; /* threshold/correlation rules (YAML); NULL: none */
	int hunt_special;            /* hunt special-purpose blocks for every source */
};

struct detect_snapshot;
struct detect;
struct detect_worker;

/* Compile everything into an immutable, ref-counted snapshot (one
 * reference, the caller's). On failure *out is untouched and `err` says
 * what: file, line, field. Sigma rules that cannot run are skipped (as
 * `sigma hunt` does) and counted in detect_counts.sigma_rejected. */
enum cg_err detect_snapshot_load(const struct detect_opts *o, uint64_t generation, struct detect_snapshot **out,
				 char *err, size_t errn) CG_MUST_CHECK;
void detect_snapshot_ref(struct detect_snapshot *s);
void detect_snapshot_unref(struct detect_snapshot *s); /* NULL is a no-op */

/* What a snapshot holds, for metrics and logs. */
struct detect_counts {
	uint64_t generation;
	size_t indicators, sigma_rules, sigma_rejected, threshold_rules;
};
void detect_snapshot_counts(const struct detect_snapshot *s, struct detect_counts *out);

/* Takes the caller's reference to `initial`. */
enum cg_err detect_new(struct detect_snapshot *initial, struct detect **out) CG_MUST_CHECK;
/* detect_new with a cap on threshold groups (0: DETECT_GROUPS_DEFAULT). */
enum cg_err detect_new_ex(struct detect_snapshot *initial, size_t max_groups, struct detect **out) CG_MUST_CHECK;
/* Call only when no worker of `d` is left. NULL is a no-op. */
void detect_free(struct detect *d);
/* Install `next` (takes the caller's reference). From any thread. */
void detect_swap(struct detect *d, struct detect_snapshot *next);
/* The current snapshot, with a reference the caller releases. */
struct detect_snapshot *detect_acquire(struct detect *d);

enum cg_err detect_worker_new(struct detect *d, struct detect_worker **out) CG_MUST_CHECK;
void detect_worker_free(struct detect_worker *w); /* NULL is a no-op */

/* Called per alert, on the matching thread; the alert and event are
 * borrowed for the call. A non-CG_OK return stops the event's matching and
 * is returned. */
typedef enum cg_err (*detect_alert_fn)(void *ctx, const struct alert *a, const struct alert_event *ev);

/* Match one normalized event: indicators (exactly the hunt's matching of
 * one line), the Sigma rules whose log source fits, threshold rules.
 * Indicators are looked for in the event's message.
 * `origin` names where the event came from (listener or file); it becomes
 * alert_event.file. */
enum cg_err detect_worker_match(struct detect_worker *w, struct cg_event *ev, const char *origin,
				detect_alert_fn fn, void *ctx) CG_MUST_CHECK;
/* detect_worker_match with the raw message as received (`raw`, `n`): the
 * indicators are looked for in it, as `canhgac hunt` looks in a line of a
 * log file, and it is the alert's excerpt. The daemon calls this one. */
enum cg_err detect_worker_match_raw(struct detect_worker *w, struct cg_event *ev, const char *raw, size_t n,
				    const char *origin, detect_alert_fn fn, void *ctx) CG_MUST_CHECK;

/* Windows that close by time: forget threshold groups idle longer than
 * their window at `now_us` (wall clock, microseconds). `fn` is for rules
 * that judge at the end of a window (none yet); may be NULL. */
enum cg_err detect_tick(struct detect *d, int64_t now_us, detect_alert_fn fn, void *ctx) CG_MUST_CHECK;

struct detect_stats {
	uint64_t generation;      /* of the current snapshot */
	uint64_t swaps;
	uint64_t events;          /* matched, all workers */
	uint64_t indicator_alerts, sigma_alerts, threshold_alerts;
	uint64_t groups;          /* threshold groups held now */
	uint64_t groups_evicted;  /* dropped at the cap before their window ended */
	uint64_t groups_expired;  /* forgotten by detect_tick */
};
void detect_stats(struct detect *d, struct detect_stats *out);

#endif
