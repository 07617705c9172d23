/* End-of-support table loader. */
#include <stdint.h>

#include "os_eol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_eol *t = NULL;
	if (os_eol_parse("fuzz.yaml", (const char *)data, size, &t) == CG_OK)
		(void)os_eol_find(t, "ubuntu", "22.04", "Windows 10");
	os_eol_free(t);
	return 0;
}
