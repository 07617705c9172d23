/* Detection on the stream (see detect.h). */
#include "detect.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_hash.h"
#include "cg_i18n.h"
#include "detect_rules.h"
#include "hunt_intel.h"
#include "hunt_match.h"
#include "ioc.h"
#include "sigma_load.h"
#include "sigma_map.h"
#include "sigma_rule.h"
#include "sigma_stream.h"

#define SHARDS 64u
#define NONE 0u

struct detect_snapshot {
	atomic_size_t refs;
	uint64_t generation;
	struct ioc_set *set;           /* never NULL (may be empty) */
	struct sigma_snapshot *sigma;  /* NULL: no Sigma rules */
	struct detect_rules *rules;    /* NULL: no threshold rules */
	size_t sigma_rejected;   /* loaded, but the engine cannot run them */
	size_t sigma_not_loaded; /* rule documents that did not load */
};

/* One threshold group: a rule (by fingerprint) and its group_by values. */
struct group {
	uint64_t hash, fp;
	uint32_t chain, prev, next; /* 1 + index; NONE */
	uint32_t key_len;
	int in_use, fired;
	int64_t start_us, last_us, touched_us, window_us;
	uint64_t count;
	uint64_t *vals; /* distinct value hashes */
	uint32_t n_vals, cap_vals;
	char key[DETECT_KEY_MAX];
};

struct shard {
	pthread_mutex_t mu;
	struct group *g;
	uint32_t cap, used;
	uint32_t *buckets; /* 1 + index of a chain's head */
	uint32_t nb;       /* power of two */
	uint32_t head, tail, free_head; /* LRU: head most recent */
};

struct detect {
	pthread_mutex_t mu; /* guards cur; held only to take a reference */
	struct detect_snapshot *cur;
	atomic_uint_fast64_t seq; /* bumped at every swap */
	uint64_t salt;
	struct shard shards[SHARDS];
	atomic_uint_fast64_t events, ind_alerts, sig_alerts, thr_alerts, evicted, expired, swaps;
};

struct detect_worker {
	struct detect *d;
	uint64_t seq;
	struct detect_snapshot *snap;
	struct hunt_matcher *hm;
	struct sigma_scanner *ss;
	struct detect_rules_scratch *rs;
};

/* ---- snapshots ---- */

static void snap_free(struct detect_snapshot *s)
{
	ioc_set_free(s->set);
	sigma_snapshot_unref(s->sigma);
	detect_rules_free(s->rules);
	free(s);
}

void detect_snapshot_ref(struct detect_snapshot *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void detect_snapshot_unref(struct detect_snapshot *s)
{
	if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		snap_free(s);
}

void detect_snapshot_counts(const struct detect_snapshot *s, struct detect_counts *out)
{
	*out = (struct detect_counts){
		.generation = s->generation,
		.indicators = ioc_set_count(s->set),
		.sigma_rules = s->sigma ? sigma_engine_rule_count(sigma_snapshot_engine(s->sigma)) - s->sigma_rejected : 0,
		.sigma_rejected = s->sigma_rejected + s->sigma_not_loaded,
		.threshold_rules = detect_rules_count(s->rules),
	};
}

static void say(char *err, size_t errn, const char *fmt, ...) CG_PRINTF(3, 4);
static void say(char *err, size_t errn, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errn)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errn, fmt, ap);
	va_end(ap);
}

static void on_reject(void *ud, const struct sigma_rule *rule, const char *why)
{
	(void)rule;
	(void)why;
	(*(size_t *)ud)++;
}

struct sigma_load_ctx {
	size_t bad;
};

static void on_load(void *ud, const char *path, size_t doc, const struct sigma_rule *rule, enum cg_err rc,
		    const char *reason)
{
	(void)path;
	(void)doc;
	(void)rc;
	(void)reason;
	if (!rule)
		((struct sigma_load_ctx *)ud)->bad++;
}

