/* cg_out — writing an output file safely, for every command with -o/--output.
 *
 * A regular file is replaced atomically: the content goes to a temporary
 * created with mkstemp() (O_EXCL, so a symlink planted at a guessable name is
 * never followed) in the directory of the final file, is fsync()ed, takes the
 * old file's owner and mode, and is renamed over it; the directory is then
 * fsync()ed. A reader never sees half a file, and a failed write leaves the
 * old file as it was.
 *
 * The path's decisions:
 *   "-"                  standard output, written as a stream (nothing renamed);
 *   a symlink            written through: its final target is replaced, the link
 *                        stays (a resolver's config often links into a release
 *                        directory); a dangling link is refused;
 *   not a regular file   refused (a device, FIFO, socket, directory): `-o
 *                        /dev/null` keeps the device and says so;
 *   missing              created with mode 0666 less the umask. */
#ifndef CG_OUT_H
#define CG_OUT_H

#include <stddef.h>

#include "cg_err.h"

struct cg_out;

/* Start writing `path` (see above). The error names the path and why. */
enum cg_err cg_out_open(const char *path, struct cg_out **out) CG_MUST_CHECK;
/* Append `len` bytes; a short write (full disk, file-size limit) is an error. */
enum cg_err cg_out_write(struct cg_out *o, const void *data, size_t len) CG_MUST_CHECK;
/* Finish: flush, fsync, keep owner and mode, rename, fsync the directory; frees
 * `o` whether or not it succeeds (the temporary is removed on failure). */
enum cg_err cg_out_commit(struct cg_out *o) CG_MUST_CHECK;
/* Give up: remove the temporary, free `o` (NULL is a no-op). */
void cg_out_abort(struct cg_out *o);

/* open + write + commit of one buffer. */
enum cg_err cg_out_file(const char *path, const void *data, size_t len) CG_MUST_CHECK;

/* Flush and close standard output at the end of a command; a write error seen
 * at any time (full disk, closed pipe) is reported as CG_EIO. */
enum cg_err cg_out_close_stdout(void) CG_MUST_CHECK;

#endif
