/* Windows inventories from PowerShell and systeminfo:
 *   Get-CimInstance Win32_Product | Select-Object Name,Version,Vendor | Export-Csv
 *   Get-ItemProperty HKLM:\...\Uninstall\* | Select DisplayName,DisplayVersion,Publisher | Export-Csv
 *   Get-HotFix | Select-Object HotFixID,InstalledOn | Export-Csv
 *   the same piped to ConvertTo-Json
 *   systeminfo (English output: OS Name, OS Version, Hotfix(s)); it has no
 *     build revision (UBR), so its OS item is "10.0.17763"
 *   the OS product and full build as JSON (inv_parse_winos)
 * Programs keep their vendor's version string (compared as "generic"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "csv.h"
#include "inv_internal.h"

enum { COL_NAME, COL_VERSION, COL_VENDOR, COL_KB, COL_N };

static int column_of(const char *h)
{
	if (!strcasecmp(h, "Name") || !strcasecmp(h, "DisplayName"))
		return COL_NAME;
	if (!strcasecmp(h, "Version") || !strcasecmp(h, "DisplayVersion"))
		return COL_VERSION;
	if (!strcasecmp(h, "Vendor") || !strcasecmp(h, "Publisher"))
		return COL_VENDOR;
	if (!strcasecmp(h, "HotFixID"))
		return COL_KB;
	return -1;
}

static int is_kb(const char *s)
{
	if (strncasecmp(s, "KB", 2) != 0 || !s[2])
		return 0;
	return strspn(s + 2, "0123456789") == strlen(s + 2);
}

/* One program or hotfix from its column values (NULL = absent). */
static enum cg_err emit_row(const char *file, size_t line, const char *v[COL_N], inv_item_fn fn, void *ctx,
			    size_t *count)
{
	struct inv_item it = {.arch = "", .source_version = "", .update = ""};

	for (int i = 0; i < COL_N; i++)
		if (v[i] && strlen(v[i]) >= INV_MAX_FIELD)
			return cg_err_set(CG_ELIMIT, _("%s:%zu: a field is longer than %d bytes"), file, line,
					  INV_MAX_FIELD - 1);
	if (v[COL_KB] && *v[COL_KB]) {
		if (!is_kb(v[COL_KB]))
			return cg_err_set(CG_EPARSE, _("%s:%zu: field 'HotFixID': '%s' is not a KB number"), file, line,
					  v[COL_KB]);
		it.kind = INV_KIND_WIN_KB;
		it.name = v[COL_KB];
		it.version = "";
		it.source = "Microsoft";
		return inv_emit(fn, ctx, &it, count, file);
	}
	if (!v[COL_NAME] || !*v[COL_NAME])
		return CG_OK; /* uninstall keys without a display name are not programs */
	it.kind = INV_KIND_WIN_PROGRAM;
	it.name = v[COL_NAME];
	it.version = v[COL_VERSION] ? v[COL_VERSION] : "";
	it.source = v[COL_VENDOR] ? v[COL_VENDOR] : "";
	return inv_emit(fn, ctx, &it, count, file);
}

enum cg_err inv_parse_wincsv(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct csv_reader r;
	int cols[CSV_FIELDS_MAX], got, have_header = 0, any = 0;
	size_t count = 0, n_cols = 0;
	enum cg_err rc = CG_OK;

	csv_reader_init(&r, buf, len, ',');
	for (;;) {
		if ((rc = csv_next_data(&r, file, &got)) || !got)
			break;
		if (!have_header) {
			for (size_t i = 0; i < r.n_fields; i++) {
				cols[i] = column_of(csv_field(&r, i));
				any |= cols[i] == COL_NAME || cols[i] == COL_KB;
			}
			n_cols = r.n_fields;
			if (!any) {
				rc = cg_err_set(CG_EPARSE, _("%s:%zu: header has neither 'Name'/'DisplayName' nor 'HotFixID'"),
						file, r.line);
				break;
			}
			have_header = 1;
			continue;
		}
		const char *v[COL_N] = {0};
		/* a row with more fields than the header: the extra ones name no column */
		for (size_t i = 0; i < r.n_fields && i < n_cols; i++)
			if (cols[i] >= 0)
				v[cols[i]] = csv_field(&r, i);
		if ((rc = emit_row(file, r.line, v, fn, ctx, &count)))
			break;
	}
	csv_reader_free(&r);
	if (!rc && !have_header)
		rc = cg_err_set(CG_EPARSE, _("%s: empty CSV"), file);
	return rc;
}

