/* The fast path of the JSON event reader: one evtx_dump-shaped event object
 * ({"Event": {"System": ..., "EventData": ...}}, the SigmaHQ regression and
 * Chainsaw shape) on one line. jsmn (Debian libjsmn-dev) cuts the line into
 * tokens without allocating; the event is filled straight from them, the
 * way event_json.c fills it from a jansson tree.
 *
 * This path answers only when it is sure to give what jansson gives: every
 * string is checked (UTF-8, control characters, escapes), every number and
 * literal is checked, keys are unique. Anything else (another shape, a real
 * number, a \u escape outside the BMP or of a NUL, a duplicate key, a value
 * split over lines, ...) returns CG_EUNSUPPORTED and the caller parses the
 * text with jansson, which also words the errors. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "cg_utf8.h"
#include "cg_event_int.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS /* closing brackets without a backward scan */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <jsmn.h>
#pragma GCC diagnostic pop

#define FAST_MAX_TOKENS 16384
#define FAST_MAX_KEYS 128     /* keys of one object (duplicate check is quadratic) */
#define FAST_MAX_LINE ((size_t)16 << 20)
#define FAST_FLAT_DEPTH 16    /* as JSON_FLAT_DEPTH in event_json.c */

struct fast {
	const char *js;
	jsmntok_t *t;
	unsigned char *esc; /* per token: the string has escapes */
	int n;
	struct cg_event *ev;
};

/* Index of the token after the subtree at i. */
static int skip(const struct fast *f, int i)
{
	int open = 1;
	while (open && i < f->n) {
		open += f->t[i].size;
		open--;
		i++;
	}
	return i;
}

static int key_is(const struct fast *f, int k, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(f->t[k].end - f->t[k].start) == n && memcmp(f->js + f->t[k].start, s, n) == 0;
}

