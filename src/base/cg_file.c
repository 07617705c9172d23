#include "cg_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cg_buf.h"
#include "cg_i18n.h"

const char *cg_file_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

enum cg_err cg_file_read(const char *path, size_t cap, char **out, size_t *out_len)
{
	struct cg_buf b;
	gzFile gz;
	int fd, n, zerr;
	enum cg_err rc = CG_OK;
	char chunk[65536];

	*out = NULL;
	*out_len = 0;
	fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cg_err_set(CG_EIO, "%s: %s", path, strerror(errno));
	if (strcmp(path, "-") != 0) {
		/* A FIFO would block forever, /dev/zero never ends: only regular
		 * files by name ("-" reads a stream). O_NONBLOCK kept the open of a
		 * FIFO without a writer from blocking; reads are blocking again. */
		struct stat st;
		int bad_stat = fstat(fd, &st) != 0;
		if (bad_stat || !S_ISREG(st.st_mode)) {
			int e = bad_stat ? errno : 0;
			close(fd);
			if (e)
				return cg_err_set(CG_EIO, "%s: %s", path, strerror(e));
			return cg_err_set(CG_EINVAL, _("%s: not a regular file (give '-' to read a stream from standard input)"),
					  path);
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return cg_err_set(CG_ENOMEM, _("%s: cannot start reading"), path);
	}
	gzbuffer(gz, 1 << 17);
	cg_buf_init(&b, cap);
	while ((n = gzread(gz, chunk, sizeof chunk)) > 0) {
		rc = cg_buf_append(&b, chunk, (size_t)n);
		if (rc) {
			rc = cg_err_set(rc, _("%s: larger than the limit of %zu bytes"), path, cap);
			goto fail;
		}
		/* A decompression bomb (2 MB of gzip'd zeros is 2 GB) is refused
		 * early instead of at the cap: real feeds and logs compress far
		 * less than CG_FILE_BOMB_RATIO to one. */
		if (b.len > CG_FILE_BOMB_MIN && !gzdirect(gz)) {
			z_off_t in = gzoffset(gz);
			if (in > 0 && b.len / (size_t)in > CG_FILE_BOMB_RATIO) {
				rc = cg_err_set(CG_ELIMIT,
						_("%s: decompresses more than %d times its size (a decompression bomb?); refused"),
						path, CG_FILE_BOMB_RATIO);
				goto fail;
			}
		}
	}
	if (n < 0) {
		const char *msg = gzerror(gz, &zerr);
		rc = cg_err_set(CG_EIO, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : msg);
		goto fail;
	}
	/* gzread returns 0 at a truncated gzip member without an error on some zlib
	 * versions; gzerror then reports Z_BUF_ERROR. */
	gzerror(gz, &zerr);
	if (zerr == Z_BUF_ERROR) {
		rc = cg_err_set(CG_EIO, _("%s: truncated gzip data"), path);
		goto fail;
	}
	gzclose(gz);
	*out_len = b.len;
	*out = cg_buf_steal(&b);
	return CG_OK;
fail:
	gzclose(gz);
	cg_buf_free(&b);
	return rc;
}
