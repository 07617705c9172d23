#include "evidence.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cg_buf.h"
#include "cg_file.h"
#include "cg_i18n.h"
#include "custody.h"
#include "store_incident.h"

#define CHUNK 65536

struct evidence_hasher {
	EVP_MD_CTX *sha, *md5;
	int ok;
};

static int hasher_init(struct evidence_hasher *h)
{
	return EVP_DigestInit_ex(h->sha, EVP_sha256(), NULL) && EVP_DigestInit_ex(h->md5, EVP_md5(), NULL);
}

struct evidence_hasher *evidence_hasher_new(void)
{
	struct evidence_hasher *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->sha = EVP_MD_CTX_new();
	h->md5 = EVP_MD_CTX_new();
	if (!h->sha || !h->md5 || !hasher_init(h)) {
		evidence_hasher_free(h);
		return NULL;
	}
	h->ok = 1;
	return h;
}

void evidence_hasher_update(struct evidence_hasher *h, const void *p, size_t n)
{
	if (!EVP_DigestUpdate(h->sha, p, n) || !EVP_DigestUpdate(h->md5, p, n))
		h->ok = 0;
}

enum cg_err evidence_hasher_final(struct evidence_hasher *h, char sha256[65], char md5[33])
{
	unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
	unsigned la = 0, lb = 0;
	int ok = h->ok && EVP_DigestFinal_ex(h->sha, a, &la) && EVP_DigestFinal_ex(h->md5, b, &lb) && la == 32 &&
		 lb == 16;

	h->ok = hasher_init(h);
	if (!ok)
		return cg_err_set(CG_EINTERNAL, "%s", _("evidence: hashing failed (OpenSSL)"));
	custody_hex(a, 32, sha256);
	custody_hex(b, 16, md5);
	return CG_OK;
}

void evidence_hasher_free(struct evidence_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->sha);
	EVP_MD_CTX_free(h->md5);
	free(h);
}

static enum cg_err io_fail(const char *path, const char *what)
{
	return cg_err_set(CG_EIO, "%s: %s: %s", path, what, strerror(errno));
}

static enum cg_err mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof tmp)
		return cg_err_set(CG_EINVAL, _("evidence store path '%s' is empty or too long"), dir);
	memcpy(tmp, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];
			tmp[i] = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return io_fail(tmp, "mkdir");
			tmp[i] = c;
		}
	}
	return CG_OK;
}

static void store_path(char *buf, size_t n, const char *store, const char *sha)
{
	snprintf(buf, n, "%s/%.2s/%s", store, sha, sha);
}

/* Stream `path` into a temporary file of the store while hashing it. */
static enum cg_err copy_in(const char *path, const char *store, char *tmp, size_t tmp_n, struct evidence_added *out)
{
	struct evidence_hasher *h = evidence_hasher_new();
	unsigned char *buf = malloc(CHUNK);
	int in = -1, fd = -1;
	struct stat st;
	enum cg_err rc = CG_OK;
	ssize_t r;

	tmp[0] = '\0';
	if (!h || !buf) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		rc = errno == ELOOP ? cg_err_set(CG_EINVAL, _("%s: is a symbolic link; give the file it points to"), path)
				    : io_fail(path, "open");
		goto out;
	}
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cg_err_set(CG_EINVAL, _("%s: not a regular file"), path);
		goto out;
	}
	snprintf(tmp, tmp_n, "%s/.incoming-XXXXXX", store);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = io_fail(tmp, "mkstemp");
		tmp[0] = '\0';
		goto out;
	}
	out->size = 0;
	while ((r = read(in, buf, CHUNK)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = io_fail(path, "read");
			goto out;
		}
		evidence_hasher_update(h, buf, (size_t)r);
		for (ssize_t done = 0; done < r;) {
			ssize_t w = write(fd, buf + done, (size_t)(r - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = io_fail(tmp, "write");
				goto out;
			}
			done += w;
		}
		out->size += (uint64_t)r;
	}
	if (fsync(fd) != 0) {
		rc = io_fail(tmp, "fsync");
		goto out;
	}
	rc = evidence_hasher_final(h, out->sha256, out->md5);
out:
	if (in >= 0)
		close(in);
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = io_fail(tmp, "close");
	free(buf);
	evidence_hasher_free(h);
	return rc;
}

enum cg_err evidence_add(struct cg_db *db, const struct evidence_add_opts *o, const char *path,
			 struct evidence_added *out)
{
	char tmp[4200], dst[4200], dir[4200], detail[8192], abs[4096];
	struct evidence_row row;
	struct stat st;
	enum cg_err rc;

