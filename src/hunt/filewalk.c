#include "filewalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cg_i18n.h"

struct walk_entry {
	struct filewalk_entry pub;
	char *path;
	char *error;
};

struct filewalk {
	struct walk_entry *e;
	size_t n, cap;
	size_t errors, skipped, links;
	uint64_t bytes;
	struct filewalk_opts o;
	uint64_t root_dev; /* device of the argument being walked */
	/* (device, inode) of everything entered, so links cannot loop. */
	uint64_t *seen;
	size_t seen_n, seen_mask;
};

static uint64_t key_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = dev * 0x9e3779b97f4a7c15ull ^ ino;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

/* Returns 1 if new (and records it), 0 if seen, -1 on out of memory. */
static int seen_add(struct filewalk *w, const struct stat *st)
{
	size_t h;
	uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino;

	if ((w->seen_n + 1) * 2 > w->seen_mask + 1) {
		size_t slots = w->seen_mask ? (w->seen_mask + 1) * 2 : 256;
		uint64_t *ns = calloc(slots * 2, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t i = 0; i <= w->seen_mask && w->seen; i++) {
			uint64_t d = w->seen[2 * i], in = w->seen[2 * i + 1];
			if (!d && !in)
				continue;
			size_t k = key_hash(d, in) & (slots - 1);
			while (ns[2 * k] || ns[2 * k + 1])
				k = (k + 1) & (slots - 1);
			ns[2 * k] = d;
			ns[2 * k + 1] = in;
		}
		free(w->seen);
		w->seen = ns;
		w->seen_mask = slots - 1;
	}
	/* (0, 0) marks a free slot; no real file has both. */
	if (!dev && !ino)
		ino = 1;
	h = key_hash(dev, ino) & w->seen_mask;
	while (w->seen[2 * h] || w->seen[2 * h + 1]) {
		if (w->seen[2 * h] == dev && w->seen[2 * h + 1] == ino)
			return 0;
		h = (h + 1) & w->seen_mask;
	}
	w->seen[2 * h] = dev;
	w->seen[2 * h + 1] = ino;
	w->seen_n++;
	return 1;
}

static enum cg_err add(struct filewalk *w, const char *path, uint64_t size, enum cg_err err, const char *msg);

/* A path passed over on purpose (filewalk_opts.report_skipped). */
static enum cg_err add_skipped(struct filewalk *w, const char *path, const char *why)
{
	enum cg_err rc;

	if (!w->o.report_skipped)
		return CG_OK;
	if ((rc = add(w, path, 0, CG_EUNSUPPORTED, why)))
		return rc;
	w->errors--;
	w->skipped++;
	w->e[w->n - 1].pub.skipped = 1;
	return CG_OK;
}

static enum cg_err add(struct filewalk *w, const char *path, uint64_t size, enum cg_err err, const char *msg)
{
	struct walk_entry *e;

	if (w->n >= FILEWALK_FILES_MAX)
		return cg_err_set(CG_ELIMIT, _("more than %u files to read"), FILEWALK_FILES_MAX);
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		void *p = realloc(w->e, nc * sizeof *w->e);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		w->e = p;
		w->cap = nc;
	}
	e = &w->e[w->n];
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	if (!e->path)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (msg) {
		size_t l = strlen(path) + strlen(msg) + 3;
		e->error = malloc(l);
		if (!e->error) {
			free(e->path);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		snprintf(e->error, l, "%s: %s", path, msg);
		w->errors++;
	} else {
		w->bytes += size;
	}
	e->pub.size = size;
	e->pub.err = err;
	w->n++;
	return CG_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum cg_err walk(struct filewalk *w, const char *path, unsigned depth, int top);

static enum cg_err walk_dir(struct filewalk *w, const char *path, unsigned depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	enum cg_err rc = CG_OK;

	if (depth >= FILEWALK_DEPTH_MAX)
		return add(w, path, 0, CG_ELIMIT, _("directories nested too deep"));
	d = opendir(path);
	if (!d)
		return add(w, path, 0, CG_EIO, strerror(errno));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			void *p = realloc(names, nc * sizeof *names);
			if (!p) {
				rc = cg_err_set(CG_ENOMEM, _("out of memory"));
				goto out;
			}
			names = p;
			cap = nc;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			goto out;
		}
		n++;
	}
	/* Sorted by bytes, so the order (and the output) never depends on the file system. */
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t l = strlen(path) + strlen(names[i]) + 2;
		char *sub = malloc(l);
		if (!sub) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			break;
		}
		snprintf(sub, l, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		rc = walk(w, sub, depth + 1, 0);
		free(sub);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static const char *special_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return _("a FIFO, not a regular file (give '-' to read a stream from standard input)");
	if (S_ISCHR(m) || S_ISBLK(m))
		return _("a device, not a regular file (give '-' to read a stream from standard input)");
	return _("not a regular file (give '-' to read a stream from standard input)");
}

