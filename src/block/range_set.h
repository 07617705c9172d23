/* range_set — exact sets of IPv4 or IPv6 addresses as sorted, disjoint
 * intervals, with 128-bit arithmetic so that ::/0 and /128 are just as exact
 * as a /24. Used to merge overlapping blocks, cut allow-list exceptions out of
 * them and turn the result back into the fewest CIDRs. */
#ifndef CG_RANGE_SET_H
#define CG_RANGE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"

__extension__ typedef unsigned __int128 range_u128;

/* One CIDR of a result: the network address (IPv4 in the low 32 bits) and
 * the prefix length. */
struct range_cidr {
	range_u128 lo;
	unsigned prefix;
};

struct range_set;

/* A new empty set of IPv4 (`v6` 0) or IPv6 (`v6` 1) addresses; NULL when
 * out of memory. */
struct range_set *range_set_new(int v6);
void range_set_free(struct range_set *rs); /* NULL is a no-op */

int range_set_is_v6(const struct range_set *rs);

/* Address bytes (network order; 4 for IPv4, 16 for IPv6) to the integer and
 * back. */
range_u128 range_from_bytes(int v6, const uint8_t *addr);
void range_to_bytes(int v6, range_u128 v, uint8_t *addr);

/* Add the CIDR addr/prefix, or the interval [lo, hi] (lo <= hi). Adding is
 * cheap; the set is merged lazily (range_set_normalize, or any query). The
 * set holds at most RANGE_SET_MAX intervals before merging. */
#define RANGE_SET_MAX ((size_t)1 << 26)
enum cg_err range_set_add_cidr(struct range_set *rs, const uint8_t *addr, unsigned prefix) CG_MUST_CHECK;
enum cg_err range_set_add(struct range_set *rs, range_u128 lo, range_u128 hi) CG_MUST_CHECK;

/* Sort and merge overlapping and adjacent intervals. */
enum cg_err range_set_normalize(struct range_set *rs) CG_MUST_CHECK;

/* rs := rs minus `cut` (same family). Both are normalized first. */
enum cg_err range_set_subtract(struct range_set *rs, struct range_set *cut) CG_MUST_CHECK;

/* Number of disjoint intervals after normalizing. */
size_t range_set_count(struct range_set *rs);
/* Interval `i` (0-based) of the normalized set. */
void range_set_get(const struct range_set *rs, size_t i, range_u128 *lo, range_u128 *hi);

/* 1 if every address of [lo, hi] is in the set, 0 if none is, -1 if some
 * are (partly). Normalizes. */
int range_set_covers(struct range_set *rs, range_u128 lo, range_u128 hi);

/* The fewest CIDRs, in address order, that cover the normalized set exactly;
 * none shorter than `min_prefix` (ipset hash:net refuses /0, so callers pass
 * 1). Returns a new array the caller frees (NULL and 0 when empty). */
enum cg_err range_set_cidrs(struct range_set *rs, unsigned min_prefix, struct range_cidr **out, size_t *n_out) CG_MUST_CHECK;

/* The interval [lo, hi] of addr/prefix. */
void range_cidr_bounds(int v6, const uint8_t *addr, unsigned prefix, range_u128 *lo, range_u128 *hi);

/* Canonical text of a CIDR ("198.51.100.0/30", a single address without
 * "/32" or "/128"). `buf` needs 64 bytes. */
void range_cidr_format(int v6, const struct range_cidr *c, char *buf, size_t n);

#endif
