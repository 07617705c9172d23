/* store_quarantine — the database's record of quarantined items (table
 * quarantine_item), beside the store's own metadata files: so the centre
 * can ask which files were taken where, by hash, across stores. */
#ifndef CG_STORE_QUARANTINE_H
#define CG_STORE_QUARANTINE_H

#include <stdint.h>

#include "cg_db.h"
#include "cg_err.h"
#include "quarantine.h"

/* Record item `it` of the store in directory `store` (an existing id is
 * replaced). */
enum cg_err store_quarantine_add(struct cg_db *db, const char *store, const struct quarantine_item *it) CG_MUST_CHECK;
/* Mark item `id` "restored" or "purged" at `now`; an id the database does
 * not know is not an error (the store may predate the database). */
enum cg_err store_quarantine_mark(struct cg_db *db, const char *id, const char *state, int64_t now) CG_MUST_CHECK;

#endif
