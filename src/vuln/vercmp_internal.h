/* Per-scheme comparators behind vercmp.h; each validates both inputs. */
#ifndef CG_VERCMP_INTERNAL_H
#define CG_VERCMP_INTERNAL_H

#include "vercmp.h"

enum cg_err vercmp_deb(const char *a, const char *b, int *out);
enum cg_err vercmp_deb_check(const char *v);
enum cg_err vercmp_rpm(const char *a, const char *b, int *out);
enum cg_err vercmp_rpm_check(const char *v);
enum cg_err vercmp_semver(const char *a, const char *b, int *out);
enum cg_err vercmp_semver_check(const char *v);
enum cg_err vercmp_bigip(const char *a, const char *b, int *out);
enum cg_err vercmp_zimbra(const char *a, const char *b, int *out);
/* rpmvercmp over a counted segment, shared by the rpm and generic schemes. */
int vercmp_rpm_segment(const char *a, size_t alen, const char *b, size_t blen);

/* Parse a run of decimal digits at *p (at most 9, so it fits any unsigned
 * long); advances *p. Returns 0 on success. */
int vercmp_number(const char **p, unsigned long *out);

#endif
