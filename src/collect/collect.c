/* collect — the loop: sources, delivery, counters, the timers that poll
 * file tails, close idle connections and save positions. The sockets are
 * in collect_net.c, the file follower in collect_tail.c. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "collect.h"
#include "collect_internal.h"
#include "collect_tail.h"

#define TAIL_BUDGET ((size_t)1 << 20) /* bytes per file per turn, so one file cannot starve the others */
#define POLL_MS_DEFAULT 250u
#define HOUSEKEEPING_MS 1000

struct file_src {
	struct collect *c;
	struct collect_source *src;
	struct collect_tail *tail;
	char *path;
	struct event *ev;
	unsigned poll_ms;
	uint64_t rotations, truncations; /* last seen, to count the difference */
	int read_error;                  /* the last poll failed (counted once) */
};

struct collect {
	struct event_base *base;
	collect_msg_fn fn;
	void *ctx;
	char *state_dir;
	struct collect_source **srcs;
	size_t nsrc;
	struct collect_listener **ls;
	size_t nl;
	struct file_src **fs;
	size_t nf;
	struct event *stop_ev, *house_ev;
	int running;
	collect_flush_fn flush;
	int dirty; /* delivered since the last flush */
};

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static int threads_ok;

static void use_threads(void)
{
	threads_ok = evthread_use_pthreads() == 0;
}

void collect_deliver(struct collect *c, struct collect_source *s, const char *peer, const char *subject,
		     int64_t received_us, const char *msg, size_t n, int truncated)
{
	struct collect_src src = {
		.name = s->name,
		.proto = s->proto,
		.format = s->format,
		.peer = peer,
		.tls_subject = subject,
		.received_us = received_us,
		.truncated = truncated,
	};
	COLLECT_COUNT(s, msgs, 1);
	COLLECT_COUNT(s, bytes, n);
	if (truncated)
		COLLECT_COUNT(s, truncated, 1);
	c->dirty = 1;
	c->fn(c->ctx, &src, msg, n);
}

void collect_flush(struct collect *c)
{
	if (c->dirty && c->flush)
		c->flush(c->ctx);
	c->dirty = 0;
}

void collect_set_flush(struct collect *c, collect_flush_fn fn)
{
	c->flush = fn;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct collect *c = arg;
	(void)fd;
	(void)what;
	event_base_loopbreak(c->base);
}

static void save_positions(struct collect *c)
{
	collect_flush(c); /* a position covers only committed lines */
	for (size_t i = 0; i < c->nf; i++)
		if (collect_tail_save(c->fs[i]->tail) != CG_OK)
			COLLECT_COUNT(c->fs[i]->src, read_errors, 1);
}

static void on_housekeeping(evutil_socket_t fd, short what, void *arg)
{
	struct collect *c = arg;
	(void)fd;
	(void)what;
	int64_t now = cg_time_mono_ms();
	for (size_t i = 0; i < c->nl; i++)
		collect_listener_sweep(c->ls[i], now);
	save_positions(c);
}