enum cg_err inv_parse_winjson(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err), *arr, *o;
	size_t i, count = 0;
	enum cg_err rc = CG_OK;

	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	if (json_is_object(root)) {
		arr = json_array();
		json_array_append(arr, root);
	} else if (json_is_array(root)) {
		arr = json_incref(root);
	} else {
		json_decref(root);
		return cg_err_set(CG_EPARSE, _("%s: expected an array of objects (ConvertTo-Json output)"), file);
	}
	json_array_foreach(arr, i, o) {
		const char *v[COL_N] = {0};
		const char *key;
		json_t *val;
		char num[64];

		if (!json_is_object(o)) {
			rc = cg_err_set(CG_EPARSE, _("%s: record %zu: not an object"), file, i + 1);
			break;
		}
		json_object_foreach(o, key, val) {
			int c = column_of(key);
			if (c < 0)
				continue;
			if (json_is_string(val))
				v[c] = json_string_value(val);
			else if (json_is_null(val))
				v[c] = NULL;
			else if (json_is_integer(val) && c == COL_VERSION) {
				snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
				v[c] = num;
			} else {
				rc = cg_err_set(CG_EPARSE, _("%s: record %zu: field '%s': expected a string"), file, i + 1,
						key);
				break;
			}
		}
		if (rc || (rc = emit_row(file, i + 1, v, fn, ctx, &count)))
			break;
	}
	json_decref(arr);
	json_decref(root);
	return rc;
}

/* "Microsoft Windows Server 2019 Standard" (systeminfo, OsName) and
 * "Windows Server 2019 Standard" (ProductName) are one OS: findings are kept
 * by item name, so the name must not depend on the file it came from. */
static void strip_vendor(char *name)
{
	if (strncasecmp(name, "Microsoft ", 10) == 0)
		memmove(name, name + 10, strlen(name + 10) + 1);
}

enum cg_err inv_parse_systeminfo(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	const char *s;
	size_t n, count = 0;
	char os_name[256] = "", os_version[128] = "", kb[64];
	int in_hotfix = 0;
	enum cg_err rc;

	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n)) {
		if (n > 9 && strncmp(s, "OS Name:", 8) == 0) {
			inv_copy(os_name, sizeof os_name, s + 8, n - 8 < sizeof os_name - 1 ? n - 8 : sizeof os_name - 1);
			strip_vendor(os_name);
			in_hotfix = 0;
		} else if (n > 11 && strncmp(s, "OS Version:", 11) == 0) {
			/* "10.0.17763 N/A Build 17763" → "10.0.17763" */
			const char *v = s + 11, *e = s + n;
			while (v < e && *v == ' ')
				v++;
			size_t k = strspn(v, "0123456789.");
			if (k > (size_t)(e - v))
				k = (size_t)(e - v);
			if (k == 0 || inv_copy(os_version, sizeof os_version, v, k) < 0)
				return cg_err_set(CG_EPARSE, _("%s:%zu: field 'OS Version': no version number"), file, l.line);
			in_hotfix = 0;
		} else if (n > 10 && strncmp(s, "Hotfix(s):", 10) == 0) {
			in_hotfix = 1;
		} else if (in_hotfix && n && (*s == ' ' || *s == '\t')) {
			const char *b = memchr(s, '[', n), *c = memchr(s, ':', n);
			if (!b || !c || c < b)
				continue;
			c++;
			if (inv_copy(kb, sizeof kb, c, n - (size_t)(c - s)) <= 0)
				continue;
			if (!is_kb(kb))
				return cg_err_set(CG_EPARSE, _("%s:%zu: hotfix '%s' is not a KB number"), file, l.line, kb);
			struct inv_item it = {.kind = INV_KIND_WIN_KB, .name = kb, .version = "", .arch = "",
					      .source = "Microsoft", .source_version = "", .update = ""};
			if ((rc = inv_emit(fn, ctx, &it, &count, file)))
				return rc;
		} else if (n && *s != ' ') {
			in_hotfix = 0;
		}
	}
	if (!os_name[0] || !os_version[0])
		return cg_err_set(CG_EPARSE, _("%s: no 'OS Name'/'OS Version' lines (English systeminfo output expected)"),
				  file);
	struct inv_item it = {.kind = INV_KIND_WIN_OS, .name = os_name, .version = os_version, .arch = "",
			      .source = "Microsoft", .source_version = "", .update = ""};
	return inv_emit(fn, ctx, &it, &count, file);
}

