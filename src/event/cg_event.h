/* cg_event — one normalized log event (the one event of the library): a flat list of named fields plus
 * the facts every consumer needs: when (event time as an integer with the
 * source's offset, received time), where (host, app, pid), how bad
 * (syslog severity and facility), and what the Sigma engine routes on
 * (product, channel, provider, event ID). Readers (EVTX, JSON, syslog) fill
 * it; the engine only reads it. No I/O here.
 *
 * Times are microseconds since 1970-01-01T00:00:00Z (UTC), int64_t. Stamps
 * without a zone are read in the event's default offset (Asia/Ho_Chi_Minh,
 * +07:00, unless set); RFC 3164 stamps get their year from the received
 * time (see cg_time_parse).
 *
 * A field may occur several times (unnamed EventData <Data> items, JSON
 * arrays): a Sigma value matches when any occurrence matches. */
#ifndef CG_EVENT_H
#define CG_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_time.h"

/* Caps on what one event may hold, whatever the input says. */
#define CG_EVENT_MAX_FIELDS 512
#define CG_EVENT_MAX_BYTES ((size_t)4 << 20)

enum cg_event_product { CG_EVENT_PRODUCT_ANY = 0, CG_EVENT_PRODUCT_WINDOWS, CG_EVENT_PRODUCT_LINUX };

struct cg_event;

enum cg_err cg_event_new(struct cg_event **out) CG_MUST_CHECK;
void cg_event_free(struct cg_event *ev); /* NULL is a no-op */
/* A copy of `ev` (fields and facts) the caller frees. */
enum cg_err cg_event_clone(const struct cg_event *ev, struct cg_event **out) CG_MUST_CHECK;
/* Forget all fields and facts, keep the memory for the next event. The
 * received time and the default offset stay: they describe the input. */
void cg_event_reset(struct cg_event *ev);

/* Add a field; name and value are copied. Past the caps the field is left
 * out and the event marked truncated (cg_event_truncated): it stays usable
 * with the fields added so far, and is not dropped. Fails only when memory
 * runs out. */
enum cg_err cg_event_add(struct cg_event *ev, const char *name, size_t name_len,
                            const char *value, size_t value_len) CG_MUST_CHECK;
/* Did the event lose fields to CG_EVENT_MAX_FIELDS or CG_EVENT_MAX_BYTES? */
int cg_event_truncated(const struct cg_event *ev);

/* Routing facts; strings are copied (truncated to 255 bytes). */
void cg_event_set_product(struct cg_event *ev, enum cg_event_product p);
void cg_event_set_channel(struct cg_event *ev, const char *s, size_t n);
void cg_event_set_provider(struct cg_event *ev, const char *s, size_t n);
void cg_event_set_program(struct cg_event *ev, const char *s, size_t n);
void cg_event_set_event_id(struct cg_event *ev, long id); /* -1: none */
void cg_event_set_record_id(struct cg_event *ev, uint64_t id);
void cg_event_set_computer(struct cg_event *ev, const char *s, size_t n); /* the host */
void cg_event_set_pid(struct cg_event *ev, long pid);                      /* -1: none */
void cg_event_set_severity(struct cg_event *ev, int severity, int facility); /* -1: none */

/* Event time (see above). */
void cg_event_set_time(struct cg_event *ev, int64_t us, int offset_min);
/* Event time from text in any cg_time log or ISO 8601 form; zone-less text
 * is UTC with `zoneless_utc` (Sysmon "UtcTime", EVTX SystemTime) and in the
 * default offset otherwise. Returns 1 when understood; else the event keeps
 * no time. */
int cg_event_set_time_text(struct cg_event *ev, const char *s, size_t n, int zoneless_utc);
/* When the bytes arrived (or were read): the reference for RFC 3164 years.
 * A new event has the wall clock at its creation. */
void cg_event_set_received(struct cg_event *ev, int64_t us);
/* Offset in minutes east of UTC for zone-less stamps (default +420). */
void cg_event_set_default_offset(struct cg_event *ev, int offset_min);
/* The reference and zone the readers parse stamps of this event with. */
struct cg_time_ctx cg_event_time_ctx(const struct cg_event *ev);

enum cg_event_product cg_event_product(const struct cg_event *ev);
const char *cg_event_channel(const struct cg_event *ev);  /* "" if none */
const char *cg_event_provider(const struct cg_event *ev); /* "" if none */
const char *cg_event_program(const struct cg_event *ev);  /* "" if none */
long cg_event_event_id(const struct cg_event *ev);        /* -1 if none */
uint64_t cg_event_record_id(const struct cg_event *ev);   /* 0 if none */
const char *cg_event_computer(const struct cg_event *ev); /* the host; "" if none */
const char *cg_event_host(const struct cg_event *ev);     /* same as cg_event_computer */
long cg_event_pid(const struct cg_event *ev);              /* -1 if none */
int cg_event_severity(const struct cg_event *ev);          /* 0..7, -1 if none */
int cg_event_facility(const struct cg_event *ev);          /* 0..23, -1 if none */
/* The message (field "message"/"Message"), borrowed; 0 when none. */
int cg_event_message(const struct cg_event *ev, const char **s, size_t *n);

int cg_event_has_time(const struct cg_event *ev);
int64_t cg_event_time_us(const struct cg_event *ev);     /* 0 if none */
int cg_event_time_offset(const struct cg_event *ev);     /* minutes east of UTC */
int64_t cg_event_received_us(const struct cg_event *ev);
/* The event time as RFC 3339 in the source's offset
 * ("2025-11-06T18:32:42+07:00"), "" if none. Borrowed until the next call
 * on the same thread. */
const char *cg_event_time(const struct cg_event *ev);
/* Seconds since the epoch (UTC) of the event time, or -1 when it has none. */
int64_t cg_event_epoch(const struct cg_event *ev);

size_t cg_event_count(const struct cg_event *ev);
/* Field `i` (< count): name and value, borrowed until the next change. */
void cg_event_field(const struct cg_event *ev, size_t i, const char **name, size_t *name_len,
                       const char **value, size_t *value_len);

/* The `nth` (0-based) value of the field called `name` (compared ignoring
 * ASCII case; the prefixes "Event.System." and "Event.EventData." are
 * ignored, so Chainsaw-style paths work). Returns 0 when absent. */
int cg_event_get(const struct cg_event *ev, const char *name, size_t nth, const char **value,
                    size_t *value_len);

/* Case- and space-insensitive stable hash (cg_hash FNV-1a, folded to 32
 * bits) of a field name, as used for lookups. Not seeded: it only speeds
 * up name comparisons, no table is keyed by it. */
uint32_t cg_event_field_hash(const char *name, size_t n);

#endif
