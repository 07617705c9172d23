/* cg_i18n — gettext set-up. User-facing text is written in English and wrapped
 * in _() (or N_() where it must stay a constant); catalogs live in po/. */
#ifndef CG_I18N_H
#define CG_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Bind the "canhgac" text domain. The catalog directory is $CANHGAC_LOCALEDIR
 * when set (used to run from the build tree), else the installed locale dir.
 * Safe to call more than once. */
void cg_i18n_init(void);
/* Switch the language of messages from now on ("vi", "en"), whatever the
 * environment said; for output that names its language (the report). */
void cg_i18n_set_language(const char *lang);

#endif
