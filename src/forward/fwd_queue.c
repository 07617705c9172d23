/* fwd_queue — see fwd_queue.h. */
#include "fwd_queue.h"
#include "cg_i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fwd_segment.h"

#define WBUF_CAP ((size_t)256 << 10)
#define RBUF_CAP (FWD_RECORD_MAX + FWD_RECORD_HDR + ((size_t)256 << 10))
#define NAME_MAX_LEN 64

struct seg {
	uint64_t first_seq;
	uint64_t bytes;         /* on disk (the active one: including the write buffer) */
	uint64_t committed_len; /* bytes readers may read */
};

struct fwd_queue {
	char *dir;
	struct fwd_queue_opts o;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int lock_fd;
	int fd;                 /* the active (last) segment, for appending */
	uint64_t disk_len;      /* bytes of the active segment in the file */
	struct seg *segs;
	size_t nseg, segcap;
	uint64_t next_seq, committed_seq;
	uint64_t total;         /* all segments, the write buffer included */
	unsigned char *wbuf;
	size_t wlen;
	int alarm;
	uint64_t refused, torn;
	struct fwd_cursor **cursors;
	size_t ncur, curcap;
};

struct fwd_cursor {
	struct fwd_queue *q;
	char name[NAME_MAX_LEN + 1];
	char *path, *tmp_path;
	uint64_t acked, sent;
	/* reading */
	uint64_t read_seq;      /* the next record to return */
	int fd;
	uint64_t seg_first, seg_next_first; /* the open segment; next's first (UINT64_MAX: active) */
	uint64_t file_off;      /* offset of record read_seq in the open segment */
	unsigned char *buf;     /* file bytes [buf_off, buf_off + blen) */
	uint64_t buf_off;
	size_t blen;
};

static void qlog(struct fwd_queue *q, const char *fmt, ...) CG_PRINTF(2, 3);
static void qlog(struct fwd_queue *q, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (q->o.log)
		q->o.log(q->o.log_ctx, msg);
	else
		fprintf(stderr, "canhgac: %s\n", msg);
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static char *seg_path(const struct fwd_queue *q, uint64_t first)
{
	char name[40];
	snprintf(name, sizeof name, "seg-%020" PRIu64 ".q", first);
	return path_join(q->dir, name);
}

static enum cg_err sync_dir(const struct fwd_queue *q)
{
	int fd;

	if (q->o.sync != FWD_SYNC_COMMIT)
		return CG_OK;
	fd = open(q->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cg_err_set(CG_EIO, _("forward queue: %s: %s"), q->dir, strerror(errno));
	if (fsync(fd) != 0) {
		close(fd);
		return cg_err_set(CG_EIO, _("forward queue: %s: fsync: %s"), q->dir, strerror(errno));
	}
	close(fd);
	return CG_OK;
}

static enum cg_err write_all(int fd, const void *p, size_t n, const char *what)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return cg_err_set(CG_EIO, _("forward queue: %s: write: %s"), what, strerror(errno));
		}
		c += w;
		n -= (size_t)w;
	}
	return CG_OK;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

static enum cg_err seg_push(struct fwd_queue *q, uint64_t first, uint64_t bytes)
{
	if (q->nseg == q->segcap) {
		size_t nc = q->segcap ? q->segcap * 2 : 16;
		struct seg *ns = realloc(q->segs, nc * sizeof *ns);
		if (!ns)
			return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
		q->segs = ns;
		q->segcap = nc;
	}
	q->segs[q->nseg++] = (struct seg){ first, bytes, bytes };
	return CG_OK;
}

/* Create the segment whose first record will be `first` and make it active. */
static enum cg_err seg_create(struct fwd_queue *q, uint64_t first)
{
	char *p = seg_path(q, first);
	enum cg_err rc;
	int fd;

