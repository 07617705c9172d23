/* CPE 2.3 lists: one formatted string a line (what asset tools and the NVD
 * CPE dictionary speak); '#' comments and blank lines are skipped. */
#include <stdio.h>
#include <string.h>

#include "cg_i18n.h"
#include "cpe.h"
#include "inv_internal.h"

enum cg_err inv_parse_cpe(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	const char *s;
	size_t n, count = 0;
	char line[CPE_MAX_LEN + 1], name[2 * CPE_MAX_LEN + 2];
	struct cpe c;
	enum cg_err rc;

	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n)) {
		int k = inv_copy(line, sizeof line, s, n);
		if (k < 0)
			return cg_err_set(CG_ELIMIT, _("%s:%zu: line longer than %d bytes"), file, l.line, CPE_MAX_LEN);
		if (k == 0 || line[0] == '#')
			continue;
		if ((rc = cpe_parse(line, &c)))
			return cg_err_prefix(rc, "%s:%zu", file, l.line);
		if (cpe_any(c.attr[CPE_VERSION]) || strcmp(c.attr[CPE_VERSION], "-") == 0)
			return cg_err_set(CG_EPARSE, _("%s:%zu: '%s': an inventory CPE needs a version"), file, l.line,
					  line);
		snprintf(name, sizeof name, "%s:%s", c.attr[CPE_VENDOR], c.attr[CPE_PRODUCT]);
		struct inv_item it = {
			.kind = INV_KIND_CPE,
			.name = name,
			.version = c.attr[CPE_VERSION],
			.arch = cpe_any(c.attr[CPE_TARGET_HW]) ? "" : c.attr[CPE_TARGET_HW],
			.source = c.attr[CPE_PART],
			.source_version = "",
			.update = cpe_any(c.attr[CPE_UPDATE]) || strcmp(c.attr[CPE_UPDATE], "-") == 0
					  ? "" : c.attr[CPE_UPDATE],
		};
		if ((rc = inv_emit(fn, ctx, &it, &count, file)))
			return rc;
	}
	return CG_OK;
}
