/* cef_parse and the CEF extractor on arbitrary bytes: header spans stay
 * inside the input, the extension walk yields keys that are non-empty and
 * values no longer than the extension, and the event stays within caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cef_parse.h"
#include "cg_event.h"
#include "event_extract.h"

struct walk {
	size_t ext_n, pairs;
};

static int on_pair(void *ud, const char *key, size_t kn, const char *val, size_t vn)
{
	struct walk *w = ud;
	(void)key;
	(void)val;
	if (!kn || vn > w->ext_n)
		__builtin_trap();
	w->pairs++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cg_event *ev;
	const char *p = (const char *)data;
	struct cef_msg m;

	if (cef_parse(p, size, &m) == CG_OK) {
		for (int i = 0; i < CEF_HEADER_FIELDS; i++)
			if (m.hdr[i].p < p || m.hdr[i].p + m.hdr[i].n > p + size)
				__builtin_trap();
		if (m.ext.p < p || m.ext.p + m.ext.n != p + size)
			__builtin_trap();
		char *scratch = malloc(m.ext.n + 1);
		if (!scratch)
			return 0;
		struct walk w = {m.ext.n, 0};
		cef_ext_foreach(m.ext, scratch, on_pair, &w);
		free(scratch);
	}
	if (!ev && cg_event_new(&ev) != CG_OK)
		return 0;
	cg_event_reset(ev);
	if (cg_extract_cef(ev, p, size) != CG_OK)
		return 0;
	if (cg_event_count(ev) > CG_EVENT_MAX_FIELDS)
		__builtin_trap();
	return 0;
}