/* What a skipped special file is (never opened: a FIFO would block, a
 * device may never end). */
static const char *special_name(mode_t m)
{
	if (S_ISFIFO(m))
		return _("a FIFO, never opened");
	if (S_ISCHR(m) || S_ISBLK(m))
		return _("a device, never opened");
	if (S_ISSOCK(m))
		return _("a socket, never opened");
	return _("not a regular file, never opened");
}

/* "-" names standard input. */
static const char *real_path(const char *path)
{
	return strcmp(path, "-") == 0 ? "/dev/stdin" : path;
}

static enum cg_err walk(struct filewalk *w, const char *path, unsigned depth, int top)
{
	struct stat st;
	int fresh;
	int r = w->o.no_follow && !top ? lstat(path, &st) : stat(real_path(path), &st);

	if (r != 0)
		return add(w, path, 0, CG_EIO, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		w->links++;
		return CG_OK;
	}
	if (top)
		w->root_dev = (uint64_t)st.st_dev;
	else if (w->o.one_fs && (uint64_t)st.st_dev != w->root_dev)
		return add_skipped(w, path, _("on another file system, not entered"));
	if (S_ISDIR(st.st_mode)) {
		fresh = seen_add(w, &st);
		if (fresh < 0)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		return fresh ? walk_dir(w, path, depth) : CG_OK;
	}
	/* Only regular files: a FIFO would block forever, /dev/zero never ends.
	 * Inside directories they are skipped; named on the command line they are
	 * refused ("-" reads standard input, for a stream). */
	if (!S_ISREG(st.st_mode) && !top)
		return add_skipped(w, path, special_name(st.st_mode));
	if (!S_ISREG(st.st_mode) && w->o.report_skipped)
		return add_skipped(w, path, special_name(st.st_mode));
	if (!S_ISREG(st.st_mode) && strcmp(path, "-") != 0)
		return add(w, path, 0, CG_EINVAL, special_kind(st.st_mode));
	fresh = seen_add(w, &st);
	if (fresh < 0)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (!fresh && S_ISREG(st.st_mode))
		return CG_OK;
	if (access(real_path(path), R_OK) != 0)
		return add(w, path, 0, CG_EIO, strerror(errno));
	return add(w, path, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, CG_OK, NULL);
}

enum cg_err filewalk_collect(const char *const *paths, size_t n, struct filewalk **out)
{
	return filewalk_collect_opts(paths, n, NULL, out);
}

enum cg_err filewalk_collect_opts(const char *const *paths, size_t n, const struct filewalk_opts *o,
				  struct filewalk **out)
{
	struct filewalk *w = calloc(1, sizeof *w);
	enum cg_err rc = CG_OK;

	*out = NULL;
	if (!w)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (o)
		w->o = *o;
	for (size_t i = 0; i < n && !rc; i++)
		rc = walk(w, paths[i], 0, 1);
	free(w->seen);
	w->seen = NULL;
	if (rc) {
		filewalk_free(w);
		return rc;
	}
	for (size_t i = 0; i < w->n; i++) {
		w->e[i].pub.path = w->e[i].path;
		w->e[i].pub.error = w->e[i].error;
	}
	*out = w;
	return CG_OK;
}

void filewalk_free(struct filewalk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->e[i].path);
		free(w->e[i].error);
	}
	free(w->e);
	free(w->seen);
	free(w);
}

size_t filewalk_count(const struct filewalk *w)
{
	return w ? w->n : 0;
}

const struct filewalk_entry *filewalk_get(const struct filewalk *w, size_t i)
{
	return w && i < w->n ? &w->e[i].pub : NULL;
}

size_t filewalk_errors(const struct filewalk *w)
{
	return w ? w->errors : 0;
}

uint64_t filewalk_bytes(const struct filewalk *w)
{
	return w ? w->bytes : 0;
}

size_t filewalk_skipped(const struct filewalk *w)
{
	return w ? w->skipped : 0;
}

size_t filewalk_links(const struct filewalk *w)
{
	return w ? w->links : 0;
}

/* ---- reading ---- */

struct filewalk_file {
	char *path;
	int fd;       /* a plain regular file, read with read(2) */
	uint64_t pos; /* bytes read from fd */
	gzFile gz;    /* gzip, or a stream (zlib passes plain data through) */
	int is_gzip;
	int eof;
};

