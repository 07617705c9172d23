#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_buf.h"
#include "cg_i18n.h"
#include "custody.h"
#include "evidence.h"

#define CHUNK 65536

struct member {
	char sha[65]; /* the name's hash */
	char got_sha[65], got_md5[33];
	uint64_t size;
	int in_manifest;
};

struct verify {
	bundle_problem_fn fn;
	void *ctx;
	struct bundle_result *res;
	struct member *files;
	size_t n_files, alloc;
	struct cg_buf manifest, custody;
	int have_manifest, have_custody;
	char manifest_md5[33];
};

static void problem(struct verify *v, const char *what, const char *fmt, ...) CG_PRINTF(3, 4);
static void problem(struct verify *v, const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	v->res->n_problems++;
	if (v->fn)
		v->fn(v->ctx, what, msg);
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Which member this is: 1 manifest, 2 custody, 3 file; refuses the rest. */
static enum cg_err classify(const char *name, struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);
	size_t n = strlen(name);

	if (name[0] == '/' || (n >= 2 && name[1] == ':'))
		return cg_err_set(CG_EPARSE, _("bundle member '%s': absolute path refused"), name);
	if (strstr(name, "..") && (strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 || strstr(name, "/../") ||
				   (n >= 3 && strcmp(name + n - 3, "/..") == 0)))
		return cg_err_set(CG_EPARSE, _("bundle member '%s': path traversal refused"), name);
	if (archive_entry_hardlink(e) || type == AE_IFLNK || archive_entry_symlink(e))
		return cg_err_set(CG_EPARSE, _("bundle member '%s': links are refused"), name);
	if (type == AE_IFDIR && strcmp(name, "files/") == 0)
		return CG_OK;
	if (type != AE_IFREG)
		return cg_err_set(CG_EPARSE, _("bundle member '%s': not a regular file"), name);
	if (strcmp(name, "manifest.json") == 0 || strcmp(name, "custody.log") == 0)
		return CG_OK;
	if (n == 6 + 64 && strncmp(name, "files/", 6) == 0 && is_hex(name + 6, 64))
		return CG_OK;
	return cg_err_set(CG_EPARSE, _("bundle member '%s': unexpected name (only manifest.json, custody.log and "
				       "files/SHA256)"),
			  name);
}

static enum cg_err read_small(struct archive *a, struct cg_buf *b, const char *name)
{
	char buf[CHUNK];
	la_ssize_t r;
	enum cg_err rc;

	while ((r = archive_read_data(a, buf, sizeof buf)) > 0)
		if ((rc = cg_buf_append(b, buf, (size_t)r)))
			return rc == CG_ELIMIT ? cg_err_set(rc, _("bundle member '%s' is too large"), name) : rc;
	if (r < 0)
		return cg_err_set(CG_EPARSE, _("bundle member '%s': %s"), name, archive_error_string(a));
	return CG_OK;
}

static enum cg_err read_file(struct verify *v, struct archive *a, const char *name)
{
	struct evidence_hasher *h;
	unsigned char *buf;
	struct member *m;
	la_ssize_t r;
	enum cg_err rc = CG_OK;

	for (size_t i = 0; i < v->n_files; i++)
		if (strcmp(v->files[i].sha, name + 6) == 0)
			return cg_err_set(CG_EPARSE, _("bundle member '%s' appears twice"), name);
	if (v->n_files == v->alloc) {
		size_t na = v->alloc ? v->alloc * 2 : 16;
		struct member *nf = realloc(v->files, na * sizeof *nf);
		if (!nf)
			return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		v->files = nf;
		v->alloc = na;
	}
	m = &v->files[v->n_files];
	memset(m, 0, sizeof *m);
	memcpy(m->sha, name + 6, 64);
	h = evidence_hasher_new();
	buf = malloc(CHUNK);
	if (!h || !buf) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	while ((r = archive_read_data(a, buf, CHUNK)) > 0) {
		evidence_hasher_update(h, buf, (size_t)r);
		m->size += (uint64_t)r;
	}
	if (r < 0) {
		rc = cg_err_set(CG_EPARSE, _("bundle member '%s': %s"), name, archive_error_string(a));
		goto out;
	}
	if ((rc = evidence_hasher_final(h, m->got_sha, m->got_md5)))
		goto out;
	v->n_files++;
out:
	free(buf);
	evidence_hasher_free(h);
	return rc;
}

