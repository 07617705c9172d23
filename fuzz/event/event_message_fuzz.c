/* cg_event_from_message on arbitrary bytes, the first byte choosing the
 * format (AUTO, SYSLOG, JSON, CEF): any dispatch to any extractor, never a
 * crash; the event stays within its caps. */
#include <stdint.h>
#include <stdlib.h>

#include "cg_event.h"
#include "event_normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cg_event *ev;

	if (!size)
		return 0;
	if (!ev && cg_event_new(&ev) != CG_OK)
		return 0;
	enum cg_event_msg_format f = (enum cg_event_msg_format)(data[0] & 3);
	if (cg_event_from_message((const char *)data + 1, size - 1, f, ev) != CG_OK)
		return 0;
	if (cg_event_count(ev) > CG_EVENT_MAX_FIELDS)
		__builtin_trap();
	return 0;
}
