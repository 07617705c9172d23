#include "cg_i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static int is_c_locale(const char *name)
{
	return name && (strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0);
}

/* The variable that decides LC_MESSAGES, in POSIX order of precedence. */
static const char *messages_locale_env(void)
{
	const char *v = getenv("LC_ALL");

	if (v && *v)
		return v;
	v = getenv("LC_MESSAGES");
	if (v && *v)
		return v;
	return NULL;
}

/* gettext ignores LANGUAGE while LC_MESSAGES is the C locale. A fresh Debian
 * system has no locale but C and C.UTF-8, so an operator there who sets
 * LANGUAGE=vi would silently get English. Run the messages category in
 * C.UTF-8 instead, unless C was asked for on purpose with LC_ALL or
 * LC_MESSAGES: scripts rely on "LC_ALL=C" giving untranslated output. */
static void honour_language(void)
{
	static const char *const utf8_c[] = {"C.UTF-8", "C.utf8"};
	const char *language = getenv("LANGUAGE");
	const char *forced = messages_locale_env();

	if (!language || !*language || is_c_locale(forced))
		return;
	if (!is_c_locale(setlocale(LC_MESSAGES, NULL)))
		return;
	for (size_t i = 0; i < sizeof utf8_c / sizeof utf8_c[0]; i++) {
		if (setlocale(LC_MESSAGES, utf8_c[i])) {
			/* Messages of the C library (strerror) would otherwise be
			 * squeezed into ASCII with '?' for every Vietnamese letter. */
			if (is_c_locale(setlocale(LC_CTYPE, NULL)))
				setlocale(LC_CTYPE, utf8_c[i]);
			return;
		}
	}
}

/* Run from the build tree (build/cli/canhgac), the catalogs are compiled
 * into build/po/<lang>/LC_MESSAGES: use them, so that a new user who has
 * built but not installed canhgac gets messages in their language too. */
static const char *build_tree_localedir(char *buf, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	if (snprintf(probe, sizeof probe, "%s/../po/vi/LC_MESSAGES/" CG_GETTEXT_PACKAGE ".mo", exe) >=
		    (int)sizeof probe ||
	    access(probe, R_OK) != 0)
		return NULL;
	if (snprintf(buf, n, "%s/../po", exe) >= (int)n)
		return NULL;
	return buf;
}

void cg_i18n_init(void)
{
	const char *dir = getenv("CANHGAC_LOCALEDIR");
	char build_dir[PATH_MAX + 8];

	if (!dir || !*dir)
		dir = build_tree_localedir(build_dir, sizeof build_dir);

	setlocale(LC_ALL, "");
	/* Numbers in JSON and in files we write must not follow the locale. */
	setlocale(LC_NUMERIC, "C");
	honour_language();
	bindtextdomain(CG_GETTEXT_PACKAGE, dir && *dir ? dir : CG_LOCALEDIR);
	bind_textdomain_codeset(CG_GETTEXT_PACKAGE, "UTF-8");
	textdomain(CG_GETTEXT_PACKAGE);
}

void cg_i18n_set_language(const char *lang)
{
	setenv("LANGUAGE", lang, 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	if (is_c_locale(setlocale(LC_MESSAGES, NULL)))
		honour_language();
	/* Tell gettext its cached lookups are stale. */
	textdomain(CG_GETTEXT_PACKAGE);
}
