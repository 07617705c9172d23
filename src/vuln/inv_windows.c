/* Windows inventories from PowerShell and systeminfo:
 *   Get-CimInstance Win32_Product | Select-Object Name,Version,Vendor | Export-Csv
 *   Get-ItemProperty HKLM:\...\Uninstall\* | Select DisplayName,DisplayVersion,Publisher | Export-Csv
 *   Get-HotFix | Select-Object HotFixID,InstalledOn | Export-Csv
 *   the same piped to ConvertTo-Json
 *   systeminfo (English output: OS Name, OS Version, Hotfix(s))
 * Programs keep their vendor's version string (compared as "generic"). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
			return cg_err_set(CG_ELIMIT, "%s:%zu: a field is longer than %d bytes", file, line,
					  INV_MAX_FIELD - 1);
	if (v[COL_KB] && *v[COL_KB]) {
		if (!is_kb(v[COL_KB]))
			return cg_err_set(CG_EPARSE, "%s:%zu: field 'HotFixID': '%s' is not a KB number", file, line,
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
	size_t count = 0;
	enum cg_err rc = CG_OK;

	csv_reader_init(&r, buf, len, ',');
	for (;;) {
		if ((rc = csv_next(&r, &got))) {
			rc = cg_err_prefix(rc, "%s", file);
			break;
		}
		if (!got)
			break;
		if (r.n_fields >= 1 && csv_field(&r, 0)[0] == '#')
			continue; /* "#TYPE Selected.Microsoft..." */
		if (!have_header) {
			for (size_t i = 0; i < r.n_fields; i++) {
				cols[i] = column_of(csv_field(&r, i));
				any |= cols[i] == COL_NAME || cols[i] == COL_KB;
			}
			if (!any) {
				rc = cg_err_set(CG_EPARSE, "%s:%zu: header has neither 'Name'/'DisplayName' nor 'HotFixID'",
						file, r.line);
				break;
			}
			have_header = 1;
			continue;
		}
		const char *v[COL_N] = {0};
		for (size_t i = 0; i < r.n_fields; i++)
			if (cols[i] >= 0)
				v[cols[i]] = csv_field(&r, i);
		if ((rc = emit_row(file, r.line, v, fn, ctx, &count)))
			break;
	}
	csv_reader_free(&r);
	if (!rc && !have_header)
		rc = cg_err_set(CG_EPARSE, "%s: empty CSV", file);
	return rc;
}

enum cg_err inv_parse_winjson(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err), *arr, *o;
	size_t i, count = 0;
	enum cg_err rc = CG_OK;

	if (!root)
		return cg_err_set(CG_EPARSE, "%s:%d: column %d: %s", file, err.line, err.column, err.text);
	if (json_is_object(root)) {
		arr = json_array();
		json_array_append(arr, root);
	} else if (json_is_array(root)) {
		arr = json_incref(root);
	} else {
		json_decref(root);
		return cg_err_set(CG_EPARSE, "%s: expected an array of objects (ConvertTo-Json output)", file);
	}
	json_array_foreach(arr, i, o) {
		const char *v[COL_N] = {0};
		const char *key;
		json_t *val;
		char num[64];

		if (!json_is_object(o)) {
			rc = cg_err_set(CG_EPARSE, "%s: record %zu: not an object", file, i + 1);
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
				rc = cg_err_set(CG_EPARSE, "%s: record %zu: field '%s': expected a string", file, i + 1,
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
				return cg_err_set(CG_EPARSE, "%s:%zu: field 'OS Version': no version number", file, l.line);
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
				return cg_err_set(CG_EPARSE, "%s:%zu: hotfix '%s' is not a KB number", file, l.line, kb);
			struct inv_item it = {.kind = INV_KIND_WIN_KB, .name = kb, .version = "", .arch = "",
					      .source = "Microsoft", .source_version = "", .update = ""};
			if ((rc = inv_emit(fn, ctx, &it, &count, file)))
				return rc;
		} else if (n && *s != ' ') {
			in_hotfix = 0;
		}
	}
	if (!os_name[0] || !os_version[0])
		return cg_err_set(CG_EPARSE, "%s: no 'OS Name'/'OS Version' lines (English systeminfo output expected)",
				  file);
	struct inv_item it = {.kind = INV_KIND_WIN_OS, .name = os_name, .version = os_version, .arch = "",
			      .source = "Microsoft", .source_version = "", .update = ""};
	return inv_emit(fn, ctx, &it, &count, file);
}
