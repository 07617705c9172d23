/* JSON events (see event_reader.h for the shapes). Scalars become text the
 * way they read in the EVTX XML (4624, true), so a rule gives the same
 * answer on an EVTX record and on its JSON export. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_num.h"
#include "cg_event_int.h"
#include "event_normalize.h"
#include "event_reader.h"

#define JSON_FLAT_DEPTH 16

/* Text of a scalar; returns 0 for objects and arrays. null is "". */
static int scalar_text(const json_t *v, char *buf, size_t n, const char **s, size_t *len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		*s = json_string_value(v);
		*len = json_string_length(v);
		return 1;
	case JSON_INTEGER:
		*len = (size_t)snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*s = buf;
		return 1;
	case JSON_REAL:
		*len = cg_num_shortest(json_real_value(v), buf, n);
		*s = buf;
		return 1;
	case JSON_TRUE:
		*s = "true";
		*len = 4;
		return 1;
	case JSON_FALSE:
		*s = "false";
		*len = 5;
		return 1;
	case JSON_NULL:
		*s = "";
		*len = 0;
		return 1;
	default:
		return 0;
	}
}

static enum cg_err add(struct cg_event *ev, const char *name, const json_t *v)
{
	char buf[64];
	const char *s;
	size_t n;
	if (!scalar_text(v, buf, sizeof buf, &s, &n))
		return CG_OK;
	return cg_event_add(ev, name, strlen(name), s, n);
}

/* A scalar, an array of scalars (several values), or {"#text": ...}. */
static enum cg_err add_value(struct cg_event *ev, const char *name, const json_t *v)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it) {
			enum cg_err rc = add(ev, name, it);
			if (rc)
				return rc;
		}
		return CG_OK;
	}
	if (json_is_object(v)) {
		const json_t *t = json_object_get(v, "#text");
		return t ? add_value(ev, name, t) : CG_OK;
	}
	return add(ev, name, v);
}

/* Leaves of nested objects under their own key (UserData, EventData). */
static enum cg_err flatten_leaves(struct cg_event *ev, const json_t *obj, int depth)
{
	if (depth > JSON_FLAT_DEPTH)
		return CG_OK;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		enum cg_err rc = CG_OK;
		if (!strcmp(k, "#attributes") || !strcmp(k, "xmlns"))
			continue;
		if (json_is_object(v) && !json_object_get(v, "#text"))
			rc = flatten_leaves(ev, v, depth + 1);
		else
			rc = add_value(ev, k, v);
		if (rc)
			return rc;
	}
	return CG_OK;
}

/* The time from the usual fields when the shape has no EVTX SystemTime.
 * "UtcTime" (Sysmon) and "SystemTime" are UTC even without a zone; the
 * others (NXLog's EventTime is the sender's local time) are read in the
 * event's default offset when they have none. */
static void time_from_fields(struct cg_event *ev)
{
	static const struct {
		const char *name;
		int utc;
	} names[] = {{"@timestamp", 0}, {"UtcTime", 1}, {"SystemTime", 1}, {"TimeCreated", 0},
		     {"EventTime", 0},  {"timestamp", 0}, {"time", 0}};
	const char *v;
	size_t n;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !cg_event_has_time(ev); i++)
		if (cg_event_get(ev, names[i].name, 0, &v, &n))
			cg_event_set_time_text(ev, v, n, names[i].utc);
}

