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
 * range bound without a BIG-IP build covers every build of that version.
 *
 * Microsoft (see winprod.h): a Windows OS item is checked against the CPE
 * products of its build (its own edition, e.g. windows_server_2019, and the
 * other edition of the same build, windows_10_1809) and against vendor
 * ranges ("microsoft" family, product "windows_server_2019"). A CVE applies
 * only when it lists the host's own product; NVD often lists servers
 * without a build ("-") and gives the fixed build on the client edition of
 * the same code base, so then the sibling's bounds decide. Without bounds
 * anywhere the finding carries a "verify" note, as does every finding of a
 * host whose build revision (UBR) is unknown (systeminfo). Installed
 * programs are named through winprod_program_lookup. A vendor range that
 * lists hotfixes (kb) is fixed on a host that has one of them. A Windows
 * host without its build revision gets the revision of the newest known
 * cumulative update it has installed (winprod_kb_revision): "this update or
 * any later one" fixes it. An Exchange cumulative update is at the build of
 * the newest "Security Update for Exchange Server ..." installed for it. */
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
	const char *fixed;  /* first fixed version (or the fixing KBs), "" when unknown */
	const char *source; /* nvd, osv, vendor ... */
	const char *ref;
	const char *note;   /* NULL, or why the finding needs checking by hand (English, N_() marked) */
};

/* What the matcher knows of the host of an item. */
struct vuln_host {
	const char *distro;       /* "Debian:12", NULL when unknown */
	const char *const *kbs;   /* hotfixes installed ("KB5032196"), borrowed */
	size_t n_kbs;
	/* All items of the host (borrowed; may be NULL): an Exchange security
	 * update is an installed program whose version is the build it brings
	 * the Exchange cumulative update to. */
	const struct inv_item *items;
	size_t n_items;
};
typedef enum cg_err (*vuln_hit_fn)(void *ctx, const struct inv_item *it, const struct vuln_hit *h);

/* Call `fn` once per vulnerability affecting `it`. `distro` ("Debian:12",
 * NULL when unknown) restricts release-specific ranges. */
enum cg_err vuln_matcher_match(const struct vuln_matcher *m, const struct inv_item *it, const char *distro,
			       vuln_hit_fn fn, void *ctx) CG_MUST_CHECK;
/* The same, with the host's hotfixes. `host` may be NULL. */
enum cg_err vuln_matcher_match_host(const struct vuln_matcher *m, const struct inv_item *it,
				    const struct vuln_host *host, vuln_hit_fn fn, void *ctx) CG_MUST_CHECK;

/* The notes findings may carry. */
extern const char vuln_note_revision[]; /* "unknown build revision: verify" */
extern const char vuln_note_no_fix[];   /* NVD names the product without a fixed build/version */
extern const char vuln_note_foreign_build[]; /* NVD's bound is a build of another release */
extern const char vuln_note_kb_verify[]; /* fixed by listed updates only: a later one is not known */

#endif
