/* F5 BIG-IP versions. A BIG-IP is identified by its version (up to four
 * numbers, 17.1.0.3) and its build (three numbers, 0.75.4); engineering
 * hotfixes keep the version and raise the build, so both take part in the
 * order. Accepted spellings:
 *   17.1.0.3            17.1.0.3 build 0.75.4    17.1.0.3 Build 0.75.4
 *   17.1.0.3+0.75.4     17.1.0.3-0.75.4          17.1.0.3.0.75.4
 *   Hotfix-BIGIP-17.1.0.3.0.75.4-ENG             BIGIP-17.1.0.3-0.75.4
 * A missing build is 0.0.0. */
#include <strings.h>
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

int vercmp_number(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (++digits > 9)
			return -1;
		n = n * 10 + (unsigned long)(*s - '0');
		s++;
	}
	if (!digits)
		return -1;
	*p = s;
	*out = n;
	return 0;
}

/* Read "N(.N)*" (at most `max` numbers) into `v`; returns the count or -1. */
static int dotted(const char **p, unsigned long *v, int max)
{
	int n = 0;
	for (;;) {
		if (n == max || vercmp_number(p, &v[n]))
			return -1;
		n++;
		if (**p != '.' || !((*p)[1] >= '0' && (*p)[1] <= '9'))
			return n;
		(*p)++;
	}
}

enum cg_err vercmp_bigip_parse(const char *s, struct bigip_version *out)
{
	const char *p = s;
	unsigned long all[7];
	int n;

	if (strnlen(s, VERCMP_MAX_LEN + 1) > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), s, VERCMP_MAX_LEN);
	memset(out, 0, sizeof *out);
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "Hotfix-", 7) == 0)
		p += 7;
	if (strncasecmp(p, "BIGIP-", 6) == 0)
		p += 6;
	n = dotted(&p, all, 7);
	if (n < 0)
		goto bad;
	if (n > 4) {
		memcpy(out->v, all, 4 * sizeof all[0]);
		memcpy(out->b, all + 4, (size_t)(n - 4) * sizeof all[0]);
		out->has_build = 1;
	} else {
		memcpy(out->v, all, (size_t)n * sizeof all[0]);
		if (*p == '+' || *p == '-' || *p == ' ' || *p == '\t') {
			const char *q = p + 1;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncasecmp(q, "build", 5) == 0) {
				q += 5;
				while (*q == ' ' || *q == '\t')
					q++;
			}
			if (*q >= '0' && *q <= '9') {
				p = q;
				if (dotted(&p, out->b, 3) < 0)
					goto bad;
				out->has_build = 1;
			}
		}
	}
	if (strncasecmp(p, "-ENG", 4) == 0)
		p += 4;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		goto bad;
	return CG_OK;
bad:
	return cg_err_set(CG_EPARSE,
			  _("version '%s': not a BIG-IP version (expected e.g. '17.1.0.3' or '17.1.0.3 build 0.75.4')"),
			  s);
}

enum cg_err vercmp_bigip(const char *a, const char *b, int *out)
{
	struct bigip_version x, y;
	enum cg_err rc;

	if ((rc = vercmp_bigip_parse(a, &x)) || (rc = vercmp_bigip_parse(b, &y)))
		return rc;
	*out = 0;
	for (int i = 0; i < 4 && !*out; i++)
		if (x.v[i] != y.v[i])
			*out = x.v[i] < y.v[i] ? -1 : 1;
	for (int i = 0; i < 3 && !*out; i++)
		if (x.b[i] != y.b[i])
			*out = x.b[i] < y.b[i] ? -1 : 1;
	return CG_OK;
}
