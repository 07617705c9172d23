/* sweep_plan — which hosts to sweep, in which order, what on each, and the
 * command to run there.
 *
 * The order is the foundation's priority list (priority_run, all tiers):
 * hosts whose address is on a current intel list (the authority's botnet
 * list once imported) first. What to sweep depends on the host's operating
 * system as the inventory records it: "windows" anywhere in it (any case)
 * gives the Windows paths, anything else the Linux/Unix ones. Everything in
 * a plan is borrowed from it until sweep_plan_free. */
#ifndef CG_SWEEP_PLAN_H
#define CG_SWEEP_PLAN_H

#include <stddef.h>

#include "cg_db.h"
#include "cg_err.h"

enum sweep_os { SWEEP_OS_UNIX = 0, SWEEP_OS_WINDOWS };

struct sweep_host {
	unsigned rank;
	const char *name, *system, *os; /* "" when unknown */
	int tier;                       /* priority tier: 1 listed, 2 hits, 3 none */
	long long score;
	size_t n_addrs;
	const char *const *addrs;
	size_t n_reasons;
	const char *const *reasons;
	enum sweep_os family;
	size_t n_paths;
	const char *const *paths;
	const char *command; /* the canhgac scan command line to run on the host */
};

struct sweep_plan;

enum cg_err sweep_plan_build(struct cg_db *db, struct sweep_plan **out) CG_MUST_CHECK;
void sweep_plan_free(struct sweep_plan *p);
size_t sweep_plan_count(const struct sweep_plan *p);
const struct sweep_host *sweep_plan_host(const struct sweep_plan *p, size_t i);

/* The family of an inventory OS text, and the paths to sweep on it. */
enum sweep_os sweep_os_family(const char *os);
const char *const *sweep_paths(enum sweep_os f, size_t *n);
const char *sweep_os_name(enum sweep_os f); /* "linux", "windows" */

#endif
