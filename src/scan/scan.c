#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "filewalk.h"
#include "scan_eicar.h"

#define READ_CHUNK (1u << 20)

struct sweep {
	const struct scan_opts *o;
	const struct scan_sink *sink;
	const struct filewalk *walk;
	unsigned hash_types;
	atomic_size_t next;
	atomic_int stop;
	pthread_mutex_t lock;
	enum cg_err rc; /* first failure, under lock */
	char *rc_msg;
	uint64_t bytes_done, files_done; /* under lock */
	struct scan_stats st;            /* under lock */
};

struct worker {
	struct sweep *s;
	struct scan_rules_matcher *m;
	struct scan_hash *h;
	uint8_t *buf;
	size_t cap;
	/* The file on disk being scanned. */
	const char *file;
	uint64_t file_hits;
	uint64_t entries; /* archive entries scanned, summed at the end */
	struct timespec start;
	int timed_out;
	/* Of the buffer being matched, for the YARA callback. */
	const char *cur_path;
	uint64_t cur_size;
	const char (*cur_hashes)[SCAN_HASH_HEX_MAX];
	enum cg_err cb_rc;
};

void scan_opts_default(struct scan_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_size = SCAN_MAX_SIZE_DEFAULT;
	o->timeout_s = SCAN_TIMEOUT_DEFAULT;
	o->archive_depth = SCAN_ARCHIVE_DEPTH_DEFAULT;
	o->archive.bytes_max = 1ull << 30;
	o->archive.ratio_max = 200;
	o->archive.ratio_from = 16ull << 20;
	o->archive.entries_max = 100000;
	o->archive.entry_max = (size_t)SCAN_MAX_SIZE_DEFAULT;
}

const char *scan_problem_kind_name(enum scan_problem_kind k)
{
	static const char *const names[SCAN_PROBLEM_COUNT] = {"unreadable", "skipped", "cut", "timeout", "archive"};
	return k < SCAN_PROBLEM_COUNT ? names[k] : "";
}

const char *scan_hit_kind_name(enum scan_hit_kind k)
{
	static const char *const names[] = {"yara", "hash", "eicar"};
	return k <= SCAN_HIT_EICAR ? names[k] : "";
}

unsigned scan_hash_types_of(const struct ioc_set *set)
{
	unsigned t = 0;
	if (!set)
		return 0;
	if (ioc_set_count_type(set, IOC_SHA256))
		t |= SCAN_HASH_BIT(SCAN_HASH_SHA256);
	if (ioc_set_count_type(set, IOC_SHA1))
		t |= SCAN_HASH_BIT(SCAN_HASH_SHA1);
	if (ioc_set_count_type(set, IOC_MD5))
		t |= SCAN_HASH_BIT(SCAN_HASH_MD5);
	return t;
}

/* ---- sink calls, one at a time ---- */

static void fail(struct sweep *s, enum cg_err rc)
{
	pthread_mutex_lock(&s->lock);
	if (!s->rc) {
		s->rc = rc;
		s->rc_msg = strdup(cg_err_msg(rc));
	}
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->stop, 1);
}

static void problem(struct worker *w, enum scan_problem_kind k, const char *path, const char *msg)
{
	struct sweep *s = w->s;
	struct scan_problem p = {k, path, msg};

	pthread_mutex_lock(&s->lock);
	s->st.problems[k]++;
	if (s->sink->problem)
		s->sink->problem(s->sink->ctx, &p);
	pthread_mutex_unlock(&s->lock);
}

static enum cg_err hit(struct worker *w, const struct scan_hit *h)
{
	struct sweep *s = w->s;
	enum cg_err rc = CG_OK;

	w->file_hits++;
	pthread_mutex_lock(&s->lock);
	s->st.hits++;
	if (s->sink->hit)
		rc = s->sink->hit(s->sink->ctx, h);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- one buffer ---- */

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int on_rule(void *ctx, const char *rule, const char *tags, const char *description)
{
	struct worker *w = ctx;
	struct scan_hit h = {.kind = SCAN_HIT_YARA,
			     .path = w->cur_path,
			     .file = w->file,
			     .size = w->cur_size,
			     .rule = rule,
			     .tags = tags,
			     .description = description,
			     .hashes = w->cur_hashes};

	w->cb_rc = hit(w, &h);
	return w->cb_rc != CG_OK;
}

static enum cg_err scan_buf(struct worker *w, const char *path, const uint8_t *buf, size_t len, int cut,
			    unsigned depth, struct scan_archive_budget *b, int hashed);

struct inner_ctx {
	struct worker *w;
	const char *parent;
	unsigned depth;
	struct scan_archive_budget *b;
};

static void inner_path(char *out, size_t n, const char *parent, const char *name)
{
	int r = snprintf(out, n, "%s!%s", parent, name);
	if (r < 0 || (size_t)r >= n)
		memcpy(out + n - 4, "...", 4);
}

static enum cg_err on_entry(void *ctx, const char *name, const uint8_t *data, size_t len, uint64_t size, int cut)
{
	struct inner_ctx *ic = ctx;
	char path[SCAN_PATH_MAX];

