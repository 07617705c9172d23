/* filewalk — the input files of a hunt: paths expanded (directories walked
 * recursively in sorted order), and each file opened for reading, plain
 * (read(2), so a file truncated meanwhile is an error, not a SIGBUS) or gzip
 * (decompressed as a stream).
 *
 * Symbolic links are followed (unless filewalk_opts.no_follow), but a
 * directory or file already reached (same device and inode) is not entered
 * twice, so link loops end. Problems with one
 * path (missing, unreadable, a loop, a FIFO or device named on the command
 * line — only "-" reads a stream) are not fatal: they become entries with
 * an error, kept in the walk order, so a caller reports them where they fall. */
#ifndef CG_FILEWALK_H
#define CG_FILEWALK_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

/* Caps on what a walk may hold. */
#define FILEWALK_FILES_MAX 1000000u
#define FILEWALK_DEPTH_MAX 64u

struct filewalk;

struct filewalk_entry {
	const char *path;  /* as reached: the argument, or dir + "/" + name */
	uint64_t size;     /* bytes on disk (compressed size for .gz) */
	enum cg_err err;   /* CG_OK, or why this path cannot be read */
	const char *error; /* translated message naming the path, or NULL */
	int skipped;       /* not read on purpose (a special file, another file
			    * system; filewalk_opts.report_skipped): err is
			    * CG_EUNSUPPORTED, error says why; not counted as an error */
};

/* How a walk treats what is not a plain file or directory. The defaults (all
 * 0) are the hunt's: links followed (each file and directory entered once),
 * file systems crossed, special files inside directories passed over silently. */
struct filewalk_opts {
	int no_follow;      /* below the arguments, symbolic links are not followed
			     * (counted, see filewalk_links); an argument that is a
			     * link is still followed, as `find -H` does */
	int one_fs;         /* do not enter a directory on another file system
			     * than the argument it was reached from */
	int report_skipped; /* special files and directories on another file
			     * system become skipped entries instead of vanishing */
};

/* Expand `paths` (files or directories; "-" is standard input) into the list
 * of files to read. Fails
 * only for out of memory or more than FILEWALK_FILES_MAX files; the result is
 * the caller's, freed with filewalk_free. */
enum cg_err filewalk_collect(const char *const *paths, size_t n, struct filewalk **out) CG_MUST_CHECK;
/* filewalk_collect with options (NULL: the defaults). */
enum cg_err filewalk_collect_opts(const char *const *paths, size_t n, const struct filewalk_opts *o,
				  struct filewalk **out) CG_MUST_CHECK;
void filewalk_free(struct filewalk *w);
size_t filewalk_count(const struct filewalk *w);
/* Entry i (borrowed; valid until filewalk_free). */
const struct filewalk_entry *filewalk_get(const struct filewalk *w, size_t i);
/* Number of entries with an error, and total bytes of the readable ones. */
size_t filewalk_errors(const struct filewalk *w);
uint64_t filewalk_bytes(const struct filewalk *w);
/* Skipped entries, and symbolic links not followed (filewalk_opts.no_follow). */
size_t filewalk_skipped(const struct filewalk *w);
size_t filewalk_links(const struct filewalk *w);

/* One open input file. */
struct filewalk_file;

/* Open `path`. A gzip file (by its magic bytes, not its name) is decompressed
 * as a stream; a plain file is read as it is. The message of a failure names
 * the path. */
enum cg_err filewalk_open(const char *path, struct filewalk_file **out) CG_MUST_CHECK;
void filewalk_close(struct filewalk_file *f);
int filewalk_is_gzip(const struct filewalk_file *f);
/* Read up to `cap` bytes of (decompressed) content; *got 0 with CG_OK means
 * the end. A truncated or corrupt gzip stream gives CG_EIO ("truncated gzip
 * data"); *got may then be non-zero: those bytes were decoded and are valid.
 * A plain file found shorter than what was already read (truncated in place,
 * as logrotate's copytruncate does) ends with CG_EIO "file changed while
 * reading"; one that grows is read to its new end. */
enum cg_err filewalk_read(struct filewalk_file *f, char *buf, size_t cap, size_t *got) CG_MUST_CHECK;
/* Bytes of the file on disk consumed so far (for progress). */
uint64_t filewalk_raw_pos(const struct filewalk_file *f);

#endif
