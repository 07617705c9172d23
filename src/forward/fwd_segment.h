/* fwd_segment — the on-disk format of one segment of the forward queue, and
 * its pure decoder (bytes in, records or a clear error out; no I/O), shared
 * by the queue's recovery on open, its readers and the fuzz target.
 *
 * A segment file "seg-<first seq, 20 digits>.q" is
 *     magic   8 bytes  "CGFWDQ1\n"
 *     records, each:
 *       len   u32 LE   payload bytes (1 .. FWD_RECORD_MAX)
 *       crc   u32 LE   CRC-32 (zlib) over the 8 seq bytes and the payload
 *       seq   u64 LE   the record's sequence number
 *       payload
 * Sequence numbers inside a segment are consecutive, starting at the first
 * seq in the file name. A record is whole only when its header, payload and
 * CRC are; the first record that is not ends the valid part (a torn tail
 * after kill -9: the queue cuts the file there on open). */
#ifndef CG_FWD_SEGMENT_H
#define CG_FWD_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define FWD_SEGMENT_MAGIC "CGFWDQ1\n"
#define FWD_SEGMENT_MAGIC_LEN 8
#define FWD_RECORD_HDR 16
/* Largest payload of one record. */
#define FWD_RECORD_MAX ((size_t)1 << 20)

/* Write the record header for `seq` and payload p[0..n) at hdr[0..16). */
void fwd_segment_header(unsigned char hdr[FWD_RECORD_HDR], uint64_t seq, const void *p, size_t n);

/* Decode the record at data[off..n) that must carry sequence number
 * `expect_seq`. On CG_OK: *payload and *plen borrow from `data`, *next is the
 * offset after the record. At the end of the data (off == n) returns
 * CG_ENOTFOUND. A record cut short by the end of the data returns
 * CG_ELIMIT (a torn tail); anything else wrong (bad length, CRC, seq)
 * returns CG_EPARSE. Both set a message naming the offset and the field. */
enum cg_err fwd_segment_next(const unsigned char *data, size_t n, size_t off, uint64_t expect_seq,
                             const unsigned char **payload, size_t *plen, size_t *next) CG_MUST_CHECK;

/* Walk a whole segment image whose first record has `first_seq`: *valid is
 * the length of the well-formed prefix (magic and whole records), *count
 * the records in it. CG_OK when the whole image is well-formed; CG_ELIMIT
 * for a torn tail; CG_EPARSE for a bad magic or a corrupt record (message
 * with the offset). */
enum cg_err fwd_segment_scan(const unsigned char *data, size_t n, uint64_t first_seq, size_t *valid,
                             uint64_t *count) CG_MUST_CHECK;

#endif
