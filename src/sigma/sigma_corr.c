/* Correlation windows (semantics and policy in sigma_corr.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_hash.h"
#include "cg_i18n.h"
#include "sigma_corr.h"
#include "sigma_int.h"

#define MAX_KEY_BYTES ((size_t)16 << 10)
#define MAX_VALUE_BYTES ((size_t)4 << 10)

/* ---- hits waiting to be judged ---- */

struct rec_key {
	uint32_t corr;
	uint32_t key_off, key_len;
	int has_val;
	uint64_t kh, vh;
};

struct rec {
	int64_t t;
	uint64_t seq;
	uint32_t rule, refs, n, host_off;
	char *text; /* keys and host, in the same allocation after k[] */
	struct rec_key k[];
};

static void rec_unref(struct rec *r)
{
	if (r && --r->refs == 0)
		free(r);
}

static int rec_before(const struct rec *a, const struct rec *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* ---- groups ---- */

struct vslot {
	uint64_t vh;
	int64_t last;
};

struct group {
	struct group *hnext, *prev, *next;
	uint64_t kh;
	uint32_t corr, key_len;
	int64_t first, last;
	uint64_t count;
	int64_t *ring;          /* sliding event_count: hit times */
	uint32_t rhead, rn, rcap;
	struct vslot *vals;     /* value_count */
	uint32_t vn, vcap;
	int64_t *reft;          /* temporal: per referenced rule */
	struct rec *lastrec;
	char *key;
};

struct ancestor {
	size_t corr, base; /* base: the rule whose events the key is read from (aliases) */
};

struct cinfo {
	const struct sigma_correlation *co;
	const size_t *refs;
	size_t n_refs;
	int tumbling;
	uint64_t cap;       /* most hits/values a window needs to remember */
	struct group *head, *tail; /* by window start (tumbling) or last hit (sliding) */
};

struct sigma_corr {
	const struct sigma_engine *e;
	struct sigma_corr_opts o;
	sigma_corr_cb cb;
	void *ud;
	size_t n_rules;
	struct cinfo *ci;
	struct ancestor **anc; /* per rule */
	size_t *n_anc;
	struct group **b;
	size_t nb;
	struct rec **heap;
	size_t hn, halloc;
	uint64_t seq;
	int64_t max_t, judged_t;
	struct sigma_corr_stats st;
	struct cg_buf scratch;
};

static int is_corr(const struct sigma_corr *c, size_t i) { return sigma_engine_rule(c->e, i)->corr != NULL; }

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

static int has_upper(const struct sigma_correlation *co) { return co->has_lt || co->has_lte || co->has_eq; }

static int cond_ok(const struct sigma_correlation *co, uint64_t n)
{
	long long v = n > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)n;
	return (!co->has_gt || v > co->gt) && (!co->has_gte || v >= co->gte) && (!co->has_lt || v < co->lt) &&
	       (!co->has_lte || v <= co->lte) && (!co->has_eq || v == co->eq);
}

/* The count past which a window's answer cannot change: the lower bound for
 * sliding windows (fire), one past the upper bound for closing windows. */
static uint64_t window_cap(const struct sigma_correlation *co)
{
	long need = 1;
	if (has_upper(co)) {
		if (co->has_lt && co->lt > need)
			need = co->lt;
		if (co->has_lte && co->lte + 1 > need)
			need = co->lte + 1;
		if (co->has_eq && co->eq + 1 > need)
			need = co->eq + 1;
	} else {
		if (co->has_gt && co->gt + 1 > need)
			need = co->gt + 1;
		if (co->has_gte && co->gte > need)
			need = co->gte;
	}
	return (uint64_t)need < SIGMA_CORR_MAX_WINDOW ? (uint64_t)need : SIGMA_CORR_MAX_WINDOW;
}

