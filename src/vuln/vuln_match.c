/* The range index: one sorted array keyed by "family|product", strings in an
 * arena, binary search per item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vercmp.h"
#include "vuln_match.h"

#define ARENA_CHUNK (1u << 20)

struct chunk {
	struct chunk *next;
	size_t used;
	char data[];
};

struct mrange {
	const char *key; /* "family|product" */
	const char *vuln_id, *source, *ref, *release, *cpe_update, *exact, *start, *end, *fixed;
	unsigned char scheme, start_incl, end_incl, is_cpe;
};

struct vuln_matcher {
	struct mrange *v;
	size_t n, alloc;
	struct chunk *arena;
	int sealed;
};

static const char *arena_dup(struct vuln_matcher *m, const char *s)
{
	size_t n;
	struct chunk *c = m->arena;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if (!c || c->used + n > ARENA_CHUNK) {
		size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + sz);
		if (!c)
			return NULL;
		c->next = m->arena;
		c->used = 0;
		m->arena = c;
	}
	memcpy(c->data + c->used, s, n);
	c->used += n;
	return c->data + c->used - n;
}

enum cg_err vuln_matcher_new(struct vuln_matcher **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? CG_OK : cg_err_set(CG_ENOMEM, "out of memory");
}

void vuln_matcher_free(struct vuln_matcher *m)
{
	if (!m)
		return;
	while (m->arena) {
		struct chunk *n = m->arena->next;
		free(m->arena);
		m->arena = n;
	}
	free(m->v);
	free(m);
}

size_t vuln_matcher_size(const struct vuln_matcher *m)
{
	return m->n;
}

enum cg_err vuln_matcher_add(struct vuln_matcher *m, const char *vuln_id, const char *source, const char *ref,
			     const struct adv_range *r)
{
	struct mrange *x;
	enum vercmp_scheme s;
	char key[1100];

	if (m->sealed)
		return cg_err_set(CG_EINVAL, "matcher is sealed");
	if (vercmp_scheme_parse(r->scheme, &s))
		return cg_err_set(CG_EINVAL, "%s: unknown version scheme '%s'", ref, r->scheme);
	if (m->n == m->alloc) {
		size_t na = m->alloc ? m->alloc * 2 : 1024;
		struct mrange *p = realloc(m->v, na * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, "out of memory");
		m->v = p;
		m->alloc = na;
	}
	snprintf(key, sizeof key, "%s|%s", r->family, r->product);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	x = &m->v[m->n];
	memset(x, 0, sizeof *x);
	x->key = arena_dup(m, key);
	x->vuln_id = arena_dup(m, vuln_id);
	x->source = arena_dup(m, source);
	x->ref = arena_dup(m, ref);
	x->release = arena_dup(m, r->release ? r->release : "");
	x->cpe_update = arena_dup(m, r->cpe_update ? r->cpe_update : "");
	x->exact = arena_dup(m, r->exact);
	x->start = arena_dup(m, r->start);
	x->end = arena_dup(m, r->end);
	x->fixed = arena_dup(m, r->fixed ? r->fixed : "");
	if (!x->key || !x->vuln_id || !x->source || !x->ref || !x->release || !x->cpe_update || !x->fixed ||
	    (r->exact && !x->exact) || (r->start && !x->start) || (r->end && !x->end))
		return cg_err_set(CG_ENOMEM, "out of memory");
	x->scheme = (unsigned char)s;
	x->start_incl = (unsigned char)!!r->start_incl;
	x->end_incl = (unsigned char)!!r->end_incl;
	x->is_cpe = strcmp(r->family, "cpe") == 0;
	m->n++;
	return CG_OK;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct mrange *)a)->key, ((const struct mrange *)b)->key);
}

void vuln_matcher_seal(struct vuln_matcher *m)
{
	if (m->n)
		qsort(m->v, m->n, sizeof m->v[0], by_key);
	m->sealed = 1;
}

/* First index whose key is >= k. */
static size_t lower_bound(const struct vuln_matcher *m, const char *k)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->v[mid].key, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Order `installed` against a range bound; a BIG-IP bound without a build
 * stands for every build of its version. Returns 0 on success. */
static int cmp_bound(enum vercmp_scheme s, const char *installed, const char *bound, int *out)
{
	if (s == VERCMP_BIGIP) {
		struct bigip_version a, b;
		if (vercmp_bigip_parse(installed, &a) || vercmp_bigip_parse(bound, &b))
			return -1;
		*out = 0;
		for (int i = 0; i < 4 && !*out; i++)
			if (a.v[i] != b.v[i])
				*out = a.v[i] < b.v[i] ? -1 : 1;
		for (int i = 0; i < 3 && !*out && b.has_build; i++)
			if (a.b[i] != b.b[i])
				*out = a.b[i] < b.b[i] ? -1 : 1;
		return 0;
	}
	return vercmp_compare(s, installed, bound, out) ? -1 : 0;
}

