/* INTERIM (daemon lane): the collect contract of INTERFACES.md, UDP and TCP
 * only, until the collect lane's src/collect lands; then this directory goes. */
#ifndef CG_COLLECT_H
#define CG_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

enum collect_proto { COLLECT_UDP = 1, COLLECT_TCP, COLLECT_TLS, COLLECT_FILE };
enum collect_format { COLLECT_FMT_AUTO = 0, COLLECT_FMT_SYSLOG, COLLECT_FMT_JSON, COLLECT_FMT_CEF };
struct collect_src {
	const char *name;
	enum collect_proto proto;
	enum collect_format format;
	const char *peer;
	const char *tls_subject;
	int64_t received_us;
};
typedef void (*collect_msg_fn)(void *ctx, const struct collect_src *src, const char *msg, size_t n);
struct collect_listener_opts {
	const char *name;
	enum collect_proto proto;
	enum collect_format format;
	const char *address;
	unsigned port;
	const char *tls_cert, *tls_key, *tls_ca;
	int tls_verify_client;
	size_t max_msg;
};
struct collect_file_opts {
	const char *name;
	const char *path;
	enum collect_format format;
	size_t max_msg;
};
struct collect;
enum cg_err collect_new(const char *state_dir, collect_msg_fn fn, void *ctx, struct collect **out) CG_MUST_CHECK;
enum cg_err collect_add_listener(struct collect *c, const struct collect_listener_opts *o) CG_MUST_CHECK;
unsigned collect_listener_port(const struct collect *c, size_t i);
enum cg_err collect_add_file(struct collect *c, const struct collect_file_opts *o) CG_MUST_CHECK;
enum cg_err collect_run(struct collect *c) CG_MUST_CHECK;
void collect_stop(struct collect *c);
void collect_free(struct collect *c);

#endif
