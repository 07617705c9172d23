/* cg_extract_asa (Cisco ASA %ASA- messages, without a syslog tag) on arbitrary bytes: the check of extract_fuzz.h. */
#include "extract_fuzz.h"

static enum cg_err asa_untagged(struct cg_event *ev, const char *msg, size_t n)
{
	return cg_extract_asa(ev, NULL, 0, msg, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return extract_fuzz_one(asa_untagged, data, size);
}
