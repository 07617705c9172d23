/* Zimbra Collaboration releases and patch levels: 8.8.15 < 8.8.15 Patch 40 <
 * 8.8.15 Patch 41 < 9.0.0. Accepted spellings of a patch level: "8.8.15 Patch
 * 41", "8.8.15_P41", "8.8.15.p41", "8.8.15p41", "8.8.15:p41" (CPE version and
 * update), "8.8.15_GA" (no patch). */
#include <strings.h>
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

enum cg_err vercmp_zimbra_parse(const char *s, struct zimbra_version *out)
{
	const char *p = s;
	int n = 0;

	if (strnlen(s, VERCMP_MAX_LEN + 1) > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), s, VERCMP_MAX_LEN);
	memset(out, 0, sizeof *out);
	while (*p == ' ' || *p == '\t')
		p++;
	for (;;) {
		if (n == 4 || vercmp_number(&p, &out->r[n]))
			goto bad;
		n++;
		if (*p != '.' || !(p[1] >= '0' && p[1] <= '9'))
			break;
		p++;
	}
	if (strncasecmp(p, "_GA", 3) == 0) {
		p += 3;
	} else if (*p) {
		if (*p == '_' || *p == '.' || *p == ':' || *p == ' ' || *p == '\t')
			p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "patch", 5) == 0)
			p += 5;
		else if (*p == 'p' || *p == 'P')
			p++;
		else
			goto bad;
		while (*p == ' ' || *p == '\t')
			p++;
		if (vercmp_number(&p, &out->patch))
			goto bad;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		goto bad;
	return CG_OK;
bad:
	return cg_err_set(CG_EPARSE,
			  _("version '%s': not a Zimbra version (expected e.g. '8.8.15' or '8.8.15 Patch 41')"), s);
}

enum cg_err vercmp_zimbra(const char *a, const char *b, int *out)
{
	struct zimbra_version x, y;
	enum cg_err rc;

	if ((rc = vercmp_zimbra_parse(a, &x)) || (rc = vercmp_zimbra_parse(b, &y)))
		return rc;
	*out = 0;
	for (int i = 0; i < 4 && !*out; i++)
		if (x.r[i] != y.r[i])
			*out = x.r[i] < y.r[i] ? -1 : 1;
	if (!*out && x.patch != y.patch)
		*out = x.patch < y.patch ? -1 : 1;
	return CG_OK;
}
