/* extract — indicator-shaped tokens of a line.
 *
 * Token boundaries (documented in canhgac-hunt(1)):
 *   A "word" is a maximal run of letters, digits and the bytes . : - _
 *   Everything else (blank, = , ; / [ ] ( ) < > " ' @ % ? & | ...) ends a word.
 *   One trailing dot is dropped ("from 1.2.3.4." and "EVIL.COM.").
 *   In a word:
 *   - with two or more colons, the whole word is tried as IPv6 first;
 *   - otherwise colons separate (1.2.3.4:22, evil.com:8080, 12:34:56);
 *   - a word of only digits and dots is an IPv4 address or nothing
 *     (11.2.3.4, 1.2.3.45 and 1.2.3.4.5 never yield 1.2.3.4);
 *   - a word with a dot whose labels are [a-z0-9_-], top label with a
 *     letter, is a domain;
 *   - otherwise hyphens separate (1.2.3.4-1.2.3.9 gives both addresses);
 *   - a word of 32, 40, 64 or 128 hex digits is a hash.
 *   Letters, digits, '_' or '.' next to an address make it part of a longer
 *   word, so "a1.2.3.4" and "1.2.3.4_x" are not addresses.
 *   A URL is scheme "://" up to a blank, quote or < >; words inside a URL are
 *   reported as well.
 */
#include "extract.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ioc.h"

enum {
	C_WORD = 1u << 0,
	C_DIGIT = 1u << 1,
	C_HEXAL = 1u << 2, /* a-f A-F */
	C_ALPHA = 1u << 3, /* other letters */
	C_DOT = 1u << 4,
	C_COLON = 1u << 5,
	C_HYPHEN = 1u << 6,
	C_UNDER = 1u << 7,
};

static const uint8_t cls[256] = {
#define D (C_WORD | C_DIGIT)
#define H (C_WORD | C_HEXAL)
#define A (C_WORD | C_ALPHA)
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['a'] = H, ['b'] = H, ['c'] = H, ['d'] = H, ['e'] = H, ['f'] = H,
	['A'] = H, ['B'] = H, ['C'] = H, ['D'] = H, ['E'] = H, ['F'] = H,
	['g'] = A, ['h'] = A, ['i'] = A, ['j'] = A, ['k'] = A, ['l'] = A, ['m'] = A, ['n'] = A, ['o'] = A,
	['p'] = A, ['q'] = A, ['r'] = A, ['s'] = A, ['t'] = A, ['u'] = A, ['v'] = A, ['w'] = A, ['x'] = A,
	['y'] = A, ['z'] = A,
	['G'] = A, ['H'] = A, ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A, ['M'] = A, ['N'] = A, ['O'] = A,
	['P'] = A, ['Q'] = A, ['R'] = A, ['S'] = A, ['T'] = A, ['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A,
	['Y'] = A, ['Z'] = A,
	['.'] = C_WORD | C_DOT, [':'] = C_WORD | C_COLON, ['-'] = C_WORD | C_HYPHEN, ['_'] = C_WORD | C_UNDER,
#undef D
#undef H
#undef A
};

/* Bytes that end a URL. */
static int url_end(unsigned char c)
{
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == 0x7f;
}

struct ex {
	const char *line;
	size_t len;
	unsigned kinds;
	extract_fn fn;
	void *ctx;
	unsigned count;
	int stop;
	/* The last URL tail scanned: no URL-ending byte in [url_from, url_to).
	 * URLs nested in a URL ("http://a/?u=http://b") end where it ends, so
	 * they reuse the scan instead of rescanning the rest of the line each
	 * time, which made a line of "http://http://..." quadratic. */
	size_t url_from, url_to;
};

static void emit(struct ex *x, enum extract_kind k, size_t off, size_t len, const uint8_t *addr, size_t alen)
{
	struct extract_token t;

	if (x->stop)
		return;
	t.kind = k;
	t.off = off;
	t.len = len;
	if (alen)
		memcpy(t.addr, addr, alen);
	if (alen < sizeof t.addr)
		memset(t.addr + alen, 0, sizeof t.addr - alen);
	x->count++;
	if (x->fn && x->fn(x->ctx, &t))
		x->stop = 1;
}

static unsigned word_flags(const char *s, size_t n)
{
	unsigned f = 0;
	for (size_t i = 0; i < n; i++)
		f |= cls[(unsigned char)s[i]];
	return f;
}

/* Labels of [a-z0-9_-], none empty, at least two, top label has a letter. */
static int domain_shape(const char *s, size_t n)
{
	size_t label = 0, labels = 1;
	unsigned top = 0;

	if (n < 3 || n > IOC_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = cls[(unsigned char)s[i]];
		if (c & C_DOT) {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
			top = 0;
		} else {
			if (++label > 63)
				return 0;
			top |= c;
		}
	}
	return label > 0 && labels >= 2 && (top & (C_ALPHA | C_HEXAL));
}

static void word(struct ex *x, size_t off, size_t n, int depth);

/* Process the pieces of [off, off+n) separated by `sep`. */
static void split(struct ex *x, size_t off, size_t n, char sep, int depth)
{
	const char *s = x->line + off;
	size_t i = 0;

	while (i <= n && !x->stop) {
		const char *p = memchr(s + i, sep, n - i);
		size_t e = p ? (size_t)(p - s) : n;
		if (e > i)
			word(x, off + i, e - i, depth + 1);
		i = e + 1;
	}
}

/* Cheap shape test before the real parse: without "::" an address has
 * exactly 7 colons (6 with a dotted IPv4 tail), with it at most 7. Times
 * (12:34:56) and MAC addresses fail here. */
static int v6_plausible(const char *s, size_t n, unsigned f)
{
	unsigned colons = 0;
	int dbl = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':') {
			colons++;
			if (i + 1 < n && s[i + 1] == ':')
				dbl = 1;
		}
	}
	if (colons < 2 || colons > 7)
		return 0;
	return dbl || colons == 7 || (colons == 6 && (f & C_DOT));
}