/* The Sigma rules as `canhgac sigma hunt` loads them. */
static enum cg_err load_sigma(const struct detect_opts *o, uint64_t gen, struct sigma_snapshot **out, size_t *rejected,
			      size_t *not_loaded)
{
	struct sigma_map *map = NULL;
	struct sigma_engine *e = NULL;
	struct sigma_load_ctx lc = {0};
	struct sigma_load_stats st = {0};
	enum cg_err rc = sigma_map_new(&map);

	for (size_t i = 0; !rc && i < o->n_sigma_maps; i++) {
		char *text = NULL;
		size_t len = 0;
		rc = cg_file_read(o->sigma_maps[i], (size_t)16 << 20, &text, &len);
		if (!rc)
			rc = sigma_map_load(map, text, len, o->sigma_maps[i]);
		free(text);
	}
	if (!rc)
		rc = sigma_engine_new(map, &e);
	if (!rc)
		rc = sigma_load_rules(e, (char *const *)(uintptr_t)o->sigma_paths, o->n_sigma, on_load, &lc, &st);
	*rejected = 0;
	if (!rc)
		rc = sigma_engine_compile(e, on_reject, rejected);
	*not_loaded = lc.bad;
	if (!rc && st.loaded == 0)
		rc = cg_err_set(CG_EPARSE, _("sigma: no rule could be loaded from the rule paths"));
	if (rc) {
		sigma_engine_free(e);
		sigma_map_free(map);
		return rc;
	}
	return sigma_snapshot_new(e, map, gen, out);
}