static enum cg_err add_ancestors(struct sigma_corr *c, size_t rule, size_t from, int depth)
{
	const size_t *parents;
	size_t np = sigma_engine_rule_parents(c->e, from, &parents);
	if (depth > 64)
		return CG_OK;
	for (size_t i = 0; i < np; i++) {
		size_t p = parents[i];
		int seen = 0;
		for (size_t k = 0; k < c->n_anc[rule]; k++)
			seen |= c->anc[rule][k].corr == p;
		if (seen)
			continue;
		struct ancestor *na = realloc(c->anc[rule], (c->n_anc[rule] + 1) * sizeof *na);
		if (!na)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		c->anc[rule] = na;
		na[c->n_anc[rule]++] = (struct ancestor){p, from};
		enum cg_err rc = add_ancestors(c, rule, p, depth + 1);
		if (rc)
			return rc;
	}
	return CG_OK;
}

enum cg_err sigma_corr_new(const struct sigma_engine *e, const struct sigma_corr_opts *o, sigma_corr_cb cb,
                           void *ud, struct sigma_corr **out)
{
	struct sigma_corr *c = calloc(1, sizeof *c);
	enum cg_err rc = CG_OK;
	if (!c)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->e = e;
	if (o)
		c->o = *o;
	if (!c->o.max_groups)
		c->o.max_groups = SIGMA_CORR_MAX_GROUPS;
	if (!c->o.max_buffered)
		c->o.max_buffered = SIGMA_CORR_MAX_BUFFERED;
	c->cb = cb;
	c->ud = ud;
	c->max_t = INT64_MIN;
	c->judged_t = INT64_MIN;
	cg_buf_init(&c->scratch, MAX_KEY_BYTES * 2);
	c->n_rules = sigma_engine_rule_count(e);
	c->ci = calloc(c->n_rules + 1, sizeof *c->ci);
	c->anc = calloc(c->n_rules + 1, sizeof *c->anc);
	c->n_anc = calloc(c->n_rules + 1, sizeof *c->n_anc);
	c->nb = 1024;
	c->b = calloc(c->nb, sizeof *c->b);
	if (!c->ci || !c->anc || !c->n_anc || !c->b) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	for (size_t i = 0; i < c->n_rules; i++) {
		if (is_corr(c, i)) {
			struct cinfo *ci = &c->ci[i];
			ci->co = sigma_engine_rule(e, i)->corr;
			ci->n_refs = sigma_engine_corr_refs(e, i, &ci->refs);
			ci->tumbling = has_upper(ci->co);
			ci->cap = window_cap(ci->co);
		}
		if ((rc = add_ancestors(c, i, i, 0)))
			goto fail;
	}
	*out = c;
	return CG_OK;
fail:
	sigma_corr_free(c);
	return rc;
}

static void group_free(struct group *g)
{
	if (!g)
		return;
	rec_unref(g->lastrec);
	free(g->ring);
	free(g->vals);
	free(g->reft);
	free(g->key);
	free(g);
}

void sigma_corr_free(struct sigma_corr *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->b && i < c->nb; i++)
		for (struct group *g = c->b[i], *n; g; g = n) {
			n = g->hnext;
			group_free(g);
		}
	for (size_t i = 0; i < c->hn; i++)
		rec_unref(c->heap[i]);
	for (size_t i = 0; c->anc && i < c->n_rules; i++)
		free(c->anc[i]);
	free(c->anc);
	free(c->n_anc);
	free(c->ci);
	free(c->b);
	free(c->heap);
	cg_buf_free(&c->scratch);
	free(c);
}

int sigma_corr_wants(const struct sigma_corr *c, size_t rule_index)
{
	return rule_index < c->n_rules && c->n_anc[rule_index] > 0;
}

void sigma_corr_get_stats(const struct sigma_corr *c, struct sigma_corr_stats *st)
{
	*st = c->st;
	st->buffered = c->hn;
}

/* ---- the group table and the per-correlation time lists ---- */

static void list_unlink(struct cinfo *ci, struct group *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		ci->head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		ci->tail = g->prev;
	g->prev = g->next = NULL;
}

