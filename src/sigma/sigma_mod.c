/* Sigma values and modifiers: "Field|mod|mod: values" → the patterns the
 * engine compares field values with. Transformations (windash, wide,
 * base64, base64offset) expand one value into several alternatives that
 * share a group, so "all" still means every listed value. */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_event_int.h"
#include "sigma_int.h"

/* A value while modifiers are applied: bytes with a wildcard mask. */
struct sstr {
	unsigned char *b;
	unsigned char *w; /* 0 literal, 1 '*', 2 '?' */
	size_t n;
};

enum mod_bit {
	M_CONTAINS = 1 << 0, M_STARTS = 1 << 1, M_ENDS = 1 << 2, M_ALL = 1 << 3, M_RE = 1 << 4,
	M_CIDR = 1 << 5, M_EXISTS = 1 << 6, M_CASED = 1 << 7, M_LT = 1 << 8, M_LTE = 1 << 9,
	M_GT = 1 << 10, M_GTE = 1 << 11, M_FIELDREF = 1 << 12, M_RE_I = 1 << 13, M_RE_M = 1 << 14,
	M_RE_S = 1 << 15,
};

/* Transformations, applied in the order written. */
enum xform { X_BASE64, X_BASE64OFF, X_UTF16LE, X_UTF16BE, X_UTF16, X_WINDASH };

static void sstr_free(struct sstr *s)
{
	free(s->b);
	free(s->w);
	s->b = s->w = NULL;
	s->n = 0;
}

static enum cg_err sstr_alloc(struct sstr *s, size_t n)
{
	s->b = malloc(n + 1);
	s->w = calloc(n + 1, 1);
	s->n = 0;
	if (!s->b || !s->w) {
		sstr_free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	return CG_OK;
}

/* Sigma escapes: \* \? \\ are literal; any other backslash is itself. */
static enum cg_err sstr_parse(const char *v, size_t n, struct sstr *out)
{
	enum cg_err rc = sstr_alloc(out, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\\' && i + 1 < n && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
			out->b[out->n] = (unsigned char)v[++i];
			out->w[out->n++] = 0;
		} else if (c == '*' || c == '?') {
			out->b[out->n] = c;
			out->w[out->n++] = c == '*' ? 1 : 2;
		} else {
			out->b[out->n] = c;
			out->w[out->n++] = 0;
		}
	}
	return CG_OK;
}

static int sstr_has_wild(const struct sstr *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->w[i])
			return 1;
	return 0;
}

static enum cg_err sstr_plain(const unsigned char *b, size_t n, struct sstr *out)
{
	enum cg_err rc = sstr_alloc(out, n);
	if (rc)
		return rc;
	memcpy(out->b, b, n);
	out->n = n;
	return CG_OK;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = (unsigned char)b64chars[(v >> 18) & 63];
		out[o++] = (unsigned char)b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < n ? (unsigned char)b64chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? (unsigned char)b64chars[v & 63] : '=';
	}
	return o;
}

/* UTF-8 → UTF-16 code units; bytes that are not UTF-8 pass as Latin-1. */
static size_t utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (len == 0 || *i + len > n) {
		(*i)++;
		return c;
	}
	size_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
	for (size_t k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return c;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	*i += len;
	return cp;
}

static enum cg_err to_utf16(const struct sstr *in, int be, int bom, struct sstr *out)
{
	enum cg_err rc = sstr_alloc(out, in->n * 4 + 2);
	if (rc)
		return rc;
	if (bom) {
		out->b[out->n++] = 0xff;
		out->b[out->n++] = 0xfe;
	}
	size_t i = 0;
	while (i < in->n) {
		size_t cp = utf8_next(in->b, in->n, &i);
		unsigned units[2];
		size_t nu = 0;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[nu++] = 0xd800 | (unsigned)(cp >> 10);
			units[nu++] = 0xdc00 | (unsigned)(cp & 0x3ff);
		} else {
			units[nu++] = (unsigned)cp;
		}
		for (size_t k = 0; k < nu; k++) {
			out->b[out->n++] = (unsigned char)(be ? units[k] >> 8 : units[k] & 0xff);
			out->b[out->n++] = (unsigned char)(be ? units[k] & 0xff : units[k] >> 8);
		}
	}
	return CG_OK;
}