enum cg_err detect_snapshot_load(const struct detect_opts *o, uint64_t generation, struct detect_snapshot **out,
				 char *err, size_t errn)
{
	struct detect_snapshot *s = calloc(1, sizeof *s);
	enum cg_err rc = CG_OK;

	if (err && errn)
		err[0] = '\0';
	if (!s) {
		say(err, errn, "%s", _("out of memory"));
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	atomic_init(&s->refs, 1);
	s->generation = generation;
	if (o->n_intel_files || o->db) {
		struct hunt_intel_opts io = {
			.files = o->intel_files,
			.n_files = o->n_intel_files,
			.format = FEED_AUTO,
			.hunt_special = o->hunt_special,
		};
		rc = hunt_intel_load(o->db, &io, NULL, &s->set);
		if (rc)
			cg_err_prefix(rc, "%s", _("intel: "));
	} else {
		struct ioc_set_builder *b;
		if (!(rc = ioc_set_builder_new(&b))) {
			ioc_set_builder_special_policy(b);
			rc = ioc_set_build(b, &s->set);
		}
	}
	if (!rc && o->n_sigma)
		rc = load_sigma(o, generation, &s->sigma, &s->sigma_rejected, &s->sigma_not_loaded);
	if (!rc && o->thresholds_path)
		rc = detect_rules_load(o->thresholds_path, &s->rules);
	if (rc) {
		say(err, errn, "%s", cg_err_msg(rc));
		snap_free(s);
		return rc;
	}
	*out = s;
	return CG_OK;
}

/* ---- the shared threshold state ---- */

static enum cg_err shard_init(struct shard *sh, uint32_t cap)
{
	sh->cap = cap;
	sh->nb = 16;
	while (sh->nb < cap * 2)
		sh->nb *= 2;
	if (pthread_mutex_init(&sh->mu, NULL))
		return cg_err_set(CG_EINTERNAL, "detect: mutex");
	sh->g = calloc(cap, sizeof *sh->g);
	sh->buckets = calloc(sh->nb, sizeof *sh->buckets);
	if (!sh->g || !sh->buckets)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	/* Every node on the free list. */
	for (uint32_t i = 0; i < cap; i++)
		sh->g[i].chain = i + 1 < cap ? i + 2 : NONE;
	sh->free_head = cap ? 1 : NONE;
	return CG_OK;
}

static void shard_fini(struct shard *sh)
{
	if (sh->g)
		for (uint32_t i = 0; i < sh->cap; i++)
			free(sh->g[i].vals);
	free(sh->g);
	free(sh->buckets);
	pthread_mutex_destroy(&sh->mu);
}

#define G(sh, i) (&(sh)->g[(i) - 1])

static void lru_unlink(struct shard *sh, uint32_t i)
{
	struct group *g = G(sh, i);
	if (g->prev)
		G(sh, g->prev)->next = g->next;
	else
		sh->head = g->next;
	if (g->next)
		G(sh, g->next)->prev = g->prev;
	else
		sh->tail = g->prev;
	g->prev = g->next = NONE;
}

static void lru_push_front(struct shard *sh, uint32_t i)
{
	struct group *g = G(sh, i);
	g->prev = NONE;
	g->next = sh->head;
	if (sh->head)
		G(sh, sh->head)->prev = i;
	sh->head = i;
	if (!sh->tail)
		sh->tail = i;
}

/* Take group i out of its chain and the LRU list, onto the free list. */
static void group_drop(struct shard *sh, uint32_t i)
{
	struct group *g = G(sh, i);
	uint32_t *pp = &sh->buckets[g->hash & (sh->nb - 1)];

	while (*pp && *pp != i)
		pp = &G(sh, *pp)->chain;
	if (*pp)
		*pp = g->chain;
	lru_unlink(sh, i);
	g->in_use = 0;
	g->chain = sh->free_head;
	sh->free_head = i;
	sh->used--;
}

enum cg_err detect_new_ex(struct detect_snapshot *initial, size_t max_groups, struct detect **out)
{
	struct detect *d = calloc(1, sizeof *d);
	uint32_t per;
	enum cg_err rc = CG_OK;
	size_t i;

	*out = NULL;
	if (!d) {
		detect_snapshot_unref(initial);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	if (!max_groups)
		max_groups = DETECT_GROUPS_DEFAULT;
	if (max_groups > ((size_t)1 << 26))
		max_groups = (size_t)1 << 26;
	per = (uint32_t)((max_groups + SHARDS - 1) / SHARDS);
	pthread_mutex_init(&d->mu, NULL);
	for (i = 0; i < SHARDS && !rc; i++)
		rc = shard_init(&d->shards[i], per);
	if (rc) {
		for (size_t j = 0; j < i; j++)
			shard_fini(&d->shards[j]);
		pthread_mutex_destroy(&d->mu);
		free(d);
		detect_snapshot_unref(initial);
		return rc;
	}
	d->salt = cg_hash_stable(&d, sizeof d) ^ (uint64_t)(uintptr_t)d;
	d->cur = initial;
	atomic_init(&d->seq, 1);
	*out = d;
	return CG_OK;
}

enum cg_err detect_new(struct detect_snapshot *initial, struct detect **out)
{
	return detect_new_ex(initial, 0, out);
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < SHARDS; i++)
		shard_fini(&d->shards[i]);
	detect_snapshot_unref(d->cur);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void detect_swap(struct detect *d, struct detect_snapshot *next)
{
	struct detect_snapshot *old;

	pthread_mutex_lock(&d->mu);
	old = d->cur;
	d->cur = next;
	atomic_fetch_add_explicit(&d->seq, 1, memory_order_release);
	pthread_mutex_unlock(&d->mu);
	atomic_fetch_add_explicit(&d->swaps, 1, memory_order_relaxed);
	/* Groups of rules that are gone expire with detect_tick. */
	detect_snapshot_unref(old);
}

struct detect_snapshot *detect_acquire(struct detect *d)
{
	struct detect_snapshot *s;

	pthread_mutex_lock(&d->mu);
	s = d->cur;
	detect_snapshot_ref(s);
	pthread_mutex_unlock(&d->mu);
	return s;
}

/* ---- workers ---- */

static void worker_drop_snapshot(struct detect_worker *w)
{
	hunt_matcher_free(w->hm);
	sigma_scanner_free(w->ss);
	w->hm = NULL;
	w->ss = NULL;
	detect_snapshot_unref(w->snap);
	w->snap = NULL;
}

/* Move to the detector's current snapshot. */
static enum cg_err worker_refresh(struct detect_worker *w)
{
	uint64_t seq = atomic_load_explicit(&w->d->seq, memory_order_acquire);
	enum cg_err rc;

	if (seq == w->seq && w->snap)
		return CG_OK;
	worker_drop_snapshot(w);
	w->snap = detect_acquire(w->d);
	w->seq = seq;
	if ((rc = hunt_matcher_new(w->snap->set, &w->hm)))
		goto fail;
	if (w->snap->sigma && (rc = sigma_scanner_new(sigma_snapshot_engine(w->snap->sigma), &w->ss)))
		goto fail;
	return CG_OK;
fail:
	worker_drop_snapshot(w);
	w->seq = 0;
	return rc;
}

enum cg_err detect_worker_new(struct detect *d, struct detect_worker **out)
{
	struct detect_worker *w = calloc(1, sizeof *w);
	enum cg_err rc;

	*out = NULL;
	if (!w)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	w->d = d;
	if ((rc = detect_rules_scratch_new(&w->rs)) || (rc = worker_refresh(w))) {
		detect_worker_free(w);
		return rc;
	}
	*out = w;
	return CG_OK;
}

void detect_worker_free(struct detect_worker *w)
{
	if (!w)
		return;
	worker_drop_snapshot(w);
	detect_rules_scratch_free(w->rs);
	free(w);
}

/* ---- matching ---- */

struct match_ctx {
	struct detect_worker *w;
	const struct cg_event *ev;
	struct alert_event aev;
	const char *host;
	detect_alert_fn fn;
	void *ctx;
	enum cg_err rc;
};

static int on_sigma(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	struct match_ctx *m = ud;
	(void)ev;
	if (!sigma_engine_rule_emits(sigma_snapshot_engine(m->w->snap->sigma), ri))
		return 0;
	struct alert a = {
		.kind = ALERT_KIND_SIGMA,
		.rule_id = sigma_rule_id(r),
		.title = sigma_rule_title(r),
		.level = sigma_rule_level(r),
		.severity = alert_severity_from_level(sigma_rule_level(r)),
		.host = m->host,
		.count = 1,
		.first_seen = m->aev.event_time,
		.last_seen = m->aev.event_time,
	};
	atomic_fetch_add_explicit(&m->w->d->sig_alerts, 1, memory_order_relaxed);
	m->rc = m->fn(m->ctx, &a, &m->aev);
	return m->rc != CG_OK;
}

/* What a threshold group's update decided, copied out of the lock. */
struct fire {
	uint64_t count;
	int64_t first_us, last_us;
};

/* Count `ev` in rule i's group `key`; 1 and *f when the rule fires. */
static int threshold_count(struct detect *d, const struct detect_rule_info *ri, const char *key, size_t key_len,
			   int64_t t, int64_t now_us, uint64_t vhash, struct fire *f)
{
	uint64_t h = cg_hash_seeded(d->salt ^ ri->fingerprint, key, key_len);
	struct shard *sh = &d->shards[(h >> 58) & (SHARDS - 1)];
	uint32_t i, *bucket;
	struct group *g;
	int fired = 0;

	pthread_mutex_lock(&sh->mu);
	bucket = &sh->buckets[h & (sh->nb - 1)];
	for (i = *bucket; i; i = G(sh, i)->chain) {
		g = G(sh, i);
		if (g->hash == h && g->fp == ri->fingerprint && g->key_len == key_len && memcmp(g->key, key, key_len) == 0)
			break;
	}
	if (i) {
		lru_unlink(sh, i);
		lru_push_front(sh, i);
	} else {
		if (!sh->free_head) {
			/* Full: the least recently used group goes. */
			group_drop(sh, sh->tail);
			atomic_fetch_add_explicit(&d->evicted, 1, memory_order_relaxed);
		}
		i = sh->free_head;
		g = G(sh, i);
		sh->free_head = g->chain;
		g->hash = h;
		g->fp = ri->fingerprint;
		g->key_len = (uint32_t)key_len;
		memcpy(g->key, key, key_len);
		g->in_use = 1;
		g->fired = 1; /* opens a window below */
		g->chain = *bucket;
		*bucket = i;
		sh->used++;
		lru_push_front(sh, i);
	}
	g = G(sh, i);
	g->touched_us = now_us;
	g->window_us = ri->window_us;
	if (!g->fired && t < g->start_us)
		t = g->start_us; /* late: counts in the open window */
	if (g->fired || t - g->start_us > ri->window_us) {
		g->fired = 0;
		g->start_us = t;
		g->count = 0;
		g->n_vals = 0;
	}
	g->count++;
	if (t > g->last_us || g->count == 1)
		g->last_us = t;
	if (ri->cond == DETECT_COND_DISTINCT) {
		uint32_t k;
		for (k = 0; k < g->n_vals && g->vals[k] != vhash; k++)
			;
		if (k == g->n_vals) {
			if (g->n_vals == g->cap_vals) {
				uint32_t nc = (uint32_t)ri->threshold;
				void *p = realloc(g->vals, nc * sizeof *g->vals);
				if (p) {
					g->vals = p;
					g->cap_vals = nc;
				}
			}
			if (g->n_vals < g->cap_vals)
				g->vals[g->n_vals++] = vhash;
		}
		fired = g->n_vals >= ri->threshold;
	} else {
		fired = g->count >= ri->threshold;
	}
	if (fired) {
		f->count = ri->cond == DETECT_COND_DISTINCT ? g->n_vals : g->count;
		f->first_us = g->start_us;
		f->last_us = g->last_us;
		g->fired = 1; /* the next event opens a new window */
	}
	pthread_mutex_unlock(&sh->mu);
	return fired;
}

static enum cg_err match_thresholds(struct match_ctx *m)
{
	struct detect_worker *w = m->w;
	const struct detect_rules *rules = w->snap->rules;
	size_t n = detect_rules_count(rules);
	int64_t now_us = cg_event_received_us(m->ev);
	int64_t t = cg_event_has_time(m->ev) ? cg_event_time_us(m->ev) : now_us;
	char key[DETECT_KEY_MAX];

	for (size_t i = 0; i < n; i++) {
		struct detect_rule_info ri;
		struct fire f;
		uint64_t vh = 0;
		int kl;

		if (!detect_rules_match(rules, i, m->ev, w->snap->set, w->rs))
			continue;
		if ((kl = detect_rules_group_key(rules, i, m->ev, key)) < 0)
			continue;
		detect_rules_info(rules, i, &ri);
		if (ri.cond == DETECT_COND_DISTINCT) {
			const char *v;
			size_t vn;
			if (!detect_rules_distinct_value(rules, i, m->ev, &v, &vn))
				continue;
			vh = cg_hash_seeded(w->d->salt, v, vn);
		}
		if (!threshold_count(w->d, &ri, key, (size_t)kl, t, now_us, vh, &f))
			continue;
		char group[512];
		detect_rules_group_text(rules, i, key, (size_t)kl, group, sizeof group);
		struct alert a = {
			.kind = ALERT_KIND_THRESHOLD,
			.rule_id = ri.id,
			.title = ri.title,
			.level = ri.level,
			.indicator = group,
			.indicator_type = "group",
			.severity = ri.severity,
			.host = m->host,
			.count = f.count,
			.first_seen = f.first_us / 1000000,
			.last_seen = f.last_us / 1000000,
		};
		atomic_fetch_add_explicit(&w->d->thr_alerts, 1, memory_order_relaxed);
		if ((m->rc = m->fn(m->ctx, &a, &m->aev)))
			return m->rc;
	}
	return CG_OK;
}

enum cg_err detect_worker_match_raw(struct detect_worker *w, struct cg_event *ev, const char *raw, size_t n,
				    const char *origin, detect_alert_fn fn, void *ctx)
{
	struct match_ctx m = {.w = w, .ev = ev, .fn = fn, .ctx = ctx};
	const char *text = raw;
	size_t len = n;
	int64_t epoch = cg_event_epoch(ev);
	enum cg_err rc;

	if ((rc = worker_refresh(w)))
		return rc;
	atomic_fetch_add_explicit(&w->d->events, 1, memory_order_relaxed);
	if (!text && !cg_event_message(ev, &text, &len)) {
		text = "";
		len = 0;
	}
	m.host = cg_event_host(ev);
	m.aev = (struct alert_event){
		.file = origin ? origin : "",
		.record_id = cg_event_record_id(ev),
		.event_time = epoch > 0 ? epoch : 0,
		.excerpt = text,
		.excerpt_len = len,
	};

	/* Indicators: the hunt's matching of one line. */
	if (len && ioc_set_count(w->snap->set)) {
		const struct hunt_match *v;
		size_t nv;
		if ((rc = hunt_match_line(w->hm, text, len, &v, &nv)))
			return rc;
		for (size_t i = 0; i < nv; i++) {
			const struct ioc_entry *e = v[i].e;
			/* Contact with a listed indicator is as serious as a high Sigma rule (as the hunt). */
			struct alert a = {
				.kind = ALERT_KIND_INDICATOR,
				.indicator = e->value,
				.indicator_type = ioc_type_name(e->type),
				.sources = e->source,
				.family = e->family,
				.severity = ALERT_SEV_HIGH,
				.host = m.host,
				.count = 1,
				.first_seen = m.aev.event_time,
				.last_seen = m.aev.event_time,
			};
			atomic_fetch_add_explicit(&w->d->ind_alerts, 1, memory_order_relaxed);
			if ((rc = fn(ctx, &a, &m.aev)))
				return rc;
		}
	}

	/* Sigma: the engine routes the event to the rules whose log source fits. */
	if (w->ss) {
		rc = sigma_scanner_match(w->ss, ev, on_sigma, &m);
		if (m.rc)
			return m.rc;
		if (rc)
			return rc;
	}

	if (w->snap->rules)
		return match_thresholds(&m);
	return CG_OK;
}

enum cg_err detect_worker_match(struct detect_worker *w, struct cg_event *ev, const char *origin,
				detect_alert_fn fn, void *ctx)
{
	return detect_worker_match_raw(w, ev, NULL, 0, origin, fn, ctx);
}

enum cg_err detect_tick(struct detect *d, int64_t now_us, detect_alert_fn fn, void *ctx)
{
	(void)fn;
	(void)ctx;
	for (size_t s = 0; s < SHARDS; s++) {
		struct shard *sh = &d->shards[s];
		pthread_mutex_lock(&sh->mu);
		/* Every group (rules have different windows): a few tens of
		 * thousands at most, once a second. */
		for (uint32_t i = sh->tail; i;) {
			struct group *g = G(sh, i);
			uint32_t prev = g->prev;
			if (now_us - g->touched_us > g->window_us) {
				group_drop(sh, i);
				atomic_fetch_add_explicit(&d->expired, 1, memory_order_relaxed);
			}
			i = prev;
		}
		pthread_mutex_unlock(&sh->mu);
	}
	return CG_OK;
}

void detect_stats(struct detect *d, struct detect_stats *out)
{
	struct detect_snapshot *s = detect_acquire(d);
	uint64_t groups = 0;

	for (size_t i = 0; i < SHARDS; i++) {
		pthread_mutex_lock(&d->shards[i].mu);
		groups += d->shards[i].used;
		pthread_mutex_unlock(&d->shards[i].mu);
	}
	*out = (struct detect_stats){
		.generation = s->generation,
		.swaps = atomic_load(&d->swaps),
		.events = atomic_load(&d->events),
		.indicator_alerts = atomic_load(&d->ind_alerts),
		.sigma_alerts = atomic_load(&d->sig_alerts),
		.threshold_alerts = atomic_load(&d->thr_alerts),
		.groups = groups,
		.groups_evicted = atomic_load(&d->evicted),
		.groups_expired = atomic_load(&d->expired),
	};
	detect_snapshot_unref(s);
}
