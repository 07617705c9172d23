/* cpe — CPE 2.3 formatted strings ("cpe:2.3:a:zimbra:zimbra:8.8.15:p40:*:..."),
 * split into their 11 attributes with the escapes of the binding kept. */
#ifndef CG_CPE_H
#define CG_CPE_H

#include <stddef.h>

#include "cg_err.h"

#define CPE_MAX_LEN 1024

enum { CPE_PART, CPE_VENDOR, CPE_PRODUCT, CPE_VERSION, CPE_UPDATE, CPE_EDITION, CPE_LANGUAGE,
       CPE_SW_EDITION, CPE_TARGET_SW, CPE_TARGET_HW, CPE_OTHER, CPE_NATTR };

struct cpe {
	char buf[CPE_MAX_LEN + 1];
	const char *attr[CPE_NATTR]; /* "*" = ANY, "-" = NA */
};

/* Parse `s` into `out` (which owns the strings). CG_EPARSE on anything that
 * is not "cpe:2.3:" followed by 11 colon-separated attributes. */
enum cg_err cpe_parse(const char *s, struct cpe *out) CG_MUST_CHECK;

/* 1 when attribute value `a` is ANY ("*") or empty. */
int cpe_any(const char *a);

#endif