/* A word of only digits and dots (3 to 15 bytes): a dotted quad, each part
 * 1-3 decimal digits up to 255 (as ioc_parse_ipv4, inlined for the hot path). */
static int quad(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		if (part) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		while (i < n && s[i] != '.') {
			if (++digits > 3)
				return 0;
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (!digits || v > 255)
			return 0;
		out[part] = (uint8_t)v;
	}
	return i == n;
}

static void word_f(struct ex *x, size_t off, size_t n, int depth, unsigned f);

static void word(struct ex *x, size_t off, size_t n, int depth)
{
	const char *s = x->line + off;

	if (n && s[n - 1] == '.')
		n--;
	if (n < 3)
		return;
	word_f(x, off, n, depth, word_flags(s, n));
}

/* `f`: the class bits of the word's bytes; trailing dot already dropped. */
static void word_f(struct ex *x, size_t off, size_t n, int depth, unsigned f)
{
	const char *s = x->line + off;
	uint8_t a[16];

	if (f & C_COLON) {
		if ((x->kinds & EXTRACT_IPV6) && !(f & (C_ALPHA | C_HYPHEN | C_UNDER)) && n < 64) {
			if (v6_plausible(s, n, f) && ioc_parse_ipv6(s, n, a)) {
				emit(x, EXTRACT_IPV6, off, n, a, 16);
				return;
			}
		}
		/* "2001:db8::1-2001:db8::9" is a range of two addresses; "a-b.example:80" is not. */
		if ((f & C_HYPHEN) && depth < 2) {
			const char *c1 = memchr(s, ':', n);
			if (c1 && memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s))) {
				split(x, off, n, '-', depth);
				return;
			}
		}
		/* Parts without a dot can only be hashes: times and MAC addresses end here. */
		if (depth < 4 && ((f & C_DOT) || (n >= 32 && (x->kinds & EXTRACT_HASH))))
			split(x, off, n, ':', depth);
		return;
	}
	if (!(f & ~(unsigned)(C_WORD | C_DIGIT | C_DOT))) {
		if ((f & C_DOT) && (x->kinds & EXTRACT_IPV4) && n <= 15 && quad(s, n, a))
			emit(x, EXTRACT_IPV4, off, n, a, 4);
		else if (!(f & C_DOT) && (x->kinds & EXTRACT_HASH) && (n == 32 || n == 40 || n == 64 || n == 128))
			emit(x, EXTRACT_HASH, off, n, NULL, 0);
		return;
	}
	if ((f & C_DOT) && domain_shape(s, n)) {
		if (x->kinds & EXTRACT_DOMAIN)
			emit(x, EXTRACT_DOMAIN, off, n, NULL, 0);
		return;
	}
	if (f & C_HYPHEN) {
		if (depth < 4 && ((f & C_DOT) || (n >= 32 && (x->kinds & EXTRACT_HASH))))
			split(x, off, n, '-', depth);
		return;
	}
	if (!(f & ~(unsigned)(C_WORD | C_DIGIT | C_HEXAL)) && (x->kinds & EXTRACT_HASH) &&
	    (n == 32 || n == 40 || n == 64 || n == 128))
		emit(x, EXTRACT_HASH, off, n, NULL, 0);
}

