/* Zimbra `zmcontrol -v`:
 *   Release 8.8.15_GA_4179.UBUNTU20_64 UBUNTU20_64 FOSS edition, Patch 8.8.15_P41.
 * The item's version is "8.8.15_P41" (release and patch level), its CPE
 * update "p41" (NVD lists Zimbra patch levels as cpe:...:8.8.15:p41). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cg_i18n.h"
#include "inv_internal.h"
#include "vercmp_internal.h"

static size_t digits_dots(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	while (i && s[i - 1] == '.')
		i--;
	return i;
}

enum cg_err inv_parse_zimbra(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	const char *s;
	size_t n, count = 0;
	char release[64] = "", edition[64] = "", version[128], update[32] = "";
	unsigned long patch = 0;
	size_t rline = 0;
	enum cg_err rc;

	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n) && !release[0]) {
		const char *r = NULL, *e = s + n;
		for (const char *p = s; p + 8 <= e; p++)
			if (strncmp(p, "Release ", 8) == 0) {
				r = p + 8;
				break;
			}
		if (!r)
			continue;
		rline = l.line;
		size_t k = digits_dots(r, (size_t)(e - r));
		if (k == 0 || inv_copy(release, sizeof release, r, k) < 0)
			return cg_err_set(CG_EPARSE, _("%s:%zu: field 'Release': no release number"), file, l.line);
		/* edition: the word before " edition" */
		const char *ed = memmem(r, (size_t)(e - r), " edition", 8);
		if (ed) {
			const char *b = ed;
			while (b > r && b[-1] != ' ')
				b--;
			inv_copy(edition, sizeof edition, b, (size_t)(ed - b) < sizeof edition ? (size_t)(ed - b) : 0);
		}
		const char *pt = memmem(r, (size_t)(e - r), "Patch ", 6);
		if (pt) {
			const char *q = pt + 6, *pp;
			size_t rest = (size_t)(e - q);
			pp = NULL;
			for (size_t i = 0; i + 1 < rest; i++)
				if ((q[i] == '_' || q[i] == '.') && (q[i + 1] == 'P' || q[i + 1] == 'p')) {
					pp = q + i + 2;
					break;
				}
			if (!pp || vercmp_number(&pp, &patch))
				return cg_err_set(CG_EPARSE, _("%s:%zu: field 'Patch': expected e.g. '8.8.15_P41'"), file,
						  l.line);
		}
	}
	if (!release[0])
		return cg_err_set(CG_EPARSE, _("%s: no 'Release' line (expected `zmcontrol -v` output)"), file);
	if (patch)
		snprintf(version, sizeof version, "%s_P%lu", release, patch);
	else
		snprintf(version, sizeof version, "%s", release);
	if (patch)
		snprintf(update, sizeof update, "p%lu", patch);
	struct zimbra_version zv;
	if ((rc = vercmp_zimbra_parse(version, &zv)))
		return cg_err_prefix(rc, "%s:%zu", file, rline);
	struct inv_item it = {
		.kind = INV_KIND_ZIMBRA,
		.name = "zimbra",
		.version = version,
		.arch = "",
		.source = edition,
		.source_version = release,
		.update = update,
	};
	return inv_emit(fn, ctx, &it, &count, file);
}
