/* collect_tail — one followed file: lines, rotation, truncation, position. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_hash.h"
#include "cg_i18n.h"
#include "collect_tail.h"

#define FP_MAX 256                 /* bytes of the file's start that identify it */
#define READ_CHUNK ((size_t)64 << 10)
#define STATE_MAX 8192             /* a position file is small; refuse anything bigger */

struct pos_rec {
	uint64_t dev, ino, pos, fp_hash;
	unsigned fp_len;
};

struct collect_tail {
	char *path, *state_file;
	size_t max_msg;
	int from_end;
	int fd;
	uint64_t dev, ino;
	uint64_t pos;      /* after the last delivered line: what is saved */
	uint64_t read_off; /* how far the file was read (pos + the pending part) */
	int64_t last_size;
	struct timespec last_mtime;
	unsigned fp_len;
	uint64_t fp_hash;
	int started;       /* the first open (the one that uses the saved position) happened */
	char *part;        /* an unfinished line, at most max_msg bytes */
	size_t part_len;
	int skipping;      /* the rest of a cut line: drop up to the next LF */
	char *buf;         /* READ_CHUNK */
	struct pos_rec saved; /* what the state file holds */
	int saved_valid;
	uint64_t rotations, truncations;
};

enum cg_err collect_tail_new(const char *path, const char *state_dir, size_t max_msg, int from_end,
			     struct collect_tail **out)
{
	*out = NULL;
	if (!path || !*path || max_msg == 0)
		return cg_err_set(CG_EINVAL, _("collect: file tail: bad path or line cap"));
	struct collect_tail *t = calloc(1, sizeof *t);
	if (!t)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	t->fd = -1;
	t->max_msg = max_msg;
	/* "from the end" is for a file that is already there; one that
	 * appears later is read whole. */
	t->from_end = from_end && access(path, F_OK) == 0;
	t->path = strdup(path);
	t->part = malloc(max_msg);
	t->buf = malloc(READ_CHUNK);
	if (state_dir) {
		size_t n = strlen(state_dir) + 40;
		if ((t->state_file = malloc(n)))
			snprintf(t->state_file, n, "%s/tail-%016" PRIx64 ".pos", state_dir,
				 cg_hash_stable(path, strlen(path)));
	}
	if (!t->path || !t->part || !t->buf || (state_dir && !t->state_file)) {
		collect_tail_free(t);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	*out = t;
	return CG_OK;
}

void collect_tail_free(struct collect_tail *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->path);
	free(t->state_file);
	free(t->part);
	free(t->buf);
	free(t);
}

void collect_tail_counts(const struct collect_tail *t, uint64_t *rotations, uint64_t *truncations)
{
	*rotations = t->rotations;
	*truncations = t->truncations;
}

uint64_t collect_tail_position(const struct collect_tail *t)
{
	return t->pos;
}

/* ------------------------------------------------------------ the state */

static int parse_u64(const char **p, uint64_t *v)
{
	char *e;
	errno = 0;
	unsigned long long x = strtoull(*p, &e, 10);
	if (e == *p || errno)
		return -1;
	*v = x;
	*p = e;
	return 0;
}

/* "canhgac-tail 1 DEV INO POS FP_LEN FP_HASH\n" then the path (for people). */
static int load_state(struct collect_tail *t, struct pos_rec *r)
{
	char text[STATE_MAX];
	if (!t->state_file)
		return -1;
	int fd = open(t->state_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	const char *p = text;
	uint64_t fp_len;
	if (strncmp(p, "canhgac-tail 1 ", 15) != 0)
		return -1;
	p += 15;
	if (parse_u64(&p, &r->dev) || parse_u64(&p, &r->ino) || parse_u64(&p, &r->pos) || parse_u64(&p, &fp_len) ||
	    parse_u64(&p, &r->fp_hash) || fp_len > FP_MAX)
		return -1;
	r->fp_len = (unsigned)fp_len;
	return 0;
}

enum cg_err collect_tail_save(struct collect_tail *t)
{
	if (!t->state_file || !t->started || t->dev == 0)
		return CG_OK;
	struct pos_rec r = {t->dev, t->ino, t->pos, t->fp_hash, t->fp_len};
	if (t->saved_valid && memcmp(&r, &t->saved, sizeof r) == 0)
		return CG_OK;
	char text[STATE_MAX], tmp[4096];
	int n = snprintf(text, sizeof text, "canhgac-tail 1 %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %" PRIu64 "\n%s\n",
			 r.dev, r.ino, r.pos, r.fp_len, r.fp_hash, t->path);
	if (n < 0 || (size_t)n >= sizeof text)
		n = snprintf(text, sizeof text, "canhgac-tail 1 %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %" PRIu64 "\n",
			     r.dev, r.ino, r.pos, r.fp_len, r.fp_hash);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", t->state_file) >= sizeof tmp)
		return cg_err_set(CG_EINVAL, _("collect: %s: state path too long"), t->state_file);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return cg_err_set(CG_EIO, _("collect: %s: %s"), tmp, strerror(errno));
	int ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
	int e = errno;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, t->state_file) != 0) {
		e = ok ? errno : e;
		unlink(tmp);
		return cg_err_set(CG_EIO, _("collect: %s: %s"), t->state_file, strerror(e));
	}
	t->saved = r;
	t->saved_valid = 1;
	return CG_OK;
}

