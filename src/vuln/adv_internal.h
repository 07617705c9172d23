/* Helpers shared by the advisory parsers. */
#ifndef CG_ADV_INTERNAL_H
#define CG_ADV_INTERNAL_H

#include "advisory.h"

/* Ranges of one record and the strings they own. */
struct adv_ranges {
	struct adv_range *v;
	size_t n, alloc;
	char **strs;
	size_t ns, salloc;
};
void adv_ranges_free(struct adv_ranges *r);
/* Take ownership of `s` (freed with the ranges); NULL on failure. */
const char *adv_keep(struct adv_ranges *r, char *s);
/* A new zeroed range; NULL past ADV_MAX_RANGES or out of memory. */
struct adv_range *adv_push(struct adv_ranges *r);

#endif
