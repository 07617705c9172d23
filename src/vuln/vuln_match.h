/* vuln_match — an immutable index of affected ranges, and the question "which
 * vulnerabilities affect this inventory item?". Built once per scan from the
 * stored ranges (or straight from parsed advisories), then read-only.
 *
 * Rules: an item is checked against the ranges of its own ecosystem family
 * (deb by source package, rpm, bigip, zimbra) and against CPE ranges of its
 * products (BIG-IP: f5:big-ip_*, Zimbra: zimbra:zimbra and its other names,
 * CPE inventories: their vendor:product). When a family range exists for a
 * vulnerability and the item, it decides alone: a distribution's or vendor's
 * own fix data (backports, engineering hotfixes) beats NVD's ranges. A CPE
 * range bound without a BIG-IP build covers every build of that version. */
#ifndef CG_VULN_MATCH_H
#define CG_VULN_MATCH_H

#include <stddef.h>

#include "advisory.h"
#include "cg_err.h"
#include "inventory.h"

struct vuln_matcher;

enum cg_err vuln_matcher_new(struct vuln_matcher **out) CG_MUST_CHECK;
void vuln_matcher_free(struct vuln_matcher *m); /* NULL is a no-op */

/* Add one range (copied) for vulnerability `vuln_id` from advisory
 * `source`/`ref`. Only before vuln_matcher_seal. */
enum cg_err vuln_matcher_add(struct vuln_matcher *m, const char *vuln_id, const char *source, const char *ref,
			     const struct adv_range *r) CG_MUST_CHECK;
/* Sort the index; afterwards the matcher is read-only and may be shared. */
void vuln_matcher_seal(struct vuln_matcher *m);
size_t vuln_matcher_size(const struct vuln_matcher *m);

struct vuln_hit {
	const char *vuln_id;
	const char *fixed;  /* first fixed version, "" when unknown */
	const char *source; /* nvd, osv, vendor ... */
	const char *ref;
};
typedef enum cg_err (*vuln_hit_fn)(void *ctx, const struct inv_item *it, const struct vuln_hit *h);

/* Call `fn` once per vulnerability affecting `it`. `distro` ("Debian:12",
 * NULL when unknown) restricts release-specific ranges. */
enum cg_err vuln_matcher_match(const struct vuln_matcher *m, const struct inv_item *it, const char *distro,
			       vuln_hit_fn fn, void *ctx) CG_MUST_CHECK;

#endif
