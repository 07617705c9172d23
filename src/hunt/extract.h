/* extract — find indicator-shaped tokens in one line of text, in one pass.
 *
 * Pure and allocation-free. Tokens are whole: an IPv4 address is never part of
 * a longer run of digits and dots ("11.2.3.4", "1.2.3.45", "1.2.3.4.5" give no
 * 1.2.3.4), a domain is a maximal run of labels, a hash a maximal run of hex.
 * IPv6 is recognised in every textual form (compressed, full, mixed with an
 * IPv4 tail, in brackets, with a %zone). */
#ifndef CG_EXTRACT_H
#define CG_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

enum extract_kind {
	EXTRACT_IPV4 = 1u << 0,
	EXTRACT_IPV6 = 1u << 1,
	EXTRACT_DOMAIN = 1u << 2, /* at least two labels, top label has a letter */
	EXTRACT_HASH = 1u << 3,   /* 32, 40, 64 or 128 hex digits */
	EXTRACT_URL = 1u << 4,
	EXTRACT_ALL = 0x1f
};

struct extract_token {
	enum extract_kind kind;
	size_t off, len;  /* the token's bytes in the line */
	uint8_t addr[16]; /* IPv4 in addr[0..3], IPv6 all 16 (network order) */
};

/* Called for each token in order; return non-zero to stop early. */
typedef int (*extract_fn)(void *ctx, const struct extract_token *t);

/* Report every token of the kinds in `kinds` (a mask of enum extract_kind).
 * Returns the number of tokens reported. */
unsigned extract_line(const char *line, size_t len, unsigned kinds, extract_fn fn, void *ctx);

#endif
