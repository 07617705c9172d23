/* collect_internal — what collect.c (the loop, the API, the counters) and
 * collect_net.c (sockets, TLS, framing) share. Not for other modules. */
#ifndef COLLECT_INTERNAL_H
#define COLLECT_INTERNAL_H

#include <stdint.h>

#include "collect.h"

struct event_base;
struct collect_listener;

/* One source's counters; updated on the loop, read from any thread. */
struct collect_counters {
	uint64_t msgs, bytes, truncated, framing_errors, conns, conns_open, conns_refused, idle_closed,
		tls_failures, read_errors, rotations, truncations;
};

struct collect_source {
	char *name;
	enum collect_proto proto;
	enum collect_format format;
	struct collect_counters n;
};

#define COLLECT_COUNT(src, field, k) __atomic_add_fetch(&(src)->n.field, (uint64_t)(k), __ATOMIC_RELAXED)

/* Hand one message to the callback and count it. */
void collect_deliver(struct collect *c, struct collect_source *s, const char *peer, const char *subject,
		     int64_t received_us, const char *msg, size_t n, int truncated);
/* Run the flush hook when messages were delivered since it last ran. */
void collect_flush(struct collect *c);

/* collect_net.c */
enum cg_err collect_listener_open(struct event_base *base, struct collect *c, struct collect_source *src,
				  const struct collect_listener_opts *o, struct collect_listener **out) CG_MUST_CHECK;
unsigned collect_listener_bound_port(const struct collect_listener *l);
/* Close connections idle (no whole message) for longer than the timeout. */
void collect_listener_sweep(struct collect_listener *l, int64_t now_ms);
void collect_listener_free(struct collect_listener *l);

#endif
