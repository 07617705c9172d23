/* Watchlist files: JSON or CSV, validated entry by entry. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_time.h"
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

/* "YYYY-MM-DD" naming a real day. */
static int valid_date(const char *s)
{
	struct cg_time_ctx tc = {0, 0};
	struct cg_stamp st;
	return strlen(s) == 10 && cg_time_parse(s, 10, CG_TIME_ISO_LOOSE, &tc, &st) == 10 && st.date_only;
}

static enum cg_err check(const char *file, const char *where, const struct watch_entry *e)
{
	if (!e->cve || !valid_cve(e->cve))
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'cve': '%s' is not a CVE id"), file, where,
				  e->cve ? e->cve : "");
	if (!e->reference || !*e->reference || strlen(e->reference) > 512)
		return cg_err_set(CG_EPARSE, _("%s: %s (%s): field 'reference': missing or longer than 512 bytes"), file,
				  where, e->cve);
	if (!e->date || !valid_date(e->date))
		return cg_err_set(CG_EPARSE, _("%s: %s (%s): field 'date': '%s' is not YYYY-MM-DD"), file, where, e->cve,
				  e->date ? e->date : "");
	if (strlen(e->title) > 1024 || strlen(e->note) > 4096)
		return cg_err_set(CG_ELIMIT, _("%s: %s (%s): title or note too long"), file, where, e->cve);
	return CG_OK;
}

static const char *s_or(json_t *o, const char *k, const char *def)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : def;
}

static int valid_vendor(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

static enum cg_err rule_of(const char *file, const char *where, json_t *o, json_t *jr, watch_rule_fn rule_fn,
			   void *ctx)
{
	struct watch_rule r = {
		.vendor = s_or(jr, "vendor", NULL),
		.published_from = s_or(jr, "published_from", NULL),
		.published_to = s_or(jr, "published_to", NULL),
		.title = s_or(o, "title", ""),
		.reference = s_or(o, "reference", NULL),
		.date = s_or(o, "date", NULL),
		.note = s_or(o, "note", ""),
	};
	json_t *min = json_object_get(jr, "cvss_min");
	/* the rule's letter is checked like an entry's, under a stand-in id */
	struct watch_entry e = {.cve = "CVE-0000-0000", .title = r.title, .reference = r.reference, .date = r.date,
				.note = r.note};
	enum cg_err rc;

	if (!rule_fn)
		return cg_err_set(CG_EPARSE, _("%s: %s: rule entries are not accepted here"), file, where);
	if (!json_is_object(jr))
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'rule': expected an object"), file, where);
	if (!r.vendor || !valid_vendor(r.vendor))
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'rule.vendor': '%s' is not a lower-case CPE vendor"), file,
				  where, r.vendor ? r.vendor : "");
	if (!r.published_from || !valid_date(r.published_from) || !r.published_to || !valid_date(r.published_to) ||
	    strcmp(r.published_from, r.published_to) > 0)
		return cg_err_set(CG_EPARSE, _("%s: %s: fields 'rule.published_from'/'published_to': expected two dates "
				  "YYYY-MM-DD, the first not after the second"), file, where);
	if (!json_is_number(min) || json_number_value(min) < 0 || json_number_value(min) > 10)
		return cg_err_set(CG_EPARSE, _("%s: %s: field 'rule.cvss_min': expected a number from 0 to 10"), file, where);
	r.cvss_min = json_number_value(min);
	if ((rc = check(file, where, &e)))
		return rc;
	return rule_fn(ctx, &r);
}

static enum cg_err parse_json(const char *file, const char *buf, size_t len, watch_entry_fn fn,
			      watch_rule_fn rule_fn, void *ctx)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *list, *o;
	size_t i;
	enum cg_err rc = CG_OK;
	char where[32];

	if (!root)
		return cg_err_set(CG_EPARSE, _("%s:%d: column %d: %s"), file, err.line, err.column, err.text);
	list = json_is_array(root) ? root : json_object_get(root, "entries");
	if (!json_is_array(list)) {
		json_decref(root);
		return cg_err_set(CG_EPARSE, _("%s: expected {\"entries\": [...]} or an array"), file);
	}
	if (json_array_size(list) > WATCH_MAX_ENTRIES) {
		json_decref(root);
		return cg_err_set(CG_ELIMIT, _("%s: more than %d entries"), file, WATCH_MAX_ENTRIES);
	}
	json_array_foreach(list, i, o) {
		snprintf(where, sizeof where, _("entry %zu"), i + 1);
		if (json_object_get(o, "rule")) {
			if ((rc = rule_of(file, where, o, json_object_get(o, "rule"), rule_fn, ctx)))
				break;
			continue;
		}
		struct watch_entry e = {
			.cve = s_or(o, "cve", NULL),
			.title = s_or(o, "title", ""),
			.reference = s_or(o, "reference", NULL),
			.date = s_or(o, "date", NULL),
			.note = s_or(o, "note", ""),
		};
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
		if ((rc = csv_next_data(&r, file, &got)) || !got)
			break;
		if (!header) {
			for (size_t i = 0; i < r.n_fields; i++)
				for (int k = 0; k < 5; k++)
					if (strcasecmp(csv_field(&r, i), names[k]) == 0)
						col[k] = (int)i;
			if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
				rc = cg_err_set(CG_EPARSE, _("%s:%zu: header must name cve, reference and date"), file, r.line);
				break;
			}
			header = 1;
			continue;
		}
		const char *v[5];
		for (int k = 0; k < 5; k++)
			v[k] = col[k] >= 0 && (size_t)col[k] < r.n_fields ? csv_field(&r, (size_t)col[k]) : "";
		struct watch_entry e = {.cve = v[0], .reference = v[1], .date = v[2], .title = v[3], .note = v[4]};
		snprintf(where, sizeof where, _("line %zu"), r.line);
		if ((rc = check(file, where, &e)) || (rc = fn(ctx, &e)))
			break;
	}
	csv_reader_free(&r);
	if (!rc && !header)
		rc = cg_err_set(CG_EPARSE, _("%s: empty watchlist"), file);
	return rc;
}

enum cg_err watchlist_parse(const char *file, const char *buf, size_t len, watch_entry_fn fn, void *ctx)
{
	return watchlist_parse_rules(file, buf, len, fn, NULL, ctx);
}

enum cg_err watchlist_parse_rules(const char *file, const char *buf, size_t len, watch_entry_fn fn,
				  watch_rule_fn rule_fn, void *ctx)
{
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return parse_json(file, buf, len, fn, rule_fn, ctx);
	return parse_csv(file, buf, len, fn, ctx);
}
