#include "hunt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "extract.h"
#include "filewalk.h"

/* Bytes per chunk read from a stream (gzip, pipe). */
#define HUNT_STREAM_CHUNK ((size_t)1 << 20)

/* One hit found by a worker, relative to its chunk. */
struct hitrec {
	uint64_t line_idx; /* newlines before the hit's line in the chunk */
	size_t line_off, line_len, found_off, found_len;
	const struct ioc_entry *e;
};

struct hitvec {
	struct hitrec *v;
	size_t n, cap;
};

/* An indicator found at chunk[off, off+len), before it is placed on its line. */
struct match {
	size_t off, len;
	const struct ioc_entry *e;
};

struct matchvec {
	struct match *v;
	size_t n, cap;
	int oom;
};

/* What one scanning thread needs besides the chunk. */
struct scanner {
	const struct ioc_set *set;
	struct ioc_url_scratch *scratch;
	unsigned kinds;
	struct matchvec urls; /* URL matches of the chunk */
	struct matchvec toks; /* token matches of the chunk */
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
	u->v[u->n++] = (struct match){off, len, e};
	return 0;
}

static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

struct tok_ctx {
	const struct ioc_set *set;
	const char *chunk;
	struct matchvec *found; /* token hits, by offset */
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

static int on_token(void *ctx, const struct extract_token *t)
{
	struct tok_ctx *tc = ctx;
	const struct ioc_entry *e = lookup(tc->set, tc->chunk + t->off, t);

	if (!e)
		return 0;
	return push_match(tc->found, t->off, t->len, e);
}

/* Newlines in p[0, n): eight bytes at a time. */
static uint64_t count_nl(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t c = 0;
	size_t i = 0;

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

/* Order the hits of one line by position and drop repeats of the same
 * (text, entry): a line is one hit per indicator. */
static void tidy_line(const char *chunk, struct hitrec *v, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++)
			dup = v[j].e == v[i].e && v[j].found_len == v[i].found_len &&
			      memcmp(chunk + v[j].found_off, chunk + v[i].found_off, v[i].found_len) == 0;
		if (!dup)
			v[k++] = v[i];
	}
	*n = k;
}

/* Scan the lines of chunk[0, len) as one text (a newline ends every token),
 * then place each hit on its line. `complete_tail`: a last line without a
 * newline ends here (end of file) rather than in the next chunk. */
static enum cg_err scan_chunk(struct scanner *sc, const char *chunk, size_t len, int complete_tail,
			      struct hitvec *out, uint64_t *lines)
{
	struct tok_ctx tc = {sc->set, chunk, &sc->toks};
	size_t ti = 0, ui = 0, pos = 0, line_start = 0, line_end = 0, first = 0;
	uint64_t idx = 0;
	int have_line = 0;
	enum cg_err rc;

