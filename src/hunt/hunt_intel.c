/* hunt_intel — loading the indicators of a hunt. */
#include "hunt_intel.h"

#include <stdlib.h>
#include <string.h>

#include "cg_file.h"
#include "cg_i18n.h"
#include "intel_import.h"
#include "store_intel.h"

struct file_load {
	struct ioc_set_builder *b;
	const struct hunt_intel_events *ev;
	const char *path;
	char source[INTEL_SOURCE_NAME_MAX];
	unsigned flags;
};

static enum cg_err on_record(void *ctx, const struct feed_record *r)
{
	struct file_load *l = ctx;
	return ioc_set_builder_add_ex(l->b, &r->ioc, l->source, r->family, l->flags);
}

static enum cg_err on_bad(void *ctx, size_t line, const char *reason)
{
	struct file_load *l = ctx;
	if (l->ev && l->ev->bad)
		l->ev->bad(l->ev->ctx, l->path, line, reason);
	return CG_OK;
}

static enum cg_err load_file(struct ioc_set_builder *b, const struct hunt_intel_opts *o,
			     const struct hunt_intel_events *ev, const char *path)
{
	struct file_load l = {.b = b, .ev = ev, .path = path, .flags = o->hunt_special ? IOC_SET_HUNT_SPECIAL : 0};
	struct feed_sink sink = {.record = on_record, .bad = on_bad, .ctx = &l};
	struct feed_opts fo = {.csv_map = o->csv_map};
	enum feed_format fmt = o->format;
	char *buf;
	size_t len;
	enum cg_err rc;

	if ((rc = cg_file_read(path, CG_FILE_DEFAULT_CAP, &buf, &len)))
		return rc;
	intel_import_source_name(path, l.source, sizeof l.source);
	if (fmt == FEED_AUTO)
		fmt = feed_detect(buf, len, path);
	rc = feed_parse(fmt, buf, len, &fo, &sink);
	free(buf);
	return rc ? cg_err_prefix(rc, "%s", path) : CG_OK;
}

/* The names of the sources set to hunt special-purpose blocks. */
struct special_sources {
	char **names;
	size_t n, cap;
};

static enum cg_err collect_special(void *ctx, const struct store_intel_source_info *s)
{
	struct special_sources *sp = ctx;

	if (!s->hunt_special)
		return CG_OK;
	if (sp->n == sp->cap) {
		size_t nc = sp->cap ? sp->cap * 2 : 8;
		char **p = realloc(sp->names, nc * sizeof *p);
		if (!p)
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		sp->names = p;
		sp->cap = nc;
	}
	if (!(sp->names[sp->n] = strdup(s->name)))
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	sp->n++;
	return CG_OK;
}

struct db_load {
	struct ioc_set_builder *b;
	const struct special_sources *sp;
	int all;
};

static enum cg_err on_db_ioc(void *ctx, const struct ioc *ioc, const char *source, const char *family)
{
	struct db_load *l = ctx;
	unsigned flags = l->all ? IOC_SET_HUNT_SPECIAL : 0;

	/* Few sources are set to hunt special blocks: a scan is enough. */
	for (size_t i = 0; i < l->sp->n && !flags; i++)
		if (strcmp(l->sp->names[i], source) == 0)
			flags = IOC_SET_HUNT_SPECIAL;
	return ioc_set_builder_add_ex(l->b, ioc, source, family, flags);
}

enum cg_err hunt_intel_load(struct cg_db *db, const struct hunt_intel_opts *o, const struct hunt_intel_events *ev,
			    struct ioc_set **out)
{
	struct ioc_set_builder *b;
	struct special_sources sp = {0};
	enum cg_err rc = CG_OK;

	*out = NULL;
	if ((rc = ioc_set_builder_new(&b)))
		return rc;
	ioc_set_builder_special_policy(b);
	for (size_t i = 0; i < o->n_files && !rc; i++)
		rc = load_file(b, o, ev, o->files[i]);
	if (!rc && !o->n_files) {
		struct db_load l = {.b = b, .sp = &sp, .all = o->hunt_special};
		if (!db)
			rc = cg_err_set(CG_EINVAL, _("no database to read indicators from"));
		if (!rc)
			rc = store_intel_sources(db, collect_special, &sp);
		if (!rc)
			rc = store_intel_foreach(db, o->sources, o->n_sources, on_db_ioc, &l);
	}
	for (size_t i = 0; i < sp.n; i++)
		free(sp.names[i]);
	free(sp.names);
	if (rc) {
		ioc_set_builder_free(b);
		return rc;
	}
	return ioc_set_build(b, out);
}