/* At s[i] == ':' with "//" after it: the URL starting at the scheme, if any. */
static void maybe_url(struct ex *x, size_t wstart, size_t colon)
{
	size_t b = colon, e;

	if (colon + 2 >= x->len || x->line[colon + 1] != '/' || x->line[colon + 2] != '/')
		return;
	/* The scheme: letters (then letters, digits, + - .) back to the word start. */
	while (b > wstart) {
		unsigned c = cls[(unsigned char)x->line[b - 1]];
		if (!(c & (C_ALPHA | C_HEXAL | C_DIGIT | C_DOT | C_HYPHEN)))
			break;
		b--;
	}
	while (b < colon && !(cls[(unsigned char)x->line[b]] & (C_ALPHA | C_HEXAL)))
		b++;
	if (b == colon)
		return;
	e = colon + 3;
	if (x->url_to && x->url_from <= e && e <= x->url_to) {
		e = x->url_to;
	} else {
		x->url_from = e;
		while (e < x->len && !url_end((unsigned char)x->line[e]))
			e++;
		x->url_to = e;
	}
	if (e > colon + 3)
		emit(x, EXTRACT_URL, b, e - b, NULL, 0);
}

/* The first '.' or ':' in s[i, len), or len. */
static size_t next_mark(const char *s, size_t len, size_t i)
{
#ifdef __SSE2__
	const __m128i dot = _mm_set1_epi8('.'), colon = _mm_set1_epi8(':');
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, colon)));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < len; i++)
		if (s[i] == '.' || s[i] == ':')
			return i;
	return len;
}

/* Without hashes and URLs only words with a dot or a colon can give a
 * token, so look for those bytes (sixteen at a time) and take the word
 * around each; the bytes of other words are never looked at. Same words,
 * same flags, same order as the loop in extract_line. */
static void extract_marked(struct ex *x)
{
	const char *line = x->line;
	size_t len = x->len, i = 0;

	while (i < len && !x->stop) {
		size_t p = next_mark(line, len, i), s, e, n;
		unsigned f;

		if (p >= len)
			break;
		/* Words are maximal and i is never inside one: this one starts at or after i. */
		f = 0;
		for (s = p; s > i; s--) {
			unsigned c = cls[(unsigned char)line[s - 1]];
			if (!(c & C_WORD))
				break;
			f |= c;
		}
		for (e = p; e < len; e++) {
			unsigned c = cls[(unsigned char)line[e]];
			if (!(c & C_WORD))
				break;
			f |= c;
		}
		i = e;
		n = e - s;
		/* A dropped trailing dot changes the flags only when it was the one dot. */
		if (line[e - 1] == '.') {
			if (--n < 3)
				continue;
			f = word_flags(line + s, n);
		} else if (n < 3) {
			continue;
		}
		word_f(x, s, n, 0, f);
	}
}

unsigned extract_line(const char *line, size_t len, unsigned kinds, extract_fn fn, void *ctx)
{
	struct ex x = {.line = line, .len = len, .kinds = kinds, .fn = fn, .ctx = ctx};
	size_t i = 0;

	if (!line)
		return 0;
	if (!(kinds & (EXTRACT_HASH | EXTRACT_URL))) {
		extract_marked(&x);
		return x.count;
	}
	while (i < len && !x.stop) {
		size_t start;
		unsigned f = 0;

		/* Skip bytes that cannot be in a word. */
		while (i < len && !(cls[(unsigned char)line[i]] & C_WORD))
			i++;
		if (i >= len)
			break;
		start = i;
		if (kinds & EXTRACT_URL) {
			while (i < len) {
				unsigned c = cls[(unsigned char)line[i]];
				if (!(c & C_WORD))
					break;
				if (c & C_COLON)
					maybe_url(&x, start, i);
				f |= c;
				i++;
			}
		} else {
			/* The hot loop of a hunt: most bytes of a log are inside words. */
			while (i + 4 <= len) {
				unsigned c0 = cls[(unsigned char)line[i]], c1 = cls[(unsigned char)line[i + 1]];
				unsigned c2 = cls[(unsigned char)line[i + 2]], c3 = cls[(unsigned char)line[i + 3]];
				if (!(c0 & c1 & c2 & c3 & C_WORD))
					break;
				f |= c0 | c1 | c2 | c3;
				i += 4;
			}
			while (i < len) {
				unsigned c = cls[(unsigned char)line[i]];
				if (!(c & C_WORD))
					break;
				f |= c;
				i++;
			}
		}
		/* Most words of a log line have neither dot nor colon and are not
		 * hash-sized: drop them without a second look. */
		if (!(f & (C_DOT | C_COLON))) {
			size_t n = i - start;
			if (!((kinds & EXTRACT_HASH) && (n == 32 || n == 40 || n == 64 || n == 128)))
				continue;
		}
		{
			size_t n = i - start;
			/* A dropped trailing dot changes the flags only when it was the one dot. */
			if (line[i - 1] == '.') {
				n--;
				if (n < 3)
					continue;
				f = word_flags(line + start, n);
			} else if (n < 3) {
				continue;
			}
			word_f(&x, start, n, 0, f);
		}
	}
	return x.count;
}