	inner_path(path, sizeof path, ic->parent, name);
	ic->w->entries++;
	if (cut) {
		char msg[160];
		snprintf(msg, sizeof msg, _("%llu bytes, only the first %zu were scanned (--max-size)"),
			 (unsigned long long)size, len);
		problem(ic->w, SCAN_PROBLEM_CUT, path, msg);
	}
	return scan_buf(ic->w, path, data, len, cut, ic->depth + 1, ic->b, 0);
}

static void on_entry_problem(void *ctx, const char *name, const char *msg)
{
	struct inner_ctx *ic = ctx;
	char path[SCAN_PATH_MAX];

	inner_path(path, sizeof path, ic->parent, name);
	problem(ic->w, SCAN_PROBLEM_ARCHIVE, path, msg);
}

/* The name of a lone compressed file's content: its own name less the
 * compression suffix. */
static void raw_name(char *out, size_t n, const char *path)
{
	const char *slash = strrchr(path, '/'), *bang = strrchr(path, '!');
	const char *base = bang > slash ? bang + 1 : slash ? slash + 1 : path;
	size_t l = strlen(base);
	static const char *const sfx[] = {".gz", ".bz2", ".xz", ".tgz"};

	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		size_t sl = strlen(sfx[i]);
		if (l > sl && strcmp(base + l - sl, sfx[i]) == 0) {
			l -= sl;
			break;
		}
	}
	snprintf(out, n, "%.*s", (int)(l < 200 ? l : 200), base);
}

static enum cg_err check_hashes(struct worker *w, const char *path, size_t len,
				const char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX])
{
	static const enum ioc_type ioc_of[SCAN_HASH_COUNT] = {IOC_SHA256, IOC_SHA1, IOC_MD5};
	enum cg_err rc;

	for (int t = 0; t < SCAN_HASH_COUNT; t++) {
		const struct ioc_entry *e;
		if (!hex[t][0])
			continue;
		e = ioc_set_match_hash(w->s->o->hashes, hex[t], strlen(hex[t]));
		if (!e || e->type != ioc_of[t])
			continue;
		struct scan_hit h = {.kind = SCAN_HIT_HASH,
				     .path = path,
				     .file = w->file,
				     .size = len,
				     .rule = "",
				     .tags = "",
				     .description = "",
				     .indicator = e,
				     .hash_type = (enum scan_hash_type)t,
				     .hashes = hex};
		if ((rc = hit(w, &h)))
			return rc;
	}
	return CG_OK;
}

