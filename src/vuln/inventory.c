/* Inventory formats: names, detection from content, dispatch. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "inv_internal.h"

static const char *const format_names[INV_FORMAT_COUNT] = {
	"auto", "dpkg", "rpm", "windows-csv", "windows-json", "systeminfo", "bigip", "zimbra", "cpe", "windows-os",
};
static const char *const kind_names[INV_KIND_COUNT] = {
	"deb", "rpm", "win-program", "win-kb", "win-os", "bigip", "zimbra", "cpe",
};

const char *inv_format_name(enum inv_format f)
{
	return (unsigned)f < INV_FORMAT_COUNT ? format_names[f] : "?";
}

enum cg_err inv_format_parse(const char *name, enum inv_format *out)
{
	for (int i = 0; i < INV_FORMAT_COUNT; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum inv_format)i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EINVAL,
			  _("unknown inventory format '%s' (auto, dpkg, rpm, windows-csv, windows-json, systeminfo, "
			  "bigip, zimbra, cpe, windows-os)"), name);
}

const char *inv_kind_name(enum inv_kind k)
{
	return (unsigned)k < INV_KIND_COUNT ? kind_names[k] : "?";
}

enum cg_err inv_kind_parse(const char *name, enum inv_kind *out)
{
	for (int i = 0; i < INV_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum inv_kind)i;
			return CG_OK;
		}
	}
	return cg_err_set(CG_EINVAL, _("unknown inventory kind '%s'"), name);
}

unsigned inv_format_kinds(enum inv_format f)
{
	switch (f) {
	case INV_DPKG: return 1u << INV_KIND_DEB;
	case INV_RPM: return 1u << INV_KIND_RPM;
	case INV_WINCSV:
	case INV_WINJSON: return (1u << INV_KIND_WIN_PROGRAM) | (1u << INV_KIND_WIN_KB);
	case INV_SYSTEMINFO: return (1u << INV_KIND_WIN_OS) | (1u << INV_KIND_WIN_KB);
	case INV_BIGIP: return 1u << INV_KIND_BIGIP;
	case INV_ZIMBRA: return 1u << INV_KIND_ZIMBRA;
	case INV_CPE: return 1u << INV_KIND_CPE;
	case INV_WINOS: return 1u << INV_KIND_WIN_OS;
	default: return 0;
	}
}

void inv_lines_init(struct inv_lines *l, const char *buf, size_t len)
{
	l->p = buf;
	l->end = buf + len;
	l->line = 0;
}

int inv_lines_next(struct inv_lines *l, const char **s, size_t *n)
{
	const char *nl;

	if (l->p >= l->end)
		return 0;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	*s = l->p;
	*n = (size_t)((nl ? nl : l->end) - l->p);
	l->p = nl ? nl + 1 : l->end;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	l->line++;
	return 1;
}

int inv_copy(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n + 1 > cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return (int)n;
}

enum cg_err inv_emit(inv_item_fn fn, void *ctx, const struct inv_item *it, size_t *count, const char *file)
{
	if (++*count > INV_MAX_ITEMS)
		return cg_err_set(CG_ELIMIT, _("%s: more than %d items"), file, INV_MAX_ITEMS);
	return fn(ctx, it);
}

/* Does some line start with `prefix` (after blanks)? Looks at the first 64 KiB. */
static int has_line(const char *buf, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix), lim = len < 65536 ? len : 65536;
	const char *p = buf, *end = buf + lim;

	while (p < end) {
		const char *q = p;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(end - q) >= pl && strncasecmp(q, prefix, pl) == 0)
			return 1;
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			break;
		p++;
	}
	return 0;
}