	if (!p)
		return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cg_err_set(CG_EIO, _("forward queue: %s: %s"), p, strerror(errno));
		free(p);
		return rc;
	}
	rc = write_all(fd, FWD_SEGMENT_MAGIC, FWD_SEGMENT_MAGIC_LEN, p);
	if (!rc && q->o.sync == FWD_SYNC_COMMIT && fdatasync(fd) != 0)
		rc = cg_err_set(CG_EIO, _("forward queue: %s: fdatasync: %s"), p, strerror(errno));
	if (!rc)
		rc = sync_dir(q);
	if (!rc)
		rc = seg_push(q, first, FWD_SEGMENT_MAGIC_LEN);
	if (rc) {
		close(fd);
		unlink(p);
		free(p);
		return rc;
	}
	free(p);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = fd;
	q->disk_len = FWD_SEGMENT_MAGIC_LEN;
	q->total += FWD_SEGMENT_MAGIC_LEN;
	return CG_OK;
}

static enum cg_err list_segments(struct fwd_queue *q)
{
	DIR *d = opendir(q->dir);
	struct dirent *e;
	enum cg_err rc = CG_OK;

	if (!d)
		return cg_err_set(CG_EIO, _("forward queue: %s: %s"), q->dir, strerror(errno));
	while ((e = readdir(d))) {
		unsigned long long first;
		char tail[4];
		struct stat st;
		char *p;

		if (strncmp(e->d_name, "seg-", 4) != 0 || strlen(e->d_name) != 26 ||
		    sscanf(e->d_name, "seg-%20llu%3s", &first, tail) != 2 || strcmp(tail, ".q") != 0 || first == 0)
			continue;
		p = path_join(q->dir, e->d_name);
		if (!p) {
			rc = cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
			break;
		}
		if (stat(p, &st) != 0) {
			rc = cg_err_set(CG_EIO, _("forward queue: %s: %s"), p, strerror(errno));
			free(p);
			break;
		}
		free(p);
		rc = seg_push(q, first, (uint64_t)st.st_size);
		if (rc)
			break;
		q->total += (uint64_t)st.st_size;
	}
	closedir(d);
	if (!rc && q->nseg > 1)
		qsort(q->segs, q->nseg, sizeof *q->segs, seg_cmp);
	return rc;
}

/* Recover the last segment: cut a torn or corrupt tail, count its records. */
static enum cg_err recover_last(struct fwd_queue *q)
{
	struct seg *s = &q->segs[q->nseg - 1];
	char *p = seg_path(q, s->first_seq);
	unsigned char *map = NULL;
	size_t valid = 0;
	uint64_t count = 0;
	enum cg_err rc = CG_OK, scan;
	int fd;

	if (!p)
		return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
	fd = open(p, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		rc = cg_err_set(CG_EIO, _("forward queue: %s: %s"), p, strerror(errno));
		goto out;
	}
	if (s->bytes > 0) {
		map = mmap(NULL, (size_t)s->bytes, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			rc = cg_err_set(CG_EIO, _("forward queue: %s: mmap: %s"), p, strerror(errno));
			goto out;
		}
		scan = fwd_segment_scan(map, (size_t)s->bytes, s->first_seq, &valid, &count);
	} else {
		scan = CG_ELIMIT;
	}
	if (scan != CG_OK) {
		uint64_t cut = s->bytes - valid;
		if (valid == 0) {
			/* Not even the magic: start the file again. */
			if (ftruncate(fd, 0) != 0 ||
			    (rc = write_all(fd, FWD_SEGMENT_MAGIC, FWD_SEGMENT_MAGIC_LEN, p)) != CG_OK) {
				if (!rc)
					rc = cg_err_set(CG_EIO, _("forward queue: %s: truncate: %s"), p, strerror(errno));
				goto out;
			}
			valid = FWD_SEGMENT_MAGIC_LEN;
		} else if (ftruncate(fd, (off_t)valid) != 0) {
			rc = cg_err_set(CG_EIO, _("forward queue: %s: truncate: %s"), p, strerror(errno));
			goto out;
		}
		if (cut > 0 || valid != s->bytes) {
			qlog(q, _("forward queue: %s: %s; cut %" PRIu64 " bytes after %" PRIu64 " whole records"), p,
			     cg_err_msg(scan), cut, count);
			q->torn += cut;
		}
		q->total = q->total - s->bytes + valid;
		s->bytes = valid;
		s->committed_len = valid;
	}
	q->fd = fd;
	fd = -1;
	q->disk_len = s->bytes;
	q->next_seq = s->first_seq + count;
out:
	if (map)
		munmap(map, (size_t)s->bytes);
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}

