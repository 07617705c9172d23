/* Correlation windows (see sigma_corr.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "cg_hash.h"
#include "sigma_corr.h"
#include "sigma_int.h"

struct entry {
	int64_t t;
	size_t ref;   /* temporal: which referenced rule */
	char *value;  /* value_count */
};

struct group {
	size_t corr;
	char *key;
	struct entry *w;
	size_t n, alloc;
	struct group *next;
};

#define N_BUCKETS 4096

struct sigma_corr {
	const struct sigma_engine *e;
	struct group *b[N_BUCKETS];
	size_t n_groups;
	uint64_t dropped;
};

enum cg_err sigma_corr_new(const struct sigma_engine *e, struct sigma_corr **out)
{
	struct sigma_corr *c = calloc(1, sizeof *c);
	if (!c)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->e = e;
	*out = c;
	return CG_OK;
}

static void window_clear(struct group *g, size_t keep_from)
{
	for (size_t i = 0; i < keep_from; i++)
		free(g->w[i].value);
	if (keep_from && g->n > keep_from)
		memmove(g->w, g->w + keep_from, (g->n - keep_from) * sizeof *g->w);
	g->n -= keep_from;
}

void sigma_corr_free(struct sigma_corr *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		struct group *g = c->b[i];
		while (g) {
			struct group *next = g->next;
			window_clear(g, g->n);
			free(g->w);
			free(g->key);
			free(g);
			g = next;
		}
	}
	free(c);
}

uint64_t sigma_corr_dropped(const struct sigma_corr *c) { return c->dropped; }

/* Field name a group-by entry means for events of rule `base`. */
static const char *group_field(const struct sigma_correlation *co, const struct sigma_rule *base, const char *gb)
{
	for (size_t i = 0; i < co->n_aliases; i++) {
		const struct sigma_corr_alias *a = &co->aliases[i];
		if (strcmp(a->alias, gb) == 0 &&
		    ((base->name && strcmp(a->rule, base->name) == 0) || (base->id && strcmp(a->rule, base->id) == 0)))
			return a->field;
	}
	return gb;
}

/* Group keys come from logs: a seeded hash. */
static size_t hash(size_t corr, const char *s)
{
	return (size_t)(cg_hash_seeded(corr, s, strlen(s)) % N_BUCKETS);
}

static int cond_ok(const struct sigma_correlation *co, long n)
{
	if (co->has_gt && !(n > co->gt))
		return 0;
	if (co->has_gte && !(n >= co->gte))
		return 0;
	if (co->has_lt && !(n < co->lt))
		return 0;
	if (co->has_lte && !(n <= co->lte))
		return 0;
	if (co->has_eq && n != co->eq)
		return 0;
	return 1;
}

static enum cg_err feed_one(struct sigma_corr *c, size_t ci, size_t rule_index, const struct cg_event *ev,
                            int64_t t, sigma_corr_cb cb, void *ud, int depth);

static enum cg_err fire_parents(struct sigma_corr *c, size_t idx, const struct cg_event *ev, int64_t t,
                                sigma_corr_cb cb, void *ud, int depth)
{
	const size_t *parents;
	size_t np = sigma_engine_rule_parents(c->e, idx, &parents);
	for (size_t i = 0; i < np; i++) {
		enum cg_err rc = feed_one(c, parents[i], idx, ev, t, cb, ud, depth + 1);
		if (rc)
			return rc;
	}
	return CG_OK;
}