void cg_event_json_facts(struct cg_event *ev)
{
	const char *v;
	size_t n;
	if (cg_event_get(ev, "Channel", 0, &v, &n))
		cg_event_set_channel(ev, v, n);
	if (cg_event_get(ev, "Provider_Name", 0, &v, &n))
		cg_event_set_provider(ev, v, n);
	if (cg_event_get(ev, "Computer", 0, &v, &n))
		cg_event_set_computer(ev, v, n);
	if (cg_event_get(ev, "EventRecordID", 0, &v, &n))
		cg_event_set_record_id(ev, strtoull(v, NULL, 10));
	if (!cg_event_has_time(ev) && cg_event_get(ev, "TimeCreated_SystemTime", 0, &v, &n))
		cg_event_set_time_text(ev, v, n, 1);
	if (cg_event_get(ev, "EventID", 0, &v, &n)) {
		char buf[16];
		size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
		memcpy(buf, v, k);
		buf[k] = '\0';
		char *end;
		long id = strtol(buf, &end, 10);
		cg_event_set_event_id(ev, *end || end == buf ? -1 : id);
	}
	const char *ch = cg_event_channel(ev);
	if (ch[0] || cg_event_provider(ev)[0])
		cg_event_set_product(ev, strncasecmp(ch, "Linux-", 6) == 0 ? CG_EVENT_PRODUCT_LINUX : CG_EVENT_PRODUCT_WINDOWS);
	/* No EVTX SystemTime: the usual time fields (both JSON paths end here). */
	if (!cg_event_has_time(ev))
		time_from_fields(ev);
}

/* evtx_dump / SigmaHQ regression / Chainsaw: {"Event": {"System": ...}}. */
static enum cg_err from_evtx_shape(const json_t *event, struct cg_event *ev)
{
	enum cg_err rc;
	const json_t *sys = json_object_get(event, "System");
	const char *k;
	json_t *v;
	if (json_is_object(sys)) {
		json_object_foreach((json_t *)sys, k, v) {
			size_t kl = strlen(k);
			char name[256];
			/* "Provider": {"#attributes": {"Name": ..}} and Chainsaw's
			 * "Provider_attributes": {"Name": ..} both give Provider_Name. */
			const json_t *attrs = NULL;
			size_t base = kl;
			if (kl > 11 && !strcmp(k + kl - 11, "_attributes")) {
				attrs = v;
				base = kl - 11;
			} else if (json_is_object(v)) {
				attrs = json_object_get(v, "#attributes");
			}
			if (json_is_object(attrs)) {
				const char *ak;
				json_t *av;
				json_object_foreach((json_t *)attrs, ak, av) {
					snprintf(name, sizeof name, "%.*s_%s", (int)(base > 120 ? 120 : base), k, ak);
					if ((rc = add(ev, name, av)))
						return rc;
				}
			}
			if (attrs == v || json_is_null(v))
				continue;
			if ((rc = add_value(ev, k, v)))
				return rc;
		}
	}
	const json_t *data = json_object_get(event, "EventData");
	if (json_is_object(data)) {
		json_object_foreach((json_t *)data, k, v) {
			if (!strcmp(k, "#attributes"))
				continue;
			if (json_is_object(v) && !json_object_get(v, "#text"))
				rc = flatten_leaves(ev, v, 1);
			else
				rc = add_value(ev, k, v);
			if (rc)
				return rc;
		}
	} else if (json_is_string(data) || json_is_array(data)) {
		if ((rc = add_value(ev, "Data", data)))
			return rc;
	}
	const json_t *user = json_object_get(event, "UserData");
	if (json_is_object(user) && (rc = flatten_leaves(ev, user, 1)))
		return rc;
	const json_t *ri = json_object_get(event, "RenderingInfo");
	if (json_is_object(ri) && json_object_get(ri, "Message") && (rc = add_value(ev, "Message", json_object_get(ri, "Message"))))
		return rc;
	cg_event_json_facts(ev);
	if (!cg_event_product(ev))
		cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	return CG_OK;
}

