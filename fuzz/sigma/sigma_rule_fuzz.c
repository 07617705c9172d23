/* Fuzz target: Sigma rule text → parse, add to an engine, compile, match
 * one event. Must never crash, leak or hang. */
#include <stdint.h>

#include "sigma_fuzz.h"

static void fill(struct cg_event *ev)
{
	cg_event_set_product(ev, CG_EVENT_PRODUCT_WINDOWS);
	cg_event_set_channel(ev, "Security", 8);
	cg_event_set_event_id(ev, 4624);
	ignore(cg_event_add(ev, "EventID", 7, "4624", 4));
	ignore(cg_event_add(ev, "CommandLine", 11, "powershell -enc aQBlAHgA C:\\Temp\\a.exe", 39));
	ignore(cg_event_add(ev, "IpAddress", 9, "2001:db8::1", 11));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sigma_fuzz_rules((const char *)data, size, fill);
	return 0;
}