static enum cg_err feed_one(struct sigma_corr *c, size_t ci, size_t rule_index, const struct cg_event *ev,
                            int64_t t, sigma_corr_cb cb, void *ud, int depth)
{
	if (depth > 64)
		return CG_OK;
	const struct sigma_rule *cr = sigma_engine_rule(c->e, ci);
	const struct sigma_rule *base = sigma_engine_rule(c->e, rule_index);
	const struct sigma_correlation *co = cr->corr;
	const size_t *refs;
	size_t nrefs = sigma_engine_corr_refs(c->e, ci, &refs);
	size_t refpos = 0;
	while (refpos < nrefs && refs[refpos] != rule_index)
		refpos++;
	if (refpos == nrefs)
		return CG_OK;
	struct cg_buf key;
	cg_buf_init(&key, 64 << 10);
	enum cg_err rc = CG_OK;
	for (size_t i = 0; i < co->n_group_by && !rc; i++) {
		const char *v = "";
		size_t vn = 0;
		cg_event_get(ev, group_field(co, base, co->group_by[i]), 0, &v, &vn);
		rc = cg_buf_printf(&key, "%s%s=%.*s", i ? ", " : "", co->group_by[i], (int)vn, v);
	}
	if (!rc && !key.data)
		rc = cg_buf_puts(&key, "");
	if (rc) {
		cg_buf_free(&key);
		return rc;
	}
	size_t h = hash(ci, key.data);
	struct group *g;
	for (g = c->b[h]; g; g = g->next)
		if (g->corr == ci && strcmp(g->key, key.data) == 0)
			break;
	if (!g) {
		if (c->n_groups >= SIGMA_CORR_MAX_GROUPS) {
			c->dropped++;
			cg_buf_free(&key);
			return CG_OK;
		}
		g = calloc(1, sizeof *g);
		if (!g) {
			cg_buf_free(&key);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		g->corr = ci;
		g->key = cg_buf_steal(&key);
		g->next = c->b[h];
		c->b[h] = g;
		c->n_groups++;
	}
	cg_buf_free(&key);
	/* Forget what fell out of the window. */
	size_t old = 0;
	while (old < g->n && g->w[old].t < t - co->timespan)
		old++;
	window_clear(g, old);
	if (g->n >= SIGMA_CORR_MAX_WINDOW)
		window_clear(g, 1);
	if (g->n == g->alloc) {
		size_t na = g->alloc ? g->alloc * 2 : 8;
		struct entry *p = realloc(g->w, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		g->w = p;
		g->alloc = na;
	}
	struct entry *en = &g->w[g->n++];
	en->t = t;
	en->ref = refpos;
	en->value = NULL;
	if (co->type == SIGMA_CORR_VALUE_COUNT) {
		const char *v;
		size_t vn;
		if (!cg_event_get(ev, group_field(co, base, co->field), 0, &v, &vn)) {
			g->n--;
			return CG_OK;
		}
		if (!(en->value = strndup(v, vn)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	long count = 0;
	switch (co->type) {
	case SIGMA_CORR_EVENT_COUNT:
		count = (long)g->n;
		break;
	case SIGMA_CORR_VALUE_COUNT:
		for (size_t i = 0; i < g->n; i++) {
			size_t j;
			for (j = 0; j < i; j++)
				if (strcmp(g->w[i].value, g->w[j].value) == 0)
					break;
			count += j == i;
		}
		break;
	case SIGMA_CORR_TEMPORAL:
	case SIGMA_CORR_TEMPORAL_ORDERED: {
		/* Ordered: each rule must follow a hit of the rule before it. */
		size_t next = 0;
		int seen[64] = {0};
		for (size_t i = 0; i < g->n; i++) {
			size_t r = g->w[i].ref < 64 ? g->w[i].ref : 63;
			if (co->type == SIGMA_CORR_TEMPORAL_ORDERED) {
				if (r == next) {
					seen[r] = 1;
					next++;
				}
			} else {
				seen[r] = 1;
			}
		}
		for (size_t i = 0; i < 64; i++)
			count += seen[i];
		break;
	}
	}
	if (!cond_ok(co, count))
		return CG_OK;
	int64_t first = g->w[0].t;
	if (cb)
		cb(ud, ci, cr, g->key, (uint64_t)count, first, t);
	window_clear(g, g->n);
	return fire_parents(c, ci, ev, t, cb, ud, depth);
}

enum cg_err sigma_corr_feed(struct sigma_corr *c, size_t rule_index, const struct cg_event *ev, int64_t t,
                            sigma_corr_cb cb, void *ud)
{
	return fire_parents(c, rule_index, ev, t, cb, ud, 0);
}