/* `hashed`: the digests of `buf` are in w->h already, fed as it was read. */
static enum cg_err scan_buf(struct worker *w, const char *path, const uint8_t *buf, size_t len, int cut,
			    unsigned depth, struct scan_archive_budget *b, int hashed)
{
	const struct scan_opts *o = w->s->o;
	char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX] = {{0}};
	enum cg_err rc;

	if (atomic_load(&w->s->stop))
		return CG_OK;
	/* A digest of a head is no file's digest. */
	if (w->h && !cut) {
		if (!hashed && ((rc = scan_hash_begin(w->h)) || (rc = scan_hash_update(w->h, buf, len))))
			return rc;
		if ((rc = scan_hash_end(w->h, hex)))
			return rc;
		if ((rc = check_hashes(w, path, len, (const char(*)[SCAN_HASH_HEX_MAX])hex)))
			return rc;
	}
	if (!cut && scan_eicar_is(buf, len)) {
		struct scan_hit h = {.kind = SCAN_HIT_EICAR,
				     .path = path,
				     .file = w->file,
				     .size = len,
				     .rule = SCAN_EICAR_NAME,
				     .tags = "",
				     .description = "",
				     .hashes = (const char(*)[SCAN_HASH_HEX_MAX])hex};
		if ((rc = hit(w, &h)))
			return rc;
	}
	if (w->m && !w->timed_out && o->timeout_s && elapsed_s(&w->start) >= (double)o->timeout_s) {
		/* The file's YARA time went on earlier members of the archive. */
		w->timed_out = 1;
		problem(w, SCAN_PROBLEM_TIMEOUT, path,
			cg_err_msg(cg_err_set(CG_ELIMIT, _("YARA gave up after %u s (--timeout)"), o->timeout_s)));
	}
	if (w->m && !w->timed_out) {
		unsigned t = 0;
		if (o->timeout_s) {
			double left = (double)o->timeout_s - elapsed_s(&w->start);
			t = left < 1 ? 1 : (unsigned)left;
		}
		w->cur_path = path;
		w->cur_size = len;
		w->cur_hashes = (const char(*)[SCAN_HASH_HEX_MAX])hex;
		w->cb_rc = CG_OK;
		rc = scan_rules_match(w->m, buf, len, t, on_rule, w);
		if (w->cb_rc)
			return w->cb_rc;
		if (rc == CG_ELIMIT) {
			w->timed_out = 1;
			problem(w, SCAN_PROBLEM_TIMEOUT, path, cg_err_msg(rc));
		} else if (rc == CG_ENOMEM) {
			return rc;
		} else if (rc) {
			problem(w, SCAN_PROBLEM_UNREADABLE, path, cg_err_msg(rc));
		}
	}
	if (depth < o->archive_depth && scan_archive_sniff(buf, len)) {
		char rn[256];
		struct inner_ctx ic = {w, path, depth, b};
		struct scan_archive_sink as = {on_entry, on_entry_problem, &ic};
		raw_name(rn, sizeof rn, path);
		rc = scan_archive_walk(buf, len, rn, &o->archive, b, &as);
		if (rc == CG_ELIMIT || rc == CG_EPARSE) {
			/* Damage at the end of an archive cut short by --max-size is expected. */
			if (!(rc == CG_EPARSE && cut))
				problem(w, SCAN_PROBLEM_ARCHIVE, path, cg_err_msg(rc));
			rc = CG_OK;
		}
		if (rc)
			return rc;
	}
	return CG_OK;
}

/* ---- one file on disk ---- */

static enum cg_err read_file(struct worker *w, int fd, size_t *len, int *cut)
{
	uint64_t max = w->s->o->max_size;

	*len = 0;
	*cut = 0;
	if (w->h) {
		enum cg_err rc = scan_hash_begin(w->h);
		if (rc)
			return rc;
	}
	for (;;) {
		ssize_t n;
		if (*len == max) {
			uint8_t probe;
			n = read(fd, &probe, 1);
			if (n > 0)
				*cut = 1;
			return CG_OK;
		}
		if (w->cap - *len < READ_CHUNK && w->cap < max) {
			size_t nc = w->cap ? w->cap * 2 : 4 * READ_CHUNK;
			void *p;
			if (nc > max)
				nc = (size_t)max;
			if (!(p = realloc(w->buf, nc)))
				return cg_err_set(CG_ENOMEM, _("out of memory"));
			w->buf = p;
			w->cap = nc;
		}
		n = read(fd, w->buf + *len, w->cap - *len > READ_CHUNK ? READ_CHUNK : w->cap - *len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cg_err_set(CG_EIO, "%s", strerror(errno));
		}
		if (n == 0)
			return CG_OK;
		/* Digested while the chunk is still in the CPU's cache. */
		if (w->h) {
			enum cg_err rc = scan_hash_update(w->h, w->buf + *len, (size_t)n);
			if (rc)
				return rc;
		}
		*len += (size_t)n;
	}
}

static enum cg_err scan_file(struct worker *w, const struct filewalk_entry *e)
{
	struct sweep *s = w->s;
	struct stat st;
	struct scan_archive_budget b = {0};
	size_t len = 0;
	int cut = 0, fd;
	enum cg_err rc = CG_OK;

