/* Snapshots, the detector that swaps them, per-thread streams (see
 * sigma_stream.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "cg_i18n.h"
#include "sigma_stream.h"

struct sigma_snapshot {
	atomic_size_t refs;
	uint64_t generation;
	struct sigma_engine *e;
	struct sigma_map *map;
};

struct sigma_detector {
	pthread_mutex_t mu; /* guards cur; held only to take a reference */
	struct sigma_snapshot *cur;
	atomic_uint_fast64_t generation;
};

struct sigma_stream {
	struct sigma_detector *d;
	struct sigma_snapshot *snap;
	struct sigma_scanner *sc;
};

enum cg_err sigma_snapshot_new(struct sigma_engine *e, struct sigma_map *map, uint64_t generation,
                               struct sigma_snapshot **out)
{
	struct sigma_snapshot *s = calloc(1, sizeof *s);
	if (!s) {
		sigma_engine_free(e);
		sigma_map_free(map);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	atomic_init(&s->refs, 1);
	s->generation = generation;
	s->e = e;
	s->map = map;
	*out = s;
	return CG_OK;
}

void sigma_snapshot_ref(struct sigma_snapshot *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void sigma_snapshot_unref(struct sigma_snapshot *s)
{
	if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	sigma_engine_free(s->e);
	sigma_map_free(s->map);
	free(s);
}

const struct sigma_engine *sigma_snapshot_engine(const struct sigma_snapshot *s) { return s->e; }
uint64_t sigma_snapshot_generation(const struct sigma_snapshot *s) { return s->generation; }

enum cg_err sigma_detector_new(struct sigma_snapshot *initial, struct sigma_detector **out)
{
	struct sigma_detector *d = calloc(1, sizeof *d);
	if (!d) {
		sigma_snapshot_unref(initial);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	pthread_mutex_init(&d->mu, NULL);
	d->cur = initial;
	atomic_init(&d->generation, initial->generation);
	*out = d;
	return CG_OK;
}

void sigma_detector_free(struct sigma_detector *d)
{
	if (!d)
		return;
	sigma_snapshot_unref(d->cur);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void sigma_detector_swap(struct sigma_detector *d, struct sigma_snapshot *next)
{
	pthread_mutex_lock(&d->mu);
	struct sigma_snapshot *old = d->cur;
	d->cur = next;
	atomic_store_explicit(&d->generation, next->generation, memory_order_release);
	pthread_mutex_unlock(&d->mu);
	sigma_snapshot_unref(old);
}

struct sigma_snapshot *sigma_detector_acquire(struct sigma_detector *d)
{
	pthread_mutex_lock(&d->mu);
	struct sigma_snapshot *s = d->cur;
	sigma_snapshot_ref(s);
	pthread_mutex_unlock(&d->mu);
	return s;
}

enum cg_err sigma_stream_new(struct sigma_detector *d, struct sigma_stream **out)
{
	struct sigma_stream *s = calloc(1, sizeof *s);
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	s->d = d;
	*out = s;
	return CG_OK;
}

void sigma_stream_free(struct sigma_stream *s)
{
	if (!s)
		return;
	sigma_scanner_free(s->sc);
	sigma_snapshot_unref(s->snap);
	free(s);
}

/* Move to the detector's current snapshot. */
static enum cg_err stream_update(struct sigma_stream *s)
{
	struct sigma_snapshot *n = sigma_detector_acquire(s->d);
	struct sigma_scanner *sc;
	enum cg_err rc = sigma_scanner_new(n->e, &sc);
	if (rc) {
		sigma_snapshot_unref(n);
		return rc;
	}
	sigma_scanner_free(s->sc);
	sigma_snapshot_unref(s->snap);
	s->sc = sc;
	s->snap = n;
	return CG_OK;
}

enum cg_err sigma_stream_match(struct sigma_stream *s, struct cg_event *ev, sigma_hit_cb cb, void *ud,
                               const struct sigma_snapshot **snap)
{
	uint64_t g = atomic_load_explicit(&s->d->generation, memory_order_acquire);
	if (!s->snap || s->snap->generation != g) {
		enum cg_err rc = stream_update(s);
		if (rc)
			return rc;
	}
	if (snap)
		*snap = s->snap;
	return sigma_scanner_match(s->sc, ev, cb, ud);
}