enum cg_err fwd_queue_open(const char *dir, const struct fwd_queue_opts *o, struct fwd_queue **out)
{
	struct fwd_queue *q;
	enum cg_err rc;
	char *lp;

	*out = NULL;
	if (!dir || !*dir)
		return cg_err_set(CG_EINVAL, _("forward queue: no directory given"));
	q = calloc(1, sizeof *q);
	if (!q)
		return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
	q->fd = -1;
	q->lock_fd = -1;
	if (o)
		q->o = *o;
	if (!q->o.max_bytes)
		q->o.max_bytes = (uint64_t)1 << 30;
	if (!q->o.alarm_pct || q->o.alarm_pct > 100)
		q->o.alarm_pct = 80;
	if (!q->o.segment_bytes)
		q->o.segment_bytes = (uint64_t)64 << 20;
	if (q->o.segment_bytes > q->o.max_bytes / 4)
		q->o.segment_bytes = q->o.max_bytes / 4;
	if (q->o.segment_bytes < 4096)
		q->o.segment_bytes = 4096;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->dir = strdup(dir);
	q->wbuf = malloc(WBUF_CAP);
	if (!q->dir || !q->wbuf) {
		rc = cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
		goto fail;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = cg_err_set(CG_EIO, _("forward queue: %s: %s"), dir, strerror(errno));
		goto fail;
	}
	lp = path_join(dir, "lock");
	if (!lp) {
		rc = cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
		goto fail;
	}
	q->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lp);
	if (q->lock_fd < 0) {
		rc = cg_err_set(CG_EIO, _("forward queue: %s/lock: %s"), dir, strerror(errno));
		goto fail;
	}
	if (flock(q->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = cg_err_set(CG_EEXIST, _("forward queue: %s is in use by another process"), dir);
		goto fail;
	}
	rc = list_segments(q);
	if (rc)
		goto fail;
	if (q->nseg == 0) {
		rc = seg_create(q, 1);
		if (rc)
			goto fail;
		q->next_seq = 1;
	} else {
		rc = recover_last(q);
		if (rc)
			goto fail;
	}
	q->committed_seq = q->next_seq - 1;
	*out = q;
	return CG_OK;
fail:
	fwd_queue_close(q);
	return rc;
}

/* Write the buffer to the active segment; on failure the file is cut back
 * to where it was, so no half record stays in the middle of a segment. */
static enum cg_err flush_locked(struct fwd_queue *q)
{
	enum cg_err rc;

	if (q->wlen == 0)
		return CG_OK;
	rc = write_all(q->fd, q->wbuf, q->wlen, "segment");
	if (rc) {
		if (ftruncate(q->fd, (off_t)q->disk_len) != 0)
			qlog(q, _("forward queue: cannot cut a failed write back: %s"), strerror(errno));
		return rc;
	}
	q->disk_len += q->wlen;
	q->wlen = 0;
	return CG_OK;
}

static void alarm_check_locked(struct fwd_queue *q)
{
	uint64_t pct = q->total * 100 / q->o.max_bytes;

	if (!q->alarm && pct >= q->o.alarm_pct) {
		q->alarm = 1;
		qlog(q, _("forward queue: %s: %" PRIu64 " of %" PRIu64 " bytes used (%" PRIu64 "%%, alarm at %u%%): "
		     "the upstreams are not keeping up"), q->dir, q->total, q->o.max_bytes, pct, q->o.alarm_pct);
	} else if (q->alarm && pct + 5 < q->o.alarm_pct) {
		q->alarm = 0;
		qlog(q, _("forward queue: %s: back to %" PRIu64 "%% of the bound; alarm cleared"), q->dir, pct);
	}
}

