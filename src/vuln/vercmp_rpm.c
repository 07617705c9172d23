/* RPM versions, ordered exactly as rpm's rpmvercmp() (segments of letters or
 * digits, '~' sorts before everything, '^' after the base version but before
 * anything else) and rpmverCmp() for [EPOCH:]VERSION[-RELEASE]. */
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_digit(c) || is_alpha(c); }

static int segcmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r < 0 ? -1 : 1;
	return an == bn ? 0 : (an < bn ? -1 : 1);
}

int vercmp_rpm_segment(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *one = a, *two = b, *ae = a + alen, *be = b + blen;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	while (one < ae || two < be) {
		const char *s1, *s2;
		int isnum, r;

		while (one < ae && !is_alnum(*one) && *one != '~' && *one != '^')
			one++;
		while (two < be && !is_alnum(*two) && *two != '~' && *two != '^')
			two++;
		if ((one < ae && *one == '~') || (two < be && *two == '~')) {
			if (!(one < ae && *one == '~'))
				return 1;
			if (!(two < be && *two == '~'))
				return -1;
			one++;
			two++;
			continue;
		}
		if ((one < ae && *one == '^') || (two < be && *two == '^')) {
			if (one == ae)
				return -1;
			if (two == be)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(one < ae && two < be))
			break;
		s1 = one;
		s2 = two;
		if (is_digit(*s1)) {
			while (s1 < ae && is_digit(*s1))
				s1++;
			while (s2 < be && is_digit(*s2))
				s2++;
			isnum = 1;
		} else {
			while (s1 < ae && is_alpha(*s1))
				s1++;
			while (s2 < be && is_alpha(*s2))
				s2++;
			isnum = 0;
		}
		if (one == s1)
			return -1;
		/* A numeric segment is newer than an alphabetic one. */
		if (two == s2)
			return isnum ? 1 : -1;
		if (isnum) {
			while (one < s1 && *one == '0')
				one++;
			while (two < s2 && *two == '0')
				two++;
			if (s1 - one != s2 - two)
				return s1 - one > s2 - two ? 1 : -1;
		}
		r = segcmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		if (r)
			return r;
		one = s1;
		two = s2;
	}
	if (one == ae && two == be)
		return 0;
	return one == ae ? -1 : 1;
}

struct evr {
	const char *e, *v, *r; /* e, r may be NULL */
	size_t el, vl, rl;
};

static enum cg_err evr_parse(const char *s, struct evr *out)
{
	size_t n = strnlen(s, VERCMP_MAX_LEN + 1);
	const char *p = s, *dash;

	if (n > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), s, VERCMP_MAX_LEN);
	if (n == 0)
		return cg_err_set(CG_EPARSE, _("version '': empty"));
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return cg_err_set(CG_EPARSE, _("version '%s': contains a space or control character"), s);
	while (is_digit(*p))
		p++;
	dash = strrchr(p, '-');
	memset(out, 0, sizeof *out);
	if (*p == ':') {
		out->e = s;
		out->el = (size_t)(p - s);
		if (out->el == 0)
			out->e = "0", out->el = 1;
		out->v = p + 1;
	} else {
		out->v = s;
	}
	if (dash) {
		out->vl = (size_t)(dash - out->v);
		out->r = dash + 1;
		out->rl = strlen(out->r);
	} else {
		out->vl = strlen(out->v);
	}
	if (out->vl == 0)
		return cg_err_set(CG_EPARSE, _("version '%s': the version part is empty"), s);
	return CG_OK;
}

enum cg_err vercmp_rpm_check(const char *v)
{
	struct evr e;
	return evr_parse(v, &e);
}

enum cg_err vercmp_rpm(const char *a, const char *b, int *out)
{
	struct evr x, y;
	enum cg_err rc;
	int r;

	if ((rc = evr_parse(a, &x)) || (rc = evr_parse(b, &y)))
		return rc;
	r = vercmp_rpm_segment(x.e ? x.e : "0", x.e ? x.el : 1, y.e ? y.e : "0", y.e ? y.el : 1);
	if (!r)
		r = vercmp_rpm_segment(x.v, x.vl, y.v, y.vl);
	if (!r && x.r && y.r)
		r = vercmp_rpm_segment(x.r, x.rl, y.r, y.rl);
	*out = r;
	return CG_OK;
}
