/* fwd_queue — the disk-backed FIFO between the daemon and its upstreams.
 *
 * Records (opaque bytes, in practice the JSON of fwd_record) get sequence
 * numbers 1, 2, 3, ... that never repeat, across restarts too: the next
 * number is derived from the last segment, which is never deleted. Records
 * go to append-only segment files (format in fwd_segment.h) in `dir`.
 *
 * Durability: fwd_queue_append buffers in memory; fwd_queue_commit writes
 * everything appended so far with write(2). Once it returns the records
 * survive the death of the process (kill -9: the page cache keeps them);
 * with FWD_SYNC_COMMIT it also fdatasync()s, so they survive a power loss.
 * Appended but uncommitted records may be lost on a crash; they were never
 * visible to readers, so their sequence numbers were never sent anywhere.
 * A torn tail (a record cut in the middle) is found by length + CRC-32 on
 * open and cut off.
 *
 * Bound: the segments together never exceed max_bytes. Past alarm_pct of it
 * the queue logs an alarm once (and stats report it) until it drains below;
 * at the bound fwd_queue_append fails with CG_ELIMIT and counts the refusal
 * — the caller applies back-pressure or counts its drop, the queue never
 * drops silently.
 *
 * Cursors: each upstream opens a named cursor (persisted in the file
 * "cursor-<name>" in `dir`, replaced atomically): the last sequence number
 * the upstream has delivered ("acked") and the highest it has ever sent
 * ("sent"; everything above acked up to sent is a possible re-delivery). A
 * segment is deleted once every cursor opened in this process is past its
 * last record (a cursor file left by an upstream no longer configured does
 * not hold segments). A new cursor starts at the oldest record on disk.
 *
 * Threads: one appender (append + commit) and any number of cursors, each
 * used by one thread, may run concurrently; everything else is guarded. */
#ifndef CG_FWD_QUEUE_H
#define CG_FWD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

enum fwd_sync {
	FWD_SYNC_NONE = 0, /* write(2) only: survives kill -9, not a power loss */
	FWD_SYNC_COMMIT,   /* fdatasync at every commit and cursor save */
};

struct fwd_queue_opts {
	uint64_t max_bytes;     /* bound on all segments; 0: 1 GiB */
	unsigned alarm_pct;     /* alarm above this % of max_bytes; 0: 80 */
	uint64_t segment_bytes; /* roll to a new segment past this; 0: 64 MiB (at most max_bytes/4) */
	enum fwd_sync sync;
	/* Where the alarm and recovery notes go; NULL: stderr. */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};

struct fwd_queue_stats {
	uint64_t first_seq;      /* oldest record on disk (== next_seq when empty) */
	uint64_t next_seq;       /* the number the next append gets */
	uint64_t committed_seq;  /* last record visible to readers, 0: none */
	uint64_t bytes;          /* on disk, segments together */
	uint64_t max_bytes;
	unsigned segments;
	int alarm;               /* 1 while above alarm_pct */
	uint64_t refused;        /* appends refused at the bound */
	uint64_t torn_bytes;     /* cut off a torn tail on open */
};

struct fwd_queue;
struct fwd_cursor;

/* Open (create) the queue in `dir` (created if missing), recover: cut a
 * torn tail of the last segment, find the next sequence number. `o` NULL:
 * defaults. */
enum cg_err fwd_queue_open(const char *dir, const struct fwd_queue_opts *o, struct fwd_queue **out) CG_MUST_CHECK;
/* Commits what is pending, closes. Every cursor must be closed before. NULL: no-op. */
void fwd_queue_close(struct fwd_queue *q);

/* Append one record of n bytes (1 .. FWD_RECORD_MAX); *seq gets its number.
 * CG_ELIMIT at the bound (nothing appended). Not yet durable: commit. */
enum cg_err fwd_queue_append(struct fwd_queue *q, const void *rec, size_t n, uint64_t *seq) CG_MUST_CHECK;
/* Everything appended so far is written (durable across kill -9) and visible to cursors. */
enum cg_err fwd_queue_commit(struct fwd_queue *q) CG_MUST_CHECK;

void fwd_queue_stats(struct fwd_queue *q, struct fwd_queue_stats *st);

/* Open the cursor `name` ([A-Za-z0-9_.-], 1..64 bytes; one open cursor per name). */
enum cg_err fwd_cursor_open(struct fwd_queue *q, const char *name, struct fwd_cursor **out) CG_MUST_CHECK;
void fwd_cursor_close(struct fwd_cursor *c); /* NULL: no-op */
uint64_t fwd_cursor_acked(const struct fwd_cursor *c);
uint64_t fwd_cursor_sent(const struct fwd_cursor *c);

/* The next record after the one read last (after acked, following open or
 * rewind). Waits up to wait_ms for one to be committed; CG_ENOTFOUND when
 * none came. *rec borrows until the next read/rewind/close. A corrupt
 * record (disk damage) returns CG_EPARSE naming segment and offset; the
 * next read continues with the next segment (the records skipped are lost
 * and counted by the caller). */
enum cg_err fwd_cursor_read(struct fwd_cursor *c, int wait_ms, const void **rec, size_t *n, uint64_t *seq) CG_MUST_CHECK;
/* The next read starts again after acked (a reconnect re-sends). */
void fwd_cursor_rewind(struct fwd_cursor *c);
/* Persist "sent up to seq" before sending (write-ahead: after a restart
 * everything up to it is marked as a possible re-delivery). */
enum cg_err fwd_cursor_set_sent(struct fwd_cursor *c, uint64_t seq) CG_MUST_CHECK;
/* Persist "delivered up to seq" and delete segments every cursor has passed. */
enum cg_err fwd_cursor_ack(struct fwd_cursor *c, uint64_t seq) CG_MUST_CHECK;

#endif
