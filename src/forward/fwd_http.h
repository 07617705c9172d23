/* fwd_http — one HTTP(S) endpoint that takes JSON batches (libcurl), for
 * the FWD_HTTP_JSON upstream. One handle per upstream thread. */
#ifndef CG_FWD_HTTP_H
#define CG_FWD_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "cg_err.h"

struct fwd_http;

/* `stop` (borrowed) aborts a transfer in progress when it becomes non-zero.
 * tls_ca NULL: the system's CAs. */
enum cg_err fwd_http_new(const char *url, const char *tls_ca, const char *tls_cert, const char *tls_key,
                         unsigned timeout_ms, atomic_int *stop, struct fwd_http **out) CG_MUST_CHECK;
/* POST body[0..n) as application/json. CG_OK only for a 2xx answer; else
 * `err` says what happened (status code or transport error). */
enum cg_err fwd_http_post(struct fwd_http *h, const char *body, size_t n, char *err, size_t errn) CG_MUST_CHECK;
void fwd_http_free(struct fwd_http *h);

#endif
