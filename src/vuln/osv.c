/* OSV records (ossf/osv-schema) → adv_record. ECOSYSTEM and SEMVER ranges
 * become intervals (introduced … fixed / last_affected); an affected entry
 * with only GIT ranges falls back to its enumerated `versions`. Ecosystems
 * map to the families the inventories know: Debian/Ubuntu → deb, Red Hat,
 * AlmaLinux, Rocky Linux, SUSE, openSUSE, Mageia, openEuler → rpm, BIG-IP →
 * bigip, Zimbra → zimbra; others keep their lower-cased name. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv_internal.h"
#include "cg_i18n.h"
#include "vercmp.h"

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *family_of(const char *eco, size_t n, char *lower, size_t cap)
{
	static const char *const rpm[] = {"Red Hat", "AlmaLinux", "Rocky Linux", "SUSE", "openSUSE", "Mageia",
					  "openEuler"};
	if ((n == 6 && strncmp(eco, "Debian", 6) == 0) || (n == 6 && strncmp(eco, "Ubuntu", 6) == 0))
		return "deb";
	for (size_t i = 0; i < sizeof rpm / sizeof rpm[0]; i++)
		if (n == strlen(rpm[i]) && strncmp(eco, rpm[i], n) == 0)
			return "rpm";
	if (n == 6 && strncmp(eco, "BIG-IP", 6) == 0)
		return "bigip";
	if (n == 6 && strncmp(eco, "Zimbra", 6) == 0)
		return "zimbra";
	if (n + 1 > cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)eco[i]);
	lower[n] = '\0';
	return lower;
}

static const char *scheme_of(const char *family, const char *type)
{
	if (!strcmp(family, "deb") || !strcmp(family, "rpm") || !strcmp(family, "bigip") || !strcmp(family, "zimbra"))
		return family;
	if (type && strcmp(type, "SEMVER") == 0)
		return "semver";
	if (!strcmp(family, "npm") || !strcmp(family, "go") || !strcmp(family, "crates.io"))
		return "semver";
	return "generic";
}

struct ctx_affected {
	const char *file, *id, *family, *release, *product, *scheme, *kb;
	struct adv_ranges *r;
};

static enum cg_err check_version(const struct ctx_affected *a, const char *field, const char *v)
{
	enum vercmp_scheme s;
	enum cg_err rc;

	if (vercmp_scheme_parse(a->scheme, &s))
		return cg_err_set(CG_EINTERNAL, "scheme %s", a->scheme);
	if ((rc = vercmp_check(s, v)))
		return cg_err_prefix(rc, _("%s: %s: package '%s': field '%s'"), a->file, a->id, a->product, field);
	return CG_OK;
}

static enum cg_err new_range(const struct ctx_affected *a, struct adv_range **out)
{
	struct adv_range *ar = adv_push(a->r);
	if (!ar)
		return cg_err_set(CG_ELIMIT, _("%s: %s: more than %d affected ranges"), a->file, a->id, ADV_MAX_RANGES);
	ar->family = a->family;
	ar->release = a->release;
	ar->product = a->product;
	ar->scheme = a->scheme;
	ar->cpe_update = "";
	ar->kb = a->kb;
	*out = ar;
	return CG_OK;
}

static enum cg_err events(const struct ctx_affected *a, json_t *evs)
{
	struct adv_range *open = NULL;
	json_t *e;
	size_t i;
	enum cg_err rc;

	if (!json_is_array(evs))
		return cg_err_set(CG_EPARSE, _("%s: %s: range without an 'events' array"), a->file, a->id);
	json_array_foreach(evs, i, e) {
		const char *intro = str(e, "introduced"), *fixed = str(e, "fixed"), *last = str(e, "last_affected");
		if (intro) {
			if (strcmp(intro, "0") != 0 && (rc = check_version(a, "introduced", intro)))
				return rc;
			if ((rc = new_range(a, &open)))
				return rc;
			open->start = strcmp(intro, "0") == 0 ? NULL : intro;
			open->start_incl = 1;
		} else if (fixed || last) {
			if ((rc = check_version(a, fixed ? "fixed" : "last_affected", fixed ? fixed : last)))
				return rc;
			if (!open)
				return cg_err_set(CG_EPARSE, _("%s: %s: package '%s': '%s' event before any 'introduced'"),
						  a->file, a->id, a->product, fixed ? "fixed" : "last_affected");
			open->end = fixed ? fixed : last;
			open->end_incl = fixed == NULL;
			open->fixed = fixed;
			open = NULL;
		}
	}
	return CG_OK;
}

/* ecosystem_specific.kb of a vendor record: the hotfixes (KB numbers) that
 * fix the package, any one of them. Joined "KB1,KB2" or NULL when absent. */
