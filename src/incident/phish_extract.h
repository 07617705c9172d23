/* phish_extract — indicators in the text of a reported e-mail: URLs in
 * plain text and HTML (attribute values and text, HTML entities &amp; and
 * &#38; decoded) including defanged forms (hxxp://, hxxps://, [.], (.), [:]),
 * and the addresses and host names of Received headers. Pure: bytes in,
 * canonical indicators (ioc.h) out, no allocation. */
#ifndef CG_PHISH_EXTRACT_H
#define CG_PHISH_EXTRACT_H

#include <stddef.h>

#include "cg_err.h"
#include "ioc.h"

/* Called for each indicator; `where` is the caller's label. A non-CG_OK
 * return stops the scan with that code. */
typedef enum cg_err (*phish_ioc_fn)(void *ctx, const struct ioc *ioc, const char *where);

/* Every URL of `buf` and, for each, its host (domain or address). */
enum cg_err phish_extract_urls(const char *buf, size_t len, int html, const char *where, phish_ioc_fn fn,
			       void *ctx) CG_MUST_CHECK;

/* IPv4/IPv6 addresses and the "from" host name of one Received header. */
enum cg_err phish_extract_received(const char *s, size_t len, const char *where, phish_ioc_fn fn,
				   void *ctx) CG_MUST_CHECK;

/* The domain of an e-mail address ("a@b.example" -> b.example) as an ioc;
 * CG_EPARSE when there is none. */
enum cg_err phish_mail_domain(const char *addr, struct ioc *out) CG_MUST_CHECK;

#endif
