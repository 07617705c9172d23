/* FIRST EPSS scores: "#model_version:...,score_date:..." then
 * "cve,epss,percentile" and one row per CVE. */
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "cg_i18n.h"
#include "csv.h"

static int number(const char *s, double *out)
{
	char *end;
	if (!*s)
		return -1;
	*out = strtod(s, &end);
	return *end || *out < 0 || *out > 1 ? -1 : 0;
}

enum cg_err epss_parse(const char *file, const char *buf, size_t len, epss_entry_fn fn, void *ctx)
{
	struct csv_reader r;
	int got, header = 0;
	enum cg_err rc = CG_OK;

	csv_reader_init(&r, buf, len, ',');
	for (;;) {
		if ((rc = csv_next_data(&r, file, &got)) || !got)
			break;
		const char *f0 = csv_field(&r, 0);
		if (!header) {
			if (strcmp(f0, "cve") != 0 || r.n_fields < 2 || strcmp(csv_field(&r, 1), "epss") != 0) {
				rc = cg_err_set(CG_EPARSE, _("%s:%zu: expected the header 'cve,epss,percentile'"), file, r.line);
				break;
			}
			header = 1;
			continue;
		}
		struct epss_entry e = {.cve = f0, .percentile = -1};
		if (strncmp(f0, "CVE-", 4) != 0 || r.n_fields < 2 || number(csv_field(&r, 1), &e.score) ||
		    (r.n_fields > 2 && number(csv_field(&r, 2), &e.percentile))) {
			rc = cg_err_set(CG_EPARSE, _("%s:%zu: expected 'CVE-id,score,percentile' with scores in 0..1"), file,
					r.line);
			break;
		}
		if ((rc = fn(ctx, &e)))
			break;
	}
	csv_reader_free(&r);
	if (!rc && !header)
		rc = cg_err_set(CG_EPARSE, _("%s: no 'cve,epss,percentile' header"), file);
	return rc;
}
