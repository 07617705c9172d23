/* Shared by the vuln fuzz targets: a NUL-terminated copy of the input and
 * callbacks that touch every field (so ASan sees every read). */
#ifndef CG_VULN_FUZZ_COMMON_H
#define CG_VULN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory.h"
#include "inventory.h"
#include "vercmp.h"
#include "watchlist.h"

static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

static size_t fuzz_sink;

static inline void touch(const char *s)
{
	if (s)
		fuzz_sink += strlen(s);
}

static inline enum cg_err fuzz_item(void *ctx, const struct inv_item *it)
{
	(void)ctx;
	touch(it->name), touch(it->version), touch(it->arch), touch(it->source), touch(it->source_version),
		touch(it->update);
	return CG_OK;
}

static inline enum cg_err fuzz_record(void *ctx, const struct adv_record *r)
{
	(void)ctx;
	touch(r->ref), touch(r->summary), touch(r->modified);
	for (size_t i = 0; i < r->n_ids; i++)
		touch(r->ids[i]);
	for (size_t i = 0; i < r->n_ranges; i++) {
		const struct adv_range *g = &r->ranges[i];
		touch(g->family), touch(g->product), touch(g->exact), touch(g->start), touch(g->end), touch(g->fixed);
	}
	return CG_OK;
}

#endif