/* The list of alternatives one original value expands to. */
struct alts {
	struct sstr *v;
	size_t n, alloc;
};

static enum cg_err alts_push(struct alts *a, struct sstr *s)
{
	if (a->n >= SIGMA_MAX_EXPANSION) {
		sstr_free(s);
		return cg_err_set(CG_ELIMIT, _("value expands to more than %d alternatives"), SIGMA_MAX_EXPANSION);
	}
	if (a->n == a->alloc) {
		size_t na = a->alloc ? a->alloc * 2 : 4;
		struct sstr *p = realloc(a->v, na * sizeof *p);
		if (!p) {
			sstr_free(s);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		a->v = p;
		a->alloc = na;
	}
	a->v[a->n++] = *s;
	return CG_OK;
}

static void alts_free(struct alts *a)
{
	for (size_t i = 0; i < a->n; i++)
		sstr_free(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->alloc = 0;
}

static int is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* windash: a '-' or '/' that starts a word (regex \B[-/]\b) may be written
 * with any of - / – — ―; expand all combinations. */
static enum cg_err windash(const struct sstr *in, struct alts *out)
{
	static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};
	size_t pos[16], np = 0;
	for (size_t i = 0; i < in->n; i++) {
		if (in->w[i] || (in->b[i] != '-' && in->b[i] != '/'))
			continue;
		int prev_word = i > 0 && !in->w[i - 1] && is_word(in->b[i - 1]);
		int next_word = i + 1 < in->n && !in->w[i + 1] && is_word(in->b[i + 1]);
		if (!prev_word && next_word) {
			if (np == 4)
				return cg_err_set(CG_ELIMIT, _("windash: more than 4 dashes in one value"));
			pos[np++] = i;
		}
	}
	size_t combos = 1;
	for (size_t k = 0; k < np; k++)
		combos *= 5;
	for (size_t c = 0; c < combos; c++) {
		struct sstr s;
		enum cg_err rc = sstr_alloc(&s, in->n + np * 3);
		if (rc)
			return rc;
		size_t sel = c, k = 0;
		for (size_t i = 0; i < in->n; i++) {
			if (k < np && pos[k] == i) {
				const char *d = dashes[sel % 5];
				sel /= 5;
				k++;
				for (size_t j = 0; d[j]; j++) {
					s.b[s.n] = (unsigned char)d[j];
					s.w[s.n++] = 0;
				}
			} else {
				s.b[s.n] = in->b[i];
				s.w[s.n++] = in->w[i];
			}
		}
		if ((rc = alts_push(out, &s)))
			return rc;
	}
	return CG_OK;
}

static enum cg_err apply_xform(enum xform x, struct alts *a)
{
	struct alts out = {0};
	enum cg_err rc = CG_OK;
	for (size_t i = 0; i < a->n && !rc; i++) {
		struct sstr *in = &a->v[i];
		if (x != X_WINDASH && sstr_has_wild(in)) {
			rc = cg_err_set(CG_EUNSUPPORTED, _("cannot encode a value that contains wildcards"));
			break;
		}
		struct sstr s = {0};
		switch (x) {
		case X_WINDASH:
			rc = windash(in, &out);
			break;
		case X_UTF16LE:
		case X_UTF16BE:
		case X_UTF16:
			rc = to_utf16(in, x == X_UTF16BE, x == X_UTF16, &s);
			if (!rc)
				rc = alts_push(&out, &s);
			break;
		case X_BASE64:
			if ((rc = sstr_alloc(&s, (in->n + 2) / 3 * 4)))
				break;
			s.n = b64_encode(in->b, in->n, s.b);
			rc = alts_push(&out, &s);
			break;
		case X_BASE64OFF: {
			/* The three ways the value can sit in a base64 stream, cut to
			 * the characters that do not depend on its neighbours. */
			static const size_t start[3] = {0, 2, 3};
			static const size_t cut_end[3] = {0, 3, 2};
			for (size_t off = 0; off < 3 && !rc; off++) {
				size_t len = in->n + off;
				unsigned char *tmp = malloc(len + 1);
				unsigned char *enc = malloc((len + 2) / 3 * 4 + 1);
				if (!tmp || !enc) {
					free(tmp);
					free(enc);
					rc = cg_err_set(CG_ENOMEM, _("out of memory"));
					break;
				}
				memset(tmp, ' ', off);
				memcpy(tmp + off, in->b, in->n);
				size_t el = b64_encode(tmp, len, enc);
				size_t e = cut_end[len % 3];
				size_t from = start[off];
				size_t to = el >= e ? el - e : 0;
				if (to > from) {
					rc = sstr_plain(enc + from, to - from, &s);
					if (!rc)
						rc = alts_push(&out, &s);
				}
				free(tmp);
				free(enc);
			}
			break;
		}
		}
	}
	if (rc) {
		alts_free(&out);
		return rc;
	}
	alts_free(a);
	*a = out;
	return CG_OK;
}

/* Pick the cheapest comparison for a wildcard pattern. */
static enum cg_err finish_string(const struct sstr *s, int cased, unsigned group, struct sigma_value *v)
{
	size_t lead = 0, trail = 0, inner = 0;
	while (lead < s->n && s->w[lead] == 1)
		lead++;
	while (trail < s->n - lead && s->w[s->n - 1 - trail] == 1)
		trail++;
	for (size_t i = lead; i < s->n - trail; i++)
		if (s->w[i])
			inner = 1;
	memset(v, 0, sizeof *v);
	v->group = group;
	v->cased = cased;
	size_t from = 0, to = s->n;
	if (inner || lead > 1 || trail > 1 || (lead && lead == s->n)) {
		v->kind = SV_GLOB;
	} else {
		from = lead;
		to = s->n - trail;
		v->kind = lead && trail ? SV_CONTAINS : lead ? SV_SUFFIX : trail ? SV_PREFIX : SV_EQ;
	}
	v->n = to - from;
	v->s = malloc(v->n + 1);
	if (!v->s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	memcpy(v->s, s->b + from, v->n);
	if (!cased)
		cg_event_fold_utf8(v->s, v->n, v->s);
	v->s[v->n] = '\0';
	if (v->kind == SV_GLOB) {
		v->wild = malloc(v->n + 1);
		if (!v->wild)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		memcpy(v->wild, s->w + from, v->n);
	}
	return CG_OK;
}

/* IPv4 lives in IPv6 space as ::ffff:a.b.c.d (RFC 4291 2.5.5.2), so an
 * IPv4 range, an IPv4-mapped IPv6 range and both spellings of an address
 * compare alike. */
static void map_v4(unsigned char *addr)
{
	memmove(addr + 12, addr, 4);
	memset(addr, 0, 10);
	addr[10] = addr[11] = 0xff;
}

static enum cg_err parse_cidr(const char *s, size_t n, struct sigma_value *v)
{
	char buf[80];
	if (n >= sizeof buf)
		return cg_err_set(CG_EINVAL, _("'%.*s' is not a CIDR block"), (int)(n > 60 ? 60 : n), s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *slash = strchr(buf, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		const char *d = slash + 1;
		bits = 0;
		if (!*d || strlen(d) > 3)
			return cg_err_set(CG_EINVAL, _("'%.*s' is not a CIDR block"), (int)n, s);
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return cg_err_set(CG_EINVAL, _("'%.*s' is not a CIDR block"), (int)n, s);
			bits = bits * 10 + (*d - '0');
		}
	}
	if (inet_pton(AF_INET, buf, v->addr) == 1) {
		if (bits < 0)
			bits = 32;
		if (bits > 32)
			return cg_err_set(CG_EINVAL, _("'%.*s': IPv4 prefix longer than 32"), (int)n, s);
		map_v4(v->addr);
		bits += 96;
	} else if (inet_pton(AF_INET6, buf, v->addr) == 1) {
		if (bits < 0)
			bits = 128;
		if (bits > 128)
			return cg_err_set(CG_EINVAL, _("'%.*s': IPv6 prefix longer than 128"), (int)n, s);
	} else {
		return cg_err_set(CG_EINVAL, _("'%.*s' is not a CIDR block"), (int)n, s);
	}
	v->family = 6;
	v->bits = (int)bits;
	v->kind = SV_CIDR;
	return CG_OK;
}

/* ---- a literal every match of a regular expression contains ---- */

/* The longest run of bytes that every match of pattern s[0..n) contains, in
 * that order, or none (*out_n 0): the engine's prefilter needs it for
 * regex-only rules. Sound rather than clever: a run ends at anything that is
 * not one plain character (classes, groups, '.', anchors, escapes that stand
 * for sets); a quantifier that allows zero repetitions takes its character
 * off the run; a top-level '|', \Q...\E, escapes with arguments and the
 * extended flag give no literal at all. With `caseless`, k, s and bytes
 * outside ASCII end a run too: Unicode case-insensitive matching lets the
 * Kelvin sign and the long s stand for k and s, which folding does not. */
void sigma_re_literal(const char *s, size_t n, int caseless, size_t *out_at, size_t *out_n, unsigned char *buf)
{
	size_t best = 0, run = 0, depth = 0;
	*out_n = 0;
	*out_at = 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\\' && (s[i + 1] == 'Q' || s[i + 1] == 'E'))
			return;
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '(' && s[i + 1] == '?') {
			for (size_t j = i + 2; j < n && (isalpha((unsigned char)s[j]) || s[j] == '-' || s[j] == '^'); j++)
				if (s[j] == 'x')
					return;
		}
#define RE_END_RUN()                                   \
	do {                                           \
		if (run > best) {                      \
			best = run;                    \
			*out_at = (size_t)(w - run);   \
		}                                      \
		run = 0;                               \
	} while (0)
	size_t w = 0; /* bytes written to buf: the runs one after another */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '[') { /* a class: skip it */
			size_t j = i + 1;
			if (j < n && s[j] == '^')
				j++;
			if (j < n && s[j] == ']')
				j++;
			while (j < n && s[j] != ']') {
				if (s[j] == '\\')
					j++;
				else if (s[j] == '[' && j + 1 < n && s[j + 1] == ':') {
					const char *e = memchr(s + j + 2, ']', n - j - 2);
					if (!e)
						return;
					j = (size_t)(e - s);
				}
				j++;
			}
			if (j >= n)
				return;
			RE_END_RUN();
			i = j + 1;
			continue;
		}
		if (c == '(') {
			depth++;
			RE_END_RUN();
			i++;
			continue;
		}
		if (c == ')') {
			if (depth)
				depth--;
			RE_END_RUN();
			i++;
			continue;
		}
		if (c == '|') {
			if (depth == 0) {
				*out_n = 0;
				return;
			}
			RE_END_RUN();
			i++;
			continue;
		}
		if (depth > 0) { /* inside a group: only its end matters */
			if (c == '\\')
				i++;
			i++;
			continue;
		}
		if (c == '*' || c == '?' || c == '{' || c == '+') {
			int optional = c != '+';
			if (c == '{') {
				size_t j = i + 1, d1 = 0;
				while (j < n && isdigit((unsigned char)s[j]))
					j++, d1++;
				if (j < n && s[j] == ',') {
					j++;
					while (j < n && isdigit((unsigned char)s[j]))
						j++;
				}
				if (d1 == 0 || j >= n || s[j] != '}') { /* a plain '{' */
					RE_END_RUN();
					i++;
					continue;
				}
				optional = 1; /* {0,..} drops it; {2} and up repeat it: either way it ends the run */
				i = j + 1;
			} else {
				i++;
			}
			if (optional && run > 0) {
				run--;
				w--;
			}
			RE_END_RUN();
			continue;
		}
		if (c == '.' || c == '^' || c == '$') {
			RE_END_RUN();
			i++;
			continue;
		}
		unsigned char lit;
		if (c == '\\') {
			if (i + 1 >= n)
				return;
			unsigned char e = (unsigned char)s[i + 1];
			if (strchr("QExcopPNgkuLlU", e)) {
				*out_n = 0;
				return;
			}
			if (isalnum(e)) { /* \d \w \b \n \1 ...: not one plain byte */
				RE_END_RUN();
				i += 2;
				continue;
			}
			lit = e;
			i += 2;
		} else {
			lit = c;
			i++;
		}
		if (lit >= 0x80 || (caseless && (lit == 'k' || lit == 'K' || lit == 's' || lit == 'S'))) {
			RE_END_RUN();
			continue;
		}
		buf[w++] = lit;
		run++;
	}
	RE_END_RUN();
