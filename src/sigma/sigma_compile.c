/* Rule set → immutable matcher: logsource routing, a Vectorscan literal
 * prefilter, exact evaluation (see sigma_engine.h). */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "cg_hash.h"
#include "sigma_engine.h"
#include "cg_event_int.h"
#include "sigma_int.h"

/* Literals shorter than this occur in almost every event: a rule whose best
 * literal is shorter is evaluated without the prefilter. */
#define MIN_LITERAL 3
#define MAX_RULE_LITERALS 256
#define RE_MATCH_LIMIT 200000
#define RE_DEPTH_LIMIT 5000

struct rule_ent {
	struct sigma_rule *r;
	const struct sigma_logsource *ls;
	int always;     /* no literal set: evaluate on every event of its source */
	int emits;
	size_t *parents, n_parents;
	size_t *refs, n_refs;  /* correlation: rules referred to */
};

struct ls_ent {
	const struct sigma_logsource *ls;
	size_t *rules, n_rules;
};

struct lit {
	unsigned char *s;
	size_t n;
	size_t *rules, n_rules, alloc;
};

struct sigma_engine {
	const struct sigma_map *map;
	struct rule_ent *rules;
	size_t n, alloc;
	struct ls_ent *ls;
	size_t n_ls;
	struct lit *lits;
	size_t n_lits, alloc_lits;
	size_t *lit_hash; /* open addressing over lits, SIZE_MAX empty */
	size_t hash_cap;
	hs_database_t *db;
	size_t max_searches;
	size_t unfiltered;
	int compiled;
};

struct sigma_scanner {
	const struct sigma_engine *e;
	hs_scratch_t *scratch;
	unsigned *cand;   /* epoch at which a literal of rule i was seen */
	unsigned *done;   /* epoch at which rule i was evaluated */
	unsigned epoch;
	signed char *memo;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	size_t *matched_ls;
};

enum cg_err sigma_engine_new(const struct sigma_map *map, struct sigma_engine **out)
{
	struct sigma_engine *e = calloc(1, sizeof *e);
	if (!e)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	e->map = map;
	*out = e;
	return CG_OK;
}

void sigma_engine_free(struct sigma_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		sigma_rule_free(e->rules[i].r);
		free(e->rules[i].parents);
		free(e->rules[i].refs);
	}
	free(e->rules);
	for (size_t i = 0; i < e->n_ls; i++)
		free(e->ls[i].rules);
	free(e->ls);
	for (size_t i = 0; i < e->n_lits; i++) {
		free(e->lits[i].s);
		free(e->lits[i].rules);
	}
	free(e->lits);
	free(e->lit_hash);
	hs_free_database(e->db);
	free(e);
}

