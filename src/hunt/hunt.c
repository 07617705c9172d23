#include "hunt.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cg_i18n.h"
#include "filewalk.h"
#include "hunt_match.h"

/* Bytes per chunk read from a stream (gzip, pipe). */
#define HUNT_STREAM_CHUNK ((size_t)1 << 20)

/* hitrec.note_off of a hit the worker did not annotate. */
#define NOTE_NONE SIZE_MAX

/* One hit found by a worker, relative to its chunk; `m` first, for
 * hunt_match_dedupe. */
struct hitrec {
	struct hunt_match m; /* found_off, found_len, entry */
	uint64_t line_idx;   /* newlines before the hit's line in the chunk */
	size_t line_off, line_len;
	size_t note_off, note_len; /* in the chunk's note buffer */
};

struct hitvec {
	struct hitrec *v;
	size_t n, cap;
};

/* What one scanning thread needs besides the chunk. */
struct scanner {
	struct hunt_matcher *m;
};

static enum cg_err hitvec_push(struct hitvec *h, const struct hitrec *r)
{
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		void *p = realloc(h->v, nc * sizeof *h->v);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		h->v = p;
		h->cap = nc;
	}
	h->v[h->n++] = *r;
	return CG_OK;
}

/* Newlines in p[0, n): sixteen bytes at a time where SSE2 is there (every
 * x86-64), else eight. Every chunk is counted whole, so this is part of the
 * cost of every byte. */
