/* Fuzz target: the /etc/os-release block reader at the head of an inventory,
 * with and without a package list after it. The length it returns must stay
 * inside the input and the release name inside its buffer, NUL-terminated. */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	if (!s)
		return 0;
	char rel[64];
	memset(rel, 'x', sizeof rel);
	size_t used = inv_os_release(s, size, rel, sizeof rel);
	if (used > size || !memchr(rel, '\0', sizeof rel))
		__builtin_trap();
	fuzz_sink += used + strlen(rel);
	/* a tiny buffer: the name is cut, never written past */
	char tiny[4];
	used = inv_os_release(s, size, tiny, sizeof tiny);
	if (used > size || !memchr(tiny, '\0', sizeof tiny))
		__builtin_trap();
	free(s);
	return 0;
}
