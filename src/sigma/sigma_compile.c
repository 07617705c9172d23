/* Rule set → immutable matcher: logsource routing, a Vectorscan literal
 * prefilter, exact evaluation (see sigma_engine.h). */
#include <hs/hs.h>
#include <stddef.h>
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
#define MIN_LITERAL 2
#define MAX_RULE_LITERALS 2048
/* Literal sets a rule needs all of (each: one of its literals). */
#define MAX_CLAUSES 4
/* A field database of at most this many literals is searched with memmem:
 * compiling a Vectorscan database has a fixed cost, and most are tiny. */
#define SMALL_FDB 8
#define SENTINEL_LITERAL "\x01\x02"
#define RE_MATCH_LIMIT 200000
#define RE_DEPTH_LIMIT 5000
/* Per scanner; PCRE2 reserves it and uses what a match needs. */
#define RE_JIT_STACK_MAX ((size_t)8 << 20)

struct rule_ent {
	struct sigma_rule *r;
	const struct sigma_logsource *ls;
	int always;     /* no literal set: evaluate on every event of its source */
	unsigned full;  /* else: the mask of its clauses (see rule_clauses) */
	int emits;
	size_t lsi;     /* its log source: index into engine->ls */
	size_t *parents, n_parents;
	size_t *refs, n_refs;  /* correlation: rules referred to */
};

struct ls_ent {
	const struct sigma_logsource *ls;
	size_t *rules, n_rules;
	size_t *always, n_always; /* the rules of `rules` without a literal set */
	/* Per source entry (n_src rows of fdb_words words): the field databases
	 * (of this log source) of the fields its rules read under that entry. */
	uint64_t *reads;
	int any;  /* some rule of the source has a keyword (any field) search */
};

struct lit {
	unsigned char *s;
	size_t n;
};

/* One literal of a field database: the rules that need it in that field,
 * as rule * MAX_CLAUSES + clause. */
struct fent {
	uint32_t lit;
	uint32_t n_rules;
	uint32_t *rules;
};

/* The literals the rules of one log source need, or gate on, in the event
 * fields with one name hash; `any`: the keyword database (all fields). */
struct fdb {
	uint32_t hash;
	uint32_t lsi;
	hs_database_t *db; /* NULL when n_ent <= SMALL_FDB: memmem per literal */
	struct fent *ent;  /* Vectorscan id -> entry */
	size_t n_ent;
	size_t min_len;    /* of its literals: shorter fields cannot hold one */
	int db_shared;     /* db belongs to an earlier fdb with the same literals */
};

/* While compiling: literal `lit` is needed by `rule` (rule index times
 * MAX_CLAUSES plus the clause) in fields with name hash `hash` of events of log source `lsi`,
 * or in any field when `any`. */
struct flit {
	uint32_t any, hash, lsi, lit, rule;
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
	struct flit *flits;   /* compile only */
	size_t n_flits, alloc_flits;
	/* Field databases in (hash, lsi) order; fdb_tab finds the first of a
	 * hash (open addressing, UINT32_MAX empty); the others follow it. */
	struct fdb *fdb;
	size_t n_fdb, fdb_words;
	uint32_t *fdb_tab;
	size_t fdb_cap;
	struct fdb any;
	size_t max_searches;
	size_t unfiltered;
	int compiled;
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
	for (size_t i = 0; i < e->n_ls; i++) {
		free(e->ls[i].rules);
		free(e->ls[i].always);
		free(e->ls[i].reads);
	}
	free(e->ls);
	for (size_t i = 0; i < e->n_lits; i++)
		free(e->lits[i].s);
	free(e->lits);
	free(e->lit_hash);
	free(e->flits);
	for (size_t i = 0; i <= e->n_fdb; i++) {
		struct fdb *d = i < e->n_fdb ? &e->fdb[i] : &e->any;
		if (!d->db_shared)
			hs_free_database(d->db);
		if (d->ent)
			free(d->ent[0].rules); /* one block for all entries */
		free(d->ent);
	}
	free(e->fdb);
	free(e->fdb_tab);
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

/* One needed string and the field it must occur in (fm->field NULL: any). */
struct litref {
	const unsigned char *s;
	size_t len;
	const struct sigma_fieldmatch *fm;
};

struct litset {
	int none;         /* no usable set */
	size_t n;
	struct litref l[MAX_RULE_LITERALS];
};

static size_t litset_min(const struct litset *l)
{
	size_t m = (size_t)-1;
	for (size_t i = 0; i < l->n; i++)
		if (l->l[i].len < m)
			m = l->l[i].len;
	return l->n ? m : 0;
}

/* Keep the more selective of two sets that are each sufficient (AND):
 * longer strings are rarer; a set tied to one field beats one that may occur
 * anywhere. */
static void litset_best(struct litset *a, const struct litset *b)
{
	if (b->none)
		return;
	if (a->none || litset_min(b) > litset_min(a) || (litset_min(b) == litset_min(a) && b->n < a->n))
		memcpy(a, b, offsetof(struct litset, l) + b->n * sizeof b->l[0]);
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
	memcpy(&a->l[a->n], b->l, b->n * sizeof b->l[0]);
	a->n += b->n;
}

/* The longest run of literal bytes of a pattern. */
static void value_literal(const struct sigma_fieldmatch *fm, const struct sigma_value *v, struct litset *out)
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
	case SV_RE: /* the run every match contains (sigma_mod.c), if any */
		if (!v->s)
			return;
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
	/* A letter outside ASCII (two bytes or more) is rare enough alone. */
	if (best < MIN_LITERAL && !(best >= 2 && v->s[best_at] >= 0x80))
		return;
	out->none = 0;
	out->n = 1;
	out->l[0] = (struct litref){v->s + best_at, best, fm};
}

