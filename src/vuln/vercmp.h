/* vercmp — version ordering per packaging scheme: Debian (exactly as dpkg),
 * RPM (exactly as rpmvercmp), SemVer 2.0.0, F5 BIG-IP version + build, Zimbra
 * release + patch, and a generic dotted order for CPE ranges.
 *
 * All functions are pure: no allocation, no I/O. Inputs longer than
 * VERCMP_MAX_LEN are refused, so hostile strings cost bounded time. */
#ifndef CG_VERCMP_H
#define CG_VERCMP_H

#include <stddef.h>

#include "cg_err.h"

#define VERCMP_MAX_LEN 256

enum vercmp_scheme {
	VERCMP_DEB,
	VERCMP_RPM,
	VERCMP_SEMVER,
	VERCMP_BIGIP,
	VERCMP_ZIMBRA,
	VERCMP_GENERIC, /* NVD/CPE versions: dotted numbers and words */
	VERCMP_SCHEME_COUNT
};

/* "deb", "rpm", "semver", "bigip", "zimbra", "generic" → scheme;
 * CG_EINVAL naming the word otherwise. */
enum cg_err vercmp_scheme_parse(const char *name, enum vercmp_scheme *out) CG_MUST_CHECK;
const char *vercmp_scheme_name(enum vercmp_scheme s);

/* Is `v` a version of scheme `s`? CG_EPARSE with "version 'v': reason" when
 * not. Debian versions that dpkg only warns about (upstream not starting with
 * a digit, odd characters) are accepted, as `dpkg --compare-versions` does. */
enum cg_err vercmp_check(enum vercmp_scheme s, const char *v) CG_MUST_CHECK;

/* Order `a` and `b` in scheme `s`: *out is <0, 0 or >0. Fails like
 * vercmp_check when either is not a version of the scheme. */
enum cg_err vercmp_compare(enum vercmp_scheme s, const char *a, const char *b, int *out) CG_MUST_CHECK;

/* BIG-IP: split "17.1.0.3 build 0.75.4" (and the other accepted spellings,
 * see vercmp_bigip.c) into up to 4 version and 3 build numbers; absent parts
 * are 0. Returns CG_EPARSE on anything else. */
struct bigip_version {
	unsigned long v[4];
	unsigned long b[3];
	int has_build;
};
enum cg_err vercmp_bigip_parse(const char *s, struct bigip_version *out) CG_MUST_CHECK;

/* Zimbra: "8.8.15 Patch 41", "8.8.15_P41", "8.8.15.p41", "8.8.15p41" or
 * "8.8.15" (GA = patch 0). */
struct zimbra_version {
	unsigned long r[4];
	unsigned long patch;
};
enum cg_err vercmp_zimbra_parse(const char *s, struct zimbra_version *out) CG_MUST_CHECK;

#endif
