#include "priority.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_file.h"
#include "cg_i18n.h"
#include "ioc.h"
#include "alert.h"
#include "store_alert.h"
#include "store_assets.h"
#include "store_hits.h"

/* ---- a bump allocator: everything a report hands out lives here ---- */

#define ARENA_BLOCK 65536

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

static void *arena_alloc(struct arena_block **a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!*a || (*a)->size - (*a)->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct arena_block *b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->next = *a;
		b->used = 0;
		b->size = size;
		*a = b;
	}
	void *p = (*a)->data + (*a)->used;
	(*a)->used += n;
	return p;
}

static char *arena_strdup(struct arena_block **a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static void arena_free(struct arena_block *a)
{
	while (a) {
		struct arena_block *next = a->next;
		free(a);
		a = next;
	}
}

/* ---- a small sorted set of strings (families, sources) ---- */

#define SET_MAX 256 /* names kept per host; more is noise in a report */

struct strset {
	const char **v;
	size_t n, cap;
};

static enum cg_err strset_add(struct strset *s, struct arena_block **a, const char *x, size_t len)
{
	char key[256];
	size_t lo = 0, hi = s->n;

	while (len && x[0] == ' ') {
		x++;
		len--;
	}
	while (len && x[len - 1] == ' ')
		len--;
	if (!len || s->n >= SET_MAX)
		return CG_OK;
	if (len >= sizeof key)
		len = sizeof key - 1;
	memcpy(key, x, len);
	key[len] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid], key);
		if (c == 0)
			return CG_OK;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		const char **p = realloc(s->v, nc * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		s->v = p;
		s->cap = nc;
	}
	const char *copy = arena_strdup(a, key);
	if (!copy)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
	s->v[lo] = copy;
	s->n++;
	return CG_OK;
}

/* Add each name of a comma-separated list ("Emotet,QakBot"). */
static enum cg_err strset_add_list(struct strset *s, struct arena_block **a, const char *list)
{
	enum cg_err rc;

	while (*list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		if ((rc = strset_add(s, a, list, len)))
			return rc;
		list += len;
		if (*list == ',')
			list++;
	}
	return CG_OK;
}

static const char *strset_join(const struct strset *s, struct arena_block **a)
{
	size_t n = 1;
	char *out, *p;

	for (size_t i = 0; i < s->n; i++)
		n += strlen(s->v[i]) + 2;
	if (!(out = arena_alloc(a, n)))
		return NULL;
	p = out;
	*p = '\0';
	for (size_t i = 0; i < s->n; i++) {
		size_t l = strlen(s->v[i]);
		if (i) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, s->v[i], l);
		p += l;
	}
	*p = '\0';
	return out;
}

/* ---- accumulating hits ---- */

struct hit_acc {
	uint64_t lines, indicators;
	int64_t last_seen;
	struct strset families, sources;
	const char *peers[PRIORITY_PEERS_SHOWN];
	size_t n_peers;
	const char *last_indicator; /* in the arena */
	/* Open Sigma alerts. */
	uint64_t sigma_rules, sigma_events, sigma_weight;
	int64_t sigma_last_seen;
	int sigma_max; /* enum alert_severity + 1; 0: none */
	struct priority_sigma_alert sigma[PRIORITY_SIGMA_SHOWN];
	size_t n_sigma;
};

struct host_rec {
	struct priority_host pub;
	struct priority_listing *on_list;
	size_t cap_on;
	struct hit_acc acc;
	const char **reasons;
	size_t n_reasons, cap_reasons;
};

struct label_rec {
	struct priority_unattributed pub;
	struct hit_acc acc;
};

struct id_slot {
	int64_t id;
	size_t idx;
};

struct priority_report {
	struct arena_block *arena;
	struct host_rec *hosts;
	size_t n_hosts, cap_hosts;
	struct id_slot *ids;
	struct label_rec *labels;
	size_t n_labels, cap_labels;
	int with_labels;
	struct priority_host **ranked;
	size_t n_ranked, total;
};

