/* quarantine — see quarantine.h. */
#include "quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cg_i18n.h"
#include "scan_hash.h"

/* First bytes of every ID.bin: says what it is, and that it is not the file. */
#define BIN_MAGIC "CANHGAC-QUARANTINE-1 (defanged; restore with: canhgac quarantine restore)\n"
#define BIN_MAGIC_LEN (sizeof BIN_MAGIC - 1)
#define KEY_LEN 32
#define CHUNK (64u << 10)

struct quarantine {
	char *dir;
	int dfd;
};

const char *quarantine_dir(const struct quarantine *q)
{
	return q->dir;
}

enum cg_err quarantine_open(const char *dir, struct quarantine **out)
{
	struct quarantine *q;
	struct stat st;

	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cg_err_set(CG_EIO, _("quarantine: %s: cannot create directory: %s"), dir, strerror(errno));
	if (!(q = calloc(1, sizeof *q)) || !(q->dir = strdup(dir))) {
		free(q);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	q->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (q->dfd < 0) {
		enum cg_err rc = cg_err_set(CG_EIO, _("quarantine: %s: cannot open directory: %s"), dir, strerror(errno));
		quarantine_free(q);
		return rc;
	}
	if (fstat(q->dfd, &st) != 0 || (st.st_mode & 0077) || st.st_uid != geteuid()) {
		quarantine_free(q);
		return cg_err_set(CG_EINVAL,
				  _("quarantine: %s: the store must be a directory of this user that nobody else can "
				    "read or write (chmod 700)"),
				  dir);
	}
	*out = q;
	return CG_OK;
}

void quarantine_free(struct quarantine *q)
{
	if (!q)
		return;
	if (q->dfd >= 0)
		close(q->dfd);
	free(q->dir);
	free(q);
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

static int from_hex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];
			int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (x < 0)
				return -1;
			v = v * 16 + x;
		}
		b[i] = (unsigned char)v;
	}
	return s[2 * n] ? -1 : 0;
}

static int is_hex(const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == n;
}

static int valid_id(const char *id)
{
	return id && is_hex(id, QUARANTINE_ID_LEN);
}

/* XOR the stream at offset `off` with the key (repeating). */
static void defang(unsigned char *p, size_t n, uint64_t off, const unsigned char *key)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= key[(off + i) % KEY_LEN];
}

static enum cg_err write_all(int fd, const void *p, size_t n, const char *what)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cg_err_set(CG_EIO, _("quarantine: %s: write failed: %s"), what, strerror(errno));
		c += w;
		n -= (size_t)w;
	}
	return CG_OK;
}

/* Split `path` into its parent directory (opened, links in it not followed)
 * and the last name. */
static enum cg_err open_parent(const char *path, int *dfd, const char **base, char **absdir)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	char *real;

	*dfd = -1;
	if (!dir)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*base = slash ? slash + 1 : path;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		free(dir);
		return cg_err_set(CG_EINVAL, _("quarantine: %s: not a file name"), path);
	}
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	real = *dfd >= 0 ? realpath(dir, NULL) : NULL;
	if (!real) {
		enum cg_err rc = cg_err_set(CG_EIO, _("quarantine: %s: %s"), dir, strerror(errno));
		free(dir);
		if (*dfd >= 0)
			close(*dfd);
		*dfd = -1;
		return rc;
	}
	free(dir);
	*absdir = real;
	return CG_OK;
}

static char *current_user(void)
{
	struct passwd pw, *res = NULL;
	char buf[1024], num[32];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res)
		return strdup(res->pw_name);
	snprintf(num, sizeof num, "uid %u", (unsigned)geteuid());
	return strdup(num);
}

/* Copy fd (the original) into the open store file `out`, defanged; digests
 * of the original into `hex`. */
