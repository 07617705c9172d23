/* Layout of struct sigma_event, shared by the readers and the engine inside
 * src/sigma only (the engine reads fields without a call per lookup). */
#ifndef SIGMA_EVENT_INT_H
#define SIGMA_EVENT_INT_H

#include "sigma_event.h"

struct sigma_field_rec {
	uint32_t hash;
	uint32_t name_off, name_len;
	uint32_t val_off, val_len;
	uint32_t low_off; /* offset of the folded value in ev->low */
};

#define SIGMA_FACT_MAX 256

struct sigma_event {
	char *arena;
	size_t len, alloc;
	struct sigma_field_rec *f;
	size_t n, alloc_f;
	enum sigma_product product;
	long event_id;
	uint64_t record_id;
	char channel[SIGMA_FACT_MAX], provider[SIGMA_FACT_MAX], program[SIGMA_FACT_MAX];
	char computer[SIGMA_FACT_MAX], time[64];
	/* All values folded to ASCII lower case, each followed by '\n': the text
	 * the literal prefilter scans and case-insensitive matching reads. */
	char *low;
	size_t low_len, low_alloc;
	int low_valid;
};

int sigma_name_eq(const char *a, size_t an, const char *b, size_t bn);

/* Build ev->low (once per event). */
enum cg_err sigma_event_fold(struct sigma_event *ev) CG_MUST_CHECK;

extern const unsigned char sigma_fold_table[256];
static inline unsigned char sigma_fold(unsigned char c)
{
	return sigma_fold_table[c];
}

#endif
