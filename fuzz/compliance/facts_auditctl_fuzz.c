/* Host fact parser for FACT_TOOL_AUDITCTL: bytes in, facts or a located error out. */
#include <stdint.h>
#include <string.h>

#include "host_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_facts hf;
	enum fact_tool guess;
	if (host_facts_parse(FACT_TOOL_AUDITCTL, "fuzz", (const char *)data, size, "rsyslog,auditd,sshd", &hf) == CG_OK) {
		if (hf.n > HOST_FACTS_MAX)
			__builtin_trap();
		for (size_t i = 0; i < hf.n; i++)
			if (strlen(hf.f[i].key) >= HOST_FACT_KEY_MAX || strlen(hf.f[i].value) > HOST_FACT_VALUE_MAX ||
			    host_facts_get(&hf, hf.f[i].key) == NULL)
				__builtin_trap();
		host_facts_clear(&hf);
	}
	if (fact_tool_detect("fuzz", (const char *)data, size, &guess) == CG_OK && guess >= FACT_TOOL_COUNT)
		__builtin_trap();
	return 0;
}
