/* NVD CVE API 2.0 records → adv_record. Every cpeMatch with vulnerable=true
 * becomes a range; platform conditions of AND configurations (the
 * non-vulnerable "running on" nodes) are not required, which errs on the
 * side of reporting. Negated nodes are skipped. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv_internal.h"
#include "cg_i18n.h"
#include "cpe.h"
#include "vercmp.h"

const char *adv_cpe_scheme(const char *vendor, const char *product)
{
	if (strcmp(vendor, "f5") == 0 && strncmp(product, "big-ip", 6) == 0)
		return "bigip";
	if (strcmp(vendor, "zimbra") == 0 || strstr(product, "zimbra"))
		return "zimbra";
	return "generic";
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* CVSS: v3.1, then v3.0, then v4.0, then v2; the "Primary" one first. */
static void cvss_of(json_t *cve, struct adv_record *rec)
{
	static const char *const keys[] = {"cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2"};
	json_t *metrics = json_object_get(cve, "metrics");

	rec->cvss = -1;
	for (size_t k = 0; k < 4 && rec->cvss < 0; k++) {
		json_t *arr = json_object_get(metrics, keys[k]), *m, *best = NULL;
		size_t i;
		json_array_foreach(arr, i, m) {
			if (!best || (str(m, "type") && strcmp(str(m, "type"), "Primary") == 0))
				best = m;
		}
		if (!best)
			continue;
		json_t *data = json_object_get(best, "cvssData");
		json_t *score = json_object_get(data, "baseScore");
		if (json_is_number(score)) {
			rec->cvss = json_number_value(score);
			rec->cvss_vector = str(data, "vectorString");
			rec->severity = str(data, "baseSeverity") ? str(data, "baseSeverity") : str(best, "baseSeverity");
		}
	}
}

static enum cg_err add_match(const char *file, const char *id, json_t *m, struct adv_ranges *r)
{
	const char *crit = str(m, "criteria");
	struct cpe c;
	struct adv_range *ar;
	char prod[600];
	enum cg_err rc;

	if (!json_is_true(json_object_get(m, "vulnerable")))
		return CG_OK;
	if (!crit)
		return cg_err_set(CG_EPARSE, _("%s: %s: cpeMatch without 'criteria'"), file, id);
	if ((rc = cpe_parse(crit, &c)))
		return cg_err_prefix(rc, _("%s: %s: field 'criteria'"), file, id);
	if (!(ar = adv_push(r)))
		return cg_err_set(CG_ELIMIT, _("%s: %s: more than %d affected ranges"), file, id, ADV_MAX_RANGES);
	snprintf(prod, sizeof prod, "%s:%s", c.attr[CPE_VENDOR], c.attr[CPE_PRODUCT]);
	const char *scheme = adv_cpe_scheme(c.attr[CPE_VENDOR], c.attr[CPE_PRODUCT]);
	ar->family = "cpe";
	ar->release = "";
	ar->product = adv_keep(r, strdup(prod));
	ar->scheme = scheme;
	ar->cpe_update = "";
	if (!ar->product)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	const char *ver = c.attr[CPE_VERSION], *upd = c.attr[CPE_UPDATE];
	int has_update = !cpe_any(upd) && strcmp(upd, "-") != 0;
	/* Windows releases put their edition in the version: windows_server_2012
	 * "-" is 2012, "r2" is 2012 R2. Keep "-" so the two stay apart. */
	if (strcmp(ver, "-") == 0 && strcmp(c.attr[CPE_PART], "o") == 0 && strcmp(c.attr[CPE_VENDOR], "microsoft") == 0 &&
	    strncmp(c.attr[CPE_PRODUCT], "windows", 7) == 0)
		ar->exact = "-";
	if (!cpe_any(ver) && strcmp(ver, "-") != 0) {
		char buf[300];
		/* Zimbra patch levels live in the update field: 8.8.15 + p40. */
		if (strcmp(scheme, "zimbra") == 0 && has_update)
			snprintf(buf, sizeof buf, "%s_%s", ver, upd);
		else
			snprintf(buf, sizeof buf, "%s", ver);
		if (vercmp_check(VERCMP_GENERIC, buf))
			return cg_err_prefix(CG_EPARSE, _("%s: %s: criteria '%s'"), file, id, crit);
		ar->exact = adv_keep(r, strdup(buf));
		if (!ar->exact)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		if (has_update && strcmp(scheme, "zimbra") != 0)
			ar->cpe_update = adv_keep(r, strdup(upd));
	}
	const char *si = str(m, "versionStartIncluding"), *se = str(m, "versionStartExcluding");
	const char *ei = str(m, "versionEndIncluding"), *ee = str(m, "versionEndExcluding");
	ar->start = si ? si : se;
	ar->start_incl = si != NULL;
	ar->end = ei ? ei : ee;
	ar->end_incl = ei != NULL;
	ar->fixed = ee;
	for (const char *v = ar->start; v; v = v == ar->start ? ar->end : NULL)
		if ((rc = vercmp_check(VERCMP_GENERIC, v)))
			return cg_err_prefix(rc, _("%s: %s: cpeMatch of '%s'"), file, id, crit);
	if (ar->end && !ar->start && !ar->exact && !ar->end[0])
		return cg_err_set(CG_EPARSE, _("%s: %s: empty version bound"), file, id);
	return CG_OK;
}

