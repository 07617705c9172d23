/* store_intel — threat-intel sources, imports and indicators in storage.
 * (Owned by the intel module; only the functions below are promised to other
 * modules. The intel owner extends this header with import/list/diff/remove.) */
#ifndef CG_STORE_INTEL_H
#define CG_STORE_INTEL_H

#include <stddef.h>

#include "cg_err.h"
#include "db.h"
#include "ioc.h"

/* Called once per (indicator, source) in the current lists of the selected
 * sources; `family` may be NULL. Borrowed arguments, valid during the call. */
typedef enum cg_err (*store_intel_fn)(void *ctx, const struct ioc *ioc, const char *source, const char *family);

/* Walk the current indicators of the named sources (all sources when
 * n_sources is 0). An unknown source name is CG_ENOTFOUND naming it. */
enum cg_err store_intel_foreach(struct cg_db *db, const char *const *sources, size_t n_sources, store_intel_fn fn,
				void *ctx) CG_MUST_CHECK;

#endif
