/* The Sigma hunt workflow (see sigma_hunt.h). Modelled on src/hunt/hunt.c:
 * a reader thread, a bounded ring of jobs, workers, and the calling thread
 * emitting in sequence. */
#include <ctype.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "cg_time.h"
#include "event_reader.h"
#include "filewalk.h"
#include "sigma_hunt.h"
#include "sigma_load.h"
#include "sigma_rule.h"

/* ---- jobs ---- */

enum job_kind { JOB_CHUNK, JOB_EVTX, JOB_ERROR };

/* How a text input is cut and parsed: text lines, JSON Lines (one value per
 * line: cut at any newline, a broken line is one bad record), or JSON values
 * that span lines (cut only between top-level values). */
enum in_fmt { IN_EVTX, IN_LINES, IN_JSONL, IN_JSON };

struct jhit {
	size_t rule;
	struct cg_event *ev;       /* a copy, for hits that are reported */
	struct sigma_corr_hit *ch; /* what correlations need */
	int64_t t;
	uint64_t line; /* 1-based within the chunk; 0 for EVTX */
};

struct job {
	enum job_kind kind;
	size_t file_idx;
	enum in_fmt fmt;
	const char *buf;
	size_t len;
	char *owned;      /* the chunk buffer, back to the pool when emitted */
	size_t owned_cap;
	struct filewalk_file *file; /* closed by the emitter after the last job (unused: streams close themselves) */
	int last;
	enum cg_err err;
	char *errmsg;
	/* filled by a worker */
	int done;
	enum cg_err scan_rc;
	char *scan_msg;
	struct jhit *hits;
	size_t n_hits, alloc;
	uint64_t dropped, lines;
	struct cg_event_read_stats st;
	uint64_t bad_line;
	char bad_why[400];
};

struct pipeline {
	const struct sigma_engine *e;
	const struct sigma_hunt_opts *o;
	struct sigma_corr *corr;
	char **files;
	size_t n_files;
	size_t chunk;
	pthread_mutex_t mu;
	pthread_cond_t cv_space, cv_work, cv_done;
	struct job **ring;
	size_t ring_n, next_seq, work_seq, emit_seq;
	int produced_all, stop;
	enum cg_err fatal;
	struct filewalk_file *orphan; /* a mapped file left half-queued */
	/* Chunk buffers and jobs are reused: a buffer goes back to the pool
	 * when its job is emitted, so the steady state allocates nothing per
	 * chunk (a fresh multi-megabyte buffer is fresh pages, a page fault
	 * every 4 KiB of input). At most pool_max of each are kept; the
	 * buffers alive are bounded by the ring anyway (ring_n jobs, the one
	 * being filled and the next one). */
	char **pool;
	size_t *pool_cap;
	size_t pool_n, pool_max;
	struct job **free_jobs;
	size_t free_n;
};

/* Drop what a job holds except its hit array and its buffer. */
static void job_clear(struct job *j)
{
	for (size_t i = 0; i < j->n_hits; i++) {
		cg_event_free(j->hits[i].ev);
		sigma_corr_hit_free(j->hits[i].ch);
	}
	j->n_hits = 0;
	free(j->errmsg);
	free(j->scan_msg);
	j->errmsg = j->scan_msg = NULL;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	job_clear(j);
	free(j->hits);
	free(j->owned);
	free(j);
}

/* A buffer of at least `want` bytes (*cap: its size), from the pool when
 * one is there. */
