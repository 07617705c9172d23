/* bundle — reading and verifying an evidence bundle (evidence.h) without the
 * database: every member is streamed through SHA-256/MD5 and compared with
 * the manifest, the custody chain is recomputed, and the manifest is checked
 * against the hash its "exported" custody entry recorded. Anything that does
 * not match is reported by name: the file, or the custody entry.
 *
 * Refused outright (CG_EPARSE naming the member): absolute paths, "..",
 * links (symbolic and hard), devices and other non-regular members, names
 * other than manifest.json, custody.log and files/<sha256>, duplicates. */
#ifndef CG_BUNDLE_H
#define CG_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define BUNDLE_MANIFEST_MAX ((size_t)16 << 20)
#define BUNDLE_CUSTODY_MAX ((size_t)64 << 20)
#define BUNDLE_MEMBERS_MAX 100000

/* One problem found: `what` names the member or "custody entry N". */
typedef void (*bundle_problem_fn)(void *ctx, const char *what, const char *problem);

struct bundle_result {
	int64_t incident_id;
	size_t n_files, n_custody;
	size_t n_problems;
	char manifest_sha256[65];
};

/* Verify the bundle file at `path` (or, for the memory variant, `len` bytes
 * at `buf`). CG_OK when the archive could be read to the end and its
 * structure is acceptable: look at res->n_problems for the verdict. */
enum cg_err bundle_verify_file(const char *path, bundle_problem_fn fn, void *ctx,
			       struct bundle_result *res) CG_MUST_CHECK;
enum cg_err bundle_verify_memory(const void *buf, size_t len, bundle_problem_fn fn, void *ctx,
				 struct bundle_result *res) CG_MUST_CHECK;

#endif
