/* Fuzz target: the zmcontrol -v parser. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (inv_parse_zimbra("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
