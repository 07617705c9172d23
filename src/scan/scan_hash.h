/* scan_hash — the digests of a file's content (SHA-256, SHA-1, MD5), any
 * subset, computed in one pass over the bytes (OpenSSL EVP, which uses the
 * CPU's SHA instructions where there are some). One scan_hash per thread. */
#ifndef CG_SCAN_HASH_H
#define CG_SCAN_HASH_H

#include <stddef.h>

#include "cg_err.h"

enum scan_hash_type { SCAN_HASH_SHA256 = 0, SCAN_HASH_SHA1, SCAN_HASH_MD5, SCAN_HASH_COUNT };
#define SCAN_HASH_BIT(t) (1u << (t))
/* Hex digest plus NUL; SHA-256 is the longest. */
#define SCAN_HASH_HEX_MAX 65

struct scan_hash;

/* `types`: SCAN_HASH_BIT()s of the digests to compute (0 is allowed). */
enum cg_err scan_hash_new(unsigned types, struct scan_hash **out) CG_MUST_CHECK;
void scan_hash_free(struct scan_hash *h);
unsigned scan_hash_types(const struct scan_hash *h);
/* Start, feed, finish one content. */
enum cg_err scan_hash_begin(struct scan_hash *h) CG_MUST_CHECK;
enum cg_err scan_hash_update(struct scan_hash *h, const void *buf, size_t len) CG_MUST_CHECK;
/* Lower-case hex into hex[t] for each type computed; "" for the others. */
enum cg_err scan_hash_end(struct scan_hash *h, char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX]) CG_MUST_CHECK;
/* "sha256", "sha1", "md5". */
const char *scan_hash_name(enum scan_hash_type t);

#endif
