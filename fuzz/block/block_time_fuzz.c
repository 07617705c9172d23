/* --expires/--issued/--deadline/--since text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t t;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (block_time_parse(s, 1796083200, size & 1, &t) == CG_OK && t < 0)
		__builtin_trap();
	free(s);
	return 0;
}
