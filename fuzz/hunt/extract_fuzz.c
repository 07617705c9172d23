/* Fuzz extract_line: every token must lie inside the line, in order, and be
 * of a requested kind; the line may hold anything, NUL bytes included. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "extract.h"
#include "ioc.h"

struct check {
	size_t len, last_off;
	unsigned kinds;
};

static int on_token(void *ctx, const struct extract_token *t)
{
	struct check *c = ctx;
	if (t->off + t->len > c->len || t->len == 0 || !(t->kind & c->kinds))
		__builtin_trap();
	/* Address tokens start in order; a URL may precede the words inside it. */
	if (t->kind != EXTRACT_URL) {
		if (t->off < c->last_off)
			__builtin_trap();
		c->last_off = t->off;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check c = {size, 0, EXTRACT_ALL};
	unsigned kinds = size ? (data[0] & EXTRACT_ALL) | EXTRACT_IPV4 : EXTRACT_ALL;

	extract_line((const char *)data, size, EXTRACT_ALL, on_token, &c);
	c.last_off = 0;
	c.kinds = kinds;
	extract_line((const char *)data, size, kinds, on_token, &c);
	return 0;
}
