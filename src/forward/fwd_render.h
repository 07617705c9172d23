/* fwd_render — how a queued record goes on the wire (pure, no I/O):
 * one RFC 5424 message with octet-counting framing for syslog upstreams,
 * one JSON object with "seq" for HTTP batches. See fwd.h for the format. */
#ifndef CG_FWD_RENDER_H
#define CG_FWD_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "cg_buf.h"
#include "cg_err.h"

/* RFC 5424 §7.3.1: sequenceId is 1..2147483647 and wraps to 1. */
#define FWD_SEQUENCE_ID_MAX 2147483647u
uint32_t fwd_sequence_id(uint64_t seq);

/* Append "LEN SP SYSLOG-MSG" for record rec[0..n) with sequence number
 * `seq`; `redelivery` adds the re-delivery mark. */
enum cg_err fwd_render_syslog(struct cg_buf *out, const void *rec, size_t n, uint64_t seq, int redelivery) CG_MUST_CHECK;
/* Append the record as one JSON object with "seq" (and "redelivery":true)
 * first; a record that is not a JSON object becomes {"seq":N,"record":"..."}. */
enum cg_err fwd_render_json(struct cg_buf *out, const void *rec, size_t n, uint64_t seq, int redelivery) CG_MUST_CHECK;

#endif