enum cg_err sigma_engine_add(struct sigma_engine *e, struct sigma_rule *rule, char *why, size_t why_len)
{
	if (e->compiled) {
		sigma_rule_free(rule);
		return cg_err_set(CG_EINVAL, "sigma: rule added after compile");
	}
	const struct sigma_logsource *ls = NULL;
	if (!rule->corr) {
		ls = sigma_map_find(e->map, rule->product, rule->category, rule->service, why, why_len);
		if (!ls) {
			sigma_rule_free(rule);
			return CG_EUNSUPPORTED;
		}
	}
	if (e->n == e->alloc) {
		size_t na = e->alloc ? e->alloc * 2 : 256;
		struct rule_ent *p = realloc(e->rules, na * sizeof *p);
		if (!p) {
			sigma_rule_free(rule);
			snprintf(why, why_len, "%s", _("out of memory"));
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		e->rules = p;
		e->alloc = na;
	}
	memset(&e->rules[e->n], 0, sizeof e->rules[e->n]);
	e->rules[e->n].r = rule;
	e->rules[e->n].ls = ls;
	e->rules[e->n].emits = 1;
	e->n++;
	if (rule->n_s > e->max_searches)
		e->max_searches = rule->n_s;
	return CG_OK;
}

/* ---- literal sets: which strings must occur for a rule to match ---- */

struct litset {
	int none;         /* no usable set */
	size_t n;
	const unsigned char *s[MAX_RULE_LITERALS];
	size_t len[MAX_RULE_LITERALS];
};

static size_t litset_min(const struct litset *l)
{
	size_t m = (size_t)-1;
	for (size_t i = 0; i < l->n; i++)
		if (l->len[i] < m)
			m = l->len[i];
	return l->n ? m : 0;
}

/* Keep the more selective of two sets that are each sufficient (AND). */
static void litset_best(struct litset *a, const struct litset *b)
{
	if (b->none)
		return;
	if (a->none || litset_min(b) > litset_min(a) || (litset_min(b) == litset_min(a) && b->n < a->n))
		*a = *b;
}

/* Both are needed alternatives (OR): the union. */
static void litset_union(struct litset *a, const struct litset *b)
{
	if (a->none)
		return;
	if (b->none || a->n + b->n > MAX_RULE_LITERALS) {
		a->none = 1;
		return;
	}
	for (size_t i = 0; i < b->n; i++) {
		a->s[a->n] = b->s[i];
		a->len[a->n++] = b->len[i];
	}
}

/* The longest run of literal bytes of a pattern. */
static void value_literal(const struct sigma_value *v, struct litset *out)
{
	out->n = 0;
	out->none = 1;
	size_t best = 0, best_at = 0;
	switch (v->kind) {
	case SV_EQ:
	case SV_PREFIX:
	case SV_SUFFIX:
	case SV_CONTAINS:
		best = v->n;
		break;
	case SV_GLOB:
		for (size_t i = 0; i < v->n;) {
			size_t j = i;
			while (j < v->n && !v->wild[j])
				j++;
			if (j - i > best) {
				best = j - i;
				best_at = i;
			}
			i = j + 1;
		}
		break;
	default:
		return;
	}
	if (best < MIN_LITERAL)
		return;
	out->none = 0;
	out->n = 1;
	out->s[0] = v->s + best_at;
	out->len[0] = best;
}

static void fieldmatch_lits(const struct sigma_fieldmatch *fm, struct litset *out)
{
	memset(out, 0, sizeof *out);
	out->none = 1;
	if (fm->all) {
		/* Every group is needed: the best group's alternatives suffice. */
		for (unsigned g = 0; g < fm->n_groups; g++) {
			struct litset gs = {0};
			int any = 0;
			for (size_t i = 0; i < fm->n; i++) {
				if (fm->v[i].group != g)
					continue;
				struct litset vl;
				value_literal(&fm->v[i], &vl);
				litset_union(&gs, &vl);
				any = 1;
			}
			if (any)
				litset_best(out, &gs);
		}
		return;
	}
	out->none = 0;
	for (size_t i = 0; i < fm->n && !out->none; i++) {
		struct litset vl;
		value_literal(&fm->v[i], &vl);
		litset_union(out, &vl);
	}
	if (fm->n == 0)
		out->none = 1;
}

static void search_lits(const struct sigma_search *s, struct litset *out)
{
	memset(out, 0, sizeof *out);
	for (size_t g = 0; g < s->n && !out->none; g++) {
		struct litset gl = {.none = 1};
		for (size_t f = 0; f < s->g[g].n; f++) {
			struct litset fl;
			fieldmatch_lits(&s->g[g].fm[f], &fl);
			litset_best(&gl, &fl);
		}
		litset_union(out, &gl);
	}
	if (s->n == 0)
		out->none = 1;
}

static void cond_lits(const struct sigma_rule *r, const struct sigma_cnode *c, struct litset *out)
{
	struct litset a, b;
	memset(out, 0, sizeof *out);
	switch (c->type) {
	case CN_REF:
		search_lits(&r->s[c->ref], out);
		return;
	case CN_NOT:
		out->none = 1;
		return;
	case CN_AND:
		cond_lits(r, c->a, &a);
		cond_lits(r, c->b, &b);
		*out = a;
		litset_best(out, &b);
		return;
	case CN_OR:
		cond_lits(r, c->a, out);
		cond_lits(r, c->b, &b);
		litset_union(out, &b);
		return;
	case CN_OF:
		if (c->need == 0 || c->need >= c->n_refs) {
			out->none = 1;
			for (size_t i = 0; i < c->n_refs; i++) {
				search_lits(&r->s[c->refs[i]], &a);
				litset_best(out, &a);
			}
		} else {
			for (size_t i = 0; i < c->n_refs && !out->none; i++) {
				search_lits(&r->s[c->refs[i]], &a);
				litset_union(out, &a);
			}
		}
		return;
	}
}

/* Literals of the rules (trusted), case-folded: the stable FNV-1a. */
static size_t lit_hash_of(const unsigned char *s, size_t n)
{
	uint64_t h = CG_FNV64_OFFSET;
	for (size_t i = 0; i < n; i++)
		h = cg_fnv64_step(h, cg_event_fold(s[i]));
	return (size_t)h;
}

static enum cg_err lit_table_grow(struct sigma_engine *e)
{
	size_t cap = e->hash_cap ? e->hash_cap * 2 : 4096;
	size_t *t = malloc(cap * sizeof *t);
	if (!t)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	memset(t, 0xff, cap * sizeof *t);
	for (size_t i = 0; i < e->n_lits; i++) {
		size_t h = lit_hash_of(e->lits[i].s, e->lits[i].n) & (cap - 1);
		while (t[h] != (size_t)-1)
			h = (h + 1) & (cap - 1);
		t[h] = i;
	}
	free(e->lit_hash);
	e->lit_hash = t;
	e->hash_cap = cap;
	return CG_OK;
}

static enum cg_err lit_add(struct sigma_engine *e, const unsigned char *s, size_t n, size_t rule)
{
	if ((e->n_lits + 1) * 2 > e->hash_cap) {
		enum cg_err rc = lit_table_grow(e);
		if (rc)
			return rc;
	}
	size_t h = lit_hash_of(s, n) & (e->hash_cap - 1);
	while (e->lit_hash[h] != (size_t)-1) {
		struct lit *l = &e->lits[e->lit_hash[h]];
		if (l->n == n) {
			size_t k;
			for (k = 0; k < n && cg_event_fold(l->s[k]) == cg_event_fold(s[k]); k++)
				;
			if (k == n)
				break;
		}
		h = (h + 1) & (e->hash_cap - 1);
	}
	struct lit *l;
	if (e->lit_hash[h] == (size_t)-1) {
		if (e->n_lits == e->alloc_lits) {
			size_t na = e->alloc_lits ? e->alloc_lits * 2 : 1024;
			struct lit *p = realloc(e->lits, na * sizeof *p);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			e->lits = p;
			e->alloc_lits = na;
		}
		l = &e->lits[e->n_lits];
		memset(l, 0, sizeof *l);
		if (!(l->s = malloc(n)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		for (size_t k = 0; k < n; k++)
			l->s[k] = cg_event_fold(s[k]);
		l->n = n;
		e->lit_hash[h] = e->n_lits++;
	} else {
		l = &e->lits[e->lit_hash[h]];
	}
	if (l->n_rules && l->rules[l->n_rules - 1] == rule)
		return CG_OK;
	if (l->n_rules == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 2;
		size_t *p = realloc(l->rules, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		l->rules = p;
		l->alloc = na;
	}
	l->rules[l->n_rules++] = rule;
	return CG_OK;
}

static enum cg_err push_idx(size_t **v, size_t *n, size_t x)
{
	size_t *p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*v = p;
	p[(*n)++] = x;
	return CG_OK;
}

static size_t find_rule(const struct sigma_engine *e, const char *ref)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct sigma_rule *r = e->rules[i].r;
		if ((r->name && strcmp(r->name, ref) == 0) || (r->id && strcmp(r->id, ref) == 0))
			return i;
	}
	return (size_t)-1;
}

/* Resolve correlation references; a correlation may refer to another one,
 * but not (through any chain) to itself. */
static enum cg_err link_correlations(struct sigma_engine *e, sigma_reject_cb reject, void *ud)
{
	enum cg_err rc;
	for (size_t i = 0; i < e->n; i++) {
		struct rule_ent *re = &e->rules[i];
		const struct sigma_correlation *c = re->r->corr;
		if (!c)
			continue;
		for (size_t k = 0; k < c->n_rules; k++) {
			size_t j = find_rule(e, c->rules[k]);
			if (j == (size_t)-1 || j == i) {
				char why[300];
				if (j == i)
					snprintf(why, sizeof why, _("correlation.rules: '%s' is the correlation itself"),
					         c->rules[k]);
				else
					snprintf(why, sizeof why, _("correlation.rules: '%s' is not a loaded rule name or id"),
					         c->rules[k]);
				if (reject)
					reject(ud, re->r, why);
				free(re->refs);
				re->refs = NULL;
				re->n_refs = 0;
				re->emits = 0;
				break;
			}
			if ((rc = push_idx(&re->refs, &re->n_refs, j)))
				return rc;
		}
	}
	/* Cycle check: follow refs with a depth bound. */
	for (size_t i = 0; i < e->n; i++) {
		if (!e->rules[i].n_refs)
			continue;
		size_t stack[64], depth = 0, cur = i;
		int cyclic = 0;
		stack[depth++] = cur;
		while (depth && !cyclic) {
			cur = stack[--depth];
			for (size_t k = 0; k < e->rules[cur].n_refs; k++) {
				size_t j = e->rules[cur].refs[k];
				if (j == i || depth >= 63) {
					cyclic = 1;
					break;
				}
				if (e->rules[j].n_refs)
					stack[depth++] = j;
			}
		}
		if (cyclic) {
			if (reject)
				reject(ud, e->rules[i].r,
				       _("correlation.rules: the chain of correlations refers back to itself or is deeper than 63"));
			free(e->rules[i].refs);
			e->rules[i].refs = NULL;
			e->rules[i].n_refs = 0;
			e->rules[i].emits = 0;
		}
	}
	for (size_t i = 0; i < e->n; i++) {
		struct rule_ent *re = &e->rules[i];
		for (size_t k = 0; k < re->n_refs; k++) {
			struct rule_ent *child = &e->rules[re->refs[k]];
			if ((rc = push_idx(&child->parents, &child->n_parents, i)))
				return rc;
			if (!re->r->corr->generate)
				child->emits = 0;
		}
	}
	return CG_OK;
}

enum cg_err sigma_engine_compile(struct sigma_engine *e, sigma_reject_cb reject, void *ud)
{
	if (e->compiled)
		return CG_OK;
	enum cg_err rc = link_correlations(e, reject, ud);
	if (rc)
		return rc;
	for (size_t i = 0; i < e->n; i++) {
		struct rule_ent *re = &e->rules[i];
		if (re->r->corr)
			continue;
		size_t k;
		for (k = 0; k < e->n_ls; k++)
			if (e->ls[k].ls == re->ls)
				break;
		if (k == e->n_ls) {
			struct ls_ent *p = realloc(e->ls, (e->n_ls + 1) * sizeof *p);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			e->ls = p;
			memset(&p[k], 0, sizeof p[k]);
			p[k].ls = re->ls;
			e->n_ls++;
		}
		if ((rc = push_idx(&e->ls[k].rules, &e->ls[k].n_rules, i)))
			return rc;
		struct litset ls;
		cond_lits(re->r, re->r->cond, &ls);
		if (ls.none || ls.n == 0) {
			re->always = 1;
			e->unfiltered++;
			continue;
		}
		for (size_t j = 0; j < ls.n; j++)
			if ((rc = lit_add(e, ls.s[j], ls.len[j], i)))
				return rc;
	}
	if (e->n_lits) {
		const char **exprs = calloc(e->n_lits, sizeof *exprs);
		unsigned *flags = calloc(e->n_lits, sizeof *flags);
		unsigned *ids = calloc(e->n_lits, sizeof *ids);
		size_t *lens = calloc(e->n_lits, sizeof *lens);
		if (!exprs || !flags || !ids || !lens) {
			free(exprs);
			free(flags);
			free(ids);
			free(lens);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		for (size_t i = 0; i < e->n_lits; i++) {
			exprs[i] = (const char *)e->lits[i].s;
			flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
			ids[i] = (unsigned)i;
			lens[i] = e->lits[i].n;
		}
		hs_compile_error_t *err = NULL;
		hs_error_t hrc = hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)e->n_lits, HS_MODE_BLOCK,
		                                      NULL, &e->db, &err);
		free(exprs);
		free(flags);
		free(ids);
		free(lens);
		if (hrc != HS_SUCCESS) {
			rc = cg_err_set(CG_EINTERNAL, _("sigma: Vectorscan cannot compile %zu literals: %s"), e->n_lits,
			                err && err->message ? err->message : _("unknown error"));
			hs_free_compile_error(err);
			return rc;
		}
	}
	e->compiled = 1;
	return CG_OK;
}

size_t sigma_engine_rule_count(const struct sigma_engine *e) { return e->n; }
const struct sigma_rule *sigma_engine_rule(const struct sigma_engine *e, size_t i) { return e->rules[i].r; }
size_t sigma_engine_unfiltered_count(const struct sigma_engine *e) { return e->unfiltered; }
size_t sigma_engine_literal_count(const struct sigma_engine *e) { return e->n_lits; }
int sigma_engine_rule_emits(const struct sigma_engine *e, size_t i) { return e->rules[i].emits; }

size_t sigma_engine_rule_parents(const struct sigma_engine *e, size_t i, const size_t **out)
{
	*out = e->rules[i].parents;
	return e->rules[i].n_parents;
}

size_t sigma_engine_corr_refs(const struct sigma_engine *e, size_t i, const size_t **out)
{
	*out = e->rules[i].refs;
	return e->rules[i].n_refs;
}

/* ---- scanning ---- */

enum cg_err sigma_scanner_new(const struct sigma_engine *e, struct sigma_scanner **out)
{
	if (!e->compiled)
		return cg_err_set(CG_EINVAL, "sigma: engine not compiled");
	struct sigma_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->e = e;
	s->cand = calloc(e->n ? e->n : 1, sizeof *s->cand);
	s->done = calloc(e->n ? e->n : 1, sizeof *s->done);
	s->memo = calloc(e->max_searches ? e->max_searches : 1, 1);
	s->matched_ls = calloc(e->n_ls ? e->n_ls : 1, sizeof *s->matched_ls);
	s->md = pcre2_match_data_create(1, NULL);
	s->mc = pcre2_match_context_create(NULL);
	if (!s->cand || !s->done || !s->memo || !s->matched_ls || !s->md || !s->mc) {
		sigma_scanner_free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	pcre2_set_match_limit(s->mc, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, RE_DEPTH_LIMIT);
	if (e->db && hs_alloc_scratch(e->db, &s->scratch) != HS_SUCCESS) {
		sigma_scanner_free(s);
		return cg_err_set(CG_ENOMEM, _("sigma: cannot allocate Vectorscan scratch"));
	}
	*out = s;
	return CG_OK;
}

void sigma_scanner_free(struct sigma_scanner *s)
{
	if (!s)
		return;
	hs_free_scratch(s->scratch);
	free(s->cand);
	free(s->done);
	free(s->memo);
	free(s->matched_ls);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	free(s);
}

struct eval_ctx {
	struct sigma_scanner *sc;
	const struct cg_event *ev;
	const struct sigma_source *src;
	const struct sigma_rule *r;
};

static int on_literal(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	(void)from;
	(void)to;
	(void)flags;
	struct sigma_scanner *s = ud;
	const struct lit *l = &s->e->lits[id];
	for (size_t i = 0; i < l->n_rules; i++)
		s->cand[l->rules[i]] = s->epoch;
	return 0;
}

/* Name the event uses for a Sigma field under this source. */
static void resolve_field(const struct sigma_source *src, const char *field, uint32_t hash,
                          const char **name, uint32_t *h)
{
	*name = field;
	*h = hash;
	if (!src)
		return;
	for (size_t i = 0; i < src->n_fields; i++) {
		if (src->fields[i].from_hash == hash && strcasecmp(src->fields[i].from, field) == 0) {
			*name = src->fields[i].to;
			*h = cg_event_field_hash(*name, strlen(*name));
			return;
		}
	}
}

static int name_is(const struct cg_event *ev, const struct cg_event_field_rec *f, const char *name, uint32_t h)
{
	if (f->hash != h)
		return 0;
	return cg_event_name_eq(ev->arena + f->name_off, f->name_len, name, strlen(name));
}

static int ref_match(const struct eval_ctx *c, const struct sigma_value *v, const struct cg_event_field_rec *a)
{
	const struct cg_event *ev = c->ev;
	const char *rn;
	uint32_t rh;
	resolve_field(c->src, v->ref, v->ref_hash, &rn, &rh);
	for (size_t j = 0; j < ev->n; j++) {
		const struct cg_event_field_rec *b = &ev->f[j];
		if (!name_is(ev, b, rn, rh))
			continue;
		const char *as = v->cased ? ev->arena + a->val_off : ev->low + a->low_off;
		const char *bs = v->cased ? ev->arena + b->val_off : ev->low + b->low_off;
		size_t an = a->val_len, bn = b->val_len;
		int ok = 0;
		switch (v->refkind) {
		case SV_CONTAINS: ok = bn == 0 || memmem(as, an, bs, bn) != NULL; break;
		case SV_PREFIX: ok = an >= bn && memcmp(as, bs, bn) == 0; break;
		case SV_SUFFIX: ok = an >= bn && memcmp(as + an - bn, bs, bn) == 0; break;
		default: ok = an == bn && memcmp(as, bs, an) == 0; break;
		}
		if (ok)
			return 1;
	}
	return 0;
}

/* Does value pattern v hold for the field (or, for keywords, any field)? */
static int value_holds(const struct eval_ctx *c, const struct sigma_fieldmatch *fm, const struct sigma_value *v,
                       const char *name, uint32_t h)
{
	const struct cg_event *ev = c->ev;
	size_t seen = 0, nonempty = 0;
	for (size_t i = 0; i < ev->n; i++) {
		const struct cg_event_field_rec *f = &ev->f[i];
		if (fm->field && !name_is(ev, f, name, h))
			continue;
		seen++;
		if (f->val_len)
			nonempty++;
		switch (v->kind) {
		case SV_NULL:
		case SV_EXISTS:
			continue;
		case SV_FIELDREF:
			if (ref_match(c, v, f))
				return 1;
			continue;
		default:
			if (sigma_value_match(v, ev->arena + f->val_off, f->val_len, ev->low + f->low_off, c->sc->md, c->sc->mc))
				return 1;
		}
	}
	if (v->kind == SV_NULL)
		return nonempty == 0;
	if (v->kind == SV_EXISTS)
		return v->b ? seen > 0 : seen == 0;
	return 0;
}

static int fieldmatch_holds(const struct eval_ctx *c, const struct sigma_fieldmatch *fm)
{
	const char *name = NULL;
	uint32_t h = 0;
	if (fm->field)
		resolve_field(c->src, fm->field, fm->hash, &name, &h);
	if (!fm->all) {
		for (size_t i = 0; i < fm->n; i++)
			if (value_holds(c, fm, &fm->v[i], name, h))
				return 1;
		return 0;
	}
	/* Values are stored in group order; every group needs one match. */
	size_t i = 0;
	while (i < fm->n) {
		unsigned g = fm->v[i].group;
		int ok = 0;
		for (; i < fm->n && fm->v[i].group == g; i++)
			if (!ok && value_holds(c, fm, &fm->v[i], name, h))
				ok = 1;
		if (!ok)
			return 0;
	}
	return 1;
}

static int search_holds(struct eval_ctx *c, size_t idx)
{
	signed char *m = &c->sc->memo[idx];
	if (*m)
		return *m > 0;
	const struct sigma_search *s = &c->r->s[idx];
	int res = 0;
	for (size_t g = 0; g < s->n && !res; g++) {
		size_t f;
		for (f = 0; f < s->g[g].n; f++)
			if (!fieldmatch_holds(c, &s->g[g].fm[f]))
				break;
		res = f == s->g[g].n;
	}
	*m = res ? 1 : -1;
	return res;
}

static int cond_holds(struct eval_ctx *c, const struct sigma_cnode *n)
{
	switch (n->type) {
	case CN_REF:
		return search_holds(c, n->ref);
	case CN_NOT:
		return !cond_holds(c, n->a);
	case CN_AND:
		return cond_holds(c, n->a) && cond_holds(c, n->b);
	case CN_OR:
		return cond_holds(c, n->a) || cond_holds(c, n->b);
	case CN_OF: {
		size_t need = n->need ? n->need : n->n_refs, got = 0;
		for (size_t i = 0; i < n->n_refs; i++) {
			if (search_holds(c, n->refs[i]) && ++got >= need)
				return 1;
			if (got + (n->n_refs - i - 1) < need)
				return 0;
		}
		return got >= need;
	}
	}
	return 0;
}

enum cg_err sigma_scanner_match(struct sigma_scanner *s, struct cg_event *ev, sigma_hit_cb cb, void *ud)
{
	const struct sigma_engine *e = s->e;
	size_t n_matched = 0;
	/* Which log sources is this event from, and under which source entry. */
	for (size_t k = 0; k < e->n_ls; k++) {
		const struct sigma_logsource *ls = e->ls[k].ls;
		for (size_t a = 0; a < ls->n_src; a++)
			if (sigma_source_match(&ls->src[a], ev)) {
				s->matched_ls[n_matched++] = k;
				break;
			}
	}
	if (n_matched == 0)
		return CG_OK;
	enum cg_err rc = cg_event_fold_values(ev);
	if (rc)
		return rc;
	if (++s->epoch == 0) {
		memset(s->cand, 0, e->n * sizeof *s->cand);
		memset(s->done, 0, e->n * sizeof *s->done);
		s->epoch = 1;
	}
	if (e->db && ev->low_len) {
		hs_error_t hrc = hs_scan(e->db, ev->low, (unsigned)ev->low_len, 0, s->scratch, on_literal, s);
		if (hrc != HS_SUCCESS && hrc != HS_SCAN_TERMINATED)
			return cg_err_set(CG_EINTERNAL, _("sigma: Vectorscan scan failed (%d)"), hrc);
	}
	for (size_t m = 0; m < n_matched; m++) {
		const struct ls_ent *le = &e->ls[s->matched_ls[m]];
		const struct sigma_source *src = NULL;
		for (size_t a = 0; a < le->ls->n_src; a++)
			if (sigma_source_match(&le->ls->src[a], ev)) {
				src = &le->ls->src[a];
				break;
			}
		for (size_t j = 0; j < le->n_rules; j++) {
			size_t ri = le->rules[j];
			const struct rule_ent *re = &e->rules[ri];
			if (s->done[ri] == s->epoch || (!re->always && s->cand[ri] != s->epoch))
				continue;
			s->done[ri] = s->epoch;
			memset(s->memo, 0, re->r->n_s);
			struct eval_ctx c = {.sc = s, .ev = ev, .src = src, .r = re->r};
			if (cond_holds(&c, re->r->cond) && cb && cb(ud, ri, re->r, ev))
				return CG_OK;
		}
	}
	return CG_OK;
}
