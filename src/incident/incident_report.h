/* incident_report — the HTML rendering of a report document built by
 * incident_report_build() (see incident.h). Pure: JSON text in, a
 * self-contained HTML page out (no scripts, no external resources; every
 * value escaped). Fuzzed: the document may be any bytes. */
#ifndef CG_INCIDENT_REPORT_H
#define CG_INCIDENT_REPORT_H

#include <stddef.h>

#include "cg_buf.h"
#include "cg_err.h"

/* Largest document accepted. */
#define INCIDENT_REPORT_JSON_MAX ((size_t)16 << 20)

/* Render `len` bytes of a report document into `out` (appended). CG_EPARSE
 * when it is not JSON or lacks "fields". */
enum cg_err incident_report_html(const char *json, size_t len, struct cg_buf *out) CG_MUST_CHECK;

/* Append `s` to `out` escaped for HTML text and attribute values. */
enum cg_err incident_html_escape(struct cg_buf *out, const char *s) CG_MUST_CHECK;

#endif