/* ---------------------------------------------------------- identity */

/* Hash of the first `len` bytes of fd; -1 when fewer are there. */
static int fingerprint(int fd, unsigned len, uint64_t *h)
{
	char b[FP_MAX];
	ssize_t n = pread(fd, b, len, 0);
	if (n < 0 || (size_t)n < len)
		return -1;
	*h = cg_hash_stable(b, len);
	return 0;
}

/* Grow the fingerprint up to FP_MAX bytes as the file grows. */
static void update_fingerprint(struct collect_tail *t, int64_t size)
{
	if (t->fp_len >= FP_MAX || size <= (int64_t)t->fp_len)
		return;
	unsigned len = size < FP_MAX ? (unsigned)size : FP_MAX;
	uint64_t h;
	if (fingerprint(t->fd, len, &h) == 0) {
		t->fp_len = len;
		t->fp_hash = h;
	}
}

static int matches(int fd, const struct stat *st, const struct pos_rec *r)
{
	uint64_t h;
	if ((uint64_t)st->st_dev != r->dev || (uint64_t)st->st_ino != r->ino)
		return 0;
	if (r->fp_len == 0)
		return 1;
	return fingerprint(fd, r->fp_len, &h) == 0 && h == r->fp_hash;
}

static void adopt(struct collect_tail *t, int fd, const struct stat *st, uint64_t pos)
{
	t->fd = fd;
	t->dev = (uint64_t)st->st_dev;
	t->ino = (uint64_t)st->st_ino;
	t->pos = t->read_off = pos;
	t->part_len = 0;
	t->skipping = 0;
	t->fp_len = 0;
	t->fp_hash = 0;
	t->last_size = -1;
	update_fingerprint(t, (int64_t)st->st_size);
}

/* The first open: the remembered file at its position, or the rotated
 * "<path>.1" when that is the remembered one, else a new file. */
static void first_open(struct collect_tail *t, int fd, const struct stat *st)
{
	struct pos_rec r;
	t->started = 1;
	if (load_state(t, &r) == 0) {
		t->saved = r;
		t->saved_valid = 1;
		if (matches(fd, st, &r)) {
			adopt(t, fd, st, r.pos <= (uint64_t)st->st_size ? r.pos : 0);
			if (r.pos > (uint64_t)st->st_size)
				t->truncations++;
			return;
		}
		char old[4096];
		struct stat ost;
		int ofd = -1;
		if ((size_t)snprintf(old, sizeof old, "%s.1", t->path) < sizeof old &&
		    (ofd = open(old, O_RDONLY | O_CLOEXEC)) >= 0 && fstat(ofd, &ost) == 0 && matches(ofd, &ost, &r) &&
		    r.pos <= (uint64_t)ost.st_size) {
			/* Finish the rotated file; the poll sees the path is
			 * another file and switches to it (from its start). */
			close(fd);
			adopt(t, ofd, &ost, r.pos);
			return;
		}
		if (ofd >= 0)
			close(ofd);
		/* A remembered file that is gone: this one is new. */
		adopt(t, fd, st, 0);
		return;
	}
	adopt(t, fd, st, t->from_end ? (uint64_t)st->st_size : 0);
}

/* ------------------------------------------------------------- lines */

/* Split data (read at read_off) into lines; a line's end moves pos. */
static void take(struct collect_tail *t, const char *p, size_t n, collect_tail_line_fn fn, void *ud)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (t->skipping) {
			/* dropping the rest of a cut line */
		} else if (t->part_len + k > t->max_msg) {
			size_t room = t->max_msg - t->part_len;
			memcpy(t->part + t->part_len, p, room);
			fn(ud, t->part, t->max_msg, 1);
			t->part_len = 0;
			t->skipping = 1;
		} else if (nl && !t->part_len) {
			size_t m = k;
			if (m && p[m - 1] == '\r')
				m--;
			if (m)
				fn(ud, p, m, 0);
		} else {
			memcpy(t->part + t->part_len, p, k);
			t->part_len += k;
			if (nl) {
				size_t m = t->part_len;
				if (m && t->part[m - 1] == '\r')
					m--;
				if (m)
					fn(ud, t->part, m, 0);
				t->part_len = 0;
			}
		}
		t->read_off += k + (nl != NULL);
		if (nl) {
			t->skipping = 0;
			t->pos = t->read_off;
			k++;
		}
		p += k;
		n -= k;
	}
}

