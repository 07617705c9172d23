#include "incident_report.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "incident.h"

/* Circular 20/2017/TT-BTTTT, initial incident report (form Mẫu 03): the
 * entries the form asks for, in its order. */
const struct incident_form_field incident_form_initial[] = {
	{"reporting_unit", "Tên đơn vị báo cáo sự cố", "Reporting unit"},
	{"contact", "Người liên hệ (họ tên, chức vụ, điện thoại, thư điện tử)",
	 "Contact (name, position, phone, e-mail)"},
	{"operating_agency", "Đơn vị vận hành hệ thống thông tin", "Operating agency of the information system"},
	{"owning_agency", "Cơ quan chủ quản hệ thống thông tin", "Owning agency of the information system"},
	{"system_name", "Tên hệ thống thông tin bị sự cố", "Name of the affected information system"},
	{"security_level", "Cấp độ an toàn của hệ thống thông tin", "Security level of the information system"},
	{"security_provider", "Tổ chức cung cấp dịch vụ bảo đảm an toàn thông tin", "Security service provider"},
	{"isp", "Nhà cung cấp dịch vụ kết nối Internet (ISP)", "Internet service provider (ISP)"},
	{"description", "Mô tả sơ bộ về sự cố", "Brief description of the incident"},
	{"detected_at", "Thời điểm phát hiện sự cố", "Time of detection"},
	{"current_status", "Tình trạng hiện tại của sự cố", "Current status of the incident"},
	{"detection_method", "Cách thức phát hiện sự cố", "How the incident was detected"},
	{"notified", "Đã thông báo sự cố cho", "Already notified"},
	{"os", "Hệ điều hành, phiên bản", "Operating system and version"},
	{"services", "Các dịch vụ đang chạy trên hệ thống", "Services running on the system"},
	{"security_measures", "Các biện pháp bảo đảm an toàn thông tin đã triển khai", "Security measures in place"},
	{"public_ips", "Địa chỉ IP công khai của hệ thống", "Public IP addresses of the system"},
	{"domains", "Tên miền của hệ thống", "Domain names of the system"},
	{"system_purpose", "Mục đích sử dụng của hệ thống", "Purpose of the system"},
	{"attachments", "Tài liệu, chứng cứ kèm theo", "Attachments"},
	{NULL, NULL, NULL},
};

/* The final report (after the response ended) repeats the identification
 * above and adds the outcome. */
const struct incident_form_field incident_form_final_extra[] = {
	{"response_ended_at", "Thời điểm kết thúc ứng phó sự cố", "Time the response ended"},
	{"cause", "Nguyên nhân sự cố", "Cause of the incident"},
	{"impact", "Thiệt hại, ảnh hưởng của sự cố", "Damage and impact"},
	{"actions", "Các biện pháp ứng phó, khắc phục đã thực hiện", "Response and recovery actions taken"},
	{"recommendations", "Kiến nghị, đề xuất", "Recommendations"},
	{"timeline", "Diễn biến sự cố và quá trình ứng phó", "Timeline of the incident and the response"},
	{"tasks", "Nhiệm vụ và người phụ trách", "Tasks and owners"},
	{"indicators", "Dấu hiệu tấn công (IOC)", "Indicators of compromise"},
	{NULL, NULL, NULL},
};

int incident_field_known(const char *key)
{
	for (const struct incident_form_field *f = incident_form_initial; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return 1;
	for (const struct incident_form_field *f = incident_form_final_extra; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return strcmp(key, "timeline") && strcmp(key, "tasks") && strcmp(key, "indicators");
	return 0;
}

/* ---- building the document ---- */

struct build {
	json_t *doc, *vals, *err_row;
	int64_t id;
};

static enum cg_err put_row(void *ctx, const struct incident_row *r)
{
	struct build *b = ctx;
	char t[32];

	b->err_row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)r->id, "title", r->title,
			       "severity", r->severity, "category", r->category, "status", r->status, "system",
			       r->system, "level", r->level);
	json_object_set_new(b->vals, "system_name", json_string(r->system));
	/* The system's owning unit is the form's owning agency unless set. */
	json_object_set_new(b->vals, "owning_agency", json_string(r->system_owner));
	if (r->level) {
		snprintf(t, sizeof t, "%d", r->level);
		json_object_set_new(b->vals, "security_level", json_string(t));
	}
	json_object_set_new(b->vals, "description", json_string(r->description));
	cg_time_iso(r->discovered_at, t, sizeof t);
	json_object_set_new(b->vals, "detected_at", json_string(t));
	json_object_set_new(b->vals, "current_status", json_string(r->status));
	if (r->response_ended_at) {
		cg_time_iso(r->response_ended_at, t, sizeof t);
		json_object_set_new(b->vals, "response_ended_at", json_string(t));
	}
	json_object_set_new(b->err_row, "discovered_at", json_integer(r->discovered_at));
	json_object_set_new(b->err_row, "response_ended_at", json_integer(r->response_ended_at));
	json_object_set_new(b->err_row, "initial_reported_at", json_integer(r->initial_reported_at));
	json_object_set_new(b->err_row, "final_reported_at", json_integer(r->final_reported_at));
	return CG_OK;
}