enum cg_err fwd_queue_append(struct fwd_queue *q, const void *rec, size_t n, uint64_t *seq)
{
	uint64_t need = FWD_RECORD_HDR + (uint64_t)n;
	struct seg *act;
	enum cg_err rc = CG_OK;
	unsigned char hdr[FWD_RECORD_HDR];

	if (n == 0 || n > FWD_RECORD_MAX)
		return cg_err_set(CG_ELIMIT, _("forward queue: record of %zu bytes (allowed 1..%zu)"), n, FWD_RECORD_MAX);
	pthread_mutex_lock(&q->mu);
	act = &q->segs[q->nseg - 1];
	if (act->first_seq < q->next_seq && act->bytes + need > q->o.segment_bytes) {
		need += FWD_SEGMENT_MAGIC_LEN;
		if (q->total + need > q->o.max_bytes)
			goto full;
		rc = flush_locked(q);
		if (!rc && q->o.sync == FWD_SYNC_COMMIT && fdatasync(q->fd) != 0)
			rc = cg_err_set(CG_EIO, _("forward queue: segment: fdatasync: %s"), strerror(errno));
		if (!rc)
			rc = seg_create(q, q->next_seq);
		if (rc)
			goto out;
		act = &q->segs[q->nseg - 1];
		need -= FWD_SEGMENT_MAGIC_LEN;
	} else if (q->total + need > q->o.max_bytes) {
		goto full;
	}
	fwd_segment_header(hdr, q->next_seq, rec, n);
	if (q->wlen + need > WBUF_CAP) {
		rc = flush_locked(q);
		if (rc)
			goto out;
	}
	if (need > WBUF_CAP) {
		struct iovec iov[2] = { { hdr, FWD_RECORD_HDR }, { (void *)(uintptr_t)rec, n } };
		ssize_t w = writev(q->fd, iov, 2);
		if (w != (ssize_t)need) {
			rc = cg_err_set(CG_EIO, _("forward queue: segment: write: %s"), w < 0 ? strerror(errno) : "short write");
			if (ftruncate(q->fd, (off_t)q->disk_len) != 0)
				qlog(q, _("forward queue: cannot cut a failed write back: %s"), strerror(errno));
			goto out;
		}
		q->disk_len += need;
	} else {
		memcpy(q->wbuf + q->wlen, hdr, FWD_RECORD_HDR);
		memcpy(q->wbuf + q->wlen + FWD_RECORD_HDR, rec, n);
		q->wlen += need;
	}
	act->bytes += need;
	q->total += need;
	*seq = q->next_seq++;
	alarm_check_locked(q);
out:
	pthread_mutex_unlock(&q->mu);
	return rc;
full:
	q->refused++;
	if (!q->alarm) {
		q->alarm = 1;
		qlog(q, _("forward queue: %s: full (%" PRIu64 " of %" PRIu64 " bytes)"), q->dir, q->total, q->o.max_bytes);
	}
	pthread_mutex_unlock(&q->mu);
	return cg_err_set(CG_ELIMIT, _("forward queue: %s: full (%" PRIu64 " of %" PRIu64 " bytes); record refused"),
	                  q->dir, q->total, q->o.max_bytes);
}

enum cg_err fwd_queue_commit(struct fwd_queue *q)
{
	enum cg_err rc;

