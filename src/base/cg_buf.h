/* cg_buf — a growable byte buffer that refuses to grow past the cap it was
 * given, so input an attacker controls can never take unbounded memory. */
#ifndef CG_BUF_H
#define CG_BUF_H

#include <stddef.h>

#include "cg_err.h"

struct cg_buf {
	char *data;  /* always NUL-terminated when non-NULL */
	size_t len;
	size_t alloc;
	size_t cap;  /* maximum len; 0 means SIZE_MAX/2 */
};

/* Initialise an empty buffer that may hold at most `cap` bytes. No allocation. */
void cg_buf_init(struct cg_buf *b, size_t cap);
/* Release the memory; the buffer is empty and reusable afterwards. */
void cg_buf_free(struct cg_buf *b);
/* Forget the content, keep the memory. */
void cg_buf_reset(struct cg_buf *b);

enum cg_err cg_buf_append(struct cg_buf *b, const void *p, size_t n) CG_MUST_CHECK;
enum cg_err cg_buf_putc(struct cg_buf *b, char c) CG_MUST_CHECK;
enum cg_err cg_buf_puts(struct cg_buf *b, const char *s) CG_MUST_CHECK;
enum cg_err cg_buf_printf(struct cg_buf *b, const char *fmt, ...) CG_PRINTF(2, 3) CG_MUST_CHECK;
/* Make room for `n` more bytes; returns CG_ELIMIT past the cap. */
enum cg_err cg_buf_reserve(struct cg_buf *b, size_t n) CG_MUST_CHECK;

/* Take the content: returns the malloc'ed string (caller frees) and leaves the
 * buffer empty. Never NULL on success (an empty buffer gives ""). */
char *cg_buf_steal(struct cg_buf *b);

#endif