static void add_item(json_t *vals, const char *key, const char *item)
{
	json_t *a = json_object_get(vals, key);
	size_t i;
	json_t *v;

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(vals, key, a);
	}
	json_array_foreach(a, i, v) if (strcmp(json_string_value(v), item) == 0) return;
	json_array_append_new(a, json_string(item));
}

static enum cg_err put_addr(void *ctx, const char *host, const char *addr, const char *os)
{
	json_t *auto_vals = ctx;
	struct ioc ioc;
	char line[600];

	if (*os) {
		snprintf(line, sizeof line, "%s: %s", host, os);
		add_item(auto_vals, "os", line);
	}
	/* Only addresses reachable from the Internet belong on the form. */
	if (*addr && ioc_parse(addr, strlen(addr), IOC_NONE, &ioc) == CG_OK) {
		const uint8_t *a = ioc.addr;
		int private4 = ioc.type == IOC_IPV4 &&
			       (a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
				(a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254));
		int private6 = ioc.type == IOC_IPV6 && ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
							(a[0] == 0 && a[15] == 1));
		if (!private4 && !private6)
			add_item(auto_vals, "public_ips", addr);
	}
	return CG_OK;
}

static enum cg_err put_evidence(void *ctx, const struct evidence_row *e)
{
	char line[1200];
	snprintf(line, sizeof line, "%s (SHA-256 %s, %lld bytes)", e->name, e->sha256, (long long)e->size);
	add_item(ctx, "attachments", line);
	return CG_OK;
}

static enum cg_err put_field(void *ctx, const char *key, const char *value)
{
	json_object_set_new(ctx, key, json_string(value));
	return CG_OK;
}

static enum cg_err put_event(void *ctx, int64_t at, const char *kind, const char *text, const char *actor)
{
	char t[32], line[INCIDENT_TEXT_MAX + 400];
	cg_time_iso(at, t, sizeof t);
	snprintf(line, sizeof line, "%s [%s] %s%s%s", t, kind, text, *actor ? " — " : "", actor);
	json_array_append_new(ctx, json_string(line));
	return CG_OK;
}

static enum cg_err put_task(void *ctx, const struct incident_task *t)
{
	char due[32] = "-", done[32] = "-", line[INCIDENT_TEXT_MAX + 400];
	if (t->due_at)
		cg_time_iso(t->due_at, due, sizeof due);
	if (t->done_at)
		cg_time_iso(t->done_at, done, sizeof done);
	snprintf(line, sizeof line, "#%lld %s — %s (due %s, done %s)", (long long)t->id, t->title, t->owner, due, done);
	json_array_append_new(ctx, json_string(line));
	return CG_OK;
}

static enum cg_err put_indicator(void *ctx, const struct incident_link *l)
{
	char line[IOC_VALUE_MAX + 200];
	snprintf(line, sizeof line, "%s %s%s", l->subtype ? l->subtype : "", l->ref, l->confirmed ? " (confirmed)" : "");
	json_array_append_new(ctx, json_string(line));
	return CG_OK;
}

static void add_fields(json_t *fields, json_t *missing, json_t *vals, const struct incident_form_field *form)
{
	for (const struct incident_form_field *f = form; f->key; f++) {
		json_t *v = json_object_get(vals, f->key);
		int empty = !v || (json_is_string(v) && !*json_string_value(v)) ||
			    (json_is_array(v) && json_array_size(v) == 0);
		if (empty)
			json_array_append_new(missing, json_string(f->key));
		json_t *val = v ? json_incref(v) : json_string("");
		json_array_append_new(fields, json_pack("{s:s, s:s, s:s, s:o}", "key", f->key, "vi", f->vi, "en", f->en,
							"value", val));
	}
}

