/* order — blocking orders from the authority and whether they were carried
 * out: for each target of an order, where (enforcement point) and when it
 * was first enforced, and whether it was on time, late, overdue or still
 * pending, under the clock given (tests use CANHGAC_NOW). */
#ifndef CG_ORDER_H
#define CG_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "cg_err.h"
#include "cg_db.h"
#include "store_block.h"

enum order_state {
	ORDER_ENFORCED,  /* enforced somewhere by the deadline */
	ORDER_LATE,      /* enforced, but after the deadline */
	ORDER_OVERDUE,   /* not enforced and the deadline has passed */
	ORDER_PENDING,   /* not enforced yet, deadline ahead */
	ORDER_EXEMPTED,  /* an allow decision overrides it (not enforced) */
	ORDER_WITHDRAWN, /* removed or expired before it was enforced */
};
const char *order_state_name(enum order_state s);

struct order_point {
	const char *point;
	const char *format;
	int64_t at; /* first enforcement there */
};

struct order_target {
	const struct block_row *row;
	enum order_state state;
	int64_t enforced_at; /* first enforcement anywhere, 0 if none */
	const struct order_point *points;
	size_t n_points;
};

struct order_summary {
	int64_t id, issued_at, deadline_at, received_at;
	char ref[256];
	char file[256];
	size_t n_targets;
	size_t n_state[ORDER_WITHDRAWN + 1];
	const char *state; /* "enforced", "enforced-late", "overdue", "pending" */
};

typedef enum cg_err (*order_target_fn)(void *ctx, const struct order_target *t);

/* Status of the order `ref` at time `now`: `fn` (may be NULL) gets each
 * target in id order, then `sum` is filled. CG_ENOTFOUND for an unknown ref. */
enum cg_err order_status(struct cg_db *db, const char *ref, int64_t now, order_target_fn fn, void *ctx,
			 struct order_summary *sum) CG_MUST_CHECK;

#endif
