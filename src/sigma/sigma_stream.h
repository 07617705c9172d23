/* sigma_stream — Sigma detection event by event, for a long-running reader
 * (the daemon): one compiled, immutable rule set shared by every thread, and
 * a new one swapped in while events flow.
 *
 *   sigma_snapshot  a compiled engine (and the map it was built with) plus a
 *                   generation number; reference-counted, freed with its last
 *                   reference. Never modified after sigma_snapshot_new.
 *   sigma_detector  holds the current snapshot. sigma_detector_swap installs
 *                   a new one at once; threads still matching on the old one
 *                   finish their event on it, and it is freed when the last
 *                   of them lets go.
 *   sigma_stream    one per thread: the per-thread scratch (scanner) for the
 *                   snapshot it holds. Before each event it checks the
 *                   detector's generation (one atomic load) and moves to the
 *                   new snapshot when it changed.
 *
 * Correlations (sigma_corr) refer to a snapshot's rule numbers: a reader
 * keeps one sigma_corr per snapshot and flushes it when it moves on. */
#ifndef SIGMA_STREAM_H
#define SIGMA_STREAM_H

#include <stdint.h>

#include "cg_err.h"
#include "sigma_engine.h"

struct sigma_snapshot;
struct sigma_detector;
struct sigma_stream;

/* Takes ownership of the compiled `e` and of `map` (may be NULL) on success
 * and on failure. The snapshot starts with one reference, the caller's. */
enum cg_err sigma_snapshot_new(struct sigma_engine *e, struct sigma_map *map, uint64_t generation,
                               struct sigma_snapshot **out) CG_MUST_CHECK;
void sigma_snapshot_ref(struct sigma_snapshot *s);
void sigma_snapshot_unref(struct sigma_snapshot *s); /* NULL is a no-op */
const struct sigma_engine *sigma_snapshot_engine(const struct sigma_snapshot *s);
uint64_t sigma_snapshot_generation(const struct sigma_snapshot *s);

/* Takes the caller's reference to `initial`. */
enum cg_err sigma_detector_new(struct sigma_snapshot *initial, struct sigma_detector **out) CG_MUST_CHECK;
/* Call only when no stream of this detector is left. NULL is a no-op. */
void sigma_detector_free(struct sigma_detector *d);
/* Install `next` (takes the caller's reference); the old snapshot is released
 * by the detector and lives on while streams still hold it. */
void sigma_detector_swap(struct sigma_detector *d, struct sigma_snapshot *next);
/* The current snapshot, with a reference the caller releases. */
struct sigma_snapshot *sigma_detector_acquire(struct sigma_detector *d);

enum cg_err sigma_stream_new(struct sigma_detector *d, struct sigma_stream **out) CG_MUST_CHECK;
void sigma_stream_free(struct sigma_stream *s); /* NULL is a no-op */
/* Match one event against the current snapshot; `cb` as sigma_scanner_match.
 * `*snap` (if not NULL) receives the snapshot used, borrowed until the next
 * call on this stream (rule pointers given to cb belong to it). */
enum cg_err sigma_stream_match(struct sigma_stream *s, struct cg_event *ev, sigma_hit_cb cb, void *ud,
                               const struct sigma_snapshot **snap) CG_MUST_CHECK;

#endif