static void acc_free(struct hit_acc *a)
{
	free(a->families.v);
	free(a->sources.v);
}

void priority_report_free(struct priority_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hosts; i++) {
		free(r->hosts[i].on_list);
		free(r->hosts[i].reasons);
		acc_free(&r->hosts[i].acc);
	}
	for (size_t i = 0; i < r->n_labels; i++)
		acc_free(&r->labels[i].acc);
	free(r->hosts);
	free(r->ids);
	free(r->labels);
	free(r->ranked);
	arena_free(r->arena);
	free(r);
}

static enum cg_err nomem(void)
{
	return cg_err_set(CG_ENOMEM, _("out of memory"));
}

static enum cg_err on_host(void *ctx, const struct asset_host *h)
{
	struct priority_report *r = ctx;
	struct host_rec *rec;
	const char **addrs;

	if (r->n_hosts == r->cap_hosts) {
		size_t nc = r->cap_hosts ? r->cap_hosts * 2 : 64;
		struct host_rec *p = realloc(r->hosts, nc * sizeof *p);
		if (!p)
			return nomem();
		r->hosts = p;
		r->cap_hosts = nc;
	}
	rec = &r->hosts[r->n_hosts];
	memset(rec, 0, sizeof *rec);
	addrs = arena_alloc(&r->arena, (h->n_addrs + 1) * sizeof *addrs);
	if (!addrs || !(rec->pub.name = arena_strdup(&r->arena, h->name)) ||
	    !(rec->pub.system = arena_strdup(&r->arena, h->system)))
		return nomem();
	for (size_t i = 0; i < h->n_addrs; i++)
		if (!(addrs[i] = arena_strdup(&r->arena, h->addrs[i])))
			return nomem();
	rec->pub.host_id = h->id;
	rec->pub.level = h->level > 0 ? h->level : 1;
	rec->pub.n_addrs = h->n_addrs;
	rec->pub.addrs = addrs;
	r->n_hosts++;
	return CG_OK;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = ((const struct id_slot *)a)->id, y = ((const struct id_slot *)b)->id;
	return x < y ? -1 : x > y;
}

static struct host_rec *host_by_id(struct priority_report *r, int64_t id)
{
	struct id_slot key = {.id = id};
	struct id_slot *s;

	if (!r->n_hosts)
		return NULL;
	s = bsearch(&key, r->ids, r->n_hosts, sizeof *r->ids, cmp_id);
	return s ? &r->hosts[s->idx] : NULL;
}

static enum cg_err on_listing(void *ctx, const struct asset_listing *l)
{
	struct priority_report *r = ctx;
	struct host_rec *h = host_by_id(r, l->host_id);
	struct priority_listing *e;

	if (!h)
		return CG_OK;
	for (size_t i = 0; i < h->pub.n_on_list; i++) {
		e = &h->on_list[i];
		if (strcmp(e->addr, l->addr) == 0 && strcmp(e->source, l->source) == 0 && strcmp(e->entry, l->entry) == 0)
			return CG_OK;
	}
	if (h->pub.n_on_list >= 1000)
		return CG_OK; /* enough to make the point */
	if (h->pub.n_on_list == h->cap_on) {
		size_t nc = h->cap_on ? h->cap_on * 2 : 4;
		void *p = realloc(h->on_list, nc * sizeof *h->on_list);
		if (!p)
			return nomem();
		h->on_list = p;
		h->cap_on = nc;
	}
	e = &h->on_list[h->pub.n_on_list];
	const char *list = strchr(l->list, ',') ? l->list : cg_file_basename(l->list);
	if (!(e->addr = arena_strdup(&r->arena, l->addr)) || !(e->source = arena_strdup(&r->arena, l->source)) ||
	    !(e->list = arena_strdup(&r->arena, list)) || !(e->entry = arena_strdup(&r->arena, l->entry)) ||
	    !(e->entry_type = arena_strdup(&r->arena, l->entry_type)) ||
	    !(e->family = arena_strdup(&r->arena, l->family)) ||
	    !(e->first_seen = arena_strdup(&r->arena, l->first_seen)) ||
	    !(e->last_seen = arena_strdup(&r->arena, l->last_seen)))
		return nomem();
	h->pub.n_on_list++;
	return CG_OK;
}

