/* store_agent — enrolment tokens, agents, their reports, tasks and log
 * lines, in storage. No SQLite types cross this interface; rows handed to
 * callbacks are borrowed for the call only. Every function that records
 * what an agent sent takes the agent id the hub took from the verified
 * certificate, and only ever writes rows of that agent. */
#ifndef CG_STORE_AGENT_H
#define CG_STORE_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "db.h"

#define AGENT_LOG_KEEP 100000 /* log lines kept per agent; older ones are dropped */

enum cg_err store_agent_token_add(struct cg_db *db, const char *secret_sha256, const char *name, int64_t now,
				  int64_t expires_at, int64_t *id) CG_MUST_CHECK;

/* Issue the certificate once the agent row exists: returns the serial (hex). */
typedef enum cg_err (*store_agent_issue_fn)(void *ctx, int64_t agent_id, char serial[41]);

/* Use token `token_id` whose secret hashes to `secret_sha256`: in one
 * transaction check it (known, same hash, unused, not expired at `now`),
 * add the agent (named after the token's name, else "agent-ID"), call
 * `issue`, record the serial and mark the token used. A refused token is
 * CG_EINVAL with a message saying why. */
enum cg_err store_agent_enroll(struct cg_db *db, int64_t token_id, const char *secret_sha256, const char *hostname,
			       const char *version, int64_t now, store_agent_issue_fn issue, void *ctx,
			       int64_t *agent_id) CG_MUST_CHECK;

struct agent_ident {
	int64_t id;
	char name[256];
	int revoked;
};
/* The agent holding the certificate with `serial`; CG_ENOTFOUND if none. */
enum cg_err store_agent_by_serial(struct cg_db *db, const char *serial, struct agent_ident *out) CG_MUST_CHECK;
enum cg_err store_agent_get(struct cg_db *db, int64_t id, struct agent_ident *out) CG_MUST_CHECK;

enum cg_err store_agent_seen(struct cg_db *db, int64_t id, int64_t now, const char *hostname, const char *version,
			     const char *addresses_json) CG_MUST_CHECK;
enum cg_err store_agent_revoke(struct cg_db *db, int64_t id, int64_t now) CG_MUST_CHECK;

/* Report `seq` of agent `id` was stored already (1) or not (0). */
enum cg_err store_agent_report_seen(struct cg_db *db, int64_t id, int64_t seq, int *seen) CG_MUST_CHECK;
enum cg_err store_agent_report_done(struct cg_db *db, int64_t id, int64_t seq, const char *kind,
				    int64_t now) CG_MUST_CHECK;

enum cg_err store_agent_inventory(struct cg_db *db, int64_t id, const char *os, const char *kernel,
				  const char *ports_json, const char *users_json, int64_t packages,
				  int64_t now) CG_MUST_CHECK;
enum cg_err store_agent_logs(struct cg_db *db, int64_t id, const char *file, int64_t offset,
			     const char *const *lines, size_t n, int64_t now) CG_MUST_CHECK;

struct agent_task_row {
	int64_t id, agent_id, incident_id, created_at, sent_at, done_at, evidence_id;
	const char *kind, *path, *state, *error, *result; /* "" when none */
	const char *rules; /* scan: JSON array of {name, source}; "" when none */
};
typedef enum cg_err (*agent_task_fn)(void *ctx, const struct agent_task_row *t);

enum cg_err store_agent_task_add(struct cg_db *db, int64_t agent_id, const char *kind, const char *path,
				 int64_t incident_id, const char *rules_json, int64_t now, int64_t *id) CG_MUST_CHECK;
/* Tasks of agent `id` not done yet (pending or sent), oldest first, at most
 * `max`; each is marked sent at `now`. */
enum cg_err store_agent_tasks_open(struct cg_db *db, int64_t id, size_t max, int64_t now, agent_task_fn fn,
				   void *ctx) CG_MUST_CHECK;
/* Task `task_id` of agent `agent_id` (CG_ENOTFOUND when it is another
 * agent's or does not exist). */
enum cg_err store_agent_task_get(struct cg_db *db, int64_t agent_id, int64_t task_id, agent_task_fn fn,
				 void *ctx) CG_MUST_CHECK;
enum cg_err store_agent_task_finish(struct cg_db *db, int64_t agent_id, int64_t task_id, int ok, const char *error,
				    const char *result_json, int64_t evidence_id, int64_t now) CG_MUST_CHECK;
/* Tasks of agent `agent_id` (0: all agents), newest first. */
enum cg_err store_agent_tasks(struct cg_db *db, int64_t agent_id, agent_task_fn fn, void *ctx) CG_MUST_CHECK;

struct agent_row {
	int64_t id, enrolled_at, last_seen, revoked_at, inventory_at, packages, pending_tasks, log_lines;
	const char *name, *hostname, *version, *addresses, *os, *kernel, *serial, *ports, *users; /* JSON text */
};
typedef enum cg_err (*agent_row_fn)(void *ctx, const struct agent_row *r);
enum cg_err store_agent_foreach(struct cg_db *db, agent_row_fn fn, void *ctx) CG_MUST_CHECK;

struct agent_log_row {
	int64_t agent_id, offset, received_at;
	const char *file, *line;
};
typedef enum cg_err (*agent_log_fn)(void *ctx, const struct agent_log_row *r);
enum cg_err store_agent_log_foreach(struct cg_db *db, int64_t agent_id, agent_log_fn fn, void *ctx) CG_MUST_CHECK;

#endif
