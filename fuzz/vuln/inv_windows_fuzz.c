/* Fuzz target: the Windows CSV, JSON and systeminfo parsers. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	if (inv_parse_wincsv("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse_winjson("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	if (inv_parse_systeminfo("f", s, size, fuzz_item, NULL))
		fuzz_sink++;
	free(s);
	return 0;
}
