/* A whole reported e-mail through GMime and the extraction. */
#include <stdint.h>

#include "phish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct phish_report *r = NULL;

	if (phish_parse((const char *)data, size, "fuzz.eml", &r) == CG_OK) {
		json_t *j = phish_report_json(r);
		json_decref(j);
	}
	phish_report_free(r);
	return 0;
}
