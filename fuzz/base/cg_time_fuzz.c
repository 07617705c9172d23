/* The time parser on arbitrary bytes: every format, stamps inside lines,
 * user times and whole log lines. The first byte picks the reference time
 * and default zone. Whatever parses must be in range and survive a round
 * trip through cg_time_format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg_time.h"
#include "event_reader.h"

#define ALL (CG_TIME_ISO | CG_TIME_ISO_LOOSE | CG_TIME_BSD | CG_TIME_BIND | CG_TIME_APACHE | CG_TIME_CLF | \
	     CG_TIME_DMY | CG_TIME_EPOCH_AT | CG_TIME_EPOCH)

static void check_stamp(const struct cg_stamp *st)
{
	char buf[48];
	struct cg_time_ctx utc = {0, 0};
	struct cg_stamp back;
	/* 1970-01-01 minus 24 h of offset .. 9999-12-31 plus 24 h. */
	if (st->us < -86400LL * CG_TIME_US_PER_S || st->us > 253402387200LL * CG_TIME_US_PER_S)
		__builtin_trap();
	if (st->offset < -(23 * 60 + 59) || st->offset > 23 * 60 + 59)
		__builtin_trap();
	if (st->us < 0)
		return;
	cg_time_format(st->us, st->offset, buf, sizeof buf);
	size_t n = strlen(buf);
	if (cg_time_parse(buf, n, CG_TIME_ISO, &utc, &back) != n || back.us != st->us || back.offset != st->offset)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t refs[] = {0, 1767200399 /* New Year's Eve +07 */, 1709164800, 253402300799};
	struct cg_time_ctx c;
	struct cg_stamp st;

	if (size < 1)
		return 0;
	c.ref = refs[data[0] & 3];
	c.default_offset = (data[0] & 4) ? CG_TIME_OFFSET_VN : (data[0] & 8) ? -(23 * 60 + 59) : 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	size_t k = cg_time_parse(s, n, ALL, &c, &st);
	if (k > n)
		__builtin_trap();
	if (k)
		check_stamp(&st);
	if (cg_time_find(s, n, &c, &st))
		check_stamp(&st);
	if (cg_event_line_time(s, n, &c, &st))
		check_stamp(&st);
	if (n <= 80) {
		char z[81];
		int64_t t;
		memcpy(z, s, n);
		z[n] = '\0';
		if (cg_time_parse_user(z, &c, (data[0] & 16) ? CG_TIME_AGO : CG_TIME_AHEAD, data[0] & 32, &t) == CG_OK &&
		    (t < -86400 || t > 253402387200LL))
			__builtin_trap();
	}
	return 0;
}