/* The end of a file that will not grow any more (rotated away): its last
 * line without LF is a line too. */
static void finish_part(struct collect_tail *t, collect_tail_line_fn fn, void *ud)
{
	size_t m = t->part_len;
	if (m && t->part[m - 1] == '\r')
		m--;
	if (m && !t->skipping)
		fn(ud, t->part, m, 0);
	t->part_len = 0;
	t->skipping = 0;
	t->pos = t->read_off;
}

/* Read from read_off to the end or the budget. 1: at the end; 0: budget
 * spent; -1: read error. */
static int read_some(struct collect_tail *t, size_t *budget, collect_tail_line_fn fn, void *ud)
{
	for (;;) {
		if (!*budget)
			return 0;
		size_t want = *budget < READ_CHUNK ? *budget : READ_CHUNK;
		ssize_t n = pread(t->fd, t->buf, want, (off_t)t->read_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 1;
		*budget -= (size_t)n;
		take(t, t->buf, (size_t)n, fn, ud);
	}
}

static void restart_at_zero(struct collect_tail *t)
{
	t->truncations++;
	t->pos = t->read_off = 0;
	t->part_len = 0;
	t->skipping = 0;
	t->fp_len = 0;
	t->fp_hash = 0;
}

/* Before reading: did the open file shrink (copytruncate) or change its
 * first bytes (rewritten in place)? */
static int check_in_place(struct collect_tail *t)
{
	struct stat st;
	if (fstat(t->fd, &st) != 0)
		return -1;
	if (st.st_size == t->last_size && st.st_mtim.tv_sec == t->last_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == t->last_mtime.tv_nsec)
		return 0;
	uint64_t h;
	if ((uint64_t)st.st_size < t->read_off ||
	    (t->fp_len && (fingerprint(t->fd, t->fp_len, &h) != 0 || h != t->fp_hash)))
		restart_at_zero(t);
	update_fingerprint(t, (int64_t)st.st_size);
	t->last_size = (int64_t)st.st_size;
	t->last_mtime = st.st_mtim;
	return 0;
}

enum cg_err collect_tail_poll(struct collect_tail *t, size_t budget, collect_tail_line_fn fn, void *ud, int *more)
{
	*more = 0;
	for (int round = 0; round < 4; round++) {
		if (t->fd < 0) {
			int fd = open(t->path, O_RDONLY | O_CLOEXEC);
			struct stat st;
			if (fd < 0)
				return errno == ENOENT ? CG_OK
						       : cg_err_set(CG_EIO, _("collect: %s: %s"), t->path, strerror(errno));
			if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
				close(fd);
				return cg_err_set(CG_EIO, _("collect: %s: not a regular file"), t->path);
			}
			if (!t->started)
				first_open(t, fd, &st);
			else
				adopt(t, fd, &st, 0); /* a new file after a rotation: from its start */
		}
		if (check_in_place(t) != 0)
			return cg_err_set(CG_EIO, _("collect: %s: %s"), t->path, strerror(errno));
		int r = read_some(t, &budget, fn, ud);
		if (r < 0)
			return cg_err_set(CG_EIO, _("collect: %s: read: %s"), t->path, strerror(errno));
		if (r == 0) {
			*more = 1;
			return CG_OK;
		}
		/* At the end of the open file: is the path still this file? */
		struct stat pst;
		if (stat(t->path, &pst) != 0 || ((uint64_t)pst.st_dev == t->dev && (uint64_t)pst.st_ino == t->ino))
			return CG_OK; /* same file, or nothing there yet: keep the old one */
		/* Rotated: what was written to the old file between the read and
		 * the stat first, then its last line, then the new file. */
		if (check_in_place(t) != 0 || (r = read_some(t, &budget, fn, ud)) < 0)
			return cg_err_set(CG_EIO, _("collect: %s: read: %s"), t->path, strerror(errno));
		if (r == 0) {
			*more = 1;
			return CG_OK;
		}
		finish_part(t, fn, ud);
		close(t->fd);
		t->fd = -1;
		t->rotations++;
	}
	*more = 1;
	return CG_OK;
}