	memset(out, 0, sizeof *out);
	if ((rc = mkdir_p(o->store_dir)) || (rc = copy_in(path, o->store_dir, tmp, sizeof tmp, out)))
		goto fail_file;
	snprintf(dir, sizeof dir, "%s/%.2s", o->store_dir, out->sha256);
	if ((rc = mkdir_p(dir)))
		goto fail_file;
	store_path(dst, sizeof dst, o->store_dir, out->sha256);
	out->already_stored = stat(dst, &st) == 0;
	if (out->already_stored) {
		unlink(tmp);
	} else if (rename(tmp, dst) != 0) {
		rc = io_fail(dst, "rename");
		goto fail_file;
	}
	tmp[0] = '\0';
	if (o->source_path)
		snprintf(abs, sizeof abs, "%s", o->source_path);
	else if (!realpath(path, abs))
		snprintf(abs, sizeof abs, "%s", path);
	row = (struct evidence_row){
		.incident_id = o->incident_id,
		.name = o->name ? o->name : cg_file_basename(path),
		.sha256 = out->sha256,
		.md5 = out->md5,
		.size = (int64_t)out->size,
		.source_host = o->source_host,
		.source_path = abs,
		.collector = o->collector,
		.collected_at = o->now,
		.note = o->note,
	};
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = store_evidence_add(db, &row, &out->id)))
		goto fail;
	snprintf(detail, sizeof detail, "item %lld '%s' from %s:%s, %llu bytes, MD5 %s%s%s", (long long)out->id,
		 row.name, o->source_host, abs, (unsigned long long)out->size, out->md5, o->note && *o->note ? "; " : "",
		 o->note ? o->note : "");
	if ((rc = store_custody_append(db, o->incident_id, o->now, "collected", o->collector, out->sha256, detail)))
		goto fail;
	snprintf(detail, sizeof detail, "item %lld copied into the evidence store as %.2s/%s", (long long)out->id,
		 out->sha256, out->sha256);
	if ((rc = store_custody_append(db, o->incident_id, o->now, "copied", o->collector, out->sha256, detail)))
		goto fail;
	return cg_db_commit(db);
fail:
	cg_db_rollback(db);
	return rc;
fail_file:
	if (tmp[0])
		unlink(tmp);
	return rc;
}

/* ---- export ---- */

struct export_ctx {
	json_t *items;
	const char *store;
	struct cg_buf log;
	char head[65];
};

static enum cg_err item_json(void *ctx, const struct evidence_row *e)
{
	struct export_ctx *c = ctx;
	char path[80], t[32];
	cg_time_iso(e->collected_at, t, sizeof t);
	snprintf(path, sizeof path, "files/%s", e->sha256);
	json_array_append_new(c->items,
			      json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id,
					"path", path, "name", e->name, "sha256", e->sha256, "md5", e->md5, "size",
					(json_int_t)e->size, "source_host", e->source_host, "source_path",
					e->source_path, "collector", e->collector, "collected_at", t, "note", e->note));
	return CG_OK;
}

static enum cg_err log_line(void *ctx, const struct custody_entry *e)
{
	struct export_ctx *c = ctx;
	enum cg_err rc;
	if ((rc = custody_body(&c->log, e->seq, e->at, e->action, e->actor, e->sha256, e->detail)) ||
	    (rc = cg_buf_printf(&c->log, "\t%s\t%s\n", e->prev, e->hash)))
		return rc;
	snprintf(c->head, sizeof c->head, "%s", e->hash);
	return CG_OK;
}

static enum cg_err ar_fail(struct archive *a, const char *path)
{
	return cg_err_set(CG_EIO, "%s: %s", path, archive_error_string(a) ? archive_error_string(a) : "archive error");
}

static enum cg_err ar_member(struct archive *a, const char *out, const char *name, int64_t size, int64_t mtime)
{
	struct archive_entry *e = archive_entry_new();
	int r;
	if (!e)
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0444);
	archive_entry_set_mtime(e, mtime, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? CG_OK : ar_fail(a, out);
}

static enum cg_err ar_bytes(struct archive *a, const char *out, const char *name, const char *p, size_t n,
			    int64_t mtime)
{
	enum cg_err rc = ar_member(a, out, name, (int64_t)n, mtime);
	if (!rc && n && archive_write_data(a, p, n) != (la_ssize_t)n)
		rc = ar_fail(a, out);
	return rc;
}

/* Stream one stored file into the archive, checking it still has its hash. */
static enum cg_err ar_file(struct archive *a, const char *out, const char *store, json_t *item, int64_t mtime)
{
	const char *sha = json_string_value(json_object_get(item, "sha256"));
	int64_t size = json_integer_value(json_object_get(item, "size"));
	char path[4200], got[65], md5[33];
	struct evidence_hasher *h = NULL;
	unsigned char *buf = NULL;
	enum cg_err rc;
	int64_t total = 0;
	FILE *f;
	size_t r;

