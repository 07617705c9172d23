/* Watchlist files: JSON or CSV, validated entry by entry. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "watchlist.h"

static int valid_cve(const char *s)
{
	size_t n = strlen(s), d;
	if (n < 13 || n > 32 || strncmp(s, "CVE-", 4) != 0)
		return 0;
	if (strspn(s + 4, "0123456789") != 4 || s[8] != '-')
		return 0;
	d = strspn(s + 9, "0123456789");
	return d >= 4 && 9 + d == n;
}

static int valid_date(const char *s)
{
	return strlen(s) == 10 && strspn(s, "0123456789") == 4 && s[4] == '-' && strspn(s + 5, "0123456789") == 2 &&
	       s[7] == '-' && strspn(s + 8, "0123456789") == 2;
}

static enum cg_err check(const char *file, const char *where, const struct watch_entry *e)
{
	if (!e->cve || !valid_cve(e->cve))
		return cg_err_set(CG_EPARSE, "%s: %s: field 'cve': '%s' is not a CVE id", file, where,
				  e->cve ? e->cve : "");
	if (!e->reference || !*e->reference || strlen(e->reference) > 512)
		return cg_err_set(CG_EPARSE, "%s: %s (%s): field 'reference': missing or longer than 512 bytes", file,
				  where, e->cve);
	if (!e->date || !valid_date(e->date))
		return cg_err_set(CG_EPARSE, "%s: %s (%s): field 'date': '%s' is not YYYY-MM-DD", file, where, e->cve,
				  e->date ? e->date : "");
	if (strlen(e->title) > 1024 || strlen(e->note) > 4096)
		return cg_err_set(CG_ELIMIT, "%s: %s (%s): title or note too long", file, where, e->cve);
	return CG_OK;
}

static const char *s_or(json_t *o, const char *k, const char *def)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : def;
}

static enum cg_err parse_json(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *list, *o;
	size_t i;
	enum cg_err rc = CG_OK;
	char where[32];

	if (!root)
		return cg_err_set(CG_EPARSE, "%s:%d: column %d: %s", file, err.line, err.column, err.text);
	list = json_is_array(root) ? root : json_object_get(root, "entries");
	if (!json_is_array(list)) {
		json_decref(root);
		return cg_err_set(CG_EPARSE, "%s: expected {\"entries\": [...]} or an array", file);
	}
	if (json_array_size(list) > WATCH_MAX_ENTRIES) {
		json_decref(root);
		return cg_err_set(CG_ELIMIT, "%s: more than %d entries", file, WATCH_MAX_ENTRIES);
	}
	json_array_foreach(list, i, o) {
		struct watch_entry e = {
			.cve = s_or(o, "cve", NULL),
			.title = s_or(o, "title", ""),
			.reference = s_or(o, "reference", NULL),
			.date = s_or(o, "date", NULL),
			.note = s_or(o, "note", ""),
		};
		snprintf(where, sizeof where, "entry %zu", i + 1);
		if ((rc = check(file, where, &e)) || (rc = fn(ctx, &e)))
			break;
	}
	json_decref(root);
	return rc;
}

static enum cg_err parse_csv(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx)
{
	struct csv_reader r;
	int got, col[5] = {-1, -1, -1, -1, -1}, header = 0;
	static const char *const names[5] = {"cve", "reference", "date", "title", "note"};
	enum cg_err rc = CG_OK;
	char where[32];

	csv_reader_init(&r, buf, len, 0);
	for (;;) {
		if ((rc = csv_next(&r, &got))) {
			rc = cg_err_prefix(rc, "%s", file);
			break;
		}
		if (!got)
			break;
		if (csv_field(&r, 0)[0] == '#')
			continue;
		if (!header) {
			for (size_t i = 0; i < r.n_fields; i++)
				for (int k = 0; k < 5; k++)
					if (strcasecmp(csv_field(&r, i), names[k]) == 0)
						col[k] = (int)i;
			if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
				rc = cg_err_set(CG_EPARSE, "%s:%zu: header must name cve, reference and date", file, r.line);
				break;
			}
			header = 1;
			continue;
		}
		const char *v[5];
		for (int k = 0; k < 5; k++)
			v[k] = col[k] >= 0 && (size_t)col[k] < r.n_fields ? csv_field(&r, (size_t)col[k]) : "";
		struct watch_entry e = {.cve = v[0], .reference = v[1], .date = v[2], .title = v[3], .note = v[4]};
		snprintf(where, sizeof where, "line %zu", r.line);
		if ((rc = check(file, where, &e)) || (rc = fn(ctx, &e)))
			break;
	}
	csv_reader_free(&r);
	if (!rc && !header)
		rc = cg_err_set(CG_EPARSE, "%s: empty watchlist", file);
	return rc;
}

enum cg_err watchlist_parse(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return parse_json(file, buf, len, fn, ctx);
	return parse_csv(file, buf, len, fn, ctx);
}