static enum cg_err copy_in(int in, int out, const unsigned char *key, uint64_t expect, char hex[][SCAN_HASH_HEX_MAX],
			   const char *path)
{
	struct scan_hash *h = NULL;
	unsigned char *buf = malloc(CHUNK);
	uint64_t off = 0;
	enum cg_err rc;

	if (!buf)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = scan_hash_new(SCAN_HASH_BIT(SCAN_HASH_SHA256) | SCAN_HASH_BIT(SCAN_HASH_SHA1) |
					SCAN_HASH_BIT(SCAN_HASH_MD5),
				&h)) ||
	    (rc = scan_hash_begin(h)) || (rc = write_all(out, BIN_MAGIC, BIN_MAGIC_LEN, path)))
		goto out;
	for (;;) {
		ssize_t r = read(in, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cg_err_set(CG_EIO, _("quarantine: %s: read failed: %s"), path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if ((rc = scan_hash_update(h, buf, (size_t)r)))
			goto out;
		defang(buf, (size_t)r, off, key);
		off += (uint64_t)r;
		if (off > expect) {
			rc = cg_err_set(CG_EINVAL, _("quarantine: %s: the file grew while it was copied"), path);
			goto out;
		}
		if ((rc = write_all(out, buf, (size_t)r, path)))
			goto out;
	}
	if (off != expect) {
		rc = cg_err_set(CG_EINVAL, _("quarantine: %s: the file changed size while it was copied"), path);
		goto out;
	}
	rc = scan_hash_end(h, hex);
out:
	scan_hash_free(h);
	free(buf);
	return rc;
}

/* Read the stored item from fd (positioned anywhere), undo the defanging,
 * and either write it to `out` (>= 0) or only hash it; SHA-256 into sha. */
static enum cg_err copy_out(int in, int out, const unsigned char *key, uint64_t size, char *sha, const char *name)
{
	struct scan_hash *h = NULL;
	char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX];
	unsigned char *buf = malloc(CHUNK);
	uint64_t off = 0;
	enum cg_err rc;
	char magic[BIN_MAGIC_LEN];

	if (!buf)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = scan_hash_new(SCAN_HASH_BIT(SCAN_HASH_SHA256), &h)) || (rc = scan_hash_begin(h)))
		goto out;
	if (pread(in, magic, BIN_MAGIC_LEN, 0) != (ssize_t)BIN_MAGIC_LEN || memcmp(magic, BIN_MAGIC, BIN_MAGIC_LEN)) {
		rc = cg_err_set(CG_EPARSE, _("quarantine: %s: not a quarantined item"), name);
		goto out;
	}
	for (;;) {
		ssize_t r = pread(in, buf, CHUNK, (off_t)(BIN_MAGIC_LEN + off));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cg_err_set(CG_EIO, _("quarantine: %s: read failed: %s"), name, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		defang(buf, (size_t)r, off, key);
		off += (uint64_t)r;
		if (off > size)
			break;
		if ((rc = scan_hash_update(h, buf, (size_t)r)) || (out >= 0 && (rc = write_all(out, buf, (size_t)r, name))))
			goto out;
	}
	if (off != size) {
		rc = cg_err_set(CG_EPARSE, _("quarantine: %s: the stored content has the wrong size"), name);
		goto out;
	}
	if ((rc = scan_hash_end(h, hex)))
		goto out;
	memcpy(sha, hex[SCAN_HASH_SHA256], 65);
out:
	scan_hash_free(h);
	free(buf);
	return rc;
}

static json_t *meta_json(const struct quarantine_item *it)
{
	json_t *hits = json_array();
	for (size_t i = 0; i < it->n_hits; i++)
		json_array_append_new(hits, json_pack("{s:s, s:s}", "kind", it->hits[i].kind, "name", it->hits[i].name));
	return json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:I}",
			 "version", 1, "id", it->id, "path", it->path, "uid", (json_int_t)it->uid, "gid",
			 (json_int_t)it->gid, "mode", (json_int_t)it->mode, "size", (json_int_t)it->size, "mtime",
			 (json_int_t)it->mtime_s, "mtime_ns", (json_int_t)it->mtime_ns, "atime", (json_int_t)it->atime_s,
			 "atime_ns", (json_int_t)it->atime_ns, "sha256", it->sha256, "sha1", it->sha1, "md5", it->md5,
			 "key", it->key, "hits", hits, "who", it->who, "when", (json_int_t)it->when);
}

static void unlink_item(struct quarantine *q, const char *id, int tmp)
{
	char name[64];
	snprintf(name, sizeof name, "%s%s.bin", tmp ? ".tmp-" : "", id);
	(void)unlinkat(q->dfd, name, 0);
	snprintf(name, sizeof name, "%s%s.json", tmp ? ".tmp-" : "", id);
	(void)unlinkat(q->dfd, name, 0);
}