static char *buf_get(struct pipeline *p, size_t want, size_t *cap)
{
	char *b = NULL;
	pthread_mutex_lock(&p->mu);
	for (size_t i = p->pool_n; i-- > 0;) {
		if (p->pool_cap[i] >= want) {
			b = p->pool[i];
			*cap = p->pool_cap[i];
			p->pool[i] = p->pool[p->pool_n - 1];
			p->pool_cap[i] = p->pool_cap[p->pool_n - 1];
			p->pool_n--;
			break;
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (!b && (b = malloc(want)))
		*cap = want;
	return b;
}

/* Back to the pool; buffers grown for an oversized record are freed. */
static void buf_put(struct pipeline *p, char *b, size_t cap)
{
	if (!b)
		return;
	pthread_mutex_lock(&p->mu);
	if (cap <= 2 * p->chunk && p->pool_n < p->pool_max) {
		p->pool[p->pool_n] = b;
		p->pool_cap[p->pool_n] = cap;
		p->pool_n++;
		b = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	free(b);
}

/* The emitter hands an emitted job back: its buffer to the pool, the job
 * (with its hit array, unless a burst of hits grew it) to the free list. */
static void job_recycle(struct pipeline *p, struct job *j)
{
	job_clear(j);
	buf_put(p, j->owned, j->owned_cap);
	j->owned = NULL;
	if (j->alloc > 4096) {
		free(j->hits);
		j->hits = NULL;
		j->alloc = 0;
	}
	pthread_mutex_lock(&p->mu);
	if (p->free_n < p->pool_max) {
		p->free_jobs[p->free_n++] = j;
		j = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	job_free(j);
}

static int push_job(struct pipeline *p, struct job *j)
{
	pthread_mutex_lock(&p->mu);
	while (p->next_seq - p->emit_seq >= p->ring_n && !p->stop)
		pthread_cond_wait(&p->cv_space, &p->mu);
	if (p->stop) {
		pthread_mutex_unlock(&p->mu);
		job_free(j);
		return -1;
	}
	p->ring[p->next_seq % p->ring_n] = j;
	p->next_seq++;
	pthread_cond_broadcast(j->done ? &p->cv_done : &p->cv_work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static struct job *new_job(struct pipeline *p, size_t file_idx, enum job_kind kind)
{
	struct job *j = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->free_n)
		j = p->free_jobs[--p->free_n];
	pthread_mutex_unlock(&p->mu);
	if (j) {
		struct jhit *hits = j->hits;
		size_t alloc = j->alloc;
		memset(j, 0, sizeof *j);
		j->hits = hits;
		j->alloc = alloc;
	} else {
		j = calloc(1, sizeof *j);
	}
	if (j) {
		j->kind = kind;
		j->file_idx = file_idx;
		j->done = kind == JOB_ERROR;
	}
	return j;
}

static int push_error(struct pipeline *p, size_t fi, enum cg_err err, const char *msg)
{
	struct job *j = new_job(p, fi, JOB_ERROR);
	if (!j)
		return -1;
	j->err = err;
	j->errmsg = strdup(msg);
	j->last = 1;
	return push_job(p, j);
}

/* JSON nesting outside strings, to cut only between top-level values. */
struct jscan {
	int depth, in_str, esc;
};

/* Scan p[0, n); return the offset just after the last newline seen at depth
 * 0 outside a string, or 0 if none. */
static size_t jscan_run(struct jscan *s, const char *p, size_t n)
{
	size_t cut = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (s->in_str) {
			if (s->esc)
				s->esc = 0;
			else if (c == '\\')
				s->esc = 1;
			else if (c == '"')
				s->in_str = 0;
		} else if (c == '"') {
			s->in_str = 1;
		} else if (c == '{' || c == '[') {
			s->depth++;
		} else if (c == '}' || c == ']') {
			if (s->depth > 0)
				s->depth--;
		} else if (c == '\n' && s->depth == 0) {
			cut = i + 1;
		}
	}
	return cut;
}

/* The input's shape from its first bytes p[0, n). "[Sun Dec 04 ...]" (an
 * Apache log) is text, not a JSON array. */
static enum in_fmt sniff_input(const char *p, size_t n)
{
	enum cg_event_format f = cg_event_format_sniff(p, n < 16 ? n : 16);
	if (f == CG_EVENT_FMT_EVTX)
		return IN_EVTX;
	if (f == CG_EVENT_FMT_LINES)
		return IN_LINES;
	size_t i = 0;
	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (i < n && (p[i] == '[' || p[i] == '{')) {
		size_t k = i + 1;
		while (k < n && isspace((unsigned char)p[k]))
			k++;
		if (k < n && !strchr(p[i] == '[' ? "{[\"-0123456789tfn]" : "\"}", p[k]))
			return IN_LINES;
	}
	/* The first value ends on its first line: JSON Lines. */
	struct jscan s = {0};
	for (; i < n; i++) {
		if (p[i] == '\n')
			return s.depth == 0 && !s.in_str ? IN_JSONL : IN_JSON;
		(void)jscan_run(&s, p + i, 1);
	}
	return s.depth == 0 ? IN_JSONL : IN_JSON;
}

/* Where a chunk of buf[0, n) may end: after its last cut point. 0: none. */
static size_t find_cut(enum in_fmt fmt, const char *buf, size_t n)
{
	if (fmt == IN_JSON) {
		struct jscan s = {0};
		return jscan_run(&s, buf, n);
	}
	const char *nl = memrchr(buf, '\n', n);
	return nl ? (size_t)(nl - buf) + 1 : 0;
}

static int push_chunk(struct pipeline *p, size_t fi, enum in_fmt fmt, const char *buf, size_t len,
                      char *owned, size_t owned_cap, int last)
{
	struct job *j = new_job(p, fi, JOB_CHUNK);
	if (!j) {
		buf_put(p, owned, owned_cap);
		return -1;
	}
	j->fmt = fmt;
	j->buf = buf;
	j->len = len;
	j->owned = owned;
	j->owned_cap = owned_cap;
	j->last = last;
	return push_job(p, j);
}

/* A stream (a file, standard input, gzip, a pipe): chunks cut at cut
 * points, the tail carried to the start of the next chunk's buffer. The
 * buffers come from the pool and are read into directly. */
static int produce_stream(struct pipeline *p, size_t fi, struct filewalk_file *f)
{
	size_t cap = 0, n = 0, got;
	char *buf = buf_get(p, p->chunk, &cap);
	int at_end = 0, sniffed = 0;
	enum in_fmt fmt = IN_LINES;
	enum cg_err rc = CG_OK;
	if (!buf)
		goto oom;
	while (!at_end) {
		/* A carried tail leaves at least half a chunk to read. */
		if (n && cap - n < p->chunk / 2 + 1) {
			char *nb = realloc(buf, n + p->chunk);
			if (!nb)
				goto oom;
			buf = nb;
			cap = n + p->chunk;
		}
		size_t cut = 0;
		for (;;) {
			rc = filewalk_read(f, buf + n, cap - n, &got);
			n += got;
			if (rc || got == 0) {
				at_end = 1;
				break;
			}
			if (n < cap)
				continue;
			if (!sniffed) {
				fmt = sniff_input(buf, n);
				sniffed = 1;
			}
			if ((cut = find_cut(fmt, buf, n)))
				break;
			if (cap >= SIGMA_HUNT_VALUE_MAX) {
				rc = cg_err_set(CG_ELIMIT, _("%s: a record longer than %zu MiB"), p->files[fi],
				                SIGMA_HUNT_VALUE_MAX >> 20);
				at_end = 1;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto oom;
			buf = nb;
			cap *= 2;
		}
		if (!sniffed) {
			fmt = sniff_input(buf, n);
			sniffed = 1;
		}
		if (fmt == IN_EVTX) {
			buf_put(p, buf, cap);
			filewalk_close(f);
			return push_error(p, fi, CG_EUNSUPPORTED, _("EVTX is read from files only, not from a stream"));
		}
		if (at_end)
			cut = n;
		/* The tail after the cut goes to the next buffer before this one
		 * is queued (once queued, it may be emitted and reused). */
		char *next = NULL;
		size_t next_cap = 0, carry = n - cut;
		if (!at_end) {
			if (!(next = buf_get(p, carry + p->chunk / 2 + 1 > p->chunk ? carry + p->chunk : p->chunk, &next_cap)))
				goto oom;
			memcpy(next, buf + cut, carry);
		}
		int r = push_chunk(p, fi, fmt, buf, cut, buf, cap, at_end && !rc);
		buf = next;
		cap = next_cap;
		n = carry;
		if (r != 0) {
			buf_put(p, buf, cap);
			filewalk_close(f);
			return -1;
		}
		if (rc) {
			buf_put(p, buf, cap);
			filewalk_close(f);
			return push_error(p, fi, rc, cg_err_msg(rc));
		}
	}
	buf_put(p, buf, cap);
	filewalk_close(f);
	return 0;
oom:
	free(buf);
	filewalk_close(f);
	return -1;
}

static int produce_file(struct pipeline *p, size_t fi)
{
	const char *path = p->files[fi];
	if (strcmp(path, "-") != 0) {
		unsigned char head[16];
		size_t hn = 0;
		FILE *fp = fopen(path, "rb");
		if (!fp) {
			enum cg_err rc = cg_err_set(CG_EIO, _("%s: cannot open"), path);
			return push_error(p, fi, rc, cg_err_msg(rc));
		}
		hn = fread(head, 1, sizeof head, fp);
		fclose(fp);
		if (cg_event_format_sniff(head, hn) == CG_EVENT_FMT_EVTX) {
			struct job *j = new_job(p, fi, JOB_EVTX);
			if (!j)
				return -1;
			j->last = 1;
			return push_job(p, j);
		}
	}
	struct filewalk_file *f;
	enum cg_err rc = filewalk_open(path, &f);
	if (rc)
		return push_error(p, fi, rc, cg_err_msg(rc));
	return produce_stream(p, fi, f);
}

static void *producer(void *arg)
{
	struct pipeline *p = arg;
	size_t i = 0;
	for (; i < p->n_files; i++)
		if (produce_file(p, i) != 0)
			break;
	pthread_mutex_lock(&p->mu);
	if (i < p->n_files && !p->stop)
		p->fatal = CG_ENOMEM;
	p->produced_all = 1;
	pthread_cond_broadcast(&p->cv_work);
	pthread_cond_broadcast(&p->cv_done);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- workers ---- */

struct worker {
	struct pipeline *p;
	struct sigma_scanner *sc;
	struct cg_event *ev;
	struct job *j;
	uint64_t line; /* of the current event within the job */
	uint64_t *rule_hits, *eid_events, *eid_hits;
	enum cg_err rc;
};

static size_t eid_slot(const struct cg_event *ev)
{
	long eid = cg_event_event_id(ev);
	return eid >= 0 && eid < 65536 ? (size_t)eid + 1 : 0;
}

static int on_hit(void *ud, size_t ri, const struct sigma_rule *r, const struct cg_event *ev)
{
	struct worker *w = ud;
	struct pipeline *p = w->p;
	int emits = sigma_engine_rule_emits(p->e, ri) && (int)sigma_rule_level_num(r) >= p->o->min_level;
	int corr = sigma_corr_wants(p->corr, ri);
	if (!emits && !corr)
		return 0;
	struct job *j = w->j;
	if (emits) {
		w->rule_hits[ri]++;
		w->eid_hits[eid_slot(ev)]++;
	}
	if (j->n_hits >= SIGMA_HUNT_JOB_HITS_MAX) {
		j->dropped++;
		return 0;
	}
	if (j->n_hits == j->alloc) {
		size_t na = j->alloc ? j->alloc * 2 : 16;
		struct jhit *nh = realloc(j->hits, na * sizeof *nh);
		if (!nh) {
			w->rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			return 1;
		}
		j->hits = nh;
		j->alloc = na;
	}
	struct jhit *h = &j->hits[j->n_hits];
	memset(h, 0, sizeof *h);
	h->rule = ri;
	h->t = cg_event_epoch(ev);
	if (emits && (w->rc = cg_event_clone(ev, &h->ev)))
		return 1;
	if (corr && (w->rc = sigma_corr_prepare(p->corr, ri, ev, h->t, &h->ch))) {
		cg_event_free(h->ev);
		return 1;
	}
	h->line = w->line;
	j->n_hits++;
	return 0;
}

static int on_event(void *ud, struct cg_event *ev)
{
	struct worker *w = ud;
	w->eid_events[eid_slot(ev)]++;
	enum cg_err rc = sigma_scanner_match(w->sc, ev, on_hit, w);
	if (rc && !w->rc)
		w->rc = rc;
	return w->rc != CG_OK;
}

/* A skipped record; the first one's line (within the job) and reason are kept. */
static void note_bad(struct job *j, uint64_t line, const char *why)
{
	if (!j->st.bad++) {
		j->bad_line = line;
		snprintf(j->bad_why, sizeof j->bad_why, "%.399s", why);
	}
}

static void scan_lines(struct worker *w, struct job *j, const char *path)
{
	size_t off = 0;
	uint64_t line = 0;
	while (off < j->len && !w->rc) {
		const char *nl = memchr(j->buf + off, '\n', j->len - off);
		size_t n = nl ? (size_t)(nl - (j->buf + off)) : j->len - off;
		line++;
		if (n && !(n == 1 && j->buf[off] == '\r') && j->fmt == IN_JSONL) {
			struct cg_event_read_stats vs = {0};
			w->line = line;
			enum cg_err rc = cg_event_json_read(j->buf + off, n, path, w->ev, on_event, w, &vs);
			if (rc && !w->rc)
				w->rc = rc;
			j->st.events += vs.events;
			j->st.bytes += n;
			if (vs.bad) {
				const char *why = strstr(vs.first_bad, ": ");
				note_bad(j, line, why ? why + 2 : vs.first_bad);
				j->st.bad += vs.bad - 1;
			}
		} else if (n && !(n == 1 && j->buf[off] == '\r')) {
			enum cg_err rc = cg_event_from_line(j->buf + off, n, w->ev);
			if (rc) {
				note_bad(j, line, cg_err_msg(rc));
			} else {
				j->st.events++;
				j->st.bytes += n;
				w->line = line;
				on_event(w, w->ev);
			}
		}
		off += n + 1;
	}
	j->lines = line;
}

static void scan_json(struct worker *w, struct job *j, const char *path)
{
	size_t off = 0;
	uint64_t line = 1;
	while (off < j->len && !w->rc) {
		char c = j->buf[off];
		if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
			line += c == '\n';
			off++;
			continue;
		}
		/* One top-level value: [off, end). */
		struct jscan s = {0};
		size_t end = off;
		uint64_t nl = 0;
		for (; end < j->len; end++) {
			char ch = j->buf[end];
			nl += ch == '\n';
			int was = s.depth;
			(void)jscan_run(&s, &ch, 1);
			if (!s.in_str && was > 0 && s.depth == 0) {
				end++;
				break;
			}
			if (was == 0 && s.depth == 0 && !s.in_str && ch == '\n') {
				nl--;
				break;
			}
		}
		struct cg_event_read_stats vs = {0};
		w->line = line;
		enum cg_err rc = cg_event_json_read(j->buf + off, end - off, path, w->ev, on_event, w, &vs);
		if (rc && !w->rc)
			w->rc = rc;
		j->st.events += vs.events;
		j->st.bytes += end - off;
		if (vs.bad) {
			/* The reader names "origin:line: why"; keep the why. */
			const char *why = strstr(vs.first_bad, ": ");
			note_bad(j, line, why ? why + 2 : vs.first_bad);
			j->st.bad += vs.bad - 1;
		}
		line += nl;
		off = end;
	}
	j->lines = line - 1 + (j->len && j->buf[j->len - 1] != '\n');
}

static void run_job(struct worker *w, struct job *j)
{
	const char *path = w->p->files[j->file_idx];
	w->j = j;
	w->rc = CG_OK;
	w->line = 0;
	cg_err_clear();
	if (j->kind == JOB_EVTX) {
		enum cg_err rc = cg_event_evtx_read(path, w->ev, on_event, w, &j->st);
		if (rc && !w->rc) {
			j->err = rc;
			j->errmsg = strdup(cg_err_msg(rc));
		}
	} else if (j->fmt == IN_JSON) {
		scan_json(w, j, path);
	} else {
		scan_lines(w, j, path);
	}
	if (w->rc) {
		j->scan_rc = w->rc;
		j->scan_msg = strdup(cg_err_msg(w->rc));
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->work_seq == p->next_seq && !p->produced_all && !p->stop)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->work_seq < p->emit_seq)
			p->work_seq = p->emit_seq;
		if (p->stop || p->work_seq == p->next_seq)
			break;
		struct job *j = p->ring[p->work_seq % p->ring_n];
		p->work_seq++;
		if (j->done)
			continue;
		pthread_mutex_unlock(&p->mu);
		run_job(w, j);
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the emitter (calling thread) ---- */

struct emit {
	struct pipeline *p;
	const struct sigma_hunt_sink *sink;
	struct sigma_hunt_stats *st;
	enum cg_err sink_rc;
};

static void on_fire(void *ud, const struct sigma_corr_fire *f)
{
	struct emit *em = ud;
	if (!f->emits || (int)sigma_rule_level_num(f->rule) < em->p->o->min_level || em->sink_rc)
		return;
	em->st->corr_hits++;
	struct sigma_hunt_hit h = {
		.kind = SIGMA_HIT_CORRELATION,
		.rule_index = f->corr_index,
		.rule = f->rule,
		.rule_id = sigma_rule_id(f->rule),
		.title = sigma_rule_title(f->rule),
		.level = sigma_rule_level(f->rule),
		.time = f->last,
		.time_text = "",
		.host = f->host,
		.file = "",
		.event_id = -1,
		.channel = "",
		.group = f->group,
		.count = f->count,
		.first = f->first,
	};
	if (em->sink->hit)
		em->sink_rc = em->sink->hit(em->sink->ctx, &h);
}

struct file_acc {
	uint64_t line_base, bad;
	char first_bad[512];
};

static enum cg_err emit_job(struct emit *em, struct job *j, struct file_acc *fa)
{
	struct pipeline *p = em->p;
	const char *path = p->files[j->file_idx];
	enum cg_err rc = CG_OK;
	if (j->kind == JOB_ERROR)
		return CG_OK;
	if (j->scan_rc)
		return cg_err_set(j->scan_rc, "%s", j->scan_msg ? j->scan_msg : "");
	for (size_t i = 0; i < j->n_hits && !rc; i++) {
		struct jhit *x = &j->hits[i];
		const struct sigma_rule *r = sigma_engine_rule(p->e, x->rule);
		if (x->ev) {
			em->st->hits++;
			struct sigma_hunt_hit h = {
				.kind = SIGMA_HIT_RULE,
				.rule_index = x->rule,
				.rule = r,
				.rule_id = sigma_rule_id(r),
				.title = sigma_rule_title(r),
				.level = sigma_rule_level(r),
				.time = x->t,
				.time_text = cg_event_time(x->ev),
				.host = cg_event_computer(x->ev),
				.file = path,
				.record_id = cg_event_record_id(x->ev),
				.line = x->line ? fa->line_base + x->line : 0,
				.event_id = cg_event_event_id(x->ev),
				.channel = cg_event_channel(x->ev),
				.event = x->ev,
			};
			if (em->sink->hit && (rc = em->sink->hit(em->sink->ctx, &h)))
				break;
		}
		if (x->ch) {
			rc = sigma_corr_feed_hit(p->corr, x->ch);
			x->ch = NULL;
		}
		if (!rc)
			rc = em->sink_rc;
	}
	uint64_t line_base_before = fa->line_base;
	fa->line_base += j->lines;
	em->st->events += j->st.events;
	em->st->bytes += j->st.bytes;
	em->st->hits_dropped += j->dropped;
	if (j->st.bad && !fa->bad) {
		if (j->kind == JOB_EVTX)
			snprintf(fa->first_bad, sizeof fa->first_bad, "%s", j->st.first_bad);
		else
			snprintf(fa->first_bad, sizeof fa->first_bad, "%s:%llu: %s", path,
			         (unsigned long long)(line_base_before + j->bad_line), j->bad_why);
	}
	fa->bad += j->st.bad;
	return rc;
}

static enum cg_err emitter(struct emit *em)
{
	struct pipeline *p = em->p;
	struct file_acc fa = {0};
	enum cg_err rc = CG_OK;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!(p->emit_seq < p->next_seq && p->ring[p->emit_seq % p->ring_n]->done) &&
		       !(p->produced_all && p->emit_seq == p->next_seq))
			pthread_cond_wait(&p->cv_done, &p->mu);
		if (p->emit_seq == p->next_seq) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		struct job *j = p->ring[p->emit_seq % p->ring_n];
		if (p->work_seq <= p->emit_seq)
			p->work_seq = p->emit_seq + 1;
		pthread_mutex_unlock(&p->mu);

		rc = emit_job(em, j, &fa);
		if (!rc && (j->last || j->kind == JOB_ERROR)) {
			const char *path = p->files[j->file_idx];
			enum cg_err ferr = j->err;
			em->st->files++;
			em->st->bad += fa.bad;
			if (ferr)
				em->st->input_errors++;
			if (em->sink->file_done)
				em->sink->file_done(em->sink->ctx, path, ferr, j->errmsg ? j->errmsg : "", fa.bad, fa.first_bad);
			if (em->sink->progress)
				em->sink->progress(em->sink->ctx, path, j->file_idx + 1, p->n_files);
			memset(&fa, 0, sizeof fa);
		}
		if (j->last && j->file)
			filewalk_close(j->file);
		job_recycle(p, j);
		pthread_mutex_lock(&p->mu);
		p->ring[p->emit_seq % p->ring_n] = NULL;
		p->emit_seq++;
		if (rc)
			p->stop = 1;
		pthread_cond_broadcast(&p->cv_work);
		pthread_cond_broadcast(&p->cv_space);
		pthread_mutex_unlock(&p->mu);
		if (rc)
			break;
	}
	return rc;
}

void sigma_hunt_stats_fini(struct sigma_hunt_stats *st)
{
	if (!st)
		return;
	free(st->rule_hits);
	free(st->rule_regex_limits);
	free(st->eid_events);
	free(st->eid_hits);
	st->rule_hits = st->rule_regex_limits = st->eid_events = st->eid_hits = NULL;
}

static enum cg_err collect(char *const *paths, size_t n, char ***files, size_t *nf)
{
	/* "-" is standard input, kept in its place among the paths. */
	char **all = NULL;
	size_t na = 0;
	enum cg_err rc = CG_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		char **v = NULL;
		size_t vn = 0;
		if (strcmp(paths[i], "-") == 0) {
			if (!(v = malloc(sizeof *v)) || !(v[0] = strdup("-"))) {
				free(v);
				rc = cg_err_set(CG_ENOMEM, _("out of memory"));
				break;
			}
			vn = 1;
		} else if ((rc = sigma_collect_files(&paths[i], 1, &v, &vn))) {
			break;
		}
		char **nv = realloc(all, (na + vn + 1) * sizeof *nv);
		if (!nv) {
			sigma_files_free(v, vn);
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			break;
		}
		all = nv;
		memcpy(all + na, v, vn * sizeof *v);
		na += vn;
		free(v);
	}
	if (rc) {
		sigma_files_free(all, na);
		return rc;
	}
	*files = all;
	*nf = na;
	return CG_OK;
}

static void set_mmap_threshold(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

/* Chunk buffers (megabytes each) come from a pool (see struct pipeline).
 * glibc raises its mmap threshold to the size of the first such buffer
 * freed, after which buffers grown for long records would come from the
 * heap arenas and fragment them; a fixed threshold keeps every chunk an
 * mmap of its own, returned to the system when freed, so memory stays flat
 * whatever the input size. */
static void chunk_memory_policy(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	(void)pthread_once(&once, set_mmap_threshold);
}

enum cg_err sigma_hunt_run(const struct sigma_engine *e, char *const *paths, size_t n,
                           const struct sigma_hunt_opts *o, const struct sigma_hunt_sink *sink,
                           struct sigma_hunt_stats *stats)
{
	struct pipeline p;
	struct worker *ws = NULL;
	pthread_t prod, *tids = NULL;
	unsigned nt = o->threads, started = 0;
	int prod_started = 0, sync_init = 0;

	chunk_memory_policy();
	struct emit em = {&p, sink, stats, CG_OK};
	size_t nr = sigma_engine_rule_count(e);
	enum cg_err rc;

	memset(&p, 0, sizeof p);
	memset(stats, 0, sizeof *stats);
	if (!nt) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nt = c < 1 ? 1 : (unsigned)c;
	}
	if (nt > SIGMA_HUNT_THREADS_MAX)
		nt = SIGMA_HUNT_THREADS_MAX;
	stats->n_rules = nr;
	stats->rule_hits = calloc(nr + 1, sizeof(uint64_t));
	stats->rule_regex_limits = calloc(nr + 1, sizeof(uint64_t));
	stats->eid_events = calloc(SIGMA_HUNT_EID_SLOTS, sizeof(uint64_t));
	stats->eid_hits = calloc(SIGMA_HUNT_EID_SLOTS, sizeof(uint64_t));
	if (!stats->rule_hits || !stats->rule_regex_limits || !stats->eid_events || !stats->eid_hits)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	p.e = e;
	p.o = o;
	p.chunk = o->chunk_size ? o->chunk_size : SIGMA_HUNT_CHUNK_DEFAULT;
	if ((rc = sigma_corr_new(e, &o->corr, on_fire, &em, &p.corr)))
		return rc;
	if ((rc = collect(paths, n, &p.files, &p.n_files)))
		goto out;
	p.ring_n = 2 * (size_t)nt + 2;
	p.ring = calloc(p.ring_n, sizeof *p.ring);
	p.pool_max = p.ring_n + 2;
	p.pool = calloc(p.pool_max, sizeof *p.pool);
	p.pool_cap = calloc(p.pool_max, sizeof *p.pool_cap);
	p.free_jobs = calloc(p.pool_max, sizeof *p.free_jobs);
	tids = calloc(nt, sizeof *tids);
	ws = calloc(nt, sizeof *ws);
	if (!p.ring || !tids || !ws || !p.pool || !p.pool_cap || !p.free_jobs) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv_space, NULL);
	pthread_cond_init(&p.cv_work, NULL);
	pthread_cond_init(&p.cv_done, NULL);
	sync_init = 1;
	for (unsigned i = 0; i < nt; i++) {
		ws[i].p = &p;
		ws[i].rule_hits = calloc(nr + 1, sizeof(uint64_t));
		ws[i].eid_events = calloc(SIGMA_HUNT_EID_SLOTS, sizeof(uint64_t));
		ws[i].eid_hits = calloc(SIGMA_HUNT_EID_SLOTS, sizeof(uint64_t));
		if (!ws[i].rule_hits || !ws[i].eid_events || !ws[i].eid_hits) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto stop;
		}
		if ((rc = sigma_scanner_new(e, &ws[i].sc)) || (rc = cg_event_new(&ws[i].ev)))
			goto stop;
		/* The reference for RFC 3164 stamps without a year. */
		cg_event_set_received(ws[i].ev, o->now * CG_TIME_US_PER_S);
		if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0) {
			rc = cg_err_set(CG_EINTERNAL, _("cannot start a worker thread"));
			goto stop;
		}
		started++;
	}
	if (pthread_create(&prod, NULL, producer, &p) != 0) {
		rc = cg_err_set(CG_EINTERNAL, _("cannot start the reader thread"));
		goto stop;
	}
	prod_started = 1;
	rc = emitter(&em);
	if (!rc && p.fatal)
		rc = cg_err_set(p.fatal, _("out of memory while reading the input"));