enum inv_format inv_detect(const char *buf, size_t len)
{
	const char *p = buf;
	size_t lim = len < 4096 ? len : 4096;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3, lim -= 3;
	while (lim && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++, lim--;
	if (lim && (*p == '[' || *p == '{')) {
		size_t w = len < 8192 ? len : 8192;
		if (memmem(buf, w, "\"CurrentBuild", 13) || memmem(buf, w, "\"OsBuildNumber\"", 15) ||
		    memmem(buf, w, "\"WindowsUBR\"", 12))
			return INV_WINOS;
		return INV_WINJSON;
	}
	if (has_line(buf, len, "Package:") && (has_line(buf, len, "Status:") || has_line(buf, len, "Version:")))
		return INV_DPKG;
	if (has_line(buf, len, "Sys::Version") ||
	    (has_line(buf, len, "Product") && memmem(buf, len < 4096 ? len : 4096, "BIG-IP", 6)))
		return INV_BIGIP;
	if (has_line(buf, len, "Release ") && memmem(buf, len < 4096 ? len : 4096, "edition", 7))
		return INV_ZIMBRA;
	if (has_line(buf, len, "OS Name:") && has_line(buf, len, "OS Version:"))
		return INV_SYSTEMINFO;
	if (has_line(buf, len, "cpe:2.3:"))
		return INV_CPE;
	if (has_line(buf, len, "#TYPE") || has_line(buf, len, "\"HotFixID\"") || has_line(buf, len, "\"Name\"") ||
	    has_line(buf, len, "\"DisplayName\"") || has_line(buf, len, "HotFixID,") ||
	    has_line(buf, len, "Name,Version") || has_line(buf, len, "DisplayName,"))
		return INV_WINCSV;
	/* rpm lists: the first line that is not a comment starts with a name */
	while (lim && *p == '#') {
		const char *nl = memchr(p, '\n', lim);
		if (!nl)
			return INV_AUTO;
		lim -= (size_t)(nl + 1 - p);
		p = nl + 1;
		while (lim && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++, lim--;
	}
	if (lim && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
		return INV_RPM; /* name-version-release.arch lines */
	return INV_AUTO;
}

enum cg_err inv_parse(enum inv_format f, const char *file, const char *buf, size_t len, inv_item_fn fn,
		      void *ctx, enum inv_format *used)
{
	if (f == INV_AUTO) {
		f = inv_detect(buf, len);
		if (f == INV_AUTO)
			return cg_err_set(CG_EPARSE, _("%s: cannot tell the inventory format; give --format"), file);
	}
	if (used)
		*used = f;
	switch (f) {
	case INV_DPKG: return inv_parse_dpkg(file, buf, len, fn, ctx);
	case INV_RPM: return inv_parse_rpm(file, buf, len, fn, ctx);
	case INV_WINCSV: return inv_parse_wincsv(file, buf, len, fn, ctx);
	case INV_WINJSON: return inv_parse_winjson(file, buf, len, fn, ctx);
	case INV_SYSTEMINFO: return inv_parse_systeminfo(file, buf, len, fn, ctx);
	case INV_BIGIP: return inv_parse_bigip(file, buf, len, fn, ctx);
	case INV_ZIMBRA: return inv_parse_zimbra(file, buf, len, fn, ctx);
	case INV_CPE: return inv_parse_cpe(file, buf, len, fn, ctx);
	case INV_WINOS: return inv_parse_winos(file, buf, len, fn, ctx);
	default: return cg_err_set(CG_EINVAL, _("%s: unknown inventory format"), file);
	}
}

/* The value of KEY=VALUE without quotes. */
static void os_release_value(const char *v, size_t n, char *out, size_t cap)
{
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

size_t inv_os_release(const char *buf, size_t len, char *out, size_t n)
{
	static const struct {
		const char *id, *name;
	} names[] = {{"debian", "Debian"}, {"ubuntu", "Ubuntu"}, {"rocky", "Rocky Linux"}, {"almalinux", "AlmaLinux"}};
	char id[64] = "", ver[64] = "";
	size_t off = 0, lines = 0;

	if (n)
		out[0] = '\0';
	while (off < len) {
		const char *l = buf + off, *nl = memchr(l, '\n', len - off), *eq;
		size_t ll = nl ? (size_t)(nl - l) : len - off;
		if (ll == 0 || (ll == 1 && l[0] == '\r')) {
			off += ll + (nl ? 1 : 0);
			break;
		}
		eq = memchr(l, '=', ll);
		if (!eq || eq == l || memchr(l, ':', (size_t)(eq - l)) || memchr(l, ' ', (size_t)(eq - l)))
			return 0; /* not an os-release line: no block */
		size_t kl = (size_t)(eq - l), vl = ll - kl - 1;
		if (vl && eq[vl] == '\r')
			vl--;
		if (kl == 2 && memcmp(l, "ID", 2) == 0)
			os_release_value(eq + 1, vl, id, sizeof id);
		else if (kl == 10 && memcmp(l, "VERSION_ID", 10) == 0)
			os_release_value(eq + 1, vl, ver, sizeof ver);
		lines++;
		off += ll + (nl ? 1 : 0);
	}
	if (!lines)
		return 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && n; i++)
		if (strcmp(id, names[i].id) == 0 && ver[0]) {
			/* Rocky/Alma advisories name the major release only */
			size_t vl = i >= 2 ? strcspn(ver, ".") : strlen(ver);
			snprintf(out, n, "%s:%.*s", names[i].name, (int)vl, ver);
		}
	return off;
}