	pthread_mutex_lock(&q->mu);
	rc = flush_locked(q);
	if (!rc && q->o.sync == FWD_SYNC_COMMIT && fdatasync(q->fd) != 0)
		rc = cg_err_set(CG_EIO, _("forward queue: segment: fdatasync: %s"), strerror(errno));
	if (!rc) {
		/* Every segment before the active one is whole on disk. */
		for (size_t i = 0; i < q->nseg; i++)
			q->segs[i].committed_len = i + 1 < q->nseg ? q->segs[i].bytes : q->disk_len;
		if (q->committed_seq != q->next_seq - 1) {
			q->committed_seq = q->next_seq - 1;
			pthread_cond_broadcast(&q->cv);
		}
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void fwd_queue_stats(struct fwd_queue *q, struct fwd_queue_stats *st)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_lock(&q->mu);
	st->first_seq = q->segs[0].first_seq;
	st->next_seq = q->next_seq;
	st->committed_seq = q->committed_seq;
	st->bytes = q->total;
	st->max_bytes = q->o.max_bytes;
	st->segments = (unsigned)q->nseg;
	st->alarm = q->alarm;
	st->refused = q->refused;
	st->torn_bytes = q->torn;
	pthread_mutex_unlock(&q->mu);
}

void fwd_queue_close(struct fwd_queue *q)
{
	if (!q)
		return;
	if (q->fd >= 0) {
		if (q->segs && fwd_queue_commit(q) != CG_OK)
			qlog(q, _("forward queue: closing: %s"), cg_err_msg(CG_EIO));
		close(q->fd);
	}
	if (q->lock_fd >= 0)
		close(q->lock_fd);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->segs);
	free(q->cursors);
	free(q->wbuf);
	free(q->dir);
	free(q);
}

/* ---- cursors ---- */

static enum cg_err cursor_save_as(struct fwd_cursor *c, uint64_t acked, uint64_t sent)
{
	char line[64];
	int n = snprintf(line, sizeof line, "%" PRIu64 " %" PRIu64 "\n", acked, sent);
	enum cg_err rc;
	int fd = open(c->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return cg_err_set(CG_EIO, _("forward queue: %s: %s"), c->tmp_path, strerror(errno));
	rc = write_all(fd, line, (size_t)n, c->tmp_path);
	if (!rc && c->q->o.sync == FWD_SYNC_COMMIT && fdatasync(fd) != 0)
		rc = cg_err_set(CG_EIO, _("forward queue: %s: fdatasync: %s"), c->tmp_path, strerror(errno));
	close(fd);
	if (!rc && rename(c->tmp_path, c->path) != 0)
		rc = cg_err_set(CG_EIO, _("forward queue: %s: rename: %s"), c->path, strerror(errno));
	if (!rc)
		rc = sync_dir(c->q);
	return rc;
}

static enum cg_err cursor_save(struct fwd_cursor *c)
{
	return cursor_save_as(c, c->acked, c->sent);
}

static enum cg_err cursor_load(struct fwd_cursor *c)
{
	char line[64];
	unsigned long long a, s;
	ssize_t n;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return CG_ENOTFOUND;
		return cg_err_set(CG_EIO, _("forward queue: %s: %s"), c->path, strerror(errno));
	}
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n < 0)
		return cg_err_set(CG_EIO, _("forward queue: %s: %s"), c->path, strerror(errno));
	line[n] = 0;
	if (sscanf(line, "%llu %llu", &a, &s) != 2 || s < a)
		return cg_err_set(CG_EPARSE, _("forward queue: %s: line 1: expected \"ACKED SENT\""), c->path);
	c->acked = a;
	c->sent = s;
	return CG_OK;
}

static void cursor_close_seg(struct fwd_cursor *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->blen = 0;
	c->buf_off = 0;
}

enum cg_err fwd_cursor_open(struct fwd_queue *q, const char *name, struct fwd_cursor **out)
{
	struct fwd_cursor *c;
	char fname[NAME_MAX_LEN + 16];
	enum cg_err rc;
	size_t len = name ? strlen(name) : 0;