static enum cg_err write_meta(struct quarantine *q, const struct quarantine_item *it)
{
	char name[64];
	json_t *j = meta_json(it);
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	enum cg_err rc;
	int fd;

	json_decref(j);
	if (!s)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	snprintf(name, sizeof name, ".tmp-%s.json", it->id);
	fd = openat(q->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		free(s);
		return cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, name, strerror(errno));
	}
	rc = write_all(fd, s, strlen(s), name);
	if (!rc && (write_all(fd, "\n", 1, name) || fchmod(fd, 0400) != 0 || fsync(fd) != 0))
		rc = cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, name, strerror(errno));
	close(fd);
	free(s);
	return rc;
}

static enum cg_err same_file(int dfd, const char *base, const struct stat *want, const char *path)
{
	struct stat st;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return cg_err_set(CG_EIO, _("quarantine: %s: %s"), path, strerror(errno));
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino)
		return cg_err_set(CG_EINVAL, _("quarantine: %s: the path was replaced while it was quarantined; left alone"),
				  path);
	return CG_OK;
}

static enum cg_err check_file(const struct stat *st, const struct quarantine_add_opts *o, const char *path)
{
	uint64_t cap = o->max_size ? o->max_size : QUARANTINE_MAX_SIZE_DEFAULT;
	if (S_ISLNK(st->st_mode))
		return cg_err_set(CG_EINVAL, _("quarantine: %s: a symbolic link is not quarantined"), path);
	if (!S_ISREG(st->st_mode))
		return cg_err_set(CG_EINVAL, _("quarantine: %s: not a regular file"), path);
	if (st->st_nlink > 1 && !o->force)
		return cg_err_set(CG_EINVAL, _("quarantine: %s: has %llu hard links (give --force to quarantine it)"),
				  path, (unsigned long long)st->st_nlink);
	if ((uint64_t)st->st_size > cap)
		return cg_err_set(CG_ELIMIT, _("quarantine: %s: %llu bytes, more than the cap of %llu"), path,
				  (unsigned long long)st->st_size, (unsigned long long)cap);
	return CG_OK;
}

static enum cg_err fill_item(struct quarantine_item *it, const char *absdir, const char *base, const struct stat *st,
			     const struct quarantine_hit *hits, size_t n_hits, const struct quarantine_add_opts *o)
{
	size_t l = strlen(absdir) + strlen(base) + 2;
	if (n_hits > QUARANTINE_HITS_MAX)
		n_hits = QUARANTINE_HITS_MAX;
	if (!(it->path = malloc(l)) || !(it->who = o->who ? strdup(o->who) : current_user()) ||
	    (n_hits && !(it->hits = calloc(n_hits, sizeof *it->hits))))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	snprintf(it->path, l, "%s%s%s", absdir, strcmp(absdir, "/") ? "/" : "", base);
	for (size_t i = 0; i < n_hits; i++) {
		it->n_hits++;
		if (!(it->hits[i].kind = strdup(hits[i].kind ? hits[i].kind : "")) ||
		    !(it->hits[i].name = strdup(hits[i].name ? hits[i].name : "")))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	it->uid = st->st_uid;
	it->gid = st->st_gid;
	it->mode = st->st_mode & 07777;
	it->size = (uint64_t)st->st_size;
	it->mtime_s = st->st_mtim.tv_sec;
	it->mtime_ns = st->st_mtim.tv_nsec;
	it->atime_s = st->st_atim.tv_sec;
	it->atime_ns = st->st_atim.tv_nsec;
	it->when = o->now;
	return CG_OK;
}

static enum cg_err store_copy(struct quarantine *q, struct quarantine_item *it, int in, const unsigned char *key,
			      const char *path)
{
	char hex[SCAN_HASH_COUNT][SCAN_HASH_HEX_MAX], check[65], name[64];
	enum cg_err rc;
	int out;

	snprintf(name, sizeof name, ".tmp-%s.bin", it->id);
	out = openat(q->dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0)
		return cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, name, strerror(errno));
	rc = copy_in(in, out, key, it->size, hex, path);
	if (!rc && (fchmod(out, 0400) != 0 || fsync(out) != 0))
		rc = cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, name, strerror(errno));
	if (!rc)
		rc = copy_out(out, -1, key, it->size, check, name);
	close(out);
	if (rc)
		return rc;
	memcpy(it->sha256, hex[SCAN_HASH_SHA256], 65);
	memcpy(it->sha1, hex[SCAN_HASH_SHA1], 41);
	memcpy(it->md5, hex[SCAN_HASH_MD5], 33);
	if (strcmp(check, it->sha256))
		return cg_err_set(CG_EIO, _("quarantine: %s: the stored copy does not read back identical"), path);
	return CG_OK;
}

