/* agent_outbox — the agent's on-disk queue of reports for the centre, so a
 * centre that is away loses nothing: one file per report (DIR/NNNN.json,
 * written to a temporary file, synced and renamed), numbered by a sequence
 * that never goes back (kept in DIR/seq), deleted only when the centre
 * acknowledges it. Bounded in count and bytes: a report that does not fit
 * is refused (CG_ELIMIT) and the caller keeps its source (log positions
 * are not advanced, a task is not marked done). */
#ifndef CG_AGENT_OUTBOX_H
#define CG_AGENT_OUTBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct agent_outbox;

enum cg_err agent_outbox_open(const char *dir, size_t max_items, uint64_t max_bytes,
			      struct agent_outbox **out) CG_MUST_CHECK;
void agent_outbox_free(struct agent_outbox *ob); /* NULL is a no-op */

/* Queue a report of `kind` with `body` (not stolen); *seq gets its number. */
enum cg_err agent_outbox_put(struct agent_outbox *ob, const char *kind, const json_t *body,
			     int64_t *seq) CG_MUST_CHECK;

/* The queued reports in order: `fn` gets the sequence number and the stored
 * object {"kind", "body"}; returning non-zero stops the walk with that code. */
typedef enum cg_err (*agent_outbox_fn)(void *ctx, int64_t seq, json_t *item);
enum cg_err agent_outbox_foreach(struct agent_outbox *ob, agent_outbox_fn fn, void *ctx) CG_MUST_CHECK;

/* The centre acknowledged report `seq`: delete it. */
enum cg_err agent_outbox_ack(struct agent_outbox *ob, int64_t seq) CG_MUST_CHECK;

void agent_outbox_usage(struct agent_outbox *ob, size_t *items, uint64_t *bytes);

#endif