enum cg_err filewalk_open(const char *path, struct filewalk_file **out)
{
	struct filewalk_file *f = calloc(1, sizeof *f);
	struct stat st;
	unsigned char magic[2];

	*out = NULL;
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	f->fd = open(real_path(path), O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) != 0) {
		enum cg_err rc = cg_err_set(CG_EIO, "%s: %s", path, strerror(errno));
		filewalk_close(f);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		filewalk_close(f);
		return cg_err_set(CG_EIO, "%s: %s", path, strerror(EISDIR));
	}
	if (S_ISREG(st.st_mode) && st.st_size >= 2 && pread(f->fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
	    magic[1] == 0x8b)
		f->is_gzip = 1;
	/* A plain file is read, not mapped: a log truncated while it is read
	 * (logrotate's copytruncate) would kill a mapping's reader with SIGBUS. */
	if (S_ISREG(st.st_mode) && !f->is_gzip) {
		posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		*out = f;
		return CG_OK;
	}
	/* zlib reads non-gzip data through unchanged, so pipes work too. */
	f->gz = gzdopen(f->fd, "rb");
	if (!f->gz) {
		filewalk_close(f);
		return cg_err_set(CG_ENOMEM, _("%s: cannot start reading"), path);
	}
	f->fd = -1; /* owned by gz now */
	gzbuffer(f->gz, 1u << 18);
	*out = f;
	return CG_OK;
}

void filewalk_close(struct filewalk_file *f)
{
	if (!f)
		return;
	if (f->gz)
		gzclose(f->gz);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}

int filewalk_is_gzip(const struct filewalk_file *f)
{
	return f->is_gzip;
}

/* Read to the end as it is when reached: a file that grows is read on; one
 * that shrank below what was read (truncated in place) is an error, as the
 * lines read may no longer be the file's. */
static enum cg_err read_plain(struct filewalk_file *f, char *buf, size_t cap, size_t *got)
{
	size_t total = 0;
	struct stat st;

	while (total < cap) {
		ssize_t n = read(f->fd, buf + total, cap - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			f->eof = 1;
			*got = total;
			return cg_err_set(CG_EIO, "%s: %s", f->path, strerror(errno));
		}
		if (n == 0) {
			f->eof = 1;
			*got = total;
			if (fstat(f->fd, &st) == 0 && (uint64_t)st.st_size < f->pos)
				return cg_err_set(CG_EIO,
						  _("%s: file changed while reading: truncated to %lld bytes after %llu were read"),
						  f->path, (long long)st.st_size, (unsigned long long)f->pos);
			return CG_OK;
		}
		total += (size_t)n;
		f->pos += (uint64_t)n;
	}
	*got = total;
	return CG_OK;
}

enum cg_err filewalk_read(struct filewalk_file *f, char *buf, size_t cap, size_t *got)
{
	size_t total = 0;

	*got = 0;
	if (f->eof)
		return CG_OK;
	if (!f->gz)
		return read_plain(f, buf, cap, got);
	while (total < cap) {
		unsigned want = cap - total > (1u << 30) ? (1u << 30) : (unsigned)(cap - total);
		int n = gzread(f->gz, buf + total, want);
		int zerr;
		if (n < 0) {
			const char *msg = gzerror(f->gz, &zerr);
			f->eof = 1;
			*got = total;
			if (zerr == Z_BUF_ERROR)
				return cg_err_set(CG_EIO, _("%s: truncated gzip data"), f->path);
			if (zerr == Z_DATA_ERROR)
				return cg_err_set(CG_EIO, _("%s: corrupt gzip data"), f->path);
			return cg_err_set(CG_EIO, "%s: %s", f->path, zerr == Z_ERRNO ? strerror(errno) : msg);
		}
		if (n == 0) {
			f->eof = 1;
			/* A stream cut short ends with Z_BUF_ERROR, not an error return. */
			gzerror(f->gz, &zerr);
			*got = total;
			if (zerr == Z_BUF_ERROR)
				return cg_err_set(CG_EIO, _("%s: truncated gzip data"), f->path);
			return CG_OK;
		}
		total += (size_t)n;
	}
	*got = total;
	return CG_OK;
}

uint64_t filewalk_raw_pos(const struct filewalk_file *f)
{
	if (!f->gz)
		return f->pos;
	if (f->gz) {
		z_off_t o = gzoffset(f->gz);
		return o > 0 ? (uint64_t)o : 0;
	}
	return 0;
}
