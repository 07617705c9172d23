/* block_serve — serve the current lists over HTTP to firewalls and
 * resolvers that pull them: GET /nft, /ipset, /rpz, /unbound, /hosts,
 * /plain, /json (optionally ?since=WHEN for the changes). Each response
 * carries an ETag (digest of the body); a client sending it back in
 * If-None-Match gets 304. Exports are cached and rebuilt only when the
 * database changed or a decision expired. One thread serves; it alone uses
 * its own database connection. */
#ifndef CG_BLOCK_SERVE_H
#define CG_BLOCK_SERVE_H

#include "cg_err.h"
#include "export.h"

struct block_serve_opts {
	const char *db_path;
	const char *addr;  /* listen address; default 127.0.0.1 */
	unsigned port;     /* 0: any free port (see block_serve_port) */
	const char *record; /* when set, each full list served is recorded as enforced at "RECORD/CLIENT" */
	unsigned max_clients;
	struct block_export_opts export;
};

struct block_server;

enum cg_err block_serve_start(const struct block_serve_opts *o, struct block_server **out) CG_MUST_CHECK;
/* The port listened on. */
unsigned block_serve_port(const struct block_server *s);
/* Stop serving and release everything; NULL is a no-op. */
void block_serve_stop(struct block_server *s);

#endif
