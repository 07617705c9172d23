/* cg_extract_netfilter (iptables/UFW kernel lines) on arbitrary bytes: no crash, no read outside the input, the
 * event stays within its caps and every field it added has a name. */
#include <stdint.h>
#include <stdlib.h>

#include "cg_event.h"
#include "event_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cg_event *ev;
	const char *p = (const char *)data;

	if (!ev && cg_event_new(&ev) != CG_OK)
		return 0;
	cg_event_reset(ev);
	if (cg_extract_netfilter(ev, p, size) != CG_OK)
		return 0;
	if (cg_event_count(ev) > CG_EVENT_MAX_FIELDS)
		__builtin_trap();
	for (size_t i = 0; i < cg_event_count(ev); i++) {
		const char *k, *v;
		size_t kn, vn;
		cg_event_field(ev, i, &k, &kn, &v, &vn);
		if (!kn || vn > size + 16)
			__builtin_trap();
	}
	return 0;
}