static enum cg_err read_members(struct verify *v, struct archive *a)
{
	struct archive_entry *e;
	size_t n = 0;
	enum cg_err rc;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name)
			return cg_err_set(CG_EPARSE, "%s", _("bundle member without a name"));
		if (++n > BUNDLE_MEMBERS_MAX)
			return cg_err_set(CG_ELIMIT, "%s", _("bundle has more than 100000 members"));
		if ((rc = classify(name, e)))
			return rc;
		if (strcmp(name, "manifest.json") == 0 || strcmp(name, "custody.log") == 0) {
			int *have = name[0] == 'm' ? &v->have_manifest : &v->have_custody;
			if (*have)
				return cg_err_set(CG_EPARSE, _("bundle member '%s' appears twice"), name);
			*have = 1;
			if ((rc = read_small(a, name[0] == 'm' ? &v->manifest : &v->custody, name)))
				return rc;
		} else if (strncmp(name, "files/", 6) == 0 && name[6]) {
			if ((rc = read_file(v, a, name)))
				return rc;
		}
	}
	if (r != ARCHIVE_EOF)
		return cg_err_set(CG_EPARSE, _("bundle: %s"), archive_error_string(a) ? archive_error_string(a)
										  : "unreadable archive");
	if (!v->have_manifest)
		return cg_err_set(CG_EPARSE, "%s", _("bundle has no manifest.json"));
	if (!v->have_custody)
		return cg_err_set(CG_EPARSE, "%s", _("bundle has no custody.log"));
	return CG_OK;
}

static struct member *find_file(struct verify *v, const char *sha)
{
	for (size_t i = 0; i < v->n_files; i++)
		if (strcmp(v->files[i].sha, sha) == 0)
			return &v->files[i];
	return NULL;
}

/* The custody chain: every entry's hash, links, sequence; what was
 * collected; the manifest hash the last export sealed. */
static void check_custody(struct verify *v, json_t *items, const char *head)
{
	struct cg_buf sc;
	char prev[65] = CUSTODY_ZERO, what[64], sealed[65] = "", before_seal[65] = "";
	size_t line = 0, start = 0;
	const char *d = v->custody.data ? v->custody.data : "";
	size_t len = v->custody.len;

	cg_buf_init(&sc, CUSTODY_LINE_MAX * 2);
	while (start < len) {
		const char *nl = memchr(d + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - (d + start)) : len - start;
		struct custody_line cl;
		char hash[65];

		line++;
		snprintf(what, sizeof what, "custody entry %zu", line);
		if (!nl) {
			problem(v, what, "%s", _("the log does not end with a newline (truncated?)"));
		}
		if (custody_line_parse(d + start, n, &sc, &cl) != CG_OK) {
			problem(v, what, _("unreadable: %s"), cg_err_msg(CG_EPARSE));
			snprintf(prev, sizeof prev, "%s", "unreadable");
		} else {
			if (cl.seq != (int64_t)line)
				problem(v, what, _("sequence number is %lld, expected %zu (entry removed or reordered)"),
					(long long)cl.seq, line);
			if (strcmp(cl.prev, prev) != 0)
				problem(v, what, "%s", _("does not follow the entry before it (chain broken)"));
			if (custody_hash(cl.prev, d + start, cl.body_len, hash) != CG_OK || strcmp(hash, cl.hash) != 0)
				problem(v, what, "%s", _("content changed: its hash does not match"));
			if (strcmp(cl.action, "exported") == 0) {
				const char *p = strstr(cl.detail, "manifest.json SHA-256 ");
				snprintf(before_seal, sizeof before_seal, "%s", prev);
				snprintf(sealed, sizeof sealed, "%.64s", p ? p + 22 : "");
			}
			if (strcmp(cl.action, "collected") == 0) {
				size_t i;
				json_t *it;
				json_array_foreach(items, i, it)
				{
					const char *s = json_string_value(json_object_get(it, "sha256"));
					if (s && strcmp(s, cl.sha256) == 0)
						json_object_set_new(it, "_collected", json_true());
				}
			}
			snprintf(prev, sizeof prev, "%s", cl.hash);
		}
		start += n + 1;
	}
	v->res->n_custody = line;
	cg_buf_free(&sc);
	if (!sealed[0])
		problem(v, "custody.log", "%s", _("no 'exported' entry seals the manifest"));
	else if (strcmp(sealed, v->res->manifest_sha256) != 0)
		problem(v, "manifest.json", _("changed since export: its SHA-256 is %s, the custody log recorded %s"),
			v->res->manifest_sha256, sealed);
	if (sealed[0] && head && strcmp(head, before_seal) != 0)
		problem(v, "manifest.json", "%s", _("custody_head does not match the custody log"));
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) if (!json_object_get(it, "_collected"))
	{
		char w[128];
		snprintf(w, sizeof w, "files/%.64s", json_string_value(json_object_get(it, "sha256")) ?: "?");
		problem(v, w, "%s", _("no 'collected' custody entry for this item"));
	}
}