static void list_append(struct cinfo *ci, struct group *g)
{
	g->prev = ci->tail;
	g->next = NULL;
	if (ci->tail)
		ci->tail->next = g;
	else
		ci->head = g;
	ci->tail = g;
}

static void group_drop(struct sigma_corr *c, struct group *g)
{
	struct group **pp = &c->b[g->kh & (c->nb - 1)];
	while (*pp && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = g->hnext;
	list_unlink(&c->ci[g->corr], g);
	c->st.live_groups--;
	group_free(g);
}

static enum cg_err table_grow(struct sigma_corr *c)
{
	size_t nb = c->nb * 2;
	struct group **b = calloc(nb, sizeof *b);
	if (!b)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < c->nb; i++)
		for (struct group *g = c->b[i], *n; g; g = n) {
			n = g->hnext;
			g->hnext = b[g->kh & (nb - 1)];
			b[g->kh & (nb - 1)] = g;
		}
	free(c->b);
	c->b = b;
	c->nb = nb;
	return CG_OK;
}

/* ---- judging ---- */

static enum cg_err process(struct sigma_corr *c, size_t ci_idx, size_t from_rule, struct rec *r, int64_t t,
                           int depth);

/* Display form of a length-prefixed key: "A=x, B=y". */
static enum cg_err key_display(struct sigma_corr *c, const struct cinfo *ci, const char *key, size_t len)
{
	cg_buf_reset(&c->scratch);
	enum cg_err rc = cg_buf_puts(&c->scratch, "");
	size_t i = 0;
	for (size_t f = 0; f < ci->co->n_group_by && !rc; f++) {
		const char *v = "";
		size_t vn = 0;
		if (i < len && key[i] == '~') {
			i++;
		} else {
			size_t n = 0;
			while (i < len && key[i] != ':')
				n = n * 10 + (size_t)(key[i++] - '0');
			i++;
			v = key + i;
			vn = n <= len - i ? n : len - i;
			i += vn;
		}
		rc = cg_buf_printf(&c->scratch, "%s%s=%.*s", f ? ", " : "", ci->co->group_by[f], (int)vn, v);
	}
	return rc;
}

static enum cg_err report(struct sigma_corr *c, size_t ci_idx, struct group *g, uint64_t count, int depth)
{
	struct cinfo *ci = &c->ci[ci_idx];
	enum cg_err rc = key_display(c, ci, g->key, g->key_len);
	if (rc)
		return rc;
	struct rec *r = g->lastrec;
	struct sigma_corr_fire f = {
		.corr_index = ci_idx,
		.rule = sigma_engine_rule(c->e, ci_idx),
		.emits = sigma_engine_rule_emits(c->e, ci_idx),
		.group = c->scratch.data,
		.count = count,
		.first = g->first,
		.last = g->last,
		.host = r ? r->text + r->host_off : "",
	};
	if (c->cb)
		c->cb(c->ud, &f);
	/* Outer correlations see this fire as a hit at the window's last time. */
	const size_t *parents;
	size_t np = sigma_engine_rule_parents(c->e, ci_idx, &parents);
	if (!r || !np)
		return CG_OK;
	r->refs++;
	for (size_t i = 0; i < np && !rc; i++)
		rc = process(c, parents[i], ci_idx, r, g->last, depth + 1);
	rec_unref(r);
	return rc;
}

static uint64_t ordered_prefix(const struct cinfo *ci, const struct group *g, int64_t since)
{
	uint64_t n = 0;
	for (size_t k = 0; k < ci->n_refs; k++) {
		if (g->reft[k] == INT64_MIN || g->reft[k] < since)
			break;
		n = k + 1;
	}
	return n;
}

static uint64_t group_count(const struct cinfo *ci, const struct group *g, int64_t since)
{
	switch (ci->co->type) {
	case SIGMA_CORR_EVENT_COUNT:
		return ci->tumbling ? g->count : g->rn;
	case SIGMA_CORR_VALUE_COUNT:
		return g->vn;
	case SIGMA_CORR_TEMPORAL: {
		uint64_t n = 0;
		for (size_t k = 0; k < ci->n_refs; k++)
			n += g->reft[k] != INT64_MIN && g->reft[k] >= since;
		return n;
	}
	case SIGMA_CORR_TEMPORAL_ORDERED:
		return ordered_prefix(ci, g, since);
	}
	return 0;
}

