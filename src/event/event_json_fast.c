/* The fast path of the JSON event reader: one evtx_dump-shaped event object
 * ({"Event": {"System": ..., "EventData": ...}}, the SigmaHQ regression and
 * Chainsaw shape) on one line. One pass over the line checks it and cuts it
 * into tokens (start, end, children) without allocating; the event is then
 * filled straight from the tokens, the way event_json.c fills it from a
 * jansson tree.
 *
 * This path answers only when it is sure to give what jansson gives: the
 * grammar is RFC 8259's, every string is checked (UTF-8, control
 * characters, escapes), every number and literal is checked, keys are
 * unique. Anything else (another shape, a real number, a \u escape outside
 * the BMP or of a NUL, a duplicate key, a value split over lines, ...)
 * returns CG_EUNSUPPORTED and the caller parses the text with jansson,
 * which also words the errors. fuzz/sigma/event_json_fast_fuzz.c holds it
 * to jansson. */
#include <inttypes.h>
#include <jansson.h> /* JSON_PARSER_MAX_DEPTH */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_utf8.h"
#include "cg_event_int.h"

enum tok_type { TOK_OBJECT = 1, TOK_ARRAY, TOK_STRING, TOK_PRIMITIVE };

/* A token: strings without their quotes, containers with their brackets.
 * size: an object's keys, an array's items, 1 for a key, 0 otherwise. */
struct tok {
	int type;
	int start, end, size;
	/* containers: the enclosing container while open, the token after
	 * the subtree once closed; keys: the previous key of the same object
	 * (-1: the first) */
	int link;
};

#define FAST_MAX_TOKENS 16384
#define FAST_MAX_KEYS 128     /* keys of one object (duplicate check is quadratic) */
#define FAST_MAX_LINE ((size_t)16 << 20)
#define FAST_FLAT_DEPTH 16    /* as JSON_FLAT_DEPTH in event_json.c */

struct fast {
	const char *js;
	struct tok *t;
	unsigned char *esc; /* per token: the string has escapes */
	int n;
	struct cg_event *ev;
};

/* Index of the token after the subtree at i (a key: after its value).
 * A closed container's link holds it (set by tokenize). */
static int skip(const struct fast *f, int i)
{
	const struct tok *t = &f->t[i];
	if (t->type == TOK_OBJECT || t->type == TOK_ARRAY)
		return t->link;
	return t->type == TOK_STRING && t->size ? skip(f, i + 1) : i + 1;
}

static int key_is(const struct fast *f, int k, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(f->t[k].end - f->t[k].start) == n && memcmp(f->js + f->t[k].start, s, n) == 0;
}

/* Value of member `key` of object o, or -1. */
static int get(const struct fast *f, int o, const char *key)
{
	if (o < 0 || f->t[o].type != TOK_OBJECT)
		return -1;
	int i = o + 1;
	for (int k = 0; k < f->t[o].size; k++) {
		if (key_is(f, i, key))
			return i + 1;
		i = skip(f, i + 1);
	}
	return -1;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Which of eight bytes need a look inside a string: below 0x20, a quote,
 * a backslash, or 0x80 and up? The high bit of each such byte; the lowest
 * one set is always exact (the borrows of these tests only run upwards). */
static inline uint64_t word_needs_look(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	uint64_t ctl = (x - ones * 0x20) & ~x & highs;           /* a byte < 0x20 */
	uint64_t y = x ^ ones * (unsigned char)'\\';
	uint64_t bsl = (y - ones) & ~y & highs;                  /* a byte == '\\' */
	uint64_t z = x ^ ones * (unsigned char)'"';
	uint64_t quo = (z - ones) & ~z & highs;                  /* a byte == '"' */
	return (x & highs) | ctl | bsl | quo;
}

/* Unescape a checked string into out (as long as the input at most). */
static size_t unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		char e = s[i + 1];
		if (e == 'u') {
			unsigned cp = 0;
			for (int k = 2; k < 6; k++)
				cp = cp << 4 | (unsigned)hexval(s[i + (size_t)k]);
			if (cp < 0x80) {
				out[o++] = (char)cp;
			} else if (cp < 0x800) {
				out[o++] = (char)(0xc0 | cp >> 6);
				out[o++] = (char)(0x80 | (cp & 0x3f));
			} else {
				out[o++] = (char)(0xe0 | cp >> 12);
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				out[o++] = (char)(0x80 | (cp & 0x3f));
			}
			i += 6;
			continue;
		}
		out[o++] = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
		i += 2;
	}
	return o;
}

