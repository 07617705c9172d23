/* Helpers shared by the inventory parsers. */
#ifndef CG_INV_INTERNAL_H
#define CG_INV_INTERNAL_H

#include <stddef.h>

#include "inventory.h"

/* Line iterator over a buffer; strips "\r\n" / "\n". */
struct inv_lines {
	const char *p, *end;
	size_t line; /* 1-based number of the line last returned */
};
void inv_lines_init(struct inv_lines *l, const char *buf, size_t len);
/* Next line into (*s, *n); 0 at the end. Lines longer than INV_MAX_LINE
 * are returned truncated; callers check *n against INV_MAX_LINE. */
int inv_lines_next(struct inv_lines *l, const char **s, size_t *n);
#define INV_MAX_LINE (1u << 16)

/* Copy s[0..n) trimmed of blanks into dst (cap bytes incl. NUL); returns the
 * length or -1 when it does not fit. */
int inv_copy(char *dst, size_t cap, const char *s, size_t n);

/* Emit one item, counting against INV_MAX_ITEMS. */
enum cg_err inv_emit(inv_item_fn fn, void *ctx, const struct inv_item *it, size_t *count, const char *file);

#endif