enum cg_err incident_report_build(struct cg_db *db, int64_t id, enum incident_form form, int64_t now, json_t **out)
{
	struct build b = {.vals = json_object(), .id = id};
	json_t *user = json_object(), *fields = json_array(), *missing = json_array();
	json_t *timeline = json_array(), *tasks = json_array(), *iocs = json_array();
	struct incident_deadlines d;
	struct incident_row r = {0};
	enum cg_err rc;
	char t[32];
	const char *k;
	json_t *v;

	*out = NULL;
	if ((rc = store_incident_get(db, id, put_row, &b)) ||
	    (rc = store_incident_host_addrs(db, id, put_addr, b.vals)) ||
	    (rc = store_evidence_foreach(db, id, put_evidence, b.vals)) ||
	    (rc = store_incident_fields(db, id, put_field, user)) ||
	    (rc = store_incident_events(db, id, put_event, timeline)) ||
	    (rc = store_incident_tasks(db, id, put_task, tasks)) ||
	    (rc = store_incident_links(db, id, "indicator", put_indicator, iocs)))
		goto fail;
	/* What the user wrote wins over what the store derived. */
	json_object_foreach(user, k, v) json_object_set(b.vals, k, v);
	json_object_set(b.vals, "timeline", timeline);
	json_object_set(b.vals, "tasks", tasks);
	json_object_set(b.vals, "indicators", iocs);
	add_fields(fields, missing, b.vals, incident_form_initial);
	if (form == INCIDENT_FORM_FINAL)
		add_fields(fields, missing, b.vals, incident_form_final_extra);

	r.discovered_at = json_integer_value(json_object_get(b.err_row, "discovered_at"));
	r.response_ended_at = json_integer_value(json_object_get(b.err_row, "response_ended_at"));
	r.initial_reported_at = json_integer_value(json_object_get(b.err_row, "initial_reported_at"));
	r.final_reported_at = json_integer_value(json_object_get(b.err_row, "final_reported_at"));
	incident_deadlines_at(&r, now, &d);
	cg_time_iso(now, t, sizeof t);
	json_t *deadline = json_object();
	int64_t due = form == INCIDENT_FORM_FINAL ? d.final_due : d.initial_due;
	if (due) {
		char ds[32];
		cg_time_iso(due, ds, sizeof ds);
		json_object_set_new(deadline, "due", json_string(ds));
	}
	json_object_set_new(deadline, "state",
			    json_string(incident_due_name(form == INCIDENT_FORM_FINAL ? d.final : d.initial)));
	json_object_del(b.err_row, "discovered_at");
	json_object_del(b.err_row, "response_ended_at");
	json_object_del(b.err_row, "initial_reported_at");
	json_object_del(b.err_row, "final_reported_at");
	*out = json_pack(
		"{s:s, s:s, s:{s:s, s:s}, s:s, s:O, s:o, s:o, s:o}", "form", form == INCIDENT_FORM_FINAL ? "final" : "initial",
		"basis",
		form == INCIDENT_FORM_FINAL ? "Thông tư 20/2017/TT-BTTTT — báo cáo kết thúc ứng phó sự cố"
					    : "Thông tư 20/2017/TT-BTTTT — Mẫu 03",
		"title", "vi",
		form == INCIDENT_FORM_FINAL ? "Báo cáo kết thúc ứng phó sự cố an toàn thông tin mạng"
					    : "Báo cáo ban đầu sự cố an toàn thông tin mạng",
		"en",
		form == INCIDENT_FORM_FINAL ? "Final report: incident response ended"
					    : "Initial report of a network information security incident",
		"generated_at", t, "incident", b.err_row, "deadline", deadline, "fields", fields, "missing", missing);
	fields = missing = NULL;
	if (!*out)
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
fail:
	json_decref(b.vals);
	json_decref(b.err_row);
	json_decref(user);
	json_decref(fields);
	json_decref(missing);
	json_decref(timeline);
	json_decref(tasks);
	json_decref(iocs);
	return rc;
}

/* ---- HTML ---- */