/* Winlogbeat / Elastic Agent: {"winlog": {"event_data": .., "channel": ..}}. */
static enum cg_err from_winlog(const json_t *obj, const json_t *w, struct cg_event *ev)
{
	enum cg_err rc;
	static const struct {
		const char *from, *to;
	} sys[] = {
		{"event_id", "EventID"}, {"channel", "Channel"}, {"provider_name", "Provider_Name"},
		{"computer_name", "Computer"}, {"record_id", "EventRecordID"}, {"provider_guid", "Provider_Guid"},
		{"task", "Task"}, {"opcode", "Opcode"}, {"version", "Version"},
	};
	for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++) {
		const json_t *v = json_object_get(w, sys[i].from);
		if (v && (rc = add(ev, sys[i].to, v)))
			return rc;
	}
	const json_t *ed = json_object_get(w, "event_data");
	if (json_is_object(ed) && (rc = flatten_leaves(ev, ed, 1)))
		return rc;
	const json_t *udata = json_object_get(w, "user_data");
	if (json_is_object(udata) && (rc = flatten_leaves(ev, udata, 1)))
		return rc;
	const json_t *msg = json_object_get(obj, "message");
	if (json_is_string(msg) && (rc = add(ev, "Message", msg)))
		return rc;
	cg_event_json_facts(ev);
	const json_t *ts = json_object_get(obj, "@timestamp");
	if (json_is_string(ts))
		cg_event_set_time_text(ev, json_string_value(ts), json_string_length(ts), 0);
	if (!cg_event_product(ev))
		cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	return CG_OK;
}

/* Flat objects (NXLog, Hayabusa-like, generic): top-level keys are fields;
 * nested objects give dotted names ("process.name"). */
static enum cg_err flatten_dotted(struct cg_event *ev, const json_t *obj, char *prefix, size_t plen, int depth)
{
	if (depth > JSON_FLAT_DEPTH)
		return CG_OK;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		size_t kl = strlen(k);
		if (plen + kl + 2 > 512)
			continue;
		size_t np = plen;
		if (plen)
			prefix[np++] = '.';
		memcpy(prefix + np, k, kl + 1);
		enum cg_err rc = json_is_object(v) ? flatten_dotted(ev, v, prefix, np + kl, depth + 1) : add_value(ev, prefix, v);
		prefix[plen] = '\0';
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err from_flat(const json_t *obj, struct cg_event *ev)
{
	char prefix[512] = "";
	enum cg_err rc = flatten_dotted(ev, obj, prefix, 0, 0);
	if (rc)
		return rc;
	static const struct {
		const char *from, *to;
	} alias[] = {
		{"SourceName", "Provider_Name"}, {"ProviderName", "Provider_Name"}, {"Hostname", "Computer"},
		{"RecordNumber", "EventRecordID"}, {"EventTime", "TimeCreated_SystemTime"},
		{"@timestamp", "TimeCreated_SystemTime"}, {"timestamp", "TimeCreated_SystemTime"},
	};
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++) {
		const char *v, *have;
		size_t n, hn;
		if (cg_event_get(ev, alias[i].from, 0, &v, &n) && !cg_event_get(ev, alias[i].to, 0, &have, &hn)) {
			char tmp[512];
			size_t k = n < sizeof tmp ? n : sizeof tmp;
			memcpy(tmp, v, k);
			if ((rc = cg_event_add(ev, alias[i].to, strlen(alias[i].to), tmp, k)))
				return rc;
		}
	}
	/* Before the facts: the aliased TimeCreated_SystemTime is not UTC. */
	time_from_fields(ev);
	cg_event_json_facts(ev);
	return CG_OK;
}

/* A syslog message carried as JSON (rsyslog's, syslog-ng's or a shipper's
 * "message" with "program"/"PROGRAM"/"programname"/"app_name"): the
 * extractor of its source adds its fields. The text is copied first: the
 * extractor adds fields, which may move the event's memory. */