/* A closing window ends: judge it once. */
static enum cg_err close_window(struct sigma_corr *c, struct group *g, int depth)
{
	size_t ci_idx = g->corr;
	const struct cinfo *ci = &c->ci[ci_idx];
	uint64_t n = group_count(ci, g, INT64_MIN);
	enum cg_err rc = CG_OK;
	if (cond_ok(ci->co, n))
		rc = report(c, ci_idx, g, n, depth);
	group_drop(c, g);
	return rc;
}

/* Event time reached `now`: close windows that ended, free idle groups. */
static enum cg_err sweep(struct sigma_corr *c, int64_t now, int all)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		struct cinfo *ci = &c->ci[i];
		if (!ci->co)
			continue;
		while (ci->head) {
			struct group *g = ci->head;
			int64_t end = ci->tumbling ? g->first : g->last;
			if (!all && !(now - ci->co->timespan > end))
				break;
			if (ci->tumbling) {
				enum cg_err rc = close_window(c, g, 0);
				if (rc)
					return rc;
			} else {
				group_drop(c, g);
			}
		}
	}
	return CG_OK;
}

static const struct rec_key *rec_key_for(const struct rec *r, size_t corr)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->k[i].corr == corr)
			return &r->k[i];
	return NULL;
}

static enum cg_err group_open(struct sigma_corr *c, size_t ci_idx, const struct rec *r, const struct rec_key *k,
                              int64_t t, struct group **out)
{
	struct cinfo *ci = &c->ci[ci_idx];
	*out = NULL;
	if (c->st.live_groups >= c->o.max_groups) {
		c->st.groups_dropped++;
		return CG_OK;
	}
	if (c->st.live_groups >= c->nb) {
		enum cg_err rc = table_grow(c);
		if (rc)
			return rc;
	}
	struct group *g = calloc(1, sizeof *g);
	if (!g)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	g->key = malloc(k->key_len + 1);
	if (ci->n_refs && (ci->co->type == SIGMA_CORR_TEMPORAL || ci->co->type == SIGMA_CORR_TEMPORAL_ORDERED))
		g->reft = malloc(ci->n_refs * sizeof *g->reft);
	if (!g->key || (ci->co->type >= SIGMA_CORR_TEMPORAL && ci->n_refs && !g->reft)) {
		group_free(g);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; g->reft && i < ci->n_refs; i++)
		g->reft[i] = INT64_MIN;
	memcpy(g->key, r->text + k->key_off, k->key_len);
	g->key[k->key_len] = '\0';
	g->key_len = k->key_len;
	g->kh = k->kh;
	g->corr = (uint32_t)ci_idx;
	g->first = g->last = t;
	g->hnext = c->b[g->kh & (c->nb - 1)];
	c->b[g->kh & (c->nb - 1)] = g;
	list_append(ci, g);
	if (++c->st.live_groups > c->st.peak_groups)
		c->st.peak_groups = c->st.live_groups;
	*out = g;
	return CG_OK;
}

static enum cg_err ring_push(struct sigma_corr *c, const struct cinfo *ci, struct group *g, int64_t t)
{
	if (g->rn == g->rcap) {
		if (g->rcap >= ci->cap) {
			/* Cannot happen for a reachable lower bound (it fires first);
			 * kept as a guard. */
			g->rhead = (g->rhead + 1) % g->rcap;
			g->rn--;
			c->st.window_capped++;
		} else {
			uint32_t na = g->rcap ? g->rcap * 2 : 8;
			if (na > ci->cap)
				na = (uint32_t)ci->cap;
			int64_t *p = malloc(na * sizeof *p);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			for (uint32_t i = 0; i < g->rn; i++)
				p[i] = g->ring[(g->rhead + i) % g->rcap];
			free(g->ring);
			g->ring = p;
			g->rhead = 0;
			g->rcap = na;
		}
	}
	g->ring[(g->rhead + g->rn) % g->rcap] = t;
	g->rn++;
	return CG_OK;
}

