/* CISA Known Exploited Vulnerabilities catalogue (JSON feed). */
#include <jansson.h>
#include <string.h>

#include "advisory.h"
#include "cg_i18n.h"

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

enum cg_err kev_parse(const char *file, const char *buf, size_t len, kev_entry_fn fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *vulns, *v;
	size_t i;
	enum cg_err rc = CG_OK;

	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	vulns = json_object_get(root, "vulnerabilities");
	if (!json_is_array(vulns)) {
		rc = cg_err_set(CG_EPARSE, _("%s: field 'vulnerabilities': missing or not an array (not a KEV catalogue)"),
				file);
		goto out;
	}
	if (json_array_size(vulns) > ADV_MAX_RECORDS) {
		rc = cg_err_set(CG_ELIMIT, _("%s: more than %d records"), file, ADV_MAX_RECORDS);
		goto out;
	}
	json_array_foreach(vulns, i, v) {
		struct kev_entry e = {
			.cve = str(v, "cveID"),
			.vendor = str(v, "vendorProject"),
			.product = str(v, "product"),
			.name = str(v, "vulnerabilityName"),
			.added = str(v, "dateAdded"),
			.due = str(v, "dueDate"),
			.action = str(v, "requiredAction"),
			.ransomware = str(v, "knownRansomwareCampaignUse"),
		};
		if (!e.cve || strncmp(e.cve, "CVE-", 4) != 0 || strlen(e.cve) > 64) {
			rc = cg_err_set(CG_EPARSE, _("%s: record %zu: field 'cveID': missing or not a CVE id"), file, i + 1);
			break;
		}
		if (!e.added || strlen(e.added) != 10) {
			rc = cg_err_set(CG_EPARSE, _("%s: record %zu (%s): field 'dateAdded': missing or not YYYY-MM-DD"),
					file, i + 1, e.cve);
			break;
		}
		if ((rc = fn(ctx, &e)))
			break;
	}
out:
	json_decref(root);
	return rc;
}