/* The label record for `label`; labels arrive in sorted order from storage,
 * so a new one is appended. */
static struct label_rec *label_rec(struct priority_report *r, const char *label, int create)
{
	size_t lo = 0, hi = r->n_labels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->labels[mid].pub.label, label);
		if (c == 0)
			return &r->labels[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return NULL;
	if (r->n_labels == r->cap_labels) {
		size_t nc = r->cap_labels ? r->cap_labels * 2 : 16;
		struct label_rec *p = realloc(r->labels, nc * sizeof *p);
		if (!p)
			return NULL;
		r->labels = p;
		r->cap_labels = nc;
	}
	const char *copy = arena_strdup(&r->arena, label);
	if (!copy)
		return NULL;
	memmove(r->labels + lo + 1, r->labels + lo, (r->n_labels - lo) * sizeof *r->labels);
	memset(&r->labels[lo], 0, sizeof r->labels[lo]);
	r->labels[lo].pub.label = copy;
	r->n_labels++;
	return &r->labels[lo];
}

static struct hit_acc *acc_for(struct priority_report *r, int64_t host_id, const char *label, enum cg_err *rc)
{
	*rc = CG_OK;
	if (host_id > 0) {
		struct host_rec *h = host_by_id(r, host_id);
		return h ? &h->acc : NULL;
	}
	if (!r->with_labels)
		return NULL;
	struct label_rec *l = label_rec(r, label, 1);
	if (!l) {
		*rc = nomem();
		return NULL;
	}
	return &l->acc;
}

static enum cg_err on_lines(void *ctx, int64_t host_id, const char *label, uint64_t lines)
{
	enum cg_err rc;
	struct hit_acc *a = acc_for(ctx, host_id, label, &rc);

	if (a)
		a->lines += lines;
	return rc;
}

static enum cg_err on_group(void *ctx, const struct store_hit_group *g)
{
	struct priority_report *r = ctx;
	enum cg_err rc;
	struct hit_acc *a = acc_for(r, g->host_id, g->host_label, &rc);

	if (!a)
		return rc;
	/* Rows of one host come sorted by indicator: a change is a new one. */
	if (!a->last_indicator || strcmp(a->last_indicator, g->indicator) != 0) {
		a->indicators++;
		if (!(a->last_indicator = arena_strdup(&r->arena, g->indicator)))
			return nomem();
		if (a->n_peers < PRIORITY_PEERS_SHOWN)
			a->peers[a->n_peers++] = a->last_indicator;
	}
	if (g->last_seen > a->last_seen)
		a->last_seen = g->last_seen;
	if ((rc = strset_add_list(&a->families, &r->arena, g->family)) ||
	    (rc = strset_add_list(&a->sources, &r->arena, g->source)))
		return rc;
	return CG_OK;
}

unsigned priority_sigma_weight(const char *level)
{
	switch (alert_severity_from_level(level)) {
	case ALERT_SEV_CRITICAL: return 3;
	case ALERT_SEV_HIGH: return 2;
	case ALERT_SEV_MEDIUM: return 1;
	default: return 0;
	}
}

/* An open Sigma alert (they come most severe first). */
static enum cg_err on_sigma_alert(void *ctx, const struct alert *al)
{
	struct priority_report *r = ctx;
	enum cg_err rc;
	struct hit_acc *a = acc_for(r, al->host_id, al->host, &rc);

