/* Fuzz quarantine_meta_parse: any bytes as an item's metadata file; what
 * parses must hold the invariants the store relies on (hex id and key, an
 * absolute path, permission bits only, at most QUARANTINE_HITS_MAX hits). */
#include <stdint.h>
#include <string.h>

#include "quarantine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quarantine_item it;
	if (quarantine_meta_parse("fuzz", (const char *)data, size, &it) != CG_OK)
		return 0;
	if (strlen(it.id) != QUARANTINE_ID_LEN || strlen(it.key) != 64 || strlen(it.sha256) != 64 ||
	    it.path[0] != '/' || (it.mode & ~07777u) || it.n_hits > QUARANTINE_HITS_MAX || !it.who)
		__builtin_trap();
	for (size_t i = 0; i < it.n_hits; i++)
		if (!it.hits[i].kind || !it.hits[i].name)
			__builtin_trap();
	quarantine_item_clear(&it);
	return 0;
}
