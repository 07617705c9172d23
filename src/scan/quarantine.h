/* quarantine — a store of files taken out of reach after a sweep hit.
 *
 * The store is one directory (0700). Each item is two files named by its id
 * (32 hex digits): ID.bin, the content defanged (a magic line, then the
 * bytes XORed with a 32-byte key of the item, so no engine, file manager or
 * double-click sees the original), and ID.json, the metadata (original path,
 * owner, mode, times, size, SHA-256/SHA-1/MD5 of the original, the hits that
 * sent it there, who and when, the key). Both are 0400.
 *
 * Moving in is careful: the file is opened through its parent directory
 * without following links, must be the inode the path named (checked again
 * right before it is unlinked), must be a regular file with one link
 * (unless forced) and within the size cap; it is copied (never renamed, so
 * another file system is no special case), synced, read back and its
 * SHA-256 checked before the original is unlinked.
 *
 * Restoring writes to a temporary file in the target directory, checks the
 * SHA-256, sets owner (when allowed), mode and times, and renames it into
 * place, never over an existing file unless forced.
 *
 * The database's copy of the metadata is store_quarantine's job (callers
 * that have a database open record each item there too). */
#ifndef CG_QUARANTINE_H
#define CG_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cg_err.h"

#define QUARANTINE_ID_LEN 32
#define QUARANTINE_MAX_SIZE_DEFAULT (256ull << 20)
#define QUARANTINE_HITS_MAX 64     /* hits recorded per item */
#define QUARANTINE_META_MAX (256u << 10) /* bytes of one metadata file */
#define QUARANTINE_ITEMS_MAX 1000000

struct quarantine;

/* One reason a file was quarantined: kind ("yara", "hash", "eicar") and the
 * rule or indicator. */
struct quarantine_hit {
	const char *kind, *name;
};

struct quarantine_item {
	char id[QUARANTINE_ID_LEN + 1];
	char *path;  /* where it was (absolute) */
	char *who;   /* user that quarantined it */
	uid_t uid;
	gid_t gid;
	unsigned mode; /* permission bits (07777) */
	uint64_t size;
	int64_t mtime_s, mtime_ns, atime_s, atime_ns;
	int64_t when; /* seconds since the epoch */
	char sha256[65], sha1[41], md5[33];
	char key[65]; /* hex */
	size_t n_hits;
	struct quarantine_hit *hits; /* strings owned by the item */
};

struct quarantine_add_opts {
	uint64_t max_size; /* 0: QUARANTINE_MAX_SIZE_DEFAULT */
	int force;         /* also files with several hard links */
	const char *who;   /* NULL: the user name of the process */
	int64_t now;       /* seconds since the epoch */
	/* For tests: called after the copy is verified, before the original
	 * is checked once more and unlinked. */
	void (*before_unlink)(void *ctx);
	void *hook_ctx;
};

/* Open (creating it 0700 if missing) the store in `dir`. A directory that
 * others may write to or read is refused. */
enum cg_err quarantine_open(const char *dir, struct quarantine **out) CG_MUST_CHECK;
void quarantine_free(struct quarantine *q);
const char *quarantine_dir(const struct quarantine *q);

/* Move `path` into the store; on success the original is gone and `id`
 * (room QUARANTINE_ID_LEN + 1) names the item. On any failure the original
 * is left in place and nothing is left in the store. */
enum cg_err quarantine_add(struct quarantine *q, const char *path, const struct quarantine_hit *hits, size_t n_hits,
			   const struct quarantine_add_opts *o, char *id) CG_MUST_CHECK;

/* All items, oldest first (then by id); `*out` is an array of `*n` items
 * the caller frees with quarantine_items_free. A metadata file that does
 * not parse is an error naming it. */
enum cg_err quarantine_list(struct quarantine *q, struct quarantine_item **out, size_t *n) CG_MUST_CHECK;
void quarantine_items_free(struct quarantine_item *items, size_t n);

/* The item `id` (CG_ENOTFOUND when none); free with quarantine_item_free. */
enum cg_err quarantine_get(struct quarantine *q, const char *id, struct quarantine_item **out) CG_MUST_CHECK;
void quarantine_item_free(struct quarantine_item *it);

/* Put item `id` back at `to` (NULL: its original path). An existing file
 * there is CG_EEXIST unless `force`. The item stays in the store when
 * `keep`, else it is removed once the file is in place. */
enum cg_err quarantine_restore(struct quarantine *q, const char *id, const char *to, int force, int keep) CG_MUST_CHECK;

/* Delete item `id` from the store. */
enum cg_err quarantine_purge(struct quarantine *q, const char *id) CG_MUST_CHECK;

/* Parse one metadata file's bytes (named `name` in errors) into `it`
 * (zeroed first; free its members with quarantine_item_clear). */
enum cg_err quarantine_meta_parse(const char *name, const char *buf, size_t len, struct quarantine_item *it) CG_MUST_CHECK;
void quarantine_item_clear(struct quarantine_item *it);

#endif
