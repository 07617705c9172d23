/* agent_client — canhgac-agent's work: its configuration, enrolment with a
 * one-time token, and the rounds of `run`: heartbeat (answered with tasks),
 * inventory, tails of watched log files, task results — every report goes
 * through the on-disk outbox first and leaves it only when the centre
 * acknowledges it.
 *
 * The state directory holds agent.key (0600), agent.crt, ca.crt, the
 * centre's address (server), the outbox, log positions and the tasks
 * already done. */
#ifndef CG_AGENT_CLIENT_H
#define CG_AGENT_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

#define AGENT_WATCH_MAX 64
#define AGENT_TAIL_CHUNK (256u << 10) /* bytes read from one watched file per round */
#define AGENT_SCAN_HITS_MAX 1000u      /* hits listed in a scan result (the rest counted) */
#define AGENT_SCAN_HIT_BYTES_MAX (4u << 20) /* bytes of the hits listed */

struct agent_conf {
	char server[300];     /* HOST:PORT; "" → the one enrolment stored */
	char state_dir[4096];
	char root[4096];      /* where /etc, /proc, /var/lib/dpkg are read ("" = /) */
	unsigned heartbeat;   /* seconds between rounds */
	unsigned inventory;   /* seconds between inventories */
	size_t outbox_items;
	uint64_t outbox_bytes;
	char *watch[AGENT_WATCH_MAX];
	size_t n_watch;
};

/* Defaults: state /var/lib/canhgac-agent, heartbeat 60 s, inventory 3600 s,
 * outbox 10000 reports / 256 MiB. */
void agent_conf_defaults(struct agent_conf *c);
/* Read the YAML file `path` over the defaults: server, state, root,
 * heartbeat, inventory, watch (a list), outbox: {max_items, max_bytes}.
 * Unknown keys are errors naming file and line. */
enum cg_err agent_conf_load(const char *path, struct agent_conf *c) CG_MUST_CHECK;
void agent_conf_release(struct agent_conf *c);

/* Where the agent reports: a line of text for its log (stderr). */
typedef void (*agent_log_fn)(const char *msg);

/* Enrol at `server` with `token`: pin the CA of the token, send a CSR, store
 * the key, certificate, CA and server address in the state directory. */
enum cg_err agent_enroll(const struct agent_conf *c, const char *server, const char *token, const char *version,
			 int64_t *agent_id) CG_MUST_CHECK;

struct agent_client;
enum cg_err agent_client_new(const struct agent_conf *c, const char *version, agent_log_fn log,
			     struct agent_client **out) CG_MUST_CHECK;
void agent_client_free(struct agent_client *cl);
/* One round at time `now`: queue what is due (inventory, log lines), then
 * talk to the centre (heartbeat, tasks, send the outbox). CG_OK when the
 * outbox was emptied; an error (kept queued) when the centre could not be
 * reached or refused. */
enum cg_err agent_client_round(struct agent_client *cl, int64_t now) CG_MUST_CHECK;
/* Rounds every heartbeat until *stop is set. */
void agent_client_run(struct agent_client *cl, volatile sig_atomic_t *stop);

#endif