enum cg_err incident_html_escape(struct cg_buf *out, const char *s)
{
	enum cg_err rc = CG_OK;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '&': rc = cg_buf_puts(out, "&amp;"); break;
		case '<': rc = cg_buf_puts(out, "&lt;"); break;
		case '>': rc = cg_buf_puts(out, "&gt;"); break;
		case '"': rc = cg_buf_puts(out, "&quot;"); break;
		case '\'': rc = cg_buf_puts(out, "&#39;"); break;
		default:
			/* Control characters would only confuse a reader. */
			rc = cg_buf_putc(out, ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ? '?' : *s);
		}
	}
	return rc;
}

static const char *str_or(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : dflt;
}

static enum cg_err put_tagged(struct cg_buf *out, const char *open, const char *text, const char *close)
{
	enum cg_err rc;
	if ((rc = cg_buf_puts(out, open)) || (rc = incident_html_escape(out, text)) || (rc = cg_buf_puts(out, close)))
		return rc;
	return CG_OK;
}

static enum cg_err put_value(struct cg_buf *out, json_t *v)
{
	enum cg_err rc;
	size_t i;
	json_t *it;

	if (json_is_array(v) && json_array_size(v)) {
		if ((rc = cg_buf_puts(out, "<ul>")))
			return rc;
		json_array_foreach(v, i, it)
		{
			if (json_is_string(it) && (rc = put_tagged(out, "<li>", json_string_value(it), "</li>")))
				return rc;
		}
		return cg_buf_puts(out, "</ul>");
	}
	if (json_is_string(v) && *json_string_value(v))
		return put_tagged(out, "<div class=\"v\">", json_string_value(v), "</div>");
	return cg_buf_puts(out, "<div class=\"missing\">(chưa có thông tin / not provided)</div>");
}

static const char css[] =
	"body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
	"h1{font-size:1.4em}h1 small{display:block;color:#555;font-weight:normal}"
	"table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4em;vertical-align:top}"
	"th{width:35%;text-align:left;background:#f3f3f3}th .en{display:block;color:#555;font-weight:normal}"
	".v{white-space:pre-wrap}.missing{color:#a00}ul{margin:0;padding-left:1.2em}";

enum cg_err incident_report_html(const char *json, size_t len, struct cg_buf *out)
{
	json_error_t jerr;
	json_t *doc, *fields, *title, *inc, *f;
	enum cg_err rc;
	size_t i, n = 0;

	if (len > INCIDENT_REPORT_JSON_MAX)
		return cg_err_set(CG_ELIMIT, "%s", _("report document larger than 16 MiB"));
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return cg_err_set(CG_EPARSE, _("report document: line %d: %s"), jerr.line, jerr.text);
	fields = json_object_get(doc, "fields");
	if (!json_is_array(fields)) {
		json_decref(doc);
		return cg_err_set(CG_EPARSE, "%s", _("report document has no \"fields\" array"));
	}
	title = json_object_get(doc, "title");
	inc = json_object_get(doc, "incident");
	if ((rc = cg_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
				   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
				   "style-src 'unsafe-inline'\"><title>")) ||
	    (rc = incident_html_escape(out, str_or(title, "vi", ""))) ||
	    (rc = cg_buf_printf(out, "</title><style>%s</style></head><body>\n", css)) ||
	    (rc = put_tagged(out, "<h1>", str_or(title, "vi", ""), "")) ||
	    (rc = put_tagged(out, "<small lang=\"en\">", str_or(title, "en", ""), "</small></h1>\n")) ||
	    (rc = put_tagged(out, "<p>", str_or(doc, "basis", ""), "")) ||
	    (rc = put_tagged(out, " — ", str_or(inc, "title", ""), "")) ||
	    (rc = put_tagged(out, " — ", str_or(doc, "generated_at", ""), "</p>\n<table>\n")))
		goto out;
	json_array_foreach(fields, i, f)
	{
		if (!json_is_object(f))
			continue;
		n++;
		if ((rc = cg_buf_printf(out, "<tr id=\"f-%zu\"><th>%zu. ", n, n)) ||
		    (rc = incident_html_escape(out, str_or(f, "vi", str_or(f, "key", "")))) ||
		    (rc = put_tagged(out, "<span class=\"en\" lang=\"en\">", str_or(f, "en", ""), "</span></th><td>")) ||
		    (rc = put_value(out, json_object_get(f, "value"))) || (rc = cg_buf_puts(out, "</td></tr>\n")))
			goto out;
	}
	rc = cg_buf_puts(out, "</table>\n</body></html>\n");
out:
	json_decref(doc);
	return rc;
}
