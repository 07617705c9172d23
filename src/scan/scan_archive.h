/* scan_archive — the files inside one archive held in memory (zip, tar, and
 * gzip / bzip2 / xz, alone or around a tar), read through libarchive with
 * decompression-bomb limits. One level only: the caller recurses into an
 * entry that is itself an archive, passing the same budget, so the limits
 * hold for everything unpacked from one file on disk. Bytes in, entries out,
 * no file system access. */
#ifndef CG_SCAN_ARCHIVE_H
#define CG_SCAN_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct scan_archive_limits {
	uint64_t bytes_max;  /* decompressed bytes, all entries and levels */
	unsigned ratio_max;  /* decompressed bytes / bytes of the file on disk */
	uint64_t ratio_from; /* the ratio is only checked past this many bytes out */
	size_t entries_max;  /* entries, all levels */
	size_t entry_max;    /* bytes of one entry handed over (the rest is not read) */
};

/* What one file on disk has used of the limits so far. */
struct scan_archive_budget {
	uint64_t in;  /* size of the file on disk (set by the caller) */
	uint64_t out; /* decompressed so far */
	size_t entries;
};

struct scan_archive_sink {
	/* A regular file inside: `name` its path in the archive, `data` its
	 * first `len` bytes; `cut` when the entry was longer than entry_max
	 * (`size` then its declared size, 0 when unknown). Borrowed during the
	 * call; a non-CG_OK return stops the walk and is returned. */
	enum cg_err (*entry)(void *ctx, const char *name, const uint8_t *data, size_t len, uint64_t size, int cut);
	/* One entry that cannot be read (encrypted, damaged); the walk goes on. */
	void (*problem)(void *ctx, const char *name, const char *msg);
	void *ctx;
};

/* 1 when `buf` starts like an archive this module reads. */
int scan_archive_sniff(const uint8_t *buf, size_t len);

/* Walk the archive in `buf`. `raw_name` names the content of a lone
 * compressed file (gzip without tar). CG_ELIMIT when a limit of `lim` was
 * reached (the entries before it were handed over), CG_EPARSE when the
 * archive is damaged; the message says which. */
enum cg_err scan_archive_walk(const uint8_t *buf, size_t len, const char *raw_name,
			      const struct scan_archive_limits *lim, struct scan_archive_budget *b,
			      const struct scan_archive_sink *sink) CG_MUST_CHECK;

#endif
