/* Test helper for test_time.py: reads "REF OFFSET MODE TEXT" lines (REF in
 * seconds, OFFSET in minutes east of UTC), prints "US OFFSET" or "none".
 * MODE: "line" (cg_event_line_time: syslog header or other log stamp),
 * "iso" (cg_time_parse ISO 8601 on the whole text), "ago"/"ahead"
 * (cg_time_parse_user, seconds). Also "syslog": host/app/pid of the line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_time.h"
#include "event_reader.h"
#include "syslog_parse.h"

int main(void)
{
	char line[70000];
	while (fgets(line, sizeof line, stdin)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		long long ref;
		int off, k = 0;
		char mode[16];
		if (sscanf(line, "%lld %d %15s %n", &ref, &off, mode, &k) != 3 || k == 0) {
			puts("bad");
			continue;
		}
		const char *text = line + k;
		size_t tn = strlen(text);
		struct cg_time_ctx c = {ref, off};
		struct cg_stamp st;
		int ok = 0;
		if (!strcmp(mode, "line")) {
			ok = cg_event_line_time(text, tn, &c, &st);
		} else if (!strcmp(mode, "iso")) {
			ok = tn && cg_time_parse(text, tn, CG_TIME_ISO, &c, &st) == tn;
		} else if (!strcmp(mode, "ago") || !strcmp(mode, "ahead")) {
			int64_t t;
			if (cg_time_parse_user(text, &c, !strcmp(mode, "ago") ? CG_TIME_AGO : CG_TIME_AHEAD, 0, &t) == CG_OK)
				printf("%lld 0\n", (long long)t * 1000000);
			else
				puts("none");
			continue;
		} else if (!strcmp(mode, "syslog")) {
			struct syslog_msg m;
			if (syslog_parse(text, tn, &c, &m) != CG_OK) {
				puts("none");
				continue;
			}
			printf("%d|%.*s|%.*s|%ld|%.*s\n", m.pri, (int)m.host.n, m.host.p ? m.host.p : "", (int)m.app.n,
			       m.app.p ? m.app.p : "", m.pid, (int)m.msg.n, m.msg.p ? m.msg.p : "");
			continue;
		}
		if (ok)
			printf("%lld %d\n", (long long)st.us, st.offset);
		else
			puts("none");
	}
	return 0;
}