	*out = NULL;
	if (len == 0 || len > NAME_MAX_LEN || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                                  "0123456789_.-") != len || name[0] == '.')
		return cg_err_set(CG_EINVAL, _("forward queue: cursor name '%s': use 1..64 of A-Z a-z 0-9 _ . -"),
		                  name ? name : "");
	c = calloc(1, sizeof *c);
	if (!c)
		return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
	c->q = q;
	c->fd = -1;
	memcpy(c->name, name, len + 1);
	snprintf(fname, sizeof fname, "cursor-%s", name);
	c->path = path_join(q->dir, fname);
	snprintf(fname, sizeof fname, "cursor-%s.tmp", name);
	c->tmp_path = path_join(q->dir, fname);
	c->buf = malloc(RBUF_CAP);
	if (!c->path || !c->tmp_path || !c->buf) {
		rc = cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
		goto fail;
	}
	rc = cursor_load(c);
	pthread_mutex_lock(&q->mu);
	for (size_t i = 0; i < q->ncur; i++)
		if (strcmp(q->cursors[i]->name, name) == 0) {
			pthread_mutex_unlock(&q->mu);
			rc = cg_err_set(CG_EEXIST, _("forward queue: cursor '%s' is already open"), name);
			goto fail;
		}
	if (rc == CG_ENOTFOUND) {
		c->acked = c->sent = q->segs[0].first_seq - 1;
		rc = CG_OK;
	} else if (!rc && c->acked + 1 < q->segs[0].first_seq) {
		qlog(q, _("forward queue: cursor '%s' was at %" PRIu64 " but records up to %" PRIu64
		     " are gone; it continues with the oldest record on disk"), name, c->acked, q->segs[0].first_seq - 1);
		c->acked = q->segs[0].first_seq - 1;
		if (c->sent < c->acked)
			c->sent = c->acked;
	} else if (!rc && c->acked > q->committed_seq) {
		pthread_mutex_unlock(&q->mu);
		rc = cg_err_set(CG_EPARSE, _("forward queue: %s: cursor at %" PRIu64 " is past the last record %" PRIu64),
		                c->path, c->acked, q->committed_seq);
		goto fail;
	}
	if (rc) {
		pthread_mutex_unlock(&q->mu);
		goto fail;
	}
	if (q->ncur == q->curcap) {
		size_t nc = q->curcap ? q->curcap * 2 : 4;
		struct fwd_cursor **ncs = realloc(q->cursors, nc * sizeof *ncs);
		if (!ncs) {
			pthread_mutex_unlock(&q->mu);
			rc = cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
			goto fail;
		}
		q->cursors = ncs;
		q->curcap = nc;
	}
	q->cursors[q->ncur++] = c;
	pthread_mutex_unlock(&q->mu);
	c->read_seq = c->acked + 1;
	*out = c;
	return CG_OK;
fail:
	free(c->buf);
	free(c->path);
	free(c->tmp_path);
	free(c);
	return rc;
}

void fwd_cursor_close(struct fwd_cursor *c)
{
	struct fwd_queue *q;

	if (!c)
		return;
	q = c->q;
	pthread_mutex_lock(&q->mu);
	for (size_t i = 0; i < q->ncur; i++)
		if (q->cursors[i] == c) {
			q->cursors[i] = q->cursors[--q->ncur];
			break;
		}
	pthread_mutex_unlock(&q->mu);
	cursor_close_seg(c);
	free(c->buf);
	free(c->path);
	free(c->tmp_path);
	free(c);
}

uint64_t fwd_cursor_acked(const struct fwd_cursor *c)
{
	return c->acked;
}

uint64_t fwd_cursor_sent(const struct fwd_cursor *c)
{
	return c->sent;
}

void fwd_cursor_rewind(struct fwd_cursor *c)
{
	cursor_close_seg(c);
	c->read_seq = c->acked + 1;
}

enum cg_err fwd_cursor_set_sent(struct fwd_cursor *c, uint64_t seq)
{
	if (seq <= c->sent)
		return CG_OK;
	c->sent = seq;
	return cursor_save(c);
}

