/* daemon_raw — the record canhgacd stores in its disk queue for each
 * message it receives, at receipt, before anything parses it: the write-
 * ahead form of an event. Parsed and rendered as fwd_record JSON only when
 * an upstream sends it; replayed into detection after a restart.
 *
 * Layout (little-endian as the host; the queue never leaves the machine):
 *   0   u8   DAEMON_RAW_MAGIC (0x01: never the first byte of a JSON record)
 *   1   u8   format (enum daemon_format)
 *   2   u8   flags (DAEMON_RAW_TRUNCATED)
 *   3   u8   0
 *   4   u16  length of the source name (the listener or file in the config)
 *   6   u16  length of the peer ("192.0.2.7:51514", the file path)
 *   8   i64  received, µs since the epoch
 *   16  name, peer, then the message as received (the rest)
 * Pure: no I/O. */
#ifndef CG_DAEMON_RAW_H
#define CG_DAEMON_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define DAEMON_RAW_MAGIC 0x01
#define DAEMON_RAW_HEAD 16
#define DAEMON_RAW_TRUNCATED 0x01
#define DAEMON_RAW_NAME_MAX 255
#define DAEMON_RAW_PEER_MAX 255

struct daemon_raw {
	int format;
	unsigned flags;
	int64_t received_us;
	const char *name, *peer, *msg; /* point into the record */
	size_t name_len, peer_len, msg_len;
};

/* Is rec[0..n) a raw record (by its first byte)? */
int daemon_raw_is(const void *rec, size_t n);
/* The bytes the record of `r` takes (names cut at their maxima). */
size_t daemon_raw_size(const struct daemon_raw *r);
/* Write the record of `r` to out (daemon_raw_size(r) bytes). */
void daemon_raw_encode(const struct daemon_raw *r, unsigned char *out);
/* Read a record; CG_EPARSE (with the reason) when it is not a whole raw
 * record. `r` points into rec. */
enum cg_err daemon_raw_decode(const void *rec, size_t n, struct daemon_raw *r) CG_MUST_CHECK;

#endif