static enum cg_err value_add(struct sigma_corr *c, const struct cinfo *ci, struct group *g, uint64_t vh, int64_t t)
{
	for (uint32_t i = 0; i < g->vn; i++)
		if (g->vals[i].vh == vh) {
			if (t > g->vals[i].last)
				g->vals[i].last = t;
			return CG_OK;
		}
	if (g->vn >= ci->cap) {
		c->st.window_capped += !ci->tumbling;
		return CG_OK; /* the count is already past what the condition can use */
	}
	if (g->vn == g->vcap) {
		uint32_t na = g->vcap ? g->vcap * 2 : 4;
		struct vslot *p = realloc(g->vals, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		g->vals = p;
		g->vcap = na;
	}
	g->vals[g->vn++] = (struct vslot){vh, t};
	return CG_OK;
}

/* Drop what slid out of a sliding window ending at t. */
static void slide(const struct cinfo *ci, struct group *g, int64_t since)
{
	while (g->rn && g->ring[g->rhead] < since) {
		g->rhead = (g->rhead + 1) % g->rcap;
		g->rn--;
	}
	for (uint32_t i = 0; i < g->vn;)
		if (g->vals[i].last < since)
			g->vals[i] = g->vals[--g->vn];
		else
			i++;
	(void)ci;
}

static void temporal_add(const struct cinfo *ci, struct group *g, size_t from_rule, int64_t t, int64_t since)
{
	if (ci->co->type == SIGMA_CORR_TEMPORAL) {
		for (size_t k = 0; k < ci->n_refs; k++)
			if (ci->refs[k] == from_rule && t > g->reft[k])
				g->reft[k] = t;
		return;
	}
	/* reft[k]: latest start time of hits of refs[0..k] seen in order. From
	 * the back, so one hit does not fill two positions. */
	for (size_t k = ci->n_refs; k-- > 0;) {
		if (ci->refs[k] != from_rule)
			continue;
		int64_t start = k == 0 ? t : g->reft[k - 1];
		if (start != INT64_MIN && start >= since && start > g->reft[k])
			g->reft[k] = start;
	}
}

static enum cg_err process(struct sigma_corr *c, size_t ci_idx, size_t from_rule, struct rec *r, int64_t t,
                           int depth)
{
	struct cinfo *ci = &c->ci[ci_idx];
	const struct rec_key *k = rec_key_for(r, ci_idx);
	enum cg_err rc;
	if (!ci->co || !k || depth > 64)
		return CG_OK;
	if (ci->co->type == SIGMA_CORR_VALUE_COUNT && !k->has_val)
		return CG_OK;
	struct group *g;
	for (g = c->b[k->kh & (c->nb - 1)]; g; g = g->hnext)
		if (g->kh == k->kh && g->corr == ci_idx && g->key_len == k->key_len &&
		    memcmp(g->key, r->text + k->key_off, k->key_len) == 0)
			break;
	if (g && ci->tumbling && t - ci->co->timespan > g->first) {
		if ((rc = close_window(c, g, depth)))
			return rc;
		g = NULL;
	}
	if (!g) {
		if ((rc = group_open(c, ci_idx, r, k, t, &g)) || !g)
			return rc;
	}
	if (t > g->last)
		g->last = t;
	r->refs++;
	rec_unref(g->lastrec);
	g->lastrec = r;
	int64_t since = ci->tumbling ? INT64_MIN : t - ci->co->timespan;
	if (!ci->tumbling) {
		list_unlink(ci, g);
		list_append(ci, g);
		slide(ci, g, since);
	}
	switch (ci->co->type) {
	case SIGMA_CORR_EVENT_COUNT:
		if (ci->tumbling)
			g->count++;
		else if ((rc = ring_push(c, ci, g, t)))
			return rc;
		break;
	case SIGMA_CORR_VALUE_COUNT:
		if ((rc = value_add(c, ci, g, k->vh, t)))
			return rc;
		break;
	case SIGMA_CORR_TEMPORAL:
	case SIGMA_CORR_TEMPORAL_ORDERED:
		temporal_add(ci, g, from_rule, t, since);
		break;
	}
	if (ci->tumbling)
		return CG_OK;
	uint64_t n = group_count(ci, g, since);
	if (!cond_ok(ci->co, n))
		return CG_OK;
	/* The window's first hit still inside it. */
	int64_t first = t;
	if (ci->co->type == SIGMA_CORR_EVENT_COUNT && g->rn)
		first = g->ring[g->rhead];
	for (uint32_t i = 0; i < g->vn; i++)
		if (g->vals[i].last < first)
			first = g->vals[i].last;
	for (size_t i = 0; g->reft && i < ci->n_refs; i++)
		if (g->reft[i] != INT64_MIN && g->reft[i] >= since && g->reft[i] < first)
			first = g->reft[i];
	g->first = first;
	rc = report(c, ci_idx, g, n, depth);
	if (!rc) {
		/* Fired: the group starts afresh. */
		group_drop(c, g);
	}
	return rc;
}

/* ---- the reorder buffer ---- */

static void heap_up(struct rec **h, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		if (!rec_before(h[i], h[p]))
			break;
		struct rec *x = h[i];
		h[i] = h[p];
		h[p] = x;
		i = p;
	}
}

