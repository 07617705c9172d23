/* collect_tail — follow one log file line by line, as `tail -F` does, and
 * remember how far it got.
 *
 * - Rotation (the file renamed, a new one created at the path): the old
 *   file is read to its end first (its last line even without LF), then
 *   the new one from its start.
 * - Truncation (copytruncate; or the file's first bytes changed, i.e. it
 *   was replaced in place): reading starts again at 0.
 * - Position: the offset after the last line handed to the callback, saved
 *   by collect_tail_save in state_dir/tail-<hash of the path>.pos (written
 *   to a temporary file, synced, renamed). It is used again only for the
 *   same file: same device and inode and the same hash of its first bytes
 *   (up to 256); otherwise the file is new and is read from its start, or,
 *   when it already existed and `from_end` is set, from its end. When the
 *   file was rotated while nobody read it, the rotated file "<path>.1" is
 *   finished first if it is the remembered one.
 * - A line is at most max_msg bytes: a longer one is cut to max_msg,
 *   delivered with `truncated` set, and the rest of it skipped. A last line
 *   without LF waits (for its LF, for a rotation) and is not counted in the
 *   saved position until delivered. CR before LF is dropped; empty lines
 *   are skipped. */
#ifndef COLLECT_TAIL_H
#define COLLECT_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct collect_tail;

/* `line` is borrowed until the callback returns; the callback may block. */
typedef void (*collect_tail_line_fn)(void *ud, const char *line, size_t n, int truncated);

/* Copies `path` and `state_dir` (NULL: no position kept). Opens nothing yet. */
enum cg_err collect_tail_new(const char *path, const char *state_dir, size_t max_msg, int from_end,
			     struct collect_tail **out) CG_MUST_CHECK;
/* Read what is new, up to about `budget` bytes, delivering whole lines to
 * fn. *more is set when the budget ran out before the end (call again
 * soon). A missing file is not an error (it is waited for); a read error
 * is CG_EIO naming the file. */
enum cg_err collect_tail_poll(struct collect_tail *t, size_t budget, collect_tail_line_fn fn, void *ud,
			      int *more) CG_MUST_CHECK;
/* Write the position if it changed since the last save. */
enum cg_err collect_tail_save(struct collect_tail *t) CG_MUST_CHECK;
/* Rotations and truncations followed so far. */
void collect_tail_counts(const struct collect_tail *t, uint64_t *rotations, uint64_t *truncations);
/* The saved-position offset (after the last delivered line) of the file read now. */
uint64_t collect_tail_position(const struct collect_tail *t);
void collect_tail_free(struct collect_tail *t); /* NULL is a no-op */

#endif
