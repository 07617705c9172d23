/* Duty roster parser, then resolution and coverage on what it accepted. */
#include <stdint.h>

#include "roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct duty_roster *r = NULL;
	if (duty_roster_parse("fuzz.yaml", (const char *)data, size, &r) == CG_OK) {
		size_t people[8];
		struct duty_gap gaps[8];
		for (int64_t t = 1796612400; t < 1796612400 + 7 * 86400; t += 3 * 3600 + 7)
			(void)duty_roster_on_duty(r, t, people, 8, NULL);
		(void)duty_roster_gaps(r, gaps, 8);
	}
	duty_roster_free(r);
	return 0;
}