	if (e->skipped) {
		problem(w, SCAN_PROBLEM_SKIPPED, e->path, e->error + strlen(e->path) + 2);
		return CG_OK;
	}
	if (e->err) {
		problem(w, e->err == CG_ELIMIT ? SCAN_PROBLEM_SKIPPED : SCAN_PROBLEM_UNREADABLE, e->path,
			e->error ? e->error + strlen(e->path) + 2 : cg_strerror(e->err));
		return CG_OK;
	}
	/* Non-blocking and no links: what was a file at walk time may be a FIFO
	 * or a link now; neither may hang or lead the sweep elsewhere. */
	fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		problem(w, SCAN_PROBLEM_UNREADABLE, e->path, strerror(errno));
		return CG_OK;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		problem(w, SCAN_PROBLEM_SKIPPED, e->path, _("no longer a regular file, never read"));
		close(fd);
		return CG_OK;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = read_file(w, fd, &len, &cut);
	close(fd);
	if (rc == CG_EIO) {
		problem(w, SCAN_PROBLEM_UNREADABLE, e->path, cg_err_msg(rc));
		return CG_OK;
	}
	if (rc)
		return rc;
	if (cut) {
		char msg[160];
		snprintf(msg, sizeof msg, _("%llu bytes, only the first %zu were scanned (--max-size)"),
			 (unsigned long long)st.st_size, len);
		problem(w, SCAN_PROBLEM_CUT, e->path, msg);
	}
	w->file = e->path;
	w->file_hits = 0;
	w->timed_out = 0;
	clock_gettime(CLOCK_MONOTONIC, &w->start);
	b.in = st.st_size > 0 ? (uint64_t)st.st_size : 1;
	rc = scan_buf(w, e->path, w->buf, len, cut, 0, &b, 1);
	pthread_mutex_lock(&s->lock);
	s->st.files++;
	s->st.bytes += len;
	s->bytes_done += e->size;
	s->files_done++;
	if (w->file_hits)
		s->st.files_hit++;
	if (!rc && w->file_hits && s->sink->file_hits)
		rc = s->sink->file_hits(s->sink->ctx, e->path, w->file_hits);
	if (s->sink->progress)
		s->sink->progress(s->sink->ctx, s->bytes_done, s->st.total_bytes, s->files_done, s->st.total_files);
	pthread_mutex_unlock(&s->lock);
	/* Keep at most one max-size buffer per thread after a large file. */
	if (w->cap > (64u << 20) && len < w->cap / 4) {
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sweep *s = w->s;

	while (!atomic_load(&s->stop)) {
		size_t i = atomic_fetch_add(&s->next, 1);
		enum cg_err rc;
		if (i >= filewalk_count(s->walk))
			break;
		if ((rc = scan_file(w, filewalk_get(s->walk, i)))) {
			fail(s, rc);
			break;
		}
	}
	return NULL;
}

static unsigned thread_count(unsigned asked)
{
	long n;
	if (asked)
		return asked > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : asked;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : (unsigned)n;
}

static void workers_free(struct worker *ws, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		scan_rules_matcher_free(ws[i].m);
		scan_hash_free(ws[i].h);
		free(ws[i].buf);
	}
	free(ws);
}

enum cg_err scan_paths(const struct scan_opts *o, const char *const *paths, size_t n, const struct scan_sink *sink,
		       struct scan_stats *stats)
{
	struct filewalk_opts wo = {.no_follow = 1, .one_fs = !o->cross_fs, .report_skipped = 1};
	struct sweep s = {.o = o, .sink = sink};
	struct worker *ws = NULL;
	pthread_t *tids = NULL;
	unsigned nt = thread_count(o->threads), started = 0;
	enum cg_err rc;

	if (stats)
		memset(stats, 0, sizeof *stats);
	if (o->max_size == 0 || o->max_size > SIZE_MAX / 2)
		return cg_err_set(CG_EINVAL, _("scan: the size cap must be from 1 byte to %zu"), SIZE_MAX / 2);
	if ((rc = filewalk_collect_opts(paths, n, &wo, (struct filewalk **)&s.walk)))
		return rc;
	s.hash_types = scan_hash_types_of(o->hashes);
	s.st.links = filewalk_links(s.walk);
	s.st.total_files = filewalk_count(s.walk) - filewalk_errors(s.walk) - filewalk_skipped(s.walk);
	s.st.total_bytes = filewalk_bytes(s.walk);
	if (nt > s.st.total_files)
		nt = s.st.total_files ? (unsigned)s.st.total_files : 1;
	pthread_mutex_init(&s.lock, NULL);
	if (!(ws = calloc(nt, sizeof *ws)) || !(tids = calloc(nt, sizeof *tids))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto out;
	}
	for (unsigned i = 0; i < nt; i++) {
		ws[i].s = &s;
		if ((o->rules && (rc = scan_rules_matcher_new(o->rules, &ws[i].m))) ||
		    (s.hash_types && (rc = scan_hash_new(s.hash_types, &ws[i].h))))
			goto out;
	}
	for (; started < nt; started++)
		if (pthread_create(&tids[started], NULL, worker_main, &ws[started]) != 0)
			break;
	if (!started) {
		rc = cg_err_set(CG_EINTERNAL, _("scan: cannot start a thread"));
		goto out;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		s.st.entries += ws[i].entries;
	}
	rc = s.rc;
	if (rc)
		rc = cg_err_set(rc, "%s", s.rc_msg ? s.rc_msg : cg_strerror(rc));
out:
	if (stats)
		*stats = s.st;
	workers_free(ws, nt);
	free(tids);
	free(s.rc_msg);
	pthread_mutex_destroy(&s.lock);
	filewalk_free((struct filewalk *)s.walk);
	return rc;
}
