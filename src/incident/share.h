/* share — an incident's indicators and sightings for the response team:
 * export as a STIX 2.1 bundle (indicator + sighting objects, an identity for
 * the reporting unit) or as a MISP event (JSON, importable by MISP), and
 * import either back into an incident with the intel module's readers
 * (feed.h), so a round trip gives the same indicators. */
#ifndef CG_SHARE_H
#define CG_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "db.h"
#include "ioc.h"

/* A new JSON text the caller frees. `producer` names the reporting unit
 * (identity / MISP Orgc), may be NULL. */
enum cg_err share_export_stix(struct cg_db *db, int64_t id, const char *producer, int64_t now,
			      char **out) CG_MUST_CHECK;
enum cg_err share_export_misp(struct cg_db *db, int64_t id, const char *producer, int64_t now,
			      char **out) CG_MUST_CHECK;

/* The STIX 2.1 pattern of one indicator ("[ipv4-addr:value = '192.0.2.1']"). */
enum cg_err share_stix_pattern(const struct ioc *ioc, char *buf, size_t n) CG_MUST_CHECK;

/* A random (version 4) UUID as text (37 bytes). */
enum cg_err share_uuid4(char out[37]) CG_MUST_CHECK;

struct share_import_stats {
	size_t indicators, bad, skipped;
};
/* Parse `buf` (`file` in messages; STIX or MISP detected) and link every
 * indicator to incident `id` in one transaction. */
enum cg_err share_import(struct cg_db *db, int64_t id, const char *file, const char *buf, size_t len, int64_t now,
			 struct share_import_stats *st) CG_MUST_CHECK;

#endif