/* The litsets below are heap scratch (a set is 6 KB): `tmp` holds two. */
static void fieldmatch_lits(const struct sigma_fieldmatch *fm, struct litset *out, struct litset *tmp)
{
	struct litset *gs = &tmp[0], *vl = &tmp[1];
	out->n = 0;
	out->none = 1;
	if (fm->all) {
		/* Every group is needed: the best group's alternatives suffice. */
		for (unsigned g = 0; g < fm->n_groups; g++) {
			gs->none = 0;
			gs->n = 0;
			int any = 0;
			for (size_t i = 0; i < fm->n; i++) {
				if (fm->v[i].group != g)
					continue;
				value_literal(fm, &fm->v[i], vl);
				litset_union(gs, vl);
				any = 1;
			}
			if (any)
				litset_best(out, gs);
		}
		return;
	}
	out->none = 0;
	for (size_t i = 0; i < fm->n && !out->none; i++) {
		value_literal(fm, &fm->v[i], vl);
		litset_union(out, vl);
	}
	if (fm->n == 0)
		out->none = 1;
}

/* tmp: four sets. */
static void search_lits(const struct sigma_search *s, struct litset *out, struct litset *tmp)
{
	struct litset *gl = &tmp[0], *fl = &tmp[1];
	out->n = 0;
	out->none = 0;
	for (size_t g = 0; g < s->n && !out->none; g++) {
		gl->none = 1;
		gl->n = 0;
		for (size_t f = 0; f < s->g[g].n; f++) {
			fieldmatch_lits(&s->g[g].fm[f], fl, tmp + 2);
			litset_best(gl, fl);
		}
		litset_union(out, gl);
	}
	if (s->n == 0)
		out->none = 1;
}

/* A literal set the condition really needs: `and` and `all of` take the
 * best operand, `or` and `N of` (N < all) the union, `not` gives none (a rule
 * with no needed literal is evaluated on every event of its log source).
 * The recursion is bounded by the depth of the tree (SIGMA_COND_MAX_DEPTH);
 * `tmp` holds 5 sets per level of depth. */
static void cond_lits(const struct sigma_rule *r, const struct sigma_cnode *c, struct litset *out, struct litset *tmp)
{
	struct litset *a = &tmp[0];
	out->n = 0;
	out->none = 0;
	switch (c->type) {
	case CN_REF:
		search_lits(&r->s[c->ref], out, tmp);
		return;
	case CN_NOT:
		out->none = 1;
		return;
	case CN_AND:
		out->none = 1;
		for (size_t i = 0; i < c->n_kid; i++) {
			cond_lits(r, c->kid[i], a, tmp + 1);
			litset_best(out, a);
		}
		return;
	case CN_OR:
		for (size_t i = 0; i < c->n_kid && !out->none; i++) {
			cond_lits(r, c->kid[i], a, tmp + 1);
			litset_union(out, a);
		}
		if (c->n_kid == 0)
			out->none = 1;
		return;
	case CN_OF:
		if (c->need == 0 || c->need >= c->n_refs) {
			out->none = 1;
			for (size_t i = 0; i < c->n_refs; i++) {
				search_lits(&r->s[c->refs[i]], a, tmp + 1);
				litset_best(out, a);
			}
		} else {
			for (size_t i = 0; i < c->n_refs && !out->none; i++) {
				search_lits(&r->s[c->refs[i]], a, tmp + 1);
				litset_union(out, a);
			}
		}
		return;
	}
}

/* Is set a more selective requirement than b (longer strings, fewer)? */
static int litset_better(const struct litset *a, const struct litset *b)
{
	return litset_min(a) > litset_min(b) || (litset_min(a) == litset_min(b) && a->n < b->n);
}

/* Add the needed set `a` to the clauses out[0..*n), keeping the
 * MAX_CLAUSES most selective. */
static void clauses_add(struct litset *out, size_t *n, const struct litset *a)
{
	if (a->none || a->n == 0)
		return;
	size_t w = *n;
	if (*n == MAX_CLAUSES) {
		w = 0;
		for (size_t i = 1; i < *n; i++)
			if (litset_better(&out[w], &out[i]))
				w = i;
		if (!litset_better(a, &out[w]))
			return;
	} else {
		(*n)++;
	}
	memcpy(&out[w], a, offsetof(struct litset, l) + a->n * sizeof a->l[0]);
}

/* tmp: five sets. */
static void search_clauses(const struct sigma_search *s, struct litset *out, size_t *n, struct litset *tmp)
{
	if (s->n == 1) {
		/* One group: every field match of it is needed. */
		for (size_t f = 0; f < s->g[0].n; f++) {
			fieldmatch_lits(&s->g[0].fm[f], tmp, tmp + 1);
			clauses_add(out, n, tmp);
		}
		return;
	}
	search_lits(s, tmp, tmp + 1);
	clauses_add(out, n, tmp);
}

