/* sigma_event — one normalized log event: a flat list of named fields plus
 * the few system facts the Sigma engine routes on (product, channel,
 * provider, event ID, program). Readers (EVTX, JSON, syslog) fill it; the
 * engine only reads it. No I/O here.
 *
 * A field may occur several times (unnamed EventData <Data> items, JSON
 * arrays): a Sigma value matches when any occurrence matches. */
#ifndef SIGMA_EVENT_H
#define SIGMA_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

/* Caps on what one event may hold, whatever the input says. */
#define SIGMA_EVENT_MAX_FIELDS 512
#define SIGMA_EVENT_MAX_BYTES ((size_t)4 << 20)

enum sigma_product { SIGMA_PRODUCT_ANY = 0, SIGMA_PRODUCT_WINDOWS, SIGMA_PRODUCT_LINUX };

struct sigma_event;

enum cg_err sigma_event_new(struct sigma_event **out) CG_MUST_CHECK;
void sigma_event_free(struct sigma_event *ev); /* NULL is a no-op */
/* A copy of `ev` (fields and facts) the caller frees. */
enum cg_err sigma_event_clone(const struct sigma_event *ev, struct sigma_event **out) CG_MUST_CHECK;
/* Forget all fields and facts, keep the memory for the next event. */
void sigma_event_reset(struct sigma_event *ev);

/* Add a field; name and value are copied. Fails with CG_ELIMIT past the caps
 * (the event stays usable with the fields added so far). */
enum cg_err sigma_event_add(struct sigma_event *ev, const char *name, size_t name_len,
                            const char *value, size_t value_len) CG_MUST_CHECK;

/* Routing facts; strings are copied (truncated to 255 bytes). */
void sigma_event_set_product(struct sigma_event *ev, enum sigma_product p);
void sigma_event_set_channel(struct sigma_event *ev, const char *s, size_t n);
void sigma_event_set_provider(struct sigma_event *ev, const char *s, size_t n);
void sigma_event_set_program(struct sigma_event *ev, const char *s, size_t n);
void sigma_event_set_event_id(struct sigma_event *ev, long id); /* -1: none */
void sigma_event_set_record_id(struct sigma_event *ev, uint64_t id);
void sigma_event_set_computer(struct sigma_event *ev, const char *s, size_t n);
void sigma_event_set_time(struct sigma_event *ev, const char *s, size_t n); /* ISO 8601 */

enum sigma_product sigma_event_product(const struct sigma_event *ev);
const char *sigma_event_channel(const struct sigma_event *ev);  /* "" if none */
const char *sigma_event_provider(const struct sigma_event *ev); /* "" if none */
const char *sigma_event_program(const struct sigma_event *ev);  /* "" if none */
long sigma_event_event_id(const struct sigma_event *ev);        /* -1 if none */
uint64_t sigma_event_record_id(const struct sigma_event *ev);   /* 0 if none */
const char *sigma_event_computer(const struct sigma_event *ev); /* "" if none */
const char *sigma_event_time(const struct sigma_event *ev);     /* "" if none */
/* Seconds since the epoch of the event time, or -1 when it has none. */
int64_t sigma_event_epoch(const struct sigma_event *ev);

size_t sigma_event_count(const struct sigma_event *ev);
/* Field `i` (< count): name and value, borrowed until the next change. */
void sigma_event_field(const struct sigma_event *ev, size_t i, const char **name, size_t *name_len,
                       const char **value, size_t *value_len);

/* The `nth` (0-based) value of the field called `name` (compared ignoring
 * ASCII case; the prefixes "Event.System." and "Event.EventData." are
 * ignored, so Chainsaw-style paths work). Returns 0 when absent. */
int sigma_event_get(const struct sigma_event *ev, const char *name, size_t nth, const char **value,
                    size_t *value_len);

/* Case-insensitive FNV-1a of a field name, as used for lookups. */
uint32_t sigma_field_hash(const char *name, size_t n);

#endif
