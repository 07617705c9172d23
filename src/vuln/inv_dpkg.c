/* Debian /var/lib/dpkg/status: RFC 822 stanzas separated by blank lines.
 * A package counts as installed when the third word of Status is
 * "installed" (its files are on disk whatever the wanted state). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "inv_internal.h"
#include "vercmp.h"

struct stanza {
	size_t line; /* first line */
	char package[INV_MAX_FIELD], version[INV_MAX_FIELD], arch[64], status[128];
	char source[INV_MAX_FIELD], source_version[INV_MAX_FIELD];
	int has_package, has_version, has_status, any;
};

static enum cg_err set_field(const char *file, size_t line, const char *name, char *dst, size_t cap,
			     const char *s, size_t n, int *flag)
{
	if (inv_copy(dst, cap, s, n) < 0)
		return cg_err_set(CG_ELIMIT, _("%s:%zu: field '%s': longer than %zu bytes"), file, line, name, cap - 1);
	if (flag)
		*flag = 1;
	return CG_OK;
}

/* "xz-utils (5.1.1alpha+20120614-2)" → name and version. */
static enum cg_err split_source(const char *file, struct stanza *st)
{
	char *paren = strchr(st->source, '(');
	if (!paren)
		return CG_OK;
	char *close = strchr(paren, ')');
	if (!close || close[1])
		return cg_err_set(CG_EPARSE, _("%s:%zu: field 'Source': '%s' is not 'NAME (VERSION)'"), file, st->line,
				  st->source);
	*close = '\0';
	if (inv_copy(st->source_version, sizeof st->source_version, paren + 1, strlen(paren + 1)) < 0)
		return cg_err_set(CG_ELIMIT, _("%s:%zu: field 'Source': too long"), file, st->line);
	while (paren > st->source && (paren[-1] == ' ' || paren[-1] == '\t'))
		paren--;
	*paren = '\0';
	return CG_OK;
}

static int is_installed(const char *status)
{
	/* want flag state: the third word */
	const char *p = status;
	for (int w = 0; w < 2; w++) {
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return strcmp(p, "installed") == 0;
}

static enum cg_err flush(const char *file, struct stanza *st, inv_item_fn fn, void *ctx, size_t *count)
{
	enum cg_err rc;
	struct inv_item it;

	if (!st->any)
		return CG_OK;
	if (!st->has_package)
		return cg_err_set(CG_EPARSE, _("%s:%zu: stanza without a 'Package' field"), file, st->line);
	if (!st->has_status || !is_installed(st->status))
		return CG_OK;
	if (!st->has_version)
		return cg_err_set(CG_EPARSE, _("%s:%zu: package '%s': no 'Version' field"), file, st->line, st->package);
	if ((rc = vercmp_check(VERCMP_DEB, st->version)))
		return cg_err_prefix(rc, _("%s:%zu: package '%s': field 'Version'"), file, st->line, st->package);
	if ((rc = split_source(file, st)))
		return rc;
	if (st->source_version[0] && (rc = vercmp_check(VERCMP_DEB, st->source_version)))
		return cg_err_prefix(rc, _("%s:%zu: package '%s': field 'Source'"), file, st->line, st->package);
	it = (struct inv_item){
		.kind = INV_KIND_DEB,
		.name = st->package,
		.version = st->version,
		.arch = st->arch,
		.source = st->source,
		.source_version = st->source_version,
		.update = "",
	};
	return inv_emit(fn, ctx, &it, count, file);
}

enum cg_err inv_parse_dpkg(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	struct stanza *st = calloc(1, sizeof *st);
	const char *s;
	size_t n, count = 0;
	enum cg_err rc = CG_OK;

	if (!st)
		return cg_err_set(CG_ENOMEM, _("out of memory"));
	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n)) {
		const char *colon;
		size_t kl;

		if (n > INV_MAX_LINE) {
			rc = cg_err_set(CG_ELIMIT, _("%s:%zu: line longer than %u bytes"), file, l.line, INV_MAX_LINE);
			goto out;
		}
		if (n == 0 || (n == strspn(s, " \t") && n < INV_MAX_LINE)) {
			if ((rc = flush(file, st, fn, ctx, &count)))
				goto out;
			memset(st, 0, sizeof *st);
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			if (!st->any) {
				rc = cg_err_set(CG_EPARSE, _("%s:%zu: continuation line outside a field"), file, l.line);
				goto out;
			}
			continue; /* multi-line values (Description, Conffiles) are not needed */
		}
		colon = memchr(s, ':', n);
		if (!colon || colon == s) {
			rc = cg_err_set(CG_EPARSE, _("%s:%zu: expected 'Field: value', got '%.*s'"), file, l.line,
					(int)(n < 60 ? n : 60), s);
			goto out;
		}
		if (!st->any) {
			st->any = 1;
			st->line = l.line;
		}
		kl = (size_t)(colon - s);
		colon++;
		n -= kl + 1;
#define FIELD(name, dst, flag)                                                                        \
	if (kl == strlen(name) && strncasecmp(s, name, kl) == 0) {                                   \
		if ((rc = set_field(file, l.line, name, st->dst, sizeof st->dst, colon, n, flag))) \
			goto out;                                                                     \
		continue;                                                                             \
	}
		FIELD("Package", package, &st->has_package)
		FIELD("Version", version, &st->has_version)
		FIELD("Status", status, &st->has_status)
		FIELD("Architecture", arch, NULL)
		FIELD("Source", source, NULL)
#undef FIELD
	}
	rc = flush(file, st, fn, ctx, &count);
out:
	free(st);
	return rc;
}
