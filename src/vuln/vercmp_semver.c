/* Semantic Versioning 2.0.0 precedence (build metadata ignored). Lenient
 * where ecosystems are: a leading 'v', missing minor/patch (taken as 0) and
 * leading zeros are accepted. */
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

struct semver {
	const char *core[3];
	size_t core_len[3];
	const char *pre; /* NULL when absent */
	size_t pre_len;
};

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ident(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static enum cg_err bad(const char *v, const char *why)
{
	return cg_err_set(CG_EPARSE, _("version '%.*s': %s"), VERCMP_MAX_LEN, v, why);
}

static enum cg_err parse(const char *v, struct semver *out)
{
	const char *p = v;
	int n = 0;

	if (strnlen(v, VERCMP_MAX_LEN + 1) > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), v, VERCMP_MAX_LEN);
	memset(out, 0, sizeof *out);
	if (*p == 'v' || *p == 'V')
		p++;
	for (;;) {
		const char *s = p;
		while (is_digit(*p))
			p++;
		if (p == s)
			return bad(v, n ? _("empty number after '.'") : _("does not start with a number"));
		out->core[n] = s;
		out->core_len[n] = (size_t)(p - s);
		n++;
		if (*p != '.')
			break;
		if (n == 3)
			return bad(v, _("more than three numbers (MAJOR.MINOR.PATCH)"));
		p++;
	}
	if (*p == '-') {
		const char *s = ++p;
		while (*p && *p != '+') {
			if (*p != '.' && !is_ident(*p))
				return bad(v, _("invalid character in the pre-release"));
			if (*p == '.' && (p == s || p[-1] == '.' || !p[1] || p[1] == '+'))
				return bad(v, _("empty pre-release identifier"));
			p++;
		}
		if (p == s)
			return bad(v, _("empty pre-release"));
		out->pre = s;
		out->pre_len = (size_t)(p - s);
	}
	if (*p == '+') {
		p++;
		if (!*p)
			return bad(v, _("empty build metadata"));
		for (; *p; p++)
			if (*p != '.' && !is_ident(*p))
				return bad(v, _("invalid character in the build metadata"));
	}
	if (*p)
		return bad(v, _("unexpected character"));
	return CG_OK;
}

static int numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	int r = memcmp(a, b, an);
	return (r > 0) - (r < 0);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return n > 0;
}

static int precmp(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ae = a + an, *be = b + bn;

	while (a < ae && b < be) {
		const char *x = a, *y = b;
		int r;
		while (x < ae && *x != '.')
			x++;
		while (y < be && *y != '.')
			y++;
		int na = all_digits(a, (size_t)(x - a)), nb = all_digits(b, (size_t)(y - b));
		if (na && nb)
			r = numcmp(a, (size_t)(x - a), b, (size_t)(y - b));
		else if (na != nb)
			r = na ? -1 : 1; /* numeric identifiers have lower precedence */
		else {
			size_t la = (size_t)(x - a), lb = (size_t)(y - b);
			r = memcmp(a, b, la < lb ? la : lb);
			r = r ? (r > 0) - (r < 0) : (la == lb ? 0 : (la < lb ? -1 : 1));
		}
		if (r)
			return r;
		a = x < ae ? x + 1 : x;
		b = y < be ? y + 1 : y;
		if (x == ae || y == be) {
			if (x == ae && y == be)
				return 0;
			return x == ae ? -1 : 1;
		}
	}
	return 0;
}

enum cg_err vercmp_semver_check(const char *v)
{
	struct semver s;
	return parse(v, &s);
}

enum cg_err vercmp_semver(const char *a, const char *b, int *out)
{
	struct semver x, y;
	enum cg_err rc;

	if ((rc = parse(a, &x)) || (rc = parse(b, &y)))
		return rc;
	for (int i = 0; i < 3; i++) {
		int r = numcmp(x.core[i] ? x.core[i] : "0", x.core[i] ? x.core_len[i] : 1,
			       y.core[i] ? y.core[i] : "0", y.core[i] ? y.core_len[i] : 1);
		if (r) {
			*out = r;
			return CG_OK;
		}
	}
	if (!x.pre || !y.pre)
		*out = x.pre ? -1 : (y.pre ? 1 : 0); /* a pre-release precedes its release */
	else
		*out = precmp(x.pre, x.pre_len, y.pre, y.pre_len);
	return CG_OK;
}
