/* Fuzz target: the CPE list parser and format detection. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (inv_parse_cpe("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse(INV_AUTO, "f", s, size, fuzz_item, NULL, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