static void check_items(struct verify *v, json_t *items)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		const char *sha = json_string_value(json_object_get(it, "sha256"));
		const char *md5 = json_string_value(json_object_get(it, "md5"));
		const char *name = json_string_value(json_object_get(it, "name"));
		json_t *size = json_object_get(it, "size");
		char what[512];
		struct member *m;

		snprintf(what, sizeof what, "files/%.64s (%.300s)", sha ? sha : "?", name ? name : "?");
		if (!sha || strlen(sha) != 64 || !md5 || !json_is_integer(size)) {
			problem(v, "manifest.json", _("item %zu lacks sha256, md5 or size"), i + 1);
			continue;
		}
		if (!(m = find_file(v, sha))) {
			problem(v, what, "%s", _("missing from the bundle"));
			continue;
		}
		m->in_manifest = 1;
		if (strcmp(m->got_sha, sha) != 0)
			problem(v, what, _("content changed: SHA-256 is %s"), m->got_sha);
		else if (strcmp(m->got_md5, md5) != 0)
			problem(v, what, _("MD5 is %s, the manifest says %s"), m->got_md5, md5);
		if ((json_int_t)m->size != json_integer_value(size))
			problem(v, what, _("size is %llu bytes, the manifest says %lld"), (unsigned long long)m->size,
				(long long)json_integer_value(size));
	}
	for (size_t k = 0; k < v->n_files; k++) {
		if (!v->files[k].in_manifest) {
			char what[80];
			snprintf(what, sizeof what, "files/%s", v->files[k].sha);
			problem(v, what, "%s", _("not listed in the manifest"));
		}
	}
}

static enum cg_err verify(struct archive *a, bundle_problem_fn fn, void *ctx, struct bundle_result *res)
{
	struct verify v = {.fn = fn, .ctx = ctx, .res = res};
	struct evidence_hasher *h = NULL;
	json_t *manifest = NULL;
	json_error_t jerr;
	enum cg_err rc;

	memset(res, 0, sizeof *res);
	cg_buf_init(&v.manifest, BUNDLE_MANIFEST_MAX);
	cg_buf_init(&v.custody, BUNDLE_CUSTODY_MAX);
	if ((rc = read_members(&v, a)))
		goto out;
	res->n_files = v.n_files;
	if (!(h = evidence_hasher_new())) {
		rc = cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	evidence_hasher_update(h, v.manifest.data ? v.manifest.data : "", v.manifest.len);
	if ((rc = evidence_hasher_final(h, res->manifest_sha256, v.manifest_md5)))
		goto out;
	manifest = json_loadb(v.manifest.data ? v.manifest.data : "", v.manifest.len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *items = json_object_get(manifest, "items");
	if (!manifest || !json_is_array(items)) {
		problem(&v, "manifest.json", _("unreadable: line %d: %s"), manifest ? 0 : jerr.line,
			manifest ? "no \"items\" array" : jerr.text);
		items = NULL;
	} else {
		res->incident_id = json_integer_value(json_object_get(json_object_get(manifest, "incident"), "id"));
		check_items(&v, items);
	}
	json_t *empty = json_array();
	check_custody(&v, items ? items : empty, json_string_value(json_object_get(manifest, "custody_head")));
	json_decref(empty);
out:
	evidence_hasher_free(h);
	json_decref(manifest);
	cg_buf_free(&v.manifest);
	cg_buf_free(&v.custody);
	free(v.files);
	return rc;
}

static struct archive *reader(void)
{
	struct archive *a = archive_read_new();
	if (a) {
		/* A bundle is a tar file; the filters let a gzipped copy pass. */
		archive_read_support_format_tar(a);
		archive_read_support_filter_gzip(a);
		archive_read_support_filter_none(a);
	}
	return a;
}

enum cg_err bundle_verify_file(const char *path, bundle_problem_fn fn, void *ctx, struct bundle_result *res)
{
	struct archive *a = reader();
	enum cg_err rc;

	if (!a)
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		rc = cg_err_set(CG_EIO, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return rc;
	}
	rc = verify(a, fn, ctx, res);
	archive_read_free(a);
	return rc ? cg_err_prefix(rc, "%s", path) : CG_OK;
}

enum cg_err bundle_verify_memory(const void *buf, size_t len, bundle_problem_fn fn, void *ctx,
				 struct bundle_result *res)
{
	struct archive *a = reader();
	enum cg_err rc;

	if (!a)
		return cg_err_set(CG_ENOMEM, "%s", _("out of memory"));
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		rc = cg_err_set(CG_EPARSE, "bundle: %s", archive_error_string(a));
		archive_read_free(a);
		return rc;
	}
	rc = verify(a, fn, ctx, res);
	archive_read_free(a);
	return rc;
}
