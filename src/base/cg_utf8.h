/* cg_utf8 — the one well-formedness check of UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), inline because the JSON
 * writers and readers call it for every non-ASCII byte. Pure. */
#ifndef CG_UTF8_H
#define CG_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed sequence at s[0, n), or 0 when it is not
 * one. n must be at least 1. */
static inline size_t cg_utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

#endif