/* A JSON integer jansson would accept (json_int_t is long long); reals are
 * left to jansson (locale, %.17g). */
static int integer_ok(const char *s, size_t n, long long *v)
{
	size_t i = 0;
	int neg = 0;
	unsigned long long acc = 0;
	if (i < n && s[i] == '-')
		neg = 1, i++;
	if (i >= n || s[i] < '0' || s[i] > '9' || (s[i] == '0' && i + 1 < n))
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		acc = acc * 10 + (unsigned)(s[i] - '0');
		if (acc > (unsigned long long)LLONG_MAX + (unsigned)neg)
			return 0;
	}
	*v = neg ? (long long)(0 - acc) : (long long)acc;
	return 1;
}

/* The line being tokenized. */
struct lex {
	const char *js;
	size_t i, end; /* end: the line's length, at most FAST_MAX_LINE */
	struct cg_event *ev;
	struct tok *t;
	unsigned char *esc;
	int n, cap;
};

/* A new token (the array grows up to FAST_MAX_TOKENS); -1: this path cannot
 * take the line, -2: out of memory. */
static int tok_new(struct lex *l, int type, size_t start)
{
	if (l->n == l->cap) {
		if (l->cap >= FAST_MAX_TOKENS)
			return -1;
		size_t na = (size_t)l->cap * 2;
		void *nt = realloc(l->ev->json_tok, na * (sizeof(struct tok) + 1));
		if (!nt)
			return -2;
		/* The escape flags live after the tokens, in the same block. */
		memmove((struct tok *)nt + na, (struct tok *)nt + l->cap, (size_t)l->n);
		l->ev->json_tok = nt;
		l->ev->json_tok_alloc = na;
		l->t = nt;
		l->esc = (unsigned char *)(l->t + na);
		l->cap = (int)na;
	}
	struct tok *t = &l->t[l->n];
	t->type = type;
	t->start = (int)start;
	t->end = -1;
	t->size = 0;
	t->link = -1;
	l->esc[l->n] = 0;
	return l->n++;
}

/* A string from l->i (after its opening quote) to its closing quote:
 * UTF-8, no control characters, escapes of RFC 8259 (a \u of NUL or of a
 * surrogate is left to jansson). 0 when this path cannot take it. */
static int lex_string(struct lex *l, int *esc)
{
	const char *s = l->js;
	size_t i = l->i, end = l->end;
	*esc = 0;
	for (;;) {
		while (end - i >= 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			uint64_t m = word_needs_look(x);
			if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				i += (size_t)__builtin_ctzll(m) >> 3; /* the first such byte */
#endif
				break;
			}
			i += 8;
		}
		if (i >= end)
			return 0;
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			*esc = 1;
			if (i + 1 >= end)
				return 0;
			char e = s[i + 1];
			if (e == 'u') {
				if (end - i < 6)
					return 0;
				unsigned cp = 0;
				for (int k = 2; k < 6; k++) {
					int h = hexval(s[i + (size_t)k]);
					if (h < 0)
						return 0;
					cp = cp << 4 | (unsigned)h;
				}
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
					return 0;
				i += 6;
			} else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
			           e == 't') {
				i += 2;
			} else {
				return 0;
			}
		} else if (c >= 0x80) {
			size_t k = cg_utf8_len((const unsigned char *)s + i, end - i);
			if (!k)
				return 0;
			i += k;
		} else {
			i++;
		}
	}
	l->i = i;
	return 1;
}

/* A primitive from l->i to the next blank, ',', ']' or '}': true, false,
 * null or an integer jansson keeps exact (reals are left to jansson:
 * locale, %.17g). 0 when this path cannot take it. */
