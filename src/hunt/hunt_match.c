/* The hunt's matching of text (see hunt_match.h). */
#include "hunt_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cg_hash.h"
#include "cg_i18n.h"
#include "extract.h"

struct matchvec {
	struct hunt_match *v;
	size_t n, cap;
	int oom;
};

struct hunt_matcher {
	const struct ioc_set *set;
	struct ioc_url_scratch *scratch;
	unsigned kinds;
	int has_urls;
	struct matchvec urls; /* URL matches of the text */
	struct matchvec toks; /* token matches of the text */
	struct matchvec all;  /* both, merged */
};

static int push_match(void *ctx, size_t off, size_t len, const struct ioc_entry *e)
{
	struct matchvec *u = ctx;
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 16;
		void *p = realloc(u->v, nc * sizeof *u->v);
		if (!p) {
			u->oom = 1;
			return 1;
		}
		u->v = p;
		u->cap = nc;
	}
	u->v[u->n++] = (struct hunt_match){off, len, e};
	return 0;
}

static int cmp_match(const void *a, const void *b)
{
	const struct hunt_match *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* IPv4 tokens looked up together (ioc_set_match_v4_many). */
#define V4_BATCH 64

/* A token waiting for the lookups of its batch; `e` is known already for
 * other kinds, whose lookups are not batched. */
struct pending {
	size_t off, len;
	const struct ioc_entry *e;
	int v4; /* keys[] has its address */
};

struct tok_ctx {
	const struct ioc_set *set;
	const char *text;
	struct matchvec *found; /* token hits, by offset */
	struct pending pend[V4_BATCH];
	uint32_t keys[V4_BATCH];
	size_t n_pend, n_keys;
};

static const struct ioc_entry *lookup(const struct ioc_set *set, const char *s, const struct extract_token *t)
{
	char low[IOC_DOMAIN_MAX + 1];

	switch (t->kind) {
	case EXTRACT_IPV4: return ioc_set_match_addr(set, 0, t->addr);
	case EXTRACT_IPV6: return ioc_set_match_addr(set, 1, t->addr);
	case EXTRACT_DOMAIN:
	case EXTRACT_HASH:
		if (t->len > IOC_DOMAIN_MAX)
			return NULL;
		for (size_t i = 0; i < t->len; i++) {
			char c = s[i];
			low[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		return t->kind == EXTRACT_DOMAIN ? ioc_set_match_domain(set, low, t->len)
						 : ioc_set_match_hash(set, low, t->len);
	default: return NULL;
	}
}

/* Resolve the pending tokens, keeping their order. */
static int flush_pending(struct tok_ctx *tc)
{
	const struct ioc_entry *res[V4_BATCH];
	size_t k = 0;

	ioc_set_match_v4_many(tc->set, tc->keys, tc->n_keys, res);
	for (size_t i = 0; i < tc->n_pend; i++) {
		const struct pending *p = &tc->pend[i];
		const struct ioc_entry *e = p->v4 ? res[k++] : p->e;
		if (e && push_match(tc->found, p->off, p->len, e))
			return 1;
	}
	tc->n_pend = tc->n_keys = 0;
	return 0;
}

static int on_token(void *ctx, const struct extract_token *t)
{
	struct tok_ctx *tc = ctx;
	struct pending *p;

	if (t->kind == EXTRACT_IPV4) {
		p = &tc->pend[tc->n_pend++];
		p->v4 = 1;
		p->e = NULL;
		tc->keys[tc->n_keys++] = (uint32_t)t->addr[0] << 24 | (uint32_t)t->addr[1] << 16 |
					 (uint32_t)t->addr[2] << 8 | t->addr[3];
	} else {
		const struct ioc_entry *e = lookup(tc->set, tc->text + t->off, t);
		if (!e)
			return 0;
		p = &tc->pend[tc->n_pend++];
		p->v4 = 0;
		p->e = e;
	}
	p->off = t->off;
	p->len = t->len;
	return tc->n_pend == V4_BATCH ? flush_pending(tc) : 0;
}

static unsigned kinds_of(const struct ioc_set *set)
{
	unsigned k = 0;
	size_t v4 = ioc_set_count_type(set, IOC_IPV4) + ioc_set_count_type(set, IOC_CIDR4);
	size_t v6 = ioc_set_count_type(set, IOC_IPV6) + ioc_set_count_type(set, IOC_CIDR6);

	if (v4)
		k |= EXTRACT_IPV4;
	/* ::ffff:a.b.c.d is looked up as IPv4. */
	if (v4 || v6)
		k |= EXTRACT_IPV6;
	if (ioc_set_count_type(set, IOC_DOMAIN))
		k |= EXTRACT_DOMAIN;
	if (ioc_set_count_type(set, IOC_MD5) + ioc_set_count_type(set, IOC_SHA1) +
	    ioc_set_count_type(set, IOC_SHA256) + ioc_set_count_type(set, IOC_SHA512))
		k |= EXTRACT_HASH;
	return k;
}

enum cg_err hunt_matcher_new(const struct ioc_set *set, struct hunt_matcher **out)
{
	struct hunt_matcher *m;
	enum cg_err rc;

	*out = NULL;
	if (!(m = calloc(1, sizeof *m)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	m->set = set;
	m->kinds = kinds_of(set);
	m->has_urls = ioc_set_count_type(set, IOC_URL) > 0;
	if ((rc = ioc_set_url_scratch_new(set, &m->scratch))) {
		free(m);
		return rc;
	}
	*out = m;
	return CG_OK;
}

void hunt_matcher_free(struct hunt_matcher *m)
{
	if (!m)
		return;
	ioc_set_url_scratch_free(m->scratch);
	free(m->urls.v);
	free(m->toks.v);
	free(m->all.v);
	free(m);
}

enum cg_err hunt_matcher_scan(struct hunt_matcher *m, const char *text, size_t len, const struct hunt_match **v,
			      size_t *n)
{
	struct tok_ctx tc = {.set = m->set, .text = text, .found = &m->toks};
	size_t ti = 0, ui = 0;
	enum cg_err rc;

	m->urls.n = m->toks.n = m->all.n = 0;
	m->urls.oom = m->toks.oom = m->all.oom = 0;
	*v = NULL;
	*n = 0;
	if (m->has_urls) {
		if ((rc = ioc_set_match_urls(m->set, m->scratch, text, len, push_match, &m->urls)))
			return rc;
		if (m->urls.n > 1)
			qsort(m->urls.v, m->urls.n, sizeof *m->urls.v, cmp_match);
	}
	if (m->kinds)
		extract_line(text, len, m->kinds, on_token, &tc);
	/* Stopped early only when out of memory; otherwise the last batch waits. */
	if (!m->toks.oom)
		flush_pending(&tc);
	if (m->urls.oom || m->toks.oom)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (!m->urls.n) {
		*v = m->toks.v;
		*n = m->toks.n;
		return CG_OK;
	}
	if (!m->toks.n) {
		*v = m->urls.v;
		*n = m->urls.n;
		return CG_OK;
	}
	/* Merge the two sorted lists (a token first at the same offset). */
	while (ti < m->toks.n || ui < m->urls.n) {
		const struct hunt_match *h = ui >= m->urls.n || (ti < m->toks.n && m->toks.v[ti].off <= m->urls.v[ui].off)
						     ? &m->toks.v[ti++]
						     : &m->urls.v[ui++];
		if (push_match(&m->all, h->off, h->len, h->e))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	*v = m->all.v;
	*n = m->all.n;
	return CG_OK;
}

/* Lines with more hits than this are de-duplicated through a hash table:
 * the pairwise check is quadratic, and a hostile log line of a few MB of
 * distinct addresses in a listed network took minutes. */
#define TIDY_PAIRWISE_MAX 32

#define AT(v, stride, i) ((struct hunt_match *)(void *)((char *)(v) + (i) * (stride)))

static int same_hit(const char *text, const struct hunt_match *a, const struct hunt_match *b)
{
	return a->e == b->e && a->len == b->len && memcmp(text + a->off, text + b->off, b->len) == 0;
}

/* The text is the log's: a seeded hash, so a line cannot be built to
 * collide. */
static uint64_t hit_hash(const char *text, const struct hunt_match *r)
{
	return cg_hash_seeded((uint64_t)(uintptr_t)r->e, text + r->off, r->len);
}

enum cg_err hunt_match_dedupe(const char *text, void *v, size_t stride, size_t *n)
{
	size_t k = 0, cap = 64, *slot;

	if (*n <= 1)
		return CG_OK;
	if (*n <= TIDY_PAIRWISE_MAX) {
		for (size_t i = 0; i < *n; i++) {
			int dup = 0;
			for (size_t j = 0; j < k && !dup; j++)
				dup = same_hit(text, AT(v, stride, j), AT(v, stride, i));
			if (!dup) {
				if (k != i)
					memcpy(AT(v, stride, k), AT(v, stride, i), stride);
				k++;
			}
		}
		*n = k;
		return CG_OK;
	}
	while (cap < *n * 2)
		cap *= 2;
	/* Open addressing; a slot holds 1 + the index of a kept hit, 0 when free. */
	if (!(slot = calloc(cap, sizeof *slot)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < *n; i++) {
		size_t j = (size_t)hit_hash(text, AT(v, stride, i)) & (cap - 1);
		int dup = 0;
		while (slot[j] && !(dup = same_hit(text, AT(v, stride, slot[j] - 1), AT(v, stride, i))))
			j = (j + 1) & (cap - 1);
		if (!dup) {
			if (k != i)
				memcpy(AT(v, stride, k), AT(v, stride, i), stride);
			slot[j] = ++k;
		}
	}
	free(slot);
	*n = k;
	return CG_OK;
}

enum cg_err hunt_match_line(struct hunt_matcher *m, const char *line, size_t len, const struct hunt_match **v,
			    size_t *n)
{
	enum cg_err rc = hunt_matcher_scan(m, line, len, v, n);

	if (rc || *n <= 1)
		return rc;
	return hunt_match_dedupe(line, (void *)(uintptr_t)*v, sizeof **v, n);
}
