/* decision — what a blocking decision may target and when it ends: parsing
 * targets (address, CIDR, domain, URL in their ioc canonical form), the
 * policy that refuses private/reserved ranges, the operator's own prefixes
 * and absurdly wide prefixes unless forced, and the time syntax of
 * --expires / --issued / --deadline / --since. Pure: no storage, no I/O. */
#ifndef CG_DECISION_H
#define CG_DECISION_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "ioc.h"

enum block_action { BLOCK_BLOCK = 0, BLOCK_ALLOW = 1 };

/* "block" / "allow"; the inverse returns -1 for anything else. */
const char *block_action_name(enum block_action a);
int block_action_from_name(const char *s);

/* Shortest prefixes accepted without --force. */
#define BLOCK_MIN_PREFIX4 8u
#define BLOCK_MIN_PREFIX6 16u

/* Parse `n` bytes at `s` as a blocking target: IPv4/IPv6 address or CIDR,
 * domain or URL. Hashes and anything else are CG_EPARSE with a reason
 * ("'x' is not ..."); IDNs must be given in their xn-- form. */
enum cg_err block_target_parse(const char *s, size_t n, struct ioc *out) CG_MUST_CHECK;

/* The operator's own prefixes and domains plus the built-in reserved
 * ranges: what must never be blocked by accident. */
struct block_policy;
struct block_policy *block_policy_new(void); /* NULL when out of memory */
void block_policy_free(struct block_policy *p); /* NULL is a no-op */
/* Add one of the operator's own prefixes (address/CIDR) or domains. */
enum cg_err block_policy_add_own(struct block_policy *p, const struct ioc *own) CG_MUST_CHECK;

/* CG_OK when `t` may be decided with `action` without --force; otherwise
 * CG_EINVAL with the reason in the error message ("10.1.0.0/16 overlaps
 * 10.0.0.0/8 (private network, RFC 1918)"). Allow decisions are only
 * checked for width: allowing a private range harms nothing. */
enum cg_err block_policy_check(struct block_policy *p, const struct ioc *t, enum block_action action) CG_MUST_CHECK;

/* How block_time_parse reads a time (bits). */
enum {
	BLOCK_TIME_END_OF_DAY = 1, /* a date alone means 23:59:59, not 00:00 */
	BLOCK_TIME_AGO = 2,        /* a bare duration counts back from `now` (--since) */
};

/* Parse a point in time (cg_time_parse_user): "YYYY-MM-DD",
 * "YYYY-MM-DD[T ]HH:MM[:SS]" optionally followed by "Z" or "+HH:MM"/"-HH:MM"
 * (no offset means UTC), "@SECONDS" (Unix time), or a duration from `now`:
 * "30d", "12h", "45m", "90s", "2w" — ahead of `now`, or back from it with
 * BLOCK_TIME_AGO; a leading "+" or "-" says the direction explicitly. */
enum cg_err block_time_parse(const char *s, int64_t now, unsigned flags, int64_t *out) CG_MUST_CHECK;

/* True if `name` equals `zone` or is a subdomain of it (both canonical). */
int block_domain_within(const char *name, size_t name_len, const char *zone, size_t zone_len);

#endif
