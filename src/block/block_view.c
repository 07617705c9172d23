#include "block_view.h"

#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "decision.h"
#include "store_block.h"

struct strvec {
	char **v;
	size_t n, alloc;
};

struct block_view {
	int64_t at, serial, last_change, next_expiry;
	size_t n_decisions;
	struct range_set *blocked[2];
	struct block_items items;
};

static enum cg_err strvec_push(struct strvec *s, const char *str)
{
	char *d;
	if (s->n == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 256;
		char **p = realloc(s->v, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		s->v = p;
		s->alloc = na;
	}
	if (!(d = strdup(str)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->v[s->n++] = d;
	return CG_OK;
}

static void strvec_free(struct strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strvec_sort_unique(struct strvec *s)
{
	size_t o = 0;
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (o && strcmp(s->v[o - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
}

static int strvec_has(char *const *v, size_t n, const char *key)
{
	return n && bsearch(&key, v, n, sizeof *v, cmp_str) != NULL;
}

/* Does `name` or one of its parent domains occur in v (strict: skip itself)? */
static int suffix_in(char *const *v, size_t n, const char *name, int strict)
{
	const char *p = name;
	if (strict) {
		p = strchr(p, '.');
		if (!p)
			return 0;
		p++;
	}
	for (;;) {
		if (strvec_has(v, n, p))
			return 1;
		p = strchr(p, '.');
		if (!p)
			return 0;
		p++;
	}
}

struct collect {
	struct range_set *nets[2][2]; /* [action][v6] */
	struct strvec domains[2], urls[2];
	size_t n;
};

static enum cg_err collect_row(void *ctx, const struct block_row *r)
{
	struct collect *c = ctx;
	int a = r->action == BLOCK_ALLOW;

	c->n++;
	switch (r->type) {
	case IOC_IPV4: case IOC_CIDR4: return range_set_add_cidr(c->nets[a][0], r->addr, r->prefix);
	case IOC_IPV6: case IOC_CIDR6: return range_set_add_cidr(c->nets[a][1], r->addr, r->prefix);
	case IOC_DOMAIN: return strvec_push(&c->domains[a], r->value);
	case IOC_URL: return strvec_push(&c->urls[a], r->value);
	default: return CG_OK;
	}
}

/* The host of a canonical URL, copied into buf ("" when absent). */
static void url_host(const char *url, char *buf, size_t n)
{
	const char *p = strstr(url, "://"), *e;
	size_t l;
	p = p ? p + 3 : url;
	e = p + strcspn(p, "/?#");
	{
		const char *at = memchr(p, '@', (size_t)(e - p));
		if (at)
			p = at + 1;
	}
	l = strcspn(p, ":/?#");
	if (p + l > e)
		l = (size_t)(e - p);
	if (l >= n)
		l = 0;
	memcpy(buf, p, l);
	buf[l] = '\0';
}

static enum cg_err compute_names(struct block_view *v, struct collect *c)
{
	struct strvec eff = {0}, pass = {0}, urls = {0};
	struct strvec *B = &c->domains[0], *A = &c->domains[1];
	char host[IOC_DOMAIN_MAX + 2];
	enum cg_err rc = CG_OK;

	strvec_sort_unique(B);
	strvec_sort_unique(A);
	strvec_sort_unique(&c->urls[0]);
	strvec_sort_unique(&c->urls[1]);
	for (size_t i = 0; i < B->n; i++) {
		if (!suffix_in(A->v, A->n, B->v[i], 0)) {
			if ((rc = strvec_push(&eff, B->v[i])))
				goto fail;
		}
	}
	for (size_t i = 0; i < A->n; i++) {
		if (suffix_in(eff.v, eff.n, A->v[i], 1) && (rc = strvec_push(&pass, A->v[i])))
			goto fail;
	}
	for (size_t i = 0; i < c->urls[0].n; i++) {
		const char *u = c->urls[0].v[i];
		if (strvec_has(c->urls[1].v, c->urls[1].n, u))
			continue;
		url_host(u, host, sizeof host);
		if (*host && suffix_in(A->v, A->n, host, 0))
			continue;
		if ((rc = strvec_push(&urls, u)))
			goto fail;
	}
	v->items.domains = eff.v;
	v->items.n_domains = eff.n;
	v->items.passthru = pass.v;
	v->items.n_passthru = pass.n;
	v->items.urls = urls.v;
	v->items.n_urls = urls.n;
	return CG_OK;
fail:
	strvec_free(&eff);
	strvec_free(&pass);
	strvec_free(&urls);
	return rc;
}

enum cg_err block_view_build(struct cg_db *db, int64_t at, struct block_view **out)
{
	struct block_view *v = calloc(1, sizeof *v);
	struct collect c = {0};
	struct block_filter f = {.live_at = at, .action = -1};
	enum cg_err rc = CG_ENOMEM;

	*out = NULL;
	if (!v)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	v->at = at;
	for (int a = 0; a < 2; a++)
		for (int f6 = 0; f6 < 2; f6++)
			if (!(c.nets[a][f6] = range_set_new(f6)))
				goto oom;
	if ((rc = store_block_foreach(db, &f, collect_row, &c)))
		goto fail;
	v->n_decisions = c.n;
	for (int f6 = 0; f6 < 2; f6++) {
		if ((rc = range_set_subtract(c.nets[0][f6], c.nets[1][f6])))
			goto fail;
		v->blocked[f6] = c.nets[0][f6];
		c.nets[0][f6] = NULL;
	}
	if ((rc = range_set_cidrs(v->blocked[0], 1, &v->items.v4, &v->items.n_v4)) ||
	    (rc = range_set_cidrs(v->blocked[1], 1, &v->items.v6, &v->items.n_v6)))
		goto fail;
	if ((rc = compute_names(v, &c)))
		goto fail;
	if ((rc = store_block_changes(db, at, &v->last_change, &v->serial)) ||
	    (rc = store_block_next_expiry(db, at, &v->next_expiry)))
		goto fail;
	/* The serial is the time of the last change plus the number of changes:
	 * it grows with every change, even several within one second (time
	 * alone repeated, and a DNS secondary kept the older zone), and stays
	 * above the plain time a serial used to be. */
	v->serial += v->last_change;
	rc = CG_OK;
	goto done;
oom:
	rc = cg_err_set(CG_ENOMEM, _("out of memory"));
fail:
	block_view_free(v);
	v = NULL;
done:
	for (int a = 0; a < 2; a++) {
		range_set_free(c.nets[a][0]);
		range_set_free(c.nets[a][1]);
		strvec_free(&c.domains[a]);
		strvec_free(&c.urls[a]);
	}
	*out = v;
	return rc;
}

void block_view_free(struct block_view *v)
{
	if (!v)
		return;
	range_set_free(v->blocked[0]);
	range_set_free(v->blocked[1]);
	free(v->items.v4);
	free(v->items.v6);
	for (size_t i = 0; i < v->items.n_domains; i++)
		free(v->items.domains[i]);
	for (size_t i = 0; i < v->items.n_passthru; i++)
		free(v->items.passthru[i]);
	for (size_t i = 0; i < v->items.n_urls; i++)
		free(v->items.urls[i]);
	free(v->items.domains);
	free(v->items.passthru);
	free(v->items.urls);
	free(v);
}

const struct block_items *block_view_items(const struct block_view *v)
{
	return &v->items;
}

int64_t block_view_serial(const struct block_view *v)
{
	return v->serial;
}

int64_t block_view_last_change(const struct block_view *v)
{
	return v->last_change;
}

int64_t block_view_at(const struct block_view *v)
{
	return v->at;
}

size_t block_view_n_decisions(const struct block_view *v)
{
	return v->n_decisions;
}

int64_t block_view_next_expiry(const struct block_view *v)
{
	return v->next_expiry;
}

struct range_set *block_view_ranges(const struct block_view *v, int v6)
{
	return v->blocked[v6 ? 1 : 0];
}

int block_view_domain_blocked(const struct block_view *v, const char *domain)
{
	return suffix_in(v->items.domains, v->items.n_domains, domain, 0) &&
	       !suffix_in(v->items.passthru, v->items.n_passthru, domain, 0);
}

size_t block_items_count(const struct block_items *it)
{
	return it->n_v4 + it->n_v6 + it->n_domains + it->n_passthru + it->n_urls;
}

static int cmp_cidr(const struct range_cidr *a, const struct range_cidr *b)
{
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->prefix < b->prefix ? -1 : a->prefix > b->prefix;
}

static enum cg_err diff_cidrs(const struct range_cidr *x, size_t nx, const struct range_cidr *y, size_t ny,
			      struct range_cidr **add, size_t *n_add, struct range_cidr **del, size_t *n_del)
{
	size_t i = 0, j = 0;
	*add = malloc((ny + 1) * sizeof **add);
	*del = malloc((nx + 1) * sizeof **del);
	*n_add = *n_del = 0;
	if (!*add || !*del)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while (i < nx || j < ny) {
		int c = i == nx ? 1 : j == ny ? -1 : cmp_cidr(&x[i], &y[j]);
		if (c < 0)
			(*del)[(*n_del)++] = x[i++];
		else if (c > 0)
			(*add)[(*n_add)++] = y[j++];
		else
			i++, j++;
	}
	return CG_OK;
}

static enum cg_err diff_strs(char *const *x, size_t nx, char *const *y, size_t ny, char ***add, size_t *n_add,
			     char ***del, size_t *n_del)
{
	size_t i = 0, j = 0;
	*add = malloc((ny + 1) * sizeof **add);
	*del = malloc((nx + 1) * sizeof **del);
	*n_add = *n_del = 0;
	if (!*add || !*del)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	while (i < nx || j < ny) {
		int c = i == nx ? 1 : j == ny ? -1 : strcmp(x[i], y[j]);
		if (c < 0)
			(*del)[(*n_del)++] = x[i++];
		else if (c > 0)
			(*add)[(*n_add)++] = y[j++];
		else
			i++, j++;
	}
	return CG_OK;
}

enum cg_err block_items_diff(const struct block_items *then, const struct block_items *now, struct block_items *add,
			     struct block_items *del)
{
	enum cg_err rc;

	memset(add, 0, sizeof *add);
	memset(del, 0, sizeof *del);
	if ((rc = diff_cidrs(then->v4, then->n_v4, now->v4, now->n_v4, &add->v4, &add->n_v4, &del->v4, &del->n_v4)) ||
	    (rc = diff_cidrs(then->v6, then->n_v6, now->v6, now->n_v6, &add->v6, &add->n_v6, &del->v6, &del->n_v6)) ||
	    (rc = diff_strs(then->domains, then->n_domains, now->domains, now->n_domains, &add->domains,
			    &add->n_domains, &del->domains, &del->n_domains)) ||
	    (rc = diff_strs(then->passthru, then->n_passthru, now->passthru, now->n_passthru, &add->passthru,
			    &add->n_passthru, &del->passthru, &del->n_passthru)) ||
	    (rc = diff_strs(then->urls, then->n_urls, now->urls, now->n_urls, &add->urls, &add->n_urls, &del->urls,
			    &del->n_urls))) {
		block_items_free_diff(add);
		block_items_free_diff(del);
		return rc;
	}
	return CG_OK;
}

void block_items_free_diff(struct block_items *it)
{
	if (!it)
		return;
	free(it->v4);
	free(it->v6);
	free(it->domains);
	free(it->passthru);
	free(it->urls);
	memset(it, 0, sizeof *it);
}