static enum cg_err commit_item(struct quarantine *q, const char *id)
{
	char a[64], b[64];
	const char *ext[] = {".bin", ".json"};
	for (int i = 0; i < 2; i++) {
		snprintf(a, sizeof a, ".tmp-%s%s", id, ext[i]);
		snprintf(b, sizeof b, "%s%s", id, ext[i]);
		if (renameat(q->dfd, a, q->dfd, b) != 0)
			return cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, b, strerror(errno));
	}
	if (fsync(q->dfd) != 0)
		return cg_err_set(CG_EIO, _("quarantine: %s: %s"), q->dir, strerror(errno));
	return CG_OK;
}

enum cg_err quarantine_add(struct quarantine *q, const char *path, const struct quarantine_hit *hits, size_t n_hits,
			   const struct quarantine_add_opts *o, char *id)
{
	struct quarantine_item it = {0};
	unsigned char key[KEY_LEN], idb[QUARANTINE_ID_LEN / 2];
	struct stat lst, fst;
	const char *base;
	char *absdir = NULL;
	int pfd = -1, fd = -1, stored = 0;
	enum cg_err rc;

	if ((rc = open_parent(path, &pfd, &base, &absdir)))
		return rc;
	if (fstatat(pfd, base, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s: %s"), path, strerror(errno));
		goto out;
	}
	if ((rc = check_file(&lst, o, path)))
		goto out;
	fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s: cannot open: %s"), path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &fst) != 0 || fst.st_dev != lst.st_dev || fst.st_ino != lst.st_ino) {
		rc = cg_err_set(CG_EINVAL, _("quarantine: %s: the path was replaced while it was quarantined; left alone"),
				path);
		goto out;
	}
	if ((rc = check_file(&fst, o, path)))
		goto out;
	if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key || getrandom(idb, sizeof idb, 0) != (ssize_t)sizeof idb) {
		rc = cg_err_set(CG_EIO, _("quarantine: no random bytes: %s"), strerror(errno));
		goto out;
	}
	to_hex(idb, sizeof idb, it.id);
	to_hex(key, sizeof key, it.key);
	if ((rc = fill_item(&it, absdir, base, &fst, hits, n_hits, o)))
		goto out;
	stored = 1;
	if ((rc = store_copy(q, &it, fd, key, path)) || (rc = write_meta(q, &it)))
		goto out;
	if (o->before_unlink)
		o->before_unlink(o->hook_ctx);
	if ((rc = same_file(pfd, base, &fst, path)) || (rc = commit_item(q, it.id)))
		goto out;
	stored = 2;
	if (unlinkat(pfd, base, 0) != 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s: cannot remove the original: %s"), path, strerror(errno));
		goto out;
	}
	(void)fsync(pfd);
	memcpy(id, it.id, QUARANTINE_ID_LEN + 1);
out:
	if (rc && stored)
		unlink_item(q, it.id, stored == 1);
	quarantine_item_clear(&it);
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	free(absdir);
	return rc;
}

/* ---- metadata ---- */

void quarantine_item_clear(struct quarantine_item *it)
{
	if (!it)
		return;
	for (size_t i = 0; i < it->n_hits; i++) {
		free((char *)it->hits[i].kind);
		free((char *)it->hits[i].name);
	}
	free(it->hits);
	free(it->path);
	free(it->who);
	memset(it, 0, sizeof *it);
}

void quarantine_item_free(struct quarantine_item *it)
{
	quarantine_item_clear(it);
	free(it);
}

void quarantine_items_free(struct quarantine_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++)
		quarantine_item_clear(&items[i]);
	free(items);
}