static uint64_t count_nl(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t c = 0;
	size_t i = 0;

#ifdef __SSE2__
	{
		const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
		while (i + 16 <= n) {
			/* Per-byte counters of up to 255 compares, then one horizontal sum. */
			__m128i acc = zero;
			size_t stop = n - i >= 255 * 16 ? i + 255 * 16 : i + ((n - i) & ~(size_t)15);
			for (; i < stop; i += 16) {
				__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
				acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
			}
			acc = _mm_sad_epu8(acc, zero);
			c += (uint64_t)_mm_cvtsi128_si64(acc) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
		}
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t w, x;
		memcpy(&w, p + i, 8);
		x = w ^ (ones * '\n');
		/* 0x80 exactly in the bytes of x that are zero. */
		x = ~(((x & low7) + low7) | x | low7);
		/* Bytes are now 0x80 or 0: shift to 1 or 0 and sum them in the top byte. */
		c += ((x >> 7) * ones) >> 56;
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/* Scan the lines of chunk[0, len) as one text (a newline ends every token),
 * then place each hit on its line. `complete_tail`: a last line without a
 * newline ends here (end of file) rather than in the next chunk. */
static enum cg_err tidy_line(const char *chunk, struct hitrec *v, size_t *n)
{
	return hunt_match_dedupe(chunk, v, sizeof *v, n);
}

static enum cg_err scan_chunk(struct scanner *sc, const char *chunk, size_t len, int complete_tail,
			      struct hitvec *out, uint64_t *lines)
{
	const struct hunt_match *mv;
	size_t n_mv = 0, pos = 0, line_start = 0, line_end = 0, first = 0;
	uint64_t idx = 0;
	int have_line = 0;
	enum cg_err rc;

	if ((rc = hunt_matcher_scan(sc->m, chunk, len, &mv, &n_mv)))
		return rc;
	for (size_t mi = 0; mi < n_mv; mi++) {
		const struct hunt_match *h = &mv[mi];
		struct hitrec r;
		if (!have_line || h->off > line_end) {
			const char *nl;
			if (have_line && out->n - first > 1) {
				size_t n = out->n - first;
				if ((rc = tidy_line(chunk, out->v + first, &n)))
					return rc;
				out->n = first + n;
			}
			nl = h->off > pos ? memrchr(chunk + pos, '\n', h->off - pos) : NULL;
			line_start = nl ? (size_t)(nl - chunk) + 1 : pos;
			idx += count_nl(chunk + pos, line_start - pos);
			pos = line_start;
			nl = memchr(chunk + h->off, '\n', len - h->off);
			line_end = nl ? (size_t)(nl - chunk) : len;
			first = out->n;
			have_line = 1;
		}
		r.line_idx = idx;
		r.line_off = line_start;
		r.line_len = line_end - line_start;
		if (r.line_len && chunk[line_end - 1] == '\r')
			r.line_len--;
		/* A URL match cannot reach past the line, but stay safe. */
		if (h->off + h->len > line_start + r.line_len)
			continue;
		r.m = *h;
		r.note_off = NOTE_NONE;
		r.note_len = 0;
		if ((rc = hitvec_push(out, &r)))
			return rc;
	}
	if (have_line && out->n - first > 1) {
		size_t n = out->n - first;
		if ((rc = tidy_line(chunk, out->v + first, &n)))
			return rc;
		out->n = first + n;
	}
	idx += count_nl(chunk + pos, len - pos);
	*lines = idx + (len && chunk[len - 1] != '\n' && complete_tail ? 1 : 0);
	return CG_OK;
}

static enum cg_err scanner_init(struct scanner *sc, const struct ioc_set *set)
{
	return hunt_matcher_new(set, &sc->m);
}

static void scanner_fini(struct scanner *sc)
{
	hunt_matcher_free(sc->m);
	sc->m = NULL;
}

static struct hunt_hit hit_of(const char *file, const char *chunk, const struct hitrec *r, uint64_t line)
{
	return (struct hunt_hit){
		.file = file,
		.line = line,
		.line_text = chunk + r->line_off,
		.line_len = r->line_len,
		.found = chunk + r->m.off,
		.found_len = r->m.len,
		.entry = r->m.e,
	};
}

/* Run sink->annotate over the hits of a chunk (on a worker), notes into
 * `notes`. When `notes` is full the rest stay NOTE_NONE for the emitter. */
static enum cg_err annotate_hits(const struct hunt_sink *sink, const char *file, const char *chunk,
				 struct hitvec *h, void *scratch, struct cg_buf *notes)
{
	for (size_t i = 0; i < h->n; i++) {
		struct hitrec *r = &h->v[i];
		struct hunt_hit hit = hit_of(file, chunk, r, 0);
		size_t start = notes->len;
		int same = i > 0 && h->v[i - 1].line_off == r->line_off;
		enum cg_err rc = sink->annotate(sink->ctx, &hit, same, scratch, notes);

		if (rc == CG_ELIMIT) {
			notes->len = start;
			if (notes->data)
				notes->data[start] = '\0';
			break;
		}
		if (rc)
			return rc;
		r->note_off = start;
		r->note_len = notes->len - start;
	}
	return CG_OK;
}

/* What the emitter needs to annotate the hits the workers left over. */
struct late_notes {
	void *scratch;
	struct cg_buf buf; /* one note at a time, not capped */
};

static enum cg_err late_notes_init(struct late_notes *ln, const struct hunt_sink *sink)
{
	ln->scratch = NULL;
	cg_buf_init(&ln->buf, 0);
	if (!sink->annotate)
		return CG_OK;
	if (sink->annotate_scratch > HUNT_SCRATCH_MAX)
		return cg_err_set(CG_EINVAL, "hunt: annotate scratch of %zu bytes is over the limit", sink->annotate_scratch);
	if (!(ln->scratch = calloc(1, sink->annotate_scratch ? sink->annotate_scratch : 1)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

static void late_notes_fini(struct late_notes *ln)
{
	free(ln->scratch);
	cg_buf_free(&ln->buf);
}

/* Hand the hits of one chunk to the sink; `base` is the file's line count
 * before the chunk. `notes`: what the worker annotated. */
static enum cg_err emit_hits(const struct hunt_sink *sink, const char *file, const char *chunk,
			     const struct hitvec *h, const struct cg_buf *notes, struct late_notes *ln, uint64_t base,
			     struct hunt_stats *st)
{
	size_t prev_late = SIZE_MAX;

	for (size_t i = 0; i < h->n; i++) {
		const struct hitrec *r = &h->v[i];
		struct hunt_hit hit = hit_of(file, chunk, r, base + r->line_idx + 1);
		enum cg_err rc;

		st->hits++;
		if (!sink->hit)
			continue;
		if (r->note_off != NOTE_NONE) {
			hit.note = notes->data + r->note_off;
			hit.note_len = r->note_len;
		} else if (sink->annotate) {
			int same = prev_late != SIZE_MAX && prev_late + 1 == i && h->v[prev_late].line_off == r->line_off;
			struct hunt_hit bare = hit_of(file, chunk, r, 0);
			cg_buf_reset(&ln->buf);
			if ((rc = sink->annotate(sink->ctx, &bare, same, ln->scratch, &ln->buf)))
				return rc;
			prev_late = i;
			hit.note = ln->buf.data ? ln->buf.data : "";
			hit.note_len = ln->buf.len;
		}
		if ((rc = sink->hit(sink->ctx, &hit)))
			return rc;
	}
	return CG_OK;
}

enum cg_err hunt_buffer(const struct ioc_set *set, const char *name, const char *buf, size_t len,
			const struct hunt_sink *sink, struct hunt_stats *stats)
{
	struct scanner sc;
	struct hitvec h = {0};
	struct hunt_stats local = {0};
	struct late_notes ln;
	struct cg_buf notes;
	uint64_t lines = 0;
	enum cg_err rc;

	cg_buf_init(&notes, HUNT_NOTE_CAP_DEFAULT);
	if ((rc = late_notes_init(&ln, sink)))
		return rc;
	if ((rc = scanner_init(&sc, set))) {
		late_notes_fini(&ln);
		return rc;
	}
	rc = scan_chunk(&sc, buf, len, 1, &h, &lines);
	if (!rc && sink->annotate)
		rc = annotate_hits(sink, name, buf, &h, ln.scratch, &notes);
	if (!rc)
		rc = emit_hits(sink, name, buf, &h, &notes, &ln, 0, &local);
	local.files = 1;
	local.bytes = len;
	local.lines = lines;
	if (stats)
		*stats = local;
	free(h.v);
	cg_buf_free(&notes);
	late_notes_fini(&ln);
	scanner_fini(&sc);
	return rc;
}

/* ---- the parallel pipeline ---- */

enum job_kind { JOB_CHUNK, JOB_ERROR };

struct job {
	enum job_kind kind;
	const struct filewalk_entry *fe;
	struct filewalk_file *file; /* closed by the emitter after the last chunk */
	const char *buf;
	size_t len;
	char *owned; /* stream buffer */
	int last;          /* last chunk of its file */
	uint64_t raw_done; /* on-disk bytes of the file done after this chunk */
	enum cg_err err;   /* JOB_ERROR, or a read error after this (last) chunk */
	char *errmsg;
	int long_line; /* chunk ends inside a line cut at the cap */
	/* Filled in by a worker. */
	int done;
	enum cg_err scan_rc;
	char *scan_msg;
	struct hitvec hits;
	struct cg_buf notes;
	uint64_t lines;
};

struct pipeline {
	const struct ioc_set *set;
	const struct filewalk *walk;
	const struct hunt_sink *sink;
	size_t chunk;
	size_t note_cap;
	pthread_mutex_t mu;
	pthread_cond_t cv_space, cv_work, cv_done;
	struct job **ring;
	size_t ring_n;
	size_t next_seq, work_seq, emit_seq;
	int produced_all, stop;
	enum cg_err fatal; /* a failure of the producer itself */
	struct filewalk_file *orphan; /* a mapped file left half-queued */
};

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->owned);
	free(j->errmsg);
	free(j->scan_msg);
	free(j->hits.v);
	cg_buf_free(&j->notes);
	free(j);
}

/* Queue a job in sequence; waits for room. Returns 0, or -1 when stopping. */
static int push_job(struct pipeline *p, struct job *j)
{
	pthread_mutex_lock(&p->mu);
	while (p->next_seq - p->emit_seq >= p->ring_n && !p->stop)
		pthread_cond_wait(&p->cv_space, &p->mu);
	if (p->stop) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	p->ring[p->next_seq % p->ring_n] = j;
	p->next_seq++;
	pthread_cond_broadcast(j->done ? &p->cv_done : &p->cv_work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static struct job *new_job(const struct pipeline *p, const struct filewalk_entry *fe, enum job_kind kind)
{
	struct job *j = calloc(1, sizeof *j);
	if (j) {
		cg_buf_init(&j->notes, p->note_cap);
		j->kind = kind;
		j->fe = fe;
		j->done = kind == JOB_ERROR;
	}
	return j;
}

static int push_error(struct pipeline *p, const struct filewalk_entry *fe, enum cg_err err, const char *msg)
{
	struct job *j = new_job(p, fe, JOB_ERROR);
	if (!j)
		return -1;
	j->err = err;
	j->errmsg = strdup(msg);
	j->last = 1;
	if (push_job(p, j) != 0) {
		job_free(j);
		return -1;
	}
	return 0;
}

/* Read a stream into chunks that end at a newline; the tail after the last
 * newline moves to the next chunk. */
static int produce_stream(struct pipeline *p, const struct filewalk_entry *fe, struct filewalk_file *f)
{
	char *carry = NULL;
	size_t carry_n = 0;
	int at_end = 0;

	while (!at_end) {
		/* Stream chunks are smaller than mapped ones: they are real memory,
		 * and a ring of them is in flight. */
		size_t step = p->chunk < HUNT_STREAM_CHUNK ? p->chunk : HUNT_STREAM_CHUNK;
		size_t cap = carry_n + (step < 4096 ? 4096 : step), n = carry_n, got;
		char *buf;
		struct job *j;
		enum cg_err rc = CG_OK;
		int cut_line = 0;

		buf = malloc(cap);
		if (!buf)
			goto oom;
		if (carry_n)
			memcpy(buf, carry, carry_n);
		free(carry);
		carry = NULL;
		carry_n = 0;
		/* Fill; a line longer than the buffer makes it grow up to the cap. */
		for (;;) {
			const char *nl;
			rc = filewalk_read(f, buf + n, cap - n, &got);
			n += got;
			if (rc || got == 0) {
				at_end = 1;
				break;
			}
			if (n < cap)
				continue;
			nl = memrchr(buf, '\n', n);
			if (nl) {
				carry_n = n - (size_t)(nl - buf) - 1;
				break;
			}
			if (cap >= HUNT_STREAM_LINE_MAX) {
				cut_line = 1;
				break;
			}
			{
				char *nb = realloc(buf, cap * 2);
				if (!nb) {
					free(buf);
					goto oom;
				}
				buf = nb;
				cap *= 2;
			}
		}
		if (carry_n) {
			carry = malloc(carry_n);
			if (!carry) {
				free(buf);
				goto oom;
			}
			memcpy(carry, buf + n - carry_n, carry_n);
			n -= carry_n;
		}
		if (!(j = new_job(p, fe, JOB_CHUNK))) {
			free(buf);
			goto oom;
		}
		j->file = f;
		j->owned = buf;
		j->buf = buf;
		j->len = n;
		j->last = at_end;
		j->long_line = cut_line;
		j->raw_done = filewalk_raw_pos(f);
		if (rc) {
			j->err = rc;
			j->errmsg = strdup(cg_err_msg(rc));
		}
		if (push_job(p, j) != 0) {
			/* Stream chunks own their bytes, so the file can go now. */
			filewalk_close(f);
			job_free(j);
			free(carry);
			return -1;
		}
	}
	free(carry);
	return 0;
oom:
	free(carry);
	filewalk_close(f);
	return -1;
}

static void *producer(void *arg)
{
	struct pipeline *p = arg;
	size_t n = filewalk_count(p->walk), i_done = 0;

	for (size_t i = 0; i < n; i++) {
		const struct filewalk_entry *fe = filewalk_get(p->walk, i);
		struct filewalk_file *f;
		enum cg_err rc;
		int r;

		if (fe->err) {
			r = push_error(p, fe, fe->err, fe->error);
		} else if ((rc = filewalk_open(fe->path, &f))) {
			r = push_error(p, fe, rc, cg_err_msg(rc));
		} else {
			r = produce_stream(p, fe, f);
		}
		if (r != 0)
			break;
		i_done = i + 1;
	}
	pthread_mutex_lock(&p->mu);
	/* Leaving early without a stop request means memory ran out. */
	if (i_done < n && !p->stop)
		p->fatal = CG_ENOMEM;
	p->produced_all = 1;
	pthread_cond_broadcast(&p->cv_work);
	pthread_cond_broadcast(&p->cv_done);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct worker_arg {
	struct pipeline *p;
	struct scanner sc;
	void *scratch; /* for sink->annotate */
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct pipeline *p = wa->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j;
		while (p->work_seq == p->next_seq && !p->produced_all && !p->stop)
			pthread_cond_wait(&p->cv_work, &p->mu);
		/* Jobs done at birth (errors) may be emitted before any worker passed them. */
		if (p->work_seq < p->emit_seq)
			p->work_seq = p->emit_seq;
		if (p->stop || p->work_seq == p->next_seq)
			break;
		j = p->ring[p->work_seq % p->ring_n];
		p->work_seq++;
		if (j->done)
			continue;
		pthread_mutex_unlock(&p->mu);
		cg_err_clear();
		/* A last line without a newline is a line; a cut one goes on in the next chunk. */
		j->scan_rc = scan_chunk(&wa->sc, j->buf, j->len, j->last, &j->hits, &j->lines);
		if (!j->scan_rc && p->sink->annotate)
			j->scan_rc = annotate_hits(p->sink, j->fe->path, j->buf, &j->hits, wa->scratch, &j->notes);
		if (j->scan_rc)
			j->scan_msg = strdup(cg_err_msg(j->scan_rc));
		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > (long)HUNT_THREADS_MAX ? HUNT_THREADS_MAX : (unsigned)n;
}

/* The calling thread: take chunks in sequence and hand their hits out. */
static enum cg_err emitter(struct pipeline *p, const struct hunt_sink *sink, struct late_notes *ln,
			   struct hunt_stats *st)
{
	uint64_t base = 0, total = filewalk_bytes(p->walk), done_before = 0;
	enum cg_err rc = CG_OK;

	for (;;) {
		struct job *j;
		pthread_mutex_lock(&p->mu);
		while (!(p->emit_seq < p->next_seq && p->ring[p->emit_seq % p->ring_n]->done) &&
		       !(p->produced_all && p->emit_seq == p->next_seq))
			pthread_cond_wait(&p->cv_done, &p->mu);
		if (p->emit_seq == p->next_seq) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		j = p->ring[p->emit_seq % p->ring_n];
		/* A job done at birth (an error) that no worker has passed yet: make
		 * them skip it now, as it is freed below without the lock. */
		if (p->work_seq <= p->emit_seq)
			p->work_seq = p->emit_seq + 1;
		pthread_mutex_unlock(&p->mu);

		if (!rc && j->kind == JOB_ERROR) {
			st->errors++;
			if (sink->file_error)
				sink->file_error(sink->ctx, j->fe->path, j->err, j->errmsg ? j->errmsg : "", 0);
		} else if (!rc) {
			if (j->scan_rc) {
				rc = cg_err_set(j->scan_rc, "%s", j->scan_msg ? j->scan_msg : "");
			} else {
				rc = emit_hits(sink, j->fe->path, j->buf, &j->hits, &j->notes, ln, base, st);
				base += j->lines;
				st->lines += j->lines;
				st->bytes += j->len;
				st->long_lines += (uint64_t)j->long_line;
			}
			if (!rc && j->last) {
				st->files++;
				if (j->err) {
					st->errors++;
					if (sink->file_error)
						sink->file_error(sink->ctx, j->fe->path, j->err, j->errmsg ? j->errmsg : "",
								 base);
				}
			}
			if (!rc && sink->progress)
				sink->progress(sink->ctx, done_before + j->raw_done, total);
		}
		if (j->last) {
			done_before += j->fe->size;
			base = 0;
			filewalk_close(j->file);
		}
		job_free(j);
		pthread_mutex_lock(&p->mu);
		p->ring[p->emit_seq % p->ring_n] = NULL;
		p->emit_seq++;
		if (rc)
			p->stop = 1;
		pthread_cond_broadcast(&p->cv_work);
		pthread_cond_broadcast(&p->cv_space);
		pthread_mutex_unlock(&p->mu);
		/* Chunks still queued are freed by the caller once the threads are gone. */
		if (rc)
			break;
	}
	return rc;
}

enum cg_err hunt_paths(const struct ioc_set *set, const char *const *paths, size_t n, const struct hunt_opts *opts,
		       const struct hunt_sink *sink, struct hunt_stats *stats)
{
	struct pipeline p = {0};
	struct filewalk *walk = NULL;
	struct worker_arg *wa = NULL;
	pthread_t prod, *tids = NULL;
	unsigned nthreads = opts && opts->threads ? opts->threads : online_cpus(), started = 0;
	int prod_started = 0;
	struct hunt_stats st = {0};
	struct late_notes ln;
	enum cg_err rc;

	if (nthreads > HUNT_THREADS_MAX)
		nthreads = HUNT_THREADS_MAX;
	if ((rc = late_notes_init(&ln, sink)))
		return rc;
	if ((rc = filewalk_collect(paths, n, &walk))) {
		late_notes_fini(&ln);
		return rc;
	}
	p.set = set;
	p.walk = walk;
	p.sink = sink;
	p.chunk = opts && opts->chunk_size ? opts->chunk_size : HUNT_CHUNK_DEFAULT;
	p.note_cap = opts && opts->note_cap ? opts->note_cap : HUNT_NOTE_CAP_DEFAULT;
	p.ring_n = 2 * (size_t)nthreads + 2;
	p.ring = calloc(p.ring_n, sizeof *p.ring);
	tids = calloc(nthreads, sizeof *tids);
	wa = calloc(nthreads, sizeof *wa);
	if (!p.ring || !tids || !wa) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv_space, NULL);
	pthread_cond_init(&p.cv_work, NULL);
	pthread_cond_init(&p.cv_done, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		wa[i].p = &p;
		if (sink->annotate && !(wa[i].scratch = calloc(1, sink->annotate_scratch ? sink->annotate_scratch : 1))) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto stop;
		}
		if ((rc = scanner_init(&wa[i].sc, set)))
			goto stop;
		if (pthread_create(&tids[i], NULL, worker, &wa[i]) != 0) {
			scanner_fini(&wa[i].sc);
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
	rc = emitter(&p, sink, &ln, &st);
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
	/* After a stop the producer may have left jobs behind; let workers see the end. */
	pthread_mutex_lock(&p.mu);
	p.produced_all = 1;
	pthread_cond_broadcast(&p.cv_work);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		scanner_fini(&wa[i].sc);
	}
	/* Jobs never emitted (stopped early): free them; close each file once. */
	for (size_t s = p.emit_seq; s < p.next_seq; s++) {
		struct job *j = p.ring[s % p.ring_n];
		if (j && j->last && j->file)
			filewalk_close(j->file);
		job_free(j);
	}
	filewalk_close(p.orphan);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv_space);
	pthread_cond_destroy(&p.cv_work);
	pthread_cond_destroy(&p.cv_done);
out:
	for (unsigned i = 0; wa && i < nthreads; i++)
		free(wa[i].scratch);
	late_notes_fini(&ln);
	free(p.ring);
	free(tids);
	free(wa);
	filewalk_free(walk);
	if (stats)
		*stats = st;
	return rc;
}
