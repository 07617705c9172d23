/* scan — the malware sweep: walk trees (filewalk: symbolic links not
 * followed, one file system unless asked, special files skipped and never
 * opened), read each regular file up to a size cap on one of several
 * threads, and look at its content with YARA rules (scan_rules), the intel
 * store's hash indicators (one read, only the digest types the set has), the
 * EICAR test file (scan_eicar), and inside archives (scan_archive, nested up
 * to a depth, within decompression-bomb limits).
 *
 * Everything found goes to the caller's sink as it is found: hits (one per
 * rule / indicator / EICAR match, with the path "dir/a.zip!inner/file" for
 * what is inside an archive), problems (unreadable, skipped, cut short, timed
 * out, archive limits), and, once a file on disk is finished and no thread
 * reads it any more, file_hits with its number of hits: the place where an
 * action on the file (quarantine) plugs in. Sink calls are serialised (one
 * at a time, from the worker threads); a non-CG_OK return stops the sweep. */
#ifndef CG_SCAN_H
#define CG_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "ioc_set.h"
#include "scan_archive.h"
#include "scan_hash.h"
#include "scan_rules.h"

#define SCAN_THREADS_MAX 256
/* Defaults the CLI and the agent start from (scan_opts_default). */
#define SCAN_MAX_SIZE_DEFAULT (64ull << 20)
#define SCAN_TIMEOUT_DEFAULT 30u
#define SCAN_ARCHIVE_DEPTH_DEFAULT 3u
/* Longest path reported (inner paths of nested archives get long). */
#define SCAN_PATH_MAX 4096

struct scan_opts {
	const struct scan_rules *rules; /* borrowed; NULL: no YARA */
	const struct ioc_set *hashes;   /* borrowed; NULL: no hash check */
	unsigned threads;               /* 0: one per CPU */
	uint64_t max_size;  /* bytes read of a file (or archive entry); beyond, the
			     * head is scanned by YARA, not hashed, and reported as cut */
	unsigned timeout_s; /* YARA time for one file on disk, archive content included; 0: none */
	int cross_fs;       /* enter other file systems below the paths */
	unsigned archive_depth; /* archives inside archives opened down to this depth; 0: none */
	struct scan_archive_limits archive;
};

/* Fill `o` with the defaults (no rules, no hashes). */
void scan_opts_default(struct scan_opts *o);

enum scan_hit_kind { SCAN_HIT_YARA = 0, SCAN_HIT_HASH, SCAN_HIT_EICAR };

struct scan_hit {
	enum scan_hit_kind kind;
	const char *path;    /* what matched: the file, or "file!inner/name" */
	const char *file;    /* the file on disk */
	uint64_t size;       /* bytes of what matched */
	/* YARA: the rule, its tags and description meta ("" when none); EICAR:
	 * SCAN_EICAR_NAME and "". */
	const char *rule, *tags, *description;
	/* Hash: the indicator matched and the digest type it matched on. */
	const struct ioc_entry *indicator;
	enum scan_hash_type hash_type;
	/* The digests computed of what matched ("" for those not computed). */
	const char (*hashes)[SCAN_HASH_HEX_MAX];
};

enum scan_problem_kind {
	SCAN_PROBLEM_UNREADABLE = 0, /* cannot be opened or read */
	SCAN_PROBLEM_SKIPPED,        /* a special file, another file system, too deep */
	SCAN_PROBLEM_CUT,            /* larger than max_size: only the head was scanned */
	SCAN_PROBLEM_TIMEOUT,        /* YARA gave up on it (timeout_s) */
	SCAN_PROBLEM_ARCHIVE,        /* an archive limit was reached, or it is damaged */
	SCAN_PROBLEM_COUNT
};

struct scan_problem {
	enum scan_problem_kind kind;
	const char *path; /* as in scan_hit */
	const char *msg;  /* translated, without the path */
};

struct scan_stats {
	uint64_t files, bytes;     /* files on disk read, bytes read of them */
	uint64_t entries;          /* files inside archives scanned */
	uint64_t hits, files_hit;  /* hits, files on disk with at least one */
	uint64_t problems[SCAN_PROBLEM_COUNT];
	uint64_t links;            /* symbolic links not followed */
	uint64_t total_files, total_bytes; /* what the walk found to read */
};

struct scan_sink {
	enum cg_err (*hit)(void *ctx, const struct scan_hit *h);
	void (*problem)(void *ctx, const struct scan_problem *p);
	/* After the last hit of file `path` (on disk), when it had `hits`
	 * (> 0); no thread has it open. May be NULL. */
	enum cg_err (*file_hits)(void *ctx, const char *path, uint64_t hits);
	/* Bytes and files done so far of the totals. May be NULL. */
	void (*progress)(void *ctx, uint64_t bytes, uint64_t total_bytes, uint64_t files, uint64_t total_files);
	void *ctx;
};

/* Sweep `paths` (files or directories). Unreadable files are problems, not
 * failures: the result is CG_OK unless memory ran out, a thread could not
 * start, a digest failed, or the sink stopped the sweep. `stats` may be NULL. */
enum cg_err scan_paths(const struct scan_opts *o, const char *const *paths, size_t n, const struct scan_sink *sink,
		       struct scan_stats *stats) CG_MUST_CHECK;

/* The digest types `set` has indicators of (SCAN_HASH_BIT()s). */
unsigned scan_hash_types_of(const struct ioc_set *set);

const char *scan_problem_kind_name(enum scan_problem_kind k); /* "unreadable", "skipped", ... */
const char *scan_hit_kind_name(enum scan_hit_kind k);         /* "yara", "hash", "eicar" */

#endif
