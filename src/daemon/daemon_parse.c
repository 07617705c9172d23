/* daemon_parse — message → event (see daemon_parse.h). */
#include "daemon_parse.h"

#include "event_normalize.h"

enum cg_err daemon_parse_message(const char *msg, size_t n, enum daemon_format f, struct cg_event *ev)
{
	static const enum cg_event_msg_format map[] = {
		[DAEMON_FMT_AUTO] = CG_EVENT_MSG_AUTO,
		[DAEMON_FMT_SYSLOG] = CG_EVENT_MSG_SYSLOG,
		[DAEMON_FMT_JSON] = CG_EVENT_MSG_JSON,
		[DAEMON_FMT_CEF] = CG_EVENT_MSG_CEF,
	};
	return cg_event_from_message(msg, n, f <= DAEMON_FMT_CEF ? map[f] : CG_EVENT_MSG_AUTO, ev);
}
