/* One raw message → one normalized event (see event_normalize.h). */
#include <jansson.h>
#include <string.h>

#include "cef_parse.h"
#include "cg_event_int.h"
#include "cg_i18n.h"
#include "event_extract.h"
#include "event_normalize.h"
#include "event_reader.h"

#define MESSAGE_MAX ((size_t)64 << 10)
#define JSON_MAX ((size_t)1 << 20) /* Windows events with long script blocks */

static enum cg_err from_json(const char *msg, size_t n, struct cg_event *ev)
{
	size_t used = 0;
	enum cg_err rc = cg_event_json_fast(msg, n, ev, &used);
	if (rc != CG_EUNSUPPORTED)
		return rc;
	cg_err_clear();
	json_error_t jerr;
	json_t *v = json_loadb(msg, n, 0, &jerr);
	if (!v)
		return cg_err_set(CG_EPARSE, _("JSON: line %d, column %d: %s"), jerr.line, jerr.column, jerr.text);
	rc = cg_event_from_json(v, ev);
	json_decref(v);
	return rc;
}

static enum cg_err from_cef(const char *msg, size_t n, struct cg_event *ev)
{
	enum cg_err rc;
	struct cef_msg m;

	cg_event_reset(ev);
	if (!cg_extract_prefix(msg, n, "CEF:"))
		return cg_err_set(CG_EPARSE, _("CEF: the record does not start with \"CEF:\""));
	if ((rc = cef_parse(msg, n, &m)))
		return rc;
	if ((rc = cg_extract_add(ev, "message", msg, n)) || (rc = cg_extract_cef(ev, msg, n)))
		return rc;
	const char *v;
	size_t vn;
	if (cg_event_get(ev, "cef_device_product", 0, &v, &vn))
		cg_event_set_program(ev, v, vn);
	if (cg_event_get(ev, "cef_device_vendor", 0, &v, &vn))
		cg_event_set_provider(ev, v, vn);
	if (cg_event_get(ev, "dvchost", 0, &v, &vn))
		cg_event_set_computer(ev, v, vn);
	/* "rt" (receipt time: epoch milliseconds or "MMM dd yyyy HH:mm:ss"),
	 * else "start". */
	if ((cg_event_get(ev, "rt", 0, &v, &vn) && cg_event_set_time_text(ev, v, vn, 0)) ||
	    (cg_event_get(ev, "start", 0, &v, &vn) && cg_event_set_time_text(ev, v, vn, 0)))
		return CG_OK;
	return CG_OK;
}

enum cg_err cg_event_from_message(const char *msg, size_t n, enum cg_event_msg_format f, struct cg_event *ev)
{
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	if (f == CG_EVENT_MSG_AUTO) {
		size_t i = 0;
		while (i < n && (msg[i] == ' ' || msg[i] == '\t'))
			i++;
		if (i < n && msg[i] == '{')
			f = CG_EVENT_MSG_JSON;
		else if (cg_extract_prefix(msg + i, n - i, "CEF:"))
			f = CG_EVENT_MSG_CEF;
		else
			f = CG_EVENT_MSG_SYSLOG;
		if (f != CG_EVENT_MSG_SYSLOG) {
			msg += i;
			n -= i;
		}
	}
	size_t cap = f == CG_EVENT_MSG_JSON ? JSON_MAX : MESSAGE_MAX;
	if (n > cap) {
		cg_event_reset(ev);
		return cg_err_set(CG_ELIMIT, _("message longer than %zu bytes"), cap);
	}
	switch (f) {
	case CG_EVENT_MSG_JSON:
		return from_json(msg, n, ev);
	case CG_EVENT_MSG_CEF:
		return from_cef(msg, n, ev);
	default:
		return cg_event_from_line(msg, n, ev);
	}
}