#undef RE_END_RUN
	*out_n = best;
}

static enum cg_err compile_re(const char *s, size_t n, unsigned mods, struct sigma_value *v)
{
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (mods & M_RE_I)
		opt |= PCRE2_CASELESS;
	if (mods & M_RE_M)
		opt |= PCRE2_MULTILINE;
	if (mods & M_RE_S)
		opt |= PCRE2_DOTALL;
	int err;
	PCRE2_SIZE off;
	v->re = pcre2_compile((PCRE2_SPTR)s, n, opt, &err, &off, NULL);
	if (!v->re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(err, msg, sizeof msg);
		return cg_err_set(CG_EINVAL, _("regular expression '%.*s': %s at offset %zu"),
		                  (int)(n > 80 ? 80 : n), s, (const char *)msg, (size_t)off);
	}
	/* JIT is an optimisation; the interpreter is used when it is not there. */
	(void)pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE);
	v->kind = SV_RE;
	/* The literal the prefilter looks for (v->s is not used to match). */
	int caseless = (mods & M_RE_I) != 0;
	for (size_t i = 0; i + 2 < n && !caseless; i++)
		if (s[i] == '(' && s[i + 1] == '?')
			for (size_t j = i + 2; j < n && (isalpha((unsigned char)s[j]) || s[j] == '-'); j++)
				if (s[j] == 'i')
					caseless = 1;
	unsigned char *buf = malloc(n + 1);
	if (!buf)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	size_t at = 0, len = 0;
	sigma_re_literal(s, n, caseless, &at, &len, buf);
	if (len) {
		memmove(buf, buf + at, len);
		buf[len] = '\0';
		v->s = buf;
		v->n = len;
	} else {
		free(buf);
	}
	return CG_OK;
}

