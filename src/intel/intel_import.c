/* intel_import — one source and one transaction per feed file. */
#include "intel_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_file.h"
#include "cg_i18n.h"
#include "special_range.h"

void intel_import_source_name(const char *path, char *out, size_t n)
{
	static const char *const exts[] = {".gz", ".csv", ".txt", ".json", ".netset", ".ipset", ".conf", ".rpz",
					   ".zone", ".hosts", ".sha256", ".sha1", ".md5", ".lst", ".list", ".tsv"};
	size_t l;
	int again = 1;

	snprintf(out, n, "%s", cg_file_basename(path));
	while (again) {
		again = 0;
		l = strlen(out);
		for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
			size_t el = strlen(exts[i]);
			if (l > el && strcasecmp(out + l - el, exts[i]) == 0) {
				out[l - el] = '\0';
				again = 1;
				break;
			}
		}
	}
}

enum cg_err intel_import_check(const char *const *paths, size_t n, const char *source)
{
	char a[INTEL_SOURCE_NAME_MAX], b[INTEL_SOURCE_NAME_MAX];

	if (n == 0)
		return cg_err_set(CG_EINVAL, _("no file given"));
	if (n > INTEL_IMPORT_FILES_MAX)
		return cg_err_set(CG_EINVAL, _("at most %d files in one import"), INTEL_IMPORT_FILES_MAX);
	if (source) {
		if (n > 1)
			return cg_err_set(CG_EINVAL,
					  _("--source names the source of one file; each of several files is its own "
					    "source, named after the file (import them without --source, or one by one)"));
		if (!*source)
			return cg_err_set(CG_EINVAL, _("empty source name"));
		if (strlen(source) >= INTEL_SOURCE_NAME_MAX)
			return cg_err_set(CG_EINVAL, _("source name longer than %d bytes"), INTEL_SOURCE_NAME_MAX - 1);
		return CG_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0)
			return cg_err_set(CG_EINVAL, _("reading standard input needs --source NAME"));
		intel_import_source_name(paths[i], a, sizeof a);
		if (!*a)
			return cg_err_set(CG_EINVAL, _("%s: no source name can be made from the file name"), paths[i]);
		for (size_t k = 0; k < i; k++) {
			intel_import_source_name(paths[k], b, sizeof b);
			if (strcmp(a, b) == 0)
				return cg_err_set(CG_EINVAL, _("%s and %s would both be source '%s': import them one by one "
							       "with --source"),
						  paths[k], paths[i], a);
		}
	}
	return CG_OK;
}

struct run {
	const struct intel_import_opts *o;
	const struct intel_import_events *ev;
	struct store_intel_import *imp;
	struct intel_import_file *file;
	size_t records, file_bad;
};

static enum cg_err on_record(void *vctx, const struct feed_record *r)
{
	struct run *c = vctx;
	const struct special_range *sr;

	if (++c->records % 4096 == 0 && c->ev && c->ev->progress)
		c->ev->progress(c->ev->ctx, c->records);
	if ((sr = special_range_of(&r->ioc))) {
		c->file->n_special++;
		c->file->special_by[sr - special_range_at(0)]++;
	}
	if (!c->o->skip_bad && c->file_bad)
		return CG_OK; /* the import will be rolled back: keep reading only to report */
	return store_intel_import_add(c->imp, &r->ioc, r->family, r->first_seen, r->last_seen, r->extra);
}

static enum cg_err keep_line(struct intel_import_line **list, size_t *n, size_t line, const char *reason)
{
	struct intel_import_line *nl;

