/* custody — the chain-of-custody log's text form and its hash chain. Pure.
 *
 * One entry is one line of eight TAB-separated fields:
 *   SEQ  AT(ISO 8601 UTC)  ACTION  ACTOR  SHA256|-  DETAIL  PREV  HASH
 * where text fields escape '\\', TAB, CR and LF as \\\\, \\t, \\r, \\n, and
 * HASH = hex SHA-256 of "PREV\t" followed by the first six fields as written.
 * PREV is the HASH of the entry before (64 zeros for the first), so changing,
 * removing or reordering any entry breaks the chain at that entry. */
#ifndef CG_CUSTODY_H
#define CG_CUSTODY_H

#include <stddef.h>
#include <stdint.h>

#include "cg_buf.h"
#include "cg_err.h"

#define CUSTODY_ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define CUSTODY_LINE_MAX 16384

/* Append the six hashed fields (no newline) to `out`. */
enum cg_err custody_body(struct cg_buf *out, int64_t seq, int64_t at, const char *action, const char *actor,
			 const char *sha256, const char *detail) CG_MUST_CHECK;
/* hex SHA-256 of prev "\t" body into out (65 bytes). */
enum cg_err custody_hash(const char *prev, const char *body, size_t n, char out[65]) CG_MUST_CHECK;

/* A parsed line; strings point into the caller's scratch buffer. */
struct custody_line {
	int64_t seq, at;
	const char *action, *actor, *sha256, *detail; /* unescaped */
	char prev[65], hash[65];
	size_t body_len; /* the first six fields' bytes in the line */
};
/* Parse one line (without its newline). `scratch` (cap CUSTODY_LINE_MAX)
 * receives the unescaped fields. CG_EPARSE with the reason on a bad line. */
enum cg_err custody_line_parse(const char *line, size_t n, struct cg_buf *scratch,
			       struct custody_line *out) CG_MUST_CHECK;

/* Lower-case hex of `n` bytes into out (2n+1 bytes). */
void custody_hex(const unsigned char *p, size_t n, char *out);

#endif
