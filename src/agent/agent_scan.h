/* agent_scan — a scan task's result at the centre: kept apart from the hub
 * so the sweep's headers (scan.h) meet no other module's names. */
#ifndef CG_AGENT_SCAN_H
#define CG_AGENT_SCAN_H

#include "agent_msg.h"
#include "cg_db.h"
#include "cg_err.h"

/* The agent swept with the task's rules (scan_paths); each hit of result
 * `m` becomes an alert on the inventory host `host` as `canhgac scan --host`
 * records it (scan_alerts), and *out (freed by the caller) is the task's
 * result as JSON: the counts, the hits and the problems the agent listed. */
enum cg_err agent_scan_store(struct cg_db *db, const char *host, const struct agent_msg *m, char **out) CG_MUST_CHECK;

#endif
