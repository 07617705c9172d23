/* Sigma condition expressions: and, or, not, parentheses, "N of pattern",
 * "all of them". Precedence not > and > or. Recursion is bounded by
 * SIGMA_COND_MAX_DEPTH and the text by SIGMA_COND_MAX_LEN, so hostile
 * conditions fail instead of exhausting the stack. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "sigma_int.h"

#define SIGMA_COND_MAX_LEN 8192
#define SIGMA_COND_MAX_NODES 4096

struct lexer {
	const char *p;
	const struct sigma_search *s;
	size_t n_s;
	char tok[256];
	int tok_kind; /* 0 end, '(' ')' or 'w' word */
	size_t nodes;
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

static enum cg_err node(struct lexer *lx, enum sigma_cnode_type t, struct sigma_cnode **out)
{
	if (++lx->nodes > SIGMA_COND_MAX_NODES)
		return cg_err_set(CG_ELIMIT, _("condition has more than %d terms"), SIGMA_COND_MAX_NODES);
	*out = calloc(1, sizeof **out);
	if (!*out)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	(*out)->type = t;
	return CG_OK;
}

void sigma_cond_free(struct sigma_cnode *c)
{
	if (!c)
		return;
	sigma_cond_free(c->a);
	sigma_cond_free(c->b);
	free(c->refs);
	free(c);
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
	if ((rc = node(lx, CN_OF, out)))
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
	const char *save = lx->p;
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
	(void)save;
	for (size_t i = 0; i < lx->n_s; i++) {
		if (strcmp(lx->s[i].name, word) == 0) {
			if ((rc = node(lx, CN_REF, out)))
				return rc;
			(*out)->ref = i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EPARSE, _("unknown search identifier '%s'"), word);
}

static enum cg_err parse_not(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	if (!is_kw(lx, "not"))
		return parse_primary(lx, depth, out);
	if (depth > SIGMA_COND_MAX_DEPTH)
		return cg_err_set(CG_ELIMIT, _("condition nested deeper than %d"), SIGMA_COND_MAX_DEPTH);
	enum cg_err rc = next(lx);
	if (rc || (rc = node(lx, CN_NOT, out)))
		return rc;
	return parse_not(lx, depth + 1, &(*out)->a);
}

static enum cg_err parse_and(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	enum cg_err rc = parse_not(lx, depth, out);
	while (!rc && is_kw(lx, "and")) {
		struct sigma_cnode *n;
		if ((rc = next(lx)) || (rc = node(lx, CN_AND, &n)))
			return rc;
		n->a = *out;
		*out = n;
		rc = parse_not(lx, depth, &n->b);
	}
	return rc;
}

static enum cg_err parse_or(struct lexer *lx, int depth, struct sigma_cnode **out)
{
	enum cg_err rc = parse_and(lx, depth, out);
	while (!rc && is_kw(lx, "or")) {
		struct sigma_cnode *n;
		if ((rc = next(lx)) || (rc = node(lx, CN_OR, &n)))
			return rc;
		n->a = *out;
		*out = n;
		rc = parse_and(lx, depth, &n->b);
	}
	return rc;
}

enum cg_err sigma_cond_parse(const char *text, const struct sigma_search *s, size_t n_s,
                             struct sigma_cnode **out)
{
	*out = NULL;
	if (strlen(text) > SIGMA_COND_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("condition longer than %d bytes"), SIGMA_COND_MAX_LEN);
	struct lexer lx = {.p = text, .s = s, .n_s = n_s};
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
