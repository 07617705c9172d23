/* evidence — forensic evidence of an incident: a content-addressed copy of
 * each file (streamed, never whole in memory) with SHA-256 and MD5, where it
 * came from and who collected it, every action on the hash-chained custody
 * log (custody.h), and the export of a bundle that bundle.h verifies on
 * another machine without the database.
 *
 * The store is a directory: STORE/ab/abcdef... (SHA-256 in hex). */
#ifndef CG_EVIDENCE_H
#define CG_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "db.h"

struct evidence_add_opts {
	int64_t incident_id;
	const char *store_dir;   /* created if missing */
	const char *note;        /* may be NULL */
	const char *collector;   /* who collected it */
	const char *source_host; /* where it came from */
	int64_t now;
	/* The file's name and path where it was collected, as text, when `path`
	 * is only a local copy (an agent's upload); NULL: taken from `path`. */
	const char *name;
	const char *source_path;
};

struct evidence_added {
	int64_t id;
	char sha256[65], md5[33];
	uint64_t size;
	int already_stored; /* same content was in the store before */
};

/* Copy `path` (a regular file; symbolic links are refused) into the store
 * while hashing it, then record the item and the custody entries
 * "collected" and "copied" in one transaction. */
enum cg_err evidence_add(struct cg_db *db, const struct evidence_add_opts *o, const char *path,
			 struct evidence_added *out) CG_MUST_CHECK;

/* Write the bundle of incident `id` to `out_path` (tar: manifest.json,
 * custody.log, files/SHA256): every stored file is re-hashed on the way
 * (a store that changed is an error naming the file), and the custody entry
 * "exported" (with the manifest's SHA-256) is appended. */
enum cg_err evidence_export(struct cg_db *db, int64_t id, const char *store_dir, const char *out_path,
			    const char *actor, int64_t now, size_t *n_files) CG_MUST_CHECK;

/* Append "verified" for a bundle of incident `id` that verified clean. */
enum cg_err evidence_record_verified(struct cg_db *db, int64_t id, const char *bundle, const char *actor,
				     int64_t now) CG_MUST_CHECK;

/* Hash a stream: SHA-256 and MD5 at once. */
struct evidence_hasher;
struct evidence_hasher *evidence_hasher_new(void); /* NULL when out of memory */
void evidence_hasher_update(struct evidence_hasher *h, const void *p, size_t n);
/* Finish into hex strings; the hasher can be reused afterwards. */
enum cg_err evidence_hasher_final(struct evidence_hasher *h, char sha256[65], char md5[33]) CG_MUST_CHECK;
void evidence_hasher_free(struct evidence_hasher *h); /* NULL is a no-op */

#endif
