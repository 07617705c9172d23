/* Layout of struct cg_event, shared by the readers and the engine inside
 * src/sigma only (the engine reads fields without a call per lookup). */
#ifndef CG_EVENT_INT_H
#define CG_EVENT_INT_H

#include "cg_event.h"

struct cg_event_field_rec {
	uint32_t hash;
	uint32_t name_off, name_len;
	uint32_t val_off, val_len;
	uint32_t low_off; /* offset of the folded value in ev->low */
};

#define CG_EVENT_FACT_MAX 256

struct cg_event {
	char *arena;
	size_t len, alloc;
	struct cg_event_field_rec *f;
	size_t n, alloc_f;
	enum cg_event_product product;
	long event_id;
	uint64_t record_id;
	char channel[CG_EVENT_FACT_MAX], provider[CG_EVENT_FACT_MAX], program[CG_EVENT_FACT_MAX];
	char computer[CG_EVENT_FACT_MAX];
	/* Event time: microseconds since the epoch (UTC) and the offset the
	 * source wrote, in minutes east of UTC. */
	int has_time;
	int64_t time_us;
	int time_offset;
	long pid;
	int severity, facility;
	/* Kept across cg_event_reset: they belong to the input, not the record. */
	int64_t received_us;
	int default_offset;
	/* All values folded to ASCII lower case, each followed by '\n': the text
	 * the literal prefilter scans and case-insensitive matching reads. */
	char *low;
	size_t low_len, low_alloc;
	int low_valid;
	int truncated; /* fields left out past the caps */
	/* Scratch of the JSON fast path (event_json_fast.c), kept per event. */
	void *json_tok;
	size_t json_tok_alloc;
	char *json_buf;
	size_t json_buf_alloc;
};

/* event_json.c: the routing facts from the fields (Channel, EventID, ...). */
void cg_event_json_facts(struct cg_event *ev);
/* event_json_fast.c: one evtx_dump-shaped object on the first line of
 * text → ev, *used = bytes of the object. CG_EUNSUPPORTED when jansson must
 * decide (any other shape or anything this path does not check). */
enum cg_err cg_event_json_fast(const char *text, size_t len, struct cg_event *ev, size_t *used) CG_MUST_CHECK;

int cg_event_name_eq(const char *a, size_t an, const char *b, size_t bn);

/* Build ev->low (once per event). */
enum cg_err cg_event_fold_values(struct cg_event *ev) CG_MUST_CHECK;

/* ASCII lower case of one byte (field names, literals). */
extern const unsigned char cg_event_fold_table[256];
static inline unsigned char cg_event_fold(unsigned char c)
{
	return cg_event_fold_table[c];
}

/* Case folding of UTF-8 text for Sigma's case-insensitive comparisons:
 * ASCII, Latin-1 Supplement, Latin Extended-A, the letter pairs of Latin
 * Extended-B (Vietnamese O/U with horn), Latin Extended Additional
 * (Vietnamese letters with tone marks), Greek and Cyrillic capitals. Only
 * mappings that keep the length of the UTF-8 sequence are applied (so a
 * folded value has the offsets of the original); bytes that are not UTF-8
 * are copied. `out` may be `s`. */
void cg_event_fold_utf8(const unsigned char *s, size_t n, unsigned char *out);

#endif
