/* logtime_parse on arbitrary bytes, with a few reference times. */
#include <stdint.h>
#include <string.h>

#include "logtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t refs[] = {0, 86400, 1748736000, 1767225600, 253402300799};
	int64_t t;

	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		if (logtime_parse((const char *)data, size, refs[i], &t)) {
			/* Every accepted stamp lies between 1969 (a zone east of UTC on
			 * 1970-01-01) and the end of 9999. */
			if (t < -86400 || t > 253402387200)
				__builtin_trap();
		}
	}
	return 0;
}