/* Several literal sets that are each needed for the rule to match: one per
 * operand of the `and` / `all of` at the top of the condition, the set of
 * cond_lits for anything else. A rule is a candidate only when a literal of
 * each of its clauses occurred (in its field). The recursion follows only
 * `and` nodes (depth bounded as in cond_lits); tmp as cond_lits. */
static void rule_clauses(const struct sigma_rule *r, const struct sigma_cnode *c, struct litset *out, size_t *n,
                         struct litset *tmp)
{
	switch (c->type) {
	case CN_AND:
		for (size_t i = 0; i < c->n_kid; i++)
			rule_clauses(r, c->kid[i], out, n, tmp);
		return;
	case CN_REF:
		search_clauses(&r->s[c->ref], out, n, tmp);
		return;
	case CN_OF:
		if (c->need == 0 || c->need >= c->n_refs) {
			for (size_t i = 0; i < c->n_refs; i++)
				search_clauses(&r->s[c->refs[i]], out, n, tmp);
			return;
		}
		break;
	default:
		break;
	}
	cond_lits(r, c, tmp, tmp + 1);
	clauses_add(out, n, tmp);
}

static size_t cond_depth(const struct sigma_cnode *c)
{
	size_t d = 0;
	for (size_t i = 0; i < c->n_kid; i++) {
		size_t k = cond_depth(c->kid[i]);
		if (k > d)
			d = k;
	}
	return d + 1;
}