	if (!a)
		return rc;
	a->sigma_rules++;
	a->sigma_events += al->count;
	a->sigma_weight += priority_sigma_weight(al->level);
	if (al->last_seen > a->sigma_last_seen)
		a->sigma_last_seen = al->last_seen;
	if ((int)al->severity + 1 > a->sigma_max)
		a->sigma_max = (int)al->severity + 1;
	if (a->n_sigma < PRIORITY_SIGMA_SHOWN) {
		struct priority_sigma_alert *x = &a->sigma[a->n_sigma];
		if (!(x->id = arena_strdup(&r->arena, al->id)) || !(x->rule_id = arena_strdup(&r->arena, al->rule_id)) ||
		    !(x->title = arena_strdup(&r->arena, al->title)) || !(x->level = arena_strdup(&r->arena, al->level)))
			return nomem();
		x->count = al->count;
		x->first_seen = al->first_seen;
		x->last_seen = al->last_seen;
		a->n_sigma++;
	}
	return CG_OK;
}

static enum cg_err read_sigma_alerts(struct cg_db *db, struct priority_report *r)
{
	struct alert_store *as;
	struct alert_filter f = {.kind = ALERT_KIND_SIGMA, .open_only = 1};
	enum cg_err rc;

	if ((rc = alert_store_open(db, 0, &as)))
		return rc;
	rc = alert_store_foreach(as, &f, on_sigma_alert, r);
	alert_store_close(as);
	return rc;
}

static enum cg_err finish_hits(struct priority_report *r, struct hit_acc *a, struct priority_hits *out,
			       struct priority_sigma *sg)
{
	sg->rules = a->sigma_rules;
	sg->events = a->sigma_events;
	sg->weight = a->sigma_weight;
	sg->max_level = a->sigma_max ? alert_severity_name((enum alert_severity)(a->sigma_max - 1)) : "";
	sg->last_seen = a->sigma_last_seen;
	sg->n_alerts = a->n_sigma;
	sg->alerts = a->sigma;
	out->lines = a->lines;
	out->indicators = a->indicators;
	out->last_seen = a->last_seen;
	out->n_peers = a->n_peers;
	out->peers = a->peers;
	if (!(out->families = strset_join(&a->families, &r->arena)) ||
	    !(out->sources = strset_join(&a->sources, &r->arena)))
		return nomem();
	return CG_OK;
}

static unsigned floor_log2_1p(uint64_t n)
{
	unsigned k = 0;

	/* ⌊log2(1 + n)⌋ without floating point, so the figure is exact. */
	for (uint64_t v = n + 1; v > 1; v >>= 1)
		k++;
	return k;
}

int64_t priority_score(int level, uint64_t entries, uint64_t lines, uint64_t indicators)
{
	return priority_score_sigma(level, entries, lines, indicators, 0, 0);
}

int64_t priority_score_sigma(int level, uint64_t entries, uint64_t lines, uint64_t indicators,
			     uint64_t sigma_events, uint64_t sigma_weight)
{
	uint64_t f = 1 + entries + floor_log2_1p(lines) + indicators + floor_log2_1p(sigma_events) + sigma_weight;

	if (f > (uint64_t)INT32_MAX)
		f = INT32_MAX;
	return (int64_t)level * (int64_t)f;
}

static enum cg_err add_reason(struct priority_report *r, struct host_rec *h, const char *fmt, ...) CG_PRINTF(3, 4);

static enum cg_err add_reason(struct priority_report *r, struct host_rec *h, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (h->n_reasons == h->cap_reasons) {
		size_t nc = h->cap_reasons ? h->cap_reasons * 2 : 4;
		const char **p = realloc(h->reasons, nc * sizeof *p);
		if (!p)
			return nomem();
		h->reasons = p;
		h->cap_reasons = nc;
	}
	if (!(h->reasons[h->n_reasons] = arena_strdup(&r->arena, buf)))
		return nomem();
	h->n_reasons++;
	return CG_OK;
}

static enum cg_err listing_reason(struct priority_report *r, struct host_rec *h, const struct priority_listing *e)
{
	char where[600] = "", fam[200] = "", seen[120] = "";