static enum cg_err one_cve(const char *file, size_t idx, json_t *cve, adv_record_fn fn, void *ctx)
{
	struct adv_record rec = {.source = "nvd"};
	struct adv_ranges r = {0};
	const char *id = str(cve, "id");
	json_t *cfg, *node, *m, *descs, *d;
	size_t i, j, k;
	enum cg_err rc = CG_OK;

	if (!json_is_object(cve))
		return cg_err_set(CG_EPARSE, _("%s: record %zu: 'cve' is not an object"), file, idx);
	if (!id || strncmp(id, "CVE-", 4) != 0 || strlen(id) > 64)
		return cg_err_set(CG_EPARSE, _("%s: record %zu: field 'id': missing or not a CVE id"), file, idx);
	rec.ref = id;
	rec.ids = &rec.ref;
	rec.n_ids = 1;
	rec.cna = str(cve, "sourceIdentifier");
	rec.modified = str(cve, "lastModified");
	rec.published = str(cve, "published");
	descs = json_object_get(cve, "descriptions");
	json_array_foreach(descs, i, d) {
		if (str(d, "lang") && strcmp(str(d, "lang"), "en") == 0) {
			rec.summary = str(d, "value");
			break;
		}
	}
	cvss_of(cve, &rec);
	rec.kev_added = str(cve, "cisaExploitAdd");
	rec.kev_due = str(cve, "cisaActionDue");
	rec.kev_action = str(cve, "cisaRequiredAction");
	json_t *cfgs = json_object_get(cve, "configurations");
	if (cfgs && !json_is_array(cfgs))
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'configurations': not an array"), file, id);
	json_array_foreach(cfgs, i, cfg) {
		json_t *nodes = json_object_get(cfg, "nodes");
		if (!json_is_array(nodes)) {
			rc = cg_err_set(CG_EPARSE, _("%s: %s: configuration %zu: no 'nodes' array"), file, id, i + 1);
			goto out;
		}
		json_array_foreach(nodes, j, node) {
			if (json_is_true(json_object_get(node, "negate")))
				continue;
			json_t *matches = json_object_get(node, "cpeMatch");
			if (!json_is_array(matches)) {
				rc = cg_err_set(CG_EPARSE, _("%s: %s: node without a 'cpeMatch' array"), file, id);
				goto out;
			}
			json_array_foreach(matches, k, m) {
				if ((rc = add_match(file, id, m, &r)))
					goto out;
			}
		}
	}
	rec.ranges = r.v;
	rec.n_ranges = r.n;
	rc = fn(ctx, &rec);
out:
	adv_ranges_free(&r);
	return rc;
}

enum cg_err nvd_parse(const char *file, const char *buf, size_t len, adv_record_fn fn, void *ctx, long *total)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *vulns, *v;
	size_t i;
	enum cg_err rc = CG_OK;

	if (total)
		*total = -1;
	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	if (!json_is_object(root)) {
		rc = cg_err_set(CG_EPARSE, _("%s: not an NVD CVE API 2.0 object"), file);
		goto out;
	}
	vulns = json_object_get(root, "vulnerabilities");
	if (vulns) {
		if (!json_is_array(vulns)) {
			rc = cg_err_set(CG_EPARSE, _("%s: field 'vulnerabilities': not an array"), file);
			goto out;
		}
		if (total && json_is_integer(json_object_get(root, "totalResults")))
			*total = (long)json_integer_value(json_object_get(root, "totalResults"));
		if (json_array_size(vulns) > ADV_MAX_RECORDS) {
			rc = cg_err_set(CG_ELIMIT, _("%s: more than %d records"), file, ADV_MAX_RECORDS);
			goto out;
		}
		json_array_foreach(vulns, i, v) {
			if ((rc = one_cve(file, i + 1, json_object_get(v, "cve"), fn, ctx)))
				break;
		}
	} else if (json_object_get(root, "id")) {
		rc = one_cve(file, 1, root, fn, ctx);
	} else {
		rc = cg_err_set(CG_EPARSE, _("%s: neither 'vulnerabilities' nor a cve 'id'"), file);
	}
out:
	json_decref(root);
	return rc;
}
