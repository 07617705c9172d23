/* Rule and input files from user paths (see sigma_load.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cg_file.h"
#include "cg_i18n.h"
#include "sigma_int.h"
#include "sigma_load.h"

struct strv {
	char **v;
	size_t n, alloc;
};

static enum cg_err strv_push(struct strv *s, char *p)
{
	if (s->n >= SIGMA_MAX_FILES) {
		free(p);
		return cg_err_set(CG_ELIMIT, _("more than %d files"), SIGMA_MAX_FILES);
	}
	if (s->n == s->alloc) {
		size_t na = s->alloc ? s->alloc * 2 : 64;
		char **q = realloc(s->v, na * sizeof *q);
		if (!q) {
			free(p);
			return cg_err_set(CG_ENOMEM, _("out of memory"));
		}
		s->v = q;
		s->alloc = na;
	}
	s->v[s->n++] = p;
	return CG_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_yaml_ext(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && !strcmp(name + n - 4, ".yml")) || (n > 5 && !strcmp(name + n - 5, ".yaml"));
}

static enum cg_err walk(const char *path, int top, int yaml_only, struct strv *out, int depth)
{
	struct stat sb;
	if ((top ? stat(path, &sb) : lstat(path, &sb)) != 0)
		return top ? cg_err_set(CG_ENOTFOUND, _("%s: no such file or directory"), path) : CG_OK;
	if (S_ISREG(sb.st_mode)) {
		if (!top && yaml_only && !has_yaml_ext(path))
			return CG_OK;
		char *p = strdup(path);
		return p ? strv_push(out, p) : cg_err_set(CG_ENOMEM, _("out of memory"));
	}
	/* A FIFO or device named on the command line would block or never end:
	 * refused; inside directories it is skipped. */
	if (!S_ISDIR(sb.st_mode) && top)
		return cg_err_set(CG_EINVAL, _("%s: not a regular file or directory; refused"), path);
	if (!S_ISDIR(sb.st_mode) || depth > 32)
		return CG_OK;
	DIR *d = opendir(path);
	if (!d)
		return cg_err_set(CG_EIO, _("%s: cannot list directory"), path);
	struct strv names = {0};
	struct dirent *de;
	enum cg_err rc = CG_OK;
	while (!rc && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		if (!p) {
			rc = cg_err_set(CG_ENOMEM, _("out of memory"));
			break;
		}
		snprintf(p, len, "%s/%s", path, de->d_name);
		rc = strv_push(&names, p);
	}
	closedir(d);
	if (!rc)
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	for (size_t i = 0; !rc && i < names.n; i++)
		rc = walk(names.v[i], 0, yaml_only, out, depth + 1);
	sigma_files_free(names.v, names.n);
	return rc;
}

void sigma_files_free(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

enum cg_err sigma_collect_files(char *const *paths, size_t n, char ***out, size_t *n_out)
{
	struct strv s = {0};
	enum cg_err rc = CG_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = walk(paths[i], 1, 0, &s, 0);
	if (rc) {
		sigma_files_free(s.v, s.n);
		return rc;
	}
	*out = s.v;
	*n_out = s.n;
	return CG_OK;
}

struct load_ctx {
	struct sigma_engine *e;
	const char *path;
	sigma_load_cb cb;
	void *ud;
	struct sigma_load_stats *st;
};

static void on_rule(void *ud, struct sigma_rule *rule, enum cg_err rc, const char *reason, size_t doc)
{
	struct load_ctx *c = ud;
	if (rule) {
		char why[512] = "";
		const struct sigma_rule *kept = rule;
		rc = sigma_engine_add(c->e, rule, why, sizeof why);
		if (rc) {
			c->st->failed++;
			if (c->cb)
				c->cb(c->ud, c->path, doc, NULL, rc, why[0] ? why : cg_err_msg(rc));
			return;
		}
		c->st->loaded++;
		if (c->cb)
			c->cb(c->ud, c->path, doc, kept, CG_OK, NULL);
		return;
	}
	c->st->failed++;
	if (c->cb)
		c->cb(c->ud, c->path, doc, NULL, rc, reason);
}

enum cg_err sigma_load_rules(struct sigma_engine *e, char *const *paths, size_t n, sigma_load_cb cb, void *ud,
                             struct sigma_load_stats *st)
{
	struct strv files = {0};
	enum cg_err rc = CG_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = walk(paths[i], 1, 1, &files, 0);
	for (size_t i = 0; !rc && i < files.n; i++) {
		char *text = NULL;
		size_t len = 0;
		struct load_ctx c = {e, files.v[i], cb, ud, st};
		st->files++;
		enum cg_err frc = cg_file_read(files.v[i], SIGMA_RULE_MAX_BYTES, &text, &len);
		if (!frc)
			frc = sigma_rules_parse(text, len, files.v[i], on_rule, &c);
		free(text);
		if (frc) {
			st->failed++;
			if (cb)
				cb(ud, files.v[i], 0, NULL, frc, cg_err_msg(frc));
		}
	}
	sigma_files_free(files.v, files.n);
	return rc;
}