void sigma_fieldmatch_clear(struct sigma_fieldmatch *fm)
{
	for (size_t i = 0; i < fm->n; i++) {
		free(fm->v[i].s);
		free(fm->v[i].wild);
		free(fm->v[i].ref);
		if (fm->v[i].re)
			pcre2_code_free(fm->v[i].re);
	}
	free(fm->v);
	free(fm->field);
	memset(fm, 0, sizeof *fm);
}

static enum cg_err push_value(struct sigma_fieldmatch *fm, struct sigma_value **out)
{
	if (fm->n >= SIGMA_MAX_VALUES)
		return cg_err_set(CG_ELIMIT, _("more than %d values"), SIGMA_MAX_VALUES);
	struct sigma_value *p = realloc(fm->v, (fm->n + 1) * sizeof *p);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	fm->v = p;
	*out = &p[fm->n++];
	memset(*out, 0, sizeof **out);
	return CG_OK;
}

static int parse_bool(const char *s, size_t n, int *b)
{
	if (n == 4 && strncasecmp(s, "true", 4) == 0)
		return *b = 1, 1;
	if (n == 5 && strncasecmp(s, "false", 5) == 0)
		return *b = 0, 1;
	if (n == 3 && strncasecmp(s, "yes", 3) == 0)
		return *b = 1, 1;
	if (n == 2 && strncasecmp(s, "no", 2) == 0)
		return *b = 0, 1;
	return 0;
}

