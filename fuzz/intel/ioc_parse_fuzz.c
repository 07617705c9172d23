/* ioc_parse with every `want`; a parsed value must parse again to itself. */
#include <stdint.h>
#include <string.h>

#include "ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ioc a, b;

	for (int want = 0; want < IOC_TYPE_COUNT; want++) {
		if (ioc_parse((const char *)data, size, (enum ioc_type)want, &a) != CG_OK)
			continue;
		if (ioc_parse(a.value, a.len, a.type, &b) != CG_OK || strcmp(a.value, b.value) != 0)
			__builtin_trap(); /* canonical forms must be stable: the store relies on it */
	}
	return 0;
}
