/* rpm package lists. Two shapes, one per line:
 *   rpm -qa                       bash-5.1.8-6.el9_1.x86_64
 *   rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n'
 *                                 bash (none):5.1.8-6.el9_1 x86_64
 * The second keeps the epoch, which plain `rpm -qa` does not print. Blank
 * lines and '#' comments are skipped; gpg-pubkey entries are keys, not
 * software, and are skipped too. */
#include <string.h>

#include "cg_i18n.h"
#include "inv_internal.h"
#include "vercmp.h"

static const char *const arches[] = {
	"x86_64", "noarch", "i686", "i586", "i386", "aarch64", "ppc64le", "ppc64", "s390x", "armv7hl",
	"armhfp", "src", "riscv64",
};

static int known_arch(const char *a)
{
	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (strcmp(a, arches[i]) == 0)
			return 1;
	return 0;
}

static enum cg_err parse_nevra(const char *file, size_t line, char *s, struct inv_item *it)
{
	char *dot = strrchr(s, '.'), *rel, *ver;

	it->arch = "";
	if (dot && known_arch(dot + 1)) {
		*dot = '\0';
		it->arch = dot + 1;
	}
	rel = strrchr(s, '-');
	if (!rel || rel == s)
		goto bad;
	*rel = '\0';
	ver = strrchr(s, '-');
	if (!ver || ver == s || !rel[1] || !ver[1])
		goto bad;
	*ver = '\0';
	it->name = s;
	/* version and release are adjacent again once the '-' is restored */
	rel[0] = '-';
	it->version = ver + 1;
	return CG_OK;
bad:
	return cg_err_set(CG_EPARSE, _("%s:%zu: '%s' is not NAME-VERSION-RELEASE[.ARCH]"), file, line, s);
}

/* "NAME EPOCH:VERSION-RELEASE ARCH" with EPOCH "(none)" or a number. */
static enum cg_err parse_qf(const char *file, size_t line, char *s, char *evr_buf, size_t cap,
			    struct inv_item *it)
{
	char *f[4] = {0};
	int n = 0;

	for (char *p = s; *p && n < 4;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (n < 2 || n > 3)
		return cg_err_set(CG_EPARSE, _("%s:%zu: expected 'NAME EPOCH:VERSION-RELEASE ARCH'"), file, line);
	it->name = f[0];
	it->arch = n == 3 ? f[2] : "";
	if (strncmp(f[1], "(none):", 7) == 0)
		f[1] += 7;
	else if (strncmp(f[1], "0:", 2) == 0)
		f[1] += 2;
	if (strlen(f[1]) + 1 > cap)
		return cg_err_set(CG_ELIMIT, _("%s:%zu: version too long"), file, line);
	memcpy(evr_buf, f[1], strlen(f[1]) + 1);
	it->version = evr_buf;
	if (!strchr(evr_buf, '-'))
		return cg_err_set(CG_EPARSE, _("%s:%zu: field 2: '%s' is not [EPOCH:]VERSION-RELEASE"), file, line,
				  evr_buf);
	return CG_OK;
}

enum cg_err inv_parse_rpm(const char *file, const char *buf, size_t len, inv_item_fn fn, void *ctx)
{
	struct inv_lines l;
	const char *s;
	size_t n, count = 0;
	char line[INV_MAX_FIELD], evr[INV_MAX_FIELD];
	enum cg_err rc;

	inv_lines_init(&l, buf, len);
	while (inv_lines_next(&l, &s, &n)) {
		struct inv_item it = {.kind = INV_KIND_RPM, .source = "", .source_version = "", .update = ""};
		int k = inv_copy(line, sizeof line, s, n);

		if (k < 0)
			return cg_err_set(CG_ELIMIT, _("%s:%zu: line longer than %d bytes"), file, l.line, INV_MAX_FIELD - 1);
		if (k == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', (size_t)k) != NULL || strlen(line) != (size_t)k)
			return cg_err_set(CG_EPARSE, _("%s:%zu: NUL byte in line"), file, l.line);
		if (strpbrk(line, " \t"))
			rc = parse_qf(file, l.line, line, evr, sizeof evr, &it);
		else
			rc = parse_nevra(file, l.line, line, &it);
		if (rc)
			return rc;
		if (strcmp(it.name, "gpg-pubkey") == 0)
			continue;
		if ((rc = vercmp_check(VERCMP_RPM, it.version)))
			return cg_err_prefix(rc, _("%s:%zu: package '%s'"), file, l.line, it.name);
		if ((rc = inv_emit(fn, ctx, &it, &count, file)))
			return rc;
	}
	return CG_OK;
}