static enum cg_err flat_extract(struct cg_event *ev)
{
	static const char *const progs[] = {"program", "programname", "app_name", "appname", "ident"};
	const char *msg, *app = NULL;
	size_t mn, an = 0;
	if (!cg_event_get(ev, "message", 0, &msg, &mn) && !cg_event_get(ev, "msg", 0, &msg, &mn))
		return CG_OK;
	for (size_t i = 0; i < sizeof progs / sizeof progs[0] && !app; i++)
		if (!cg_event_get(ev, progs[i], 0, &app, &an))
			app = NULL;
	char appbuf[64];
	if (an >= sizeof appbuf)
		an = 0;
	if (an)
		memcpy(appbuf, app, an);
	enum cg_event_source src = cg_event_source_of(appbuf, an, msg, mn);
	if (src == CG_EVENT_SRC_NONE || mn > ((size_t)64 << 10))
		return CG_OK;
	char *copy = malloc(mn ? mn : 1);
	if (!copy)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	memcpy(copy, msg, mn);
	enum cg_err rc = cg_event_extract(ev, src, appbuf, an, copy, mn);
	free(copy);
	return rc;
}

enum cg_err cg_event_from_json(const json_t *obj, struct cg_event *ev)
{
	enum cg_err rc;

	cg_event_reset(ev);
	if (!json_is_object(obj))
		return cg_err_set(CG_EPARSE, _("an event must be a JSON object"));
	const json_t *event = json_object_get(obj, "Event");
	const json_t *w = json_object_get(obj, "winlog");
	if (json_is_object(event) && json_is_object(json_object_get(event, "System")))
		rc = from_evtx_shape(event, ev);
	else if (json_is_object(w))
		rc = from_winlog(obj, w, ev);
	else
		rc = from_flat(obj, ev);
	if (!rc && cg_event_product(ev) != CG_EVENT_PRODUCT_WINDOWS)
		rc = flat_extract(ev);
	return rc;
}

static size_t line_of(const char *text, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

enum cg_err cg_event_json_read(const char *text, size_t len, const char *origin, struct cg_event *ev,
                            cg_event_cb cb, void *ud, struct cg_event_read_stats *st)
{
	size_t off = 0;
	while (off < len) {
		while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\r' || text[off] == '\n'))
			off++;
		if (off >= len)
			break;
		/* The common one-event-per-line case without a jansson tree. */
		size_t fast_used = 0;
		enum cg_err frc = cg_event_json_fast(text + off, len - off, ev, &fast_used);
		if (frc != CG_EUNSUPPORTED) {
			if (frc)
				return frc;
			off += fast_used;
			st->bytes += fast_used;
			st->events++;
			if (cb(ud, ev))
				break;
			continue;
		}
		json_error_t jerr;
		json_t *v = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
		if (!v) {
			if (!st->bad++)
				snprintf(st->first_bad, sizeof st->first_bad, "%s:%zu: %s", origin,
				         line_of(text, off) + (size_t)(jerr.line > 0 ? jerr.line - 1 : 0), jerr.text);
			/* Resynchronise at the next line. */
			const char *nl = memchr(text + off, '\n', len - off);
			off = nl ? (size_t)(nl - text) + 1 : len;
			continue;
		}
		size_t used = (size_t)jerr.position;
		off += used ? used : 1;
		st->bytes += used;
		int stop = 0;
		if (json_is_array(v)) {
			size_t i;
			json_t *it;
			json_array_foreach(v, i, it) {
				if (cg_event_from_json(it, ev)) {
					if (!st->bad++)
						snprintf(st->first_bad, sizeof st->first_bad, _("%s: array item %zu: %s"), origin, i,
						         cg_err_msg(CG_EPARSE));
					continue;
				}
				st->events++;
				if ((stop = cb(ud, ev)))
					break;
			}
		} else if (cg_event_from_json(v, ev)) {
			if (!st->bad++)
				snprintf(st->first_bad, sizeof st->first_bad, "%s:%zu: %s", origin, line_of(text, off - used),
				         cg_err_msg(CG_EPARSE));
		} else {
			st->events++;
			stop = cb(ud, ev);
		}
		json_decref(v);
		if (stop)
			break;
	}
	return CG_OK;
}