static int release_ok(const char *range_rel, const char *distro)
{
	const char *d;
	size_t a, b;

	if (!range_rel[0] || !distro || !(d = strchr(distro, ':')))
		return 1;
	d++;
	a = strcspn(range_rel, ":");
	b = strcspn(d, ":");
	return a == b && strncasecmp(range_rel, d, a) == 0;
}

static int contains(const struct mrange *r, const struct inv_item *it, const char *version)
{
	int c;

	if (r->exact) {
		if (r->cpe_update[0] && strcasecmp(r->cpe_update, it->update) != 0)
			return 0;
		return cmp_bound(r->scheme, version, r->exact, &c) == 0 && c == 0;
	}
	if (r->start && (cmp_bound(r->scheme, version, r->start, &c) || c < (r->start_incl ? 0 : 1)))
		return 0;
	if (r->end && (cmp_bound(r->scheme, version, r->end, &c) || c > (r->end_incl ? 0 : -1)))
		return 0;
	if (!r->start && !r->end && (vercmp_check(r->scheme, version)))
		return 0;
	return 1;
}

struct verdict {
	const char *vuln_id;
	const struct mrange *family_hit, *cpe_hit;
	int has_family;
};

struct verdicts {
	struct verdict *v;
	size_t n, alloc;
};

static struct verdict *verdict_of(struct verdicts *vs, const char *id)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].vuln_id == id || strcmp(vs->v[i].vuln_id, id) == 0)
			return &vs->v[i];
	if (vs->n == vs->alloc) {
		size_t na = vs->alloc ? vs->alloc * 2 : 16;
		struct verdict *p = realloc(vs->v, na * sizeof *p);
		if (!p)
			return NULL;
		vs->v = p;
		vs->alloc = na;
	}
	memset(&vs->v[vs->n], 0, sizeof vs->v[0]);
	vs->v[vs->n].vuln_id = id;
	return &vs->v[vs->n++];
}

/* Visit ranges with key `k` (or key prefix `k` when `prefix`). */
static enum cg_err visit(const struct vuln_matcher *m, const char *k, int prefix, const struct inv_item *it,
			 const char *version, const char *distro, struct verdicts *vs)
{
	size_t kl = strlen(k);
	for (size_t i = lower_bound(m, k); i < m->n; i++) {
		const struct mrange *r = &m->v[i];
		if (prefix ? strncmp(r->key, k, kl) != 0 : strcmp(r->key, k) != 0)
			break;
		if (!release_ok(r->release, distro))
			continue;
		struct verdict *vd = verdict_of(vs, r->vuln_id);
		if (!vd)
			return cg_err_set(CG_ENOMEM, "out of memory");
		if (!r->is_cpe)
			vd->has_family = 1;
		if (!contains(r, it, version))
			continue;
		if (r->is_cpe) {
			if (!vd->cpe_hit)
				vd->cpe_hit = r;
		} else if (!vd->family_hit) {
			vd->family_hit = r;
		}
	}
	return CG_OK;
}

static const char *const zimbra_cpes[] = {"cpe|zimbra:zimbra", "cpe|zimbra:collaboration",
					  "cpe|zimbra:collaboration_suite",
					  "cpe|synacor:zimbra_collaboration_suite"};

enum cg_err vuln_matcher_match(const struct vuln_matcher *m, const struct inv_item *it, const char *distro,
			       vuln_hit_fn fn, void *ctx)
{
	struct verdicts vs = {0};
	char key[1100];
	const char *version = it->version;
	enum cg_err rc = CG_OK;

	if (!m->n || !version || !*version)
		return CG_OK;
	switch (it->kind) {
	case INV_KIND_DEB:
		if (it->source_version && *it->source_version)
			version = it->source_version;
		snprintf(key, sizeof key, "deb|%s", it->source && *it->source ? it->source : it->name);
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	case INV_KIND_RPM:
		snprintf(key, sizeof key, "rpm|%s", it->name);
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	case INV_KIND_BIGIP:
		rc = visit(m, "bigip|big-ip", 0, it, version, distro, &vs);
		if (!rc)
			rc = visit(m, "cpe|f5:big-ip_", 1, it, version, distro, &vs);
		break;
	case INV_KIND_ZIMBRA:
		rc = visit(m, "zimbra|zimbra", 0, it, version, distro, &vs);
		for (size_t i = 0; !rc && i < sizeof zimbra_cpes / sizeof zimbra_cpes[0]; i++)
			rc = visit(m, zimbra_cpes[i], 0, it, version, distro, &vs);
		break;
	case INV_KIND_CPE:
		snprintf(key, sizeof key, "cpe|%s", it->name);
		for (char *p = key; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		rc = visit(m, key, 0, it, version, distro, &vs);
		break;
	default:
		break;
	}
	for (size_t i = 0; !rc && i < vs.n; i++) {
		const struct mrange *r = vs.v[i].has_family ? vs.v[i].family_hit : vs.v[i].cpe_hit;
		if (!r)
			continue;
		struct vuln_hit h = {.vuln_id = r->vuln_id, .fixed = r->fixed, .source = r->source, .ref = r->ref};
		rc = fn(ctx, it, &h);
	}
	free(vs.v);
	return rc;
}
