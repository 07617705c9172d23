/* block_serve — serve the current lists over HTTP to firewalls and
 * resolvers that pull them: GET /nft, /ipset, /rpz, /unbound, /hosts,
 * /plain, /json (optionally ?since=WHEN for the changes). Each response
 * carries an ETag (digest of the body); a client sending it back in
 * If-None-Match gets 304. Exports are cached and rebuilt only when the
 * database changed or a decision expired. One thread serves; it alone uses
 * its own database connection.
 *
 * Enforcement is recorded only for authenticated points: a request with
 * "Authorization: Bearer TOKEN" (see block_point) of a full list served
 * queues one record per point, format and list version; a writer thread
 * with its own connection stores them, so a busy database never delays a
 * response. An unknown token is answered 401.
 *
 * One client cannot hold the server: a client address holds at most
 * max_per_address connections, a request head must be complete within
 * head_timeout seconds, an idle connection is closed. */
#ifndef CG_BLOCK_SERVE_H
#define CG_BLOCK_SERVE_H

#include "cg_err.h"
#include "export.h"

struct block_serve_opts {
	const char *db_path;
	const char *addr;  /* listen address; default 127.0.0.1 */
	unsigned port;     /* 0: any free port (see block_serve_port) */
	unsigned max_clients;     /* 0: BLOCK_SERVE_MAX_CLIENTS */
	unsigned max_per_address; /* 0: BLOCK_SERVE_MAX_PER_ADDRESS */
	unsigned head_timeout;    /* seconds; 0: BLOCK_SERVE_HEAD_TIMEOUT */
	struct block_export_opts export;
};

#define BLOCK_SERVE_MAX_CLIENTS 256u
#define BLOCK_SERVE_MAX_PER_ADDRESS 8u
#define BLOCK_SERVE_HEAD_TIMEOUT 10u
#define BLOCK_SERVE_IDLE_TIMEOUT 30u

struct block_server;

enum cg_err block_serve_start(const struct block_serve_opts *o, struct block_server **out) CG_MUST_CHECK;
/* The port listened on. */
unsigned block_serve_port(const struct block_server *s);
/* Stop serving and release everything; NULL is a no-op. */
void block_serve_stop(struct block_server *s);

#endif
