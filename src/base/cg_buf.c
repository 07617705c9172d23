#include "cg_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"

void cg_buf_init(struct cg_buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : SIZE_MAX / 2;
}

void cg_buf_free(struct cg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void cg_buf_reset(struct cg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

enum cg_err cg_buf_reserve(struct cg_buf *b, size_t n)
{
	size_t want, nalloc;
	char *p;

	if (n > b->cap || b->len > b->cap - n)
		return cg_err_set(CG_ELIMIT, _("buffer would exceed its limit of %zu bytes"), b->cap);
	want = b->len + n + 1;
	if (want <= b->alloc)
		return CG_OK;
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < want)
		nalloc = nalloc > SIZE_MAX / 2 ? want : nalloc * 2;
	p = realloc(b->data, nalloc);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory growing a buffer to %zu bytes"), nalloc);
	b->data = p;
	b->alloc = nalloc;
	return CG_OK;
}

enum cg_err cg_buf_append(struct cg_buf *b, const void *p, size_t n)
{
	enum cg_err rc = cg_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CG_OK;
}

enum cg_err cg_buf_putc(struct cg_buf *b, char c)
{
	return cg_buf_append(b, &c, 1);
}

enum cg_err cg_buf_puts(struct cg_buf *b, const char *s)
{
	return cg_buf_append(b, s, strlen(s));
}

enum cg_err cg_buf_printf(struct cg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum cg_err rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cg_err_set(CG_EINVAL, "bad format string");
	rc = cg_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CG_OK;
}

char *cg_buf_steal(struct cg_buf *b)
{
	char *s = b->data;
	if (!s)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return s;
}
