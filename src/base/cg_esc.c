#include "cg_esc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RING 8

static _Thread_local struct {
	char *buf;
	size_t cap;
} ring[RING];
static _Thread_local unsigned ring_next;

static char *put_hex(char *o, unsigned char c)
{
	static const char d[] = "0123456789abcdef";
	*o++ = '\\';
	*o++ = 'x';
	*o++ = d[c >> 4];
	*o++ = d[c & 15];
	return o;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

char *cg_esc_put(char *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char *o = out;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_len(s + i, len - i, &cp);
		if (n == 0) {
			o = put_hex(o, s[i++]);
			continue;
		}
		if (cp < 0x20 || cp == 0x7f) {
			*o++ = '\\';
			switch (cp) {
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			case 0x1b: *o++ = 'e'; break;
			default: o = put_hex(o - 1, (unsigned char)cp); break;
			}
		} else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			/* C1 controls (2 bytes -> 6) and bidi overrides (3 bytes -> 6). */
			static const char d[] = "0123456789abcdef";
			*o++ = '\\';
			*o++ = 'u';
			*o++ = d[(cp >> 12) & 15];
			*o++ = d[(cp >> 8) & 15];
			*o++ = d[(cp >> 4) & 15];
			*o++ = d[cp & 15];
		} else {
			memcpy(o, s + i, n);
			o += n;
		}
		i += n;
	}
	*o = '\0';
	return o;
}

const char *cg_esc(const char *s)
{
	size_t len, need;
	unsigned k = ring_next++ % RING;

	if (!s)
		return "";
	len = strlen(s);
	need = CG_ESC_ROOM(len);
	if (ring[k].cap < need) {
		char *nb = realloc(ring[k].buf, need);
		if (!nb)
			return "?";
		ring[k].buf = nb;
		ring[k].cap = need;
	}
	cg_esc_put(ring[k].buf, s, len);
	return ring[k].buf;
}

void cg_esc_free(void)
{
	for (unsigned k = 0; k < RING; k++) {
		free(ring[k].buf);
		ring[k].buf = NULL;
		ring[k].cap = 0;
	}
}
