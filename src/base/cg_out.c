#include "cg_out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_i18n.h"

struct cg_out {
	char *path;   /* as given, for messages */
	char *target; /* the file renamed over (a symlink's final target) */
	char *dir;    /* its directory */
	char *tmp;    /* the temporary, NULL for standard output */
	int fd;
	int exists;
	struct stat old;
};

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return _("a directory");
	if (S_ISCHR(m))
		return _("a character device");
	if (S_ISBLK(m))
		return _("a block device");
	if (S_ISFIFO(m))
		return _("a FIFO");
	if (S_ISSOCK(m))
		return _("a socket");
	return _("not a regular file");
}

static void out_free(struct cg_out *o)
{
	if (!o)
		return;
	if (o->fd >= 0 && o->tmp)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->path);
	free(o->target);
	free(o->dir);
	free(o->tmp);
	free(o);
}

/* Where the content finally lands: the path itself, or a symlink's target. */
static enum cg_err resolve(struct cg_out *o)
{
	struct stat lst;
	char *slash;

	if (lstat(o->path, &lst) != 0) {
		if (errno != ENOENT)
			return cg_err_set(CG_EIO, "%s: %s", o->path, strerror(errno));
		o->target = strdup(o->path);
	} else if (S_ISLNK(lst.st_mode)) {
		o->target = realpath(o->path, NULL);
		if (!o->target)
			return cg_err_set(CG_EIO, _("%s: a symbolic link whose target cannot be reached: %s"), o->path,
					  strerror(errno));
	} else {
		o->target = strdup(o->path);
	}
	if (!o->target)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if (stat(o->target, &o->old) == 0) {
		if (!S_ISREG(o->old.st_mode))
			return cg_err_set(CG_EINVAL, _("%s: is %s, not a regular file; refusing to replace it (use - for standard output)"),
					  o->path, kind(o->old.st_mode));
		o->exists = 1;
	} else if (errno != ENOENT) {
		return cg_err_set(CG_EIO, "%s: %s", o->path, strerror(errno));
	}
	slash = strrchr(o->target, '/');
	if (!slash)
		o->dir = strdup(".");
	else if (slash == o->target)
		o->dir = strdup("/");
	else
		o->dir = strndup(o->target, (size_t)(slash - o->target));
	if (!o->dir)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	return CG_OK;
}

enum cg_err cg_out_open(const char *path, struct cg_out **out)
{
	struct cg_out *o = calloc(1, sizeof *o);
	const char *base;
	enum cg_err rc;
	size_t n;

	*out = NULL;
	if (!o || !(o->path = strdup(path))) {
		free(o);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	o->fd = -1;
	if (strcmp(path, "-") == 0) {
		o->fd = 1;
		*out = o;
		return CG_OK;
	}
	if ((rc = resolve(o)))
		goto fail;
	base = strrchr(o->target, '/');
	base = base ? base + 1 : o->target;
	n = strlen(o->dir) + strlen(base) + 16;
	if (!(o->tmp = malloc(n))) {
		rc = cg_err_set(CG_ENOMEM, _("out of memory"));
		goto fail;
	}
	snprintf(o->tmp, n, "%s/.%s.XXXXXX", o->dir, base);
	/* mkostemp opens with O_CREAT|O_EXCL: a name planted in advance (a symlink
	 * included) makes it pick another name, never write through it. */
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		if (e == EROFS)
			rc = cg_err_set(CG_EIO, _("%s: the file system is read-only"), o->path);
		else
			rc = cg_err_set(CG_EIO, _("%s: cannot create a temporary file in %s: %s"), o->path, o->dir,
					strerror(e));
		goto fail;
	}
	*out = o;
	return CG_OK;
fail:
	out_free(o);
	return rc;
}

enum cg_err cg_out_write(struct cg_out *o, const void *data, size_t len)
{
	const char *p = data;

	if (!o->tmp) {
		if (len && fwrite(data, 1, len, stdout) != len)
			return cg_err_set(CG_EIO, _("writing to standard output: %s"), strerror(errno));
		return CG_OK;
	}
	while (len) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return cg_err_set(CG_EIO, _("%s: write failed: %s"), o->path, strerror(errno));
		}
		p += w;
		len -= (size_t)w;
	}
	return CG_OK;
}

static enum cg_err finish(struct cg_out *o)
{
	int dfd;

	if (o->exists) {
		/* Owner first: chown clears set-id bits that chmod then restores. */
		if (fchown(o->fd, o->old.st_uid, o->old.st_gid) != 0)
			return cg_err_set(CG_EIO, _("%s: cannot keep the owner (%ld:%ld) of the file: %s"), o->path,
					  (long)o->old.st_uid, (long)o->old.st_gid, strerror(errno));
		if (fchmod(o->fd, o->old.st_mode & 07777) != 0)
			return cg_err_set(CG_EIO, _("%s: cannot keep the mode of the file: %s"), o->path, strerror(errno));
	} else {
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(o->fd, 0666 & ~mask) != 0)
			return cg_err_set(CG_EIO, "%s: %s", o->path, strerror(errno));
	}
	if (fsync(o->fd) != 0)
		return cg_err_set(CG_EIO, _("%s: write failed: %s"), o->path, strerror(errno));
	if (close(o->fd) != 0) {
		o->fd = -1;
		return cg_err_set(CG_EIO, _("%s: write failed: %s"), o->path, strerror(errno));
	}
	o->fd = -1;
	if (rename(o->tmp, o->target) != 0)
		return cg_err_set(CG_EIO, _("%s: cannot replace the file: %s"), o->path, strerror(errno));
	free(o->tmp);
	o->tmp = NULL; /* renamed: nothing to unlink any more */
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		int r = fsync(dfd), e = errno;
		close(dfd);
		if (r != 0 && e != EINVAL)
			return cg_err_set(CG_EIO, _("%s: write failed: %s"), o->dir, strerror(e));
	}
	return CG_OK;
}

enum cg_err cg_out_commit(struct cg_out *o)
{
	enum cg_err rc;

	if (!o->tmp) {
		rc = fflush(stdout) != 0 ? cg_err_set(CG_EIO, _("writing to standard output: %s"), strerror(errno))
					 : CG_OK;
		out_free(o);
		return rc;
	}
	rc = finish(o);
	out_free(o);
	return rc;
}

void cg_out_abort(struct cg_out *o)
{
	out_free(o);
}

enum cg_err cg_out_file(const char *path, const void *data, size_t len)
{
	struct cg_out *o;
	enum cg_err rc;

	if ((rc = cg_out_open(path, &o)))
		return rc;
	if ((rc = cg_out_write(o, data, len))) {
		cg_out_abort(o);
		return rc;
	}
	return cg_out_commit(o);
}

enum cg_err cg_out_close_stdout(void)
{
	int had_error = ferror(stdout);
	int e = 0;

	errno = 0;
	if (fflush(stdout) != 0)
		e = errno;
	/* EBADF: stdout was closed by the caller (`>&-`) and nothing reached it. */
	if (fclose(stdout) != 0 && !e && errno != EBADF)
		e = errno;
	if (e)
		return cg_err_set(CG_EIO, _("writing to standard output: %s"), strerror(e));
	if (had_error)
		return cg_err_set(CG_EIO, _("writing to standard output failed"));
	return CG_OK;
}