	store_path(path, sizeof path, store, sha);
	if (!(f = fopen(path, "rb")))
		return io_fail(path, "open");
	h = evidence_hasher_new();
	buf = malloc(CHUNK);
	if (!h || !buf) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	if ((rc = ar_member(a, out, json_string_value(json_object_get(item, "path")), size, mtime)))
		goto out;
	while ((r = fread(buf, 1, CHUNK, f)) > 0) {
		if (total + (int64_t)r > size)
			break;
		evidence_hasher_update(h, buf, r);
		if (archive_write_data(a, buf, r) != (la_ssize_t)r) {
			rc = ar_fail(a, out);
			goto out;
		}
		total += (int64_t)r;
	}
	if (ferror(f)) {
		rc = io_fail(path, "read");
		goto out;
	}
	if ((rc = evidence_hasher_final(h, got, md5)))
		goto out;
	if (total != size || strcmp(got, sha) != 0)
		rc = cg_err_set(CG_EIO, _("%s: the stored copy of '%s' changed (SHA-256 now %s); not exported"), path,
				json_string_value(json_object_get(item, "name")), total != size ? "?" : got);
out:
	fclose(f);
	free(buf);
	evidence_hasher_free(h);
	return rc;
}

static enum cg_err title_of(void *ctx, const struct incident_row *r)
{
	*(json_t **)ctx = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r->id, "title", r->title, "system", r->system);
	return CG_OK;
}

enum cg_err evidence_export(struct cg_db *db, int64_t id, const char *store_dir, const char *out_path,
			    const char *actor, int64_t now, size_t *n_files)
{
	struct export_ctx c = {.items = json_array(), .store = store_dir};
	struct archive *a = NULL;
	json_t *inc = NULL, *manifest = NULL, *it;
	char *mtext = NULL, msha[65], mmd5[33], t[32], detail[512], tmp[4200];
	struct evidence_hasher *h = NULL;
	enum cg_err rc;
	int began = 0;
	size_t i;

	*n_files = 0;
	tmp[0] = '\0';
	cg_buf_init(&c.log, BUNDLE_CUSTODY_MAX);
	snprintf(c.head, sizeof c.head, "%s", CUSTODY_ZERO);
	if ((rc = store_incident_get(db, id, title_of, &inc)) || (rc = store_evidence_foreach(db, id, item_json, &c)) ||
	    (rc = store_custody_foreach(db, id, log_line, &c)))
		goto out;
	if (json_array_size(c.items) == 0) {
		rc = cg_err_set(CG_ENOTFOUND, _("incident %lld has no evidence to export"), (long long)id);
		goto out;
	}
	cg_time_iso(now, t, sizeof t);
	manifest = json_pack("{s:s, s:i, s:O, s:s, s:s, s:O, s:s}", "format", "canhgac-evidence-bundle", "version", 1,
			     "incident", inc, "exported_at", t, "exported_by", actor, "items", c.items,
			     "custody_head", c.head);
	if (!manifest || !(mtext = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS))) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	if (!(h = evidence_hasher_new())) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	evidence_hasher_update(h, mtext, strlen(mtext));
	if ((rc = evidence_hasher_final(h, msha, mmd5)))
		goto out;
	/* The export entry seals the manifest: its hash is in the chain. */
	if ((rc = cg_db_begin(db)))
		goto out;
	began = 1;
	snprintf(detail, sizeof detail, "bundle of %zu items; manifest.json SHA-256 %s", json_array_size(c.items),
		 msha);
	if ((rc = store_custody_append(db, id, now, "exported", actor, "-", detail)))
		goto out;
	cg_buf_reset(&c.log);
	if ((rc = store_custody_foreach(db, id, log_line, &c)))
		goto out;
	snprintf(tmp, sizeof tmp, "%s.partial", out_path);
	if (!(a = archive_write_new()) || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		rc = a ? ar_fail(a, tmp) : cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	if ((rc = ar_bytes(a, tmp, "manifest.json", mtext, strlen(mtext), now)) ||
	    (rc = ar_bytes(a, tmp, "custody.log", c.log.data, c.log.len, now)))
		goto out;
	json_array_foreach(c.items, i, it)
	{
		int dup = 0;
		for (size_t k = 0; k < i; k++)
			dup |= json_equal(json_object_get(json_array_get(c.items, k), "sha256"), json_object_get(it, "sha256"));
		if (dup)
			continue;
		if ((rc = ar_file(a, tmp, store_dir, it, now)))
			goto out;
		(*n_files)++;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		rc = ar_fail(a, tmp);
		goto out;
	}
	if (rename(tmp, out_path) != 0) {
		rc = io_fail(out_path, "rename");
		goto out;
	}
	tmp[0] = '\0';
	rc = cg_db_commit(db);
	began = 0;
out:
	if (began)
		cg_db_rollback(db);
	if (a)
		archive_write_free(a);
	if (tmp[0])
		unlink(tmp);
	evidence_hasher_free(h);
	free(mtext);
	json_decref(manifest);
	json_decref(inc);
	json_decref(c.items);
	cg_buf_free(&c.log);
	return rc;
}

enum cg_err evidence_record_verified(struct cg_db *db, int64_t id, const char *bundle, const char *actor, int64_t now)
{
	char detail[4200];
	enum cg_err rc;

	snprintf(detail, sizeof detail, "bundle %s verified: files, manifest and custody chain intact", bundle);
	if ((rc = cg_db_begin(db)))
		return rc;
	if ((rc = store_custody_append(db, id, now, "verified", actor, "-", detail))) {
		cg_db_rollback(db);
		return rc;
	}
	return cg_db_commit(db);
}
