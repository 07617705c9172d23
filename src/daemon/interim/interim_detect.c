/* INTERIM (daemon lane): detect.h with indicators only (the hunt's own
 * matching through hunt_buffer), until the detect lane's src/detect lands. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_i18n.h"
#include "detect.h"
#include "hunt.h"
#include "hunt_intel.h"

struct detect_snapshot {
	_Atomic long refs;
	uint64_t gen;
	struct ioc_set *set;
};

struct detect {
	pthread_mutex_t mu;
	struct detect_snapshot *cur;
	_Atomic uint64_t events, ind;
	uint64_t swaps;
};

struct detect_worker {
	struct detect *d;
};

enum cg_err detect_snapshot_load(const struct detect_opts *o, uint64_t generation, struct detect_snapshot **out,
				 char *err, size_t errn)
{
	struct hunt_intel_opts ho = {.hunt_special = o->hunt_special};
	struct ioc_set *set = NULL;
	enum cg_err rc = hunt_intel_load(o->db, &ho, NULL, &set);
	if (rc) {
		snprintf(err, errn, "%s", cg_err_msg(rc));
		return rc;
	}
	struct detect_snapshot *s = calloc(1, sizeof *s);
	if (!s) {
		ioc_set_free(set);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	s->refs = 1;
	s->gen = generation;
	s->set = set;
	*out = s;
	return CG_OK;
}

void detect_snapshot_ref(struct detect_snapshot *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void detect_snapshot_unref(struct detect_snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		ioc_set_free(s->set);
		free(s);
	}
}

void detect_snapshot_counts(const struct detect_snapshot *s, struct detect_counts *out)
{
	memset(out, 0, sizeof *out);
	out->generation = s->gen;
	out->indicators = ioc_set_count(s->set);
}

enum cg_err detect_new(struct detect_snapshot *initial, struct detect **out)
{
	struct detect *d = calloc(1, sizeof *d);
	if (!d)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	pthread_mutex_init(&d->mu, NULL);
	d->cur = initial;
	*out = d;
	return CG_OK;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	detect_snapshot_unref(d->cur);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void detect_swap(struct detect *d, struct detect_snapshot *next)
{
	pthread_mutex_lock(&d->mu);
	struct detect_snapshot *old = d->cur;
	d->cur = next;
	d->swaps++;
	pthread_mutex_unlock(&d->mu);
	detect_snapshot_unref(old);
}

struct detect_snapshot *detect_acquire(struct detect *d)
{
	pthread_mutex_lock(&d->mu);
	struct detect_snapshot *s = d->cur;
	detect_snapshot_ref(s);
	pthread_mutex_unlock(&d->mu);
	return s;
}

enum cg_err detect_worker_new(struct detect *d, struct detect_worker **out)
{
	struct detect_worker *w = calloc(1, sizeof *w);
	if (!w)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	w->d = d;
	*out = w;
	return CG_OK;
}

void detect_worker_free(struct detect_worker *w)
{
	free(w);
}

struct hitctx {
	struct detect *d;
	struct cg_event *ev;
	const char *raw;
	size_t n;
	const char *origin;
	detect_alert_fn fn;
	void *ctx;
};

static enum cg_err on_hit(void *ctx, const struct hunt_hit *h)
{
	struct hitctx *x = ctx;
	const struct ioc_entry *e = h->entry;
	struct alert a = {
		.kind = ALERT_KIND_INDICATOR,
		.indicator = e->value,
		.indicator_type = ioc_type_name(e->type),
		.sources = e->source,
		.family = e->family,
		.severity = ALERT_SEV_HIGH,
		.host = cg_event_host(x->ev),
		.first_seen = cg_event_epoch(x->ev),
		.last_seen = cg_event_epoch(x->ev),
	};
	struct alert_event ev = {
		.file = x->origin,
		.event_time = cg_event_epoch(x->ev) > 0 ? cg_event_epoch(x->ev) : 0,
		.excerpt = x->raw,
		.excerpt_len = x->n,
	};
	atomic_fetch_add(&x->d->ind, 1);
	return x->fn(x->ctx, &a, &ev);
}

enum cg_err detect_worker_match_raw(struct detect_worker *w, struct cg_event *ev, const char *raw, size_t n,
				    const char *origin, detect_alert_fn fn, void *ctx)
{
	struct detect_snapshot *s = detect_acquire(w->d);
	struct hitctx x = {w->d, ev, raw, n, origin, fn, ctx};
	struct hunt_sink sink = {.hit = on_hit, .ctx = &x};
	atomic_fetch_add(&w->d->events, 1);
	enum cg_err rc = hunt_buffer(s->set, origin, raw, n, &sink, NULL);
	detect_snapshot_unref(s);
	return rc;
}

enum cg_err detect_worker_match(struct detect_worker *w, struct cg_event *ev, const char *origin,
				detect_alert_fn fn, void *ctx)
{
	const char *m = "";
	size_t n = 0;
	(void)cg_event_message(ev, &m, &n);
	return detect_worker_match_raw(w, ev, m, n, origin, fn, ctx);
}

enum cg_err detect_tick(struct detect *d, int64_t now_us, detect_alert_fn fn, void *ctx)
{
	(void)d;
	(void)now_us;
	(void)fn;
	(void)ctx;
	return CG_OK;
}

void detect_stats(struct detect *d, struct detect_stats *out)
{
	memset(out, 0, sizeof *out);
	out->generation = d->cur->gen;
	out->swaps = d->swaps;
	out->events = atomic_load(&d->events);
	out->indicator_alerts = atomic_load(&d->ind);
}