	if (*n >= INTEL_IMPORT_LIST_MAX)
		return CG_OK;
	if (!(nl = realloc(*list, (*n + 1) * sizeof **list)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	*list = nl;
	if (!(nl[*n].reason = strdup(reason)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	nl[*n].line = line;
	(*n)++;
	return CG_OK;
}

static enum cg_err on_bad(void *vctx, size_t line, const char *reason)
{
	struct run *c = vctx;

	c->file_bad++;
	if (c->ev && c->ev->bad)
		c->ev->bad(c->ev->ctx, c->file->path, line, reason);
	return keep_line(&c->file->bad, &c->file->n_bad_kept, line, reason);
}

static enum cg_err on_skip(void *vctx, size_t line, const char *reason)
{
	struct run *c = vctx;
	return keep_line(&c->file->skip, &c->file->n_skip_kept, line, reason);
}

/* Import one file. A problem of the file itself is its status (CG_OK);
 * storage and memory failures are returned. */
static enum cg_err import_file(struct cg_db *db, struct run *c)
{
	struct intel_import_file *f = c->file;
	struct feed_sink sink = {.record = on_record, .bad = on_bad, .skip = on_skip, .ctx = c};
	const char *fmt = c->o->format == FEED_AUTO ? "auto" : feed_format_name(c->o->format);
	enum feed_format ff;
	char *buf = NULL;
	size_t len = 0;
	enum cg_err rc;

	c->records = c->file_bad = 0;
	cg_err_clear();
	if ((rc = cg_file_read(f->path, CG_FILE_DEFAULT_CAP, &buf, &len))) {
		if (rc == CG_ENOMEM)
			return rc;
		f->status = INTEL_FILE_UNREADABLE;
		return (f->error = strdup(cg_err_msg(rc))) ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	ff = c->o->format != FEED_AUTO ? c->o->format : feed_detect(buf, len, cg_file_basename(f->path));
	if ((rc = store_intel_import_begin(db, f->source, cg_file_basename(f->path), fmt, c->o->append, &c->imp))) {
		free(buf);
		return rc;
	}
	rc = feed_parse_counted(ff, buf, len, &c->o->feed, &sink, &f->counts);
	free(buf);
	if (rc == CG_EDB || rc == CG_ENOMEM)
		goto fail;
	if (rc) {
		store_intel_import_abort(c->imp);
		c->imp = NULL;
		f->status = INTEL_FILE_UNREADABLE;
		rc = cg_err_prefix(rc, "%s", f->path);
		return (f->error = strdup(cg_err_msg(rc))) ? CG_OK : cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	f->hunt_special = store_intel_import_hunt_special(c->imp);
	if (c->file_bad && !c->o->skip_bad) {
		f->status = INTEL_FILE_BAD;
	} else if (c->records == 0) {
		/* An empty download would otherwise empty the source's list. */
		f->status = INTEL_FILE_EMPTY;
	} else {
		if (c->o->hunt_special >= 0 &&
		    (rc = store_intel_import_set_hunt_special(c->imp, c->o->hunt_special)))
			goto fail;
		f->hunt_special = store_intel_import_hunt_special(c->imp);
		if ((rc = store_intel_import_set_format(c->imp, feed_format_name(f->counts.format))))
			goto fail;
		rc = store_intel_import_commit(c->imp, c->file_bad, &f->sum);
		c->imp = NULL;
		if (rc) {
			f->status = INTEL_FILE_NOT_DONE;
			return rc;
		}
		f->status = INTEL_FILE_IMPORTED;
		return CG_OK;
	}
	store_intel_import_abort(c->imp);
	c->imp = NULL;
	return CG_OK;
fail:
	store_intel_import_abort(c->imp);
	c->imp = NULL;
	return rc;
}

enum cg_err intel_import_run(struct cg_db *db, const char *const *paths, size_t n,
			     const struct intel_import_opts *opts, const struct intel_import_events *ev,
			     struct intel_import_report **out)
{
	struct intel_import_report *r;
	struct run c = {.o = opts, .ev = ev};
	enum cg_err rc;

	*out = NULL;
	if ((rc = intel_import_check(paths, n, opts->source)))
		return rc;
	if (!(r = calloc(1, sizeof *r)) || !(r->files = calloc(n, sizeof *r->files))) {
		free(r);
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	r->n_files = n;
	for (size_t i = 0; i < n; i++) {
		struct intel_import_file *f = &r->files[i];
		f->path = paths[i];
		if (opts->source)
			snprintf(f->source, sizeof f->source, "%s", opts->source);
		else
			intel_import_source_name(paths[i], f->source, sizeof f->source);
		if (!(f->special_by = calloc(special_range_count(), sizeof *f->special_by))) {
			intel_import_report_free(r);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
	}
	*out = r;
	for (size_t i = 0; i < n; i++) {
		c.file = &r->files[i];
		if ((rc = import_file(db, &c)))
			return rc;
		r->total_bad += c.file_bad;
		if (c.file->status == INTEL_FILE_IMPORTED)
			r->n_imported++;
	}
	if (r->n_imported < n)
		return cg_err_set(CG_EPARSE, _("%zu of %zu file(s) not imported"), n - r->n_imported, n);
	return CG_OK;
}

void intel_import_report_free(struct intel_import_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_files; i++) {
		struct intel_import_file *f = &r->files[i];
		for (size_t k = 0; k < f->n_bad_kept; k++)
			free(f->bad[k].reason);
		for (size_t k = 0; k < f->n_skip_kept; k++)
			free(f->skip[k].reason);
		free(f->bad);
		free(f->skip);
		free(f->special_by);
		free(f->error);
	}
	free(r->files);
	free(r);
}
