/* daemon_metrics — the health and metrics endpoint of canhgacd: HTTP on a
 * loopback address (libmicrohttpd, its own thread). GET /metrics answers the
 * page the render callback writes (Prometheus text format 0.0.4), GET
 * /health "ok". Bound when started, so it can be started before privileges
 * are dropped. */
#ifndef CG_DAEMON_METRICS_H
#define CG_DAEMON_METRICS_H

#include "cg_buf.h"
#include "cg_err.h"

struct daemon_metrics;
typedef enum cg_err (*daemon_metrics_fn)(void *ctx, struct cg_buf *out);

/* `port` 0: the OS picks (daemon_metrics_port tells). */
enum cg_err daemon_metrics_start(const char *address, unsigned port, daemon_metrics_fn fn, void *ctx,
				 struct daemon_metrics **out) CG_MUST_CHECK;
unsigned daemon_metrics_port(const struct daemon_metrics *m);
void daemon_metrics_stop(struct daemon_metrics *m); /* NULL is a no-op */

#endif
