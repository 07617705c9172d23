/* daemon — the canhgacd pipeline.
 *
 *   receivers (collect: UDP, TCP, TLS, file tails; one libevent loop, the
 *   caller's thread in daemon_run)
 *     → bounded message queue (daemon_queue; TCP/TLS/files wait when it is
 *       full, a UDP datagram that does not fit is counted as dropped)
 *     → N worker threads: normalize (cg_event_from_message) → detect
 *       (detect_worker_match_raw against the current snapshot) → events to
 *       the forward queue
 *     → alert queue → ONE writer thread that owns the alert store and
 *       commits in batches (alerts to the forward queue too)
 *   a control thread: reload requests (SIGHUP, `canhgac reload`), the intel
 *   generation of the database every few seconds, detect_tick; a new
 *   snapshot is built there, off the hot path, and swapped in (a bad rule or
 *   intel file keeps the old one and is logged);
 *   a duty thread (duty_tick about every second, its own connection);
 *   the metrics endpoint (Prometheus text, libmicrohttpd, 127.0.0.1).
 *
 * Order of start (daemon_new): bind every listener and the metrics port,
 * write the pid file, drop privileges (setgroups, setgid, setuid) when the
 * configuration names a user, then open the database, build the first
 * snapshot and start the threads. */
#ifndef CG_DAEMON_H
#define CG_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "daemon_config.h"

struct daemon;

/* Borrows `cfg` for the daemon's life. On failure the message names what
 * (the listener that cannot bind, the rule file that does not load). */
enum cg_err daemon_new(const struct daemon_config *cfg, struct daemon **out) CG_MUST_CHECK;
/* Run until daemon_stop; returns after the queues are drained, the alerts
 * committed and the forward queue committed. */
enum cg_err daemon_run(struct daemon *d) CG_MUST_CHECK;
/* From any thread or a signal-waiting thread. */
void daemon_stop(struct daemon *d);
/* Ask for a new snapshot (rules and intel read again); from any thread. */
void daemon_reload(struct daemon *d);
void daemon_free(struct daemon *d); /* NULL is a no-op */

/* The port listener `i` (in configuration order) is bound to; the metrics
 * port (0 when off). */
unsigned daemon_listener_port(const struct daemon *d, size_t i);
unsigned daemon_http_port(const struct daemon *d);
/* The port of the agents' hub (0 when none). */
int daemon_agents_port(const struct daemon *d);

/* The metrics page (Prometheus text format 0.0.4) into `out` (appended). */
struct cg_buf;
enum cg_err daemon_metrics_render(struct daemon *d, struct cg_buf *out) CG_MUST_CHECK;

/* What `canhgacd -n` reports: the configuration parses, the database opens,
 * the detection snapshot builds. */
struct daemon_check {
	size_t listeners, files, upstreams;
	size_t indicators, sigma_rules, sigma_rejected, threshold_rules;
};
enum cg_err daemon_check(const struct daemon_config *cfg, struct daemon_check *out) CG_MUST_CHECK;

#endif
