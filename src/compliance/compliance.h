/* compliance — where each information system stands against the
 * requirements of its security level.
 *
 * A requirement applies to a system when the system's level is among the
 * requirement's levels. Its state:
 *   - a person recorded it "not_applicable": not applicable;
 *   - it has automatic checks and they decide (met or not met): that, with the
 *     facts as evidence, confirmed by whoever imported the facts;
 *   - else the last state a person recorded (store_comp_status_add);
 *   - else unknown.
 * A fact check holds on a system when every host of the system on the
 * check's platform has the fact and it satisfies the check; one host that
 * fails makes it not met, one host without the fact (and none failing) makes
 * it unknown. Facts from the store are added to each host: os.eol (from the
 * end-of-support table and os-release or the inventory OS),
 * store.open_watchlist_vulns (open findings on the watchlist or in KEV),
 * store.botnet_unswept (an address on a current list, no sweep recorded).
 *
 * Everything in an evaluation is borrowed from it until comp_eval_free. */
#ifndef CG_COMPLIANCE_H
#define CG_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "cg_err.h"
#include "db.h"
#include "os_eol.h"

enum comp_state { COMP_MET, COMP_NOT_MET, COMP_UNKNOWN, COMP_NOT_APPLICABLE };

struct comp_result {
	const struct comp_req *req;
	enum comp_state state;
	int automatic;        /* decided by checks */
	const char *evidence; /* translated text */
	const char *by;       /* who confirmed it; "" when nobody */
	int64_t at;           /* when; 0 when never */
};

struct comp_system_result {
	const char *name, *owner;
	int level;
	size_t n_hosts;
	size_t n_results; /* the requirements that apply to its level */
	const struct comp_result *results;
	size_t met, not_met, unknown, not_applicable;
};

struct comp_gap {
	const struct comp_system_result *system;
	const struct comp_result *result;
};

struct comp_eval;

/* Evaluate `system` (NULL: every system) at time `now`; texts in `lang`. */
enum cg_err comp_evaluate(struct cg_db *db, const struct comp_catalogue *cat, const struct os_eol *eol,
			  const char *system, int64_t now, const char *lang, struct comp_eval **out) CG_MUST_CHECK;
void comp_eval_free(struct comp_eval *e);

size_t comp_eval_count(const struct comp_eval *e);
const struct comp_system_result *comp_eval_system(const struct comp_eval *e, size_t i);
/* Requirements not met or unknown: highest system level first, then group
 * (management before technical, in the standard's order), requirement id,
 * system name; not met before unknown within the same requirement. */
size_t comp_eval_gap_count(const struct comp_eval *e);
const struct comp_gap *comp_eval_gap(const struct comp_eval *e, size_t i);

/* Met share of the applicable requirements, 0–100 (rounded down). */
int comp_system_percent(const struct comp_system_result *s);

const char *comp_state_key(enum comp_state s); /* "met", "not_met", ... */
const char *comp_state_name(enum comp_state s); /* translated */
/* CG_EINVAL naming `key` when it is not a state. */
enum cg_err comp_state_from_key(const char *key, enum comp_state *out) CG_MUST_CHECK;

#endif
