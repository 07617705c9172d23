#include "cg_i18n.h"

#include <locale.h>
#include <stdlib.h>

#include "config.h"

void cg_i18n_init(void)
{
	const char *dir = getenv("CANHGAC_LOCALEDIR");

	setlocale(LC_ALL, "");
	/* Numbers in JSON and in files we write must not follow the locale. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(CG_GETTEXT_PACKAGE, dir && *dir ? dir : CG_LOCALEDIR);
	bind_textdomain_codeset(CG_GETTEXT_PACKAGE, "UTF-8");
	textdomain(CG_GETTEXT_PACKAGE);
}
