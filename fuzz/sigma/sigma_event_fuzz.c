/* Fuzz target: the event readers. The first byte picks the reader (JSON,
 * record XML, syslog/auditd lines, EVTX file through libevtx); the rest is
 * its input. Must never crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_err.h"

/* The result is deliberately unused: any error is a fine outcome here. */
static void ignore(enum cg_err rc)
{
	(void)rc;
}
#include <sys/mman.h>
#include <unistd.h>

#include "event_reader.h"

static int count(void *ud, struct cg_event *ev)
{
	(void)ev;
	(*(size_t *)ud)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct cg_event *ev;
	if (cg_event_new(&ev))
		return 0;
	struct cg_event_read_stats st;
	memset(&st, 0, sizeof st);
	size_t n = 0;
	const char *p = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 4) {
	case 0:
		ignore(cg_event_json_read(p, len, "fuzz.json", ev, count, &n, &st));
		break;
	case 1:
		ignore(cg_event_from_xml(p, len, ev));
		break;
	case 2:
		ignore(cg_event_lines_read(p, len, "fuzz.log", ev, count, &n, &st));
		break;
	default: {
		int fd = memfd_create("fuzz.evtx", 0);
		if (fd < 0)
			break;
		if (write(fd, p, len) == (ssize_t)len) {
			char path[64];
			snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
			ignore(cg_event_evtx_read(path, ev, count, &n, &st));
		}
		close(fd);
		break;
	}
	}
	cg_event_free(ev);
	return 0;
}
