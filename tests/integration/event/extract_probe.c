/* Probe for test_extract.py: each stdin line is one message for
 * cg_event_from_message (AUTO); prints "N\tNAME\tHEXVALUE" per field (N the
 * line number, 1-based; the message field left out), "N\t!rc\tTEXT" on
 * failure and "N\t.time\tUS OFFSET" when the event has a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_event.h"
#include "event_normalize.h"

int main(void)
{
	struct cg_event *ev;
	static char line[1 << 17];
	size_t no = 0;

	if (cg_event_new(&ev) != CG_OK)
		return 1;
	cg_event_set_received(ev, 1762428762LL * 1000000); /* 2025-11-06T11:32:42Z */
	while (fgets(line, sizeof line, stdin)) {
		size_t n = strlen(line);
		no++;
		enum cg_err rc = cg_event_from_message(line, n, CG_EVENT_MSG_AUTO, ev);
		if (rc) {
			printf("%zu\t!rc\t%s\n", no, cg_err_msg(rc));
			continue;
		}
		if (cg_event_has_time(ev))
			printf("%zu\t.time\t%lld %d\n", no, (long long)cg_event_time_us(ev), cg_event_time_offset(ev));
		for (size_t i = 0; i < cg_event_count(ev); i++) {
			const char *k, *v;
			size_t kn, vn;
			cg_event_field(ev, i, &k, &kn, &v, &vn);
			if (kn == 7 && !memcmp(k, "message", 7))
				continue;
			printf("%zu\t%.*s\t", no, (int)kn, k);
			for (size_t j = 0; j < vn; j++)
				printf("%02x", (unsigned char)v[j]);
			putchar('\n');
		}
	}
	cg_event_free(ev);
	return 0;
}
