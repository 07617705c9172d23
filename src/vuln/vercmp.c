/* The front of the comparators: scheme names and dispatch, and the generic
 * order used for NVD/CPE ranges (rpmvercmp's segment order, which ranks
 * 116.0.5845.187 and 1.1.1w the way their vendors mean). */
#include <string.h>

#include "cg_i18n.h"
#include "vercmp_internal.h"

static const char *const names[VERCMP_SCHEME_COUNT] = {"deb", "rpm", "semver", "bigip", "zimbra", "generic"};

enum cg_err vercmp_scheme_parse(const char *name, enum vercmp_scheme *out)
{
	for (int i = 0; i < VERCMP_SCHEME_COUNT; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum vercmp_scheme)i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EINVAL, _("unknown version scheme '%s' (deb, rpm, semver, bigip, zimbra, generic)"),
			  name);
}

const char *vercmp_scheme_name(enum vercmp_scheme s)
{
	return (unsigned)s < VERCMP_SCHEME_COUNT ? names[s] : "?";
}

static enum cg_err generic_check(const char *v)
{
	size_t n = strnlen(v, VERCMP_MAX_LEN + 1);

	if (n > VERCMP_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("version '%.32s...': longer than %d bytes"), v, VERCMP_MAX_LEN);
	if (n == 0)
		return cg_err_set(CG_EPARSE, _("version '': empty"));
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < ' ' || v[i] == 0x7f)
			return cg_err_set(CG_EPARSE, _("version '%s': contains a control character"), v);
	return CG_OK;
}

enum cg_err vercmp_check(enum vercmp_scheme s, const char *v)
{
	struct bigip_version b;
	struct zimbra_version z;

	switch (s) {
	case VERCMP_DEB: return vercmp_deb_check(v);
	case VERCMP_RPM: return vercmp_rpm_check(v);
	case VERCMP_SEMVER: return vercmp_semver_check(v);
	case VERCMP_BIGIP: return vercmp_bigip_parse(v, &b);
	case VERCMP_ZIMBRA: return vercmp_zimbra_parse(v, &z);
	case VERCMP_GENERIC: return generic_check(v);
	default: return cg_err_set(CG_EINVAL, "unknown version scheme %d", (int)s);
	}
}

enum cg_err vercmp_compare(enum vercmp_scheme s, const char *a, const char *b, int *out)
{
	enum cg_err rc;

	switch (s) {
	case VERCMP_DEB: rc = vercmp_deb(a, b, out); break;
	case VERCMP_RPM: rc = vercmp_rpm(a, b, out); break;
	case VERCMP_SEMVER: rc = vercmp_semver(a, b, out); break;
	case VERCMP_BIGIP: rc = vercmp_bigip(a, b, out); break;
	case VERCMP_ZIMBRA: rc = vercmp_zimbra(a, b, out); break;
	case VERCMP_GENERIC:
		if ((rc = generic_check(a)) || (rc = generic_check(b)))
			return rc;
		*out = vercmp_rpm_segment(a, strlen(a), b, strlen(b));
		break;
	default: return cg_err_set(CG_EINVAL, "unknown version scheme %d", (int)s);
	}
	if (!rc)
		*out = (*out > 0) - (*out < 0);
	return rc;
}
