/* The one check every extractor's fuzz target runs: the extractor on
 * arbitrary bytes must not crash or read outside the input, the event stays
 * within its caps and every field it added has a name and a value no longer
 * than the input (plus the few bytes an extractor may add). */
#ifndef EXTRACT_FUZZ_H
#define EXTRACT_FUZZ_H

#include <stdint.h>
#include <stdlib.h>

#include "cg_event.h"
#include "event_extract.h"

typedef enum cg_err (*extract_fuzz_fn)(struct cg_event *ev, const char *msg, size_t n);

static inline int extract_fuzz_one(extract_fuzz_fn fn, const uint8_t *data, size_t size)
{
	static struct cg_event *ev;

	if (!ev && cg_event_new(&ev) != CG_OK)
		return 0;
	cg_event_reset(ev);
	if (fn(ev, (const char *)data, size) != CG_OK)
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

#endif
