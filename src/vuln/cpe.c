/* CPE 2.3 formatted-string binding (NISTIR 7695 section 6.2): attributes
 * separated by ':', a backslash escapes the next character. */
#include <string.h>

#include "cg_i18n.h"
#include "cpe.h"

int cpe_any(const char *a)
{
	return !a || !*a || strcmp(a, "*") == 0;
}

enum cg_err cpe_parse(const char *s, struct cpe *out)
{
	size_t n = strnlen(s, CPE_MAX_LEN + 1), i, k = 0;
	char *p;

	if (n > CPE_MAX_LEN)
		return cg_err_set(CG_ELIMIT, _("CPE longer than %d bytes"), CPE_MAX_LEN);
	if (strncmp(s, "cpe:2.3:", 8) != 0)
		return cg_err_set(CG_EPARSE, _("'%.80s' is not a CPE 2.3 name (cpe:2.3:part:vendor:product:...)"), s);
	memcpy(out->buf, s + 8, n - 8 + 1);
	p = out->buf;
	out->attr[k++] = p;
	for (i = 0; p[i]; i++) {
		if (p[i] == '\\' && p[i + 1]) {
			i++;
			continue;
		}
		if (p[i] == ':') {
			if (k == CPE_NATTR)
				return cg_err_set(CG_EPARSE, _("'%.80s': more than 11 CPE attributes"), s);
			p[i] = '\0';
			out->attr[k++] = p + i + 1;
		}
	}
	if (k != CPE_NATTR && k < 3)
		return cg_err_set(CG_EPARSE, _("'%.80s': %zu CPE attributes, expected 11"), s, k);
	/* Short forms (cpe:2.3:a:vendor:product:version) mean ANY for the rest. */
	for (; k < CPE_NATTR; k++)
		out->attr[k] = "*";
	if (strlen(out->attr[CPE_PART]) != 1 || !strchr("aoh*", out->attr[CPE_PART][0]))
		return cg_err_set(CG_EPARSE, _("'%.80s': part must be a, o or h"), s);
	if (!*out->attr[CPE_VENDOR] || !*out->attr[CPE_PRODUCT])
		return cg_err_set(CG_EPARSE, _("'%.80s': empty vendor or product"), s);
	return CG_OK;
}
