#include "cg_esc.h"
#include "cg_utf8.h"

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

/* Length of the valid UTF-8 sequence at s (1-4), or 0; its code point in *cp. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	size_t len = cg_utf8_len(s, n);
	uint32_t c;

	if (!len)
		return 0;
	c = s[0] & lead_mask[len];
	for (size_t i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
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
