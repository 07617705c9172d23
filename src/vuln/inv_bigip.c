/* F5 BIG-IP: `tmsh show sys version` ("  Version     17.1.0.3") or the
 * /VERSION file ("Version: 17.1.0.3"). Both carry Product, Version, Build and
 * Edition; the build is what tells an engineering hotfix from the release. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "inv_internal.h"
#include "vercmp.h"

/* "Key: value" or "  Key   value" → value, when the line's key is `key`. */
static int value_of(const char *s, size_t n, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n <= kl || strncasecmp(s, key, kl) != 0)
		return 0;
	s += kl, n -= kl;
	if (*s != ':' && *s != ' ' && *s != '\t')
		return 0;
	if (*s == ':')
		s++, n--;
	return inv_copy(out, cap, s, n) > 0;
}

enum cg_err inv_parse_bigip(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	const char *s;
	size_t n, count = 0, vline = 0;
	char product[128] = "", version[128] = "", build[128] = "", edition[128] = "", v[300];
	struct bigip_version bv;
	enum cg_err rc;

	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n)) {
		if (!product[0] && value_of(s, n, "Product", product, sizeof product))
			continue;
		if (!version[0] && value_of(s, n, "Version", version, sizeof version)) {
			vline = l.line;
			continue;
		}
		if (!build[0] && value_of(s, n, "Build", build, sizeof build))
			continue;
		if (!edition[0])
			value_of(s, n, "Edition", edition, sizeof edition);
	}
	if (product[0] && !strstr(product, "BIG-IP"))
		return cg_err_set(CG_EPARSE, _("%s: field 'Product': '%s' is not BIG-IP"), file, product);
	if (!version[0])
		return cg_err_set(CG_EPARSE, _("%s: no 'Version' line (expected `tmsh show sys version` or /VERSION)"),
				  file);
	snprintf(v, sizeof v, build[0] ? "%s build %s" : "%s", version, build);
	if ((rc = vercmp_bigip_parse(v, &bv)))
		return cg_err_prefix(rc, _("%s:%zu: field 'Version'/'Build'"), file, vline);
	if (bv.has_build && strchr(version, '.') && build[0] && strspn(build, "0123456789.") != strlen(build))
		return cg_err_set(CG_EPARSE, _("%s: field 'Build': '%s' is not a build number"), file, build);
	struct inv_item it = {
		.kind = INV_KIND_BIGIP,
		.name = "big-ip",
		.version = v,
		.arch = "",
		.source = edition,
		.source_version = "",
		.update = "",
	};
	return inv_emit(fn, ctx, &it, &count, file);
}
