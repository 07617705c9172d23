/* Fuzz target: the OSV parser. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (osv_parse("f", s, size, fuzz_record, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
