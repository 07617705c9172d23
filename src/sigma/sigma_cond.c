/* Sigma condition expressions: and, or, not, parentheses, "N of pattern",
 * "all of them". Precedence not > and > or. A chain of one operator becomes
 * one node with many operands (never a chain as long as the input), nesting
 * of parentheses and `not` is bounded by SIGMA_COND_MAX_DEPTH, the text by
 * SIGMA_COND_MAX_LEN and the nodes of a rule's whole condition list by
 * SIGMA_COND_MAX_NODES: hostile conditions fail cleanly and every walk over
 * the tree has a bounded depth. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "sigma_int.h"

#define SIGMA_COND_MAX_LEN 8192

struct lexer {
	const char *p;
	const struct sigma_search *s;
	size_t n_s;
	char tok[256];
	int tok_kind; /* 0 end, '(' ')' or 'w' word */
	size_t *nodes;
};

static enum cg_err next(struct lexer *lx)
{
	while (*lx->p && isspace((unsigned char)*lx->p))
		lx->p++;
	if (!*lx->p) {
		lx->tok_kind = 0;
		lx->tok[0] = '\0';
		return CG_OK;
	}
	if (*lx->p == '(' || *lx->p == ')') {
		lx->tok_kind = *lx->p;
		lx->tok[0] = *lx->p++;
		lx->tok[1] = '\0';
		return CG_OK;
	}
	size_t n = 0;
	while (*lx->p && !isspace((unsigned char)*lx->p) && *lx->p != '(' && *lx->p != ')') {
		if (n + 1 >= sizeof lx->tok)
			return cg_err_set(CG_ELIMIT, _("identifier longer than %zu bytes"), sizeof lx->tok - 1);
		lx->tok[n++] = *lx->p++;
	}
	lx->tok[n] = '\0';
	lx->tok_kind = 'w';
	return CG_OK;
}

static int is_kw(const struct lexer *lx, const char *kw)
{
	return lx->tok_kind == 'w' && strcasecmp(lx->tok, kw) == 0;
}

static enum cg_err node(size_t *nodes, enum sigma_cnode_type t, struct sigma_cnode **out)
{
	*out = NULL;
	if (++*nodes > SIGMA_COND_MAX_NODES)
		return cg_err_set(CG_ELIMIT, _("condition has more than %d terms"), SIGMA_COND_MAX_NODES);
	*out = calloc(1, sizeof **out);
	if (!*out)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	(*out)->type = t;
	return CG_OK;
}

/* Depth is bounded (see the top of the file), so recursion is fine here. */
void sigma_cond_free(struct sigma_cnode *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_kid; i++)
		sigma_cond_free(c->kid[i]);
	free(c->kid);
	free(c->refs);
	free(c);
}