static enum cg_err kb_list(const char *file, const char *id, const char *pkg, json_t *arr, struct adv_ranges *r,
			   const char **out)
{
	char buf[1024];
	size_t n = 0, i;
	json_t *v;

	*out = NULL;
	if (!arr)
		return CG_OK;
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 64)
		return cg_err_set(CG_EPARSE, _("%s: %s: package '%s': field 'kb': expected 1 to 64 KB numbers"), file, id,
				  pkg);
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		size_t d = s ? strspn(s + (strncmp(s, "KB", 2) == 0 ? 2 : 0), "0123456789") : 0;
		if (!s || strncmp(s, "KB", 2) != 0 || d < 4 || d > 10 || s[2 + d])
			return cg_err_set(CG_EPARSE, _("%s: %s: package '%s': field 'kb': '%s' is not a KB number"), file, id,
					  pkg, s ? s : "(not a string)");
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", s);
	}
	if (!(*out = adv_keep(r, strdup(buf))))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static enum cg_err affected(const char *file, const char *id, json_t *aff, struct adv_ranges *r)
{
	json_t *pkg = json_object_get(aff, "package"), *ranges, *rg, *vers, *v;
	const char *eco = str(pkg, "ecosystem"), *name = str(pkg, "name"), *colon;
	char lower[64];
	size_t i;
	int used_ranges = 0;
	enum cg_err rc;

	if (!pkg)
		return CG_OK; /* affected by purl/commit only: nothing an inventory names */
	if (!eco || !name || !*name)
		return cg_err_set(CG_EPARSE, _("%s: %s: affected package without 'ecosystem' and 'name'"), file, id);
	colon = strchr(eco, ':');
	struct ctx_affected a = {.file = file, .id = id, .product = name, .r = r};
	a.family = adv_keep(r, strdup(family_of(eco, colon ? (size_t)(colon - eco) : strlen(eco), lower,
						     sizeof lower)));
	a.release = colon ? colon + 1 : "";
	if (!a.family)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = kb_list(file, id, name, json_object_get(json_object_get(aff, "ecosystem_specific"), "kb"), r, &a.kb)))
		return rc;
	ranges = json_object_get(aff, "ranges");
	json_array_foreach(ranges, i, rg) {
		const char *type = str(rg, "type");
		if (!type)
			return cg_err_set(CG_EPARSE, _("%s: %s: range without 'type'"), file, id);
		if (strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0)
			continue;
		a.scheme = scheme_of(a.family, type);
		if ((rc = events(&a, json_object_get(rg, "events"))))
			return rc;
		used_ranges = 1;
	}
	if (used_ranges)
		return CG_OK;
	a.scheme = scheme_of(a.family, NULL);
	vers = json_object_get(aff, "versions");
	json_array_foreach(vers, i, v) {
		struct adv_range *ar = NULL;
		if (!json_is_string(v))
			return cg_err_set(CG_EPARSE, _("%s: %s: 'versions' holds a non-string"), file, id);
		if (check_version(&a, "versions", json_string_value(v)))
			continue; /* enumerated versions may be tags outside the scheme */
		if ((rc = new_range(&a, &ar)))
			return rc;
		ar->exact = json_string_value(v);
	}
	return CG_OK;
}

static enum cg_err one(const char *file, size_t idx, json_t *o, adv_record_fn fn, void *ctx)
{
	struct adv_record rec = {.source = "osv", .cvss = -1};
	struct adv_ranges r = {0};
	const char *ids[ADV_MAX_IDS];
	json_t *aliases, *al, *sev, *s, *aff, *a;
	size_t i;
	enum cg_err rc = CG_OK;

	if (!json_is_object(o))
		return cg_err_set(CG_EPARSE, _("%s: record %zu: not an object"), file, idx);
	rec.ref = str(o, "id");
	if (!rec.ref || !*rec.ref || strlen(rec.ref) > 128)
		return cg_err_set(CG_EPARSE, _("%s: record %zu: field 'id': missing or too long"), file, idx);
	rec.modified = str(o, "modified");
	if (!rec.modified)
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'modified': missing"), file, rec.ref);
	rec.published = str(o, "published");
	rec.summary = str(o, "summary") ? str(o, "summary") : str(o, "details");
	aliases = json_object_get(o, "aliases");
	if (strncmp(rec.ref, "CVE-", 4) == 0)
		ids[rec.n_ids++] = rec.ref;
	json_array_foreach(aliases, i, al) {
		if (json_is_string(al) && strncmp(json_string_value(al), "CVE-", 4) == 0 && rec.n_ids < ADV_MAX_IDS)
			ids[rec.n_ids++] = json_string_value(al);
	}
	if (!rec.n_ids)
		ids[rec.n_ids++] = rec.ref;
	rec.ids = ids;
	sev = json_object_get(o, "severity");
	json_array_foreach(sev, i, s) {
		const char *t = str(s, "type");
		if (t && strncmp(t, "CVSS_V", 6) == 0 && !rec.cvss_vector)
			rec.cvss_vector = str(s, "score");
	}
	aff = json_object_get(o, "affected");
	if (aff && !json_is_array(aff))
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'affected': not an array"), file, rec.ref);
	json_array_foreach(aff, i, a) {
		if ((rc = affected(file, rec.ref, a, &r)))
			goto out;
	}
	rec.ranges = r.v;
	rec.n_ranges = r.n;
	rc = fn(ctx, &rec);
out:
	adv_ranges_free(&r);
	return rc;
}

enum cg_err osv_parse(const char *file, const char *buf, size_t len, adv_record_fn fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *list, *o;
	size_t i;
	enum cg_err rc = CG_OK;

	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	list = json_is_array(root) ? root : json_object_get(root, "vulns");
	if (list) {
		if (!json_is_array(list)) {
			rc = cg_err_set(CG_EPARSE, _("%s: field 'vulns': not an array"), file);
		} else if (json_array_size(list) > ADV_MAX_RECORDS) {
			rc = cg_err_set(CG_ELIMIT, _("%s: more than %d records"), file, ADV_MAX_RECORDS);
		} else {
			json_array_foreach(list, i, o) {
				if ((rc = one(file, i + 1, o, fn, ctx)))
					break;
			}
		}
	} else {
		rc = one(file, 1, root, fn, ctx);
	}
	json_decref(root);
	return rc;
}