static int lex_primitive(struct lex *l)
{
	const char *s = l->js + l->i;
	size_t n = 0, room = l->end - l->i;
	long long v;
	while (n < room && s[n] != ' ' && s[n] != '\t' && s[n] != '\r' && s[n] != ',' && s[n] != ']' && s[n] != '}')
		n++;
	if (!((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
	      (n == 4 && !memcmp(s, "null", 4)) || integer_ok(s, n, &v)))
		return 0;
	l->i += n;
	return 1;
}

/* Is key token k (no escapes) already a key of its object? Keys are linked
 * to the previous key of the same object. */
static int key_seen(const struct lex *l, int k)
{
	const struct tok *t = &l->t[k];
	size_t kn = (size_t)(t->end - t->start);
	const char *ks = l->js + t->start;
	for (int p = t->link; p >= 0; p = l->t[p].link) {
		const struct tok *q = &l->t[p];
		if ((size_t)(q->end - q->start) == kn && !memcmp(l->js + q->start, ks, kn))
			return 1;
	}
	return 0;
}

/* Check and tokenize the object at the start of the line in one pass; the
 * line ends at the first newline (or the end of the text). Only blanks may
 * follow the object on its line. Returns the token count, -1 when this path
 * cannot take the line, -2 when out of memory. */
static int tokenize(struct lex *l)
{
	enum { WANT_VALUE, WANT_VALUE_OR_CLOSE, WANT_KEY, WANT_KEY_OR_CLOSE, WANT_COLON, WANT_COMMA_OR_CLOSE, DONE } st =
		WANT_VALUE;
	const char *js = l->js;
	int cur = -1;       /* the innermost open container */
	int depth = 0;      /* containers open */
	int last_key = -1;  /* the last key of cur, when cur is an object */
	for (;;) {
		while (l->i < l->end && (js[l->i] == ' ' || js[l->i] == '\t' || js[l->i] == '\r'))
			l->i++;
		if (l->i >= l->end || js[l->i] == '\n')
			return st == DONE ? l->n : -1;
		char c = js[l->i];
		int k, esc;
		switch (st) {
		case DONE:
			return -1;
		case WANT_COLON:
			if (c != ':')
				return -1;
			l->i++;
			st = WANT_VALUE;
			continue;
		case WANT_COMMA_OR_CLOSE:
			if (c == ',') {
				l->i++;
				st = l->t[cur].type == TOK_OBJECT ? WANT_KEY : WANT_VALUE;
				continue;
			}
			break; /* a closing bracket, below */
		case WANT_KEY:
		case WANT_KEY_OR_CLOSE:
			if (c == '}' && st == WANT_KEY_OR_CLOSE)
				break;
			if (c != '"')
				return -1;
			if ((k = tok_new(l, TOK_STRING, l->i + 1)) < 0)
				return k;
			l->i++;
			if (!lex_string(l, &esc) || esc)
				return -1; /* keys with escapes are left to jansson */
			l->t[k].end = (int)l->i;
			l->t[k].size = 1;
			l->t[k].link = last_key;
			l->i++;
			if (++l->t[cur].size > FAST_MAX_KEYS || key_seen(l, k))
				return -1;
			last_key = k;
			st = WANT_COLON;
			continue;
		case WANT_VALUE:
		case WANT_VALUE_OR_CLOSE:
			if (c == ']' && st == WANT_VALUE_OR_CLOSE)
				break;
			if (cur < 0 && c != '{')
				return -1;
			/* jansson counts every value, scalars too, and refuses one
			 * below JSON_PARSER_MAX_DEPTH. */
			if (depth >= JSON_PARSER_MAX_DEPTH)
				return -1;
			if (cur >= 0 && l->t[cur].type == TOK_ARRAY)
				l->t[cur].size++;
			if (c == '{' || c == '[') {
				if ((k = tok_new(l, c == '{' ? TOK_OBJECT : TOK_ARRAY, l->i)) < 0)
					return k;
				/* link: the enclosing container; the enclosing object's
				 * last key is found again from the keys' links on close. */
				l->t[k].link = cur;
				if (c == '{') {
					l->t[k].end = last_key; /* kept here while open */
					last_key = -1;
				}
				cur = k;
				depth++;
				l->i++;
				st = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
				continue;
			}
			if (c == '"') {
				if ((k = tok_new(l, TOK_STRING, l->i + 1)) < 0)
					return k;
				l->i++;
				if (!lex_string(l, &esc))
					return -1;
				l->t[k].end = (int)l->i;
				l->esc[k] = (unsigned char)esc;
				l->i++;
			} else {
				if ((k = tok_new(l, TOK_PRIMITIVE, l->i)) < 0)
					return k;
				if (!lex_primitive(l))
					return -1;
				l->t[k].end = (int)l->i;
			}
			st = WANT_COMMA_OR_CLOSE;
			continue;
		}
		/* A closing bracket for cur. */
		if (c != (l->t[cur].type == TOK_OBJECT ? '}' : ']'))
			return -1;
		struct tok *t = &l->t[cur];
		if (t->type == TOK_OBJECT)
			last_key = t->end; /* the enclosing object's last key */
		t->end = (int)l->i + 1;
		l->i++;
		cur = t->link;
		depth--;
		t->link = l->n; /* from now on: the token after the subtree */
		st = cur < 0 ? DONE : WANT_COMMA_OR_CLOSE;
	}
}

/* Scalar text as event_json.c's scalar_text gives it; 0 for objects and
 * arrays. */
static int scalar(struct fast *f, int i, const char **s, size_t *n)
{
	const struct tok *t = &f->t[i];
	const char *p = f->js + t->start;
	size_t len = (size_t)(t->end - t->start);
	switch (t->type) {
	case TOK_STRING:
		if (!f->esc[i]) {
			*s = p;
			*n = len;
			return 1;
		}
		if (len > f->ev->json_buf_alloc) {
			char *b = realloc(f->ev->json_buf, len);
			if (!b)
				return -1;
			f->ev->json_buf = b;
			f->ev->json_buf_alloc = len;
		}
		*n = unescape(p, len, f->ev->json_buf);
		*s = f->ev->json_buf;
		return 1;
	case TOK_PRIMITIVE:
		if (p[0] == 't' || p[0] == 'f') {
			*s = p[0] == 't' ? "true" : "false";
			*n = p[0] == 't' ? 4 : 5;
		} else if (p[0] == 'n') {
			*s = "";
			*n = 0;
		} else {
			/* "%lld" of the value, as jansson prints it: the checked text
			 * itself (no leading zeros, no '+'), but "-0" is "0". */
			if (len == 2 && p[0] == '-' && p[1] == '0') {
				*s = "0";
				*n = 1;
			} else {
				*s = p;
				*n = len;
			}
		}
		return 1;
	default:
		return 0;
	}
}

static enum cg_err add(struct fast *f, const char *name, size_t name_len, int v)
{
	const char *s;
	size_t n;
	int r = scalar(f, v, &s, &n);
	if (r < 0)
		return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
	return r ? cg_event_add(f->ev, name, name_len, s, n) : CG_OK;
}

/* A scalar, an array of scalars, or {"#text": ...} (add_value). */
static enum cg_err add_value(struct fast *f, const char *name, size_t name_len, int v, int depth)
{
	enum cg_err rc = CG_OK;
	if (f->t[v].type == TOK_ARRAY) {
		int i = v + 1;
		for (int k = 0; k < f->t[v].size && !rc; k++) {
			rc = add(f, name, name_len, i);
			i = skip(f, i);
		}
		return rc;
	}
	if (f->t[v].type == TOK_OBJECT) {
		int t = get(f, v, "#text");
		/* jansson recurses without bound here; its input depth is capped
		 * by its own parser, ours by the token cap. */
		return t >= 0 && depth < 2 * FAST_MAX_TOKENS ? add_value(f, name, name_len, t, depth + 1) : CG_OK;
	}
	return add(f, name, name_len, v);
}

static enum cg_err flatten_leaves(struct fast *f, int o, int depth)
{
	if (depth > FAST_FLAT_DEPTH)
		return CG_OK;
	int i = o + 1;
	for (int k = 0; k < f->t[o].size; k++, i = skip(f, i + 1)) {
		enum cg_err rc;
		int v = i + 1;
		if (key_is(f, i, "#attributes") || key_is(f, i, "xmlns"))
			continue;
		if (f->t[v].type == TOK_OBJECT && get(f, v, "#text") < 0)
			rc = flatten_leaves(f, v, depth + 1);
		else
			rc = add_value(f, f->js + f->t[i].start, (size_t)(f->t[i].end - f->t[i].start), v, 0);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err system_fields(struct fast *f, int sys)
{
	int i = sys + 1;
	for (int k = 0; k < f->t[sys].size; k++, i = skip(f, i + 1)) {
		enum cg_err rc;
		const char *key = f->js + f->t[i].start;
		size_t kl = (size_t)(f->t[i].end - f->t[i].start);
		int v = i + 1, attrs = -1;
		size_t base = kl;
		/* (a key holds no NUL: raw control bytes and \u0000 are refused) */
		if (kl > 11 && !memcmp(key + kl - 11, "_attributes", 11)) {
			attrs = v;
			base = kl - 11;
		} else if (f->t[v].type == TOK_OBJECT) {
			attrs = get(f, v, "#attributes");
		}
		if (attrs >= 0 && f->t[attrs].type == TOK_OBJECT) {
			int a = attrs + 1;
			for (int m = 0; m < f->t[attrs].size; m++, a = skip(f, a + 1)) {
				/* "<key>_<attribute>" (the key cut at 120 bytes), at most
				 * 255 bytes; keys hold no NUL. */
				char name[256];
				size_t kn = base > 120 ? 120 : base, an = (size_t)(f->t[a].end - f->t[a].start);
				memcpy(name, key, kn);
				name[kn] = '_';
				if (an > sizeof name - 2 - kn)
					an = sizeof name - 2 - kn;
				memcpy(name + kn + 1, f->js + f->t[a].start, an);
				size_t len = kn + 1 + an;
				if ((rc = add(f, name, len, a + 1)))
					return rc;
			}
		}
		if (attrs == v || (f->t[v].type == TOK_PRIMITIVE && f->js[f->t[v].start] == 'n'))
			continue;
		if ((rc = add_value(f, key, kl, v, 0)))
			return rc;
	}
	return CG_OK;
}

static enum cg_err evtx_shape(struct fast *f, int event)
{
	enum cg_err rc;
	int sys = get(f, event, "System");
	if ((rc = system_fields(f, sys)))
		return rc;
	int data = get(f, event, "EventData");
	if (data >= 0 && f->t[data].type == TOK_OBJECT) {
		int i = data + 1;
		for (int k = 0; k < f->t[data].size; k++, i = skip(f, i + 1)) {
			int v = i + 1;
			if (key_is(f, i, "#attributes"))
				continue;
			if (f->t[v].type == TOK_OBJECT && get(f, v, "#text") < 0)
				rc = flatten_leaves(f, v, 1);
			else
				rc = add_value(f, f->js + f->t[i].start, (size_t)(f->t[i].end - f->t[i].start), v, 0);
			if (rc)
				return rc;
		}
	} else if (data >= 0 && (f->t[data].type == TOK_STRING || f->t[data].type == TOK_ARRAY)) {
		if ((rc = add_value(f, "Data", 4, data, 0)))
			return rc;
	}
	int user = get(f, event, "UserData");
	if (user >= 0 && f->t[user].type == TOK_OBJECT && (rc = flatten_leaves(f, user, 1)))
		return rc;
	int ri = get(f, event, "RenderingInfo");
	int msg = get(f, ri, "Message");
	if (msg >= 0 && (rc = add_value(f, "Message", 7, msg, 0)))
		return rc;
	cg_event_json_facts(f->ev);
	if (!cg_event_product(f->ev))
		cg_event_set_product(f->ev, CG_EVENT_PRODUCT_WINDOWS);
	return CG_OK;
}

enum cg_err cg_event_json_fast(const char *text, size_t len, struct cg_event *ev, size_t *used)
{
	if (len == 0 || text[0] != '{')
		return CG_EUNSUPPORTED;
	if (!ev->json_tok) {
		ev->json_tok_alloc = 256;
		if (!(ev->json_tok = malloc(ev->json_tok_alloc * (sizeof(struct tok) + 1))))
			return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
	}
	struct lex l = {
		.js = text,
		.end = len > FAST_MAX_LINE ? FAST_MAX_LINE : len,
		.ev = ev,
		.t = ev->json_tok,
		.cap = (int)ev->json_tok_alloc,
	};
	l.esc = (unsigned char *)(l.t + l.cap);
	int n = tokenize(&l);
	/* A line longer than FAST_MAX_LINE is left to jansson. */
	if (n == -2)
		return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
	if (n < 1 || (l.end < len && text[l.end] != '\n' && l.i >= l.end))
		return CG_EUNSUPPORTED;
	struct fast f = {.js = text, .t = l.t, .esc = l.esc, .n = n, .ev = ev};
	int event = get(&f, 0, "Event");
	if (event < 0 || f.t[event].type != TOK_OBJECT || get(&f, event, "System") < 0 ||
	    f.t[get(&f, event, "System")].type != TOK_OBJECT)
		return CG_EUNSUPPORTED;
	cg_event_reset(ev);
	enum cg_err rc = evtx_shape(&f, event);
	if (rc == CG_EUNSUPPORTED) {
		cg_event_reset(ev);
		return rc;
	}
	*used = (size_t)f.t[0].end;
	return rc;
}