enum cg_err fwd_cursor_ack(struct fwd_cursor *c, uint64_t seq)
{
	struct fwd_queue *q = c->q;
	uint64_t min;
	enum cg_err rc;

	if (seq <= c->acked)
		return CG_OK;
	/* On disk first: the other cursors' threads read `acked` (under the
	 * lock) to delete segments, which must not happen before this
	 * cursor's file says it is past them. */
	rc = cursor_save_as(c, seq, c->sent < seq ? seq : c->sent);
	if (rc)
		return rc;
	pthread_mutex_lock(&q->mu);
	c->acked = seq;
	if (c->sent < seq)
		c->sent = seq;
	pthread_mutex_unlock(&q->mu);
	if (c->read_seq <= seq) {
		/* Acked without reading (or past it): read on after it. */
		cursor_close_seg(c);
		c->read_seq = seq + 1;
	}
	pthread_mutex_lock(&q->mu);
	min = UINT64_MAX;
	for (size_t i = 0; i < q->ncur; i++)
		if (q->cursors[i]->acked < min)
			min = q->cursors[i]->acked;
	while (q->nseg > 1 && q->segs[1].first_seq - 1 <= min) {
		char *p = seg_path(q, q->segs[0].first_seq);
		if (!p || unlink(p) != 0) {
			qlog(q, _("forward queue: cannot delete a delivered segment: %s"), p ? strerror(errno) : "out of memory");
			free(p);
			break;
		}
		free(p);
		q->total -= q->segs[0].bytes;
		memmove(q->segs, q->segs + 1, (q->nseg - 1) * sizeof *q->segs);
		q->nseg--;
	}
	alarm_check_locked(q);
	pthread_mutex_unlock(&q->mu);
	return CG_OK;
}

/* Open the segment holding c->read_seq and position at it. Called with q->mu held. */
static enum cg_err cursor_seek_locked(struct fwd_cursor *c, uint64_t *committed_len)
{
	struct fwd_queue *q = c->q;
	size_t i;
	char *p;

	cursor_close_seg(c);
	if (c->read_seq < q->segs[0].first_seq)
		c->read_seq = q->segs[0].first_seq; /* cannot happen for an open cursor; be safe */
	for (i = q->nseg - 1; i > 0 && q->segs[i].first_seq > c->read_seq; i--)
		;
	p = seg_path(q, q->segs[i].first_seq);
	if (!p)
		return cg_err_set(CG_ENOMEM, _("forward queue: out of memory"));
	c->fd = open(p, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		enum cg_err rc = cg_err_set(CG_EIO, _("forward queue: %s: %s"), p, strerror(errno));
		free(p);
		return rc;
	}
	free(p);
	c->seg_first = q->segs[i].first_seq;
	c->seg_next_first = i + 1 < q->nseg ? q->segs[i + 1].first_seq : UINT64_MAX;
	c->file_off = FWD_SEGMENT_MAGIC_LEN;
	*committed_len = q->segs[i].committed_len;
	return CG_OK;
}

/* Make file bytes [off, off + need) present in the buffer (need <= RBUF_CAP),
 * reading at most up to `limit`. Returns 0 when they are not there. */
static int cursor_fill(struct fwd_cursor *c, uint64_t off, size_t need, uint64_t limit, enum cg_err *rc)
{
	ssize_t r;
	size_t want;

	if (off >= c->buf_off && off + need <= c->buf_off + c->blen)
		return 1;
	if (off + need > limit)
		return 0;
	want = RBUF_CAP;
	if (limit - off < want)
		want = (size_t)(limit - off);
	do
		r = pread(c->fd, c->buf, want, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		*rc = cg_err_set(CG_EIO, _("forward queue: segment %" PRIu64 ": read: %s"), c->seg_first, strerror(errno));
		return 0;
	}
	c->buf_off = off;
	c->blen = (size_t)r;
	return off + need <= c->buf_off + c->blen;
}

