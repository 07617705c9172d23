/* Fuzz target: the NVD CVE API 2.0 parser. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	long total;
	if (nvd_parse("f", s, size, fuzz_record, NULL, &total))
		fuzz_sink++;
	free(s);
	return 0;
}