stop:
	pthread_mutex_lock(&p.mu);
	if (rc)
		p.stop = 1;
	pthread_cond_broadcast(&p.cv_work);
	pthread_cond_broadcast(&p.cv_space);
	pthread_mutex_unlock(&p.mu);
	if (prod_started)
		pthread_join(prod, NULL);
	pthread_mutex_lock(&p.mu);
	p.produced_all = 1;
	pthread_cond_broadcast(&p.cv_work);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (size_t s = p.emit_seq; s < p.next_seq; s++) {
		struct job *j = p.ring[s % p.ring_n];
		if (j && j->last && j->file)
			filewalk_close(j->file);
		job_free(j);
	}
	filewalk_close(p.orphan);
	if (!rc)
		rc = sigma_corr_flush(p.corr);
	if (!rc)
		rc = em.sink_rc;
out:
	for (unsigned i = 0; ws && i < nt; i++) {
		for (size_t k = 0; ws[i].rule_hits && k < nr; k++)
			stats->rule_hits[k] += ws[i].rule_hits[k];
		for (size_t k = 0; ws[i].eid_events && k < SIGMA_HUNT_EID_SLOTS; k++) {
			stats->eid_events[k] += ws[i].eid_events[k];
			stats->eid_hits[k] += ws[i].eid_hits[k];
		}
		if (ws[i].sc) {
			struct sigma_scan_stats ss;
			sigma_scanner_stats(ws[i].sc, &ss);
			stats->truncated += ss.truncated;
			stats->regex_limits += ss.regex_limits;
			for (size_t k = 0; k < nr; k++)
				stats->rule_regex_limits[k] += sigma_scanner_regex_limits(ws[i].sc, k);
		}
		free(ws[i].rule_hits);
		free(ws[i].eid_events);
		free(ws[i].eid_hits);
		sigma_scanner_free(ws[i].sc);
		cg_event_free(ws[i].ev);
	}
	if (p.corr)
		sigma_corr_get_stats(p.corr, &stats->corr);
	if (sync_init) {
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv_space);
		pthread_cond_destroy(&p.cv_work);
		pthread_cond_destroy(&p.cv_done);
	}
	sigma_corr_free(p.corr);
	sigma_files_free(p.files, p.n_files);
	free(p.ring);
	for (size_t i = 0; i < p.pool_n; i++)
		free(p.pool[i]);
	for (size_t i = 0; i < p.free_n; i++)
		job_free(p.free_jobs[i]);
	free(p.pool);
	free(p.pool_cap);
	free(p.free_jobs);
	free(tids);
	free(ws);
	return rc;
}
