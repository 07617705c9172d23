/* Debian versions, ordered exactly as dpkg 1.21 orders them: parsing follows
 * dpkg's parseversion() (its hard errors are ours; its warnings are accepted,
 * as `dpkg --compare-versions` accepts them), ordering follows verrevcmp(). */
#include <limits.h>
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

struct deb_version {
	unsigned long epoch;
	const char *up, *up_end;   /* upstream version */
	const char *rev, *rev_end; /* revision, empty when absent */
};

static int is_blank(int c) { return c == ' ' || c == '\t'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static enum cg_err bad(const char *v, const char *why)
{
	return cg_err_set(CG_EPARSE, _("version '%.*s': %s"), VERCMP_MAX_LEN, v, why);
}

/* The epoch as strtol() would read it, with dpkg's checks. */
static enum cg_err parse_epoch(const char *v, const char *s, const char *colon, unsigned long *out)
{
	const char *p = s;
	int neg = 0, digits = 0, big = 0;
	unsigned long n = 0;

	while (p < colon && is_space(*p))
		p++;
	if (p < colon && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	while (p < colon && is_digit(*p)) {
		digits = 1;
		if (n > (unsigned long)INT_MAX)
			big = 1;
		else
			n = n * 10 + (unsigned long)(*p - '0');
		p++;
	}
	if (!digits)
		return bad(v, _("epoch in version is empty"));
	if (p != colon)
		return bad(v, _("epoch in version is not number"));
	if (neg && (n || big))
		return bad(v, _("epoch in version is negative"));
	if (big || n > (unsigned long)INT_MAX)
		return bad(v, _("epoch in version is too big"));
	*out = n;
	return CG_OK;
}

static enum cg_err deb_parse(const char *v, struct deb_version *out)
{
	const char *s = v, *end, *p, *colon, *hyphen = NULL;
	enum cg_err rc;

	if (strnlen(v, VERCMP_MAX_LEN + 1) > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), v, VERCMP_MAX_LEN);
	while (*s && is_blank(*s))
		s++;
	if (!*s)
		return bad(v, _("version string is empty"));
	for (end = s; *end && !is_blank(*end); end++)
		;
	for (p = end; *p && is_blank(*p); p++)
		;
	if (*p)
		return bad(v, _("version string has embedded spaces"));
	colon = memchr(s, ':', (size_t)(end - s));
	out->epoch = 0;
	if (colon) {
		if ((rc = parse_epoch(v, s, colon, &out->epoch)))
			return rc;
		if (colon + 1 == end)
			return bad(v, _("nothing after colon in version number"));
		s = colon + 1;
	}
	for (p = s; p < end; p++)
		if (*p == '-')
			hyphen = p;
	out->up = s;
	out->up_end = hyphen ? hyphen : end;
	out->rev = hyphen ? hyphen + 1 : end;
	out->rev_end = end;
	if (hyphen && out->rev == end)
		return bad(v, _("revision number is empty"));
	if (out->up == out->up_end)
		return bad(v, _("version number is empty"));
	return CG_OK;
}

/* dpkg's character weight: '~' before everything, even the end of the part;
 * letters before other symbols. */
static int order(int c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

#define AT(p, e) ((p) < (e) ? (unsigned char)*(p) : 0)

static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = order(AT(a, ae)), bc = order(AT(b, be));
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a))
			return 1;
		if (b < be && is_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

enum cg_err vercmp_deb_check(const char *v)
{
	struct deb_version d;
	return deb_parse(v, &d);
}

enum cg_err vercmp_deb(const char *a, const char *b, int *out)
{
	struct deb_version x, y;
	enum cg_err rc;
	int r;

	if ((rc = deb_parse(a, &x)) || (rc = deb_parse(b, &y)))
		return rc;
	if (x.epoch != y.epoch) {
		*out = x.epoch < y.epoch ? -1 : 1;
		return CG_OK;
	}
	r = verrevcmp(x.up, x.up_end, y.up, y.up_end);
	if (!r)
		r = verrevcmp(x.rev, x.rev_end, y.rev, y.rev_end);
	*out = (r > 0) - (r < 0);
	return CG_OK;
}
