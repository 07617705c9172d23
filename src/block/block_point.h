/* block_point — enforcement points (firewalls, resolvers) that pull lists
 * from `block serve` and prove who they are with a token. Only the token's
 * SHA-256 is stored; the token itself is shown once, when the point is added. */
#ifndef CG_BLOCK_POINT_H
#define CG_BLOCK_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

struct cg_db;

/* "cgp_" and 64 hex digits, NUL-terminated. */
#define BLOCK_POINT_TOKEN_LEN 68
/* Longest point name. */
#define BLOCK_POINT_NAME_MAX 64

/* A name is 1-64 of [A-Za-z0-9._-]; CG_EINVAL naming it otherwise. */
enum cg_err block_point_check_name(const char *name) CG_MUST_CHECK;
/* Add point `name` with a new random token, written to token[BLOCK_POINT_TOKEN_LEN + 1]. */
enum cg_err block_point_add(struct cg_db *db, const char *name, int64_t at, char *token) CG_MUST_CHECK;
/* The point a presented token belongs to, into name[n]; CG_ENOTFOUND for an
 * unknown (or malformed) token. */
enum cg_err block_point_authenticate(struct cg_db *db, const char *token, char *name, size_t n) CG_MUST_CHECK;

#endif