/* ------------------------------------------------------------ windows-os */

/* First key of `keys` present in `o` as a string or an integer, formatted
 * into buf; NULL when none. Other types are an error (*bad gets the key). */
static const char *field_of(json_t *o, const char *const *keys, char *buf, size_t n, const char **bad)
{
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(o, *k);
		if (!v || json_is_null(v))
			continue;
		if (json_is_string(v))
			snprintf(buf, n, "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		else {
			*bad = *k;
			return NULL;
		}
		return buf;
	}
	return NULL;
}

static int all_digits(const char *s, size_t max)
{
	size_t k = strspn(s, "0123456789");
	return k > 0 && k <= max && s[k] == '\0';
}

enum cg_err inv_parse_winos(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	static const char *const k_name[] = {"ProductName", "WindowsProductName", "OsName", NULL};
	static const char *const k_build[] = {"CurrentBuild", "CurrentBuildNumber", "OsBuildNumber", NULL};
	static const char *const k_ubr[] = {"UBR", "WindowsUBR", NULL};
	static const char *const k_release[] = {"DisplayVersion", "OSDisplayVersion", "ReleaseId", "WindowsVersion", NULL};
	static const char *const k_type[] = {"InstallationType", "WindowsInstallationType", NULL};
	static const char *const k_major[] = {"CurrentMajorVersionNumber", NULL};
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err), *o;
	char name[256], build[32], ubr[32], release[64], type[64], major[16], version[96];
	const char *bad = NULL, *nm, *bd, *ub, *rel, *ty;
	size_t count = 0;
	enum cg_err rc;

	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	o = root;
	if (json_is_array(root) && json_array_size(root) == 1)
		o = json_array_get(root, 0);
	if (!json_is_object(o)) {
		json_decref(root);
		return cg_err_set(CG_EPARSE, _("%s: expected one object (Get-ItemProperty ... | ConvertTo-Json)"), file);
	}
	nm = field_of(o, k_name, name, sizeof name, &bad);
	bd = field_of(o, k_build, build, sizeof build, &bad);
	ub = field_of(o, k_ubr, ubr, sizeof ubr, &bad);
	rel = field_of(o, k_release, release, sizeof release, &bad);
	ty = field_of(o, k_type, type, sizeof type, &bad);
	if (!field_of(o, k_major, major, sizeof major, &bad))
		major[0] = '\0';
	json_decref(root);
	if (bad)
		return cg_err_set(CG_EPARSE, _("%s: field '%s': expected a string or a number"), file, bad);
	if (!nm || !*nm)
		return cg_err_set(CG_EPARSE, _("%s: field 'ProductName' (or 'WindowsProductName'/'OsName'): missing"), file);
	if (!bd || !all_digits(bd, 6))
		return cg_err_set(CG_EPARSE, _("%s: field 'CurrentBuild' (or 'OsBuildNumber'): '%s' is not a build number"),
				  file, bd ? bd : "");
	if (ub && !all_digits(ub, 6))
		return cg_err_set(CG_EPARSE, _("%s: field 'UBR': '%s' is not a revision number"), file, ub);
	/* The registry's CurrentVersion says "6.3" even on Windows 10; the build decides. */
	unsigned long b = strtoul(bd, NULL, 10);
	const char *mm = b >= 10240 ? "10.0" : b >= 9600 ? "6.3" : b >= 9200 ? "6.2" : b >= 7600 ? "6.1" : "6.0";
	if (major[0] && strcmp(major, "10") == 0)
		mm = "10.0";
	if (ub)
		snprintf(version, sizeof version, "%s.%s.%s", mm, bd, ub);
	else
		snprintf(version, sizeof version, "%s.%s", mm, bd);
	strip_vendor(name);
	if (ty && strcasestr(ty, "server") && !strcasestr(name, "server")) {
		size_t l = strlen(name);
		snprintf(name + l, sizeof name - l, " (Server)");
	}
	struct inv_item it = {.kind = INV_KIND_WIN_OS, .name = name, .version = version, .arch = "",
			      .source = "Microsoft", .source_version = "", .update = rel ? rel : ""};
	if ((rc = inv_emit(fn, ctx, &it, &count, file)))
		return rc;
	return CG_OK;
}