/* Append operand k to n (which takes it, also on failure). */
static enum cg_err add_kid(struct sigma_cnode *n, struct sigma_cnode *k)
{
	if (!n) { /* node() failed; its error is already set */
		sigma_cond_free(k);
		return CG_ENOMEM;
	}
	if (n->n_kid == n->alloc_kid) {
		size_t na = n->alloc_kid ? n->alloc_kid * 2 : 2;
		struct sigma_cnode **p = realloc(n->kid, na * sizeof *p);
		if (!p) {
			sigma_cond_free(k);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		n->kid = p;
		n->alloc_kid = na;
	}
	n->kid[n->n_kid++] = k;
	return CG_OK;
}

/* Identifier pattern with '*' wildcards (the only ones Sigma allows here). */
static int name_match(const char *pat, const char *s)
{
	const char *star = NULL, *back = NULL;
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			back = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++back;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static enum cg_err parse_or(struct lexer *lx, int depth, struct sigma_cnode **out);

static enum cg_err parse_of(struct lexer *lx, size_t need, struct sigma_cnode **out)
{
	enum cg_err rc = next(lx); /* past "of" */
	if (rc)
		return rc;
	if (lx->tok_kind != 'w')
		return cg_err_set(CG_EPARSE, _("'of' must be followed by 'them' or an identifier pattern"));
	if ((rc = node(lx->nodes, CN_OF, out)))
		return rc;
	struct sigma_cnode *c = *out;
	c->need = need;
	c->refs = calloc(lx->n_s ? lx->n_s : 1, sizeof *c->refs);
	if (!c->refs)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	int them = strcasecmp(lx->tok, "them") == 0;
	for (size_t i = 0; i < lx->n_s; i++) {
		const char *nm = lx->s[i].name;
		if (them ? nm[0] != '_' : name_match(lx->tok, nm))
			c->refs[c->n_refs++] = i;
	}
	if (c->n_refs == 0)
		return cg_err_set(CG_EPARSE, _("'of %s' matches no search identifier"), lx->tok);
	return next(lx);
}

static enum cg_err parse_primary(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	enum cg_err rc;
	if (depth > SIGMA_COND_MAX_DEPTH)
		return cg_err_set(CG_ELIMIT, _("condition nested deeper than %d"), SIGMA_COND_MAX_DEPTH);
	if (lx->tok_kind == '(') {
		if ((rc = next(lx)) || (rc = parse_or(lx, depth + 1, out)))
			return rc;
		if (lx->tok_kind != ')')
			return cg_err_set(CG_EPARSE, _("missing ')'"));
		return next(lx);
	}
	if (lx->tok_kind != 'w')
		return cg_err_set(CG_EPARSE, lx->tok_kind ? _("unexpected ')'") : _("condition ends too early"));
	if (is_kw(lx, "and") || is_kw(lx, "or") || is_kw(lx, "of") || is_kw(lx, "them"))
		return cg_err_set(CG_EPARSE, _("unexpected '%s'"), lx->tok);
	/* Quantifier: "1 of x*", "all of them", "any of x". */
	char word[256];
	memcpy(word, lx->tok, sizeof word);
	if ((rc = next(lx)))
		return rc;
	if (is_kw(lx, "of")) {
		size_t need;
		if (strcasecmp(word, "all") == 0) {
			need = 0;
		} else if (strcasecmp(word, "any") == 0) {
			need = 1;
		} else {
			char *end;
			long v = strtol(word, &end, 10);
			if (*end || v < 1 || v > 100000)
				return cg_err_set(CG_EPARSE, _("'%s of' needs a count of at least 1, 'all' or 'any'"), word);
			need = (size_t)v;
		}
		return parse_of(lx, need, out);
	}
	for (size_t i = 0; i < lx->n_s; i++) {
		if (strcmp(lx->s[i].name, word) == 0) {
			if ((rc = node(lx->nodes, CN_REF, out)))
				return rc;
			(*out)->ref = i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EPARSE, _("unknown search identifier '%s'"), word);
}

/* `not not x`: the nots are counted, not recursed over. */
static enum cg_err parse_not(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	enum cg_err rc;
	int nots = 0;
	*out = NULL;
	while (is_kw(lx, "not")) {
		if (depth + ++nots > SIGMA_COND_MAX_DEPTH)
			return cg_err_set(CG_ELIMIT, _("condition nested deeper than %d"), SIGMA_COND_MAX_DEPTH);
		if ((rc = next(lx)))
			return rc;
	}
	struct sigma_cnode *c = NULL;
	if ((rc = parse_primary(lx, depth + nots, &c)))
		goto fail;
	while (nots--) {
		struct sigma_cnode *n;
		if ((rc = node(lx->nodes, CN_NOT, &n)))
			goto fail;
		if ((rc = add_kid(n, c))) {
			c = n;
			goto fail;
		}
		c = n;
	}
	*out = c;
	return CG_OK;
fail:
	sigma_cond_free(c);
	return rc;
}

/* operand (op operand)*: one n-ary node, or the operand alone. */
static enum cg_err parse_chain(struct lexer *lx, int depth, enum sigma_cnode_type t, struct sigma_cnode **out)
{
	const char *kw = t == CN_AND ? "and" : "or";
	struct sigma_cnode *first = NULL, *n = NULL, *k = NULL;
	enum cg_err rc = t == CN_AND ? parse_not(lx, depth, &first) : parse_chain(lx, depth, CN_AND, &first);
	*out = NULL;
	if (rc)
		return rc;
	while (is_kw(lx, kw)) {
		if (!n) {
			if ((rc = node(lx->nodes, t, &n)))
				goto fail;
			rc = add_kid(n, first);
			first = NULL;
			if (rc)
				goto fail;
		}
		if ((rc = next(lx)))
			goto fail;
		if ((rc = t == CN_AND ? parse_not(lx, depth, &k) : parse_chain(lx, depth, CN_AND, &k)))
			goto fail;
		if ((rc = add_kid(n, k)))
			goto fail;
	}
	*out = n ? n : first;
	return CG_OK;
fail:
	sigma_cond_free(first);
	sigma_cond_free(n);
	return rc;
}

static enum cg_err parse_or(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	return parse_chain(lx, depth, CN_OR, out);
}

enum cg_err sigma_cond_parse(const char *text, const struct sigma_search *s, size_t n_s, size_t *nodes,
                             struct sigma_cnode **out)
{
	*out = NULL;
	if (strlen(text) > SIGMA_COND_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("condition longer than %d bytes"), SIGMA_COND_MAX_LEN);
	struct lexer lx = {.p = text, .s = s, .n_s = n_s, .nodes = nodes};
	struct sigma_cnode *c = NULL;
	enum cg_err rc = next(&lx);
	if (!rc)
		rc = parse_or(&lx, 0, &c);
	if (!rc && lx.tok_kind != 0)
		rc = cg_err_set(CG_EPARSE, _("unexpected '%s' after the end of the expression"), lx.tok);
	if (rc) {
		sigma_cond_free(c);
		return rc;
	}
	*out = c;
	return CG_OK;
}

enum cg_err sigma_cond_list_add(struct sigma_cnode **list, size_t *nodes, struct sigma_cnode *c)
{
	enum cg_err rc;
	if (!*list) {
		if ((rc = node(nodes, CN_OR, list))) {
			sigma_cond_free(c);
			return rc;
		}
	}
	return add_kid(*list, c);
}