static enum cg_err get_int(json_t *o, const char *k, int64_t min, int64_t max, int64_t *v, const char *name)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_integer(x) || json_integer_value(x) < min || json_integer_value(x) > max)
		return cg_err_set(CG_EPARSE, _("quarantine: %s: field '%s': missing or not an integer in range"), name, k);
	*v = json_integer_value(x);
	return CG_OK;
}

static enum cg_err get_str(json_t *o, const char *k, size_t hexlen, const char **v, const char *name)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_string(x) || (hexlen && !is_hex(json_string_value(x), hexlen)))
		return cg_err_set(CG_EPARSE, _("quarantine: %s: field '%s': missing or not valid text"), name, k);
	*v = json_string_value(x);
	return CG_OK;
}

static enum cg_err parse_fields(json_t *o, struct quarantine_item *it, const char *name)
{
	const char *id, *path, *who, *sha256, *sha1, *md5, *key;
	int64_t v[11];
	json_t *hits;
	enum cg_err rc;

	if ((rc = get_int(o, "version", 1, 1, &v[0], name)) || (rc = get_str(o, "id", QUARANTINE_ID_LEN, &id, name)) ||
	    (rc = get_str(o, "path", 0, &path, name)) || (rc = get_str(o, "who", 0, &who, name)) ||
	    (rc = get_str(o, "sha256", 64, &sha256, name)) || (rc = get_str(o, "sha1", 40, &sha1, name)) ||
	    (rc = get_str(o, "md5", 32, &md5, name)) || (rc = get_str(o, "key", 64, &key, name)) ||
	    (rc = get_int(o, "uid", 0, UINT32_MAX, &v[1], name)) || (rc = get_int(o, "gid", 0, UINT32_MAX, &v[2], name)) ||
	    (rc = get_int(o, "mode", 0, 07777, &v[3], name)) || (rc = get_int(o, "size", 0, INT64_MAX, &v[4], name)) ||
	    (rc = get_int(o, "mtime", INT64_MIN, INT64_MAX, &v[5], name)) ||
	    (rc = get_int(o, "mtime_ns", 0, 999999999, &v[6], name)) ||
	    (rc = get_int(o, "atime", INT64_MIN, INT64_MAX, &v[7], name)) ||
	    (rc = get_int(o, "atime_ns", 0, 999999999, &v[8], name)) ||
	    (rc = get_int(o, "when", INT64_MIN, INT64_MAX, &v[9], name)))
		return rc;
	if (path[0] != '/')
		return cg_err_set(CG_EPARSE, _("quarantine: %s: field 'path': not an absolute path"), name);
	hits = json_object_get(o, "hits");
	if (!json_is_array(hits) || json_array_size(hits) > QUARANTINE_HITS_MAX)
		return cg_err_set(CG_EPARSE, _("quarantine: %s: field 'hits': not an array of at most %d hits"), name,
				  QUARANTINE_HITS_MAX);
	memcpy(it->id, id, sizeof it->id);
	memcpy(it->sha256, sha256, sizeof it->sha256);
	memcpy(it->sha1, sha1, sizeof it->sha1);
	memcpy(it->md5, md5, sizeof it->md5);
	memcpy(it->key, key, sizeof it->key);
	it->uid = (uid_t)v[1];
	it->gid = (gid_t)v[2];
	it->mode = (unsigned)v[3];
	it->size = (uint64_t)v[4];
	it->mtime_s = v[5];
	it->mtime_ns = v[6];
	it->atime_s = v[7];
	it->atime_ns = v[8];
	it->when = v[9];
	if (!(it->path = strdup(path)) || !(it->who = strdup(who)) ||
	    (json_array_size(hits) && !(it->hits = calloc(json_array_size(hits), sizeof *it->hits))))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < json_array_size(hits); i++) {
		json_t *h = json_array_get(hits, i), *k = json_object_get(h, "kind"), *n = json_object_get(h, "name");
		if (!json_is_string(k) || !json_is_string(n))
			return cg_err_set(CG_EPARSE, _("quarantine: %s: hit %zu: needs text 'kind' and 'name'"), name, i + 1);
		it->n_hits++;
		if (!(it->hits[i].kind = strdup(json_string_value(k))) || !(it->hits[i].name = strdup(json_string_value(n))))
			return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	return CG_OK;
}

enum cg_err quarantine_meta_parse(const char *name, const char *buf, size_t len, struct quarantine_item *it)
{
	json_error_t e;
	json_t *o;
	enum cg_err rc;

