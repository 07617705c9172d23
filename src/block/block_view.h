/* block_view — the lists in force at one moment, computed from the
 * decisions: blocked address ranges merged with allow-list exceptions cut
 * out (as the fewest CIDRs), blocked domains not covered by an allowed one,
 * allowed names inside blocked domains (exceptions for RPZ/Unbound), and
 * blocked URLs. Immutable once built; exports only read it. */
#ifndef CG_BLOCK_VIEW_H
#define CG_BLOCK_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "range_set.h"

/* Every array sorted (CIDRs by address, names bytewise), no duplicates. */
struct block_items {
	struct range_cidr *v4, *v6;
	size_t n_v4, n_v6;
	char **domains;  /* blocked, each with its subdomains */
	size_t n_domains;
	char **passthru; /* allowed names inside a blocked domain */
	size_t n_passthru;
	char **urls;
	size_t n_urls;
};

struct block_view;

/* The lists in force at time `at` (Unix seconds). */
enum cg_err block_view_build(struct cg_db *db, int64_t at, struct block_view **out) CG_MUST_CHECK;
void block_view_free(struct block_view *v); /* NULL is a no-op */

const struct block_items *block_view_items(const struct block_view *v);
/* The lists' serial at `at` (RPZ SOA, export headers): the time of the last
 * change plus the number of changes, so different lists never share one. */
int64_t block_view_serial(const struct block_view *v);
/* Time of the last change to the lists at or before `at`. */
int64_t block_view_last_change(const struct block_view *v);
int64_t block_view_at(const struct block_view *v);
/* Decisions in force that were read (block and allow). */
size_t block_view_n_decisions(const struct block_view *v);
/* Next moment the view goes stale by itself (an expiry), 0 if never. */
int64_t block_view_next_expiry(const struct block_view *v);
/* The exact blocked address set, for lookups (borrowed). */
struct range_set *block_view_ranges(const struct block_view *v, int v6);
/* Whether `domain` (canonical) is blocked in this view: 1 yes, 0 no. */
int block_view_domain_blocked(const struct block_view *v, const char *domain);

/* Element-level difference between two views' items: `add` holds what is in
 * `now` but not in `then`, `del` the reverse. Both borrow the strings of the
 * views; release them with block_items_free_diff() before the views. */
enum cg_err block_items_diff(const struct block_items *then, const struct block_items *now, struct block_items *add,
			     struct block_items *del) CG_MUST_CHECK;
void block_items_free_diff(struct block_items *it);

/* Total number of elements. */
size_t block_items_count(const struct block_items *it);

#endif