/* Value of member `key` of object o, or -1. */
static int get(const struct fast *f, int o, const char *key)
{
	if (o < 0 || f->t[o].type != JSMN_OBJECT)
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

/* Check a string token; *esc set when it has escapes. 0 when this path
 * cannot take it. */
/* Does any of eight bytes need a look: below 0x20, a backslash, or 0x80
 * and up? (Word-at-a-time tests; exact, no false negatives.) */
static inline int word_needs_look(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	uint64_t ctl = (x - ones * 0x20) & ~x & highs;           /* a byte < 0x20 */
	uint64_t y = x ^ ones * (unsigned char)'\\';
	uint64_t bsl = (y - ones) & ~y & highs;                  /* a byte == '\\' */
	return ((x & highs) | ctl | bsl) != 0;
}

static int string_ok(const char *s, size_t n, int *esc)
{
	*esc = 0;
	for (size_t i = 0; i < n;) {
		if (n - i >= 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			if (!word_needs_look(x)) {
				i += 8;
				continue;
			}
		}
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			*esc = 1;
			if (i + 1 >= n)
				return 0;
			char e = s[i + 1];
			if (e == 'u') {
				if (i + 6 > n)
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
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0')
				return 0;
			i += 2;
			continue;
		}
		if (c >= 0x80) {
			size_t k = cg_utf8_len((const unsigned char *)s + i, n - i);
			if (!k)
				return 0;
			i += k;
			continue;
		}
		i++;
	}
	return 1;
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

/* Every token checked once: keys are unique strings without escapes,
 * strings and literals are what jansson accepts. */
static int all_tokens_ok(struct fast *f)
{
	for (int i = 0; i < f->n; i++) {
		const jsmntok_t *t = &f->t[i];
		const char *s = f->js + t->start;
		size_t n = (size_t)(t->end - t->start);
		int esc;
		long long v;
		switch (t->type) {
		case JSMN_STRING:
			if (!string_ok(s, n, &esc))
				return 0;
			f->esc[i] = (unsigned char)esc;
			break;
		case JSMN_PRIMITIVE:
			if (!((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
			      (n == 4 && !memcmp(s, "null", 4)) || integer_ok(s, n, &v)))
				return 0;
			break;
		case JSMN_OBJECT: {
			if (t->size > FAST_MAX_KEYS)
				return 0;
			int keys[FAST_MAX_KEYS], k = i + 1;
			for (int m = 0; m < t->size; m++) {
				if (k >= f->n || f->t[k].type != JSMN_STRING || f->t[k].size != 1)
					return 0;
				const char *ks = f->js + f->t[k].start;
				size_t kn = (size_t)(f->t[k].end - f->t[k].start);
				if (memchr(ks, '\\', kn))
					return 0;
				for (int p = 0; p < m; p++) {
					const jsmntok_t *q = &f->t[keys[p]];
					if ((size_t)(q->end - q->start) == kn && !memcmp(f->js + q->start, ks, kn))
						return 0;
				}
				keys[m] = k;
				k = skip(f, k + 1);
			}
			break;
		}
		case JSMN_ARRAY:
			break;
		default:
			return 0;
		}
	}
	return 1;
}

static size_t blanks(const char *js, size_t p, size_t end)
{
	while (p < end && (js[p] == ' ' || js[p] == '\t' || js[p] == '\r' || js[p] == '\n'))
		p++;
	return p;
}

/* Where the text of token i begins and ends (strings with their quotes). */
static size_t tok_from(const struct fast *f, int i)
{
	return (size_t)f->t[i].start - (f->t[i].type == JSMN_STRING);
}

static size_t tok_to(const struct fast *f, int i)
{
	return (size_t)f->t[i].end + (f->t[i].type == JSMN_STRING);
}

/* jsmn is lax about separators ({"a":1,} passes): check that every
 * container is '{' key ':' value (',' key ':' value)* '}' or the array
 * form, with only blanks between. */
static int structure_ok(const struct fast *f)
{
	for (int i = 0; i < f->n; i++) {
		const jsmntok_t *c = &f->t[i];
		if (c->type != JSMN_OBJECT && c->type != JSMN_ARRAY) {
			if (c->type == JSMN_PRIMITIVE && c->size != 0)
				return 0;
			continue;
		}
		size_t end = (size_t)c->end - 1, p = (size_t)c->start + 1;
		int k = i + 1;
		for (int m = 0; m < c->size; m++) {
			p = blanks(f->js, p, end);
			if (m) {
				if (p >= end || f->js[p] != ',')
					return 0;
				p = blanks(f->js, p + 1, end);
			}
			if (k >= f->n || tok_from(f, k) != p)
				return 0;
			if (c->type == JSMN_OBJECT) {
				p = blanks(f->js, tok_to(f, k), end);
				if (p >= end || f->js[p] != ':')
					return 0;
				p = blanks(f->js, p + 1, end);
				k++;
				if (k >= f->n || tok_from(f, k) != p)
					return 0;
			} else if (f->t[k].type == JSMN_STRING && f->t[k].size != 0) {
				return 0;
			}
			if (f->t[k].type == JSMN_STRING && c->type == JSMN_OBJECT && f->t[k].size != 0)
				return 0;
			p = tok_to(f, k);
			k = skip(f, k);
		}
		if (blanks(f->js, p, end) != end || f->js[end] != (c->type == JSMN_OBJECT ? '}' : ']'))
			return 0;
	}
	return 1;
}

/* Scalar text as event_json.c's scalar_text gives it; 0 for objects and
 * arrays. */
static int scalar(struct fast *f, int i, char *num, size_t num_len, const char **s, size_t *n)
{
	const jsmntok_t *t = &f->t[i];
	const char *p = f->js + t->start;
	size_t len = (size_t)(t->end - t->start);
	long long v;
	switch (t->type) {
	case JSMN_STRING:
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
	case JSMN_PRIMITIVE:
		if (p[0] == 't' || p[0] == 'f') {
			*s = p[0] == 't' ? "true" : "false";
			*n = p[0] == 't' ? 4 : 5;
		} else if (p[0] == 'n') {
			*s = "";
			*n = 0;
		} else {
			/* "%lld" of the value, as jansson prints it ("-0" is "0") */
			(void)integer_ok(p, len, &v);
			char tmp[24];
			size_t k = 0;
			unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
			do
				tmp[k++] = (char)('0' + u % 10);
			while ((u /= 10) && k < sizeof tmp);
			size_t o = 0;
			if (v < 0 && o < num_len)
				num[o++] = '-';
			while (k && o < num_len)
				num[o++] = tmp[--k];
			*n = o;
			*s = num;
		}
		return 1;
	default:
		return 0;
	}
}

static enum cg_err add(struct fast *f, const char *name, size_t name_len, int v)
{
	char num[32];
	const char *s;
	size_t n;
	int r = scalar(f, v, num, sizeof num, &s, &n);
	if (r < 0)
		return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
	return r ? cg_event_add(f->ev, name, name_len, s, n) : CG_OK;
}

/* A scalar, an array of scalars, or {"#text": ...} (add_value). */
static enum cg_err add_value(struct fast *f, const char *name, size_t name_len, int v, int depth)
{
	enum cg_err rc = CG_OK;
	if (f->t[v].type == JSMN_ARRAY) {
		int i = v + 1;
		for (int k = 0; k < f->t[v].size && !rc; k++) {
			rc = add(f, name, name_len, i);
			i = skip(f, i);
		}
		return rc;
	}
	if (f->t[v].type == JSMN_OBJECT) {
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
		if (f->t[v].type == JSMN_OBJECT && get(f, v, "#text") < 0)
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
		if (memchr(key, '\0', kl))
			return CG_EUNSUPPORTED;
		if (kl > 11 && !memcmp(key + kl - 11, "_attributes", 11)) {
			attrs = v;
			base = kl - 11;
		} else if (f->t[v].type == JSMN_OBJECT) {
			attrs = get(f, v, "#attributes");
		}
		if (attrs >= 0 && f->t[attrs].type == JSMN_OBJECT) {
			int a = attrs + 1;
			for (int m = 0; m < f->t[attrs].size; m++, a = skip(f, a + 1)) {
				char name[256];
				int nl = snprintf(name, sizeof name, "%.*s_%.*s", (int)(base > 120 ? 120 : base), key,
				                  (int)(f->t[a].end - f->t[a].start), f->js + f->t[a].start);
				size_t len = nl < 0 ? 0 : (size_t)nl >= sizeof name ? sizeof name - 1 : (size_t)nl;
				if ((rc = add(f, name, len, a + 1)))
					return rc;
			}
		}
		if (attrs == v || (f->t[v].type == JSMN_PRIMITIVE && f->js[f->t[v].start] == 'n'))
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
	if (data >= 0 && f->t[data].type == JSMN_OBJECT) {
		int i = data + 1;
		for (int k = 0; k < f->t[data].size; k++, i = skip(f, i + 1)) {
			int v = i + 1;
			if (key_is(f, i, "#attributes"))
				continue;
			if (f->t[v].type == JSMN_OBJECT && get(f, v, "#text") < 0)
				rc = flatten_leaves(f, v, 1);
			else
				rc = add_value(f, f->js + f->t[i].start, (size_t)(f->t[i].end - f->t[i].start), v, 0);
			if (rc)
				return rc;
		}
	} else if (data >= 0 && (f->t[data].type == JSMN_STRING || f->t[data].type == JSMN_ARRAY)) {
		if ((rc = add_value(f, "Data", 4, data, 0)))
			return rc;
	}
	int user = get(f, event, "UserData");
	if (user >= 0 && f->t[user].type == JSMN_OBJECT && (rc = flatten_leaves(f, user, 1)))
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
	const char *nl = memchr(text, '\n', len);
	size_t line = nl ? (size_t)(nl - text) : len;
	if (line == 0 || text[0] != '{' || line > FAST_MAX_LINE)
		return CG_EUNSUPPORTED;
	struct fast f = {.js = text, .ev = ev};
	for (;;) {
		if (!ev->json_tok) {
			ev->json_tok_alloc = 256;
			if (!(ev->json_tok = malloc(ev->json_tok_alloc * (sizeof(jsmntok_t) + 1))))
				return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
		}
		jsmn_parser p;
		jsmn_init(&p);
		f.t = ev->json_tok;
		f.n = jsmn_parse(&p, text, line, f.t, (unsigned)ev->json_tok_alloc);
		if (f.n != JSMN_ERROR_NOMEM)
			break;
		if (ev->json_tok_alloc >= FAST_MAX_TOKENS)
			return CG_EUNSUPPORTED;
		void *nt = realloc(ev->json_tok, ev->json_tok_alloc * 2 * (sizeof(jsmntok_t) + 1));
		if (!nt)
			return cg_err_set(CG_ENOMEM, _("sigma: out of memory"));
		ev->json_tok = nt;
		ev->json_tok_alloc *= 2;
	}
	if (f.n < 1 || f.t[0].type != JSMN_OBJECT)
		return CG_EUNSUPPORTED;
	/* The escape flags live after the tokens, in the same block. */
	f.esc = (unsigned char *)(f.t + ev->json_tok_alloc);
	/* One value on the line, nothing but blanks after it. */
	for (size_t i = (size_t)f.t[0].end; i < line; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			return CG_EUNSUPPORTED;
	if (skip(&f, 0) != f.n || !structure_ok(&f) || !all_tokens_ok(&f))
		return CG_EUNSUPPORTED;
	int event = get(&f, 0, "Event");
	if (event < 0 || f.t[event].type != JSMN_OBJECT || get(&f, event, "System") < 0 ||
	    f.t[get(&f, event, "System")].type != JSMN_OBJECT)
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