	memset(it, 0, sizeof *it);
	if (len > QUARANTINE_META_MAX)
		return cg_err_set(CG_ELIMIT, _("quarantine: %s: metadata larger than %u bytes"), name, QUARANTINE_META_MAX);
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (!o)
		return cg_err_set(CG_EPARSE, _("quarantine: %s:%d: %s"), name, e.line, e.text);
	rc = json_is_object(o) ? parse_fields(o, it, name)
			       : cg_err_set(CG_EPARSE, _("quarantine: %s: metadata is not a JSON object"), name);
	json_decref(o);
	if (rc)
		quarantine_item_clear(it);
	return rc;
}

static enum cg_err read_meta(struct quarantine *q, const char *id, struct quarantine_item *it)
{
	char name[64], *buf;
	struct stat st;
	ssize_t r;
	enum cg_err rc;
	int fd;

	snprintf(name, sizeof name, "%s.json", id);
	fd = openat(q->dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? cg_err_set(CG_ENOTFOUND, _("quarantine: no item %s in %s"), id, q->dir)
				       : cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, name, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > QUARANTINE_META_MAX) {
		close(fd);
		return cg_err_set(CG_ELIMIT, _("quarantine: %s/%s: not a metadata file of at most %u bytes"), q->dir,
				  name, QUARANTINE_META_MAX);
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	r = pread(fd, buf, (size_t)st.st_size, 0);
	close(fd);
	if (r != st.st_size) {
		free(buf);
		return cg_err_set(CG_EIO, _("quarantine: %s/%s: short read"), q->dir, name);
	}
	rc = quarantine_meta_parse(name, buf, (size_t)r, it);
	free(buf);
	if (!rc && strcmp(it->id, id)) {
		quarantine_item_clear(it);
		return cg_err_set(CG_EPARSE, _("quarantine: %s/%s: its id does not match the file name"), q->dir, name);
	}
	return rc;
}

enum cg_err quarantine_get(struct quarantine *q, const char *id, struct quarantine_item **out)
{
	struct quarantine_item *it;
	enum cg_err rc;

	*out = NULL;
	if (!valid_id(id))
		return cg_err_set(CG_EINVAL, _("quarantine: '%s' is not an item id (32 hex digits)"), id);
	if (!(it = calloc(1, sizeof *it)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	if ((rc = read_meta(q, id, it))) {
		free(it);
		return rc;
	}
	*out = it;
	return CG_OK;
}

static int item_cmp(const void *a, const void *b)
{
	const struct quarantine_item *x = a, *y = b;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->id, y->id);
}

enum cg_err quarantine_list(struct quarantine *q, struct quarantine_item **out, size_t *n)
{
	struct quarantine_item *items = NULL;
	size_t cap = 0, cnt = 0;
	enum cg_err rc = CG_OK;
	struct dirent *de;
	int fd = dup(q->dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cg_err_set(CG_EIO, _("quarantine: %s: %s"), q->dir, strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		char id[QUARANTINE_ID_LEN + 1];
		size_t l = strlen(de->d_name);
		if (l != QUARANTINE_ID_LEN + 5 || strcmp(de->d_name + QUARANTINE_ID_LEN, ".json"))
			continue;
		memcpy(id, de->d_name, QUARANTINE_ID_LEN);
		id[QUARANTINE_ID_LEN] = 0;
		if (!valid_id(id))
			continue;
		if (cnt == cap) {
			struct quarantine_item *t;
			if (cap >= QUARANTINE_ITEMS_MAX) {
				rc = cg_err_set(CG_ELIMIT, _("quarantine: %s: more than %d items"), q->dir,
						QUARANTINE_ITEMS_MAX);
				break;
			}
			cap = cap ? cap * 2 : 16;
			if (!(t = realloc(items, cap * sizeof *items))) {
				rc = cg_err_set(CG_ENOMEM, _("out of memory"));
				break;
			}
			items = t;
		}
		if ((rc = read_meta(q, id, &items[cnt])))
			break;
		cnt++;
	}
	closedir(d);
	if (rc) {
		quarantine_items_free(items, cnt);
		return rc;
	}
	if (cnt)
		qsort(items, cnt, sizeof *items, item_cmp);
	*out = items;
	*n = cnt;
	return CG_OK;
}

enum cg_err quarantine_purge(struct quarantine *q, const char *id)
{
	struct quarantine_item *it;
	enum cg_err rc = quarantine_get(q, id, &it);
	if (rc)
		return rc;
	quarantine_item_free(it);
	unlink_item(q, id, 0);
	if (fsync(q->dfd) != 0)
		return cg_err_set(CG_EIO, _("quarantine: %s: %s"), q->dir, strerror(errno));
	return CG_OK;
}

/* Owner, mode and times of the restored file. Changing the owner to
 * another user needs privileges: without them the file keeps ours. */
static enum cg_err set_attrs(int fd, const struct quarantine_item *it, const char *name)
{
	struct timespec ts[2] = {{.tv_sec = it->atime_s, .tv_nsec = it->atime_ns},
				 {.tv_sec = it->mtime_s, .tv_nsec = it->mtime_ns}};
	if (fchown(fd, it->uid, it->gid) != 0 && !(errno == EPERM && geteuid() != 0))
		return cg_err_set(CG_EIO, _("quarantine: %s: cannot set the owner: %s"), name, strerror(errno));
	if (fchmod(fd, it->mode) != 0 || futimens(fd, ts) != 0)
		return cg_err_set(CG_EIO, _("quarantine: %s: cannot set mode and times: %s"), name, strerror(errno));
	return CG_OK;
}

static enum cg_err restore_into(struct quarantine *q, const struct quarantine_item *it, const char *target, int force)
{
	unsigned char key[KEY_LEN];
	char binname[64], tmp[64], sha[65];
	const char *base;
	char *absdir = NULL;
	int pfd = -1, in = -1, out = -1;
	struct stat st;
	enum cg_err rc;

