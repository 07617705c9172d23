/* daemon_queue — a bounded queue of byte records between threads: the
 * receivers (many producers) and the workers (many consumers) of canhgacd,
 * and the workers and the alert writer.
 *
 * One contiguous ring of `cap` bytes allocated once: pushing copies the
 * record in, popping copies whole records out into the consumer's buffer,
 * so nothing is allocated per message. A producer that finds the ring full
 * either waits (back-pressure: TCP, files) or gets CG_ELIMIT at once (UDP,
 * which the caller counts as dropped). */
#ifndef CG_DAEMON_QUEUE_H
#define CG_DAEMON_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct daemon_queue;

/* The largest record is cap/4 (minus its 8-byte header). */
enum cg_err daemon_queue_new(size_t cap, struct daemon_queue **out) CG_MUST_CHECK;
void daemon_queue_free(struct daemon_queue *q); /* NULL is a no-op */

/* Append one record made of two parts (a header and a body, either may be
 * empty). `wait`: block while the ring is full. CG_ELIMIT: full (and not
 * waiting) or the record is larger than the largest record; CG_EIO: closed. */
enum cg_err daemon_queue_push(struct daemon_queue *q, const void *head, size_t head_n, const void *body,
			      size_t body_n, int wait) CG_MUST_CHECK;

/* The same without waking a waiting consumer (unless it has to wait for
 * room itself): a producer pushing a burst wakes them once at its end with
 * daemon_queue_wake, instead of once a record. */
enum cg_err daemon_queue_push_quiet(struct daemon_queue *q, const void *head, size_t head_n, const void *body,
				    size_t body_n, int wait) CG_MUST_CHECK;
void daemon_queue_wake(struct daemon_queue *q);

/* Move whole records into `buf` (each as a uint32_t length, then its bytes,
 * padded to 8), as many as fit in `cap` bytes. Waits up to `timeout_ms`
 * (-1: for ever) for the first record. *n is the number of bytes written
 * (0 on a time-out). CG_EIO when the queue is closed and empty. `cap` must
 * hold the largest record (daemon_queue_max_record + 8). */
enum cg_err daemon_queue_pop(struct daemon_queue *q, void *buf, size_t cap, size_t *n, int timeout_ms) CG_MUST_CHECK;
/* Walk the records of a buffer filled by daemon_queue_pop: returns the next
 * record (and its length) at *off and advances *off; NULL at the end. */
const void *daemon_queue_next(const void *buf, size_t n, size_t *off, size_t *len);

size_t daemon_queue_max_record(const struct daemon_queue *q);
/* Producers and consumers still waiting are woken: pushes fail, pops drain
 * what is left and then fail. */
void daemon_queue_close(struct daemon_queue *q);

struct daemon_queue_stats {
	size_t bytes, cap;   /* in use now, size */
	uint64_t records;    /* in the queue now */
	uint64_t pushed, popped, full; /* totals; `full`: pushes that found it full */
};
void daemon_queue_stats(struct daemon_queue *q, struct daemon_queue_stats *out);

#endif
