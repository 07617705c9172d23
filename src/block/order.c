#include "order.h"

#include <stdlib.h>
#include <string.h>

#include "block_view.h"
#include "cg_i18n.h"
#include "export.h"
#include "range_set.h"

static const char *const state_names[] = {"enforced", "late", "overdue", "pending", "exempted", "withdrawn"};

const char *order_state_name(enum order_state s)
{
	return (unsigned)s <= ORDER_WITHDRAWN ? state_names[s] : "?";
}

#define RUNS_MAX ((size_t)1 << 22)

struct run {
	char *point;
	int fmt;
	int64_t at;
};

struct status_ctx {
	struct order_summary *sum;
	struct run *runs;
	size_t n_runs, alloc_runs;
	struct block_view *view;
	int64_t now;
	order_target_fn fn;
	void *ctx;
	struct order_point *pts;
};

static enum cg_err got_order(void *ctx, const struct block_order_info *o)
{
	struct order_summary *s = ctx;
	s->id = o->id;
	s->issued_at = o->issued_at;
	s->deadline_at = o->deadline_at;
	s->received_at = o->received_at;
	snprintf(s->ref, sizeof s->ref, "%s", o->ref);
	snprintf(s->file, sizeof s->file, "%s", o->file);
	return CG_OK;
}

static enum cg_err got_run(void *ctx, const struct block_enforcement *e)
{
	struct status_ctx *c = ctx;
	int fmt = block_format_from_name(e->format);

	if (fmt < 0)
		return CG_OK;
	if (c->n_runs == c->alloc_runs) {
		size_t na = c->alloc_runs ? c->alloc_runs * 2 : 64;
		struct run *p;
		if (c->n_runs >= RUNS_MAX)
			return cg_err_set(CG_ELIMIT, _("more than %zu enforcement records"), RUNS_MAX);
		if (!(p = realloc(c->runs, na * sizeof *p)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		c->runs = p;
		c->alloc_runs = na;
	}
	if (!(c->runs[c->n_runs].point = strdup(e->point)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->runs[c->n_runs].fmt = fmt;
	c->runs[c->n_runs].at = e->at;
	c->n_runs++;
	return CG_OK;
}

static int kind_of(enum ioc_type t)
{
	return ioc_type_is_net(t) ? 0 : t == IOC_DOMAIN ? 1 : 2;
}

static int in_force_now(const struct block_row *r, int64_t now)
{
	return r->created_at <= now && (!r->removed_at || r->removed_at > now) && (!r->expires_at || r->expires_at > now);
}

/* Does the view (the lists in force now) carry this block, at least in
 * part? An allow-list hole in a blocked range leaves the rest to enforce. */
static int carried_now(struct block_view *v, const struct block_row *r)
{
	if (ioc_type_is_net(r->type)) {
		int v6 = r->type == IOC_IPV6 || r->type == IOC_CIDR6;
		range_u128 lo, hi;
		range_cidr_bounds(v6, r->addr, r->prefix, &lo, &hi);
		return range_set_covers(block_view_ranges(v, v6), lo, hi) != 0;
	}
	if (r->type == IOC_DOMAIN)
		return block_view_domain_blocked(v, r->value);
	{
		const struct block_items *it = block_view_items(v);
		for (size_t i = 0; i < it->n_urls; i++)
			if (strcmp(it->urls[i], r->value) == 0)
				return 1;
		return 0;
	}
}

static enum cg_err got_target(void *ctx, const struct block_row *r)
{
	struct status_ctx *c = ctx;
	struct order_target t = {.row = r, .points = c->pts};
	int64_t end = r->removed_at;
	int kind = kind_of(r->type);

	if (r->expires_at && (!end || r->expires_at < end))
		end = r->expires_at;
	/* First run per point that carried the decision while it was in force.
	 * Runs are in time order, so the first match per point is the earliest. */
	for (size_t i = 0; i < c->n_runs; i++) {
		const struct run *u = &c->runs[i];
		size_t k;
		if (!block_format_carries((enum block_format)u->fmt, kind) || u->at < r->created_at || (end && u->at >= end))
			continue;
		for (k = 0; k < t.n_points; k++)
			if (strcmp(c->pts[k].point, u->point) == 0)
				break;
		if (k < t.n_points)
			continue;
		c->pts[t.n_points].point = u->point;
		c->pts[t.n_points].format = block_format_name((enum block_format)u->fmt);
		c->pts[t.n_points].at = u->at;
		t.n_points++;
		if (!t.enforced_at)
			t.enforced_at = u->at;
	}
	if (t.enforced_at)
		t.state = t.enforced_at <= c->sum->deadline_at ? ORDER_ENFORCED : ORDER_LATE;
	else if (!in_force_now(r, c->now))
		t.state = ORDER_WITHDRAWN;
	else if (!carried_now(c->view, r))
		t.state = ORDER_EXEMPTED;
	else
		t.state = c->now > c->sum->deadline_at ? ORDER_OVERDUE : ORDER_PENDING;
	c->sum->n_targets++;
	c->sum->n_state[t.state]++;
	return c->fn ? c->fn(c->ctx, &t) : CG_OK;
}

enum cg_err order_status(struct cg_db *db, const char *ref, int64_t now, order_target_fn fn, void *ctx,
			 struct order_summary *sum)
{
	struct status_ctx c = {.sum = sum, .now = now, .fn = fn, .ctx = ctx};
	struct block_filter f = {.live_at = BLOCK_ALL_ROWS, .action = BLOCK_BLOCK};
	enum cg_err rc;

	memset(sum, 0, sizeof *sum);
	if ((rc = store_block_order_get(db, ref, got_order, sum)))
		return rc;
	f.order_id = sum->id;
	if ((rc = store_block_enforcement_foreach(db, got_run, &c)))
		goto out;
	if (!(c.pts = calloc(c.n_runs + 1, sizeof *c.pts))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	if ((rc = block_view_build(db, now, &c.view)))
		goto out;
	if ((rc = store_block_foreach(db, &f, got_target, &c)))
		goto out;
	if (sum->n_state[ORDER_OVERDUE])
		sum->state = "overdue";
	else if (sum->n_state[ORDER_PENDING])
		sum->state = "pending";
	else if (sum->n_state[ORDER_LATE])
		sum->state = "enforced-late";
	else
		sum->state = "enforced";
out:
	for (size_t i = 0; i < c.n_runs; i++)
		free(c.runs[i].point);
	free(c.runs);
	free(c.pts);
	block_view_free(c.view);
	return rc;
}
