/* agent_hub — the centre's end of the agent protocol, hosted by canhgacd
 * (or any program): listens on TCP with TLS, enrols agents that bring a
 * one-time token and a CSR, and serves enrolled agents over mutual TLS.
 *
 * An agent's identity is taken only from its verified client certificate
 * (its serial names the agent row); a revoked or unknown certificate is
 * refused on every connection. Everything an agent sends is stored under
 * its own id; no name an agent sends is used as a path.
 *
 * Threads: agent_hub_start() runs an accept thread; each connection is
 * served by its own thread, at most `max_conns` at once (more are closed
 * at once). The database connection is the hub's own, used under a lock. */
#ifndef CG_AGENT_HUB_H
#define CG_AGENT_HUB_H

#include <stdint.h>

#include "cg_err.h"

enum agent_hub_log_level { AGENT_HUB_INFO, AGENT_HUB_WARN };

struct agent_hub_opts {
	const char *listen;       /* "HOST:PORT"; NULL: "0.0.0.0:7443"; port 0: the system picks */
	const char *ca_dir;       /* NULL: DBDIR/ca */
	const char *evidence_dir; /* NULL: DBDIR/evidence (as 'canhgac evidence') */
	unsigned max_conns;       /* 0: 64 */
	/* Where the hub reports (enrolments, refusals, bad messages); called
	 * from the hub's threads. NULL: stderr. */
	void (*log)(void *ctx, enum agent_hub_log_level level, const char *msg);
	void *log_ctx;
};

struct agent_hub;

/* Load the CA and the server certificate (they may be readable by root
 * only) and bind the listening socket, so a daemon can drop its privileges
 * before agent_hub_start. The database at `db_path` is opened by start. */
enum cg_err agent_hub_new(const struct agent_hub_opts *opts, const char *db_path,
			  struct agent_hub **out) CG_MUST_CHECK;
/* The bound port (useful when port 0 was asked for). */
int agent_hub_port(const struct agent_hub *hub);
/* Open the database and start accepting on a thread of the hub's own. */
enum cg_err agent_hub_start(struct agent_hub *hub) CG_MUST_CHECK;
/* Stop accepting, wait for the connections being served (each ends within
 * the I/O time limit) and the accept thread. Idempotent. */
void agent_hub_stop(struct agent_hub *hub);
/* Stops if needed, then frees. NULL is a no-op. */
void agent_hub_free(struct agent_hub *hub);

#endif
