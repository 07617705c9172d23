/* ioc_set — an immutable, compiled set of indicators for fast matching.
 *
 * Built once (builder → ioc_set_build), then shared read-only by any number of
 * threads. Addresses and CIDRs go into a longest-prefix-match structure per
 * family (a single address is a /32 or /128), domains into a label-suffix
 * structure, hashes into a hash set, URLs into a multi-pattern matcher.
 * A value added from several sources is one entry whose source and family
 * list them all (comma-separated, sorted, de-duplicated). An address inside
 * several listed prefixes matches the most specific one, and the entry it
 * gets names the sources and families of all of them.
 *
 * Special-purpose blocks (special_range.h): with the special policy on, an
 * address in a block not hunted by default matches only indicators added
 * with IOC_SET_HUNT_SPECIAL, and its entry names only those sources. The
 * indicators stay in the set (counted, and matched outside the blocks). */
#ifndef CG_IOC_SET_H
#define CG_IOC_SET_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "ioc.h"

struct ioc_set;
struct ioc_set_builder;

/* One indicator in a built set. Borrowed from the set; valid until ioc_set_free. */
struct ioc_entry {
	enum ioc_type type;
	const char *value;  /* canonical text, e.g. "5.6.7.0/24" */
	const char *source; /* "feodo" or "feodo,spamhaus" */
	const char *family; /* "" when none */
};

enum cg_err ioc_set_builder_new(struct ioc_set_builder **out) CG_MUST_CHECK;
void ioc_set_builder_free(struct ioc_set_builder *b);
/* Add one indicator; `source`/`family` may be NULL. Copies everything. */
enum cg_err ioc_set_builder_add(struct ioc_set_builder *b, const struct ioc *ioc, const char *source,
				const char *family) CG_MUST_CHECK;
#define IOC_SET_HUNT_SPECIAL 1u /* this source is hunted in special-purpose blocks */
/* ioc_set_builder_add with flags (IOC_SET_HUNT_SPECIAL). */
enum cg_err ioc_set_builder_add_ex(struct ioc_set_builder *b, const struct ioc *ioc, const char *source,
				   const char *family, unsigned flags) CG_MUST_CHECK;
/* Turn the special policy on (default off: every address is hunted). */
void ioc_set_builder_special_policy(struct ioc_set_builder *b);
/* Compile; the builder is consumed (freed) whatever the result. */
enum cg_err ioc_set_build(struct ioc_set_builder *b, struct ioc_set **out) CG_MUST_CHECK;
void ioc_set_free(struct ioc_set *s);

size_t ioc_set_count(const struct ioc_set *s);
size_t ioc_set_count_type(const struct ioc_set *s, enum ioc_type t);

/* Longest-prefix match of an address (4 or 16 bytes, network order); NULL when
 * none. An IPv4-mapped IPv6 address is looked up as IPv4. */
const struct ioc_entry *ioc_set_match_addr(const struct ioc_set *s, int is_v6, const uint8_t *addr);
/* ioc_set_match_addr for n IPv4 addresses at once, given as numbers
 * (192.0.2.1 is 0xc0000201): out[i] for keys[i]. Faster than n calls, as the
 * memory reads of the lookups overlap. */
void ioc_set_match_v4_many(const struct ioc_set *s, const uint32_t *keys, size_t n, const struct ioc_entry **out);
/* The entry for `domain` (lower case, no trailing dot) or its nearest listed
 * parent on a label boundary; NULL when none. */
const struct ioc_entry *ioc_set_match_domain(const struct ioc_set *s, const char *domain, size_t len);
/* Exact hash lookup (lower-case hex). */
const struct ioc_entry *ioc_set_match_hash(const struct ioc_set *s, const char *hex, size_t len);

/* URLs. Matching needs per-thread scratch space (the set stays read-only).
 * A listed URL matches where `buf` contains it (scheme and host compared
 * without case, the rest exactly), not preceded by a letter, digit, '+', '-'
 * or '.', and followed by the end, a blank, a quote, < > ? # or (for a URL
 * with no path) / or :. `buf` may hold many lines: a match never spans one. */
struct ioc_url_scratch;
enum cg_err ioc_set_url_scratch_new(const struct ioc_set *s, struct ioc_url_scratch **out) CG_MUST_CHECK;
void ioc_set_url_scratch_free(struct ioc_url_scratch *sc);
/* Called for each verified match, in no particular order; non-zero stops. */
typedef int (*ioc_url_fn)(void *ctx, size_t off, size_t len, const struct ioc_entry *e);
/* Does nothing (CG_OK) when the set has no URLs. */
enum cg_err ioc_set_match_urls(const struct ioc_set *s, struct ioc_url_scratch *sc, const char *buf, size_t len,
			       ioc_url_fn fn, void *ctx) CG_MUST_CHECK;

#endif
