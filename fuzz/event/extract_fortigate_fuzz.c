/* cg_extract_fortigate (FortiOS key=value logs) on arbitrary bytes: the check of extract_fuzz.h. */
#include "extract_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return extract_fuzz_one(cg_extract_fortigate, data, size);
}
