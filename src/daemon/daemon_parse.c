/* daemon_parse — message → event (see daemon_parse.h). */
#include "daemon_parse.h"

#include <jansson.h>

#include "event_reader.h"

enum cg_err daemon_parse_message(const char *msg, size_t n, enum daemon_format f, struct cg_event *ev)
{
	cg_event_reset(ev);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == '\0'))
		n--;
	size_t i = 0;
	while (i < n && (msg[i] == ' ' || msg[i] == '\t'))
		i++;
	if (f == DAEMON_FMT_JSON || (f == DAEMON_FMT_AUTO && i < n && msg[i] == '{')) {
		json_error_t jerr;
		json_t *o = json_loadb(msg, n, JSON_REJECT_DUPLICATES, &jerr);
		if (!o || !json_is_object(o)) {
			json_decref(o);
			return cg_err_set(CG_EPARSE, "json: line %d: %s", jerr.line, jerr.text);
		}
		enum cg_err rc = cg_event_from_json(o, ev);
		json_decref(o);
		return rc;
	}
	return cg_event_from_line(msg, n, ev);
}