static void heap_down(struct rec **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && rec_before(h[l], h[m]))
			m = l;
		if (l + 1 < n && rec_before(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		struct rec *x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

static enum cg_err judge(struct sigma_corr *c, struct rec *r)
{
	if (r->t > c->judged_t)
		c->judged_t = r->t;
	enum cg_err rc = sweep(c, r->t, 0);
	const size_t *parents;
	size_t np = sigma_engine_rule_parents(c->e, r->rule, &parents);
	for (size_t i = 0; i < np && !rc; i++)
		rc = process(c, parents[i], r->rule, r, r->t, 0);
	return rc;
}

static enum cg_err release(struct sigma_corr *c, int all)
{
	while (c->hn) {
		struct rec *r = c->heap[0];
		int over = c->hn > c->o.max_buffered;
		if (!all && !over && (c->o.lateness < 0 || r->t > c->max_t - c->o.lateness))
			break;
		if (over && !all)
			c->st.forced++;
		c->heap[0] = c->heap[--c->hn];
		heap_down(c->heap, c->hn, 0);
		enum cg_err rc = judge(c, r);
		rec_unref(r);
		if (rc)
			return rc;
	}
	return CG_OK;
}

/* Append the group key of `ev` for correlation `co` (events of rule `base`). */
static enum cg_err build_key(struct cg_buf *b, const struct sigma_correlation *co, const struct sigma_rule *base,
                             const struct cg_event *ev)
{
	enum cg_err rc = CG_OK;
	for (size_t i = 0; i < co->n_group_by && !rc; i++) {
		const char *v;
		size_t vn;
		if (!cg_event_get(ev, group_field(co, base, co->group_by[i]), 0, &v, &vn)) {
			rc = cg_buf_putc(b, '~');
			continue;
		}
		if (vn > MAX_VALUE_BYTES)
			vn = MAX_VALUE_BYTES;
		if (!(rc = cg_buf_printf(b, "%zu:", vn)))
			rc = cg_buf_append(b, v, vn);
	}
	return rc;
}

enum cg_err sigma_corr_prepare(const struct sigma_corr *c, size_t rule_index, const struct cg_event *ev, int64_t t,
                               struct sigma_corr_hit **out)
{
	*out = NULL;
	if (!sigma_corr_wants(c, rule_index))
		return CG_OK;
	size_t na = c->n_anc[rule_index];
	struct rec_key keys[64];
	if (na > 64)
		na = 64;
	struct cg_buf b;
	cg_buf_init(&b, MAX_KEY_BYTES * 65);
	enum cg_err rc = CG_OK;
	for (size_t i = 0; i < na && !rc; i++) {
		const struct ancestor *a = &c->anc[rule_index][i];
		const struct sigma_correlation *co = c->ci[a->corr].co;
		struct rec_key *k = &keys[i];
		memset(k, 0, sizeof *k);
		k->corr = (uint32_t)a->corr;
		k->key_off = (uint32_t)b.len;
		const struct sigma_rule *base = sigma_engine_rule(c->e, a->base);
		if ((rc = build_key(&b, co, base, ev)))
			break;
		k->key_len = (uint32_t)(b.len - k->key_off);
		/* Keys come from logs: the process-keyed SipHash, salted per correlation. */
		k->kh = cg_hash_seeded(a->corr, b.data ? b.data + k->key_off : "", k->key_len);
		const char *v;
		size_t vn;
		if (co->type == SIGMA_CORR_VALUE_COUNT && co->field &&
		    cg_event_get(ev, group_field(co, base, co->field), 0, &v, &vn)) {
			k->has_val = 1;
			k->vh = cg_hash_seeded(UINT64_MAX - a->corr, v, vn);
		}
	}
	const char *host = cg_event_computer(ev);
	size_t host_off = b.len;
	if (!rc)
		rc = cg_buf_append(&b, host, strlen(host) + 1);
	struct rec *r = rc ? NULL : malloc(sizeof *r + na * sizeof r->k[0] + b.len);
	if (!rc && !r)
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
	if (rc) {
		cg_buf_free(&b);
		return rc;
	}
	memcpy(r->k, keys, na * sizeof keys[0]);
	r->text = (char *)&r->k[na];
	memcpy(r->text, b.data, b.len);
	cg_buf_free(&b);
	r->host_off = (uint32_t)host_off;
	r->n = (uint32_t)na;
	r->t = t;
	r->seq = 0;
	r->rule = (uint32_t)rule_index;
	r->refs = 1;
	*out = (struct sigma_corr_hit *)r;
	return CG_OK;
}

void sigma_corr_hit_free(struct sigma_corr_hit *h)
{
	rec_unref((struct rec *)h);
}

enum cg_err sigma_corr_feed_hit(struct sigma_corr *c, struct sigma_corr_hit *h)
{
	struct rec *r = (struct rec *)h;
	if (!r)
		return CG_OK;
	c->st.fed++;
	if (r->t < 0) {
		c->st.no_time++;
		rec_unref(r);
		return CG_OK;
	}
	if (r->t < c->judged_t) {
		c->st.late++;
		rec_unref(r);
		return CG_OK;
	}
	r->seq = c->seq++;
	if (c->hn == c->halloc) {
		size_t nh = c->halloc ? c->halloc * 2 : 1024;
		struct rec **p = realloc(c->heap, nh * sizeof *p);
		if (!p) {
			rec_unref(r);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		c->heap = p;
		c->halloc = nh;
	}
	c->heap[c->hn++] = r;
	heap_up(c->heap, c->hn - 1);
	if (r->t > c->max_t)
		c->max_t = r->t;
	return release(c, 0);
}

enum cg_err sigma_corr_feed(struct sigma_corr *c, size_t rule_index, const struct cg_event *ev, int64_t t)
{
	struct sigma_corr_hit *h;
	enum cg_err rc = sigma_corr_prepare(c, rule_index, ev, t, &h);
	return rc ? rc : sigma_corr_feed_hit(c, h);
}

enum cg_err sigma_corr_flush(struct sigma_corr *c)
{
	enum cg_err rc = release(c, 1);
	/* Closing an inner window can open an outer one: repeat (chains are
	 * at most 64 deep). */
	for (int i = 0; !rc && c->st.live_groups && i < 66; i++)
		rc = sweep(c, INT64_MAX, 1);
	return rc;
}