	if (from_hex(it->key, key, KEY_LEN) != 0)
		return cg_err_set(CG_EPARSE, _("quarantine: item %s: bad key"), it->id);
	if ((rc = open_parent(target, &pfd, &base, &absdir)))
		return rc;
	if (!force && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = cg_err_set(CG_EEXIST, _("quarantine: %s exists (give --force to replace it, or --to PATH)"), target);
		goto out;
	}
	snprintf(binname, sizeof binname, "%s.bin", it->id);
	if ((in = openat(q->dfd, binname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), q->dir, binname, strerror(errno));
		goto out;
	}
	snprintf(tmp, sizeof tmp, ".canhgac-restore-%s", it->id);
	(void)unlinkat(pfd, tmp, 0);
	if ((out = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s/%s: %s"), absdir, tmp, strerror(errno));
		goto out;
	}
	if ((rc = copy_out(in, out, key, it->size, sha, binname)))
		goto out;
	if (strcmp(sha, it->sha256)) {
		rc = cg_err_set(CG_EIO, _("quarantine: item %s: the stored content does not match its SHA-256; not restored"),
				it->id);
		goto out;
	}
	if ((rc = set_attrs(out, it, target)))
		goto out;
	if (fsync(out) != 0) {
		rc = cg_err_set(CG_EIO, _("quarantine: %s: %s"), target, strerror(errno));
		goto out;
	}
	if (renameat2(pfd, tmp, pfd, base, force ? 0 : RENAME_NOREPLACE) != 0) {
		rc = errno == EEXIST ? cg_err_set(CG_EEXIST, _("quarantine: %s exists (give --force to replace it, or --to PATH)"),
						  target)
				     : cg_err_set(CG_EIO, _("quarantine: %s: %s"), target, strerror(errno));
		goto out;
	}
	(void)fsync(pfd);
out:
	if (out >= 0) {
		close(out);
		if (rc)
			(void)unlinkat(pfd, tmp, 0);
	}
	if (in >= 0)
		close(in);
	if (pfd >= 0)
		close(pfd);
	free(absdir);
	return rc;
}

enum cg_err quarantine_restore(struct quarantine *q, const char *id, const char *to, int force, int keep)
{
	struct quarantine_item *it;
	enum cg_err rc = quarantine_get(q, id, &it);
	if (rc)
		return rc;
	rc = restore_into(q, it, to ? to : it->path, force);
	quarantine_item_free(it);
	if (!rc && !keep) {
		unlink_item(q, id, 0);
		(void)fsync(q->dfd);
	}
	return rc;
}