/* Literals of the rules (trusted), already folded: the stable FNV-1a. */
static size_t lit_hash_of(const unsigned char *s, size_t n)
{
	uint64_t h = CG_FNV64_OFFSET;
	for (size_t i = 0; i < n; i++)
		h = cg_fnv64_step(h, s[i]);
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

static enum cg_err lit_add_folded(struct sigma_engine *e, const unsigned char *s, size_t n, size_t *id)
{
	if ((e->n_lits + 1) * 2 > e->hash_cap) {
		enum cg_err rc = lit_table_grow(e);
		if (rc)
			return rc;
	}
	size_t h = lit_hash_of(s, n) & (e->hash_cap - 1);
	while (e->lit_hash[h] != (size_t)-1) {
		const struct lit *l = &e->lits[e->lit_hash[h]];
		if (l->n == n && memcmp(l->s, s, n) == 0)
			break;
		h = (h + 1) & (e->hash_cap - 1);
	}
	if (e->lit_hash[h] == (size_t)-1) {
		if (e->n_lits == e->alloc_lits) {
			size_t na = e->alloc_lits ? e->alloc_lits * 2 : 1024;
			struct lit *p = realloc(e->lits, na * sizeof *p);
			if (!p)
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			e->lits = p;
			e->alloc_lits = na;
		}
		struct lit *l = &e->lits[e->n_lits];
		if (!(l->s = malloc(n ? n : 1)))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		memcpy(l->s, s, n);
		l->n = n;
		e->lit_hash[h] = e->n_lits++;
	}
	*id = e->lit_hash[h];
	return CG_OK;
}

/* Find or add literal s (folded here); *id: its index. */
static enum cg_err lit_add(struct sigma_engine *e, const unsigned char *raw, size_t n, size_t *id)
{
	unsigned char sbuf[256], *s = n <= sizeof sbuf ? sbuf : malloc(n);
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	cg_event_fold_utf8(raw, n, s);
	enum cg_err rc = lit_add_folded(e, s, n, id);
	if (s != sbuf)
		free(s);
	return rc;
}

static enum cg_err flit_push(struct sigma_engine *e, struct flit f)
{
	if (e->n_flits == e->alloc_flits) {
		size_t na = e->alloc_flits ? e->alloc_flits * 2 : 4096;
		struct flit *p = realloc(e->flits, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		e->flits = p;
		e->alloc_flits = na;
	}
	e->flits[e->n_flits++] = f;
	return CG_OK;
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

/* Literal `lit` needed by `rule` (as in struct flit) for field match
 * fm of a rule of log source lsi: in the field databases of every event
 * field name the Sigma field may have under that source (a source may rename
 * it), or in the keyword database. */
static enum cg_err flit_add(struct sigma_engine *e, size_t lsi, const struct sigma_fieldmatch *fm, size_t lit,
                            uint32_t rule)
{
	const struct sigma_logsource *ls = e->ls[lsi].ls;
	if (!fm->field)
		return flit_push(e, (struct flit){1, 0, 0, (uint32_t)lit, rule});
	enum cg_err rc = flit_push(e, (struct flit){0, fm->hash, (uint32_t)lsi, (uint32_t)lit, rule});
	for (size_t i = 0; !rc && ls && i < ls->n_src; i++) {
		const char *name;
		uint32_t h;
		resolve_field(&ls->src[i], fm->field, fm->hash, &name, &h);
		if (h != fm->hash)
			rc = flit_push(e, (struct flit){0, h, (uint32_t)lsi, (uint32_t)lit, rule});
	}
	return rc;
}

/* A literal of clause `clause` of the rule. */
static enum cg_err lit_add_ref(struct sigma_engine *e, size_t rule, size_t clause, const struct litref *lr)
{
	size_t id;
	enum cg_err rc = lit_add(e, lr->s, lr->len, &id);
	return rc ? rc : flit_add(e, e->rules[rule].lsi, lr->fm, id, (uint32_t)(rule * MAX_CLAUSES + clause));
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

/* ---- field databases ---- */

static int flit_cmp(const void *pa, const void *pb)
{
	const struct flit *a = pa, *b = pb;
	const uint32_t x[5] = {a->any, a->hash, a->lsi, a->lit, a->rule};
	const uint32_t y[5] = {b->any, b->hash, b->lsi, b->lit, b->rule};
	for (int i = 0; i < 5; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* One database from the sorted entries f[0..n): one Vectorscan literal per
 * distinct literal, reported once per scan (a scan covers one field). */
static enum cg_err fdb_build(struct sigma_engine *e, struct fdb *d, const struct flit *f, size_t n,
                             const struct fdb *prev, size_t n_prev)
{
	size_t n_ent = 0, n_rules = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || f[i].lit != f[i - 1].lit)
			n_ent++;
		if (!(i > 0 && f[i].lit == f[i - 1].lit && f[i].rule == f[i - 1].rule))
			n_rules++;
	}
	d->ent = calloc(n_ent, sizeof *d->ent);
	uint32_t *rules = malloc((n_rules ? n_rules : 1) * sizeof *rules);
	const char **exprs = calloc(n_ent + 1, sizeof *exprs);
	unsigned *flags = calloc(n_ent + 1, sizeof *flags);
	unsigned *ids = calloc(n_ent + 1, sizeof *ids);
	size_t *lens = calloc(n_ent + 1, sizeof *lens);
	enum cg_err rc = CG_OK;
	if (!d->ent || !rules || !exprs || !flags || !ids || !lens) {
		free(d->ent);
		d->ent = NULL;
		free(rules);
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	d->ent[0].rules = rules;
	d->n_ent = n_ent;
	size_t k = 0, r = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && f[i].lit != f[i - 1].lit) {
			k++;
			d->ent[k].rules = rules + r;
		}
		d->ent[k].lit = f[i].lit;
		if (!(i > 0 && f[i].lit == f[i - 1].lit && f[i].rule == f[i - 1].rule)) {
			rules[r++] = f[i].rule;
			d->ent[k].n_rules++;
		}
	}
	d->min_len = SIZE_MAX;
	for (k = 0; k < n_ent; k++) {
		const struct lit *l = &e->lits[d->ent[k].lit];
		if (l->n < d->min_len)
			d->min_len = l->n;
		exprs[k] = (const char *)l->s;
		lens[k] = l->n;
		flags[k] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[k] = (unsigned)k;
	}
	/* A source that renames a field gives two fields the same literals. */
	for (size_t q = 0; q < n_prev && n_ent > SMALL_FDB; q++) {
		if (prev[q].n_ent != n_ent || !prev[q].db)
			continue;
		for (k = 0; k < n_ent && prev[q].ent[k].lit == d->ent[k].lit; k++)
			;
		if (k == n_ent) {
			d->db = prev[q].db;
			d->db_shared = 1;
			goto out;
		}
	}
	/* Vectorscan 5.4.9 (Debian 12) misses literals of a set whose literals
	 * all begin with one or two bytes ('.bat' and '.vbs' at the end of a
	 * 90-byte path: tests/unit/sigma/sigma_test.c), as field databases often
	 * are; one more literal that begins with another byte (id n_ent, ignored
	 * by on_literal) avoided every miss of a differential check against
	 * memmem on such sets. */
	exprs[n_ent] = SENTINEL_LITERAL;
	lens[n_ent] = sizeof SENTINEL_LITERAL - 1;
	flags[n_ent] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
	ids[n_ent] = (unsigned)n_ent;
	hs_compile_error_t *err = NULL;
	if (n_ent > SMALL_FDB && hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n_ent + 1, HS_MODE_BLOCK, NULL, &d->db, &err) !=
	    HS_SUCCESS) {
		rc = cg_err_set(CG_EINTERNAL, _("sigma: Vectorscan cannot compile %zu literals: %s"), n_ent,
		                err && err->message ? err->message : _("unknown error"));
		hs_free_compile_error(err);
	}
out:
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

static size_t fdb_slot(const struct sigma_engine *e, uint32_t h)
{
	size_t i = (h * 2654435761u) & (e->fdb_cap - 1);
	while (e->fdb_tab[i] != UINT32_MAX && e->fdb[e->fdb_tab[i]].hash != h)
		i = (i + 1) & (e->fdb_cap - 1);
	return i;
}

/* The first field database of name hash h, or e->n_fdb. */
static size_t fdb_find(const struct sigma_engine *e, uint32_t h)
{
	if (!e->fdb_cap)
		return e->n_fdb;
	uint32_t j = e->fdb_tab[fdb_slot(e, h)];
	return j == UINT32_MAX ? e->n_fdb : j;
}

/* One database per (field name hash, log source) and one for keywords,
 * from the entries gathered by lit_add_ref. */
static enum cg_err fdb_build_all(struct sigma_engine *e)
{
	if (e->n_flits)
		qsort(e->flits, e->n_flits, sizeof *e->flits, flit_cmp);
	size_t nf = 0, nk = 0, nh = 0;
	for (size_t i = 0; i < e->n_flits; i++) {
		const struct flit *f = &e->flits[i];
		if (f->any) {
			nk++;
			continue;
		}
		if (i == 0 || f->hash != f[-1].hash || f->lsi != f[-1].lsi)
			nf++;
		if (i == 0 || f->hash != f[-1].hash)
			nh++;
	}
	if (nf) {
		e->fdb = calloc(nf, sizeof *e->fdb);
		for (e->fdb_cap = 16; e->fdb_cap < nh * 2; e->fdb_cap *= 2)
			;
		e->fdb_tab = malloc(e->fdb_cap * sizeof *e->fdb_tab);
		if (!e->fdb || !e->fdb_tab)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		memset(e->fdb_tab, 0xff, e->fdb_cap * sizeof *e->fdb_tab);
		e->n_fdb = nf;
		e->fdb_words = (nf + 63) / 64;
	}
	size_t j = 0;
	for (size_t i = 0; i < e->n_flits - nk;) {
		size_t k = i;
		while (k < e->n_flits - nk && e->flits[k].hash == e->flits[i].hash && e->flits[k].lsi == e->flits[i].lsi)
			k++;
		struct fdb *d = &e->fdb[j];
		d->hash = e->flits[i].hash;
		d->lsi = e->flits[i].lsi;
		size_t slot = fdb_slot(e, d->hash);
		if (e->fdb_tab[slot] == UINT32_MAX)
			e->fdb_tab[slot] = (uint32_t)j;
		enum cg_err rc = fdb_build(e, d, e->flits + i, k - i, e->fdb, j);
		if (rc)
			return rc;
		j++;
		i = k;
	}
	return nk ? fdb_build(e, &e->any, e->flits + e->n_flits - nk, nk, NULL, 0) : CG_OK;
}

/* Which field databases of log source k an event routed to it by source
 * entry a must be scanned with: those of the fields its rules read. */
static enum cg_err ls_reads(struct sigma_engine *e, size_t k)
{
	struct ls_ent *le = &e->ls[k];
	size_t n_src = le->ls->n_src ? le->ls->n_src : 1;
	le->reads = calloc(n_src * (e->fdb_words ? e->fdb_words : 1), sizeof *le->reads);
	if (!le->reads)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t q = 0; q < le->n_rules; q++) {
		const struct sigma_rule *r = e->rules[le->rules[q]].r;
		for (size_t i = 0; i < r->n_s; i++)
			for (size_t g = 0; g < r->s[i].n; g++)
				for (size_t f = 0; f < r->s[i].g[g].n; f++) {
					const struct sigma_fieldmatch *fm = &r->s[i].g[g].fm[f];
					if (!fm->field) {
						le->any = 1;
						continue;
					}
					for (size_t a = 0; a < n_src; a++) {
						const char *name;
						uint32_t h;
						resolve_field(le->ls->n_src ? &le->ls->src[a] : NULL, fm->field, fm->hash, &name, &h);
						for (size_t j = fdb_find(e, h); j < e->n_fdb && e->fdb[j].hash == h; j++)
							if (e->fdb[j].lsi == k)
								le->reads[a * e->fdb_words + j / 64] |= (uint64_t)1 << (j % 64);
					}
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
		re->lsi = k;
		size_t depth = cond_depth(re->r->cond), n_cl = 0;
		struct litset *ls = malloc((MAX_CLAUSES + depth + 6) * sizeof *ls);
		if (!ls)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		rule_clauses(re->r, re->r->cond, ls, &n_cl, ls + MAX_CLAUSES);
		if (n_cl == 0) {
			re->always = 1;
			e->unfiltered++;
			free(ls);
			if ((rc = push_idx(&e->ls[k].always, &e->ls[k].n_always, i)))
				return rc;
			continue;
		}
		re->full = (1u << n_cl) - 1;
		for (size_t c = 0; c < n_cl; c++)
			for (size_t j = 0; j < ls[c].n && !rc; j++)
				rc = lit_add_ref(e, i, c, &ls[c].l[j]);
		free(ls);
		if (rc)
			return rc;
	}
	if ((rc = fdb_build_all(e)))
		return rc;
	for (size_t k = 0; k < e->n_ls; k++)
		if ((rc = ls_reads(e, k)))
			return rc;
	free(e->flits);
	e->flits = NULL;
	e->n_flits = e->alloc_flits = 0;
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

/* Routing: which log sources (and which source entry of each) an event
 * belongs to depends only on its product, channel, provider, program and
 * event ID. The answer is kept in a small per-scanner table keyed by those,
 * so the sources are compared once per kind of event, not once per event. */
#define ROUTE_SLOTS 64
#define FTAB_SLOTS 1024 /* power of two, >= 2 * CG_EVENT_MAX_FIELDS */
#define FTAB_END UINT16_MAX

struct route_hit {
	uint32_t ls;
	const struct sigma_source *src;
};

struct route {
	int used;
	uint32_t hash;
	enum cg_event_product product;
	long event_id;
	char channel[CG_EVENT_FACT_MAX], provider[CG_EVENT_FACT_MAX], program[CG_EVENT_FACT_MAX];
	struct route_hit *hit;
	size_t n_hit;
	uint64_t *scan; /* the field databases to scan (bits over engine->fdb) */
	int any;        /* scan the keyword database too */
};

struct sigma_scanner {
	const struct sigma_engine *e;
	hs_scratch_t *scratch;
	unsigned *cand;   /* epoch at which a literal of rule i was seen ... */
	unsigned char *have; /* ... and the mask of its clauses seen since */
	uint32_t *clist;  /* the rules whose cand is this epoch, in the order seen */
	size_t nc;
	unsigned *done;   /* epoch at which rule i was evaluated */
	unsigned epoch;
	signed char *memo;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *jit;
	struct route *routes;
	struct route_hit *route_mem;
	uint64_t *scan_mem;
	uint32_t fidx[CG_EVENT_MAX_FIELDS];
	/* The event's fields by name hash, built once per event: chains of
	 * field indexes in field order, per slot (stale unless its epoch). */
	unsigned ftab_epoch[FTAB_SLOTS];
	uint16_t ftab_head[FTAB_SLOTS];
	uint16_t fnext[CG_EVENT_MAX_FIELDS];
	uint64_t *re_limit;   /* per rule */
	struct sigma_scan_stats st;
};

enum cg_err sigma_scanner_new(const struct sigma_engine *e, struct sigma_scanner **out)
{
	if (!e->compiled)
		return cg_err_set(CG_EINVAL, "sigma: engine not compiled");
	struct sigma_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->e = e;
	s->cand = calloc(e->n ? e->n : 1, sizeof *s->cand);
	s->have = calloc(e->n ? e->n : 1, sizeof *s->have);
	s->clist = calloc(e->n ? e->n : 1, sizeof *s->clist);
	s->done = calloc(e->n ? e->n : 1, sizeof *s->done);
	s->re_limit = calloc(e->n ? e->n : 1, sizeof *s->re_limit);
	s->memo = calloc(e->max_searches ? e->max_searches : 1, 1);
	s->routes = calloc(ROUTE_SLOTS, sizeof *s->routes);
	s->route_mem = calloc(ROUTE_SLOTS * (e->n_ls ? e->n_ls : 1), sizeof *s->route_mem);
	s->scan_mem = calloc(ROUTE_SLOTS * (e->fdb_words ? e->fdb_words : 1), sizeof *s->scan_mem);
	s->md = pcre2_match_data_create(1, NULL);
	s->mc = pcre2_match_context_create(NULL);
	s->jit = pcre2_jit_stack_create(32 * 1024, RE_JIT_STACK_MAX, NULL);
	if (!s->cand || !s->have || !s->clist || !s->done || !s->re_limit || !s->memo || !s->routes ||
	    !s->route_mem || !s->scan_mem || !s->md || !s->mc) {
		sigma_scanner_free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; i < ROUTE_SLOTS; i++) {
		s->routes[i].hit = s->route_mem + i * (e->n_ls ? e->n_ls : 1);
		s->routes[i].scan = s->scan_mem + i * (e->fdb_words ? e->fdb_words : 1);
	}
	pcre2_set_match_limit(s->mc, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, RE_DEPTH_LIMIT);
	/* Without a JIT stack of its own PCRE2 has 32 KB: too little for a
	 * pattern like (.){200,} on a long command line. */
	if (s->jit)
		pcre2_jit_stack_assign(s->mc, NULL, s->jit);
	/* One scratch big enough for every database. */
	for (size_t i = 0; i <= e->n_fdb; i++) {
		const struct fdb *d = i < e->n_fdb ? &e->fdb[i] : &e->any;
		if (d->db && hs_alloc_scratch(d->db, &s->scratch) != HS_SUCCESS) {
			sigma_scanner_free(s);
			return cg_err_set(CG_ENOMEM, _("sigma: cannot allocate Vectorscan scratch"));
		}
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
	free(s->have);
	free(s->clist);
	free(s->done);
	free(s->re_limit);
	free(s->memo);
	free(s->routes);
	free(s->route_mem);
	free(s->scan_mem);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->jit);
	free(s);
}

void sigma_scanner_stats(const struct sigma_scanner *s, struct sigma_scan_stats *out)
{
	*out = s->st;
}

uint64_t sigma_scanner_regex_limits(const struct sigma_scanner *s, size_t rule)
{
	return rule < s->e->n ? s->re_limit[rule] : 0;
}

static uint32_t route_hash(const struct cg_event *ev)
{
	uint32_t h = 2166136261u ^ (uint32_t)ev->product ^ ((uint32_t)ev->event_id * 2654435761u);
	for (const char *const *f = (const char *const[]){ev->channel, ev->provider, ev->program, NULL}; *f; f++)
		for (const unsigned char *p = (const unsigned char *)*f; *p; p++)
			h = (h ^ *p) * 16777619u;
	return h;
}

static const struct route *route_of(struct sigma_scanner *s, const struct cg_event *ev)
{
	const struct sigma_engine *e = s->e;
	uint32_t h = route_hash(ev);
	struct route *r = &s->routes[h % ROUTE_SLOTS];
	if (r->used && r->hash == h && r->product == ev->product && r->event_id == ev->event_id &&
	    !strcmp(r->channel, ev->channel) && !strcmp(r->provider, ev->provider) && !strcmp(r->program, ev->program))
		return r;
	r->used = 1;
	r->hash = h;
	r->product = ev->product;
	r->event_id = ev->event_id;
	memcpy(r->channel, ev->channel, sizeof r->channel);
	memcpy(r->provider, ev->provider, sizeof r->provider);
	memcpy(r->program, ev->program, sizeof r->program);
	r->n_hit = 0;
	r->any = 0;
	memset(r->scan, 0, e->fdb_words * sizeof *r->scan);
	for (size_t k = 0; k < e->n_ls; k++) {
		const struct sigma_logsource *ls = e->ls[k].ls;
		for (size_t a = 0; a < ls->n_src; a++)
			if (sigma_source_match(&ls->src[a], ev)) {
				r->hit[r->n_hit++] = (struct route_hit){(uint32_t)k, &ls->src[a]};
				r->any |= e->ls[k].any;
				for (size_t w = 0; w < e->fdb_words; w++)
					r->scan[w] |= e->ls[k].reads[a * e->fdb_words + w];
				break;
			}
	}
	return r;
}

struct scan_ctx {
	struct sigma_scanner *s;
	const struct fent *ent;
	size_t n_ent;
};

/* Literal `id` of the database scanned occurs in the field (or, for the
 * keyword database, in the event): its rules become candidates. */
static int on_literal(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	(void)from;
	(void)to;
	(void)flags;
	struct scan_ctx *c = ud;
	struct sigma_scanner *s = c->s;
	if (id >= c->n_ent)
		return 0; /* SENTINEL_LITERAL */
	const struct fent *f = &c->ent[id];
	for (uint32_t i = 0; i < f->n_rules; i++) {
		uint32_t r = f->rules[i] / MAX_CLAUSES;
		unsigned bit = 1u << (f->rules[i] % MAX_CLAUSES);
		if (s->cand[r] != s->epoch) {
			s->cand[r] = s->epoch;
			s->have[r] = 0;
		}
		if (s->have[r] & bit)
			continue;
		s->have[r] = (unsigned char)(s->have[r] | bit);
		if (s->have[r] == s->e->rules[r].full)
			s->clist[s->nc++] = r;
	}
	return 0;
}

/* Scan folded text with database d (literals are folded too, so the
 * caseless Vectorscan match and memmem agree). */
static enum cg_err scan_db(struct sigma_scanner *s, const struct fdb *d, const char *text, size_t n)
{
	struct scan_ctx sc = {s, d->ent, d->n_ent};
	if (n < d->min_len)
		return CG_OK;
	if (!d->db) {
		for (size_t k = 0; k < d->n_ent; k++) {
			const struct lit *l = &s->e->lits[d->ent[k].lit];
			if (memmem(text, n, l->s, l->n))
				on_literal((unsigned)k, 0, 0, 0, &sc);
		}
		return CG_OK;
	}
	hs_error_t hrc = hs_scan(d->db, text, (unsigned)n, 0, s->scratch, on_literal, &sc);
	if (hrc != HS_SUCCESS && hrc != HS_SCAN_TERMINATED)
		return cg_err_set(CG_EINTERNAL, _("sigma: Vectorscan scan failed (%d)"), hrc);
	return CG_OK;
}

struct eval_ctx {
	struct sigma_scanner *sc;
	const struct cg_event *ev;
	const struct sigma_source *src;
	const struct sigma_rule *r;
	int limit;  /* a regular expression hit a PCRE2 limit */
};

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

/* Does value pattern v hold for one of the fields fidx[0..n)? */
static int value_holds(struct eval_ctx *c, const struct sigma_value *v, const uint32_t *fidx, size_t n)
{
	const struct cg_event *ev = c->ev;
	size_t nonempty = 0;
	switch (v->kind) {
	case SV_NULL:
		for (size_t i = 0; i < n; i++)
			if (ev->f[fidx[i]].val_len)
				nonempty++;
		return nonempty == 0;
	case SV_EXISTS:
		return v->b ? n > 0 : n == 0;
	case SV_FIELDREF:
		for (size_t i = 0; i < n; i++)
			if (ref_match(c, v, &ev->f[fidx[i]]))
				return 1;
		return 0;
	default:
		for (size_t i = 0; i < n; i++) {
			const struct cg_event_field_rec *f = &ev->f[fidx[i]];
			int m = sigma_value_match(v, ev->arena + f->val_off, f->val_len, ev->low + f->low_off, c->sc->md,
			                          c->sc->mc);
			if (m > 0)
				return 1;
			if (m < 0)
				c->limit = 1;
		}
		return 0;
	}
}

static int fieldmatch_holds(struct eval_ctx *c, const struct sigma_fieldmatch *fm)
{
	const struct cg_event *ev = c->ev;
	uint32_t *fidx = c->sc->fidx;
	size_t n = 0;
	/* The fields the match reads, found once for all its values. */
	if (fm->field) {
		const char *name;
		uint32_t h;
		resolve_field(c->src, fm->field, fm->hash, &name, &h);
		size_t nl = strlen(name), slot = h & (FTAB_SLOTS - 1);
		struct sigma_scanner *sc = c->sc;
		if (sc->ftab_epoch[slot] == sc->epoch)
			for (unsigned i = sc->ftab_head[slot]; i != FTAB_END; i = sc->fnext[i])
				if (ev->f[i].hash == h && cg_event_name_eq(ev->arena + ev->f[i].name_off, ev->f[i].name_len, name, nl))
					fidx[n++] = (uint32_t)i;
	} else {
		for (size_t i = 0; i < ev->n; i++)
			fidx[n++] = (uint32_t)i;
	}
	if (!fm->all) {
		for (size_t i = 0; i < fm->n; i++)
			if (value_holds(c, &fm->v[i], fidx, n))
				return 1;
		return 0;
	}
	/* Values are stored in group order; every group needs one match. */
	size_t i = 0;
	while (i < fm->n) {
		unsigned g = fm->v[i].group;
		int ok = 0;
		for (; i < fm->n && fm->v[i].group == g; i++)
			if (!ok && value_holds(c, &fm->v[i], fidx, n))
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

/* Recursion bounded by the depth of the tree (SIGMA_COND_MAX_DEPTH). */
static int cond_holds(struct eval_ctx *c, const struct sigma_cnode *n)
{
	switch (n->type) {
	case CN_REF:
		return search_holds(c, n->ref);
	case CN_NOT:
		return !cond_holds(c, n->kid[0]);
	case CN_AND:
		for (size_t i = 0; i < n->n_kid; i++)
			if (!cond_holds(c, n->kid[i]))
				return 0;
		return 1;
	case CN_OR:
		for (size_t i = 0; i < n->n_kid; i++)
			if (cond_holds(c, n->kid[i]))
				return 1;
		return 0;
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
	s->st.events++;
	if (ev->truncated)
		s->st.truncated++;
	const struct route *rt = route_of(s, ev);
	if (rt->n_hit == 0)
		return CG_OK;
	s->st.routed++;
	enum cg_err rc = cg_event_fold_values(ev);
	if (rc)
		return rc;
	if (++s->epoch == 0) {
		memset(s->cand, 0, e->n * sizeof *s->cand);
		memset(s->done, 0, e->n * sizeof *s->done);
		memset(s->ftab_epoch, 0, sizeof s->ftab_epoch);
		s->epoch = 1;
	}
	for (size_t i = ev->n; i-- > 0;) {
		size_t slot = ev->f[i].hash & (FTAB_SLOTS - 1);
		s->fnext[i] = s->ftab_epoch[slot] == s->epoch ? s->ftab_head[slot] : FTAB_END;
		s->ftab_head[slot] = (uint16_t)i;
		s->ftab_epoch[slot] = s->epoch;
	}
	s->nc = 0;
	/* Each field the routed rules read is scanned on its own with the
	 * literals they need or gate on in that field; keywords over all. */
	if (rt->any && e->any.n_ent && ev->low_len && (rc = scan_db(s, &e->any, ev->low, ev->low_len)))
		return rc;
	for (size_t i = 0; i < ev->n; i++) {
		const struct cg_event_field_rec *f = &ev->f[i];
		if (!f->val_len)
			continue;
		for (size_t j = fdb_find(e, f->hash); j < e->n_fdb && e->fdb[j].hash == f->hash; j++)
			if ((rt->scan[j / 64] >> (j % 64) & 1) && (rc = scan_db(s, &e->fdb[j], ev->low + f->low_off, f->val_len + 1)))
				return rc;
	}
	/* The candidates in rule order (a handful: insertion sort), so rules
	 * are evaluated, and hits reported, in the same order as a walk over
	 * every rule of the source would. */
	for (size_t i = 1; i < s->nc; i++) {
		uint32_t x = s->clist[i];
		size_t j = i;
		for (; j > 0 && s->clist[j - 1] > x; j--)
			s->clist[j] = s->clist[j - 1];
		s->clist[j] = x;
	}
	for (size_t m = 0; m < rt->n_hit; m++) {
		size_t lsi = rt->hit[m].ls;
		const struct ls_ent *le = &e->ls[lsi];
		const struct sigma_source *src = rt->hit[m].src;
		size_t ai = 0, ci = 0;
		for (;;) {
			while (ci < s->nc && e->rules[s->clist[ci]].lsi != lsi)
				ci++;
			size_t ri;
			if (ai < le->n_always && (ci == s->nc || le->always[ai] < s->clist[ci]))
				ri = le->always[ai++];
			else if (ci < s->nc)
				ri = s->clist[ci++];
			else
				break;
			const struct rule_ent *re = &e->rules[ri];
			if (s->done[ri] == s->epoch)
				continue;
			s->done[ri] = s->epoch;
			s->st.evaluated++;
			memset(s->memo, 0, re->r->n_s);
			struct eval_ctx c = {.sc = s, .ev = ev, .src = src, .r = re->r};
			int hit = cond_holds(&c, re->r->cond);
			if (c.limit) {
				s->re_limit[ri]++;
				s->st.regex_limits++;
			}
			if (hit && cb && cb(ud, ri, re->r, ev))
				return CG_OK;
		}
	}
	return CG_OK;
}
