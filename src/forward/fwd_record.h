/* fwd_record — what the forward queue holds for one event or one alert:
 * compact JSON (one object, one line), which the upstreams render (syslog
 * RFC 5424 with the JSON as MSG; HTTP batches of the objects with "seq").
 *
 * Event:
 *   {"type":"event","time":"2026-12-06T19:00:00.000000+07:00",
 *    "received":"...Z","host":"...","app":"...","pid":123,"severity":4,
 *    "facility":10,"message":"...","fields":{"user":"root","SRC":["a","b"]},
 *    "raw":"<38>Dec  6 ...","source":"tcp-514 192.0.2.7:51514"}
 *   (members absent when unknown; a field seen several times is an array).
 * Alert:
 *   {"type":"alert","id":"...","kind":"sigma","severity":"high",
 *    "state":"new","rule_id":..,"title":..,"indicator":..,"indicator_type":..,
 *    "sources":..,"family":..,"host":..,"system":..,"security_level":3,
 *    "count":1,"first_seen":"...Z","last_seen":"...Z"}
 * Text that is not valid UTF-8 is kept with each bad byte as \u00XX.
 * Pure: no I/O. */
#ifndef CG_FWD_RECORD_H
#define CG_FWD_RECORD_H

#include <stddef.h>

#include "cg_buf.h"
#include "cg_err.h"

struct cg_event;
struct alert;

/* Reset `out` and write the record of `ev`; `raw` (the message as received,
 * may be NULL) and `source` (listener/file and peer, may be NULL) are
 * included. CG_ELIMIT when it would exceed the buffer's cap. */
enum cg_err fwd_record_event(const struct cg_event *ev, const char *raw, size_t raw_n, const char *source,
                             struct cg_buf *out) CG_MUST_CHECK;
enum cg_err fwd_record_alert(const struct alert *a, struct cg_buf *out) CG_MUST_CHECK;

/* Append s[0..n) as a JSON string (with quotes) to `out`. */
enum cg_err fwd_json_str(struct cg_buf *out, const char *s, size_t n) CG_MUST_CHECK;

#endif
