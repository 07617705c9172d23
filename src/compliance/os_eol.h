/* os_eol — end of security support of operating systems, as data
 * (data/compliance/os-eol.yaml: each entry names its reference). */
#ifndef CG_OS_EOL_H
#define CG_OS_EOL_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct os_eol;

struct os_eol_entry {
	const char *id, *version; /* os-release ID and VERSION_ID (major) */
	const char *name;         /* inventory OS name, e.g. "Windows 10"; may be NULL */
	int64_t end;              /* end of security support, Unix time (UTC midnight) */
	const char *end_text;     /* as written, YYYY-MM-DD */
	const char *ref;
};

/* Parse a table (unknown field, bad date: CG_EPARSE "file:line: field"). */
enum cg_err os_eol_parse(const char *file, const char *buf, size_t len, struct os_eol **out) CG_MUST_CHECK;
enum cg_err os_eol_bundled(struct os_eol **out) CG_MUST_CHECK;
void os_eol_free(struct os_eol *t);

/* The entry for os-release `id`/`version_id` (VERSION_ID "9.4" matches
 * version "9"), else for inventory OS text `os_name` (case-insensitive,
 * whole name); NULL when unknown. */
const struct os_eol_entry *os_eol_find(const struct os_eol *t, const char *id, const char *version_id,
				       const char *os_name);

#endif
