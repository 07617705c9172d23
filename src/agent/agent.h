/* agent — the centre's side of the agents as the CLI drives it: one-time
 * enrolment tokens, revocation, tasks. The token carries the fingerprint of
 * the CA certificate so an agent can pin the centre on first contact; only
 * the SHA-256 of its secret is stored.
 *
 * Token: "cga1.ID.SECRET.FINGERPRINT" (SECRET 64 hex digits, FINGERPRINT the
 * CA certificate's SHA-256 in hex). */
#ifndef CG_AGENT_H
#define CG_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_db.h"
#include "cg_err.h"

#define AGENT_TOKEN_MAX 160
#define AGENT_TTL_MAX (30 * 86400)

struct agent_token_parts {
	int64_t id;
	char secret[65];
	char fingerprint[65];
};

/* Split a token; CG_EPARSE names what is wrong. Pure. */
enum cg_err agent_token_parse(const char *token, struct agent_token_parts *out) CG_MUST_CHECK;

/* A new token for the CA in `ca_dir`, valid `ttl` seconds from `now`, bound
 * to the agent name `name` (NULL: "agent-ID"). Writes the token into `out`. */
enum cg_err agent_token_create(struct cg_db *db, const char *ca_dir, const char *name, int64_t ttl, int64_t now,
			       char out[AGENT_TOKEN_MAX], int64_t *expires_at) CG_MUST_CHECK;

/* "24h", "30m", "7d", "3600" (seconds) → seconds in [60, AGENT_TTL_MAX]. */
enum cg_err agent_ttl_parse(const char *s, int64_t *out) CG_MUST_CHECK;

/* SHA-256 of `p` in lower-case hex. */
void agent_sha256_hex(const void *p, size_t n, char out[65]);

/* Queue a task: "scan" or "collect" of an absolute `path` on agent `id`;
 * collect needs an existing incident the evidence goes to. A scan carries
 * the YARA rules at `rule_paths` (files or directories of *.yar / *.yara,
 * compiled here first; at most AGENT_RULES_MAX bytes of source), which the
 * agent compiles and sweeps the path with. */
enum cg_err agent_task_queue(struct cg_db *db, int64_t id, const char *kind, const char *path, int64_t incident_id,
			     const char *const *rule_paths, size_t n_rule_paths, int64_t now,
			     int64_t *task_id) CG_MUST_CHECK;

#endif
