/* deliver — hand one notice to one channel with libcurl: an e-mail over
 * SMTP (STARTTLS or implicit TLS, optional login), or a JSON POST to a
 * webhook. Every transfer has a connect timeout and a total timeout (the
 * channel's), so a dead server costs at most that long. Thread-safe: each
 * call has its own handle. */
#ifndef CG_DUTY_DELIVER_H
#define CG_DUTY_DELIVER_H

#include <stddef.h>

#include "cg_err.h"
#include "roster.h"

/* Once per process before any delivery (safe to call again). */
enum cg_err duty_deliver_init(void) CG_MUST_CHECK;

/* Send `msg` (a whole RFC 5322 message) to `to` through SMTP channel `c`.
 * On failure the message says why (server reply or transport error). */
enum cg_err duty_deliver_email(const struct duty_channel *c, const char *to, const char *msg,
			       size_t len) CG_MUST_CHECK;
/* POST `json` to webhook channel `c`; a reply other than 2xx (or a
 * Telegram reply without "ok": true) is a failure. */
enum cg_err duty_deliver_json(const struct duty_channel *c, const char *json, size_t len) CG_MUST_CHECK;

#endif
