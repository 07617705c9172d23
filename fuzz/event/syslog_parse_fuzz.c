/* syslog_parse on arbitrary bytes: spans stay inside the input, PRI and
 * fields in range, and structured data it accepted can always be walked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syslog_parse.h"

static int in(const struct syslog_span *s, const char *p, size_t n)
{
	return s->n == 0 || (s->p >= p && s->p + s->n <= p + n);
}

static int count(void *ud, struct syslog_span id, struct syslog_span name, struct syslog_span value)
{
	(void)name;
	(void)value;
	if (!id.n)
		__builtin_trap();
	(*(size_t *)ud)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct cg_time_ctx c = {1767200399, CG_TIME_OFFSET_VN};
	struct syslog_msg m;

	if (syslog_parse(p, size, (size & 1) ? &c : NULL, &m) != CG_OK)
		return 0;
	if (m.pri < -1 || m.pri > 191 || (m.pri >= 0 && (m.facility != m.pri / 8 || m.severity != m.pri % 8)))
		__builtin_trap();
	if (!in(&m.host, p, size) || !in(&m.app, p, size) || !in(&m.procid, p, size) || !in(&m.msgid, p, size) ||
	    !in(&m.sd, p, size) || !in(&m.msg, p, size))
		__builtin_trap();
	if (m.sd.n) {
		char *scratch = malloc(m.sd.n);
		size_t params = 0;
		if (!scratch)
			return 0;
		if (syslog_sd_foreach(m.sd, scratch, m.sd.n, count, &params) != CG_OK || params == 0)
			__builtin_trap();
		free(scratch);
	}
	return 0;
}
