/* Requirement catalogue loader: YAML in, catalogue or a located error out. */
#include <stdint.h>
#include <string.h>

#include "catalogue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comp_catalogue *c = NULL;
	if (comp_catalogue_parse("fuzz.yaml", (const char *)data, size, &c) == CG_OK) {
		for (size_t i = 0; i < comp_catalogue_count(c); i++) {
			const struct comp_req *r = comp_catalogue_req(c, i);
			/* What a loaded catalogue promises. */
			if (!r->id[0] || !r->levels || (r->levels & ~0x3eu) || r->group >= COMP_GROUP_COUNT ||
			    r->n_checks > COMP_CHECKS_MAX || comp_catalogue_find(c, r->id) != r)
				__builtin_trap();
		}
	}
	comp_catalogue_free(c);
	return 0;
}