enum cg_err collect_new(const char *state_dir, collect_msg_fn fn, void *ctx, struct collect **out)
{
	*out = NULL;
	if (!fn)
		return cg_err_set(CG_EINVAL, _("collect: no message callback"));
	pthread_once(&threads_once, use_threads);
	if (!threads_ok)
		return cg_err_set(CG_EINTERNAL, _("collect: libevent has no thread support"));
	struct collect *c = calloc(1, sizeof *c);
	if (!c)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->fn = fn;
	c->ctx = ctx;
	struct timeval tv = {HOUSEKEEPING_MS / 1000, (HOUSEKEEPING_MS % 1000) * 1000};
	if ((state_dir && !(c->state_dir = strdup(state_dir))) || !(c->base = event_base_new()) ||
	    !(c->stop_ev = event_new(c->base, -1, 0, on_stop, c)) ||
	    !(c->house_ev = event_new(c->base, -1, EV_PERSIST, on_housekeeping, c)) ||
	    event_add(c->house_ev, &tv) != 0) {
		collect_free(c);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	*out = c;
	return CG_OK;
}

static enum cg_err add_source(struct collect *c, const char *name, enum collect_proto proto,
			      enum collect_format format, struct collect_source **out)
{
	struct collect_source **a = realloc(c->srcs, (c->nsrc + 1) * sizeof *a);
	if (!a)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->srcs = a;
	struct collect_source *s = calloc(1, sizeof *s);
	if (!s || !(s->name = strdup(name))) {
		free(s);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	s->proto = proto;
	s->format = format;
	*out = s;
	return CG_OK;
}

static void drop_source(struct collect_source *s)
{
	if (s) {
		free(s->name);
		free(s);
	}
}

enum cg_err collect_add_listener(struct collect *c, const struct collect_listener_opts *o)
{
	struct collect_source *s;
	struct collect_listener *l;
	enum cg_err rc;
	if (!o->name || !*o->name)
		return cg_err_set(CG_EINVAL, _("collect: a listener needs a name"));
	if (o->proto != COLLECT_UDP && o->proto != COLLECT_TCP && o->proto != COLLECT_TLS)
		return cg_err_set(CG_EINVAL, _("collect: listener '%s': protocol must be udp, tcp or tls"), o->name);
	if (o->port > 65535)
		return cg_err_set(CG_EINVAL, _("collect: listener '%s': port %u is out of range"), o->name, o->port);
	struct collect_listener **a = realloc(c->ls, (c->nl + 1) * sizeof *a);
	if (!a)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->ls = a;
	if ((rc = add_source(c, o->name, o->proto, o->format, &s)))
		return rc;
	if ((rc = collect_listener_open(c->base, c, s, o, &l))) {
		drop_source(s);
		return rc;
	}
	c->srcs[c->nsrc++] = s;
	c->ls[c->nl++] = l;
	return CG_OK;
}

unsigned collect_listener_port(const struct collect *c, size_t i)
{
	return i < c->nl ? collect_listener_bound_port(c->ls[i]) : 0;
}

static void on_line(void *ud, const char *line, size_t n, int truncated)
{
	struct file_src *f = ud;
	collect_deliver(f->c, f->src, f->path, NULL, cg_time_now_us(), line, n, truncated);
}

static void on_file(evutil_socket_t fd, short what, void *arg)
{
	struct file_src *f = arg;
	int more = 0;
	uint64_t rot, trunc;
	(void)fd;
	(void)what;
	enum cg_err rc = collect_tail_poll(f->tail, TAIL_BUDGET, on_line, f, &more);
	/* Committed by the owner, then the position saved at once (when it
	 * moved): a crash re-reads at most what lies between the two. */
	collect_flush(f->c);
	if (f->c->flush && collect_tail_save(f->tail) != CG_OK) {
		COLLECT_COUNT(f->src, read_errors, 1);
		cg_err_clear();
	}
	if (rc && !f->read_error)
		COLLECT_COUNT(f->src, read_errors, 1);
	f->read_error = rc != CG_OK;
	collect_tail_counts(f->tail, &rot, &trunc);
	COLLECT_COUNT(f->src, rotations, rot - f->rotations);
	COLLECT_COUNT(f->src, truncations, trunc - f->truncations);
	f->rotations = rot;
	f->truncations = trunc;
	/* More to read: come back at once, after the other sources had a turn. */
	struct timeval tv = {0, 0};
	if (!more) {
		tv.tv_sec = f->poll_ms / 1000;
		tv.tv_usec = (f->poll_ms % 1000) * 1000;
	}
	event_add(f->ev, &tv);
}

static void file_src_free(struct file_src *f)
{
	if (!f)
		return;
	if (f->ev)
		event_free(f->ev);
	collect_tail_free(f->tail);
	free(f->path);
	free(f);
}

enum cg_err collect_add_file(struct collect *c, const struct collect_file_opts *o)
{
	enum cg_err rc;
	struct collect_source *s = NULL;
	if (!o->name || !*o->name || !o->path || !*o->path)
		return cg_err_set(CG_EINVAL, _("collect: a file source needs a name and a path"));
	size_t max = o->max_msg ? o->max_msg : COLLECT_MAX_MSG_DEFAULT;
	if (max > COLLECT_MAX_MSG_LIMIT)
		return cg_err_set(CG_ELIMIT, _("collect: file '%s': max_msg %zu is above %zu"), o->name, max,
				  COLLECT_MAX_MSG_LIMIT);
	struct file_src **a = realloc(c->fs, (c->nf + 1) * sizeof *a);
	if (!a)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	c->fs = a;
	struct file_src *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(o->path))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	f->c = c;
	f->poll_ms = o->poll_ms ? o->poll_ms : POLL_MS_DEFAULT;
	if ((rc = collect_tail_new(o->path, c->state_dir, max, o->from_end, &f->tail)))
		goto fail;
	if ((rc = add_source(c, o->name, COLLECT_FILE, o->format, &s)))
		goto fail;
	f->src = s;
	struct timeval now = {0, 0};
	if (!(f->ev = event_new(c->base, -1, 0, on_file, f)) || event_add(f->ev, &now) != 0) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	c->srcs[c->nsrc++] = s;
	c->fs[c->nf++] = f;
	return CG_OK;
fail:
	drop_source(s);
	file_src_free(f);
	return rc;
}

enum cg_err collect_run(struct collect *c)
{
	c->running = 1;
	int r = event_base_dispatch(c->base);
	c->running = 0;
	save_positions(c);
	if (r < 0)
		return cg_err_set(CG_EINTERNAL, _("collect: the event loop failed"));
	return CG_OK;
}

void collect_stop(struct collect *c)
{
	/* An active event stays pending until the loop runs it, so a stop
	 * before collect_run is not lost; event_active is thread-safe. */
	event_active(c->stop_ev, EV_READ, 0);
}

size_t collect_source_count(const struct collect *c)
{
	return c->nsrc;
}

#define LOAD(s, f) __atomic_load_n(&(s)->n.f, __ATOMIC_RELAXED)

void collect_stats(const struct collect *c, size_t i, struct collect_stats *out)
{
	memset(out, 0, sizeof *out);
	if (i >= c->nsrc)
		return;
	const struct collect_source *s = c->srcs[i];
	out->name = s->name;
	out->proto = s->proto;
	out->msgs = LOAD(s, msgs);
	out->bytes = LOAD(s, bytes);
	out->truncated = LOAD(s, truncated);
	out->framing_errors = LOAD(s, framing_errors);
	out->conns = LOAD(s, conns);
	out->conns_open = LOAD(s, conns_open);
	out->conns_refused = LOAD(s, conns_refused);
	out->idle_closed = LOAD(s, idle_closed);
	out->tls_failures = LOAD(s, tls_failures);
	out->read_errors = LOAD(s, read_errors);
	out->rotations = LOAD(s, rotations);
	out->truncations = LOAD(s, truncations);
}

void collect_free(struct collect *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nl; i++)
		collect_listener_free(c->ls[i]);
	for (size_t i = 0; i < c->nf; i++)
		file_src_free(c->fs[i]);
	for (size_t i = 0; i < c->nsrc; i++)
		drop_source(c->srcs[i]);
	if (c->stop_ev)
		event_free(c->stop_ev);
	if (c->house_ev)
		event_free(c->house_ev);
	if (c->base)
		event_base_free(c->base);
	free(c->ls);
	free(c->fs);
	free(c->srcs);
	free(c->state_dir);
	free(c);
}