/* One record at the current position of the open segment. */
static enum cg_err cursor_decode(struct fwd_cursor *c, uint64_t expect, uint64_t limit, const void **rec,
                                 size_t *n)
{
	const unsigned char *payload;
	size_t len, next, plen;
	enum cg_err rc = CG_OK;

	if (!cursor_fill(c, c->file_off, FWD_RECORD_HDR, limit, &rc))
		return rc ? rc : cg_err_set(CG_EPARSE, _("offset %" PRIu64 ": record %" PRIu64 " missing"), c->file_off, expect);
	len = (size_t)c->buf[c->file_off - c->buf_off] | (size_t)c->buf[c->file_off - c->buf_off + 1] << 8 |
	      (size_t)c->buf[c->file_off - c->buf_off + 2] << 16 | (size_t)c->buf[c->file_off - c->buf_off + 3] << 24;
	if (len == 0 || len > FWD_RECORD_MAX)
		return cg_err_set(CG_EPARSE, _("offset %" PRIu64 ": field length: %zu is outside 1..%zu"), c->file_off, len,
		                  FWD_RECORD_MAX);
	if (!cursor_fill(c, c->file_off, FWD_RECORD_HDR + len, limit, &rc))
		return rc ? rc : cg_err_set(CG_EPARSE, _("offset %" PRIu64 ": record %" PRIu64 " cut short"), c->file_off, expect);
	rc = fwd_segment_next(c->buf, c->blen, (size_t)(c->file_off - c->buf_off), expect, &payload, &plen, &next);
	if (rc)
		return rc == CG_ELIMIT ? CG_EPARSE : rc;
	*rec = payload;
	*n = plen;
	c->file_off = c->buf_off + next;
	return CG_OK;
}

enum cg_err fwd_cursor_read(struct fwd_cursor *c, int wait_ms, const void **rec, size_t *n, uint64_t *seq)
{
	struct fwd_queue *q = c->q;
	uint64_t limit = 0;
	enum cg_err rc;
	int sought = 0;

	pthread_mutex_lock(&q->mu);
	if (c->read_seq > q->committed_seq && wait_ms > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (c->read_seq > q->committed_seq)
			if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) != 0)
				break;
	}
	if (c->read_seq > q->committed_seq) {
		pthread_mutex_unlock(&q->mu);
		return CG_ENOTFOUND;
	}
	if (c->fd < 0 || c->read_seq >= c->seg_next_first) {
		rc = cursor_seek_locked(c, &limit);
		if (rc) {
			pthread_mutex_unlock(&q->mu);
			return rc;
		}
		sought = 1;
	} else {
		size_t i;
		for (i = q->nseg; i > 0 && q->segs[i - 1].first_seq != c->seg_first; i--)
			;
		limit = i > 0 ? q->segs[i - 1].committed_len : 0;
		c->seg_next_first = i > 0 && i < q->nseg ? q->segs[i].first_seq : UINT64_MAX;
	}
	pthread_mutex_unlock(&q->mu);
	/* After opening a segment: skip to read_seq. */
	for (uint64_t s = c->seg_first; sought && s < c->read_seq; s++) {
		rc = cursor_decode(c, s, limit, rec, n);
		if (rc)
			goto corrupt;
	}
	rc = cursor_decode(c, c->read_seq, limit, rec, n);
	if (rc)
		goto corrupt;
	*seq = c->read_seq++;
	return CG_OK;
corrupt:
	/* Give up on the rest of this segment: continue at the next one. */
	{
		uint64_t skip_to = c->seg_next_first;
		rc = cg_err_prefix(rc, _("forward queue: %s/seg-%020" PRIu64 ".q"), q->dir, c->seg_first);
		cursor_close_seg(c);
		if (skip_to != UINT64_MAX)
			c->read_seq = skip_to;
		return rc;
	}
}
