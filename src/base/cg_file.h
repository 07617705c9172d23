/* cg_file — reading a whole input file (plain or gzip) under a size cap. */
#ifndef CG_FILE_H
#define CG_FILE_H

#include <stddef.h>

#include "cg_err.h"

/* Default cap for one feed/inventory file after decompression: 1 GiB. */
#define CG_FILE_DEFAULT_CAP ((size_t)1 << 30)

/* Past this many decompressed bytes, a gzip input expanding more than
 * CG_FILE_BOMB_RATIO times is refused as a decompression bomb. */
#define CG_FILE_BOMB_MIN ((size_t)32 << 20)
#define CG_FILE_BOMB_RATIO 200

/* Read `path` (gzip is decompressed transparently; "-" is standard input) into
 * a new NUL-terminated buffer the caller frees. Fails with CG_ELIMIT when the
 * (decompressed) content exceeds `cap` or is a decompression bomb (above),
 * CG_EINVAL for a path that is not a regular file (a FIFO, a device), CG_EIO
 * on read errors and truncated gzip streams; the message names the file. */
enum cg_err cg_file_read(const char *path, size_t cap, char **out, size_t *out_len) CG_MUST_CHECK;

/* The last path component of `path` (borrowed pointer into `path`). */
const char *cg_file_basename(const char *path);

#endif