	sc->urls.n = 0;
	sc->toks.n = 0;
	if (ioc_set_count_type(sc->set, IOC_URL)) {
		rc = ioc_set_match_urls(sc->set, sc->scratch, chunk, len, push_match, &sc->urls);
		if (rc)
			return rc;
		if (sc->urls.n > 1)
			qsort(sc->urls.v, sc->urls.n, sizeof *sc->urls.v, cmp_match);
	}
	extract_line(chunk, len, sc->kinds, on_token, &tc);
	if (sc->urls.oom || sc->toks.oom)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	/* Merge the two sorted lists. */
	while (ti < sc->toks.n || ui < sc->urls.n) {
		const struct match *h = ui >= sc->urls.n || (ti < sc->toks.n && sc->toks.v[ti].off <= sc->urls.v[ui].off)
						 ? &sc->toks.v[ti++]
						 : &sc->urls.v[ui++];
		struct hitrec r;
		if (!have_line || h->off > line_end) {
			const char *nl;
			if (have_line && out->n - first > 1) {
				size_t n = out->n - first;
				tidy_line(chunk, out->v + first, &n);
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
		r.found_off = h->off;
		r.found_len = h->len;
		r.e = h->e;
		if ((rc = hitvec_push(out, &r)))
			return rc;
	}
	if (have_line && out->n - first > 1) {
		size_t n = out->n - first;
		tidy_line(chunk, out->v + first, &n);
		out->n = first + n;
	}
	idx += count_nl(chunk + pos, len - pos);
	*lines = idx + (len && chunk[len - 1] != '\n' && complete_tail ? 1 : 0);
	return CG_OK;
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

static enum cg_err scanner_init(struct scanner *sc, const struct ioc_set *set)
{
	memset(sc, 0, sizeof *sc);
	sc->set = set;
	sc->kinds = kinds_of(set);
	return ioc_set_url_scratch_new(set, &sc->scratch);
}

static void scanner_fini(struct scanner *sc)
{
	ioc_set_url_scratch_free(sc->scratch);
	free(sc->urls.v);
	free(sc->toks.v);
}

/* Hand the hits of one chunk to the sink; `base` is the file's line count before the chunk. */
static enum cg_err emit_hits(const struct hunt_sink *sink, const char *file, const char *chunk,
			     const struct hitvec *h, uint64_t base, struct hunt_stats *st)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct hitrec *r = &h->v[i];
		struct hunt_hit hit = {
			.file = file,
			.line = base + r->line_idx + 1,
			.line_text = chunk + r->line_off,
			.line_len = r->line_len,
			.found = chunk + r->found_off,
			.found_len = r->found_len,
			.entry = r->e,
		};
		enum cg_err rc;
		st->hits++;
		if (sink->hit && (rc = sink->hit(sink->ctx, &hit)))
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
	uint64_t lines = 0;
	enum cg_err rc;

	if ((rc = scanner_init(&sc, set)))
		return rc;
	rc = scan_chunk(&sc, buf, len, 1, &h, &lines);
	if (!rc)
		rc = emit_hits(sink, name, buf, &h, 0, &local);
	local.files = 1;
	local.bytes = len;
	local.lines = lines;
	if (stats)
		*stats = local;
	free(h.v);
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
	uint64_t lines;
};

struct pipeline {
	const struct ioc_set *set;
	const struct filewalk *walk;
	size_t chunk;
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

static struct job *new_job(const struct filewalk_entry *fe, enum job_kind kind)
{
	struct job *j = calloc(1, sizeof *j);
	if (j) {
		j->kind = kind;
		j->fe = fe;
		j->done = kind == JOB_ERROR;
	}
	return j;
}

static int push_error(struct pipeline *p, const struct filewalk_entry *fe, enum cg_err err, const char *msg)
{
	struct job *j = new_job(fe, JOB_ERROR);
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

static int produce_mapped(struct pipeline *p, const struct filewalk_entry *fe, struct filewalk_file *f)
{
	size_t len, off = 0;
	const char *m = filewalk_map(f, &len);

	do {
		size_t cut = len - off > p->chunk ? off + p->chunk : len;
		struct job *j;
		if (cut < len) {
			const char *nl = memchr(m + cut, '\n', len - cut);
			cut = nl ? (size_t)(nl - m) + 1 : len;
		}
		if (!(j = new_job(fe, JOB_CHUNK))) {
			p->orphan = f;
			return -1;
		}
		j->file = f;
		j->buf = m + off;
		j->len = cut - off;
		j->last = cut == len;
		j->raw_done = cut;
		off = cut;
		if (push_job(p, j) != 0) {
			/* Earlier chunks of this mapping may still be in a worker's
			 * hands: unmap only after the workers are joined. */
			p->orphan = f;
			job_free(j);
			return -1;
		}
	} while (off < len);
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
		if (!(j = new_job(fe, JOB_CHUNK))) {
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
		size_t len;
		enum cg_err rc;
		int r;

		if (fe->err) {
			r = push_error(p, fe, fe->err, fe->error);
		} else if ((rc = filewalk_open(fe->path, &f))) {
			r = push_error(p, fe, rc, cg_err_msg(rc));
		} else if (filewalk_map(f, &len)) {
			r = produce_mapped(p, fe, f);
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
static enum cg_err emitter(struct pipeline *p, const struct hunt_sink *sink, struct hunt_stats *st)
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
		pthread_mutex_unlock(&p->mu);

		if (!rc && j->kind == JOB_ERROR) {
			st->errors++;
			if (sink->file_error)
				sink->file_error(sink->ctx, j->fe->path, j->err, j->errmsg ? j->errmsg : "", 0);
		} else if (!rc) {
			if (j->scan_rc) {
				rc = cg_err_set(j->scan_rc, "%s", j->scan_msg ? j->scan_msg : "");
			} else {
				rc = emit_hits(sink, j->fe->path, j->buf, &j->hits, base, st);
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
		if (j->kind == JOB_CHUNK && !j->owned)
			filewalk_release(j->file, j->buf, j->len);
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
	enum cg_err rc;

	if (nthreads > HUNT_THREADS_MAX)
		nthreads = HUNT_THREADS_MAX;
	if ((rc = filewalk_collect(paths, n, &walk)))
		return rc;
	p.set = set;
	p.walk = walk;
	p.chunk = opts && opts->chunk_size ? opts->chunk_size : HUNT_CHUNK_DEFAULT;
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
	rc = emitter(&p, sink, &st);
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
	free(p.ring);
	free(tids);
	free(wa);
	filewalk_free(walk);
	if (stats)
		*stats = st;
	return rc;
}