static enum cg_err parse_mods(const char *key, char **field, unsigned *mods, enum xform *xf, size_t *n_xf)
{
	const char *bar = strchr(key, '|');
	size_t flen = bar ? (size_t)(bar - key) : strlen(key);
	*field = NULL;
	if (flen) {
		if (!(*field = strndup(key, flen)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	*mods = 0;
	*n_xf = 0;
	while (bar) {
		const char *m = bar + 1;
		bar = strchr(m, '|');
		size_t ml = bar ? (size_t)(bar - m) : strlen(m);
		char mod[32];
		if (ml == 0 || ml >= sizeof mod)
			return cg_err_set(CG_EPARSE, _("empty or overlong modifier"));
		memcpy(mod, m, ml);
		mod[ml] = '\0';
		static const struct {
			const char *name;
			unsigned bit;
		} flags[] = {
			{"contains", M_CONTAINS}, {"startswith", M_STARTS}, {"endswith", M_ENDS}, {"all", M_ALL},
			{"re", M_RE}, {"cidr", M_CIDR}, {"exists", M_EXISTS}, {"cased", M_CASED}, {"lt", M_LT},
			{"lte", M_LTE}, {"gt", M_GT}, {"gte", M_GTE}, {"fieldref", M_FIELDREF}, {"i", M_RE_I},
			{"ignorecase", M_RE_I}, {"m", M_RE_M}, {"multiline", M_RE_M}, {"s", M_RE_S}, {"dotall", M_RE_S},
		};
		static const struct {
			const char *name;
			enum xform x;
		} xforms[] = {
			{"base64", X_BASE64}, {"base64offset", X_BASE64OFF}, {"utf16le", X_UTF16LE}, {"wide", X_UTF16LE},
			{"utf16be", X_UTF16BE}, {"utf16", X_UTF16}, {"windash", X_WINDASH},
		};
		int known = 0;
		for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
			if (strcmp(mod, flags[i].name) == 0) {
				*mods |= flags[i].bit;
				known = 1;
			}
		for (size_t i = 0; !known && i < sizeof xforms / sizeof xforms[0]; i++)
			if (strcmp(mod, xforms[i].name) == 0) {
				if (*n_xf == 8)
					return cg_err_set(CG_ELIMIT, _("too many modifiers"));
				xf[(*n_xf)++] = xforms[i].x;
				known = 1;
			}
		if (known)
			continue;
		if (strcmp(mod, "expand") == 0)
			return cg_err_set(CG_EUNSUPPORTED, _("modifier 'expand' needs placeholder values, which canhgac does not define"));
		if (!strcmp(mod, "minute") || !strcmp(mod, "hour") || !strcmp(mod, "day") || !strcmp(mod, "week") ||
		    !strcmp(mod, "month") || !strcmp(mod, "year"))
			return cg_err_set(CG_EUNSUPPORTED, _("time part modifier '%s' is not supported"), mod);
		return cg_err_set(CG_EPARSE, _("unknown modifier '%s'"), mod);
	}
	unsigned pos = *mods & (M_CONTAINS | M_STARTS | M_ENDS);
	unsigned special = *mods & (M_RE | M_CIDR | M_EXISTS | M_LT | M_LTE | M_GT | M_GTE);
	if ((pos & (pos - 1)) != 0)
		return cg_err_set(CG_EPARSE, _("modifiers contains, startswith and endswith exclude each other"));
	if ((special & (special - 1)) != 0 || (special && (pos || *n_xf)) || (special && (*mods & M_FIELDREF)))
		return cg_err_set(CG_EPARSE, _("modifier combination is not valid"));
	if ((*mods & (M_RE_I | M_RE_M | M_RE_S)) && !(*mods & M_RE))
		return cg_err_set(CG_EPARSE, _("regular expression flags need the 're' modifier"));
	if ((*mods & M_FIELDREF) && *n_xf)
		return cg_err_set(CG_EPARSE, _("'fieldref' cannot be combined with value transformations"));
	if (!*field && (special || (*mods & M_FIELDREF)))
		return cg_err_set(CG_EPARSE, _("keywords take no comparison modifiers"));
	return CG_OK;
}

static enum cg_err build_one(struct sigma_fieldmatch *fm, unsigned mods, const enum xform *xf, size_t n_xf,
                             const struct sigma_rawval *rv, unsigned group)
{
	struct sigma_value *v;
	enum cg_err rc;
	if (rv->is_null) {
		if (mods & ~(M_ALL | M_CASED))
			return cg_err_set(CG_EPARSE, _("null cannot be used with modifiers"));
		if ((rc = push_value(fm, &v)))
			return rc;
		v->kind = SV_NULL;
		v->group = group;
		return CG_OK;
	}
	if (mods & M_EXISTS) {
		int b;
		if (!parse_bool(rv->s, rv->n, &b))
			return cg_err_set(CG_EPARSE, _("'exists' needs true or false, not '%.*s'"), (int)rv->n, rv->s);
		if ((rc = push_value(fm, &v)))
			return rc;
		v->kind = SV_EXISTS;
		v->b = b;
		v->group = group;
		return CG_OK;
	}
	if (mods & (M_LT | M_LTE | M_GT | M_GTE)) {
		double d;
		if (!sigma_parse_number(rv->s, rv->n, &d))
			return cg_err_set(CG_EPARSE, _("'%.*s' is not a decimal number"), (int)(rv->n > 40 ? 40 : rv->n), rv->s);
		if ((rc = push_value(fm, &v)))
			return rc;
		v->kind = (mods & M_LT) ? SV_LT : (mods & M_LTE) ? SV_LTE : (mods & M_GT) ? SV_GT : SV_GTE;
		v->num = d;
		v->group = group;
		return CG_OK;
	}
	if (mods & M_CIDR) {
		if ((rc = push_value(fm, &v)))
			return rc;
		v->group = group;
		return parse_cidr(rv->s, rv->n, v);
	}
	if (mods & M_RE) {
		if ((rc = push_value(fm, &v)))
			return rc;
		v->group = group;
		return compile_re(rv->s, rv->n, mods, v);
	}
	if (mods & M_FIELDREF) {
		if ((rc = push_value(fm, &v)))
			return rc;
		v->kind = SV_FIELDREF;
		v->group = group;
		v->cased = !!(mods & M_CASED);
		v->refkind = (mods & M_CONTAINS) ? SV_CONTAINS : (mods & M_STARTS) ? SV_PREFIX : (mods & M_ENDS) ? SV_SUFFIX : SV_EQ;
		if (!(v->ref = strndup(rv->s, rv->n)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		v->ref_hash = cg_event_field_hash(v->ref, rv->n);
		return CG_OK;
	}
	struct alts a = {0};
	struct sstr s;
	if ((rc = sstr_parse(rv->s, rv->n, &s)))
		return rc;
	if ((rc = alts_push(&a, &s)))
		return rc;
	for (size_t i = 0; i < n_xf && !rc; i++)
		rc = apply_xform(xf[i], &a);
	/* Keywords search inside values unless told otherwise. */
	unsigned pos = mods & (M_CONTAINS | M_STARTS | M_ENDS);
	if (!fm->field && !pos)
		pos = M_CONTAINS;
	for (size_t i = 0; i < a.n && !rc; i++) {
		struct sstr *x = &a.v[i], y;
		int pre = pos & (M_CONTAINS | M_ENDS), post = pos & (M_CONTAINS | M_STARTS);
		if ((rc = sstr_alloc(&y, x->n + 2)))
			break;
		if (pre) {
			y.b[y.n] = '*';
			y.w[y.n++] = 1;
		}
		memcpy(y.b + y.n, x->b, x->n);
		memcpy(y.w + y.n, x->w, x->n);
		y.n += x->n;
		if (post) {
			y.b[y.n] = '*';
			y.w[y.n++] = 1;
		}
		if (!(rc = push_value(fm, &v)))
			rc = finish_string(&y, !!(mods & M_CASED), group, v);
		sstr_free(&y);
	}
	alts_free(&a);
	return rc;
}

enum cg_err sigma_mod_build(const char *key, const struct sigma_rawval *vals, size_t n_vals,
                            struct sigma_fieldmatch *out)
{
	unsigned mods = 0;
	enum xform xf[8];
	size_t n_xf = 0;
	memset(out, 0, sizeof *out);
	enum cg_err rc = parse_mods(key, &out->field, &mods, xf, &n_xf);
	if (rc)
		return rc;
	if (out->field)
		out->hash = cg_event_field_hash(out->field, strlen(out->field));
	out->all = !!(mods & M_ALL);
	if (n_vals == 0)
		return cg_err_set(CG_EPARSE, _("no value"));
	for (size_t i = 0; i < n_vals; i++)
		if ((rc = build_one(out, mods, xf, n_xf, &vals[i], (unsigned)i)))
			return rc;
	out->n_groups = (unsigned)n_vals;
	return CG_OK;
}

/* Bytes of the UTF-8 character at s (a well-formed sequence), else 1. */
static size_t utf8_char_len(const unsigned char *s, size_t n)
{
	size_t k = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	         : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 1;
	if (k > n)
		return 1;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return k;
}

/* '*' over bytes, '?' over one UTF-8 character; backtracks only to the last
 * star (linear-ish). */
static int glob_match(const unsigned char *p, const unsigned char *w, size_t pn, const unsigned char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
	while (si < sn) {
		if (pi < pn && w[pi] == 1) {
			star_p = pi++;
			star_s = si;
		} else if (pi < pn && w[pi] == 2) {
			pi++;
			si += utf8_char_len(s + si, sn - si);
		} else if (pi < pn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (pi < pn && w[pi] == 1)
		pi++;
	return pi == pn;
}

static int parse_ip(const char *s, size_t n, unsigned char *addr)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		map_v4(addr);
		return 1;
	}
	return inet_pton(AF_INET6, buf, addr) == 1;
}

int sigma_parse_number(const char *s, size_t n, double *out)
{
	char buf[64];
	size_t i = 0, digits = 0;
	if (n == 0 || n >= sizeof buf)
		return 0;
	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (e0 = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == e0)
			return 0;
	}
	if (i != n)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return isfinite(*out);
}

int sigma_value_match(const struct sigma_value *v, const char *s, size_t n, const char *low,
                      pcre2_match_data *md, pcre2_match_context *mc)
{
	const unsigned char *src = (const unsigned char *)(v->cased ? s : low);
	switch (v->kind) {
	case SV_EQ:
		return n == v->n && memcmp(src, v->s, n) == 0;
	case SV_PREFIX:
		return n >= v->n && memcmp(src, v->s, v->n) == 0;
	case SV_SUFFIX:
		return n >= v->n && memcmp(src + n - v->n, v->s, v->n) == 0;
	case SV_CONTAINS:
		return v->n == 0 || memmem(src, n, v->s, v->n) != NULL;
	case SV_GLOB:
		return glob_match(v->s, v->wild, v->n, src, n);
	case SV_RE: {
		int rc = pcre2_match(v->re, (PCRE2_SPTR)s, n, 0, 0, md, mc);
		if (rc >= 0)
			return 1;
		return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
	}
	case SV_CIDR: {
		unsigned char a[16];
		if (!parse_ip(s, n, a))
			return 0;
		int full = v->bits / 8, rest = v->bits % 8;
		if (memcmp(a, v->addr, (size_t)full) != 0)
			return 0;
		if (rest == 0)
			return 1;
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		return (a[full] & mask) == (v->addr[full] & mask);
	}
	case SV_LT:
	case SV_LTE:
	case SV_GT:
	case SV_GTE: {
		double d;
		if (!sigma_parse_number(s, n, &d))
			return 0;
		return v->kind == SV_LT ? d < v->num : v->kind == SV_LTE ? d <= v->num : v->kind == SV_GT ? d > v->num : d >= v->num;
	}
	default:
		return 0;
	}
}