	if (strcmp(e->entry, e->addr) != 0)
		snprintf(where, sizeof where, _(" inside %s"), e->entry);
	if (*e->family)
		snprintf(fam, sizeof fam, ", %s", e->family);
	if (*e->last_seen)
		snprintf(seen, sizeof seen, _(", last seen %s"), e->last_seen);
	return add_reason(r, h, _("%s is on list '%s' (%s)%s%s%s"), e->addr, e->source, e->list, where, fam, seen);
}

static enum cg_err hits_reason(struct priority_report *r, struct host_rec *h)
{
	const struct priority_hits *x = &h->pub.hits;
	char peers[600] = "", fam[400] = "", src[400] = "", seen[64] = "";
	size_t o = 0;

	for (size_t i = 0; i < x->n_peers && o < sizeof peers; i++) {
		int w = snprintf(peers + o, sizeof peers - o, "%s%s", i ? ", " : "", x->peers[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (x->indicators > x->n_peers && o + 8 < sizeof peers)
		snprintf(peers + o, sizeof peers - o, ", ...");
	if (*x->sources)
		snprintf(src, sizeof src, _(" on %s"), x->sources);
	if (*x->families)
		snprintf(fam, sizeof fam, _("; families %s"), x->families);
	if (x->last_seen) {
		char t[32];
		cg_time_iso(x->last_seen, t, sizeof t);
		snprintf(seen, sizeof seen, _("; last seen %s"), t);
	}
	char lines[64], inds[64];
	snprintf(lines, sizeof lines, ngettext("%llu log line", "%llu log lines", (unsigned long)x->lines),
		 (unsigned long long)x->lines);
	snprintf(inds, sizeof inds, ngettext("%llu listed indicator", "%llu listed indicators", (unsigned long)x->indicators),
		 (unsigned long long)x->indicators);
	/* TRANSLATORS: "4 log lines with 1 listed indicator (198.51.100.23) on feodo-c2; families Emotet; last seen ..." */
	return add_reason(r, h, _("%s with %s (%s)%s%s%s"), lines, inds, peers, src, fam, seen);
}

/* One reason per Sigma alert shown: the rule, its level, how often, when. */
static enum cg_err sigma_reasons(struct priority_report *r, struct host_rec *h)
{
	const struct priority_sigma *sg = &h->pub.sigma;
	enum cg_err rc;

	for (size_t i = 0; i < sg->n_alerts; i++) {
		const struct priority_sigma_alert *x = &sg->alerts[i];
		char seen[64] = "", events[64];
		if (x->last_seen) {
			char t[32];
			cg_time_iso(x->last_seen, t, sizeof t);
			snprintf(seen, sizeof seen, _("; last seen %s"), t);
		}
		snprintf(events, sizeof events, ngettext("%llu event", "%llu events", (unsigned long)x->count),
			 (unsigned long long)x->count);
		/* TRANSLATORS: "Sigma rule 'Password Hashes Read Through Sudo' (high) fired on 2 events; last seen ..." */
		if ((rc = add_reason(r, h, _("Sigma rule '%s' (%s) fired on %s%s"), x->title, x->level, events, seen)))
			return rc;
	}
	if (sg->rules > sg->n_alerts &&
	    (rc = add_reason(r, h, _("... and %llu more Sigma rules"), (unsigned long long)(sg->rules - sg->n_alerts))))
		return rc;
	return CG_OK;
}

static enum cg_err judge(struct priority_report *r, struct host_rec *h)
{
	struct priority_host *p = &h->pub;
	enum cg_err rc;
	int sigma_urgent;

	p->on_list = h->on_list;
	if ((rc = finish_hits(r, &h->acc, &p->hits, &p->sigma)))
		return rc;
	sigma_urgent = h->acc.sigma_max > (int)ALERT_SEV_LOW + 1;
	p->tier = p->n_on_list			   ? PRIORITY_TIER_LISTED
		  : p->hits.lines || sigma_urgent ? PRIORITY_TIER_HITS
						   : PRIORITY_TIER_NONE;
	p->score = priority_score_sigma(p->level, p->n_on_list, p->hits.lines, p->hits.indicators, p->sigma.events,
					p->sigma.weight);
	for (size_t i = 0; i < p->n_on_list; i++)
		if ((rc = listing_reason(r, h, &h->on_list[i])))
			return rc;
	if (p->hits.lines && (rc = hits_reason(r, h)))
		return rc;
	if ((rc = sigma_reasons(r, h)))
		return rc;
	if (p->tier == PRIORITY_TIER_NONE && !p->sigma.rules &&
	    (rc = add_reason(r, h, "%s", _("not on any list; no hits in the logs"))))
		return rc;
	p->reasons = h->reasons;
	p->n_reasons = h->n_reasons;
	return CG_OK;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct priority_host *x = *(const struct priority_host *const *)a;
	const struct priority_host *y = *(const struct priority_host *const *)b;

	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->name, y->name);
}

static enum cg_err rank(struct priority_report *r, const struct priority_opts *opts)
{
	size_t n = 0;

	if (r->n_hosts && !(r->ranked = calloc(r->n_hosts, sizeof *r->ranked)))
		return nomem();
	for (size_t i = 0; i < r->n_hosts; i++)
		if (opts->all || r->hosts[i].pub.tier != PRIORITY_TIER_NONE)
			r->ranked[n++] = &r->hosts[i].pub;
	if (n)
		qsort(r->ranked, n, sizeof *r->ranked, cmp_rank);
	for (size_t i = 0; i < n; i++)
		r->ranked[i]->rank = (unsigned)(i + 1);
	r->total = n;
	r->n_ranked = opts->limit && opts->limit < n ? opts->limit : n;
	return CG_OK;
}

enum cg_err priority_run(struct cg_db *db, const struct priority_opts *opts, struct priority_report **out)
{
	static const struct priority_opts defaults;
	struct priority_report *r;
	enum cg_err rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!(r = calloc(1, sizeof *r)))
		return nomem();
	r->with_labels = opts->system == NULL;
	if ((rc = store_host_foreach(db, opts->system, on_host, r)))
		goto fail;
	if (r->n_hosts && !(r->ids = malloc(r->n_hosts * sizeof *r->ids))) {
		rc = nomem();
		goto fail;
	}
	for (size_t i = 0; i < r->n_hosts; i++)
		r->ids[i] = (struct id_slot){r->hosts[i].pub.host_id, i};
	if (r->n_hosts)
		qsort(r->ids, r->n_hosts, sizeof *r->ids, cmp_id);
	if ((rc = store_host_listed_foreach(db, on_listing, r)) || (rc = store_hits_foreach_lines(db, on_lines, r)) ||
	    (rc = store_hits_foreach_group(db, on_group, r)) || (rc = read_sigma_alerts(db, r)))
		goto fail;
	for (size_t i = 0; i < r->n_hosts; i++)
		if ((rc = judge(r, &r->hosts[i])))
			goto fail;
	for (size_t i = 0; i < r->n_labels; i++)
		if ((rc = finish_hits(r, &r->labels[i].acc, &r->labels[i].pub.hits, &r->labels[i].pub.sigma)))
			goto fail;
	if ((rc = rank(r, opts)))
		goto fail;
	*out = r;
	return CG_OK;
fail:
	priority_report_free(r);
	return rc;
}

size_t priority_report_count(const struct priority_report *r)
{
	return r ? r->n_ranked : 0;
}

const struct priority_host *priority_report_host(const struct priority_report *r, size_t i)
{
	return r && i < r->n_ranked ? r->ranked[i] : NULL;
}

size_t priority_report_total(const struct priority_report *r)
{
	return r ? r->total : 0;
}

size_t priority_report_unattributed_count(const struct priority_report *r)
{
	return r ? r->n_labels : 0;
}

const struct priority_unattributed *priority_report_unattributed(const struct priority_report *r, size_t i)
{
	return r && i < r->n_labels ? &r->labels[i].pub : NULL;
}
